"""The foreign corpus (tests/foreign/README.md, hand-specified exports this project did not generate) through the clean
step: each folder goes `kinerja init-dataset` -> dimension names filled in -> `kinerja clean`, and every planted problem
of the README is in validation.csv at its row, PPPK rows are kept with their own grades, quarters and semesters stay
what they are, and no name, e-mail address, phone number or NIP of the files is anywhere in the outputs (issue 10.8,
15.7).

The leak scan is independent of the clean step's own normaliser: the secrets are read from the raw files themselves
(every cell of their name, e-mail, phone and NIP columns) and searched in every output reduced to digits / lower case.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from kinerja_research.cli import main
from kinerja_research.pipeline import load_manifest, load_processed, load_validation
from kinerja_research.privacy import nip_attack, release_problems

FOREIGN = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (FOREIGN / "forms_utf8").is_dir(), reason="the foreign corpus (tests/foreign/<folder>) is not in this tree yet"
)


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "foreign-clean-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _run(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as e:
        main(args)
    out = capsys.readouterr()
    assert e.value.code in (0, None), out.err
    return out.out


def _clean(tmp_path: Path, folder: str, capsys):
    """init-dataset, name the drafted dimensions (all a person has to fill in), clean: (tables, validation, manifest,
    raw folder, output folder)."""
    d = tmp_path / folder
    shutil.copytree(FOREIGN / folder, d)
    _run(["init-dataset", str(d)], capsys)
    for cb in d.glob("codebook_*.yml"):
        text = cb.read_text(encoding="utf-8")
        text = re.sub(r"name_id: Dimensi (\w+) \(beri nama\)", r"name_id: Aspek \1", text)
        text = re.sub(r"name_en: Dimension (\w+) \(name it\)", r"name_en: Aspect \1", text)
        cb.write_text(text, encoding="utf-8")
    out = tmp_path / f"{folder}_out"
    _run(["clean", str(d), "--out", str(out), "--quiet"], capsys)
    return load_processed(out), load_validation(out), load_manifest(out), d, out


def _found(v: pd.DataFrame) -> set[tuple[int, str]]:
    return set(zip(v["row"].astype(int), v["rule"]))


def _secrets(raw: pd.DataFrame, columns: list[str]) -> list[str]:
    out = []
    for c in columns:
        out += [str(x) for x in raw[c].dropna() if str(x).strip()]
    return out


def _assert_no_leak(out: Path, secrets: list[str]) -> None:
    """No secret of the raw files in any output: numbers compared as their digits (any separators), names and e-mail
    addresses compared lower-case (a name also in any word order)."""
    digits_wanted = {re.sub(r"\D", "", s) for s in secrets if len(re.sub(r"\D", "", s)) >= 10}
    # words: names and e-mail addresses (a NIP destroyed into "1.98703E+17" holds neither: nothing left to find)
    words_wanted = [s for s in secrets if len(re.sub(r"\D", "", s)) < 10 and re.search(r"[^\W\d_]{2}", s)]
    for p in sorted(out.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".parquet":
            df = pd.read_parquet(p)
            text = "\n".join([*map(str, df.columns), *map(str, df.to_numpy(dtype=object).ravel())])
        else:
            text = p.read_text(encoding="utf-8")
        norm = unicodedata.normalize("NFKC", text)
        for chunk in re.split(r"[^\d \t./\-_]+", norm):
            digits = re.sub(r"\D", "", chunk)
            hit = [d for d in digits_wanted if d in digits]
            assert not hit, (p.name, hit)
        low = norm.lower()
        for s in words_wanted:
            words = re.findall(r"[^\W\d_]{2,}", unicodedata.normalize("NFKC", s).lower())
            assert words, s
            assert not all(re.search(rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])", low) for w in words), (p.name, s)


def _read(d: Path, name: str) -> pd.DataFrame:
    from kinerja_research.ingest.readers import read_file

    return read_file(d / name).data


# --------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "folder, file", [("forms_utf8", "forms_kinerja_asn.csv"), ("forms_excel", "forms_kinerja_asn_excel.csv")]
)
def test_google_forms_survey_and_its_excel_resave(tmp_path, capsys, folder, file):
    t, v, m, d, out = _clean(tmp_path, folder, capsys)
    planted = {
        (3, "missing_value"),  # unanswered item 9
        (7, "age_out_of_range"),  # Usia 250 (quarantined)
        (12, "missing_value"),  # blank NIP
        (15, "likert_unknown_label"),  # "Tidak tahu": not on the 5-point scale
        (19, "nip_scientific_notation"),
        (20, "self_report_conflict"),  # reported sex contradicts the NIP
        (23, "nip_length"),  # 17 digits
        (28, "straight_lining"),
        (37, "region_ambiguous"),  # "Kupang"
        (33, "duplicate_submission"),  # resubmitted as row 41
        (41, "duplicate_submission"),
        (50, "duplicate_submission"),  # double submission, row 51
        (51, "duplicate_submission"),
    }
    assert planted <= _found(v)
    assert v.loc[(v["row"] == 15) & (v["rule"] == "likert_unknown_label"), "value"].tolist() == ["Tidak tahu"]
    errors = set(v.loc[v["severity"] == "error", "row"].astype(int))
    assert errors == {7, 12, 19, 23, 33, 37, 50}  # quarantined: nothing else
    assert m["tables"]["survey"] == {"rows_in": 60, "rows_out": 53, "rows_quarantined": 7}
    s = t["survey"]
    assert s["Q01"].between(1, 5).all() and s["age"].between(17, 70).all()
    assert any(a.startswith("Dinas Pariwisata") for a in s["agency"].dropna())  # the en dash row kept, no crash
    assert set(s["region_code"]) == {"53.71", "11.73"}
    for name, df in t.items():
        assert release_problems(name, df) == []
    assert not nip_attack(t)["reidentified"].any()
    raw = _read(d, file)
    _assert_no_leak(out, _secrets(raw, ["Nama lengkap", "Alamat email", "Nomor HP/WhatsApp", "NIP"]))


def test_ekinerja_pppk_staff_and_quarters(tmp_path, capsys):
    t, v, m, d, out = _clean(tmp_path, "ekinerja", capsys)
    p = t["performance"]
    assert {
        (5, "golongan_variant"),
        (10, "golongan_ruang_unknown"),
        (13, "value_unknown"),
        (18, "missing_value"),
    } <= _found(v)
    assert m["tables"]["performance"]["rows_quarantined"] == 2  # Q4 without a year, blank NIP
    assert set(p["period_kind"]) == {"quarter"} and set(p["period"]) <= {"2025-Q2", "2025-Q3", "2025-Q4"}
    q = p.drop_duplicates("period").set_index("period")
    assert (
        str(q.loc["2025-Q3", "period_start"].date()) == "2025-07-01"
        and str(q.loc["2025-Q3", "period_end"].date()) == "2025-09-30"
    )
    pppk = p[p["employment"] == "PPPK"]
    assert len(pppk) > 0 and pppk["golongan"].str.startswith("PPPK-").all() and pppk["golongan_rank"].isna().all()
    assert (p.loc[p["employment"] == "PNS", "golongan"].str.startswith("PPPK-") == False).all()  # noqa: E712
    assert "III" in set(p["golongan"])  # "Gol. III": a PNS group with unknown ruang, never a PPPK grade
    assert set(p["region_code"]) == {"11.73"}
    raw = pd.read_excel(d / "ekinerja_kota_lhokseumawe_2025.xlsx", sheet_name="Rekap Kinerja", header=4, dtype=str)
    _assert_no_leak(out, _secrets(raw, ["Nama Pegawai", "NIP/NI PPPK"]))


def test_skm_by_semester_in_the_regulations_wording(tmp_path, capsys):
    t, v, m, d, out = _clean(tmp_path, "skm_semester", capsys)
    s = t["satisfaction"]
    assert {(5, "likert_off_scale"), (12, "likert_off_scale"), (18, "missing_value"), (27, "out_of_range")} <= _found(v)
    assert m["tables"]["satisfaction"]["rows_out"] == 40
    assert set(s["period"]) == {"2025-S1", "2025-S2"} and set(s["period_kind"]) == {"semester"}
    assert (s["period"].value_counts() == 20).all()  # the two halves are not pooled
    assert s[[f"U{i}" for i in range(1, 10)]].stack().between(1, 4).all()
    assert set(s["region_code"]) == {"53.71"}


def test_training_recap_with_bps_codes(tmp_path, capsys):
    t, v, m, d, out = _clean(tmp_path, "bps_codes", capsys)
    assert {(7, "date_order"), (10, "decimal_comma"), (13, "region_unknown")} <= _found(v)
    bps = v[v["rule"] == "region_bps_code"]
    assert 14 not in set(bps["row"].astype(int)) and set(bps["severity"]) == {"info"}
    raw = _read(d, "rekap_diklat_2025.csv")
    tr = t["training"]
    assert set(tr["region_code"]) <= {"11.73", "11.74", "53.01", "53.71", "18.71", "17.71"}
    assert "11.74" in set(tr["region_code"]) and "53.01" in set(tr["region_code"])  # 1173 Langsa, 5303 Kab. Kupang
    assert "PPPK" in set(tr["employment"])  # row 4: a NI PPPK, kept
    _assert_no_leak(out, _secrets(raw, ["NIP", "Nama Peserta"]))


def test_spss_thesis_file(tmp_path, capsys):
    t, v, m, d, out = _clean(tmp_path, "spss_thesis", capsys)
    assert {
        (16, "duplicate_submission"),
        (17, "duplicate_submission"),
        (18, "age_out_of_range"),
        (19, "out_of_range"),
    } <= _found(v)
    assert m["tables"]["survey"]["rows_quarantined"] == 2
    raw = _read(d, "skripsi_pelatihan_kota_bengkulu.sav")
    _assert_no_leak(out, _secrets(raw, ["nip", "nama"]))
