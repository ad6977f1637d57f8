"""The thesis toolbox against R (tests/reference/analyses_stats.R): logistic regression, χ²/Fisher/Cramér's V,
ordered logit with weights, power (t in both directions, correlation), t test with Levene, one-way ANOVA, and the
Games-Howell tail."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import kinerja_research as kr
from kinerja_research.analysis import resistance as rs
from kinerja_research.analysis.categorical import chi2_test, hosmer_lemeshow, logistic
from kinerja_research.analysis.rewards import ordinal_logit
from kinerja_research.errors import KinerjaError

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "analyses_stats.json").read_text())


@pytest.fixture(scope="module")
def birthwt():
    d = pd.read_csv(REF / "analyses_stats_birthwt.csv")
    d["race"] = pd.Categorical(d["race"], categories=["white", "black", "other"])  # R's factor order
    return d


def test_logistic_matches_glm_birthwt(birthwt):
    r = R["birthwt"]
    res = logistic(birthwt, dv="low", covar=["age", "lwt", "race", "smoke", "ptl", "ht", "ui"])
    assert res.term.tolist() == r["names"]
    # R: summary(glm(low ~ age + lwt + race + smoke + ptl + ht + ui, binomial)); confint.default; confint
    for col, key in [("estimate", "estimate"), ("se", "se"), ("statistic", "z"), ("p", "p"), ("effect_size", "or")]:
        np.testing.assert_allclose(res[col], r[key], rtol=1e-6, err_msg=col)
    np.testing.assert_allclose(res.ci_low, r["wald_lo"], rtol=1e-6)
    np.testing.assert_allclose(res.or_ci_high, np.exp(r["wald_hi"]), rtol=1e-6)
    # profile likelihood: exact roots here, R interpolates a spline through its profile grid
    np.testing.assert_allclose(np.log(res.or_ci_low_profile), r["prof_lo"], rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(np.log(res.or_ci_high_profile), r["prof_hi"], rtol=2e-4, atol=1e-5)
    f = res.fit.iloc[0]
    np.testing.assert_allclose(
        [f.neg2ll, f.statistic, f.df, f.cox_snell_r2, f.nagelkerke_r2, f.mcfadden_r2, f.aic],
        [r["deviance"], r["lr"], r["lr_df"], r["cox_snell"], r["nagelkerke"], r["mcfadden"], r["aic"]],
        rtol=1e-7,
    )
    hl = res.hosmer_lemeshow.iloc[0]  # ResourceSelection::hoslem.test(low, fitted(fit), g = 10)
    np.testing.assert_allclose(
        [hl.statistic, hl.df, hl.p], [r["hl"]["statistic"], r["hl"]["df"], r["hl"]["p"]], rtol=1e-7
    )
    c = res.classification.set_index("term")
    assert [
        c.loc["0", "predicted_0"],
        c.loc["0", "predicted_1"],
        c.loc["1", "predicted_0"],
        c.loc["1", "predicted_1"],
    ] == [
        r["class_00"],
        r["class_01"],
        r["class_10"],
        r["class_11"],
    ]


def test_logistic_with_case_weights_matches_glm(birthwt):
    r = R["birthwt_weighted"]
    res = logistic(birthwt, dv="low", covar=["age", "lwt", "smoke"], weights="w")
    np.testing.assert_allclose(res.estimate, r["estimate"], rtol=1e-6)
    np.testing.assert_allclose(res.se, r["se"], rtol=1e-6)
    f = res.fit.iloc[0]
    np.testing.assert_allclose([f.neg2ll, f.nagelkerke_r2], [r["deviance"], r["nagelkerke"]], rtol=1e-7)
    # case weights equal repeated rows
    rep = birthwt.loc[birthwt.index.repeat(birthwt.w)]
    np.testing.assert_allclose(logistic(rep, dv="low", covar=["age", "lwt", "smoke"]).estimate, res.estimate, rtol=1e-7)


def test_hosmer_lemeshow_groups_by_unique_quantiles():
    y = np.array([0, 0, 1, 0, 1, 1, 0, 1, 1, 1.0])
    p = np.array([0.1, 0.1, 0.1, 0.3, 0.5, 0.5, 0.6, 0.7, 0.9, 0.9])  # ties: fewer than 10 groups, df stays 8
    chisq, df, pv, groups = hosmer_lemeshow(y, p)
    assert df == 8 and groups < 10  # as R: an interpolated break can leave a group empty (then NaN, as hoslem.test)


@pytest.mark.parametrize("key", ["tab_2x2", "tab_3x3", "tab_race"])
def test_chi2_fisher_cramers_v_match_r(key):
    r = R[key]
    tab = np.array(r["table"])
    rows = [(f"r{i}", f"c{j}", int(tab[i, j])) for i in range(tab.shape[0]) for j in range(tab.shape[1])]
    d = pd.DataFrame(rows, columns=["g", "y", "count"])
    res = chi2_test(d, dv="y", between="g", weights="count").set_index("method")
    p = res.loc["Pearson chi-squared"]
    # R: chisq.test(tab, correct = FALSE); fisher.test(tab); effectsize::cramers_v(adjust = FALSE, "two.sided")
    np.testing.assert_allclose(
        [p.statistic, p.df, p.p, p.effect_size], [r["chisq"], r["df"], r["p"], r["cramers_v"]], rtol=1e-9
    )
    np.testing.assert_allclose([p.ci_low, p.ci_high], r["v_ci_exact"], rtol=1e-7)  # exact noncentrality roots
    np.testing.assert_allclose([p.ci_low, p.ci_high], r["v_ci_effectsize"], rtol=1e-5)  # effectsize's optim
    np.testing.assert_allclose(res.loc["Fisher's exact test", "p"], r["fisher_p"], rtol=1e-6)
    if tab.shape == (2, 2):
        y = res.loc["Pearson chi-squared, continuity correction"]
        np.testing.assert_allclose([y.statistic, y.p], [r["yates"], r["p_yates"]], rtol=1e-9)
        fi = res.loc["Fisher's exact test"]
        # R solves the conditional MLE and its limits with uniroot's default tolerance (about 1e-4)
        np.testing.assert_allclose([fi.estimate, fi.ci_low, fi.ci_high], [r["fisher_or"], *r["fisher_ci"]], rtol=1e-4)
    # the same table as one row per case gives the same answer
    cases = d.loc[d.index.repeat(d["count"]), ["g", "y"]]
    np.testing.assert_allclose(chi2_test(cases, dv="y", between="g").statistic[0], r["chisq"], rtol=1e-12)


def test_polr_with_weights_matches_mass_housing():
    r = R["polr_housing"]
    h = pd.read_csv(REF / "analyses_stats_housing.csv")
    for col, lv in {
        "Infl": ["Low", "Medium", "High"],
        "Type": ["Tower", "Apartment", "Atrium", "Terrace"],
        "Cont": ["Low", "High"],
    }.items():
        h[col] = pd.Categorical(h[col], categories=lv)
    res = ordinal_logit(h, dv="Sat", covar=["Infl", "Type", "Cont"], levels=["Low", "Medium", "High"], weights="Freq")
    # R: polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE)
    assert res.term.tolist() == r["names"]
    np.testing.assert_allclose(res.estimate, r["estimate"], rtol=1e-4)
    np.testing.assert_allclose(res.se, r["se"], rtol=1e-3)


@pytest.mark.parametrize(
    "key, kw",
    [
        ("t_less_neg", dict(test="t_two", effect=-0.5, n=25, alternative="less")),  # pwr: .5390
        ("t_less_pos", dict(test="t_two", effect=0.5, n=25, alternative="less")),
        ("t_greater_neg", dict(test="t_two", effect=-0.5, n=25, alternative="greater")),
        ("t_two_neg", dict(test="t_two", effect=-0.5, n=25)),
        ("t_paired_less", dict(test="t_paired", effect=-0.4, n=30, alternative="less")),
        ("r_two", dict(test="r", effect=0.3, n=50)),
        ("r_greater", dict(test="r", effect=0.3, n=50, alternative="greater")),
        ("r_less", dict(test="r", effect=-0.3, n=50, alternative="less")),
    ],
)
def test_power_matches_pwr(key, kw):
    np.testing.assert_allclose(kr.power(**kw).power[0], R["pwr"][key]["power"], rtol=1e-9)


def test_power_solves_effect_and_n_as_pwr():
    d = kr.power(test="t_two", n=25, power=0.8, alternative="less").effect_size[0]
    np.testing.assert_allclose(d, R["pwr"]["t_less_d"]["d"], rtol=1e-4)  # pwr's uniroot tolerance
    r = kr.power(test="r", n=50, power=0.8).effect_size[0]
    np.testing.assert_allclose(r, R["pwr"]["r_r"]["d"], rtol=1e-4)
    n = kr.power(test="r", effect=0.3, power=0.8).n_exact[0]
    np.testing.assert_allclose(n, R["pwr"]["r_n"]["n"], rtol=1e-4)
    with pytest.raises(KinerjaError, match="non-zero"):
        kr.power(test="t_two", effect=0.0, n=20)
    with pytest.raises(KinerjaError, match="between -1 and 1"):
        kr.power(test="r", effect=1.2, n=20)


def test_ttest_levene_and_anova_match_r():
    r = R["ttest"]
    mt = pd.read_csv(REF / "analyses_stats_mtcars.csv")
    res = rs.ttest(mt, dv="mpg", between="am").set_index("method")
    lev = res.loc["Levene (center = mean)"]
    np.testing.assert_allclose([lev.statistic, lev.p], [r["levene_F"], r["levene_p"]], rtol=1e-9)  # car::leveneTest
    for label, key in [
        ("Student t (equal variances assumed)", "student"),
        ("Welch t (equal variances not assumed)", "welch"),
    ]:
        row = res.loc[label]
        np.testing.assert_allclose(
            [row.statistic, row.df, row.p, row.ci_low, row.ci_high],
            [r[key]["t"], r[key]["df"], r[key]["p"], *r[key]["ci"]],
            rtol=1e-8,
        )
    a = R["anova"]
    pg = pd.read_csv(REF / "analyses_stats_plantgrowth.csv")
    av = rs.anova(pg, dv="weight", between="group").set_index("term")
    np.testing.assert_allclose(av.ss[["between_groups", "within_groups"]], a["ss"], rtol=1e-10)
    np.testing.assert_allclose(
        av.loc["between_groups", ["statistic", "p"]].to_numpy(float), [a["F"], a["p"]], rtol=1e-8
    )


def test_games_howell_tiny_p_relative_accuracy():
    # two groups: Games-Howell p = Welch p exactly (the example: 9.5e-27 where 1.9e-12 was reported)
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 40, "y": np.r_[rng.normal(0, 1, 40), rng.normal(4, 1, 40)]})
    gh = rs.games_howell(d, dv="y", between="g")
    np.testing.assert_allclose(gh.p_adj, gh.p, rtol=1e-12)
    assert gh.p_adj[0] < 1e-20
    # the direct upper tail with k = 2 against the t distribution, down to 1e-280
    t = np.array([3.0, 8.0, 15.0, 30.0, 40.0])
    df = np.array([10.0, 25.0, 40.0, 200.0, 3000.0])
    np.testing.assert_allclose(rs.ptukey_sf(t * np.sqrt(2), 2, df), 2 * stats.t.sf(t, df), rtol=1e-6)
    # k > 2 in the tail: scipy's studentized_range.sf (adaptive integration of the density) as the reference; R's
    # 1 - ptukey is off by 2.4e-4 relative here (6.65287e-7 against 6.65444e-7, InsectSprays-like df 15.5)
    q6, d6 = np.array([13.794121819968312, 9.0, 7.5]), np.array([15.499346849747734, 40.0, 200.0])
    np.testing.assert_allclose(rs.ptukey_sf(q6, 6, d6), stats.studentized_range.sf(q6, 6, d6), rtol=1e-6)
    # k = 4 where 1 - ptukey is still accurate
    q, d4 = np.array([3.0, 4.5, 6.0]), np.array([12.0, 30.0, 100.0])
    np.testing.assert_allclose(rs.ptukey_sf(q, 4, d4), 1 - rs.ptukey(q, 4, d4), rtol=1e-6)
