"""Codebooks of the survey instruments: YAML files as data, one loader that validates them.

A codebook lists an instrument's items (id, Indonesian and English wording, dimension, reverse-keyed flag), its
answer scale (range, Indonesian/English labels, abbreviations and aliases the data layer maps answers with), its
scoring rule and its source. The shipped codebooks live beside this module (``rtc``, ``training``, ``reward``,
``sanction``, ``motivation``, ``sus``, ``skm``); a user can pass the path of their own YAML file with the same
layout, which is validated by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from kinerja_research.errors import CodebookError, where
from kinerja_research.paths import INSTRUMENTS

__all__ = ["Codebook", "load_codebook", "list_codebooks"]

SCORING_METHODS = ("mean", "sum", "sus", "skm")
_TOP_REQUIRED = ("name", "source", "scale", "dimensions", "items")
_TOP_ALLOWED = _TOP_REQUIRED + ("title_id", "title_en", "reverse_note", "scoring")
_SCALE_ALLOWED = ("label_set", "min", "max", "labels_id", "labels_en", "abbreviations", "aliases")
_ITEM_REQUIRED = ("id", "text_id", "text_en", "dimension", "reverse")
_ITEM_ALLOWED = _ITEM_REQUIRED + ("element", "element_id", "element_en", "note")
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Codebook:
    """One instrument's codebook, as loaded and validated by :func:`load_codebook`.

    Attributes
    ----------
    name : str
        Short name (``"rtc"``); also the file stem of the shipped codebooks.
    title_id, title_en : str
        Instrument title in Indonesian and English.
    source : str
        Where the instrument comes from (citation).
    items : pandas.DataFrame
        One row per item in codebook order: ``id, text_id, text_en, dimension, reverse`` and, for SKM,
        ``element, element_id, element_en``.
    dimensions : dict
        ``{key: {"name_id": ..., "name_en": ...}}`` in codebook order.
    scale : dict
        ``min``, ``max``, ``labels_id``, ``labels_en`` and, when given, ``label_set``, ``abbreviations``, ``aliases``.
    scoring : dict
        ``method`` (``"mean"``, ``"sum"``, ``"sus"``, ``"skm"``) and the method's constants.
    path : pathlib.Path
        The YAML file it was read from.
    """

    name: str
    title_id: str
    title_en: str
    source: str
    items: pd.DataFrame = field(repr=False)
    dimensions: dict = field(repr=False)
    scale: dict = field(repr=False)
    scoring: dict = field(repr=False)
    path: Path = field(repr=False)
    reverse_note: str = field(default="", repr=False)

    @property
    def item_ids(self) -> list[str]:
        """Every item id, in codebook order."""
        return self.items["id"].tolist()

    @property
    def reverse_items(self) -> list[str]:
        """Ids of the reverse-keyed items."""
        return self.items.loc[self.items["reverse"], "id"].tolist()

    def dimension_items(self) -> dict[str, list[str]]:
        """``{dimension: [item ids]}`` in codebook order."""
        return {d: self.items.loc[self.items["dimension"] == d, "id"].tolist() for d in self.dimensions}

    def dimension_name(self, key: str, lang: str = "id") -> str:
        """Display name of a dimension (``lang`` ``"id"`` or ``"en"``); ``"total"`` is the whole instrument."""
        if key == "total":
            return self.title_id if lang == "id" else self.title_en
        return self.dimensions[key]["name_id" if lang == "id" else "name_en"]

    def model_syntax(self, dimensions: list[str] | None = None) -> str:
        """lavaan-style measurement model, one factor per dimension (``routine_seeking =~ RTC01 + RTC02 + ...``).

        Dimensions with fewer than two items are left out of the model (a one-item factor is not identified).
        """
        dims = self.dimension_items()
        keys = list(dims) if dimensions is None else dimensions
        lines = [f"{d} =~ " + " + ".join(dims[d]) for d in keys if len(dims[d]) >= 2]
        return "\n".join(lines)

    def label_map(self) -> dict[str, int]:
        """Lower-cased answer label -> scale value: Indonesian and English labels, abbreviations, aliases.

        Built for the data layer's Likert mapping; a label that would map to two values is left out (ambiguous).
        """
        lo = int(self.scale["min"])
        candidates: dict[str, set[int]] = {}

        def add(text: object, value: int) -> None:
            candidates.setdefault(str(text).strip().lower(), set()).add(value)

        for key in ("labels_id", "labels_en", "abbreviations"):
            for i, lab in enumerate(self.scale.get(key) or []):
                add(lab, lo + i)
        for value, aliases in (self.scale.get("aliases") or {}).items():
            for lab in aliases:
                add(lab, int(value))
        return {k: next(iter(v)) for k, v in candidates.items() if len(v) == 1}

    def element_map(self) -> dict[str, str]:
        """SKM: element key and Indonesian/English element names (lower-cased) -> item id (``U1``...)."""
        if "element" not in self.items:
            return {}
        out: dict[str, str] = {}
        for col in ("element", "element_id", "element_en"):
            for value, item in zip(self.items[col], self.items["id"]):
                out[str(value).strip().lower()] = item
        return out


def list_codebooks() -> list[str]:
    """Names of the codebooks shipped with the package (``["motivation", "reward", "rtc", ...]``)."""
    return sorted(p.stem for p in INSTRUMENTS.glob("*.yml"))


def _resolve(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, Path) or str(name_or_path).endswith((".yml", ".yaml")) or "/" in str(name_or_path):
        path = Path(name_or_path)
        if not path.is_file():
            raise CodebookError(
                f"Codebook {where(file=path)} does not exist; the rule is that a codebook path must "
                f"name an existing YAML file."
            )
        return path
    path = INSTRUMENTS / f"{name_or_path}.yml"
    if not path.is_file():
        raise CodebookError(
            f"Codebook {name_or_path!r} is not shipped with the package; the rule is that a codebook "
            f"is one of {list_codebooks()} or the path of a YAML file."
        )
    return path


def _fail(path: Path, what: str, rule: str) -> None:
    raise CodebookError(f"Codebook {where(file=path)}, {what}: the rule is that {rule}.")


def _validate_scale(path: Path, scale: Any) -> dict:
    if not isinstance(scale, dict):
        _fail(path, f"field 'scale', value {scale!r}", "'scale' is a mapping with min, max, labels_id, labels_en")
    unknown = [k for k in scale if k not in _SCALE_ALLOWED]
    if unknown:
        _fail(path, f"scale field {unknown[0]!r}", f"scale fields are among {list(_SCALE_ALLOWED)}")
    for key in ("min", "max", "labels_id", "labels_en"):
        if key not in scale:
            _fail(path, f"scale field {key!r} missing", "the scale gives min, max, labels_id and labels_en")
    lo, hi = scale["min"], scale["max"]
    for key, v in (("min", lo), ("max", hi)):
        if isinstance(v, bool) or not isinstance(v, int):
            _fail(path, f"scale field {key!r}, value {v!r}", "scale min and max are whole numbers")
    if not lo < hi:
        _fail(path, f"scale min {lo!r} and max {hi!r}", "scale min is smaller than scale max")
    n_points = hi - lo + 1
    for key in ("labels_id", "labels_en", "abbreviations"):
        if key in scale:
            labels = scale[key]
            if not isinstance(labels, list) or len(labels) != n_points:
                got = len(labels) if isinstance(labels, list) else labels
                _fail(
                    path,
                    f"scale field {key!r}, value {got!r}",
                    f"{key} lists one label per scale point ({n_points} for {lo}..{hi})",
                )
    aliases = scale.get("aliases") or {}
    if not isinstance(aliases, dict):
        _fail(path, f"scale field 'aliases', value {aliases!r}", "aliases map a scale value to a list of labels")
    for value, labels in aliases.items():
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            _fail(path, f"scale aliases key {value!r}", f"alias keys are scale values from {lo} to {hi}")
        if not isinstance(labels, list):
            _fail(path, f"scale aliases of {value!r}, value {labels!r}", "aliases of a value are a list of labels")
    return dict(scale)


def _validate_items(path: Path, items: Any, dimensions: dict) -> pd.DataFrame:
    if not isinstance(items, list) or not items:
        _fail(path, f"field 'items', value {items!r}", "'items' is a non-empty list of item mappings")
    seen: dict[str, int] = {}
    rows = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            _fail(
                path,
                f"item {i}, value {item!r}",
                "every item is a mapping with id, text_id, text_en, dimension, reverse",
            )
        label = f"item {i}" + (f" ({item.get('id')!r})" if "id" in item else "")
        for key in _ITEM_REQUIRED:
            if key not in item:
                _fail(path, f"{label}, field {key!r} missing", f"every item has {', '.join(_ITEM_REQUIRED)}")
        unknown = [k for k in item if k not in _ITEM_ALLOWED]
        if unknown:
            _fail(
                path,
                f"{label}, field {unknown[0]!r}",
                f"item fields are among {list(_ITEM_ALLOWED)} (a comma in "
                f"an unquoted flow-style text splits it into fields)",
            )
        iid = item["id"]
        if not isinstance(iid, str) or not _ID_RE.match(iid):
            _fail(
                path, f"{label}, field 'id', value {iid!r}", "an item id is a letter followed by letters, digits or _"
            )
        if iid in seen:
            _fail(
                path, f"{label}, field 'id', value {iid!r}", f"item ids are unique (already used by item {seen[iid]})"
            )
        seen[iid] = i
        if item["dimension"] not in dimensions:
            _fail(
                path,
                f"{label}, field 'dimension', value {item['dimension']!r}",
                f"an item's dimension is one of the keys under 'dimensions' ({', '.join(dimensions)})",
            )
        if not isinstance(item["reverse"], bool):
            _fail(path, f"{label}, field 'reverse', value {item['reverse']!r}", "reverse is true or false")
        for key in ("text_id", "text_en"):
            if not isinstance(item[key], str) or not item[key].strip():
                _fail(path, f"{label}, field {key!r}, value {item[key]!r}", "item wordings are non-empty text")
        rows.append(item)
    df = pd.DataFrame(rows)
    df["reverse"] = df["reverse"].astype(bool)
    for d in dimensions:
        if not (df["dimension"] == d).any():
            _fail(path, f"dimension {d!r}", "every dimension listed under 'dimensions' has at least one item")
    return df


def load_codebook(name_or_path: str | Path) -> Codebook:
    """Load and validate a codebook: a shipped instrument by name, or a user's own YAML file by path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        ``"rtc"``, ``"training"``, ``"reward"``, ``"sanction"``, ``"motivation"``, ``"sus"``, ``"skm"`` (see
        :func:`list_codebooks`), or the path of a ``.yml``/``.yaml`` file with the same layout.

    Returns
    -------
    Codebook
        With ``.items`` (DataFrame: ``id, text_id, text_en, dimension, reverse`` [``element, element_id,
        element_en``]), ``.dimensions``, ``.scale``, ``.scoring`` (``{"method": "mean"}`` when the file has none).

    Raises
    ------
    kinerja_research.errors.CodebookError
        One sentence naming the file and the broken rule: unknown name, unreadable YAML, missing or unknown field,
        bad scale (min >= max, label count not matching the scale points), duplicate item id, item in an unknown
        dimension, dimension without items, unknown scoring method, SUS or SKM rules not met.

    Notes
    -----
    Item answers are stored as answered; reverse-keyed items are reversed only when scoring
    (``min + max - x``, :func:`kinerja_research.score_scale`).

    Examples
    --------
    >>> from kinerja_research.instruments import load_codebook
    >>> cb = load_codebook("rtc")
    >>> len(cb.items), cb.scale["max"], cb.reverse_items
    (17, 6, ['RTC04', 'RTC14'])
    >>> cb.dimension_items()["cognitive_rigidity"]
    ['RTC14', 'RTC15', 'RTC16', 'RTC17']
    """
    path = _resolve(name_or_path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise CodebookError(
            f"Codebook {where(file=path, row=row)} is not valid YAML ({str(exc).splitlines()[0]}); "
            f"the rule is that a codebook is a UTF-8 YAML mapping."
        ) from None
    if not isinstance(raw, dict):
        _fail(path, f"top level, value {type(raw).__name__}", "a codebook is a YAML mapping")
    for key in _TOP_REQUIRED:
        if key not in raw:
            _fail(path, f"field {key!r} missing", f"a codebook has {', '.join(_TOP_REQUIRED)}")
    unknown = [k for k in raw if k not in _TOP_ALLOWED]
    if unknown:
        _fail(path, f"field {unknown[0]!r}", f"top-level fields are among {list(_TOP_ALLOWED)}")
    if not isinstance(raw["name"], str) or not _ID_RE.match(raw["name"]):
        _fail(path, f"field 'name', value {raw['name']!r}", "name is a short identifier")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        _fail(path, f"field 'source', value {raw['source']!r}", "every codebook records its source")
    scale = _validate_scale(path, raw["scale"])
    dims = raw["dimensions"]
    if not isinstance(dims, dict) or not dims:
        _fail(path, f"field 'dimensions', value {dims!r}", "'dimensions' maps each key to name_id and name_en")
    for key, names in dims.items():
        if key == "total":
            _fail(path, "dimension 'total'", "'total' is reserved for the whole-instrument score")
        if not isinstance(names, dict) or "name_id" not in names or "name_en" not in names:
            _fail(path, f"dimension {key!r}, value {names!r}", "each dimension has name_id and name_en")
    items = _validate_items(path, raw["items"], dims)
    scoring = dict(raw.get("scoring") or {"method": "mean"})
    method = scoring.get("method")
    if method not in SCORING_METHODS:
        _fail(path, f"scoring method {method!r}", f"the scoring method is one of {list(SCORING_METHODS)}")
    if method == "sus":
        odd_even_ok = all(items["reverse"].to_numpy() == [(i % 2 == 1) for i in range(len(items))])
        if len(items) != 10 or (scale["min"], scale["max"]) != (1, 5) or not odd_even_ok:
            _fail(path, "scoring method 'sus'", "SUS has 10 items on 1..5 with the even items reverse keyed")
    if method == "skm":
        for key in ("element", "element_id", "element_en"):
            if key not in items or items[key].isna().any():
                _fail(path, f"scoring method 'skm', item field {key!r}", "every SKM item names its element")
        dup = items["element"][items["element"].duplicated()]
        if len(dup):
            _fail(path, f"element {dup.iloc[0]!r}", "each SKM element appears once")
    cols = list(_ITEM_REQUIRED) + [c for c in ("element", "element_id", "element_en", "note") if c in items]
    return Codebook(
        name=raw["name"],
        title_id=str(raw.get("title_id", raw["name"])),
        title_en=str(raw.get("title_en", raw["name"])),
        source=" ".join(raw["source"].split()),
        items=items[cols].reset_index(drop=True),
        dimensions=dict(dims),
        scale=scale,
        scoring=scoring,
        path=path,
        reverse_note=" ".join(str(raw.get("reverse_note", "")).split()),
    )
