"""Hypothesis strategies for JSON metadata, records and requests.

Another project can property-test its own implementation with these; this
project's tests use them too. Hypothesis is an optional extra: install
``metadata-semantics[test]`` to use this module.

The generators lean towards the cases that break implementations: keys such
as ``__proto__``, ``""``, ``a/b`` and ``~1``, non-BMP text, integers past
2**53, ``-0.0``, ``True`` beside ``1`` and ``1`` beside ``1.0``, nulls inside
arrays, and a few keys shared between stored values and patches so that
merges really overlap.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Final

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "metadata_semantics.strategies needs Hypothesis: pip install 'metadata-semantics[test]'"
    ) from error

from ._records import UserMetadata, UserMetadataParams
from ._sentinel import OMITTED, Omittable

if TYPE_CHECKING:
    from ._types import JSONValue, Metadata, Naming

__all__ = [
    "EDGE_KEYS",
    "bad_values",
    "bodies",
    "body_texts",
    "deep_values",
    "field_values",
    "hostile_values",
    "json_like_texts",
    "json_scalars",
    "json_texts",
    "json_values",
    "keys",
    "metadata",
    "params",
    "request_fields",
    "unusual_values",
    "user_metadata",
]

EDGE_KEYS: Final[tuple[str, ...]] = (
    "",
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "a/b",
    "~1",
    "~0",
    "/",
    "~",
    "0",
    "-1",
    "null",
    " ",
    "\u00e9",
    "\U0001f600",
    "\u0000",
)
"""Object keys that break naive implementations in some language."""

# A handful of short keys make stored values and patches collide often.
_COMMON_KEYS: Final[tuple[str, ...]] = ("a", "b", "c", "role", "tags")

_TEXT: Final = st.text(st.characters(codec="utf-8"), max_size=12)


def keys() -> st.SearchStrategy[str]:
    """Object keys: mostly short shared names and edge cases, sometimes any text."""
    return st.one_of(
        st.sampled_from(_COMMON_KEYS),
        st.sampled_from(EDGE_KEYS),
        _TEXT,
    )


def json_scalars() -> st.SearchStrategy[JSONValue]:
    """JSON scalars with the hazards weighted in: -0.0, 2**53 + 1, bools, big ints."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from((0, 1, -1, 2**53, 2**53 + 1, -(2**63), 10**30)),
        st.integers(),
        st.sampled_from((0.0, -0.0, 1.0, 0.5, 1e300, -1e-300, 2.0**53)),
        st.floats(allow_nan=False, allow_infinity=False),
        _TEXT,
    )


def json_values(*, max_leaves: int = 25) -> st.SearchStrategy[JSONValue]:
    """Any JSON value: scalars, arrays (nulls inside included) and objects."""
    return st.recursive(
        json_scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys(), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def metadata(*, max_leaves: int = 25) -> st.SearchStrategy[Metadata]:
    """A JSON object: what a metadata field holds when it is not null."""
    return st.dictionaries(keys(), json_values(max_leaves=max_leaves), max_size=5)


def _empty_object() -> Metadata:
    return {}


def field_values() -> st.SearchStrategy[Metadata | None]:
    """A stored field: an object (empty ones included) or null."""
    return st.one_of(st.none(), st.builds(_empty_object), metadata())


def request_fields() -> st.SearchStrategy[Omittable[Metadata | None]]:
    """A request field in each of its states: omitted, null, ``{}`` or an object."""
    return st.one_of(st.just(OMITTED), st.none(), st.builds(_empty_object), metadata())


def user_metadata() -> st.SearchStrategy[UserMetadata]:
    """A stored record with any mix of object and null fields."""
    return st.builds(
        UserMetadata,
        public_metadata=field_values(),
        private_metadata=field_values(),
        unsafe_metadata=field_values(),
    )


def params() -> st.SearchStrategy[UserMetadataParams]:
    """A write request with each field omitted, null, ``{}`` or an object."""
    return st.builds(
        UserMetadataParams,
        public_metadata=request_fields(),
        private_metadata=request_fields(),
        unsafe_metadata=request_fields(),
    )


def deep_values(*, min_depth: int = 1, max_depth: int = 2000) -> st.SearchStrategy[JSONValue]:
    """A chain of nested objects and arrays, for depth handling."""

    def build(depth: int, shape: list[bool]) -> JSONValue:
        value: JSONValue = "leaf"
        for index in range(depth):
            value = {"k": value} if shape[index % len(shape)] else [value]
        return value

    return st.builds(
        build,
        st.integers(min_value=min_depth, max_value=max_depth),
        st.lists(st.booleans(), min_size=1, max_size=8),
    )


class _Text(str):
    __slots__ = ()


class _Integer(int):
    __slots__ = ()


class _Real(float):
    __slots__ = ()


class _Object(dict[str, object]):
    __slots__ = ()


class _Array(list[object]):
    __slots__ = ()


def _as_object(members: dict[str, object]) -> object:
    return _Object(members)


def _as_array(items: list[object]) -> object:
    return _Array(items)


def unusual_values(*, max_leaves: int = 20) -> st.SearchStrategy[object]:
    """Valid JSON in the forms a fast path may not take: subclasses and non-ASCII text.

    Subclasses of ``str``, ``int``, ``float``, ``dict`` and ``list`` are JSON
    and must come back as the plain built-in types; text and keys beyond ASCII
    (non-BMP included) must come back unchanged.
    """
    text = st.text(st.characters(codec="utf-8", min_codepoint=0x80), min_size=1, max_size=6)
    leaf: st.SearchStrategy[object] = st.one_of(
        json_scalars(),
        text,
        _TEXT.map(_Text),
        st.integers().map(_Integer),
        st.floats(allow_nan=False, allow_infinity=False).map(_Real),
    )
    any_key = st.one_of(keys(), text, keys().map(_Text))
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(any_key, children, max_size=4),
            st.lists(children, max_size=3).map(_as_array),
            st.dictionaries(any_key, children, max_size=3).map(_as_object),
        ),
        max_leaves=max_leaves,
    )


def _empty_set() -> set[int]:
    return set()


_POISON: Final[st.SearchStrategy[object]] = st.one_of(
    st.sampled_from(
        (
            math.nan,
            math.inf,
            -math.inf,
            b"bytes",
            (1, 2),
            frozenset({1}),
            OMITTED,
            "\ud800",
            "x\udfffy",
        )
    ),
    st.builds(_empty_set),
    st.builds(object),
    st.builds(complex, st.floats(allow_nan=False), st.floats(allow_nan=False)),
)


def _cycle(base: Metadata) -> object:
    inner: dict[str, object] = dict(base)
    inner["self"] = inner
    return inner


def _with_key(key: object) -> object:
    return {key: 1}


def _in_array(value: object, good: list[JSONValue]) -> object:
    return [*good, value]


def _in_object(key: str, value: object, good: Metadata) -> object:
    return {**good, key: value}


def _nest(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(
        st.builds(_in_array, children, st.lists(json_values(max_leaves=3), max_size=2)),
        st.builds(_in_object, keys(), children, metadata(max_leaves=3)),
    )


def bad_values() -> st.SearchStrategy[object]:
    """A value that is not JSON somewhere inside: every such input must be rejected.

    The poison sits at the top or nested in objects and arrays: non-JSON
    types, NaN and infinities, lone surrogates, ``OMITTED``, non-``str`` keys
    and cycles.
    """
    bad_key = st.one_of(
        st.integers(),
        st.none(),
        st.just((1, 2)),
        st.just("\udc80"),
    ).map(_with_key)
    leaf = st.one_of(_POISON, bad_key, st.builds(_cycle, metadata(max_leaves=3)))
    return st.recursive(leaf, _nest, max_leaves=4)


# Hostile values -------------------------------------------------------------


def _claiming(kind: type) -> type:
    """A class whose instances claim, through ``__class__``, to be a ``kind``."""

    def claimed(_self: object) -> type:
        return kind

    return type(f"Claims{kind.__name__.title()}", (), {"__class__": property(claimed)})


# A ``__class__`` that raises is left out: the generators themselves ask
# values their class, so such an object cannot pass through them.
_LIARS: Final[tuple[type, ...]] = tuple(
    _claiming(kind) for kind in (str, int, float, bool, list, dict)
)


def _lie(_self: object, *_args: object, **_kwargs: object) -> object:
    """Every override of a hostile container: a view that matches no other."""
    return iter(("ghost", "override"))


def _raise(_self: object, *_args: object, **_kwargs: object) -> object:
    raise RuntimeError("an override raised")


_READERS: Final = (
    "__iter__",
    "__len__",
    "__contains__",
    "__getitem__",
    "items",
    "keys",
    "values",
    "get",
    "copy",
    "__reversed__",
)


def _five(_self: object) -> int:
    return 5


def _yes(_self: object, _key: object) -> bool:
    return True


def _overriding(base: type, how: object) -> type:
    namespace: dict[str, object] = {name: how for name in _READERS if hasattr(base, name)}
    if how is _lie:
        # A length that disagrees with the storage, and membership that says yes.
        namespace["__len__"] = _five
        namespace["__contains__"] = _yes
    return type(
        f"{'Lying' if how is _lie else 'Raising'}{base.__name__.title()}", (base,), namespace
    )


_OVERRIDERS: Final[tuple[type, ...]] = tuple(
    _overriding(base, how) for base in (dict, list) for how in (_lie, _raise)
)


def _hostile_container(kind: Any, members: list[object], keys_: list[str]) -> object:
    made: object = (
        kind(zip(keys_, members, strict=False)) if kind.__base__ is dict else kind(members)
    )
    return made


def _doubled(levels: int, leaf: object, as_object: bool) -> object:
    """One container used twice at each of ``levels`` levels: 2**levels leaves in all."""
    value: object = leaf
    for _ in range(levels):
        pair: tuple[object, object] = (value, value)
        value = dict(zip("ab", pair, strict=True)) if as_object else list(pair)
    return value


def _looped(members: dict[str, object], through_list: bool) -> object:
    loop: dict[str, object] = dict(members)
    loop["loop"] = [loop] if through_list else loop
    return loop


def hostile_values(*, max_leaves: int = 12) -> st.SearchStrategy[object]:
    """Values built to break an implementation's view of its input.

    They mix plain JSON with: objects whose ``__class__`` claims a JSON type,
    ``dict`` and ``list`` subclasses whose reading protocol
    disagrees with their storage or raises, containers shared many times
    (up to 2**10 uses), cycles, and values that are not JSON at all. A
    correct implementation answers each with a result or a
    ``MetadataError``, without hanging and without changing it.
    """
    leaf: st.SearchStrategy[object] = st.one_of(
        json_scalars(),
        _POISON,
        st.sampled_from(_LIARS).map(lambda liar: liar()),
    )

    def grow(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
        return st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(keys(), children, max_size=3),
            st.builds(
                _hostile_container,
                st.sampled_from(_OVERRIDERS),
                st.lists(children, max_size=3),
                st.lists(keys(), max_size=3),
            ),
            st.builds(_doubled, st.integers(min_value=1, max_value=10), children, st.booleans()),
            st.builds(_looped, st.dictionaries(keys(), children, max_size=2), st.booleans()),
        )

    return st.recursive(leaf, grow, max_leaves=max_leaves)


# Wire texts -----------------------------------------------------------------


def _dumps(value: JSONValue, ensure_ascii: bool, indent: int | None, spaced: bool) -> str:
    separators = (", ", ": ") if spaced else (",", ":")
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, allow_nan=False
    )


def json_texts(values: st.SearchStrategy[JSONValue] | None = None) -> st.SearchStrategy[str]:
    """JSON texts of ``values`` (any JSON value by default), in the layouts senders use.

    Non-ASCII is escaped or not (so non-BMP text arrives as surrogate-pair
    escapes), and the text is compact, spaced or indented.
    """
    return st.builds(
        _dumps,
        json_values() if values is None else values,
        st.booleans(),
        st.one_of(st.none(), st.integers(min_value=0, max_value=2)),
        st.booleans(),
    )


_TOKENS: Final[tuple[str, ...]] = (
    "{", "}", "[", "]", ",", ":", '"', "\\", " ", "\n", "\t", "\r",
    "true", "false", "null", "NaN", "Infinity", "-Infinity", "-", "+", ".", "e", "E",
    "0", "1", "01", "1e999", "-0", "2.5", "1e5", '"a"', '"b"', '"\\u00e9"', '"\\ud800"',
    '"\\udc00"', '"\\ud83d\\ude00"', '"\\x"', '"\x01"', "\ufeff", "\u00e9", "\ud800",
    '"public_metadata"', '"publicMetadata"', '"private_metadata"', '"unsafe_metadata"',
)  # fmt: skip


def json_like_texts() -> st.SearchStrategy[str]:
    """Text built from JSON's own tokens and its usual mistakes: mostly almost-JSON.

    Random text rarely gets past the first character of a parser; this
    reaches its deeper states (duplicate keys, bad escapes, lone
    surrogates, stray commas, trailing data, a byte order mark).
    """
    return st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join)


def _to_body(request: UserMetadataParams, naming: Naming) -> dict[str, Metadata | None]:
    return request.to_body(naming=naming)


def bodies(*, naming: Naming = "snake") -> st.SearchStrategy[dict[str, Metadata | None]]:
    """Decoded request bodies in ``naming``: each field absent, null, ``{}`` or an object."""
    return st.builds(_to_body, params(), st.just(naming))


def _encode(text: str, as_bytes: bool) -> str | bytes:
    return text.encode("utf-8") if as_bytes else text


def body_texts(*, naming: Naming = "snake") -> st.SearchStrategy[str | bytes]:
    """Request bodies as JSON text, ``str`` or UTF-8 ``bytes``, in the layouts senders use."""
    return st.builds(_encode, json_texts(bodies(naming=naming)), st.booleans())  # type: ignore[arg-type]
