"""Personal data: keyed pseudonyms for people, suppression of table cells about fewer than five people.

NIPs and names never leave the clean step. A person is carried as ``person_id`` = ``"P"`` + the first 16 hex
characters of HMAC-SHA256(key, 18-digit NIP). The key is secret and lives outside the repository, so a pseudonym
cannot be reversed by hashing all plausible NIPs (the NIP space is small: birth date, TMT, gender, sequence). The same
key gives the same pseudonym across files and runs, so tables still join.

Key lookup, in order:

1. the environment variable ``KINERJA_PSEUDONYM_KEY`` (the key itself, any non-empty string);
2. the file named by ``KINERJA_PSEUDONYM_KEY_FILE``, else ``~/.config/kinerja/pseudonym.key``; created with a random
   256-bit key on first use (mode 600) with a message on stderr saying where it is and that it must be kept and
   backed up (a lost key means new pseudonyms that no longer join with earlier outputs).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kinerja_research._arrays import take_strings
from kinerja_research.errors import KinerjaError
from kinerja_research.paths import ROOT

__all__ = [
    "pseudonymise",
    "pseudonym_key",
    "key_fingerprint",
    "suppress_small_cells",
    "release_problems",
    "k_anonymity",
    "k_anonymity_summary",
    "nip_attack",
    "QUASI_IDENTIFIERS",
    "MIN_CELL_N",
    "EXACT_DATE_COLUMNS",
    "WHOLE_YEAR_COLUMNS",
    "MONTH_COLUMNS",
]

MIN_CELL_N = 5
#: Columns that never leave the clean step: the parts of a NIP (birth date, start of service) and identifiers.
EXACT_DATE_COLUMNS = ("birth_date", "tmt_cpns", "tmt", "nip", "ni_pppk", "name", "email", "phone")
#: Columns released only in completed whole years (Int64).
WHOLE_YEAR_COLUMNS = ("age", "tenure_years")
#: Dates released only as the first day of their month (no exact submission time).
MONTH_COLUMNS = ("submitted_at",)
KEY_ENV = "KINERJA_PSEUDONYM_KEY"
KEY_FILE_ENV = "KINERJA_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/kinerja/pseudonym.key")


def _key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser()


def key_fingerprint(key: bytes) -> str:
    """First 8 hex characters of SHA-256 of the pseudonym key: written to manifest.json so that outputs made with
    different keys (whose pseudonyms do not join) can be told apart, without revealing the key.

    Examples
    --------
    >>> key_fingerprint(b"abc")
    'ba7816bf'
    """
    return hashlib.sha256(key).hexdigest()[:8]


def pseudonym_key() -> bytes:
    """Return the secret pseudonym key (see the module docstring for where it comes from).

    Returns
    -------
    bytes
        The key. Created in the key file on first use when neither the environment variable nor the file exists.

    Raises
    ------
    KinerjaError
        When the key file lies inside the project folder (it would end up in git or in a shared archive) or is empty.
    """
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = _key_file()
    try:
        path.resolve().relative_to(ROOT)
        inside = True
    except ValueError:
        inside = False
    if inside:
        raise KinerjaError(
            f"pseudonym key file '{path}' lies inside the project folder '{ROOT}'; rule: the key must live outside "
            f"the repository (set {KEY_FILE_ENV} to a path such as ~/.config/kinerja/pseudonym.key)"
        )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        print(
            f"kinerja: created a new pseudonym key in {path} (keep it secret and back it up: the same key is "
            f"needed for pseudonyms to join across runs; set {KEY_ENV} or {KEY_FILE_ENV} to use another)",
            file=sys.stderr,
        )
    if not path.is_file():
        raise KinerjaError(
            f"pseudonym key file '{path}' is not a file; rule: the key file holds the key as one line of text"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KinerjaError(
            f"pseudonym key file '{path}' cannot be read ({exc.strerror}); rule: the key file must be readable by you"
        ) from None
    if len(raw) > 4096:
        raise KinerjaError(
            f"pseudonym key file '{path}' has {len(raw)} bytes; rule: the key file holds the key as one line of text "
            f"(at most 4096 bytes)"
        )
    try:
        key = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise KinerjaError(
            f"pseudonym key file '{path}' is not text (UTF-8); rule: the key file holds the key as one line of text"
        ) from None
    if not key:
        raise KinerjaError(f"pseudonym key file '{path}' is empty; rule: the key must be a non-empty string")
    return key.encode("utf-8")


def _hmac_sha256_hex(key: bytes, texts: list) -> list[str]:
    """HMAC-SHA256 (RFC 2104) of each text, as hex: the same bytes as ``hmac.new(key, text, sha256).hexdigest()``,
    about twice as fast for many short texts (the padded-key states are hashed once and copied per text).

    Examples
    --------
    >>> import hmac, hashlib
    >>> all(_hmac_sha256_hex(k, ["198503122010011001"])[0]
    ...     == hmac.new(k, b"198503122010011001", hashlib.sha256).hexdigest() for k in (b"k", b"x" * 64, b"y" * 99))
    True
    """
    if len(key) > 64:  # SHA-256 block size
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy
    out = []
    for t in texts:
        i = inner_copy()
        i.update((t if isinstance(t, str) else str(t)).encode("utf-8"))
        o = outer_copy()
        o.update(i.digest())
        out.append(o.hexdigest())
    return out


def pseudonymise(
    values: pd.Series | Sequence[str], *, key: bytes | str | None = None, prefix: str = "P", length: int = 16
) -> pd.Series:
    """Replace identifiers (NIPs) by keyed pseudonyms: ``prefix`` + hex HMAC-SHA256(key, value).

    Parameters
    ----------
    values : pandas.Series or sequence of str
        Identifiers, e.g. clean 18-digit NIPs. Missing values stay missing.
    key : bytes or str, optional
        Secret key; default :func:`pseudonym_key`.
    prefix : str, default "P"
        Prefix of every pseudonym (``"P"`` people, ``"R"`` rows of the public-satisfaction survey).
    length : int, default 16
        Number of hex characters kept (16 hex = 64 bits: collisions are negligible below billions of people).

    Returns
    -------
    pandas.Series
        Pseudonyms (string dtype), same index as ``values``.

    Notes
    -----
    The HMAC is computed once per unique value and mapped back, so the cost grows with the number of people, not rows.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pseudonymise(pd.Series(["198503122010011001", None, "198503122010011001"]), key=b"k")
    >>> s[0] == s[2], s[0][0], len(s[0]), pd.isna(s[1])
    (True, 'P', 17, True)
    """
    if key is None:
        key = pseudonym_key()
    if isinstance(key, str):
        key = key.encode("utf-8")
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="string")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = uniques.to_numpy(dtype=object) if hasattr(uniques, "to_numpy") else np.asarray(uniques, dtype=object)
    out = [prefix + h[:length] for h in _hmac_sha256_hex(key, texts.tolist())]
    return take_strings(out, codes, index=s.index, name=s.name)


def release_problems(name: str, df: pd.DataFrame) -> list[str]:
    """What in ``df`` must not leave the clean step (empty when it may be written): a column of
    :data:`EXACT_DATE_COLUMNS`, an age or tenure not in whole years, a submission date that is not the first day of
    its month. These are the quasi-identifiers that rebuild a NIP (birth date + TMT + sex + a small sequence).

    Examples
    --------
    >>> import pandas as pd
    >>> release_problems("survey.parquet", pd.DataFrame({"age": [41.3]}))
    ["survey.parquet, column 'age': not in whole years"]
    """
    out = []
    for c in df.columns:
        if str(c).lower() in EXACT_DATE_COLUMNS:
            out.append(f"{name}, column {c!r}: a personal identifier or the exact part of a NIP")
    for c in WHOLE_YEAR_COLUMNS:
        if c in df and not pd.api.types.is_integer_dtype(df[c]):
            out.append(f"{name}, column {c!r}: not in whole years")
    for c in MONTH_COLUMNS:
        if c in df and pd.api.types.is_datetime64_any_dtype(df[c]):
            v = df[c].dropna()
            if len(v) and not ((v.dt.day == 1) & (v.dt.normalize() == v)).all():
                out.append(f"{name}, column {c!r}: holds exact dates or times, not months")
    return out


def suppress_small_cells(
    df: pd.DataFrame,
    *,
    n_col: str = "n",
    min_n: int = MIN_CELL_N,
    columns: Sequence[str] | None = None,
    flag_col: str = "suppressed",
) -> pd.DataFrame:
    """Blank the cells of a result table that describe fewer than ``min_n`` people.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with a count column (``n_col``), one row per cell of a cross-tabulation or per estimate.
    n_col : str, default "n"
        Column holding the number of people each row is about.
    min_n : int, default 5
        Rows with ``n < min_n`` are suppressed. Rows whose ``n`` is missing are left as they are.
    columns : list of str, optional
        Columns to blank in suppressed rows. Default: every numeric column other than ``n_col`` (labels such as
        ``region`` or ``term`` stay so the reader sees which cell was suppressed).
    flag_col : str, default "suppressed"
        Name of the boolean column added to mark suppressed rows (the report layer prints ``"<5"`` there).

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with ``columns`` and ``n_col`` set to missing in suppressed rows and the boolean
        ``flag_col`` column added. The input is not modified.

    Raises
    ------
    KinerjaError
        When ``n_col`` or a listed column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"region": ["a", "b"], "estimate": [3.1, 2.5], "n": [12, 3]})
    >>> suppress_small_cells(t)
      region  estimate     n  suppressed
    0      a       3.1    12       False
    1      b       NaN  <NA>        True
    """
    if n_col not in df.columns:
        raise KinerjaError(
            f"table has no count column {n_col!r} (columns: {list(df.columns)}); rule: small-cell "
            f"suppression needs the number of people per row"
        )
    if columns is None:
        columns = [
            c
            for c in df.columns
            if c != n_col
            and c != flag_col
            and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])
        ]
    else:
        columns = list(columns)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise KinerjaError(f"columns {missing} are not in the table; rule: only existing columns can be suppressed")
    out = df.copy()
    n = pd.to_numeric(out[n_col], errors="coerce")
    small = (n < min_n).fillna(False).to_numpy(dtype=bool)
    if small.any():
        for c in [*columns, n_col]:
            col = out[c]
            if pd.api.types.is_integer_dtype(col) and not isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
                out[c] = col.astype("Int64")
            elif pd.api.types.is_bool_dtype(col) and not isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
                out[c] = col.astype("boolean")
            out.loc[small, c] = pd.NA
    else:
        if pd.api.types.is_integer_dtype(out[n_col]) and not isinstance(
            out[n_col].dtype, pd.api.extensions.ExtensionDtype
        ):
            out[n_col] = out[n_col].astype("Int64")
    out[flag_col] = small
    return out


# --------------------------------------------------------------------------------------------------------------------
# How identifiable are the processed tables?
# --------------------------------------------------------------------------------------------------------------------
#: Quasi-identifiers of the k-anonymity report: region x agency x age x gender x golongan.
QUASI_IDENTIFIERS = ("region_code", "agency", "age", "gender", "golongan")
_DAY = np.timedelta64(1, "D")
_YEAR_DAYS = 365.2425


def _banded(df: pd.DataFrame, bands: Mapping[str, int] | None) -> pd.DataFrame:
    out = df
    for c, width in (bands or {}).items():
        if c in out:
            v = pd.to_numeric(out[c], errors="coerce")
            lo = (np.floor(v / width) * width).astype("Int64")
            label = lo.astype("string") + "–" + (lo + width - 1).astype("string")
            out = out.assign(**{c: label})
    return out


def k_anonymity(
    table: pd.DataFrame,
    quasi: Sequence[str] | None = None,
    *,
    k: int = MIN_CELL_N,
    bands: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Size of every class of people sharing the same quasi-identifiers (k-anonymity).

    Parameters
    ----------
    table : pandas.DataFrame
        A processed table (one row per person x wave / period, or per respondent).
    quasi : list of str, optional
        Quasi-identifier columns; default :data:`QUASI_IDENTIFIERS` present in ``table``.
    k : int, default 5
        Classes of fewer than ``k`` people are flagged.
    bands : mapping of str to int, optional
        Band width per numeric column before grouping, e.g. ``{"age": 5}`` (``"40–44"``): what the classes are when
        a report shows ages in bands.

    Returns
    -------
    pandas.DataFrame
        One row per combination of the quasi-identifiers found (missing values form their own class): the ``quasi``
        columns, ``k`` (distinct people, ``person_id`` or else rows) and ``below`` (``k`` under the threshold),
        sorted by ``k`` then the quasi-identifiers.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"person_id": list("abcdef"), "region_code": ["18.71"] * 6, "gender": list("LLLLLP")})
    >>> k_anonymity(t, ["region_code", "gender"]).values.tolist()
    [['18.71', 'P', 1, True], ['18.71', 'L', 5, False]]
    """
    quasi = [c for c in (quasi or QUASI_IDENTIFIERS) if c in table.columns]
    if not quasi:
        raise KinerjaError(
            f"table has none of the quasi-identifier columns {list(QUASI_IDENTIFIERS)}; rule: k-anonymity needs at "
            f"least one of them"
        )
    d = _banded(table[quasi + (["person_id"] if "person_id" in table else [])], bands)
    if "person_id" not in d:
        d = d.assign(person_id=np.arange(len(d)))
    keyed = d[quasi].astype("string").fillna("<NA>")
    g = d.assign(**{c: keyed[c] for c in quasi}).groupby(quasi, sort=True, observed=True)["person_id"].nunique()
    out = g.rename("k").reset_index()
    for c in quasi:  # missing values back as missing
        out[c] = out[c].mask(out[c] == "<NA>")
    out["k"] = out["k"].astype("int64")
    out["below"] = out["k"] < k
    return out.sort_values(["k", *quasi], kind="mergesort").reset_index(drop=True)


def k_anonymity_summary(
    table: pd.DataFrame,
    quasi: Sequence[str] | None = None,
    *,
    k: int = MIN_CELL_N,
    bands: Mapping[str, int] | None = None,
    between: str | None = None,
) -> pd.DataFrame:
    """What :func:`k_anonymity` finds, in one row (or one row per group of ``between``), for the audit page.

    Returns
    -------
    pandas.DataFrame
        ``quasi`` (the columns joined by " × "), ``k_min`` (the threshold), ``n_people``, ``n_classes``,
        ``n_classes_below`` and ``n_people_below`` (distinct people in at least one class of fewer than ``k_min``),
        ``share_below`` (their share of ``n_people``, 0-1), ``min_k``, ``median_k`` and ``warning`` (True when some class is smaller than ``k_min``); with
        ``between`` its column first (each group's classes computed within the group).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"person_id": list("abcdef"), "region_code": ["18.71"] * 6, "gender": list("LLLLLP")})
    >>> s = k_anonymity_summary(t, ["region_code", "gender"])
    >>> s[["n_people", "n_classes", "n_people_below", "min_k", "warning"]].values.tolist()
    [[6, 2, 1, 1, True]]
    """
    groups = [(None, table)] if between is None else list(table.groupby(between, sort=True, observed=True))
    rows = []
    for key, part in groups:
        kt = k_anonymity(part, quasi, k=k, bands=bands)
        cols = [c for c in kt.columns if c not in ("k", "below")]
        people = part["person_id"] if "person_id" in part else pd.Series(np.arange(len(part)), index=part.index)
        # people (not person-rows) in a small class: a person whose age changed between waves sits in two classes
        keyed = _banded(part[cols], bands).astype("string").fillna("<NA>")
        small = kt.loc[kt["below"], cols].astype("string").fillna("<NA>")
        in_small = keyed.merge(small.assign(_small=True), on=cols, how="left")["_small"].fillna(False).to_numpy()
        below_people = int(people[in_small].nunique())
        row = {} if between is None else {between: key}
        row |= {
            "quasi": " × ".join(cols),
            "k_min": int(k),
            "n_people": int(people.nunique()),
            "n_classes": int(len(kt)),
            "n_classes_below": int(kt["below"].sum()),
            "n_people_below": int(below_people),
            "share_below": float(below_people / max(people.nunique(), 1)),
            "min_k": int(kt["k"].min()) if len(kt) else 0,
            "median_k": float(kt["k"].median()) if len(kt) else np.nan,
            "warning": bool(kt["below"].any()),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def _window(submitted: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest moment each row could have been submitted: the whole month when the column holds months
    (the release form), the moment itself otherwise."""
    t = pd.to_datetime(submitted).to_numpy(dtype="datetime64[ns]")
    v = pd.Series(t).dropna()
    coarse = len(v) > 0 and bool(((v.dt.day == 1) & (v.dt.normalize() == v)).all())
    if not coarse:
        return t, t
    end = (pd.Series(t) + pd.offsets.MonthEnd(0)).to_numpy(dtype="datetime64[ns]") + np.timedelta64(1, "D")
    return t, end - np.timedelta64(1, "ns")


def _years_back(t: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``t`` minus ``years`` (float) of 365.2425 days, as datetime64[ns] (NaT where ``years`` is missing)."""
    days = np.round(years * _YEAR_DAYS * 86400e9)
    out = t - np.where(np.isnan(days), 0, days).astype("timedelta64[ns]")
    return np.where(np.isnan(years), np.datetime64("NaT"), out)


def _tighter(a: np.ndarray, b: np.ndarray, pick) -> np.ndarray:
    """Elementwise the tighter of two bounds (``np.fmax`` for lower, ``np.fmin`` for upper bounds; NaT = no bound)."""
    return np.where(np.isnat(a), b, np.where(np.isnat(b), a, pick(a, b)))


def nip_attack(
    tables: Mapping[str, pd.DataFrame], *, sequence_guesses: int = 5, max_guesses: int = 100
) -> pd.DataFrame:
    """Rebuild NIPs from processed tables: the attack of a reader who knows the NIP layout (birth date 8 + TMT 6 +
    sex 1 + a small sequence 3) and holds the tables (issue 15).

    For every person the attack intersects, over all their rows in all tables, the birth dates and TMT months the
    quasi-identifiers allow: an exact ``birth_date``; an age (whole or exact years) at a submission moment (exact or
    its month); a tenure likewise; gender. The candidates for the first 15 digits are then counted (birth days x TMT
    months, or for PPPK x appointment years x 9 contract numbers; x 2 without gender), and the person counts as
    re-identified when ``prefixes x sequence_guesses <= max_guesses`` (a handful of guesses at the first sequence
    numbers finds them).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Processed tables (those with ``person_id`` are used).
    sequence_guesses : int, default 5
        Sequence numbers an attacker tries per prefix (most people hold 001-005).
    max_guesses : int, default 100
        Guesses in all that count as a successful attack.

    Returns
    -------
    pandas.DataFrame
        One row per person: ``person_id``, ``birth_lo``, ``birth_hi`` (the window of birth dates), ``birth_days``,
        ``tmt_lo``, ``tmt_hi``, ``tmt_candidates`` (TMT months, or PPPK year x contract candidates), ``prefixes``
        (candidate first 15 digits), ``guesses`` (``prefixes x sequence_guesses``) and ``reidentified``.
    """
    frames = []
    for df in tables.values():
        if df is None or "person_id" not in df or df.empty:
            continue
        n = len(df)
        nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        b_lo, b_hi, m_lo, m_hi = nat.copy(), nat.copy(), nat.copy(), nat.copy()
        if "birth_date" in df:
            bd = pd.to_datetime(df["birth_date"]).to_numpy(dtype="datetime64[ns]")
            b_lo, b_hi = bd, bd
        if "submitted_at" in df:
            t_lo, t_hi = _window(df["submitted_at"])
            for col in ("age", "tenure_years"):
                if col not in df:
                    continue
                v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                whole = pd.api.types.is_integer_dtype(df[col])
                # whole years a at t: a <= (t - x) < a + 1, so x in (t - (a + 1), t - a]; exact years: +- 1 day
                lo = _years_back(t_lo, v + 1) + _DAY if whole else _years_back(t_lo, v) - _DAY
                hi = _years_back(t_hi, v) if whole else _years_back(t_hi, v) + _DAY
                if col == "age":
                    b_lo, b_hi = _tighter(b_lo, lo, np.fmax), _tighter(b_hi, hi, np.fmin)
                else:
                    m_lo, m_hi = lo, hi
        part = pd.DataFrame(
            {
                "person_id": df["person_id"].to_numpy(dtype=object),
                "b_lo": b_lo,
                "b_hi": b_hi,
                "m_lo": m_lo,
                "m_hi": m_hi,
                "gender": (df["gender"] if "gender" in df else pd.Series(pd.NA, index=df.index))
                .astype("string")
                .to_numpy(dtype=object, na_value=None),
                "pppk": (df["employment"].astype("string") == "PPPK").fillna(False).to_numpy(dtype=bool)
                if "employment" in df
                else np.zeros(n, dtype=bool),
            }
        )
        frames.append(part)
    cols = ["person_id", "birth_lo", "birth_hi", "birth_days", "tmt_lo", "tmt_hi", "tmt_candidates", "prefixes"]
    if not frames:
        return pd.DataFrame(columns=[*cols, "guesses", "reidentified"])
    allrows = pd.concat(frames, ignore_index=True)
    g = allrows.groupby("person_id", sort=True)
    per = pd.DataFrame(
        {
            "birth_lo": g["b_lo"].max(),
            "birth_hi": g["b_hi"].min(),
            "tmt_lo": g["m_lo"].max(),
            "tmt_hi": g["m_hi"].min(),
            "gender_known": g["gender"].count() > 0,
            "pppk": g["pppk"].any(),
        }
    )
    last = pd.Timestamp("2030-12-31")
    # without an age: anyone of working age (17-70) on the latest date; without a tenure: from 18 to that date
    per["birth_lo"] = per["birth_lo"].fillna(last - pd.DateOffset(years=71))
    per["birth_hi"] = per["birth_hi"].fillna(last - pd.DateOffset(years=17))
    per["tmt_lo"] = per["tmt_lo"].fillna(per["birth_lo"] + pd.DateOffset(years=18))
    per["tmt_hi"] = per["tmt_hi"].fillna(last)
    per["tmt_lo"] = np.maximum(per["tmt_lo"], per["birth_lo"] + pd.DateOffset(years=18))
    birth_days = ((per["birth_hi"].dt.normalize() - per["birth_lo"].dt.normalize()) / _DAY + 1).clip(lower=0)
    months = (
        (per["tmt_hi"].dt.year - per["tmt_lo"].dt.year) * 12 + (per["tmt_hi"].dt.month - per["tmt_lo"].dt.month) + 1
    ).clip(lower=0)
    years = (per["tmt_hi"].dt.year - per["tmt_lo"].dt.year + 1).clip(lower=0)
    tmt = np.where(per["pppk"], years * 9, months)
    prefixes = birth_days.to_numpy(dtype=float) * tmt * np.where(per["gender_known"], 1, 2)
    out = pd.DataFrame(
        {
            "person_id": per.index.to_numpy(dtype=object),
            "birth_lo": per["birth_lo"].dt.normalize().to_numpy(),
            "birth_hi": per["birth_hi"].dt.normalize().to_numpy(),
            "birth_days": birth_days.astype("int64").to_numpy(),
            "tmt_lo": per["tmt_lo"].to_numpy(),
            "tmt_hi": per["tmt_hi"].to_numpy(),
            "tmt_candidates": np.asarray(tmt, dtype="int64"),
            "prefixes": np.asarray(prefixes, dtype="int64"),
        }
    )
    out["guesses"] = out["prefixes"] * int(sequence_guesses)
    out["reidentified"] = (out["prefixes"] >= 1) & (out["guesses"] <= int(max_guesses))
    return out
