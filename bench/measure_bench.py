"""Benchmark of the measurement functions, with ratios against pingouin and R lavaan measured in the same run.

1. Cronbach's alpha and the item analysis of a 50-item instrument answered by 1,000,000 respondents, complete and
   with 2% missing answers (pairwise handling), against pingouin's ``cronbach_alpha`` and against the floor of one
   covariance matrix (numpy's ``x.T @ x`` of the centred answers). Issue 13's bars: complete answers no slower than
   pingouin (ratio <= 1), pairwise at least 5x faster (ratio <= 0.2).
2. CFA of the 17-item, four-factor resistance-to-change model on 100,000 respondents (as answered, two items
   loading negatively, and with the codebook's reverse keys), MLR on the same data, WLSMV on 20,000 respondents,
   and the three-level invariance test across four regions; each against lavaan 0.6 on the same data (Rscript,
   median of 3 fits, when R with lavaan is installed). Issue 11's bar: within 1.5x lavaan.

Times are the best of ``--repeat`` runs (other processes share the machine: compare ratios from one run).
Run: .venv/bin/python bench/measure_bench.py [--quick]   (or `make bench`)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
from threadpoolctl import threadpool_limits

from kinerja_research.instruments import load_codebook
from kinerja_research.measure import cfa, cronbach_alpha, invariance, item_analysis


def likert(n: int, k: int, *, seed: int, loading: float = 0.65, points: int = 5, dims: int = 1) -> np.ndarray:
    """n x k answers on 1..points from ``dims`` correlated factors (float32 draws, float64 result)."""
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(n, dtype=np.float32)
    out = np.empty((n, k))
    cuts = np.linspace(-1.5, 1.5, points - 1, dtype=np.float32)
    per = int(np.ceil(k / dims))
    for d in range(dims):
        f = np.sqrt(0.6) * g + np.sqrt(0.4) * rng.standard_normal(n, dtype=np.float32)
        for j in range(d * per, min(k, (d + 1) * per)):
            z = loading * f + np.sqrt(1 - loading**2) * rng.standard_normal(n, dtype=np.float32)
            out[:, j] = 1 + np.searchsorted(cuts, z)
    return out


def best(fn, repeat: int):
    times = []
    res = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t0)
    return min(times), res


def peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(TRUE)
d <- read.csv(args[1], colClasses = c(region_code = "character"))
spec <- jsonlite::fromJSON(args[2])
out <- list()
for (nm in names(spec)) {
  s <- spec[[nm]]
  dd <- if (is.null(s$rows)) d else d[seq_len(s$rows), ]
  f <- function() {
    if (is.null(s$group)) cfa(s$model, data = dd, estimator = s$estimator, ordered = isTRUE(s$ordered))
    else lapply(list("", "loadings", c("loadings", "intercepts")), function(eq)
      cfa(s$model, data = dd, group = s$group, group.equal = eq))
  }
  t <- replicate(3, system.time(suppressWarnings(f()))[["elapsed"]])
  out[[nm]] <- median(t)
}
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def lavaan_times(df: pd.DataFrame, spec: dict) -> dict:
    """Median time of 3 lavaan fits per entry of ``spec`` (empty when R or lavaan is not installed)."""
    if shutil.which("Rscript") is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        df.to_csv(csv, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        specf = Path(tmp) / "spec.json"
        specf.write_text(json.dumps(spec))
        try:
            out = subprocess.run(
                ["Rscript", str(script), str(csv), str(specf)], capture_output=True, text=True, timeout=3600
            )
            return json.loads(out.stdout.strip().splitlines()[-1])
        except (subprocess.SubprocessError, json.JSONDecodeError, IndexError):
            return {}


def row(label: str, ours: float, ref: float | None, ref_name: str, extra: str = "") -> None:
    ratio = f"{ours / ref:6.2f}x {ref_name}" if ref else "      (no reference)"
    ref_s = f"{ref:8.3f} s" if ref else "         "
    print(f"{label:<58s} {ours:8.3f} s  {ref_s}  {ratio}  {extra}")


def bench_reliability(n: int, repeat: int) -> None:
    k = 50
    items = [f"X{j + 1:02d}" for j in range(k)]
    df = pd.DataFrame(likert(n, k, seed=1), columns=items)
    print(f"== reliability: {n:,} respondents x {k} items ({df.memory_usage().sum() / 2**20:.0f} MiB)")
    x = df.to_numpy()

    def floor():
        z = x - x[:10000].mean(axis=0)
        return z.T @ z

    def floor_1():
        with threadpool_limits(1, user_api="blas"):
            return floor()

    t_floor, _ = best(floor, repeat)
    t_floor1, _ = best(floor_1, repeat)
    t_pg, pg_res = best(lambda: pg.cronbach_alpha(df), repeat)
    t_alpha, ours = best(lambda: cronbach_alpha(df, items=items), repeat)
    t_items, _ = best(lambda: item_analysis(df, items=items), repeat)
    assert abs(ours.loc[0, "estimate"] - pg_res[0]) < 1e-10
    print(f"{'one covariance (floor: centred x.T @ x)':<58s} {t_floor:8.3f} s")
    print(f"{'  the same on one BLAS thread (as ours)':<58s} {t_floor1:8.3f} s")
    row("cronbach_alpha, complete", t_alpha, t_pg, "pingouin", f"floor {t_alpha / t_floor:.2f}x")
    row("item_analysis, complete", t_items, t_pg, "pingouin alpha", f"floor {t_items / t_floor:.2f}x")
    peak = peak_mib(lambda: cronbach_alpha(df, items=items))
    print(f"{'  peak memory of cronbach_alpha (tracemalloc)':<58s} {peak:8.0f} MiB")
    rng = np.random.default_rng(2)
    dfm = df.mask(rng.random(df.shape) < 0.02)
    t_pgm, pgm = best(lambda: pg.cronbach_alpha(dfm, nan_policy="pairwise"), 1)
    t_alpha_m, oursm = best(lambda: cronbach_alpha(dfm, items=items), repeat)
    t_items_m, _ = best(lambda: item_analysis(dfm, items=items), repeat)
    assert abs(oursm.loc[0, "estimate"] - pgm[0]) < 1e-10
    row("cronbach_alpha, 2% missing (pairwise)", t_alpha_m, t_pgm, "pingouin")
    row("item_analysis, 2% missing (pairwise)", t_items_m, t_pgm, "pingouin alpha")


def bench_sem(quick: bool, repeat: int) -> None:
    cb = load_codebook("rtc")
    n2 = 20_000 if quick else 100_000
    n_ord = 5_000 if quick else 20_000
    rtc = pd.DataFrame(likert(n2, 17, seed=3, points=6, dims=4), columns=cb.item_ids)
    rtc[cb.reverse_items] = 7 - rtc[cb.reverse_items]  # stored as answered
    rtc["region_code"] = np.repeat(["11.73", "17.71", "18.71", "53.71"], n2 // 4)
    syntax = cb.model_syntax()  # as answered: RTC04 and RTC14 load negatively
    print(f"== SEM: rtc, 4 factors x 17 items, {n2:,} respondents (WLSMV: first {n_ord:,})")
    spec = {
        "cfa": {"model": syntax, "estimator": "ML"},
        "mlr": {"model": syntax, "estimator": "MLR"},
        "wlsmv": {"model": syntax, "estimator": "WLSMV", "ordered": True, "rows": n_ord},
        "invariance": {"model": syntax, "estimator": "ML", "group": "region_code"},
    }
    lav = lavaan_times(rtc, spec)
    t, res = best(lambda: cfa(rtc, model=syntax), repeat)
    f = res.fit.set_index("term")["estimate"]
    row("cfa ML, items as answered", t, lav.get("cfa"), "lavaan", f"chisq {f['chisq']:.1f} conv={res.converged}")
    t, res = best(lambda: cfa(rtc, model=cb), repeat)
    row("cfa ML, codebook (reverse keys applied)", t, lav.get("cfa"), "lavaan", f"CFI {res.fit.iloc[1, 1]:.4f}")
    t, res = best(lambda: cfa(rtc, model=syntax, estimator="MLR"), repeat)
    f = res.fit.set_index("term")["estimate"]
    row("cfa MLR, items as answered", t, lav.get("mlr"), "lavaan", f"scaled chisq {f['chisq_scaled']:.1f}")
    sub = rtc.iloc[:n_ord]
    t, res = best(lambda: cfa(sub, model=syntax, ordered=True, estimator="WLSMV"), repeat)
    f = res.fit.set_index("term")["estimate"]
    row(
        "cfa WLSMV (ordered), items as answered", t, lav.get("wlsmv"), "lavaan", f"scaled chisq {f['chisq_scaled']:.1f}"
    )
    t, _ = best(lambda: invariance(rtc, model=syntax, between="region_code"), 1)
    row("invariance ML, 4 regions x 3 levels", t, lav.get("invariance"), "lavaan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100,000 x 50 answers and 20,000 CFA respondents")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=("reliability", "sem"), help="run one of the two parts")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    if args.only != "sem":
        bench_reliability(100_000 if args.quick else 1_000_000, args.repeat)
    if args.only != "reliability":
        bench_sem(args.quick, args.repeat)


if __name__ == "__main__":
    main()
