"""Personal data typed into free-text cells: NIP-like 18-digit runs and known person names.

The clean step drops the ``nip``/``name``/``email``/``phone`` columns, but people also type a NIP or a name into
other cells ("Dinas Sosial 198711182013091001", "Dinas Kesehatan (Bp. Rahmawati Desi Hasan)"). These functions find
them on the *distinct* values of a column (the cost grows with distinct values, not rows) and redact them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["REDACTED", "NIP_RUN", "name_keys", "find_pii", "redact_series", "redact_cells", "has_nip_run"]

REDACTED = "<redacted>"
#: 18 or more digits, optionally with one space or dot between digit groups ("19871118 201309 1 001").
NIP_RUN = r"(?<!\d)\d(?:[ .]?\d){17,}(?!\d)"
_NIP_RE = re.compile(NIP_RUN)
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_MAX_TOKENS = 8


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def name_keys(names: Iterable) -> frozenset:
    """Token tuples of person names (lower case, letters only) usable by :func:`find_pii`; names of fewer than 4
    letters are ignored (too likely to occur as ordinary words).

    Examples
    --------
    >>> sorted(name_keys(["Rahmawati Desi Hasan", "Al", None]))
    [('rahmawati', 'desi', 'hasan')]
    """
    s = pd.Series(list(names), dtype=object).dropna().astype(str)
    out = set()
    for u in pd.unique(s):
        t = tuple(_tokens(u))
        if t and len(t) <= _MAX_TOKENS and sum(len(w) for w in t) >= 4:
            out.add(t)
    return frozenset(out)


def _names_in(text: str, keys: frozenset, lengths: tuple[int, ...]) -> list[tuple[str, ...]]:
    toks = _tokens(text)
    hits = []
    for n in lengths:
        for i in range(len(toks) - n + 1):
            t = tuple(toks[i : i + n])
            if t in keys:
                hits.append(t)
    return hits


def find_pii(values: Iterable, names: frozenset = frozenset()) -> tuple[np.ndarray, list]:
    """Scan distinct values: ``(has_pii, redacted)`` where ``has_pii[k]`` tells whether ``values[k]`` holds an
    18-digit run or a known name, and ``redacted[k]`` is the value with each match replaced by ``<redacted>``.

    Examples
    --------
    >>> has, red = find_pii(["Dinas Sosial 198711182013091001", "Dinas Kesehatan (Bp. Rahmawati Desi Hasan)",
    ...                      "Dinas Pendidikan", None], name_keys(["Rahmawati Desi Hasan"]))
    >>> has.tolist()
    [True, True, False, False]
    >>> red[:2]
    ['Dinas Sosial <redacted>', 'Dinas Kesehatan (Bp. <redacted>)']
    """
    vals = list(values)
    has = np.zeros(len(vals), dtype=bool)
    red = list(vals)
    if not vals:
        return has, red
    s = pd.Series(vals, dtype=object)
    text = s.where(s.notna(), "").astype(str)
    digits = text.str.contains(_NIP_RE).to_numpy(dtype=bool)
    lengths = tuple(sorted({len(k) for k in names}, reverse=True))
    for k in np.flatnonzero(digits):
        red[k] = _NIP_RE.sub(REDACTED, text.iat[k])
        has[k] = True
    if names:
        # only values with enough letters to hold a name are tokenised
        candidates = np.flatnonzero(text.str.contains(r"[^\W\d_]{2}", regex=True).to_numpy(dtype=bool))
        for k in candidates:
            hits = _names_in(text.iat[k], names, lengths)
            if not hits:
                continue
            cur = red[k] if has[k] else text.iat[k]
            for t in sorted(set(hits), key=len, reverse=True):
                pat = r"(?<![^\W\d_])" + r"[\W_]+".join(re.escape(w) for w in t) + r"(?![^\W\d_])"
                cur = re.sub(pat, REDACTED, cur, flags=re.IGNORECASE)
            red[k] = cur
            has[k] = True
    return has, red


def has_nip_run(s: pd.Series) -> bool:
    """True when any (distinct) value of ``s`` holds an 18-digit run."""
    u = pd.Series(pd.unique(s.dropna().astype(str)), dtype=object)
    return bool(u.str.contains(_NIP_RE).any()) if len(u) else False


def redact_series(s: pd.Series, names: frozenset = frozenset()) -> tuple[pd.Series, np.ndarray]:
    """``(redacted series, per-row mask of the rows changed)``; the work is done on the distinct values."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    has, red = find_pii(list(uniques), names)
    if not has.any():
        return s, np.zeros(len(s), dtype=bool)
    from kinerja_research._arrays import take_strings

    mask = np.append(has, False)[np.where(codes < 0, len(has), codes)]
    return take_strings(red, codes, index=s.index, name=s.name), mask


def redact_cells(values: np.ndarray, names: frozenset = frozenset()) -> np.ndarray:
    """Cells shown in validation.csv: a value holding an 18-digit run or a known name becomes ``<redacted>``."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    has, _ = find_pii(list(uniques), names)
    if not has.any():
        return values
    out = np.asarray(values, dtype=object).copy()
    out[np.append(has, False)[np.where(codes < 0, len(has), codes)]] = REDACTED
    return out
