"""Reporting periods written the ways units write them -> canonical periods that keep their kind.

Performance evaluation under PermenPANRB 6/2022 is periodic as the agency sets it (monthly, by quarter = triwulan, by
semester) and annual; SKM surveys run per quarter or per semester. A period keeps its kind, with exact first and last
days:

=========  ============  ===========================================================================================
kind       label         written as (any case, any spacing)
=========  ============  ===========================================================================================
year       ``2025``      ``2025``, ``Tahun 2025``, ``Tahunan 2025``, ``Januari-Desember 2025``
semester   ``2025-S1``   ``Semester I 2025``, ``Smt 2 2025``, ``S2 2025``, ``Semester II/2025``, ``Januari-Juni 2025``
quarter    ``2025-Q3``   ``Triwulan III 2025``, ``TW 2 2025``, ``Q3 2025``, ``Kuartal 3 2025``, ``Juli-September 2025``
month      ``2025-03``   ``Maret 2025``, ``Bulan Mar 2025``, ``03/2025``, ``2025-03``
=========  ============  ===========================================================================================

A range of months or of dates (``Januari s.d. Juni 2025``, ``01/01/2025 - 30/06/2025``) becomes the month, quarter,
semester or year it covers exactly; a range that is not one of those (``Februari-April 2025``) is reported
(``period_range_unaligned``), never rounded to the nearest kind. A bare number without a kind word (``II 2025``) or
without a year is not guessed (``value_unknown``). Each distinct value is parsed once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from kinerja_research._arrays import take_strings
from kinerja_research.clean.values import MONTHS
from kinerja_research.standards import PERIOD_KINDS, PERIOD_PATTERN

__all__ = ["PERIOD_KINDS", "PERIOD_PATTERN", "parse_period", "period_bounds"]


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?:19|20)\d{2}"
_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
_RANGE_SEP = r"\s*(?:-|–|—|s\.?\s*/?\s*d\.?|sd|sampai(?:\s+dengan)?|hingga|to|until)\s*"
_CANONICAL = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<s>s[12])|(?P<q>q[1-4])|(?P<m>0[1-9]|1[0-2])))?$")
_SEMESTER = re.compile(r"(?<![a-z])(?:semester|smt|sem|s)\s*[-.]?\s*(ii|i|1|2)(?![a-z0-9])")
_QUARTER = re.compile(
    r"(?<![a-z])(?:triwulan|trw|tw|kuartal|kwartal|quarter|q)\s*[-.]?\s*(iv|iii|ii|i|[1-4])(?![a-z0-9])"
)
_YEAR_WORD = re.compile(r"^(?:tahun(?:an)?|annual|year(?:ly)?|periode\s+tahun(?:an)?)?\s*(" + _YEAR + r")$")
_MONTH_RANGE = re.compile(
    r"^(?:bulan\s+)?(?P<m1>"
    + _MONTH_WORD
    + r")\.?(?:\s+(?P<y1>"
    + _YEAR
    + r"))?"
    + _RANGE_SEP
    + r"(?P<m2>"
    + _MONTH_WORD
    + r")\.?\s+(?P<y2>"
    + _YEAR
    + r")$"
)
_ONE_MONTH = re.compile(r"^(?:bulan\s+)?(?P<m>" + _MONTH_WORD + r")\.?\s*[-/,]?\s*(?P<y>" + _YEAR + r")$")
_NUM_MONTH = re.compile(
    r"^(?:(?P<m1>0?[1-9]|1[0-2])[/\-.](?P<y1>" + _YEAR + r")|(?P<y2>" + _YEAR + r")[/.](?P<m2>0?[1-9]|1[0-2]))$"
)
_DATE = r"(\d{1,2})[/.\-](\d{1,2})[/.\-](" + _YEAR + r")|(\d{1,2})\s+(" + _MONTH_WORD + r")\.?\s+(" + _YEAR + r")"
_DATE_RANGE = re.compile(r"^(?:" + _DATE + r")" + _RANGE_SEP + r"(?:" + _DATE + r")$")


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period: ``period_bounds("quarter", 2025, 2)`` -> 1 April and 30 June 2025.

    Examples
    --------
    >>> [str(d.date()) for d in period_bounds("semester", 2025, 2)]
    ['2025-07-01', '2025-12-31']
    """
    months = {"year": 12, "semester": 6, "quarter": 3, "month": 1}[kind]
    first = pd.Timestamp(year, (number - 1) * months + 1, 1)
    last = first + pd.offsets.MonthEnd(months)
    return first, last


def _label(kind: str, year: int, number: int) -> str:
    if kind == "year":
        return f"{year}"
    if kind == "semester":
        return f"{year}-S{number}"
    if kind == "quarter":
        return f"{year}-Q{number}"
    return f"{year}-{number:02d}"


def _from_months(first: int, last: int) -> tuple[str | None, int, int, str | None]:
    """Period of the whole months ``first``..``last`` (month indexes): ``(kind, year, number, rule)``."""
    if last < first:
        return None, 0, 0, "period_range_unaligned"
    year, m0 = divmod(first, 12)
    span = last - first + 1
    for kind, months in (("year", 12), ("semester", 6), ("quarter", 3), ("month", 1)):
        if span == months and m0 % months == 0:
            return kind, year, m0 // months + 1, None
    return None, 0, 0, "period_range_unaligned"


def _date(groups: tuple) -> pd.Timestamp | None:
    d, m, y, d2, mname, y2 = groups
    try:
        if d is not None:
            return pd.Timestamp(int(y), int(m), int(d))
        return pd.Timestamp(int(y2), MONTHS[mname], int(d2))
    except (ValueError, KeyError):
        return None


def _one(text: str) -> tuple[str | None, int, int, str | None]:
    """``(kind, year, number, rule)`` of one normalised value (rule ``value_unknown`` when unreadable)."""
    m = _CANONICAL.match(text)
    if m:
        y = int(m.group("y"))
        if m.group("s"):
            return "semester", y, int(m.group("s")[1]), None
        if m.group("q"):
            return "quarter", y, int(m.group("q")[1]), None
        if m.group("m"):
            return "month", y, int(m.group("m")), None
        return "year", y, 1, None
    m = _YEAR_WORD.match(text)
    if m:
        return "year", int(m.group(1)), 1, None
    m = _MONTH_RANGE.match(text)
    if m:
        y2 = int(m.group("y2"))
        y1 = int(m.group("y1")) if m.group("y1") else y2
        return _from_months(_month_index(y1, MONTHS[m.group("m1")]), _month_index(y2, MONTHS[m.group("m2")]))
    m = _DATE_RANGE.match(text)
    if m:
        a, b = _date(m.groups()[:6]), _date(m.groups()[6:])
        if a is None or b is None:
            return None, 0, 0, "value_unknown"
        if a.day != 1 or b != b + pd.offsets.MonthEnd(0):  # not whole months
            return None, 0, 0, "period_range_unaligned"
        return _from_months(_month_index(a.year, a.month), _month_index(b.year, b.month))
    m = _ONE_MONTH.match(text)
    if m:
        return "month", int(m.group("y")), MONTHS[m.group("m")], None
    m = _NUM_MONTH.match(text)
    if m:
        y = int(m.group("y1") or m.group("y2"))
        return "month", y, int(m.group("m1") or m.group("m2")), None
    years = re.findall(_YEAR, text)
    if len(years) != 1:
        return None, 0, 0, "value_unknown"
    rest = text.replace(years[0], " ")
    sem, qua = _SEMESTER.search(rest), _QUARTER.search(rest)
    if sem and not qua:
        return "semester", int(years[0]), _ROMAN[sem.group(1)], None
    if qua and not sem:
        return "quarter", int(years[0]), _ROMAN[qua.group(1)], None
    return None, 0, 0, "value_unknown"


def _normalise(value: str) -> str:
    t = unicodedata.normalize("NFKC", value).lower()
    t = re.sub(r"\s+", " ", t).strip(" .,;:")
    return re.sub(r"^(?:periode|period|masa penilaian)\s*[:\-]?\s*", "", t)


def parse_period(values: pd.Series, *, values_map: Mapping | None = None) -> pd.DataFrame:
    """Canonical periods that keep their kind, with their first and last days.

    Parameters
    ----------
    values : pandas.Series
        Raw period text (see the module docstring for the forms read).
    values_map : mapping, optional
        A dataset.yml value map (raw text -> period text), applied first.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``period`` (``"2025"``, ``"2025-S2"``, ``"2025-Q3"``, ``"2025-03"``), ``period_kind``
        (``year``/``semester``/``quarter``/``month``), ``period_start`` and ``period_end`` (datetime64: first and
        last day) and ``rule`` (``"value_unknown"``, ``"period_range_unaligned"``, ``"missing_value"`` or missing).

    Examples
    --------
    >>> import pandas as pd
    >>> r = parse_period(pd.Series(["Triwulan II 2025", "TW 4 2025", "Semester II 2025", "Smt 1 2026", "Maret 2025",
    ...                             "Januari–Juni 2025", "Tahunan 2025", "2025-Q3", "Februari-April 2025", "II 2025"]))
    >>> r["period"].tolist()
    ['2025-Q2', '2025-Q4', '2025-S2', '2026-S1', '2025-03', '2025-S1', '2025', '2025-Q3', <NA>, <NA>]
    >>> r["period_kind"].tolist()[:7]
    ['quarter', 'quarter', 'semester', 'semester', 'month', 'semester', 'year']
    >>> r["period_end"].dt.strftime("%Y-%m-%d").tolist()[:3]
    ['2025-06-30', '2025-12-31', '2025-12-31']
    >>> r["rule"].tolist()[-2:]
    ['period_range_unaligned', 'value_unknown']
    """
    s = pd.Series(values, copy=False).astype("string").str.strip()
    if values_map:
        look = {str(k).strip().lower(): str(v) for k, v in values_map.items()}
        s = s.str.lower().map(look).astype("string").fillna(s)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    labels, kinds, starts, ends, rules = [], [], [], [], []
    for u in uniques:
        text = _normalise(str(u))
        if not text:
            kind, year, number, rule = None, 0, 0, "missing_value"
        else:
            kind, year, number, rule = _one(text)
        if kind is None:
            labels.append(None), kinds.append(None), starts.append(pd.NaT), ends.append(pd.NaT), rules.append(rule)
            continue
        first, last = period_bounds(kind, year, number)
        labels.append(_label(kind, year, number)), kinds.append(kind), starts.append(first), ends.append(last)
        rules.append(None)
    idx = np.where(codes < 0, len(labels), codes)
    start = pd.DatetimeIndex(starts + [pd.NaT]).to_numpy(dtype="datetime64[ns]")[idx]
    end = pd.DatetimeIndex(ends + [pd.NaT]).to_numpy(dtype="datetime64[ns]")[idx]
    return pd.DataFrame(
        {
            "period": take_strings(labels, codes, index=s.index),
            "period_kind": take_strings(kinds, codes, index=s.index),
            "period_start": pd.Series(start, index=s.index),
            "period_end": pd.Series(end, index=s.index),
            "rule": take_strings(rules + ["missing_value"], idx, index=s.index),
        },
        index=s.index,
    )
