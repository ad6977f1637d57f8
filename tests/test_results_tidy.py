"""``results.tidy`` builds the same frame as the row-wise construction it replaced (values, dtypes, column order,
index), on every shape of input the package passes it, and raises the same error for an unknown column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinerja_research import results
from kinerja_research.results import RESULT_COLUMNS, tidy


def reference_tidy(rows, *, extra=(), ci_level=None):
    """The implementation before the column-wise build (kept here as the oracle)."""
    df = pd.DataFrame(list(rows)) if not isinstance(rows, pd.DataFrame) else rows.copy()
    extra = list(extra)
    if ci_level is not None and ({"ci_low", "ci_high"} & set(df.columns)):
        has = pd.Series(False, index=df.index)
        for c in ("ci_low", "ci_high"):
            if c in df.columns:
                has |= pd.to_numeric(df[c], errors="coerce").notna()
        df["ci_level"] = np.where(has.to_numpy(), float(ci_level), np.nan)
    unknown = [c for c in df.columns if c not in RESULT_COLUMNS and c not in extra]
    if unknown:
        raise ValueError(f"result columns {unknown} are not in the result shape; pass them as extra=")
    ordered = [c for c in RESULT_COLUMNS if c in df.columns] + [c for c in extra if c in df.columns]
    return df[ordered].reset_index(drop=True)


def same(rows, **kw):
    want = reference_tidy(rows, **kw)
    got = tidy(rows, **kw)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_column_type=True, check_index_type=True)
    assert list(got.columns) == list(want.columns)
    assert [str(d) for d in got.dtypes] == [str(d) for d in want.dtypes]
    return got


ROWS = [
    {"term": "x", "estimate": 0.5, "se": 0.1, "ci_low": 0.3, "ci_high": 0.7, "p": 0.01, "n": 40, "method": "ols"},
    {"term": "z", "estimate": -1.0, "se": np.float64(0.2), "ci_low": np.nan, "ci_high": np.nan, "p": 0.2, "n": 40},
]


@pytest.mark.parametrize(
    "rows, kw",
    [
        # the common shapes of page 01 and the analyses: floats, ints, bools, text, numpy scalars
        (ROWS, {}),
        (ROWS, {"ci_level": 0.95}),
        (
            [{"scale": "A", "estimate": 0.8, "n": 10, "improper": False, "alpha_std": 0.79}],
            {"extra": ["scale", "improper", "alpha_std"]},
        ),
        ([{"estimate": np.float64(1.5), "n": np.int64(3)}, {"estimate": 2, "n": 4}], {}),
        # a key missing from some rows: NaN there (ints become floats, text and bools stay objects/text with NaN)
        ([{"estimate": 1.0, "n": 3, "group": "a", "improper": True}, {"estimate": 2.0}], {"extra": ["improper"]}),
        ([{"n": 3}, {"n": 4, "estimate": 1}], {}),
        # None, mixed types, all-missing, dates, large integers: pandas' own inference
        ([{"estimate": None, "method": None}, {"estimate": 1.0, "method": "x"}], {}),
        ([{"estimate": None}, {"estimate": None}], {}),
        ([{"group": 1, "estimate": 1.0}, {"group": "b", "estimate": 2.0}], {}),
        ([{"group": True, "n": 2}, {"group": None, "n": 3}], {}),
        ([{"group": pd.Timestamp("2025-01-01"), "n": 2}, {"group": pd.Timestamp("2025-07-01"), "n": 3}], {}),
        ([{"n": 2**63 + 5}, {"n": 1}], {}),
        ([{"n": 2**60}, {"n": 1.5}], {}),
        ([{"estimate": np.float32(1.5)}, {"estimate": np.int32(2)}], {}),
        (
            [{"term": "x", "ci_low": "0.3", "ci_high": None}, {"term": "y", "ci_low": None, "ci_high": None}],
            {"ci_level": 0.9},
        ),
        ([{"term": "x", "ci_level": 0.5, "ci_high": 1.0}, {"term": "y", "ci_level": 0.5}], {"ci_level": 0.95}),
        ([{"term": "x", "ci_level": 0.5}], {"ci_level": 0.95}),
        ([{"region": "18.71", "estimate": float("inf"), "df": -0.0}], {}),
        # extra columns in the order given, only those present; the canonical ones first whatever the rows' order
        ([{"mean": 1.0, "scale": "A", "region": "18.71", "n": 5}], {"extra": ("scale", "sd", "mean")}),
        (iter([{"estimate": 1.0}, {"estimate": 2.0}]), {}),
        ((dict(estimate=1.0),), {}),
        ([], {}),
        # rows that are not plain dicts (Series rows): the row-wise construction
        ([pd.Series({"estimate": 1.0, "n": 2}), pd.Series({"estimate": 2.0, "n": 3})], {}),
    ],
)
def test_list_inputs_build_the_same_frame(rows, kw):
    rows = list(rows) if not isinstance(rows, list) else rows
    same(rows, **kw)


def test_frame_inputs_build_the_same_frame_and_leave_the_input_alone():
    frames = [
        pd.DataFrame({"ci_low": [0.1, np.nan], "ci_high": [0.2, 0.3], "estimate": [1.0, 2.0]}, index=[5, 3]),
        pd.DataFrame({"ci_low": pd.array([1, None], dtype="Int64"), "term": ["a", "b"]}),
        pd.DataFrame({"ci_high": ["0.1", "x"], "group": pd.Categorical(["a", "b"]), "n": [1, 2]}),
        pd.DataFrame({"estimate": [1.0], "n": [3], "sd": [0.5]}),
        pd.DataFrame({"ci_low": [True, False], "term": ["a", "b"]}),
        pd.DataFrame(columns=["estimate", "ci_low"]),
    ]
    for df in frames:
        for kw in ({"extra": ["sd"]}, {"extra": ["sd"], "ci_level": 0.95}, {"extra": ("sd",), "ci_level": 0.9}):
            before = df.copy()
            same(df, **kw)
            pd.testing.assert_frame_equal(df, before)


def test_unknown_column_raises_the_same_error():
    rows = [{"estimate": 1.0, "typo": 2.0, "scale": "A"}, {"estimate": 1.0, "other": 1}]
    for src in (rows, pd.DataFrame(rows)):
        with pytest.raises(ValueError) as want:
            reference_tidy(src, extra=["scale"])
        with pytest.raises(ValueError, match=r"result columns \['typo', 'other'\] are not in the result shape") as got:
            tidy(src, extra=["scale"])
        assert str(got.value) == str(want.value)


def test_result_is_a_new_frame():
    rows = [{"estimate": 1.0, "term": "x"}]
    out = tidy(rows)
    out.loc[0, "estimate"] = 9.0
    assert rows[0]["estimate"] == 1.0
    df = pd.DataFrame(rows)
    out = tidy(df)
    out.loc[0, "estimate"] = 9.0
    assert df.loc[0, "estimate"] == 1.0
    assert results.tidy is tidy
