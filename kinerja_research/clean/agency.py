"""Agency (OPD / unit kerja) names: one spelling per agency.

``"DINAS  PENDIDIKAN"``, ``"Dinas Pendidikan dan Kebudayaan"``, ``"Dis. Pendidikan"`` and ``"disdik"`` are written
by different units for the same kind of office. Normalisation: trim, collapse spaces, expand common abbreviations
(``Dis.`` -> Dinas, ``Kab.`` -> Kabupaten, ``Dinkes`` -> Dinas Kesehatan, ``Setda`` -> Sekretariat Daerah, ...), title
case with well-known acronyms kept upper case (BKPSDM, BAPPEDA, RSUD, ...). Distinct names are normalised once.
"""

from __future__ import annotations

import re

import pandas as pd

from kinerja_research._arrays import take_strings

__all__ = ["normalise_agency", "looks_like_unit", "AGENCY_ABBREVIATIONS", "ACRONYMS", "UNIT_WORDS"]

#: Token (lower case, no dot) -> expansion.
AGENCY_ABBREVIATIONS = {
    "dis": "dinas",
    "din": "dinas",
    "kab": "kabupaten",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "prov": "provinsi",
    "bag": "bagian",
    "sekr": "sekretariat",
    "sek": "sekretariat",
    "setda": "sekretariat daerah",
    "setwan": "sekretariat dprd",
    "dinkes": "dinas kesehatan",
    "disdik": "dinas pendidikan",
    "disdikbud": "dinas pendidikan dan kebudayaan",
    "dikbud": "pendidikan dan kebudayaan",
    "dishub": "dinas perhubungan",
    "dinsos": "dinas sosial",
    "disnaker": "dinas tenaga kerja",
    "dukcapil": "kependudukan dan pencatatan sipil",
    "disdukcapil": "dinas kependudukan dan pencatatan sipil",
    "diskominfo": "dinas komunikasi dan informatika",
    "kominfo": "komunikasi dan informatika",
    "dlh": "dinas lingkungan hidup",
    "pemkot": "pemerintah kota",
    "pemkab": "pemerintah kabupaten",
    "&": "dan",
    "dg": "dengan",
    "kesbangpol": "kesatuan bangsa dan politik",
    "pu": "pekerjaan umum",
}
#: Words kept upper case.
ACRONYMS = {
    "bkpsdm",
    "bkd",
    "bappeda",
    "bapenda",
    "bpkad",
    "bpbd",
    "rsud",
    "dprd",
    "upt",
    "uptd",
    "opd",
    "pupr",
    "dpmptsp",
    "dpmd",
    "sd",
    "smp",
    "sma",
    "smk",
    "tk",
    "ii",
    "iii",
    "iv",
    "asn",
    "ri",
    "bpkd",
    "bppkad",
    "satpol",
    "pp",
    "kb",
    "p3a",
    "ppkb",
    "ukm",
    "umkm",
    "dp3a",
    "ptsp",
}
_LOWER = {"dan", "dengan", "di", "ke", "dari", "untuk", "pada"}
#: Words that make a text the name of a unit of government (an OPD, a school, a health centre), not of a person.
UNIT_WORDS = frozenset(
    {
        "dinas",
        "badan",
        "kantor",
        "sekretariat",
        "bagian",
        "bidang",
        "inspektorat",
        "puskesmas",
        "kecamatan",
        "kelurahan",
        "sekolah",
        "rumah",
        "satuan",
        "unit",
        "pemerintah",
        "kabupaten",
        "kota",
        "provinsi",
        *AGENCY_ABBREVIATIONS,
        *(a for a in ACRONYMS if len(a) > 2 and a not in ("iii",)),
    }
    - {"&", "dg", "pu", "kab", "kec", "kel", "bag", "sek", "din", "dis"}
)


def _one(raw: str) -> str | None:
    t = re.sub(r"\s+", " ", raw.strip())
    if not t:
        return None
    t = t.replace("&", " & ")
    # letters of every script ("Café" stays "Café"); the redaction mark of personal data stays one token
    tokens = re.findall(r"<redacted>|[^\W_]+|&", t.lower())
    words: list[str] = []
    for tok in tokens:
        words.extend(AGENCY_ABBREVIATIONS.get(tok, tok).split())
    out = []
    for i, w in enumerate(words):
        if w == "<redacted>":
            out.append(w)
        elif w in ACRONYMS:
            out.append(w.upper())
        elif w in _LOWER and i > 0:
            out.append(w)
        else:
            out.append(w.capitalize())
    return " ".join(out) or None


def looks_like_unit(text: str) -> bool:
    """True when ``text`` names a unit of government (holds a word of :data:`UNIT_WORDS`).

    Examples
    --------
    >>> looks_like_unit("Dinas Pendidikan"), looks_like_unit("UPTD Puskesmas Kemiling"), looks_like_unit("Budi Santoso")
    (True, True, False)
    """
    return not UNIT_WORDS.isdisjoint(_WORDS.findall(str(text).lower()))


#: A word of letters or digits in any script (what :func:`looks_like_unit` compares with :data:`UNIT_WORDS`).
_WORDS = re.compile(r"[^\W_]+")


def normalise_agency(values: pd.Series) -> pd.Series:
    """Normalise agency names (see the module docstring); missing and blank stay missing.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_agency(pd.Series(["DINAS  PENDIDIKAN", "Dis. Pendidikan", "disdik", "bkpsdm kab. x",
    ...                             "Dinas Pariwisata Café"])).tolist()
    ['Dinas Pendidikan', 'Dinas Pendidikan', 'Dinas Pendidikan', 'BKPSDM Kabupaten X', 'Dinas Pariwisata Café']
    """
    s = pd.Series(values, copy=False).astype("string")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = [_one(str(u)) for u in uniques]
    return take_strings(mapped, codes, index=s.index, name=s.name)
