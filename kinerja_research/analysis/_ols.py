"""Ordinary least squares on numpy design matrices, with classic, HC and cluster-robust covariances.

Private engine shared by :mod:`training` and :mod:`rewards`: the design matrix is built directly with numpy
(treatment coding, first level as reference) so that a fit on millions of rows costs a few matrix products; the
cluster-robust "meat" is summed per cluster with :func:`numpy.bincount`, never with a loop over rows or clusters.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research.errors import KinerjaError

__all__: list[str] = []


def is_categorical(s: pd.Series) -> bool:
    return (isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(s)
            or pd.api.types.is_string_dtype(s) or pd.api.types.is_bool_dtype(s))


def levels(s: pd.Series) -> list:
    """Factor levels in R's order: category order, else sorted unique values (False < True)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [c for c in s.cat.categories if (s == c).any()]
    return sorted(pd.unique(s.dropna()).tolist())


def as_binary(s: pd.Series, column: str) -> np.ndarray:
    """A 0/1 float vector from a bool or 0/1 column; anything else raises."""
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    v = pd.to_numeric(s, errors="coerce")
    bad = ~v.isin([0, 1])
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise KinerjaError(f"Column '{column}', row {pos + 1}, value {s.iloc[pos]!r} is not binary; "
                           "the rule is True/False or 0/1.")
    return v.to_numpy(dtype=float)


def design(data: pd.DataFrame, terms: Sequence[str], *, intercept: bool = True) -> tuple[np.ndarray, list[str], dict]:
    """Design matrix of main effects: numeric columns as they are, categorical ones treatment coded.

    Returns the matrix, the column names (R style: ``region_code18.72``, ``trainedTRUE`` for bools) and a map from
    each term to its column positions (for multi-df Wald tests).
    """
    cols, names, where = [], [], {}
    if intercept:
        cols.append(np.ones(len(data)))
        names.append("(Intercept)")
    for t in terms:
        s = data[t]
        start = len(names)
        if is_categorical(s):
            lv = levels(s)
            vals = s.to_numpy()
            for lvl in lv[1:]:
                cols.append((vals == lvl).astype(float))
                names.append(f"{t}{'TRUE' if lvl is True else lvl}")
        else:
            cols.append(pd.to_numeric(s).to_numpy(dtype=float))
            names.append(t)
        where[t] = list(range(start, len(names)))
    X = np.column_stack(cols) if cols else np.empty((len(data), 0))
    return X, names, where


class Fit:
    """An OLS fit: coefficients, residuals and the unscaled covariance ``(X'X)^-1``."""

    def __init__(self, X: np.ndarray, y: np.ndarray, names: Sequence[str]):
        n, k = X.shape
        if n <= k:
            raise KinerjaError(f"The model has {k} coefficients and only {n} complete rows; the rule is more rows "
                               "than coefficients.")
        xtx = X.T @ X
        rank = np.linalg.matrix_rank(xtx)
        if rank < k:
            raise KinerjaError(f"The design matrix has rank {rank} < {k} columns ({', '.join(names)}); the rule "
                               "is no column that is constant or a linear combination of the others.")
        self.X, self.y, self.names = X, y, list(names)
        self.n, self.k = n, k
        self.xtx_inv = np.linalg.inv(xtx)
        self.beta = self.xtx_inv @ (X.T @ y)
        self.resid = y - X @ self.beta
        self.df_resid = n - k
        self.rss = float(self.resid @ self.resid)
        self.sigma2 = self.rss / self.df_resid

    def vcov(self, kind: str = "classic", cluster: np.ndarray | None = None) -> np.ndarray:
        """Covariance of the coefficients.

        ``classic``: sigma² (X'X)⁻¹ (R ``vcov(lm)``). ``HC0``–``HC3``: as R ``sandwich::vcovHC``. ``CR1``: as
        R ``sandwich::vcovCL(type = "HC1", cadjust = TRUE)`` (the defaults for ``lm``), i.e. the cluster sum of
        scores with the factor G/(G-1) · (n-1)/(n-k), Stata's small-sample correction.
        """
        X, e, B = self.X, self.resid, self.xtx_inv
        if kind == "classic":
            return self.sigma2 * B
        if kind in ("HC0", "HC1", "HC2", "HC3"):
            h = np.einsum("ij,jk,ik->i", X, B, X)
            w = e ** 2
            if kind == "HC1":
                w = w * self.n / self.df_resid
            elif kind == "HC2":
                w = w / (1 - h)
            elif kind == "HC3":
                w = w / (1 - h) ** 2
            meat = (X * w[:, None]).T @ X
            return B @ meat @ B
        if kind == "CR1":
            cluster = np.asarray(cluster)
            if np.issubdtype(cluster.dtype, np.integer) and cluster.min() >= 0:
                codes = cluster  # already integer ids (bincount tolerates unused ids; G counts the used ones)
                g = int(np.count_nonzero(np.bincount(codes)))
            else:
                codes, uniq = pd.factorize(cluster, sort=False)
                g = len(uniq)
            if g < 2:
                raise KinerjaError("Cluster-robust standard errors need at least 2 clusters; the data has "
                                   f"{g}.")
            scores = X * e[:, None]
            s = np.column_stack([np.bincount(codes, weights=scores[:, j]) for j in range(self.k)])
            meat = s.T @ s
            adj = g / (g - 1) * (self.n - 1) / self.df_resid
            return adj * (B @ meat @ B)
        raise KinerjaError(f"Covariance type {kind!r} is unknown; the rule is classic, HC0-HC3 or CR1.")


def coef_rows(names: Sequence[str], beta: np.ndarray, V: np.ndarray, df: float | None, alpha: float,
              *, method: str, n: int, keep: Sequence[int] | None = None, **extra) -> list[dict]:
    """One tidy row per coefficient: t (or z when ``df`` is None) test and CI."""
    se = np.sqrt(np.diag(V))
    stat = beta / se
    if df is None:
        q = stats.norm.ppf(1 - alpha / 2)
        p = 2 * stats.norm.sf(np.abs(stat))
    else:
        q = stats.t.ppf(1 - alpha / 2, df)
        p = 2 * stats.t.sf(np.abs(stat), df)
    rows = []
    for i in (range(len(names)) if keep is None else keep):
        rows.append(dict(term=names[i], estimate=float(beta[i]), se=float(se[i]), ci_low=float(beta[i] - q * se[i]),
                         ci_high=float(beta[i] + q * se[i]), statistic=float(stat[i]),
                         df=float(df) if df is not None else np.nan, p=float(p[i]), n=int(n), method=method, **extra))
    return rows


def wald_f(beta: np.ndarray, V: np.ndarray, R: np.ndarray, df2: float) -> tuple[float, int, float]:
    """F = (Rb)' (R V R')⁻¹ (Rb) / q with q = rows of R, p from F(q, df2) (R ``car::linearHypothesis(test="F")``)."""
    R = np.atleast_2d(R)
    rb = R @ beta
    q = R.shape[0]
    f = float(rb @ np.linalg.solve(R @ V @ R.T, rb)) / q
    return f, q, float(stats.f.sf(f, q, df2))


def complete(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Listwise deletion on ``columns`` (the caller reports the rows used as ``n``)."""
    cols = list(dict.fromkeys(c for c in columns if c is not None))
    return data.loc[data[cols].notna().all(axis=1), cols]
