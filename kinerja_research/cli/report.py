"""`kinerja report`: execute the report suite in parallel and write reports/<dataset>-<lang>/."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kinerja_research.cli import app


@app.command("report")
def report_cmd(
    dataset: str = typer.Option(
        "default", "--dataset", "-d", help="Processed dataset: name under data/processed/ or a processed folder."
    ),
    regions: list[str] | None = typer.Option(
        None,
        "--regions",
        "-r",
        help="Region name or Kemendagri code; repeat for several (default: the four "
        "default regions present in the data).",
    ),
    all_regions: bool = typer.Option(False, "--all-regions", help="Every region present in the data."),
    lang: str = typer.Option("id", "--lang", "-l", help="Report language: 'id' (Indonesian) or 'en' (English)."),
    workers: int | None = typer.Option(
        None, "--workers", "-w", help="Parallel worker processes (default: number of cores)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Run folder (default reports/<dataset>-<lang>; replaced atomically)."
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also print every page to PDF with headless Chromium."),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Address of a Dask distributed scheduler (tcp://host:8786): run the jobs on that "
        "cluster instead of local processes.",
    ),
    notebook: list[str] | None = typer.Option(
        None, "--notebook", "-n", help="Run only this notebook of the suite (repeatable; default all present)."
    ),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level passed to every notebook."),
    seed: int = typer.Option(2026, "--seed", help="Seed for bootstrap/resampling passed to every notebook."),
    min_cell: int | None = typer.Option(
        None,
        "--min-cell",
        help="Small-cell threshold: table cells and figure groups about fewer people are suppressed (default 5).",
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the progress bar."),
) -> None:
    """Execute every notebook of the suite (and a brief per region), render HTML without code, write index.html.

    A failing notebook does not stop the others; the command then ends with exit code 1 and names the notebook,
    the cell and the error, keeping the executed notebook for inspection.
    """
    from kinerja_research.report.runner import PER_REGION, SUITE, failure_lines, run_suite, suite_notebooks

    summary = run_suite(
        dataset=dataset,
        regions=regions or None,
        all_regions=all_regions,
        lang=lang,
        workers=workers,
        out=out,
        pdf=pdf,
        scheduler=scheduler,
        notebooks=notebook or None,
        alpha=alpha,
        seed=seed,
        min_cell=min_cell,
        progress=progress,
    )
    absent = [name for name in SUITE + PER_REGION if name not in suite_notebooks()]
    if absent and not notebook:
        typer.secho(f"Not in notebooks/ (skipped): {', '.join(absent)}", fg=typer.colors.YELLOW, err=True)
    n = len(summary.jobs)
    typer.echo(
        f"{n - len(summary.failures)} of {n} reports written to {summary.run_dir} "
        f"({summary.duration_s:.1f} s); open {summary.run_dir / 'index.html'}"
    )
    if summary.pdf_message:
        typer.secho(summary.pdf_message, fg=typer.colors.YELLOW, err=True)
    for job in summary.jobs:
        if job.get("pdf_error"):
            typer.secho(f"{job['stem']}: PDF not written: {job['pdf_error']}", fg=typer.colors.YELLOW, err=True)
    if summary.failures:
        for line in failure_lines(summary):
            typer.secho(line, fg=typer.colors.RED, err=True)
        sys.exit(1)
    if summary.pdf_message or any(j.get("pdf_error") for j in summary.jobs):
        sys.exit(3)
