"""Ordinal items: thresholds, polychoric correlations, their asymptotic covariance, and WLSMV (lavaan conventions).

Step 1: thresholds of each item from its marginal proportions (probit, tau_k = Phi^-1(P(y <= k))). Step 2: each
polychoric correlation by maximum likelihood over its bivariate table with the thresholds fixed (two-step; the
bivariate normal probabilities by Genz's algorithm, Drezner & Wesolowsky 1989, accurate to about 1e-15). Step 3:
their asymptotic covariance Gamma by Muthen's (1984) sandwich B^-1 (S'S) B^-T of the stacked casewise scores, with
the bread built from score cross-products exactly as lavaan ``muthen1984()``. WLSMV: DWLS with weights
1/diag(Gamma) (chi-square = sum_g (n_g - 1) F_g as lavaan), robust sandwich standard errors, and the scaled-shifted
test of Asparouhov & Muthen (2010) ("T3").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, optimize, stats
from scipy.special import ndtr

from kinerja_research.errors import KinerjaError
from kinerja_research.measure._core import single_thread
from kinerja_research.measure._model import Model
from kinerja_research.measure._sem import Estimate, incremental, rmsea, rmsea_ci, safe_inverse, start_values

__all__: list[str] = []

TWO_PI = 2 * np.pi
# Gauss-Legendre points and weights (half rules) of Genz's BVNU for |r| < 0.3, < 0.75, otherwise
_GL = {
    3: (
        np.array([0.1713244923791705, 0.3607615730481384, 0.4679139345726904]),
        np.array([0.9324695142031522, 0.6612093864662647, 0.2386191860831970]),
    ),
    6: (
        np.array(
            [
                0.04717533638651177,
                0.1069393259953183,
                0.1600783285433464,
                0.2031674267230659,
                0.2334925365383547,
                0.2491470458134029,
            ]
        ),
        np.array(
            [
                0.9815606342467191,
                0.9041172563704750,
                0.7699026741943050,
                0.5873179542866171,
                0.3678314989981802,
                0.1252334085114692,
            ]
        ),
    ),
    10: (
        np.array(
            [
                0.01761400713915212,
                0.04060142980038694,
                0.06267204833410906,
                0.08327674157670475,
                0.1019301198172404,
                0.1181945319615184,
                0.1316886384491766,
                0.1420961093183821,
                0.1491729864726037,
                0.1527533871307259,
            ]
        ),
        np.array(
            [
                0.9931285991850949,
                0.9639719272779138,
                0.9122344282513259,
                0.8391169718222188,
                0.7463319064601508,
                0.6360536807265150,
                0.5108670019508271,
                0.3737060887154196,
                0.2277858511416451,
                0.07652652113349733,
            ]
        ),
    ),
}


def _bvnu(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """P(X > h, Y > k) for a standard bivariate normal with correlation r (finite h, k; Genz's method)."""
    h = np.asarray(h, dtype=float)
    k = np.asarray(k, dtype=float)
    if r == 0:
        return ndtr(-h) * ndtr(-k)
    n = 3 if abs(r) < 0.3 else (6 if abs(r) < 0.75 else 10)
    w, x = _GL[n]
    w = np.concatenate([w, w])
    x = np.concatenate([1 - x, 1 + x])
    hk = h * k
    if abs(r) < 0.925:
        hs = (h * h + k * k) / 2
        asr = np.arcsin(r) / 2
        sn = np.sin(asr * x)  # (2n,)
        e = np.exp((sn[None, :] * hk[..., None] - hs[..., None]) / (1 - sn**2)[None, :])
        return e @ w * asr / TWO_PI + ndtr(-h) * ndtr(-k)
    kk = -k if r < 0 else k
    hk = -hk if r < 0 else hk
    bvn = np.zeros(np.broadcast(h, kk).shape)
    if abs(r) < 1:
        as_ = (1 - r) * (1 + r)
        a = np.sqrt(as_)
        bs = (h - kk) ** 2
        asr = -(bs / as_ + hk) / 2
        c = (4 - hk) / 8
        d = (12 - hk) / 80
        with np.errstate(over="ignore", under="ignore"):
            bvn = np.where(asr > -100, a * np.exp(asr) * (1 - c * (bs - as_) * (1 - d * bs) / 3 + c * d * as_**2), 0.0)
            b = np.sqrt(bs)
            sp = np.sqrt(TWO_PI) * ndtr(-b / a)
            bvn = bvn - np.where(hk > -100, np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3), 0.0)
            a2 = a / 2
            xs = (a2 * x) ** 2  # (2n,)
            asr2 = -(bs[..., None] / xs[None, :] + hk[..., None]) / 2
            sp2 = 1 + c[..., None] * xs * (1 + 5 * d[..., None] * xs)
            rs = np.sqrt(1 - xs)
            ep = np.exp(-(hk[..., None] / 2) * xs / (1 + rs) ** 2) / rs
            terms = np.where(asr2 > -100, np.exp(asr2) * (sp2 - ep), 0.0)
            bvn = (a2 * (terms @ w) - bvn) / TWO_PI
    if r > 0:
        bvn = bvn + ndtr(-np.maximum(h, kk))
    else:
        lo = np.where(h < 0, ndtr(kk) - ndtr(h), ndtr(-h) - ndtr(-kk))
        bvn = np.where(h >= kk, -bvn, lo - bvn)
    return np.clip(bvn, 0.0, 1.0)


def pbinorm(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """P(X < h, Y < k), with infinite bounds allowed."""
    h = np.asarray(h, dtype=float)
    k = np.asarray(k, dtype=float)
    h, k = np.broadcast_arrays(h, k)
    out = np.zeros(h.shape)
    fin = np.isfinite(h) & np.isfinite(k)
    if fin.any():
        out[fin] = _bvnu(-h[fin], -k[fin], r)
    hp, kp = h == np.inf, k == np.inf
    out[hp & np.isfinite(k)] = ndtr(k[hp & np.isfinite(k)])
    out[kp & np.isfinite(h)] = ndtr(h[kp & np.isfinite(h)])
    out[hp & kp] = 1.0
    return out


def dbinorm(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """Bivariate standard normal density (0 at infinite arguments)."""
    h, k = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float))
    out = np.zeros(h.shape)
    fin = np.isfinite(h) & np.isfinite(k)
    s = 1 - r * r
    hf, kf = h[fin], k[fin]
    out[fin] = np.exp(-(hf * hf - 2 * r * hf * kf + kf * kf) / (2 * s)) / (TWO_PI * np.sqrt(s))
    return out


# --------------------------------------------------------------------------------------- sample statistics
@dataclass
class _Pair:
    i: int
    j: int
    rho: float
    prob: np.ndarray  # K_i x K_j cell probabilities at rho
    d_rho: np.ndarray  # d prob / d rho
    d_ti: np.ndarray  # (K_i - 1) x K_i x K_j: d prob / d tau_i[t]
    d_tj: np.ndarray  # (K_j - 1) x K_i x K_j


@dataclass
class OrdinalGroup:
    """Sample statistics of one group of ordinal items for WLSMV."""

    n: int
    codes: np.ndarray  # n x p category indices (0..K_j - 1)
    n_cat: list[int]
    th: np.ndarray  # thresholds, item by item
    R: np.ndarray  # polychoric correlation matrix
    stats: np.ndarray  # [thresholds, correlations of the lower triangle, column by column]
    gamma: np.ndarray  # N x asymptotic covariance of stats (lavaan NACOV)
    V: np.ndarray = field(default_factory=lambda: np.zeros(0))  # DWLS weights 1 / diag(gamma)

    @property
    def S(self) -> np.ndarray:  # noqa: N802 (matches GroupData for start values)
        return self.R

    @property
    def M(self) -> np.ndarray:  # noqa: N802
        return np.zeros(self.R.shape[0])


def _extended(t: np.ndarray) -> np.ndarray:
    return np.concatenate([[-np.inf], t, [np.inf]])


def _cells(ti: np.ndarray, tj: np.ndarray, rho: float):
    ei, ej = _extended(ti), _extended(tj)
    F = pbinorm(ei[:, None], ej[None, :], rho)
    prob = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
    D = dbinorm(ei[:, None], ej[None, :], rho)
    d_rho = D[1:, 1:] - D[:-1, 1:] - D[1:, :-1] + D[:-1, :-1]
    return prob, d_rho


def _threshold_derivs(ti, tj, rho):
    """d prob_kl / d tau_i[t] for all t (and the same for tau_j), from phi(tau) times conditional probabilities."""
    Ki, Kj = len(ti) + 1, len(tj) + 1
    ej = _extended(tj)
    ei = _extended(ti)
    s = np.sqrt(1 - rho * rho)
    d_ti = np.zeros((Ki - 1, Ki, Kj))
    for t in range(Ki - 1):
        # P(X < tau_t, Y in (ej[l], ej[l+1])) differentiated in tau_t: phi(tau_t) [Phi((e_{l+1} - r tau)/s) - ...]
        cond = ndtr((ej - rho * ti[t]) / s)
        g = stats.norm.pdf(ti[t]) * (cond[1:] - cond[:-1])
        d_ti[t, t, :] += g  # cell k = t has tau_t as upper bound
        d_ti[t, t + 1, :] -= g  # cell k = t + 1 has it as lower bound
    d_tj = np.zeros((Kj - 1, Ki, Kj))
    for t in range(Kj - 1):
        cond = ndtr((ei - rho * tj[t]) / s)
        g = stats.norm.pdf(tj[t]) * (cond[1:] - cond[:-1])
        d_tj[t, :, t] += g
        d_tj[t, :, t + 1] -= g
    return d_ti, d_tj


def _polychoric(table: np.ndarray, ti: np.ndarray, tj: np.ndarray) -> float:
    """Two-step ML polychoric correlation of one bivariate table (thresholds fixed)."""

    def score(r):
        prob, d_rho = _cells(ti, tj, r)
        prob = np.maximum(prob, 1e-300)
        return float(np.sum(np.where(table > 0, table * d_rho / prob, 0.0)))

    lo, hi = -0.999, 0.999  # lavaan's bounds
    s_lo, s_hi = score(lo), score(hi)
    if s_lo <= 0:
        return lo
    if s_hi >= 0:
        return hi
    return float(optimize.brentq(score, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=200))


def ordinal_groups(xs: list[np.ndarray], ov: list[str], labels) -> tuple[list[OrdinalGroup], dict[str, int]]:
    """Categories (the values observed in any group, sorted), thresholds, polychorics and Gamma per group."""
    p = len(ov)
    allx = np.vstack(xs)
    levels = [np.unique(allx[:, j]) for j in range(p)]
    for j, lev in enumerate(levels):
        if len(lev) < 2:
            raise KinerjaError(
                f"Item {ov[j]!r} has only the answer {lev[0]:g}; the rule is that an ordinal item needs at least "
                f"two categories."
            )
    groups = []
    for gi, x in enumerate(xs):
        codes = np.empty(x.shape, dtype=int)
        for j in range(p):
            codes[:, j] = np.searchsorted(levels[j], x[:, j])
            present = np.unique(codes[:, j])
            if len(present) < len(levels[j]):
                miss = [float(levels[j][c]) for c in range(len(levels[j])) if c not in present]
                where = f" in group {labels[gi]!r}" if labels is not None else ""
                raise KinerjaError(
                    f"Item {ov[j]!r}{where} has no answer {miss[0]:g}; the rule is that every category of an "
                    f"ordinal item is used in every group (merge rare categories first)."
                )
        groups.append(_group_stats(codes, [len(lev) for lev in levels]))
    return groups, {v: len(levels[j]) - 1 for j, v in enumerate(ov)}


def _group_stats(codes: np.ndarray, n_cat: list[int]) -> OrdinalGroup:
    n, p = codes.shape
    th_list = []
    for j in range(p):
        counts = np.bincount(codes[:, j], minlength=n_cat[j])
        th_list.append(stats.norm.ppf(np.cumsum(counts)[:-1] / n))
    th = np.concatenate(th_list)
    R = np.eye(p)
    pairs = []
    for j in range(p):
        for i in range(j + 1, p):
            table = np.zeros((n_cat[i], n_cat[j]))
            np.add.at(table, (codes[:, i], codes[:, j]), 1)
            rho = _polychoric(table, th_list[i], th_list[j])
            R[i, j] = R[j, i] = rho
            prob, d_rho = _cells(th_list[i], th_list[j], rho)
            d_ti, d_tj = _threshold_derivs(th_list[i], th_list[j], rho)
            pairs.append(_Pair(i, j, rho, prob, d_rho, d_ti, d_tj))
    gamma = _gamma(codes, n_cat, th_list, pairs)
    stats_vec = np.concatenate([th, [pr.rho for pr in pairs]])
    g = OrdinalGroup(n, codes, list(n_cat), th, R, stats_vec, gamma)
    g.V = 1.0 / np.diag(gamma)
    return g


def _gamma(codes, n_cat, th_list, pairs) -> np.ndarray:
    """N x the asymptotic covariance of (thresholds, polychorics): Muthen (1984) as lavaan ``muthen1984()``."""
    n, p = codes.shape
    offs = np.concatenate([[0], np.cumsum([len(t) for t in th_list])])
    nth = int(offs[-1])
    npair = len(pairs)
    sc = np.zeros((n, nth + npair))
    # univariate threshold scores: d log P(y = k) / d tau_t
    for j in range(p):
        t = th_list[j]
        e = _extended(t)
        pk = ndtr(e[1:]) - ndtr(e[:-1])
        c = codes[:, j]
        phi = stats.norm.pdf(t)
        for s in range(len(t)):
            col = np.zeros(n_cat[j])
            col[s] = phi[s] / pk[s]
            col[s + 1] = -phi[s] / pk[s + 1]
            sc[:, offs[j] + s] = col[c]
    a21 = np.zeros((npair, nth))
    for k, pr in enumerate(pairs):
        ci, cj = codes[:, pr.i], codes[:, pr.j]
        table = np.zeros(pr.prob.shape)
        np.add.at(table, (ci, cj), 1.0)
        safe = np.where(pr.prob > 0, pr.prob, 1.0)
        cell_rho = np.where(pr.prob > 0, pr.d_rho / safe, 0.0)
        sc[:, nth + k] = cell_rho[ci, cj]
        # cross-products of the casewise scores depend on the cell only: sum over cells weighted by their counts
        w = table * cell_rho
        a21[k, offs[pr.i] : offs[pr.i + 1]] = np.einsum("kl,tkl->t", w, np.where(pr.prob > 0, pr.d_ti / safe, 0.0))
        a21[k, offs[pr.j] : offs[pr.j + 1]] = np.einsum("kl,tkl->t", w, np.where(pr.prob > 0, pr.d_tj / safe, 0.0))
    inner = sc.T @ sc
    a11 = np.zeros((nth, nth))
    for j in range(p):
        b = slice(offs[j], offs[j + 1])
        a11[b, b] = inner[b, b]
    a22 = np.diag(inner)[nth:]
    a11_inv = np.linalg.inv(a11)
    b_inv = np.zeros((nth + npair, nth + npair))
    b_inv[:nth, :nth] = a11_inv
    b_inv[nth:, nth:] = np.diag(1 / a22)
    b_inv[nth:, :nth] = -(a21 / a22[:, None]) @ a11_inv
    return (b_inv @ inner @ b_inv.T) * n


# ------------------------------------------------------------------------------------------------ WLSMV
@dataclass
class OrdinalFit:
    model: Model
    groups: list[OrdinalGroup]
    est: Estimate
    vcov: np.ndarray | None
    measures: dict
    E_inv: np.ndarray | None = None
    jac: list = field(default_factory=list)

    @property
    def theta(self) -> np.ndarray:
        return self.est.theta


def _implied_stats(model: Model, theta: np.ndarray, g: int, pairs_idx):
    sig, th, _ = model.implied(theta, g)
    return np.concatenate([th, sig[pairs_idx]])


def _jacobian(model: Model, theta: np.ndarray, g: int, pairs_idx) -> np.ndarray:
    idx, dS, dM = model.derivatives(theta, g)
    J = np.zeros((len(model.th_item) + len(pairs_idx[0]), model.q))
    J[: len(model.th_item), idx] = dM.T
    J[len(model.th_item) :, idx] = dS[:, pairs_idx[0], pairs_idx[1]].T
    return J


def _pairs_index(p: int):
    rows, cols = [], []
    for j in range(p):
        for i in range(j + 1, p):
            rows.append(i)
            cols.append(j)
    return np.array(rows, dtype=int), np.array(cols, dtype=int)


def fit_wlsmv(model: Model, groups: list[OrdinalGroup], *, start: np.ndarray | None = None) -> OrdinalFit:
    """DWLS estimates, robust SEs and the scaled-shifted test (lavaan ``estimator = "WLSMV"``)."""
    df = model.df()
    if df < 0:
        raise KinerjaError(
            f"The model has {model.q} free parameters but the data give {model.n_groups * model.n_moments()} "
            f"statistics (df = {df}); the rule is that a model must be identified (df >= 0)."
        )
    pairs_idx = _pairs_index(model.p)
    N = float(sum(g.n for g in groups))
    wobj = np.array([(g.n - 1) / N for g in groups])  # lavaan: F_g = 0.5 (n_g - 1) / n_g (s - sigma)' V (s - sigma)
    fg = np.array([g.n / N for g in groups])

    def value(theta):
        f = 0.0
        for k, g in enumerate(groups):
            r = g.stats - _implied_stats(model, theta, k, pairs_idx)
            f += wobj[k] * 0.5 * np.sum(g.V * r * r)
        return float(f) if np.isfinite(f) else np.inf

    def grad_info(theta):
        grad = np.zeros(model.q)
        info = np.zeros((model.q, model.q))
        for k, g in enumerate(groups):
            r = g.stats - _implied_stats(model, theta, k, pairs_idx)
            J = _jacobian(model, theta, k, pairs_idx)
            grad -= wobj[k] * J.T @ (g.V * r)
            info += wobj[k] * J.T @ (g.V[:, None] * J)
        return grad, info

    with single_thread():
        theta = start_values(model, groups, "default") if start is None else start.copy()
        for rw in model.rows:  # thresholds start at the sample thresholds, scale factors at 1
            if rw.free >= 0 and rw.mat == "TAU":
                theta[rw.free] = groups[rw.group].th[rw.i]
            elif rw.free >= 0 and rw.mat == "D":
                theta[rw.free] = 1.0
        est = _gauss_newton(value, grad_info, theta)
        theta = est.theta
        # information (expected, fg-weighted), robust sandwich, scaled-shifted test
        jac = [_jacobian(model, theta, k, pairs_idx) for k in range(len(groups))]
        E = sum(fg[k] * J.T @ (g.V[:, None] * J) for k, (g, J) in enumerate(zip(groups, jac)))
        E_inv = safe_inverse(E)
        vcov = None
        meas: dict = {}
        resid = [g.stats - _implied_stats(model, theta, k, pairs_idx) for k, g in enumerate(groups)]
        chi2 = float(sum((g.n - 1) * np.sum(g.V * r * r) for g, r in zip(groups, resid)))
        if E_inv is not None:
            t_dvgvd = sum(
                fg[k] * (g.V[:, None] * J).T @ g.gamma @ (g.V[:, None] * J) for k, (g, J) in enumerate(zip(groups, jac))
            )
            G = model.n_groups
            vcov = E_inv @ t_dvgvd @ E_inv / (N - G)  # lavaan: N - G for the least-squares estimators
            tr1, tr2 = _ug_traces(groups, jac, E_inv, fg)
            a = np.sqrt(df / tr2) if df > 0 else np.nan
            shift = df - a * tr1
            chi2_ss = chi2 * a + shift
            # baseline: thresholds free per group, correlations 0
            nth = len(model.th_item)
            chi2_b = float(sum((g.n - 1) * np.sum(g.V[nth:] * g.stats[nth:] ** 2) for g in groups))
            df_b = model.n_groups * len(pairs_idx[0])
            tb1 = sum(float(np.sum(g.V[nth:] * np.diag(g.gamma)[nth:])) for g in groups)
            tb2 = sum(
                float(np.sum((g.V[nth:, None] * g.gamma[nth:, nth:]) * (g.V[nth:, None] * g.gamma[nth:, nth:]).T))
                for g in groups
            )
            a_b = np.sqrt(df_b / tb2)
            chi2_b_ss = chi2_b * a_b + (df_b - a_b * tb1)
            Nr = N - G  # lavaan_inspect_ntotal: N - G for WLS-type estimators (RMSEA)
            meas = {
                "chisq": chi2,
                "df": float(df),
                "pvalue": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
                "baseline_chisq": chi2_b,
                "baseline_df": float(df_b),
                "chisq_scaled": float(chi2_ss),
                "pvalue_scaled": float(stats.chi2.sf(chi2_ss, df)) if df > 0 else np.nan,
                "chisq_scaling_factor": float(1 / a),
                "chisq_shift_parameter": float(shift),
                "baseline_chisq_scaled": float(chi2_b_ss),
                "baseline_chisq_scaling_factor": float(1 / a_b),
            }
            meas["cfi"], meas["tli"] = incremental(chi2, df, chi2_b, df_b)
            meas["cfi_scaled"], meas["tli_scaled"] = incremental(chi2_ss, df, chi2_b_ss, df_b)
            meas["rmsea"] = rmsea(chi2, df, Nr, G)
            meas["rmsea_ci_lower"], meas["rmsea_ci_upper"] = rmsea_ci(chi2, df, Nr, G)
            meas["rmsea_pvalue"] = float(stats.ncx2.sf(chi2, df, Nr * df * 0.05**2 / G)) if df > 0 else np.nan
            meas["rmsea_scaled"] = rmsea(chi2_ss, df, Nr, G)
            meas["srmr"] = _srmr(model, theta, groups, pairs_idx)
            meas["npar"] = float(model.q)
    return OrdinalFit(model, groups, est, vcov, meas, E_inv, jac)


def _ug_traces(groups, jac, E_inv, fg) -> tuple[float, float]:
    """tr(U Gamma) and tr((U Gamma)^2) with U = V - V Delta E^-1 Delta' V (lavaan ``lav_test_ug_trace_stream``)."""
    t1_total = 0.0
    tr = 0.0
    q = E_inv.shape[0]
    m_t2 = np.zeros((q, q))
    m_c = np.zeros((q, q))
    for k, (g, J) in enumerate(zip(groups, jac)):
        wd = g.V[:, None] * J
        gwd = g.gamma @ wd
        b_g = wd.T @ gwd
        tr += float(np.sum(g.V * np.diag(g.gamma))) - fg[k] * float(np.sum(E_inv * b_g))
        vg = g.V[:, None] * g.gamma
        t1_total += float(np.sum(vg * vg.T))
        m_t2 += fg[k] * gwd.T @ (g.V[:, None] * gwd)
        m_c += fg[k] * b_g
    ec = E_inv @ m_c
    tr2 = t1_total - 2 * float(np.sum(E_inv * m_t2)) + float(np.sum(ec * ec.T))
    return tr, tr2


def _srmr(model, theta, groups, pairs_idx) -> float:
    """Root mean squared residual of the polychoric correlations (lavaan ``srmr`` for ordinal items)."""
    N = sum(g.n for g in groups)
    total = 0.0
    p = model.p
    for k, g in enumerate(groups):
        sig, _, _ = model.implied(theta, k)
        e = g.R[pairs_idx] - sig[pairs_idx]
        total += g.n / N * np.sqrt(np.sum(e**2) / (p * (p + 1) / 2))
    return float(total)


def _gauss_newton(value, grad_info, theta, max_iter: int = 500) -> Estimate:
    f = value(theta)
    lam = 0.0
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        g, info = grad_info(theta)
        dscale = np.sqrt(np.maximum(np.diag(info), 1e-12))
        accepted = False
        for _ in range(12):
            mat = info / np.outer(dscale, dscale) + lam * np.eye(len(g))
            try:
                c = np.linalg.cholesky(mat)
            except np.linalg.LinAlgError:
                lam = max(lam * 10, 1e-6)
                continue
            step = -linalg.cho_solve((c, True), g / dscale) / dscale
            slope = g @ step
            t = 1.0
            for _ in range(40):
                fn = value(theta + t * step)
                if fn <= f + 1e-4 * t * slope:
                    accepted = True
                    break
                t *= 0.5
            if accepted:
                break
            lam = max(lam * 10, 1e-6)
        if not accepted:
            if np.max(np.abs(g)) < 1e-8:
                return Estimate(theta, f, True, it)
            return Estimate(theta, f, False, it, "the line search found no decrease")
        lam = lam / 10 if lam > 1e-8 else 0.0
        dx = t * step
        theta, f_old, f = theta + dx, f, fn
        if (np.max(np.abs(dx)) < 1e-10 * (1 + np.max(np.abs(theta))) and -slope < 1e-16) or (
            abs(f_old - f) < 1e-17 * (1 + abs(f)) and np.max(np.abs(g)) < 1e-10
        ):
            return Estimate(theta, f, True, it)
    return Estimate(theta, f, False, it, f"no convergence in {max_iter} iterations")
