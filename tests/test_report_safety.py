"""The runner never destroys what is not a report run of its own, and checks options before starting kernels."""

import json

import pytest

from kinerja_research import paths
from kinerja_research.errors import KinerjaError
from kinerja_research.report import runner


def _ours(folder, dataset, files):
    meta = {
        "command": runner.COMMAND,
        "dataset": dataset,
        "dataset_folder": runner._dataset_key(dataset),
        "files": sorted([*files, "run.json"]),
    }
    for f in files:
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        (folder / f).write_text("x")
    (folder / "run.json").write_text(json.dumps(meta))


def test_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "thesis.docx").write_text("years of work")
    with pytest.raises(KinerjaError, match="not a report run"):
        runner.check_run_dir(tmp_path.resolve())
    assert (tmp_path / "thesis.docx").read_text() == "years of work"


def test_a_stray_run_json_is_not_enough(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"run_id": "x", "jobs": []}))
    (tmp_path / "chapter1.docx").write_text("draft")
    with pytest.raises(KinerjaError, match="not a report run"):
        runner.check_run_dir(tmp_path.resolve(), "default")


def test_accepts_new_empty_or_earlier_run_folders(tmp_path):
    runner.check_run_dir((tmp_path / "new").resolve())
    runner.check_run_dir(tmp_path.resolve())  # empty
    _ours(tmp_path, "default", ["index.html", "logs/a.log"])
    runner.check_run_dir(tmp_path.resolve(), "default")


def test_refuses_an_earlier_run_of_another_dataset(tmp_path):
    _ours(tmp_path, "default", ["index.html"])
    with pytest.raises(KinerjaError, match="not 'other'"):
        runner.check_run_dir(tmp_path.resolve(), "other")


def test_refuses_an_earlier_run_holding_a_file_it_did_not_write(tmp_path):
    _ours(tmp_path, "default", ["index.html"])
    (tmp_path / "chapter1.docx").write_text("draft")
    with pytest.raises(KinerjaError, match="chapter1.docx"):
        runner.check_run_dir(tmp_path.resolve(), "default")
    assert (tmp_path / "chapter1.docx").read_text() == "draft"


@pytest.mark.parametrize("where", ["data", "data/raw", "data/raw/default/x", "data/processed/default"])
def test_refuses_data_folders(where):
    with pytest.raises(KinerjaError, match="overlaps the data folder"):
        runner.check_run_dir((paths.ROOT / where).resolve())


def test_refuses_the_project_root_that_contains_data():
    with pytest.raises(KinerjaError):
        runner.check_run_dir(paths.ROOT.resolve())


@pytest.mark.parametrize("alpha", [1.5, 0, -0.1])
def test_bad_alpha_is_refused_before_any_kernel_starts(alpha, tmp_path):
    with pytest.raises(KinerjaError, match="alpha"):
        runner.run_suite(dataset="default", alpha=alpha, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_bad_style_is_refused_before_any_kernel_starts(tmp_path):
    with pytest.raises(KinerjaError, match="style"):
        runner.run_suite(dataset="default", style="spss", out=tmp_path / "run")


def test_recovery_restores_the_last_good_run_and_removes_dead_temporaries(tmp_path):
    final = tmp_path / "run"
    old = tmp_path / "run.previous"
    old.mkdir()
    (old / "index.html").write_text("last good run")
    dead = tmp_path / ".run.tmp-20260101T000001Z-abcdef-999999999"  # the process id of no live process
    (dead / "logs").mkdir(parents=True)
    with runner.run_lock(final):
        done = runner.recover_run_dir(final)
    assert (final / "index.html").read_text() == "last good run"
    assert not dead.exists() and not old.exists() and len(done) == 2


def test_one_run_per_folder_at_a_time(tmp_path):
    final = tmp_path / "run"
    with runner.run_lock(final):
        import subprocess
        import sys

        code = (
            "from pathlib import Path; from kinerja_research.report import runner\n"
            f"with runner.run_lock(Path({str(final)!r})): pass"
        )
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert proc.returncode != 0 and "another `kinerja report`" in proc.stderr
