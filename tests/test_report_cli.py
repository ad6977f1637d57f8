"""`kinerja report`: one-sentence errors, exit codes, failure lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja_research.cli import main
from kinerja_research.report import runner


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_help_lists_every_option(capsys):
    code, out, _ = _run(["report", "--help"], capsys)
    assert code == 0
    for opt in ("--dataset", "--regions", "--all-regions", "--lang", "--workers", "--out", "--pdf", "--scheduler"):
        assert opt in out


def test_unknown_dataset_is_one_sentence(capsys, tmp_path):
    code, _, err = _run(["report", "--dataset", str(tmp_path / "nope"), "--no-progress"], capsys)
    assert code == 2
    assert "Error:" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_language_is_one_sentence(capsys, monkeypatch):
    monkeypatch.setattr(runner, "resolve_run_regions", lambda *a, **k: ["18.71"])
    code, _, err = _run(["report", "--lang", "fr", "--no-progress"], capsys)
    assert code == 2 and "lang" in err and "Traceback" not in err


def _fake_summary(tmp_path, jobs, pdf_message=None):
    return runner.RunSummary(run_dir=Path(tmp_path), run_id="r", jobs=jobs, duration_s=1.0, pdf_message=pdf_message)


def test_failed_notebook_exits_1_and_names_cell(capsys, monkeypatch, tmp_path):
    jobs = [
        {"stem": "00_data_audit", "ok": True, "error": None},
        {
            "stem": "02_training_impact",
            "ok": False,
            "error": {"cell": 7, "exec_count": 6, "ename": "KeyError", "evalue": "'capaian_pct'"},
        },
    ]
    monkeypatch.setattr(runner, "run_suite", lambda **kw: _fake_summary(tmp_path, jobs))
    code, out, err = _run(["report", "--no-progress"], capsys)
    assert code == 1
    assert "1 of 2 reports written" in out
    assert "02_training_impact failed at cell 7 (In [6]): KeyError: 'capaian_pct'" in err
    assert "02_training_impact.ipynb" in err


def test_missing_chromium_is_said_clearly(capsys, monkeypatch, tmp_path):
    message = "PDFs were not made: headless Chromium is not installed"
    monkeypatch.setattr(
        runner,
        "run_suite",
        lambda **kw: _fake_summary(tmp_path, [{"stem": "x", "ok": True, "error": None}], pdf_message=message),
    )
    code, _, err = _run(["report", "--pdf", "--no-progress"], capsys)
    assert code == 3 and message in err


def test_options_reach_the_runner(capsys, monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(runner, "run_suite", lambda **kw: seen.update(kw) or _fake_summary(tmp_path, []))
    code, _, _ = _run(
        [
            "report",
            "-d",
            "small",
            "-r",
            "Kota Bengkulu",
            "-r",
            "18.71",
            "--lang",
            "en",
            "-w",
            "3",
            "--scheduler",
            "tcp://h:8786",
            "--no-progress",
        ],
        capsys,
    )
    assert code is None or code == 0
    assert seen["dataset"] == "small" and seen["regions"] == ["Kota Bengkulu", "18.71"] and seen["lang"] == "en"
    assert seen["workers"] == 3 and seen["scheduler"] == "tcp://h:8786" and seen["pdf"] is False


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--regions", "18.71", "17.71"], ["18.71", "17.71"]),  # as the README shows
        (["-r", "18.71", "-r", "Kota Bengkulu"], ["18.71", "Kota Bengkulu"]),
        (["--regions", "18.71 17.71"], ["18.71", "17.71"]),
        (["--regions", "18.71,17.71", "--lang", "en"], ["18.71", "17.71"]),
        (["--regions", "Kota Bandar Lampung"], ["Kota Bandar Lampung"]),
    ],
)
def test_regions_as_the_readme_shows(capsys, monkeypatch, tmp_path, argv, expected):
    seen = {}
    monkeypatch.setattr(runner, "run_suite", lambda **kw: seen.update(kw) or _fake_summary(tmp_path, []))
    code, _, err = _run(["report", *argv, "--no-progress"], capsys)
    assert code in (None, 0), err
    assert seen["regions"] == expected


def test_stray_arguments_are_still_refused(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(runner, "run_suite", lambda **kw: _fake_summary(tmp_path, []))
    code, _, err = _run(["report", "18.71", "--no-progress"], capsys)
    assert code == 2 and "--regions" in err


def test_style_reaches_the_runner(capsys, monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(runner, "run_suite", lambda **kw: seen.update(kw) or _fake_summary(tmp_path, []))
    code, _, _ = _run(["report", "--style", "skripsi", "--no-progress"], capsys)
    assert code in (None, 0) and seen["style"] == "skripsi"


def test_skipped_notebooks_are_named(capsys, monkeypatch, tmp_path):
    summary = _fake_summary(tmp_path, [{"stem": "x", "ok": True, "error": None}])
    summary.skipped = [{"notebook": "02_training_impact", "reasons": [["run.needs_table", {"table": "training"}]]}]
    monkeypatch.setattr(runner, "run_suite", lambda **kw: summary)
    code, _, err = _run(["report", "--no-progress"], capsys)
    assert code in (None, 0) and "Not run on these data: 02_training_impact" in err


def test_ctrl_c_is_one_sentence_and_exit_130(capsys, monkeypatch):
    def interrupted(**kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_suite", interrupted)
    code, _, err = _run(["report", "--no-progress"], capsys)
    assert code == 130 and err.strip().startswith("Interrupted:") and len(err.strip().splitlines()) == 1
