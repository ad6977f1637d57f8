"""Agency (OPD / unit kerja) names: one spelling per agency.

``"DINAS  PENDIDIKAN"``, ``"Dinas Pendidikan dan Kebudayaan"``, ``"Dis. Pendidikan"`` and ``"disdik"`` are written
by different units for the same kind of office. Normalisation: trim, collapse spaces, expand common abbreviations
(``Dis.`` -> Dinas, ``Kab.`` -> Kabupaten, ``Dinkes`` -> Dinas Kesehatan, ``Setda`` -> Sekretariat Daerah, ...), title
case with well-known acronyms kept upper case (BKPSDM, BAPPEDA, RSUD, ...). Distinct names are normalised once.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["normalise_agency", "AGENCY_ABBREVIATIONS", "ACRONYMS"]

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


def _one(raw: str) -> str | None:
    t = re.sub(r"\s+", " ", raw.strip())
    if not t:
        return None
    t = t.replace("&", " & ")
    tokens = re.findall(r"[A-Za-z0-9]+|&", t.lower())
    words: list[str] = []
    for tok in tokens:
        words.extend(AGENCY_ABBREVIATIONS.get(tok, tok).split())
    out = []
    for i, w in enumerate(words):
        if w in ACRONYMS:
            out.append(w.upper())
        elif w in _LOWER and i > 0:
            out.append(w)
        else:
            out.append(w.capitalize())
    return " ".join(out) or None


def normalise_agency(values: pd.Series) -> pd.Series:
    """Normalise agency names (see the module docstring); missing and blank stay missing.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_agency(pd.Series(["DINAS  PENDIDIKAN", "Dis. Pendidikan", "disdik", "bkpsdm kab. x"])).tolist()
    ['Dinas Pendidikan', 'Dinas Pendidikan', 'Dinas Pendidikan', 'BKPSDM Kabupaten X']
    """
    s = pd.Series(values, copy=False).astype("string")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    from kinerja_research._arrays import take_strings

    mapped = [_one(str(u)) for u in uniques]
    return take_strings(mapped, codes, index=s.index, name=s.name)
