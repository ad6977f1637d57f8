"""Reward and sanction effects: multiple regression with the classical-assumption table, moderation, mediation with
a bootstrap CI of the indirect effect, and the SKP predicate as an ordinal outcome.

Every function takes a DataFrame and returns the tidy result shape (:func:`kinerja_research.results.tidy`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

from kinerja_research._docs import fill_doc
from kinerja_research.analysis import _ols
from kinerja_research.errors import KinerjaError
from kinerja_research.results import (
    check_alpha,
    check_choice,
    check_columns,
    check_not_numeric_text,
    check_numeric,
    group_column,
    tidy,
)
from kinerja_research.standards import PREDICATES

__all__ = ["regression", "RegressionResult", "moderation", "mediation", "ordinal_logit", "lilliefors", "durbin_watson"]

#: Standard-error types of :func:`regression` (statsmodels' names).
COV_TYPES = ("nonrobust", "HC3", "cluster")
_CLUSTER_METHOD = {"CR2": "CR2, Satterthwaite df", "CR1-G": "CR1, df G - 1", "CR1": "CR1, residual df"}
_COEF_EXTRA = [
    "partial_eta2",
    "tolerance",
    "vif",
    "r2",
    "adj_r2",
]


class RegressionResult(pd.DataFrame):
    """The coefficient table of :func:`regression` with the thesis tables as attributes (``.model_summary``,
    ``.anova``, ``.coefficients``, ``.assumptions``)."""

    _metadata = ["assumptions", "model_summary", "anova", "coefficients"]

    @property
    def _constructor(self):
        return RegressionResult


def _as_list(x) -> list[str]:
    return [] if x is None else ([x] if isinstance(x, str) else list(x))


# ------------------------------------------------------------------------------------------------ assumption tests
def lilliefors(x) -> tuple[float, float]:
    """Lilliefors (Kolmogorov-Smirnov) normality test: D and p exactly as R ``nortest::lillie.test``.

    The p-value is Dallal & Wilkinson's (1986) approximation, with Stephens' (1974) modified statistic when that
    gives p > 0.1, as in ``nortest``.

    Examples
    --------
    >>> d, p = lilliefors([2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.0, 3.9, 3.1])
    >>> round(d, 4)
    0.1182
    """
    x = np.sort(np.asarray(x, dtype=float)[~np.isnan(np.asarray(x, dtype=float))])
    n = len(x)
    if n < 5:
        raise KinerjaError(f"The Lilliefors test needs at least 5 values; got {n}.")
    p = stats.norm.cdf((x - x.mean()) / x.std(ddof=1))
    i = np.arange(1, n + 1)
    k = max(np.max(i / n - p), np.max(p - (i - 1) / n))
    kd, nd = (k, n) if n <= 100 else (k * (n / 100) ** 0.49, 100)
    pv = np.exp(
        -7.01256 * kd**2 * (nd + 2.78019)
        + 2.99587 * kd * np.sqrt(nd + 2.78019)
        - 0.122119
        + 0.974598 / np.sqrt(nd)
        + 1.67997 / nd
    )
    if pv > 0.1:
        kk = (np.sqrt(n) - 0.01 + 0.85 / np.sqrt(n)) * k
        if kk <= 0.302:
            pv = 1.0
        elif kk <= 0.5:
            pv = 2.76773 - 19.828315 * kk + 80.709644 * kk**2 - 138.55152 * kk**3 + 81.218052 * kk**4
        elif kk <= 0.9:
            pv = -4.901232 + 40.662806 * kk - 97.490286 * kk**2 + 94.029866 * kk**3 - 32.355711 * kk**4
        elif kk <= 1.31:
            pv = 6.198765 - 19.558097 * kk + 23.186922 * kk**2 - 12.234627 * kk**3 + 2.423045 * kk**4
        else:
            pv = 0.0
    return float(k), float(pv)


def durbin_watson(X: np.ndarray, resid: np.ndarray, xtx_inv: np.ndarray) -> tuple[float, float]:
    """Durbin-Watson statistic and its p-value against positive autocorrelation (normal approximation).

    As R ``lmtest::dwtest(fit, exact = FALSE)`` (alternative "greater"): mean and variance of DW under H0 from the
    design (Durbin & Watson 1971), without forming the n × n hat matrix; the second differences A X enter through
    X'AX and (AX)'(AX) only, summed a chunk of rows at a time (no n × k copy of the design).
    """
    n, k = X.shape
    dw = float(np.sum(np.diff(resid) ** 2) / np.sum(resid**2))
    xax = np.zeros((k, k))
    axax = np.zeros((k, k))
    for sl in _ols.chunks(n):
        a, b = sl.start, sl.stop
        # (A X)_i = 2 x_i - x_(i-1) - x_(i+1); x_0 - x_1 and x_(n-1) - x_(n-2) at the two ends
        ax = 2 * X[a:b]
        ax[1:] -= X[a : b - 1]
        if a > 0:
            ax[0] -= X[a - 1]
        ax[:-1] -= X[a + 1 : b]
        if b < n:
            ax[-1] -= X[b]
        if a == 0:
            ax[0] = X[0] - X[1]
        if b == n:
            ax[-1] = X[n - 1] - X[n - 2]
        xax += X[a:b].T @ ax
        axax += ax.T @ ax
    xaxq = xax @ xtx_inv
    p_ = 2 * (n - 1) - np.trace(xaxq)
    q_ = 2 * (3 * n - 4) - 2 * np.trace(axax @ xtx_inv) + np.trace(xaxq @ xaxq)
    dmean = p_ / (n - k)
    dvar = 2 / ((n - k) * (n - k + 2)) * (q_ - p_ * dmean)
    return dw, float(stats.norm.cdf(dw, loc=dmean, scale=np.sqrt(dvar)))


def _gvif(X: np.ndarray, where: dict, crossprod: np.ndarray | None = None) -> dict[str, float]:
    """Generalised VIF per term, as R ``car::vif`` (equals 1 / (1 - R²_j) for a one-column term); the correlations
    of the predictors as ``np.corrcoef(X[:, 1:])`` from the design's centred cross-product (``crossprod``, made
    here when not given), never a centred copy of the design."""
    if crossprod is None:
        crossprod = _ols.centred_crossprod(X)[1]
    R = crossprod[1:, 1:] * (1.0 / (X.shape[0] - 1))  # np.cov
    sd = np.sqrt(np.diag(R))
    R = R / sd[:, None]
    R /= sd[None, :]
    np.clip(R, -1, 1, out=R)  # np.corrcoef
    R = np.atleast_2d(R)
    det_all = np.linalg.det(R)
    out = {}
    for term, cols in where.items():
        idx = [c - 1 for c in cols]
        rest = [j for j in range(R.shape[0]) if j not in idx]
        d_rest = np.linalg.det(R[np.ix_(rest, rest)]) if rest else 1.0
        out[term] = float(np.linalg.det(R[np.ix_(idx, idx)]) * d_rest / det_all)
    return out


# ------------------------------------------------------------------------------------------------------ regression
@fill_doc
def regression(
    data: pd.DataFrame,
    *,
    dv: str,
    covar: str | Sequence[str],
    categorical: str | Sequence[str] = (),
    cov_type: str = "nonrobust",
    cluster: str | Sequence[str] | None = None,
    small_sample: str = "CR2",
    alpha: float = 0.05,
) -> RegressionResult:
    """Multiple regression (OLS), the toolkit's one regression entry point: coefficients with the standard errors
    of ``cov_type``, standardised coefficients, tolerance and VIF, partial η², the model F test, and the thesis
    tables (SPSS Model Summary, ANOVA, Coefficients) and classical-assumption tests as attributes.

    Parameters
    ----------
    {data}
    {dv}
    covar : str or list of str
        Predictor columns; numeric columns enter as they are, text/category/bool columns are treatment coded with
        the first level (category order, else sorted; False before True) as reference, named as R does
        (``golonganIII/b``, ``trainedTRUE``).
    categorical : str or list of str
        Numeric predictors to treat as factors (e.g. ``golongan_rank``).
    cov_type : {{"nonrobust", "HC3", "cluster"}}, default "nonrobust"
        Standard errors (statsmodels' names): classical OLS; HC3 heteroscedasticity-consistent (R
        ``sandwich::vcovHC(type = "HC3")``, t with the residual df); cluster-robust by ``cluster`` with the
        ``small_sample`` correction.
    cluster : str or list of str, optional
        With ``cov_type="cluster"``: the column(s) whose combination defines the clusters (e.g. ``agency``).
    small_sample : {{"CR2", "CR1-G", "CR1"}}, default "CR2"
        With ``cov_type="cluster"``: ``"CR2"`` bias-reduced covariance with Satterthwaite df (R ``clubSandwich``),
        ``"CR1-G"`` CR1 = ``sandwich::vcovCL(type = "HC1")`` with df G - 1 (Stata), ``"CR1"`` CR1 with the
        residual df (``lmtest::coeftest``); as :func:`kinerja_research.analysis.training.did`.
    {alpha}

    Returns
    -------
    RegressionResult
        A DataFrame, one row per coefficient in formula order: ``term``, ``estimate`` (B), ``se`` (by
        ``cov_type``), ``ci_low``/``ci_high``, ``ci_level``, ``statistic`` t, ``df`` (n - k, or the cluster df),
        ``p``, ``effect_size`` standardised coefficient (Beta = B · SD_x / SD_y; NaN for the intercept),
        ``effect_size_name`` ``"beta"``, ``n``, ``method``; ``partial_eta2`` (of the term, from its classical F
        test), ``tolerance`` and ``vif`` (of the term; GVIF for a factor). Last row ``term`` ``"model"``: the
        classical ``statistic`` F, ``df1``, ``df2``, ``p``, ``effect_size`` adjusted R², ``r2``, ``adj_r2``.
        Attributes (tidy tables, the blocks an Indonesian thesis shows; always classical OLS, as SPSS prints):

        - ``.model_summary``: one row, SPSS "Model Summary": ``r`` (multiple R), ``r2``, ``adj_r2``,
          ``se_estimate`` (standard error of the estimate, sqrt(RSS / (n - k))), ``durbin_watson``, ``n``.
        - ``.anova``: SPSS "ANOVA" of the regression: ``term`` ``"regression"``, ``"residual"``, ``"total"``
          with ``ss``, ``df``, ``ms``, ``statistic`` F and ``p`` (Sig.) on the regression row.
        - ``.coefficients``: SPSS "Coefficients": ``term``, ``estimate`` (B), ``se`` (Std. Error),
          ``effect_size`` (Beta), ``statistic`` (t), ``df``, ``p`` (Sig.), ``t_crit`` (t tabel: two-sided
          t(1 - alpha/2, n - k)), ``tolerance``, ``vif``, ``n``.
        - ``.assumptions``: one row per test (``term`` = assumption, ``method``, ``statistic``, ``df``/``df1``/
          ``df2``, ``p``, ``n``): Kolmogorov-Smirnov (Lilliefors) and Shapiro-Wilk on the residuals, one-sample
          Kolmogorov-Smirnov against the normal with the residuals' mean and SD (the "One-Sample K-S test" older
          SPSS versions print without the Lilliefors correction), Glejser (F of |e| on the predictors, and one t row
          per predictor as SPSS tables show), Breusch-Pagan (Koenker's studentised form), Durbin-Watson, and
          tolerance/VIF per term.

    Notes
    -----
    Listwise deletion over ``dv``, ``covar`` and ``cluster``; ``n`` is the rows used (one per person in the
    toolkit's person-level frames). Validated against R ``lm``, ``summary.lm``, ``anova``,
    ``sandwich::vcovHC(type = "HC3")`` + ``lmtest::coeftest``, ``clubSandwich::vcovCR(type = "CR2")`` +
    ``coef_test``, ``car::vif``, ``effectsize::eta_squared(car::Anova(fit, type = 2))``, ``nortest::lillie.test``,
    ``shapiro.test``, ``ks.test``, ``lmtest::bptest`` (studentize = TRUE), ``lmtest::dwtest(exact = FALSE)`` (the
    exact Pan p-value that R uses below n = 100 is not implemented: the normal approximation is reported at every
    n) — see ``tests/reference/analyses_training_rewards.R`` and ``analyses_cluster.R``. Own least squares (numpy)
    rather than statsmodels OLS: the same numbers, and the cluster-robust CR2 path and the design are shared with
    :func:`~kinerja_research.analysis.training.did`. Shapiro-Wilk is computed for 3 <= n <= 5000 (R's limit) and
    NaN otherwise. The Durbin-Watson test assumes the rows are in a meaningful order (e.g. time).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> df = pd.DataFrame(rng.normal(size=(200, 2)), columns=["reward", "motivation"])
    >>> df["capaian"] = 1 + 0.5 * df.reward + 0.3 * df.motivation + rng.normal(size=200)
    >>> res = regression(df, dv="capaian", covar=["reward", "motivation"])
    >>> res.term.tolist()
    ['(Intercept)', 'reward', 'motivation', 'model']
    >>> res.anova.term.tolist()
    ['regression', 'residual', 'total']
    >>> sorted(res.assumptions.term.unique().tolist())[:3]
    ['autocorrelation', 'heteroscedasticity', 'multicollinearity']
    """
    covar = _as_list(covar)
    categorical = _as_list(categorical)
    cl_cols = _as_list(cluster)
    if not covar:
        raise KinerjaError("Argument 'covar' is empty; the rule is at least one predictor column.")
    check_choice("cov_type", cov_type, COV_TYPES)
    check_choice("small_sample", small_sample, _ols.SMALL_SAMPLE)
    if (cov_type == "cluster") != bool(cl_cols):
        raise KinerjaError(
            f"Arguments cov_type={cov_type!r} and cluster={cluster!r}; the rule is that cluster-robust standard "
            "errors take both cov_type='cluster' and a cluster column, and the other types no cluster column."
        )
    unknown = [c for c in categorical if c not in covar]
    if unknown:
        raise KinerjaError(f"Argument 'categorical' names {unknown}; the rule is columns that are also in covar.")
    check_columns(data, [dv, *covar, *cl_cols])
    check_alpha(alpha)
    check_numeric(data, dv)
    check_not_numeric_text(data, [c for c in covar if c not in categorical])
    d = _ols.complete(data, [dv, *covar, *cl_cols])
    for c in categorical:
        d[c] = pd.Categorical(d[c])
    y = check_numeric(d, dv)
    X, names, where = _ols.design(d, covar)
    fit = _ols.Fit(X, y, names)
    n, k, dfr = fit.n, fit.k, fit.df_resid
    V0 = fit.vcov("classic")
    if cov_type == "nonrobust":
        V, dfs, method = V0, dfr, "OLS"
    elif cov_type == "HC3":
        V, dfs, method = fit.vcov("HC3"), dfr, "OLS (HC3 SE)"
    else:
        V, dfs, g = fit.cluster_inference(_cluster_codes(d, cl_cols), small_sample)
        method = f"OLS (cluster-robust SE, {_CLUSTER_METHOD[small_sample]}, {g} clusters)"
    rows = _ols.coef_rows(names, fit.beta, V, dfs, alpha, method=method, n=n)
    sd_y = y.std(ddof=1)
    crossprod = _ols.centred_crossprod(X)[1]  # one pass for the SDs and the VIFs (no centred n x k copy)
    sd_x = np.sqrt(np.diag(crossprod) / (n - 1))
    gvif = _gvif(X, where, crossprod) if k > 2 else {t: 1.0 for t in where}
    term_of = {c: t for t, cols in where.items() for c in cols}
    peta = {}
    for t, cols in where.items():
        R = np.zeros((len(cols), k))
        R[np.arange(len(cols)), cols] = 1.0
        f, q, _ = _ols.wald_f(fit.beta, V0, R, dfr)
        peta[t] = f * q / (f * q + dfr)
    for i, r in enumerate(rows):
        if i > 0:
            t = term_of[i]
            r.update(
                effect_size=float(fit.beta[i] * sd_x[i] / sd_y),
                effect_size_name="beta",
                partial_eta2=float(peta[t]),
                vif=gvif[t],
                tolerance=1 / gvif[t],
            )
    tss = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - fit.rss / tss
    adj = 1 - (1 - r2) * (n - 1) / dfr
    f = (r2 / (k - 1)) / ((1 - r2) / dfr)
    p_f = float(stats.f.sf(f, k - 1, dfr))
    rows.append(
        dict(
            term="model",
            statistic=float(f),
            df1=float(k - 1),
            df2=float(dfr),
            p=p_f,
            effect_size=float(adj),
            effect_size_name="adj_r2",
            r2=float(r2),
            adj_r2=float(adj),
            n=n,
            method="OLS F test",
        )
    )
    out = RegressionResult(tidy(rows, extra=_COEF_EXTRA, ci_level=1 - alpha))
    dw_test = durbin_watson(X, fit.resid, fit.xtx_inv)
    out.assumptions = _assumptions(fit, where, gvif, dw_test)
    dw = dw_test[0]
    out.model_summary = tidy(
        [
            dict(
                r=float(np.sqrt(max(r2, 0.0))),
                r2=float(r2),
                adj_r2=float(adj),
                se_estimate=float(np.sqrt(fit.sigma2)),
                durbin_watson=dw,
                n=n,
                method="OLS",
            )
        ],
        extra=["r", "r2", "adj_r2", "se_estimate", "durbin_watson"],
    )
    ssr = tss - fit.rss
    out.anova = tidy(
        [
            dict(term="regression", ss=ssr, df=float(k - 1), ms=ssr / (k - 1), statistic=float(f), p=p_f, n=n),
            dict(term="residual", ss=fit.rss, df=float(dfr), ms=fit.sigma2, n=n),
            dict(term="total", ss=tss, df=float(n - 1), n=n),
        ],
        extra=["ss", "ms"],
    )
    classic = _ols.coef_rows(names, fit.beta, V0, dfr, alpha, method="OLS", n=n)
    t_crit = float(stats.t.ppf(1 - alpha / 2, dfr))
    for c, r in zip(classic, rows):
        c.update({key: r[key] for key in ("effect_size", "effect_size_name", "tolerance", "vif") if key in r})
        c["t_crit"] = t_crit
        for key in ("ci_low", "ci_high"):
            c.pop(key)
    out.coefficients = tidy(classic, extra=["t_crit", "tolerance", "vif"])
    return out


def _cluster_codes(d: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Dense integer id of the combination of the cluster columns."""
    return d.groupby(list(cols), sort=False, observed=True).ngroup().to_numpy()


def _assumptions(fit: _ols.Fit, where: dict, gvif: dict, dw_test: tuple[float, float]) -> pd.DataFrame:
    """The classical-assumption tests from the fit's residuals; the auxiliary regressions (Glejser, Breusch-Pagan)
    reuse the fit's design and ``(X'X)^-1`` (``Fit.refit``), the Durbin-Watson test is the one already computed."""
    e, n, k = fit.resid, fit.n, fit.k
    rows = []
    dl, pl = lilliefors(e) if n >= 5 else (np.nan, np.nan)
    rows.append(dict(term="normality", statistic=dl, p=pl, n=n, method="Kolmogorov-Smirnov (Lilliefors)"))
    dks = float(stats.kstest(e, "norm", args=(e.mean(), e.std(ddof=1))).statistic)
    # R ks.test(exact = NULL): exact distribution when n < 100 (and no ties), else the asymptotic Kolmogorov one
    pks = float(stats.kstwo.sf(dks, n) if n < 100 else stats.kstwobign.sf(np.sqrt(n) * dks))
    rows.append(
        dict(
            term="normality",
            statistic=dks,
            p=pks,
            n=n,
            method="Kolmogorov-Smirnov one-sample (no Lilliefors correction, as SPSS)",
        )
    )
    if 3 <= n <= 5000:
        sw = stats.shapiro(e)
        rows.append(
            dict(term="normality", statistic=float(sw.statistic), p=float(sw.pvalue), n=n, method="Shapiro-Wilk")
        )
    else:
        rows.append(dict(term="normality", n=n, method="Shapiro-Wilk (not computed: needs 3 <= n <= 5000)"))
    # Glejser: |e| on the predictors
    g = fit.refit(np.abs(e))
    tss = float(np.sum((np.abs(e) - np.abs(e).mean()) ** 2))
    r2g = 1 - g.rss / tss
    fg = (r2g / (k - 1)) / ((1 - r2g) / g.df_resid)
    rows.append(
        dict(
            term="heteroscedasticity",
            statistic=float(fg),
            df1=float(k - 1),
            df2=float(g.df_resid),
            p=float(stats.f.sf(fg, k - 1, g.df_resid)),
            n=n,
            method="Glejser (F)",
        )
    )
    for r in _ols.coef_rows(
        fit.names, g.beta, g.vcov("classic"), g.df_resid, 0.05, method="Glejser (t)", n=n, keep=range(1, k)
    ):
        rows.append(
            {c: r[c] for c in ("statistic", "df", "p", "n")}
            | {"term": "heteroscedasticity", "method": f"Glejser (t): {r['term']}"}
        )
    # Breusch-Pagan (Koenker): n R² of e² on the predictors
    e2 = e**2
    b = fit.refit(e2)
    r2b = 1 - b.rss / float(np.sum((e2 - e2.mean()) ** 2))
    bp = n * r2b
    rows.append(
        dict(
            term="heteroscedasticity",
            statistic=float(bp),
            df=float(k - 1),
            p=float(stats.chi2.sf(bp, k - 1)),
            n=n,
            method="Breusch-Pagan (studentised, Koenker)",
        )
    )
    dw, pdw = dw_test
    rows.append(
        dict(
            term="autocorrelation",
            statistic=dw,
            p=pdw,
            n=n,
            method="Durbin-Watson (normal approximation, H1: positive autocorrelation)",
        )
    )
    for t in where:
        rows.append(
            dict(
                term="multicollinearity",
                statistic=gvif[t],
                n=n,
                method=f"VIF: {t}",
                effect_size=1 / gvif[t],
                effect_size_name="tolerance",
            )
        )
    return tidy(rows)


# ------------------------------------------------------------------------------------------------------ moderation
@fill_doc
def moderation(
    data: pd.DataFrame,
    *,
    dv: str,
    x: str,
    moderator: str,
    covar: str | Sequence[str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Moderation: does the effect of ``x`` on ``dv`` depend on ``moderator`` (e.g. the region)?

    Parameters
    ----------
    {data}
    {dv}
    x : str
        Focal predictor (numeric), e.g. reward perception.
    moderator : str
        Moderator: a categorical column (e.g. ``region_code``; treatment coded, first level as reference) or a
        numeric one.
    {covar}
    {alpha}

    Returns
    -------
    pandas.DataFrame
        Rows ``method`` ``"OLS"``: every coefficient of ``dv ~ x * moderator + covar`` (R term names, e.g.
        ``"reward:region_code18.72"``); one row ``term`` ``"<x>:<moderator>"`` with the interaction's F test
        (``statistic``, ``df1``, ``df2``, ``p``, ``effect_size`` ΔR² of adding the interaction); rows
        ``method`` ``"simple slope"``: the slope of ``x`` per moderator level (``region`` = level) or at the
        moderator's mean - 1 SD, mean, mean + 1 SD (``term`` says which), with ``se``, CI, t, ``df``, ``p``; the level
        is in ``region`` when the moderator is ``region_code``, else in ``group``.
        All: ``n`` rows used.

    Notes
    -----
    Classical OLS covariance; simple slopes are linear combinations b_x + b_(x:level) with their variance from the
    coefficient covariance. Validated against R ``lm(dv ~ x * moderator)``, ``anova()`` of the nested models and
    ``emmeans::emtrends``-equivalent contrasts computed in base R. Listwise deletion.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(6)
    >>> df = pd.DataFrame({{"reward": rng.normal(size=300), "region_code": np.repeat(["18.71", "17.71"], 150)}})
    >>> df["y"] = np.where(df.region_code == "18.71", 0.8, 0.2) * df.reward + rng.normal(size=300)
    >>> res = moderation(df, dv="y", x="reward", moderator="region_code")
    >>> res[res.method == "simple slope"].region.tolist()
    ['17.71', '18.71']
    """
    covar = _as_list(covar)
    check_columns(data, [dv, x, moderator, *covar])
    check_alpha(alpha)
    check_numeric(data, dv)
    check_numeric(data, x)
    check_not_numeric_text(data, [moderator, *covar])
    d = _ols.complete(data, [dv, x, moderator, *covar])
    y = check_numeric(d, dv)
    X0, names0, where0 = _ols.design(d, [x, moderator, *covar])
    xv = check_numeric(d, x)
    mcols = where0[moderator]
    if not mcols:
        raise KinerjaError(
            f"Column '{moderator}' has a single value ({d[moderator].iloc[0]!r}) in the complete rows; "
            "the rule is at least two levels (or two distinct values) of the moderator."
        )
    inter = X0[:, mcols] * xv[:, None]
    inames = [f"{x}:{names0[c]}" for c in mcols]
    X = np.column_stack([X0, inter])
    names = names0 + inames
    full, red = _ols.Fit(X, y, names), _ols.Fit(X0, y, names0)
    V = full.vcov("classic")
    rows = _ols.coef_rows(names, full.beta, V, full.df_resid, alpha, method="OLS", n=full.n)
    q = len(mcols)
    f = ((red.rss - full.rss) / q) / (full.rss / full.df_resid)
    tss = float(np.sum((y - y.mean()) ** 2))
    rows.append(
        dict(
            term=f"{x}:{moderator}",
            statistic=float(f),
            df1=float(q),
            df2=float(full.df_resid),
            p=float(stats.f.sf(f, q, full.df_resid)),
            effect_size=float((red.rss - full.rss) / tss),
            effect_size_name="delta_r2",
            n=full.n,
            method="F test of the interaction (nested models)",
        )
    )
    ix = names.index(x)
    icols = [len(names0) + j for j in range(q)]
    combos, labels, regions = [], [], []
    if _ols.is_categorical(d[moderator]):
        lv = _ols.levels(d[moderator])
        for j, lvl in enumerate(lv):
            c = np.zeros(full.k)
            c[ix] = 1.0
            if j > 0:
                c[icols[j - 1]] = 1.0
            combos.append(c)
            labels.append(f"{x} | {moderator} = {lvl}")
            regions.append(str(lvl))
    else:
        mv = check_numeric(d, moderator)
        for lab, val in (
            ("mean - 1 SD", mv.mean() - mv.std(ddof=1)),
            ("mean", mv.mean()),
            ("mean + 1 SD", mv.mean() + mv.std(ddof=1)),
        ):
            c = np.zeros(full.k)
            c[ix] = 1.0
            c[icols[0]] = val
            combos.append(c)
            labels.append(f"{x} | {moderator} = {lab}")
            regions.append(None)
    C = np.vstack(combos)
    est = C @ full.beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", C, V, C))
    tcrit = stats.t.ppf(1 - alpha / 2, full.df_resid)
    for lab, reg, e_, s_ in zip(labels, regions, est, se):
        t = e_ / s_
        row = dict(
            term=lab,
            estimate=float(e_),
            se=float(s_),
            ci_low=float(e_ - tcrit * s_),
            ci_high=float(e_ + tcrit * s_),
            statistic=float(t),
            df=float(full.df_resid),
            p=float(2 * stats.t.sf(abs(t), full.df_resid)),
            n=full.n,
            method="simple slope",
        )
        if reg is not None:
            row[group_column(moderator)] = reg
        rows.append(row)
    return tidy(rows, ci_level=1 - alpha)


# ------------------------------------------------------------------------------------------------------ mediation
def _batched_ols(X: np.ndarray, y: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """OLS coefficients for many bootstrap resamples at once: counts (B × n) are resampling weights."""
    xtwx = np.einsum("bn,ni,nj->bij", counts, X, X, optimize=True)
    xtwy = np.einsum("bn,ni,n->bi", counts, X, y, optimize=True)
    return np.linalg.solve(xtwx, xtwy[..., None])[..., 0]


@fill_doc
def mediation(
    data: pd.DataFrame,
    *,
    dv: str,
    x: str,
    mediator: str,
    covar: str | Sequence[str] | None = None,
    n_boot: int = 5000,
    seed: int = 2026,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Simple mediation x → mediator → dv (e.g. reward → motivation → performance) with a percentile bootstrap CI
    of the indirect effect.

    Parameters
    ----------
    {data}
    {dv}
    x : str
        Predictor (numeric), e.g. reward perception.
    mediator : str
        Mediator (numeric), e.g. work motivation.
    {covar}
    n_boot : int, default 5000
        Bootstrap resamples (of rows, with replacement).
    {seed}
    {alpha}

    Returns
    -------
    pandas.DataFrame
        Rows by ``term``: ``"a"`` (x → mediator), ``"b"`` (mediator → dv given x), ``"c_prime"`` (direct x → dv),
        ``"c"`` (total x → dv): OLS ``estimate``, ``se``, t CI, ``statistic``, ``df``, ``p``; ``"indirect"``:
        ``estimate`` a·b, ``se`` bootstrap SD, ``ci_low``/``ci_high`` percentile bootstrap limits, ``p`` NaN
        (method says the CI is the test); ``"indirect (Sobel)"``: same estimate, first-order delta SE, z, p, normal
        CI; ``"proportion_mediated"``: a·b / c. All: ``n`` rows used, ``method``, ``n_boot``.

    Notes
    -----
    a from mediator ~ x + covar; b and c' from dv ~ x + mediator + covar; c from dv ~ x + covar (c = c' + ab
    exactly for OLS). The bootstrap draws row indices with ``numpy.random.default_rng(seed)`` and solves the two
    regressions of every resample at once as weighted normal equations (resample counts as weights, batched
    ``numpy.linalg.solve``), in chunks; percentile limits use ``numpy.quantile`` (R ``quantile`` type 7).
    A different random generator from R's means bootstrap limits agree with R ``boot::boot`` + ``boot.ci(type =
    "perc")`` only up to Monte Carlo error; the point estimates and OLS paths are validated against R ``lm``
    (``tests/reference/analyses_training_rewards.R``). Listwise deletion.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> df = pd.DataFrame({{"reward": rng.normal(size=300)}})
    >>> df["motivation"] = 0.5 * df.reward + rng.normal(size=300)
    >>> df["capaian"] = 0.4 * df.motivation + 0.1 * df.reward + rng.normal(size=300)
    >>> res = mediation(df, dv="capaian", x="reward", mediator="motivation", n_boot=500)
    >>> bool(res.loc[res.term == "indirect", "ci_low"].item() > 0)
    True
    """
    covar = _as_list(covar)
    check_columns(data, [dv, x, mediator, *covar])
    check_alpha(alpha)
    if not (isinstance(n_boot, (int, np.integer)) and n_boot >= 100):
        raise KinerjaError(f"Argument 'n_boot' is {n_boot!r}; the rule is an integer of at least 100.")
    for c in (dv, mediator):
        check_numeric(data, c)
    check_not_numeric_text(data, [x, *covar])
    if _ols.is_categorical(data[x]) and data[x].nunique() > 2:
        raise KinerjaError(
            f"Column '{x}' has {data[x].nunique()} categories; the rule is that the mediation "
            f"predictor x is numeric or has two levels (one path a)."
        )
    d = _ols.complete(data, [dv, x, mediator, *covar])
    n = len(d)
    y = check_numeric(d, dv)
    Xa, na, _ = _ols.design(d, [x, *covar])
    Xb, nb, _ = _ols.design(d, [x, mediator, *covar])
    m = check_numeric(d, mediator)
    fa, fb, fc = _ols.Fit(Xa, m, na), _ols.Fit(Xb, y, nb), _ols.Fit(Xa, y, na)
    ra = _ols.coef_rows(na, fa.beta, fa.vcov(), fa.df_resid, alpha, method="OLS", n=n, keep=[1])[0]
    rb = _ols.coef_rows(nb, fb.beta, fb.vcov(), fb.df_resid, alpha, method="OLS", n=n, keep=[2])[0]
    rcp = _ols.coef_rows(nb, fb.beta, fb.vcov(), fb.df_resid, alpha, method="OLS", n=n, keep=[1])[0]
    rc = _ols.coef_rows(na, fc.beta, fc.vcov(), fc.df_resid, alpha, method="OLS", n=n, keep=[1])[0]
    a, b = fa.beta[1], fb.beta[2]
    ab = a * b
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_boot, int(4e6 // max(n, 1))))
    boot = np.empty(n_boot)
    offsets = None
    for start in range(0, n_boot, chunk):  # loop over chunks of resamples, not rows
        size = min(chunk, n_boot - start)
        idx = rng.integers(0, n, size=(size, n))
        if offsets is None or len(offsets) != size:
            offsets = (np.arange(size) * n)[:, None]
        counts = np.bincount((idx + offsets).ravel(), minlength=size * n).reshape(size, n).astype(float)
        ba = _batched_ols(Xa, m, counts)[:, 1]
        bb = _batched_ols(Xb, y, counts)[:, 2]
        boot[start : start + size] = ba * bb
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    rows = [dict(ra, term="a"), dict(rb, term="b"), dict(rcp, term="c_prime"), dict(rc, term="c")]
    rows.append(
        dict(
            term="indirect",
            estimate=float(ab),
            se=float(boot.std(ddof=1)),
            ci_low=float(lo),
            ci_high=float(hi),
            n=n,
            method=f"percentile bootstrap ({n_boot} resamples, seed {seed})",
        )
    )
    sa, sb = ra["se"], rb["se"]
    s_sobel = float(np.sqrt(b**2 * sa**2 + a**2 * sb**2))
    z = ab / s_sobel
    zc = stats.norm.ppf(1 - alpha / 2)
    rows.append(
        dict(
            term="indirect (Sobel)",
            estimate=float(ab),
            se=s_sobel,
            ci_low=float(ab - zc * s_sobel),
            ci_high=float(ab + zc * s_sobel),
            statistic=float(z),
            p=float(2 * stats.norm.sf(abs(z))),
            n=n,
            method="Sobel test (first-order delta method)",
        )
    )
    rows.append(dict(term="proportion_mediated", estimate=float(ab / rc["estimate"]), n=n, method="indirect / total"))
    for r in rows:
        r["n_boot"] = int(n_boot)
    return tidy(rows, extra=["n_boot"], ci_level=1 - alpha)


# ---------------------------------------------------------------------------------------------------- ordered logit
class _WeightedOrdered(OrderedModel):
    """statsmodels' OrderedModel with case weights (each observation's log-likelihood times its weight)."""

    case_weights: np.ndarray

    def loglikeobs(self, params):
        return self.case_weights * super().loglikeobs(params)


@fill_doc
def ordinal_logit(
    data: pd.DataFrame,
    *,
    dv: str = "predikat",
    covar: str | Sequence[str],
    levels: Sequence[str] | None = None,
    weights: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Ordered logit (proportional odds) of an ordinal outcome, e.g. the SKP predicate, on predictors.

    Parameters
    ----------
    {data}
    dv : str, default "predikat"
        Ordinal outcome. Its order comes from ``levels``, else from an ordered categorical, else, when the values
        are SKP predicates, from worst ("Sangat Kurang") to best ("Sangat Baik").
    covar : str or list of str
        Predictors (numeric, or categorical treatment coded with the first level as reference).
    levels : sequence of str, optional
        Outcome categories from lowest to highest.
    weights : str, optional
        Column of case (frequency) weights, as ``MASS::polr(weights = )``: each row's log-likelihood is multiplied
        by its weight.
    {alpha}

    Returns
    -------
    pandas.DataFrame
        One row per coefficient (``term`` as in :func:`regression`, ``estimate`` log odds of a higher category,
        ``se``, Wald ``ci_low``/``ci_high``, ``statistic`` z, ``p``, ``effect_size`` odds ratio,
        ``effect_size_name`` ``"odds_ratio"``), then one row per threshold (``term`` ``"lower|upper"``, as R
        ``MASS::polr``'s zeta). ``n`` rows used, ``method``.

    Notes
    -----
    logit P(Y <= j) = zeta_j - x'beta, maximum likelihood with ``statsmodels`` ``OrderedModel`` (BFGS). This is
    R ``MASS::polr``'s parameterisation (the same sign of beta: positive means higher categories); statsmodels
    stores thresholds as the first cut-point and log increments, converted here to the cut-points zeta with
    delta-method SEs. Categories with no observation are dropped from the outcome. With ``weights`` the model is
    statsmodels' ``OrderedModel`` with each observation's log-likelihood multiplied by its weight (statsmodels has
    no weights argument there). Validated against ``MASS::polr(Hess = TRUE)`` (also with ``weights``) at rtol 1e-4
    for estimates and 1e-3 for SEs (both use numerical Hessians).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(8)
    >>> df = pd.DataFrame({{"reward": rng.normal(size=400)}})
    >>> latent = 1.0 * df.reward + rng.logistic(size=400)
    >>> df["grade"] = pd.cut(latent, [-np.inf, -1, 1, np.inf], labels=["low", "mid", "high"]).astype(str)
    >>> res = ordinal_logit(df, dv="grade", covar="reward", levels=["low", "mid", "high"])
    >>> res.term.tolist()
    ['reward', 'low|mid', 'mid|high']
    """
    covar = _as_list(covar)
    check_columns(data, [dv, *covar, weights])
    check_alpha(alpha)
    d = _ols.complete(data, [dv, *covar, weights])
    yv = d[dv]
    if levels is None:
        if isinstance(yv.dtype, pd.CategoricalDtype) and yv.cat.ordered:
            levels = list(yv.cat.categories)
        elif set(yv.astype(str).unique()) <= set(PREDICATES):
            levels = list(PREDICATES[::-1])
        else:
            raise KinerjaError(
                f"Column '{dv}' is not an ordered categorical nor SKP predicates; the rule is to "
                "pass levels= from lowest to highest."
            )
    levels = list(levels)
    bad = ~yv.astype(str).isin([str(v) for v in levels])
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise KinerjaError(
            f"Column '{dv}', row {pos + 1}, value {yv.iloc[pos]!r} is not one of the levels "
            f"{levels}; the rule is every outcome value listed in levels."
        )
    present = [v for v in levels if (yv.astype(str) == str(v)).any()]
    if len(present) < 2:
        raise KinerjaError(f"Column '{dv}' has fewer than two observed levels; the rule is at least two.")
    y = pd.Categorical(yv.astype(str), categories=[str(v) for v in present], ordered=True)
    X, names, _ = _ols.design(d, covar, intercept=False)
    if weights is None:
        model = OrderedModel(pd.Series(y), pd.DataFrame(X, columns=names), distr="logit")
    else:
        w = check_numeric(d, weights)
        if (w < 0).any():
            i = int(np.flatnonzero(w < 0)[0])
            raise KinerjaError(f"data row {i + 1}, column '{weights}', value {w[i]!r}: the rule is weights >= 0.")
        model = _WeightedOrdered(pd.Series(y), pd.DataFrame(X, columns=names), distr="logit")
        model.case_weights = w
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-10)
    params = np.asarray(res.params)
    if not np.all(np.isfinite(params)) or not np.all(np.isfinite(np.asarray(res.cov_params()))):
        raise KinerjaError(
            f"The ordered logit of '{dv}' on {covar} has no finite estimate (a predictor separates "
            "the categories completely); the rule is categories that overlap on the predictors."
        )
    cov = np.asarray(res.cov_params())
    p = X.shape[1]
    raw = params[p:]
    zeta = np.cumsum(np.concatenate([[raw[0]], np.exp(raw[1:])]))
    J = np.zeros((len(raw), len(raw)))  # d zeta / d raw
    J[:, 0] = 1.0
    for j in range(1, len(raw)):
        J[j:, j] = np.exp(raw[j])
    full_j = np.zeros((p + len(raw), p + len(raw)))
    full_j[:p, :p] = np.eye(p)
    full_j[p:, p:] = J
    est = np.concatenate([params[:p], zeta])
    V = full_j @ cov @ full_j.T
    tnames = names + [f"{present[i]}|{present[i + 1]}" for i in range(len(present) - 1)]
    rows = _ols.coef_rows(tnames, est, V, None, alpha, method="ordered logit (proportional odds, ML)", n=len(d))
    for i in range(p):
        rows[i].update(effect_size=float(np.exp(est[i])), effect_size_name="odds_ratio")
    return tidy(rows, ci_level=1 - alpha)
