"""`kinerja data synth`: write the synthetic default dataset (thin: options -> kinerja_research.synth)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from kinerja_research.cli import app, data_app  # noqa: F401
from kinerja_research.errors import KinerjaError

_STEPS = 6  # simulate + 5 writer steps (survey, SKP, training, SKM, dataset.yml/GROUND_TRUTH)


def _prepare_out(out: Path, force: bool) -> None:
    """Check that ``out`` may be (over)written; remove the files of an earlier synthetic dataset there."""
    from kinerja_research.synth._raw import MARKER

    if out.exists() and not out.is_dir():
        raise KinerjaError(f"Output path '{out}' is a file; the rule is a folder (it is created when missing).")
    spec = out / "dataset.yml"
    ours = spec.exists() and MARKER in spec.read_text(encoding="utf-8", errors="replace")[:400]
    if spec.exists() and not ours and not force:
        raise KinerjaError(
            f"Output folder '{out}' holds a dataset.yml that `kinerja data synth` did not write; "
            "the rule is to choose another --out or pass --force to overwrite it."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".kinerja_write_test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise KinerjaError(
            f"Output folder '{out}' is not writable ({exc.strerror or exc}); the rule is a folder "
            "you may write to (choose another --out)."
        ) from None
    if ours:
        truth = out / "GROUND_TRUTH.json"
        try:
            old = json.loads(truth.read_text(encoding="utf-8")).get("files", {}) if truth.exists() else {}
        except (OSError, ValueError):
            old = {}
        for name in list(old) + ["dataset.yml", "GROUND_TRUTH.json"]:
            p = out / Path(name).name
            if p.is_file():
                p.unlink()


@data_app.command("synth")
def synth_cmd(
    seed: int = typer.Option(2026, "--seed", help="Random seed; the same seed gives byte-identical files."),
    scale: float = typer.Option(
        1.0, "--scale", help="Row-count multiplier (1.0: about 800 staff per region; 457: about 1,000,000 survey rows)."
    ),
    regions: list[str] | None = typer.Option(
        None,
        "--regions",
        "-r",
        help="Kemendagri kab/kota codes or names (repeat the option); default 18.71 17.71 11.73 53.71; "
        "'all' = all 514 kab/kota.",
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output folder (default data/raw/default)."),
    force: bool = typer.Option(
        False, "--force", help="Overwrite a folder whose dataset.yml was not written by this command."
    ),
    tables: list[str] | None = typer.Option(
        None,
        "--tables",
        "-t",
        help="Write only these tables (survey, performance, training, satisfaction; "
        "repeat the option), e.g. only the survey export for a reader benchmark.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display; print only the final line."),
) -> None:
    """Write the synthetic default dataset: messy raw files, dataset.yml and GROUND_TRUTH.json."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kinerja_research import paths, synth

    try:
        if seed < 0:
            raise KinerjaError(f"Option --seed is {seed}; the rule is a non-negative integer.")
        if not (scale > 0) or scale > 2000:
            raise KinerjaError(f"Option --scale is {scale:g}; the rule is a number above 0 and at most 2000.")
        target = (out if out is not None else paths.raw_dir(paths.DEFAULT_DATASET)).expanduser()
        regs = None
        if regions:
            regs = (
                ["all"]
                if [r.lower() for r in regions] == ["all"]
                else [x for r in regions for x in r.replace(",", " ").split()]
            )
        from kinerja_research.synth._raw import TABLES

        only = None
        if tables:
            only = [x for t in tables for x in t.replace(",", " ").split()]
            bad = [t for t in only if t not in TABLES]
            if bad:
                raise KinerjaError(f"Option --tables has {bad[0]!r}; the rule is one of {', '.join(TABLES)}.")
        t0 = time.perf_counter()
        # resolve regions and check the folder before the (possibly long) simulation
        synth._resolve_regions(regs)
        _prepare_out(target, force)
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=True,
        ) as bar:
            task = bar.add_task("simulating the world", total=_STEPS)
            world = synth.simulate(seed=seed, scale=scale, regions=regs)
            bar.advance(task)

            def step(msg: str) -> None:
                bar.update(task, description=f"writing {msg}")
                if msg != "survey (Google Forms export)":
                    bar.advance(task)

            truth = synth.write_raw(world, target, seed=seed, progress=step, tables=only)
            bar.advance(task)
    except KinerjaError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    n_rows = sum(len(t) for t in world.tables.values())
    typer.echo(
        f"Wrote {len(truth['files']) + 2} files ({n_rows} clean rows, {len(truth['dirt'])} planted "
        f"problems, regions {' '.join(world.regions) if len(world.regions) <= 8 else len(world.regions)}) "
        f"to {target} in {time.perf_counter() - t0:.1f} s."
    )
