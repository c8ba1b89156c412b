"""Replace and deep-merge semantics for a user record's JSON metadata.

A user carries three JSON metadata fields. A *replace* write (``PUT``)
overwrites each provided field whole; a *deep-merge* write (``PATCH``)
applies RFC 7396 JSON Merge Patch to each provided field. A field left out
of a request is :data:`OMITTED` and keeps its stored value.
"""

from ._diff import Edit, EditKind, diff_merge_patch
from ._errors import (
    ERROR_CODES,
    ErrorCode,
    ErrorCodeInfo,
    InvalidArgumentError,
    InvalidBodyError,
    InvalidJSONError,
    InvalidValueError,
    LimitExceededError,
    MetadataError,
    UnsupportedMethodError,
)
from ._explain import Change, ChangeAction, explain
from ._json import dump_json, parse_json
from ._limits import UPSTREAM_LIMITS, Limits
from ._records import UserMetadata, UserMetadataParams
from ._semantics import (
    RULES,
    Action,
    FieldState,
    Operation,
    Rule,
    merge_metadata,
    merge_patch,
    replace_metadata,
)
from ._sentinel import OMITTED, Omittable, Omitted
from ._types import FIELDS, WIRE_NAMES, FieldName, JSONValue, Metadata, Naming
from ._values import json_equal
from ._wire import METHODS, apply_request

__all__ = [
    "ERROR_CODES",
    "FIELDS",
    "METHODS",
    "OMITTED",
    "RULES",
    "UPSTREAM_LIMITS",
    "WIRE_NAMES",
    "Action",
    "Change",
    "ChangeAction",
    "Edit",
    "EditKind",
    "ErrorCode",
    "ErrorCodeInfo",
    "FieldName",
    "FieldState",
    "InvalidArgumentError",
    "InvalidBodyError",
    "InvalidJSONError",
    "InvalidValueError",
    "JSONValue",
    "LimitExceededError",
    "Limits",
    "Metadata",
    "MetadataError",
    "Naming",
    "Omittable",
    "Omitted",
    "Operation",
    "Rule",
    "UnsupportedMethodError",
    "UserMetadata",
    "UserMetadataParams",
    "apply_request",
    "diff_merge_patch",
    "dump_json",
    "explain",
    "json_equal",
    "merge_metadata",
    "merge_patch",
    "parse_json",
    "replace_metadata",
]

__version__ = "0.1.0"
