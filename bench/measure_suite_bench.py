"""Wall-clock time of the measurement and IKM calls the report suite makes, replayed outside the notebooks, and a
check that two checkouts give the same numbers.

1. ``--capture DIR --dataset D``: runs the suite's notebooks in this process (as ``bench/report_profile.py`` does)
   with the measure functions and ``ikm``/``ikm_elements``/``ikm_trend`` that ``report/sections.py`` and
   ``report/national.py`` call wrapped, and pickles every call's arguments, in order, to ``DIR/calls.pkl``.
2. ``--replay DIR``: replays the captured calls, in their order (so :func:`latent_means` finds the fits that
   :func:`invariance` kept, as in a notebook), ``--repeat`` times (the invariance cache cleared before each pass),
   and prints per function the best-of pass seconds and the number of calls; ``--out FILE`` pickles each call's
   result (the first pass) for ``--compare``.
3. ``--compare A B``: the largest relative difference of every number between two ``--out`` files, per function.

The replay imports whatever ``kinerja_research`` the interpreter finds, so an old checkout's venv run from a folder
outside the repository measures the old code on the same calls::

    .venv/bin/python bench/measure_suite_bench.py --capture bench/out/calls --dataset bench/out/report_bench/processed-1-2026
    /work/wt/bin/quietrun .venv/bin/python bench/measure_suite_bench.py --replay bench/out/calls --out /tmp/new.pkl
    (cd /tmp && OLD/.venv/bin/python NEW/bench/measure_suite_bench.py --replay NEW/bench/out/calls --out /tmp/old.pkl)
    .venv/bin/python bench/measure_suite_bench.py --compare /tmp/old.pkl /tmp/new.pkl
"""

from __future__ import annotations

import argparse
import collections
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

WRAPPED = {
    "kinerja_research.report.sections": (
        "cfa",
        "invariance",
        "latent_means",
        "parallel_analysis",
        "item_analysis",
        "cronbach_alpha",
        "omega",
        "split_half",
        "kmo",
        "bartlett_sphericity",
        "ikm",
        "ikm_elements",
        "ikm_trend",
    ),
    "kinerja_research.report.national": ("ikm",),
}
SOURCES = {
    "cfa": "kinerja_research.measure",
    "invariance": "kinerja_research.measure",
    "latent_means": "kinerja_research.measure",
    "parallel_analysis": "kinerja_research.measure",
    "item_analysis": "kinerja_research.measure",
    "cronbach_alpha": "kinerja_research.measure",
    "omega": "kinerja_research.measure",
    "split_half": "kinerja_research.measure",
    "kmo": "kinerja_research.measure",
    "bartlett_sphericity": "kinerja_research.measure",
    "ikm": "kinerja_research.analysis.satisfaction",
    "ikm_elements": "kinerja_research.analysis.satisfaction",
    "ikm_trend": "kinerja_research.analysis.satisfaction",
}


def capture(out: Path, dataset: str, notebooks: list[str] | None) -> None:
    import importlib

    import matplotlib
    import nbformat

    matplotlib.use("Agg")
    from kinerja_research import paths
    from kinerja_research.report import runner

    calls: list = []

    def wrap(name, fn):
        def inner(*args, **kwargs):
            calls.append((name, args, kwargs))
            return fn(*args, **kwargs)

        return inner

    for modname, names in WRAPPED.items():
        mod = importlib.import_module(modname)
        for name in names:
            setattr(mod, name, wrap(name, getattr(mod, name)))
    dataset = str(Path(dataset).resolve())
    names = notebooks or runner.suite_notebooks()
    region = runner.resolve_run_regions(dataset)[0]
    for nb_name in names:
        nb = nbformat.read(str(paths.NOTEBOOKS / f"{nb_name}.ipynb"), as_version=4)
        cells = [c.source for c in nb.cells if c.cell_type == "code"]
        with tempfile.TemporaryDirectory() as tmp:
            ns: dict = {}
            exec(compile(cells[0], "params", "exec"), ns)
            ns.update({"dataset": dataset, "out_dir": tmp})
            if nb_name == "region_brief":
                ns["regions"] = [region]
            cwd = os.getcwd()
            os.chdir(tmp)
            stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
            try:
                for src in cells[1:]:
                    exec(compile(src, nb_name, "exec"), ns)
            finally:
                sys.stdout.close()
                sys.stdout = stdout
                os.chdir(cwd)
        print(f"{nb_name}: {len(calls)} calls so far", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "calls.pkl", "wb") as fh:
        pickle.dump(calls, fh)
    print(collections.Counter(c[0] for c in calls))


def replay(src: Path, repeat: int, out: str | None, only: list[str] | None) -> None:
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    import kinerja_research

    inv_mod = importlib.import_module("kinerja_research.measure.invariance")

    with open(src / "calls.pkl", "rb") as fh:
        calls = pickle.load(fh)
    if only:
        calls = [c for c in calls if c[0] in only]
    fns = {name: getattr(importlib.import_module(mod), name) for name, mod in SOURCES.items()}
    print(f"package {Path(kinerja_research.__file__).parent}  load {os.getloadavg()[0]:.2f}", flush=True)
    best: dict = {}
    results = []
    for rep in range(repeat):
        inv_mod._FITS.clear()
        per: dict = collections.Counter()
        for name, args, kwargs in calls:
            t0 = time.perf_counter()
            res = fns[name](*args, **kwargs)
            per[name] += time.perf_counter() - t0
            if rep == 0 and out:
                results.append((name, res))
        for k, v in per.items():
            best[k] = min(best.get(k, np.inf), v)
        print(f"pass {rep + 1}: {sum(per.values()):.3f} s", flush=True)
    n = collections.Counter(c[0] for c in calls)
    for k in sorted(best, key=lambda k: -best[k]):
        print(f"  {k:22s}{best[k]:8.3f} s  ({n[k]} calls)")
    print(f"  {'total':22s}{sum(best.values()):8.3f} s")
    if out:
        with open(out, "wb") as fh:
            pickle.dump(results, fh)


def _numbers(res) -> list[np.ndarray]:
    """Every number of a result (a frame's numeric columns, the tables of a CFAResult, arrays), flattened."""
    if isinstance(res, pd.DataFrame):
        out = []
        for c in res.columns:
            col = res[c]
            if pd.api.types.is_bool_dtype(col):
                out.append(col.to_numpy(dtype=float))
            elif pd.api.types.is_numeric_dtype(col):
                out.append(col.to_numpy(dtype=float, na_value=np.nan))
        return out
    if isinstance(res, pd.Series):
        return _numbers(res.to_frame())
    if isinstance(res, (tuple, list)):
        return [a for r in res for a in _numbers(r)]
    if isinstance(res, dict):
        return [a for r in res.values() for a in _numbers(r)]
    if isinstance(res, np.ndarray):
        return [res.astype(float).ravel()]
    if isinstance(res, (int, float, np.number, bool)):
        return [np.array([float(res)])]
    if hasattr(res, "estimates") and hasattr(res, "fit"):  # CFAResult
        return _numbers([res.estimates, res.fit, res.validity, res.discriminant, float(res.converged)])
    return []


def _text(res) -> list:
    """The non-numeric cells of frames (labels, methods, problems), which must be equal."""
    if isinstance(res, pd.DataFrame):
        return [tuple(res[c].astype(str)) for c in res.columns if not pd.api.types.is_numeric_dtype(res[c])]
    if hasattr(res, "estimates") and hasattr(res, "fit"):
        return _text(res.estimates) + _text(res.fit) + [tuple(res.problems)]
    if isinstance(res, (tuple, list)):
        return [t for r in res for t in _text(r)]
    return []


def compare(a: str, b: str) -> None:
    with open(a, "rb") as fh:
        ra = pickle.load(fh)
    with open(b, "rb") as fh:
        rb = pickle.load(fh)
    assert [n for n, _ in ra] == [n for n, _ in rb], "different call sequences"
    worst: dict = collections.defaultdict(float)
    text_diff = collections.Counter()
    for (name, x), (_, y) in zip(ra, rb):
        nx, ny = _numbers(x), _numbers(y)
        assert len(nx) == len(ny), f"{name}: different shapes"
        for u, v in zip(nx, ny):
            assert u.shape == v.shape, f"{name}: different shapes"
            both_nan = np.isnan(u) & np.isnan(v)
            assert np.array_equal(np.isnan(u), np.isnan(v)), f"{name}: NaN in one only"
            d = np.abs(u - v) / np.maximum(np.abs(u), 1e-12)
            d = np.where(both_nan, 0.0, d)
            if d.size:
                worst[name] = max(worst[name], float(np.max(d)))
        if _text(x) != _text(y):
            text_diff[name] += 1
    for name in sorted(worst):
        print(f"  {name:22s} max relative difference {worst[name]:.3g}  text differs in {text_diff[name]} calls")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--capture", help="folder to write the captured calls to")
    ap.add_argument("--dataset", help="processed dataset folder (with --capture)")
    ap.add_argument("--notebook", action="append", help="only this notebook (with --capture; repeatable)")
    ap.add_argument("--replay", help="folder of the captured calls")
    ap.add_argument("--only", action="append", help="only calls of this function (with --replay; repeatable)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", help="pickle the results of the first pass here (with --replay)")
    ap.add_argument("--compare", nargs=2, help="two --out files")
    args = ap.parse_args()
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "bench-key-not-secret")
    if args.capture:
        capture(Path(args.capture), args.dataset, args.notebook)
    elif args.replay:
        replay(Path(args.replay), args.repeat, args.out, args.only)
    elif args.compare:
        compare(*args.compare)
    else:
        ap.error("one of --capture, --replay, --compare")


if __name__ == "__main__":
    main()
