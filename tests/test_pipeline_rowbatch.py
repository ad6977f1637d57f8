"""A large file cleaned in row batches gives the bytes of the file cleaned whole.

Hand-made files whose per-file rules decide differently in the first rows than over the whole file: a region spelled
``KOTA METRO`` in the first five rows and ``Kota Metro`` in the other seven (the file's dominant spelling is the
second), decimal commas in the first three rows only (a minority of the file, the whole of its first batch), pangkat
names instead of golongan in the first four rows, training dates whose day-first evidence (``13/03/2025``) and
main format (ISO) are only in the later rows, a NIP column unusable in its first half only, and a kept text column
holding one value per person that only the whole file shows. With batches of four rows (:data:`pipeline.BATCH_ROWS`,
:data:`pipeline.CHUNK_ROWS`) the processed tables, quarantine, validation.csv and manifest are byte-identical to the
unsplit clean, on one worker and two; the findings keep the files' own row numbers.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kinerja_research import pipeline
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import build_processed, load_validation

NIPS = [
    f"19{80 + i % 15:02d}0{(i % 9) + 1}1{i % 10}20{10 + i % 12:02d}0{(i % 9) + 1}{1 + i % 2}{i + 1:03d}"
    for i in range(50)
]


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "rowbatch-test-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _write(folder: Path, tables: dict, frames: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True)
    for name, df in frames.items():
        df.to_csv(folder / name, index=False)
    yml = {"name": folder.name, "description": "hand-made row-batch test", "reference_date": "2026-11-01"}
    (folder / "dataset.yml").write_text(yaml.safe_dump({**yml, "tables": tables}, sort_keys=False), encoding="utf-8")
    return folder


SKP = {"NIP": "nip", "Wilayah": "region", "Unit Kerja": "agency", "Periode": "period", "Golongan": "golongan",
       "Capaian (%)": "capaian_pct"}  # fmt: skip


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    n = 12
    skp = pd.DataFrame(
        {
            "NIP": NIPS[:n],
            "Wilayah": ["KOTA METRO"] * 5 + ["Kota Metro"] * 7,  # dominant over the file: Kota Metro
            "Unit Kerja": ["Dinas Pendidikan"] * n,
            "Periode": ["2025"] * n,
            "Golongan": ["Penata Muda"] * 4 + ["III/b"] * 8,  # pangkat names: a minority of the file
            "Capaian (%)": ["87,5"] * 3 + ["90.5"] * 9,  # decimal commas: a minority of the file
        }
    )
    forms = pd.DataFrame(
        {
            # row 8: a post-wave answer dated before row 2's pre-wave one; row 9 repeats row 1's person and wave
            "Timestamp": [f"2025/03/{10 + i:02d} 10:15:30 AM GMT+7" for i in range(7)]
            + ["2025/03/01 09:00:00 AM GMT+7", "2025/03/20 10:15:30 AM GMT+7"],
            "NIP": NIPS[20:27] + [NIPS[21], NIPS[20]],
            "Kabupaten/Kota": ["Kab. Lampung Selatan"] * 4 + ["Kabupaten Lampung Selatan"] * 5,
            "Tahap": ["Sebelum"] * 7 + ["Sesudah", "Sebelum"],
            "Durasi (detik)": ["400"] * 8 + ["35,5"],
            "Item RTC01": ["Setuju", "Tidak Setuju", "Sangat Setuju"] * 3,
        }
    )
    diklat = pd.DataFrame(
        {
            "NIP": NIPS[30:40],
            "Diklat": ["Latsar CPNS"] * 10,
            "Mulai": ["05/03/2025"] * 4 + ["13/03/2025"] * 6,  # day first: only the later rows show it
            "Selesai": ["20 Maret 2025"] * 4 + ["2025-03-20"] * 6,  # main format ISO: only over the whole file
            "JP": ["40"] * 10,
            "Kota": ["Kota Metro"] * 10,
        }
    )
    tables = {
        "performance": [{"file": "skp.csv", "columns": SKP}],
        "survey": [
            {
                "file": "forms.csv",
                "reader": "forms",
                "columns": {
                    "Timestamp": "submitted_at",
                    "NIP": "nip",
                    "Kabupaten/Kota": "region",
                    "Tahap": "wave",
                    "Durasi (detik)": "duration_s",
                    "Item RTC01": "RTC01",
                },  # fmt: skip
            }
        ],
        "training": [
            {
                "file": "diklat.csv",
                "columns": {
                    "NIP": "nip",
                    "Diklat": "course",
                    "Mulai": "start",
                    "Selesai": "end",
                    "JP": "jp",
                    "Kota": "region",
                },  # fmt: skip
            }
        ],
    }
    frames = {"skp.csv": skp, "forms.csv": forms, "diklat.csv": diklat}
    return _write(tmp_path_factory.mktemp("rowbatch") / "raw", tables, frames)


def _hashes(folder: Path) -> dict:
    out = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    m.pop("run")
    out["manifest"] = m
    return out


def _batched(mp: pytest.MonkeyPatch, rows: int) -> None:
    mp.setattr(pipeline, "BATCH_ROWS", rows)
    mp.setattr(pipeline, "CHUNK_ROWS", rows)


@pytest.fixture(scope="module")
def outs(raw, tmp_path_factory):
    out = tmp_path_factory.mktemp("outs")
    mp = pytest.MonkeyPatch()
    mp.setenv("KINERJA_PSEUDONYM_KEY", "rowbatch-test-key")
    build_processed("rb", raw_dir=raw, out_dir=out / "whole")
    decided = []
    real = pipeline._clean_chunk

    def counted(*a):
        decided.append(bool(a[6].get("decided")))
        return real(*a)

    _batched(mp, 4)
    mp.setattr(pipeline, "_clean_chunk", counted)
    build_processed("rb", raw_dir=raw, out_dir=out / "batched")
    mp.setattr(pipeline, "_clean_chunk", real)
    build_processed("rb", raw_dir=raw, out_dir=out / "batched2", workers=2)
    mp.undo()
    return out, decided


def test_row_batches_give_the_bytes_of_whole_files(outs):
    out, decided = outs
    whole = _hashes(out / "whole")
    assert _hashes(out / "batched") == whole
    assert _hashes(out / "batched2") == whole
    # 3 + 3 + 3 batches; the first batches decided otherwise than their files and were cleaned again (the survey's
    # batches with a duplicate or wave order across batches once more, finishing what they had prepared)
    assert decided.count(False) == 9 and decided.count(True) >= 3
    assert not list(out.rglob("*.prepared.pkl"))  # the parts are removed with the run's temporary folder


def test_the_findings_are_the_whole_files_decisions_at_their_own_rows(outs):
    out, _ = outs
    v = load_validation(out / "batched")
    rows = {r: sorted(v.loc[v["rule"] == r, "row"].tolist()) for r in v["rule"].unique()}
    skp = v[v["file"] == "skp.csv"]
    assert sorted(skp.loc[skp["rule"] == "region_variant", "row"]) == [1, 2, 3, 4, 5]
    assert sorted(skp.loc[skp["rule"] == "decimal_comma", "row"]) == [1, 2, 3]
    assert sorted(skp.loc[skp["rule"] == "golongan_variant", "row"]) == [1, 2, 3, 4]
    forms = v[v["file"] == "forms.csv"]
    assert sorted(forms.loc[forms["rule"] == "region_variant", "row"]) == [1, 2, 3, 4]
    assert forms.loc[forms["rule"] == "decimal_comma", "row"].tolist() == [9]  # in the last batch only
    dup = forms[forms["rule"] == "duplicate_submission"]  # across batches 1 and 3: the later one kept
    assert dup[["row", "severity"]].values.tolist() == [[1, "error"], [9, "info"]]
    assert forms.loc[forms["rule"] == "wave_order", "row"].tolist() == [8]
    diklat = v[v["file"] == "diklat.csv"]
    assert "date_ambiguous" not in rows  # day first, from rows 5-10
    assert diklat.loc[diklat["rule"] == "date_format", "row"].tolist() == [1, 2, 3, 4]  # ISO is the main format


def _nip_files(folder: Path, bad: int, n: int = 40) -> Path:
    skp = pd.DataFrame(
        {
            "NIP": [f"ABC-{i}" for i in range(bad)] + NIPS[bad:n],
            "Wilayah": ["Kota Metro"] * n,
            "Unit Kerja": ["Dinas Pendidikan"] * n,
            "Periode": ["2025"] * n,
            "Golongan": ["III/b"] * n,
            "Capaian (%)": ["90.5"] * n,
        }
    )
    return _write(folder, {"performance": [{"file": "skp.csv", "columns": SKP}]}, {"skp.csv": skp})


def _outcome(raw: Path, out: Path):
    try:
        build_processed("x", raw_dir=raw, out_dir=out)
        return _hashes(out)
    except KinerjaError as exc:
        return str(exc)


def test_an_unusable_nip_column_is_decided_over_the_whole_file(tmp_path, monkeypatch):
    # the first 20 of 40 NIPs are not NIPs: the first batch alone would be unusable (20 of 20), the file is not
    half = _nip_files(tmp_path / "half", 20)
    whole = _outcome(half, tmp_path / "o1")
    mostly = _nip_files(tmp_path / "mostly", 38)  # 38 of 40: unusable, said with the whole file's counts
    whole_bad = _outcome(mostly, tmp_path / "o2")
    _batched(monkeypatch, 20)
    assert isinstance(whole, dict) and _outcome(half, tmp_path / "o3") == whole
    assert "38 of 40 values are not NIPs" in whole_bad
    assert _outcome(mostly, tmp_path / "o4") == whole_bad


def test_people_in_a_kept_column_are_found_over_the_whole_file(tmp_path, monkeypatch):
    n = 24  # one agency per person: 24 people, 24 distinct values -- each batch of 12 alone is too few to tell
    skp = pd.DataFrame(
        {
            "NIP": NIPS[:n],
            "Wilayah": ["Kota Metro"] * n,
            "Unit Kerja": [f"Pegawai nomor {i}" for i in range(n)],
            "Periode": ["2025"] * n,
            "Golongan": ["III/b"] * n,
            "Capaian (%)": ["90.5"] * n,
        }
    )
    raw = _write(tmp_path / "kept", {"performance": [{"file": "skp.csv", "columns": SKP}]}, {"skp.csv": skp})
    whole = _outcome(raw, tmp_path / "o1")
    assert "it has 24 distinct values for 24 people" in whole
    _batched(monkeypatch, 12)
    assert _outcome(raw, tmp_path / "o2") == whole
