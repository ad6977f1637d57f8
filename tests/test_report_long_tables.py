"""Long tables on the page: a table of more than ``max_rows`` rows shows its first and last rows, with a note (in
the page's language) that every row is in the workbook, which keeps every row; the count ledger keeps every cell."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from kinerja_research.errors import KinerjaError
from kinerja_research.report import notebook as nbmod


@pytest.fixture
def processed(tmp_path):
    d = tmp_path / "proc"
    d.mkdir()
    survey = pd.DataFrame(
        {
            "person_id": [f"P{i:016x}" for i in range(40)],
            "region_code": np.repeat(["18.71", "17.71"], [20, 20]),
            "wave": "pre",
            "RTC01": np.arange(40) % 6 + 1.0,
        }
    )
    survey.to_parquet(d / "survey.parquet")
    (d / "manifest.json").write_text(json.dumps({"inputs": [{"file": "survey.csv", "sha256": "cd" * 32}]}))
    return d


@pytest.fixture
def shown(monkeypatch):
    out: dict[str, str] = {}
    order: list[str] = []

    def display(data, display_id=None):
        key = display_id or f"anon{len(order)}"
        order.append(key)
        out[key] = data["text/html"]

    def update(data, display_id):
        out[display_id] = data["text/html"]

    monkeypatch.setattr(nbmod, "_display", display)
    monkeypatch.setattr(nbmod, "_update", update)
    return out


def _table(rows: int) -> pd.DataFrame:
    """One count per golongan-like group (hand-written labels), a count of 3 in row 4 if there is one (withheld as <5)."""
    counts = [10 + (7 * i) % 23 for i in range(rows)]
    if rows > 4:
        counts[4] = 3
    return pd.DataFrame({"group": [f"G{i:02d}" for i in range(rows)], "count": counts})


def _ids(page: str) -> set[str]:
    return set(re.findall(r'data-kr-n="([^"]+)"', page))


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_long_table_shows_top_and_bottom_and_the_workbook_keeps_every_row(processed, shown, tmp_path):
    ctx = nbmod.start("x", dataset=str(processed), lang="id", out_dir=str(tmp_path))
    df = _table(30)
    ctx.show(df, kind="counts", caption_key="common.nb.10_region_comparison", max_rows=10, edge_rows=3)
    ctx.finish()
    page = next(v for v in shown.values() if "kr-table-block" in v)
    assert _ids(page) == {f"t1.r{i}.count" for i in (0, 1, 2, 27, 28, 29)}
    text = _text(page)
    assert "G02" in text and "G27" in text and "G03" not in text and "G26" not in text
    assert "24 baris lainnya" in text  # the gap row says how many rows are left out
    assert "Tabel ini memiliki 30 baris" in text and "3 baris pertama dan 3 baris terakhir" in text
    assert "x.xlsx" in text and "“Tabel 1”" in text

    ws = load_workbook(tmp_path / "x.xlsx")["Tabel 1"]
    written = [(ws.cell(row=3 + i, column=1).value, ws.cell(row=3 + i, column=2).value) for i in range(30)]
    sup = ctx._shown_tables[0].main
    primary, secondary = sup.primary["count"].tolist(), sup.secondary["count"].tolist()
    assert primary[4] and sum(primary) == 1 and sum(secondary) >= 1  # the 3, and what would give it away
    expected = [(g, "<5" if p else "x" if s else c) for g, c, p, s in zip(df["group"], df["count"], primary, secondary)]
    assert written == expected  # every row, withheld counts as the page would show them
    ledger = {c["id"] for c in ctx.written["counts"]}
    assert {f"t1.r{i}.count" for i in range(30)} <= ledger  # rows off the page still protect each other


def test_long_table_note_in_english_and_in_the_detail_block(processed, shown, tmp_path):
    ctx = nbmod.start("y", dataset=str(processed), lang="en", out_dir=str(tmp_path))
    ctx.show(
        _table(4),
        kind="counts",
        detail=_table(12),
        caption_key="common.nb.10_region_comparison",
        max_rows=5,
        edge_rows=2,
    )
    page = next(v for v in shown.values() if "kr-table-block" in v)
    main, detail = page.split("<details", 1)
    assert "rows; the page shows" not in main and len(_ids(main)) == 4  # a short main table is shown in full
    assert _ids(detail) == {f"t1d.r{i}.count" for i in (0, 1, 10, 11)}
    text = _text(detail)
    assert "This table has 12 rows; the page shows the first 2 and the last 2" in text
    assert "8 more rows" in text and "“Table 1 (full)”" in text and "y.xlsx" in text


def test_table_at_the_threshold_is_shown_in_full_and_the_default_shortens_a_national_region_table(
    processed, shown, tmp_path
):
    ctx = nbmod.start("z", dataset=str(processed), lang="id", out_dir=str(tmp_path))
    ctx.show(_table(6), kind="counts", max_rows=6, edge_rows=2)
    page = next(v for v in shown.values() if "kr-table-block" in v)
    assert len(_ids(page)) == 6 and "kr-gap" not in page
    assert 1 <= nbmod.LONG_TABLE_EDGE and 2 * nbmod.LONG_TABLE_EDGE < nbmod.LONG_TABLE_ROWS < 514
    for bad in (0, True, 2.5):
        with pytest.raises(KinerjaError, match="max_rows"):
            ctx.show(_table(6), kind="counts", max_rows=bad)
    with pytest.raises(KinerjaError, match="edge_rows"):
        ctx.show(_table(6), kind="counts", edge_rows=0)
