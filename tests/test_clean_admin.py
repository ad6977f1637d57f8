"""Indonesian administrative reality through the whole clean step (issue 10.3, 10.5, 10.6): PPPK staff and their
grades, quarterly and semester periods, BPS region codes, SKM answers in the regulation's wording, the declared Likert
scale, self-reported staff fields. Small files written here by hand, in the shapes units use."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from kinerja_research.pipeline import build_processed, load_processed, load_validation


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "admin-test-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _dataset(folder: Path, files: dict[str, str], config: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "dataset.yml").write_text(yaml.safe_dump({"name": folder.name, **config}, sort_keys=False), "utf-8")
    return folder


def _clean(tmp_path: Path, files: dict[str, str], config: dict):
    raw = _dataset(tmp_path / "raw", files, config)
    m = build_processed("x", raw_dir=raw, out_dir=tmp_path / "out")
    return m, load_processed(tmp_path / "out"), load_validation(tmp_path / "out")


def _rules(v: pd.DataFrame) -> set[tuple[int, str]]:
    return set(zip(v["row"].astype(int), v["rule"]))


# --------------------------------------------------------------------------------------------------------------------
SKP_PPPK = """NI PPPK;Nama;Unit Kerja;Jabatan;Golongan;Periode;Hasil Kerja;Perilaku;Predikat;Capaian
200012312024211001;Rina Oktaviani;Dinas Kesehatan;Perawat Ahli Pertama;IX;Triwulan I 2025;Sesuai Ekspektasi;Sesuai Ekspektasi;Baik;95
200012312024211001;Rina Oktaviani;Dinas Kesehatan;Perawat Ahli Pertama;IX;TW 2 2025;Sesuai Ekspektasi;Sesuai Ekspektasi;Baik;96
200012312024211001;Rina Oktaviani;Dinas Kesehatan;Perawat Ahli Pertama;IX;Triwulan III 2025;Di Atas Ekspektasi;Sesuai Ekspektasi;Baik;99
200012312024211001;Rina Oktaviani;Dinas Kesehatan;Perawat Ahli Pertama;IX;Triwulan IV 2025;Di Atas Ekspektasi;Di Atas Ekspektasi;Sangat Baik;105
199507142022222002;Dewi Anggraini;Dinas Pendidikan;Guru Ahli Pertama;Gol. IX;Q1 2025;Sesuai Ekspektasi;Sesuai Ekspektasi;Baik;90
199507142022222002;Dewi Anggraini;Dinas Pendidikan;Guru Ahli Pertama;III/a;Februari-April 2025;Sesuai Ekspektasi;Sesuai Ekspektasi;Baik;90
198803032010011003;Agus Prasetyo;Dinas Pendidikan;Staf;III;Semester I 2025;Sesuai Ekspektasi;Sesuai Ekspektasi;Baik;88
"""
SKP_COLUMNS = {
    "NI PPPK": "nip",
    "Nama": "name",
    "Unit Kerja": "agency",
    "Jabatan": "jabatan",
    "Golongan": "golongan",
    "Periode": "period",
    "Hasil Kerja": "rating_hasil_kerja",
    "Perilaku": "rating_perilaku",
    "Predikat": "predikat",
    "Capaian": "capaian_pct",
}


def test_pppk_only_quarterly_export_is_accepted_with_pppk_grades_and_quarters(tmp_path):
    """Reviewer findings: a PPPK-only e-Kinerja export was refused as "columns swapped"; Triwulan II became 2025-S2
    and Triwulan III/IV were quarantined; a bare "III" was read as a PPPK grade."""
    m, t, v = _clean(
        tmp_path,
        {"skp.csv": SKP_PPPK},
        {
            "reference_date": "2026-01-01",
            "tables": {
                "performance": [
                    {"file": "skp.csv", "options": {"sep": ";"}, "region": "Kota Lhokseumawe", "columns": SKP_COLUMNS}
                ]
            },
        },
    )
    p = t["performance"]
    assert m["tables"]["performance"] == {"rows_in": 7, "rows_out": 6, "rows_quarantined": 1}
    assert p["period"].tolist() == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025-Q1", "2025-S1"]
    assert p["period_kind"].tolist() == ["quarter"] * 5 + ["semester"]
    assert p["period_end"].dt.strftime("%m-%d").tolist() == ["03-31", "06-30", "09-30", "12-31", "03-31", "06-30"]
    assert p["employment"].tolist() == ["PPPK"] * 5 + ["PNS"]
    assert p["golongan"].tolist() == ["PPPK-IX"] * 5 + ["III"] and p["golongan_rank"].isna().all()
    assert p["jabatan"].tolist() == ["Fungsional"] * 5 + ["Pelaksana"]
    assert {
        (6, "period_range_unaligned"),
        (6, "golongan_employment_conflict"),
        (7, "golongan_ruang_unknown"),
    } <= _rules(v)
    conflict = v[v["rule"] == "golongan_employment_conflict"]
    assert conflict["value"].tolist() == ["III/a (NIP: NI PPPK)"]  # both facts shown
    assert v.loc[v["rule"] == "period_range_unaligned", "severity"].tolist() == ["error"]


def test_a_pppk_grade_held_by_a_civil_servant_is_a_conflict_too(tmp_path):
    """The other way round: the NIP says PNS (digits 13-14 a TMT month) and the grade is of the PPPK scale, written
    "PPPK IX" or as a roman numeral above IV, which only PPPK has; a PNS grade stays fine."""
    text = (
        SKP_PPPK.splitlines()[0]
        + "\n"
        + "\n".join(
            f"198803032010011003;Agus Prasetyo;Dinas Pendidikan;Staf;{g};Semester {s} 2025;Sesuai Ekspektasi;"
            f"Sesuai Ekspektasi;Baik;88"
            for g, s in (("PPPK IX", "I"), ("IX", "II"))
        )
        + "\n198803032010012004;Budi Hartono;Dinas Pendidikan;Staf;III/b;Semester I 2025;Sesuai Ekspektasi;"
        + ("Sesuai Ekspektasi;Baik;88\n")
    )
    _, t, v = _clean(
        tmp_path,
        {"skp.csv": text},
        {
            "reference_date": "2026-01-01",
            "tables": {
                "performance": [
                    {"file": "skp.csv", "options": {"sep": ";"}, "region": "Kota Lhokseumawe", "columns": SKP_COLUMNS}
                ]
            },
        },
    )
    assert t["performance"]["employment"].tolist() == ["PNS"] * 3
    conflict = v[v["rule"] == "golongan_employment_conflict"]
    assert conflict["row"].tolist() == [1, 2]
    assert conflict["value"].tolist() == ["PPPK IX (NIP: PNS)", "IX (NIP: PNS)"]
    assert (conflict["severity"] == "warning").all()


SKM = """Tanggal;Wilayah;Unit Layanan;Periode;U1 Persyaratan;U7 Perilaku pelaksana;U9 Sarana dan prasarana;Umur
05/08/2025;1174;Disdukcapil;Semester II 2025;Sesuai;Sopan dan ramah;Cukup;34
06/08/2025;1174;Disdukcapil;Semester II 2025;Sangat sesuai;Sangat sopan dan ramah;Baik;41
07/08/2025;1174;Disdukcapil;Semester II 2025;Kurang sesuai;Tidak sopan dan ramah;Buruk;29
08/08/2025;Kota Lhokseumawe;Disdukcapil;Semester II 2025;Sesuai;Kurang sopan dan ramah;Sangat Baik;55
"""


def test_skm_by_semester_in_the_regulations_wording_with_bps_codes(tmp_path):
    """Reviewer findings: SKM "Semester II 2025" became Q2; "Tidak sopan dan ramah" and every "Cukup" vanished as
    unknown labels; BPS 1174 (Kota Lhokseumawe) silently became Kota Langsa."""
    _, t, v = _clean(
        tmp_path,
        {"skm.csv": SKM},
        {
            "tables": {
                "satisfaction": [
                    {
                        "file": "skm.csv",
                        "options": {"sep": ";", "dayfirst": True},
                        "columns": {
                            "Tanggal": "submitted_at",
                            "Wilayah": "region",
                            "Unit Layanan": "service_unit",
                            "Periode": "period",
                            "U1 Persyaratan": "U1",
                            "U7 Perilaku pelaksana": "U7",
                            "U9 Sarana dan prasarana": "U9",
                            "Umur": "age",
                        },
                    }
                ]
            }
        },
    )
    s = t["satisfaction"]
    assert s["region_code"].tolist() == ["11.73"] * 4  # Kemendagri Kota Lhokseumawe
    assert s["period"].tolist() == ["2025-S2"] * 4 and set(s["period_kind"]) == {"semester"}
    assert s["U7"].tolist() == [3, 4, 1, 2] and s["U9"].tolist() == [2, 3, 1, 4] and s["U1"].tolist() == [3, 4, 2, 3]
    assert (s["submitted_at"] == pd.Timestamp("2025-08-01")).all()
    bps = v[v["rule"] == "region_bps_code"]
    assert bps["row"].tolist() == [1, 2, 3] and set(bps["severity"]) == {"info"}
    assert not v["rule"].isin(["likert_unknown_label", "likert_off_scale"]).any()


def _survey_files(answers: list[list[str]], extra: dict[str, list[str]] | None = None) -> str:
    nips = ["198503122010011001", "199001012015032002", "198807072012011003", "200012312024211004"]
    rows = []
    header = ["NIP", "Kabupaten/Kota", "Tahap", *[f"RTC{i:02d}" for i in range(1, 6)], *(extra or {})]
    for i, nip in enumerate(nips):
        cells = [nip, "Kota Kupang", "pre", *answers[i], *[v[i] for v in (extra or {}).values()]]
        rows.append(";".join(cells))
    return ";".join(header) + "\n" + "\n".join(rows) + "\n"


def _survey_config(extra_columns: dict[str, str] | None = None, **top) -> dict:
    cols = {
        "NIP": "nip",
        "Kabupaten/Kota": "region",
        "Tahap": "wave",
        **{f"RTC{i:02d}": f"RTC{i:02d}" for i in range(1, 6)},
    }
    return {
        "reference_date": "2026-01-01",
        "tables": {
            "survey": [{"file": "survey.csv", "options": {"sep": ";"}, "columns": {**cols, **(extra_columns or {})}}]
        },
        **top,
    }


def test_declared_five_point_scale_is_the_scale_used(tmp_path):
    """Reviewer finding: `likert: {RTC: agree5}` was ignored: "Netral" became missing and the other answers were put on
    the 6-point scale. An answer of another scale is reported, never moved onto this one."""
    answers = [
        ["Sangat Setuju", "Setuju", "Netral", "Tidak Setuju", "Sangat Tidak Setuju"],
        ["Ragu-ragu", "N", "S", "SS", "TS"],
        ["Agak Setuju", "5", "6", "entahlah", "Setuju"],
        ["4", "3", "2", "1", "Netral"],
    ]
    _, t, v = _clean(tmp_path, {"survey.csv": _survey_files(answers)}, _survey_config(likert={"RTC": "agree5"}))
    s = t["survey"]  # in file order
    got = s[[f"RTC{i:02d}" for i in range(1, 6)]].to_numpy().tolist()
    expect = [[5, 4, 3, 2, 1], [3, 3, 4, 5, 2], [None, 5, None, None, 4], [4, 3, 2, 1, 3]]
    for g, e in zip(got, expect):
        assert [None if pd.isna(x) else int(x) for x in g] == e
    assert {(3, "likert_off_scale"), (3, "out_of_range"), (3, "likert_unknown_label")} <= _rules(v)
    off = v[v["rule"] == "likert_off_scale"]
    assert off[["column", "value"]].values.tolist() == [["RTC01", "Agak Setuju"]]  # file, row, column, value


def test_self_reported_fields_checked_against_the_nip(tmp_path):
    """Issue 10.5: age, gender, tenure, golongan, jabatan and OPD mapped and checked; age outside 17-70 quarantines the
    row; where the NIP gives the same fact, a conflict is a warning showing both."""
    answers = [["Setuju"] * 5] * 4
    extra = {
        "Usia": ["250", "36 tahun", "38", "25"],  # NIP ages at 2026-01-01: 40, 36, 37, 25
        "Jenis Kelamin": ["Laki-laki", "Laki-laki", "Pria", "L"],  # the second NIP says P
        "Masa Kerja": ["15", "10", "13", "99"],  # NIP tenure: 15, 10, 13, 1 (PPPK from 2024)
        "Jabatan": ["Eselon III.a", "JFT", "Kepala Seksi", "staf"],
        "Golongan": ["IV/a", "III/c", "III/b", "III/a"],  # the last one: a PNS grade for a NI PPPK
        "OPD": ["Dinas Pariwisata Café", "BKPSDM", "Dinas Pendidikan", "Dinas Kesehatan"],
    }
    cols = {
        "Usia": "age",
        "Jenis Kelamin": "gender",
        "Masa Kerja": "tenure_years",
        "Jabatan": "jabatan",
        "Golongan": "golongan",
        "OPD": "agency",
    }
    m, t, v = _clean(tmp_path, {"survey.csv": _survey_files(answers, extra)}, _survey_config(cols))
    s = t["survey"]
    assert m["tables"]["survey"]["rows_quarantined"] == 1  # age 250
    assert {(1, "age_out_of_range"), (2, "self_report_conflict"), (4, "out_of_range")} <= _rules(v)
    assert v.loc[v["rule"] == "age_out_of_range", "severity"].tolist() == ["error"]
    conflicts = v[v["rule"] == "self_report_conflict"].set_index("field")["value"].to_dict()
    assert conflicts == {"gender": "reported L, NIP P"}
    assert {(4, "golongan_employment_conflict")} <= _rules(v)
    s = s.sort_values("age").reset_index(drop=True)
    assert s["age"].tolist() == [25, 36, 37] and str(s["age"].dtype) == "Int64"
    assert s["employment"].tolist() == ["PPPK", "PNS", "PNS"]
    assert s["gender"].tolist() == ["L", "P", "L"]  # the NIP's, not the reported
    assert s["jabatan"].tolist() == ["Pelaksana", "Fungsional", "Pengawas"]
    assert "Dinas Pariwisata Café" in set(pd.read_parquet(tmp_path / "out" / "quarantine" / "survey.parquet")["agency"])


def test_self_reported_age_conflict_shows_both(tmp_path):
    answers = [["Setuju"] * 5] * 4
    extra = {"Usia": ["52", "36", "37", "25"]}
    _, _, v = _clean(tmp_path, {"survey.csv": _survey_files(answers, extra)}, _survey_config({"Usia": "age"}))
    c = v[v["rule"] == "self_report_conflict"]
    assert c[["row", "field", "value", "severity"]].values.tolist() == [[1, "age", "reported 52, NIP 40", "warning"]]
