"""Executed notebooks -> self-contained, phone-readable HTML pages, the index pages, and PDFs.

- :func:`render_html`: nbconvert ``HTMLExporter`` (``basic`` template, ``exclude_input=True``: no code cells),
  wrapped in ``templates/page.html`` with the report CSS inlined. Figures are already embedded PNGs (``ctx.figure``);
  Markdown images are embedded too. Warnings written to stderr stay in the executed ``.ipynb`` for academics and are
  left out of the page. No script and no external resource: the page works offline and from an e-mail attachment.
- :func:`write_index`: ``<run>/index.html`` summarising the headline JSON of every report (what each notebook
  recorded, never recomputed), linking every page, notebook and log, listing failures.
- :func:`write_reports_index`: ``reports/index.html`` listing every run and linking the newest run's pages.
- :func:`print_pdf`: headless Chromium ``--print-to-pdf``.

Only the run time and the run id vary between two runs on the same inputs; they sit in ``<span class="kr-volatile">``.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kinerja_research._io import write_text_atomic
from kinerja_research.errors import KinerjaError

__all__ = [
    "render_html",
    "write_index",
    "write_reports_index",
    "print_pdf",
    "find_chromium",
    "page",
    "browser_check",
    "CHROMIUM_FLAGS",
    "TEMPLATES",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Flags for a headless, offline, throw-away Chromium (no network, no profile, no GPU).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)
_CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def page(body: str, *, title: str, lang: str) -> str:
    """Wrap an HTML fragment in the report page (inline CSS, responsive viewport, no scripts)."""
    from jinja2 import Template

    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    template = Template((TEMPLATES / "page.html").read_text(encoding="utf-8"), autoescape=False)
    return template.render(title=html.escape(title), lang=lang, css=css, body=body)


_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="[^"]*">[^<]*</a>')


def _strip_for_page(nb) -> None:
    """Keep what a policy reader reads: drop stderr streams (warnings), code cells without output, papermill's
    error banner and execution/timing metadata; give cells positional ids (papermill's injected cell has a random
    one)."""
    cells = []
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "papermill-error-cell-tag" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
            if not cell.outputs:
                continue
        cells.append(cell)
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i}"
        cell.metadata.pop("tags", None)
    nb.cells = cells
    nb.metadata.pop("papermill", None)


def render_html(ipynb: str | Path, html_path: str | Path, *, title: str, lang: str = "id") -> Path:
    """Render an executed notebook to a self-contained HTML page without code cells.

    Parameters
    ----------
    ipynb : path
        Executed notebook.
    html_path : path
        Page to write (atomically).
    title : str
        Page title (``<title>``).
    lang : str
        ``<html lang=...>``.

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    _strip_for_page(nb)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        anchor_link_text="",
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": str(Path(ipynb).parent)}})
    body = _ANCHOR_LINK.sub("", body)  # the "¶" links of headings are for notebook authors, not report readers
    out = Path(html_path)
    write_text_atomic(out, page(f'<main class="kr-report">{body}</main>', title=title, lang=lang))
    return out


def _vol(text: str) -> str:
    from kinerja_research.report.provenance import VOLATILE_CLASS

    return f'<span class="{VOLATILE_CLASS}">{html.escape(text)}</span>'


def _a(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def write_index(
    run_dir: str | Path,
    jobs: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    dataset: str,
    regions: Sequence[str],
    run_id: str,
    run_time: str,
) -> Path:
    """Write ``<run_dir>/index.html`` from the jobs of a run and the headline JSON each report recorded.

    Parameters
    ----------
    run_dir : path
        The run folder (holding ``<stem>.html``, ``<stem>.ipynb``, ``<stem>.headline.json``, ``logs/<stem>.log``).
    jobs : list of dict
        One per job, in suite order: ``stem``, ``notebook``, ``region`` (or None), ``ok``, ``error`` (dict with
        ``cell``, ``ename``, ``evalue`` or None), ``html``/``pdf`` (file names or None).
    """
    from kinerja_research.report.i18n import Translator

    t = Translator(lang)
    run_dir = Path(run_dir)
    e = html.escape
    parts = [
        f"<h1>{e(t('common.index.title'))}</h1>",
        f"<p>{e(t('common.index.intro', dataset=str(dataset)))}</p>",
        f"<p>{e(t('common.index.regions'))}: " + e(", ".join(_region_names(regions))) + "</p>",
        f"<p>{e(t('common.index.generated'))}: {_vol(run_time)} · {e(t('common.provenance.run_id'))}: "
        f"{_vol(run_id)}</p>",
    ]
    failed = [j for j in jobs if not j["ok"]]
    if failed:
        parts.append(f'<section class="kr-failures"><h2>{e(t("common.index.failures"))}</h2><ul>')
        for j in failed:
            err = j.get("error") or {}
            cell = f"{err['cell']} (In [{err.get('exec_count')}])" if err.get("cell") is not None else "–"
            detail = t(
                "common.index.failure_detail",
                notebook=j["stem"],
                cell=cell,
                error=f"{err.get('ename', '')}: {err.get('evalue', '')}".strip(": "),
            )
            links = [_a(f"{j['stem']}.ipynb", t("common.index.notebook_link"))]
            links.append(_a(f"logs/{j['stem']}.log", t("common.index.log_link")))
            parts.append(f"<li>{e(detail)} ({' · '.join(links)})</li>")
        parts.append("</ul></section>")
    parts.append(f"<h2>{e(t('common.index.reports'))}</h2>")
    for j in jobs:
        head = _read_headline(run_dir / f"{j['stem']}.headline.json") if j["ok"] else None
        name = (head or {}).get("title") or (
            t(f"common.nb.{j['notebook']}") if f"common.nb.{j['notebook']}" in t else j["notebook"]
        )
        if j.get("region"):
            name = f"{name}: {_region_names([j['region']])[0]}"
        status = t("common.index.ok") if j["ok"] else t("common.index.failed")
        title_html = _a(j["html"], name) if j.get("html") else e(name)
        links = [
            _a(f"{j['stem']}.ipynb", t("common.index.notebook_link")),
            _a(f"logs/{j['stem']}.log", t("common.index.log_link")),
        ]
        if j.get("pdf"):
            links.append(_a(j["pdf"], t("common.index.pdf_link")))
        cls = "kr-ok" if j["ok"] else "kr-failed"
        parts.append(
            f'<section class="kr-card {cls}"><h3>{title_html}</h3>'
            f'<p class="kr-meta">{e(status)} · {" · ".join(links)}</p>'
        )
        if head is not None:
            records = head.get("records") or []
            if records:
                parts.append("<dl class='kr-headlines'>")
                for r in records:
                    label = r.get("label") or r["key"]
                    if r.get("region_name") and not j.get("region"):
                        label = f"{label} ({r['region_name']})"
                    parts.append(f"<dt>{e(label)}</dt><dd>{e(str(r.get('text')))}</dd>")
                parts.append("</dl>")
            else:
                parts.append(f"<p>{e(t('common.index.no_headlines'))}</p>")
        parts.append("</section>")
    out = run_dir / "index.html"
    write_text_atomic(
        out, page("<main class='kr-index'>" + "".join(parts) + "</main>", title=t("common.index.title"), lang=lang)
    )
    return out


def _read_headline(path: Path) -> dict | None:
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _region_names(codes: Sequence[str]) -> list[str]:
    out = []
    for c in codes:
        try:
            from kinerja_research.regions import get_region

            out.append(get_region(str(c)).name)
        except Exception:
            out.append(str(c))
    return out


def write_reports_index(reports_dir: str | Path, *, newest: str, lang: str = "id") -> Path:
    """Write ``reports/index.html``: every run folder (with its ``run.json``) and the newest run's pages."""
    from kinerja_research.report.i18n import Translator

    reports_dir = Path(reports_dir)
    runs = []
    for d in sorted(p for p in reports_dir.iterdir() if p.is_dir() and (p / "run.json").exists()):
        meta = json.loads((d / "run.json").read_text(encoding="utf-8"))
        runs.append((d.name, meta))
    newest_meta = dict(runs)[newest] if newest in dict(runs) else None
    t = Translator(lang)
    e = html.escape
    parts = [f"<h1>{e(t('common.index.title'))}</h1>"]
    from kinerja_research.report.runner import published_name

    if newest_meta:
        parts.append(f"<h2>{e(t('common.index.newest'))}: {_a(newest + '/index.html', newest)}</h2><ul>")
        for j in newest_meta["jobs"]:
            if j.get("html"):
                name = t(f"common.nb.{j['notebook']}") if f"common.nb.{j['notebook']}" in t else j["notebook"]
                if j.get("region"):
                    name = f"{name}: {_region_names([j['region']])[0]}"
                parts.append(f"<li>{_a(published_name(j['html']), name)} ({_a(newest + '/' + j['html'], newest)})</li>")
        parts.append("</ul>")
    parts.append(
        f"<h2>{e(t('common.index.runs'))}</h2><table class='kr-table'><thead><tr>"
        f"<th>{e(t('common.index.run'))}</th><th>{e(t('common.provenance.dataset'))}</th>"
        f"<th>{e(t('common.index.language'))}</th><th>{e(t('common.index.regions'))}</th>"
        f"<th>{e(t('common.index.status'))}</th><th>{e(t('common.index.generated'))}</th></tr></thead><tbody>"
    )
    for name, meta in runs:
        n_fail = sum(not j["ok"] for j in meta["jobs"])
        status = t("common.index.ok") if n_fail == 0 else f"{n_fail} {t('common.index.failed')}"
        parts.append(
            f"<tr><td>{_a(name + '/index.html', name)}</td><td>{e(str(meta['dataset']))}</td>"
            f"<td>{e(meta['lang'])}</td><td>{e(', '.join(_region_names(meta['regions'])))}</td>"
            f"<td>{e(status)}</td><td>{_vol(meta.get('run_time', ''))}</td></tr>"
        )
    parts.append("</tbody></table>")
    out = reports_dir / "index.html"
    write_text_atomic(
        out, page("<main class='kr-index'>" + "".join(parts) + "</main>", title=t("common.index.title"), lang=lang)
    )
    return out


def find_chromium() -> str | None:
    """Path of a headless-capable Chromium, or None (``KINERJA_CHROMIUM`` overrides the search)."""
    env = os.environ.get("KINERJA_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for c in _CHROMIUM_CANDIDATES:
        if Path(c).exists():
            return c
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_command(chromium: str, profile: str | Path, *extra: str) -> list[str]:
    """Command line of a throw-away headless Chromium with its own profile folder."""
    return [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra]


def print_pdf(
    html_path: str | Path, pdf_path: str | Path, *, chromium: str | None = None, timeout: float = 120
) -> Path:
    """Print an HTML page to PDF with headless Chromium.

    Raises
    ------
    KinerjaError
        When Chromium is not installed (one sentence saying how to install it) or the print fails.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise KinerjaError(
            "PDF output needs headless Chromium, which is not installed (looked for "
            f"{', '.join(_CHROMIUM_CANDIDATES)}); install the Debian package with "
            "`sudo apt-get install chromium` or set KINERJA_CHROMIUM, or run without --pdf."
        )
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path).resolve()
    with tempfile.TemporaryDirectory(prefix="kr-chromium-") as profile:
        tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.tmp")
        cmd = chromium_command(
            chromium, profile, "--no-pdf-header-footer", f"--print-to-pdf={tmp_pdf}", html_path.as_uri()
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not tmp_pdf.exists():
            raise KinerjaError(
                f"Chromium could not print '{html_path.name}' to PDF (exit {proc.returncode}): "
                f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'no message'}."
            )
        os.replace(tmp_pdf, pdf_path)
    return pdf_path


_CHECK_SCRIPT = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>
const pages = %s;
function check(p) { return new Promise(res => { const f = document.createElement('iframe'); f.src = p;
  f.onload = () => { let d; try { d = f.contentDocument; } catch (e) { res({page: p, error: String(e)}); return; }
    if (!d || !d.body) { res({page: p, error: 'page did not load'}); return; }
    const imgs = [...d.images];
    const links = [...d.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
    res({page: p, title: d.title, images: imgs.length,
         broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('alt') || i.src.slice(0, 40)),
         links: links,
         missing_anchors: links.filter(h => h.startsWith('#') && h.length > 1 && !d.getElementById(h.slice(1)) && !d.getElementById(decodeURIComponent(h.slice(1)))),
         error_outputs: d.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], .output_error, .jp-OutputArea-output[data-mime-type*="stderr"]').length,
         text: d.body.innerText}); };
  document.body.appendChild(f); }); }
(async () => { const out = []; for (const p of pages) out.push(await check(p));
  const pre = document.createElement('pre'); pre.id = 'kr-result'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre); })();
</script></body></html>"""


def browser_check(pages: Sequence[str | Path], *, chromium: str | None = None, timeout: float = 120) -> list[dict]:
    """Open pages in headless Chromium and report, per page, what a reader's browser sees.

    Each page is loaded in an iframe of a throw-away checker page (``--allow-file-access-from-files``); the result
    per page: ``title``, ``images`` and ``broken_images`` (not decoded by the browser), ``links`` (every href),
    ``missing_anchors`` (``#id`` links without their target), ``error_outputs`` (notebook error/stderr output cells),
    ``text`` (visible text) and ``missing_files`` (relative links whose file does not exist next to the page).

    Raises
    ------
    KinerjaError
        When Chromium is not installed or returns no result.
    """
    from urllib.parse import unquote, urlsplit

    chromium = chromium or find_chromium()
    if chromium is None:
        raise KinerjaError(
            "the browser check needs headless Chromium, which is not installed (Debian: `apt-get install chromium`)."
        )
    pages = [Path(p).resolve() for p in pages]
    with tempfile.TemporaryDirectory(prefix="kr-check-") as tmp:
        checker = Path(tmp) / "check.html"
        checker.write_text(_CHECK_SCRIPT % json.dumps([p.as_uri() for p in pages]), encoding="utf-8")
        profile = Path(tmp) / "profile"
        cmd = chromium_command(
            chromium,
            profile,
            "--allow-file-access-from-files",
            f"--virtual-time-budget={int(timeout * 1000)}",
            "--dump-dom",
            checker.as_uri(),
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 30)
    import re

    m = re.search(r'<pre id="kr-result">(.*?)</pre>', proc.stdout, re.S)
    if not m:
        raise KinerjaError(f"Chromium returned no check result (exit {proc.returncode}).")
    results = json.loads(html.unescape(m.group(1)))
    for page, res in zip(pages, results):
        missing = []
        for href in res.get("links", []):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external links are not followed; anchors are checked in the browser
            if not (page.parent / unquote(parts.path)).exists():
                missing.append(href)
        res["missing_files"] = missing
        res["path"] = str(page)
    return results
