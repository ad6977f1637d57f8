"""What a processed dataset holds, and whether a notebook (or a section of one) can run on it.

A notebook declares its needs in its metadata::

    {"kinerja": {"needs": {"tables": ["survey", "performance"], "constructs": ["resistance"]}, "per_region": false}}

The runner runs a notebook only when the dataset meets them (:func:`unmet`) and lists the others on the index with
the reason; inside a notebook ``ctx.has(table=..., construct=...)`` asks the same question of the tables of the page.

A *table* is present when its processed file has at least one row. A *construct* (``resistance``, ``training``,
``reward``, ``sanction``, ``motivation``, ``usability``, ``satisfaction``) is present when at least
:data:`MIN_ITEMS` of its items (all of them when it has fewer) are columns of the table it is asked in with at least
one answer. Its items come from the dataset's ``constructs`` mapping when the manifest carries one (``{construct:
[instrument, dimension or null]}`` or ``{construct: [item ids]}``), else from the shipped codebooks
(:data:`DEFAULT_CONSTRUCTS`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from kinerja_research import paths
from kinerja_research.errors import KinerjaError
from kinerja_research.instruments import load_codebook

__all__ = [
    "DEFAULT_CONSTRUCTS",
    "CONSTRUCT_TABLE",
    "MIN_ITEMS",
    "TABLES",
    "Contents",
    "construct_items",
    "contents_of",
    "dataset_contents",
    "notebook_needs",
    "unmet",
    "processed_folder",
]

TABLES = ("survey", "performance", "training", "satisfaction")
#: Construct -> (shipped instrument, dimension or None for all its items).
DEFAULT_CONSTRUCTS = {
    "resistance": ("rtc", None),
    "training": ("training", None),
    "reward": ("reward", None),
    "sanction": ("sanction", None),
    "motivation": ("motivation", None),
    "usability": ("sus", None),
    "satisfaction": ("skm", None),
}
#: The table whose columns hold a construct's items.
CONSTRUCT_TABLE = {"satisfaction": "satisfaction"}
#: Items a construct needs with at least one answer (all of them when it has fewer).
MIN_ITEMS = 2


@dataclass
class Contents:
    """Rows per table and answered items per construct of a dataset (or of the tables of one page)."""

    tables: dict[str, int] = field(default_factory=dict)
    constructs: dict[str, list[str]] = field(default_factory=dict)
    items: dict[str, list[str]] = field(default_factory=dict)

    def has_table(self, table: str) -> bool:
        return self.tables.get(table, 0) > 0

    def has_construct(self, construct: str) -> bool:
        if construct not in self.items:
            return False
        present, wanted = self.constructs.get(construct, []), self.items[construct]
        return len(present) >= min(MIN_ITEMS, len(wanted)) and len(present) > 0


def processed_folder(dataset: str | Path) -> Path:
    """The folder of a processed dataset: a folder holding ``manifest.json``, else ``data/processed/<dataset>``."""
    p = Path(str(dataset))
    if p.is_dir() and (p / "manifest.json").exists():
        return p
    return paths.processed_dir(str(dataset))


def construct_items(manifest: Mapping | None = None) -> dict[str, list[str]]:
    """Item ids of every construct: the manifest's ``constructs`` mapping where given, else the shipped codebooks."""
    mapping: dict = dict(DEFAULT_CONSTRUCTS)
    mapping.update((manifest or {}).get("constructs") or {})
    out: dict[str, list[str]] = {}
    for name, spec in mapping.items():
        if isinstance(spec, Mapping):
            spec = (spec.get("instrument"), spec.get("dimension"))
        spec = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        if len(spec) == 2 and isinstance(spec[0], str) and (spec[1] is None or isinstance(spec[1], str)):
            try:
                items = load_codebook(spec[0]).items
            except (KinerjaError, OSError):
                items = None
            if items is not None:
                if spec[1] is not None:
                    items = items[items["dimension"] == spec[1]]
                out[name] = items["id"].astype(str).tolist()
                continue
        out[name] = [str(s) for s in spec if s is not None]
    return out


def contents_of(tables: Mapping[str, pd.DataFrame], manifest: Mapping | None = None) -> Contents:
    """:class:`Contents` of tables already in memory (the tables of a page)."""
    items = construct_items(manifest)
    rows = {name: int(len(df)) for name, df in tables.items()}
    constructs = {}
    for name, ids in items.items():
        df = tables.get(CONSTRUCT_TABLE.get(name, "survey"))
        if df is None or df.empty:
            constructs[name] = []
            continue
        constructs[name] = [i for i in ids if i in df.columns and df[i].notna().any()]
    return Contents(tables=rows, constructs=constructs, items=items)


def dataset_contents(dataset: str | Path) -> Contents:
    """:class:`Contents` of a processed dataset, read from its parquet files (row counts from the metadata; only
    the item columns are read)."""
    folder = processed_folder(dataset)
    manifest_file = folder / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.exists() else {}
    items = construct_items(manifest)
    rows: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    for t in TABLES:
        f = folder / f"{t}.parquet"
        if f.exists():
            meta = pq.ParquetFile(f)
            rows[t] = int(meta.metadata.num_rows)
            columns[t] = list(meta.schema_arrow.names)
        else:
            rows[t] = 0
    constructs = {}
    for name, ids in items.items():
        t = CONSTRUCT_TABLE.get(name, "survey")
        wanted = [i for i in ids if i in columns.get(t, [])]
        if not wanted or not rows.get(t):
            constructs[name] = []
            continue
        data = pq.read_table(folder / f"{t}.parquet", columns=wanted)
        constructs[name] = [i for i in wanted if data.column(i).null_count < data.num_rows]
    return Contents(tables=rows, constructs=constructs, items=items)


def notebook_needs(metadata: Mapping) -> dict:
    """``{"tables": [...], "constructs": [...], "per_region": bool | None}`` from a notebook's metadata."""
    kin = (metadata or {}).get("kinerja") or {}
    needs = kin.get("needs") or {}
    bad = [k for k in needs if k not in ("tables", "constructs")]
    if bad:
        raise KinerjaError(
            f"notebook metadata kinerja.needs has {bad}; the rule is only 'tables' and 'constructs' (lists of names)."
        )
    tables = [str(t) for t in needs.get("tables") or []]
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise KinerjaError(
            f"notebook metadata kinerja.needs.tables has {unknown}; the rule is names of {list(TABLES)}."
        )
    per_region = kin.get("per_region")
    return {
        "tables": tables,
        "constructs": [str(c) for c in needs.get("constructs") or []],
        "per_region": None if per_region is None else bool(per_region),
    }


def unmet(needs: Mapping, contents: Contents) -> list[tuple[str, dict]]:
    """What is missing for ``needs``: ``[(translation key, values)]`` (keys ``run.needs_table`` and
    ``run.needs_construct``); empty when the notebook or section can run."""
    out: list[tuple[str, dict]] = []
    for t in needs.get("tables") or []:
        if not contents.has_table(t):
            out.append(("run.needs_table", {"table": t}))
    for c in needs.get("constructs") or []:
        if not contents.has_construct(c):
            out.append(("run.needs_construct", {"construct": c}))
    return out
