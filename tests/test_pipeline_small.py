"""Small data degrades gracefully in the clean step (issue 15.7): a dataset of 3 people per region, and `kinerja data
synth --scale 0.03`, clean without an error, with every output leak-free and not re-identifiable."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kinerja_research.cli import main
from kinerja_research.pipeline import load_manifest, load_processed, load_validation
from kinerja_research.privacy import k_anonymity_summary, nip_attack, release_problems

REGIONS = ["Kota Bandar Lampung", "Kota Bengkulu", "Kota Lhokseumawe", "Kota Kupang"]
AGENCIES = ["Dinas Pendidikan", "Dinas Kesehatan", "BKPSDM"]
RTC = [f"RTC{i:02d}" for i in range(1, 18)]
LABELS = ["Sangat Tidak Setuju", "Tidak Setuju", "Agak Tidak Setuju", "Agak Setuju", "Setuju", "Sangat Setuju"]


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "small-data-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _cli(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as e:
        main(args)
    out = capsys.readouterr()
    assert e.value.code in (0, None), out.err
    return out.out


def _people() -> list[tuple[str, str, str, str]]:
    """(NIP, name, region, agency) of 3 people in each of the 4 regions; the last of each region is PPPK."""
    out = []
    for r, region in enumerate(REGIONS):
        for k in range(3):
            i = 3 * r + k
            if k == 2:
                nip = f"19{90 + i % 9}0{k + 1}1{i % 10}202{2 + r % 3}21{1 + i % 2}{i + 1:03d}"
            else:
                nip = f"19{75 + i:02d}0{k + 1}1{i % 10}20{10 + i:02d}0{k + 1}{1 + i % 2}{i + 1:03d}"
            out.append((nip, f"Pegawai {chr(65 + i)}ndriani Putri", region, AGENCIES[k]))
    return out


def _write_three_per_region(folder: Path) -> list[str]:
    people = _people()
    survey, perf, training, skm = [], [], [], []
    for i, (nip, name, region, agency) in enumerate(people):
        for w, (wave, month) in enumerate((("pre", 3), ("post", 9))):
            survey.append(
                {
                    "Timestamp": f"2025-{month:02d}-{10 + i:02d} 09:{i:02d}:00",
                    "NIP": nip,
                    "Nama": name,
                    "Kota": region,
                    "OPD": agency,
                    "Tahap": wave,
                    "Pelatihan": "Ya" if i % 2 else "Tidak",
                    "Golongan": "PPPK IX" if i % 3 == 2 else "III/b",
                    **{c: LABELS[(i + j + w) % 6] for j, c in enumerate(RTC)},
                }
            )
        for sem in ("Semester I 2025", "Semester II 2025"):
            perf.append({"NIP": nip, "Nama": name, "Kota": region, "Periode": sem, "Capaian": str(80 + i)})
        training.append({"NIP": nip, "Kota": region, "Diklat": "Latsar", "Mulai": "2025-04-01", "JP": "40"})
    for region in REGIONS:
        for _ in range(3):
            skm.append(
                {
                    "Kota": region,
                    "Unit": "Disdukcapil",
                    "Tanggal": "2025-08-01",
                    **{f"U{j}": "Sesuai" for j in range(1, 10)},
                }
            )
    folder.mkdir(parents=True)
    for name, rows in (("survey.csv", survey), ("skp.csv", perf), ("diklat.csv", training), ("skm.csv", skm)):
        pd.DataFrame(rows).to_csv(folder / name, index=False)
    cols = {"NIP": "nip", "Nama": "name", "Kota": "region"}
    config = {
        "name": "tiny",
        "reference_date": "2026-01-01",
        "tables": {
            "survey": [
                {
                    "file": "survey.csv",
                    "columns": {
                        **cols,
                        "Timestamp": "submitted_at",
                        "OPD": "agency",
                        "Tahap": "wave",
                        "Pelatihan": "trained",
                        "Golongan": "golongan",
                        **{c: c for c in RTC},
                    },
                }
            ],
            "performance": [{"file": "skp.csv", "columns": {**cols, "Periode": "period", "Capaian": "capaian_pct"}}],
            "training": [
                {
                    "file": "diklat.csv",
                    "columns": {"NIP": "nip", "Kota": "region", "Diklat": "course", "Mulai": "start", "JP": "jp"},
                }
            ],
            "satisfaction": [
                {
                    "file": "skm.csv",
                    "columns": {
                        "Kota": "region",
                        "Unit": "service_unit",
                        "Tanggal": "submitted_at",
                        **{f"U{j}": f"U{j}" for j in range(1, 10)},
                    },
                }
            ],
        },
    }
    (folder / "dataset.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return [p[0] for p in people] + [p[1] for p in people]


def _no_identifier(folder: Path, secrets: list[str]) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            text = pd.read_parquet(p).astype(str).to_csv() if p.suffix == ".parquet" else p.read_text(encoding="utf-8")
            digits = re.sub(r"\D", "", text)
            for s in secrets:
                assert (s not in digits) if s.isdigit() else (s not in text), (p.name, s)


def test_three_people_per_region(tmp_path, capsys):
    secrets = _write_three_per_region(tmp_path / "raw")
    out = _cli(["clean", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--quiet"], capsys)
    assert "0 quarantined" in out
    t = load_processed(tmp_path / "out")
    s = t["survey"]
    assert s.groupby("region_code")["person_id"].nunique().tolist() == [3, 3, 3, 3]
    assert s["employment"].value_counts().to_dict() == {"PNS": 16, "PPPK": 8}
    assert len(t["performance"]) == 24 and len(t["satisfaction"]) == 12
    assert load_validation(tmp_path / "out").query("severity == 'error'").empty
    for name, df in t.items():
        assert release_problems(name, df) == []
    _no_identifier(tmp_path / "out", secrets)
    assert not nip_attack(t)["reidentified"].any()
    k = k_anonymity_summary(s, between="region_code")
    assert k["n_people"].tolist() == [3, 3, 3, 3] and k["warning"].all()  # every class is below 5: said so


def test_synth_scale_0_03_cleans(tmp_path, capsys):
    import json

    from kinerja_research import synth

    _cli(["data", "synth", "--seed", "5", "--scale", "0.03", "--out", str(tmp_path / "raw")], capsys)
    _cli(["clean", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--quiet"], capsys)
    t = load_processed(tmp_path / "out")
    m = load_manifest(tmp_path / "out")
    assert all(m["tables"][n]["rows_out"] > 0 for n in ("survey", "performance", "training", "satisfaction"))
    assert not nip_attack(t)["reidentified"].any()
    v = load_validation(tmp_path / "out")
    if hasattr(synth, "load_truth"):  # the dirt list moved to a compressed sidecar of GROUND_TRUTH.json
        truth = synth.load_truth(tmp_path / "raw")
    else:
        truth = json.loads((tmp_path / "raw" / "GROUND_TRUTH.json").read_text(encoding="utf-8"))
    planted = {(d["file"], d["row"], d["rule"]) for d in truth["dirt"]}
    assert planted <= set(zip(v["file"], v["row"].astype(int), v["rule"]))
