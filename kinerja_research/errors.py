"""Errors for a user's mistakes: one sentence naming file, row, column, value and rule.

Everything the toolkit raises because of its input is a :class:`KinerjaError` (a ``ValueError``), which the CLI turns
into one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class KinerjaError(ValueError):
    """A problem with the user's input, described in one sentence."""


class InputFileError(KinerjaError):
    """A file cannot be used at all (unreadable, wrong table, required columns missing)."""


class RegionError(KinerjaError):
    """A region name or code that the registry cannot resolve (unknown or ambiguous)."""


class CodebookError(KinerjaError):
    """A codebook YAML that breaks a rule."""


class ReverseKeyWarning(UserWarning):
    """Items of a scale given without reverse keys load negatively on its first principal component."""


def where(
    file: str | Path | None = None, row: int | None = None, column: str | None = None, value: object = None
) -> str:
    """Format the location part of an error sentence: ``file 'x.csv', row 12, column 'NIP', value '1.98E+17'``."""
    parts = []
    if file is not None:
        parts.append(f"file '{Path(file).name}'")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    if value is not None:
        parts.append(f"value {value!r}")
    return ", ".join(parts)
