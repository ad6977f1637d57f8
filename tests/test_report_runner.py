"""report.runner / render: parallel execution, failure handling, atomic outputs, reproducibility, index pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from kinerja_research.errors import KinerjaError
from kinerja_research.report import runner
from kinerja_research.report.provenance import VOLATILE_CLASS

PARAMS = (
    'dataset: str = "default"  # processed dataset\nregions: list[str] = []  # Kemendagri codes\n'
    'lang: str = "id"  # "id" | "en"\nalpha: float = 0.05  # significance level\nseed: int = 2026  # seed\n'
    'min_cell: int = 5  # small-cell threshold\nstyle: str = "standard"  # layout\n'
    'out_dir: str = ""  # headline JSON folder'
)


def write_notebook(path: Path, cells: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell(PARAMS)
    p.metadata["tags"] = ["parameters"]
    start = (
        f'import kinerja_research as kr\nctx = kr.report.start("{path.stem}", dataset=dataset, regions=regions, '
        f"lang=lang, alpha=alpha, seed=seed, min_cell=min_cell, style=style, out_dir=out_dir)"
    )
    nb.cells = [p, nbformat.v4.new_code_cell(start)] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def make_processed(folder: Path) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(3)
    n = 64
    pd.DataFrame(
        {
            "person_id": [f"P{i:016x}" for i in range(n)],
            "region_code": np.repeat(["18.71", "17.71"], [40, 24]),
            "wave": "pre",
            "trained": rng.random(n) > 0.5,
            "RTC01": rng.integers(1, 7, n).astype(float),
        }
    ).to_parquet(folder / "survey.parquet")
    (folder / "manifest.json").write_text(json.dumps({"inputs": [{"file": "survey.csv", "sha256": "cd" * 32}]}))
    return folder


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """A tiny suite: an audit that works (table, figure, headline), a comparison that fails, a regional brief."""
    root = tmp_path_factory.mktemp("suite")
    nbs = root / "notebooks"
    nbs.mkdir()
    write_notebook(
        nbs / "00_data_audit.ipynb",
        [
            'ctx.heading("common.nb.00_data_audit", level=1)',
            's = ctx.tables["survey"]\nm = s.groupby("region_code")["RTC01"].agg(estimate="mean", n="size").reset_index()'
            '\nctx.show(m, caption_key="common.col.mean")',
            'import warnings\nwarnings.warn("a warning that must not reach the page")',
            'ax = kr.report.plots.plot_distribution(s, x="RTC01", group="region_code", lang=lang)\n'
            'ctx.figure(ax, "common.col.value")',
            'ctx.record("n_people", len(s), label_key="common.col.n", spec="n")\n'
            'ctx.record("raw_key_without_label", 1.5)\nctx.finish()',
        ],
    )
    write_notebook(
        nbs / "10_region_comparison.ipynb",
        ['ctx.heading("common.nb.10_region_comparison", level=1)', "x = 1 / 0", "ctx.finish()"],
    )
    write_notebook(
        nbs / "region_brief.ipynb",
        [
            'ctx.heading("common.nb.region_brief", level=1)',
            'ctx.record("n_people", len(ctx.tables["survey"]), label_key="common.col.n", spec="n")\nctx.finish()',
        ],
    )
    data = make_processed(root / "processed")
    return root, nbs, data


@pytest.fixture(scope="module")
def two_runs(suite):
    """Two runs into the same folder, 2 workers: the suite with its failing notebook, then the working notebooks
    again (which replaces the first run). Returns both summaries and a snapshot of the first run's files."""
    root, nbs, data = suite
    out = root / "reports" / "run"
    first = runner.run_suite(
        dataset=str(data),
        regions=["Kota Bandar Lampung"],
        lang="en",
        workers=2,
        out=out,
        notebooks_dir=nbs,
        progress=False,
    )
    saved = {
        str(p.relative_to(out)): p.read_bytes().decode("utf-8") if p.suffix != ".xlsx" else p.read_bytes()
        for p in out.rglob("*")
        if p.is_file()
    }
    mp = pytest.MonkeyPatch()
    mp.chdir(data.parent)  # the second run names the dataset by a relative path (issue 15.6)
    second = runner.run_suite(
        dataset=data.name,
        regions=["18.71"],
        lang="en",
        workers=2,
        out=out,
        notebooks=["00_data_audit", "region_brief"],
        notebooks_dir=nbs,
        progress=False,
    )
    mp.undo()
    return first, second, saved, out


def test_failure_does_not_stop_others_and_is_reported(two_runs):
    summary, _, saved, _ = two_runs
    status = {j["stem"]: j["ok"] for j in summary.jobs}
    assert status == {"00_data_audit": True, "10_region_comparison": False, "region_brief_18.71": True}
    assert not summary.ok
    (line,) = runner.failure_lines(summary)
    assert "10_region_comparison failed at cell" in line and "ZeroDivisionError: division by zero" in line
    err = summary.failures[0]["error"]
    assert err["exec_count"] is not None and "1 / 0" in err["traceback"]
    kept = nbformat.reads(saved["10_region_comparison.ipynb"], as_version=4)
    assert any(o.get("ename") == "ZeroDivisionError" for c in kept.cells for o in c.get("outputs", []))
    assert "10_region_comparison.html" not in saved
    log = saved["logs/10_region_comparison.log"]
    assert "FAILED" in log and "ZeroDivisionError" in log
    index = saved["index.html"]
    assert "Failed reports" in index and "ZeroDivisionError" in index


def test_outputs_layout_and_headlines(two_runs):
    _, summary, _, out = two_runs
    assert summary.ok
    names = sorted(p.name for p in out.iterdir())
    # the second run replaced the first one as a whole: the failed notebook of the first run is gone
    assert names == [
        "00_data_audit.headline.json",
        "00_data_audit.html",
        "00_data_audit.ipynb",
        "00_data_audit.xlsx",
        "index.html",
        "logs",
        "region_brief_18.71.headline.json",
        "region_brief_18.71.html",
        "region_brief_18.71.ipynb",
        "region_brief_18.71.xlsx",
        "run.json",
    ]
    assert not list(out.parent.glob(".run.*")), "temporary or old run folders left behind"
    brief = json.loads((out / "region_brief_18.71.headline.json").read_text())
    assert brief["regions"] == ["18.71"] and brief["records"][0]["value"] == 40
    index = (out / "index.html").read_text()
    assert 'href="region_brief_18.71.html"' in index and "Regional brief: Kota Bandar Lampung" in index
    assert "<dd>40</dd>" in index  # read from the headline JSON
    first_index = (out / "index.html").read_text()
    assert "raw_key_without_label" not in first_index  # a record without a translated label is not listed
    run = json.loads((out / "run.json").read_text())
    assert run["regions"] == ["18.71"] and len(run["jobs"]) == 2


def test_page_has_no_code_and_is_self_contained(two_runs):
    _, _, _, out = two_runs
    page = (out / "00_data_audit.html").read_text()
    assert "ctx.show" not in page and "import kinerja_research" not in page and "def " not in page
    assert "must not reach the page" not in page
    assert 'name="viewport"' in page and "@media (max-width: 600px)" in page
    assert "<script" not in page and not re.search(r'(src|href)="https?://', page)
    assert "data:image/png;base64," in page
    assert "Provenance and reproducibility" in page and "cd" * 32 in page
    kept = nbformat.read(str(out / "00_data_audit.ipynb"), as_version=4)
    assert kept.cells[0].source.startswith("dataset")  # academics get the executed notebook with code


def _stable(text: str) -> str:
    """Without the volatile spans (also as escaped inside a notebook's JSON)."""
    return re.sub(rf'<span class=\\?"{VOLATILE_CLASS}\\?">[^<]*</span>', "", text)


def test_relative_dataset_path_reaches_every_notebook(two_runs):
    _, second, _, out = two_runs
    assert second.ok  # every notebook found the dataset from its own folder
    head = json.loads((out / "00_data_audit.headline.json").read_text())
    assert Path(head["dataset"]).is_absolute() and head["parameters"]["dataset"] == head["dataset"]


def test_executed_notebooks_identical_between_runs(two_runs):
    """Same inputs, two runs: the executed .ipynb differ only in the provenance block's run time and duration."""
    _, _, saved, out = two_runs
    for name in ("00_data_audit.ipynb", "region_brief_18.71.ipynb"):
        before, after = saved[name], (out / name).read_text(encoding="utf-8")
        assert _stable(before) == _stable(after), name
        ids = [c["id"] for c in json.loads(after)["cells"]]
        assert ids == [f"cell-{i}" for i in range(len(ids))]
        assert "start_time" not in after and "end_time" not in after


def test_two_runs_identical_apart_from_run_time_and_id(two_runs):
    first, second, saved, out = two_runs
    assert first.run_id != second.run_id
    for name in ("00_data_audit.html", "region_brief_18.71.html"):
        before, after = saved[name], (out / name).read_text(encoding="utf-8")
        assert _stable(before) == _stable(after), name
        assert before != after  # the run id did change, and only inside the volatile spans
    assert first.run_id in saved["index.html"] and second.run_id in (out / "index.html").read_text()


def test_kernel_start_failure_is_retried_but_cell_errors_are_not(suite, tmp_path, monkeypatch):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    _, nbs, data = suite
    calls = []

    def flaky(input_path, output_path, **kw):
        calls.append(kw["config"].KernelManager.ip)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        raise PapermillExecutionError(
            cell_index=3, exec_count=2, source="x", ename="ValueError", evalue="bad", traceback=["tb"]
        )

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    job = runner.Job(
        notebook="00_data_audit",
        stem="00_data_audit",
        input_path=str(nbs / "00_data_audit.ipynb"),
        parameters={},
        work_dir=str(tmp_path),
        run_id="r",
    )
    res = runner.execute_job(job)
    assert len(calls) == 2 and calls[0] != calls[1]  # a fresh IPC endpoint per attempt
    assert res["attempts"] == 2 and not res["ok"] and res["error"]["ename"] == "ValueError"
    assert "retry 1 of 2" in (tmp_path / "logs" / "00_data_audit.log").read_text()


def test_region_and_option_errors(suite, tmp_path):
    _, nbs, data = suite
    with pytest.raises(KinerjaError, match="53.71"):
        runner.run_suite(dataset=str(data), regions=["53.71"], out=tmp_path / "x", notebooks_dir=nbs, progress=False)
    with pytest.raises(KinerjaError, match="both"):
        runner.resolve_run_regions(str(data), ["18.71"], all_regions=True)
    assert runner.resolve_run_regions(str(data), None, all_regions=True) == ["17.71", "18.71"]
    assert runner.resolve_run_regions(str(data)) == ["18.71", "17.71"]  # default regions present, in order
    with pytest.raises(KinerjaError, match="lang"):
        runner.run_suite(dataset=str(data), lang="fr", out=tmp_path / "x", notebooks_dir=nbs, progress=False)
    with pytest.raises(KinerjaError, match="not been cleaned"):
        runner.run_suite(dataset=str(tmp_path / "nothing"), out=tmp_path / "x", notebooks_dir=nbs, progress=False)
    with pytest.raises(KinerjaError, match="not in"):
        runner.plan_jobs(
            dataset="d",
            regions=["18.71"],
            lang="id",
            alpha=0.05,
            seed=1,
            work_dir=tmp_path,
            run_id="r",
            notebooks=["99_nope"],
            notebooks_dir=nbs,
        )
    assert not (tmp_path / "x").exists()


def test_plan_covers_suite_order_and_one_brief_per_region(suite, tmp_path):
    _, nbs, _ = suite
    jobs = runner.plan_jobs(
        dataset="d",
        regions=["18.71", "17.71"],
        lang="id",
        alpha=0.05,
        seed=1,
        work_dir=tmp_path,
        run_id="r",
        notebooks_dir=nbs,
    )
    assert [j.stem for j in jobs] == [
        "00_data_audit",
        "10_region_comparison",
        "region_brief_18.71",
        "region_brief_17.71",
    ]
    assert jobs[0].parameters == {
        "dataset": "d",
        "lang": "id",
        "alpha": 0.05,
        "seed": 1,
        "min_cell": 5,
        "style": "standard",
        "out_dir": "",
        "regions": ["18.71", "17.71"],
    }
    assert jobs[3].parameters["regions"] == ["17.71"]


def test_dask_local_cluster_runs_the_same_jobs(suite, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, nbs, data = suite
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cl:
        # the same path as `kinerja report --scheduler ADDRESS`: the runner connects its own Client
        summary = runner.run_suite(
            dataset=str(data),
            regions=["18.71"],
            lang="id",
            scheduler=cl.scheduler_address,
            out=tmp_path / "run",
            notebooks=["region_brief"],
            notebooks_dir=nbs,
            progress=False,
        )
    assert summary.ok and [j["stem"] for j in summary.jobs] == ["region_brief_18.71"]
    assert (tmp_path / "run" / "region_brief_18.71.html").exists()
    assert "Ringkasan wilayah: Kota Bandar Lampung" in (tmp_path / "run" / "index.html").read_text()


def test_publish_copies_pages_and_writes_reports_index(suite, tmp_path):
    reports = tmp_path / "reports"
    run = reports / "default-id"
    run.mkdir(parents=True)
    (run / "10_region_comparison.html").write_text("<html></html>")
    meta = {
        "command": "kinerja report",
        "dataset": "default",
        "lang": "id",
        "regions": ["18.71"],
        "run_time": "t",
        "jobs": [
            {
                "stem": "10_region_comparison",
                "notebook": "10_region_comparison",
                "region": None,
                "ok": True,
                "html": "10_region_comparison.html",
                "pdf": None,
            }
        ],
    }
    (run / "run.json").write_text(json.dumps(meta))
    runner._publish_top_level(run, meta, "id")
    assert (reports / "region_comparison.html").read_text() == "<html></html>"
    index = (reports / "index.html").read_text()
    assert 'href="region_comparison.html"' in index and 'href="default-id/index.html"' in index


@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="headless Chromium (/usr/bin/chromium) is not installed; .ci/run installs it via apt",
)
def test_print_pdf(tmp_path):
    from kinerja_research.report.render import page, print_pdf

    html_file = tmp_path / "p.html"
    html_file.write_text(page("<h1>Ringkasan</h1><p>1.234,5</p>", title="t", lang="id"), encoding="utf-8")
    pdf = print_pdf(html_file, tmp_path / "p.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and not list(tmp_path.glob(".*.tmp"))


def test_print_pdf_without_chromium_says_so(tmp_path, monkeypatch):
    from kinerja_research.report import render

    monkeypatch.setattr(render, "find_chromium", lambda: None)
    with pytest.raises(KinerjaError, match="apt-get install chromium"):
        render.print_pdf(tmp_path / "p.html", tmp_path / "p.pdf")


def test_normalising_a_notebook_with_large_images_is_linear(tmp_path):
    """Regression: a backtracking pattern over embedded images made the worker spin for half an hour."""
    import tempfile
    import time

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<img src='data:image/png;base64," + "A" * 3_000_000}
        ),
        nbformat.v4.new_output("stream", name="stderr", text=f"{tempfile.gettempdir()}/ipykernel_4242/17.py:2: W\n"),
    ]
    nb.cells = [cell]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    t0 = time.perf_counter()
    runner.normalise_executed(path)
    assert time.perf_counter() - t0 < 5
    text = path.read_text()
    assert "ipykernel_4242" not in text and "ipykernel/17.py" in text and '"id": "cell-0"' in text
