"""The package's public face: help() is short and names no private module, and every
public name, in ``__all__`` or not, is importable from the package."""

from __future__ import annotations

import inspect
import pickle
import pydoc
import re
import types

import metadata_semantics
from metadata_semantics import (
    ERROR_CODES,
    FIELDS,
    METHODS,
    RULES,
    WIRE_NAMES,
    LimitExceededError,
    MetadataError,
    UserMetadata,
    UserMetadataParams,
)

# help(metadata_semantics) ran to 1,364 lines on CPython 3.11 when __all__
# held every public name; what most programs need takes 718 there (with
# read_request and check_result, the two halves the SQL writes use), and 840
# on 3.13, whose pydoc writes a long signature one parameter a line.
HELP_MAX_LINES = 860

# The tables and their types: public, importable from the package, but left
# out of __all__ and so out of help() and star-imports.
IMPORTABLE_BEYOND_ALL = (
    "Action",
    "Change",
    "ChangeAction",
    "ERROR_CODES",
    "Edit",
    "EditKind",
    "ErrorCodeInfo",
    "FIELDS",
    "FieldName",
    "FieldState",
    "InvalidArgumentError",
    "InvalidBodyError",
    "InvalidValueError",
    "METHODS",
    "OmittedType",
    "Operation",
    "RULES",
    "Rule",
    "UnsupportedMethodError",
    "WIRE_NAMES",
)


def help_text() -> str:
    # What `python -c "import pydoc, metadata_semantics; print(pydoc.render_doc(
    # metadata_semantics, renderer=pydoc.plaintext))"` prints, in typed calls.
    return pydoc.plain(pydoc.render_doc(metadata_semantics))


def test_help_is_short() -> None:
    assert len(help_text().splitlines()) <= HELP_MAX_LINES


def test_help_names_no_private_module_outside_the_package_listing() -> None:
    # pydoc lists every module file of a package under PACKAGE CONTENTS, the
    # private ones too; everywhere else, classes are named where they are
    # imported from.
    text = re.sub(r"PACKAGE CONTENTS\n(?:    .*\n)+", "", help_text())
    assert "PACKAGE CONTENTS" not in text
    assert re.findall(r"metadata_semantics\._\w+", text) == []


def test_all_holds_only_what_most_programs_need() -> None:
    assert len(metadata_semantics.__all__) <= 25
    assert not set(IMPORTABLE_BEYOND_ALL) & set(metadata_semantics.__all__)
    for name in metadata_semantics.__all__:
        assert hasattr(metadata_semantics, name), name


def test_every_public_name_beyond_all_is_importable_from_the_package() -> None:
    for name in IMPORTABLE_BEYOND_ALL:
        assert hasattr(metadata_semantics, name), name
    assert len(FIELDS) == len(WIRE_NAMES["camel"]) == 3
    assert set(METHODS) == {"PUT", "PATCH"}
    assert RULES
    assert ERROR_CODES


def test_public_classes_say_they_live_in_the_package_and_still_pickle() -> None:
    for name in [*metadata_semantics.__all__, *IMPORTABLE_BEYOND_ALL]:
        value = getattr(metadata_semantics, name)
        # On Python 3.10, dict[str, ...] passes for a class.
        if inspect.isclass(value) and not isinstance(value, types.GenericAlias):
            assert value.__module__ == "metadata_semantics", name
    params = UserMetadataParams(public_metadata={"a": 1})
    assert pickle.loads(pickle.dumps(params)) == params  # noqa: S301
    error = LimitExceededError("big", code="too_deep", measured=3, limit=2)
    again = pickle.loads(pickle.dumps(error))  # noqa: S301
    assert type(again) is LimitExceededError
    assert (again.code, again.measured, again.limit) == ("too_deep", 3, 2)


def test_methods_name_the_package_and_shared_functions_keep_their_module() -> None:
    assert UserMetadata.to_body.__module__ == "metadata_semantics"
    assert UserMetadata.from_body.__module__ == "metadata_semantics"  # the bound method's function
    path = vars(MetadataError)["path"]
    assert isinstance(path, property)
    assert path.fget is not None
    assert path.fget.__module__ == "metadata_semantics"
    # dataclasses gives every frozen class with slots the same __getstate__
    # (from Python 3.11); it is not this package's to rename.
    getstate = vars(UserMetadata).get("__getstate__")
    if getstate is not None:
        assert getstate.__module__ == "dataclasses"
        assert getstate is vars(UserMetadataParams)["__getstate__"]
