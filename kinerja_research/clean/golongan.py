"""Golongan/pangkat (civil-service grade) to canonical form and ordinal rank.

PNS grades run from I/a (Juru Muda) to IV/e (Pembina Utama), 17 steps, written many ways: ``"III/a"``, ``"IIIa"``,
``"3a"``, ``"III-A"``, ``"iii/a"``, ``"Penata Muda"``, ``"Penata Muda (III/a)"``. PPPK (contract) grades I-XVII are a
separate scale, canonical ``"PPPK-IX"``; they have no PNS rank. Each distinct value is parsed once, then mapped.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["PNS_GRADES", "PANGKAT", "parse_golongan"]

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
#: Canonical PNS grades in rank order (I/a = rank 1 ... IV/e = rank 17).
PNS_GRADES = tuple([f"{r}/{s}" for r in ("I", "II", "III") for s in "abcd"] + [f"IV/{s}" for s in "abcde"])
#: Pangkat name of each PNS grade (BKN).
PANGKAT = dict(
    zip(
        PNS_GRADES,
        [
            "Juru Muda",
            "Juru Muda Tingkat I",
            "Juru",
            "Juru Tingkat I",
            "Pengatur Muda",
            "Pengatur Muda Tingkat I",
            "Pengatur",
            "Pengatur Tingkat I",
            "Penata Muda",
            "Penata Muda Tingkat I",
            "Penata",
            "Penata Tingkat I",
            "Pembina",
            "Pembina Tingkat I",
            "Pembina Utama Muda",
            "Pembina Utama Madya",
            "Pembina Utama",
        ],
    )
)
_RANK = {g: i + 1 for i, g in enumerate(PNS_GRADES)}
_PANGKAT_KEY = {
    re.sub(r"[^a-z0-9]", "", v.lower().replace("tingkat i", "tk1").replace("tk. i", "tk1")): k
    for k, v in PANGKAT.items()
}
_PPPK_ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
]
_PPPK = {r: i + 1 for i, r in enumerate(_PPPK_ROMAN)}
_PNS_RE = re.compile(r"^(IV|III|II|I|[1-4])\s*[/\-.\s]?\s*([A-E])$")
_PPPK_RE = re.compile(r"^PPPK\s*[-/.\s]?\s*(?:GOL(?:ONGAN)?\.?\s*)?([IVX]+|\d{1,2})$")
_PPPK_SUFFIX_RE = re.compile(r"^([IVX]+|\d{1,2})\s*\(?\s*PPPK\s*\)?$")
# A roman numeral alone is a PPPK grade (PNS grades always carry a letter).
_BARE_ROMAN_RE = re.compile(r"^(V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI|XVII|I|II|III|IV)$")
_PNS_ANYWHERE = re.compile(r"(?:^|[\s,(])(IV|III|II|I)\s*/\s*([A-E])(?:$|[\s,)])")


def _one(raw: str) -> tuple[str | None, int | None]:
    text = raw.strip()
    if not text:
        return None, None
    up = re.sub(r"\s+", " ", text.upper())
    up = re.sub(r"^(GOL(ONGAN)?|GOL\.)\s*[.:]?\s*", "", up)
    m = _PPPK_RE.match(up) or _PPPK_SUFFIX_RE.match(up) or _BARE_ROMAN_RE.match(up)
    if m:
        g = m.group(1)
        n = int(g) if g.isdigit() else _PPPK.get(g)
        if n is not None and 1 <= n <= 17:
            return f"PPPK-{_PPPK_ROMAN[n - 1]}", None
        return None, None
    paren = re.search(r"\(([^)]*)\)", up)
    anywhere = _PNS_ANYWHERE.search(up)
    candidates = [paren.group(1).strip()] if paren else []
    candidates.append(up)
    if anywhere:
        candidates.append(f"{anywhere.group(1)}/{anywhere.group(2)}")
    for c in candidates:
        m = _PNS_RE.match(c)
        if m:
            r, s = m.groups()
            r = {"1": "I", "2": "II", "3": "III", "4": "IV"}.get(r, r)
            g = f"{r}/{s.lower()}"
            if g in _RANK:
                return g, _RANK[g]
    name = re.split(r"[(,]", up)[0]
    key = re.sub(
        r"[^a-z0-9]",
        "",
        name.lower().replace("tingkat i", "tk1").replace("tk. i", "tk1").replace("tk.i", "tk1").replace("tk i", "tk1"),
    )
    if key in _PANGKAT_KEY:
        g = _PANGKAT_KEY[key]
        return g, _RANK[g]
    return None, None


def parse_golongan(values: pd.Series) -> pd.DataFrame:
    """Canonical golongan and its ordinal rank.

    Parameters
    ----------
    values : pandas.Series
        Raw golongan/pangkat text.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``golongan`` (``"III/a"``, ``"PPPK-IX"``, missing when unrecognised or missing),
        ``golongan_rank`` (Int64: PNS I/a = 1 ... IV/e = 17; missing for PPPK grades, a separate scale),
        ``golongan_rule`` (``"golongan_variant"`` when the raw text differs from the canonical form,
        ``"golongan_unknown"`` when it cannot be recognised, missing otherwise).

    Examples
    --------
    >>> import pandas as pd
    >>> parse_golongan(pd.Series(["III/a", "3a", "iii-A", "Penata Muda", "PPPK IX", "Z"])).values.tolist()
    [['III/a', 9, <NA>], ['III/a', 9, 'golongan_variant'], ['III/a', 9, 'golongan_variant'], \
['III/a', 9, 'golongan_variant'], ['PPPK-IX', <NA>, 'golongan_variant'], [<NA>, <NA>, 'golongan_unknown']]
    """
    s = pd.Series(values, copy=False).astype("string")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    gs, rs, rules = [], [], []
    for u in uniques:
        g, r = _one(str(u))
        gs.append(g)
        rs.append(r)
        if g is None:
            rules.append(None if not str(u).strip() else "golongan_unknown")
        else:
            rules.append(None if str(u) == g else "golongan_variant")
    from kinerja_research._arrays import take_strings

    idx = np.where(codes < 0, len(gs), codes)
    ranks = np.array([np.nan if r is None else r for r in rs] + [np.nan], dtype=float)[idx]
    return pd.DataFrame(
        {
            "golongan": take_strings(gs, codes, index=s.index),
            "golongan_rank": pd.array(ranks, dtype="Float64").astype("Int64"),
            "golongan_rule": take_strings(rules, codes, index=s.index),
        },
        index=s.index,
    )
