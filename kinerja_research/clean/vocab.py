"""Fixed vocabularies of the clean step: raw spellings -> canonical values (waves, education, SKP ratings and
predikat, gender, jabatan). Keys are compared lower-cased with spaces collapsed."""

from __future__ import annotations

import re

from kinerja_research.standards import PREDICATES, RATINGS

__all__ = [
    "education_level",
    "WAVE",
    "WAVE_WORDS",
    "EDUCATION",
    "RATING",
    "PREDIKAT",
    "GENDER",
    "JABATAN",
    "JABATAN_CATEGORIES",
    "jabatan_category",
]

WAVE = {
    "pre": "pre",
    "sebelum": "pre",
    "awal": "pre",
    "baseline": "pre",
    "pretest": "pre",
    "pre-test": "pre",
    "pre test": "pre",
    "1": "pre",
    "gelombang 1": "pre",
    "post": "post",
    "sesudah": "post",
    "setelah": "post",
    "akhir": "post",
    "posttest": "post",
    "post-test": "post",
    "post test": "post",
    "2": "post",
    "gelombang 2": "post",
    "endline": "post",
}
EDUCATION = {
    "sd": "SD",
    "smp": "SMP",
    "sltp": "SMP",
    "sma": "SMA",
    "slta": "SMA",
    "smk": "SMA",
    "ma": "SMA",
    "sma/smk": "SMA",
    "sma/sederajat": "SMA",
    "d1": "D3",
    "d2": "D3",
    "d3": "D3",
    "diii": "D3",
    "d-iii": "D3",
    "diploma": "D3",
    "diploma iii": "D3",
    "d4": "S1",
    "div": "S1",
    "d-iv": "S1",
    "s1": "S1",
    "sarjana": "S1",
    "s-1": "S1",
    "s2": "S2",
    "magister": "S2",
    "s-2": "S2",
    "master": "S2",
    "s3": "S3",
    "doktor": "S3",
    "s-3": "S3",
    "tidak sekolah": "Tidak sekolah",
}
_DEGREE = {"1": "S1", "i": "S1", "2": "S2", "ii": "S2", "3": "S3", "iii": "S3"}
_DIPLOMA = {"1": "D3", "i": "D3", "2": "D3", "ii": "D3", "3": "D3", "iii": "D3", "4": "S1", "iv": "S1"}


def education_level(text: str) -> str | None:
    """Education level of one raw value: a whole spelling of :data:`EDUCATION`, else the one degree code written in it
    (``"Sarjana (S1)"``, ``"Diploma III (D3)"``, ``"Strata 2"``); None when there is none or more than one.

    Examples
    --------
    >>> [education_level(t) for t in ["S-1", "Sarjana (S1)", "Diploma III (D3)", "Strata 2", "SMA / sederajat", "?"]]
    ['S1', 'S1', 'D3', 'S2', 'SMA', None]
    """
    t = re.sub(r"\s+", " ", text.strip().lower()).strip(" .")
    if t in EDUCATION:
        return EDUCATION[t]
    found = set()
    for m in re.finditer(r"(?<![a-z0-9])(s|d|strata|diploma)[\s\-.]?(iv|iii|ii|i|[1-4])(?![a-z0-9])", t):
        kind, n = m.groups()
        level = _DEGREE.get(n) if kind in ("s", "strata") else _DIPLOMA.get(n)
        if level:
            found.add(level)
    found |= {EDUCATION[w] for w in re.findall(r"[a-z]+", t) if w in ("sd", "smp", "sltp", "sma", "slta", "smk")}
    return found.pop() if len(found) == 1 else None


_ABOVE, _AS_EXPECTED, _BELOW = RATINGS  # the canonical codes of standards.py (PermenPANRB 6/2022)
RATING = {
    "di atas ekspektasi": _ABOVE,
    "diatas ekspektasi": _ABOVE,
    "above": _ABOVE,
    "above expectations": _ABOVE,
    "sesuai ekspektasi": _AS_EXPECTED,
    "as expected": _AS_EXPECTED,
    "as_expected": _AS_EXPECTED,
    "di bawah ekspektasi": _BELOW,
    "dibawah ekspektasi": _BELOW,
    "below": _BELOW,
    "below expectations": _BELOW,
}
_KURANG = PREDICATES[3]  # "Kurang/Misconduct"
#: Predikat spellings -> the exact labels of standards.PREDICATES (each label itself, lower-cased, plus the short and
#: spaced forms units write for "Kurang/Misconduct").
PREDIKAT = {p.lower(): p for p in PREDICATES} | {
    "kurang": _KURANG,
    "misconduct": _KURANG,
    "kurang / misconduct": _KURANG,
}
GENDER = {
    "l": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "pria": "L",
    "male": "L",
    "m": "L",
    "p": "P",
    "perempuan": "P",
    "wanita": "P",
    "female": "P",
    "f": "P",
}


WAVE_WORDS = {
    "sebelum": "pre",
    "pre": "pre",
    "pretest": "pre",
    "awal": "pre",
    "baseline": "pre",
    "sesudah": "post",
    "setelah": "post",
    "post": "post",
    "posttest": "post",
    "akhir": "post",
    "endline": "post",
}


#: Jabatan categories of UU 5/2014 and PP 11/2017 (canonical values of the ``jabatan`` column).
JABATAN_CATEGORIES = ("JPT", "Administrator", "Pengawas", "Pelaksana", "Fungsional")
#: Whole spellings -> jabatan category (eselon levels: I-II JPT, III administrator, IV pengawas).
JABATAN = {
    "jpt": "JPT",
    "jabatan pimpinan tinggi": "JPT",
    "pimpinan tinggi": "JPT",
    "pejabat pimpinan tinggi": "JPT",
    "jpt pratama": "JPT",
    "jpt madya": "JPT",
    "jpt utama": "JPT",
    "kepala dinas": "JPT",
    "kadis": "JPT",
    "kepala badan": "JPT",
    "sekretaris daerah": "JPT",
    "sekda": "JPT",
    "asisten sekda": "JPT",
    "administrator": "Administrator",
    "jabatan administrator": "Administrator",
    "pejabat administrator": "Administrator",
    "kepala bidang": "Administrator",
    "kabid": "Administrator",
    "kepala bagian": "Administrator",
    "kabag": "Administrator",
    "sekretaris dinas": "Administrator",
    "sekdis": "Administrator",
    "camat": "Administrator",
    "pengawas": "Pengawas",
    "jabatan pengawas": "Pengawas",
    "pejabat pengawas": "Pengawas",
    "kepala seksi": "Pengawas",
    "kasi": "Pengawas",
    "kasie": "Pengawas",
    "kepala sub bagian": "Pengawas",
    "kepala subbagian": "Pengawas",
    "kasubbag": "Pengawas",
    "kasubag": "Pengawas",
    "kepala sub bidang": "Pengawas",
    "kepala subbidang": "Pengawas",
    "kasubbid": "Pengawas",
    "kasubid": "Pengawas",
    "pelaksana": "Pelaksana",
    "jabatan pelaksana": "Pelaksana",
    "staf": "Pelaksana",
    "staff": "Pelaksana",
    "staf pelaksana": "Pelaksana",
    "jfu": "Pelaksana",
    "fungsional umum": "Pelaksana",
    "jabatan fungsional umum": "Pelaksana",
    "fungsional": "Fungsional",
    "jabatan fungsional": "Fungsional",
    "jft": "Fungsional",
    "jf": "Fungsional",
    "fungsional tertentu": "Fungsional",
    "jabatan fungsional tertentu": "Fungsional",
}
#: Words that make a jabatan functional (jenjang of jabatan fungsional, and the large functional groups).
JABATAN_FUNCTIONAL_WORDS = (
    "ahli pertama",
    "ahli muda",
    "ahli madya",
    "ahli utama",
    "terampil",
    "mahir",
    "penyelia",
    "pemula",
    "guru",
    "dosen",
    "dokter",
    "perawat",
    "bidan",
    "apoteker",
    "penyuluh",
    "auditor",
    "pranata komputer",
    "arsiparis",
    "pustakawan",
    "widyaiswara",
    "statistisi",
    "perencana",
    "analis kebijakan",
)
#: Leading words of a structural position -> its category (the rest names the unit: "Kepala Seksi Pendataan").
JABATAN_PREFIXES = (
    (
        (
            "kepala seksi",
            "kasi",
            "kasie",
            "kepala sub bagian",
            "kepala subbagian",
            "kasubbag",
            "kasubag",
            "kepala sub bidang",
            "kepala subbidang",
            "kasubbid",
            "kasubid",
            "kepala uptd",
            "kepala upt",
        ),
        "Pengawas",
    ),
    (
        ("kepala bidang", "kabid", "kepala bagian", "kabag", "sekretaris dinas", "sekretaris badan", "sekdis", "camat"),
        "Administrator",
    ),
    (("kepala dinas", "kadis", "kepala badan", "sekretaris daerah", "asisten", "staf ahli"), "JPT"),
)
#: Words of the pelaksana nomenclature (PermenPANRB 41/2018, 45/2022): a position holding one is a pelaksana.
JABATAN_PELAKSANA_WORDS = (
    "pengelola",
    "pengadministrasi",
    "penata layanan operasional",
    "operator layanan",
    "pengolah",
    "bendahara",
    "pengemudi",
    "pramu",
    "caraka",
    "petugas",
    "staf",
)
_ESELON = {"i": "JPT", "ii": "JPT", "iii": "Administrator", "iv": "Pengawas"}
_ESELON_NUM = {"1": "i", "2": "ii", "3": "iii", "4": "iv"}


def _has_word(text: str, words) -> bool:
    return any(re.search(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])", text) for w in words)


def jabatan_category(text: str) -> str | None:
    """Jabatan category of one raw value (lower-cased, spaces collapsed), or None when it cannot be told (an
    ambiguous title such as "Analis Kepegawaian", which is a pelaksana or a functional position depending on its
    jenjang, is not guessed).

    Examples
    --------
    >>> [jabatan_category(t) for t in ["jpt pratama", "eselon iii.a", "eselon 4", "staf", "guru ahli muda",
    ...                                "kepala seksi pendataan", "pengelola data", "analis kepegawaian"]]
    ['JPT', 'Administrator', 'Pengawas', 'Pelaksana', 'Fungsional', 'Pengawas', 'Pelaksana', None]
    """
    t = re.sub(r"\s+", " ", text.strip().lower()).strip(" .")
    if t in JABATAN:
        return JABATAN[t]
    m = re.fullmatch(r"(?:pejabat\s+|jabatan\s+)?eselon\s*(iv|iii|ii|i|[1-4])\s*[./\-]?\s*[ab]?", t)
    if m:
        g = m.group(1)
        return _ESELON[_ESELON_NUM.get(g, g)]
    for prefixes, category in JABATAN_PREFIXES:
        if any(t == p or t.startswith(p + " ") for p in prefixes):
            return category
    if _has_word(t, JABATAN_FUNCTIONAL_WORDS):
        return "Fungsional"
    if _has_word(t, JABATAN_PELAKSANA_WORDS):
        return "Pelaksana"
    return None
