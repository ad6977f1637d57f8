"""Fixed ingredients of the synthetic world: region parameters, names, agencies, courses, instrument items.

Everything here is a constant or a pure function of a region code, never of the simulation seed, so the ground
truth of a region is the same for every seed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import yaml

from kinerja_research import paths
from kinerja_research.regions import DEFAULT_REGIONS as DEFAULT_REGIONS  # re-exported for the generator

__all__ = [
    "Item",
    "Instrument",
    "RegionParams",
    "instrument",
    "region_params",
    "thresholds",
    "name_pools",
    "stable_int",
]

REFERENCE_DATE = np.datetime64("2026-11-01")

# --- instruments -------------------------------------------------------------------------------------------------
SURVEY_INSTRUMENTS = ("rtc", "training", "reward", "sanction", "motivation", "sus")
PREFIX = {"rtc": "RTC", "training": "TRN", "reward": "RWD", "sanction": "SNC", "motivation": "MOT", "sus": "SUS"}

# Used only while a codebook file is missing (the measurement engineer owns instruments/*.yml).
_FALLBACK = {
    "rtc": (
        6,
        [("routine_seeking", 5), ("emotional_reaction", 4), ("short_term_focus", 4), ("cognitive_rigidity", 4)],
        {"RTC04", "RTC14"},
    ),
    "training": (5, [("content", 3), ("transfer", 3)], set()),
    "reward": (5, [("financial", 3), ("non_financial", 3)], set()),
    "sanction": (5, [("clarity", 3), ("fairness", 2)], set()),
    "motivation": (5, [("intrinsic", 3), ("extrinsic", 3)], set()),
    "sus": (5, [("usability", 10)], {"SUS02", "SUS04", "SUS06", "SUS08", "SUS10"}),
}


@dataclass(frozen=True)
class Item:
    id: str
    dimension: str
    reverse: bool
    text_id: str
    loading: float  # standardised loading of the continuous response on its dimension factor
    offset: float  # item difficulty shift of the thresholds


@dataclass(frozen=True)
class Instrument:
    name: str
    k: int  # number of answer categories (1..k)
    labels_id: tuple
    abbreviations: tuple
    dimensions: tuple
    items: tuple

    def dim_items(self, dim: str) -> list[Item]:
        return [it for it in self.items if it.dimension == dim]


def _loading(j: int, reverse: bool) -> float:
    # deterministic spread 0.55..0.85 from the item position (golden-ratio sequence); reverse-keyed items a bit weaker
    lam = 0.55 + 0.30 * ((j * 0.6180339887) % 1.0)
    return round(lam - (0.08 if reverse else 0.0), 3)


def _offset(j: int) -> float:
    return round(0.5 * (((j * 0.7548776662) % 1.0) - 0.5), 3)


_LABELS6 = ("Sangat Tidak Setuju", "Tidak Setuju", "Agak Tidak Setuju", "Agak Setuju", "Setuju", "Sangat Setuju")
_LABELS5 = ("Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju")
_ABBR6 = ("STS", "TS", "ATS", "AS", "S", "SS")
_ABBR5 = ("STS", "TS", "N", "S", "SS")


def _from_yaml(name: str) -> dict | None:
    path = paths.INSTRUMENTS / f"{name}.yml"
    if not path.exists():
        return None
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    if not isinstance(doc, dict) or not doc.get("items"):
        return None
    return doc


@cache
def instrument(name: str) -> Instrument:
    """Items of a survey instrument: from its codebook YAML when present, else the built-in fallback."""
    doc = _from_yaml(name)
    if doc is not None:
        scale = doc.get("scale", {})
        k = int(scale["max"]) - int(scale["min"]) + 1
        labels = tuple(scale.get("labels_id") or (_LABELS6 if k == 6 else _LABELS5))
        abbr = tuple(scale.get("abbreviations") or (_ABBR6 if k == 6 else _ABBR5))
        raw_items = [
            (
                str(it["id"]),
                str(it.get("dimension", name)),
                bool(it.get("reverse", False)),
                str(it.get("text_id") or it["id"]),
            )
            for it in doc["items"]
        ]
    else:
        k, dims, rev = _FALLBACK[name]
        labels = _LABELS6 if k == 6 else _LABELS5
        abbr = _ABBR6 if k == 6 else _ABBR5
        raw_items, n = [], 0
        for dim, cnt in dims:
            for _ in range(cnt):
                n += 1
                iid = f"{PREFIX[name]}{n:02d}"
                raw_items.append((iid, dim, iid in rev, iid))
    dims_order: list[str] = []
    for _, d, _, _ in raw_items:
        if d not in dims_order:
            dims_order.append(d)
    items = tuple(Item(i, d, r, t, _loading(j + 1, r), _offset(j + 1)) for j, (i, d, r, t) in enumerate(raw_items))
    return Instrument(name, k, labels, abbr, tuple(dims_order), items)


def thresholds(k: int) -> np.ndarray:
    """Base thresholds of the continuous response (unit variance) for k categories."""
    if k == 6:
        return np.array([-1.9, -1.1, -0.35, 0.35, 1.25])
    if k == 5:
        return np.array([-1.7, -0.85, -0.1, 0.95])
    if k == 4:
        return np.array([-1.6, -0.6, 0.9])
    raise ValueError(f"no thresholds for k={k}")


# --- structural parameters (documented in the package docstring and GROUND_TRUTH.json) ----------------------------
RHO_DIM = 0.6  # correlation between a dimension factor and its instrument's general factor (squared loading)
RHO_WAVE = 0.7  # stability of latent factors between waves
INSTRUMENT_MEAN = {"training": 0.2, "reward": -0.1, "sanction": 0.1, "motivation": 0.4}
A_REWARD_MOT = 0.45  # latent motivation = a*reward + s*sanction + noise (standardised)
S_SANCTION_MOT = 0.20
SUS_BASE = 0.3  # latent usability mean at average resistance
SUS_RESIST = -0.45  # latent usability per SD of latent resistance
TRAINED_POST_RTC = -0.35  # trained staff's resistance shift at the post wave (latent SD)
TRAINED_POST_TRN = 0.50  # trained staff's training-perception shift at the post wave
CAP_MOT = 2.5  # capaian points per latent SD of motivation
CAP_REWARD = 1.0  # capaian points per latent SD of reward perception (direct path)
CAP_SANCTION = 0.0
SD_PERSON = 4.5  # person random effect on capaian
SD_AGENCY = 2.5  # agency random effect on capaian
SD_RESID = 3.5  # residual per period
PERIODS = ("2025-S1", "2025-S2", "2026-S1", "2026-S2")
PERIOD_START = ("2025-01-01", "2025-07-01", "2026-01-01", "2026-07-01")
PERIOD_EFFECT = (0.0, 0.8, 1.2, 2.0)
POST = (False, False, True, True)
WAVE_PERIOD = {"pre": "2025-S2", "post": "2026-S2"}  # capaian period linked to each survey wave
SEL_INTERCEPT = -0.55
SEL_PERF = 0.9  # logit per SD of the person effect (better performers are nominated more)
SEL_AGE = -0.35  # logit per 10 years above 40 (younger staff are nominated more)
PROGRAMME_JP = np.array([24.0, 32.0, 40.0, 48.0])
PROGRAMME_JP_P = np.array([0.10, 0.20, 0.55, 0.15])
PROGRAMME_COURSE = "Pelatihan Manajemen Kinerja ASN Berbasis e-Kinerja"
POST_RESPONSE = 0.9  # share of pre-wave respondents who answer again at the post wave
HASIL_ABOVE, HASIL_BELOW = 96.0, 79.0
PERILAKU_ABOVE, PERILAKU_BELOW = 1.1, -1.75

# the four default regions: hand-set so that they differ visibly
_REGION_FIXED = {
    #         size, capaian mean, DiD effect, RTC mean, SKM latent mean
    "18.71": (1.15, 87.0, 6.0, 0.00, 0.20),
    "17.71": (0.90, 89.0, 4.0, -0.25, 0.45),
    "11.73": (0.75, 85.0, 2.5, 0.35, -0.05),
    "53.71": (1.00, 86.0, 5.0, 0.15, 0.30),
}


@dataclass(frozen=True)
class RegionParams:
    code: str
    name: str
    size: float
    capaian_mean: float
    did_effect: float  # expected DiD effect on capaian (points) = kappa * E[programme JP]
    kappa: float  # capaian points per programme JP
    rtc_mean: float
    skm_mean: float
    n_agencies: int
    flavour: str


def stable_int(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8"))


_FLAVOUR_BY_PROVINCE = {
    "11": "aceh",
    "12": "batak",
    "13": "minang",
    "18": "lampung",
    "17": "bengkulu",
    "53": "ntt",
    "31": "jawa",
    "32": "sunda",
    "33": "jawa",
    "34": "jawa",
    "35": "jawa",
    "36": "sunda",
    "51": "bali",
    "52": "ntt",
    "81": "maluku",
    "82": "maluku",
    "91": "papua",
    "92": "papua",
    "94": "papua",
    "95": "papua",
    "96": "papua",
    "97": "papua",
    "71": "minahasa",
    "72": "bugis",
    "73": "bugis",
    "74": "bugis",
    "75": "bugis",
    "76": "bugis",
}


def region_params(code: str, name: str) -> RegionParams:
    e_jp = float(PROGRAMME_JP @ PROGRAMME_JP_P)
    rng = np.random.default_rng(stable_int("region", code))
    if code in _REGION_FIXED:
        size, mu, did, rtc, skm = _REGION_FIXED[code]
    else:
        size = float(rng.uniform(0.5, 1.6))
        mu = float(np.round(rng.uniform(84, 90), 1))
        did = float(np.round(rng.uniform(1.5, 7.0), 2))
        rtc = float(np.round(rng.uniform(-0.35, 0.45), 2))
        skm = float(np.round(rng.uniform(-0.2, 0.6), 2))
    n_ag = int(8 + stable_int("agencies", code) % 8)
    flavour = _FLAVOUR_BY_PROVINCE.get(code.split(".")[0], "melayu")
    return RegionParams(code, name, size, mu, did, did / e_jp, rtc, skm, n_ag, flavour)


# --- names -------------------------------------------------------------------------------------------------------
_COMMON_M = [
    "Ahmad",
    "Muhammad",
    "Budi",
    "Agus",
    "Andi",
    "Dedi",
    "Eko",
    "Hendra",
    "Irwan",
    "Joko",
    "Rudi",
    "Rizki",
    "Fajar",
    "Dian",
    "Arif",
    "Bayu",
    "Dimas",
    "Fikri",
    "Hadi",
    "Yusuf",
    "Rahmat",
    "Syaiful",
    "Wahyu",
]
_COMMON_F = [
    "Siti",
    "Sri",
    "Dewi",
    "Rina",
    "Nur",
    "Fitri",
    "Ayu",
    "Indah",
    "Lestari",
    "Novita",
    "Ratna",
    "Yuni",
    "Putri",
    "Rahmawati",
    "Wulan",
    "Maya",
    "Desi",
    "Anisa",
    "Intan",
    "Eka",
    "Lia",
    "Nia",
]
_COMMON_LAST = [
    "Saputra",
    "Pratama",
    "Wijaya",
    "Hidayat",
    "Kurniawan",
    "Setiawan",
    "Santoso",
    "Nugroho",
    "Hakim",
    "Rahman",
    "Putra",
    "Susanto",
    "Firmansyah",
    "Ramadhan",
    "Lubis",
    "Harahap",
    "Syahputra",
    "Sari",
    "Wati",
    "Handayani",
    "Anggraini",
    "Permatasari",
    "Utami",
    "Yulianti",
]
_FLAVOUR_NAMES = {
    "lampung": (
        ["Ibrahim", "Zulkarnain", "Marzuki", "Sutrisno", "Mulyadi", "Suparman", "Ansori", "Heri"],
        ["Nuraini", "Suryani", "Marlina", "Yuliana", "Sulastri", "Herlina"],
        ["Gelar", "Pangeran", "Ratu", "Raden", "Sutan", "Effendi", "Hasan", "Purba", "Nasution"],
    ),
    "bengkulu": (
        ["Zulfikar", "Rusdi", "Syamsul", "Darmawan", "Herman", "Jonaidi", "Usman"],
        ["Ernawati", "Rosdiana", "Yusnidar", "Elvi", "Juwita", "Mardiana"],
        ["Rejang", "Syafitri", "Alamsyah", "Hasibuan", "Erwin", "Junaidi", "Sahputra"],
    ),
    "aceh": (
        ["Teuku", "Teuku Muhammad", "Zulfan", "Fauzan", "Khairul", "Mukhlis", "Iskandar", "Safrizal", "Munawar"],
        ["Cut", "Cut Nyak", "Nurul", "Rahmi", "Zahara", "Fitriani", "Mutia", "Nurhayati", "Husna"],
        ["Ibrahim", "Abdullah", "Yusuf", "Hasballah", "Usman", "Ismail", "Husaini", "Mahmud", "Zakaria"],
    ),
    "ntt": (
        ["Yohanes", "Fransiskus", "Petrus", "Yosef", "Marthen", "Agustinus", "Stefanus", "Ferdinand", "Yakobus"],
        ["Maria", "Yuliana", "Margaretha", "Veronika", "Agustina", "Elisabeth", "Theresia", "Katarina"],
        ["Tefa", "Nenobais", "Manafe", "Ndun", "Lay", "Bessie", "Tallo", "Bire", "Pello", "Mooy", "Radja", "Kana"],
    ),
    "jawa": (
        ["Bambang", "Slamet", "Sugeng", "Tri", "Wawan", "Suyanto"],
        ["Sumarni", "Endang", "Tutik", "Sri Wahyuni"],
        ["Prasetyo", "Wibowo", "Sutrisno", "Purnomo", "Hartono"],
    ),
    "sunda": (
        ["Asep", "Dadang", "Ujang", "Cecep", "Engkus"],
        ["Euis", "Neneng", "Imas", "Cucu"],
        ["Sudrajat", "Hermawan", "Suryana", "Permana"],
    ),
    "batak": (
        ["Hotman", "Parulian", "Binsar", "Togar"],
        ["Romauli", "Lasmaria", "Tiurma"],
        ["Simanjuntak", "Siregar", "Sitompul", "Panjaitan", "Simbolon"],
    ),
    "minang": (
        ["Afrizal", "Zulhendri", "Yendri"],
        ["Yusnimar", "Ernita", "Rosmaini"],
        ["Chaniago", "Tanjung", "Piliang"],
    ),
    "bali": (
        ["I Made", "I Wayan", "I Nyoman", "I Ketut"],
        ["Ni Made", "Ni Luh", "Ni Wayan", "Ni Ketut"],
        ["Suardana", "Artawan", "Sudiarta", "Wirawan"],
    ),
    "maluku": (["Yopi", "Eliezer", "Abraham"], ["Yohana", "Selvi", "Olivia"], ["Latuconsina", "Pattimura", "Tuhumury"]),
    "papua": (["Yulius", "Benny", "Markus"], ["Yosina", "Debora", "Ruth"], ["Wenda", "Kogoya", "Rumbiak", "Mandowen"]),
    "minahasa": (["Johny", "Ronald", "Frangky"], ["Vivi", "Meiske", "Grace"], ["Sondakh", "Mamesah", "Lumentut"]),
    "bugis": (["Andi", "Muhammad Yusuf", "Syamsuddin"], ["Andi", "Nurhaedah", "Hasnawati"], ["Daeng", "Rauf", "Mappa"]),
    "melayu": (["Azhar", "Syahrial", "Rosli"], ["Rosnah", "Zubaidah", "Halimah"], ["Harun", "Saleh", "Said"]),
}


def name_pools(flavour: str) -> tuple[list[str], list[str], list[str]]:
    fm, ff, fl = _FLAVOUR_NAMES.get(flavour, _FLAVOUR_NAMES["melayu"])
    return fm * 3 + _COMMON_M, ff * 3 + _COMMON_F, fl * 3 + _COMMON_LAST


# --- agencies (OPD), courses, service units ----------------------------------------------------------------------
AGENCIES = [  # (name, relative size); the first eight exist in every region
    ("Dinas Pendidikan", 6.0),
    ("Dinas Kesehatan", 4.0),
    ("Sekretariat Daerah", 1.5),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", 0.8),
    ("Badan Perencanaan Pembangunan Daerah", 0.7),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", 0.9),
    ("Dinas Kependudukan dan Pencatatan Sipil", 0.8),
    ("Inspektorat", 0.6),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", 0.9),
    ("Dinas Sosial", 0.6),
    ("Dinas Perhubungan", 0.8),
    ("Satuan Polisi Pamong Praja", 1.0),
    ("Dinas Komunikasi dan Informatika", 0.5),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", 0.5),
    ("Dinas Lingkungan Hidup", 0.7),
    ("Badan Pendapatan Daerah", 0.6),
    ("Rumah Sakit Umum Daerah", 2.5),
]

SERVICE_UNITS = [
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Rumah Sakit Umum Daerah",
    "Puskesmas",
    "Badan Pendapatan Daerah",
    "Dinas Perhubungan",
]

OTHER_COURSES = [  # (name, JP choices)
    ("Bimbingan Teknis Penyusunan SKP", (8.0, 12.0, 16.0)),
    ("Pelatihan Pelayanan Prima", (16.0, 24.0, 32.0)),
    ("Pelatihan Literasi Digital ASN", (8.0, 16.0, 24.0)),
    ("Pelatihan Kepemimpinan Pengawas", (120.0, 140.0)),
    ("Bimtek Pengelolaan Keuangan Daerah", (16.0, 24.0)),
    ("Pelatihan Dasar CPNS", (100.0, 120.0)),
    ("Webinar Manajemen ASN", (2.0, 3.0, 4.0)),
    ("Pelatihan Penulisan Naskah Dinas", (8.0, 12.0)),
    ("Orientasi PPPK", (16.0, 24.0)),
]

EDUCATION = ("SMA", "D3", "S1", "S2", "S3")
EDU_P = (0.14, 0.14, 0.52, 0.18, 0.02)
EDU_MIN_AGE = (18.0, 21.0, 22.5, 25.0, 29.0)
PNS_START_RANK = (5, 7, 9, 10, 11)  # II/a, II/c, III/a, III/b, III/c
PPPK_GRADE = ("PPPK-V", "PPPK-VII", "PPPK-IX", "PPPK-X", "PPPK-XI")
PPPK_SHARE = 0.15
GOLONGAN = (
    "I/a",
    "I/b",
    "I/c",
    "I/d",
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
)
PANGKAT = (
    "Juru Muda",
    "Juru Muda Tingkat I",
    "Juru",
    "Juru Tingkat I",
    "Pengatur Muda",
    "Pengatur Muda Tingkat I",
    "Pengatur",
    "Pengatur Tingkat I",
    "Penata Muda",
    "Penata Muda Tingkat I",
    "Penata",
    "Penata Tingkat I",
    "Pembina",
    "Pembina Tingkat I",
    "Pembina Utama Muda",
    "Pembina Utama Madya",
    "Pembina Utama",
)
