"""The resistance page's survey scores for many regions, read a batch of regions at a time: memory bounded by the
scores, never the survey's items.

The resistance page (:func:`~kinerja_research.report.sections.resistance_levels`,
:func:`~kinerja_research.report.sections.resistance_drivers`) and the region brief's resistance numbers
(:func:`kinerja_research.report.national._resistance`) score the survey's scales
(:func:`~kinerja_research.analysis.frames.construct_scores`) and then work on the scores only. At national size the
survey's items are most of its memory (scale 10: 3 M rows x 60 items); :func:`score_frame` reads
:data:`BATCH_REGIONS` regions at a time (parquet predicate pushdown by region and column projection,
:func:`kinerja_research.pipeline.load_table`), scores each batch (a score is a function of its row alone) and keeps
of each row only the columns the page's estimators read (:data:`KEEP`: person, region, wave, trained, age, tenure,
grade rank) and the scores. The estimators then run unchanged on that frame.

The one decision over the whole survey, which constructs it holds (every item a column with an answer somewhere:
:func:`~kinerja_research.analysis.frames.constructs_present`), is taken over all batches before any score is kept.
The frame has the in-memory route's columns, dtypes, values and row order: the survey's region column is read
once in file order, each batch's rows get their place among the rows of the regions, and the frame is put back in
that order (a no-op, without a copy, when the processed table is region-sorted, as the chunked clean writes it). So
the numbers pooled over regions (ANOVA sums of squares, regression cross-products, correlations) are summed in the
in-memory route's order and are identical, on a table of an older clean whose regions interleave too.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinerja_research.analysis.frames import Construct, construct_scores
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import load_table
from kinerja_research.report.national_training import region_batches

__all__ = ["BATCH_REGIONS", "KEEP", "ScoreFrame", "page_scores", "score_frame", "survey_items"]

#: Regions read together (scale 10: about 190,000 survey rows of the items a batch).
BATCH_REGIONS = 32
#: The survey's columns the resistance estimators read beside the scores (``large_enough`` counts people per
#: region x wave; the drivers regression and the t test use the covariates).
KEEP = ("person_id", "region_code", "wave", "trained", "age", "tenure_years", "golongan_rank")


@dataclass
class ScoreFrame:
    """What :func:`score_frame` read: ``frame`` (one row per survey row of the regions, :data:`KEEP` columns the
    survey holds and the scores of the ``present`` constructs; None when the survey has no rows), ``present`` (the
    constructs asked for that the whole survey holds, in the order asked) and ``batches`` (how many batches were
    read)."""

    frame: pd.DataFrame | None = None
    present: list[str] = field(default_factory=list)
    batches: int = 0


def score_frame(
    dataset,
    regions: Sequence[str],
    constructs: Mapping[str, Construct],
    names: Sequence[str],
    *,
    dimensions: Sequence[str] = ("resistance",),
) -> ScoreFrame:
    """The scores of the constructs ``names`` that the survey of ``regions`` holds, a batch of regions at a time.

    Equal to ``construct_scores(survey, constructs, present)`` on the whole survey of ``regions``, restricted to
    :data:`KEEP`, the score of each present construct and the dimension scores of those of ``dimensions``, with
    ``present = constructs_present(survey, wanted)`` (rows batch after batch; see the module's note). One read of
    the survey: each batch is scored for every construct whose items are columns, and the scores of a construct
    that turns out not to be present (an item never answered anywhere) are dropped at the end; an error in scoring
    it is raised only when it is present, as the in-memory route would score it only then.
    """
    wanted = {n: constructs[n] for n in names if n in constructs}
    items = list(dict.fromkeys(i for c in wanted.values() for i in c.items))
    batches = region_batches(regions, BATCH_REGIONS)
    columns: set[str] = set()
    answered: set[str] = set()
    errors: dict[str, KinerjaError] = {}
    made: dict[str, list[str]] = {}  # the score columns of each construct
    parts, places = [], []
    codes, names_ = _file_order(dataset, regions)
    for batch in batches:
        sv = _read(dataset, [*KEEP, *items], batch)
        columns |= set(sv.columns)
        answered |= {i for i in items if i in sv.columns and sv[i].notna().any()}
        if not len(sv):
            continue
        place = np.flatnonzero(np.isin(codes, np.flatnonzero(names_.isin(batch))))
        if len(place) != len(sv) or not np.array_equal(
            names_[codes[place]].to_numpy(), sv["region_code"].astype(str).to_numpy()
        ):
            raise KinerjaError(
                f"the survey rows of regions {batch[0]}..{batch[-1]} came back in another order than the file's"
            )
        places.append(place)
        out = [sv[[c for c in KEEP if c in sv.columns]]]
        for name, c in wanted.items():
            if name in errors or not all(i in sv.columns for i in c.items):
                continue
            try:
                sc = construct_scores(sv[c.items], constructs, [name])
            except KinerjaError as e:  # raised below only if the construct is present
                errors[name] = e
                continue
            keep = [name, *(k for k in sc.columns if name in dimensions and k not in sv.columns and k != name)]
            made[name] = keep
            out.append(sc[keep])
        parts.append(pd.concat(out, axis=1))
        del sv, out
    present = [n for n, c in wanted.items() if all(i in columns and i in answered for i in c.items)]
    for name in present:
        if name in errors:
            raise errors[name]
    if not parts:
        return ScoreFrame(present=present, batches=len(batches))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    del parts, codes
    place = np.concatenate(places)
    if len(place) > 1 and not (np.diff(place) > 0).all():  # regions interleave in the file: its order back
        frame = frame.take(np.argsort(place, kind="stable")).reset_index(drop=True)
    gone = [k for n, cols in made.items() if n not in present for k in cols]
    return ScoreFrame(frame=frame.drop(columns=gone), present=present, batches=len(batches))


def _file_order(dataset, regions: Sequence[str]) -> tuple[np.ndarray, pd.Index]:
    """The survey's region of every row of the row groups holding ``regions``, in file order, as small integer codes
    into the region names (what places each batch's rows among the survey's rows; one column, a byte or two a row)."""
    col = load_table("survey", dataset, columns=["region_code"], regions=list(regions))["region_code"]
    cat = pd.Categorical(col.astype(str))
    return cat.codes, cat.categories


def _read(dataset, columns: Sequence[str], batch: Sequence[str]) -> pd.DataFrame:
    """The survey rows of the regions ``batch`` (rows of other regions in the row groups read are dropped, as
    ``ctx.table`` restricts them), only ``columns`` of it."""
    sv = load_table("survey", dataset, columns=list(dict.fromkeys(columns)), regions=list(batch))
    return sv[sv["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)


def survey_items(dataset, regions: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """The survey rows of ``regions`` (a few: the multi-group CFA runs on at most ``INTERACTED_MAX`` of them), only
    ``columns``: what ``ctx.view`` gives of those regions."""
    codes = sorted(str(c) for c in regions)
    return _read(dataset, columns, codes)


_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def page_scores(ctx, constructs: Mapping[str, Construct], names: Sequence[str], *, last: bool = False) -> ScoreFrame:
    """:func:`score_frame` of the page's dataset and regions, read once per page: the two sections of the
    resistance page share it. The first section's read is kept with the page's context (one frame, the last
    asked); ``last=True`` (the page's last section) takes it and keeps nothing, so the frame is not held while the
    page renders its tables."""
    asked = tuple((n, c.instrument, tuple(c.items), tuple(c.reverse)) for n, c in constructs.items() if n in names)
    key = (str(ctx.dataset), tuple(ctx.regions), tuple(names), asked)
    try:
        held = _KEPT.pop(ctx, None)
    except TypeError:  # a context that cannot be weakly referenced: nothing kept
        return score_frame(ctx.dataset, ctx.regions, constructs, names)
    out = held[1] if held is not None and held[0] == key else None
    if out is None:
        out = score_frame(ctx.dataset, ctx.regions, constructs, names)
    if not last:
        _KEPT[ctx] = (key, out)
    return out
