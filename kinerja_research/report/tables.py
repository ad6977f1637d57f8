"""Presentation of numbers and result tables, done once: rounding, APA p strings, language labels, "<5" cells.

Analyses return unrounded tidy DataFrames (docs/architecture.md, "Result shape"); everything a reader sees goes
through :func:`format_table` (tables) or :func:`format_value` (numbers in prose, via the translation templates).

Conventions
-----------
- English follows APA 7: two decimals, p values with three decimals and no leading zero (``.023``, ``< .001``).
- Indonesian uses the decimal comma and the thousands point (``1.234,56``); p values keep the leading zero, as in
  Indonesian theses and journals (``0,023``, ``< 0,001``); confidence intervals are written ``[a; b]`` because the
  comma is the decimal mark.
- Cells about fewer than ``min_n`` people are blanked by :func:`kinerja_research.privacy.suppress_small_cells` (the
  one suppression function) and shown as ``<5``; the table carries a note saying so.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError

__all__ = ["min_cell_n", "MIN_N_ENV", "format_value", "format_number", "format_int", "format_p", "format_ci",
           "format_table",
           "column_label", "P_COLUMNS", "COUNT_COLUMNS"]

#: Columns formatted as p values.
P_COLUMNS = ("p", "p_adj", "p_unc", "p_value")
#: Columns formatted as integer counts.
COUNT_COLUMNS = ("n", "count", "n_a", "n_b", "n_items", "n_obs", "n_people", "n_rows", "k")
_INT_IF_WHOLE = ("df", "df1", "df2")
_ITEM_ID = re.compile(r"^[A-Z]{1,4}\d{1,3}$")
_REGION_CODE = re.compile(r"^\d{2}(\.\d{2}){0,3}$")


#: Environment variable overriding the small-cell threshold for a whole run (``kinerja report --min-cell``).
MIN_N_ENV = "KINERJA_MIN_CELL_N"


def min_cell_n() -> int:
    """The small-cell threshold: ``KINERJA_MIN_CELL_N`` when set, else :data:`kinerja_research.privacy.MIN_CELL_N`.

    Examples
    --------
    >>> min_cell_n()
    5
    """
    import os

    from kinerja_research.privacy import MIN_CELL_N

    raw = os.environ.get(MIN_N_ENV)
    if not raw:
        return MIN_CELL_N
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise KinerjaError(f"environment variable {MIN_N_ENV} is {raw!r}; the rule is a whole number of at least 1.")
    return n


def _resolve_min_n(min_n):
    return min_cell_n() if isinstance(min_n, str) and min_n == "default" else min_n


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, Real) and math.isnan(value))
    except TypeError:
        return False


def _localise(text: str, lang: str) -> str:
    """Swap the English separators (``1,234.5``) to Indonesian ones (``1.234,5``) when ``lang == "id"``."""
    if lang != "id":
        return text
    return text.translate(str.maketrans({",": ".", ".": ","}))


def format_number(x: Any, digits: int = 2, lang: str = "id") -> str:
    """Format a number with ``digits`` decimals in the report language; missing -> ``"–"``.

    Examples
    --------
    >>> format_number(1234.567, lang="id"), format_number(1234.567, lang="en"), format_number(-0.004, lang="en")
    ('1.234,57', '1,234.57', '0.00')
    """
    if _is_missing(x):
        return "–"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0.00"
    return _localise(text, lang)


def format_int(x: Any, lang: str = "id") -> str:
    """Format a count with a thousands separator (``1.234`` in Indonesian, ``1,234`` in English)."""
    if _is_missing(x):
        return "–"
    return _localise(f"{int(round(float(x))):,d}", lang)


def format_p(p: Any, lang: str = "id", digits: int = 3) -> str:
    """Format a p value: APA style in English (``.023``, ``< .001``), leading zero and comma in Indonesian.

    Examples
    --------
    >>> format_p(0.0234, "en"), format_p(0.00001, "en"), format_p(0.0234, "id"), format_p(0.00001, "id")
    ('.023', '< .001', '0,023', '< 0,001')
    """
    if _is_missing(p):
        return "–"
    p = float(p)
    if not 0 <= p <= 1:
        raise KinerjaError(f"p value {p!r} is outside [0, 1]; the rule is that a p value is a probability.")
    floor = 10 ** -digits
    if p < floor:
        text = f"< {floor:.{digits}f}"
    elif p > 1 - floor:
        text = f"> {1 - floor:.{digits}f}"
    else:
        text = f"{p:.{digits}f}"
    if lang == "en":
        text = text.replace("0.", ".")
    return _localise(text, lang)


def format_ci(low: Any, high: Any, digits: int = 2, lang: str = "id") -> str:
    """Format a confidence interval: ``[0.12, 0.45]`` (English) or ``[0,12; 0,45]`` (Indonesian)."""
    if _is_missing(low) and _is_missing(high):
        return "–"
    sep = "; " if lang == "id" else ", "
    return f"[{format_number(low, digits, lang)}{sep}{format_number(high, digits, lang)}]"


def format_value(value: Any, spec: str = "", lang: str = "id") -> str:
    """Format one value for prose (used by the translation templates).

    ``spec`` is a ``str.format`` spec (``.1f``, ``.0f``, ``,d``) or one of ``p`` (p value), ``P`` (the whole
    expression ``p = .023`` / ``p < .001``), ``n`` (count), ``pct``
    (a proportion 0–1 as a percent with one decimal), ``pct0`` (same, no decimals). Floats without a spec get two
    decimals; strings pass through.

    Examples
    --------
    >>> format_value(0.1234, "pct", "id"), format_value(3.14159, "", "en"), format_value(12, "", "id")
    ('12,3%', '3.14', '12')
    >>> format_value(0.0234, "P", "en"), format_value(0.00001, "P", "id")
    ('p = .023', 'p < 0,001')
    """
    if isinstance(value, str):
        return format(value, spec) if spec not in ("p", "P", "n", "pct", "pct0") else value
    if _is_missing(value):
        return "–"
    if isinstance(value, (bool, np.bool_)):
        from kinerja_research.report.i18n import translator

        return translator(lang)("common.yes" if value else "common.no")
    if spec == "p":
        return format_p(value, lang)
    if spec == "P":
        text = format_p(value, lang)
        return f"p {text}" if text[0] in "<>" else f"p = {text}"
    if spec == "n":
        return format_int(value, lang)
    if spec in ("pct", "pct0"):
        return format_number(100 * float(value), 1 if spec == "pct" else 0, lang) + "%"
    if isinstance(value, (Integral, np.integer)) and not spec:
        return format_int(value, lang)
    if isinstance(value, (Real, np.floating)):
        if not spec:
            return format_number(value, 2, lang)
        text = format(float(value), spec)
        return _localise(text, lang)
    return format(value, spec)


def column_label(column: str, t, *, ns: str | None = None, labels: Mapping[str, str] | None = None,
                 alpha: float = 0.05) -> str:
    """Translated header of a result column.

    Lookup order: ``labels[column]`` (a translation key), ``<ns>.col.<column>``, ``common.col.<column>``. Codebook
    item ids (``RTC01``) are shown as they are. Anything else raises, so a raw column name never reaches a report.
    """
    if labels and column in labels:
        return t(labels[column])
    if column == "ci":
        return t("common.col.ci", level=100 * (1 - alpha))
    for key in ([f"{ns}.col.{column}"] if ns else []) + [f"common.col.{column}"]:
        if key in t:
            return t(key)
    if _ITEM_ID.match(str(column)):
        return str(column)
    raise KinerjaError(f"table column {column!r} has no label: add 'col.{column}' to report/i18n/<lang>/"
                       f"{ns or 'common'}.yml or pass labels={{{column!r}: key}}; the rule is that every shown column "
                       f"is translated.")


def _region_names(values: pd.Series) -> pd.Series:
    """Codes such as ``"18.71"`` -> registry names; anything else (or no registry yet) unchanged."""
    try:
        from kinerja_research.regions import get_region
    except ImportError:
        return values
    out = {}
    for v in pd.unique(values.dropna()):
        s = str(v)
        name = s
        if _REGION_CODE.match(s):
            try:
                name = get_region(s).name
            except Exception:  # an unknown code stays visible as the code
                name = s
        out[v] = name
    return values.map(out)


def format_table(df: pd.DataFrame, *, lang: str = "id", t=None, ns: str | None = None,
                 labels: Mapping[str, str] | None = None, digits: int | Mapping[str, int] = 2,
                 alpha: float = 0.05, min_n: int | None | str = "default", n_col: str = "n",
                 suppress: bool | None = None,
                 count_cols: Sequence[str] = (), ci: str = "combined", index: bool | None = None,
                 drop: Sequence[str] = ()) -> pd.DataFrame:
    """Format a result (or descriptive) table for a report: every cell a string, headers translated.

    Parameters
    ----------
    df : pandas.DataFrame
        A tidy result (docs/architecture.md result shape) or any small table. A non-default index (e.g. a
        cross-tabulation) is turned into columns first.
    lang : {"id", "en"}
        Report language (labels, decimal mark, p style).
    t : Translator, optional
        Translator to use; default the package's translation table for ``lang``.
    ns : str, optional
        Translation namespace searched first for column labels (``<ns>.col.<column>``).
    labels : dict, optional
        ``{column: translation key}`` overriding the label of a column.
    digits : int or dict, default 2
        Decimals of floats; a dict gives decimals per column (others 2).
    alpha : float, default 0.05
        Level of the confidence intervals (header ``95% CI``).
    min_n : int, None or "default"
        Small-cell threshold; ``"default"`` = :func:`min_cell_n` (5 unless the run sets another); ``None`` turns
        suppression off.
    n_col : str, default "n"
        Column holding the number of people each row describes.
    suppress : bool, optional
        Force suppression on/off; default on when ``n_col`` is a column.
    count_cols : list of str
        Columns whose cells are themselves counts of people (cross-tabulations): each such cell below ``min_n`` is
        shown as ``<5``.
    ci : {"combined", "separate"}
        ``"combined"`` merges ``ci_low``/``ci_high`` into one ``[a, b]`` column.
    index : bool, optional
        Keep the index as columns (default: when it is not a plain RangeIndex).
    drop : list of str
        Columns left out of the shown table.

    Returns
    -------
    pandas.DataFrame
        Strings only, translated headers, no index; ``.attrs["notes"]`` lists notes to print under the table
        (e.g. the suppression note).

    Examples
    --------
    >>> import pandas as pd
    >>> res = pd.DataFrame({"group_a": ["x", "y"], "estimate": [0.51234, 1.5], "ci_low": [0.1, 1.0],
    ...                     "ci_high": [0.9, 2.0], "p": [0.0004, 0.2], "n": [40, 3]})
    >>> format_table(res, lang="en").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'Group A': ['x', 'y'], 'Estimate': ['0.51', '–'], '95% CI': ['[0.10, 0.90]', '–'], 'p': ['< .001', '–'],
     'n': ['40', '<5']}
    """
    from kinerja_research.report.i18n import Translator, check_lang, translator

    check_lang(lang)
    min_n = _resolve_min_n(min_n)
    if t is None:
        t = translator(lang)
    elif isinstance(t, Translator) and t.lang != lang:
        raise KinerjaError(f"format_table got lang={lang!r} but a translator for {t.lang!r}; the rule is one language "
                           f"per table.")
    if not isinstance(df, pd.DataFrame):
        raise KinerjaError(f"format_table needs a pandas DataFrame, got {type(df).__name__}.")
    data = df.copy()
    if index is None:
        index = not (isinstance(data.index, pd.RangeIndex) and data.index.name is None)
    data = data.reset_index() if index else data.reset_index(drop=True)
    data.columns = [str(c) for c in data.columns]
    data = data.drop(columns=[c for c in drop if c in data.columns])
    notes: list[str] = []

    # Small cells: the one suppression function, on raw numbers, before any formatting.
    small = pd.DataFrame(False, index=data.index, columns=data.columns)
    if min_n is not None:
        from kinerja_research.privacy import suppress_small_cells

        if suppress is None:
            suppress = n_col in data.columns
        if suppress:
            sup = suppress_small_cells(data, n_col=n_col, min_n=min_n, flag_col="__suppressed__")
            flag = sup.pop("__suppressed__").to_numpy(dtype=bool)
            if flag.any():
                small.loc[flag, n_col] = True
            data = sup
        for c in count_cols:
            sup = suppress_small_cells(data, n_col=c, min_n=min_n, columns=[], flag_col="__suppressed__")
            small[c] = sup.pop("__suppressed__").to_numpy(dtype=bool)
            data = sup
        if small.to_numpy().any():
            notes.append(t("common.suppressed_note", min_n=min_n))

    out = pd.DataFrame(index=data.index)
    columns = list(data.columns)
    if ci == "combined" and "ci_low" in columns and "ci_high" in columns:
        at = columns.index("ci_low")
        columns = [c for c in columns if c not in ("ci_low", "ci_high")]
        columns.insert(at, "ci")
    elif ci not in ("combined", "separate"):
        raise KinerjaError(f"Argument 'ci' is {ci!r}; the rule is that it must be one of ['combined', 'separate'].")

    def ndig(col: str) -> int:
        return digits.get(col, 2) if isinstance(digits, Mapping) else int(digits)

    shown = t("common.suppressed", min_n=min_n) if min_n is not None else "–"
    for c in columns:
        if c == "ci":
            d = ndig("ci")
            values = [format_ci(lo, hi, d, lang) for lo, hi in zip(data["ci_low"], data["ci_high"])]
            s = pd.Series(values, index=data.index, dtype=object)
        else:
            col = data[c]
            if c in P_COLUMNS:
                s = col.map(lambda v: format_p(v, lang))
            elif c in COUNT_COLUMNS or c in count_cols:
                s = col.map(lambda v: format_int(v, lang))
            elif c in _INT_IF_WHOLE and pd.api.types.is_numeric_dtype(col) and np.allclose(
                    col.dropna().astype(float) % 1, 0):
                s = col.map(lambda v: format_int(v, lang))
            elif pd.api.types.is_bool_dtype(col):
                s = col.map(lambda v: "–" if _is_missing(v) else t("common.yes" if v else "common.no"))
            elif pd.api.types.is_integer_dtype(col):
                s = col.map(lambda v: format_int(v, lang))
            elif pd.api.types.is_numeric_dtype(col):
                d = ndig(c)
                s = col.map(lambda v, d=d: format_number(v, d, lang))
            else:
                if c in ("region", "region_code") or c == "wilayah":
                    col = _region_names(col)
                elif c == "wave":
                    col = col.map(lambda v: t(f"common.wave.{v}") if f"common.wave.{v}" in t else v)
                s = col.map(lambda v: "–" if _is_missing(v) else str(v))
            if c in small.columns:
                s = s.mask(small[c].to_numpy(), shown)
        out[column_label(c, t, ns=ns, labels=labels, alpha=alpha)] = s.astype(object)
    out = out.reset_index(drop=True)
    out.attrs["notes"] = notes
    return out
