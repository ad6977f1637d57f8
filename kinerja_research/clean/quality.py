"""Response quality: duplicate submissions, straight-lining, implausibly fast responses, out-of-range values.

All functions return boolean masks (or a small frame) aligned with the input; the pipeline turns them into rows of
``validation.csv``. Duplicates are removed (the latest submission is kept, the rest go to quarantine with the reason);
straight-lining and speeding are flagged, not removed, so an analysis can run with and without them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError

__all__ = ["duplicate_submissions", "straight_lining", "too_fast", "out_of_range"]


def _check(data: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KinerjaError(f"columns {missing} are not in the table; rule: quality checks need them")


def duplicate_submissions(data: pd.DataFrame, *, key: Sequence[str], order: str) -> pd.DataFrame:
    """Find repeated submissions of the same key (e.g. person x wave) and say which one is kept.

    Parameters
    ----------
    data : pandas.DataFrame
        The table.
    key : list of str
        Columns identifying one expected submission, e.g. ``["person_id", "wave"]``. Rows with a missing key value
        are never duplicates.
    order : str
        Column ordering submissions (e.g. ``submitted_at``); the latest is kept, ties keep the last row in file order.

    Returns
    -------
    pandas.DataFrame
        Same index, boolean columns ``duplicate`` (the row belongs to a key with more than one row) and ``drop`` (a
        duplicate that is not the latest).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"p": ["a", "a", "b"], "t": pd.to_datetime(["2025-01-02", "2025-01-01", "2025-01-01"])})
    >>> duplicate_submissions(d, key=["p"], order="t").values.tolist()
    [[True, False], [True, True], [False, False]]
    """
    _check(data, [*key, order])
    k = data[list(key)]
    valid = k.notna().all(axis=1).to_numpy()
    dup = k.duplicated(keep=False).to_numpy() & valid
    pos = np.arange(len(data))
    ordered = pd.DataFrame({"o": data[order].to_numpy(), "pos": pos})
    for c in key:
        ordered[f"k_{c}"] = k[c].to_numpy()
    ordered = ordered[dup]
    keep_pos = (
        ordered.sort_values(["o", "pos"], kind="mergesort", na_position="first")
        .drop_duplicates([f"k_{c}" for c in key], keep="last")["pos"]
        .to_numpy()
    )
    drop = dup.copy()
    drop[keep_pos] = False
    return pd.DataFrame({"duplicate": dup, "drop": drop}, index=data.index)


def straight_lining(data: pd.DataFrame, *, items: Sequence[str], min_items: int = 10) -> pd.Series:
    """Rows that give the same answer to every item they answered (zero variance), over at least ``min_items`` items.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric item answers.
    items : list of str
        Item columns looked at together (all the survey's items: a long battery with reverse-keyed items makes an
        identical answer everywhere implausible).
    min_items : int, default 10
        Fewer answered items than this are never flagged.

    Returns
    -------
    pandas.Series
        Boolean, same index.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [3, 3], "B": [3, 2], "C": [3, 3]})
    >>> straight_lining(d, items=["A", "B", "C"], min_items=3).tolist()
    [True, False]
    """
    _check(data, items)
    n = len(data)
    answered = np.zeros(n, dtype=np.int32)
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    for c in items:  # one pass per item column (a few dozen), vectorised over rows
        x = data[c].to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(x)
        answered += ok
        np.fmin(lo, x, out=lo)
        np.fmax(hi, x, out=hi)
    return pd.Series((answered >= min_items) & (lo == hi), index=data.index)


def too_fast(duration_s: pd.Series, *, n_items: int, seconds_per_item: float = 2.0) -> pd.Series:
    """Responses faster than ``seconds_per_item`` per item (Huang et al. 2012: under 2 s per item is not reading).

    Returns
    -------
    pandas.Series
        Boolean, same index; a missing duration is never flagged.

    Examples
    --------
    >>> import pandas as pd
    >>> too_fast(pd.Series([30.0, 400.0, None]), n_items=50).tolist()
    [True, False, False]
    """
    d = pd.to_numeric(pd.Series(duration_s), errors="coerce")
    return (d < seconds_per_item * n_items).fillna(False).astype(bool)


def out_of_range(values: pd.Series, *, low: float | None = None, high: float | None = None) -> pd.Series:
    """Values below ``low`` or above ``high`` (missing is never out of range).

    Examples
    --------
    >>> import pandas as pd
    >>> out_of_range(pd.Series([-1.0, 50.0, 250.0, None]), low=0, high=200).tolist()
    [True, False, True, False]
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce")
    bad = pd.Series(False, index=v.index)
    if low is not None:
        bad |= (v < low).fillna(False)
    if high is not None:
        bad |= (v > high).fillna(False)
    return bad.astype(bool)
