"""Readers for the files units hand over: CSV (``,`` ``;`` tab; UTF-8, UTF-8 with BOM, Windows-1252), Excel
``.xlsx`` (any sheet, header on any row), SPSS ``.sav`` (value labels kept) and Google Forms CSV exports.

Every reader returns a :class:`RawTable`: all cells as text (``string`` dtype; nothing is parsed here, so a NIP is
never turned into a float), the source headers, and the 1-based data row number of each row. A file that cannot be
used raises :class:`~kinerja_research.errors.InputFileError` with one sentence naming the file and the rule.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kinerja_research.errors import InputFileError, where

__all__ = [
    "RawTable",
    "read_file",
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


@dataclass
class RawTable:
    """Cells of one file as text, with the source headers and data row numbers (1 = first row after the header)."""

    data: pd.DataFrame
    path: Path
    reader: str
    encoding: str | None = None
    sep: str | None = None
    header_row: int = 1


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


def sniff_csv(path: str | Path, *, encoding: str | None = None, sep: str | None = None) -> tuple[str, str, str]:
    """Detect encoding and separator of a CSV file from its first bytes; returns ``(encoding, sep, header_line)``.

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
    if not head.strip():
        _fail(path, "the file is empty; rule: a table file has a header row and at least one data row")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc_guess = "utf-16"
    elif b"\x00" in head:
        _fail(
            path,
            "the file contains NUL bytes, so it is binary, not a text table; rule: CSV files are text "
            "(export the sheet as CSV, or use reader: excel / spss)",
        )
    else:
        enc_guess = None
    if encoding is None:
        if enc_guess:
            encoding = enc_guess
        elif head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        else:
            try:
                head.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as exc:
                if exc.start >= len(head) - 4 and len(head) == _SAMPLE:  # a character cut at the sample's end
                    encoding = "utf-8"
                else:
                    encoding = "cp1252"
    try:
        text = (
            head.decode(encoding, errors="strict")
            if len(head) < _SAMPLE
            else codecs.getincrementaldecoder(encoding)(errors="strict").decode(head)
        )
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
    nl = text.find("\n")
    if nl < 0 and len(head) >= MAX_HEADER_BYTES:
        _fail(
            path,
            "the first line is longer than 1 MiB with no line break; rule: a table file has one header line "
            "followed by data lines",
        )
    header = text if nl < 0 else text[:nl]
    header = header.rstrip("\r")
    if sep is None:
        counts = {s: header.count(s) for s in (",", ";", "\t", "|")}
        sep = max(counts, key=lambda k: (counts[k], k == ","))
    return encoding, sep, header


def _split_header(header: str, sep: str) -> list[str]:
    import csv

    return next(csv.reader([header], delimiter=sep))


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
        Separator; default detected from the header line (``,`` ``;`` tab or ``|``).
    encoding : str, optional
        Default detected: UTF-16 and UTF-8 byte-order marks, then UTF-8, else Windows-1252.
    header_row : int, default 1
        1-based line of the header (for files with title lines above the table).
    skip_rows : int, default 0
        Extra lines to skip after the header (units sometimes put a row of notes there).

    Returns
    -------
    RawTable
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    stated = encoding
    encoding, sep, header = sniff_csv(path, encoding=encoding, sep=sep)
    if header_row > 1:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            for _ in range(header_row - 1):
                fh.readline()
            header = fh.readline().rstrip("\r\n").lstrip("\ufeff")
    headers = _check_headers(path, _split_header(header, sep) if header else [], header_row)
    if not headers:
        _fail(path, "the header line is empty; rule: the header row names every column", row=header_row)
    skip = header_row + skip_rows
    read_opts = pacsv.ReadOptions(column_names=headers, skip_rows=skip, encoding=encoding, block_size=16 << 20)
    # Multi-line answers (Google Forms comments) need newlines_in_values, which slows pyarrow's parallel parsing:
    # read without it first; a quoted line break then breaks a row's field count and the file is read again with it.
    parse_opts = pacsv.ParseOptions(delimiter=sep, newlines_in_values=False)
    # large_string: the storage of pandas' pyarrow string dtype, so to_pandas needs no cast (copy) of every column
    conv = pacsv.ConvertOptions(
        column_types={h: pa.large_string() for h in headers},
        strings_can_be_null=True,
        null_values=[""],
        quoted_strings_can_be_null=True,
    )
    try:
        try:
            table = pacsv.read_csv(path, read_options=read_opts, parse_options=parse_opts, convert_options=conv)
        except pa.ArrowInvalid:
            parse_opts = pacsv.ParseOptions(delimiter=sep, newlines_in_values=True)
            table = pacsv.read_csv(path, read_options=read_opts, parse_options=parse_opts, convert_options=conv)
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "utf8" in msg.lower() or "utf-8" in msg.lower():
            if stated is None and encoding == "utf-8":  # valid UTF-8 at the start only: Windows-1252 further down
                return read_csv(path, sep=sep, encoding="cp1252", header_row=header_row, skip_rows=skip_rows)
            _fail(
                path,
                f"the file is not valid {encoding} beyond its first lines; rule: state its encoding in "
                f"dataset.yml options (utf-8, utf-8-sig or cp1252)",
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
        _fail(
            path,
            f"the file cannot be parsed as CSV with separator {sep!r} ({msg.splitlines()[0][:200]}); rule: "
            f"a CSV file has one header line and data lines with the same number of fields",
        )
    if table.num_rows == 0:
        _fail(
            path, "the file has a header but no data rows; rule: a table file has at least one data row", row=header_row
        )
    df = table.to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}.get
    )
    df.index = pd.RangeIndex(1, len(df) + 1)
    return RawTable(df, path, "csv", encoding=encoding, sep=sep, header_row=header_row)


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
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Workbook contains no default style", category=UserWarning)
            book = pd.ExcelFile(path, engine="openpyxl")
            names = book.sheet_names
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        _fail(path, f"the workbook cannot be opened ({exc.__class__.__name__}); rule: the file is a valid .xlsx")
    if sheet is None:
        sheet = names[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            _fail(
                path,
                f"sheet number {sheet} does not exist (sheets: {names}); rule: options.sheet names an existing sheet",
            )
        sheet = names[sheet]
    elif sheet not in names:
        _fail(path, f"sheet {sheet!r} does not exist (sheets: {names}); rule: options.sheet names an existing sheet")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Workbook contains no default style", category=UserWarning)
        raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    raw = raw.dropna(how="all", axis=1)
    if raw.dropna(how="all").empty:
        _fail(path, f"sheet {sheet!r} is empty; rule: a table sheet has a header row and data rows")
    if header_row is None:
        header_row = _find_header_row(raw, expect_headers)
    hdr_idx = header_row - 1
    if hdr_idx >= len(raw):
        _fail(
            path,
            f"header row {header_row} is below the last row ({len(raw)}) of sheet {sheet!r}; rule: "
            f"options.header_row is a row with headers",
        )
    headers = _check_headers(
        path, [None if pd.isna(h) else _cell_str(h) for h in raw.iloc[hdr_idx].tolist()], header_row
    )
    body = raw.iloc[hdr_idx + 1 + skip_rows :].copy()
    body.columns = headers
    body = body.dropna(how="all")
    keep = [h for h in headers if not (h.startswith("column_") and body[h].isna().all())]
    body = body[keep]
    if body.empty:
        _fail(
            path,
            f"sheet {sheet!r} has a header but no data rows; rule: a table has at least one data row",
            row=header_row,
        )
    data_rows = body.index.to_numpy() - hdr_idx  # 1 = first row after the header
    df = pd.DataFrame({c: _cell_text(body[c]) for c in body.columns})
    df.index = pd.Index(data_rows, dtype="int64")
    return RawTable(df, path, "excel", header_row=header_row)


def _cell_str(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return f"{x:.0f}"
    return str(x)


def _find_header_row(raw: pd.DataFrame, expect: list[str] | None) -> int:
    top = raw.head(30)
    if expect:
        want = {re.sub(r"\s+", " ", str(h)).strip().casefold() for h in expect}
        scores = top.apply(
            lambda r: sum(re.sub(r"\s+", " ", str(v)).strip().casefold() in want for v in r if not pd.isna(v)), axis=1
        )  # 30 rows at most
        if scores.max() > 0:
            return int(scores.idxmax()) + 1
    filled = top.notna().sum(axis=1)
    return int((filled >= max(1, filled.max() * 0.5)).idxmax()) + 1


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
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
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


def read_file(path: str | Path, *, reader: str | None = None, **options: object) -> RawTable:
    """Read any supported file; ``reader`` defaults from the extension (``.csv`` ``.xlsx`` ``.sav``).

    Raises
    ------
    InputFileError
        Unknown reader or extension, a missing file, or any of the readers' unusable-file rules.
    """
    path = Path(path)
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
    return READERS[reader](path, **options)
