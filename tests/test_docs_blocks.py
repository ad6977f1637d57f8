"""Every code block of the README and the tutorials runs as written.

Each document runs in a fresh project folder of its own (``KINERJA_ROOT``) that already holds a small processed
default dataset (synthetic, scale 0.1, made once per session), with the repository's notebooks. Its ```bash and
```python blocks run in order from the project folder: each bash block in a new shell, the python blocks one after
the other in one interpreter (as the cells of a notebook: a later block uses the names of an earlier one). A block
fails the test when it exits non-zero or raises. A block that only illustrates (a GUI step, a national-scale command, the project's own make targets) is
preceded by ``<!-- illustrative: reason -->`` and is not run; the reason is required. Processes a block leaves in the
background (the Dask scheduler and worker of the cluster tutorial) are stopped, by their process group, when the
document is done. Blocks in other languages (yaml, text) are not code to run.

docs/tutorial_own_data.md is run by tests/foreign/test_tutorial_own_data.py on the foreign Google Forms export it
describes; here it is only checked that every block of it is covered there.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
RUN_HERE = ["README.md", "docs/index.md", "docs/tutorial_thesis_tables.md", "docs/tutorial_national_dask.md"]
RUN_ELSEWHERE = {"docs/tutorial_own_data.md": "tests/foreign/test_tutorial_own_data.py"}
RUNNABLE = ("bash", "python")
FENCE = re.compile(
    r"(?:<!-- illustrative: (?P<reason>[^>]*?) -->\n)?^```(?P<lang>[\w-]*)[^\n]*\n(?P<code>.*?)^```", re.M | re.S
)
DASK_PORT = "8786"
TIMEOUT_S = 600
#: One interpreter for the python blocks of a document: reads one JSON-encoded block per line, runs it in a shared
#: namespace, and ends its output with a NUL line saying ok or error.
DRIVER = """
import json, sys, traceback
ns = {"__name__": "__main__"}
for line in sys.stdin:
    try:
        exec(compile(json.loads(line), "<block>", "exec"), ns)
        status = "ok"
    except BaseException:
        traceback.print_exc()
        status = "error"
    sys.stderr.flush()
    print("\\0" + status, flush=True)
"""


@dataclass
class Block:
    doc: str
    line: int
    lang: str
    code: str
    illustrative: str | None


def blocks(doc: str) -> list[Block]:
    """The fenced code blocks of a document, with their illustrative marker."""
    text = (REPO / doc).read_text(encoding="utf-8")
    return [
        Block(doc, text.count("\n", 0, m.start("code")), m["lang"], m["code"], m["reason"])
        for m in FENCE.finditer(text)
    ]


def test_every_tutorial_is_run_by_a_test():
    tutorials = {f"docs/{p.name}" for p in DOCS.glob("tutorial_*.md")}
    assert tutorials <= set(RUN_HERE) | set(RUN_ELSEWHERE)
    for doc, test in RUN_ELSEWHERE.items():
        assert doc.rsplit("/", 1)[-1] in (REPO / test).read_text(encoding="utf-8"), (doc, test)


@pytest.mark.parametrize("doc", RUN_HERE + list(RUN_ELSEWHERE))
def test_blocks_say_their_language_and_illustrative_ones_say_why(doc):
    found = blocks(doc)
    assert found, f"{doc} has no code block"
    for b in found:
        assert b.lang, f"{doc}:{b.line}: a code block without a language"
        assert b.illustrative is None or b.illustrative.strip(), f"{doc}:{b.line}: illustrative without a reason"
    assert any(b.lang in RUNNABLE and not b.illustrative for b in found), f"{doc}: nothing of it runs"


def test_the_fence_parser_sees_markers_and_languages(tmp_path, monkeypatch):
    (tmp_path / "x.md").write_text(
        "text\n<!-- illustrative: needs a GUI -->\n```bash\nmake lab\n```\n\n```python\nprint(1)\n```\n```yaml\na: 1\n```\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    got = [(b.lang, b.code, b.illustrative) for b in blocks("x.md")]
    assert got == [("bash", "make lab\n", "needs a GUI"), ("python", "print(1)\n", None), ("yaml", "a: 1\n", None)]


# ------------------------------------------------------------------------------------------------- running them
def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def _env(root: Path) -> dict:
    return {
        **os.environ,
        "KINERJA_ROOT": str(root),
        "KINERJA_PSEUDONYM_KEY": "docs-test-key",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "MPLBACKEND": "Agg",
    }


@pytest.fixture(scope="session")
def small_default(tmp_path_factory) -> Path:
    """A project folder holding a small default dataset, raw and processed (made once per session)."""
    root = tmp_path_factory.mktemp("docs_default")
    (root / "data" / "raw").mkdir(parents=True)
    env = _env(root)
    kinerja = [sys.executable, "-m", "kinerja_research"]
    for cmd in (
        ["data", "synth", "--seed", "2026", "--scale", "0.1", "--quiet", "--out", str(root / "data/raw/default")],
        ["clean", "default", "--quiet"],
    ):
        res = subprocess.run(kinerja + cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
    return root


def _project(small_default: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(small_default / "data", root / "data")
    (root / "reports").mkdir()
    (root / "notebooks").symlink_to(REPO / "notebooks")
    return root


class Interpreter:
    """The python process that runs a document's python blocks in one namespace."""

    def __init__(self, root: Path, env: dict):
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-c", DRIVER],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )

    def run(self, code: str) -> tuple[bool, str]:
        self.proc.stdin.write(json.dumps(code) + "\n")
        self.proc.stdin.flush()
        fd, out = self.proc.stdout.fileno(), b""  # raw reads: a buffered reader would hide lines from select
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            if not select.select([fd], [], [], 5)[0]:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return False, out.decode(errors="replace") + "\n(the interpreter exited)"
            out += chunk
            if out.endswith((b"\0ok\n", b"\0error\n")):
                text = out.decode(errors="replace")
                return text.endswith("\0ok\n"), text.rsplit("\0", 1)[0]
        return False, out.decode(errors="replace") + f"\n(no answer in {TIMEOUT_S} s)"


@pytest.mark.parametrize("doc", RUN_HERE)
def test_every_block_runs(doc, small_default, tmp_path):
    root = _project(small_default, tmp_path)
    env = _env(root)
    port = _free_port()  # never the well-known Dask port of the text: other test runs may share the machine
    python = Interpreter(root, env)
    groups: list[int] = [python.proc.pid]
    try:
        for b in blocks(doc):
            if b.illustrative or b.lang not in RUNNABLE:
                continue
            if b.lang == "python":
                ok, out = python.run(b.code)
                assert ok, f"{doc}:{b.line}: python block raised\n{b.code}\n--- output\n{out[-4000:]}"
                continue
            code = b.code.replace(f":{DASK_PORT}", f":{port}").replace(f"--port {DASK_PORT}", f"--port {port}")
            proc = subprocess.Popen(
                ["bash", "-euo", "pipefail", "-c", code],
                cwd=root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            groups.append(proc.pid)
            try:
                out, err = proc.communicate(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            assert proc.returncode == 0, (
                f"{doc}:{b.line}: bash block exited {proc.returncode}\n{b.code}\n--- stdout\n{out[-3000:]}"
                f"\n--- stderr\n{err[-3000:]}"
            )
    finally:
        python.proc.stdin.close()
        for pgid in groups:  # what the blocks started, also in the background: by their own process groups
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        python.proc.wait(timeout=30)


def test_the_readme_summary_of_the_own_data_tutorial_runs_its_commands():
    """The README's own-data block is illustrative because the tutorial runs the same steps: the same commands."""

    def commands(bs):
        return [
            line.split()[1]
            for b in bs
            if b.lang == "bash"
            for line in b.code.splitlines()
            if line.startswith("kinerja ")
        ]

    summary = [b for b in blocks("README.md") if b.illustrative and "tutorial_own_data" in b.illustrative]
    assert len(summary) == 1
    assert commands(summary) == commands(blocks("docs/tutorial_own_data.md"))
