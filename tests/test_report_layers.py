"""The report layer's own house: no import circle among its modules, imports pointing down its layers, and no
environment variable left as a channel between the runner and the notebooks."""

from __future__ import annotations

import ast
from pathlib import Path

import kinerja_research.report as report_pkg

REPORT = Path(report_pkg.__file__).parent
#: Lowest first: a module may import only modules of its own or a lower layer.
LAYERS = [
    {"numbers", "procs", "batch"},
    {"i18n"},
    {"tables", "provenance", "export", "needs", "browser", "audit", "_forkserver", "spss"},
    {"suppress", "plots"},
    {"render"},
    {"notebook", "findings"},
    {"national", "national_training", "national_rtc", "national_rewards", "national_overview"},
    {"sections"},
    {"runner"},
]


def _imports() -> dict[str, set[str]]:
    """``{module: report modules it imports}``, counting imports anywhere in the file (also inside functions)."""
    files = {f.stem: f for f in REPORT.glob("*.py") if f.stem != "__init__"}
    files["i18n"] = REPORT / "i18n" / "__init__.py"
    graph = {}
    for name, f in sorted(files.items()):
        deps = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            for m in mods:
                parts = m.split(".")
                if m.startswith("kinerja_research.report.") and parts[2] in files:
                    deps.add(parts[2])
        graph[name] = deps - {name}
    return graph


def test_no_import_circle_in_the_report_layer():
    graph = _imports()
    seen, stack = set(), []

    def visit(n):
        if n in stack:
            raise AssertionError(f"import circle: {' -> '.join(stack[stack.index(n) :] + [n])}")
        if n in seen:
            return
        stack.append(n)
        for d in graph.get(n, ()):
            visit(d)
        stack.pop()
        seen.add(n)

    for n in graph:
        visit(n)


def test_imports_point_down_the_layers():
    level = {m: i for i, layer in enumerate(LAYERS) for m in layer}
    graph = _imports()
    unplaced = sorted(set(graph) - set(level))
    assert unplaced == [], f"report modules without a layer: {unplaced}"
    upward = [(m, d) for m, deps in graph.items() for d in deps if level[d] > level[m]]
    assert upward == []


def test_no_environment_channel_between_runner_and_notebooks():
    for f in ("runner.py", "notebook.py", "tables.py", "provenance.py"):
        text = (REPORT / f).read_text(encoding="utf-8")
        for gone in ("KINERJA_REPORT_STEM", "KINERJA_RUN_ID", "KINERJA_GIT_COMMIT", "KINERJA_MIN_CELL_N"):
            assert gone not in text, (f, gone)
