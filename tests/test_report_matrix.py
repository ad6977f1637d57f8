"""Reports run on whatever a dataset holds (issue 10.1, runner side): a matrix of datasets -- survey only; survey
without RTC items; performance only; satisfaction only; survey + performance without training; one region; many
small regions -- each gives a run that exits 0, runs every notebook whose needs the data meet and lists the others on
the index with the reason.

The default tests plan the suite's needs (as the notebooks declare them) against every shape and run one shape end
to end with small notebooks; the slow test runs the real notebooks on every shape.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from _report_suite import notebook

from kinerja_research import paths
from kinerja_research.report import runner
from kinerja_research.report.needs import dataset_contents, notebook_needs

#: The suite's needs as its notebooks declare them (metadata kinerja.needs / per_region).
NEEDS = {
    "00_data_audit": ({}, False),
    "01_instrument_quality": ({"tables": ["survey"]}, False),
    "02_training_impact": ({"tables": ["performance", "training"]}, False),
    "03_resistance_to_change": ({"tables": ["survey"], "constructs": ["resistance"]}, False),
    "04_reward_effects": (
        {"tables": ["survey", "performance", "training"], "constructs": ["reward", "sanction", "motivation"]},
        False,
    ),
    "05_public_satisfaction": ({"tables": ["satisfaction"]}, False),
    "10_region_comparison": ({}, False),
    "region_brief": ({}, True),
}
TABLES = ("survey", "performance", "training", "satisfaction")
#: shape -> (tables kept, survey columns dropped by prefix, regions kept (None: all), people per region (None: all))
SHAPES = {
    "survey_only": (("survey",), (), None, None),
    "survey_without_rtc": (("survey",), ("RTC",), None, None),
    "performance_only": (("performance",), (), None, None),
    "satisfaction_only": (("satisfaction",), (), None, None),
    "survey_performance_no_training": (("survey", "performance"), (), None, None),
    "one_region": (TABLES, (), ["18.71"], None),
    "many_small_regions": (TABLES, (), None, 3),
}
#: what each shape runs (the rest is listed as not run)
EXPECTED = {
    "survey_only": {"00_data_audit", "01_instrument_quality", "03_resistance_to_change", "10_region_comparison"},
    "survey_without_rtc": {"00_data_audit", "01_instrument_quality", "10_region_comparison"},
    "performance_only": {"00_data_audit", "10_region_comparison"},
    "satisfaction_only": {"00_data_audit", "05_public_satisfaction", "10_region_comparison"},
    "survey_performance_no_training": {
        "00_data_audit",
        "01_instrument_quality",
        "03_resistance_to_change",
        "10_region_comparison",
    },
    "one_region": set(NEEDS) - {"region_brief"},
    "many_small_regions": set(NEEDS) - {"region_brief"},
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The default synthetic data at a small scale, cleaned once."""
    from kinerja_research import pipeline, synth

    root = tmp_path_factory.mktemp("matrix")
    mp = pytest.MonkeyPatch()
    mp.setenv("KINERJA_PSEUDONYM_KEY", "test-key-not-secret")
    synth.write_default(root / "raw", seed=2026, scale=0.05)
    pipeline.build_processed("matrix", raw_dir=root / "raw", out_dir=root / "processed")
    mp.undo()
    return root / "processed"


def shape(base: Path, folder: Path, name: str) -> Path:
    """A processed dataset of one shape, derived from ``base`` (tables removed, items dropped, regions cut)."""
    keep, drop_prefixes, regions, per_region = SHAPES[name]
    shutil.copytree(base, folder)
    people = None
    if per_region is not None:
        survey = pd.read_parquet(folder / "survey.parquet")
        perf = pd.read_parquet(folder / "performance.parquet")
        both = survey[survey["person_id"].isin(perf["person_id"])].drop_duplicates("person_id")
        people = set(both.groupby("region_code").head(per_region)["person_id"])
    for t in TABLES:
        f = folder / f"{t}.parquet"
        if t not in keep:
            f.unlink(missing_ok=True)
            continue
        df = pd.read_parquet(f)
        if t == "survey" and drop_prefixes:
            df = df.drop(columns=[c for c in df.columns if c.startswith(drop_prefixes)])
        if regions is not None:
            df = df[df["region_code"].isin(regions)]
        if people is not None:
            if "person_id" in df.columns:
                df = df[df["person_id"].isin(people)]
            else:
                df = df.groupby("region_code").head(per_region)
        df.reset_index(drop=True).to_parquet(f)
    return folder


def suite_notebooks(folder: Path) -> Path:
    """Small notebooks with the suite's names and declared needs (each shows a line and finishes)."""
    for name, (needs, per_region) in NEEDS.items():
        notebook(
            folder / f"{name}.ipynb",
            [f'ctx.heading("common.nb.{name}", level=1)\nctx.finish()'],
            {"kinerja": {"needs": needs, "per_region": per_region}},
        )
    return folder


@pytest.mark.parametrize("name", list(SHAPES))
def test_plan_runs_what_each_shape_can_feed(base, tmp_path, name):
    data = shape(base, tmp_path / name, name)
    nbs = suite_notebooks(tmp_path / "nbs")
    regions = runner.resolve_run_regions(str(data), all_regions=True)
    jobs, skipped = runner.plan_run(
        dataset=str(data),
        regions=regions,
        lang="id",
        alpha=0.05,
        seed=1,
        work_dir=tmp_path / "w",
        run_id="r",
        notebooks_dir=nbs,
        contents=dataset_contents(data),
    )
    ran = {j.notebook for j in jobs} - {"region_brief"}
    assert ran == EXPECTED[name]
    assert {s["notebook"] for s in skipped} == set(NEEDS) - {"region_brief"} - ran
    assert all(s["reasons"] for s in skipped)
    assert sum(j.notebook == "region_brief" for j in jobs) == len(regions)


def test_a_survey_only_run_exits_0_and_lists_what_it_did_not_run(base, tmp_path):
    data = shape(base, tmp_path / "survey_only", "survey_only")
    nbs = suite_notebooks(tmp_path / "nbs")
    summary = runner.run_suite(
        dataset=str(data),
        regions=["18.71"],
        lang="en",
        workers=2,
        out=tmp_path / "reports" / "run",
        notebooks_dir=nbs,
        progress=False,
    )
    assert summary.ok, runner.failure_lines(summary)
    assert {j["notebook"] for j in summary.jobs} == EXPECTED["survey_only"] | {"region_brief"}
    index = (summary.run_dir / "index.html").read_text()
    assert "Not run on these data" in index
    assert "Training impact: needs the performance (SKP) table, which these data do not have" in index
    assert "Public satisfaction (SKM): needs the public satisfaction (SKM) table" in index


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHAPES))
def test_the_real_suite_on_every_shape(base, tmp_path, name):
    """The real notebooks (each declares its needs): exit 0 and a note for what is left out, on every shape."""
    assert all(
        notebook_needs(json.loads(p.read_text())["metadata"])["per_region"] is not None
        for p in paths.NOTEBOOKS.glob("*.ipynb")
    )
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "test-key-not-secret")
    data = shape(base, tmp_path / name, name)
    summary = runner.run_suite(
        dataset=str(data), all_regions=True, lang="id", workers=2, out=tmp_path / "reports" / name, progress=False
    )
    assert summary.ok, "\n".join(runner.failure_lines(summary))
    ran = {j["notebook"] for j in summary.jobs} - {"region_brief"}
    assert ran == EXPECTED[name]
