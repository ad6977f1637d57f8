"""Shared pytest set-up: the --run-slow switch and shared fixtures."""

from __future__ import annotations

import pytest


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
