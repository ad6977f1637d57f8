"""Agreement with R: recompute every R reference fixture in tests/reference/*.json with the public API.

The tests compare each number to R within a tolerance and say only pass or fail; this script says how close we
are. For each family of comparisons it prints the R function that made the reference (the scripts are
tests/reference/*.R), the data, how many values were compared, the largest absolute difference and the largest
relative difference among values of magnitude >= 1 (chi-squares, AICs, ...). The 42-model CFA sweep
(measure_sweep.json) gets its own summary: how many models reach lavaan's solution and which do not, with the
problems the result reports. Calls follow the tests (tests/test_measure_*.py, tests/test_analysis_*.py).

Run: ``python bench/agreement.py`` (Markdown table) or ``python bench/agreement.py --json``. No R needed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import kinerja_research as kr
from kinerja_research.analysis import resistance as rs
from kinerja_research.analysis import rewards as Rw
from kinerja_research.analysis import satisfaction as sf
from kinerja_research.analysis import training as T
from kinerja_research.analysis.categorical import chi2_test, logistic
from kinerja_research.analysis.mixed import lmm
from kinerja_research.analysis.rewards import ordinal_logit, regression
from kinerja_research.analysis.sampling import power, sample_size
from kinerja_research.errors import ReverseKeyWarning
from kinerja_research.instruments import load_codebook
from kinerja_research.measure import (
    bartlett_sphericity,
    cfa,
    cronbach_alpha,
    efa,
    invariance,
    invariance_scores,
    item_analysis,
    kmo,
    latent_means,
    omega,
    parallel_analysis,
    r_table,
    score_scale,
    split_half,
)

REF = Path(__file__).resolve().parent.parent / "tests" / "reference"

# Which lavaan fitMeasures name is which of our terms, and which CSV each data set is: the tests' own tables, so the
# bench and the tests cannot compare different things (test modules are importable from tests/ only).
sys.path.insert(0, str(REF.parent))
from test_analysis_resistance import _datasets  # noqa: E402
from test_measure_invariance import COLS as INV_COLS  # noqa: E402
from test_measure_ordinal import FIT_MAP as ORD_FIT  # noqa: E402
from test_measure_reference import FIT_MAP as REFERENCE_FIT  # noqa: E402
from test_measure_sem import FILES as SWEEP_FILES  # noqa: E402
from test_measure_sem import FIT_MAP as SWEEP_FIT  # noqa: E402

REVERSE_SURVEY = {"RTC04": 6, "RTC14": 6, **{f"SUS{i:02d}": 5 for i in range(2, 11, 2)}}


def _json(name):
    return json.loads((REF / name).read_text())


def _csv(name, **kw):
    return pd.read_csv(REF / name, dtype={"region_code": str}, **kw)


class Cmp:
    """Accumulates (ours, R) pairs of one table row: count, max |diff|, max |diff|/|R| over |R| >= 1."""

    def __init__(self, family, function, reference, dataset):
        self.family, self.function, self.reference, self.dataset = family, function, reference, dataset
        self.n, self.max_abs, self.max_rel, self.note = 0, 0.0, None, ""

    def add(self, ours, ref):
        a = np.asarray(ours, dtype=float).ravel()
        b = np.asarray(ref, dtype=float).ravel()
        if a.shape != b.shape:
            raise ValueError(f"{self.function}: {a.size} values against R's {b.size}")
        both_nan = np.isnan(a) & np.isnan(b)
        a, b = a[~both_nan], b[~both_nan]
        if np.isnan(a).any() or np.isnan(b).any():
            raise ValueError(f"{self.function}: NaN on one side only")
        inf = np.isinf(a) | np.isinf(b)
        if (a[inf] != b[inf]).any():
            raise ValueError(f"{self.function}: infinite on one side only")
        a, b = a[~inf], b[~inf]
        self.n += int(both_nan.sum() + inf.sum())
        if a.size == 0:
            return
        d = np.abs(a - b)
        self.n += a.size
        self.max_abs = max(self.max_abs, float(d.max()))
        big = np.abs(b) >= 1
        if big.any():
            rel = float((d[big] / np.abs(b[big])).max())
            self.max_rel = rel if self.max_rel is None else max(self.max_rel, rel)

    def row(self):
        return {
            "family": self.family,
            "function": self.function,
            "reference": self.reference,
            "dataset": self.dataset,
            "n": self.n,
            "max_abs": self.max_abs,
            "max_rel": self.max_rel,
            "note": self.note,
        }


def _term(df):
    return (df["lhs"] + " " + df["op"] + " " + df["rhs"]).str.strip()


def _survey_reversed(df):
    df = df.copy()
    for col, hi in REVERSE_SURVEY.items():
        df[col] = 1 + hi - df[col]
    return df


# ----------------------------------------------------------------------------------------------------- measure


def measure_reference():
    """measure.R -> measure_reference.json (psych, lavaan, semTools), as tests/test_measure_reference.py."""
    R = _json("measure_reference.json")
    data = {
        "hs1939": _csv("measure_hs1939.csv"),
        "bfi": _csv("measure_bfi.csv"),
        "survey": _csv("measure_survey.csv"),
        "survey_missing": _csv("measure_survey_missing.csv"),
    }
    sets = sorted({s["dataset"] for s in R["scales"]})
    dsets = ", ".join(sets)
    alpha = Cmp("measure", "cronbach_alpha", "psych::alpha", dsets)
    items = Cmp("measure", "item_analysis", "psych::alpha item.stats, alpha.drop", dsets)
    om = Cmp("measure", "omega", "psych::omega(nfactors = 1)", dsets)
    km = Cmp("measure", "kmo", "psych::KMO", dsets)
    bart = Cmp("measure", "bartlett_sphericity", "psych::cortest.bartlett", dsets)
    par = Cmp("measure", "parallel_analysis (observed eigenvalues)", "psych::fa.parallel", dsets)
    sh = Cmp("measure", "split_half (enumerated splits)", "psych::splitHalf", dsets)
    for s in R["scales"]:
        df = data[s["dataset"]].copy()
        if s["dataset"].startswith("survey"):
            for col, hi in REVERSE_SURVEY.items():
                if col in s["items"]:
                    df[col] = 1 + hi - df[col]
        keys = [s["keys"]] if isinstance(s["keys"], str) else list(s["keys"])
        it = s["items"]
        res = cronbach_alpha(df, items=it, reverse=keys).iloc[0]
        a = s["alpha"]
        alpha.add(
            [res.estimate, res.alpha_std, res.g6, res.average_r, res.scale_mean, res.scale_sd],
            [a["raw"], a["std"], a["g6"], a["average_r"], a["mean"], a["sd"]],
        )
        if s["n_used"] == s["n_rows"]:
            alpha.add([res.se, res.ci_low, res.ci_high], [a["ase"], a["feldt_lower"], a["feldt_upper"]])
        ia = item_analysis(df, items=it, reverse=keys)
        st = s["item_stats"]
        items.add(
            np.r_[ia["r_item_total"], ia["r_corrected"], ia["mean"], ia["sd"], ia["n"]],
            np.r_[st["raw_r"], st["r_drop"], st["mean"], st["sd"], st["n"]],
        )
        if s.get("alpha_drop"):
            items.add(ia["alpha_if_deleted"], s["alpha_drop"])
        if "omega_tot" in s:
            om.add(omega(df, items=it, reverse=keys)["estimate"].iloc[0], s["omega_tot"])
            km.add(kmo(df, items=it)["estimate"], [s["kmo"]["msa"]] + s["kmo"]["msai"])
            b = bartlett_sphericity(df, items=it).iloc[0]
            bart.add([b.statistic, b.df, b.p], [s["bartlett"]["chisq"], s["bartlett"]["df"], s["bartlett"]["p"]])
            pa = parallel_analysis(df, items=it, reverse=keys, seed=2026)
            par.add(
                np.r_[pa["pc_observed"], pa["fa_observed"]], s["parallel"]["pc_values"] + s["parallel"]["fa_values"]
            )
        if "split" in s:
            k = len(it)
            count = __import__("math").comb(k, k // 2) / 2
            if count <= 10000:  # psych draws random splits beyond that
                res_sh = split_half(df, items=it, reverse=keys).set_index("coefficient")["estimate"]
                sh.add([res_sh["lambda4_max"], res_sh["beta_min"]], [s["split"]["maxrb"], s["split"]["minrb"]])
                mean = res_sh["mean_split"] * (np.ceil(count) / count if count != int(count) else 1)
                sh.add(mean, s["split"]["meanr"])
    lw = R["listwise"]
    lw_items = [f"RTC0{i}" for i in range(1, 6)]
    lw_df = data["survey_missing"].assign(RTC04=lambda d: 7 - d["RTC04"])  # reversed by R, as in the scales above
    alpha.add(cronbach_alpha(lw_df, items=lw_items, missing="listwise").estimate.iloc[0], lw["raw"])
    sm = R["scores_missing"]
    sc = Cmp("measure", "score_scale (≥ 80% answered)", "rowMeans(na.rm = TRUE)", "survey_missing")
    scores = score_scale(data["survey_missing"], load_codebook("rtc"))
    ok = np.array(sm["answered"]) >= 0.8 * 17
    sc.add(scores["total"].to_numpy()[ok], np.array(sm["total"])[ok])
    ok = np.array(sm["answered_rs"]) >= 4
    sc.add(scores["routine_seeking"].to_numpy()[ok], np.array(sm["routine_seeking"])[ok])
    rev = Cmp("measure", "cronbach_alpha reverse-key warning (items named = R's: 1)", "psych::alpha", "bfi25")
    bfi25 = _csv("measure_bfi25.csv")
    for scale, expected in _json("measure_reverse_check.json").items():
        if scale not in "ACENO" or len(scale) != 1:
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cronbach_alpha(bfi25, items=[f"{scale}{i}" for i in range(1, 6)])
        named = [str(w.message) for w in caught if issubclass(w.category, ReverseKeyWarning)]
        same = (len(named) == 1 and str(expected) in named[0]) if expected else not named
        rev.add(float(same), 1.0)
    rt = R["rtable"]
    rtab = Cmp("measure", "r_table", "stats::qt", "n grid")
    rtab.add(
        np.r_[r_table(rt["n"]), r_table(rt["n"], alternative="greater"), r_table(rt["n"], alpha=0.01)],
        np.r_[rt["two_sided"], rt["greater"], rt["two_sided_01"]],
    )
    cf = Cmp("measure", "cfa ML (fit, est, se, std.all, HTMT)", "lavaan::cfa, semTools::htmt", "hs1939, survey")
    for c in R["cfa"]:
        df = data["hs1939"] if c["dataset"] == "hs1939" else _survey_reversed(data["survey"])
        res = cfa(df, model=c["model"])
        fit = res.fit.set_index("term")
        cf.add([fit.loc[t, col] for t, col in REFERENCE_FIT.values()], [c["fit"][k] for k in REFERENCE_FIT])
        est = pd.DataFrame(c["est"])
        est["term"] = _term(est)
        m = est.merge(res.estimates, on="term", suffixes=("_r", ""))
        cf.add(
            np.r_[m["estimate"], m["se"].fillna(0), m["std_all"]], np.r_[m["est"], m["se_r"].fillna(0), m["std_all_r"]]
        )
        names, ht = c["htmt_names"], np.array(c["htmt"])
        for _, row in res.discriminant.iterrows():
            cf.add(row["htmt"], ht[names.index(row["group_a"]), names.index(row["group_b"])])
    inv = Cmp(
        "measure", "invariance ML (configural…scalar; measure.R fixture)", "lavaan::cfa(group.equal), lavTestLRT", ""
    )
    inv_sets = set()
    for c in R["invariance"]:
        inv_sets.add(c["dataset"])
        df = data["hs1939"] if c["dataset"] == "hs1939" else _survey_reversed(data["survey"])
        res = invariance(df, model=c["model"], between=c["group"]).set_index("term")
        for level in ("configural", "metric", "scalar"):
            f, row = c["fit"][level], res.loc[level]
            inv.add(
                [row.statistic, row.df, row.cfi, row.tli, row.rmsea, row.rmsea_ci_low, row.rmsea_ci_high, row.srmr],
                [f[k] for k in ("chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr")],
            )
        inv.add(
            np.r_[res["chisq_diff"].iloc[1:], res["df_diff"].iloc[1:], res["p_diff"].iloc[1:]],
            np.r_[c["lrt"]["chisq_diff"][1:], c["lrt"]["df_diff"][1:], c["lrt"]["p"][1:]],
        )
    inv.dataset = ", ".join(sorted(inv_sets))
    return [alpha, items, om, km, bart, par, sh, sc, rev, rtab, cf, inv]


def _lavaan_step(res, ref):
    """Per estimate: |Newton step| from lavaan's point to the minimum of the same objective (lavaan's own distance
    from its minimum, as in tests/test_measure_sem.py)."""
    eng = res.engine
    theta = eng.theta.copy()
    by_term = ref.set_index("term")["est"]
    for r in eng.model.rows:
        if r.free >= 0:
            theta[r.free] = by_term[r.name]
    g, info = eng.fit.prob.gradient(theta, info=True)
    return np.abs(np.linalg.solve(info, g))


def measure_sweep():
    """measure_sweep.R -> measure_sweep.json: 42 CFA/SEM models under ML, MLR and FIML (tests/test_measure_sem.py)."""
    sweep = _json("measure_sweep.json")
    data = {k: _csv(v) for k, v in SWEEP_FILES.items()}
    rows = {
        key: Cmp("measure", f"cfa sweep {key}", ref, "")
        for key, ref in (
            ("ML", "lavaan::cfa/sem (ML)"),
            ("MLR", "lavaan::cfa/sem (MLR)"),
            ("FIML", "lavaan::cfa/sem (missing = 'ml')"),
        )
    }
    sets = {k: set() for k in rows}
    at_solution, misses, n_models = 0, [], 0
    worst = ("", 0.0, "", 0.0)  # model, |diff|, term, lavaan's distance from the minimum (x 2) there
    est_all = Cmp("", "", "", "")
    for m in sweep["models"]:
        n_models += 1
        fiml = m["missing"] in ("ml", "fiml")
        key = "FIML" if fiml else m["estimator"]
        cmp = rows[key]
        sets[key].add(m["data"])
        res = cfa(data[m["data"]], model=m["model"], estimator=m["estimator"], missing="fiml" if fiml else "listwise")
        fit = res.fit.set_index("term")
        for name, value in m["fit"].items():
            if name not in SWEEP_FIT or value is None or (fiml and "robust" in name):
                continue
            t, col = SWEEP_FIT[name]
            cmp.add(fit.loc[t, col], value)
        ref = pd.DataFrame(m["est"])
        ref["term"] = _term(ref)
        mg = ref.merge(res.estimates, on="term", suffixes=("_r", ""))
        cmp.add(mg["estimate"], mg["est"])
        est_all.add(mg["estimate"], mg["est"])
        if mg["se_r"].notna().all():  # lavaan could not invert its information on the rescaled items
            cmp.add(mg["se"].fillna(0), mg["se_r"])
        cmp.add(mg["std_all"], mg["std_all_r"])
        dist = _lavaan_step(res, ref)
        free = {r.name: r.free for r in res.engine.model.rows}
        slack = np.array([2 * dist[free[t]] if free[t] >= 0 else 0.0 for t in mg["term"]])
        ok = len(mg) == len(ref) and np.all(
            np.abs(mg["estimate"] - mg["est"]) <= 1e-5 * np.maximum(1, np.abs(mg["est"])) + slack
        )
        d = np.abs(mg["estimate"] - mg["est"]).to_numpy()
        if d.size and d.max() > worst[1]:
            i = int(d.argmax())
            worst = (m["id"], float(d[i]), str(mg["term"].iloc[i]), float(slack[i]))
        if res.converged and ok:
            at_solution += 1
        else:
            why = "; ".join(res.problems) or ("not converged" if not res.converged else "estimates differ")
            misses.append(f"{m['id']}: {why}")
        if res.problems and res.converged and ok:
            misses.append(f"{m['id']} (at lavaan's solution, flagged): {'; '.join(res.problems)}")
    for k, c in rows.items():
        c.dataset = ", ".join(sorted(sets[k]))
    summary = {
        "models": n_models,
        "at_lavaan_solution": at_solution,
        "max_abs_estimate_diff": est_all.max_abs,
        "estimates_compared": est_all.n,
        "largest_difference": dict(zip(("model", "abs_diff", "term", "lavaan_distance_x2"), worst)),
        "not_at_solution_or_flagged": misses,
    }
    return list(rows.values()), summary


def measure_efa():
    """measure_efa.R -> measure_efa.json (psych::fa), as tests/test_measure_efa.py."""
    E = _json("measure_efa.json")
    files = {"bfi": "measure_bfi25.csv", "hs": "measure_hs1939.csv", "survey": "measure_survey.csv"}
    data = {k: _csv(v) for k, v in files.items()}
    out = {}
    for c in E["cases"]:
        key = (c["fm"], c["rotate"])
        cmp = out.setdefault(key, Cmp("measure", f"efa {c['fm']} {c['rotate']}", "psych::fa", ""))
        cmp.dataset = ", ".join(sorted(set(filter(None, cmp.dataset.split(", "))) | {c["data"]}))
        res = efa(
            data[c["data"]],
            items=c["items"],
            n_factors=c["nfactors"],
            extraction=c["fm"],
            rotation=c["rotate"],
            n_iter=5,
        )
        k = c["nfactors"]
        cmp.add(res.loadings[[f"F{j + 1}" for j in range(k)]].to_numpy(), np.array(c["loadings"]).T)
        cmp.add(
            np.r_[res.loadings["communality"], res.loadings["uniqueness"]], np.r_[c["communality"], c["uniquenesses"]]
        )
        v = np.array(c["vaccounted"])
        cmp.add(np.r_[res.variance["ss_loadings"], res.variance["proportion_var"]], np.r_[v[0], v[1]])
        if k > 1:
            cmp.add(np.r_[res.variance["cumulative_var"], res.variance["proportion_explained"]], np.r_[v[2], v[3]])
        if c["phi"]:
            phi = np.eye(k)
            for r in res.factor_cor.itertuples():
                a, b = int(r.group_a[1:]) - 1, int(r.group_b[1:]) - 1
                phi[a, b] = phi[b, a] = r.estimate
            cmp.add(phi, np.array(c["phi"]))
        cmp.add(np.r_[res.scree["estimate"], res.scree["fa_eigenvalue"]], np.r_[c["e_values"], c["values"]])
    return list(out.values())


def measure_invariance():
    """measure_invariance.R -> measure_invariance.json (lavaan, lavTestLRT, lavTestScore), as
    tests/test_measure_invariance.py."""
    inv_json = _json("measure_invariance.json")
    files = {
        "hs": "measure_hs1939.csv",
        "hs_missing": "measure_hs_missing.csv",
        "bfi": "measure_bfi25.csv",
        "survey": "measure_survey.csv",
    }
    data = {}
    for k, v in files.items():
        df = _csv(v)
        if "gender" in df:
            df["gender"] = df["gender"].astype(str)
        data[k] = df
    out = {}

    def get(name, ref, dataset):
        c = out.setdefault(name, Cmp("measure", name, ref, ""))
        c.dataset = ", ".join(sorted(set(filter(None, c.dataset.split(", "))) | {dataset}))
        return c

    for c in inv_json["cases"]:
        fiml = c["missing"] in ("ml", "fiml")
        est = "FIML" if fiml else c["estimator"]
        kw = {
            "model": c["model"],
            "between": c["group"],
            "estimator": c["estimator"],
            "missing": "fiml" if fiml else "listwise",
            "ordered": c["ordered"],
        }
        df = data[c["data"]]
        lev = "configural…" + c["levels"][-1]
        cmp = get(f"invariance {est} ({lev})", "lavaan::cfa(group.equal), lavTestLRT", c["data"])
        res = invariance(df, levels=c["levels"], **kw).set_index("term")
        for level in c["levels"]:
            for name, col in INV_COLS.items():
                if name in c["fit"][level] and col in res.columns:
                    cmp.add(res.loc[level, col], c["fit"][level][name])
        lrt = c["lrt"]
        cmp.add(
            np.r_[res["chisq_diff"].iloc[1:], res["df_diff"].iloc[1:], res["p_diff"].iloc[1:]],
            np.r_[lrt["chisq_diff"][1:], lrt["df_diff"][1:], lrt["p"][1:]],
        )
        if c.get("latent_means"):
            lm = latent_means(df, **kw)
            ref = c["latent_means"]
            lmc = get(f"latent_means {est}", "lavaan parameterEstimates (scalar)", c["data"])
            lmc.add(
                np.r_[lm["estimate"], lm["se"], lm["statistic"], lm["p"]],
                np.r_[ref["est"], ref["se"], ref["z"], ref["p"]],
            )
        if c.get("partial"):
            part = c["partial"]
            free = tuple(part["free"])
            pc = get(f"invariance {est} (partial scalar)", "lavaan::cfa(group.partial)", c["data"])
            inv_p = invariance(df, levels=("configural", "metric", "scalar"), partial=free, **kw).set_index("term")
            for name in ("chisq", "df", "cfi", "rmsea", "srmr"):
                pc.add(inv_p.loc["scalar", INV_COLS[name]], part["fit"][name])
            lm = latent_means(df, partial=free, **kw)
            pc.add(np.r_[lm["estimate"], lm["se"]], np.r_[part["latent_means"]["est"], part["latent_means"]["se"]])
        if "score" in c:
            kw2 = dict(kw)
            kw2.pop("ordered")
            sc = invariance_scores(df, **kw2)
            ref = c["score"]
            scc = get(f"invariance_scores {est}", "lavaan::lavTestScore", c["data"])
            total = sc.iloc[0]
            scc.add([total["statistic"], total["df"]], [ref["total"]["X2"], ref["total"]["df"]])
            ours = {(r.term, r.group_a): r.statistic for r in sc.iloc[1:].itertuples()}
            for rhs, x2 in zip(ref["rhs"], ref["X2"]):
                name, grp = rhs.rsplit("|", 1)
                scc.add(ours[(name, c["labels"][int(grp) - 1])], x2)
    return list(out.values())


def measure_ordinal():
    """measure_ordinal.R -> measure_ordinal.json (lavaan WLSMV), as tests/test_measure_ordinal.py."""
    ref_ord = _json("measure_ordinal.json")
    files = {"bfi": "measure_bfi25.csv", "survey": "measure_survey.csv", "sim5000": "measure_sim5000.csv"}
    data = {k: _csv(v) for k, v in files.items()}
    ss = Cmp(
        "measure", "cfa WLSMV sample stats (thresholds, polychorics, Γ diag)", "lavaan lavInspect sampstat, gamma", ""
    )
    cf = Cmp("measure", "cfa WLSMV (fit, est, se, std.all)", "lavaan::cfa(ordered, WLSMV)", "")
    sets = set()
    for m in ref_ord["models"]:
        sets.add(m["data"])
        res = cfa(data[m["data"]], model=m["model"], ordered=True, estimator="WLSMV")
        grp = res.engine.groups[0]
        p = grp.R.shape[0]
        ss.add(grp.th, m["th"])
        ss.add([grp.R[i, j] for j in range(p) for i in range(j + 1, p)], m["cor"])
        ss.add(np.diag(grp.gamma), m["gamma_diag"])
        fit = res.fit.set_index("term")
        cf.add([fit.loc[t, col] for t, col in ORD_FIT.values()], [m["fit"][k] for k in ORD_FIT])
        ref = pd.DataFrame(m["est"])
        ref["term"] = _term(ref)
        mg = ref.merge(res.estimates, on="term", suffixes=("_r", ""))
        cf.add(np.r_[mg["estimate"], mg["se"].fillna(0), mg["std_all"]], np.r_[mg["est"], mg["se_r"], mg["std_all_r"]])
    ss.dataset = cf.dataset = ", ".join(sorted(sets))
    return [ss, cf]


# ---------------------------------------------------------------------------------------------------- analysis

LMM_CASES = {
    # lme4 formula -> lmm call, as tests/test_analysis_mixed.py
    "sleep_slopes": ("sleepstudy", "Reaction ~ Days", dict(groups="Subject", re_formula="1 + Days")),
    "sleep_intercept": ("sleepstudy", "Reaction ~ Days", dict(groups="Subject")),
    "sleep_slopes_ml": ("sleepstudy", "Reaction ~ Days", dict(groups="Subject", re_formula="1 + Days", reml=False)),
    "penicillin": ("penicillin", "diameter ~ 1", dict(groups=["plate", "sample"])),
    "orthodont": ("orthodont", "distance ~ age + Sex", dict(groups="Subject", re_formula="~age")),
}


def _sdcor(ref):
    vc = pd.DataFrame(ref["varcorr"])
    out = []
    for g in dict.fromkeys(vc.grp):
        if g == "Residual":
            continue
        part = vc[vc.grp == g]
        sds, cors = part[part.var2.isna()], part[part.var2.notna()]
        out += [sds.sdcor.iloc[0], *cors.sdcor, *sds.sdcor.iloc[1:]]
    return np.array(out + [ref["sigma"]])


def analysis_lmm():
    """analyses_lmm.R -> analyses_lmm.json (lme4, lmerTest), as tests/test_analysis_mixed.py."""
    R = _json("analyses_lmm.json")
    data = {k: _csv(f"analyses_lmm_{k}.csv") for k in ("sleepstudy", "penicillin", "orthodont")}
    fx = Cmp("analysis", "lmm (fixed effects, Satterthwaite df, CI)", "lmerTest::lmer, contest1D", "")
    rnd = Cmp("analysis", "lmm (VarCorr, REMLcrit/deviance, logLik, AIC, BIC)", "lme4::lmer", "")
    prof = Cmp("analysis", "lmm profile CI (random effects)", "lme4 devfun2 profile (uniroot)", "sleepstudy")
    fx.dataset = rnd.dataset = ", ".join(data)
    for case, (d, formula, kw) in LMM_CASES.items():
        ref = R[case]
        res = lmm(data[d], formula, profile=case == "sleep_intercept", **kw)
        f = res[res.effect == "fixed"]
        for col, key in [
            ("estimate", "estimate"),
            ("se", "se"),
            ("statistic", "t"),
            ("df", "df"),
            ("ci_low", "ci_low"),
            ("ci_high", "ci_high"),
            ("p", "p"),
        ]:
            fx.add(f[col].to_numpy(float), np.atleast_1d(ref["fixed"][key]))
        r = res[res.effect == "random"]
        rnd.add(r.estimate.to_numpy(float), _sdcor(ref))
        fit = res.fit.iloc[0]
        reml = kw.get("reml", True)
        rnd.add(
            [fit.reml_criterion if reml else fit.deviance, fit.loglik, fit.aic, fit.bic],
            [ref["REMLcrit"] if reml else ref["deviance"], ref["logLik"], ref["AIC"], ref["BIC"]],
        )
        if case == "sleep_intercept":
            ex = ref["exact_profile"]
            prof.add(np.r_[r.ci_low, r.ci_high], np.r_[ex["lo"], ex["hi"]])
    return [fx, rnd, prof]


def analysis_stats():
    """analyses_stats.R -> analyses_stats.json (glm, chisq.test, fisher.test, MASS::polr, pwr, t.test, car), as
    tests/test_analysis_stats.py."""
    R = _json("analyses_stats.json")
    bw = _csv("analyses_stats_birthwt.csv")
    bw["race"] = pd.Categorical(bw["race"], categories=["white", "black", "other"])
    r = R["birthwt"]
    lg = Cmp(
        "analysis",
        "logistic (coef, Wald CI, fit, Hosmer-Lemeshow)",
        "stats::glm(binomial), ResourceSelection::hoslem.test",
        "birthwt",
    )
    res = logistic(bw, dv="low", covar=["age", "lwt", "race", "smoke", "ptl", "ht", "ui"])
    for col, key in [
        ("estimate", "estimate"),
        ("se", "se"),
        ("statistic", "z"),
        ("p", "p"),
        ("effect_size", "or"),
        ("ci_low", "wald_lo"),
    ]:
        lg.add(res[col], r[key])
    lg.add(res.or_ci_high, np.exp(r["wald_hi"]))
    f = res.fit.iloc[0]
    lg.add(
        [f.neg2ll, f.statistic, f.df, f.cox_snell_r2, f.nagelkerke_r2, f.mcfadden_r2, f.aic],
        [r["deviance"], r["lr"], r["lr_df"], r["cox_snell"], r["nagelkerke"], r["mcfadden"], r["aic"]],
    )
    hl = res.hosmer_lemeshow.iloc[0]
    lg.add([hl.statistic, hl.df, hl.p], [r["hl"]["statistic"], r["hl"]["df"], r["hl"]["p"]])
    lgp = Cmp("analysis", "logistic profile-likelihood CI", "MASS confint.glm (spline through profile)", "birthwt")
    lgp.add(np.r_[np.log(res.or_ci_low_profile), np.log(res.or_ci_high_profile)], np.r_[r["prof_lo"], r["prof_hi"]])
    rw = R["birthwt_weighted"]
    res = logistic(bw, dv="low", covar=["age", "lwt", "smoke"], weights="w")
    lg.add(np.r_[res.estimate, res.se], np.r_[rw["estimate"], rw["se"]])
    lg.add([res.fit.iloc[0].neg2ll, res.fit.iloc[0].nagelkerke_r2], [rw["deviance"], rw["nagelkerke"]])
    chi = Cmp(
        "analysis",
        "chi2_test (Pearson, Yates, Cramér's V + CI)",
        "stats::chisq.test, effectsize::cramers_v",
        "2x2, 3x3, birthwt race",
    )
    fi = Cmp("analysis", "chi2_test Fisher exact (p; 2x2 OR + CI)", "stats::fisher.test", "2x2, 3x3, birthwt race")
    for key in ("tab_2x2", "tab_3x3", "tab_race"):
        t = R[key]
        tab = np.array(t["table"])
        rows = [(f"r{i}", f"c{j}", int(tab[i, j])) for i in range(tab.shape[0]) for j in range(tab.shape[1])]
        d = pd.DataFrame(rows, columns=["g", "y", "count"])
        res = chi2_test(d, dv="y", between="g", weights="count").set_index("method")
        p = res.loc["Pearson chi-squared"]
        chi.add(
            [p.statistic, p.df, p.p, p.effect_size, p.ci_low, p.ci_high],
            [t["chisq"], t["df"], t["p"], t["cramers_v"], *t["v_ci_exact"]],
        )
        fi.add(res.loc["Fisher's exact test", "p"], t["fisher_p"])
        if tab.shape == (2, 2):
            y = res.loc["Pearson chi-squared, continuity correction"]
            chi.add([y.statistic, y.p], [t["yates"], t["p_yates"]])
            row = res.loc["Fisher's exact test"]
            fi.add([row.estimate, row.ci_low, row.ci_high], [t["fisher_or"], *t["fisher_ci"]])
    h = _csv("analyses_stats_housing.csv")
    for col, lv in {
        "Infl": ["Low", "Medium", "High"],
        "Type": ["Tower", "Apartment", "Atrium", "Terrace"],
        "Cont": ["Low", "High"],
    }.items():
        h[col] = pd.Categorical(h[col], categories=lv)
    po = Cmp("analysis", "ordinal_logit (weighted)", "MASS::polr", "housing")
    res = ordinal_logit(h, dv="Sat", covar=["Infl", "Type", "Cont"], levels=["Low", "Medium", "High"], weights="Freq")
    po.add(np.r_[res.estimate, res.se], np.r_[R["polr_housing"]["estimate"], R["polr_housing"]["se"]])
    pw = Cmp("analysis", "power (t, paired t, r: power, effect, n)", "pwr::pwr.t.test, pwr.r.test", "—")
    for key, kw in [
        ("t_less_neg", dict(test="t_two", effect=-0.5, n=25, alternative="less")),
        ("t_less_pos", dict(test="t_two", effect=0.5, n=25, alternative="less")),
        ("t_greater_neg", dict(test="t_two", effect=-0.5, n=25, alternative="greater")),
        ("t_two_neg", dict(test="t_two", effect=-0.5, n=25)),
        ("t_paired_less", dict(test="t_paired", effect=-0.4, n=30, alternative="less")),
        ("r_two", dict(test="r", effect=0.3, n=50)),
        ("r_greater", dict(test="r", effect=0.3, n=50, alternative="greater")),
        ("r_less", dict(test="r", effect=-0.3, n=50, alternative="less")),
    ]:
        pw.add(kr.power(**kw).power[0], R["pwr"][key]["power"])
    pw.add(kr.power(test="t_two", n=25, power=0.8, alternative="less").effect_size[0], R["pwr"]["t_less_d"]["d"])
    pw.add(kr.power(test="r", n=50, power=0.8).effect_size[0], R["pwr"]["r_r"]["d"])
    pw.add(kr.power(test="r", effect=0.3, power=0.8).n_exact[0], R["pwr"]["r_n"]["n"])
    tt = Cmp(
        "analysis",
        "ttest (Student, Welch, Levene), anova",
        "stats::t.test, car::leveneTest, stats::aov",
        "mtcars, PlantGrowth",
    )
    r = R["ttest"]
    res = rs.ttest(_csv("analyses_stats_mtcars.csv"), dv="mpg", between="am").set_index("method")
    lev = res.loc["Levene (center = mean)"]
    tt.add([lev.statistic, lev.p], [r["levene_F"], r["levene_p"]])
    for label, key in [
        ("Student t (equal variances assumed)", "student"),
        ("Welch t (equal variances not assumed)", "welch"),
    ]:
        row = res.loc[label]
        tt.add(
            [row.statistic, row.df, row.p, row.ci_low, row.ci_high],
            [r[key]["t"], r[key]["df"], r[key]["p"], *r[key]["ci"]],
        )
    a = R["anova"]
    av = rs.anova(_csv("analyses_stats_plantgrowth.csv"), dv="weight", between="group").set_index("term")
    tt.add(
        np.r_[av.ss[["between_groups", "within_groups"]], av.loc["between_groups", ["statistic", "p"]].to_numpy(float)],
        np.r_[a["ss"], a["F"], a["p"]],
    )
    return [lg, lgp, chi, fi, po, pw, tt]


def _resistance_data():
    """The R data sets (InsectSprays, PlantGrowth, warpbreaks) that tests/test_analysis_resistance.py rebuilds by
    hand, and the committed many-groups CSV: taken from that module so both read exactly the same numbers."""
    return _datasets()


def analysis_resistance():
    """analyses_resistance_satisfaction.R -> analyses_rs_{groups,tukey,regression,default}.json and
    analyses_cluster.json (rs_*), as tests/test_analysis_resistance.py."""
    groups = _json("analyses_rs_groups.json")
    data = _resistance_data()
    names = ", ".join(data)
    wa = Cmp("analysis", "welch_anova (+ eta², omega², epsilon²)", "stats::oneway.test, effectsize", names)
    gh = Cmp("analysis", "games_howell", "ptukey/qtukey formula; rstatix::games_howell_test", names)
    kd = Cmp("analysis", "kruskal_dunn", "stats::kruskal.test, rstatix::dunn_test(holm)", names)
    rm = Cmp("analysis", "region_means", "stats::t.test", names)
    for name, d in data.items():
        ref = groups[name]
        r = rs.welch_anova(d, dv="y", between="g")
        w = ref["welch"]
        wa.add(
            [r.statistic[0], r.df1[0], r.df2[0], r.p[0], r.eta2[0], r.omega2[0], r.epsilon2[0]],
            [w["statistic"], w["df1"], w["df2"], w["p"], ref["eta2"], ref["omega2"], ref["epsilon2"]],
        )
        r = rs.games_howell(d, dv="y", between="g")
        f = pd.DataFrame(ref["games_howell_formula"])
        for col in ["estimate", "se", "statistic", "df", "ci_low", "ci_high", "p", "p_adj"]:
            gh.add(r[col], f[col])
        r = rs.kruskal_dunn(d, dv="y", between="g")
        om, k = r.iloc[0], ref["kruskal"]
        kd.add([om.statistic, om.df, om.p, om.effect_size], [k["statistic"], k["df"], k["p"], k["rank_epsilon2"]])
        du = pd.DataFrame(ref["dunn"])
        pairs = r.iloc[1:]
        kd.add(
            np.r_[pairs.estimate, pairs.statistic, pairs.p, pairs.p_adj],
            np.r_[-du.estimate, -du.statistic, du.p, du["p.adj"]],
        )
        m = pd.DataFrame(ref["means"])
        r = rs.region_means(d, dv="y", between="g")
        rm.add(np.r_[r.estimate, r.ci_low, r.ci_high], np.r_[m.estimate, m.ci_low, m.ci_high])
    tk = Cmp("analysis", "ptukey, qtukey", "stats::ptukey, stats::qtukey", "grid (k up to 514)")
    ref = _json("analyses_rs_tukey.json")
    g, q = pd.DataFrame(ref["ptukey"]), pd.DataFrame(ref["qtukey"])
    tk.add(rs.ptukey(g.q, g.k, g.df), g.p_lower)
    tk.add(rs.qtukey(q.p, q.k, q.df), q.q)
    ref = _json("analyses_rs_regression.json")
    mt = _csv("analyses_rs_mtcars.csv")
    mt["cyl_f"] = mt["cyl"].astype(int).astype(str)
    lm = pd.DataFrame(ref["lm"])
    reg = Cmp("analysis", "regression OLS (coef, std beta, R²)", "stats::lm, confint", "mtcars")
    r = regression(mt, dv="mpg", covar=["wt", "hp", "cyl_f"])
    model = r.set_index("term").loc["model"]
    r = r[r.term != "model"]
    for col in ["estimate", "se", "statistic", "p", "ci_low", "ci_high"]:
        reg.add(r[col], lm[col])
    reg.add(r.effect_size[1:], lm.std_beta[1:])
    reg.add([r.df.iloc[0], model.r2, model.adj_r2], [ref["df_resid"], ref["r2"], ref["adj_r2"]])
    hc3 = Cmp("analysis", "regression HC3", "sandwich::vcovHC(HC3), lmtest::coeftest", "mtcars")
    h = regression(mt, dv="mpg", covar=["wt", "hp", "cyl_f"], cov_type="HC3")
    h = h[h.term != "model"]
    hc3.add(np.r_[h.se, h.p, h.ci_low], np.r_[lm.hc3_se, lm.hc3_p, lm.hc3_ci_low])
    gl = pd.DataFrame(ref["glm"])
    g = logistic(mt, dv="am", covar=["wt", "hp"])
    glc = Cmp("analysis", "logistic", "stats::glm(binomial), confint.default", "mtcars")
    for col in ["estimate", "se", "statistic", "p", "ci_low", "ci_high"]:
        glc.add(g[col], gl[col])
    cl = _json("analyses_cluster.json")
    clr = {}
    for small, key, rref in [
        ("CR2", "rs_cr2", "clubSandwich::coef_test(CR2, Satterthwaite)"),
        ("CR1-G", "rs_cr1g", "sandwich::vcovCL(HC1), df = G - 1"),
        ("CR1", "rs_cr1", "sandwich::vcovCL(HC1), df = n - k"),
    ]:
        c = clr[small] = Cmp("analysis", f"regression cluster {small}", rref, "mtcars by carb (6 clusters)")
        r = regression(
            mt, dv="mpg", covar=["wt", "hp", "cyl_f"], cov_type="cluster", cluster="carb", small_sample=small
        )
        r = r[r.term != "model"]
        for col in CLUSTER_COLS:
            c.add(r[col], cl[key][col])
    # the default synthetic data (pre-wave RTC scores of simulate(seed=2026))
    default = _json("analyses_rs_default.json")
    rtc = _csv("analyses_rs_default_rtc.csv")
    dflt = Cmp(
        "analysis",
        "welch_anova, games_howell, kruskal_dunn, region_means",
        "oneway.test, ptukey, kruskal.test, rstatix::dunn_test, t.test",
        "default synthetic RTC",
    )
    for score in ("total", "cognitive_rigidity"):
        ref = default["rtc"][score]
        d = rtc.rename(columns={"region_code": "g", score: "y"})[["g", "y"]]
        w = rs.welch_anova(d, dv="y", between="g")
        dflt.add(
            [w.statistic[0], w.df2[0], w.p[0], w.eta2[0], w.omega2[0], w.epsilon2[0]],
            [
                ref["welch"]["statistic"],
                ref["welch"]["df2"],
                ref["welch"]["p"],
                ref["eta2"],
                ref["omega2"],
                ref["epsilon2"],
            ],
        )
        r = rs.games_howell(d, dv="y", between="g")
        f = pd.DataFrame(ref["games_howell_formula"])
        for col in ["estimate", "se", "df", "p", "ci_low", "ci_high", "p_adj"]:
            dflt.add(r[col], f[col])
        kdr = rs.kruskal_dunn(d, dv="y", between="g")
        dflt.add(
            np.r_[kdr.statistic[0], kdr.p_adj[1:]],
            np.r_[ref["kruskal"]["statistic"], pd.DataFrame(ref["dunn"])["p.adj"]],
        )
        dflt.add(rs.region_means(d, dv="y", between="g").ci_low, pd.DataFrame(ref["means"]).ci_low)
    return [wa, gh, kd, rm, tk, reg, hc3, glc, *clr.values(), dflt]


CLUSTER_COLS = ["estimate", "se", "statistic", "df", "p", "ci_low", "ci_high"]
POOLED_ORDER = ["(Intercept)", "trained", "post", "age", "trained:post"]


def analysis_training():
    """analyses_training_rewards.R -> analyses_tr_{paired,ncp,panel}.json and analyses_cluster.R ->
    analyses_cluster.json (did_*, region_*, wald_*, dose_*), as tests/test_analysis_training.py."""
    paired = _json("analyses_tr_paired.json")["paired"]
    long = _csv("analyses_tr_paired.csv")
    pc = Cmp(
        "analysis",
        "paired_change (t, Wilcoxon, d_z + CI)",
        "t.test, wilcox.test, effectsize::cohens_d",
        "paired A-C, sleep",
    )
    res = T.paired_change(long, dv="score", between="region_code")
    for region in "ABC":
        r = paired[region]
        t = res[(res.region == region) & (res.method == "paired t")].iloc[0]
        w = res[(res.region == region) & res.method.str.startswith("Wilcoxon")].iloc[0]
        pc.add(
            [
                t.estimate,
                t.ci_low,
                t.ci_high,
                t.statistic,
                t.df,
                t.p,
                t.n,
                w.statistic,
                w.p,
                t.dz,
                t.dz_ci_low,
                t.dz_ci_high,
            ],
            [r["estimate"], *r["ci"], r["t"], r["df"], r["p"], r["n"], r["V"], r["p_wilcox"], r["dz"], *r["dz_ci"]],
        )
    res = T.paired_change(long, dv="score", between="region_code", alternative="greater")
    got = res[res.method.str.startswith("Wilcoxon")].set_index("region").p
    pc.add([got[r] for r in "ABC"], [paired[r]["p_wilcox_greater"] for r in "ABC"])
    sleep = _csv("analyses_tr_sleep.csv")
    res = T.paired_change(sleep.assign(wave=np.where(sleep.group == 2, "post", "pre")), dv="extra", subject="ID")
    w = res[res.method.str.startswith("Wilcoxon")].iloc[0]
    pc.add(
        [w.statistic, w.p, res.iloc[0].statistic],
        [paired["sleep"]["V"], paired["sleep"]["p_wilcox"], paired["sleep"]["t"]],
    )
    panel = _csv("analyses_tr_panel.csv")
    ref = _json("analyses_tr_panel.json")
    did1 = Cmp(
        "analysis",
        "did CR1 (pooled, by region + Wald F)",
        "sandwich::vcovCL, lmtest::coeftest, car::linearHypothesis",
        "training panel (30 clusters)",
    )
    r = ref["did"]
    got = T.did(panel, dv="capaian_pct", covar="age", small_sample="CR1").set_index("term")
    rmap = {
        "(Intercept)": "(Intercept)",
        "trained": "trainedTRUE",
        "post": "postTRUE",
        "age": "age",
        "trained:post": "trainedTRUE:postTRUE",
    }
    for ours, theirs in rmap.items():
        i = r["names"].index(theirs)
        did1.add(
            got.loc[ours, ["estimate", "se", "statistic", "p", "ci_low", "ci_high", "df"]].to_numpy(float),
            [r[k][i] for k in ("estimate", "se", "statistic", "p", "ci_low", "ci_high")] + [r["df"]],
        )
    r = ref["did_region"]
    res = T.did(panel, dv="capaian_pct", covar="age", between=["trained", "region_code"], small_sample="CR1")
    reg = res[res.region.notna()].set_index("region")
    for i, name in enumerate(r["names"]):
        code = name.split(":")[0].removeprefix("region_code")
        did1.add(
            reg.loc[code, ["estimate", "se", "statistic", "p"]].to_numpy(float),
            [r[k][i] for k in ("estimate", "se", "statistic", "p")],
        )
    f = res[res.term == "region_code x trained:post"].iloc[0]
    did1.add([f.statistic, f.df1, f.df2, f.p], [r["F"], r["df1"], r["df2"], r["p_F"]])
    dose1 = Cmp("analysis", "dose_response CR1", "sandwich::vcovCL, lmtest::coeftest", "training panel")
    r = ref["dose"]
    res = T.dose_response(panel, dv="capaian_pct", dose="jp", small_sample="CR1")
    dose1.add(
        res.loc[0, ["estimate", "se", "statistic", "p"]].to_numpy(float),
        [r[k][1] for k in ("estimate", "se", "statistic", "p")],
    )
    full = _json("analyses_cluster.json")
    out = [pc, did1, dose1]
    for small, key in (("CR2", "cr2"), ("CR1-G", "cr1g")):
        rref = (
            "clubSandwich::coef_test(CR2, Satterthwaite), Wald_test"
            if small == "CR2"
            else "sandwich::vcovCL(HC1), df = G - 1"
        )
        c = Cmp("analysis", f"did cluster {small} (pooled, by region + Wald F)", rref, "training panel")
        ref_c = full[f"did_{key}"]
        res = T.did(panel, dv="capaian_pct", covar="age", small_sample=small).set_index("term").loc[POOLED_ORDER]
        c.add(res[CLUSTER_COLS].to_numpy(float), np.column_stack([ref_c[k] for k in CLUSTER_COLS]))
        rk = full[f"region_{key}"]
        rdf = pd.DataFrame({k: v for k, v in rk.items() if k != "V"} if isinstance(rk, dict) else rk)
        rdf["region"] = [n.split(":")[0].removeprefix("region_code") for n in rdf["names"]]
        res = T.did(panel, dv="capaian_pct", covar="age", between=["trained", "region_code"], small_sample=small)
        reg = res[res.region.notna()].set_index("region").loc[rdf.region]
        c.add(reg[CLUSTER_COLS].to_numpy(float), rdf[CLUSTER_COLS].to_numpy(float))
        f = res[res.term == "region_code x trained:post"].iloc[0]
        w = full[f"wald_{key}"]
        c.add([f.statistic, f.df1, f.df2, f.p], [w["F"], w["df1"], w["df2"], w["p"]])
        d = Cmp(
            "analysis", f"dose_response cluster {small} (pooled, by region)", rref.split(", Wald")[0], "training panel"
        )
        res = T.dose_response(panel, dv="capaian_pct", dose="jp", small_sample=small)
        d.add(res.loc[0, CLUSTER_COLS].to_numpy(float), [full[f"dose_{key}"][k][1] for k in CLUSTER_COLS])
        by = T.dose_response(panel, dv="capaian_pct", dose="jp", between="region_code", small_sample=small).set_index(
            "region"
        )
        for rr in full["dose_region"]:
            d.add(by.loc[rr["region"], CLUSTER_COLS].to_numpy(float), [rr[key][k][1] for k in CLUSTER_COLS])
        out += [c, d]
    me = Cmp("analysis", "mixed_effects (fixed, variances, REMLcrit)", "lme4::lmer (bobyqa)", "training panel")
    r = ref["lmm"]
    res = T.mixed_effects(
        panel.assign(agency_id=panel.region_code + "|" + panel.agency), dv="capaian_pct", groups="agency_id"
    ).set_index("term")
    fixed = ["(Intercept)", "trained", "post", "trained:post"]
    me.add(
        np.r_[res.loc[fixed, "estimate"].to_numpy(float), res.loc[fixed, "se"].to_numpy(float)],
        np.r_[r["estimate"], r["se"]],
    )
    me.add(
        res.loc[["var(agency_id)", "var(person_id)", "var(residual)"], "estimate"].to_numpy(float),
        [r["var_agency"], r["var_person"], r["var_resid"]],
    )
    d = panel.assign(
        post=(panel.wave == "post").astype(float),
        tr=panel.trained.astype(float),
        agency_id=panel.region_code + "|" + panel.agency,
    )
    fit = lmm(d, "capaian_pct ~ tr * post", groups=["agency_id", "person_id"], profile=False, df_method="wald").fit
    me.add(fit.reml_criterion[0], r["REMLcrit"])
    out.append(me)
    return out


PRED = ["reward", "sanction", "motivation", "training", "region_code"]


def _assumptions(c, res, r, full=True):
    a = res.assumptions.set_index("method")
    c.add(a.loc["Kolmogorov-Smirnov (Lilliefors)", ["statistic", "p"]].to_numpy(float), [r["lillie_D"], r["lillie_p"]])
    c.add(a.loc["Shapiro-Wilk", ["statistic", "p"]].to_numpy(float), [r["shapiro_W"], r["shapiro_p"]])
    ks = a[a.index.str.startswith("Kolmogorov-Smirnov one-sample")].iloc[0]
    c.add(ks.p, r["ks_p"])
    gl = res.assumptions[res.assumptions.method.str.startswith("Glejser (t)")]
    c.add(gl.statistic.to_numpy(float), r["glejser_t"])
    c.add(a.loc["Breusch-Pagan (studentised, Koenker)", ["statistic", "p"]].to_numpy(float), [r["bp"], r["bp_p"]])
    dw = res.assumptions[res.assumptions.term == "autocorrelation"].iloc[0]
    c.add([dw.statistic, dw.p], [r["dw"], r["dw_p"]])
    if full:
        c.add(ks.statistic, r["ks_D"])
        c.add(a.loc["Glejser (F)", ["statistic", "p"]].to_numpy(float), [r["glejser_F"], r["glejser_p"]])
        c.add(gl.p.to_numpy(float), r["glejser_tp"])
        c.add(a.loc["Breusch-Pagan (studentised, Koenker)", "df"], r["bp_df"])


def analysis_rewards():
    """analyses_training_rewards.R -> analyses_tr_reg.json (lm, car, lmtest, nortest, MASS::polr), as
    tests/test_analysis_rewards.py."""
    ref = _json("analyses_tr_reg.json")
    reg = _csv("analyses_tr_reg.csv")
    ds = "rewards synthetic, mtcars"
    ols = Cmp("analysis", "regression OLS (coef, beta, F, R², partial η², GVIF)", "stats::lm, car::vif, effectsize", ds)
    hc3 = Cmp("analysis", "regression HC3", "sandwich::vcovHC(HC3), lmtest::coeftest", ds)
    asm = Cmp(
        "analysis",
        "regression assumptions (Lilliefors, Shapiro, KS, Glejser, BP, DW)",
        "nortest::lillie.test, shapiro.test, ks.test, lmtest::bptest, car::durbinWatsonTest",
        ds,
    )
    r = ref["regression"]
    fit = Rw.regression(reg, dv="capaian_pct", covar=PRED)
    coef = fit[fit.term != "model"]
    for col in ["estimate", "se", "statistic", "p", "ci_low", "ci_high"]:
        ols.add(coef[col].to_numpy(float), r["coef"][col])
    ols.add(coef.effect_size.to_numpy(float)[1:], r["coef"]["beta"][1:])
    model = fit[fit.term == "model"].iloc[0]
    ols.add(
        [model.statistic, model.df1, model.df2, model.p, model.r2, model.adj_r2],
        [r["F"], r["df1"], r["df2"], r["p_F"], r["r2"], r["adj_r2"]],
    )
    got = coef.iloc[1:]
    by_term = dict(zip(r["eta_terms"], r["partial_eta2"]))
    gv = dict(zip(r["vif_terms"], r["gvif"]))
    key = ["region_code" if t.startswith("region_code") else t for t in got.term]
    ols.add(got.partial_eta2.to_numpy(float), [by_term[k] for k in key])
    ols.add(got.vif.to_numpy(float), [gv[k] for k in key])
    h = Rw.regression(reg, dv="capaian_pct", covar=PRED, cov_type="HC3")
    h = h[h.term != "model"]
    for col in ["se", "statistic", "p", "ci_low", "ci_high"]:
        hc3.add(h[col].to_numpy(float), r["hc3"][col])
    _assumptions(asm, fit, r)
    mt = _csv("analyses_tr_mtcars.csv")
    r = ref["mtcars"]
    res = Rw.regression(mt, dv="mpg", covar=["wt", "hp"])
    coef = res[res.term != "model"]
    ols.add(
        coef[["estimate", "se", "statistic", "p"]].to_numpy(float).T,
        [r["coef"][k] for k in ("estimate", "se", "statistic", "p")],
    )
    ols.add(coef.vif.iloc[1:], r["vif"])
    h = Rw.regression(mt, dv="mpg", covar=["wt", "hp"], cov_type="HC3")
    hc3.add(h.se[h.term != "model"], r["hc3_se"])
    _assumptions(asm, res, r, full=False)
    mod = Cmp("analysis", "moderation (OLS, ΔR² F, simple slopes)", "stats::lm, anova", "rewards synthetic")
    r = ref["moderation"]
    res = Rw.moderation(reg, dv="capaian_pct", x="reward", moderator="region_code")
    o = res[res.method == "OLS"]
    for col in ("estimate", "se", "statistic", "p"):
        mod.add(o[col].to_numpy(float), r[col])
    f = res[res.term == "reward:region_code"].iloc[0]
    mod.add([f.statistic, f.df1, f.df2, f.p, f.effect_size], [r["F"], r["df1"], r["df2"], r["p_F"], r["delta_r2"]])
    ss = res[res.method == "simple slope"]
    mod.add(np.r_[ss.estimate, ss.se], np.r_[r["slope"], r["slope_se"]])
    med = Cmp("analysis", "mediation (paths a, b, c, c', indirect; SE a, b)", "stats::lm", "rewards synthetic")
    r = ref["mediation"]
    res = Rw.mediation(reg, dv="capaian_pct", x="reward", mediator="motivation", covar="training").set_index("term")
    med.add(
        np.r_[res.loc[["a", "b", "c_prime", "c", "indirect"], "estimate"], res.loc[["a", "b"], "se"]],
        [r["a"], r["b"], r["c_prime"], r["c"], r["indirect"], r["se_a"], r["se_b"]],
    )
    boot = Cmp(
        "analysis", "mediation bootstrap CI, SE (different resamples)", "boot (R's own RNG)", "rewards synthetic"
    )
    boot.add(
        [res.loc["indirect", "ci_low"], res.loc["indirect", "ci_high"], res.loc["indirect", "se"]],
        [*r["boot_ci"], r["boot_se"]],
    )
    po = Cmp("analysis", "ordinal_logit", "MASS::polr", "rewards synthetic")
    r = ref["polr"]
    res = Rw.ordinal_logit(reg, dv="predikat", covar=["reward", "motivation", "sanction"])
    po.add(np.r_[res.estimate, res.se], np.r_[r["estimate"], r["se"]])
    return [ols, hc3, asm, mod, med, boot, po]


def analysis_sampling_satisfaction_edges():
    """analyses_rs_sampling.json, analyses_rs_ikm.json, analyses_rs_default.json (ikm), analyses_edge_cases.json
    and analyses_tr_ncp.json, as tests/test_analysis_{sampling,satisfaction,effect_sizes,training}.py."""
    ref = _json("analyses_rs_sampling.json")
    edge = _json("analyses_edge_cases.json")
    ssz = Cmp("analysis", "sample_size (Slovin, Krejcie-Morgan)", "R formulas (qchisq)", "population grid")
    sz = pd.DataFrame(ref["sizes"])
    r = sample_size(sz.population.tolist())
    ssz.add(r.loc[r.method == "Slovin", "estimate"], sz.slovin_raw)
    km = edge["krejcie_morgan"]
    for conf, col in ((0.95, "km_raw_95"), (0.99, "km_raw_99")):
        ssz.add(sample_size(km["population"], method="krejcie_morgan", confidence=conf).estimate, km[col])
    pw = Cmp("analysis", "power (t, anova, f²: n, power, effect)", "pwr::pwr.t.test, pwr.anova.test, pwr.f2.test", "—")
    for key, kw, col in [
        ("t_two_n", dict(test="t_two", effect=0.5, power=0.8), "n_exact"),
        ("t_two_power", dict(test="t_two", effect=0.5, n=30), "power"),
        ("t_paired_n", dict(test="t_paired", effect=0.3, power=0.9), "n_exact"),
        ("t_one_power", dict(test="t_one", effect=0.4, n=25, alpha=0.01), "power"),
        ("t_two_greater_power", dict(test="t_two", effect=0.5, n=30, alternative="greater"), "power"),
        ("t_two_d", dict(test="t_two", n=40, power=0.8), "effect_size"),
        ("anova_n", dict(test="anova", k=4, effect=0.25, power=0.8), "n_exact"),
        ("anova_power", dict(test="anova", k=4, effect=0.25, n=30), "power"),
        ("f2_power", dict(test="regression", u=4, effect=0.15, n=65), "power"),
    ]:
        pw.add(power(**kw)[col][0], ref["power"][key])
    pw.add(power(test="regression", u=4, effect=0.15, power=0.8).n_exact[0] - 5, ref["power"]["f2_v"])
    ik = Cmp(
        "analysis",
        "ikm, ikm_elements, ikm_trend",
        "PermenPANRB 14/2017 formula in R; stats::lm",
        "SKM answers, default synthetic",
    )
    IKM = _json("analyses_rs_ikm.json")
    skm = _csv("analyses_rs_skm.csv")
    r = sf.ikm(skm, between=None, n_boot=0)
    ik.add(
        [r.estimate[0], r.nrr_tertimbang[0], r.ikm[0]],
        [IKM["overall"]["ikm_raw"], IKM["overall"]["ikm_raw"] / 25, IKM["overall"]["ikm"]],
    )
    ik.add(sf.ikm(skm, between=None, n_boot=0, weight="printed").estimate[0], IKM["overall_printed"]["ikm_raw"])
    u = sf.ikm(skm, between="service_unit", n_boot=0).set_index("service_unit")
    for unit, v in IKM["by_unit"].items():
        ik.add([u.loc[unit, "estimate"], u.loc[unit, "n"]], [v["ikm_raw"], v["n"]])
    s = sf.ikm(skm, between=None, period="semester", n_boot=0).set_index("period")
    for sem, v in IKM["by_semester"].items():
        ik.add(s.loc[sem, "estimate"], v["ikm_raw"])
    ik.add(sf.ikm_elements(skm, between=None).estimate, [IKM["overall"]["nrr"][f"U{i}"] for i in range(1, 10)])
    t = sf.ikm_trend(skm, between=None)
    ik.add(
        [t[c][0] for c in ("estimate", "se", "statistic", "p")],
        [IKM["trend"][c] for c in ("estimate", "se", "statistic", "p")],
    )
    dref = _json("analyses_rs_default.json")["ikm"]
    r = sf.ikm(_csv("analyses_rs_default_skm.csv"), n_boot=0).set_index("region")
    for region, v in dref.items():
        ik.add([r.loc[region, "estimate"], r.loc[region, "ikm"], r.loc[region, "n"]], [v["ikm_raw"], v["ikm"], v["n"]])
    es = Cmp(
        "analysis",
        "games_howell effect size (Hedges g), paired_change one-sided CI",
        "effectsize::hedges_g, t.test, cohens_d",
        "edge cases",
    )
    g = edge["games_howell_g"]
    gd = pd.DataFrame([(k, v) for k, vals in g["data"].items() for v in vals], columns=["g", "y"])
    es.add(rs.games_howell(gd, dv="y", between="g").effect_size, g["hedges_g"])
    po = edge["paired_one_sided"]
    pre, post = np.array(po["pre"]), np.array(po["post"])
    n = len(pre)
    long = pd.DataFrame(
        {"person_id": np.tile(np.arange(n), 2), "wave": ["pre"] * n + ["post"] * n, "score": np.r_[pre, post]}
    )
    scale = (post - pre).std(ddof=1) / ((pre.std(ddof=1) + post.std(ddof=1)) / 2) * (1 - 3 / (4 * (n - 1) - 1))
    for alt in ("greater", "less"):
        r = T.paired_change(long, dv="score", alternative=alt).iloc[0]
        e = po[alt]
        num = [float(e[k]) for k in ("t_ci_low", "t_ci_high", "dz_ci_low", "dz_ci_high")]
        es.add([r.ci_low, r.ci_high, r.es_ci_low / scale, r.es_ci_high / scale], num)
    rt = Cmp("measure", "r_table (alternative = less)", "stats::qt", "n = 10, 30, 100")
    rt.add(r_table(edge["r_table_less"]["n"], alternative="less"), edge["r_table_less"]["r"])
    ncp = Cmp("analysis", "noncentral-t CI of d_z (internal _ncp_ci; |t| < 37)", "effectsize::t_to_d(paired)", "t grid")
    big = Cmp(
        "analysis", "noncentral-t CI of d_z, |t| ≥ 37 (R's pt inaccurate there)", "effectsize::t_to_d(paired)", "t grid"
    )
    nc = _json("analyses_tr_ncp.json")
    for t_, df, lo, hi in zip(nc["t"], nc["df"], nc["ci_low"], nc["ci_high"]):
        (ncp if abs(t_) < 37 else big).add(np.array(T._ncp_ci(t_, df, 0.05)) / np.sqrt(df), [lo, hi])
    return [ssz, pw, ik, es, rt, ncp, big]


SECTIONS = [
    ("measure.R -> measure_reference.json", measure_reference),
    ("measure_efa.R -> measure_efa.json", measure_efa),
    ("measure_invariance.R -> measure_invariance.json", measure_invariance),
    ("measure_ordinal.R -> measure_ordinal.json", measure_ordinal),
    ("analyses_lmm.R -> analyses_lmm.json", analysis_lmm),
    ("analyses_stats.R -> analyses_stats.json", analysis_stats),
    (
        "analyses_resistance_satisfaction.R, analyses_cluster.R -> analyses_rs_*.json, analyses_cluster.json",
        analysis_resistance,
    ),
    ("analyses_training_rewards.R, analyses_cluster.R -> analyses_tr_*.json, analyses_cluster.json", analysis_training),
    ("analyses_training_rewards.R -> analyses_tr_reg.json", analysis_rewards),
    ("sampling, IKM, edge cases, ncp fixtures", analysis_sampling_satisfaction_edges),
]


def _fmt(x):
    if x is None:
        return "—"
    if x == 0:
        return "0"
    return f"{x:.1e}"


def run():
    rows, failed = [], []
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fixtures include scales with reverse-worded items, Heywood cases
        for label, fn in SECTIONS:
            try:
                rows += [c.row() for c in fn()]
            except Exception as exc:  # a section that cannot run is reported, the others still run
                failed.append({"section": label, "error": f"{type(exc).__name__}: {exc}"})
        try:
            sweep_rows, sweep = measure_sweep()
            rows += [c.row() for c in sweep_rows]
        except Exception as exc:
            sweep = None
            failed.append({"section": "measure_sweep.json", "error": f"{type(exc).__name__}: {exc}"})
    return {"rows": rows, "sweep": sweep, "failed": failed, "seconds": time.perf_counter() - t0}


def markdown(out):
    lines = [
        "| family | function | R reference | data | n | max abs diff | max rel diff (R ≥ 1 in size) |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for r in sorted(out["rows"], key=lambda r: r["family"] != "measure"):
        cells = [r["family"], r["function"], r["reference"], r["dataset"], str(r["n"])]
        cells = [c.replace("|", "\\|") for c in cells] + [_fmt(r["max_abs"]), _fmt(r["max_rel"])]
        lines.append("| " + " | ".join(cells) + " |")
    total = sum(r["n"] for r in out["rows"])
    lines.append("")
    lines.append(f"{total} values compared in {len(out['rows'])} rows, {out['seconds']:.1f} s.")
    s = out["sweep"]
    if s:
        lines.append("")
        lines.append(
            f"CFA sweep (measure_sweep.json): {s['at_lavaan_solution']} of {s['models']} models converge to lavaan's "
            f"solution (estimates within 1e-5 relative, widened by lavaan's own distance from the minimum); max abs "
            f"diff of {s['estimates_compared']} estimates {_fmt(s['max_abs_estimate_diff'])}."
        )
        w = s["largest_difference"]
        lines.append(
            f"Largest: {w['model']} `{w['term']}` {_fmt(w['abs_diff'])}, where lavaan itself stops "
            f"{_fmt(w['lavaan_distance_x2'] / 2)} from the minimum (its Newton step to it)."
        )
        lines.append("Not at lavaan's solution, or at it but flagged by the result's `problems`:")
        for m in s["not_at_solution_or_flagged"]:
            lines.append(f"- {m}")
    for f in out["failed"]:
        lines.append(f"- NOT RECOMPUTED: {f['section']}: {f['error']}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true", help="print JSON instead of the Markdown table")
    args = p.parse_args(argv)
    out = run()
    print(json.dumps(out, indent=2) if args.json else markdown(out))
    return 1 if out["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
