"""Streams and processes for the command-line tests.

``Sink`` stands in for the bytes under stdout or stderr and can fail the way
real streams do; ``run`` starts the tool in a real process, bounded in time.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from metadata_semantics.__main__ import main

if TYPE_CHECKING:
    from collections.abc import Mapping

    from _typeshed import ReadableBuffer

STORED: dict[str, Any] = {
    "public_metadata": {"role": "member", "plan": {"tier": "pro", "seats": 5}},
    "private_metadata": {"stripe_id": "cus_123"},
    "unsafe_metadata": None,
}
STORED_TEXT = json.dumps(STORED)
TOOL = [sys.executable, "-m", "metadata_semantics"]
TIMEOUT = 120


class Sink(io.RawIOBase):
    """Bytes written through a text stream, with the failures a real stream has.

    ``fail`` is raised by every write, ``fail_flush`` by every flush, and
    ``at_most`` caps how many bytes one write takes (a short write).
    """

    name = "sink"

    def __init__(
        self,
        *,
        fail: OSError | None = None,
        fail_flush: OSError | None = None,
        at_most: int | None = None,
        terminal: bool = False,
        descriptor: int | None = None,
    ) -> None:
        super().__init__()
        self.data = bytearray()
        self.calls = 0
        self._fail = fail
        self._fail_flush = fail_flush
        self._at_most = at_most
        self._terminal = terminal
        self._descriptor = descriptor

    def writable(self) -> bool:
        return True

    def write(self, b: ReadableBuffer, /) -> int:
        self.calls += 1
        if self._fail is not None:
            raise self._fail
        chunk = bytes(memoryview(b))[: self._at_most]
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        if self._fail_flush is not None:
            raise self._fail_flush

    def disarm(self) -> None:
        """Stop failing: what the sink was made to raise, it raises no more."""
        self._fail = None
        self._fail_flush = None

    def isatty(self) -> bool:
        return self._terminal

    def fileno(self) -> int:
        if self._descriptor is None:
            raise io.UnsupportedOperation("fileno")
        return self._descriptor


class _Stream(io.TextIOWrapper):
    def __del__(self) -> None:
        # Collecting a stream closes it, and closing flushes: a sink made to
        # fail must not fail then, at whatever later test the collector runs in.
        sink = self.buffer
        if isinstance(sink, Sink):
            sink.disarm()
        super().__del__()


def text_stream(sink: Sink, encoding: str = "utf-8") -> io.TextIOWrapper:
    """A text stream over ``sink``, as ``sys.stdout`` is over its buffer."""
    return _Stream(sink, encoding=encoding)


class FailingInput(io.RawIOBase):
    """A stdin whose every read raises ``error``."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, _buffer: Any, /) -> int:
        raise self._error


def main_status(argv: list[str]) -> int:
    """``main(argv)``, with an escaping Ctrl-C failing the test, not stopping the session."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped main")


def run(
    *arguments: str,
    stdin: bytes = b"",
    environment: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run the tool with ``arguments`` in a real process and wait for it."""
    return subprocess.run(
        [*TOOL, *arguments],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=TIMEOUT,
        env={**os.environ, **(environment or {})},
    )
