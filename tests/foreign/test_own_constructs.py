"""A unit's own instrument mapped to the constructs the analyses need (issue 10.2): the hand-written survey of
``own_constructs/`` (its own question ids Q1-Q8, a 5-point "Sangat tidak setuju ... Sangat setuju" scale with
"Netral", Q3 negatively worded) goes ``init-dataset`` -> the codebook edit a person makes (two dimensions, Q3
reversed) and one ``constructs:`` line -> ``validate`` -> ``clean`` -> the resistance and rewards sections, whose
numbers are checked against scores computed by hand from the raw CSV and against ``kr.score_scale`` /
``kr.regression`` on the same items.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import kinerja_research as kr
from kinerja_research.analysis.frames import dataset_constructs
from kinerja_research.cli import main
from kinerja_research.pipeline import load_manifest, load_processed
from kinerja_research.report import national, sections

FOREIGN = Path(__file__).resolve().parent
SRC = FOREIGN / "own_constructs"
#: The scale the form used, as the test reads it (independent of the package's label sets).
POINTS = {"sangat tidak setuju": 1, "sts": 1, "tidak setuju": 2, "ts": 2, "netral": 3, "n": 3, "setuju": 4, "s": 4}
POINTS |= {"sangat setuju": 5, "ss": 5}
REGION = {"Kota Bengkulu": "17.71", "Kota Lhokseumawe": "11.73"}


def _cli(args: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(args)
        except SystemExit as e:
            assert e.code in (0, None), out.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    """init-dataset, the person's edits, validate, clean; the raw folder is then moved away, so every section reads
    only the processed folder."""
    root = tmp_path_factory.mktemp("own")
    raw = root / "sikap"
    shutil.copytree(SRC, raw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KINERJA_PSEUDONYM_KEY", "own-constructs-key")
        mp.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(root / "never-used.key"))
        _cli(["init-dataset", str(raw)])
        path = raw / "codebook_survey.yml"
        cb = yaml.safe_load(path.read_text(encoding="utf-8"))
        cb["name"] = "sikap_kerja"
        cb["dimensions"] = {
            "resistensi": {"name_id": "Resistensi terhadap perubahan", "name_en": "Resistance to change"},
            "penghargaan": {"name_id": "Persepsi penghargaan", "name_en": "Perceived reward"},
        }
        for item in cb["items"]:
            item["dimension"] = "resistensi" if item["id"] in {"Q01", "Q02", "Q03", "Q04"} else "penghargaan"
            item["reverse"] = item["id"] == "Q03"
        path.write_text(yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8")
        with (raw / "dataset.yml").open("a", encoding="utf-8") as f:
            f.write("constructs: {resistance: sikap_kerja.resistensi, reward: sikap_kerja.penghargaan}\n")
        _cli(["validate", str(raw)])
        out = root / "processed"
        _cli(["clean", str(raw), "--out", str(out), "--quiet"])
        first = load_manifest(out)["outputs"]
        _cli(["clean", str(raw), "--out", str(out), "--quiet"])  # the copied codebook is the run's own: replaced
        assert load_manifest(out)["outputs"] == first
    codebook = path.read_bytes()
    shutil.move(raw, root / "raw_moved_away")
    return out, codebook


def _raw(name: str) -> list[dict]:
    with (SRC / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _by_hand() -> pd.DataFrame:
    """Per respondent from the raw CSVs: region, resistance (Q3 reversed on 1-5), reward and capaian."""
    cap = {r["NIP"]: float(r["Capaian (%)"]) for r in _raw("skp_semester.csv")}
    rows = []
    for r in _raw("survei_sikap_kerja.csv"):
        q = {i: POINTS[r[f"Q{i}"].strip().lower()] for i in range(1, 9)}
        rows.append(
            {
                "region_code": REGION[r["Kabupaten/Kota"]],
                "resistance": (q[1] + q[2] + (6 - q[3]) + q[4]) / 4,
                "reward": (q[5] + q[6] + q[7] + q[8]) / 4,
                "capaian_pct": cap[r["NIP"]],
            }
        )
    return pd.DataFrame(rows)


class Ctx:
    lang, alpha, seed, min_n, level, style = "en", 0.05, 2026, 5, 95.0, "standard"

    def __init__(self, dataset: Path):
        self.dataset = str(dataset)
        self.tables = load_processed(dataset)
        self.region = "17.71"

    def region_name(self, code: str) -> str:
        return code

    def left_out(self, key, **fmt):
        pass


def test_the_processed_folder_carries_the_own_codebook(cleaned):
    out, codebook = cleaned
    manifest = load_manifest(out)
    assert manifest["codebooks"]["sikap_kerja"] == {
        "file": "codebooks/sikap_kerja.yml",
        "label_set": "agree5",
        "measures": {"resistance": "resistensi", "reward": "penghargaan"},
    }
    assert set(manifest["codebooks"]) == {"sikap_kerja"}  # the dataset's instruments only
    assert (out / "codebooks" / "sikap_kerja.yml").read_bytes() == codebook
    assert "codebooks/sikap_kerja.yml" in manifest["outputs"]
    c = dataset_constructs(out)  # the raw folder is gone: everything comes from the processed one
    res, rew = c["resistance"], c["reward"]
    assert (res.instrument, res.dimension, res.items, res.reverse) == (
        "sikap_kerja",
        "resistensi",
        ["Q01", "Q02", "Q03", "Q04"],
        ["Q03"],
    )
    assert rew.items == ["Q05", "Q06", "Q07", "Q08"] and rew.reverse == []
    assert res.limits == (1.0, 5.0) and res.midpoint == 3.0
    assert "usability" not in c or c["usability"].instrument == "sus"


def test_resistance_section_on_the_own_items(cleaned):
    out, _ = cleaned
    ctx = Ctx(out)
    sec = sections.resistance_levels(ctx, invariance_test=False)
    assert not sec.missing
    means = sec.results["means"]
    total = means[means["term"] == "resistance"].set_index("region")
    hand = _by_hand().groupby("region_code")["resistance"].agg(["mean", "size"])
    assert sorted(total.index) == sorted(hand.index)
    for code in hand.index:
        assert np.isclose(total.loc[code, "estimate"], hand.loc[code, "mean"], atol=1e-12)
        assert int(total.loc[code, "n"]) == int(hand.loc[code, "size"])
    # the same through kr.score_scale on the own codebook (reverse keying from it)
    survey = ctx.tables["survey"]
    cb = kr.load_codebook(out / "codebooks" / "sikap_kerja.yml")
    scored = kr.score_scale(survey[cb.item_ids], cb).assign(region=survey["region_code"].astype(str))
    assert np.allclose(scored.groupby("region")["resistensi"].mean().loc[total.index], total["estimate"])
    # the figure and the records use the declared 1-5 scale and its midpoint 3, not the shipped 1-6
    caption = sec.figures["means"][1]["caption"]
    assert (caption["low"], caption["high"]) == (1.0, 5.0)
    assert {r["label"]["high"] for r in sec.records if r["key"] == "rtc_mean"} == {5.0}
    assert "welch" in sec.results and sec.findings and "1–5 scale" in " ".join(sec.findings)


def test_rewards_section_on_the_own_items(cleaned):
    out, _ = cleaned
    sec = sections.rewards_model(Ctx(out))
    assert not sec.missing and sec.too_few is None
    reg = sec.results["regression"].set_index("term")
    hand = kr.regression(_by_hand(), dv="capaian_pct", covar=["reward"], alpha=0.05)
    hand = pd.DataFrame(hand).set_index("term")
    for col in ("estimate", "se", "p", "ci_low", "ci_high"):
        assert np.isclose(reg.loc["reward", col], hand.loc["reward", col], rtol=1e-10), col
    assert int(reg.loc["reward", "n"]) == len(_by_hand())
    by_region = sections.rewards_by_region(Ctx(out)).results["by_region"]
    assert set(by_region.loc[by_region["term"] == "reward", "region"]) == set(REGION.values())


def test_brief_intro_names_only_the_tables_the_dataset_has(cleaned):
    out, _ = cleaned
    brief = sections.region_brief(Ctx(out), load_processed(out))
    intro = brief.text("intro")
    assert intro["key"] == "brief.intro_staff_survey"  # no SKM table: no "0 respondents of the SKM"
    assert intro["n_staff"] == intro["n_survey"] == 32


def test_brief_numbers_use_the_own_items_as_the_pages_do(cleaned):
    """The national pass behind every region's brief scores the constructs the dataset maps, not the shipped items:
    resistance means and the reward slopes per region equal the hand-computed scores and the rewards section."""
    out, _ = cleaned
    ctx = Ctx(out)
    parts = {p: part for p, part in zip(national.THEMES, national.brief_parts(ctx, ctx.tables).parts)}
    means = parts["resistance"].results["means"]
    assert set(means["term"]) == {"resistance"}
    total = means.set_index("region")
    hand = _by_hand().groupby("region_code")["resistance"].mean()
    for code in hand.index:
        assert np.isclose(total.loc[code, "estimate"], hand.loc[code], atol=1e-12)
    assert {r["label"]["high"] for r in parts["resistance"].records} == {5.0}  # the own 5-point scale
    brief = parts["rewards"].results["by_region"]
    page = sections.rewards_by_region(ctx).results["by_region"]
    key = ["region", "term"]
    merged = brief.merge(page, on=key, suffixes=("_brief", "_page"))
    assert set(merged.loc[merged["term"] == "reward", "region"]) == set(REGION.values())
    assert np.allclose(merged["estimate_brief"], merged["estimate_page"], rtol=1e-9)
