"""Response quality: duplicates (latest kept), straight-lining, speeding, out of range; agency names."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja_research.clean.agency import normalise_agency
from kinerja_research.clean.quality import duplicate_submissions, out_of_range, straight_lining, too_fast


def test_duplicates_keep_latest_and_ignore_missing_keys():
    d = pd.DataFrame(
        {
            "p": ["a", "a", "a", "b", None, None],
            "w": ["pre"] * 6,
            "t": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01"]),
        }
    )
    r = duplicate_submissions(d, key=["p", "w"], order="t")
    assert r["duplicate"].tolist() == [True, True, True, False, False, False]
    assert r["drop"].tolist() == [True, False, True, False, False, False]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 5)), min_size=1, max_size=40))
def test_exactly_one_row_kept_per_key(rows):
    d = pd.DataFrame(rows, columns=["p", "t"])
    r = duplicate_submissions(d, key=["p"], order="t")
    kept = d[~r["drop"]]
    assert kept["p"].is_unique and set(kept["p"]) == set(d["p"])
    latest = d.groupby("p")["t"].max()
    assert (kept.set_index("p")["t"] == latest.reindex(kept["p"]).to_numpy()).all()


def test_straight_lining_needs_enough_items():
    x = pd.DataFrame(np.full((3, 12), 4.0), columns=[f"I{i}" for i in range(12)])
    x.iloc[1, 3] = 5.0
    x.iloc[2, 2:] = np.nan
    assert straight_lining(x, items=list(x.columns), min_items=10).tolist() == [True, False, False]


def test_too_fast_and_out_of_range():
    assert too_fast(pd.Series([59.0, 60.0, np.nan]), n_items=30).tolist() == [True, False, False]
    assert out_of_range(pd.Series([0, 1, 5, 6]), low=1, high=5).tolist() == [True, False, False, True]


def test_agency_names_normalised():
    r = normalise_agency(
        pd.Series(
            [
                "DINAS  KESEHATAN",
                "Dinkes",
                "dinas kesehatan ",
                "Dis. Kesehatan",
                "bappeda kab. lampung selatan",
                None,
                "  ",
            ]
        )
    )
    assert r.tolist()[:4] == ["Dinas Kesehatan"] * 4
    assert r[4] == "BAPPEDA Kabupaten Lampung Selatan"
    assert r[5:].isna().all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("abcdefgh .&-"), min_size=1, max_size=30), min_size=1, max_size=20))
def test_agency_normalisation_is_idempotent(names):
    once = normalise_agency(pd.Series(names))
    assert normalise_agency(once).fillna("<NA>").tolist() == once.fillna("<NA>").tolist()
