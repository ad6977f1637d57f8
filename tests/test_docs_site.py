"""The documentation site: its pages exist, every public module of the package is on an API page, nothing points
outside the repository; the strict build itself (`make docs`) is the slow test."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import kinerja_research

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PACKAGE = Path(kinerja_research.__file__).parent


def _nav_files(nav) -> list[str]:
    out = []
    for entry in nav:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            out += _nav_files(value) if isinstance(value, list) else [value]
    return out


def _public_modules(with_all: bool = True) -> set[str]:
    """Modules (with an ``__all__``) whose path has no private part (``_sem.py``, ``_forkserver.py``)."""
    out = set()
    for f in PACKAGE.rglob("*.py"):
        parts = f.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(p.startswith("_") for p in parts) or (with_all and "__all__" not in f.read_text(encoding="utf-8")):
            continue
        out.add(".".join(parts))
    return out


def test_every_page_of_the_nav_exists_and_every_page_is_in_the_nav():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = _nav_files(config["nav"])
    assert [f for f in nav if not (DOCS / f).is_file()] == []
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert sorted(pages - set(nav)) == []


def test_every_public_module_is_on_an_api_page():
    documented = set()
    for page in (DOCS / "api").glob("*.md"):
        documented |= set(re.findall(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), flags=re.M))
    # packages re-exporting their modules' names are documented through those modules
    reexporting = {
        "kinerja_research",
        "kinerja_research.measure",
        "kinerja_research.analysis",
        "kinerja_research.clean",
        "kinerja_research.report",
        "kinerja_research.instruments",
        "kinerja_research.cli",
        "kinerja_research.report.i18n",
    }
    missing = sorted(_public_modules() - documented - reexporting - {"kinerja_research.cli.apps"})
    assert missing == [], f"add to an API page of docs/api/: {missing}"
    assert sorted(documented - _public_modules(with_all=False)) == [], "API pages name modules that do not exist"


def test_docs_point_to_nothing_outside_the_repository():
    for page in [REPO / "README.md", *DOCS.rglob("*.md")]:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/CONVENTIONS" not in text, page
        assert "/work/" not in text, page


@pytest.mark.slow
def test_the_site_builds_strict(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("the docs tools are installed by `make docs` (requirements-docs.lock)")
    res = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-4000:]
    assert (tmp_path / "site" / "api" / "measure" / "index.html").read_text(encoding="utf-8").count("cronbach_alpha")
