"""Scale scores from item answers, driven by a codebook (reverse keys, dimensions, scoring rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError
from kinerja_research.instruments.codebook import Codebook, load_codebook
from kinerja_research.measure._core import item_matrix
from kinerja_research.results import check_choice

__all__ = ["score_scale"]


def score_scale(
    data: pd.DataFrame, codebook: Codebook | str, *, method: str = "mean", min_valid: float = 0.8
) -> pd.DataFrame:
    """Score every dimension of an instrument and its total, one row per respondent.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the codebook's item columns, answers as numbers on the instrument's scale
        **as answered** (reverse-keyed items are reversed here, ``min + max - x``).
    codebook : Codebook or str
        A codebook from :func:`kinerja_research.load_codebook`, or its name.
    method : {'mean', 'sum'}, default 'mean'
        ``"mean"``: mean of the answered keyed items (R ``rowMeans(na.rm = TRUE)``), on the answer scale;
        ``"sum"``: that mean times the number of items (a sum prorated over missing answers, so a respondent with
        one skipped item is not scored lower). Ignored for the ``total`` of SUS and SKM, which follow their own rules.
    min_valid : float, default 0.8
        Minimum share of a dimension's items that must be answered; below it the score is NA (never 0).

    Returns
    -------
    pandas.DataFrame
        Same index as ``data``; one float column per dimension (codebook order) and ``total`` (all items) when the
        instrument has more than one dimension or a special scoring rule. For ``sus`` the ``total`` is the SUS
        score 0-100 (odd items score - 1, even items 5 - score, sum x 2.5; prorated over answered items when at
        least ``min_valid`` are answered). For ``skm`` it is the respondent's IKM contribution on 25-100
        (mean of the answered elements x 25, each element weighted 1/9). ``attrs["n_insufficient"]`` maps each
        column to the number of respondents scored NA for answering fewer than ``min_valid`` of its items, and
        ``attrs["n_items"]`` to its number of items.

    Notes
    -----
    Missing answers: a score uses the answered items only; whether a respondent is scored is decided per column by
    ``min_valid``. Validated against R: ``rowMeans(x, na.rm = TRUE)`` on the reversed items (tests/reference/measure.R)
    and the published SUS scoring (Brooke 1996) on hand-computed examples.

    Examples
    --------
    >>> import pandas as pd
    >>> from kinerja_research.measure import score_scale
    >>> df = pd.DataFrame({f"SUS{i:02d}": [5 if i % 2 else 1, 3] for i in range(1, 11)})
    >>> score_scale(df, "sus")["total"].tolist()
    [100.0, 50.0]
    """
    cb = load_codebook(codebook) if isinstance(codebook, str) else codebook
    if not isinstance(cb, Codebook):
        raise KinerjaError(
            f"Argument 'codebook' is {type(codebook).__name__}; the rule is that it is a codebook from "
            f"kr.load_codebook() or a codebook name."
        )
    check_choice("method", method, ("mean", "sum"))
    if not (isinstance(min_valid, (int, float)) and 0 < min_valid <= 1):
        raise KinerjaError(f"Argument 'min_valid' is {min_valid!r}; the rule is 0 < min_valid <= 1.")
    rng = (cb.scale["min"], cb.scale["max"])
    ids = cb.item_ids
    x = item_matrix(data, ids, cb.reverse_items, rng, what="data")
    obs = ~np.isnan(x)
    out: dict[str, np.ndarray] = {}
    n_bad: dict[str, int] = {}
    n_items: dict[str, int] = {}

    def mean_score(cols: np.ndarray, name: str) -> np.ndarray:
        k = int(cols.sum())
        answered = obs[:, cols].sum(axis=1)
        total = np.where(obs[:, cols], x[:, cols], 0.0).sum(axis=1)
        ok = answered >= min_valid * k - 1e-9
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(ok & (answered > 0), total / answered, np.nan)
        n_bad[name] = int((~(ok & (answered > 0))).sum())
        n_items[name] = k
        return score

    dims = cb.items["dimension"].to_numpy()
    for dim in cb.dimensions:
        s = mean_score(dims == dim, dim)
        out[dim] = s * (dims == dim).sum() if method == "sum" else s
    all_cols = np.ones(len(ids), dtype=bool)
    scoring = cb.scoring.get("method", "mean")
    if scoring == "sus":
        # reversed even items are 6 - x, so every keyed item contributes (keyed - 1) on 0..4
        mean_keyed = mean_score(all_cols, "total")
        out["total"] = (mean_keyed - 1.0) * len(ids) * float(cb.scoring.get("multiplier", 2.5))
    elif scoring == "skm":
        out["total"] = mean_score(all_cols, "total") * float(cb.scoring.get("conversion", 25))
    elif len(cb.dimensions) > 1:
        s = mean_score(all_cols, "total")
        out["total"] = s * len(ids) if method == "sum" else s
    res = pd.DataFrame(out, index=data.index)
    res.attrs["n_insufficient"] = n_bad
    res.attrs["n_items"] = n_items
    res.attrs["codebook"] = cb.name
    return res
