"""Summaries of the clean step's problems for people: ``kinerja validate`` and the ``00_data_audit`` page.

They live in the report layer because they carry translated rule descriptions.
"""

from __future__ import annotations

import pandas as pd

from kinerja_research.report.i18n import translator

__all__ = ["summarise_problems"]


def summarise_problems(
    problems: pd.DataFrame, *, lang: str = "id", weight: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Problems per rule (with a translated description) and per region x severity.

    Parameters
    ----------
    problems : pandas.DataFrame
        ``validation.csv`` as read by :func:`kinerja_research.pipeline.load_validation`.
    lang : {"id", "en"}
        Language of the ``description`` column (translation keys ``audit.rule.<rule>``).
    weight : str, optional
        A column giving how many problems each row stands for: the ``n`` of
        :func:`kinerja_research.pipeline.validation_counts`, which counts a national validation.csv in batches
        (same tables as the problems themselves give). None: one problem per row.

    Returns
    -------
    (by_rule, by_region) : tuple of pandas.DataFrame
        ``by_rule``: ``rule, description, severity, count, n_files, tables`` sorted by severity then count
        (``count`` counts problems, not people, so it is not subject to small-cell suppression);
        ``by_region``: counts with one row per ``region_code`` (``"-"`` when unknown) and one column per severity.
    """
    t = translator(lang)
    p = problems.copy()
    w = p[weight].astype("int64") if weight else pd.Series(1, index=p.index, dtype="int64")
    p = p.assign(_w=w.to_numpy())
    g = p.groupby(["rule", "severity"], sort=True)
    by_rule = g.agg(
        count=("_w", "sum"), n_files=("file", "nunique"), tables=("table", lambda x: ", ".join(sorted(set(x))))
    ).reset_index()
    by_rule.insert(1, "description", [t.get(f"audit.rule.{r}", default=r) for r in by_rule["rule"]])
    order = {"error": 0, "warning": 1, "info": 2}
    by_rule = by_rule.assign(_o=by_rule["severity"].map(order)).sort_values(
        ["_o", "count", "rule"], ascending=[True, False, True]
    )
    by_rule = by_rule.drop(columns="_o").reset_index(drop=True)
    region = p["region_code"].astype("string").fillna("-")
    by_region = (
        p["_w"]
        .groupby([region.rename("region_code"), p["severity"].rename("severity")], sort=True)
        .sum()
        .unstack(fill_value=0)
    )
    by_region = by_region.reindex(columns=[c for c in ("error", "warning", "info") if c in by_region.columns])
    by_region.columns.name = None
    return by_rule, by_region
