"""Readers for the files units hand over: CSV (``,`` ``;`` tab; UTF-8, UTF-8 with BOM, Windows-1252), Excel
``.xlsx`` (any sheet, header on any row), SPSS ``.sav`` (value labels kept) and Google Forms CSV exports.

Every reader returns a :class:`RawTable`: all cells as text (``string`` dtype; nothing is parsed here, so a NIP is
never turned into a float), the source headers, and the 1-based data row number of each row. A file that cannot be
used raises :class:`~kinerja_research.errors.InputFileError` with one sentence naming the file and the rule.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import python_calamine
from pandas._libs.parsers import STR_NA_VALUES

from kinerja_research.errors import InputFileError, where
from kinerja_research.instruments.safe_yaml import sniff_encoding

__all__ = [
    "RawTable",
    "read_file",
    "read_file_batches",
    "read_csv_batches",
    "read_csv",
    "read_excel",
    "read_spss",
    "read_forms",
    "READERS",
    "MAX_COLUMNS",
    "sniff_csv",
]

MAX_COLUMNS = 2000
MAX_HEADER_BYTES = 1 << 20
_SAMPLE = 1 << 20
#: Limits that keep a hostile file from taking unbounded time or memory (each refusal is one sentence).
MAX_CSV_BYTES = 8 << 30
MAX_ROWS = 20_000_000
MAX_OPTION_ROWS = 1_048_576
MAX_CELL_CHARS = 1 << 20
#: .xlsx readers in order of preference: openpyxl only where calamine cannot read a workbook.
XLSX_ENGINES = ("calamine", "openpyxl")
MAX_XLSX_BYTES = 1 << 30
MAX_XLSX_UNCOMPRESSED = 1 << 30
MAX_EXCEL_ROWS = 1_048_576
MAX_EXCEL_CELLS = 5_000_000
MAX_SAV_BYTES = 2 << 30
#: Bytes pyarrow parses at a time (a line must fit in one block).
CSV_BLOCK_BYTES = 16 << 20
#: Largest file whose encoding is repaired in memory (a UTF-8 file with Windows-1252 rows).
MAX_REPAIR_BYTES = 512 << 20
#: Text pandas' readers take for a missing cell (``""``, ``NA``, ``N/A``, ``null`` ...): the .xlsx reader follows it.
_NA_TEXT = frozenset(STR_NA_VALUES)


@dataclass
class RawTable:
    """Cells of one file as text, with the source headers and data row numbers (1 = first row after the header)."""

    data: pd.DataFrame
    path: Path
    reader: str
    encoding: str | None = None
    sep: str | None = None
    header_row: int = 1
    #: the library that parsed the file (``calamine`` or ``openpyxl`` for .xlsx)
    engine: str | None = None
    #: Findings of the reader the clean step reports (e.g. ``{"row", "column", "value", "rule": "encoding_mixed"}``)
    notes: list = field(default_factory=list)


def _fail(path: Path, rule: str, **loc) -> None:
    raise InputFileError(f"{where(path, **loc)}: {rule}")


def _check_headers(path: Path, headers: list[str], header_row: int = 1) -> list[str]:
    clean = [re.sub(r"\s+", " ", str(h)).strip() if h is not None else "" for h in headers]
    if len(clean) > MAX_COLUMNS:
        _fail(
            path,
            f"the file has {len(clean)} columns; rule: at most {MAX_COLUMNS} columns (is this the right "
            f"file or sheet?)",
            row=header_row,
        )
    seen: dict[str, int] = {}
    for i, h in enumerate(clean):
        if h == "":
            clean[i] = f"column_{i + 1}"
            continue
        key = h.casefold()
        if key in seen:
            _fail(
                path,
                f"header {h!r} appears in columns {seen[key] + 1} and {i + 1}; rule: every column header "
                f"is unique (rename one of them)",
                row=header_row,
                column=h,
            )
        seen[key] = i
    return clean


def _first_line(text: str) -> tuple[str, bool]:
    """The first line of a text and whether a line break ended it (``\r\n``, ``\n`` or old-Mac ``\r``)."""
    m = re.search(r"\r\n|\n|\r", text)
    return (text, False) if m is None else (text[: m.start()], True)


def _has_utf8_sequence(data: bytes) -> bool:
    """True when the bytes hold at least one valid multi-byte UTF-8 character (evidence of a UTF-8 file)."""
    text = data.decode("utf-8", errors="surrogateescape")
    return re.search(r"[^\x00-\x7f\udc80-\udcff]", text) is not None


def sniff_csv(path: str | Path, *, encoding: str | None = None, sep: str | None = None) -> tuple[str, str, str]:
    """Detect encoding and separator of a CSV file from its first bytes; returns ``(encoding, sep, header_line)``.

    The encoding is decided from evidence: a byte-order mark or the NUL pattern of UTF-16/UTF-32 (with or without a
    mark), else UTF-8 when the first MiB is valid UTF-8, else Windows-1252. Lines may end in ``\r\n``, ``\n`` or
    ``\r`` (old Mac).

    Raises
    ------
    InputFileError
        Empty file, binary content, a first line longer than 1 MiB, or bytes that do not fit the stated encoding.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SAMPLE)
    except OSError as exc:
        _fail(path, f"the file cannot be read ({exc.strerror}); rule: input files must be readable")
    if not head.strip() or not head.strip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n\t"):
        _fail(path, "the file is empty; rule: a table file has a header row and at least one data row")
    proven = sniff_encoding(head)
    stated_none = encoding is None
    if proven == "binary" and encoding is None:
        _fail(
            path,
            "the file contains NUL bytes, so it is binary, not a text table; rule: CSV files are text "
            "(export the sheet as CSV, or use reader: excel / spss)",
        )
    if encoding is None:
        if proven:
            encoding = proven
        else:
            try:
                head.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                if exc.start >= len(head) - 4 and len(head) == _SAMPLE:  # a character cut at the sample's end
                    encoding = "utf-8"
                elif _has_utf8_sequence(head):  # UTF-8 with a few other bytes: read_csv repairs them by row
                    encoding = "utf-8"
                else:
                    encoding = "cp1252"
    try:
        errors = "replace" if encoding == "utf-8" and stated_none else "strict"  # mixed: the header line is checked
        text = codecs.getincrementaldecoder(encoding)(errors=errors).decode(head, final=len(head) < _SAMPLE)
    except (UnicodeDecodeError, LookupError) as exc:
        pos = getattr(exc, "start", 0)
        row = head[:pos].count(b"\n")
        _fail(
            path,
            f"the bytes do not fit encoding {encoding!r} ({exc.__class__.__name__}); rule: state the file's "
            f"encoding in dataset.yml options (utf-8, utf-8-sig or cp1252)",
            row=row if row else None,
        )
    text = text.lstrip("\ufeff")
    header, ended = _first_line(text)
    if not ended and len(head) >= MAX_HEADER_BYTES:
        _fail(
            path,
            "the first line is longer than 1 MiB with no line break; rule: a table file has one header line "
            "followed by data lines",
        )
    if sep is None:
        counts = {s: header.count(s) for s in (",", ";", "\t", "|")}
        sep = max(counts, key=lambda k: (counts[k], k == ","))
    return encoding, sep, header


def _split_header(header: str, sep: str) -> list[str]:
    import csv

    try:
        return next(csv.reader([header], delimiter=sep))
    except StopIteration:
        return []


def _header_at(path: Path, encoding: str, header_row: int) -> str:
    """The text of line ``header_row`` (1-based), or a one-sentence error when the file is shorter."""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for n in range(1, header_row):
            if not fh.readline(MAX_HEADER_BYTES):
                _fail(
                    path,
                    f"the file has only {n - 1} lines, so there is no header on line {header_row}; rule: "
                    f"options.header_row is a line of the file",
                )
        line = fh.readline(MAX_HEADER_BYTES)
    if not line:
        _fail(
            path,
            f"the file has only {header_row - 1} lines, so there is no header on line {header_row}; rule: "
            f"options.header_row is a line of the file",
        )
    return line.rstrip("\r\n").lstrip("\ufeff")


def _mixed_to_text(data: bytes) -> str:
    """UTF-8 text whose invalid bytes are read as Windows-1252 (undefined bytes as U+FFFD)."""
    text = data.decode("utf-8", errors="surrogateescape")
    return re.sub(
        r"[\udc80-\udcff]+",
        lambda m: m.group().encode("utf-8", errors="surrogateescape").decode("cp1252", errors="replace"),
        text,
    )


def _first_line_at(text: str, n: int) -> str:
    lines = re.split(r"\r\n|\n|\r", text, maxsplit=n)
    return lines[n - 1].lstrip("\ufeff") if len(lines) >= n else ""


def _repair_mixed_utf8(path: Path, header_lines: int) -> tuple[bytes, list[dict]] | None:
    """A UTF-8 file with a few bytes that are not UTF-8 (a row pasted from a Windows-1252 program): those bytes are
    read as Windows-1252 and reported by row; every other byte stays UTF-8. ``None`` when the file holds no valid
    UTF-8 sequence at all (it is Windows-1252 throughout: decided from that evidence by the caller)."""
    size = path.stat().st_size
    if size > MAX_REPAIR_BYTES:
        return None
    data = path.read_bytes()
    text = data.decode("utf-8", errors="surrogateescape")
    bad = list(re.finditer(r"[\udc80-\udcff]+", text))
    if not bad or re.search(r"[^\x00-\x7f\udc80-\udcff]", text) is None:
        return None  # no non-ASCII UTF-8 at all: the whole file is one-byte encoded
    notes, parts, last = [], [], 0
    breaks = [m.start() for m in re.finditer(r"\r\n|\n|\r", text)]
    import bisect

    for m in bad:
        raw = m.group().encode("utf-8", errors="surrogateescape")
        try:
            fixed = raw.decode("cp1252")
        except UnicodeDecodeError:
            line = bisect.bisect_right(breaks, m.start()) + 1
            _fail(
                path,
                f"line {line} holds bytes that are neither UTF-8 nor Windows-1252 (e.g. {raw[:8]!r}); rule: save the "
                f"file in one text encoding (UTF-8)",
            )
        line = bisect.bisect_right(breaks, m.start()) + 1
        notes.append(
            {"row": line - header_lines, "column": None, "value": fixed, "rule": "encoding_mixed", "bytes": raw}
        )
        parts.append(text[last : m.start()])
        parts.append(fixed)
        last = m.end()
    parts.append(text[last:])
    return "".join(parts).encode("utf-8"), notes


def _csv_plan(
    path: Path, sep: str | None, encoding: str | None, header_row: int, skip_rows: int
) -> tuple[int, str, str, list[str], int, list[dict]]:
    """What :func:`read_csv` decides once for a file before parsing any data row: ``(size, encoding, sep, headers,
    lines to skip, notes)`` (options checked, encoding and separator sniffed, the header line split and checked)."""
    stated = encoding
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n'):
        _fail(path, f"separator {sep!r} is not one character; rule: sep is one character such as ',' ';' or a tab")
    for name, v, low in (("header_row", header_row, 1), ("skip_rows", skip_rows, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= MAX_OPTION_ROWS:
            _fail(path, f"option {name} is {v!r}; rule: a whole number from {low} to {MAX_OPTION_ROWS:,}")
    size = _check_size(path, MAX_CSV_BYTES, "CSV file")
    encoding, sep, header = sniff_csv(path, encoding=encoding, sep=sep)
    if header_row > 1:
        header = _header_at(path, encoding, header_row)
    notes: list[dict] = []
    if "\ufffd" in header and stated is None and encoding == "utf-8":  # Windows-1252 bytes in a UTF-8 header line
        with open(path, "rb") as fh:
            raw_lines = fh.read(_SAMPLE)
        header = _first_line_at(_mixed_to_text(raw_lines), header_row)
        notes.append({"row": None, "column": None, "value": header[:200], "rule": "encoding_mixed"})
    headers = _check_headers(path, _split_header(header, sep) if header else [], header_row)
    if not headers:
        _fail(path, "the header line is empty; rule: the header row names every column", row=header_row)
    return size, encoding, sep, headers, header_row + skip_rows, notes


def _csv_options(headers: list[str], skip: int, encoding: str):
    """pyarrow's read and convert options of a CSV file: every column text (``large_string``, the storage of
    pandas' pyarrow string dtype, so to_pandas needs no cast of every column), an empty cell missing."""
    read_opts = pacsv.ReadOptions(column_names=headers, skip_rows=skip, encoding=encoding, block_size=CSV_BLOCK_BYTES)
    conv = pacsv.ConvertOptions(
        column_types={h: pa.large_string() for h in headers},
        strings_can_be_null=True,
        null_values=[""],
        quoted_strings_can_be_null=True,
    )
    return read_opts, conv


def read_csv(
    path: str | Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    header_row: int = 1,
    skip_rows: int = 0,
    **_: object,
) -> RawTable:
    """Read a delimited text file as text cells.

    Parameters
    ----------
    path : str or Path
        The file.
    sep : str, optional
        Separator (one character); default detected from the header line (``,`` ``;`` tab or ``|``).
    encoding : str, optional
        Default decided from evidence (:func:`sniff_csv`). A UTF-8 file with a few Windows-1252 bytes further down
        keeps UTF-8 everywhere else: those bytes are read as Windows-1252 and listed in ``RawTable.notes`` by row
        (rule ``encoding_mixed``); a file with no UTF-8 sequence at all is Windows-1252. Never a silent re-read of
        the whole file in another encoding.
    header_row : int, default 1
        1-based line of the header (for files with title lines above the table).
    skip_rows : int, default 0
        Extra lines to skip after the header (units sometimes put a row of notes there).

    Returns
    -------
    RawTable
    """
    path = Path(path)
    stated = encoding
    size, encoding, sep, headers, skip, notes = _csv_plan(path, sep, encoding, header_row, skip_rows)

    def parse(source, enc):
        read_opts, conv = _csv_options(headers, skip, enc)
        # Multi-line answers (Google Forms comments) need newlines_in_values, which slows pyarrow's parallel
        # parsing: read without it first; a quoted line break breaks a row's field count, then read again with it.
        try:
            return pacsv.read_csv(
                source(), read_options=read_opts, parse_options=pacsv.ParseOptions(delimiter=sep), convert_options=conv
            )
        except pa.ArrowInvalid as exc:
            if "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
                raise
            return pacsv.read_csv(
                source(),
                read_options=read_opts,
                parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
                convert_options=conv,
            )

    try:
        try:
            table = parse(lambda: path, encoding)
        except pa.ArrowInvalid as exc:
            msg = str(exc).lower()
            if not ("utf8" in msg or "utf-8" in msg) or stated is not None or encoding != "utf-8":
                raise
            # valid UTF-8 in the first MiB, not further down: decide from the whole file's evidence
            repaired = _repair_mixed_utf8(path, skip)
            if repaired is None:
                if size > MAX_REPAIR_BYTES:
                    _fail(
                        path,
                        "the file is not valid UTF-8 beyond its first MiB; rule: state its encoding in dataset.yml "
                        "options (utf-8 or cp1252)",
                    )
                encoding = "cp1252"  # not one UTF-8 sequence in the whole file: Windows-1252 throughout
                table = parse(lambda: path, encoding)
            else:
                import io

                data, found = repaired
                notes += [n for n in found if n["row"] >= 1]  # rows above the data (title, header) are not data
                table = parse(lambda: io.BytesIO(data), "utf8")
                encoding = "utf-8 (with Windows-1252 rows)"
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "utf8" in msg.lower() or "utf-8" in msg.lower():
            _fail(
                path,
                f"the file is not valid {encoding} beyond its first lines; rule: state its encoding in dataset.yml "
                f"options (utf-8, utf-8-sig or cp1252)",
            )
        m = re.search(r"Expected (\d+) columns, got (\d+)", msg)
        row_m = re.search(r"[Rr]ow #?(\d+)", msg)
        if m:
            got = int(m.group(2))
            _fail(
                path,
                f"a line has {got} fields but the header has {m.group(1)}; rule: every line has as many "
                f"fields as the header (check the separator {sep!r} and quoting)",
                row=int(row_m.group(1)) - skip if row_m else None,
            )
        if "could not skip" in msg.lower():
            _fail(
                path,
                f"the file has no data rows after skipping {skip:,} lines (header_row {header_row} + skip_rows "
                f"{skip_rows}); rule: options.header_row and skip_rows leave at least one data row",
            )
        if "straddling" in msg.lower():
            _fail(path, "a line is longer than 16 MiB; rule: a table line holds at most 16 MiB of text")
        _fail(
            path,
            f"the file cannot be parsed as CSV with separator {sep!r} ({msg.splitlines()[0][:200]}); rule: "
            f"a CSV file has one header line and data lines with the same number of fields",
        )
    if table.num_rows == 0:
        _fail(
            path, "the file has a header but no data rows; rule: a table file has at least one data row", row=header_row
        )
    if table.num_rows > MAX_ROWS:
        _fail(path, f"the file has {table.num_rows:,} rows; rule: at most {MAX_ROWS:,} rows per file (split it)")
    _check_cells(path, table, headers)
    df = table.to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}.get
    )
    df.index = pd.RangeIndex(1, len(df) + 1)
    for note in notes:  # the column of each repaired row, where the repaired text is found
        if "bytes" not in note:
            continue
        fixed = note.pop("bytes").decode("cp1252")
        if note["row"] in df.index:
            row = df.loc[note["row"]]
            hit = [c for c in df.columns if isinstance(row[c], str) and fixed in row[c]]
            if hit:  # the cell as read (the clean step redacts it when the column is personal data)
                note["column"], note["value"] = hit[0], row[hit[0]]
    seen: set = set()
    notes = [n for n in notes if (n["row"], n["column"]) not in seen and not seen.add((n["row"], n["column"]))]
    return RawTable(df, path, "csv", encoding=encoding, sep=sep, header_row=header_row, notes=notes)


def _longest_cell(table, headers: list[str]) -> tuple[str, int, int] | None:
    """The first column of ``headers`` holding a cell longer than :data:`MAX_CELL_CHARS`: (column, length, its
    1-based row in ``table``), or None."""
    for h in headers:
        col = table.column(h)
        if col.null_count == len(col):
            continue
        lengths = pc.utf8_length(col)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > MAX_CELL_CHARS:
            return h, longest, pc.index(lengths, longest).as_py() + 1
    return None


def _check_cells(path: Path, table, headers: list[str]) -> None:
    """Refuse a cell longer than :data:`MAX_CELL_CHARS` (a pasted document, or a file that is not a table)."""
    found = _longest_cell(table, headers)
    if found is not None:
        h, longest, row = found
        _fail(
            path,
            f"a cell has {longest:,} characters; rule: a table cell holds at most {MAX_CELL_CHARS:,} characters",
            row=row,
            column=h,
        )


def _check_size(path: Path, limit: int, what: str) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        _fail(path, f"the file cannot be read ({exc.strerror}); rule: input files must be readable")
    if size > limit:
        _fail(path, f"the {what} has {size:,} bytes; rule: at most {limit:,} bytes per file (split it)")
    return size


def read_forms(path: str | Path, **options: object) -> RawTable:
    """Read a Google Forms CSV export (comma-separated UTF-8, multi-line answers quoted, ``Timestamp`` first).

    Same as :func:`read_csv`; the timestamp format of Forms (``2025/03/12 10:15:30 AM GMT+7`` or
    ``3/12/2025 10:15:30``) is read by :func:`kinerja_research.clean.values.parse_date`.
    """
    t = read_csv(path, **options)
    t.reader = "forms"
    return t


def _float_text(x: float) -> str:
    """A numeric spreadsheet cell as text that the cleaners read back to the same number.

    Whole numbers lose ``.0``. Numbers of 16 or more digits cannot be exact in a spreadsheet (Excel holds doubles and
    shows 15 significant digits; pandas turns integral cells into Python ints of the double's value, and SPSS stores
    doubles), so they are written as Excel shows them (``198503122010011000``): a NIP stored as a number is then
    recognised as damaged, never taken for a valid one. ``100.125`` is written ``100.1250`` so it cannot be read as
    a thousands-grouped ``100.125`` = 100125.
    """
    if not np.isfinite(x):
        return repr(x)
    if abs(x) >= 1e15:
        from decimal import Decimal

        return format(Decimal(f"{x:.15g}"), "f")
    if x.is_integer():
        return f"{x:.0f}"
    t = repr(x)
    if re.fullmatch(r"-?\d{1,3}\.\d{3}", t):
        t += "0"
    return t


def _cell_text(col: pd.Series) -> pd.Series:
    """Cells of a spreadsheet/SPSS column as text: whole numbers without ``.0``, big floats as Python writes them."""
    if pd.api.types.is_bool_dtype(col):
        return col.astype("string")
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False).astype("string")
    if pd.api.types.is_float_dtype(col):
        v = col.to_numpy(dtype=float)
        out = np.array([None if np.isnan(x) else _float_text(float(x)) for x in v], dtype=object)
        return pd.Series(out, index=col.index, dtype="string")
    if pd.api.types.is_integer_dtype(col):
        big = (col.abs() >= 10**15).fillna(False)
        out = col.astype("string")
        if big.any():
            out[big] = [_float_text(float(x)) for x in col[big]]
        return out
    vals = col.to_numpy(dtype=object)
    out = np.empty(len(vals), dtype=object)
    for i, x in enumerate(vals):  # object columns of a spreadsheet: small (Excel/SPSS files, not the hot path)
        if x is None or (isinstance(x, float) and np.isnan(x)):
            out[i] = None
        elif isinstance(x, float):
            out[i] = _float_text(x)
        elif isinstance(x, (int, np.integer)) and not isinstance(x, bool) and abs(x) >= 10**15:
            out[i] = _float_text(float(x))  # spreadsheets hold doubles: 16+ digit integers are not exact
        elif hasattr(x, "strftime"):
            s = x.strftime("%Y-%m-%d %H:%M:%S")
            out[i] = s[:-9] if s.endswith(" 00:00:00") else s
        else:
            out[i] = str(x)
    s = pd.Series(out, index=col.index, dtype="string")
    return s.mask(s.str.strip() == "")


def read_excel(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    skip_rows: int = 0,
    expect_headers: list[str] | None = None,
    **_: object,
) -> RawTable:
    """Read one sheet of an ``.xlsx`` workbook as text cells.

    Parameters
    ----------
    sheet : str or int, optional
        Sheet name or 0-based position; default the first sheet.
    header_row : int, optional
        1-based sheet row of the header. Default: the first of the top 30 rows that contains the most of
        ``expect_headers`` (the source headers dataset.yml maps), else the first non-empty row.
    skip_rows : int, default 0
        Rows to skip after the header.
    """
    path = Path(path)
    if not path.exists():
        _fail(path, "the file does not exist; rule: every file named in dataset.yml is in the dataset folder")
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        _fail(path, f"the file cannot be read ({exc.strerror}); rule: input files must be readable")
    if magic != b"PK\x03\x04":
        _fail(
            path,
            "the file is not an .xlsx workbook (no zip signature); rule: Excel files are saved as .xlsx "
            "(Excel 2007 or later), or exported as CSV",
        )
    _check_size(path, MAX_XLSX_BYTES, ".xlsx file")
    _guard_xlsx(path)
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        _fail(path, f"option header_row is {header_row!r}; rule: a whole number >= 1")
    cols, n_rows, sheet, engine = _read_sheet(path, sheet)
    # work on the grid of cells column by column (None = an empty cell): columns empty throughout are dropped
    cols = [c for c in cols if not c.none.all()]
    if not cols:
        _fail(path, f"sheet {sheet!r} is empty; rule: a table sheet has a header row and data rows")
    if header_row is None:
        header_row = _find_header_row([[c.value(i) for c in cols] for i in range(min(30, n_rows))], expect_headers)
    hdr_idx = header_row - 1
    if hdr_idx >= n_rows:
        _fail(
            path,
            f"header row {header_row} is below the last row ({n_rows}) of sheet {sheet!r}; rule: "
            f"options.header_row is a row with headers",
        )
    head = [c.value(hdr_idx) for c in cols]
    headers = _check_headers(path, [None if h is None else _cell_str(h) for h in head], header_row)
    first = hdr_idx + 1 + skip_rows
    filled = ~np.logical_and.reduce([c.none[first:] for c in cols])
    at = np.flatnonzero(filled) + first  # rows with a cell
    keep = [(h, c) for h, c in zip(headers, cols) if not (h.startswith("column_") and c.none[at].all())]
    if not len(at):
        _fail(
            path,
            f"sheet {sheet!r} has a header but no data rows; rule: a table has at least one data row",
            row=header_row,
        )
    df = pd.DataFrame({h: c.text(at) for h, c in keep})
    df.index = pd.Index(np.asarray(at, dtype="int64") - hdr_idx, dtype="int64")  # 1 = first row after the header
    return RawTable(df, path, "excel", header_row=header_row, engine=engine)


def _guard_xlsx(path: Path) -> None:
    """Refuse a workbook that would take unbounded time or memory before any reader parses it: a damaged zip, more
    than :data:`MAX_XLSX_UNCOMPRESSED` bytes once unpacked (a zip bomb), or a sheet with more than
    :data:`MAX_EXCEL_ROWS` rows or :data:`MAX_EXCEL_CELLS` cells (counted while streaming, never unpacked whole)."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > 10_000:
                _fail(path, f"the workbook holds {len(infos):,} parts; rule: a valid .xlsx (at most 10,000 parts)")
            total = sum(i.file_size for i in infos)
            if total > MAX_XLSX_UNCOMPRESSED:
                _fail(
                    path,
                    f"the workbook unpacks to {total:,} bytes (a zip bomb or a huge sheet); rule: at most "
                    f"{MAX_XLSX_UNCOMPRESSED:,} bytes unpacked (export the sheet as CSV)",
                )
            if not any(i.filename == "[Content_Types].xml" for i in infos):
                _fail(path, "the zip file is not an .xlsx workbook (no [Content_Types].xml); rule: a valid .xlsx")
            for info in infos:
                name = info.filename
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                rows = cells = unpacked = 0
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked // 3 <= min(MAX_EXCEL_ROWS, MAX_EXCEL_CELLS):
                            # each counted "<row"/":row " holds its own "row", each "<c "/"<c>"/":c " its own 3
                            # bytes: too few bytes yet for a count to pass a limit (counted when they are not)
                            continue
                        if rows == cells == 0 and unpacked > len(chunk):  # count what was skipped, once
                            rows, cells = _sheet_counts(zf, info, unpacked - len(chunk))
                        rows += chunk.count(b"<row") + chunk.count(b":row ")
                        cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b":c ")
                        if unpacked > MAX_XLSX_UNCOMPRESSED or rows > MAX_EXCEL_ROWS or cells > MAX_EXCEL_CELLS:
                            _fail(
                                path,
                                f"sheet part {name!r} has more than {min(rows, MAX_EXCEL_ROWS):,} rows or "
                                f"{MAX_EXCEL_CELLS:,} cells (a zip bomb or a sheet too large to read here); rule: "
                                f"at most {MAX_EXCEL_ROWS:,} rows and {MAX_EXCEL_CELLS:,} cells per sheet (split it "
                                f"or export it as CSV)",
                            )
    except InputFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        _fail(
            path,
            f"the workbook is damaged ({exc.__class__.__name__}: {str(exc)[:80]}); rule: the file is a valid .xlsx "
            f"(save it again from Excel)",
        )


def _sheet_counts(zf, info, nbytes: int) -> tuple[int, int]:
    """Rows and cells that :func:`_guard_xlsx` counts in the first ``nbytes`` unpacked bytes of a sheet part (read in
    the same 1 MiB pieces, so the counts are the same as counted while streaming)."""
    rows = cells = done = 0
    with zf.open(info) as fh:
        while done < nbytes and (chunk := fh.read(1 << 20)):
            done += len(chunk)
            rows += chunk.count(b"<row") + chunk.count(b":row ")
            cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b":c ")
    return rows, cells


def _grid_cell(x: object) -> object:
    """A cell of a sheet as pandas' ``read_excel(header=None, dtype=object)`` holds it (None for a missing cell):
    pandas' missing-value words (``""``, ``NA``, ``N/A``, ``null`` ...) are missing, whole-number floats ints, dates
    datetimes."""
    if isinstance(x, str):
        return None if x in _NA_TEXT else x
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NaT:
        return None
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if type(x) is dt.date:
        return dt.datetime(x.year, x.month, x.day)
    return x


_ZERO, _EMPTY = pa.scalar("0", type=pa.large_string()), pa.scalar("", type=pa.large_string())
#: pandas' missing-value words as an Arrow set (for columns of text cells, matched without a Python call per cell).
_NA_ARROW = pa.array(sorted(_NA_TEXT), type=pa.large_string())


class _GridColumn:
    """One column of a sheet's cells, as pandas' ``read_excel(header=None, dtype=object)`` would hold them (a
    missing-value word, an empty or NaN cell is None). A column of text cells only (nearly every column of an
    export) is one Arrow array, so its cells take no Python call each; any other column is a list of objects
    converted by :func:`_grid_cell`. ``none`` marks the empty cells."""

    __slots__ = ("arrow", "objects", "none", "cells", "number")

    def __init__(self, arrow=None, objects=None, cells=None):
        self.arrow, self.objects, self.cells, self.number = arrow, objects, cells, None
        if arrow is not None:
            self.none = arrow.is_null().to_numpy(zero_copy_only=False)
        elif cells is not None:  # text and number cells (a column of numbers under a title): no call per cell
            self.number = np.fromiter((type(x) is float for x in cells), dtype=bool, count=len(cells))
            values = np.fromiter((x if type(x) is float else 0.0 for x in cells), dtype=float, count=len(cells))
            texts = pa.array([None if type(x) is float else x for x in cells], type=pa.large_string())
            na = pc.fill_null(pc.is_in(texts, value_set=_NA_ARROW), True).to_numpy(zero_copy_only=False)
            self.none = np.where(self.number, np.isnan(values), na)
            self.arrow = pc.if_else(pa.array(self.none), pa.scalar(None, type=pa.large_string()), texts)
            self.objects = values  # the numbers (0 where a cell is text)
        else:
            self.none = np.fromiter((x is None for x in objects), dtype=bool, count=len(objects))

    def value(self, i: int) -> object:
        """The cell in row ``i`` (0-based)."""
        if self.cells is not None:
            return _grid_cell(self.cells[i])
        return self.arrow[i].as_py() if self.arrow is not None else self.objects[i]

    def text(self, at: np.ndarray) -> pd.Series:
        """The cells of rows ``at`` as text (:func:`_grid_text`; a blank text cell is missing)."""
        if self.cells is not None:
            return self._mixed_text(at)
        if self.objects is not None:
            return _grid_text([self.objects[i] for i in at])
        taken = self.arrow.take(pa.array(at, type=pa.int64()))
        blank = pc.equal(pc.utf8_trim_whitespace(taken), "")
        out = pc.if_else(pc.fill_null(blank, False), pa.scalar(None, type=pa.large_string()), taken)
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([out])), dtype="string")

    def _mixed_text(self, at: np.ndarray) -> pd.Series:
        """:func:`_grid_text` of a column of text and number cells: whole numbers below 1e15 (nearly every number
        cell) written by Arrow from int64, any other number by :func:`_float_text`, text cells as they are."""
        at = np.asarray(at, dtype=np.int64)
        num, x = self.number[at], self.objects[at]
        whole = num & np.isfinite(x) & (np.floor(x) == x) & (np.abs(x) < 1e15)
        other = num & ~whole & ~np.isnan(x)
        texts = self.arrow.take(pa.array(at, type=pa.int64()))
        ints = pa.array(np.where(whole, x, 0.0).astype(np.int64)).cast(pa.large_string())
        out = pc.if_else(pa.array(whole), ints, texts)
        if other.any():
            idx = np.flatnonzero(other)
            v = x[idx]
            plain = np.isfinite(v) & (np.abs(v) < 1e15)  # _float_text of these is repr, 100.125 -> 100.1250
            texts_ = [repr(f) if p else _float_text(f) for f, p in zip(v.tolist(), plain.tolist())]
            fixed = pa.array(texts_, type=pa.large_string())
            pad = pc.and_(pa.array(plain), pc.match_substring_regex(fixed, r"^-?[0-9]{1,3}\.[0-9]{3}$"))
            fixed = pc.if_else(pad, pc.binary_join_element_wise(fixed, _ZERO, _EMPTY), fixed)
            where = np.full(len(at), -1, dtype=np.int64)
            where[idx] = np.arange(len(idx))
            picked = fixed.take(pa.array(np.where(other, where, 0)))
            out = pc.if_else(pa.array(other), picked, out)
        blank = pc.equal(pc.utf8_trim_whitespace(out), "")
        out = pc.if_else(pc.fill_null(blank, False), pa.scalar(None, type=pa.large_string()), out)
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([out])), dtype="string")


def _grid_columns(rows: list, *, converted: bool) -> tuple[list[_GridColumn], int]:
    """The columns of a grid of rows (ragged rows padded with empty cells) and the number of rows. ``converted``:
    the cells are already what :func:`_grid_cell` makes of them (the openpyxl path)."""
    width = max((len(r) for r in rows), default=0)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    out = []
    for col in zip(*rows):
        if not converted:
            try:  # a column of text cells only: one Arrow array, missing-value words set null
                arr = pa.array(col, type=pa.large_string())
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arr = None
            if arr is not None:
                arr = pc.if_else(pc.is_in(arr, value_set=_NA_ARROW), pa.scalar(None, type=pa.large_string()), arr)
                out.append(_GridColumn(arrow=arr))
                continue
            if set(map(type, col)) <= {str, float}:  # numbers under a title or header: no call per cell
                out.append(_GridColumn(cells=col))
                continue
            col = [(x if x not in _NA_TEXT else None) if type(x) is str else _grid_cell(x) for x in col]
        out.append(_GridColumn(objects=list(col)))
    return out, len(rows)


def _grid_text(cells: list) -> pd.Series:
    """One column of a sheet as text (what :func:`_cell_text` makes of it): text cells as they are, whole numbers
    without ``.0``, big or fractional numbers as :func:`_float_text` writes them, dates as ``YYYY-MM-DD[ HH:MM:SS]``;
    a blank cell is missing. Text cells (nearly all) take no per-cell call."""
    out = [x if type(x) is str else _object_text(x) for x in cells]
    s = pd.Series(out, dtype="string")
    return s.mask(s.str.strip() == "")


def _object_text(x: object) -> str | None:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return None
    if isinstance(x, float):
        return _float_text(x)
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool) and abs(x) >= 10**15:
        return _float_text(float(x))  # spreadsheets hold doubles: 16+ digit integers are not exact
    if hasattr(x, "strftime"):
        s = x.strftime("%Y-%m-%d %H:%M:%S")
        return s[:-9] if s.endswith(" 00:00:00") else s
    return str(x)


def _read_sheet(path: Path, sheet: str | int | None) -> tuple[list[_GridColumn], int, str, str]:
    """``(the sheet's columns of cells, None where empty; number of rows; sheet name; engine)``: python-calamine read
    directly (its cells converted the way pandas' reader converts them), openpyxl through pandas only where calamine
    cannot read the workbook (the same cell values: numbers, dates, text; checked by tests/test_ingest_readers.py)."""
    import warnings

    last: Exception | None = None
    for engine in XLSX_ENGINES:
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=UserWarning)
                if engine == "calamine":
                    book = python_calamine.CalamineWorkbook.from_path(str(path))
                else:
                    book = pd.ExcelFile(path, engine=engine)
                names = book.sheet_names
        except Exception as exc:  # each engine raises its own types for a damaged workbook
            last = exc
            continue
        if sheet is None:
            name = names[0] if names else None
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                _fail(
                    path,
                    f"sheet number {sheet} does not exist (sheets: {names[:20]}); rule: options.sheet names an existing "
                    f"sheet",
                )
            name = names[sheet]
        else:
            if sheet not in names:
                _fail(
                    path,
                    f"sheet {sheet!r} does not exist (sheets: {names[:20]}); rule: options.sheet names an existing sheet",
                )
            name = sheet
        if name is None:
            _fail(path, "the workbook has no sheet; rule: a valid .xlsx with the table on a sheet")
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=UserWarning)
                if engine == "calamine":
                    cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                    cols, n_rows = _grid_columns(cells, converted=False)
                else:
                    raw = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
                    rows = [[_grid_cell(x) for x in r] for r in raw.itertuples(index=False, name=None)]
                    cols, n_rows = _grid_columns(rows, converted=True)
        except Exception as exc:
            last = exc
            continue
        return cols, n_rows, name, engine
    _fail(
        path,
        f"the workbook cannot be opened ({last.__class__.__name__}); rule: the file is a valid .xlsx (save it again "
        f"from Excel)",
    )


def _cell_str(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return f"{x:.0f}"
    return str(x)


def _find_header_row(rows: list[list], expect: list[str] | None) -> int:
    """1-based row of the header: among the top 30 rows the first holding the most of ``expect``, else the first
    row filled at least half as much as the fullest one."""
    top = rows[:30]
    if expect:
        want = {re.sub(r"\s+", " ", str(h)).strip().casefold() for h in expect}
        scores = [sum(re.sub(r"\s+", " ", str(v)).strip().casefold() in want for v in r if v is not None) for r in top]
        if max(scores) > 0:
            return scores.index(max(scores)) + 1
    filled = [sum(v is not None for v in r) for r in top]
    need = max(1, max(filled) * 0.5)
    return next((i for i, f in enumerate(filled) if f >= need), 0) + 1


def read_spss(path: str | Path, *, headers: str = "names", **_: object) -> RawTable:
    """Read an SPSS ``.sav`` file as text cells, value labels applied (``1`` -> ``"Sangat Setuju"``).

    Parameters
    ----------
    headers : {"names", "labels"}, default "names"
        Use variable names (``q1``) or variable labels (the question text) as headers.
    """
    import pyreadstat

    path = Path(path)
    if not path.exists():
        _fail(path, "the file does not exist; rule: every file named in dataset.yml is in the dataset folder")
    _check_size(path, MAX_SAV_BYTES, ".sav file")
    try:
        _, head = pyreadstat.read_sav(str(path), metadataonly=True)
        n_rows = head.number_rows if head.number_rows is not None and head.number_rows >= 0 else 0
        if n_rows * max(head.number_columns, 1) > MAX_EXCEL_CELLS or head.number_columns > MAX_COLUMNS:
            _fail(
                path,
                f"the file has {n_rows:,} cases of {head.number_columns:,} variables; rule: at most "
                f"{MAX_EXCEL_CELLS:,} cells and {MAX_COLUMNS:,} variables per file (split it)",
            )
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
    except InputFileError:
        raise
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        _fail(
            path,
            f"the file cannot be read as SPSS .sav ({str(exc).splitlines()[0][:120]}); rule: the file is a valid .sav",
        )
    if headers == "labels":
        labels = [meta.column_names_to_labels.get(c) or c for c in df.columns]
        df.columns = labels
    cols = _check_headers(path, list(df.columns))
    df.columns = cols
    if df.empty:
        _fail(path, "the file has variables but no cases; rule: a table has at least one data row")
    out = pd.DataFrame({c: _cell_text(df[c]) for c in df.columns})
    out.index = pd.RangeIndex(1, len(out) + 1)
    return RawTable(out, path, "spss")


READERS = {"csv": read_csv, "forms": read_forms, "excel": read_excel, "spss": read_spss}
_BY_EXT = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "excel", ".xlsm": "excel", ".sav": "spss"}


def _reader_of(path: Path, reader: str | None) -> str:
    """The reader of a file (``reader`` or the one its extension names), after the checks every reader shares."""
    if reader is None:
        reader = _BY_EXT.get(path.suffix.lower())
        if reader is None:
            _fail(
                path,
                f"extension {path.suffix!r} is not supported; rule: files are .csv, .tsv, .txt, .xlsx or "
                f".sav, or dataset.yml names the reader",
            )
    if reader not in READERS:
        _fail(path, f"reader {reader!r} is unknown; rule: reader is one of {', '.join(READERS)}")
    if not path.exists():
        _fail(path, "the file does not exist; rule: every file named in dataset.yml is in the dataset folder")
    if path.is_dir():
        _fail(path, "this is a folder, not a file; rule: dataset.yml lists files")
    if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or device would block or never end
        _fail(path, "this is not a regular file (a pipe, socket or device); rule: a table is a file saved on disk")
    return reader


def read_file(path: str | Path, *, reader: str | None = None, **options: object) -> RawTable:
    """Read any supported file; ``reader`` defaults from the extension (``.csv`` ``.xlsx`` ``.sav``).

    Raises
    ------
    InputFileError
        Unknown reader or extension, a missing file, or any of the readers' unusable-file rules.
    """
    path = Path(path)
    reader = _reader_of(path, reader)
    return READERS[reader](path, **options)


def read_file_batches(
    path: str | Path, batch_rows: int, *, reader: str | None = None, **options: object
) -> Iterator[RawTable | None]:
    """Read any supported file as :func:`read_file` does, in row batches: a CSV or Forms export streamed
    (:func:`read_csv_batches`: never the whole file in memory), any other file whole as one batch.

    Yields
    ------
    RawTable or None
        Batches in file order whose cells and row numbers (``data.index``) are those of :func:`read_file`.
        ``None`` means: forget the batches yielded so far, the file is read again from its first row (the file
        needed another way of parsing than the first one tried; see :func:`read_csv_batches`).
    """
    path = Path(path)
    reader = _reader_of(path, reader)
    if reader in ("csv", "forms"):
        for raw in read_csv_batches(path, batch_rows, **options):
            if raw is not None:
                raw.reader = reader
            yield raw
        return
    yield READERS[reader](path, **options)


def read_csv_batches(
    path: str | Path,
    batch_rows: int,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    header_row: int = 1,
    skip_rows: int = 0,
    **_: object,
) -> Iterator[RawTable | None]:
    """Read a delimited text file as :func:`read_csv` does, streamed in batches of ``batch_rows`` rows (the last
    fewer): the same cells and the same row numbers (``data.index``, 1 = first data row of the file).

    Encoding, separator and headers are decided once for the file (:func:`read_csv`'s rules, from its first bytes
    and header line) and applied to every batch; every column is text, so no type is guessed from a first block.
    The file is parsed without quoted line breaks first, as :func:`read_csv` does; a line whose fields do not fit
    then starts the stream again with them. A file that :func:`read_csv` must see whole (a UTF-8 file with
    Windows-1252 bytes further down, repaired in memory; a file it refuses, whose sentence names the row of the
    whole file) is read by :func:`read_csv` itself and handed on in batches.

    Parameters
    ----------
    path : str or Path
        The file.
    batch_rows : int
        Rows per batch.
    sep, encoding, header_row, skip_rows
        As :func:`read_csv`.

    Yields
    ------
    RawTable or None
        The batches in file order; ``None``: forget the batches yielded so far, the file starts again.

    Raises
    ------
    InputFileError
        Every rule of :func:`read_csv`, with the same sentence.
    """
    path = Path(path)
    batch_rows = int(batch_rows)
    if batch_rows < 1:
        raise ValueError(f"batch_rows is {batch_rows}; rule: at least 1")
    stated = encoding
    _, encoding, sep, headers, skip, notes = _csv_plan(path, sep, encoding, header_row, skip_rows)
    types = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}.get
    whole = bool(notes)  # a header with Windows-1252 bytes in a UTF-8 file: read_csv repairs the file in memory
    done = 0  # rows yielded
    for newlines in () if whole else (False, True):
        try:
            read_opts, conv = _csv_options(headers, skip, encoding)
            parse = pacsv.ParseOptions(delimiter=sep, newlines_in_values=newlines)
            stream = pacsv.open_csv(path, read_options=read_opts, parse_options=parse, convert_options=conv)
            tables = _tables_of(stream, batch_rows)
            for tbl in tables:
                if done + tbl.num_rows > MAX_ROWS:
                    total = done + tbl.num_rows + sum(t.num_rows for t in tables)  # the rest counted, not held
                    _fail(path, f"the file has {total:,} rows; rule: at most {MAX_ROWS:,} rows per file (split it)")
                if _too_long(tbl, headers):
                    whole = True  # read_csv names the first such column and its row in the whole file
                    break
                df = tbl.to_pandas(types_mapper=types)
                df.index = pd.RangeIndex(done + 1, done + len(df) + 1)
                done += len(df)
                yield RawTable(df, path, "csv", encoding=encoding, sep=sep, header_row=header_row)
            whole = whole or done == 0  # no data row: read_csv's sentence
            break
        except pa.ArrowInvalid as exc:
            msg = str(exc).lower()
            if newlines or "utf8" in msg or "utf-8" in msg:
                whole = True  # an encoding to repair or a line to refuse: read_csv decides over the whole file
                break
            if done:  # a quoted line break: read again from the first row with them
                yield None
                done = 0
    if not whole:
        return
    if done:
        yield None
    raw = read_csv(path, sep=sep, encoding=stated, header_row=header_row, skip_rows=skip_rows)
    for at in range(0, len(raw.data), batch_rows):
        yield RawTable(
            raw.data.iloc[at : at + batch_rows],
            path,
            "csv",
            encoding=raw.encoding,
            sep=raw.sep,
            header_row=header_row,
            notes=raw.notes if at == 0 else [],
        )


def _tables_of(stream, rows: int) -> Iterator[pa.Table]:
    """The record batches of a stream as tables of exactly ``rows`` rows (the last fewer)."""
    pending: list = []
    held = 0
    for rb in stream:
        if not rb.num_rows:
            continue
        pending.append(rb)
        held += rb.num_rows
        if held >= rows:
            tbl = pa.Table.from_batches(pending)
            at = 0
            while held - at >= rows:
                yield tbl.slice(at, rows)
                at += rows
            rest = tbl.slice(at)
            pending, held = (rest.to_batches() if rest.num_rows else []), rest.num_rows
    if held:
        yield pa.Table.from_batches(pending)


def _too_long(table, headers: list[str]) -> bool:
    """Whether a cell is longer than :data:`MAX_CELL_CHARS` (:func:`_check_cells` names it)."""
    return _longest_cell(table, headers) is not None


# --------------------------------------------------------------------------------------------------------------------
# One large CSV file read in byte ranges (by several workers at once)
# --------------------------------------------------------------------------------------------------------------------
#: Encodings in which a quote, a separator and a line break are always their one ASCII byte (so a file can be cut
#: between two bytes without decoding it): the cut points of :func:`plan_csv_ranges` are found on the raw bytes.
_BYTE_SAFE = frozenset({"utf-8", "utf-8-sig", "cp1252", "iso8859-1", "ascii"})
#: How far past a planned cut point a record boundary is looked for (a longer record: the file is read whole).
CUT_WINDOW = 4 << 20
#: Header and skipped lines above which a file is not cut (the cut points must lie below them).
MAX_RANGE_SKIP = 1000


@dataclass(frozen=True)
class CsvRanges:
    """A CSV file cut into byte ranges that each begin at a record (:func:`plan_csv_ranges`): what
    :func:`read_csv` decides once for the file (encoding, separator, headers, lines skipped above the data) and the
    cut points ``cuts`` (``cuts[k]`` to ``cuts[k + 1]`` is range ``k``; the first range holds the header)."""

    path: Path
    encoding: str
    sep: str
    headers: tuple
    skip: int
    header_row: int
    cuts: tuple

    @property
    def n(self) -> int:
        return len(self.cuts) - 1


def plan_csv_ranges(
    path: str | Path,
    parts: int,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    header_row: int = 1,
    skip_rows: int = 0,
    **_: object,
) -> CsvRanges | None:
    """Cut a CSV file into about ``parts`` byte ranges of equal size, each beginning at a record, to be parsed by
    :func:`read_csv_range` at the same time; ``None`` when the file is better read whole (:func:`read_csv_batches`):
    fewer than two ranges, an encoding whose bytes are not ASCII-safe, a header that needs the whole file's
    encoding repair, any option or header :func:`read_csv` refuses (it names it), no record boundary near a cut.

    A cut is put after the first line break at or after each planned point that is outside quotes: an even number
    of quote characters from the start of the file to it. That is where a record begins when quotes are used as CSV
    quotes them (every quoted field opened at a field's start and closed before a separator or line end):
    :func:`scan_csv_range` checks that of every range, and the caller reads the file whole when a range does not
    hold to it and the file has a quoted line break (without one, every line break ends a record anyway)."""
    path = Path(path)
    if parts < 2:
        return None
    try:
        size, encoding, sep, headers, skip, notes = _csv_plan(path, sep, encoding, header_row, skip_rows)
    except InputFileError:
        return None  # read whole: read_csv's own sentence names the problem
    if notes or codecs.lookup(encoding).name not in _BYTE_SAFE or ord(sep) > 127 or skip > MAX_RANGE_SKIP:
        return None
    with open(path, "rb") as fh:
        for _ in range(skip):  # the data start below the header and skipped lines
            if not fh.readline(MAX_HEADER_BYTES):
                return None
        data_start = fh.tell()
        cuts, parity, at = [0], 0, 0
        for k in range(1, parts):
            target = size * k // parts
            if target <= max(cuts[-1], data_start):
                continue
            fh.seek(at)
            left = target - at
            while left > 0:  # quotes up to the planned point
                blk = fh.read(min(left, CSV_BLOCK_BYTES))
                if not blk:
                    break
                parity ^= int(np.count_nonzero(np.frombuffer(blk, dtype=np.uint8) == 34)) & 1
                left -= len(blk)
            a = np.frombuffer(fh.read(CUT_WINDOW), dtype=np.uint8)
            quotes = np.flatnonzero(a == 34)
            breaks = np.flatnonzero(a == 10)
            outside = breaks[(parity + np.searchsorted(quotes, breaks)) % 2 == 0]
            if not len(outside):
                return None
            cut = target + int(outside[0]) + 1
            if cut >= size:
                break
            cuts.append(cut)
            parity, at = 0, cut  # an even number of quotes before the cut
    if len(cuts) < 2:
        return None
    cuts.append(size)
    return CsvRanges(path, encoding, sep, tuple(headers), skip, header_row, tuple(cuts))


def scan_csv_range(plan: CsvRanges, k: int) -> tuple[bool, bool]:
    """Whether range ``k`` of ``plan`` uses quotes as CSV quotes them (each quote opens a field at its start, closes
    it before a separator or a line end, or is doubled inside it), counted from an even start, and whether a quoted
    field holds a line break: ``(regular, quoted_break)``. When every range is regular the cut points are where the
    whole file's records begin, with quoted line breaks or without. Read in blocks (never the whole range in
    memory)."""
    start, stop = plan.cuts[k], plan.cuts[k + 1]
    ends = np.array([ord(plan.sep), 10, 13, 34], dtype=np.uint8)
    count, regular, quoted_break = 0, True, False
    with open(plan.path, "rb") as fh:
        if start == 0 and fh.read(3) == codecs.BOM_UTF8:
            start = 3
        for at in range(start, stop, CSV_BLOCK_BYTES):
            lo = 1 if at > start else 0  # one byte either side of the block: the neighbours of its quotes
            fh.seek(at - lo)
            ext = np.frombuffer(fh.read(min(stop, at + CSV_BLOCK_BYTES + 1) - at + lo), dtype=np.uint8)
            blk = ext[lo : lo + CSV_BLOCK_BYTES]
            q = np.flatnonzero(blk == 34)
            odd = (count + np.arange(len(q))) % 2 == 1
            opens, closes = q[~odd], q[odd]
            before = ext[opens[opens + at > start] + lo - 1]
            after = ext[closes[closes + at < stop - 1] + lo + 1]
            regular = regular and bool(np.isin(before, ends).all() and np.isin(after, ends).all())
            breaks = np.flatnonzero((blk == 10) | (blk == 13))
            quoted_break = quoted_break or bool(((count + np.searchsorted(q, breaks)) % 2).any())
            count += len(q)
    return regular and count % 2 == 0, quoted_break


def read_csv_range(plan: CsvRanges, k: int, batch_rows: int, *, newlines: bool) -> Iterator[pa.Table]:
    """The rows of range ``k`` of ``plan`` parsed as :func:`read_csv` parses the whole file (``newlines``: with
    quoted line breaks), in tables of ``batch_rows`` rows (the last fewer); rows are counted from the range's start.

    Raises
    ------
    pyarrow.ArrowInvalid
        As pyarrow raises it for the range (the caller reads the file whole, whose sentence names the row).
    """
    start, stop = plan.cuts[k], plan.cuts[k + 1]
    read_opts, conv = _csv_options(list(plan.headers), plan.skip if k == 0 else 0, plan.encoding)
    parse = pacsv.ParseOptions(delimiter=plan.sep, newlines_in_values=newlines)
    source = pa.OSFile(str(plan.path)).get_stream(start, stop - start)  # read as parsed, never whole in memory
    stream = pacsv.open_csv(source, read_options=read_opts, parse_options=parse, convert_options=conv)
    for tbl in _tables_of(stream, batch_rows):
        if _too_long(tbl, list(plan.headers)):
            raise pa.ArrowInvalid("a cell is longer than the rule allows")
        yield tbl
