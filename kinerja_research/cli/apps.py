"""The ``kinerja`` Typer applications: :data:`app` and its ``data`` group. Command modules register on them;
``kinerja_research.cli`` imports the command modules and runs :data:`app` (so the package imports its commands and
no command imports the package: no import circle)."""

from __future__ import annotations

import typer

__all__ = ["app", "data_app"]

app = typer.Typer(
    name="kinerja",
    help="kinerja_research: evidence on ASN performance management, region by region.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Datasets: write the synthetic default dataset.", no_args_is_help=True)
app.add_typer(data_app, name="data")
