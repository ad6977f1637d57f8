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
