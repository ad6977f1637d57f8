"""The audit page's survey parts for many regions, read a batch of regions at a time: memory bounded by a batch.

:func:`audit_parts` reads the survey (every column: the page describes each) and the people columns
(``region_code``, ``person_id``) of the other tables for :data:`BATCH_REGIONS` regions at a time (parquet predicate
pushdown by region, :func:`kinerja_research.pipeline.load_table`) and keeps of each batch only its per-region rows:
missing answers, response times, sample sizes, respondents and people per region. Every one of these is computed
within a region, so the rows of a batch are the rows the whole survey gives for its regions, and batches in sorted
region order concatenate to the whole survey's tables (tested equal).

Two numbers are about people over all regions, so they are decided at the end over what every batch kept:

- the share of respondents with a quality flag: people counted by a 64-bit hash of ``person_id``
  (:func:`pandas.util.hash_pandas_object`, kept in memory only), so a person in two regions counts once, as in the
  whole frame (a collision among 3 M ids has odds of about 1e-7);
- the respondents' characteristics: each batch keeps each person's first-wave row (their hash, wave and the six
  grouped characteristics), and the concatenation is reduced again to one row per person (first wave first, the
  earlier batch on a tie), the table :func:`~kinerja_research.report.sections.respondent_characteristics` builds.
  A person answering one wave in two regions has two candidate rows; the whole frame's unstable sort keeps one of
  them at random, the batches keep the one of the first region (the clean keeps one answer per person and wave, so
  this does not arise in a cleaned dataset of regions that do not share people).

The boxplot of response times needs the rows of its regions only (the highest and lowest medians): they are read
after the batches, three columns of those regions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinerja_research import clean
from kinerja_research.analysis.frames import SURVEY_FIELDS
from kinerja_research.pipeline import TABLES, load_table
from kinerja_research.report.national_training import region_batches, survey_present

__all__ = [
    "BATCH_REGIONS",
    "AuditParts",
    "audit_parts",
    "audit_parts_in_memory",
    "drawn_rows",
    "person_hashes",
    "post_scores",
    "POST_COLUMNS",
]

#: Regions read together (scale 10: about 190 k survey rows of 69 columns per batch).
BATCH_REGIONS = 32
_IDS = ["region_code", "person_id"]
_DRAWN = ["region_code", "person_id", "duration_s"]
#: The columns of the comparison page's resistance model (per region: trained − untrained, adjusted).
POST_COLUMNS = ["region_code", "person_id", "trained", "age", "tenure_years", "golongan_rank", "resistance"]


@dataclass
class AuditParts:
    """What the audit page shows of the survey and of the people per region, as the whole tables give it.

    ``n_people`` (distinct people per region over every table that has people; None when none has),
    ``has_survey`` (the survey has rows), ``missing`` (:func:`kinerja_research.clean.missingness`, cells with
    a missing value), ``respondents`` (survey people per region), ``durations``
    (:func:`kinerja_research.clean.duration_summary`; None without response times), ``medians`` (median response
    time per region), ``threshold`` (:func:`kinerja_research.clean.too_fast_threshold`), ``flagged`` (share of
    respondents with a quality flag; None without flag columns), ``samples``
    (:func:`kinerja_research.clean.sample_sizes`), ``characteristics`` (the respondents' characteristics table)
    ``drawn`` (the survey rows of some regions, for the response-time boxplot) and ``batches`` (how many batches
    were read; 0 for the tables in memory)."""

    n_people: pd.Series | None = None
    has_survey: bool = False
    missing: pd.DataFrame | None = None
    respondents: pd.Series | None = None
    durations: pd.DataFrame | None = None
    medians: pd.Series | None = None
    threshold: float = float("nan")
    flagged: float | None = None
    samples: pd.DataFrame | None = None
    characteristics: pd.DataFrame | None = None
    drawn: Callable[[Sequence[str]], pd.DataFrame] | None = None
    batches: int = 0
    columns: list[str] = field(default_factory=list)


def person_hashes(ids: pd.Series) -> np.ndarray:
    """The distinct 64-bit hashes of the non-missing values of ``ids`` (people counted without holding their ids)."""
    return np.unique(pd.util.hash_pandas_object(ids.dropna(), index=False).to_numpy())


def _restrict(df: pd.DataFrame, batch: Sequence[str]) -> pd.DataFrame:
    if "region_code" not in df.columns:
        return df
    return df[df["region_code"].astype(str).isin(batch).to_numpy()].reset_index(drop=True)


def _by_region(df: pd.DataFrame, column: str, how: str) -> pd.Series:
    return getattr(df.groupby(df["region_code"].astype(str))[column], how)()


def _concat(parts: list, **kw):
    return pd.concat(parts, **kw) if parts else None


def audit_parts(
    dataset,
    regions: Sequence[str],
    manifest: Mapping,
    *,
    first_rows: Callable[[pd.DataFrame], pd.DataFrame],
    pieces: Callable[[pd.DataFrame], dict],
    table: Callable[[dict, int], pd.DataFrame],
    size: int | None = None,
) -> AuditParts:
    """The audit page's survey tables and people per region, a batch of ``size`` regions at a time.

    Parameters
    ----------
    dataset : str or path
        Processed dataset (:func:`kinerja_research.pipeline.load_table`).
    regions : sequence of str
        The page's region codes.
    manifest : mapping
        The dataset's manifest (seconds per item of the too-fast threshold).
    first_rows, pieces, table : callable
        The respondent-characteristics steps of the page (each person's first-wave rows; their grouped
        characteristics, variable -> Series or None; the table from those and the number of people), so the batches
        build the table the whole survey gives.
    size : int, optional
        Regions per batch; default :data:`BATCH_REGIONS`.

    Returns
    -------
    AuditParts
    """
    out = AuditParts()
    people_parts, missing, respondents, durations, medians, samples, chars = [], [], [], [], [], [], []
    flagged_h, all_h = [], []
    has_duration = has_ids = False
    flags: list[str] = []
    for batch in region_batches(regions, size or BATCH_REGIONS):
        out.batches += 1
        survey = _restrict(load_table("survey", dataset, regions=batch), batch)
        if not out.columns and len(survey.columns):
            out.columns = list(survey.columns)
        ids = [survey] + [
            _restrict(load_table(t, dataset, columns=_IDS, regions=batch), batch) for t in TABLES if t != "survey"
        ]
        ids = [d[_IDS] for d in ids if set(_IDS) <= set(d.columns)]
        if ids:
            has_ids = True
            both = pd.concat(ids)
            people_parts.append(_by_region(both, "person_id", "nunique"))
            del both
        if survey.empty:
            continue
        out.has_survey = True
        missing.append(clean.missingness(survey, only_missing=True))
        respondents.append(_by_region(survey, "person_id", "nunique"))
        if "duration_s" in survey.columns:
            has_duration = has_duration or bool(survey["duration_s"].notna().any())
            durations.append(clean.duration_summary(survey))
            medians.append(_by_region(survey, "duration_s", "median"))
        flags = [c for c in ("too_fast", "straight_lining") if c in survey.columns]
        if flags:
            any_flag = survey[flags].fillna(False).astype(bool).any(axis=1)
            flagged_h.append(person_hashes(survey.loc[any_flag, "person_id"]))
            all_h.append(person_hashes(survey["person_id"]))
        samples.append(clean.sample_sizes(survey))
        first = first_rows(survey)
        kept = {k: v for k, v in pieces(first).items() if v is not None}
        chars.append(
            pd.DataFrame(
                {
                    "_h": pd.util.hash_pandas_object(first["person_id"], index=False).to_numpy(),
                    "_wave": first["wave"].to_numpy(),
                    **{k: v.reset_index(drop=True) for k, v in kept.items()},
                }
            )
        )
        del survey, first
    if has_ids:
        out.n_people = _concat(people_parts)
    if not out.has_survey:
        return out
    out.missing = _concat(missing, ignore_index=True)
    out.respondents = _concat(respondents)
    if has_duration:
        out.durations = _concat(durations, ignore_index=True)
        out.medians = _concat(medians)
    out.threshold = clean.too_fast_threshold(pd.DataFrame(columns=out.columns), dict(manifest))
    if flags:
        n_all = len(np.unique(np.concatenate(all_h)))
        out.flagged = float(len(np.unique(np.concatenate(flagged_h))) / max(n_all, 1))
    out.samples = _concat(samples, ignore_index=True)
    people = pd.concat(chars, ignore_index=True)
    del chars
    # one row per person over all batches: the first wave (as the whole frame's sort by wave), the earlier batch
    people = people.sort_values("_wave", kind="stable").drop_duplicates("_h")
    variables = ("gender", "age", "education", "golongan", "tenure_years", "employment")
    out.characteristics = table({v: people[v] if v in people.columns else None for v in variables}, len(people))
    out.drawn = functools.partial(drawn_rows, dataset)
    return out


def audit_parts_in_memory(
    tables: Mapping[str, pd.DataFrame],
    manifest: Mapping,
    *,
    first_rows: Callable[[pd.DataFrame], pd.DataFrame],
    pieces: Callable[[pd.DataFrame], dict],
    table: Callable[[dict, int], pd.DataFrame],
) -> AuditParts:
    """:func:`audit_parts` from the page's tables in memory (``tables["survey"]`` with every column, the others'
    ``region_code`` and ``person_id``): the route of a page of a few regions."""
    out = AuditParts()
    with_ids = [t[_IDS] for t in tables.values() if set(_IDS) <= set(t.columns)]
    if with_ids:
        people = pd.concat(with_ids)
        out.n_people = _by_region(people, "person_id", "nunique")
        del people
    survey = tables.get("survey")
    if survey is None or survey.empty:
        return out
    out.has_survey = True
    out.columns = list(survey.columns)
    out.missing = clean.missingness(survey, only_missing=True)
    out.respondents = _by_region(survey, "person_id", "nunique")
    if "duration_s" in survey.columns and survey["duration_s"].notna().any():
        out.durations = clean.duration_summary(survey)
        out.medians = _by_region(survey, "duration_s", "median")
        out.drawn = lambda codes: survey[survey["region_code"].astype(str).isin(codes)]
    out.threshold = clean.too_fast_threshold(survey, dict(manifest))
    flags = [c for c in ("too_fast", "straight_lining") if c in survey.columns]
    if flags:
        any_flag = survey[flags].fillna(False).astype(bool).any(axis=1)
        out.flagged = float(survey.loc[any_flag, "person_id"].nunique() / max(survey["person_id"].nunique(), 1))
    out.samples = clean.sample_sizes(survey)
    people = first_rows(survey)
    out.characteristics = table(pieces(people), len(people))
    return out


def post_scores(
    dataset,
    regions: Sequence[str],
    constructs: Mapping,
    *,
    score: Callable[[pd.DataFrame, Mapping], pd.DataFrame],
    size: int | None = None,
) -> pd.DataFrame | None:
    """The post-wave resistance scores of the comparison page, built a batch of regions at a time.

    Each batch reads the survey's identifying fields and the resistance items of its regions, scores them with
    ``score`` (the page's :func:`~kinerja_research.analysis.frames.construct_scores`, row by row) and keeps the
    post-wave rows' :data:`POST_COLUMNS`: the frame the page fits its per-region models on (each region's rows in
    the table's order, as in the whole survey). None when the survey does not hold the resistance construct
    (:func:`~kinerja_research.report.national_training.survey_present`).
    """
    if "resistance" not in survey_present(dataset, regions, constructs, ["resistance"]):
        return None
    items = list(constructs["resistance"].items)
    parts = []
    for batch in region_batches(regions, size or BATCH_REGIONS):
        survey = _restrict(load_table("survey", dataset, columns=[*SURVEY_FIELDS, *items], regions=batch), batch)
        scores = score(survey, constructs)
        del survey
        post = scores[scores["wave"] == "post"]
        parts.append(post[[c for c in POST_COLUMNS if c in post.columns]])
    return pd.concat(parts, ignore_index=True)


def drawn_rows(dataset, regions: Sequence[str]) -> pd.DataFrame:
    """The survey's region, person and response time of ``regions`` only (the rows of the response-time boxplot)."""
    return _restrict(load_table("survey", dataset, columns=_DRAWN, regions=list(regions)), list(regions))
