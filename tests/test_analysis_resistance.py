"""Resistance to change: Welch ANOVA, Games-Howell, Kruskal-Wallis + Dunn, region means, regressions.

Every expected number comes from tests/reference/analyses_resistance_satisfaction.R (R 4.x: stats::oneway.test,
aov + effectsize, rstatix::games_howell_test, ptukey/qtukey, kruskal.test, rstatix::dunn_test(p.adjust.method =
"holm"), effectsize::rank_epsilon_squared, t.test, lm + sandwich::vcovHC(type = "HC3"), glm(binomial)), committed as
tests/reference/analyses_rs_*.json so CI needs no R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis import resistance as rs
from kinerja_research.analysis.categorical import logistic
from kinerja_research.analysis.rewards import regression
from kinerja_research.errors import KinerjaError

REF = Path(__file__).parent / "reference"


def _load(name):
    return json.loads((REF / name).read_text())


def _datasets():
    from statsmodels.datasets import get_rdataset  # noqa: F401  (not used: the R data are rebuilt below, offline)

    insect = pd.DataFrame(
        {
            "g": np.repeat(list("ABCDEF"), 12),
            "y": [
                10,
                7,
                20,
                14,
                14,
                12,
                10,
                23,
                17,
                20,
                14,
                13,
                11,
                17,
                21,
                11,
                16,
                14,
                17,
                17,
                19,
                21,
                7,
                13,
                0,
                1,
                7,
                2,
                3,
                1,
                2,
                1,
                3,
                0,
                1,
                4,
                3,
                5,
                12,
                6,
                4,
                3,
                5,
                5,
                5,
                5,
                2,
                4,
                3,
                5,
                3,
                5,
                3,
                6,
                1,
                1,
                3,
                2,
                6,
                4,
                11,
                9,
                15,
                22,
                15,
                16,
                13,
                10,
                26,
                26,
                24,
                13,
            ],
        }
    )
    plant = pd.DataFrame(
        {
            "g": np.repeat(["ctrl", "trt1", "trt2"], 10),
            "y": [
                4.17,
                5.58,
                5.18,
                6.11,
                4.50,
                4.61,
                5.17,
                4.53,
                5.33,
                5.14,
                4.81,
                4.17,
                4.41,
                3.59,
                5.87,
                3.83,
                6.03,
                4.89,
                4.32,
                4.69,
                6.31,
                5.12,
                5.54,
                5.50,
                5.37,
                5.29,
                4.92,
                6.15,
                5.80,
                5.26,
            ],
        }
    )
    warp = pd.DataFrame(
        {
            "g": np.tile(np.repeat(["L", "M", "H"], 9), 2),
            "y": [
                26,
                30,
                54,
                25,
                70,
                52,
                51,
                26,
                67,
                18,
                21,
                29,
                17,
                12,
                18,
                35,
                30,
                36,
                36,
                21,
                24,
                18,
                10,
                43,
                28,
                15,
                26,
                27,
                14,
                29,
                19,
                29,
                31,
                41,
                20,
                44,
                42,
                26,
                19,
                16,
                39,
                28,
                21,
                39,
                29,
                20,
                21,
                24,
                17,
                13,
                15,
                15,
                16,
                28,
            ],
        }
    )
    many = pd.read_csv(REF / "analyses_rs_many_groups.csv")
    return {"insectsprays": insect, "plantgrowth": plant, "warpbreaks": warp, "many_groups": many}


DATA = _datasets()
GROUPS = _load("analyses_rs_groups.json")
NAMES = list(DATA)


def test_reference_data_rebuilt_exactly():
    # the group means of the rebuilt R data sets equal R's (t.test estimates)
    for name in NAMES:
        ref = pd.DataFrame(GROUPS[name]["means"])
        got = DATA[name].groupby("g")["y"].mean().reindex(ref.region)
        np.testing.assert_allclose(got.to_numpy(), ref.estimate, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_welch_anova_matches_r(name):
    ref = GROUPS[name]
    r = rs.welch_anova(DATA[name], dv="y", between="g")
    # R: oneway.test(y ~ g, var.equal = FALSE)
    np.testing.assert_allclose(r.statistic[0], ref["welch"]["statistic"], rtol=1e-10)
    np.testing.assert_allclose(r.df1[0], ref["welch"]["df1"], rtol=1e-12)
    np.testing.assert_allclose(r.df2[0], ref["welch"]["df2"], rtol=1e-10)
    np.testing.assert_allclose(r.p[0], ref["welch"]["p"], rtol=1e-8)
    # R: effectsize::eta_squared / omega_squared / epsilon_squared(aov(y ~ g), partial = FALSE)
    np.testing.assert_allclose(r.eta2[0], ref["eta2"], rtol=1e-10)
    np.testing.assert_allclose(r.omega2[0], ref["omega2"], rtol=1e-10)
    np.testing.assert_allclose(r.epsilon2[0], ref["epsilon2"], rtol=1e-10)
    assert r.effect_size[0] == r.omega2[0] and r.effect_size_name[0] == "omega-squared"


@pytest.mark.parametrize("name", NAMES)
def test_games_howell_matches_r(name):
    ref = GROUPS[name]
    r = rs.games_howell(DATA[name], dv="y", between="g")
    f = pd.DataFrame(ref["games_howell_formula"])  # R: formula with ptukey/qtukey (same as rstatix, unrounded)
    assert list(r.group_a) == list(f.group_a) and list(r.group_b) == list(f.group_b)
    for col in ["estimate", "se", "statistic", "df", "ci_low", "ci_high"]:
        np.testing.assert_allclose(r[col], f[col], rtol=1e-9, atol=1e-12, err_msg=col)
    np.testing.assert_allclose(r.p, f.p, rtol=1e-7, atol=1e-15)
    # R's 1 - ptukey is accurate in absolute terms only (errors up to 2.5e-10 here); below 1e-6 our p_adj is the
    # directly computed upper tail, checked against scipy.stats.studentized_range.sf in test_analysis_stats.py
    np.testing.assert_allclose(r.p_adj, f.p_adj, rtol=1e-6, atol=3e-10)
    gh = pd.DataFrame(ref["games_howell_rstatix"])  # R: rstatix::games_howell_test(detailed = TRUE)
    np.testing.assert_allclose(r.estimate, -gh.estimate, rtol=1e-10)  # rstatix: mean(group2) - mean(group1)
    np.testing.assert_allclose(r.ci_low, -gh["conf.high"], rtol=1e-8)
    np.testing.assert_allclose(r.df, gh.df, rtol=1e-10)
    np.testing.assert_allclose(r.p_adj, gh["p.adj"], atol=5e-4)  # rstatix rounds p.adj to 3 significant places


def test_studentized_range_matches_r_ptukey_qtukey():
    ref = _load("analyses_rs_tukey.json")
    g = pd.DataFrame(ref["ptukey"])  # R: ptukey(q, k, df) incl. df > 25000 (range distribution) and k = 514
    np.testing.assert_allclose(rs.ptukey(g.q, g.k, g.df), g.p_lower, rtol=1e-10, atol=1e-13)
    assert np.isnan(rs.ptukey(3.0, 3, 1.5)) and rs.ptukey(-1.0, 3, 10) == 0.0  # R: NaN for df < 2; 0 for q <= 0
    q = pd.DataFrame(ref["qtukey"])  # R: qtukey(p, k, df)
    np.testing.assert_allclose(rs.qtukey(q.p, q.k, q.df), q.q, rtol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_kruskal_dunn_matches_r(name):
    ref = GROUPS[name]
    r = rs.kruskal_dunn(DATA[name], dv="y", between="g")
    om = r.iloc[0]
    # R: kruskal.test(y ~ g); effectsize::rank_epsilon_squared(y ~ g)
    np.testing.assert_allclose(om.statistic, ref["kruskal"]["statistic"], rtol=1e-10)
    assert om.df == ref["kruskal"]["df"]
    np.testing.assert_allclose(om.p, ref["kruskal"]["p"], rtol=1e-8)
    np.testing.assert_allclose(om.effect_size, ref["kruskal"]["rank_epsilon2"], rtol=1e-10)
    d = pd.DataFrame(ref["dunn"])  # R: rstatix::dunn_test(y ~ g, p.adjust.method = "holm"), tie-corrected
    pairs = r.iloc[1:]
    np.testing.assert_allclose(pairs.estimate, -d.estimate, rtol=1e-10)  # rstatix: mean rank(2) - mean rank(1)
    np.testing.assert_allclose(pairs.statistic, -d.statistic, rtol=1e-10)
    np.testing.assert_allclose(pairs.p, d.p, rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(pairs.p_adj, d["p.adj"], rtol=1e-8, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_region_means_match_r_t_test(name):
    ref = pd.DataFrame(GROUPS[name]["means"])  # R: t.test(y[g == l])$conf.int
    r = rs.region_means(DATA[name], dv="y", between="g")
    np.testing.assert_allclose(r.estimate, ref.estimate, rtol=1e-12)
    np.testing.assert_allclose(r.ci_low, ref.ci_low, rtol=1e-10)
    np.testing.assert_allclose(r.ci_high, ref.ci_high, rtol=1e-10)
    assert list(r.n) == list(ref.n)


def test_regressions_match_r_lm_glm():
    ref = _load("analyses_rs_regression.json")
    mt = pd.read_csv(REF / "analyses_rs_mtcars.csv")
    mt["cyl_f"] = mt["cyl"].astype(int).astype(str)
    lm = pd.DataFrame(ref["lm"])  # R: lm(mpg ~ wt + hp + factor(cyl)); confint; std beta = b sd(x) / sd(y)
    r = regression(mt, dv="mpg", covar=["wt", "hp", "cyl_f"])
    r = r[r.term != "model"]
    assert list(r.term) == ["(Intercept)", "wt", "hp", "cyl_f6", "cyl_f8"]  # R's names
    for col in ["estimate", "se", "statistic", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(r[col], lm[col], rtol=1e-8, err_msg=col)
    np.testing.assert_allclose(r.effect_size[1:], lm.std_beta[1:], rtol=1e-8)
    assert r.df[0] == ref["df_resid"]
    model = regression(mt, dv="mpg", covar=["wt", "hp", "cyl_f"]).set_index("term").loc["model"]
    np.testing.assert_allclose(model.r2, ref["r2"], rtol=1e-10)
    np.testing.assert_allclose(model.adj_r2, ref["adj_r2"], rtol=1e-10)
    h = regression(mt, dv="mpg", covar=["wt", "hp", "cyl_f"], cov_type="HC3")
    h = h[h.term != "model"]
    # R: lmtest::coeftest(fit, vcov = sandwich::vcovHC(fit, type = "HC3")), coefci
    np.testing.assert_allclose(h.se, lm.hc3_se, rtol=1e-8)
    np.testing.assert_allclose(h.p, lm.hc3_p, rtol=1e-7)
    np.testing.assert_allclose(h.ci_low, lm.hc3_ci_low, rtol=1e-8)
    gl = pd.DataFrame(ref["glm"])  # R: glm(am ~ wt + hp, binomial); confint.default
    g = logistic(mt, dv="am", covar=["wt", "hp"])
    for col in ["estimate", "se", "statistic", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(g[col], gl[col], rtol=1e-6, err_msg=col)
    np.testing.assert_allclose(g.effect_size, np.exp(gl.estimate), rtol=1e-6)
    lin = regression(mt, dv="mpg", covar=["wt", "hp", "cyl_f"])
    np.testing.assert_allclose(lin.estimate[lin.term != "model"], lm.estimate, rtol=1e-8)


def test_pairwise_convention_and_shape():
    d = DATA["plantgrowth"]
    gh = rs.games_howell(d, dv="y", between="g")
    m = d.groupby("g")["y"].mean()
    np.testing.assert_allclose(gh.estimate, m[gh.group_a].to_numpy() - m[gh.group_b].to_numpy())
    w = rs.welch_anova(d, dv=["y"], between="g")
    assert {"df1", "df2"} <= set(w.columns) and "df" not in w.columns
    assert w.df2[0] != round(w.df2[0])  # unrounded


def test_games_howell_vectorised_many_groups_fast_and_consistent():
    # 60 groups of very different sizes: 1,770 pairs (> 512 distinct df), so the interval's quantile is interpolated
    rng = np.random.default_rng(1)
    k = 60
    sizes = rng.integers(40, 400, k)
    d = pd.DataFrame(
        {
            "g": np.repeat([f"G{i:03d}" for i in range(k)], sizes),
            "y": rng.normal(size=sizes.sum()) * np.repeat(rng.uniform(0.5, 2, k), sizes),
        }
    )
    r = rs.games_howell(d, dv="y", between="g")
    assert len(r) == k * (k - 1) // 2 and r.df.nunique() > 512
    assert r.p_adj.between(0, 1).all() and (r.p_adj >= r.p - 1e-12).all()
    # interpolated simultaneous-interval quantile within 1e-7 of the exact (R-algorithm) qtukey
    sub = r.sample(40, random_state=0)
    crit = (sub.ci_high - sub.estimate) / sub.se * np.sqrt(2)
    np.testing.assert_allclose(crit, rs.qtukey(np.full(40, 0.95), k, sub.df), rtol=1e-7)
    # p-values as one pair at a time (no cross-talk between pairs in the vectorised quadrature)
    one = [float(1 - rs.ptukey(abs(t) * np.sqrt(2), k, df)) for t, df in zip(sub.statistic[:5], sub.df[:5])]
    np.testing.assert_allclose(sub.p_adj[:5], one, rtol=1e-12)


def test_bad_input_raises_one_sentence():
    d = pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1, "x", 2, 3]})
    with pytest.raises(KinerjaError, match="row 2, column 'y'"):
        rs.welch_anova(d, dv="y", between="g")
    with pytest.raises(KinerjaError, match="at least two groups"):
        rs.welch_anova(pd.DataFrame({"g": ["a"] * 3, "y": [1, 2, 3]}), dv="y", between="g")
    with pytest.raises(KinerjaError, match="zero variance"):
        rs.welch_anova(pd.DataFrame({"g": list("aabb"), "y": [1, 1, 2, 3]}), dv="y", between="g")
    with pytest.raises(KinerjaError, match="at least 2"):
        rs.games_howell(pd.DataFrame({"g": list("abb"), "y": [1, 2, 3]}), dv="y", between="g")
    with pytest.raises(KinerjaError, match="no column 'rtc'"):
        rs.region_means(d, dv="rtc")
    with pytest.raises(KinerjaError, match="effsize"):
        rs.welch_anova(DATA["plantgrowth"], dv="y", between="g", effsize="cohen")
    with pytest.raises(KinerjaError, match="0/1"):
        logistic(pd.DataFrame({"a": [0, 2, 1, 0], "x": [1, 2, 3, 4.0]}), dv="a", covar="x")


DEFAULT = _load("analyses_rs_default.json")
DEFAULT_RTC = pd.read_csv(REF / "analyses_rs_default_rtc.csv", dtype={"region_code": str})


@pytest.mark.parametrize("score", ["total", "cognitive_rigidity"])
def test_default_synthetic_data_matches_r(score):
    # R on the default synthetic data (pre-wave RTC scores of simulate(seed=2026)): oneway.test, effectsize,
    # ptukey/qtukey Games-Howell, kruskal.test, rstatix::dunn_test(holm), t.test per region
    ref = DEFAULT["rtc"][score]
    d = DEFAULT_RTC.rename(columns={"region_code": "g", score: "y"})[["g", "y"]]
    w = rs.welch_anova(d, dv="y", between="g")
    np.testing.assert_allclose(
        [w.statistic[0], w.df2[0], w.p[0]],
        [ref["welch"]["statistic"], ref["welch"]["df2"], ref["welch"]["p"]],
        rtol=1e-8,
    )
    np.testing.assert_allclose(
        [w.eta2[0], w.omega2[0], w.epsilon2[0]], [ref["eta2"], ref["omega2"], ref["epsilon2"]], rtol=1e-10
    )
    gh = rs.games_howell(d, dv="y", between="g")
    f = pd.DataFrame(ref["games_howell_formula"])
    for col in ["estimate", "se", "df", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(gh[col], f[col], rtol=1e-7, atol=1e-14, err_msg=col)
    # Games-Howell p = 1 - ptukey: both R and we subtract a quadrature sum from 1, so tiny p agree in absolute terms
    # (4e-13 at p = 1.6e-8 here: summation order), not relatively
    np.testing.assert_allclose(gh.p_adj, f.p_adj, rtol=1e-7, atol=2e-10)
    kd = rs.kruskal_dunn(d, dv="y", between="g")
    np.testing.assert_allclose(kd.statistic[0], ref["kruskal"]["statistic"], rtol=1e-10)
    du = pd.DataFrame(ref["dunn"])
    np.testing.assert_allclose(kd.p_adj[1:], du["p.adj"], rtol=1e-8)
    m = rs.region_means(d, dv="y", between="g")
    np.testing.assert_allclose(m.ci_low, pd.DataFrame(ref["means"]).ci_low, rtol=1e-10)


@pytest.mark.parametrize("small_sample, key", [("CR2", "rs_cr2"), ("CR1-G", "rs_cr1g"), ("CR1", "rs_cr1")])
def test_drivers_cluster_matches_r(small_sample, key):
    """Cluster path: the toolkit's engine (as training.did), mtcars clustered by carb (6 clusters)."""
    ref = json.loads((REF / "analyses_cluster.json").read_text())[key]
    mt = pd.read_csv(REF / "analyses_rs_mtcars.csv")
    mt["cyl_f"] = mt["cyl"].astype(int).astype(str)
    r = regression(
        mt, dv="mpg", covar=["wt", "hp", "cyl_f"], cov_type="cluster", cluster="carb", small_sample=small_sample
    )
    r = r[r.term != "model"]
    assert list(r.term) == ["(Intercept)", "wt", "hp", "cyl_f6", "cyl_f8"]
    # CR2 — R: clubSandwich::coef_test(fm, vcov = vcovCR(fm, cluster = carb, type = "CR2"), test = "Satterthwaite")
    # CR1-G / CR1 — R: lmtest::coeftest(fm, vcov = sandwich::vcovCL(fm, ~carb, type = "HC1"), df = G - 1 | n - k)
    for col in ["estimate", "se", "statistic", "df", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(r[col], ref[col], rtol=1e-6, err_msg=col)
    assert r.method.str.contains("6 clusters").all()
    with pytest.raises(KinerjaError, match="small_sample"):
        regression(mt, dv="mpg", covar=["wt"], cov_type="cluster", cluster="carb", small_sample="HC1")
    with pytest.raises(KinerjaError, match="cov_type='cluster'"):
        regression(mt, dv="mpg", covar=["wt"], cluster="carb")


def test_ptukey_blocks_give_the_same_values_as_one_block(monkeypatch):
    # the quadrature runs over blocks of elements (bounded memory at 131,841 pairs); each element is computed on
    # its own, so blocks of 7 give exactly the values of one block, at both tails and both df branches
    rng = np.random.default_rng(3)
    q = np.concatenate([rng.uniform(0.1, 9.0, 40), [0.0, np.inf, np.nan, 30.0]])
    df = np.concatenate([rng.uniform(2.0, 400.0, 30), rng.uniform(26000.0, 90000.0, 10), [5.0, 5.0, 5.0, 60.0]])
    k = np.where(np.arange(q.size) % 2 == 0, 3.0, 12.0)
    whole = rs.ptukey(q, k, df)
    monkeypatch.setattr(rs, "_PTUKEY_BLOCK", 7)
    blocked = rs.ptukey(q, k, df)
    np.testing.assert_array_equal(blocked, whole)
    assert rs.ptukey(q.reshape(4, 11), k.reshape(4, 11), df.reshape(4, 11)).shape == (4, 11)
    data = pd.DataFrame({"g": np.repeat(list("abcdefghij"), 6), "y": rng.normal(size=60)})
    small = rs.games_howell(data, dv="y", between="g")
    monkeypatch.setattr(rs, "_PTUKEY_BLOCK", 10**9)
    pd.testing.assert_frame_equal(small, rs.games_howell(data, dv="y", between="g"), check_exact=True)
