"""score_scale, item analysis conventions, input errors and result shape of the measurement functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from kinerja_research.errors import KinerjaError, ReverseKeyWarning
from kinerja_research.instruments import load_codebook
from kinerja_research.measure import (
    bartlett_sphericity,
    cfa,
    cronbach_alpha,
    invariance,
    item_analysis,
    kmo,
    omega,
    parallel_analysis,
    r_table,
    score_scale,
    split_half,
)
from kinerja_research.measure._core import pairwise_moments
from kinerja_research.measure._examples import example_items
from kinerja_research.results import RESULT_COLUMNS


def test_sus_scoring_as_published():
    cb = load_codebook("sus")
    # Brooke (1996): odd items score - 1, even items 5 - score, sum x 2.5
    answers = np.array(
        [[4, 2, 5, 1, 4, 2, 5, 1, 4, 2], [3, 3, 3, 3, 3, 3, 3, 3, 3, 3], [1, 5, 1, 5, 1, 5, 1, 5, 1, 5]], dtype=float
    )
    df = pd.DataFrame(answers, columns=cb.item_ids)
    odd, even = answers[:, 0::2], answers[:, 1::2]
    by_hand = ((odd - 1).sum(axis=1) + (5 - even).sum(axis=1)) * 2.5
    assert_allclose(score_scale(df, cb)["total"], by_hand)
    assert_allclose(by_hand, [85.0, 50.0, 0.0])


def test_skm_score_on_25_to_100():
    cb = load_codebook("skm")
    df = pd.DataFrame([[4] * 9, [1] * 9, [3, 3, 3, 3, 3, 3, 3, 3, 2]], columns=cb.item_ids, dtype=float)
    assert_allclose(score_scale(df, cb)["total"], [100.0, 25.0, 25 * (26 / 9)])


def test_reverse_keying_and_dimensions():
    cb = load_codebook("rtc")
    row = {i: 6.0 for i in cb.item_ids}  # agrees fully with everything, including RTC04 / RTC14
    s = score_scale(pd.DataFrame([row]), cb)
    assert_allclose(s["routine_seeking"], (6 * 4 + 1) / 5)  # RTC04 reversed: 7 - 6 = 1
    assert_allclose(s["cognitive_rigidity"], (1 + 6 * 3) / 4)  # RTC14 reversed
    assert_allclose(s["emotional_reaction"], 6.0)
    assert_allclose(s["total"], (15 * 6 + 2) / 17)
    assert list(s.columns) == list(cb.dimensions) + ["total"]
    assert_allclose(score_scale(pd.DataFrame([row]), cb, method="sum")["emotional_reaction"], 24.0)


def test_min_valid_gives_na_and_counts_not_zero():
    cb = load_codebook("training")
    df = pd.DataFrame([{i: 4.0 for i in cb.item_ids} for _ in range(3)])
    df.loc[1, ["TRN01"]] = np.nan  # 3 of 4 quality items: 0.75 < 0.8 -> NA
    df.loc[2, ["TRN05"]] = np.nan  # 3 of 4 transfer items -> NA; total 7/8 >= 0.8 -> scored
    s = score_scale(df, cb)
    assert np.isnan(s.loc[1, "quality"]) and s.loc[1, "transfer"] == 4.0
    assert np.isnan(s.loc[2, "transfer"]) and s.loc[2, "total"] == 4.0
    assert s.attrs["n_insufficient"] == {"quality": 1, "transfer": 1, "total": 0}
    s2 = score_scale(df, cb, min_valid=0.75)
    assert s2.loc[1, "quality"] == 4.0


def test_score_rejects_out_of_scale_and_text():
    cb = load_codebook("rtc")
    df = pd.DataFrame([{i: 3.0 for i in cb.item_ids}])
    df.loc[0, "RTC05"] = 7
    with pytest.raises(KinerjaError, match=r"column 'RTC05', value 7.0 is outside the scale.*1\.\.6"):
        score_scale(df, cb)
    df = pd.DataFrame([{i: "3" for i in cb.item_ids}])
    df.loc[0, "RTC02"] = "Setuju"
    with pytest.raises(KinerjaError, match=r"column 'RTC02', value 'Setuju' is not a number"):
        score_scale(df, cb)
    with pytest.raises(KinerjaError, match="min_valid"):
        score_scale(pd.DataFrame([{i: 3.0 for i in cb.item_ids}]), cb, min_valid=0)


def test_pairwise_moments_equal_pandas():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 5))
    x[rng.random(x.shape) < 0.15] = np.nan
    c, r, n = pairwise_moments(x)
    df = pd.DataFrame(x)
    assert_allclose(c, df.cov().to_numpy(), rtol=1e-10)  # pandas cov = R cov(use = "pairwise")
    assert_allclose(r, df.corr().to_numpy(), rtol=1e-10)
    assert_allclose(n, (~np.isnan(x)).astype(int).T @ (~np.isnan(x)).astype(int))


def test_item_analysis_thesis_columns_and_rule():
    df = example_items(n=30, seed=11, k=5)
    df["X5"] = np.random.default_rng(0).integers(1, 6, 30)  # an unrelated item
    ia = item_analysis(df, items=[f"X{i}" for i in range(1, 6)])
    assert_allclose(ia["r_crit"], 0.3610, atol=1e-4)  # r table, n = 30, two-sided 5%
    assert ia["valid"].tolist() == (ia["estimate"] > ia["r_crit"]).tolist()
    # an unrelated item still correlates with a total that contains it; the corrected r exposes it
    assert ia.set_index("term").loc["X5", "r_corrected"] < 0.361 < ia.set_index("term").loc["X1", "r_corrected"]
    # Pearson r of item with the sum score when nothing is missing (SPSS bivariate correlation)
    total = df[[f"X{i}" for i in range(1, 6)]].sum(axis=1)
    assert_allclose(ia["r_item_total"].iloc[0], np.corrcoef(df["X1"], total)[0, 1], rtol=1e-12)
    ia2 = item_analysis(df, items=[f"X{i}" for i in range(1, 6)], criterion="corrected")
    assert_allclose(ia2["estimate"], ia2["r_corrected"])
    assert not ia2.set_index("term").loc["X5", "valid"]


def test_result_shape_and_keyword_errors():
    df = example_items(n=120, seed=12, k=4)
    items = ["X1", "X2", "X3", "X4"]
    for res in (
        cronbach_alpha(df, items=items),
        omega(df, items=items),
        split_half(df, items=items),
        kmo(df, items=items),
        bartlett_sphericity(df, items=items),
        item_analysis(df, items=items),
        parallel_analysis(df, items=items, n_iter=5),
    ):
        canon = [c for c in res.columns if c in RESULT_COLUMNS]
        assert canon == [c for c in RESULT_COLUMNS if c in canon]
        assert "n" in res.columns and "method" in res.columns
        assert res.map(lambda v: np.ndim(v) == 0).all().all()
    with pytest.raises(KinerjaError, match="'missing'"):
        cronbach_alpha(df, items=items, missing="everything")
    with pytest.raises(KinerjaError, match="no column 'X9'"):
        cronbach_alpha(df, items=["X1", "X9"])
    with pytest.raises(KinerjaError, match="twice"):
        cronbach_alpha(df, items=["X1", "X1", "X2"])
    with pytest.raises(KinerjaError, match="'reverse' names column 'X7'"):
        cronbach_alpha(df, items=items, reverse=["X7"])
    with pytest.raises(KinerjaError, match="at least 3"):
        omega(df, items=["X1", "X2"])
    with pytest.raises(KinerjaError, match="r_table needs at least 3"):
        r_table(2)
    with pytest.raises(KinerjaError, match="'factor =~ item"):
        cfa(df, model="X1 ~ X2")
    with pytest.raises(KinerjaError, match="term '2x' is not understood"):
        cfa(df, model="f =~ X1 + 2x")


def test_codebook_items_give_one_row_per_dimension_plus_total():
    cb = load_codebook("rtc")
    df = pd.read_csv(__import__("pathlib").Path(__file__).parent / "reference" / "measure_survey.csv")
    res = cronbach_alpha(df, items=cb)
    assert res["term"].tolist() == list(cb.dimensions) + ["total"]
    assert res["n_items"].tolist() == [5, 4, 4, 4, 17]


def test_bootstrap_ci_reproducible_and_sensible():
    df = example_items(n=250, seed=13, k=5)
    items = [f"X{i}" for i in range(1, 6)]
    b1 = cronbach_alpha(df, items=items, ci="bootstrap", n_boot=300, seed=5)
    b2 = cronbach_alpha(df, items=items, ci="bootstrap", n_boot=300, seed=5)
    f = cronbach_alpha(df, items=items)
    pd.testing.assert_frame_equal(b1, b2)
    assert b1.loc[0, "ci_low"] < b1.loc[0, "estimate"] < b1.loc[0, "ci_high"]
    # percentile bootstrap and Feldt agree roughly on a well-behaved scale
    assert abs(b1.loc[0, "ci_low"] - f.loc[0, "ci_low"]) < 0.03
    assert abs(b1.loc[0, "ci_high"] - f.loc[0, "ci_high"]) < 0.03
    dfm = df.copy()
    dfm.iloc[::7, 1] = np.nan
    bm = cronbach_alpha(dfm, items=items, ci="bootstrap", n_boot=100, seed=1)
    assert bm.loc[0, "ci_low"] < bm.loc[0, "estimate"] < bm.loc[0, "ci_high"]


def test_invariance_group_errors():
    df = example_items(n=100, seed=14, k=4)
    df["g"] = ["a"] * 90 + ["b"] * 10
    with pytest.raises(KinerjaError, match=r"value 'b' has 10 usable respondents"):
        invariance(df, model="f =~ X1 + X2 + X3 + X4", between="g")
    df["g"] = "a"
    with pytest.raises(KinerjaError, match="at least 2 groups"):
        invariance(df, model="f =~ X1 + X2 + X3 + X4", between="g")
    with pytest.raises(TypeError, match="group"):  # the old name of between= is gone (one vocabulary, issue 12)
        invariance(df, model="f =~ X1 + X2 + X3 + X4", group="g")


def test_cfa_syntax_free_marker_and_fixed_variance_equals_marker_model():
    """lavaan std.lv-style identification (NA*x, f ~~ 1*f) gives the same fit as marker identification, and a
    fixed-zero factor covariance adds one degree of freedom."""
    from pathlib import Path

    hs = pd.read_csv(Path(__file__).parent / "reference" / "measure_hs1939.csv")
    marker = cfa(hs, model="visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6")
    stdlv = cfa(
        hs, model="visual =~ NA*x1 + x2 + x3\ntextual =~ NA*x4 + x5 + x6\nvisual ~~ 1*visual\ntextual ~~ 1*textual"
    )
    fm, fs = marker.fit.set_index("term"), stdlv.fit.set_index("term")
    assert_allclose(fs.loc["chisq", "estimate"], fm.loc["chisq", "estimate"], rtol=1e-8)
    assert fs.loc["chisq", "df"] == fm.loc["chisq", "df"]
    lam_m = marker.estimates.set_index("term")["std_all"]
    lam_s = stdlv.estimates.set_index("term")["std_all"]
    assert_allclose(lam_s["visual =~ x2"], lam_m["visual =~ x2"], rtol=1e-6)
    orth = cfa(hs, model="visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~~ 0*textual")
    assert orth.fit.set_index("term").loc["chisq", "df"] == fm.loc["chisq", "df"] + 1
    assert orth.fit.set_index("term").loc["chisq", "estimate"] > fm.loc["chisq", "estimate"]


def test_parallel_analysis_wishart_reference_matches_normal_data():
    """The simulated eigenvalues come from Wishart draws; they must match eigenvalues of simulated normal data."""
    df = example_items(n=300, seed=15, k=8)
    pa = parallel_analysis(df, items=[f"X{i}" for i in range(1, 9)], n_iter=400, quantile=0.5, seed=3)
    rng = np.random.default_rng(4)
    ev = np.array(
        [
            np.sort(np.linalg.eigvalsh(np.corrcoef(rng.standard_normal((300, 8)), rowvar=False)))[::-1]
            for _ in range(400)
        ]
    )
    assert_allclose(pa["pc_simulated"], np.median(ev, axis=0), atol=0.02)


def test_cfa_rejects_unidentified_model():
    df = example_items(n=200, seed=16, k=2)
    with pytest.raises(KinerjaError, match=r"df = -1.*identified"):
        cfa(df, model="f =~ X1 + X2")


def test_r_table_less_is_the_negative_critical_value():
    # Published r table, n = 30, one-sided 5%: 0.306; for alternative "less" H1 is rho < 0, so the critical value is
    # -0.306 (reject when r <= -0.306), the lower-tail quantile qt(0.05, 28) transformed as r = t / sqrt(df + t^2).
    assert round(r_table(30, alternative="less"), 3) == -0.306
    assert_allclose = np.testing.assert_allclose
    assert_allclose(
        r_table([10, 30, 100], alternative="less"), -r_table([10, 30, 100], alternative="greater"), rtol=1e-15
    )


def test_alpha_agrees_with_pingouin():
    """pingouin.cronbach_alpha (an independent implementation): the same alpha and F-based (Feldt) interval, on
    complete answers and pairwise with missing ones."""
    pg = pytest.importorskip("pingouin")
    from pathlib import Path

    bfi = pd.read_csv(Path(__file__).parent / "reference" / "measure_bfi25.csv")
    items = [f"C{i}" for i in range(1, 6)]
    for data in (bfi[items].dropna(), bfi[items]):
        with pytest.warns(ReverseKeyWarning, match="C4"):  # as answered: C4, C5 reverse-worded, as pingouin takes them
            ours = cronbach_alpha(data, items=items).iloc[0]
        a, ci = pg.cronbach_alpha(data, nan_policy="pairwise")
        assert_allclose(ours["estimate"], a, rtol=1e-12)
        if data.notna().all().all():
            assert_allclose([ours["ci_low"], ours["ci_high"]], ci, atol=5e-4)  # pingouin rounds its CI to 3 decimals
