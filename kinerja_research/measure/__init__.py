"""Measurement: scale scores, item analysis, reliability, factor structure and invariance of the instruments.

Re-exported flat (``kr.cronbach_alpha``, ``kr.cfa``, ...). Every function takes a DataFrame of item answers (as
numbers on the instrument's scale) and returns the project's tidy result shape; reverse keys and dimensions come
from a codebook (:func:`kinerja_research.load_codebook`) or from ``items=``/``reverse=``.
"""

from __future__ import annotations

from kinerja_research.measure._examples import example_items as example_items  # doctest data
from kinerja_research.measure.confirmatory import PROBLEM_CODES, CFAResult, cfa
from kinerja_research.measure.exploratory import EFAResult, efa
from kinerja_research.measure.factor import bartlett_sphericity, kmo, parallel_analysis
from kinerja_research.measure.invariance import invariance, invariance_scores, latent_means
from kinerja_research.measure.items import item_analysis, r_table
from kinerja_research.measure.reliability import cronbach_alpha, omega, split_half
from kinerja_research.measure.scoring import score_scale

__all__ = [
    "score_scale",
    "item_analysis",
    "r_table",
    "cronbach_alpha",
    "omega",
    "split_half",
    "kmo",
    "bartlett_sphericity",
    "parallel_analysis",
    "efa",
    "EFAResult",
    "cfa",
    "invariance",
    "invariance_scores",
    "latent_means",
    "CFAResult",
    "PROBLEM_CODES",
]
