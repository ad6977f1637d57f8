"""Executed notebooks -> self-contained, phone-readable HTML pages, the index pages, and PDFs.

- :func:`render_html`: nbconvert ``HTMLExporter`` (``basic`` template, ``exclude_input=True``: no code cells),
  wrapped in ``templates/page.html`` with the report CSS inlined. Markdown cells tagged ``lang-id`` / ``lang-en``
  are kept for the report's language and dropped for the other; untagged ones are kept. The page links its
  ``.xlsx`` and headline JSON. No script and no external resource: a Content-Security-Policy forbids both, so the
  page works offline and from an e-mail attachment and nothing in it can run or fetch.
- :func:`write_index`: ``<run>/index.html``: the four questions answered per region (``ctx.answer`` records), every
  page with its headline figures (read from the headline JSON, never recomputed), the notebooks not run on these
  data with the reason, and failures.
- :func:`write_reports_index`: ``reports/index.html``: the newest run's answers and pages, and every run.
- :func:`print_pdf`: headless Chromium over its DevTools pipe, JavaScript off, no request beyond the page.

Every string from data or paths is escaped; links are relative, percent-encoded paths (never a scheme). Only the run
time sits in ``<span class="kr-volatile">`` and varies between two runs on the same inputs.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from jinja2 import Template

from kinerja_research._io import write_text_atomic
from kinerja_research.errors import KinerjaError
from kinerja_research.regions import get_region
from kinerja_research.report import export
from kinerja_research.report.browser import print_to_pdf
from kinerja_research.report.i18n import Translator
from kinerja_research.report.procs import die_with_parent
from kinerja_research.report.provenance import VOLATILE_CLASS

__all__ = [
    "render_html",
    "write_index",
    "write_reports_index",
    "print_pdf",
    "find_chromium",
    "page",
    "browser_check",
    "published_name",
    "href",
    "CHROMIUM_FLAGS",
    "TEMPLATES",
    "CSP",
    "QUESTIONS",
    "STYLES",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The four questions the reports answer (``ctx.answer``), in the order of the answers table.
QUESTIONS = ("training", "resistance", "rewards", "comparison")
#: Page layouts of result tables: ``standard``, or ``skripsi`` (the SPSS-style blocks Indonesian examiners read).
STYLES = ("standard", "skripsi")
#: Content-Security-Policy of every page: no script, no frame, no fetch; only inline styles and embedded images.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
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
_LANG_TAG = re.compile(r"^lang-([a-z]{2})$")


def published_name(name: str) -> str:
    """Name of a page copied to ``reports/``: without the run-order prefix (``10_region_comparison.html`` ->
    ``region_comparison.html``).

    Examples
    --------
    >>> published_name("10_region_comparison.html"), published_name("region_brief_18.71.html")
    ('region_comparison.html', 'region_brief_18.71.html')
    """
    return re.sub(r"^\d{2}_", "", name)


def href(path: str) -> str:
    """A relative link: each path segment percent-encoded, so no name can turn into a scheme (``javascript:``).

    Examples
    --------
    >>> href("run/index.html"), href("javascript:alert(1)//x.html")
    ('run/index.html', 'javascript%3Aalert%281%29//x.html')
    """
    return "/".join(quote(part, safe="") for part in str(path).split("/"))


def _a(target: str, text: str, *, fragment: str = "") -> str:
    return f'<a href="{html.escape(href(target) + fragment, quote=True)}">{html.escape(text)}</a>'


def page(body: str, *, title: str, lang: str, page_class: str = "") -> str:
    """Wrap an HTML fragment in the report page (inline CSS, responsive viewport, CSP forbidding scripts);
    ``page_class`` names the page for the print rules (``kr-page-region_brief``)."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    template = Template((TEMPLATES / "page.html").read_text(encoding="utf-8"), autoescape=False)
    cls = re.sub(r"[^\w-]", "_", page_class)
    return template.render(title=html.escape(title), lang=html.escape(lang), css=css, body=body, csp=CSP, cls=cls)


_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="[^"]*">[^<]*</a>')


def keep_cell(cell: Mapping, lang: str) -> bool:
    """Whether a cell belongs on a page in ``lang``: markdown cells tagged ``lang-xx`` only in language ``xx``."""
    tags = (cell.get("metadata") or {}).get("tags") or []
    langs = {m.group(1) for t in tags if (m := _LANG_TAG.match(str(t)))}
    return not langs or lang in langs


def _strip_for_page(nb, lang: str) -> None:
    """Keep what a policy reader reads: the report language's markdown cells; no stderr streams (warnings), code
    cells without output, papermill's error banner or execution/timing metadata; positional cell ids."""
    cells = []
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        tags = cell.metadata.get("tags", [])
        if "papermill-error-cell-tag" in tags or not keep_cell(cell, lang):
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


_EXPORTERS = threading.local()


def render_html(
    ipynb: str | Path,
    html_path: str | Path,
    *,
    title: str,
    lang: str = "id",
    links: Sequence[tuple[str, str]] = (),
    notebook: str = "",
) -> Path:
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
        Report language: ``<html lang=...>`` and which language-tagged markdown cells are kept.
    links : list of (href, text)
        Downloads shown at the top of the page (the page's ``.xlsx`` and headline JSON), relative to the page.
    notebook : str
        The notebook's name: the page's class ``kr-page-<notebook>`` (print rules of the regional brief).

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    # Imported here, in the worker that renders: nbformat/nbconvert cost 2-6 s to import (jsonschema compiles the
    # rfc3987 grammar), which `kinerja report`'s own process and `kinerja --help` should not pay.
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    _strip_for_page(nb, lang)
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:  # one per thread, kept: its templates compile once (70% of a page's rendering time)
        exporter = _EXPORTERS.html = HTMLExporter(
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            anchor_link_text="",
        )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": str(Path(ipynb).parent)}})
    body = _ANCHOR_LINK.sub("", body)  # the "¶" links of headings are for notebook authors, not report readers
    nav = ""
    if links:
        nav = '<nav class="kr-downloads">' + " · ".join(_a(h, text) for h, text in links) + "</nav>"
    out = Path(html_path)
    write_text_atomic(
        out,
        page(
            f'{nav}<main class="kr-report">{body}</main>',
            title=title,
            lang=lang,
            page_class=f"kr-page-{notebook}" if notebook else "",
        ),
    )
    return out


def _vol(text: str) -> str:
    return f'<span class="{VOLATILE_CLASS}">{html.escape(text)}</span>'


def region_names(codes: Sequence[str]) -> list[str]:
    """Registry names of region codes (a code the registry does not know stays as it is)."""
    out = []
    for c in codes:
        try:
            out.append(get_region(str(c)).name)
        except Exception:
            out.append(str(c))
    return out


#: What an index page shows of a page's headline JSON: its title, data source, answers and headline figures (not
#: its counts, which at national scale are most of the file: 283 MB for page 00 at scale 1).
INDEX_KEYS = ("title", "source", "answers", "records")


def _read_headline(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        head = export.read_headline(path, keys=INDEX_KEYS)
        if not head:  # none of them: the page is listed when its document has anything at all, as before
            head = export.read_headline(path)
    except ValueError:
        return None
    return head


def _page_title(job: Mapping, head: Mapping | None, t) -> str:
    key = f"common.nb.{job['notebook']}"
    name = (head or {}).get("title") or (t(key) if key in t else job["notebook"])
    if job.get("region"):
        name = f"{name}: {region_names([job['region']])[0]}"
    return name


def answers_table(
    jobs: Sequence[Mapping], heads: Mapping[str, Mapping], regions: Sequence[str], t, base: str = ""
) -> str:
    """The four questions x the regions of a run, from the ``answers`` each page recorded (``ctx.answer``), each
    answer linking to the page that computed it; a question nobody answered says so."""
    e = html.escape
    cells: dict[tuple[str, str | None], list[tuple[str, str]]] = {}
    page_of = {j["stem"]: j.get("html") for j in jobs}
    for stem, head in heads.items():
        for a in head.get("answers") or []:
            key = (a.get("question"), a.get("region"))
            cells.setdefault(key, []).append((str(a.get("text") or ""), page_of.get(stem) or ""))
    if not cells:
        return ""
    rows_for = [None, *regions] if any(r is None for _, r in cells) else list(regions)
    parts = [
        f'<section class="kr-answers"><h2 id="answers">{e(t("run.answers_title"))}</h2>',
        f"<p>{e(t('run.answers_intro'))}</p>",
        '<div class="kr-table-wrap"><table class="kr-table kr-answers-table"><thead><tr>',
        f'<th scope="col">{e(t("run.answers_region"))}</th>',
        *[f'<th scope="col">{e(t(f"run.question.{q}"))}</th>' for q in QUESTIONS],
        "</tr></thead><tbody>",
    ]
    for r in rows_for:
        name = t("run.answers_all") if r is None else region_names([r])[0]
        parts.append(f'<tr><th scope="row">{e(name)}</th>')
        for q in QUESTIONS:
            found = cells.get((q, r), [])
            if not found:
                parts.append(f'<td class="kr-none">{e("–")}</td>')
                continue
            items = []
            for text, page_name in found:
                items.append(_a(base + page_name, text) if page_name else e(text))
            parts.append("<td>" + "<br>".join(items) + "</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    missing = [q for q in QUESTIONS if not any(k[0] == q for k in cells)]
    for q in missing:
        parts.append(f'<p class="kr-note">{e(t(f"run.question.{q}"))} {e(t("run.answers_none"))}</p>')
    parts.append("</section>")
    return "".join(parts)


def synthetic_banner(heads: Mapping[str, Mapping], t) -> str:
    """The synthetic-data banner of an index page when the run's pages say their data are synthetic, else ``""``."""
    source = next((h.get("source") for h in heads.values() if h.get("source")), None)
    if not source or not source.get("synthetic"):
        return ""
    text = t("run.banner_synthetic", dataset=str(source.get("name")))
    return f'<div class="kr-banner kr-banner-synthetic" role="note"><strong>{html.escape(text)}</strong></div>'


def write_index(
    run_dir: str | Path,
    jobs: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    dataset: str,
    regions: Sequence[str],
    run_id: str,
    run_time: str,
    skipped: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Write ``<run_dir>/index.html`` from the jobs of a run and the headline JSON each report recorded.

    Parameters
    ----------
    run_dir : path
        The run folder (holding ``<stem>.html``, ``<stem>.ipynb``, ``<stem>.headline.json``, ``logs/<stem>.log``).
    jobs : list of dict
        One per job, in suite order: ``stem``, ``notebook``, ``region`` (or None), ``ok``, ``error`` (dict with
        ``cell``, ``ename``, ``evalue`` or None), ``html``/``pdf``/``xlsx`` (file names or None).
    skipped : list of dict
        Notebooks not run on these data: ``notebook``, ``reasons`` (``[[key, values]]`` of translation keys).
    """
    t = Translator(lang)
    run_dir = Path(run_dir)
    e = html.escape
    heads = {j["stem"]: h for j in jobs if j["ok"] and (h := _read_headline(run_dir / f"{j['stem']}.headline.json"))}
    parts = [
        f"<h1>{e(t('common.index.title'))}</h1>",
        f"<p>{e(t('common.index.intro', dataset=str(dataset)))}</p>",
        f"<p>{e(t('common.index.regions'))}: " + e(", ".join(region_names(regions))) + "</p>",
        f"<p>{e(t('common.index.generated'))}: {_vol(run_time)} · {e(t('common.provenance.run_id'))}: "
        f"{_vol(run_id)}</p>",
    ]
    parts.append(synthetic_banner(heads, t))
    parts.append(answers_table(jobs, heads, regions, t))
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
    if skipped:
        parts.append(f'<section class="kr-not-run"><h2>{e(t("run.index_not_run"))}</h2><ul>')
        for s in skipped:
            title = t(f"common.nb.{s['notebook']}") if f"common.nb.{s['notebook']}" in t else s["notebook"]
            reason = t("run.needs_and").join(reason_text(k, v, t) for k, v in s["reasons"])
            parts.append(f"<li>{e(t('run.index_not_run_item', title=title, reason=reason))}</li>")
        parts.append("</ul></section>")
    parts.append(f"<h2>{e(t('common.index.reports'))}</h2>")
    for j in jobs:
        head = heads.get(j["stem"])
        name = _page_title(j, head, t)
        status = t("common.index.ok") if j["ok"] else t("common.index.failed")
        title_html = _a(j["html"], name) if j.get("html") else e(name)
        links = []
        if j.get("xlsx"):
            links.append(_a(j["xlsx"], t("run.download_xlsx")))
        if head is not None:
            links.append(_a(f"{j['stem']}.headline.json", t("run.download_json")))
        if j.get("pdf"):
            links.append(_a(j["pdf"], t("common.index.pdf_link")))
        links += [
            _a(f"{j['stem']}.ipynb", t("common.index.notebook_link")),
            _a(f"logs/{j['stem']}.log", t("common.index.log_link")),
        ]
        cls = "kr-ok" if j["ok"] else "kr-failed"
        parts.append(
            f'<section class="kr-card {cls}"><h3>{title_html}</h3>'
            f'<p class="kr-meta">{e(status)} · {" · ".join(links)}</p>'
        )
        if head is not None:
            records = [r for r in head.get("records") or [] if r.get("label")]
            if records:
                parts.append("<dl class='kr-headlines'>")
                for r in records:
                    label = r["label"]
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


def reason_text(key: str, values: Mapping[str, Any], t) -> str:
    """A translated reason a notebook or section was left out, its table or construct named in words."""
    values = dict(values)
    if "table" in values and f"vocab.table.{values['table']}" in t:
        values["table"] = t(f"vocab.table.{values['table']}")
    if "construct" in values and f"run.construct.{values['construct']}" in t:
        values["construct"] = t(f"run.construct.{values['construct']}")
    return t(key, **values)


def write_reports_index(reports_dir: str | Path, *, newest: str, lang: str = "id") -> Path:
    """Write ``reports/index.html``: the newest run's answers to the four questions and its pages, then every run
    folder (with its ``run.json``)."""
    reports_dir = Path(reports_dir)
    runs = []
    for d in sorted(p for p in reports_dir.iterdir() if p.is_dir() and (p / "run.json").exists()):
        try:
            meta = json.loads((d / "run.json").read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(meta, dict) and meta.get("command") == "kinerja report":
            runs.append((d.name, meta))
    newest_meta = dict(runs).get(newest)
    t = Translator(lang)
    e = html.escape
    parts = [f"<h1>{e(t('common.index.title'))}</h1>"]
    if newest_meta:
        jobs = newest_meta["jobs"]
        heads = {
            j["stem"]: h
            for j in jobs
            if j.get("ok") and (h := _read_headline(reports_dir / newest / f"{j['stem']}.headline.json"))
        }
        published = [{**j, "html": published_name(j["html"]) if j.get("html") else None} for j in jobs]
        parts.append(synthetic_banner(heads, t))
        parts.append(answers_table(published, heads, newest_meta.get("regions", []), t))
        parts.append(f"<h2>{e(t('common.index.newest'))}: {_a(newest + '/index.html', newest)}</h2><ul>")
        for j in jobs:
            if j.get("html"):
                name = _page_title(j, heads.get(j["stem"]), t)
                parts.append(f"<li>{_a(published_name(j['html']), name)} ({_a(newest + '/' + j['html'], newest)})</li>")
        parts.append("</ul>")
    parts.append(
        f"<h2>{e(t('common.index.runs'))}</h2><div class='kr-table-wrap'><table class='kr-table'><thead><tr>"
        f"<th>{e(t('common.index.run'))}</th><th>{e(t('common.provenance.dataset'))}</th>"
        f"<th>{e(t('common.index.language'))}</th><th>{e(t('common.index.regions'))}</th>"
        f"<th>{e(t('common.index.status'))}</th><th>{e(t('common.index.generated'))}</th></tr></thead><tbody>"
    )
    for name, meta in runs:
        n_fail = sum(not j["ok"] for j in meta.get("jobs", []))
        status = t("common.index.ok") if n_fail == 0 else f"{n_fail} {t('common.index.failed')}"
        parts.append(
            f"<tr><td>{_a(name + '/index.html', name)}</td><td>{e(str(meta.get('dataset')))}</td>"
            f"<td>{e(str(meta.get('lang')))}</td><td>{e(', '.join(region_names(meta.get('regions', []))))}</td>"
            f"<td>{e(status)}</td><td>{_vol(str(meta.get('run_time', '')))}</td></tr>"
        )
    parts.append("</tbody></table></div>")
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
    """Print an HTML page to PDF (A4, from the page's ``@page`` rules) with headless Chromium driven over its
    DevTools pipe: JavaScript off and every request other than the page itself refused, so nothing in a page can run
    or read a local file while it is printed (:func:`kinerja_research.report.browser.print_to_pdf`).

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
    pdf_path = Path(pdf_path).resolve()
    data, _ = print_to_pdf(html_path, chromium, timeout=timeout)
    if not data.startswith(b"%PDF-"):
        raise KinerjaError(f"Chromium could not print '{Path(html_path).name}' to PDF (no PDF came back).")
    staged = pdf_path.with_name(f".{pdf_path.name}.tmp")
    staged.write_bytes(data)
    os.replace(staged, pdf_path)
    return pdf_path


_CHECK_SCRIPT = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>
const pages = %s;
const widths = %s;
function measure(d, w) {
  const doc = d.documentElement;
  const boxes = [...d.querySelectorAll('.kr-table-wrap, figure, img, table, .kr-banner, .kr-findings')];
  const outside = boxes.filter(b => { const r = b.getBoundingClientRect(); return r.right > w + 1 || r.left < -1; })
    .map(b => (b.className || b.tagName) + ':' + Math.round(b.getBoundingClientRect().right));
  const wraps = [...d.querySelectorAll('.kr-table-wrap')].map(b => ({
    scroll: b.scrollWidth, client: b.clientWidth,
    scrolls: getComputedStyle(b).overflowX === 'auto' || getComputedStyle(b).overflowX === 'scroll',
    sticky: (() => { const c = b.querySelector('tbody tr > :first-child'); return c ? getComputedStyle(c).position : null; })()}));
  const figs = [...d.querySelectorAll('figure img')].map(i => ({natural: i.naturalWidth, shown: i.clientWidth,
    scroll: i.scrollWidth}));
  return {page_scroll: doc.scrollWidth, page_client: doc.clientWidth, outside: outside, wraps: wraps, figures: figs};
}
function check(p, w) { return new Promise(res => { const f = document.createElement('iframe'); f.src = p;
  f.style.width = w + 'px'; f.style.height = '900px'; f.style.border = '0';
  f.onload = () => { let d; try { d = f.contentDocument; } catch (e) { res({page: p, error: String(e)}); return; }
    if (!d || !d.body) { res({page: p, error: 'page did not load'}); return; }
    const imgs = [...d.images];
    const links = [...d.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
    res({page: p, width: w, title: d.title, images: imgs.length,
         broken_images: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('alt') || i.src.slice(0, 40)),
         links: links,
         missing_anchors: links.filter(h => h.startsWith('#') && h.length > 1 && !d.getElementById(h.slice(1)) && !d.getElementById(decodeURIComponent(h.slice(1)))),
         error_outputs: d.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], .output_error, .jp-OutputArea-output[data-mime-type*="stderr"]').length,
         scripts: d.querySelectorAll('script').length,
         layout: measure(d, w),
         text: d.body.innerText}); };
  document.body.appendChild(f); }); }
(async () => { const out = []; for (const w of widths) for (const p of pages) out.push(await check(p, w));
  const pre = document.createElement('pre'); pre.id = 'kr-result'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre); })();
</script></body></html>"""


def browser_check(
    pages: Sequence[str | Path], *, chromium: str | None = None, timeout: float = 120, widths: Sequence[int] = (1366,)
) -> list[dict]:
    """Open pages in headless Chromium and report, per page and viewport width, what a reader's browser sees.

    Each page is loaded in an iframe ``width`` pixels wide in a throw-away checker page
    (``--allow-file-access-from-files``); the result per page and width: ``title``, ``images`` and
    ``broken_images``, ``links`` (every href), ``missing_anchors``, ``error_outputs`` (notebook error/stderr output
    cells), ``scripts``, ``text`` (visible text), ``missing_files`` (relative links whose file does not exist next
    to the page) and ``layout``: the page's ``scrollWidth``/``clientWidth``, boxes (tables, figures, banners)
    reaching outside the viewport, each table container's ``scroll``/``client`` width and whether it scrolls on
    its own with a sticky first column, and each figure's natural and shown width.

    Raises
    ------
    KinerjaError
        When Chromium is not installed or returns no result.
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise KinerjaError(
            "the browser check needs headless Chromium, which is not installed (Debian: `apt-get install chromium`)."
        )
    pages = [Path(p).resolve() for p in pages]
    with tempfile.TemporaryDirectory(prefix="kr-check-") as tmp:
        checker = Path(tmp) / "check.html"
        checker.write_text(
            _CHECK_SCRIPT % (json.dumps([p.as_uri() for p in pages]), json.dumps([int(w) for w in widths])),
            encoding="utf-8",
        )
        profile = Path(tmp) / "profile"
        cmd = chromium_command(
            chromium,
            profile,
            "--allow-file-access-from-files",
            "--window-size=1600,1000",
            f"--virtual-time-budget={int(timeout * 1000)}",
            "--dump-dom",
            checker.as_uri(),
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 30, preexec_fn=die_with_parent)
    m = re.search(r'<pre id="kr-result">(.*?)</pre>', proc.stdout, re.S)
    if not m:
        raise KinerjaError(f"Chromium returned no check result (exit {proc.returncode}).")
    results = json.loads(html.unescape(m.group(1)))
    by_uri = {p.as_uri(): p for p in pages}
    for res in results:
        page_path = by_uri.get(res["page"], Path(res["page"]))
        missing = []
        for link in res.get("links", []):
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external links are not followed; anchors are checked in the browser
            if not (page_path.parent / unquote(parts.path)).exists():
                missing.append(link)
        res["missing_files"] = missing
        res["path"] = str(page_path)
    return results
