"""Finishing a page with many published counts: the headline JSON is written piece by piece (identical text to
``json.dumps(doc, ensure_ascii=False, indent=2)``), every count of the ledger shares one scope tuple, and a count's
published form is what ``dataclasses.asdict`` gave (without its deep copy region by region)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from kinerja_research.report import export, suppress
from kinerja_research.report import notebook as nbmod


def _old_text(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _cell(i: int, scope, **kw) -> dict:
    return {
        "id": f"t5.r{i}.n_missing",
        "measure": "n_missing",
        "coords": {"column": f"MOT0{i}", "region": "11.01"} if i % 2 else {},
        "quals": {"wave": "pre"} if i % 3 else {},
        "scope": scope,
        "value": None if i % 4 == 0 else 10 + i,
        "state": "secondary" if i % 4 == 0 else "shown",
        "frozen": bool(i % 5 == 0),
        **kw,
    }


REGIONS = ["11.01", "11.02", "92.71"]
DOCS = {
    "no counts": {"notebook": "00_data_audit", "counts": [], "provenance": {"run_id": "x"}},
    "no counts key": {"notebook": "x", "records": [{"key": "n", "value": 3}]},
    "one region": {"notebook": "x", "counts": [_cell(1, ["18.71"])], "xlsx": "x.xlsx"},
    "shared scope": {"a": 1, "counts": [_cell(i, list(REGIONS)) for i in range(9)], "z": [1, 2]},
    "mixed scopes": {
        "counts": [_cell(0, []), _cell(1, ["11.01"]), _cell(2, list(REGIONS)), {"id": "rec.x", "value": 4}],
        "after": {"k": None},
    },
    "text to escape": {
        "title": 'Audit "data"\nbaris – ≤ 5 \u2028 \ue002kr-scope\ue003',
        "counts": [_cell(1, ["11.01", 'a"b\nc'], xlsx="Tabel 5!C3", xlsx_of=["Tabel 5!D3", None])],
    },
    "marker in the data": {"note": "\ue002kr-counts\ue003", "counts": [_cell(2, list(REGIONS))]},
    "scope marker in a cell": {"counts": [_cell(2, list(REGIONS), note="\ue002kr-scope\ue003")]},
    "numbers": {"counts": [_cell(3, list(REGIONS), value=np.int64(7).item(), share=0.1 + 0.2)], "alpha": 0.05},
}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_headline_text_is_json_dumps_character_for_character(name):
    doc = DOCS[name]
    assert "".join(export.headline_text(doc)) == _old_text(doc)


def test_headline_text_of_a_long_table_is_written_in_pieces_each_scope_encoded_once(monkeypatch):
    scope = [f"{p:02d}.{k:02d}" for p in range(11, 20) for k in range(1, 30)]
    doc = {"notebook": "00_data_audit", "counts": [_cell(i, list(scope)) for i in range(2000)], "xlsx": "a.xlsx"}
    calls = []
    real = export._dumps
    monkeypatch.setattr(export, "_dumps", lambda v, shift=0: calls.append(v) or real(v, shift))
    pieces = list(export.headline_text(doc))
    assert "".join(pieces) == _old_text(doc)
    assert len(pieces) == 2002 and max(len(p) for p in pieces) < len("".join(pieces)) / 100
    assert sum(1 for v in calls if isinstance(v, list)) == 1  # the scope: once, not once per count


def test_public_form_is_asdicts(monkeypatch):
    scope = ("11.01", "11.02")
    for state in ("shown", "primary", "secondary"):
        c = suppress.Cell(
            id="t1.r0.n", measure="n", coords={"b": "2", "a": "1"}, quals={"w": "pre"}, scope=scope, value=4,
            state=state, frozen=True,
        )  # fmt: skip
        old = dataclasses.asdict(c)
        old["scope"] = list(c.scope)
        if c.hidden:
            old["value"] = None
        new = c.public()
        assert new == old and list(new) == list(old)  # same keys in the same order
        assert new["coords"] is not c.coords and new["quals"] is not c.quals  # copies, as asdict made
        assert suppress.from_public(new) == dataclasses.replace(c, value=None if c.hidden else 4)


@pytest.fixture
def processed(tmp_path):
    d = tmp_path / "proc"
    d.mkdir()
    codes = ["11.01", "11.02", "18.71"]
    pd.DataFrame(
        {
            "person_id": [f"P{i:016x}" for i in range(60)],
            "region_code": np.repeat(codes, 20),
            "wave": "pre",
            "RTC01": np.arange(60) % 6 + 1.0,
        }
    ).to_parquet(d / "survey.parquet")
    (d / "manifest.json").write_text(json.dumps({"inputs": [{"file": "survey.csv", "sha256": "cd" * 32}]}))
    return d


def test_a_long_counts_table_finishes_with_one_scope_and_the_old_headline_text(processed, tmp_path, monkeypatch):
    monkeypatch.setattr(nbmod, "_display", lambda *a, **k: None)
    monkeypatch.setattr(nbmod, "_update", lambda *a, **k: None)
    ctx = nbmod.start("00_data_audit", dataset=str(processed), lang="id", out_dir=str(tmp_path))
    rows = 700  # a long table (more than LONG_TABLE_ROWS): the page shows its ends, the workbook every row
    df = pd.DataFrame(
        {
            "region_code": np.resize(["11.01", "11.02", "18.71"], rows),
            "column": [f"MOT{i:03d}" for i in range(rows)],
            "n": 20,
            "n_missing": [3 if i % 7 == 0 else 5 + i % 11 for i in range(rows)],
        }
    )
    ctx.show(df, kind="table", ns="audit", n_col="n_missing", caption_key="common.nb.00_data_audit")
    ctx.finish()
    assert len(ctx._cells) == rows and len({id(c.scope) for c in ctx._cells}) == 1
    text = (tmp_path / "00_data_audit.headline.json").read_text(encoding="utf-8")
    assert text == _old_text(ctx.written)
    counts = json.loads(text)["counts"]
    assert len(counts) == rows and all(c["scope"] == ["11.01", "11.02", "18.71"] for c in counts)
    assert {c["state"] for c in counts} >= {"primary", "shown"}


# -- reading a headline JSON back (export.read_headline): json.load's document, without the whole text at once ----
MORE = {
    "nested lists": {
        "regions": ["11.01", "11.02"],
        "tables": [{"caption": "T1", "columns": ["a", "b"], "rows": [[1, 2], [3, None]]}, [], {}, [[1], [2, [3]]]],
        "records": [{"key": "n", "value": 3, "text": "3"}, 4, "x", None, True, 0.5],
        "empty": {},
        "list of one": [{"a": {"b": [{}]}}],
    },
    "line ends in text": {
        "title": "a\r\nb\x85c\u2028d\u2029e\x0bf\x0cg\x1c",
        "counts": [_cell(1, ["11.01", "x\x85y"], quals={"term": "p\u2028q"})],
    },
    "member-like text": {
        'k": "v': '\n  "z": 1,\n  ]',
        "counts": [_cell(1, list(REGIONS), note='  "id": 2,\n    },')],
        "last": '"}',
    },
    "scalar document values": {"a": None, "b": False, "c": -1.5e-300, "d": "", "e": [None]},
    "duplicate scopes": {"counts": [_cell(i, list(REGIONS) if i % 2 else ["11.01"]) for i in range(6)]},
    "scopes of every length": {
        "counts": [_cell(i, [f"{k:02d}.01" for k in range(n)]) for i, n in enumerate([3, 3, 1, 2, 5, 5, 0, 4, 1, 7])]
        + [{"id": "x", "scope": [["a", {"b": [1, 2]}], "c"]}, {"id": "y", "scope": ["c"]}],
        "tail": [1],
    },
    "scope last in the document": {"t": "x", "counts": [_cell(0, list(REGIONS)), {"id": "z", "scope": ["11.01"]}]},
}


def _write(tmp_path, doc, text=None):
    path = tmp_path / "x.headline.json"
    path.write_text(_old_text(doc) if text is None else text, encoding="utf-8")  # = headline_text's (tested above)
    return path


@pytest.mark.parametrize("name", sorted(DOCS) + sorted(MORE))
def test_read_headline_is_json_load_whatever_the_layout(name, tmp_path):
    doc = {**DOCS, **MORE}[name]
    expected = json.loads(json.dumps(doc, ensure_ascii=False))
    for text in (None, json.dumps(doc), json.dumps(doc, ensure_ascii=False, indent=1)):
        path = _write(tmp_path, doc, text)
        got = export.read_headline(path)
        assert got == expected and list(got) == list(expected)
        keys = list(expected)[-1:] + ["counts", "absent"]
        sub = export.read_headline(path, keys=keys)
        assert sub == {k: v for k, v in expected.items() if k in keys}
        assert list(sub) == [k for k in expected if k in keys]


def test_read_headline_shares_one_list_per_distinct_scope(tmp_path):
    counts = export.read_headline(_write(tmp_path, MORE["duplicate scopes"]))["counts"]
    assert len({id(c["scope"]) for c in counts}) == 2
    assert [c["scope"] for c in counts] == [list(REGIONS) if i % 2 else ["11.01"] for i in range(6)]


def test_read_headline_stops_once_the_members_asked_for_are_read(tmp_path):
    doc = {"notebook": "00", "title": "Audit", "counts": [_cell(i, list(REGIONS)) for i in range(3)]}
    text = "".join(export.headline_text(doc))
    broken = text[: text.index('"counts"')] + '"counts": [\n    {"never": parsed\n'  # not JSON after the title
    assert export.read_headline(_write(tmp_path, doc, broken), keys=["title"]) == {"title": "Audit"}
    with pytest.raises(ValueError):
        export.read_headline(_write(tmp_path, doc, broken))
    with pytest.raises(ValueError):
        export.read_headline(_write(tmp_path, doc, text[:-3]))  # cut short: not closed
