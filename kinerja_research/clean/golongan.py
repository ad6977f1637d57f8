"""Golongan/pangkat (civil-service grade) to canonical form and ordinal rank.

PNS grades run from I/a (Juru Muda) to IV/e (Pembina Utama), 17 steps, written many ways: ``"III/a"``, ``"IIIa"``,
``"3a"``, ``"III-A"``, ``"iii/a"``, ``"Penata Muda"``, ``"Penata Muda (III/a)"``. PPPK (contract) grades I-XVII are a
separate scale, canonical ``"PPPK-IX"``; they have no PNS rank. A bare roman numeral is read by who holds it: for
PPPK staff (NI PPPK) ``"IX"`` is ``PPPK-IX``; for a civil servant (or when nobody says) ``"III"`` / ``"Gol. III"`` is
the PNS group III with its ruang unknown (canonical ``"III"``, no rank, rule ``golongan_ruang_unknown``), never a
PPPK grade. Each distinct value (with its employment) is parsed once, then mapped.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kinerja_research._arrays import take_strings

__all__ = ["PNS_GRADES", "PNS_GROUPS", "PPPK_GRADES", "PANGKAT", "parse_golongan"]

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
#: Canonical PPPK grades (their own scale, no PNS rank).
PPPK_GRADES = tuple(f"PPPK-{r}" for r in _PPPK_ROMAN)
#: PNS groups written without their ruang (canonical golongan ``"III"``: group known, ruang unknown, no rank).
PNS_GROUPS = ("I", "II", "III", "IV")
_PNS_RE = re.compile(r"^(IV|III|II|I|[1-4])\s*[/\-.\s]?\s*([A-E])$")
_PPPK_RE = re.compile(r"^PPPK\s*[-/.\s]?\s*(?:GOL(?:ONGAN)?\.?\s*)?([IVX]+|\d{1,2})$")
_PPPK_SUFFIX_RE = re.compile(r"^([IVX]+|\d{1,2})\s*\(?\s*PPPK\s*\)?$")
# A roman numeral (or 1-17) alone: a PPPK grade for PPPK staff; I-IV is a PNS group with unknown ruang otherwise.
_BARE_ROMAN_RE = re.compile(r"^(XVII|XVI|XV|XIV|XIII|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I|1[0-7]|[1-9])$")
_PNS_ANYWHERE = re.compile(r"(?:^|[\s,(])(IV|III|II|I)\s*/\s*([A-E])(?:$|[\s,)])")


def _one(raw: str) -> tuple[str | None, str | None, int | None]:
    """``(kind, canonical, rank)`` of one raw value; kind is ``"pns"``, ``"pppk"`` (said so), ``"bare"`` (a number
    alone: canonical is the number 1-17 as a roman numeral) or None (not recognised / blank)."""
    text = raw.strip()
    if not text:
        return None, None, None
    up = re.sub(r"\s+", " ", text.upper())
    up = re.sub(r"^(GOL(ONGAN)?|GOL\.)\s*[.:]?\s*", "", up)
    m = _PPPK_RE.match(up) or _PPPK_SUFFIX_RE.match(up)
    if m:
        g = m.group(1)
        n = int(g) if g.isdigit() else _PPPK.get(g)
        if n is not None and 1 <= n <= 17:
            return "pppk", f"PPPK-{_PPPK_ROMAN[n - 1]}", None
        return None, None, None
    m = _BARE_ROMAN_RE.match(up)
    if m:
        g = m.group(1)
        n = int(g) if g.isdigit() else _PPPK.get(g)
        return "bare", _PPPK_ROMAN[n - 1], None
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
                return "pns", g, _RANK[g]
    name = re.split(r"[(,]", up)[0]
    key = re.sub(
        r"[^a-z0-9]",
        "",
        name.lower().replace("tingkat i", "tk1").replace("tk. i", "tk1").replace("tk.i", "tk1").replace("tk i", "tk1"),
    )
    if key in _PANGKAT_KEY:
        g = _PANGKAT_KEY[key]
        return "pns", g, _RANK[g]
    return None, None, None


def _resolve(raw: str, kind, canon, rank, employment) -> tuple[str | None, int | None, str | None, bool]:
    """Golongan, rank, rule and conflict flag of one raw value held by someone of ``employment`` (``"PNS"``,
    ``"PPPK"`` or None). A grade of the other scale is kept as written and flagged, both ways: a PNS grade held by
    PPPK staff (the NI PPPK says PPPK), a PPPK grade (``"PPPK IX"``, or ``"IX"`` alone, which only PPPK has) held by a
    civil servant (the NIP says PNS)."""
    if kind is None:
        return None, None, (None if not raw.strip() else "golongan_unknown"), False
    if kind == "bare":
        if employment == "PPPK":
            return f"PPPK-{canon}", None, "golongan_variant", False
        if canon in PNS_GROUPS:
            return canon, None, "golongan_ruang_unknown", False
        # V-XVII alone can only be a PPPK grade
        return f"PPPK-{canon}", None, "golongan_variant", employment == "PNS"
    conflict = (employment == "PPPK" and kind == "pns") or (employment == "PNS" and kind == "pppk")
    return canon, rank, (None if raw == canon else "golongan_variant"), conflict


def parse_golongan(values: pd.Series, *, employment: pd.Series | None = None) -> pd.DataFrame:
    """Canonical golongan and its ordinal rank.

    Parameters
    ----------
    values : pandas.Series
        Raw golongan/pangkat text.
    employment : pandas.Series, optional
        ``"PNS"`` / ``"PPPK"`` per row (from the NIP or NI PPPK; missing when unknown), which decides what a bare
        roman numeral means and finds a grade that contradicts the number (a PNS grade held by PPPK staff, a PPPK
        grade held by a civil servant).

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``golongan`` (``"III/a"``, ``"PPPK-IX"``, ``"III"`` for a PNS group without ruang;
        missing when unrecognised or missing), ``golongan_rank`` (Int64: PNS I/a = 1 ... IV/e = 17;
        missing for PPPK grades, a separate scale, and for a group without ruang), ``golongan_rule``
        (``"golongan_variant"`` when the raw text differs from the canonical form, ``"golongan_ruang_unknown"`` for a
        PNS group without ruang, ``"golongan_employment_conflict"`` when the grade's scale contradicts
        ``employment``, ``"golongan_unknown"`` when it cannot be recognised, missing otherwise).

    Examples
    --------
    >>> import pandas as pd
    >>> parse_golongan(pd.Series(["III/a", "3a", "iii-A", "Penata Muda", "PPPK IX", "Z"])).iloc[:, :3].values.tolist()
    [['III/a', 9, <NA>], ['III/a', 9, 'golongan_variant'], ['III/a', 9, 'golongan_variant'], \
['III/a', 9, 'golongan_variant'], ['PPPK-IX', <NA>, 'golongan_variant'], [<NA>, <NA>, 'golongan_unknown']]
    >>> parse_golongan(pd.Series(["Gol. III", "III", "IX", "III/a"]), employment=pd.Series(["PNS", "PPPK", "PPPK",
    ...                "PPPK"])).values.tolist()
    [['III', <NA>, 'golongan_ruang_unknown', False], ['PPPK-III', <NA>, 'golongan_variant', False], \
['PPPK-IX', <NA>, 'golongan_variant', False], ['III/a', 9, <NA>, True]]
    >>> parse_golongan(pd.Series(["PPPK-IX", "IX", "III/a"]), employment=pd.Series(["PNS", "PNS", "PNS"]))[
    ...     "employment_conflict"].tolist()
    [True, True, False]
    """
    s = pd.Series(values, copy=False).astype("string")
    if employment is None:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        pairs = [(u, None) for u in uniques]
    else:
        emp = pd.Series(employment, copy=False).astype("string").reindex(s.index)
        # one code per distinct (value, employment) pair; a missing value stays missing whoever holds it
        key = s.fillna("\x00") + "\x01" + emp.fillna("")
        codes, uniques = pd.factorize(key.where(s.notna()), use_na_sentinel=True)
        pairs = [(u.split("\x01")[0], u.split("\x01")[1] or None) for u in uniques]
    gs, rs, rules, conflicts = [], [], [], []
    parsed: dict[str, tuple] = {}
    for raw, emp_value in pairs:
        raw = str(raw)
        if raw not in parsed:
            parsed[raw] = _one(raw)
        g, r, rule, conflict = _resolve(raw, *parsed[raw], emp_value)
        gs.append(g)
        rs.append(r)
        rules.append(rule)
        conflicts.append(conflict)
    idx = np.where(codes < 0, len(gs), codes)
    ranks = np.array([np.nan if r is None else r for r in rs] + [np.nan], dtype=float)[idx]
    return pd.DataFrame(
        {
            "golongan": take_strings(gs, codes, index=s.index),
            "golongan_rank": pd.array(ranks, dtype="Float64").astype("Int64"),
            "golongan_rule": take_strings(rules, codes, index=s.index),
            "employment_conflict": np.array(conflicts + [False], dtype=bool)[idx],
        },
        index=s.index,
    )
