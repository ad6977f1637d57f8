"""Micro-benchmark of ``results.tidy`` on the calls page 01 makes, and its share of page 01's section.

    .venv/bin/python bench/tidy_bench.py --dataset nat1 --regions 33.71 12.01 63.71 81.71
    .venv/bin/python bench/tidy_bench.py --calls FILE            # time the calls saved by an earlier --save FILE

Runs ``sections.instrument_quality`` (page 01's section) on the regions given, with every ``tidy`` of the package
wrapped so that each call's arguments are kept; prints the section's time, the number of tidy calls and the time
they took inside the section, then times ``tidy`` again on the kept calls (``--repeat`` rounds, best and median per
call). Times are CPU seconds of this process (``time.process_time``), which a busy machine disturbs less than
wall time. Run it with two versions of the code (e.g. ``PYTHONPATH=<old tree>``) in one session to compare them; the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import copy
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kinerja_research as kr  # noqa: E402
from kinerja_research import results  # noqa: E402
from kinerja_research.report import sections  # noqa: E402


def record_section(dataset: str, regions: list[str]) -> tuple[float, float, list]:
    """Page 01's section with every tidy call kept: (section CPU seconds, CPU seconds inside tidy, calls)."""
    real = results.tidy
    calls: list = []
    spent = [0.0]

    def kept(rows, *, extra=(), ci_level=None):
        extra = list(extra)
        if not hasattr(rows, "columns"):
            rows = list(rows)
        calls.append((rows.copy() if hasattr(rows, "columns") else copy.deepcopy(rows), extra, ci_level))
        t0 = time.process_time()
        out = real(rows, extra=extra, ci_level=ci_level)
        spent[0] += time.process_time() - t0
        return out

    patched = [
        m for n, m in list(sys.modules.items()) if n.startswith("kinerja_research") and getattr(m, "tidy", None) is real
    ]
    for m in patched:
        m.tidy = kept
    try:
        with tempfile.TemporaryDirectory() as out:
            ctx = kr.report.start("01_instrument_quality", dataset=dataset, regions=regions, out_dir=out)
            t0 = time.process_time()
            sections.instrument_quality(ctx)
            wall = time.process_time() - t0
    finally:
        for m in patched:
            m.tidy = real
    return wall, spent[0], calls


def time_calls(calls: list, repeat: int) -> list[float]:
    """CPU seconds per call of ``results.tidy`` over the kept calls, one figure per round."""
    per = []
    for _ in range(repeat):
        t0 = time.process_time()
        for rows, extra, ci_level in calls:
            results.tidy(rows, extra=extra, ci_level=ci_level)
        per.append((time.process_time() - t0) / len(calls))
    return per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", help="processed dataset name or folder (page 01's section is run on it)")
    ap.add_argument("--regions", nargs="*", default=[], help="region codes (default every region of the data)")
    ap.add_argument("--calls", help="time the calls kept in this pickle instead of running the section")
    ap.add_argument("--save", help="keep the calls in this pickle")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "benchkey0123456789abcdef0123456789")
    print(f"tidy from {results.__file__}; load {os.getloadavg()[0]:.1f}")
    if args.calls:
        with open(args.calls, "rb") as fh:
            calls = pickle.load(fh)
    else:
        if not args.dataset:
            raise SystemExit("--dataset or --calls is required")
        wall, spent, calls = record_section(args.dataset, args.regions)
        print(
            f"page 01 section, {len(args.regions) or 'all'} regions: {wall:.2f} s CPU; {len(calls)} tidy calls took "
            f"{spent:.2f} s ({spent / len(calls) * 1e3:.2f} ms a call, {spent / wall:.0%} of the section)"
        )
    if args.save:
        with open(args.save, "wb") as fh:
            pickle.dump(calls, fh)
    per = time_calls(calls, args.repeat)
    print(
        f"tidy on {len(calls)} calls, {args.repeat} rounds: best {min(per) * 1e3:.3f} ms, median "
        f"{statistics.median(per) * 1e3:.3f} ms a call; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
