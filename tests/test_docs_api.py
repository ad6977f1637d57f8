"""``help(kr)`` lists the public API by family, one line each, generated from the package: a new public function
cannot be missing from it, and the index in the package docstring is the one the package generates today."""

from __future__ import annotations

import importlib
import inspect
import pydoc

import kinerja_research as kr
from kinerja_research import _docs
from kinerja_research.analysis import _MODULES as ANALYSIS_MODULES


def test_the_package_docstring_holds_todays_api_index():
    assert _docs.api_index() in kr.__doc__, (
        "run `python -m kinerja_research._docs` and commit kinerja_research/__init__.py"
    )


def test_every_public_name_is_in_a_family():
    listed = {name.rsplit(".", 1)[-1] for _, _, names in _docs.family_names() for name, _ in names}
    flat = set(kr._public_names())
    assert sorted(flat - listed) == []
    for sub in ("report", "clean"):
        assert sorted(set(importlib.import_module(f"kinerja_research.{sub}").__all__) - listed) == []


def test_every_module_of_the_flat_api_and_of_analysis_has_a_family():
    families = {m for _, _, modules in _docs.FAMILIES for m in modules}
    for mod in kr._FLAT_MODULES:
        assert mod == "analysis" or mod in families, mod
    assert sorted(f"analysis.{m}" for m in ANALYSIS_MODULES if f"analysis.{m}" not in families) == []


def test_every_public_function_and_class_has_a_one_line_summary():
    for title, _, names in _docs.family_names():
        for name, obj in names:
            if inspect.isfunction(obj) or inspect.isclass(obj):
                line = _docs._first_sentence(obj)
                assert line and "\n" not in line and len(line) <= 112, (title, name, line)


def test_help_shows_the_families():
    text = pydoc.render_doc(kr, renderer=pydoc.plaintext)
    for title, _, _ in _docs.FAMILIES:
        assert title in text
    assert "kr.cronbach_alpha" in text and "Cronbach's alpha" in text
    assert "kr.report.start" in text


def test_first_sentence_stops_at_the_first_sentence_and_fits_a_line():
    def f():
        """Mean per region. Computed with pandas.

        Details."""

    def g():
        """A very long summary that goes on and on and on and on and on and on and on and on and on and on and on
        and on without ever stopping."""

    assert _docs._first_sentence(f) == "Mean per region."
    assert _docs._first_sentence(g).endswith(" ...") and len(_docs._first_sentence(g)) <= 112
