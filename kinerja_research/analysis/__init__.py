"""Analyses: one module per family, re-exported flat (``kr.did``, ``kr.welch_anova``, ...)."""

from __future__ import annotations

import importlib

_MODULES = (
    "frames",
    "training",
    "resistance",
    "rewards",
    "categorical",
    "mixed",
    "skp",
    "satisfaction",
    "sampling",
    "comparison",
)

__all__: list[str] = []
for _name in _MODULES:
    _mod = importlib.import_module(f"{__name__}.{_name}")
    for _public in _mod.__all__:
        globals()[_public] = getattr(_mod, _public)
        __all__.append(_public)
