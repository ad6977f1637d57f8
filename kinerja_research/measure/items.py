"""Item analysis: the thesis "uji validitas" table (item-total correlations against the r-table) and item statistics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research._docs import fill_doc
from kinerja_research.errors import KinerjaError
from kinerja_research.measure._core import scale_moments, scale_sets
from kinerja_research.results import ALTERNATIVES, check_alpha, check_choice, tidy

__all__ = ["r_table", "item_analysis"]

ITEM_COLUMNS = ("scale", "mean", "sd", "r_item_total", "r_corrected", "r_crit", "valid", "alpha_if_deleted")


def r_table(n, *, alpha: float = 0.05, alternative: str = "two-sided"):
    """Critical value of Pearson's r (the "r tabel" of Indonesian theses) for ``n`` observations.

    Parameters
    ----------
    n : int or array-like of int
        Number of observations (respondents); ``df = n - 2``.
    alpha : float, default 0.05
        Significance level.
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        Two-sided uses the t quantile at ``1 - alpha/2``; one-sided at ``1 - alpha``. ``'less'`` returns the
        negative critical value (reject when r <= -r_crit).

    Returns
    -------
    float or numpy.ndarray
        ``r = t / sqrt(df + t^2)`` with ``t`` the critical t value on ``df`` degrees of freedom.

    Notes
    -----
    Identical to the printed r tables (n = 30, two-sided 5%: 0.361; n = 100: 0.197). Validated against R
    ``qt(1 - alpha/2, n - 2)`` transformed the same way (tests/reference/measure.R).

    Examples
    --------
    >>> from kinerja_research.measure import r_table
    >>> round(r_table(30), 3), round(r_table(30, alternative="greater"), 3)
    (0.361, 0.306)
    """
    check_alpha(alpha)
    check_choice("alternative", alternative, ALTERNATIVES)
    arr = np.asarray(n, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < 3):
        raise KinerjaError(f"Argument 'n' is {n!r}; the rule is that r_table needs at least 3 observations.")
    df = arr - 2
    q = 1 - alpha / 2 if alternative == "two-sided" else 1 - alpha
    t = stats.t.ppf(q, df)
    r = t / np.sqrt(df + t**2)
    if alternative == "less":
        r = -r
    return float(r) if np.ndim(r) == 0 else r


@fill_doc
def item_analysis(
    data: pd.DataFrame,
    *,
    items,
    reverse: Sequence[str] = (),
    alpha: float = 0.05,
    alternative: str = "two-sided",
    missing: str = "pairwise",
    criterion: str = "item_total",
) -> pd.DataFrame:
    """Item analysis ("uji validitas"): item statistics, item-total correlations, r-table decision, alpha if deleted.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns of one scale, or a codebook (one block per dimension, reverse keys from the codebook).
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list (reversed as observed min + max - x, as R ``psych::alpha``).
    {alpha}
    alternative : {{'two-sided', 'greater'}}, default 'two-sided'
        Sidedness of the r-table critical value and the p-value of each item-total correlation.
    {missing}
    criterion : {{'item_total', 'corrected'}}, default 'item_total'
        Which correlation is the ``estimate`` compared with the r table: the Pearson item-total correlation (the
        SPSS "bivariate" r hitung of most theses) or the corrected item-total correlation (item vs the rest).

    Returns
    -------
    pandas.DataFrame
        One row per item: ``term`` (item id), ``estimate`` (the criterion correlation), ``statistic`` (its t),
        ``df`` (n - 2), ``p`` (of the correlation), ``n`` (respondents who answered the item), ``method``;
        ``scale`` (dimension or ``"scale"``), ``mean``, ``sd``, ``r_item_total`` (Pearson r with the row-mean
        total, psych ``raw.r``), ``r_corrected`` (item-rest r, psych ``r.drop``, SPSS "Corrected Item-Total
        Correlation"), ``r_crit`` (r table at ``n``), ``valid`` (``estimate > r_crit``), ``alpha_if_deleted``
        (raw alpha of the other items, psych ``alpha.drop$raw_alpha``; NA for two-item scales).

    Notes
    -----
    One covariance matrix per scale (pairwise-complete as R ``cov(use = "pairwise")`` by default, or listwise);
    the corrected correlation and alpha-if-deleted are closed-form functions of it, so nothing is refitted per
    item. Validated against R ``psych::alpha(x)$item.stats`` (``raw.r``, ``r.drop``, ``mean``, ``sd``, ``n``) and
    ``$alpha.drop`` to 1e-6 (tests/reference/measure.R).

    Examples
    --------
    >>> from kinerja_research.measure import example_items, item_analysis
    >>> df = example_items(n=60, seed=1)
    >>> ia = item_analysis(df, items=["X1", "X2", "X3", "X4"])
    >>> bool(ia["valid"].all()), ia["n"].tolist()
    (True, [60, 60, 60, 60])
    """
    check_alpha(alpha)
    check_choice("alternative", alternative, ("two-sided", "greater"))
    check_choice("criterion", criterion, ("item_total", "corrected"))
    rows = []
    for term, ids, rev, rng in scale_sets(items, reverse=reverse, total=False):
        mom = scale_moments(data, term, ids, rev, rng, missing)
        k, c = len(ids), mom.cov
        col = c.sum(axis=0)
        total = c.sum()
        diag = np.diag(c)
        with np.errstate(invalid="ignore", divide="ignore"):
            r_drop = (col - diag) / np.sqrt(diag * (total - 2 * col + diag))
            if k >= 3:
                tr_d = np.trace(c) - diag
                sum_d = total - 2 * col + diag
                a_drop = (1 - tr_d / sum_d) * (k - 1) / (k - 2)
            else:
                a_drop = np.full(k, np.nan)
        r_it = mom.item_total_r
        n = mom.n_item
        est = r_it if criterion == "item_total" else r_drop
        dfree = n - 2
        with np.errstate(invalid="ignore", divide="ignore"):
            tval = est * np.sqrt(dfree) / np.sqrt(1 - est**2)
        p = 2 * stats.t.sf(np.abs(tval), dfree) if alternative == "two-sided" else stats.t.sf(tval, dfree)
        r_crit = r_table(np.maximum(n, 3), alpha=alpha, alternative=alternative)
        r_crit = np.where(n >= 3, r_crit, np.nan)
        # the pairwise diagonal is each item's variance over its answered rows (n_j - 1 divisor)
        sds = np.sqrt(np.diag(c))
        means = mom.mean
        label = "Pearson item-total r vs r table" if criterion == "item_total" else "corrected item-total r vs r table"
        for j, item in enumerate(ids):
            rows.append(
                {
                    "term": item,
                    "estimate": float(est[j]),
                    "statistic": float(tval[j]),
                    "df": float(dfree[j]),
                    "p": float(p[j]),
                    "n": int(n[j]),
                    "method": f"{label} ({missing})",
                    "scale": term,
                    "mean": float(means[j]),
                    "sd": float(sds[j]),
                    "r_item_total": float(r_it[j]),
                    "r_corrected": float(r_drop[j]),
                    "r_crit": float(r_crit[j]),
                    "valid": bool(est[j] > r_crit[j]),
                    "alpha_if_deleted": float(a_drop[j]),
                }
            )
    return tidy(rows, extra=ITEM_COLUMNS)
