"""Recovery of the planted effects of resistance to change, usability and public satisfaction on the default synthetic
data (seed 2026, scale 1), coverage of the confidence intervals over seeds, and the region comparison helper.

Truths are GROUND_TRUTH values of ``kinerja_research.synth.simulate`` (expected observed scale scores, exact IKM
population values). A family of many intervals on one data set is checked with simultaneous (Bonferroni) 95%
intervals: on seed 2026, 2 of the 20 pointwise RTC intervals (Kota Bengkulu, cognitive rigidity and total: z = 2.3)
and 1 of 4 SUS intervals (z = 2.2) miss, as chance allows; the seed-by-seed coverage tests below check the pointwise
rate (93-97% of 500 seeds in the slow version).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis import resistance as rs
from kinerja_research.analysis import satisfaction as sf
from kinerja_research.analysis.categorical import logistic
from kinerja_research.analysis.comparison import region_family
from kinerja_research.analysis.rewards import regression
from kinerja_research.errors import KinerjaError

DIMS = ["routine_seeking", "emotional_reaction", "short_term_focus", "cognitive_rigidity", "total"]


@functools.lru_cache(maxsize=4)
def _world(seed: int = 2026, scale: float = 1.0):
    from kinerja_research.synth import simulate

    return simulate(seed=seed, scale=scale)


def _scores(survey: pd.DataFrame) -> pd.DataFrame:
    from kinerja_research.measure import score_scale

    return pd.concat(
        [
            survey[["region_code", "trained", "age", "tenure_years", "golongan_rank"]],
            score_scale(survey, "rtc"),
            score_scale(survey, "sus")["total"].rename("sus"),
        ],
        axis=1,
    )


@pytest.fixture(scope="module")
def world():
    return _world()


@pytest.fixture(scope="module")
def pre(world):
    s = world.tables["survey"]
    return _scores(s[s["wave"] == "pre"])


def test_rtc_region_means_recovered(world, pre):
    truth = world.truth["regions"]
    m = rs.region_means(pre, dv=DIMS, alpha=0.05 / 20)  # 4 regions x 5 scores, simultaneous 95%
    t = np.array([truth[r]["rtc_mean"][d] for r, d in zip(m.region, m.term)])
    assert ((m.ci_low <= t) & (t <= m.ci_high)).all(), m.assign(truth=t)
    point = rs.region_means(pre, dv=DIMS)
    assert ((point.ci_low <= t) & (t <= point.ci_high)).mean() >= 0.85


def test_sus_means_recovered(world, pre):
    truth = world.truth["regions"]
    m = rs.region_means(pre, dv="sus", alpha=0.05 / 4)
    t = np.array([truth[r]["sus_mean"] for r in m.region])
    assert ((m.ci_low <= t) & (t <= m.ci_high)).all()


def test_region_differences_recovered_by_games_howell(world, pre):
    truth = world.truth["regions"]
    w = rs.welch_anova(pre, dv=DIMS)
    assert (w.p < 0.001).all()  # planted regional differences in resistance (latent 0, -.25, .35, .15)
    for dim in DIMS:
        gh = rs.games_howell(pre, dv=dim, alpha=0.05 / 5)  # simultaneous over the 6 pairs; Bonferroni over 5 scores
        diff = np.array([truth[a]["rtc_mean"][dim] - truth[b]["rtc_mean"][dim] for a, b in zip(gh.group_a, gh.group_b)])
        assert ((gh.ci_low <= diff) & (diff <= gh.ci_high)).all(), (dim, gh.assign(truth=diff))
    kd = rs.kruskal_dunn(pre, dv="total")
    assert kd.p[0] < 0.001


DRIVERS = ["age", "tenure_years", "golongan_rank", "trained"]


def test_training_lowers_resistance_driver_recovered(world):
    # post wave: trained staff have resistance -0.35 SD (latent); selection into training depends on age and
    # performance, not on resistance, so the adjusted 'trained' coefficient estimates the planted difference
    truth = world.truth["regions"]
    s = world.tables["survey"]
    post = _scores(s[s["wave"] == "post"])
    for region, sub in post.groupby("region_code"):
        r = regression(sub, dv="total", covar=DRIVERS).set_index("term")
        target = truth[region]["rtc_change_trained_minus_untrained"]
        assert r.loc["trainedTRUE", "ci_low"] <= target <= r.loc["trainedTRUE", "ci_high"], (
            region,
            r.loc["trainedTRUE"],
        )


def test_resistance_lowers_usability(pre):
    # SUS latent = 0.3 - 0.45 resistance + noise: the slope of SUS on observed RTC is negative
    lin = regression(pre, dv="sus", covar=["total", "region_code"]).set_index("term")
    assert lin.loc["total", "ci_high"] < 0 and lin.loc["total", "p"] < 1e-6
    adopt = pre.assign(adopt=(pre["sus"] >= 68).astype(float))
    log = logistic(adopt, dv="adopt", covar="total").set_index("term")
    assert log.loc["total", "effect_size"] < 1 and log.loc["total", "p"] < 0.01


def test_ikm_recovered(world):
    truth = world.truth["regions"]
    sat = world.tables["satisfaction"]
    k = sf.ikm(sat, n_boot=1000, alpha=0.05 / 4)
    t = np.array([truth[r]["ikm"] for r in k.region])
    assert ((k.ci_low <= t) & (t <= k.ci_high)).all(), k.assign(truth=t)
    e = sf.ikm_elements(sat, alpha=0.05 / 36)
    te = np.array([truth[r]["nrr_by_element"][u] for r, u in zip(e.region, e.term)])
    assert ((e.ci_low <= te) & (te <= e.ci_high)).all()
    # the weakest element flagged is one of the two truly weakest of its region
    for region, sub in e[e.weakest].groupby("region"):
        order = sorted(truth[region]["nrr_by_element"], key=truth[region]["nrr_by_element"].get)
        assert set(sub.term) & set(order[:2]), (region, sub.term.tolist(), order[:3])


def _coverage(n_seeds: int, n_boot: int) -> tuple[float, float]:
    hit_m = hit_i = tot_m = tot_i = 0
    for seed in range(n_seeds):  # simulation replicates
        w = _world.__wrapped__(seed, 0.5)
        truth = w.truth["regions"]
        s = w.tables["survey"]
        d = _scores(s[s["wave"] == "pre"])
        m = rs.region_means(d, dv="total")
        t = np.array([truth[r]["rtc_mean"]["total"] for r in m.region])
        hit_m += int(((m.ci_low <= t) & (t <= m.ci_high)).sum())
        tot_m += len(m)
        k = sf.ikm(w.tables["satisfaction"], n_boot=n_boot, seed=seed)
        ti = np.array([truth[r]["ikm"] for r in k.region])
        hit_i += int(((k.ci_low <= ti) & (ti <= k.ci_high)).sum())
        tot_i += len(k)
    return hit_m / tot_m, hit_i / tot_i


def test_coverage_small():
    cm, ci = _coverage(6, 300)  # 24 intervals each: a loose check that runs by default
    assert cm >= 0.75 and ci >= 0.75


@pytest.mark.slow
def test_coverage_500_seeds():
    cm, ci = _coverage(500, 1000)  # 2,000 region intervals each
    assert 0.93 <= cm <= 0.97, cm
    assert 0.93 <= ci <= 0.97, ci


def test_region_family_holm_across_themes(world, pre):
    s = world.tables["survey"]
    post = _scores(s[s["wave"] == "post"])
    drivers = pd.concat(
        [
            regression(sub, dv="total", covar=DRIVERS).query("term == 'trainedTRUE'").assign(region=r)
            for r, sub in post.groupby("region_code")
        ],
        ignore_index=True,
    )
    trend = sf.ikm_trend(world.tables["satisfaction"])
    fam = region_family({"resistance": drivers, "satisfaction": trend})
    assert list(fam.theme.unique()) == ["resistance", "satisfaction"] and len(fam) == 8
    from kinerja_research.results import adjust_p

    np.testing.assert_allclose(fam.p_adj, adjust_p(np.r_[drivers.p, trend.p], "holm"))
    assert fam.family_size[0] == 8 and (fam.p_adj >= fam.p).all()


def test_region_family_errors():
    with pytest.raises(KinerjaError, match="no column 'ci_low'"):
        region_family({"x": pd.DataFrame({"region": ["a"], "estimate": [1.0], "ci_high": [2.0]})})
    with pytest.raises(KinerjaError, match="per-region"):
        region_family({"x": pd.DataFrame({"region": ["all"], "estimate": [1.0], "ci_low": [0.0], "ci_high": [2.0]})})
