"""Result tables for people, in three steps: suppress -> format -> label.

Analyses return unrounded tidy DataFrames (docs/architecture.md, "Result shape"); everything a reader sees goes
through this module (tables) or :mod:`kinerja_research.report.numbers` (numbers in prose, via the translation
templates).

1. :func:`suppress_table` -- small cells, on raw numbers, before anything else: a row about fewer than ``min_n``
   people (``n_col``) is blanked except its key columns; each count cell (``count_cols``) below ``min_n`` is withheld
   on its own (primary), and a lone withheld cell of a row or column takes the smallest shown one with it (secondary).
   The result keeps raw numbers (for the ``.xlsx``) and the masks, and names every count cell it published, so the
   page and the run can protect the same figures across tables (:mod:`kinerja_research.report.suppress`).
2. :func:`format_cells` -- every cell a string in the report language: rounding, APA p, intervals, translated
   vocabulary (:data:`VOCAB_COLUMNS`), region names; ``<5`` and ``x`` where withheld.
3. :func:`label_table` -- translated headers (:func:`column_label`).

:func:`format_table` runs the three steps (the one call notebooks use through ``ctx.show``).

Conventions
-----------
- Numbers: :mod:`kinerja_research.report.numbers` (APA 7 in English; decimal comma, leading zero of p in Indonesian).
- Values of vocabulary columns (:data:`VOCAB_COLUMNS`: ``effect_size_name``, ``rule``, ``severity``, ``term``,
  ``path``, ``column``, ``variable``, ``method``, ``table(s)``) are translated through ``vocab.<vocabulary>.<value>``
  (``report/i18n/<lang>/vocab.yml``); composite model terms (``var(a:b)``, ``a:b``, ``x (per 10)``,
  ``region_code17.71``) are built from their parts. Free text, names and item ids pass unchanged; a snake_case
  identifier without a translation raises, so no raw identifier reaches a reader.
- Cells about fewer than ``min_n`` people are blanked by :func:`kinerja_research.privacy.suppress_small_cells` (the
  one suppression function) and shown as ``<5``; the table carries a note saying so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError
from kinerja_research.privacy import MIN_CELL_N, suppress_small_cells
from kinerja_research.regions import get_region
from kinerja_research.report.i18n import Translator, check_lang, translator
from kinerja_research.report.numbers import (
    MISSING,
    Suppressed,
    format_ci,
    format_int,
    format_number,
    format_p,
    format_value,
    is_missing,
)

__all__ = [
    "Suppressed",
    "KEY_COLUMNS",
    "AUTO_COUNT_COLUMNS",
    "Suppression",
    "suppress_table",
    "format_cells",
    "label_table",
    "format_table",
    "secondary_suppression",
    "column_label",
    "vocab_label",
    "session_min_n",
    "format_value",
    "format_number",
    "format_int",
    "format_p",
    "format_ci",
    "P_COLUMNS",
    "COUNT_COLUMNS",
    "VOCAB_COLUMNS",
    "IDENTIFIER",
]

#: Columns formatted as p values.
P_COLUMNS = ("p", "p_adj", "p_unc", "p_value")
#: Columns formatted as integer counts.
COUNT_COLUMNS = ("n", "count", "n_a", "n_b", "n_items", "n_obs", "n_people", "n_rows", "k")
#: Columns whose cells are counts of people (or of problems about people) in any table, without being named in
#: ``count_cols``: each cell below ``min_n`` is withheld on its own, pooled totals included.
AUTO_COUNT_COLUMNS = ("count",)
_INT_IF_WHOLE = ("df", "df1", "df2")
#: Columns computed from a row's count (a percent, a share): withheld with it in a table with one count column.
DERIVED_FROM_COUNT = re.compile(r"(^|_)(pct|percent|percentage|share|prop|proportion)(_|$)")
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

_SESSION = {"min_n": None}


def session_min_n() -> int:
    """The small-cell threshold of the report being written: the ``min_cell`` parameter given to
    :func:`kinerja_research.report.start` in this session, else :data:`kinerja_research.privacy.MIN_CELL_N`.

    It is how a table or figure formatted with ``min_n="default"`` follows the run's threshold: the parameter reaches
    the kernel through the notebook's parameters cell (never through the environment).

    Examples
    --------
    >>> session_min_n()
    5
    """
    return MIN_CELL_N if _SESSION["min_n"] is None else int(_SESSION["min_n"])


def set_session_min_n(min_n: int | None) -> None:
    """Set the threshold :func:`session_min_n` returns (called by :func:`kinerja_research.report.start`)."""
    _SESSION["min_n"] = min_n


def _resolve_min_n(min_n):
    return session_min_n() if isinstance(min_n, str) and min_n == "default" else min_n


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
    """Codes such as ``"18.71"`` -> registry names; anything else unchanged."""
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
    return col.map(lambda v: v if is_missing(v) else mapping[v])


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
    has two shown cells), so its total gives only their sum. Totals shown in other tables of the page or run are
    handled by :mod:`kinerja_research.report.suppress`.

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


@dataclass
class Suppression:
    """A table after the suppress step: raw values (withheld cells missing) and what was withheld.

    Attributes
    ----------
    data : pandas.DataFrame
        The table with its index turned into columns and ``drop`` removed; withheld and blanked cells are missing,
        every other cell keeps its raw (unrounded) value.
    primary, secondary : pandas.DataFrame
        Boolean masks (columns of ``data``): cells shown as ``<5`` (fewer than ``min_n`` people) and as ``x``
        (withheld so that a ``<5`` cannot be worked out from a total).
    count_cols : list of str
        Columns whose cells are counts of people (``count_cols``, :data:`AUTO_COUNT_COLUMNS`, and ``n_col``).
    keys : list of str
        Key columns (:data:`KEY_COLUMNS` present, plus ``keys``): what a row is about.
    extra_keys : list of str
        The ``keys`` given by the caller (additive coordinates of the count cells beyond the usual ones).
    derived : dict
        ``{column: count column}``: columns computed from a row's count (:data:`DERIVED_FROM_COUNT`, in a table with
        one count column), blanked wherever that count is withheld.
    raw_counts : pandas.DataFrame
        The count columns before suppression (never shown; used to choose secondary cells).
    min_n : int or None
    n_col : str or None
        The column of people per row, when the table has one and suppression is on.
    source : pandas.DataFrame
        The table before suppression (what each row is about: the coordinates of its count cells).
    """

    data: pd.DataFrame
    primary: pd.DataFrame
    secondary: pd.DataFrame
    count_cols: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    raw_counts: pd.DataFrame | None = None
    min_n: int | None = None
    n_col: str | None = None
    source: pd.DataFrame | None = None
    extra_keys: list[str] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)
    # each column's kind and its cells as text before withholding, kept between the page's grid and the workbook's
    # sheet (both format the same values); emptied whenever ``withhold`` changes the data
    _texts: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def cell_kind(self, column: str) -> str:
        """How the cells of ``column`` are written (:func:`_cell_kind`), computed once per column."""
        key = ("kind", column)
        if key not in self._texts:
            col = self.raw_counts[column] if column in self.count_cols else self.data[column]
            self._texts[key] = _cell_kind(column, col, self.count_cols)
        return self._texts[key]

    def count_cells(self) -> list[dict]:
        """Every count cell of the table: ``{row, column, value, state}`` (``state``: ``shown`` | ``primary`` |
        ``secondary``; ``value`` the raw count, also for withheld cells, so keep this list private)."""
        cells = []
        for c in self.count_cols:
            raw = self.raw_counts[c] if self.raw_counts is not None and c in self.raw_counts else self.data[c]
            # column lists once (a row-by-row .iloc per cell was most of a long table's cost)
            raw_v, data_v = raw.tolist(), self.data[c].tolist()
            primary, secondary = self.primary[c].tolist(), self.secondary[c].tolist()
            for i, v in enumerate(raw_v):
                if is_missing(v):
                    continue
                blanked = is_missing(data_v[i])  # withheld with its row (n_col below min_n)
                state = (
                    "primary"
                    if primary[i] or (blanked and not secondary[i])
                    else "secondary"
                    if secondary[i]
                    else "shown"
                )
                cells.append({"row": i, "column": c, "value": int(round(float(v))), "state": state})
        return cells

    def withhold(self, row: int, column: str) -> None:
        """Withhold one more cell (secondary suppression decided across tables), and what is computed from it."""
        self._texts.clear()
        self.data[column] = self.data[column].astype(object)
        self.data.loc[row, column] = None
        self.secondary.loc[row, column] = True
        for d, c in self.derived.items():
            if c == column:
                self.data[d] = self.data[d].astype(object)
                self.data.loc[row, d] = None


def suppress_table(
    df: pd.DataFrame,
    *,
    min_n: int | None | str = "default",
    n_col: str = "n",
    suppress: bool | None = None,
    count_cols: Sequence[str] = (),
    keys: Sequence[str] = (),
    secondary: bool = True,
    index: bool | None = None,
    drop: Sequence[str] = (),
) -> Suppression:
    """Step 1 of :func:`format_table`: small cells withheld on raw numbers (parameters as there).

    Returns
    -------
    Suppression
    """
    if not isinstance(df, pd.DataFrame):
        raise KinerjaError(f"format_table needs a pandas DataFrame, got {type(df).__name__}.")
    min_n = _resolve_min_n(min_n)
    data = df.copy()
    if index is None:
        index = not (isinstance(data.index, pd.RangeIndex) and data.index.name is None)
    data = data.reset_index() if index else data.reset_index(drop=True)
    data.columns = [str(c) for c in data.columns]
    data = data.drop(columns=[c for c in drop if c in data.columns])
    source = data.copy()
    key_cols = [c for c in data.columns if c in set(KEY_COLUMNS) | set(keys)]
    counts = list(dict.fromkeys(c for c in count_cols if c in data.columns))
    missing = [c for c in count_cols if c not in data.columns]
    if missing:
        raise KinerjaError(f"count_cols {missing} are not columns of the table {list(data.columns)}.")
    counts += [
        c
        for c in AUTO_COUNT_COLUMNS
        if c in data.columns and c not in counts and c != n_col and pd.api.types.is_numeric_dtype(data[c])
    ]
    primary = pd.DataFrame(False, index=data.index, columns=data.columns)
    second = pd.DataFrame(False, index=data.index, columns=data.columns)
    if suppress is None:
        suppress = n_col in data.columns
    # n_col may also be named a count column: registered once (a duplicate label breaks the secondary step)
    registered = counts + ([n_col] if suppress and n_col in data.columns and n_col not in counts else [])
    raw = data[registered].apply(pd.to_numeric, errors="coerce") if registered else None
    if min_n is not None:
        if suppress and n_col in data.columns:
            derived = [c for c in data.columns if c != n_col and c not in key_cols]
            sup = suppress_small_cells(data, n_col=n_col, min_n=min_n, columns=derived, flag_col="__suppressed__")
            flag = sup.pop("__suppressed__").to_numpy(dtype=bool)
            primary.loc[flag, n_col] = True
            data = sup
        for c in counts:
            sup = suppress_small_cells(data, n_col=c, min_n=min_n, columns=[], flag_col="__suppressed__")
            # or-ed: n_col named as a count column keeps the flags its row step set above
            primary[c] = primary[c].to_numpy(dtype=bool) | sup.pop("__suppressed__").to_numpy(dtype=bool)
            data = sup
        if secondary and counts:
            extra = secondary_suppression(raw[counts], primary[counts])
            for c in counts:
                hide = extra[c].to_numpy()
                if hide.any():
                    data[c] = data[c].astype(object)
                    data.loc[hide, c] = None
                    second[c] = hide
    derived = {}
    if len(counts) == 1:
        derived = {
            d: counts[0]
            for d in data.columns
            if d not in key_cols and d not in registered and DERIVED_FROM_COUNT.search(d)
        }
        withheld = (primary[counts[0]] | second[counts[0]]).to_numpy()
        for d in derived:
            if withheld.any():
                data[d] = data[d].astype(object)
                data.loc[withheld, d] = None
    return Suppression(
        data=data,
        primary=primary,
        secondary=second,
        count_cols=registered,
        keys=key_cols,
        raw_counts=raw,
        min_n=min_n,
        n_col=n_col if n_col in registered else None,
        source=source,
        extra_keys=[k for k in keys if k in data.columns],
        derived=derived,
    )


def _cell_kind(c: str, col: pd.Series, count_cols: Sequence[str]) -> str:
    """How the cells of column ``c`` are written: ``p``, ``int``, ``bool``, ``float`` or ``text``. A column made
    ``object`` by withholding cells (``None`` among numbers) is read from its remaining values."""
    if c in P_COLUMNS:
        return "p"
    if c in COUNT_COLUMNS or c in count_cols:
        return "int"
    if col.dtype == object:
        present = [v for v in col if not is_missing(v)]
        if present and all(isinstance(v, (Real, np.number)) and not isinstance(v, (bool, np.bool_)) for v in present):
            col = pd.Series(present, dtype=float)
    numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    if c in _INT_IF_WHOLE and numeric:
        v = col.dropna().astype(float)
        if len(v) and np.allclose(v % 1, 0):
            return "int"
    if pd.api.types.is_bool_dtype(col):
        return "bool"
    if pd.api.types.is_integer_dtype(col):
        return "int"
    if numeric:
        return "float"
    return "text"


def _digits(digits: int | Mapping[str, int], col: str) -> int:
    return digits.get(col, 2) if isinstance(digits, Mapping) else int(digits)


def _column_text(sup: Suppression, c: str, lang: str, t, d: int) -> np.ndarray:
    """The cells of column ``c`` (``"ci"``: the interval) as text, before withholding: computed once per column,
    language, translator and digits, and kept on ``sup`` (the page's grid and the workbook's sheet share it)."""
    key = ("text", c, lang, d)
    got = sup._texts.get(key)
    if got is not None and got[0] is t:
        return got[1]
    data = sup.data
    if c == "ci":
        s = pd.Series(
            [format_ci(lo, hi, d, lang) for lo, hi in zip(data["ci_low"], data["ci_high"])],
            index=data.index,
            dtype=object,
        )
    else:
        col = data[c]
        kind = sup.cell_kind(c)
        if kind == "p":
            s = col.map(lambda v: format_p(v, lang))
        elif kind == "int":
            s = col.map(lambda v: format_int(v, lang))
        elif kind == "bool":
            s = col.map(lambda v: MISSING if is_missing(v) else t("common.yes" if v else "common.no"))
        elif kind == "float":
            s = col.map(lambda v, d=d: format_number(v, d, lang))
        else:
            if c in ("region", "region_code", "wilayah"):
                col = _region_names(col).map(lambda v: t(f"vocab.region.{v}") if f"vocab.region.{v}" in t else v)
            elif c in VOCAB_COLUMNS:
                col = _vocab_column(col, c, VOCAB_COLUMNS[c], t)
            elif c == "wave":
                col = col.map(lambda v: t(f"common.wave.{v}") if f"common.wave.{v}" in t else v)
            s = col.map(lambda v: MISSING if is_missing(v) else str(v))
    text = s.to_numpy(dtype=object)
    text.flags.writeable = False  # shared: format_cells copies before withholding
    sup._texts[key] = (t, text)
    return text


def format_cells(
    sup: Suppression,
    *,
    lang: str = "id",
    t=None,
    digits: int | Mapping[str, int] = 2,
    ci: str = "combined",
) -> pd.DataFrame:
    """Step 2 of :func:`format_table`: every cell a string in the report language (raw column names kept; the
    interval columns ``ci_low``/``ci_high`` merged into ``ci`` with ``ci="combined"``)."""
    t = t or translator(lang)
    data = sup.data
    columns = list(data.columns)
    if ci == "combined" and "ci_low" in columns and "ci_high" in columns:
        at = columns.index("ci_low")
        columns = [c for c in columns if c not in ("ci_low", "ci_high")]
        columns.insert(at, "ci")
    elif ci not in ("combined", "separate"):
        raise KinerjaError(f"Argument 'ci' is {ci!r}; the rule is that it must be one of ['combined', 'separate'].")
    shown = t("common.suppressed", min_n=sup.min_n) if sup.min_n is not None else MISSING
    withheld = t("common.suppressed_secondary")
    out: dict[str, np.ndarray] = {}
    for c in columns:
        text = _column_text(sup, c, lang, t, _digits(digits, c))
        if c != "ci":
            primary, secondary = sup.primary[c].to_numpy(dtype=bool), sup.secondary[c].to_numpy(dtype=bool)
            if primary.any() or secondary.any():  # most columns withhold nothing: no mask to apply
                text = text.copy()
                text[primary] = shown
                text[secondary] = withheld
        out[c] = text
    return pd.DataFrame(out, index=pd.RangeIndex(len(data)), columns=columns, dtype=object)


def label_table(
    cells: pd.DataFrame,
    *,
    t,
    ns: str | None = None,
    labels: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Step 3 of :func:`format_table`: translated headers (:func:`column_label`)."""
    out = cells.copy()
    out.columns = [column_label(c, t, ns=ns, labels=labels, alpha=alpha) for c in cells.columns]
    return out


def table_notes(sup: Suppression, t) -> list[str]:
    """Notes printed under a table: what ``<5`` and ``x`` mean, when the table holds them."""
    notes = []
    if sup.min_n is not None and sup.primary.to_numpy().any():
        notes.append(t("common.suppressed_note", min_n=sup.min_n))
    if sup.min_n is not None and sup.secondary.to_numpy().any():
        notes.append(t("common.suppressed_secondary_note", min_n=sup.min_n))
    return notes


def _translator(lang: str, t) -> Translator:
    check_lang(lang)
    if t is None:
        return translator(lang)
    if isinstance(t, Translator) and t.lang != lang:
        raise KinerjaError(
            f"format_table got lang={lang!r} but a translator for {t.lang!r}; the rule is one language per table."
        )
    return t


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

    Runs :func:`suppress_table`, :func:`format_cells` and :func:`label_table`.

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
        Small-cell threshold; ``"default"`` = :func:`session_min_n` (the report's ``min_cell`` parameter, 5 unless
        the run sets another); ``None`` turns suppression off.
    n_col : str, default "n"
        Column holding the number of people each row describes.
    suppress : bool, optional
        Force suppression on/off; default on when ``n_col`` is a column.
    count_cols : list of str
        Columns whose cells are themselves counts of people (cross-tabulations): each such cell below ``min_n`` is
        shown as ``<5``. A ``count`` column (:data:`AUTO_COUNT_COLUMNS`) is always treated so.
    ci : {"combined", "separate"}
        ``"combined"`` merges ``ci_low``/``ci_high`` into one ``[a, b]`` column.
    index : bool, optional
        Keep the index as columns (default: when it is not a plain RangeIndex).
    drop : list of str
        Columns left out of the shown table.
    secondary : bool, default True
        Secondary suppression of count cells: a total of a count table is usually shown somewhere (a total row or
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
    >>> format_table(ikm, lang="en", ns="satisfaction")["Grade (mutu)"].tolist()  # text derived from 3 people
    ['B', '–']
    """
    t = _translator(lang, t)
    sup = suppress_table(
        df,
        min_n=min_n,
        n_col=n_col,
        suppress=suppress,
        count_cols=count_cols,
        keys=keys,
        secondary=secondary,
        index=index,
        drop=drop,
    )
    out = label_table(format_cells(sup, lang=lang, t=t, digits=digits, ci=ci), t=t, ns=ns, labels=labels, alpha=alpha)
    out.attrs["notes"] = table_notes(sup, t)
    return out
