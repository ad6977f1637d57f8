"""The ``kinerja`` command: thin, it parses options and calls package functions.

Each command group lives in its own module (``data``, ``clean``, ``report``, ``analysis``, ``regions``) and registers
itself on :data:`app`. A user's mistake (:class:`~kinerja_research.errors.KinerjaError`) is printed as one sentence
with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import sys

import typer

from kinerja_research.cli import analysis, clean, data, regions, report  # noqa: F401 (they register their commands)
from kinerja_research.cli.apps import app, data_app
from kinerja_research.errors import KinerjaError

__all__ = ["app", "data_app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``kinerja`` and ``python -m kinerja_research``."""
    try:
        app(args=argv, prog_name="kinerja")
    except KinerjaError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.secho("Interrupted; outputs of the last complete run are intact.", err=True)
        sys.exit(130)
