"""build_processed end to end: planted problems found, no personal data out, deterministic, atomic, raw untouched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _rawdata  # noqa: E402

from kinerja_research.errors import KinerjaError  # noqa: E402
from kinerja_research.pipeline import (
    TABLES,
    build_processed,
    load_manifest,
    load_processed,  # noqa: E402
    load_table,
    load_validation,
    validate_dataset,
)

KEY = "pipeline-test-key"
NIP_RE = re.compile(r"(?<!\d)\d{18}(?!\d)")


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    os.environ.setdefault("KINERJA_PSEUDONYM_KEY", KEY)
    root = tmp_path_factory.mktemp("mini")
    info = _rawdata.write_raw(root / "raw")
    os.environ["KINERJA_PSEUDONYM_KEY"] = KEY
    manifest = build_processed("mini", raw_dir=root / "raw", out_dir=root / "out")
    return root, info, manifest


def _tree_hash(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _match_dirt(validation: pd.DataFrame, dirt: list[dict]) -> list[dict]:
    """Planted problems not found: matched on file, row and rule, and on the source column when the plant names one."""
    have = set(zip(validation["file"], validation["row"].astype(int), validation["rule"]))
    have_col = set(zip(validation["file"], validation["row"].astype(int), validation["rule"], validation["column"]))
    missing = []
    for d in dirt:
        if (d["file"], d["row"], d["rule"]) not in have:
            missing.append(d)
        elif d.get("column") not in (None, "items") and (d["file"], d["row"], d["rule"], d["column"]) not in have_col:
            missing.append(d)
    return missing


def test_mini_counts_and_tables(mini):
    root, _, m = mini
    assert m["tables"]["survey"] == {"rows_in": 21, "rows_out": 16, "rows_quarantined": 5}
    assert m["tables"]["training"] == {"rows_in": 4, "rows_out": 3, "rows_quarantined": 1}
    tables = load_processed(root / "out")
    assert set(tables) == set(TABLES)
    s = tables["survey"]
    assert s["person_id"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert s["region_code"].eq("18.71").all()
    assert set(s["wave"]) == {"pre", "post"}
    assert s.loc[s["straight_lining"], "RTC01"].tolist() == [5.0]  # "Setuju" on the 6-point scale
    # answers are stored as given, not reversed (RTC04 is reverse keyed)
    assert s["RTC04"].dropna().between(1, 6).all()
    q = pd.read_parquet(root / "out" / "quarantine" / "survey.parquet")
    assert len(q) == 5 and q["reasons"].str.len().gt(0).all()
    assert {"nip", "name"}.isdisjoint(q.columns)
    p = tables["performance"]
    assert p["period"].eq("2025-S2").all() and p["capaian_pct"].iloc[0] == 87.5
    assert tables["satisfaction"]["respondent_id"].is_unique


def test_mini_every_planted_problem_is_reported(mini):
    root, info, _ = mini
    v = load_validation(root / "out")
    assert set(v.columns) >= {"file", "row", "column", "value", "rule", "severity"}
    assert _match_dirt(v, info["dirt"]) == []
    assert set(v["severity"]) <= {"error", "warning", "info"}


def test_no_nip_or_name_in_any_processed_file(mini):
    root, info, _ = mini
    for f in (root / "out").rglob("*"):
        if not f.is_file():
            continue
        text = pd.read_parquet(f).astype(str).to_csv() if f.suffix == ".parquet" else f.read_text(encoding="utf-8")
        assert not NIP_RE.search(text), (f, NIP_RE.search(text).group(0))
        for name in info["names"]:
            assert name not in text, (f, name)


def test_identical_inputs_identical_outputs_and_raw_untouched(mini, tmp_path):
    root, _, m1 = mini
    before = _tree_hash(root / "raw")
    m2 = build_processed("mini", raw_dir=root / "raw", out_dir=tmp_path / "again")
    assert _tree_hash(root / "raw") == before
    a, b = _tree_hash(root / "out"), _tree_hash(tmp_path / "again")
    del a["manifest.json"], b["manifest.json"]
    assert a == b
    strip = lambda m: {k: v for k, v in m.items() if k != "run"}  # noqa: E731
    assert strip(m1) == strip(m2)
    assert set(m1["inputs"]) == {
        "dataset.yml",
        "survey_forms.csv",
        "skp_kota_bandar_lampung.xlsx",
        "training.csv",
        "skm.csv",
    }
    assert m1["versions"]["pandas"] == pd.__version__


def test_other_key_other_pseudonyms_same_key_joins(mini, tmp_path, monkeypatch):
    root, _, _ = mini
    s1 = load_table("survey", root / "out")
    p1 = load_table("performance", root / "out")
    assert set(p1["person_id"]) & set(s1["person_id"])  # tables join on the pseudonym
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "another-key")
    build_processed("mini", raw_dir=root / "raw", out_dir=tmp_path / "k2")
    s2 = load_table("survey", tmp_path / "k2")
    assert not set(s1["person_id"]) & set(s2["person_id"])


def test_load_errors(tmp_path, monkeypatch):
    with pytest.raises(KinerjaError, match="has not been cleaned"):
        load_processed(tmp_path / "nothing")
    with pytest.raises(KinerjaError, match="table 'people' is unknown"):
        load_table("people", tmp_path)


def test_validate_writes_nothing_and_refuses_raw_output(mini, tmp_path):
    root, info, _ = mini
    before = _tree_hash(root / "raw")
    problems, counts = validate_dataset(root / "raw")
    assert _tree_hash(root / "raw") == before
    assert counts["survey"]["rows_quarantined"] == 5
    assert _match_dirt(problems, info["dirt"]) == []
    with pytest.raises(KinerjaError, match="never writes into data/raw"):
        build_processed("mini", raw_dir=root / "raw", out_dir=root / "raw" / "processed")


def _cli(args: list[str]) -> None:
    from kinerja_research.cli import main

    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code in (0, None)


def test_cli_clean_and_validate(mini, tmp_path, capsys):
    root, _, _ = mini
    _cli(["clean", str(root / "raw"), "--out", str(tmp_path / "cli"), "--quiet"])
    out = capsys.readouterr().out
    assert "quarantined" in out and (tmp_path / "cli" / "manifest.json").exists()
    _cli(["validate", str(tmp_path / "cli"), "--lang", "en"])
    out = capsys.readouterr().out
    assert "Problems by rule" in out and "nip_scientific_notation" in out
    _cli(["validate", str(root / "raw"), "--lang", "id"])
    assert "Masalah per aturan" in capsys.readouterr().out


def test_default_dataset_all_dirt_found(tmp_path):
    """The synthetic default dataset (small scale): every planted problem appears in validation.csv."""
    from kinerja_research.synth import write_default

    truth = write_default(tmp_path / "raw", seed=7, scale=0.1)
    m = build_processed("default", raw_dir=tmp_path / "raw", out_dir=tmp_path / "out")
    v = load_validation(tmp_path / "out")
    assert _match_dirt(v, truth["dirt"]) == []
    assert {d["rule"] for d in truth["dirt"]} <= set(m["problems"])
    # nothing flagged as an error that was not planted, except the originals of duplicate submissions
    planted = {(d["file"], d["row"]) for d in truth["dirt"]}
    errs = v[(v["severity"] == "error") & (v["rule"] != "duplicate_submission")]
    assert {(f, int(r)) for f, r in zip(errs["file"], errs["row"])} <= planted


@pytest.mark.slow
def test_default_dataset_full_scale_all_dirt_found(tmp_path):
    from kinerja_research.synth import write_default

    truth = write_default(tmp_path / "raw", seed=2026, scale=1.0)
    build_processed("default", raw_dir=tmp_path / "raw", out_dir=tmp_path / "out")
    assert _match_dirt(load_validation(tmp_path / "out"), truth["dirt"]) == []


_RUN = """
import sys
from kinerja_research.pipeline import build_processed
build_processed("big", raw_dir=sys.argv[1], out_dir=sys.argv[2])
"""


def _kill_runs(tmp_path: Path, copies: int, delays: tuple) -> None:
    raw = tmp_path / "raw"
    _rawdata.write_raw(raw)
    survey = pd.read_csv(raw / "survey_forms.csv", sep=";", encoding="cp1252", dtype=str)
    big = pd.concat([survey] * copies, ignore_index=True)
    big.to_csv(raw / "survey_forms.csv", sep=";", index=False, encoding="cp1252")
    out = tmp_path / "out"
    build_processed("big", raw_dir=raw, out_dir=out)
    previous = {k: v for k, v in _tree_hash(out).items() if k != "manifest.json"}
    env = {**os.environ, "KINERJA_PSEUDONYM_KEY": KEY}
    interrupted = 0
    for delay in delays:
        proc = subprocess.Popen([sys.executable, "-c", _RUN, str(raw), str(out)], env=env)
        deadline = time.time() + 120
        while not list(tmp_path.glob(".out.tmp-*")) and time.time() < deadline and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        interrupted += proc.wait(timeout=60) == -signal.SIGKILL
        now = {k: v for k, v in _tree_hash(out).items() if k != "manifest.json"}
        assert now == previous
        assert now == json.loads((out / "manifest.json").read_text())["outputs"]
        assert len(load_table("survey", out)) > 0
    assert interrupted >= 1  # at least one run was really killed mid-way
    # the next complete run removes what the killed runs left and gives the same outputs
    build_processed("big", raw_dir=raw, out_dir=out)
    assert not list(tmp_path.glob(".out.tmp-*")) and not (tmp_path / "out.previous").exists()
    assert {k: v for k, v in _tree_hash(out).items() if k != "manifest.json"} == previous
    assert load_manifest(out)["tables"]["survey"]["rows_in"] == len(big)


def test_killed_run_leaves_previous_outputs_intact(tmp_path):
    """Kill a cleaning run while it writes: the previous outputs stay complete and consistent."""
    _kill_runs(tmp_path, copies=600, delays=(0.1,))


@pytest.mark.slow
def test_killed_run_at_many_moments(tmp_path):
    _kill_runs(tmp_path, copies=5000, delays=(0.0, 0.1, 0.3, 0.6, 1.0, 1.5, 2.5))


@pytest.mark.slow
def test_audit_report_runs_and_leaks_no_nip_or_name(mini, tmp_path):
    """The data-audit notebook on the hand-made dataset: it runs, and its output holds no NIP and no raw name."""
    import papermill as pm

    from kinerja_research import paths

    root, info, _ = mini
    out = tmp_path / "00_data_audit.ipynb"
    pm.execute_notebook(
        str(paths.NOTEBOOKS / "00_data_audit.ipynb"),
        str(out),
        kernel_name="python3",
        parameters={"dataset": str(root / "out"), "lang": "en", "out_dir": str(tmp_path)},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    text = out.read_text(encoding="utf-8") + (tmp_path / "00_data_audit.headline.json").read_text(encoding="utf-8")
    # the rule shows by its label (report vocabulary), never as the raw identifier
    assert "Problems by rule" in text and "NIP in scientific notation" in text and "nip_scientific_notation" not in text
    assert not NIP_RE.search(text), NIP_RE.search(text).group(0)
    for name in info["names"]:
        assert name not in text, name


def test_clean_refuses_output_folders_it_would_destroy(mini, tmp_path):
    """Reviewer finding: `--out data/raw` (or any folder with other data) was silently replaced, i.e. deleted."""
    root, _, _ = mini
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(KinerjaError, match="not empty and holds no manifest.json"):
        build_processed("mini", raw_dir=root / "raw", out_dir=foreign)
    assert (foreign / "thesis.docx").read_text(encoding="utf-8") == "precious"
    # a folder containing the raw folder (its parent) and the raw folder itself are refused
    before = _tree_hash(root / "raw")
    for out in (root, root / "raw"):
        with pytest.raises(KinerjaError, match="inside or contains the raw folder"):
            build_processed("mini", raw_dir=root / "raw", out_dir=out)
    assert _tree_hash(root / "raw") == before
    # a previous output of ours is replaced; an empty folder is fine
    (tmp_path / "empty").mkdir()
    build_processed("mini", raw_dir=root / "raw", out_dir=tmp_path / "empty")
    build_processed("mini", raw_dir=root / "raw", out_dir=tmp_path / "empty")
    assert (tmp_path / "empty" / "manifest.json").exists()


def test_implausible_age_row_is_quarantined_not_fatal(tmp_path):
    """Reviewer finding: one NIP with birth year 1920 (age 105.8) failed the whole clean at the schema guard."""
    raw = tmp_path / "raw"
    _rawdata.write_raw(raw)
    s = pd.read_csv(raw / "survey_forms.csv", sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    s.loc[15, "NIP"] = "192001012010011006"
    s.to_csv(raw / "survey_forms.csv", sep=";", index=False, encoding="cp1252")
    m = build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out")
    assert m["problems"].get("age_out_of_range") == 1
    q = pd.read_parquet(tmp_path / "out" / "quarantine" / "survey.parquet")
    assert q.loc[q["_row"] == 16, "reasons"].str.contains("age_out_of_range").all()
    v = load_validation(tmp_path / "out")
    hit = v[v["rule"] == "age_out_of_range"]
    assert hit["row"].tolist() == [16] and hit["severity"].tolist() == ["error"] and hit["field"].tolist() == ["age"]


def test_personal_data_guard_and_key_fingerprint(mini, tmp_path, monkeypatch, capsys):
    """Safety net: an output with a nip column, an 18-digit run or an exact birth date is never written (a bug
    guard), and the CLI says so in one sentence with exit 2, never a traceback; the manifest records which key made
    the pseudonyms."""
    import hashlib

    import kinerja_research.pipeline as pipeline
    from kinerja_research.cli import main
    from kinerja_research.pipeline import PersonalDataLeak, _guard_personal_data
    from kinerja_research.privacy import key_fingerprint

    root, _, manifest = mini
    assert manifest["parameters"]["pseudonym_key_fingerprint"] == hashlib.sha256(KEY.encode()).hexdigest()[:8]
    assert key_fingerprint(b"another-key") != manifest["parameters"]["pseudonym_key_fingerprint"]
    clean = load_table("survey", root / "out")
    for leaky, msg in (
        (clean.assign(nip="x"), "personal-data column 'nip'"),
        (clean.assign(agency="Dinas 1987-1118-2013-09-1-001"), "column 'agency' holds a NIP"),
        (clean.assign(birth_date=pd.Timestamp("1985-03-12")), "column 'birth_date': a personal identifier"),
        (clean.assign(submitted_at=pd.Timestamp("2025-03-12 10:15")), "exact dates or times"),
        (clean.assign(age=clean["age"].astype(float) + 0.5), "not in whole years"),
    ):
        with pytest.raises(PersonalDataLeak, match=msg):
            _guard_personal_data("survey.parquet", leaky)
    real = pipeline.clean_table

    def leaky_clean_table(table, raw, **kw):
        c, q, p = real(table, raw, **kw)
        return c.assign(agency="Dinas 198711182013091001"), q, p

    monkeypatch.setattr(pipeline, "clean_table", leaky_clean_table)
    with pytest.raises(SystemExit) as e:
        main(["clean", str(root / "raw"), "--out", str(tmp_path / "leak"), "--quiet"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "Traceback" not in err and "nothing was written" in err
    assert err.strip().count("\n") == 0  # one sentence on one line
    assert not (tmp_path / "leak").exists()
