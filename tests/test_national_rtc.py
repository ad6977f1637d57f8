"""The resistance page's scores a batch of regions at a time (report.national_rtc) against the in-memory route
(construct_scores of the whole survey) on a small hand-written world with batches of two regions: the same results,
records, answers, findings and left-out regions, compared exactly. The hand-written survey interleaves its regions
(as a table of an older clean may): the batched frame is put back in the file's row order, so the numbers pooled over
regions (ANOVA sums of squares, regression cross-products, correlations) are summed in the same order and identical."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import kinerja_research as kr
from kinerja_research.analysis.frames import construct_scores, constructs_present, dataset_constructs
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import load_table
from kinerja_research.report import national, national_rtc, sections

#: Five regions of four provinces, people per region: 12.71 has too few for the comparisons of regions
#: (``MIN_REGION_N``), 14.01 too few for any model (``min_n``).
REGIONS = {"11.01": 40, "11.02": 34, "12.71": 20, "13.05": 45, "14.01": 3}


def _items(prefix: str, k: int, low: int, high: int, rng, n: int, lean: np.ndarray) -> dict:
    """``k`` answers per row on ``low``..``high``, leaning with ``lean`` (a row's tendency), some skipped."""
    out = {}
    for j in range(1, k + 1):
        x = np.clip(np.round(lean + rng.normal(0, 1, n)), low, high).astype(float)
        x[rng.random(n) < 0.04] = np.nan  # a skipped answer now and then
        out[f"{prefix}{j:02d}"] = x
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A processed folder holding only a survey, written by hand: two waves per person, regions interleaved (not
    region-sorted), covariates with missing values, every item of the shipped scales."""
    rng = np.random.default_rng(7)
    rows = []
    for code, people in REGIONS.items():
        shift = {"11.01": 0.0, "11.02": 0.6, "12.71": -0.4, "13.05": 1.1, "14.01": 0.2}[code]
        for p in range(people):
            lean = 3.2 + shift + rng.normal(0, 0.7)
            trained = bool(p % 2)
            for wave in ("pre", "post"):
                row = dict(person_id=f"P{code.replace('.', '')}{p:04d}", region_code=code, wave=wave, trained=trained,
                           age=int(25 + (p * 7) % 30), tenure_years=int(1 + (p * 5) % 25),
                           golongan_rank=int(5 + p % 12), lean=lean - (0.3 if trained and wave == "post" else 0.0))  # fmt: skip
                rows.append(row)
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)  # regions interleaved
    n, lean = len(frame), frame.pop("lean").to_numpy()
    items = {
        **_items("RTC", 17, 1, 6, rng, n, lean),
        **_items("TRN", 8, 1, 5, rng, n, 6 - lean),
        **_items("RWD", 6, 1, 5, rng, n, lean - 0.5),
        **_items("SNC", 6, 1, 5, rng, n, 3.0 + rng.normal(0, 0.3, n)),
        **_items("MOT", 6, 1, 5, rng, n, 6.2 - lean),
        **_items("SUS", 10, 1, 5, rng, n, 6.5 - lean),
    }
    frame = pd.concat([frame, pd.DataFrame(items)], axis=1)
    frame.loc[[3, 40, 77], "age"] = None
    frame = frame.astype(
        {"person_id": "string", "region_code": "string", "wave": "string", "trained": "boolean", "age": "Int64",
         "tenure_years": "Int64", "golongan_rank": "Int64"}
    )  # fmt: skip
    d = tmp_path_factory.mktemp("rtc") / "proc"
    d.mkdir()
    frame.to_parquet(d / "survey.parquet", index=False)
    (d / "manifest.json").write_text(json.dumps({"inputs": [{"file": "survey.csv", "sha256": "ef" * 32}]}))
    return d


@pytest.fixture
def small_batches(monkeypatch):
    """The national route for five regions, two regions a batch; the batches read are counted."""
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)
    monkeypatch.setattr(national_rtc, "BATCH_REGIONS", 2)
    seen = []
    real = national_rtc.score_frame

    def counted(*a, **k):
        out = real(*a, **k)
        seen.append(out)
        return out

    monkeypatch.setattr(national_rtc, "score_frame", counted)
    return seen


def _same(a, b, what: str):
    if isinstance(a, pd.DataFrame):
        assert list(a.columns) == list(b.columns) and len(a) == len(b), what
        for c in a.columns:
            _same(a[c].reset_index(drop=True), b[c].reset_index(drop=True), f"{what}.{c}")
        return
    if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
        np.testing.assert_array_equal(a.to_numpy(float), b.to_numpy(float), err_msg=what)  # identical, NaN = NaN
    else:
        assert a.astype(str).tolist() == b.astype(str).tolist(), what


def _same_section(batched, whole):
    assert set(batched.results) == set(whole.results), (set(batched.results), set(whole.results))
    for name in whole.results:
        a, b = batched.results[name], whole.results[name]
        _same(a, b, name)
    assert batched.left_out == whole.left_out
    assert batched.missing == whole.missing and batched.too_few == whole.too_few
    assert batched.national == whole.national
    assert set(batched.tables) == set(whole.tables) and set(batched.texts) == set(whole.texts)
    assert [r["key"] for r in batched.records] == [r["key"] for r in whole.records]
    for r, s in zip(batched.records, whole.records):
        assert {k: v for k, v in r.items() if k != "value"} == {k: v for k, v in s.items() if k != "value"}
        if isinstance(r["value"], float):
            assert r["value"] == s["value"] or (np.isnan(r["value"]) and np.isnan(s["value"]))
        else:
            assert r["value"] == s["value"]
    for f, g in zip(batched.findings, whole.findings, strict=True):
        assert (f["key"] if isinstance(f, dict) else str(f)) == (g["key"] if isinstance(g, dict) else str(g))
    if whole.answers is not None:
        _same(batched.answers, whole.answers, "answers")


def test_levels_batched_is_the_in_memory_route(world, tmp_path, small_batches, monkeypatch):
    ctx = kr.report.start("t", dataset=str(world), lang="en", out_dir=str(tmp_path))
    assert ctx.regions == sorted(REGIONS)
    batched = sections.resistance_levels(ctx)
    assert len(small_batches) == 1 and small_batches[0].batches == 3  # the batched route ran, in two batches
    whole = sections.resistance_levels(ctx, ctx.view(sections.section_columns(ctx, ["resistance"])))
    assert {"means", "welch", "anova", "games_howell", "kruskal"} <= set(whole.results)
    assert batched.left_out["regions"] == (kr.MIN_REGION_N, ["12.71", "14.01"])
    _same_section(batched, whole)


def test_drivers_batched_is_the_in_memory_route(world, tmp_path, small_batches, monkeypatch):
    ctx = kr.report.start("t", dataset=str(world), lang="en", out_dir=str(tmp_path))
    levels = sections.resistance_levels(ctx)
    batched = sections.resistance_drivers(ctx)
    assert len(small_batches) == 1  # one read serves both sections of the page
    assert national_rtc._KEPT.get(ctx) is None  # not held while the page renders
    assert set(small_batches[0].present) == set(sections.SCALE_CONSTRUCTS)
    assert levels.has("means")
    # the in-memory route: the tables read whole, the page's province model kept (five regions > INTERACTED_MAX)
    monkeypatch.setattr(national_rtc, "page_scores", lambda *a, **k: pytest.fail("batched route in the whole run"))
    monkeypatch.setattr(sections.national, "INTERACTED_MAX", 1)
    monkeypatch.setattr(ctx, "dataset", None, raising=False)
    monkeypatch.setattr(sections, "_constructs", lambda c: dataset_constructs(str(world)))
    monkeypatch.setattr(ctx, "view", lambda cols: {"survey": load_table("survey", world, columns=cols["survey"])})
    whole = sections.resistance_drivers(ctx)
    assert {"drivers", "ttest", "outcome", "logistic", "correlations"} <= set(whole.results)
    assert batched.national["drivers"] and batched.national == whole.national  # province dummies in both
    _same_section(batched, whole)


def test_score_frame_is_construct_scores_of_the_whole_survey(world, small_batches):
    constructs = dataset_constructs(str(world))
    got = national_rtc.score_frame(str(world), sorted(REGIONS), constructs, ["resistance", "reward", "usability"])
    survey = load_table("survey", world)
    ref = construct_scores(survey, constructs, ["resistance", "reward", "usability"])
    # the identifying columns, the scores, and the dimensions of resistance only (the page's means table)
    dims = [c for c in ref.columns if c.startswith("resistance_")]
    assert len(dims) == 4 and "reward_financial" in ref.columns
    ref = ref[[*national_rtc.KEEP, "resistance", *dims, "reward", "usability"]]
    assert list(got.frame.columns) == list(ref.columns)
    assert got.frame.dtypes.astype(str).tolist() == ref.dtypes.astype(str).tolist()
    # the same rows in the table's order, although the file interleaves the regions and they are read two at a time
    assert ref["region_code"].ne(ref["region_code"].sort_values(kind="stable").to_numpy()).any()
    pd.testing.assert_frame_equal(got.frame, ref.reset_index(drop=True), check_exact=True)
    assert got.batches == 3


def test_a_construct_with_an_empty_item_is_left_out_on_both_routes(world, tmp_path, small_batches):
    survey = load_table("survey", world)
    survey["SNC03"] = np.nan  # one item of sanction never answered: sanction is not present
    d = tmp_path / "proc"
    d.mkdir()
    survey.to_parquet(d / "survey.parquet", index=False)
    (d / "manifest.json").write_text((world / "manifest.json").read_text())
    constructs = dataset_constructs(str(d))
    got = national_rtc.score_frame(str(d), sorted(REGIONS), constructs, sections.SCALE_CONSTRUCTS)
    whole = constructs_present(survey, {n: constructs[n] for n in sections.SCALE_CONSTRUCTS})
    assert got.present == whole and "sanction" not in got.present and "sanction" not in got.frame.columns


def test_brief_resistance_batched_is_the_in_memory_one(world, small_batches):
    tables = {"survey": load_table("survey", world)}
    constructs = dataset_constructs(str(world))
    opts = dict(alpha=0.05, lang="en", min_n=5)
    whole = national._resistance(tables, constructs, **opts)
    batched = national._resistance(tables, constructs, dataset=str(world), **opts)
    assert len(small_batches) == 1 and small_batches[0].batches == 3
    assert set(batched.results) == set(whole.results) == {"means", "welch"}
    for name in whole.results:
        _same(batched.results[name], whole.results[name], name)
    assert batched.records == whole.records  # per-region means: identical
    _same(batched.answers, whole.answers, "answers")
    assert batched.left_out == whole.left_out == {"regions": (kr.MIN_REGION_N, ["12.71", "14.01"])}


def test_levels_batched_with_few_regions_kept_reads_their_items_for_the_invariance(
    world, tmp_path, small_batches, monkeypatch
):
    # five regions in the run (the batched route), three kept: the multi-group CFA gets their items
    monkeypatch.setattr(national, "INTERACTED_MAX", 4)
    given = []

    def invariance(data, **kw):
        given.append(data)
        raise KinerjaError("no fit here")  # the page's own fallback: no invariance table on either route

    monkeypatch.setattr(sections, "invariance", invariance)
    ctx = kr.report.start("t", dataset=str(world), lang="en", out_dir=str(tmp_path))
    batched = sections.resistance_levels(ctx)
    assert len(small_batches) == 1
    whole = sections.resistance_levels(ctx, ctx.view(sections.section_columns(ctx, ["resistance"])))
    assert len(given) == 2 and sorted(given[0]["region_code"].unique()) == ["11.01", "11.02", "13.05"]
    pd.testing.assert_frame_equal(given[0], given[1], check_exact=True)
    _same_section(batched, whole)


def test_an_own_usability_instrument_is_not_named_sus(world, tmp_path, monkeypatch):
    """Usability measured by a dataset's own mean-scored 1-5 instrument (here the MOT items standing in for it): the
    regression is captioned, modelled and recorded with that instrument's title and scale, never "SUS, 0-100", and
    no SUS adoption model is fitted (the SUS benchmark means nothing on another scale)."""
    import dataclasses

    ctx = kr.report.start("t", dataset=str(world), lang="en", out_dir=str(tmp_path))
    own = dataset_constructs(str(world))
    own["usability"] = dataclasses.replace(own["motivation"], name="usability")
    monkeypatch.setattr(sections, "_constructs", lambda c: own)
    sec = sections.resistance_drivers(ctx)
    table = sec.tables["outcome"]
    title = sections.instrument_title("motivation", "en")
    assert table["caption_key"] == "resistance.outcome_linear_caption_own"
    assert table["caption"] == {"construct": title, "low": 1.0, "high": 5.0}
    assert "outcome" in sec.results and "logistic" not in sec.results
    (rec,) = [r for r in sec.records if r["key"] == "sus_slope"]
    assert rec["label_key"] == "resistance.rec.usability_slope_own" and rec["label"] == {"construct": title}
    for lang in ("en", "id"):
        caption = sections.translator(lang)(table["caption_key"], **table["caption"])
        assert "SUS" not in caption and "1–5" in caption, caption
        assert "SUS" not in sections.translator(lang)(rec["label_key"], **rec["label"])
