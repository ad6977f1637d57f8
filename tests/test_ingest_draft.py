"""`kinerja init-dataset`: the draft is accepted as written; columns recognised by their values; only targets a table
accepts (the others as comments saying why); glob entries for files that share a layout."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from kinerja_research.ingest.dataset import load_dataset
from kinerja_research.ingest.draft import infer_label_set, init_dataset
from kinerja_research.instruments import load_codebook


def test_region_question_found_by_its_values_never_agency(tmp_path):
    pd.DataFrame(
        {
            "Timestamp": ["2025-01-01 10:00:00"] * 4,
            "NIP": ["198503122010011001", "198503122010011002", "198503122010012003", "198503122010011004"],
            "Instansi": ["Pemkot Kupang", "Kota Lhokseumawe", "Kota Kupang", "Lhokseumawe"],
            "OPD": ["Dinas Pendidikan", "BKPSDM", "Bappeda", "Dinkes"],
            "Tahap": ["Sebelum", "Sebelum", "Sesudah", "Sesudah"],
        }
    ).to_csv(tmp_path / "s.csv", index=False)
    out, report = init_dataset(tmp_path)
    cols = load_dataset(out).tables["survey"][0].columns
    assert cols["Instansi"] == "region" and cols["OPD"] == "agency" and cols["Tahap"] == "wave"
    text = out.read_text(encoding="utf-8")
    assert "'Instansi' -> region: its values are kab/kota names or codes (not agency)" in text
    assert "constants" not in text  # the file has a wave column
    assert report[-1].endswith(f"next: kinerja validate {tmp_path}")


def test_targets_a_table_does_not_take_are_comments_saying_why(tmp_path):
    pd.DataFrame(
        {
            "NIP": ["198503122010011001", "198503122010011002"],
            "Nama": ["Budi", "Siti"],
            "Alamat email": ["budi@x.go.id", "siti@x.go.id"],
            "Periode": ["Semester I 2025", "Semester I 2025"],
            "Predikat": ["Baik", "Sangat Baik"],
            "Capaian (%)": ["98", "101"],
            "Jenis Kelamin": ["L", "P"],
            "Usia": ["40", "41"],
        }
    ).to_csv(tmp_path / "skp_kota_bengkulu.csv", index=False)
    out, _ = init_dataset(tmp_path)
    cfg = load_dataset(out)  # accepted as written
    spec = cfg.tables["performance"][0]
    assert spec.region == "from_filename"
    assert set(spec.columns.values()) == {"nip", "name", "period", "predikat", "capaian_pct"}
    text = out.read_text(encoding="utf-8")
    assert "# 'Alamat email': personal data that this table does not read (left out, never copied)" in text
    assert "# 'Jenis Kelamin': looks like gender, which is not a column of the performance table" in text
    assert "# 'Usia': looks like age, which is not a column of the performance table" in text


def test_shipped_items_answered_on_another_scale_get_a_likert_line(tmp_path):
    rtc = load_codebook("rtc").items["text_id"].tolist()
    answers = ["Setuju", "Netral", "Sangat Setuju", "Tidak Setuju", "Ragu-ragu", "SS"]
    pd.DataFrame(
        {
            "NIP": [f"1985031220100110{i:02d}" for i in range(6)],
            "Kab/Kota": ["Kota Bengkulu"] * 6,
            **{rtc[k]: answers[k:] + answers[:k] for k in range(4)},
        }
    ).to_csv(tmp_path / "s.csv", index=False)
    out, report = init_dataset(tmp_path)
    cfg = load_dataset(out)
    assert cfg.likert == {"RTC": "agree5"} and cfg.item_scales()["RTC01"].high == 5
    assert cfg.instruments == {"survey": ["rtc"]}
    assert any("likert" in line for line in report)


def test_init_on_the_synthetic_raw_files_gives_globs_and_validates(tmp_path, monkeypatch):
    """The generator's files without its dataset.yml: init-dataset drafts one with a glob per layout, and the clean
    step (validate) accepts it."""
    from kinerja_research.pipeline import validate_dataset
    from kinerja_research.synth import write_default

    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "test")
    write_default(tmp_path, seed=3, scale=0.03, regions=["18.71", "17.71"])
    (tmp_path / "dataset.yml").unlink()
    (tmp_path / "GROUND_TRUTH.json").unlink(missing_ok=True)
    for extra in tmp_path.glob("GROUND_TRUTH*"):
        extra.unlink()
    out, _ = init_dataset(tmp_path)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    files = {t: [e["file"] for e in specs] for t, specs in doc["tables"].items()}
    assert files["survey"] == ["survey_asn_google_forms.csv"]
    for table, stem in (
        ("performance", "skp_kota_b"),
        ("satisfaction", "skm_kota_b"),
        ("training", "pelatihan_kota_b"),
    ):
        assert len(files[table]) == 1 and files[table][0].startswith(stem + "*"), files  # one glob for both regions
    survey = doc["tables"]["survey"][0]["columns"]
    assert "trained" in survey.values() and "wave" in survey.values() and "region" in survey.values()
    problems, counts = validate_dataset(tmp_path)
    assert set(counts) == {"survey", "performance", "training", "satisfaction"}
    assert all(c["rows_out"] > 0 for c in counts.values())


@pytest.mark.parametrize(
    "answers, expected",
    [
        (["Sangat Setuju", "Setuju", "Netral"], "agree5"),
        (["SS", "S", "N", "TS", "STS"], "agree5"),
        (["Setuju", "Tidak Setuju"], "agree4"),
        (["Agak Setuju", "Setuju", "Sangat Tidak Setuju"], "agree6"),
        (["Agak Setuju", "Netral", "Setuju"], "agree7"),
        (["Sangat Puas", "Puas", "Cukup Puas"], "satisfied5"),
        (["1", "2", "3", "4", "5"], None),  # numbers alone: maybe a count, not drafted as a question
        (["Dinas Pendidikan", "BKPSDM"], None),
        (
            ["Setuju", "Setuju", "Setuju", "Setuju", "Setuju", "Setuju", "Setuju", "Setuju", "Setuju", "Tidak tahu"],
            "agree4",
        ),
    ],
)
def test_infer_label_set(answers, expected):
    assert infer_label_set(answers)[0] == expected


def test_region_codes_found_by_their_values(tmp_path):
    pd.DataFrame(
        {
            "NIP": ["198503122010011001", "198503122010011002", "198503122010012003"],
            "Kode": ["18.71", "17.71", "11.73"],
            "Capaian": ["98.5", "11.2", "100"],
            "Periode": ["Semester I 2025"] * 3,
        }
    ).to_csv(tmp_path / "skp.csv", index=False)
    out, _ = init_dataset(tmp_path)
    cols = load_dataset(out).tables["performance"][0].columns
    assert cols["Kode"] == "region" and cols["Capaian"] == "capaian_pct"
