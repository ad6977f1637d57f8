"""Confirmatory factor analysis and structural equation models (lavaan-compatible ML, MLR, FIML and WLSMV),
convergent/discriminant validity, and measurement invariance across groups (regions)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research import standards
from kinerja_research.errors import KinerjaError
from kinerja_research.instruments.codebook import Codebook
from kinerja_research.measure._core import item_matrix, listwise_moments
from kinerja_research.measure._model import Model, build_model
from kinerja_research.measure._ordinal import OrdinalFit, fit_wlsmv, ordinal_groups
from kinerja_research.measure._sem import (
    GroupData,
    MLFit,
    carry_start,
    complete_group,
    fit_ml,
    missing_group,
    moments_group,
)
from kinerja_research.measure._syntax import ModelSpec, parse_model
from kinerja_research.results import check_alpha, check_choice, check_columns, tidy

__all__ = ["cfa", "CFAResult", "PROBLEM_CODES"]

PARAM_EXTRA = ("op", "lhs", "rhs", "std_all", "free")
ESTIMATORS = ("ML", "MLR", "WLSMV")
MISSING_CFA = ("listwise", "fiml")
#: Codes that start each entry of :attr:`CFAResult.problems` (the text after ``": "`` says where and how much).
PROBLEM_CODES = {
    "not_converged": "the estimator did not converge: the numbers are not a solution",
    "negative_variance": "a residual or latent variance is negative (Heywood case)",
    "std_loading_gt_1": "a standardised loading exceeds 1 in absolute value",
    "latent_cov_not_pd": "the covariance matrix of the latent variables is not positive definite",
    "residual_cov_not_pd": "the covariance matrix of the residuals is not positive definite",
    "se_unavailable": "the information matrix cannot be inverted: no standard errors (the model may not be identified)",
}


@dataclass
class CFAResult:
    """Result of :func:`cfa`: four tidy tables, the model, and whether the solution can be trusted.

    Attributes
    ----------
    estimates : pandas.DataFrame
        One row per parameter: ``group`` (the group's label; ``region`` when ``between="region_code"``; only with
        ``between=``), ``term`` (``"f =~ x"``, ``"x ~~ x"``, ``"f2 ~ f1"``, ``"x ~1"``, ``"x | t1"``, ...),
        ``estimate`` (unstandardised), ``se``, ``ci_low``, ``ci_high`` (Wald), ``ci_level``, ``statistic`` (z),
        ``p``, ``n``, ``method``; ``op``, ``lhs``, ``rhs``,
        ``std_all`` (lavaan ``std.all``), ``free`` (False for fixed parameters such as markers).
    fit : pandas.DataFrame
        One row per fit index ``term``: ``chisq`` (``statistic``, ``df``, ``p``), ``cfi``, ``tli``, ``rmsea`` (90%
        CI in ``ci_low``/``ci_high`` and ``p`` of close fit), ``srmr``, ``baseline_chisq``, ``aic``, ``bic`` (not
        for WLSMV); with ``estimator="MLR"`` or ``"WLSMV"`` also ``chisq_scaled`` (``scaling_factor``, and
        ``shift`` for WLSMV's scaled-shifted test), ``cfi_scaled``, ``tli_scaled``, ``rmsea_scaled``, and for MLR
        ``cfi_robust``, ``tli_robust``, ``rmsea_robust`` (with CI) as lavaan ``fitMeasures`` names them;
        ``n``, ``method``, ``improper`` (True when :attr:`problems` is not empty).
    validity : pandas.DataFrame
        One row per factor ``term`` (and ``group``/``region`` with ``between=``): ``estimate`` (AVE),
        ``composite_reliability``, ``sqrt_ave``, ``max_r`` (largest absolute correlation with another factor),
        ``max_htmt``, ``n_items``, ``n``, ``method``, ``improper``.
    discriminant : pandas.DataFrame
        One row per pair of factors (``group_a``, ``group_b``): ``estimate`` (factor correlation), ``htmt``,
        ``sqrt_ave_a``, ``sqrt_ave_b``, ``fornell_larcker`` (both sqrt(AVE) exceed |r|), ``htmt_ok`` (HTMT < ``standards.HTMT_MAX`` = 0.85,
        Henseler et al. 2015), ``n``, ``method``, ``improper``; with ``between=`` also ``group``/``region``.
    model : str
        The lavaan syntax that was fitted.
    converged : bool
        Whether the estimator converged.
    problems : list of str
        Empty for a proper solution; otherwise one entry per problem, ``"<code>: <where and how much>"`` with the
        codes of :data:`PROBLEM_CODES` (non-convergence, negative variance, standardised loading > 1,
        non-positive-definite latent or residual covariance matrix, no standard errors). Validity indices of a
        solution with problems are flagged (``improper``) and must not be read as evidence.
    n : int
        Respondents used.
    estimator, missing : str
        What was fitted (``"ML"``, ``"MLR"``, ``"WLSMV"``; ``"listwise"`` or ``"fiml"``).
    groups : list or None
        Group labels in the order fitted (the first is the reference), or None for one group.
    """

    estimates: pd.DataFrame
    fit: pd.DataFrame
    validity: pd.DataFrame
    discriminant: pd.DataFrame
    model: str
    converged: bool
    n: int
    measures: dict = field(default_factory=dict, repr=False)
    problems: list[str] = field(default_factory=list)
    estimator: str = "ML"
    missing: str = "listwise"
    groups: list | None = None
    engine: object = field(default=None, repr=False)  # the internal fit (for invariance tests)

    @property
    def improper(self) -> bool:
        """True when the solution has any problem (then no validity index should be shown as fine)."""
        return bool(self.problems)

    @property
    def problem_codes(self) -> list[str]:
        """The codes of :attr:`problems` (keys of :data:`PROBLEM_CODES`), for translated report text."""
        return [p.split(":", 1)[0] for p in self.problems]


# ------------------------------------------------------------------------------------------------ input
def _model_items(model) -> tuple[str, ModelSpec, list[str], list[str], tuple | None]:
    """The syntax, parsed model, observed items, reverse-keyed items and scale range of ``model``."""
    if isinstance(model, Codebook):
        syntax = model.model_syntax()
        spec = parse_model(syntax)
        ids = spec.observed
        return syntax, spec, ids, [i for i in model.reverse_items if i in ids], (model.scale["min"], model.scale["max"])
    spec = parse_model(model)
    return model, spec, spec.observed, [], None


def _model_and_data(data: pd.DataFrame, model) -> tuple[str, ModelSpec, np.ndarray]:
    syntax, spec, ids, rev, rng = _model_items(model)
    return syntax, spec, item_matrix(data, ids, rev, rng)


def _group_labels(data: pd.DataFrame, between: str | None) -> tuple[np.ndarray | None, list | None]:
    if between is None:
        return None, None
    check_columns(data, [between])
    g = data[between]
    if g.isna().any():
        row = g.index[g.isna()][0]
        raise KinerjaError(
            f"data: row {row!r}, column {between!r} is empty; the rule is that every respondent has a group."
        )
    labels = sorted(g.unique().tolist(), key=str)
    return g.to_numpy(), labels


def _check_options(estimator, missing, ordered):
    check_choice("estimator", estimator, ESTIMATORS)
    check_choice("missing", missing, MISSING_CFA)
    if ordered and estimator != "WLSMV":
        raise KinerjaError(
            f"Argument 'estimator' is {estimator!r} with ordered=True; the rule is that ordinal items are fitted by "
            f"'WLSMV' (lavaan's default for ordered items)."
        )
    if estimator == "WLSMV" and not ordered:
        raise KinerjaError(
            "Argument 'estimator' is 'WLSMV' without ordered items; the rule is ordered=True (polychoric "
            "correlations), or 'ML'/'MLR' for items treated as continuous."
        )
    if ordered and missing == "fiml":
        raise KinerjaError(
            "Argument 'missing' is 'fiml' with ordered=True; the rule is that WLSMV uses complete answers "
            "('listwise'), as lavaan."
        )


@dataclass
class _Prepared:
    syntax: str
    spec: ModelSpec
    xs: list[np.ndarray]
    labels: list | None
    n_dropped: int
    between: str | None = None
    cache: dict = field(default_factory=dict)  # sample statistics per kind, shared by the levels of invariance


def _too_few(n: int, p: int) -> KinerjaError:
    return KinerjaError(
        f"The model has {n} usable respondents for {p} items; the rule is that it needs more respondents than items "
        f"(and, for stable estimates, many more)."
    )


def _prepare_moments(data, model) -> _Prepared | None:
    """One group, complete rows, ML: the sample statistics (n, S, M) accumulated over blocks of rows
    (:func:`_core.listwise_moments`) instead of an n x p matrix; the same :class:`GroupData` that ``complete_group``
    makes of the matrix (to rounding, about 1e-15 relative), cached where :func:`_fit` looks for it. None when the
    row path must run (text in an item column, an answer outside the scale: it raises the one-sentence error)."""
    if not isinstance(data, pd.DataFrame):
        return None
    syntax, spec, ids, rev, rng = _model_items(model)
    mom = listwise_moments(data, ids, rev, rng)
    if mom is None:
        return None
    n, n_rows, S, M = mom
    if n <= len(ids):
        raise _too_few(n, len(ids))
    prep = _Prepared(syntax, spec, [None], None, n_rows - n, None)
    prep.cache[("complete", False)] = [moments_group(n, S, M)]
    return prep


def _prepare(data, model, between, missing, min_group_n, *, min_groups: int = 1, moments: bool = False) -> _Prepared:
    """The model and its data per group. ``moments``: one group of complete rows for ML, from batched sufficient
    statistics (:func:`_prepare_moments`; no row matrix, so only the ML complete-data fit may use it)."""
    if moments and between is None and missing == "listwise":
        prep = _prepare_moments(data, model)
        if prep is not None:
            return prep
    syntax, spec, x = _model_and_data(data, model)
    g, labels = _group_labels(data, between)
    if missing == "fiml":
        keep = ~np.isnan(x).all(axis=1)
    else:
        keep = ~np.isnan(x).any(axis=1)
    n_dropped = int((~keep).sum())
    p = x.shape[1]
    if labels is None:
        xs = [x[keep]]
        if xs[0].shape[0] <= p:
            raise _too_few(xs[0].shape[0], p)
        return _Prepared(syntax, spec, xs, None, n_dropped, between)
    labels = [lab for lab in labels if (keep & (g == lab)).any()]
    if len(labels) < min_groups:
        raise KinerjaError(
            f"Column {between!r} has {len(labels)} group(s) with usable answers; the rule is that invariance "
            f"compares at least {min_groups} groups."
        )
    xs = []
    need = max(min_group_n, p + 1)
    for lab in labels:
        xg = x[keep & (g == lab)]
        if xg.shape[0] < need:
            raise KinerjaError(
                f"Column {between!r}, value {lab!r} has {xg.shape[0]} usable respondents; the rule is at least "
                f"{need} per group."
            )
        xs.append(xg)
    return _Prepared(syntax, spec, xs, labels, n_dropped, between)


# ------------------------------------------------------------------------------------------------- fitting
@dataclass
class _Engine:
    """One fitted model, whatever the estimator: what the tables and invariance tests need."""

    model: Model
    fit: MLFit | OrdinalFit
    groups: list
    estimator: str
    missing: str

    @property
    def theta(self) -> np.ndarray:
        return self.fit.theta

    @property
    def measures(self) -> dict:
        return self.fit.measures

    @property
    def converged(self) -> bool:
        return bool(self.fit.est.converged)


def _fit(prep: _Prepared, *, estimator, missing, ordered, equal=(), partial=(), start=None, prev=None) -> _Engine:
    """Fit the model to the prepared data. ``prev``: the fitted engine of a less restricted model of the same rows
    (the previous level of an invariance sequence), whose estimates are tried first as the start of an ML fit."""
    G = len(prep.xs)
    if ordered:
        if "ordinal" not in prep.cache:
            prep.cache["ordinal"] = ordinal_groups(prep.xs, prep.spec.observed, prep.labels)
        groups, ordinal = prep.cache["ordinal"]
        model = build_model(prep.spec, G, equal=equal, partial=partial, ordinal=ordinal)
        fit = fit_wlsmv(model, groups, start=start)
        return _Engine(model, fit, groups, estimator, missing)
    fiml = missing == "fiml"
    model = build_model(prep.spec, G, meanstructure=fiml or G > 1, equal=equal, partial=partial)
    key = ("fiml",) if fiml else ("complete", estimator == "MLR")
    if key not in prep.cache:
        if fiml:
            prep.cache[key] = [missing_group(x) for x in prep.xs]
        else:
            prep.cache[key] = [complete_group(x, keep_rows=estimator == "MLR") for x in prep.xs]
    groups: list[GroupData] = prep.cache[key]
    warm = None
    if prev is not None and isinstance(prev.fit, MLFit) and prev.converged and np.isfinite(prev.fit.est.fmin):
        warm = carry_start(model, prev.model, prev.theta)
    fit = fit_ml(model, groups, estimator=estimator, fiml=fiml, start=start, warm=warm)
    return _Engine(model, fit, groups, estimator, missing)


# -------------------------------------------------------------------------------------------------- tables
def _std_parts(model: Model, theta: np.ndarray, g: int):
    sig, mu, mats = model.implied(theta, g)
    eta = model.eta_cov(mats)
    if model.categorical:
        sd_ov = 1.0 / mats["D"]
    else:
        sd_ov = np.sqrt(np.diag(sig))
    sd_lv = np.sqrt(np.clip(np.diag(eta), 0, None))
    return mats, sd_ov, sd_lv


def _method(eng: _Engine) -> str:
    what = {
        "ML": "ML, expected-information SE" if eng.missing != "fiml" else "ML (FIML), observed-information SE",
        "MLR": "MLR, Huber-White robust SE" + (" (FIML)" if eng.missing == "fiml" else ""),
        "WLSMV": "WLSMV (DWLS on polychoric correlations), robust SE",
    }[eng.estimator]
    return f"SEM, {what} (lavaan conventions)"


def _group_column(between: str | None) -> str:
    """The result column that holds a group's label: ``region`` for region codes, else ``group`` (conventions)."""
    return "region" if between == "region_code" else "group"


def _estimates_table(eng: _Engine, labels, alpha: float, gcol: str = "group") -> pd.DataFrame:
    model, theta = eng.model, eng.theta
    vcov = eng.fit.vcov
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None)) if vcov is not None else np.full(model.q, np.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    method = _method(eng)
    parts = [_std_parts(model, theta, g) for g in range(model.n_groups)]
    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):  # an improper solution may have zero or negative variances
        for r in model.rows:
            rows.append(_estimate_row(r, model, parts, labels, se_all, z, method, eng, gcol, 1 - alpha))
    out = tidy(rows, extra=PARAM_EXTRA)
    return out if labels is not None else out.drop(columns=[gcol])


def _estimate_row(r, model: Model, parts, labels, se_all, z, method, eng, gcol, level) -> dict:
    """One row of the estimates table, with lavaan's completely standardised value (std.all)."""
    mats, sd_ov, sd_lv = parts[r.group]
    value = float(mats[r.mat][r.i, r.j] if mats[r.mat].ndim == 2 else mats[r.mat][r.i])
    if r.op == "=~":
        std = value * sd_lv[r.j] / sd_ov[r.i]
    elif r.op == "~":
        std = value * sd_lv[r.j] / sd_lv[r.i]
    elif r.op == "~~" and r.i == r.j:
        std = value / (sd_ov[r.i] ** 2 if r.mat == "T" else sd_lv[r.i] ** 2)
    elif r.op == "~~":  # (residual) covariances are scaled by the (residual) variances, lavaan's cov.std
        M = mats[r.mat]
        std = value / np.sqrt(M[r.i, r.i] * M[r.j, r.j])
    elif r.op == "~1":
        std = value / (sd_ov[r.i] if r.mat == "N" else sd_lv[r.i])
    elif r.op == "|":
        std = value / sd_ov[model.th_item[r.i]]
    else:  # scale factors
        std = value
    free = r.free >= 0
    s = float(se_all[r.free]) if free else np.nan
    zval = value / s if free and s > 0 else np.nan
    return {
        gcol: labels[r.group] if labels is not None else None,
        "term": r.name,
        "estimate": value,
        "se": s,
        "ci_low": value - z * s if free else np.nan,
        "ci_high": value + z * s if free else np.nan,
        "ci_level": level,
        "statistic": float(zval),
        "p": float(2 * stats.norm.sf(abs(zval))) if np.isfinite(zval) else np.nan,
        "n": int(eng.groups[r.group].n),
        "method": method,
        "op": r.op,
        "lhs": r.lhs,
        "rhs": r.rhs,
        "std_all": float(std),
        "free": bool(free),
    }


def _problems(eng: _Engine, est: pd.DataFrame, labels, gcol: str = "group") -> list[str]:
    out = []
    fit = eng.fit
    if not eng.converged:
        msg = fit.est.message or "no convergence"
        out.append(f"not_converged: {msg}")
    where = (lambda g: f" in group {labels[g]!r}") if labels is not None else (lambda g: "")
    for _, row in est.iterrows():
        grp = "" if labels is None else f" in group {row[gcol]!r}"
        if row["op"] == "~~" and row["lhs"] == row["rhs"] and row["estimate"] < 0:
            out.append(f"negative_variance: {row['term']} = {row['estimate']:.4g}{grp}")
        if row["op"] == "=~" and np.isfinite(row["std_all"]) and abs(row["std_all"]) > 1:
            out.append(f"std_loading_gt_1: {row['term']} standardised {row['std_all']:.4g}{grp}")
    model, theta = eng.model, eng.theta
    for g in range(model.n_groups):
        _, _, mats = model.implied(theta, g)
        eta = model.eta_cov(mats)
        if model.m > 0:
            w = np.linalg.eigvalsh(eta)
            if w.min() <= 0:
                out.append(f"latent_cov_not_pd: smallest eigenvalue {w.min():.4g}{where(g)}")
        T = mats["T"]
        if np.any(T[~np.eye(model.p, dtype=bool)] != 0) and not model.categorical:
            w = np.linalg.eigvalsh(T)
            if w.min() <= 0 and not any(p.startswith("negative_variance") for p in out):
                out.append(f"residual_cov_not_pd: smallest eigenvalue {w.min():.4g}{where(g)}")
    if fit.vcov is None:
        out.append("se_unavailable: the information matrix is singular")
    return out


def _fit_table(meas: dict, n: int, method: str, improper: bool) -> pd.DataFrame:
    rows = [
        {"term": "chisq", "estimate": meas["chisq"], "statistic": meas["chisq"], "df": meas["df"], "p": meas["pvalue"]},
        {"term": "cfi", "estimate": meas["cfi"]},
        {"term": "tli", "estimate": meas["tli"]},
        {
            "term": "rmsea",
            "estimate": meas["rmsea"],
            "ci_low": meas["rmsea_ci_lower"],
            "ci_high": meas["rmsea_ci_upper"],
            "ci_level": 0.90,
            "p": meas["rmsea_pvalue"],
        },
        {"term": "srmr", "estimate": meas["srmr"]},
        {
            "term": "baseline_chisq",
            "estimate": meas["baseline_chisq"],
            "statistic": meas["baseline_chisq"],
            "df": meas["baseline_df"],
        },
    ]
    if "aic" in meas:
        rows += [{"term": "aic", "estimate": meas["aic"]}, {"term": "bic", "estimate": meas["bic"]}]
    if "chisq_scaled" in meas:
        rows.append(
            {
                "term": "chisq_scaled",
                "estimate": meas["chisq_scaled"],
                "statistic": meas["chisq_scaled"],
                "df": meas["df"],
                "p": meas["pvalue_scaled"],
                "scaling_factor": meas["chisq_scaling_factor"],
                "shift": meas.get("chisq_shift_parameter", np.nan),
            }
        )
        for t in ("cfi_scaled", "tli_scaled"):
            rows.append({"term": t, "estimate": meas[t]})
        rows.append({"term": "rmsea_scaled", "estimate": meas["rmsea_scaled"]})
    if "cfi_robust" in meas:
        for t in ("cfi_robust", "tli_robust"):
            rows.append({"term": t, "estimate": meas[t]})
        rows.append(
            {
                "term": "rmsea_robust",
                "estimate": meas["rmsea_robust"],
                "ci_low": meas["rmsea_ci_lower_robust"],
                "ci_high": meas["rmsea_ci_upper_robust"],
                "ci_level": 0.90,
            }
        )
    for r in rows:
        r["n"] = n
        r["method"] = method
        r["improper"] = improper
    return tidy(rows, extra=("scaling_factor", "shift", "improper"))


def _htmt(r: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Heterotrait-monotrait ratio (Henseler, Ringle & Sarstedt 2015) from the item correlation matrix, |r|."""
    ov = spec.observed
    blocks = [[ov.index(i) for i in spec.indicators[f]] for f in spec.factors]
    a = np.abs(r)
    m = len(blocks)
    mono = np.empty(m)
    for k, b in enumerate(blocks):
        sub = a[np.ix_(b, b)]
        mono[k] = sub[np.triu_indices(len(b), 1)].mean() if len(b) > 1 else np.nan
    out = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(m):
            if i != j:
                out[i, j] = a[np.ix_(blocks[i], blocks[j])].mean() / np.sqrt(mono[i] * mono[j])
    return out


def _item_correlations(eng: _Engine, g: int) -> np.ndarray:
    grp = eng.groups[g]
    if eng.model.categorical:
        return grp.R
    s = grp.S
    sd = np.sqrt(np.diag(s))
    return s / np.outer(sd, sd)


def _validity(eng: _Engine, est: pd.DataFrame, spec: ModelSpec, labels, improper: bool, gcol: str = "group"):
    vrows, drows = [], []
    factors = spec.factors
    for g in range(eng.model.n_groups):
        e = est if labels is None else est[est[gcol] == labels[g]]
        n = int(eng.groups[g].n)
        lo = e[e["op"] == "=~"]
        htmt = _htmt(_item_correlations(eng, g), spec) if len(factors) > 1 else np.full((1, 1), np.nan)
        _, _, mats = eng.model.implied(eng.theta, g)
        eta = eng.model.eta_cov(mats)
        sd = np.sqrt(np.clip(np.diag(eta), 1e-300, None))
        corr = eta / np.outer(sd, sd)
        ave = {}
        base = {} if labels is None else {gcol: labels[g]}
        for k, f in enumerate(factors):
            lam = np.abs(lo.loc[lo["lhs"] == f, "std_all"].to_numpy())
            ave[f] = float(np.mean(lam**2))
            cr = float(lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2)))
            others = [abs(corr[k, j]) for j in range(len(factors)) if j != k]
            vrows.append(
                {
                    **base,
                    "term": f,
                    "estimate": ave[f],
                    "n": n,
                    "method": "AVE and composite reliability (standardised loadings)",
                    "composite_reliability": cr,
                    "sqrt_ave": float(np.sqrt(ave[f])),
                    "max_r": float(max(others)) if others else np.nan,
                    "max_htmt": float(np.nanmax(htmt[k])) if len(factors) > 1 else np.nan,
                    "n_items": len(lam),
                    "improper": improper,
                }
            )
        for a_i, a in enumerate(factors):
            for b_i in range(a_i + 1, len(factors)):
                b = factors[b_i]
                rr = float(corr[a_i, b_i])
                row = {
                    "group_a": a,
                    "group_b": b,
                    "estimate": rr,
                    "n": n,
                    "method": "factor correlation; Fornell-Larcker and HTMT",
                    "htmt": float(htmt[a_i, b_i]),
                    "sqrt_ave_a": float(np.sqrt(ave[a])),
                    "sqrt_ave_b": float(np.sqrt(ave[b])),
                    "fornell_larcker": bool(min(np.sqrt(ave[a]), np.sqrt(ave[b])) > abs(rr)),
                    "htmt_ok": bool(htmt[a_i, b_i] < standards.HTMT_MAX),
                    "improper": improper,
                }
                if labels is not None:
                    row[gcol] = labels[g]
                drows.append(row)
    extra_v = ("composite_reliability", "sqrt_ave", "max_r", "max_htmt", "n_items", "improper")
    validity = tidy(vrows, extra=extra_v)
    extra_d = ("htmt", "sqrt_ave_a", "sqrt_ave_b", "fornell_larcker", "htmt_ok", "improper")
    disc = (
        tidy(drows, extra=extra_d)
        if drows
        else pd.DataFrame(columns=["group_a", "group_b", "estimate", "n", "method", "htmt", "improper"])
    )
    return validity, disc


def _result(eng: _Engine, prep: _Prepared, alpha: float) -> CFAResult:
    labels = prep.labels
    gcol = _group_column(prep.between)
    est = _estimates_table(eng, labels, alpha, gcol)
    problems = _problems(eng, est, labels, gcol)
    improper = bool(problems)
    n = int(sum(gr.n for gr in eng.groups))
    meas = eng.measures
    method = _method(eng)
    fit_tab = _fit_table(meas, n, method, improper) if meas else pd.DataFrame()
    validity, disc = _validity(eng, est, prep.spec, labels, improper, gcol)
    return CFAResult(
        est,
        fit_tab,
        validity,
        disc,
        prep.syntax,
        eng.converged,
        n,
        meas,
        problems,
        eng.estimator,
        eng.missing,
        labels,
        eng,
    )


def cfa(
    data: pd.DataFrame,
    *,
    model,
    between: str | None = None,
    estimator: str = "ML",
    missing: str = "listwise",
    ordered: bool = False,
    equal: tuple[str, ...] = (),
    partial: tuple[str, ...] = (),
    alpha: float = 0.05,
    min_group_n: int = 30,
) -> CFAResult:
    """Confirmatory factor analysis (or a structural equation model) with fit indices, validity and problems.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the item columns (and ``between``).
    model : str or Codebook
        lavaan syntax: ``f =~ x1 + x2 + x3`` (first loading fixed to 1; ``NA*x1`` frees it, ``0.5*x`` fixes a
        loading, ``a*x`` labels it and equal labels are equal parameters), ``f2 ~ f1`` (regression among
        factors), ``a ~~ b`` and ``a ~~ b + c`` (residual covariances; ``f1 ~~ 0*f2`` fixes a factor covariance),
        or a codebook: one factor per dimension with two or more items, reverse-keyed items reversed first.
        Items may be on any scale (no standardisation is needed) and may load negatively.
    between : str, optional
        Grouping column (e.g. ``region_code``) for a multi-group model; groups in sorted order, the first is the
        reference group whose latent means are 0.
    estimator : {'ML', 'MLR', 'WLSMV'}, default 'ML'
        Maximum likelihood; ML with Huber-White robust standard errors and the Yuan-Bentler scaled test
        (Likert items treated as continuous, non-normal); or WLSMV for ordinal items (needs ``ordered=True``).
    missing : {'listwise', 'fiml'}, default 'listwise'
        Drop respondents with a missing item (lavaan's default), or full-information ML using every answer given
        (ML and MLR).
    ordered : bool, default False
        Treat every item as ordinal: thresholds and polychoric correlations, WLSMV (lavaan ``ordered = TRUE``).
    equal : tuple of str, optional
        lavaan ``group.equal`` keywords for a multi-group model (``"loadings"``, ``"intercepts"``,
        ``"thresholds"``, ``"residuals"``, ``"means"``, ...).
    partial : tuple of str, optional
        Parameters exempt from ``equal`` (lavaan ``group.partial``), e.g. ``("f =~ x2", "x3 ~1")``.
    alpha : float, default 0.05
        Level of the Wald intervals of the parameters (the RMSEA interval is 90% as lavaan's).
    min_group_n : int, default 30
        Minimum usable respondents per group with ``between=``.

    Returns
    -------
    CFAResult
        ``.estimates``, ``.fit``, ``.validity``, ``.discriminant`` (tidy tables, columns documented on
        :class:`CFAResult`), ``.converged``, ``.problems``, ``.model``, ``.n``.

    Notes
    -----
    Estimation as lavaan ``cfa(model, data, estimator=, missing=, ordered=, group=, group.equal=,
    group.partial=)`` with its defaults: sample covariance divided by N, chi-square = 2 N F_ML, standard errors
    from the expected information (complete-data ML) or the observed information (FIML, MLR; Hessian of the
    objective by Richardson differences of the analytic gradient); MLR: sandwich E^-1 B E^-1 with B the
    first-order information of the casewise scores, the Yuan-Bentler test in its Mplus variant, and lavaan's
    robust CFI/TLI/RMSEA (Brosseau-Liard & Savalei 2014); FIML: casewise likelihood over patterns of answered
    items, chi-square against the saturated model estimated by EM. WLSMV: two-step thresholds and polychoric
    correlations, DWLS with the diagonal of their asymptotic covariance, robust (sandwich) SEs and the
    scaled-shifted test (Asparouhov & Muthen 2010), delta parameterisation. CFI/TLI against the independence
    model; RMSEA with lavaan's 90% interval; SRMR of Bentler. ``std_all`` is lavaan's completely standardised
    solution. AVE is the mean squared standardised loading; composite reliability (sum |l|)^2 / ((sum |l|)^2 +
    sum(1 - l^2)) (Fornell & Larcker 1981; items loading negatively count as if reverse-keyed), HTMT the mean
    absolute heterotrait correlation over the geometric mean of the monotrait ones (semTools ``htmt``).

    The optimiser rejects any step whose implied covariance matrix has no Cholesky factor, damps Fisher scoring
    where the information is ill-conditioned, and tries several start values before a quasi-Newton polish; a
    solution that is still not a minimum, or is improper (negative variances, standardised loadings above 1,
    non-positive-definite latent covariances), says so in ``problems`` and flags every validity row.
    Validated against R lavaan 0.6 on 42 models (tests/reference/measure_sweep.R: chi-square, df, CFI, TLI,
    RMSEA, SRMR, estimates and SEs within 1e-5, also MLR and FIML), on the ordinal models of
    tests/reference/measure_ordinal.R, and semTools ``htmt``.

    Examples
    --------
    >>> from kinerja_research.measure import cfa, example_items
    >>> df = example_items(n=400, seed=8, k=6)
    >>> res = cfa(df, model="f =~ X1 + X2 + X3 + X4 + X5 + X6")
    >>> res.converged, res.problems, bool(res.fit.set_index("term").loc["cfi", "estimate"] > 0.95)
    (True, [], True)
    """
    check_alpha(alpha)
    _check_options(estimator, missing, ordered)
    # complete-data ML needs only n, the covariance and the means: accumulated over blocks of rows, no n x p copy
    moments = estimator == "ML" and not ordered
    prep = _prepare(data, model, between, missing, min_group_n, moments=moments)
    eng = _fit(prep, estimator=estimator, missing=missing, ordered=ordered, equal=tuple(equal), partial=tuple(partial))
    return _result(eng, prep, alpha)


# ---------------------------------------------------------------------------------------------- invariance
def _level_equal(level: str, ordered: bool) -> tuple[str, ...]:
    anchor = "thresholds" if ordered else "intercepts"
    return {
        "configural": (),
        "metric": ("loadings",),
        "scalar": ("loadings", anchor),
        "strict": ("loadings", anchor, "residuals"),
    }[level]


def _between_arg(between):
    if between is None:
        raise KinerjaError("Argument 'between' is missing; the rule is the grouping column, e.g. 'region_code'.")
    return between
