"""Fast construction of string columns from a few distinct values (pyarrow ``take`` instead of Python objects)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["take_strings"]


def take_strings(uniques: Sequence[object], codes: np.ndarray, index=None, name=None) -> pd.Series:
    """``pd.Series`` of string dtype whose row ``i`` is ``uniques[codes[i]]`` (missing where ``codes[i] < 0`` or the
    value is None), built in C++ by pyarrow: the cost grows with the distinct values, not with the rows.

    Examples
    --------
    >>> import numpy as np
    >>> take_strings(["a", None, "c"], np.array([0, 2, -1, 1, 0])).tolist()
    ['a', 'c', <NA>, <NA>, 'a']
    """
    dictionary = pa.array(
        [None if (u is None or u is pd.NA or (isinstance(u, float) and np.isnan(u))) else str(u) for u in uniques],
        type=pa.string(),
    )
    codes = np.asarray(codes, dtype=np.int64)
    idx = pa.array(codes, mask=codes < 0, type=pa.int64())
    taken = dictionary.take(idx)
    arr = pd.array(taken, dtype=pd.StringDtype("pyarrow"))
    return pd.Series(arr, index=index, name=name)
