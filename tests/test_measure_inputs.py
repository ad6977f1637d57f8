"""Degenerate items give one clear sentence instead of NaN statistics, warnings or a LinAlgError."""

import numpy as np
import pandas as pd
import pytest

import kinerja_research as kr
from kinerja_research.errors import KinerjaError

ITEMS = list("abcde")


@pytest.fixture
def answers():
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.integers(1, 6, size=(200, 5)).astype(float), columns=ITEMS)


@pytest.mark.parametrize("func", [kr.cronbach_alpha, kr.omega, kr.item_analysis, kr.split_half, kr.kmo])
@pytest.mark.parametrize("fill, words", [(3.0, "the same answer 3"), (np.nan, "no answers")])
def test_item_without_variance_is_one_sentence(answers, func, fill, words):
    answers["e"] = fill
    with pytest.raises(KinerjaError, match=f"item 'e' has {words}"):
        func(answers, items=ITEMS)


def test_numpy_integer_resamples_accepted(answers):
    a = kr.cronbach_alpha(answers, items=ITEMS, ci="bootstrap", n_boot=np.int64(200), seed=1)
    b = kr.cronbach_alpha(answers, items=ITEMS, ci="bootstrap", n_boot=200, seed=1)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(KinerjaError, match="n_boot"):
        kr.cronbach_alpha(answers, items=ITEMS, ci="bootstrap", n_boot=True)


def _long(n=20_000, seed=3):
    """Answers longer than the first-rows window (10,000) and the block (8,192) of the one-pass moments."""
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(n)
    cols = {c: np.clip(np.rint(3 + g + rng.standard_normal(n)), 1, 5) for c in ITEMS}
    return pd.DataFrame(cols)


def test_item_constant_in_the_first_rows_only_is_not_flat():
    df = _long()
    df.loc[:12_000, "e"] = 3.0  # constant over the first-rows window, varies after it
    ours = kr.cronbach_alpha(df, items=ITEMS).loc[0]
    c = df.cov().to_numpy()
    k = len(ITEMS)
    assert ours["estimate"] == pytest.approx((1 - np.trace(c) / c.sum()) * k / (k - 1), abs=1e-12)
    df["e"] = 3.0
    with pytest.raises(KinerjaError, match="item 'e' has the same answer 3 from all 20000 respondents"):
        kr.item_analysis(df, items=ITEMS)


@pytest.mark.parametrize("row", [5, 15_000])
def test_answer_missing_after_the_first_blocks_gives_pairwise_moments(row):
    """A missing answer anywhere (in the first block or far after it) leaves the complete path for the pairwise one:
    item means, SDs and alpha from pandas' pairwise covariance (R cov(use = "pairwise"))."""
    df = _long()
    df.loc[row, "c"] = np.nan
    ia = kr.item_analysis(df, items=ITEMS).set_index("term")
    np.testing.assert_allclose(ia["mean"], df.mean(), atol=1e-12)
    np.testing.assert_allclose(ia["sd"], df.std(), atol=1e-12)
    assert ia.loc["c", "n"] == len(df) - 1
    c = df.cov().to_numpy()  # pandas: pairwise-complete
    k = len(ITEMS)
    alpha = kr.cronbach_alpha(df, items=ITEMS).loc[0, "estimate"]
    assert alpha == pytest.approx((1 - np.trace(c) / c.sum()) * k / (k - 1), abs=1e-12)


def test_integer_and_float_columns_give_the_same_moments():
    df = _long()
    a = kr.item_analysis(df, items=ITEMS)
    b = kr.item_analysis(df.astype("int8"), items=ITEMS)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-13, atol=1e-13)
