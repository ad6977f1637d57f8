"""Presentation of numbers and result tables, done once: rounding, APA p strings, language labels, "<5" cells.

Analyses return unrounded tidy DataFrames (docs/architecture.md, "Result shape"); everything a reader sees goes
through :func:`format_table` (tables) or :func:`format_value` (numbers in prose, via the translation templates).

Conventions
-----------
- English follows APA 7: two decimals, p values with three decimals and no leading zero (``.023``, ``< .001``).
- Indonesian uses the decimal comma and the thousands point (``1.234,56``); p values keep the leading zero, as in
  Indonesian theses and journals (``0,023``, ``< 0,001``); confidence intervals are written ``[a; b]`` because the
  comma is the decimal mark.
- Values of vocabulary columns (:data:`VOCAB_COLUMNS`: ``effect_size_name``, ``rule``, ``severity``, ``term``,
  ``path``, ``column``, ``variable``, ``method``, ``table(s)``) are translated through ``vocab.<vocabulary>.<value>``
  (``report/i18n/<lang>/vocab.yml``); composite model terms (``var(a:b)``, ``a:b``, ``x (per 10)``,
  ``region_code17.71``) are built from their parts. Free text, names and item ids pass unchanged; a snake_case
  identifier without a translation raises, so no raw identifier reaches a reader.
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

__all__ = [
    "min_cell_n",
    "MIN_N_ENV",
    "Suppressed",
    "KEY_COLUMNS",
    "format_value",
    "format_number",
    "format_int",
    "format_p",
    "format_ci",
    "format_table",
    "secondary_suppression",
    "column_label",
    "vocab_label",
    "P_COLUMNS",
    "COUNT_COLUMNS",
    "VOCAB_COLUMNS",
    "IDENTIFIER",
]

#: Columns formatted as p values.
P_COLUMNS = ("p", "p_adj", "p_unc", "p_value")
#: Columns formatted as integer counts.
COUNT_COLUMNS = ("n", "count", "n_a", "n_b", "n_items", "n_obs", "n_people", "n_rows", "k")
_INT_IF_WHOLE = ("df", "df1", "df2")
_ITEM_ID = re.compile(r"^[A-Z]{1,4}\d{1,3}$")
_REGION_CODE = re.compile(r"^\d{2}(\.\d{2}){0,3}$")
#: Columns whose values are vocabulary, translated through ``vocab.<vocabulary>.<value>`` (``i18n/<lang>/vocab.yml``).
VOCAB_COLUMNS = {
    "effect_size_name": "effect_size",
    "rule": "rule",
    "severity": "severity",
    "term": "term",
    "path": "term",
    "column": "term",
    "variable": "term",
    "method": "method",
    "table": "table",
    "tables": "table",
}
#: A raw identifier (snake_case token such as ``tenure_years``): never shown to a reader untranslated.
IDENTIFIER = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


#: Columns that identify a row (who or what it is about) rather than describe the people in it: they stay visible
#: in a suppressed row so the reader sees which cell was suppressed; every other column is blanked.
KEY_COLUMNS = (
    "region",
    "region_code",
    "region_name",
    "wilayah",
    "group",
    "group_a",
    "group_b",
    "term",
    "path",
    "service_unit",
    "unit",
    "opd",
    "unit_id",
    "period",
    "wave",
    "element",
    "dimension",
    "item",
    "scale",
    "predikat",
    "level",
    "variable",
    "column",
    "table",
    "tables",
    "rule",
    "severity",
    "method",
    "effect_size_name",
    "year",
    "quarter",
    "semester",
    "group_by",
)


class Suppressed:
    """A figure withheld because it describes fewer than ``min_n`` people; formats as ``"<5"`` under any spec.

    Used by :meth:`Context.text <kinerja_research.report.notebook.Context.text>` in place of every value of a
    suppressed sentence, so a format spec such as ``{ikm:.2f}`` still renders.

    Examples
    --------
    >>> f"{Suppressed('<5'):.2f}", format_value(Suppressed("<5"), "pct", "id")
    ('<5', '<5')
    """

    def __init__(self, shown: str):
        self.shown = str(shown)

    def __format__(self, spec: str) -> str:
        return self.shown

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"Suppressed({self.shown!r})"


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
    floor = 10**-digits
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
    if isinstance(value, Suppressed):
        return value.shown
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


def column_label(
    column: str, t, *, ns: str | None = None, labels: Mapping[str, str] | None = None, alpha: float = 0.05
) -> str:
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
    raise KinerjaError(
        f"table column {column!r} has no label: add 'col.{column}' to report/i18n/<lang>/"
        f"{ns or 'common'}.yml or pass labels={{{column!r}: key}}; the rule is that every shown column "
        f"is translated."
    )


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


def _region_label(value: str, t) -> str:
    """One region code -> registry name; ``all`` -> the translated "all regions"; anything else unchanged."""
    if f"vocab.region.{value}" in t:
        return t(f"vocab.region.{value}")
    return str(_region_names(pd.Series([value])).iloc[0]) if _REGION_CODE.match(value) else value


def _term_label(s: str, t) -> str | None:
    """Label of a model term: a vocabulary key, or a composite of vocabulary terms (``var(a:b)``, ``a:b``,
    ``x (per 10)``, ``a - b``, ``x | by = level``, treatment dummies ``region_code17.71``); None when unknown."""
    if f"vocab.term.{s}" in t:
        return t(f"vocab.term.{s}")
    if m := re.fullmatch(r"var\((.+)\)", s):
        parts = m[1].split(":")
        labels = [_term_label(p, t) for p in parts]
        if None in labels or len(labels) > 2:
            return None
        inner = labels[0] if len(labels) == 1 else t("vocab.term_fmt.nested", outer=labels[0], inner=labels[1])
        return t("vocab.term_fmt.var", term=inner)
    if m := re.fullmatch(r"(\S+) \| (\S+) = (.+)", s):
        term, by = _term_label(m[1], t), _term_label(m[2], t)
        if term is None or by is None:
            return None
        return t("vocab.term_fmt.given", term=term, by=by, level=_region_label(m[3], t))
    if m := re.fullmatch(r"(\S+) x (\S+)", s):
        a, b = _term_label(m[1], t), _term_label(m[2], t)
        return None if a is None or b is None else t("vocab.term_fmt.interaction", a=a, b=b)
    if m := re.fullmatch(r"(\S+) - (\S+)", s):
        a, b = _term_label(m[1], t), _term_label(m[2], t)
        return None if a is None or b is None else t("vocab.term_fmt.difference", a=a, b=b)
    if m := re.fullmatch(r"(.+?) \(([^()]+)\)", s):
        term = _term_label(m[1], t)
        return None if term is None else t("vocab.term_fmt.paren", term=term, note=m[2])
    if ":" in s and " " not in s:
        labels = [_term_label(p, t) for p in s.split(":")]
        if None in labels:
            return None
        out = labels[0]
        for b in labels[1:]:
            out = t("vocab.term_fmt.interaction", a=out, b=b)
        return out
    if m := re.fullmatch(r"([a-z][a-z0-9_]*?)(\d{2}(?:\.\d{2}){1,3})", s):
        term = _term_label(m[1], t)
        return None if term is None else t("vocab.term_fmt.level", term=term, level=_region_label(m[2], t))
    return None


def _method_label(s: str, t) -> str | None:
    """Label of a method string: key = the text lower-cased, each number replaced by ``n`` (passed to the template
    as ``n1``, ``n2``, ...), other characters runs of ``_``; ``<method>: <term>`` is composed; None when unknown."""
    nums = _NUMBER.findall(s)
    slug = re.sub(r"[^a-z0-9]+", "_", _NUMBER.sub("n", s.lower())).strip("_")
    if f"vocab.method.{slug}" in t:
        return t(f"vocab.method.{slug}", **{f"n{i + 1}": v for i, v in enumerate(nums)})
    if m := re.fullmatch(r"(.+): (\S+)", s):
        method, term = _method_label(m[1], t), _term_label(m[2], t)
        if method is not None and term is not None:
            return t("vocab.method_fmt.with_term", method=method, term=term)
    return None


def vocab_label(value: Any, vocab: str, t) -> str | None:
    """Translated label of one value of a vocabulary column, or None when the value is not in the vocabulary.

    Parameters
    ----------
    value : object
        The raw cell (e.g. ``"hedges_g_av"``, ``"decimal_comma"``, ``"var(person_id)"``).
    vocab : str
        Vocabulary name (a value of :data:`VOCAB_COLUMNS`): keys ``vocab.<vocab>.<value>`` in
        ``report/i18n/<lang>/vocab.yml``.
    t : Translator
        Translator of the report language.

    Returns
    -------
    str or None

    Examples
    --------
    >>> from kinerja_research.report.i18n import translator
    >>> t = translator("id")
    >>> vocab_label("hedges_g_av", "effect_size", t), vocab_label("tenure_years", "term", t)
    ("Hedges' g (av)", 'masa kerja (tahun)')
    >>> vocab_label("jp_other (per 10)", "term", translator("en")), vocab_label("Kota Kupang", "term", translator("en"))
    ('JP of other training (per 10)', None)
    """
    s = str(value)
    if f"vocab.{vocab}.{s}" in t:
        return t(f"vocab.{vocab}.{s}")
    if vocab == "term":
        return _term_label(s, t)
    if vocab == "method":
        return _method_label(s, t)
    if vocab == "table" and "," in s:
        labels = [vocab_label(p.strip(), vocab, t) for p in s.split(",")]
        return None if None in labels else ", ".join(labels)
    return None


def _vocab_column(col: pd.Series, column: str, vocab: str, t) -> pd.Series:
    """Translate the values of a vocabulary column; free text passes, an untranslated identifier raises."""
    mapping = {}
    for v in pd.unique(col.dropna()):
        label = vocab_label(v, vocab, t)
        if label is None:
            if isinstance(v, str) and IDENTIFIER.search(v):
                raise KinerjaError(
                    f"table column {column!r} holds {v!r}, which has no translation: add "
                    f"'vocab.{vocab}.{v}' to report/i18n/<lang>/vocab.yml; the rule is that no raw "
                    f"identifier reaches a report."
                )
            label = v
        mapping[v] = label
    return col.map(lambda v: v if _is_missing(v) else mapping[v])


def secondary_suppression(counts: pd.DataFrame, primary: pd.DataFrame) -> pd.DataFrame:
    """Cells to withhold so that no suppressed count can be recovered from a row or column total.

    Parameters
    ----------
    counts : pandas.DataFrame
        The count cells (people), unsuppressed; rows and columns as shown.
    primary : pandas.DataFrame
        Boolean, same shape: cells already suppressed (fewer than ``min_n`` people).

    Returns
    -------
    pandas.DataFrame
        Boolean, same shape: the cells withheld in addition (never a primary cell).

    Notes
    -----
    Rule (repeated until nothing changes): a column with at least two cells, or a row with at least two count
    columns, that holds exactly one withheld cell gets its smallest shown cell (first on ties; missing cells are
    never chosen) withheld too. Then each row and column that holds a withheld cell holds at least two (when it
    has two shown cells), so its total gives only their sum.

    Examples
    --------
    >>> c = pd.DataFrame({"count": [12, 149, 13, 3, 7]})
    >>> secondary_suppression(c, c < 5)["count"].tolist()
    [False, False, False, False, True]
    """
    vals = counts.to_numpy(dtype=float, na_value=np.nan)
    hidden = primary.to_numpy(dtype=bool).copy()
    extra = np.zeros_like(hidden)
    nrow, ncol = hidden.shape
    changed = True
    while changed:
        changed = False
        for axis, size in ((0, nrow), (1, ncol)):
            if size < 2:
                continue
            lines = hidden.sum(axis=axis)
            for k in np.flatnonzero(lines == 1):
                line_vals = vals[:, k] if axis == 0 else vals[k, :]
                line_hidden = hidden[:, k] if axis == 0 else hidden[k, :]
                cand = np.flatnonzero(~line_hidden & ~np.isnan(line_vals))
                if cand.size == 0:
                    continue
                j = cand[np.argmin(line_vals[cand])]
                cell = (j, k) if axis == 0 else (k, j)
                hidden[cell] = extra[cell] = True
                changed = True
    return pd.DataFrame(extra, index=counts.index, columns=counts.columns)


def format_table(
    df: pd.DataFrame,
    *,
    lang: str = "id",
    t=None,
    ns: str | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int | Mapping[str, int] = 2,
    alpha: float = 0.05,
    min_n: int | None | str = "default",
    n_col: str = "n",
    suppress: bool | None = None,
    count_cols: Sequence[str] = (),
    ci: str = "combined",
    index: bool | None = None,
    drop: Sequence[str] = (),
    keys: Sequence[str] = (),
    secondary: bool = True,
) -> pd.DataFrame:
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
    secondary : bool, default True
        Secondary suppression of ``count_cols``: a total of a count table is usually shown somewhere (a total row or
        column, ``n`` of the region in the text), so a lone ``<5`` cell could be worked out by subtraction. Rule:
        while some column of count cells (with at least two cells) or some row of count cells (with at least two
        count columns) holds exactly one suppressed cell, the smallest shown cell of that column or row is withheld
        too and shown as ``x`` (:func:`secondary_suppression`).
    keys : list of str
        Further columns that are not derived from the people of a row (in addition to :data:`KEY_COLUMNS`, e.g.
        ``region``, ``term``, ``service_unit``, ``period``). In a row suppressed through ``n_col`` every other column
        is blanked -- numbers and also text or flags derived from them (``mutu``, ``kinerja``, ``weakest``) -- so
        nothing about those people can be read next to the ``<5``.

    Returns
    -------
    pandas.DataFrame
        Strings only, translated headers, no index; ``.attrs["notes"]`` lists notes to print under the table
        (e.g. the suppression note).

    Raises
    ------
    KinerjaError
        A column without a label, or a snake_case value of a vocabulary column (:data:`VOCAB_COLUMNS`) without a
        ``vocab.<vocabulary>.<value>`` translation.

    Examples
    --------
    >>> import pandas as pd
    >>> res = pd.DataFrame({"group_a": ["x", "y"], "estimate": [0.51234, 1.5], "ci_low": [0.1, 1.0],
    ...                     "ci_high": [0.9, 2.0], "p": [0.0004, 0.2], "n": [40, 3]})
    >>> format_table(res, lang="en").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'Group A': ['x', 'y'], 'Estimate': ['0.51', '–'], '95% CI': ['[0.10, 0.90]', '–'], 'p': ['< .001', '–'],
     'n': ['40', '<5']}
    >>> ikm = pd.DataFrame({"region": ["18.71", "11.73"], "ikm": [80.1, 81.5], "mutu": ["B", "B"], "n": [90, 3]})
    >>> format_table(ikm, lang="en", ns="satisfaction")["Mutu"].tolist()  # text derived from 3 people
    ['B', '–']
    """
    from kinerja_research.report.i18n import Translator, check_lang, translator

    check_lang(lang)
    min_n = _resolve_min_n(min_n)
    if t is None:
        t = translator(lang)
    elif isinstance(t, Translator) and t.lang != lang:
        raise KinerjaError(
            f"format_table got lang={lang!r} but a translator for {t.lang!r}; the rule is one language per table."
        )
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
    secondary_mask = pd.DataFrame(False, index=data.index, columns=data.columns)
    if min_n is not None:
        from kinerja_research.privacy import suppress_small_cells

        if suppress is None:
            suppress = n_col in data.columns
        if suppress:
            key_set = set(KEY_COLUMNS) | set(keys)
            derived = [c for c in data.columns if c != n_col and c not in key_set]
            sup = suppress_small_cells(data, n_col=n_col, min_n=min_n, columns=derived, flag_col="__suppressed__")
            flag = sup.pop("__suppressed__").to_numpy(dtype=bool)
            if flag.any():
                small.loc[flag, n_col] = True
            data = sup
        raw_counts = data[list(count_cols)].apply(pd.to_numeric, errors="coerce") if len(count_cols) else None
        for c in count_cols:
            sup = suppress_small_cells(data, n_col=c, min_n=min_n, columns=[], flag_col="__suppressed__")
            small[c] = sup.pop("__suppressed__").to_numpy(dtype=bool)
            data = sup
        if small.to_numpy().any():
            notes.append(t("common.suppressed_note", min_n=min_n))
        if secondary and raw_counts is not None:
            extra = secondary_suppression(raw_counts, small[list(count_cols)])
            if extra.to_numpy().any():
                for c in count_cols:
                    data[c] = data[c].astype("Float64") if pd.api.types.is_float_dtype(data[c]) else data[c]
                    data.loc[extra[c].to_numpy(), c] = pd.NA
                    secondary_mask[c] = extra[c].to_numpy()
                notes.append(t("common.suppressed_secondary_note", min_n=min_n))

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
            elif (
                c in _INT_IF_WHOLE
                and pd.api.types.is_numeric_dtype(col)
                and np.allclose(col.dropna().astype(float) % 1, 0)
            ):
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
                    col = _region_names(col).map(lambda v: t(f"vocab.region.{v}") if f"vocab.region.{v}" in t else v)
                elif c in VOCAB_COLUMNS:
                    col = _vocab_column(col, c, VOCAB_COLUMNS[c], t)
                elif c == "wave":
                    col = col.map(lambda v: t(f"common.wave.{v}") if f"common.wave.{v}" in t else v)
                s = col.map(lambda v: "–" if _is_missing(v) else str(v))
            if c in small.columns:
                s = s.mask(small[c].to_numpy(), shown)
                s = s.mask(secondary_mask[c].to_numpy(), t("common.suppressed_secondary"))
        out[column_label(c, t, ns=ns, labels=labels, alpha=alpha)] = s.astype(object)
    out = out.reset_index(drop=True)
    out.attrs["notes"] = notes
    return out
