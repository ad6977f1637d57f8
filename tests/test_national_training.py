"""The training page's DiD a batch of regions at a time (report.national_training) against the in-memory route
(national.did_by_region on the whole panel) on the small national world: same rows, records and answers; numbers
to 1e-10 (cell sums are formed in another order)."""

import numpy as np
import pandas as pd
import pytest

import kinerja_research as kr
from kinerja_research.report import national, national_training, sections


@pytest.fixture(scope="module")
def pages(national_three, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setattr(national, "INTERACTED_MAX", 1)  # the national route with three regions
    mp.setattr(national_training, "BATCH_REGIONS", 2)  # batches of two regions: one region's cells in each pass
    try:
        out = tmp_path_factory.mktemp("nt")
        ctx = kr.report.start("t", dataset=str(national_three), lang="en", out_dir=str(out))
        batched = sections.training_effect(ctx)
        whole = sections.training_effect(ctx, ctx.view(sections.section_columns(ctx)))
        direct = national_training.did_parts(ctx.dataset, ctx.regions, min_n=ctx.min_n, alpha=ctx.alpha)
        assert direct is not None and direct.res is not None  # the batched route ran (not the in-memory fallback)
        _same(direct.res, whole.results["did"])
    finally:
        mp.undo()
    return batched, whole


def _same(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for c in a.columns:
        x, y = a[c].reset_index(drop=True), b[c].reset_index(drop=True)
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-10, atol=1e-10, err_msg=c)
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), c


def test_batched_did_is_the_in_memory_did(pages):
    batched, whole = pages
    assert set(batched.results) == set(whole.results) >= {"did", "trends", "naive", "placebo"}
    for name in whole.results:
        _same(batched.results[name], whole.results[name])
    assert batched.left_out == whole.left_out
    assert batched.results["did"]["region"].notna().sum() == 3  # three regions' own effects, the pooled, the test
    assert batched.results["did"]["term"].str.contains(" x ").sum() == 1


def test_batched_records_and_answers_are_the_in_memory_ones(pages):
    batched, whole = pages
    assert [r["key"] for r in batched.records] == [r["key"] for r in whole.records]
    np.testing.assert_allclose([r["value"] for r in batched.records], [r["value"] for r in whole.records], rtol=1e-10)
    _same(batched.answers, whole.answers)
    assert batched.texts.keys() == whole.texts.keys()
    assert [f["key"] if isinstance(f, dict) else str(f) for f in batched.findings] == [
        f["key"] if isinstance(f, dict) else str(f) for f in whole.findings
    ]


def test_region_batches_are_sorted_and_cover_the_codes():
    assert national_training.region_batches(["12.71", "11.01", "11.02"], 2) == [["11.01", "11.02"], ["12.71"]]


def test_batched_jp_is_the_in_memory_jp(national_three, tmp_path, monkeypatch):
    ctx = kr.report.start("t", dataset=str(national_three), lang="en", out_dir=str(tmp_path))
    whole = sections.training_jp(ctx, ctx.view(sections.section_columns(ctx)))
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)
    monkeypatch.setattr(national_training, "BATCH_REGIONS", 2)
    direct = national_training.jp_parts(ctx.dataset, ctx.regions, alpha=ctx.alpha)
    assert direct.dose is not None and len(direct.dose) == 3
    batched = sections.training_jp(ctx)
    for name in ("dose", "dose_golongan"):
        _same(batched.results[name], whole.results[name])
    assert batched.records == whole.records
    _same(batched.answers, whole.answers)


def test_brief_training_and_jp_batched_are_the_in_memory_ones(national_three, monkeypatch):
    tables = kr.pipeline.load_processed(national_three)
    whole = national.brief_numbers(tables, lang="en")
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)
    monkeypatch.setattr(national_training, "BATCH_REGIONS", 2)
    batched = national.brief_numbers(tables, lang="en", dataset=national_three)
    for theme in ("training", "jp"):
        a, b = batched.part(theme), whole.part(theme)
        assert len(a.records) == len(b.records) == 3, theme
        assert [r["region"] for r in a.records] == [r["region"] for r in b.records]
        np.testing.assert_allclose([r["value"] for r in a.records], [r["value"] for r in b.records], rtol=1e-10)
        assert a.answers["text"].tolist() == b.answers["text"].tolist(), theme
        assert a.left_out == b.left_out and a.missing == b.missing
        for name in b.results:
            _same(a.results[name], b.results[name])


def test_batched_details_are_the_in_memory_ones(national_three, tmp_path, monkeypatch):
    ctx = kr.report.start("t", dataset=str(national_three), lang="en", out_dir=str(tmp_path))
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)
    monkeypatch.setattr(national_training, "BATCH_REGIONS", 2)
    batched = sections.training_details(ctx)
    monkeypatch.setattr(national_training, "detail_parts", lambda *a, **k: None)  # the in-memory route
    monkeypatch.setattr(national_training, "survey_training_frame", lambda *a, **k: None)
    monkeypatch.setattr(national_training, "survey_present", lambda *a, **k: [])
    monkeypatch.setattr(national, "INTERACTED_MAX", 30)  # the in-memory route of the survey part
    survey_only = sections.training_details(ctx)
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)
    whole = sections.training_details(ctx)
    whole.results.update({k: v for k, v in survey_only.results.items() if k == "paired"})
    whole.left_out.update({k: v for k, v in survey_only.left_out.items() if k == "paired"})
    assert set(batched.results) == set(whole.results) >= {"paired", "paired_capaian", "lmm", "dose_response"}
    for name in whole.results:
        _same(batched.results[name], whole.results[name])
    assert batched.left_out == whole.left_out
    assert batched.national == whole.national
