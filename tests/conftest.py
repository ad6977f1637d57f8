"""Shared pytest set-up: the --run-slow switch and shared fixtures."""

from __future__ import annotations

import pytest
from _report_suite import NATIONAL_THREE, synth_cleaned


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="run tests marked slow (long simulations); `make test-slow`",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow simulation test: run with `make test-slow` (a small version runs by default)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def national_three(tmp_path_factory):
    """The generator's default world at scale 0.12 for three regions of three provinces, cleaned once per session
    (the national-page and region-brief tests read it; none writes into it)."""
    return synth_cleaned(tmp_path_factory.mktemp("national"), regions=NATIONAL_THREE, scale=0.12, name="national")
