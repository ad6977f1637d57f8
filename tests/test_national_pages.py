"""National scale of the thematic pages (issue 13.3): sections read only the columns they use (the same numbers as
from every column), per-region figures show the ends of the ranking, and the models whose memory grows with the
country have a documented national route."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _report_suite import NATIONAL_THREE, synth_cleaned

import kinerja_research as kr
from kinerja_research import pipeline
from kinerja_research.analysis.categorical import logistic
from kinerja_research.analysis.training import mixed_effects
from kinerja_research.errors import KinerjaError
from kinerja_research.report import national, sections
from kinerja_research.report.notebook import Context

REGIONS = NATIONAL_THREE


@pytest.fixture(scope="module")
def data(national_three):
    """The generator's default world at a small scale, three regions, cleaned (shared by the session)."""
    return national_three


def _ctx(data, tmp_path, regions=()):
    return kr.report.start("t", dataset=str(data), regions=list(regions), lang="en", out_dir=str(tmp_path))


def _equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], pd.DataFrame):
            pd.testing.assert_frame_equal(a[k], b[k])


@pytest.mark.parametrize(
    "name", ["training_effect", "training_jp", "training_details", "resistance_drivers", "rewards_model", "audit"]
)
def test_sections_read_only_their_columns_and_give_the_same_numbers(data, tmp_path, name):
    lazy = _ctx(data, tmp_path)
    whole = _ctx(data, tmp_path)
    _ = whole.tables  # every column of every table, as a user's notebook reads them
    a, b = getattr(sections, name)(lazy), getattr(sections, name)(whole)
    _equal(a.results, b.results)
    assert a.records == b.records and a.findings == b.findings
    assert lazy._tables is None  # the section never read every column
    held = {t: df.shape[1] for t, (df, _) in lazy._frames.items()}
    assert all(held[t] <= whole.tables[t].shape[1] for t in held)
    assert any(held[t] < whole.tables[t].shape[1] for t in held)  # at least one table read narrower


def test_table_and_view_are_the_tables_columns(data, tmp_path):
    ctx = _ctx(data, tmp_path, regions=["17.71"])
    ref = pipeline.load_processed(data, regions=["17.71"])
    got = ctx.table("performance", ["person_id", "capaian_pct", "no_such_column"])
    pd.testing.assert_frame_equal(got, ref["performance"][["person_id", "capaian_pct"]])
    view = ctx.view({"survey": ["person_id", "wave"]})
    pd.testing.assert_frame_equal(view["survey"], ref["survey"][["person_id", "wave"]])
    pd.testing.assert_frame_equal(view["training"], ref["training"])  # a table not named: every column
    assert ctx.regions == ["17.71"] and ctx._tables is None
    assert ctx.has(table="training", construct="resistance")
    whole = _ctx(data, tmp_path, regions=["17.71"])
    _ = whole.tables
    assert whole.source == ctx.source and whole.has(table="training", construct="resistance")
    every = Context("t", dataset=str(data), lang="en", out_dir=str(tmp_path))
    _ = every.tables  # the banner and the regions from every column of every table
    assert every.source == _ctx(data, tmp_path).source and every.regions == _ctx(data, tmp_path).regions == sorted(
        REGIONS
    )
    with pytest.raises(KinerjaError, match="no rows"):
        _ = _ctx(data, tmp_path, regions=["31.71"]).regions


# ------------------------------------------------------------------------------------------- many regions
def _many(m: int) -> pd.DataFrame:
    codes = [f"{11 + i // 20}.{i % 20 + 1:02d}" for i in range(m)]
    return pd.DataFrame({"region": codes, "estimate": np.linspace(0, 1, m)})


def test_figures_show_the_ends_of_the_ranking_beyond_figure_max():
    few = _many(national.FIGURE_MAX)
    rows, notes = national.figure_ends(few, value="estimate", lang="id")
    assert rows is few and notes == []
    many = _many(514).assign(estimate=lambda d: d["estimate"].where(d.index != 3))  # one missing value
    rows, notes = national.figure_ends(many, value="estimate", lang="en")
    k = national.FIGURE_ENDS
    ranked = many.dropna().sort_values("estimate", ascending=False)["region"].tolist()
    assert rows["region"].tolist() == ranked[:k] + ranked[-k:]
    assert notes == [f"Shown: the {k} regions with the highest and the {k} with the lowest value of 514 regions; "
                     "the table lists every region."]  # fmt: skip


def test_region_effects_are_provinces_above_interacted_max():
    m = national.INTERACTED_MAX + 1
    frame = pd.DataFrame({"region_code": _many(m)["region"], "y": 1.0})
    out, covar, notes = national.region_effects(frame, lang="en")
    assert covar == ["province"] and out["province"].nunique() == 2 and len(notes) == 1
    assert "2 province fixed effects" in notes[0]
    small = frame.iloc[:6]
    assert national.region_effects(small, lang="en")[1:] == (["region_code"], [])
    assert national.region_effects(small.iloc[:1], lang="en")[1:] == ([], [])


def test_lmm_by_province_is_each_provinces_model_pooled_by_inverse_variance():
    rng = np.random.default_rng(7)
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(240)],
            "region_code": np.repeat(["11.01", "11.02", "12.01", "12.02"], 60),
            "agency": np.tile(np.repeat(list("ABC"), 20), 4),
            "trained": np.tile([True, False], 120),
        }
    )
    panel = pd.concat([people.assign(wave="pre"), people.assign(wave="post")], ignore_index=True)
    panel["capaian_pct"] = 80 + 2.0 * (panel["trained"] & (panel["wave"] == "post")) + rng.normal(size=len(panel))

    def fit(rows):
        return mixed_effects(rows, dv="capaian_pct", alpha=0.05)

    res = national.lmm_by_province(panel, fit=fit, alpha=0.05)
    per = res[res["group"].notna()]
    assert per["group"].tolist() == ["11", "12"]
    for code, row in zip(["11", "12"], per.itertuples()):
        own = fit(panel[panel["region_code"].str.startswith(code + ".")])
        own = own[own["term"] == "trained:post"].iloc[0]
        assert row.estimate == own["estimate"] and row.se == own["se"]
    w = 1 / per["se"] ** 2
    pooled = res[res["group"].isna()].iloc[0]
    assert pooled["estimate"] == pytest.approx(float((w * per["estimate"]).sum() / w.sum()), abs=1e-12)
    assert pooled["se"] == pytest.approx(float(w.sum() ** -0.5), abs=1e-12)
    assert pooled["n"] == 240 and pooled["ci_low"] < 2.0 < pooled["ci_high"]
    one = national.lmm_by_province(panel[panel["region_code"].str.startswith("11.")], fit=fit)
    assert one["estimate"].iloc[1] == pytest.approx(one["estimate"].iloc[0], abs=1e-12)


@pytest.fixture(scope="module")
def many_regions(tmp_path_factory):
    """The generator's world in 32 regions of two provinces (above INTERACTED_MAX), small, cleaned."""
    from kinerja_research.regions import regions_table

    table = regions_table()
    kab = table[table["level"] != "province"] if "level" in table.columns else table
    codes = [c for c in kab["code"].astype(str) if c.count(".") == 1]
    by_province = {}
    for c in codes:
        by_province.setdefault(c.split(".")[0], []).append(c)
    big = [p for p, cs in by_province.items() if len(cs) >= 16][:2]
    chosen = [c for p in big for c in by_province[p][:16]]
    assert len(chosen) == 32 > national.INTERACTED_MAX
    return synth_cleaned(tmp_path_factory.mktemp("many_regions"), regions=chosen, scale=0.08, name="many")


@pytest.mark.slow
def test_national_routes_are_said_on_the_page(many_regions, tmp_path):
    """The sections on 32 regions take the national routes and say so (small versions: the unit tests above)."""
    ctx = _ctx(many_regions, tmp_path)
    details = sections.training_details(ctx)
    lmm = details.results["lmm"]
    assert lmm["group"].iloc[:-1].tolist() == sorted(lmm["group"].dropna().unique()) and pd.isna(lmm["group"].iloc[-1])
    assert "inverse-variance" in lmm["method"].iloc[-1]
    [(key, values)] = details.national["lmm"]
    assert key == "training.lmm_national" and values["m"] > national.INTERACTED_MAX
    drivers = sections.resistance_drivers(ctx)
    terms = drivers.results["drivers"]["term"].astype(str)
    assert terms.str.startswith("province").any() and not terms.str.startswith("region_code").any()
    assert drivers.national["drivers"] == [("common.national_province", {"m": 32, "p": 2})]
    effect = sections.training_effect(ctx)
    _, opts = effect.figures["forest"]
    assert opts["notes"] and "10 regions with the highest" in opts["notes"][0]


def test_logistic_profile_limits_of_the_terms_asked_only():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"x": rng.normal(size=300), "g": np.repeat(["a", "b", "c"], 100)})
    d["adopt"] = (d["x"] + rng.normal(size=300) > 0).astype(float)
    full = logistic(d, dv="adopt", covar=["x", "g"])
    part = logistic(d, dv="adopt", covar=["x", "g"], profile=["x"])
    cols = ["or_ci_low_profile", "or_ci_high_profile"]
    assert part.loc[part["term"] == "x", cols].equals(full.loc[full["term"] == "x", cols])
    assert part.loc[part["term"] != "x", cols].isna().all().all()
    pd.testing.assert_frame_equal(part.drop(columns=cols), full.drop(columns=cols))


def test_instrument_invariance_is_not_tested_across_more_than_interacted_max_regions(data, tmp_path, monkeypatch):
    monkeypatch.setattr(national, "INTERACTED_MAX", 1)  # the 3 regions stand for a national run's 514
    quality = sections.instrument_quality(_ctx(data, tmp_path))
    assert "invariance" not in quality.results
    note = quality.texts["invariance_skipped"]  # m: the regions with enough respondents of the 3
    assert note == {"key": "instrument.invariance_national", "m": len(REGIONS) - len(quality.left_out["regions"][1])}
    assert note["m"] >= 2
