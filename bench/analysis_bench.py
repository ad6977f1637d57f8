"""Benchmark of the analysis family (resistance, satisfaction, sampling, and the training DiD) on the default data
and at national scale, printing wall time and peak memory per step.

    .venv/bin/python bench/analysis_bench.py                # default data (scale 1) + national scale
    .venv/bin/python bench/analysis_bench.py --skip-national
    .venv/bin/python bench/analysis_bench.py --national-scale 2 --n-boot 200
    .venv/bin/python bench/analysis_bench.py --lmm-only         # kr.lmm against lme4 (needs Rscript for the ratio)

National scale is ``simulate(regions="all", scale=10.0)``: 514 kab/kota with about 830 staff each at scale 1
(427,321 in ``simulate(scale=1, regions="all")``), so about 4.3 million ASN. Memory: the process maximum resident set
(``ru_maxrss``) after each step; with ``--tracemalloc`` also each step's own ``tracemalloc`` peak (numpy and pandas
report their buffers to it), at the cost of slower object-heavy pandas steps. No step loops in Python over rows: group statistics are ``bincount``s,
Games–Howell and Dunn work on index arrays over all pairs, the IKM bootstrap draws all groups at once.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kinerja_research as kr  # noqa: E402
from kinerja_research.analysis import resistance as rs  # noqa: E402
from kinerja_research.analysis import sampling as sp  # noqa: E402
from kinerja_research.analysis import satisfaction as sf  # noqa: E402
from kinerja_research.synth import simulate  # noqa: E402

NATIONAL_SCALE = 10.0
RESULTS: list[dict] = []


TRACE = False


def step(label: str, fn, *args, **kwargs):
    """Run ``fn`` once and print its wall time, the process peak RSS so far and, with --tracemalloc, the step's
    tracemalloc peak (tracing slows pandas' object-heavy steps, so times are taken without it by default)."""
    if TRACE:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    secs = time.perf_counter() - t0
    peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20 if TRACE else float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    rows = len(out) if hasattr(out, "__len__") else ""
    RESULTS.append({"step": label, "seconds": secs, "peak_mib": peak, "maxrss_gib": rss, "result_rows": rows})
    extra = f"  step peak {peak:8.1f} MiB" if TRACE else ""
    print(f"  {label:<58} {secs:8.2f} s  max RSS {rss:6.2f} GiB{extra}  -> {rows} rows", flush=True)
    return out


def scores(survey: pd.DataFrame) -> pd.DataFrame:
    pre = survey[survey["wave"] == "pre"]
    return pd.concat(
        [
            pre[["region_code", "trained", "age", "tenure_years", "golongan_rank"]],
            kr.score_scale(pre, "rtc"),
            kr.score_scale(pre, "sus")["total"].rename("sus"),
        ],
        axis=1,
    )


def family(world, *, label: str, n_boot: int, gh: bool = True, region_effects: bool = True) -> None:
    t = world.tables
    n_staff = sum(r["n_staff"] for r in world.truth["regions"].values())
    print(
        f"\n== {label}: {len(world.regions)} regions, {n_staff:,} staff, survey {len(t['survey']):,} rows, "
        f"performance {len(t['performance']):,} rows, satisfaction {len(t['satisfaction']):,} rows",
        flush=True,
    )
    d = step("score_scale rtc + sus (pre wave)", scores, t["survey"])
    dims = ["routine_seeking", "emotional_reaction", "short_term_focus", "cognitive_rigidity", "total"]
    step("region_means (5 scores x regions)", rs.region_means, d, dv=dims)
    step("welch_anova across all regions (5 scores)", rs.welch_anova, d, dv=dims)
    if gh:
        k = d["region_code"].nunique()
        step(f"games_howell total ({k * (k - 1) // 2:,} pairs)", rs.games_howell, d, dv="total")
        step(f"kruskal_dunn total ({k * (k - 1) // 2:,} pairs)", rs.kruskal_dunn, d, dv="total")
    covar = ["age", "tenure_years", "golongan_rank", "trained"] + (["region_code"] if region_effects else [])
    step(
        f"regression of resistance (OLS, HC3{', region fixed effects' if region_effects else ''})",
        kr.regression,
        d,
        dv="total",
        covar=covar,
        cov_type="HC3",
    )
    step(
        "logistic regression of adoption (SUS >= 68) on resistance",
        kr.logistic,
        d.assign(adopt=(d["sus"] >= kr.SUS_BENCHMARK).astype(float)),
        dv="adopt",
        covar="total",
    )
    sat = t["satisfaction"]
    units = sat.groupby(["region_code", "service_unit"]).ngroups
    step(
        f"ikm by region x unit ({units:,} units), point estimates",
        sf.ikm,
        sat,
        between=["region_code", "service_unit"],
        n_boot=0,
    )
    step(
        f"ikm by region x unit, bootstrap {n_boot}", sf.ikm, sat, between=["region_code", "service_unit"], n_boot=n_boot
    )
    step("ikm by region x quarter, bootstrap 200", sf.ikm, sat, between="region_code", period="quarter", n_boot=200)
    step("ikm_elements by region x unit", sf.ikm_elements, sat, between=["region_code", "service_unit"])
    step("ikm_trend by region", sf.ikm_trend, sat, between="region_code")
    panel = step("performance_panel (frames, other engineer)", kr.performance_panel, t)
    step("did pooled, CR2 clustered by region x OPD (kr.did)", kr.did, panel, dv="capaian_pct")
    step(
        "sample_size for every region's staff", sp.sample_size, [r["n_staff"] for r in world.truth["regions"].values()]
    )


REF = Path(__file__).resolve().parents[1] / "tests" / "reference"
LMM_CASES = {
    # name: (csv, formula, kr.lmm keywords, lme4 formula)
    "sleepstudy (Days | Subject)": (
        "sleepstudy",
        "Reaction ~ Days",
        dict(groups="Subject", re_formula="1 + Days"),
        "Reaction ~ Days + (Days | Subject)",
    ),
    "sleepstudy (1 | Subject)": (
        "sleepstudy",
        "Reaction ~ Days",
        dict(groups="Subject"),
        "Reaction ~ Days + (1 | Subject)",
    ),
    "Penicillin (1 | plate) + (1 | sample)": (
        "penicillin",
        "diameter ~ 1",
        dict(groups=["plate", "sample"]),
        "diameter ~ 1 + (1 | plate) + (1 | sample)",
    ),
    "Orthodont (age | Subject)": (
        "orthodont",
        "distance ~ age + Sex",
        dict(groups="Subject", re_formula="1 + age"),
        "distance ~ age + Sex + (age | Subject)",
    ),
}


def _r_seconds(csv: str, formula: str, what: str, reps: int) -> float | None:
    """Seconds per call of lmerTest::lmer (+ summary, or + confint profile) measured by Rscript in this run."""
    if shutil.which("Rscript") is None:
        return None
    call = {"fit": "summary(m)", "profile": "confint(m, method = 'profile', oldNames = FALSE)"}[what]
    code = (
        "suppressPackageStartupMessages({library(lme4); library(lmerTest)});"
        f"d <- read.csv('{REF / f'analyses_lmm_{csv}.csv'}');"
        f"t <- system.time(for (i in 1:{reps}) {{ m <- lmerTest::lmer({formula}, d); invisible({call}) }});"
        f"cat(t[['elapsed']] / {reps})"
    )
    out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=600)
    try:
        return float(out.stdout.strip().split()[-1])
    except (ValueError, IndexError):
        return None


def mixed_models(reps: int = 5) -> None:
    """kr.lmm against lme4/lmerTest on R's public data sets, both timed in this run (ratio = ours / R)."""
    print("\n== kr.lmm vs lmerTest::lmer (fit + Satterthwaite summary; and profile intervals)", flush=True)
    for label, (csv, formula, kw, rformula) in LMM_CASES.items():
        d = pd.read_csv(REF / f"analyses_lmm_{csv}.csv")
        for what, profile, n_rep in (("fit", False, reps), ("profile", True, 1)):
            t0 = time.perf_counter()
            for _ in range(n_rep):
                kr.lmm(d, formula, profile=profile, **kw)
            ours = (time.perf_counter() - t0) / n_rep
            r = _r_seconds(csv, rformula, what, n_rep)
            ratio = f"{ours / r:6.1f}x" if r else "   (no R)"
            r_txt = f"{r:7.3f} s" if r else "      -  "
            print(f"  {label:<40} {what:<8} ours {ours:7.3f} s   lme4 {r_txt}   ratio {ratio}", flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--national-scale", type=float, default=NATIONAL_SCALE)
    ap.add_argument("--n-boot", type=int, default=2000, help="IKM bootstrap resamples at national scale")
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--lmm-only", action="store_true", help="only the mixed-model comparison with lme4")
    ap.add_argument("--tracemalloc", action="store_true", help="also report each step's tracemalloc peak (slower)")
    args = ap.parse_args(argv)
    global TRACE
    TRACE = args.tracemalloc
    import statsmodels.api  # noqa: F401  (import once, outside the timed steps)
    import statsmodels.formula.api  # noqa: F401

    mixed_models()
    if args.lmm_only:
        return

    t0 = time.perf_counter()
    world = simulate(seed=2026, scale=1.0)
    print(f"simulate(seed=2026, scale=1): {time.perf_counter() - t0:.1f} s (not traced)", flush=True)
    if TRACE:
        tracemalloc.start()
    family(world, label="default data (scale 1)", n_boot=2000)
    del world
    if not args.skip_national:
        if TRACE:
            tracemalloc.stop()  # the simulation is not part of the analysis family
        print(f"\nsimulating national scale (regions='all', scale={args.national_scale}) ...", flush=True)
        t0 = time.perf_counter()
        world = simulate(seed=2026, scale=args.national_scale, regions="all")
        print(f"  simulate: {time.perf_counter() - t0:.1f} s (not traced)", flush=True)
        if TRACE:
            tracemalloc.start()
        # 514 region dummies on ~1.5 million rows would make a 6 GB design matrix: drivers without region effects
        family(world, label=f"national scale (scale {args.national_scale})", n_boot=args.n_boot, region_effects=False)
    print(f"\nprocess peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    print(f"numpy {np.__version__}, pandas {pd.__version__}")


if __name__ == "__main__":
    main()
