"""Every implementation the benchmarks compare, each as a ``prepare(shape)``.

Each is called the way a careful user would call it to get a result that
leaves the stored document alone: a peer that merges in place is given a
``copy.deepcopy`` first, and is also shown in place, on its own copy, for
what it costs when mutation is acceptable. Peers are imported lazily, so a
missing one is reported in its row instead of stopping the run.
"""

from __future__ import annotations

import copy
import importlib
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from harness import Implementation, Prepared, Unsupported, private_copy

from metadata_semantics import (
    FIELDS,
    UserMetadata,
    UserMetadataParams,
    apply_request,
    json_equal,
    merge_patch,
    replace_metadata,
)

if TYPE_CHECKING:
    from shapes import Shape


def _need(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise Unsupported("not installed (pip install '.[bench]')") from None


_NOT_APPLICABLE = {
    "replace": "n/a: no replace operation",
    "request": "n/a: no request handling",
}


def _merge_only(shape: Shape) -> None:
    if shape.kind != "merge":
        raise Unsupported(_NOT_APPLICABLE[shape.kind])


def _as_fields(record: UserMetadata) -> dict[str, Any]:
    return {name: getattr(record, name) for name in FIELDS}


def ours(*, share: bool) -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        stored, patch = shape.stored, shape.patch
        if shape.kind == "request":
            record = UserMetadata(**stored)
            return Prepared(
                lambda: apply_request(record, "PATCH", patch, share=share),
                answer=_as_fields,
                inputs=(stored,),
            )
        if shape.kind == "replace":
            record = UserMetadata(public_metadata=stored)
            params = UserMetadataParams(public_metadata=patch)
            return Prepared(
                lambda: replace_metadata(record, params, share=share),
                answer=lambda result: result.public_metadata,
                inputs=(stored, patch),
            )
        return Prepared(lambda: merge_patch(stored, patch, share=share), inputs=(stored, patch))

    # ``merge_patch`` on the merge shapes, ``replace_metadata`` on the replace
    # one, ``apply_request`` (with its default 8 KB limits) on the request.
    if share:
        name = "**metadata-semantics**, `share=True`"
        note = "shares unchanged parts with the inputs"
    else:
        name = "**metadata-semantics** (default)"
        note = "independent result"
    return Implementation(name, prepare, note)


def json_merge_patch_pure() -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        _merge_only(shape)
        merge = _need("json_merge_patch").merge
        stored, patch = shape.stored, shape.patch
        return Prepared(lambda: merge(copy.deepcopy(stored), patch), inputs=(stored, patch))

    return Implementation("`copy.deepcopy` + `json-merge-patch`", prepare, "independent result")


def json_merge_patch_in_place() -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        _merge_only(shape)
        merge = _need("json_merge_patch").merge
        own, patch = private_copy(shape.stored), shape.patch
        # A merge patch is idempotent, so re-applying it to the same
        # document does the same work every time.
        return Prepared(lambda: merge(own, patch), inputs=(own, patch), mutates=True)

    return Implementation("`json-merge-patch` in place", prepare, "mutates the stored document")


def jsonmerge_peer() -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        _merge_only(shape)
        merge = _need("jsonmerge").merge
        stored, patch = shape.stored, shape.patch
        return Prepared(lambda: merge(stored, patch), inputs=(stored, patch))

    return Implementation("`jsonmerge.merge`", prepare, "schema-less default strategy")


def deepmerge_peer() -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        _merge_only(shape)
        merger_class = _need("deepmerge").Merger
        # The closest configuration to RFC 7396: objects merge, the rest replaces.
        merger = merger_class(
            [(dict, ["merge"]), (list, ["override"])], ["override"], ["override"]
        )
        stored, patch = shape.stored, shape.patch
        return Prepared(lambda: merger.merge(copy.deepcopy(stored), patch), inputs=(stored, patch))

    return Implementation("`copy.deepcopy` + `deepmerge`", prepare, "dict merge, others override")


def mergedeep_peer() -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        _merge_only(shape)
        merge = _need("mergedeep").merge
        stored, patch = shape.stored, shape.patch
        return Prepared(lambda: merge({}, stored, patch), inputs=(stored, patch))

    return Implementation("`mergedeep.merge({}, …)`", prepare, "REPLACE strategy")


def sqlite_peer(conversion: str) -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        _merge_only(shape)
        connection = sqlite3.connect(":memory:")
        query = "SELECT json_patch(?, ?)"
        stored, patch = shape.stored, shape.patch
        if conversion == "text":
            try:
                stored_text, patch_text = json.dumps(stored), json.dumps(patch)
            except RecursionError:
                raise Unsupported("RecursionError (in `json.dumps`, preparing the text)") from None

            def on_text() -> Any:
                return connection.execute(query, (stored_text, patch_text)).fetchone()[0]

            return Prepared(on_text, answer=json.loads, inputs=(stored, patch))
        if conversion == "json":
            dumps, loads = json.dumps, json.loads
        else:
            orjson = _need("orjson")
            dumps, loads = orjson.dumps, orjson.loads

        def converted() -> Any:
            text = connection.execute(query, (dumps(stored), dumps(patch))).fetchone()[0]
            return loads(text)

        return Prepared(converted, inputs=(stored, patch))

    labels = {
        "text": ("SQLite `json_patch`, text in and out", "input already serialized"),
        "json": ("SQLite `json_patch` + `json`", "converts both ways with `json`"),
        "orjson": ("SQLite `json_patch` + `orjson`", "converts both ways with `orjson`"),
    }
    name, note = labels[conversion]
    return Implementation(name, prepare, note)


def request_pipeline(decoder: str) -> Implementation:
    """Decode the body, then per field: keep a copy, or ``deepcopy`` + ``json-merge-patch``."""

    def prepare(shape: Shape) -> Prepared:
        if shape.kind != "request":
            raise Unsupported("n/a: request shape only")
        merge = _need("json_merge_patch").merge
        loads = json.loads if decoder == "json" else _need("orjson").loads
        stored, text = shape.stored, shape.patch

        def handle() -> Any:
            body = loads(text)
            result = {}
            for name in FIELDS:
                current = copy.deepcopy(stored[name])
                result[name] = merge(current, body[name]) if name in body else current
            return result

        return Prepared(handle, inputs=(stored,))

    return Implementation(
        f"`{decoder}.loads` + `copy.deepcopy` + `json-merge-patch`",
        prepare,
        "per field; no validation, no limits",
    )


def _baseline(shape: Shape) -> tuple[Any, Any]:
    """What a copy baseline copies, and how its answer is judged.

    A copy does not merge: it is right when it equals what it copied, and is
    then reported as the right answer, so the row shows a time.
    """
    if shape.kind == "request":
        raise Unsupported("n/a: baseline for merges and replaces")
    if shape.kind == "replace":
        return shape.patch, lambda result: result
    stored = shape.stored

    def answer(result: Any) -> Any:
        return shape.expected if json_equal(result, stored) else result

    return stored, answer


def deepcopy_baseline() -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        value, answer = _baseline(shape)
        return Prepared(lambda: copy.deepcopy(value), answer=answer, inputs=(value,))

    return Implementation("`copy.deepcopy` alone", prepare, "copy only, no merge (baseline)")


def orjson_baseline() -> Implementation:
    def prepare(shape: Shape) -> Prepared:
        orjson = _need("orjson")
        dumps, loads = orjson.dumps, orjson.loads
        value, answer = _baseline(shape)
        return Prepared(lambda: loads(dumps(value)), answer=answer, inputs=(value,))

    return Implementation("`orjson` round trip alone", prepare, "copy only, no merge (baseline)")


def all_implementations() -> list[Implementation]:
    return [
        ours(share=False),
        ours(share=True),
        json_merge_patch_pure(),
        json_merge_patch_in_place(),
        jsonmerge_peer(),
        deepmerge_peer(),
        mergedeep_peer(),
        sqlite_peer("text"),
        sqlite_peer("json"),
        sqlite_peer("orjson"),
        request_pipeline("json"),
        request_pipeline("orjson"),
        deepcopy_baseline(),
        orjson_baseline(),
    ]
