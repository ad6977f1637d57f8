"""Measurement functions against R (psych, lavaan, semTools): tests/reference/measure.R -> measure_reference.json.

Inputs are the committed CSVs in tests/reference/ (R and Python read the same numbers). Each comparison names the R
call that made the expected number. Tolerances: alpha, correlations and other closed forms 1e-6 (they agree to
~1e-13); omega and minres eigenvalues 1e-5 (psych stops its L-BFGS-B optimiser earlier than our exact
least-squares solution); CFA/invariance fit indices 1e-3 as required (they agree to ~1e-7).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from kinerja_research.errors import ReverseKeyWarning
from kinerja_research.instruments import load_codebook
from kinerja_research.measure import (
    bartlett_sphericity,
    cfa,
    cronbach_alpha,
    invariance,
    item_analysis,
    kmo,
    omega,
    parallel_analysis,
    r_table,
    score_scale,
    split_half,
)

pytestmark = pytest.mark.r
REF = Path(__file__).parent / "reference"
R = json.loads((REF / "measure_reference.json").read_text())
REVERSE_SURVEY = {"RTC04": 6, "RTC14": 6, **{f"SUS{i:02d}": 5 for i in range(2, 11, 2)}}


@pytest.fixture(scope="module")
def datasets():
    return {
        "hs1939": pd.read_csv(REF / "measure_hs1939.csv"),
        "bfi": pd.read_csv(REF / "measure_bfi.csv"),
        "survey": pd.read_csv(REF / "measure_survey.csv", dtype={"region_code": str}),
        "survey_missing": pd.read_csv(REF / "measure_survey_missing.csv", dtype={"region_code": str}),
    }


def _keys(s):
    return [s["keys"]] if isinstance(s["keys"], str) else list(s["keys"])


def _prepared(datasets, s):
    """The R script reverses the survey's codebook-keyed items itself (lo + hi - x) and gives psych no keys."""
    df = datasets[s["dataset"]].copy()
    if s["dataset"].startswith("survey"):
        for col, hi in REVERSE_SURVEY.items():
            if col in s["items"]:
                df[col] = 1 + hi - df[col]
    return df


SCALES = R["scales"]
IDS = [f"{s['dataset']}-{s['name']}" for s in SCALES]


@pytest.mark.parametrize("s", SCALES, ids=IDS)
def test_alpha_matches_psych(datasets, s):
    df = _prepared(datasets, s)
    res = cronbach_alpha(df, items=s["items"], reverse=_keys(s)).iloc[0]
    a = s["alpha"]
    # psych::alpha(x, keys=)$total: raw_alpha, std.alpha, G6(smc), average_r, mean, sd
    assert_allclose(
        [res.estimate, res.alpha_std, res.g6, res.average_r, res.scale_mean, res.scale_sd],
        [a["raw"], a["std"], a["g6"], a["average_r"], a["mean"], a["sd"]],
        rtol=1e-6,
        atol=1e-9,
    )
    if s["n_used"] == s["n_rows"]:
        # psych::alpha()$total$ase and $feldt (alpha.ci with n = nrow(x))
        assert_allclose([res.se, res.ci_low, res.ci_high], [a["ase"], a["feldt_lower"], a["feldt_upper"]], rtol=1e-6)
    else:
        # documented difference: psych counts rows without any answer; we count the rows used
        assert res.n == s["n_used"]
        assert_allclose(res.se, a["ase"] * np.sqrt(s["n_rows"] / s["n_used"]), rtol=1e-6)


@pytest.mark.parametrize("s", SCALES, ids=IDS)
def test_item_analysis_matches_psych(datasets, s):
    df = _prepared(datasets, s)
    ia = item_analysis(df, items=s["items"], reverse=_keys(s))
    st = s["item_stats"]
    # psych::alpha()$item.stats: raw.r (item vs row-mean total), r.drop, mean, sd, n
    assert_allclose(ia["r_item_total"], st["raw_r"], rtol=1e-6)
    assert_allclose(ia["r_corrected"], st["r_drop"], rtol=1e-6)
    assert_allclose(ia["mean"], st["mean"], rtol=1e-6)
    assert_allclose(ia["sd"], st["sd"], rtol=1e-6)
    assert ia["n"].tolist() == st["n"]
    if s.get("alpha_drop"):
        # psych::alpha()$alpha.drop$raw_alpha
        assert_allclose(ia["alpha_if_deleted"], s["alpha_drop"], rtol=1e-6)
    else:
        assert ia["alpha_if_deleted"].isna().all()


@pytest.mark.parametrize(
    "s", [s for s in SCALES if "omega_tot" in s], ids=[i for s, i in zip(SCALES, IDS) if "omega_tot" in s]
)
def test_factor_checks_match_psych(datasets, s):
    df = _prepared(datasets, s)
    items, keys = s["items"], _keys(s)
    # psych::omega(x, nfactors = 1)$omega.tot
    assert_allclose(omega(df, items=items, reverse=keys)["estimate"].iloc[0], s["omega_tot"], rtol=1e-5)
    # psych::KMO(cor(x, use = "pairwise")): MSA then MSAi
    assert_allclose(kmo(df, items=items)["estimate"], [s["kmo"]["msa"]] + s["kmo"]["msai"], rtol=1e-6)
    # psych::cortest.bartlett(R, n)
    b = bartlett_sphericity(df, items=items).iloc[0]
    assert_allclose([b.statistic, b.df], [s["bartlett"]["chisq"], s["bartlett"]["df"]], rtol=1e-6)
    assert_allclose(b.p, s["bartlett"]["p"], rtol=1e-6, atol=1e-300)
    # psych::fa.parallel(x, fm = "minres", n.iter = 20): observed eigenvalues exact, decisions robust
    pa = parallel_analysis(df, items=items, reverse=keys, seed=2026)
    assert_allclose(pa["pc_observed"], s["parallel"]["pc_values"], rtol=1e-6, atol=1e-10)
    assert_allclose(pa["fa_observed"], s["parallel"]["fa_values"], rtol=1e-4, atol=2e-5)
    assert pa["n_components"].iloc[0] == s["parallel"]["ncomp"]
    assert pa["n_factors"].iloc[0] == s["parallel"]["nfact"]


@pytest.mark.parametrize("s", [s for s in SCALES if "split" in s], ids=[i for s, i in zip(SCALES, IDS) if "split" in s])
def test_split_half_matches_psych(datasets, s):
    df = _prepared(datasets, s)
    sh = split_half(df, items=s["items"], reverse=_keys(s)).set_index("coefficient")["estimate"]
    k = len(s["items"])
    count = __import__("math").comb(k, k // 2) / 2
    if count > 10000:  # psych draws random splits: compare loosely
        assert abs(sh["lambda4_max"] - s["split"]["maxrb"]) < 0.01
        assert abs(sh["mean_split"] - s["split"]["meanr"]) < 0.005
        return
    # psych::splitHalf(x): maxrb, minrb exactly over the same enumerated splits
    assert_allclose([sh["lambda4_max"], sh["beta_min"]], [s["split"]["maxrb"], s["split"]["minrb"]], rtol=1e-6)
    if count == int(count):
        assert_allclose(sh["mean_split"], s["split"]["meanr"], rtol=1e-6)
    else:
        # psych divides the sum over ceil(count) splits by the non-integer count (k = 3, 7, 15): we take the mean
        assert_allclose(sh["mean_split"] * np.ceil(count) / count, s["split"]["meanr"], rtol=1e-6)
    if "first_second_r" in s:
        # cor(rowSums(x[, 1:h]), rowSums(x[, -(1:h)])), h = ceiling(k / 2)
        assert_allclose(sh["r_halves"], s["first_second_r"], rtol=1e-6)


def test_listwise_alpha_matches_psych_on_complete_rows(datasets):
    lw = R["listwise"]
    df = _prepared(datasets, {"dataset": "survey_missing", "items": [f"RTC0{i}" for i in range(1, 6)]})
    items = [f"RTC0{i}" for i in range(1, 6)]
    res = cronbach_alpha(df, items=items, missing="listwise").iloc[0]
    assert res.n == lw["n"]
    assert_allclose(res.estimate, lw["raw"], rtol=1e-6)  # psych::alpha(na.omit(x))
    ia = item_analysis(df, items=items, missing="listwise")
    assert_allclose(ia["r_item_total"], lw["raw_r"], rtol=1e-6)
    assert_allclose(ia["r_corrected"], lw["r_drop"], rtol=1e-6)


def test_codebook_route_equals_manual_reversal(datasets):
    """items=codebook reverses RTC04/RTC14 by the codebook (7 - x): same numbers as R on the reversed data."""
    cb = load_codebook("rtc")
    res = cronbach_alpha(datasets["survey"], items=cb).set_index("term")
    for s in SCALES:
        if s["dataset"] == "survey" and s["name"] in res.index:
            assert_allclose(res.loc[s["name"], "estimate"], s["alpha"]["raw"], rtol=1e-6)
    scores = score_scale(datasets["survey"], cb)
    total_ref = next(s for s in SCALES if s["dataset"] == "survey" and s["name"] == "total")
    assert_allclose(scores["total"].iloc[:20], total_ref["row_means_head"], rtol=1e-12)  # rowMeans(x, na.rm=TRUE)


def test_r_table_matches_qt():
    rt = R["rtable"]
    # qt(1 - a/2, n - 2) / sqrt(n - 2 + qt^2)
    assert_allclose(r_table(rt["n"]), rt["two_sided"], rtol=1e-10)
    assert_allclose(r_table(rt["n"], alternative="greater"), rt["greater"], rtol=1e-10)
    assert_allclose(r_table(rt["n"], alpha=0.01), rt["two_sided_01"], rtol=1e-10)
    assert round(r_table(30), 3) == 0.361


FIT_MAP = {
    "chisq": ("chisq", "estimate"),
    "df": ("chisq", "df"),
    "pvalue": ("chisq", "p"),
    "cfi": ("cfi", "estimate"),
    "tli": ("tli", "estimate"),
    "rmsea": ("rmsea", "estimate"),
    "rmsea.ci.lower": ("rmsea", "ci_low"),
    "rmsea.ci.upper": ("rmsea", "ci_high"),
    "rmsea.pvalue": ("rmsea", "p"),
    "srmr": ("srmr", "estimate"),
    "baseline.chisq": ("baseline_chisq", "estimate"),
    "aic": ("aic", "estimate"),
    "bic": ("bic", "estimate"),
}


def _survey_reversed(datasets):
    df = datasets["survey"].copy()
    for col, hi in REVERSE_SURVEY.items():
        df[col] = 1 + hi - df[col]
    return df


@pytest.mark.parametrize("c", R["cfa"], ids=[c["name"] for c in R["cfa"]])
def test_cfa_matches_lavaan(datasets, c):
    df = datasets["hs1939"] if c["dataset"] == "hs1939" else _survey_reversed(datasets)
    res = cfa(df, model=c["model"])
    assert res.converged
    fit = res.fit.set_index("term")
    for r_name, (term, col) in FIT_MAP.items():
        # lavaan::fitMeasures(cfa(model, data))
        assert_allclose(fit.loc[term, col], c["fit"][r_name], rtol=1e-3, atol=1e-6, err_msg=r_name)
    est = pd.DataFrame(c["est"])
    est["term"] = (est["lhs"] + " " + est["op"] + " " + est["rhs"]).str.strip()
    m = est.merge(res.estimates, on="term", suffixes=("_r", ""))
    assert len(m) == len(est)
    # lavaan::parameterEstimates (est, se) and standardizedSolution (est.std)
    assert_allclose(m["estimate"], m["est"], rtol=1e-3, atol=1e-5)
    assert_allclose(m["se"].fillna(0), m["se_r"].fillna(0), rtol=1e-3, atol=1e-5)
    assert_allclose(m["std_all"], m["std_all_r"], rtol=1e-3, atol=1e-5)
    # semTools::htmt(model, data, htmt2 = FALSE)
    names, ht = c["htmt_names"], np.array(c["htmt"])
    for _, row in res.discriminant.iterrows():
        assert_allclose(row["htmt"], ht[names.index(row["group_a"]), names.index(row["group_b"])], rtol=1e-6)


def test_cfa_from_codebook_equals_syntax(datasets):
    c = next(c for c in R["cfa"] if c["name"] == "rtc")
    res = cfa(datasets["survey"], model=load_codebook("rtc"))  # reverses RTC04/RTC14 itself
    assert_allclose(res.fit.set_index("term").loc["chisq", "estimate"], c["fit"]["chisq"], rtol=1e-6)
    v = res.validity.set_index("term")
    lam = res.estimates[res.estimates["op"] == "=~"]
    for f in v.index:
        std = lam.loc[lam["lhs"] == f, "std_all"].to_numpy()
        assert_allclose(v.loc[f, "estimate"], np.mean(std**2))  # AVE
        assert_allclose(v.loc[f, "composite_reliability"], std.sum() ** 2 / (std.sum() ** 2 + np.sum(1 - std**2)))


@pytest.mark.parametrize("inv", R["invariance"], ids=[i["name"] for i in R["invariance"]])
def test_invariance_matches_lavaan(datasets, inv):
    df = datasets["hs1939"] if inv["dataset"] == "hs1939" else _survey_reversed(datasets)
    res = invariance(df, model=inv["model"], between=inv["group"]).set_index("term")
    for level in ("configural", "metric", "scalar"):
        f = inv["fit"][level]
        row = res.loc[level]
        # lavaan::fitMeasures(cfa(model, data, group = , group.equal = ...))
        assert_allclose(
            [row.statistic, row.df, row.cfi, row.tli, row.rmsea, row.rmsea_ci_low, row.rmsea_ci_high, row.srmr],
            [f["chisq"], f["df"], f["cfi"], f["tli"], f["rmsea"], f["rmsea.ci.lower"], f["rmsea.ci.upper"], f["srmr"]],
            rtol=1e-3,
            atol=1e-6,
            err_msg=level,
        )
    # lavaan::lavTestLRT(configural, metric, scalar)
    assert_allclose(res["chisq_diff"].iloc[1:], inv["lrt"]["chisq_diff"][1:], rtol=1e-3)
    assert_allclose(res["df_diff"].iloc[1:], inv["lrt"]["df_diff"][1:])
    assert_allclose(res["p_diff"].iloc[1:], inv["lrt"]["p"][1:], rtol=1e-3, atol=1e-9)


def test_point_estimates_agree_with_semopy(datasets):
    """Independent check with semopy (Python SEM): its ML point estimates equal ours; its RMSEA does not equal
    lavaan's because semopy divides by N - 1 (0.092275 vs lavaan's 0.092121 here), which is why cfa() follows
    lavaan's conventions with its own ML engine."""
    semopy = pytest.importorskip("semopy")
    df = datasets["hs1939"]
    model = next(c for c in R["cfa"] if c["name"] == "three_factor")["model"]
    sm = semopy.Model(model)
    sm.fit(df[[f"x{i}" for i in range(1, 10)]], obj="MLW")
    ins = sm.inspect()
    ours = cfa(df, model=model).estimates
    lam = ours[ours["op"] == "=~"].set_index("rhs")["estimate"]
    sem_lam = ins[ins["op"] == "~"].set_index("lval")["Estimate"].astype(float)
    # semopy's optimiser stops earlier (x2: 0.55442 vs lavaan's and ours 0.55350), hence 5e-3
    assert_allclose(lam[sem_lam.index], sem_lam, rtol=5e-3)
    chi2 = float(semopy.calc_stats(sm).T.loc["chi2", "Value"])
    assert_allclose(chi2, cfa(df, model=model).fit.set_index("term").loc["chisq", "estimate"], rtol=1e-3)


def test_scale_scores_with_missing_match_rowmeans(datasets):
    """score_scale = rowMeans(x, na.rm = TRUE) of the codebook-reversed items where at least 80% are answered."""
    sm = R["scores_missing"]
    scores = score_scale(datasets["survey_missing"], load_codebook("rtc"))
    answered = np.array(sm["answered"])
    ok = answered >= 0.8 * 17
    assert_allclose(scores["total"].to_numpy()[ok], np.array(sm["total"])[ok], rtol=1e-12)
    assert scores["total"].isna().to_numpy()[~ok].all()
    ok_rs = np.array(sm["answered_rs"]) >= 4
    assert_allclose(scores["routine_seeking"].to_numpy()[ok_rs], np.array(sm["routine_seeking"])[ok_rs], rtol=1e-12)
    assert int((~ok_rs).sum()) == scores.attrs["n_insufficient"]["routine_seeking"] > 0


REVERSE_CHECK = json.loads((Path(__file__).parent / "reference" / "measure_reverse_check.json").read_text())


@pytest.mark.parametrize("scale", ["A", "C", "E", "N", "O"])
def test_unreversed_items_are_named_as_psych_alpha_names_them(scale):
    """An item list with reverse-worded items and no ``reverse=`` warns with the items psych::alpha names."""
    bfi = pd.read_csv(Path(__file__).parent / "reference" / "measure_bfi25.csv")
    items = [f"{scale}{i}" for i in range(1, 6)]
    expected = REVERSE_CHECK[scale]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cronbach_alpha(bfi, items=items)
    named = [w for w in caught if issubclass(w.category, ReverseKeyWarning)]
    if expected:
        assert len(named) == 1 and str(expected) in str(named[0].message)
    else:
        assert not named
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReverseKeyWarning)
        cronbach_alpha(bfi, items=items, reverse=expected or ())
