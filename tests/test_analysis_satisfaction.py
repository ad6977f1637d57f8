"""IKM (PermenPANRB 14/2017): the regulation's formula computed in R (tests/reference/analyses_resistance_satisfaction.R,
fixture analyses_rs_ikm.json), mutu boundaries, periods, bootstrap coverage and recovery of the synthetic truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis import satisfaction as sf
from kinerja_research.errors import KinerjaError

REF = Path(__file__).parent / "reference"
IKM = json.loads((REF / "analyses_rs_ikm.json").read_text())
SKM = pd.read_csv(REF / "analyses_rs_skm.csv")


def test_ikm_matches_r_formula():
    # R: sum(colMeans(U1..U9) * 1/9) * 25, round(., 2), mutu thresholds
    r = sf.ikm(SKM, between=None, n_boot=0)
    np.testing.assert_allclose(r.estimate[0], IKM["overall"]["ikm_raw"], rtol=1e-12)
    assert r.ikm[0] == IKM["overall"]["ikm"] and r.mutu[0] == IKM["overall"]["mutu"] and r.n[0] == 240
    np.testing.assert_allclose(r.nrr_tertimbang[0], IKM["overall"]["ikm_raw"] / 25, rtol=1e-12)
    p = sf.ikm(SKM, between=None, n_boot=0, weight="printed")  # R: weights 0.11
    np.testing.assert_allclose(p.estimate[0], IKM["overall_printed"]["ikm_raw"], rtol=1e-12)
    u = sf.ikm(SKM, between="service_unit", n_boot=0).set_index("service_unit")
    for unit, ref in IKM["by_unit"].items():
        np.testing.assert_allclose(u.loc[unit, "estimate"], ref["ikm_raw"], rtol=1e-12)
        assert u.loc[unit, "mutu"] == ref["mutu"] and u.loc[unit, "n"] == ref["n"]
    s = sf.ikm(SKM, between=None, period="semester", n_boot=0).set_index("period")
    for sem, ref in IKM["by_semester"].items():
        np.testing.assert_allclose(s.loc[sem, "estimate"], ref["ikm_raw"], rtol=1e-12)


def test_element_means_match_r():
    e = sf.ikm_elements(SKM, between=None)
    np.testing.assert_allclose(e.estimate, [IKM["overall"]["nrr"][f"U{i}"] for i in range(1, 10)], rtol=1e-12)
    assert e.weakest.sum() >= 1
    assert (e.loc[e.weakest, "estimate"] == e.estimate.min()).all()
    np.testing.assert_allclose(e.score, 25 * e.estimate)
    assert (e.below_b == (sf.round_half_up(e.score) < 76.61)).all()


def test_trend_matches_r_lm():
    t = sf.ikm_trend(SKM, between=None)  # R: lm(score ~ t), t = period number
    for col in ["estimate", "se", "statistic", "p"]:
        np.testing.assert_allclose(t[col][0], IKM["trend"][col], rtol=1e-9)
    assert t.df[0] == 238 and t.n_periods[0] == 4


@pytest.mark.parametrize(
    "value,mutu,label",
    [
        (100.0, "A", "Sangat Baik"),
        (88.31, "A", "Sangat Baik"),
        (88.305, "A", "Sangat Baik"),
        (88.3049, "B", "Baik"),
        (88.30, "B", "Baik"),
        (76.61, "B", "Baik"),
        (76.6049, "C", "Kurang Baik"),
        (65.00, "C", "Kurang Baik"),
        (64.995, "C", "Kurang Baik"),
        (64.99, "D", "Tidak Baik"),
        (25.0, "D", "Tidak Baik"),
    ],
)
def test_mutu_thresholds_after_rounding(value, mutu, label):
    m, lab = sf.ikm_mutu([value])
    assert m[0] == mutu and lab[0] == label


def test_all_fours_and_all_ones():
    d = pd.DataFrame({f"U{i}": [4, 4, 4] for i in range(1, 10)})
    assert sf.ikm(d, between=None, n_boot=0).estimate[0] == 100.0
    assert sf.ikm(d, between=None, n_boot=0, weight="printed").ikm[0] == 99.0
    d1 = pd.DataFrame({f"U{i}": [1, 1] for i in range(1, 10)})
    r = sf.ikm(d1, between=None, n_boot=0)
    assert r.estimate[0] == 25.0 and r.mutu[0] == "D"


def test_missing_answer_is_pairwise_and_periods():
    d = SKM.copy()
    d.loc[0, "U3"] = np.nan
    e = sf.ikm_elements(d, between=None)
    assert e.set_index("term").loc["U3", "n"] == 239 and e.set_index("term").loc["U1", "n"] == 240
    r = sf.ikm(d, between=None, n_boot=50, seed=1)
    np.testing.assert_allclose(r.estimate[0], 25 * e.estimate.mean())
    assert r.ci_low[0] < r.estimate[0] < r.ci_high[0]
    q = sf.ikm(SKM, between="service_unit", period="quarter", n_boot=0)
    assert len(q) == 12 and set(q.period) == {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}


def test_bootstrap_is_seeded_and_vectorised_over_groups():
    a = sf.ikm(SKM, between="service_unit", n_boot=300, seed=7)
    b = sf.ikm(SKM, between="service_unit", n_boot=300, seed=7)
    c = sf.ikm(SKM, between="service_unit", n_boot=300, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.ci_low, c.ci_low)
    assert (a.ci_low < a.estimate).all() and (a.estimate < a.ci_high).all()


def test_bad_answers_raise():
    d = SKM.copy()
    d.loc[5, "U4"] = 5
    with pytest.raises(KinerjaError, match="row 6, column 'U4', value 5"):
        sf.ikm(d, between=None)
    d = SKM.copy()
    d["period"] = d["period"].astype(object)
    d.loc[2, "period"] = "Q1 2026"
    with pytest.raises(KinerjaError, match="row 3, column 'period'"):
        sf.ikm(d, between=None, period="quarter")
    with pytest.raises(KinerjaError, match="weight"):
        sf.ikm(SKM, between=None, weight="0.11")


def _coverage(n_sims: int, n_boot: int) -> float:
    # population: element answers with known probabilities -> true IKM = 25 * mean of expected answers
    probs = np.array([0.05, 0.15, 0.45, 0.35])
    true = 25 * (probs @ np.arange(1, 5))
    hits = 0
    for s in range(n_sims):  # simulation replicates (not rows)
        rng = np.random.default_rng(1000 + s)
        d = pd.DataFrame({f"U{i}": rng.choice(np.arange(1, 5), size=150, p=probs) for i in range(1, 10)})
        r = sf.ikm(d, between=None, n_boot=n_boot, seed=s)
        hits += bool(r.ci_low[0] <= true <= r.ci_high[0])
    return hits / n_sims


def test_bootstrap_coverage_small():
    assert 0.80 <= _coverage(40, 400) <= 1.0


@pytest.mark.slow
def test_bootstrap_coverage_500_seeds():
    assert 0.93 <= _coverage(500, 2000) <= 0.97


def test_default_synthetic_data_ikm_matches_r():
    # R: the regulation's formula on the SKM answers of simulate(seed=2026), per region
    ref = json.loads((REF / "analyses_rs_default.json").read_text())["ikm"]
    d = pd.read_csv(REF / "analyses_rs_default_skm.csv", dtype={"region_code": str})
    r = sf.ikm(d, n_boot=0).set_index("region")
    for region, val in ref.items():
        np.testing.assert_allclose(r.loc[region, "estimate"], val["ikm_raw"], rtol=1e-12)
        assert r.loc[region, "ikm"] == val["ikm"] and r.loc[region, "mutu"] == val["mutu"]
        assert r.loc[region, "n"] == val["n"]
