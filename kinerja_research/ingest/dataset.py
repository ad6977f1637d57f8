"""``dataset.yml``: which file is which table, how its headers map to canonical columns and codebook items, which
instruments (shipped or the dataset's own codebook files) the survey uses and which constructs they measure.

The mapping lives in that file, never in code (see docs/architecture.md for the format). :func:`load_dataset`
checks it and returns a :class:`DatasetConfig`; :func:`map_headers` renames a file's source headers to canonical
names and says, when required columns are missing, which headers came closest.

Beyond the file entries (``tables``), dataset.yml may hold::

    instruments:                    # per table: shipped codebook names and/or the dataset's own codebook files
      survey: [rtc, codebook_kepuasan.yml]      # a path is relative to the dataset folder (no '..', no absolute)
      satisfaction: [skm]
    likert: {RTC: agree5}           # instrument (or item prefix) -> label set its answers are on in this dataset
    constructs:                     # construct -> instrument or instrument.dimension (default: the shipped ones)
      satisfaction: kepuasan_kerja
      resistance: rtc
    free_text: {survey: [agency]}   # kept text columns the dataset declares free text (names/NIPs in them redacted)

Without ``instruments`` the survey uses every shipped codebook except ``skm`` and the satisfaction table ``skm``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from kinerja_research.errors import InputFileError, KinerjaError, RegionError, where
from kinerja_research.instruments import list_codebooks, load_codebook
from kinerja_research.instruments.codebook import Codebook, ItemScale, get_label_set, list_label_sets
from kinerja_research.instruments.safe_yaml import read_yaml
from kinerja_research.regions import region_candidates, resolve_region

__all__ = [
    "FileSpec",
    "DatasetConfig",
    "ItemScale",
    "load_dataset",
    "map_headers",
    "normalise_header",
    "TABLE_COLUMNS",
    "REQUIRED_COLUMNS",
    "CONSTRUCTS",
    "DEFAULT_CONSTRUCTS",
    "FREE_TEXT_COLUMNS",
    "region_from_filename",
]

TABLES = ("survey", "performance", "training", "satisfaction")
_SPEC_KEYS = {"file", "reader", "options", "region", "columns", "values", "constants"}
_OPTION_KEYS = {"sep", "encoding", "decimal", "sheet", "header_row", "skip_rows", "dayfirst", "headers"}
_TOP_KEYS = {
    "name",
    "description",
    "tables",
    "instruments",
    "likert",
    "reference_date",
    "quality",
    "constructs",
    "free_text",
    "synthetic",
    "generator",
}
#: Largest header_row / skip_rows accepted (a sheet has at most 1,048,576 rows).
MAX_OPTION_ROWS = 1_048_576
#: Most file entries and files (after globs) one dataset may name.
MAX_ENTRIES = 10_000
MAX_FILES = 100_000

#: Canonical (pre-cleaning) columns each table may map to, besides codebook item ids. Self-reported survey fields
#: (``age``, ``gender``, ``education``, ``tenure_years`` = masa kerja in years, ``golongan``, ``jabatan``,
#: ``agency`` = OPD / unit kerja) are checked by the clean step (against the NIP where it gives the same fact);
#: ``name``, ``email`` and ``phone`` are private and never leave it.
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
        "age",
        "gender",
        "tenure_years",
        "jabatan",
        "email",
        "phone",
    ),
    "performance": (
        "nip",
        "name",
        "region",
        "agency",
        "jabatan",
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
#: Constructs the analyses look for, and the shipped instrument that measures each by default.
DEFAULT_CONSTRUCTS = {
    "resistance": "rtc",
    "training": "training",
    "reward": "reward",
    "sanction": "sanction",
    "motivation": "motivation",
    "usability": "sus",
    "satisfaction": "skm",
}
CONSTRUCTS = tuple(DEFAULT_CONSTRUCTS)
#: Kept text columns per table that ``free_text`` may declare.
FREE_TEXT_COLUMNS = {
    "survey": ("agency", "jabatan"),
    "performance": ("agency", "jabatan"),
    "training": ("agency", "course"),
    "satisfaction": ("service_unit", "occupation"),
}
_ITEM_TABLES = ("survey", "satisfaction")


@dataclass
class FileSpec:
    """One entry of ``tables.<table>`` in dataset.yml (``codebooks``: the instruments of its table, set by
    :func:`load_dataset` so that :func:`map_headers` can recognise their items and check headers' wording)."""

    table: str
    file: str
    reader: str | None = None
    options: dict = field(default_factory=dict)
    region: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    codebooks: tuple = field(default=(), repr=False, compare=False)


@dataclass
class DatasetConfig:
    """A parsed dataset.yml.

    Attributes
    ----------
    codebooks : dict of str to Codebook
        Every instrument the dataset uses, by name (a ``likert:`` override already applied: the codebook is then on
        the declared label set's scale).
    instruments : dict of str to list of str
        Table -> instrument names.
    constructs : dict of str to (str, str or None)
        Construct (``resistance``, ``training``, ``reward``, ``sanction``, ``motivation``, ``usability``,
        ``satisfaction``) -> (instrument name, dimension key or None for all its items); only constructs whose
        instrument the dataset has.
    free_text : dict of str to list of str
        Table -> kept text columns declared free text.
    synthetic : bool
        Whether the data are made up (``synthetic: true`` in dataset.yml; a dataset.yml written by
        ``kinerja data synth`` says so, and an older one is recognised by the generator's mark in its description).
    generator : dict
        For synthetic data, what made them (``generator:`` in dataset.yml: ``name``, ``seed``, ``scale``, ``regions``).
    """

    path: Path
    name: str
    description: str = ""
    tables: dict[str, list[FileSpec]] = field(default_factory=dict)
    instruments: dict[str, list[str]] = field(default_factory=dict)
    likert: dict[str, str] = field(default_factory=dict)
    reference_date: pd.Timestamp | None = None
    quality: dict = field(default_factory=dict)
    codebooks: dict[str, Codebook] = field(default_factory=dict)
    constructs: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    free_text: dict[str, list[str]] = field(default_factory=dict)
    synthetic: bool = False
    generator: dict = field(default_factory=dict)
    _scales: dict | None = field(default=None, repr=False, compare=False)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def item_scales(self) -> dict[str, ItemScale]:
        """Item id -> :class:`~kinerja_research.instruments.codebook.ItemScale` of every item of the dataset's
        instruments: the scale range, answer text (normalised by ``normalise_label``) -> point from the codebook's
        label set, its own labels and aliases, per-item answer wordings (SKM per unsur) and ``likert:`` overrides,
        and reverse keying. The clean step maps answers only through this.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "dataset.yml").write_text("{tables: {survey: [{file: s.csv}]}, likert: {RTC: agree5}}")
        >>> s = load_dataset(d).item_scales()
        >>> s["RTC01"].high, s["RTC01"].labels["ragu-ragu"], s["RTC04"].reverse, s["U7"].labels["sopan dan ramah"]
        (5, 3, True, 3)
        """
        if self._scales is None:
            out: dict[str, ItemScale] = {}
            for cb in self.codebooks.values():
                out.update(cb.item_scales())
            self._scales = out
        return dict(self._scales)

    def construct_items(self) -> dict[str, list[str]]:
        """Construct -> the item ids that measure it (its instrument's items, or those of the named dimension), in
        codebook order, for every construct of :attr:`constructs`."""
        out: dict[str, list[str]] = {}
        for construct, (inst, dim) in self.constructs.items():
            cb = self.codebooks[inst]
            out[construct] = list(cb.item_ids if dim is None else cb.dimension_items()[dim])
        return out

    def files(self, spec: FileSpec) -> list[Path]:
        """Files matched by a spec (sorted; the spec's ``file`` may be a glob), each a regular file inside the
        dataset folder (a symlink pointing out of it, a pipe or a device is refused)."""
        root = self.folder.resolve()
        if any(ch in spec.file for ch in "*?["):
            found = []
            for p in sorted(self.folder.glob(spec.file)):
                if p.is_dir() and not p.is_symlink():
                    continue
                found.append(p)
                if len(found) > MAX_FILES:
                    raise InputFileError(
                        f"{where(self.path)}, table {spec.table!r}: file {spec.file!r} matches more than "
                        f"{MAX_FILES:,} files; rule: a glob names the files of one table"
                    )
        else:
            p = self.folder / spec.file
            found = [p] if (p.exists() or p.is_symlink()) else []
        if not found:
            raise InputFileError(
                f"{where(self.path)}, table {spec.table!r}: file {spec.file!r} is not in "
                f"'{self.folder}'; rule: every file named in dataset.yml exists"
            )
        for p in found:
            _check_inside(p, root, self.path, spec)
        return found


def _check_inside(p: Path, root: Path, yml: Path, spec: FileSpec) -> None:
    """A data file must be a regular file whose real location is inside the dataset folder."""
    try:
        real = p.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputFileError(
            f"{where(p)}: the file (or the link it is) cannot be followed to an existing file; rule: every file named "
            f"in dataset.yml exists inside the dataset folder"
        ) from None
    if not real.is_relative_to(root):
        raise InputFileError(
            f"{where(p)}: the file is a link to '{real}', outside the dataset folder; rule: dataset.yml reads only "
            f"files inside its own folder (copy the file in)"
        )
    mode = real.stat().st_mode
    if stat.S_ISDIR(mode):
        raise InputFileError(f"{where(p)}: this is a folder, not a file; rule: dataset.yml lists files")
    if not stat.S_ISREG(mode):
        raise InputFileError(
            f"{where(p)}: this is not a regular file (a pipe, socket or device), which could block forever; rule: "
            f"table {spec.table!r} reads files saved on disk"
        )


def _bad(path: Path, what: str, rule: str) -> None:
    raise KinerjaError(f"{where(path)}: {what}; rule: {rule}")


_READERS = ("csv", "excel", "spss", "forms")
_QUALITY = {"seconds_per_item": (float, 0.0, 600.0), "straight_min_items": (int, 2, 10_000)}


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_relative(path: Path, value: str, at: str, what: str) -> None:
    """A path or glob written in dataset.yml: relative to the dataset folder, never absolute or climbing out."""
    v = value.replace("\\", "/")
    if v.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", v) or PurePosixPath(v).is_absolute():
        _bad(
            path,
            f"{what} {value!r} in {at} is an absolute path",
            f"{what} is relative to the dataset folder (copy the file into the folder)",
        )
    if ".." in PurePosixPath(v).parts:
        _bad(
            path,
            f"{what} {value!r} in {at} climbs out of the dataset folder ('..')",
            f"{what} names a file inside the dataset folder",
        )
    if "\x00" in value or len(value) > 1000:
        _bad(path, f"{what} of {len(value)} characters in {at}", f"{what} is a file name or glob")


def _check_options(path: Path, opts: dict, at: str) -> None:
    """Types and ranges of the reader options of one entry."""
    import codecs

    def bad(key, rule):
        _bad(path, f"option {key}: {opts[key]!r} in {at}", rule)

    example = {"sep": '","', "decimal": '","', "encoding": "utf-8"}
    for key in ("sep", "decimal", "encoding"):
        if key in opts and opts[key] is not None and (not isinstance(opts[key], str) or not opts[key]):
            bad(key, f"{key} is a text such as {example[key]} (quote it in YAML)")
    if opts.get("sep") is not None and (len(opts["sep"]) != 1 or opts["sep"] in ('"', "\n", "\r")):
        bad("sep", "sep is one character such as ',' ';' or a tab (quote it in YAML)")
    if opts.get("decimal") not in (None, ",", "."):
        bad("decimal", "decimal is ',' or '.'")
    if opts.get("encoding") is not None:
        try:
            codecs.lookup(opts["encoding"])
        except (LookupError, ValueError):
            bad("encoding", "encoding is a Python codec name such as utf-8 or cp1252")
    for key, low in (("header_row", 1), ("skip_rows", 0)):
        v = opts.get(key)
        if v is not None and (not _is_int(v) or not low <= v <= MAX_OPTION_ROWS):
            what = "the 1-based row holding the headers" if key == "header_row" else "rows skipped after the header"
            bad(key, f"{key} is a whole number from {low} to {MAX_OPTION_ROWS:,} ({what})")
    if (
        "sheet" in opts
        and opts["sheet"] is not None
        and not (isinstance(opts["sheet"], str) or (_is_int(opts["sheet"]) and 0 <= opts["sheet"] < 10_000))
    ):
        bad("sheet", "sheet is a sheet name or a 0-based sheet number")
    if "dayfirst" in opts and opts["dayfirst"] is not None and not isinstance(opts["dayfirst"], bool):
        bad("dayfirst", "dayfirst is true or false")
    if "headers" in opts and opts["headers"] not in (None, "names", "labels"):
        bad("headers", "headers is 'names' or 'labels'")


def _check_text_keys(path: Path, doc: dict) -> None:
    for key in ("name", "description"):
        v = doc.get(key)
        if v is not None and (not isinstance(v, (str, int, float)) or isinstance(v, bool)):
            _bad(path, f"{key}: a {type(v).__name__}", f"{key} is a text")
        if isinstance(v, str) and len(v) > 10_000:
            _bad(path, f"{key} of {len(v):,} characters", f"{key} is a text of at most 10,000 characters")


def _load_codebooks(path: Path, doc: dict) -> tuple[dict[str, Codebook], dict[str, list[str]]]:
    """The dataset's codebooks (shipped names and own files) and table -> instrument names."""
    inst = doc.get("instruments")
    shipped = list_codebooks()
    if inst is None:
        inst = {"survey": [n for n in shipped if n != "skm"], "satisfaction": ["skm"]}
    if not isinstance(inst, dict):
        _bad(
            path,
            f"instruments: {inst!r}"[:200],
            "instruments maps a table to a list of codebook names or codebook files (own.yml)",
        )
    codebooks: dict[str, Codebook] = {}
    origin: dict[str, str] = {}
    tables: dict[str, list[str]] = {}
    for table, names in inst.items():
        if table not in _ITEM_TABLES:
            _bad(path, f"instruments: table {table!r}", f"tables with instruments are {', '.join(_ITEM_TABLES)}")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list):
            _bad(path, f"instruments.{table}: {names!r}"[:200], "instruments maps a table to a list of codebooks")
        tables[table] = []
        for n in names:
            at = f"instruments.{table}"
            if not isinstance(n, str) or not n.strip():
                _bad(path, f"{at}: entry {n!r}"[:200], "each entry is a codebook name or a codebook file")
            if n.endswith((".yml", ".yaml")) or "/" in n or "\\" in n:
                _check_relative(path, n, at, "codebook file")
                f = path.parent / n
                if not f.exists() and not f.is_symlink():
                    _bad(path, f"{at}: codebook file {n!r} is not in '{path.parent}'", "a codebook file named exists")
                real = f.resolve()
                if not real.is_relative_to(path.parent.resolve()):
                    _bad(path, f"{at}: codebook file {n!r} links outside the dataset folder", "codebooks are inside it")
                cb = load_codebook(f)
            elif n in shipped:
                cb = load_codebook(n)
            else:
                _bad(
                    path,
                    f"{at}: codebook {n!r}",
                    f"codebooks are {', '.join(shipped)} or a codebook file in the dataset folder (name.yml)",
                )
            if cb.name in codebooks and origin[cb.name] != n:
                _bad(
                    path,
                    f"{at}: codebook {n!r} is named {cb.name!r} like {origin[cb.name]!r}",
                    "every instrument of a dataset has its own name (the codebook's 'name' field)",
                )
            codebooks[cb.name] = cb
            origin[cb.name] = n
            if cb.name not in tables[table]:
                tables[table].append(cb.name)
    owner: dict[str, str] = {}
    for name, cb in codebooks.items():
        for item in cb.item_ids:
            if item in owner and owner[item] != name:
                _bad(
                    path,
                    f"item id {item!r} is in codebooks {owner[item]!r} and {name!r}",
                    "item ids are unique across a dataset's instruments (rename one in the own codebook)",
                )
            owner[item] = name
    return codebooks, tables


def _apply_likert(path: Path, likert: object, codebooks: dict[str, Codebook]) -> dict[str, str]:
    """Put instruments on the label set dataset.yml declares (``likert: {RTC: agree5}``)."""
    if likert is None:
        return {}
    if not isinstance(likert, dict):
        _bad(
            path, f"likert: {likert!r}"[:200], "likert maps an instrument or item prefix (RTC) to a label set (agree5)"
        )
    sets = list_label_sets()
    prefix_of = {item: re.sub(r"\d+$", "", item) for cb in codebooks.values() for item in cb.item_ids}
    prefixes = sorted(set(prefix_of.values()))
    out = {}
    for key, label_set in likert.items():
        key = str(key)
        if label_set not in sets:
            _bad(path, f"likert.{key}: label set {label_set!r}", f"label sets are {', '.join(sets)}")
        if key in codebooks:
            names = [key]
        elif key in prefixes:
            names = sorted({n for n, cb in codebooks.items() for i in cb.item_ids if prefix_of[i] == key})
            for n in names:
                other = [i for i in codebooks[n].item_ids if prefix_of[i] != key]
                if other:
                    _bad(
                        path,
                        f"likert.{key}: prefix {key!r} covers only some items of instrument {n!r} (not {other[0]!r})",
                        "a label set applies to a whole instrument (name the instrument instead)",
                    )
        else:
            _bad(
                path,
                f"likert: item prefix {key!r}",
                f"keys are instruments ({', '.join(sorted(codebooks))}) or item prefixes ({', '.join(prefixes)})",
            )
        for n in names:
            cb = codebooks[n]
            if cb.scale.get("label_set") == label_set:
                continue
            points = int(cb.scale["max"]) - int(cb.scale["min"]) + 1
            method = cb.scoring.get("method")
            if method in ("sus", "skm") and get_label_set(label_set).n_points != points:
                _bad(
                    path,
                    f"likert.{key}: label set {label_set!r} for instrument {n!r}",
                    f"{method.upper()} keeps its {points}-point scale (its score is defined on it)",
                )
            codebooks[n] = cb.with_label_set(label_set)
        out[key] = str(label_set)
    return out


def _constructs(path: Path, raw: object, codebooks: dict[str, Codebook]) -> dict[str, tuple[str, str | None]]:
    out: dict[str, tuple[str, str | None]] = {
        c: (inst, None) for c, inst in DEFAULT_CONSTRUCTS.items() if inst in codebooks
    }
    if raw is None:
        return out
    if not isinstance(raw, dict):
        _bad(path, f"constructs: {raw!r}"[:200], "constructs maps a construct to an instrument or instrument.dimension")
    for construct, target in raw.items():
        if construct not in CONSTRUCTS:
            _bad(path, f"constructs: construct {construct!r}", f"constructs are {', '.join(CONSTRUCTS)}")
        if target is None:
            out.pop(construct, None)
            continue
        if isinstance(target, dict):
            inst, dim = target.get("instrument"), target.get("dimension")
        elif isinstance(target, str):
            inst, _, dim = target.partition(".")
            dim = dim or None
        else:
            inst, dim = None, None
        if not isinstance(inst, str) or inst not in codebooks:
            _bad(
                path,
                f"constructs.{construct}: {target!r}"[:200],
                f"a construct names an instrument of the dataset ({', '.join(sorted(codebooks))}), optionally with "
                f"a dimension (instrument.dimension)",
            )
        if dim is not None and dim not in codebooks[inst].dimensions:
            _bad(
                path,
                f"constructs.{construct}: dimension {dim!r} of {inst!r}",
                f"dimensions of {inst} are {', '.join(codebooks[inst].dimensions)}",
            )
        out[construct] = (inst, dim)
    return out


#: The mark ``kinerja data synth`` puts in the description (and first line) of the dataset.yml it writes.
SYNTH_MARK = "generator: kinerja_research.synth"


def _synthetic(path: Path, doc: dict) -> bool:
    flag = doc.get("synthetic")
    if flag is None:  # a synthetic dataset written before the key existed
        return SYNTH_MARK in str(doc.get("description") or "")
    if not isinstance(flag, bool):
        _bad(path, f"synthetic: {flag!r}"[:200], "synthetic is true or false")
    return flag


def _generator(path: Path, raw: object) -> dict:
    if raw is None:
        return {}
    ok = isinstance(raw, dict) and len(raw) <= 20
    ok = ok and all(
        isinstance(k, str) and (v is None or (isinstance(v, (str, int, float)) and len(str(v)) <= 1000))
        for k, v in raw.items()
    )
    if not ok:
        _bad(path, f"generator: {raw!r}"[:200], "generator maps at most 20 names to a text or a number each")
    return dict(raw)


def _free_text(path: Path, raw: object) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        _bad(path, f"free_text: {raw!r}"[:200], "free_text maps a table to a list of its text columns")
    out = {}
    for table, cols in raw.items():
        if table not in FREE_TEXT_COLUMNS:
            _bad(path, f"free_text: table {table!r}", f"tables are {', '.join(TABLES)}")
        cols = [cols] if isinstance(cols, str) else cols
        if not isinstance(cols, list):
            _bad(path, f"free_text.{table}: {cols!r}"[:200], "free_text maps a table to a list of its text columns")
        for c in cols:
            if c not in FREE_TEXT_COLUMNS[table]:
                _bad(
                    path,
                    f"free_text.{table}: column {c!r}",
                    f"free-text columns of {table} are {', '.join(FREE_TEXT_COLUMNS[table])}",
                )
        out[table] = list(cols)
    return out


def _check_quality(path: Path, quality: object) -> None:
    if quality is None:
        return
    if not isinstance(quality, dict):
        _bad(path, f"quality: {quality!r}"[:200], f"quality maps {', '.join(_QUALITY)} to numbers")
    for key, v in quality.items():
        if key not in _QUALITY:
            _bad(path, f"quality key {key!r}", f"quality keys are {', '.join(_QUALITY)}")
        kind, low, high = _QUALITY[key]
        ok = (_is_int(v) or (kind is float and isinstance(v, float))) and math.isfinite(v) and low <= v <= high
        if not ok:
            what = "a number" if kind is float else "a whole number"
            _bad(path, f"quality.{key}: {v!r}", f"{key} is {what} from {low:g} to {high:g}")


def load_dataset(folder_or_file: str | Path) -> DatasetConfig:
    """Read and check ``dataset.yml`` (a dataset folder or the file itself).

    The file is read within size and alias limits in any text encoding
    (:func:`kinerja_research.instruments.safe_yaml.read_yaml`); paths are relative to the dataset folder.

    Raises
    ------
    KinerjaError
        Missing file, invalid YAML, unknown keys or tables, a mapping to an unknown canonical column or item, a path
        outside the dataset folder, an own codebook that breaks a codebook rule, an unknown label set or construct.
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
    if not path.exists() and not path.is_symlink():
        raise InputFileError(
            f"{where(path)}: the dataset folder has no dataset.yml; rule: a dataset folder holds a "
            f"dataset.yml (write a first one with `kinerja init-dataset {path.parent}`)"
        )
    doc, _ = read_yaml(path, what="dataset.yml")
    if not isinstance(doc, dict):
        _bad(path, "the file is not a mapping", "dataset.yml is a mapping with name and tables")
    unknown = [k for k in doc if k not in _TOP_KEYS]
    if unknown:
        _bad(path, f"key {str(unknown[0])[:100]!r}", f"top-level keys are {sorted(_TOP_KEYS)}")
    tables = doc.get("tables") or {}
    if isinstance(tables, list):
        _bad(path, "'tables' is a list", "tables is a mapping: table name (survey, ...) -> list of file entries")
    if not isinstance(tables, dict) or not tables:
        _bad(path, "'tables' is missing or empty", "dataset.yml maps at least one table to its files")
    _check_text_keys(path, doc)
    _check_quality(path, doc.get("quality"))
    codebooks, instruments = _load_codebooks(path, doc)
    likert = _apply_likert(path, doc.get("likert"), codebooks)
    cfg = DatasetConfig(
        path=path,
        name=str(doc.get("name") or path.parent.name),
        description=str(doc.get("description") or ""),
        instruments=instruments,
        likert=likert,
        quality=dict(doc.get("quality") or {}),
        codebooks=codebooks,
        constructs=_constructs(path, doc.get("constructs"), codebooks),
        free_text=_free_text(path, doc.get("free_text")),
        synthetic=_synthetic(path, doc),
        generator=_generator(path, doc.get("generator")),
    )
    ref = doc.get("reference_date")
    if ref is not None:
        try:
            if not isinstance(ref, (str, dt.date)):
                raise TypeError(ref)
            cfg.reference_date = pd.Timestamp(ref if not isinstance(ref, dt.date) else ref.isoformat())
        except (ValueError, TypeError, OverflowError):
            _bad(path, f"reference_date {str(ref)[:100]!r}", "reference_date is a date (YYYY-MM-DD)")
    n_entries = 0
    for table, specs in tables.items():
        if table not in TABLES:
            _bad(path, f"table {str(table)[:100]!r}", f"tables are {', '.join(TABLES)}")
        if isinstance(specs, dict):
            specs = [specs]
        if specs is not None and not isinstance(specs, list):
            _bad(path, f"table {table!r}: {specs!r}"[:300], "a table lists its file entries")
        table_cbs = tuple(codebooks[n] for n in instruments.get(table, []))
        item_ids = {i for cb in table_cbs for i in cb.item_ids}
        out = []
        for i, s in enumerate(specs or []):
            n_entries += 1
            if n_entries > MAX_ENTRIES:
                _bad(path, f"more than {MAX_ENTRIES:,} file entries", "use globs ('skp_*.xlsx') for many files")
            if not isinstance(s, dict) or "file" not in s:
                _bad(path, f"entry {i + 1} of table {table!r}", "each entry has at least 'file'")
            at = f"entry {i + 1} of table {table!r}"
            extra = [k for k in s if k not in _SPEC_KEYS]
            if extra:
                _bad(path, f"key {str(extra[0])[:100]!r} in {at}", f"entry keys are {sorted(_SPEC_KEYS)}")
            if not isinstance(s["file"], str) or not s["file"]:
                _bad(path, f"file: {s['file']!r} in {at}"[:300], "file is a file name or glob")
            _check_relative(path, s["file"], at, "file")
            if s.get("reader") is not None and s["reader"] not in _READERS:
                _bad(path, f"reader: {s['reader']!r} in {at}"[:300], f"readers are {', '.join(_READERS)}")
            if s.get("region") is not None and (
                not isinstance(s["region"], (str, int, float)) or isinstance(s["region"], bool)
            ):
                _bad(
                    path, f"region: {s['region']!r} in {at}"[:300], "region is a region name or code, or from_filename"
                )
            for key in ("options", "columns", "values", "constants"):
                if s.get(key) is not None and not isinstance(s[key], dict):
                    kind = "a list" if isinstance(s[key], list) else repr(s[key])[:100]
                    _bad(path, f"{key} is {kind} in {at}", f"{key} is a mapping (key: value lines)")
            opts = dict(s.get("options") or {})
            bad_opt = [k for k in opts if k not in _OPTION_KEYS]
            if bad_opt:
                _bad(path, f"option {str(bad_opt[0])[:100]!r} in {at}", f"options are {sorted(_OPTION_KEYS)}")
            _check_options(path, opts, at)
            for col, vmap in (s.get("values") or {}).items():
                if not isinstance(vmap, dict):
                    _bad(path, f"values.{col}: {vmap!r} in {at}"[:300], "values maps a column to {source value: value}")
            for col, v in (s.get("constants") or {}).items():
                if ALIASES.get(str(col), str(col)) not in TABLE_COLUMNS[table]:
                    _bad(path, f"constant column {col!r} in {at}", f"columns are {', '.join(TABLE_COLUMNS[table])}")
                if isinstance(v, (dict, list)):
                    _bad(path, f"constants.{col}: {v!r} in {at}"[:300], "a constant is a single value")
            columns = {}
            for k, v in (s.get("columns") or {}).items():
                if v is None or isinstance(v, (dict, list, bool)):
                    _bad(
                        path,
                        f"column {str(k)[:100]!r} -> {v!r} in table {table!r}"[:300],
                        "a column maps to one canonical column or item id",
                    )
                columns[str(k)] = ALIASES.get(str(v), str(v))
            for src, canon in columns.items():
                if canon not in TABLE_COLUMNS[table] and canon not in item_ids:
                    items_hint = (
                        f" or item ids of its instruments ({', '.join(cb.name for cb in table_cbs)}: e.g. "
                        f"{table_cbs[0].item_ids[0]})"
                        if table_cbs
                        else " (item ids only in the survey and satisfaction tables, from the codebooks named "
                        "under instruments)"
                    )
                    _bad(
                        path,
                        f"column {src[:200]!r} -> {canon[:100]!r} in table {table!r}",
                        f"targets are {', '.join(TABLE_COLUMNS[table])}{items_hint}",
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
                    codebooks=table_cbs,
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


def _never_echo(text: str) -> bool:
    """True when a header may be shown in a message (it does not hold a NIP-like run of digits)."""
    return not re.search(r"\d{6}", re.sub(r"[ .]", "", text))


def _closest(name: str, by_norm: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(normalise_header(name), list(by_norm), n=3, cutoff=0.4)
    close = [x for x in close if _never_echo(x)]  # never echo a NIP
    return ", ".join(repr(by_norm[x][:120]) for x in close) or "none"


def _item_label(cb: Codebook, item: str) -> str:
    row = cb.items.loc[cb.items["id"] == item].iloc[0]
    name = row.get("element_id") if isinstance(row.get("element_id"), str) else row["text_id"]
    return f"{item} ({name})"


def map_headers(headers: list[str], spec: FileSpec, *, path: Path) -> dict[str, str]:
    """Source header -> canonical column for one file.

    Headers are compared after :func:`normalise_header`. Besides the headers dataset.yml maps, a header that already
    is a canonical name or an item id of the table's instruments is taken as it is, and a header whose wording names
    exactly one item of an instrument with ``header_words`` (SKM unsur: "Sarana dan Prasarana", "8. Bagaimana ...
    kualitas sarana dan prasarana?") is mapped to that item when dataset.yml maps no header to it: SKM columns are
    matched by their wording, not by their number (the regulation's questionnaire and its list of unsur order
    sarana and pengaduan differently).

    Returns
    -------
    dict
        Only the headers that are mapped and that the file has.

    Raises
    ------
    InputFileError
        When a required column (see :data:`REQUIRED_COLUMNS`; ``region`` not if the spec gives it) is missing (the
        message names the missing columns, the headers dataset.yml expected and the closest headers found); when a
        header dataset.yml maps is not in the file; when two headers of the file are mapped to one column; or when a
        header is mapped to an item its wording contradicts (``"Sarana dan prasarana" -> U8``).
    """
    by_norm = {normalise_header(h): h for h in headers}
    mapping: dict[str, str] = {}
    targets: dict[str, list[str]] = {}
    for src, canon in spec.columns.items():
        targets.setdefault(canon, []).append(src)
        h = by_norm.get(normalise_header(src))
        if h is not None:
            mapping[h] = canon
    explicit = dict(mapping)
    cbs = tuple(spec.codebooks)
    item_ids = {i for cb in cbs for i in cb.item_ids}
    for h in headers:  # headers that already are canonical names or item ids
        if h not in mapping and (h in TABLE_COLUMNS[spec.table] or h in item_ids) and h not in spec.columns:
            mapping[h] = h
    # SKM unsur by their wording: a header naming exactly one item of an instrument with header_words
    worded = [cb for cb in cbs if "header_words" in cb.items]
    for h in headers:
        found = [(cb, i) for cb in worded for i in cb.header_items(h)]
        if len(found) != 1:
            continue
        cb, item = found[0]
        if h in explicit:
            if explicit[h] in set(cb.item_ids) and explicit[h] != item:
                shown = repr(h[:200]) if _never_echo(h) else "(a header holding a NIP)"
                raise InputFileError(
                    f"{where(path)}: header {shown} is mapped to {_item_label(cb, explicit[h])} but its wording "
                    f"names {_item_label(cb, item)}; rule: SKM unsur are matched by their wording, not their number "
                    f"(the regulation's questionnaire asks sarana before pengaduan, its list of unsur the other way "
                    f"round) -- map the header to {item}"
                )
        elif h not in mapping and item not in mapping.values():
            mapping[h] = item
    seen: dict[str, str] = {}
    for h, canon in mapping.items():
        if canon in seen:
            shown = [repr(x[:120]) if _never_echo(x) else "(a header holding a NIP)" for x in (seen[canon], h)]
            raise InputFileError(
                f"{where(path)}: headers {shown[0]} and {shown[1]} are both mapped to {canon!r}; rule: one header "
                f"per column in a file (map one of them, or map the other to another column)"
            )
        seen[canon] = h
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
            parts.append(
                f"{c!r} (expected header {expected[0][:120]!r}; closest found: {_closest(expected[0], by_norm)})"
            )
        raise InputFileError(
            f"{where(path)}: required columns missing for table {spec.table!r}: "
            f"{'; '.join(parts)}; rule: a {spec.table} file provides "
            f"{', '.join(required)} (map them in dataset.yml)"
        )
    absent = [(canon, srcs) for canon, srcs in targets.items() if canon not in got]
    if absent:
        canon, srcs = absent[0]
        more = f" (and {len(absent) - 1} more)" if len(absent) > 1 else ""
        shown = repr(srcs[0][:200]) if _never_echo(srcs[0]) else "(a header holding a NIP)"
        raise InputFileError(
            f"{where(path)}: header {shown}, mapped to {canon!r} in dataset.yml, is not in the file{more} "
            f"(closest found: {_closest(srcs[0], by_norm)}); rule: every header dataset.yml maps is in each file of "
            f"its entry (correct the header, or give files with other headers their own entry)"
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
            # the candidates alone (what resolve_region decides by): a failing resolve_region would also look for
            # the closest names to word its error, about 0.2 s per file name spent on sentences nobody reads
            try:
                regs = region_candidates(cand, level="kabkota")
            except RegionError:
                continue
            if len(regs) != 1:
                continue
            found.setdefault(regs[0].code, cand)
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
