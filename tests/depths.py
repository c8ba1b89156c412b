"""How deep the "very deep" tests go.

The README promises depth 100,000, far past the interpreter's recursion
limit, so that is what these tests use. Under the ``mutation`` profile every
surviving mutant reruns them; there five times the recursion limit keeps the
run short and is still deep enough that any recursion would fail.
"""

from __future__ import annotations

import os
import sys
from typing import Final

VERY_DEEP: Final = (
    5 * sys.getrecursionlimit() if os.environ.get("HYPOTHESIS_PROFILE") == "mutation" else 100_000
)
HALF_DEEP: Final = VERY_DEEP // 2
