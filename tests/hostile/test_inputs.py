"""Hostile input, reading side: every case runs through the `kinerja` CLI in this process and ends within 30 s (a
SIGALRM watchdog turns a hang into a failure) either with exit 2 and ONE sentence on stderr naming what is wrong, or
with a correct result (exit 0, and what was read is checked). A traceback, a hang or a wrong result fails the case.

Cases: dataset.yml (encodings, alias bombs, limits, paths out of the folder, option ranges, mappings), CSV files
(encodings decided per file, line ends, FIFOs, huge cells), workbooks (zip bombs, damaged zips), SPSS files, region
codes and `data synth --out`. The writers live in tests/hostile/__init__.py. Slow cases (full-size bombs) are marked;
a small version of each runs by default.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parents[1]))
import hostile as H  # noqa: E402
from kinerja_research.cli import main  # noqa: E402
from kinerja_research.ingest import readers  # noqa: E402

LIMIT_S = 30

ENTRY = {"file": "s.csv", "columns": {"NIP": "nip", "Kabupaten/Kota": "region", "Tahap": "wave", "RTC01": "RTC01"}}


def _doc(**entry) -> dict:
    return {"name": "h", "tables": {"survey": [{**ENTRY, **entry}]}}


def _write_yml(d: Path, doc: dict | str | bytes) -> None:
    p = d / "dataset.yml"
    if isinstance(doc, bytes):
        p.write_bytes(doc)
    elif isinstance(doc, str):
        p.write_text(doc, encoding="utf-8")
    else:
        p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _survey(d: Path, name: str = "s.csv") -> Path:
    p = d / name
    p.write_text(H.survey_text(), encoding="utf-8")
    return p


def _std(d: Path, **entry) -> list[str]:
    """A valid survey file and a dataset.yml with the given entry changes; run validate."""
    _survey(d)
    _write_yml(d, _doc(**entry))
    return ["validate", str(d)]


CASES: dict[str, tuple] = {}


def case(name: str, *words: str, ok=None, slow: bool = False):
    """Register a case: the builder returns argv; `words` must be in the one-line error (exit 2), or `ok(d, out)`
    checks a correct result (exit 0)."""

    def register(build):
        CASES[name] = (build, words, ok, slow)
        return build

    return register


def _rows(n: int):
    def check(d, out):
        assert f"survey: {n} rows in" in out, out

    return check


# ---------------------------------------------------------------------------------------------------- dataset.yml
@case("yml_is_a_folder", "dataset.yml", "folder, not a file")
def _(d):
    (d / "dataset.yml").mkdir()
    return ["validate", str(d)]


@case("yml_empty", "not a mapping")
def _(d):
    _write_yml(d, "")
    return ["validate", str(d)]


@case("yml_binary", "binary")
def _(d):
    _write_yml(d, os.urandom(2000) + b"\x00\x01")
    return ["validate", str(d)]


for _enc, _bom in (
    ("cp1252", ""),
    ("utf-16", ""),
    ("utf-16-le", ""),
    ("utf-16-be", "\ufeff"),
    ("utf-32", ""),
    ("utf-8-sig", ""),
    ("utf-32-le", ""),
):

    @case(f"yml_in_{_enc}{'_bom' if _bom else ''}", ok=_rows(3))
    def _(d, _enc=_enc, _bom=_bom):
        _survey(d)
        text = _bom + yaml.safe_dump({**_doc(), "description": "Survei pegawai, Dinas Pariwisata Café"})
        (d / "dataset.yml").write_bytes(text.encode(_enc))
        return ["validate", str(d)]


@case("yml_alias_bomb_description", "alias bomb")
def _(d):
    _survey(d)
    _write_yml(d, yaml.safe_dump(_doc()) + H.alias_bomb() + "description: *a9\n")
    return ["validate", str(d)]


@case("yml_alias_bomb_columns", "alias bomb")
def _(d):
    _survey(d)
    bomb = H.alias_bomb().replace("\n", "\n  ")
    _write_yml(d, "name: h\nbombs:\n  " + bomb + "tables:\n  survey:\n  - file: s.csv\n    columns: *a9\n")
    return ["validate", str(d)]


@case("yml_recursive_alias", "refers to the part that contains it")
def _(d):
    _write_yml(d, "name: h\ntables: &t\n  survey: [*t]\n")
    return ["validate", str(d)]


@case("yml_deep_nesting", "nested")
def _(d):
    _write_yml(d, "name: h\ntables: " + "[" * 5000 + "]" * 5000 + "\n")
    return ["validate", str(d)]


@case("yml_too_large", "bytes; rule: at most")
def _(d):
    _write_yml(d, "name: h\n" + "# padding\n" * 500_000)
    return ["validate", str(d)]


@case("yml_duplicate_keys", "duplicate key")
def _(d):
    _survey(d)
    _write_yml(d, "name: h\nname: g\ntables: {survey: [{file: s.csv}]}\n")
    return ["validate", str(d)]


@case("yml_tables_list", "'tables' is a list")
def _(d):
    _write_yml(d, "name: h\ntables: [survey]\n")
    return ["validate", str(d)]


@case("yml_top_list", "not a mapping")
def _(d):
    _write_yml(d, "- a\n- b\n")
    return ["validate", str(d)]


@case("yml_unknown_key", "key 'tabels'")
def _(d):
    _write_yml(d, "name: h\ntabels: {}\n")
    return ["validate", str(d)]


@case("yml_description_mapping", "description: a dict")
def _(d):
    _survey(d)
    _write_yml(d, {**_doc(), "description": {"a": 1}})
    return ["validate", str(d)]


@case("yml_name_huge", "at most 10,000 characters")
def _(d):
    _survey(d)
    _write_yml(d, {**_doc(), "name": "x" * 20_000})
    return ["validate", str(d)]


@case("yml_reference_date_bad", "reference_date")
def _(d):
    _survey(d)
    _write_yml(d, yaml.safe_dump(_doc()) + "reference_date: 2026-13-45\n")
    return ["validate", str(d)]


for _key, _value, _word in (
    ("seconds_per_item", ".inf", "seconds_per_item"),
    ("seconds_per_item", ".nan", "seconds_per_item"),
    ("seconds_per_item", "-1", "seconds_per_item"),
    ("straight_min_items", "1000000000", "straight_min_items"),
    ("straight_min_items", "2.5", "straight_min_items"),
):

    @case(f"yml_quality_{_key}_{_value}", _word, "rule")
    def _(d, _key=_key, _value=_value):
        _survey(d)
        _write_yml(d, yaml.safe_dump(_doc()) + f"quality: {{{_key}: {_value}}}\n")
        return ["validate", str(d)]


# --------------------------------------------------------------------------------------------------- paths
@case("path_absolute", "absolute path")
def _(d):
    return _std(d, file="/etc/passwd")


@case("path_dotdot", "climbs out")
def _(d):
    (d.parent / "outside.csv").write_text(H.survey_text(), encoding="utf-8")
    return _std(d, file="../outside.csv")


@case("path_dotdot_glob", "climbs out")
def _(d):
    return _std(d, file="../*.csv")


@case("path_absolute_glob", "absolute path")
def _(d):
    return _std(d, file="/tmp/*.csv")


@case("path_windows_drive", "absolute path")
def _(d):
    return _std(d, file="C:\\Users\\data\\s.csv")


@case("path_home", "absolute path")
def _(d):
    return _std(d, file="~/s.csv")


@case("path_symlink_out", "outside the dataset folder")
def _(d):
    outside = d.parent / f"{d.name}_secret.csv"
    outside.write_text(H.survey_text(), encoding="utf-8")
    os.symlink(outside, d / "link.csv")
    _write_yml(d, _doc(file="link.csv"))
    return ["validate", str(d)]


@case("path_symlink_dev_zero", "outside the dataset folder")
def _(d):
    os.symlink("/dev/zero", d / "s.csv")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("path_symlink_in_glob_out", "outside the dataset folder")
def _(d):
    _survey(d, "a.csv")
    outside = d.parent / f"{d.name}_b.csv"
    outside.write_text(H.survey_text(), encoding="utf-8")
    os.symlink(outside, d / "b.csv")
    _write_yml(d, _doc(file="*.csv"))
    return ["validate", str(d)]


@case("path_symlink_inside_ok", ok=_rows(3))
def _(d):
    (d / "data").mkdir()
    _survey(d / "data", "real.csv")
    os.symlink(d / "data" / "real.csv", d / "s.csv")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("path_fifo", "not a regular file")
def _(d):
    os.mkfifo(d / "s.csv")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("path_fifo_in_glob", "not a regular file")
def _(d):
    _survey(d, "a.csv")
    os.mkfifo(d / "b.csv")
    _write_yml(d, _doc(file="*.csv"))
    return ["validate", str(d)]


@case("path_names_a_folder", "folder, not a file")
def _(d):
    (d / "s.csv").mkdir()
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("path_missing", "is not in")
def _(d):
    _write_yml(d, _doc(file="nope.csv"))
    return ["validate", str(d)]


@case("path_empty", "file is a file name or glob")
def _(d):
    _write_yml(d, _doc(file=""))
    return ["validate", str(d)]


@case("path_number", "file is a file name or glob")
def _(d):
    _write_yml(d, _doc(file=123))
    return ["validate", str(d)]


@case("path_nul_byte", "file of")
def _(d):
    _write_yml(d, _doc(file="s\x00.csv"))
    return ["validate", str(d)]


@case("path_dataset_is_a_data_file", "data file, not a dataset")
def _(d):
    return ["validate", str(_survey(d))]


@case("path_dataset_missing", "does not exist")
def _(d):
    return ["validate", str(d / "nope")]


@case("path_glob_no_match", "is not in")
def _(d):
    _write_yml(d, _doc(file="skp_*.xlsx"))
    return ["validate", str(d)]


# --------------------------------------------------------------------------------------------------- options
for _opts, _word in (
    ({"sep": ";;"}, "one character"),
    ({"sep": ""}, "sep is a text"),
    ({"sep": '"'}, "one character"),
    ({"header_row": 10**12}, "1,048,576"),
    ({"skip_rows": 10**12}, "1,048,576"),
    ({"header_row": -1}, "header_row"),
    ({"header_row": True}, "header_row"),
    ({"encoding": "utf-99"}, "codec name"),
    ({"sheet": -1}, "sheet"),
    ({"colour": "red"}, "option 'colour'"),
    ({"dayfirst": "ya"}, "dayfirst"),
    ({"decimal": ";"}, "decimal"),
):

    @case(f"option_{'_'.join(f'{k}_{v}' for k, v in _opts.items())[:40]}", _word)
    def _(d, _opts=_opts):
        return _std(d, options=_opts)


@case("option_header_row_past_the_end", "only 4 lines")
def _(d):
    return _std(d, options={"header_row": 1_000_000})


@case("option_skip_rows_past_the_end", "no data rows after skipping 1,000,001 lines")
def _(d):
    return _std(d, options={"skip_rows": 1_000_000})


@case("option_reader_unknown", "readers are")
def _(d):
    return _std(d, reader="pdf")


@case("option_reader_excel_for_csv", "not an .xlsx")
def _(d):
    return _std(d, reader="excel")


# --------------------------------------------------------------------------------------------------- mappings
@case("map_columns_list", "columns is a list")
def _(d):
    return _std(d, columns=["NIP", "Tahap"])


@case("map_unknown_target", "'NIP' -> 'nipp'")
def _(d):
    return _std(d, columns={"NIP": "nipp", "Tahap": "wave"})


@case("map_target_null", "maps to one canonical column")
def _(d):
    return _std(d, columns={"NIP": None})


@case("map_two_headers_to_nip", "are both mapped to 'nip'")
def _(d):
    (d / "s.csv").write_text(
        "NIP,NIP Baru,Kabupaten/Kota,Tahap\n198503122010011001,198503122010011001,Kota Bengkulu,pre\n",
        encoding="utf-8",
    )
    _write_yml(
        d, {"tables": {"survey": [{"file": "s.csv", "columns": {"NIP": "nip", "NIP Baru": "nip", "Tahap": "wave"}}]}}
    )
    return ["validate", str(d)]


@case("map_question_missing_from_file", "mapped to 'RTC02' in dataset.yml, is not in the file")
def _(d):
    return _std(d, columns={**ENTRY["columns"], "Saya lebih suka rutinitas": "RTC02"})


@case("map_required_missing", "required columns missing")
def _(d):
    return _std(d, columns={"NIP": "nip", "Tahap": "wave"})


@case("map_constant_list", "a constant is a single value")
def _(d):
    return _std(d, constants={"wave": ["pre", "post"]})


@case("map_constant_unknown_column", "constant column 'warna'")
def _(d):
    return _std(d, constants={"warna": "merah"})


@case("map_values_not_mapping", "values maps a column")
def _(d):
    return _std(d, values={"wave": ["pre"]})


@case("map_region_atlantis", "cannot be used")
def _(d):
    return _std(d, region="Atlantis", columns={"NIP": "nip", "Tahap": "wave"})


@case("map_region_ambiguous", "ambiguous")
def _(d):
    return _std(d, region="Kupang", columns={"NIP": "nip", "Tahap": "wave"})


@case("map_region_bps_unknown", "BPS")
def _(d):
    return _std(d, region="1199", columns={"NIP": "nip", "Tahap": "wave"})


@case("map_region_from_filename_none", "no single region")
def _(d):
    return _std(d, region="from_filename", columns={"NIP": "nip", "Tahap": "wave"})


@case("map_region_bps_in_spec_ok", ok=_rows(3))
def _(d):
    return _std(d, region="1771", columns={"NIP": "nip", "Tahap": "wave", "RTC01": "RTC01"})


@case("map_likert_unknown_set", "label set 'agree9'")
def _(d):
    _survey(d)
    _write_yml(d, {**_doc(), "likert": {"RTC": "agree9"}})
    return ["validate", str(d)]


@case("map_construct_unknown", "constructs: construct 'resistence'")
def _(d):
    _survey(d)
    _write_yml(d, {**_doc(), "constructs": {"resistence": "rtc"}})
    return ["validate", str(d)]


@case("map_own_codebook_outside", "climbs out")
def _(d):
    _survey(d)
    _write_yml(d, {**_doc(), "instruments": {"survey": ["../evil.yml"]}})
    return ["validate", str(d)]


@case("map_own_codebook_alias_bomb", "alias bomb")
def _(d):
    _survey(d)
    (d / "own.yml").write_text(H.alias_bomb() + "name: *a9\n", encoding="utf-8")
    _write_yml(d, {**_doc(), "instruments": {"survey": ["own.yml"]}})
    return ["validate", str(d)]


@case("map_own_codebook_too_many_items", "at most 500 items")
def _(d):
    _survey(d)
    items = [{"id": f"Q{i}", "dimension": "a", "text_id": f"pertanyaan {i}"} for i in range(600)]
    cb = {
        "name": "own",
        "source": "x",
        "scale": {"label_set": "agree5"},
        "dimensions": {"a": {"name_id": "A", "name_en": "A"}},
    }
    (d / "own.yml").write_text(yaml.safe_dump({**cb, "items": items}), encoding="utf-8")
    _write_yml(d, {**_doc(), "instruments": {"survey": ["own.yml"]}})
    return ["validate", str(d)]


@case("map_own_codebook_binary", "binary")
def _(d):
    _survey(d)
    (d / "own.yml").write_bytes(b"\x00\x01\x02" * 100)
    _write_yml(d, {**_doc(), "instruments": {"survey": ["own.yml"]}})
    return ["validate", str(d)]


# --------------------------------------------------------------------------------------------------- CSV files
for _name, (_writer, _words) in sorted(H.HOSTILE.items()):

    @case(f"csv_{_name}", *_words)
    def _(d, _writer=_writer, _name=_name):
        p = _writer(d)
        entry = {"file": p.name, "columns": {"NIP": "nip", "Nama": "name", "Tahap": "wave"}, "region": "18.71"}
        if _name == "wrong_encoding":
            entry["options"] = {"encoding": "utf-8"}
        _write_yml(d, {"tables": {"survey": [entry]}})
        return ["validate", str(d)]


def _unit_kept(d, out):
    assert "survey: 3 rows in, 3 used" in out, out
    t = readers.read_file(next(d.glob("s.csv")))
    assert t.data["Unit Kerja"].tolist() == ["Dinas Pariwisata Caf\u00e9"] * 3, t.data


for _enc, _nl in (
    ("utf-16", "\r\n"),
    ("utf-16-le", "\r\n"),
    ("utf-16-be", "\n"),
    ("utf-32", "\n"),
    ("utf-32-le", "\n"),
    ("utf-8-sig", "\r\n"),
    ("cp1252", "\r\n"),
    ("utf-8", "\r"),
    ("cp1252", "\r"),
    ("utf-8", "\n\r\n"),
):

    @case(
        f"csv_{_enc}_{'cr' if _nl == chr(13) else 'crlf' if _nl == chr(13) + chr(10) else 'lf'}_{len(_nl)}",
        ok=_unit_kept,
    )
    def _(d, _enc=_enc, _nl=_nl):
        H.encoded_survey(d, _enc, _nl)
        _write_yml(d, _doc())
        return ["validate", str(d)]


@case("csv_stated_encoding_utf16", ok=_unit_kept)
def _(d):
    H.encoded_survey(d, "utf-16")
    _write_yml(d, _doc(options={"encoding": "utf-16"}))
    return ["validate", str(d)]


def _mixed_ok(d, out):
    assert "survey: 30,001 rows in" in out, out
    t = readers.read_file(d / "s.csv")
    assert t.data["Unit Kerja"].iloc[0] == "Dinas Pariwisata Caf\u00e9"  # UTF-8 kept, never "CafÃ©"
    assert t.data["Unit Kerja"].iloc[-1] == "Andr\u00e9 Caf\u00e9"
    assert t.notes == [
        {"row": 30_001, "column": "Unit Kerja", "value": "Andr\u00e9 Caf\u00e9", "rule": "encoding_mixed"}
    ]


@case("csv_utf8_with_one_cp1252_row", ok=_mixed_ok)
def _(d):
    H.mixed_utf8_cp1252(d)
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_undefined_cp1252_byte_in_utf8", "neither UTF-8 nor Windows-1252")
def _(d):
    good = "\n".join(f"1985031220100{i:05d},Kota Bengkulu,pre,Setuju" for i in range(1, 60_000))
    (d / "s.csv").write_bytes(
        (H.SURVEY_HEADER + "\n" + good + "\n").encode()
        + "198503122099911001,Kota Bengkulu,pré\x81,Setuju\n".encode("latin-1")
        + "\n1,Café,pre,S\n".encode()
    )
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_nul_bytes_far_down", "fields")
def _(d):
    good = "\n".join(f"1985031220100{i:05d},Kota Bengkulu,pre,Setuju" for i in range(1, 60_000))
    (d / "s.csv").write_bytes((H.SURVEY_HEADER + "\n" + good + "\n").encode() + b"\x00\x00\x00\x00\n")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_only_a_bom", "empty")
def _(d):
    (d / "s.csv").write_bytes(b"\xef\xbb\xbf")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_only_newlines", "empty")
def _(d):
    (d / "s.csv").write_bytes(b"\r\n\r\n\n")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_header_only_separators", "no header row")
def _(d):
    (d / "s.csv").write_text(",,,\n1,2,3,4\n", encoding="utf-8")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_duplicate_header_case", "appears in columns 1 and 2")
def _(d):
    (d / "s.csv").write_text("NIP,nip,Kabupaten/Kota,Tahap\n1,1,Kota Bengkulu,pre\n", encoding="utf-8")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_header_holds_a_nip", "no header row")
def _(d):
    (d / "s.csv").write_text("198503122010011001,Kota Bengkulu,pre\n198503122010011002,Kota Bengkulu,pre\n")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_unterminated_quote", "fields")
def _(d):
    (d / "s.csv").write_text(H.survey_text() + '198503122010011004,"Kota Bengkulu,pre,Setuju\n', encoding="utf-8")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_quoted_newlines_ok", ok=_rows(2))
def _(d):
    (d / "s.csv").write_text(
        H.SURVEY_HEADER + '\n198503122010011001,"Kota\nBengkulu",pre,Setuju\n198503122010011002,Kota Bengkulu,pre,S\n'
    )
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_tab_separated_ok", ok=_rows(3))
def _(d):
    (d / "s.csv").write_text(H.survey_text().replace(",", "\t"), encoding="utf-8")
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_huge_cell_small", "characters; rule: a table cell holds at most 1,048,576")
def _(d):
    H.huge_cell_csv(d)
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_is_a_workbook", "binary")
def _(d):
    import io

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"NIP": ["1"]}).to_excel(buf, index=False)
    (d / "s.csv").write_bytes(buf.getvalue())
    _write_yml(d, _doc())
    return ["validate", str(d)]


@case("csv_extension_unknown", "extension '.pdf'")
def _(d):
    (d / "s.pdf").write_text(H.survey_text(), encoding="utf-8")
    _write_yml(d, _doc(file="s.pdf"))
    return ["validate", str(d)]


@case("csv_too_many_rows_limit", "rows; rule: at most")
def _(d, monkeypatch=None):
    (d / "s.csv").write_text(H.survey_text(rows=H.SURVEY_ROWS * 5), encoding="utf-8")
    _write_yml(d, _doc())
    return ["validate", str(d)]


# --------------------------------------------------------------------------------------------------- workbooks
SKP = {"file": "skp.xlsx", "region": "17.71", "columns": {"NIP": "nip", "Periode": "period"}}


def _skp(d, writer):
    writer(d)
    _write_yml(d, {"tables": {"performance": [SKP]}})
    return ["validate", str(d)]


@case("xlsx_zip_bomb_rows_small", "zip bomb")
def _(d):
    return _skp(d, lambda d: H.zip_bomb_xlsx(d, rows=60_000))


@case("xlsx_zip_bomb_cells_small", "zip bomb")
def _(d):
    return _skp(d, lambda d: H.zip_bomb_xlsx(d, rows=5_000, cols=30))


@case("xlsx_zip_bomb_full_size", "zip bomb", slow=True)
def _(d):
    return _skp(d, lambda d: H.zip_bomb_xlsx(d, rows=1_100_000))


@case("xlsx_zip_not_workbook", "not an .xlsx workbook")
def _(d):
    return _skp(d, H.zip_not_xlsx)


@case("xlsx_truncated", "damaged")
def _(d):
    return _skp(d, H.truncated_xlsx)


@case("xlsx_not_zip", "not an .xlsx")
def _(d):
    return _skp(d, lambda d: (d / "skp.xlsx").write_text("teks biasa", encoding="utf-8"))


@case("xlsx_encrypted_ole", "not an .xlsx")
def _(d):
    return _skp(d, lambda d: (d / "skp.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600))


@case("xlsx_empty_file", "not an .xlsx")
def _(d):
    return _skp(d, lambda d: (d / "skp.xlsx").write_bytes(b""))


def _xlsx(d, frame_rows, sheet="SKP", startrow=0):
    import pandas as pd

    with pd.ExcelWriter(d / "skp.xlsx") as xw:
        pd.DataFrame(frame_rows).to_excel(xw, sheet_name=sheet, startrow=startrow, index=False)


@case("xlsx_sheet_missing", "sheet 'Rekap' does not exist")
def _(d):
    _xlsx(d, {"NIP": ["198503122010011001"], "Periode": ["Semester I 2025"]})
    _write_yml(d, {"tables": {"performance": [{**SKP, "options": {"sheet": "Rekap"}}]}})
    return ["validate", str(d)]


@case("xlsx_sheet_number_missing", "sheet number 7 does not exist")
def _(d):
    _xlsx(d, {"NIP": ["198503122010011001"], "Periode": ["Semester I 2025"]})
    _write_yml(d, {"tables": {"performance": [{**SKP, "options": {"sheet": 7}}]}})
    return ["validate", str(d)]


@case("xlsx_header_row_below_end", "below the last row")
def _(d):
    _xlsx(d, {"NIP": ["198503122010011001"], "Periode": ["Semester I 2025"]})
    _write_yml(d, {"tables": {"performance": [{**SKP, "options": {"header_row": 500}}]}})
    return ["validate", str(d)]


@case("xlsx_empty_sheet", "is empty")
def _(d):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "SKP"
    wb.save(d / "skp.xlsx")
    _write_yml(d, {"tables": {"performance": [SKP]}})
    return ["validate", str(d)]


@case("xlsx_wide_sheet", "columns; rule: at most 2000")
def _(d):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([f"c{i}" for i in range(2500)])
    ws.append(list(range(2500)))
    wb.save(d / "skp.xlsx")
    _write_yml(d, {"tables": {"performance": [SKP]}})
    return ["validate", str(d)]


@case("xlsx_title_rows_and_cafe_ok", ok=lambda d, out: "performance: 2 rows in" in out)
def _(d):
    _xlsx(
        d,
        {
            "NIP": ["198503122010011001", "198503122010011002"],
            "Periode": ["Semester I 2025"] * 2,
            "Unit": ["Café", "Café"],
        },
        startrow=3,
    )
    _write_yml(d, {"tables": {"performance": [SKP]}})
    return ["validate", str(d)]


# --------------------------------------------------------------------------------------------------- SPSS
SAV = {"file": "t.sav", "region": "17.71", "columns": {"nip": "nip", "tahap": "wave"}}


@case("sav_junk", "cannot be read as SPSS")
def _(d):
    (d / "t.sav").write_bytes(os.urandom(3000))
    _write_yml(d, {"tables": {"survey": [SAV]}})
    return ["validate", str(d)]


@case("sav_empty", "cannot be read as SPSS")
def _(d):
    (d / "t.sav").write_bytes(b"")
    _write_yml(d, {"tables": {"survey": [SAV]}})
    return ["validate", str(d)]


@case("sav_truncated", "cannot be read as SPSS")
def _(d):
    import pandas as pd
    import pyreadstat

    pyreadstat.write_sav(
        pd.DataFrame({"nip": ["198503122010011001"] * 200, "tahap": ["pre"] * 200}), str(d / "full.sav")
    )
    data = (d / "full.sav").read_bytes()
    (d / "t.sav").write_bytes(data[: len(data) // 3])
    (d / "full.sav").unlink()
    _write_yml(d, {"tables": {"survey": [SAV]}})
    return ["validate", str(d)]


@case("sav_value_labels_ok", ok=lambda d, out: "survey: 2 rows in, 2 used" in out)
def _(d):
    import pandas as pd
    import pyreadstat

    df = pd.DataFrame({"nip": ["198503122010011001", "198503122010011002"], "tahap": ["pre", "pre"], "q": [5.0, 1.0]})
    pyreadstat.write_sav(df, str(d / "t.sav"), variable_value_labels={"q": {1.0: "Sangat Tidak Setuju", 5.0: "Café"}})
    _write_yml(d, {"tables": {"survey": [SAV]}})
    return ["validate", str(d)]


# --------------------------------------------------------------------------------------------------- other commands
@case("init_empty_folder", "has no .csv")
def _(d):
    return ["init-dataset", str(d)]


@case("init_folder_missing", "does not exist")
def _(d):
    return ["init-dataset", str(d / "nope")]


@case("init_only_junk_and_fifo", "no file in")
def _(d):
    (d / "a.csv").write_bytes(os.urandom(500) + b"\x00")
    os.mkfifo(d / "b.csv")
    return ["init-dataset", str(d)]


@case("init_existing_dataset_yml", "already exists")
def _(d):
    _survey(d)
    _write_yml(d, _doc())
    return ["init-dataset", str(d)]


@case("init_symlinked_dataset_yml", "already exists")
def _(d):
    _survey(d)
    os.symlink("/etc/hostname", d / "dataset.yml")
    return ["init-dataset", str(d)]


@case("regions_bps_code_unknown", "BPS")
def _(d):
    return ["regions", "1199"]


@case("regions_bps_code_ok", ok=lambda d, out: out.startswith("11.73\tKota Lhokseumawe"))
def _(d):
    return ["regions", "1174"]


@case("regions_unknown_name", "not in the Kemendagri registry")
def _(d):
    return ["regions", "Atlantis"]


@case("regions_huge_name", "characters is not in the Kemendagri registry")
def _(d):
    return ["regions", "x" * 100_000]


@case("synth_out_with_foreign_file", "did not write")
def _(d):
    (d / "chapter1.docx").write_bytes(b"my thesis")
    return ["data", "synth", "--scale", "0.02", "--regions", "17.71", "--out", str(d), "-q"]


@case("synth_out_is_a_file", "is a file")
def _(d):
    (d / "x").write_text("x")
    return ["data", "synth", "--scale", "0.02", "--out", str(d / "x"), "-q"]


@case("synth_out_with_foreign_dataset_yml", "did not write")
def _(d):
    _survey(d)
    _write_yml(d, _doc())
    return ["data", "synth", "--scale", "0.02", "--regions", "17.71", "--out", str(d), "-q"]


@case("synth_out_twice_ok", ok=lambda d, out: "Wrote" in out and (d / "dataset.yml").exists())
def _(d):
    with pytest.raises(SystemExit):
        main(["data", "synth", "--scale", "0.02", "--regions", "17.71", "--out", str(d), "-q"])
    return ["data", "synth", "--scale", "0.02", "--regions", "17.71", "--out", str(d), "-q"]


# --------------------------------------------------------------------------------------------------- the runner
class Hang(Exception):
    pass


@contextmanager
def _watchdog(seconds: int):
    def alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _params():
    out = []
    for name, (_, _, _, slow) in sorted(CASES.items()):
        out.append(pytest.param(name, id=name, marks=[pytest.mark.slow] if slow else []))
    return out


@pytest.mark.parametrize("name", _params())
def test_hostile_input_is_one_sentence_or_a_correct_result(name, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "hostile-test")
    if name == "csv_too_many_rows_limit":
        monkeypatch.setattr(readers, "MAX_ROWS", 10)
    if name in ("xlsx_zip_bomb_rows_small", "xlsx_zip_bomb_cells_small"):  # the full-size bomb is the slow case
        monkeypatch.setattr(readers, "MAX_EXCEL_ROWS", 50_000)
        monkeypatch.setattr(readers, "MAX_EXCEL_CELLS", 100_000)
    d = tmp_path / "ds"
    d.mkdir()
    build, words, ok, _ = CASES[name]
    t0 = time.monotonic()
    with _watchdog(LIMIT_S):
        argv = build(d)
        if argv[0] == "validate":
            argv = [*argv, "--lang", "en"]
        capsys.readouterr()
        try:
            main(argv)
            code = 0
        except SystemExit as e:
            code = e.code or 0
    assert time.monotonic() - t0 < LIMIT_S
    out, err = capsys.readouterr()
    if ok is not None:
        assert code == 0, f"{name}: expected a correct result, got exit {code}: {err}"
        ok(d, out)
        return
    assert code == 2, f"{name}: expected exit 2, got {code}; stdout {out[:300]!r}; stderr {err[:300]!r}"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], f"{name}: {w!r} not in {lines[0]!r}"


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 90
