"""One result shape for every statistic: building it, adjusting p-values, checking input columns.

Every analysis and measurement function returns :func:`tidy` output: one row per estimate, scalar cells, the
columns of :data:`RESULT_COLUMNS` that apply (in that order), then any function-specific columns.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError

RESULT_COLUMNS = (
    "region",
    "group",
    "group_a",
    "group_b",
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "ci_level",
    "statistic",
    "df",
    "df1",
    "df2",
    "p",
    "p_adj",
    "effect_size",
    "effect_size_name",
    "n",
    "n_obs",
    "method",
)
PADJUST_METHODS = ("holm", "bonferroni", "fdr_bh", "none")
ALTERNATIVES = ("two-sided", "greater", "less")


def tidy(
    rows: Sequence[Mapping] | pd.DataFrame, *, extra: Iterable[str] = (), ci_level: float | None = None
) -> pd.DataFrame:
    """Build a result DataFrame: the :data:`RESULT_COLUMNS` present in ``rows`` in canonical order, then ``extra``.

    Columns of ``rows`` that are neither canonical nor listed in ``extra`` raise, so a typo cannot create a column
    that the report layer silently ignores. ``ci_level`` (e.g. ``0.95``, that is ``1 - alpha``) is written to the
    ``ci_level`` column of every row that has an interval (``ci_low`` or ``ci_high`` not missing), so a result says
    the level of its own intervals; rows without one get NaN.

    The meaning of the shared columns (docs/conventions.md): ``region`` a Kemendagri region code and only that,
    ``group`` the level of any other grouping (``between``) column, ``group_a``/``group_b`` the two levels of a
    pairwise comparison, ``n`` the number of people behind the row, ``n_obs`` the number of rows (observations,
    e.g. person-periods) where that differs from ``n``.
    """
    extra = list(extra)
    if isinstance(rows, pd.DataFrame):
        return _tidy_frame(rows, extra, ci_level)
    rows = list(rows)
    if not rows or not all(type(r) is dict for r in rows):
        return _tidy_frame(pd.DataFrame(rows), extra, ci_level)
    # a list of dicts (what the analyses build): the frame is built column by column in its final order, each column
    # given the dtype pandas' own list-of-dicts constructor infers for it, instead of inferring every cell of a
    # row-wise object array and then selecting the columns (≈1/10 of the time on the calls of page 01)
    keys: dict = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    _check_known(keys, extra)
    if ci_level is not None and ("ci_low" in keys or "ci_high" in keys):
        keys.setdefault("ci_level")
    columns: dict = {}
    rest = []
    for c in _ordered(keys, extra):
        if c == "ci_level" and ci_level is not None and ("ci_low" in keys or "ci_high" in keys):
            columns[c] = None  # written below, from the interval columns
            continue
        values = [r.get(c, np.nan) for r in rows]
        array = _column(values)
        if array is None:
            rest.append(c)
        columns[c] = array
    if rest:  # anything else (None, mixed types, dates, ...): pandas' own constructor on those columns
        other = pd.DataFrame(rows, columns=rest)
        for c in rest:
            columns[c] = other[c].array
    if "ci_level" in columns and columns["ci_level"] is None:
        has = np.zeros(len(rows), dtype=bool)
        for c in ("ci_low", "ci_high"):
            if c in columns:
                has |= _has_value(columns[c])
        columns["ci_level"] = np.where(has, float(ci_level), np.nan)
    return pd.DataFrame(columns)


_INT64_MAX = 2**63 - 1
_EXACT_INT = 2**53


def _column(values: list) -> np.ndarray | None:
    """The array pandas' list-of-dicts constructor makes of one column's values, for the common cases (all floats,
    all ints, ints with floats, all booleans, all text); None for anything else."""
    kinds = set(map(type, values))
    if kinds <= {float, np.float64}:
        return np.array(values, dtype=np.float64)
    if kinds <= {int, np.int64}:
        if all(-_INT64_MAX <= v <= _INT64_MAX for v in values):
            return np.array(values, dtype=np.int64)
        return None
    if kinds <= {float, np.float64, int, np.int64}:
        if all(-_EXACT_INT <= v <= _EXACT_INT for v in values if type(v) is int or type(v) is np.int64):
            return np.array(values, dtype=np.float64)
        return None
    if kinds <= {bool, np.bool_}:
        return np.array(values, dtype=bool)
    if kinds == {str}:
        return pd.array(values, dtype=_STR)
    return None


_STR = pd.Series(["a"]).dtype  # the dtype pandas infers for text (pandas 3: "str")


def _has_value(array) -> np.ndarray:
    """Which cells of an interval column hold a number (as ``pd.to_numeric(errors="coerce").notna()``)."""
    if isinstance(array, np.ndarray) and array.dtype.kind in "fiub":
        return ~pd.isna(array)
    return pd.to_numeric(pd.Series(array), errors="coerce").notna().to_numpy()


def _check_known(columns: Iterable, extra: list) -> None:
    unknown = [c for c in columns if c not in RESULT_COLUMNS and c not in extra]
    if unknown:
        raise ValueError(f"result columns {unknown} are not in the result shape; pass them as extra=")


def _ordered(columns, extra: list) -> list:
    return [c for c in RESULT_COLUMNS if c in columns] + [c for c in extra if c in columns]


def _tidy_frame(df: pd.DataFrame, extra: list, ci_level: float | None) -> pd.DataFrame:
    """:func:`tidy` of a DataFrame (a shallow copy: the caller's frame is never changed)."""
    if ci_level is not None and ({"ci_low", "ci_high"} & set(df.columns)):
        has = np.zeros(len(df), dtype=bool)
        for c in ("ci_low", "ci_high"):
            if c in df.columns:
                col = df[c]
                if pd.api.types.is_numeric_dtype(col.dtype):
                    has |= col.notna().to_numpy()
                else:
                    has |= pd.to_numeric(col, errors="coerce").notna().to_numpy()
        df = df.copy(deep=False)
        df["ci_level"] = np.where(has, float(ci_level), np.nan)
    _check_known(df.columns, extra)
    return df[_ordered(df.columns, extra)].reset_index(drop=True)


def group_column(between: str | None) -> str:
    """Result column that holds the levels of a grouping column: ``region`` for ``region_code`` (a Kemendagri code),
    ``group`` for any other column.

    >>> group_column("region_code"), group_column("golongan")
    ('region', 'group')
    """
    return "region" if between == "region_code" else "group"


def adjust_p(p: Sequence[float] | pd.Series, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons (as R ``p.adjust``); NaN stays NaN and is not counted."""
    check_choice("padjust", method, PADJUST_METHODS)
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    q = p[ok]
    if method == "none":
        adj = q
    elif method == "bonferroni":
        adj = np.minimum(q * m, 1.0)
    elif method == "holm":
        order = np.argsort(q, kind="mergesort")
        steps = (m - np.arange(m)) * q[order]
        adj_sorted = np.minimum(np.maximum.accumulate(steps), 1.0)
        adj = np.empty(m)
        adj[order] = adj_sorted
    else:  # fdr_bh (R "BH")
        order = np.argsort(q, kind="mergesort")[::-1]
        ranks = m - np.arange(m)
        steps = m / ranks * q[order]
        adj_sorted = np.minimum(np.minimum.accumulate(steps), 1.0)
        adj = np.empty(m)
        adj[order] = adj_sorted
    out[ok] = adj
    return out


def check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    """Raise a one-sentence error when a keyword has a value outside its allowed set."""
    if value not in choices:
        raise KinerjaError(f"Argument '{name}' is {value!r}; the rule is that it must be one of {list(choices)}.")


def check_columns(data: pd.DataFrame, columns: Iterable[str | None], *, what: str = "data") -> None:
    """Raise a one-sentence error naming each missing column and the closest columns present."""
    if not isinstance(data, pd.DataFrame):
        raise KinerjaError(f"{what} must be a pandas DataFrame, got {type(data).__name__}.")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        present = [str(c) for c in data.columns]
        hints = []
        for c in missing:
            close = difflib.get_close_matches(str(c), present, n=3, cutoff=0.5)
            hints.append(f"'{c}'" + (f" (closest: {', '.join(close)})" if close else ""))
        raise KinerjaError(f"{what} has no column {', '.join(hints)}; the rule is that these columns are required.")


def check_alpha(alpha: float) -> None:
    """Raise when ``alpha`` is not strictly between 0 and 1."""
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise KinerjaError(f"Argument 'alpha' is {alpha!r}; the rule is 0 < alpha < 1.")


def _py(value):
    """A numpy scalar as the plain Python value, for error messages."""
    return value.item() if hasattr(value, "item") else value


def check_numeric(data: pd.DataFrame, column: str, *, what: str = "data") -> np.ndarray:
    """The column as a float array; a value that is not a number (text such as ``"3,5"`` or ``"tinggi"``) raises a
    one-sentence error naming the first bad row, the column and the value. Missing values stay NaN."""
    col = data[column]
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return col.to_numpy(dtype=float, na_value=np.nan)
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna() & col.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise KinerjaError(
            f"{what} row {i + 1}, column '{column}', value {_py(col.iloc[i])!r}: the rule is that "
            f"'{column}' must be numeric."
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


def check_number(name: str, value: object, *, integer: bool = False) -> float:
    """A keyword argument as a float; text, booleans and (with ``integer``) non-whole numbers raise."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if ok and integer:
        ok = float(value) == round(float(value))
    if not ok or not np.isfinite(float(value)):
        rule = "a whole number" if integer else "a finite number"
        raise KinerjaError(f"Argument '{name}' is {value!r}; the rule is that it must be {rule}.")
    return float(value)


MAX_TEXT_LEVELS = 20
# Canonical columns that are codes or labels by definition (docs/architecture.md), factors whatever they look like:
# region_code "18.71" parses as a number but is a Kemendagri code, at national scale with 514 levels.
CATEGORICAL_COLUMNS = frozenset(
    {
        "region_code",
        "agency",
        "service_unit",
        "golongan",
        "period",
        "wave",
        "education",
        "gender",
        "course",
        "person_id",
        "respondent_id",
        "predikat",
        "rating_hasil_kerja",
        "rating_perilaku",
    }
)


def check_not_numeric_text(data: pd.DataFrame, columns: Iterable[str], *, what: str = "data") -> None:
    """Raise when a predictor is a text column whose every value is a number and which has more than
    :data:`MAX_TEXT_LEVELS` distinct values: numbers stored as text (``"72.5"``), which a model would otherwise turn
    silently into one dummy column per distinct value. Short code-like text columns (``region_code`` ``"18.71"``)
    and pandas Categorical columns (a declared factor) pass, as do the canonical code columns
    (:data:`CATEGORICAL_COLUMNS`)."""
    for c in columns:
        if c in CATEGORICAL_COLUMNS:
            continue
        s = data[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
        ):
            continue
        present = s.dropna()
        if present.empty or pd.to_numeric(present, errors="coerce").isna().any():
            continue
        k = present.nunique()
        if k > MAX_TEXT_LEVELS:
            raise KinerjaError(
                f"{what} column '{c}' holds numbers stored as text (e.g. {_py(present.iloc[0])!r}, {k} "
                f"distinct values); the rule is that a numeric predictor must have a numeric type "
                f"(convert it with pandas.to_numeric, or to a Categorical if it is a code) rather than "
                f"becoming {k - 1} dummy columns."
            )
