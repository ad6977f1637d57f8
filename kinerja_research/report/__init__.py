"""The report layer: notebook context, formatting, suppression, plots, translation, the parallel runner, rendering.

``import kinerja_research.report`` is light: submodules load on first use (``kr.report.start`` imports the notebook
context with matplotlib and IPython; ``kr.report.run_suite`` the runner) -- measured: the notebook context costs
about 2 s to import, which ``kinerja --help`` and ``kinerja validate`` should not pay.

Layers inside the package (imports point down only): ``numbers`` (number formatting) <- ``i18n`` <- ``tables``
(suppress -> format -> label) <- ``suppress`` / ``export`` / ``needs`` / ``provenance`` / ``browser`` <- ``render``
<- ``notebook`` <- ``runner``.

Public names: :func:`start` and :class:`Context` (``notebook.py``), :func:`format_table` and friends (``tables.py``),
number formatting (``numbers.py``), :func:`run_suite` and :data:`SUITE` (``runner.py``), :func:`render_html`,
:func:`write_index` (``render.py``), :func:`load_translations`, :class:`Translator` (``i18n``), plot helpers in
``plots``.
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
    "format_value": "numbers",
    "format_p": "numbers",
    "format_number": "numbers",
    "load_translations": "i18n",
    "Translator": "i18n",
    "run_suite": "runner",
    "SUITE": "runner",
    "render_html": "render",
    "write_index": "render",
    "region_palette": "plots",
    "summarise_problems": "audit",
}
_SUBMODULES = (
    "notebook",
    "tables",
    "numbers",
    "suppress",
    "export",
    "needs",
    "browser",
    "procs",
    "plots",
    "i18n",
    "runner",
    "render",
    "provenance",
    "audit",
    "findings",
)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
