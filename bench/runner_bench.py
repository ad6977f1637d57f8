"""Memory and CPU of the report runner's own steps after the notebooks ran, on a finished run folder.

A national run (``kinerja report --all-regions``) executes the notebooks in workers, then in the runner's processes:
``protect`` (every page's published counts checked together, :func:`runner.protect_run`, in the runner), ``render``
(each page's HTML, :func:`runner.render_job`, in a worker) and ``index`` (the run's ``index.html`` from every page's
headline JSON, :func:`render.write_index`, in the runner). At scale 1 page 00's headline JSON is 283 MB and page
01's 362 MB (every count repeats the 514-code scope), so these steps are measured here alone, each in a fresh
process: peak resident memory (``ru_maxrss`` of that process), CPU and wall seconds.

The run folder is copied first (``protect`` rewrites headline JSON, notebooks and workbooks it withholds cells in);
the source is never written::

    python bench/runner_bench.py --run /work/tmp_national/nb7/outB/reports-all-1-2026
    python bench/runner_bench.py --run ... --steps index,render --pages 00_data_audit,01_instrument_quality
    python bench/runner_bench.py --run ... --steps index --tracemalloc   # the top allocation sites of the step
    python bench/runner_bench.py --run ... --steps check   # read_headline gives json.load's document, every file

Prints one line per step (and the machine's load average).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from kinerja_research.report import export, render, runner

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "runner_bench"
STEPS = ("protect", "render", "index")
CHECK = "check"  # not timed: every headline JSON of the run read by export.read_headline == json.load
MIB = 1024**2


def _jobs(run: Path) -> tuple[dict, list[dict]]:
    meta = json.loads((run / "run.json").read_text(encoding="utf-8"))
    return meta, meta["jobs"]


def step(name: str, run: Path, pages: list[str]) -> None:
    """Run one step on ``run`` in this process."""
    meta, jobs = _jobs(run)
    results = [dict(j, error=None) for j in jobs]
    if name == "protect":
        changed = runner.protect_run(run, results, meta["lang"])
        print(f"protect: {sum(len(v) for v in changed.values())} cells newly withheld on {len(changed)} pages")
    elif name == "render":
        for stem in pages:
            res = next(r for r in results if r["stem"] == stem)
            job = runner.Job(
                notebook=res["notebook"],
                stem=stem,
                input_path="",
                parameters={},
                work_dir=str(run),
                run_id=meta["run_id"],
                lang=meta["lang"],
                region=res["region"],
            )
            out = runner.render_job(job, res)
            assert out["ok"], out["error"]
    elif name == "index":
        render.write_index(
            run,
            results,
            lang=meta["lang"],
            dataset=meta["dataset"],
            regions=meta["regions"],
            run_id=meta["run_id"],
            run_time=meta["run_time"],
            skipped=meta.get("skipped") or [],
        )
    elif name == CHECK:
        n = 0
        for r in results:
            path = run / f"{r['stem']}.headline.json"
            if path.exists():
                assert export.read_headline(path) == json.loads(path.read_text(encoding="utf-8")), path
                n += 1
        print(f"check: read_headline == json.load for all {n} headline JSON files")
    else:
        raise SystemExit(f"unknown step {name!r}; the steps are {', '.join(STEPS)}")


def measured(name: str, run: Path, pages: list[str], trace: bool) -> dict:
    """Run ``step`` in a fresh Python process: its own peak RSS (``wait4``), CPU and wall seconds."""
    cmd = [sys.executable, __file__, "--child", name, "--run", str(run), "--pages", ",".join(pages)]
    if trace:
        cmd.append("--tracemalloc")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"step {name} failed (exit {proc.returncode})")
    return {
        "step": name,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "wall_s": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="a finished run folder of kinerja report (never written)")
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--pages", default="00_data_audit,01_instrument_quality", help="pages the render step renders")
    ap.add_argument("--tracemalloc", action="store_true", help="print the step's top 15 allocation sites at its peak")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--keep", action="store_true", help="keep the copied run folder")
    ap.add_argument("--no-copy", action="store_true", help="work on --run itself (a copy of yours: it is written)")
    args = ap.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    if args.child:
        if args.tracemalloc:
            tracemalloc.start(12)
        t0 = time.process_time()
        step(args.child, Path(args.run), pages)
        if args.tracemalloc:
            _, peak = tracemalloc.get_traced_memory()
            print(f"tracemalloc peak {peak / MIB:.0f} MiB; top sites now:")
            for s in tracemalloc.take_snapshot().statistics("traceback")[:15]:
                print(f"  {s.size / MIB:8.1f} MiB  {s.traceback.format()[-1].strip()}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  [{args.child}] in-process CPU {time.process_time() - t0:.1f} s, peak RSS {rss:.0f} MiB", flush=True)
        return
    src = Path(args.run).resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    run = src if args.no_copy else OUT / "run"
    if not args.no_copy:
        shutil.rmtree(run, ignore_errors=True)
        shutil.copytree(src, run, ignore=shutil.ignore_patterns("*.pdf"))
    rows = [measured(s, run, pages, args.tracemalloc) for s in args.steps.split(",") if s]
    load = os.getloadavg()
    print(f"\n{'step':<10}{'peak RSS MiB':>14}{'CPU s':>9}{'wall s':>9}   ({src.name}; render: {', '.join(pages)})")
    for r in rows:
        print(f"{r['step']:<10}{r['peak_rss_mib']:14.0f}{r['cpu_s']:9.1f}{r['wall_s']:9.1f}")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    (OUT / "result.json").write_text(json.dumps({"rows": rows, "loadavg": load, "run": str(src)}, indent=2))
    if not (args.keep or args.no_copy):
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
