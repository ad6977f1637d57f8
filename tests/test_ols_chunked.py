"""The drivers models without n x k copies (wave 7, issue 13): the design filled in place, HC leverage and meat,
the Durbin-Watson moments, the VIF correlations and the logistic IRLS summed a chunk of rows at a time.

Each is compared with the formula it replaced, written out here as it was (one n x k temporary or statsmodels' GLM):
equal to 1e-10 (the order of summation changes; one chunk, as every page below 65,536 rows, gives the same
products). Hand-written frames: a factor with a level of one row, missing values, a constant column.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from kinerja_research.analysis import _ols, categorical, rewards
from kinerja_research.errors import KinerjaError


# ------------------------------------------------------------------------------------- the replaced formulas, as were
def old_design(data, terms):
    cols, names = [np.ones(len(data))], ["(Intercept)"]
    for t in terms:
        s = data[t]
        if _ols.is_categorical(s):
            vals = s.to_numpy()
            for lvl in _ols.levels(s)[1:]:
                cols.append((vals == lvl).astype(float))
                names.append(f"{t}{'TRUE' if lvl is True else lvl}")
        else:
            cols.append(pd.to_numeric(s).to_numpy(dtype=float))
            names.append(t)
    return np.column_stack(cols), names


def old_hc(X, e, B, kind, df_resid):
    h = np.einsum("ij,jk,ik->i", X, B, X)
    w = e**2
    if kind == "HC1":
        w = w * len(e) / df_resid
    elif kind == "HC2":
        w = w / (1 - h)
    elif kind == "HC3":
        w = w / (1 - h) ** 2
    return B @ ((X * w[:, None]).T @ X) @ B


def old_dw_moments(X, xtx_inv):
    ax = np.empty_like(X)
    ax[1:-1] = -X[:-2] + 2 * X[1:-1] - X[2:]
    ax[0] = X[0] - X[1]
    ax[-1] = X[-1] - X[-2]
    return X.T @ ax @ xtx_inv, ax.T @ ax @ xtx_inv


def old_vif(X, where):
    R = np.atleast_2d(np.corrcoef(X[:, 1:], rowvar=False))
    out = {}
    for term, cols in where.items():
        idx = [c - 1 for c in cols]
        rest = [j for j in range(R.shape[0]) if j not in idx]
        d_rest = np.linalg.det(R[np.ix_(rest, rest)]) if rest else 1.0
        out[term] = float(np.linalg.det(R[np.ix_(idx, idx)]) * d_rest / np.linalg.det(R))
    return out


def old_glm(y, X, w, offset=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, X, family=sm.families.Binomial(), freq_weights=w, offset=offset)
        return model.fit(tol=1e-12, maxiter=100)


# --------------------------------------------------------------------------------------------------- hand-written data
@pytest.fixture(scope="module")
def frame():
    """300 staff of a few provinces as units send them: a province code of one row, a text grade, a bool, ages and
    outcomes with gaps."""
    rng = np.random.default_rng(7)
    n = 300
    d = pd.DataFrame(
        {
            "age": rng.normal(41, 9, n).round(),
            "tenure_years": rng.integers(0, 32, n).astype(float),
            "province": pd.Categorical(
                rng.choice(["11", "12", "13", "31", "73"], n), categories=["11", "12", "13", "31", "73", "99"]
            ),
            "golongan": rng.choice(["II/c", "III/a", "III/b", "IV/a"], n),
            "trained": rng.random(n) < 0.4,
        }
    )
    d.loc[17, "province"] = "99"  # a province of one row
    d["resistance"] = 3 + 0.01 * d["age"] - 0.2 * d["trained"] + rng.normal(0, 0.5 + 0.01 * d["age"], n)
    d["usability"] = 70 - 5 * d["resistance"] + rng.normal(0, 8, n)
    d["adopt"] = (d["usability"] >= 68).astype(float)
    d.loc[[3, 40], "resistance"] = np.nan
    d.loc[[5], "age"] = np.nan
    d.loc[[8], "golongan"] = None
    return d


@pytest.fixture
def chunk(monkeypatch):
    def set_(rows):
        monkeypatch.setattr(_ols, "CHUNK_ROWS", rows)

    return set_


def _close(a: pd.DataFrame, b: pd.DataFrame, tol=1e-10):
    assert list(a.columns) == list(b.columns)
    for c in a.columns:
        if pd.api.types.is_numeric_dtype(a[c]) and a[c].dtype != bool:
            u, v = a[c].to_numpy(float), b[c].to_numpy(float)
            assert np.array_equal(np.isnan(u), np.isnan(v)), c
            m = np.isfinite(u) & np.isfinite(v)
            np.testing.assert_allclose(u[m], v[m], rtol=tol, atol=tol, err_msg=c)
            assert np.array_equal(np.isinf(u), np.isinf(v)), c
        else:
            assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c


# -------------------------------------------------------------------------------------------------------------- tests
def test_design_is_the_stacked_columns_exactly(frame):
    d = _ols.complete(frame, ["age", "province", "golongan", "trained"])
    X, names, where = _ols.design(d, ["age", "province", "golongan", "trained"])
    X0, names0 = old_design(d, ["age", "province", "golongan", "trained"])
    assert names == names0 and "province99" in names and "trainedTRUE" in names
    assert X.dtype == np.float64 and X.flags.c_contiguous and np.array_equal(X, X0)
    assert where["province"] == [names.index(f"province{p}") for p in ("12", "13", "31", "73", "99")]


@pytest.mark.parametrize("rows", [1, 7, 1 << 16])
def test_hc_and_durbin_watson_moments_by_chunks_equal_the_whole(frame, chunk, rows):
    chunk(rows)
    d = _ols.complete(frame, ["resistance", "age", "tenure_years", "province", "trained"])
    X, names, _ = _ols.design(d, ["age", "tenure_years", "province", "trained"])
    fit = _ols.Fit(X, d["resistance"].to_numpy(float), names)
    for kind in ("HC0", "HC1", "HC2", "HC3"):
        with np.errstate(divide="ignore", invalid="ignore"):  # the one-row province has leverage 1
            new, old = fit.vcov(kind), old_hc(X, fit.resid, fit.xtx_inv, kind, fit.df_resid)
        assert np.array_equal(np.isnan(new), np.isnan(old))
        ok = np.isfinite(old)
        np.testing.assert_allclose(new[ok], old[ok], rtol=1e-10, atol=1e-14)
    # without the one-row province every HC3 entry is finite
    keep = d["province"] != "99"
    X2, names2, _ = _ols.design(d[keep].assign(province=d["province"][keep].cat.remove_unused_categories()),
                                ["age", "tenure_years", "province", "trained"])  # fmt: skip
    fit2 = _ols.Fit(X2, d["resistance"][keep].to_numpy(float), names2)
    np.testing.assert_allclose(fit2.vcov("HC3"), old_hc(X2, fit2.resid, fit2.xtx_inv, "HC3", fit2.df_resid), rtol=1e-10)
    # Durbin-Watson: the same statistic, the moments of A X by chunks
    dw, p = rewards.durbin_watson(X, fit.resid, fit.xtx_inv)
    xaxq, axax = old_dw_moments(X, fit.xtx_inv)
    n, k = X.shape
    p_ = 2 * (n - 1) - np.trace(xaxq)
    q_ = 2 * (3 * n - 4) - 2 * np.trace(axax) + np.trace(xaxq @ xaxq)
    mean = p_ / (n - k)
    var = 2 / ((n - k) * (n - k + 2)) * (q_ - p_ * mean)
    assert dw == float(np.sum(np.diff(fit.resid) ** 2) / np.sum(fit.resid**2))
    assert p == pytest.approx(float(stats.norm.cdf(dw, mean, np.sqrt(var))), rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("rows", [5, 1 << 16])
def test_regression_equals_the_replaced_formulas(frame, chunk, rows):
    covar = ["age", "tenure_years", "golongan", "trained", "province"]
    with np.errstate(divide="ignore", invalid="ignore"):  # the one-row province has leverage 1: HC3 SE NaN
        chunk(1 << 16)
        whole = rewards.regression(frame, dv="resistance", covar=covar, cov_type="HC3")
        chunk(rows)
        res = rewards.regression(frame, dv="resistance", covar=covar, cov_type="HC3")
    for a, b in [(res, whole), (res.assumptions, whole.assumptions), (res.model_summary, whole.model_summary),
                 (res.anova, whole.anova), (res.coefficients, whole.coefficients)]:  # fmt: skip
        _close(pd.DataFrame(a), pd.DataFrame(b))
    # VIF and Beta as np.corrcoef and X.std on the design made them
    d = _ols.complete(frame, ["resistance", *covar])
    X, names, where = _ols.design(d, covar)
    vif = old_vif(X, where)
    coefs = res[res["term"].isin(names[1:])]
    term_of = {names[c]: t for t, cols in where.items() for c in cols}
    np.testing.assert_allclose(coefs["vif"], [vif[term_of[t]] for t in coefs["term"]], rtol=1e-10)
    beta = coefs["estimate"].to_numpy() * X[:, 1:].std(axis=0, ddof=1) / d["resistance"].std(ddof=1)
    np.testing.assert_allclose(coefs["effect_size"], beta, rtol=1e-10)
    assert int(res["n"].iloc[0]) == len(d) == len(frame) - 4


def test_a_constant_column_is_refused_in_one_sentence(frame):
    d = frame.assign(one=1.0)
    with pytest.raises(KinerjaError, match="rank .* no column that is constant"):
        rewards.regression(d, dv="resistance", covar=["age", "one"])
    with pytest.raises(KinerjaError, match="rank .* no column that is constant"):
        categorical.logistic(d, dv="adopt", covar=["resistance", "one"])


@pytest.mark.parametrize("rows", [7, 1 << 16])
def test_logistic_irls_equals_statsmodels_glm(frame, chunk, rows):
    chunk(rows)
    covar = ["resistance", "age", "golongan", "trained"]
    res = categorical.logistic(frame, dv="adopt", covar=covar)
    d = _ols.complete(frame, ["adopt", *covar])
    X, names, _ = _ols.design(d, covar)
    y = d["adopt"].to_numpy(float)
    ref = old_glm(y, X, np.ones(len(y)))
    np.testing.assert_allclose(res["estimate"], ref.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res["se"], ref.bse, rtol=1e-10)
    np.testing.assert_allclose(res.fit["neg2ll"], ref.deviance, rtol=1e-12)
    # the profile limits are where the deviance of statsmodels' refit with the coefficient as an offset rises by z²
    z2 = stats.norm.ppf(0.975) ** 2
    for j in range(len(names)):
        others = np.delete(np.arange(len(names)), j)
        for col in ("or_ci_low_profile", "or_ci_high_profile"):
            b = np.log(res[col].iloc[j])
            dev = old_glm(y, X[:, others], np.ones(len(y)), offset=b * X[:, j]).deviance
            assert dev - ref.deviance == pytest.approx(z2, rel=1e-8)
    # case weights: as statsmodels' frequency weights
    wt = frame.assign(w=np.where(np.arange(len(frame)) % 3 == 0, 2.0, 1.0))
    rw = categorical.logistic(wt, dv="adopt", covar=["resistance", "trained"], weights="w", profile=[])
    dw = _ols.complete(wt, ["adopt", "resistance", "trained", "w"])
    Xw, _, _ = _ols.design(dw, ["resistance", "trained"])
    refw = old_glm(dw["adopt"].to_numpy(float), Xw, dw["w"].to_numpy(float))
    np.testing.assert_allclose(rw["estimate"], refw.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rw["se"], refw.bse, rtol=1e-10)


def test_logistic_by_chunks_equals_one_chunk(frame, chunk):
    covar = ["resistance", "age", "province"]
    chunk(1 << 16)
    whole = categorical.logistic(frame[frame["province"] != "99"], dv="adopt", covar=covar, profile=["resistance"])
    chunk(6)
    res = categorical.logistic(frame[frame["province"] != "99"], dv="adopt", covar=covar, profile=["resistance"])
    for a, b in [(res, whole), (res.fit, whole.fit), (res.hosmer_lemeshow, whole.hosmer_lemeshow),
                 (res.classification, whole.classification)]:  # fmt: skip
        _close(pd.DataFrame(a), pd.DataFrame(b))


def test_logistic_level_of_one_row_runs_off_as_before(frame):
    """A province of one row is predicted perfectly by its dummy: its coefficient runs off until the deviance stops
    changing (statsmodels' rule); where it stops depends on the deviance's last bits (the SE is ~1e6, the number
    means nothing), every other coefficient is the same."""
    covar = ["resistance", "province"]
    res = categorical.logistic(frame, dv="adopt", covar=covar, profile=[])
    d = _ols.complete(frame, ["adopt", *covar])
    X, names, _ = _ols.design(d, covar)
    ref = old_glm(d["adopt"].to_numpy(float), X, np.ones(len(d)))
    lone = names.index("province99")
    assert abs(res["estimate"].iloc[lone]) > 20 and abs(ref.params[lone]) > 20 and res["se"].iloc[lone] > 1e4
    keep = np.arange(len(names)) != lone
    np.testing.assert_allclose(res["estimate"].to_numpy()[keep], ref.params[keep], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(res["se"].to_numpy()[keep], ref.bse[keep], rtol=1e-10)


def test_rank_is_matrix_rank(frame, chunk):
    chunk(9)
    X, _, _ = _ols.design(_ols.complete(frame, ["age", "province", "trained"]), ["age", "province", "trained"])
    assert categorical._rank(X) == np.linalg.matrix_rank(X) == X.shape[1]
    Xd = np.column_stack([X, X[:, 1] * 2 - X[:, 2]])
    assert categorical._rank(Xd) == np.linalg.matrix_rank(Xd) == X.shape[1]


def _profiled(frame, covar):
    res = categorical.logistic(frame, dv="adopt", covar=covar, profile=["resistance"])
    return res[res["term"] == "resistance"][["or_ci_low_profile", "or_ci_high_profile"]].to_numpy()[0]


def test_profile_refits_start_warm_and_fall_back_to_statsmodels_start(frame, monkeypatch):
    """The profile's refits start from the nearest refit already made; one that does not converge from there is
    redone from statsmodels' start. Forcing every warm start to fail gives the same limits (to the root's xtol),
    and the warm route needs few refits: the search starts one Wald half-width out, not 1 on the logit scale."""
    covar = ["resistance", "age", "trained"]
    calls = {"warm": 0, "cold": 0}
    glm = categorical._glm

    def counted(*args, start=None, **kw):
        calls["warm" if start is not None else "cold"] += 1
        return glm(*args, start=start, **kw)

    monkeypatch.setattr(categorical, "_glm", counted)
    warm = _profiled(frame, covar)
    used = dict(calls)
    assert used["cold"] == 1  # the fit itself; every refit warm and converged
    assert used["warm"] <= 14  # both limits: 12 (the search from ±1 made 17 refits, each from scratch)

    def failing(*args, start=None, **kw):
        fit = glm(*args, start=start, **kw)
        return fit if start is None else categorical._Logit(fit.params, fit.cov, fit.fitted, fit.deviance, False)

    monkeypatch.setattr(categorical, "_glm", failing)
    cold = _profiled(frame, covar)
    np.testing.assert_allclose(np.log(warm), np.log(cold), rtol=0, atol=1e-9)
