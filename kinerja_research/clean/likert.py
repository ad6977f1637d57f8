"""Likert answers (words, abbreviations, numbers) to numbers on the instrument's scale.

The label table comes from the codebook (``Codebook.label_map()``: Indonesian and English labels, abbreviations and
aliases such as ``"Ragu-ragu"`` or ``"Kurang Setuju"``), so 4-, 5-, 6- and 7-point scales each use their own labels.
``normalise_label`` (one rule, shared with the codebooks) compares answer words loosely. Answers are stored as given;
reverse-keyed items are reversed only when scales are scored (``reverse_items``
is offered here for that step). Each distinct answer is looked up once, then mapped back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kinerja_research._arrays import take_strings
from kinerja_research.clean._factor import factorize_text
from kinerja_research.instruments.codebook import (
    ItemScale,
    normalise_label,
    shipped_item_scales,
    shipped_scale_labels,
)

__all__ = ["ItemScale", "normalise_label", "map_likert", "reverse_items", "shipped_item_scales", "scale_labels"]


def scale_labels(scales: Iterable[ItemScale] = ()) -> frozenset[str]:
    """Every normalised answer label known on any scale (the shipped codebooks' and ``scales``): an answer that is a
    label of some scale but not of its item's own is off that item's scale (``likert_off_scale``). The shipped
    codebooks' labels are built once per state of their files (:func:`shipped_scale_labels`)."""
    out = set(shipped_scale_labels())
    for sc in scales:
        out.update(normalise_label(k) for k in sc.labels)
    return frozenset(out)


def map_likert(
    values: pd.Series,
    *,
    labels: Mapping[str, int],
    low: int,
    high: int,
    label_ids: dict[str, int] | None = None,
    other_labels: Iterable[str] = (),
) -> pd.DataFrame:
    """Map answers to scale values.

    Parameters
    ----------
    values : pandas.Series
        Raw answers: labels (``"Sangat Setuju"``, ``"SS"``, ``"Strongly agree"``), numbers (``"5"``, ``"5.0"``) or
        both (``"5 - Sangat Setuju"``, ``"5 (SS)"``).
    labels : mapping of str to int
        Label -> scale value (keys are compared after :func:`normalise_label`), e.g. ``Codebook.label_map()``.
    low, high : int
        Scale range, e.g. 1 and 6.
    label_ids : dict, optional
        A dict shared across calls: each distinct answer text (after :func:`normalise_label`) gets a number, returned
        in the ``label_id`` column, so that identical answers can be compared across items of different scales
        (straight-lining: "Setuju" everywhere is 5 on a 6-point item and 4 on a 5-point item).
    other_labels : iterable of str, optional
        Labels of other scales (e.g. :func:`scale_labels`): such an answer is ``likert_off_scale`` (on some scale,
        not on this item's), never moved onto this scale.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``value`` (float, missing when the answer is missing or not usable) and ``rule``
        (``"missing_value"``, ``"likert_unknown_label"``, ``"likert_off_scale"``, ``"out_of_range"`` or missing
        when fine); with
        ``label_ids`` also ``label_id`` (float, missing when the answer is missing).

    Notes
    -----
    A number and a label in one answer must agree (``"5 - Setuju"`` on a 5-point scale where Setuju is 4 is
    ``likert_unknown_label``). Numbers outside ``low..high`` or not whole are ``out_of_range``. Nothing is guessed.

    Examples
    --------
    >>> import pandas as pd
    >>> lab = {"sangat tidak setuju": 1, "sts": 1, "tidak setuju": 2, "ts": 2, "netral": 3, "ragu-ragu": 3,
    ...        "setuju": 4, "s": 4, "sangat setuju": 5, "ss": 5, "strongly agree": 5}
    >>> map_likert(pd.Series(["SS", "Ragu-ragu", "4", "Strongly Agree", "7", "entah", None]), labels=lab,
    ...            low=1, high=5).values.tolist()
    [[5.0, <NA>], [3.0, <NA>], [4.0, <NA>], [5.0, <NA>], [nan, 'out_of_range'], [nan, 'likert_unknown_label'], \
[nan, 'missing_value']]
    """
    codes, vals, rules, ids, _ = _lookup(
        values, labels=labels, low=low, high=high, label_ids=label_ids, other_labels=other_labels
    )
    s = pd.Series(values, copy=False)
    out = pd.DataFrame({"value": vals[codes], "rule": take_strings(list(rules), codes, index=s.index)}, index=s.index)
    if label_ids is not None:
        out["label_id"] = ids[codes]
    return out


def _lookup(
    values: pd.Series,
    *,
    labels: Mapping[str, int],
    low: int,
    high: int,
    label_ids: dict[str, int] | None = None,
    other_labels: Iterable[str] = (),
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """The work of :func:`map_likert` on the distinct answers: ``(codes, value, rule, label_id, text)`` where
    ``codes[i]`` indexes the per-distinct-answer arrays for row ``i`` (the last entry is the missing answer, whose
    ``text`` is None; ``text`` holds the answers as written)."""
    table = {normalise_label(k): int(v) for k, v in labels.items()}
    others = other_labels if isinstance(other_labels, (set, frozenset)) else frozenset(other_labels)
    s = pd.Series(values, copy=False)
    codes, uniques = factorize_text(s)
    vals = np.full(len(uniques) + 1, np.nan)
    rules = np.full(len(uniques) + 1, None, dtype=object)
    rules[-1] = "missing_value"
    num_re = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*(?:[-–:.)(]\s*(.*?)\)?)?$")
    for i, u in enumerate(uniques):
        if isinstance(u, (int, float, np.integer, np.floating)) and not isinstance(u, bool):
            key, number, label = None, float(u), None
        else:
            key = normalise_label(u)
            number, label = None, None
            if key == "":
                rules[i] = "missing_value"
                continue
            if key not in table:
                m = num_re.match(key)
                if m:
                    number = float(m.group(1).replace(",", "."))
                    label = normalise_label(m.group(2)) if m.group(2) else None
        if key is not None and key in table:
            v = table[key]
            if low <= v <= high:
                vals[i] = v
            else:
                rules[i] = "out_of_range"
            continue
        if number is None:
            rules[i] = "likert_off_scale" if key in others else "likert_unknown_label"
            continue
        if label and table.get(label) != number:
            rules[i] = "likert_unknown_label"
            continue
        if number != int(number) or not (low <= number <= high):
            rules[i] = "out_of_range"
            continue
        vals[i] = number
    idx = np.where(codes < 0, len(uniques), codes)
    ids = None
    if label_ids is not None:
        ids = np.full(len(uniques) + 1, np.nan)
        for i, u in enumerate(uniques):
            key = normalise_label(u)
            if key:
                ids[i] = label_ids.setdefault(key, len(label_ids))
    texts = np.empty(len(uniques) + 1, dtype=object)
    texts[:-1] = np.asarray(uniques, dtype=object)
    texts[-1] = None
    return idx, vals, rules, ids, texts


def reverse_items(data: pd.DataFrame, *, items: Sequence[str], low: int, high: int) -> pd.DataFrame:
    """Reverse-key items: ``low + high - x`` (a copy; for scoring only, processed data keep answers as given).

    Examples
    --------
    >>> import pandas as pd
    >>> reverse_items(pd.DataFrame({"A": [1.0, 6.0], "B": [2.0, 3.0]}), items=["A"], low=1, high=6)["A"].tolist()
    [6.0, 1.0]
    """
    out = data.copy()
    for c in items:
        out[c] = low + high - out[c]
    return out
