"""The training page's DiD for many regions, read a batch of regions at a time: memory bounded by a batch.

:func:`did_parts` builds the person x period panel of :func:`~kinerja_research.analysis.frames.performance_panel`
for :data:`BATCH_REGIONS` regions at a time (parquet predicate pushdown by region,
:func:`kinerja_research.pipeline.load_table`) and keeps of each batch only per region x agency x period x trained x
wave cells (rows, complete rows, mean and sum of squared deviations of capaian), the distinct people per region x
trained x wave and the hashed ids of the people with complete rows. From these it gives what
:func:`~kinerja_research.report.sections.training_effect` shows for many regions, the same numbers as the in-memory
route (:func:`kinerja_research.report.national.did_by_region` on the whole panel; tested to 1e-10, the sums being
formed in another order):

- the regions left out by :func:`~kinerja_research.report.national.large_enough` (people per trained x wave cell);
- the pooled DiD and each region's own DiD with CR2 cluster-robust SE and Satterthwaite df
  (:func:`kinerja_research.analysis.did_cells.did_from_cells`: the DiD design is four indicator columns, so cell
  counts and means carry the fit and its cluster-robust inference), and the Wald test of equal effects;
- the placebo DiD on the periods before the programme, the parallel-trends means and the naive post difference.

People are counted by a 64-bit hash of ``person_id`` (:func:`pandas.util.hash_pandas_object`) when regions are
pooled, so a person in two regions counts once, as in the whole frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research.analysis.did_cells import did_from_cells
from kinerja_research.analysis.frames import (
    _finest_kind,
    _wave_periods,
    change_frame,
    performance_panel,
    staff_years,
    survey_frame,
)
from kinerja_research.analysis.training import training_dose
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import load_table
from kinerja_research.results import tidy

__all__ = [
    "BATCH_REGIONS",
    "did_parts",
    "DidParts",
    "equal_effects_rows",
    "jp_parts",
    "JpParts",
    "region_batches",
    "DetailParts",
    "detail_parts",
]

#: Regions read together (scale 10: about 1 M performance rows per batch).
BATCH_REGIONS = 32
_PERF = ["person_id", "region_code", "agency", "period", "period_kind", "period_start", "period_end", "capaian_pct"]
_TRAIN = ["person_id", "region_code", "start", "jp", "programme"]
_CELL = ["region_code", "agency", "period", "trained", "wave"]


@dataclass
class DidParts:
    """What the training page shows of the DiD: ``missing`` (why there is none), ``left`` (regions left out),
    ``res`` (:func:`~kinerja_research.report.national.did_by_region`'s rows), ``placebo``, ``trends``, ``naive``
    (post-only difference of means) and ``first_post`` (the first period after the programme)."""

    missing: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    res: pd.DataFrame | None = None
    placebo: pd.DataFrame | None = None
    trends: pd.DataFrame | None = None
    naive: float = float("nan")
    first_post: str | None = None


def region_batches(codes: Sequence[str], size: int = BATCH_REGIONS) -> list[list[str]]:
    """``codes`` sorted, in consecutive batches of ``size``."""
    codes = sorted(str(c) for c in codes)
    return [codes[i : i + size] for i in range(0, len(codes), size)]


def _programme_rows(dataset, batches) -> tuple[pd.DataFrame, bool, bool]:
    """The training rows of the programme (in the table's order), whether the table has rows, and any ``jp``."""
    parts, rows, jp = [], False, False
    for batch in batches:
        t = load_table("training", dataset, columns=_TRAIN, regions=batch)
        t = t[t["region_code"].astype(str).isin(batch).to_numpy()]
        rows = rows or len(t) > 0
        if "jp" in t.columns:
            jp = jp or bool(t["jp"].notna().any())
        if "programme" in t.columns:
            parts.append(t[t["programme"].astype(bool).to_numpy()])
    prog = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_TRAIN)
    return prog, rows, jp


def _hashes(s: pd.Series) -> np.ndarray:
    return np.unique(pd.util.hash_pandas_object(s, index=False).to_numpy())


def _batch_sums(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, dict, dict]:
    """One batch's cells, people per region x trained x wave, and per region the hashed people with complete DiD
    rows (all waves; pre wave only)."""
    y = panel["capaian_pct"].astype(float)
    ok = y.notna()
    keys = [panel["region_code"], panel["agency"], panel["period"], panel["trained"], panel["wave"]]
    grouped = y.groupby(keys, dropna=False, observed=True, sort=False)
    mean = grouped.mean()
    dev = y - grouped.transform("mean")
    cells = pd.DataFrame(
        {
            "n_all": grouped.size(),
            "n": grouped.count(),
            "mean": mean,
            "m2": (dev * dev).groupby(keys, dropna=False, observed=True, sort=False).sum(),
        }
    )
    cells.index.names = _CELL
    cells = cells.reset_index()
    cells["region_code"] = cells["region_code"].astype(str)  # the small frame's labels, not every row's
    cells["agency"] = cells["agency"].astype("string")
    cells["period"] = cells["period"].astype(str)
    people = panel.groupby([panel["region_code"].astype(str), "trained", "wave"], observed=True)["person_id"].nunique()
    complete = ok & panel["agency"].notna() & panel["person_id"].notna()
    done = panel[complete.to_numpy()]
    region = done["region_code"].astype(str)
    both = {r: _hashes(g) for r, g in done["person_id"].groupby(region, sort=False)}
    pre = done[(done["wave"] == "pre").to_numpy()]
    before = {r: _hashes(g) for r, g in pre["person_id"].groupby(pre["region_code"].astype(str), sort=False)}
    return cells, people, both, before


def _kept(people: pd.Series, min_n: int, levels: dict) -> list[str]:
    """The regions left out by ``large_enough(panel, min_n=min_n, between=["trained", "wave"])``."""
    full = pd.MultiIndex.from_product(
        [sorted(people.index.get_level_values(0).unique()), sorted(levels["trained"]), sorted(levels["wave"])],
        names=["region_code", "trained", "wave"],
    )
    ok = (people.reindex(full, fill_value=0) >= min_n).groupby(level="region_code").all()
    return sorted(str(c) for c in ok.index[~ok.to_numpy()])


def _did(cells: pd.DataFrame, post: pd.Series, n_people: int, alpha: float, **extra) -> pd.DataFrame:
    c = cells[(cells["agency"].notna() & (cells["n"] > 0)).to_numpy()]
    post = post[c.index]
    frame = pd.DataFrame(
        {
            "cluster": c["region_code"].astype(str) + "\x1f" + c["agency"].astype(str),
            "treat": c["trained"].to_numpy(bool),
            "post": post.to_numpy(bool),
            "n": c["n"].to_numpy(float),
            "mean": c["mean"].to_numpy(float),
        }
    )
    # one cell per cluster x treat x post (a region's cells are split by period)
    frame["s"] = frame["n"] * frame["mean"]
    frame = frame.groupby(["cluster", "treat", "post"], sort=False, as_index=False)[["n", "s"]].sum()
    frame["mean"] = frame["s"] / frame["n"]
    res = did_from_cells(frame, n_people=n_people, alpha=alpha)
    return res.assign(**extra) if extra else res


def _pool(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """n, mean and var (ddof 1) of capaian per ``by`` from the cells (Chan's pooled sums of squares)."""
    c = cells.loc[(cells["n"] > 0).to_numpy(), [*by, "n", "mean", "m2"]].copy()
    c["s"] = c["n"] * c["mean"]
    g = c.groupby(by, sort=False, observed=True)
    centre = g["s"].transform("sum") / g["n"].transform("sum")
    c["b"] = c["n"] * (c["mean"] - centre) ** 2
    a = c.groupby(by, sort=False, observed=True)[["n", "s", "m2", "b"]].sum()
    return pd.DataFrame({"n": a["n"], "mean": a["s"] / a["n"], "var": (a["m2"] + a["b"]) / (a["n"] - 1)})


def _trends(cells: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """``sections._trends`` (region_means of capaian per period|trained cell) from the cells."""
    s = _pool(cells, ["period", "trained"]).reset_index()
    key = s["period"].astype(str) + "|" + s["trained"].map({True: "trained", False: "untrained"})
    s = s.assign(cell=key).sort_values("cell", kind="stable").reset_index(drop=True)
    n = s["n"].to_numpy(float)
    if len(s) < 2 or (n < 2).any():
        raise KinerjaError("The trends need at least two period x group cells of at least 2 values each.")
    sd = np.sqrt(s["var"].to_numpy())
    se = sd / np.sqrt(n)
    tq = stats.t.ppf(1 - alpha / 2, n - 1)
    m = s["mean"].to_numpy()
    means = pd.DataFrame(
        {
            "group": s["cell"].to_numpy(),
            "term": "capaian_pct",
            "estimate": m,
            "se": se,
            "ci_low": m - tq * se,
            "ci_high": m + tq * se,
            "df": n - 1,
            "n": n.astype(int),
            "method": "mean (t interval)",
            "sd": sd,
        }
    )
    means = tidy(means, extra=["sd"], ci_level=1 - alpha)
    parts = means["group"].astype(str).str.split("|", expand=True)
    return means.assign(period=parts[0], group=parts[1])


def equal_effects_rows(pooled: pd.DataFrame, regions: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """The rows of :func:`~kinerja_research.report.national.did_by_region` from the pooled DiD's rows and each
    region's ``trained:post`` row (with ``region``): those, then the Wald F test of equal effects (block-diagonal
    CR2 covariance across regions: ``W = sum_i (b_i - b_w)^2 / v_i``, ``F = W / (G - 1)`` on ``(G - 1,
    clusters - 1)`` df)."""
    out = [pooled, regions]
    if len(regions) > 1:
        b, v = regions["estimate"].to_numpy(float), regions["se"].to_numpy(float) ** 2
        w = 1 / v
        wald = float(np.sum(w * (b - np.sum(w * b) / np.sum(w)) ** 2))
        q = len(b) - 1
        df2 = float(regions["n_clusters"].sum() - 1)
        f = wald / q
        out.append(
            pd.DataFrame(
                [
                    dict(
                        term="region_code x trained:post",
                        statistic=f,
                        df1=float(q),
                        df2=df2,
                        p=float(stats.f.sf(f, q, df2)),
                        n=int(pooled["n"].iloc[0]),
                        n_obs=int(pooled["n_obs"].iloc[0]),
                        n_clusters=int(pooled["n_clusters"].iloc[0]),
                        method="Wald F, cluster-robust (CR2, block-diagonal across regions): equal DiD effects "
                        "across groups",
                        ci_level=1 - alpha,
                    )
                ]
            )
        )
    res = pd.concat([o.dropna(axis=1, how="all") for o in out], ignore_index=True)
    cols = ["region", "term", "estimate", "se", "ci_low", "ci_high", "ci_level", "statistic", "df", "df1", "df2"]
    cols += ["p", "n", "n_obs", "method", "n_clusters"]
    return res.reindex(columns=cols)


def did_parts(dataset, regions: Sequence[str], *, min_n: int, alpha: float, pooled: bool = True) -> DidParts | None:
    """The training page's DiD numbers for ``regions`` of ``dataset``, a batch of regions at a time.

    ``pooled=False`` computes the per-region rows only (the region brief). Returns None when the batched route does
    not apply and the caller should use the in-memory one (no programme rows, or a performance table without
    ``period_end``: both decided on the whole table there).
    """
    batches = region_batches(regions)
    prog, _, train_jp = _programme_rows(dataset, batches)
    if prog.empty:
        return None
    cells, people, both, before = [], [], {}, {}
    perf_rows = capaian = False
    levels = {"trained": set(), "wave": set()}
    for batch in batches:
        perf = load_table("performance", dataset, columns=_PERF, regions=batch)
        perf = perf[perf["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)
        if "period_end" not in perf.columns:
            return None
        perf_rows = perf_rows or len(perf) > 0
        if not len(perf):
            continue
        capaian = capaian or bool(perf["capaian_pct"].notna().any())
        panel = performance_panel({"performance": perf, "training": prog})
        del perf
        c, p, b, pre = _batch_sums(panel)
        levels["trained"] |= set(panel["trained"].dropna().unique())
        levels["wave"] |= set(panel["wave"].dropna().unique())
        del panel
        cells.append(c)
        people.append(p)
        both.update(b)
        before.update(pre)
    out = DidParts()
    if not (capaian and train_jp):
        out.missing = ["performance" if not perf_rows else "training"]
        return out
    cells = pd.concat(cells, ignore_index=True)
    people = pd.concat(people)
    out.left = _kept(people, min_n, levels)
    cells = cells[~cells["region_code"].isin(out.left).to_numpy()].reset_index(drop=True)
    if cells.empty or cells["wave"].nunique() < 2:
        return out
    kept = sorted(cells["region_code"].unique())
    post = cells["wave"] == "post"
    rows = []
    for code, sub in cells.groupby("region_code", sort=True):
        own = _did(sub, post, len(both.get(code, ())), alpha)
        rows.append(own[own["term"] == "trained:post"].assign(region=code))
    regions_res = pd.concat(rows, ignore_index=True)
    if not pooled:
        out.res = regions_res
        return out
    everyone = len(np.unique(np.concatenate([both[r] for r in kept if r in both]))) if both else 0
    out.res = equal_effects_rows(_did(cells, post, everyone, alpha), regions_res, alpha)
    t = cells[post & (cells["n"] > 0)]
    tm = _pool(t, ["trained"])["mean"]
    out.naive = float(tm.get(True, np.nan) - tm.get(False, np.nan))
    out.trends = _trends(cells, alpha)
    out.first_post = sorted(cells.loc[post, "period"].astype(str).unique())[0]
    pre = cells[(cells["wave"] == "pre").to_numpy()]
    periods = sorted(pre["period"].astype(str).unique())
    if len(periods) >= 2:
        n_pre = len(np.unique(np.concatenate([before[r] for r in kept if r in before]))) if before else 0
        try:
            out.placebo = _did(pre, pre["period"].astype(str) == periods[-1], n_pre, alpha)
        except KinerjaError:
            out.placebo = None
    return out


# ------------------------------------------------------------------------------------------------------------- JP
_STAFF = ["person_id", "region_code", "agency", "employment", "period_start", "golongan"]


@dataclass
class JpParts:
    """The 20 JP numbers of the training page: ``missing`` (why there are none), ``dose`` (per region, with
    ``n_people``), ``dose_golongan`` (per region x golongan, with ``n_people``), ``people`` (distinct staff per
    region)."""

    missing: list[str] = field(default_factory=list)
    dose: pd.DataFrame | None = None
    dose_golongan: pd.DataFrame | None = None
    people: pd.Series | None = None


def _jp_years(dataset, batches) -> tuple[pd.DataFrame, bool, bool]:
    """JP per person (64-bit hash of ``person_id``) and calendar year over the training rows of ``batches``, each
    person-year's JP summed in the table's row order (as one group-by of the whole table), whether the table has
    rows, and any ``jp``."""
    parts, rows, jp = [], False, False
    for batch in batches:
        t = load_table("training", dataset, columns=["person_id", "region_code", "start", "jp"], regions=batch)
        t = t[t["region_code"].astype(str).isin(batch).to_numpy()]
        rows = rows or len(t) > 0
        if not len(t) or "jp" not in t.columns:
            continue
        jp = jp or bool(t["jp"].notna().any())
        key = pd.DataFrame(
            {
                "person_id": pd.util.hash_pandas_object(t["person_id"], index=False).to_numpy(),
                "year": pd.to_datetime(t["start"]).dt.year.to_numpy(),
                "jp": t["jp"].to_numpy(float),
            }
        )
        parts.append(key)
    if not parts:
        return pd.DataFrame(columns=["person_id", "year", "jp"]), rows, jp
    allr = pd.concat(parts, ignore_index=True)
    # a person's rows in one region are summed in their order; rows in several regions are summed per region first
    years = allr.groupby(["person_id", "year"], sort=False)["jp"].sum().reset_index()
    return years, rows, jp


def jp_parts(dataset, regions: Sequence[str], *, alpha: float) -> JpParts:
    """:func:`~kinerja_research.analysis.training.training_dose` per region and per region x golongan with the
    staff of :func:`~kinerja_research.analysis.frames.staff_years`, as the training page computes them on its whole
    tables, a batch of regions at a time (groups lie within regions). The training table is first reduced to JP
    per hashed person x year (what ``training_dose`` sums), then each batch's staff is matched to it."""
    batches = region_batches(regions)
    years, _, train_jp = _jp_years(dataset, batches)
    out = JpParts()
    dose, gol, people = [], [], []
    perf_rows = golongan = False
    for batch in batches:
        perf = load_table("performance", dataset, columns=_STAFF, regions=batch)
        perf = perf[perf["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)
        perf_rows = perf_rows or len(perf) > 0
        if not len(perf) or "golongan" not in perf.columns:
            continue
        golongan = golongan or bool(perf["golongan"].notna().any())
        staff = staff_years(perf)
        del perf
        ids = staff["person_id"]
        staff = staff.assign(person_id=pd.util.hash_pandas_object(ids, index=False).to_numpy())
        mine = years[years["person_id"].isin(staff["person_id"].unique()).to_numpy()]
        train = pd.DataFrame(
            {
                "person_id": mine["person_id"].to_numpy(),
                "start": pd.to_datetime(dict(year=mine["year"].to_numpy(), month=1, day=1)),
                "jp": mine["jp"].to_numpy(float),
            }
        )
        d = training_dose(train, staff=staff, between=["region_code"], alpha=alpha)
        if d.empty:
            continue
        dose.append(d)
        gol.append(training_dose(train, staff=staff, between=["region_code", "golongan"], alpha=alpha))
        people.append(staff.groupby(staff["region_code"].astype(str))["person_id"].nunique())
        n_gol = staff.groupby([staff["region_code"].astype(str), "golongan"], observed=True)["person_id"].nunique()
        g = gol[-1]
        gol[-1] = g.assign(n_people=[n_gol.get((str(r), v), 0) for r, v in zip(g["region"], g["golongan"])])
    if not (golongan and train_jp):
        out.missing = ["performance" if not perf_rows else "training"]
        return out
    if not dose:
        return out
    out.people = pd.concat(people)
    out.dose = pd.concat(dose, ignore_index=True)
    out.dose = out.dose.assign(n_people=out.dose["region"].astype(str).map(out.people))
    out.dose_golongan = pd.concat(gol, ignore_index=True)
    return out


# ------------------------------------------------------------------------------------------------------ details
_DETAIL_PERF = [*_PERF, "golongan", "employment"]


@dataclass
class DetailParts:
    """The frames of the training page's further analyses for many regions: ``left_panel`` (regions left out of
    the panel, as ``large_enough(panel, between=["trained", "wave"])``), ``trained_means`` (trained people's mean
    capaian per person x region x wave, kept regions; ``person_id`` hashed), ``kept`` (the kept region codes),
    ``change`` (:func:`~kinerja_research.analysis.frames.change_frame`'s rows, ``person_id`` hashed) and
    ``province_panel(codes)`` (the panel of some kept regions, read again: the per-province LMM)."""

    left_panel: list[str] = field(default_factory=list)
    trained_means: pd.DataFrame | None = None
    kept: list[str] = field(default_factory=list)
    change: pd.DataFrame | None = None
    province_panel: object = None


def _lean(df: pd.DataFrame) -> pd.DataFrame:
    """``person_id`` as its 64-bit hash, region and agency as categories: a country's per-person frame in memory."""
    out = df.assign(person_id=pd.util.hash_pandas_object(df["person_id"], index=False).to_numpy())
    for c in ("region_code", "agency"):
        if c in out.columns and not isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("category")
    return out


def detail_parts(dataset, regions: Sequence[str], *, min_n: int) -> DetailParts | None:
    """The frames :func:`~kinerja_research.report.sections.training_details` analyses (paired capaian change,
    per-province LMM, dose-response), built a batch of regions at a time; None when the batched route does not apply
    (as :func:`did_parts`). The trained means and the change frame are one row per person (and wave), hashed ids and
    categorical labels; the panel itself is never held for more than a batch (a province for the LMM)."""
    batches = region_batches(regions)
    prog, _, _ = _programme_rows(dataset, batches)
    if prog.empty:
        return None
    people, means, changes = [], [], []
    levels = {"trained": set(), "wave": set()}
    for batch in batches:
        perf = load_table("performance", dataset, columns=_DETAIL_PERF, regions=batch)
        perf = perf[perf["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)
        if "period_end" not in perf.columns:
            return None
        if not len(perf):
            continue
        train = load_table("training", dataset, columns=_TRAIN, regions=batch)
        train = train[train["region_code"].astype(str).isin(batch).to_numpy()]
        # the programme's first day is the whole table's: its rows of other regions join the batch's own rows
        others = prog[~prog["region_code"].astype(str).isin(batch).to_numpy()]
        train = pd.concat([train, others], ignore_index=True)
        panel = performance_panel({"performance": perf, "training": prog})
        levels["trained"] |= set(panel["trained"].dropna().unique())
        levels["wave"] |= set(panel["wave"].dropna().unique())
        people.append(
            panel.groupby([panel["region_code"].astype(str), "trained", "wave"], observed=True)["person_id"].nunique()
        )
        trained = (
            panel[panel["trained"]]
            .groupby(["person_id", "region_code", "wave"], as_index=False, observed=True)["capaian_pct"]
            .mean()
        )
        means.append(_lean(trained).assign(region_code=lambda d: d["region_code"].astype(str)))
        del panel
        changes.append(_lean(change_frame({"performance": perf, "training": train})))
        del perf, train
    out = DetailParts()
    if not people:
        return out
    out.left_panel = _kept(pd.concat(people), min_n, levels)
    codes = sorted({str(c) for p in people for c in p.index.get_level_values(0)})
    out.kept = [c for c in codes if c not in out.left_panel]
    m = pd.concat(means, ignore_index=True)
    out.trained_means = m[m["region_code"].isin(out.kept).to_numpy()].reset_index(drop=True)
    change = pd.concat(changes, ignore_index=True)
    for c in ("region_code", "agency"):
        change[c] = change[c].astype(str).where(change[c].notna()).astype("category")
    out.change = change

    def province_panel(codes: Sequence[str]) -> pd.DataFrame:
        codes = sorted(str(c) for c in codes)
        perf = load_table("performance", dataset, columns=_DETAIL_PERF, regions=codes)
        perf = perf[perf["region_code"].astype(str).isin(codes).to_numpy()].reset_index(drop=True)
        return performance_panel({"performance": perf, "training": prog})

    out.province_panel = province_panel
    return out


def survey_training_frame(
    dataset, regions: Sequence[str], *, columns: Sequence[str], constructs, instruments: Sequence[str] = ("training",)
) -> pd.DataFrame | None:
    """:func:`~kinerja_research.analysis.frames.survey_frame` of ``instruments`` over ``regions``, a batch of
    regions at a time, keeping ``person_id`` (hashed), ``region_code``, ``trained``, ``wave`` and the scores.

    The frame's global decisions are taken first over the whole tables: the finest period kind of the performance
    table and each wave's period (median submission date of the wave over every survey row,
    ``frames._wave_periods``); each batch's frame is then ``survey_frame`` of its rows with those periods. None when
    a table lacks the columns this needs (the caller uses the in-memory route)."""
    batches = region_batches(regions)
    prog, _, _ = _programme_rows(dataset, batches)
    waves, kinds = [], []
    for batch in batches:
        sv = load_table("survey", dataset, columns=["region_code", "wave", "submitted_at"], regions=batch)
        pf = load_table("performance", dataset, columns=["region_code", "period", "period_kind", "period_start"],
                        regions=batch)  # fmt: skip
        if "submitted_at" not in sv.columns or "period_start" not in pf.columns:
            return None
        waves.append(sv[sv["region_code"].astype(str).isin(batch).to_numpy()][["wave", "submitted_at"]])
        pf = pf[pf["region_code"].astype(str).isin(batch).to_numpy()]
        kinds.append(pf.drop(columns="region_code").drop_duplicates())
    survey_all = pd.concat(waves, ignore_index=True)
    perf_all = pd.concat(kinds, ignore_index=True)
    if survey_all.empty or perf_all.empty:
        return None
    periods = _wave_periods(survey_all, perf_all)
    finest = set(_finest_kind(perf_all)["period_kind"].astype("string").dropna()) if "period_kind" in perf_all else None
    del survey_all, perf_all
    keep = ["person_id", "region_code", "trained", "wave", *instruments]
    out = []
    for batch in batches:
        sv = load_table("survey", dataset, columns=columns, regions=batch)
        sv = sv[sv["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)
        if not len(sv):
            continue
        pf = load_table("performance", dataset, columns=_DETAIL_PERF, regions=batch)
        pf = pf[pf["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)
        if finest is not None:
            pf = pf[pf["period_kind"].astype("string").isin(finest).fillna(False).to_numpy()]
        tr = load_table("training", dataset, columns=_TRAIN, regions=batch)
        tr = tr[tr["region_code"].astype(str).isin(batch).to_numpy()]
        tr = pd.concat([tr, prog[~prog["region_code"].astype(str).isin(batch).to_numpy()]], ignore_index=True)
        frame = survey_frame(
            {"survey": sv, "performance": pf, "training": tr}, list(instruments), periods=periods, constructs=constructs
        )
        out.append(_lean(frame[[c for c in keep if c in frame.columns]]))
    if not out:
        return None
    frame = pd.concat(out, ignore_index=True)
    frame["region_code"] = frame["region_code"].astype(str)
    return frame


def survey_present(dataset, regions: Sequence[str], constructs, names: Sequence[str]) -> list[str]:
    """Which of ``names`` the survey of ``regions`` holds (every item a column with an answer somewhere), read a
    batch of regions and only those items at a time: ``constructs_present`` of the whole survey."""
    wanted = {n: constructs[n] for n in names if n in constructs}
    items = list(dict.fromkeys(i for c in wanted.values() for i in c.items))
    seen: set[str] = set()
    cols: set[str] = set()
    for batch in region_batches(regions):
        sv = load_table("survey", dataset, columns=["region_code", *items], regions=batch)
        sv = sv[sv["region_code"].astype(str).isin(batch).to_numpy()]
        cols |= set(sv.columns)
        seen |= {i for i in items if i in sv.columns and sv[i].notna().any()}
    return [n for n, c in wanted.items() if all(i in cols and i in seen for i in c.items)]
