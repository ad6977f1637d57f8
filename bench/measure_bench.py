"""Benchmark of the measurement functions at survey sizes far beyond a thesis.

1. Cronbach's alpha and the item analysis of a 50-item instrument answered by 1,000,000 respondents (one covariance
   matrix each, no per-item refits), complete and with 2% missing answers (pairwise handling).
2. CFA of the 17-item, four-factor resistance-to-change model on 100,000 respondents, and the three-level
   invariance test across four regions.

Prints wall time and peak memory (tracemalloc: Python and numpy allocations) of each step.
Run: .venv/bin/python bench/measure_bench.py   (or `make bench`)
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

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


def timed(label: str, fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    res = fn()
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<62s} {dt:8.2f} s   peak {peak / 2**20:8.0f} MiB")
    return res


def main() -> None:
    n, k = 1_000_000, 50
    items = [f"X{j + 1:02d}" for j in range(k)]
    x = likert(n, k, seed=1)
    df = pd.DataFrame(x, columns=items)
    del x
    print(f"data: {n:,} respondents x {k} items ({df.memory_usage().sum() / 2**20:.0f} MiB)")
    a = timed("cronbach_alpha, 1,000,000 x 50, complete (Feldt CI)", lambda: cronbach_alpha(df, items=items))
    print(f"    alpha = {a.loc[0, 'estimate']:.4f}")
    timed("item_analysis, 1,000,000 x 50, complete", lambda: item_analysis(df, items=items))
    rng = np.random.default_rng(2)
    dfm = df.mask(rng.random(df.shape) < 0.02)
    timed("cronbach_alpha, 1,000,000 x 50, 2% missing (pairwise)", lambda: cronbach_alpha(dfm, items=items))
    timed("item_analysis, 1,000,000 x 50, 2% missing (pairwise)", lambda: item_analysis(dfm, items=items))

    cb = load_codebook("rtc")
    n2 = 100_000
    rtc = pd.DataFrame(likert(n2, 17, seed=3, points=6, dims=4), columns=cb.item_ids)
    rtc[cb.reverse_items] = 7 - rtc[cb.reverse_items]  # stored as answered
    rtc["region_code"] = np.repeat(["11.73", "17.71", "18.71", "53.71"], n2 // 4)
    res = timed("cfa, rtc 4 factors x 17 items, 100,000 respondents", lambda: cfa(rtc, model=cb))
    f = res.fit.set_index("term")["estimate"]
    print(f"    converged={res.converged}  CFI={f['cfi']:.4f}  RMSEA={f['rmsea']:.4f}  SRMR={f['srmr']:.4f}")
    timed(
        "invariance, rtc across 4 regions (3 models), 100,000 respondents",
        lambda: invariance(rtc, model=cb, group="region_code"),
    )


if __name__ == "__main__":
    main()
