"""Instrument codebooks (YAML, one per instrument) and their loader."""

from __future__ import annotations

from kinerja_research.instruments.codebook import Codebook, list_codebooks, load_codebook

__all__ = ["Codebook", "load_codebook", "list_codebooks"]
