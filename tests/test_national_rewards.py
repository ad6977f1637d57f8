"""The rewards page and the brief's rewards numbers a batch of regions at a time (report.national_rewards) against
the in-memory route, on the small national world with batches of one and two regions and a survey file whose rows
are not sorted by region: the same frame row for row, so the same numbers exactly (the mediation bootstrap draws
row indices, so it checks the row order too)."""

import shutil

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import kinerja_research as kr
from kinerja_research.analysis.frames import dataset_constructs
from kinerja_research.report import national, national_rewards, sections

PREDICTORS = ["reward", "sanction", "motivation", "training"]


@pytest.fixture(scope="module")
def shuffled(national_three, tmp_path_factory):
    """The world with its survey rows in a shuffled order (as an unsorted clean writes them: a region's rows are
    not together), the other tables as they are."""
    out = tmp_path_factory.mktemp("rw") / "shuffled"
    shutil.copytree(national_three, out)
    survey = pq.read_table(out / "survey.parquet")
    order = np.random.default_rng(3).permutation(survey.num_rows)
    pq.write_table(survey.take(order), out / "survey.parquet", row_group_size=50)
    return out


def _exact(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("batch", [1, 2])
def test_baseline_frame_is_the_in_memory_frame_row_for_row(shuffled, tmp_path, batch):
    ctx = kr.report.start("t", dataset=str(shuffled), lang="en", out_dir=str(tmp_path))
    constructs = dataset_constructs(ctx.dataset)
    cols = sections.section_columns(ctx, PREDICTORS, performance=sections.PERFORMANCE_PANEL + sections.SKP_RATINGS)
    tables = ctx.view(cols)
    whole = sections._baseline(tables, PREDICTORS, constructs)
    base = national_rewards.baseline_frame(
        ctx.dataset, ctx.regions, constructs=constructs, predictors=PREDICTORS, skp=True, batch=batch
    )
    assert base.frame is not None and len(base.frame) == len(whole) > 0
    assert not base.frame["region_code"].is_monotonic_increasing  # the file's order, not the batches'
    _exact(base.frame, whole[base.frame.columns])
    perf = tables["performance"].dropna(subset=["rating_hasil_kerja", "rating_perilaku", "predikat"])
    assert base.ratings and base.rated == len(perf) > 0
    agree = kr.skp_predicate(perf["rating_hasil_kerja"], perf["rating_perilaku"]) == perf["predikat"]
    assert base.agree == int(agree.sum())


@pytest.fixture(scope="module")
def pages(shuffled, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    out = tmp_path_factory.mktemp("rwp")
    calls = []
    real = national_rewards.baseline_frame

    def spy(*a, **k):
        calls.append(k["predictors"])
        return real(*a, **k)

    try:
        ctx = kr.report.start("t", dataset=str(shuffled), lang="en", out_dir=str(out))
        whole = (sections.rewards_model(ctx), sections.rewards_by_region(ctx))
        mp.setattr(national, "INTERACTED_MAX", 1)  # the national route with three regions
        mp.setattr(national_rewards, "BATCH_REGIONS", 2)
        mp.setattr(national_rewards, "baseline_frame", spy)
        ctx = kr.report.start("t", dataset=str(shuffled), lang="en", out_dir=str(out))
        batched = (sections.rewards_model(ctx), sections.rewards_by_region(ctx))
        # the in-memory route under the same region count rule (province moderation above INTERACTED_MAX)
        mp.setattr(sections, "_rewards_batched", lambda ctx, tables: False)
        in_memory = (sections.rewards_model(ctx), sections.rewards_by_region(ctx))
    finally:
        mp.undo()
    assert len(calls) == 2  # the batched route really ran, once per section
    return whole, batched, in_memory


def test_rewards_pages_batched_are_the_in_memory_ones_exactly(pages):
    _, batched, in_memory = pages
    for b, w in zip(batched, in_memory):
        assert set(b.results) == set(w.results) and b.results
        for name in w.results:
            _exact(b.results[name], w.results[name])
        assert b.left_out == w.left_out and b.missing == w.missing
        assert b.records == w.records and b.texts == w.texts and b.parts == w.parts
        assert b.national == w.national
        _exact(b.answers, w.answers) if len(w.answers) else None
    assert {"regression", "moderation", "mediation", "skp_agreement", "ordinal"} <= set(batched[0].results)
    assert batched[0].results["moderation"]["term"].astype(str).str.contains("province").any()
    assert len(batched[1].results["by_region"])


def test_three_regions_below_the_national_route_are_unchanged(pages):
    whole, _, _ = pages  # three regions at the default INTERACTED_MAX: the in-memory route, region moderation
    assert whole[0].results["moderation"]["term"].astype(str).str.contains("region_code").any()


def test_brief_rewards_batched_is_the_in_memory_one(shuffled, monkeypatch):
    tables = kr.pipeline.load_processed(shuffled)
    constructs = dataset_constructs(shuffled)
    whole = national._rewards(tables, constructs, alpha=0.05, lang="en")
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)
    monkeypatch.setattr(national_rewards, "BATCH_REGIONS", 1)
    calls = []
    real = national_rewards.baseline_frame
    monkeypatch.setattr(national_rewards, "baseline_frame", lambda *a, **k: calls.append(1) or real(*a, **k))
    batched = national._rewards(tables, constructs, alpha=0.05, lang="en", dataset=shuffled)
    assert calls == [1]
    assert whole.results and set(batched.results) == set(whole.results)
    for name in whole.results:
        _exact(batched.results[name], whole.results[name])
    _exact(batched.answers, whole.answers)
    assert batched.left_out == whole.left_out and batched.missing == whole.missing


def test_survey_without_reward_items_says_reward(shuffled, tmp_path, monkeypatch):
    folder = tmp_path / "noreward"
    shutil.copytree(shuffled, folder)
    survey = pq.read_table(folder / "survey.parquet")
    constructs = dataset_constructs(folder)
    keep = [c for c in survey.column_names if c not in set(constructs["reward"].items)]
    pq.write_table(survey.select(keep), folder / "survey.parquet")
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)
    ctx = kr.report.start("t", dataset=str(folder), lang="en", out_dir=str(tmp_path))
    assert sections.rewards_model(ctx).missing == ["reward"]
    assert sections.rewards_by_region(ctx).missing == ["reward"]


def test_satisfaction_sections_read_only_their_columns(national_three, tmp_path):
    ctx = kr.report.start("t", dataset=str(national_three), lang="en", out_dir=str(tmp_path))
    seen = []
    real = ctx.view
    ctx.view = lambda columns=None: seen.append(columns["satisfaction"]) or real(columns)
    ikm = sections.satisfaction_ikm(ctx)
    details = sections.satisfaction_details(ctx)
    assert seen and all(s == list(sections.SATISFACTION_COLUMNS) for s in seen)
    full = kr.report.start("t", dataset=str(national_three), lang="en", out_dir=str(tmp_path))
    other = (sections.satisfaction_ikm(full, full.tables), None)
    for name in other[0].results:
        _exact(ikm.results[name], other[0].results[name])
    assert {"ikm", "elements"} <= set(ikm.results)
    assert {"units", "period_quarter", "period_semester"} <= set(details.results)
