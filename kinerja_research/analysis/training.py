"""Training impact: pre/post change, difference-in-differences, mixed model, training dose (JP) and dose-response.

Every function takes a long DataFrame (canonical columns) and returns the tidy result shape
(:func:`kinerja_research.results.tidy`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from kinerja_research._docs import fill_doc
from kinerja_research.analysis import _ols
from kinerja_research.analysis.mixed import lmm
from kinerja_research.errors import KinerjaError
from kinerja_research.results import (
    ALTERNATIVES,
    check_alpha,
    check_choice,
    check_columns,
    check_not_numeric_text,
    check_numeric,
    group_column,
    tidy,
)
from kinerja_research.standards import JP_TARGET

__all__ = ["paired_change", "did", "mixed_effects", "training_dose", "dose_response"]


# --------------------------------------------------------------------------------------------------- paired change
def _ncp_ci(t: float, df: float, alpha: float) -> tuple[float, float]:
    """Confidence limits of the noncentrality parameter of a t statistic (as R ``effectsize``/``MBESS``)."""
    if t < 0:  # symmetry keeps scipy's noncentral t in its accurate range (negative t, large ncp gives NaN)
        lo, hi = _ncp_ci(-t, df, alpha)
        return -hi, -lo

    def f(ncp, target):
        c = stats.nct.cdf(t, df, ncp)
        if not np.isfinite(c):  # scipy's noncentral t can return NaN far in a tail, where the cdf is 1 or 0
            c = 1.0 if ncp < t else 0.0
        return c - target

    # bracket from the normal approximation of the noncentral t (sd about sqrt(1 + t^2 / (2 df)))
    sd = np.sqrt(1 + t * t / (2 * df))
    lo = optimize.brentq(f, t - 12 * sd, t + 12 * sd, args=(1 - alpha / 2,), xtol=1e-12)
    hi = optimize.brentq(f, t - 12 * sd, t + 12 * sd, args=(alpha / 2,), xtol=1e-12)
    return lo, hi


def _psignrank(n: int) -> np.ndarray:
    """Exact null distribution (probabilities of V = 0..n(n+1)/2) of the signed-rank statistic."""
    dist = np.zeros(n * (n + 1) // 2 + 1)
    dist[0] = 1.0
    for k in range(1, n + 1):  # loop over ranks (n < 50), not rows
        dist[k:] = dist[k:] + dist[:-k].copy()
    return dist / 2.0**n


def _wilcoxon(d: np.ndarray, alternative: str) -> dict:
    """Wilcoxon signed-rank test with R ``wilcox.test(paired = TRUE)`` defaults (exact = NULL, correct = TRUE)."""
    zeros = bool((d == 0).any())
    d = d[d != 0]
    n = len(d)
    if n == 0:
        return dict(statistic=np.nan, p=np.nan, effect_size=np.nan, method="Wilcoxon signed-rank (no non-zero pairs)")
    r = stats.rankdata(np.abs(d))
    v = float(r[d > 0].sum())
    ties = len(np.unique(r)) < n
    total = n * (n + 1) / 2
    rbc = (v - (total - v)) / total  # matched-pairs rank-biserial correlation (Kerby 2014)
    if n < 50 and not ties and not zeros:
        dist = _psignrank(n)
        cdf = np.cumsum(dist)
        lower = cdf[int(v)]  # P(V <= v)
        upper = 1 - (cdf[int(v) - 1] if v >= 1 else 0.0)  # P(V >= v)
        p = {"two-sided": min(1.0, 2 * min(lower, upper)), "greater": upper, "less": lower}[alternative]
        method = "Wilcoxon signed-rank, exact"
    else:
        _, tcount = np.unique(r, return_counts=True)
        sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(tcount**3 - tcount) / 48)
        z = v - n * (n + 1) / 4
        corr = {"two-sided": np.sign(z) * 0.5, "greater": 0.5, "less": -0.5}[alternative]
        z = (z - corr) / sigma
        p = {
            "two-sided": 2 * min(stats.norm.cdf(z), stats.norm.sf(z)),
            "greater": stats.norm.sf(z),
            "less": stats.norm.cdf(z),
        }[alternative]
        method = "Wilcoxon signed-rank, normal approximation with continuity correction"
    return dict(statistic=v, p=float(p), effect_size=float(rbc), method=method)


@fill_doc
def paired_change(
    data: pd.DataFrame,
    *,
    dv: str,
    within: str = "wave",
    subject: str = "person_id",
    between: str | None = None,
    pre: str = "pre",
    post: str = "post",
    alternative: str = "two-sided",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Pre/post change of one score: paired t test with Hedges' g(av) and its CI, and Wilcoxon signed-rank test.

    Parameters
    ----------
    {data}
    {dv}
    {within}
    {subject}
    between : str, optional
        Grouping column (between subjects, e.g. ``region_code``) whose groups are analysed separately; ``None``
        analyses all rows together.
    pre, post : str
        The values of ``within`` that mark the two occasions; the change is ``post - pre``.
    {alternative}
    {alpha}

    Returns
    -------
    pandas.DataFrame
        Two rows per group. ``region`` (the group, when ``between`` is ``region_code``) or ``group`` (the group of
        any other ``between`` column); no group column without ``between``; ``term`` (``"post - pre"``);
        paired-t row: ``estimate`` mean change, ``se``, ``ci_low``/``ci_high`` (t interval), ``statistic`` t,
        ``df`` n - 1, ``p``, ``effect_size`` Hedges' g(av), ``effect_size_name`` ``"hedges_g_av"``,
        ``es_ci_low``/``es_ci_high`` its confidence limits, ``dz`` Cohen's d_z (mean change / SD of the changes) and
        ``dz_ci_low``/``dz_ci_high`` its exact interval (noncentral t, as R ``effectsize::cohens_d(paired =
        TRUE)``); Wilcoxon row: ``statistic`` V (sum of positive ranks, as
        R), ``p``, ``effect_size`` matched-pairs rank-biserial correlation; both: ``n`` complete pairs (people),
        ``ci_level``, ``method``, ``mean_pre``, ``mean_post``.

    Notes
    -----
    Persons without both occasions are dropped (listwise); ``n`` counts the pairs used. d_z = mean change / SD of
    the changes = t / sqrt(n) (Lakens 2013, eq. 6); its interval is the noncentral-t interval of t divided by
    sqrt(n) (Cumming 2012), which is what ``effectsize::cohens_d(paired = TRUE)`` reports. d(av) = mean change /
    ((SD_pre + SD_post) / 2) (Lakens 2013, eq. 10), g(av) = d(av) · (1 - 3 / (4 df - 1)) with df = n - 1, the
    small-sample factor for matched designs (Borenstein et al. 2009, ch. 4).
    The CI of g(av) inverts the noncentral t distribution of the paired t statistic (exact for d(z), as R
    ``effectsize::cohens_d(paired = TRUE)``) and rescales the limits from the d(z) to the d(av) metric by
    SD_diff / SD_av, then applies the same small-sample factor: an approximation that treats the ratio of SDs as known
    (Cumming 2012, ch. 11). With a one-sided ``alternative`` both intervals are one-sided at level 1 - alpha, the
    other limit infinite (``"greater"``: [lower, inf); ``"less"``: (-inf, upper]), as R ``t.test`` and
    ``effectsize::cohens_d(alternative = ...)``. The Wilcoxon test follows R ``wilcox.test(paired = TRUE)`` defaults: zero differences
    dropped, exact p when fewer than 50 non-zero pairs without ties or zeros, else the normal approximation with
    tie correction and continuity correction. Validated against R ``t.test(paired = TRUE)``, ``wilcox.test`` and
    ``effectsize::cohens_d`` (``tests/reference/analyses_training_rewards.R``).

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science. Frontiers in
    Psychology, 4, 863.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({{"person_id": [1, 1, 2, 2, 3, 3, 4, 4], "wave": ["pre", "post"] * 4,
    ...                    "score": [3.0, 3.5, 2.0, 2.9, 4.0, 4.1, 3.1, 3.3]}})
    >>> res = paired_change(df, dv="score")
    >>> float(round(res.loc[0, "estimate"], 3)), int(res.loc[0, "n"])
    (0.425, 4)
    """
    check_columns(data, [dv, within, subject, between])
    check_choice("alternative", alternative, ALTERNATIVES)
    check_alpha(alpha)
    check_numeric(data, dv)
    d = data[data[within].isin([pre, post])]
    keys = [subject] + ([between] if between else [])
    dup = d.duplicated(keys + [within])
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise KinerjaError(
            f"Row {pos + 1}: subject {d[subject].iloc[pos]!r} has more than one '{within}' = "
            f"{d[within].iloc[pos]!r}; the rule is one row per subject and occasion."
        )
    wide = d.pivot_table(index=keys, columns=within, values=dv, aggfunc="first", observed=True).reset_index()
    if pre not in wide or post not in wide:
        raise KinerjaError(f"Column '{within}' must hold both {pre!r} and {post!r}; the rule is two occasions.")
    wide = wide.dropna(subset=[pre, post])
    groups = [(None, wide)] if between is None else list(wide.groupby(between, sort=True, observed=True))
    gcol = group_column(between)
    rows = []
    for g, w in groups:
        x0, x1 = w[pre].to_numpy(float), w[post].to_numpy(float)
        n = len(x0)
        diff = x1 - x0
        base = dict(
            **({} if between is None else {gcol: str(g)}),
            term="post - pre",
            n=n,
            mean_pre=float(x0.mean()) if n else np.nan,
            mean_post=float(x1.mean()) if n else np.nan,
        )
        if n < 2:
            rows.append(dict(base, method="paired t (fewer than 2 pairs)"))
            continue
        m, sd_d = diff.mean(), diff.std(ddof=1)
        se = sd_d / np.sqrt(n)
        df = n - 1
        t = m / se
        if alternative == "two-sided":
            p = 2 * stats.t.sf(abs(t), df)
            q = stats.t.ppf(1 - alpha / 2, df)
            lo, hi = m - q * se, m + q * se
        elif alternative == "greater":
            p = stats.t.sf(t, df)
            lo, hi = m - stats.t.ppf(1 - alpha, df) * se, np.inf
        else:
            p = stats.t.cdf(t, df)
            lo, hi = -np.inf, m + stats.t.ppf(1 - alpha, df) * se
        s_av = (x0.std(ddof=1) + x1.std(ddof=1)) / 2
        j = 1 - 3 / (4 * df - 1)
        g_av = m / s_av * j
        if not np.isfinite(t):
            lo_ncp, hi_ncp = np.nan, np.nan
        elif alternative == "two-sided":
            lo_ncp, hi_ncp = _ncp_ci(t, df, alpha)
        else:  # one-sided limit at level 1 - alpha, the other side infinite (as the mean-change interval, R t.test)
            lo_ncp, hi_ncp = _ncp_ci(t, df, 2 * alpha)
            lo_ncp, hi_ncp = (lo_ncp, np.inf) if alternative == "greater" else (-np.inf, hi_ncp)
        scale = sd_d / s_av / np.sqrt(n) * j
        rows.append(
            dict(
                base,
                estimate=float(m),
                se=float(se),
                ci_low=float(lo),
                ci_high=float(hi),
                statistic=float(t),
                df=float(df),
                p=float(p),
                effect_size=float(g_av),
                effect_size_name="hedges_g_av",
                es_ci_low=float(lo_ncp * scale),
                es_ci_high=float(hi_ncp * scale),
                dz=float(m / sd_d),
                dz_ci_low=float(lo_ncp / np.sqrt(n)),
                dz_ci_high=float(hi_ncp / np.sqrt(n)),
                method="paired t",
            )
        )
        wx = _wilcoxon(diff, alternative)
        rows.append(
            dict(
                base,
                statistic=wx["statistic"],
                p=wx["p"],
                effect_size=wx["effect_size"],
                effect_size_name="rank_biserial",
                method=wx["method"],
            )
        )
    return tidy(
        rows,
        extra=["es_ci_low", "es_ci_high", "dz", "dz_ci_low", "dz_ci_high", "mean_pre", "mean_post"],
        ci_level=1 - alpha,
    )


# ------------------------------------------------------------------------------------------------------------ DiD
def _cluster_ids(d: pd.DataFrame, cluster: str | Sequence[str]) -> np.ndarray:
    """Dense integer id (0..G-1) of the combination of the cluster columns (hash factorize, no groupby)."""
    cols = [cluster] if isinstance(cluster, str) else list(cluster)
    codes = None
    for c in cols:
        ci, uniq = pd.factorize(d[c])
        codes = ci.astype(np.int64) if codes is None else codes * len(uniq) + ci
    return pd.factorize(codes)[0] if len(cols) > 1 else codes


_METHOD = {"CR2": "CR2, Satterthwaite df", "CR1-G": "CR1, df G - 1", "CR1": "CR1, residual df"}
_WALD = {"CR2": "CR2, df G - 1", "CR1-G": "CR1, df G - 1", "CR1": "CR1, residual df"}


@fill_doc
def did(
    data: pd.DataFrame,
    *,
    dv: str,
    between: str | Sequence[str] = "trained",
    within: str = "wave",
    post: str = "post",
    subject: str = "person_id",
    cluster: str | Sequence[str] = ("region_code", "agency"),
    covar: str | Sequence[str] | None = None,
    small_sample: str = "CR2",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Difference-in-differences of trained vs untrained staff over time, with cluster-robust standard errors.

    Parameters
    ----------
    {data}
    {dv}
    between : str or list of str, default "trained"
        The between-subjects factors of the design. The first is the treatment group column (bool or 0/1: the
        person took part in the programme). A second column (e.g. ``["trained", "region_code"]``) adds the group x
        treatment interaction: one DiD effect per group of that column from a fully interacted model, and a Wald
        F test that the effects are equal.
    within : str, default "wave"
        Time column; rows with ``within == post`` are after the programme, every other row before it. A bool or 0/1
        column is used as it is.
    post : str
        Value of ``within`` that marks the period after the programme.
    {subject}
    cluster : str or sequence of str, default ("region_code", "agency")
        Column(s) whose combination defines the clusters (the OPD of a region: agency names repeat across regions).
    {covar}
    small_sample : {{"CR2", "CR1-G", "CR1"}}, default "CR2"
        Small-number-of-clusters correction of the cluster-robust inference (see Notes): ``"CR2"`` bias-reduced
        covariance with Satterthwaite df (R ``clubSandwich``); ``"CR1-G"`` the usual CR1 covariance with df G - 1
        (Stata); ``"CR1"`` CR1 with the residual df n - k (R ``lmtest::coeftest(fit, vcovCL(fit))``, the toolkit's
        behaviour before this option).
    {alpha}

    Returns
    -------
    pandas.DataFrame
        Pooled model: one row per coefficient (``term`` ``"(Intercept)"``, ``<treatment>``, ``"post"``,
        ``"<treatment>:post"`` = the DiD effect, then covariates). With a second ``between`` column: one row per
        group (in ``region`` when the column is ``region_code``, else ``group``; empty on the pooled rows) with that
        group's ``"<treatment>:post"`` effect, and a last row ``term`` ``"<column> x <treatment>:post"``
        (``statistic`` F, ``df1`` groups - 1, ``df2``, ``p``).
        Columns: ``estimate``, ``se`` (cluster-robust), ``ci_low``/``ci_high``, ``ci_level``, ``statistic`` t,
        ``df`` of the t reference (Satterthwaite df, G - 1 or n - k by ``small_sample``), ``p``, ``n`` people
        (distinct ``subject``), ``n_obs`` rows used (person-periods), ``method``, ``n_clusters`` (G; for a group's
        row, the clusters of that group). The F test uses ``df2`` G - 1 (``"CR2"``, ``"CR1-G"``) or n - k
        (``"CR1"``).

    Notes
    -----
    Model: dv = b0 + b1 treat + b2 post + b3 treat·post (+ covariates) + e, OLS; b3 is the DiD effect.

    Cluster-robust inference with few clusters. CR1 is the cluster sandwich with the factor G/(G-1) · (n-1)/(n-k)
    (R ``sandwich::vcovCL(fit, cluster = ~cl, type = "HC1")``, Stata ``vce(cluster)``); it is biased downward
    when clusters are few, and a t reference with the residual df n - k (what ``lmtest::coeftest`` uses) ignores
    that the variance is estimated from only G cluster sums. The default ``"CR2"`` is the bias-reduced
    linearisation of Bell & McCaffrey (2002): each cluster's residuals are multiplied by (I - H_gg)^(-1/2), which
    makes the covariance unbiased under independent homoscedastic errors, and each t test uses the
    Satterthwaite df of its own variance estimate (Bell-McCaffrey; Imbens & Kolesár 2016; Pustejovsky & Tipton
    2018), which falls towards the number of clusters that inform the coefficient (for a group's effect in the
    interacted model, that group's clusters). Cameron & Miller (2015) recommend it for few clusters; it is also
    what R ``clubSandwich::vcovCR(fit, cluster, type = "CR2")`` + ``coef_test(..., test = "Satterthwaite")``
    computes, and it stays accurate with many clusters (it tends to CR1 with a normal reference), so it is the
    default at every G. ``"CR1-G"`` keeps CR1 and uses df G - 1 (Cameron & Miller 2015; Stata): for a group's
    effect G is that group's clusters. The Wald F test of equal effects uses F(q, G - 1) under both (R
    ``clubSandwich::Wald_test(test = "Naive-F")``; the HTZ test is not implemented). CR2 needs per-cluster k x k
    matrices only (the n_g x n_g adjustment is applied through the eigenvalues of L'X_g'X_g L), built with
    ``numpy.bincount``, so millions of rows remain fast. The interacted model has four columns per group and is
    meant for tens of groups.

    Choosing the cluster: cluster at the level at which errors are correlated or treatment is assigned (Abadie et
    al. 2023). In the synthetic world (training assigned per person, no agency-by-period shocks) agency clusters
    are conservative for the pooled effect when groups have different effects (their deviations from the average
    sit in whole agencies' residuals). With about ten agencies per region, per-region CR1 intervals with the
    residual df cover only about 87% in a 500-seed simulation; CR2 with Satterthwaite df restores nominal coverage
    (figures in ``tests/test_analysis_coverage.py``).
    Rows with a missing value in any used column are
    dropped (listwise); ``n`` reports the rows used. Validated against R ``lm`` + ``sandwich::vcovCL`` +
    ``lmtest::coeftest`` + ``car::linearHypothesis`` (``tests/reference/analyses_training_rewards.R``) and
    ``clubSandwich::vcovCR`` + ``coef_test`` + ``Wald_test`` (``tests/reference/analyses_cluster.R``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 400
    >>> df = pd.DataFrame({{"person_id": range(n), "trained": np.repeat([True, False], n // 2),
    ...                    "agency": np.tile(list("ABCDEFGH"), n // 8)}})
    >>> df = pd.concat([df.assign(wave="pre"), df.assign(wave="post")], ignore_index=True)
    >>> df["y"] = 2 * (df.trained & (df.wave == "post")) + rng.normal(size=len(df))
    >>> res = did(df, dv="y", cluster="agency")
    >>> res.loc[res.term == "trained:post", "estimate"].round(1).item()
    2.2
    """
    covar = [] if covar is None else ([covar] if isinstance(covar, str) else list(covar))
    cl_cols = [cluster] if isinstance(cluster, str) else list(cluster)
    treat, between = _treatment(between)
    check_columns(data, [dv, treat, within, between, subject, *cl_cols, *covar])
    check_choice("small_sample", small_sample, _ols.SMALL_SAMPLE)
    check_alpha(alpha)
    check_numeric(data, dv)
    check_not_numeric_text(data, covar)
    d = _ols.complete(data, [dv, treat, within, between, subject, *cl_cols, *covar])
    n = len(d)
    people = int(d[subject].nunique())
    tr = _ols.as_binary(d[treat], treat)
    w = d[within]
    po = (
        _ols.as_binary(w, within)
        if (pd.api.types.is_bool_dtype(w) or pd.api.types.is_numeric_dtype(w))
        else (w == post).to_numpy(dtype=float)
    )
    if po.min() == po.max():
        raise KinerjaError(f"Column '{within}' has no rows both before and after ({post!r}); the rule is two periods.")
    y = check_numeric(d, dv)
    cl = _cluster_ids(d, cluster)
    n_cl = int(cl.max()) + 1
    Xc, cnames, _ = _ols.design(d, covar, intercept=False)
    method = f"DiD OLS, cluster-robust SE ({_METHOD[small_sample]})"

    X = np.column_stack([np.ones(n), tr, po, tr * po, Xc])
    names = ["(Intercept)", treat, "post", f"{treat}:post", *cnames]
    fit = _ols.Fit(X, y, names)
    V, dfs, _ = fit.cluster_inference(cl, small_sample)
    rows = _ols.coef_rows(names, fit.beta, V, dfs, alpha, method=method, n=people, n_obs=n, n_clusters=n_cl)
    if between is not None:
        gcol = group_column(between)
        gv = d[between].to_numpy()
        lv = _ols.levels(d[between])
        blocks, bnames = [], []
        for g in lv:  # loop over groups (columns of the design), not rows
            ind = (gv == g).astype(float)
            blocks += [ind, ind * tr, ind * po, ind * tr * po]
            bnames += [f"{g}:(Intercept)", f"{g}:{treat}", f"{g}:post", f"{g}:{treat}:post"]
        Xb = np.column_stack(blocks + ([Xc] if Xc.shape[1] else []))
        fb = _ols.Fit(Xb, y, bnames + cnames)
        Vb, dfb, _ = fb.cluster_inference(cl, small_sample)
        eff = [4 * i + 3 for i in range(len(lv))]
        for i, g in zip(eff, lv):
            g_cl = int(len(np.unique(cl[gv == g])))
            df_i = g_cl - 1 if small_sample == "CR1-G" else dfb[i]
            rows += _ols.coef_rows(
                [f"{treat}:post"],
                fb.beta[[i]],
                Vb[np.ix_([i], [i])],
                df_i,
                alpha,
                method=method,
                n=int(d.loc[gv == g, subject].nunique()),
                n_obs=int((gv == g).sum()),
                n_clusters=g_cl,
                **{gcol: str(g)},
            )
        if len(lv) > 1:
            R = np.zeros((len(lv) - 1, fb.k))
            for r, i in enumerate(eff[1:]):
                R[r, eff[0]] = -1.0
                R[r, i] = 1.0
            df2 = float(fb.df_resid) if small_sample == "CR1" else float(n_cl - 1)
            f, q, p = _ols.wald_f(fb.beta, Vb, R, df2)
            rows.append(
                dict(
                    term=f"{between} x {treat}:post",
                    statistic=f,
                    df1=float(q),
                    df2=df2,
                    p=p,
                    n=people,
                    n_obs=n,
                    n_clusters=n_cl,
                    method=f"Wald F, cluster-robust ({_WALD[small_sample]}): equal DiD effects across groups",
                )
            )
    return tidy(rows, extra=["n_clusters"], ci_level=1 - alpha)


def _treatment(between: str | Sequence[str]) -> tuple[str, str | None]:
    """(treatment column, optional grouping column) from ``between`` of the DiD functions."""
    cols = [between] if isinstance(between, str) else list(between)
    if not 1 <= len(cols) <= 2 or not all(isinstance(c, str) for c in cols):
        raise KinerjaError(
            f"Argument 'between' is {between!r}; the rule is the treatment column, optionally followed by one "
            "grouping column (e.g. ['trained', 'region_code'])."
        )
    return cols[0], (cols[1] if len(cols) == 2 else None)


# ------------------------------------------------------------------------------------------------ mixed model
@fill_doc
def mixed_effects(
    data: pd.DataFrame,
    *,
    dv: str,
    between: str = "trained",
    within: str = "wave",
    post: str = "post",
    subject: str = "person_id",
    groups: str | Sequence[str] = ("region_code", "agency"),
    covar: str | Sequence[str] | None = None,
    df_method: str = "satterthwaite",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Linear mixed model of the DiD design with random intercepts for persons and agencies (REML).

    Parameters
    ----------
    {data}
    {dv}
    between : str, default "trained"
        Treatment group column (bool or 0/1), as in :func:`did`.
    within, post
        As in :func:`did`.
    {subject}
    groups : str or sequence of str, default ("region_code", "agency")
        Column(s) whose combination is the agency (OPD of a region): random intercept per agency; persons are
        nested in agencies (a person seen in two agencies counts as two units, as lme4's ``(1 | agency:person)``).
    {covar}
    df_method : {{"satterthwaite", "wald"}}, default "satterthwaite"
        As in :func:`kinerja_research.analysis.mixed.lmm`: t tests with Satterthwaite's df (lmerTest) or Wald z.
    {alpha}

    Returns
    -------
    pandas.DataFrame
        One row per fixed effect (``term`` as in :func:`did`): ``estimate``, ``se``, ``ci_low``/``ci_high``,
        ``ci_level``, ``statistic`` t (z with ``"wald"``), ``df``, ``p``; then variance components ``term`` ``"var(<groups>)"`` (the
        group columns joined by ``:``), ``"var(<subject>)"``, ``"var(residual)"`` (``estimate`` only); ``n``
        people, ``n_obs`` rows used, ``method``, ``n_groups`` (agencies).

    Notes
    -----
    dv = Xb + u_agency + v_person(agency) + e, REML; R ``lmerTest::lmer(dv ~ treat * post + (1 | agency) +
    (1 | agency:person), REML = TRUE)``. A thin call of :func:`kinerja_research.analysis.mixed.lmm` (sparse
    algebra, so thousands of persons fit in seconds). Estimates, SEs and variance components are those of the
    earlier closed-form engine to optimiser precision (tested against ``lmer``); the tests now use lmerTest's
    Satterthwaite df instead of a normal reference. Listwise deletion.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> p = pd.DataFrame({{"person_id": range(120), "agency": np.repeat(list("ABCDEF"), 20),
    ...                   "trained": np.tile([True, False], 60)}})
    >>> df = pd.concat([p.assign(wave="pre"), p.assign(wave="post")], ignore_index=True)
    >>> df["y"] = 1.5 * (df.trained & (df.wave == "post")) + rng.normal(size=len(df))
    >>> res = mixed_effects(df, dv="y", groups="agency")
    >>> bool(res.loc[res.term == "trained:post", "ci_low"].item() > 0.5)
    True
    """
    covar = [] if covar is None else ([covar] if isinstance(covar, str) else list(covar))
    cl_cols = [groups] if isinstance(groups, str) else list(groups)
    treat = between
    check_columns(data, [dv, treat, within, subject, *cl_cols, *covar])
    check_alpha(alpha)
    check_numeric(data, dv)
    check_not_numeric_text(data, covar)
    d = _ols.complete(data, [dv, treat, within, subject, *cl_cols, *covar])
    w = d[within]
    po = (
        _ols.as_binary(w, within)
        if (pd.api.types.is_bool_dtype(w) or pd.api.types.is_numeric_dtype(w))
        else (w == post).to_numpy(dtype=float)
    )
    frame = d[[dv, *covar]].copy()
    frame[dv] = check_numeric(d, dv)
    frame[treat] = _ols.as_binary(d[treat], treat)
    frame["post"] = po
    frame["_agency"] = d.groupby(cl_cols, sort=True, observed=True).ngroup().to_numpy()
    frame["_person"] = d[subject].to_numpy()
    rhs = " + ".join([f"Q('{treat}') * Q('post')", *(f"Q('{c}')" for c in covar)])
    res = lmm(
        frame,
        f"Q('{dv}') ~ {rhs}",
        groups=["_agency", "_agency:_person"],
        df_method=df_method,
        profile=False,
        alpha=alpha,
    )
    fixed = res[res["effect"] == "fixed"]
    sd = res[res["effect"] == "random"].set_index("group_factor")["estimate"]
    people = int(d[subject].nunique())
    n_groups = int(frame["_agency"].max()) + 1
    rows = [
        dict(r, n=people, n_groups=n_groups)
        for r in fixed[
            ["term", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "p", "n_obs", "method"]
        ].to_dict("records")
    ]
    vc = dict(n=people, n_obs=len(d), method="LMM variance component")
    rows += [
        dict(term=f"var({':'.join(cl_cols)})", estimate=float(sd["_agency"] ** 2), **vc),
        dict(term=f"var({subject})", estimate=float(sd["_agency:_person"] ** 2), **vc),
        dict(term="var(residual)", estimate=float(sd["residual"] ** 2), **vc),
    ]
    return tidy(rows, extra=["n_groups"], ci_level=1 - alpha)


# --------------------------------------------------------------------------------------------------- training dose
@fill_doc
def training_dose(
    data: pd.DataFrame,
    *,
    staff: pd.DataFrame,
    between: str | Sequence[str] = ("region_code",),
    target: float = JP_TARGET,
    pns_only: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Training hours (JP) per person-year against the 20 JP a year due to every PNS (PP 11/2017).

    Parameters
    ----------
    data : pandas.DataFrame
        The ``training`` table: ``person_id``, ``start`` (date), ``jp``.
    staff : pandas.DataFrame
        Who was on the staff in which year: ``person_id``, ``year`` (int) and the ``between`` columns, e.g. built by
        :func:`kinerja_research.analysis.frames.staff_years` from the ``performance`` table. Every staff person-year
        counts, with 0 JP when the person had no course that year.
    between : str or sequence of str
        Grouping columns of ``staff``, e.g. ``"region_code"`` or ``("region_code", "golongan")``.
    target : float, default 20
        JP per year that counts as meeting the obligation.
    pns_only : bool, default True
        Keep only PNS: PP 11/2017 sets the 20 JP for PNS. PNS are the rows with ``employment == "PNS"`` (processed
        tables), or, in a staff table without ``employment``, those whose ``golongan`` does not start with ``"PPPK"``.
    {alpha}

    Returns
    -------
    pandas.DataFrame
        One row per group: ``region`` (when ``region_code`` is in ``between``), the other ``between`` columns under
        their own names, ``term`` ``"share_meeting_target"``, ``estimate`` share of person-years with JP >= target,
        ``ci_low``/``ci_high`` (Wilson score interval), ``ci_level``, ``n`` people, ``n_obs`` person-years (the unit
        of the share), ``mean_jp``, ``median_jp``, ``method``.

    Notes
    -----
    JP of a course count in the calendar year of its ``start``. Training rows of people absent from ``staff`` are
    not counted (they are not staff of the analysed regions). The Wilson interval is R ``prop.test(correct =
    FALSE)``'s interval.

    Examples
    --------
    >>> import pandas as pd
    >>> tr = pd.DataFrame({{"person_id": ["a", "a", "b"], "start": pd.to_datetime(["2025-02-01", "2025-06-01",
    ...                    "2025-03-01"]), "jp": [12.0, 10.0, 8.0]}})
    >>> st = pd.DataFrame({{"person_id": ["a", "b", "c"], "year": 2025, "region_code": "18.71", "golongan": "III/a"}})
    >>> res = training_dose(tr, staff=st)
    >>> float(res.loc[0, "estimate"]), int(res.loc[0, "n_obs"])
    (0.3333333333333333, 3)
    """
    by = [between] if isinstance(between, str) else list(between)
    check_columns(data, ["person_id", "start", "jp"], what="training table")
    has_emp = "employment" in staff.columns
    check_columns(
        staff, ["person_id", "year", *by, *(["golongan"] if pns_only and not has_emp else [])], what="staff table"
    )
    check_alpha(alpha)
    st = staff.drop_duplicates(["person_id", "year"])
    if pns_only and has_emp:
        st = st[st["employment"].astype("string").eq("PNS").fillna(False).to_numpy()]
    elif pns_only:
        st = st[~st["golongan"].astype("string").str.startswith("PPPK").fillna(False)]
    tr = data.assign(year=pd.to_datetime(data["start"]).dt.year)
    jp = tr.groupby(["person_id", "year"], observed=True)["jp"].sum().rename("jp_year").reset_index()
    py = st.merge(jp, on=["person_id", "year"], how="left")
    py["jp_year"] = py["jp_year"].fillna(0.0)
    py["meets"] = py["jp_year"] >= target
    agg = (
        py.groupby(by, observed=True, dropna=False)
        .agg(
            n=("person_id", "nunique"),
            n_obs=("meets", "size"),
            k=("meets", "sum"),
            mean_jp=("jp_year", "mean"),
            median_jp=("jp_year", "median"),
        )
        .reset_index()
    )
    z = stats.norm.ppf(1 - alpha / 2)
    n, k = agg["n_obs"].to_numpy(float), agg["k"].to_numpy(float)
    phat = k / n
    centre = (phat + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(phat * (1 - phat) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    out = agg.drop(columns="k").assign(
        term="share_meeting_target",
        estimate=phat,
        ci_low=centre - half,
        ci_high=centre + half,
        method=f"share of person-years with JP >= {target:g} (PP 11/2017), Wilson CI",
    )
    if "region_code" in by:
        out = out.rename(columns={"region_code": "region"})
    extra = [c for c in by if c != "region_code"] + ["mean_jp", "median_jp"]
    return tidy(out, extra=extra, ci_level=1 - alpha)


@fill_doc
def dose_response(
    data: pd.DataFrame,
    *,
    dv: str = "capaian_pct",
    dose: str = "jp",
    covar: str | Sequence[str] | None = None,
    cluster: str | Sequence[str] = ("region_code", "agency"),
    between: str | None = None,
    per: float = 10.0,
    small_sample: str = "CR2",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Dose-response of performance on training hours: OLS slope per ``per`` JP with cluster-robust SEs.

    Parameters
    ----------
    {data}
    {dv}
    dose : str, default "jp"
        Training hours per person-year.
    {covar}
    cluster : str or sequence of str
        Cluster columns, as in :func:`did`.
    between : str, optional
        Grouping column (e.g. ``region_code``): a separate slope per group (one model per group).
    per : float, default 10
        The slope is reported per ``per`` JP.
    small_sample : {{"CR2", "CR1-G", "CR1"}}, default "CR2"
        Small-number-of-clusters correction, as in :func:`did`.
    {alpha}

    Returns
    -------
    pandas.DataFrame
        One row per group (``region`` for ``region_code``, else ``group``; one row and no group column without
        ``between``): ``term`` ``"<dose> (per <per>)"``, ``estimate`` change in ``dv`` per ``per`` JP, ``se``
        (cluster-robust), ``ci_low``/``ci_high``, ``ci_level``, ``statistic`` t, ``df`` (by ``small_sample``),
        ``p``, ``n`` (rows: one per person in the change frame), ``method``, ``n_clusters``.

    Notes
    -----
    dv = b0 + b1 · dose / per (+ covariates) + e. The slope is descriptive (observational: who trains more may
    differ); causal claims rest on :func:`did`. Covariance and df as in :func:`did` (R ``clubSandwich`` CR2 +
    Satterthwaite by default; ``vcovCL(type = "HC1")`` with df G - 1 or n - k); validated against R in
    ``tests/reference/analyses_training_rewards.R`` and ``tests/reference/analyses_cluster.R``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({{"jp": rng.uniform(0, 40, 300), "agency": np.tile(list("ABCDEF"), 50)}})
    >>> df["capaian_pct"] = 90 + 0.1 * df.jp + rng.normal(size=300)
    >>> float(round(dose_response(df, cluster="agency").loc[0, "estimate"], 1))
    0.9
    """
    covar = [] if covar is None else ([covar] if isinstance(covar, str) else list(covar))
    cl_cols = [cluster] if isinstance(cluster, str) else list(cluster)
    check_columns(data, [dv, dose, between, *cl_cols, *covar])
    check_choice("small_sample", small_sample, _ols.SMALL_SAMPLE)
    check_alpha(alpha)
    check_numeric(data, dv)
    check_numeric(data, dose)
    check_not_numeric_text(data, covar)
    d = _ols.complete(data, [dv, dose, between, *cl_cols, *covar])
    groups = [(None, d)] if between is None else list(d.groupby(between, sort=True, observed=True))
    gcol = group_column(between)
    rows = []
    term = f"{dose} (per {per:g})"
    for g, dg in groups:
        X, names, _ = _ols.design(dg.assign(**{term: dg[dose] / per}), [term, *covar])
        fit = _ols.Fit(X, check_numeric(dg, dv), names)
        cl = _cluster_ids(dg, cluster)
        V, dfs, g_cl = fit.cluster_inference(cl, small_sample)
        rows += _ols.coef_rows(
            names,
            fit.beta,
            V,
            dfs,
            alpha,
            keep=[1],
            method=f"OLS dose-response, cluster-robust SE ({_METHOD[small_sample]})",
            n=len(dg),
            n_clusters=g_cl,
            **({} if between is None else {gcol: str(g)}),
        )
    return tidy(rows, extra=["n_clusters"], ci_level=1 - alpha)
