"""SKP predicate (PermenPANRB 6/2022): all nine cells of the matrix, every accepted vocabulary, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis.skp import skp_predicate
from kinerja_research.errors import KinerjaError
from kinerja_research.standards import PREDICATES

# The regulation's matrix (Lampiran PermenPANRB 6/2022), typed from the regulation: (hasil kerja, perilaku) -> predikat
MATRIX = {
    ("di atas ekspektasi", "di atas ekspektasi"): "Sangat Baik",
    ("di atas ekspektasi", "sesuai ekspektasi"): "Baik",
    ("di atas ekspektasi", "di bawah ekspektasi"): "Kurang/Misconduct",
    ("sesuai ekspektasi", "di atas ekspektasi"): "Baik",
    ("sesuai ekspektasi", "sesuai ekspektasi"): "Baik",
    ("sesuai ekspektasi", "di bawah ekspektasi"): "Kurang/Misconduct",
    ("di bawah ekspektasi", "di atas ekspektasi"): "Butuh Perbaikan",
    ("di bawah ekspektasi", "sesuai ekspektasi"): "Butuh Perbaikan",
    ("di bawah ekspektasi", "di bawah ekspektasi"): "Sangat Kurang",
}
EN = {
    "di atas ekspektasi": "Above expectations",
    "sesuai ekspektasi": "As expected",
    "di bawah ekspektasi": "Below expectations",
}
CANON = {"di atas ekspektasi": "above", "sesuai ekspektasi": "as_expected", "di bawah ekspektasi": "below"}


@pytest.mark.parametrize(("cell", "label"), list(MATRIX.items()))
def test_nine_cells_in_three_vocabularies(cell, label):
    h, p = cell
    assert skp_predicate(h, p) == label
    assert skp_predicate(EN[h], EN[p]) == label
    assert skp_predicate(CANON[h], CANON[p]) == label
    assert skp_predicate(f"  {h.upper()} ", p) == label  # case and spaces ignored


def test_vectorised_series_keeps_index_and_missing():
    h = pd.Series(["above", "below", None, "as_expected"], index=[10, 11, 12, 13])
    p = pd.Series(["above", "below", "above", "below"], index=[10, 11, 12, 13])
    out = skp_predicate(h, p)
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out.tolist()[:2] == ["Sangat Baik", "Sangat Kurang"]
    assert out.isna().tolist() == [False, False, True, False]
    assert out.iloc[3] == "Kurang/Misconduct"


def test_large_vector_matches_cellwise():
    keys = list(MATRIX)
    rng = np.random.default_rng(0)
    pick = rng.integers(0, 9, 10_000)
    h = np.array([keys[i][0] for i in pick], dtype=object)
    p = np.array([keys[i][1] for i in pick], dtype=object)
    out = skp_predicate(h, p)
    assert out.tolist() == [MATRIX[keys[i]] for i in pick]
    assert set(out) <= set(PREDICATES)


def test_unknown_rating_names_row_and_value():
    with pytest.raises(KinerjaError, match=r"row 2, column 'perilaku', value 'baik sekali'"):
        skp_predicate(["above", "above"], ["above", "baik sekali"])
    with pytest.raises(KinerjaError, match="equal lengths"):
        skp_predicate(["above"], ["above", "below"])


def test_labels_are_the_regulations_exactly():
    assert set(MATRIX.values()) == set(PREDICATES)
    assert list(itertools.islice(PREDICATES, 5)) == [
        "Sangat Baik",
        "Baik",
        "Butuh Perbaikan",
        "Kurang/Misconduct",
        "Sangat Kurang",
    ]
