"""The ``kinerja`` command: thin, it parses options and calls package functions.

Each command group lives in its own module (``data``, ``clean``, ``report``, ``analysis``, ``regions``) and registers
itself on :data:`app`. A user's mistake (:class:`~kinerja_research.errors.KinerjaError`) is printed as one sentence
with a non-zero exit; never a traceback.
"""

from __future__ import annotations

import sys

import typer

from kinerja_research.errors import KinerjaError

app = typer.Typer(
    name="kinerja",
    help="kinerja_research: evidence on ASN performance management, region by region.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Datasets: write the synthetic default dataset.", no_args_is_help=True)
app.add_typer(data_app, name="data")

# Command modules register themselves on `app` / `data_app` when imported.
from kinerja_research.cli import analysis, clean, data, regions, report  # noqa: E402,F401,I001


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
