"""The report contract with the notebooks (C3): parameters cell as the only channel, language-tagged markdown,
notebook needs, findings/answers, compact tables with their full version, the page's .xlsx, the data banner."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from kinerja_research.errors import KinerjaError
from kinerja_research.report import notebook as nbmod
from kinerja_research.report import render, runner
from kinerja_research.report.needs import Contents, dataset_contents, notebook_needs, unmet

PARAMS = (
    'dataset: str = "default"  # processed dataset\nregions: list[str] = []  # Kemendagri codes\n'
    'lang: str = "id"  # "id" | "en"\nalpha: float = 0.05  # significance level\nseed: int = 2026  # seed\n'
    'min_cell: int = 5  # small-cell threshold\nstyle: str = "standard"  # layout\n'
    'out_dir: str = ""  # headline JSON folder'
)


def contract_notebook(path: Path, cells: list, metadata: dict | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell(PARAMS)
    p.metadata["tags"] = ["parameters"]
    start = (
        f'import kinerja_research as kr\nctx = kr.report.start("{path.stem}", dataset=dataset, regions=regions, '
        "lang=lang, alpha=alpha, seed=seed, min_cell=min_cell, style=style, out_dir=out_dir)"
    )
    nb.cells = [p, nbformat.v4.new_code_cell(start)]
    for c in cells:
        nb.cells.append(c if not isinstance(c, str) else nbformat.v4.new_code_cell(c))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.update(metadata or {})
    nbformat.write(nb, str(path))
    return path


def processed(folder: Path, *, tables=("survey",), regions=(("18.71", 40), ("17.71", 24))) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(3)
    codes = np.repeat([r for r, _ in regions], [n for _, n in regions])
    n = len(codes)
    people = [f"P{i:016x}" for i in range(n)]
    if "survey" in tables:
        pd.DataFrame(
            {
                "person_id": people,
                "region_code": codes,
                "wave": "pre",
                "trained": rng.random(n) > 0.5,
                **{f"RTC{k:02d}": rng.integers(1, 7, n).astype(float) for k in range(1, 5)},
            }
        ).to_parquet(folder / "survey.parquet")
    if "performance" in tables:
        pd.DataFrame(
            {"person_id": people, "region_code": codes, "period": "2025-S2", "capaian_pct": rng.normal(90, 5, n)}
        ).to_parquet(folder / "performance.parquet")
    (folder / "manifest.json").write_text(json.dumps({"dataset": "contract", "inputs": {}}))
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return processed(tmp_path_factory.mktemp("contract") / "proc")


class Shown(list):
    def __init__(self):
        super().__init__()
        self.ids = {}

    def display(self, data, display_id=None):
        if display_id:
            self.ids[display_id] = len(self)
        self.append(data["text/html"])

    def update(self, data, display_id):
        self[self.ids[display_id]] = data["text/html"]


@pytest.fixture
def shown(monkeypatch):
    out = Shown()
    monkeypatch.setattr(nbmod, "_display", out.display)
    monkeypatch.setattr(nbmod, "_update", out.update)
    return out


# --- the parameters cell is the only channel ---------------------------------------------------------------------
def test_papermill_cli_with_one_region_as_p(tmp_path, data):
    """`papermill nb.ipynb out.ipynb -p regions 18.71` (papermill reads 18.71 as a float) works, and the headline
    JSON records every parameter; nothing comes through the environment."""
    nb = contract_notebook(
        tmp_path / "probe.ipynb",
        ['ctx.record("n", len(ctx.tables["survey"]), n=len(ctx.tables["survey"]), spec="n")\nctx.finish()'],
    )
    out = tmp_path / "out"
    out.mkdir()
    papermill = Path(sys.executable).with_name("papermill")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("KINERJA_")}
    env["KINERJA_MIN_CELL_N"] = "99"  # the retired environment channel must not matter
    proc = subprocess.run(
        [
            str(papermill),
            str(nb),
            str(out / "probe.ipynb"),
            "-p",
            "regions",
            "18.71",
            "-p",
            "dataset",
            str(data),
            "-p",
            "min_cell",
            "7",
            "-p",
            "style",
            "skripsi",
            "-p",
            "out_dir",
            str(out),
            "-k",
            "python3",
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads((out / "probe.headline.json").read_text())
    assert doc["regions"] == ["18.71"] and doc["min_cell"] == 7 and doc["style"] == "skripsi"
    assert doc["parameters"] == {
        "dataset": str(data),
        "regions": ["18.71"],
        "lang": "id",
        "alpha": 0.05,
        "seed": 2026,
        "min_cell": 7,
        "style": "skripsi",
        "out_dir": str(out),
    }
    assert doc["records"][0]["value"] == 40 and (out / "probe.xlsx").exists()


@pytest.mark.parametrize(
    "given, expected",
    [
        (18.71, ["18.71"]),
        (32.1, ["32.10"]),
        ("18.71", ["18.71"]),
        ("18.71 17.71", ["18.71", "17.71"]),
        ("18.71,17.71", ["18.71", "17.71"]),
        (["18.71", 17.71], ["18.71", "17.71"]),
        ("Kota Bandar Lampung", ["Kota Bandar Lampung"]),
        ([], []),
        (None, []),
    ],
)
def test_regions_parameter_forms(given, expected):
    assert nbmod.normalise_regions(given) == expected


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"min_cell": 0}, "min_cell"),
        ({"style": "spss"}, "style"),
        ({"seed": 1.5}, "seed"),
        ({"regions": True}, "regions"),
    ],
)
def test_bad_parameters_are_one_sentence(data, kw, match):
    with pytest.raises(KinerjaError, match=match):
        nbmod.start("x", dataset=str(data), **kw)


# --- needs -----------------------------------------------------------------------------------------------------------
def test_needs_from_metadata_and_unmet_reasons(data):
    needs = notebook_needs({"kinerja": {"needs": {"tables": ["performance"], "constructs": ["resistance"]}}})
    assert needs == {"tables": ["performance"], "constructs": ["resistance"], "per_region": None}
    contents = dataset_contents(data)
    assert contents.has_table("survey") and not contents.has_table("performance")
    assert contents.has_construct("resistance") and not contents.has_construct("reward")
    assert (
        unmet(needs, contents) == []
        if contents.has_table("performance")
        else unmet(needs, contents) == [("run.needs_table", {"table": "performance"})]
    )
    with pytest.raises(KinerjaError, match="tables"):
        notebook_needs({"kinerja": {"needs": {"tables": ["surveys"]}}})
    assert not Contents(tables={"survey": 5}, constructs={"x": []}, items={"x": ["A1"]}).has_construct("x")


def test_plan_runs_only_what_the_data_feed_and_per_region_from_metadata(tmp_path, data):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    contract_notebook(nbs / "00_data_audit.ipynb", ["ctx.finish()"], {"kinerja": {"needs": {"tables": ["survey"]}}})
    contract_notebook(
        nbs / "02_training_impact.ipynb", ["ctx.finish()"], {"kinerja": {"needs": {"tables": ["performance"]}}}
    )
    contract_notebook(
        nbs / "05_public_satisfaction.ipynb",
        ["ctx.finish()"],
        {"kinerja": {"needs": {"constructs": ["satisfaction"]}, "per_region": True}},
    )
    contract_notebook(nbs / "region_brief.ipynb", ["ctx.finish()"], {"kinerja": {"per_region": True}})
    jobs, skipped = runner.plan_run(
        dataset=str(data),
        regions=["18.71", "17.71"],
        lang="en",
        alpha=0.05,
        seed=1,
        work_dir=tmp_path,
        run_id="r",
        notebooks_dir=nbs,
        contents=dataset_contents(data),
    )
    assert [j.stem for j in jobs] == ["00_data_audit", "region_brief_18.71", "region_brief_17.71"]
    assert skipped == [
        {"notebook": "02_training_impact", "reasons": [["run.needs_table", {"table": "performance"}]]},
        {"notebook": "05_public_satisfaction", "reasons": [["run.needs_construct", {"construct": "satisfaction"}]]},
    ]
    t = render.Translator("en")
    assert render.reason_text("run.needs_table", {"table": "performance"}, t).startswith("needs the performance")


# --- the context -----------------------------------------------------------------------------------------------------
def test_has_left_out_findings_answer(data, shown, tmp_path):
    ctx = nbmod.start("02_training_impact", dataset=str(data), lang="en", out_dir=str(tmp_path))
    assert ctx.has(table="survey") and not ctx.has(table="training") and ctx.has(construct="resistance")
    assert not ctx.has(table="survey", construct="satisfaction")
    with pytest.raises(KinerjaError, match="construct"):
        ctx.has(construct="happiness")
    ctx.left_out("run.needs_table", table="training")
    assert "kr-left-out" in shown[-1] and "needs the training table" in shown[-1]
    ctx.findings(["Training raised capaian by 2.1 points.", "Resistance is lower after training."])
    assert "Key findings" in shown[-1] and shown[-1].count("<li>") == 2
    ctx.answer("training", "Yes: +2.1 points of capaian.", region="18.71", value=2.1, n=40)
    ctx.answer("training", "Too few to tell.", region="17.71", value=0.3, n=3)
    with pytest.raises(KinerjaError, match="question"):
        ctx.answer("happiness", "?")
    with pytest.raises(KinerjaError, match="twice"):
        ctx.answer("training", "again", region="18.71")
    ctx.finish()
    doc = json.loads((tmp_path / "02_training_impact.headline.json").read_text())
    assert doc["findings"][0].startswith("Training raised")
    a = {x["region"]: x for x in doc["answers"]}
    assert a["18.71"]["text"] == "Yes: +2.1 points of capaian." and a["18.71"]["value"] == 2.1
    assert a["17.71"]["value"] is None and "Too few" in a["17.71"]["text"] and a["17.71"]["n"] is None
    assert doc["left_out"][0]["text"].startswith("needs the training table")


def test_show_with_detail_and_the_pages_xlsx(data, shown, tmp_path):
    ctx = nbmod.start("04_reward_effects", dataset=str(data), lang="id", out_dir=str(tmp_path))
    full = pd.DataFrame(
        {
            "term": ["reward", "sanction"],
            "estimate": [0.41234, -0.2],
            "se": [0.1, 0.05],
            "ci_low": [0.2, -0.3],
            "ci_high": [0.6, -0.1],
            "statistic": [4.1, -4.0],
            "df": [60.0, 60.0],
            "p": [0.0001, 0.2],
            "effect_size": [0.3, -0.1],
            "n": [62, 62],
        }
    )
    ctx.show(full[["term", "estimate", "ci_low", "ci_high", "p", "n"]], caption_key="common.col.estimate", detail=full)
    page = shown[-1]
    assert page.count("<table") == 2 and "<details" in page and "Tabel lengkap" in page
    assert 'data-kr-n="t1.r0.n"' in page and 'data-kr-n="t1d.r0.n"' in page
    counts = pd.DataFrame({"predikat": ["Baik", "Sangat Baik", '=HYPERLINK("http://x")'], "count": [120, 4, 9]})
    ctx.show(counts, kind="counts", caption_key="common.col.n")
    ctx.finish()
    wb = load_workbook(tmp_path / "04_reward_effects.xlsx")
    assert wb.sheetnames == ["Tabel 1", "Tabel 1 (lengkap)", "Tabel 2", "Info"]
    s1 = wb["Tabel 1"]
    assert s1["A1"].value.startswith("Tabel 1.")
    headers = [c.value for c in s1[2]]
    assert headers[:2] == ["Suku", "Estimasi"] or headers[1] == "Estimasi"
    assert isinstance(s1["B3"].value, float) and s1["B3"].value == pytest.approx(0.41234)
    assert s1["B3"].number_format == "0.00"
    assert isinstance(s1.cell(row=3, column=len(headers)).value, int)  # n as a number
    s2 = wb["Tabel 2"]
    values = [[c.value for c in row] for row in s2.iter_rows(min_row=3, max_row=5)]
    assert values[0][1] == 120 and values[1][1] == "<5" and values[2][1] == "x"  # as on the page (secondary)
    assert values[2][0] == '\'=HYPERLINK("http://x")' and s2["A5"].data_type == "s"  # never a formula
    first = (tmp_path / "04_reward_effects.xlsx").read_bytes()
    ctx2 = nbmod.start("04_reward_effects", dataset=str(data), lang="id", out_dir=str(tmp_path / "again"))
    (tmp_path / "again").mkdir()
    ctx2.show(full[["term", "estimate", "ci_low", "ci_high", "p", "n"]], caption_key="common.col.estimate", detail=full)
    ctx2.show(counts, kind="counts", caption_key="common.col.n")
    ctx2.finish()
    assert (tmp_path / "again" / "04_reward_effects.xlsx").read_bytes() == first  # byte-identical


def test_banner_says_synthetic_or_names_the_source(data, shown, tmp_path, monkeypatch):
    nbmod.start("x", dataset=str(data), lang="en", out_dir=str(tmp_path))
    assert "Data: contract, 2025" not in shown[-1] and "64 civil servants" in shown[-1]
    synth = tmp_path / "synth"
    shutil.copytree(data, synth)
    manifest = json.loads((synth / "manifest.json").read_text())
    (synth / "manifest.json").write_text(json.dumps({**manifest, "synthetic": True}))
    ctx = nbmod.start("x", dataset=str(synth), lang="id", out_dir=str(tmp_path))
    assert "kr-banner-synthetic" in shown[-1] and "Data sintetis" in shown[-1]
    assert ctx.source["synthetic"] is True


def test_data_cannot_inject_html_or_markdown(data, shown, tmp_path):
    evil = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1)) <script>alert(2)</script>"
    ctx = nbmod.start("00_data_audit", dataset=str(data), lang="en", out_dir=str(tmp_path))
    ctx.text("audit.intro", dataset=evil)
    ctx.heading("audit.intro", dataset=evil)
    ctx.show(pd.DataFrame({"service_unit": [evil], "estimate": [1.0]}), caption_key="common.col.estimate")
    ctx.findings([evil])
    ctx.left_out("run.needs_table", table=evil)
    for out in shown[1:]:
        assert "<img" not in out and "<script" not in out and "<strong>bold" not in out
        assert 'href="javascript:' not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown[1]


# --- rendering ------------------------------------------------------------------------------------------------------
def test_renderer_keeps_the_report_languages_markdown(tmp_path):
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("## Pertanyaan"),
        nbformat.v4.new_markdown_cell("## The question"),
        nbformat.v4.new_markdown_cell("Both languages: UNTAGGED"),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    cells[0].metadata["tags"] = ["lang-id"]
    cells[1].metadata["tags"] = ["lang-en"]
    nb.cells = cells
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    for lang, keep, drop in (("id", "Pertanyaan", "The question"), ("en", "The question", "Pertanyaan")):
        out = render.render_html(path, tmp_path / f"{lang}.html", title="t", lang=lang, links=[("a.xlsx", "Excel")])
        page = out.read_text()
        assert keep in page and drop not in page and "UNTAGGED" in page and 'href="a.xlsx"' in page
        assert "Content-Security-Policy" in page and "lang-" not in re.sub(r"<style>.*?</style>", "", page, flags=re.S)


def test_links_cannot_become_a_scheme_and_names_are_escaped(tmp_path):
    run = tmp_path / "javascript:alert(1)"
    run.mkdir()
    (run / "run.json").write_text(
        json.dumps(
            {
                "command": "kinerja report",
                "dataset": "<img src=x onerror=alert(1)>",
                "lang": "id",
                "regions": ["18.71"],
                "run_time": "t",
                "jobs": [],
            }
        )
    )
    render.write_reports_index(tmp_path, newest=run.name, lang="id")
    page = (tmp_path / "index.html").read_text()
    assert 'href="javascript:' not in page and "javascript%3Aalert%281%29/index.html" in page
    assert "<img src=x" not in page and html.escape("<img src=x onerror=alert(1)>") in page


def test_counts_drawn_in_a_figure_are_protected_around(data, shown, tmp_path):
    """A bar chart of per-region counts and a table with their pooled total and one small region: the figure cannot
    be changed, so the table withholds more instead; a figure drawing a small count is refused."""
    import matplotlib.pyplot as plt

    ctx = nbmod.start("00_data_audit", dataset=str(data), lang="en", out_dir=str(tmp_path))
    drawn = pd.DataFrame({"region_code": ["18.71", "17.71"], "count": [30, 22]})
    fig, ax = plt.subplots()
    ax.bar(drawn["region_code"], drawn["count"])
    ctx.figure(fig, "common.col.n", counts=drawn)
    pooled = pd.DataFrame({"region": ["all"], "count": [52]})
    ctx.show(pooled, kind="counts", caption_key="common.col.n")
    ctx.finish()
    doc = json.loads((tmp_path / "00_data_audit.headline.json").read_text())
    assert {c["id"]: c["frozen"] for c in doc["counts"]}["f1.r0.count"] is True
    fig, ax = plt.subplots()
    with pytest.raises(KinerjaError, match="draws a count of 3"):
        ctx.figure(fig, "common.col.n", counts=pd.DataFrame({"region_code": ["17.71"], "count": [3]}))


def test_reports_index_opens_with_the_answers_and_says_synthetic(tmp_path):
    run = tmp_path / "default-id"
    run.mkdir()
    jobs = [
        {
            "stem": "02_training_impact",
            "notebook": "02_training_impact",
            "region": None,
            "ok": True,
            "html": "02_training_impact.html",
            "pdf": None,
        },
        {
            "stem": "region_brief_18.71",
            "notebook": "region_brief",
            "region": "18.71",
            "ok": True,
            "html": "region_brief_18.71.html",
            "pdf": None,
        },
    ]
    head = {
        "title": "Dampak pelatihan",
        "source": {"synthetic": True, "name": "default"},
        "records": [],
        "answers": [{"question": "training", "region": "18.71", "text": "Ya: naik 5,9 poin", "value": 5.9}],
    }
    (run / "02_training_impact.headline.json").write_text(json.dumps(head))
    (run / "region_brief_18.71.headline.json").write_text(
        json.dumps({"records": [], "answers": [{"question": "rewards", "region": "18.71", "text": "<b>Ya</b>"}]})
    )
    (run / "run.json").write_text(
        json.dumps(
            {
                "command": "kinerja report",
                "dataset": "default",
                "lang": "id",
                "regions": ["18.71", "17.71"],
                "jobs": jobs,
                "run_time": "t",
            }
        )
    )
    page = render.write_reports_index(tmp_path, newest="default-id", lang="id").read_text()
    body = page[page.index("<main") :]
    assert body.index("Data sintetis") < body.index("Jawaban atas empat pertanyaan") < body.index("Proses laporan")
    assert '<a href="training_impact.html">Ya: naik 5,9 poin</a>' in page  # the published page, no order prefix
    assert "&lt;b&gt;Ya&lt;/b&gt;" in page and "<b>Ya" not in page
    assert "Kota Bengkulu" in page and page.count('class="kr-none"') >= 6  # questions nobody answered say so
