"""What each section of a report page shows: computed once by a package function, shown by a thin notebook.

A notebook is a document: its markdown cells carry the argument, its code cells call one function per theme here and
show what it returns. Each theme function takes the notebook's context (``ctx``: its tables, ``alpha``, ``seed``,
``min_n``, ``lang``) and returns a :class:`Section`:

- ``sec.results[name]`` -- the unrounded result tables (tidy DataFrames of :mod:`kinerja_research.analysis` and
  :mod:`kinerja_research.measure`), for the key findings and for tests;
- ``sec.table(name)`` -- the keyword arguments of ``ctx.show`` for one table (the data with the columns shown, its
  caption, rounding and labels): ``ctx.show(**sec.table("did"))``;
- ``sec.figure(name)`` -- the keyword arguments of ``ctx.figure`` (the figure is drawn when asked):
  ``ctx.figure(**sec.figure("trends"))``;
- ``sec.findings`` -- the key-finding sentences (:mod:`kinerja_research.report.findings`), ``sec.answers`` the
  per-region answers to the four questions, ``sec.records`` the headline figures;
- ``sec.left_out`` -- per analysis, the regions too small for it (shown by :func:`note`).

Per-region numbers are computed region by region, each from that region's rows only (the IKM bootstrap is seeded per
region), so the thematic pages and the region brief, which call the same functions, show the same numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kinerja_research import clean, standards
from kinerja_research.analysis.categorical import logistic
from kinerja_research.analysis.comparison import region_family
from kinerja_research.analysis.frames import (
    SURVEY_FIELDS,
    change_frame,
    construct_scores,
    constructs_present,
    dataset_constructs,
    performance_panel,
    staff_years,
    survey_frame,
)
from kinerja_research.analysis.frames import dataset_codebooks as frames_codebooks
from kinerja_research.analysis.resistance import anova, games_howell, kruskal_dunn, region_means, ttest, welch_anova
from kinerja_research.analysis.rewards import mediation, moderation, ordinal_logit, regression
from kinerja_research.analysis.satisfaction import ikm, ikm_elements, ikm_trend
from kinerja_research.analysis.skp import skp_predicate
from kinerja_research.analysis.training import did, dose_response, mixed_effects, paired_change, training_dose
from kinerja_research.errors import KinerjaError
from kinerja_research.instruments import load_codebook
from kinerja_research.measure import (
    bartlett_sphericity,
    cfa,
    cronbach_alpha,
    invariance,
    item_analysis,
    kmo,
    latent_means,
    omega,
    parallel_analysis,
    split_half,
)
from kinerja_research.measure._core import shared_moments
from kinerja_research.pipeline import load_manifest, validation_counts
from kinerja_research.report import findings as fnd
from kinerja_research.report import (
    national,
    national_overview,
    national_rewards,
    national_rtc,
    national_training,
    plots,
    spss,
)
from kinerja_research.report.audit import summarise_problems
from kinerja_research.report.i18n import translator
from kinerja_research.report.national import (
    did_region_records,
    ikm_by_region,
    ikm_records,
    jp_records,
    large_enough,
    rtc_records,
)
from kinerja_research.report.numbers import format_ci, period_label

__all__ = [
    "Section",
    "INSTRUMENTS",
    "SCALE_CONSTRUCTS",
    "REWARD_PREDICTORS",
    "MEDIATION_N_BOOT",
    "IKM_N_BOOT",
    "DOSE_PER_JP",
    "ELEMENTS",
    "AGE_GROUPS",
    "TENURE_GROUPS",
    "large_enough",
    "note",
    "notes",
    "explain",
    "explain_part",
    "record",
    "answer",
    "has_columns",
    "dataset_codebooks",
    "instrument_title",
    "instrument_source",
    "dimension_name",
    "element_names",
    "ikm_bands_table",
    "ikm_by_region",
    "respondent_characteristics",
    "training_effect",
    "training_jp",
    "training_details",
    "resistance_levels",
    "resistance_drivers",
    "rewards_model",
    "rewards_by_region",
    "satisfaction_ikm",
    "satisfaction_details",
    "comparison",
    "audit",
    "instrument_quality",
    "region_brief",
    "BRIEF_THEMES",
]


# ------------------------------------------------------------------------------------------------------ machinery
@dataclass
class Section:
    """What one theme of a page shows (see the module docstring)."""

    results: dict[str, pd.DataFrame] = field(default_factory=dict)
    tables: dict[str, dict] = field(default_factory=dict)
    figures: dict[str, tuple[Callable[[], Any], dict]] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=fnd.ANSWER_COLUMNS))
    records: list[dict] = field(default_factory=list)
    left_out: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    texts: dict[str, dict] = field(default_factory=dict)
    too_few: int | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)
    parts: dict[str, tuple[str, dict]] = field(default_factory=dict)
    national: dict[str, list[tuple[str, dict]]] = field(default_factory=dict)

    def table(self, name: str) -> dict:
        """Keyword arguments of ``ctx.show`` for table ``name``: ``ctx.show(**sec.table(name))``."""
        if name not in self.tables:
            raise KinerjaError(f"section has no table {name!r}; the tables are {sorted(self.tables)}.")
        return dict(self.tables[name])

    def figure(self, name: str) -> dict:
        """Keyword arguments of ``ctx.figure`` for figure ``name`` (drawn now): ``ctx.figure(**sec.figure(name))``."""
        if name not in self.figures:
            raise KinerjaError(f"section has no figure {name!r}; the figures are {sorted(self.figures)}.")
        draw, opts = self.figures[name]
        return {"fig": draw(), **opts}

    def text(self, name: str) -> dict:
        """Keyword arguments of ``ctx.text`` for the sentence ``name`` (a sentence carrying computed numbers)."""
        if name not in self.texts:
            raise KinerjaError(f"section has no text {name!r}; the texts are {sorted(self.texts)}.")
        return dict(self.texts[name])

    def has(self, name: str) -> bool:
        """Whether the table, figure or text ``name`` can be shown (False when its data were absent or too small)."""
        return name in self.tables or name in self.figures or name in self.texts


#: The columns of a compact result table (estimate, interval, p, effect size, n); the full result is the detail.
COMPACT = (
    "region",
    "group",
    "group_a",
    "group_b",
    "term",
    "estimate",
    "ci_low",
    "ci_high",
    "statistic",
    "p",
    "p_adj",
    "effect_size",
    "n",
)


def _interval_records(key: str, row, label_key: str, *, level: float, spec: str) -> list[dict]:
    """Headline records of an estimate and its interval: ``key``, ``key_ci_low`` and ``key_ci_high`` from the row's
    ``estimate``, ``ci_low`` and ``ci_high``, labelled ``label_key`` and ``label_key_low`` / ``_high`` (which name
    the interval ``level``)."""
    bounds = [
        dict(
            key=f"{key}_ci_{end}",
            value=row[f"ci_{end}"],
            label_key=f"{label_key}_{end}",
            label={"level": level},
            spec=spec,
        )
        for end in ("low", "high")
    ]
    return [dict(key=key, value=row["estimate"], label_key=label_key, spec=spec), *bounds]


def _show(df: pd.DataFrame, caption_key: str, *, compact: bool | Sequence[str] = False, **opts) -> dict:
    """``ctx.show`` arguments; ``compact``: the main table keeps :data:`COMPACT` and the full result is the detail
    (a collapsible block and its own sheet of the page's workbook). The interval level is in the column header, so
    ``ci_level`` is never shown as a column."""
    df = df.reset_index(drop=True)
    df = df.drop(columns=[c for c in ("ci_level",) if c in df.columns])
    drop = [c for c in opts.pop("drop", []) if c in df.columns]
    df = df.drop(columns=drop)
    out = {"caption_key": caption_key, **opts}
    if compact:
        extra = [] if compact is True else list(compact)
        main = [c for c in (*COMPACT, *extra) if c in df.columns and df[c].notna().any()]
        out["df"] = df[main]
        if len(main) < df.shape[1]:
            out["detail"] = df
    else:
        out["df"] = df
    return out


def _spss_regression(sec: Section, reg, *, name: str, model: str, lang: str) -> None:
    """The three SPSS blocks of a regression (``style="skripsi"``): ``<name>_summary``, ``_anova``, ``_coefficients``."""
    caption = {"model": model}
    sec.tables[f"{name}_summary"] = _show(spss.model_summary(reg), "spss.model_summary_caption", caption=caption,
                                          ns="spss", digits={"r": 3, "r2": 3, "adj_r2": 3, "se_estimate": 3,
                                                             "durbin_watson": 3})  # fmt: skip
    sec.tables[f"{name}_anova"] = _show(
        spss.anova(reg, lang=lang), "spss.anova_caption", caption=caption, ns="spss", digits={"ss": 3, "ms": 3}
    )
    sec.tables[f"{name}_coefficients"] = _show(
        spss.coefficients(reg), "spss.coefficients_caption", caption=caption, ns="spss",
        digits={"b": 3, "se": 3, "beta": 3, "t_hitung": 3, "t_tabel": 3, "tolerance": 3, "vif": 3},
    )  # fmt: skip


def note(ctx, section: Section, name: str) -> None:
    """Show the translated note naming the regions left out of analysis ``name`` (nothing when none was), and the
    notes saying how a national run computes it when that differs from the pooled model (``section.national``)."""
    for key, values in section.national.get(name, []):
        ctx.text(key, **values)
    if name not in section.left_out:
        return
    min_n, codes = section.left_out[name]
    if not codes:
        return
    names = ", ".join(ctx.region_name(c) for c in codes)
    if hasattr(ctx, "left_out"):
        ctx.left_out("common.regions_left_out", min_n=min_n, regions=names)
    else:
        ctx.text("common.regions_left_out", min_n=min_n, regions=names)


def notes(ctx, section: Section) -> None:
    """Show one translated note per part a section made of parts (the region brief) left out, saying why
    (``section.notes``); nothing when it left out none."""
    for key, values in section.notes:
        if hasattr(ctx, "left_out"):
            ctx.left_out(key, **values)
        else:
            ctx.text(key, **values)


def explain_part(ctx, section: Section, name: str) -> None:
    """Show why part ``name`` of a section that otherwise ran is left out (its table or items are absent:
    ``section.parts[name]``); nothing when the part was shown or was not asked of these data."""
    if name in section.parts and not section.has(name):
        key, values = section.parts[name]
        if hasattr(ctx, "left_out"):
            ctx.left_out(key, **values)
        else:
            ctx.text(key, **values)


def explain(ctx, section: Section) -> None:
    """Show why a section is empty: the table or construct the data lack, or that every region was too small."""
    if section.too_few is not None:
        key, values = "common.left_out.too_few", {"min_n": section.too_few}
    elif section.missing == ["instruments"]:
        key, values = "common.left_out.instruments", {}
    elif section.missing:
        what = section.missing[0]
        key = (
            "common.left_out.table"
            if what in ("survey", "performance", "training", "satisfaction")
            else ("common.left_out.construct")
        )
        values = (
            {"table": _table_name(ctx.lang, what)}
            if key.endswith("table")
            else {"construct": _construct_name(ctx.lang, what)}
        )
    else:
        sizes = [m for m, codes in section.left_out.values() if codes]
        key, values = "common.left_out.too_small", {"min_n": max(sizes) if sizes else ctx.min_n}
    if hasattr(ctx, "left_out"):
        ctx.left_out(key, **values)
    else:
        ctx.text(key, **values)


def _table_name(lang: str, table: str) -> str:
    return translator(lang)(f"vocab.table.{table}")


def _construct_name(lang: str, construct: str) -> str:
    t = translator(lang)
    return t(f"common.construct.{construct}") if f"common.construct.{construct}" in t else construct


def record(ctx, section: Section) -> None:
    """Record the section's headline figures (``ctx.record``), each with the number of people behind it."""
    for r in section.records:
        ctx.record(**r)


def answer(ctx, section: Section) -> None:
    """Record the section's plain-words answers to the four questions (``ctx.answer``) for the index table."""
    if not hasattr(ctx, "answer"):
        return
    for r in section.answers.itertuples(index=False):
        if r.question in ("training", "resistance", "rewards", "comparison"):
            n = None if r.n is None or (isinstance(r.n, float) and np.isnan(r.n)) else int(r.n)
            ctx.answer(r.question, r.text, region=r.region, value=r.value, n=n)


def enough(sec: Section, df: pd.DataFrame, *, min_n: int, subject: str = "person_id") -> bool:
    """Whether ``df`` holds at least ``min_n`` people for a model pooled over regions; when not, the section records
    it (``explain`` then says the data hold too few people) and the analysis is left out."""
    n = df[subject].nunique() if subject in df.columns else len(df)
    if n >= min_n:
        return True
    sec.too_few = min_n
    return False


def has_columns(tables: Mapping[str, pd.DataFrame], table: str, columns: Sequence[str] = ()) -> bool:
    """Whether ``tables[table]`` exists with rows and holds ``columns`` with at least one value each."""
    df = tables.get(table)
    if df is None or df.empty:
        return False
    return all(c in df.columns and df[c].notna().any() for c in columns)


def ctx_regions(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Region codes present in any of ``tables``, sorted."""
    return sorted({str(c) for df in tables.values() if "region_code" in df.columns for c in df["region_code"].dropna()})


def _people(df: pd.DataFrame, by: str = "region_code", subject: str = "person_id") -> pd.Series:
    return df.groupby(df[by].astype(str))[subject].nunique()


#: Performance columns of the person x period panels (:func:`performance_panel`, :func:`survey_frame`,
#: :func:`staff_years`); the SKP ratings (:data:`SKP_RATINGS`) only where the rewards page reads them.
PERFORMANCE_PANEL = (
    "person_id",
    "region_code",
    "agency",
    "employment",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "capaian_pct",
    "golongan",
)
SKP_RATINGS = ("rating_hasil_kerja", "rating_perilaku", "predikat")


def section_columns(
    ctx, constructs: Sequence[str] = (), *, performance: Sequence[str] = PERFORMANCE_PANEL
) -> dict[str, list[str] | None]:
    """Per table, the columns a section reads: the survey's :data:`SURVEY_FIELDS` and the items of ``constructs``
    (the dataset's mapping), ``performance``, every column of the (narrow) training and satisfaction tables."""
    mapping = _constructs(ctx) if constructs else {}
    items = [i for n in constructs if n in mapping for i in mapping[n].items]
    return {
        "survey": list(dict.fromkeys([*SURVEY_FIELDS, *items])),
        "performance": list(performance),
        "training": None,
        "satisfaction": None,
    }


def _note_values(frame: pd.DataFrame) -> list[dict]:
    """Values of the note ``common.national_province`` for a frame with ``region_code`` and ``province``."""
    return [{"m": int(frame["region_code"].nunique()), "p": int(frame["province"].nunique())}]


def _tables(ctx, tables, columns: Mapping[str, Sequence[str] | None] | None = None):
    """``tables`` when given, else the page's tables read with only ``columns`` (``ctx.view``; a context without
    it, such as a test's, gives its ``tables``)."""
    if tables is not None:
        return tables
    view = getattr(ctx, "view", None)
    return ctx.tables if view is None or columns is None else view(columns)


# ------------------------------------------------------------------------------------------------------- training
#: The dose-response slope is reported per this many JP (jam pelajaran).
DOSE_PER_JP = 10


def _placebo(panel: pd.DataFrame, alpha: float) -> pd.DataFrame | None:
    """DiD on the periods before the programme only, the last of them as a pseudo "post": a parallel-trends check."""
    pre = panel[panel["wave"] == "pre"]
    periods = sorted(pre["period"].astype(str).unique())
    if len(periods) < 2:
        return None

    placebo = pre.assign(placebo_post=pre["period"].astype(str) == periods[-1])
    try:
        return did(placebo, dv="capaian_pct", within="placebo_post", post=True, alpha=alpha)
    except KinerjaError:
        return None


def _trends(panel: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Mean capaian per period for trained and untrained staff, with t intervals (the parallel-trends figure)."""

    key = panel["period"].astype(str) + "|" + panel["trained"].map({True: "trained", False: "untrained"})
    means = region_means(panel.assign(cell=key), dv="capaian_pct", between="cell", alpha=alpha)
    cell = means["region"] if "region" in means.columns else means["group"]
    parts = cell.astype(str).str.split("|", expand=True)
    return means.assign(period=parts[0], group=parts[1])


def _did_per_region(panel: pd.DataFrame, interacted: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """The interacted DiD with each region's effect row taken from a DiD of that region's rows alone.

    In the fully interacted model every parameter is region-specific, so a region's effect, cluster-robust SE and
    Satterthwaite df equal those of the region's own DiD up to rounding in the last digits; fitting each region on its
    own rows makes them identical whichever other regions are in the run (the region brief compares its region with
    every region of the data, the thematic pages with those of the run). The pooled rows and the Wald test of equal
    effects stay those of the interacted model.
    """
    rows = []
    for code, sub in panel.groupby(panel["region_code"].astype(str), sort=True):
        own = did(sub, dv="capaian_pct", alpha=alpha)
        rows.append(own[own["term"] == "trained:post"].assign(region=code))
    if not rows:
        return interacted
    keep = ~(interacted["region"].notna() & (interacted["term"] == "trained:post"))
    pooled, test = (
        interacted[keep & ~interacted["term"].astype(str).str.contains(" x ")],
        interacted[keep & interacted["term"].astype(str).str.contains(" x ")],
    )
    return pd.concat([pooled, *rows, test], ignore_index=True)[interacted.columns]


def _did_parts(ctx, tables) -> national_training.DidParts:
    """The DiD numbers of the training page from ``tables`` in memory (the whole panel of the page's regions)."""
    parts = national_training.DidParts()
    panel, parts.missing, parts.left = national.did_panel(tables, min_n=ctx.min_n)
    if parts.missing or panel.empty or panel["wave"].nunique() < 2:
        return parts
    if panel["region_code"].nunique() > national.INTERACTED_MAX:  # no design with 4 columns per region
        parts.res = national.did_by_region(panel, alpha=ctx.alpha)
    else:
        parts.res = _did_per_region(
            panel, did(panel, dv="capaian_pct", between=["trained", "region_code"], alpha=ctx.alpha), ctx.alpha
        )
    post = panel[panel["wave"] == "post"]
    parts.naive = post.loc[post["trained"], "capaian_pct"].mean() - post.loc[~post["trained"], "capaian_pct"].mean()
    parts.placebo = _placebo(panel, ctx.alpha)
    parts.trends = _trends(panel, ctx.alpha)
    parts.first_post = sorted(panel.loc[panel["wave"] == "post", "period"].astype(str).unique())[0]
    return parts


def training_effect(ctx, tables: Mapping[str, pd.DataFrame] | None = None) -> Section:
    """Does training improve performance? Difference-in-differences of capaian, pooled and per region.

    Uses the ``performance`` and ``training`` tables. Regions with fewer than ``ctx.min_n`` people in a trained ×
    wave cell are left out (``left_out["did"]``). Results: ``did`` (:func:`kinerja_research.did` with
    ``between="region_code"``, per-region rows carrying ``n_people``), ``placebo`` (the same design on the periods
    before the programme), ``trends`` (mean capaian per period, trained vs untrained), ``naive`` (post-only
    difference). Figures ``forest`` and ``trends``; records ``did_effect`` (+ interval) and ``did_effect_region``
    per region; answers to ``training`` per region.
    """

    sec = Section()
    parts = None
    if tables is None and getattr(ctx, "dataset", None) is not None and len(ctx.regions) > national.INTERACTED_MAX:
        # many regions: a batch of regions at a time, keeping cell sums only (never the country's panel)
        parts = national_training.did_parts(ctx.dataset, ctx.regions, min_n=ctx.min_n, alpha=ctx.alpha)
    if parts is None:
        parts = _did_parts(ctx, _tables(ctx, tables, section_columns(ctx)))
    if parts.missing:
        sec.missing = parts.missing
        return sec
    sec.left_out["did"] = (ctx.min_n, parts.left)
    if parts.res is None:  # one period (no performance after the programme): no DiD
        return sec
    res, placebo, trends, first_post = parts.res, parts.placebo, parts.trends, parts.first_post
    is_region = res["region"].notna() & (res["term"] == "trained:post")
    sec.results["did"] = res
    equal = res[res["term"].astype(str).str.contains(" x ")]
    if len(equal) and pd.notna(equal.iloc[0]["statistic"]):
        e = equal.iloc[0]
        sec.texts["equal"] = dict(
            key="training.did_region_text", df1=e["df1"], df2=e["df2"], f=e["statistic"], p=e["p"]
        )
    sec.results["naive"] = pd.DataFrame({"estimate": [parts.naive]})
    sec.texts["naive"] = dict(key="training.naive_text", naive=float(sec.results["naive"]["estimate"].iloc[0]))
    if placebo is not None:
        sec.results["placebo"] = placebo
        sec.tables["placebo"] = _show(placebo, "training.placebo_caption", compact=True, ns="training")
    sec.results["trends"] = trends
    pooled = res[res["region"].isna() & (res["term"] == "trained:post")].iloc[0]
    by_region = res[is_region]
    t = translator(ctx.lang)
    sec.tables["did"] = _show(
        res[~res["term"].astype(str).str.contains(" x ")],
        "training.did_caption",
        compact=True,
        ns="training",
    )
    forest, forest_notes = national.figure_ends(by_region, value="estimate", lang=ctx.lang)
    sec.figures["forest"] = (
        lambda: plots.plot_forest(
            forest,
            label="region",
            ref=0.0,
            lang=ctx.lang,
            xlabel="training.axis_did",
        ),
        {"caption_key": "training.fig_did", "caption": {"level": ctx.level}, "notes": forest_notes},
    )
    sec.figures["trends"] = (
        lambda: plots.plot_trends(
            trends,
            event=first_post,
            event_label=t("training.programme_start"),
            hue_labels={"trained": t("training.group.trained"), "untrained": t("training.group.untrained")},
            lang=ctx.lang,
            ylabel="training.axis_capaian",
        ),
        {"caption_key": "training.fig_trends", "caption": {"level": ctx.level}},
    )
    sec.records += _interval_records("did_effect", pooled, "training.headline_did", level=ctx.level, spec=".2f")
    sec.records += did_region_records(by_region)
    sec.findings = fnd.training(
        res, placebo=placebo, target=standards.JP_TARGET, alpha=ctx.alpha, lang=ctx.lang, min_n=ctx.min_n
    )
    sec.answers = fnd.training_answers(res, alpha=ctx.alpha, lang=ctx.lang, min_n=ctx.min_n)
    return sec


def training_jp(ctx, tables: Mapping[str, pd.DataFrame] | None = None) -> Section:
    """The 20 JP rule (PP 11/2017): the share of PNS person-years with at least ``standards.JP_TARGET`` JP, per region
    and per region × golongan, and mean JP against the target.

    Results ``dose`` (per region, with ``n_people``) and ``dose_golongan``; figures ``shares`` (percent of PNS, 0–100 %)
    and ``mean_jp`` (bars from zero with the target line); records ``jp_share_meeting_20`` per region.
    """

    sec = Section()
    if tables is None and getattr(ctx, "dataset", None) is not None and len(ctx.regions) > national.INTERACTED_MAX:
        # many regions: a batch of regions at a time (every group lies within a region)
        parts = national_training.jp_parts(ctx.dataset, ctx.regions, alpha=ctx.alpha)
        if parts.missing:
            sec.missing = parts.missing
            return sec
        if parts.dose is None:
            return sec
        dose, by_gol = parts.dose, parts.dose_golongan
    else:
        tables = _tables(ctx, tables, section_columns(ctx))
        if not (has_columns(tables, "performance", ["golongan"]) and has_columns(tables, "training", ["jp"])):
            sec.missing = ["performance" if not has_columns(tables, "performance") else "training"]
            return sec
        staff = staff_years(tables["performance"])
        dose = training_dose(tables["training"], staff=staff, between=["region_code"], alpha=ctx.alpha)
        if dose.empty:
            return sec
        dose = dose.assign(n_people=dose["region"].astype(str).map(_people(staff)))
        by_gol = training_dose(tables["training"], staff=staff, between=["region_code", "golongan"], alpha=ctx.alpha)
        gol_people = staff.groupby([staff["region_code"].astype(str), "golongan"], observed=True)["person_id"].nunique()
        by_gol = by_gol.assign(
            n_people=[gol_people.get((str(r), g), 0) for r, g in zip(by_gol["region"], by_gol["golongan"])]
        )
    sec.results["dose"] = dose
    sec.results["dose_golongan"] = by_gol
    target = standards.JP_TARGET
    t = translator(ctx.lang)
    shown = dict(ns="training", drop=["term", "method"], n_col="n_people", caption={"target": target})
    sec.tables["dose"] = _show(dose, "training.dose_caption", **shown)
    sec.tables["dose_golongan"] = _show(by_gol, "training.dose_golongan_caption", **shown)
    shares, shares_notes = national.figure_ends(dose, value="estimate", lang=ctx.lang)
    mean_jp, mean_jp_notes = national.figure_ends(dose, value="mean_jp", lang=ctx.lang)
    sec.figures["shares"] = (
        lambda: plots.plot_shares(shares, n_col="n_people", lang=ctx.lang, xlabel="training.axis_share"),
        {"caption_key": "training.fig_dose", "caption": {"target": target, "level": ctx.level}, "notes": shares_notes},
    )
    sec.figures["mean_jp"] = (
        lambda: plots.plot_bars(
            mean_jp,
            x="mean_jp",
            y="region",
            n_col="n_people",
            lang=ctx.lang,
            xlabel="training.axis_mean_jp",
            ref=target,
            ref_label=t("training.target_label", target=target),
        ),
        {"caption_key": "training.fig_mean_jp", "caption": {"target": target}, "notes": mean_jp_notes},
    )
    sec.records += jp_records(dose, target=target)
    sec.findings = fnd._jp_sentence(dose, target=target, alpha=ctx.alpha, lang=ctx.lang, min_n=ctx.min_n)
    sec.answers = fnd.jp_answers(dose, target=target, alpha=ctx.alpha, lang=ctx.lang)
    return sec


def training_details(ctx) -> Section:
    """The training page's further analyses: paired change of trained staff (survey perception of training and
    capaian), the mixed model as a robustness check, and the dose-response of capaian change on programme JP with
    other courses as a placebo. Above ``national.INTERACTED_MAX`` regions the frames are built a batch of regions at a
    time (:mod:`kinerja_research.report.national_training`; the same numbers, tested) and the LMM reads one province's
    regions per fit."""

    tables = _tables(ctx, None, section_columns(ctx, ["training"]))
    sec = Section()
    alpha = ctx.alpha
    national_route = getattr(ctx, "dataset", None) is not None and len(ctx.regions) > national.INTERACTED_MAX
    if national_route:  # which instruments the survey holds, read a batch of regions and the items at a time
        constructs = _constructs(ctx)
        present = national_training.survey_present(ctx.dataset, ctx.regions, constructs, ["training"])
    else:
        constructs, present = _present(ctx, tables, ["training"])
    frame = None
    if national_route and "training" in present:  # a batch of regions at a time, never the country's tables
        try:
            frame = national_training.survey_training_frame(
                ctx.dataset,
                ctx.regions,
                columns=section_columns(ctx, ["training"])["survey"],
                constructs=constructs,
            )
        except KinerjaError:
            frame = None
    elif "training" in present and has_columns(tables, "performance") and has_columns(tables, "training"):
        try:
            frame = survey_frame(tables, ["training"], constructs=constructs)
        except KinerjaError:
            frame = None
    if frame is not None:
        if "training" in frame.columns:
            survey, left = large_enough(frame, min_n=ctx.min_n, between=["trained", "wave"])
            sec.left_out["paired"] = (ctx.min_n, left)
            trained = survey[survey["trained"].astype(bool)]
            if len(trained):
                paired = paired_change(trained, dv="training", between="region_code", alpha=alpha)
                sec.results["paired"] = paired
                sec.tables["paired"] = _show(paired, "training.paired_caption", compact=("method",), ns="training")
                sec.tables["spss_paired"] = _show(
                    spss.paired_samples(paired),
                    "spss.paired_caption",
                    caption={"model": translator(ctx.lang)("training.model_paired")},
                    ns="spss",
                    digits={"mean": 3, "sd": 3, "se": 3, "ci": 3, "t_hitung": 3, "t_tabel": 3},
                )
    parts = None
    if national_route:
        # many regions: the panel a batch of regions at a time, per-person frames with hashed ids, the LMM per province
        parts = national_training.detail_parts(ctx.dataset, ctx.regions, min_n=ctx.min_n)
    if parts is not None:
        _details_batched(ctx, sec, parts)
    elif has_columns(tables, "performance", ["capaian_pct"]) and has_columns(tables, "training", ["jp"]):
        try:
            full = performance_panel(tables)
        except KinerjaError:
            full = None
        if full is not None:
            panel, left = large_enough(full, min_n=ctx.min_n, between=["trained", "wave"])
            sec.left_out["panel"] = (ctx.min_n, left)
            if len(panel):
                trained = (
                    panel[panel["trained"]]
                    .groupby(["person_id", "region_code", "wave"], as_index=False, observed=True)["capaian_pct"]
                    .mean()
                )
                _paired_capaian(sec, trained, alpha)
                m = panel["region_code"].nunique()
                if m > national.INTERACTED_MAX:  # the country's panel in one sparse model: memory grows with it
                    lmm = national.lmm_by_province(
                        panel, fit=lambda rows: mixed_effects(rows, dv="capaian_pct", alpha=alpha), alpha=alpha
                    )
                    _lmm_national(ctx, sec, lmm, m)
                else:
                    lmm = mixed_effects(panel, dv="capaian_pct", alpha=alpha)
                    if len(lmm):
                        sec.results["lmm"] = lmm
                        sec.tables["lmm"] = _show(lmm, "training.lmm_caption", compact=True, ns="training")
            _dose_response(ctx, sec, change_frame(tables))
    return sec


def _paired_capaian(sec: Section, trained: pd.DataFrame, alpha: float) -> None:
    """Paired change of capaian of trained staff per region (``trained``: mean per person x region x wave)."""
    if trained["wave"].nunique() == 2:
        paired_c = paired_change(trained, dv="capaian_pct", between="region_code", alpha=alpha)
        sec.results["paired_capaian"] = paired_c
        sec.tables["paired_capaian"] = _show(
            paired_c, "training.paired_capaian_caption", compact=("method",), ns="training"
        )


def _lmm_national(ctx, sec: Section, lmm: pd.DataFrame, m: int) -> None:
    """The per-province LMM pooled by inverse variance (national route) on the page."""
    p = int(lmm["group"].nunique()) if len(lmm) else 0
    sec.national["lmm"] = [("training.lmm_national", {"m": m, "p": p})]
    if len(lmm):
        shown = lmm.assign(group=lmm["group"].map(ctx.region_name, na_action="ignore"))
        sec.results["lmm"] = lmm
        sec.tables["lmm"] = _show(shown, "training.lmm_national_caption", compact=True, ns="training")


def _dose_response(ctx, sec: Section, frame: pd.DataFrame) -> None:
    """Dose-response of capaian change on programme JP per region, and on other courses' JP as a placebo."""
    change, left = large_enough(frame, min_n=ctx.min_n, between=["trained"])
    sec.left_out["dose_response"] = (ctx.min_n, left)
    if len(change):
        per = DOSE_PER_JP
        dr = dose_response(
            change, dv="capaian_change", dose="jp_programme", between="region_code", per=per, alpha=ctx.alpha
        )
        placebo = dose_response(change, dv="capaian_change", dose="jp_other", per=per, alpha=ctx.alpha)
        both = pd.concat([dr, placebo], ignore_index=True)
        sec.results["dose_response"] = both
        sec.tables["dose_response"] = _show(
            both, "training.dose_response_caption", compact=True, caption={"per": DOSE_PER_JP}, ns="training"
        )


def _details_batched(ctx, sec: Section, parts) -> None:
    """:func:`training_details`' panel analyses from :func:`national_training.detail_parts`."""
    alpha = ctx.alpha
    sec.left_out["panel"] = (ctx.min_n, parts.left_panel)
    if parts.kept:
        _paired_capaian(sec, parts.trained_means, alpha)
        m = len(parts.kept)
        if m > national.INTERACTED_MAX:
            lmm = national.lmm_by_province(
                pd.DataFrame({"region_code": parts.kept}),
                fit=lambda rows: mixed_effects(
                    parts.province_panel(rows["region_code"]), dv="capaian_pct", alpha=alpha
                ),
                alpha=alpha,
            )
            _lmm_national(ctx, sec, lmm, m)
        else:
            lmm = mixed_effects(parts.province_panel(parts.kept), dv="capaian_pct", alpha=alpha)
            if len(lmm):
                sec.results["lmm"] = lmm
                sec.tables["lmm"] = _show(lmm, "training.lmm_caption", compact=True, ns="training")
    _dose_response(ctx, sec, parts.change)


# ----------------------------------------------------------------------------------------------------- resistance
#: Columns of a coefficient table as theses show it: B, its interval, t, p, the standardised Beta and n.
COEFFICIENT_COLUMNS = ["term", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "p", "effect_size", "n"]
#: The model term of the boolean ``trained`` covariate (coefficient names follow R: ``trainedTRUE``).
TRAINED_TERM = "trainedTRUE"

#: Instruments of the survey, in the order the pages show them, with the construct each measures (the dataset's
#: ``constructs`` mapping names the construct; the shipped codebook is the default).
INSTRUMENTS = {
    "rtc": "resistance",
    "training": "training",
    "reward": "reward",
    "sanction": "sanction",
    "motivation": "motivation",
    "sus": "usability",
}


#: Constructs scored on the survey pages, in the order they are shown (the dataset's ``constructs:`` mapping says
#: which instrument measures each; :func:`kinerja_research.analysis.frames.dataset_constructs`).
SCALE_CONSTRUCTS = ("resistance", "training", "reward", "sanction", "motivation", "usability")


#: The dataset's own codebooks seen in this process (name -> Codebook), registered by :func:`dataset_codebooks`, so
#: titles and dimension names of an own instrument are found by its name like a shipped one's.
_OWN_CODEBOOKS: dict = {}


@functools.lru_cache(maxsize=64)
def _shipped_codebook(name: str):
    """A shipped codebook, parsed once per process (a page asks for each one's names many times)."""
    return load_codebook(name)


def _codebook(name: str):
    """A dataset's own codebook registered by :func:`dataset_codebooks`, else the shipped one of that name."""
    return _OWN_CODEBOOKS[name] if name in _OWN_CODEBOOKS else _shipped_codebook(name)


def dataset_codebooks(dataset: str) -> dict:
    """The instruments a processed dataset's survey may hold: the shipped codebooks of :data:`INSTRUMENTS` and the
    dataset's own codebook files, name -> Codebook, shipped ones first, each on the scale the dataset declared
    (:func:`kinerja_research.analysis.frames.dataset_codebooks`: the files the clean step copied into the processed
    folder, ``manifest.json`` ``codebooks``; a folder cleaned before that falls back to the raw dataset.yml).
    """
    books = frames_codebooks(dataset)
    own = {k: cb for k, cb in books.items() if k not in INSTRUMENTS and k != "skm"}
    _OWN_CODEBOOKS.update(own)
    return {**{n: books.get(n, _shipped_codebook(n)) for n in INSTRUMENTS}, **own}


def _constructs(ctx) -> dict:
    """The constructs of the page's dataset (:func:`kinerja_research.analysis.frames.dataset_constructs`; the
    shipped instruments when the context names no dataset); own instruments' names registered for the titles."""
    dataset = getattr(ctx, "dataset", None)
    out = dataset_constructs(dataset)
    own = {c.instrument for c in out.values() if c.instrument not in INSTRUMENTS}
    if own:  # the whole codebook (a construct's is restricted to its items): every dimension keeps its name
        books = frames_codebooks(dataset)
        _OWN_CODEBOOKS.update({n: books[n] for n in own})
    return out


def _present(ctx, tables: Mapping[str, pd.DataFrame], names: Sequence[str]) -> tuple[dict, list[str]]:
    """The dataset's constructs and which of ``names`` the survey holds (every item a column with answers)."""
    constructs = _constructs(ctx)
    if not has_columns(tables, "survey"):
        return constructs, []
    wanted = {n: constructs[n] for n in names if n in constructs}
    return constructs, constructs_present(tables["survey"], wanted)


def instrument_title(name: str, lang: str) -> str:
    """Shown title of an instrument: the translation ``instrument.title.<name>`` when the report has one (shipped
    instruments, in the regulation's and the wording review's terms), else the codebook's own title."""
    t = translator(lang)
    key = f"instrument.title.{name}"
    if key in t:
        return t(key)
    cb = _codebook(name)
    return cb.title_id if lang == "id" else cb.title_en


def dimension_name(name: str, dimension: str, lang: str) -> str:
    """Shown name of a dimension (``total`` included) of an instrument, translation first, then the codebook's."""
    t = translator(lang)
    key = f"instrument.dim.{name}.{dimension}"
    if key in t:
        return t(key)
    return _codebook(name).dimension_name(dimension, lang)


def _survey_instruments(survey: pd.DataFrame, names: Sequence[str] = tuple(INSTRUMENTS), books=None) -> list[str]:
    """The instruments (of ``names``: the shipped ones by default) whose items are columns of the survey with
    answers (``books``: name -> Codebook, default the known codebooks)."""
    out = []
    for name in names:
        try:
            cb = books[name] if books is not None else _codebook(name)
        except KinerjaError:
            continue
        items = [i for i in cb.item_ids if i in survey.columns and survey[i].notna().any()]
        if len(items) == len(cb.item_ids):
            out.append(name)
    return out


def resistance_levels(
    ctx, tables: Mapping[str, pd.DataFrame] | None = None, *, invariance_test: bool = True
) -> Section:
    """Where is resistance to change highest? Regional means of the resistance scale (baseline wave), the Welch
    ANOVA with Games–Howell and Kruskal–Wallis/Dunn comparisons, and whether the comparison is fair (scalar
    invariance of the scale across regions).

    Regions with fewer than ``standards.MIN_REGION_N`` respondents are left out of the comparisons
    (``left_out["regions"]``). Results ``means`` (every dimension and the total), ``welch``, ``games_howell``,
    ``kruskal``, ``invariance``; figure ``means`` on the scale's whole range with its midpoint marked; records
    ``welch_p``, ``highest_region``/``highest_mean``, ``rtc_mean`` per region, ``scalar_invariance``; answers to
    ``resistance`` per region.
    """

    sec = Section()
    # many regions: the scores a batch of regions at a time, never the survey's items (national_rtc; same numbers)
    batched = tables is None and _rtc_batched(ctx)
    if batched:
        constructs = _constructs(ctx)
        got = national_rtc.page_scores(ctx, constructs, SCALE_CONSTRUCTS)
        whole, present = got.frame, got.present if got.frame is not None else []
    else:
        tables = _tables(ctx, tables, section_columns(ctx, ["resistance"]))
        constructs, present = _present(ctx, tables, ["resistance"])
        whole = tables["survey"] if present else None
    if "resistance" not in present:
        sec.missing = ["resistance"]
        return sec
    survey, left = large_enough(whole, min_n=standards.MIN_REGION_N, between=["wave"])
    del whole
    sec.left_out["regions"] = (standards.MIN_REGION_N, left)
    pre_items = survey[survey["wave"] == "pre"]
    if pre_items.empty:
        return sec
    res = constructs["resistance"]
    cb, inst = res.codebook, res.instrument
    several = len(res.dimensions) > 1
    dims = [f"resistance_{d}" for d in cb.dimensions if several] + ["resistance"]
    label = {f"resistance_{d}": dimension_name(inst, d, ctx.lang) for d in cb.dimensions}
    label["resistance"] = (
        dimension_name(inst, "total", ctx.lang)
        if res.dimension is None
        else dimension_name(inst, res.dimension, ctx.lang)
    )
    scores = pre_items if batched else construct_scores(pre_items, constructs, ["resistance"])
    means = region_means(scores, dv=dims, alpha=ctx.alpha)
    sec.results["means"] = means
    total = means[means["term"] == "resistance"].reset_index(drop=True)
    scale = res.limits
    mid = res.midpoint
    sec.tables["means"] = _show(
        means.assign(term=means["term"].map(label)),
        "resistance.means_caption",
        caption={"level": ctx.level},
        ns="resistance",
        drop=["df", "method"],
        labels={"term": "common.col.dimension"},
    )
    t = translator(ctx.lang)
    shown_means, means_notes = national.figure_ends(total, value="estimate", lang=ctx.lang)
    sec.figures["means"] = (
        lambda: plots.plot_means_ci(
            shown_means,
            lang=ctx.lang,
            limits=scale,
            ref=mid,
            ref_label=t("resistance.midpoint", mid=mid),
            xlabel="resistance.axis_total",
        ),
        {
            "caption_key": "resistance.fig_means",
            "caption": {"level": ctx.level, "low": scale[0], "high": scale[1]},
            "notes": means_notes,
        },
    )
    welch_total = None
    n_regions = scores["region_code"].nunique()
    if n_regions > 1:
        welch = welch_anova(scores, dv=dims)
        sec.results["welch"] = welch
        sec.tables["welch"] = _show(
            welch.assign(term=welch["term"].map(label)),
            "resistance.welch_caption",
            ns="resistance",
            drop=["effect_size", "effect_size_name", "method"],
            digits={"eta2": 3, "omega2": 3, "epsilon2": 3},
            labels={"term": "common.col.dimension"},
        )
        welch_total = welch[welch["term"] == "resistance"].iloc[0]
        sec.texts["anova"] = dict(
            key="resistance.anova_text",
            df1=welch_total["df1"],
            df2=welch_total["df2"],
            f=welch_total["statistic"],
            p=welch_total["p"],
            omega2=welch_total["omega2"],
        )
        classic = anova(scores, dv="resistance")
        sec.results["anova"] = classic
        sec.tables["spss_oneway"] = _show(
            spss.oneway_anova(classic, lang=ctx.lang),
            "spss.oneway_caption",
            caption={"model": t("resistance.model_welch")},
            ns="spss",
            digits={"ss": 3, "ms": 3, "f_hitung": 3},
        )
        sec.tables["spss_welch"] = _show(
            spss.welch(welch.assign(term=welch["term"].map(label))),
            "spss.welch_caption",
            caption={"model": t("resistance.model_welch")},
            ns="spss",
            labels={"term": "common.col.dimension"},
            digits={"f_hitung": 3, "f_tabel": 3, "df2": 3},
        )
        gh = games_howell(scores, dv="resistance", alpha=ctx.alpha)
        kd = kruskal_dunn(scores, dv="resistance")
        sec.results["games_howell"] = gh
        sec.results["kruskal"] = kd
        names = {
            "group_a": lambda d: d["group_a"].map(ctx.region_name, na_action="ignore"),
            "group_b": lambda d: d["group_b"].map(ctx.region_name, na_action="ignore"),
        }
        ends = n_regions > national.FIGURE_MAX  # 514 regions: 131,841 pairs; shown: those among the extremes
        gh_shown, kd_shown = (national.pairs_at_the_ends(t_, total) if ends else t_ for t_ in (gh, kd))
        many = {"k": national.PAIRS_ENDS, "m": n_regions} if ends else {}
        sec.tables["games_howell"] = _show(
            gh_shown.assign(**names),
            "resistance.gh_caption_ends" if ends else "resistance.gh_caption",
            compact=True,
            caption={"level": ctx.level, **many},
            ns="resistance",
            drop=["effect_size_name", "method"],
        )
        sec.tables["kruskal"] = _show(
            kd_shown.assign(**names),
            "resistance.kw_caption_ends" if ends else "resistance.kw_caption",
            caption=many,
            compact=("method",),
            ns="resistance",
            drop=["term", "k", "effect_size_name"],
        )
        sec.records.append(dict(key="welch_p", value=welch_total["p"], label_key="resistance.rec.welch_p", spec="p"))
        top = total.sort_values("estimate", ascending=False).iloc[0]
        sec.records.append(
            dict(
                key="highest_region",
                value=ctx.region_name(top["region"]),
                n=int(top["n"]),
                label_key="resistance.rec.highest_region",
            )
        )
        sec.records.append(
            dict(
                key="highest_mean",
                value=top["estimate"],
                n=int(top["n"]),
                label_key="resistance.rec.highest_mean",
                label={"low": scale[0], "high": scale[1]},
                spec=".2f",
                region=str(top["region"]),
            )
        )
        try:
            # a multi-group CFA across hundreds of regions does not fit in memory (parameters per region)
            many = n_regions > national.INTERACTED_MAX
            if batched and invariance_test and not many:  # a few regions kept: their items, read for the CFA
                pre_items = _kept_items(ctx, survey, ["resistance"])
            inv = invariance(pre_items, model=cb, between="region_code") if invariance_test and not many else None
        except (KinerjaError, np.linalg.LinAlgError):
            inv = None
        if inv is not None:
            sec.results["invariance"] = inv
            sec.tables["invariance"] = _show(
                inv.assign(level=[t(f"instrument.level.{x}") for x in inv["term"]])[
                    ["level", "statistic", "df", "p", "cfi", "tli", "rmsea", "srmr", "delta_cfi", "holds", "n"]
                ],
                "resistance.invariance_caption",
                ns="instrument",
                labels={"statistic": "instrument.col.chisq"},
                digits={"cfi": 3, "tli": 3, "rmsea": 3, "srmr": 3, "delta_cfi": 3},
            )
            scalar = inv.set_index("term").loc["scalar"]
            sec.texts["invariance"] = dict(
                key="resistance.invariance_yes" if bool(scalar["holds"]) else "resistance.invariance_no",
                delta_cfi=float(scalar["delta_cfi"]),
            )
            sec.results["scalar"] = pd.DataFrame(
                {"holds": [bool(scalar["holds"])], "delta_cfi": [float(scalar["delta_cfi"])]}
            )
            sec.records.append(
                dict(key="scalar_invariance", value=bool(scalar["holds"]), label_key="resistance.rec.scalar_invariance")
            )
            try:
                latent = latent_means(pre_items, model=cb, between="region_code", alpha=ctx.alpha)
            except (KinerjaError, np.linalg.LinAlgError):
                latent = None
            if latent is not None and len(latent):
                comparable = bool(latent["comparable"].all())
                sec.results["latent_means"] = latent
                sec.texts["latent"] = dict(
                    key="resistance.latent_comparable" if comparable else "resistance.latent_not_comparable"
                )
                if comparable:  # latent means are compared only where (partial) scalar invariance holds
                    sec.tables["latent_means"] = _show(
                        latent.assign(
                            term=latent["term"].map(lambda d: dimension_name(inst, d, ctx.lang)),
                            group_a=latent["group_a"].map(ctx.region_name),
                            group_b=latent["group_b"].map(ctx.region_name),
                        ),
                        "resistance.latent_caption",
                        caption={"level": ctx.level},
                        ns="resistance",
                        compact=True,
                        labels={"term": "common.col.dimension"},
                        drop=["comparable"],  # True on every row shown: this branch is the comparable one
                    )
    sec.records += rtc_records(total, scale=scale)
    holds = bool(sec.results["scalar"]["holds"].iloc[0]) if "scalar" in sec.results else None
    sec.findings = fnd.resistance(
        total, welch=welch_total, scalar_holds=holds, scale=scale, alpha=ctx.alpha, lang=ctx.lang, min_n=ctx.min_n
    )
    sec.answers = fnd.resistance_answers(
        total, welch=welch_total, scale=scale, alpha=ctx.alpha, lang=ctx.lang, min_n=ctx.min_n
    )
    return sec


def _rtc_batched(ctx) -> bool:
    """Whether the resistance page scores the survey a batch of regions at a time: a dataset to read and more than
    ``national.INTERACTED_MAX`` regions (a context without regions, such as a test's, reads its tables)."""
    regions = getattr(ctx, "regions", None) if getattr(ctx, "dataset", None) is not None else None
    return regions is not None and len(regions) > national.INTERACTED_MAX


def _kept_items(ctx, survey: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The pre-wave survey rows (with the items of ``names``) of the regions of ``survey``: on the batched route,
    the rows the in-memory route's ``survey[survey["wave"] == "pre"]`` holds, read for those regions only."""
    kept = sorted(survey["region_code"].astype(str).unique())
    rows = national_rtc.survey_items(ctx.dataset, kept, section_columns(ctx, names)["survey"])
    return rows[rows["wave"] == "pre"]


def resistance_drivers(ctx) -> Section:
    """Why is resistance high? Resistance (after the programme) regressed on age, tenure, grade, training and region
    (HC3 standard errors), and resistance as a predictor of e-Kinerja usability (SUS, linear) and adoption (SUS at
    or above ``standards.SUS_BENCHMARK``, logistic); the correlations of the scale scores. All associations."""

    sec = Section()
    # many regions: the scores a batch of regions at a time, never the survey's items (national_rtc; same numbers)
    batched = _rtc_batched(ctx)
    if batched:
        constructs = _constructs(ctx)
        got = national_rtc.page_scores(ctx, constructs, SCALE_CONSTRUCTS, last=True)  # the page's last read of it
        whole, present = got.frame, got.present
        del got
    else:
        tables = _tables(ctx, None, section_columns(ctx, SCALE_CONSTRUCTS))
        whole = tables["survey"] if has_columns(tables, "survey") else None
    if whole is None or whole.empty:
        sec.missing = ["survey"]
        return sec
    if not batched:
        constructs, present = _present(ctx, tables, list(SCALE_CONSTRUCTS))
    if "resistance" not in present:
        sec.missing = ["resistance"]
        return sec
    survey, left = large_enough(whole, min_n=ctx.min_n, between=["wave"])
    del whole
    sec.left_out["drivers"] = (ctx.min_n, left)
    scores = survey if batched else construct_scores(survey, constructs, present)
    del survey
    post = scores[scores["wave"] == "post"]
    covar = [c for c in ("age", "tenure_years", "golongan_rank", "trained") if has_columns({"s": post}, "s", [c])]
    post, region_covar, national_notes = national.region_effects(post, lang=ctx.lang)
    covar += region_covar
    sec.national["drivers"] = [("common.national_province", v) for v in _note_values(post)] if national_notes else []
    if enough(sec, post, min_n=standards.MIN_REGION_N) and covar:
        drivers = regression(post, dv="resistance", covar=covar, cov_type="HC3", alpha=ctx.alpha)
        sec.results["drivers"] = drivers
        sec.tables["drivers"] = _show(
            drivers[drivers["term"] != "model"][COEFFICIENT_COLUMNS],
            "resistance.drivers_caption",
            compact=True,
            ns="resistance",
        )
    outcome = None
    if sec.too_few is None and "trained" in post.columns and post["trained"].nunique() == 2:
        tt = ttest(
            post.assign(trained=post["trained"].astype(bool)), dv="resistance", between="trained", alpha=ctx.alpha
        )
        t = translator(ctx.lang)
        group = {"True": t("training.group.trained"), "False": t("training.group.untrained")}
        tt = tt.assign(group_a=tt["group_a"].astype(str).map(group), group_b=tt["group_b"].astype(str).map(group))
        sec.results["ttest"] = tt
        sec.tables["ttest"] = _show(
            tt, "resistance.ttest_caption", ns="resistance", compact=("method", "df1", "df2", "df"), keys=["method"]
        )
        sec.tables["spss_ttest"] = _show(
            spss.independent_samples(tt).assign(
                assumption=lambda d: d["assumption"].map(lambda a: t(f"spss.assumption.{a}"))
            ),
            "spss.independent_caption",
            caption={"model": t("resistance.model_ttest")},
            ns="spss",
            digits={"levene_f": 3, "levene_p": 3, "t_hitung": 3, "df": 3, "mean_diff": 3, "se": 3, "ci": 3},
        )
    if "usability" not in present:
        sec.parts["outcome"] = ("common.left_out.construct", {"construct": _construct_name(ctx.lang, "usability")})
    if "usability" in present and sec.too_few is None:
        usable = post.dropna(subset=["usability", "resistance"])
        # adoption (SUS at or above its benchmark) is defined on the SUS 0-100 score only
        sus = constructs["usability"].method == "sus"
        usable = usable.assign(adopt=(usable["usability"] >= standards.SUS_BENCHMARK).astype(float))
        usable, cov, national_notes = national.region_effects(usable, lang=ctx.lang)
        if national_notes:
            sec.national["outcome"] = [("common.national_province", _note_values(usable)[0])]
        outcome = regression(usable, dv="usability", covar=["resistance", *cov], alpha=ctx.alpha)
        sec.results["outcome"] = outcome
        # a dataset's own usability instrument is named with its own title and scale, never as SUS 0-100
        low, high = constructs["usability"].limits
        own = {"construct": instrument_title(constructs["usability"].instrument, ctx.lang), "low": low, "high": high}
        t = translator(ctx.lang)
        _spss_regression(
            sec,
            outcome,
            name="spss_sus",
            model=t("resistance.model_sus") if sus else t("resistance.model_usability_own", **own),
            lang=ctx.lang,
        )
        sec.tables["outcome"] = _show(
            outcome[outcome["term"] != "model"][COEFFICIENT_COLUMNS],
            "resistance.outcome_linear_caption" if sus else "resistance.outcome_linear_caption_own",
            compact=True,
            ns="resistance",
            **({} if sus else {"caption": own}),
        )
        if sus and usable["adopt"].nunique() == 2:
            # the province dummies of a national run: profile intervals of the reported slope only
            adoption = logistic(
                usable,
                dv="adopt",
                covar=["resistance", *cov],
                alpha=ctx.alpha,
                profile=["resistance"] if national_notes else None,
            )
            sec.results["logistic"] = adoption
            odds = adoption[adoption["term"] == "resistance"]
            if len(odds):
                sec.texts["odds"] = dict(key="resistance.outcome_text", or_=float(odds.iloc[0]["effect_size"]))
            sec.tables["logistic"] = _show(
                adoption[["term", "estimate", "se", "ci_low", "ci_high", "statistic", "p", "effect_size", "n"]],
                "resistance.outcome_logistic_caption",
                compact=True,
                caption={"cutoff": standards.SUS_BENCHMARK},
                ns="resistance",
                labels={"effect_size": "resistance.col.odds_ratio"},
            )
            model = {"model": translator(ctx.lang)("resistance.model_adopt", cutoff=standards.SUS_BENCHMARK)}
            sec.tables["logistic_fit"] = _show(
                spss.logistic_summary(adoption),
                "spss.logistic_summary_caption",
                caption=model,
                ns="spss",
                digits={"neg2ll": 3, "cox_snell_r2": 3, "nagelkerke_r2": 3, "chisq": 3, "hl_chisq": 3},
            )
            sec.tables["spss_logistic"] = _show(
                spss.variables_in_equation(adoption),
                "spss.variables_caption",
                caption=model,
                ns="spss",
                digits={"b": 3, "se": 3, "wald": 3, "exp_b": 3, "or_ci_low": 3, "or_ci_high": 3},
            )
        slope = outcome[outcome["term"] == "resistance"]
        if len(slope):
            label = (
                {"label_key": "resistance.rec.sus_slope"}
                if sus
                else {
                    "label_key": "resistance.rec.usability_slope_own",
                    "label": {"construct": own["construct"]},
                }
            )
            sec.records.append(dict(key="sus_slope", value=slope.iloc[0]["estimate"], spec=".2f", **label))
    names = [n for n in present]
    corr = scores[names].corr()  # Pearson, pairwise complete
    if len(names) > 1 and sec.too_few is None:
        labels = {n: instrument_title(constructs[n].instrument, ctx.lang) for n in names}
        sec.results["correlations"] = corr
        sec.figures["correlations"] = (
            lambda: plots.plot_correlations(corr, labels=labels, lang=ctx.lang),
            {"caption_key": "resistance.fig_correlations"},
        )
    if "drivers" in sec.results:
        trained = sec.results["drivers"][sec.results["drivers"]["term"] == TRAINED_TERM]
        if len(trained):
            sec.records.append(
                dict(
                    key="trained_effect",
                    value=trained.iloc[0]["estimate"],
                    label_key="resistance.rec.trained_effect",
                    spec=".2f",
                )
            )
    sec.findings = fnd.resistance(
        pd.DataFrame(columns=["region", "estimate", "ci_low", "ci_high", "n"]),
        drivers=sec.results.get("drivers"),
        outcome=outcome if "usability" in present and constructs["usability"].method == "sus" else None,
        scale=constructs["resistance"].limits,
        alpha=ctx.alpha,
        lang=ctx.lang,
        min_n=ctx.min_n,
    )
    return sec


# -------------------------------------------------------------------------------------------------------- rewards
#: Predictors of the rewards model: perceived reward and sanction, work motivation and perceived training.
REWARD_PREDICTORS = ("reward", "sanction", "motivation", "training")
#: Bootstrap resamples of the mediation's indirect effect.
MEDIATION_N_BOOT = 5000


def _baseline(tables: Mapping[str, pd.DataFrame], names: Sequence[str], constructs: Mapping) -> pd.DataFrame | None:
    """Person rows of the wave before the programme, with the scores of the constructs ``names`` and the capaian of
    the linked period."""

    if not (has_columns(tables, "survey") and has_columns(tables, "performance") and has_columns(tables, "training")):
        return None
    try:
        frame = survey_frame(tables, list(names), constructs=constructs)
    except KinerjaError:
        return None
    return frame[frame["wave"] == "pre"].reset_index(drop=True)


def _rewards_batched(ctx, tables) -> bool:
    """Whether the rewards page reads a batch of regions at a time (:mod:`kinerja_research.report.national_rewards`):
    tables not given, a dataset, more than ``national.INTERACTED_MAX`` regions."""
    regions = getattr(ctx, "regions", None) or ()  # a context without regions (a test's): the in-memory route
    return tables is None and getattr(ctx, "dataset", None) is not None and len(regions) > national.INTERACTED_MAX


def rewards_model(ctx) -> Section:
    """Do rewards and sanctions work? Capaian regressed on perceived reward, sanction, motivation and training before
    the programme (OLS with the thesis tables and the classical-assumption tests; HC3 next to it), moderation of
    the reward slope by region, mediation reward → motivation → capaian, and the SKP predicate (recomputed from the
    two ratings; ordinal logit on the scales). A survey at one time: associations, not effects."""

    sec = Section()
    batched = _rewards_batched(ctx, None)
    if batched:  # many regions: the survey's items and the baseline a batch of regions at a time
        tables = None
        constructs = _constructs(ctx)
        present = national_training.survey_present(ctx.dataset, ctx.regions, constructs, REWARD_PREDICTORS)
    else:
        columns = section_columns(ctx, REWARD_PREDICTORS, performance=PERFORMANCE_PANEL + SKP_RATINGS)
        tables = _tables(ctx, None, columns)
        constructs, present = _present(ctx, tables, REWARD_PREDICTORS)
    predictors = [p for p in REWARD_PREDICTORS if p in present]
    if "reward" not in predictors:
        sec.missing = ["reward"]
        return sec
    if batched:
        base = national_rewards.baseline_frame(
            ctx.dataset, ctx.regions, constructs=constructs, predictors=predictors, skp=True
        )
        baseline = base.frame
    else:
        baseline = _baseline(tables, predictors, constructs)
    if baseline is None:
        sec.missing = ["performance"]
        return sec
    if not enough(sec, baseline.dropna(subset=["capaian_pct"]), min_n=standards.MIN_REGION_N):
        return sec
    reg = regression(baseline, dv="capaian_pct", covar=predictors, alpha=ctx.alpha)
    robust = regression(baseline, dv="capaian_pct", covar=predictors, cov_type="HC3", alpha=ctx.alpha)
    sec.results["regression"] = reg
    sec.results["robust"] = robust
    model = reg[reg["term"] == "model"].iloc[0]
    sec.results["model"] = reg[reg["term"] == "model"].reset_index(drop=True)
    sec.texts["model"] = dict(
        key="rewards.regression_text",
        r2=model["r2"],
        adj_r2=model["adj_r2"],
        df1=model["df1"],
        df2=model["df2"],
        f=model["statistic"],
        p=model["p"],
    )
    _spss_regression(sec, reg, name="spss", model=translator(ctx.lang)("rewards.model_name"), lang=ctx.lang)
    sec.tables["regression"] = _show(
        reg[reg["term"] != "model"][
            ["term", "estimate", "se", "effect_size", "statistic", "df", "p", "tolerance", "vif", "n"]
        ],
        "rewards.regression_caption",
        ns="rewards",
        labels={"estimate": "rewards.col.b", "effect_size": "rewards.col.beta", "statistic": "rewards.col.t"},
    )
    coefs = reg[~reg["term"].isin(["model", "(Intercept)"])]
    modern = robust[~robust["term"].isin(["model", "(Intercept)"])][
        ["term", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "p", "partial_eta2", "n"]
    ]
    sec.tables["modern"] = _show(modern, "rewards.modern_caption", compact=True, ns="rewards")
    sec.tables["assumptions"] = _show(reg.assumptions, "rewards.assumptions_caption", ns="rewards")
    t = translator(ctx.lang)
    term_labels = {term: t(f"vocab.term.{term}") for term in coefs["term"] if f"vocab.term.{term}" in t}
    sec.figures["coefficients"] = (
        lambda: plots.plot_forest(
            coefs.assign(n=model["n"]),
            label="term",
            labels=term_labels,
            lang=ctx.lang,
            xlabel="rewards.axis_b",
        ),
        {"caption_key": "rewards.fig_coefficients", "caption": {"level": ctx.level}},
    )
    sec.records.append(dict(key="adj_r2", value=model["adj_r2"], label_key="rewards.headline_adj_r2", spec=".3f"))
    moderated, left = large_enough(baseline, min_n=standards.MIN_REGION_N)
    sec.left_out["moderation"] = (standards.MIN_REGION_N, left)
    mod = None
    if moderated["region_code"].nunique() > 1:
        # above INTERACTED_MAX regions the slope is moderated by province (a slope per region over every respondent
        # does not fit in memory at national scale), said on the page
        moderated, by, national_notes = national.region_effects(moderated, lang=ctx.lang)
        if national_notes:
            sec.national["moderation"] = [("rewards.moderation_national", _note_values(moderated)[0])]
        mod = moderation(
            moderated,
            dv="capaian_pct",
            x="reward",
            moderator=by[0],
            covar=[p for p in predictors if p != "reward"],
            alpha=ctx.alpha,
        )
        sec.results["moderation"] = mod
        inter = mod[mod["term"].astype(str).str.contains(":") & mod["df1"].notna()]
        if len(inter):
            i = inter.iloc[0]
            sec.texts["moderation"] = dict(
                key="rewards.moderation_text", df1=i["df1"], df2=i["df2"], f=i["statistic"], p=i["p"]
            )
        sec.tables["moderation"] = _show(
            mod[mod["method"] == "simple slope"], "rewards.moderation_caption", compact=True, ns="rewards"
        )
    med = None
    if "motivation" not in predictors:
        sec.parts["mediation"] = ("common.left_out.construct", {"construct": _construct_name(ctx.lang, "motivation")})
    if "motivation" in predictors:
        med = mediation(
            baseline,
            dv="capaian_pct",
            x="reward",
            mediator="motivation",
            n_boot=MEDIATION_N_BOOT,
            seed=ctx.seed,
            alpha=ctx.alpha,
        )
        sec.results["mediation"] = med
        sec.tables["mediation"] = _show(med, "rewards.mediation_caption", compact=True, ns="rewards")
        indirect = med[med["term"] == "indirect"].iloc[0]
        sec.texts["mediation"] = dict(
            key="rewards.mediation_text",
            indirect=indirect["estimate"],
            ci=format_ci(indirect["ci_low"], indirect["ci_high"], 3, ctx.lang),
            level=ctx.level,
            n_boot=MEDIATION_N_BOOT,
        )
        sec.records += _interval_records(
            "indirect_effect", indirect, "rewards.headline_indirect", level=ctx.level, spec=".3f"
        )
    if batched:  # counted a batch of regions at a time (whole numbers: the same share)
        ratings, n_rated = base.ratings, base.rated
        agree = base.agree / base.rated if base.rated else None
    else:
        perf = tables["performance"]
        ratings = {"rating_hasil_kerja", "rating_perilaku", "predikat"} <= set(perf.columns)
        rated = perf.dropna(subset=["rating_hasil_kerja", "rating_perilaku", "predikat"]) if ratings else perf[:0]
        n_rated = len(rated)
        if n_rated:
            recomputed = skp_predicate(rated["rating_hasil_kerja"], rated["rating_perilaku"])
            agree = float((recomputed == rated["predikat"]).mean())
    if not ratings:
        sec.parts["skp"] = ("common.left_out.columns", {"columns": "rating_hasil_kerja, rating_perilaku, predikat"})
    if ratings:
        if n_rated:
            sec.results["skp_agreement"] = pd.DataFrame({"agreement": [agree], "n": [n_rated]})
            sec.texts["skp"] = dict(key="rewards.skp_text", agree=agree)
            sec.records.append(
                dict(key="skp_predicate_agreement", value=agree, label_key="rewards.headline_skp_agree", spec="pct")
            )
        with_pred = baseline.dropna(subset=["predikat"])
        if len(with_pred):
            order = [p for p in standards.PREDICATES if p in set(with_pred["predikat"])]
            counts = pd.crosstab(with_pred["region_code"].astype(str), with_pred["predikat"]).reindex(columns=order)
            counts.index.name = "region"
            sec.results["predikat_counts"] = counts
            sec.tables["predikat_counts"] = {
                "df": counts,
                "kind": "counts",
                "caption_key": "rewards.skp_caption",
                "ns": "rewards",
            }
            if len(order) > 2:
                ordinal = ordinal_logit(
                    with_pred,
                    dv="predikat",
                    covar=[p for p in ("reward", "sanction", "motivation") if p in predictors],
                    alpha=ctx.alpha,
                )
                sec.results["ordinal"] = ordinal
                sec.tables["ordinal"] = _show(ordinal, "rewards.ordinal_caption", compact=True, ns="rewards")
    sec.findings = fnd.rewards(reg, mediation=med, moderation=mod, alpha=ctx.alpha, lang=ctx.lang)
    return sec


def rewards_by_region(ctx, tables: Mapping[str, pd.DataFrame] | None = None) -> Section:
    """Per region (at least ``standards.MIN_REGION_N`` people): capaian regressed on perceived reward, sanction and
    motivation before the programme; the reward row per region is the region's answer to "do rewards and sanctions
    work?" (an association). Result ``by_region`` (one row per region and term)."""

    sec = Section()
    batched = _rewards_batched(ctx, tables)
    if batched:  # many regions: a batch of regions at a time
        constructs = _constructs(ctx)
        present = national_training.survey_present(ctx.dataset, ctx.regions, constructs, REWARD_PREDICTORS[:3])
    else:
        tables = _tables(ctx, tables, section_columns(ctx, REWARD_PREDICTORS))
        constructs, present = _present(ctx, tables, ("reward", "sanction", "motivation"))
    predictors = [p for p in ("reward", "sanction", "motivation") if p in present]
    if "reward" not in predictors:
        sec.missing = ["reward"]
        return sec
    if batched:
        baseline = national_rewards.baseline_frame(
            ctx.dataset, ctx.regions, constructs=constructs, predictors=predictors
        ).frame
    else:
        baseline = _baseline(tables, predictors, constructs)
    if baseline is None:
        sec.missing = ["performance"]
        return sec
    frame, left = large_enough(baseline.dropna(subset=["capaian_pct"]), min_n=standards.MIN_REGION_N)
    sec.left_out["by_region"] = (standards.MIN_REGION_N, left)
    parts = []
    for code, sub in frame.groupby(frame["region_code"].astype(str)):
        res = pd.DataFrame(regression(sub, dv="capaian_pct", covar=predictors, alpha=ctx.alpha))
        parts.append(res.assign(region=code, n_people=sub["person_id"].nunique()))
    if not parts:
        return sec
    by_region = pd.concat(parts, ignore_index=True)
    sec.results["by_region"] = by_region
    sec.answers = fnd.rewards_answers(by_region, alpha=ctx.alpha, lang=ctx.lang)
    return sec


# --------------------------------------------------------------------------------------------------- satisfaction
#: Bootstrap resamples of respondents behind every IKM interval.
IKM_N_BOOT = 2000
#: With many regions, the unsur figure draws the bars of this many regions of highest and of lowest IKM.
ELEMENT_ENDS = 3
#: The IKM's unsur in the regulation's order (PermenPANRB 14/2017).
ELEMENTS = tuple(f"U{i}" for i in range(1, 10))


#: The satisfaction columns the IKM sections read: not the respondent's id, dates or profile (at scale 10 the table
#: is 2.4 M rows; its 21 columns, eight of them text, held whole were most of page 05's kernel).
SATISFACTION_COLUMNS = ("region_code", "service_unit", "period", *ELEMENTS)


def _satisfaction_columns(ctx) -> dict[str, list[str] | None]:
    return {**section_columns(ctx), "satisfaction": list(SATISFACTION_COLUMNS)}


def _ikm_bands() -> dict:
    return dict(standards.IKM_BANDS)


def ikm_bands_table(lang: str) -> pd.DataFrame:
    """The mutu bands of the IKM as the regulation tabulates them (from ``standards.IKM_BANDS``): ``mutu``,
    ``low``, ``high``, ``kinerja`` (in the report language)."""
    return pd.DataFrame(
        [
            {
                "mutu": b.mutu,
                "low": b.low,
                "high": b.high,
                "kinerja": b.kinerja if lang == "id" else f"{b.kinerja} ({b.kinerja_en})",
            }
            for b in standards.IKM_BANDS.values()
        ]
    )


def element_names(lang: str) -> dict[str, str]:
    """Shown names of the nine unsur: the regulation's names (``satisfaction.element.U<i>``)."""
    t = translator(lang)
    return {e: t(f"satisfaction.element.{e}") for e in ELEMENTS}


def satisfaction_ikm(ctx, tables: Mapping[str, pd.DataFrame] | None = None) -> Section:
    """How satisfied is the public? IKM per region with its bootstrap interval against the mutu bands, the element
    scores (weakest element, elements below mutu B) and the quarterly trend.

    Results ``ikm``, ``elements``, ``trend``; figures ``ikm`` (the mutu bands shaded, so an interval crossing a
    limit is seen as such) and ``elements`` (bars from zero with the lower limit of mutu B); records ``ikm`` and
    ``mutu`` per region.
    """

    tables = _tables(ctx, tables, _satisfaction_columns(ctx))
    sec = Section()
    if not has_columns(tables, "satisfaction", list(ELEMENTS)):
        sec.missing = ["satisfaction"]
        return sec
    sat = tables["satisfaction"]
    by_region = ikm_by_region(sat, alpha=ctx.alpha, seed=ctx.seed)
    sec.results["ikm"] = by_region
    sec.tables["bands"] = _show(
        ikm_bands_table(ctx.lang), "satisfaction.bands_caption", kind="table", ns="satisfaction"
    )
    sec.texts["bootstrap"] = dict(key="satisfaction.bootstrap_text", n_boot=IKM_N_BOOT, seed=ctx.seed)
    bands = _ikm_bands()
    sec.tables["ikm"] = _show(
        by_region[["region", "ikm", "ci_low", "ci_high", "mutu", "kinerja", "nrr_tertimbang", "n"]],
        "satisfaction.region_caption",
        caption={"level": ctx.level, "n_boot": IKM_N_BOOT},
        ns="satisfaction",
    )
    shown_bands = {k: (b.low, b.high) for k, b in bands.items()}
    low = min(float(by_region["ci_low"].min()), standards.IKM_GOOD_MIN) if len(by_region) else 0.0
    limits = (max(bands["D"].low, np.floor(low / 5) * 5 - 5), bands["A"].high)
    ikm_rows, ikm_notes = national.figure_ends(by_region, value="ikm", lang=ctx.lang)
    sec.figures["ikm"] = (
        lambda: plots.plot_means_ci(
            ikm_rows.assign(estimate=ikm_rows["ikm"]),
            lang=ctx.lang,
            bands={k: v for k, v in shown_bands.items() if v[1] >= limits[0]},
            limits=limits,
            xlabel="satisfaction.col.ikm",
        ),
        {"caption_key": "satisfaction.fig_ikm", "caption": {"level": ctx.level}, "notes": ikm_notes},
    )
    names = element_names(ctx.lang)
    elements = ikm_elements(sat, between="region_code", alpha=ctx.alpha)
    sec.results["elements"] = elements
    shown = elements[~(elements["n"] < ctx.min_n)]
    flagged = shown[shown["weakest"] | shown["below_b"]].reset_index(drop=True)
    shown_flagged = flagged.assign(term=flagged["term"].map(names))
    sec.tables["elements"] = _show(
        shown_flagged[["region", "term", "score", "mutu", "rank", "weakest", "below_b", "n"]],
        "satisfaction.elements_caption",
        ns="satisfaction",
        labels={"term": "satisfaction.col.element"},
        digits={"score": 2},
        detail=shown_flagged.drop(columns=["se", "method", "nrr_tertimbang", "ci_level"], errors="ignore"),
    )
    region_colours = {
        ctx.region_name(c): colour for c, colour in plots.region_palette(list(by_region["region"])).items()
    }
    t = translator(ctx.lang)
    # one bar per element and region: with many regions, those of the highest and lowest IKM
    ends, elements_notes = national.figure_ends(by_region, value="ikm", lang=ctx.lang, k=ELEMENT_ENDS)
    drawn = elements[elements["region"].astype(str).isin(ends["region"].astype(str))]
    sec.figures["elements"] = (
        lambda: plots.plot_bars(
            drawn.assign(element=drawn["term"].map(names), region_name=drawn["region"].map(ctx.region_name)),
            x="score",
            y="element",
            hue="region_name",
            n_col="n",
            palette=region_colours,
            lang=ctx.lang,
            xlabel="satisfaction.col.score",
            ref=standards.IKM_GOOD_MIN,
            ref_label=t("satisfaction.b_limit", limit=standards.IKM_GOOD_MIN),
            limits=(0, bands["A"].high),
        ),
        {
            "caption_key": "satisfaction.fig_elements",
            "caption": {"limit": standards.IKM_GOOD_MIN},
            "notes": elements_notes,
        },
    )
    trend = None
    if sat["period"].nunique() > 2:
        trend = ikm_trend(sat, between="region_code", alpha=ctx.alpha)
        sec.results["trend"] = trend
    sec.records += ikm_records(by_region, level=ctx.level)
    sec.findings = fnd.satisfaction(
        by_region,
        bands=bands,
        elements=elements,
        trend=trend,
        element_names=names,
        alpha=ctx.alpha,
        lang=ctx.lang,
        min_n=ctx.min_n,
    )
    sec.answers = fnd.satisfaction_answers(by_region, bands=bands, alpha=ctx.alpha, lang=ctx.lang)
    return sec


def satisfaction_details(ctx) -> Section:
    """IKM per service unit and per period (quarters and semesters as "Triwulan I 2026" / "Q1 2026"), and the
    linear trend per quarter."""

    tables = _tables(ctx, None, _satisfaction_columns(ctx))
    sec = Section()
    if not has_columns(tables, "satisfaction", list(ELEMENTS)):
        sec.missing = ["satisfaction"]
        return sec
    sat = tables["satisfaction"]
    sec.parts["units"] = ("common.left_out.columns", {"columns": "service_unit"})
    if "service_unit" in sat.columns and sat["service_unit"].notna().any():
        by_unit = ikm(sat, between=["region_code", "service_unit"], alpha=ctx.alpha, n_boot=IKM_N_BOOT, seed=ctx.seed)
        sec.results["units"] = by_unit
        sec.tables["units"] = _show(
            by_unit[["region", "service_unit", "ikm", "ci_low", "ci_high", "mutu", "kinerja", "n"]],
            "satisfaction.unit_caption",
            caption={"level": ctx.level},
            ns="satisfaction",
        )
    if "period" in sat.columns and sat["period"].notna().any():
        for how in ("quarter", "semester"):
            by_period = ikm(sat, between="region_code", period=how, alpha=ctx.alpha, n_boot=IKM_N_BOOT, seed=ctx.seed)
            sec.results[f"period_{how}"] = by_period
            shown = by_period.assign(period=by_period["period"].map(lambda p: period_label(p, ctx.lang)))
            sec.tables[f"period_{how}"] = _show(
                shown[["region", "period", "ikm", "ci_low", "ci_high", "mutu", "kinerja", "n"]],
                f"satisfaction.period_caption_{how}",
                caption={"level": ctx.level},
                ns="satisfaction",
            )
        if sat["period"].nunique() > 2:
            trend = ikm_trend(sat, between="region_code", alpha=ctx.alpha)
            sec.results["trend"] = trend
            sec.tables["trend"] = _show(
                trend, "satisfaction.trend_caption", compact=True, ns="satisfaction", drop=["term", "method"]
            )
    return sec


# ----------------------------------------------------------------------------------------------------- comparison
def _resistance_by_region(ctx, tables, post: pd.DataFrame | None = None) -> pd.DataFrame:
    """Trained − untrained resistance after the programme per region (adjusted for age, tenure and grade); from
    ``post`` when given (the post-wave resistance scores, read a batch of regions at a time:
    :func:`kinerja_research.report.national_overview.post_scores`), else from ``tables["survey"]``."""

    if post is None:
        constructs, present = _present(ctx, tables, ["resistance"])
        if "resistance" not in present:
            return pd.DataFrame()
        scores = construct_scores(tables["survey"], constructs, ["resistance"])
        post = scores[scores["wave"] == "post"]
    post, _ = large_enough(post, min_n=ctx.min_n, between=["trained"])
    covar = [c for c in ("age", "tenure_years", "golongan_rank") if has_columns({"s": post}, "s", [c])] + ["trained"]
    parts = []
    for code, sub in post.groupby(post["region_code"].astype(str)):
        res = regression(sub, dv="resistance", covar=covar, cov_type="HC3", alpha=ctx.alpha)
        parts.append(res[res["term"] == TRAINED_TERM].assign(region=code, n_people=sub["person_id"].nunique()))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def comparison(ctx) -> Section:
    """How do regions compare? One headline estimate per theme and region (training DiD, trained − untrained
    resistance, capaian per point of perceived reward, IKM trend per quarter) with Holm's correction over the whole
    family, and the regions' levels (resistance mean and IKM with its interval)."""

    sec = Section()
    # the satisfaction table only with the columns of the trend and of satisfaction_ikm below (one read serves both)
    tables = _tables(ctx, None, {**section_columns(ctx, ["resistance"]), "satisfaction": list(SATISFACTION_COLUMNS)})
    parts: dict[str, pd.DataFrame] = {}
    training = training_effect(ctx)
    sec.left_out.update({f"training_{k}": v for k, v in training.left_out.items()})
    if "did" in training.results:
        did = training.results["did"]
        parts["training"] = did[did["region"].notna() & (did["term"] == "trained:post")]
    if getattr(ctx, "dataset", None) is not None and len(ctx.regions) > national.INTERACTED_MAX:
        # many regions: the post-wave scores built a batch of regions at a time, only the model's columns kept
        post = national_overview.post_scores(
            ctx.dataset, ctx.regions, _constructs(ctx), score=lambda s, c: construct_scores(s, c, ["resistance"])
        )
        resistance = pd.DataFrame() if post is None else _resistance_by_region(ctx, None, post)
    else:
        resistance = _resistance_by_region(ctx, tables)
    if len(resistance):
        parts["resistance"] = resistance.assign(n=resistance["n_people"])
    rewards = rewards_by_region(ctx)
    sec.left_out.update({f"rewards_{k}": v for k, v in rewards.left_out.items()})
    if "by_region" in rewards.results:
        r = rewards.results["by_region"]
        parts["rewards"] = r[r["term"] == "reward"].assign(n=lambda d: d["n_people"])
    if has_columns(tables, "satisfaction", list(ELEMENTS)) and tables["satisfaction"]["period"].nunique() > 2:
        parts["satisfaction"] = ikm_trend(tables["satisfaction"], between="region_code", alpha=ctx.alpha)
    if not parts:
        sec.missing = ["performance"]
        return sec
    family = region_family(parts)
    sec.results["family"] = family
    m = len(family)
    t = translator(ctx.lang)
    titles = {th: t(f"comparison.theme.{th}") for th in ("training", "resistance", "rewards", "satisfaction")}
    shown = ["theme", "region", "estimate", "se", "ci_low", "ci_high", "p", "p_adj", "n"]
    sec.tables["family"] = _show(
        family.assign(theme=family["theme"].map(titles))[shown],
        "comparison.table_caption",
        caption={"m": m, "level": ctx.level},
        ns="comparison",
    )
    ends = [national.figure_ends(f, value="estimate", lang=ctx.lang) for _, f in family.groupby("theme", sort=False)]
    drawn = pd.concat([rows for rows, _ in ends]) if ends else family
    sec.figures["forest"] = (
        lambda: plots.forest_panels(drawn, panel="theme", titles=titles, lang=ctx.lang),
        {
            "caption_key": "comparison.fig_forest",
            "caption": {"level": ctx.level},
            "notes": list(dict.fromkeys(n for _, notes in ends for n in notes)),
        },
    )
    k = int((family["p_adj"] < ctx.alpha).sum())
    sec.results["summary"] = pd.DataFrame({"k": [k], "m": [m]})
    sec.texts["summary"] = dict(key="comparison.summary_text", k=k, m=m, alpha=ctx.alpha)
    sec.records += [
        dict(key="n_significant", value=k, label_key="comparison.rec.n_significant", spec="n"),
        dict(key="family_size", value=m, label_key="comparison.rec.family_size", spec="n"),
    ]
    levels = []
    res_levels = resistance_levels(ctx)
    if "means" in res_levels.results:
        m_ = res_levels.results["means"]
        levels.append(
            m_[m_["term"] == "resistance"][["region", "estimate", "n"]].rename(columns={"estimate": "rtc_mean"})
        )
    sat = satisfaction_ikm(ctx)
    if "ikm" in sat.results:
        i_ = sat.results["ikm"][["region", "ikm", "ci_low", "ci_high", "mutu", "n"]].rename(columns={"n": "n_public"})
        levels.append(i_)
    if levels:
        table = levels[0]
        for other in levels[1:]:
            table = table.merge(other, on="region", how="outer")
        sec.results["levels"] = table
        counts = table[[c for c in ("n", "n_public") if c in table.columns]]
        # a row is about the survey respondents and the public respondents of a region: it is withheld when either
        # group is small, so the smaller count decides (a region absent from one analysis has no count there)
        shown = table.drop(columns=counts.columns).assign(n_people=counts.min(axis=1, skipna=True))
        sec.tables["levels"] = _show(
            shown, "comparison.levels_caption", caption={"level": ctx.level}, ns="comparison", n_col="n_people"
        )
    if "scalar" in res_levels.results:
        sec.results["scalar"] = res_levels.results["scalar"]
    if "invariance" in res_levels.texts:
        sec.texts["invariance"] = res_levels.texts["invariance"]
    sec.findings = fnd.comparison(family, alpha=ctx.alpha, lang=ctx.lang, min_n=ctx.min_n)
    sec.answers = fnd.comparison_answers(family, alpha=ctx.alpha, lang=ctx.lang)
    return sec


# ---------------------------------------------------------------------------------------------------------- audit
#: Age groups of the respondent-characteristics table (years, left-closed), as BKD statistics group ASN.
AGE_GROUPS = (18, 30, 40, 50, 60, 100)
#: Tenure groups (years of service).
TENURE_GROUPS = (0, 5, 10, 20, 30, 60)


def _grouped(values: pd.Series, edges: Sequence[int]) -> pd.Series:
    labels = [f"{a}–{b - 1}" for a, b in zip(edges[:-1], edges[1:])]
    return pd.cut(pd.to_numeric(values, errors="coerce"), bins=list(edges), right=False, labels=labels)


def respondent_characteristics(survey: pd.DataFrame, *, lang: str, min_n: int) -> pd.DataFrame:
    """The thesis table of respondent characteristics: people per category of gender, age group, education,
    golongan group, tenure group and employment (each person once, their first wave).

    Returns
    -------
    pandas.DataFrame
        ``variable`` (translated characteristic), ``category``, ``count`` (people) and ``percent`` (of the
        respondents; left empty where the count is below ``min_n``, so the percentage cannot reveal a suppressed
        count).
    """
    people = _first_rows(survey)
    return _characteristics_table(_characteristics(people, lang=lang), len(people), lang=lang, min_n=min_n)


def _first_rows(survey: pd.DataFrame) -> pd.DataFrame:
    """Each person's row of their first wave (the survey sorted by wave; one row per ``person_id``)."""
    return survey.sort_values("wave").drop_duplicates("person_id")


def _characteristics(people: pd.DataFrame, *, lang: str) -> dict[str, pd.Series | None]:
    """Per characteristic, each person's category (gender translated, age and tenure grouped, golongan group);
    None where the survey has no such column."""
    t = translator(lang)
    return {
        "gender": people["gender"].map(lambda g: t(f"common.gender.{g}") if f"common.gender.{g}" in t else g)
        if "gender" in people.columns
        else None,
        "age": _grouped(people["age"], AGE_GROUPS) if "age" in people.columns else None,
        "education": people["education"] if "education" in people.columns else None,
        "golongan": people["golongan"].astype("string").str.split("/").str[0] if "golongan" in people.columns else None,
        "tenure_years": _grouped(people["tenure_years"], TENURE_GROUPS) if "tenure_years" in people.columns else None,
        "employment": people["employment"] if "employment" in people.columns else None,
    }


def _characteristics_table(pieces: Mapping[str, pd.Series | None], total: int, *, lang: str, min_n: int):
    """The characteristics table from each person's categories (:func:`_characteristics`) and the number of people."""
    t = translator(lang)
    rows = []
    other = t("audit.category_other", min_n=min_n)
    for var, values in pieces.items():
        if values is None or values.isna().all():
            continue
        counts = values.astype("string").fillna(t("common.missing")).value_counts(sort=False).sort_index()
        counts = _coarsen(counts, min_n=min_n, other=other)
        for category, k in counts.items():
            rows.append(
                {
                    "variable": t(f"vocab.term.{var}"),
                    "category": str(category),
                    "count": int(k),
                    "percent": 100 * k / total,
                }
            )
    return pd.DataFrame(rows, columns=["variable", "category", "count", "percent"])


def _coarsen(counts: pd.Series, *, min_n: int, other: str) -> pd.Series:
    """Categories of fewer than ``min_n`` people pooled into ``other`` (with the smallest further categories until
    the pool holds ``min_n``), so no shown count is small and none can be worked out from the total. A variable
    whose pool cannot reach ``min_n`` without taking every category is left out (an empty series).

    >>> _coarsen(pd.Series({"S1": 40, "S2": 9, "D3": 2, "S3": 1}), min_n=5, other="lain").to_dict()
    {'S1': 40, 'lain': 12}
    >>> _coarsen(pd.Series({"S1": 40, "S2": 9, "D3": 4, "S3": 1}), min_n=5, other="lain").to_dict()
    {'S1': 40, 'S2': 9, 'lain': 5}
    >>> len(_coarsen(pd.Series({"S1": 40, "S3": 2}), min_n=5, other="lain"))
    0
    """
    small = counts[counts < min_n]
    if small.empty:
        return counts
    keep = counts[counts >= min_n].sort_values(kind="stable")
    pooled = int(small.sum())
    while pooled < min_n and len(keep) > 1:
        pooled += int(keep.iloc[0])
        keep = keep.iloc[1:]
    if pooled < min_n:
        return counts.iloc[:0]
    out = counts[counts.index.isin(keep.index)]
    return pd.concat([out, pd.Series({other: pooled})])


def audit(ctx) -> Section:
    """What do the data hold, and what was wrong with them? Rows per table, problems per rule and region, missing
    answers, duplicates, response times, sample sizes and the respondents' characteristics.

    Above ``national.INTERACTED_MAX`` regions the survey and the people per region are read a batch of regions at a
    time (:func:`kinerja_research.report.national_overview.audit_parts`; the same tables, tested), never the
    country's survey at once."""

    sec = Section()
    manifest = load_manifest(ctx.dataset)
    problems = validation_counts(ctx.dataset, ctx.regions)  # counted in batches, not held
    counts = clean.table_counts(manifest)
    sec.results["counts"] = counts
    sec.texts["intro"] = dict(key="audit.intro", dataset=manifest.get("dataset") or str(ctx.dataset))
    sec.tables["counts"] = _show(counts, "audit.cap_counts", kind="table", ns="audit")
    by_rule, by_region = summarise_problems(problems, lang=ctx.lang, weight="n")
    sec.results["by_rule"] = by_rule
    sec.tables["by_rule"] = _show(by_rule, "audit.cap_rules", kind="table", ns="audit")
    parts = _audit_parts(ctx, manifest)
    by_region = by_region.reset_index()
    if parts.n_people is not None:
        by_region = by_region.assign(n_people=by_region["region_code"].astype(str).map(parts.n_people))
        sec.tables["by_region"] = _show(by_region, "audit.cap_regions", kind="table", ns="audit", n_col="n_people")
    dup = (problems["rule"] == "duplicate_submission") & (problems["severity"] == "error")
    n_duplicates = int(problems.loc[dup.fillna(False).to_numpy(dtype=bool), "n"].sum())
    sec.results["duplicates"] = pd.DataFrame({"n": [n_duplicates]})
    sec.texts["duplicates"] = dict(key="audit.duplicates_text", n=n_duplicates, keep=())
    sec.records += [
        dict(key="problems", value=int(problems["n"].sum()), label_key="audit.headline_problems", spec="n"),
        dict(
            key="quarantined",
            value=int(counts["rows_quarantined"].sum()),
            count={"measure": "rows_quarantined"},
            label_key="audit.headline_quarantined",
            spec="n",
        ),
        dict(
            key="duplicates",
            value=n_duplicates,
            count={"rule": "duplicate_submission"},
            label_key="audit.headline_duplicates",
            spec="n",
        ),
    ]
    if parts.has_survey:
        sec.tables["missing"] = _show(
            parts.missing, "audit.cap_missing", kind="table", ns="audit", digits={"pct_missing": 1}, n_col="n_missing"
        )
        if parts.durations is not None:
            durations = parts.durations
            sec.tables["durations"] = _show(
                durations.assign(n_people=durations["region_code"].astype(str).map(parts.respondents)),
                "audit.cap_duration",
                kind="table",
                ns="audit",
                digits={"median": 0, "p10": 0, "p90": 0},
                n_col="n_people",
                count_cols=["n_too_fast", "n_straight_lining"],
                secondary=False,
            )
            threshold = parts.threshold
            t = translator(ctx.lang)
            ends, duration_notes = national.figure_ends(
                parts.medians.rename("median").rename_axis("region").reset_index(), value="median", lang=ctx.lang
            )
            drawn = parts.drawn(ends["region"])
            sec.figures["durations"] = (
                lambda: plots.plot_distribution(
                    drawn,
                    x="duration_s",
                    group="region_code",
                    kind="box",
                    subject="person_id",
                    lang=ctx.lang,
                    xlabel="audit.axis_duration",
                    log=True,
                    ref=threshold,
                    ref_label=t("audit.too_fast_label"),
                ),
                {"caption_key": "audit.fig_duration", "notes": duration_notes},
            )
        sec.tables["samples"] = _show(parts.samples, "audit.cap_samples", kind="counts", ns="audit")
        characteristics = parts.characteristics
        if len(characteristics):
            sec.results["characteristics"] = characteristics
            sec.tables["characteristics"] = _show(
                characteristics,
                "audit.cap_characteristics",
                kind="counts",
                count_cols=["count"],
                ns="audit",
                digits={"percent": 1},
                secondary=False,
            )
    sec.findings = fnd.audit(
        counts,
        by_rule=by_rule.assign(count=by_rule["count"]) if len(by_rule) else by_rule,
        n_duplicates=n_duplicates,
        flagged_share=parts.flagged,
        lang=ctx.lang,
    )
    return sec


def _audit_parts(ctx, manifest: Mapping) -> national_overview.AuditParts:
    """The audit page's survey tables and people per region: a batch of regions at a time above
    ``national.INTERACTED_MAX`` regions, else from the page's tables in memory (the same tables)."""

    steps = dict(
        first_rows=_first_rows,
        pieces=functools.partial(_characteristics, lang=ctx.lang),
        table=functools.partial(_characteristics_table, lang=ctx.lang, min_n=ctx.min_n),
    )
    if getattr(ctx, "dataset", None) is not None and len(ctx.regions) > national.INTERACTED_MAX:
        return national_overview.audit_parts(ctx.dataset, ctx.regions, manifest, **steps)
    ids = ["region_code", "person_id"]  # the other tables count people; the survey's every column is described
    tables = _tables(ctx, None, {"performance": ids, "training": ids, "satisfaction": ids})
    return national_overview.audit_parts_in_memory(tables, manifest, **steps)


# ----------------------------------------------------------------------------------------------------- instrument
def instrument_source(name: str, lang: str) -> str:
    """Shown source of an instrument: ``instrument.source.<name>`` in the report language for the shipped ones,
    else the codebook's ``source``."""
    t = translator(lang)
    key = f"instrument.source.{name}"
    return t(key) if key in t else _codebook(name).source


def _cfa_fit_row(name: str, res, lang: str) -> dict:
    f = res.fit.set_index("term")
    problems = list(getattr(res, "problems", []) or [])
    converged = bool(getattr(res, "converged", True))
    return {
        "instrument": instrument_title(name, lang),
        "chisq": f.loc["chisq", "estimate"],
        "df": f.loc["chisq", "df"],
        "p": f.loc["chisq", "p"],
        "cfi": f.loc["cfi", "estimate"],
        "tli": f.loc["tli", "estimate"],
        "rmsea": f.loc["rmsea", "estimate"],
        "ci_low": f.loc["rmsea", "ci_low"],
        "ci_high": f.loc["rmsea", "ci_high"],
        "srmr": f.loc["srmr", "estimate"],
        "converged": converged,
        "problems": problems,
        "n": res.n,
    }


def _problem(code, lang: str) -> str:
    """A CFA problem code (``measure.PROBLEM_CODES``) in the report language; an unknown code as it is."""
    t = translator(lang)
    key = f"instrument.problem.{code}"
    return t(key) if key in t else str(code)


#: The survey columns the instrument page reads besides an instrument's items: region, respondent and wave.
QUALITY_FIELDS = ("region_code", "person_id", "wave")


def _pre_wave(survey: pd.DataFrame) -> pd.DataFrame:
    """The baseline (``wave == "pre"``) rows of ``survey`` with a fresh index (every row when there is no wave)."""
    return survey[survey["wave"] == "pre"].reset_index(drop=True) if "wave" in survey.columns else survey


def _region_rows(pre: pd.DataFrame, codes: Sequence[str]):
    """Yield ``(code, rows of pre in that region)`` for each of ``codes``, in order: one grouping of the region
    column, the rows in their order in ``pre`` (as a boolean selection of each region would give them), one region's
    copy at a time."""
    where = pre.groupby(pre["region_code"].astype(str), sort=False).indices
    for code in codes:
        yield code, pre.take(where[code])


def _quality_of(
    ctx, n, book, pre, codes, whole, pooled_ok, national_size, validity, reliability, split, efa, scree, fits, inv_rows
) -> None:
    """Every analysis of the instrument page for one instrument ``n`` (codebook ``book``) on its baseline rows
    ``pre`` (only its items and :data:`QUALITY_FIELDS`), appended to the lists and dicts of the page in the order
    the page shows them: per region (``codes``, or the whole sample when ``whole``) item validity, alpha and omega;
    pooled split-half, KMO, Bartlett and parallel analysis, and the CFA (when ``pooled_ok``); invariance across
    the regions (two to ``national.INTERACTED_MAX`` of them)."""
    lang = ctx.lang
    t = translator(lang)
    title = instrument_title(n, lang)
    labels = [t("common.all_regions")] if whole else list(codes)
    ias, rels = [], []
    for part in [pre] if whole else (part for _, part in _region_rows(pre, codes)):
        with shared_moments():  # the three ask for the same dimensions' moments: computed once per region
            ias.append(item_analysis(part, items=book, alpha=ctx.alpha))
            rel = cronbach_alpha(part, items=book, alpha=ctx.alpha)
            om = omega(part, items=book).set_index("term")["estimate"]
        rels.append(rel.assign(omega=rel["term"].map(om).to_numpy()))
    if ias:  # the labels once per instrument, not per region (a frame assign per region cost more than its alpha)
        ia = pd.concat(ias, ignore_index=True)
        rel = pd.concat(rels, ignore_index=True)
        om = rel.pop("omega")
        names = {d: dimension_name(n, d, lang) for d in {*ia["scale"], *rel["term"]}}
        validity.append(
            ia.assign(
                instrument=title,
                region=[code for code, x in zip(labels, ias) for _ in range(len(x))],
                item=ia["term"],
                dimension=[names[d] for d in ia["scale"]],
            )
        )
        reliability.append(
            rel.assign(
                instrument=title,
                region=[code for code, x in zip(labels, rels) for _ in range(len(x))],
                dimension=[names[d] for d in rel["term"]],
                alpha=rel["estimate"],
                omega=om,
            )
        )
    if pooled_ok:
        sh = split_half(pre, items=book, seed=ctx.seed)
        sh = sh[sh["term"] == sh["term"].iloc[-1]]
        split.append(sh.assign(instrument=title))
        if len(book.item_ids) >= 3:
            k = kmo(pre, items=book).iloc[0]
            b = bartlett_sphericity(pre, items=book).iloc[0]
            pa = parallel_analysis(pre, items=book, seed=ctx.seed)
            scree[title] = pa
            efa.append(
                {
                    "instrument": title,
                    "estimate": k["estimate"],
                    "statistic": b["statistic"],
                    "df": b["df"],
                    "p": b["p"],
                    "n_factors_codebook": len(book.dimensions),
                    "n_factors": pa["n_factors"].iloc[0],
                    "n_components": pa["n_components"].iloc[0],
                    "n": b["n"],
                }
            )
        try:
            fits[n] = cfa(pre, model=book, alpha=ctx.alpha)
        except (KinerjaError, np.linalg.LinAlgError):
            pass
    if 1 < len(codes) and not national_size:
        try:
            kept = pre[pre["region_code"].astype(str).isin(codes)].reset_index(drop=True)
            inv = invariance(kept, model=book, between="region_code")
        except (KinerjaError, np.linalg.LinAlgError):
            return
        inv_rows.append(inv.assign(instrument=title, level=[t(f"instrument.level.{x}") for x in inv["term"]]))


def instrument_quality(ctx) -> Section:
    """Can the survey scales be trusted? Per instrument (baseline wave): item validity (r hitung against r tabel) and
    reliability (Cronbach's alpha with its interval, omega) per region; split-half, KMO, Bartlett and parallel
    analysis (scree) pooled; the confirmatory factor model (fit, whether the solution is proper, standardised
    loadings as a path diagram, AVE, composite reliability, HTMT); measurement invariance across regions.

    Per-region analyses need ``standards.MIN_REGION_N`` respondents (``left_out["regions"]``).
    """

    sec = Section()
    known = dataset_codebooks(ctx.dataset)
    # only the respondent keys at first, then one instrument's items at a time (a page holds one survey frame, so
    # each read replaces the last): memory is the largest instrument's columns, not the survey's every column
    tables = _tables(ctx, None, {"survey": list(QUALITY_FIELDS)})
    if not has_columns(tables, "survey"):
        sec.missing = ["survey"]
        return sec
    keys = _pre_wave(tables["survey"])
    lang = ctx.lang
    t = translator(lang)
    by_region, left = large_enough(keys, min_n=standards.MIN_REGION_N)
    codes = sorted(by_region["region_code"].astype(str).unique())
    del by_region
    # no region large enough on its own (a thesis sample, a small unit): item validity and reliability of the whole
    # sample, when it is large enough, labelled "all regions"
    whole = (
        not codes
        and (keys["person_id"].nunique() if "person_id" in keys.columns else len(keys)) >= standards.MIN_REGION_N
    )
    pooled_ok = enough(Section(), keys, min_n=standards.MIN_REGION_N)
    n_pre = len(keys)
    del keys
    names, books = [], {}
    validity, reliability, split, efa, scree, fits, inv_rows = [], [], [], [], {}, {}, []
    pooled = None
    national_size = len(codes) > national.INTERACTED_MAX
    for n in known:
        items = list(known[n].item_ids)
        frame = _tables(ctx, None, {"survey": [*QUALITY_FIELDS, *items]})["survey"]
        pre = _pre_wave(frame)
        del frame
        if not _survey_instruments(pre, [n], known):
            continue
        names.append(n)
        books[n] = known[n]
        first = len(names) == 1
        _quality_of(
            ctx, n, books[n], pre, codes, whole, pooled_ok, national_size, validity, reliability, split, efa, scree, fits,
            inv_rows,
        )  # fmt: skip
        if first and (codes or whole):
            pooled = item_analysis(pre, items=books[n], alpha=ctx.alpha).assign(item=lambda d: d["term"])
        del pre
    if not names:
        sec.missing = ["instruments"]
        return sec
    sec.results["n"] = pd.DataFrame({"n": [n_pre]})
    overview = pd.DataFrame(
        {
            "instrument": [instrument_title(n, lang) for n in names],
            "n_items": [len(books[n].item_ids) for n in names],
            "dimensions": [", ".join(dimension_name(n, d, lang) for d in books[n].dimensions) for n in names],
            "scale_range": [f"{books[n].scale['min']}–{books[n].scale['max']}" for n in names],
            "source": [instrument_source(n, lang) for n in names],
        }
    )
    sec.tables["overview"] = _show(overview, "instrument.instruments_caption", kind="table", ns="instrument")
    sec.left_out["regions"] = (standards.MIN_REGION_N, left)
    if not pooled_ok:
        sec.too_few = standards.MIN_REGION_N
    decision = {True: t("instrument.valid"), False: t("instrument.not_valid")}
    if validity:
        val = pd.concat(validity, ignore_index=True)
        sec.results["validity"] = val
        summary = (
            val.groupby(["instrument", "region"], sort=False)
            .agg(
                n_items=("valid", "size"),
                n_invalid=("valid", lambda v: int((~v.astype(bool)).sum())),
                min_r=("r_item_total", "min"),
                r_crit=("r_crit", "max"),
                n=("n", "max"),
            )
            .reset_index()
        )
        items_shown = val.assign(valid=val["valid"].map(decision))[
            [
                "instrument",
                "region",
                "item",
                "dimension",
                "mean",
                "sd",
                "r_item_total",
                "r_crit",
                "valid",
                "r_corrected",
                "alpha_if_deleted",
                "n",
            ]
        ]
        sec.tables["validity_summary"] = _show(
            summary,
            "instrument.validity_summary_caption",
            ns="instrument",
            digits={"min_r": 3, "r_crit": 3, "r_item_total": 3, "r_corrected": 3, "alpha_if_deleted": 3},
            detail=items_shown,
        )
        sec.figures["item_r"] = (
            lambda: plots.plot_item_r(pooled, lang=lang),
            {"caption_key": "instrument.fig_item_r", "caption": {"instrument": instrument_title(names[0], lang)}},
        )
    if validity:
        sec.tables["spss_item_total"] = _show(
            spss.item_total_statistics(sec.results["validity"], lang=lang),
            "spss.item_total_caption",
            ns="spss",
            digits={"r_hitung": 3, "r_tabel": 3, "r_corrected": 3, "alpha_if_deleted": 3},
        )
    if reliability:
        rel = pd.concat(reliability, ignore_index=True)
        sec.tables["spss_reliability"] = _show(
            spss.reliability_statistics(rel), "spss.reliability_caption", ns="spss", digits={"alpha": 3, "alpha_std": 3}
        )
        rel = rel.assign(
            reliable_060=standards.is_reliable(rel["alpha"], rule="ghozali"),
            reliable_070=standards.is_reliable(rel["alpha"], rule="nunnally"),
        )
        sec.results["reliability"] = rel
        sec.tables["reliability"] = _show(
            rel[
                [
                    "instrument",
                    "region",
                    "dimension",
                    "n_items",
                    "alpha",
                    "ci_low",
                    "ci_high",
                    "alpha_std",
                    "omega",
                    "reliable_060",
                    "reliable_070",
                    "n",
                ]
            ],  # fmt: skip
            "instrument.reliability_caption",
            caption={"level": ctx.level},
            ns="instrument",
            digits={"alpha": 3, "alpha_std": 3, "omega": 3, "ci": 3},
            labels={
                "reliable_060": "instrument.col.reliable_ghozali",
                "reliable_070": "instrument.col.reliable_nunnally",
            },
        )
    split = pd.concat(split, ignore_index=True) if split else pd.DataFrame(columns=["coefficient"])
    split = split[
        split["coefficient"].isin(["r_halves", "spearman_brown", "spearman_brown_unequal", "guttman", "lambda4_max"])
    ]
    if len(split):
        sec.tables["split_half"] = _show(
            split.assign(coefficient=[t(f"instrument.coef.{c}") for c in split["coefficient"]])[
                ["instrument", "coefficient", "estimate", "n_items", "n"]
            ],
            "instrument.splithalf_caption",
            ns="instrument",
            digits={"estimate": 3},
        )
    if efa:
        sec.results["efa"] = pd.DataFrame(efa)
        sec.tables["efa"] = _show(
            pd.DataFrame(efa),
            "instrument.efa_caption",
            ns="instrument",
            labels={"estimate": "instrument.efa.kmo", "statistic": "instrument.col.chisq"},
            digits={"estimate": 3},
        )
        sec.figures["scree"] = (
            lambda: plots.scree_panels(scree, lang=lang),
            {"caption_key": "instrument.fig_scree"},
        )
    if fits:
        fit_rows = pd.DataFrame([_cfa_fit_row(n, r, lang) for n, r in fits.items()])
        sec.results["fit"] = fit_rows
        problems = fit_rows.assign(
            status=[
                t("instrument.solution_ok")
                if c and not p
                else t("instrument.solution_improper", problems="; ".join(_problem(code, lang) for code in p))
                for c, p in zip(fit_rows["converged"], fit_rows["problems"])
            ]
        )
        sec.tables["fit"] = _show(
            problems.drop(columns=["converged", "problems"]),
            "instrument.cfa_caption",
            ns="instrument",
            alpha=0.10,
            digits={"cfi": 3, "tli": 3, "rmsea": 3, "ci": 3, "srmr": 3},
        )
        loadings, validity_cfa, discriminant, path = [], [], [], {}
        for n, res in fits.items():
            lam = res.estimates[res.estimates["op"] == "=~"]
            loadings.append(
                lam.assign(
                    instrument=instrument_title(n, lang),
                    factor=[dimension_name(n, d, lang) for d in lam["lhs"]],
                    item=lam["rhs"],
                )
            )
            path[instrument_title(n, lang)] = (
                res.estimates,
                {d: dimension_name(n, d, lang) for d in books[n].dimensions},
            )
            improper = not bool(getattr(res, "converged", True)) or bool(getattr(res, "problems", []))
            v = res.validity
            validity_cfa.append(
                v.assign(
                    instrument=instrument_title(n, lang),
                    factor=[dimension_name(n, d, lang) for d in v["term"]],
                    improper=v["improper"] if "improper" in v.columns else improper,
                )
            )
            if len(res.discriminant):
                d = res.discriminant
                discriminant.append(
                    d.assign(
                        instrument=instrument_title(n, lang),
                        group_a=[dimension_name(n, x, lang) for x in d["group_a"]],
                        group_b=[dimension_name(n, x, lang) for x in d["group_b"]],
                    )
                )
        lam = pd.concat(loadings, ignore_index=True)
        sec.results["loadings"] = lam
        sec.tables["loadings"] = _show(
            lam[["instrument", "factor", "item", "estimate", "se", "std_all", "p", "n"]],
            "instrument.loadings_caption",
            ns="instrument",
            digits={"estimate": 3, "se": 3, "std_all": 3},
        )
        sec.figures["path"] = (
            lambda: plots.path_diagrams(path, lang=lang),
            {"caption_key": "instrument.fig_path"},
        )
        vc = pd.concat(validity_cfa, ignore_index=True)
        sec.results["ave"] = vc
        sec.tables["ave"] = _show(
            vc[
                [
                    "instrument",
                    "factor",
                    "estimate",
                    "composite_reliability",
                    "sqrt_ave",
                    "max_r",
                    "max_htmt",
                    "improper",
                    "n",
                ]
            ],  # fmt: skip
            "instrument.ave_caption",
            ns="instrument",
            labels={"estimate": "instrument.col.ave"},
            digits={"estimate": 3, "composite_reliability": 3, "sqrt_ave": 3, "max_r": 3, "max_htmt": 3},
        )
        if discriminant:
            disc = pd.concat(discriminant, ignore_index=True)
            sec.tables["discriminant"] = _show(
                disc[
                    [
                        "instrument",
                        "group_a",
                        "group_b",
                        "estimate",
                        "sqrt_ave_a",
                        "sqrt_ave_b",
                        "fornell_larcker",
                        "htmt",
                        "htmt_ok",
                        "n",
                    ]
                ],  # fmt: skip
                "instrument.discriminant_caption",
                ns="instrument",
                digits={"estimate": 3, "sqrt_ave_a": 3, "sqrt_ave_b": 3, "htmt": 3},
            )
        if "rtc" in fits:
            sec.records.append(
                dict(
                    key="rtc_cfi",
                    value=fits["rtc"].fit.set_index("term").loc["cfi", "estimate"],
                    label_key="instrument.rec.rtc_cfi",
                    spec=".3f",
                )
            )
    if len(codes) < 2:
        sec.texts["invariance_skipped"] = dict(key="instrument.invariance_skipped", min_n=standards.MIN_REGION_N)
    if national_size:  # a multi-group CFA with parameters per region: not at national scale
        sec.texts["invariance_skipped"] = dict(key="instrument.invariance_national", m=len(codes))
    if inv_rows:
        inv = pd.concat(inv_rows, ignore_index=True)
        sec.results["invariance"] = inv
        sec.tables["invariance"] = _show(
            inv[
                [
                    "instrument",
                    "level",
                    "statistic",
                    "df",
                    "p",
                    "cfi",
                    "tli",
                    "rmsea",
                    "srmr",
                    "delta_cfi",
                    "chisq_diff",
                    "df_diff",
                    "p_diff",
                    "holds",
                    "n",
                ]
            ],  # fmt: skip
            "instrument.invariance_caption",
            ns="instrument",
            labels={"statistic": "instrument.col.chisq"},
            digits={"cfi": 3, "tli": 3, "rmsea": 3, "srmr": 3, "delta_cfi": 3, "df_diff": 0},
        )
        scalar = inv[inv["term"] == "scalar"][["instrument", "holds"]].rename(columns={"holds": "scalar"})
        sec.results["scalar"] = scalar
        sec.records.append(
            dict(key="scalar_all", value=bool(scalar["scalar"].all()), label_key="instrument.rec.scalar_all")
        )
    if "validity" in sec.results:
        n_invalid = int((~sec.results["validity"]["valid"].astype(bool)).sum())
        sec.records.append(dict(key="n_invalid", value=n_invalid, label_key="instrument.rec.n_invalid", spec="n"))
    if "reliability" in sec.results:
        sec.records.append(
            dict(
                key="min_alpha",
                value=sec.results["reliability"]["alpha"].min(),
                label_key="instrument.rec.min_alpha",
                spec=".3f",
            )
        )
    sec.findings = fnd.instrument(
        reliability=sec.results.get("reliability"),
        validity=sec.results.get("validity"),
        fit=sec.results.get("fit"),
        invariance=sec.results.get("scalar"),
        strict=standards.ALPHA_MIN_NUNNALLY,
        lang=lang,
    )
    return sec


# ---------------------------------------------------------------------------------------------------------- brief
#: The brief's themes, in the order of its parts (training effect, 20 JP, resistance, rewards, IKM).
#: The tables the brief's intro counts people of (``n_staff``, ``n_survey``, ``n_public``), in the sentence's order.
BRIEF_INTRO_TABLES = {"staff": "performance", "survey": "survey", "public": "satisfaction"}
BRIEF_THEMES = ("training", "jp", "resistance", "rewards", "satisfaction")


def _brief_gap(theme: str, part: Section, region: str, lang: str) -> tuple[str, dict]:
    """Why the brief has no answer on ``theme`` for ``region``: ``(translation key, values)`` of the note."""
    name = translator(lang)(f"findings.brief.theme.{theme}")
    if part.missing:
        what = part.missing[0]
        if what in ("survey", "performance", "training", "satisfaction"):
            return "brief.left_out.table", {"theme": name, "table": _table_name(lang, what)}
        return "brief.left_out.construct", {"theme": name, "construct": _construct_name(lang, what)}
    if part.too_few is not None:
        return "brief.left_out.too_few", {"theme": name, "min_n": part.too_few}
    small = [m for m, codes in part.left_out.values() if region in codes]
    if small:
        return "brief.left_out.too_small", {"theme": name, "min_n": max(small)}
    return "brief.left_out.no_rows", {"theme": name}


def region_brief(ctx, tables: Mapping[str, pd.DataFrame] | None = None) -> Section:
    """The two-page handout of one region (``ctx.region``): the answers for the region from the same functions as the
    thematic pages (so the numbers are identical), compared with the other regions of the data, with the IKM
    against its mutu bands, the 20 JP rule, and the predikat of the latest period."""

    region = ctx.region
    numbers = national.brief_parts(ctx, tables)  # every region's numbers, once per process (report/national.py)
    own = ctx.tables if tables is None else {
        name: df[df["region_code"].astype(str) == region].reset_index(drop=True) if "region_code" in df.columns else df
        for name, df in tables.items()
    }  # fmt: skip
    sec = Section()
    parts = numbers.parts
    given = [p.answers for p in parts if len(p.answers)]
    answers = pd.concat(given, ignore_index=True) if given else pd.DataFrame(columns=fnd.ANSWER_COLUMNS)
    sec.results["answers"] = answers
    t = translator(ctx.lang)
    for q, p in zip(BRIEF_THEMES, parts):
        rows = p.answers[p.answers["question"] == q] if len(p.answers) else p.answers
        if region not in set(rows["region"].astype(str)):
            sec.notes.append(_brief_gap(q, p, region, ctx.lang))
    sec.texts["title"] = dict(key="brief.title", region=ctx.region_name(region))
    peers = []
    for q, p in zip(BRIEF_THEMES, parts):
        rows = p.answers[p.answers["question"] == q] if len(p.answers) else p.answers
        if rows.empty or region not in set(rows["region"].astype(str)):
            continue
        scale = 100.0 if q == "jp" else 1.0  # shares of PNS as percent
        big = rows[~(pd.to_numeric(rows["n"], errors="coerce") < ctx.min_n)]
        value = rows.set_index(rows["region"].astype(str)).loc[region]
        others = big[big["region"].astype(str) != region]["value"] * scale
        peers.append(
            {
                "question": t(f"brief.peer.{q}"),
                "value": value["value"] * scale,
                "rank": int((big["value"] > value["value"]).sum() + 1)
                if region in set(big["region"].astype(str))
                else np.nan,
                "m": len(big),
                "low": others.min() if len(others) else np.nan,
                "high": others.max() if len(others) else np.nan,
                "n": value["n"],
            }
        )
    if peers:
        sec.results["peers"] = pd.DataFrame(peers)
        sec.tables["peers"] = _show(
            pd.DataFrame(peers),
            "brief.peers_caption",
            caption={"region": ctx.region_name(region)},
            ns="brief",
            digits={"value": 2, "low": 2, "high": 2},
        )
    highlight = {c: (col if c == region else "#B0B0B0") for c, col in plots.region_palette(numbers.regions).items()}
    brief_keys = {"did_effect_region", "jp_share_meeting_20", "rtc_mean", "ikm", "ikm_ci_low", "ikm_ci_high", "mutu"}
    for p in parts:
        sec.records += [r for r in p.records if r.get("region") == region and r["key"] in brief_keys]
    counts = {
        "n_staff": own["performance"]["person_id"].nunique() if has_columns(own, "performance") else 0,
        "n_survey": own["survey"]["person_id"].nunique() if has_columns(own, "survey") else 0,
        "n_public": len(own["satisfaction"]) if has_columns(own, "satisfaction") else 0,
    }
    # the intro names only the tables the dataset has (never "0 ASN" for a table it lacks)
    held = [k for k, table in BRIEF_INTRO_TABLES.items() if has_columns(own, table)]
    sec.texts["intro"] = dict(
        key="brief.intro" if len(held) == len(BRIEF_INTRO_TABLES) else "brief.intro_" + ("_".join(held) or "none"),
        n=min([v for k, v in counts.items() if v and k[2:] in held] or [0]),
        region=ctx.region_name(region),
        level=ctx.level,
        **counts,
    )
    sat = parts[4]
    if "ikm" in sat.results:
        ikm, ikm_notes = national.figure_rows(
            sat.results["ikm"], region, value="ikm", lang=ctx.lang, name=ctx.region_name(region)
        )
        bands = {k: (b.low, b.high) for k, b in standards.IKM_BANDS.items()}
        low = min(float(ikm["ci_low"].min()), standards.IKM_GOOD_MIN)
        limits = (max(standards.IKM_BANDS["D"].low, np.floor(low / 5) * 5 - 5), standards.IKM_BANDS["A"].high)
        sec.figures["ikm"] = (
            lambda: plots.plot_means_ci(
                ikm.assign(estimate=ikm["ikm"]),
                lang=ctx.lang,
                bands={k: v for k, v in bands.items() if v[1] >= limits[0]},
                limits=limits,
                xlabel="satisfaction.col.ikm",
                palette=highlight,
                ax=plots.small_axes(len(ikm)),
            ),
            {"caption_key": "brief.fig_ikm", "caption": {"level": ctx.level}, "notes": ikm_notes},
        )
    res = parts[2]
    if "means" in res.results:
        total, rtc_notes = national.figure_rows(  # the resistance construct's total score
            res.results["means"][res.results["means"]["term"] == "resistance"],
            region,
            value="estimate",
            lang=ctx.lang,
            name=ctx.region_name(region),
        )
        scale = _constructs(ctx)["resistance"].limits
        sec.figures["resistance"] = (
            lambda: plots.plot_means_ci(
                total,
                lang=ctx.lang,
                limits=scale,
                ref=sum(scale) / 2,
                ref_label=t("resistance.midpoint", mid=sum(scale) / 2),
                xlabel="resistance.axis_total",
                palette=highlight,
                ax=plots.small_axes(len(total)),
            ),
            {
                "caption_key": "brief.fig_resistance",
                "caption": {"level": ctx.level, "low": scale[0], "high": scale[1]},
                "notes": rtc_notes,
            },
        )
    tr = parts[0]
    if "did" in tr.results and region not in tr.left_out.get("did", (0, []))[1]:
        panel = performance_panel(own)
        trends = _trends(panel, ctx.alpha)
        first_post = sorted(panel.loc[panel["wave"] == "post", "period"].astype(str).unique())[0]
        sec.figures["trends"] = (
            lambda: plots.plot_trends(
                trends,
                event=first_post,
                event_label=t("training.programme_start"),
                hue_labels={"trained": t("training.group.trained"), "untrained": t("training.group.untrained")},
                lang=ctx.lang,
                ylabel="training.axis_capaian",
                ax=plots.small_axes(6),
            ),
            {"caption_key": "brief.fig_trends", "caption": {"level": ctx.level}},
        )
    if has_columns(own, "performance", ["predikat", "period"]):
        perf = own["performance"]
        latest = sorted(perf["period"].astype(str).unique())[-1]
        counts = (
            perf[perf["period"].astype(str) == latest]["predikat"]
            .value_counts()
            .reindex(list(standards.PREDICATES), fill_value=0)
            .rename("count")
            .rename_axis("predikat")
            .to_frame()
        )
        sec.tables["predikat"] = {
            "df": counts,
            "kind": "counts",
            "caption_key": "brief.predikat_caption",
            "caption": {"period": period_label(latest, ctx.lang)},
            "ns": "brief",
        }
        n_staff = perf["person_id"].nunique()
        sec.records.append(
            dict(
                key="n_staff",
                value=n_staff,
                count={"measure": "n_staff"},
                label_key="brief.rec_staff",
                spec="n",
                region=region,
            )
        )
    sec.findings = fnd.brief(answers, region, lang=ctx.lang, min_n=ctx.min_n) or [t("brief.no_findings")]
    sec.left_out = {}
    return sec
