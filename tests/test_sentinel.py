"""The OMITTED sentinel keeps its identity, refuses to pass for JSON, and type checkers
narrow it and name it by a public name."""

from __future__ import annotations

import copy
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typing_extensions import assert_type

from metadata_semantics import OMITTED, Metadata, Omittable, Omitted, UserMetadataParams


def test_repr_is_the_name() -> None:
    assert repr(OMITTED) == "OMITTED"
    assert str(OMITTED) == "OMITTED"


def test_sentinel_is_truthy_so_value_or_default_cannot_lose_data() -> None:
    assert bool(OMITTED) is True

    def value_or_empty(value: object) -> object:
        return value or {}

    assert value_or_empty(OMITTED) is OMITTED


def test_identity_survives_copy_and_deepcopy() -> None:
    assert copy.copy(OMITTED) is OMITTED
    assert copy.deepcopy(OMITTED) is OMITTED
    assert copy.deepcopy({"x": [OMITTED]})["x"][0] is OMITTED


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_identity_survives_every_pickle_protocol(protocol: int) -> None:
    assert pickle.loads(pickle.dumps(OMITTED, protocol=protocol)) is OMITTED  # noqa: S301
    params = UserMetadataParams(public_metadata={"a": 1})
    restored = pickle.loads(pickle.dumps(params, protocol=protocol))  # noqa: S301
    assert restored.private_metadata is OMITTED
    assert restored == params


def test_json_dumps_refuses_the_sentinel() -> None:
    with pytest.raises(TypeError):
        json.dumps(OMITTED)
    with pytest.raises(TypeError):
        json.dumps({"public_metadata": OMITTED})


def test_sentinel_is_not_a_string_or_none() -> None:
    assert not isinstance(OMITTED, str)
    assert OMITTED is not None
    text: object = "OMITTED"
    assert text != OMITTED


def test_is_omitted_narrows_for_type_checkers() -> None:
    # The assert_type calls are checked by mypy and pyright; at run time they
    # pass values through, and the branches below must both be reachable.
    def describe(value: Omittable[Metadata | None]) -> str:
        if value is OMITTED:
            assert_type(value, Omitted)
            return "omitted"
        assert_type(value, "Metadata | None")
        return "null" if value is None else "object"

    assert describe(OMITTED) == "omitted"
    assert describe(None) == "null"
    assert describe({}) == "object"


# What a type checker is asked, and what it must say: every class it names
# is one a user can import.
_SNIPPET = """\
from metadata_semantics import OMITTED, Metadata, Omittable

reveal_type(OMITTED)


def describe(value: Omittable[Metadata | None]) -> None:
    if value is OMITTED:
        reveal_type(value)


count: int = OMITTED
"""
_PRIVATE_NAME = re.compile(r"(?<![\w.])_[A-Za-z]\w*|\._[A-Z]\w*")


def type_checker_output(tmp_path: Path, command: list[str]) -> str:
    (tmp_path / "snippet.py").write_text(_SNIPPET, "utf-8")
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300
    )
    return done.stdout + done.stderr


def test_private_names_are_found_in_messages() -> None:
    assert _PRIVATE_NAME.search('Revealed type is "Literal[pkg._OmittedType.OMITTED]"')
    assert _PRIVATE_NAME.search('expression has type "_OmittedType"')
    assert not _PRIVATE_NAME.search('"Literal[metadata_semantics._sentinel.OmittedType.OMITTED]"')


def test_mypy_names_the_sentinel_by_its_public_name(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the dev extra")
    output = type_checker_output(
        tmp_path, [sys.executable, "-m", "mypy", "--strict", "--cache-dir", "cache", "snippet.py"]
    )
    reveal = 'Revealed type is "Literal[metadata_semantics._sentinel.OmittedType.OMITTED]'
    assert output.count(reveal) == 2, output
    assert '(expression has type "OmittedType", variable has type "int")' in output
    assert not _PRIVATE_NAME.search(output), output


def test_pyright_names_the_sentinel_by_its_public_name(tmp_path: Path) -> None:
    pyright = Path(sys.executable).parent / "pyright"
    if not pyright.exists():
        pytest.skip("pyright is in the dev extra")
    output = type_checker_output(
        tmp_path, [str(pyright), "--pythonpath", sys.executable, "snippet.py"]
    )
    assert 'Type of "OMITTED" is "Literal[OmittedType.OMITTED]"' in output, output
    assert 'Type of "value" is "Literal[OmittedType.OMITTED]"' in output
    assert 'Type "Literal[OmittedType.OMITTED]" is not assignable' in output
    assert not _PRIVATE_NAME.search(output), output
