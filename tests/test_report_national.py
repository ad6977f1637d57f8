"""National scale (issue 13.3-13.5): every region's brief numbers in one pass, equal to the thematic pages' rules; the
briefs rendered in batches without a kernel each, identical to the per-region notebook in its own kernel; reads of
only the columns and regions asked; the same run on a Dask cluster."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _report_suite import NATIONAL_THREE, notebook

from kinerja_research import paths, pipeline
from kinerja_research.analysis.rewards import regression
from kinerja_research.analysis.satisfaction import ikm
from kinerja_research.errors import KinerjaError
from kinerja_research.report import national, runner, sections

REGIONS = NATIONAL_THREE
VOLATILE = re.compile(r'<span class="kr-volatile">[^<]*</span>')


@pytest.fixture(scope="module")
def data(national_three):
    """The generator's default world at a small scale, three regions, cleaned (shared by the session)."""
    return national_three


class _Ctx:
    """The attributes of a notebook context the section functions read."""

    def __init__(self, dataset, tables, lang="en", min_n=5):
        self.dataset, self.tables, self.lang, self.min_n = str(dataset), tables, lang, min_n
        self.alpha, self.seed, self.level, self.style = 0.05, 2026, 95.0, "standard"

    def region_name(self, code):
        return code


# ------------------------------------------------------------------------------------------------- reading
def test_load_table_reads_only_the_columns_and_regions_asked(data):
    for table in pipeline.TABLES:
        whole = pipeline.load_table(table, data)
        cols = ["region_code", "period", "no_such_column"] if table != "survey" else ["person_id", "region_code"]
        part = pipeline.load_table(table, data, columns=cols, regions=["17.71", "11.73"])
        expected = whole[[c for c in cols if c in whole.columns]]
        expected = expected[expected["region_code"].astype(str).isin(["17.71", "11.73"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected)
        assert pipeline.load_table(table, data, regions=[]).empty
    with pytest.raises(KinerjaError, match="one string"):
        pipeline.load_table("survey", data, regions="18.71")


def test_held_tables_serve_their_regions_and_nothing_else(data):
    whole = pipeline.load_table("performance", data)
    with pipeline.hold_tables(data, ["18.71", "17.71"]):
        held = pipeline.load_table("performance", data, regions=["17.71"], columns=["person_id", "region_code"])
        everything = pipeline.load_table("performance", data)  # not among the held reads: from the file
    expected = whole[whole["region_code"].astype(str) == "17.71"][["person_id", "region_code"]]
    pd.testing.assert_frame_equal(held, expected.reset_index(drop=True))
    pd.testing.assert_frame_equal(everything, whole)
    assert pipeline._HELD == {}


# ------------------------------------------------------------------------------------------------- the numbers
def test_brief_numbers_are_the_thematic_pages_numbers(data):
    """The one-pass numbers equal what the thematic section functions compute for every region (same answers text,
    values and headline records), so a brief and the pages agree."""
    tables = pipeline.load_processed(data)
    ctx = _Ctx(data, tables)
    numbers = national.brief_parts(ctx)  # reads brief_columns() only
    pages = [
        sections.training_effect(ctx, tables),
        sections.training_jp(ctx, tables),
        sections.resistance_levels(ctx, tables, invariance_test=False),
        sections.rewards_by_region(ctx, tables),
        sections.satisfaction_ikm(ctx, tables),
    ]
    assert numbers.regions == sorted(REGIONS)
    for theme, mine, page in zip(national.THEMES, numbers.parts, pages):
        a = mine.answers[mine.answers["question"] == theme].reset_index(drop=True)
        b = page.answers[page.answers["question"] == theme].reset_index(drop=True)
        assert len(a) == len(b) > 0, theme
        assert a["region"].tolist() == b["region"].tolist()
        assert a["text"].tolist() == b["text"].tolist(), theme
        np.testing.assert_allclose(a["value"].astype(float), b["value"].astype(float), rtol=0, atol=1e-9)
        theirs = [r for r in page.records if r.get("region") and r["key"] in national._BRIEF_KEYS]
        assert mine.records == theirs, theme
        assert (mine.missing, mine.too_few) == (page.missing, page.too_few), theme
    assert national.brief_parts(ctx) is numbers  # kept for the process


def _same_numbers(a: national.BriefNumbers, b: national.BriefNumbers) -> None:
    """Two national passes give identical numbers: every result frame, record, answer, left-out list (exactly)."""
    assert a.regions == b.regions
    for theme in national.THEMES:
        x, y = a.part(theme), b.part(theme)
        assert x.records == y.records, theme
        pd.testing.assert_frame_equal(x.answers, y.answers, check_exact=True)
        assert sorted(x.results) == sorted(y.results), theme
        for name in x.results:
            pd.testing.assert_frame_equal(x.results[name], y.results[name], check_exact=True)
        assert (x.left_out, x.missing, x.too_few) == (y.left_out, y.missing, y.too_few), theme


def test_national_pass_reads_region_codes_only_where_parts_read_their_own_batches(data, monkeypatch):
    """Above INTERACTED_MAX regions the training, JP, resistance and rewards parts read their own batches from the
    dataset: the pass reads performance, training and survey as their region codes only (no item, no person
    column) and gives the numbers of the pass on every brief column read whole, exactly; so does a training part
    that falls back to the in-memory route; a dataset of a few regions is read whole as before."""
    from kinerja_research.analysis.frames import dataset_constructs
    from kinerja_research.report import national_training

    opts = dict(lang="en", alpha=0.05, seed=2026, min_n=5)
    constructs = dataset_constructs(str(data))
    columns = national.brief_columns(constructs)
    real = national.brief_numbers
    seen = []

    def spy(tables, **kw):
        seen.append({t: list(df.columns) for t, df in tables.items()})
        return real(tables, **kw)

    def whole():
        tables = pipeline.load_processed(data, columns=columns)
        return real(tables, constructs=constructs, dataset=str(data), **opts)

    monkeypatch.setattr(national, "brief_numbers", spy)
    assert national._compute(str(data), **opts).regions == sorted(REGIONS)  # three regions: every column whole
    items = [i for n in ("resistance", "reward") for i in constructs[n].items]
    assert set(items) <= set(seen[-1]["survey"]) and "capaian_pct" in seen[-1]["performance"]
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)  # the three regions stand for a national run's 514
    monkeypatch.setattr(national_training, "BATCH_REGIONS", 2)
    _same_numbers(national._compute(str(data), **opts), whole())
    sat = [c for c in columns["satisfaction"] if c in pipeline.load_table("satisfaction", data).columns]
    codes = ["region_code"]
    assert seen[-1] == {"survey": codes, "performance": codes, "training": codes, "satisfaction": sat}
    monkeypatch.setattr(national_training, "did_parts", lambda *a, **k: None)  # the training part's fallback
    fallback = national._compute(str(data), **opts)
    assert fallback.part("training").records and seen[-1]["survey"] == codes
    _same_numbers(fallback, whole())


def test_did_by_region_is_the_interacted_did_without_its_design(data):
    """Above INTERACTED_MAX regions the training page takes the per-region DiD rows and the equal-effects test from
    the regions' own models: the interacted model's numbers (its CR2 covariance is block-diagonal by region)."""
    from kinerja_research.analysis.frames import performance_panel
    from kinerja_research.analysis.training import did

    panel, _ = national.large_enough(
        performance_panel(pipeline.load_processed(data)), min_n=5, between=["trained", "wave"]
    )
    ref = sections._did_per_region(
        panel, did(panel, dv="capaian_pct", between=["trained", "region_code"], alpha=0.05), 0.05
    )
    mine = national.did_by_region(panel, alpha=0.05)
    assert mine.columns.tolist() == ref.columns.tolist()
    assert mine["term"].tolist() == ref["term"].tolist()
    assert mine["region"].fillna("").tolist() == ref["region"].fillna("").tolist()
    for col in ("estimate", "se", "ci_low", "ci_high", "statistic", "df", "df1", "df2", "p", "n", "n_obs"):
        np.testing.assert_allclose(mine[col].astype(float), ref[col].astype(float), rtol=1e-6, err_msg=col)


def test_pairwise_tables_of_many_regions_show_the_extremes():
    codes = [f"{i:02d}.01" for i in range(11, 41)]
    means = pd.DataFrame({"region": codes, "estimate": np.arange(30.0)})
    pairs = pd.DataFrame(
        [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]] + [(None, None)], columns=["group_a", "group_b"]
    )
    shown = national.pairs_at_the_ends(pairs, means)
    assert len(shown) == 45 + 1  # the pairs among 10 regions and the omnibus row
    ends = set(codes[:5]) | set(codes[-5:])
    assert set(shown["group_a"].dropna()) | set(shown["group_b"].dropna()) == ends


def test_grouped_ols_equals_regression_per_region(data):
    rng = np.random.default_rng(4)
    n = 300
    d = pd.DataFrame(
        {
            "region_code": rng.choice(["a", "b", "c"], n),
            "reward": rng.normal(3, 1, n),
            "motivation": rng.normal(4, 0.5, n),
        }
    )
    d["capaian_pct"] = 80 + 2 * d["reward"] - d["motivation"] + rng.normal(0, 3, n)
    d.loc[[3, 17], "reward"] = np.nan
    mine = national.grouped_ols(d, dv="capaian_pct", covar=["reward", "motivation"])
    for code, sub in d.groupby("region_code"):
        ref = pd.DataFrame(regression(sub, dv="capaian_pct", covar=["reward", "motivation"]))
        ref = ref[ref["term"] != "model"].reset_index(drop=True)
        got = mine[mine["region"] == code].reset_index(drop=True)
        assert got["term"].tolist() == ref["term"].tolist()
        for col in ("estimate", "se", "ci_low", "ci_high", "statistic", "df", "p", "n"):
            np.testing.assert_allclose(got[col].astype(float), ref[col].astype(float), rtol=1e-9, atol=1e-10)


def test_ikm_by_region_is_each_regions_own_ikm(data):
    sat = pipeline.load_table("satisfaction", data)
    mine = national.ikm_by_region(sat, alpha=0.05, seed=7, n_boot=500)
    ref = pd.concat(
        [ikm(sub, alpha=0.05, n_boot=500, seed=7) for _, sub in sat.groupby(sat["region_code"].astype(str))],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(mine, ref, check_exact=True)


def test_figures_show_the_region_and_its_province_at_national_scale():
    codes = [f"{p:02d}.{k:02d}" for p in (11, 12, 13) for k in range(1, 31)]
    values = np.arange(len(codes), dtype=float)
    shown = national.shown_regions(codes, "12.05", values)
    assert len(shown) == national.FIGURE_MAX and "12.05" in shown
    assert all(c.startswith("12.") for c in shown)
    assert national.shown_regions(codes[:5], "11.01") == codes[:5]
    df = pd.DataFrame({"region": codes, "estimate": values})
    rows, notes = national.figure_rows(df, "12.05", value="estimate", lang="en", name="Kota X")
    assert len(rows) == national.FIGURE_MAX and "90 regions" in notes[0] and "Kota X" in notes[0]


# ------------------------------------------------------------------------------------------------- the runs
def _pages(run: Path) -> dict[str, str]:
    return {p.name: VOLATILE.sub("", p.read_text(encoding="utf-8")) for p in run.glob("region_brief_*.html")}


def _heads(run: Path) -> dict[str, dict]:
    out = {}
    for p in run.glob("region_brief_*.headline.json"):
        head = json.loads(p.read_text(encoding="utf-8"))
        head.pop("provenance", None)
        out[p.name] = head
    return out


@pytest.fixture(scope="module")
def batch_run(data, tmp_path_factory):
    if not (paths.NOTEBOOKS / "region_brief.ipynb").exists():
        pytest.skip("notebooks/region_brief.ipynb is absent")
    out = tmp_path_factory.mktemp("runs") / "batch"
    summary = runner.run_suite(
        dataset=str(data), all_regions=True, lang="en", workers=2, out=out, notebooks=["region_brief"],
        progress=False, publish=False,
    )  # fmt: skip
    assert summary.ok, "\n".join(runner.failure_lines(summary))
    return out


def _kernel_run(data, out: Path, regions) -> Path:
    summary = runner.run_suite(
        dataset=str(data), regions=regions, lang="en", workers=2, out=out, notebooks=["region_brief"],
        progress=False, publish=False, kernels=True,
    )  # fmt: skip
    assert summary.ok, "\n".join(runner.failure_lines(summary))
    return out


def test_a_batched_brief_equals_the_per_region_notebook_in_its_own_kernel(data, batch_run, tmp_path):
    """The same page (apart from the run time) and the same headline numbers from the batch and from the notebook in
    a kernel of its own (as JupyterLab runs it)."""
    kernel = _kernel_run(data, tmp_path / "kernel", ["17.71"])
    assert sorted(_heads(batch_run)) == [f"region_brief_{c}.headline.json" for c in sorted(REGIONS)]
    name = "region_brief_17.71"
    assert _heads(kernel)[f"{name}.headline.json"] == _heads(batch_run)[f"{name}.headline.json"]
    assert _pages(kernel)[f"{name}.html"] == _pages(batch_run)[f"{name}.html"]


@pytest.mark.slow
def test_batched_briefs_equal_one_kernel_per_region(data, batch_run, tmp_path):
    kernels = _kernel_run(data, tmp_path / "kernels", REGIONS)
    assert _heads(batch_run) == _heads(kernels)
    assert _pages(batch_run) == _pages(kernels)


def test_batches_split_per_region_jobs_over_the_workers():
    jobs = [
        runner.Job(notebook="b", stem=f"b_{i}", input_path="", parameters={}, work_dir="", run_id="", region=str(i))
        for i in range(150)
    ]
    jobs.append(runner.Job(notebook="a", stem="a", input_path="", parameters={}, work_dir="", run_id=""))
    grouped = runner.batches(jobs, slots=2)
    assert [len(b) for b in grouped] == [64, 64, 22]
    assert [j.region for b in grouped for j in b] == [str(i) for i in range(150)]
    assert [len(b) for b in runner.batches(jobs[:10], slots=4)] == [3, 3, 3, 1]


def test_a_failing_cell_of_a_batched_page_is_reported_like_a_kernels(data, tmp_path):
    nbs = tmp_path / "nbs"
    notebook(nbs / "region_brief.ipynb", ["x = 1", "raise ValueError('broken on purpose')", "ctx.finish()"],
             {"kinerja": {"per_region": True}})  # fmt: skip
    summary = runner.run_suite(
        dataset=str(data), regions=["18.71", "17.71"], lang="en", workers=1, out=tmp_path / "run",
        notebooks=["region_brief"], notebooks_dir=nbs, progress=False, publish=False,
    )  # fmt: skip
    assert [f["error"]["ename"] for f in summary.failures] == ["ValueError", "ValueError"]
    assert {f["error"]["cell"] for f in summary.failures} == {4}  # parameters, injected parameters, start, x = 1
    assert "broken on purpose" in summary.failures[0]["error"]["evalue"]


@pytest.mark.slow
def test_dask_cluster_gives_the_local_runs_outputs(data, batch_run, tmp_path):
    """Slow (a LocalCluster and a fresh process per batch); the small version is test_report_runner's Dask test,
    which runs a brief through the same batch path on a LocalCluster."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl:
        summary = runner.run_suite(
            dataset=str(data), all_regions=True, lang="en", scheduler=cl.scheduler_address, out=tmp_path / "dask",
            notebooks=["region_brief"], progress=False, publish=False,
        )  # fmt: skip
    assert summary.ok, "\n".join(runner.failure_lines(summary))
    assert _heads(tmp_path / "dask") == _heads(batch_run)
    assert _pages(tmp_path / "dask") == _pages(batch_run)


def test_comparable_latent_means_table_has_every_column_labelled(data, monkeypatch):
    """The latent-means table is shown only where scalar invariance holds, which the default data never reach: its
    columns (invariance level, freed intercepts) were unlabelled and the resistance page stopped there. The real
    latent means, marked comparable, go through the page's formatting in both languages."""
    from kinerja_research.report.tables import format_table

    real = sections.latent_means
    monkeypatch.setattr(sections, "latent_means", lambda *a, **k: real(*a, **k).assign(comparable=True))
    tables = pipeline.load_processed(data)
    sec = sections.resistance_levels(_Ctx(data, tables), tables)
    shown = sec.tables["latent_means"]
    frames = [shown["df"], shown.get("detail", shown["df"])]
    assert "comparable" not in frames[1].columns and {"level", "partial"} <= set(frames[1].columns)
    for lang in ("en", "id"):
        for frame in frames:
            out = format_table(frame, lang=lang, ns="resistance", labels=shown["labels"], min_n=None)
            assert len(out) == len(frame) > 0
