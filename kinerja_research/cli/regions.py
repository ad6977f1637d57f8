"""`kinerja regions`: look up the Kemendagri region registry (names, Kemendagri codes, BPS codes)."""

from __future__ import annotations

import typer

from kinerja_research.cli.apps import app
from kinerja_research.errors import RegionError


@app.command("regions")
def regions_cmd(
    names: list[str] | None = typer.Argument(
        None,
        help="Names or codes to resolve (e.g. 'B. Lampung' 17.71; an undotted 4-digit code is a BPS code). "
        "Without names, list the registry.",
    ),
    level: str | None = typer.Option(None, help="Restrict to 'provinsi', 'kabkota', 'kabupaten' or 'kota'."),
    province: str | None = typer.Option(None, help="List only the kab/kota of this province (name or code)."),
    strict: bool = typer.Option(
        False, "--strict", help="Resolve only: a name that fits several regions is an error (exit 2), not a list."
    ),
) -> None:
    """Resolve region names to Kemendagri codes (an ambiguous name lists its candidates), or list the 38 provinces
    and 514 kab/kota."""
    # Lazy: every command module is imported by `kinerja --help` (0.3 s); the registry (pandas) adds 1.2 s
    # (python -X importtime), paid only by this command.
    from kinerja_research import regions

    if names:
        for name in names:
            found = regions.region_candidates(name, level=level)
            if len(found) == 1 or (len(found) > 1 and not strict):
                for reg in found:
                    note = f"\tambiguous: {name!r} fits {len(found)} regions" if len(found) > 1 else ""
                    typer.echo(f"{reg.code}\t{reg.name}\t{reg.type}\t{reg.province_name}{note}")
                if len(found) > 1:
                    typer.echo(
                        f"# {name!r} fits {len(found)} regions: write the type (Kota/Kabupaten) or the code", err=True
                    )
                continue
            regions.resolve_region(name, level=level)  # raises the one-sentence error (unknown or ambiguous)
            raise RegionError(f"Region name {name!r} is not in the Kemendagri registry.")  # pragma: no cover
        return
    table = regions.regions_table(level)
    if province is not None:
        prov = regions.resolve_region(province, level="provinsi")
        table = table[(table["province_code"] == prov.code) & (table["type"] != "provinsi")]
    for row in table.itertuples(index=False):
        typer.echo(f"{row.code}\t{row.name}\t{row.type}\t{row.province_name}")
    typer.echo(f"# {len(table)} regions; source: {regions.REGISTRY_SOURCE}", err=True)
