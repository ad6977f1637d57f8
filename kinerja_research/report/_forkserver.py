"""Preloaded by the report runner's forkserver only: the forkserver dies with the command that started it.

Importing this module has that one effect (:func:`kinerja_research.report.procs.die_with_parent`); nothing else
imports it.
"""

from __future__ import annotations

from kinerja_research.report.procs import die_with_parent

die_with_parent()
