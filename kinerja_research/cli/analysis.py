"""`kinerja` commands (analysis): registered on the app when imported.

``kinerja sample-size --population 1200`` or ``kinerja sample-size --region 18.71 [--dataset default]`` prints the
Slovin and Krejcie & Morgan sample sizes; with ``--region`` the population is the region's staff count in the processed
data (distinct people in the SKP register, ``performance``; the survey table when no register was delivered).
"""

from __future__ import annotations

import typer

from kinerja_research.cli.apps import app, data_app  # noqa: F401
from kinerja_research.errors import KinerjaError


def region_staff_count(region: str, dataset: str) -> tuple[str, int, str]:
    """(region code, staff count, table used) of a region in a processed dataset."""
    # Lazy: every command module is imported by `kinerja --help` (0.3 s); the pipeline (pandas, pyarrow) adds 2.0 s
    # and the analysis package more (python -X importtime), paid here only by the command that needs them.
    from kinerja_research.pipeline import load_table
    from kinerja_research.regions import resolve_region

    reg = resolve_region(region)
    for table in ("performance", "survey"):
        df = load_table(table, dataset)
        if len(df) and {"region_code", "person_id"} <= set(df.columns):
            n = int(df.loc[df["region_code"].astype(str) == reg.code, "person_id"].nunique())
            if n:
                return reg.code, n, table
    raise KinerjaError(
        f"dataset '{dataset}', column 'region_code', value {reg.code!r}: no staff of this region in the "
        f"processed performance or survey table; the rule is that --region needs the region's staff "
        f"in the data (or give --population)."
    )


@app.command("sample-size")
def sample_size_cmd(
    population: int | None = typer.Option(None, "--population", "-N", help="Population size (number of staff)."),
    region: str | None = typer.Option(
        None,
        "--region",
        help="Region name or Kemendagri code, e.g. 18.71: its staff count is taken from the processed data.",
    ),
    dataset: str = typer.Option("default", "--dataset", help="Processed dataset for --region."),
    margin: float = typer.Option(0.05, "--margin", "-e", help="Margin of error (Slovin e, Krejcie & Morgan d)."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level (Krejcie & Morgan)."),
) -> None:
    """Sample size for a staff survey: Slovin (rounded up) and Krejcie & Morgan (rounded to nearest)."""
    # Lazy, as above: the analysis package imports statsmodels and pingouin.
    from kinerja_research.analysis.sampling import sample_size

    if (population is None) == (region is None):
        raise KinerjaError("Options --population and --region: the rule is to give exactly one of them.")
    source = "--population"
    if region is not None:
        code, population, table = region_staff_count(region, dataset)
        source = f"region {code}: distinct staff in processed '{dataset}' table '{table}'"
    res = sample_size(population, margin=margin, confidence=confidence)
    typer.echo(f"Population N = {population:,} ({source}); margin {margin:g}, confidence {confidence:g}")
    for row in res.itertuples(index=False):  # two formulas
        typer.echo(f"  {row.method:<17} n = {row.sample_size:>7,}   (formula value {row.estimate:.3f})")
