"""Benchmark of the audit page's problem tables: ``validation.csv`` read whole (``load_validation``) against counted
in batches (``validation_counts``), each in a fresh process, with wall time and peak memory of the process tree.

At national scale validation.csv holds tens of millions of problems (scale 10: 2.07 GB, 16.4 M rows); the audit page
needs only their counts by rule, severity, file, table and region. Run it on a processed folder, e.g. after
``bench/national_bench.py``:

    python bench/validation_bench.py data/processed/<dataset>

Run the two sides in both orders (``--reverse``) or twice: the second read of a file finds it in the page cache.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from national_bench import TreeSampler  # bench/ is the script's folder

GIB = 1024**3
SIDES = {
    "whole": "from kinerja_research.pipeline import load_validation as f; v = f(sys.argv[1]); n = len(v)",
    "batched": "from kinerja_research.pipeline import validation_counts as f; v = f(sys.argv[1]); n = int(v['n'].sum())",
}


def side(name: str, folder: str) -> tuple[float, float, str]:
    """Run one side in a fresh Python; returns (wall seconds, peak tree GiB, the problems it counted)."""
    code = f"import sys\n{SIDES[name]}\nprint(n)"
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code, folder], stdout=subprocess.PIPE)
    with TreeSampler(p.pid, 0.05) as tree:
        out, _ = p.communicate()
    if p.returncode != 0:
        raise SystemExit(f"{name} failed (exit {p.returncode})")
    return time.perf_counter() - t, tree.peak_tree / GIB, out.decode().strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="a processed dataset folder (with validation.csv and manifest.json)")
    ap.add_argument("--reverse", action="store_true", help="run the batched side first")
    args = ap.parse_args()
    order = ["batched", "whole"] if args.reverse else ["whole", "batched"]
    for name in order:
        wall, peak, n = side(name, args.folder)
        print(
            f"{name:8s} {wall:7.1f} s wall, peak tree {peak:5.2f} GiB, {int(n):,} problems; load {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
