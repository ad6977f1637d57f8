"""`kinerja data synth`: write the synthetic default dataset (thin: options -> kinerja_research.synth)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from kinerja_research.cli.apps import app, data_app  # noqa: F401
from kinerja_research.errors import KinerjaError


def _ours(out: Path) -> set[str]:
    """Names in ``out`` that an earlier `kinerja data synth` wrote there (from its GROUND_TRUTH.json)."""
    from kinerja_research.synth._raw import DIRT_FILE, MARKER

    truth = out / "GROUND_TRUTH.json"
    spec = out / "dataset.yml"
    try:
        old = json.loads(truth.read_text(encoding="utf-8")) if truth.is_file() else None
    except (OSError, ValueError):
        old = None
    if not isinstance(old, dict) or not isinstance(old.get("files"), dict):
        return set()
    names = {Path(n).name for n in old["files"]} | {"GROUND_TRUTH.json", DIRT_FILE}
    ledger = old.get("dirt_files")
    if isinstance(ledger, dict) and isinstance(ledger.get("regions"), dict):
        names |= {Path(str(v.get("name", ""))).name for v in ledger["regions"].values() if isinstance(v, dict)}
    if spec.is_file() and MARKER in spec.read_text(encoding="utf-8", errors="replace")[:400]:
        names.add("dataset.yml")
    return names


def _prepare_out(out: Path, force: bool) -> None:
    """Check that ``out`` may be written: empty, or holding only the files of an earlier synthetic dataset (which are
    then removed). A folder holding any file this command did not write is refused: synth never writes into it."""
    if out.exists() and not out.is_dir():
        raise KinerjaError(f"Output path '{out}' is a file; the rule is a folder (it is created when missing).")
    present = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    ours = _ours(out)
    if force and "dataset.yml" in present and ours:
        ours.add("dataset.yml")  # --force: an earlier synthetic dataset.yml that was edited by hand
    foreign = [n for n in present if n not in ours or (out / n).is_symlink() or not (out / n).is_file()]
    if foreign:
        shown = ", ".join(repr(n) for n in foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise KinerjaError(
            f"Output folder '{out}' holds {shown}, which `kinerja data synth` did not write; the rule is that synth "
            "writes only into an empty folder or one holding its own earlier output (choose another --out)."
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
    for name in present:  # every one of them is ours (checked above)
        p = out / name
        if p.is_file() and not p.is_symlink():
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
        False,
        "--force",
        help="Replace an earlier synthetic dataset even when its dataset.yml was edited by hand (a folder holding "
        "any other file is always refused).",
    ),
    tables: list[str] | None = typer.Option(
        None,
        "--tables",
        "-t",
        help="Write only these tables (survey, performance, training, satisfaction; "
        "repeat the option), e.g. only the survey export for a reader benchmark.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display; print only the final line."),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Finish an interrupted national run (same --out, --seed, --scale, --regions): regions already written "
        "are simulated again for the survey export but not rewritten.",
    ),
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
        if not resume:
            _prepare_out(target, force)
        console = Console(stderr=True)
        n_regions = len(synth._resolve_regions(regs))
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=True,
        ) as bar:
            # one step per region (simulated, written and let go in turn), the survey export, the truth files
            task = bar.add_task("simulating", total=n_regions + 2)

            def step(msg: str) -> None:
                bar.update(task, description=f"writing {msg}")
                if not msg.startswith("region 1/"):
                    bar.advance(task)

            truth = synth.write_default(
                target, seed=seed, scale=scale, regions=regs, progress=step, tables=only, keep_dirt=False, resume=resume
            )
            bar.advance(task)
    except KinerjaError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    codes = list(truth["regions"])
    n_ledger = len(truth["dirt_files"]["regions"])
    typer.echo(
        f"Wrote {len(truth['files']) + 2 + n_ledger} files ({truth['dirt_files']['records']} planted problems, "
        f"regions {' '.join(codes) if len(codes) <= 8 else len(codes)}) to {target} in "
        f"{time.perf_counter() - t0:.1f} s."
    )
