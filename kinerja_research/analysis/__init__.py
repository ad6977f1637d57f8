"""Analyses: one module per family, re-exported flat (``kr.did``, ``kr.welch_anova``, ...)."""
from __future__ import annotations

import importlib

_MODULES = ("frames", "training", "resistance", "rewards", "skp", "satisfaction", "sampling")

__all__: list[str] = []
for _name in _MODULES:
    try:
        _mod = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a family not written yet; every name it would export stays absent
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    for _public in getattr(_mod, "__all__", ()):
        globals()[_public] = getattr(_mod, _public)
        __all__.append(_public)
