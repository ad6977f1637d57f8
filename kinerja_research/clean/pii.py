"""Identifiers in text: one normaliser for every string that can leave the clean step.

The clean step drops the ``nip``/``name``/``email``/``phone`` columns, but identifiers also arrive through other
cells ("Dinas Sosial 1987-1118-2013-09-1-001", "Dinas Kesehatan (Bp. Hasan, Rahmawati Desi)"), file names
(``pelatihan_198503122010011002_budi_santoso.csv``), column headers and SPSS labels. Every such text is compared
after one normalisation (:func:`normalise_text`: Unicode NFKC, so full-width digits become ASCII digits and a
no-break space a space; every dash a hyphen) against:

- NIP / NI PPPK numbers: 18 or more digits with any separators between them (spaces, double spaces, dots, dashes,
  slashes, underscores), and 16-digit NIK (KTP) numbers written without separators;
- e-mail addresses;
- Indonesian mobile numbers (``0812 3456 7890``, ``+62 812-3456-7890``, ``62812...``);
- person names known from any name column of the dataset, in any word order and with titles, initials and
  punctuation in between (``Santoso, Budi``, ``BUDI A. SANTOSO, S.Kom``).

Matches are replaced by ``<redacted>``. The work is done on the *distinct* values of a column (the cost grows with
distinct values, not rows).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from kinerja_research._arrays import take_strings
from kinerja_research.clean._factor import factorize_text

__all__ = [
    "REDACTED",
    "NIP_RUN",
    "normalise_text",
    "name_keys",
    "find_pii",
    "redact_text",
    "has_identifier",
    "redact_series",
    "redact_cells",
    "has_nip_run",
]

REDACTED = "<redacted>"
_SEP = r"[ \t./\-_]{0,3}"
#: 18 or more digits with up to three separator characters between any two (after :func:`normalise_text`).
NIP_RUN = r"(?<!\d)\d(?:" + _SEP + r"\d){17,}(?!\d)"
_NIK_RUN = r"(?<!\d)\d{16,17}(?!\d)"  # a KTP number (16 digits) or a NIP that lost one digit, written as one run
_EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
_PHONE = r"(?<![\d+])(?:\+?62|0)[ .\-]?\(?8\d{1,2}\)?(?:[ .\-]?\d){6,9}(?!\d)"
_IDENTIFIER_RE = re.compile("|".join(f"(?:{p})" for p in (NIP_RUN, _NIK_RUN, _EMAIL, _PHONE)))
_NIP_RE = re.compile(NIP_RUN)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: Titles, honorifics and degrees that are not part of the name a person is known by (compared lower-case).
_TITLES = frozenset(
    "dr drs dra ir h hj prof bp bpk pak ibu bu sdr sdri saudara saudari tn ny nn st se sh mh mm msi mkom kom skom "
    "spd mpd pd skm sked ked amd ners apt sp spog sst ssos sip sag ag ma mt msc phd ssi si sp kes mkes akt ak".split()
)
_MAX_TOKENS = 8


def normalise_text(text: object) -> str:
    """The one normalisation before any identifier search: NFKC (full-width digits and letters -> ASCII, no-break and
    other spaces -> a space), every kind of dash -> ``-``.

    Examples
    --------
    >>> normalise_text("１９８５０３１２\u00a0201001 1 001 – Dinas")
    '19850312 201001 1 001 - Dinas'
    """
    return unicodedata.normalize("NFKC", str(text)).translate(_DASHES)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Name tokens of ``text``: (lower-case word, start, end), without titles and one-letter initials."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group(0).lower().replace("’", "'")
        if len(w) < 2 or w in _TITLES:
            continue
        out.append((w, m.start(), m.end()))
    return out


def name_keys(names: Iterable) -> frozenset:
    """Keys of person names usable by :func:`find_pii`: the sorted tuple of a name's words (lower case, letters only,
    titles and initials dropped), so a name matches in any word order. Names of fewer than 4 letters are ignored (too
    likely to be ordinary words).

    Examples
    --------
    >>> sorted(name_keys(["Rahmawati Desi Hasan", "Dr. Budi A. Santoso, S.Kom", "Al", None]))
    [('budi', 'santoso'), ('desi', 'hasan', 'rahmawati')]
    """
    s = pd.Series(list(names), dtype=object).dropna().astype(str)
    out = set()
    for u in pd.unique(s):
        t = tuple(sorted(w for w, _, _ in _tokens(normalise_text(u))))
        if t and len(t) <= _MAX_TOKENS and sum(len(w) for w in t) >= 4:
            out.add(t)
    return frozenset(out)


_LENGTHS: dict[int, tuple[frozenset, tuple[int, ...]]] = {}


def _lengths(names: frozenset) -> tuple[int, ...]:
    """Word counts of the known names, longest first, computed once per set of names. Remembered by the object's
    identity: an equal set that is another object (the run's names read back by a worker) would otherwise be compared
    element by element on every lookup of a cache keyed by value (0.04 s a call with 300,000 names)."""
    hit = _LENGTHS.get(id(names))
    if hit is not None and hit[0] is names:
        return hit[1]
    out = tuple(sorted({len(k) for k in names}, reverse=True))
    if len(_LENGTHS) >= 8:
        _LENGTHS.pop(next(iter(_LENGTHS)))
    _LENGTHS[id(names)] = (names, out)
    return out


def _name_spans(text: str, keys: frozenset, lengths: tuple[int, ...]) -> list[tuple[int, int]]:
    toks = _tokens(text)
    spans = []
    for n in lengths:
        for i in range(len(toks) - n + 1):
            window = toks[i : i + n]
            if tuple(sorted(w for w, _, _ in window)) in keys:
                spans.append((window[0][1], window[-1][2]))
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _redact_one(text: str, names: frozenset, lengths: tuple[int, ...]) -> str | None:
    """``text`` with each identifier and known name replaced by ``<redacted>``, or None when it holds none."""
    norm = normalise_text(text)
    spans = [m.span() for m in _IDENTIFIER_RE.finditer(norm)]
    if names and re.search(r"[^\W\d_]{2}", norm):
        spans += _name_spans(norm, names, lengths)
    if not spans:
        return None
    parts, at = [], 0
    for a, b in _merge(spans):
        parts += [norm[at:a], REDACTED]
        at = b
    parts.append(norm[at:])
    return "".join(parts)


def redact_text(text: object, names: frozenset = frozenset()) -> str:
    """``text`` with every identifier (NIP/NI PPPK/NIK, e-mail, phone) and known name replaced by ``<redacted>``
    (normalised by :func:`normalise_text` when something was found; unchanged otherwise).

    Examples
    --------
    >>> redact_text("pelatihan_198503122010011002_budi_santoso.csv", name_keys(["Budi Santoso"]))
    'pelatihan_<redacted>_<redacted>.csv'
    >>> redact_text("Hubungi budi@bkpsdm.go.id / +62 812-3456-7890")
    'Hubungi <redacted> / <redacted>'
    """
    lengths = _lengths(names)
    red = _redact_one(str(text), names, lengths)
    return str(text) if red is None else red


def has_identifier(text: object, names: frozenset = frozenset()) -> bool:
    """True when ``text`` holds an identifier or a known name (see :func:`redact_text`)."""
    lengths = _lengths(names)
    return _redact_one(str(text), names, lengths) is not None


def find_pii(values: Iterable, names: frozenset = frozenset()) -> tuple[np.ndarray, list]:
    """Scan distinct values: ``(has_pii, redacted)`` where ``has_pii[k]`` tells whether ``values[k]`` holds an
    identifier or a known name, and ``redacted[k]`` is the value with each match replaced by ``<redacted>``.

    Examples
    --------
    >>> has, red = find_pii(["Dinas Sosial 198711182013091001", "Dinas Kesehatan (Bp. Hasan, Rahmawati Desi)",
    ...                      "Dinas Pendidikan", None], name_keys(["Rahmawati Desi Hasan"]))
    >>> has.tolist()
    [True, True, False, False]
    >>> red[:2]
    ['Dinas Sosial <redacted>', 'Dinas Kesehatan (Bp. <redacted>)']
    """
    vals = list(values)
    has = np.zeros(len(vals), dtype=bool)
    red = list(vals)
    lengths = _lengths(names)
    for k, v in enumerate(vals):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        r = _redact_one(str(v), names, lengths)
        if r is not None:
            has[k] = True
            red[k] = r
    return has, red


def has_nip_run(s: pd.Series) -> bool:
    """True when any (distinct) value of ``s`` holds an 18-digit run (any separators, after normalisation)."""
    u = pd.unique(s.dropna().astype(str))
    return any(_NIP_RE.search(normalise_text(v)) for v in u)


def redact_series(s: pd.Series, names: frozenset = frozenset()) -> tuple[pd.Series, np.ndarray]:
    """``(redacted series, per-row mask of the rows changed)``; the work is done on the distinct values."""
    codes, uniques = factorize_text(s)
    has, red = find_pii(list(uniques), names)
    if not has.any():
        return s, np.zeros(len(s), dtype=bool)
    mask = np.append(has, False)[np.where(codes < 0, len(has), codes)]
    return take_strings(red, codes, index=s.index, name=s.name), mask


def redact_cells(values: np.ndarray, names: frozenset = frozenset()) -> np.ndarray:
    """Cells shown in validation.csv: a value holding an identifier or a known name becomes ``<redacted>``."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    has, _ = find_pii(list(uniques), names)
    if not has.any():
        return values
    out = np.asarray(values, dtype=object).copy()
    out[np.append(has, False)[np.where(codes < 0, len(has), codes)]] = REDACTED
    return out
