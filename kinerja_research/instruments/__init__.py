"""Instrument codebooks (YAML, one per instrument), answer label sets, and their loader."""

from __future__ import annotations

from kinerja_research.instruments.codebook import (
    Codebook,
    ItemScale,
    LabelSet,
    get_label_set,
    list_codebooks,
    list_label_sets,
    load_codebook,
    normalise_label,
    shipped_item_scales,
)

__all__ = [
    "Codebook",
    "ItemScale",
    "LabelSet",
    "load_codebook",
    "list_codebooks",
    "list_label_sets",
    "get_label_set",
    "normalise_label",
    "shipped_item_scales",
]
