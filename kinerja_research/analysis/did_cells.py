"""The DiD of :func:`kinerja_research.analysis.training.did` (no covariates, no group interaction) from cell sums.

The DiD design ``1, treat, post, treat x post`` is four indicator columns, so everything the OLS fit and its CR2
cluster-robust inference use is in the count and the mean of the outcome per cluster x treat x post cell: the
cluster's ``X_g'X_g`` is made of its four counts, and its scores ``X_g'e_g`` of ``n (mean - fitted)`` per cell (the
fitted value of a cell is its pooled mean). A country's DiD can then be computed from these cells gathered region by
region (clusters lie within regions), never from a frame of every person-period: :func:`did_from_cells` gives the
rows ``did`` gives on the rows the cells summarise, up to rounding (the sums are formed in another order; tested to
1e-10 against ``did``, itself checked against R clubSandwich).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja_research.analysis import _ols
from kinerja_research.errors import KinerjaError
from kinerja_research.results import tidy

__all__ = ["did_from_cells", "cr2_from_sums"]

_METHOD = "DiD OLS, cluster-robust SE (CR2, Satterthwaite df)"


def cr2_from_sums(xtx_inv: np.ndarray, M: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CR2 covariance and Satterthwaite df per coefficient from ``(X'X)^-1``, the clusters' ``X_g'X_g`` (G x k x k)
    and scores ``X_g'e_g`` (G x k): the algebra of ``_ols.Fit._cr2`` and ``Fit.cluster_inference("CR2")``, which
    only ever use these per-cluster pieces and share this code (clubSandwich ``vcovCR(type = "CR2")`` + ``coef_test(Satterthwaite)``)."""
    V, P, Q = _ols.cr2_pieces(xtx_inv, M, s)
    return V, _ols.satterthwaite_df(xtx_inv, P, Q)


def did_from_cells(
    cells: pd.DataFrame, *, treat: str = "trained", n_people: int, alpha: float = 0.05, **extra
) -> pd.DataFrame:
    """``did(rows, dv=..., between=treat, small_sample="CR2")`` from the cells of those rows.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per cluster x treatment x post cell with complete rows: ``cluster`` (any hashable; clusters are the
        distinct values), ``treat`` and ``post`` (bool or 0/1), ``n`` (rows, > 0) and ``mean`` (their mean outcome).
    treat : str
        Name of the treatment term (``"<treat>:post"`` is the DiD effect).
    n_people : int
        Distinct people in the rows (the ``n`` of every row).
    alpha : float
        1 - confidence level.
    **extra
        Columns added to every row (e.g. ``region``).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`~kinerja_research.analysis.training.did`: ``(Intercept)``, ``treat``, ``post``,
        ``treat:post``, with ``n_obs`` the rows and ``n_clusters`` the clusters.

    Raises
    ------
    KinerjaError
        As ``did``: no rows both before and after, fewer than 2 clusters, or a rank-deficient design.
    """
    cl, _ = pd.factorize(cells["cluster"])
    g = int(cl.max()) + 1 if len(cl) else 0
    t = cells["treat"].to_numpy(float)
    p = cells["post"].to_numpy(float)
    n = cells["n"].to_numpy(float)
    mean = cells["mean"].to_numpy(float)
    if not len(p) or p.min() == p.max():
        raise KinerjaError("The rows have no cells both before and after the programme; the rule is two periods.")
    if g < 2:
        raise KinerjaError(f"Cluster-robust standard errors need at least 2 clusters; the data has {g}.")
    x = np.column_stack([np.ones_like(t), t, p, t * p])
    k = 4
    M = np.zeros((g, k, k))
    for i in range(k):
        for j in range(i, k):
            M[:, i, j] = M[:, j, i] = np.bincount(cl, weights=n * x[:, i] * x[:, j], minlength=g)
    xtx = M.sum(axis=0)
    n_obs = int(round(n.sum()))
    names = ["(Intercept)", treat, "post", f"{treat}:post"]
    if n_obs <= k:
        raise KinerjaError(f"The model has {k} coefficients and only {n_obs} complete rows; the rule is more rows.")
    rank = np.linalg.matrix_rank(xtx)
    if rank < k:
        raise KinerjaError(
            f"The design matrix has rank {rank} < {k} columns ({', '.join(names)}); the rule "
            "is no column that is constant or a linear combination of the others."
        )
    xtx_inv = np.linalg.inv(xtx)
    beta = xtx_inv @ (x.T @ (n * mean))
    resid_sum = n * (mean - x @ beta)  # each cell's sum of residuals
    s = np.column_stack([np.bincount(cl, weights=x[:, j] * resid_sum, minlength=g) for j in range(k)])
    V, dfs = cr2_from_sums(xtx_inv, M, s)
    rows = _ols.coef_rows(
        names, beta, V, dfs, alpha, method=_METHOD, n=int(n_people), n_obs=n_obs, n_clusters=g, **extra
    )
    return tidy(rows, extra=["n_clusters"], ci_level=1 - alpha)
