"""manifest.json says what the data are (synthetic or not, their source) and which items measure each construct."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
import _rawdata  # noqa: E402

from kinerja_research.errors import KinerjaError  # noqa: E402
from kinerja_research.ingest.dataset import load_dataset  # noqa: E402
from kinerja_research.pipeline import build_processed, load_manifest  # noqa: E402


@pytest.fixture(autouse=True)
def _key(monkeypatch, tmp_path):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "manifest-test-key")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "never-used.key"))


def _raw(tmp_path: Path, **changes) -> Path:
    folder = tmp_path / "raw"
    _rawdata.write_raw(folder)
    doc = yaml.safe_load((folder / "dataset.yml").read_text(encoding="utf-8"))
    for k, v in changes.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    (folder / "dataset.yml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def test_real_data_carry_their_own_description_and_the_construct_items(tmp_path):
    raw = _raw(tmp_path)
    m = build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out")
    assert m["synthetic"] is False
    assert m["source"] == {"synthetic": False, "description": "hand-made test dataset"}
    assert load_manifest(tmp_path / "out")["constructs"] == m["constructs"]
    # the default constructs of the shipped codebooks: every RTC item measures resistance, U1-U9 satisfaction
    assert m["constructs"]["resistance"] == [f"RTC{i:02d}" for i in range(1, 18)]
    assert m["constructs"]["satisfaction"] == [f"U{i}" for i in range(1, 10)]
    assert m["constructs"] == load_dataset(raw).construct_items()


def test_a_construct_mapped_to_a_dimension_lists_only_its_items(tmp_path):
    cb = load_dataset(_raw(tmp_path / "a")).codebooks["rtc"]
    dim = next(iter(cb.dimensions))
    raw = _raw(tmp_path / "b", constructs={"resistance": f"rtc.{dim}"})
    m = build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out")
    assert m["constructs"]["resistance"] == cb.dimension_items()[dim]
    assert 0 < len(m["constructs"]["resistance"]) < 17


def test_synthetic_data_say_so_with_generator_and_seed(tmp_path):
    gen = {"name": "kinerja_research.synth", "seed": 7, "scale": 0.5, "regions": "18.71"}
    raw = _raw(tmp_path, synthetic=True, generator=gen)
    m = build_processed("mini", raw_dir=raw, out_dir=tmp_path / "out")
    assert m["synthetic"] is True
    assert m["source"] == {
        "synthetic": True,
        "description": "hand-made test dataset",
        "generator": "kinerja_research.synth",
        "seed": 7,
        "scale": 0.5,
        "regions": "18.71",
    }


def test_an_older_synthetic_dataset_is_recognised_by_the_generator_mark(tmp_path):
    text = "Synthetic default dataset (seed 3); generator: kinerja_research.synth"
    cfg = load_dataset(_raw(tmp_path, description=text))
    assert cfg.synthetic is True and cfg.generator == {}


@pytest.mark.parametrize(
    "changes, rule",
    [
        ({"synthetic": "yes"}, "synthetic is true or false"),
        ({"generator": ["kinerja_research.synth"]}, "generator maps at most 20 names"),
        ({"generator": {"name": {"nested": 1}}}, "generator maps at most 20 names"),
    ],
)
def test_bad_source_keys_are_one_sentence(tmp_path, changes, rule):
    with pytest.raises(KinerjaError, match=rule):
        load_dataset(_raw(tmp_path, **changes))
