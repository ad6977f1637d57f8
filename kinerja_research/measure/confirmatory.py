"""Confirmatory factor analysis (lavaan-compatible ML), convergent/discriminant validity, measurement invariance."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research.errors import KinerjaError
from kinerja_research.instruments.codebook import Codebook
from kinerja_research.measure._core import item_matrix
from kinerja_research.measure._sem import ModelSpec, fit_measures, fit_ml, parse_model, sample_moments
from kinerja_research.results import check_alpha, check_choice, check_columns, tidy

__all__ = ["cfa", "invariance", "CFAResult"]

FIT_TERMS = ("chisq", "cfi", "tli", "rmsea", "srmr", "baseline_chisq", "aic", "bic")
PARAM_EXTRA = ("op", "lhs", "rhs", "std_all", "free")


@dataclass
class CFAResult:
    """Result of :func:`cfa`: four tidy tables and the model.

    Attributes
    ----------
    estimates : pandas.DataFrame
        One row per parameter: ``group_a`` (group label or NA), ``term`` (``"f =~ x"``, ``"x ~~ x"``, ...),
        ``estimate`` (unstandardised), ``se``, ``ci_low``, ``ci_high`` (Wald), ``statistic`` (z), ``p``, ``n``,
        ``method``; ``op``, ``lhs``, ``rhs``, ``std_all`` (lavaan ``std.all``), ``free`` (False for fixed markers).
    fit : pandas.DataFrame
        One row per fit index ``term`` (``chisq``, ``cfi``, ``tli``, ``rmsea``, ``srmr``, ``baseline_chisq``,
        ``aic``, ``bic``): ``estimate``; ``chisq`` carries ``statistic``, ``df``, ``p``; ``rmsea`` carries the
        90% CI (lavaan ``rmsea.ci.lower``/``upper``) and ``p`` of close fit (RMSEA <= .05); ``n``, ``method``.
    validity : pandas.DataFrame
        One row per factor ``term``: ``estimate`` (AVE), ``composite_reliability``, ``sqrt_ave``, ``max_r``
        (largest absolute correlation with another factor), ``max_htmt``, ``n_items``, ``n``, ``method``.
    discriminant : pandas.DataFrame
        One row per pair of factors (``group_a``, ``group_b``): ``estimate`` (factor correlation, lavaan
        ``std.all`` of the factor covariance; its SE and p are in ``estimates``, unstandardised), ``htmt``, ``sqrt_ave_a``, ``sqrt_ave_b``, ``fornell_larcker`` (both sqrt(AVE) exceed |r|), ``htmt_ok``
        (HTMT < 0.85, Henseler et al. 2015; 0.90 is the liberal bound), ``n``, ``method``.
    model : str
        The lavaan syntax that was fitted.
    converged : bool
    """

    estimates: pd.DataFrame
    fit: pd.DataFrame
    validity: pd.DataFrame
    discriminant: pd.DataFrame
    model: str
    converged: bool
    n: int
    measures: dict = field(default_factory=dict, repr=False)


def _model_and_data(data: pd.DataFrame, model) -> tuple[str, ModelSpec, np.ndarray]:
    if isinstance(model, Codebook):
        syntax = model.model_syntax()
        spec = parse_model(syntax)
        rng = (model.scale["min"], model.scale["max"])
        ids = spec.observed
        rev = [i for i in model.reverse_items if i in ids]
        x = item_matrix(data, ids, rev, rng)
    else:
        syntax = model
        spec = parse_model(model)
        x = item_matrix(data, spec.observed, (), None)
    return syntax, spec, x


def _htmt(r: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Heterotrait-monotrait ratio (Henseler, Ringle & Sarstedt 2015) from the item correlation matrix, |r|."""
    ov = spec.observed
    blocks = [[ov.index(i) for i, _ in spec.indicators[f]] for f in spec.factors]
    a = np.abs(r)
    m = len(blocks)
    mono = np.empty(m)
    for k, b in enumerate(blocks):
        sub = a[np.ix_(b, b)]
        mono[k] = sub[np.triu_indices(len(b), 1)].mean()
    out = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(m):
            if i != j:
                out[i, j] = a[np.ix_(blocks[i], blocks[j])].mean() / np.sqrt(mono[i] * mono[j])
    return out


def _estimates_table(fit, group_labels, alpha: float, n_total: int) -> pd.DataFrame:
    st = fit.structure
    se = np.sqrt(np.clip(np.diag(fit.vcov), 0, None))
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for g in range(st.G):
        L, P, T, nu, al = st.matrices(fit.theta, g)
        sig, _ = st.implied(fit.theta, g)
        gr = st.groups[g]
        sd_ov = np.sqrt(np.diag(sig))
        sd_lv = np.sqrt(np.diag(P))
        label = group_labels[g] if group_labels is not None else None
        n_g = fit.n[g]

        def add(op, lhs, rhs, idx, value, std, label=label, n_g=n_g):
            free = idx >= 0
            s = se[idx] if free else np.nan
            zval = value / s if free and s > 0 else np.nan
            rows.append(
                {
                    "group_a": label,
                    "term": f"{lhs} {op} {rhs}".strip(),
                    "estimate": float(value),
                    "se": float(s),
                    "ci_low": float(value - z * s) if free else np.nan,
                    "ci_high": float(value + z * s) if free else np.nan,
                    "statistic": float(zval),
                    "p": float(2 * stats.norm.sf(abs(zval))) if free and np.isfinite(zval) else np.nan,
                    "n": int(n_g),
                    "method": "CFA, ML (lavaan conventions), expected-information SE",
                    "op": op,
                    "lhs": lhs,
                    "rhs": rhs,
                    "std_all": float(std),
                    "free": bool(free),
                }
            )

        for k, f in enumerate(st.lv):
            for item, _ in st.spec.indicators[f]:
                j = st.ov.index(item)
                add("=~", f, item, gr["L"][0][j, k], L[j, k], L[j, k] * sd_lv[k] / sd_ov[j])
        for j in range(st.p):
            for i in range(j, st.p):
                idx = gr["T"][0][i, j]
                if i == j:
                    add("~~", st.ov[j], st.ov[i], idx, T[i, j], T[i, j] / (sd_ov[i] * sd_ov[j]))
                elif idx >= 0 or T[i, j] != 0:  # residual covariance: lavaan scales by the residual SDs
                    add("~~", st.ov[j], st.ov[i], idx, T[i, j], T[i, j] / np.sqrt(T[i, i] * T[j, j]))
        for a in range(st.m):
            for b in range(a, st.m):
                add("~~", st.lv[a], st.lv[b], gr["P"][0][a, b], P[a, b], P[a, b] / (sd_lv[a] * sd_lv[b]))
        if st.meanstructure:
            for j in range(st.p):
                add("~1", st.ov[j], "", gr["N"][j], nu[j], nu[j] / sd_ov[j])
            for k in range(st.m):
                add("~1", st.lv[k], "", gr["A"][k], al[k], al[k] / sd_lv[k])
    return tidy(rows, extra=PARAM_EXTRA)


def _fit_table(meas: dict, n: int, method: str) -> pd.DataFrame:
    rows = [
        {"term": "chisq", "estimate": meas["chisq"], "statistic": meas["chisq"], "df": meas["df"], "p": meas["pvalue"]},
        {"term": "cfi", "estimate": meas["cfi"]},
        {"term": "tli", "estimate": meas["tli"]},
        {
            "term": "rmsea",
            "estimate": meas["rmsea"],
            "ci_low": meas["rmsea_ci_lower"],
            "ci_high": meas["rmsea_ci_upper"],
            "p": meas["rmsea_pvalue"],
        },
        {"term": "srmr", "estimate": meas["srmr"]},
        {
            "term": "baseline_chisq",
            "estimate": meas["baseline_chisq"],
            "statistic": meas["baseline_chisq"],
            "df": meas["baseline_df"],
        },
        {"term": "aic", "estimate": meas["aic"]},
        {"term": "bic", "estimate": meas["bic"]},
    ]
    for r in rows:
        r["n"] = n
        r["method"] = method
    return tidy(rows)


def cfa(data: pd.DataFrame, *, model, alpha: float = 0.05, missing: str = "listwise") -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, with fit indices and convergent/discriminant validity.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns.
    model : str or Codebook
        lavaan-style syntax (``"f1 =~ x1 + x2 + x3\\nf2 =~ x4 + x5 + x6"``; ``1*x``/``NA*x`` fix or free a
        loading, ``a ~~ b`` adds a residual covariance, ``f1 ~~ 0*f2`` fixes a factor covariance), or a codebook:
        one factor per dimension with two or more items, reverse-keyed items reversed first (so their loadings are
        positive).
    alpha : float, default 0.05
        Level of the Wald intervals of the parameters (the RMSEA interval is 90% as lavaan's).
    missing : {'listwise'}, default 'listwise'
        Respondents with any missing item are dropped (lavaan's default); ``n`` reports how many were used.

    Returns
    -------
    CFAResult
        ``.estimates``, ``.fit``, ``.validity``, ``.discriminant`` (tidy tables, columns documented on
        :class:`CFAResult`), ``.model``, ``.converged``, ``.n``.

    Notes
    -----
    Estimator as lavaan ``cfa(model, data)`` defaults: ML with the sample covariance divided by N
    (``likelihood = "normal"``), the first loading of each factor fixed to 1, factor covariances free, no mean
    structure; chi-square = N x F_ML; standard errors from the expected information; CFI/TLI against the
    independence model; RMSEA = sqrt(max(chi2/df - 1, 0)/N) with lavaan's 90% interval; SRMR is lavaan's
    default (Bentler's, residuals scaled by the sample SDs, lower triangle including the diagonal).
    ``std_all`` is lavaan's completely standardised solution. AVE is the mean squared standardised loading, composite
    reliability (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) with standardised loadings (Fornell & Larcker 1981), and
    HTMT the mean absolute heterotrait correlation over the geometric mean of the monotrait ones
    (Henseler et al. 2015; semTools ``htmt``). Validated against R ``lavaan::cfa`` (``parameterEstimates``,
    ``standardizedSolution``, ``fitMeasures``) and ``semTools::htmt`` to 1e-6 on the Holzinger-Swineford data and
    the synthetic survey (tests/reference/measure.R; tests require 1e-3), and against semopy's ML point estimates.

    Examples
    --------
    >>> from kinerja_research.measure import cfa, example_items
    >>> df = example_items(n=400, seed=8, k=6)
    >>> res = cfa(df, model="f =~ X1 + X2 + X3 + X4 + X5 + X6")
    >>> res.converged, bool(res.fit.set_index("term").loc["cfi", "estimate"] > 0.95)
    (True, True)
    """
    check_alpha(alpha)
    check_choice("missing", missing, ("listwise",))
    syntax, spec, x = _model_and_data(data, model)
    x = x[~np.isnan(x).any(axis=1)]
    n, p = x.shape
    if n <= p:
        raise KinerjaError(
            f"CFA has {n} complete respondents for {p} items; the rule is that it needs more "
            f"respondents than items (and, for stable estimates, many more)."
        )
    S, M = sample_moments(x)
    fit = fit_ml(spec, [S], [M], [n], meanstructure=False)
    meas = fit_measures(fit)
    est = _estimates_table(fit, None, alpha, n).drop(columns=["group_a"])
    r = S / np.sqrt(np.outer(np.diag(S), np.diag(S)))
    validity, disc = _validity(est, spec, r, n, fit)
    return CFAResult(
        est, _fit_table(meas, n, "CFA, ML (lavaan conventions)"), validity, disc, syntax, fit.converged, n, meas
    )


def _validity(est: pd.DataFrame, spec: ModelSpec, r: np.ndarray, n: int, fit) -> tuple[pd.DataFrame, pd.DataFrame]:
    lo = est[est["op"] == "=~"]
    htmt = _htmt(r, spec) if len(spec.factors) > 1 else np.full((1, 1), np.nan)
    cov = est[(est["op"] == "~~") & est["lhs"].isin(spec.factors)]
    corr = {}
    for _, row in cov.iterrows():
        if row["lhs"] != row["rhs"]:
            corr[(row["lhs"], row["rhs"])] = row
    vrows, drows = [], []
    ave = {}
    for k, f in enumerate(spec.factors):
        lam = lo.loc[lo["lhs"] == f, "std_all"].to_numpy()
        ave[f] = float(np.mean(lam**2))
        cr = float(lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2)))
        others = [abs(v["std_all"]) for key, v in corr.items() if f in key]
        vrows.append(
            {
                "term": f,
                "estimate": ave[f],
                "n": n,
                "method": "AVE and composite reliability (standardised loadings)",
                "composite_reliability": cr,
                "sqrt_ave": float(np.sqrt(ave[f])),
                "max_r": float(max(others)) if others else np.nan,
                "max_htmt": float(np.nanmax(htmt[k])) if len(spec.factors) > 1 else np.nan,
                "n_items": len(lam),
            }
        )
    for (a, b), row in corr.items():
        ia, ib = spec.factors.index(a), spec.factors.index(b)
        rr = float(row["std_all"])
        drows.append(
            {
                "group_a": a,
                "group_b": b,
                "estimate": rr,
                "n": n,
                "method": "factor correlation; Fornell-Larcker and HTMT",
                "htmt": float(htmt[ia, ib]),
                "sqrt_ave_a": float(np.sqrt(ave[a])),
                "sqrt_ave_b": float(np.sqrt(ave[b])),
                "fornell_larcker": bool(min(np.sqrt(ave[a]), np.sqrt(ave[b])) > abs(rr)),
                "htmt_ok": bool(htmt[ia, ib] < 0.85),
            }
        )
    validity = tidy(vrows, extra=("composite_reliability", "sqrt_ave", "max_r", "max_htmt", "n_items"))
    disc = (
        tidy(drows, extra=("htmt", "sqrt_ave_a", "sqrt_ave_b", "fornell_larcker", "htmt_ok"))
        if drows
        else pd.DataFrame(columns=["group_a", "group_b", "estimate", "n", "method", "htmt"])
    )
    return validity, disc


LEVELS = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}


def invariance(
    data: pd.DataFrame,
    *,
    model,
    group: str,
    levels=("configural", "metric", "scalar"),
    delta_cfi: float = -0.01,
    min_group_n: int = 30,
) -> pd.DataFrame:
    """Measurement invariance across groups (regions): configural, metric and scalar models and their comparison.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns and ``group``.
    model : str or Codebook
        As :func:`cfa`.
    group : str
        Grouping column, e.g. ``region_code``; groups are taken in sorted order (the first is the reference
        whose latent means are fixed at 0 in the scalar model).
    levels : sequence of {'configural', 'metric', 'scalar'}
        Nested models to fit, in order.
    delta_cfi : float, default -0.01
        A level holds when its CFI drops by no more than this from the previous level (Cheung & Rensvold 2002).
    min_group_n : int, default 30
        Groups with fewer complete respondents raise an error (a covariance matrix per group must be estimable).

    Returns
    -------
    pandas.DataFrame
        One row per level ``term``: ``statistic`` (chi-square), ``df``, ``p``, ``n`` (respondents), ``method``;
        ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``, ``rmsea_ci_high``, ``srmr``, ``delta_cfi`` and
        ``delta_rmsea`` (vs the previous level), ``chisq_diff``, ``df_diff``, ``p_diff`` (likelihood-ratio test vs
        the previous level, lavaan ``lavTestLRT`` standard), ``holds`` (ΔCFI >= ``delta_cfi``; True for the
        configural model when it converged), ``n_groups``.

    Notes
    -----
    Multi-group ML with a mean structure, as lavaan ``cfa(model, data, group = group, group.equal = ...)``:
    configural = same pattern, everything free per group (latent means 0); metric = loadings equal; scalar =
    loadings and intercepts equal, latent means free in every group but the first. Chi-square = sum_g n_g F_g;
    the baseline model is the independence model in each group; RMSEA is multiplied by sqrt(G) and SRMR is the
    n-weighted mean of the groups' SRMR including mean residuals (lavaan). Respondents with a missing item or group
    are dropped (listwise). Validated against R lavaan (``fitMeasures`` of the three models, ``lavTestLRT``) on the
    Holzinger-Swineford data by school and on the synthetic survey by region (tests/reference/measure.R).

    Examples
    --------
    >>> from kinerja_research.measure import example_items, invariance
    >>> df = example_items(n=600, seed=9, k=4)
    >>> df["g"] = ["a", "b", "c"] * 200
    >>> res = invariance(df, model="f =~ X1 + X2 + X3 + X4", group="g")
    >>> res["term"].tolist(), res["df"].tolist()
    (['configural', 'metric', 'scalar'], [6.0, 12.0, 18.0])
    """
    check_columns(data, [group], what="data")
    for lev in levels:
        check_choice("levels", lev, tuple(LEVELS))
    syntax, spec, x = _model_and_data(data, model)
    g = data[group].to_numpy()
    keep = ~np.isnan(x).any(axis=1) & pd.notna(g)
    x, g = x[keep], g[keep]
    labels = sorted(pd.unique(g), key=str)
    if len(labels) < 2:
        raise KinerjaError(
            f"Column {group!r} has {len(labels)} group(s) with complete answers; the rule is that "
            f"invariance compares at least two groups."
        )
    S, M, ns = [], [], []
    for lab in labels:
        xg = x[g == lab]
        if xg.shape[0] < max(min_group_n, xg.shape[1] + 1):
            raise KinerjaError(
                f"Column {group!r}, value {lab!r} has {xg.shape[0]} complete respondents; the rule "
                f"is at least {max(min_group_n, xg.shape[1] + 1)} per group."
            )
        s, m = sample_moments(xg)
        S.append(s)
        M.append(m)
        ns.append(int(xg.shape[0]))
    rows = []
    prev = None
    for lev in levels:
        fit = fit_ml(spec, S, M, ns, meanstructure=True, equal=LEVELS[lev])
        meas = fit_measures(fit)
        row = {
            "term": lev,
            "statistic": meas["chisq"],
            "df": meas["df"],
            "p": meas["pvalue"],
            "n": int(sum(ns)),
            "method": f"multi-group CFA, ML (lavaan conventions), {len(labels)} groups of {group!r}",
            "cfi": meas["cfi"],
            "tli": meas["tli"],
            "rmsea": meas["rmsea"],
            "rmsea_ci_low": meas["rmsea_ci_lower"],
            "rmsea_ci_high": meas["rmsea_ci_upper"],
            "srmr": meas["srmr"],
            "n_groups": len(labels),
            "converged": fit.converged,
        }
        if prev is None:
            row.update(
                delta_cfi=np.nan,
                delta_rmsea=np.nan,
                chisq_diff=np.nan,
                df_diff=np.nan,
                p_diff=np.nan,
                holds=bool(fit.converged),
            )
        else:
            dchi = meas["chisq"] - prev["chisq"]
            ddf = meas["df"] - prev["df"]
            dcfi = meas["cfi"] - prev["cfi"]
            row.update(
                delta_cfi=dcfi,
                delta_rmsea=meas["rmsea"] - prev["rmsea"],
                chisq_diff=dchi,
                df_diff=ddf,
                p_diff=float(stats.chi2.sf(dchi, ddf)) if ddf > 0 else np.nan,
                holds=bool(dcfi >= delta_cfi and fit.converged),
            )
        rows.append(row)
        prev = meas
    return tidy(
        rows,
        extra=(
            "cfi",
            "tli",
            "rmsea",
            "rmsea_ci_low",
            "rmsea_ci_high",
            "srmr",
            "delta_cfi",
            "delta_rmsea",
            "chisq_diff",
            "df_diff",
            "p_diff",
            "holds",
            "n_groups",
            "converged",
        ),
    )
