"""Benchmark of the report suite: full suite vs its kernel+import floor, with 1 and 2 workers, in one run.

    .venv/bin/python bench/report_bench.py [--scale 1.0] [--seed 2026] [--repeat 1] [--out DIR]
    .venv/bin/python bench/report_bench.py --diff OLD/full-1w-r1 NEW/full-1w-r1   # two runs' outputs compared

Steps:
1. the default dataset (``synth.write_default`` at ``--scale``) is written and cleaned into ``bench/out/`` (not
   ``data/``), once, with a throw-away pseudonym key;
2. "floor" notebooks are derived from ``notebooks/*.ipynb``: the parameters cell, every import statement of the
   notebook (plus ``matplotlib.pyplot`` and ``seaborn`` when it shows figures, which the package imports lazily),
   the ``kr.report.start(...)`` cell, reading the tables and ``ctx.finish()`` — i.e. the notebook with its analysis
   cells removed: kernel start-up, imports, reading the processed tables, rendering, what no analysis can avoid;
3. a warm-up run (not counted), then floor and full suite with 1 worker and with 2 workers, for the four default
   regions (each suite notebook once + ``region_brief`` once per region).

Targets (issue 5): full suite <= 1.5 x floor (2 workers) and 2 workers >= 1.6 x faster than 1 worker (issue 13.6:
<= 1.3 x floor). Prints per-notebook times, totals and ratios. Machine load from other processes shows up in the
numbers: the load average is printed with them.

National mode (issue 13.3-13.5): every kab/kota of the data, the whole suite with a brief per region::

    .venv/bin/python bench/report_bench.py --national --scale 0.1          # quick: synth + clean all 514 regions
    .venv/bin/python bench/report_bench.py --national --dataset data/processed/nat1   # an existing national dataset
    .venv/bin/python bench/report_bench.py --national --scale 1 --no-floor

runs the floor and the full suite with ``--all-regions`` (2 workers; briefs in batches, see ``runner.BATCH_SIZE``)
while a sampler reads every process under the run each 0.2 s: peak resident memory per notebook kernel (a kernel
is known by its working folder, ``.jobs/<stem>``) and per batch worker, the total time of each run and the ratio of
the suite to its floor.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from kinerja_research import paths  # noqa: E402
from kinerja_research.report import runner  # noqa: E402


def build_dataset(out: Path, scale: float, seed: int) -> Path:
    from kinerja_research import pipeline, synth

    processed = out / f"processed-{scale:g}-{seed}"
    if (processed / "manifest.json").exists():
        return processed
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "bench-key-not-secret")
    raw = out / f"raw-{scale:g}-{seed}"
    shutil.rmtree(raw, ignore_errors=True)
    synth.write_default(raw, seed=seed, scale=scale)
    pipeline.build_processed("bench", raw_dir=raw, out_dir=processed)
    return processed


def floor_notebook(src: Path, dst: Path) -> None:
    """The notebook without its analysis cells: parameters, imports, the context start, finish."""
    import nbformat

    nb = nbformat.read(str(src), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = code[0]
    imports: list[str] = []
    start = None
    for cell in code[1:]:
        tree = ast.parse(cell.source)
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                stmt = ast.unparse(node)
                if stmt not in imports:
                    imports.append(stmt)
            elif start is None and "report.start(" in ast.unparse(node):
                start = ast.unparse(node)
    if start is None:
        raise SystemExit(f"{src.name}: no kr.report.start(...) call found")
    if any("ctx.figure(" in c.source for c in code):  # a notebook with figures cannot avoid the plotting stack
        imports += [i for i in ("import matplotlib.pyplot", "import seaborn") if i not in imports]
    floor = nbformat.v4.new_notebook()
    floor.metadata = nb.metadata
    floor.cells = [
        params,
        nbformat.v4.new_code_cell("\n".join(imports)),
        nbformat.v4.new_code_cell(start),
        nbformat.v4.new_code_cell("ctx.tables\nctx.finish()"),
    ]
    nbformat.write(floor, str(dst))


def process_role(cmd: str, pid: int, me: int) -> str:
    """A name for a process of a run's tree, from its command line: the runner (this process), a notebook kernel,
    a worker of the pool (forkserver or multiprocessing), an isolated job or batch process, Chromium, or the
    command's first words."""
    if pid == me:
        return "runner (this process: protect, index)"
    if "ipykernel" in cmd:
        return "kernel"
    if "forkserver" in cmd or "multiprocessing" in cmd:
        return "pool worker (execute, batches of briefs, render)"
    if "chrom" in cmd:
        return "chromium"
    return " ".join(cmd.split()[:3])[:60] or f"pid {pid}"


class MemorySampler:
    """Peak resident memory of this process and the processes under it, sampled every ``interval`` seconds in a
    thread: per kernel (by its working folder ``.jobs/<stem>``), per other process (a worker, by pid) and per role
    (:func:`process_role`: which kind of process of the tree held the most; this process included)."""

    def __init__(self, interval: float = 0.2):
        import threading

        self.interval = interval
        self.kernels: dict[str, int] = {}
        self.workers: dict[int, int] = {}
        self.roles: dict[str, int] = {}  # largest single process of each role
        self.cpu: dict[int, float] = {}  # user + system seconds of every process seen, as last read
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            try:
                rss = me.memory_info().rss
                role = process_role("", me.pid, me.pid)
                self.roles[role] = max(self.roles.get(role, 0), rss)
            except (psutil.Error, OSError):
                pass
            for p in me.children(recursive=True):
                try:
                    rss = p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system
                    cmd = " ".join(p.cmdline())
                    role = process_role(cmd, p.pid, me.pid)
                    self.roles[role] = max(self.roles.get(role, 0), rss)
                    if "ipykernel" in cmd:
                        stem = Path(p.cwd()).name
                        self.kernels[stem] = max(self.kernels.get(stem, 0), rss)
                    else:
                        self.workers[p.pid] = max(self.workers.get(p.pid, 0), rss)
                except (psutil.Error, OSError):
                    continue
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False


def timed_run(
    label: str,
    dataset: Path,
    notebooks_dir: Path,
    workers: int,
    out: Path,
    *,
    all_regions: bool = False,
    kernels: bool = False,
    notebooks=None,
) -> dict:
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    with MemorySampler() as mem:
        summary = runner.run_suite(
            dataset=str(dataset),
            lang="id",
            workers=workers,
            out=out / label,
            notebooks_dir=notebooks_dir,
            progress=False,
            publish=False,
            all_regions=all_regions,
            kernels=kernels,
            notebooks=notebooks,
        )
    wall = time.perf_counter() - t0
    if not summary.ok:
        print("\n".join(runner.failure_lines(summary)), file=sys.stderr)
    print(f"  {label}: {wall:.1f} s ({len(summary.jobs)} jobs, {workers} worker(s))", flush=True)
    return {
        "label": label,
        "wall": wall,
        "ok": summary.ok,
        "jobs": {j["stem"]: j["duration_s"] for j in summary.jobs},
        "kernel_rss_mb": {k: v / 2**20 for k, v in mem.kernels.items()},
        "worker_rss_mb": sorted((v / 2**20 for v in mem.workers.values()), reverse=True),
        "role_rss_mb": {k: v / 2**20 for k, v in sorted(mem.roles.items(), key=lambda kv: -kv[1])},
        "cpu_s": sum(mem.cpu.values()) + time.process_time() - cpu0,
    }


def build_national(out: Path, scale: float, seed: int) -> Path:
    """All 514 kab/kota at ``scale``, written and cleaned into ``bench/out/`` once."""
    from kinerja_research import pipeline, synth

    processed = out / f"national-processed-{scale:g}-{seed}"
    if (processed / "manifest.json").exists():
        return processed
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "bench-key-not-secret")
    raw = out / f"national-raw-{scale:g}-{seed}"
    shutil.rmtree(raw, ignore_errors=True)
    synth.write_default(raw, seed=seed, scale=scale, regions="all")
    pipeline.build_processed("national", raw_dir=raw, out_dir=processed)
    return processed


def national(args, out: Path, floor_dir: Path) -> None:
    """The suite on every region of a national dataset: time, peak memory per kernel and per batch worker."""
    dataset = Path(args.dataset).resolve() if args.dataset else build_national(out, args.scale, args.seed)
    n_regions = len(runner.resolve_run_regions(str(dataset), all_regions=True))
    print(f"national: {dataset} ({n_regions} regions); cores {os.cpu_count()}", flush=True)
    runs = []
    if not args.no_floor:
        runs.append(timed_run("nat-floor", dataset, floor_dir, 2, out, all_regions=True, notebooks=args.notebook))
    runs.append(timed_run("nat-full", dataset, paths.NOTEBOOKS, 2, out, all_regions=True, notebooks=args.notebook))
    load = os.getloadavg()
    for r in runs:
        briefs = [v for k, v in r["jobs"].items() if k.startswith("region_brief_")]
        print(
            f"\n{r['label']}: {r['wall']:.1f} s wall, {r['cpu_s']:.0f} s CPU (all processes; on a busy machine the "
            f"CPU time is the comparable figure), ok={r['ok']}, {len(r['jobs'])} pages"
        )
        print(f"  {'page':32s}{'time s':>9s}{'peak RSS MB':>13s}")
        for stem, secs in r["jobs"].items():
            if not stem.startswith("region_brief_"):
                print(f"  {stem:32s}{secs:9.1f}{r['kernel_rss_mb'].get(stem, float('nan')):13.0f}")
        if briefs:
            print(f"  {'region briefs (' + str(len(briefs)) + ')':32s}{sum(briefs):9.1f}{'(in batches)':>13s}")
        print(f"  worker processes' peak RSS MB: {', '.join(f'{v:.0f}' for v in r['worker_rss_mb'][:4])}")
        print(
            "  largest process of each kind, peak RSS MB: "
            + "; ".join(f"{k} {v:.0f}" for k, v in r["role_rss_mb"].items())
        )
    if not args.no_floor:
        print(
            f"\nnational suite / floor (2 workers): wall {runs[1]['wall'] / runs[0]['wall']:.2f}, "
            f"CPU {runs[1]['cpu_s'] / runs[0]['cpu_s']:.2f}"
        )
    print(f"load average after the runs: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    (out / "national_result.json").write_text(json.dumps({"runs": runs, "loadavg": load}, indent=2))


def diff_runs(a: Path, b: Path) -> list[str]:
    """What differs between two suite runs' output folders (e.g. a round of this bench before and after a change):
    workbooks byte for byte; pages, executed notebooks, headline and run files apart from the run time and run id
    (the provenance's volatile spans, the papermill timings and the run id wherever it is written) and the dataset
    folder of each run (two benches with their own ``--out`` read the same data from two folders; a workbook that
    names it is then compared member by member with the folder replaced, and said so). Returns one line per
    differing or missing file; empty when the runs are the same."""
    import re

    from kinerja_research.report.provenance import VOLATILE_CLASS

    volatile = re.compile(rf'<span class=\\?"{VOLATILE_CLASS}\\?">.*?</span>')
    ids = {}
    for run in (a, b):
        found = set()
        for p in [*run.glob("*.headline.json"), run / "run.json"]:
            if not p.exists():
                continue
            doc = json.loads(p.read_text(encoding="utf-8"))
            rid = (doc.get("provenance") or {}).get("run_id") or doc.get("run_id")
            if rid:
                found.add(str(rid))
        ids[run] = found

    folders = {}  # each run's dataset folder: two benches with their own --out read the same data from two places
    for run in (a, b):
        info = run / "run.json"
        doc = json.loads(info.read_text(encoding="utf-8")) if info.exists() else {}
        folders[run] = [str(doc[k]) for k in ("dataset_folder", "dataset") if doc.get(k)]

    def unfold(run: Path, text: str) -> str:
        for folder in folders[run]:
            text = text.replace(folder, "DATASET").replace(json.dumps(folder)[1:-1], "DATASET")
        return text

    def members(run: Path, path: Path) -> dict:
        import zipfile

        with zipfile.ZipFile(path) as z:
            return {n: unfold(run, z.read(n).decode("utf-8", "replace")) for n in z.namelist()}

    def clean(run: Path, text: str) -> str:
        text = unfold(run, volatile.sub("", text))
        for rid in ids[run]:
            text = text.replace(rid, "RUN_ID")
        return re.sub(r'"(start_time|end_time|duration|duration_s|run_time)": [^,}\n]*', r'"\1": null', text)

    names = sorted({p.name for p in a.glob("*.*")} | {p.name for p in b.glob("*.*")})
    out: list[str] = []
    same_folder: list[str] = []
    for name in names:
        pa, pb = a / name, b / name
        if not (pa.exists() and pb.exists()):
            out.append(f"{name}: only in {a if pa.exists() else b}")
        elif name.endswith(".xlsx"):
            if pa.read_bytes() == pb.read_bytes():
                continue
            if folders[a] == folders[b] or members(a, pa) != members(b, pb):
                out.append(f"{name}: workbook bytes differ")
            else:
                same_folder.append(name)
        elif name.endswith((".html", ".ipynb", ".json")):
            if clean(a, pa.read_text(encoding="utf-8")) != clean(b, pb.read_text(encoding="utf-8")):
                out.append(f"{name}: differs apart from run time and run id")
    if same_folder:
        print(
            f"  {len(same_folder)} workbooks differ only by the dataset folder they name "
            f"({folders[a][0]} / {folders[b][0]}): every member equal once it is replaced"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--national", action="store_true", help="every region of a national dataset (see above)")
    ap.add_argument("--dataset", help="with --national: an existing processed dataset folder")
    ap.add_argument("--no-floor", action="store_true", help="with --national: the full suite only")
    ap.add_argument("--notebook", action="append", help="with --national: only this notebook (repeatable)")
    ap.add_argument("--out", help="bench output folder (default bench/out/report_bench)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of floor and full runs (min / median ratios)")
    ap.add_argument(
        "--diff",
        nargs=2,
        metavar=("RUN_A", "RUN_B"),
        help="only compare two runs' output folders (e.g. out/full-1w-r1 of two benches) and exit",
    )
    args = ap.parse_args()
    if args.diff:
        a, b = (Path(p).resolve() for p in args.diff)
        differ = diff_runs(a, b)
        n = len(list(a.glob("*.*")))
        print(f"{a} vs {b}: {n - len(differ)} of {n} files identical (workbooks byte for byte; pages, notebooks and")
        print("headline files apart from run time and run id)" + "".join(f"\n  {d}" for d in differ))
        raise SystemExit(1 if differ else 0)

    out = Path(args.out).resolve() if args.out else HERE / "out" / "report_bench"
    out.mkdir(parents=True, exist_ok=True)
    notebooks = runner.suite_notebooks()
    if not notebooks:
        raise SystemExit("notebooks/ holds no suite notebook")
    floor_dir = out / "floor_notebooks"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir()
    for name in notebooks:
        floor_notebook(paths.NOTEBOOKS / f"{name}.ipynb", floor_dir / f"{name}.ipynb")
    if args.national:
        national(args, out, floor_dir)
        return
    dataset = build_dataset(out, args.scale, args.seed)

    print(
        f"notebooks: {', '.join(notebooks)}; dataset scale {args.scale:g} ({dataset}); cores {os.cpu_count()}",
        flush=True,
    )
    from kinerja_research.report.provenance import VOLATILE_CLASS

    def ratios(rnd: dict) -> dict:
        by = {r["label"].split("-r")[0]: r for r in rnd["runs"]}
        return {
            "wall_2w": by["full-2w"]["wall"] / by["floor-2w"]["wall"],
            "wall_1w": by["full-1w"]["wall"] / by["floor-1w"]["wall"],
            "cpu_2w": by["full-2w"]["cpu_s"] / by["floor-2w"]["cpu_s"],
            "cpu_1w": by["full-1w"]["cpu_s"] / by["floor-1w"]["cpu_s"],
            "speedup": by["full-1w"]["wall"] / by["full-2w"]["wall"],
            "speedup_floor": by["floor-1w"]["wall"] / by["floor-2w"]["wall"],
        }

    timed_run("warmup", dataset, floor_dir, 2, out)
    rounds = []
    for i in range(args.repeat):
        tag = f"-r{i + 1}" if args.repeat > 1 else ""
        load0 = os.getloadavg()[0]
        got = [
            timed_run(f"{kind}{tag}", dataset, nb_dir, w, out)
            for kind, nb_dir, w in (
                ("floor-1w", floor_dir, 1),
                ("full-1w", paths.NOTEBOOKS, 1),
                ("floor-2w", floor_dir, 2),
                ("full-2w", paths.NOTEBOOKS, 2),
            )
        ]
        rounds.append({"runs": got, "load": (load0, os.getloadavg()[0])})
        r = ratios(rounds[-1])
        print(  # each round as it ends, so a run stopped early still says what it measured
            f"  round {i + 1}: CPU full / floor 2 workers {r['cpu_2w']:.2f}, 1 worker {r['cpu_1w']:.2f}; wall 2 "
            f"workers {r['wall_2w']:.2f}, 1 worker {r['wall_1w']:.2f} (load {load0:.1f} -> {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    load = os.getloadavg()

    runs = rounds[-1]["runs"]
    stems = list(runs[1]["jobs"])
    print("\nper-notebook time (s), inside the job (kernel start to rendered page), last round:")
    print(f"{'notebook':32s}" + "".join(f"{r['label']:>14s}" for r in runs))
    for s in stems:
        print(f"{s:32s}" + "".join(f"{r['jobs'].get(s, float('nan')):14.2f}" for r in runs))
    print(f"{'WALL (whole run)':32s}" + "".join(f"{r['wall']:14.2f}" for r in runs))

    per = [ratios(r) for r in rounds]
    print("\nfull / floor per round (load average at the start and end of the round):")
    for i, (r, rnd) in enumerate(zip(per, rounds)):
        print(
            f"  round {i + 1}: wall 2 workers {r['wall_2w']:.2f}, 1 worker {r['wall_1w']:.2f}; CPU 2 workers "
            f"{r['cpu_2w']:.2f}, 1 worker {r['cpu_1w']:.2f}; speed-up 1 -> 2 workers {r['speedup']:.2f}  "
            f"(load {rnd['load'][0]:.1f} -> {rnd['load'][1]:.1f})"
        )

    def stat(key: str) -> str:
        vals = sorted(r[key] for r in per)
        return f"{vals[0]:.2f} / {statistics.median(vals):.2f}" if len(vals) > 1 else f"{vals[0]:.2f}"

    mm = " (min / median)" if len(per) > 1 else ""
    print(f"\nfull / floor (2 workers){mm}: wall {stat('wall_2w')}  (target <= 1.3)   [1 worker: {stat('wall_1w')}]")
    print(f"CPU seconds (all processes) full / floor{mm}: 2 workers {stat('cpu_2w')}, 1 worker {stat('cpu_1w')}")
    print(
        f"speed-up 1 -> 2 workers (full suite){mm}: {stat('speedup')}  (target >= 1.6)   "
        f"[floor: {stat('speedup_floor')}]"
    )
    all_runs = [r for rnd in rounds for r in rnd["runs"]]
    print(
        f"all runs ok: {all(r['ok'] for r in all_runs)}; load average after the runs: "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    import re

    volatile = re.compile(rf'<span class="{VOLATILE_CLASS}">[^<]*</span>')
    full_1w, full_2w = out / runs[1]["label"], out / runs[3]["label"]
    pages = sorted(full_1w.glob("*.html"))
    differ = [
        p.name
        for p in pages
        if volatile.sub("", p.read_text(encoding="utf-8"))
        != volatile.sub("", (full_2w / p.name).read_text(encoding="utf-8"))
    ]
    print(
        f"reproducibility: {len(pages) - len(differ)} of {len(pages)} pages identical between the 1- and 2-worker "
        f"runs apart from run time and run id" + (f"; differing: {differ}" if differ else "")
    )
    (out / "result.json").write_text(json.dumps({"rounds": rounds, "ratios": per, "loadavg": load}, indent=2))


if __name__ == "__main__":
    main()
