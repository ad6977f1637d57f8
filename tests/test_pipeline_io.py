"""The one atomic folder swap of kinerja_research._io (used by `kinerja clean` and `kinerja report`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kinerja_research import _io


def _folder(path: Path, text: str) -> Path:
    path.mkdir(parents=True)
    (path / "a.txt").write_text(text, encoding="utf-8")
    return path


def test_swap_replaces_and_leaves_nothing_behind(tmp_path):
    final = _folder(tmp_path / "out", "old")
    tmp = _folder(_io.temp_sibling(final), "new")
    _io.swap_into_place(tmp, final)
    assert (final / "a.txt").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # a first run: no final folder yet
    tmp2 = _folder(_io.temp_sibling(tmp_path / "fresh", tag="r1"), "first")
    _io.swap_into_place(tmp2, tmp_path / "fresh")
    assert (tmp_path / "fresh" / "a.txt").read_text(encoding="utf-8") == "first"


def test_killed_between_the_two_renames_keeps_the_last_good_folder(tmp_path, monkeypatch):
    final = _folder(tmp_path / "out", "good")
    tmp = _folder(_io.temp_sibling(final), "new")
    real = os.replace
    calls = []

    def dies_on_second(a, b):
        calls.append((a, b))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is stopped between the two renames
        return real(a, b)

    monkeypatch.setattr(_io.os, "replace", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        _io.swap_into_place(tmp, final)
    monkeypatch.setattr(_io.os, "replace", real)
    assert not final.exists() and _io.previous_of(final).is_dir()
    # readers see the last good folder; the next run (or recovery) puts it back
    assert (_io.readable_folder(final) / "a.txt").read_text(encoding="utf-8") == "good"
    assert _io.recover_swap(final) is True
    assert (final / "a.txt").read_text(encoding="utf-8") == "good"
    assert not _io.previous_of(final).exists()
    assert _io.recover_swap(final) is False


def test_swap_after_a_kill_restores_then_replaces(tmp_path):
    final = tmp_path / "out"
    _folder(_io.previous_of(final), "good")  # left by a killed run
    tmp = _folder(_io.temp_sibling(final), "new")
    _io.swap_into_place(tmp, final)
    assert (final / "a.txt").read_text(encoding="utf-8") == "new"
    assert not _io.previous_of(final).exists()


def test_stale_temporary_folders_of_dead_processes_are_removed(tmp_path):
    final = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process that has exited
    stale = _folder(tmp_path / f".out.tmp-run9-{pid}", "x")
    mine = _folder(_io.temp_sibling(final), "y")
    odd = _folder(tmp_path / ".out.tmp-notapid", "z")
    removed = _io.remove_stale_temps(final)
    assert removed == [stale] and not stale.exists()
    assert mine.exists() and odd.exists()  # our own run and names without a process id are left alone
