"""Readers: python-calamine reads .xlsx with the same cell text as openpyxl (the fallback); encodings decided per file
with evidence (mixed UTF-8 / Windows-1252 reported by row, never a silent re-read); old-Mac line ends; non-ASCII kept."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pandas as pd
import pytest

from kinerja_research.errors import InputFileError
from kinerja_research.ingest import readers
from kinerja_research.ingest.readers import read_file


def _workbook(path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "SKP"
    ws.append(["Rekap SKP Kota Bengkulu"])
    ws.append([])
    ws.append(["NIP", "NIP angka", "Capaian", "Capaian teks", "Tanggal", "Waktu", "Ya", "Unit", "Persen", "Kosong"])
    rows = [
        [
            "198503122010011002",
            198503122010011002,
            87.5,
            "87,5",
            dt.date(2025, 3, 12),
            dt.datetime(2025, 3, 12, 10, 15),
        ],
        [
            "200012312024211001",
            1.98503122010011e17,
            100.125,
            "1.234,5",
            dt.datetime(2025, 4, 1),
            dt.datetime(2025, 4, 1),
        ],
        ["19850312 201001 1 003", 3, 99, "99", "12/03/2025", "10:15"],
    ]
    for r, extra in zip(
        rows, (["Ya", "Dinas Pariwisata Café", 0.5, None], ["Tidak", "BKPSDM – Bidang", 1, ""], [True, "x", 0.25, None])
    ):
        ws.append(r + extra)
    ws["I4"].number_format = "0%"
    for r in range(4, 7):
        ws.cell(row=r, column=1).number_format = "@"
    wb.save(path)
    return path


def _read(engine, path):
    with mock.patch.object(readers, "XLSX_ENGINES", (engine,)):
        return read_file(path, sheet="SKP", expect_headers=["NIP", "Capaian"])


def test_calamine_and_openpyxl_give_identical_cell_text(tmp_path):
    p = _workbook(tmp_path / "skp.xlsx")
    cal, opx = _read("calamine", p), _read("openpyxl", p)
    assert (cal.engine, opx.engine) == ("calamine", "openpyxl")
    assert cal.header_row == opx.header_row == 3
    pd.testing.assert_frame_equal(cal.data, opx.data)
    d = cal.data
    assert d["NIP"].tolist() == ["198503122010011002", "200012312024211001", "19850312 201001 1 003"]  # text kept
    assert d["NIP angka"].tolist() == ["198503122010011000", "198503122010011000", "3"]  # a number: as Excel shows it
    assert d["Capaian"].tolist() == ["87.5", "100.1250", "99"] and d["Capaian teks"].tolist() == [
        "87,5",
        "1.234,5",
        "99",
    ]
    assert d["Tanggal"].tolist() == ["2025-03-12", "2025-04-01", "12/03/2025"]
    assert d["Waktu"].tolist() == ["2025-03-12 10:15:00", "2025-04-01", "10:15"]
    assert d["Unit"].tolist() == ["Dinas Pariwisata Café", "BKPSDM – Bidang", "x"]  # non-ASCII kept
    assert d["Ya"].tolist() == ["Ya", "Tidak", "True"] and d["Persen"].tolist() == ["0.5", "1", "0.25"]
    assert d.index.tolist() == [1, 2, 3]
    assert read_file(p, sheet="SKP").engine == "calamine"  # the default


def test_openpyxl_is_used_only_where_calamine_cannot_read(tmp_path):
    p = _workbook(tmp_path / "skp.xlsx")

    def no_calamine(path, **kw):
        raise ValueError("calamine cannot read this workbook")

    with mock.patch.object(readers.python_calamine.CalamineWorkbook, "from_path", no_calamine):
        t = read_file(p, sheet="SKP")
    assert t.engine == "openpyxl" and t.data["NIP"].iloc[0] == "198503122010011002"


def test_synthetic_skp_workbooks_read_alike_by_both_engines(tmp_path):
    from kinerja_research.synth import write_default

    write_default(tmp_path, seed=5, scale=0.05, regions=["17.71"], tables=["performance"])
    (p,) = tmp_path.glob("skp_*.xlsx")
    a, b = _read("calamine", p), _read("openpyxl", p)
    pd.testing.assert_frame_equal(a.data, b.data)


def test_utf8_file_with_one_cp1252_row_keeps_utf8_and_reports_the_row(tmp_path):
    p = tmp_path / "mixed.csv"
    good = "".join(f"{i},Caf\u00e9 {i}\n" for i in range(1, 40_000))  # > 1 MiB of valid UTF-8 with non-ASCII
    p.write_bytes(b"id,nama\n" + good.encode("utf-8") + b"40000,Andr\xe9 Lama\n40001,ok\n")
    t = read_file(p)
    assert t.data.loc[1, "nama"] == "Caf\u00e9 1" and t.data.loc[39_999, "nama"] == "Caf\u00e9 39999"  # not "CafÃ©"
    assert t.data.loc[40_000, "nama"] == "Andr\u00e9 Lama"
    assert t.notes == [{"row": 40_000, "column": "nama", "value": "Andr\u00e9 Lama", "rule": "encoding_mixed"}]
    assert t.encoding.startswith("utf-8")


def test_a_file_without_any_utf8_sequence_is_windows_1252_by_evidence(tmp_path):
    p = tmp_path / "late.csv"
    p.write_bytes(b"a,b\n" + b"".join(f"{i},x\n".encode() for i in range(200_000)) + "1,caf\u00e9\n".encode("cp1252"))
    t = read_file(p)
    assert t.encoding == "cp1252" and t.data["b"].iloc[-1] == "caf\u00e9" and t.notes == []


@pytest.mark.parametrize(
    "encoding, newline",
    [
        ("utf-16", "\r\n"),  # Notepad's "Unicode" (UTF-16 LE with a BOM)
        ("utf-16-le", "\r\n"),  # without a BOM
        ("utf-16-be", "\n"),
        ("utf-32", "\n"),
        ("utf-8-sig", "\r\n"),
        ("cp1252", "\r"),  # old-Mac line ends
        ("utf-8", "\r"),
    ],
)
def test_encodings_and_line_ends_read_as_text(tmp_path, encoding, newline):
    p = tmp_path / "f.csv"
    text = newline.join(["NIP;Unit", "198503122010011002;Dinas Pariwisata Caf\u00e9", "198503122010011003;BKPSDM", ""])
    p.write_bytes(text.encode(encoding))
    t = read_file(p)
    assert list(t.data.columns) == ["NIP", "Unit"] and t.sep == ";"
    assert t.data["Unit"].tolist() == ["Dinas Pariwisata Caf\u00e9", "BKPSDM"]
    assert t.data["NIP"].tolist() == ["198503122010011002", "198503122010011003"]


def test_header_row_beyond_the_end_and_bad_separators_are_one_sentence(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    for kwargs, words in (
        ({"header_row": 1_000_000}, "only 2 lines"),
        ({"header_row": 10**12}, "from 1 to 1,048,576"),
        ({"skip_rows": 10**12}, "from 0 to 1,048,576"),
        ({"sep": ";;"}, "not one character"),
    ):
        with pytest.raises(InputFileError) as e:
            read_file(p, **kwargs)
        assert words in str(e.value) and "\n" not in str(e.value)


# --------------------------------------------------------------------------------------------------------------------
# read_csv_batches: the cells, row numbers and refusals of read_csv, a batch at a time
# --------------------------------------------------------------------------------------------------------------------
def _streamed(path, rows: int, **opts) -> pd.DataFrame:
    """The batches put together (a ``None`` drops the batches before it, as the clean does)."""
    got: list = []
    for raw in readers.read_csv_batches(path, rows, **opts):
        if raw is None:
            got = []
            continue
        assert len(raw.data) <= rows
        got.append(raw.data)
    return pd.concat(got)


FOREIGN = {
    # semicolons, Windows-1252 text (an en dash, e acute), CRLF lines
    "cp1252.csv": ("NIP;Unit Kerja;Capaian\r\n1;Dinas – Umum;90\r\n2;Café Sehat;87,5\r\n3;;n/a\r\n").encode("cp1252"),
    # a byte-order mark, tabs, a quoted answer with a line break and a quote
    "bom.tsv": b'\xef\xbb\xbfTimestamp\tSaran\n2025/03/10\t"baris satu\nbaris ""dua"""\n2025/03/11\tok\n2025/03/12\t\n',
    # UTF-8 with one Windows-1252 byte in the last row (repaired from the whole file)
    "mixed.csv": "Nama,Kota\nAni,Kota Metro\nBudi,Kota Baru\nCitra,Dinas – UKM\n".encode().replace(
        "–".encode(), b"\x96"
    ),
    # a title line above the header, a notes row under it, a column whose kind shows only in the last row
    "title.csv": b"Rekap SKP 2025\nNIP,JP\ncatatan,-\n1,40\n2,40\n3,40\n4,12.5 JP\n",
}


@pytest.mark.parametrize("name", sorted(FOREIGN))
@pytest.mark.parametrize("rows", [1, 2, 1000])
def test_batches_hold_the_cells_and_row_numbers_of_the_whole_read(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(FOREIGN[name])
    opts = {"header_row": 2, "skip_rows": 1} if name == "title.csv" else {}
    whole = readers.read_csv(path, **opts)
    got = _streamed(path, rows, **opts)
    pd.testing.assert_frame_equal(got, whole.data, check_index_type=True)
    first = next(r for r in readers.read_csv_batches(path, rows, **opts) if r is not None)
    assert (first.encoding, first.sep) == (whole.encoding, whole.sep)


def test_batches_refuse_a_file_with_the_sentence_of_the_whole_read(tmp_path, monkeypatch):
    bad = {
        "fields.csv": b"a,b\n1,2\n3,4\n5,6\n7,8,9\n",  # a late line with a field too many
        "empty.csv": b"a,b\n",  # a header and no data row
        "long.csv": b"a,b\n1,2\n3,4\n5," + b"x" * 40 + b"\n",  # a late cell over the limit
        "rows.csv": b"a\n" + b"1\n" * 7,  # more rows than the limit
    }
    monkeypatch.setattr(readers, "MAX_CELL_CHARS", 30)
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    for name, data in bad.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputFileError) as whole:
            readers.read_csv(path)
        with pytest.raises(InputFileError) as streamed:
            _streamed(path, 2)
        assert str(streamed.value) == str(whole.value), name


def test_text_and_number_column_reads_as_the_cell_by_cell_path():
    """A column of text and number cells (numbers under a title and a header, the shape of an SKP export) is read
    without a call per cell; it gives the same cells, empties and text as the cell-by-cell path."""
    cells = ["Rekap Capaian", "", "Capaian", 87.5, -0.0, 100.125, 99.0, "96,3", "NA", " ", "n/a", float("nan")]
    cells += [1.98503122010011e17, 123456789012345.0, float("inf"), 1 / 3, "\u00a0x ", 1e15, -3.0]
    fast = readers._GridColumn(cells=cells)
    slow = readers._GridColumn(
        objects=[(x if x not in readers._NA_TEXT else None) if type(x) is str else readers._grid_cell(x) for x in cells]
    )
    assert fast.none.tolist() == slow.none.tolist()
    assert [fast.value(i) for i in range(len(cells))] == [slow.value(i) for i in range(len(cells))]
    for at in (list(range(3, len(cells))), [3, 5, 12, 13, 18], [4]):
        a, b = fast.text(at), slow.text(at)
        assert a.isna().tolist() == b.isna().tolist()
        assert a.fillna("-").tolist() == b.fillna("-").tolist()
    assert fast.text([3, 4, 5, 6, 12]).tolist() == ["87.5", "0", "100.1250", "99", "198503122010011000"]
