"""The closed-form engine of kr.lmm (random intercepts of one factor or of two nested factors: page 02's model)
against lme4/lmerTest (tests/reference/analyses_lmm_nested.R) and against the general sparse/dense engine."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import patsy
import pytest

from kinerja_research.analysis import mixed
from kinerja_research.analysis.mixed import lmm
from kinerja_research.analysis.training import mixed_effects

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "analyses_lmm_nested.json").read_text())
NESTED = ["agency", "agency:person_id"]
CASES = {  # lme4 formula -> kr.lmm call
    # capaian_pct ~ trained * post + (1 | agency) + (1 | agency:person_id)
    "nested_reml": ("capaian_pct ~ trained * post", dict(groups=NESTED)),
    "nested_ml": ("capaian_pct ~ trained * post", dict(groups=NESTED, reml=False)),
    "nested_age": ("capaian_pct ~ trained * post + age", dict(groups=NESTED)),
    # capaian_pct ~ trained * post + (1 | agency:person_id)
    "person_only": ("capaian_pct ~ trained * post", dict(groups="agency:person_id")),
}

# A panel written by hand in the page's shape: agency A of three people (one seen once), agency B of one person seen
# once, agency C of two people; a missing capaian and a missing age (rows dropped); people with 1 to 4 rows.
HAND = """agency,person_id,trained,wave,age,capaian_pct
A,a1,1,pre,41,82.5
A,a1,1,post,41,88.0
A,a1,1,pre,41,84.1
A,a1,1,post,41,
A,a2,0,pre,35,79.0
A,a2,0,post,35,80.2
A,a3,0,pre,52,90.4
B,b1,1,post,29,77.7
C,c1,0,pre,47,85.0
C,c1,0,post,47,85.9
C,c1,0,pre,,86.3
C,c2,1,pre,38,81.2
C,c2,1,post,38,89.6
C,c2,1,pre,38,80.9
C,c2,1,post,38,90.1
D,d1,0,pre,33,75.3
D,d1,0,post,33,76.8
D,d2,1,pre,55,88.8
D,d2,1,post,55,93.0
D,d3,0,pre,44,83.3
D,d3,0,post,44,82.1
D,d3,0,pre,44,84.0
"""


def _nested_data() -> pd.DataFrame:
    d = pd.read_csv(REF / "analyses_lmm_nested.csv")
    return d.assign(post=(d.wave == "post").astype(int), trained=d.trained.astype(int))


def _hand() -> pd.DataFrame:
    d = pd.read_csv(io.StringIO(HAND))
    return d.assign(post=(d.wave == "post").astype(int))


def _synthetic(seed: int) -> pd.DataFrame:
    """Unbalanced: agencies of 1 to 8 people, people of 1 to 5 rows, 3% missing outcomes."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(10):
        ua = rng.normal(0, 2)
        for i in range(rng.integers(1, 9)):
            up, tr = rng.normal(0, 3), int(rng.random() < 0.4)
            for j in range(rng.integers(1, 6)):
                y = 80 + 1.5 * (j % 2) + 2 * tr * (j % 2) + ua + up + rng.normal(0, 2)
                rows.append(
                    dict(agency=f"A{a}", person_id=f"A{a}-{i}", trained=tr, post=j % 2, age=30 + i, capaian_pct=y)
                )
    d = pd.DataFrame(rows)
    d.loc[rng.random(len(d)) < 0.03, "capaian_pct"] = np.nan
    return d


def _fit(data, formula, engine, monkeypatch, **kw):
    monkeypatch.setattr(mixed, "_ENGINE", engine)
    return lmm(data, formula, profile=False, **kw)


def _models(data: pd.DataFrame, formula: str, groups, reml: bool):
    """The closed-form and the general model of the same complete rows."""
    d = data.dropna(subset=["agency", "person_id", "trained", "post", "age", "capaian_pct"]).reset_index(drop=True)
    y, X = patsy.dmatrices(formula, d, return_type="dataframe")
    terms = mixed._build_terms(d, groups, None, None)
    levels = mixed._nested_levels(terms, len(d))
    assert levels is not None
    X, y = X.to_numpy(float), y.to_numpy(float).ravel()
    return mixed._NestedModel(X, y, terms, reml, levels), mixed._Model(X, y, terms, reml)


@pytest.mark.parametrize("case", list(CASES))
def test_closed_form_matches_lme4_lmertest(case, monkeypatch):
    """R: lmerTest::lmer with a tight optimizer tolerance (summary: Satterthwaite df), VarCorr, REMLcrit/deviance."""
    formula, kw = CASES[case]
    ref = R[case]

    def general_fit(self):  # the closed-form engine must not fall back to the general one
        raise AssertionError("the general engine was used")

    monkeypatch.setattr(mixed._Model, "fit", general_fit)
    res = _fit(_nested_data(), formula, "auto", monkeypatch, **kw)
    fx = res[res.effect == "fixed"].set_index("term").loc[[n.replace("TRUE", "") for n in ref["names"]]]
    for col, key in [("estimate", "estimate"), ("se", "se"), ("df", "df"), ("statistic", "t"), ("p", "p")]:
        np.testing.assert_allclose(fx[col].to_numpy(float), ref[key], rtol=2e-6, atol=1e-9, err_msg=col)
    rnd = res[res.effect == "random"].set_index("group_factor")["variance"]
    vc = dict(zip(ref["grp"], ref["vcov"], strict=True))
    ours = [rnd[g] for g in (["agency:person_id", "agency"] if "agency" in vc else ["agency:person_id"])]
    np.testing.assert_allclose(ours + [rnd["residual"]], [vc[g] for g in vc], rtol=2e-6)
    fit = res.fit.iloc[0]
    crit = fit.reml_criterion if kw.get("reml", True) else fit.deviance
    np.testing.assert_allclose(crit, ref["REMLcrit"] if kw.get("reml", True) else ref["deviance"], rtol=1e-11)
    assert fit.n_obs == ref["nobs"]


def test_page_model_matches_lme4(monkeypatch):
    """training.mixed_effects (the call page 02 makes per province) takes the closed form and gives lmerTest's table."""
    monkeypatch.setattr(mixed, "_ENGINE", "auto")
    ref = R["nested_reml"]
    d = pd.read_csv(REF / "analyses_lmm_nested.csv")
    res = mixed_effects(d, dv="capaian_pct", groups="agency").set_index("term")
    fx = res.loc[["(Intercept)", "trained", "post", "trained:post"]]
    for col, key in [("estimate", "estimate"), ("se", "se"), ("df", "df"), ("p", "p")]:
        np.testing.assert_allclose(fx[col].to_numpy(float), ref[key], rtol=2e-6, err_msg=col)
    vc = dict(zip(ref["grp"], ref["vcov"], strict=True))
    np.testing.assert_allclose(
        res.loc[["var(agency)", "var(person_id)", "var(residual)"], "estimate"].to_numpy(float),
        [vc["agency"], vc["agency:person_id"], vc["Residual"]],
        rtol=2e-6,
    )


@pytest.mark.parametrize("data", ["hand", "synthetic", "nested"])
@pytest.mark.parametrize("reml", [True, False])
def test_closed_form_equals_general_algebra(data, reml):
    """At the same (θ, σ) the two engines give the same criterion, β and SE (to 1e-10), the same Hessian of the
    deviance and derivative of Var(β̂) (exact vs Richardson-extrapolated differences, to 1e-7 and 1e-6 of their largest
    entry)
    and so the same Satterthwaite df (to 5e-7: the df is a ratio that carries the differences' error); also on the
    boundary θ = 0, and with the terms in either order."""
    d = {"hand": _hand(), "synthetic": _synthetic(4), "nested": _nested_data()}[data]
    formula = "capaian_pct ~ trained * post + age"
    for groups in (NESTED, NESTED[::-1], ["agency:person_id"]):
        fast, gen = _models(d, formula, groups, reml)
        nt = fast.n_theta
        for theta in (np.linspace(0.6, 1.4, nt), np.r_[0.0, np.ones(nt - 1) * 0.9][:nt]):
            np.testing.assert_allclose(fast.deviance(theta), gen.deviance(theta), rtol=1e-12)
            _, _, b1, r1, S1 = fast.pieces(theta)
            _, _, b2, r2, S2 = gen.pieces(theta)
            np.testing.assert_allclose(b1, b2, rtol=1e-10, atol=1e-10)
            sigma = np.sqrt(r1 / (fast.n - fast.p if reml else fast.n))
            V1, V2 = sigma**2 * np.linalg.inv(S1), sigma**2 * np.linalg.inv(S2)
            np.testing.assert_allclose(np.sqrt(np.diag(V1)), np.sqrt(np.diag(V2)), rtol=1e-10)
            vp = np.append(theta, sigma)
            if theta[0] == 0:  # the Richardson steps at 0 (1e-4) are too small for the rounding of the differences
                continue
            H, J = fast.satterthwaite_parts(vp)
            Hn = mixed._richardson_hessian(gen.deviance_vp, vp)
            Jn = mixed._richardson_jacobian(gen.covbeta, vp).reshape(J.shape)
            assert np.abs(H - Hn).max() <= 1e-7 * np.abs(H).max()  # the second differences' error: 1e-8 to 5e-8
            assert np.abs(J - Jn).max() <= 1e-6 * np.abs(J).max()  # ill-conditioned X (age): up to 7e-8
            df1, df2 = mixed._satterthwaite_df(fast, vp, V1), mixed._satterthwaite_df(gen, vp, V2)
            np.testing.assert_allclose(df1, df2, rtol=5e-7)  # a ratio of the two: the differences' error, ~1e-7
            _, g = fast.deviance_grad(theta)
            dev = gen.deviance
            gn = mixed._richardson_jacobian(lambda t, dev=dev: np.array([dev(t)]), theta, d=1e-2).ravel()
            np.testing.assert_allclose(g, gn, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("data", ["hand", "synthetic", "nested"])
def test_closed_form_fit_equals_general_fit(data, monkeypatch):
    """Whole fits: the closed form reaches a criterion no higher than the general engine's (which stops on the
    criterion's flatness, central-difference gradients) and the same estimates to that engine's precision."""
    d = {"hand": _hand(), "synthetic": _synthetic(9), "nested": _nested_data()}[data]
    for groups in (NESTED, "agency:person_id", "agency"):
        a = _fit(d, "capaian_pct ~ trained * post", "general", monkeypatch, groups=groups)
        b = _fit(d, "capaian_pct ~ trained * post", "auto", monkeypatch, groups=groups)
        assert b.fit.reml_criterion[0] <= a.fit.reml_criterion[0] + 1e-9
        for col in ("estimate", "se", "df"):  # a variance at the boundary: 0 here, about 2e-5 there
            np.testing.assert_allclose(b[col], a[col], rtol=1e-4, atol=1e-4, err_msg=col)
        assert a.term.tolist() == b.term.tolist() and a.n_obs.tolist() == b.n_obs.tolist()


def test_other_models_keep_the_general_engine():
    """Crossed factors, random slopes and a numeric variance component are not nested intercepts."""
    d = _synthetic(2).dropna()
    d["slot"] = np.arange(len(d)) % 3
    crossed = mixed._build_terms(d, ["agency", "slot"], None, None)
    slopes = mixed._build_terms(d, ["agency"], "1 + post", None)
    vc = mixed._build_terms(d, ["agency"], None, {"age": "0 + age"})
    assert mixed._nested_levels(crossed, len(d)) is None
    assert mixed._nested_levels(slopes, len(d)) is None
    assert mixed._nested_levels(vc, len(d)) is None
    nested = mixed._build_terms(d, ["agency"], None, {"person": "0 + C(person_id)"})
    assert mixed._nested_levels(nested, len(d)) is not None
