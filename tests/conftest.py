"""Hypothesis profiles, and the type-strict comparison every test uses.

Pick a profile with ``HYPOTHESIS_PROFILE``: ``dev`` (the default, quick),
``ci`` (thorough), ``coverage`` (quick and derandomized, so that the branch
coverage gate measures the same run every time), ``fuzz`` (long; give it a
time box) or ``mutation`` (quick and derandomized, so that a mutant is killed
or survives the same way on every run).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from postgres import Cluster, cluster

if TYPE_CHECKING:
    from collections.abc import Iterator

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=400,
    deadline=None,
    suppress_health_check=_SLOW_DATA,
    print_blob=True,
)
settings.register_profile(
    "coverage",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_SLOW_DATA,
)
settings.register_profile(
    "fuzz",
    max_examples=1_000_000,
    deadline=timedelta(seconds=5),
    suppress_health_check=_SLOW_DATA,
    print_blob=True,
)
settings.register_profile(
    "mutation",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[*_SLOW_DATA, HealthCheck.differing_executors],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL server for this session; see :mod:`postgres`."""
    with cluster() as running:
        yield running
