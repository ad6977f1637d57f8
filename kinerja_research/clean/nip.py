"""NIP (Nomor Induk Pegawai, 18 digits) and NI PPPK parsing, validation and derived fields.

PNS layout (Perka BKN 22/2007): ``YYYYMMDD`` birth date, ``YYYYMM`` TMT CPNS (start of service), one gender digit
(1 = male, 2 = female) and a 3-digit sequence ``001``-``999``. Example: ``198503122010011001``.

NI PPPK layout (contract staff): ``YYYYMMDD`` birth date, ``YYYY`` year first appointed, ``2`` (the PPPK code), the
number of the work contract ``1``-``9``, the gender digit and ``NNN``. Example: ``200012312024211001``. The two are
told apart by digits 13-14: a PNS TMT month is ``01``-``12``, a PPPK number has ``21``-``29`` there.

Spreadsheets damage NIPs: stored as numbers they show as ``1.98503E+17`` (scientific notation) or lose digits beyond
the 15th significant one (``198503122010011000``). Such values are flagged as unrecoverable and never guessed.
Everything runs on the distinct values (a person appears in many rows), with vectorised string and numpy operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NIP_RULES", "EMPLOYMENT", "normalise_nip", "parse_nip", "format_nip", "format_ni_pppk"]

#: Rule names a NIP can break, in the order they are checked (the first one found is reported).
NIP_RULES = (
    "missing_value",
    "nip_scientific_notation",
    "nip_precision_loss",
    "nip_length",
    "nip_invalid_date",
    "nip_gender",
)

#: Values of the ``employment`` column: civil servant (NIP) or contract staff (NI PPPK).
EMPLOYMENT = ("PNS", "PPPK")

_STRIP = r"[\s.\-'\"`’/_]"


def normalise_nip(values: pd.Series) -> pd.Series:
    """Strip spaces, dots, dashes, slashes and quote marks from NIPs (string dtype, missing stays missing).

    Values in scientific notation (``1.98E+17``) are kept as they are so that :func:`parse_nip` can flag them.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_nip(pd.Series(["19850312 201001 1 001", "'198503122010011001", "1.98E+17"])).tolist()
    ['198503122010011001', '198503122010011001', '1.98E+17']
    """
    s = pd.Series(values, copy=False).astype("string").str.strip()
    sci = s.str.contains(r"^[0-9.,]+[eE][+]?\d+$", regex=True, na=False)
    cleaned = s.str.replace(_STRIP, "", regex=True)
    out = cleaned.where(~sci, s)
    return out.mask(out == "")


def _float_artifact(nums: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """18-digit values that are exactly what a float64 holds after rounding to 15 significant digits
    (``198207102008081234`` -> ``1.98207102008081e17`` -> written back as ``198207102008080992``): the trace of a
    NIP column read as numbers (pandas turns an integer column with blanks into floats) and written out again.
    ``nums`` holds the 18-digit values as int64 (18 digits < 2**63) where ``ok``."""
    rounded = np.round(nums.astype(np.float64) / 1000.0) * 1000.0  # 15 significant digits, as a float64
    back = rounded.astype(np.int64)
    return ok & (back == nums) & (nums % 1000 != 0)


def _digit_matrix(digits: pd.Series, ok: np.ndarray) -> np.ndarray:
    """``(n, 18)`` int64 matrix of the digits of the 18-character ASCII digit strings where ``ok`` (zeros elsewhere),
    read from one fixed-width byte buffer (no per-character string conversion)."""
    n = len(digits)
    if n == 0:
        return np.zeros((0, 18), dtype=np.int64)
    texts = digits.where(ok, "000000000000000000").tolist()
    joined = "".join(texts)
    if joined.isascii() and len(joined) == 18 * n:
        mat = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(n, 18).astype(np.int64) - 48
    else:  # non-ASCII digits (other scripts' numerals): per character, as Python reads them
        mat = np.array([[int(ch) for ch in t] for t in texts], dtype=np.int64).reshape(n, 18)
    return mat


_POW10 = 10 ** np.arange(17, -1, -1, dtype=np.int64)


def _parse_unique(u: pd.Series, ref: np.datetime64 | None) -> pd.DataFrame:
    n = len(u)
    rule = np.full(n, None, dtype=object)
    missing = u.isna().to_numpy()
    rule[missing] = "missing_value"
    s = u.fillna("")
    sci = s.str.contains(r"^[0-9.,]+[eE][+]?\d+$", regex=True).to_numpy()
    rule[(rule == None) & sci] = "nip_scientific_notation"  # noqa: E711
    # A float rendering ("198503122010011000.0") or 18 digits ending 000 (sequence 000 does not exist, and it is what
    # a 15-significant-digit float leaves behind).
    floaty = s.str.fullmatch(r"\d+\.0+").to_numpy()
    digits = s.str.replace(r"\.0+$", "", regex=True)
    is_digits = digits.str.fullmatch(r"\d+").to_numpy()
    lengths = digits.str.len().to_numpy()
    cand = is_digits & (lengths == 18)
    mat = _digit_matrix(digits, cand)  # digits of every 18-digit candidate (zeros elsewhere)
    loss = floaty | (cand & (mat[:, 15:] == 0).all(axis=1))
    loss |= _float_artifact(mat @ _POW10, cand)
    rule[(rule == None) & loss] = "nip_precision_loss"  # noqa: E711
    rule[(rule == None) & ~cand] = "nip_length"  # noqa: E711
    ok18 = rule == None  # noqa: E711
    b = mat * ok18[:, None]
    by = b[:, 0] * 1000 + b[:, 1] * 100 + b[:, 2] * 10 + b[:, 3]
    bm = b[:, 4] * 10 + b[:, 5]
    bd = b[:, 6] * 10 + b[:, 7]
    ty = b[:, 8] * 1000 + b[:, 9] * 100 + b[:, 10] * 10 + b[:, 11]
    tm = b[:, 12] * 10 + b[:, 13]
    g = b[:, 14]
    # NI PPPK: digit 13 is the PPPK code 2, digit 14 the contract number 1-9 (a PNS TMT month is 01-12)
    pppk = ok18 & (b[:, 12] == 2) & (b[:, 13] >= 1)
    start_month = np.where(pppk, 1, tm)  # the NI PPPK gives only the year first appointed: counted from 1 January
    birth = pd.to_datetime(pd.DataFrame({"year": by, "month": bm, "day": bd}), errors="coerce")
    tmt = pd.to_datetime(
        pd.DataFrame({"year": ty, "month": start_month, "day": np.ones(n, dtype=np.int64)}), errors="coerce"
    )
    bad_date = birth.isna().to_numpy() | tmt.isna().to_numpy() | (by < 1900)
    # Appointment must not start before the person turned 18 (PNS: by month; PPPK: by year, all the NI holds).
    too_young = np.where(pppk, ty < by + 18, (ty * 12 + tm) < ((by + 18) * 12 + bm))
    rule[ok18 & (bad_date | too_young)] = "nip_invalid_date"
    rule[(rule == None) & ~np.isin(g, (1, 2))] = "nip_gender"  # noqa: E711
    good = rule == None  # noqa: E711
    return pd.DataFrame(
        {
            "nip": digits.where(good).astype("string").reset_index(drop=True),
            "birth_date": birth.where(good),
            "tmt_cpns": tmt.where(good),
            "gender": pd.Series(np.where(good, np.where(g == 1, "L", "P"), None), dtype="string"),
            "employment": pd.Series(np.where(good, np.where(pppk, "PPPK", "PNS"), None), dtype="string"),
            "nip_rule": pd.Series(rule, dtype="string"),
        }
    )


def _years_between(start: pd.Series, end: pd.Series) -> pd.Series:
    return (end - start).dt.days / 365.2425


def parse_nip(values: pd.Series, *, at: pd.Series | str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Validate NIPs and NI PPPK numbers and derive birth date, start of service, gender, employment, age and tenure.

    Parameters
    ----------
    values : pandas.Series
        Raw NIPs or NI PPPK numbers as text (any spacing or punctuation).
    at : pandas.Series, str or Timestamp, optional
        Reference date(s) for ``age`` and ``tenure_years`` (one per row, e.g. the form timestamp, or one date).
        Without it, ``age`` and ``tenure_years`` are missing. A TMT shortly after the reference date gives a
        negative tenure (a newly appointed CPNS can hold a NIP before the TMT month).

    Returns
    -------
    pandas.DataFrame
        Same index as ``values``, columns:

        - ``nip``: the clean 18-digit NIP or NI PPPK (missing when invalid)
        - ``birth_date``, ``tmt_cpns``: datetimes (first day of the TMT month; for PPPK 1 January of the year first
          appointed, the only date the NI holds)
        - ``gender``: ``"L"`` (digit 1) or ``"P"`` (digit 2)
        - ``employment``: ``"PNS"`` (NIP) or ``"PPPK"`` (NI PPPK: digits 13-14 are ``2`` and a contract number 1-9)
        - ``age``, ``tenure_years``: years (365.2425 days) at ``at``
        - ``nip_rule``: missing when valid, else the first rule broken (:data:`NIP_RULES`)

    Notes
    -----
    Rules: ``nip_scientific_notation`` (``1.98E+17``), ``nip_precision_loss`` (a float rendering, 18 digits ending
    in ``000`` -- the sequence starts at 001, so this is what 15-significant-digit storage leaves -- or exactly the
    float64 value of a 15-significant-digit number, ``...080992``, what a NIP column read as floats and written back
    as integers holds; about 1 valid NIP in 1,000 has that form by chance and is flagged too: a loss, never a wrong
    join), ``nip_length`` (not
    18 digits after stripping separators: lost leading characters, typos), ``nip_invalid_date`` (birth date or TMT not
    a real date, birth year before 1900, TMT before the month the person turned 18; for a NI PPPK, year first appointed
    before the year the person turned 18),
    ``nip_gender`` (gender digit not 1 or 2). Invalid NIPs are never repaired.

    Examples
    --------
    >>> import pandas as pd
    >>> r = parse_nip(pd.Series(["19850312 201001 1 001", "1.98503E+17", "198513122010011001", "200012312024211001"]),
    ...               at="2026-01-01")
    >>> r[["nip", "gender", "employment", "nip_rule"]].values.tolist()
    [['198503122010011001', 'L', 'PNS', <NA>], [<NA>, <NA>, <NA>, 'nip_scientific_notation'], \
[<NA>, <NA>, <NA>, 'nip_invalid_date'], ['200012312024211001', 'L', 'PPPK', <NA>]]
    >>> round(float(r.loc[0, "age"]), 2), round(float(r.loc[0, "tenure_years"]), 2)
    (40.81, 16.0)
    """
    raw = pd.Series(values, copy=False)
    codes, raw_uniques = pd.factorize(raw.astype("string"), use_na_sentinel=False)
    u = normalise_nip(pd.Series(raw_uniques, dtype="string")).reset_index(drop=True)  # distinct values only
    s = raw
    ref = None
    if at is not None and not isinstance(at, pd.Series):
        ref = np.datetime64(pd.Timestamp(at))
    parsed = _parse_unique(u, ref).take(codes)
    parsed.index = s.index
    if at is None:
        parsed["age"] = np.nan
        parsed["tenure_years"] = np.nan
    else:
        when = pd.to_datetime(at) if isinstance(at, pd.Series) else pd.Series(pd.Timestamp(at), index=s.index)
        parsed["age"] = _years_between(parsed["birth_date"], when).astype(float)
        parsed["tenure_years"] = _years_between(parsed["tmt_cpns"], when).astype(float)
    return parsed[["nip", "birth_date", "tmt_cpns", "gender", "employment", "age", "tenure_years", "nip_rule"]]


def format_nip(birth_date: pd.Series, tmt_cpns: pd.Series, gender: pd.Series, sequence: pd.Series) -> pd.Series:
    """Compose 18-digit NIPs from their parts (the inverse of :func:`parse_nip`).

    Examples
    --------
    >>> import pandas as pd
    >>> format_nip(pd.Series(pd.to_datetime(["1985-03-12"])), pd.Series(pd.to_datetime(["2010-01-01"])),
    ...            pd.Series(["L"]), pd.Series([1])).tolist()
    ['198503122010011001']
    """
    g = pd.Series(gender).map({"L": "1", "P": "2"}).astype("string")
    seq = pd.Series(sequence).astype(int).astype("string").str.zfill(3)
    return (
        pd.Series(birth_date).dt.strftime("%Y%m%d").astype("string")
        + pd.Series(tmt_cpns).dt.strftime("%Y%m").astype("string")
        + g.values
        + seq.values
    )


def format_ni_pppk(
    birth_date: pd.Series, year: pd.Series, contract: pd.Series, gender: pd.Series, sequence: pd.Series
) -> pd.Series:
    """Compose 18-digit NI PPPK numbers from their parts (birth date, year first appointed, contract number 1-9,
    gender, sequence).

    Examples
    --------
    >>> import pandas as pd
    >>> format_ni_pppk(pd.Series(pd.to_datetime(["2000-12-31"])), pd.Series([2024]), pd.Series([1]),
    ...                pd.Series(["L"]), pd.Series([1])).tolist()
    ['200012312024211001']
    """
    g = pd.Series(gender).map({"L": "1", "P": "2"}).astype("string")
    return (
        pd.Series(birth_date).dt.strftime("%Y%m%d").astype("string")
        + pd.Series(year).astype(int).astype("string").values
        + "2"
        + pd.Series(contract).astype(int).astype("string").values
        + g.values
        + pd.Series(sequence).astype(int).astype("string").str.zfill(3).values
    )
