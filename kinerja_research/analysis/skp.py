"""SKP performance predicate (predikat kinerja) from the two ratings, per PermenPANRB 6/2022.

The regulation rates each civil servant on results (*hasil kerja*) and on behaviour (*perilaku kerja*), each as
"di atas ekspektasi", "sesuai ekspektasi" or "di bawah ekspektasi", and combines them in a 3 × 3 matrix into one of
five predicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError, where
from kinerja_research.standards import PREDICATE_MATRIX, RATINGS

__all__ = ["skp_predicate"]

_SYNONYMS = {
    # codes are positions in RATINGS (best first)
    "above": 0,
    "di atas ekspektasi": 0,
    "diatas ekspektasi": 0,
    "above expectation": 0,
    "above expectations": 0,
    "as_expected": 1,
    "as expected": 1,
    "sesuai ekspektasi": 1,
    "meets expectations": 1,
    "meets expectation": 1,
    "below": 2,
    "di bawah ekspektasi": 2,
    "dibawah ekspektasi": 2,
    "below expectation": 2,
    "below expectations": 2,
}
# rows: hasil kerja, columns: perilaku, both in the order of RATINGS (the regulation's matrix, standards.py)
_MATRIX = np.array([[PREDICATE_MATRIX[(h, p)] for p in RATINGS] for h in RATINGS], dtype=object)


def _codes(values: pd.Series, column: str) -> np.ndarray:
    missing = values.isna().to_numpy()
    text = values.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    codes = text.map(_SYNONYMS)
    bad = codes.isna().to_numpy() & ~missing
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise KinerjaError(
            f"Rating at {where(row=pos + 1, column=column, value=values.iloc[pos])} is not a PermenPANRB 6/2022 "
            "rating; the rule is one of 'di atas ekspektasi', 'sesuai ekspektasi', 'di bawah ekspektasi' "
            "(or English 'above expectations', 'as expected', 'below expectations', or 'above'/'as_expected'/'below')."
        )
    return codes.fillna(-1).to_numpy(dtype=np.int64)


def skp_predicate(hasil_kerja, perilaku):
    """Predicate of performance (predikat kinerja) from the results and behaviour ratings, PermenPANRB 6/2022.

    Parameters
    ----------
    hasil_kerja : str, array-like or pandas.Series
        Rating of work results: "di atas ekspektasi", "sesuai ekspektasi", "di bawah ekspektasi"; the English
        "above expectations", "as expected", "below expectations"; or the canonical "above", "as_expected",
        "below" (case and surrounding spaces ignored).
    perilaku : str, array-like or pandas.Series
        Rating of work behaviour, same vocabulary, same length as ``hasil_kerja``.

    Returns
    -------
    str or pandas.Series
        The regulation's label, exactly one of "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct",
        "Sangat Kurang"; a Series (index of ``hasil_kerja`` when it is a Series) for array input, a str for two
        scalars. A missing rating gives a missing predicate (``<NA>``).

    Notes
    -----
    The matrix (Lampiran, PermenPANRB 6/2022): behaviour below expectation gives "Kurang/Misconduct" unless the
    results are also below ("Sangat Kurang"); results below with behaviour at or above expectation give "Butuh
    Perbaikan"; both above give "Sangat Baik"; every other cell gives "Baik". Vectorised: one table look-up.
    An unknown rating raises :class:`~kinerja_research.errors.KinerjaError` naming its row and value.

    Examples
    --------
    >>> skp_predicate("di atas ekspektasi", "di atas ekspektasi")
    'Sangat Baik'
    >>> skp_predicate(["below", "as expected"], ["below", "above"]).tolist()
    ['Sangat Kurang', 'Baik']
    """
    scalar = np.ndim(hasil_kerja) == 0 and np.ndim(perilaku) == 0
    index = hasil_kerja.index if isinstance(hasil_kerja, pd.Series) else None
    h = pd.Series(np.atleast_1d(np.asarray(hasil_kerja, dtype=object)))
    p = pd.Series(np.atleast_1d(np.asarray(perilaku, dtype=object)))
    if len(h) != len(p):
        raise KinerjaError(f"hasil_kerja has {len(h)} ratings and perilaku {len(p)}; the rule is equal lengths.")
    hc, pc = _codes(h, "hasil_kerja"), _codes(p, "perilaku")
    ok = (hc >= 0) & (pc >= 0)
    out = np.full(len(h), pd.NA, dtype=object)
    out[ok] = _MATRIX[hc[ok], pc[ok]]
    if scalar:
        return out[0]
    return pd.Series(out, index=index, dtype="string", name="predikat")
