"""How far the invariance fits and latent means are from R lavaan's fixtures (tests/reference/measure_invariance.json):
the largest relative difference per case, so two checkouts' distances from the reference can be compared when an
optimiser change moves the end point within its tolerance.

    .venv/bin/python bench/invariance_agreement.py
    (cd /tmp && OLD/.venv/bin/python NEW/bench/invariance_agreement.py --ref NEW/tests/reference)

Imports whatever ``kinerja_research`` the interpreter finds (an old checkout's venv run outside the repository
measures the old code).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from kinerja_research.measure import invariance, latent_means

COLS = {
    "chisq": "statistic",
    "pvalue": "p",
    "cfi": "cfi",
    "tli": "tli",
    "rmsea": "rmsea",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    "srmr": "srmr",
    "chisq.scaled": "chisq_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea.robust": "rmsea_robust",
}
FILES = {
    "hs": "measure_hs1939.csv",
    "hs_missing": "measure_hs_missing.csv",
    "bfi": "measure_bfi25.csv",
    "survey": "measure_survey.csv",
}


def rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-8))) if a.size else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", default=str(Path(__file__).resolve().parent.parent / "tests" / "reference"))
    args = ap.parse_args()
    ref = Path(args.ref)
    cases = json.loads((ref / "measure_invariance.json").read_text())["cases"]
    for c in cases:
        if c["ordered"]:
            continue  # WLSMV fits take no warm start
        df = pd.read_csv(ref / FILES[c["data"]], dtype={"region_code": str})
        if "gender" in df:
            df["gender"] = df["gender"].astype(str)
        kw = {
            "model": c["model"],
            "between": c["group"],
            "estimator": c["estimator"],
            "missing": "fiml" if c["missing"] in ("ml", "fiml") else "listwise",
        }
        inv = invariance(df, levels=c["levels"], **kw).set_index("term")
        worst = 0.0
        for level in c["levels"]:
            for name, col in COLS.items():
                if name in c["fit"][level] and col in inv.columns:
                    worst = max(worst, rel(inv.loc[level, col], c["fit"][level][name]))
        line = f"{c['id']:28s} fit {worst:.3g}"
        if c.get("latent_means"):
            lm = latent_means(df, **kw)
            r = c["latent_means"]
            line += f"  latent means: est {rel(lm['estimate'], r['est']):.3g} se {rel(lm['se'], r['se']):.3g}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
