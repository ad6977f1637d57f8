"""National benchmark, end to end: synth all regions at a scale, clean, report every region; time and peak memory.

    .venv/bin/python bench/national_bench.py                     # scale 1: 514 kab/kota, about 427,000 ASN
    .venv/bin/python bench/national_bench.py --scale 10          # the national size (about 4.3 M ASN)
    .venv/bin/python bench/national_bench.py --steps synth,clean --workers 2
    .venv/bin/python bench/national_bench.py --steps clean --clean-workers 1,2   # serial vs parallel clean
    .venv/bin/python bench/national_bench.py --scale 10 --steps clean,report --raw /work/tmp_national/raw10
                                                                 # reuse a raw set written earlier (no re-synth)

Each step runs the command line (``kinerja data synth``, ``kinerja clean``, ``kinerja report --all-regions``) as a
child process of its own, with a throw-away pseudonym key, in ``bench/out/national/`` (never ``data/``). While a
step runs, the whole process tree below it (workers, notebook kernels) is sampled every ``--interval`` seconds with
psutil: the table shows the wall time, the CPU time of every process of the step (user + system, from
``getrusage`` or, for workers the step does not wait for itself, as last sampled: on a busy machine the wall time
grows, the CPU time much less), the peak resident memory of the tree (the sum over its processes at the
fullest sample) and of its largest single process. Kernels are recognised by their working folder
(``.jobs/<notebook stem>``), which gives the peak memory of each notebook; the report's ``run.json`` gives each
notebook's time. The raw data of a scale and seed are reused when ``--steps`` leaves synth out; ``--raw DIR`` names
the raw folder (written there by synth when synth is a step, otherwise only read: any raw set of the right scale). After
synth the table is followed by the sizes of the raw set and of its truth files (GROUND_TRUTH.json, the per-region
planted-problem ledgers, dataset.yml). Each row carries the 1-minute load average when the step ended.

After a clean, one region of each processed table is read back and timed against the ``region_code`` column of
every row: the tables are written sorted by region in row groups, so the read skips the other regions' groups.

Targets (issue 13): clean at scale 1 <= 60 s and at scale 10 <= 10 min with peak <= 8 GiB on 2 cores; no kernel
above 4 GiB at scale 10. Machine load from other processes shows up in the times: the load average is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq

from kinerja_research.pipeline import TABLES, load_table

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "national"
BIN = Path(sys.executable).parent
STEPS = ("synth", "clean", "report")
GIB = 1024**3


class TreeSampler:
    """Peak memory of a process and every process below it, sampled in a background thread.

    ``peak_tree`` is the largest sum of resident memory over the tree at one sample, ``peak_one`` the largest single
    process, ``by_stem`` the largest kernel per notebook stem (a kernel's working folder is ``.jobs/<stem>``)."""

    def __init__(self, pid: int, interval: float):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_tree = 0
        self.peak_one = 0
        self.by_stem: dict[str, int] = {}
        self.cpu: dict[int, float] = {}  # last user + system seconds seen of every process of the tree
        self._cwd: dict[int, str | None] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _stem(self, p: psutil.Process) -> str | None:
        if p.pid not in self._cwd:
            try:
                cwd = p.cwd()
            except (psutil.Error, OSError):
                return None
            parent = Path(cwd).parent
            self._cwd[p.pid] = Path(cwd).name if parent.name == ".jobs" else None
        return self._cwd[p.pid]

    def _sample(self) -> None:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for p in procs:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            try:
                t = p.cpu_times()
                self.cpu[p.pid] = t.user + t.system
            except psutil.Error:
                pass
            self.peak_one = max(self.peak_one, rss)
            stem = self._stem(p)
            if stem is not None:
                self.by_stem[stem] = max(self.by_stem.get(stem, 0), rss)
        self.peak_tree = max(self.peak_tree, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)


def run_step(name: str, cmd: list[str], env: dict, interval: float, log: Path) -> dict:
    """Run one step's command; returns its wall time, peak memory and exit code (output kept in ``log``)."""
    print(f"-- {name}: {' '.join(cmd)}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "w") as fh:
        p = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        with TreeSampler(p.pid, interval) as s:
            rc = p.wait()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # every process below the step that was waited for
    waited = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # worker processes forked by a forkserver are not waited for by the step: their CPU time as last sampled
    cpu = max(waited, sum(s.cpu.values()))
    if rc != 0:
        print(f"   {name} FAILED (exit {rc}); last lines of {log}:", file=sys.stderr)
        print("\n".join(log.read_text(errors="replace").splitlines()[-15:]), file=sys.stderr)
    return {
        "step": name,
        "load": os.getloadavg()[0],
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_tree": s.peak_tree,
        "peak_one": s.peak_one,
        "rc": rc,
        "by": s.by_stem,
    }


def _digest(folder: Path) -> str:
    """One SHA-256 over every output file of a processed folder (manifest.json without its ``run`` part)."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.name == "manifest.json":
            data = json.dumps({k: v for k, v in json.loads(data).items() if k != "run"}, sort_keys=True).encode()
        h.update(p.relative_to(folder).as_posix().encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def _sizes(raw: Path) -> str:
    """Sizes of a raw set: data files, and the truth files the generator writes beside them."""
    files = [p for p in raw.iterdir() if p.is_file()]
    truth = [p for p in files if p.name.startswith("GROUND_TRUTH")]
    ledgers = [p for p in truth if p.name.endswith(".csv.gz")]
    js = raw / "GROUND_TRUTH.json"
    spec = raw / "dataset.yml"
    total = sum(p.stat().st_size for p in files)
    largest = max((p.stat().st_size for p in ledgers), default=0)
    mib = 1024**2
    return (
        f"raw set {raw}: {len(files)} files, {total / GIB:.2f} GiB; GROUND_TRUTH.json "
        f"{(js.stat().st_size if js.exists() else 0) / mib:.1f} MiB; planted-problem ledgers {len(ledgers)} files, "
        f"{sum(p.stat().st_size for p in ledgers) / mib:.1f} MiB (largest {largest / mib:.2f} MiB); dataset.yml "
        f"{(spec.stat().st_size if spec.exists() else 0) / 1024:.1f} KiB"
    )


def _pushdown(processed: Path) -> str:
    """Per processed table: its row groups, and the time to read one region (the first in the file: the row groups
    of the others are skipped on their statistics) against the time to read the ``region_code`` column of every
    row."""
    lines = []
    for table in TABLES:
        path = processed / f"{table}.parquet"
        if not path.exists():
            continue
        meta = pq.ParquetFile(path).metadata
        first = pq.ParquetFile(path).read_row_group(0, columns=["region_code"]).column(0)[0].as_py()
        t0 = time.perf_counter()
        one = load_table(table, processed, regions=[first])
        t1 = time.perf_counter()
        load_table(table, processed, columns=["region_code"])
        t2 = time.perf_counter()
        lines.append(
            f"{table}: {meta.num_rows:,} rows in {meta.num_row_groups} row groups; region {first} "
            f"({len(one):,} rows) read in {t1 - t0:.2f} s, region_code of every row in {t2 - t1:.2f} s"
        )
    return "region reads (row groups skipped by their statistics):\n  " + "\n  ".join(lines)


def _gib(n: int) -> str:
    return f"{n / GIB:6.2f}"


def _table(rows: list[dict], load: tuple) -> str:
    lines = [
        f"{'step':<28} {'wall s':>9} {'CPU s':>9} {'peak tree GiB':>14} {'largest proc GiB':>17} {'load':>5} {'ok':>4}",
        "-" * 92,
    ]
    for r in rows:
        lines.append(
            f"{r['step']:<28} {r['wall_s']:9.1f} {r['cpu_s']:9.1f} {_gib(r['peak_tree']):>14} {_gib(r['peak_one']):>17} "
            f"{r.get('load', float('nan')):5.1f} {'yes' if r['rc'] == 0 else 'NO':>4}"
        )
    lines.append(f"(load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {os.cpu_count()} cores)")
    return "\n".join(lines)


def _notebooks(report: dict, run_dir: Path) -> str:
    """Per-notebook time (run.json) and peak kernel memory (sampled): the suite notebooks one by one, the region
    briefs summed."""
    try:
        meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "(no run.json: the report step did not finish)"
    by = report["by"]
    lines = [f"{'notebook':<34} {'wall s':>9} {'peak kernel GiB':>16} {'ok':>4}", "-" * 66]
    briefs = [j for j in meta.get("jobs", []) if j.get("region")]
    for j in meta.get("jobs", []):
        if j.get("region"):
            continue
        lines.append(
            f"{j['stem']:<34} {j['duration_s']:9.1f} {_gib(by.get(j['stem'], 0)):>16} {'yes' if j['ok'] else 'NO':>4}"
        )
    if briefs:
        ok = sum(bool(j["ok"]) for j in briefs)
        total = sum(j["duration_s"] for j in briefs)
        peak = max((by.get(j["stem"], 0) for j in briefs), default=0)
        lines.append(f"{f'region briefs ({len(briefs)}, summed)':<34} {total:9.1f} {_gib(peak):>16} {ok:>4}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--regions", default="all", help="'all' (514 kab/kota) or codes separated by commas")
    ap.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset of synth,clean,report")
    ap.add_argument("--workers", type=int, default=None, help="report workers (default: number of cores)")
    ap.add_argument(
        "--clean-workers",
        default=None,
        help="kinerja clean --workers: one value, or several separated by commas (one clean per value, same run)",
    )
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address for clean and report")
    ap.add_argument("--interval", type=float, default=0.25, help="seconds between memory samples")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--kinerja",
        default=str(BIN / "kinerja"),
        help="the kinerja command to time (default this environment's; another checkout's for a before/after)",
    )
    ap.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="raw folder: written by synth when synth is a step, otherwise an existing raw set to clean "
        "(default OUT/raw-<regions>-<scale>-<seed>)",
    )
    args = ap.parse_args()
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    bad = [s for s in steps if s not in STEPS]
    if bad:
        raise SystemExit(f"--steps has {bad}; the rule is a subset of {','.join(STEPS)}")
    tag = f"{args.regions.replace(',', '_') if args.regions != 'all' else 'all'}-{args.scale:g}-{args.seed}"
    raw, processed, reports = args.out / f"raw-{tag}", args.out / f"processed-{tag}", args.out / f"reports-{tag}"
    if args.raw is not None:
        raw = args.raw.expanduser().resolve()
    logs = args.out / f"logs-{tag}"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KINERJA_PSEUDONYM_KEY": os.environ.get("KINERJA_PSEUDONYM_KEY", "bench-key-not-secret")}
    kinerja = args.kinerja
    region_args = []
    for r in args.regions.split(","):
        region_args += ["--regions", r.strip()]
    rows: list[dict] = []
    sizes = reads = None
    digests: dict[str, str] = {}
    report = None
    if "synth" in steps:
        cmd = [kinerja, "data", "synth", "--seed", str(args.seed), "--scale", f"{args.scale:g}", *region_args]
        rows.append(run_step("synth", [*cmd, "--out", str(raw), "--force", "-q"], env, args.interval, logs / "s.log"))
        if rows[-1]["rc"] == 0:
            sizes = _sizes(raw)
    if "clean" in steps:
        if not (raw / "dataset.yml").exists():
            raise SystemExit(f"no raw data at {raw}: run with --steps synth,clean first")
        counts = (args.clean_workers or "").split(",") if args.clean_workers else [None]
        for n in counts:
            cmd = [kinerja, "clean", str(raw), "--out", str(processed), "-q"]
            if n is not None:
                cmd += ["--workers", str(int(n))]
            if args.scheduler:
                cmd += ["--scheduler", args.scheduler]
            label = "clean" if n is None else f"clean --workers {int(n)}"
            rows.append(run_step(label, cmd, env, args.interval, logs / f"clean-{n}.log"))
            if rows[-1]["rc"] == 0:
                digests[label] = _digest(processed)
        if len(set(digests.values())) > 1:
            print(f"!! the clean runs wrote different outputs: {sorted(digests)}", file=sys.stderr)
            rows[-1]["rc"] = rows[-1]["rc"] or 1
        elif len(digests) > 1:
            print(f"clean runs {', '.join(digests)}: identical outputs (SHA-256 of every file; manifest without run)")
        if digests:
            reads = _pushdown(processed)
    if "report" in steps:
        if not (processed / "manifest.json").exists():
            raise SystemExit(f"no processed data at {processed}: run with --steps clean first")
        shutil.rmtree(reports, ignore_errors=True)
        cmd = [kinerja, "report", "--dataset", str(processed), "--all-regions", "--out", str(reports), "--no-progress"]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        if args.scheduler:
            cmd += ["--scheduler", args.scheduler]
        report = run_step("report --all-regions", cmd, env, args.interval, logs / "report.log")
        rows.append(report)
    print(f"national bench: regions {args.regions}, scale {args.scale:g}, seed {args.seed} ({args.out})")
    print(_table(rows, os.getloadavg()))
    if sizes:
        print(sizes)
    if reads:
        print(reads)
    if report is not None:
        print()
        print(_notebooks(report, reports))
    if any(r["rc"] != 0 for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
