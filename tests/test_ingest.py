"""Readers, dataset.yml, header mapping, init-dataset, hostile files (one clear error each, never a traceback)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from hostile import HOSTILE  # noqa: E402

from kinerja_research.errors import InputFileError, KinerjaError  # noqa: E402
from kinerja_research.ingest.dataset import load_dataset, map_headers  # noqa: E402
from kinerja_research.ingest.draft import init_dataset, recognise_headers  # noqa: E402
from kinerja_research.ingest.readers import read_file  # noqa: E402

ROWS = [["198503122010011001", "André", "87,5"], ["19850312 201001 1 002", "Siti", "90"]]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_separators_and_encodings_detected(tmp_path, sep, encoding):
    import csv
    import io

    p = tmp_path / "f.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows([["NIP", "Nama", "Nilai"], *ROWS])
    p.write_bytes(buf.getvalue().encode(encoding))
    t = read_file(p)
    assert t.sep == sep
    assert list(t.data.columns) == ["NIP", "Nama", "Nilai"]
    assert t.data["Nama"].tolist() == ["André", "Siti"]
    assert t.data["NIP"].tolist() == ["198503122010011001", "19850312 201001 1 002"]  # text, never a float
    assert t.data.index.tolist() == [1, 2]


def test_cp1252_after_the_first_megabyte_is_detected(tmp_path):
    p = tmp_path / "late.csv"
    filler = "".join(f"{i},x\n" for i in range(200_000))
    p.write_bytes(("a,b\n" + filler + "1,caf\u00e9\n").encode("cp1252"))
    t = read_file(p)
    assert t.encoding == "cp1252" and t.data["b"].iloc[-1] == "café"


def test_forms_export_with_multiline_answers_and_header_row(tmp_path):
    p = tmp_path / "forms.csv"
    p.write_text(
        'Laporan survei\nTimestamp,Saran\n"2025/03/12 10:15:30 AM GMT+7","baris satu\nbaris dua"\n', encoding="utf-8"
    )
    t = read_file(p, reader="forms", header_row=2)
    assert t.data["Saran"].tolist() == ["baris satu\nbaris dua"]
    assert t.reader == "forms"


def test_excel_header_not_on_row_one_numbers_and_sheet(tmp_path):
    p = tmp_path / "skp.xlsx"
    body = pd.DataFrame(
        {
            "NIP": [1.98503122010011e17, 198503122010011002],
            "Capaian": [87.5, 100.125],
            "Tanggal": pd.to_datetime(["2025-03-12", "2025-04-01"]),
        }
    )
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame([["Judul"], ["Sub judul"]]).to_excel(xw, sheet_name="Lain", header=False, index=False)
        pd.DataFrame([["REKAP SKP"], [None]]).to_excel(xw, sheet_name="SKP", header=False, index=False)
        body.to_excel(xw, sheet_name="SKP", startrow=3, index=False)
    t = read_file(p, sheet="SKP", expect_headers=["NIP", "Capaian"])
    assert t.header_row == 4
    # a NIP stored as a number cannot be exact (doubles): shown as Excel shows it, so the NIP check flags it
    assert t.data["NIP"].tolist() == ["198503122010011000", "198503122010011000"]
    assert t.data["Capaian"].tolist() == ["87.5", "100.1250"]
    assert t.data["Tanggal"].tolist() == ["2025-03-12", "2025-04-01"]
    assert t.data.index.tolist() == [1, 2]
    with pytest.raises(InputFileError, match="sheet 'Nope' does not exist"):
        read_file(p, sheet="Nope")


def test_spss_value_labels_kept(tmp_path):
    import pyreadstat

    p = tmp_path / "thesis.sav"
    df = pd.DataFrame({"nip": ["198503122010011001", "198503122010011002"], "q1": [5.0, 1.0], "umur": [40.0, 35.5]})
    pyreadstat.write_sav(
        df,
        str(p),
        variable_value_labels={"q1": {1.0: "Sangat Tidak Setuju", 5.0: "Sangat Setuju"}},
        column_labels=["NIP pegawai", "Saya suka perubahan", "Umur"],
    )
    t = read_file(p)
    assert t.data["q1"].tolist() == ["Sangat Setuju", "Sangat Tidak Setuju"]
    assert t.data["umur"].tolist() == ["40", "35.5"]
    t2 = read_file(p, headers="labels")
    assert list(t2.data.columns) == ["NIP pegawai", "Saya suka perubahan", "Umur"]


def _dataset(tmp_path, entry: dict, table="survey") -> Path:
    (tmp_path / "dataset.yml").write_text(yaml.safe_dump({"name": "t", "tables": {table: [entry]}}), encoding="utf-8")
    return tmp_path


def test_dataset_yml_errors_are_one_sentence(tmp_path):
    with pytest.raises(InputFileError, match="no dataset.yml"):
        load_dataset(tmp_path)
    _dataset(tmp_path, {"file": "x.csv", "colums": {}})
    with pytest.raises(KinerjaError, match="key 'colums'"):
        load_dataset(tmp_path)
    _dataset(tmp_path, {"file": "x.csv", "columns": {"NIP": "nipp"}})
    with pytest.raises(KinerjaError, match="'NIP' -> 'nipp'"):
        load_dataset(tmp_path)
    (tmp_path / "dataset.yml").write_text("tables: [unclosed", encoding="utf-8")
    with pytest.raises(KinerjaError, match="not valid YAML"):
        load_dataset(tmp_path)
    _dataset(tmp_path, {"file": "missing_*.csv", "columns": {"NIP": "nip"}})
    cfg = load_dataset(tmp_path)
    with pytest.raises(InputFileError, match="'missing_\\*.csv' is not in"):
        cfg.files(cfg.tables["survey"][0])


def test_missing_required_columns_name_the_closest_headers(tmp_path):
    _dataset(tmp_path, {"file": "s.csv", "columns": {"NIP Pegawai": "nip", "Tahap": "wave", "Kab/Kota": "region"}})
    spec = load_dataset(tmp_path).tables["survey"][0]
    with pytest.raises(InputFileError) as e:
        map_headers(["NIP pegawai baru", "Tahap", "Kabupaten / Kota"], spec, path=tmp_path / "s.csv")
    msg = str(e.value)
    assert "'nip' (expected header 'NIP Pegawai'; closest found: 'NIP pegawai baru')" in msg
    assert "'region'" in msg and "'Kabupaten / Kota'" in msg
    assert "\n" not in msg
    ok = map_headers(["nip  pegawai", "tahap", "Kab/Kota"], spec, path=tmp_path / "s.csv")
    assert ok == {"nip  pegawai": "nip", "tahap": "wave", "Kab/Kota": "region"}


def test_init_dataset_recognises_headers_and_codebook_wording(tmp_path):
    from kinerja_research.instruments import load_codebook

    rtc = load_codebook("rtc").items
    pd.DataFrame(
        {
            "Timestamp": ["2025-01-01"],
            "NIP": ["198503122010011001"],
            "Tahap survei": ["pre"],
            "Kabupaten/Kota": ["Kota Bengkulu"],
            rtc.loc[0, "text_id"]: ["Setuju"],
            f"Pernyataan [{rtc.loc[1, 'text_id']}]": ["Setuju"],
            "Hobi": ["x"],
        }
    ).to_csv(tmp_path / "survey.csv", index=False)
    out, report = init_dataset(tmp_path)
    cfg = load_dataset(out)
    spec = cfg.tables["survey"][0]
    assert spec.reader == "forms"
    assert spec.columns["NIP"] == "nip" and spec.columns[rtc.loc[0, "text_id"]] == "RTC01"
    assert spec.columns[f"Pernyataan [{rtc.loc[1, 'text_id']}]"] == "RTC02"
    assert "'Hobi'" in out.read_text(encoding="utf-8")
    assert "table survey" in report[0]
    with pytest.raises(KinerjaError, match="already exists"):
        init_dataset(tmp_path)
    cols, _, unknown = recognise_headers(["Jenis Kelamin", "Umur", "Zzz"])
    assert cols == {"Jenis Kelamin": "gender", "Umur": "age"} and unknown == ["Zzz"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_give_one_clear_error_no_traceback(tmp_path, name, capsys, monkeypatch):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "test")
    writer, words = HOSTILE[name]
    path = writer(tmp_path)
    entry = {"file": path.name, "columns": {"NIP": "nip", "Nama": "name", "Tahap": "wave"}, "region": "18.71"}
    if name == "wrong_encoding":
        entry["options"] = {"encoding": "utf-8"}
    _dataset(tmp_path, entry)
    from kinerja_research.cli import main

    with pytest.raises(SystemExit) as e:
        main(["validate", str(tmp_path)])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: file '" + path.name + "'"), err
    assert "\n" not in err and "Traceback" not in err
    for w in words:
        assert w in err, err


BAD_DATASET_YML = [  # (entry changes or top-level changes, text the one-sentence message must contain)
    ({"top": {"reference_date": "2026-13-45"}}, "reference_date '2026-13-45'"),
    ({"options": {"sep": 5}}, "option sep: 5"),
    ({"options": {"header_row": "abc"}}, "option header_row: 'abc'"),
    ({"options": {"header_row": 0}}, "option header_row: 0"),
    ({"options": {"skip_rows": -1}}, "option skip_rows: -1"),
    ({"top": {"quality": {"seconds_per_item": "abc"}}}, "quality.seconds_per_item: 'abc'"),
    ({"top": {"quality": {"seconds_per_item": -3}}}, "quality.seconds_per_item: -3"),
    ({"columns": ["NIP", "Tahap"]}, "columns is a list"),
    ({"values": 5}, "values is 5"),
    ({"constants": {"foo": 1}}, "constant column 'foo'"),
    ({"top": {"instruments": {"satisfaction": ["skmx"]}}}, "codebook 'skmx'"),
    ({"top": {"likert": {"RTC": "agree9"}}}, "label set 'agree9'"),
]


@pytest.mark.parametrize("change,expected", BAD_DATASET_YML)
def test_dataset_yml_option_types_checked_in_one_sentence(tmp_path, change, expected):
    """Reviewer finding: these gave tracebacks (date inside the YAML parser, sep/header_row/quality types, columns as
    a list) or were silently accepted; each must be refused by load_dataset with file, key, value and rule."""
    entry = {"file": "s.csv", "columns": {"NIP": "nip", "Tahap": "wave", "Kab": "region"}}
    doc = {"name": "t", "tables": {"survey": [entry]}}
    for k, v in change.items():
        if k == "top":
            doc.update(v)
        else:
            entry[k] = v
    (tmp_path / "dataset.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    if expected.startswith("reference_date"):  # unquoted, as a user writes it (PyYAML would build a date)
        (tmp_path / "dataset.yml").write_text(
            yaml.safe_dump(doc).replace("'2026-13-45'", "2026-13-45"), encoding="utf-8"
        )
    with pytest.raises(KinerjaError) as e:
        load_dataset(tmp_path)
    msg = str(e.value)
    assert expected in msg and "dataset.yml" in msg and "rule:" in msg and "\n" not in msg


def test_dataset_yml_duplicate_keys_and_tables_list(tmp_path):
    (tmp_path / "dataset.yml").write_text(
        "name: t\ntables:\n  survey:\n    - file: s.csv\n      columns:\n        NIP: nip\n        NIP: wave\n",
        encoding="utf-8",
    )
    with pytest.raises(KinerjaError, match="duplicate key 'NIP'"):
        load_dataset(tmp_path)
    (tmp_path / "dataset.yml").write_text("name: t\ntables:\n  - survey\n", encoding="utf-8")
    with pytest.raises(KinerjaError, match="'tables' is a list"):
        load_dataset(tmp_path)
    (tmp_path / "dataset.yml").write_text(
        "name: t\nreference_date: 2026-11-01\ntables:\n  survey:\n"
        "    - file: s.csv\n      options: {header_row: 4, sep: ';'}\n"
        "quality: {seconds_per_item: 1.5, straight_min_items: 8}\n",
        encoding="utf-8",
    )
    cfg = load_dataset(tmp_path)
    assert cfg.reference_date == pd.Timestamp("2026-11-01") and cfg.quality["seconds_per_item"] == 1.5


def test_file_without_header_row_never_echoes_its_first_row(tmp_path):
    """Reviewer finding: a CSV without a header row gave "closest found: 'Maya Siti Erwin'" (a name)."""
    _dataset(
        tmp_path, {"file": "s.csv", "columns": {"NIP": "nip", "Nama": "name", "Tahap": "wave", "Kab/Kota": "region"}}
    )
    spec = load_dataset(tmp_path).tables["survey"][0]
    first_row = ["198711182013091001", "Maya Siti Erwin", "pre", "Kota Bengkulu"]
    with pytest.raises(InputFileError) as e:
        map_headers(first_row, spec, path=tmp_path / "s.csv")
    msg = str(e.value)
    assert "no header row" in msg and "\n" not in msg
    assert not any(v in msg for v in first_row)


def test_nonexistent_dataset_folder_is_named(tmp_path, capsys):
    from kinerja_research.cli import main

    with pytest.raises(InputFileError, match="does not exist"):
        load_dataset(tmp_path / "nonexistent")
    for args in (["validate", str(tmp_path / "nonexistent")], ["clean", str(tmp_path / "nonexist")]):
        with pytest.raises(SystemExit) as e:
            main(args)
        assert e.value.code not in (0, None)
        err = capsys.readouterr().err
        assert "does not exist" in err and "init-dataset" not in err
