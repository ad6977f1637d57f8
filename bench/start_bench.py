"""What a report page holds after ``kr.report.start``: resident memory after it, its peak and CPU, with Arrow's
cached memory handed back (as the package does) or kept (``--keep-arrow-cache``: release_unused made a no-op, the
behaviour before it was called).

    KINERJA_PSEUDONYM_KEY=... .venv/bin/python bench/start_bench.py --dataset /work/tmp_national/c10/proc
    KINERJA_PSEUDONYM_KEY=... .venv/bin/python bench/start_bench.py --dataset ... --keep-arrow-cache

Run each in a fresh process (this script is one); give ``uptime``'s load with the CPU figure.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

import psutil
import pyarrow as pa

import kinerja_research as kr

GIB = 1024**3


class _KeptPool:
    """A memory pool whose release_unused does nothing (the allocator keeps freed memory, as before)."""

    def __init__(self, pool):
        self._pool = pool

    def release_unused(self) -> None:
        return None

    def __getattr__(self, name):
        return getattr(self._pool, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", required=True, help="processed dataset name or folder")
    ap.add_argument("--notebook", default="10_region_comparison", help="the page name start is given")
    ap.add_argument("--keep-arrow-cache", action="store_true", help="release_unused a no-op (before)")
    args = ap.parse_args()
    if args.keep_arrow_cache:
        pool = _KeptPool(pa.default_memory_pool())
        pa.default_memory_pool = lambda: pool
    proc = psutil.Process()
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as out:
        kr.report.start(args.notebook, dataset=args.dataset, out_dir=out)
        rss = proc.memory_info().rss / GIB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    kept = "kept" if args.keep_arrow_cache else "handed back"
    print(f"start ({kept}): RSS after {rss:.2f} GiB, peak {peak:.2f} GiB, CPU {time.process_time() - cpu:.1f} s")


if __name__ == "__main__":
    main()
