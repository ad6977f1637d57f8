"""The named constants of kinerja_research.standards: their values, their flat export, and agreement with the other
places that still state the same knowledge (until those read it from standards)."""

from __future__ import annotations

import numpy as np
import pytest

import kinerja_research as kr
from kinerja_research import standards as S
from kinerja_research.analysis.satisfaction import ikm_mutu
from kinerja_research.analysis.skp import skp_predicate
from kinerja_research.instruments import load_codebook


def test_flat_export():
    for name in S.__all__:
        assert getattr(kr, name) is getattr(S, name)


def test_ikm_bands_are_the_regulation_and_the_codebook():
    assert [(b.mutu, b.low, b.high) for b in S.IKM_BANDS.values()] == [
        ("A", 88.31, 100.0),
        ("B", 76.61, 88.30),
        ("C", 65.00, 76.60),
        ("D", 25.00, 64.99),
    ]
    bands = load_codebook("skm").scoring["bands"]  # the codebook's copy (instruments/skm.yml) must agree
    assert [(b["grade"], b["low"], b["high"], b["label_id"], b["label_en"]) for b in bands] == [
        (b.mutu, b.low, b.high, b.kinerja, b.kinerja_en) for b in S.IKM_BANDS.values()
    ]
    assert S.IKM_GOOD_MIN == 76.61
    # every band's limits classify into that band (after the regulation's two-decimal rounding)
    for b in S.IKM_BANDS.values():
        assert ikm_mutu([b.low, b.high])[0].tolist() == [b.mutu, b.mutu]


def test_predicates_and_matrix():
    assert S.PREDICATES == ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang")
    assert set(S.PREDICATE_MATRIX.values()) == set(S.PREDICATES)
    for (h, p), label in S.PREDICATE_MATRIX.items():
        assert skp_predicate(h, p) == label


def test_thesis_thresholds():
    assert (S.JP_TARGET, S.JP_MINUTES, S.MIN_REGION_N) == (20.0, 45, 30)
    assert (S.TOLERANCE_MIN, S.VIF_MAX, S.ITEM_TOTAL_MIN, S.SUS_BENCHMARK) == (0.10, 10.0, 0.30, 68.0)
    a = np.array([0.59, 0.60, 0.61, 0.70])
    assert S.is_reliable(a).tolist() == [False, False, True, True]  # Ghozali: alpha > .60
    assert S.is_reliable(a, rule="nunnally").tolist() == [False, False, False, True]  # Nunnally: alpha >= .70
    with pytest.raises(ValueError, match="rule"):
        S.is_reliable(0.8, rule="sugiyono")
