"""Categorical outcomes: binary logistic regression with the thesis tables, and the χ² test of independence with
Fisher's exact test and Cramér's V (e.g. resistance to change -> adoption of e-Kinerja yes/no).

Every function takes a DataFrame and returns the tidy result shape (:func:`kinerja_research.results.tidy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from kinerja_research._docs import fill_doc
from kinerja_research.analysis import _ols
from kinerja_research.errors import KinerjaError
from kinerja_research.results import (
    _py,
    check_alpha,
    check_columns,
    check_not_numeric_text,
    check_numeric,
    tidy,
)

__all__ = ["logistic", "LogisticResult", "chi2_test"]


def _as_list(x) -> list[str]:
    return [] if x is None else ([x] if isinstance(x, str) else list(x))


class LogisticResult(pd.DataFrame):
    """The coefficient table of :func:`logistic` with the thesis tables as attributes (``.fit``,
    ``.hosmer_lemeshow``, ``.classification``)."""

    _metadata = ["fit", "hosmer_lemeshow", "classification"]

    @property
    def _constructor(self):
        return LogisticResult


def _binary(s: pd.Series, column: str) -> np.ndarray:
    """0/1 float outcome from a bool or 0/1 column; any other value raises naming its row."""
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    v = pd.to_numeric(s, errors="coerce")
    bad = ~v.isin([0, 1])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise KinerjaError(
            f"data row {i + 1}, column '{column}', value {_py(s.iloc[i])!r}: the rule is that a logistic "
            f"outcome is 0/1 or True/False."
        )
    return v.to_numpy(dtype=float)


#: IRLS iterations at most (as ``statsmodels`` GLM's default ``maxiter``).
IRLS_MAXITER = 100
#: IRLS stops when the deviance changes by at most this (statsmodels' rule with the toolkit's ``tol=1e-12``: it
#: also decides where a coefficient running off to infinity, a level with one row, stops) ...
IRLS_DEV_TOL = 1e-12
#: ... or one step after the largest coefficient change falls below this (relative to 1 + the coefficient): at
#: national size the deviance's rounding alone exceeds 1e-12, and the last (Newton) step leaves the estimate at its
#: fixed point to rounding.
IRLS_TOL = 1e-10
_EPS = np.finfo(float).eps


@dataclass
class _Logit:
    """An IRLS fit: ``params`` (every column's coefficient; a fixed one at its value), ``cov`` (``(X'WX)^-1`` of
    the free ones, W at the last step's weights, as statsmodels' ``cov_params()``), ``fitted`` (probabilities at
    ``params``), ``deviance``, ``converged`` (False when IRLS ran out of iterations or a step was not finite)."""

    params: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray
    deviance: float
    converged: bool = True

    @property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


def _deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    """Binomial deviance of 0/1 outcomes (statsmodels' ``Binomial.deviance`` with frequency weights)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # log(1 / mu) of an outcome 1, log(1 / (1 - mu)) of a 0
        one = np.where(y == 1, np.log(np.clip(1 / mu, _EPS, np.inf)), np.log(np.clip(1 / (1 - mu), _EPS, np.inf)))
        return float(2 * np.sum(w * one))


def _glm(y, X, w, *, fixed: int | None = None, value: float = 0.0, start: np.ndarray | None = None) -> _Logit:
    """Logistic regression by IRLS (Fisher scoring = Newton for the logit link), as ``statsmodels`` GLM(Binomial)
    fitted by IRLS and R ``glm``: the same fixed point, so the same estimates, SEs and deviance to rounding.

    Memory: X'WX and X'Wz are summed a chunk of rows at a time (``_ols.CHUNK_ROWS``), never a weighted n x k copy
    of the design (statsmodels' IRLS takes a pseudo-inverse of the whole weighted design at every step). With
    ``fixed`` the coefficient of column ``fixed`` is held at ``value`` (an offset ``value * X[:, fixed]``) and
    the others re-estimated: the profile likelihood's refits, without a copy of the design without that column.
    ``start``: the coefficients to start from (else statsmodels' start, mu = (y + 1/2) / 2).
    """
    n, k = X.shape
    free = np.array([j != fixed for j in range(k)])
    offset = value * X[:, fixed] if fixed is not None else 0.0
    if start is None:
        mu = (y + 0.5) / 2
        eta = np.log(mu / (1 - mu))
        beta = np.zeros(k)
    else:
        beta = np.array(start, dtype=float)
        eta = X @ beta
        mu = 1 / (1 + np.exp(-eta))
    if fixed is not None:
        beta[fixed] = value
    done = converged = False
    dev = _deviance(y, mu, w)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(IRLS_MAXITER):
            p = np.clip(mu, _EPS, 1 - _EPS)
            W = w * (p * (1 - p))
            wz = W * (eta - offset) + w * (y - mu)  # W z, z the working response less the offset
            xtwx = np.zeros((k, k))
            xtwz = np.zeros(k)
            root = np.sqrt(W)
            for sl in _ols.chunks(n):
                Xc = X[sl]
                Z = Xc * root[sl, None]  # the whitened chunk: Z'Z is a symmetric rank-k update, half a product
                xtwx += Z.T @ Z
                xtwz += Xc.T @ wz[sl]
            xtwx = xtwx[np.ix_(free, free)]
            try:
                new = np.linalg.solve(xtwx, xtwz[free])
            except np.linalg.LinAlgError:  # singular X'WX: separation (checked by the caller)
                new = np.full(int(free.sum()), np.nan)
            step = np.max(np.abs(new - beta[free]) / (1 + np.abs(new))) if np.all(np.isfinite(new)) else np.inf
            beta[free] = new
            eta = X @ beta
            mu = 1 / (1 + np.exp(-eta))
            dev, dev_prev = _deviance(y, mu, w), dev
            if done or not np.isfinite(step) or abs(dev - dev_prev) <= IRLS_DEV_TOL:
                converged = bool(np.isfinite(step) and np.isfinite(dev))
                break
            done = step < IRLS_TOL  # one more step from here
        try:
            cov = np.linalg.inv(xtwx)
        except np.linalg.LinAlgError:
            cov = np.full(xtwx.shape, np.nan)
    return _Logit(params=beta, cov=cov, fitted=mu, deviance=dev, converged=converged)


def _rank(X: np.ndarray) -> int:
    """``np.linalg.matrix_rank(X)`` (singular values above ``max(n, k) * eps`` times the largest) from the R of a
    QR decomposition of X built a chunk of rows at a time (same singular values, no n x k copy of X)."""
    n, k = X.shape
    r = np.empty((0, k))
    for sl in _ols.chunks(n):
        r = np.linalg.qr(np.vstack([r, X[sl]]), mode="r")
    sv = np.linalg.svd(r, compute_uv=False)
    return int(np.sum(sv > sv.max(initial=0.0) * max(n, k) * _EPS))


def _profile_ci(y, X, w, beta, se, dev_min, j, z) -> tuple[float, float]:
    """Profile-likelihood limits of coefficient j: where sign(b - b̂) sqrt(D(b) - D̂) = ∓z, D(b) the deviance with
    coefficient j fixed at b (an offset) and the others re-estimated.

    The search for each limit starts one Wald half-width ``z * se`` (at most 1) from the estimate (where the limit
    usually is, to a few per cent) and doubles the step until the profile passes the cut-off; the root in that
    bracket is found by Brent's method to ``xtol=1e-12``. A step beyond 1e3 without passing it gives an infinite
    limit (separation), as before. Each refit starts from the coefficients of the nearest refit already made (a
    few IRLS steps instead of a start from scratch); a refit that does not converge from there is redone from
    statsmodels' start, which is robust far along the profile. Every refit is made once: Brent's method asks
    again for the two ends of its bracket.
    """
    others = np.delete(np.arange(X.shape[1]), j)
    seen: dict[float, tuple[float, np.ndarray | None]] = {float(beta[j]): (0.0, beta)}  # b -> (zeta, params)

    def zeta(b):
        b = float(b)
        if b not in seen:
            with np.errstate(over="ignore", divide="ignore"):  # far along the profile the link saturates
                seen[b] = _zeta(b)
        return seen[b][0]

    def _zeta(b):
        params = None
        if others.size:
            near = min(seen, key=lambda v: abs(v - b))
            fit = _glm(y, X, w, fixed=j, value=b, start=seen[near][1])
            if not fit.converged or fit.deviance < dev_min - 1e-6 * (1 + abs(dev_min)):
                fit = _glm(y, X, w, fixed=j, value=b)  # statsmodels' start
            dev, params = fit.deviance, (fit.params if fit.converged else None)
        else:
            eta = b * X[:, j]
            mu = 1 / (1 + np.exp(-eta))
            dev = -2 * np.sum(w * (y * np.log(mu) + (1 - y) * np.log1p(-mu)))
        return np.sign(b - beta[j]) * np.sqrt(max(dev - dev_min, 0.0)), params

    step0 = min(z * se, 1.0) if np.isfinite(se) and se > 0 else 1.0
    out = []
    for sign in (-1, 1):
        step = step0
        b_prev = beta[j]
        while True:  # widen until the profile passes the cut-off (it may not: separation gives an infinite limit)
            b = beta[j] + sign * step
            zb = zeta(b)
            if sign * zb >= z:
                out.append(
                    optimize.brentq(lambda v, s=sign: zeta(v) - s * z, min(b_prev, b), max(b_prev, b), xtol=1e-12)
                )
                break
            b_prev = b
            step *= 2
            if step > 1e3:
                out.append(sign * np.inf)
                break
    return out[0], out[1]


def hosmer_lemeshow(y, p, g: int = 10) -> tuple[float, int, float, int]:
    """Hosmer–Lemeshow statistic exactly as R ``ResourceSelection::hoslem.test(y, p, g)``.

    Groups are the intervals between the unique type-7 quantiles of the fitted probabilities at 0, 1/g, …, 1
    (``cut(include.lowest = TRUE)``, right-closed); χ² = Σ (O - E)² / E over both outcome columns; df = g - 2
    (kept at g - 2 even when tied quantiles leave fewer groups, as the R function does). Returns (χ², df, p, groups).
    """
    y, p = np.asarray(y, float), np.asarray(p, float)
    qq = np.unique(np.quantile(p, np.linspace(0, 1, g + 1)))
    grp = np.clip(np.searchsorted(qq, p, side="left") - 1, 0, len(qq) - 2)
    k = len(qq) - 1
    o1 = np.bincount(grp, weights=y, minlength=k)
    o0 = np.bincount(grp, weights=1 - y, minlength=k)
    e1 = np.bincount(grp, weights=p, minlength=k)
    e0 = np.bincount(grp, weights=1 - p, minlength=k)
    chisq = float(np.sum((o1 - e1) ** 2 / e1) + np.sum((o0 - e0) ** 2 / e0))
    return chisq, g - 2, float(stats.chi2.sf(chisq, g - 2)), k


@fill_doc
def logistic(
    data: pd.DataFrame,
    *,
    dv: str,
    covar: str | Sequence[str],
    categorical: str | Sequence[str] = (),
    weights: str | None = None,
    alpha: float = 0.05,
    profile: Sequence[str] | None = None,
) -> LogisticResult:
    """Binary logistic regression with odds ratios, pseudo-R², Hosmer–Lemeshow and the classification table.

    Parameters
    ----------
    {data}
    dv : str
        Binary outcome (0/1 or True/False), e.g. adoption of e-Kinerja.
    covar : str or list of str
        Predictors; numeric as they are, text/category/bool treatment coded (first level the reference), named as R
        does (``region_code18.72``, ``trainedTRUE``).
    categorical : str or list of str
        Numeric predictors to treat as factors.
    weights : str, optional
        Column of case (frequency) weights, as R ``glm(weights = )``; the likelihood, deviances, pseudo-R² and
        classification counts are weighted (n in the pseudo-R² is the sum of weights).
    {alpha}
    profile : list of str, optional
        The terms whose profile-likelihood interval is computed (default every term); the others get missing
        profile limits. Each limit refits the model about 20 times: a model with many fixed-effect dummies (a
        national run's provinces) asks for the terms it reports.

    Returns
    -------
    LogisticResult
        A DataFrame, one row per coefficient: ``term``, ``estimate`` (B, log odds), ``se``, ``ci_low``/``ci_high``
        (Wald interval of B, R ``confint.default``), ``ci_level``, ``statistic`` (z), ``p``, ``effect_size`` odds
        ratio exp(B), ``effect_size_name`` ``"odds_ratio"``, ``n``, ``method``; extra columns ``wald`` (z², the
        "Wald" column of SPSS, df 1), ``or_ci_low``/``or_ci_high`` (Wald interval of the odds ratio, as SPSS's
        "95% C.I. for EXP(B)") and ``or_ci_low_profile``/``or_ci_high_profile`` (profile-likelihood interval, as R
        ``confint(glm)``).
        Attributes (tidy tables):

        - ``.fit``: one row: ``statistic`` omnibus likelihood-ratio χ² of the model against the intercept-only model
          (SPSS "Omnibus Tests of Model Coefficients"), ``df``, ``p``, ``neg2ll`` (-2 log likelihood),
          ``cox_snell_r2``, ``nagelkerke_r2``, ``mcfadden_r2``, ``aic``, ``n``.
        - ``.hosmer_lemeshow``: one row: ``statistic`` χ², ``df`` (g - 2), ``p``, ``groups`` (g = 10).
        - ``.classification``: SPSS "Classification Table" at cut value 0.5: ``term`` observed class (``"0"``,
          ``"1"``, ``"overall"``), ``predicted_0``, ``predicted_1`` (counts, weighted), ``pct_correct``.

    Notes
    -----
    Maximum likelihood by IRLS (Binomial, logit link), as R ``glm(family = binomial)`` and ``statsmodels`` GLM:
    same estimates, SEs and Wald z (to rounding); the weighted cross-products are summed a chunk of rows at a
    time, so a national design (1.5 M rows x 42 columns) is held once, and the profile refits hold the profiled
    coefficient as an offset without copying the design. Cox & Snell R² = 1 - exp((D - D0) / n), Nagelkerke R² = Cox & Snell / (1 -
    exp(-D0 / n)), McFadden R² = 1 - D / D0 (D, D0 the deviances of the model and of the intercept-only model). The
    profile interval is the exact root of the signed square root of the deviance difference at ±z(1 - alpha/2),
    found with Brent's method (R ``confint`` interpolates a spline through a profile grid, so it agrees to about
    1e-4). A predictor that separates the outcome has no finite profile limit (``inf``). A case is predicted 1 when
    its fitted probability exceeds 0.5 (SPSS). Hosmer–Lemeshow as :func:`hosmer_lemeshow` on the unweighted fitted
    probabilities (with ``weights`` the observed and expected counts are weighted). Listwise deletion. Validated
    against R ``glm``, ``confint``, ``confint.default`` and the ``hoslem.test`` code in
    ``tests/reference/analyses_stats.R`` (MASS::birthwt).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> d = pd.DataFrame({{"rtc": rng.normal(3.5, 0.8, 400)}})
    >>> d["adopt"] = rng.random(400) < 1 / (1 + np.exp(-(4 - 1.2 * d.rtc)))
    >>> res = logistic(d, dv="adopt", covar="rtc")
    >>> res.term.tolist(), bool(res.effect_size.iloc[1] < 1)
    (['(Intercept)', 'rtc'], True)
    >>> res.classification.term.tolist()
    ['0', '1', 'overall']
    """
    covar = _as_list(covar)
    categorical = _as_list(categorical)
    if not covar:
        raise KinerjaError("Argument 'covar' is empty; the rule is at least one predictor column.")
    check_columns(data, [dv, *covar, weights])
    check_alpha(alpha)
    check_not_numeric_text(data, [c for c in covar if c not in categorical])
    d = _ols.complete(data, [dv, *covar, weights])
    for c in categorical:
        d[c] = pd.Categorical(d[c])
    y = _binary(d[dv], dv)
    if weights is not None:
        w = check_numeric(d, weights)
        if (w < 0).any():
            i = int(np.flatnonzero(w < 0)[0])
            raise KinerjaError(f"data row {i + 1}, column '{weights}', value {w[i]!r}: the rule is weights >= 0.")
    else:
        w = np.ones(len(d))
    if np.ptp(y) == 0:
        raise KinerjaError(
            f"column '{dv}' has the single value {y[0]:g} in the complete rows; the rule is both 0 and 1."
        )
    X, names, _ = _ols.design(d, covar)
    del d  # the design holds what the fit needs
    rank = _rank(X)
    if rank < X.shape[1]:
        raise KinerjaError(
            f"The design matrix of {covar} has rank {rank} < {X.shape[1]} columns; the rule is no "
            "column that is constant or a linear combination of the others."
        )
    res = _glm(y, X, w)
    beta, se = res.params, res.bse
    if not (np.all(np.isfinite(se)) and np.all(np.abs(beta) < 30)):
        raise KinerjaError(
            f"The logistic regression of '{dv}' on {covar} has no finite estimate (a predictor separates the two "
            "outcomes completely); the rule is outcomes that overlap on the predictors."
        )
    z = stats.norm.ppf(1 - alpha / 2)
    n = len(y)
    rows = _ols.coef_rows(names, beta, res.cov, None, alpha, method="logistic regression (Wald z)", n=n)
    dev = float(res.deviance)
    ybar = np.sum(w * y) / np.sum(w)
    dev0 = float(-2 * np.sum(w * (y * np.log(ybar) + (1 - y) * np.log1p(-ybar))))
    for j, r in enumerate(rows):
        wanted = profile is None or names[j] in profile
        lo, hi = _profile_ci(y, X, w, beta, se[j], dev, j, z) if wanted else (np.nan, np.nan)
        r.update(
            effect_size=float(np.exp(beta[j])),
            effect_size_name="odds_ratio",
            wald=float((beta[j] / se[j]) ** 2),
            or_ci_low=float(np.exp(beta[j] - z * se[j])),
            or_ci_high=float(np.exp(beta[j] + z * se[j])),
            or_ci_low_profile=float(np.exp(lo)),
            or_ci_high_profile=float(np.exp(hi)),
        )
    out = LogisticResult(
        tidy(
            rows,
            extra=["wald", "or_ci_low", "or_ci_high", "or_ci_low_profile", "or_ci_high_profile"],
            ci_level=1 - alpha,
        )
    )
    nw = float(np.sum(w))
    lr = dev0 - dev
    cs = 1 - np.exp(-lr / nw)
    k = X.shape[1] - 1
    out.fit = tidy(
        [
            dict(
                term="model",
                statistic=lr,
                df=float(k),
                p=float(stats.chi2.sf(lr, k)),
                n=n,
                method="likelihood-ratio test against the intercept-only model",
                neg2ll=dev,
                cox_snell_r2=float(cs),
                nagelkerke_r2=float(cs / (1 - np.exp(-dev0 / nw))),
                mcfadden_r2=float(1 - dev / dev0),
                aic=float(dev + 2 * X.shape[1]),
            )
        ],
        extra=["neg2ll", "cox_snell_r2", "nagelkerke_r2", "mcfadden_r2", "aic"],
    )
    p = res.fitted
    if weights is None:
        hl, hdf, hp, groups = hosmer_lemeshow(y, p)
    else:
        hl, hdf, hp, groups = _hl_weighted(y, p, w)
    out.hosmer_lemeshow = tidy(
        [
            dict(
                term="hosmer_lemeshow",
                statistic=hl,
                df=float(hdf),
                p=hp,
                n=n,
                method="Hosmer-Lemeshow (g = 10)",
                groups=groups,
            )
        ],
        extra=["groups"],
    )
    pred = (p > 0.5).astype(float)
    cls = []
    for lab, m in (("0", y == 0), ("1", y == 1)):
        p0, p1 = float(np.sum(w[m] * (pred[m] == 0))), float(np.sum(w[m] * (pred[m] == 1)))
        cls.append(
            dict(term=lab, predicted_0=p0, predicted_1=p1, pct_correct=100 * (p0 if lab == "0" else p1) / (p0 + p1))
        )
    cls.append(dict(term="overall", pct_correct=100 * float(np.sum(w * (pred == y))) / nw))
    out.classification = tidy(cls, extra=["predicted_0", "predicted_1", "pct_correct"])
    return out


def _hl_weighted(y, p, w):
    """Hosmer–Lemeshow groups of :func:`hosmer_lemeshow` with weighted observed and expected counts."""
    g = 10
    qq = np.unique(np.quantile(p, np.linspace(0, 1, g + 1)))
    grp = np.clip(np.searchsorted(qq, p, side="left") - 1, 0, len(qq) - 2)
    k = len(qq) - 1
    o1, o0 = np.bincount(grp, w * y, k), np.bincount(grp, w * (1 - y), k)
    e1, e0 = np.bincount(grp, w * p, k), np.bincount(grp, w * (1 - p), k)
    chisq = float(np.sum((o1 - e1) ** 2 / e1) + np.sum((o0 - e0) ** 2 / e0))
    return chisq, g - 2, float(stats.chi2.sf(chisq, g - 2)), k


# ---------------------------------------------------------------------------------------------------------------------
# χ² test of independence, Fisher's exact test, Cramér's V
# ---------------------------------------------------------------------------------------------------------------------
def _ncp_limits(chisq: float, df: float, alpha: float) -> tuple[float, float]:
    """Noncentrality limits of a χ² statistic: pchisq(chisq, df, lo) = 1 - alpha/2, pchisq(chisq, df, hi) = alpha/2;
    a limit is 0 when the statistic lies below the corresponding central quantile (as R ``effectsize``)."""

    def f(ncp, target):
        return stats.ncx2.cdf(chisq, df, ncp) - target if ncp > 0 else stats.chi2.cdf(chisq, df) - target

    out = []
    for target in (1 - alpha / 2, alpha / 2):
        if f(0.0, target) <= 0:
            out.append(0.0)
            continue
        hi = max(2 * chisq, 10.0)
        while f(hi, target) > 0:
            hi *= 2
        out.append(optimize.brentq(f, 0.0, hi, args=(target,), xtol=1e-12, rtol=1e-14))
    return out[0], out[1]


@fill_doc
def chi2_test(
    data: pd.DataFrame, *, dv: str, between: str, weights: str | None = None, alpha: float = 0.05
) -> pd.DataFrame:
    """χ² test of independence of two categorical columns, with Fisher's exact test and Cramér's V (with its CI).

    Parameters
    ----------
    {data}
    dv : str
        Categorical outcome column (e.g. adoption yes/no).
    between : str
        Grouping column (e.g. resistance high/low, or ``region_code``).
    weights : str, optional
        Column of case counts (a table already aggregated: one row per cell with its count).
    {alpha}

    Returns
    -------
    pandas.DataFrame
        Rows by ``method``: ``"Pearson chi-squared"`` (``statistic``, ``df``, ``p``, ``effect_size`` Cramér's V,
        ``ci_low``/``ci_high`` its interval, ``ci_level``); ``"Pearson chi-squared, continuity correction"`` (2 × 2
        tables only, Yates, as R ``chisq.test`` default); ``"likelihood ratio"`` (G²); ``"Fisher's exact test"``
        (``p`` two-sided; for 2 × 2 also ``estimate`` the conditional maximum-likelihood odds ratio and its exact
        ``ci_low``/``ci_high``, as R ``fisher.test``). Every row: ``n``, extra ``n_rows``/``n_cols`` (table size) and
        ``min_expected`` (the smallest expected count: SPSS warns when cells below 5 exceed 20 %).

    Notes
    -----
    χ² = Σ (O - E)² / E with E = row total × column total / n (R ``chisq.test(correct = FALSE)``); Yates: Σ (|O - E| -
    min(0.5, |O - E|))² / E. G² = 2 Σ O log(O / E). Fisher's exact test: the sum of the probabilities of all tables
    with the observed margins no more probable than the observed one, as R ``fisher.test`` (2 × 2 by
    ``scipy.stats.fisher_exact``; r × c by exact enumeration, :func:`_fisher_rxc`, since scipy estimates r × c p
    values by Monte Carlo); the 2 × 2 odds ratio is the conditional MLE from the noncentral hypergeometric
    distribution and its interval inverts the two one-sided tests (as R, which solves both with ``uniroot``'s
    default tolerance, so its odds ratio and limits agree with these to about 1e-4). Cramér's V = sqrt(χ² / (n (min(r, c) -
    1))), unadjusted as SPSS prints it; its interval inverts the noncentral χ² distribution: V limits =
    sqrt(λ / (n (min(r, c) - 1))) at the noncentrality limits λ (R ``effectsize::cramers_v(adjust = FALSE,
    alternative = "two.sided")``, which finds λ with ``optim``; here Brent's method). Rows with a missing value in
    either column are dropped. Validated against R ``chisq.test``, ``fisher.test`` and ``effectsize::cramers_v``
    (``tests/reference/analyses_stats.R``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({{"adopt": ["yes"] * 12 + ["no"] * 8, "rtc": ["low"] * 9 + ["high"] * 11}})
    >>> r = chi2_test(d, dv="adopt", between="rtc")
    >>> r.method.tolist()[:2]
    ['Pearson chi-squared', 'Pearson chi-squared, continuity correction']
    """
    check_columns(data, [dv, between, weights])
    check_alpha(alpha)
    d = data[[c for c in (dv, between, weights) if c is not None]].dropna()
    w = check_numeric(d, weights) if weights is not None else np.ones(len(d))
    rows_c, row_lv = pd.factorize(d[between], sort=True)
    cols_c, col_lv = pd.factorize(d[dv], sort=True)
    r, c = len(row_lv), len(col_lv)
    if r < 2 or c < 2:
        raise KinerjaError(
            f"columns '{between}' and '{dv}' have {r} and {c} distinct values; the rule is at least two each."
        )
    obs = np.bincount(rows_c * c + cols_c, weights=w, minlength=r * c).reshape(r, c)
    n = float(obs.sum())
    exp = np.outer(obs.sum(1), obs.sum(0)) / n
    chisq = float(np.sum((obs - exp) ** 2 / exp))
    df = float((r - 1) * (c - 1))
    k = min(r, c) - 1
    v = np.sqrt(chisq / (n * k))
    lo, hi = _ncp_limits(chisq, df, alpha)
    common = dict(n=int(round(n)), n_rows=r, n_cols=c, min_expected=float(exp.min()))
    out = [
        dict(
            term=f"{between} x {dv}",
            statistic=chisq,
            df=df,
            p=float(stats.chi2.sf(chisq, df)),
            effect_size=float(v),
            effect_size_name="cramers_v",
            ci_low=float(np.sqrt(lo / (n * k))),
            ci_high=float(min(np.sqrt(hi / (n * k)), 1.0)),
            method="Pearson chi-squared",
            **common,
        )
    ]
    if r == 2 and c == 2:
        dev = np.abs(obs - exp)
        yates = float(np.sum((dev - np.minimum(0.5, dev)) ** 2 / exp))
        out.append(
            dict(
                term=f"{between} x {dv}",
                statistic=yates,
                df=df,
                p=float(stats.chi2.sf(yates, df)),
                method="Pearson chi-squared, continuity correction",
                **common,
            )
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = float(2 * np.sum(np.where(obs > 0, obs * np.log(obs / exp), 0.0)))
    out.append(
        dict(
            term=f"{between} x {dv}",
            statistic=g2,
            df=df,
            p=float(stats.chi2.sf(g2, df)),
            method="likelihood ratio",
            **common,
        )
    )
    if not np.allclose(obs, np.round(obs)):
        raise KinerjaError(
            f"column '{weights}' holds non-whole counts; the rule is whole numbers of cases for Fisher's exact test."
        )
    table = np.round(obs).astype(np.int64)
    fisher = dict(term=f"{between} x {dv}", method="Fisher's exact test", **common)
    if r == 2 and c == 2:
        fisher["p"] = float(stats.fisher_exact(table).pvalue)
        est, flo, fhi = _fisher_or(table, alpha)
        fisher.update(estimate=est, ci_low=flo, ci_high=fhi, effect_size_name="odds_ratio")
    else:
        fisher["p"] = _fisher_rxc(table)
    out.append(fisher)
    return tidy(out, extra=["n_rows", "n_cols", "min_expected"], ci_level=1 - alpha)


_FISHER_MAX_TABLES = 2_000_000


def _fisher_rxc(t: np.ndarray) -> float:
    """Exact p of Fisher's test for an r x c table, as R ``fisher.test``: the sum of the probabilities of all tables
    with the observed margins that are no more probable than the observed one (relative tolerance 1e-7), by
    enumerating the tables column by column. (``scipy.stats.fisher_exact`` estimates r x c p values by Monte Carlo
    resampling.) Tables with more than two million arrangements raise: use the χ² test there."""
    rows = t.sum(axis=1).astype(int)
    cols = t.sum(axis=0).astype(int)
    n = int(t.sum())
    lf = special.gammaln(np.arange(n + 2) + 1.0)
    const = lf[rows].sum() + lf[cols].sum() - lf[n]
    p_obs = const - lf[t].sum()
    r, c = t.shape
    total = [0.0]
    count = [0]

    def column(j, remaining, acc):
        if j == c - 1:  # the last column is determined by the remaining row totals
            lp = const - acc - lf[remaining].sum()
            count[0] += 1
            if lp <= p_obs + 1e-7 * abs(p_obs) + 1e-12:
                total[0] += np.exp(lp)
            return
        fill(j, 0, cols[j], remaining.copy(), acc)

    def fill(j, i, left, remaining, acc):
        if count[0] > _FISHER_MAX_TABLES:
            raise KinerjaError(
                f"the {r} x {c} table of {n} cases has more than {_FISHER_MAX_TABLES:,} arrangements; the rule is "
                "that Fisher's exact test is for small tables (read the chi-squared test)."
            )
        if i == r - 1:
            if left > remaining[i]:
                return
            remaining[i] -= left
            column(j + 1, remaining, acc + lf[left])
            remaining[i] += left
            return
        rest = remaining[i + 1 :].sum()
        for x in range(max(0, left - rest), min(left, remaining[i]) + 1):
            remaining[i] -= x
            fill(j, i + 1, left - x, remaining, acc + lf[x])
            remaining[i] += x

    column(0, rows.copy(), 0.0)
    return float(min(total[0], 1.0))


def _fisher_or(t: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Conditional MLE of the odds ratio of a 2 × 2 table and its exact interval, as R ``fisher.test``."""
    x = int(t[0, 0])
    m, n_, k = int(t[0].sum()), int(t[1].sum()), int(t[:, 0].sum())
    lo_s, hi_s = max(0, k - n_), min(k, m)
    support = np.arange(lo_s, hi_s + 1)
    logdc = stats.hypergeom.logpmf(support, m + n_, m, k)

    def dnhyper(ncp):
        d = logdc + np.log(ncp) * support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mnhyper(ncp):
        if ncp == 0:
            return lo_s
        if np.isinf(ncp):
            return hi_s
        return float(np.sum(support * dnhyper(ncp)))

    def pnhyper(q, ncp, upper):
        if ncp == 1:
            return float(stats.hypergeom.sf(q - 1, m + n_, m, k) if upper else stats.hypergeom.cdf(q, m + n_, m, k))
        if ncp == 0:
            return float(q <= lo_s if upper else q >= lo_s)
        if np.isinf(ncp):
            return float(q <= hi_s if upper else q >= hi_s)
        d = dnhyper(ncp)
        return float(d[support >= q].sum() if upper else d[support <= q].sum())

    def mle():
        if x == lo_s:
            return 0.0
        if x == hi_s:
            return np.inf
        mu = mnhyper(1.0)
        if mu > x:
            return optimize.brentq(lambda t_: mnhyper(t_) - x, 0.0, 1.0, xtol=1e-14)
        if mu < x:
            return 1 / optimize.brentq(lambda t_: mnhyper(1 / t_) - x, np.finfo(float).eps, 1.0, xtol=1e-14)
        return 1.0

    def ncp_u(a):
        if x == hi_s:
            return np.inf
        p = pnhyper(x, 1.0, upper=False)
        if p < a:
            return optimize.brentq(lambda t_: pnhyper(x, t_, False) - a, 0.0, 1.0, xtol=1e-14)
        if p > a:
            return 1 / optimize.brentq(lambda t_: pnhyper(x, 1 / t_, False) - a, np.finfo(float).eps, 1.0, xtol=1e-14)
        return 1.0

    def ncp_l(a):
        if x == lo_s:
            return 0.0
        p = pnhyper(x, 1.0, upper=True)
        if p > a:
            return optimize.brentq(lambda t_: pnhyper(x, t_, True) - a, 0.0, 1.0, xtol=1e-14)
        if p < a:
            return 1 / optimize.brentq(lambda t_: pnhyper(x, 1 / t_, True) - a, np.finfo(float).eps, 1.0, xtol=1e-14)
        return 1.0

    return float(mle()), float(ncp_l(alpha / 2)), float(ncp_u(alpha / 2))
