"""The rewards page's baseline frame for many regions, read a batch of regions at a time: memory bounded by a batch.

The rewards page (:func:`~kinerja_research.report.sections.rewards_model`,
:func:`~kinerja_research.report.sections.rewards_by_region`) and the region brief's rewards numbers
(``national._rewards``) analyse the survey's baseline wave merged with the capaian of its linked period
(:func:`~kinerja_research.analysis.frames.survey_frame`, then the ``pre`` rows). In memory that frame is built from
the whole survey, performance and training tables of the country (at scale 10: 3 M survey rows with every survey
field, 16.7 M performance rows). :func:`baseline_frame` builds the same frame :data:`BATCH_REGIONS` regions at a
time (parquet predicate pushdown by region, :func:`kinerja_research.pipeline.load_table`, only the columns the frame
needs) and keeps of each batch only the baseline rows with the person, region, wave, the construct scores, capaian
and predikat. The global decisions are taken first over the whole tables, as ``survey_frame`` takes them: the finest
period kind of the performance table and each wave's period (``frames._wave_periods``).

The rows come back in the order of the survey file (each batch's rows carry their position among the survey rows of
the page's regions), so the frame equals the in-memory one row for row and every estimator downstream (OLS and its
assumption tests, moderation, the seeded mediation bootstrap that draws row indices, the ordinal logit) gives the
same numbers, exactly (tested). The SKP predicate agreement (recomputed predicate against the recorded one over the
performance table) is counted per batch: whole numbers, so the share is exact as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinerja_research.analysis.frames import _finest_kind, _wave_periods, survey_frame
from kinerja_research.analysis.skp import skp_predicate
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import load_table
from kinerja_research.report.national_training import region_batches

__all__ = ["Baseline", "baseline_frame", "BASELINE_COLUMNS", "BATCH_REGIONS"]

#: Regions read together (scale 10: about 190 k survey rows and 1 M performance rows per batch).
BATCH_REGIONS = 32
#: Columns of the baseline frame besides the construct scores.
BASELINE_COLUMNS = ["person_id", "region_code", "wave", "capaian_pct", "predikat"]
_SURVEY_KEYS = ["person_id", "region_code", "wave", "submitted_at"]
_PERF = ["person_id", "region_code", "period", "period_kind", "period_start", "capaian_pct"]
_RATINGS = ["rating_hasil_kerja", "rating_perilaku", "predikat"]
_TRAIN = ["person_id", "region_code", "start", "jp", "programme"]


@dataclass
class Baseline:
    """The baseline frame and what the page says without it.

    ``frame``: the ``pre`` rows of ``survey_frame`` (in the survey's row order, fresh index) with
    :data:`BASELINE_COLUMNS` and the scores; None when the in-memory route would have none (``missing`` then names
    the table: ``"performance"``, as the page says it). ``ratings``: whether the performance table has the SKP rating
    columns; ``agree`` / ``rated``: performance rows whose recomputed predicate equals the recorded one, and rows with
    both ratings and a predicate (the page's ``skp_agreement``)."""

    frame: pd.DataFrame | None = None
    missing: list[str] = field(default_factory=list)
    ratings: bool = False
    agree: int = 0
    rated: int = 0


def _in(df: pd.DataFrame, batch: Sequence[str]) -> pd.DataFrame:
    if "region_code" not in df.columns:
        return df
    return df[df["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)


def baseline_frame(
    dataset,
    regions: Sequence[str],
    *,
    constructs,
    predictors: Sequence[str],
    skp: bool = False,
    batch: int | None = None,
) -> Baseline:
    """The rewards page's baseline frame (``survey_frame(tables, predictors, constructs=constructs)``, its ``pre``
    rows, ``reset_index``) over ``regions`` of ``dataset``, ``batch`` regions at a time.

    Parameters
    ----------
    dataset : str or path
        The processed dataset (:func:`kinerja_research.pipeline.load_table`).
    regions : list of str
        The page's region codes (the in-memory route reads the rows of these regions).
    constructs : mapping
        The dataset's constructs (:func:`~kinerja_research.analysis.frames.dataset_constructs`).
    predictors : list of str
        The constructs scored (those the survey holds).
    skp : bool
        Also count the SKP predicate agreement over the performance table (the rating columns are read).
    batch : int, optional
        Regions read together (default :data:`BATCH_REGIONS`).

    Returns
    -------
    Baseline
    """
    regions = sorted(str(r) for r in regions)
    batches = region_batches(regions, batch or BATCH_REGIONS)
    items = list(dict.fromkeys(i for p in predictors for i in constructs[p].items))
    perf_cols = [*_PERF, *(_RATINGS if skp else ["predikat"])]
    # the survey's rows in file order (their region alone): each batch's rows get their place among them
    order = load_table("survey", dataset, columns=["region_code"], regions=regions)
    if order.empty or "region_code" not in order.columns:
        return Baseline(missing=["performance"])
    codes = order["region_code"].astype(str).to_numpy()
    del order
    # global decisions over the whole tables: each wave's period among the periods of the finest kind
    waves, kinds = [], []
    perf_rows = train_rows = False
    # the columns the performance table holds (read of one region's rows: a table holds its columns in every row)
    perf_names = set(load_table("performance", dataset, columns=perf_cols, regions=batches[0][:1]).columns)
    period_cols = ["region_code", "period", "period_kind", "period_start"]
    for b in batches:
        sv = _in(load_table("survey", dataset, columns=["region_code", "wave", "submitted_at"], regions=b), b)
        pf = _in(load_table("performance", dataset, columns=period_cols, regions=b), b)
        tr = load_table("training", dataset, columns=["region_code"], regions=b)
        perf_rows = perf_rows or len(pf) > 0
        train_rows = train_rows or len(_in(tr, b)) > 0
        if "submitted_at" in sv.columns:
            waves.append(sv[["wave", "submitted_at"]])
        kinds.append(pf[[c for c in ("period", "period_kind", "period_start") if c in pf.columns]].drop_duplicates())
        del sv, pf, tr
    out = Baseline(ratings=set(_RATINGS) <= perf_names)
    if not (perf_rows and train_rows):
        out.missing = ["performance"]
        return out
    try:
        if not {"person_id", "period", "period_start", "capaian_pct"} <= perf_names or not waves:
            raise KinerjaError("the survey or the performance table lacks the columns of the frame")
        perf_all = pd.concat(kinds, ignore_index=True)
        periods = _wave_periods(pd.concat(waves, ignore_index=True), perf_all)
        finest = (
            set(_finest_kind(perf_all)["period_kind"].astype("string").dropna()) if "period_kind" in perf_all else None
        )
    except KinerjaError:
        out.missing = ["performance"]
        return out
    del waves, kinds, perf_all
    frames = []
    for b in batches:
        sv = _in(load_table("survey", dataset, columns=[*_SURVEY_KEYS, *items], regions=b), b)
        place = np.flatnonzero(np.isin(codes, b))
        if len(place) != len(sv) or not np.array_equal(codes[place], sv["region_code"].astype(str).to_numpy()):
            raise KinerjaError(f"the survey rows of regions {b[0]}..{b[-1]} came back in another order than the file's")
        pf = _in(load_table("performance", dataset, columns=perf_cols, regions=b), b)
        if skp and out.ratings:
            rated = pf.dropna(subset=_RATINGS)
            if len(rated):
                recomputed = skp_predicate(rated["rating_hasil_kerja"], rated["rating_perilaku"])
                out.agree += int((recomputed == rated["predikat"]).sum())
                out.rated += len(rated)
            del rated
        if finest is not None:
            pf = pf[pf["period_kind"].astype("string").isin(finest).fillna(False).to_numpy()]
        tr = _in(load_table("training", dataset, columns=_TRAIN, regions=b), b)
        if not len(sv):
            continue
        try:
            frame = survey_frame(
                {"survey": sv, "performance": pf, "training": tr},
                list(predictors),
                periods=periods,
                constructs=constructs,
            )
        except KinerjaError:
            out.missing = ["performance"]
            return out
        del sv, pf, tr
        pre = (frame["wave"] == "pre").to_numpy()
        keep = [c for c in [*BASELINE_COLUMNS[:3], *predictors, *BASELINE_COLUMNS[3:]] if c in frame.columns]
        frames.append(frame.loc[pre, keep].assign(_place=place[pre]))
        del frame
    if not frames:
        out.missing = ["performance"]
        return out
    frame = pd.concat(frames, ignore_index=True)
    del frames
    frame = frame.sort_values("_place", kind="stable").drop(columns="_place").reset_index(drop=True)
    out.frame = frame
    return out
