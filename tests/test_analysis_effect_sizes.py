"""Effect sizes of the analysis functions against R's effectsize package: Hedges' correction of the Games-Howell
effect size and one-sided effect-size intervals of paired_change.

Expected numbers come from tests/reference/analyses_edge_cases.R (R 4.2, effectsize 0.8.3), committed as
tests/reference/analyses_edge_cases.json so CI needs no R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis import resistance as rs
from kinerja_research.analysis import training as T

FIX = json.loads((Path(__file__).parent / "reference" / "analyses_edge_cases.json").read_text())


def _num(values):
    """JSON numbers with R's "Inf"/"-Inf" strings as floats."""
    return np.array([float(v) for v in np.atleast_1d(values)], dtype=float)


# -------------------------------------------------------------------------------------- 2. Games-Howell Hedges' g
def _gh_frame():
    data = FIX["games_howell_g"]["data"]
    return pd.DataFrame([(g, v) for g, vals in data.items() for v in vals], columns=["g", "y"])


def test_games_howell_effect_size_is_effectsize_hedges_g_unpooled():
    ref = FIX["games_howell_g"]
    r = rs.games_howell(_gh_frame(), dv="y", between="g")
    assert r.group_a.tolist() == ref["group_a"] and r.group_b.tolist() == ref["group_b"]
    # R: effectsize::hedges_g(x_a, x_b, pooled_sd = FALSE) (J at the Welch df)
    np.testing.assert_allclose(r.effect_size, ref["hedges_g"], rtol=1e-10)
    assert (r.effect_size_name == "hedges_g_av").all()
    # the uncorrected d_av is R cohens_d(pooled_sd = FALSE): g is smaller in magnitude by J < 1
    assert (np.abs(r.effect_size) < np.abs(ref["cohens_d"])).all()


# ------------------------------------------------------------------------------------------ 6. one-sided paired
@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_paired_change_one_sided_intervals_match_r(alternative):
    ref = FIX["paired_one_sided"]
    pre, post = np.array(ref["pre"]), np.array(ref["post"])
    n = len(pre)
    long = pd.DataFrame(
        {
            "person_id": np.tile(np.arange(n), 2),
            "wave": ["pre"] * n + ["post"] * n,
            "score": np.concatenate([pre, post]),
        }
    )
    r = T.paired_change(long, dv="score", alternative=alternative).iloc[0]
    exp = ref[alternative]
    # R: t.test(post, pre, paired = TRUE, alternative = ...)$conf.int
    np.testing.assert_allclose([r.ci_low, r.ci_high], _num([exp["t_ci_low"], exp["t_ci_high"]]), rtol=1e-10)
    # R: effectsize::cohens_d(post, pre, paired = TRUE, alternative = ...) gives the one-sided d_z interval; ours is
    # that interval rescaled to the g(av) metric by SD_diff / SD_av times J (see the paired_change Notes)
    diff = post - pre
    df = n - 1
    scale = diff.std(ddof=1) / ((pre.std(ddof=1) + post.std(ddof=1)) / 2) * (1 - 3 / (4 * df - 1))
    got = np.array([r.es_ci_low, r.es_ci_high]) / scale
    want = _num([exp["dz_ci_low"], exp["dz_ci_high"]])
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-6)
    assert np.array_equal(got[~finite], want[~finite])  # the open side is +-inf, as the mean-change interval
