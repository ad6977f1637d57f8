"""A small maximum-likelihood engine for (multi-group) confirmatory factor models, following lavaan's conventions.

Why not semopy alone: lavaan is the reference reviewers know, and its ML conventions (sample covariance with divisor
N, chi-square = N x F_ML, standard errors from the expected information with N, baseline model per group, RMSEA with
sqrt(G) for several groups, SRMR "Bentler" including the mean residuals) are what the fit indices are compared
with. semopy 2.3 computes chi-square with other conventions and has no multi-group equality constraints; this
engine reproduces lavaan's numbers (tests compare to 1e-3; in practice they agree to about 1e-6), and semopy is used
in the tests as an independent check of the single-group point estimates.

The model: Sigma_g = Lambda_g Phi_g Lambda_g' + Theta_g, mu_g = nu_g + Lambda_g alpha_g. Each matrix cell is
either fixed or a parameter index; a shared index is an equality constraint (across groups for invariance).
F = sum_g (n_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p + (m_g - mu_g)' Sigma_g^-1 (m_g - mu_g)].
Fitted by Fisher scoring (expected information, analytic derivatives of Sigma and mu) with step halving from
simple starting values, and a BFGS polish if scoring stalls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

from kinerja_research.errors import KinerjaError
from kinerja_research.measure._core import single_thread as _single_thread

__all__: list[str] = []

_TERM = re.compile(r"^\s*(?:(NA|[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*\*\s*)?([A-Za-z_.][A-Za-z0-9_.]*)\s*$")


@dataclass
class ModelSpec:
    """Parsed lavaan-style measurement model: factors, their indicators, fixed loadings, extra covariances."""

    factors: list[str]
    indicators: dict[str, list[tuple[str, float | None]]]  # factor -> [(item, fixed value or None)]
    covs: list[tuple[str, str, float | None]] = field(default_factory=list)  # (a, b, fixed or None)

    @property
    def observed(self) -> list[str]:
        seen: list[str] = []
        for f in self.factors:
            for item, _ in self.indicators[f]:
                if item not in seen:
                    seen.append(item)
        return seen


def parse_model(syntax: str) -> ModelSpec:
    """Parse ``f =~ a + b + c`` lines (with ``1*a`` fixed or ``NA*a`` free loadings) and ``a ~~ b`` covariances."""
    if not isinstance(syntax, str) or "=~" not in syntax:
        raise KinerjaError(
            f"Argument 'model' is {syntax!r}; the rule is lavaan syntax with at least one "
            f"'factor =~ item + item' line, or a codebook."
        )
    factors: list[str] = []
    ind: dict[str, list[tuple[str, float | None]]] = {}
    covs: list[tuple[str, str, float | None]] = []
    lines = [part for line in syntax.splitlines() for part in line.split("#")[0].split(";")]
    for n_line, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if "=~" in line:
            lhs, rhs = line.split("=~", 1)
            f = lhs.strip()
            if not re.match(r"^[A-Za-z_.][A-Za-z0-9_.]*$", f):
                raise KinerjaError(
                    f"Model line {n_line} {line.strip()!r}: factor name {f!r} is not a name; the rule "
                    f"is 'factor =~ item + item'."
                )
            if f not in ind:
                factors.append(f)
                ind[f] = []
            for term in rhs.split("+"):
                m = _TERM.match(term)
                if not m:
                    raise KinerjaError(
                        f"Model line {n_line} {line.strip()!r}: term {term.strip()!r} is not "
                        f"understood; the rule is 'item', 'number*item' or 'NA*item'."
                    )
                mod, item = m.groups()
                fixed = None if mod in (None, "NA") else float(mod)
                free_marker = mod == "NA"
                ind[f].append((item, ("NA" if free_marker else fixed)))
        elif "~~" in line:
            lhs, rhs = line.split("~~", 1)
            m = _TERM.match(rhs)
            if not m or not re.match(r"^\s*[A-Za-z_.][A-Za-z0-9_.]*\s*$", lhs):
                raise KinerjaError(
                    f"Model line {n_line} {line.strip()!r} is not understood; the rule is 'a ~~ b' or 'a ~~ 0*b'."
                )
            mod, b = m.groups()
            covs.append((lhs.strip(), b, None if mod in (None, "NA") else float(mod)))
        else:
            raise KinerjaError(
                f"Model line {n_line} {line.strip()!r} is not understood; the rule is that a CFA "
                f"model has '=~' (loadings) and '~~' (covariances) lines only."
            )
    for f in factors:
        if len(ind[f]) < 2 and not any(v not in (None, "NA") for _, v in ind[f]):
            raise KinerjaError(f"Factor {f!r} has {len(ind[f])} indicator; the rule is at least two per factor.")
    spec = ModelSpec(factors, ind, covs)
    names = set(factors) | set(spec.observed)
    for a, b, _ in covs:
        for v in (a, b):
            if v not in names:
                raise KinerjaError(
                    f"Model covariance '{a} ~~ {b}' names {v!r}, which is neither a factor nor an "
                    f"indicator; the rule is that '~~' links names used in '=~' lines."
                )
    return spec


class Structure:
    """Parameter layout of a (multi-group) CFA: index arrays for Lambda, Phi, Theta, nu, alpha per group."""

    def __init__(self, spec: ModelSpec, n_groups: int, *, meanstructure: bool, equal: tuple[str, ...] = ()):
        self.spec = spec
        self.ov = spec.observed
        self.lv = spec.factors
        p, m = len(self.ov), len(self.lv)
        self.p, self.m, self.G = p, m, n_groups
        self.meanstructure = meanstructure
        self.labels: list[tuple] = []  # (matrix, i, j, group or None if shared)
        self.groups = []
        shared: dict[tuple, int] = {}

        def new(key, group):
            if key in shared:
                return shared[key]
            idx = len(self.labels)
            self.labels.append(key + ((None,) if group is None else (group,)))
            if group is None:
                shared[key] = idx
            return idx

        cov_fixed = {(a, b): v for a, b, v in spec.covs}
        for g in range(n_groups):
            L_idx = -np.ones((p, m), dtype=int)
            L_fix = np.zeros((p, m))
            for k, f in enumerate(self.lv):
                for pos, (item, val) in enumerate(spec.indicators[f]):
                    j = self.ov.index(item)
                    if val == "NA" or (val is None and pos > 0):
                        L_idx[j, k] = new(("lambda", j, k), None if "loadings" in equal else g)
                    elif val is None:  # marker: first indicator fixed to 1 (lavaan default)
                        L_fix[j, k] = 1.0
                    else:
                        L_fix[j, k] = float(val)
            P_idx = -np.ones((m, m), dtype=int)
            P_fix = np.zeros((m, m))
            for a in range(m):
                for b in range(a + 1):
                    key = (self.lv[a], self.lv[b])
                    fixed = cov_fixed.get(key, cov_fixed.get(key[::-1]))
                    if fixed is not None:
                        P_fix[a, b] = P_fix[b, a] = fixed
                    else:
                        P_idx[a, b] = P_idx[b, a] = new(("phi", a, b), g)
            T_idx = -np.ones((p, p), dtype=int)
            T_fix = np.zeros((p, p))
            for j in range(p):
                T_idx[j, j] = new(("theta", j, j), g)
            for a, b, v in spec.covs:
                if a in self.ov and b in self.ov and a != b:
                    i, j = self.ov.index(a), self.ov.index(b)
                    if v is None:
                        T_idx[i, j] = T_idx[j, i] = new(("theta", max(i, j), min(i, j)), g)
                    else:
                        T_fix[i, j] = T_fix[j, i] = v
            N_idx = -np.ones(p, dtype=int)
            A_idx = -np.ones(m, dtype=int)
            if meanstructure:
                for j in range(p):
                    N_idx[j] = new(("nu", j, 0), None if "intercepts" in equal else g)
                if "intercepts" in equal and g > 0:
                    for k in range(m):
                        A_idx[k] = new(("alpha", k, 0), g)
            self.groups.append(dict(L=(L_idx, L_fix), P=(P_idx, P_fix), T=(T_idx, T_fix), N=N_idx, A=A_idx))
        self.q = len(self.labels)

    @staticmethod
    def _fill(idx, fix, theta):
        out = fix.copy()
        mask = idx >= 0
        out[mask] = theta[idx[mask]]
        return out

    def matrices(self, theta, g):
        gr = self.groups[g]
        L = self._fill(*gr["L"], theta)
        P = self._fill(*gr["P"], theta)
        T = self._fill(*gr["T"], theta)
        nu = np.where(gr["N"] >= 0, theta[np.maximum(gr["N"], 0)], 0.0)
        al = np.where(gr["A"] >= 0, theta[np.maximum(gr["A"], 0)], 0.0)
        return L, P, T, nu, al

    def implied(self, theta, g):
        L, P, T, nu, al = self.matrices(theta, g)
        return L @ P @ L.T + T, nu + L @ al

    def start(self, S, M):
        theta = np.zeros(self.q)
        for idx, (mat, i, j, g) in enumerate(self.labels):
            gg = 0 if g is None else g
            if mat == "lambda":
                theta[idx] = 1.0
            elif mat == "theta":
                theta[idx] = 0.5 * S[gg][i, i] if i == j else 0.0
            elif mat == "phi":
                if i == j:
                    # variance of the factor's first indicator, halved
                    f = self.lv[i]
                    first = self.ov.index(self.spec.indicators[f][0][0])
                    theta[idx] = 0.5 * S[gg][first, first]
                else:
                    theta[idx] = 0.0
            elif mat == "nu":
                theta[idx] = M[gg][i]
        return theta


@dataclass
class Fit:
    structure: Structure
    theta: np.ndarray
    vcov: np.ndarray
    fmin: float
    chi2: float
    df: int
    n: list[int]
    S: list[np.ndarray]
    M: list[np.ndarray]
    converged: bool
    iterations: int


def _objective(st: Structure, theta, S, M, w, logdetS):
    f = 0.0
    for g in range(st.G):
        sig, mu = st.implied(theta, g)
        sign, logdet = np.linalg.slogdet(sig)
        if sign <= 0:
            return np.inf
        inv = np.linalg.inv(sig)
        fg = logdet + np.trace(S[g] @ inv) - logdetS[g] - st.p
        if st.meanstructure:
            d = M[g] - mu
            fg += d @ inv @ d
        f += w[g] * fg
    return f


def _cells(st: Structure, g: int):
    """Free cells of group g: (parameter index, kind, row, col), cached on the structure."""
    cache = st.__dict__.setdefault("_cells_cache", {})
    if g in cache:
        return cache[g]
    gr = st.groups[g]
    cells = []
    L_idx = gr["L"][0]
    for j, k in zip(*np.nonzero(L_idx >= 0)):
        cells.append((L_idx[j, k], "L", j, k))
    P_idx = gr["P"][0]
    for a, b in zip(*np.nonzero(np.tril(P_idx + 1) > 0)):
        cells.append((P_idx[a, b], "P", a, b))
    T_idx = gr["T"][0]
    for i, j in zip(*np.nonzero(np.tril(T_idx + 1) > 0)):
        cells.append((T_idx[i, j], "T", i, j))
    for j in np.nonzero(gr["N"] >= 0)[0]:
        cells.append((gr["N"][j], "N", j, 0))
    for k in np.nonzero(gr["A"] >= 0)[0]:
        cells.append((gr["A"][k], "A", k, 0))
    rel = np.array(sorted({c[0] for c in cells}), dtype=int)
    pos = {a: i for i, a in enumerate(rel)}
    cache[g] = (cells, rel, pos)
    return cache[g]


def _derivs(st: Structure, theta, g):
    """Analytic dSigma/dtheta and dmu/dtheta for the parameters of group g: (indices, q_g x p x p, q_g x p)."""
    cells, rel, pos = _cells(st, g)
    L, P, T, nu, al = st.matrices(theta, g)
    LP = L @ P
    dS = np.zeros((len(rel), st.p, st.p))
    dM = np.zeros((len(rel), st.p))
    for a, kind, i, j in cells:
        r = pos[a]
        if kind == "L":  # d(L P L')/d l_ij = e_i (LP)_j' + (LP)_j e_i'
            dS[r, i, :] += LP[:, j]
            dS[r, :, i] += LP[:, j]
            dM[r, i] += al[j]
        elif kind == "P":
            if i == j:
                dS[r] += np.outer(L[:, i], L[:, i])
            else:
                o = np.outer(L[:, i], L[:, j])
                dS[r] += o + o.T
        elif kind == "T":
            dS[r, i, j] += 1.0
            if i != j:
                dS[r, j, i] += 1.0
        elif kind == "N":
            dM[r, i] += 1.0
        else:  # latent mean
            dM[r] += L[:, i]
    return rel, dS, dM


def _grad_info(st: Structure, theta, S, M, w):
    grad = np.zeros(st.q)
    info = np.zeros((st.q, st.q))
    for g in range(st.G):
        sig, mu = st.implied(theta, g)
        inv = np.linalg.inv(sig)
        d = M[g] - mu if st.meanstructure else np.zeros(st.p)
        G = inv @ (sig - S[g] - np.outer(d, d)) @ inv
        rel, dS, dM = _derivs(st, theta, g)
        qg = len(rel)
        grad[rel] += w[g] * (dS.reshape(qg, -1) @ G.ravel() - 2 * dM @ (inv @ d))
        A = np.matmul(inv, dS)  # q_g x p x p
        info_g = A.reshape(qg, -1) @ A.transpose(0, 2, 1).reshape(qg, -1).T + 2 * dM @ inv @ dM.T
        info[np.ix_(rel, rel)] += w[g] * info_g
    return grad, info


def fit_ml(
    spec: ModelSpec,
    S: list[np.ndarray],
    M: list[np.ndarray],
    n: list[int],
    *,
    meanstructure: bool,
    equal: tuple[str, ...] = (),
    max_iter: int = 500,
    tol: float = 1e-10,
) -> Fit:
    """Fit by ML (lavaan ``estimator = "ML"``, ``likelihood = "normal"``, expected information)."""
    with _single_thread():
        return _fit_ml(spec, S, M, n, meanstructure=meanstructure, equal=equal, max_iter=max_iter, tol=tol)


def _fit_ml(spec, S, M, n, *, meanstructure, equal, max_iter, tol) -> Fit:
    st = Structure(spec, len(S), meanstructure=meanstructure, equal=equal)
    moments = st.G * (st.p * (st.p + 1) // 2 + (st.p if meanstructure else 0))
    if moments < st.q:
        raise KinerjaError(
            f"The model has {st.q} free parameters but the data give {moments} moments (df = "
            f"{moments - st.q}); the rule is that a CFA must be identified (df >= 0): add items, or "
            f"fix a loading or equate loadings of a two-item factor."
        )
    N = float(sum(n))
    w = np.array(n, dtype=float) / N
    logdetS = []
    for g, s in enumerate(S):
        sign, ld = np.linalg.slogdet(s)
        if sign <= 0:
            raise KinerjaError(
                f"The item covariance matrix of group {g + 1} is not positive definite (an item is "
                f"constant or items are linearly dependent); the rule is that CFA needs a positive "
                f"definite covariance matrix."
            )
        logdetS.append(ld)
    theta = st.start(S, M)
    f = _objective(st, theta, S, M, w, logdetS)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007  (the count is reported after the loop)
        grad, info = _grad_info(st, theta, S, M, w)
        try:
            step = -np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(info, grad, rcond=None)[0]
        t = 1.0
        while True:
            new = theta + t * step
            fn = _objective(st, new, S, M, w, logdetS)
            if fn <= f + 1e-14 * abs(f) or t < 1e-8:
                break
            t /= 2
        theta, f_old, f = new, f, fn
        if np.max(np.abs(t * step)) < tol or (abs(f_old - f) < 1e-15 and np.max(np.abs(grad)) < 1e-9):
            converged = True
            break
    if not converged:  # polish with a quasi-Newton optimiser from the current point
        res = optimize.minimize(
            lambda th: _objective(st, th, S, M, w, logdetS),
            theta,
            jac=lambda th: _grad_info(st, th, S, M, w)[0],
            method="BFGS",
            options={"gtol": 1e-10, "maxiter": 5000},
        )
        theta, f = res.x, res.fun
        converged = bool(res.success)
    grad, info = _grad_info(st, theta, S, M, w)
    try:
        vcov = 2.0 / N * np.linalg.inv(info)
    except np.linalg.LinAlgError:
        vcov = np.full((st.q, st.q), np.nan)
    moments = st.G * (st.p * (st.p + 1) // 2 + (st.p if meanstructure else 0))
    return Fit(st, theta, vcov, float(f), float(N * f), int(moments - st.q), list(n), S, M, converged, it)


def sample_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean vector and covariance with divisor N (lavaan ``likelihood = "normal"``)."""
    mu = x.mean(axis=0)
    xc = x - mu
    return xc.T @ xc / x.shape[0], mu


def fit_measures(fit: Fit, *, level: float = 0.90) -> dict[str, float]:
    """chi2, df, p, CFI, TLI, RMSEA (+ CI, p close), SRMR, baseline chi2/df, AIC/BIC as lavaan ``fitMeasures``."""
    st = fit.structure
    N = float(sum(fit.n))
    G = st.G
    chi2, df = fit.chi2, fit.df
    chi2_b = sum(ng * (np.sum(np.log(np.diag(s))) - np.linalg.slogdet(s)[1]) for ng, s in zip(fit.n, fit.S))
    df_b = G * st.p * (st.p - 1) // 2
    t1 = max(chi2 - df, 0.0)
    t2 = max(chi2 - df, chi2_b - df_b, 0.0)
    cfi = 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2
    tli = (chi2_b / df_b - chi2 / df) / (chi2_b / df_b - 1) if df > 0 else 1.0
    rmsea = np.sqrt(max(chi2 / N / df - 1 / N, 0.0)) * np.sqrt(G) if df > 0 else 0.0
    lo_p, hi_p = (1 + level) / 2, (1 - level) / 2
    ci_lo = ci_hi = 0.0
    if df >= 1:
        if stats.chi2.cdf(chi2, df) - lo_p >= 0:
            lam = optimize.brentq(
                lambda L: stats.ncx2.cdf(chi2, df, L) - lo_p if L > 0 else stats.chi2.cdf(chi2, df) - lo_p,
                0,
                chi2,
                xtol=1e-12,
            )
            ci_lo = np.sqrt(lam / (N * df)) * np.sqrt(G)
        n_r = max(N, chi2 * 4)
        up = lambda L: (stats.ncx2.cdf(chi2, df, L) if L > 0 else stats.chi2.cdf(chi2, df)) - hi_p  # noqa: E731
        if not (up(n_r) > 0 or up(0) < 0):
            lam = optimize.brentq(up, 0, n_r, xtol=1e-12)
            ci_hi = np.sqrt(lam / (N * df)) * np.sqrt(G)
    # p-value of close fit: H0 rmsea <= .05
    ncp = N * df * 0.05**2 / G
    p_close = float(stats.ncx2.sf(chi2, df, ncp)) if df > 0 else np.nan
    srmr_g = []
    for g in range(G):
        sig, mu = st.implied(fit.theta, g)
        s = fit.S[g]
        sd = np.sqrt(np.diag(s))
        e = (s - sig) / np.outer(sd, sd)
        il = np.tril_indices(st.p)
        ss = np.sum(e[il] ** 2)
        cnt = len(il[0])
        if st.meanstructure:
            em = (fit.M[g] - mu) / sd
            ss += np.sum(em**2)
            cnt += st.p
        srmr_g.append(np.sqrt(ss / cnt))
    srmr = float(np.sum(np.array(fit.n) / N * np.array(srmr_g)))
    # log-likelihood of the model (lavaan logl) for AIC/BIC
    logl = 0.0
    for g in range(G):
        sig, mu = st.implied(fit.theta, g)
        inv = np.linalg.inv(sig)
        d = fit.M[g] - mu if st.meanstructure else np.zeros(st.p)
        ng = fit.n[g]
        logl += (
            -ng / 2 * (st.p * np.log(2 * np.pi) + np.linalg.slogdet(sig)[1] + np.trace(fit.S[g] @ inv) + d @ inv @ d)
        )
    k = st.q  # lavaan: free parameters only (saturated means are not counted without a mean structure)
    return {
        "chisq": chi2,
        "df": float(df),
        "pvalue": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
        "baseline_chisq": float(chi2_b),
        "baseline_df": float(df_b),
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": float(rmsea),
        "rmsea_ci_lower": float(ci_lo),
        "rmsea_ci_upper": float(ci_hi),
        "rmsea_pvalue": p_close,
        "srmr": srmr,
        "logl": float(logl),
        "aic": float(-2 * logl + 2 * k),
        "bic": float(-2 * logl + np.log(N) * k),
        "npar": float(st.q),
    }
