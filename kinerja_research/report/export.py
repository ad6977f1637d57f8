"""Tables a reader can take away: the page's ``.xlsx`` (a sheet per table) and spreadsheet-safe text.

Every sheet holds one table as the page shows it: the caption in the first row, headers in the report's language in
the second, then the rows -- numbers as numbers (with the page's decimals as the cell's number format), withheld
cells as the page shows them (``<5``, ``x``), missing values empty. A last sheet names the page, its data and what
the symbols mean.

Text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return: the OWASP CSV-injection rule) is written with a leading apostrophe, as text (:func:`safe_text`). The file
is byte-identical for identical tables (fixed document dates and zip times).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

__all__ = [
    "Sheet",
    "safe_text",
    "write_xlsx",
    "withhold_cells",
    "sheet_name",
    "headline_text",
    "read_headline",
    "FORMULA_START",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIXED_TIME = datetime(2000, 1, 1)
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as written: a leading apostrophe before ``= + - @``, tab or carriage return.

    Examples
    --------
    >>> safe_text('=HYPERLINK("http://x")'), safe_text("Baik"), safe_text("-")
    ('\\'=HYPERLINK("http://x")', 'Baik', "'-")
    """
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def sheet_name(title: str, taken: Sequence[str] = ()) -> str:
    """A valid, unique sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _BAD_SHEET.sub(" ", str(title)).strip().strip("'")[:31] or "Sheet"
    name, k = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    return name


@dataclass
class Sheet:
    """One table for :func:`write_xlsx`.

    ``rows`` hold numbers (int/float) or text; ``formats`` the Excel number format of each column (``"0.00"``,
    ``"#,##0"``, ``None`` for text); ``notes`` lines printed under the table.
    """

    title: str
    caption: str
    columns: list[str]
    rows: list[list[Any]]
    formats: list[str | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _write_cell(ws, row: int, col: int, value: Any, fmt: str | None, styles: dict | None = None):
    """Write one data cell. ``styles``: the style ids of each kind of cell already written in this workbook
    (openpyxl looks a style up in the workbook's list at every assignment, most of the cost of a cell; a cell of a
    kind seen before gets a copy of the same ids, which is what the lookup would give)."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, bool):
        cell.value = value
        return cell
    number = isinstance(value, (int, float))
    key = ("number" if number else "text", fmt)
    cell.value = value if number else safe_text(value)
    if not number:
        cell.data_type = "s"  # never a formula, whatever the text
    if styles is not None and key in styles:
        cell._style = copy(styles[key])
        return cell
    if number:
        if fmt:
            cell.number_format = fmt
    else:
        cell.alignment = Alignment(horizontal="right") if fmt else Alignment()
    if styles is not None:
        styles[key] = copy(cell._style)
    return cell


def write_xlsx(path: str | Path, sheets: Sequence[Sheet], *, info: Sequence[tuple[str, str]] = ()) -> dict[tuple, str]:
    """Write ``sheets`` (and an information sheet from ``info`` pairs) to ``path`` atomically.

    Returns
    -------
    dict
        ``{(sheet index, row index, column index): "Sheet!B3"}`` for every data cell, so a cell can be found again.
    """
    wb = Workbook()
    wb.remove(wb.active)
    where: dict[tuple, str] = {}
    taken: list[str] = []
    styles: dict = {}
    for s_i, sheet in enumerate(sheets):
        name = sheet_name(sheet.title, taken)
        taken.append(name)
        ws = wb.create_sheet(name)
        ws.cell(row=1, column=1, value=safe_text(sheet.caption)).font = Font(bold=True)
        ws.cell(row=1, column=1).data_type = "s"
        formats = list(sheet.formats) + [None] * (len(sheet.columns) - len(sheet.formats))
        for j, label in enumerate(sheet.columns, start=1):
            c = ws.cell(row=2, column=j, value=safe_text(label))
            c.data_type = "s"
            c.font = Font(bold=True)
        for r_i, values in enumerate(sheet.rows):
            for c_i, value in enumerate(values):
                cell = _write_cell(ws, 3 + r_i, 1 + c_i, value, formats[c_i], styles)
                where[(s_i, r_i, c_i)] = f"{name}!{cell.coordinate}"
        for k, note in enumerate(sheet.notes):
            c = ws.cell(row=4 + len(sheet.rows) + k, column=1, value=safe_text(note))
            c.data_type = "s"
        for j, label in enumerate(sheet.columns, start=1):
            longest = max([len(str(label))] + [len(str(r[j - 1])) for r in sheet.rows if r[j - 1] is not None] + [4])
            ws.column_dimensions[get_column_letter(j)].width = min(60, longest + 2)
        ws.freeze_panes = "B3" if sheet.columns else None
    if info:
        ws = wb.create_sheet(sheet_name("Info", taken))
        for k, (label, value) in enumerate(info, start=1):
            for j, text in enumerate((label, value), start=1):
                c = ws.cell(row=k, column=j, value=safe_text(text))
                c.data_type = "s"
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 90
    if not wb.sheetnames:
        wb.create_sheet("Info")
    wb.properties.creator = "kinerja_research"
    _save(wb, path)
    return where


def _save(wb, path: str | Path) -> None:
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    data = _deterministic_zip(buf.getvalue())
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def withhold_cells(path: str | Path, refs: Sequence[str], text: str, *, blank: Sequence[str] = ()) -> None:
    """Replace cells (``"Sheet!B3"``) of a written workbook by ``text`` (a withheld count: ``x``) and empty the cells
    ``blank`` (what was computed from them, such as a percent)."""
    wb = load_workbook(path)
    for ref in blank:
        sheet, cell = ref.rsplit("!", 1)
        wb[sheet][cell].value = None
    for ref in refs:
        sheet, cell = ref.rsplit("!", 1)
        c = wb[sheet][cell]
        c.value = safe_text(text)
        c.data_type = "s"
        c.alignment = Alignment(horizontal="right")
    _save(wb, path)


_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook bytes for the same content: fixed zip entry times and document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _DATE.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()


_COUNTS_MARK = "\ue002kr-counts\ue003"
_SCOPE_MARK = "\ue002kr-scope\ue003"


def _dumps(value: Any, shift: int = 0) -> str:
    """``value`` as :func:`headline_text` writes it, its lines indented ``shift`` spaces more (the text it takes
    at that depth of the document: JSON strings hold no raw newline)."""
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)
    return text.replace("\n", "\n" + " " * shift) if shift else text


def headline_text(doc: Mapping[str, Any]) -> Iterator[str]:
    """The text of ``json.dumps(doc, ensure_ascii=False, indent=2) + "\\n"``, character for character, in pieces: a
    page's ``counts`` (one per published count; 27,181 rows of a national table make as many) are written one at a
    time, and their ``scope`` (every region of the page, the same in each) is encoded once. Memory: one count's
    text, not the document's (283 MB for page 00 at scale 1, whose encoding took 1.9 GiB at once)."""
    counts = doc.get("counts")
    head = _dumps({**doc, "counts": _COUNTS_MARK} if counts else doc)
    token = _dumps(_COUNTS_MARK)
    if not counts or head.count(token) != 1:
        yield _dumps(doc) + "\n"
        return
    before, after = head.split(token)
    yield before + "["
    scopes: dict[tuple, str] = {}
    for i, cell in enumerate(counts):
        scope = cell.get("scope") if isinstance(cell, Mapping) else None
        if not isinstance(scope, list) or not scope:
            yield ("," if i else "") + "\n    " + _dumps(cell, 4)
            continue
        key = tuple(scope)
        if key not in scopes:
            scopes[key] = _dumps(scope, 6)
        text = _dumps({**cell, "scope": _SCOPE_MARK}, 4)
        mark = _dumps(_SCOPE_MARK)
        if text.count(mark) != 1:
            text = _dumps(cell, 4)
        else:
            text = text.replace(mark, scopes[key])
        yield ("," if i else "") + "\n    " + text
    yield "\n  ]" + after + "\n"


def _shared_scopes() -> Callable[[dict], dict]:
    """A ``json`` object hook giving every count (``id`` and a list ``scope``) of one reading the same list object
    for the same scope, so a page's 30,000 counts hold one copy of their 514-code scope, not one each."""
    lists: dict[tuple, list] = {}

    def hook(d: dict) -> dict:
        scope = d.get("scope")
        if isinstance(scope, list) and "id" in d:
            with contextlib.suppress(TypeError):  # a scope of lists (not one the report writes) stays as it is
                d["scope"] = lists.setdefault(tuple(scope), scope)
        return d

    return hook


_DECODER = json.JSONDecoder()
_SCOPE_OPEN = '      "scope": [\n'  # a count's scope, written over several lines (one per region)


def _member_line(line: str) -> tuple[str, str]:
    """``(key, rest of the line)`` of a member line ``  "key": rest`` of an ``indent=2`` JSON object."""
    key, end = _DECODER.raw_decode(line, 2)
    if line[end : end + 2] != ": ":
        raise ValueError("not a member line")
    return key, line[end + 2 :].rstrip("\n")


class _Lines:
    """The lines of a text file, with lines put back (read ahead in a block and not used) given first."""

    def __init__(self, f):
        self.f, self.back = f, []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        return self.back.pop() if self.back else next(self.f)

    def block(self, n: int) -> str:
        """The next ``n`` lines as one text (none put back: else ``""``)."""
        return "" if self.back or n <= 0 else "".join(islice(self.f, n))

    def put_back(self, text: str) -> None:
        parts = text.split("\n")  # not splitlines: a JSON string may hold U+2028 or U+0085 raw
        self.back = [p + "\n" for p in parts[:-1]][::-1] + self.back
        if parts[-1]:
            self.back.insert(0, parts[-1])  # (never: a block ends with its last line's line break)

    def rest(self) -> str:
        return "".join(reversed(self.back)) + self.f.read()


def _read_lines(f, wanted: set | None, hook) -> dict:
    """The members of an ``indent=2`` JSON object after its opening line, read line by line (see
    :func:`read_headline`). A member starts on a line of exactly two spaces and a quote (JSON text holds no raw
    line break inside a string, so no deeper line starts that way); an item of a top-level list starts on a line of
    exactly four spaces and ends on the first line of four spaces after it, or on its own line when it holds no
    line break; a count's multi-line ``scope`` is read as a block of as many lines as the last one (checked for its
    closing line) and parsed once per distinct text. Members not ``wanted`` are passed over."""
    out: dict[str, Any] = {}
    scopes: dict[str, list] = {}
    lines = _Lines(f)
    key, keep, done = None, False, True
    items: list | None = None  # the top-level list being read item by item
    part: list[str] = []  # lines of the member value (or list item) being read
    scope: list[str] | None = None  # text of the count scope being read
    shared: list | None = None  # the item's scope, put back once the item is parsed
    n_scope = 0  # lines of the last scope read

    def item() -> None:
        nonlocal shared
        value = json.loads("".join(part).rstrip().removesuffix(","), object_hook=hook)
        if shared is not None:
            value["scope"], shared = shared, None
        items.append(value)
        part.clear()

    def close_scope(line: str) -> None:
        nonlocal shared, scope, n_scope
        text = "".join(scope)
        if text not in scopes:
            scopes[text] = json.loads("[" + text + "]")
        shared, scope, n_scope = scopes[text], None, text.count("\n")
        part.append('      "scope": null' + line[7:])

    for line in lines:
        if items is None and (line.startswith('  "') or line.rstrip("\n") == "}"):
            if not done:
                out[key] = json.loads("".join(part).rstrip().removesuffix(","), object_hook=hook)
            if wanted is not None and wanted <= out.keys():
                return out
            if line[0] == "}":
                if wanted is None and lines.rest().strip():
                    raise ValueError("text after the JSON document")
                return out
            key, rest = _member_line(line)
            keep = wanted is None or key in wanted
            done, part = not keep or rest == "[", [rest]
            if keep and rest == "[":
                items, part = [], []
            elif not keep and rest == "[":
                for line in lines:  # pass over the list unread
                    if line.rstrip(",\n") == "  ]":
                        break
                else:
                    raise ValueError("the JSON document is not closed")
        elif key is None:
            raise ValueError("not laid out with indent=2")
        elif items is None:
            if keep:
                part.append(line)
        elif scope is not None:
            if line.startswith("      ]"):
                close_scope(line)
            else:
                scope.append(line)
        elif line.startswith("    ") and line[4:5].strip():
            first = not part
            part.append(line)
            if not first or line[4] not in "{[" or line.rstrip(",\n").endswith(("}", "]")):
                item()
        elif not part and line.rstrip(",\n") == "  ]":
            out[key], items = items, None
        elif line == _SCOPE_OPEN and part and shared is None:
            block = lines.block(n_scope)  # the scope's lines if it is as long as the last one
            at = 0 if block.startswith("      ]") else block.find("\n      ]") + 1
            if at or block.startswith("      ]"):  # shorter: its closing line is in the block
                end = block.index("\n", at) + 1
                lines.put_back(block[end:])
                scope = [block[:at]]
                close_scope(block[at:end])
            else:
                scope = [block]
        elif part:
            part.append(line)
        else:
            raise ValueError("not a list item")
    raise ValueError("the JSON document is not closed")


def read_headline(path: str | os.PathLike, keys: Sequence[str] | None = None) -> dict:
    """A page's headline JSON (``<stem>.headline.json``) as :func:`json.load` gives it, read without the whole text.

    At national scale the file is large (283 MB for page 00 at scale 1: each of its counts repeats the page's
    514-code scope): the text is read line by line, each top-level member parsed on its own and each item of a
    top-level list (a count of ``counts``) one at a time, the counts sharing one list per distinct scope. ``keys``
    keeps those top-level members only (the others are passed over unparsed; reading stops once all are found). A
    file not laid out as :func:`headline_text` writes it (``indent=2``; e.g. written compact by another tool) is
    parsed whole, with the same result.

    Parameters
    ----------
    path : path
        The headline JSON.
    keys : list of str, optional
        Top-level members to return (default all).

    Returns
    -------
    dict
        The document (or its members named in ``keys``), equal to ``json.load``'s.

    Raises
    ------
    OSError
        The file cannot be read.
    ValueError
        The text is not JSON.
    """
    wanted = None if keys is None else set(keys)
    with open(path, encoding="utf-8", newline="\n") as f:
        if f.readline() == "{\n":
            try:
                return _read_lines(f, wanted, _shared_scopes())
            except ValueError:
                pass  # not laid out as headline_text writes it: parsed whole below
        f.seek(0)
        doc = json.loads(f.read(), object_hook=_shared_scopes())
    if isinstance(doc, dict) and wanted is not None:
        return {k: v for k, v in doc.items() if k in wanted}
    return doc
