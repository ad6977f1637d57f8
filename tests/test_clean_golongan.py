"""Golongan/pangkat normalisation."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja_research.clean.golongan import PANGKAT, PNS_GRADES, parse_golongan

ARABIC = {"I": "1", "II": "2", "III": "3", "IV": "4"}


def variants(g: str) -> list[str]:
    r, s = g.split("/")
    return [
        g,
        f"{r}{s}",
        f"{ARABIC[r]}{s}",
        f"{r}-{s.upper()}",
        g.lower(),
        f"{r} / {s}",
        PANGKAT[g],
        PANGKAT[g].upper(),
        f"{PANGKAT[g]} ({g})",
        f"{PANGKAT[g]}, {g}",
        f"Gol. {g}",
        f"  {g} ",
    ]


def test_every_grade_and_spelling_maps_to_canonical_with_rank():
    raw, want, rank = [], [], []
    for i, g in enumerate(PNS_GRADES):
        for v in variants(g):
            raw.append(v), want.append(g), rank.append(i + 1)
    r = parse_golongan(pd.Series(raw))
    assert r["golongan"].tolist() == want
    assert r["golongan_rank"].tolist() == rank
    is_canon = pd.Series(raw) == pd.Series(want)
    assert r["golongan_rule"][is_canon].isna().all()
    assert (r["golongan_rule"][~is_canon] == "golongan_variant").all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(PNS_GRADES + ("PPPK-I", "PPPK-IX", "PPPK-XVII")), min_size=1, max_size=30))
def test_canonical_values_are_unchanged(grades):
    r = parse_golongan(pd.Series(grades))
    assert r["golongan"].tolist() == grades  # cleaning clean data changes nothing
    assert r["golongan_rule"].isna().all()


def test_pppk_is_its_own_scale_without_pns_rank():
    r = parse_golongan(pd.Series(["PPPK IX", "IX", "IX (PPPK)", "pppk-9", "PPPK golongan V", "PPPK XVIII"]))
    assert r["golongan"].tolist()[:5] == ["PPPK-IX"] * 4 + ["PPPK-V"]
    assert r["golongan_rank"].isna().all()
    assert r.loc[5, "golongan_rule"] == "golongan_unknown"


def test_unknown_and_missing():
    r = parse_golongan(pd.Series(["V/a", "III/f", "Kepala", None, "  "]))
    assert r["golongan"].isna().all()
    assert r["golongan_rule"].tolist() == ["golongan_unknown"] * 3 + [pd.NA, pd.NA]


def test_bare_roman_numeral_read_by_employment():
    """Reviewer finding: "III" / "Gol. III" was read as a PPPK grade, so those PNS dropped out of the 20 JP analysis.
    A bare I-IV is a PNS group with unknown ruang unless the NI PPPK says PPPK; V-XVII alone is a PPPK grade."""
    values = pd.Series(["III", "Gol. III", "golongan II", "IX", "III", "IX", "XVII", "III/a", "PPPK V"])
    employment = pd.Series(["PNS", "PNS", None, "PPPK", "PPPK", None, "PNS", "PPPK", "PNS"])
    r = parse_golongan(values, employment=employment)
    assert r["golongan"].tolist() == [
        "III",
        "III",
        "II",
        "PPPK-IX",
        "PPPK-III",
        "PPPK-IX",
        "PPPK-XVII",
        "III/a",
        "PPPK-V",
    ]
    assert r["golongan_rank"].isna().tolist() == [True] * 7 + [False, True]
    assert r["golongan_rule"].tolist()[:3] == ["golongan_ruang_unknown"] * 3
    # a grade of the other scale is kept as written and flagged, both ways (both facts shown by the clean step): a
    # PPPK grade ("XVII" alone, "PPPK V") held by a civil servant, a PNS grade ("III/a") held by PPPK staff
    assert r["employment_conflict"].tolist() == [False] * 6 + [True, True, True]


def test_without_employment_bare_group_is_pns_never_pppk():
    r = parse_golongan(pd.Series(["III", "IV", "Gol. I", "VII"]))
    assert r["golongan"].tolist() == ["III", "IV", "I", "PPPK-VII"]
    assert r["golongan_rule"].tolist()[:3] == ["golongan_ruang_unknown"] * 3
