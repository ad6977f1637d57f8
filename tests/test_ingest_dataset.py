"""dataset.yml: own instruments, label sets honoured through item_scales(), constructs, free text, SKM unsur matched by
their wording, and the mapping rules of map_headers (each refusal one sentence naming file, key, value and rule)."""

from __future__ import annotations

import pytest
import yaml

from kinerja_research.errors import CodebookError, InputFileError, KinerjaError
from kinerja_research.ingest.dataset import (
    CONSTRUCTS,
    TABLE_COLUMNS,
    ItemScale,
    load_dataset,
    map_headers,
)
from kinerja_research.instruments import load_codebook
from kinerja_research.instruments.codebook import get_label_set, list_label_sets, normalise_label

OWN = {
    "name": "kepuasan_kerja",
    "source": "Own questionnaire of BKPSDM Kota Contoh (2025)",
    "scale": {"label_set": "agree5"},
    "dimensions": {
        "pekerjaan": {"name_id": "Kepuasan terhadap pekerjaan", "name_en": "Satisfaction with the work"},
        "atasan": {"name_id": "Kepuasan terhadap atasan", "name_en": "Satisfaction with the superior"},
    },
    "items": [
        {"id": "KK01", "dimension": "pekerjaan", "text_id": "Saya puas dengan pekerjaan saya"},
        {"id": "KK02", "dimension": "pekerjaan", "text_id": "Saya ingin pindah kerja", "reverse": True},
        {"id": "KK03", "dimension": "atasan", "text_id": "Atasan saya adil"},
    ],
}


def _write(folder, doc, own=None, own_name="kepuasan.yml"):
    folder.mkdir(parents=True, exist_ok=True)
    if own is not None:
        (folder / own_name).write_text(yaml.safe_dump(own, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = {"name": "t", "tables": {"survey": [{"file": "s.csv"}]}, **doc}
    (folder / "dataset.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _one_sentence(msg: str, *words: str) -> None:
    assert "\n" not in msg and "rule" in msg, msg
    for w in words:
        assert w in msg, msg


def test_own_codebook_named_in_dataset_yml(tmp_path):
    d = _write(
        tmp_path,
        {
            "instruments": {"survey": ["rtc", "kepuasan.yml"]},
            "tables": {"survey": [{"file": "s.csv", "columns": {"Q1": "KK01", "Q2": "KK02", "Saya": "RTC01"}}]},
        },
        own=OWN,
    )
    cfg = load_dataset(d)
    assert sorted(cfg.codebooks) == ["kepuasan_kerja", "rtc"]
    assert cfg.instruments == {"survey": ["rtc", "kepuasan_kerja"]}
    kk = cfg.codebooks["kepuasan_kerja"]
    assert (kk.scale["min"], kk.scale["max"]) == (1, 5) and kk.reverse_items == ["KK02"]
    assert kk.items.set_index("id").loc["KK01", "text_en"] == "Saya puas dengan pekerjaan saya"  # defaults to text_id
    scales = cfg.item_scales()
    assert isinstance(scales["KK01"], ItemScale)
    assert (scales["KK01"].instrument, scales["KK01"].low, scales["KK01"].high) == ("kepuasan_kerja", 1, 5)
    assert scales["KK02"].reverse and not scales["KK01"].reverse
    for word, point in (("Netral", 3), ("Ragu-ragu", 3), ("N", 3), ("SS", 5), (" sangat  setuju ", 5), ("STS", 1)):
        assert scales["KK01"].labels[normalise_label(word)] == point
    assert scales["RTC01"].high == 6 and "U1" not in scales  # only the instruments listed
    assert cfg.constructs == {"resistance": ("rtc", None)}  # default constructs of the instruments present


def test_constructs_and_free_text(tmp_path):
    d = _write(
        tmp_path,
        {
            "instruments": {"survey": ["kepuasan.yml", "rtc"], "satisfaction": ["skm"]},
            "constructs": {"satisfaction": "kepuasan_kerja.pekerjaan", "resistance": None, "motivation": "rtc"},
            "free_text": {"survey": ["agency"], "satisfaction": "occupation"},
        },
        own=OWN,
    )
    cfg = load_dataset(d)
    assert cfg.constructs == {"satisfaction": ("kepuasan_kerja", "pekerjaan"), "motivation": ("rtc", None)}
    assert cfg.free_text == {"survey": ["agency"], "satisfaction": ["occupation"]}
    assert set(CONSTRUCTS) == {
        "resistance",
        "training",
        "reward",
        "sanction",
        "motivation",
        "usability",
        "satisfaction",
    }
    default = load_dataset(_write(tmp_path / "b", {}))
    assert default.constructs["usability"] == ("sus", None) and default.constructs["satisfaction"] == ("skm", None)
    assert default.instruments["satisfaction"] == ["skm"] and "skm" not in default.instruments["survey"]


@pytest.mark.parametrize(
    "doc, own, words",
    [
        ({"instruments": {"survey": ["nope"]}}, None, ["codebook 'nope'", "codebooks are"]),
        ({"instruments": {"survey": ["missing.yml"]}}, None, ["'missing.yml' is not in"]),
        ({"instruments": {"survey": ["../out.yml"]}}, None, ["climbs out"]),
        ({"instruments": {"survey": ["/etc/x.yml"]}}, None, ["absolute path"]),
        ({"instruments": {"performance": ["rtc"]}}, None, ["tables with instruments are survey, satisfaction"]),
        ({"instruments": {"survey": ["kepuasan.yml"]}, "constructs": {"resistence": "rtc"}}, OWN, ["'resistence'"]),
        (
            {"instruments": {"survey": ["kepuasan.yml"]}, "constructs": {"resistance": "rtc"}},
            OWN,
            ["instrument of the"],
        ),
        (
            {"instruments": {"survey": ["kepuasan.yml"]}, "constructs": {"satisfaction": "kepuasan_kerja.x"}},
            OWN,
            ["'x'"],
        ),
        ({"free_text": {"survey": ["nip"]}}, None, ["free_text.survey: column 'nip'"]),
        ({"likert": {"RTC": "agree9"}}, None, ["label set 'agree9'", "agree5"]),
        ({"likert": {"XYZ": "agree5"}}, None, ["item prefix 'XYZ'"]),
        ({"likert": {"SUS": "agree7"}}, None, ["instrument 'sus'", "SUS keeps its 5-point scale"]),
        (
            {"tables": {"survey": [{"file": "s.csv", "columns": {"Q": "KK01"}}]}},
            None,
            ["'Q' -> 'KK01'", "item ids of its instruments"],
        ),
        (
            {"instruments": {"survey": ["kepuasan.yml", "kepuasan2.yml"]}},
            OWN,
            ["'kepuasan2.yml' is not in"],
        ),
    ],
)
def test_dataset_yml_instrument_errors_are_one_sentence(tmp_path, doc, own, words):
    d = _write(tmp_path, doc, own=own)
    with pytest.raises(KinerjaError) as e:
        load_dataset(d)
    _one_sentence(str(e.value), "dataset.yml", *words)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda o: o["scale"].update(label_set="agree9"), ["label_set", "'agree9'", "agree4"]),
        (lambda o: o["scale"].update(min=1, max=6), ["label set fits the scale", "agree5 has 5 points"]),
        (lambda o: o["items"][0].update(dimension="gaji"), ["'dimension', value 'gaji'"]),
        (lambda o: o["items"][1].update(id="KK01"), ["unique"]),
        (lambda o: o["items"][0].update(answers_id=["a", "b"]), ["one answer per scale point (5)"]),
        (lambda o: o["items"][0].pop("text_id"), ["field 'text_id' missing"]),
        (lambda o: o.update(scale={"min": 1}), ["scale field 'max' missing"]),
    ],
)
def test_own_codebook_errors_name_file_key_value_rule(tmp_path, change, words):
    own = yaml.safe_load(yaml.safe_dump(OWN))
    change(own)
    d = _write(tmp_path, {"instruments": {"survey": ["kepuasan.yml"]}}, own=own)
    with pytest.raises(CodebookError) as e:
        load_dataset(d)
    msg = str(e.value)
    assert "kepuasan.yml" in msg and "the rule is" in msg and "\n" not in msg and msg.count(". ") == 0, msg
    for w in words:
        assert w in msg, msg


def test_two_codebooks_sharing_an_item_id_or_a_name(tmp_path):
    other = yaml.safe_load(yaml.safe_dump(OWN))
    other["name"] = "lain"
    _write(tmp_path, {}, own=other, own_name="lain.yml")
    d = _write(tmp_path, {"instruments": {"survey": ["kepuasan.yml", "lain.yml"]}}, own=OWN)
    with pytest.raises(KinerjaError, match="item id 'KK01' is in codebooks"):
        load_dataset(d)
    clash = yaml.safe_load(yaml.safe_dump(OWN))
    clash["name"] = "rtc"
    d = _write(tmp_path / "c", {"instruments": {"survey": ["rtc", "kepuasan.yml"]}}, own=clash)
    with pytest.raises(KinerjaError, match="is named 'rtc' like 'rtc'"):
        load_dataset(d)


def test_likert_declared_is_the_scale_used(tmp_path):
    """`likert: {RTC: agree5}` puts the RTC answers on a 5-point scale with Netral / Ragu-ragu / N, for scoring too."""
    cfg = load_dataset(_write(tmp_path, {"likert": {"RTC": "agree5"}}))
    rtc = cfg.codebooks["rtc"]
    assert (rtc.scale["min"], rtc.scale["max"], rtc.scale["label_set"]) == (1, 5, "agree5")
    s = cfg.item_scales()["RTC07"]
    assert (s.low, s.high) == (1, 5)
    assert {w: s.labels[normalise_label(w)] for w in ("Netral", "RAGU-RAGU", "n", "Setuju", "SS")} == {
        "Netral": 3,
        "RAGU-RAGU": 3,
        "n": 3,
        "Setuju": 4,
        "SS": 5,
    }
    assert "agak setuju" not in s.labels  # a 6-point word is not on the declared scale
    assert cfg.likert == {"RTC": "agree5"}
    assert (
        cfg.item_scales()["TRN01"].high == 5
        and load_dataset(_write(tmp_path / "b", {})).codebooks["rtc"].scale["max"] == 6
    )
    by_name = load_dataset(_write(tmp_path / "c", {"likert": {"rtc": "agree4"}}))
    assert by_name.item_scales()["RTC01"].high == 4 and by_name.item_scales()["RTC01"].labels["kurang setuju"] == 2


def test_label_sets_cover_the_spellings_units_use():
    assert list_label_sets() == ["agree4", "agree5", "agree6", "agree7", "freq5", "satisfied5", "skm4"]
    five = get_label_set("agree5").label_map()
    for words, point in (
        (["STS", "Sangat Tidak Setuju", "sangat tdk setuju", "Strongly disagree"], 1),
        (["TS", "Tidak Setuju", "tdk setuju"], 2),
        (["N", "Netral", "Ragu-ragu", "ragu ragu", "RR", "Kurang Setuju", "Neutral"], 3),
        (["S", "Setuju", "Agree"], 4),
        (["SS", "Sangat Setuju", "SANGAT SETUJU", "  Sangat   Setuju . "], 5),
    ):
        for w in words:
            assert five[normalise_label(w)] == point, w
    assert get_label_set("agree4").n_points == 4 and get_label_set("agree6").label_map()["ats"] == 3
    assert get_label_set("agree7").label_map()["netral"] == 4
    with pytest.raises(CodebookError, match="agree9"):
        get_label_set("agree9")


def test_clean_and_codebook_normalise_answers_alike():
    from kinerja_research.clean.likert import normalise_label as clean_norm

    for text in (" Sangat  SETUJU. ", "SS", "ragu-ragu!", "Netral*", "\u00a0Setuju\u00a0", "N/A", "5 - SS"):
        assert normalise_label(text) == clean_norm(text)


def test_skm_answers_in_the_regulation_wording():
    """PermenPANRB 14/2017 sample questionnaire: each unsur has its own answer words."""
    s = load_codebook("skm").item_scales()
    assert [s["U7"].labels[normalise_label(w)] for w in ("Tidak sopan dan ramah", "Kurang sopan dan ramah")] == [1, 2]
    assert [s["U7"].labels[normalise_label(w)] for w in ("Sopan dan ramah", "Sangat sopan dan ramah")] == [3, 4]
    assert [s["U9"].labels[normalise_label(w)] for w in ("Buruk", "Cukup", "Baik", "Sangat Baik")] == [1, 2, 3, 4]
    assert [s["U4"].labels[normalise_label(w)] for w in ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")] == [
        1,
        2,
        3,
        4,
    ]
    u8 = ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"]
    assert [s["U8"].labels[normalise_label(w)] for w in u8] == [1, 2, 3, 4]
    assert s["U2"].labels["sangat mudah"] == 4 and s["U3"].labels["kurang cepat"] == 2
    assert "cukup" not in s["U1"].labels  # "Cukup" is point 2 only where the regulation words it so (sarana)


def _skm_spec(tmp_path, columns):
    d = _write(
        tmp_path,
        {"tables": {"satisfaction": [{"file": "skm.csv", "region": "53.71", "columns": columns}]}},
    )
    return load_dataset(d).tables["satisfaction"][0]


QUESTIONNAIRE = [  # the regulation's sample questionnaire order: sarana is question 8, pengaduan question 9
    "Jenis Layanan",
    "1. Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
    "2. Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "3. Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
    "4. Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "5. Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan "
    "dengan hasil yang diberikan?",
    "6. Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
    "7. Bagaimana pendapat saudara perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
    "8. Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
    "9. Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
    "Stempel waktu",
]


def test_skm_unsur_columns_matched_by_wording(tmp_path):
    spec = _skm_spec(tmp_path, {"Jenis Layanan": "service_unit"})
    m = map_headers(QUESTIONNAIRE, spec, path=tmp_path / "skm.csv")
    by_item = {v: k[:2] for k, v in m.items()}
    assert by_item == {
        "service_unit": "Je",
        "U1": "1.",
        "U2": "2.",
        "U3": "3.",
        "U4": "4.",
        "U5": "5.",
        "U6": "6.",
        "U7": "7.",
        "U9": "8.",  # sarana dan prasarana, asked 8th
        "U8": "9.",  # penanganan pengaduan, asked 9th
    }
    short = ["Unit", "Persyaratan", "Sistem, Mekanisme, dan Prosedur", "Sarana dan Prasarana", "Penanganan Pengaduan"]
    m2 = map_headers(short, _skm_spec(tmp_path / "b", {"Unit": "service_unit"}), path=tmp_path / "s.csv")
    assert m2["Sarana dan Prasarana"] == "U9" and m2["Penanganan Pengaduan"] == "U8" and m2["Persyaratan"] == "U1"


def test_skm_mapping_that_contradicts_the_wording_is_an_error(tmp_path):
    """Mapping by position (question 8 -> U8) puts sarana under pengaduan: refused, naming the header."""
    cols = {"Jenis Layanan": "service_unit", QUESTIONNAIRE[8]: "U8", QUESTIONNAIRE[9]: "U9"}
    with pytest.raises(InputFileError) as e:
        map_headers(QUESTIONNAIRE, _skm_spec(tmp_path, cols), path=tmp_path / "skm.csv")
    _one_sentence(str(e.value), "skm.csv", "kualitas sarana dan prasarana", "mapped to U8", "names U9")
    ok = {"Jenis Layanan": "service_unit", QUESTIONNAIRE[8]: "U9", QUESTIONNAIRE[9]: "U8", "P1": "U1"}
    m = map_headers([*QUESTIONNAIRE, "P1"], _skm_spec(tmp_path / "b", ok), path=tmp_path / "skm.csv")
    assert m["P1"] == "U1" and QUESTIONNAIRE[1] not in m  # U1 mapped by hand: the worded header is left alone


def test_map_headers_refuses_two_headers_for_one_column_and_absent_mapped_headers(tmp_path):
    d = _write(
        tmp_path,
        {
            "tables": {
                "survey": [
                    {
                        "file": "s.csv",
                        "region": "18.71",
                        "columns": {"NIP": "nip", "NIP Baru": "nip", "Tahap": "wave", "Saya suka rutinitas": "RTC02"},
                    }
                ]
            }
        },
    )
    spec = load_dataset(d).tables["survey"][0]
    with pytest.raises(InputFileError) as e:
        map_headers(["NIP", "NIP Baru", "Tahap", "Saya suka rutinitas"], spec, path=tmp_path / "s.csv")
    _one_sentence(str(e.value), "'NIP' and 'NIP Baru' are both mapped to 'nip'")
    assert map_headers(["NIP Baru", "Tahap", "Saya suka rutinitas"], spec, path=tmp_path / "s.csv")["NIP Baru"] == "nip"
    with pytest.raises(InputFileError) as e:
        map_headers(["NIP", "Tahap", "Saya suka rutinitasnya"], spec, path=tmp_path / "s.csv")
    _one_sentence(str(e.value), "header 'Saya suka rutinitas', mapped to 'RTC02'", "is not in the file")


def test_table_columns_take_self_reported_fields():
    for c in ("age", "gender", "education", "tenure_years", "golongan", "jabatan", "agency", "email", "phone"):
        assert c in TABLE_COLUMNS["survey"], c
    assert "jabatan" in TABLE_COLUMNS["performance"]


def test_quality_and_option_ranges(tmp_path):
    for quality, word in (({"seconds_per_item": float("inf")}, "inf"), ({"straight_min_items": 10**9}, "10000")):
        d = _write(tmp_path, {"quality": quality})
        with pytest.raises(KinerjaError) as e:
            load_dataset(d)
        _one_sentence(str(e.value), "quality.", word)
    for opts, word in (
        ({"header_row": 10**12}, "1,048,576"),
        ({"skip_rows": 10**12}, "1,048,576"),
        ({"sep": ";;"}, "one character"),
        ({"encoding": "utf-99"}, "codec name"),
    ):
        d = _write(tmp_path, {"tables": {"survey": [{"file": "s.csv", "options": opts}]}})
        with pytest.raises(KinerjaError) as e:
            load_dataset(d)
        _one_sentence(str(e.value), word)
