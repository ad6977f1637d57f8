"""Headless Chromium driven over the DevTools protocol on a pipe: PDFs printed safely, pages measured.

No network port and no extra package: Chromium runs with ``--remote-debugging-pipe`` and this module speaks the
protocol over file descriptors 3 and 4 (JSON messages ending in a NUL byte).

- :func:`print_to_pdf`: JavaScript off (``Emulation.setScriptExecutionDisabled``) and every request other than the
  page itself refused (``Fetch``), so nothing in a page can run or read a file while it is printed; A4 from the
  page's CSS ``@page`` rules; returns the PDF bytes.
- :func:`measure`: a page at a given viewport width (phone: 390 px, mobile emulation) or in print media at the
  A4 text width, with a JavaScript measurement of its layout run by the protocol (not by the page).
- :func:`pdf_pages`: the number of pages of a PDF (its page tree's ``/Count``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kinerja_research.errors import KinerjaError
from kinerja_research.report.procs import die_with_parent

__all__ = ["Browser", "print_to_pdf", "measure", "measure_pages", "pdf_pages", "MEASURE_JS", "A4_TEXT_WIDTH_PX"]

#: The text width of an A4 portrait page with the report's 13 mm side margins, in CSS pixels (96 per inch).
A4_TEXT_WIDTH_PX = round((210 - 2 * 13) / 25.4 * 96)
_FLAGS = (
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
    "--remote-debugging-pipe",
)


class Browser:
    """One throw-away headless Chromium and one page, spoken to over the DevTools pipe (use as a context manager)."""

    def __init__(self, chromium: str, *, timeout: float = 60):
        self.timeout = timeout
        self._dir = tempfile.mkdtemp(prefix="kr-cdp-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child():  # Chromium reads commands from fd 3 and writes to fd 4
            die_with_parent()
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)  # out of the way of 3 and 4 first
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [chromium, *_FLAGS, f"--user-data-dir={self._dir}/profile", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=child,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self._events: list[dict] = []
        self._replies: dict[int, dict] = {}
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t.get("type") == "page"), None)
        target = page["targetId"] if page else self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (KinerjaError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._dir, ignore_errors=True)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KinerjaError("headless Chromium did not answer in time; the rule is a page it can load.")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise KinerjaError("headless Chromium closed its DevTools pipe (it crashed or could not start).")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, *, session: bool = False, timeout: float | None = None, **params: Any) -> dict:
        """Send one command and return its result (events that arrive meanwhile are queued)."""
        self._id += 1
        my_id = self._id
        msg: dict[str, Any] = {"id": my_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._replies.pop(my_id, None) or self._read(deadline)
            if reply.get("id") == my_id:
                if "error" in reply:
                    raise KinerjaError(f"Chromium refused {method}: {reply['error'].get('message')}.")
                return reply.get("result", {})
            if "id" in reply:  # the reply to a command sent further up (while an event was being handled)
                self._replies[reply["id"]] = reply
                continue
            self._events.append(reply)
            self._on_event(reply)

    def _on_event(self, event: Mapping) -> None:
        if event.get("method") == "Fetch.requestPaused":
            p = event["params"]
            allowed = p["request"]["url"].split("#")[0] == self._allowed
            self.send(
                "Fetch.continueRequest" if allowed else "Fetch.failRequest",
                session=True,
                requestId=p["requestId"],
                **({} if allowed else {"errorReason": "BlockedByClient"}),
            )
            if not allowed:
                self.blocked.append(p["request"]["url"])

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, ev in enumerate(self._events):
                if ev.get("method") == method:
                    return self._events.pop(i)
            ev = self._read(deadline)
            if "id" in ev:
                self._replies[ev["id"]] = ev
                continue
            self._events.append(ev)
            self._on_event(ev)

    def open(self, url: str, *, scripts: bool = True, only_itself: bool = False) -> None:
        """Load ``url``; ``scripts=False`` runs none of the page's JavaScript; ``only_itself`` refuses every other
        request the page makes (frames, images, files)."""
        self._allowed = url.split("#")[0]
        self.blocked: list[str] = []
        if not getattr(self, "_page_enabled", False):
            self.send("Page.enable", session=True)
            self._page_enabled = True
        if not scripts:
            self.send("Emulation.setScriptExecutionDisabled", session=True, value=True)
        if only_itself and not getattr(self, "_fetch_enabled", False):
            self.send("Fetch.enable", session=True, patterns=[{"urlPattern": "*"}])
            self._fetch_enabled = True
        self._events = [e for e in self._events if e.get("method") != "Page.loadEventFired"]
        self.send("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")

    def viewport(self, width: int, height: int = 900, *, mobile: bool = False) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=int(width),
            height=int(height),
            deviceScaleFactor=1,
            mobile=bool(mobile),
        )

    def media(self, media: str) -> None:
        self.send("Emulation.setEmulatedMedia", session=True, media=media)

    def evaluate(self, expression: str) -> Any:
        res = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in res:
            raise KinerjaError(f"page measurement failed: {res['exceptionDetails'].get('text')}.")
        return res["result"].get("value")

    def pdf(self) -> bytes:
        res = self.send(
            "Page.printToPDF",
            session=True,
            printBackground=True,
            preferCSSPageSize=True,
            displayHeaderFooter=False,
            timeout=max(self.timeout, 120),
        )
        return base64.b64decode(res["data"])


def print_to_pdf(html_path: str | Path, chromium: str, *, timeout: float = 120) -> tuple[bytes, list[str]]:
    """Print a page to PDF with JavaScript off and no request beyond the page; ``(pdf bytes, blocked URLs)``."""
    with Browser(chromium, timeout=timeout) as b:
        b.open(Path(html_path).resolve().as_uri(), scripts=False, only_itself=True)
        return b.pdf(), list(b.blocked)


#: Layout of a report page: page and box overflow, tables that scroll on their own with a fixed first column,
#: figures shrunk to the column, the smallest figure text on screen.
MEASURE_JS = r"""(() => {
  const w = document.documentElement.clientWidth;
  const boxes = [...document.querySelectorAll('.kr-table-wrap, figure, figure img, .kr-banner, .kr-findings, pre')];
  const outside = boxes.filter(b => { const r = b.getBoundingClientRect(); return r.width > 0 && (r.right > w + 1 || r.left < -1); })
    .map(b => (b.className || b.tagName) + ' right=' + Math.round(b.getBoundingClientRect().right));
  const tables = [...document.querySelectorAll('table')].map(t => {
    const wrap = t.closest('.kr-table-wrap, .jp-RenderedHTMLCommon, .output_subarea');
    const first = t.querySelector('tbody tr > :first-child');
    return {scroll: t.scrollWidth, client: t.clientWidth, columns: t.querySelectorAll('thead th').length,
            wide: t.classList.contains('kr-wide') || !!t.closest('details'),
            wrap_scroll: wrap ? wrap.scrollWidth : null, wrap_client: wrap ? wrap.clientWidth : null,
            wrap_scrolls: wrap ? ['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX) : false,
            sticky: first ? getComputedStyle(first).position : null,
            clipped: wrap ? (wrap.scrollWidth > wrap.clientWidth + 1 && !['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX)) : (t.scrollWidth > w + 1)};
  });
  const figures = [...document.querySelectorAll('figure img')].map(i => ({natural: i.naturalWidth, shown: i.clientWidth,
    scroll: i.scrollWidth, client: i.parentElement.clientWidth}));
  return {width: w, page_scroll: document.documentElement.scrollWidth, outside: outside, tables: tables, figures: figures,
          scripts_ran: window.__kr_script_ran === true};
})()"""


def measure(html_path: str | Path, chromium: str, *, width: int, media: str = "screen", timeout: float = 60) -> dict:
    """The layout of a page (:data:`MEASURE_JS`) at ``width`` CSS pixels (``mobile`` emulation below 600), in
    ``screen`` or ``print`` media (print at ``width`` = :data:`A4_TEXT_WIDTH_PX` is what an A4 page holds)."""
    with Browser(chromium, timeout=timeout) as b:
        b.viewport(width, mobile=width < 600 and media == "screen")
        if media != "screen":
            b.media(media)
        b.open(Path(html_path).resolve().as_uri(), scripts=False, only_itself=True)
        return b.evaluate(MEASURE_JS)


def measure_pages(
    pages, chromium: str, *, widths=(390, 1366), print_width: int | None = A4_TEXT_WIDTH_PX, timeout: float = 120
) -> list[dict]:
    """:data:`MEASURE_JS` for every page at every screen width (mobile emulation below 600 px) and, with
    ``print_width``, in print media at that width -- one Chromium for all. Returns ``[{page, width, media,
    **layout}]``."""
    out = []
    with Browser(chromium, timeout=timeout) as b:
        for width, media in [*((w, "screen") for w in widths), *([(print_width, "print")] if print_width else [])]:
            b.viewport(width, mobile=width < 600 and media == "screen")
            b.media(media if media != "screen" else "")
            for page in pages:
                b.open(Path(page).resolve().as_uri(), scripts=False, only_itself=True)
                out.append({"page": str(page), "width": width, "media": media, **b.evaluate(MEASURE_JS)})
    return out


_OBJ_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_pages(data: bytes) -> int:
    """Number of pages of a PDF: the largest ``/Count`` of its page tree (also inside compressed object streams)."""
    chunks = [data]
    for m in _OBJ_STREAM.finditer(data):
        try:
            chunks.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    counts = [int(c) for chunk in chunks for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", chunk)]
    counts += [int(c) for chunk in chunks for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", chunk)]
    if not counts:
        raise KinerjaError("the PDF has no page tree (/Type /Pages with /Count); the rule is a PDF Chromium printed.")
    return max(counts)
