"""Reporting periods in every form units write them keep their kind, with exact first and last days (issue 10.6)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja_research.clean.periods import PERIOD_PATTERN, parse_period, period_bounds

CASES = [
    # quarters (triwulan), every spelling
    ("Triwulan I 2025", "2025-Q1", "quarter", "2025-01-01", "2025-03-31"),
    ("Triwulan II 2025", "2025-Q2", "quarter", "2025-04-01", "2025-06-30"),
    ("TRIWULAN III 2025", "2025-Q3", "quarter", "2025-07-01", "2025-09-30"),
    ("Triwulan IV 2025", "2025-Q4", "quarter", "2025-10-01", "2025-12-31"),
    ("TW 2 2025", "2025-Q2", "quarter", "2025-04-01", "2025-06-30"),
    ("TW.3 2025", "2025-Q3", "quarter", "2025-07-01", "2025-09-30"),
    ("Q3 2025", "2025-Q3", "quarter", "2025-07-01", "2025-09-30"),
    ("2025 Q4", "2025-Q4", "quarter", "2025-10-01", "2025-12-31"),
    ("Kuartal 1 2026", "2026-Q1", "quarter", "2026-01-01", "2026-03-31"),
    ("2025-Q1", "2025-Q1", "quarter", "2025-01-01", "2025-03-31"),
    ("Juli - September 2025", "2025-Q3", "quarter", "2025-07-01", "2025-09-30"),
    # semesters
    ("Semester I 2025", "2025-S1", "semester", "2025-01-01", "2025-06-30"),
    ("Semester II 2025", "2025-S2", "semester", "2025-07-01", "2025-12-31"),
    ("Smt 2 2025", "2025-S2", "semester", "2025-07-01", "2025-12-31"),
    ("Sem. 1 2026", "2026-S1", "semester", "2026-01-01", "2026-06-30"),
    ("S2 2025", "2025-S2", "semester", "2025-07-01", "2025-12-31"),
    ("Semester II/2025", "2025-S2", "semester", "2025-07-01", "2025-12-31"),
    ("Januari–Juni 2025", "2025-S1", "semester", "2025-01-01", "2025-06-30"),
    ("Juli s.d. Desember 2025", "2025-S2", "semester", "2025-07-01", "2025-12-31"),
    ("Jan-Jun 2025", "2025-S1", "semester", "2025-01-01", "2025-06-30"),
    ("01/07/2025 - 31/12/2025", "2025-S2", "semester", "2025-07-01", "2025-12-31"),
    ("Periode: Semester I 2025", "2025-S1", "semester", "2025-01-01", "2025-06-30"),
    # months
    ("Maret 2025", "2025-03", "month", "2025-03-01", "2025-03-31"),
    ("Bulan Februari 2024", "2024-02", "month", "2024-02-01", "2024-02-29"),
    ("Mar 2025", "2025-03", "month", "2025-03-01", "2025-03-31"),
    ("03/2025", "2025-03", "month", "2025-03-01", "2025-03-31"),
    ("2025-11", "2025-11", "month", "2025-11-01", "2025-11-30"),
    ("1 Maret 2025 - 31 Maret 2025", "2025-03", "month", "2025-03-01", "2025-03-31"),
    # years
    ("2025", "2025", "year", "2025-01-01", "2025-12-31"),
    ("Tahunan 2025", "2025", "year", "2025-01-01", "2025-12-31"),
    ("Tahun 2025", "2025", "year", "2025-01-01", "2025-12-31"),
    ("Januari - Desember 2025", "2025", "year", "2025-01-01", "2025-12-31"),
]


@pytest.mark.parametrize("text, label, kind, start, end", CASES)
def test_every_form_keeps_its_kind(text, label, kind, start, end):
    r = parse_period(pd.Series([text]))
    assert r.loc[0, ["period", "period_kind"]].tolist() == [label, kind]
    assert str(r.loc[0, "period_start"].date()) == start and str(r.loc[0, "period_end"].date()) == end
    assert pd.isna(r.loc[0, "rule"])


@pytest.mark.parametrize(
    "text, rule",
    [
        ("Februari-April 2025", "period_range_unaligned"),  # three months, but not a quarter
        ("Maret-Agustus 2025", "period_range_unaligned"),  # six months, but not a semester
        ("Juli 2025 - Juni 2026", "period_range_unaligned"),  # a fiscal year across two calendar years
        ("15/01/2025 - 30/06/2025", "period_range_unaligned"),  # does not start on the first of a month
        ("II 2025", "value_unknown"),  # a number without its kind: not guessed
        ("Triwulan II", "value_unknown"),  # no year
        ("Semester I 2025/2026", "value_unknown"),  # two years
        ("Caturwulan 1 2025", "value_unknown"),  # four months: not a quarter
        ("", "missing_value"),
    ],
)
def test_what_is_not_a_whole_period_is_reported_not_guessed(text, rule):
    r = parse_period(pd.Series([text]))
    assert pd.isna(r.loc[0, "period"]) and r.loc[0, "rule"] == rule


def test_quarters_are_not_semesters_and_semester_two_is_not_a_quarter():
    """Reviewer findings: "Triwulan II 2025" was read as 2025-S2 and Triwulan III/IV were lost; SKM "Semester II
    2025" became Q2."""
    r = parse_period(pd.Series(["Triwulan II 2025", "Triwulan III 2025", "Triwulan IV 2025", "Semester II 2025"]))
    assert r["period"].tolist() == ["2025-Q2", "2025-Q3", "2025-Q4", "2025-S2"]
    assert r["rule"].isna().all()


def test_value_map_is_applied_first_and_missing_stays_missing():
    r = parse_period(pd.Series(["Periode A", None]), values_map={"Periode A": "Semester I 2025"})
    assert r.loc[0, "period"] == "2025-S1" and pd.isna(r.loc[1, "period"]) and r.loc[1, "rule"] == "missing_value"


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["year", "semester", "quarter", "month"]),
    st.integers(2000, 2040),
    st.integers(1, 12),
)
def test_canonical_labels_round_trip_with_exact_bounds(kind, year, n):
    n = {"year": 1, "semester": 1 + (n - 1) % 2, "quarter": 1 + (n - 1) % 4, "month": n}[kind]
    label = {"year": f"{year}", "semester": f"{year}-S{n}", "quarter": f"{year}-Q{n}", "month": f"{year}-{n:02d}"}[kind]
    r = parse_period(pd.Series([label]))
    first, last = period_bounds(kind, year, n)
    assert r.loc[0, "period"] == label and r.loc[0, "period_kind"] == kind
    assert r.loc[0, "period_start"] == first and r.loc[0, "period_end"] == last
    assert pd.Series([label]).str.fullmatch(PERIOD_PATTERN).all()
    assert (last + pd.Timedelta(days=1)).day == 1  # the last day of a month
