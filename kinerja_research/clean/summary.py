"""Data-audit summaries: problems by rule and region, missingness, duplicates, response times, sample sizes.

Tidy DataFrames for ``kinerja validate`` and the ``00_data_audit`` notebook; no printing, no plotting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja_research.clean.tables import RULE_SEVERITY, item_scales

__all__ = [
    "missingness",
    "sample_sizes",
    "duration_summary",
    "select_regions",
    "table_counts",
    "too_fast_threshold",
    "item_columns",
    "RULES",
]

RULES = tuple(RULE_SEVERITY)


def missingness(
    data: pd.DataFrame, *, by: str = "region_code", columns: list[str] | None = None, only_missing: bool = False
) -> pd.DataFrame:
    """Share of missing values per column and group (long format).

    ``only_missing=True`` keeps only the column x group cells with at least one missing value.

    Returns
    -------
    pandas.DataFrame
        ``region_code`` (or ``by``), ``column``, ``n`` (rows in the group), ``n_missing``, ``pct_missing`` (0-100).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"region_code": ["a", "a", "b"], "x": [1.0, None, 2.0]})
    >>> missingness(d, columns=["x"]).values.tolist()
    [['a', 'x', 2, 1, 50.0], ['b', 'x', 1, 0, 0.0]]
    """
    cols = columns or [c for c in data.columns if c != by]
    miss = data[cols].isna()
    miss[by] = data[by].to_numpy()
    g = miss.groupby(by, sort=True, observed=True)
    n = g.size()
    cnt = g.sum()
    long = cnt.reset_index().melt(id_vars=by, var_name="column", value_name="n_missing")
    long["n"] = long[by].map(n).astype("int64")
    long["n_missing"] = long["n_missing"].astype("int64")
    long["pct_missing"] = 100.0 * long["n_missing"] / long["n"]
    long = long[[by, "column", "n", "n_missing", "pct_missing"]].sort_values([by, "column"])
    if only_missing:
        long = long[long["n_missing"] > 0]
    return long.reset_index(drop=True)


def sample_sizes(survey: pd.DataFrame) -> pd.DataFrame:
    """Respondents per region and wave, with people answering both waves.

    Returns
    -------
    pandas.DataFrame
        ``region_code, n_pre, n_post, n_both, n_trained`` (``n_trained``: people marked as trained, either wave).
    """
    s = survey
    g = s.groupby("region_code", sort=True, observed=True)
    pre = s[s["wave"] == "pre"].groupby("region_code", observed=True)["person_id"].nunique()
    post = s[s["wave"] == "post"].groupby("region_code", observed=True)["person_id"].nunique()
    waves = s.groupby(["region_code", "person_id"], observed=True)["wave"].nunique()
    both = (waves == 2).groupby(level=0).sum()
    trained = s[s["trained"].fillna(False).astype(bool)].groupby("region_code", observed=True)["person_id"].nunique()
    out = pd.DataFrame({"region_code": list(g.groups)})
    for name, ser in (("n_pre", pre), ("n_post", post), ("n_both", both), ("n_trained", trained)):
        out[name] = out["region_code"].map(ser).fillna(0).astype("int64")
    return out


def duration_summary(survey: pd.DataFrame) -> pd.DataFrame:
    """Response time (seconds) per region: ``region_code, n, median, p10, p90, n_too_fast, n_straight_lining``."""
    s = survey
    rows = []
    for code, d in s.groupby("region_code", sort=True, observed=True):  # one row per region (a handful)
        x = d["duration_s"].dropna().to_numpy(dtype=float)
        rows.append(
            {
                "region_code": code,
                "n": int(len(x)),
                "median": float(np.median(x)) if len(x) else np.nan,
                "p10": float(np.quantile(x, 0.1)) if len(x) else np.nan,
                "p90": float(np.quantile(x, 0.9)) if len(x) else np.nan,
                "n_too_fast": int(d["too_fast"].sum()) if "too_fast" in d else 0,
                "n_straight_lining": int(d["straight_lining"].sum()) if "straight_lining" in d else 0,
            }
        )
    return pd.DataFrame(rows)


def select_regions(problems: pd.DataFrame, regions, *, keep_unknown: bool = True) -> pd.DataFrame:
    """Problems about the given region codes (and, with ``keep_unknown``, those whose region is unknown)."""
    code = problems["region_code"].astype("string")
    keep = code.isin(list(regions)).fillna(False)
    if keep_unknown:
        keep |= code.isna()
    return problems[keep.to_numpy()].reset_index(drop=True)


def table_counts(manifest: dict) -> pd.DataFrame:
    """Rows in / used / quarantined per table from a manifest: ``table, rows_in, rows_out, rows_quarantined``."""
    rows = [{"table": t, **c} for t, c in manifest.get("tables", {}).items()]
    return pd.DataFrame(rows, columns=["table", "rows_in", "rows_out", "rows_quarantined"])


def item_columns(survey: pd.DataFrame, manifest: dict | None = None) -> list[str]:
    """The survey's item columns, in table order: those the clean step recorded in the manifest
    (``parameters.items``, the dataset's own instruments included), else the shipped codebooks' item ids."""
    items = (manifest or {}).get("parameters", {}).get("items")
    known = set(items) if items is not None else set(item_scales())
    return [c for c in survey.columns if c in known]


def too_fast_threshold(survey: pd.DataFrame, manifest: dict) -> float:
    """Seconds below which a survey response counts as too fast (seconds per item x number of items)."""
    per_item = float(manifest.get("parameters", {}).get("seconds_per_item", 2.0))
    return per_item * max(len(item_columns(survey, manifest)), 1)
