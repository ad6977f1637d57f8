"""Maximum-likelihood estimation of (multi-group) structural equation models with lavaan's conventions.

Why an own engine: lavaan is the reference reviewers know, and its ML conventions (sample covariance with divisor N,
chi-square = 2 N F_ML, expected-information standard errors for complete data and observed (Hessian) information for
FIML and MLR, Yuan-Bentler's Mplus-variant scaling, the baseline model per group, RMSEA with sqrt(G), SRMR of Bentler
including mean residuals) are what fit indices are compared with. semopy 2.3 computes chi-square and RMSEA with
other conventions and has neither multi-group equality constraints, MLR nor FIML; this engine reproduces lavaan's
numbers (tests/reference/measure_sweep.R: 1e-5 on estimates, SEs and fit indices).

Estimation: Fisher scoring on lavaan's objective with analytic derivatives (tr-forms of dSigma/dtheta and
dmu/dtheta), Levenberg damping when the information is ill-conditioned and an Armijo line search whose objective is
+inf unless every implied covariance matrix has a Cholesky factor (a non-positive-definite Sigma is rejected, not
just one with a negative determinant). Start values: FABIN 3 loadings per factor (Hagglund 1982, as lavaan), half the
item variances as residual variances, and latent covariances by least squares given those. If scoring does not
converge, other starts (lavaan's "simple" ones, the standardised metric) and a quasi-Newton polish are tried; a model
that converges nowhere is returned with ``converged=False`` and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, optimize, stats

from kinerja_research.errors import KinerjaError
from kinerja_research.measure._core import minres_one_factor, single_thread
from kinerja_research.measure._model import Model

__all__: list[str] = []

LOG2PI = np.log(2 * np.pi)


# ---------------------------------------------------------------------------------------------------- sample data
@dataclass
class Pattern:
    """Respondents of one group with the same items answered (FIML)."""

    obs: np.ndarray  # indices of the observed items
    n: int
    mean: np.ndarray
    cov: np.ndarray  # divisor n
    rows: np.ndarray  # row indices into GroupData.x


@dataclass
class GroupData:
    """Sample information of one group: moments (complete data) or missing-data patterns (FIML), raw rows."""

    n: int
    S: np.ndarray  # covariance (divisor n); FIML: the EM (H1) estimate
    M: np.ndarray  # means; FIML: the EM estimate
    x: np.ndarray | None = None  # raw rows (NaN = missing), kept for casewise scores
    patterns: list[Pattern] | None = None
    logl_h1: float = np.nan  # log-likelihood of the saturated model
    h1_iterations: int = 0


def sample_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean vector and covariance with divisor N (lavaan ``likelihood = "normal"``)."""
    mu = x.mean(axis=0)
    xc = x - mu
    return xc.T @ xc / x.shape[0], mu


def complete_group(x: np.ndarray, *, keep_rows: bool = False) -> GroupData:
    S, M = sample_moments(x)
    return moments_group(x.shape[0], S, M, x if keep_rows else None)


def moments_group(n: int, S: np.ndarray, M: np.ndarray, x: np.ndarray | None = None) -> GroupData:
    """A complete-data group from its sufficient statistics: ``n`` rows, covariance ``S`` (divisor n) and means
    ``M`` (all complete-data ML needs; ``x``, the rows, only for MLR's casewise scores)."""
    p = S.shape[0]
    sign, logdet = np.linalg.slogdet(S)
    logl = -n / 2 * (p * LOG2PI + logdet + p) if sign > 0 else np.nan
    return GroupData(n, S, M, x, None, float(logl))


def missing_group(x: np.ndarray) -> GroupData:
    """Group the rows by pattern of answered items and estimate the saturated model (H1) by EM."""
    n, p = x.shape
    obs = ~np.isnan(x)
    keys, inverse = np.unique(obs, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    patterns = []
    for k, key in enumerate(keys):
        rows = np.flatnonzero(inverse == k)
        o = np.flatnonzero(key)
        if len(o) == 0:
            continue  # a respondent without answers contributes nothing (lavaan drops such rows)
        xo = x[np.ix_(rows, o)]
        mean = xo.mean(axis=0)
        xc = xo - mean
        patterns.append(Pattern(o, len(rows), mean, xc.T @ xc / len(rows), rows))
    n_used = sum(pt.n for pt in patterns)
    mu, sig, it = _em_h1(patterns, p, n_used)
    g = GroupData(n_used, sig, mu, x, patterns)
    g.logl_h1 = float(_fiml_logl(patterns, sig, mu))
    g.h1_iterations = it
    return g


def _em_h1(patterns: list[Pattern], p: int, n: int, tol: float = 1e-11, max_iter: int = 20000):
    """EM for the mean and covariance of incomplete multivariate normal data, from the pattern moments."""
    s1 = np.zeros(p)
    cnt = np.zeros(p)
    s2 = np.zeros(p)
    for pt in patterns:
        s1[pt.obs] += pt.n * pt.mean
        s2[pt.obs] += pt.n * (np.diag(pt.cov) + pt.mean**2)
        cnt[pt.obs] += pt.n
    mu = s1 / cnt
    sig = np.diag(s2 / cnt - mu**2)
    for it in range(1, max_iter + 1):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for pt in patterns:
            o = pt.obs
            mom = pt.cov + np.outer(pt.mean, pt.mean)  # E[x_o x_o'] over the pattern
            if len(o) == p:
                t1 += pt.n * pt.mean
                t2 += pt.n * mom
                continue
            mis = np.setdiff1d(np.arange(p), o)
            soo = sig[np.ix_(o, o)]
            bmat = np.linalg.solve(soo, sig[np.ix_(o, mis)]).T  # regression of missing on observed
            c = mu[mis] - bmat @ mu[o]
            xm = c + bmat @ pt.mean
            t1[o] += pt.n * pt.mean
            t1[mis] += pt.n * xm
            e_om = mom @ bmat.T + np.outer(pt.mean, c)  # E[x_o xhat_m']
            resid = sig[np.ix_(mis, mis)] - bmat @ sig[np.ix_(o, mis)]
            e_mm = bmat @ mom @ bmat.T + np.outer(bmat @ pt.mean, c) + np.outer(c, bmat @ pt.mean)
            e_mm += np.outer(c, c) + resid
            t2[np.ix_(o, o)] += pt.n * mom
            t2[np.ix_(o, mis)] += pt.n * e_om
            t2[np.ix_(mis, o)] += pt.n * e_om.T
            t2[np.ix_(mis, mis)] += pt.n * e_mm
        mu_new = t1 / n
        sig_new = t2 / n - np.outer(mu_new, mu_new)
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sig_new - sig)))
        mu, sig = mu_new, (sig_new + sig_new.T) / 2
        if delta < tol:
            return mu, sig, it
    return mu, sig, max_iter


def _fiml_logl(patterns: list[Pattern], sig: np.ndarray, mu: np.ndarray) -> float:
    total = 0.0
    for pt in patterns:
        o = pt.obs
        s = sig[np.ix_(o, o)]
        c = np.linalg.cholesky(s)
        inv = linalg.cho_solve((c, True), np.eye(len(o)))
        d = pt.mean - mu[o]
        logdet = 2 * np.sum(np.log(np.diag(c)))
        total += -pt.n / 2 * (len(o) * LOG2PI + logdet + np.sum(inv * pt.cov) + d @ inv @ d)
    return total


# ------------------------------------------------------------------------------------------ objective and info
def _chol_inv(sig: np.ndarray):
    """(inverse, log-determinant) of a positive-definite matrix, or None when it has no Cholesky factor."""
    try:
        c = np.linalg.cholesky(sig)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(c)):
        return None
    ci = linalg.solve_triangular(c, np.eye(len(sig)), lower=True)
    return ci.T @ ci, 2.0 * np.sum(np.log(np.diag(c)))


@dataclass
class _Batch:
    """Patterns of one group with the same number of answered items, stacked for vectorised FIML."""

    obs: np.ndarray  # (b, po) observed item indices
    wt: np.ndarray  # (b,) share of the group's respondents
    mean: np.ndarray  # (b, po)
    cov: np.ndarray  # (b, po, po)
    n: np.ndarray  # (b,) respondents


def _batches(g: GroupData) -> list[_Batch]:
    by: dict[int, list[Pattern]] = {}
    for pt in g.patterns:
        by.setdefault(len(pt.obs), []).append(pt)
    out = []
    for _, pts in sorted(by.items()):
        out.append(
            _Batch(
                np.array([pt.obs for pt in pts]),
                np.array([pt.n / g.n for pt in pts]),
                np.array([pt.mean for pt in pts]),
                np.array([pt.cov for pt in pts]),
                np.array([pt.n for pt in pts]),
            )
        )
    return out


def _batch_parts(sig: np.ndarray, mu: np.ndarray, b: _Batch):
    """(inverse, log-determinant, mean residual) of every pattern of a batch, or None if one is not PD."""
    soo = sig[b.obs[:, :, None], b.obs[:, None, :]]
    try:
        c = np.linalg.cholesky(soo)
    except np.linalg.LinAlgError:
        return None
    logdet = 2 * np.log(np.diagonal(c, axis1=1, axis2=2)).sum(axis=1)
    inv = np.linalg.inv(soo)
    d = b.mean - mu[b.obs]
    return soo, inv, logdet, d


class Problem:
    """lavaan's ML objective of a model on some groups: value, gradient, expected information, casewise scores."""

    def __init__(self, model: Model, groups: list[GroupData], *, fiml: bool = False):
        self.model = model
        self.groups = groups
        self.fiml = fiml
        self.N = float(sum(g.n for g in groups))
        self.w = np.array([g.n for g in groups], dtype=float) / self.N
        self.logdetS = []
        self.batches = [_batches(g) for g in groups] if fiml else None
        for k, g in enumerate(groups):
            if fiml:
                self.logdetS.append(0.0)
                continue
            sign, ld = np.linalg.slogdet(g.S)
            if sign <= 0:
                raise KinerjaError(
                    f"The item covariance matrix of group {k + 1} is not positive definite (an item is constant or "
                    f"items are linearly dependent); the rule is that the model needs a positive definite matrix."
                )
            self.logdetS.append(ld)

    # F = sum_g w_g 0.5 [log|Sigma| + tr(S Sigma^-1) - log|S| - p + d' Sigma^-1 d]   (lavaan's fx; chisq = 2 N F)
    # FIML: F = sum_g w_g sum_patterns (n_pat / n_g) 0.5 [log|Sigma_oo| + tr(S_o Sigma_oo^-1) + d_o' Sigma_oo^-1 d_o]
    def value(self, theta: np.ndarray) -> float:
        f = 0.0
        m = self.model
        for k, g in enumerate(self.groups):
            sig, mu, _ = m.implied(theta, k)
            if self.fiml:
                for b in self.batches[k]:
                    parts = _batch_parts(sig, mu, b)
                    if parts is None:
                        return np.inf
                    _, inv, logdet, d = parts
                    quad = np.einsum("bij,bij->b", inv, b.cov) + np.einsum("bi,bij,bj->b", d, inv, d)
                    f += self.w[k] * 0.5 * float(b.wt @ (logdet + quad))
                continue
            r = _chol_inv(sig)
            if r is None:
                return np.inf
            inv, logdet = r
            fk = logdet + np.sum(inv * g.S) - self.logdetS[k] - m.p
            if m.meanstructure:
                d = g.M - mu
                fk += d @ inv @ d
            f += self.w[k] * 0.5 * fk
        return float(f) if np.isfinite(f) else np.inf

    def gradient(self, theta: np.ndarray, *, info: bool = False):
        """Gradient of F (and, when ``info``, the expected information per observation of complete data at the
        implied moments: exact for complete data, the Fisher-scoring matrix for FIML)."""
        m = self.model
        grad = np.zeros(m.q)
        inf_m = np.zeros((m.q, m.q)) if info else None
        for k, g in enumerate(self.groups):
            mats = m.matrices(theta, k)
            sig, mu, mats = m.implied(theta, k, mats)
            idx, dS, dM = m.derivatives(theta, k, mats)
            qg = len(idx)
            if self.fiml:
                Gm = np.zeros((m.p, m.p))
                v = np.zeros(m.p)
                for b in self.batches[k]:
                    parts = _batch_parts(sig, mu, b)
                    if parts is None:  # not positive definite: no gradient (the objective is +inf there)
                        return (np.full(m.q, np.nan), inf_m) if info else np.full(m.q, np.nan)
                    soo, inv, _, d = parts
                    inner = soo - b.cov - d[:, :, None] * d[:, None, :]
                    mb = inv @ inner @ inv * b.wt[:, None, None]
                    np.add.at(Gm, (b.obs[:, :, None], b.obs[:, None, :]), mb)
                    np.add.at(v, b.obs, np.einsum("bij,bj->bi", inv, d) * b.wt[:, None])
                grad[idx] += self.w[k] * (0.5 * dS.reshape(qg, -1) @ Gm.ravel() - dM @ v)
                if not info:
                    continue
                inv = np.linalg.inv(sig)
            else:
                parts = _chol_inv(sig)
                if parts is None:  # not positive definite: no gradient (the objective is +inf there)
                    return (np.full(m.q, np.nan), inf_m) if info else np.full(m.q, np.nan)
                inv = parts[0]
                d = g.M - mu if m.meanstructure else np.zeros(m.p)
                G = inv @ (sig - g.S - np.outer(d, d)) @ inv
                grad[idx] += self.w[k] * (0.5 * dS.reshape(qg, -1) @ G.ravel() - dM @ (inv @ d))
                if not info:
                    continue
            A = np.matmul(inv, dS)
            info_g = 0.5 * A.reshape(qg, -1) @ A.transpose(0, 2, 1).reshape(qg, -1).T
            if m.meanstructure:
                info_g += dM @ inv @ dM.T
            inf_m[np.ix_(idx, idx)] += self.w[k] * info_g
        return (grad, inf_m) if info else grad

    def hessian(self, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
        """Observed information per observation: the Hessian of F by central differences of the analytic gradient
        (step 1e-6 max(1, |theta_j|), about 1e-9 relative accuracy; lavaan ``lav_model_hessian`` uses Richardson
        differences of the same gradient), symmetrised."""
        q = len(theta)
        H = np.zeros((q, q))
        for j in range(q):
            hj = h * max(1.0, abs(theta[j]))
            x = theta.copy()
            x[j] = theta[j] + hj
            g_plus = self.gradient(x)
            x[j] = theta[j] - hj
            H[:, j] = (g_plus - self.gradient(x)) / (2 * hj)
        return (H + H.T) / 2

    def logl(self, theta: np.ndarray) -> float:
        total = 0.0
        m = self.model
        for k, g in enumerate(self.groups):
            sig, mu, _ = m.implied(theta, k)
            if self.fiml:
                total += _fiml_logl(g.patterns, sig, mu)
                continue
            inv, logdet = _chol_inv(sig)
            d = g.M - mu if m.meanstructure else np.zeros(m.p)
            total += -g.n / 2 * (m.p * LOG2PI + logdet + np.sum(inv * g.S) + d @ inv @ d)
        return float(total)

    def scores(self, theta: np.ndarray, k: int) -> np.ndarray:
        """Casewise scores (n_k x q) of group k: d log f(x_i) / d theta (lavaan ``lav_scores_ml``). Without a mean
        structure the sample mean stands in for mu."""
        m = self.model
        g = self.groups[k]
        mats = m.matrices(theta, k)
        sig, mu, mats = m.implied(theta, k, mats)
        idx, dS, dM = m.derivatives(theta, k, mats)
        out = np.zeros((g.n, m.q))
        if not m.meanstructure:
            mu = g.M
        if self.fiml:
            order = _row_order(g)
            for pt in g.patterns:
                o = pt.obs
                inv, _ = _chol_inv(sig[np.ix_(o, o)])
                r = g.x[np.ix_(pt.rows, o)] - mu[o]
                sc = _case_scores(r, inv, dS[:, o][:, :, o], dM[:, o])
                out[np.ix_(np.searchsorted(order, pt.rows), idx)] = sc
            return out
        inv, _ = _chol_inv(sig)
        out[:, idx] = _case_scores(g.x - mu, inv, dS, dM)
        return out


def _case_scores(r: np.ndarray, inv: np.ndarray, dS: np.ndarray, dM: np.ndarray, chunk: int = 16384) -> np.ndarray:
    """0.5 [v' dS_a v - tr(inv dS_a)] + v' dmu_a per row, v = inv r, as one product over the p x p cross terms
    (in blocks of rows, so memory stays at a block)."""
    q = dS.shape[0]
    tr = np.einsum("ij,aji->a", inv, dS)
    dflat = dS.reshape(q, -1).T
    out = np.empty((len(r), q))
    for s0 in range(0, len(r), chunk):
        v = r[s0 : s0 + chunk] @ inv
        vv = (v[:, :, None] * v[:, None, :]).reshape(len(v), -1)
        out[s0 : s0 + chunk] = 0.5 * (vv @ dflat - tr) + v @ dM.T
    return out


def _row_order(g: GroupData) -> np.ndarray:
    """Row indices of a FIML group's respondents (rows without any answer excluded), sorted."""
    if "_order" not in g.__dict__:
        g.__dict__["_order"] = np.sort(np.concatenate([pt.rows for pt in g.patterns]))
    return g.__dict__["_order"]


# ------------------------------------------------------------------------------------------------ start values
def _fabin3(s: np.ndarray) -> np.ndarray:
    """FABIN 3 loadings of one factor with the first indicator as marker (lavaan ``lav_cfa_1fac_fabin``)."""
    k = s.shape[0]
    if k < 4:
        return _three_indicators(s)
    lam = np.ones(k)
    for i in range(1, k):
        idx3 = [j for j in range(k) if j not in (0, i)]
        s23 = s[i, idx3]
        s31 = s[idx3, 0]
        try:
            tmp = np.linalg.solve(s[np.ix_(idx3, idx3)], s31)
            lam[i] = (s23 @ tmp) / (s31 @ tmp)
        except np.linalg.LinAlgError:
            lam[i] = (s23 @ s31) / (s31 @ s31)
    lower_psi = 0.1 * s[0, 0]
    for i in range(1, k):
        bound = np.sqrt(s[i, i] / lower_psi)
        lam[i] = min(max(-bound, lam[i]), bound)
    return lam


def _three_indicators(s: np.ndarray) -> np.ndarray:
    k = s.shape[0]
    if k == 1:
        return np.ones(1)
    if k == 2:
        s = np.array(
            [
                [s[0, 0], s[0, 1], s.diagonal().mean()],
                [s[0, 1], s[1, 1], s[1, 0]],
                [s.diagonal().mean(), s[1, 0], s.diagonal().max()],
            ]
        )
    s21, s31, s32 = s[1, 0], s[2, 0], s[2, 1]
    if s21 * s31 * s32 < 0 or s31 == 0 or s21 == 0:
        return np.ones(k)
    psi = s21 * s31 / s32
    lower_psi = 0.1 * s[0, 0]
    psi = min(max(psi, lower_psi), s[0, 0])
    lam = np.array([1.0, s32 / s31, s32 / s21])
    for i in (1, 2):
        b = np.sqrt(s[i, i] / lower_psi)
        lam[i] = min(max(-b, lam[i]), b)
    return lam[:k]


def start_values(model: Model, groups: list[GroupData], how: str = "default") -> np.ndarray:
    """Start values: ``"default"`` (each factor's one-factor minres solution on the correlation matrix, so the start
    does not depend on the items' scales, with least-squares factor correlations), ``"fabin"`` (FABIN 3 loadings as
    lavaan, least-squares latent covariances), ``"simple"`` (lavaan's: loadings 1, latent variances 0.05) or
    ``"small"`` (loadings from the first principal axis of each factor)."""
    if how == "default":
        return _standardised_start(model, groups)
    theta = np.zeros(model.q)
    count = np.zeros(model.q)
    ov, lv = model.ov, model.lv
    for k, g in enumerate(groups):
        S = g.S
        lam = np.zeros((model.p, model.m))
        for rw in model.rows:
            if rw.group == k and rw.mat == "L":
                lam[rw.i, rw.j] = rw.value if rw.free < 0 else 1.0
        if how != "simple":
            for j, f in enumerate(lv):
                items = [ov.index(i) for i in model.spec.indicators[f]]
                sub = S[np.ix_(items, items)]
                est = _fabin3(sub) if how == "fabin" else _first_axis(sub)
                for t, i in enumerate(items):
                    rw = _row(model, k, "L", i, j)
                    if rw is not None and rw.free >= 0:
                        fixed_first = _row(model, k, "L", items[0], j)
                        scale = fixed_first.value if fixed_first is not None and fixed_first.free < 0 else 1.0
                        lam[i, j] = est[t] * scale
        theta_d = 0.5 * np.diag(S)
        if how == "simple":
            psi = np.eye(model.m) * 0.05
        else:
            pinv = np.linalg.pinv(lam)
            psi = pinv @ (S - np.diag(theta_d)) @ pinv.T
            w, v = np.linalg.eigh((psi + psi.T) / 2)
            floor = 0.05 * max(w.max(), 1e-3)
            psi = (v * np.maximum(w, floor)) @ v.T
        for rw in model.rows:
            if rw.group != k or rw.free < 0:
                continue
            if rw.mat == "L":
                val = lam[rw.i, rw.j]
            elif rw.mat == "P":
                val = psi[rw.i, rw.j]
            elif rw.mat == "T":
                val = theta_d[rw.i] if rw.i == rw.j else 0.0
            elif rw.mat == "N":
                val = g.M[rw.i]
            else:  # regressions, latent means
                val = 0.0
            theta[rw.free] += val
            count[rw.free] += 1
    return theta / np.maximum(count, 1)


def _standardised_start(model: Model, groups: list[GroupData]) -> np.ndarray:
    theta = np.zeros(model.q)
    count = np.zeros(model.q)
    ov, lv = model.ov, model.lv
    for k, g in enumerate(groups):
        S = g.S
        sd = np.sqrt(np.diag(S))
        R = S / np.outer(sd, sd)
        lam_std = np.zeros((model.p, model.m))
        lam = np.zeros((model.p, model.m))
        psi_d = np.ones(model.m)
        for j, f in enumerate(lv):
            items = [ov.index(i) for i in model.spec.indicators[f]]
            if len(items) >= 3:
                ls = minres_one_factor(R[np.ix_(items, items)])
            elif len(items) == 2:
                r12 = R[items[0], items[1]]
                ls = np.array([1.0, np.sign(r12) or 1.0]) * np.sqrt(max(abs(r12), 0.09))
            else:
                ls = np.array([0.9])
            if ls[0] < 0:
                ls = -ls
            ls = np.sign(ls + 1e-300) * np.clip(np.abs(ls), 0.2, 0.95)
            lam_std[items, j] = ls
            marker = _row(model, k, "L", items[0], j)
            v = marker.value if marker is not None and marker.free < 0 and marker.value != 0 else 1.0
            raw = ls * sd[items]
            lam[items, j] = raw / raw[0] * v
            psi_d[j] = (raw[0] / v) ** 2
        # factor correlations by least squares on the item correlations between the factors' blocks
        m = model.m
        phi = np.eye(m)
        for a in range(m):
            for b in range(a):
                ia = np.flatnonzero(lam_std[:, a])
                ib = np.flatnonzero(lam_std[:, b])
                w = np.outer(lam_std[ia, a], lam_std[ib, b])
                rr = R[np.ix_(ia, ib)]
                den = np.sum(w * w)
                phi[a, b] = phi[b, a] = np.clip(np.sum(w * rr) / den, -0.95, 0.95) if den > 0 else 0.0
        wv, vv = np.linalg.eigh(phi)
        phi = (vv * np.maximum(wv, 0.05)) @ vv.T
        dphi = np.sqrt(np.diag(phi))
        phi = phi / np.outer(dphi, dphi)
        psi = phi * np.sqrt(np.outer(psi_d, psi_d))
        h = np.einsum("ij,jk,ik->i", lam_std, phi, lam_std)
        theta_d = np.diag(S) * np.clip(1 - h, 0.1, 0.9)
        for rw in model.rows:
            if rw.group != k or rw.free < 0:
                continue
            if rw.mat == "L":
                val = lam[rw.i, rw.j] if lam[rw.i, rw.j] != 0 else 0.1 * sd[rw.i]
            elif rw.mat == "P":
                val = psi[rw.i, rw.j]
            elif rw.mat == "T":
                val = theta_d[rw.i] if rw.i == rw.j else 0.0
            elif rw.mat == "N":
                val = g.M[rw.i]
            else:  # regressions, latent means
                val = 0.0
            theta[rw.free] += val
            count[rw.free] += 1
    return theta / np.maximum(count, 1)


def _first_axis(s: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    w, v = np.linalg.eigh(r)
    lam = v[:, -1] * np.sqrt(max(w[-1], 1e-6)) * sd
    return lam / lam[0] if abs(lam[0]) > 1e-8 else np.ones(len(lam))


def _row(model: Model, g: int, mat: str, i: int, j: int):
    key = ("_rowmap",)
    if key not in model.__dict__:
        model.__dict__[key] = {(r.group, r.mat, r.i, r.j): r for r in model.rows}
    return model.__dict__[key].get((g, mat, i, j))


def carry_start(model: Model, prev: Model, theta_prev: np.ndarray) -> np.ndarray | None:
    """Start values for ``model`` from the estimates of ``prev``, a model of the same rows (another level of an
    invariance sequence): each free row takes the value of its row in ``prev`` (a row fixed there, such as a latent
    mean fixed at 0 before intercepts are equated, its fixed value); rows made equal take the mean of their values.
    None when a row has no counterpart."""
    if model.n_groups != prev.n_groups or model.ov != prev.ov or model.lv != prev.lv:
        return None
    old = {(r.group, r.lhs, r.op, r.rhs): r for r in prev.rows}
    theta = np.zeros(model.q)
    count = np.zeros(model.q)
    for r in model.rows:
        if r.free < 0:
            continue
        o = old.get((r.group, r.lhs, r.op, r.rhs))
        if o is None:
            return None
        theta[r.free] += theta_prev[o.free] if o.free >= 0 else o.value
        count[r.free] += 1
    if not np.all(count > 0):
        return None
    return theta / count


# --------------------------------------------------------------------------------------------------- optimiser
@dataclass
class Estimate:
    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    message: str = ""
    start: str = "default"


def _scoring(prob: Problem, theta: np.ndarray, *, max_iter: int = 1000) -> Estimate:
    """Fisher scoring with Levenberg damping and an Armijo line search on the PD-checked objective; near the
    minimum, Newton steps with the observed information when scoring converges slowly (FIML, poor fit)."""
    f = prob.value(theta)
    if not np.isfinite(f):
        return Estimate(theta, np.inf, False, 0, "the start values give a non-positive-definite Sigma")
    lam = 0.0
    it = 0
    newton = False
    hess = None
    refreshes = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is reported)
        if newton:
            # the observed information, computed once near the minimum and kept (it hardly changes there)
            g = prob.gradient(theta)
            if hess is None:
                hess = prob.hessian(theta)
            info = hess
        else:
            g, info = prob.gradient(theta, info=True)
        if not np.all(np.isfinite(g)):
            return Estimate(theta, f, False, it, "the gradient is not finite")
        dscale = np.sqrt(np.maximum(np.abs(np.diag(info)), 1e-12))
        accepted = False
        for _ in range(12):  # damping levels
            mat = info / np.outer(dscale, dscale) + lam * np.eye(len(g))
            try:
                c = np.linalg.cholesky(mat)
                step = -linalg.cho_solve((c, True), g / dscale) / dscale
            except np.linalg.LinAlgError:
                lam = max(lam * 10, 1e-6)
                continue
            slope = g @ step
            if slope >= 0:
                lam = max(lam * 10, 1e-6)
                continue
            t = 1.0
            for _ in range(40):
                new = theta + t * step
                fn = prob.value(new)
                if fn <= f + 1e-4 * t * slope:
                    accepted = True
                    break
                t *= 0.5
            if accepted:
                break
            lam = max(lam * 10, 1e-6)
        if not accepted:
            # at a minimum to machine precision the line search cannot decrease f any more
            if np.max(np.abs(g)) < 1e-7:
                return Estimate(theta, f, True, it, "")
            if not newton:
                newton = True
                continue
            if hess is not None and refreshes < 3:
                hess = None  # refresh the observed information
                refreshes += 1
                continue
            return Estimate(theta, f, False, it, "the line search found no decrease")
        lam = lam / 10 if lam > 1e-8 else 0.0
        dx = t * step
        theta, f_old, f = new, f, fn
        decrement = -slope  # g' I^-1 g (undamped): the Newton decrement
        if (np.max(np.abs(dx)) < 1e-9 * (1 + np.max(np.abs(theta))) and decrement < 1e-14) or (
            abs(f_old - f) < 1e-16 * (1 + abs(f)) and np.max(np.abs(g)) < 1e-9
        ):
            return Estimate(theta, f, True, it, "")
        if not newton and decrement < 1e-7 and (prob.fiml or it >= 60):
            newton = True
    return Estimate(theta, f, False, it, f"no convergence in {max_iter} iterations")


def _polish(prob: Problem, est: Estimate) -> Estimate:
    """Quasi-Newton (BFGS) from the best point found, on parameters scaled by the information's diagonal (so that
    items on very different scales do not make it ill-conditioned), with the PD-checked objective."""
    _, info = prob.gradient(est.theta, info=True)
    d = np.diag(info) if info is not None else np.ones(len(est.theta))
    sc = np.where(np.isfinite(d) & (d > 0), 1 / np.sqrt(np.where(d > 0, d, 1.0)), 1.0)

    def grad(u):
        gr = prob.gradient(u * sc) * sc
        return np.where(np.isfinite(gr), gr, 0.0)

    res = optimize.minimize(
        lambda u: prob.value(u * sc), est.theta / sc, jac=grad, method="BFGS", options={"gtol": 1e-10, "maxiter": 2000}
    )
    theta = res.x * sc
    fval = prob.value(theta)
    if np.isfinite(fval) and fval <= est.fmin + 1e-12:
        polished = _scoring(prob, theta, max_iter=200)  # finish with scoring / Newton steps near the minimum
        if polished.converged or polished.fmin < fval:
            polished.iterations += est.iterations + int(res.nit)
            return polished
        g = prob.gradient(theta)
        ok = bool(np.all(np.isfinite(g)) and np.max(np.abs(g)) < 1e-6)
        return Estimate(theta, float(fval), ok, est.iterations + int(res.nit), "" if ok else str(res.message))
    return est


def _trust(prob: Problem, est: Estimate) -> Estimate:
    """Trust-region Newton with the observed information (numerical Hessian of the analytic gradient), on
    parameters scaled by the expected information's diagonal: where Fisher scoring crawls along a degenerate ridge
    (its information is positive definite by construction, blind to negative curvature), this follows the true
    curvature. Used only when scoring did not converge."""
    _, info = prob.gradient(est.theta, info=True)
    d = np.diag(info)
    sc = np.where(np.isfinite(d) & (d > 0), 1 / np.sqrt(np.where(d > 0, d, 1.0)), 1.0)

    def fun(u):
        return prob.value(u * sc)

    def grad(u):
        g = prob.gradient(u * sc)
        return np.where(np.isfinite(g), g * sc, 0.0)

    def hess(u):
        h = prob.hessian(u * sc) * np.outer(sc, sc)
        return np.where(np.isfinite(h), h, 0.0)

    try:
        res = optimize.minimize(
            fun, est.theta / sc, jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-10, "maxiter": 30}
        )
    except (ValueError, np.linalg.LinAlgError):
        return est
    theta = res.x * sc
    fval = prob.value(theta)
    if not (np.isfinite(fval) and fval <= est.fmin + 1e-14):
        return est
    finish = _scoring(prob, theta, max_iter=100)
    if finish.fmin <= fval:
        finish.iterations += est.iterations + int(res.nit)
        finish.start = est.start
        return finish
    g = prob.gradient(theta)
    ok = bool(np.all(np.isfinite(g)) and np.max(np.abs(g)) < 1e-8)
    return Estimate(theta, float(fval), ok, est.iterations + int(res.nit), "" if ok else str(res.message), est.start)


def _proper(prob: Problem, theta: np.ndarray) -> bool:
    """No negative variance and positive-definite latent covariance matrices."""
    m = prob.model
    for r in m.rows:
        if r.op == "~~" and r.lhs == r.rhs and r.free >= 0 and theta[r.free] < 0:
            return False
    for g in range(m.n_groups):
        _, _, mats = m.implied(theta, g)
        if m.m and np.linalg.eigvalsh(m.eta_cov(mats)).min() <= 0:
            return False
    return True


def estimate(prob: Problem, *, start: np.ndarray | None = None, warm: np.ndarray | None = None) -> Estimate:
    """Minimise the objective from several starts: the first proper converged solution is taken; an improper one is
    checked from one other start (the lower converged minimum wins); when no start converges, trust-region Newton
    from the lowest point found, then a scaled BFGS polish.

    ``warm``: a start near the solution (the previous level's estimates in an invariance sequence), tried first and
    kept only when scoring from it converges to a proper solution; otherwise it is forgotten and the estimation runs
    exactly as without it (so a problem case is judged from the usual starts, with their budgets)."""
    if warm is not None and np.all(np.isfinite(warm)):
        with single_thread():
            est = _scoring(prob, np.asarray(warm, dtype=float), max_iter=500)
            if est.converged and _proper(prob, est.theta):
                est.start = "warm"
                return est
    starts = [("given", start)] if start is not None else []
    starts += [("default", None), ("fabin", None), ("simple", None), ("small", None)]
    found: list[Estimate] = []
    with single_thread():
        for name, th0 in starts:
            th = start_values(prob.model, prob.groups, name) if th0 is None else th0
            # the first start gets the full budget; the others, tried when it ends improper or nowhere, a shorter one
            est = _scoring(prob, th, max_iter=500 if not found else 150)
            est.start = name
            found.append(est)
            if est.converged and _proper(prob, est.theta):
                return est
            if len(found) >= 2 and any(e.converged for e in found):
                break  # an improper minimum was checked from one other start: enough (it is usually the minimum)
        converged = [e for e in found if e.converged]
        if converged:
            return min(converged, key=lambda e: e.fmin)
        finite = [e for e in found if np.isfinite(e.fmin)]
        if not finite:
            return found[0]
        best = min(finite, key=lambda e: e.fmin)
        est = _trust(prob, best) if prob.model.q <= 200 else best
        if not est.converged:
            est = _polish(prob, est)
        est.start = best.start
        return est


# --------------------------------------------------------------------------------------------------- inference
def information_expected(prob: Problem, theta: np.ndarray) -> np.ndarray:
    return prob.gradient(theta, info=True)[1]


def safe_inverse(a: np.ndarray) -> np.ndarray | None:
    """Inverse of a symmetric information matrix, or None when it is singular (model not identified)."""
    try:
        c = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        w = np.linalg.eigvalsh(a)
        if w.min() <= 1e-10 * max(w.max(), 1e-300):
            return None
        return np.linalg.inv(a)
    ci = linalg.solve_triangular(c, np.eye(len(a)), lower=True)
    return ci.T @ ci


def first_order(prob: Problem, theta: np.ndarray) -> list[np.ndarray]:
    """Per group: B0_g = mean over respondents of the outer product of casewise scores (lavaan first.order)."""
    out = []
    for k, g in enumerate(prob.groups):
        sc = prob.scores(theta, k)
        out.append(sc.T @ sc / g.n)
    return out


# ----------------------------------------------------------------------------------------------- H1 (saturated)
def _vech_basis(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower-triangle (row >= col) index pairs and the symmetric unit matrices E_ij as an array (p*, p, p)."""
    r, c = np.tril_indices(p)
    E = np.zeros((len(r), p, p))
    E[np.arange(len(r)), r, c] = 1.0
    E[np.arange(len(r)), c, r] = 1.0
    return r, c, E


def h1_parts(g: GroupData, meanstructure: bool, fiml: bool) -> tuple[np.ndarray, np.ndarray]:
    """(A1, B1) of the saturated model of one group, per observation: the unstructured information (observed =
    expected at the estimates for complete data; the observed information of the incomplete-data likelihood for
    FIML) and the first-order information from casewise scores (lavaan h1.information = "unstructured")."""
    p = len(g.M)
    r, c, E = _vech_basis(p)
    sig, mu = g.S, g.M
    k = len(r)
    dM = np.vstack([np.zeros((k, p)), np.eye(p)]) if meanstructure else np.zeros((k, p))
    dS = np.concatenate([E, np.zeros((p, p, p))]) if meanstructure else E
    q = dS.shape[0]
    if not fiml:
        inv, _ = _chol_inv(sig)
        A = np.matmul(inv, dS)
        A1 = 0.5 * A.reshape(q, -1) @ A.transpose(0, 2, 1).reshape(q, -1).T + dM @ inv @ dM.T
        sc = _case_scores(g.x - mu, inv, dS, dM)
        return A1, sc.T @ sc / g.n
    # incomplete data: scores per pattern at the EM estimates; A1 = Hessian of -logl/n (analytic, per pattern)
    sc_all = []
    A1 = np.zeros((q, q))
    for pt in g.patterns:
        o = pt.obs
        inv, _ = _chol_inv(sig[np.ix_(o, o)])
        dso = dS[:, o][:, :, o]
        dmo = dM[:, o]
        sc_all.append(_case_scores(g.x[np.ix_(pt.rows, o)] - mu[o], inv, dso, dmo))
        # observed information of the pattern: E over its rows of the negative Hessian of log f
        d = pt.mean - mu[o]
        W = pt.cov + np.outer(d, d)  # mean of r r' over the pattern
        Ainv = np.matmul(inv, dso)  # inv dS_a
        # -d2 l/da db = 0.5 tr(inv dSa inv dSb inv (2W - Sigma)) ... written out:
        t1 = -0.5 * np.einsum("aij,bji->ab", Ainv, Ainv)
        t2 = np.einsum("aij,bjk,ki->ab", Ainv, Ainv, inv @ W)
        t2 = t2 + t2.T
        md = dmo @ inv @ dmo.T
        t3 = np.einsum("aij,j,bi->ab", Ainv, inv @ d, dmo)
        A1 += pt.n / g.n * (t1 + 0.5 * t2 + md + t3 + t3.T)
    sc = np.vstack(sc_all)
    return A1, sc.T @ sc / g.n


# ---------------------------------------------------------------------------------------------- fit measures
def baseline_chisq(groups: list[GroupData], fiml: bool) -> float:
    """Chi-square of the independence model (variances and means free): closed form per item."""
    total = 0.0
    for g in groups:
        if not fiml:
            total += g.n * (np.sum(np.log(np.diag(g.S))) - np.linalg.slogdet(g.S)[1])
            continue
        # independence model by FIML: each item's available-case mean and variance (divisor n_j)
        p = len(g.M)
        logl_b = 0.0
        for j in range(p):
            col = g.x[:, j]
            col = col[~np.isnan(col)]
            var = col.var()
            logl_b += -len(col) / 2 * (LOG2PI + np.log(var) + 1)
        total += 2 * (g.logl_h1 - logl_b)
    return float(total)


def rmsea_ci(chi2: float, df: float, N: float, G: int, level: float = 0.90, c_hat: float = 1.0):
    """lavaan ``lav_fit_rmsea_ci``: the 90% interval by inverting the noncentral chi-square distribution."""
    if not (np.isfinite(chi2) and df >= 1):
        return 0.0, 0.0
    up_p, lo_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return stats.ncx2.cdf(chi2, df, lam) if lam > 0 else stats.chi2.cdf(chi2, df)

    lower = 0.0
    if cdf(0) - up_p >= 0:
        lam = optimize.brentq(lambda L: cdf(L) - up_p, 0, chi2, xtol=1e-12)
        lower = np.sqrt(c_hat * lam / (N * df)) * np.sqrt(G)
    upper = 0.0
    n_r = max(N, chi2 * 4)
    if not (cdf(n_r) - lo_p > 0 or cdf(0) - lo_p < 0):
        lam = optimize.brentq(lambda L: cdf(L) - lo_p, 0, n_r, xtol=1e-12)
        upper = np.sqrt(c_hat * lam / (N * df)) * np.sqrt(G)
    return float(lower), float(upper)


def incremental(chi2, df, chi2_b, df_b, c_hat=1.0, c_hat_b=1.0):
    """CFI and TLI (lavaan ``lav_fit_cfi``/``lav_fit_tli``, with the robust c-hat correction when given)."""
    t1 = max(chi2 - c_hat * df, 0.0)
    t2 = max(chi2 - c_hat * df, chi2_b - c_hat_b * df_b, 0.0)
    cfi = 1.0 if (abs(t1) < 1e-12 and abs(t2) < 1e-12) else 1 - t1 / t2
    u1 = (chi2 - c_hat * df) * df_b
    u2 = (chi2_b - c_hat_b * df_b) * df
    tli = 1 - u1 / u2 if df > 0 and abs(u2) > 0 else 1.0
    return float(cfi), float(tli)


def rmsea(chi2, df, N, G, c_hat=1.0) -> float:
    return float(np.sqrt(max(chi2 / N / df - c_hat / N, 0.0)) * np.sqrt(G)) if df > 0 else 0.0


def srmr(model: Model, theta: np.ndarray, groups: list[GroupData]) -> float:
    """lavaan's ``srmr`` (Bentler): residuals of covariances (and means) scaled by the sample (H1) SDs, lower
    triangle with the diagonal, averaged per group and weighted by n_g / N."""
    N = sum(g.n for g in groups)
    total = 0.0
    for k, g in enumerate(groups):
        sig, mu, _ = model.implied(theta, k)
        sd = np.sqrt(np.diag(g.S))
        e = (g.S - sig) / np.outer(sd, sd)
        il = np.tril_indices(model.p)
        ss = np.sum(e[il] ** 2)
        cnt = len(il[0])
        if model.meanstructure:
            ss += np.sum(((g.M - mu) / sd) ** 2)
            cnt += model.p
        total += g.n / N * np.sqrt(ss / cnt)
    return float(total)


@dataclass
class MLFit:
    """Everything a result table needs from one ML fit."""

    model: Model
    prob: Problem
    est: Estimate
    vcov: np.ndarray | None
    measures: dict
    robust: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def theta(self) -> np.ndarray:
        return self.est.theta


def fit_ml(
    model: Model,
    groups: list[GroupData],
    *,
    estimator: str = "ML",
    fiml: bool = False,
    start: np.ndarray | None = None,
    warm: np.ndarray | None = None,
    level: float = 0.90,
) -> MLFit:
    """Fit by ML (``estimator="ML"``) or ML with robust (Huber-White) SEs and the Yuan-Bentler scaled test
    (``"MLR"``), on complete data or by FIML; lavaan's conventions for information matrices and tests. ``warm``: a
    start near the solution, tried first (see :func:`estimate`)."""
    df = model.df()
    if df < 0:
        raise KinerjaError(
            f"The model has {model.q} free parameters but the data give {model.n_groups * model.n_moments()} "
            f"moments (df = {df}); the rule is that a model must be identified (df >= 0): add items, or fix a "
            f"loading or equate loadings of a two-item factor."
        )
    prob = Problem(model, groups, fiml=fiml)
    est = estimate(prob, start=start, warm=warm)
    theta = est.theta
    N = prob.N
    G = model.n_groups
    notes: list[str] = []
    with single_thread():
        if not np.isfinite(est.fmin):
            return MLFit(model, prob, est, None, {}, estimator == "MLR", ["no admissible solution"])
        robust = estimator == "MLR"
        if fiml or robust:
            E = prob.hessian(theta)
        else:
            E = information_expected(prob, theta)
        E_inv = safe_inverse(E)
        vcov = None
        B0 = None
        if E_inv is not None:
            if robust:
                B0 = first_order(prob, theta)
                B = sum(w * b for w, b in zip(prob.w, B0))
                vcov = E_inv @ B @ E_inv / N
            else:
                vcov = E_inv / N
        # test statistics
        if fiml:
            logl = prob.logl(theta)
            logl_h1 = sum(g.logl_h1 for g in groups)
            chi2 = 2 * (logl_h1 - logl)
        else:
            chi2 = 2 * N * est.fmin
            logl = prob.logl(theta)
        chi2 = max(float(chi2), 0.0)
        chi2_b = baseline_chisq(groups, fiml)
        p = model.p
        df_b = G * p * (p - 1) // 2
        meas = {
            "chisq": chi2,
            "df": float(df),
            "pvalue": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
            "baseline_chisq": chi2_b,
            "baseline_df": float(df_b),
        }
        meas["cfi"], meas["tli"] = incremental(chi2, df, chi2_b, df_b)
        meas["rmsea"] = rmsea(chi2, df, N, G)
        meas["rmsea_ci_lower"], meas["rmsea_ci_upper"] = rmsea_ci(chi2, df, N, G, level)
        meas["rmsea_pvalue"] = float(stats.ncx2.sf(chi2, df, N * df * 0.05**2 / G)) if df > 0 else np.nan
        meas["srmr"] = srmr(model, theta, groups)
        k = model.q  # lavaan's npar: free parameters (saturated means are not counted without a mean structure)
        meas["logl"] = logl
        meas["aic"] = -2 * logl + 2 * k
        meas["bic"] = -2 * logl + np.log(N) * k
        meas["npar"] = float(k)
        if robust and E_inv is not None and df > 0:
            c_hat, c_hat_b = yuan_bentler(prob, theta, E_inv, B0, fiml)
            rob = robust_measures(meas, c_hat, c_hat_b, N, G, level)
            if fiml:
                # lavaan's robust CFI/TLI/RMSEA after FIML are Zhang & Savalei's (2023) corrections, not these:
                # only the scaled statistics (which agree with lavaan) are reported
                rob = {k: v for k, v in rob.items() if "robust" not in k}
            meas.update(rob)
    return MLFit(model, prob, est, vcov, meas, estimator == "MLR", notes)


def yuan_bentler(prob: Problem, theta, E_inv, B0, fiml: bool) -> tuple[float, float]:
    """Scaling factors (model, baseline) of the Yuan-Bentler test, Mplus variant (lavaan ``yuan.bentler.mplus``):
    c = [sum_g tr(A1_g^-1 B1_g) - sum_g f_g tr(B0_g E^-1)] / df, with A1, B1 the saturated model's unstructured and
    first-order information and E, B0 the model's observed and first-order information."""
    model = prob.model
    ms = model.meanstructure
    tr_h1 = 0.0
    for g in prob.groups:
        A1, B1 = h1_parts(g, ms, fiml)
        tr_h1 += float(np.sum(B1 * np.linalg.inv(A1).T))
    tr_h0 = sum(w * float(np.sum(b * E_inv.T)) for w, b in zip(prob.w, B0))
    c_hat = (tr_h1 - tr_h0) / model.df()
    # baseline (independence) model: item variances (and means) free per group, fitted apart from the model
    tr_h0_b = sum(_baseline_trace(g, ms, fiml) for g in prob.groups)
    p = model.p
    df_b = model.n_groups * p * (p - 1) // 2
    c_hat_b = (tr_h1 - tr_h0_b) / df_b
    return float(c_hat), float(c_hat_b)


def _baseline_trace(g: GroupData, meanstructure: bool, fiml: bool) -> float:
    """tr(B0 E^-1) of the independence model of one group at its estimates (available-case means and variances):
    E is diagonal, 0.5 / s_jj^2 per variance and 1 / s_jj per mean, times the share of respondents answering j."""
    x = g.x
    obs = ~np.isnan(x) if fiml else np.ones(x.shape, dtype=bool)
    n_j = obs.sum(axis=0)
    m = np.where(obs, x, 0.0).sum(axis=0) / n_j
    r = np.where(obs, x - m, 0.0)
    s = (r**2).sum(axis=0) / n_j
    sc_var = np.where(obs, 0.5 * (r**2 / s**2 - 1 / s), 0.0)
    e_var = n_j / g.n * 0.5 / s**2
    if meanstructure:
        sc = np.hstack([sc_var, r / s])
        e = np.concatenate([e_var, n_j / g.n / s])
    else:
        sc, e = sc_var, e_var
    b0 = sc.T @ sc / g.n
    return float(np.sum(np.diag(b0) / e))


def robust_measures(meas: dict, c_hat: float, c_hat_b: float, N: float, G: int, level: float) -> dict:
    """Scaled chi-square and lavaan's robust CFI/TLI/RMSEA (Brosseau-Liard & Savalei 2014; Brosseau-Liard, Savalei &
    Li 2012) from the scaling factors of the model and of the baseline model."""
    chi2, df = meas["chisq"], meas["df"]
    chi2_b, df_b = meas["baseline_chisq"], meas["baseline_df"]
    sc = chi2 / c_hat
    sc_b = chi2_b / c_hat_b
    out = {
        "chisq_scaled": float(sc),
        "pvalue_scaled": float(stats.chi2.sf(sc, df)),
        "chisq_scaling_factor": float(c_hat),
        "baseline_chisq_scaled": float(sc_b),
        "baseline_chisq_scaling_factor": float(c_hat_b),
    }
    out["cfi_scaled"], out["tli_scaled"] = incremental(sc, df, sc_b, df_b)
    out["cfi_robust"], out["tli_robust"] = incremental(chi2, df, chi2_b, df_b, c_hat, c_hat_b)
    out["rmsea_scaled"] = rmsea(sc, df, N, G)
    out["rmsea_robust"] = rmsea(chi2, df, N, G, c_hat)
    lo, hi = rmsea_ci(sc, df, N, G, level, c_hat)
    out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = lo, hi
    return out
