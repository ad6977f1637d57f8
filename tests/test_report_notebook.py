"""report.notebook: the context every report notebook uses."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest

from kinerja_research.errors import KinerjaError
from kinerja_research.report import notebook as nbmod
from kinerja_research.report import plots


@pytest.fixture
def processed(tmp_path):
    """A tiny processed dataset folder (three regions, one with only 3 people) with a manifest."""
    d = tmp_path / "proc"
    d.mkdir()
    rng = np.random.default_rng(7)
    n = 63
    survey = pd.DataFrame(
        {
            "person_id": [f"P{i:016x}" for i in range(n)],
            "region_code": np.repeat(["18.71", "17.71", "11.73"], [30, 30, 3]),
            "wave": "pre",
            "trained": rng.random(n) > 0.5,
            "RTC01": rng.integers(1, 7, n).astype(float),
        }
    )
    survey.to_parquet(d / "survey.parquet")
    (d / "manifest.json").write_text(json.dumps({"inputs": [{"file": "survey.csv", "sha256": "ab" * 32}]}))
    return d


class Shown(list):
    """What a notebook displayed, in order; an update replaces the display with the same id (as in Jupyter)."""

    def __init__(self):
        super().__init__()
        self.ids = {}

    def display(self, data, display_id=None):
        if display_id:
            self.ids[display_id] = len(self)
        self.append(data["text/html"])

    def update(self, data, display_id):
        self[self.ids[display_id]] = data["text/html"]


@pytest.fixture
def shown(monkeypatch):
    out = Shown()
    monkeypatch.setattr(nbmod, "_display", out.display)
    monkeypatch.setattr(nbmod, "_update", out.update)
    return out


def _html(obj) -> str:
    return obj


def _text(obj) -> str:
    """Visible text of a displayed fragment (entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", obj))


def test_tables_filtered_to_regions(processed, shown, tmp_path):
    ctx = nbmod.start(
        "10_region_comparison", dataset=str(processed), regions=["17.71"], lang="en", out_dir=str(tmp_path)
    )
    survey = ctx.tables["survey"]
    assert set(survey["region_code"]) == {"17.71"} and len(survey) == 30
    assert ctx.tables["performance"].empty
    everyone = nbmod.start("10_region_comparison", dataset=str(processed), lang="en", out_dir=str(tmp_path))
    assert everyone.tables["survey"].shape[0] == 63
    assert everyone.regions == ["11.73", "17.71", "18.71"]


def test_region_names_resolve_and_absent_region_raises(processed, shown, tmp_path):
    ctx = nbmod.start("region_brief", dataset=str(processed), regions=["Kota Bengkulu"], out_dir=str(tmp_path))
    assert ctx.regions == ["17.71"]
    with pytest.raises(KinerjaError, match="53.71"):
        nbmod.start("region_brief", dataset=str(processed), regions=["53.71"], out_dir=str(tmp_path))


def test_bad_parameters_raise(processed):
    with pytest.raises(KinerjaError, match="lang"):
        nbmod.start("x", dataset=str(processed), lang="fr")
    with pytest.raises(KinerjaError, match="alpha"):
        nbmod.start("x", dataset=str(processed), alpha=1.5)


def test_show_figure_record_finish(processed, shown, tmp_path, monkeypatch):
    ctx = nbmod.start("10_region_comparison", dataset=str(processed), lang="id", out_dir=str(tmp_path / "out"))
    ctx.heading("common.nb.10_region_comparison", level=1)
    summary = (
        ctx.tables["survey"]
        .groupby("region_code")["RTC01"]
        .agg(estimate="mean", sd="std", n="size")
        .reset_index()
        .rename(columns={"region_code": "region"})
    )
    summary["ci_low"] = summary["estimate"] - 0.5
    summary["ci_high"] = summary["estimate"] + 0.5
    ctx.show(summary, caption_key="common.nb.10_region_comparison")
    ax = plots.plot_means_ci(summary, lang="id", xlabel="common.col.mean")
    ctx.figure(ax, "common.nb.10_region_comparison")
    ctx.record(
        "rtc_mean_bdl",
        summary.loc[summary.region == "18.71", "estimate"].iloc[0],
        label_key="common.col.mean",
        region="18.71",
        spec=".2f",
    )
    ctx.record("n_regions", len(summary), label_key="common.col.n")
    with pytest.raises(KinerjaError, match="twice"):
        ctx.record("n_regions", 3)
    assert ctx.finish() is None
    doc = ctx.written

    banner, heading, table, fig, prov = (_html(o) for o in shown)
    assert "kr-banner" in banner and "63 ASN" in banner
    assert heading == '<h1 id="perbandingan-antarwilayah">Perbandingan antarwilayah</h1>'
    assert "Tabel 1." in table and "Kota Lhokseumawe" in table and "&lt;5" in table and "SK 95%" in table
    assert "Gambar 1." in fig and "data:image/png;base64," in fig
    assert "kurang dari 5 orang" in fig  # the 3-person region was left out of the figure, with a note
    assert "Asal-usul" in prov and "ab" * 32 in prov and 'href="#provenance"' in prov
    written = json.loads((tmp_path / "out" / "10_region_comparison.headline.json").read_text())
    assert written == json.loads(json.dumps(doc))
    rec = {r["key"]: r for r in written["records"]}
    assert rec["rtc_mean_bdl"]["region_name"] == "Kota Bandar Lampung"
    assert rec["rtc_mean_bdl"]["text"] == ctx.fmt(rec["rtc_mean_bdl"]["value"], ".2f")
    assert "," in rec["rtc_mean_bdl"]["text"]
    assert rec["n_regions"]["value"] == 3 and rec["n_regions"]["label"] == "n"
    assert written["provenance"]["manifest"] == {"inputs/survey.csv": "ab" * 32}
    assert written["provenance"]["versions"]["pandas"] == pd.__version__
    assert written["title"] == "Perbandingan antarwilayah"


def test_outputs_are_named_after_the_notebook_and_record_every_parameter(processed, shown, tmp_path, monkeypatch):
    monkeypatch.setenv("KINERJA_REPORT_STEM", "region_brief_17.71")  # the old environment channel: ignored
    monkeypatch.setenv("KINERJA_MIN_CELL_N", "50")
    ctx = nbmod.start(
        "region_brief", dataset=str(processed), regions=17.71, min_cell=7, style="skripsi", out_dir=str(tmp_path)
    )
    assert ctx.min_n == 7 and ctx.style == "skripsi" and ctx.regions == ["17.71"]
    ctx.finish()
    doc = json.loads((tmp_path / "region_brief.headline.json").read_text())
    assert doc["parameters"] == {
        "dataset": str(processed),
        "regions": ["17.71"],
        "lang": "id",
        "alpha": 0.05,
        "seed": 2026,
        "min_cell": 7,
        "style": "skripsi",
        "out_dir": str(tmp_path),
    }
    assert doc["provenance"]["parameters"] == doc["parameters"] and doc["min_cell"] == 7
    assert (tmp_path / "region_brief.xlsx").exists()


def test_unknown_caption_key_raises(processed, shown, tmp_path):
    ctx = nbmod.start("x", dataset=str(processed), out_dir=str(tmp_path))
    with pytest.raises(KinerjaError, match="translation key"):
        ctx.show(pd.DataFrame({"n": [10]}), caption_key="nope.caption")


def test_figures_are_deterministic(processed, shown, tmp_path):
    for _ in range(2):
        ctx = nbmod.start("x", dataset=str(processed), out_dir=str(tmp_path))
        d = ctx.tables["survey"]
        ax = plots.plot_distribution(d, x="RTC01", group="region_code", lang="id", xlabel="common.col.value")
        ctx.figure(ax, "common.nb.00_data_audit")
    assert "<figure" in shown[1] and shown[1] == shown[3]


def test_region_palette_is_stable_and_colour_blind_safe():
    codes = ["18.71", "17.71", "11.73", "53.71", "31.71", "32.73", "35.78", "33.74"]
    pal = plots.region_palette(codes)
    assert len(set(pal.values())) == 8 and set(pal.values()) <= set(plots.OKABE_ITO)
    assert plots.region_palette(codes[:4]) == {c: pal[c] for c in codes[:4]}


def test_manifest_hashes_cover_inputs_and_outputs(tmp_path):
    from kinerja_research.report.provenance import manifest_hashes

    h1, h2, h3 = "1" * 64, "2" * 64, "3" * 64
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "dataset": "x",
                "inputs": {"survey.csv": {"sha256": h1, "bytes": 10}},
                "outputs": {"survey.parquet": h2, "quarantine/survey.parquet": h3},
                "versions": {"pandas": "3.1"},
                "run": {"started": "2026-11-23T10:00:00"},
            }
        )
    )
    assert manifest_hashes(str(tmp_path)) == {
        "inputs/survey.csv": h1,
        "outputs/quarantine/survey.parquet": h3,
        "outputs/survey.parquet": h2,
    }
    assert manifest_hashes(str(tmp_path / "none")) is None


def test_per_region_notebook_needs_exactly_one_region(processed, shown, tmp_path):
    ctx = nbmod.start("region_brief", dataset=str(processed), regions=["18.71"], out_dir=str(tmp_path))
    assert ctx.region == "18.71"
    every = nbmod.start("region_brief", dataset=str(processed), out_dir=str(tmp_path))
    with pytest.raises(KinerjaError, match="one region"):
        _ = every.region
    assert every.ci(0.1, 0.2) == "[0,10; 0,20]" and every.level == pytest.approx(95.0)


def test_text_and_record_suppress_small_n(processed, shown, tmp_path):
    """A figure about 3 people: prose, headline JSON and record text show only "<5" (privacy.suppress_small_cells
    rule, n < min_n); the region name stays; n >= 5 and n=None are shown."""
    ctx = nbmod.start("05_public_satisfaction", dataset=str(processed), lang="id", out_dir=str(tmp_path))
    ctx.text("satisfaction.region_text", n=3, region="Kota Lhokseumawe", ikm=81.4812, mutu="B", kinerja="Baik")
    text = _text(shown[-1])
    assert "Kota Lhokseumawe" in text and "<5" in text
    assert "81" not in text and "Baik" not in text and "(mutu B" not in text
    ctx.text("satisfaction.region_text", n=30, region="Kota Bengkulu", ikm=81.4812, mutu="B", kinerja="Baik")
    assert "81,48" in _html(shown[-1]) and "Baik" in _html(shown[-1])
    ctx.record("ikm_11.73", 81.4812, n=3, spec=".2f", region="11.73", label_key="satisfaction.rec.ikm")
    ctx.record("mutu_11.73", "B", n=4, region="11.73")
    ctx.record("ikm_17.71", 80.5, n=5, spec=".2f", region="17.71")
    ctx.record("n_boot", 2000, spec="n")
    ctx.finish()
    doc = json.loads((tmp_path / "05_public_satisfaction.headline.json").read_text())
    rec = {r["key"]: r for r in doc["records"]}
    assert rec["ikm_11.73"]["value"] is None and rec["ikm_11.73"]["text"] == "<5"
    assert rec["mutu_11.73"]["value"] is None and rec["mutu_11.73"]["text"] == "<5"
    assert rec["ikm_17.71"]["value"] == 80.5 and rec["ikm_17.71"]["text"] == "80,50"
    assert rec["n_boot"]["text"] == "2.000"
    assert "81" not in json.dumps(rec["ikm_11.73"]) + json.dumps(rec["mutu_11.73"])


def test_suppression_threshold_comes_from_the_parameter(processed, shown, tmp_path):
    ctx = nbmod.start("05_public_satisfaction", dataset=str(processed), lang="en", min_cell=10, out_dir=str(tmp_path))
    assert ctx.is_small(9) and not ctx.is_small(10) and not ctx.is_small(None) and not ctx.is_small(float("nan"))
    ctx.record("x", 1.5, n=7)
    assert ctx.records[-1]["text"] == "<10" and ctx.records[-1]["value"] is None


def test_regions_with_leaves_out_small_regions_with_a_note(processed, shown, tmp_path):
    ctx = nbmod.start("03_resistance_to_change", dataset=str(processed), lang="en", out_dir=str(tmp_path))
    survey = ctx.tables["survey"]
    kept = ctx.regions_with(survey, min_n=5)
    assert sorted(kept["region_code"].unique()) == ["17.71", "18.71"]
    assert "Kota Lhokseumawe" in _html(shown[-1]) and "5 people" in _html(shown[-1])
    n_shown = len(shown)
    # per cell: a region missing a whole cell (no trained person) counts as 0 there
    by_cell = survey.assign(trained=survey["trained"] | (survey["region_code"] == "17.71"))
    kept = ctx.regions_with(by_cell, min_n=3, by=["trained"])
    assert sorted(kept["region_code"].unique()) == ["18.71"]
    assert "Kota Bengkulu" in _html(shown[-1]) and len(shown) == n_shown + 1
    assert len(ctx.regions_with(survey, min_n=3)) == len(survey) and len(shown) == n_shown + 1  # no note
