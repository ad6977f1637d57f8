"""GROUND_TRUTH: the estimands of the analyses on observed data, computed from the data-generating process.

Exact (normal CDF sums) where the estimand is an expectation of discretised answers; Monte Carlo with a large fixed
sample (``MC_DRAWS`` draws, seed ``MC_SEED``, the same for every simulation seed) where it is a regression
coefficient or a reliability of discretised items.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import optimize
from scipy.special import ndtr

from kinerja_research.synth import _spec as S
from kinerja_research.synth import _world as W

__all__ = ["build_truth", "expected_scores", "expected_sus", "skm_truth", "naive_bias", "MC_DRAWS", "MC_SEED"]

MC_DRAWS = 2_000_000
MC_SEED = 20260101
_CHUNK = 500_000


@lru_cache(maxsize=4096)
def _expected_answer(k: int, loading: float, offset: float, mean: float, reverse: bool) -> float:
    """E[answer as given] when the continuous response is N(±λ·mean, 1)."""
    loc = (-1.0 if reverse else 1.0) * loading * mean
    return float(1.0 + ndtr(loc - (S.thresholds(k) + offset)).sum())


@lru_cache(maxsize=4096)
def _expected_scores(inst: S.Instrument, mean: float) -> tuple:
    return tuple(expected_scores_uncached(inst, mean).items())


def expected_scores(inst: S.Instrument, mean: float) -> dict:
    """Expected observed scale score (mean of reverse-scored items) per dimension and in total."""
    return dict(_expected_scores(inst, float(mean)))


def expected_scores_uncached(inst: S.Instrument, mean: float) -> dict:
    """Expected observed scale score (mean of reverse-scored items) per dimension and in total."""
    scored = {}
    for it in inst.items:
        e = _expected_answer(inst.k, it.loading, it.offset, mean, it.reverse)
        scored[it.id] = (inst.k + 1 - e) if it.reverse else e
    out = {d: float(np.mean([scored[it.id] for it in inst.dim_items(d)])) for d in inst.dimensions}
    out["total"] = float(np.mean(list(scored.values())))
    return out


def expected_sus(mean: float) -> float:
    """Expected SUS score (0-100): 2.5 x sum of (answer - 1) for positive and (5 - answer) for reverse items."""
    inst = S.instrument("sus")
    tot = 0.0
    for it in inst.items:
        e = _expected_answer(inst.k, it.loading, it.offset, mean, it.reverse)
        tot += (inst.k - e) if it.reverse else (e - 1.0)
    return float(2.5 * tot)


def skm_truth(p: S.RegionParams, weight: float) -> dict:
    names, w, eff = W.skm_units(p)
    ids, lam, off = W.skm_item_params()
    nrr = {}
    for j, iid in enumerate(ids):
        e = [1.0 + ndtr(lam[j] * (p.skm_mean + eff[u]) - (S.thresholds(4) + off[j])).sum() for u in range(len(names))]
        nrr[iid] = float(np.dot(w, e))
    ikm = 25.0 * weight * sum(nrr.values())
    return {
        "ikm": ikm,
        "nrr_by_element": nrr,
        "ikm_by_element": {k: 25.0 * v for k, v in nrr.items()},
        "service_units": {n: {"weight": float(ww), "latent_shift": float(e)} for n, ww, e in zip(names, w, eff)},
    }


def _one_factor_ml(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood one-factor model of a covariance matrix: (loadings, unique variances)."""
    p = cov.shape[0]
    if p < 3:
        # two indicators: equal loadings identify the model (lavaan would need a constraint too)
        lam = np.sqrt(np.abs(cov[0, 1])) * np.ones(p)
        return lam, np.diag(cov) - lam**2

    def f(theta):
        lam, psi = theta[:p], np.exp(theta[p:])
        sig = np.outer(lam, lam) + np.diag(psi)
        sign, logdet = np.linalg.slogdet(sig)
        return logdet + np.trace(cov @ np.linalg.inv(sig))

    d = np.sqrt(np.diag(cov))
    x0 = np.r_[0.7 * d, np.log(0.5 * d**2)]
    res = optimize.minimize(f, x0, method="L-BFGS-B")
    lam = res.x[:p]
    lam = lam * np.sign(lam.sum())
    return lam, np.exp(res.x[p:])


def _cache_dir() -> Path:
    base = os.environ.get("KINERJA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "kinerja_research"
    )
    return Path(base)


def _fingerprint(region_key: tuple) -> str:
    """Hash of everything the Monte Carlo depends on: the generator's source, the codebooks and the regions."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("_spec.py", "_world.py", "_truth.py"):
        h.update((here / name).read_bytes())
    for name in S.SURVEY_INSTRUMENTS:
        h.update(repr(S.instrument(name)).encode("utf-8"))
    h.update(repr((region_key, MC_DRAWS, MC_SEED)).encode("utf-8"))
    return h.hexdigest()[:24]


@lru_cache(maxsize=8)
def _monte_carlo(region_key: tuple) -> dict:
    """Monte Carlo estimands, cached on disk (``~/.cache/kinerja_research`` or ``$KINERJA_CACHE``) by fingerprint."""
    path = _cache_dir() / f"synth_truth_{_fingerprint(region_key)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    out = _naive_bias() if region_key == ("naive_bias",) else _monte_carlo_compute(region_key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(out), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home only costs the recomputation
    return out


def _monte_carlo_compute(region_key: tuple) -> dict:
    """Regression/mediation coefficients and reliabilities on observed scores (pre wave, pooled over regions).

    Accumulates the moment matrix of all reverse-scored items and the structural part of capaian over chunks;
    every estimand is a function of these population moments.
    """
    codes, rtc_means, sizes = region_key
    rng = np.random.default_rng(MC_SEED)
    wts = np.asarray(sizes) / np.sum(sizes)
    insts = [S.instrument(name) for name in S.SURVEY_INSTRUMENTS]
    cols = [(inst.name, it) for inst in insts for it in inst.items]
    ncol = len(cols) + 1
    M = np.zeros((ncol, ncol))
    s1 = np.zeros(ncol)
    for start in range(0, MC_DRAWS, _CHUNK):
        m = min(_CHUNK, MC_DRAWS - start)
        gen = W.general_factors(rng, m)
        pre = {k: v[0] for k, v in gen.items()}
        reg = rng.choice(len(codes), size=m, p=wts)
        rtc_mu = np.asarray(rtc_means)[reg]
        Z = np.empty((m, ncol))
        j = 0
        for inst in insts:
            name = inst.name
            sp = {d: rng.standard_normal(m) for d in inst.dimensions} if len(inst.dimensions) > 1 else None
            if name == "rtc":
                g_rtc = rng.standard_normal(m)
                it = W.instrument_items(rng, inst, rtc_mu, g_rtc, sp)
            elif name == "sus":
                g = S.SUS_RESIST * g_rtc + np.sqrt(1 - S.SUS_RESIST**2) * rng.standard_normal(m)
                it = W.instrument_items(rng, inst, S.SUS_BASE + S.SUS_RESIST * rtc_mu, g, sp)
            elif name == "training":
                it = W.instrument_items(rng, inst, np.full(m, S.INSTRUMENT_MEAN[name]), rng.standard_normal(m), sp)
            else:
                it = W.instrument_items(rng, inst, np.full(m, S.INSTRUMENT_MEAN[name]), pre[name], sp)
            for item in inst.items:
                Z[:, j] = (inst.k + 1 - it[item.id]) if item.reverse else it[item.id]
                j += 1
        Z[:, j] = S.CAP_MOT * pre["motivation"] + S.CAP_REWARD * pre["reward"] + S.CAP_SANCTION * pre["sanction"]
        s1 += Z.sum(axis=0)
        M += Z.T @ Z
    mean = s1 / MC_DRAWS
    C = M / MC_DRAWS - np.outer(mean, mean)  # population covariance of (scored items, y)
    idx = {(name, it.id): i for i, (name, it) in enumerate(cols)}
    iy = ncol - 1

    def weights(name):
        inst = S.instrument(name)
        w = np.zeros(ncol)
        for it in inst.items:
            w[idx[(name, it.id)]] = 1.0 / len(inst.items)
        return w

    # covariance of (reward, sanction, motivation scores, y)
    A = np.column_stack([weights("reward"), weights("sanction"), weights("motivation"), np.eye(ncol)[iy]])
    V = A.T @ C @ A

    def slopes(yi, xs):
        return np.linalg.solve(V[np.ix_(xs, xs)], V[xs, yi])

    a = slopes(2, [0])[0]
    bc = slopes(3, [0, 2])
    out = {
        "paths": {
            "a_reward_to_motivation": float(a),
            "b_motivation_to_performance": float(bc[1]),
            "c_prime_reward_to_performance": float(bc[0]),
            "indirect": float(a * bc[1]),
            "total_reward_to_performance": float(slopes(3, [0])[0]),
            "a_sanction_to_motivation_adjusted": float(slopes(2, [0, 1])[1]),
        },
        "regression": dict(zip(("reward", "sanction", "motivation"), map(float, slopes(3, [0, 1, 2])))),
        "measurement": {},
    }
    for inst in insts:
        meas = {}
        for dim in list(inst.dimensions) + (["total"] if len(inst.dimensions) > 1 else []):
            its = inst.items if dim == "total" else inst.dim_items(dim)
            ii = [idx[(inst.name, it.id)] for it in its]
            cov = C[np.ix_(ii, ii)]
            k = len(ii)
            alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum()) if k > 1 else float("nan")
            entry = {"alpha_population": float(alpha)}
            if dim != "total":
                lam, psi = _one_factor_ml(cov)
                entry["loadings"] = {it.id: it.loading for it in its}
                sd = np.sqrt(np.diag(cov))
                entry["loadings_observed_std"] = {it.id: float(v) for it, v in zip(its, lam / sd)}
                entry["omega_population"] = float(lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum()))
            meas[dim] = entry
        out["measurement"][inst.name] = meas
    return out


def naive_bias() -> dict:
    """E[person effect | trained] - E[person effect | untrained]: the bias of a post-only comparison."""
    return _monte_carlo(("naive_bias",))


def _naive_bias() -> dict:
    rng = np.random.default_rng(MC_SEED + 1)
    d = W.draw_people(rng, MC_DRAWS)
    v = rng.normal(0, S.SD_PERSON, MC_DRAWS)
    p = W.selection_prob(v, d["age_ref"] - 1.0)
    # weight by the selection probability instead of drawing the selection: lower Monte Carlo error
    et = float(np.sum(p * v) / np.sum(p))
    eu = float(np.sum((1 - p) * v) / np.sum(1 - p))
    return {"bias": et - eu, "trained_share": float(p.mean())}


def build_truth(seed: int, scale: float, params: list[S.RegionParams], n_staff, n_survey, skm_weight: float) -> dict:
    """The GROUND_TRUTH content; ``n_staff`` and ``n_survey`` are the numbers of staff and survey rows per region
    (in the order of ``params``)."""
    key = (tuple(p.code for p in params), tuple(p.rtc_mean for p in params), tuple(p.size for p in params))
    mc = _monte_carlo(key)
    nb = naive_bias()
    e_jp = float(S.PROGRAMME_JP @ S.PROGRAMME_JP_P)
    regions = {}
    for r, p in enumerate(params):
        rtc = S.instrument("rtc")
        pre = expected_scores(rtc, p.rtc_mean)
        sk = skm_truth(p, skm_weight)
        means = {
            name: expected_scores(S.instrument(name), S.INSTRUMENT_MEAN[name])["total"]
            for name in ("training", "reward", "sanction", "motivation")
        }
        means["rtc"] = pre["total"]
        sus_mu = S.SUS_BASE + S.SUS_RESIST * p.rtc_mean
        sus_post_t = S.SUS_BASE + S.SUS_RESIST * (p.rtc_mean + S.TRAINED_POST_RTC)
        regions[p.code] = {
            "name": p.name,
            "n_staff": int(n_staff[r]),
            "n_survey": int(n_survey[r]),
            "capaian_mean_2025S1_expected": p.capaian_mean,
            "training_effect_capaian": p.did_effect,
            "dose_response_capaian_per_jp": p.kappa,
            "naive_post_only_difference": p.did_effect + nb["bias"],
            "rtc_latent_mean": p.rtc_mean,
            "rtc_mean": pre,
            "rtc_mean_post": {"trained": expected_scores(rtc, p.rtc_mean + S.TRAINED_POST_RTC), "untrained": pre},
            "rtc_change_trained_minus_untrained": (
                expected_scores(rtc, p.rtc_mean + S.TRAINED_POST_RTC)["total"] - pre["total"]
            ),
            "scale_means_pre": means,
            "sus_mean": expected_sus(sus_mu),
            "sus_mean_post": {"trained": expected_sus(sus_post_t), "untrained": expected_sus(sus_mu)},
            "ikm": sk["ikm"],
            "ikm_by_element": sk["ikm_by_element"],
            "nrr_by_element": sk["nrr_by_element"],
            "skm_service_units": sk["service_units"],
            "skm_latent_mean": p.skm_mean,
        }
    sizes = np.array([p.size for p in params])
    trn = S.instrument("training")
    return {
        "seed": int(seed),
        "scale": float(scale),
        "generator": "kinerja_research.synth",
        "reference_date": str(S.REFERENCE_DATE),
        "monte_carlo": {
            "draws": MC_DRAWS,
            "seed": MC_SEED,
            "note": "estimands that are not closed-form use this fixed sample, the same for every seed",
        },
        "regions": regions,
        "training": {
            "programme_course": S.PROGRAMME_COURSE,
            "did_effect_capaian": float(np.dot(sizes, [p.did_effect for p in params]) / sizes.sum()),
            "did_pooled_weights": "expected number of trained staff per region (proportional to region size)",
            "effect_by_region": {p.code: p.did_effect for p in params},
            "dose_response_per_jp_by_region": {p.code: p.kappa for p in params},
            "expected_programme_jp": e_jp,
            "programme_jp_distribution": dict(zip(map(str, S.PROGRAMME_JP), map(float, S.PROGRAMME_JP_P))),
            "other_courses_effect": 0.0,
            "periods": {"pre": list(S.PERIODS[:2]), "post": list(S.PERIODS[2:])},
            "selection": (
                f"P(trained) = logistic({S.SEL_INTERCEPT} + {S.SEL_PERF} * person_effect/SD "
                f"+ {S.SEL_AGE} * (age - 40)/10): better performers and younger staff are nominated more"
            ),
            "expected_trained_share": nb["trained_share"],
            "naive_post_only_bias": nb["bias"],
            "naive_post_only_difference_by_region": {p.code: p.did_effect + nb["bias"] for p in params},
            "survey_shift_trained_post": {
                "rtc_latent": S.TRAINED_POST_RTC,
                "training_latent": S.TRAINED_POST_TRN,
                "training_scale_mean": {
                    "trained_post": expected_scores(trn, S.INSTRUMENT_MEAN["training"] + S.TRAINED_POST_TRN)["total"],
                    "otherwise": expected_scores(trn, S.INSTRUMENT_MEAN["training"])["total"],
                },
            },
        },
        "paths": {
            **mc["paths"],
            "model": (
                "observed scale scores (item means after reversal): motivation ~ reward; "
                "capaian_pct ~ reward + motivation; capaian_pct is the period linked to the wave "
                f"({S.WAVE_PERIOD}); holds for each wave (latent structure is the same at both)"
            ),
            "latent": {
                "a": S.A_REWARD_MOT,
                "sanction_to_motivation": S.S_SANCTION_MOT,
                "capaian_per_sd_motivation": S.CAP_MOT,
                "capaian_per_sd_reward": S.CAP_REWARD,
            },
        },
        "regression": {
            "formula": "capaian_pct ~ reward + sanction + motivation (observed scale scores)",
            "coefficients": mc["regression"],
        },
        "measurement": mc["measurement"],
        "capaian_model": {
            "formula": (
                "capaian = region mean + period effect + agency effect + person effect "
                f"+ {S.CAP_MOT}*motivation + {S.CAP_REWARD}*reward + kappa_region*JP_programme*post + e"
            ),
            "sd_person": S.SD_PERSON,
            "sd_agency": S.SD_AGENCY,
            "sd_residual": S.SD_RESID,
            "period_effect": dict(zip(S.PERIODS, S.PERIOD_EFFECT)),
        },
        "dirt": [],
    }
