"""Benchmark of the clean step: `kinerja clean` on a 1,000,000-row survey export vs plain pandas+pyarrow reading it.

The export is written by the default generator (``kinerja_research.synth``): ``simulate(seed, scale)`` and its
Google Forms renderer, in chunks of ``--chunk-scale`` (each chunk its own seed, so people differ between chunks)
concatenated into one CSV until ``--rows`` rows, with every kind of planted dirt. It is cached in bench/out/ (reused
when it exists). Both sides run as fresh processes in the same run; the script prints both wall times, the
ratio, the time of the work itself inside each process, and the peak memory and CPU of each process tree (workers included).

Target on the 2-core machine (issue 13): clean <= 2x the plain read, peak memory <= 3 GiB.

    python bench/clean_bench.py [--rows 1000000] [--chunk-scale 46]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from national_bench import TreeSampler  # bench/ is the script's folder: the national bench's tree sampler

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "clean_bench"

_READ = """
import sys, time
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()
df = pd.read_csv(sys.argv[1], engine="pyarrow")
t2 = time.perf_counter()
print({"rows": len(df), "cols": df.shape[1], "import_s": t1 - t0, "work_s": t2 - t1})
"""

_CLEAN = """
import sys, time
t0 = time.perf_counter()
from kinerja_research.pipeline import build_processed
t1 = time.perf_counter()
m = build_processed("bench", raw_dir=sys.argv[1], out_dir=sys.argv[2], workers=eval(sys.argv[3]))
t2 = time.perf_counter()
print({"rows": m["tables"]["survey"]["rows_in"], "out": m["tables"]["survey"]["rows_out"],
       "quarantined": m["tables"]["survey"]["rows_quarantined"], "problems": sum(m["problems"].values()),
       "import_s": t1 - t0, "work_s": t2 - t1})
"""


def generate(rows: int, chunk_scale: float, raw: Path) -> Path:
    """Write the survey export (cached) and a dataset.yml naming only the survey table."""
    import yaml

    from kinerja_research.synth import _raw, _world, simulate

    target = raw / _raw.SURVEY_FILE
    meta = raw / "bench.json"
    if target.exists() and meta.exists() and json.loads(meta.read_text())["rows"] == rows:
        return target
    raw.mkdir(parents=True, exist_ok=True)
    parts = raw / "parts"
    parts.mkdir(exist_ok=True)
    total, seed, spec = 0, 2026, None
    with open(target, "wb") as out:
        while total < rows:
            world = simulate(seed=seed, scale=chunk_scale)
            d = parts / str(seed)
            d.mkdir(exist_ok=True)
            _, spec = _raw._survey(world, _world.substream(seed, "raw_survey"), _raw.Dirt(), d)
            with open(d / _raw.SURVEY_FILE, "rb") as fh:
                header = fh.readline()
                if total == 0:
                    out.write(header)
                lines = fh.read().splitlines(keepends=True)
            # chunks are joined line by line: a quoted multi-line answer would be cut, so check there is none
            if any(ln.count(b'"') % 2 for ln in lines):
                raise SystemExit(f"chunk of seed {seed} has a multi-line answer; cannot join chunks line by line")
            take = lines[: rows - total]
            out.writelines(take)
            total += len(take)
            print(f"  generated {total:,} rows (seed {seed})", file=sys.stderr, flush=True)
            seed += 1
            del world
    spec["options"]["dayfirst"] = True
    doc = {
        "name": "bench",
        "description": f"clean_bench: {rows} survey rows from kinerja_research.synth",
        "tables": {"survey": [spec]},
        "reference_date": "2026-11-01",
    }
    (raw / "dataset.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    meta.write_text(json.dumps({"rows": rows, "chunk_scale": chunk_scale}))
    return target


def run(code: str, *args: str, env=None) -> tuple[float, float, dict]:
    """Run ``code`` in a fresh Python; returns (wall seconds, peak memory in GiB of the process and every process
    below it, the dict it printed, with ``cpu_s``: the CPU seconds of that whole tree). The clean's workers fork from
    a forkserver the child never waits for, so ``wait4`` alone would miss them: the tree is sampled
    (:class:`national_bench.TreeSampler`) and the larger of the two figures kept."""
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, env=env)
    with TreeSampler(p.pid, 0.05) as tree:
        _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    out = p.stdout.read().decode()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"benchmark step failed (exit {p.returncode}): {out}")
    res = eval(out.strip().splitlines()[-1])  # noqa: S307 (our own child)
    res["cpu_s"] = max(usage.ru_utime + usage.ru_stime, sum(tree.cpu.values()))
    return wall, max(usage.ru_maxrss * 1024, tree.peak_tree) / 1024**3, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--chunk-scale", type=float, default=46.0)
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes of the clean (default: as `kinerja clean`, every core for a file this large; the "
        "plain read uses every core too, through pyarrow's threads)",
    )
    args = ap.parse_args()
    raw = OUT / f"raw_{args.rows}"
    path = generate(args.rows, args.chunk_scale, raw)
    size = path.stat().st_size / 1024**2
    env = {**os.environ, "KINERJA_PSEUDONYM_KEY": os.environ.get("KINERJA_PSEUDONYM_KEY", "bench-key-not-secret")}
    read_wall, read_mem, read = run(_READ, str(path), env=env)
    clean_wall, clean_mem, clean = run(_CLEAN, str(raw), str(OUT / "processed"), repr(args.workers), env=env)
    print(f"survey export: {read['rows']:,} rows x {read['cols']} columns, {size:,.0f} MiB ({path})")
    print(
        f"plain read (pandas {read['import_s']:.1f}s import + pyarrow read_csv): {read_wall:6.1f} s wall, "
        f"{read['work_s']:6.1f} s reading, {read['cpu_s']:6.1f} s CPU, peak tree {read_mem:.2f} GiB"
    )
    print(
        f"kinerja clean (workers={args.workers}):  {clean_wall:6.1f} s wall, {clean['work_s']:6.1f} s cleaning, "
        f"{clean['cpu_s']:6.1f} s CPU (tree), peak tree {clean_mem:.2f} GiB"
    )
    print(f"  {clean['out']:,} rows out, {clean['quarantined']:,} quarantined, {clean['problems']:,} problems")
    print(
        f"ratio clean/read: {clean_wall / read_wall:.2f}x wall, {clean['work_s'] / read['work_s']:.2f}x work "
        f"(target <= 2x), {clean['cpu_s'] / read['cpu_s']:.2f}x CPU; load {os.getloadavg()[0]:.1f}; peak memory {clean_mem:.2f} GiB (target <= 3 GiB)"
    )


if __name__ == "__main__":
    main()
