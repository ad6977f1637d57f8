"""`kinerja report` against hostile situations: killed at any moment, interrupted, pointed at folders it did not
write, fed names and values that would be HTML or spreadsheet formulas.

Every test runs the real command in a subprocess on a two-notebook suite (``tests/_report_suite.py``); each
descendant process carries a marker in its environment, so a test can see whether anything outlived the command.
The default versions take a few seconds each; more moments of killing are marked slow.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from _report_suite import (
    KINERJA,
    marked_processes,
    notebook,
    processed,
    project,
    start_report,
    wait_for,
    wait_gone,
)
from openpyxl import load_workbook

from kinerja_research.report.browser import pdf_pages
from kinerja_research.report.render import print_pdf

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed; .ci/run installs it via apt"
)


def _finish(proc, timeout=180):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


SLOW = ("--seed", "1")  # the audit notebook sleeps 4 s when seed == 1, so a test can act while kernels run


@pytest.fixture(scope="module")
def project_root(tmp_path_factory):
    """A project and a first complete run (the last good run)."""
    root = project(tmp_path_factory.mktemp("hostile"), slow_s="4 if seed == 1 else 0")
    code, out, err = _finish(start_report(root, uuid.uuid4().hex))
    assert code == 0, err
    return root


@pytest.fixture
def good(project_root):
    """The project, its run folder and the run's index page as it is when the test starts."""
    final = project_root / "reports" / "tiny-id"
    return project_root, final, (final / "index.html").read_text()


def _leftovers(final: Path) -> list[str]:
    return sorted(
        p.name
        for p in final.parent.iterdir()
        if p.name.startswith(f".{final.name}.") or p.name == f"{final.name}.previous"
    )


def _kernel_running(marker: str) -> bool:
    return any("ipykernel" in cmd for _, cmd in marked_processes(marker))


def _kill_at(root: Path, moment, *args: str) -> tuple[list, Path]:
    marker = uuid.uuid4().hex
    proc = start_report(root, marker, *args)
    assert wait_for(lambda: moment(root, marker) or proc.poll() is not None, timeout=90), "moment never came"
    assert proc.poll() is None, "the run ended before the moment to kill it"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    return wait_gone(marker), root / "reports" / "tiny-id"


def _tmp_exists(root, marker):
    return any(p.name.startswith(".tiny-id.tmp-") for p in (root / "reports").iterdir())


MOMENTS = {
    "kernel": lambda root, marker: _kernel_running(marker),
    "start": _tmp_exists,
    "render": lambda root, marker: any(
        p.suffix == ".html" for d in (root / "reports").glob(".tiny-id.tmp-*") for p in d.iterdir()
    ),
    "pdf": lambda root, marker: any("chromium" in cmd for _, cmd in marked_processes(marker)),
}


def _kill_and_recover(good, moment: str, *args: str):
    root, final, index = good
    survivors, final = _kill_at(root, MOMENTS[moment], *SLOW, *args)
    assert survivors == [], f"processes outlived `kinerja report` killed at '{moment}': {survivors}"
    assert (final / "index.html").read_text() == index, "the last good run was touched"
    code, _, err = _finish(start_report(root, uuid.uuid4().hex))
    assert code == 0, err
    assert _leftovers(final) == [], "the next run left a dead run's folders behind"


def test_kill_9_while_kernels_run_leaves_no_process_and_next_run_cleans_up(good):
    _kill_and_recover(good, "kernel")


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["start", "render"])
def test_kill_9_at_other_moments(good, moment):
    _kill_and_recover(good, moment)


@pytest.mark.slow
@needs_chromium
def test_kill_9_while_chromium_prints(good):
    _kill_and_recover(good, "pdf", "--pdf")


def test_ctrl_c_is_one_sentence_exit_130_and_leaves_nothing(good):
    root, final, index = good
    marker = uuid.uuid4().hex
    proc = start_report(root, marker, *SLOW)
    assert wait_for(lambda: _kernel_running(marker), timeout=90)
    assert proc.poll() is None, "the run ended before Ctrl-C could be sent"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    code, out, err = _finish(proc, timeout=60)
    assert code == 130
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Interrupted:") and "Traceback" not in err
    assert wait_gone(marker) == []
    assert _leftovers(final) == [] and (final / "index.html").read_text() == index


def test_killed_between_the_two_renames_the_next_run_restores_the_last_good_run(good):
    root, final, index = good
    old = final.with_name(f"{final.name}.previous")
    os.replace(final, old)  # the state a kill between the renames leaves: no run folder, the old one aside
    code, _, err = _finish(start_report(root, uuid.uuid4().hex, "-n", "no_such_notebook"))
    assert code == 2 and "no_such_notebook" in err  # a run that stops early still recovers first
    assert (final / "index.html").read_text() == index and not old.exists()


def test_out_refuses_a_folder_it_did_not_write(good, tmp_path):
    root, _, _ = good
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.docx").write_bytes(b"years of work")
    (foreign / "run.json").write_text('{"run_id": "stray"}')  # a stray run.json is not enough
    code, _, err = _finish(start_report(root, uuid.uuid4().hex, "--out", str(foreign)))
    assert code == 2 and "not a report run" in err and len(err.strip().splitlines()) == 1
    assert (foreign / "chapter1.docx").read_bytes() == b"years of work"


def test_out_refuses_a_file_added_to_an_earlier_run(good):
    root, final, _ = good
    (final / "chapter1.docx").write_bytes(b"draft")
    try:
        code, _, err = _finish(start_report(root, uuid.uuid4().hex))
        assert code == 2 and "chapter1.docx" in err
        assert (final / "chapter1.docx").read_bytes() == b"draft"
    finally:
        (final / "chapter1.docx").unlink()


EVIL = "<img src=x onerror=alert(document.domain)>"


def test_html_in_a_dataset_name_and_formulas_in_values_render_inert(tmp_path):
    """A dataset folder named like HTML, a service unit written as a spreadsheet formula: every page, the index
    pages, the provenance and the .xlsx show them as text."""
    root = tmp_path / "proj"
    notebook(
        root / "notebooks" / "00_data_audit.ipynb",
        [
            'ctx.text("audit.intro", dataset=dataset)',
            'import pandas as pd\nu = pd.DataFrame({"service_unit": ["=HYPERLINK(\\"http://evil\\",\\"klik\\")", '
            '"@SUM(A1)", "Dinas Pariwisata Café"], "count": [12, 30, 7]})\n'
            'ctx.show(u, kind="counts", caption_key="common.col.n")',
            "ctx.finish()",
        ],
    )
    processed(root / "data" / "processed" / EVIL)
    res = subprocess.run(
        [str(KINERJA), "report", "-d", EVIL, "--no-progress", "-w", "1", "--out", str(root / "reports" / "evil")],
        env={**os.environ, "KINERJA_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stderr
    out = root / "reports" / "evil"
    pages = [out / "00_data_audit.html", out / "index.html", root / "reports" / "index.html"]
    pages = [p for p in pages if p.exists()]
    assert len(pages) >= 2
    for page in pages:
        text = page.read_text()
        assert EVIL not in text, page.name
        assert "<img src=x" not in text and "onerror=alert" not in re.sub(r"&lt;.*?&gt;", "", text), page.name
    audit = (out / "00_data_audit.html").read_text()
    assert html.escape(EVIL) in audit and "Content-Security-Policy" in audit
    doc = json.loads((out / "00_data_audit.headline.json").read_text())
    assert doc["dataset"] == EVIL  # recorded as given, shown escaped
    wb = load_workbook(out / "00_data_audit.xlsx")
    ws = wb[wb.sheetnames[0]]
    cells = [ws.cell(row=r, column=1) for r in range(3, 6)]
    assert cells[0].value.startswith("'=HYPERLINK") and cells[1].value.startswith("'@SUM")
    assert all(c.data_type == "s" for c in cells) and cells[2].value == "Dinas Pariwisata Café"


@needs_chromium
def test_printing_runs_no_script_and_reads_no_file(tmp_path):
    """A page that would run a script and embed a local file prints as plain text: JavaScript off, every request
    but the page refused."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><h1 id=h>STATIC</h1><script>document.getElementById('h').textContent='SCRIPT-RAN'</script>"
        f"<iframe src='{secret.as_uri()}'></iframe><object data='{secret.as_uri()}'></object></body></html>"
    )
    t0 = time.perf_counter()
    pdf = print_pdf(page, tmp_path / "p.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) == 1 and time.perf_counter() - t0 < 60
    text = _pdf_text(tmp_path / "p.pdf")
    if text is not None:
        assert "STATIC" in text and "SCRIPT-RAN" not in text and "TOP-SECRET" not in text


def _pdf_text(path: Path) -> str | None:
    """Text of a PDF through Ghostscript's txtwrite device (None when Ghostscript is absent)."""
    gs = shutil.which("gs")
    if gs is None:
        return None
    res = subprocess.run(
        [gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite", "-o", "-", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return res.stdout
