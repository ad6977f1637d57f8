"""What the section benchmarks share (``quality_bench``, ``rewards_bench``, ``overview_bench``): one measured call
(wall and CPU time, the process's peak resident memory, optionally a cProfile or tracemalloc), its printout, and the
save / compare of results between two versions of the code (pickled ``{name: value}``, compared value by value).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pickle
import pstats
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: The throw-away pseudonym key of the benchmarks (no real person is ever read by them).
BENCH_KEY = "benchkey0123456789abcdef0123456789"


@dataclass
class Measured:
    """A measured call: its value, wall and CPU seconds, the process's peak RSS so far (GiB), the load average
    before and after, and the cProfile / tracemalloc data when asked for."""

    value: Any
    wall: float
    cpu: float
    rss_gib: float
    load: tuple[float, float]
    profile: cProfile.Profile | None = None
    snapshot: tracemalloc.Snapshot | None = None
    traced_peak: int = 0

    def line(self, what: str) -> str:
        """One line: ``what``, times, peak memory and load."""
        return (
            f"{what}: {self.wall:.1f} s wall, {self.cpu:.1f} s CPU, peak RSS {self.rss_gib:.2f} GiB, "
            f"load {self.load[0]:.1f} -> {self.load[1]:.1f}"
        )

    def print_details(self, top: int = 30, sites: int = 15) -> None:
        """The cProfile's top ``top`` by cumulative time and the ``sites`` largest allocation sites, if measured."""
        if self.profile is not None:
            pstats.Stats(self.profile).sort_stats("cumulative").print_stats(top)
        if self.snapshot is not None:
            print(f"tracemalloc peak {self.traced_peak / 2**30:.2f} GiB; largest sites still held at the end:")
            for s in self.snapshot.statistics("lineno")[:sites]:
                print(f"  {s.size / 2**20:9.1f} MiB  {s.traceback}")


def parser(doc: str) -> argparse.ArgumentParser:
    """The options every section bench takes: ``--dataset``, ``--regions``, ``--profile``, ``--tracemalloc``,
    ``--save`` and ``--compare`` (a bench adds its own, e.g. ``--section``)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--dataset", required=True, help="processed dataset name (data/processed/<name>) or folder")
    ap.add_argument("--regions", nargs="*", default=[], help="only these region codes (default every region)")
    ap.add_argument("--profile", action="store_true", help="cProfile, top 30 by cumulative time")
    ap.add_argument("--tracemalloc", action="store_true", help="the 15 largest allocation sites at the end")
    ap.add_argument("--save", help="pickle the results here")
    ap.add_argument("--compare", help="compare the results with a pickle written by --save")
    return ap


def measure(fn: Callable[[], Any], *, profile: bool = False, trace: bool = False) -> Measured:
    """Call ``fn()`` once and measure it (load average taken before and after)."""
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", BENCH_KEY)
    load0 = os.getloadavg()[0]
    prof = cProfile.Profile() if profile else None
    if trace:
        tracemalloc.start(10)
    t0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    value = fn()
    if prof:
        prof.disable()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    snap, peak = None, 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        snap = tracemalloc.take_snapshot()
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return Measured(value, wall, cpu, rss, (load0, os.getloadavg()[0]), prof, snap, peak)


def max_diff(a: Any, b: Any) -> float:
    """0 when ``a`` and ``b`` are identical; for two frames of the same shape, columns and dtypes that differ only
    in their numbers, the largest absolute difference of the numeric columns; inf otherwise."""
    if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
        return 0.0 if repr(a) == repr(b) else float("inf")
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return float("inf")
    worst = 0.0
    for c in a.columns:
        x, y = a[c], b[c]
        numeric = [pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) for s in (x, y)]
        if all(numeric):
            xv, yv = x.to_numpy(dtype=float, na_value=np.nan), y.to_numpy(dtype=float, na_value=np.nan)
            if not np.array_equal(np.isnan(xv), np.isnan(yv)):
                return float("inf")
            d = np.abs(xv - yv)
            worst = max(worst, float(np.nanmax(d)) if d.size and not np.isnan(d).all() else 0.0)
        elif not (x.dtype == y.dtype and x.astype(str).tolist() == y.astype(str).tolist()):
            return float("inf")
    return worst


def save_compare(items: dict, *, save: str | None, compare: str | None) -> None:
    """Pickle ``items`` to ``save``; print, per name also in the pickle ``compare``, whether the two are identical
    (frames: values, dtypes and columns, exactly) or their largest absolute difference."""
    if save:
        with open(save, "wb") as fh:
            pickle.dump(items, fh, protocol=pickle.HIGHEST_PROTOCOL)
    if not compare:
        return
    with open(compare, "rb") as fh:
        old = pickle.load(fh)  # noqa: S301 - written by --save of a bench
    if sorted(old) != sorted(items):
        print("results differ in names:", sorted(set(old) ^ set(items)))
    for k in sorted(set(old) & set(items)):
        a, b = old[k], items[k]
        if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
            try:
                pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)
                print(f"  {k}: identical (values, dtypes, columns)")
                continue
            except AssertionError:
                pass
        d = max_diff(a, b)
        print(f"  {k}: {'identical' if d == 0 else f'max abs diff {d:.3g}'}")
