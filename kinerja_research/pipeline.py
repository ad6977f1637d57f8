"""Raw dataset folder -> processed tables: the only writer of ``data/processed/``.

:func:`build_processed` reads every file listed in ``data/raw/<dataset>/dataset.yml``, maps headers to canonical
columns, validates and cleans each table, pseudonymises people, quarantines rows with errors (with their reasons) and
writes, atomically::

    data/processed/<dataset>/
        survey.parquet, performance.parquet, training.parquet, satisfaction.parquet
        quarantine/<table>.parquet      rows held back, with a ``reasons`` column
        validation.csv                  one row per problem: file, row, column, value, rule, severity, table, region_code
        manifest.json                   SHA-256 of every input, rows in/out/quarantined, versions, parameters

:func:`load_processed` and :func:`load_table` read them back for measurement, analyses and notebooks.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from kinerja_research import paths
from kinerja_research.errors import KinerjaError

__all__ = ["TABLES", "load_processed", "load_table", "load_validation", "load_manifest"]

TABLES = ("survey", "performance", "training", "satisfaction")


def _processed(dataset: str | Path, out_dir: str | Path | None = None) -> Path:
    if out_dir is not None:
        return Path(out_dir)
    p = Path(dataset)
    if p.is_dir() and (p / "manifest.json").exists():
        return p
    return paths.processed_dir(str(dataset))


def _require(folder: Path, dataset) -> None:
    if not (folder / "manifest.json").exists():
        raise KinerjaError(f"dataset {str(dataset)!r} has not been cleaned: '{folder}' has no manifest.json; rule: run "
                           f"`kinerja clean {dataset}` first")


def load_table(table: str, dataset: str | Path = paths.DEFAULT_DATASET) -> pd.DataFrame:
    """Read one processed table.

    Parameters
    ----------
    table : {"survey", "performance", "training", "satisfaction"}
        Canonical table name.
    dataset : str or path, default "default"
        Dataset name (``data/processed/<dataset>``) or a processed folder.

    Returns
    -------
    pandas.DataFrame
        The table as written by :func:`build_processed` (see docs/architecture.md for its columns); an empty table
        with no rows when the dataset has no file of that kind.

    Raises
    ------
    KinerjaError
        When ``table`` is not a canonical table or the dataset has not been cleaned.
    """
    if table not in TABLES:
        raise KinerjaError(f"table {table!r} is unknown; rule: tables are {', '.join(TABLES)}")
    folder = _processed(dataset)
    _require(folder, dataset)
    f = folder / f"{table}.parquet"
    if not f.exists():
        return pd.DataFrame()
    return pd.read_parquet(f)


def load_processed(dataset: str | Path = paths.DEFAULT_DATASET, *, tables=TABLES) -> dict[str, pd.DataFrame]:
    """Read the processed tables of a dataset.

    Parameters
    ----------
    dataset : str or path, default "default"
        Dataset name (``data/processed/<dataset>``) or a processed folder.
    tables : sequence of str
        Which tables to read (default all four).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``{"survey": ..., "performance": ..., "training": ..., "satisfaction": ...}``; a table the dataset does not
        have is an empty DataFrame.
    """
    return {t: load_table(t, dataset) for t in tables}


def load_validation(dataset: str | Path = paths.DEFAULT_DATASET) -> pd.DataFrame:
    """Read ``validation.csv`` of a processed dataset (one row per problem found while cleaning)."""
    folder = _processed(dataset)
    _require(folder, dataset)
    return pd.read_csv(folder / "validation.csv", dtype={"row": "Int64", "value": "string", "region_code": "string"},
                       keep_default_na=False, na_values=[""])


def load_manifest(dataset: str | Path = paths.DEFAULT_DATASET) -> dict:
    """Read ``manifest.json`` of a processed dataset (input hashes, row counts, versions, parameters)."""
    import json

    folder = _processed(dataset)
    _require(folder, dataset)
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
