"""Reward and sanction effects: regression + classical assumptions, moderation, mediation, ordered logit vs R.

Reference numbers: tests/reference/analyses_training_rewards.R -> analyses_tr_reg.json (data analyses_tr_reg.csv,
and R's datasets::mtcars as analyses_tr_mtcars.csv).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kinerja_research.analysis import rewards as R
from kinerja_research.errors import KinerjaError

REF = Path(__file__).parent / "reference"
PRED = ["reward", "sanction", "motivation", "training", "region_code"]


@pytest.fixture(scope="module")
def ref():
    return json.loads((REF / "analyses_tr_reg.json").read_text())


@pytest.fixture(scope="module")
def reg():
    return pd.read_csv(REF / "analyses_tr_reg.csv", dtype={"region_code": str})


@pytest.fixture(scope="module")
def fit(reg):
    return R.regression(reg, dv="capaian_pct", covar=PRED)


def test_regression_coefficients_match_summary_lm(fit, ref):
    r = ref["regression"]
    coef = fit[fit.term != "model"]
    assert coef.term.tolist() == r["coef"]["names"]
    # R: summary(lm(capaian_pct ~ reward + sanction + motivation + training + region_code)), confint(fit)
    for col, key in [
        ("estimate", "estimate"),
        ("se", "se"),
        ("statistic", "statistic"),
        ("p", "p"),
        ("ci_low", "ci_low"),
        ("ci_high", "ci_high"),
    ]:
        np.testing.assert_allclose(coef[col].to_numpy(float), r["coef"][key], rtol=1e-6)
    # standardised Beta = b * sd(x) / sd(y) over the model matrix (SPSS "Beta", R lm.beta)
    np.testing.assert_allclose(coef.effect_size.to_numpy(float)[1:], r["coef"]["beta"][1:], rtol=1e-6)
    model = fit[fit.term == "model"].iloc[0]
    np.testing.assert_allclose(
        [model.statistic, model.df1, model.df2, model.p, model.r2, model.adj_r2],
        [r["F"], r["df1"], r["df2"], r["p_F"], r["r2"], r["adj_r2"]],
        rtol=1e-6,
    )


def test_regression_modern_columns_match_r(fit, ref, reg):
    r = ref["regression"]
    coef = fit[fit.term != "model"]
    hc3 = R.regression(reg, dv="capaian_pct", covar=PRED, cov_type="HC3")
    hc3 = hc3[hc3.term != "model"]
    # R: coeftest(fit, vcov = vcovHC(fit, type = "HC3")), coefci(fit, vcov = vcovHC(fit, type = "HC3"))
    for col in ["se", "statistic", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(hc3[col].to_numpy(float), r["hc3"][col], rtol=1e-6)
    # R: effectsize::eta_squared(car::Anova(fit, type = 2), partial = TRUE); a factor's rows share its term value
    by_term = dict(zip(r["eta_terms"], r["partial_eta2"]))
    got = coef.iloc[1:]
    expected = [by_term["region_code" if t.startswith("region_code") else t] for t in got.term]
    np.testing.assert_allclose(got.partial_eta2.to_numpy(float), expected, rtol=1e-6)
    # R: car::vif(fit) (GVIF for the factor)
    gv = dict(zip(r["vif_terms"], r["gvif"]))
    np.testing.assert_allclose(
        got.vif.to_numpy(float), [gv["region_code" if t.startswith("region_code") else t] for t in got.term], rtol=1e-6
    )
    np.testing.assert_allclose(got.tolerance * got.vif, 1.0)


def test_assumption_table_matches_r(fit, ref):
    r = ref["regression"]
    a = fit.assumptions.set_index("method")
    # R: nortest::lillie.test(resid(fit)); shapiro.test(resid(fit)); ks.test(e, "pnorm", mean(e), sd(e))
    np.testing.assert_allclose(
        a.loc["Kolmogorov-Smirnov (Lilliefors)", ["statistic", "p"]].to_numpy(float),
        [r["lillie_D"], r["lillie_p"]],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        a.loc["Shapiro-Wilk", ["statistic", "p"]].to_numpy(float), [r["shapiro_W"], r["shapiro_p"]], rtol=1e-5
    )
    ks = a[a.index.str.startswith("Kolmogorov-Smirnov one-sample")].iloc[0]
    np.testing.assert_allclose([ks.statistic, ks.p], [r["ks_D"], r["ks_p"]], rtol=1e-6)
    # R: summary(lm(abs(resid(fit)) ~ predictors)) -> F and per-predictor t (Glejser)
    np.testing.assert_allclose(
        a.loc["Glejser (F)", ["statistic", "p"]].to_numpy(float), [r["glejser_F"], r["glejser_p"]], rtol=1e-6
    )
    gl = fit.assumptions[fit.assumptions.method.str.startswith("Glejser (t)")]
    np.testing.assert_allclose(gl.statistic.to_numpy(float), r["glejser_t"], rtol=1e-6)
    np.testing.assert_allclose(gl.p.to_numpy(float), r["glejser_tp"], rtol=1e-6)
    # R: lmtest::bptest(fit) (studentize = TRUE); lmtest::dwtest(fit, exact = FALSE)
    bp = a.loc["Breusch-Pagan (studentised, Koenker)"]
    np.testing.assert_allclose([bp.statistic, bp.df, bp.p], [r["bp"], r["bp_df"], r["bp_p"]], rtol=1e-6)
    dw = fit.assumptions[fit.assumptions.term == "autocorrelation"].iloc[0]
    np.testing.assert_allclose([dw.statistic, dw.p], [r["dw"], r["dw_p"]], rtol=1e-6)


def test_mtcars_public_data_matches_r(ref):
    mt = pd.read_csv(REF / "analyses_tr_mtcars.csv")
    r = ref["mtcars"]
    res = R.regression(mt, dv="mpg", covar=["wt", "hp"])
    coef = res[res.term != "model"]
    # R: summary(lm(mpg ~ wt + hp, data = mtcars))
    np.testing.assert_allclose(
        coef[["estimate", "se", "statistic", "p"]].to_numpy(float).T,
        [r["coef"]["estimate"], r["coef"]["se"], r["coef"]["statistic"], r["coef"]["p"]],
        rtol=1e-6,
    )
    hc3 = R.regression(mt, dv="mpg", covar=["wt", "hp"], cov_type="HC3")
    np.testing.assert_allclose(hc3.se[hc3.term != "model"], r["hc3_se"], rtol=1e-6)
    np.testing.assert_allclose(coef.vif.iloc[1:], r["vif"], rtol=1e-6)  # car::vif
    a = res.assumptions.set_index("method")
    np.testing.assert_allclose(
        a.loc["Kolmogorov-Smirnov (Lilliefors)", ["statistic", "p"]].to_numpy(float),
        [r["lillie_D"], r["lillie_p"]],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        a.loc["Shapiro-Wilk", ["statistic", "p"]].to_numpy(float), [r["shapiro_W"], r["shapiro_p"]], rtol=1e-5
    )
    ks = a[a.index.str.startswith("Kolmogorov-Smirnov one-sample")].iloc[0]
    np.testing.assert_allclose(ks.p, r["ks_p"], rtol=1e-6)  # exact distribution at n = 32, as R
    gl = res.assumptions[res.assumptions.method.str.startswith("Glejser (t)")]
    np.testing.assert_allclose(gl.statistic.to_numpy(float), r["glejser_t"], rtol=1e-6)
    np.testing.assert_allclose(
        a.loc["Breusch-Pagan (studentised, Koenker)", ["statistic", "p"]].to_numpy(float),
        [r["bp"], r["bp_p"]],
        rtol=1e-6,
    )
    dw = res.assumptions[res.assumptions.term == "autocorrelation"].iloc[0]
    np.testing.assert_allclose([dw.statistic, dw.p], [r["dw"], r["dw_p"]], rtol=1e-6)


def test_regression_result_keeps_assumptions_on_slicing(fit):
    sub = fit[fit.term != "model"]
    assert isinstance(sub, R.RegressionResult)
    assert sub.assumptions is fit.assumptions


def test_moderation_matches_r(reg, ref):
    r = ref["moderation"]
    res = R.moderation(reg, dv="capaian_pct", x="reward", moderator="region_code")
    ols = res[res.method == "OLS"]
    assert ols.term.tolist() == r["names"]
    # R: summary(lm(capaian_pct ~ reward * region_code))
    for col in ("estimate", "se", "statistic", "p"):
        np.testing.assert_allclose(ols[col].to_numpy(float), r[col], rtol=1e-6)
    f = res[res.term == "reward:region_code"].iloc[0]
    # R: anova(lm(y ~ reward + region_code), lm(y ~ reward * region_code))
    np.testing.assert_allclose(
        [f.statistic, f.df1, f.df2, f.p, f.effect_size],
        [r["F"], r["df1"], r["df2"], r["p_F"], r["delta_r2"]],
        rtol=1e-6,
    )
    ss = res[res.method == "simple slope"]
    assert ss.region.tolist() == r["levels"]
    # R: linear combinations c'b and sqrt(c' V c) of the lm coefficients
    np.testing.assert_allclose(ss.estimate, r["slope"], rtol=1e-6)
    np.testing.assert_allclose(ss.se, r["slope_se"], rtol=1e-6)


def test_moderation_continuous_moderator_slopes():
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"x": rng.normal(size=500), "w": rng.normal(size=500)})
    df["y"] = 0.5 * df.x + 0.4 * df.x * df.w + rng.normal(size=500)
    ss = R.moderation(df, dv="y", x="x", moderator="w")
    ss = ss[ss.method == "simple slope"]
    assert ss.term.str.contains("mean").all() and len(ss) == 3
    assert ss.estimate.is_monotonic_increasing  # positive interaction: slope grows with w


def test_mediation_paths_match_r_and_bootstrap_close(reg, ref):
    r = ref["mediation"]
    res = R.mediation(reg, dv="capaian_pct", x="reward", mediator="motivation", covar="training").set_index("term")
    # R: lm(motivation ~ reward + training), lm(capaian_pct ~ reward + motivation + training), lm(y ~ reward + training)
    np.testing.assert_allclose(
        res.loc[["a", "b", "c_prime", "c", "indirect"], "estimate"],
        [r["a"], r["b"], r["c_prime"], r["c"], r["indirect"]],
        rtol=1e-6,
    )
    np.testing.assert_allclose(res.loc[["a", "b"], "se"], [r["se_a"], r["se_b"]], rtol=1e-6)
    np.testing.assert_allclose(
        res.loc["c", "estimate"], res.loc["c_prime", "estimate"] + res.loc["indirect", "estimate"]
    )
    # R: 5000 resamples of boot-style row sampling, quantile(type 7): a different RNG, so agreement is up to Monte
    # Carlo error (SE of a 2.5% quantile of 5000 draws is about 0.02 here)
    np.testing.assert_allclose([res.loc["indirect", "ci_low"], res.loc["indirect", "ci_high"]], r["boot_ci"], atol=0.06)
    np.testing.assert_allclose(res.loc["indirect", "se"], r["boot_se"], rtol=0.05)


def test_mediation_bootstrap_is_seeded_and_batched_equals_loop(reg):
    a = R.mediation(reg, dv="capaian_pct", x="reward", mediator="motivation", n_boot=300, seed=5)
    b = R.mediation(reg, dv="capaian_pct", x="reward", mediator="motivation", n_boot=300, seed=5)
    pd.testing.assert_frame_equal(a, b)
    # the batched weighted normal equations equal a plain lstsq refit of one resample
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(reg), len(reg))
    counts = np.bincount(idx, minlength=len(reg)).astype(float)[None, :]
    X = np.column_stack([np.ones(len(reg)), reg.reward, reg.motivation])
    y = reg.capaian_pct.to_numpy()
    np.testing.assert_allclose(
        R._batched_ols(X, y, counts)[0], np.linalg.lstsq(X[idx], y[idx], rcond=None)[0], rtol=1e-9
    )


def test_ordinal_logit_matches_polr(reg, ref):
    r = ref["polr"]
    res = R.ordinal_logit(reg, dv="predikat", covar=["reward", "motivation", "sanction"])
    assert res.term.tolist() == r["names"]
    # R: MASS::polr(predikat_o ~ reward + motivation + sanction, Hess = TRUE): same sign convention (zeta - eta);
    # both numerical Hessians, so SEs at 1e-3
    np.testing.assert_allclose(res.estimate, r["estimate"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(res.se, r["se"], rtol=1e-3)
    np.testing.assert_allclose(res.effect_size.iloc[:3], np.exp(r["estimate"][:3]), rtol=1e-4)


def test_ordinal_logit_rejects_unknown_level(reg):
    with pytest.raises(KinerjaError, match="not one of the levels"):
        R.ordinal_logit(reg, dv="predikat", covar="reward", levels=["Baik", "Sangat Baik"])


def test_regression_input_errors(reg):
    with pytest.raises(KinerjaError, match="rank"):
        R.regression(reg.assign(r2=reg.reward * 2), dv="capaian_pct", covar=["reward", "r2"])
    with pytest.raises(KinerjaError, match="no column"):
        R.regression(reg, dv="capaian_pct", covar=["rewards"])
    with pytest.raises(KinerjaError, match="at least two levels"):
        R.moderation(reg[reg.region_code == "18.71"], dv="capaian_pct", x="reward", moderator="region_code")
    with pytest.raises(KinerjaError, match="n_boot"):
        R.mediation(reg, dv="capaian_pct", x="reward", mediator="motivation", n_boot=10)


def test_regression_recovers_planted_slopes():
    rng = np.random.default_rng(21)
    n = 2000
    df = pd.DataFrame(rng.normal(3.5, 0.6, size=(n, 3)), columns=["reward", "sanction", "motivation"])
    truth = {"reward": 2.0, "sanction": -1.0, "motivation": 3.0}
    df["capaian_pct"] = 70 + sum(b * df[k] for k, b in truth.items()) + rng.normal(0, 3, n)
    res = R.regression(df, dv="capaian_pct", covar=list(truth)).set_index("term")
    for k, b in truth.items():
        assert res.loc[k, "ci_low"] <= b <= res.loc[k, "ci_high"]
    hc3 = R.regression(df, dv="capaian_pct", covar=list(truth), cov_type="HC3").set_index("term")
    for k, b in truth.items():
        assert hc3.loc[k, "ci_low"] <= b <= hc3.loc[k, "ci_high"]


def test_spss_blocks_of_regression_match_r(reg, ref):
    """Model Summary, ANOVA and Coefficients tables (what the skripsi report renders) against R lm / lmtest."""
    r = ref["regression"]
    for cov_type in ("nonrobust", "HC3"):  # the SPSS blocks are classical whatever the coefficient SEs
        fit = R.regression(reg, dv="capaian_pct", covar=PRED, cov_type=cov_type)
        ms = fit.model_summary.iloc[0]
        # R: summary(fit)$r.squared, $adj.r.squared; lmtest::dwtest(fit)$statistic
        np.testing.assert_allclose(
            [ms.r2, ms.adj_r2, ms.r**2, ms.durbin_watson], [r["r2"], r["adj_r2"], r["r2"], r["dw"]], rtol=1e-9
        )
        an = fit.anova.set_index("term")
        # R: anova(lm(y ~ 1), fit): F, df; SS add up; residual MS = sigma² = (SE of the estimate)²
        np.testing.assert_allclose(
            an.loc["regression", ["statistic", "df", "p"]].to_numpy(float), [r["F"], r["df1"], r["p_F"]], rtol=1e-9
        )
        assert an.loc["residual", "df"] == r["df2"]
        np.testing.assert_allclose(
            an.loc["regression", "ss"] + an.loc["residual", "ss"], an.loc["total", "ss"], rtol=1e-12
        )
        np.testing.assert_allclose(an.loc["regression", "ss"] / an.loc["total", "ss"], r["r2"], rtol=1e-9)
        np.testing.assert_allclose(an.loc["residual", "ms"], ms.se_estimate**2, rtol=1e-12)
        co = fit.coefficients
        c = r["coef"]  # R: summary(fit)$coefficients
        np.testing.assert_allclose(
            co[["estimate", "se", "statistic", "p"]].to_numpy(float).T,
            [c["estimate"], c["se"], c["statistic"], c["p"]],
            rtol=1e-6,
        )
        np.testing.assert_allclose(co.t_crit, stats.t.ppf(0.975, r["df2"]), rtol=1e-12)  # t tabel
        np.testing.assert_allclose(co.vif.iloc[1:], fit.vif.iloc[1:-1], rtol=1e-12)
