"""Public satisfaction: the Indeks Kepuasan Masyarakat (IKM) of PermenPANRB 14/2017, per region, unit and period.

The regulation's computation, step by step (Lampiran, "Pengolahan Data Survei"):

1. NRR per unsur: the mean answer (1–4) of each of the nine elements U1…U9;
2. NRR tertimbang per unsur = NRR × weight, with weight = 1 / number of elements (1/9; the regulation prints the
   rounded 0.11, available here as ``weight="printed"``);
3. IKM (interval value, 1–4) = Σ NRR tertimbang; converted IKM = IKM × 25 (25–100);
4. mutu pelayanan from the converted value rounded to two decimals, by the bands of
   :data:`kinerja_research.standards.IKM_BANDS` (A "Sangat Baik" from 88.31, B "Baik" from 76.61, C "Kurang Baik"
   from 65.00, D "Tidak Baik" below).

Everything is computed with ``groupby``/``bincount`` over all groups at once; the bootstrap loops over resample
chunks, never over rows or groups.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research._docs import fill_doc
from kinerja_research.errors import KinerjaError
from kinerja_research.results import check_alpha, check_choice, check_columns, tidy
from kinerja_research.standards import IKM_BANDS, IKM_GOOD_MIN

__all__ = ["ikm", "ikm_elements", "ikm_trend", "ikm_mutu", "ELEMENTS"]


def _py(value):
    """A numpy scalar as the plain Python value, for error messages."""
    return value.item() if hasattr(value, "item") else value


ELEMENTS = tuple(f"U{i}" for i in range(1, 10))
# the mutu bands and their labels live in kinerja_research.standards.IKM_BANDS (PermenPANRB 14/2017)
WEIGHTS = ("exact", "printed")
PERIODS = ("quarter", "semester")


def round_half_up(x, decimals: int = 2) -> np.ndarray:
    """Round half away from zero to ``decimals`` (as a spreadsheet's ROUND), robust to binary representation.

    >>> round_half_up([88.305, 76.604999999, 65.0])
    array([88.31, 76.6 , 65.  ])
    """
    f = 10.0**decimals
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.floor(np.round(np.abs(x) * f, 9) + 0.5) / f


def ikm_mutu(value) -> tuple[np.ndarray, np.ndarray]:
    """Mutu (A–D) and kinerja label of converted IKM values (25–100), after rounding to two decimals.

    >>> ikm_mutu([88.31, 88.305, 88.30, 76.61, 65.0, 64.99])[0].tolist()
    ['A', 'A', 'B', 'B', 'C', 'D']
    """
    r = round_half_up(value, 2)
    bands = list(IKM_BANDS.values())  # best first; the last band takes everything below the others
    mutu = np.select([r >= b.low for b in bands[:-1]], [b.mutu for b in bands[:-1]], bands[-1].mutu).astype(object)
    mutu[np.isnan(r)] = None
    label = np.array([IKM_BANDS[m].kinerja if m is not None else None for m in mutu], dtype=object)
    return mutu, label


# ---------------------------------------------------------------------------------------------------------------------
# input
# ---------------------------------------------------------------------------------------------------------------------
def _weights(weight: str, k: int) -> np.ndarray:
    check_choice("weight", weight, WEIGHTS)
    return np.full(k, 1.0 / k) if weight == "exact" else np.full(k, 0.11)


def _weighted_sum(x: np.ndarray, weight: str) -> np.ndarray:
    """Σ_e w_e x_e over the last axis, the same on every machine: the weights are equal, so this is the sum (numpy's
    own summation, not a BLAS dot product, whose rounding depends on the processor's kernel) divided by the number
    of elements (``"exact"``) or times 0.11 (``"printed"``). Nine answers of 4 give exactly 4, so IKM 100."""
    return _of_total(np.sum(x, axis=-1), x.shape[-1], weight)


def _of_total(total: np.ndarray, k: int, weight: str) -> np.ndarray:
    """Σ_e w_e x_e from the sum of the ``k`` answers (the weights are equal)."""
    return total / k if weight == "exact" else total * 0.11


def _period_key(period: pd.Series, how: str) -> pd.Series:
    """``2026-Q3`` -> ``2026-Q3`` (quarter) or ``2026-S2`` (semester); a month ``2026-08`` -> ``2026-Q3`` or
    ``2026-S2``; ``2026-S1`` stays a semester (and cannot be split into quarters)."""
    s = period.astype("string")
    ok = s.str.fullmatch(r"\d{4}-(Q[1-4]|S[12]|0[1-9]|1[0-2])")
    bad = ~ok.fillna(False).astype(bool) & s.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise KinerjaError(
            f"data row {i + 1}, column 'period', value {_py(period.iloc[i])!r}: the rule is a period like "
            f"'2026-Q1' (quarter), '2026-S1' (semester) or '2026-01' (month)."
        )
    year, part = s.str.slice(0, 4), s.str.slice(5)
    month = pd.to_numeric(part.where(part.str.fullmatch(r"\d{2}").fillna(False)), errors="coerce")
    quarter = ("Q" + ((month - 1) // 3 + 1).astype("Int64").astype("string")).where(month.notna(), part)
    if how == "quarter":
        semester_rows = quarter.str.startswith("S").fillna(False)
        if semester_rows.any():
            i = int(np.flatnonzero(semester_rows.to_numpy())[0])
            raise KinerjaError(
                f"data row {i + 1}, column 'period', value {_py(period.iloc[i])!r}: the rule is that a "
                f"quarterly IKM needs quarters or months ('2026-Q1', '2026-01'); use period='semester'."
            )
        return year + "-" + quarter
    half = quarter.map({"Q1": "S1", "Q2": "S1", "Q3": "S2", "Q4": "S2", "S1": "S1", "S2": "S2"})
    return year + "-" + half


def _prepare(
    data: pd.DataFrame, by, elements: Sequence[str], period: str | None, period_col: str
) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Validated answers (N × E float, NaN = unanswered) and the grouping frame."""
    elements = list(elements)
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if period is not None:
        check_choice("period", period, PERIODS)
    check_columns(data, elements + by + ([period_col] if period else []))
    x = data[elements].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    raw_na = data[elements].isna().to_numpy()
    with np.errstate(invalid="ignore"):
        valid = (x >= 1.0) & (x <= 4.0) & (x == np.floor(x))
    bad = (np.isnan(x) & ~raw_na) | (~np.isnan(x) & ~valid)
    if bad.any():
        i, j = (int(v[0]) for v in np.nonzero(bad))
        raise KinerjaError(
            f"data row {i + 1}, column '{elements[j]}', value {_py(data[elements[j]].iloc[i])!r}: the rule is "
            f"that an SKM answer is 1, 2, 3 or 4 (PermenPANRB 14/2017)."
        )
    keys = data[by].copy() if by else pd.DataFrame(index=data.index)
    if period is not None:
        keys[period_col] = _period_key(data[period_col], period).to_numpy()
        if period_col not in by:
            by = by + [period_col]
    missing_key = keys.isna().any(axis=1).to_numpy() if by else np.zeros(len(data), bool)
    if missing_key.any():
        i = int(np.flatnonzero(missing_key)[0])
        col = next(c for c in by if pd.isna(keys[c].iloc[i]))
        raise KinerjaError(
            f"data row {i + 1}, column '{col}' is empty; the rule is that every respondent belongs to a "
            f"group of the IKM."
        )
    return keys.reset_index(drop=True), by, x


def _group_codes(keys: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    if not by:
        return np.zeros(len(keys), dtype=np.int64), pd.DataFrame(index=[0])
    grouped = keys.groupby(by, sort=True, observed=True)
    codes = grouped.ngroup().to_numpy()
    table = grouped.size().reset_index()[by]
    return codes, table


def _group_columns(table: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Group keys as result columns: ``region_code`` becomes the canonical ``region``; the others keep their names."""
    out = table.rename(columns={"region_code": "region"}).reset_index(drop=True)
    extra = [c for c in out.columns if c != "region"]
    return out, extra


def _element_means(codes: np.ndarray, x: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
    xt = np.ascontiguousarray(x.T)  # one contiguous row per element: bincount reads it sequentially
    ok = ~np.isnan(xt)
    x0 = np.where(ok, xt, 0.0)
    sums = np.stack([np.bincount(codes, weights=x0[e], minlength=g) for e in range(xt.shape[0])], axis=1)
    if ok.all():
        cnt = np.repeat(np.bincount(codes, minlength=g).astype(float)[:, None], xt.shape[0], axis=1)
    else:
        cnt = np.stack(
            [np.bincount(codes, weights=ok[e].astype(float), minlength=g) for e in range(xt.shape[0])], axis=1
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / cnt, cnt


# ---------------------------------------------------------------------------------------------------------------------
# IKM
# ---------------------------------------------------------------------------------------------------------------------
@fill_doc
def ikm(
    data: pd.DataFrame,
    *,
    between: str | Sequence[str] | None = "region_code",
    elements: Sequence[str] = ELEMENTS,
    weight: str = "exact",
    period: str | None = None,
    period_col: str = "period",
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 2026,
) -> pd.DataFrame:
    """Indeks Kepuasan Masyarakat (PermenPANRB 14/2017) per group, with a percentile bootstrap confidence interval.

    Parameters
    ----------
    {data}
    between : str, list of str or None, default "region_code"
        Grouping column(s), e.g. ``["region_code", "service_unit"]``; None gives one IKM for all rows.
    elements : list of str
        The element columns (U1…U9, keyed by element name), answers 1–4.
    weight : {{"exact", "printed"}}, default "exact"
        Weight of each element: 1 / number of elements, or the 0.11 printed in the regulation (with nine elements
        the printed weights sum to 0.99 and the maximum converted IKM is 99).
    period : {{None, "quarter", "semester"}}
        Add the survey period to the groups: quarters as in the data (``2026-Q1``) or semesters (Q1–Q2 -> ``S1``).
    period_col : str, default "period"
        Column holding the period.
    {alpha}
    n_boot : int, default 2000
        Bootstrap resamples of respondents within each group (0 skips the interval).
    {seed}

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted): ``region`` (when grouping by ``region_code``) and the other grouping columns,
        ``estimate`` (converted IKM, 25–100, unrounded), ``se`` (bootstrap standard deviation), ``ci_low``/``ci_high``
        (percentile bootstrap 1 - alpha interval), ``n`` (respondents), ``method``; extra columns ``ikm`` (the
        converted value rounded to two decimals as the regulation reports it), ``mutu`` (A–D), ``kinerja`` (the
        regulation's label: Sangat Baik, Baik, Kurang Baik, Tidak Baik), ``nrr_tertimbang`` (IKM on the 1–4 interval
        scale), and the grouping columns.

    Notes
    -----
    NRR_e = mean of the answers to element e in the group; IKM = 25 · Σ_e w_e NRR_e. An unanswered element leaves
    that respondent out of that element's mean only (pairwise); ``n`` counts respondents. Answers outside 1–4 raise.
    Rounding is half up (a spreadsheet's ROUND), so 88.305 is 88.31 and mutu A. The bootstrap resamples respondents
    with replacement within each group and recomputes the IKM (percentile interval, quantiles as R ``quantile``
    type 7); with complete answers it draws the resampled groups as multinomial counts over the distinct respondent
    scores, which is the same resampling distribution without touching rows. The IKM is validated against the regulation's formula computed in R
    (tests/reference/analyses_resistance_satisfaction.R); the interval's coverage is checked by simulation.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({{f"U{{i}}": [4, 3, 4, 3] for i in range(1, 10)}} | {{"region_code": ["18.71"] * 4}})
    >>> ikm(d, n_boot=0)[["region", "ikm", "mutu", "kinerja"]]
      region   ikm mutu kinerja
    0  18.71  87.5    B    Baik
    """
    check_alpha(alpha)
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise KinerjaError(f"Argument 'n_boot' is {n_boot!r}; the rule is a whole number >= 0.")
    keys, by, x = _prepare(data, between, elements, period, period_col)
    w = _weights(weight, len(list(elements)))
    codes, table = _group_codes(keys, by)
    g = len(table)
    nrr, _ = _element_means(codes, x, g)
    est = 25.0 * _weighted_sum(nrr, weight)
    n = np.bincount(codes, minlength=g)
    lo = hi = se = np.full(g, np.nan)
    if n_boot > 0:
        boot = _bootstrap(codes, x, w, g, n_boot, seed, weight)
        lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
        se = boot.std(axis=0, ddof=1)
    mutu, label = ikm_mutu(est)
    cols, extra = _group_columns(table, by)
    out = cols.assign(
        estimate=est,
        se=se,
        ci_low=lo,
        ci_high=hi,
        n=n,
        method=f"IKM PermenPANRB 14/2017 (weight {'1/9' if weight == 'exact' else '0.11'}"
        f"{', percentile bootstrap' if n_boot else ''})",
        ikm=round_half_up(est, 2),
        mutu=mutu,
        kinerja=label,
        nrr_tertimbang=_weighted_sum(nrr, weight),
    )
    return tidy(out, extra=["ikm", "mutu", "kinerja", "nrr_tertimbang", *extra], ci_level=1 - alpha)


def _bootstrap(
    codes: np.ndarray, x: np.ndarray, w: np.ndarray, g: int, n_boot: int, seed: int, weight: str
) -> np.ndarray:
    """n_boot × g bootstrap IKM values: respondents resampled with replacement within each group, all groups at once.

    Complete answers (the usual case): a multinomial draw of n_g respondents over the group's distinct respondent
    scores. With unanswered elements: resamples in chunks (about 2·10⁷ draws each) where every row picks a random row
    of its own group, and the per-group element means come from one ``bincount`` per element over (resample, group)
    keys; with whole-number answers (the regulation's 1–4), from the number of times each row was drawn times the
    group's rows (exact integer sums, so the same values bit for bit, at a third of the cost).
    """
    rng = np.random.default_rng(seed)
    n_all = np.bincount(codes, minlength=g)
    if not np.isnan(x).any() and np.allclose(w, w[0]):
        # Every answer is 1-4, so a respondent's score takes one of at most 28 values (sum of nine answers). Drawing
        # n_g respondents with replacement is then a multinomial draw over those values with the group's observed
        # frequencies: the same bootstrap distribution, at the cost of (groups x values) per resample, not rows.
        tot = x.sum(axis=1)
        lo = int(tot.min())
        v = int(tot.max()) - lo + 1
        cnt = np.bincount(codes * v + (tot - lo).astype(np.int64), minlength=g * v).reshape(g, v)
        probs = cnt / n_all[:, None]
        vals = 25.0 * _of_total(lo + np.arange(v), len(w), weight)
        out = np.empty((n_boot, g))
        chunk = max(1, int(2e7 // (g * v)))
        for b0 in range(0, n_boot, chunk):  # loop over resample chunks, not rows
            cb = min(chunk, n_boot - b0)
            out[b0 : b0 + cb] = rng.multinomial(n_all, probs, size=(cb, g)) @ vals / n_all
        return out
    order = np.argsort(codes, kind="stable")
    cs = codes[order]
    xs = x[order]
    n = np.bincount(cs, minlength=g)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    big_n = cs.size
    complete = not np.isnan(xs).any()
    score = 25.0 * _weighted_sum(xs, weight) if complete else None
    ok_all = ~np.isnan(xs)
    x0 = np.where(ok_all, xs, 0.0)
    # Whole-number answers: element sums and answer counts per (resample, group) are exact integers in any summation
    # order, so they can come from "times each row was drawn" × the group's rows (one matrix product per group)
    # instead of nine gathers and eighteen bincounts, with bit-identical results.
    counted = not complete and bool(np.all(x0 == np.round(x0))) and float(np.abs(x0).max(initial=0.0)) < 2**20
    okf = ok_all.astype(float)
    out = np.empty((n_boot, g))
    chunk = max(1, int(2e7 // max(big_n, 1)))
    for b0 in range(0, n_boot, chunk):  # loop over resample chunks, not rows
        cb = min(chunk, n_boot - b0)
        pick = start[cs][None, :] + np.floor(rng.random((cb, big_n)) * n[cs][None, :]).astype(np.int64)
        if counted:
            times = np.bincount((np.arange(cb)[:, None] * big_n + pick).ravel(), minlength=cb * big_n)
            times = times.reshape(cb, big_n).astype(float)
            acc = np.zeros((cb, g))
            for j in range(g):  # loop over groups (not rows): each group's rows are contiguous after sorting
                sl = slice(start[j], start[j] + n[j])
                s = times[:, sl] @ x0[sl]
                c = times[:, sl] @ okf[sl]
                for e in range(xs.shape[1]):  # same per-element accumulation order as below
                    with np.errstate(invalid="ignore", divide="ignore"):
                        acc[:, j] += w[e] * s[:, e] / c[:, e]
            out[b0 : b0 + cb] = 25.0 * acc
            continue
        key = (np.arange(cb)[:, None] * g + cs[None, :]).ravel()
        if complete:
            sums = np.bincount(key, weights=score[pick].ravel(), minlength=cb * g).reshape(cb, g)
            out[b0 : b0 + cb] = sums / n[None, :]
        else:
            acc = np.zeros((cb, g))
            for e in range(xs.shape[1]):  # nine elements
                v = xs[pick, e]
                ok = ~np.isnan(v)
                s = np.bincount(key, weights=np.where(ok, v, 0.0).ravel(), minlength=cb * g).reshape(cb, g)
                c = np.bincount(key, weights=ok.ravel().astype(float), minlength=cb * g).reshape(cb, g)
                with np.errstate(invalid="ignore", divide="ignore"):
                    acc += w[e] * s / c
            out[b0 : b0 + cb] = 25.0 * acc
    return out


@fill_doc
def ikm_elements(
    data: pd.DataFrame,
    *,
    between: str | Sequence[str] | None = "region_code",
    elements: Sequence[str] = ELEMENTS,
    weight: str = "exact",
    period: str | None = None,
    period_col: str = "period",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Element scores (NRR per unsur) per group, with the weakest elements flagged.

    Parameters
    ----------
    {data}
    between, elements, weight, period, period_col
        As in :func:`ikm`.
    {alpha}

    Returns
    -------
    pandas.DataFrame
        One row per group × element: grouping columns (``region`` for ``region_code``), ``term`` (element id),
        ``estimate`` (NRR, mean answer 1–4), ``se`` (sd / sqrt n), ``ci_low``/``ci_high`` (t interval), ``n``
        (answers), ``method``; extra columns ``score`` (NRR × 25, the element on the IKM scale), ``mutu``
        (of the element's score), ``nrr_tertimbang`` (NRR × weight), ``rank`` (1 = weakest in its group),
        ``weakest`` (lowest NRR in its group, ties included), ``below_b`` (score under 76.61: mutu C or D).

    Notes
    -----
    Unanswered elements are dropped per element. The element score uses the same ×25 conversion as the IKM.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({{f"U{{i}}": [4, 3, 4, 3] for i in range(1, 10)}} | {{"U5": [2, 2, 3, 2]}})
    >>> r = ikm_elements(d, between=None)
    >>> r.loc[r.weakest, ["term", "estimate", "score", "mutu"]]
      term  estimate  score mutu
    4   U5      2.25  56.25    D
    """
    check_alpha(alpha)
    elements = list(elements)
    keys, by, x = _prepare(data, between, elements, period, period_col)
    w = _weights(weight, len(elements))
    codes, table = _group_codes(keys, by)
    g = len(table)
    nrr, cnt = _element_means(codes, x, g)
    ok = ~np.isnan(x)
    dev = np.where(ok, x - nrr[codes], 0.0)
    ss = np.stack([np.bincount(codes, weights=dev[:, e] ** 2, minlength=g) for e in range(len(elements))], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(ss / (cnt - 1))
        se = sd / np.sqrt(cnt)
        tq = stats.t.ppf(1 - alpha / 2, cnt - 1)
    rank = pd.DataFrame(nrr).rank(axis=1, method="min").to_numpy()
    cols, extra = _group_columns(table, by)
    rep = cols.loc[np.repeat(np.arange(g), len(elements))].reset_index(drop=True)
    score = 25.0 * nrr.ravel()
    mutu, _ = ikm_mutu(score)
    out = rep.assign(
        term=np.tile(elements, g),
        estimate=nrr.ravel(),
        se=se.ravel(),
        ci_low=(nrr - tq * se).ravel(),
        ci_high=(nrr + tq * se).ravel(),
        n=cnt.ravel().astype(int),
        method="NRR per unsur",
        score=score,
        mutu=mutu,
        nrr_tertimbang=(nrr * w).ravel(),
        rank=rank.ravel().astype(int),
        weakest=(rank == 1).ravel(),
        below_b=round_half_up(score, 2) < IKM_GOOD_MIN,
    )
    return tidy(
        out, extra=["score", "mutu", "nrr_tertimbang", "rank", "weakest", "below_b", *extra], ci_level=1 - alpha
    )


@fill_doc
def ikm_trend(
    data: pd.DataFrame,
    *,
    between: str | Sequence[str] | None = "region_code",
    elements: Sequence[str] = ELEMENTS,
    weight: str = "exact",
    period: str = "quarter",
    period_col: str = "period",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Linear trend of the converted IKM over survey periods, per group.

    Parameters
    ----------
    {data}
    between, elements, weight, period_col
        As in :func:`ikm`.
    period : {{"quarter", "semester"}}, default "quarter"
        The time unit of the trend.
    {alpha}

    Returns
    -------
    pandas.DataFrame
        One row per group: grouping columns, ``term`` ("period"), ``estimate`` (change of the converted IKM per
        period), ``se``, ``ci_low``, ``ci_high`` (t interval), ``statistic`` (t), ``df`` (n - 2), ``p``, ``n``
        (respondents with all elements answered), ``method``; extra ``n_periods`` (distinct periods in the group).

    Notes
    -----
    OLS of each respondent's converted score 25 · Σ_e w_e x_e on the period number (periods of the whole data set in
    time order, numbered 1, 2, …; a missing period keeps its number), fitted for every group at once from grouped
    sums. Respondents with an unanswered element are dropped (listwise). Validated against R ``lm(score ~ t)``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({{f"U{{i}}": [2, 3, 3, 4] for i in range(1, 10)}} | {{"period": ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]}})
    >>> float(ikm_trend(d, between=None).estimate[0])
    15.0
    """
    check_alpha(alpha)
    check_choice("period", period, PERIODS)
    keys, by_all, x = _prepare(data, between, elements, period, period_col)
    by = [c for c in by_all if c != period_col]
    complete = ~np.isnan(x).any(axis=1)
    check_choice("weight", weight, WEIGHTS)
    keys = keys.loc[complete].reset_index(drop=True)
    y = 25.0 * _weighted_sum(x[complete], weight)
    t = pd.factorize(keys[period_col], sort=True)[0].astype(float) + 1.0
    codes, table = _group_codes(keys, by)
    g = len(table)
    n = np.bincount(codes, minlength=g).astype(float)
    mt = np.bincount(codes, weights=t, minlength=g) / n
    my = np.bincount(codes, weights=y, minlength=g) / n
    dt, dy = t - mt[codes], y - my[codes]
    sxx = np.bincount(codes, weights=dt * dt, minlength=g)
    sxy = np.bincount(codes, weights=dt * dy, minlength=g)
    syy = np.bincount(codes, weights=dy * dy, minlength=g)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = sxy / sxx
        df = n - 2
        s2 = (syy - slope * sxy) / df
        se = np.sqrt(s2 / sxx)
        stat = slope / se
    p = 2 * stats.t.sf(np.abs(stat), df)
    tq = stats.t.ppf(1 - alpha / 2, df)
    pc = t.astype(np.int64) - 1
    n_per = int(pc.max()) + 1 if pc.size else 1
    n_periods = (np.bincount(codes * n_per + pc, minlength=g * n_per).reshape(g, n_per) > 0).sum(axis=1)
    cols, extra = _group_columns(table, by)
    out = cols.assign(
        term="period",
        estimate=slope,
        se=se,
        ci_low=slope - tq * se,
        ci_high=slope + tq * se,
        statistic=stat,
        df=df,
        p=p,
        n=n.astype(int),
        method=f"OLS trend per {period}",
        n_periods=n_periods,
    )
    return tidy(out, extra=["n_periods", *extra], ci_level=1 - alpha)
