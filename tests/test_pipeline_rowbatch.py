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

import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
import _rawdata  # noqa: E402

from kinerja_research import pipeline
from kinerja_research.errors import KinerjaError
from kinerja_research.ingest import readers
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


_hashes = _rawdata.processed_hashes


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


# --------------------------------------------------------------------------------------------------------------------
# Files streamed in row batches (ingest.readers.read_file_batches) in the shapes units hand over
# --------------------------------------------------------------------------------------------------------------------
RTC1 = "Secara umum saya memandang perubahan sebagai sesuatu yang buruk."
RTC2 = "Saya lebih memilih hari kerja yang rutin daripada hari yang penuh kejadian tak terduga."
FORMS = {"Timestamp": "submitted_at", "NIP (18 digit, tanpa spasi)": "nip",
         "Kabupaten/Kota tempat Anda bertugas": "region", "Unit Kerja / OPD": "agency", "Tahap survei": "wave",
         "Durasi pengisian (detik)": "duration_s", RTC1: "RTC01", RTC2: "RTC02"}  # fmt: skip
DIKLAT = {"NIP": "nip", "Nama Diklat": "course", "Tanggal Mulai": "start", "Tanggal Selesai": "end", "JP": "jp",
          "Kab/Kota": "region"}  # fmt: skip


def _csv_line(cells: list[str], sep: str) -> str:
    return sep.join(f'"{c}"' if (sep in c or "\n" in c or '"' in c) else c for c in cells)


def _foreign(folder: Path) -> Path:
    """Hand-written files: a Google Forms export in Indonesian with a multi-line answer in row 9 (CRLF lines); a
    second export in UTF-8 with one Windows-1252 byte in row 10; an SKP file in Windows-1252 with ``;``; a training
    file with a UTF-8 byte-order mark and ``;``, whose JP and date columns show their kinds only in the last rows."""
    folder.mkdir(parents=True)
    answers = ["Setuju", "Tidak Setuju", "Sangat Setuju", "Sangat Tidak Setuju"]
    rows = []
    for i in range(11):
        agency = "Dinas Pendidikan\nBidang SD" if i == 8 else "Badan Kepegawaian Daerah"
        rows.append([f"2025/03/{10 + i:02d} 10:15:30 AM GMT+7", NIPS[i], "Kota Metro" if i % 3 else "KOTA METRO",
                     agency, "Sebelum" if i < 8 else "Sesudah", "400" if i < 9 else "35,5", answers[i % 4],
                     answers[(i + 1) % 4]])  # fmt: skip
    text = "\r\n".join(_csv_line(r, ",") for r in [list(FORMS), *rows]) + "\r\n"
    (folder / "forms.csv").write_bytes(text.encode("utf-8"))
    rows2 = []
    for i in range(11, 22):
        agency = "Dinas Koperasi – UKM" if i == 20 else "Dinas Perhubungan – Bidang Darat"  # row 10 in cp1252
        rows2.append([f"{i - 10}/4/2025 09:{i:02d}:00", NIPS[i], "Kabupaten Lampung Selatan", agency, "Sebelum",
                      "380", answers[i % 4], answers[(i + 2) % 4]])  # fmt: skip
    lines = [_csv_line(r, ",").encode("utf-8") for r in [list(FORMS), *rows2]]
    lines[10] = lines[10].replace("–".encode(), b"\x96")
    (folder / "forms_b.csv").write_bytes(b"\n".join(lines) + b"\n")
    skp_head = ["NIP", "Wilayah", "Unit Kerja", "Periode", "Golongan", "Capaian (%)"]
    skp = [[NIPS[25 + i], "Kota Metro", "Dinas Pekerjaan Umum – Bidang Bina Marga" if i % 2 else "Sekretariat Daerah",
            "2025", "III/b", "90" if i < 9 else ("87,5" if i == 9 else "n/a")] for i in range(11)]  # fmt: skip
    (folder / "skp_cp1252.csv").write_bytes(
        ("\r\n".join(_csv_line(r, ";") for r in [skp_head, *skp]) + "\r\n").encode("cp1252")
    )
    dk = [[NIPS[40 + i], "Latsar CPNS; angkatan II", "05/03/2025" if i < 8 else "13/03/2025",
           "2025-03-20", "40" if i < 8 else ("12,5" if i == 8 else "8 JP"), "Kota Metro"] for i in range(10)]  # fmt: skip
    (folder / "diklat_bom.csv").write_bytes(
        b"\xef\xbb\xbf" + ("\n".join(_csv_line(r, ";") for r in [list(DIKLAT), *dk]) + "\n").encode("utf-8")
    )
    tables = {
        "survey": [
            {"file": "forms.csv", "reader": "forms", "columns": FORMS},
            {"file": "forms_b.csv", "reader": "forms", "columns": FORMS},
        ],
        "performance": [{"file": "skp_cp1252.csv", "columns": SKP}],
        "training": [{"file": "diklat_bom.csv", "columns": DIKLAT}],
    }
    yml = {"name": "foreign", "description": "hand-written foreign shapes", "reference_date": "2026-11-01"}
    (folder / "dataset.yml").write_text(yaml.safe_dump({**yml, "tables": tables}, sort_keys=False), encoding="utf-8")
    return folder


def _whole_files(path, batch_rows, *, reader=None, **options):
    """The reader before streaming: every file read whole, as one batch."""
    yield readers.read_file(path, reader=reader, **options)


def test_streamed_foreign_files_give_the_bytes_of_files_read_whole(tmp_path, monkeypatch):
    raw = _foreign(tmp_path / "raw")
    with monkeypatch.context() as mp:
        mp.setattr(pipeline, "read_file_batches", _whole_files)
        build_processed("f", raw_dir=raw, out_dir=tmp_path / "whole")
    whole = _hashes(tmp_path / "whole")
    assert whole["manifest"]["tables"]["survey"]["rows_in"] == 22
    restarts: list[str] = []
    real = readers.read_file_batches
    opened = readers.pacsv.open_csv

    def cut(path, *, parse_options, **kw):  # a quoted line break at a block's end, as pyarrow reports it
        stream = opened(path, parse_options=parse_options, **kw)
        if parse_options.newlines_in_values or Path(path).name != "forms.csv":
            return stream

        def failing():
            yield next(stream)
            raise pa.ArrowInvalid("CSV parse error: Expected 8 columns, got 3: Bidang SD")

        return failing()

    def counted(path, *a, **k):
        for raw_ in real(path, *a, **k):
            if raw_ is None:
                restarts.append(Path(path).name)
            yield raw_

    for rows in (3, 250_000):
        with monkeypatch.context() as mp:
            _batched(mp, rows)
            mp.setattr(readers, "CSV_BLOCK_BYTES", 700)  # several blocks per file: batches go before a late line
            mp.setattr(readers.pacsv, "open_csv", cut)
            mp.setattr(pipeline, "read_file_batches", counted)
            build_processed("f", raw_dir=raw, out_dir=tmp_path / f"b{rows}")
        assert _hashes(tmp_path / f"b{rows}") == whole, rows
    # the line break in the quoted answer and the Windows-1252 byte of row 10 restarted those files after their
    # first batches had gone (batches of 3; a batch of 250,000 rows waits for the end of the file)
    assert sorted(restarts) == ["forms.csv", "forms_b.csv"]
    with monkeypatch.context() as mp:
        _batched(mp, 4)
        build_processed("f", raw_dir=raw, out_dir=tmp_path / "two", workers=2)
    assert _hashes(tmp_path / "two") == whole
    v = load_validation(tmp_path / "two")
    forms = v[v["file"] == "forms.csv"]
    assert sorted(forms.loc[forms["rule"] == "region_variant", "row"]) == [1, 4, 7, 10]  # the file's own rows
