"""Small file helpers shared by every writer: content hashes, atomic text writes, and output folders replaced as a
whole (a temporary sibling, one swap, recovery after a killed run)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 text to ``path`` through a temporary sibling and a rename, so a reader (or an interrupted run)
    sees either the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------------------------------
# Output folders replaced as a whole: one temporary sibling, one swap, one recovery (clean and report both use these)
# --------------------------------------------------------------------------------------------------------------------
#: Suffix of the last good folder while a swap is under way (``<name>.previous``).
PREVIOUS_SUFFIX = ".previous"


def previous_of(final: str | Path) -> Path:
    """``<final>.previous``: where the last good folder waits while :func:`swap_into_place` renames."""
    final = Path(final)
    return final.with_name(final.name + PREVIOUS_SUFFIX)


def temp_sibling(final: str | Path, tag: str = "") -> Path:
    """A hidden temporary sibling of ``final`` for this process: ``.<name>.tmp-[<tag>-]<pid>``.

    The process id is the last part of the name, so :func:`remove_stale_temps` can tell a killed run's folder (its
    process is gone) from one still being written.

    Examples
    --------
    >>> temp_sibling("/data/out", tag="run1").name.startswith(".out.tmp-run1-")
    True
    """
    final = Path(final)
    middle = f"{tag}-" if tag else ""
    return final.with_name(f".{final.name}.tmp-{middle}{os.getpid()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # exists but not ours, or cannot tell: leave it alone
        return True
    return True


def remove_stale_temps(final: str | Path) -> list[Path]:
    """Remove the temporary siblings of ``final`` left by killed runs (their process no longer exists).

    Returns
    -------
    list of Path
        The folders removed.
    """
    final = Path(final)
    removed = []
    for t in final.parent.glob(f".{final.name}.tmp-*"):
        try:
            pid = int(t.name.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(t, ignore_errors=True)
            removed.append(t)
    return removed


def recover_swap(final: str | Path) -> bool:
    """Undo the effect of a run killed between the two renames of :func:`swap_into_place`: when ``final`` is gone
    and ``<final>.previous`` exists, put the last good folder back. Returns True when it did."""
    final = Path(final)
    old = previous_of(final)
    if old.is_dir() and not final.exists():
        os.replace(old, final)
        return True
    return False


def readable_folder(final: str | Path) -> Path:
    """The folder a reader should use: ``final``, or ``<final>.previous`` while a swap is under way or after a run
    was killed between its two renames (the last good output)."""
    final = Path(final)
    old = previous_of(final)
    if not final.exists() and old.is_dir():
        return old
    return final


class _DirLock:
    """An exclusive advisory lock on a folder (``flock`` on its descriptor), so two runs swapping folders in the same
    parent do it one after the other; a no-op where ``flock`` does not exist."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.fd = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return self
        try:
            self.fd = os.open(self.folder, os.O_RDONLY)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError:
            if self.fd is not None:
                os.close(self.fd)
            self.fd = None
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the lock
        return False


def swap_into_place(tmp: str | Path, final: str | Path) -> None:
    """Replace the folder ``final`` by the complete folder ``tmp`` with two renames.

    The last good folder stays readable throughout: it is renamed to ``<final>.previous`` first, then ``tmp`` becomes
    ``final``, then the previous folder is removed. A run killed between the two renames leaves ``final`` missing
    and ``<final>.previous`` complete: :func:`readable_folder` serves it and :func:`recover_swap` (called here and by
    the next run) puts it back. Swaps in the same parent folder are serialised by a lock on that folder.

    Parameters
    ----------
    tmp : path
        The new, complete folder (normally :func:`temp_sibling` of ``final``: the same file system).
    final : path
        The folder to replace (it need not exist).
    """
    tmp, final = Path(tmp), Path(final)
    old = previous_of(final)
    with _DirLock(final.parent):
        recover_swap(final)
        if old.exists():  # a stale copy next to a complete final folder: the final folder is the good one
            shutil.rmtree(old)
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------------------------------------------------
# Cells a spreadsheet would run: the OWASP CSV-injection rule
# --------------------------------------------------------------------------------------------------------------------
#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP), with their
#: full-width forms; a cell starting with the escape mark itself is escaped too, so the escape can be undone exactly.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20", "'")
_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?$"


def escape_formulas(values: pd.Series) -> pd.Series:
    """Text cells made inert for spreadsheets (OWASP CSV injection): a cell starting with ``= + - @``, TAB, CR (or
    their full-width forms, or the escape mark ``'``) gets a leading single quote, so Excel shows it as text. A plain
    number (``-5``, ``+62``, ``-1,5``) is left as it is: a spreadsheet reads it as a number, never a formula.

    Examples
    --------
    >>> import pandas as pd
    >>> escape_formulas(pd.Series(['=HYPERLINK("http://x","klik")', "-5", "-2+3", "@SUM(A1)", "Setuju", None])).tolist()
    ['\\'=HYPERLINK("http://x","klik")', '-5', "'-2+3", "'@SUM(A1)", 'Setuju', <NA>]
    """
    s = pd.Series(values, copy=False).astype("string")
    codes, uniq = pd.factorize(s, use_na_sentinel=True)  # each distinct cell looked at once
    u = pd.Series(uniq, dtype="string")
    risky = (u.str.startswith(FORMULA_START).fillna(False) & ~u.str.fullmatch(_PLAIN_NUMBER).fillna(False)).to_numpy()
    if not risky.any():
        return s
    at = np.flatnonzero(risky[np.where(codes < 0, 0, codes)] & (codes >= 0))
    out = s.copy()
    out.iloc[at] = ("'" + s.iloc[at]).to_numpy()
    return out


def unescape_formulas(values: pd.Series) -> pd.Series:
    """Undo :func:`escape_formulas` (drop the one leading ``'`` it added)."""
    s = pd.Series(values, copy=False).astype("string")
    escaped = s.str.startswith("'").fillna(False) & s.str.slice(1).str.startswith(FORMULA_START).fillna(False)
    return s.mask(escaped, s.str.slice(1))
