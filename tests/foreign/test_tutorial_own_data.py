"""docs/tutorial_own_data.md runs as written: every ```bash and ```python block, in order, in a fresh project folder
(KINERJA_ROOT) with the foreign Google Forms export as the user's download."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "docs" / "tutorial_own_data.md"
EXPORT = Path(__file__).parent / "forms_utf8" / "forms_kinerja_asn.csv"


def _blocks() -> list[tuple[str, str]]:
    text = TUTORIAL.read_text(encoding="utf-8")
    return re.findall(r"```(bash|python)\n(.*?)```", text, flags=re.S)


def _project(tmp_path: Path) -> tuple[Path, dict]:
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "notebooks").symlink_to(REPO / "notebooks")
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    shutil.copy(EXPORT, home / "Downloads" / "Survei Kinerja ASN.csv")
    env = {
        **os.environ,
        "HOME": str(home),
        "KINERJA_ROOT": str(root),
        "KINERJA_PSEUDONYM_KEY": "tutorial-test-key",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return root, env


def _run(kind: str, code: str, root: Path, env: dict) -> subprocess.CompletedProcess:
    cmd = ["bash", "-euo", "pipefail", "-c", code] if kind == "bash" else [sys.executable, "-c", code]
    res = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, (
        f"{kind} block failed ({res.returncode}):\n{code}\n--- stdout\n{res.stdout}\n--- stderr\n{res.stderr}"
    )
    return res


def test_the_tutorial_has_five_commands_and_a_codebook_edit():
    blocks = _blocks()
    commands = [
        line for kind, code in blocks if kind == "bash" for line in code.splitlines() if line.startswith("kinerja")
    ]
    assert [c.split()[1] for c in commands] == ["init-dataset", "validate", "clean", "report"]
    assert [kind for kind, _ in blocks] == ["bash", "bash", "python", "bash", "bash"]


def test_tutorial_from_export_to_a_checked_description(tmp_path):
    """Steps 1-3: copy, init-dataset, name the dimensions; the reading side accepts the result."""
    root, env = _project(tmp_path)
    blocks = _blocks()
    out = [_run(kind, code, root, env) for kind, code in blocks[:3]]
    assert out[1].stdout.strip().splitlines()[-1].endswith("next: kinerja validate data/raw/survei_saya")
    check = (
        "from kinerja_research.ingest.dataset import load_dataset\n"
        "cfg = load_dataset('data/raw/survei_saya')\n"
        "cb = cfg.codebooks['kuesioner_survey']\n"
        "print(sorted(cb.dimensions), cb.reverse_items, cb.scale['label_set'], sorted(cfg.item_scales())[:2])\n"
    )
    res = _run("python", check, root, env)
    assert res.stdout.strip() == "['kepuasan', 'kinerja'] ['Q04', 'Q10'] agree5 ['Q01', 'Q02']"


def test_tutorial_validate_clean_report(tmp_path):
    """Steps 4-5 on the same export: validate, clean and the two report pages, with no personal data in any output."""
    root, env = _project(tmp_path)
    blocks = _blocks()
    for kind, code in blocks[:3]:
        _run(kind, code, root, env)
    validate = _run(*blocks[3], root, env)
    assert "survey: 60 rows in" in validate.stdout
    _run(*blocks[4], root, env)
    processed = root / "data" / "processed" / "survei_saya"
    rules = (processed / "validation.csv").read_text(encoding="utf-8")
    for rule in ("nip_scientific_notation", "nip_length", "likert_unknown_label", "straight_lining"):
        assert rule in rules
    assert (root / "reports" / "survei_saya-en" / "index.html").exists()
    # the instrument page analyses the dataset's own codebook (its dimensions, reliability of the whole sample)
    page = (root / "reports" / "survei_saya-en" / "01_instrument_quality.html").read_text(encoding="utf-8")
    assert "Performance management" in page and "Job satisfaction" in page
    assert "Reliability by instrument" in page and "All regions" in page
    leaked = ("Zulfikar", "andre.pello@gmail.com", "199709282024082001")
    for folder in (processed, root / "reports"):
        for f in folder.rglob("*"):
            if f.is_file() and f.suffix in (".csv", ".json", ".html", ".ipynb", ".log"):
                text = f.read_text(encoding="utf-8", errors="replace")
                assert not any(x in text for x in leaked), f
