"""Translation tables of the reports: ``i18n/<lang>/<namespace>.yml`` merged into one flat ``{key: text}`` map.

Each file is a flat YAML map ``key: text``; the full key is ``<namespace>.<key>`` where the namespace is the file name
(``training.yml`` holding ``did_title: ...`` gives ``training.did_title``). A key written with its namespace already
(``training.did_title: ...`` inside ``training.yml``) is accepted as is. Texts are ``str.format`` templates (a
literal brace is written ``{{``); numbers in them are formatted by :mod:`kinerja_research.report.tables` (see :class:`Translator`).

Every key must exist in every language (``tests/test_i18n.py``) and an unknown key raises, so a report never shows a
raw key.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

from kinerja_research import standards
from kinerja_research.errors import KinerjaError
from kinerja_research.report import numbers

__all__ = [
    "LANGS",
    "STANDARDS",
    "I18N_DIR",
    "load_translations",
    "Translator",
    "translator",
    "missing_keys",
]

LANGS = ("id", "en")
#: The named thresholds of :mod:`kinerja_research.standards` (``{ALPHA_MIN_GHOZALI:.2f}``, ``{HTMT_MAX:.2f}``...),
#: available to every text, so a threshold a text states is the one the package applies, never typed by hand.
STANDARDS = {
    name: value
    for name, value in vars(standards).items()
    if name.isupper() and isinstance(value, (int, float)) and not isinstance(value, bool)
}
I18N_DIR = Path(__file__).resolve().parent


def check_lang(lang: str) -> None:
    """Raise a one-sentence error when ``lang`` is not a report language."""
    if lang not in LANGS:
        raise KinerjaError(f"Argument 'lang' is {lang!r}; the rule is that it must be one of {list(LANGS)}.")


def _signature(lang: str, folder: str) -> tuple:
    files = sorted(Path(folder, lang).glob("*.yml"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)


@functools.lru_cache(maxsize=32)
def _load(lang: str, folder: str, signature: tuple) -> dict[str, str]:
    import yaml

    out: dict[str, str] = {}
    for name, _, _ in signature:
        f = Path(folder, lang, name)
        ns = f.stem
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise KinerjaError(
                f"translation file '{f}' holds a {type(data).__name__}; the rule is a flat map key: text."
            )
        for k, v in data.items():
            if not isinstance(k, str):
                raise KinerjaError(
                    f"translation file '{f}', key {k!r}: the rule is that every key is a string (quote "
                    f'keys such as "yes"/"no" that YAML reads as booleans).'
                )
            if not isinstance(v, str):
                raise KinerjaError(
                    f"translation file '{f}', key {k!r}, value {v!r}: the rule is that every value is "
                    f"a string (flat map, no nesting)."
                )
            key = str(k) if str(k).startswith(ns + ".") else f"{ns}.{k}"
            if key in out:
                raise KinerjaError(
                    f"translation file '{f}', key {key!r} is defined twice; the rule is one text per key."
                )
            out[key] = v
    return out


def load_translations(lang: str = "id", *, folder: str | Path | None = None) -> dict[str, str]:
    """Return the merged translation table of one language.

    Parameters
    ----------
    lang : {"id", "en"}
        Report language.
    folder : path, optional
        Folder holding ``<lang>/*.yml``; default the package's ``report/i18n``.

    Returns
    -------
    dict of str to str
        ``{"<namespace>.<key>": text}`` (a copy; edits do not leak into the cache).

    Examples
    --------
    >>> load_translations("en")["common.col.estimate"]
    'Estimate'
    """
    check_lang(lang)
    folder = str(folder or I18N_DIR)
    return dict(_load(lang, folder, _signature(lang, folder)))


def missing_keys(folder: str | Path | None = None) -> dict[str, list[str]]:
    """Keys present in some language but missing in another: ``{lang: [missing keys]}`` (empty lists when complete)."""
    tables = {lang: load_translations(lang, folder=folder) for lang in LANGS}
    every = set().union(*tables.values())
    return {lang: sorted(every - set(t)) for lang, t in tables.items()}


class _Formatter(string.Formatter):
    """``str.format`` whose numbers follow the report language (decimal comma in Indonesian, APA p strings).

    Extra format specs: ``p`` (p value, APA), ``n`` (integer count with thousands separator), ``pct`` (percent with
    one decimal). A plain float without a spec gets two decimals.
    """

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        return numbers.format_value(value, spec=format_spec, lang=self.lang)


class Translator:
    """Look up and fill report texts of one language; an unknown key raises :class:`KinerjaError`.

    Examples
    --------
    >>> t = Translator("id")
    >>> t("common.col.estimate")
    'Estimasi'
    >>> t("common.col.ci", level=95.0)
    'SK 95%'
    """

    def __init__(self, lang: str = "id", *, folder: str | Path | None = None):
        check_lang(lang)
        self.lang = lang
        self.table = load_translations(lang, folder=folder)
        self._fmt = _Formatter(lang)

    def __contains__(self, key: str) -> bool:
        return key in self.table

    def get(self, key: str, default: str | None = None, **fmt: Any) -> str | None:
        """Like :meth:`__call__` but returns ``default`` for an unknown key."""
        if key not in self.table:
            return default
        return self(key, **fmt)

    def __call__(self, key: str, **fmt: Any) -> str:
        try:
            text = self.table[key]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(key, list(self.table), n=3, cutoff=0.6)
            hint = f" (closest: {', '.join(close)})" if close else ""
            raise KinerjaError(
                f"translation key {key!r} is not in report/i18n/{self.lang}/{key.split('.')[0]}.yml"
                f"{hint}; the rule is that every shown text comes from the translation table."
            ) from None
        try:
            return self._fmt.vformat(text, (), {**STANDARDS, **fmt})
        except (KeyError, IndexError) as exc:
            raise KinerjaError(
                f"translation key {key!r} ({self.lang}) needs the value {exc}; the rule is that every "
                f"placeholder of the text is given."
            ) from None


@functools.lru_cache(maxsize=4)
def translator(lang: str = "id") -> Translator:
    """Cached :class:`Translator` of the package's translation table."""
    return Translator(lang)
