"""Recovery: on the synthetic survey, the estimates recover the reliabilities and loadings the generator planted.

GROUND_TRUTH.json ``measurement`` (kinerja_research.synth): per instrument and dimension the population alpha and
omega of the discretised items and the standardised loadings of a one-factor model of their population covariance
(pre wave, pooled over regions; Monte Carlo with 2,000,000 draws). These are estimands on observed data, so a good
estimator lands within sampling error of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from kinerja_research.instruments import load_codebook
from kinerja_research.measure import cfa, cronbach_alpha, omega
from kinerja_research.synth import simulate

INSTRUMENTS = ("rtc", "training", "reward", "sanction", "motivation", "sus")


def _pre_wave(seed: int, scale: float = 1.0):
    world = simulate(seed=seed, scale=scale)
    s = world.tables["survey"]
    return s[s["wave"] == "pre"].reset_index(drop=True), world.truth["measurement"]


@pytest.fixture(scope="module")
def pre_wave():
    return _pre_wave(2027)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_alpha_and_omega_recover_population_values(pre_wave, name):
    survey, truth = pre_wave
    cb = load_codebook(name)
    al = cronbach_alpha(survey, items=cb).set_index("term")
    om = omega(survey, items=cb).set_index("term")
    for dim, t in truth[name].items():
        est, se = al.loc[dim, "estimate"], al.loc[dim, "se"]
        assert abs(est - t["alpha_population"]) < 4 * se + 0.005, (name, dim, est, t["alpha_population"])
        assert al.loc[dim, "ci_low"] - 0.01 < t["alpha_population"] < al.loc[dim, "ci_high"] + 0.01
        if "omega_population" in t and dim in om.index:
            assert abs(om.loc[dim, "estimate"] - t["omega_population"]) < 4 * se + 0.01, (name, dim)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_cfa_recovers_standardised_loadings(pre_wave, name):
    survey, truth = pre_wave
    cb = load_codebook(name)
    res = cfa(survey, model=cb)
    assert res.converged
    lam = res.estimates[res.estimates["op"] == "=~"].set_index("rhs")["std_all"]
    diffs = []
    for t in truth[name].values():
        for item, true_std in t.get("loadings_observed_std", {}).items():
            diffs.append(lam[item] - true_std)
    diffs = np.array(diffs)
    assert np.max(np.abs(diffs)) < 0.09, diffs  # SE of a standardised loading here is about 0.02-0.025
    assert abs(diffs.mean()) < 0.03
    # the planted model fits: CFI above the usual 0.95 bound
    assert res.fit.set_index("term").loc["cfi", "estimate"] > 0.95


@pytest.mark.slow
def test_feldt_interval_covers_population_alpha_at_nominal_rate():
    hits, total = 0, 0
    for seed in range(100, 140):
        survey, truth = _pre_wave(seed, scale=0.5)
        al = cronbach_alpha(survey, items=load_codebook("rtc")).set_index("term")
        for dim, t in truth["rtc"].items():
            hits += al.loc[dim, "ci_low"] <= t["alpha_population"] <= al.loc[dim, "ci_high"]
            total += 1
    assert 0.88 <= hits / total <= 0.99, hits / total


@pytest.mark.slow
def test_bootstrap_interval_covers_population_alpha_at_nominal_rate():
    hits, total = 0, 0
    for seed in range(200, 230):
        survey, truth = _pre_wave(seed, scale=0.5)
        al = cronbach_alpha(survey, items=load_codebook("training"), ci="bootstrap", n_boot=300, seed=seed).set_index(
            "term"
        )
        for dim, t in truth["training"].items():
            hits += al.loc[dim, "ci_low"] <= t["alpha_population"] <= al.loc[dim, "ci_high"]
            total += 1
    assert 0.86 <= hits / total <= 0.99, hits / total
