"""One large CSV file read in byte ranges by several workers gives the bytes of the file read whole.

Hand-written files in the shapes Google Forms and the units send: multi-line quoted answers (one straddling a planned
cut point), CRLF line ends, a UTF-8 byte-order mark, a ``;`` separator, a Windows-1252 byte in a UTF-8 file, a bad
value in a later range, an empty trailing line, a stray quote inside an unquoted field. The ranges' rows put together
are the rows of :func:`~kinerja_research.ingest.readers.read_csv`; the clean with ranges
(:data:`pipeline.RANGE_BYTES` made small) writes the bytes of the clean without them, and every finding and error
names the row of the whole file.
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
    for i in range(400)
]
FORMS = {"Timestamp": "submitted_at", "NIP (18 digit, tanpa spasi)": "nip", "Kabupaten/Kota": "region",
         "Unit Kerja / OPD": "agency", "Tahap survei": "wave", "Durasi pengisian (detik)": "duration_s",
         "Jabatan / komentar": "jabatan", "Item RTC01": "RTC01"}  # fmt: skip
ANSWERS = ["Setuju", "Tidak Setuju", "Sangat Setuju", "Sangat Tidak Setuju"]


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "ranges-test-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _cell(c: str, sep: str) -> str:
    return f'"{c.replace(chr(34), 2 * chr(34))}"' if (sep in c or "\n" in c or '"' in c or "\r" in c) else c


def _forms(
    n: int,
    *,
    sep: str = ",",
    eol: str = "\n",
    comment=lambda i: "",
    duration=lambda i: "400",
    bom: bool = False,
    trailing: str = "",
) -> bytes:
    """A Forms-like export of ``n`` rows; ``comment(i)``: the free-text answer of row ``i + 1`` (multi-line ones
    quoted, as Google Forms writes them)."""
    lines = [sep.join(_cell(h, sep) for h in FORMS)]
    for i in range(n):
        cells = [f"2025/03/{1 + i % 28:02d} 10:{i % 60:02d}:30 AM GMT+7", NIPS[i % len(NIPS)],
                 "Kota Metro" if i % 5 else "KOTA METRO", "Badan Kepegawaian Daerah; Bidang Mutasi",
                 "Sebelum" if i % 2 else "Sesudah", duration(i), comment(i), ANSWERS[i % 4]]  # fmt: skip
        lines.append(sep.join(_cell(c, sep) for c in cells))
    text = eol.join(lines) + eol + trailing
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _ranged_rows(path: Path, parts: int, **options) -> tuple[pd.DataFrame, list]:
    """The rows of every range of ``path`` put together in order, as the pipeline merges them, and the plan."""
    plan = readers.plan_csv_ranges(path, parts, **options)
    assert plan is not None and plan.n >= 2
    scans = [readers.scan_csv_range(plan, k) for k in range(plan.n)]
    newlines = any(q for _, q in scans)
    assert all(r for r, _ in scans)
    frames = []
    for k in range(plan.n):
        for tbl in readers.read_csv_range(plan, k, 7, newlines=newlines):
            frames.append(tbl.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get))
    df = pd.concat(frames, ignore_index=True)
    df.index = pd.RangeIndex(1, len(df) + 1)
    return df, list(plan.cuts)


def _multiline(i: int) -> str:
    return "Pelatihan bagus,\nnamun waktunya\r\nkurang" if i % 9 == 4 else ("ok" if i % 3 else "")


@pytest.mark.parametrize(
    ("name", "data", "opts"),
    [
        ("plain.csv", _forms(120), {}),
        ("multiline_crlf.csv", _forms(120, eol="\r\n", comment=_multiline), {}),
        ("bom_semicolon.csv", _forms(120, sep=";", bom=True, comment=_multiline), {}),
        ("trailing.csv", _forms(120, comment=lambda i: 'kata "baik"' if i % 4 == 0 else "", trailing="\n"), {}),
        ("title.csv", b"Rekap survei 2025\n" + _forms(120), {"header_row": 2}),
    ],
)
def test_ranges_put_together_are_the_rows_of_the_whole_file(tmp_path, name, data, opts):
    path = tmp_path / name
    path.write_bytes(data)
    whole = readers.read_csv(path, **opts).data
    for parts in (2, 3, 7):
        got, cuts = _ranged_rows(path, parts, **opts)
        pd.testing.assert_frame_equal(got, whole)
        for c in cuts[1:-1]:  # every cut follows a line end outside quotes
            assert data[c - 1 : c] == b"\n" and data[:c].count(b'"') % 2 == 0


def test_a_cut_inside_a_multiline_answer_moves_past_its_end(tmp_path):
    long = "Baris pertama\n" + "\n".join(f"baris {k}, masih di dalam kutip" for k in range(60))
    data = _forms(40, comment=lambda i: long if i == 20 else "")
    path = tmp_path / "straddle.csv"
    path.write_bytes(data)
    mid = len(data) // 2
    start = data.index(b'"Baris pertama')
    assert start < mid < data.index(b'kutip"', start)  # the planned cut point falls inside the quoted answer
    got, cuts = _ranged_rows(path, 2)
    assert cuts[1] > data.index(b'kutip"', start)
    pd.testing.assert_frame_equal(got, readers.read_csv(path).data)
    assert got.loc[21, "Jabatan / komentar"] == long.replace("\r\n", "\n")


def test_irregular_quotes_and_other_encodings_are_seen(tmp_path):
    stray = _forms(60, comment=lambda i: 'kata "baik" saja' if i == 50 else "").replace(
        b'"kata ""baik"" saja"', b'kata "baik" saja'
    )
    path = tmp_path / "stray.csv"
    path.write_bytes(stray)
    plan = readers.plan_csv_ranges(path, 2)
    assert [readers.scan_csv_range(plan, k)[0] for k in range(plan.n)] == [True, False]
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(_forms(60).decode("utf-8").encode("utf-16"))
    assert readers.plan_csv_ranges(utf16, 2) is None  # its quotes and line ends are not single bytes
    assert readers.plan_csv_ranges(path, 1) is None
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert readers.plan_csv_ranges(empty, 2) is None  # read whole: read_csv names the problem


# --------------------------------------------------------------------------------------------------------------------
# The clean with ranges: the bytes of the clean without them, the whole file's row numbers in findings and errors
# --------------------------------------------------------------------------------------------------------------------
def _dataset(folder: Path, files: dict[str, bytes], options: dict | None = None) -> Path:
    folder.mkdir(parents=True)
    specs = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        spec = {"file": name, "reader": "forms", "columns": FORMS}
        if options:
            spec["options"] = options
        specs.append(spec)
    yml = {"name": folder.name, "description": "hand-made byte-range test", "reference_date": "2026-11-01",
           "free_text": {"survey": ["jabatan"]}}  # fmt: skip
    (folder / "dataset.yml").write_text(
        yaml.safe_dump({**yml, "tables": {"survey": specs}}, sort_keys=False), encoding="utf-8"
    )
    return folder


_hashes = _rawdata.processed_hashes


def _outcome(raw: Path, out: Path, workers: int):
    try:
        build_processed("x", raw_dir=raw, out_dir=out, workers=workers)
        return _hashes(out)
    except KinerjaError as exc:
        return str(exc)


@pytest.fixture
def ranged(monkeypatch):
    """Files of a few KiB, each a unit of its own, read in ranges of about 2 KiB, row batches of 40 rows; the ranges planned are recorded."""
    plans: list = []
    real = pipeline._range_plan

    def recorded(unit, workers):
        plan = real(unit, workers)
        plans.append(plan)
        return plan

    monkeypatch.setattr(pipeline, "RANGE_BYTES", 2048)
    monkeypatch.setattr(pipeline, "UNIT_BYTES", 1024)  # each file a unit of its own
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 40)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 40)
    monkeypatch.setattr(pipeline, "_range_plan", recorded)
    return plans


def test_the_clean_in_ranges_gives_the_bytes_of_the_clean_whole(tmp_path, ranged):
    def comment(i: int) -> str:
        return "Sudah baik,\r\nperlu ditingkatkan" if i % 11 == 3 else ""

    files = {
        "forms_a.csv": _forms(150, eol="\r\n", comment=comment, duration=lambda i: "35,5" if i == 130 else "400"),
        "forms_b.csv": _forms(90, sep=";", bom=True, trailing="\r\n"),
    }
    raw = _dataset(tmp_path / "raw", files)
    one = _outcome(raw, tmp_path / "one", 1)
    assert ranged == [None, None]  # one worker: no ranges
    two = _outcome(raw, tmp_path / "two", 2)
    assert isinstance(one, dict) and two == one
    assert all(p.n > 2 for p in ranged[2:])  # both files were read in ranges
    v = load_validation(tmp_path / "two")
    a = v[v["file"] == "forms_a.csv"]
    assert a.loc[a["rule"] == "decimal_comma", "row"].tolist() == [131]  # the file's row, in its fifth range
    assert sorted(a.loc[a["rule"] == "region_variant", "row"]) == list(range(1, 151, 5))


def test_a_bad_value_in_a_later_range_names_the_row_of_the_whole_file(tmp_path, ranged):
    data = _forms(150, comment=_multiline, duration=lambda i: "empat ratus" if i == 140 else "400")
    raw = _dataset(tmp_path / "raw", {"forms.csv": data})
    one = _outcome(raw, tmp_path / "one", 1)
    two = _outcome(raw, tmp_path / "two", 2)
    assert two == one and ranged[-1] is not None and ranged[-1].n > 2
    v = load_validation(tmp_path / "two")
    bad = v[v["value"] == "empat ratus"]
    assert bad[["file", "row", "column"]].values.tolist() == [["forms.csv", 141, "Durasi pengisian (detik)"]]


def test_a_line_with_too_many_fields_in_a_later_range_names_the_file_row(tmp_path, ranged):
    data = _forms(150).replace(f"\n2025/03/{1 + 139 % 28:02d} 10:19:30".encode(), b"\nextra,2025/03/28 10:19:30", 1)
    raw = _dataset(tmp_path / "raw", {"forms.csv": data})
    one = _outcome(raw, tmp_path / "one", 1)
    two = _outcome(raw, tmp_path / "two", 2)
    assert "forms.csv" in one and "9 fields" in one
    assert two == one


def test_windows_1252_bytes_in_a_utf8_file_are_repaired_by_the_whole_file(tmp_path, ranged):
    data = _forms(150, comment=lambda i: "Koperasi – UKM" if i in (10, 120) else "")
    at = data.index("–".encode(), data.index(b"Koperasi", len(data) // 2))
    bad = data[:at] + b"\x96" + data[at + 3 :]  # row 121 pasted from a Windows-1252 program
    raw = _dataset(tmp_path / "raw", {"forms.csv": bad})
    one = _outcome(raw, tmp_path / "one", 1)
    two = _outcome(raw, tmp_path / "two", 2)
    assert isinstance(one, dict) and two == one
    assert ranged[-1] is not None  # planned in ranges, read whole after the range said it is not UTF-8


def test_irregular_quotes_with_a_quoted_line_break_read_the_file_whole(tmp_path, ranged):
    def comment(i: int) -> str:
        return "baris satu\nbaris dua" if i == 5 else ('kata "baik" saja' if i == 120 else "")

    data = _forms(150, comment=comment).replace(b'"kata ""baik"" saja"', b'kata "baik" saja')
    raw = _dataset(tmp_path / "raw", {"forms.csv": data})
    one = _outcome(raw, tmp_path / "one", 1)
    two = _outcome(raw, tmp_path / "two", 2)
    assert two == one and ranged[-1] is not None
