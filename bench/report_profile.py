"""Where a suite page's CPU goes, in one process: each notebook's code cells run under cProfile, the time split by
the package module it is spent in (the analysis sections, tables, figures, result frames, ...).

    .venv/bin/python bench/report_profile.py --dataset bench/out/report_bench/processed-1-2026
    .venv/bin/python bench/report_profile.py --dataset DIR --notebook 01_instrument_quality --top 25
    .venv/bin/python bench/report_profile.py --dataset DIR --top 40 --sort tottime --dump all.prof   # own time

A notebook runs as papermill would run it (its parameters cell with ``dataset`` and ``out_dir`` set, then every code
cell), but in this process and without a kernel: what it measures is the notebook's own work above the kernel and
the page rendering, which ``bench/report_bench.py`` counts in its floor. Each function's own time (cProfile's
``tottime``) is charged to the first frame of the package on its call stack, counted from the notebook's cell, so
pandas time spent for ``report/tables.py`` is charged to tables. Prints per notebook the seconds by part and, with
``--top``, the functions of largest cumulative time.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from kinerja_research import paths  # noqa: E402

PKG = str(ROOT / "kinerja_research")


def charge(stats: pstats.Stats) -> dict[str, float]:
    """CPU seconds of each call a notebook cell makes (cumulative: ``sections.instrument_quality``, ``ctx.show``,
    ``ctx.figure``, ``ctx.finish``, ...), plus, marked ``*``, the cumulative time of some functions called from
    inside them (result frames, plot drawing)."""
    out: dict = collections.Counter()
    for (filename, _line, name), (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        for caller, v in callers.items():
            if caller[0].startswith("<cell "):
                where = Path(filename).stem if filename.startswith(PKG) else Path(filename).name
                out[f"{where}.{name}"] += v[3]
        if filename.startswith(PKG):
            rel = filename[len(PKG) + 1 :]
            if (rel, name) in INSIDE:
                out[f"* {rel.removesuffix('.py')}.{name}"] += ct
    return dict(out)


INSIDE = {
    ("results.py", "tidy"),
    ("report/notebook.py", "_table_html"),
    ("report/notebook.py", "_register_table"),
    ("report/notebook.py", "_sheets"),
    ("report/notebook.py", "_locate"),
    ("report/notebook.py", "record"),
    ("report/notebook.py", "_tight_bbox"),
    ("report/export.py", "write_xlsx"),
    ("report/plots.py", "_finish"),
}


def run_notebook(path: Path, params: dict, prof: cProfile.Profile) -> float:
    nb = nbformat.read(str(path), as_version=4)
    ns: dict = {}
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    t0 = time.process_time()
    exec(compile(cells[0], "params", "exec"), ns)
    ns.update(params)
    prof.enable()
    try:
        for i, src in enumerate(cells[1:]):
            exec(compile(src, f"<cell {path.stem}[{i + 1}]>", "exec"), ns)
    finally:
        prof.disable()
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", required=True, help="processed dataset folder")
    ap.add_argument("--notebook", action="append", help="only this notebook (repeatable); default the suite")
    ap.add_argument("--region", help="region for region_brief (default the first of the data)")
    ap.add_argument("--top", type=int, default=0, help="also the N functions of largest cumulative time")
    ap.add_argument("--sort", default="cumulative", help="order of the --top list: cumulative (default) or tottime")
    ap.add_argument("--dump", help="also write the profile of all notebooks together to this file (pstats)")
    args = ap.parse_args()
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "bench-key-not-secret")
    import matplotlib

    matplotlib.use("Agg")
    from kinerja_research.report import runner

    names = args.notebook or runner.suite_notebooks()
    dataset = str(Path(args.dataset).resolve())
    region = args.region or runner.resolve_run_regions(dataset)[0]
    totals: dict = collections.Counter()
    combined = None
    print(f"load {os.getloadavg()[0]:.1f}", flush=True)
    for name in names:
        prof = cProfile.Profile(time.process_time)
        with tempfile.TemporaryDirectory() as out:
            params = {"dataset": dataset, "out_dir": out}
            if name == "region_brief":
                params["regions"] = [region]
            cwd = os.getcwd()
            os.chdir(out)
            devnull = open(os.devnull, "w")
            stdout, sys.stdout = sys.stdout, devnull
            try:
                cpu = run_notebook(paths.NOTEBOOKS / f"{name}.ipynb", params, prof)
            finally:
                sys.stdout = stdout
                devnull.close()
                os.chdir(cwd)
        stats = pstats.Stats(prof)
        parts = charge(stats)
        prof_total = sum(v for k, v in parts.items() if not k.startswith("*"))
        totals.update(parts)
        shown = sorted(parts.items(), key=lambda kv: -kv[1])
        print(f"\n{name}: {cpu:.2f} s CPU (profiled {prof_total:.2f} s)")
        for p, s in shown:
            if s >= 0.01:
                print(f"  {p:32s}{s:8.2f}")
        if args.top:
            stats.sort_stats(args.sort).print_stats(args.top)
        if args.dump:
            combined = stats if combined is None else combined.add(stats)
    print("\nall notebooks, by part (profiled seconds):")
    for p, s in sorted(totals.items(), key=lambda kv: -kv[1]):
        if s >= 0.01:
            print(f"  {p:32s}{s:8.2f}")
    print(f"load {os.getloadavg()[0]:.1f}")
    if args.dump:
        combined.dump_stats(args.dump)


if __name__ == "__main__":
    main()
