"""Every public function's keyword-only parameters come from the keyword table of docs/conventions.md.

The functions checked are everything exported flat by ``kinerja_research`` (the ``__all__`` of the modules in
``kr._FLAT_MODULES``). A keyword that is not in the table fails: add it to the table with its one meaning first.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import kinerja_research as kr

DOC = Path(__file__).resolve().parents[1] / "docs" / "conventions.md"

#: Keywords awaiting a rename by their owner, with the reason (none pending).
PENDING: set[tuple[str, str, str]] = set()

#: Spellings retired by the one-vocabulary rule (issue 12): none may come back as a keyword.
RETIRED = {"by", "treat", "group", "predictor", "family", "engine"}


def _table() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Keyword table", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", first))
    return names


def _public_functions():
    for mod_name in kr._FLAT_MODULES:
        mod = kr._module(mod_name)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.isfunction(obj):
                yield mod_name, name, obj


def test_table_parses_and_keeps_no_retired_spelling():
    table = _table()
    assert {"dv", "between", "within", "subject", "covar", "cluster", "cov_type", "alpha", "groups"} <= table
    assert not (RETIRED & table), RETIRED & table


@pytest.mark.parametrize("mod_name, name, func", list(_public_functions()), ids=lambda v: getattr(v, "__name__", v))
def test_keywords_are_in_the_table(mod_name, name, func):
    table = _table()
    params = inspect.signature(func).parameters.values()
    unknown = [
        p.name
        for p in params
        if p.kind == p.KEYWORD_ONLY and p.name not in table and (mod_name, name, p.name) not in PENDING
    ]
    assert not unknown, f"kr.{name} ({mod_name}) has keyword(s) {unknown} not in docs/conventions.md's keyword table"


def test_pending_exceptions_are_still_needed():
    for mod_name, name, keyword in PENDING:
        func = getattr(kr._module(mod_name), name)
        assert keyword in inspect.signature(func).parameters, f"{mod_name}.{name} no longer has '{keyword}': drop it"
