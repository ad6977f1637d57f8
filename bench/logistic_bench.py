"""The logistic regression's profile-likelihood interval at national size: CPU time of ``kr.logistic`` with the
interval of one term, and the number of IRLS fits it made (the fit itself + the profile's refits).

    .venv/bin/python bench/logistic_bench.py [--rows 400000] [--provinces 34] [--seed 1]

Data: ``--rows`` staff with a resistance score, an age and a province (``--provinces`` levels, so as many dummies as
page 03's national model), an adoption outcome drawn from a known logistic model. Prints the CPU seconds, the fits,
the profile limits of the odds ratio of ``resistance`` and its Wald SE. Run the same command with another checkout's
python for a before/after (the data are the same for the same seed); CPU time, so a loaded machine matters less than
for wall time, but give ``uptime``'s load with the figure.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from kinerja_research.analysis import categorical


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=400_000)
    ap.add_argument("--provinces", type=int, default=34)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.rows
    prov = rng.integers(0, args.provinces, n)
    d = pd.DataFrame(
        {
            "resistance": rng.normal(3, 0.7, n),
            "age": rng.normal(40, 9, n),
            "province": pd.Categorical([f"P{v:02d}" for v in prov]),
        }
    )
    eta = -0.5 - 0.6 * (d["resistance"] - 3) + 0.01 * (d["age"] - 40) + (prov % 5) * 0.1
    d["adopt"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    fits = 0
    glm = categorical._glm

    def counted(*a, **kw):
        nonlocal fits
        fits += 1
        return glm(*a, **kw)

    categorical._glm = counted
    t0 = time.process_time()
    res = categorical.logistic(d, dv="adopt", covar=["resistance", "age", "province"], profile=["resistance"])
    cpu = time.process_time() - t0
    row = res[res["term"] == "resistance"].iloc[0]
    print(f"logistic, {n:,} rows, {len(res)} terms, profile of 'resistance': {cpu:.1f} CPU s, {fits} IRLS fits")
    print(
        f"odds ratio {row['effect_size']:.10f}, profile limits {row['or_ci_low_profile']!r} "
        f"{row['or_ci_high_profile']!r}, SE {row['se']:.6g}"
    )


if __name__ == "__main__":
    main()
