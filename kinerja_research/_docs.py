"""Shared numpydoc parameter text, written once (seaborn's ``_docstrings`` idea).

Use ``{data}``, ``{dv}``, ... placeholders in a docstring and decorate the function with :func:`fill_doc`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

PARAMS: dict[str, str] = {
    "data": "data : pandas.DataFrame\n        Long/tidy table, one row per observation.",
    "dv": "dv : str\n        Outcome column.",
    "between": "between : str\n        Grouping column (between subjects), e.g. ``region_code``.",
    "within": "within : str\n        Within-subject factor column, e.g. ``wave``.",
    "subject": "subject : str\n        Person identifier column (pseudonym), default ``person_id``.",
    "covar": "covar : str or list of str, optional\n        Covariate column(s).",
    "cluster": "cluster : str, optional\n        Column whose values define clusters for cluster-robust standard errors (e.g. ``agency``).",
    "items": "items : list of str\n        Item columns of one scale (codebook ids).",
    "missing": (
        "missing : {'pairwise', 'listwise'}\n        How missing values are handled; the result's ``n`` "
        "reports the number of observations used."
    ),
    "alternative": "alternative : {'two-sided', 'greater', 'less'}\n        Alternative hypothesis.",
    "alpha": "alpha : float, default 0.05\n        Significance level; confidence intervals have level ``1 - alpha``.",
    "padjust": (
        "padjust : {'holm', 'bonferroni', 'fdr_bh', 'none'}, default 'holm'\n        Multiple-comparison "
        "adjustment written to ``p_adj``."
    ),
    "seed": "seed : int\n        Seed of the random generator (bootstrap, resampling); the same seed gives the same result.",
    "result": (
        "pandas.DataFrame\n        Tidy result, one row per estimate, with the columns of the project's result "
        "shape that apply (``estimate, se, ci_low, ci_high, statistic, df, p, p_adj, effect_size, "
        "effect_size_name, n, method``)."
    ),
}


def fill_doc(func: F) -> F:
    """Fill ``{name}`` placeholders of ``func.__doc__`` from :data:`PARAMS`."""
    if func.__doc__:
        func.__doc__ = func.__doc__.format(**PARAMS)
    return func
