"""General linear mixed model: random intercepts and slopes, nested and crossed factors, REML or ML, Satterthwaite
degrees of freedom (as lmerTest) and profile-likelihood intervals of the variance parameters (as lme4).

The engine is lme4's formulation (Bates et al. 2015, "Fitting linear mixed-effects models using lme4", JSS 67(1)):
random effects b = Λ(θ) u with u ~ N(0, σ² I), the fixed effects and σ profiled out of the penalised least squares
problem, and the (restricted) deviance minimised over θ only. Own code rather than statsmodels ``MixedLM`` because
MixedLM fits crossed factors only through one all-encompassing group with dense variance-component blocks, does not
report lme4's REML criterion, and has no Satterthwaite df; the numbers here match lme4/lmerTest (tests and
``tests/reference/analyses_lmm.R``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
from scipy import linalg, optimize, sparse, stats
from scipy.linalg import lapack
from scipy.sparse import linalg as splinalg
from threadpoolctl import threadpool_limits

from kinerja_research._docs import fill_doc
from kinerja_research.errors import KinerjaError
from kinerja_research.results import check_alpha, check_choice, check_columns, tidy

__all__ = ["lmm", "LMMResult"]

DF_METHODS = ("satterthwaite", "wald")
_DENSE_MAX = 120  # random-effect columns up to which the dense Cholesky is faster than the sparse LU
#: Which engine fits: "auto" (closed form for random intercepts of nested factors, else the general algebra),
#: "general" (always the sparse/dense algebra with numerical derivatives; tests and bench/lmm_bench.py compare them)
_ENGINE = "auto"


class LMMResult(pd.DataFrame):
    """The fixed effects and variance parameters of :func:`lmm`, with the model fit as ``.fit``."""

    _metadata = ["fit"]

    @property
    def _constructor(self):
        return LMMResult


@dataclass
class _Term:
    label: str  # e.g. "Subject", "agency:person_id", or a variance component name
    group: str  # the grouping factor shown in the result
    Z: sparse.csc_matrix  # n x (levels * k)
    X_re: np.ndarray | None  # n x k design of a correlated term (None for a variance component)
    rows: np.ndarray | None  # row -> level of a correlated term
    k: int
    names: list[str]
    n_levels: int
    vc: bool  # variance component: one variance shared by all its columns

    @property
    def n_theta(self) -> int:
        return 1 if self.vc else self.k * (self.k + 1) // 2


def _r_name(name: str) -> str:
    """patsy column names as R writes them: ``Intercept`` -> ``(Intercept)``, ``Sex[T.Male]`` -> ``SexMale``."""
    if name == "Intercept":
        return "(Intercept)"
    name = re.sub(r"C\(([^,)]+)[^)]*\)", r"\1", name)
    return re.sub(r"\[T\.([^\]]+)\]", r"\1", name).replace("Q('", "").replace("')", "")


def _codes(data: pd.DataFrame, spec: str) -> tuple[np.ndarray, int]:
    """Level codes of a grouping factor: a column, or ``a:b`` the combination of columns."""
    cols = spec.split(":")
    check_columns(data, cols)
    if len(cols) == 1:
        codes, lv = pd.factorize(data[cols[0]], sort=True)
        return codes, len(lv)
    codes = data.groupby(cols, sort=True, observed=True).ngroup().to_numpy()
    return codes, int(codes.max()) + 1


def _re_design(data: pd.DataFrame, formula: str) -> tuple[np.ndarray, list[str]]:
    f = formula.strip().lstrip("~").strip() or "1"
    dm = patsy.dmatrix(f, data, return_type="dataframe", NA_action="raise")
    return dm.to_numpy(float), [_r_name(c) for c in dm.columns]


def _build_terms(data, groups, re_formula, vc_formula) -> list[_Term]:
    n = len(data)
    terms: list[_Term] = []
    for g in groups:
        f = re_formula.get(g, "1") if isinstance(re_formula, Mapping) else (re_formula or "1")
        X_re, names = _re_design(data, f)
        codes, nl = _codes(data, g)
        k = X_re.shape[1]
        cols = (codes[:, None] * k + np.arange(k)[None, :]).ravel()
        Z = sparse.csc_matrix((X_re.ravel(), (np.repeat(np.arange(n), k), cols)), shape=(n, nl * k))
        terms.append(_Term(g, g, Z, X_re, codes, k, names, nl, False))
    for name, f in (vc_formula or {}).items():
        g = groups[0]
        gcodes, _ = _codes(data, g)
        m = re.fullmatch(r"\s*0\s*\+\s*C\((\w+)\)\s*", f)
        if m:  # one random intercept per level of a column within each group: lme4's (1 | group:column)
            check_columns(data, [m.group(1)])
            codes, nl = _codes(data, f"{g}:{m.group(1)}")
            Z = sparse.csc_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, nl))
            terms.append(_Term(name, f"{g}:{m.group(1)}", Z, None, None, 1, ["(Intercept)"], nl, True))
            continue
        D, dnames = _re_design(data, f)
        if "(Intercept)" in dnames:
            raise KinerjaError(
                f"vc_formula '{name}': '{f}' has an intercept; the rule is a formula without one ('0 + x' or "
                "'0 + C(x)'), as statsmodels."
            )
        ng = int(gcodes.max()) + 1
        r, c = np.nonzero(D)
        Z = sparse.csc_matrix((D[r, c], (r, gcodes[r] * D.shape[1] + c)), shape=(n, ng * D.shape[1]))
        used = np.asarray((Z != 0).sum(axis=0)).ravel() > 0
        Z = Z[:, used]
        terms.append(_Term(name, g, Z.tocsc(), None, None, 1, dnames, int(used.sum()), True))
    return terms


def _gls_pieces(S: np.ndarray, p: int) -> tuple[float, np.ndarray, float, np.ndarray]:
    """From the Schur complement ``S`` of the augmented system ([X y]' V⁻¹ [X y], up to sigma²): log|X'V⁻¹X|, the
    GLS coefficients, the penalised residual sum of squares and X'V⁻¹X itself (both engines share this step)."""
    Sxx = S[:p, :p]
    cf, info = lapack.dpotrf(Sxx, lower=1, clean=1)
    if info != 0:
        raise linalg.LinAlgError("X'V⁻¹X is not positive definite")
    beta = lapack.dpotrs(cf, S[:p, p], lower=1)[0]
    pwrss = float(S[p, p] - S[p, :p] @ beta)
    return 2.0 * np.log(np.diag(cf)).sum(), beta, pwrss, Sxx


class _Model:
    """The profiled (restricted) deviance of lme4 for a fixed design, as a function of θ (and of (θ, σ))."""

    def __init__(self, X: np.ndarray, y: np.ndarray, terms: list[_Term], reml: bool):
        self.X, self.y, self.terms, self.reml = X, y, terms, reml
        self.n, self.p = X.shape
        Z = sparse.hstack([t.Z for t in terms]).tocsc()
        self.q = Z.shape[1]
        Xy = np.column_stack([X, y])
        self.ZtZ = (Z.T @ Z).tocsc()
        self.ZtXy = np.asarray(Z.T @ Xy)
        self.XyXy = Xy.T @ Xy
        self.dense = self.q <= _DENSE_MAX
        self._ZtZ_dense = self.ZtZ.toarray() if self.dense else None
        # Λ is block diagonal: per term, I_levels ⊗ T (k x k lower triangular); its sparsity is fixed
        rows, cols, self._slot = [], [], []
        off, th = 0, 0
        for t in terms:
            k = t.k
            if t.vc:
                idx = off + np.arange(t.n_levels * k)
                rows.append(idx)
                cols.append(idx)
                self._slot.append(np.full(idx.size, th))
            else:
                tri = [(i, j) for j in range(k) for i in range(j, k)]  # column-major lower triangle (lme4's θ order)
                base = off + np.arange(t.n_levels)[:, None] * k
                for s, (i, j) in enumerate(tri):
                    rows.append((base + i).ravel())
                    cols.append((base + j).ravel())
                    self._slot.append(np.full(t.n_levels, th + s))
            off += t.n_levels * k
            th += t.n_theta
        self._rows, self._cols = np.concatenate(rows), np.concatenate(cols)
        self._slot = np.concatenate(self._slot)
        self.n_theta = th
        lower = []
        for t in terms:
            if t.vc:
                lower.append(0.0)
            else:
                lower += [0.0 if i == j else -np.inf for j in range(t.k) for i in range(j, t.k)]
        self.lower = np.array(lower)
        self.theta0 = np.where(np.isfinite(self.lower), 1.0, 0.0)  # lme4's start: identity

    def _lambda(self, theta: np.ndarray):
        return sparse.csc_matrix((theta[self._slot], (self._rows, self._cols)), shape=(self.q, self.q))

    def solve(self, theta: np.ndarray):
        """(log det of Λ'Z'ZΛ + I, Schur complement S of [X y], Λ) at θ."""
        if self.dense:  # small q: dense products (scipy.sparse's per-call overhead dominates at this size)
            L = np.zeros((self.q, self.q))
            L[self._rows, self._cols] = theta[self._slot]
            B = L.T @ self.ZtXy
            M = L.T @ self._ZtZ_dense @ L
            M[np.diag_indices_from(M)] += 1.0
            c, info = lapack.dpotrf(M, lower=1, clean=0)
            if info != 0:
                raise linalg.LinAlgError("Λ'Z'ZΛ + I is not positive definite")
            logdet = 2.0 * np.log(np.diag(c)).sum()
            MiB = lapack.dpotrs(c, B, lower=1)[0]
        else:
            L = self._lambda(theta)
            B = L.T @ self.ZtXy
            M = (L.T @ self.ZtZ @ L + sparse.identity(self.q, format="csc")).tocsc()
            lu = splinalg.splu(M, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
            logdet = float(np.log(np.abs(lu.U.diagonal())).sum())
            MiB = lu.solve(np.asarray(B))
        S = self.XyXy - B.T @ MiB
        return logdet, S, L, MiB

    def pieces(self, theta):
        logdet, S, _, _ = self.solve(theta)
        return (logdet, *_gls_pieces(S, self.p))

    def deviance(self, theta: np.ndarray) -> float:
        """lme4's profiled deviance (ML) or REML criterion at θ."""
        try:
            logdet, logdet_x, _, pwrss, _ = self.pieces(np.asarray(theta, float))
        except (linalg.LinAlgError, RuntimeError, ValueError):
            return np.inf
        if self.reml:
            m = self.n - self.p
            return float(logdet + logdet_x + m * (1 + np.log(2 * np.pi * pwrss / m)))
        return float(logdet + self.n * (1 + np.log(2 * np.pi * pwrss / self.n)))

    def deviance_vp(self, varpar: np.ndarray) -> float:
        """Deviance as a function of (θ, σ), σ not profiled (lmerTest's ``devfun_vp``)."""
        theta, sigma = varpar[:-1], varpar[-1]
        logdet, logdet_x, _, pwrss, _ = self.pieces(theta)
        s2 = sigma * sigma
        dev = logdet + pwrss / s2 + self.n * np.log(2 * np.pi * s2)
        if self.reml:
            dev += logdet_x - self.p * np.log(2 * np.pi * s2)
        return float(dev)

    def covbeta(self, varpar: np.ndarray) -> np.ndarray:
        """σ² (X'V⁻¹X)⁻¹ at (θ, σ) (lmerTest's ``get_covbeta``)."""
        _, _, _, _, Sxx = self.pieces(varpar[:-1])
        return varpar[-1] ** 2 * np.linalg.inv(Sxx)

    def sigma(self, theta) -> float:
        _, _, _, pwrss, _ = self.pieces(theta)
        return float(np.sqrt(pwrss / (self.n - self.p if self.reml else self.n)))

    def fit(self) -> tuple[np.ndarray, float]:
        """θ minimising the criterion: L-BFGS-B from lme4's start (identity), central-difference gradients,
        restarted from its own solution until the criterion stops improving (diagonal elements bounded at 0)."""
        bounds = [(lo if np.isfinite(lo) else None, None) for lo in self.lower]
        x, fun = self.theta0.copy(), np.inf
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(6):
                res = optimize.minimize(
                    self.deviance,
                    x,
                    method="L-BFGS-B",
                    bounds=bounds,
                    jac=lambda th: _grad(self.deviance, th, self.lower),
                    options=dict(ftol=1e-15, gtol=1e-9, maxiter=5000, maxcor=20),
                )
                improved = fun - res.fun
                x, fun = res.x, res.fun
                if improved < 1e-10:
                    break
        theta = np.where(np.isfinite(self.lower) & (x < 1e-7), 0.0, x)  # exact zero at the boundary
        if self.deviance(theta) > fun + 1e-9:
            theta = x
        return theta, self.deviance(theta)


def _nested_levels(terms: list[_Term], n: int) -> tuple[np.ndarray, np.ndarray | None, list[int]] | None:
    """When every term is one random intercept (a 0/1 column per level) and there is one term, or two of which one is
    nested in the other (each level of the inner factor inside one level of the outer): ``(inner codes per row,
    outer code per inner level or None, [θ index of the inner term, θ index of the outer term])``; else None."""
    if not 1 <= len(terms) <= 2 or any(t.k != 1 for t in terms):
        return None
    codes = []
    for t in terms:
        Z = t.Z.tocsr()
        if Z.nnz != n or not np.array_equal(Z.indptr, np.arange(n + 1)) or not np.all(Z.data == 1.0):
            return None
        codes.append(Z.indices.astype(np.int64))
    if len(terms) == 1:
        return codes[0], None, [0]
    for inner, outer in ((1, 0), (0, 1)):
        ci, co = codes[inner], codes[outer]
        nl = terms[inner].n_levels
        up = np.full(nl, -1, dtype=np.int64)
        up[ci] = co
        if np.array_equal(up[ci], co) and np.all(up >= 0):  # every inner level in exactly one outer level
            return ci, up, [inner, outer]
    return None


class _NestedModel(_Model):
    """:class:`_Model` for random intercepts of one factor, or of two nested factors, in closed form.

    Λ'Z'ZΛ + I is then diagonal in the inner levels with one coupling per outer level, so V = σ²(I + ZΛΛ'Z') is
    inverted per group by the Sherman-Morrison formula: with φ = θ² of the inner (p) and outer (a) factor, n_i the rows
    of inner level i, s_i the sums of [X y] over its rows, a_i = 1 / (1 + φ_p n_i), m_g = Σ_{i∈g} n_i a_i and t_g =
    Σ_{i∈g} a_i s_i over the inner levels of outer level g,

        [X y]' (I + ZΛΛ'Z')⁻¹ [X y] = [X y]'[X y] - Σ_i φ_p a_i s_i s_i' - Σ_g φ_a / (1 + φ_a m_g) t_g t_g'
        log|Λ'Z'ZΛ + I| = Σ_i log(1 + φ_p n_i) + Σ_g log(1 + φ_a m_g)

    (matrix determinant lemma and Woodbury: the same Schur complement and log-determinant as the sparse solve). Their
    first and second derivatives in φ are sums of the same per-group terms, so the criterion's gradient, the Hessian
    of the deviance in (θ, σ) and the derivative of Var(β̂) (Satterthwaite) are exact, not numerical."""

    def __init__(self, X, y, terms, reml, levels):
        self.X, self.y, self.terms, self.reml = X, y, terms, reml
        self.n, self.p = X.shape
        self.q = sum(t.n_levels for t in terms)
        ci, up, self._idx = levels
        W = np.column_stack([X, y])
        self.WtW = W.T @ W
        nl = terms[self._idx[0]].n_levels
        self.ni = np.bincount(ci, minlength=nl).astype(float)
        self.s = np.column_stack([np.bincount(ci, weights=W[:, j], minlength=nl) for j in range(W.shape[1])])
        self.up = up
        self.n_outer = terms[self._idx[1]].n_levels if up is not None else 0
        if up is not None:  # outer level x inner level indicator: sums over the inner levels of each outer level
            self._G = sparse.csr_matrix((np.ones(nl), (up, np.arange(nl))), shape=(self.n_outer, nl))
        self.n_theta = len(terms)
        self.lower = np.zeros(self.n_theta)
        self.theta0 = np.ones(self.n_theta)

    def _outer_sum(self, w: np.ndarray) -> np.ndarray:
        """Σ over the inner levels of each outer level of w (a vector, or rows of a matrix)."""
        return self._G @ w

    def sums(self, theta: np.ndarray, order: int = 0, phi: bool = False):
        """(log|Λ'Z'ZΛ + I|, S) at θ, with their derivatives in θ (in φ = θ² when ``phi``) when ``order`` is 1 or 2:
        ``(ld, S, g, Sg, h, Sh)``, g[k] and Sg[k] the first derivatives, h[k, l] and Sh[k][l] the second (None below
        the order)."""
        theta = np.asarray(theta, float)
        ip = self._idx[0]
        fp = theta[ip] ** 2
        n, s = self.ni, self.s
        a = 1.0 / (1.0 + fp * n)
        ld = float(np.log1p(fp * n).sum())
        S = self.WtW - s.T @ ((fp * a)[:, None] * s)
        nt = self.n_theta
        gphi = np.zeros(nt)
        hphi = np.zeros((nt, nt))
        Sphi = [None] * nt
        Shphi = [[None] * nt for _ in range(nt)]
        if order >= 1:
            a2 = a * a
            gphi[ip] = float((n * a).sum())
            Sphi[ip] = -(s.T @ (a2[:, None] * s))
            if order >= 2:
                hphi[ip, ip] = -float((n * n * a2).sum())
                Shphi[ip][ip] = s.T @ ((2 * n * a2 * a)[:, None] * s)
        if self.up is not None:
            io = self._idx[1]
            fa = theta[io] ** 2
            m = self._outer_sum(n * a)
            t = self._outer_sum(a[:, None] * s)
            den = 1.0 + fa * m
            d = fa / den
            ld += float(np.log(den).sum())
            S -= t.T @ (d[:, None] * t)
            if order >= 1:
                ap = -n * a * a  # ∂a/∂φ_p
                mp = self._outer_sum(n * ap)
                tp = self._outer_sum(ap[:, None] * s)
                d_m = -fa * fa / den**2
                d_f = 1.0 / den**2
                gphi[ip] += float((fa * mp / den).sum())
                gphi[io] = float((m / den).sum())
                cross = tp.T @ (d[:, None] * t)
                Sphi[ip] -= t.T @ ((d_m * mp)[:, None] * t) + cross + cross.T
                Sphi[io] = -(t.T @ (d_f[:, None] * t))
                if order >= 2:
                    app = 2 * n * n * a**3
                    mpp = self._outer_sum(n * app)
                    tpp = self._outer_sum(app[:, None] * s)
                    d_mm = 2 * fa**3 / den**3
                    d_ff = -2 * m / den**3
                    d_fm = -2 * fa / den**3
                    hphi[ip, ip] += float((fa * mpp / den - (fa * mp / den) ** 2).sum())
                    hphi[io, io] = -float(((m / den) ** 2).sum())
                    hphi[ip, io] = hphi[io, ip] = float((mp / den**2).sum())
                    c1 = tp.T @ ((2 * d_m * mp)[:, None] * t)
                    c2 = tpp.T @ (d[:, None] * t)
                    Fpp = t.T @ ((d_mm * mp**2 + d_m * mpp)[:, None] * t) + c1 + c1.T + c2 + c2.T
                    Fpp += 2 * tp.T @ (d[:, None] * tp)
                    Shphi[ip][ip] = Shphi[ip][ip] - Fpp
                    Shphi[io][io] = -(t.T @ (d_ff[:, None] * t))
                    c3 = tp.T @ (d_f[:, None] * t)
                    Shphi[ip][io] = Shphi[io][ip] = -(t.T @ ((d_fm * mp)[:, None] * t) + c3 + c3.T)
        if order == 0:
            return ld, S, None, None, None, None
        if phi:
            return ld, S, gphi, Sphi, (hphi if order >= 2 else None), (Shphi if order >= 2 else None)
        # chain rule φ = θ²: ∂/∂θ = 2θ ∂/∂φ, ∂²/∂θk∂θl = 4θkθl ∂²/∂φk∂φl + δkl 2 ∂/∂φk
        g = 2 * theta * gphi
        Sg = [2 * theta[k] * Sphi[k] for k in range(nt)]
        if order < 2:
            return ld, S, g, Sg, None, None
        h = 4 * np.outer(theta, theta) * hphi + np.diag(2 * gphi)
        Sh = [
            [4 * theta[k] * theta[j] * Shphi[k][j] + (2 * Sphi[k] if k == j else 0) for j in range(nt)]
            for k in range(nt)
        ]
        return ld, S, g, Sg, h, Sh

    def pieces(self, theta):
        ld, S, *_ = self.sums(theta)
        return self._pieces_of(ld, S)

    def _pieces_of(self, ld, S):
        return (ld, *_gls_pieces(S, self.p))

    def _derivs(self, theta, order, phi=False):
        """Pieces of the criteria and the first (and second) derivatives in θ (or φ = θ²) of log|L|², log|R_X|² and
        r²."""
        ld, S, g, Sg, h, Sh = self.sums(theta, order, phi)
        ld, ldx, beta, pwrss, Sxx = self._pieces_of(ld, S)
        p, nt = self.p, self.n_theta
        Si = np.linalg.inv(Sxx)
        u = np.append(-beta, 1.0)
        gx = np.array([np.sum(Si * Sg[k][:p, :p]) for k in range(nt)])  # tr(Sxx⁻¹ ∂Sxx)
        gr = np.array([u @ Sg[k] @ u for k in range(nt)])  # envelope: ∂r² = u'∂S u
        out = dict(ld=ld, ldx=ldx, beta=beta, pwrss=pwrss, Sxx=Sxx, Si=Si, gld=g, gx=gx, gr=gr, Sg=Sg)
        if order >= 2:
            A = [Si @ Sg[k][:p, :p] for k in range(nt)]
            v = [Sg[k][:p] @ u for k in range(nt)]
            hx, hr = np.zeros((nt, nt)), np.zeros((nt, nt))
            for k in range(nt):
                for j in range(nt):
                    hx[k, j] = np.sum(Si * Sh[k][j][:p, :p]) - np.sum(A[k] * A[j].T)
                    hr[k, j] = u @ Sh[k][j] @ u - 2 * v[k] @ Si @ v[j]
            out.update(hld=h, hx=hx, hr=hr)
        return out

    def deviance_grad(self, theta, phi=False):
        """The criterion and its exact gradient in θ (in φ = θ² when ``phi``: then ``theta`` is φ); inf and zeros
        where the system is not positive definite."""
        try:
            theta = np.asarray(theta, float)
            d = self._derivs(np.sqrt(np.maximum(theta, 0.0)) if phi else theta, 1, phi)
        except (linalg.LinAlgError, np.linalg.LinAlgError, ValueError):
            return np.inf, np.zeros(self.n_theta)
        m = self.n - self.p if self.reml else self.n
        dev = d["ld"] + m * (1 + np.log(2 * np.pi * d["pwrss"] / m))
        grad = d["gld"] + m * d["gr"] / d["pwrss"]
        if self.reml:
            dev += d["ldx"]
            grad = grad + d["gx"]
        return float(dev), grad

    def criterion_derivs(self, theta):
        """The criterion, its gradient and its Hessian in θ, exact."""
        d = self._derivs(np.asarray(theta, float), 2)
        m = self.n - self.p if self.reml else self.n
        r2 = d["pwrss"]
        dev = d["ld"] + m * (1 + np.log(2 * np.pi * r2 / m))
        grad = d["gld"] + m * d["gr"] / r2
        hess = d["hld"] + m * (d["hr"] / r2 - np.outer(d["gr"], d["gr"]) / r2**2)
        if self.reml:
            dev, grad, hess = dev + d["ldx"], grad + d["gx"], hess + d["hx"]
        return float(dev), grad, hess

    def _polish(self, theta):
        """Newton steps on the exact gradient from L-BFGS-B's solution, over the θ off the boundary, while the
        gradient shrinks: the optimum to rounding, not to the criterion's flatness (a difference of 1e-12 in the
        criterion moves θ by about 1e-7)."""
        try:
            _, g, H = self.criterion_derivs(theta)
        except (linalg.LinAlgError, np.linalg.LinAlgError, ValueError):
            return theta
        for _ in range(8):
            free = theta > 0
            if not free.any():
                break
            gn = np.abs(g[free]).max()
            try:
                step = np.linalg.solve(H[np.ix_(free, free)], -g[free])
            except np.linalg.LinAlgError:
                break
            cand = theta.copy()
            cand[free] += step
            if np.any(cand[free] <= 0):
                break
            try:
                _, g2, H2 = self.criterion_derivs(cand)
            except (linalg.LinAlgError, np.linalg.LinAlgError, ValueError):
                break
            if not np.abs(g2[free]).max() < gn:
                break
            theta, g, H = cand, g2, H2
            if np.abs(step).max() <= 1e-15 * (1 + np.abs(theta).max()):
                break
        return theta

    def fit(self) -> tuple[np.ndarray, float]:
        """θ minimising the criterion: L-BFGS-B with the exact gradient from lme4's start, restarted from its own
        solution until the criterion stops improving, as :meth:`_Model.fit`, then Newton steps (:meth:`_polish`).
        The search is over φ = θ² ≥ 0: in θ the criterion is even, so θ = 0 is always a stationary point that an
        exact gradient cannot leave (the general engine's one-sided difference at the bound does)."""
        bounds = [(0.0, None)] * self.n_theta
        x, fun = self.theta0.copy() ** 2, np.inf
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(6):
                res = optimize.minimize(
                    self.deviance_grad,
                    x,
                    args=(True,),
                    method="L-BFGS-B",
                    jac=True,
                    bounds=bounds,
                    options=dict(ftol=1e-15, gtol=1e-10, maxiter=5000, maxcor=20),
                )
                improved = fun - res.fun
                x, fun = res.x, res.fun
                if improved < 1e-10:
                    break
        x = np.sqrt(np.maximum(x, 0.0))
        theta = np.where(x < 1e-7, 0.0, x)  # exact zero at the boundary
        if self.deviance(theta) > fun + 1e-9:
            theta = x
        theta = self._polish(theta)
        return theta, self.deviance(theta)

    def satterthwaite_parts(self, varpar):
        """(Hessian of the deviance in (θ, σ), Jacobian of Var(β̂) = σ²(X'V⁻¹X)⁻¹ in (θ, σ) as p x p x (θ, σ)),
        both exact: what :func:`_richardson_hessian` and :func:`_richardson_jacobian` approximate."""
        theta, sigma = np.asarray(varpar[:-1], float), float(varpar[-1])
        d = self._derivs(theta, 2)
        nt, p = self.n_theta, self.p
        s2 = sigma * sigma
        H = np.zeros((nt + 1, nt + 1))
        H[:nt, :nt] = d["hld"] + d["hr"] / s2 + (d["hx"] if self.reml else 0.0)
        H[:nt, nt] = H[nt, :nt] = -2 * d["gr"] / sigma**3
        H[nt, nt] = 6 * d["pwrss"] / sigma**4 - 2 * (self.n - (self.p if self.reml else 0)) / s2
        Si = d["Si"]
        J = np.empty((p, p, nt + 1))
        for k in range(nt):
            J[:, :, k] = -s2 * Si @ d["Sg"][k][:p, :p] @ Si
        J[:, :, nt] = 2 * sigma * Si
        return H, J


def _grad(f, x, lower, h=1e-6):
    """Central-difference gradient, one-sided at a lower bound."""
    g = np.empty(x.size)
    f0 = None
    for i in range(x.size):
        e = np.zeros(x.size)
        step = h * max(1.0, abs(x[i]))
        e[i] = step
        if np.isfinite(lower[i]) and x[i] - step < lower[i]:
            f0 = f(x) if f0 is None else f0
            g[i] = (f(x + e) - f0) / step
        else:
            g[i] = (f(x + e) - f(x - e)) / (2 * step)
    return g


def _richardson_hessian(f, x, d=0.1, r=4):
    """Hessian by central differences with Richardson extrapolation (numDeriv's ``hessian``: first step d·|x|, or
    1e-4 at 0, halved r - 1 times)."""
    n = x.size
    h0 = np.where(np.abs(x) > 1e-8, d * np.abs(x), 1e-4)
    f0 = f(x)
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ests = []
            for m in range(r):
                hi, hj = h0[i] / 2**m, h0[j] / 2**m
                ei, ej = np.zeros(n), np.zeros(n)
                ei[i], ej[j] = hi, hj
                if i == j:
                    ests.append((f(x + ei) - 2 * f0 + f(x - ei)) / hi**2)
                else:
                    ests.append((f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * hi * hj))
            ests = np.array(ests)
            for k in range(1, r):  # error O(h²): combine halvings
                ests = (4**k * ests[1:] - ests[:-1]) / (4**k - 1)
            H[i, j] = H[j, i] = ests[0]
    return H


def _richardson_jacobian(f, x, d=1e-4, r=4):
    """Jacobian of a matrix-valued f (flattened) by Richardson-extrapolated central differences."""
    n = x.size
    h0 = np.where(np.abs(x) > 1e-8, d * np.abs(x), d)
    out = []
    for i in range(n):
        ests = []
        for m in range(r):
            e = np.zeros(n)
            e[i] = h0[i] / 2**m
            ests.append((f(x + e) - f(x - e)).ravel() / (2 * e[i]))
        ests = np.array(ests)
        for k in range(1, r):
            ests = (4**k * ests[1:] - ests[:-1]) / (4**k - 1)
        out.append(ests[0])
    return np.array(out).T  # (entries, n)


# ----------------------------------------------------------------------------------------- variance parameters
def _vp_names(terms: list[_Term]) -> list[tuple[str, str, str]]:
    """(term label, kind, name) of each variance parameter on lme4's sd/cor scale, in θ order per term."""
    out = []
    for t in terms:
        if t.vc:
            out.append((t.label, "sd", t.names[0] if len(t.names) == 1 else "+".join(t.names)))
            continue
        for j in range(t.k):
            for i in range(j, t.k):
                out.append((t.label, "sd", t.names[i]) if i == j else (t.label, "cor", f"{t.names[j]}, {t.names[i]}"))
    return out


def _theta_to_psi(model: _Model, theta: np.ndarray, sigma: float) -> np.ndarray:
    """θ, σ -> (sd and cor per term, σ): lme4's ``.sig01 ...`` and ``.sigma``."""
    psi, th = [], 0
    for t in model.terms:
        if t.vc:
            psi.append(sigma * abs(theta[th]))
            th += 1
            continue
        k = t.k
        T = np.zeros((k, k))
        tri = [(i, j) for j in range(k) for i in range(j, k)]
        for s, (i, j) in enumerate(tri):
            T[i, j] = theta[th + s]
        S = sigma**2 * T @ T.T
        sd = np.sqrt(np.diag(S))
        for i, j in tri:
            if i == j:
                psi.append(sd[i])
            else:
                psi.append(S[i, j] / (sd[i] * sd[j]) if sd[i] > 0 and sd[j] > 0 else 0.0)
        th += t.n_theta
    return np.array([*psi, sigma])


def _psi_to_theta(model: _Model, psi: np.ndarray) -> tuple[np.ndarray, float]:
    sigma = psi[-1]
    theta, pos = [], 0
    for t in model.terms:
        if t.vc:
            theta.append(psi[pos] / sigma)
            pos += 1
            continue
        k = t.k
        tri = [(i, j) for j in range(k) for i in range(j, k)]
        vals = psi[pos : pos + len(tri)]
        sd = np.zeros(k)
        C = np.eye(k)
        for s, (i, j) in enumerate(tri):
            if i == j:
                sd[i] = vals[s]
            else:
                C[i, j] = C[j, i] = vals[s]
        S = np.outer(sd, sd) * C / sigma**2
        T, info = lapack.dpotrf(S, lower=1, clean=1)
        if info != 0:  # singular (an sd at 0 or a correlation at ±1): the semi-definite factor, if it is one
            if np.linalg.eigvalsh(S).min() < -1e-12:
                raise ValueError("not positive semi-definite")
            T = _semichol(S)
        theta += [T[i, j] for i, j in tri]
        pos += len(tri)
    return np.array(theta), sigma


def _semichol(S: np.ndarray) -> np.ndarray:
    """Lower-triangular factor of a positive semi-definite matrix (zero pivots allowed)."""
    k = S.shape[0]
    T = np.zeros((k, k))
    for j in range(k):
        d = S[j, j] - T[j, :j] @ T[j, :j]
        T[j, j] = np.sqrt(max(d, 0.0))
        for i in range(j + 1, k):
            T[i, j] = (S[i, j] - T[i, :j] @ T[j, :j]) / T[j, j] if T[j, j] > 0 else 0.0
    return T


def _profile_limits(model: _Model, psi_hat: np.ndarray, kinds: list[str], dev_min: float, z: float):
    """Exact profile-likelihood limits of each variance parameter (sd, cor, σ): the values where
    sign(v - v̂) sqrt(min deviance given v - deviance at the optimum) = ∓z."""

    def dev_psi(psi):
        try:
            theta, sigma = _psi_to_theta(model, psi)
            if sigma <= 0:
                return np.inf
            return model.deviance_vp(np.append(theta, sigma))
        except (ValueError, np.linalg.LinAlgError, linalg.LinAlgError):
            return np.inf

    m = psi_hat.size
    lo_b = np.array([0.0 if k == "sd" else -1.0 for k in kinds] + [1e-12])
    hi_b = np.array([np.inf if k == "sd" else 1.0 for k in kinds] + [np.inf])
    out = np.full((m, 2), np.nan)
    kinds_all = [*kinds, "sd"]
    for j in range(m):
        others = np.delete(np.arange(m), j)
        state = {"x": psi_hat[others].copy()}

        def prof(v, j=j, others=others, state=state, kinds_all=kinds_all):
            if others.size == 0:
                return dev_psi(np.array([v]))
            cor = np.array([kinds_all[o] == "cor" for o in others])

            def to_psi(u):  # unconstrained -> (sd > 0, -1 < cor < 1)
                return np.where(cor, np.tanh(u), np.exp(u))

            def g(u):
                psi = psi_hat.copy()
                psi[j] = v
                psi[others] = to_psi(u)
                return dev_psi(psi)

            x = np.clip(state["x"], -1 + 1e-12, None)
            u0 = np.where(cor, np.arctanh(np.clip(x, -1 + 1e-9, 1 - 1e-9)), np.log(np.maximum(x, 1e-8)))
            best = optimize.minimize(
                g,
                u0,
                method="L-BFGS-B",
                jac=lambda u: _grad(g, u, np.full(u.size, -np.inf)),
                options=dict(ftol=1e-15, gtol=1e-9, maxcor=20, maxiter=2000),
            )
            state["x"] = to_psi(best.x)
            return best.fun

        def zeta(v, j=j, prof=prof):
            return np.sign(v - psi_hat[j]) * np.sqrt(max(prof(v) - dev_min, 0.0))

        for side, sgn in ((0, -1), (1, 1)):
            state["x"] = psi_hat[others].copy()
            step = max(abs(psi_hat[j]) * 0.25, 0.05 if kinds_all[j] == "cor" else 1e-3 * (abs(psi_hat[-1]) + 1))
            prev = psi_hat[j]
            found = None
            for _ in range(60):
                v = prev + sgn * step
                if v <= lo_b[j]:
                    v = lo_b[j]
                if v >= hi_b[j]:
                    v = hi_b[j]
                zv = zeta(v)
                if sgn * zv >= z:
                    found = optimize.brentq(lambda t, s=sgn: zeta(t) - s * z, min(prev, v), max(prev, v), xtol=1e-10)
                    break
                if v == lo_b[j] or v == hi_b[j]:
                    found = v  # the profile does not reach the cut-off before the boundary (lme4: the boundary)
                    break
                prev = v
                step *= 1.6
            out[j, side] = found if found is not None else np.nan
    return out


@fill_doc
def lmm(
    data: pd.DataFrame,
    formula: str,
    *,
    groups: str | Sequence[str],
    re_formula: str | Mapping[str, str] | None = None,
    vc_formula: Mapping[str, str] | None = None,
    reml: bool = True,
    df_method: str = "satterthwaite",
    profile: bool = True,
    alpha: float = 0.05,
) -> LMMResult:
    """Linear mixed model (lme4's formulation) with Satterthwaite df and profile intervals of variance parameters.

    Parameters
    ----------
    {data}
    formula : str
        Fixed effects as a formula over columns of ``data`` (patsy/R syntax: ``"Reaction ~ Days"``,
        ``"distance ~ age + Sex"``); text columns are treatment coded with the first level as reference.
    groups : str or list of str
        Grouping factor(s) of the random effects (statsmodels' name). Each gets the random effects of
        ``re_formula``; several are separate terms, crossed or nested as the data are (``["plate", "sample"]`` is
        lme4's ``(1 | plate) + (1 | sample)``); ``"a:b"`` is the combination of two columns (lme4's ``(1 | a:b)``).
    re_formula : str or dict, optional
        Random-effects design within each group factor (statsmodels' name), default ``"1"`` (random intercept);
        ``"1 + Days"`` gives correlated random intercepts and slopes, lme4's ``(Days | Subject)``. A dict maps a
        group factor to its own formula.
    vc_formula : dict, optional
        Variance components nested in the first ``groups`` factor, as statsmodels: ``{{"person": "0 + C(person_id)"}}``
        is a random intercept per person within each group (lme4's ``(1 | group:person_id)``); ``{{"slope": "0 +
        Days"}}`` an uncorrelated random slope (lme4's ``(0 + Days | group)``). Each component has one variance.
    reml : bool, default True
        REML (True) or maximum likelihood.
    df_method : {{"satterthwaite", "wald"}}, default "satterthwaite"
        t tests and intervals of the fixed effects with Satterthwaite's df (as ``lmerTest``), or Wald z (normal).
    profile : bool, default True
        Profile-likelihood intervals of the variance parameters (as ``lme4`` ``confint(method = "profile")``);
        False leaves them NaN (faster on large data).
    {alpha}

    Returns
    -------
    LMMResult
        A DataFrame: one row per fixed effect (``effect`` ``"fixed"``; ``term`` as R names it, ``estimate``,
        ``se``, ``ci_low``/``ci_high``, ``ci_level``, ``statistic`` t (z for ``"wald"``), ``df``, ``p``), then one row
        per variance parameter on lme4's scale (``effect`` ``"random"``: ``term`` ``"sd((Intercept) | Subject)"``,
        ``"cor((Intercept), Days | Subject)"``, ``"sd(residual)"``; ``estimate``, profile ``ci_low``/``ci_high``;
        extra ``variance`` = sd²). All rows: ``n_obs`` rows used, ``method``, ``effect``, ``group_factor``.
        ``.fit``: one row with ``reml_criterion`` (REML fits; lme4 ``REMLcrit``) or ``deviance`` (ML), ``loglik``,
        ``aic``, ``bic``, ``n_par`` (fixed + variance parameters + σ), ``n_obs``, ``n_levels`` (``"Subject: 18"``),
        ``singular`` (a variance at 0 or a correlation at ±1), ``converged``.

    Notes
    -----
    y = Xβ + Zb + e, b = Λ(θ)u, u ~ N(0, σ²I), e ~ N(0, σ²I). For given θ, β and the conditional modes come from the
    penalised least-squares system; the REML criterion is log|L|² + log|R_X|² + (n - p)(1 + log(2π r²/(n - p)))
    (ML: log|L|² + n(1 + log(2π r²/n))), r² the penalised residual sum of squares (Bates et al. 2015, eqs. 34 and
    42). θ is found by Nelder-Mead then L-BFGS-B with central-difference gradients, diagonal elements of Λ bounded
    at 0 (lme4 uses bobyqa on the same criterion and bounds). Var(β̂) = σ²(X'V⁻¹X)⁻¹; logLik = -criterion/2, AIC =
    criterion + 2 n_par, BIC = criterion + n_par log(n), as lme4 reports them for the fit (REML or ML).

    Satterthwaite (as ``lmerTest`` 3): df = 2 (l'Cl)² / (g'Ag) with C = Var(β̂), g the gradient of l'Cl with
    respect to the variance parameters (θ, σ) and A = 2 H⁻¹, H the Hessian of the deviance in (θ, σ) (a
    Moore-Penrose inverse over eigenvalues > 1e-8 when H is singular, as lmerTest); derivatives by central
    differences with Richardson extrapolation (lmerTest uses ``numDeriv``, the same method).

    Profile intervals, as lme4: a REML fit is refitted by maximum likelihood and, for each standard deviation,
    correlation and σ, the ML deviance is minimised over the other
    variance parameters with that one fixed, and the limits are the exact roots of the signed square root of the
    deviance difference at ±z(1 - alpha/2) (Brent's method). ``lme4::confint(method = "profile")`` profiles the same
    function but reads the limits off an interpolating spline through a grid of profile points, so its limits
    agree with these to about 1e-4 relative; a limit that the profile does not reach before the boundary (an sd at
    0, a correlation at ±1) is the boundary, as lme4 reports it.

    Random intercepts of one factor, or of two nested factors (``groups=["agency", "agency:person"]``, the model of
    :func:`~kinerja_research.analysis.training.mixed_effects`), are fitted in closed form: V⁻¹ and log|V| per group
    from per-group sums (Sherman-Morrison), with the exact gradient of the criterion (L-BFGS-B over θ², then Newton
    steps) and exact derivatives for the Satterthwaite df; the same criterion as the general engine, which stops on
    the criterion's flatness with central-difference gradients, so the two agree to that engine's precision (about
    1e-6 relative) and the closed form is closer to lme4 (``tests/reference/analyses_lmm_nested.R``). Other models:
    sparse algebra (SuperLU with a symmetric minimum-degree ordering) above 120 random-effect columns, so
    thousands of levels fit in seconds. Rows with a missing value in any used column are
    dropped (listwise). Validated against ``lme4::lmer``, ``lmerTest`` and ``confint`` on ``sleepstudy``
    (``(Days | Subject)``, ``(1 | Subject)``), ``Penicillin`` (crossed) and ``nlme::Orthodont`` (random slopes) in
    ``tests/reference/analyses_lmm.R``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(20), 8)
    >>> d = pd.DataFrame({{"g": g, "x": np.tile(np.arange(8.0), 20)}})
    >>> d["y"] = 2 + 0.5 * d.x + rng.normal(0, 1, 20)[g] + rng.normal(0, 0.5, len(d))
    >>> res = lmm(d, "y ~ x", groups="g", profile=False)
    >>> res[res.effect == "fixed"].term.tolist()
    ['(Intercept)', 'x']
    >>> bool(abs(res.estimate.iloc[1] - 0.5) < 0.1)
    True
    """
    check_alpha(alpha)
    check_choice("df_method", df_method, DF_METHODS)
    groups = [groups] if isinstance(groups, str) else list(groups)
    if not groups:
        raise KinerjaError("Argument 'groups' is empty; the rule is at least one grouping factor of random effects.")
    if not isinstance(formula, str) or "~" not in formula:
        raise KinerjaError(f"Argument 'formula' is {formula!r}; the rule is a formula 'outcome ~ predictors'.")
    group_cols = [c for g in groups for c in g.split(":")]
    check_columns(data, group_cols)
    used = _formula_columns(data, formula, re_formula, vc_formula) | set(group_cols)
    d = data.loc[data[sorted(used)].notna().all(axis=1)].reset_index(drop=True)
    try:
        yd, Xd = patsy.dmatrices(formula, d, return_type="dataframe", NA_action="raise")
    except patsy.PatsyError as e:
        raise KinerjaError(
            f"Formula {formula!r} cannot be built from the data ({e.message}); the rule is columns of data."
        ) from None
    order = _formula_order(formula, Xd)
    y, X = yd.to_numpy(float).ravel(), Xd.to_numpy(float)[:, order]
    names = [_r_name(Xd.columns[i]) for i in order]
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise KinerjaError(
            f"The fixed-effects design of {formula!r} has rank {np.linalg.matrix_rank(X)} < {X.shape[1]} columns; "
            "the rule is no column that is constant or a linear combination of the others."
        )
    terms = _build_terms(d, groups, re_formula, vc_formula)
    for t in terms:
        if t.n_levels < 2:
            raise KinerjaError(
                f"groups factor '{t.group}' has {t.n_levels} level(s) in the complete rows; the rule is at least 2."
            )
    with threadpool_limits(1):  # small dense blocks: one BLAS thread is faster than several (and than contention)
        return _lmm_fit(X, y, names, terms, d, reml, df_method, profile, alpha)


def _lmm_fit(X, y, names, terms, d, reml, df_method, profile, alpha) -> LMMResult:
    levels = _nested_levels(terms, len(y)) if _ENGINE == "auto" else None
    model = _Model(X, y, terms, reml) if levels is None else _NestedModel(X, y, terms, reml, levels)
    if model.q >= len(d) and all(t.k == 1 for t in terms) and len(terms) == 1:
        raise KinerjaError(
            f"groups factor '{terms[0].group}' has as many levels ({terms[0].n_levels}) as rows; the rule is "
            "repeated observations per level."
        )
    theta, crit = model.fit()
    _, _, beta, pwrss, Sxx = model.pieces(theta)
    n, p = model.n, model.p
    sigma = float(np.sqrt(pwrss / (n - p if reml else n)))
    varpar = np.append(theta, sigma)
    V = sigma**2 * np.linalg.inv(Sxx)
    se = np.sqrt(np.diag(V))
    if df_method == "satterthwaite":
        df = _satterthwaite_df(model, varpar, V)
        q = stats.t.ppf(1 - alpha / 2, df)
        pv = 2 * stats.t.sf(np.abs(beta / se), df)
        method = "LMM (REML)" if reml else "LMM (ML)"
        method += ", t test with Satterthwaite df"
    else:
        df = np.full(p, np.nan)
        q = np.full(p, stats.norm.ppf(1 - alpha / 2))
        pv = 2 * stats.norm.sf(np.abs(beta / se))
        method = ("LMM (REML)" if reml else "LMM (ML)") + ", Wald z test"
    rows = [
        dict(
            term=nm,
            estimate=float(beta[i]),
            se=float(se[i]),
            ci_low=float(beta[i] - q[i] * se[i]),
            ci_high=float(beta[i] + q[i] * se[i]),
            statistic=float(beta[i] / se[i]),
            df=float(df[i]),
            p=float(pv[i]),
            n_obs=n,
            method=method,
            effect="fixed",
        )
        for i, nm in enumerate(names)
    ]
    vp = _vp_names(terms)
    psi = _theta_to_psi(model, theta, sigma)
    kinds = [k for _, k, _ in vp]
    if profile:  # as lme4: the profile is of the ML deviance (a REML fit is refitted by ML for it)
        ml = (
            (_Model(X, y, terms, reml=False) if levels is None else _NestedModel(X, y, terms, False, levels))
            if reml
            else model
        )
        theta_ml, dev_ml = ml.fit() if reml else (theta, crit)
        psi_ml = _theta_to_psi(ml, theta_ml, ml.sigma(theta_ml))
        lims = _profile_limits(ml, psi_ml, kinds, dev_ml, stats.norm.ppf(1 - alpha / 2))
    else:
        lims = np.full((psi.size, 2), np.nan)
    vmethod = "variance parameter, profile-likelihood CI" if profile else "variance parameter"
    for (label, kind, nm), est, (lo, hi) in zip([*vp, ("residual", "sd", "residual")], psi, lims):
        term = "sd(residual)" if label == "residual" else f"{kind}({nm} | {label})"
        rows.append(
            dict(
                term=term,
                estimate=float(est),
                ci_low=float(lo),
                ci_high=float(hi),
                n_obs=n,
                method=vmethod,
                effect="random",
                group_factor=label,
                variance=float(est**2) if kind == "sd" else np.nan,
            )
        )
    out = LMMResult(tidy(rows, extra=["effect", "group_factor", "variance"], ci_level=1 - alpha))
    n_par = p + model.n_theta + 1
    singular = bool(np.any(np.isfinite(model.lower) & (np.abs(theta) < 1e-6))) or any(
        k == "cor" and abs(v) > 1 - 1e-6 for k, v in zip(kinds, psi)
    )
    out.fit = tidy(
        [
            dict(
                term="model",
                n_obs=n,
                method="REML" if reml else "ML",
                reml_criterion=crit if reml else np.nan,
                deviance=np.nan if reml else crit,
                loglik=-crit / 2,
                aic=crit + 2 * n_par,
                bic=crit + np.log(n) * n_par,
                n_par=n_par,
                n_levels=", ".join(f"{t.group}: {t.n_levels}" for t in terms),
                singular=singular,
                converged=bool(np.isfinite(crit)),
            )
        ],
        extra=["reml_criterion", "deviance", "loglik", "aic", "bic", "n_par", "n_levels", "singular", "converged"],
    )
    return out


def _satterthwaite_df(model: _Model, varpar: np.ndarray, V: np.ndarray) -> np.ndarray:
    """lmerTest's Satterthwaite df of each fixed effect at (θ, σ): exact derivatives for the closed-form model,
    Richardson-extrapolated differences otherwise."""
    if isinstance(model, _NestedModel):
        H, J = model.satterthwaite_parts(varpar)
    else:
        H = _richardson_hessian(model.deviance_vp, varpar)
        J = _richardson_jacobian(model.covbeta, varpar).reshape(model.p, model.p, -1)
    w, vecs = np.linalg.eigh(H)
    pos = w > 1e-8
    A = 2 * (vecs[:, pos] / w[pos]) @ vecs[:, pos].T
    return np.array([2 * V[i, i] ** 2 / (J[i, i] @ A @ J[i, i]) for i in range(model.p)])


def _formula_order(formula: str, Xd: pd.DataFrame) -> list[int]:
    """Column order of the terms as written in the formula (R's order; patsy puts factor terms first)."""
    info = Xd.design_info
    written = patsy.ModelDesc.from_formula(formula).rhs_termlist
    order: list[int] = []
    for term in written:
        name = term.name()
        if name in info.term_name_slices:
            sl = info.term_name_slices[name]
            order += list(range(sl.start, sl.stop))
    rest = [i for i in range(Xd.shape[1]) if i not in order]
    return order + rest


def _formula_columns(data, formula, re_formula, vc_formula) -> set[str]:
    """Columns of ``data`` named in the formulas (listwise deletion over them)."""
    texts = [formula]
    if isinstance(re_formula, Mapping):
        texts += list(re_formula.values())
    elif re_formula:
        texts.append(re_formula)
    texts += list((vc_formula or {}).values())
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", " ".join(texts)))
    return {c for c in data.columns if c in words}
