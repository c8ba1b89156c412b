"""The shared strategies are an optional extra, and say so when it is missing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

# A meta path finder that makes ``import hypothesis`` fail as it does where
# the extra is not installed, whatever this interpreter has.
_WITHOUT_HYPOTHESIS = textwrap.dedent(
    """
    import sys

    class NoHypothesis:
        def find_spec(self, name, path=None, target=None):
            if name == "hypothesis" or name.startswith("hypothesis."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoHypothesis())
    import metadata_semantics
    try:
        import metadata_semantics.strategies
    except ImportError as error:
        print(type(error).__name__, error, sep=": ")
        print("cause:", type(error.__cause__).__name__)
    else:
        print("imported")
    """
)


def test_strategies_without_hypothesis_raise_import_error_naming_the_extra() -> None:
    """The package itself needs no Hypothesis; the strategies module says which
    extra brings it in."""
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_HYPOTHESIS],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    first, cause = done.stdout.splitlines()
    assert first.startswith("ImportError: ")
    assert "metadata-semantics[test]" in first
    assert "Hypothesis" in first
    assert cause == "cause: ModuleNotFoundError"


def test_hostile_objects_really_lie_and_raise() -> None:
    """The hostile strategy's objects disagree with their storage, or raise, when asked."""
    from metadata_semantics import strategies

    for liar in strategies._LIARS:  # pyright: ignore[reportPrivateUsage]
        claimed = liar().__class__
        assert claimed is not liar
        assert claimed in (str, int, float, bool, list, dict)
    lying, raising = 0, 0
    for kind in strategies._OVERRIDERS:  # pyright: ignore[reportPrivateUsage]
        maker: Any = kind
        made: Any = maker(["x"]) if issubclass(kind, list) else maker({"x": 1})
        if kind.__name__.startswith("Lying"):
            lying += 1
            assert len(made) == 5
            assert "absent" in made
            assert list(iter(made)) == ["ghost", "override"]
        else:
            raising += 1
            with pytest.raises(RuntimeError):
                len(made)
    assert (lying, raising) == (2, 2)
