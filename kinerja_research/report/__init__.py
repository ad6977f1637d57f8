"""The report layer: notebook context, formatting, plots, translation, the parallel runner and rendering.

``import kinerja_research.report`` is light: submodules load on first use (``kr.report.start`` imports only the
notebook context; ``kr.report.run_suite`` the runner).

Public names: :func:`start` and :class:`Context` (``notebook.py``), :func:`format_table` and friends (``tables.py``),
:func:`run_suite` and :data:`SUITE` (``runner.py``), :func:`render_html`, :func:`write_index` (``render.py``),
:func:`load_translations`, :class:`Translator` (``i18n``), plot helpers in ``plots``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "start",
    "Context",
    "format_table",
    "format_value",
    "format_p",
    "format_number",
    "load_translations",
    "Translator",
    "run_suite",
    "SUITE",
    "render_html",
    "write_index",
    "region_palette",
    "summarise_problems",
]

_WHERE = {
    "start": "notebook",
    "Context": "notebook",
    "format_table": "tables",
    "format_value": "tables",
    "format_p": "tables",
    "format_number": "tables",
    "load_translations": "i18n",
    "Translator": "i18n",
    "run_suite": "runner",
    "SUITE": "runner",
    "render_html": "render",
    "write_index": "render",
    "region_palette": "plots",
    "summarise_problems": "audit",
}
_SUBMODULES = ("notebook", "tables", "plots", "i18n", "runner", "render", "provenance", "audit")


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
