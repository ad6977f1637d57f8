"""Benchmark of the per-province LMM of page 02 (``national.lmm_by_province`` over ``training.mixed_effects``).

    .venv/bin/python /work/wt/bin/memcap 3 .venv/bin/python bench/lmm_bench.py --dataset nat1
    .venv/bin/python bench/lmm_bench.py --synthetic 40 --people 3000      # a synthetic panel: 40 provinces
    .venv/bin/python bench/lmm_bench.py --dataset nat1 --provinces 4 --profile general   # cProfile top 30

The province panels are built first, the way page 02's national route builds them
(``national_training.detail_parts(...).province_panel``; timed apart), and held in memory; then
``lmm_by_province`` is timed over them with each engine of :func:`kinerja_research.analysis.mixed.lmm` in one
run: ``general`` (the sparse/dense lme4 algebra with numerical derivatives, the only engine before) and ``fast``
(closed-form per-group sums with exact derivatives, used for random intercepts of nested factors). Prints the wall
and CPU time of each, their ratio, the load average, and the largest absolute and relative differences between
the two engines' tables (estimate, se, df, ci, p of every province and of the pooled row).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kinerja_research as kr  # noqa: E402
from kinerja_research.analysis import mixed  # noqa: E402
from kinerja_research.analysis.training import mixed_effects  # noqa: E402
from kinerja_research.report import national, national_training  # noqa: E402

COLUMNS = ["estimate", "se", "ci_low", "ci_high", "statistic", "df", "p"]


def _dataset_panels(dataset: str, n_prov: int | None) -> dict[str, Path]:
    """Province code -> that province's panel, as page 02's national route builds it (kept in
    ``bench/out/lmm_bench/<dataset>/`` after the first run: building them reads the whole performance table)."""
    cache = ROOT / "bench" / "out" / "lmm_bench" / Path(dataset).name
    if (cache / "done").exists():
        files = sorted(cache.glob("*.parquet"))[:n_prov]
        return {f.stem: f for f in files}
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "benchkey0123456789abcdef0123456789")
    with tempfile.TemporaryDirectory() as out:
        ctx = kr.report.start("02_training_impact", dataset=dataset, out_dir=out)
        parts = national_training.detail_parts(ctx.dataset, ctx.regions, min_n=ctx.min_n)
    kept = pd.Series(parts.kept)
    cache.mkdir(parents=True, exist_ok=True)
    for code, codes in kept.groupby(national.provinces(kept), sort=True):
        parts.province_panel(list(codes)).to_parquet(cache / f"{code}.parquet")
    (cache / "done").touch()
    return _dataset_panels(dataset, n_prov)


def _synthetic_panels(n_prov: int, people: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Province panels of the page's shape: people in agencies of regions, two waves of a few periods each,
    unbalanced (people leave, some have one row) and some missing capaian."""
    rng = np.random.default_rng(seed)
    out = {}
    for p in range(n_prov):
        n = int(people * rng.uniform(0.5, 1.5))
        region = rng.integers(0, 12, n)
        agency = rng.integers(0, 25, n)
        trained = rng.random(n) < 0.3
        u_ag = rng.normal(0, 3, (12, 25))[region, agency]
        u_p = rng.normal(0, 5, n)
        k = rng.integers(1, 7, n)  # rows per person, both waves
        idx = np.repeat(np.arange(n), k)
        j = np.concatenate([np.arange(m) for m in k])
        post = (j % 2).astype(bool)
        y = 80 + 2 * post + 1.5 * trained[idx] * post + u_ag[idx] + u_p[idx] + rng.normal(0, 4, idx.size)
        y[rng.random(idx.size) < 0.02] = np.nan
        out[f"{p + 11:02d}"] = pd.DataFrame(
            {
                "person_id": np.char.add(f"P{p}-", idx.astype(str)),
                "region_code": np.char.add(f"{p + 11:02d}.", (region[idx] + 1).astype(str)),
                "agency": np.char.add("OPD", agency[idx].astype(str)),
                "trained": trained[idx],
                "wave": np.where(post, "post", "pre"),
                "capaian_pct": y,
            }
        )
    return out


def _panel(p: pd.DataFrame | Path) -> pd.DataFrame:
    return pd.read_parquet(p) if isinstance(p, Path) else p


def _run(panels: dict, engine: str, profile: bool) -> tuple[pd.DataFrame, float, float, float]:
    """lmm_by_province over the panels with one engine: (table, wall, CPU, CPU of reading cached panels)."""
    mixed._ENGINE = {"general": "general", "fast": "auto"}[engine]
    frame = pd.DataFrame({"region_code": [f"{code}.01" for code in panels]})  # one region per province: the key
    read = [0.0]

    def fit(rows):
        c0 = time.process_time()
        panel = _panel(panels[national.provinces(rows["region_code"]).iloc[0]])
        read[0] += time.process_time() - c0
        return mixed_effects(panel, dv="capaian_pct", alpha=0.05)

    prof = cProfile.Profile() if profile else None
    w0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    res = national.lmm_by_province(frame, fit=fit, alpha=0.05)
    if prof:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    return res, time.perf_counter() - w0, time.process_time() - c0, read[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="processed dataset name (data/processed/<name>) or folder")
    src.add_argument("--synthetic", type=int, metavar="N", help="a synthetic panel of N provinces")
    ap.add_argument("--people", type=int, default=3000, help="people per synthetic province (mean)")
    ap.add_argument("--provinces", type=int, help="only the first N provinces of the dataset")
    ap.add_argument("--engines", nargs="+", default=["general", "fast"], choices=["general", "fast"])
    ap.add_argument("--profile", choices=["general", "fast"], help="cProfile this engine's run (top 30)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.dataset:
        panels = _dataset_panels(args.dataset, args.provinces)
    else:
        panels = _synthetic_panels(args.synthetic, args.people)
    rows = sum(pq.ParquetFile(p).metadata.num_rows if isinstance(p, Path) else len(p) for p in panels.values())
    print(f"panels: {len(panels)} provinces, {rows:,} rows, built or found in {time.perf_counter() - t0:.1f} s")
    out = {}
    for engine in args.engines:
        load0 = os.getloadavg()[0]
        res, wall, cpu, read = _run(panels, engine, args.profile == engine)
        out[engine] = (res, wall, cpu, read)
        print(
            f"{engine:8s} wall {wall:8.2f} s  cpu {cpu:8.2f} s  (of which reading the cached panels {read:.2f} s)  "
            f"load {load0:.2f} -> {os.getloadavg()[0]:.2f}"
        )
    if len(out) == 2:
        (a, wa, ca, ra), (b, wb, cb, rb) = out["general"], out["fast"]
        print(
            f"ratio general/fast: wall {wa / wb:.1f}x  cpu {ca / cb:.1f}x  cpu without the reads {(ca - ra) / (cb - rb):.1f}x"
        )
        if a.shape != b.shape or a["group"].tolist() != b["group"].tolist():
            print("tables differ in shape or provinces")
            return
        for c in COLUMNS:
            x, y = a[c].to_numpy(float), b[c].to_numpy(float)
            d = np.abs(x - y)
            rel = d[np.abs(x) > 0] / np.abs(x[np.abs(x) > 0])
            print(f"  {c:10s} max abs diff {np.nanmax(d):.3g}  max rel diff {np.nanmax(rel, initial=0):.3g}")
        pooled = b.iloc[-1]
        print(f"pooled {pooled['term']}: {pooled['estimate']:.6f} (se {pooled['se']:.6f}) over {len(b) - 1} provinces")


if __name__ == "__main__":
    main()
