"""Benchmark of the resistance page's sections at national size: one section per fresh process, its wall and CPU
time and the process's peak RSS, and its results saved for a comparison between two code trees.

    python bench/rtc_bench.py --dataset data/processed/nat1 --section levels --save /tmp/levels_new.pkl
    PYTHONPATH=/path/to/old/tree python bench/rtc_bench.py ... --save /tmp/levels_old.pkl
    python bench/rtc_bench.py --compare /tmp/levels_old.pkl /tmp/levels_new.pkl

Sections: ``levels`` (:func:`sections.resistance_levels`), ``drivers`` (:func:`sections.resistance_drivers`),
``page`` (both, as the notebook runs them), ``brief`` (the region brief's resistance part,
``national._resistance``; the survey read with the brief's columns when the tree has no batched route).
``--profile N`` prints the N most expensive functions (cProfile, cumulative). Run it under the memory watchdog
(``memcap``); give ``uptime``'s load with its figures (printed before and after).
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import os
import pickle
import pstats
import resource
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import kinerja_research as kr
from kinerja_research.analysis.frames import dataset_constructs
from kinerja_research.pipeline import load_table
from kinerja_research.report import national, sections


def _load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _run(dataset: str, section: str) -> dict:
    out = tempfile.mkdtemp(prefix="rtc_bench_")
    if section == "brief":
        constructs = dataset_constructs(dataset)
        if "dataset" in inspect.signature(national._resistance).parameters:
            tables = {"survey": load_table("survey", dataset, columns=["region_code"])}
            part = national._resistance(tables, constructs, alpha=0.05, lang="id", min_n=5, dataset=dataset)
        else:
            tables = {"survey": load_table("survey", dataset, columns=national.brief_columns(constructs)["survey"])}
            part = national._resistance(tables, constructs, alpha=0.05, lang="id", min_n=5)
        return {"brief": {"results": part.results, "records": part.records, "left_out": part.left_out}}
    ctx = kr.report.start("03_resistance_to_change", dataset=dataset, lang="id", out_dir=out)
    got = {}
    for name in ("levels", "drivers") if section == "page" else (section,):
        sec = sections.resistance_levels(ctx) if name == "levels" else sections.resistance_drivers(ctx)
        got[name] = {"results": sec.results, "records": sec.records, "left_out": sec.left_out}
    return got


def _compare(a_path: str, b_path: str) -> int:
    a, b = (pickle.loads(open(p, "rb").read()) for p in (a_path, b_path))  # noqa: S301 - written by this script
    bad = 0
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name), b.get(name)
        if x is None or y is None:
            print(f"{name}: only in one file")
            bad += 1
            continue
        if set(x["results"]) != set(y["results"]):
            print(f"{name}: results differ: {sorted(x['results'])} vs {sorted(y['results'])}")
            bad += 1
        for r in sorted(set(x["results"]) & set(y["results"])):
            p, q = x["results"][r], y["results"][r]
            if not isinstance(p, pd.DataFrame):
                continue
            if list(p.columns) != list(q.columns) or len(p) != len(q):
                print(f"{name}.{r}: shape/columns differ {p.shape} vs {q.shape}")
                bad += 1
                continue
            worst, rel, exact = 0.0, 0.0, True
            for c in p.columns:
                u, v = p[c].reset_index(drop=True), q[c].reset_index(drop=True)
                if pd.api.types.is_numeric_dtype(u) and pd.api.types.is_numeric_dtype(v) and u.dtype != bool:
                    uu, vv = u.to_numpy(float), v.to_numpy(float)
                    same_nan = np.array_equal(np.isnan(uu), np.isnan(vv))
                    d = np.abs(uu - vv)[~np.isnan(uu) & ~np.isnan(vv)]
                    if not same_nan:
                        print(f"{name}.{r}.{c}: missing values differ")
                        bad += 1
                    if d.size:
                        worst = max(worst, float(d.max()))
                        scale = np.abs(vv)[~np.isnan(uu) & ~np.isnan(vv)]
                        rel = max(rel, float((d / np.maximum(scale, 1e-300)).max()))
                        exact = exact and bool((d == 0).all())
                elif u.astype(str).tolist() != v.astype(str).tolist():
                    print(f"{name}.{r}.{c}: values differ")
                    bad += 1
            status = "identical" if exact else f"max abs {worst:.3g}, max rel {rel:.3g}"
            print(f"{name}.{r}: {len(p)} rows, {status}")
            if worst > 1e-10 and rel > 1e-10:
                bad += 1
        same_left = x["left_out"] == y["left_out"]
        keys = [r["key"] for r in x["records"]] == [r["key"] for r in y["records"]]
        vals = [r["value"] for r in x["records"]], [r["value"] for r in y["records"]]
        num = all((u == v) or (isinstance(u, float) and abs(u - v) <= 1e-10 * max(1.0, abs(v))) for u, v in zip(*vals))
        print(f"{name}: left_out {'same' if same_left else 'DIFFER'}, records {'same' if keys and num else 'DIFFER'}")
        bad += (not same_left) + (not (keys and num))
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset")
    ap.add_argument("--section", choices=["levels", "drivers", "page", "brief"], default="page")
    ap.add_argument("--save", help="pickle the results here (for --compare)")
    ap.add_argument("--profile", type=int, default=0, help="print the N most expensive functions")
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    args = ap.parse_args()
    if args.compare:
        return _compare(*args.compare)
    print(f"{args.section} on {args.dataset} ({kr.__file__}); {_load()}", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    got = _run(args.dataset, args.section)
    if prof:
        prof.disable()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"{args.section}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.2f} GiB; {_load()}", flush=True)
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile)
    if args.save:
        with open(args.save, "wb") as f:
            pickle.dump(got, f, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
