"""kinerja_research: evidence on how Indonesia's civil servants (ASN) are managed for performance, region by region.

The public API is flat (``import kinerja_research as kr; kr.cronbach_alpha(...)``): every name in the ``__all__`` of
the modules listed in ``_FLAT_MODULES`` is available here. Modules are imported on first use, so ``kinerja --help``
and ``import kinerja_research`` stay fast and a notebook pays only for what it calls.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Modules whose ``__all__`` is re-exported flat, in lookup order.
_FLAT_MODULES = (
    "standards",
    "regions",
    "synth",
    "privacy",
    "pipeline",
    "instruments",
    "measure",
    "analysis",
)
# Subpackages reachable as attributes (``kr.report.start``).
_SUBPACKAGES = ("cli", "clean", "ingest", "report", "schemas", "paths", "errors", "results") + _FLAT_MODULES


def _module(name: str):
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> Any:
    if name.startswith("_"):
        raise AttributeError(f"module 'kinerja_research' has no attribute {name!r}")
    if name in _SUBPACKAGES:
        return _module(name)
    for mod_name in _FLAT_MODULES:
        mod = _module(mod_name)
        if name in getattr(mod, "__all__", ()):
            value = getattr(mod, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'kinerja_research' has no attribute {name!r}")


def _public_names() -> list[str]:
    names: list[str] = []
    for mod_name in _FLAT_MODULES:
        names.extend(getattr(_module(mod_name), "__all__", ()))
    return names


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBPACKAGES) | set(_public_names()))
