"""A minimal, deterministic, fast .xlsx writer (one sheet, inline strings and numbers).

openpyxl stamps the current time into ``docProps/core.xml`` and the zip entries and writes cell by cell; for
byte-identical files and million-row benchmarks the sheet XML is built here with vectorised string operations and
zipped with fixed entry dates. The files open in Excel/LibreOffice and read with openpyxl and ``pandas.read_excel``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["write_xlsx", "MAX_ROWS"]

FIXED_ZIP_TIME = (2026, 11, 1, 8, 0, 0)
FIXED_ISO = "2026-11-01T08:00:00Z"
MAX_ROWS = 1_048_576


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _esc(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    esc = np.array([escape(str(u)) for u in uniques] + [""], dtype=object)
    return pd.Series(esc[codes], index=values.index)


def _cells(col: pd.Series, letter: str, rows: pd.Series) -> pd.Series:
    """XML of one column: numbers (float/int objects) as numeric cells, strings as inline strings, None as empty."""
    ref = letter + rows
    isnum = (
        col.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
        if col.dtype == object
        else pd.Series(pd.api.types.is_numeric_dtype(col), index=col.index)
    )
    isna = col.isna()
    out = pd.Series("", index=col.index, dtype=object)
    num = isnum & ~isna
    if num.any():
        vals = col[num].astype(float).map(repr)
        vals = vals.str.replace(r"\.0$", "", regex=True)
        out[num] = '<c r="' + ref[num] + '"><v>' + vals + "</v></c>"
    txt = ~isnum & ~isna
    if txt.any():
        out[txt] = (
            '<c r="'
            + ref[txt]
            + '" t="inlineStr"><is><t xml:space="preserve">'
            + _esc(col[txt].astype(str))
            + "</t></is></c>"
        )
    return out


def write_xlsx(path: Path, sheet: str, title_rows: list[str], header: list[str], data: pd.DataFrame) -> None:
    """Write ``title_rows`` (one text cell each), an empty row, the header row and ``data`` (object columns)."""
    n_title = len(title_rows) + 1
    lines = []
    for i, t in enumerate(title_rows, start=1):
        lines.append(
            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t xml:space="preserve">{escape(t)}</t></is></c></row>'
        )
    hr = n_title + 1
    hcells = "".join(
        f'<c r="{_col_letter(j)}{hr}" t="inlineStr"><is><t>{escape(h)}</t></is></c>' for j, h in enumerate(header)
    )
    lines.append(f'<row r="{hr}">{hcells}</row>')
    n = len(data)
    rows = pd.Series(np.arange(hr + 1, hr + 1 + n).astype(str), index=data.index)
    # one join of all the columns' cells per row (adding column by column re-copied the growing row strings)
    parts = [('<row r="' + rows + '">').to_numpy(dtype=object)]
    parts += [_cells(data[c], _col_letter(j), rows).to_numpy(dtype=object) for j, c in enumerate(data.columns)]
    parts.append(np.full(n, "</row>", dtype=object))
    acc = pc.binary_join_element_wise(
        *(pa.array(a, pa.large_string()) for a in parts), pa.scalar("", pa.large_string())
    )
    last = f"{_col_letter(len(header) - 1)}{hr + n}"
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/><sheetData>'
        + "".join(lines)
        + "".join(acc.to_pylist())
        + "</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'extended-properties" Target="docProps/app.xml"/></Relationships>'
        ),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>e-Kinerja</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_ISO}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_ISO}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "docProps/app.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>kinerja_research.synth</Application></Properties>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"), compresslevel=6)
    tmp.replace(path)
