"""`kinerja regions`: look up the Kemendagri region registry."""

from __future__ import annotations

import typer

from kinerja_research.cli import app


@app.command("regions")
def regions_cmd(
    names: list[str] | None = typer.Argument(
        None, help="Names or codes to resolve (e.g. 'B. Lampung' 17.71). Without names, list the registry."
    ),
    level: str | None = typer.Option(None, help="Restrict to 'provinsi', 'kabkota', 'kabupaten' or 'kota'."),
    province: str | None = typer.Option(None, help="List only the kab/kota of this province (name or code)."),
) -> None:
    """Resolve region names to Kemendagri codes, or list the 38 provinces and 514 kab/kota."""
    from kinerja_research import regions

    if names:
        for name in names:
            reg = regions.resolve_region(name, level=level)
            typer.echo(f"{reg.code}\t{reg.name}\t{reg.type}\t{reg.province_name}")
        return
    table = regions.regions_table(level)
    if province is not None:
        prov = regions.resolve_region(province, level="provinsi")
        table = table[(table["province_code"] == prov.code) & (table["type"] != "provinsi")]
    for row in table.itertuples(index=False):
        typer.echo(f"{row.code}\t{row.name}\t{row.type}\t{row.province_name}")
    typer.echo(f"# {len(table)} regions; source: {regions.REGISTRY_SOURCE}", err=True)
