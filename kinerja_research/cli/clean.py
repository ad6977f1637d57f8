"""`kinerja clean`, `kinerja validate`, `kinerja init-dataset`: thin wrappers over pipeline and ingest.

The package imports happen inside the commands: every command module is imported by `kinerja --help`, and pandas +
pyarrow (pulled in by the pipeline) add about 0.7 s to that start-up."""

from __future__ import annotations

from pathlib import Path

import typer

from kinerja_research.cli.apps import app


@app.command("clean")
def clean_cmd(
    dataset: str = typer.Argument("default", help="Dataset name (data/raw/<name>) or a raw dataset folder."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Processed folder (default data/processed/<name>)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the final line."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        "-w",
        help="Worker processes reading the files and cleaning the tables in parallel (output identical to "
        "--workers 1; default: every core when the raw files are several and at least 32 MiB, else 1).",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Address of a Dask distributed scheduler (tcp://host:8786): read and clean on that cluster (its "
        "workers must see the raw folder at the same path); the same outputs as a local run.",
    ),
) -> None:
    """Clean a raw dataset into data/processed/<name>/ (tables, quarantine, validation.csv, manifest.json)."""
    from kinerja_research import paths
    from kinerja_research.pipeline import build_processed

    raw = paths.raw_dir(dataset)
    name = raw.name
    m = build_processed(name, raw_dir=raw, out_dir=out, progress=not quiet, workers=workers, scheduler=scheduler)
    target = out or paths.processed_dir(name)
    n_err = m["problems_by_severity"].get("error", 0)
    typer.echo(
        f"{name}: {sum(t['rows_out'] for t in m['tables'].values())} rows written, "
        f"{sum(t['rows_quarantined'] for t in m['tables'].values())} quarantined, "
        f"{sum(m['problems'].values())} problems ({n_err} errors) -> {target} "
        f"({m['run']['duration_s']:.1f} s)"
    )


@app.command("validate")
def validate_cmd(
    path: Path = typer.Argument(
        ..., help="Raw dataset folder (with dataset.yml), a dataset.yml, or a processed folder (with validation.csv)."
    ),
    lang: str = typer.Option("id", "--lang", "-l", help="Language of the summary: 'id' or 'en'."),
    top: int = typer.Option(20, "--top", help="Rows of the per-rule summary shown."),
) -> None:
    """Check a dataset without writing anything and print the problems by rule and region."""
    from kinerja_research.pipeline import validate_dataset
    from kinerja_research.report.audit import summarise_problems
    from kinerja_research.report.i18n import Translator

    t = Translator(lang)
    problems, counts = validate_dataset(path)
    for table, c in counts.items():
        typer.echo(
            t(
                "audit.cli_table_line",
                table=table,
                rows_in=c["rows_in"],
                rows_out=c["rows_out"],
                rows_quarantined=c["rows_quarantined"],
            )
        )
    if problems.empty:
        typer.echo(t("audit.cli_no_problems"))
        return
    by_rule, by_region = summarise_problems(problems, lang=lang)
    typer.echo("")
    typer.echo(t("audit.cli_by_rule"))
    typer.echo(by_rule.head(top).to_string(index=False))
    typer.echo("")
    typer.echo(t("audit.cli_by_region"))
    typer.echo(by_region.to_string())


@app.command("init-dataset")
def init_dataset_cmd(
    path: Path = typer.Argument(..., help="Folder with the raw files of a new dataset."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing dataset.yml."),
) -> None:
    """Write a starting dataset.yml by recognising the files' headers; edit it, then run `kinerja clean`."""
    from kinerja_research.ingest.draft import init_dataset

    out, report = init_dataset(path, force=force)
    for line in report:  # the last line names the command to run next
        typer.echo(line)
