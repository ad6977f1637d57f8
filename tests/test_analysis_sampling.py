"""Sample size (Slovin, Krejcie & Morgan 1970 published table) and power (R pwr, fixture analyses_rs_sampling.json
from tests/reference/analyses_resistance_satisfaction.R), and the `kinerja sample-size` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kinerja_research.analysis.sampling import power, sample_size
from kinerja_research.errors import KinerjaError

REF = json.loads((Path(__file__).parent / "reference" / "analyses_rs_sampling.json").read_text())
EDGE_CASES = json.loads((Path(__file__).parent / "reference" / "analyses_edge_cases.json").read_text())


def test_krejcie_morgan_published_table():
    # Krejcie & Morgan (1970), Table 1: N -> S
    table = {
        10: 10,
        50: 44,
        100: 80,
        200: 132,
        500: 217,
        1000: 278,
        2000: 322,
        5000: 357,
        10000: 370,
        40000: 380,
        50000: 381,
        75000: 382,
        1000000: 384,
    }
    r = sample_size(list(table), method="krejcie_morgan")
    assert r.sample_size.tolist() == list(table.values())


def test_formulas_match_r():
    ref = pd.DataFrame(REF["sizes"])  # R: N / (1 + N e^2); chi2 N P (1-P) / (d^2 (N-1) + chi2 P (1-P))
    r = sample_size(ref.population.tolist())
    np.testing.assert_allclose(r.loc[r.method == "Slovin", "estimate"], ref.slovin_raw, rtol=1e-12)
    # Krejcie & Morgan: R km(N, 3.841) at 95% (their printed chi2) and km(N, qchisq(0.99, 1)) at 99%, written by
    # tests/reference/analyses_edge_cases.R (the older km_raw of analyses_rs_sampling.json used qchisq(0.95, 1))
    km = EDGE_CASES["krejcie_morgan"]
    for conf, col in ((0.95, "km_raw_95"), (0.99, "km_raw_99")):
        got = sample_size(km["population"], method="krejcie_morgan", confidence=conf).estimate
        np.testing.assert_allclose(got, km[col], rtol=1e-12)
    slovin = r.loc[r.method == "Slovin"]
    assert (slovin.sample_size == np.ceil(ref.slovin_raw.to_numpy() - 1e-9)).all()
    assert sample_size(1000, method="slovin").sample_size[0] == 286
    assert sample_size(100, method="slovin").sample_size[0] == 80  # exactly 80.0: no rounding up past it


@pytest.mark.parametrize(
    "key,kwargs,column",
    [
        ("t_two_n", dict(test="t_two", effect=0.5, power=0.8), "n_exact"),
        ("t_two_power", dict(test="t_two", effect=0.5, n=30), "power"),
        ("t_paired_n", dict(test="t_paired", effect=0.3, power=0.9), "n_exact"),
        ("t_one_power", dict(test="t_one", effect=0.4, n=25, alpha=0.01), "power"),
        ("t_two_greater_power", dict(test="t_two", effect=0.5, n=30, alternative="greater"), "power"),
        ("t_two_d", dict(test="t_two", n=40, power=0.8), "effect_size"),
        ("anova_n", dict(test="anova", k=4, effect=0.25, power=0.8), "n_exact"),
        ("anova_power", dict(test="anova", k=4, effect=0.25, n=30), "power"),
        ("f2_power", dict(test="regression", u=4, effect=0.15, n=65), "power"),
    ],
)
def test_power_matches_r_pwr(key, kwargs, column):
    # R: pwr.t.test / pwr.anova.test / pwr.f2.test; pwr solves with uniroot (tol ~1e-4), so solved n and d agree
    # to about 1e-6 relative, closed-form power to 1e-7
    r = power(**kwargs)
    np.testing.assert_allclose(r[column][0], REF["power"][key], rtol=2e-6)


def test_power_regression_n_is_v_plus_u_plus_1():
    r = power(test="regression", u=4, effect=0.15, power=0.8)  # R: pwr.f2.test(u = 4, f2 = .15, power = .8)$v
    np.testing.assert_allclose(r.n_exact[0] - 5, REF["power"]["f2_v"], rtol=2e-6)
    assert r.n[0] == 85 and r.solved_for[0] == "n"


def test_power_rounding_and_totals():
    r = power(test="t_two", effect=0.5, power=0.8)
    assert r.n[0] == 64 and r.n_total[0] == 128
    a = power(test="anova", k=4, effect=0.25, power=0.8)
    assert a.n[0] == 45 and a.n_total[0] == 180


def test_bad_arguments():
    with pytest.raises(KinerjaError, match="exactly one"):
        power(test="t_two", effect=0.5, n=20, power=0.8)
    with pytest.raises(KinerjaError, match="k >= 2"):
        power(test="anova", effect=0.25, power=0.8)
    with pytest.raises(KinerjaError, match="population"):
        sample_size(1)
    with pytest.raises(KinerjaError, match="method"):
        sample_size(100, method="cochran")


def test_cli_sample_size_population():
    from kinerja_research.cli import app

    res = CliRunner().invoke(app, ["sample-size", "--population", "1000"])
    assert res.exit_code == 0, res.output
    assert "286" in res.output and "278" in res.output


def test_cli_sample_size_region_uses_processed_staff_count(tmp_path, monkeypatch):
    import kinerja_research.cli.analysis as cli_analysis

    perf = pd.DataFrame(
        {
            "person_id": [f"P{i:016x}" for i in range(1200)] * 2,
            "region_code": ["18.71"] * 2400,
            "period": ["2025-S1"] * 1200 + ["2025-S2"] * 1200,
        }
    )
    monkeypatch.setattr(
        "kinerja_research.pipeline.load_table",
        lambda table, dataset: perf if table == "performance" else pd.DataFrame(),
    )
    code, n, table = cli_analysis.region_staff_count("18.71", "default")
    assert (code, n, table) == ("18.71", 1200, "performance")
    from kinerja_research.cli import app

    res = CliRunner().invoke(app, ["sample-size", "--region", "18.71"])
    assert res.exit_code == 0, res.output
    assert "1,200" in res.output and "300" in res.output  # Slovin: 1200 / (1 + 1200 * .0025) = 300


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: sample_size(100, margin="5%"), "'margin' is '5%'"),
        (lambda: sample_size(100, confidence="95%"), "'confidence' is '95%'"),
        (lambda: power(test="t_two", effect="0.5", n=30), "'effect' is '0.5'"),
        (lambda: power(test="t_two", effect=0.5, n="30"), "'n' is '30'"),
        (lambda: power(test="anova", effect=0.25, power=0.8, k=2.5), "'k' is 2.5; the rule is that it must be a whole"),
        (lambda: power(test="regression", effect=0.15, power=0.8, u=1.5), "'u' is 1.5"),
    ],
)
def test_text_and_fractional_arguments_raise_one_sentence(call, match):
    with pytest.raises(KinerjaError, match=match):
        call()
