"""Training impact: paired change, DiD with clustered SEs, mixed model, JP dose — against R and planted effects.

Reference numbers come from tests/reference/analyses_training_rewards.R (fixtures analyses_tr_*.json, data
analyses_tr_*.csv); each comparison names the R call that made the number.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis import training as T
from kinerja_research.errors import KinerjaError

REF = Path(__file__).parent / "reference"


def _json(name):
    return json.loads((REF / f"analyses_tr_{name}.json").read_text())


@pytest.fixture(scope="module")
def panel():
    return pd.read_csv(REF / "analyses_tr_panel.csv", dtype={"region_code": str})


@pytest.fixture(scope="module")
def paired_long():
    return pd.read_csv(REF / "analyses_tr_paired.csv")


# ---------------------------------------------------------------------------------------------- paired change vs R
def test_paired_change_matches_r(paired_long):
    ref = _json("paired")["paired"]
    res = T.paired_change(paired_long, dv="score", between="region_code")
    for region in ("A", "B", "C"):
        r = ref[region]
        t_row = res[(res.region == region) & (res.method == "paired t")].iloc[0]
        # R: t.test(post, pre, paired = TRUE)
        np.testing.assert_allclose(
            [t_row.estimate, t_row.ci_low, t_row.ci_high, t_row.statistic, t_row.df, t_row.p],
            [r["estimate"], *r["ci"], r["t"], r["df"], r["p"]],
            rtol=1e-6,
        )
        assert t_row.n == r["n"]
        # R: wilcox.test(post, pre, paired = TRUE) with defaults (exact for A, normal + correction for B and C)
        w_row = res[(res.region == region) & res.method.str.startswith("Wilcoxon")].iloc[0]
        np.testing.assert_allclose([w_row.statistic, w_row.p], [r["V"], r["p_wilcox"]], rtol=1e-6)
        assert ("exact" in w_row.method) == ("exact" in r["method_wilcox"])
        # Hedges' g(av): Lakens (2013) d_av with J = 1 - 3/(4(n-1)-1), from R's SDs
        s_av = (r["sd_pre"] + r["sd_post"]) / 2
        j = 1 - 3 / (4 * (r["n"] - 1) - 1)
        np.testing.assert_allclose(t_row.effect_size, r["estimate"] / s_av * j, rtol=1e-10)
        # CI of g(av): R effectsize::cohens_d(paired = TRUE) noncentral-t limits of d_z, rescaled by sd_diff / s_av;
        # rtol 1e-5 because effectsize stops its root search at a looser tolerance than ours (xtol 1e-12)
        np.testing.assert_allclose(
            [t_row.es_ci_low, t_row.es_ci_high], np.array(r["dz_ci"]) * r["sd_diff"] / s_av * j, rtol=1e-5
        )
        # d_z and its CI: R effectsize::cohens_d(post, pre, paired = TRUE) (effectsize 0.8)
        np.testing.assert_allclose(t_row.dz, r["dz"], rtol=1e-10)
        np.testing.assert_allclose([t_row.dz_ci_low, t_row.dz_ci_high], r["dz_ci"], rtol=1e-5)


def test_wilcoxon_one_sided_matches_r(paired_long):
    ref = _json("paired")["paired"]
    res = T.paired_change(paired_long, dv="score", between="region_code", alternative="greater")
    got = res[res.method.str.startswith("Wilcoxon")].set_index("region").p
    # R: wilcox.test(post, pre, paired = TRUE, alternative = "greater")
    np.testing.assert_allclose([got[r] for r in "ABC"], [ref[r]["p_wilcox_greater"] for r in "ABC"], rtol=1e-6)


def test_sleep_dataset_ties_and_zeros_matches_r():
    sleep = pd.read_csv(REF / "analyses_tr_sleep.csv")
    long = sleep.assign(wave=np.where(sleep.group == 2, "post", "pre"))
    res = T.paired_change(long, dv="extra", subject="ID")
    ref = _json("paired")["paired"]["sleep"]
    w = res[res.method.str.startswith("Wilcoxon")].iloc[0]
    # R: wilcox.test(extra[group == 2], extra[group == 1], paired = TRUE) on datasets::sleep -> V = 45, p = 0.009091
    np.testing.assert_allclose([w.statistic, w.p], [ref["V"], ref["p_wilcox"]], rtol=1e-6)
    np.testing.assert_allclose(res.iloc[0].statistic, ref["t"], rtol=1e-6)


def test_noncentral_t_limits_match_effectsize():
    ref = _json("ncp")
    for t, df, lo, hi in zip(ref["t"], ref["df"], ref["ci_low"], ref["ci_high"]):
        got = np.array(T._ncp_ci(t, df, 0.05)) / np.sqrt(df)
        # R: effectsize::t_to_d(t, df_error, paired = TRUE) noncentral-t CI; R's pt() loses accuracy for
        # ncp > 37.62 (documented in ?pt, AS 243), where scipy's Boost noncentral t is used as the better value
        rtol = 1e-5 if abs(t) < 37 else 1e-3
        np.testing.assert_allclose(got, [lo, hi], rtol=rtol)


def test_lakens_2013_movie_example():
    # Lakens (2013), Table 1 within-subjects example: Movie 1 vs Movie 2 ratings of 10 people; published d_av = 1.13
    m1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    m2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    df = pd.DataFrame({"person_id": list(range(10)) * 2, "wave": ["pre"] * 10 + ["post"] * 10, "y": m1 + m2})
    res = T.paired_change(df, dv="y")
    g = res.iloc[0].effect_size
    d_av = g / (1 - 3 / (4 * 9 - 1))
    assert round(abs(d_av), 2) == 1.13
    assert res.iloc[0].es_ci_low < g < res.iloc[0].es_ci_high


def test_paired_change_rejects_duplicate_rows():
    df = pd.DataFrame({"person_id": [1, 1, 1], "wave": ["pre", "post", "post"], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(KinerjaError, match="more than one"):
        T.paired_change(df, dv="y")


# ----------------------------------------------------------------------------------------------------- DiD vs R
def test_did_pooled_matches_r_vcovcl(panel):
    ref = _json("panel")["did"]
    res = T.did(panel, dv="capaian_pct", covar="age", small_sample="CR1")
    rmap = {
        "(Intercept)": "(Intercept)",
        "trained": "trainedTRUE",
        "post": "postTRUE",
        "age": "age",
        "trained:post": "trainedTRUE:postTRUE",
    }
    got = res.set_index("term")
    for ours, theirs in rmap.items():
        i = ref["names"].index(theirs)
        # R: coeftest(lm(capaian_pct ~ trained * post + age), vcov = vcovCL(fit, cluster = ~cl)) and coefci(...)
        np.testing.assert_allclose(
            got.loc[ours, ["estimate", "se", "statistic", "ci_low", "ci_high"]].to_numpy(float),
            [ref["estimate"][i], ref["se"][i], ref["statistic"][i], ref["ci_low"][i], ref["ci_high"][i]],
            rtol=1e-6,
        )
        if ref["p"][i] > 0:
            np.testing.assert_allclose(got.loc[ours, "p"], ref["p"][i], rtol=1e-6)
    assert (got.df == ref["df"]).all()
    assert got.n_clusters.iloc[0] == 30


def test_did_region_interaction_matches_r(panel):
    ref = _json("panel")["did_region"]
    res = T.did(panel, dv="capaian_pct", covar="age", between=["trained", "region_code"], small_sample="CR1")
    reg = res[res.region.notna()].set_index("region")
    for i, name in enumerate(ref["names"]):
        code = name.split(":")[0].removeprefix("region_code")
        # R: coeftest(lm(y ~ 0 + region + region:trained + region:post + region:trained:post + age), vcovCL(~cl))
        np.testing.assert_allclose(
            reg.loc[code, ["estimate", "se", "statistic", "p"]].to_numpy(float),
            [ref["estimate"][i], ref["se"][i], ref["statistic"][i], ref["p"][i]],
            rtol=1e-6,
        )
    f = res[res.term == "region_code x trained:post"].iloc[0]
    # R: car::linearHypothesis(fit_r, equal DiD effects, vcov. = vcovCL(fit_r, ~cl), test = "F")
    np.testing.assert_allclose(
        [f.statistic, f.df1, f.df2, f.p], [ref["F"], ref["df1"], ref["df2"], ref["p_F"]], rtol=1e-6
    )


def test_dose_response_matches_r(panel):
    ref = _json("panel")["dose"]
    res = T.dose_response(panel, dv="capaian_pct", dose="jp", small_sample="CR1")
    # R: coeftest(lm(capaian_pct ~ I(jp / 10)), vcov = vcovCL(fit, cluster = ~cl))
    np.testing.assert_allclose(
        res.loc[0, ["estimate", "se", "statistic", "p"]].to_numpy(float),
        [ref["estimate"][1], ref["se"][1], ref["statistic"][1], ref["p"][1]],
        rtol=1e-6,
    )


# ------------------------------------------------------------- few-cluster corrections vs R (analyses_cluster.R)
CLUSTER_COLS = ["estimate", "se", "statistic", "df", "p", "ci_low", "ci_high"]
POOLED_ORDER = ["(Intercept)", "trained", "post", "age", "trained:post"]  # R's order of lm(y ~ trained * post + age)


def _cluster_ref():
    return json.loads((REF / "analyses_cluster.json").read_text())


@pytest.mark.parametrize("small_sample, key", [("CR2", "did_cr2"), ("CR1-G", "did_cr1g")])
def test_did_small_sample_options_match_r(panel, small_sample, key):
    ref = _cluster_ref()[key]
    # CR2 — R: coef_test(fit, vcov = vcovCR(fit, cluster = cl, type = "CR2"), test = "Satterthwaite"), conf_int(...)
    # CR1-G — R: coeftest(fit, vcov = vcovCL(fit, ~cl, type = "HC1"), df = G - 1), coefci(..., df = G - 1)
    res = T.did(panel, dv="capaian_pct", covar="age", small_sample=small_sample).set_index("term").loc[POOLED_ORDER]
    want = np.column_stack([ref[c] for c in CLUSTER_COLS])
    np.testing.assert_allclose(res[CLUSTER_COLS].to_numpy(float), want, rtol=1e-6)
    assert (res.n_clusters == _cluster_ref()["G"]).all()


def test_did_default_is_cr2(panel):
    a = T.did(panel, dv="capaian_pct", covar="age")
    b = T.did(panel, dv="capaian_pct", covar="age", small_sample="CR2")
    pd.testing.assert_frame_equal(a, b)
    assert a.method.str.contains("CR2").all()


@pytest.mark.parametrize(
    "small_sample, key, wkey", [("CR2", "region_cr2", "wald_cr2"), ("CR1-G", "region_cr1g", "wald_cr1g")]
)
def test_did_region_small_sample_options_match_r(panel, small_sample, key, wkey):
    full = _cluster_ref()
    ref = pd.DataFrame({k: v for k, v in full[key].items() if k != "V"} if isinstance(full[key], dict) else full[key])
    ref["region"] = [n.split(":")[0].removeprefix("region_code") for n in ref["names"]]
    res = T.did(panel, dv="capaian_pct", covar="age", between=["trained", "region_code"], small_sample=small_sample)
    reg = res[res.region.notna()].set_index("region").loc[ref.region]
    # CR2 — R: coef_test(fit_r, vcovCR(fit_r, cl, "CR2"), test = "Satterthwaite") on the region:trained:post terms
    # CR1-G — R: coeftest(fit_r, vcovCL(fit_r, ~cl, type = "HC1"), df = G_region - 1) (the region's clusters)
    np.testing.assert_allclose(reg[CLUSTER_COLS].to_numpy(float), ref[CLUSTER_COLS].to_numpy(float), rtol=1e-6)
    assert list(reg.n_clusters) == [full["G_region"][r] for r in ref.region]
    f = res[res.term == "region_code x trained:post"].iloc[0]
    w = full[wkey]
    # R: clubSandwich::Wald_test(fit_r, constraints = C, vcov = <CR2 | CR1S = vcovCL HC1>, test = "Naive-F")
    np.testing.assert_allclose([f.statistic, f.df1, f.df2, f.p], [w["F"], w["df1"], w["df2"], w["p"]], rtol=1e-6)


@pytest.mark.parametrize("small_sample, key", [("CR2", "cr2"), ("CR1-G", "cr1g")])
def test_dose_response_small_sample_options_match_r(panel, small_sample, key):
    full = _cluster_ref()
    pooled = full[f"dose_{key}"]
    res = T.dose_response(panel, dv="capaian_pct", dose="jp", small_sample=small_sample)
    # R: coef_test(lm(capaian_pct ~ I(jp / 10)), vcovCR(., cl, "CR2"), "Satterthwaite") | coeftest(., vcovCL, df = G - 1)
    np.testing.assert_allclose(
        res.loc[0, CLUSTER_COLS].to_numpy(float), [pooled[c][1] for c in CLUSTER_COLS], rtol=1e-6
    )
    by = T.dose_response(
        panel, dv="capaian_pct", dose="jp", between="region_code", small_sample=small_sample
    ).set_index("region")
    for r in full["dose_region"]:  # one model per region, that region's clusters
        np.testing.assert_allclose(
            by.loc[r["region"], CLUSTER_COLS].to_numpy(float),
            [r[key][c][1] for c in CLUSTER_COLS],
            rtol=1e-6,
            err_msg=r["region"],
        )


def test_small_sample_rejects_unknown_option(panel):
    with pytest.raises(KinerjaError, match="small_sample"):
        T.did(panel, dv="capaian_pct", small_sample="CR3")
    with pytest.raises(KinerjaError, match="small_sample"):
        T.dose_response(panel, dv="capaian_pct", dose="jp", small_sample="cr2")


def test_cr2_matches_dense_formula_with_leverage_one_cluster():
    """CR2 through k x k eigenvalues equals the textbook n_g x n_g formula, including a cluster with leverage 1."""
    from scipy import linalg

    from kinerja_research.analysis import _ols

    rng = np.random.default_rng(7)
    n, g = 64, 8
    cl = np.repeat(np.arange(g), n // g)
    X = np.column_stack([np.ones(n), rng.normal(size=n), (cl == 0).astype(float)])  # cluster 0 has its own dummy
    y = X @ [1.0, 0.5, 2.0] + rng.normal(size=n)
    fit = _ols.Fit(X, y, ["a", "b", "c"])
    B, e = fit.xtx_inv, fit.resid
    meat = np.zeros((3, 3))
    for c in range(g):
        i = cl == c
        Hgg = X[i] @ B @ X[i].T
        w, v = np.linalg.eigh(np.eye(i.sum()) - Hgg)
        inv = np.where(w > 1e-10, 1 / np.sqrt(np.clip(w, 1e-300, None)), 0.0)  # generalised inverse, as clubSandwich
        u = X[i].T @ (v * inv) @ v.T @ e[i]
        meat += np.outer(u, u)
    np.testing.assert_allclose(fit.vcov("CR2", cl), B @ meat @ B, rtol=1e-9, atol=1e-14)
    assert linalg.norm(fit.vcov("CR2", cl)) > 0


def test_mixed_effects_matches_lmer(panel):
    ref = _json("panel")["lmm"]
    data = panel.assign(agency_id=panel.region_code + "|" + panel.agency)
    res = T.mixed_effects(data, dv="capaian_pct", groups="agency_id").set_index("term")
    fixed = ["(Intercept)", "trained", "post", "trained:post"]
    # R: lmer(capaian_pct ~ trained * post + (1 | agency_id) + (1 | person_id), REML = TRUE, optimizer bobyqa);
    # iterative fits with different optimisers: rtol 1e-4
    np.testing.assert_allclose(res.loc[fixed, "estimate"].to_numpy(float), ref["estimate"], rtol=1e-4)
    np.testing.assert_allclose(res.loc[fixed, "se"].to_numpy(float), ref["se"], rtol=1e-4)
    np.testing.assert_allclose(
        res.loc[["var(agency_id)", "var(person_id)", "var(residual)"], "estimate"].to_numpy(float),
        [ref["var_agency"], ref["var_person"], ref["var_resid"]],
        rtol=1e-4,
    )
    # default cluster (region_code, agency) is the same grouping as agency_id
    same = T.mixed_effects(panel, dv="capaian_pct").set_index("term")
    np.testing.assert_allclose(same.loc[fixed, "estimate"], res.loc[fixed, "estimate"], rtol=1e-8)


def test_mixed_effects_reml_criterion_equals_lmer_remlcrit(panel):
    from kinerja_research.analysis.mixed import lmm

    ref = _json("panel")["lmm"]
    d = panel.assign(
        post=(panel.wave == "post").astype(float),
        tr=panel.trained.astype(float),
        agency_id=panel.region_code + "|" + panel.agency,
    )
    fit = lmm(d, "capaian_pct ~ tr * post", groups=["agency_id", "person_id"], profile=False, df_method="wald").fit
    # R: REMLcrit(lmm) (-2 x restricted log-likelihood at the optimum)
    np.testing.assert_allclose(fit.reml_criterion[0], ref["REMLcrit"], rtol=1e-9)


def test_did_input_errors(panel):
    with pytest.raises(KinerjaError, match="not binary"):
        T.did(panel.assign(trained="ya"), dv="capaian_pct")
    with pytest.raises(KinerjaError, match="two periods"):
        T.did(panel[panel.wave == "pre"], dv="capaian_pct")
    with pytest.raises(KinerjaError, match="no column"):
        T.did(panel, dv="capaian")


def test_did_listwise_missing_reported_in_n(panel):
    p = panel.copy()
    p.loc[:9, "capaian_pct"] = np.nan
    res = T.did(p, dv="capaian_pct")
    assert res.n_obs.iloc[0] == len(panel) - 10  # rows (person-periods) used
    assert res.n.iloc[0] == p.dropna(subset=["capaian_pct"]).person_id.nunique()  # people


# -------------------------------------------------------------------------------------------------- training dose
def test_training_dose_counts_zero_years_and_pns_only():
    tr = pd.DataFrame(
        {
            "person_id": ["a", "a", "b", "c", "d"],
            "start": pd.to_datetime(["2025-01-10", "2025-07-01", "2025-03-01", "2024-12-30", "2025-05-05"]),
            "jp": [12.0, 8.0, 30.0, 40.0, 50.0],
        }
    )
    staff = pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d", "e"],
            "year": 2025,
            "region_code": ["18.71", "18.71", "18.71", "18.71", "17.71"],
            "golongan": ["III/a", "III/b", "II/c", "PPPK-IX", "IV/a"],
        }
    )
    res = T.training_dose(tr, staff=staff).set_index("region")
    # 18.71 PNS: a = 20 JP (meets), b = 30 (meets), c = 0 in 2025 (course in 2024); d is PPPK (excluded)
    assert res.loc["18.71", "n"] == 3 and res.loc["18.71", "n_obs"] == 3  # people, person-years
    np.testing.assert_allclose(res.loc["18.71", "estimate"], 2 / 3)
    np.testing.assert_allclose(res.loc["18.71", "mean_jp"], 50 / 3)
    assert res.loc["17.71", "estimate"] == 0.0
    # Wilson interval = R prop.test(2, 3, correct = FALSE)$conf.int = 0.2076596008 0.9385080553
    np.testing.assert_allclose(
        res.loc["18.71", ["ci_low", "ci_high"]].to_numpy(float), [0.2076596008, 0.9385080553], rtol=1e-9
    )
    by_gol = T.training_dose(tr, staff=staff, between=("region_code", "golongan"), pns_only=False)
    assert set(by_gol.golongan) == {"III/a", "III/b", "II/c", "PPPK-IX", "IV/a"}


# ----------------------------------------------------------------------- recovery: selection into training, DiD
def _selection_panel(seed: int, n: int = 1200, effect: float = 3.0):
    """Small DGP with selection on the person effect: better staff train more, so post-only comparison is biased."""
    rng = np.random.default_rng(seed)
    agency = rng.integers(0, 40, n)
    u_ag = rng.normal(0, 2, 40)[agency]
    u_p = rng.normal(0, 4, n)
    trained = rng.random(n) < 1 / (1 + np.exp(-(u_p / 2)))
    rows = []
    for post in (0, 1):
        y = 80 + u_ag + u_p + 1.0 * post + effect * trained * post + rng.normal(0, 3, n)
        rows.append(
            pd.DataFrame(
                {
                    "person_id": np.arange(n),
                    "agency": agency,
                    "trained": trained,
                    "wave": "post" if post else "pre",
                    "y": y,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_did_recovers_effect_where_naive_post_only_is_biased():
    effect = 3.0
    est, naive, cover = [], [], []
    for seed in range(30):
        df = _selection_panel(seed, effect=effect)
        r = T.did(df, dv="y", cluster="agency")
        row = r[r.term == "trained:post"].iloc[0]
        est.append(row.estimate)
        cover.append(row.ci_low <= effect <= row.ci_high)
        post = df[df.wave == "post"]
        naive.append(post[post.trained].y.mean() - post[~post.trained].y.mean())
    est, naive = np.array(est), np.array(naive)
    # DiD is unbiased: mean over 30 seeds within 3 Monte Carlo SEs of the truth
    assert abs(est.mean() - effect) < 3 * est.std(ddof=1) / np.sqrt(len(est))
    # the naive post-only difference carries the selection bias (about +3 here): far outside its Monte Carlo error
    assert naive.mean() - effect > 10 * naive.std(ddof=1) / np.sqrt(len(naive))
    # small coverage check (loose bound; the 500-seed version is in test_analysis_coverage.py)
    assert np.mean(cover) >= 0.8
