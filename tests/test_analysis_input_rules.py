"""Inputs the analysis functions refuse, or keep, with one sentence: all-tied Kruskal-Wallis (undefined, as in R),
a zero-variance group in Games-Howell and Welch ANOVA, text values in numeric columns, several rows per region in
region_family, and Kemendagri codes that stay a factor.

The all-tied case is checked against tests/reference/analyses_edge_cases.json (R's kruskal.test gives NaN).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kinerja_research as kr
from kinerja_research.analysis import resistance as rs
from kinerja_research.analysis import rewards as R
from kinerja_research.analysis import training as T
from kinerja_research.analysis.comparison import region_family
from kinerja_research.errors import KinerjaError

FIX = json.loads((Path(__file__).parent / "reference" / "analyses_edge_cases.json").read_text())


# ---------------------------------------------------------------------------------------------------- 1. all tied
def test_kruskal_all_tied_raises_where_r_gives_nan():
    ref = FIX["kruskal_all_tied"]
    # R: kruskal.test(c(2, 2, 2, 2, 2, 2), g) gives statistic NaN, p NA: the test is undefined, not significant
    assert ref["statistic_is_nan"] and ref["p_is_na"]
    d = pd.DataFrame({"y": ref["y"], "g": ref["g"]})
    with pytest.raises(
        KinerjaError,
        match=r"column 'y' has the same value 2.0 in all 6 rows; the rule is that the "
        r"Kruskal-Wallis test is undefined when all values are tied",
    ):
        rs.kruskal_dunn(d, dv="y", between="g")


def test_kruskal_ties_within_groups_only_still_computed():
    d = pd.DataFrame({"y": [1, 1, 1, 2, 2, 2], "g": list("aaabbb")})
    r = rs.kruskal_dunn(d, dv="y", between="g")
    assert np.isfinite(r.statistic[0]) and 0 < r.p[0] < 1


# ---------------------------------------------------------------------------------------- zero variance
def test_games_howell_zero_variance_group_raises_like_welch_anova():
    d = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 3, 4, 4, 4, 5, 6, 9]})
    with pytest.raises(
        KinerjaError,
        match=r"value 'b': 'y' has zero variance in this group; the rule is that the "
        r"Games-Howell test needs variation",
    ):
        rs.games_howell(d, dv="y", between="g")
    with pytest.raises(KinerjaError, match="value 'b': 'y' has zero variance"):
        rs.welch_anova(d, dv="y", between="g")


# ------------------------------------------------------------------------------------- 3. text in numeric columns
def _reg_frame(n=60, seed=3):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {"x": rng.normal(size=n), "m": rng.normal(size=n), "region_code": np.repeat(["18.71", "17.71"], n // 2)}
    )
    d["y"] = 0.5 * d.x + 0.3 * d.m + rng.normal(size=n)
    return d


def _text_at(d, column, row=4, value="tinggi"):
    d = d.copy()
    d[column] = d[column].astype(object)
    d.loc[row, column] = value
    return d


@pytest.mark.parametrize(
    "call,column",
    [
        (lambda d: R.regression(d, dv="y", covar=["x", "m"]), "y"),
        (lambda d: R.moderation(d, dv="y", x="x", moderator="region_code"), "y"),
        (lambda d: R.moderation(d, dv="m", x="y", moderator="region_code"), "y"),
        (lambda d: R.mediation(d, dv="x", x="m", mediator="y", n_boot=100), "y"),
        (lambda d: R.mediation(d, dv="y", x="x", mediator="m", n_boot=100), "y"),
    ],
)
def test_rewards_text_value_raises_one_sentence(call, column):
    d = _text_at(_reg_frame(), column)
    with pytest.raises(
        KinerjaError,
        match=rf"data row 5, column '{column}', value 'tinggi': the rule is that "
        rf"'{column}' must be numeric\.",
    ):
        call(d)


def test_regression_numbers_stored_as_text_raise_instead_of_dummies():
    d = _reg_frame()
    d["m"] = d["m"].round(6).astype(str)  # 60 distinct numbers as text: would become 59 dummy columns
    with pytest.raises(KinerjaError, match=r"column 'm' holds numbers stored as text .* 60 distinct values"):
        R.regression(d, dv="y", covar=["x", "m"])
    # a short code-like text column (region_code "18.71") stays a factor, as before
    res = R.regression(_reg_frame(), dv="y", covar=["x", "region_code"])
    assert "region_code18.71" in res.term.tolist()


def _panel(n=40, seed=4):
    rng = np.random.default_rng(seed)
    base = pd.DataFrame(
        {
            "person_id": np.arange(n),
            "trained": np.arange(n) % 2 == 0,
            "agency": np.tile(list("ABCD"), n // 4),
            "region_code": "18.71",
        }
    )
    d = pd.concat([base.assign(wave="pre"), base.assign(wave="post")], ignore_index=True)
    d["y"] = (d.trained & (d.wave == "post")) * 1.0 + rng.normal(size=len(d))
    return d


@pytest.mark.parametrize(
    "call",
    [
        lambda d: T.did(d, dv="y", cluster="agency"),
        lambda d: T.mixed_effects(d, dv="y", groups="agency"),
        lambda d: T.paired_change(d, dv="y"),
    ],
)
def test_training_text_dv_raises_one_sentence(call):
    d = _text_at(_panel(), "y", row=6, value="3,5")
    with pytest.raises(
        KinerjaError,
        match=r"data row 7, column 'y', value '3,5': the rule is that 'y' must be "
        r"numeric\.",
    ):
        call(d)


# -------------------------------------------------------------------------------- 7. one row per region per theme
def test_region_family_rejects_several_rows_per_region():
    long = _panel()
    pc = T.paired_change(long, dv="y", between="region_code")  # a paired t row and a Wilcoxon row per region
    assert (pc.region == "18.71").sum() == 2
    with pytest.raises(
        KinerjaError,
        match=r"theme 'training', column 'region', value '18.71' has 2 rows; the rule is "
        r"one row per region per theme",
    ):
        region_family({"training": pc})
    ok = region_family({"training": pc[pc.method == "paired t"]})
    assert ok.region.tolist() == ["18.71"]


def test_region_code_with_many_regions_stays_a_factor():
    """Kemendagri codes parse as numbers ("18.71") but are codes: at national scale (hundreds of regions) they enter
    as a factor, while a genuine number column stored as text still raises."""
    rng = np.random.default_rng(1)
    codes = [f"{11 + i // 10:02d}.{71 + i % 10:02d}" for i in range(30)]
    d = pd.DataFrame({"region_code": rng.choice(codes, 3000), "x": rng.normal(size=3000)})
    d["y"] = d["x"] + rng.normal(size=3000)
    res = kr.regression(d, dv="y", covar=["x", "region_code"])
    assert res["term"].str.startswith("region_code").sum() == 29
    d["x_text"] = d["x"].round(2).astype(str)
    with pytest.raises(kr.errors.KinerjaError, match="numbers stored as text"):
        kr.regression(d, dv="y", covar=["x_text"])
