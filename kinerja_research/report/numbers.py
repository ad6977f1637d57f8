"""Numbers for people: decimals, thousands separators, APA p strings and intervals in the report language.

The bottom of the report layer: it imports nothing of the report package, so the translation table
(:mod:`kinerja_research.report.i18n`, which formats the numbers inside its texts) and the tables
(:mod:`kinerja_research.report.tables`) both build on it without an import circle.

Conventions
-----------
- English follows APA 7: two decimals, p values with three decimals and no leading zero (``.023``, ``< .001``).
- Indonesian uses the decimal comma and the thousands point (``1.234,56``); p values keep the leading zero, as in
  Indonesian theses and journals (``0,023``, ``< 0,001``); confidence intervals are written ``[a; b]`` because the
  comma is the decimal mark.
- A missing value is ``–`` (en dash); a withheld figure (:class:`Suppressed`) keeps its ``<5`` under any spec.
"""

from __future__ import annotations

import math
import re
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError

__all__ = [
    "Suppressed",
    "BOOL_WORDS",
    "MISSING",
    "is_missing",
    "format_value",
    "format_number",
    "format_int",
    "format_p",
    "format_ci",
    "localise",
    "period_label",
]

#: How a missing value is shown.
MISSING = "–"
#: ``True``/``False`` in prose, per language (the same words as ``common.yes``/``common.no`` of the translation table;
#: ``tests/test_report_tables.py`` checks that they agree).
BOOL_WORDS = {"id": ("Ya", "Tidak"), "en": ("Yes", "No")}


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


def is_missing(value: Any) -> bool:
    """True for None, ``pd.NA``, ``pd.NaT`` and float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, Real) and math.isnan(value))
    except TypeError:
        return False


def localise(text: str, lang: str) -> str:
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
    if is_missing(x):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0.00"
    return localise(text, lang)


def format_int(x: Any, lang: str = "id") -> str:
    """Format a count with a thousands separator (``1.234`` in Indonesian, ``1,234`` in English)."""
    if is_missing(x):
        return MISSING
    return localise(f"{int(round(float(x))):,d}", lang)


def format_p(p: Any, lang: str = "id", digits: int = 3) -> str:
    """Format a p value: APA style in English (``.023``, ``< .001``), leading zero and comma in Indonesian.

    Examples
    --------
    >>> format_p(0.0234, "en"), format_p(0.00001, "en"), format_p(0.0234, "id"), format_p(0.00001, "id")
    ('.023', '< .001', '0,023', '< 0,001')
    """
    if is_missing(p):
        return MISSING
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
    return localise(text, lang)


def format_ci(low: Any, high: Any, digits: int = 2, lang: str = "id") -> str:
    """Format a confidence interval: ``[0.12, 0.45]`` (English) or ``[0,12; 0,45]`` (Indonesian)."""
    if is_missing(low) and is_missing(high):
        return MISSING
    sep = "; " if lang == "id" else ", "
    return f"[{format_number(low, digits, lang)}{sep}{format_number(high, digits, lang)}]"


def format_value(value: Any, spec: str = "", lang: str = "id") -> str:
    """Format one value for prose (used by the translation templates).

    ``spec`` is a ``str.format`` spec (``.1f``, ``.0f``, ``,d``) or one of ``p`` (p value), ``P`` (the whole
    expression ``p = .023`` / ``p < .001``), ``n`` (count), ``pct`` (a proportion 0–1 as a percent with one
    decimal), ``pct0`` (same, no decimals), ``plain`` (an integer without thousands separator: years, seeds,
    codes). Floats without a spec get two decimals; strings pass through; booleans are the words of
    :data:`BOOL_WORDS`; an object with a ``__kr_format__(spec, lang)`` method formats itself.

    Examples
    --------
    >>> format_value(0.1234, "pct", "id"), format_value(3.14159, "", "en"), format_value(12, "", "id")
    ('12,3%', '3.14', '12')
    >>> format_value(0.0234, "P", "en"), format_value(0.00001, "P", "id"), format_value(2026, "plain", "id")
    ('p = .023', 'p < 0,001', '2026')
    """
    if isinstance(value, Suppressed):
        return value.shown
    hook = getattr(type(value), "__kr_format__", None)
    if hook is not None:  # an object that formats itself (the report's escaping placeholders)
        return hook(value, spec, lang)
    if isinstance(value, str):
        return format(value, spec) if spec not in ("p", "P", "n", "pct", "pct0", "plain") else value
    if is_missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        words = BOOL_WORDS.get(lang, BOOL_WORDS["en"])
        return words[0] if value else words[1]
    if spec == "p":
        return format_p(value, lang)
    if spec == "P":
        text = format_p(value, lang)
        return f"p {text}" if text[0] in "<>" else f"p = {text}"
    if spec == "n":
        return format_int(value, lang)
    if spec == "plain":
        return str(int(round(float(value))))
    if spec in ("pct", "pct0"):
        return format_number(100 * float(value), 1 if spec == "pct" else 0, lang) + "%"
    if isinstance(value, (Integral, np.integer)) and not spec:
        return format_int(value, lang)
    if isinstance(value, (Real, np.floating)):
        if not spec:
            return format_number(value, 2, lang)
        return localise(format(float(value), spec), lang)
    return format(value, spec)


_MONTHS = {
    "id": (
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
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_ROMAN = ("I", "II", "III", "IV")


def period_label(code: Any, lang: str = "id") -> str:
    """A canonical period code for people: ``2026-S2`` -> ``Semester II 2026`` (``Semester 2, 2026``),
    ``2025-Q1`` -> ``Triwulan I 2025`` (``Q1 2025``), ``2025-03`` -> ``Maret 2025``, ``2025`` -> ``2025``;
    anything else unchanged.

    Examples
    --------
    >>> period_label("2026-S2"), period_label("2025-Q3", "en"), period_label("2025-03"), period_label("2025")
    ('Semester II 2026', 'Q3 2025', 'Maret 2025', '2025')
    """
    if is_missing(code):
        return MISSING
    s = str(code)
    if m := re.fullmatch(r"(\d{4})-S([12])", s):
        return f"Semester {_ROMAN[int(m[2]) - 1]} {m[1]}" if lang == "id" else f"Semester {m[2]}, {m[1]}"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", s):
        return f"Triwulan {_ROMAN[int(m[2]) - 1]} {m[1]}" if lang == "id" else f"Q{m[2]} {m[1]}"
    if (m := re.fullmatch(r"(\d{4})-(\d{2})", s)) and 1 <= int(m[2]) <= 12:
        return f"{_MONTHS.get(lang, _MONTHS['en'])[int(m[2]) - 1]} {m[1]}"
    return s
