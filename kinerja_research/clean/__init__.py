"""Cleaning functions: pure, vectorised (each distinct value handled once), each with a rule name per problem.

``nip`` (NIP parsing and derived fields), ``golongan`` (grade and rank), ``likert`` (answers to scale values),
``values`` (numbers, dates, yes/no), ``agency`` (OPD names), ``quality`` (duplicates, straight-lining, speeding).
"""

from __future__ import annotations

from kinerja_research.clean.agency import normalise_agency
from kinerja_research.clean.golongan import parse_golongan
from kinerja_research.clean.likert import map_likert, normalise_label, reverse_items
from kinerja_research.clean.nip import format_nip, normalise_nip, parse_nip
from kinerja_research.clean.quality import duplicate_submissions, out_of_range, straight_lining, too_fast
from kinerja_research.clean.summary import (
    duration_summary,
    item_columns,
    missingness,
    sample_sizes,
    select_regions,
    table_counts,
    too_fast_threshold,
)
from kinerja_research.clean.values import parse_bool, parse_date, parse_number

__all__ = [
    "normalise_agency",
    "parse_golongan",
    "map_likert",
    "normalise_label",
    "reverse_items",
    "format_nip",
    "normalise_nip",
    "parse_nip",
    "duplicate_submissions",
    "out_of_range",
    "straight_lining",
    "too_fast",
    "parse_bool",
    "parse_date",
    "parse_number",
    "duration_summary",
    "item_columns",
    "missingness",
    "sample_sizes",
    "select_regions",
    "table_counts",
    "too_fast_threshold",
]
