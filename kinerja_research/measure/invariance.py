"""Measurement invariance across groups (regions): configural, metric, scalar and strict models, partial invariance,
score tests that point to the constraints to free, and latent mean differences where invariance allows them."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research.errors import KinerjaError
from kinerja_research.measure._model import unconstrained
from kinerja_research.measure._sem import Problem
from kinerja_research.measure.confirmatory import (
    _between_arg,
    _check_options,
    _Engine,
    _fit,
    _level_equal,
    _prepare,
)
from kinerja_research.results import adjust_p, check_alpha, tidy

__all__ = ["invariance", "invariance_scores", "latent_means"]

LEVELS = ("configural", "metric", "scalar", "strict")
INV_EXTRA = (
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "srmr",
    "chisq_scaled",
    "scaling_factor",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "delta_cfi",
    "delta_rmsea",
    "chisq_diff",
    "df_diff",
    "p_diff",
    "diff_method",
    "holds",
    "n_groups",
    "converged",
    "improper",
    "partial",
)


def _check_levels(levels, ordered) -> list[str]:
    levels = list(levels)
    for lev in levels:
        if lev not in LEVELS:
            raise KinerjaError(f"Argument 'levels' holds {lev!r}; the rule is a sequence of {list(LEVELS)} in order.")
    if levels != [lev for lev in LEVELS if lev in levels]:
        raise KinerjaError(f"Argument 'levels' is {levels!r}; the rule is nested levels in the order {list(LEVELS)}.")
    if ordered and "strict" in levels:
        raise KinerjaError(
            "Argument 'levels' asks for 'strict' with ordered=True; the rule is that with ordinal items (delta "
            "parameterisation) residual variances are not parameters, so strict invariance is not tested."
        )
    return levels


def _improper(eng: _Engine) -> bool:
    """Non-convergence, a negative variance, or a non-positive-definite latent covariance matrix."""
    if not eng.converged:
        return True
    model, theta = eng.model, eng.theta
    for r in model.rows:
        if r.op == "~~" and r.lhs == r.rhs and r.free >= 0 and theta[r.free] < 0:
            return True
    for g in range(model.n_groups):
        _, _, mats = model.implied(theta, g)
        if np.linalg.eigvalsh(model.eta_cov(mats)).min() <= 0:
            return True
    return False


def _difference(eng1: _Engine, eng0: _Engine) -> tuple[float, float, float, str]:
    """Test of the restricted model (eng0) against the less restricted one (eng1), as lavaan ``lavTestLRT``:
    the chi-square difference (ML), Satorra-Bentler (2001) scaled difference (MLR), or Satorra's (2000)
    scaled-shifted difference with the delta-method constraint matrix (WLSMV)."""
    m1, m0 = eng1.measures, eng0.measures
    t1, r1 = m1["chisq"], m1["df"]
    t0, r0 = m0["chisq"], m0["df"]
    m = r0 - r1
    if m <= 0:
        return np.nan, float(m), np.nan, "none"
    if eng1.estimator == "MLR":
        c1 = m1.get("chisq_scaling_factor", np.nan) if r1 > 0 else 1.0
        c0 = m0.get("chisq_scaling_factor", np.nan)
        cd = (r0 * c0 - r1 * c1) / m
        if not cd > 0:
            return np.nan, float(m), np.nan, "Satorra-Bentler 2001 (negative scaling factor)"
        t = (t0 - t1) / cd
        return float(t), float(m), float(stats.chi2.sf(t, m)), "Satorra-Bentler 2001 scaled difference"
    if eng1.estimator == "WLSMV":
        t = _satorra2000(eng1, eng0, m)
        return float(t), float(m), float(stats.chi2.sf(t, m)), "Satorra 2000 scaled-shifted difference"
    t = t0 - t1
    return float(t), float(m), float(stats.chi2.sf(t, m)), "likelihood-ratio (chi-square difference)"


def _satorra2000(eng1: _Engine, eng0: _Engine, m: float) -> float:
    f1, f0 = eng1.fit, eng0.fit
    groups = f1.groups
    N = float(sum(g.n for g in groups))
    fg = np.array([g.n / N for g in groups])
    d1 = np.vstack(f1.jac)
    d0 = np.vstack(f0.jac)
    h = np.linalg.pinv(d1) @ d0
    # orthogonal complement of the columns of h: the constraints that make model 0 out of model 1
    u, s, _ = np.linalg.svd(h, full_matrices=True)
    rank = int(np.sum(s > max(h.shape) * np.finfo(float).eps * (s[0] if len(s) else 0)))
    A = u[:, rank:].T
    P_inv = f1.E_inv
    apa = A @ P_inv @ A.T
    keep = ~((np.abs(apa.sum(axis=0)) < np.sqrt(np.finfo(float).eps)) & (np.abs(apa.sum(axis=1)) < 1e-8))
    A = A[keep]
    paapaap = P_inv @ A.T @ np.linalg.pinv(A @ P_inv @ A.T) @ A @ P_inv
    k_all = np.zeros_like(P_inv)
    tr = 0.0
    for k, (g, J) in enumerate(zip(groups, f1.jac)):
        vp = g.V[:, None] * J
        kg = vp.T @ g.gamma @ vp
        tr += fg[k] * float(np.sum(paapaap * kg))
        k_all += fg[k] * kg
    mk = paapaap @ k_all
    tr2 = float(np.sum(mk * mk.T))
    a = np.sqrt(m / tr2)
    b = m - a * tr
    return (eng0.measures["chisq"] - eng1.measures["chisq"]) * a + b


#: The last fits of :func:`_fit_levels` (at most :data:`_KEEP`), by a digest of the prepared data and the options: a
#: report calls :func:`invariance` and then :func:`latent_means` on the same data, which fit the same models.
_FITS: dict[tuple, tuple] = {}
_KEEP = 2


def _fits_key(prep, levels, estimator, missing, ordered, partial, delta_cfi) -> tuple:
    digest = hashlib.blake2b(digest_size=16)
    for x in prep.xs:
        digest.update(repr(x.shape).encode())
        digest.update(np.ascontiguousarray(x).tobytes())
    return (
        digest.hexdigest(),
        prep.syntax,
        repr(prep.labels),
        prep.between,
        prep.n_dropped,
        tuple(levels),
        estimator,
        missing,
        bool(ordered),
        tuple(partial),
        float(delta_cfi),
    )


def _fit_levels(data, model, between, levels, estimator, missing, ordered, partial, delta_cfi, min_group_n):
    """Fit the nested levels; returns (table rows, engines by level, prepared data). The same data and options
    fitted a moment ago (invariance, then latent_means) return the kept fits (rows copied; engines are read-only)."""
    _check_options(estimator, missing, ordered)
    levels = _check_levels(levels, ordered)
    prep = _prepare(data, model, between, missing, min_group_n, min_groups=2)
    key = _fits_key(prep, levels, estimator, missing, ordered, partial, delta_cfi)
    if key in _FITS:
        rows, engines, kept = _FITS[key]
        return [dict(r) for r in rows], dict(engines), kept
    rows, engines = _fit_nested(prep, levels, estimator, missing, ordered, partial, delta_cfi, between)
    while len(_FITS) >= _KEEP:
        del _FITS[next(iter(_FITS))]
    _FITS[key] = ([dict(r) for r in rows], dict(engines), prep)
    return rows, engines, prep


def _fit_nested(prep, levels, estimator, missing, ordered, partial, delta_cfi, between):
    rows = []
    engines: dict[str, _Engine] = {}
    prev: _Engine | None = None
    for lev in levels:
        eng = _fit(
            prep,
            estimator=estimator,
            missing=missing,
            ordered=ordered,
            equal=_level_equal(lev, ordered),
            partial=tuple(partial),
            prev=prev,
        )
        meas = eng.measures
        engines[lev] = eng
        # the estimator's headline indices: robust (MLR; scaled after FIML, as lavaan's robust ones differ), scaled
        # (WLSMV), standard (ML)
        kind = "robust" if "cfi_robust" in meas else ("scaled" if "cfi_scaled" in meas else "")
        cfi_name, rmsea_name = (f"cfi_{kind}", f"rmsea_{kind}") if kind else ("cfi", "rmsea")
        improper = _improper(eng)
        row = {
            "term": lev,
            "statistic": meas.get("chisq", np.nan),
            "df": meas.get("df", np.nan),
            "p": meas.get("pvalue", np.nan),
            "n": int(sum(g.n for g in eng.groups)),
            "method": f"multi-group SEM, {estimator} (lavaan conventions), {len(prep.labels)} groups of {between!r}",
            "cfi": meas.get("cfi", np.nan),
            "tli": meas.get("tli", np.nan),
            "rmsea": meas.get("rmsea", np.nan),
            "rmsea_ci_low": meas.get("rmsea_ci_lower", np.nan),
            "rmsea_ci_high": meas.get("rmsea_ci_upper", np.nan),
            "srmr": meas.get("srmr", np.nan),
            "n_groups": len(prep.labels),
            "converged": eng.converged,
            "improper": improper,
            "partial": ", ".join(partial),
        }
        if estimator != "ML":
            row.update(
                chisq_scaled=meas.get("chisq_scaled", np.nan),
                scaling_factor=meas.get("chisq_scaling_factor", np.nan),
                cfi_scaled=meas.get("cfi_scaled", np.nan),
                tli_scaled=meas.get("tli_scaled", np.nan),
                rmsea_scaled=meas.get("rmsea_scaled", np.nan),
            )
        if estimator == "MLR":
            row.update(
                cfi_robust=meas.get("cfi_robust", np.nan),
                tli_robust=meas.get("tli_robust", np.nan),
                rmsea_robust=meas.get("rmsea_robust", np.nan),
            )
        if prev is None:
            row.update(
                delta_cfi=np.nan,
                delta_rmsea=np.nan,
                chisq_diff=np.nan,
                df_diff=np.nan,
                p_diff=np.nan,
                diff_method="",
                holds=bool(not improper),
            )
        else:
            t, ddf, p, how = _difference(prev, eng)
            dcfi = meas.get(cfi_name, np.nan) - prev.measures.get(cfi_name, np.nan)
            row.update(
                delta_cfi=dcfi,
                delta_rmsea=meas.get(rmsea_name, np.nan) - prev.measures.get(rmsea_name, np.nan),
                chisq_diff=t,
                df_diff=ddf,
                p_diff=p,
                diff_method=how,
                holds=bool(dcfi >= delta_cfi and not improper and rows[-1]["holds"]),
            )
        rows.append(row)
        prev = eng
    return rows, engines


def invariance(
    data: pd.DataFrame,
    *,
    model,
    between: str | None = None,
    levels=("configural", "metric", "scalar"),
    estimator: str = "ML",
    missing: str = "listwise",
    ordered: bool = False,
    partial: tuple[str, ...] = (),
    delta_cfi: float = -0.01,
    min_group_n: int = 30,
) -> pd.DataFrame:
    """Measurement invariance across groups: nested multi-group models, their fit and their comparison.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns and ``between``.
    model : str or Codebook
        As :func:`kinerja_research.measure.cfa`.
    between : str
        Grouping column, e.g. ``region_code``; groups are taken in sorted order (the first is the reference
        group whose latent means are fixed at 0).
    levels : sequence of {'configural', 'metric', 'scalar', 'strict'}
        Nested models to fit, in order: configural (same pattern, everything free per group), metric (loadings
        equal), scalar (and intercepts equal; thresholds for ordinal items; latent means then free in every group
        but the first), strict (and residual variances equal; not for ordinal items).
    estimator : {'ML', 'MLR', 'WLSMV'}, default 'ML'
        As :func:`cfa`; WLSMV needs ``ordered=True``.
    missing : {'listwise', 'fiml'}, default 'listwise'
        As :func:`cfa`.
    ordered : bool, default False
        Ordinal items (WLSMV).
    partial : tuple of str, optional
        Parameters left free across groups in every level that would equate them (lavaan ``group.partial``),
        e.g. ``("x3 ~1", "f =~ x2")``: partial invariance, usually after :func:`invariance_scores` points to them.
    delta_cfi : float, default -0.01
        A level holds when its CFI drops by no more than this from the previous level (Cheung & Rensvold 2002),
        and the model converged to a proper solution. The CFI is the estimator's: ``cfi`` (ML), ``cfi_robust``
        (MLR), ``cfi_scaled`` (WLSMV).
    min_group_n : int, default 30
        Groups with fewer usable respondents raise an error (each group's covariance matrix must be estimable).

    Returns
    -------
    pandas.DataFrame
        One row per level ``term``: ``statistic`` (chi-square), ``df``, ``p``, ``n``, ``method``; ``cfi``, ``tli``,
        ``rmsea``, ``rmsea_ci_low``, ``rmsea_ci_high``, ``srmr``; for MLR/WLSMV ``chisq_scaled``,
        ``scaling_factor``, ``cfi_robust``/``tli_robust``/``rmsea_robust`` (MLR) and ``cfi_scaled``/
        ``tli_scaled``/``rmsea_scaled``; ``delta_cfi`` and ``delta_rmsea`` (vs the previous level, on the
        estimator's CFI and RMSEA), ``chisq_diff``, ``df_diff``, ``p_diff`` and ``diff_method`` (the test vs the
        previous level as lavaan ``lavTestLRT``: chi-square difference for ML, Satorra-Bentler 2001 for MLR,
        Satorra 2000 scaled-shifted for WLSMV), ``holds``, ``n_groups``, ``converged``, ``improper``, ``partial``
        (the freed parameters, comma-separated).

    Notes
    -----
    Multi-group models with a mean structure, as lavaan ``cfa(model, data, group = between, group.equal = ...,
    group.partial = ...)`` (for ordinal items lavaan's default delta parameterisation: scale factors and latent
    means are free in groups after the first once thresholds are equal). Validated against R lavaan 0.6
    (``fitMeasures`` and ``lavTestLRT``) on the Holzinger-Swineford data by school, psych::bfi by gender and the
    synthetic survey by region (tests/reference/measure_invariance.R).

    Examples
    --------
    >>> from kinerja_research.measure import example_items, invariance
    >>> df = example_items(n=400, seed=3, k=5).assign(region=["A", "B"] * 200)
    >>> inv = invariance(df, model="f =~ X1 + X2 + X3 + X4 + X5", between="region")
    >>> inv["term"].tolist(), bool(inv["holds"].all())
    (['configural', 'metric', 'scalar'], True)
    """
    between = _between_arg(between)
    rows, _, _ = _fit_levels(data, model, between, levels, estimator, missing, ordered, partial, delta_cfi, min_group_n)
    return tidy(rows, extra=INV_EXTRA)


def invariance_scores(
    data: pd.DataFrame,
    *,
    model,
    between: str,
    levels=("configural", "metric", "scalar"),
    estimator: str = "ML",
    missing: str = "listwise",
    partial: tuple[str, ...] = (),
    min_group_n: int = 30,
) -> pd.DataFrame:
    """Score (Lagrange multiplier) tests of the equality constraints of one invariance level: which to free.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns and ``between``.
    model : str or Codebook
        As :func:`kinerja_research.measure.cfa`.
    between : str
        Grouping column (first group in sorted order is the reference).
    levels : sequence of {'configural', 'metric', 'scalar', 'strict'}, default up to 'scalar'
        As :func:`invariance`; the constraints of the last level (``metric``, ``scalar`` or ``strict``) are tested.
    estimator : {'ML', 'MLR'}, default 'ML'
        As :func:`cfa` (the test uses the expected information, as lavaan ``lavTestScore``).
    missing : {'listwise', 'fiml'}, default 'listwise'
        As :func:`cfa`.
    partial : tuple of str, optional
        Parameters already freed (lavaan ``group.partial``).
    min_group_n : int, default 30
        As :func:`invariance`.

    Returns
    -------
    pandas.DataFrame
        First a row ``term="total"`` (all constraints released at once: ``statistic``, ``df``, ``p``), then one row
        per constraint, largest statistic first: ``term`` (the parameter, e.g. ``"x3 ~1"``), ``group_a`` (the group
        whose parameter is constrained equal to the reference group's), ``group_b`` (the reference group), ``statistic``
        (chi-square with 1 df for releasing only this constraint), ``df``, ``p``, ``p_adj`` (Holm over the
        univariate tests), ``n``, ``method``; ``parameter_kind`` (``loadings``, ``intercepts``, ...), ``partial``
        (the string to pass in ``partial=`` to free it in every group).

    Notes
    -----
    As lavaan ``lavTestScore(fit)`` on ``cfa(..., group.equal = ...)``: with g the gradient of the log-likelihood
    per observation with respect to all parameters (each group its own), evaluated at the constrained estimates,
    and I the expected information, the univariate statistic of constraint r is N g' Z (Z' I Z)^-1 Z' g where Z
    spans the parameters with every constraint but r kept (freeing one parameter in one group), computed from
    the constrained model's information by a bordered-matrix update. Validated
    against R ``lavaan::lavTestScore`` (tests/reference/measure_invariance.R). A large statistic points to a
    parameter that differs between groups; free it with ``partial=`` and refit (partial invariance).

    Examples
    --------
    >>> from kinerja_research.measure import example_items, invariance_scores
    >>> df = example_items(n=400, seed=3, k=5).assign(region=["A", "B"] * 200)
    >>> sc = invariance_scores(df, model="f =~ X1 + X2 + X3 + X4 + X5", between="region")
    >>> sc.loc[0, "term"], int(sc.loc[0, "df"])
    ('total', 9)
    """
    if estimator not in ("ML", "MLR"):
        raise KinerjaError(f"Argument 'estimator' is {estimator!r}; the rule is 'ML' or 'MLR' for score tests.")
    _check_options(estimator, missing, False)
    level = _check_levels(levels, False)[-1]
    if level == "configural":
        raise KinerjaError(
            "Argument 'levels' ends with 'configural'; the rule is that score tests need equality "
            "constraints: end with 'metric', 'scalar' or 'strict'."
        )
    prep = _prepare(data, model, between, missing, min_group_n, min_groups=2)
    eng = _fit(
        prep,
        estimator=estimator,
        missing=missing,
        ordered=False,
        equal=_level_equal(level, False),
        partial=tuple(partial),
    )
    if not eng.converged:
        raise KinerjaError(
            f"The {level} model did not converge; the rule is that score tests need a converged constrained model."
        )
    full = unconstrained(eng.model)
    m = eng.model
    theta_full = eng.theta[m.full_to_free]
    prob = Problem(full, eng.groups, fiml=missing == "fiml")
    g, info = prob.gradient(theta_full, info=True)
    N = prob.N
    cons = list(dict.fromkeys((min(a, b), max(a, b)) for a, b in m.constraints if a != b))
    by_full = {r.full: r for r in m.rows if r.full >= 0}
    rows = []
    # all constraints released: the parameters of the groups are not all identified then (intercepts and latent
    # means), so, as lavaan, the generalised inverse (MASS::ginv's tolerance)
    total_inv = np.linalg.pinv(info, rcond=np.sqrt(np.finfo(float).eps))
    if np.all(np.isfinite(total_inv)):
        t = float(N * g @ total_inv @ g)
        rows.append(
            {
                "term": "total",
                "statistic": t,
                "df": float(len(cons)),
                "p": float(stats.chi2.sf(t, len(cons))),
                "n": int(N),
                "method": "score test, all equality constraints released",
            }
        )
    # releasing constraint (a, b) adds b's own direction to the constrained parameters K: with A = K' I K and
    # v = K' I e_b, the statistic N g_r' M^-1 g_r of the bordered matrix M = [[A, v], [v', I_bb]] follows from A^-1
    K = _expansion(m.q_full, cons)
    A_inv = np.linalg.inv(K.T @ info @ K)
    g0 = K.T @ g
    uni = []
    for a, b in cons:
        v = K.T @ info[:, b]
        u = A_inv @ v
        schur = info[b, b] - v @ u
        gu = g0 @ u
        stat = float(N * (g0 @ A_inv @ g0 + (gu**2 - 2 * gu * g[b] + g[b] ** 2) / schur)) if schur > 0 else np.nan
        ra, rb = by_full[a], by_full[b]
        uni.append(
            {
                "term": rb.name,
                "group_a": prep.labels[rb.group],
                "group_b": prep.labels[ra.group],
                "statistic": stat,
                "df": 1.0,
                "p": float(stats.chi2.sf(stat, 1)),
                "n": int(N),
                "method": "score test (lavTestScore), univariate",
                "parameter_kind": rb.kind,
                "partial": rb.name,
            }
        )
    uni.sort(key=lambda r: -r["statistic"] if np.isfinite(r["statistic"]) else 0)
    padj = adjust_p([r["p"] for r in uni], "holm")
    for r, pa in zip(uni, padj):
        r["p_adj"] = float(pa)
    return tidy(rows + uni, extra=("parameter_kind", "partial"))


def _expansion(q_full: int, cons: list[tuple[int, int]]) -> np.ndarray:
    """0/1 matrix K (q_full x q) with theta_full = K theta for the parameters left after the constraints."""
    parent = list(range(q_full))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in cons:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = sorted({find(i) for i in range(q_full)})
    col = {r: k for k, r in enumerate(roots)}
    K = np.zeros((q_full, len(roots)))
    for i in range(q_full):
        K[i, col[find(i)]] = 1.0
    return K


def latent_means(
    data: pd.DataFrame,
    *,
    model,
    between: str,
    levels=("configural", "metric", "scalar"),
    estimator: str = "ML",
    missing: str = "listwise",
    ordered: bool = False,
    partial: tuple[str, ...] = (),
    alpha: float = 0.05,
    delta_cfi: float = -0.01,
    min_group_n: int = 30,
) -> pd.DataFrame:
    """Latent mean differences between groups (regions), and whether the instrument allows comparing them.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns and ``between``.
    model : str or Codebook
        As :func:`kinerja_research.measure.cfa`.
    between : str
        Grouping column; the first group in sorted order is the reference (latent means 0).
    levels : sequence of {'configural', 'metric', 'scalar', 'strict'}, default up to 'scalar'
        The invariance levels fitted (as :func:`invariance`); the means come from the last, which must be
        ``scalar`` or ``strict`` (intercepts, or thresholds, equal across groups).
    estimator, missing, ordered
        As :func:`cfa`.
    partial : tuple of str, optional
        Parameters freed across groups (partial scalar invariance, lavaan ``group.partial``); at least one
        invariant indicator per factor besides the marker is needed for the means to be meaningful.
    alpha : float, default 0.05
        Level of the Wald intervals.
    delta_cfi : float, default -0.01
        The comparison is called ``comparable`` when every level in ``levels`` holds by this CFI rule
        (:func:`invariance`).
    min_group_n : int, default 30
        As :func:`invariance`.

    Returns
    -------
    pandas.DataFrame
        One row per factor ``term`` and non-reference group ``group_a`` (``group_b`` the reference group):
        ``estimate`` (latent mean of ``group_a`` minus the reference's, in the marker item's units), ``se``,
        ``ci_low``, ``ci_high``, ``ci_level``, ``statistic`` (z), ``p``, ``effect_size`` (the difference over the pooled latent SD of the
        two groups) with ``effect_size_name``, ``n``, ``method``; ``comparable`` (the invariance levels up to
        ``level`` hold and the solution is proper: only then read the difference as a difference in the
        construct), ``level`` (the last of ``levels``), ``partial``, ``delta_cfi`` (of that level vs the one before).

    Notes
    -----
    The means are lavaan's ``~1`` estimates of the latent variables in ``cfa(model, data, group = between,
    group.equal = c("loadings", "intercepts"), group.partial = partial)``, with lavaan's standard errors and z
    tests (validated against R lavaan, tests/reference/measure_invariance.R). Where scalar invariance fails,
    observed scale means of the groups are not comparable either; the rows then say ``comparable = False``.

    Examples
    --------
    >>> from kinerja_research.measure import example_items, latent_means
    >>> df = example_items(n=400, seed=3, k=5).assign(region=["A", "B"] * 200)
    >>> lm = latent_means(df, model="f =~ X1 + X2 + X3 + X4 + X5", between="region")
    >>> lm.loc[0, ["group_a", "group_b"]].tolist(), bool(lm.loc[0, "comparable"])
    (['B', 'A'], True)
    """
    check_alpha(alpha)
    _check_options(estimator, missing, ordered)
    levels = _check_levels(levels, ordered)
    level = levels[-1]
    if level not in ("scalar", "strict"):
        raise KinerjaError(
            f"Argument 'levels' ends with {level!r}; the rule is that latent means need 'scalar' or "
            f"'strict' invariance (intercepts or thresholds equal across groups)."
        )
    rows_inv, engines, prep = _fit_levels(
        data, model, between, levels, estimator, missing, ordered, partial, delta_cfi, min_group_n
    )
    comparable = all(r["holds"] for r in rows_inv)
    eng = engines[level]
    vcov = eng.fit.vcov
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None)) if vcov is not None else np.full(eng.model.q, np.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    model_ = eng.model
    rows = []
    n_by = [g.n for g in eng.groups]
    for r in model_.rows:
        if not (r.op == "~1" and r.mat == "A" and r.group > 0):
            continue
        est = float(eng.theta[r.free]) if r.free >= 0 else float(r.value)
        se = float(se_all[r.free]) if r.free >= 0 else np.nan
        zval = est / se if se > 0 else np.nan
        var = []
        for g in (0, r.group):
            _, _, mats = model_.implied(eng.theta, g)
            var.append(model_.eta_cov(mats)[r.i, r.i])
        n0, n1 = n_by[0], n_by[r.group]
        pooled = (n0 * var[0] + n1 * var[1]) / (n0 + n1)
        rows.append(
            {
                "group_a": prep.labels[r.group],
                "group_b": prep.labels[0],
                "term": r.lhs,
                "estimate": est,
                "se": se,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "ci_level": 1 - alpha,
                "statistic": zval,
                "p": float(2 * stats.norm.sf(abs(zval))) if np.isfinite(zval) else np.nan,
                "effect_size": est / np.sqrt(pooled) if pooled > 0 else np.nan,
                "effect_size_name": "latent mean difference / pooled latent SD",
                "n": int(n0 + n1),
                "method": f"latent mean difference, {level} invariance model, {estimator}",
                "comparable": comparable and not _improper(eng),
                "level": level,
                "partial": ", ".join(partial),
                "delta_cfi": float(rows_inv[-1]["delta_cfi"]),
            }
        )
    return tidy(rows, extra=("comparable", "level", "partial", "delta_cfi"))
