"""Analysis frames on hand-written processed tables in the form of CONTRACTS C2: periods that keep their kind
(period, period_kind, period_start, period_end), submitted_at coarsened to the month, employment PNS/PPPK."""

from __future__ import annotations

import pandas as pd
import pytest

import kinerja_research as kr
from kinerja_research.analysis import frames as F
from kinerja_research.analysis import satisfaction as sf
from kinerja_research.errors import KinerjaError


def _perf(rows):
    d = pd.DataFrame(rows, columns=["person_id", "region_code", "period", "period_kind", "start", "end", "capaian_pct"])
    return d.assign(
        agency="Dinas A",
        employment="PNS",
        golongan="III/a",
        period_start=pd.to_datetime(d.pop("start")),
        period_end=pd.to_datetime(d.pop("end")),
    )


QUARTERS = [
    ("2025-Q3", "2025-07-01", "2025-09-30"),
    ("2025-Q4", "2025-10-01", "2025-12-31"),
    ("2026-Q3", "2026-07-01", "2026-09-30"),
    ("2026-Q4", "2026-10-01", "2026-12-31"),
]


@pytest.fixture
def tables():
    # region 18.71 sends quarters and a yearly total (which must not be double counted); 17.71 sends semesters
    perf = [("a", "18.71", q, "quarter", s, e, 80.0 + i) for i, (q, s, e) in enumerate(QUARTERS)]
    perf += [("a", "18.71", "2025", "year", "2025-01-01", "2025-12-31", 81.0)]
    perf += [
        ("b", "17.71", "2025-S2", "semester", "2025-07-01", "2025-12-31", 70.0),
        ("b", "17.71", "2026-S2", "semester", "2026-07-01", "2026-12-31", 75.0),
    ]
    survey = pd.DataFrame(
        {
            "person_id": ["a", "a", "b", "b"],
            "region_code": ["18.71", "18.71", "17.71", "17.71"],
            "wave": ["pre", "post", "pre", "post"],
            "submitted_at": pd.to_datetime(["2025-11-01", "2026-11-01", "2025-11-01", "2026-11-01"]),  # months
            "employment": ["PNS", "PNS", "PPPK", "PPPK"],
            **{f"RWD{i:02d}": [3.0, 4.0, 2.0, 3.0] for i in range(1, 7)},
        }
    )
    train = pd.DataFrame(
        {
            "person_id": ["a", "b"],
            "start": pd.to_datetime(["2026-02-02", "2025-03-01"]),
            "jp": [40.0, 8.0],
            "programme": [True, False],
        }
    )
    return {"survey": survey, "performance": _perf(perf), "training": train}


def test_quarterly_export_links_each_wave_to_a_quarter(tables):
    # only region 18.71's person has quarters; the finest kind in the table is the quarter
    f = F.survey_frame(tables, ["reward"])
    a = f[f.person_id == "a"].set_index("wave")
    assert a.loc["pre", "period"] == "2025-Q4" and a.loc["post", "period"] == "2026-Q4"
    assert a.loc["pre", "capaian_pct"] == 81.0  # the 2025-Q4 record, not the yearly total
    assert "employment" in f.columns


def test_panel_keeps_the_finest_kind_per_region(tables):
    panel = F.performance_panel(tables)
    kinds = panel.groupby("region_code").period_kind.unique().map(list).to_dict()
    assert kinds == {"17.71": ["semester"], "18.71": ["quarter"]}  # no yearly row counted next to its quarters
    assert panel[panel.person_id == "a"].wave.tolist() == ["pre", "pre", "post", "post"]


def test_staff_years_and_pns_by_employment(tables):
    staff = F.staff_years(tables["performance"].assign(employment=lambda d: d.person_id.map({"a": "PNS", "b": "PPPK"})))
    assert set(staff.columns) >= {"employment", "year"}
    dose = kr.training_dose(tables["training"], staff=staff, between="region_code")
    assert dose.region.tolist() == ["18.71"]  # the PPPK person's region has no PNS: no row
    assert dose.n_obs.iloc[0] == 2 and dose.n.iloc[0] == 1  # person-years, people


def test_unknown_period_kind_is_one_sentence(tables):
    bad = tables | {"performance": tables["performance"].assign(period_kind="decade")}
    with pytest.raises(KinerjaError, match="period_kind"):
        F.performance_panel(bad)


def test_ikm_reads_monthly_periods():
    d = pd.DataFrame(
        {f"U{i}": [4, 3, 2, 3] for i in range(1, 10)} | {"period": ["2026-01", "2026-02", "2026-07", "2026-Q3"]}
    )
    q = sf.ikm(d, between=None, period="quarter", n_boot=0).set_index("period")
    assert list(q.index) == ["2026-Q1", "2026-Q3"] and q.loc["2026-Q1", "n"] == 2
    s = sf.ikm(d, between=None, period="semester", n_boot=0)
    assert s.period.tolist() == ["2026-S1", "2026-S2"]


def test_dataset_constructs_follow_the_manifest(tmp_path):
    """Issue 10.2: a shipped instrument put on another label set (likert: {RTC: agree5}) is scored and drawn on
    1-5; the clean step's two manifest forms (codebooks' ``measures``, constructs as item ids) give the same items."""
    import json

    import numpy as np

    from kinerja_research.analysis.frames import construct_scores, dataset_constructs
    from kinerja_research.measure import score_scale

    entry = {"file": None, "label_set": "agree5", "measures": {"resistance": None}}
    (tmp_path / "manifest.json").write_text(json.dumps({"dataset": "x", "codebooks": {"rtc": entry}}))
    c = dataset_constructs(tmp_path)
    assert set(c) == {"resistance"} and c["resistance"].limits == (1.0, 5.0) and c["resistance"].midpoint == 3.0
    survey = pd.DataFrame({f"RTC{i:02d}": [1.0, 5.0, 2.0] for i in range(1, 18)})
    scores = construct_scores(survey, c)
    # RTC04 and RTC14 reversed on 1-5 (6 - x), not on the shipped 1-6 (7 - x)
    keyed = survey.assign(RTC04=6 - survey["RTC04"], RTC14=6 - survey["RTC14"])
    by_hand = keyed.mean(axis=1)
    assert np.allclose(scores["resistance"], by_hand)
    assert np.allclose(scores["resistance"], score_scale(survey, c["resistance"].codebook)["total"])
    items = {"resistance": ["RTC14", "RTC15", "RTC16", "RTC17"]}
    (tmp_path / "manifest.json").write_text(json.dumps({"dataset": "x", "constructs": items}))
    rigid = dataset_constructs(tmp_path)["resistance"]
    assert (rigid.dimension, rigid.items, rigid.reverse, rigid.limits) == (
        "cognitive_rigidity",
        items["resistance"],
        ["RTC14"],
        (1.0, 6.0),
    )
    assert list(construct_scores(survey, {"resistance": rigid}).columns) == ["resistance"]


OWN_CODEBOOK = """\
# a unit's own 4-item attitude scale, written by hand as a BKPSDM would
name: sikap_kerja
title_id: Sikap terhadap Kerja
title_en: Work attitude
source: Kuesioner BKPSDM (contoh uji)
scale:
  label_set: agree5
  min: 1
  max: 5
  labels_id: [Sangat Tidak Setuju, Tidak Setuju, Ragu-ragu, Setuju, Sangat Setuju]
  labels_en: [Strongly disagree, Disagree, Unsure, Agree, Strongly agree]
scoring:
  method: mean
dimensions:
  semangat: {name_id: Semangat, name_en: Drive}
  beban: {name_id: Beban, name_en: Load}
items:
  - {id: SK1, dimension: semangat, reverse: false, text_id: Saya bersemangat bekerja., text_en: I am keen to work.}
  - {id: SK2, dimension: semangat, reverse: false, text_id: Saya bangga pada unit saya., text_en: I am proud of my unit.}
  - {id: SK3, dimension: beban, reverse: true, text_id: Pekerjaan saya terlalu berat., text_en: My work is too heavy.}
  - {id: SK4, dimension: beban, reverse: false, text_id: Beban kerja saya wajar., text_en: My workload is fair.}
"""


def test_scale_scores_takes_an_own_codebook(tmp_path):
    """A dataset's own instrument is scored by scale_scores when given as its Codebook (by name it is not shipped,
    and the error says where the codebook is); reverse keying on 1-5 (6 - x), dimension means, one missing answer."""
    import numpy as np

    path = tmp_path / "sikap_kerja.yml"
    path.write_text(OWN_CODEBOOK)
    cb = kr.load_codebook(path)
    survey = pd.DataFrame(
        {
            "person_id": ["p1", "p2", "p3"],
            "region_code": ["17.71"] * 3,
            "SK1": [5.0, 2.0, 4.0],
            "SK2": [4.0, 2.0, np.nan],
            "SK3": [1.0, 5.0, 2.0],
            "SK4": [5.0, 1.0, 4.0],
        }
    )
    out = kr.scale_scores(survey, [cb])
    keyed = survey[["SK1", "SK2", "SK3", "SK4"]].assign(SK3=6 - survey["SK3"])
    # p3 answered 3 of 4 items (0.75 < min_valid 0.8): no total; both dimensions of p1 and p2 by hand
    assert np.allclose(out["sikap_kerja"], [4.75, 1.5, np.nan], equal_nan=True)
    assert np.allclose(out["sikap_kerja"].iloc[:2], keyed.mean(axis=1).iloc[:2])
    assert out.columns.tolist() == [
        "person_id",
        "region_code",
        "sikap_kerja",
        "sikap_kerja_semangat",
        "sikap_kerja_beban",
    ]
    assert np.allclose(out["sikap_kerja_beban"], keyed[["SK3", "SK4"]].mean(axis=1))
    with pytest.raises(KinerjaError, match=r"not a shipped codebook.*dataset_codebooks\(dataset\)\['sikap_kerja'\]"):
        kr.scale_scores(survey, ["sikap_kerja"])
    with pytest.raises(KinerjaError, match="has 2 of the 4 items of instrument 'sikap_kerja' but not SK3, SK4"):
        kr.scale_scores(survey.drop(columns=["SK3", "SK4"]), [cb])
