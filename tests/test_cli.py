"""The `kinerja` command: help on every command, one clear sentence and a non-zero exit for a user's mistake."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from kinerja_research.cli import app

runner = CliRunner()


def _commands(typer_app, prefix=()):
    import typer.main

    group = typer.main.get_command(typer_app)
    out = []

    def walk(cmd, path):
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, child in sub.items():
                walk(child, path + (name,))
        else:
            out.append(path)

    walk(group, prefix)
    return out


def test_expected_commands_exist():
    cmds = {" ".join(c) for c in _commands(app)}
    for expected in ("regions", "data synth", "clean", "validate", "init-dataset", "report", "sample-size"):
        assert expected in cmds, f"`kinerja {expected}` is missing"


@pytest.mark.parametrize("cmd", _commands(app))
def test_every_command_has_help(cmd):
    result = runner.invoke(app, list(cmd) + ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "kinerja_research", *args], capture_output=True, text=True, timeout=120
    )


def test_unknown_region_is_one_sentence_no_traceback():
    res = _run("regions", "Atlantis")
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0
    assert "Atlantis" in res.stderr


def test_malformed_option_is_reported_not_raised():
    res = _run("regions", "--level")
    assert res.returncode != 0 and "Traceback" not in res.stderr


def test_bad_path_is_one_sentence():
    res = _run("clean", "/nonexistent/dataset/folder")
    assert res.returncode != 0
    assert "Traceback" not in res.stderr and "nonexistent" in res.stderr
