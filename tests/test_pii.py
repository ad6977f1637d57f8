"""Personal data typed into cells that are kept (agency, course, service unit, ...) or shown in validation.csv
(reviewer findings 2-4 and 8): NIP-like 18-digit runs and known names are redacted, the file is failed when its NIP
column holds (nearly) no NIPs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _rawdata  # noqa: E402

from kinerja_research.clean.pii import find_pii, name_keys, redact_cells  # noqa: E402
from kinerja_research.errors import KinerjaError  # noqa: E402
from kinerja_research.pipeline import build_processed  # noqa: E402

NIP_RE = re.compile(r"\d(?:[ .]?\d){17}")
NIP = _rawdata.NIPS[0]


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "pii-test-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _all_text(folder: Path) -> str:
    parts = [p.read_text(encoding="utf-8") for p in folder.rglob("*.csv")]
    for p in folder.rglob("*.parquet"):
        parts.append(pd.read_parquet(p).astype(str).to_csv())
    return "\n".join(parts)


def test_find_pii_digit_groups_and_names():
    names = name_keys(["Rahmawati Desi Hasan", "Budi Santoso"])
    vals = [
        f"Dinas Sosial {NIP}",
        f"Dinas X {NIP[:8]} {NIP[8:14]} {NIP[14]} {NIP[15:]}",
        f"Bidang {NIP[:8]}.{NIP[8:14]}.{NIP[14]}.{NIP[15:]}",
        "Dinas Kesehatan (Bp. RAHMAWATI  desi Hasan)",
        "Dinas Pendidikan",
        "Kantor 12345",
        "Budi Santosoputra",
    ]
    has, red = find_pii(vals, names)
    assert has.tolist() == [True, True, True, True, False, False, False]
    assert red[0] == "Dinas Sosial <redacted>" and red[3] == "Dinas Kesehatan (Bp. <redacted>)"
    assert not any(NIP_RE.search(r) for r in red)
    assert redact_cells(pd.Series(["III/a", NIP, "Budi Santoso"]).to_numpy(dtype=object), names).tolist() == [
        "III/a",
        "<redacted>",
        "<redacted>",
    ]


def test_pii_in_free_text_redacted_everywhere(tmp_path):
    raw = tmp_path / "raw"
    _rawdata.write_raw(raw)
    s = pd.read_csv(raw / "survey_forms.csv", sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    s.loc[0, "Unit Kerja"] = f"Dinas Sosial {NIP}"
    s.loc[16, "Unit Kerja"] = "Dinas Kesehatan (Bp. Andi Wijaya)"
    s.loc[5, "Golongan"] = _rawdata.NIPS[5]  # a NIP typed into the grade column
    s.loc[6, "Kabupaten/Kota"] = "Dewi Lestari"  # a name typed into the region column
    s.loc[7, "Tahap"] = f"{NIP[:8]} {NIP[8:14]} {NIP[14]} {NIP[15:]}"
    s.to_csv(raw / "survey_forms.csv", sep=";", index=False, encoding="cp1252")
    t = pd.read_csv(raw / "training.csv", dtype=str)
    t.loc[1, "Diklat"] = f"Latsar CPNS {_rawdata.NIPS[1]}"
    t.to_csv(raw / "training.csv", index=False)
    k = pd.read_csv(raw / "skm.csv", sep="\t", dtype=str)
    k.loc[2, "Unit Layanan"] = "Disdukcapil - loket Budi Santoso"  # a name known from the survey
    k.to_csv(raw / "skm.csv", sep="\t", index=False)
    build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out")
    text = _all_text(tmp_path / "out")
    assert not NIP_RE.search(text)
    for name in ("Andi Wijaya", "Dewi Lestari", "Budi Santoso"):
        assert name not in text
    v = pd.read_csv(tmp_path / "out" / "validation.csv", dtype=str)
    pii = v[v["rule"] == "pii_in_free_text"]
    assert set(zip(pii["table"], pii["field"])) >= {
        ("survey", "agency"),
        ("training", "course"),
        ("satisfaction", "service_unit"),
    }
    assert (pii["value"] == "<redacted>").all() and (pii["severity"] == "warning").all()
    survey = pd.read_parquet(tmp_path / "out" / "survey.parquet")
    assert {"Dinas Sosial <redacted>", "Dinas Kesehatan Bp <redacted>"} <= set(survey["agency"])  # normalised


def _swapped_training(raw: Path, n: int) -> None:
    nips = (_rawdata.NIPS * 10)[:n]
    pd.DataFrame(
        {
            "NIP": ["Latsar CPNS"] * n,
            "Diklat": nips,
            "Mulai": ["12/03/2025"] * n,
            "Selesai": ["20/03/2025"] * n,
            "JP": ["40"] * n,
            "Program": ["Ya"] * n,
            "Wilayah": ["Bandar Lampung"] * n,
        }
    ).to_csv(raw / "training.csv", index=False)


def test_swapped_headers_quarantine_redacted_and_large_file_refused(tmp_path):
    raw = tmp_path / "raw"
    _rawdata.write_raw(raw)
    _swapped_training(raw, 6)  # small: quarantined, but the NIPs in `course` are redacted
    build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out")
    q = pd.read_parquet(tmp_path / "out" / "quarantine" / "training.parquet")
    assert len(q) == 6 and (q["course"] == "<redacted>").all()
    assert not NIP_RE.search(_all_text(tmp_path / "out"))
    _swapped_training(raw, 25)
    with pytest.raises(KinerjaError, match=r"training\.csv.*'NIP'.*wrong header mapping"):
        build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out2")


def test_every_rule_has_descriptions_in_both_languages():
    from kinerja_research.clean.tables import RULE_SEVERITY
    from kinerja_research.report.i18n import load_translations

    for lang in ("id", "en"):
        table = load_translations(lang)
        missing = [r for r in RULE_SEVERITY if f"audit.rule.{r}" not in table or f"vocab.rule.{r}" not in table]
        assert missing == [], lang
