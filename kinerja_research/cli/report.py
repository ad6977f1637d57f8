"""`kinerja report`: execute the report suite in parallel and write reports/<dataset>-<lang>/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import typer

from kinerja_research.cli.apps import app

#: The one sentence printed when a run is interrupted (Ctrl-C or SIGTERM); the exit code is 130.
INTERRUPTED = (
    "Interrupted: the run was stopped and its temporary files removed; the last complete report run is unchanged."
)


def split_regions(values: list[str] | None) -> list[str] | None:
    """``--regions`` values as a list: repeated options, and codes separated by spaces or commas in one value
    (``--regions "18.71 17.71"``); names with spaces (``Kota Bandar Lampung``) stay whole.

    Examples
    --------
    >>> split_regions(["18.71 17.71", "Kota Bengkulu", "11.73,53.71"])
    ['18.71', '17.71', 'Kota Bengkulu', '11.73', '53.71']
    """
    if not values:
        return None
    out: list[str] = []
    for v in values:
        parts = [p.strip() for p in re.split(r",", v) if p.strip()]
        for p in parts:
            tokens = p.split()
            if len(tokens) > 1 and all(re.fullmatch(r"\d{2}(\.\d{2}){1,3}", tok) for tok in tokens):
                out += tokens
            else:
                out.append(p)
    return out


@app.command(
    "report",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": False},
)
def report_cmd(
    ctx: typer.Context,
    dataset: str = typer.Option(
        "default", "--dataset", "-d", help="Processed dataset: name under data/processed/ or a processed folder."
    ),
    regions: list[str] | None = typer.Option(
        None,
        "--regions",
        "-r",
        help="Region names or Kemendagri codes: `--regions 18.71 17.71`, or repeat the option (default: the four "
        "default regions present in the data).",
    ),
    all_regions: bool = typer.Option(False, "--all-regions", help="Every region present in the data."),
    lang: str = typer.Option("id", "--lang", "-l", help="Report language: 'id' (Indonesian) or 'en' (English)."),
    workers: int | None = typer.Option(
        None, "--workers", "-w", help="Parallel worker processes (default: number of cores)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Run folder (default reports/<dataset>-<lang>; replaced atomically; refused when it holds files no "
        "report run of this dataset wrote).",
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also print every page to PDF (A4) with headless Chromium."),
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
    style: str = typer.Option(
        "standard",
        "--style",
        help="Result layout: 'standard', or 'skripsi' (SPSS-style blocks: Model Summary, ANOVA, Coefficients).",
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the progress bar."),
    kernels: bool = typer.Option(
        False,
        "--kernels",
        help="Run every region brief in a kernel of its own (as JupyterLab runs it) instead of batches of regions per "
        "worker process; the pages are the same, a national run takes much longer.",
    ),
) -> None:
    """Execute every notebook of the suite (and a brief per region), render HTML without code, write index.html.

    A failing notebook does not stop the others; the command then ends with exit code 1 and names the notebook,
    the cell and the error, keeping the executed notebook for inspection. Notebooks the data cannot feed (no
    performance table, no resistance items, ...) are not run and are listed on the index with the reason.
    """
    # `--regions 18.71 17.71`: the values after the first one arrive as extra arguments and are further regions
    # (the registry refuses anything that is not one); without --regions they are an error.
    extra = list(ctx.args)
    if extra and not regions:
        raise typer.BadParameter(f"unexpected argument(s) {extra}; region codes go after --regions.")
    bad = [a for a in extra if a.startswith("-")]
    if bad:
        raise typer.BadParameter(f"unknown option(s) {bad}.")
    # Measured: the runner takes 2.6 s to import (pandas, pyarrow, openpyxl) against 0.16 s for the whole CLI, so
    # `kinerja --help` and the other commands do not pay for it.
    from kinerja_research.report.runner import (
        PER_REGION,
        SUITE,
        failure_lines,
        run_suite,
        suite_notebooks,
    )

    try:
        summary = run_suite(
            dataset=dataset,
            regions=split_regions([*(regions or []), *extra]),
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
            style=style,
            progress=progress,
            kernels=kernels,
        )
    except KeyboardInterrupt:
        typer.secho(INTERRUPTED, err=True)
        sys.exit(130)
    absent = [name for name in SUITE + PER_REGION if name not in suite_notebooks()]
    if absent and not notebook:
        typer.secho(f"Not in notebooks/ (skipped): {', '.join(absent)}", fg=typer.colors.YELLOW, err=True)
    for s in summary.skipped:
        typer.secho(
            f"Not run on these data: {s['notebook']} (see the index for the reason)", fg=typer.colors.YELLOW, err=True
        )
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
