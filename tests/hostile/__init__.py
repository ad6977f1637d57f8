"""Hostile input files, generated at test time (never committed: some are large).

Each writer returns the path it wrote. ``HOSTILE`` maps a name to (writer, words the error message must contain).
"""

from __future__ import annotations

import os
from pathlib import Path


def empty(d: Path) -> Path:
    p = d / "empty.csv"
    p.write_bytes(b"")
    return p


def header_only(d: Path) -> Path:
    p = d / "header_only.csv"
    p.write_text("NIP,Nama,Timestamp\n", encoding="utf-8")
    return p


def binary_junk(d: Path) -> Path:
    p = d / "junk.csv"
    p.write_bytes(os.urandom(4096) + b"\x00" * 16)
    return p


def wrong_encoding(d: Path) -> Path:
    """Windows-1252 bytes in a file whose dataset.yml says UTF-8."""
    p = d / "wrong_encoding.csv"
    p.write_bytes("NIP,Nama,Tahap\n198503122010011001,Andr\u00e9 Sim\u00f5es,pre\n".encode("cp1252"))
    return p


def duplicated_headers(d: Path) -> Path:
    p = d / "dup_headers.csv"
    p.write_text("NIP,Nama,NIP\n198503122010011001,Budi,198503122010011001\n", encoding="utf-8")
    return p


def many_columns(d: Path, n: int = 5000) -> Path:
    p = d / "wide.csv"
    header = ",".join(f"c{i}" for i in range(n))
    p.write_text(header + "\n" + ",".join("1" for _ in range(n)) + "\n", encoding="utf-8")
    return p


def single_line(d: Path, size: int = 50 * 1024 * 1024) -> Path:
    p = d / "one_line.csv"
    chunk = b"abcdefghij" * 1024 * 1024  # 10 MiB
    with open(p, "wb") as fh:
        left = size
        while left > 0:
            fh.write(chunk[:left])
            left -= len(chunk)
    return p


def not_xlsx(d: Path) -> Path:
    p = d / "fake.xlsx"
    p.write_text("this is not a workbook", encoding="utf-8")
    return p


def ragged(d: Path) -> Path:
    p = d / "ragged.csv"
    p.write_text(
        "NIP,Nama,Tahap\n198503122010011001,Budi,pre\n198503122010011002,Siti,pre,extra,more\n", encoding="utf-8"
    )
    return p


HOSTILE = {
    "empty": (empty, ["empty"]),
    "header_only": (header_only, ["no data rows"]),
    "binary_junk": (binary_junk, ["binary"]),
    "wrong_encoding": (wrong_encoding, ["encoding"]),
    "duplicated_headers": (duplicated_headers, ["appears in columns 1 and 3"]),
    "many_columns": (many_columns, ["5000 columns"]),
    "single_line": (single_line, ["longer than 1 MiB"]),
    "not_xlsx": (not_xlsx, ["not an .xlsx"]),
    "ragged": (ragged, ["fields"]),
}


# --- input-side writers of tests/hostile/test_inputs.py (each returns the path it wrote) ---------------------------
SURVEY_HEADER = "NIP,Kabupaten/Kota,Tahap,RTC01"
SURVEY_ROWS = [
    "198503122010011001,Kota Bengkulu,pre,Setuju",
    "198503122010011002,Kota Bengkulu,pre,Sangat Setuju",
    "198503122010012003,Kota Bengkulu,pre,Tidak Setuju",
]


def survey_text(newline: str = "\n", rows: list[str] | None = None, header: str = SURVEY_HEADER) -> str:
    """A small valid survey export (three respondents of Kota Bengkulu) with the given line ends."""
    return newline.join([header, *(SURVEY_ROWS if rows is None else rows), ""])


def encoded_survey(d: Path, encoding: str, newline: str = "\n", name: str = "s.csv", unit: str = "Caf\u00e9") -> Path:
    """The small survey with a non-ASCII agency column, in any encoding and line ends."""
    rows = [r + f",Dinas Pariwisata {unit}" for r in SURVEY_ROWS]
    p = d / name
    p.write_bytes(survey_text(newline, rows, SURVEY_HEADER + ",Unit Kerja").encode(encoding))
    return p


def mixed_utf8_cp1252(d: Path, name: str = "s.csv") -> Path:
    """UTF-8 throughout ("Caf\u00e9" as UTF-8) with one row of Windows-1252 bytes far down the file."""
    import datetime as dt

    good = [
        f"{(dt.date(1980, 1, 1) + dt.timedelta(days=i % 4000)):%Y%m%d}201001{1 + i % 2}{1 + i // 4000:03d},"
        f"Kota Bengkulu,pre,Setuju,Dinas Pariwisata Caf\u00e9"
        for i in range(30_000)
    ]
    p = d / name
    p.write_bytes(
        (SURVEY_HEADER + ",Unit Kerja\n" + "\n".join(good) + "\n").encode("utf-8")
        + b"198503122010011999,Kota Bengkulu,pre,Setuju,Andr\xe9 Caf\xe9\n"
    )
    return p


def xlsx_parts(rows_xml_chunks, shared: str = "") -> dict:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+'
        'xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    return {
        "[Content_Types].xml": content_types,
        "_rels/.rels": rels,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": wb_rels,
        "xl/worksheets/sheet1.xml": rows_xml_chunks,
    }


def zip_bomb_xlsx(d: Path, rows: int = 1_100_000, cols: int = 1, name: str = "skp.xlsx") -> Path:
    """A small .xlsx whose one sheet expands to ``rows`` x ``cols`` numeric cells (a zip bomb at 1.1 M rows)."""
    import zipfile

    head = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main"><sheetData>'
    )
    p = d / name
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for part, body in xlsx_parts(None).items():
            if body is not None:
                zf.writestr(part, body)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head.encode())
            cells = "".join(f'<c t="n"><v>{j}</v></c>' for j in range(cols))
            block = "".join(f"<row>{cells}</row>" for _ in range(10_000)).encode()
            left = rows
            while left > 0:
                n = min(left, 10_000)
                fh.write(block if n == 10_000 else "".join(f"<row>{cells}</row>" for _ in range(n)).encode())
                left -= n
            fh.write(b"</sheetData></worksheet>")
    return p


def zip_not_xlsx(d: Path, name: str = "skp.xlsx") -> Path:
    import zipfile

    p = d / name
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "a zip file, not a workbook")
    return p


def truncated_xlsx(d: Path, name: str = "skp.xlsx") -> Path:
    import io

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"NIP": ["198503122010011001"] * 50, "Periode": ["Semester I 2025"] * 50}).to_excel(buf, index=False)
    p = d / name
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    return p


def huge_cell_csv(d: Path, size: int = 20 << 20, name: str = "s.csv") -> Path:
    p = d / name
    with open(p, "wb") as fh:
        fh.write((SURVEY_HEADER + "\n").encode())
        fh.write(b'198503122010011001,Kota Bengkulu,pre,"' + b"x" * size + b'"\n')
    return p


def alias_bomb(levels: int = 9) -> str:
    """YAML whose aliases expand to 9**levels strings (a "billion laughs")."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"
