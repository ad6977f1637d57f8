"""Exploratory checks of factor structure: KMO, Bartlett's sphericity test, parallel analysis."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research._docs import fill_doc
from kinerja_research.errors import KinerjaError
from kinerja_research.measure._core import (
    minres_one_factor,
    scale_moments,
    scale_sets,
)
from kinerja_research.results import check_choice, tidy

__all__ = ["kmo", "bartlett_sphericity", "parallel_analysis"]


def _corr(data, items, reverse, missing):
    sets = scale_sets(items, reverse=reverse)
    term, ids, rev, rng = sets[-1]  # a codebook: the whole instrument ("total")
    mom = scale_moments(data, term, ids, rev, rng, missing)
    return term, ids, mom.n, mom.r


@fill_doc
def kmo(data: pd.DataFrame, *, items, reverse: Sequence[str] = (), missing: str = "pairwise") -> pd.DataFrame:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns, or a codebook (all its items).
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list (does not change KMO; kept for a uniform call).
    {missing}

    Returns
    -------
    pandas.DataFrame
        First row ``term="overall"``, then one row per item: ``estimate`` (MSA), ``n``, ``method``; ``scale``.

    Notes
    -----
    With R the correlation matrix (pairwise-complete by default) and Q the partial correlations (from R^-1),
    MSA = sum r_ij^2 / (sum r_ij^2 + sum q_ij^2) over i != j; per item the same over column j. Kaiser's bands
    (>= .5 acceptable, >= .8 meritorious) are applied in the report layer. Validated against R ``psych::KMO``
    (``MSA``, ``MSAi``) to 1e-6 (tests/reference/measure.R).

    Examples
    --------
    >>> from kinerja_research.measure import example_items, kmo
    >>> res = kmo(example_items(n=300, seed=6), items=["X1", "X2", "X3", "X4"])
    >>> res.loc[0, "term"], bool(res.loc[0, "estimate"] > 0.6)
    ('overall', True)
    """
    term, ids, n, r = _corr(data, items, reverse, missing)
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        raise KinerjaError(
            f"The correlation matrix of scale {term!r} is singular (an item is constant or items "
            f"are linearly dependent); the rule is that KMO needs an invertible matrix."
        ) from None
    d = 1 / np.sqrt(np.diag(inv))
    q = inv * np.outer(d, d)
    r2, q2 = r**2, q**2
    np.fill_diagonal(r2, 0)
    np.fill_diagonal(q2, 0)
    overall = r2.sum() / (r2.sum() + q2.sum())
    per = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    n = int(n)
    rows = [{"term": "overall", "estimate": float(overall), "n": n, "method": f"KMO ({missing})", "scale": term}]
    rows += [
        {"term": i, "estimate": float(v), "n": n, "method": f"KMO per item ({missing})", "scale": term}
        for i, v in zip(ids, per)
    ]
    return tidy(rows, extra=("scale",))


@fill_doc
def bartlett_sphericity(
    data: pd.DataFrame, *, items, reverse: Sequence[str] = (), missing: str = "pairwise"
) -> pd.DataFrame:
    """Bartlett's test that the item correlation matrix is an identity matrix.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns, or a codebook (all its items).
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list.
    {missing}

    Returns
    -------
    pandas.DataFrame
        One row: ``term``, ``statistic`` (chi-square), ``df`` (k(k-1)/2), ``p``, ``n``, ``method``.

    Notes
    -----
    chi2 = -(n - 1 - (2k + 5)/6) log|R| (Bartlett 1951), with n the respondents used (rows with at least one answer
    under pairwise handling). Validated against R ``psych::cortest.bartlett(R, n)`` (tests/reference/measure.R).

    Examples
    --------
    >>> from kinerja_research.measure import bartlett_sphericity, example_items
    >>> res = bartlett_sphericity(example_items(n=300, seed=6), items=["X1", "X2", "X3", "X4"])
    >>> float(res.loc[0, "df"]), bool(res.loc[0, "p"] < 0.001)
    (6.0, True)
    """
    term, ids, n, r = _corr(data, items, reverse, missing)
    k = len(ids)
    sign, logdet = np.linalg.slogdet(r)
    if sign <= 0:
        raise KinerjaError(
            f"The correlation matrix of scale {term!r} is not positive definite; the rule is that "
            f"Bartlett's test needs a positive definite matrix."
        )
    chi2 = -(n - 1 - (2 * k + 5) / 6) * logdet
    df = k * (k - 1) / 2
    return tidy(
        [
            {
                "term": term,
                "statistic": float(chi2),
                "df": float(df),
                "p": float(stats.chi2.sf(chi2, df)),
                "n": int(n),
                "method": f"Bartlett's test of sphericity ({missing})",
            }
        ]
    )


def _fa_values(r: np.ndarray) -> np.ndarray:
    lam = minres_one_factor(r)
    red = r.copy()
    np.fill_diagonal(red, lam**2)
    return np.sort(np.linalg.eigvalsh(red))[::-1]


@fill_doc
def parallel_analysis(
    data: pd.DataFrame,
    *,
    items,
    reverse: Sequence[str] = (),
    n_iter: int = 20,
    quantile: float = 0.95,
    missing: str = "pairwise",
    seed: int = 2026,
) -> pd.DataFrame:
    """Horn's parallel analysis: how many factors / components have eigenvalues above those of random data.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns, or a codebook (all its items).
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list.
    n_iter : int, default 20
        Number of simulated normal data sets of the same size (R ``psych::fa.parallel`` default); each is drawn as
        its Wishart cross-product matrix, so the cost does not grow with the number of respondents.
    quantile : float, default 0.95
        Quantile of the simulated eigenvalues an observed eigenvalue must exceed.
    {missing}
    {seed}

    Returns
    -------
    pandas.DataFrame
        One row per position ``term`` (``"1"``, ``"2"``, ...): ``estimate`` (observed factor eigenvalue),
        ``n``, ``method``; ``pc_observed`` (eigenvalue of R), ``pc_simulated``, ``fa_observed`` (eigenvalue of R
        with communalities from a one-factor minres fit on the diagonal, psych ``fa.values``), ``fa_simulated``,
        ``retain_factor``, ``retain_component`` and the decisions ``n_factors``, ``n_components`` (leading
        eigenvalues above the simulated quantile, psych ``nfact``/``ncomp``).

    Notes
    -----
    Observed eigenvalues are deterministic and validated against R ``psych::fa.parallel(fm = "minres")``
    (``pc.values``, ``fa.values``) to 1e-6. The simulated reference is random: it uses normal data only (psych also
    resamples the observed data), so the decision is compared with R's robustly (same number of factors on data
    with a clear structure), never the simulated values themselves.

    Examples
    --------
    >>> from kinerja_research.measure import example_items, parallel_analysis
    >>> pa = parallel_analysis(example_items(n=500, seed=7, k=6), items=[f"X{{i}}" for i in range(1, 7)])
    >>> int(pa.loc[0, "n_factors"]), int(pa.loc[0, "n_components"])
    (1, 1)
    """
    if not (isinstance(n_iter, int) and n_iter >= 1):
        raise KinerjaError(f"Argument 'n_iter' is {n_iter!r}; the rule is a whole number of at least 1.")
    if not 0 < quantile < 1:
        raise KinerjaError(f"Argument 'quantile' is {quantile!r}; the rule is 0 < quantile < 1.")
    check_choice("missing", missing, ("pairwise", "listwise"))
    term, ids, n, r = _corr(data, items, reverse, missing)
    k = len(ids)
    if k < 3:
        raise KinerjaError(f"Scale {term!r} has {k} items; the rule is that parallel analysis needs at least 3.")
    pc_obs = np.sort(np.linalg.eigvalsh(r))[::-1]
    fa_obs = _fa_values(r)
    rng = np.random.default_rng(seed)
    pc_sim = np.empty((n_iter, k))
    fa_sim = np.empty((n_iter, k))
    wishart = stats.wishart(df=n - 1, scale=np.eye(k)) if n - 1 >= k else None
    for i in range(n_iter):  # loop over simulated data sets, each one correlation matrix
        if wishart is not None:
            # the cross-product matrix of n independent normal rows (centred) is Wishart(n - 1, I): drawing it
            # directly gives the same distribution of correlation matrices at a cost independent of n
            w = wishart.rvs(random_state=rng)
            d = 1 / np.sqrt(np.diag(w))
            rs = w * np.outer(d, d)
        else:
            rs = np.corrcoef(rng.standard_normal((n, k)), rowvar=False)
        pc_sim[i] = np.sort(np.linalg.eigvalsh(rs))[::-1]
        fa_sim[i] = _fa_values(rs)
    pc_q = np.quantile(pc_sim, quantile, axis=0)
    fa_q = np.quantile(fa_sim, quantile, axis=0)
    ret_pc = pc_obs > pc_q
    ret_fa = fa_obs > fa_q
    n_comp = int(np.argmin(ret_pc)) if not ret_pc.all() else k
    n_fact = int(np.argmin(ret_fa)) if not ret_fa.all() else k
    rows = [
        {
            "term": str(j + 1),
            "estimate": float(fa_obs[j]),
            "n": int(n),
            "method": f"parallel analysis ({n_iter} normal data sets, {quantile:.0%} quantile, {missing})",
            "pc_observed": float(pc_obs[j]),
            "pc_simulated": float(pc_q[j]),
            "fa_observed": float(fa_obs[j]),
            "fa_simulated": float(fa_q[j]),
            "retain_factor": bool(j < n_fact),
            "retain_component": bool(j < n_comp),
            "n_factors": n_fact,
            "n_components": n_comp,
        }
        for j in range(k)
    ]
    return tidy(
        rows,
        extra=(
            "pc_observed",
            "pc_simulated",
            "fa_observed",
            "fa_simulated",
            "retain_factor",
            "retain_component",
            "n_factors",
            "n_components",
        ),
    )
