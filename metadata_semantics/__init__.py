"""Replace and deep-merge semantics for a user record's JSON metadata.

A user carries three JSON metadata fields. A *replace* write (``PUT``)
overwrites each provided field whole; a *deep-merge* write (``PATCH``)
applies RFC 7396 JSON Merge Patch to each provided field. A field left out
of a request is :data:`OMITTED` and keeps its stored value.

Start with :func:`replace_metadata` and :func:`merge_metadata` on a stored
:class:`UserMetadata` and a :class:`UserMetadataParams` request, or with
:func:`apply_request` for one whole HTTP request. Bad input raises
:class:`MetadataError`, whose ``code`` and ``path`` are the contract.

``__all__`` holds what most programs need. The tables behind the rules
(``RULES``, ``ERROR_CODES``, ``FIELDS``, ``WIRE_NAMES``, ``METHODS``), the
types they use and the narrower error classes can be imported from here
too; the API reference lists every public name.
"""

# A name imported as itself ("X as X") is public to type checkers without
# being in __all__: the tables and their types stay importable from here,
# while help() and star-imports show only what most programs need.
from ._diff import Edit as Edit
from ._diff import EditKind as EditKind
from ._diff import diff_merge_patch
from ._errors import ERROR_CODES as ERROR_CODES
from ._errors import (
    ErrorCode,
    InvalidJSONError,
    LimitExceededError,
    MetadataError,
)
from ._errors import ErrorCodeInfo as ErrorCodeInfo
from ._errors import InvalidArgumentError as InvalidArgumentError
from ._errors import InvalidBodyError as InvalidBodyError
from ._errors import InvalidValueError as InvalidValueError
from ._errors import UnsupportedMethodError as UnsupportedMethodError
from ._explain import Change as Change
from ._explain import ChangeAction as ChangeAction
from ._explain import explain
from ._json import dump_json, parse_json
from ._limits import UPSTREAM_LIMITS, Limits
from ._public import claim
from ._records import UserMetadata, UserMetadataParams
from ._semantics import RULES as RULES
from ._semantics import Action as Action
from ._semantics import FieldState as FieldState
from ._semantics import Operation as Operation
from ._semantics import Rule as Rule
from ._semantics import merge_metadata, merge_patch, replace_metadata
from ._sentinel import OMITTED, Omittable, Omitted
from ._sentinel import OmittedType as OmittedType
from ._types import FIELDS as FIELDS
from ._types import WIRE_NAMES as WIRE_NAMES
from ._types import FieldName as FieldName
from ._types import JSONValue, Metadata, Naming
from ._values import json_equal
from ._wire import METHODS as METHODS
from ._wire import apply_request, check_result, read_request

__all__ = [
    "OMITTED",
    "UPSTREAM_LIMITS",
    "ErrorCode",
    "InvalidJSONError",
    "JSONValue",
    "LimitExceededError",
    "Limits",
    "Metadata",
    "MetadataError",
    "Naming",
    "Omittable",
    "Omitted",
    "UserMetadata",
    "UserMetadataParams",
    "apply_request",
    "check_result",
    "diff_merge_patch",
    "dump_json",
    "explain",
    "json_equal",
    "merge_metadata",
    "merge_patch",
    "parse_json",
    "read_request",
    "replace_metadata",
]

__version__ = "0.1.0"

# Public classes say they live here, where they are imported from, so that
# help(), tracebacks and the API reference name no private module.
claim(
    __name__,
    Change,
    Edit,
    ErrorCodeInfo,
    InvalidArgumentError,
    InvalidBodyError,
    InvalidJSONError,
    InvalidValueError,
    LimitExceededError,
    Limits,
    MetadataError,
    OmittedType,
    Rule,
    UnsupportedMethodError,
    UserMetadata,
    UserMetadataParams,
)
