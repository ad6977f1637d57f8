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
