"""Build the HTML API reference from the docstrings, failing on any broken cross-reference.

Usage: python tools/build_api_docs.py [OUTPUT]   (default: build/api; needs the docs extra)

Runs Sphinx with autodoc on docs/api/, nitpicky (-n), with every warning an
error (-W) and every warning reported before it stops (--keep-going), from
a fresh environment (-E) so that no cached page hides a broken reference.
Exits with Sphinx's status: 0 when the reference built cleanly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "api"
DEFAULT_OUTPUT = ROOT / "build" / "api"


def command(output: Path, source: Path = SOURCE) -> list[str]:
    """The Sphinx command line that builds the reference from ``source`` into ``output``."""
    return [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-n",
        "-E",
        "-b",
        "html",
        str(source),
        str(output),
    ]


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    return subprocess.run(command(output), check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
