"""The clean step in chunks of whole files gives the outputs of the whole table cleaned at once.

A hand-made dataset whose cross-file findings fall in different chunks when every file is a chunk: a survey person
submitting the same wave in two files (the later submission kept, whichever file it is in), a post-wave submission
in one file dated before the pre-wave one in another (wave order), and a training record repeated in two regions'
files (the later file's kept). Cleaned as one chunk per table and as one chunk per file, the outputs are
byte-identical, and both agree with :func:`clean_table` on the whole table read at once. The processed tables are
sorted by region in row groups whose statistics let a region filter skip the others.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import yaml

from kinerja_research import pipeline
from kinerja_research.clean.tables import clean_table
from kinerja_research.pipeline import build_processed, load_table, load_validation

NIPS = [f"19{80 + i:02d}0{(i % 9) + 1}1{i % 10}20{10 + i:02d}0{(i % 9) + 1}{1 + i % 2}{i + 1:03d}" for i in range(8)]
NAMES = ["Budi Santoso", "Siti Rahmawati", "Andi Wijaya", "Dewi Lestari", "Rudi Hartono", "Maya Sari", "Agus Salim",
         "Rina Marlina"]  # fmt: skip
REGIONS = ["Kota Metro", "Kota Bandar Lampung", "Kabupaten Lampung Selatan"]


def _survey_row(i: int, wave: str, when: str, region: str) -> dict:
    return {
        "Timestamp": when,
        "NIP": NIPS[i],
        "Nama Lengkap": NAMES[i],
        "Kabupaten/Kota": region,
        "Unit Kerja": "Dinas Pendidikan",
        "Tahap": wave,
        "Durasi (detik)": "400",
        "Item RTC01": "Setuju",
        "Item RTC02": "Tidak Setuju",
        "Item RTC03": ["Setuju", "Agak Setuju"][i % 2],
    }


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("chunks") / "raw"
    folder.mkdir()
    first = [  # survey_1.csv
        _survey_row(0, "Sebelum", "2025-09-25 10:00:00", REGIONS[0]),  # pre dated after the post in survey_2
        _survey_row(1, "Sesudah", "2025-09-21 10:00:00", REGIONS[1]),  # dropped: a later post in survey_2
        _survey_row(2, "Sebelum", "2025-03-10 10:00:00", REGIONS[2]),  # kept: later than the pre in survey_2
        _survey_row(3, "Sebelum", "2025-03-10 10:00:00", REGIONS[0]),
        _survey_row(4, "Sebelum", "2025-03-11 10:00:00", REGIONS[1]),
    ]
    second = [  # survey_2.csv
        _survey_row(0, "Sesudah", "2025-09-20 10:00:00", REGIONS[0]),  # wave order: before the pre
        _survey_row(1, "Sesudah", "2025-09-22 10:00:00", REGIONS[1]),
        _survey_row(2, "Sebelum", "2025-03-05 10:00:00", REGIONS[2]),  # dropped (earlier), though in a later file
        _survey_row(3, "Sesudah", "2025-09-12 10:00:00", REGIONS[0]),
        _survey_row(5, "Sebelum", "2025-03-12 10:00:00", REGIONS[2]),
    ]
    pd.DataFrame(first).to_csv(folder / "survey_1.csv", index=False)
    pd.DataFrame(second).to_csv(folder / "survey_2.csv", index=False)
    for k, (stem, people) in enumerate((("kota_metro", [0, 3, 6]), ("kota_bandar_lampung", [1, 3, 4]),
                                        ("kabupaten_lampung_selatan", [2, 5, 7]))):  # fmt: skip
        pd.DataFrame(
            {
                "NIP": [NIPS[i] for i in people],
                "Nama Pegawai": [NAMES[i] for i in people],
                "Diklat": ["Latsar CPNS"] * 3,
                "Mulai": ["2025-03-12"] * 3,
                "Selesai": ["2025-03-20"] * 3,
                "JP": ["40"] * 3,
                "Wilayah": [REGIONS[k]] * 3,
            }
        ).to_csv(folder / f"pelatihan_{stem}.csv", index=False)  # NIPS[3] twice: the later file's row is kept
    cols = {"Timestamp": "submitted_at", "NIP": "nip", "Nama Lengkap": "name", "Kabupaten/Kota": "region",
            "Unit Kerja": "agency", "Tahap": "wave", "Durasi (detik)": "duration_s",
            **{f"Item RTC0{i}": f"RTC0{i}" for i in (1, 2, 3)}}  # fmt: skip
    yml = {
        "name": "chunks",
        "description": "hand-made test dataset with findings across files",
        "reference_date": "2026-11-01",
        "tables": {
            "survey": [{"file": "survey_*.csv", "reader": "forms", "columns": cols}],
            "training": [
                {
                    "file": "pelatihan_*.csv",
                    "columns": {
                        "NIP": "nip",
                        "Nama Pegawai": "name",
                        "Diklat": "course",
                        "Mulai": "start",
                        "Selesai": "end",
                        "JP": "jp",
                        "Wilayah": "region",
                    },  # fmt: skip
                }
            ],
        },
    }
    (folder / "dataset.yml").write_text(yaml.safe_dump(yml, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "chunks-test-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _hashes(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def _manifest(folder: Path) -> dict:
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    m.pop("run")
    return m


@pytest.fixture(scope="module")
def whole_and_chunked(raw, tmp_path_factory):
    out = tmp_path_factory.mktemp("outs")
    mp = pytest.MonkeyPatch()
    mp.setenv("KINERJA_PSEUDONYM_KEY", "chunks-test-key")
    build_processed("chunks", raw_dir=raw, out_dir=out / "whole")
    calls = []
    real = pipeline._clean_chunk

    def counted(*a):
        calls.append(a[8])  # the whole-table decision handed over (None on the first cleaning)
        return real(*a)

    mp.setattr(pipeline, "UNIT_BYTES", 1)  # every file a unit
    mp.setattr(pipeline, "CHUNK_ROWS", 1)  # every unit a chunk
    mp.setattr(pipeline, "_clean_chunk", counted)
    build_processed("chunks", raw_dir=raw, out_dir=out / "chunked")
    mp.undo()
    return out / "whole", out / "chunked", calls


def test_one_chunk_per_file_gives_the_outputs_of_one_chunk_per_table(whole_and_chunked):
    whole, chunked, calls = whole_and_chunked
    assert _hashes(whole) == _hashes(chunked)
    assert _manifest(whole) == _manifest(chunked)
    # 5 files were 5 chunks, and the chunks holding a finding across files were cleaned again with the whole
    # table's decision (survey_1 and survey_2: duplicates and wave order; both training files of NIPS[3])
    first, again = [c for c in calls if c is None], [c for c in calls if c is not None]
    assert len(first) == 5 and len(again) == 4


def test_findings_across_files_are_those_of_the_whole_table(whole_and_chunked):
    whole, _, _ = whole_and_chunked
    v = load_validation(whole)
    dup = v[v["rule"] == "duplicate_submission"].sort_values(["table", "file", "row"])
    got = list(zip(dup["table"], dup["file"], dup["row"].astype(int), dup["severity"]))
    assert got == [
        ("survey", "survey_1.csv", 2, "error"),  # person 1's earlier post
        ("survey", "survey_1.csv", 3, "info"),  # person 2's later pre, in the earlier file
        ("survey", "survey_2.csv", 2, "info"),
        ("survey", "survey_2.csv", 3, "error"),
        ("training", "pelatihan_kota_bandar_lampung.csv", 2, "error"),  # the earlier file in dataset.yml order
        ("training", "pelatihan_kota_metro.csv", 2, "info"),
    ]
    wave = v[v["rule"] == "wave_order"]
    assert list(zip(wave["file"], wave["row"].astype(int))) == [("survey_2.csv", 1)]


def test_the_chunked_clean_agrees_with_clean_table_on_the_whole_table(whole_and_chunked, raw):
    whole, _, _ = whole_and_chunked
    from kinerja_research.ingest.dataset import load_dataset

    cfg = load_dataset(raw)
    for table in ("survey", "training"):
        frame = pipeline._read_table(cfg, table, raw, {})
        clean, quarantine, probs = clean_table(
            table, frame, key=b"chunks-test-key", options=pipeline._options(cfg) | {"free_text": []}
        )
        got = load_table(table, whole)
        key = ["region_code", "person_id", "wave"] if table == "survey" else ["region_code", "person_id"]
        a = clean.sort_values(key, kind="stable").reset_index(drop=True)
        b = got.sort_values(key, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
        q = pd.read_parquet(whole / "quarantine" / f"{table}.parquet")
        assert sorted(zip(q["_file"], q["_row"], q["reasons"])) == sorted(
            zip(quarantine["_file"], quarantine["_row"], quarantine["reasons"])
        )
        v = load_validation(whole)
        v = v[v["table"] == table].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            v.astype(str), probs.reset_index(drop=True)[list(v.columns)].astype(str), check_dtype=False
        )


def test_processed_tables_are_sorted_by_region_and_a_region_filter_skips_row_groups(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "ROW_GROUP_ROWS", 2)
    out = tmp_path / "out"
    build_processed("chunks", raw_dir=raw, out_dir=out)
    f = out / "training.parquet"
    meta = pq.ParquetFile(f).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [2, 2, 2, 2]  # 8 clean rows
    codes = pd.read_parquet(f)["region_code"].tolist()
    assert codes == sorted(codes) and len(set(codes)) == 3
    fragment = next(iter(ds.dataset(f).get_fragments()))
    kept = fragment.split_by_row_group(filter=ds.field("region_code") == "18.72")
    assert 0 < len(kept) < meta.num_row_groups
    metro = load_table("training", out, regions=["18.72"])
    assert set(metro["region_code"]) == {"18.72"} and len(metro) == codes.count("18.72")


def test_workers_give_the_serial_outputs_with_many_chunks(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "UNIT_BYTES", 1)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 1)
    build_processed("chunks", raw_dir=raw, out_dir=tmp_path / "one", workers=1)
    build_processed("chunks", raw_dir=raw, out_dir=tmp_path / "two", workers=2)
    assert _hashes(tmp_path / "one") == _hashes(tmp_path / "two")
    assert _manifest(tmp_path / "one") == _manifest(tmp_path / "two")
