"""Measurement invariance against lavaan (tests/reference/measure_invariance.R -> measure_invariance.json): fit of
every level under ML, MLR, FIML and WLSMV, the difference tests of lavTestLRT (chi-square difference,
Satorra-Bentler 2001, Satorra 2000 scaled-shifted), lavTestScore, and latent means under (partial) scalar
invariance. Tolerance 1e-5 (relative for statistics, absolute for estimates and SEs)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from kinerja_research.errors import KinerjaError
from kinerja_research.measure import cfa, example_items, invariance, invariance_scores, latent_means

pytestmark = pytest.mark.r
REF = Path(__file__).parent / "reference"
INV = json.loads((REF / "measure_invariance.json").read_text())
FILES = {
    "hs": "measure_hs1939.csv",
    "hs_missing": "measure_hs_missing.csv",
    "bfi": "measure_bfi25.csv",
    "survey": "measure_survey.csv",
}
COLS = {
    "chisq": "statistic",
    "df": "df",
    "pvalue": "p",
    "cfi": "cfi",
    "tli": "tli",
    "rmsea": "rmsea",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    "srmr": "srmr",
    "chisq.scaled": "chisq_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "rmsea.scaled": "rmsea_scaled",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea.robust": "rmsea_robust",
}
SLOW = {"hs_school_fiml", "survey_region_mlr", "bfi_gender_wlsmv"}


@pytest.fixture(scope="module")
def data():
    out = {}
    for k, v in FILES.items():
        df = pd.read_csv(REF / v, dtype={"region_code": str})
        if "gender" in df:
            df["gender"] = df["gender"].astype(str)
        out[k] = df
    return out


def _kw(c):
    return {
        "model": c["model"],
        "between": c["group"],
        "estimator": c["estimator"],
        "missing": "fiml" if c["missing"] in ("ml", "fiml") else "listwise",
        "ordered": c["ordered"],
    }


def _params(c):
    return pytest.param(c, id=c["id"], marks=[pytest.mark.slow] if c["id"] in SLOW else [])


@pytest.mark.parametrize("c", [_params(c) for c in INV["cases"]])
def test_invariance_matches_lavaan(data, c):
    df = data[c["data"]]
    inv = invariance(df, levels=c["levels"], **_kw(c)).set_index("term")
    assert inv["converged"].all() and all(c["converged"])
    for level in c["levels"]:
        for name, col in COLS.items():
            if name in c["fit"][level] and col in inv.columns:
                # fitMeasures(cfa(model, data, group =, group.label =, group.equal =, estimator =, ...))
                assert_allclose(
                    inv.loc[level, col], c["fit"][level][name], rtol=1e-5, atol=1e-8, err_msg=f"{level} {name}"
                )
    # lavTestLRT(configural, metric, scalar, ...): standard / Satorra-Bentler 2001 / Satorra 2000
    lrt = c["lrt"]
    assert_allclose(inv["chisq_diff"].iloc[1:], lrt["chisq_diff"][1:], rtol=1e-5)
    assert_allclose(inv["df_diff"].iloc[1:], lrt["df_diff"][1:])
    assert_allclose(inv["p_diff"].iloc[1:], lrt["p"][1:], rtol=1e-4, atol=1e-12)
    if c.get("latent_means"):
        lm = latent_means(df, **_kw(c))
        ref = c["latent_means"]
        # parameterEstimates(scalar fit): latent means of the groups after the first
        assert lm["term"].tolist() == ref["lhs"]
        assert_allclose(lm["estimate"], ref["est"], atol=1e-5)
        assert_allclose(lm["se"], ref["se"], atol=1e-5)
        assert_allclose(lm["statistic"], ref["z"], atol=1e-4)
        assert_allclose(lm["p"], ref["p"], atol=1e-5)
    if c.get("partial"):
        part = c["partial"]
        free = tuple(part["free"])
        inv_p = invariance(df, levels=("configural", "metric", "scalar"), partial=free, **_kw(c)).set_index("term")
        for name in ("chisq", "df", "cfi", "rmsea", "srmr"):
            # cfa(..., group.equal = c("loadings", "intercepts"), group.partial = c("x3~1", "x7~1"))
            assert_allclose(inv_p.loc["scalar", COLS[name]], part["fit"][name], rtol=1e-5, err_msg=name)
        lm = latent_means(df, partial=free, **_kw(c))
        assert_allclose(lm["estimate"], part["latent_means"]["est"], atol=1e-5)
        assert_allclose(lm["se"], part["latent_means"]["se"], atol=1e-5)


@pytest.mark.parametrize("c", [c for c in INV["cases"] if "score" in c], ids=lambda c: c["id"])
def test_score_tests_match_lavtestscore(data, c):
    if c["id"] in SLOW:
        pytest.skip("slow")
    kw = _kw(c)
    kw.pop("ordered")
    sc = invariance_scores(data[c["data"]], **kw)
    ref = c["score"]
    total = sc.iloc[0]
    # lavTestScore(scalar fit)$test
    assert total["term"] == "total"
    assert_allclose([total["statistic"], total["df"]], [ref["total"]["X2"], ref["total"]["df"]], rtol=1e-5)
    labels = c["labels"]
    uni = sc.iloc[1:]
    ours = {(r.term, r.group_a): r.statistic for r in uni.itertuples()}
    assert len(ours) == len(ref["X2"])
    for lhs, rhs, x2 in zip(ref["lhs"], ref["rhs"], ref["X2"]):
        name, grp = rhs.rsplit("|", 1)
        assert lhs.rsplit("|", 1)[0] == name
        # lavTestScore(scalar fit)$uni: releasing one constraint
        assert_allclose(ours[(name, labels[int(grp) - 1])], x2, rtol=1e-5, atol=1e-5, err_msg=name)


def test_score_tests_point_to_the_intercepts_to_free(data):
    """Holzinger-Swineford by school: scalar invariance fails (robust ΔCFI -.039); the score tests point to x3 and
    x7's intercepts, and partial scalar invariance with those freed holds."""
    hs = data["hs"]
    model = INV["cases"][0]["model"]
    inv = invariance(hs, model=model, between="school").set_index("term")
    assert not inv.loc["scalar", "holds"] and inv.loc["metric", "holds"]
    sc = invariance_scores(hs, model=model, between="school")
    assert set(sc["partial"].iloc[1:3]) == {"x3 ~1", "x7 ~1"}
    assert sc["p_adj"].iloc[1] < 0.001
    part = invariance(hs, model=model, between="school", partial=tuple(sc["partial"].iloc[1:3])).set_index("term")
    assert part.loc["scalar", "holds"]
    lm = latent_means(hs, model=model, between="school", partial=tuple(sc["partial"].iloc[1:3]))
    assert lm["comparable"].all() and (lm["group_b"] == "Grant-White").all()
    textual = lm.set_index("term").loc["textual"]
    assert textual["estimate"] < 0 and textual["p"] < 0.001
    plain = latent_means(hs, model=model, between="school")
    assert not plain["comparable"].any()


def test_strict_is_refused_for_ordinal_items():
    df = example_items(n=200, seed=41, k=4).assign(g=["a", "b"] * 100)
    with pytest.raises(KinerjaError, match="strict"):
        invariance(
            df,
            model="f =~ X1 + X2 + X3 + X4",
            between="g",
            estimator="WLSMV",
            ordered=True,
            levels=("configural", "metric", "scalar", "strict"),
        )
    with pytest.raises(KinerjaError, match="nested levels"):
        invariance(df, model="f =~ X1 + X2 + X3 + X4", between="g", levels=("scalar", "metric"))


def test_invariant_groups_hold_at_every_level():
    """Two random halves of one population: every level holds."""
    df = example_items(n=400, seed=42, k=5).assign(g=["a", "b"] * 200)
    levels = ("configural", "metric", "scalar", "strict")
    inv = invariance(df, model="f =~ X1 + X2 + X3 + X4 + X5", between="g", levels=levels)
    assert inv["holds"].tolist() == [True, True, True, True]
    assert np.isfinite(inv["p_diff"].iloc[1:]).all() and (inv["p_diff"].iloc[1:] > 0.01).all()


def test_kept_fits_serve_latent_means_after_invariance_and_never_other_data():
    """invariance then latent_means on the same data reuse the fits (a report calls both): the results equal
    cold fits, and changed data or options are fitted afresh."""
    inv_mod = importlib.import_module("kinerja_research.measure.invariance")  # the module, not the function
    df = example_items(n=240, seed=8, k=4).assign(region=["A", "B"] * 120)
    model = "f =~ X1 + X2 + X3 + X4"
    inv_mod._FITS.clear()
    cold = latent_means(df, model=model, between="region")
    inv_mod._FITS.clear()
    table = invariance(df, model=model, between="region")
    assert len(inv_mod._FITS) == 1
    warm = latent_means(df, model=model, between="region")
    assert len(inv_mod._FITS) == 1  # served from the kept fits
    pd.testing.assert_frame_equal(cold, warm)
    again = invariance(df, model=model, between="region")
    pd.testing.assert_frame_equal(table, again)
    other = df.assign(X1=df["X1"].where(df.index != 0, 6 - df["X1"]))  # one answer changed
    moved = latent_means(other, model=model, between="region")
    assert len(inv_mod._FITS) == 2
    assert moved.loc[0, "estimate"] != warm.loc[0, "estimate"]
    invariance(df, model=model, between="region", levels=("configural", "metric"))
    assert len(inv_mod._FITS) == 2  # at most two kept


def test_levels_started_from_the_previous_level_equal_levels_fitted_alone():
    """Metric and scalar start from the previous level's estimates: the fits equal the same models fitted alone from
    the usual starts (cfa with equal=), to the optimiser's tolerance, and the warm start was the one used."""
    inv_mod = importlib.import_module("kinerja_research.measure.invariance")
    df = example_items(n=450, seed=5, k=6).assign(g=["a", "b", "c"] * 150)
    df.loc[df["g"] == "b", "X2"] += 0.3  # an intercept that differs: scalar fits worse, latent means move
    model = "f =~ X1 + X2 + X3 + X4 + X5 + X6"
    inv_mod._FITS.clear()
    inv = invariance(df, model=model, between="g").set_index("term")
    ((_, engines, _),) = inv_mod._FITS.values()
    assert engines["configural"].fit.est.start == "default"
    assert engines["metric"].fit.est.start == "warm" and engines["scalar"].fit.est.start == "warm"
    for level, equal in (("metric", ("loadings",)), ("scalar", ("loadings", "intercepts"))):
        alone = cfa(df, model=model, between="g", equal=equal)
        fit = alone.fit.set_index("term")["estimate"]
        assert alone.converged and not alone.problems
        for col, term in (("statistic", "chisq"), ("cfi", "cfi"), ("rmsea", "rmsea"), ("srmr", "srmr")):
            assert_allclose(inv.loc[level, col], fit[term], rtol=1e-7, err_msg=f"{level} {col}")
    lm = latent_means(df, model=model, between="g")
    est = alone.estimates
    ref = est[(est["op"] == "~1") & (est["lhs"] == "f") & est["free"]]
    assert_allclose(lm["estimate"].to_numpy(), ref["estimate"].to_numpy(), atol=1e-7)
    assert_allclose(lm["se"].to_numpy(), ref["se"].to_numpy(), atol=1e-7)


def test_a_warm_start_that_fails_is_forgotten():
    """A warm start that leads nowhere proper (here: a non-positive-definite Sigma) leaves the estimation exactly as
    without it; a warm start of another model's rows is not made at all."""
    from kinerja_research.measure._model import build_model
    from kinerja_research.measure._sem import Problem, carry_start, complete_group, estimate
    from kinerja_research.measure._syntax import parse_model

    df = example_items(n=300, seed=9, k=6)
    x = df[[f"X{i}" for i in range(1, 7)]].to_numpy(float)
    model = build_model(parse_model("f =~ X1 + X2 + X3\nh =~ X4 + X5 + X6"))
    prob = Problem(model, [complete_group(x)])
    plain = estimate(prob)
    bad = np.full(model.q, -5.0)  # negative variances everywhere: no Cholesky factor
    after = estimate(prob, warm=bad)
    assert after.start == plain.start == "default"
    np.testing.assert_array_equal(after.theta, plain.theta)
    other = build_model(parse_model("f =~ X1 + X2 + X3 + X4 + X5 + X6"))
    assert carry_start(other, model, plain.theta) is None
    again = carry_start(model, model, plain.theta)
    np.testing.assert_array_equal(again, plain.theta)
