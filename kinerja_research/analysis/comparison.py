"""Regions side by side: the headline estimate of each theme per region in one tidy frame, with p-values adjusted
across the whole family of comparisons (notebook ``10_region_comparison``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError
from kinerja_research.results import RESULT_COLUMNS, adjust_p, check_choice, check_columns, tidy

__all__ = ["region_family"]


def region_family(results: Mapping[str, pd.DataFrame], *, padjust: str = "holm") -> pd.DataFrame:
    """Stack per-region headline results of several themes and adjust their p-values as one family.

    Parameters
    ----------
    results : mapping of str to pandas.DataFrame
        Theme name -> tidy result with one row per region (column ``region``) and at least ``estimate``,
        ``ci_low``, ``ci_high``; e.g. the per-region rows of ``did(..., between="region_code")``, of
        :func:`~kinerja_research.analysis.resistance.resistance_drivers` fitted per region, of ``ikm_trend``.
        Rows whose ``region`` is missing or ``"all"`` (pooled estimates, omnibus tests) are left out.
    padjust : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
        Adjustment over every row that has a ``p`` (all themes and regions together).

    Returns
    -------
    pandas.DataFrame
        One row per theme × region in the order given: ``region``, ``term``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``statistic``, ``df``, ``p`` (as computed by the theme's function), ``p_adj`` (``padjust``
        across the family; NaN where the theme has no test), ``effect_size``, ``effect_size_name``, ``n``,
        ``method`` (those present), and extra columns ``theme`` and ``family_size`` (number of p-values adjusted).

    Notes
    -----
    The family is every region × theme headline tested on the page, so a reader scanning the forest plot for "the
    regions where something works" is protected against the number of comparisons (Holm 1979, as R
    ``p.adjust(method = "holm")``). Estimates are not rescaled: each theme keeps its own unit.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"region": ["18.71", "17.71"], "estimate": [6.1, 3.9], "ci_low": [4.0, 1.8],
    ...                   "ci_high": [8.2, 6.0], "p": [0.001, 0.02]})
    >>> b = pd.DataFrame({"region": ["18.71", "17.71", "all"], "estimate": [-0.3, -0.2, -0.25],
    ...                   "ci_low": [-0.5, -0.4, -0.4], "ci_high": [-0.1, 0.0, -0.1], "p": [0.01, 0.06, 0.001]})
    >>> region_family({"training": a, "resistance": b})[["theme", "region", "p", "p_adj"]]
            theme region      p  p_adj
    0    training  18.71  0.001  0.004
    1    training  17.71  0.020  0.040
    2  resistance  18.71  0.010  0.030
    3  resistance  17.71  0.060  0.060
    """
    check_choice("padjust", padjust, ("holm", "bonferroni", "fdr_bh", "none"))
    if not results:
        raise KinerjaError("Argument 'results' is empty; the rule is at least one theme's per-region result.")
    blocks = []
    for theme, frame in results.items():  # a handful of themes
        check_columns(frame, ["region", "estimate", "ci_low", "ci_high"], what=f"result of theme '{theme}'")
        keep = frame["region"].notna() & (frame["region"].astype(str) != "all")
        part = frame.loc[keep].copy()
        if part.empty:
            raise KinerjaError(
                f"result of theme '{theme}', column 'region' has no per-region row; the rule is one row per region."
            )
        dup = part["region"].astype(str).duplicated()
        if dup.any():
            raise KinerjaError(
                f"result of theme '{theme}', column 'region', value {part['region'][dup].iloc[0]!r} has "
                f"{int((part['region'].astype(str) == str(part['region'][dup].iloc[0])).sum())} rows; the "
                f"rule is one row per region per theme (select one method or term first)."
            )
        part.insert(0, "theme", theme)
        blocks.append(part)
    out = pd.concat(blocks, ignore_index=True)
    if "p" not in out.columns:
        out["p"] = np.nan
    out["p_adj"] = adjust_p(out["p"].to_numpy(dtype=float), padjust)
    out["family_size"] = int(out["p"].notna().sum())
    extra = ["theme", "family_size"]
    out = out[[c for c in out.columns if c in RESULT_COLUMNS or c in extra]]
    return tidy(out, extra=extra)
