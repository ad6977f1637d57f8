"""Codebooks: the shipped instruments are complete and the loader rejects broken files with one clear sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kinerja_research.errors import CodebookError, KinerjaError
from kinerja_research.instruments import Codebook, list_codebooks, load_codebook
from kinerja_research.paths import INSTRUMENTS

SHIPPED = ["motivation", "reward", "rtc", "sanction", "sus", "skm", "training"]


def test_every_shipped_codebook_loads():
    assert sorted(list_codebooks()) == sorted(SHIPPED)
    for name in SHIPPED:
        cb = load_codebook(name)
        assert isinstance(cb, Codebook)
        assert cb.name == name
        assert cb.source.strip()
        n_points = cb.scale["max"] - cb.scale["min"] + 1
        assert len(cb.scale["labels_id"]) == len(cb.scale["labels_en"]) == n_points
        assert cb.items["id"].is_unique
        assert set(cb.items["dimension"]) == set(cb.dimensions)
        assert cb.items["text_id"].str.len().min() > 10 and cb.items["text_en"].str.len().min() > 10


def test_rtc_is_oreg_2003():
    cb = load_codebook("rtc")
    assert cb.item_ids == [f"RTC{i:02d}" for i in range(1, 18)]
    assert (cb.scale["min"], cb.scale["max"]) == (1, 6)
    # Oreg (2003, Table 1): items 4 and 14 are reverse keyed; item 1 is negatively worded about change and is not.
    assert cb.reverse_items == ["RTC04", "RTC14"]
    assert cb.dimension_items() == {
        "routine_seeking": ["RTC01", "RTC02", "RTC03", "RTC04", "RTC05"],
        "emotional_reaction": ["RTC06", "RTC07", "RTC08", "RTC09"],
        "short_term_focus": ["RTC10", "RTC11", "RTC12", "RTC13"],
        "cognitive_rigidity": ["RTC14", "RTC15", "RTC16", "RTC17"],
    }
    assert cb.model_syntax().splitlines()[3] == "cognitive_rigidity =~ RTC14 + RTC15 + RTC16 + RTC17"


def test_sus_and_skm_rules():
    sus = load_codebook("sus")
    assert sus.item_ids == [f"SUS{i:02d}" for i in range(1, 11)]
    assert sus.reverse_items == [f"SUS{i:02d}" for i in range(2, 11, 2)]
    assert sus.scoring["method"] == "sus"
    skm = load_codebook("skm")
    assert skm.item_ids == [f"U{i}" for i in range(1, 10)]
    assert (skm.scale["min"], skm.scale["max"]) == (1, 4)
    assert skm.items["element_id"].tolist() == [
        "Persyaratan",
        "Sistem, Mekanisme, dan Prosedur",
        "Waktu Penyelesaian",
        "Biaya/Tarif",
        "Produk Spesifikasi Jenis Pelayanan",
        "Kompetensi Pelaksana",
        "Perilaku Pelaksana",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Sarana dan Prasarana",
    ]
    em = skm.element_map()
    assert em["biaya/tarif"] == "U4" and em["sarana dan prasarana"] == "U9" and em["persyaratan"] == "U1"


def test_label_map_covers_labels_and_abbreviations():
    lm = load_codebook("rtc").label_map()
    assert lm["sangat tidak setuju"] == 1 and lm["sts"] == 1 and lm["agak setuju"] == 4
    assert lm["strongly agree"] == 6 and lm["ss"] == 6
    lm5 = load_codebook("training").label_map()
    assert lm5["netral"] == 3 and lm5["agree"] == 4


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load((INSTRUMENTS / "training.yml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "mine.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_user_codebook_by_path(tmp_path):
    def rename(raw):
        raw["name"] = "mine"

    cb = load_codebook(_write(tmp_path, rename))
    assert cb.name == "mine" and len(cb.items) == 8


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (
            lambda r: r["items"][2].update(dimension="nonsense"),
            r"item 3 \('TRN03'\), field 'dimension', value 'nonsense'",
        ),
        (lambda r: r["items"][1].update(id="TRN01"), r"value 'TRN01'.*unique"),
        (lambda r: r["scale"].update(min=5, max=1), r"scale min 5 and max 1"),
        (lambda r: r["scale"].update(labels_id=["a", "b"]), r"labels_id.*one label per scale point"),
        (lambda r: r["items"][0].update(reverse="ya"), r"field 'reverse', value 'ya'"),
        (lambda r: r["items"][0].update(extra="x"), r"field 'extra'"),
        (lambda r: r.pop("source"), r"field 'source' missing"),
        (lambda r: r.update(scoring={"method": "median"}), r"scoring method 'median'"),
        (
            lambda r: r["dimensions"].update(empty={"name_id": "a", "name_en": "b"}),
            r"dimension 'empty'.*at least one item",
        ),
    ],
)
def test_loader_rejects_broken_codebooks(tmp_path, mutate, pattern):
    path = _write(tmp_path, mutate)
    with pytest.raises(CodebookError, match=pattern) as info:
        load_codebook(path)
    msg = str(info.value)
    assert "mine.yml" in msg and "the rule is" in msg and msg.count(". ") == 0  # one sentence, names the file
    assert isinstance(info.value, KinerjaError)


def test_unknown_name_and_bad_yaml(tmp_path):
    with pytest.raises(CodebookError, match="not shipped.*rtc"):
        load_codebook("rtx")
    bad = tmp_path / "bad.yml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=re.escape("bad.yml")):
        load_codebook(bad)
