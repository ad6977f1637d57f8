"""Likert mapping: total on every codebook label, case/space tolerant, unknown and out-of-range reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja_research.clean.likert import map_likert, normalise_label, reverse_items
from kinerja_research.instruments import list_codebooks, load_codebook


@pytest.mark.parametrize("name", list_codebooks())
def test_mapping_is_total_on_every_known_label(name):
    cb = load_codebook(name)
    lo, hi = int(cb.scale["min"]), int(cb.scale["max"])
    labels = cb.label_map()
    texts = list(labels)
    for key in ("labels_id", "labels_en", "abbreviations"):
        texts += list(cb.scale.get(key) or [])
    r = map_likert(pd.Series(texts), labels=labels, low=lo, high=hi)
    assert r["rule"].isna().all(), r[r["rule"].notna()]
    expected = [labels[t.strip().lower()] for t in texts]
    assert r["value"].tolist() == expected
    for i, lab in enumerate(cb.scale["labels_id"]):  # label i is scale point lo + i
        assert labels[lab.lower()] == lo + i


@pytest.mark.parametrize("points,name", [(4, "skm"), (5, "sus"), (6, "rtc")])
def test_scales_of_4_5_6_points(points, name):
    cb = load_codebook(name)
    assert int(cb.scale["max"]) - int(cb.scale["min"]) + 1 == points
    nums = pd.Series([str(v) for v in range(0, points + 2)])
    r = map_likert(nums, labels=cb.label_map(), low=1, high=points)
    assert r["value"].tolist()[1 : points + 1] == list(map(float, range(1, points + 1)))
    assert r["rule"].tolist()[0] == "out_of_range" and r["rule"].tolist()[-1] == "out_of_range"


def test_seven_point_scale_from_a_label_table():
    labels = {
        "sangat tidak setuju": 1,
        "tidak setuju": 2,
        "agak tidak setuju": 3,
        "netral": 4,
        "agak setuju": 5,
        "setuju": 6,
        "sangat setuju": 7,
    }
    r = map_likert(pd.Series(["Netral", "7", "8", "Sangat Setuju"]), labels=labels, low=1, high=7)
    assert r["value"].tolist()[:2] == [4.0, 7.0] and np.isnan(r["value"][2])
    assert r["rule"].tolist() == [pd.NA, pd.NA, "out_of_range", pd.NA]


LAB5 = load_codebook("sus").label_map()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(LAB5)), min_size=1, max_size=30),
    st.sampled_from([str.upper, str.lower, str.title, lambda t: f"  {t}  ", lambda t: t.replace(" ", "  ")]),
)
def test_case_and_spacing_do_not_matter(texts, style):
    r = map_likert(pd.Series([style(t) for t in texts]), labels=LAB5, low=1, high=5)
    assert r["value"].tolist() == [float(LAB5[t]) for t in texts]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=30))
def test_numbers_are_unchanged(values):
    r = map_likert(pd.Series([str(v) for v in values]), labels=LAB5, low=1, high=5)
    assert r["value"].tolist() == [float(v) for v in values]  # cleaning clean data changes nothing
    r2 = map_likert(pd.Series(values, dtype=float), labels=LAB5, low=1, high=5)
    assert r2["value"].tolist() == [float(v) for v in values]


def test_number_with_label_must_agree_and_unknown_is_reported():
    r = map_likert(
        pd.Series(["5 - Sangat Setuju", "4 (Setuju)", "5 - Setuju", "Mungkin", "", None, "3.5"]),
        labels=LAB5,
        low=1,
        high=5,
    )
    assert r["value"].tolist()[:2] == [5.0, 4.0]
    assert r["rule"].tolist()[2:] == [
        "likert_unknown_label",
        "likert_unknown_label",
        "missing_value",
        "missing_value",
        "out_of_range",
    ]


def test_label_ids_let_straight_lining_compare_across_scales():
    ids: dict = {}
    a = map_likert(pd.Series(["Setuju", "SS"]), labels=load_codebook("rtc").label_map(), low=1, high=6, label_ids=ids)
    b = map_likert(pd.Series(["setuju ", "Sangat Setuju"]), labels=LAB5, low=1, high=5, label_ids=ids)
    assert a["value"].tolist() == [5.0, 6.0] and b["value"].tolist() == [4.0, 5.0]
    assert a["label_id"][0] == b["label_id"][0]


def test_reverse_items_and_normalise_label():
    d = pd.DataFrame({"A": [1.0, 2.0, 6.0], "B": [1.0, 2.0, 3.0]})
    out = reverse_items(d, items=["A"], low=1, high=6)
    assert out["A"].tolist() == [6.0, 5.0, 1.0] and out["B"].tolist() == [1.0, 2.0, 3.0]
    assert d["A"].tolist() == [1.0, 2.0, 6.0]
    assert normalise_label("  Sangat\tSetuju. ") == "sangat setuju"
