"""Pseudonymised means not re-identifiable (issue 15.1): what the processed tables release, the NIP-rebuilding attack
on them, and the k-anonymity report of their quasi-identifiers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _rawdata  # noqa: E402

from kinerja_research.pipeline import build_processed, load_processed  # noqa: E402
from kinerja_research.privacy import (  # noqa: E402
    k_anonymity,
    k_anonymity_summary,
    nip_attack,
    pseudonymise,
    release_problems,
)

KEY = "release-test-key"


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


@pytest.fixture(scope="module")
def default_small(tmp_path_factory):
    """The synthetic default dataset at scale 0.1, cleaned; with the truth (person_id -> NIP) of its people."""
    from kinerja_research.synth import simulate, write_raw

    os.environ["KINERJA_PSEUDONYM_KEY"] = KEY
    root = tmp_path_factory.mktemp("default_small")
    world = simulate(seed=11, scale=0.1)
    write_raw(world, root / "raw")
    build_processed("default", raw_dir=root / "raw", out_dir=root / "out")
    nips = world.private["nip"]
    truth = dict(zip(pseudonymise(nips, key=KEY.encode()), nips))
    return world, load_processed(root / "out"), truth, root


def _true_prefix_in_window(attack: pd.DataFrame, truth: dict) -> pd.Series:
    """The attack's windows are honest: each person's true birth date lies in their window (so a large window is a
    real uncertainty, not a bug of the attack)."""
    a = attack[attack["person_id"].isin(list(truth))]
    birth = pd.to_datetime(a["person_id"].map(truth).str[:8], format="%Y%m%d")
    return (birth >= a["birth_lo"]) & (birth <= a["birth_hi"])


def test_processed_tables_release_no_exact_birth_date_tmt_or_time(default_small):
    _, tables, _, root = default_small
    for name, df in tables.items():
        assert release_problems(name, df) == [], name
        assert not {"birth_date", "tmt_cpns", "nip", "name"} & set(df.columns)
    s = tables["survey"]
    assert str(s["age"].dtype) == "Int64" and str(s["tenure_years"].dtype) == "Int64"
    assert s["age"].dropna().between(17, 70).all() and s["tenure_years"].dropna().ge(0).all()
    assert (s["submitted_at"].dt.day == 1).all() and (s["submitted_at"].dt.hour == 0).all()
    assert set(s["employment"].dropna()) <= {"PNS", "PPPK"}
    sat = tables["satisfaction"]
    assert (sat["submitted_at"].dropna().dt.day == 1).all() and str(sat["age"].dtype) == "Int64"
    perf = tables["performance"]
    assert {"period", "period_kind", "period_start", "period_end"} <= set(perf.columns)
    assert set(perf["period_kind"]) == {"semester"}
    assert (perf["period_end"] > perf["period_start"]).all()
    quarantine = pd.read_parquet(root / "out" / "quarantine" / "survey.parquet")
    assert release_problems("quarantine/survey.parquet", quarantine.drop(columns=["_file", "_row", "reasons"])) == []


def test_nip_attack_rebuilds_every_respondent_from_exact_fields_and_nobody_from_processed(default_small):
    world, tables, truth, root = default_small
    # before (the old processed form, which the simulated world still has): exact birth date, exact years, exact time
    sv = world.tables["survey"].copy()
    sv["person_id"] = sv["person_id"].map(
        dict(zip(world.private["person_id"], pseudonymise(world.private["nip"], key=KEY.encode())))
    )
    before = nip_attack({"survey": sv})
    assert before["reidentified"].all() and (before["prefixes"] <= 2).all()
    assert _true_prefix_in_window(before, truth).all()
    # after: every processed table and the quarantine, together
    q = {t: pd.read_parquet(root / "out" / "quarantine" / f"{t}.parquet") for t in ("survey", "performance")}
    after = nip_attack({**tables, **{f"q_{t}": d for t, d in q.items()}})
    respondents = after[after["person_id"].isin(set(tables["survey"]["person_id"]))]
    assert len(respondents) == tables["survey"]["person_id"].nunique()
    assert not after["reidentified"].any()
    assert respondents["prefixes"].min() >= 100  # hundreds of birth-date x TMT candidates at the very least
    assert _true_prefix_in_window(respondents, truth).all()


def test_nip_attack_fails_on_the_hand_made_dataset(tmp_path):
    raw = tmp_path / "raw"
    _rawdata.write_raw(raw)
    build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out")
    tables = load_processed(tmp_path / "out")
    attack = nip_attack(tables)
    assert len(attack) > 0 and not attack["reidentified"].any()


def test_k_anonymity_tidy_table_and_summary():
    t = pd.DataFrame(
        {
            "person_id": [f"P{i}" for i in range(12)] + ["P0"],
            "region_code": ["18.71"] * 13,
            "agency": ["Dinas A"] * 6 + ["Dinas B"] * 6 + ["Dinas A"],
            "age": pd.array([30, 31, 32, 33, 34, 35, 41, 42, 43, 44, 45, 46, 31], dtype="Int64"),
            "gender": ["L"] * 13,
            "golongan": ["III/a"] * 13,
        }
    )
    kt = k_anonymity(t)
    assert list(kt.columns) == ["region_code", "agency", "age", "gender", "golongan", "k", "below"]
    assert kt["k"].sum() == 13 and kt["below"].all()  # every age differs: 12 classes, one person twice
    banded = k_anonymity(t, bands={"age": 10})
    assert banded[["agency", "age", "k"]].values.tolist() == [["Dinas A", "30–39", 6], ["Dinas B", "40–49", 6]]
    assert not banded["below"].any()
    s = k_anonymity_summary(t, bands={"age": 10})
    assert s.loc[0, ["n_people", "n_classes", "n_classes_below", "min_k", "warning"]].tolist() == [12, 2, 0, 6, False]
    by = k_anonymity_summary(t, between="agency")
    assert by["agency"].tolist() == ["Dinas A", "Dinas B"] and by["warning"].all()
    assert np.isclose(by["share_below"], 1.0).all()


def test_k_anonymity_on_processed_survey_is_reported(default_small):
    _, tables, _, _ = default_small
    s = k_anonymity_summary(tables["survey"])
    assert s.loc[0, "quasi"] == "region_code × agency × age × gender × golongan"
    assert s.loc[0, "n_people"] == tables["survey"]["person_id"].nunique()
    assert bool(s.loc[0, "warning"]) == bool(s.loc[0, "min_k"] < 5)
