"""Coverage-guided fuzzing of the wire boundary with atheris (libFuzzer for Python).

Each input is split by its first byte: the method, the naming and which of
the two entry points to call; the rest is the body, sent as ``bytes`` or as
the ``str`` it decodes to. Whatever comes in, the only allowed outcomes are a
value or a :class:`MetadataError`; anything else is a crash that libFuzzer
reports with the input that caused it. A write must also leave the stored
record as it was.

Run it (a long job, not part of CI), from the project root::

    pip install atheris && python tests/fuzz/atheris_wire.py -max_total_time=600 corpus/

Any libFuzzer option works (``-runs=N``, ``-max_len=4096``, ``-jobs=2``).
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any, Final

# Loaded by name: atheris ships no type information, and is not a test extra.
atheris: Any = importlib.import_module("atheris")

with atheris.instrument_imports():
    from metadata_semantics import (
        MetadataError,
        UserMetadata,
        apply_request,
        parse_json,
    )

if TYPE_CHECKING:
    from metadata_semantics import Naming

_STORED: Final = UserMetadata(
    public_metadata={"role": "member", "plan": {"tier": "pro", "seats": 5}},
    private_metadata=None,
    unsafe_metadata={"tags": ["a", None, 1.5]},
)
_SNAPSHOT: Final = UserMetadata(
    public_metadata={"role": "member", "plan": {"tier": "pro", "seats": 5}},
    private_metadata=None,
    unsafe_metadata={"tags": ["a", None, 1.5]},
)
_METHODS: Final = ("PUT", "PATCH", "POST", "put")


def test_one_input(data: bytes) -> None:
    """Feed one input to ``parse_json`` or ``apply_request``; raise on a real bug."""
    if not data:
        return
    control, body = data[0], data[1:]
    payload: bytes | str = body
    if control & 1:
        # ``surrogateescape`` turns bad bytes into lone surrogates: text that
        # no UTF-8 encoder accepts, which the library must refuse cleanly.
        payload = body.decode("utf-8", "surrogateescape" if control & 2 else "replace")
    try:
        if control & 4:
            parse_json(payload)
        else:
            method = _METHODS[(control >> 3) % len(_METHODS)]
            naming: Naming = "camel" if control & 32 else "snake"
            apply_request(_STORED, method, payload, naming=naming)
    except MetadataError:
        pass
    if _STORED != _SNAPSHOT:
        raise AssertionError("a write changed the stored record")


def main() -> None:
    """Start libFuzzer with the command-line options given."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
