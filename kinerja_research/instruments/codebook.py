"""Codebooks of the survey instruments: YAML files as data, one loader that validates them.

A codebook lists an instrument's items (id, Indonesian and English wording, dimension, reverse-keyed flag), its
answer scale (range, Indonesian/English labels, abbreviations and aliases the data layer maps answers with), its
scoring rule and its source. The shipped codebooks live beside this module (``rtc``, ``training``, ``reward``,
``sanction``, ``motivation``, ``sus``, ``skm``); a user can pass the path of their own YAML file with the same
layout, which is validated by the same rules.

Answer words come from named label sets (``_label_sets.yml``: ``agree4``, ``agree5`` with "Netral" / "Ragu-ragu" /
"N", ``agree6``, ``agree7``, ``freq5``, ``satisfied5``, ``skm4``) plus the codebook's own labels, abbreviations and
aliases, plus per-item answer wordings (``answers_id`` / ``answers_en``: SKM asks each unsur in its own words, e.g.
"Tidak sopan dan ramah" ... "Sangat sopan dan ramah" in PermenPANRB 14/2017). :meth:`Codebook.item_scales` gives, per
item, the scale and the answer text -> point table the clean step maps answers with.

A user's own codebook may be short: ``scale: {label_set: agree5}`` gives the range and the labels; items need
``id``, ``text_id``, ``dimension`` (``text_en`` defaults to ``text_id``, ``reverse`` to false)::

    name: kepuasan_kerja
    source: Own questionnaire of BKPSDM Kota X (2025)
    scale: {label_set: agree5}
    dimensions:
      pekerjaan: {name_id: Kepuasan terhadap pekerjaan, name_en: Satisfaction with the work}
    items:
      - {id: KK01, dimension: pekerjaan, text_id: Saya puas dengan pekerjaan saya}
      - {id: KK02, dimension: pekerjaan, text_id: Saya ingin pindah kerja, reverse: true}
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from kinerja_research.errors import CodebookError, where
from kinerja_research.instruments.safe_yaml import read_yaml
from kinerja_research.paths import INSTRUMENTS

__all__ = [
    "shipped_item_scales",
    "Codebook",
    "ItemScale",
    "LabelSet",
    "load_codebook",
    "list_codebooks",
    "list_label_sets",
    "get_label_set",
    "normalise_label",
]

SCORING_METHODS = ("mean", "sum", "sus", "skm")
_TOP_REQUIRED = ("name", "source", "scale", "dimensions", "items")
_TOP_ALLOWED = _TOP_REQUIRED + ("title_id", "title_en", "reverse_note", "scoring")
_SCALE_ALLOWED = ("label_set", "min", "max", "labels_id", "labels_en", "abbreviations", "aliases")
_ITEM_REQUIRED = ("id", "text_id", "dimension")
_ITEM_OPTIONAL = ("text_en", "reverse", "element", "element_id", "element_en", "note")
_ITEM_LISTS = ("answers_id", "answers_en", "header_words")
_ITEM_ALLOWED = _ITEM_REQUIRED + _ITEM_OPTIONAL + _ITEM_LISTS
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_ITEMS = 500


def normalise_label(text: object) -> str:
    """Compare answer words loosely: lower case, trimmed, spaces collapsed, trailing ``.`` ``;`` ``:`` ``!`` ``*``
    dropped (the same rule as :func:`kinerja_research.clean.likert.normalise_label`).

    Examples
    --------
    >>> normalise_label("  Sangat   SETUJU. ")
    'sangat setuju'
    """
    t = re.sub(r"\s+", " ", str(text).strip().lower())
    return t.strip(" .;:!*")


@dataclass(frozen=True)
class LabelSet:
    """A named answer label set (``agree5``): labels per point and every spelling units write for each point."""

    name: str
    labels_id: tuple[str, ...]
    labels_en: tuple[str, ...]
    abbreviations: tuple[str, ...]
    spellings: dict = field(repr=False)  # 1-based point -> tuple of spellings

    @property
    def n_points(self) -> int:
        return len(self.labels_id)

    def label_map(self, low: int = 1) -> dict[str, int]:
        """Normalised answer text -> point on a scale starting at ``low``."""
        out: dict[str, int] = {}
        for i in range(self.n_points):
            for text in (self.labels_id[i], self.labels_en[i], self.abbreviations[i], *self.spellings.get(i + 1, ())):
                out[normalise_label(text)] = low + i
        return out


@lru_cache(maxsize=1)
def _label_sets() -> dict[str, LabelSet]:
    path = INSTRUMENTS / "_label_sets.yml"
    raw, _ = read_yaml(path, error=CodebookError, what="label-set file")
    out = {}
    for name, spec in raw.items():
        n = len(spec["labels_id"])
        for key in ("labels_en", "abbreviations"):
            if len(spec[key]) != n:
                _fail(path, f"label set {name!r}, field {key!r}", f"{key} lists one label per point ({n})")
        spellings = {int(k): tuple(str(x) for x in v) for k, v in (spec.get("spellings") or {}).items()}
        ls = LabelSet(name, tuple(spec["labels_id"]), tuple(spec["labels_en"]), tuple(spec["abbreviations"]), spellings)
        seen: dict[str, int] = {}
        for i in range(n):
            for text in (ls.labels_id[i], ls.labels_en[i], ls.abbreviations[i], *spellings.get(i + 1, ())):
                k = normalise_label(text)
                if seen.setdefault(k, i + 1) != i + 1:
                    _fail(path, f"label set {name!r}, spelling {text!r}", "a spelling fits one point of a set")
        out[name] = ls
    return out


def list_label_sets() -> list[str]:
    """Names of the answer label sets (``["agree4", "agree5", "agree6", "agree7", "freq5", "satisfied5", "skm4"]``)."""
    return sorted(_label_sets())


def get_label_set(name: str) -> LabelSet:
    """The label set called ``name``.

    Raises
    ------
    CodebookError
        When no label set has that name (the message lists them).

    Examples
    --------
    >>> ls = get_label_set("agree5")
    >>> ls.n_points, ls.label_map()["netral"], ls.label_map()["ragu-ragu"], ls.label_map()["n"]
    (5, 3, 3, 3)
    """
    sets = _label_sets()
    if not isinstance(name, str) or name not in sets:
        raise CodebookError(
            f"Label set {name!r} is unknown; the rule is that a label set is one of {', '.join(sorted(sets))}."
        )
    return sets[name]


@dataclass(frozen=True)
class ItemScale:
    """How one item's answers are read: its instrument, scale range, answer text -> point, and reverse keying.

    ``labels`` maps answer text normalised by :func:`normalise_label` to a point in ``low..high``; numbers written as
    answers (``"4"``) are read by the clean step within ``low..high``. ``reverse`` is applied only when scoring.
    """

    instrument: str
    low: int
    high: int
    labels: dict = field(repr=False)
    reverse: bool = False


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
        """Normalised answer label -> scale value: the label set's spellings, the codebook's Indonesian and English
        labels, abbreviations and aliases.

        Built for the data layer's Likert mapping; a label that would map to two values is left out (ambiguous).
        """
        lo = int(self.scale["min"])
        candidates: dict[str, set[int]] = {}

        def add(text: object, value: int) -> None:
            candidates.setdefault(normalise_label(text), set()).add(value)

        if self.scale.get("label_set"):
            for text, value in get_label_set(self.scale["label_set"]).label_map(lo).items():
                add(text, value)
        for key in ("labels_id", "labels_en", "abbreviations"):
            for i, lab in enumerate(self.scale.get(key) or []):
                add(lab, lo + i)
        for value, aliases in (self.scale.get("aliases") or {}).items():
            for lab in aliases:
                add(lab, int(value))
        return {k: next(iter(v)) for k, v in candidates.items() if len(v) == 1}

    def item_label_map(self, item: str) -> dict[str, int]:
        """:meth:`label_map` with the item's own answer wordings (``answers_id`` / ``answers_en``) on top: an item's
        own wording wins over a generic label (SKM sarana: "Cukup" is point 2)."""
        out = dict(self.label_map())
        row = self.items.loc[self.items["id"] == item]
        if row.empty:
            raise CodebookError(f"Codebook {self.name!r} has no item {item!r}; the rule is one of {self.item_ids}.")
        lo = int(self.scale["min"])
        for key in ("answers_id", "answers_en"):
            answers = row.iloc[0].get(key) if key in row else None
            if isinstance(answers, list):
                for i, text in enumerate(answers):
                    out[normalise_label(text)] = lo + i
        return out

    def item_scales(self) -> dict[str, ItemScale]:
        """Item id -> :class:`ItemScale` (instrument, scale range, answer text -> point, reverse keying).

        Examples
        --------
        >>> s = load_codebook("skm").item_scales()
        >>> s["U7"].labels["tidak sopan dan ramah"], s["U9"].labels["cukup"], (s["U9"].low, s["U9"].high)
        (1, 2, (1, 4))
        """
        lo, hi = int(self.scale["min"]), int(self.scale["max"])
        return {
            str(r.id): ItemScale(self.name, lo, hi, self.item_label_map(str(r.id)), bool(r.reverse))
            for r in self.items.itertuples(index=False)
        }

    def header_items(self, header: str) -> list[str]:
        """Items whose ``header_words`` occur in ``header`` as whole words (after lower-casing and collapsing spaces).

        Used to match SKM unsur columns by their wording.

        Examples
        --------
        >>> load_codebook("skm").header_items("8. Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?")
        ['U9']
        """
        if "header_words" not in self.items:
            return []
        text = " " + re.sub(r"[\W_]+", " ", str(header).casefold()) + " "
        out = []
        for item, words in zip(self.items["id"], self.items["header_words"]):
            if isinstance(words, list) and any(f" {w} " in text for w in _word_forms(tuple(words))):
                out.append(str(item))
        return out

    def with_label_set(self, name: str) -> Codebook:
        """This codebook with its answers on another label set's scale (``likert: {RTC: agree5}`` in dataset.yml):
        range ``1..points``, that set's labels, no aliases or per-item wordings of the old scale.

        Raises
        ------
        CodebookError
            Unknown label set, or a codebook whose scoring is defined on its own scale (SUS, SKM).
        """
        ls = get_label_set(name)
        method = self.scoring.get("method")
        if method in ("sus", "skm") and ls.n_points != int(self.scale["max"]) - int(self.scale["min"]) + 1:
            raise CodebookError(
                f"Codebook {where(file=self.path)}, label set {name!r}: the rule is that {method.upper()} keeps its "
                f"{int(self.scale['max']) - int(self.scale['min']) + 1}-point scale (its score is defined on it)."
            )
        scale = {
            "label_set": name,
            "min": 1,
            "max": ls.n_points,
            "labels_id": list(ls.labels_id),
            "labels_en": list(ls.labels_en),
            "abbreviations": list(ls.abbreviations),
        }
        items = self.items.drop(columns=[c for c in ("answers_id", "answers_en") if c in self.items])
        return replace(self, scale=scale, items=items)

    def element_map(self) -> dict[str, str]:
        """SKM: element key and Indonesian/English element names (lower-cased) -> item id (``U1``...)."""
        if "element" not in self.items:
            return {}
        out: dict[str, str] = {}
        for col in ("element", "element_id", "element_en"):
            for value, item in zip(self.items[col], self.items["id"]):
                out[str(value).strip().lower()] = item
        return out


@lru_cache(maxsize=1024)
def _word_forms(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(" ".join(re.sub(r"[\W_]+", " ", w.casefold()).split()) for w in words)


def list_codebooks() -> list[str]:
    """Names of the codebooks shipped with the package (``["motivation", "reward", "rtc", ...]``)."""
    return sorted(p.stem for p in INSTRUMENTS.glob("*.yml") if not p.name.startswith("_"))


def shipped_item_scales() -> dict[str, ItemScale]:
    """Item id -> :class:`ItemScale` of every codebook shipped with the package (the default declared scales; a
    dataset's own come from ``DatasetConfig.item_scales()``).

    Built once per state of the shipped files (each file's modification time and size): a changed codebook is read
    again. The dict is the caller's own; its :class:`ItemScale` values are shared and must not be changed."""
    return dict(_shipped(_shipped_key())[0])


def shipped_scale_labels() -> frozenset[str]:
    """Every answer label (after :func:`normalise_label`) of the shipped codebooks' item scales, built with
    :func:`shipped_item_scales` (once per state of the shipped files)."""
    return _shipped(_shipped_key())[1]


def _shipped_key() -> tuple:
    """The state of the shipped codebook files: ``(name, modification time in ns, size)`` each, in name order."""
    out = []
    for name in list_codebooks():
        st = (INSTRUMENTS / f"{name}.yml").stat()
        out.append((name, st.st_mtime_ns, st.st_size))
    return tuple(out)


@lru_cache(maxsize=4)
def _shipped(key: tuple) -> tuple[dict[str, ItemScale], frozenset[str]]:
    """The shipped item scales and their normalised labels, for one state of the files (:func:`_shipped_key`)."""
    scales: dict[str, ItemScale] = {}
    for name, _, _ in key:
        scales.update(load_codebook(name).item_scales())
    labels = frozenset(normalise_label(k) for sc in scales.values() for k in sc.labels)
    return scales, labels


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
        _fail(
            path,
            f"field 'scale', value {scale!r}",
            "'scale' is a mapping with label_set, or min, max, labels_id, labels_en",
        )
    unknown = [k for k in scale if k not in _SCALE_ALLOWED]
    if unknown:
        _fail(path, f"scale field {unknown[0]!r}", f"scale fields are among {list(_SCALE_ALLOWED)}")
    scale = dict(scale)
    ls = None
    if scale.get("label_set") is not None:
        if not isinstance(scale["label_set"], str) or scale["label_set"] not in _label_sets():
            _fail(
                path,
                f"scale field 'label_set', value {scale['label_set']!r}",
                f"a label set is one of {', '.join(list_label_sets())}",
            )
        ls = get_label_set(scale["label_set"])
        scale.setdefault("min", 1)
        scale.setdefault("max", scale["min"] + ls.n_points - 1 if isinstance(scale["min"], int) else ls.n_points)
        for key in ("labels_id", "labels_en", "abbreviations"):
            scale.setdefault(key, list(getattr(ls, key)))
    for key in ("min", "max", "labels_id", "labels_en"):
        if key not in scale:
            _fail(
                path,
                f"scale field {key!r} missing",
                "the scale gives a label_set, or min, max, labels_id and labels_en",
            )
    lo, hi = scale["min"], scale["max"]
    for key, v in (("min", lo), ("max", hi)):
        if isinstance(v, bool) or not isinstance(v, int):
            _fail(path, f"scale field {key!r}, value {v!r}", "scale min and max are whole numbers")
    if not lo < hi:
        _fail(path, f"scale min {lo!r} and max {hi!r}", "scale min is smaller than scale max")
    if hi - lo + 1 > 101:
        _fail(path, f"scale min {lo!r} and max {hi!r}", "a scale has at most 101 points")
    n_points = hi - lo + 1
    if ls is not None and ls.n_points != n_points:
        _fail(
            path,
            f"scale label_set {ls.name!r} with min {lo} and max {hi}",
            f"the label set fits the scale ({ls.name} has {ls.n_points} points, the scale {n_points})",
        )
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
    return scale


def _validate_items(path: Path, items: Any, dimensions: dict, n_points: int) -> pd.DataFrame:
    if not isinstance(items, list) or not items:
        _fail(path, f"field 'items', value {items!r}", "'items' is a non-empty list of item mappings")
    if len(items) > MAX_ITEMS:
        _fail(path, f"field 'items' with {len(items)} items", f"a codebook has at most {MAX_ITEMS} items")
    seen: dict[str, int] = {}
    rows = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            _fail(path, f"item {i}, value {item!r}", "every item is a mapping with id, text_id and dimension")
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
        item = dict(item)
        item.setdefault("reverse", False)
        if item.get("text_en") is None:
            item["text_en"] = item["text_id"]
        iid = item["id"]
        if not isinstance(iid, str) or not _ID_RE.match(iid) or len(iid) > 40:
            _fail(
                path,
                f"{label}, field 'id', value {iid!r}",
                "an item id is a letter followed by letters, digits or _ (at most 40 characters)",
            )
        if iid in seen:
            _fail(
                path, f"{label}, field 'id', value {iid!r}", f"item ids are unique (already used by item {seen[iid]})"
            )
        seen[iid] = i
        if not isinstance(item["dimension"], str) or item["dimension"] not in dimensions:
            _fail(
                path,
                f"{label}, field 'dimension', value {item['dimension']!r}",
                f"an item's dimension is one of the keys under 'dimensions' ({', '.join(map(str, dimensions))})",
            )
        if not isinstance(item["reverse"], bool):
            _fail(path, f"{label}, field 'reverse', value {item['reverse']!r}", "reverse is true or false")
        for key in ("text_id", "text_en"):
            if not isinstance(item[key], str) or not item[key].strip():
                _fail(path, f"{label}, field {key!r}, value {item[key]!r}", "item wordings are non-empty text")
        for key in _ITEM_LISTS:
            if key in item:
                v = item[key]
                if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
                    _fail(path, f"{label}, field {key!r}, value {v!r}", f"{key} is a list of non-empty texts")
                if key != "header_words" and len(v) != n_points:
                    _fail(
                        path,
                        f"{label}, field {key!r} with {len(v)} answers",
                        f"{key} lists one answer per scale point ({n_points})",
                    )
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
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key is None:
        return _load(path)
    cb = _load_cached(key)
    # a copy: callers may change the items table or the dicts of their codebook without touching the cache
    return replace(
        cb,
        items=cb.items.copy(),
        dimensions=copy.deepcopy(cb.dimensions),
        scale=copy.deepcopy(cb.scale),
        scoring=copy.deepcopy(cb.scoring),
    )


@lru_cache(maxsize=64)
def _load_cached(key: tuple) -> Codebook:
    return _load(Path(key[0]))


def _load(path: Path) -> Codebook:
    try:
        raw, _ = read_yaml(path, error=CodebookError, max_bytes=1 << 20, what="codebook")
    except CodebookError as exc:
        raise CodebookError(f"Codebook {exc}".replace("; rule: ", "; the rule is that ").rstrip(".") + ".") from None
    if not isinstance(raw, dict):
        _fail(path, f"top level, value {type(raw).__name__}", "a codebook is a YAML mapping")
    for key in _TOP_REQUIRED:
        if key not in raw:
            _fail(path, f"field {key!r} missing", f"a codebook has {', '.join(_TOP_REQUIRED)}")
    unknown = [k for k in raw if k not in _TOP_ALLOWED]
    if unknown:
        _fail(path, f"field {unknown[0]!r}", f"top-level fields are among {list(_TOP_ALLOWED)}")
    if not isinstance(raw["name"], str) or not _ID_RE.match(raw["name"]) or len(raw["name"]) > 40:
        _fail(path, f"field 'name', value {raw['name']!r}", "name is a short identifier")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        _fail(path, f"field 'source', value {raw['source']!r}", "every codebook records its source")
    scale = _validate_scale(path, raw["scale"])
    dims = raw["dimensions"]
    if not isinstance(dims, dict) or not dims:
        _fail(path, f"field 'dimensions', value {dims!r}", "'dimensions' maps each key to name_id and name_en")
    for key, names in dims.items():
        if not isinstance(key, str) or not _ID_RE.match(key):
            _fail(path, f"dimension {key!r}", "a dimension key is a letter followed by letters, digits or _")
        if key == "total":
            _fail(path, "dimension 'total'", "'total' is reserved for the whole-instrument score")
        if not isinstance(names, dict) or "name_id" not in names or "name_en" not in names:
            _fail(path, f"dimension {key!r}, value {names!r}", "each dimension has name_id and name_en")
    items = _validate_items(path, raw["items"], dims, int(scale["max"]) - int(scale["min"]) + 1)
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
    cols = ["id", "text_id", "text_en", "dimension", "reverse"] + [
        c for c in ("element", "element_id", "element_en", "note", *_ITEM_LISTS) if c in items
    ]
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
