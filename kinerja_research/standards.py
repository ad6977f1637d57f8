"""Named constants of the regulations and thesis conventions the toolkit applies, each with its source.

One home for each piece of knowledge: analyses, notebooks and reports take these names instead of typing the numbers
(``kr.IKM_BANDS["B"].low`` rather than ``76.61``). This module is at the bottom of the package (it imports nothing
from it), so every layer may use it.

Regulations
-----------
- :data:`IKM_BANDS`: mutu pelayanan of the converted IKM, PermenPANRB 14/2017, Lampiran (see also
  ``instruments/skm.yml``, whose ``mutu`` table states the same limits for the codebook).
- :data:`PREDICATES`, :data:`RATINGS`, :data:`PREDICATE_MATRIX`: predikat kinerja of PermenPANRB 6/2022.
- :data:`JP_TARGET`, :data:`JP_MINUTES`: training hours of PNS, PP 11/2017 and LAN rules.

Thesis conventions (uji validitas, reliabilitas, asumsi klasik)
---------------------------------------------------------------
- :data:`MIN_REGION_N`: people per region (or group) below which a per-region analysis is not run.
- :data:`ALPHA_MIN_GHOZALI`, :data:`ALPHA_MIN_NUNNALLY`, :func:`is_reliable`: Cronbach's alpha thresholds.
- :data:`ITEM_TOTAL_MIN`: corrected item-total correlation of a usable item.
- :data:`TOLERANCE_MIN`, :data:`VIF_MAX`: the multicollinearity rule.
- :data:`SUS_BENCHMARK`: the average SUS score of published studies.
The r-table (critical r with df = n - 2) is :func:`kinerja_research.measure.r_table` (it computes, rather than
states, a value).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "PERIOD_KINDS",
    "PERIOD_PATTERN",
    "IkmBand",
    "IKM_BANDS",
    "IKM_GOOD_MIN",
    "PREDICATES",
    "RATINGS",
    "PREDICATE_MATRIX",
    "JP_TARGET",
    "JP_MINUTES",
    "MIN_REGION_N",
    "ALPHA_MIN_GHOZALI",
    "ALPHA_MIN_NUNNALLY",
    "is_reliable",
    "ITEM_TOTAL_MIN",
    "TOLERANCE_MIN",
    "VIF_MAX",
    "SUS_BENCHMARK",
]


class IkmBand(NamedTuple):
    """One mutu band of the converted IKM (25-100), limits inclusive after rounding to two decimals."""

    mutu: str
    low: float
    high: float
    kinerja: str  # the regulation's wording of the unit's performance (kinerja unit pelayanan)
    kinerja_en: str


#: Mutu pelayanan of the converted IKM, best first: PermenPANRB 14/2017, Lampiran ("Nilai Persepsi, Interval IKM,
#: Interval Konversi IKM, Mutu Pelayanan dan Kinerja Unit Pelayanan"): A 88.31-100.00 Sangat Baik, B 76.61-88.30 Baik,
#: C 65.00-76.60 Kurang Baik, D 25.00-64.99 Tidak Baik. The value is rounded to two decimals (half up) before it is
#: banded (``analysis.satisfaction.ikm_mutu``). The interval-scale (1-4) limits are these divided by 25.
IKM_BANDS: dict[str, IkmBand] = {
    "A": IkmBand("A", 88.31, 100.00, "Sangat Baik", "Very good"),
    "B": IkmBand("B", 76.61, 88.30, "Baik", "Good"),
    "C": IkmBand("C", 65.00, 76.60, "Kurang Baik", "Poor"),
    "D": IkmBand("D", 25.00, 64.99, "Tidak Baik", "Very poor"),
}
#: Lower limit of mutu B ("Baik"), the reference line of the IKM figures: a unit below it is rated C or D.
IKM_GOOD_MIN: float = IKM_BANDS["B"].low

#: Predikat kinerja pegawai of PermenPANRB 6/2022 (Lampiran, "kuadran kinerja pegawai"), best first; the order of the
#: ordinal outcome reversed. These are the exact labels of the processed ``performance.predikat`` column.
PREDICATES: tuple[str, ...] = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang")
#: Canonical codes of the two ratings (hasil kerja, perilaku kerja) of PermenPANRB 6/2022, best first: "di atas
#: ekspektasi", "sesuai ekspektasi", "di bawah ekspektasi".
RATINGS: tuple[str, ...] = ("above", "as_expected", "below")
#: The 3 x 3 predicate matrix of PermenPANRB 6/2022: (rating of hasil kerja, rating of perilaku kerja) -> predikat.
#: Behaviour below expectation gives "Kurang/Misconduct" unless results are also below ("Sangat Kurang"); results
#: below with behaviour at or above expectation give "Butuh Perbaikan"; both above give "Sangat Baik"; else "Baik".
PREDICATE_MATRIX: dict[tuple[str, str], str] = {
    ("above", "above"): "Sangat Baik",
    ("above", "as_expected"): "Baik",
    ("above", "below"): "Kurang/Misconduct",
    ("as_expected", "above"): "Baik",
    ("as_expected", "as_expected"): "Baik",
    ("as_expected", "below"): "Kurang/Misconduct",
    ("below", "above"): "Butuh Perbaikan",
    ("below", "as_expected"): "Butuh Perbaikan",
    ("below", "below"): "Sangat Kurang",
}

#: Training hours (jam pelajaran) due to every PNS each year: PP 11/2017 art. 203(4), "paling sedikit 20 (dua puluh)
#: jam pelajaran dalam 1 (satu) tahun".
JP_TARGET: float = 20.0
#: Minutes of one jam pelajaran (LAN training rules): a record kept in 60-minute hours under-counts JP by a quarter.
JP_MINUTES: int = 45

#: People per region (or per group of any split) below which a per-region analysis is left out with a note: Roscoe's
#: rule of thumb (Roscoe 1975, *Fundamental Research Statistics for the Behavioral Sciences*: "where samples are to be
#: broken into subsamples ... a minimum sample size of 30 for each category is necessary"), the rule Indonesian
#: methods texts teach for subgroups (Sugiyono, *Metode Penelitian Kuantitatif, Kualitatif dan R&D*). It also keeps
#: per-group item analyses and measurement-invariance models estimable (``measure.invariance``'s own minimum is 30).
#: A convention, not a power calculation: ``kr.power`` gives the n a stated effect needs.
MIN_REGION_N: int = 30

#: Cronbach's alpha above which a scale counts as reliable in most Indonesian theses: alpha > 0.60 (Ghozali,
#: *Aplikasi Analisis Multivariate dengan Program SPSS*).
ALPHA_MIN_GHOZALI: float = 0.60
#: The stricter convention: alpha >= 0.70 (Nunnally 1978 / Nunnally & Bernstein 1994, cited via Ghozali 2011).
ALPHA_MIN_NUNNALLY: float = 0.70


def is_reliable(alpha, rule: str = "ghozali"):
    """Whether Cronbach's alpha meets a thesis convention: ``"ghozali"`` alpha > 0.60, ``"nunnally"`` alpha >= 0.70.

    Works on a number, a numpy array or a pandas Series (returns the same shape of booleans).

    >>> is_reliable(0.60), is_reliable(0.61), is_reliable(0.70, rule="nunnally")
    (False, True, True)
    """
    if rule == "ghozali":
        return alpha > ALPHA_MIN_GHOZALI
    if rule == "nunnally":
        return alpha >= ALPHA_MIN_NUNNALLY
    raise ValueError(f"Argument 'rule' is {rule!r}; the rule is that it must be one of ['ghozali', 'nunnally'].")


#: Corrected item-total correlation below which an item discriminates poorly (r_it >= 0.30: Azwar, *Penyusunan Skala
#: Psikologi*; Nunnally & Bernstein 1994).
ITEM_TOTAL_MIN: float = 0.30

#: No multicollinearity when Tolerance > 0.10 and VIF < 10 (Ghozali; VIF = 1 / Tolerance; Hair et al.,
#: *Multivariate Data Analysis*). A minority of texts use VIF < 5.
TOLERANCE_MIN: float = 0.10
VIF_MAX: float = 10.0

#: Confirmatory factor analysis fits well when CFI (and TLI) >= 0.95, RMSEA <= 0.06 and SRMR <= 0.08 (Hu & Bentler
#: 1999, *Structural Equation Modeling* 6(1)).
CFI_MIN: float = 0.95
RMSEA_MAX: float = 0.06
SRMR_MAX: float = 0.08
#: Convergent validity: average variance extracted >= 0.50 and composite reliability >= 0.70 (Fornell & Larcker 1981;
#: Hair et al., *Multivariate Data Analysis*); discriminant validity: HTMT < 0.85 (Henseler, Ringle & Sarstedt 2015).
AVE_MIN: float = 0.50
CR_MIN: float = 0.70
HTMT_MAX: float = 0.85

#: Average System Usability Scale score of published studies (Sauro 2011, *A Practical Guide to the System Usability
#: Scale*): 68. A score at or above it is "above average" usability.
SUS_BENCHMARK: float = 68.0

#: Kinds of period a processed table's ``period_kind`` holds, from the longest to the shortest (PermenPANRB 6/2022:
#: evaluation "periodik dan tahunan"; units evaluate by month, quarter or semester besides the year).
PERIOD_KINDS: tuple[str, ...] = ("year", "semester", "quarter", "month")
#: Regular expression every canonical period label matches: ``2025``, ``2025-S2``, ``2025-Q3``, ``2025-07``.
PERIOD_PATTERN: str = r"^\d{4}(?:-(?:S[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
