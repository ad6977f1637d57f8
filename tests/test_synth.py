"""The synthetic default dataset: determinism, canonical contract, NIP structure, dirt ledger, truths recovered."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from typer.testing import CliRunner

from kinerja_research.clean.nip import parse_nip
from kinerja_research.cli import app
from kinerja_research.errors import KinerjaError
from kinerja_research.synth import _spec, _world, load_dirt, load_truth, simulate, write_default, write_raw

SURVEY_BASE = [
    "person_id",
    "region_code",
    "agency",
    "wave",
    "trained",
    "submitted_at",
    "duration_s",
    "gender",
    "birth_date",
    "age",
    "tenure_years",
    "golongan",
    "golongan_rank",
    "education",
    "too_fast",
    "straight_lining",
]
PERF = [
    "person_id",
    "region_code",
    "agency",
    "period",
    "period_start",
    "golongan",
    "golongan_rank",
    "rating_hasil_kerja",
    "rating_perilaku",
    "predikat",
    "capaian_pct",
]
TRAIN = ["person_id", "region_code", "course", "start", "end", "jp", "programme"]
SAT = (
    ["respondent_id", "region_code", "service_unit", "submitted_at", "period"]
    + [f"U{j}" for j in range(1, 10)]
    + ["gender", "age", "education", "occupation"]
)


@pytest.fixture(scope="module")
def world():
    """The default world (seed 2026, scale 1): what analyses are tested on."""
    return simulate(seed=2026, scale=1.0)


@pytest.fixture(scope="module")
def big():
    """A larger world (about 46,000 survey rows) to compare sample moments with the stated estimands."""
    return simulate(seed=7, scale=20.0)


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw") / "default"
    truth = write_default(out, seed=11, scale=0.15)
    return out, truth


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- determinism ------------------------------------------------------------------------------------------------
def test_same_seed_same_bytes_different_seed_different_data(raw, tmp_path):
    out, _ = raw
    again = tmp_path / "default"
    write_default(again, seed=11, scale=0.15)
    assert _digest(out) == _digest(again)
    other = tmp_path / "other"
    write_default(other, seed=12, scale=0.15)
    d1, d2 = _digest(out), _digest(other)
    assert set(d1) == set(d2)
    differing = [f for f in d1 if d1[f] != d2[f]]
    assert "survey_asn_google_forms.csv" in differing and len(differing) >= len(d1) - 1


def test_adding_a_stage_does_not_change_others():
    # sub-streams are derived from (seed, stage name): the draws of one stage do not depend on the others
    a = _world.substream(5, "performance").random(3)
    b = _world.substream(5, "performance").random(3)
    c = _world.substream(5, "survey").random(3)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


# --- canonical contract ------------------------------------------------------------------------------------------
def test_tables_follow_the_canonical_contract(world):
    t = world.tables
    items = [it.id for name in _spec.SURVEY_INSTRUMENTS for it in _spec.instrument(name).items]
    assert list(t["survey"].columns) == SURVEY_BASE + items
    assert list(t["performance"].columns) == PERF
    assert list(t["training"].columns) == TRAIN
    assert list(t["satisfaction"].columns) == SAT
    sv = t["survey"]
    for c in ("person_id", "region_code", "agency", "wave", "gender", "golongan", "education"):
        assert pd.api.types.is_string_dtype(sv[c]), c
    assert str(sv["trained"].dtype) == "boolean" and str(sv["golongan_rank"].dtype) == "Int64"
    assert not sv["too_fast"].any() and not sv["straight_lining"].any()
    assert pd.api.types.is_datetime64_any_dtype(sv["submitted_at"]) and pd.api.types.is_datetime64_any_dtype(
        sv["birth_date"]
    )
    assert all(sv[i].dtype == np.float64 for i in items)
    assert set(sv["wave"]) == {"pre", "post"} and set(sv["gender"]) == {"L", "P"}
    assert set(sv["region_code"]) == set(_spec.DEFAULT_REGIONS)
    assert set(sv["education"]) <= set(_spec.EDUCATION)
    # answers as given, on each instrument's scale
    for name in _spec.SURVEY_INSTRUMENTS:
        inst = _spec.instrument(name)
        vals = sv[[it.id for it in inst.items]].to_numpy()
        assert vals.min() == 1 and vals.max() == inst.k
    pf = t["performance"]
    assert set(pf["period"]) == set(_spec.PERIODS)
    assert set(pf["rating_hasil_kerja"]) == {"above", "as_expected", "below"}
    assert set(pf["predikat"]) <= {"Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"}
    assert pf["capaian_pct"].dtype == np.float64
    pppk = pf["golongan"].str.startswith("PPPK-")
    assert pf.loc[pppk, "golongan_rank"].isna().all() and pf.loc[~pppk, "golongan_rank"].between(1, 17).all()
    sat = t["satisfaction"]
    assert all(sat[f"U{j}"].between(1, 4).all() for j in range(1, 10))
    assert sat["respondent_id"].is_unique and sat["respondent_id"].str.fullmatch(r"R[0-9a-f]{16}").all()
    assert sv["person_id"].str.fullmatch(r"P[0-9a-f]{16}").all()
    assert not sv.duplicated(["person_id", "wave"]).any()


def test_tables_pass_the_processed_schemas(world):
    # the simulated tables have the processed tables' dtypes and rules, so one code path serves both
    from kinerja_research.schemas import validate_table

    for name, df in world.tables.items():
        validate_table(name, df)


def test_processed_tables_follow_contract_c2_like_the_cleaned_ones(raw, tmp_path, monkeypatch):
    # the world's tables in processed form: what `kinerja clean` writes from its raw files (same columns, same
    # rules: no exact birth date or submission time, whole years, employment wherever staff are listed)
    from kinerja_research.pipeline import build_processed, load_processed
    from kinerja_research.privacy import release_problems
    from kinerja_research.schemas import validate_table

    out, _ = raw
    world = simulate(seed=11, scale=0.15)
    processed = world.processed()
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "synth-test-key")
    build_processed("default", raw_dir=out, out_dir=tmp_path / "p")
    cleaned = load_processed(tmp_path / "p")
    for name, df in processed.items():
        validate_table(name, df)
        assert release_problems(name, df) == []
        assert set(df.columns) == set(cleaned[name].columns), name
        for c in df.columns:  # the same kinds of values (a pseudonym of the world is keyed differently)
            assert df[c].dtype.kind == cleaned[name][c].dtype.kind, (name, c)
    assert set(processed["survey"]["employment"]) == {"PNS", "PPPK"}
    assert set(processed["performance"]["period_kind"]) == {"semester"}
    assert "birth_date" in world.tables["survey"]  # the world keeps what the raw files are written from


def test_predikat_follows_permenpanrb_6_2022_matrix(world):
    pf = world.tables["performance"]
    h, b = pf["rating_hasil_kerja"], pf["rating_perilaku"]
    expected = np.select(
        [(b == "below") & (h == "below"), b == "below", h == "below", (h == "above") & (b == "above")],
        ["Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Sangat Baik"],
        default="Baik",
    )
    assert (pf["predikat"].to_numpy() == expected).all()
    assert set(pf["predikat"]) == {"Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"}


def test_nip_structure(world):
    priv = world.private
    nip = priv["nip"]
    assert nip.str.fullmatch(r"\d{18}").all() and nip.is_unique
    # PPPK staff carry a NI PPPK (year first appointed + "2" + contract number), the others a PNS NIP (TMT month)
    pppk = priv["golongan"].str.startswith("PPPK-").to_numpy(dtype=bool)
    assert 0.05 < pppk.mean() < 0.3
    assert (nip.str[12][pppk] == "2").all() and nip.str[13][pppk].isin(list("12")).all()
    parsed = parse_nip(nip.astype("string"), at=pd.Timestamp("2026-11-01"))
    assert parsed["nip_rule"].isna().all()
    assert (parsed["employment"].to_numpy() == np.where(pppk, "PPPK", "PNS")).all()
    birth = pd.to_datetime(nip.str[:8], format="%Y%m%d")
    month = nip.str[12:14].where(~pppk, "01")  # a NI PPPK counts service from 1 January of its year
    tmt = pd.to_datetime(nip.str[8:12] + month + "01", format="%Y%m%d")
    assert (tmt.dt.year - birth.dt.year >= 18).all()
    assert ((tmt - birth).dt.days[~pppk] / 365.25 >= 18).all()
    assert tmt.max() <= pd.Timestamp("2026-11-01")
    assert set(nip.str[14]) == {"1", "2"}
    people = world.extra["people"].set_index("person_id")
    assert (people.loc[priv["person_id"], "birth_date"].to_numpy() == birth.to_numpy()).all()
    gender = np.where(nip.str[14] == "2", "P", "L")
    assert (people.loc[priv["person_id"], "gender"].to_numpy() == gender).all()
    # names vary and carry regional flavour
    assert priv["name"].nunique() > 0.5 * len(priv)
    kupang = priv.loc[priv["region_code"] == "53.71", "name"]
    assert kupang.str.contains("Yohanes|Maria|Tefa|Manafe|Ndun").mean() > 0.1


def test_bad_arguments_raise_one_sentence():
    with pytest.raises(KinerjaError, match="scale"):
        simulate(scale=0)
    with pytest.raises(KinerjaError, match="Atlantis"):
        simulate(regions=["Atlantis"])
    with pytest.raises(KinerjaError, match="kabupaten/kota"):
        simulate(regions=["18"], scale=0.05)


# --- dirt ledger -------------------------------------------------------------------------------------------------
def _read(folder, name):
    if name.endswith(".xlsx"):
        ws = openpyxl.load_workbook(folder / name, read_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        return pd.DataFrame(rows[4:], columns=rows[3]).astype(object)
    enc = "cp1252" if name.startswith("pelatihan_") else "utf-8"
    sep = ";" if name.startswith("pelatihan_") else ","
    return pd.read_csv(folder / name, sep=sep, encoding=enc, dtype=str, keep_default_na=False)


def _cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
        return None
    if isinstance(v, float):
        # a NIP stored as an Excel number: the digits Excel shows (15 significant)
        return str(int(Decimal(f"{v:.15g}"))) if abs(v) > 1e6 else repr(v)
    return str(v)


def test_every_planted_problem_is_in_the_files(raw):
    out, truth = raw
    dirt = truth["dirt"]
    rules = {d["rule"] for d in dirt}
    assert {
        "nip_scientific_notation",
        "nip_precision_loss",
        "nip_invalid_date",
        "nip_length",
        "duplicate_submission",
        "missing_value",
        "likert_unknown_label",
        "out_of_range",
        "too_fast",
        "straight_lining",
        "region_variant",
        "golongan_variant",
        "decimal_comma",
        "date_format",
    } <= rules
    items = [h for h, c in _raw_columns(out).items() if c[:3] in ("RTC", "TRN", "RWD", "SNC", "MOT", "SUS")]
    by_file = {}
    for d in dirt:
        by_file.setdefault(d["file"], []).append(d)
    for name, entries in by_file.items():
        df = _read(out, name)
        cols = {c: i for i, c in enumerate(df.columns)}
        arr = df.to_numpy(dtype=object)
        item_idx = [cols[h] for h in items] if name.startswith("survey") else []
        for d in entries:
            row = arr[d["row"] - 1]
            if d["column"] is not None:
                assert _cell(row[cols[d["column"]]]) == d["value"], d
            elif d["rule"] == "duplicate_submission":
                prev = arr[d["row"] - 2]
                assert row[0] == d["value"] and (row[1:] == prev[1:]).all(), d
            else:
                assert d["rule"] == "straight_lining"
                assert (row[item_idx] == d["value"]).all(), d
    # Excel-mangled NIPs look the part
    sci = [d["value"] for d in dirt if d["rule"] == "nip_scientific_notation"]
    assert all("E+17" in v for v in sci)
    # the header of the SKP export is not on row 1
    ws = openpyxl.load_workbook(out / "skp_kota_bandar_lampung.xlsx", read_only=True).worksheets[0]
    first = [r for r in ws.iter_rows(min_row=1, max_row=4, values_only=True)]
    assert first[0][0].startswith("REKAPITULASI") and "NIP" in first[3]


def _raw_columns(out):
    import yaml

    spec = yaml.safe_load((out / "dataset.yml").read_text(encoding="utf-8"))
    return spec["tables"]["survey"][0]["columns"]


def test_dataset_yml_maps_every_header(raw):
    import yaml

    out, _ = raw
    spec = yaml.safe_load((out / "dataset.yml").read_text(encoding="utf-8"))
    for entries in spec["tables"].values():
        for e in entries:
            files = sorted(p.name for p in out.glob(e["file"]))  # per-region files: one glob entry per layout
            assert files and (len(files) == 1 or e["region"] == "from_filename"), e["file"]
            for name in files:
                df = _read(out, name)
                unmapped = set(df.columns) - set(e["columns"]) - {"No"}
                assert not unmapped, (name, unmapped)
                assert set(e["columns"]) <= set(df.columns)
    # region spellings in the survey all resolve to the right registry code
    from kinerja_research.regions import resolve_region

    df = _read(out, "survey_asn_google_forms.csv")
    col = next(h for h, c in spec["tables"]["survey"][0]["columns"].items() if c == "region")
    assert df[col].nunique() >= 8
    assert {resolve_region(v).code for v in df[col].unique()} == set(_spec.DEFAULT_REGIONS)


def test_overwriting_is_guarded(tmp_path):
    runner = CliRunner()
    out = tmp_path / "ds"
    res = runner.invoke(app, ["data", "synth", "--scale", "0.05", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    # a second run over its own dataset is fine
    res = runner.invoke(app, ["data", "synth", "--scale", "0.05", "--seed", "3", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    # a dataset.yml (or any file) it did not write: refused, --force or not; nothing of the user's is touched
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "dataset.yml").write_text("name: mine\n", encoding="utf-8")
    for extra in ([], ["--force"]):
        res = runner.invoke(app, ["data", "synth", "--scale", "0.05", "--out", str(foreign), "--quiet", *extra])
        assert res.exit_code == 2 and "did not write" in res.output
    assert (foreign / "dataset.yml").read_text(encoding="utf-8") == "name: mine\n"
    assert sorted(p.name for p in foreign.iterdir()) == ["dataset.yml"]
    # its own earlier output with a hand-edited dataset.yml: only with --force
    (out / "dataset.yml").write_text("name: edited\n", encoding="utf-8")
    res = runner.invoke(app, ["data", "synth", "--scale", "0.05", "--out", str(out), "--quiet"])
    assert res.exit_code == 2 and "'dataset.yml'" in res.output
    res = runner.invoke(app, ["data", "synth", "--scale", "0.05", "--out", str(out), "--quiet", "--force"])
    assert res.exit_code == 0, res.output
    # a stray file among its own output: refused
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    res = runner.invoke(app, ["data", "synth", "--scale", "0.05", "--out", str(out), "--quiet", "--force"])
    assert res.exit_code == 2 and "'notes.txt'" in res.output and (out / "notes.txt").exists()


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--scale", "0"], "--scale"),
        (["--scale", "-3"], "--scale"),
        (["--regions", "Atlantis"], "Atlantis"),
        (["--out", "/proc/kinerja_cannot_write_here"], "not writable"),
    ],
)
def test_cli_errors_are_one_sentence(tmp_path, args, needle):
    base = ["data", "synth", "--quiet"] + ([] if "--out" in args else ["--out", str(tmp_path / "x")])
    res = CliRunner().invoke(app, base + args)
    assert res.exit_code == 2
    assert "Traceback" not in res.output and needle in res.output
    assert res.output.strip().count("\n") == 0 and res.output.strip().endswith(".")


# --- truths ------------------------------------------------------------------------------------------------------
def test_did_recovers_planted_training_effect_per_region(world):
    pf = world.tables["performance"]
    trained = world.private.set_index("person_id")["trained"]
    d = pf.assign(
        trained=trained.reindex(pf["person_id"]).to_numpy().astype(int),
        post=pf["period"].isin(["2026-S1", "2026-S2"]).astype(int),
    )
    truth = world.truth
    for code, reg in truth["regions"].items():
        sub = d[d["region_code"] == code]
        fit = smf.ols("capaian_pct ~ trained + trained:post + C(period)", data=sub).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(sub["person_id"])[0]}
        )
        lo, hi = fit.conf_int().loc["trained:post"]
        assert lo < reg["training_effect_capaian"] < hi, (code, lo, hi)
        # the naive post-only comparison is biased by selection: its CI excludes the DiD effect
        post = sub[sub["post"] == 1]
        naive = smf.ols("capaian_pct ~ trained + C(period)", data=post).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(post["person_id"])[0]}
        )
        nlo, nhi = naive.conf_int().loc["trained"]
        assert nlo > reg["training_effect_capaian"], code
        assert nlo - 1.0 < reg["naive_post_only_difference"] < nhi + 1.0, code


def test_dose_response_slope_per_programme_jp(world):
    pf = world.tables["performance"]
    priv = world.private.set_index("person_id")
    wide = pf.pivot_table(index="person_id", columns="period", values="capaian_pct")
    gain = (wide[["2026-S1", "2026-S2"]].mean(axis=1) - wide[["2025-S1", "2025-S2"]].mean(axis=1)).rename("gain")
    d = pd.concat([gain, priv[["jp_programme", "region_code"]]], axis=1, join="inner")
    for code, kappa in world.truth["training"]["dose_response_per_jp_by_region"].items():
        fit = smf.ols("gain ~ jp_programme", data=d[d["region_code"] == code]).fit()
        lo, hi = fit.conf_int().loc["jp_programme"]
        assert lo < kappa < hi, (code, lo, hi, kappa)


def test_scale_means_match_truth(big):
    sv = big.tables["survey"]
    rtc = _spec.instrument("rtc")
    scored = sv[[it.id for it in rtc.items]].copy()
    for it in rtc.items:
        if it.reverse:
            scored[it.id] = rtc.k + 1 - scored[it.id]
    sv = sv.assign(rtc_total=scored.mean(axis=1))
    pre = sv[sv["wave"] == "pre"]
    for code, reg in big.truth["regions"].items():
        x = pre.loc[pre["region_code"] == code, "rtc_total"]
        se = x.std() / np.sqrt(len(x))
        assert abs(x.mean() - reg["rtc_mean"]["total"]) < 4 * se, (code, x.mean(), reg["rtc_mean"]["total"])
        for dim in rtc.dimensions:
            ids = [it.id for it in rtc.dim_items(dim)]
            y = scored.loc[x.index, ids].mean(axis=1)
            assert abs(y.mean() - reg["rtc_mean"][dim]) < 4 * y.std() / np.sqrt(len(y)), (code, dim)
    post_t = sv[(sv["wave"] == "post") & sv["trained"]]
    for code, reg in big.truth["regions"].items():
        x = post_t.loc[post_t["region_code"] == code, "rtc_total"]
        assert abs(x.mean() - reg["rtc_mean_post"]["trained"]["total"]) < 4 * x.std() / np.sqrt(len(x))
    # SUS score (0-100)
    sus = _spec.instrument("sus")
    s = sum((sus.k - pre[it.id]) if it.reverse else (pre[it.id] - 1) for it in sus.items) * 2.5
    for code, reg in big.truth["regions"].items():
        x = s[pre["region_code"] == code]
        assert abs(x.mean() - reg["sus_mean"]) < 4 * x.std() / np.sqrt(len(x)), code


def test_ikm_matches_truth(big):
    sat = big.tables["satisfaction"]
    for code, reg in big.truth["regions"].items():
        sub = sat[sat["region_code"] == code]
        u = sub[[f"U{j}" for j in range(1, 10)]]
        ikm = u.mean(axis=1) * 9 * 0.111 * 25 if False else u.sum(axis=1) * 0.111 * 25
        assert abs(ikm.mean() - reg["ikm"]) < 4 * ikm.std() / np.sqrt(len(ikm)), code


def test_mediation_paths_match_truth(big):
    sv = big.tables["survey"]
    pf = big.tables["performance"]
    pre = sv[sv["wave"] == "pre"]

    def score(name):
        inst = _spec.instrument(name)
        cols = [(inst.k + 1 - pre[it.id]) if it.reverse else pre[it.id] for it in inst.items]
        return pd.concat(cols, axis=1).mean(axis=1)

    cap = pf[pf["period"] == "2025-S2"].set_index("person_id")["capaian_pct"]
    d = pd.DataFrame(
        {
            "reward": score("reward"),
            "motivation": score("motivation"),
            "sanction": score("sanction"),
            "region_code": pre["region_code"],
            "capaian": cap.reindex(pre["person_id"]).to_numpy(),
        }
    )
    paths = big.truth["paths"]
    a = smf.ols("motivation ~ reward", data=d).fit()
    lo, hi = a.conf_int().loc["reward"]
    assert lo < paths["a_reward_to_motivation"] < hi
    # capaian has region (and agency) intercepts: region fixed effects do not change the population slopes
    b = smf.ols("capaian ~ reward + motivation + C(region_code)", data=d).fit()
    ci = b.conf_int()
    assert ci.loc["motivation", 0] < paths["b_motivation_to_performance"] < ci.loc["motivation", 1]
    assert ci.loc["reward", 0] < paths["c_prime_reward_to_performance"] < ci.loc["reward", 1]
    r = smf.ols("capaian ~ reward + sanction + motivation + C(region_code)", data=d).fit()
    for term, v in big.truth["regression"]["coefficients"].items():
        lo, hi = r.conf_int().loc[term]
        assert lo < v < hi, term


def test_population_alpha_matches_large_sample(big):
    sv = big.tables["survey"]
    pre = sv[sv["wave"] == "pre"]
    for name in ("rtc", "motivation"):
        inst = _spec.instrument(name)
        for dim in inst.dimensions:
            its = inst.dim_items(dim)
            x = pd.concat([(inst.k + 1 - pre[it.id]) if it.reverse else pre[it.id] for it in its], axis=1)
            c = np.cov(x.to_numpy(), rowvar=False)
            k = len(its)
            alpha = k / (k - 1) * (1 - np.trace(c) / c.sum())
            assert abs(alpha - big.truth["measurement"][name][dim]["alpha_population"]) < 0.02, (name, dim)


def test_truth_is_the_same_for_every_seed(world):
    other = simulate(seed=99, scale=0.05)
    for key in ("paths", "regression", "measurement"):
        assert other.truth[key] == world.truth[key]
    assert other.truth["regions"]["18.71"]["rtc_mean"] == world.truth["regions"]["18.71"]["rtc_mean"]


def test_write_raw_uses_the_world(tmp_path):
    w = simulate(seed=4, scale=0.05)
    truth = write_raw(w, tmp_path / "one")
    assert list(truth["regions"]) == list(_spec.DEFAULT_REGIONS)
    assert (tmp_path / "one" / "skp_kota_bengkulu.xlsx").exists()
    saved = json.loads((tmp_path / "one" / "GROUND_TRUTH.json").read_text(encoding="utf-8"))
    ledger = saved["dirt_files"]
    assert "dirt" not in saved and saved["seed"] == 4 and ledger["records"] == len(truth["dirt"])
    assert load_truth(tmp_path / "one")["dirt"] == truth["dirt"]  # the per-region ledgers hold the planted problems
    # one ledger per region, indexed with its checksum and size; a region's part holds its own files and the survey
    # rows its staff answered
    assert list(ledger["regions"]) == list(_spec.DEFAULT_REGIONS)
    assert sum(v["records"] for v in ledger["regions"].values()) == ledger["records"]
    for code, entry in ledger["regions"].items():
        assert entry["name"] == f"GROUND_TRUTH.dirt.{code}.csv.gz"
        assert entry["sha256"] == hashlib.sha256((tmp_path / "one" / entry["name"]).read_bytes()).hexdigest()
    part = load_dirt(tmp_path / "one", regions=["53.71"])
    assert len(part) == ledger["regions"]["53.71"]["records"]
    assert set(part["file"]) == {
        "survey_asn_google_forms.csv",
        "skp_kota_kupang.xlsx",
        "pelatihan_kota_kupang.csv",
        "skm_kota_kupang.csv",
    }
    survey = pd.read_csv(tmp_path / "one" / "survey_asn_google_forms.csv", dtype=str, keep_default_na=False)
    rows = part.loc[part["file"] == "survey_asn_google_forms.csv", "row"].to_numpy()
    assert survey["Kabupaten/Kota tempat Anda bertugas"].iloc[rows - 1].str.contains("(?i)kupang").all()
    with pytest.raises(KinerjaError, match="99.99"):
        load_dirt(tmp_path / "one", regions=["99.99"])
    assert set(saved["files"]) == {p.name for p in (tmp_path / "one").iterdir()} - {
        "GROUND_TRUTH.json",
        "dataset.yml",
        *(v["name"] for v in ledger["regions"].values()),
    }


def test_streamed_writer_gives_the_same_files_as_the_world(tmp_path):
    # by region (national scale: above 200,000 staff unless told), write_default simulates and writes one region at a
    # time; the files are those of write_raw(simulate(...)) of the same world
    assert not _world.by_region_default(simulate(seed=5, scale=0.04).extra["params"], 0.04)
    truth = write_default(tmp_path / "a", seed=5, scale=0.04, keep_dirt=False, by_region=True)
    assert "dirt" not in truth
    world = simulate(seed=5, scale=0.04, by_region=True)
    other = write_raw(world, tmp_path / "b")
    assert truth["dirt_files"] == other["dirt_files"] and truth["regions"] == other["regions"]
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        if name != "dataset.yml":  # its name line is the folder's
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # a re-run of the CLI into this folder knows every ledger as its own output (and so replaces them)
    from kinerja_research.cli.data import _ours

    assert {v["name"] for v in truth["dirt_files"]["regions"].values()} <= _ours(tmp_path / "a")
    # a region's data do not depend on the other regions simulated with it (only NIP sequence digits continue)
    kupang = [p for p in world.extra["params"] if p.code == "53.71"]
    alone, _, _ = _world.build(5, 0.04, kupang, by_region=True)
    both = world.tables["performance"]
    both = both[both["region_code"] == "53.71"].reset_index(drop=True)
    assert np.array_equal(both["capaian_pct"].to_numpy(), alone["performance"]["capaian_pct"].to_numpy())
    assert both["period"].tolist() == alone["performance"]["period"].tolist()


def test_clean_step_finds_exactly_the_planted_problems(raw):
    # integration with the data layer: every planted problem is reported at its file/row/rule, and the only extra
    # findings are the earlier rows of duplicate pairs (the clean step keeps the latest submission)
    from kinerja_research.pipeline import validate_dataset

    out, truth = raw
    problems, _ = validate_dataset(out)
    found = set(zip(problems["file"], problems["row"].astype(int), problems["rule"]))
    planted = {(d["file"], d["row"], d["rule"]) for d in truth["dirt"]}
    assert planted <= found
    extra = found - planted
    assert {rule for _, _, rule in extra} <= {"duplicate_submission"}
    assert len(extra) == sum(d["rule"] == "duplicate_submission" for d in truth["dirt"])


@pytest.mark.slow
def test_did_interval_covers_truth_at_nominal_rate():
    # over many seeds the per-region DiD 95% CI covers the stated effect about 95% of the time
    hits, total = 0, 0
    for seed in range(40):
        w = simulate(seed=1000 + seed, scale=1.0)
        pf = w.tables["performance"]
        trained = w.private.set_index("person_id")["trained"]
        d = pf.assign(
            trained=trained.reindex(pf["person_id"]).to_numpy().astype(int),
            post=pf["period"].isin(["2026-S1", "2026-S2"]).astype(int),
        )
        for code, reg in w.truth["regions"].items():
            sub = d[d["region_code"] == code]
            fit = smf.ols("capaian_pct ~ trained + trained:post + C(period)", data=sub).fit(
                cov_type="cluster", cov_kwds={"groups": pd.factorize(sub["person_id"])[0]}
            )
            lo, hi = fit.conf_int().loc["trained:post"]
            hits += lo < reg["training_effect_capaian"] < hi
            total += 1
    assert 0.88 <= hits / total <= 0.99, hits / total


def test_nip_sequences_continue_across_regions():
    # regions are simulated one at a time; a NIP key (birth date, TMT, gender) used by an earlier region continues
    # its sequence, so the same key in two regions never gives the same NIP
    seq = _world.NipSequence()
    assert seq.take(np.array([5, 5, 7])).tolist() == [0, 0, 0]
    assert seq.take(np.array([9, 5, 7, 5])).tolist() == [0, 2, 1, 2]
    assert seq.take(np.array([], dtype=np.int64)).tolist() == []
    assert seq.take(np.array([1, 9])).tolist() == [0, 1]


def test_resume_finishes_an_interrupted_national_run(tmp_path):
    # a by-region run stopped before the survey export (region files and ledgers written, nothing else): resume
    # simulates the regions again for the survey rows without rewriting them, and ends with the uninterrupted files
    from kinerja_research.synth._raw import SURVEY_FILE, _write_dirt, read_dirt_frame

    whole, cut = tmp_path / "whole", tmp_path / "cut"
    write_default(whole, seed=9, scale=0.05, keep_dirt=False, by_region=True)
    cut.mkdir()
    for p in whole.iterdir():
        if p.name.startswith("GROUND_TRUTH.dirt."):
            frame = read_dirt_frame(p)
            _write_dirt(cut / p.name, frame[frame["file"] != SURVEY_FILE], header=True)
        elif p.name not in ("GROUND_TRUTH.json", "dataset.yml", SURVEY_FILE):
            (cut / p.name).write_bytes(p.read_bytes())
    write_default(cut, seed=9, scale=0.05, keep_dirt=False, by_region=True, resume=True)
    assert sorted(p.name for p in cut.iterdir()) == sorted(p.name for p in whole.iterdir())
    for p in whole.iterdir():
        if p.name != "dataset.yml":  # its name line is the folder's
            assert (cut / p.name).read_bytes() == p.read_bytes(), p.name
    # a ledger that already holds survey rows is not a run stopped before the survey: refused in one sentence
    with pytest.raises(KinerjaError, match="already holds survey rows"):
        write_default(whole, seed=9, scale=0.05, keep_dirt=False, by_region=True, resume=True)
