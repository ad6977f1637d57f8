"""Parameter table and LISREL-type matrices of a (multi-group) structural equation model, with analytic derivatives.

Per group g the model is (lavaan's "LISREL all-y" representation)

    Sigma = Lambda (I - B)^-1 Psi (I - B)^-T Lambda' + Theta,      mu = nu + Lambda (I - B)^-1 alpha

with Lambda the loadings (p x m), B the regressions among latent variables, Psi the latent (residual)
(co)variances, Theta the residual (co)variances of the items, nu the item intercepts and alpha the latent means.
For ordinal items (delta parameterisation, lavaan's default) the model is for the latent responses y*: intercepts
are 0, the residual variances are not parameters but 1/delta^2 - diag(Lambda Psi_eta Lambda'), the scale factors
delta are fixed to 1 in the first group, and the implied statistics are the correlations of y* and the thresholds
delta_j (tau_jk - mu_j).

Every parameter is one row of :attr:`Model.rows` (group, lhs, op, rhs, matrix cell, fixed value or free index).
Free rows have a *full* index (one per row) and a *reduced* index (``free``): rows constrained equal (shared labels,
``equal=`` across groups) share one reduced index. The pairs of constrained full indices are kept for score tests.
The defaults follow lavaan's ``cfa()``/``sem()``: first loading of each factor fixed to 1, residual variances and
latent variances free, covariances free among exogenous factors and among purely endogenous factors, item
intercepts free and latent means 0 (free in groups after the first when intercepts or thresholds are equal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from kinerja_research.errors import KinerjaError
from kinerja_research.measure._syntax import ModelSpec

__all__: list[str] = []

# lavaan group.equal keywords and the rows each one equates
EQUAL_KINDS = (
    "loadings",
    "intercepts",
    "means",
    "thresholds",
    "regressions",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
)


@dataclass
class Row:
    """One parameter: ``lhs op rhs`` in ``group``, stored in matrix ``mat`` at ``(i, j)``."""

    group: int
    lhs: str
    op: str
    rhs: str
    mat: str  # L, B, P, T, N (item intercept), A (latent mean), TAU (threshold), D (scale factor)
    i: int
    j: int
    value: float  # fixed value (or start value of a free row)
    full: int = -1  # index among free rows (before equality constraints), -1 when fixed
    free: int = -1  # reduced index (after equality constraints), -1 when fixed
    user: bool = False
    label: str | None = None
    kind: str = ""  # the group.equal keyword this row belongs to

    @property
    def name(self) -> str:
        return f"{self.lhs} {self.op} {self.rhs}".strip()


@dataclass
class Model:
    """A built model: rows, sizes, per-group index arrays and the equality constraints."""

    spec: ModelSpec
    ov: list[str]
    lv: list[str]
    n_groups: int
    meanstructure: bool
    ordinal: dict[str, int]  # item -> number of thresholds (empty for continuous models)
    rows: list[Row]
    q: int  # reduced free parameters
    q_full: int
    constraints: list[tuple[int, int]]  # (full index a, full index b): theta_a == theta_b
    full_to_free: np.ndarray
    cells: list[dict] = field(default_factory=list)  # per group: matrix -> (rows, cols, reduced idx)
    templates: list[dict] = field(default_factory=list)  # per group: matrix -> fixed values
    th_item: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # threshold -> item index
    has_b: bool = False

    @property
    def p(self) -> int:
        return len(self.ov)

    @property
    def m(self) -> int:
        return len(self.lv)

    @property
    def categorical(self) -> bool:
        return bool(self.ordinal)

    def n_moments(self) -> int:
        """Sample statistics per group: covariances (+ means), or thresholds + correlations for ordinal items."""
        p = self.p
        if self.categorical:
            return int(sum(self.ordinal.values()) + p * (p - 1) // 2)
        return p * (p + 1) // 2 + (p if self.meanstructure else 0)

    def df(self) -> int:
        return self.n_groups * self.n_moments() - self.q

    # ----------------------------------------------------------------------------------------------- matrices
    def matrices(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        out = {}
        for mat, tmpl in self.templates[g].items():
            arr = tmpl.copy()
            r, c, idx = self.cells[g][mat]
            if len(idx):
                if arr.ndim == 2:
                    arr[r, c] = theta[idx]
                    if mat in ("P", "T"):
                        arr[c, r] = theta[idx]
                else:
                    arr[r] = theta[idx]
            out[mat] = arr
        return out

    def implied(self, theta: np.ndarray, g: int, mats: dict | None = None):
        """(Sigma, mu, extra) of group g; for ordinal models Sigma is the y* correlation structure (unit diagonal in
        the first group), mu the implied thresholds, and extra the matrices with Theta's diagonal filled in."""
        mt = self.matrices(theta, g) if mats is None else mats
        L, P, T = mt["L"], mt["P"], mt["T"]
        if self.has_b:
            ib = np.linalg.inv(np.eye(self.m) - mt["B"])
            A = L @ ib
        else:
            ib = None
            A = L
        S0 = A @ P @ A.T
        if self.categorical:
            d = mt["D"]
            T = T.copy()
            di = np.arange(self.p)
            T[di, di] = 1.0 / d**2 - S0[di, di]
            mt["T"] = T
            sig = (S0 + T) * np.outer(d, d)
            mu_y = A @ mt["A"]  # item intercepts are 0
            th = d[self.th_item] * (mt["TAU"] - mu_y[self.th_item])
            return sig, th, mt
        sig = S0 + T
        mu = mt["N"] + A @ mt["A"]
        mt["IB"] = ib
        return sig, mu, mt

    def eta_cov(self, mats: dict) -> np.ndarray:
        """Model-implied covariance matrix of the latent variables, (I - B)^-1 Psi (I - B)^-T."""
        if self.has_b:
            ib = np.linalg.inv(np.eye(self.m) - mats["B"])
            return ib @ mats["P"] @ ib.T
        return mats["P"]

    # ------------------------------------------------------------------------------------------- derivatives
    def derivatives(self, theta: np.ndarray, g: int, mats: dict | None = None):
        """Jacobians of group g w.r.t. the reduced parameters: ``(idx, dS, dM)`` with ``idx`` the reduced indices
        that occur in the group, ``dS`` (len(idx), p, p) and ``dM`` (len(idx), p) (for ordinal models: dS of the
        y* correlation structure and dM of the implied thresholds)."""
        mt = self.matrices(theta, g) if mats is None else mats
        p, m = self.p, self.m
        cells = self.cells[g]
        used = np.unique(np.concatenate([cells[k][2] for k in cells if len(cells[k][2])] or [np.zeros(0, int)]))
        pos = np.full(self.q, -1)
        pos[used] = np.arange(len(used))
        k = len(used)
        L, P = mt["L"], mt["P"]
        if self.has_b:
            ib = np.linalg.inv(np.eye(m) - mt["B"])
        else:
            ib = np.eye(m)
        A = L @ ib  # p x m
        C = ib @ P @ A.T  # m x p  (Sigma0 = A Psi A' = A C ... ; C = IB Psi IB' L')
        al = mt["A"]
        ib_al = ib @ al
        n_th = len(self.th_item)
        n_mu = n_th if self.categorical else p
        half = np.zeros((k, p, p))  # non-symmetrised part: dSigma = half + half'
        dM = np.zeros((k, n_mu))
        dmu = np.zeros((k, p))  # derivative of the item means mu (continuous) / mu_y (ordinal)
        # loadings: dSigma0 = e_i C_j + C_j' e_i'
        r, c, idx = cells["L"]
        if len(idx):
            np.add.at(half, (pos[idx], r), C[c])
            np.add.at(dmu, (pos[idx], r), ib_al[c])
        # regressions among latent variables: d(IB) = IB E_kl IB
        if "B" in cells:
            r, c, idx = cells["B"]
            for a, kk, ll in zip(pos[idx], r, c):
                half[a] += np.outer(A[:, kk], C[ll])
                dmu[a] += A[:, kk] * ib_al[ll]
        # latent (co)variances: 0.5 a_k a_k' (variances) or a_k a_l' (covariances), all cells in one product,
        # added in the cells' order (the same sums as one outer product per cell)
        r, c, idx = cells["P"]
        if len(idx):
            outer = A[:, r].T[:, :, None] * A[:, c].T[:, None, :]
            same = r == c
            outer[same] *= 0.5
            np.add.at(half, pos[idx], outer)
        # residual (co)variances (ordinal items: only the covariances are parameters)
        r, c, idx = cells["T"]
        if len(idx):
            same = r == c
            np.add.at(half, (pos[idx], r, c), np.where(same, 0.5, 1.0))
        # latent means
        r, _, idx = cells["A"]
        for a, kk in zip(pos[idx], r):
            dmu[a] += A[:, kk]
        if not self.categorical:
            r, _, idx = cells["N"]
            if len(idx):
                np.add.at(dmu, (pos[idx], r), 1.0)
            dS = half + half.transpose(0, 2, 1)
            return used, dS, dmu
        # ordinal: Sigma* = D (Sigma0 + Theta) D (off-diagonal only), th = d (tau - mu_y)
        d = mt["D"]
        dd = np.outer(d, d)
        dS = (half + half.transpose(0, 2, 1)) * dd
        di = np.arange(p)
        dS[:, di, di] = 0.0
        ti = self.th_item
        dM[:] = -dmu[:, ti] * d[ti]
        r, _, idx = cells["TAU"]
        if len(idx):
            np.add.at(dM, (pos[idx], r), d[ti[r]])
        r, _, idx = cells["D"]
        if len(idx):
            S0 = A @ P @ A.T
            sig_raw = S0 + mt["T"] if "T" in mt else S0
            mu_y = A @ al
            for a, j in zip(pos[idx], r):
                # d Sigma*_ij / d delta_j = delta_i Sigma_raw_ij (both sides); diagonal stays 1
                col = sig_raw[:, j] * d
                dS[a, :, j] += col
                dS[a, j, :] += col
                dS[a, j, j] = 0.0
                sel = ti == j
                dM[a, sel] += mt["TAU"][sel] - mu_y[j]
        return used, dS, dM


def build_model(
    spec: ModelSpec,
    n_groups: int = 1,
    *,
    meanstructure: bool = False,
    equal: tuple[str, ...] = (),
    partial: tuple[str, ...] = (),
    ordinal: dict[str, int] | None = None,
) -> Model:
    """Build the parameter table of ``spec`` for ``n_groups`` groups with lavaan's ``cfa()`` defaults.

    ``equal`` holds lavaan ``group.equal`` keywords; ``partial`` names rows exempt from them (lavaan
    ``group.partial``: ``"f =~ x2"``, ``"x3 ~1"``, ``"x1 | t2"``, ``"x4 ~~ x4"``). ``ordinal`` maps each item to its
    number of thresholds (all items ordinal, delta parameterisation).
    """
    ordinal = dict(ordinal or {})
    ov = spec.observed
    lv = list(spec.factors)
    if ordinal and set(ordinal) != set(ov):
        raise KinerjaError("An ordinal model needs every item ordinal; the rule is ordered=True for all items.")
    meanstructure = meanstructure or n_groups > 1 or bool(ordinal)
    for e in equal:
        if e not in EQUAL_KINDS:
            raise KinerjaError(
                f"Argument 'equal' holds {e!r}; the rule is that it names lavaan group.equal kinds {list(EQUAL_KINDS)}."
            )
    partial_set = {_norm(x) for x in partial}
    p = len(ov)
    oi = {v: i for i, v in enumerate(ov)}
    li = {v: i for i, v in enumerate(lv)}
    st = spec.statements
    regs = [s for s in st if s.op == "~"]
    dep = {s.lhs for s in regs}
    pred = {s.rhs for s in regs}
    lv_x = [f for f in lv if f not in dep]
    lv_y = [f for f in lv if f in dep and f not in pred]
    user_cov = {}
    for s in st:
        if s.op == "~~":
            user_cov[frozenset((s.lhs, s.rhs))] = s
    n_th = [ordinal.get(v, 0) for v in ov]
    th_item = np.repeat(np.arange(p), n_th).astype(int)

    rows: list[Row] = []
    for g in range(n_groups):
        grp: list[Row] = []
        # loadings
        first_seen: set[str] = set()
        for s in st:
            if s.op != "=~":
                continue
            f, item = s.lhs, s.rhs
            marker = f not in first_seen
            first_seen.add(f)
            if s.fixed is not None:
                grp.append(Row(g, f, "=~", item, "L", oi[item], li[f], s.fixed, user=True, kind="loadings"))
            elif marker and not s.free and s.label is None:
                grp.append(Row(g, f, "=~", item, "L", oi[item], li[f], 1.0, user=True, kind="loadings"))
            else:
                grp.append(_free(g, f, "=~", item, "L", oi[item], li[f], s.label, "loadings"))
        for s in regs:
            if s.fixed is not None:
                grp.append(Row(g, s.lhs, "~", s.rhs, "B", li[s.lhs], li[s.rhs], s.fixed, user=True, kind="regressions"))
            else:
                grp.append(_free(g, s.lhs, "~", s.rhs, "B", li[s.lhs], li[s.rhs], s.label, "regressions"))
        # user (co)variances
        for s in st:
            if s.op != "~~":
                continue
            a, b = s.lhs, s.rhs
            if a in li:
                mat, i, j, kind = "P", li[a], li[b], "lv.variances" if a == b else "lv.covariances"
            else:
                mat, i, j = "T", oi[a], oi[b]
                kind = "residuals" if a == b else "residual.covariances"
                if ordinal and a == b:
                    raise KinerjaError(
                        f"Model statement '{a} ~~ {b}' sets the residual variance of an ordinal item; the rule is "
                        f"that with ordered items (delta parameterisation) residual variances are not parameters."
                    )
            i, j = max(i, j), min(i, j)
            if s.fixed is not None:
                grp.append(Row(g, a, "~~", b, mat, i, j, s.fixed, user=True, kind=kind))
            else:
                grp.append(_free(g, a, "~~", b, mat, i, j, s.label, kind))
        # residual variances of the items
        for v in ov:
            if frozenset((v,)) in user_cov:
                continue
            if ordinal:
                grp.append(Row(g, v, "~~", v, "T", oi[v], oi[v], 1.0, kind="residuals"))
            else:
                grp.append(_free(g, v, "~~", v, "T", oi[v], oi[v], None, "residuals"))
        # latent variances and covariances
        for f in lv:
            if frozenset((f,)) not in user_cov:
                grp.append(_free(g, f, "~~", f, "P", li[f], li[f], None, "lv.variances"))
        for block in (lv_x, lv_y):
            for a_i, a in enumerate(block):
                for b in block[a_i + 1 :]:
                    if frozenset((a, b)) in user_cov:
                        continue
                    i, j = max(li[a], li[b]), min(li[a], li[b])
                    grp.append(_free(g, a, "~~", b, "P", i, j, None, "lv.covariances"))
        if ordinal:
            for v in ov:
                for t in range(ordinal[v]):
                    k = int(np.flatnonzero(th_item == oi[v])[t])
                    grp.append(_free(g, v, "|", f"t{t + 1}", "TAU", k, 0, None, "thresholds"))
            for v in ov:
                if g > 0 and "thresholds" in equal:
                    grp.append(_free(g, v, "~*~", v, "D", oi[v], 0, None, "scales"))
                else:
                    grp.append(Row(g, v, "~*~", v, "D", oi[v], 0, 1.0, kind="scales"))
        if meanstructure:
            for v in ov:
                if ordinal:
                    grp.append(Row(g, v, "~1", "", "N", oi[v], 0, 0.0, kind="intercepts"))
                else:
                    grp.append(_free(g, v, "~1", "", "N", oi[v], 0, None, "intercepts"))
            anchor = "thresholds" if ordinal else "intercepts"
            for f in lv:
                if g > 0 and anchor in equal and "means" not in equal:
                    grp.append(_free(g, f, "~1", "", "A", li[f], 0, None, "means"))
                else:
                    grp.append(Row(g, f, "~1", "", "A", li[f], 0, 0.0, kind="means"))
        rows.extend(grp)

    # full indices, then equality constraints (labels, then group.equal)
    n_full = 0
    for r in rows:
        if r.full == -2:  # marked free
            r.full = n_full
            n_full += 1
    parent = list(range(n_full))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    constraints: list[tuple[int, int]] = []

    def union(a, b):
        constraints.append((a, b))
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_label: dict[str, int] = {}
    for r in rows:
        if r.full >= 0 and r.label:
            if r.label in by_label:
                union(by_label[r.label], r.full)
            else:
                by_label[r.label] = r.full
    if n_groups > 1 and equal:
        ref = {(r.lhs, r.op, r.rhs): r for r in rows if r.group == 0}
        for r in rows:
            if r.group == 0 or r.full < 0 or r.kind not in equal or r.label:
                continue
            if _norm(r.name) in partial_set:
                continue
            r0 = ref.get((r.lhs, r.op, r.rhs))
            if r0 is not None and r0.full >= 0:
                union(r0.full, r.full)
    roots = sorted({find(a) for a in range(n_full)})
    red = {root: k for k, root in enumerate(roots)}
    full_to_free = np.array([red[find(a)] for a in range(n_full)], dtype=int)
    for r in rows:
        if r.full >= 0:
            r.free = int(full_to_free[r.full])

    model = Model(spec, ov, lv, n_groups, meanstructure, ordinal, rows, len(roots), n_full, constraints, full_to_free)
    model.th_item = th_item
    model.has_b = bool(regs)
    _index_arrays(model)
    return model


def _index_arrays(model: Model) -> None:
    """Per group: the fixed-value templates of every matrix and the (row, col, reduced index) of its free cells."""
    p, m = model.p, model.m
    model.templates, model.cells = [], []
    for g in range(model.n_groups):
        tmpl = {
            "L": np.zeros((p, m)),
            "P": np.zeros((m, m)),
            "T": np.zeros((p, p)),
            "N": np.zeros(p),
            "A": np.zeros(m),
        }
        if model.has_b:
            tmpl["B"] = np.zeros((m, m))
        if model.ordinal:
            tmpl["TAU"] = np.zeros(len(model.th_item))
            tmpl["D"] = np.ones(p)
        cells: dict[str, list] = {k: ([], [], []) for k in tmpl}
        for r in model.rows:
            if r.group != g:
                continue
            arr = tmpl[r.mat]
            if r.free >= 0:
                cells[r.mat][0].append(r.i)
                cells[r.mat][1].append(r.j)
                cells[r.mat][2].append(r.free)
            elif arr.ndim == 2:
                arr[r.i, r.j] = r.value
                if r.mat in ("P", "T"):
                    arr[r.j, r.i] = r.value
            else:
                arr[r.i] = r.value
        model.templates.append(tmpl)
        model.cells.append({k: tuple(np.array(v, dtype=int) for v in c) for k, c in cells.items()})


def unconstrained(model: Model) -> Model:
    """The same free parameters without equality constraints (lavaan's 'unco' set): one parameter per free row."""
    rows = [replace(r, free=r.full) for r in model.rows]
    out = Model(
        model.spec,
        model.ov,
        model.lv,
        model.n_groups,
        model.meanstructure,
        model.ordinal,
        rows,
        model.q_full,
        model.q_full,
        [],
        np.arange(model.q_full),
    )
    out.th_item = model.th_item
    out.has_b = model.has_b
    _index_arrays(out)
    return out


def _free(g, lhs, op, rhs, mat, i, j, label, kind) -> Row:
    return Row(
        g, lhs, op, rhs, mat, i, j, np.nan, full=-2, user=op in ("=~", "~") or label is not None, label=label, kind=kind
    )


def _norm(name: str) -> str:
    """Canonical form of a row name for ``partial=``: without spaces (``"f =~ x2"`` -> ``"f=~x2"``)."""
    return re.sub(r"\s+", "", str(name))
