"""kr.lmm against lme4 / lmerTest on public data shipped with R (tests/reference/analyses_lmm.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis.mixed import lmm
from kinerja_research.errors import KinerjaError

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "analyses_lmm.json").read_text())
DATA = {k: pd.read_csv(REF / f"analyses_lmm_{k}.csv") for k in ("sleepstudy", "penicillin", "orthodont")}
CASES = {
    # lme4 formula -> kr.lmm call
    "sleep_slopes": ("sleepstudy", "Reaction ~ Days", dict(groups="Subject", re_formula="1 + Days")),  # (Days|Subject)
    "sleep_intercept": ("sleepstudy", "Reaction ~ Days", dict(groups="Subject")),  # (1|Subject)
    "sleep_slopes_ml": ("sleepstudy", "Reaction ~ Days", dict(groups="Subject", re_formula="1 + Days", reml=False)),
    "penicillin": ("penicillin", "diameter ~ 1", dict(groups=["plate", "sample"])),  # (1|plate) + (1|sample), crossed
    "orthodont": ("orthodont", "distance ~ age + Sex", dict(groups="Subject", re_formula="~age")),  # (age|Subject)
}


def _fit(case, profile=False):
    data, formula, kw = CASES[case]
    return lmm(DATA[data], formula, profile=profile, **kw)


def _sdcor(ref):
    """R's VarCorr rows in our order: per term sd, cor, sd (column-major lower triangle), residual last."""
    vc = pd.DataFrame(ref["varcorr"])
    out = []
    for g in dict.fromkeys(vc.grp):
        part = vc[vc.grp == g]
        sds = part[part.var2.isna()]
        cors = part[part.var2.notna()]
        if g == "Residual":
            continue
        out.append(sds.sdcor.iloc[0])
        out += list(cors.sdcor)
        out += list(sds.sdcor.iloc[1:])
    return np.array(out + [ref["sigma"]])


@pytest.mark.parametrize("case", list(CASES))
def test_lmm_matches_lme4_and_lmertest(case):
    ref = R[case]
    res = _fit(case)
    fx = res[res.effect == "fixed"]
    assert fx.term.tolist() == [n.replace("SexMale", "SexMale") for n in np.atleast_1d(ref["fixed"]["names"])]
    # R: summary(lmerTest::lmer(...)) with a tight optimizer tolerance; contest1D(confint = TRUE) for the CI
    for col, key, rtol in [
        ("estimate", "estimate", 1e-5),
        ("se", "se", 1e-5),
        ("statistic", "t", 1e-5),
        ("df", "df", 1e-3),
        ("ci_low", "ci_low", 1e-5),
        ("ci_high", "ci_high", 1e-5),
        ("p", "p", 1e-3),
    ]:
        np.testing.assert_allclose(fx[col].to_numpy(float), np.atleast_1d(ref["fixed"][key]), rtol=rtol, err_msg=col)
    rnd = res[res.effect == "random"]
    np.testing.assert_allclose(rnd.estimate.to_numpy(float), _sdcor(ref), rtol=1e-5)  # VarCorr sd and cor
    fit = res.fit.iloc[0]
    crit = ref["REMLcrit"] if CASES[case][2].get("reml", True) else ref["deviance"]
    ours = fit.reml_criterion if CASES[case][2].get("reml", True) else fit.deviance
    np.testing.assert_allclose(
        [ours, fit.loglik, fit.aic, fit.bic], [crit, ref["logLik"], ref["AIC"], ref["BIC"]], rtol=1e-9
    )
    assert fit.n_obs == ref["nobs"] and fit.converged


def test_profile_intervals_match_lme4_small():
    """Profile limits of sd((Intercept) | Subject) and sigma (lme4 refits a REML model by ML for the profile)."""
    res = _fit("sleep_intercept", profile=True)
    rnd = res[res.effect == "random"]
    ex = R["sleep_intercept"]["exact_profile"]  # R: root of lme4's own devfun2 profile (uniroot, tol 1e-11)
    np.testing.assert_allclose(rnd.ci_low, ex["lo"], rtol=1e-6)
    np.testing.assert_allclose(rnd.ci_high, ex["hi"], rtol=1e-6)
    sp = R["sleep_intercept"]["profile_ci"]  # R: confint(fit, method = "profile"): a spline through the profile
    np.testing.assert_allclose(rnd.ci_low, sp["lo"][:2], rtol=1e-4)
    np.testing.assert_allclose(rnd.ci_high, sp["hi"][:2], rtol=1e-4)
    assert (res.ci_level == 0.95).all()


@pytest.mark.slow
@pytest.mark.parametrize("case", ["sleep_slopes", "penicillin", "orthodont"])
def test_profile_intervals_match_lme4(case):
    rnd = _fit(case, profile=True).query("effect == 'random'")
    ex = R[case]["exact_profile"]
    np.testing.assert_allclose(rnd.ci_low, ex["lo"], rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(rnd.ci_high, ex["hi"], rtol=1e-4, atol=1e-8)


def test_nested_by_vc_formula_equals_interaction_groups():
    """statsmodels-style vc_formula (a person intercept within agency) = lme4's (1 | agency) + (1 | agency:person)."""
    rng = np.random.default_rng(3)
    ag = np.repeat(np.arange(8), 30)
    person = np.arange(240)
    d = pd.DataFrame({"agency": np.repeat(ag, 2), "person": np.repeat(person, 2), "x": rng.normal(size=480)})
    d["y"] = d.x + rng.normal(0, 1, 8)[d.agency] + rng.normal(0, 1, 240)[d.person] + rng.normal(0, 1, 480)
    a = lmm(d, "y ~ x", groups=["agency", "agency:person"], profile=False)
    b = lmm(d, "y ~ x", groups="agency", vc_formula={"person": "0 + C(person)"}, profile=False)
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-6)
    np.testing.assert_allclose(a.fit.reml_criterion, b.fit.reml_criterion, rtol=1e-10)


def test_recovers_planted_components():
    rng = np.random.default_rng(11)
    g = np.repeat(np.arange(60), 10)
    d = pd.DataFrame({"g": g, "t": np.tile(np.arange(10.0), 60)})
    d["y"] = 1 + 0.3 * d.t + rng.normal(0, 2.0, 60)[g] + rng.normal(0, 0.2, 60)[g] * d.t + rng.normal(0, 1, 600)
    res = lmm(d, "y ~ t", groups="g", re_formula="1 + t", profile=False).set_index("term")
    assert abs(res.loc["t", "estimate"] - 0.3) < 3 * res.loc["t", "se"]
    assert 1.5 < res.loc["sd((Intercept) | g)", "estimate"] < 2.6
    assert 0.12 < res.loc["sd(t | g)", "estimate"] < 0.3


def test_bad_input():
    d = DATA["sleepstudy"]
    with pytest.raises(KinerjaError, match="no column 'Subjek'"):
        lmm(d, "Reaction ~ Days", groups="Subjek")
    with pytest.raises(KinerjaError, match="df_method"):
        lmm(d, "Reaction ~ Days", groups="Subject", df_method="kenward-roger")
    with pytest.raises(KinerjaError, match="formula"):
        lmm(d, "Reaction", groups="Subject")
