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
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError

__all__ = ["pseudonymise", "pseudonym_key", "key_fingerprint", "suppress_small_cells", "MIN_CELL_N"]

MIN_CELL_N = 5
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
    import hashlib

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
    from kinerja_research.paths import ROOT

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
    key = path.read_text(encoding="utf-8").strip()
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
    from kinerja_research._arrays import take_strings

    return take_strings(out, codes, index=s.index, name=s.name)


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
