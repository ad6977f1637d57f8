"""Ordinal CFA (WLSMV) against lavaan (tests/reference/measure_ordinal.R -> measure_ordinal.json): sample
thresholds, polychoric correlations, their asymptotic covariance, DWLS estimates, robust SEs and the scaled-shifted
test. Tolerances: thresholds and polychorics 1e-7, Gamma 1e-6 relative, fit 1e-5 relative, SEs 1e-5, estimates
1e-5 widened by lavaan's own distance from the DWLS minimum (as in test_measure_sem.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from kinerja_research.errors import KinerjaError
from kinerja_research.measure import cfa, example_items
from kinerja_research.measure._ordinal import pbinorm

pytestmark = pytest.mark.r
REF = Path(__file__).parent / "reference"
ORD = json.loads((REF / "measure_ordinal.json").read_text())
FILES = {"bfi": "measure_bfi25.csv", "survey": "measure_survey.csv", "sim5000": "measure_sim5000.csv"}
FIT_MAP = {
    "chisq": ("chisq", "estimate"),
    "df": ("chisq", "df"),
    "chisq.scaled": ("chisq_scaled", "estimate"),
    "pvalue.scaled": ("chisq_scaled", "p"),
    "chisq.scaling.factor": ("chisq_scaled", "scaling_factor"),
    "chisq.shift.parameter": ("chisq_scaled", "shift"),
    "baseline.chisq": ("baseline_chisq", "estimate"),
    "cfi": ("cfi", "estimate"),
    "tli": ("tli", "estimate"),
    "cfi.scaled": ("cfi_scaled", "estimate"),
    "tli.scaled": ("tli_scaled", "estimate"),
    "rmsea": ("rmsea", "estimate"),
    "rmsea.ci.lower": ("rmsea", "ci_low"),
    "rmsea.ci.upper": ("rmsea", "ci_high"),
    "rmsea.scaled": ("rmsea_scaled", "estimate"),
    "srmr": ("srmr", "estimate"),
}
SLOW = {"bfi_5f_ord"}


@pytest.fixture(scope="module")
def data():
    return {k: pd.read_csv(REF / v, dtype={"region_code": str}) for k, v in FILES.items()}


def _params(m):
    return pytest.param(m, id=m["id"], marks=[pytest.mark.slow] if m["id"] in SLOW else [])


@pytest.mark.parametrize("m", [_params(m) for m in ORD["models"]])
def test_wlsmv_matches_lavaan(data, m):
    res = cfa(data[m["data"]], model=m["model"], ordered=True, estimator="WLSMV")
    assert res.converged == m["converged"] is True
    grp = res.engine.groups[0]
    p = grp.R.shape[0]
    # lavInspect(fit, "sampstat"): thresholds and polychoric correlations (lower triangle, column by column)
    assert_allclose(grp.th, m["th"], atol=1e-10)
    lower = [grp.R[i, j] for j in range(p) for i in range(j + 1, p)]
    assert_allclose(lower, m["cor"], atol=1e-7)
    # diag(lavInspect(fit, "gamma")): Muthen's asymptotic covariance
    assert_allclose(np.diag(grp.gamma), m["gamma_diag"], rtol=1e-6)
    fit = res.fit.set_index("term")
    for name, (term, col) in FIT_MAP.items():
        # fitMeasures(fit), lavInspect(fit, "test")$scaled.shifted$shift.parameter
        assert_allclose(fit.loc[term, col], m["fit"][name], rtol=1e-5, atol=1e-8, err_msg=f"{m['id']} {name}")
    ref = pd.DataFrame(m["est"])
    ref["term"] = (ref["lhs"] + " " + ref["op"] + " " + ref["rhs"]).str.strip()
    merged = ref.merge(res.estimates, on="term", suffixes=("_r", ""))
    assert len(merged) == len(ref)
    slack = _distance(res, ref)
    assert np.all(np.abs(merged["estimate"] - merged["est"]) <= 1e-5 * np.maximum(1, merged["est"].abs()) + slack)
    assert_allclose(merged["se"].fillna(0), merged["se_r"], rtol=1e-5, atol=1e-5 + slack)
    assert_allclose(merged["std_all"], merged["std_all_r"], atol=1e-5 + slack)


def _distance(res, ref) -> float:
    """Largest Gauss-Newton step from lavaan's estimates to the DWLS minimum (lavaan's own distance from it)."""
    from kinerja_research.measure._ordinal import _implied_stats, _jacobian, _pairs_index

    eng = res.engine
    model, grp = eng.model, eng.groups[0]
    theta = eng.theta.copy()
    by_term = ref.set_index("term")["est"]
    for r in model.rows:
        if r.free >= 0:
            theta[r.free] = by_term[r.name]
    idx = _pairs_index(model.p)
    J = _jacobian(model, theta, 0, idx)
    resid = grp.stats - _implied_stats(model, theta, 0, idx)
    step = np.linalg.solve(J.T @ (grp.V[:, None] * J), J.T @ (grp.V * resid))
    return 2 * float(np.max(np.abs(step)))


def test_bivariate_normal_cdf_is_exact():
    """Genz's algorithm against scipy's multivariate normal and the closed forms at rho = 0 and rho = +-1."""
    rng = np.random.default_rng(1)
    for r in (-0.95, -0.6, -0.2, 0.0, 0.1, 0.5, 0.8, 0.93, 0.99):
        h, k = rng.normal(size=6), rng.normal(size=6)
        ref = [stats.multivariate_normal(cov=[[1, r], [r, 1]]).cdf([a, b]) for a, b in zip(h, k)]
        assert_allclose(pbinorm(h, k, r), ref, atol=1e-7)
    h = np.array([-1.0, 0.3])
    assert_allclose(pbinorm(h, np.inf, 0.4), stats.norm.cdf(h), atol=1e-15)
    assert_allclose(pbinorm(-np.inf, h, 0.4), 0.0)


def test_polychoric_recovers_latent_correlation():
    """Items cut from a bivariate normal with correlation .6: the polychoric correlation is near .6 while the
    Pearson correlation of the categories is attenuated."""
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal([0, 0, 0], [[1, 0.6, 0.5], [0.6, 1, 0.4], [0.5, 0.4, 1]], size=20000)
    x = np.digitize(z, [-1.0, 0.0, 0.8]).astype(float)
    res = cfa(pd.DataFrame(x, columns=["a", "b", "c"]), model="f =~ a + b + c", ordered=True, estimator="WLSMV")
    R = res.engine.groups[0].R
    assert abs(R[1, 0] - 0.6) < 0.02 and abs(R[2, 0] - 0.5) < 0.02
    assert np.corrcoef(x[:, 0], x[:, 1])[0, 1] < 0.57


def test_a_category_missing_in_one_group_is_refused():
    df = example_items(n=200, seed=31, k=4)
    df["g"] = ["a"] * 100 + ["b"] * 100
    df.loc[df["g"] == "b", "X1"] = df.loc[df["g"] == "b", "X1"].clip(lower=2)
    with pytest.raises(KinerjaError, match=r"Item 'X1' in group 'b' has no answer 1"):
        cfa(df, model="f =~ X1 + X2 + X3 + X4", ordered=True, estimator="WLSMV", between="g", equal=("loadings",))
