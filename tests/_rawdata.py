"""Small hand-made raw dataset (the data layer's tests): messy files as units hand them over, with known problems.

Not a fixture module of the lead's conftest: imported by tests/test_pipeline.py, test_ingest.py, test_privacy.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

RTC = [f"RTC{i:02d}" for i in range(1, 18)]
LABELS6 = ["Sangat Tidak Setuju", "Tidak Setuju", "Agak Tidak Setuju", "Agak Setuju", "Setuju", "Sangat Setuju"]
NAMES = [
    "Budi Santoso",
    "Siti Rahmawati",
    "Andi Wijaya",
    "Dewi Lestari",
    "Rudi Hartono",
    "Maya Sari",
    "Agus Salim",
    "Rina Marlina",
    "Joko Susilo",
    "Ani Yulianti",
]
# Valid NIPs: birth date, TMT (>= 18 years later), gender, sequence.
NIPS = [f"19{80 + i:02d}0{(i % 9) + 1}1{i % 10}20{10 + i:02d}0{(i % 9) + 1}{1 + i % 2}{i + 1:03d}" for i in range(10)]


def survey_frame() -> tuple[pd.DataFrame, list[dict]]:
    """Survey rows (source headers) and the list of planted problems {row, column, rule}."""
    rows, dirt = [], []
    r = 0
    for wave, day in (("Sebelum", 3), ("Sesudah", 20)):
        for i, (nip, name) in enumerate(zip(NIPS, NAMES)):
            r += 1
            answers = {f"Item {c}": LABELS6[(i + k) % 6] for k, c in enumerate(RTC)}
            rows.append(
                {
                    "Timestamp": f"2025-0{3 if wave == 'Sebelum' else 9}-{day:02d} 10:{i:02d}:00",
                    "NIP": f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}",
                    "Nama Lengkap": name,
                    "Kabupaten/Kota": "Kota Bandar Lampung",
                    "Unit Kerja": "Dinas Pendidikan",
                    "Tahap": wave,
                    "Ikut pelatihan?": "Ya" if i % 2 else "Tidak",
                    "Durasi (detik)": str(300 + 10 * i),
                    "Golongan": "III/a",
                    "Pendidikan": "S1",
                    **answers,
                }
            )
    # planted problems (1-based data rows)
    rows[1]["NIP"] = "1.98105E+17"
    dirt.append({"row": 2, "column": "NIP", "rule": "nip_scientific_notation"})
    rows[2]["NIP"] = NIPS[2][:15] + "000"
    dirt.append({"row": 3, "column": "NIP", "rule": "nip_precision_loss"})
    rows[3]["NIP"] = NIPS[3][1:]
    dirt.append({"row": 4, "column": "NIP", "rule": "nip_length"})
    rows[4]["NIP"] = "198413322014051005"
    dirt.append({"row": 5, "column": "NIP", "rule": "nip_invalid_date"})
    rows[5]["Item RTC03"] = "Mungkin"
    dirt.append({"row": 6, "column": "Item RTC03", "rule": "likert_unknown_label"})
    rows[6]["Item RTC04"] = "9"
    dirt.append({"row": 7, "column": "Item RTC04", "rule": "out_of_range"})
    rows[7]["Kabupaten/Kota"] = "B. Lampung"
    dirt.append({"row": 8, "column": "Kabupaten/Kota", "rule": "region_variant"})
    rows[8]["Golongan"] = "3a"
    dirt.append({"row": 9, "column": "Golongan", "rule": "golongan_variant"})
    rows[9]["Durasi (detik)"] = "12"
    dirt.append({"row": 10, "column": "Durasi (detik)", "rule": "too_fast"})
    for c in RTC:
        rows[10][f"Item {c}"] = "Setuju"
    dirt.append({"row": 11, "column": "items", "rule": "straight_lining"})
    rows[11]["Item RTC05"] = None
    dirt.append({"row": 12, "column": "Item RTC05", "rule": "missing_value"})
    rows[12]["Timestamp"] = "20 September 2025 10:02:00"
    dirt.append({"row": 13, "column": "Timestamp", "rule": "date_format"})
    rows[13]["Durasi (detik)"] = "345,5"
    dirt.append({"row": 14, "column": "Durasi (detik)", "rule": "decimal_comma"})
    dup = dict(rows[14])
    dup["Timestamp"] = "2025-09-21 08:00:00"
    rows.append(dup)  # row 21: a later resubmission of row 15
    dirt.append({"row": 15, "column": None, "rule": "duplicate_submission"})
    return pd.DataFrame(rows), dirt


def write_raw(folder: Path) -> dict:
    """Write the small dataset; returns {"dirt": [...], "names": [...], "nips": [...]}."""
    folder.mkdir(parents=True, exist_ok=True)
    survey, dirt = survey_frame()
    survey.to_csv(folder / "survey_forms.csv", sep=";", index=False, encoding="cp1252")
    for d in dirt:
        d["file"] = "survey_forms.csv"
    perf = pd.DataFrame(
        {
            "NIP": NIPS,
            "Nama": NAMES,
            "Unit Kerja": ["BKPSDM"] * 10,
            "Periode": ["Semester II 2025"] * 10,
            "Golongan": ["Penata Muda"] * 10,
            "Hasil Kerja": ["Sesuai Ekspektasi"] * 10,
            "Perilaku": ["Di atas ekspektasi"] * 10,
            "Predikat": ["Baik"] * 10,
            "Capaian (%)": ["87,5", "90", "101,2", "95", "88", "76,5", "99", "100", "84", "91"],
        }
    )
    with pd.ExcelWriter(folder / "skp_kota_bandar_lampung.xlsx") as xw:
        pd.DataFrame([["Rekap SKP"], ["Pemerintah Kota Bandar Lampung"], [None]]).to_excel(
            xw, sheet_name="SKP", header=False, index=False
        )
        perf.to_excel(xw, sheet_name="SKP", startrow=3, index=False)
    for i, v in enumerate(perf["Capaian (%)"]):
        if "," in v:
            dirt.append(
                {"file": "skp_kota_bandar_lampung.xlsx", "row": i + 1, "column": "Capaian (%)", "rule": "decimal_comma"}
            )
    train = pd.DataFrame(
        {
            "NIP": NIPS[:4],
            "Diklat": ["Latsar CPNS"] * 4,
            "Mulai": ["12 Maret 2025", "12/03/2025", "2025-03-12", "13/03/2025"],
            "Selesai": ["20 Maret 2025", "20/03/2025", "2025-03-10", "21/03/2025"],
            "JP": ["40", "40", "40", "40"],
            "Program": ["Ya"] * 4,
            "Wilayah": ["Bandar Lampung"] * 4,
        }
    )
    train.to_csv(folder / "training.csv", index=False, encoding="utf-8-sig")
    dirt.append({"file": "training.csv", "row": 3, "column": "Selesai", "rule": "date_order"})
    sat = pd.DataFrame(
        {
            "Waktu": ["2026-01-15 09:00:00"] * 6,
            "Wilayah": ["Kota Bandar Lampung"] * 6,
            "Unit Layanan": ["Disdukcapil"] * 6,
            **{f"U{i}": ["Sesuai", "Sangat Sesuai", "Kurang Sesuai", "Sesuai", "4", "Sesuai"] for i in range(1, 10)},
            "Jenis Kelamin": ["Laki-laki", "Perempuan"] * 3,
            "Umur": ["34", "41", "29", "55", "38", "62"],
            "Pendidikan": ["SMA", "S1", "D3", "S1", "SMP", "S2"],
            "Pekerjaan": ["Swasta"] * 6,
            "Nama": ["Pak Umar", "Bu Ina", "Pak Ali", "Bu Tini", "Pak Eko", "Bu Wati"],
        }
    )
    sat.to_csv(folder / "skm.csv", sep="\t", index=False)
    yml = {
        "name": "mini",
        "description": "hand-made test dataset",
        "reference_date": "2026-11-01",
        "tables": {
            "survey": [
                {
                    "file": "survey_forms.csv",
                    "reader": "forms",
                    "columns": {
                        "Timestamp": "submitted_at",
                        "NIP": "nip",
                        "Nama Lengkap": "name",
                        "Kabupaten/Kota": "region",
                        "Unit Kerja": "agency",
                        "Tahap": "wave",
                        "Ikut pelatihan?": "trained",
                        "Durasi (detik)": "duration_s",
                        "Golongan": "golongan",
                        "Pendidikan": "education",
                        **{f"Item {c}": c for c in RTC},
                    },
                }
            ],
            "performance": [
                {
                    "file": "skp_*.xlsx",
                    "reader": "excel",
                    "options": {"sheet": "SKP"},
                    "region": "from_filename",
                    "columns": {
                        "NIP": "nip",
                        "Nama": "name",
                        "Unit Kerja": "agency",
                        "Periode": "period",
                        "Golongan": "golongan",
                        "Hasil Kerja": "rating_hasil_kerja",
                        "Perilaku": "rating_perilaku",
                        "Predikat": "predikat",
                        "Capaian (%)": "capaian_pct",
                    },
                }
            ],
            "training": [
                {
                    "file": "training.csv",
                    "options": {"dayfirst": True},
                    "columns": {
                        "NIP": "nip",
                        "Diklat": "course",
                        "Mulai": "start",
                        "Selesai": "end",
                        "JP": "jp",
                        "Program": "programme",
                        "Wilayah": "region",
                    },
                }
            ],
            "satisfaction": [
                {
                    "file": "skm.csv",
                    "columns": {
                        "Waktu": "submitted_at",
                        "Wilayah": "region",
                        "Unit Layanan": "service_unit",
                        **{f"U{i}": f"U{i}" for i in range(1, 10)},
                        "Jenis Kelamin": "gender",
                        "Umur": "age",
                        "Pendidikan": "education",
                        "Pekerjaan": "occupation",
                        "Nama": "name",
                    },
                }
            ],
        },
    }
    import yaml

    (folder / "dataset.yml").write_text(yaml.safe_dump(yml, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"dirt": dirt, "names": NAMES + list(sat["Nama"]), "nips": NIPS}


def processed_hashes(folder: Path) -> dict:
    """SHA-256 of every file of a processed folder, and its manifest without the run's own fields: equal for two
    cleans that wrote the same outputs."""
    out = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    m.pop("run")
    out["manifest"] = m
    return out
