"""Exploratory factor analysis as R ``psych::fa``: minres or ML extraction, varimax / oblimin / promax rotation, and
the scree data (eigenvalues and parallel analysis) for a plot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from kinerja_research._docs import fill_doc
from kinerja_research.errors import KinerjaError
from kinerja_research.measure._core import scale_moments, scale_sets, smc
from kinerja_research.measure.factor import parallel_analysis
from kinerja_research.results import check_choice, tidy

__all__ = ["efa", "EFAResult"]

EXTRACTIONS = ("minres", "ml")
ROTATIONS = ("oblimin", "varimax", "promax", "none")
LOWER = 0.005  # psych's lower bound of the uniquenesses


@dataclass
class EFAResult:
    """Result of :func:`efa`.

    Attributes
    ----------
    loadings : pandas.DataFrame
        One row per item ``term``: the rotated loadings (pattern matrix) in columns ``F1`` ... ``Fk``, then
        ``communality`` (h2), ``uniqueness`` (u2 = 1 - h2), ``complexity`` (Hofmann's, psych ``complexity``),
        ``n``, ``method``.
    variance : pandas.DataFrame
        One row per factor ``term`` (``F1`` ...): ``ss_loadings`` (for oblique rotations diag(Phi L'L), psych's
        ``Vaccounted``), ``proportion_var``, ``cumulative_var``, ``proportion_explained``, ``cumulative_proportion``.
    factor_cor : pandas.DataFrame
        One row per pair of factors (``group_a``, ``group_b``): ``estimate`` (factor correlation; 0 for orthogonal
        rotations), ``n``, ``method``.
    scree : pandas.DataFrame
        One row per position ``term`` (``"1"`` ...): ``estimate`` (eigenvalue of the correlation matrix),
        ``fa_eigenvalue`` (of the correlation matrix with the communalities of this solution on the diagonal,
        psych ``values``), ``pc_simulated`` and ``fa_simulated`` (parallel analysis, 95% quantile), ``n``,
        ``method`` - the data of a scree plot.
    extraction, rotation : str
    n_factors : int
    n : int
        Respondents used.
    converged : bool
        Whether the extraction's fixed point was found (communalities reproduce themselves to 1e-10).
    heywood : bool
        True when a uniqueness sits at psych's lower bound 0.005 (a Heywood case: read the solution with care).
    """

    loadings: pd.DataFrame
    variance: pd.DataFrame
    factor_cor: pd.DataFrame
    scree: pd.DataFrame
    extraction: str
    rotation: str
    n_factors: int
    n: int
    converged: bool
    heywood: bool


# ------------------------------------------------------------------------------------------------ extraction
def _loadings(r: np.ndarray, psi: np.ndarray, nf: int, how: str) -> np.ndarray:
    """psych ``FAout.wls`` (minres: eigenvectors of R with 1 - psi on the diagonal) or ``FAout`` (ML, factanal)."""
    if how == "minres":
        red = r.copy()
        np.fill_diagonal(red, np.diag(r) - psi)
        w, v = np.linalg.eigh(red)
        w, v = w[::-1][:nf], v[:, ::-1][:, :nf]
        return v * np.sqrt(np.maximum(w, 0))
    sc = 1 / np.sqrt(psi)
    w, v = np.linalg.eigh(r * np.outer(sc, sc))
    w, v = w[::-1][:nf], v[:, ::-1][:, :nf]
    return (v * np.sqrt(np.maximum(w - 1, 0))) * np.sqrt(psi)[:, None]


def _extract(r: np.ndarray, nf: int, how: str) -> tuple[np.ndarray, bool, bool]:
    """Uniquenesses where psych's gradient diag(L L' + psi - R) vanishes (minres: the principal-axis fixed point
    its optimiser stops near; ML: the maximum-likelihood solution, factanal's gradient / psi^2), with psych's
    bounds 0.005 <= psi <= max(smc, 1); returns (loadings, converged, heywood)."""
    p = r.shape[0]
    upper = max(float(np.max(smc(r))), 1.0)
    start = np.clip(np.diag(r) - smc(r), LOWER, upper)

    def h(psi):
        lam = _loadings(r, psi, nf, how)
        return np.sum(lam**2, axis=1) + psi - np.diag(r)

    res = optimize.least_squares(
        h, start, bounds=(np.full(p, LOWER), np.full(p, upper)), xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=2000
    )
    psi = res.x
    resid = h(psi)
    at_bound = psi <= LOWER * (1 + 1e-9)
    converged = bool(np.all(np.abs(resid[~at_bound]) < 1e-10) and np.all(resid[at_bound] > -1e-10))
    return _loadings(r, psi, nf, how), converged, bool(at_bound.any())


# --------------------------------------------------------------------------------------------------- rotation
def _varimax(x: np.ndarray, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """R ``stats::varimax`` (Kaiser normalisation, the same iterations and stopping rule)."""
    sc = np.sqrt(np.sum(x**2, axis=1))
    x = x / sc[:, None]
    p, nc = x.shape
    tt = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ tt
        b = x.T @ (z**3 - z * (np.sum(z**2, axis=0) / p))
        u, s, vt = np.linalg.svd(b)
        tt = u @ vt
        dpast, d = d, float(np.sum(s))
        if d < dpast * (1 + eps):
            break
    return (x @ tt) * sc[:, None], tt


def _oblimin(a: np.ndarray, eps: float = 1e-5, maxit: int = 1000) -> tuple[np.ndarray, np.ndarray, bool]:
    """R ``GPArotation::oblimin`` (gam = 0, no normalisation): gradient projection ``GPFoblq`` with its steps."""

    def vgq(lo):
        k = lo.shape[1]
        x = lo**2 @ (1 - np.eye(k))
        return lo * x, float(np.sum(lo**2 * x) / 4)

    tmat = np.eye(a.shape[1])
    al = 1.0
    lo = a @ np.linalg.inv(tmat).T
    gq, f = vgq(lo)
    g = -(lo.T @ gq @ np.linalg.inv(tmat)).T
    s = np.inf
    for _ in range(maxit + 1):
        gp = g - tmat * np.sum(tmat * g, axis=0)
        s = float(np.sqrt(np.sum(gp * gp)))
        if s < eps:
            break
        al *= 2
        for _ in range(11):
            x = tmat - al * gp
            tmatt = x / np.sqrt(np.sum(x**2, axis=0))
            lo = a @ np.linalg.inv(tmatt).T
            gqt, ft = vgq(lo)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2
        tmat, f = tmatt, ft
        g = -(lo.T @ gqt @ np.linalg.inv(tmatt)).T
    return lo, tmat.T @ tmat, s < eps


def _promax(x: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """psych's ``promax`` (``kaiser(..., rotate = "Promax")``: rows normalised, varimax, target L |L|^(m-1))."""
    h2 = np.sum(x**2, axis=1)
    w = x / np.sqrt(h2)[:, None]
    v, tt = _varimax(w)
    q = v * np.abs(v) ** (m - 1)
    u = np.linalg.lstsq(v, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u * np.sqrt(d)
    z = v @ u
    ui = np.linalg.inv(tt @ u)
    return z * np.sqrt(h2)[:, None], ui @ ui.T


@fill_doc
def efa(
    data: pd.DataFrame,
    *,
    items,
    n_factors: int,
    extraction: str = "minres",
    rotation: str = "oblimin",
    reverse: Sequence[str] = (),
    missing: str = "pairwise",
    n_iter: int = 20,
    seed: int = 2026,
) -> EFAResult:
    """Exploratory factor analysis: extraction, rotation, communalities, variance explained and scree data.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns, or a codebook (all its items, reverse-keyed ones reversed).
    n_factors : int
        Number of factors to extract (see ``scree`` and :func:`parallel_analysis` to choose it).
    extraction : {{'minres', 'ml'}}, default 'minres'
        Minimum residual (psych's default) or maximum likelihood.
    rotation : {{'oblimin', 'varimax', 'promax', 'none'}}, default 'oblimin'
        Oblique oblimin (psych's default, GPArotation), orthogonal varimax (stats), oblique promax (psych's, with
        Kaiser normalisation, m = 4), or none.
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list.
    {missing}
    n_iter : int, default 20
        Simulated data sets of the parallel analysis in ``scree``.
    {seed}

    Returns
    -------
    EFAResult
        ``.loadings``, ``.variance``, ``.factor_cor``, ``.scree`` (tidy tables documented on :class:`EFAResult`),
        ``.converged``, ``.heywood``.

    Notes
    -----
    As R ``psych::fa(r, nfactors, fm = "minres" | "ml", rotate = ...)`` on the correlation matrix (pairwise-complete
    by default, as psych). Extraction: the uniquenesses psi at which psych's optimiser stops, i.e. where its
    gradient diag(L L' + psi - R) is zero within its bounds 0.005 <= psi <= max(SMC, 1) (minres: the loadings are
    the leading eigenvectors of R with 1 - psi on the diagonal; ML: factanal's), solved here to 1e-12 (psych's
    L-BFGS-B stops near 1e-6). Rotation exactly as ``stats::varimax``, ``GPArotation::oblimin`` (quartimin,
    ``GPFoblq``) and psych's Kaiser-normalised ``Promax``, with the same iterations and stopping rules.
    psych's conventions are followed after rotation: each factor's sign makes its column sum positive, and
    factors are ordered by variance explained (diag(Phi L'L) for oblique rotations), decreasing.
    Communalities are row sums of the squared unrotated loadings (rotation-invariant). Validated against R psych
    2.2 on psych::bfi, lavaan's HolzingerSwineford1939 and the synthetic survey (tests/reference/measure_efa.R):
    loadings, communalities, uniquenesses, variance explained and factor correlations.

    Examples
    --------
    >>> from kinerja_research.measure import efa, example_items
    >>> df = example_items(n=400, seed=2, k=6)
    >>> res = efa(df, items=[f"X{{i}}" for i in range(1, 7)], n_factors=1, rotation="none")
    >>> res.loadings.columns[:3].tolist(), bool((res.loadings["F1"] > 0.5).all())
    (['term', 'F1', 'communality'], True)
    """
    check_choice("extraction", extraction, EXTRACTIONS)
    check_choice("rotation", rotation, ROTATIONS)
    check_choice("missing", missing, ("pairwise", "listwise"))
    sets = scale_sets(items, reverse=reverse)
    term, ids, rev, rng = sets[-1]
    mom = scale_moments(data, term, ids, rev, rng, missing, min_items=3)
    n, p = mom.n, len(ids)
    if not (isinstance(n_factors, (int, np.integer)) and not isinstance(n_factors, bool) and 1 <= n_factors):
        raise KinerjaError(f"Argument 'n_factors' is {n_factors!r}; the rule is a whole number of at least 1.")
    dof = ((p - n_factors) ** 2 - (p + n_factors)) / 2
    if dof < 0:
        raise KinerjaError(
            f"Argument 'n_factors' is {n_factors} for {p} items; the rule is that the factor model must have "
            f"non-negative degrees of freedom ((p - k)^2 - (p + k)) / 2 >= 0."
        )
    r = mom.r  # psych::fa: cor(x, use = "pairwise")
    lam, converged, heywood = _extract(r, n_factors, extraction)
    # psych: sign so that column sums are positive (one factor: the sum of the loadings)
    sign = np.sign(lam.sum(axis=0))
    sign[sign == 0] = 1
    lam = lam * sign
    communality = np.sum(lam**2, axis=1)
    phi = None
    rot = lam.copy()
    if n_factors > 1 and rotation != "none":
        rot = np.where(rot == 0.0, 1e-15, rot)
        if rotation == "varimax":
            rot, _ = _varimax(rot)
        elif rotation == "oblimin":
            rot, phi, ok = _oblimin(rot)
            converged = converged and ok
        else:
            rot, phi = _promax(rot)
        sign = np.sign(rot.sum(axis=0))
        sign[sign == 0] = 1
        rot = rot * sign
        if phi is not None:
            phi = phi * np.outer(sign, sign)
        ev = np.diag(phi @ rot.T @ rot) if phi is not None else np.sum(rot**2, axis=0)
        order = np.argsort(-ev, kind="stable")
        rot = rot[:, order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]
    names = [f"F{k + 1}" for k in range(n_factors)]
    method = f"EFA, {extraction} extraction, {rotation} rotation ({missing}; psych::fa conventions)"
    cols = {nm: rot[:, k] for k, nm in enumerate(names)}
    complexity = np.sum(rot**2, axis=1) ** 2 / np.sum(rot**4, axis=1)
    load = pd.DataFrame(
        {
            "term": ids,
            **cols,
            "communality": communality,
            "uniqueness": np.diag(r) - communality,
            "complexity": complexity,
            "n": int(n),
            "method": method,
        }
    )
    vx = np.diag(phi @ rot.T @ rot) if phi is not None else np.sum(rot**2, axis=0)
    vtotal = float(np.sum(np.diag(r)))
    variance = tidy(
        [
            {
                "term": nm,
                "n": int(n),
                "method": method,
                "ss_loadings": float(vx[k]),
                "proportion_var": float(vx[k] / vtotal),
                "cumulative_var": float(np.sum(vx[: k + 1]) / vtotal),
                "proportion_explained": float(vx[k] / vx.sum()),
                "cumulative_proportion": float(np.sum(vx[: k + 1]) / vx.sum()),
            }
            for k, nm in enumerate(names)
        ],
        extra=("ss_loadings", "proportion_var", "cumulative_var", "proportion_explained", "cumulative_proportion"),
    )
    pairs = [
        {
            "group_a": names[a],
            "group_b": names[b],
            "estimate": float(phi[a, b]) if phi is not None else 0.0,
            "n": int(n),
            "method": method,
        }
        for a in range(n_factors)
        for b in range(a + 1, n_factors)
    ]
    factor_cor = tidy(pairs) if pairs else pd.DataFrame(columns=["group_a", "group_b", "estimate", "n", "method"])
    red = r.copy()
    np.fill_diagonal(red, communality)
    fa_values = np.sort(np.linalg.eigvalsh(red))[::-1]
    pa = parallel_analysis(data, items=items, reverse=reverse, n_iter=n_iter, missing=missing, seed=seed)
    scree = tidy(
        [
            {
                "term": str(j + 1),
                "estimate": float(pa["pc_observed"].iloc[j]),
                "n": int(n),
                "method": f"scree: eigenvalues and parallel analysis ({n_iter} normal data sets, 95% quantile)",
                "fa_eigenvalue": float(fa_values[j]),
                "pc_simulated": float(pa["pc_simulated"].iloc[j]),
                "fa_simulated": float(pa["fa_simulated"].iloc[j]),
            }
            for j in range(p)
        ],
        extra=("fa_eigenvalue", "pc_simulated", "fa_simulated"),
    )
    return EFAResult(
        load, variance, factor_cor, scree, extraction, rotation, int(n_factors), int(n), converged, heywood
    )
