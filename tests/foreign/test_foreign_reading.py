"""The foreign corpus (tests/foreign/README.md), reading side: `kinerja init-dataset` drafts a dataset.yml that
`kinerja validate` accepts after filling only the dimension names of a drafted codebook, and the reader, the header
mapping, the regions and the declared scales make of each export what a person reading it would."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kinerja_research.clean.likert import map_likert
from kinerja_research.cli import main
from kinerja_research.ingest.dataset import load_dataset, map_headers
from kinerja_research.ingest.draft import init_dataset
from kinerja_research.ingest.readers import read_file
from kinerja_research.regions import match_regions

HERE = Path(__file__).parent
FOLDERS = ["forms_utf8", "forms_excel", "ekinerja", "skm_semester", "bps_codes", "spss_thesis"]


def _draft(tmp_path: Path, folder: str) -> Path:
    d = tmp_path / folder
    shutil.copytree(HERE / folder, d)
    init_dataset(d)
    return d


def _name_dimensions(d: Path) -> None:
    """What the user does to a drafted codebook: give the dimensions their names (nothing else)."""
    for cb in d.glob("codebook_*.yml"):
        text = cb.read_text(encoding="utf-8")
        text = re.sub(r"name_id: Dimensi (\w+) \(beri nama\)", r"name_id: Aspek \1", text)
        text = re.sub(r"name_en: Dimension (\w+) \(name it\)", r"name_en: Aspect \1", text)
        cb.write_text(text, encoding="utf-8")


def _read(d: Path):
    """Every file of the drafted dataset read and mapped: {file name: (spec, mapped frame, mapping)}."""
    cfg = load_dataset(d)
    out = {}
    for specs in cfg.tables.values():
        for spec in specs:
            for path in cfg.files(spec):
                opts = dict(spec.options)
                opts.pop("dayfirst", None)
                opts.pop("decimal", None)
                raw = read_file(path, reader=spec.reader, **opts)
                mapping = map_headers(list(raw.data.columns), spec, path=path)
                out[path.name] = (spec, raw, mapping)
    return cfg, out


def _by_target(mapping: dict) -> dict:
    return {v: k for k, v in mapping.items()}


def _off_scale_rows(cfg, raw, mapping) -> dict[str, list[int]]:
    """Item -> data rows whose answer is not on the item's declared scale (blank answers not counted)."""
    scales = cfg.item_scales()
    out = {}
    for header, target in mapping.items():
        if target in scales:
            sc = scales[target]
            res = map_likert(raw.data[header], labels=sc.labels, low=sc.low, high=sc.high)
            bad = res.index[res["rule"].isin(["likert_unknown_label", "out_of_range"]).fillna(False)].tolist()
            if bad:
                out[target] = bad
    return out


@pytest.mark.parametrize("folder", FOLDERS)
def test_init_dataset_draft_is_accepted_after_naming_dimensions(tmp_path, folder):
    d = _draft(tmp_path, folder)
    load_dataset(d)  # as written
    _name_dimensions(d)
    cfg, files = _read(d)
    assert len(files) == 1
    for cb in cfg.codebooks.values():
        assert not any("beri nama" in v["name_id"] for v in cb.dimensions.values())


@pytest.mark.parametrize("folder", ["ekinerja", "skm_semester", "bps_codes"])
def test_validate_accepts_the_draft_through_the_cli(tmp_path, folder, capsys, monkeypatch):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "foreign-test")
    d = _draft(tmp_path, folder)
    _name_dimensions(d)
    with pytest.raises(SystemExit) as e:
        main(["validate", str(d), "--lang", "en"])
    assert e.value.code in (0, None), capsys.readouterr().err
    assert "rows in" in capsys.readouterr().out


def test_init_dataset_prints_what_to_check_and_the_next_command(tmp_path, capsys):
    d = tmp_path / "forms"
    shutil.copytree(HERE / "forms_utf8", d)
    with pytest.raises(SystemExit) as e:
        main(["init-dataset", str(d)])
    assert e.value.code in (0, None)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].endswith(f"next: kinerja validate {d}")
    assert any("constants: {wave: pre}" in line for line in out)
    assert any("codebook_survey.yml: name the dimension(s) of the 12 drafted questions" in line for line in out)


@pytest.mark.parametrize("folder, sep, encoding", [("forms_utf8", ",", "utf-8"), ("forms_excel", ";", "cp1252")])
def test_google_forms_export_and_its_excel_resave(tmp_path, folder, sep, encoding):
    d = _draft(tmp_path, folder)
    draft = yaml.safe_load((d / "dataset.yml").read_text(encoding="utf-8"))
    entry = draft["tables"]["survey"][0]
    assert entry["options"] == {"sep": sep, "encoding": encoding} and entry["reader"] == "forms"
    assert entry["constants"] == {"wave": "pre"}  # no wave column: proposed, to check
    assert draft["instruments"] == {"survey": ["codebook_survey.yml"]}
    cfg, files = _read(d)
    spec, raw, mapping = files[next(iter(files))]
    t = _by_target(mapping)
    assert t["region"] == "Instansi Pemerintah Daerah"  # found by its values; never agency
    assert t["agency"] == "Unit kerja / OPD"
    assert {t["name"], t["email"], t["phone"]} == {"Nama lengkap", "Alamat email", "Nomor HP/WhatsApp"}
    assert (t["age"], t["gender"], t["education"]) == ("Usia (tahun)", "Jenis kelamin", "Pendidikan terakhir")
    assert (t["tenure_years"], t["golongan"], t["jabatan"]) == ("Masa kerja (tahun)", "Golongan/Pangkat", "Jabatan")
    assert (t["nip"], t["submitted_at"]) == ("NIP", "Timestamp")
    assert "Saran dan masukan" not in mapping  # free text the survey table has no column for: left as a comment
    cb = cfg.codebooks["kuesioner_survey"]
    assert cb.item_ids == [f"Q{i:02d}" for i in range(1, 13)] and cb.scale["label_set"] == "agree5"
    assert cb.items["text_id"].iloc[0] == "Saya puas dengan pekerjaan saya saat ini."  # the grid row, not the title
    assert t["Q01"].endswith("[Saya puas dengan pekerjaan saya saat ini.]")
    # every answer spelling is on the declared 5-point scale, except the planted "Tidak tahu" (row 15, item 5)
    assert _off_scale_rows(cfg, raw, mapping) == {"Q05": [15]}
    sc = cfg.item_scales()["Q01"]
    assert (sc.low, sc.high) == (1, 5)
    # regions: the spellings resolve, "Kupang" alone (row 37) is ambiguous
    m = match_regions(raw.data[t["region"]], level="kabkota").set_index("value")
    assert set(m.loc[m["status"] == "ok", "code"]) == {"53.71", "11.73"}
    assert m.loc["Kupang", "status"] == "ambiguous"
    # text cells as written, non-ASCII kept in either encoding
    data = raw.data
    assert data.loc[10, t["name"]] == "Zulfikar Ma\u2019ruf" and data.loc[5, t["name"]] == "Andr\u00e9 Pello"
    assert data.loc[17, "Saran dan masukan"] == "Kantin caf\u00e9 di kantor perlu diperbaiki \u2013 terima kasih."
    assert data.loc[7, t["age"]] == "250" and pd.isna(data.loc[12, t["nip"]])
    assert data.loc[19, t["nip"]] == "1.98703E+17" and len(data.loc[23, t["nip"]]) == 17
    assert (data.loc[28, [t[f"Q{i:02d}"] for i in range(1, 13)]] == "Setuju").all()
    assert len(data) == 60


def test_ekinerja_export_pppk_and_quarters(tmp_path):
    d = _draft(tmp_path, "ekinerja")
    draft = yaml.safe_load((d / "dataset.yml").read_text(encoding="utf-8"))
    entry = draft["tables"]["performance"][0]
    assert entry["options"] == {"header_row": 5} and entry["region"] == "from_filename"
    cfg, files = _read(d)
    spec, raw, mapping = files["ekinerja_kota_lhokseumawe_2025.xlsx"]
    t = _by_target(mapping)
    assert t["nip"] == "NIP/NI PPPK" and t["jabatan"] == "Jabatan" and t["capaian_pct"] == "Capaian (%)"
    assert t["rating_hasil_kerja"] == "Hasil Kerja" and t["predikat"] == "Predikat Kinerja"
    data = raw.data
    assert data.loc[3, t["nip"]] == "200012312024211001"  # an NI PPPK, as text
    assert data[t["period"]].tolist()[::4] == [
        "Triwulan II 2025",
        "Triwulan II 2025",
        "TW 3 2025",
        "Q4",
        "Triwulan IV 2025",
    ]
    assert data.loc[13, t["period"]] == "Q4" and data.loc[10, t["golongan"]] == "Gol. III"
    assert data.loc[1, t["capaian_pct"]] == "98.5" and data.loc[2, t["capaian_pct"]] == "112"
    assert pd.isna(data.loc[18, t["nip"]]) and len(data) == 18
    from kinerja_research.ingest.dataset import region_from_filename

    assert region_from_filename(raw.path, spec.region) == "11.73"


def test_skm_export_in_the_regulation_wording(tmp_path):
    d = _draft(tmp_path, "skm_semester")
    cfg, files = _read(d)
    spec, raw, mapping = next(iter(files.values()))
    t = _by_target(mapping)
    assert t["U9"].startswith("8. ") and "sarana dan prasarana" in t["U9"]  # asked 8th, keyed by wording
    assert t["U8"].startswith("9. ") and "pengaduan" in t["U8"]
    assert [t[f"U{i}"][:2] for i in range(1, 8)] == [f"{i}." for i in range(1, 8)]
    assert (t["period"], t["service_unit"], t["occupation"]) == ("Periode", "Jenis Layanan", "Pekerjaan")
    assert spec.region == "from_filename"
    # the regulation's answer words are on each unsur's scale; only the two planted answers are not
    assert _off_scale_rows(cfg, raw, mapping) == {"U9": [5], "U1": [12]}
    assert raw.data.loc[21, "Periode"] in ("Semester II 2025", "Smt 2 2025") and raw.data.loc[1, "Periode"] == (
        "Semester I 2025"
    )


def test_bps_codes_are_read_through_the_crosswalk(tmp_path):
    d = _draft(tmp_path, "bps_codes")
    cfg, files = _read(d)
    spec, raw, mapping = next(iter(files.values()))
    t = _by_target(mapping)
    assert t["region"] == "Kode Kab/Kota" and spec.table == "training"  # found by its values
    m = match_regions(raw.data[t["region"]], level="kabkota").set_index("value")
    assert m.loc["1174", "code"] == "11.73" and m.loc["1173", "code"] == "11.74" and m.loc["5303", "code"] == "53.01"
    assert m.loc["1174", "matched_by"] == "bps" and m.loc["11.73", "matched_by"] == "code"
    assert m.loc["1199", "status"] == "unknown" and "BPS" in m.loc["1199", "message"]
    assert raw.data.loc[10, t["jp"]] == "32,5"


def test_spss_thesis_value_labels_and_wording(tmp_path):
    d = _draft(tmp_path, "spss_thesis")
    _name_dimensions(d)
    cfg, files = _read(d)
    spec, raw, mapping = next(iter(files.values()))
    cb = cfg.codebooks["kuesioner_survey"]
    assert cb.scale["label_set"] == "agree5" and list(cb.dimensions) == ["dimensi_x", "dimensi_y"]
    assert cb.dimension_items() == {
        "dimensi_x": [f"Q{i:02d}" for i in range(1, 6)],
        "dimensi_y": [f"Q{i:02d}" for i in range(6, 11)],
    }
    assert cb.items["text_id"].iloc[0] == "Materi pelatihan sesuai dengan kebutuhan pekerjaan saya"  # variable label
    t = _by_target(mapping)
    assert (t["nip"], t["name"], t["gender"], t["age"], t["education"]) == ("nip", "nama", "jk", "umur", "pddk")
    assert (
        raw.data.loc[1, "x1"] == "Setuju"
        and raw.data.loc[6, "x1"] == "Ragu-ragu"
        and raw.data.loc[1, "jk"] == ("Perempuan")
    )
    assert _off_scale_rows(cfg, raw, mapping) == {"Q05": [19]}  # x5 = 0 has no value label
    assert spec.constants == {"wave": "pre"} and spec.region == "from_filename"
