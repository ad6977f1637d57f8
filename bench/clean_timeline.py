"""Timeline of one clean: where the wall time goes, step by step, and how busy each worker is.

    KINERJA_PSEUDONYM_KEY=... .venv/bin/python bench/clean_timeline.py /work/wt/natreport/data/raw/nat1 \\
        --out /tmp/p1 --workers 2 [--trace /tmp/p1.trace] [--tasks 15]

Runs ``build_processed`` in this process with :data:`kinerja_research.pipeline.TRACE_ENV` set, so every unit of work
(reading a unit of files, cleaning a chunk, assembling an output) appends its process, wall interval and CPU seconds
to a trace file, and every step of the main process its end. Printed: per step (plan/read, name keys, clean, decide,
assemble, then manifest writing) the wall seconds, the main process's CPU seconds, the workers' CPU seconds and busy
seconds, and the idle share of the workers; then the longest units of work. CPU seconds are valid on a loaded
machine; wall seconds are not (time them under ``/work/wt/bin/quietrun``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

from kinerja_research.pipeline import TRACE_ENV, build_processed


def timeline(trace: Path, start: float, end: float, workers: int) -> str:
    """The table of steps and the longest units of work, from a trace file."""
    recs = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    phases = [r for r in recs if "phase" in r]
    tasks = [r for r in recs if "fn" in r]
    bounds, t, c = [], start, 0.0
    for p in phases:
        bounds.append((p["phase"], t, p["t1"], p["cpu"] - c))
        t, c = p["t1"], p["cpu"]
    bounds.append(("write manifest", t, end, None))
    lines = [f"{'step':<16}{'wall s':>8}{'main cpu':>10}{'work cpu':>10}{'busy s':>9}{'idle %':>8}{'tasks':>7}"]
    for name, a, b, cpu in bounds:
        mine = [r for r in tasks if a <= (r["t0"] + r["t1"]) / 2 < b]
        busy = sum(min(r["t1"], b) - max(r["t0"], a) for r in mine)
        wcpu = sum(r["cpu"] for r in mine)
        idle = 100 * (1 - busy / (workers * (b - a))) if mine and b > a else float("nan")
        cpu_s = "" if cpu is None else f"{cpu:.1f}"
        lines.append(f"{name:<16}{b - a:>8.1f}{cpu_s:>10}{wcpu:>10.1f}{busy:>9.1f}{idle:>8.0f}{len(mine):>7}")
    lines.append(f"{'total':<16}{end - start:>8.1f}")
    by_pid: dict[int, float] = {}
    for r in tasks:
        by_pid[r["pid"]] = by_pid.get(r["pid"], 0.0) + r["t1"] - r["t0"]
    lines.append("busy per process (s): " + ", ".join(f"{p}: {v:.1f}" for p, v in sorted(by_pid.items())))
    return "\n".join(lines)


def longest(trace: Path, start: float, k: int) -> str:
    recs = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    tasks = sorted((r for r in recs if "fn" in r), key=lambda r: r["t0"] - r["t1"])[:k]
    return "\n".join(
        f"  {r['fn']:<13}{r['arg']:<50}{r['t0'] - start:>7.1f}{r['t1'] - start:>7.1f}  cpu {r['cpu']:.1f}"
        for r in tasks
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--trace", type=Path, default=None)
    ap.add_argument("--tasks", type=int, default=15, help="longest units of work to list")
    args = ap.parse_args()
    trace = args.trace or args.out.with_name(args.out.name + ".trace")
    trace.unlink(missing_ok=True)
    os.environ[TRACE_ENV] = str(trace)
    start = time.time()
    build_processed(str(args.raw), raw_dir=args.raw, out_dir=args.out, workers=args.workers)
    end = time.time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(timeline(trace, start, end, args.workers))
    print(f"CPU s: main {own.ru_utime + own.ru_stime:.1f}, children {kids.ru_utime + kids.ru_stime:.1f}")
    print(f"load: {os.getloadavg()[0]:.1f} (1-min average at the end)")
    print(f"longest units of work (start, end s from the start):\n{longest(trace, start, args.tasks)}")


if __name__ == "__main__":
    main()
