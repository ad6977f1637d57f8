"""Benchmark of the instrument-quality section (page 01) on a national dataset: time, peak memory, optional profile.

    .venv/bin/python /work/wt/bin/memcap 4.5 .venv/bin/python bench/quality_bench.py --dataset nat1
    .venv/bin/python bench/quality_bench.py --dataset nat1 --profile       # cProfile top 30 (cumulative)
    .venv/bin/python bench/quality_bench.py --dataset nat1 --tracemalloc   # the largest Python allocations at peak

Runs ``sections.instrument_quality`` with the context a notebook gets (``kr.report.start``, every region of the
data), the way page 01 calls it, and prints the wall time, the process's peak resident memory (``ru_maxrss``), the
load average before and after, and the number of rows of each result. ``--save FILE`` writes the section's results
(a pickle of ``{name: DataFrame}``) so two versions of the code can be compared value by value (``--compare FILE``:
the maximum absolute difference per result, 0 when identical).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pickle
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kinerja_research as kr  # noqa: E402
from kinerja_research.report import sections  # noqa: E402


def _max_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Largest absolute difference of the numeric columns of two equally shaped frames; other columns must be
    equal (inf when they are not, or the shapes differ)."""
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return float("inf")
    worst = 0.0
    for c in a.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(x):
            xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            if not np.array_equal(np.isnan(xv), np.isnan(yv)):
                return float("inf")
            d = np.abs(xv - yv)
            worst = max(worst, float(np.nanmax(d)) if d.size and not np.isnan(d).all() else 0.0)
        elif not x.astype(str).equals(y.astype(str)):
            return float("inf")
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", required=True, help="processed dataset name (data/processed/<name>) or folder")
    ap.add_argument("--profile", action="store_true", help="cProfile, top 30 by cumulative time")
    ap.add_argument("--tracemalloc", action="store_true", help="the 15 largest allocation sites at the peak")
    ap.add_argument("--regions", nargs="*", default=[], help="only these region codes (default every region)")
    ap.add_argument("--save", help="pickle the section's results here")
    ap.add_argument("--compare", help="compare the results with a pickle written by --save")
    args = ap.parse_args()
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "benchkey0123456789abcdef0123456789")
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as out:
        ctx = kr.report.start("01_instrument_quality", dataset=args.dataset, regions=args.regions, out_dir=out)
        prof = cProfile.Profile() if args.profile else None
        if args.tracemalloc:
            tracemalloc.start(10)
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        sec = sections.instrument_quality(ctx)
        if prof:
            prof.disable()
        wall = time.perf_counter() - t0
        snap = None
        if args.tracemalloc:
            _, peak = tracemalloc.get_traced_memory()
            snap = tracemalloc.take_snapshot()
            tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    load1 = os.getloadavg()
    print(
        f"instrument_quality on {args.dataset}: {wall:.1f} s, peak RSS {rss:.2f} GiB, load {load0[0]:.1f} -> {load1[0]:.1f}"
    )
    print("results:", {k: len(v) for k, v in sec.results.items()}, "texts:", sorted(sec.texts))
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    if snap is not None:
        print(f"tracemalloc peak {peak / 2**30:.2f} GiB; largest sites still held at the end:")
        for s in snap.statistics("lineno")[:15]:
            print(f"  {s.size / 2**20:9.1f} MiB  {s.traceback}")
    if args.save:
        with open(args.save, "wb") as fh:
            pickle.dump(sec.results, fh)
    if args.compare:
        with open(args.compare, "rb") as fh:
            old = pickle.load(fh)
        if sorted(old) != sorted(sec.results):
            print("results differ in names:", sorted(old), sorted(sec.results))
        for k in sorted(set(old) & set(sec.results)):
            a, b = old[k].reset_index(drop=True), sec.results[k].reset_index(drop=True)
            try:
                pd.testing.assert_frame_equal(a, b, check_exact=True)
                same = "identical (values, dtypes, columns)"
            except AssertionError:
                same = "not identical"
            print(f"  {k}: {same}; max abs diff {_max_diff(a, b):.3g}")


if __name__ == "__main__":
    main()
