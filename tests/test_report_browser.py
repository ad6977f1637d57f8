"""Pages in a real browser: nothing overflows a 390 px phone or a 1366 px screen, tables scroll inside their own box
with the first column fixed, figures shrink to the column, and the A4 print clips no column.

Headless Chromium is driven over its DevTools pipe (``report/browser.py``): mobile emulation at 390 px, a desktop
viewport at 1366 px, print media at the A4 text width; PDFs are printed and their pages counted. The default test
renders a small page built to be hard (a 12-column table, a long-labelled figure, a wide index); the regional brief
of the real suite (two A4 pages) is in the slow test.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from _report_suite import notebook, processed

from kinerja_research.report import runner
from kinerja_research.report.browser import A4_TEXT_WIDTH_PX, measure_pages, pdf_pages
from kinerja_research.report.render import print_pdf

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed; .ci/run installs it via apt"
)
A4_LANDSCAPE_TEXT_PX = round((297 - 2 * 12) / 25.4 * 96)

WIDE = r"""import numpy as np
import pandas as pd
terms = ["reward", "sanction", "motivation", "training", "tenure_years"]
full = pd.DataFrame({"term": terms, "estimate": np.linspace(-1.2, 2.4, 5), "se": 0.1234, "ci_low": -3.1, "ci_high": 3.2,
                     "statistic": 12.3456, "df": 1234.0, "p": 0.00012, "p_adj": 0.0004, "effect_size": 0.4567,
                     "effect_size_name": "hedges_g", "n": 1234, "method": "Welch t"})
ctx.show(full[["term", "estimate", "ci_low", "ci_high", "p", "n"]], caption_key="common.col.estimate", detail=full)
"""
FIGURE = r"""import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.bar(["Kota Bandar Lampung", "Kota Bengkulu", "Kota Lhokseumawe", "Kota Kupang"], [71.2, 68.4, 74.9, 70.1])
ax.set_ylabel("Capaian SKP (%)")
ctx.figure(fig, "common.col.mean")
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    nbs = root / "notebooks"
    notebook(
        nbs / "04_reward_effects.ipynb",
        [
            'ctx.findings(["Penghargaan berkaitan dengan capaian yang lebih tinggi (asosiasi, bukan efek)."])',
            WIDE,
            FIGURE,
            'ctx.answer("rewards", "Ya, berkaitan (asosiasi).", region="18.71", value=0.4, n=40)\nctx.finish()',
        ],
    )
    data = processed(root / "proc")
    summary = runner.run_suite(
        dataset=str(data),
        regions=["18.71", "17.71"],
        lang="id",
        workers=1,
        out=root / "reports" / "run",
        notebooks_dir=nbs,
        progress=False,
        pdf=True,
    )
    assert summary.ok, runner.failure_lines(summary)
    return summary.run_dir


def test_no_overflow_on_a_phone_or_a_screen_and_tables_scroll_in_their_own_box(pages):
    files = [pages / "04_reward_effects.html", pages / "index.html"]
    results = measure_pages(files, str(CHROMIUM), widths=(390, 1366), print_width=A4_TEXT_WIDTH_PX)
    report = []
    for r in results:
        name = Path(r["page"]).name
        report.append(
            (name, r["media"], r["width"], r["page_scroll"], [(t["scroll"], t["wrap_client"]) for t in r["tables"]])
        )
        assert r["outside"] == [], (name, r["media"], r["width"], r["outside"])
        if r["media"] == "screen":
            assert r["page_scroll"] <= r["width"], (name, r["width"], r["page_scroll"])
            for t in r["tables"]:
                assert t["wrap_client"] is not None and t["wrap_client"] <= r["width"], (name, t)
                if t["wrap_scroll"] > t["wrap_client"] + 1:  # wider than the screen: it scrolls on its own
                    assert t["wrap_scrolls"] and t["sticky"] == "sticky", (name, r["width"], t)
            for f in r["figures"]:
                assert f["shown"] <= f["client"] + 1, (name, f)
                if r["width"] == 390:  # 11 pt text at 110 dpi shrunk to the phone: at least 0.5 of its size
                    assert f["shown"] / f["natural"] >= 0.5, (name, f)
        else:  # print at the A4 text width: no table wider than the page, except wide ones (landscape pages)
            narrow = [t for t in r["tables"] if not t["wide"]]
            assert all(t["scroll"] <= r["width"] + 1 for t in narrow), (name, narrow)
    landscape = measure_pages(files, str(CHROMIUM), widths=(), print_width=A4_LANDSCAPE_TEXT_PX)
    for r in landscape:
        assert all(t["scroll"] <= r["width"] + 1 for t in r["tables"] if t["wide"]), (Path(r["page"]).name, r)
    print(json.dumps(report))  # the measurements, for the record (-s)


def test_pdf_clips_no_column(pages):
    pdf = pages / "04_reward_effects.pdf"
    assert pdf.exists() and pdf_pages(pdf.read_bytes()) >= 1
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("Ghostscript (gs) is not installed to read the PDF's text")
    text = subprocess.run(
        [gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite", "-o", "-", str(pdf)], capture_output=True, text=True
    ).stdout
    page = (pages / "04_reward_effects.html").read_text()
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', page)
    assert headers
    text = unicodedata.normalize("NFKC", text)  # the PDF's ligatures ("ﬁ") back to letters
    missing = [h for h in headers if not all(w in text for w in re.findall(r"\w{3,}", html.unescape(h)))]
    assert missing == [], f"columns cut off in the PDF: {missing}"


def test_index_pdf_and_print_are_a4(pages, tmp_path):
    out = print_pdf(pages / "index.html", tmp_path / "index.pdf")
    data = out.read_bytes()
    assert pdf_pages(data) >= 1
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes[:1])  # A4


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The real suite on the default synthetic data (scale 1, the four default regions), with PDFs."""
    import os

    from kinerja_research import pipeline, synth

    root = tmp_path_factory.mktemp("default")
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "test-key-not-secret")
    synth.write_default(root / "raw", seed=2026, scale=1.0)
    pipeline.build_processed("default", raw_dir=root / "raw", out_dir=root / "processed")
    summary = runner.run_suite(
        dataset=str(root / "processed"),
        lang="id",
        workers=2,
        out=root / "reports" / "default-id",
        progress=False,
        pdf=True,
    )
    assert summary.ok, runner.failure_lines(summary)
    return summary


@pytest.mark.slow
def test_default_run_brief_is_two_a4_pages_and_nothing_overflows(default_run):
    pages = {}
    for job in default_run.jobs:
        data = (default_run.run_dir / job["pdf"]).read_bytes()
        pages[job["stem"]] = pdf_pages(data)
    print(json.dumps(pages))
    for stem, n in pages.items():
        if stem.startswith("region_brief_"):
            assert n <= 2, (stem, n)
    land = A4_LANDSCAPE_TEXT_PX
    files = [default_run.run_dir / j["html"] for j in default_run.jobs] + [default_run.run_dir / "index.html"]
    results = measure_pages(files, str(CHROMIUM), widths=(390, 1366), print_width=A4_TEXT_WIDTH_PX)
    bad = [
        (Path(r["page"]).name, r["media"], r["width"], r["page_scroll"], r["outside"])
        for r in results
        if r["outside"]
        or (r["media"] == "screen" and r["page_scroll"] > r["width"])
        or (r["media"] == "print" and any(t["scroll"] > r["width"] + 1 for t in r["tables"] if not t["wide"]))
    ]
    bad += [
        (Path(r["page"]).name, "landscape")
        for r in measure_pages(files, str(CHROMIUM), widths=(), print_width=land)
        if any(t["scroll"] > land + 1 for t in r["tables"] if t["wide"])
    ]
    assert bad == []
