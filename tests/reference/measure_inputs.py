"""Write the input CSVs that tests/reference/measure.R and tests/test_measure_*.py both read.

measure_survey.csv: the pre-wave survey of the default synthetic world (kinerja_research.synth.simulate(seed=2026,
scale=1.0)), item columns as answered plus region_code, with a deterministic 2% of RTC/TRN answers blanked so that
pairwise-missing handling is exercised on instrument data too (blanked copy: measure_survey_missing.csv).
Run from the repository root: .venv/bin/python tests/reference/measure_inputs.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kinerja_research.synth import simulate

HERE = Path(__file__).resolve().parent


def main() -> None:
    world = simulate(seed=2026, scale=1.0)
    s = world.tables["survey"]
    s = s[s["wave"] == "pre"].reset_index(drop=True)
    items = [c for c in s.columns if c[:3] in ("RTC", "TRN", "RWD", "SNC", "MOT", "SUS")]
    out = s[["region_code"] + items].copy()
    out.to_csv(HERE / "measure_survey.csv", index=False)
    rng = np.random.default_rng(6)
    miss = out.copy()
    cols = [c for c in items if c.startswith(("RTC", "TRN"))]
    block = miss[cols].to_numpy(dtype=float, copy=True)
    block[rng.random(block.shape) < 0.02] = np.nan
    miss[cols] = block
    miss.to_csv(HERE / "measure_survey_missing.csv", index=False)


if __name__ == "__main__":
    main()
