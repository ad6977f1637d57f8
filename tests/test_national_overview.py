"""The audit page's survey parts a batch of regions at a time (report.national_overview) against the route of the
tables in memory: on a hand-written processed folder (a person in two regions, a missing person id, missing answers,
quality flags, a region without response times) and on the small national world, with batches of one or two
regions. Every table is compared exactly (the batched route concatenates per-region rows and counts people by
hashed id: no sum changes order)."""

import json

import numpy as np
import pandas as pd
import pytest

import kinerja_research as kr
from kinerja_research.report import national, national_overview, sections

SURVEY = [
    # person, region, wave, trained, duration, gender, age, education, golongan, tenure, too_fast, RTC01, RTC02
    ("p1", "11.01", "pre", False, 300.0, "L", 25, "S1", "III/a", 2, False, 4, 3),
    ("p1", "11.01", "post", False, 280.0, "L", 26, "S1", "III/b", 3, False, 4, None),
    ("p2", "11.01", "pre", True, 20.0, "P", 41, "S2", "IV/a", 15, True, None, 2),
    ("p3", "11.01", "post", True, 500.0, "P", 33, "D3", "II/c", 7, False, 5, 5),
    ("p4", "11.02", "pre", False, None, "L", 52, "S1", "III/c", 25, False, 3, 3),
    ("p4", "11.02", "post", False, None, "L", 53, "S1", "III/c", 26, False, 3, 2),
    ("p5", "11.02", "pre", True, None, "P", 29, "S1", "III/a", 4, None, 1, None),
    ("p6", "12.71", "pre", True, 410.0, "P", 38, "S2", "III/d", 12, False, 2, 2),
    ("p6", "12.71", "post", True, 390.0, "P", 39, "S2", "III/d", 13, False, 2, 3),
    ("p1", "12.71", "pre", False, 250.0, "L", 25, "S1", "III/a", 2, False, 4, 4),  # p1 answered in two regions
    (None, "12.71", "post", False, 15.0, None, None, None, None, None, True, None, None),
    ("p7", "12.71", "post", False, 600.0, "L", 58, "SMA", "II/a", 35, False, 4, 4),
    ("p8", "13.05", "pre", True, 330.0, "L", 45, "S1", "III/b", 20, False, 3, 4),
]
COLUMNS = [
    "person_id",
    "region_code",
    "wave",
    "trained",
    "duration_s",
    "gender",
    "age",
    "education",
    "golongan",
    "tenure_years",
    "too_fast",
    "RTC01",
    "RTC02",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A processed folder written by hand: a survey in region order as a national clean writes it, people in the
    performance table too (p9 only there) and a satisfaction table without person ids."""
    f = tmp_path_factory.mktemp("overview")
    survey = pd.DataFrame(SURVEY, columns=COLUMNS)
    for c in ("person_id", "region_code", "wave", "gender", "education", "golongan"):
        survey[c] = survey[c].astype("string")
    survey["too_fast"] = survey["too_fast"].astype("boolean")
    survey.to_parquet(f / "survey.parquet", index=False)
    perf = pd.DataFrame(
        {"person_id": ["p1", "p9", "p4", "p6", "p9"], "region_code": ["11.01", "11.01", "11.02", "12.71", "13.05"]}
    ).astype("string")
    perf["capaian_pct"] = [90.0, 80.0, 100.0, 95.0, 85.0]
    perf.to_parquet(f / "performance.parquet", index=False)
    pd.DataFrame({"region_code": ["11.01", "12.71"], "U1": [3, 4]}).to_parquet(f / "satisfaction.parquet")
    (f / "manifest.json").write_text(json.dumps({"parameters": {"seconds_per_item": 2.0, "items": ["RTC01", "RTC02"]}}))
    return f


def _steps(lang="en", min_n=1):
    return dict(
        first_rows=sections._first_rows,
        pieces=lambda people: sections._characteristics(people, lang=lang),
        table=lambda pieces, total: sections._characteristics_table(pieces, total, lang=lang, min_n=min_n),
    )


def _same(a, b):
    if isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True)
    else:
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_batched_parts_are_the_in_memory_parts(folder, size, monkeypatch):
    regions = ["11.01", "11.02", "12.71", "13.05"]
    manifest = json.loads((folder / "manifest.json").read_text())
    whole = national_overview.audit_parts_in_memory(kr.pipeline.load_processed(folder), manifest, **_steps())
    calls = []
    real = national_overview.load_table
    monkeypatch.setattr(
        national_overview, "load_table", lambda t, d, **k: calls.append((t, tuple(k["regions"]))) or real(t, d, **k)
    )
    batched = national_overview.audit_parts(folder, regions, manifest, size=size, **_steps())
    assert batched.batches == -(-len(regions) // size)  # the batched route ran, one read per batch and table
    assert {r for t, b in calls if t == "survey" for r in b} == set(regions)
    assert max(len(b) for _, b in calls) <= size
    for name in ("n_people", "missing", "respondents", "durations", "medians", "samples", "characteristics"):
        _same(getattr(batched, name), getattr(whole, name))
    assert batched.has_survey and whole.has_survey
    assert batched.threshold == whole.threshold == 4.0
    assert batched.flagged == whole.flagged == 1 / 8  # p2 (a flagged row without id is nobody); 8 people
    # p1 answered in two regions: counted once among the characteristics, in each region among its respondents
    assert batched.characteristics.query("variable == 'gender'")["count"].sum() == 9  # 8 ids + the missing one
    assert batched.respondents["11.01"] == 3 and batched.respondents["12.71"] == 3
    assert batched.n_people["11.01"] == 4  # p9 of the performance table counts
    drawn = batched.drawn(["12.71"])  # the boxplot's columns only, the same rows
    _same(drawn, whole.drawn(["12.71"])[drawn.columns])


def test_characteristics_suppress_small_cells(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    parts = national_overview.audit_parts(
        folder, ["11.01", "11.02", "12.71", "13.05"], manifest, size=1, **_steps(min_n=5)
    )
    shown = parts.characteristics
    assert len(shown) and (shown["count"] >= 5).all()


@pytest.fixture(scope="module")
def audits(national_three, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    try:
        out = tmp_path_factory.mktemp("ov")
        ctx = kr.report.start("00_data_audit", dataset=str(national_three), lang="en", out_dir=str(out))
        whole = sections.audit(ctx)  # three regions: the tables in memory
        mp.setattr(national, "INTERACTED_MAX", 1)
        mp.setattr(national_overview, "BATCH_REGIONS", 2)
        ran = []
        real = national_overview.audit_parts
        mp.setattr(national_overview, "audit_parts", lambda *a, **k: ran.append(1) or real(*a, **k))
        batched = sections.audit(ctx)
        assert ran  # the batched route ran
    finally:
        mp.undo()
    return batched, whole


def test_batched_audit_is_the_in_memory_audit(audits):
    batched, whole = audits
    assert set(batched.tables) == set(whole.tables) >= {"by_region", "characteristics", "durations", "missing"}
    for name, t in whole.tables.items():
        b = batched.tables[name]
        assert {k: v for k, v in b.items() if k != "df"} == {k: v for k, v in t.items() if k != "df"}, name
        _same(b["df"], t["df"])
    for name in whole.results:
        _same(batched.results[name], whole.results[name])
    assert batched.findings == whole.findings and batched.texts == whole.texts and batched.records == whole.records
    assert sorted(batched.figures) == sorted(whole.figures) == ["durations"]
    shown = batched.results["characteristics"]
    assert (shown["count"] >= 5).all()


def test_audit_page_boxplot_rows(audits, national_three):
    batched, _ = audits
    rows = national_overview.drawn_rows(national_three, ["17.71"])
    assert rows.columns.tolist() == ["region_code", "person_id", "duration_s"]
    assert set(rows["region_code"]) == {"17.71"}
    assert np.isfinite(rows["duration_s"].dropna()).all()


def test_batched_resistance_by_region_is_the_in_memory_one(national_three, tmp_path, monkeypatch):
    ctx = kr.report.start("10_region_comparison", dataset=str(national_three), lang="en", out_dir=str(tmp_path))
    whole = sections._resistance_by_region(ctx, ctx.view(sections.section_columns(ctx, ["resistance"])))
    reads = []
    real = national_overview.load_table
    monkeypatch.setattr(
        national_overview, "load_table", lambda t, d, **k: reads.append(k["regions"]) or real(t, d, **k)
    )
    post = national_overview.post_scores(
        ctx.dataset,
        ctx.regions,
        sections._constructs(ctx),
        score=lambda s, c: sections.construct_scores(s, c, ["resistance"]),
        size=1,
    )
    assert len(reads) == 3 and all(len(r) == 1 for r in reads)  # the batched route ran, one region a time
    assert list(post.columns) == national_overview.POST_COLUMNS
    batched = sections._resistance_by_region(ctx, None, post)
    assert whole["region"].tolist() == ["11.73", "17.71", "18.71"]  # each region's trained - untrained
    _same(batched, whole)


def test_comparison_reads_the_satisfaction_columns_its_trend_and_levels_use(national_three, tmp_path):
    """The comparison page reads the satisfaction table once, with region, unit, period and U1-U9 only (not its
    respondent, date and demographic columns), and its IKM trend rows are the trend of the whole table."""
    ctx = kr.report.start("10_region_comparison", dataset=str(national_three), lang="en", out_dir=str(tmp_path))
    reads = []
    real = ctx._read
    ctx._read = lambda name, columns: reads.append((name, columns)) or real(name, columns)
    sec = sections.comparison(ctx)
    sat = [c for n, c in reads if n == "satisfaction"]
    assert sat == [["region_code", *[c for c in sections.SATISFACTION_COLUMNS if c != "region_code"]]]
    whole = kr.pipeline.load_table("satisfaction", national_three)
    assert len(whole.columns) > len(sat[0])
    trend = kr.analysis.satisfaction.ikm_trend(whole, between="region_code", alpha=ctx.alpha)
    family = sec.results["family"]
    mine = family[family["theme"] == "satisfaction"].reset_index(drop=True)
    assert mine["region"].tolist() == trend["region"].tolist() and len(mine) == 3
    for c in ("estimate", "se", "ci_low", "ci_high", "p"):
        assert mine[c].tolist() == trend[c].tolist(), c
