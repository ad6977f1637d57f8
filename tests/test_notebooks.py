"""Every notebook of notebooks/: structure rules, and the whole suite executed once on a small default dataset.

Static rules (fast): exactly one cell tagged ``parameters``, first among the code cells, holding the contract's
parameters as annotated literals with comments; no ``def``/``class``; no outputs or execution counts committed;
kernel ``python3``.

Execution (once per session): the default dataset at a small scale is simulated, cleaned, and the full suite (one
brief per region for two regions) runs through :func:`kinerja_research.report.run_suite` with 2 workers. Then:
every job succeeds, no rendered page shows a raw translation key, and — when Chromium is installed — a headless
browser opens ``index.html`` and every page and finds every link and image resolving and no error output.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import nbformat
import pytest

from kinerja_research import paths
from kinerja_research.report import runner

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
CONTRACT = {
    "dataset": "str",
    "regions": "list[str]",
    "lang": "str",
    "alpha": "float",
    "seed": "int",
    "min_cell": "int",
    "style": "str",
    "out_dir": "str",
}
LANG_TAGS = ("lang-id", "lang-en")
#: Loops (comprehensions included), definitions: a notebook calls package functions and shows what they return.
FORBIDDEN = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _ids(paths_):
    return [p.stem for p in paths_]


def _code_problems(source: str) -> list[str]:
    """What a notebook code cell (other than the parameters cell) must not hold: a definition or loop, a private name
    (``_x`` or ``obj._x``, also in an import), or a bare number (thresholds are named package constants)."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, FORBIDDEN):
            problems.append(f"{type(node).__name__} at line {node.lineno}")
        elif isinstance(node, ast.Name) and node.id.startswith("_"):
            problems.append(f"private name {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            problems.append(f"private attribute .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and any(
            part.startswith("_") for part in (node.module or "").split(".") + [a.name for a in node.names]
        ):
            problems.append(f"private import from {node.module}")
        elif isinstance(node, ast.Import) and any(p.startswith("_") for a in node.names for p in a.name.split(".")):
            problems.append("private import")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float, complex))
            and not isinstance(node.value, bool)
        ):
            problems.append(f"numeric literal {node.value!r} at line {node.lineno}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_structure(path):
    nb = nbformat.read(str(path), as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "kernel name must be python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'; the rule is exactly one"
    assert code and code[0] is tagged[0], f"{path.name}: the parameters cell must be the first code cell"
    tree = ast.parse(tagged[0].source)
    found = {}
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"{path.name}: parameters must be annotated literals (x: int = 1)"
        ast.literal_eval(node.value)  # literals only: derived values go in the next cell
        found[node.target.id] = ast.unparse(node.annotation)
    assert found == CONTRACT, f"{path.name}: parameters {found} differ from the contract {CONTRACT}"
    lines = [ln for ln in tagged[0].source.splitlines() if ln.strip()]
    assert all("#" in ln for ln in lines), f"{path.name}: every parameter needs a comment (papermill --help-notebook)"
    assert all("=" not in ln.split("#", 1)[1] for ln in lines), f"{path.name}: a comment holds '=' (papermill)"
    for cell in code:
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, (
            f"{path.name}: outputs must be cleared before committing"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_code_is_thin(path):
    """Issue 12: no def, class, loop, private name or bare number outside the parameters cell."""
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        problems = _code_problems(cell.source)
        assert problems == [], f"{path.name}: {problems} in cell {cell.source[:80]!r}"


def test_thin_code_rule_catches_each_kind():
    for bad in (
        "def f():\n    pass",
        "for x in y:\n    pass",
        "while x:\n    pass",
        "[x for x in y]",
        "kr.analysis._result.tidy(x)",
        "from kinerja_research.analysis import _ols",
        "ctx.regions_with(df, min_n=30)",
        "ax.axvline(76.61)",
    ):
        assert _code_problems(bad), bad
    assert _code_problems('ctx.show(**sec.table("did"))\nif ctx.style == "skripsi":\n    x = kr.MIN_REGION_N') == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_argument_in_both_languages(path):
    """The argument of a notebook is markdown prose, in both languages: every markdown cell is tagged lang-id or
    lang-en, and each language has at least three cells of at least 15 words."""
    nb = nbformat.read(str(path), as_version=4)
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    for cell in md:
        tags = [t for t in cell.metadata.get("tags", []) if t in LANG_TAGS]
        assert len(tags) == 1, f"{path.name}: markdown cell {cell.source[:60]!r} has language tags {tags}"
    for tag in LANG_TAGS:
        prose = [c for c in md if tag in c.metadata["tags"] and len(re.findall(r"\w+", c.source)) >= 15]
        assert len(prose) >= 3, f"{path.name}: {len(prose)} {tag} markdown cells of prose; the rule is at least 3"
    n = {tag: sum(tag in c.metadata["tags"] for c in md) for tag in LANG_TAGS}
    assert n["lang-id"] == n["lang-en"], f"{path.name}: {n} markdown cells per language"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_declares_its_needs(path):
    """C3: ``{"kinerja": {"needs": {"tables": [...], "constructs": [...]}, "per_region": bool}}``."""
    from kinerja_research.report.i18n import translator

    kin = nbformat.read(str(path), as_version=4).metadata.get("kinerja")
    assert kin is not None, f"{path.name}: no kinerja metadata"
    assert set(kin) == {"needs", "per_region"} and set(kin["needs"]) == {"tables", "constructs"}
    assert set(kin["needs"]["tables"]) <= {"survey", "performance", "training", "satisfaction"}
    t = translator("en")
    assert all(f"common.construct.{c}" in t for c in kin["needs"]["constructs"])
    assert kin["per_region"] is (path.stem in runner.PER_REGION)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_papermill_documents_every_parameter(path):
    """`papermill --help-notebook` infers every parameter with its type and help text (a comment with '=' breaks it)."""
    import papermill

    inferred = papermill.inspect_notebook(str(path))
    assert set(inferred) == set(CONTRACT)
    for name, info in inferred.items():
        assert info["inferred_type_name"] == CONTRACT[name], f"{path.name}: {name} inferred as {info}"
        assert info["help"], f"{path.name}: parameter {name} has no help text"


def test_every_suite_notebook_is_known():
    unknown = [p.stem for p in NOTEBOOKS if p.stem not in runner.SUITE + runner.PER_REGION]
    assert unknown == [], f"notebooks outside the suite (add them to runner.SUITE or remove them): {unknown}"


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory):
    from kinerja_research import pipeline, synth

    root = tmp_path_factory.mktemp("small")
    mp = pytest.MonkeyPatch()
    mp.setenv("KINERJA_PSEUDONYM_KEY", "test-key-not-secret")
    synth.write_default(root / "raw", seed=2026, scale=0.15)
    pipeline.build_processed("small", raw_dir=root / "raw", out_dir=root / "processed")
    mp.undo()
    return root / "processed"


@pytest.fixture(scope="module")
def suite_run(request, tmp_path_factory):
    if not NOTEBOOKS:
        pytest.skip("notebooks/ holds no notebook yet")
    small_dataset = request.getfixturevalue("small_dataset")
    out = tmp_path_factory.mktemp("reports") / "small-id"
    summary = runner.run_suite(
        dataset=str(small_dataset),
        regions=["18.71", "17.71"],
        lang="id",
        workers=2,
        out=out,
        progress=False,
        publish=True,
    )  # publishes into the tmp reports folder
    return summary


def test_suite_executes(suite_run):
    assert suite_run.ok, "\n".join(runner.failure_lines(suite_run))
    expected = [n for n in runner.SUITE if (paths.NOTEBOOKS / f"{n}.ipynb").exists()]
    stems = [j["stem"] for j in suite_run.jobs]
    assert stems[: len(expected)] == expected
    top = suite_run.run_dir.parent
    assert (top / "index.html").exists()
    if "10_region_comparison" in expected:  # issue 3: reports/region_comparison.html
        assert (top / "region_comparison.html").exists()


def test_no_raw_translation_key_in_pages(suite_run):
    from kinerja_research.report.i18n import load_translations

    keys = set(load_translations("id")) | set(load_translations("en"))
    token = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
    for job in suite_run.jobs:
        if job["html"]:
            page = (suite_run.run_dir / job["html"]).read_text(encoding="utf-8")
            text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", page, flags=re.S))
            raw = sorted(set(token.findall(text)) & keys)
            assert raw == [], f"{job['html']} shows raw translation keys {raw}"


def test_no_raw_identifier_in_pages(suite_run):
    """No snake_case token (a column name, rule, effect-size or term id) in any table cell or text a reader sees;
    only the provenance block (file names such as inputs/skm_kota_kupang.csv) and code spans of the notebooks' prose
    (a named constant such as ``kr.MIN_REGION_N`` the text points students to) may hold them."""
    from kinerja_research.report.tables import IDENTIFIER

    pages = [suite_run.run_dir / job["html"] for job in suite_run.jobs if job["html"]]
    assert pages
    for path in pages:
        page = path.read_text(encoding="utf-8")
        page = re.sub(r"<style>.*?</style>|<script\b.*?</script>", " ", page, flags=re.S)
        assert page.count('class="kr-provenance"') == 1, f"{path.name}: provenance block not found"
        page = re.sub(r'<section class="kr-provenance".*?</section>', " ", page, flags=re.S)
        page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)  # names the prose points students to (kr.JP_TARGET)
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td\b[^>]*>(.*?)</td>", page, flags=re.S)
        ]
        raw_cells = sorted({c for c in cells if IDENTIFIER.search(c)})
        assert raw_cells == [], f"{path.name}: table cells show raw identifiers {raw_cells}"
        text = html.unescape(re.sub(r"<[^>]+>", " ", page))
        raw = sorted(set(IDENTIFIER.findall(text)))
        assert raw == [], f"{path.name}: the page shows raw identifiers {raw}"


def test_every_report_records_headline_figures(suite_run):
    import json

    for job in suite_run.jobs:
        head = json.loads((suite_run.run_dir / f"{job['stem']}.headline.json").read_text(encoding="utf-8"))
        assert head["records"], f"{job['stem']} recorded no headline figure for the index page"


@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="headless Chromium (/usr/bin/chromium) is not installed; .ci/run installs it via apt",
)
def test_pages_in_headless_chromium(suite_run):
    from kinerja_research.report.render import browser_check

    pages = [suite_run.run_dir / "index.html"] + [suite_run.run_dir / j["html"] for j in suite_run.jobs if j["html"]]
    top = suite_run.run_dir.parent
    pages += [top / "index.html"] + (
        [top / "region_comparison.html"] if (top / "region_comparison.html").exists() else []
    )
    results = browser_check(pages)
    assert len(results) == len(pages)
    for res in results:
        name = Path(res["path"]).name
        assert "error" not in res, (name, res.get("error"))
        assert res["broken_images"] == [], (name, res["broken_images"])
        assert res["missing_files"] == [] and res["missing_anchors"] == [], (name, res)
        assert res["error_outputs"] == 0, name
        assert "Traceback" not in res["text"], name
    index = results[0]
    linked = {h.split("#")[0] for h in index["links"] if h.split("#")[0].endswith(".html")}
    assert linked == {j["html"] for j in suite_run.jobs if j["html"]}  # the answers table links pages again
    assert sum(r["images"] for r in results[1:]) > 0, "the reports show no figure at all"


@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="headless Chromium (/usr/bin/chromium) is not installed; .ci/run installs it via apt",
)
def test_browser_check_catches_broken_pages(tmp_path):
    from kinerja_research.report.render import browser_check, page

    bad = tmp_path / "bad.html"
    bad.write_text(
        page(
            '<img src="data:image/png;base64,AAAA" alt="broken"><a href="nowhere.html">x</a><a href="#nope">y</a>',
            title="t",
            lang="en",
        )
    )
    (res,) = browser_check([bad])
    assert res["broken_images"] == ["broken"]
    assert res["missing_files"] == ["nowhere.html"] and res["missing_anchors"] == ["#nope"]


def test_papermill_cli_takes_one_region_as_a_number(small_dataset, tmp_path):
    """Issue 12.2: `papermill nb out -p regions 18.71` works (papermill reads 18.71 as a float); issue 14.6:
    `-p style skripsi` adds the SPSS blocks with the same numbers."""
    import json
    import subprocess
    import sys

    out = tmp_path / "out.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(paths.NOTEBOOKS / "04_reward_effects.ipynb"), str(out)]
    cmd += ["-p", "regions", "18.71", "-p", "dataset", str(small_dataset), "-p", "out_dir", str(tmp_path)]
    cmd += ["-p", "lang", "en", "-p", "style", "skripsi", "--cwd", str(tmp_path), "-k", "python3"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    head = json.loads((tmp_path / "04_reward_effects.headline.json").read_text(encoding="utf-8"))
    assert head["regions"] == ["18.71"] and head["lang"] == "en" and head["style"] == "skripsi"
    shown = out.read_text(encoding="utf-8")
    for block in ("Model Summary", "ANOVA", "Coefficients", "Sum of Squares", "Critical t (t tabel)"):
        assert block in shown, block


def _records(run_dir: Path, stem: str) -> dict:
    import json

    doc = json.loads((run_dir / f"{stem}.headline.json").read_text(encoding="utf-8"))
    return {(r["key"], r["region"]): r for r in doc["records"]}


def test_brief_numbers_are_the_thematic_pages_numbers(suite_run):
    """Issue 14.3: the brief's training effect, 20 JP share, resistance mean and IKM with its interval and mutu are the
    thematic pages' numbers for that region (one function computes both), not a second computation."""
    pages = {}
    for stem in ("02_training_impact", "03_resistance_to_change", "05_public_satisfaction"):
        pages.update(_records(suite_run.run_dir, stem))
    keys = {"did_effect_region", "jp_share_meeting_20", "rtc_mean", "ikm", "ikm_ci_low", "ikm_ci_high", "mutu"}
    for region in ("18.71", "17.71"):
        brief = _records(suite_run.run_dir, f"region_brief_{region}")
        shown = {k for k in brief if k[0] in keys}
        assert {k[0] for k in shown} == keys, f"brief {region} records {sorted(shown)}"
        for k in shown:
            assert brief[k]["value"] == pages[k]["value"] and brief[k]["text"] == pages[k]["text"], (
                k,
                brief[k],
                pages[k],
            )


def test_pages_open_with_findings_chosen_by_results(suite_run):
    """Issue 14.1: every page records 3-6 key findings (the brief: one line per theme) and the thematic pages answer
    their question per region for the index."""
    import json

    for job in suite_run.jobs:
        doc = json.loads((suite_run.run_dir / f"{job['stem']}.headline.json").read_text(encoding="utf-8"))
        assert 3 <= len(doc["findings"]) <= 6, (job["stem"], doc["findings"])
    questions = set()
    for stem in ("02_training_impact", "03_resistance_to_change", "04_reward_effects", "10_region_comparison"):
        doc = json.loads((suite_run.run_dir / f"{stem}.headline.json").read_text(encoding="utf-8"))
        questions |= {a["question"] for a in doc["answers"]}
    assert questions == {"training", "resistance", "rewards", "comparison"}


def _cut(src: Path, dst: Path, per_region: int) -> Path:
    """A copy of a processed dataset with ``per_region`` people (staff and public) in every region."""
    import shutil

    import pandas as pd

    shutil.copytree(src, dst)
    survey, perf = (pd.read_parquet(dst / f"{t}.parquet") for t in ("survey", "performance"))
    keep = set()
    for code in sorted(survey["region_code"].astype(str).unique()):
        mine = survey["region_code"].astype(str) == code
        both = set(survey.loc[mine, "person_id"]) & set(perf.loc[perf["region_code"].astype(str) == code, "person_id"])
        keep |= set(sorted(both)[:per_region])
    for name in ("survey", "performance", "training"):
        df = pd.read_parquet(dst / f"{name}.parquet")
        df[df["person_id"].isin(keep)].reset_index(drop=True).to_parquet(dst / f"{name}.parquet")
    sat = pd.read_parquet(dst / "satisfaction.parquet")
    sat.groupby("region_code", observed=True).head(per_region).reset_index(drop=True).to_parquet(
        dst / "satisfaction.parquet"
    )
    return dst


def test_suite_runs_with_three_people_per_region(small_dataset, tmp_path):
    """Issue 10/15.7: with three people in every region each analysis is left out with a translated note; no
    notebook fails."""
    data = _cut(small_dataset, tmp_path / "three", 3)
    summary = runner.run_suite(
        dataset=str(data),
        regions=["18.71"],
        lang="en",
        workers=2,
        out=tmp_path / "reports" / "three-en",
        progress=False,
        publish=False,
    )
    assert summary.ok, "\n".join(runner.failure_lines(summary))
    page = (summary.run_dir / "04_reward_effects.html").read_text(encoding="utf-8")
    assert "This section is left out" in html.unescape(page)


@pytest.mark.slow
def test_suite_runs_on_synth_scale_003(tmp_path):
    """Issue 10/15.7: `kinerja data synth --scale 0.03` (about 40 people per region) runs every notebook. Slow (a
    minute); its small version, three people per region, runs by default."""
    from kinerja_research import pipeline, synth

    mp = pytest.MonkeyPatch()
    mp.setenv("KINERJA_PSEUDONYM_KEY", "test-key-not-secret")
    synth.write_default(tmp_path / "raw", seed=2026, scale=0.03)
    pipeline.build_processed("s003", raw_dir=tmp_path / "raw", out_dir=tmp_path / "processed")
    mp.undo()
    summary = runner.run_suite(
        dataset=str(tmp_path / "processed"),
        regions=["18.71"],
        lang="id",
        workers=2,
        out=tmp_path / "reports" / "s003-id",
        progress=False,
        publish=False,
    )
    assert summary.ok, "\n".join(runner.failure_lines(summary))


TINY_REGION, TINY_NAME = "11.73", "Kota Lhokseumawe"
#: The whole suite runs with a 3-person region (each analysis leaves it out with a note where it is too small).
TINY_SUITE = None
_FIGURE = re.compile(r"[\[\]\-−\d.,;% ]*\d[\[\]\-−\d.,;% ]*")  # a number, percentage or interval cell


def _tiny_region_leaks(run_dir: Path) -> tuple[list, int]:
    """Every shown figure about the tiny region other than "<5" (tables: row cells that are numbers; prose: a digit
    in a paragraph naming the region; headline JSON and index: records of the region), and the count of "<5"
    records seen."""
    import json

    from kinerja_research.report.i18n import translator

    left_out = re.compile(
        re.escape(translator("id")("common.regions_left_out", min_n=999, regions=TINY_NAME)).replace("999", r"\d+")
    )  # the note naming a region left out states only the threshold
    bad, n_suppressed = [], 0
    for path in sorted(run_dir.glob("*.html")):
        page = re.sub(
            r"<style>.*?</style>|<script\b.*?</script>|<img [^>]*>", " ", path.read_text(encoding="utf-8"), flags=re.S
        )
        page = re.sub(r'<section class="kr-provenance".*?</section>', " ", page, flags=re.S)
        for tr in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
            cells = [
                html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
            ]
            if cells and TINY_NAME in cells[0]:
                bad += [(path.name, "table", cells)] if any(_FIGURE.fullmatch(c) for c in cells[1:]) else []
        for _, inner in re.findall(r"<(p|li)>(.*?)</\1>", page, flags=re.S):
            text = html.unescape(re.sub(r"<[^>]+>", "", inner))
            rest = text.replace("<5", "").replace(TINY_NAME, "").replace("95%", "")  # 95%: the CI level
            if TINY_NAME in text and not left_out.fullmatch(text.strip()) and re.search(r"(?<![A-Za-z])\d", rest):
                bad.append((path.name, "prose", text))
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, flags=re.S):  # index.html headlines
            if TINY_NAME in html.unescape(dt) and html.unescape(dd) != "<5":
                bad.append((path.name, "index", dt, dd))
    for path in sorted(run_dir.glob("*.headline.json")):
        for r in json.loads(path.read_text(encoding="utf-8"))["records"]:
            if r["region"] == TINY_REGION:
                n_suppressed += r["text"] == "<5"
                if r["text"] != "<5" or r["value"] is not None:
                    bad.append((path.name, "record", r))
    return bad, n_suppressed


def test_tiny_region_shows_only_suppressed_figures(small_dataset, tmp_path):
    """Reviewer item: one region cut to 3 people (staff, survey, public respondents). No page, headline JSON or
    index of the report shows a figure about it other than "<5"."""
    import shutil

    import pandas as pd

    data = tmp_path / "tiny"
    shutil.copytree(small_dataset, data)
    survey, perf = (pd.read_parquet(data / f"{t}.parquet") for t in ("survey", "performance"))
    both = sorted(
        set(survey.loc[survey["region_code"] == TINY_REGION, "person_id"])
        & set(perf.loc[perf["region_code"] == TINY_REGION, "person_id"])
    )[:3]
    for name, key, keep in (
        ("survey", "person_id", both),
        ("performance", "person_id", both),
        ("training", "person_id", both),
        ("satisfaction", "respondent_id", None),
    ):
        df = pd.read_parquet(data / f"{name}.parquet")
        mine = df["region_code"] == TINY_REGION
        keep = keep if keep is not None else df.loc[mine, key].iloc[:3].tolist()
        df[~mine | df[key].isin(keep)].reset_index(drop=True).to_parquet(data / f"{name}.parquet")
    summary = runner.run_suite(
        dataset=str(data),
        regions=["18.71", "17.71", TINY_REGION],
        lang="id",
        workers=2,
        out=tmp_path / "reports" / "tiny-id",
        progress=False,
        publish=True,
        notebooks=TINY_SUITE,
    )
    assert summary.ok, "\n".join(runner.failure_lines(summary))
    bad, n_suppressed = _tiny_region_leaks(summary.run_dir)
    assert bad == []
    assert n_suppressed >= 2  # the IKM and mutu headlines of the tiny region were recorded, as "<5"
    index = (summary.run_dir / "index.html").read_text(encoding="utf-8")
    assert f"({TINY_NAME})</dt><dd>&lt;5</dd>" in index
    page = (summary.run_dir / "03_resistance_to_change.html").read_text(encoding="utf-8")
    assert left_out_note(30) in html.unescape(page)  # left out of the region comparisons, with a note


def left_out_note(min_n: int) -> str:
    from kinerja_research.report.i18n import translator

    return translator("id")("common.regions_left_out", min_n=min_n, regions=TINY_NAME)


class _BriefCtx:
    """What ``sections.region_brief`` reads of a notebook's context (the national run passes the same)."""

    lang, alpha, seed, min_n, level, style = "en", 0.05, 2026, 5, 95.0, "standard"

    def __init__(self, region: str):
        self.region = region

    def region_name(self, code: str) -> str:
        return code


@pytest.mark.parametrize("keep", [("survey",), ("performance",), ("training",), ("performance", "training"),
                                  ("survey", "satisfaction"), ()])  # fmt: skip
def test_the_brief_says_what_it_leaves_out_on_any_tables(small_dataset, keep):
    """Issue 10.1: the brief runs on any subset of the tables; every theme it cannot answer has a note saying why."""
    import pandas as pd

    from kinerja_research.pipeline import load_processed
    from kinerja_research.report import sections
    from kinerja_research.report.i18n import translator

    tables = {k: v for k, v in load_processed(str(small_dataset)).items() if k in keep}
    brief = sections.region_brief(_BriefCtx("18.71"), tables)
    t = translator("en")
    answered = {q for q, r in zip(brief.results["answers"]["question"], brief.results["answers"]["region"])
                if r == "18.71"}  # fmt: skip
    noted = [key for key, _ in brief.notes]
    assert len(noted) + len(answered & set(sections.BRIEF_THEMES)) == len(sections.BRIEF_THEMES)
    assert all(key.startswith("brief.left_out.") and key in t for key in noted)
    assert brief.findings  # never an empty key-findings box: a sentence saying the notes explain why
    if not answered:
        assert brief.findings == [t("brief.no_findings")]
    if "performance" not in keep:
        assert any(v.get("table") == t("vocab.table.performance") for _, v in brief.notes)
    assert isinstance(brief.results["answers"], pd.DataFrame)
