"""The DiD from cell counts and means (analysis.did_cells) against did() on the rows (itself checked against R
clubSandwich in test_analysis_training / tests/reference/analyses_cluster.R): equal to 1e-10, the sums being formed
in another order."""

import numpy as np
import pandas as pd
import pytest

from kinerja_research.analysis.did_cells import did_from_cells
from kinerja_research.analysis.training import did
from kinerja_research.errors import KinerjaError


def _rows(seed=3, n=2400):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "person_id": rng.integers(0, 700, n).astype(str),
            "trained": rng.random(n) < 0.3,
            "wave": np.where(rng.random(n) < 0.5, "pre", "post"),
            "region_code": rng.choice(["11.01", "11.02", "12.71"], n),
            "agency": rng.choice(["Dinas A", "Dinas B", "Badan C", "Inspektorat"], n),
            "capaian_pct": rng.normal(90, 8, n) + 3.0 * (rng.random(n) < 0.1),
        }
    )
    df.loc[rng.random(n) < 0.05, "capaian_pct"] = np.nan  # listwise deletion, as did does
    return df


def _cells(df):
    d = df.dropna(subset=["capaian_pct", "agency"])
    key = d["region_code"] + "|" + d["agency"]
    c = d.groupby([key, d["trained"], d["wave"] == "post"])["capaian_pct"].agg(n="size", mean="mean")
    c.index.names = ["cluster", "treat", "post"]
    return c.reset_index(), int(d["person_id"].nunique())


@pytest.mark.parametrize("seed", [3, 11])
def test_did_from_cells_is_did_on_the_rows(seed):
    df = _rows(seed)
    cells, people = _cells(df)
    want = did(df, dv="capaian_pct")
    got = did_from_cells(cells, n_people=people)
    assert list(got.columns) == list(want.columns)
    assert got["term"].tolist() == want["term"].tolist()
    assert got[["n", "n_obs", "n_clusters"]].equals(want[["n", "n_obs", "n_clusters"]])
    num = ["estimate", "se", "ci_low", "ci_high", "statistic", "df", "p"]
    np.testing.assert_allclose(got[num].to_numpy(float), want[num].to_numpy(float), rtol=1e-10, atol=1e-10)


def test_did_from_cells_few_clusters_and_one_period_raise_as_did():
    df = _rows()
    one = df[df["agency"] == "Dinas A"].assign(region_code="11.01")
    cells, people = _cells(one)
    with pytest.raises(KinerjaError, match="at least 2 clusters"):
        did_from_cells(cells, n_people=people)
    cells, people = _cells(df[df["wave"] == "pre"])
    with pytest.raises(KinerjaError, match="before and after"):
        did_from_cells(cells, n_people=people)
