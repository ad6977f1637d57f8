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

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _section import measure, parser, save_compare  # noqa: E402

import kinerja_research as kr  # noqa: E402
from kinerja_research.report import sections  # noqa: E402


def main() -> None:
    ap = parser(__doc__)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        ctx = kr.report.start("01_instrument_quality", dataset=args.dataset, regions=args.regions, out_dir=out)
        m = measure(lambda: sections.instrument_quality(ctx), profile=args.profile, trace=args.tracemalloc)
    sec = m.value
    print(m.line(f"instrument_quality on {args.dataset}"))
    print("results:", {k: len(v) for k, v in sec.results.items()}, "texts:", sorted(sec.texts))
    m.print_details()
    save_compare(sec.results, save=args.save, compare=args.compare)


if __name__ == "__main__":
    main()
