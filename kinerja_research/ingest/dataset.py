"""``dataset.yml``: which file is which table, how its headers map to canonical columns and codebook items.

The mapping lives in that file, never in code (see docs/architecture.md for the format). :func:`load_dataset`
checks it and returns a :class:`DatasetConfig`; :func:`map_headers` renames a file's source headers to canonical
names and says, when required columns are missing, which headers came closest.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from kinerja_research.errors import InputFileError, KinerjaError, RegionError, where
from kinerja_research.regions import resolve_region

__all__ = [
    "FileSpec",
    "DatasetConfig",
    "load_dataset",
    "map_headers",
    "normalise_header",
    "TABLE_COLUMNS",
    "REQUIRED_COLUMNS",
    "region_from_filename",
]

TABLES = ("survey", "performance", "training", "satisfaction")
_SPEC_KEYS = {"file", "reader", "options", "region", "columns", "values", "constants"}
_OPTION_KEYS = {"sep", "encoding", "decimal", "sheet", "header_row", "skip_rows", "dayfirst", "headers"}
_TOP_KEYS = {"name", "description", "tables", "instruments", "likert", "reference_date", "quality"}

#: Canonical (pre-cleaning) columns each table may map to, besides codebook item ids.
TABLE_COLUMNS = {
    "survey": (
        "nip",
        "name",
        "region",
        "agency",
        "wave",
        "trained",
        "submitted_at",
        "duration_s",
        "golongan",
        "golongan_raw",
        "education",
        "email",
    ),
    "performance": (
        "nip",
        "name",
        "region",
        "agency",
        "period",
        "period_start",
        "golongan",
        "golongan_raw",
        "rating_hasil_kerja",
        "rating_perilaku",
        "predikat",
        "capaian_pct",
    ),
    "training": ("nip", "name", "region", "agency", "course", "start", "end", "jp", "programme"),
    "satisfaction": (
        "region",
        "service_unit",
        "submitted_at",
        "period",
        "gender",
        "age",
        "education",
        "occupation",
        "name",
        "email",
        "phone",
    ),
}
#: Intermediate names accepted for a canonical column (docs/architecture.md calls the raw grade ``golongan_raw``).
ALIASES = {"golongan_raw": "golongan"}
#: Columns a file must provide (``region`` may instead come from the file spec).
REQUIRED_COLUMNS = {
    "survey": ("nip", "region", "wave"),
    "performance": ("nip", "region", "period"),
    "training": ("nip", "region", "course", "start"),
    "satisfaction": ("region", "service_unit"),
}


@dataclass
class FileSpec:
    """One entry of ``tables.<table>`` in dataset.yml."""

    table: str
    file: str
    reader: str | None = None
    options: dict = field(default_factory=dict)
    region: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)


@dataclass
class DatasetConfig:
    """A parsed dataset.yml."""

    path: Path
    name: str
    description: str = ""
    tables: dict[str, list[FileSpec]] = field(default_factory=dict)
    instruments: dict[str, list[str]] = field(default_factory=dict)
    likert: dict[str, str] = field(default_factory=dict)
    reference_date: pd.Timestamp | None = None
    quality: dict = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def files(self, spec: FileSpec) -> list[Path]:
        """Files matched by a spec (sorted; the spec's ``file`` may be a glob)."""
        if any(ch in spec.file for ch in "*?["):
            found = sorted(p for p in self.folder.glob(spec.file) if p.is_file())
        else:
            p = self.folder / spec.file
            found = [p] if p.exists() else []
        if not found:
            raise InputFileError(
                f"{where(self.path)}, table {spec.table!r}: file {spec.file!r} is not in "
                f"'{self.folder}'; rule: every file named in dataset.yml exists"
            )
        return found


def _bad(path: Path, what: str, rule: str) -> None:
    raise KinerjaError(f"{where(path)}: {what}; rule: {rule}")


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit dates (checked by :func:`load_dataset` with a clear message instead of a
    traceback from inside the parser) and with duplicate keys refused (YAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                dup = key in seen
                seen.add(key)
            except TypeError:
                continue
            if dup:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        return super().construct_mapping(node, deep)


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_READERS = ("csv", "excel", "spss", "forms")
_QUALITY = {"seconds_per_item": (float, 0.0), "straight_min_items": (int, 2)}


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_options(path: Path, opts: dict, at: str) -> None:
    """Types and ranges of the reader options of one entry."""
    import codecs

    def bad(key, rule):
        _bad(path, f"option {key}: {opts[key]!r} in {at}", rule)

    example = {"sep": '","', "decimal": '","', "encoding": "utf-8"}
    for key in ("sep", "decimal", "encoding"):
        if key in opts and opts[key] is not None and (not isinstance(opts[key], str) or not opts[key]):
            bad(key, f"{key} is a text such as {example[key]} (quote it in YAML)")
    if opts.get("decimal") not in (None, ",", "."):
        bad("decimal", "decimal is ',' or '.'")
    if opts.get("encoding") is not None:
        try:
            codecs.lookup(opts["encoding"])
        except LookupError:
            bad("encoding", "encoding is a Python codec name such as utf-8 or cp1252")
    if (
        "header_row" in opts
        and opts["header_row"] is not None
        and (not _is_int(opts["header_row"]) or opts["header_row"] < 1)
    ):
        bad("header_row", "header_row is a whole number >= 1 (the 1-based row holding the headers)")
    if (
        "skip_rows" in opts
        and opts["skip_rows"] is not None
        and (not _is_int(opts["skip_rows"]) or opts["skip_rows"] < 0)
    ):
        bad("skip_rows", "skip_rows is a whole number >= 0")
    if (
        "sheet" in opts
        and opts["sheet"] is not None
        and not (isinstance(opts["sheet"], str) or (_is_int(opts["sheet"]) and opts["sheet"] >= 0))
    ):
        bad("sheet", "sheet is a sheet name or a 0-based sheet number")
    if "dayfirst" in opts and opts["dayfirst"] is not None and not isinstance(opts["dayfirst"], bool):
        bad("dayfirst", "dayfirst is true or false")
    if "headers" in opts and opts["headers"] not in (None, "names", "labels"):
        bad("headers", "headers is 'names' or 'labels'")


def _check_top(path: Path, doc: dict) -> None:
    """Types of the top-level keys other than tables."""
    from kinerja_research.instruments import list_codebooks, load_codebook

    for key in ("name", "description"):
        if doc.get(key) is not None and not isinstance(doc[key], (str, int, float)):
            _bad(path, f"{key}: {doc[key]!r}", f"{key} is a text")
    inst = doc.get("instruments")
    if inst is not None:
        if not isinstance(inst, dict):
            _bad(path, f"instruments: {inst!r}", "instruments maps a table to a list of codebook names")
        known = list_codebooks()
        for table, names in inst.items():
            if table not in TABLES:
                _bad(path, f"instruments: table {table!r}", f"tables are {', '.join(TABLES)}")
            if not isinstance(names, list):
                _bad(path, f"instruments.{table}: {names!r}", "instruments maps a table to a list of codebook names")
            for n in names:
                if n not in known:
                    _bad(path, f"instruments.{table}: codebook {n!r}", f"codebooks are {', '.join(known)}")
    likert = doc.get("likert")
    if likert is not None:
        if not isinstance(likert, dict):
            _bad(path, f"likert: {likert!r}", "likert maps an item prefix (RTC) to a label set (agree6)")
        cbs = [load_codebook(n) for n in list_codebooks()]
        sets = sorted({str(cb.scale["label_set"]) for cb in cbs if cb.scale.get("label_set")})
        prefixes = sorted({re.sub(r"\d+$", "", i) for cb in cbs for i in cb.item_ids})
        for prefix, label_set in likert.items():
            if prefix not in prefixes:
                _bad(path, f"likert: item prefix {prefix!r}", f"prefixes are {', '.join(prefixes)}")
            if label_set not in sets:
                _bad(path, f"likert.{prefix}: label set {label_set!r}", f"label sets are {', '.join(sets)}")
    quality = doc.get("quality")
    if quality is not None:
        if not isinstance(quality, dict):
            _bad(path, f"quality: {quality!r}", f"quality maps {', '.join(_QUALITY)} to numbers")
        for key, v in quality.items():
            if key not in _QUALITY:
                _bad(path, f"quality key {key!r}", f"quality keys are {', '.join(_QUALITY)}")
            kind, low = _QUALITY[key]
            ok = (_is_int(v) or (kind is float and isinstance(v, float))) and v >= low and v == v
            if not ok:
                what = "a number" if kind is float else "a whole number"
                _bad(path, f"quality.{key}: {v!r}", f"{key} is {what} >= {low:g}")


def load_dataset(folder_or_file: str | Path) -> DatasetConfig:
    """Read and check ``dataset.yml`` (a dataset folder or the file itself).

    Raises
    ------
    KinerjaError
        Missing file, invalid YAML, unknown keys or tables, or a mapping to an unknown canonical column.
    """
    p = Path(folder_or_file)
    if not p.exists():
        raise InputFileError(
            f"folder '{p}' does not exist; rule: give an existing raw dataset folder (with a "
            f"dataset.yml) or the name of one under data/raw"
        )
    path = p / "dataset.yml" if p.is_dir() else p
    if p.is_file() and p.suffix.lower() not in (".yml", ".yaml"):
        raise InputFileError(
            f"{where(p)}: this is a data file, not a dataset; rule: give the dataset folder that holds "
            f"it and a dataset.yml (write one with `kinerja init-dataset {p.parent}`)"
        )
    if not path.exists():
        raise InputFileError(
            f"{where(path)}: the dataset folder has no dataset.yml; rule: a dataset folder holds a "
            f"dataset.yml (write a first one with `kinerja init-dataset {path.parent}`)"
        )
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KinerjaError(
            f"{where(path, row=mark.line + 1 if mark else None)}: the file is not valid YAML "
            f"({getattr(exc, 'problem', exc)}); rule: dataset.yml is YAML"
        ) from None
    if not isinstance(doc, dict):
        _bad(path, "the file is not a mapping", "dataset.yml is a mapping with name and tables")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        _bad(path, f"key {sorted(unknown)[0]!r}", f"top-level keys are {sorted(_TOP_KEYS)}")
    tables = doc.get("tables") or {}
    if isinstance(tables, list):
        _bad(path, "'tables' is a list", "tables is a mapping: table name (survey, ...) -> list of file entries")
    if not isinstance(tables, dict) or not tables:
        _bad(path, "'tables' is missing or empty", "dataset.yml maps at least one table to its files")
    _check_top(path, doc)
    cfg = DatasetConfig(
        path=path,
        name=str(doc.get("name") or path.parent.name),
        description=str(doc.get("description") or ""),
        instruments={k: list(v) for k, v in (doc.get("instruments") or {}).items()},
        likert=dict(doc.get("likert") or {}),
        quality=dict(doc.get("quality") or {}),
    )
    ref = doc.get("reference_date")
    if ref is not None:
        try:
            if not isinstance(ref, (str, dt.date)):
                raise TypeError(ref)
            cfg.reference_date = pd.Timestamp(ref if not isinstance(ref, dt.date) else ref.isoformat())
        except (ValueError, TypeError, OverflowError):
            _bad(path, f"reference_date {ref!r}", "reference_date is a date (YYYY-MM-DD)")
    for table, specs in tables.items():
        if table not in TABLES:
            _bad(path, f"table {table!r}", f"tables are {', '.join(TABLES)}")
        if isinstance(specs, dict):
            specs = [specs]
        if specs is not None and not isinstance(specs, list):
            _bad(path, f"table {table!r}: {specs!r}", "a table lists its file entries")
        out = []
        for i, s in enumerate(specs or []):
            if not isinstance(s, dict) or "file" not in s:
                _bad(path, f"entry {i + 1} of table {table!r}", "each entry has at least 'file'")
            at = f"entry {i + 1} of table {table!r}"
            extra = set(s) - _SPEC_KEYS
            if extra:
                _bad(path, f"key {sorted(extra)[0]!r} in {at}", f"entry keys are {sorted(_SPEC_KEYS)}")
            if not isinstance(s["file"], str) or not s["file"]:
                _bad(path, f"file: {s['file']!r} in {at}", "file is a file name or glob")
            if s.get("reader") is not None and s["reader"] not in _READERS:
                _bad(path, f"reader: {s['reader']!r} in {at}", f"readers are {', '.join(_READERS)}")
            if s.get("region") is not None and not isinstance(s["region"], (str, int, float)):
                _bad(path, f"region: {s['region']!r} in {at}", "region is a region name or code, or from_filename")
            for key in ("options", "columns", "values", "constants"):
                if s.get(key) is not None and not isinstance(s[key], dict):
                    kind = "a list" if isinstance(s[key], list) else repr(s[key])
                    _bad(path, f"{key} is {kind} in {at}", f"{key} is a mapping (key: value lines)")
            opts = dict(s.get("options") or {})
            bad_opt = set(opts) - _OPTION_KEYS
            if bad_opt:
                _bad(path, f"option {sorted(bad_opt)[0]!r} in {at}", f"options are {sorted(_OPTION_KEYS)}")
            _check_options(path, opts, at)
            for col, vmap in (s.get("values") or {}).items():
                if not isinstance(vmap, dict):
                    _bad(path, f"values.{col}: {vmap!r} in {at}", "values maps a column to {source value: value}")
            for col, v in (s.get("constants") or {}).items():
                if ALIASES.get(str(col), str(col)) not in TABLE_COLUMNS[table]:
                    _bad(path, f"constant column {col!r} in {at}", f"columns are {', '.join(TABLE_COLUMNS[table])}")
                if isinstance(v, (dict, list)):
                    _bad(path, f"constants.{col}: {v!r} in {at}", "a constant is a single value")
            columns = {str(k): ALIASES.get(str(v), str(v)) for k, v in (s.get("columns") or {}).items()}
            for src, canon in columns.items():
                if canon not in TABLE_COLUMNS[table] and not re.fullmatch(r"[A-Z]{1,4}\d{1,3}", canon):
                    _bad(
                        path,
                        f"column {src!r} -> {canon!r} in table {table!r}",
                        f"targets are {', '.join(TABLE_COLUMNS[table])} or codebook item ids such as RTC01",
                    )
            out.append(
                FileSpec(
                    table=table,
                    file=str(s["file"]),
                    reader=s.get("reader"),
                    options=opts,
                    region=None if s.get("region") is None else str(s["region"]),
                    columns=columns,
                    values={k: dict(v) for k, v in (s.get("values") or {}).items()},
                    constants=dict(s.get("constants") or {}),
                )
            )
        cfg.tables[table] = out
    return cfg


def normalise_header(text: str) -> str:
    """Compare headers loosely: Unicode NFKC, case, spacing, trailing ``*`` / ``:`` / ``?``-free.

    Examples
    --------
    >>> normalise_header("  Nama   Lengkap * ")
    'nama lengkap'
    """
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    t = re.sub(r"\s+", " ", t).strip()
    return t.rstrip(" *:").strip()


def map_headers(headers: list[str], spec: FileSpec, *, path: Path) -> dict[str, str]:
    """Source header -> canonical column for one file.

    Returns
    -------
    dict
        Only the headers that dataset.yml maps and that the file has.

    Raises
    ------
    InputFileError
        When a required column (see :data:`REQUIRED_COLUMNS`; ``region`` not if the spec gives it) is missing: the
        message names the missing columns, the headers dataset.yml expected and the closest headers found.
    """
    by_norm = {normalise_header(h): h for h in headers}
    mapping: dict[str, str] = {}
    targets: dict[str, list[str]] = {}
    for src, canon in spec.columns.items():
        targets.setdefault(canon, []).append(src)
        h = by_norm.get(normalise_header(src))
        if h is not None:
            mapping[h] = canon
    for h in headers:  # headers that already are canonical names or item ids
        if (
            h not in mapping
            and (h in TABLE_COLUMNS[spec.table] or re.fullmatch(r"[A-Z]{1,4}\d{1,3}", h))
            and h not in spec.columns
        ):
            mapping[h] = h
    got = set(mapping.values()) | set(spec.constants)
    required = [c for c in REQUIRED_COLUMNS[spec.table] if not (c == "region" and spec.region)]
    missing = [c for c in required if c not in got]
    if missing and not mapping:
        # no header of dataset.yml is in the file: its first row is data (never echo it: it may hold names/NIPs)
        raise InputFileError(
            f"{where(path)}: none of the headers that dataset.yml maps for "
            f"table {spec.table!r} is in the file's first row, so the file seems to have no header "
            f"row (or another table's layout); rule: a {spec.table} file starts with a header row "
            f"naming {', '.join(required)} (set options.header_row if it is further down)"
        )
    if missing:
        parts = []
        for c in missing:
            expected = targets.get(c, [c])
            close = difflib.get_close_matches(normalise_header(expected[0]), list(by_norm), n=3, cutoff=0.4)
            close = [x for x in close if not re.search(r"\d{6}", re.sub(r"[ .]", "", x))]  # never echo a NIP
            found = ", ".join(repr(by_norm[x]) for x in close) or "none"
            parts.append(f"{c!r} (expected header {expected[0]!r}; closest found: {found})")
        raise InputFileError(
            f"{where(path)}: required columns missing for table {spec.table!r}: "
            f"{'; '.join(parts)}; rule: a {spec.table} file provides "
            f"{', '.join(required)} (map them in dataset.yml)"
        )
    return mapping


def region_from_filename(path: Path, spec_region: str | None) -> str | None:
    """The spec's region: ``None``, a name/code, or ``from_filename`` (resolved from the file name)."""
    if spec_region is None:
        return None
    if spec_region != "from_filename":
        try:
            return resolve_region(spec_region, level="kabkota").code
        except RegionError as exc:
            raise InputFileError(f"{where(path)}: dataset.yml region {spec_region!r} cannot be used ({exc})") from None
    tokens = [t for t in re.split(r"[_\-\s.]+", path.stem) if t]
    found: dict[str, str] = {}
    for i in range(len(tokens)):
        for j in range(len(tokens), i, -1):
            cand = " ".join(tokens[i:j])
            try:
                reg = resolve_region(cand, level="kabkota")
            except RegionError:
                continue
            found.setdefault(reg.code, cand)
            break
        if found:
            break
    if len(found) != 1:
        raise InputFileError(
            f"{where(path)}: no single region can be read from the file name; rule: with region: "
            f"from_filename the name contains one kab/kota name or code (e.g. skp_kota_bandar_"
            f"lampung.xlsx)"
        )
    return next(iter(found))
