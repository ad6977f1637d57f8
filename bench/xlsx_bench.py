"""Benchmark of the .xlsx reader: python-calamine (the default) against openpyxl on the SKP workbooks units hand over.

Writes the per-region SKP workbooks of the default generator (``kinerja data synth --tables performance``; about
2,400-3,700 rows per region at ``--scale 1``) to bench/out/xlsx_bench/, then reads each with
:func:`kinerja_research.ingest.readers.read_excel` through both engines in the same process (best of ``--repeat``),
checks that both give identical text cells, and prints the times and their ratio.

    python bench/xlsx_bench.py [--scale 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "xlsx_bench"


def _read_with(engine: str, path: Path):
    from kinerja_research.ingest import readers

    with mock.patch.object(readers, "XLSX_ENGINES", (engine,)):  # force one engine for the comparison
        return readers.read_excel(path, sheet="SKP", expect_headers=["NIP", "Nama"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from kinerja_research.synth import write_default

    folder = OUT / f"scale{args.scale:g}"
    if not any(folder.glob("skp_*.xlsx")):
        write_default(folder, seed=2026, scale=args.scale, tables=["performance"])
    files = sorted(folder.glob("skp_*.xlsx"))
    times = {"calamine": [], "openpyxl": []}
    rows = 0
    for f in files:
        best = {}
        results = {}
        for engine in ("openpyxl", "calamine"):
            ts = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                results[engine] = _read_with(engine, f)
                ts.append(time.perf_counter() - t0)
            best[engine] = min(ts)
            times[engine].append(best[engine])
        a, b = results["openpyxl"].data, results["calamine"].data
        assert results["calamine"].engine == "calamine" and results["openpyxl"].engine == "openpyxl"
        assert a.fillna("<NA>").equals(b.fillna("<NA>")), f"{f.name}: the engines give different cells"
        rows += len(a)
        print(
            f"{f.name:40s} {len(a):6d} rows  openpyxl {best['openpyxl']:6.3f} s  calamine {best['calamine']:6.3f} s  "
            f"ratio {best['openpyxl'] / best['calamine']:5.1f}x"
        )
    to, tc = sum(times["openpyxl"]), sum(times["calamine"])
    print(
        f"total {len(files)} workbooks, {rows} rows: openpyxl {to:.3f} s, calamine {tc:.3f} s; calamine is "
        f"{to / tc:.1f}x faster (identical cells)"
    )


if __name__ == "__main__":
    main()
