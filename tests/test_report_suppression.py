"""Suppression that arithmetic cannot undo (issue 15.2).

Every count a page publishes is collected -- from the headline JSON's ``counts`` and records, checked cell by cell
against what the executed notebooks' tables and the ``.xlsx`` show -- and the published counts are solved as a
linear system (margins = sums of their parts): no withheld cell may be determined. The default tests run a small
suite built on the audit's case (pooled totals 22/22 next to per-region counts ``7, <5, 5, 8``) within one page and
across two pages; the slow test runs the real suite on the default data and on a dataset with a 3-person region.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
from _report_suite import notebook, processed
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kinerja_research.errors import KinerjaError
from kinerja_research.report import runner, suppress
from kinerja_research.report.numbers import format_int

BY_RULE = """import pandas as pd
by_rule = pd.DataFrame({"rule": ["too_fast", "straight_lining"], "severity": ["warning", "warning"], "count": [22, 22]})
ctx.show(by_rule, kind="table", caption_key="audit.cap_rules", ns="audit")
"""
PER_REGION = """import pandas as pd
dur = pd.DataFrame({"region_code": ["18.71", "17.71", "11.73", "53.71"], "n_too_fast": [7, 2, 5, 8],
                    "n_straight_lining": [6, 5, 9, 2], "n_people": [40, 24, 30, 26]})
ctx.show(dur, kind="table", caption_key="audit.cap_duration", ns="audit", n_col="n_people",
         count_cols=["n_too_fast", "n_straight_lining"], secondary=False)
"""
POOLED_RECORD = (
    'ctx.record("too_fast", 22, count={"rule": "too_fast"}, label_key="audit.headline_duplicates", spec="n")'
)
REGIONS = [("18.71", 40), ("17.71", 24), ("11.73", 30), ("53.71", 26)]


def published(run_dir: Path) -> list[suppress.Cell]:
    """Every published count of a run, checked against the pages: the executed notebooks show exactly the ledger's
    value (or "<5"/"x" for a withheld cell), and so does the .xlsx."""
    cells = []
    for head_path in sorted(run_dir.glob("*.headline.json")):
        stem = head_path.name.removesuffix(".headline.json")
        head = json.loads(head_path.read_text(encoding="utf-8"))
        lang = head["lang"]
        nb = json.loads((run_dir / f"{stem}.ipynb").read_text(encoding="utf-8"))
        shown = {}
        for c in nb["cells"]:
            for out in c.get("outputs", []):
                text = out.get("data", {}).get("text/html", "")
                text = "".join(text) if isinstance(text, list) else text
                for cid, value in re.findall(r'data-kr-n="([^"]+)"[^>]*>([^<]*)<', text):
                    shown[cid] = html.unescape(value)
        wb = load_workbook(run_dir / f"{stem}.xlsx") if (run_dir / f"{stem}.xlsx").exists() else None
        records = {r.get("cell"): r for r in head["records"] if r.get("cell")}
        for c in head["counts"]:
            cell = suppress.from_public(c, prefix=f"{stem}/")
            want = format_int(c["value"], lang) if c["value"] is not None else None
            if c["id"] in shown:
                if cell.hidden:
                    # "<5", "x", or "–" for a count blanked with its row (a row about fewer than min_cell people)
                    assert shown[c["id"]] in ("<5", "x", "–", f"<{head['min_cell']}"), (stem, c, shown[c["id"]])
                else:
                    assert shown[c["id"]] == want, (stem, c, shown[c["id"]])
            if c["id"] in records:
                r = records[c["id"]]
                assert (r["value"] is None) == cell.hidden and (cell.hidden or r["value"] == c["value"]), (stem, r, c)
            if wb is not None and c.get("xlsx"):
                sheet, ref = c["xlsx"].rsplit("!", 1)
                v = wb[sheet][ref].value
                assert (v in ("<5", "x", None)) if cell.hidden else v == c["value"], (stem, c, v)
            cells.append(cell)
        assert set(shown) <= {c["id"] for c in head["counts"]}, f"{stem}: a count on the page is not in its ledger"
    return cells


@pytest.fixture(scope="module")
def audit_run(tmp_path_factory):
    """Page A: problems by rule (pooled 22/22) and per region (7, <5, 5, 8 / 6, 5, 9, <5); page B: the per-region
    table alone, next to a pooled record of another page (the margins appear across pages)."""
    root = tmp_path_factory.mktemp("suppress")
    nbs = root / "notebooks"
    notebook(nbs / "00_data_audit.ipynb", [BY_RULE, PER_REGION, "ctx.finish()"])
    notebook(nbs / "01_instrument_quality.ipynb", [PER_REGION, "ctx.finish()"])
    notebook(nbs / "02_training_impact.ipynb", [POOLED_RECORD + "\nctx.finish()"])
    data = processed(root / "proc", regions=REGIONS)
    summary = runner.run_suite(
        dataset=str(data),
        regions=[r for r, _ in REGIONS],
        lang="en",
        workers=2,
        out=root / "reports" / "run",
        notebooks_dir=nbs,
        progress=False,
    )
    assert summary.ok, runner.failure_lines(summary)
    return summary.run_dir


def test_no_withheld_count_can_be_worked_out_within_a_page(audit_run):
    cells = [c for c in published(audit_run) if c.id.startswith("00_data_audit/")]
    assert suppress.recoverable(cells) == []
    by_id = {c.id.split("/", 1)[1]: c for c in cells}
    assert by_id["t2.r1.n_too_fast"].state == "primary"  # the "<5" of the audit's case
    assert sum(c.state == "secondary" for c in cells) >= 2  # one more per pooled total (too fast, straight-lining)


def test_no_withheld_count_can_be_worked_out_across_the_pages_of_a_run(audit_run):
    cells = published(audit_run)
    assert suppress.recoverable(cells) == []
    # the page without a total needed nothing on its own; the run withheld what the other pages' totals give away
    alone = [c for c in cells if c.id.startswith("01_instrument_quality/")]
    assert any(c.state == "secondary" for c in alone)
    text = (audit_run / "01_instrument_quality.html").read_text()
    assert "“x”" in text  # the note explaining "x" was added with the cell


def test_without_protection_the_audit_case_is_recoverable():
    """The check can fail: the published counts of the issue's audit page give the hidden cell away."""
    scope = ("18.71", "17.71", "11.73", "53.71")
    cells = [suppress.Cell("total", "count", {"rule": "too_fast"}, scope=scope, value=22)]
    for r, v, s in zip(scope, (7, 2, 5, 8), ("shown", "primary", "shown", "shown")):
        cells.append(suppress.Cell(f"r{r}", "n_too_fast", {"region": r}, scope=scope, value=v, state=s))
    assert suppress.recoverable(cells) == ["r17.71"]
    for cid in suppress.protect(cells):
        next(c for c in cells if c.id == cid).state = "secondary"
    assert suppress.recoverable(cells) == []


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=5),
    st.integers(min_value=2, max_value=4),
    st.lists(st.integers(min_value=0, max_value=30), min_size=20, max_size=20),
    st.booleans(),
)
def test_protect_holds_for_tables_with_all_their_margins(nrow, ncol, values, grand):
    """A region x category table with row totals, column totals (and the grand total): after protect(), no withheld
    cell is determined, and every primary cell stays withheld."""
    regions = tuple(f"{10 + i}.71" for i in range(nrow))
    cats = [f"c{j}" for j in range(ncol)]
    cells = []
    table = np.array(values[: nrow * ncol]).reshape(nrow, ncol)
    for i, r in enumerate(regions):
        for j, c in enumerate(cats):
            cells.append(
                suppress.Cell(f"x{i}{j}", "n", {"region": r, "category": c}, scope=regions, value=int(table[i, j]))
            )
        cells.append(suppress.Cell(f"row{i}", "n", {"region": r}, scope=regions, value=int(table[i].sum())))
    for j, c in enumerate(cats):
        cells.append(suppress.Cell(f"col{j}", "n", {"category": c}, scope=regions, value=int(table[:, j].sum())))
    if grand:
        cells.append(suppress.Cell("all", "n", {}, scope=regions, value=int(table.sum())))
    for c in cells:
        c.state = "primary" if c.value < 5 else "shown"
    primaries = {c.id for c in cells if c.state == "primary"}
    for cid in suppress.protect(cells):
        next(c for c in cells if c.id == cid).state = "secondary"
    assert suppress.recoverable(cells) == []
    assert primaries <= {c.id for c in cells if c.hidden}


@pytest.mark.slow
@pytest.mark.parametrize("tiny_region", [False, True])
def test_real_suite_on_default_data_publishes_no_recoverable_count(tmp_path, tiny_region):
    """The real suite on the default synthetic data (scale 0.5), and with one region cut to 3 people."""
    import os
    import shutil

    import pandas as pd

    from kinerja_research import pipeline, synth

    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "test-key-not-secret")
    synth.write_default(tmp_path / "raw", seed=2026, scale=0.5)
    pipeline.build_processed("default", raw_dir=tmp_path / "raw", out_dir=tmp_path / "processed")
    data = tmp_path / "processed"
    if tiny_region:
        for name, key in (
            ("survey", "person_id"),
            ("performance", "person_id"),
            ("training", "person_id"),
            ("satisfaction", "respondent_id"),
        ):
            df = pd.read_parquet(data / f"{name}.parquet")
            mine = df["region_code"] == "11.73"
            keep = df.loc[mine, key].drop_duplicates().iloc[:3]
            df[~mine | df[key].isin(keep)].reset_index(drop=True).to_parquet(data / f"{name}.parquet")
    summary = runner.run_suite(
        dataset=str(data), lang="id", workers=2, out=tmp_path / "reports" / "run", progress=False
    )
    assert summary.ok, runner.failure_lines(summary)
    cells = published(summary.run_dir)
    assert cells and suppress.recoverable(cells) == []
    shutil.rmtree(tmp_path / "raw", ignore_errors=True)


def test_counts_drawn_in_a_figure_are_never_chosen_and_tables_give_way():
    scope = ("a", "b", "c")
    cells = [
        suppress.Cell("total", "n", {}, scope=scope, value=40),
        suppress.Cell("fig_a", "n", {"region": "a"}, scope=scope, value=6, frozen=True),  # the smallest shown one
        suppress.Cell("b", "n", {"region": "b"}, scope=scope, value=3, state="primary"),
        suppress.Cell("c", "n", {"region": "c"}, scope=scope, value=31),
    ]
    assert suppress.protect(cells) == ["c"]
    cells[3].frozen = True  # then the total goes
    assert suppress.protect(cells) == ["total"]
    cells[0].frozen = True  # everything drawn: nothing can be withheld, and it says so
    with pytest.raises(KinerjaError, match="figure"):
        suppress.protect(cells)


def test_n_named_as_a_count_column_too():
    """``count_cols`` naming the row count ``n`` as well (a counts table whose ``n`` is one of its counts) is
    registered once: it used to give the secondary step a duplicate column and crash."""
    import pandas as pd

    from kinerja_research.report.tables import suppress_table

    df = pd.DataFrame({"region": ["a", "b", "c", "d"], "n": [3, 10, 12, 25], "k": [1, 5, 6, 11]})
    got = suppress_table(df, count_cols=["n", "k"], min_n=5)
    assert got.count_cols.count("n") == 1
    assert got.primary.loc[0, "n"]  # fewer than 5 people: flagged as such, not only blanked
    assert got.data.loc[0, ["n", "k"]].isna().all()
    hidden = got.primary[["n", "k"]] | got.secondary[["n", "k"]]
    shown = got.data[["n", "k"]].where(~hidden)
    # every cell is either withheld (and flagged) or its raw value
    assert (hidden.to_numpy() == got.data[["n", "k"]].isna().to_numpy()).all()
    assert (shown.fillna(-1).to_numpy() == df[["n", "k"]].where(~hidden).fillna(-1).to_numpy()).all()
