"""Tiny report suites for the report tests: notebooks following the parameters contract and small processed data.

``project(root)`` lays out a project folder (``KINERJA_ROOT``) with ``notebooks/`` and ``data/processed/<name>/`` so
that the real ``kinerja report`` command runs on it in a subprocess in a few seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

PARAMS = (
    'dataset: str = "default"  # processed dataset\nregions: list[str] = []  # Kemendagri codes\n'
    'lang: str = "id"  # "id" | "en"\nalpha: float = 0.05  # significance level\nseed: int = 2026  # seed\n'
    'min_cell: int = 5  # small-cell threshold\nstyle: str = "standard"  # layout\n'
    'out_dir: str = ""  # headline JSON folder'
)
KINERJA = Path(sys.executable).with_name("kinerja")


def notebook(path: Path, cells: list, metadata: dict | None = None) -> Path:
    """A notebook with the contract's parameters cell, ``kr.report.start`` and ``cells`` (code strings or cells)."""
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
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def processed(
    folder: Path,
    *,
    tables=("survey",),
    regions=(("18.71", 40), ("17.71", 24)),
    items=("RTC01", "RTC02", "RTC03", "RTC04"),
    manifest: dict | None = None,
) -> Path:
    """A processed dataset folder with the given tables (people per region), its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
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
                "duration_s": rng.gamma(4, 60, n),
                **{item: rng.integers(1, 7, n).astype(float) for item in items},
            }
        ).to_parquet(folder / "survey.parquet")
    if "performance" in tables:
        pd.DataFrame(
            {"person_id": people, "region_code": codes, "period": "2025-S2", "capaian_pct": rng.normal(90, 5, n)}
        ).to_parquet(folder / "performance.parquet")
    if "training" in tables:
        pd.DataFrame(
            {"person_id": people, "region_code": codes, "course": "Latsar", "jp": rng.integers(2, 40, n).astype(float)}
        ).to_parquet(folder / "training.parquet")
    if "satisfaction" in tables:
        pd.DataFrame(
            {
                "respondent_id": [f"R{i:08d}" for i in range(n)],
                "region_code": codes,
                "period": "2025-S2",
                **{f"U{k}": rng.integers(1, 5, n) for k in range(1, 10)},
            }
        ).to_parquet(folder / "satisfaction.parquet")
    (folder / "manifest.json").write_text(
        json.dumps({"dataset": folder.name, "inputs": {}, **(manifest or {})}), encoding="utf-8"
    )
    return folder


AUDIT_CELLS = [
    'ctx.heading("common.nb.00_data_audit", level=1)',
    's = ctx.tables["survey"]\n'
    'm = s.groupby("region_code")["RTC01"].agg(estimate="mean", n="size").reset_index()\n'
    'ctx.show(m, caption_key="common.col.mean")',
    'ctx.record("n_people", len(s), n=len(s), label_key="common.col.n", spec="n")\nctx.finish()',
]
BRIEF_CELLS = [
    'ctx.heading("common.nb.region_brief", level=1)',
    'ctx.record("n_people", len(ctx.tables["survey"]), label_key="common.col.n", spec="n")\nctx.finish()',
]


def project(root: Path, *, slow_s: float | str = 0.0, name: str = "tiny", **data_kw) -> Path:
    """A project folder (``KINERJA_ROOT``) with a two-notebook suite (``00_data_audit`` and ``region_brief``; the
    audit sleeps ``slow_s`` seconds -- a number, or an expression of the parameters such as ``"4 if seed == 1 else
    0"`` -- so a test can act while it runs) and ``data/processed/<name>``."""
    cells = list(AUDIT_CELLS)
    if slow_s:
        cells.insert(1, f"import time\ntime.sleep({slow_s})")
    notebook(root / "notebooks" / "00_data_audit.ipynb", cells, {"kinerja": {"needs": {"tables": ["survey"]}}})
    notebook(root / "notebooks" / "region_brief.ipynb", BRIEF_CELLS, {"kinerja": {"per_region": True}})
    processed(root / "data" / "processed" / name, **data_kw)
    return root


def start_report(root: Path, marker: str, *args: str, out: Path | None = None) -> subprocess.Popen:
    """``kinerja report`` on a project folder in its own session; every descendant carries ``KR_TEST_MARK``."""
    env = {**os.environ, "KINERJA_ROOT": str(root), "KR_TEST_MARK": marker}
    cmd = [str(KINERJA), "report", "-d", "tiny", "--no-progress", "-w", "2", *args]
    return subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=str(root),
        preexec_fn=_terminal_signals,
    )


def _terminal_signals() -> None:
    """The child starts as a command typed in a terminal does, Ctrl-C not ignored: a test runner started in the
    background of a non-interactive shell (``make test &``, CI wrappers) inherits SIGINT ignored, and so would the
    report, which then could not be interrupted."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def marked_processes(marker: str) -> list[tuple[int, str]]:
    """Live processes (not zombies) whose environment holds ``KR_TEST_MARK=<marker>``: ``[(pid, command)]``."""
    needle = f"KR_TEST_MARK={marker}".encode()
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if needle not in (d / "environ").read_bytes().split(b"\0"):
                continue
            status = (d / "status").read_text()
            if "\nState:\tZ" in status:
                continue
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120]
        except OSError:
            continue
        found.append((int(d.name), cmd))
    return found


def wait_gone(marker: str, timeout: float = 8.0) -> list[tuple[int, str]]:
    """Wait until no marked process is alive; returns the survivors (killed afterwards, so tests leave none)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = marked_processes(marker)
        if not alive:
            return []
        time.sleep(0.2)
    alive = marked_processes(marker)
    for pid, _ in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return alive


def wait_for(predicate, timeout: float = 60.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


#: The regions of the small national world the national-page and region-brief tests share (conftest's
#: ``national_three``): three kab/kota of three provinces.
NATIONAL_THREE = ["18.71", "17.71", "11.73"]


def synth_cleaned(root: Path, *, regions: list[str], scale: float, name: str) -> Path:
    """The generator's default world (seed 2026) for ``regions`` at ``scale``, written under ``root/raw`` and cleaned
    into ``root/processed`` with a throw-away pseudonym key; returns the processed folder."""
    from kinerja_research import pipeline, synth

    mp = pytest.MonkeyPatch()
    mp.setenv("KINERJA_PSEUDONYM_KEY", "test-key-not-secret")
    try:
        synth.write_default(root / "raw", seed=2026, scale=scale, regions=regions)
        pipeline.build_processed(name, raw_dir=root / "raw", out_dir=root / "processed")
    finally:
        mp.undo()
    return root / "processed"
