"""Every region's brief numbers in one pass over all regions: 514 briefs without 514 computations.

The region brief (``notebooks/region_brief.ipynb``, :func:`kinerja_research.report.sections.region_brief`) compares
one region with every region of the data: the DiD effect of training, the share of PNS meeting the 20 JP, the mean
resistance to change, the association of perceived reward with capaian, and the IKM. :func:`brief_numbers` computes
those numbers for all regions at once, from the columns they need only (parquet column projection,
:func:`kinerja_research.pipeline.load_table`), and :func:`brief_parts` keeps the result for the process: a kernel that
shows one brief computes it once, and the runner's batch of briefs (:mod:`kinerja_research.report.runner`) computes
it once for all of them (:func:`shared_in`: the batches of one run share one computation through a file).

Each number follows the rule of the thematic page that shows it, so the brief and the page agree (tested):

- training: the DiD of each region from that region's rows alone (the per-region rows of
  :func:`~kinerja_research.report.sections.training_effect`), regions with fewer than ``min_n`` people in a trained x
  wave cell left out. The one per-region model that cannot be vectorised (cluster-robust CR2 with Satterthwaite df),
  each on one region's rows; the fully interacted model of all regions, which the thematic page fits for its test of
  equal effects, is not needed by the brief.
- jp: :func:`~kinerja_research.analysis.training.training_dose` grouped by region (one group-by).
- resistance: the baseline-wave mean of the resistance total per region (:func:`region_means`, one group-by) over
  the regions with at least ``standards.MIN_REGION_N`` respondents in each wave, and the Welch ANOVA across them.
- rewards: per region, capaian regressed on perceived reward, sanction and motivation (OLS): every region's normal
  equations built by one ``bincount`` per cross-product and solved together (:func:`grouped_ols`), equal to
  :func:`kinerja_research.regression` per region (tested to 1e-9), without its assumption tests, which the brief
  does not show.
- satisfaction: :func:`ikm_by_region` (each region's bootstrap from its own respondents, seeded).

Figures of a brief compare the region with at most :data:`FIGURE_MAX` regions (:func:`shown_regions`): all of them
when the data hold no more, else the regions of its province nearest to it; the peers table ranks it among all.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy import stats

from kinerja_research import standards
from kinerja_research.analysis import satisfaction as _sat
from kinerja_research.analysis.frames import (
    Construct,
    construct_scores,
    constructs_present,
    dataset_constructs,
    performance_panel,
    staff_years,
    survey_frame,
)
from kinerja_research.analysis.resistance import region_means, welch_anova
from kinerja_research.analysis.satisfaction import ikm
from kinerja_research.analysis.training import did, training_dose
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import TABLES, load_processed
from kinerja_research.report import findings as fnd
from kinerja_research.report import national_rewards, national_rtc, national_training
from kinerja_research.report.i18n import translator
from kinerja_research.report.national_training import equal_effects_rows
from kinerja_research.report.needs import processed_folder

__all__ = [
    "did_region_records",
    "ikm_records",
    "jp_records",
    "rtc_records",
    "PAIRS_ENDS",
    "pairs_at_the_ends",
    "INTERACTED_MAX",
    "did_by_region",
    "BriefNumbers",
    "Part",
    "FIGURE_MAX",
    "THEMES",
    "brief_columns",
    "brief_numbers",
    "brief_parts",
    "grouped_ols",
    "ikm_by_region",
    "large_enough",
    "shown_regions",
    "figure_rows",
    "shared_in",
    "FIGURE_ENDS",
    "figure_ends",
    "provinces",
    "region_effects",
    "lmm_by_province",
]

#: The themes of the brief, in its order (the ``question`` of their answers).
THEMES = ("training", "jp", "resistance", "rewards", "satisfaction")
#: At most this many regions in a brief's figures (:func:`shown_regions`).
FIGURE_MAX = 20
#: The predictors of the per-region rewards regression, those the survey holds.
REWARD_PREDICTORS = ("reward", "sanction", "motivation")
#: The IKM's unsur (PermenPANRB 14/2017).
ELEMENTS = tuple(f"U{i}" for i in range(1, 10))
IKM_N_BOOT = 2000
_BRIEF_KEYS = {"did_effect_region", "jp_share_meeting_20", "rtc_mean", "ikm", "ikm_ci_low", "ikm_ci_high", "mutu"}


# ------------------------------------------------------------------------------------------- shared with the pages
def large_enough(
    df: pd.DataFrame, *, min_n: int, between: Sequence[str] = (), subject: str = "person_id"
) -> tuple[pd.DataFrame, list[str]]:
    """The rows of the regions with at least ``min_n`` people in every ``by`` cell, and the codes left out.

    A region is kept when every cell of ``between`` seen anywhere in ``df`` (e.g. ``["trained", "wave"]``) holds at least
    ``min_n`` distinct ``subject`` values in it; with ``between=()`` the region as a whole needs ``min_n``. The same rule
    as ``ctx.regions_with``, without showing the note (see :func:`sections.note`).

    Examples
    --------
    >>> d = pd.DataFrame({"region_code": ["a"] * 4 + ["b"] * 2, "person_id": list("pqrsxy"),
    ...                   "trained": [True, True, False, False, True, True]})
    >>> kept, out = large_enough(d, min_n=2, between=["trained"])
    >>> sorted(kept["region_code"].unique()), out
    (['a'], ['b'])
    """
    by = list(between)
    if df.empty:
        return df.reset_index(drop=True), []
    codes = df["region_code"].astype(str)
    counts = df.assign(region_code=codes).groupby(["region_code", *by], observed=True)[subject].nunique()
    if by:
        full = pd.MultiIndex.from_product(
            [sorted(codes.unique()), *[sorted(df[b].dropna().unique()) for b in by]], names=["region_code", *by]
        )
        counts = counts.reindex(full, fill_value=0)
        ok = (counts >= min_n).groupby(level="region_code").all()
    else:
        ok = counts >= min_n
    left = sorted(str(c) for c in ok.index[~ok.to_numpy()])
    return df[~codes.isin(left)].reset_index(drop=True), left


def ikm_by_region(satisfaction: pd.DataFrame, *, alpha: float, seed: int, n_boot: int = IKM_N_BOOT) -> pd.DataFrame:
    """IKM per region, each region's bootstrap interval drawn from that region's respondents alone with ``seed``.

    The interval of a region therefore does not depend on which other regions are in the run: the satisfaction page,
    the comparison page and the region brief show the same numbers as :func:`kinerja_research.ikm` of that region
    alone (tested). The estimates of all regions come from one grouped :func:`~kinerja_research.ikm`; each region's
    resamples from the same bootstrap as ``ikm`` with its own generator (no per-region table work: 514 regions in
    seconds).
    """
    if satisfaction.empty:
        return pd.DataFrame()
    out = ikm(satisfaction, between="region_code", alpha=alpha, n_boot=0)
    if not n_boot:
        return out
    # ikm's own answer matrix, grouping and bootstrap (one region at a time, each seeded as a call of ikm on it)
    keys, by, x = _sat._prepare(satisfaction, "region_code", ELEMENTS, None, "period")
    codes, _ = _sat._group_codes(keys, by)
    w = _sat._weights("exact", len(ELEMENTS))
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(out) + 1))
    est, nrr_w, lo, hi, se = (np.full(len(out), np.nan) for _ in range(5))
    for i in range(len(out)):
        rows = order[starts[i] : starts[i + 1]]
        one = np.zeros(len(rows), dtype=np.int64)
        nrr, _ = _sat._element_means(one, x[rows], 1)  # the sums of this region alone, as ikm of the region sums them
        nrr_w[i] = _sat._weighted_sum(nrr, "exact")[0]
        est[i] = 25.0 * nrr_w[i]  # as ikm evaluates it
        boot = _sat._bootstrap(one, x[rows], w, 1, n_boot, seed, "exact")
        lo[i], hi[i] = np.quantile(boot[:, 0], [alpha / 2, 1 - alpha / 2])
        se[i] = boot[:, 0].std(ddof=1)
    mutu, label = _sat.ikm_mutu(est)
    method = ikm(satisfaction.iloc[:1], between="region_code", alpha=alpha, n_boot=2)["method"].iloc[0]
    return out.assign(
        estimate=est,
        se=se,
        ci_low=lo,
        ci_high=hi,
        ci_level=1 - alpha,
        method=method,
        ikm=_sat.round_half_up(est, 2),
        mutu=mutu,
        kinerja=label,
        nrr_tertimbang=nrr_w,
    )


#: Above this many regions the pages fit no model with parameters per region over all regions at once (the fully
#: interacted DiD, multi-group CFA across regions): their memory grows with the square of the country.
INTERACTED_MAX = 30


def did_by_region(panel: pd.DataFrame, *, dv: str = "capaian_pct", alpha: float = 0.05) -> pd.DataFrame:
    """The result of ``did(panel, between=["trained", "region_code"])`` (:func:`kinerja_research.did`) for many
    regions, without its fully interacted design (four columns per region over every row: 33 GB for 514 regions at
    scale 1).

    Rows: the pooled model's coefficients; each region's DiD effect from a DiD of that region's rows alone (as the
    pages show it for any number of regions); the Wald F test of equal effects. Clusters (OPD) lie within regions, so
    the interacted model's CR2 covariance is block-diagonal across regions and each block is the region's own: the
    test is ``W = sum_i (b_i - b_w)^2 / v_i`` (``b_w`` the inverse-variance weighted mean, ``v_i`` the squared
    standard errors), ``F = W / (G - 1)`` on ``(G - 1, clusters - 1)`` degrees of freedom: the interacted model's
    statistic up to rounding (tested).
    """
    pooled = did(panel, dv=dv, alpha=alpha)
    rows = []
    for code, sub in panel.groupby(panel["region_code"].astype(str), sort=True):
        own = did(sub, dv=dv, alpha=alpha)
        rows.append(own[own["term"] == "trained:post"].assign(region=code))
    return equal_effects_rows(pooled, pd.concat(rows, ignore_index=True), alpha)


# ------------------------------------------------------------------------------------------------ batched least squares
def grouped_ols(
    data: pd.DataFrame,
    *,
    dv: str,
    covar: Sequence[str],
    between: str = "region_code",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """OLS of ``dv`` on ``covar`` (with intercept) in every group of ``between`` at once, classical standard errors.

    Every group's normal equations are built by one ``numpy.bincount`` per cross-product and the k x k systems are
    solved together, so 514 regressions cost about one; listwise deletion over ``dv`` and ``covar`` as
    :func:`kinerja_research.regression`, whose coefficient rows (``estimate``, ``se``, ``statistic``, ``df``, ``p``,
    ``ci_low``, ``ci_high``, ``n``) these equal per group. A group with no more rows than coefficients, or whose
    predictors are collinear, gets missing values.

    Returns
    -------
    pandas.DataFrame
        One row per group and coefficient: ``region`` (when ``between`` is ``region_code``, else ``group``),
        ``term`` (``"(Intercept)"`` then ``covar``), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``ci_level``,
        ``statistic`` t, ``df`` (n - k), ``p``, ``n`` (rows used).

    Examples
    --------
    >>> d = pd.DataFrame({"region_code": ["a"] * 4 + ["b"] * 4, "x": [1.0, 2, 3, 4] * 2,
    ...                   "y": [2.0, 4.1, 5.9, 8, 1, 1.4, 2.1, 2.4]})
    >>> grouped_ols(d, dv="y", covar=["x"]).query("term == 'x'")[["region", "estimate"]].round(2).values.tolist()
    [['a', 1.98], ['b', 0.49]]
    """
    covar = list(covar)
    d = data.dropna(subset=[dv, *covar])
    codes, groups = pd.factorize(d[between].astype(str), sort=True)
    g, k = len(groups), len(covar) + 1
    X = np.column_stack([np.ones(len(d)), *(d[c].to_numpy(float) for c in covar)])
    y = d[dv].to_numpy(float)
    n = np.bincount(codes, minlength=g).astype(float)
    # centre within groups before the cross-products (the intercept is recovered after): the sums of squares of
    # capaian (about 80) would otherwise lose digits in the normal equations
    mean_x = np.column_stack([np.bincount(codes, X[:, j], minlength=g) for j in range(k)]) / n[:, None]
    mean_y = np.bincount(codes, y, minlength=g) / n
    Xc, yc = X[:, 1:] - mean_x[codes, 1:], y - mean_y[codes]
    q = k - 1
    xtx = np.empty((g, q, q))
    for i in range(q):
        for j in range(i, q):
            xtx[:, i, j] = xtx[:, j, i] = np.bincount(codes, Xc[:, i] * Xc[:, j], minlength=g)
    xty = np.column_stack([np.bincount(codes, Xc[:, i] * yc, minlength=g) for i in range(q)])
    df = n - k
    ok = df > 0
    if g:
        ok &= np.linalg.matrix_rank(xtx) == q
    inv = np.full((g, q, q), np.nan)
    if ok.any():
        inv[ok] = np.linalg.inv(xtx[ok])
    slopes = np.einsum("gij,gj->gi", inv, xty)
    intercept = mean_y - np.einsum("gi,gi->g", mean_x[:, 1:], slopes)
    beta = np.column_stack([intercept, slopes])
    resid = y - np.einsum("ij,ij->i", X, beta[codes])
    rss = np.bincount(codes, resid**2, minlength=g)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(ok, rss / df, np.nan)
        var_slopes = sigma2[:, None] * np.diagonal(inv, axis1=1, axis2=2)
        # Var(intercept) = sigma2 (1/n + m' (Xc'Xc)^-1 m) for the centred design
        m = mean_x[:, 1:]
        var_int = sigma2 * (1 / n + np.einsum("gi,gij,gj->g", m, inv, m))
        se = np.sqrt(np.column_stack([var_int, var_slopes]))
        t = beta / se
        dfs = np.where(ok, df, np.nan)
        p = 2 * stats.t.sf(np.abs(t), dfs[:, None])
        crit = stats.t.ppf(1 - alpha / 2, dfs)[:, None]
    terms = ["(Intercept)", *covar]
    label = "region" if between == "region_code" else "group"
    return pd.DataFrame(
        {
            label: np.repeat(np.asarray(groups, dtype=object), k),
            "term": terms * g,
            "estimate": beta.ravel(),
            "se": se.ravel(),
            "ci_low": (beta - crit * se).ravel(),
            "ci_high": (beta + crit * se).ravel(),
            "ci_level": 1 - alpha,
            "statistic": t.ravel(),
            "df": np.repeat(dfs, k),
            "p": p.ravel(),
            "n": np.repeat(n.astype(int), k),
        }
    )


# --------------------------------------------------------------------------------------------------- the numbers
@dataclass
class Part:
    """One theme's numbers for every region: the attributes of a page section the brief reads (``answers``,
    ``records`` per region, ``results``, ``left_out``, and ``missing`` / ``too_few``: why the theme has no numbers,
    as the thematic section says it)."""

    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=fnd.ANSWER_COLUMNS))
    records: list[dict] = field(default_factory=list)
    results: dict[str, pd.DataFrame] = field(default_factory=dict)
    left_out: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    too_few: int | None = None


@dataclass
class BriefNumbers:
    """Every region's brief numbers: ``parts`` (one :class:`Part` per theme of :data:`THEMES`), ``regions`` (every
    region code of the data), and the parameters they were computed with."""

    parts: list[Part]
    regions: list[str]
    lang: str
    alpha: float
    seed: int
    min_n: int

    def part(self, theme: str) -> Part:
        """The :class:`Part` of ``theme`` (one of :data:`THEMES`)."""
        return self.parts[THEMES.index(theme)]


@functools.lru_cache(maxsize=16)
def _level(alpha: float) -> float:
    return 100 * (1 - alpha)


def brief_columns(constructs: Mapping[str, Construct] | None = None) -> dict[str, list[str]]:
    """Per table, the columns :func:`brief_numbers` reads (a read of these only is what a brief costs in memory);
    survey items are those of the resistance and reward constructs (``constructs``, default the shipped ones)."""
    constructs = dataset_constructs(None) if constructs is None else constructs
    ids = ["person_id", "region_code", "agency"]
    periods = ["period", "period_kind", "period_start", "period_end"]
    names = [n for n in ("resistance", *REWARD_PREDICTORS) if n in constructs]
    items = list(dict.fromkeys(i for n in names for i in constructs[n].items))
    return {
        "performance": [*ids, *periods, "capaian_pct", "golongan", "employment"],
        "training": ["person_id", "region_code", "start", "jp", "programme"],
        "survey": [*ids, "wave", "submitted_at", *items],
        "satisfaction": ["region_code", "period", *ELEMENTS],
    }


def _has(tables: Mapping[str, pd.DataFrame], table: str, columns: Sequence[str] = ()) -> bool:
    df = tables.get(table)
    return df is not None and not df.empty and all(c in df.columns and df[c].notna().any() for c in columns)


def did_region_records(res: pd.DataFrame) -> list[dict]:
    """Headline records of the per-region DiD effect (one per row of ``res``: ``region``, ``estimate``, ``n``)."""
    return [
        dict(
            key="did_effect_region",
            value=r["estimate"],
            n=int(r["n"]),
            label_key="training.headline_did_region",
            spec=".2f",
            region=str(r["region"]),
        )
        for _, r in res.iterrows()
    ]


def jp_records(dose: pd.DataFrame, *, target: float) -> list[dict]:
    """Headline records of the share of staff meeting the yearly JP target, per region (``n_people`` people)."""
    return [
        dict(
            key="jp_share_meeting_20",
            value=r["estimate"],
            n=int(r["n_people"]),
            label_key="training.headline_jp_share",
            label={"target": target},
            spec="pct",
            region=str(r["region"]),
        )
        for _, r in dose.iterrows()
    ]


def rtc_records(means: pd.DataFrame, *, scale: tuple[float, float]) -> list[dict]:
    """Headline records of the mean resistance score per region, on its scale (``scale`` low and high)."""
    return [
        dict(
            key="rtc_mean",
            value=r["estimate"],
            n=int(r["n"]),
            label_key="resistance.rec.region_mean",
            label={"low": scale[0], "high": scale[1]},
            spec=".2f",
            region=str(r["region"]),
        )
        for _, r in means.iterrows()
    ]


def ikm_records(by_region: pd.DataFrame, *, level: float) -> list[dict]:
    """Headline records of each region's IKM, its interval (``level`` percent) and its mutu."""
    out = []
    for _, r in by_region.iterrows():
        code, n = str(r["region"]), int(r["n"])
        out += [
            dict(key="ikm", value=r["ikm"], n=n, label_key="satisfaction.rec.ikm", spec=".2f", region=code),
            dict(key="ikm_ci_low", value=r["ci_low"], n=n, label_key="satisfaction.rec.ikm_ci_low",
                 label={"level": level}, spec=".2f", region=code),
            dict(key="ikm_ci_high", value=r["ci_high"], n=n, label_key="satisfaction.rec.ikm_ci_high",
                 label={"level": level}, spec=".2f", region=code),
            dict(key="mutu", value=r["mutu"], n=n, label_key="satisfaction.rec.mutu", region=code),
        ]  # fmt: skip
    return out


def did_panel(tables, *, min_n: int) -> tuple[pd.DataFrame | None, list[str], list[str]]:
    """The DiD panel of ``tables`` in memory (:func:`~kinerja_research.analysis.frames.performance_panel`) with the
    regions too small in a trained x wave cell left out: ``(panel, missing, left)`` (``left`` the codes left out);
    ``missing`` names the table the data lack (then ``panel`` is None). Shared by the training page and the brief."""
    if not (_has(tables, "performance", ["capaian_pct"]) and _has(tables, "training", ["jp"])):
        return None, ["performance" if not _has(tables, "performance") else "training"], []
    try:
        full = performance_panel(tables)
    except KinerjaError:
        return None, ["training"], []
    panel, left = large_enough(full, min_n=min_n, between=["trained", "wave"])
    return panel, [], left


def _training(tables, *, alpha: float, lang: str, min_n: int, dataset=None) -> Part:
    part = Part()
    codes = _codes(tables, "performance")
    if dataset is not None and len(codes) > INTERACTED_MAX:  # a batch of regions at a time, never the panel
        parts = national_training.did_parts(dataset, codes, min_n=min_n, alpha=alpha, pooled=False)
        if parts is not None:
            if parts.missing:
                part.missing = parts.missing
                return part
            part.left_out["did"] = (min_n, parts.left)
            if parts.res is None:
                return part
            return _training_rows(part, parts.res, alpha=alpha, lang=lang, min_n=min_n)
        if isinstance(tables, _RegionsOnly):  # the in-memory route after all: the tables it reads, read now
            tables = tables.whole(["performance", "training"])
    panel, part.missing, left = did_panel(tables, min_n=min_n)
    if part.missing:
        return part
    part.left_out["did"] = (min_n, left)
    if panel.empty or panel["wave"].nunique() < 2:  # one period (no performance after the programme): no DiD
        return part
    rows = []
    for code, sub in panel.groupby(panel["region_code"].astype(str), sort=True):
        own = did(sub, dv="capaian_pct", alpha=alpha)
        rows.append(own[own["term"] == "trained:post"].assign(region=code))
    return _training_rows(part, pd.concat(rows, ignore_index=True), alpha=alpha, lang=lang, min_n=min_n)


def _codes(tables, table: str) -> list[str]:
    df = tables.get(table)
    if df is None or "region_code" not in df.columns:
        return []
    return sorted(str(c) for c in df["region_code"].dropna().unique())


def _training_rows(part: Part, res: pd.DataFrame, *, alpha: float, lang: str, min_n: int) -> Part:
    part.results["did"] = res
    part.records = did_region_records(res)
    part.answers = fnd.training_answers(res, alpha=alpha, lang=lang, min_n=min_n)
    return part


def _jp(tables, *, alpha: float, lang: str, dataset=None) -> Part:
    part = Part()
    codes = _codes(tables, "performance")
    if dataset is not None and len(codes) > INTERACTED_MAX:  # a batch of regions at a time
        parts = national_training.jp_parts(dataset, codes, alpha=alpha)
        if parts.missing:
            part.missing = parts.missing
            return part
        if parts.dose is None:
            return part
        return _jp_rows(part, parts.dose, alpha=alpha, lang=lang)
    if not (_has(tables, "performance", ["golongan"]) and _has(tables, "training", ["jp"])):
        part.missing = ["performance" if not _has(tables, "performance") else "training"]
        return part
    staff = staff_years(tables["performance"])
    dose = training_dose(tables["training"], staff=staff, between=["region_code"], alpha=alpha)
    if dose.empty:
        return part
    people = staff.groupby(staff["region_code"].astype(str))["person_id"].nunique()
    return _jp_rows(part, dose.assign(n_people=dose["region"].astype(str).map(people)), alpha=alpha, lang=lang)


def _jp_rows(part: Part, dose: pd.DataFrame, *, alpha: float, lang: str) -> Part:
    part.results["dose"] = dose
    target = standards.JP_TARGET
    part.records = jp_records(dose, target=target)
    part.answers = fnd.jp_answers(dose, target=target, alpha=alpha, lang=lang)
    return part


def _resistance(
    tables, constructs: Mapping[str, Construct], *, alpha: float, lang: str, min_n: int, dataset=None
) -> Part:
    part = Part()
    wanted = {n: constructs[n] for n in ("resistance",) if n in constructs}
    codes = _codes(tables, "survey")
    # many regions: the scores a batch of regions at a time from the dataset (national_rtc; same numbers)
    batched = dataset is not None and len(codes) > INTERACTED_MAX
    if batched:
        got = national_rtc.score_frame(dataset, codes, constructs, ["resistance"], dimensions=())
        whole = got.frame if "resistance" in got.present else None
    else:
        ok = _has(tables, "survey") and constructs_present(tables["survey"], wanted)
        whole = tables["survey"] if ok else None
    if whole is None or whole.empty:
        part.missing = ["resistance"]
        return part
    survey, left = large_enough(whole, min_n=standards.MIN_REGION_N, between=["wave"])
    del whole
    part.left_out["regions"] = (standards.MIN_REGION_N, left)
    pre = survey[survey["wave"] == "pre"]
    if pre.empty:
        return part
    scores = pre if batched else construct_scores(pre, constructs, ["resistance"])
    total = region_means(scores, dv="resistance", alpha=alpha).reset_index(drop=True)
    part.results["means"] = total
    scale = constructs["resistance"].limits
    welch_total = None
    if scores["region_code"].nunique() > 1:
        welch = welch_anova(scores, dv="resistance")
        part.results["welch"] = welch
        welch_total = welch[welch["term"] == "resistance"].iloc[0]
    part.records = rtc_records(total, scale=scale)
    part.answers = fnd.resistance_answers(total, welch=welch_total, scale=scale, alpha=alpha, lang=lang, min_n=min_n)
    return part


def _rewards(tables, constructs: Mapping[str, Construct], *, alpha: float, lang: str, dataset=None) -> Part:
    part = Part()
    codes = _codes(tables, "survey")
    if dataset is not None and len(codes) > INTERACTED_MAX:  # a batch of regions at a time, never the country's frame
        predictors = national_training.survey_present(dataset, codes, constructs, REWARD_PREDICTORS)
        if "reward" not in predictors:
            part.missing = ["reward"]
            return part
        base = national_rewards.baseline_frame(dataset, codes, constructs=constructs, predictors=predictors)
        if base.frame is None:
            part.missing = base.missing
            return part
        return _rewards_rows(part, base.frame, predictors, alpha=alpha, lang=lang)
    wanted = {n: constructs[n] for n in REWARD_PREDICTORS if n in constructs}
    predictors = constructs_present(tables["survey"], wanted) if _has(tables, "survey") else []
    if "reward" not in predictors:
        part.missing = ["reward"]
        return part
    if not (_has(tables, "performance") and _has(tables, "training")):
        part.missing = ["performance"]
        return part
    try:
        frame = survey_frame(tables, predictors, constructs=constructs)
    except KinerjaError:
        part.missing = ["performance"]
        return part
    baseline = frame[frame["wave"] == "pre"].reset_index(drop=True)
    return _rewards_rows(part, baseline, predictors, alpha=alpha, lang=lang)


def _rewards_rows(part: Part, baseline: pd.DataFrame, predictors: Sequence[str], *, alpha: float, lang: str) -> Part:
    """The brief's rewards numbers from the baseline frame (the pre-wave rows of ``survey_frame``)."""
    frame, left = large_enough(baseline.dropna(subset=["capaian_pct"]), min_n=standards.MIN_REGION_N)
    part.left_out["by_region"] = (standards.MIN_REGION_N, left)
    if frame.empty:
        return part
    people = frame.groupby(frame["region_code"].astype(str))["person_id"].nunique()
    by_region = grouped_ols(frame, dv="capaian_pct", covar=predictors, alpha=alpha)
    by_region["n_people"] = by_region["region"].map(people).astype(int)
    part.results["by_region"] = by_region
    part.answers = fnd.rewards_answers(by_region, alpha=alpha, lang=lang)
    return part


def _satisfaction(tables, *, alpha: float, seed: int, lang: str) -> Part:
    part = Part()
    if not _has(tables, "satisfaction", list(ELEMENTS)):
        part.missing = ["satisfaction"]
        return part
    by_region = ikm_by_region(tables["satisfaction"], alpha=alpha, seed=seed)
    part.results["ikm"] = by_region
    part.records = ikm_records(by_region, level=_level(alpha))
    part.answers = fnd.satisfaction_answers(by_region, bands=dict(standards.IKM_BANDS), alpha=alpha, lang=lang)
    return part


def brief_numbers(
    tables: Mapping[str, pd.DataFrame],
    *,
    constructs: Mapping[str, Construct] | None = None,
    lang: str = "id",
    alpha: float = 0.05,
    seed: int = 2026,
    min_n: int = 5,
    dataset: str | Path | None = None,
) -> BriefNumbers:
    """Every region's brief numbers from the processed ``tables`` (all regions; :func:`brief_columns` suffice).

    With ``dataset`` (the processed data ``tables`` were read from) and more than :data:`INTERACTED_MAX` regions,
    the training and JP numbers are computed a batch of regions at a time from the dataset
    (:mod:`kinerja_research.report.national_training`; the same numbers to 1e-10), never from a panel of the country.

    ``constructs`` (:func:`~kinerja_research.analysis.frames.dataset_constructs` of the dataset; default the shipped
    instruments) says which items measure resistance, reward, sanction and motivation and on what scale.

    Returns
    -------
    BriefNumbers
        One :class:`Part` per theme (training, jp, resistance, rewards, satisfaction): ``answers`` (the rows of
        :data:`findings.ANSWER_COLUMNS` the thematic pages record), ``records`` (the brief's headline figures, one
        per region), ``results`` (``did``, ``dose``, ``means``, ``by_region``, ``ikm``) and ``left_out``; a theme the
        data cannot feed is an empty part.
    """
    constructs = dataset_constructs(None) if constructs is None else constructs
    parts = [
        _training(tables, alpha=alpha, lang=lang, min_n=min_n, dataset=dataset),
        _jp(tables, alpha=alpha, lang=lang, dataset=dataset),
        _resistance(tables, constructs, alpha=alpha, lang=lang, min_n=min_n, dataset=dataset),
        _rewards(tables, constructs, alpha=alpha, lang=lang, dataset=dataset),
        _satisfaction(tables, alpha=alpha, seed=seed, lang=lang),
    ]
    for p in parts:
        p.records = [r for r in p.records if r["key"] in _BRIEF_KEYS]
    regions = sorted(
        {str(c) for df in tables.values() if "region_code" in df.columns for c in df["region_code"].dropna().unique()}
    )
    return BriefNumbers(parts=parts, regions=regions, lang=lang, alpha=float(alpha), seed=int(seed), min_n=int(min_n))


# ---------------------------------------------------------------------------------------- kept for the process
_KEPT: dict[tuple, BriefNumbers] = {}


def _key(dataset: str, *, lang: str, alpha: float, seed: int, min_n: int) -> tuple:
    folder = processed_folder(dataset).resolve()
    manifest = folder / "manifest.json"
    stamp = manifest.stat().st_mtime_ns if manifest.exists() else None
    return (str(folder), stamp, lang, float(alpha), int(seed), int(min_n))


def brief_parts(ctx, tables: Mapping[str, pd.DataFrame] | None = None) -> BriefNumbers:
    """The brief numbers of every region of ``ctx.dataset`` with ``ctx``'s parameters, computed once per process.

    With ``tables`` the numbers are computed from them (nothing kept). Otherwise the dataset's :func:`brief_columns`
    are read (never a whole table, never another page's held rows) and the result is kept for the process, keyed by
    the processed folder, its manifest's time stamp and the parameters (``lang``, ``alpha``, ``seed``,
    ``min_cell``); inside :func:`shared_in` the processes of one run share one computation through a file.
    """
    opts = dict(lang=ctx.lang, alpha=ctx.alpha, seed=ctx.seed, min_n=ctx.min_n)
    if tables is not None:
        return brief_numbers(tables, constructs=dataset_constructs(getattr(ctx, "dataset", None)), **opts)
    key = _key(ctx.dataset, **opts)
    if key not in _KEPT:
        _KEPT[key] = _shared(key, lambda: _compute(ctx.dataset, **opts))
    return _KEPT[key]


def _compute(dataset: str, **opts) -> BriefNumbers:
    constructs = dataset_constructs(dataset)
    return brief_numbers(_brief_tables(dataset, constructs), constructs=constructs, dataset=dataset, **opts)


class _RegionsOnly(dict):
    """The brief's tables when every part but satisfaction reads its own batches of regions from ``dataset``:
    performance, training and survey as their distinct region codes only (what :func:`brief_numbers` decides the
    batched route and lists the regions with), satisfaction read with its :func:`brief_columns`. :meth:`whole` reads
    tables at their brief columns for a part that falls back to the in-memory route (:func:`_training`)."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], dataset, columns: Mapping[str, Sequence[str]]):
        super().__init__(frames)
        self.dataset, self.columns = dataset, columns

    def whole(self, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """These tables read with their brief columns, the others as held."""
        read = load_processed(self.dataset, tables=list(names), columns=self.columns)
        return {t: read.get(t, df) for t, df in self.items()}


def _region_frame(dataset, table: str) -> pd.DataFrame:
    """The distinct non-missing region codes of ``table`` (a frame of one ``region_code`` column, sorted), read a
    row group at a time: memory holds the codes, never the column; an empty frame when the dataset has no such
    table, as :func:`~kinerja_research.pipeline.load_table` gives."""
    path = processed_folder(dataset) / f"{table}.parquet"
    if not path.exists():
        return pd.DataFrame()
    pf = pq.ParquetFile(path)
    if "region_code" not in pf.schema_arrow.names:
        return pd.DataFrame(index=range(pf.metadata.num_rows))
    codes: set[str] = set()
    for i in range(pf.num_row_groups):
        col = pf.read_row_group(i, columns=["region_code"]).column("region_code")
        codes.update(str(c) for c in pc.unique(col.combine_chunks().drop_null()).to_pylist())
    return pd.DataFrame({"region_code": pd.Series(sorted(codes), dtype=object)})


def _brief_tables(dataset, constructs: Mapping[str, Construct]) -> Mapping[str, pd.DataFrame]:
    """The tables :func:`brief_numbers` needs from ``dataset``. When performance and survey each hold more than
    :data:`INTERACTED_MAX` regions, the training, JP, resistance and rewards parts read their own batches of regions
    from the dataset and use the tables only for their region codes: performance, training and survey are read as
    their distinct codes (:class:`_RegionsOnly`; no survey item, no person column). Otherwise (a page of a few
    regions) every :func:`brief_columns` column is read whole."""
    columns = brief_columns(constructs)
    codes = {t: _region_frame(dataset, t) for t in ("performance", "survey")}
    if all(len(_codes(codes, t)) > INTERACTED_MAX for t in codes):
        frames = {
            "performance": codes["performance"],
            "training": _region_frame(dataset, "training"),
            "survey": codes["survey"],
            "satisfaction": load_processed(dataset, tables=["satisfaction"], columns=columns)["satisfaction"],
        }
        return _RegionsOnly({t: frames[t] for t in TABLES}, dataset, columns)
    del codes
    return load_processed(dataset, tables=TABLES, columns=columns)


_SHARED: list[Path] = []


@contextlib.contextmanager
def shared_in(folder: str | Path):
    """Inside the block, :func:`brief_parts` shares its numbers through ``folder`` (a run's own working folder):
    the first process to need them computes and writes them under a lock, the others read them (the runner's batches
    of briefs, which may run in several processes, compute the country's numbers once)."""
    _SHARED.append(Path(folder))
    try:
        yield
    finally:
        _SHARED.pop()


def _shared(key: tuple, compute):
    if not _SHARED:
        return compute()
    folder = _SHARED[-1]
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    path, lock = folder / f"{name}.pkl", folder / f"{name}.lock"
    with open(lock, "a+b") as fd:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if path.exists():
                stored_key, numbers = pickle.loads(path.read_bytes())  # noqa: S301 - written below by this run
                if stored_key == key:
                    return numbers
            numbers = compute()
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(pickle.dumps((key, numbers), protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, path)
            return numbers
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------------- figures
def shown_regions(codes: Sequence[str], region: str, values: Sequence[float] | None = None) -> list[str]:
    """The regions a brief's figure shows next to ``region``: all ``codes`` when there are at most
    :data:`FIGURE_MAX`; else ``region`` and the other regions of its province (same two-digit code), the nearest in
    ``values`` first when the province alone has more.

    Examples
    --------
    >>> shown_regions(["18.71", "17.71"], "18.71")
    ['18.71', '17.71']
    >>> codes = [f"{p:02d}.{k:02d}" for p in (11, 12) for k in range(1, 16)]
    >>> shown_regions(codes, "12.03")[:3], len(shown_regions(codes, "12.03"))
    (['12.01', '12.02', '12.03'], 15)
    """
    codes = [str(c) for c in codes]
    if len(codes) <= FIGURE_MAX:
        return codes
    province = region.split(".")[0]
    same = [c for c in codes if c.split(".")[0] == province]
    if region not in same:
        same.append(region)
    if len(same) > FIGURE_MAX and values is not None:
        value = dict(zip(codes, values))
        mine = value.get(region, np.nan)
        near = sorted(same, key=lambda c: (c != region, abs(value.get(c, np.inf) - mine), c))[:FIGURE_MAX]
        same = [c for c in codes if c in set(near)]
    elif len(same) > FIGURE_MAX:
        same = [region, *[c for c in same if c != region][: FIGURE_MAX - 1]]
        same = [c for c in codes if c in set(same)]
    return same


def figure_rows(df: pd.DataFrame, region: str, *, value: str, lang: str, name: str) -> tuple[pd.DataFrame, list[str]]:
    """The rows of a brief's figure (``df`` with one row per ``region``): those of :func:`shown_regions`, and the
    note saying which regions are shown when they are not all (``[]`` otherwise)."""
    codes = df["region"].astype(str)
    keep = shown_regions(list(codes), region, df[value].to_numpy(float))
    if len(keep) == len(df):
        return df, []
    note = translator(lang)("brief.fig_subset", region=name, k=len(keep) - 1, m=len(df))
    return df[codes.isin(keep).to_numpy()], [note]


#: With many regions, pairwise tables show the pairs among this many highest and this many lowest regions.
PAIRS_ENDS = 5


def pairs_at_the_ends(pairs: pd.DataFrame, means: pd.DataFrame, *, k: int = PAIRS_ENDS) -> pd.DataFrame:
    """The rows of a pairwise table (``group_a``, ``group_b``) between the ``k`` regions with the highest and the
    ``k`` with the lowest ``estimate`` in ``means`` (``region``), and its rows that are not pairs (an omnibus test):
    45 readable pairs instead of 131,841 for 514 regions. The pairs' p values and intervals stay those adjusted over
    all pairs.

    Examples
    --------
    >>> means = pd.DataFrame({"region": list("abcdef"), "estimate": [6, 5, 4, 3, 2, 1]})
    >>> pairs = pd.DataFrame({"group_a": ["a", "a", "c", None], "group_b": ["f", "c", "d", None]})
    >>> pairs_at_the_ends(pairs, means, k=1).index.tolist()
    [0, 3]
    """
    order = means.sort_values("estimate", ascending=False)["region"].astype(str).tolist()
    ends = set(order[:k]) | set(order[-k:])
    a, b = pairs["group_a"], pairs["group_b"]
    keep = (a.isna() & b.isna()) | (a.astype(str).isin(ends) & b.astype(str).isin(ends))
    return pairs[keep.to_numpy()]


# ------------------------------------------------------------------------------------------- pages at national scale
#: With more regions than :data:`FIGURE_MAX`, a page's per-region figure shows this many highest and lowest regions.
FIGURE_ENDS = 10


def figure_ends(df: pd.DataFrame, *, value: str, lang: str, k: int = FIGURE_ENDS) -> tuple[pd.DataFrame, list[str]]:
    """The rows of a page's per-region figure (``df``, one row per region): every row when there are at most
    :data:`FIGURE_MAX`, else the ``k`` rows with the highest and the ``k`` with the lowest ``value`` (missing values
    last), with the note saying so (``[]`` when every row is shown); the page's table keeps every region.

    Examples
    --------
    >>> d = pd.DataFrame({"region": [f"r{i}" for i in range(30)], "estimate": range(30)})
    >>> rows, notes = figure_ends(d, value="estimate", lang="en", k=2)
    >>> rows["region"].tolist(), len(notes)
    (['r29', 'r28', 'r1', 'r0'], 1)
    """
    if len(df) <= FIGURE_MAX:
        return df, []
    ranked = df.sort_values(value, ascending=False, na_position="last", kind="stable")
    known = ranked[ranked[value].notna()]
    keep = pd.concat([known.iloc[:k], known.iloc[max(k, len(known) - k) :]])
    note = translator(lang)("common.fig_ends", k=k, m=len(df))
    return keep, [note]


def provinces(codes: pd.Series) -> pd.Series:
    """The province (first two digits of the Kemendagri code) of each region code: ``"18.71"`` -> ``"18"``."""
    return codes.astype(str).str.split(".").str[0]


def region_effects(frame: pd.DataFrame, *, lang: str) -> tuple[pd.DataFrame, list[str], list[str]]:
    """How a person-level regression adjusts for region: ``(frame, covariates, notes)``.

    Up to :data:`INTERACTED_MAX` regions, one dummy per region (``region_code``); above it (a national run: 514
    dummies over every respondent do not fit in memory, and no reader reads 513 region coefficients), one dummy per
    province (column ``province``, 38 at most), and the translated note saying the model differs (``notes``). One
    region: no region term.
    """
    m = int(frame["region_code"].nunique())
    if m <= 1:
        return frame, [], []
    if m <= INTERACTED_MAX:
        return frame, ["region_code"], []
    out = frame.assign(province=pd.Categorical(provinces(frame["region_code"])))  # a code, not a number
    p = int(out["province"].nunique())
    note = translator(lang)("common.national_province", m=m, p=p)
    return out, (["province"] if p > 1 else []), [note]


def lmm_by_province(panel: pd.DataFrame, *, fit, effect: str = "trained:post", alpha: float = 0.05) -> pd.DataFrame:
    """A person-level model fitted in each province on that province's rows, and its ``effect`` pooled by inverse
    variance (fixed-effect meta-analysis): the national route of a model whose memory grows with the country.

    ``fit(rows)`` returns the model's tidy table (``term``, ``estimate``, ``se``, ``n``, ``n_obs``, ...) for one
    province's rows. Rows: per province (``group`` = province code) the ``effect`` row; then the pooled row
    (``group`` missing): ``estimate = sum(w_i b_i) / sum(w_i)``, ``w_i = 1 / se_i^2``, ``se = sum(w_i)^-1/2``, a
    normal interval and p, ``n`` and ``n_obs`` summed. A province whose model fails (too few people) is skipped.
    """
    rows = []
    for code, sub in panel.groupby(provinces(panel["region_code"]), sort=True):
        try:
            res = fit(sub)
        except (KinerjaError, np.linalg.LinAlgError, ValueError):
            continue
        hit = res[res["term"] == effect]
        if len(hit) and np.isfinite(hit["se"].iloc[0]) and hit["se"].iloc[0] > 0:
            rows.append(hit.assign(group=str(code)))
    if not rows:
        return pd.DataFrame()
    per = pd.concat(rows, ignore_index=True)
    w = 1.0 / per["se"].to_numpy(float) ** 2
    est = float(np.sum(w * per["estimate"].to_numpy(float)) / np.sum(w))
    se = float(np.sum(w) ** -0.5)
    z = float(stats.norm.ppf(1 - alpha / 2))
    pooled = dict(
        term=effect,
        estimate=est,
        se=se,
        ci_low=est - z * se,
        ci_high=est + z * se,
        ci_level=1 - alpha,
        statistic=est / se,
        p=float(2 * stats.norm.sf(abs(est / se))),
        n=int(per["n"].sum()),
        n_obs=int(per["n_obs"].sum()) if "n_obs" in per.columns else None,
        method=f"inverse-variance pooled estimate over {len(per)} provinces (fixed-effect meta-analysis, z)",
    )
    cols = ["group", "term", "estimate", "se", "ci_low", "ci_high", "ci_level", "statistic", "df", "p", "n", "n_obs"]
    cols += ["method"]
    return pd.concat([per, pd.DataFrame([pooled])], ignore_index=True).reindex(columns=cols)
