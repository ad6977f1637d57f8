"""Ordinary least squares on numpy design matrices, with classic, HC and cluster-robust covariances.

Private engine shared by :mod:`training`, :mod:`rewards` and :mod:`resistance`: the design matrix is built directly
with numpy (treatment coding, first level as reference) so that a fit on millions of rows costs a few matrix products;
the cluster-robust "meat" is summed per cluster with :func:`numpy.bincount`, never with a loop over rows or clusters.

Cluster-robust inference (:meth:`Fit.cluster_inference`, option ``small_sample``, :data:`SMALL_SAMPLE`): ``"CR2"``
(Bell-McCaffrey bias-reduced covariance, Satterthwaite df per coefficient; R ``clubSandwich``), ``"CR1-G"`` (CR1 =
``sandwich::vcovCL(type = "HC1")`` with df G - 1, Stata) and ``"CR1"`` (CR1 with the residual df, R
``lmtest::coeftest``). CR2 is computed from per-cluster k x k cross-products only (see :meth:`Fit._cr2`); the
Satterthwaite df uses the G x G matrix Omega = diag(u_g'u_g) - T B T' through its trace and Frobenius norm without
forming it, so G can be tens of thousands. Validated against R in ``tests/reference/analyses_cluster.R``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research.errors import KinerjaError

__all__: list[str] = []

#: Small-number-of-clusters corrections for cluster-robust inference (the first is the toolkit's default).
SMALL_SAMPLE = ("CR2", "CR1-G", "CR1")


def cluster_codes(cluster) -> tuple[np.ndarray, int]:
    """Dense integer cluster ids 0..G-1 and G; fewer than 2 clusters raise."""
    cluster = np.asarray(cluster)
    if np.issubdtype(cluster.dtype, np.integer) and cluster.size and cluster.min() >= 0:
        counts = np.bincount(cluster)
        used = counts > 0
        codes = cluster if used.all() else (np.cumsum(used) - 1)[cluster]
        g = int(used.sum())
    else:
        codes, uniq = pd.factorize(cluster, sort=False)
        g = len(uniq)
    if g < 2:
        raise KinerjaError(f"Cluster-robust standard errors need at least 2 clusters; the data has {g}.")
    return np.asarray(codes, dtype=np.intp), g


def is_categorical(s: pd.Series) -> bool:
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(s)
        or pd.api.types.is_string_dtype(s)
        or pd.api.types.is_bool_dtype(s)
    )


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
        raise KinerjaError(
            f"Column '{column}', row {pos + 1}, value {s.iloc[pos]!r} is not binary; the rule is True/False or 0/1."
        )
    return v.to_numpy(dtype=float)


def design(data: pd.DataFrame, terms: Sequence[str], *, intercept: bool = True) -> tuple[np.ndarray, list[str], dict]:
    """Design matrix of main effects: numeric columns as they are, categorical ones treatment coded.

    Returns the matrix, the column names (R style: ``region_code18.72``, ``trainedTRUE`` for bools) and a map from
    each term to its column positions (for multi-df Wald tests). The float64 matrix is allocated once and filled
    column by column (no list of columns stacked into a second n x k copy); a category column's dummies compare its
    integer codes, not its values.
    """
    n = len(data)
    names, where, fill = [], {}, []  # fill: (name, how to make the column)
    if intercept:
        names.append("(Intercept)")
        fill.append(None)
    for t in terms:
        s = data[t]
        start = len(names)
        if is_categorical(s):
            lv = levels(s)
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes = s.cat.codes.to_numpy()
                pos = {c: i for i, c in enumerate(s.cat.categories)}
                for lvl in lv[1:]:
                    fill.append((codes, pos[lvl]))
                    names.append(f"{t}{'TRUE' if lvl is True else lvl}")
            else:
                vals = s.to_numpy()
                for lvl in lv[1:]:
                    fill.append((vals, lvl))
                    names.append(f"{t}{'TRUE' if lvl is True else lvl}")
        else:
            fill.append(s)
            names.append(t)
        where[t] = list(range(start, len(names)))
    X = np.empty((n, len(names)))
    for j, how in enumerate(fill):
        if how is None:
            X[:, j] = 1.0
        elif isinstance(how, tuple):
            X[:, j] = how[0] == how[1]
        else:
            X[:, j] = pd.to_numeric(how).to_numpy(dtype=float)
    return X, names, where


#: Rows per chunk of the cross-products over the design's rows (HC leverage and meat, the Durbin-Watson moments,
#: the centred cross-product): no n x k temporary beside the design itself. One chunk (n at most this) is the
#: unchunked computation; more chunks change only the order of summation (agreement to rounding, ~1e-15 relative).
CHUNK_ROWS = 1 << 16


def chunks(n: int, size: int | None = None):
    """Row slices ``[a, b)`` of at most ``size`` (default :data:`CHUNK_ROWS`) rows covering ``0..n``."""
    size = size or CHUNK_ROWS
    return (slice(a, min(a + size, n)) for a in range(0, max(n, 1), size))


def centred_crossprod(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The column means ``m`` of ``X`` and the centred cross-product ``(X - m)'(X - m)``, a chunk of rows at a time
    (what ``np.cov`` computes on a centred copy of the whole matrix)."""
    m = X.mean(axis=0)
    out = np.zeros((X.shape[1], X.shape[1]))
    for sl in chunks(X.shape[0]):
        c = X[sl] - m
        out += c.T @ c
    return m, out


class Fit:
    """An OLS fit: coefficients, residuals and the unscaled covariance ``(X'X)^-1``."""

    def __init__(self, X: np.ndarray, y: np.ndarray, names: Sequence[str]):
        n, k = X.shape
        if n <= k:
            raise KinerjaError(
                f"The model has {k} coefficients and only {n} complete rows; the rule is more rows than coefficients."
            )
        xtx = X.T @ X
        rank = np.linalg.matrix_rank(xtx)
        if rank < k:
            raise KinerjaError(
                f"The design matrix has rank {rank} < {k} columns ({', '.join(names)}); the rule "
                "is no column that is constant or a linear combination of the others."
            )
        self.X, self.y, self.names = X, y, list(names)
        self.n, self.k = n, k
        self.xtx_inv = np.linalg.inv(xtx)
        self._solve(y)

    def _solve(self, y: np.ndarray) -> None:
        X = self.X
        self.y = y
        self.beta = self.xtx_inv @ (X.T @ y)
        self.resid = y - X @ self.beta
        self.df_resid = self.n - self.k
        self.rss = float(self.resid @ self.resid)
        self.sigma2 = self.rss / self.df_resid

    def refit(self, y: np.ndarray) -> Fit:
        """The fit of another outcome on the same design, reusing its ``(X'X)^-1`` (the same numbers as
        ``Fit(X, y, names)``, which would compute the same cross-product and inverse again)."""
        new = object.__new__(Fit)
        new.X, new.names, new.n, new.k, new.xtx_inv = self.X, self.names, self.n, self.k, self.xtx_inv
        new._solve(y)
        return new

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
            # per-row leverage h_i = x_i' B x_i and the meat X' diag(w) X a chunk of rows at a time
            meat = np.zeros((self.k, self.k))
            for sl in chunks(self.n):
                Xc = X[sl]
                w = e[sl] ** 2
                if kind == "HC1":
                    w = w * self.n / self.df_resid
                elif kind in ("HC2", "HC3"):
                    h = np.einsum("ij,jk,ik->i", Xc, B, Xc)
                    w = w / (1 - h) if kind == "HC2" else w / (1 - h) ** 2
                meat += (Xc * w[:, None]).T @ Xc
            return B @ meat @ B
        if kind == "CR1":
            codes, g = cluster_codes(cluster)
            s = self._cluster_scores(codes, g)
            adj = g / (g - 1) * (self.n - 1) / self.df_resid
            return adj * (B @ (s.T @ s) @ B)
        if kind == "CR2":
            return self._cr2(*cluster_codes(cluster))[0]
        raise KinerjaError(f"Covariance type {kind!r} is unknown; the rule is classic, HC0-HC3, CR1 or CR2.")

    def _cluster_scores(self, codes: np.ndarray, g: int) -> np.ndarray:
        """Per-cluster score sums X_g' e_g (G x k), by ``numpy.bincount``."""
        scores = self.X * self.resid[:, None]
        return np.column_stack([np.bincount(codes, weights=scores[:, j], minlength=g) for j in range(self.k)])

    def _cr2(self, codes: np.ndarray, g: int):
        """CR2 (Bell-McCaffrey bias-reduced linearisation) covariance and the pieces of its Satterthwaite df.

        With H_gg = X_g B X_g' (B = (X'X)⁻¹, B = L L' Cholesky) and S_g = L' M_g L (M_g = X_g'X_g), every matrix
        function φ(H_gg) = I + X_g L ψ(S_g) L' X_g' with ψ(λ) = (φ(λ) - 1) / λ, so the n_g x n_g adjustment
        A_g = (I - H_gg)^(-1/2) only enters through k x k matrices: X_g'A_g e_g = s_g + M_g L ψ_A(S_g) L' s_g.
        Eigenvalues of I - H_gg equal to 0 (a cluster with leverage 1) get a generalised inverse, as clubSandwich.
        """
        B, k = self.xtx_inv, self.k
        s = self._cluster_scores(codes, g)
        M = np.empty((g, k, k))
        for i in range(k):  # k(k+1)/2 bincounts over rows: loops over columns, not rows or clusters
            for j in range(i, k):
                M[:, i, j] = M[:, j, i] = np.bincount(codes, weights=self.X[:, i] * self.X[:, j], minlength=g)
        return cr2_pieces(B, M, s)

    def cluster_inference(self, cluster: np.ndarray, small_sample: str = "CR2") -> tuple[np.ndarray, np.ndarray, int]:
        """Cluster-robust covariance and the t reference df of each coefficient.

        ``"CR2"``: CR2 covariance, Satterthwaite (Bell-McCaffrey) df per coefficient under a working model of
        independent, homoscedastic errors, as R ``clubSandwich::vcovCR(type = "CR2")`` + ``coef_test(test =
        "Satterthwaite")``. ``"CR1-G"``: CR1 with df G - 1 (Stata; R ``coeftest(fit, vcovCL(fit, type = "HC1"),
        df = G - 1)``). ``"CR1"``: CR1 with the residual df n - k (R ``coeftest(fit, vcovCL(fit))``).
        Returns (V, df per coefficient, G).
        """
        if small_sample not in SMALL_SAMPLE:
            raise KinerjaError(
                f"small_sample {small_sample!r} is unknown; the rule is one of {', '.join(SMALL_SAMPLE)}."
            )
        codes, g = cluster_codes(cluster)
        if small_sample == "CR1":
            return self.vcov("CR1", codes), np.full(self.k, float(self.df_resid)), g
        if small_sample == "CR1-G":
            return self.vcov("CR1", codes), np.full(self.k, float(g - 1)), g
        V, P, Q = self._cr2(codes, g)
        df = satterthwaite_df(self.xtx_inv, P, Q)
        return V, df, g


def cr2_pieces(B: np.ndarray, M: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CR2 covariance and the pieces of its Satterthwaite df from ``B = (X'X)^-1``, the clusters' ``M_g = X_g'X_g``
    (G x k x k) and scores ``s_g = X_g'e_g`` (G x k): everything CR2 needs (see ``Fit._cr2``), so a fit gathered
    from per-cluster sums (e.g. :mod:`kinerja_research.analysis.did_cells`) gets the same algebra.

    Returns ``V`` (k x k), ``P = X_g' A_g X_g`` and ``Q = X_g' A_g^2 X_g`` (G x k x k each).
    """
    L = np.linalg.cholesky(B)
    lam, vec = np.linalg.eigh(L.T @ M @ L)
    lam = np.clip(lam, 0.0, None)
    one = 1.0 - lam
    ok = one > 1e-10
    r = np.sqrt(np.where(ok, one, 1.0))
    with np.errstate(divide="ignore"):
        psi_a = np.where(ok, 1.0 / (r * (1.0 + r)), -1.0 / np.where(lam > 0, lam, 1.0))
        psi_a2 = np.where(ok, 1.0 / np.where(ok, one, 1.0), -1.0 / np.where(lam > 0, lam, 1.0))
    vt = np.swapaxes(vec, 1, 2)
    FA = L @ ((vec * psi_a[:, None, :]) @ vt) @ L.T
    FA2 = L @ ((vec * psi_a2[:, None, :]) @ vt) @ L.T
    adj = s + np.einsum("gij,gj->gi", M, np.einsum("gij,gj->gi", FA, s))
    V = B @ (adj.T @ adj) @ B
    P = M + M @ FA @ M  # X_g' A_g X_g
    Q = M + M @ FA2 @ M  # X_g' A_g² X_g
    return V, P, Q


def satterthwaite_df(B: np.ndarray, P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Satterthwaite (Bell-McCaffrey) df of each coefficient of a CR2 fit from :func:`cr2_pieces`' ``P`` and ``Q``,
    under a working model of independent, homoscedastic errors (clubSandwich ``coef_test(test = "Satterthwaite")``)."""
    k = B.shape[0]
    df = np.empty(k)
    for j in range(k):  # per coefficient (columns), O(G k²) each
        b = B[:, j]
        t = P @ b  # G x k: X_g' u_g
        d = np.einsum("i,gij,j->g", b, Q, b)  # u_g' u_g
        tbt = np.einsum("gi,ij,gj->g", t, B, t)
        btt = B @ (t.T @ t)
        # Omega = diag(d) - T B T' (G x G, never formed): df = tr(Omega)² / ||Omega||_F²
        tr = d.sum() - tbt.sum()
        fro = (d**2).sum() - 2 * (d * tbt).sum() + np.trace(btt @ btt)
        df[j] = tr**2 / fro
    return df


def coef_rows(
    names: Sequence[str],
    beta: np.ndarray,
    V: np.ndarray,
    df,
    alpha: float,
    *,
    method: str,
    n: int,
    keep: Sequence[int] | None = None,
    **extra,
) -> list[dict]:
    """One tidy row per coefficient: t (or z when ``df`` is None) test and CI; ``df`` a number or one per coefficient."""
    se = np.sqrt(np.diag(V))
    stat = beta / se
    if df is None:
        q = np.full(len(beta), stats.norm.ppf(1 - alpha / 2))
        p = 2 * stats.norm.sf(np.abs(stat))
        dfa = np.full(len(beta), np.nan)
    else:
        dfa = np.broadcast_to(np.asarray(df, dtype=float), np.shape(beta))
        q = stats.t.ppf(1 - alpha / 2, dfa)
        p = 2 * stats.t.sf(np.abs(stat), dfa)
    rows = []
    for i in range(len(names)) if keep is None else keep:
        rows.append(
            dict(
                term=names[i],
                estimate=float(beta[i]),
                se=float(se[i]),
                ci_low=float(beta[i] - q[i] * se[i]),
                ci_high=float(beta[i] + q[i] * se[i]),
                statistic=float(stat[i]),
                df=float(dfa[i]),
                p=float(p[i]),
                n=int(n),
                method=method,
                **extra,
            )
        )
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
