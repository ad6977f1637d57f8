"""Benchmark of the audit (page 00) and comparison (page 10) sections on a national dataset: time, peak memory.

    .venv/bin/python /work/wt/bin/memcap 4.5 .venv/bin/python bench/overview_bench.py --dataset nat1 --section audit
    .venv/bin/python bench/overview_bench.py --dataset nat1 --section comparison --tracemalloc
    .venv/bin/python bench/overview_bench.py --dataset nat1 --section audit --in-memory --save old.pkl
    .venv/bin/python bench/overview_bench.py --dataset nat1 --section audit --compare old.pkl

Runs ``sections.audit`` or ``sections.comparison`` with the context a notebook gets (``kr.report.start``, every
region of the data), draws the section's figures (their data count too), and prints the wall and CPU time, the
process's peak resident memory (``ru_maxrss``), the load average before and after and the rows of each result.
``--in-memory`` takes the route of a page of a few regions (the whole tables in memory: ``INTERACTED_MAX`` raised
above the number of regions). ``--save FILE`` pickles what the section shows (results, the shown tables' frames,
texts, records, findings, answers, left-out regions); ``--compare FILE`` compares it with another run's: each item
identical, or the largest absolute difference of its numbers.
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

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kinerja_research as kr  # noqa: E402
from kinerja_research.report import national, sections  # noqa: E402


def shown(sec) -> dict:
    """Everything a page shows of a section, as plain objects (frames, dicts, lists)."""
    out = {f"result:{k}": v for k, v in sec.results.items()}
    for name, t in sec.tables.items():
        out[f"table:{name}"] = t["df"]
        if "detail" in t:
            out[f"detail:{name}"] = t["detail"]
        out[f"table_opts:{name}"] = {k: v for k, v in t.items() if k not in ("df", "detail")}
    out["texts"] = sec.texts
    out["records"] = sec.records
    out["findings"] = [f if isinstance(f, str | dict) else str(f) for f in sec.findings]
    out["answers"] = sec.answers
    out["left_out"] = sec.left_out
    out["figures"] = sorted(sec.figures)
    return out


def max_diff(a, b) -> float:
    """0 when ``a`` and ``b`` are identical; the largest absolute difference of their numbers when they differ only
    there; inf otherwise."""
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        a, b = a.reset_index(drop=True), b.reset_index(drop=True)
        if a.shape != b.shape or list(a.columns) != list(b.columns):
            return float("inf")
        worst = 0.0
        for c in a.columns:
            x, y = a[c], b[c]
            if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
                xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
                if not np.array_equal(np.isnan(xv), np.isnan(yv)):
                    return float("inf")
                d = np.abs(xv - yv)
                worst = max(worst, float(np.nanmax(d)) if d.size and not np.isnan(d).all() else 0.0)
            elif not (x.astype(str).tolist() == y.astype(str).tolist() and x.dtype == y.dtype):
                return float("inf")
        return worst
    return 0.0 if repr(a) == repr(b) else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", required=True, help="processed dataset name (data/processed/<name>) or folder")
    ap.add_argument("--section", choices=["audit", "comparison"], required=True)
    ap.add_argument("--in-memory", action="store_true", help="the route of a few regions: whole tables in memory")
    ap.add_argument("--profile", action="store_true", help="cProfile, top 30 by cumulative time")
    ap.add_argument("--tracemalloc", action="store_true", help="the 15 largest allocation sites at the end")
    ap.add_argument("--regions", nargs="*", default=[], help="only these region codes (default every region)")
    ap.add_argument("--save", help="pickle what the section shows here")
    ap.add_argument("--compare", help="compare with a pickle written by --save")
    args = ap.parse_args()
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "benchkey0123456789abcdef0123456789")
    if args.in_memory:
        national.INTERACTED_MAX = 10**6
    load0 = os.getloadavg()
    notebook = {"audit": "00_data_audit", "comparison": "10_region_comparison"}[args.section]
    with tempfile.TemporaryDirectory() as out:
        ctx = kr.report.start(notebook, dataset=args.dataset, regions=args.regions, out_dir=out)
        prof = cProfile.Profile() if args.profile else None
        if args.tracemalloc:
            tracemalloc.start(10)
        t0, c0 = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        sec = getattr(sections, args.section)(ctx)
        for name in sec.figures:
            sec.figure(name)
            plt.close("all")
        if prof:
            prof.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        snap = None
        if args.tracemalloc:
            _, peak = tracemalloc.get_traced_memory()
            snap = tracemalloc.take_snapshot()
            tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    load1 = os.getloadavg()
    route = "in memory" if args.in_memory else "default route"
    print(
        f"{args.section} on {args.dataset} ({len(ctx.regions)} regions, {route}): {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"peak RSS {rss:.2f} GiB, load {load0[0]:.1f} -> {load1[0]:.1f}"
    )
    print("results:", {k: len(v) for k, v in sec.results.items()}, "tables:", sorted(sec.tables))
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    if snap is not None:
        print(f"tracemalloc peak {peak / 2**30:.2f} GiB; largest sites still held at the end:")
        for s in snap.statistics("lineno")[:15]:
            print(f"  {s.size / 2**20:9.1f} MiB  {s.traceback}")
    items = shown(sec)
    if args.save:
        with open(args.save, "wb") as fh:
            pickle.dump(items, fh)
    if args.compare:
        with open(args.compare, "rb") as fh:
            old = pickle.load(fh)
        if sorted(old) != sorted(items):
            print("items differ in names:", sorted(set(old) ^ set(items)))
        for k in sorted(set(old) & set(items)):
            d = max_diff(old[k], items[k])
            print(f"  {k}: {'identical' if d == 0 else f'max abs diff {d:.3g}'}")


if __name__ == "__main__":
    main()
