"""Numbers with Indonesian separators, dates with Indonesian month names, yes/no answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja_research.clean.values import MONTHS, parse_bool, parse_date, parse_number

ID_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def id_format(x: float, decimals: int) -> str:
    """Format like Indonesian software: '.' thousands, ',' decimals."""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e9, allow_nan=False).map(lambda v: round(v, 2)), min_size=1, max_size=30))
def test_indonesian_numbers_parse_back(values):
    texts = [id_format(v, 2) for v in values]
    r = parse_number(pd.Series(texts))
    np.testing.assert_allclose(r["value"], values, rtol=0, atol=1e-6)
    assert r["rule"].isin(["decimal_comma"]).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False).map(lambda v: round(v, 1)), min_size=1, max_size=30))
def test_plain_numbers_unchanged(values):
    r = parse_number(pd.Series([repr(v) for v in values]))
    np.testing.assert_allclose(r["value"], values)  # cleaning clean data changes nothing
    assert r["rule"].isna().all()
    np.testing.assert_allclose(parse_number(pd.Series(values))["value"], values)


def test_currency_percent_and_junk():
    r = parse_number(pd.Series(["Rp 4.500.000", "Rp4.500", "87,5%", "1,250,000", "-12,5", "(3)", "abc", "", None]))
    np.testing.assert_allclose(r["value"][:6], [4500000, 4500, 87.5, 1250000, -12.5, -3])
    assert r["rule"].tolist()[6:] == ["not_a_number", "missing_value", "missing_value"]


def test_single_dot_group_is_ambiguous_only_in_a_comma_column():
    assert parse_number(pd.Series(["1.250", "2.5"]))["value"].tolist() == [1.25, 2.5]
    r = parse_number(pd.Series(["1.250", "2,5"]))
    assert r["value"].tolist() == [1250.0, 2.5]
    assert r["rule"].tolist() == ["ambiguous_number", "decimal_comma"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)), min_size=1, max_size=30))
def test_every_date_format_reads_back(dates):
    want = pd.to_datetime(pd.Series(dates)).tolist()
    forms = {
        "iso": [d.isoformat() for d in dates],
        "id_long": [f"{d.day} {ID_MONTHS[d.month - 1]} {d.year}" for d in dates],
        "abbr": [f"{d.day:02d}-{d.strftime('%b')}-{d.year}" for d in dates],
        "dmy": [d.strftime("%d/%m/%Y") for d in dates],
        "serial": [str((d - dt.date(1899, 12, 30)).days) for d in dates],
    }
    for name, texts in forms.items():
        r = parse_date(pd.Series(texts), dayfirst=True if name == "dmy" else None)
        assert r["value"].tolist() == want, name
        assert r["rule"].isna().all(), (name, r["rule"].value_counts())


def test_day_month_order_from_evidence_or_reported():
    assert parse_date(pd.Series(["31/03/2025", "01/04/2025"]))["value"].dt.month.tolist() == [3, 4]
    assert parse_date(pd.Series(["03/31/2025", "04/01/2025"]))["value"].dt.month.tolist() == [3, 4]
    r = parse_date(pd.Series(["03/04/2025", "05/05/2025"]))
    assert r["rule"].tolist() == ["date_ambiguous", pd.NA]  # 5 May is the same either way
    assert pd.isna(r["value"][0]) and r["value"][1] == pd.Timestamp("2025-05-05")


def test_timestamps_forms_style_and_mixed_formats():
    r = parse_date(
        pd.Series(
            [
                "2025/03/12 10:15:30 AM GMT+7",
                "2025-03-12 22:15:30",
                "2025-03-13 09:00",
                "12 Maret 2025 14:05",
                "31 Februari 2025",
                "kemarin",
            ]
        )
    )
    assert r["value"].tolist()[:4] == [
        pd.Timestamp("2025-03-12 10:15:30"),
        pd.Timestamp("2025-03-12 22:15:30"),
        pd.Timestamp("2025-03-13 09:00"),
        pd.Timestamp("2025-03-12 14:05"),
    ]
    assert r["rule"].tolist() == [pd.NA, pd.NA, pd.NA, "date_format", "date_invalid", "date_invalid"]


def test_month_table_covers_indonesian_and_english():
    for i, m in enumerate(ID_MONTHS):
        assert MONTHS[m.lower()] == i + 1
        assert MONTHS[dt.date(2000, i + 1, 1).strftime("%b").lower()] == i + 1


def test_parse_bool_with_value_map():
    r = parse_bool(pd.Series(["Ya", "TIDAK", "Peserta", "x", None]), mapping={"Peserta": True})
    assert r["value"].tolist()[:3] == [True, False, True]
    assert r["rule"].tolist()[3:] == ["not_a_boolean", "missing_value"]


def test_fast_layouts_never_roll_impossible_dates_over():
    r = parse_date(
        pd.Series(["03/11/2025 07:29:53", "31/02/2025 10:00:00", "2025-02-30", "29/02/2024 00:00:00"]), dayfirst=True
    )
    assert r["value"][0] == pd.Timestamp("2025-11-03 07:29:53")
    assert r["rule"].tolist()[1:3] == ["date_invalid", "date_invalid"]
    assert r["value"][3] == pd.Timestamp("2024-02-29")
