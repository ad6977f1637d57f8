"""Numbers with Indonesian separators and dates with Indonesian month names, vectorised.

Numbers: ``"1.250.000,50"``, ``"87,5%"``, ``"Rp 4.500.000"``, ``"87.5"``. Dates: ISO (``2025-03-12 10:15:30``),
``"12 Maret 2025"``, ``"12-Mar-2025"``, ``"12/03/2025"`` (day/month order decided from the column's own evidence or
stated in dataset.yml, never guessed), Google Forms stamps (``"2025/03/12 10:15:30 AM GMT+7"``) and Excel serial
numbers (``45728``). Every value that cannot be read gets a rule instead of a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kinerja_research._arrays import take_strings
from kinerja_research.clean._factor import factorize_text

__all__ = ["parse_number", "parse_date", "parse_bool", "MONTHS"]

#: Month names and abbreviations (Indonesian and English) -> month number.
MONTHS = {
    "januari": 1,
    "january": 1,
    "jan": 1,
    "februari": 2,
    "february": 2,
    "feb": 2,
    "peb": 2,
    "pebruari": 2,
    "maret": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "agustus": 8,
    "august": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "december": 12,
    "des": 12,
    "dec": 12,
}


def parse_number(values: pd.Series, *, decide: Callable | None = None) -> pd.DataFrame:
    """Read numbers written with Indonesian or English separators.

    Parameters
    ----------
    values : pandas.Series
        Raw text (or numbers, passed through).
    decide : callable, optional
        ``decide("number_comma", uses_comma, matters) -> bool`` (``matters``: this part has values the decision
        changes): the column's decision whether it writes decimal commas (which
        makes ``"1.250"`` ambiguous), given this part's evidence; the clean step passes one that decides over the
        whole table column when it is cleaned in parts. Default: this column's own evidence.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``value`` (float) and ``rule``: ``"decimal_comma"`` (read, with a decimal comma: a note),
        ``"ambiguous_number"`` (``"1.250"`` in a column that also has decimal commas: read as 1250, reported),
        ``"not_a_number"`` (unreadable: missing), ``"missing_value"`` or missing when fine.

    Notes
    -----
    A value with both ``.`` and ``,`` takes the last one as the decimal mark. A value with only ``,`` uses it as
    decimal mark unless it has groups of exactly three digits (``"1,250,000"``). A value with only ``.`` is a decimal
    point, unless it is a currency amount (``Rp``) or has two or more groups of three (``"1.250.000"``). ``%``, ``Rp``
    and spaces are removed.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_number(pd.Series(["1.250.000,50", "87,5%", "Rp 4.500.000", "87.5", "abc", None])).values.tolist()
    [[1250000.5, 'decimal_comma'], [87.5, 'decimal_comma'], [4500000.0, <NA>], [87.5, <NA>], \
[nan, 'not_a_number'], [nan, 'missing_value']]
    """
    s = pd.Series(values, copy=False)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        v = s.astype(float)
        return pd.DataFrame(
            {"value": v, "rule": pd.Series(np.where(v.isna(), "missing_value", None), dtype="string", index=s.index)},
            index=s.index,
        )
    codes, uniques = factorize_text(s.astype("string"))
    u = pd.Series(uniques, dtype="string").str.strip()
    money = u.str.contains(r"^(?:rp\.?|idr)", case=False, regex=True).to_numpy()
    t = u.str.replace(r"(?i)^(?:rp\.?|idr)|%|\s", "", regex=True)
    neg = t.str.startswith("-") | t.str.startswith("(")
    t = t.str.replace(r"^[-(]|\)$", "", regex=True)
    has_dot = t.str.contains(".", regex=False).to_numpy()
    has_comma = t.str.contains(",", regex=False).to_numpy()
    rule = np.full(len(u), None, dtype=object)
    last_comma = t.str.rfind(",").to_numpy() > t.str.rfind(".").to_numpy()
    both = has_dot & has_comma
    comma_only = has_comma & ~has_dot
    dot_only = has_dot & ~has_comma
    comma_groups = t.str.fullmatch(r"\d{1,3}(,\d{3})+").to_numpy()
    dot_groups2 = t.str.fullmatch(r"\d{1,3}(\.\d{3}){2,}").to_numpy()
    dot_group1 = t.str.fullmatch(r"\d{1,3}\.\d{3}").to_numpy()
    column_uses_comma = bool((comma_only & ~comma_groups).any() | (both & last_comma).any())
    if decide is not None:  # the decision changes only values such as "1.250" (not money)
        column_uses_comma = bool(
            decide("number_comma", column_uses_comma, bool((dot_only & dot_group1 & ~money).any()))
        )
    dec_comma = (both & last_comma) | (comma_only & ~comma_groups)
    thousands_dot = dec_comma | (dot_only & (money | dot_groups2 | (dot_group1 & column_uses_comma)))
    std = t.copy()
    std = std.where(~pd.Series(thousands_dot), std.str.replace(".", "", regex=False))
    std = std.where(~pd.Series(dec_comma), std.str.replace(",", ".", regex=False))
    std = std.where(pd.Series(dec_comma | thousands_dot), std.str.replace(",", "", regex=False))
    num = pd.to_numeric(std, errors="coerce").to_numpy(dtype=float)
    num = np.where(neg.fillna(False).to_numpy(), -num, num)
    rule[dec_comma] = "decimal_comma"
    rule[dot_only & dot_group1 & column_uses_comma & ~money] = "ambiguous_number"
    empty = (t.fillna("") == "").to_numpy()
    rule[np.isnan(num) & ~empty] = "not_a_number"
    rule[empty] = "missing_value"
    vals = np.append(num, np.nan)
    rules = np.append(rule, "missing_value")
    idx = np.where(codes < 0, len(u), codes)
    return pd.DataFrame({"value": vals[idx], "rule": take_strings(list(rules), idx, index=s.index)}, index=s.index)


_TIME = (
    r"(?:[ T,]+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?(?:\.\d+)?\s*(?P<ampm>[AaPp][Mm])?)?"
    r"(?:\s*(?:GMT|UTC|WIB|WITA|WIT|Z)[+\-]?\d{0,2}(?::?\d{2})?)?\s*$"
)
_ISO = r"^(?P<a>\d{4})[-/](?P<b>\d{1,2})[-/](?P<c>\d{1,2})" + _TIME
_NUM = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{4})" + _TIME
_NAME = r"^(?P<a>\d{1,2})[\s\-/]+(?P<b>[A-Za-z]+)\.?[\s\-/,]+(?P<c>\d{4}|\d{2})" + _TIME


def _extract(values, pattern: str, todo: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Named groups of ``pattern`` (pyarrow's RE2, vectorised) for the values where ``todo`` is true:
    ``{group: object array}`` over all values, None where no match or not looked at."""
    n = len(values)
    sel = np.flatnonzero(todo) if todo is not None else np.arange(n)
    out = {"_ok": np.zeros(n, dtype=bool)}
    for name in ("a", "b", "c", "H", "M", "S", "ampm"):
        out[name] = np.full(n, None, dtype=object)
    if sel.size == 0:
        return out
    arr = pa.array(values[sel], type=pa.string())
    st = pc.extract_regex(arr, pattern=pattern)
    ok = st.is_valid().to_numpy(zero_copy_only=False)
    out["_ok"][sel] = ok
    for name in ("a", "b", "c", "H", "M", "S", "ampm"):
        f = pc.struct_field(st, name).to_numpy(zero_copy_only=False)
        out[name][sel] = np.where(ok, f, None)
    return out


def _int(values: np.ndarray) -> np.ndarray:
    """Digit strings (None or "" = 0) to int64, through pyarrow's cast."""
    arr = pa.array(values, type=pa.string())
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pc.fill_null(pc.cast(arr, pa.int64()), 0).to_numpy(zero_copy_only=False).astype(np.int64)


def _format_back(got, layout: str):
    """``pc.strftime(got, format=layout)`` for layouts made of ``%Y %m %d %H %M %S`` and literal text, built from
    zero-padded components with vectorised string kernels (several times faster than strftime); years outside
    1000-9999 (not four digits) fall back to strftime itself."""
    if got.null_count == len(got):  # nothing parsed: nothing to print
        return pa.nulls(len(got), type=pa.string())
    year = pc.year(got)
    odd = pc.any(pc.or_(pc.less(year, 1000), pc.greater(year, 9999))).as_py()
    tokens = [t for t in re.split(r"(%[YmdHMS])", layout) if t]
    if (
        odd
        or any(t.startswith("%") and t not in _DIRECTIVES for t in tokens)
        or "%" in "".join(t for t in tokens if t not in _DIRECTIVES)
    ):
        return pc.strftime(got, format=layout)

    def pad(x, width):
        return pc.utf8_lpad(pc.cast(x, pa.string()), width=width, padding="0")

    parts = {
        "%Y": lambda: pad(year, 4),
        "%m": lambda: pad(pc.month(got), 2),
        "%d": lambda: pad(pc.day(got), 2),
        "%H": lambda: pad(pc.hour(got), 2),
        "%M": lambda: pad(pc.minute(got), 2),
        "%S": lambda: pad(pc.second(got), 2),
    }
    pieces = [parts[t]() if t in _DIRECTIVES else pa.scalar(t, type=pa.string()) for t in tokens]
    if len(pieces) == 1:
        return pieces[0]
    return pc.binary_join_element_wise(*pieces, "")


_DIRECTIVES = ("%Y", "%m", "%d", "%H", "%M", "%S")


@dataclass
class _Dates:
    """Per distinct value: the date parts found so far, the format each was written in and its rule."""

    texts: np.ndarray
    y: np.ndarray
    mo: np.ndarray
    d: np.ndarray
    hh: np.ndarray
    mi: np.ndarray
    ss: np.ndarray
    fmt: np.ndarray
    rule: np.ndarray
    fast: np.ndarray

    @classmethod
    def empty(cls, texts: np.ndarray) -> _Dates:
        n = len(texts)
        minus = lambda: np.full(n, -1, dtype=np.int64)  # noqa: E731
        zero = lambda: np.zeros(n, dtype=np.int64)  # noqa: E731
        return cls(
            texts,
            minus(),
            minus(),
            minus(),
            zero(),
            zero(),
            zero(),
            np.full(n, "", dtype=object),
            np.full(n, None, dtype=object),
            np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        )

    def take(self, m: dict, ok: np.ndarray, y, mo, d, fmt: str) -> None:
        """Store the parts of the values where ``ok`` (``y``, ``mo``, ``d`` for those values) and their time."""
        self.y[ok], self.mo[ok], self.d[ok] = y, mo, d
        h = _int(m["H"][ok])
        pm = np.array([str(x).lower() if x else "" for x in m["ampm"][ok]], dtype=object)
        h = np.where((pm == "pm") & (h < 12), h + 12, np.where((pm == "am") & (h == 12), 0, h))
        self.hh[ok] = h
        self.mi[ok] = _int(m["M"][ok])
        self.ss[ok] = _int(m["S"][ok])
        self.fmt[ok] = fmt


def _dates_as_given(s: pd.Series) -> pd.DataFrame:
    """A column that is already datetimes: time zone dropped, missing values noted."""
    v = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
    return pd.DataFrame(
        {
            "value": v.astype("datetime64[ns]"),
            "rule": pd.Series(np.where(v.isna(), "missing_value", None), dtype="string", index=s.index),
        },
        index=s.index,
    )


def _step_fast_layouts(st: _Dates, dayfirst: bool | None) -> None:
    """Fast path (pyarrow strptime, C++) for the common exact layouts; everything else goes through the patterns."""
    layouts = [("%Y-%m-%d %H:%M:%S", "iso"), ("%Y-%m-%d %H:%M", "iso"), ("%Y-%m-%d", "iso")]
    if dayfirst is not None:
        dm = "%d/%m/%Y" if dayfirst else "%m/%d/%Y"
        layouts += [(dm + " %H:%M:%S", "numeric"), (dm + " %H:%M", "numeric"), (dm, "numeric")]
    arr = pa.array(st.texts, type=pa.string())
    for layout, kind in layouts:
        todo = np.flatnonzero(st.fmt == "")
        if todo.size == 0:
            break
        sub = arr.take(pa.array(todo))
        got = pc.strptime(sub, format=layout, unit="s", error_is_null=True)
        # strptime rolls 31/02 over into March: accept only values that print back exactly as written
        back = _format_back(got, layout)
        ok_fast = pc.fill_null(pc.equal(back, sub), False).to_numpy(zero_copy_only=False)
        if ok_fast.any():
            st.fast[todo[ok_fast]] = got.to_numpy(zero_copy_only=False)[ok_fast].astype("datetime64[ns]")
            st.fmt[todo[ok_fast]] = kind


def _step_iso(st: _Dates, starts_with_year: np.ndarray) -> None:
    m = _extract(st.texts, _ISO, starts_with_year & (st.fmt == ""))
    ok = m["_ok"]
    if ok.any():
        st.take(m, ok, _int(m["a"][ok]), _int(m["b"][ok]), _int(m["c"][ok]), "iso")


def _step_numeric(st: _Dates, dayfirst: bool | None, decide: Callable | None = None) -> None:
    """``dd/mm/yyyy`` or ``mm/dd/yyyy``: the order from ``dayfirst`` or the column's own evidence, never guessed."""
    m = _extract(st.texts, _NUM, st.fmt == "")
    ok = m["_ok"] & (st.fmt == "")
    if not ok.any():
        return
    a, b = _int(m["a"][ok]), _int(m["b"][ok])
    if dayfirst is None:
        day_ev, month_ev = bool((a > 12).any()), bool((b > 12).any())
        order = True if day_ev and not month_ev else False if month_ev and not day_ev else None
        if decide is not None:  # the decision changes only values whose day and month differ
            order = decide("date_order", (day_ev, month_ev), bool((a != b).any()))
    else:
        order = bool(dayfirst)
    if order is None:
        st.rule[np.flatnonzero(ok)[a != b]] = "date_ambiguous"
        dd, mm = a, b
    else:
        dd, mm = (a, b) if order else (b, a)
    st.take(m, ok, _int(m["c"][ok]), mm, dd, "numeric")


def _step_month_name(st: _Dates) -> None:
    """``12 Maret 2025``, ``12-Mar-25``: Indonesian or English month names and abbreviations."""
    m = _extract(st.texts, _NAME, st.fmt == "")
    ok = m["_ok"] & (st.fmt == "")
    if not ok.any():
        return
    mon = pd.Series(m["b"][ok], dtype="string").str.lower().map(MONTHS)
    yy = _int(m["c"][ok])
    st.take(
        m, ok, np.where(yy < 100, 2000 + yy, yy), mon.fillna(-1).astype(int).to_numpy(), _int(m["a"][ok]), "month_name"
    )


def _step_assemble(st: _Dates, u: pd.Series) -> pd.Series:
    """Datetimes from the parts found (fast-path values as parsed; Excel serial numbers from 1899-12-30)."""
    serial = u.str.fullmatch(r"\d{5}(?:\.\d+)?").fillna(False).to_numpy(dtype=bool) & (st.fmt == "")
    ser_val = pd.to_numeric(u.where(serial), errors="coerce").to_numpy(dtype=float)
    parts = pd.DataFrame({"year": st.y, "month": st.mo, "day": st.d, "hour": st.hh, "minute": st.mi, "second": st.ss})
    parts = parts.where(parts >= 0)
    dt = pd.to_datetime(parts, errors="coerce").astype("datetime64[ns]")
    done_fast = ~np.isnat(st.fast)
    dt = dt.where(~done_fast, pd.Series(st.fast))
    sv = pd.Series(pd.Timestamp("1899-12-30") + pd.to_timedelta(np.nan_to_num(ser_val), unit="D")).astype(
        "datetime64[ns]"
    )
    dt = dt.where(~serial, sv.dt.round("s"))
    st.fmt[serial] = "excel_serial"
    return dt.where(~pd.Series(st.rule == "date_ambiguous"))


def _step_rules(st: _Dates, dt: pd.Series, u: pd.Series, codes: np.ndarray, decide: Callable | None = None) -> None:
    """Rules: invalid, missing, and format notes (values read fine but written in another format than the column's
    most common one, by rows)."""
    n = len(u)
    empty = (u.fillna("") == "").to_numpy()
    st.rule[dt.isna().to_numpy() & ~empty & (st.rule == None)] = "date_invalid"  # noqa: E711
    st.rule[empty] = "missing_value"
    ok_fmt = (st.rule == None) & (st.fmt != "")  # noqa: E711
    if ok_fmt.any():
        counts = pd.Series(np.bincount(np.where(codes < 0, n, codes), minlength=n + 1)[:n])
        weights = pd.Series(counts.to_numpy()[ok_fmt]).groupby(st.fmt[ok_fmt]).sum()
        main = weights.sort_index().idxmax()
        if decide is not None:
            main = decide("date_main", {str(k): int(v) for k, v in weights.items()})
        st.rule[ok_fmt & (st.fmt != main)] = "date_format"


def parse_date(values: pd.Series, *, dayfirst: bool | None = None, decide: Callable | None = None) -> pd.DataFrame:
    """Read dates and timestamps written the ways Indonesian files write them.

    Parameters
    ----------
    values : pandas.Series
        Raw text, or datetimes / Excel serial numbers.
    dayfirst : bool, optional
        Order of ``dd/mm/yyyy`` vs ``mm/dd/yyyy``. Default: decided by the column itself (a first part above 12 means
        day first, a second part above 12 means month first); when the column gives no evidence, values whose day and
        month differ are ``date_ambiguous`` (missing), never guessed. Say it in dataset.yml (``options: {dayfirst:
        true}``) to read them.
    decide : callable, optional
        ``decide(rule, evidence, matters=True)``: the column's decisions given this part's evidence -- ``"date_order"`` with
        ``(day first seen, month first seen)`` returns True, False or None (no evidence); ``"date_main"`` with
        ``{format: rows}`` returns the column's main format. The clean step passes one that decides over the whole
        table column when it is cleaned in parts. Default: this column's own evidence.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``value`` (datetime64) and ``rule``: ``"date_format"`` (read, but written in another
        format than most of the column: a note), ``"date_ambiguous"``, ``"date_invalid"`` (not a date, or an
        impossible one such as 31 February), ``"missing_value"`` or missing when fine.

    Notes
    -----
    Each distinct value is read once, in steps: exact common layouts (pyarrow strptime), then ISO, day/month numeric
    and month-name patterns (pyarrow's vectorised regular expressions), Excel serial numbers, and finally the rules.

    Examples
    --------
    >>> import pandas as pd
    >>> r = parse_date(pd.Series(["2025-03-12", "2025-03-13 10:15:00", "12 Maret 2025", "12-Mar-2025",
    ...                           "31/03/2025", "45728", "31 Februari 2025"]))
    >>> r["value"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-03-12', '2025-03-13', '2025-03-12', '2025-03-12', '2025-03-31', '2025-03-12', nan]
    >>> r["rule"].tolist()
    [<NA>, <NA>, 'date_format', 'date_format', 'date_format', 'date_format', 'date_invalid']
    """
    s = pd.Series(values, copy=False)
    if pd.api.types.is_datetime64_any_dtype(s):
        return _dates_as_given(s)
    codes, uniques = factorize_text(s.astype("string"))
    u = pd.Series(uniques, dtype="string").str.strip()
    st = _Dates.empty(u.to_numpy(dtype=object, na_value=None))
    _step_fast_layouts(st, dayfirst)
    _step_iso(st, u.str.match(r"\d{4}").fillna(False).to_numpy(dtype=bool))
    _step_numeric(st, dayfirst, decide)
    _step_month_name(st)
    dt = _step_assemble(st, u)
    _step_rules(st, dt, u, codes, decide)
    n = len(u)
    vals = np.append(dt.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    rules = np.append(st.rule, "missing_value")
    idx = np.where(codes < 0, n, codes)
    return pd.DataFrame({"value": vals[idx], "rule": take_strings(list(rules), idx, index=s.index)}, index=s.index)


_TRUE = {"ya", "y", "yes", "true", "1", "benar", "sudah", "pernah", "ikut"}
_FALSE = {"tidak", "t", "no", "n", "false", "0", "salah", "belum", "tidak pernah", "tidak ikut", "tdk"}


def parse_bool(values: pd.Series, *, mapping: dict | None = None) -> pd.DataFrame:
    """Read yes/no answers (``Ya``/``Tidak``, ``Yes``/``No``, ``1``/``0``; plus a dataset.yml value map).

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``value`` (boolean) and ``rule`` (``"not_a_boolean"``, ``"missing_value"`` or missing).

    Examples
    --------
    >>> import pandas as pd
    >>> parse_bool(pd.Series(["Ya", "tidak", "mungkin"]))["value"].tolist()
    [True, False, <NA>]
    """
    s = pd.Series(values, copy=False)
    table = {k: True for k in _TRUE} | {k: False for k in _FALSE}
    if mapping:
        table |= {str(k).strip().lower(): v for k, v in mapping.items()}
    codes, uniques = factorize_text(s.astype("string").str.strip().str.lower())
    vals = [table.get(str(u)) if str(u) != "" else None for u in uniques]
    rules = [
        None if v is not None else ("missing_value" if str(u) == "" else "not_a_boolean") for u, v in zip(uniques, vals)
    ]
    idx = np.where(codes < 0, len(vals), codes)
    v_arr = np.array([np.nan if v is None else float(v) for v in vals] + [np.nan])[idx]
    return pd.DataFrame(
        {
            "value": pd.array(v_arr, dtype="Float64").astype("boolean"),
            "rule": take_strings(rules + ["missing_value"], idx, index=s.index),
        },
        index=s.index,
    )
