"""The clean step in parallel: worker processes and a Dask cluster give byte-identical outputs to a serial run."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _rawdata  # noqa: E402

from kinerja_research import pipeline  # noqa: E402
from kinerja_research.errors import KinerjaError  # noqa: E402
from kinerja_research.pipeline import build_processed  # noqa: E402


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "parallel-test-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parallel") / "raw"
    _rawdata.write_raw(folder)
    return folder


def _outputs(folder: Path) -> dict:
    """SHA-256 of every output file, and the manifest without its ``run`` part (start time and duration)."""
    out = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    return out


def _same_manifest(a: dict, b: dict) -> bool:
    strip = lambda m: {k: v for k, v in m.items() if k != "run"}  # noqa: E731
    return strip(a) == strip(b)


def test_worker_processes_and_dask_give_the_serial_outputs(raw, tmp_path):
    serial = build_processed("mini", raw_dir=raw, out_dir=tmp_path / "serial", workers=1)
    two = build_processed("mini", raw_dir=raw, out_dir=tmp_path / "two", workers=2)
    assert _outputs(tmp_path / "serial") == _outputs(tmp_path / "two")
    assert _same_manifest(serial, two)
    assert len(serial["inputs"]) > 3  # several files, so the workers did share them
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl:
        dask = build_processed("mini", raw_dir=raw, out_dir=tmp_path / "dask", scheduler=cl.scheduler_address)
    assert _outputs(tmp_path / "serial") == _outputs(tmp_path / "dask")
    assert _same_manifest(serial, dask)


def test_an_unusable_file_read_by_a_worker_is_the_same_one_sentence(raw, tmp_path):
    broken = tmp_path / "broken"
    _rawdata.write_raw(broken)
    xlsx = sorted(broken.rglob("*.xlsx"))
    target = xlsx[0] if xlsx else sorted(broken.rglob("*.csv"))[0]
    target.write_bytes(b"PK\x03\x04 not really a workbook")
    errors = []
    for workers in (1, 2):
        with pytest.raises(KinerjaError) as exc:
            build_processed("mini", raw_dir=broken, out_dir=tmp_path / f"out{workers}", workers=workers)
        errors.append(str(exc.value))
    assert errors[0] == errors[1] and target.name in errors[0]
    assert not (tmp_path / "out2").exists()


@pytest.mark.parametrize("workers", [0, -1, True, 1.5])
def test_workers_must_be_a_positive_whole_number(raw, tmp_path, workers):
    with pytest.raises(KinerjaError, match="option workers is"):
        build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out", workers=workers)


def test_an_unreachable_scheduler_is_one_sentence(raw, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(pipeline, "SCHEDULER_TIMEOUT", "1s")
    with pytest.raises(KinerjaError, match="cannot reach the Dask scheduler"):
        build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out", scheduler="tcp://127.0.0.1:9")


def test_cli_passes_workers_and_scheduler(raw, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kinerja_research.cli import app

    seen = {}

    def fake(name, **kw):
        seen.update(kw)
        raise KinerjaError("stopped here")

    monkeypatch.setattr(pipeline, "build_processed", fake)
    res = CliRunner().invoke(
        app, ["clean", str(raw), "--out", str(tmp_path / "o"), "-w", "3", "--scheduler", "tcp://h:1"]
    )
    assert isinstance(res.exception, KinerjaError) and str(res.exception) == "stopped here"
    assert seen["workers"] == 3 and seen["scheduler"] == "tcp://h:1"
    res = CliRunner().invoke(app, ["clean", str(raw), "--out", str(tmp_path / "o")])
    assert seen["workers"] is None and seen["scheduler"] is None  # default: decided by the size of the raw files


def test_longest_first_keeps_results_and_the_first_error_in_argument_order(tmp_path, monkeypatch):
    """Units of work started in another order (the clean starts the costliest chunks first) give their results in
    the order of the arguments and raise the error of the first failing argument, as a serial run does; with
    KINERJA_CLEAN_TRACE each unit appends one line to the trace."""
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv(pipeline.TRACE_ENV, str(trace))
    with pipeline._Pool(2) as pool:
        assert pool.map(int, [("1",), ("2",), ("3",)], first=[2, 0, 1]) == [1, 2, 3]
        with pytest.raises(ValueError, match="'x'"):
            pool.map(int, [("1",), ("x",), ("y",)], first=[2, 1, 0])
    with pipeline._Pool(1) as pool, pytest.raises(ValueError, match="'x'"):
        pool.map(int, [("1",), ("x",), ("y",)], first=[2, 1, 0])
    lines = trace.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 5 and all('"fn": "int"' in line for line in lines)
