"""report.tables: rounding, APA p strings, labels in both languages, small-cell suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinerja_research.errors import KinerjaError
from kinerja_research.report import tables as T


@pytest.mark.parametrize(
    "p, en, id_",
    [
        (0.0234, ".023", "0,023"),
        (0.0004, "< .001", "< 0,001"),
        (0.001, ".001", "0,001"),
        (0.05, ".050", "0,050"),
        (0.9999, "> .999", "> 0,999"),
        (1.0, "> .999", "> 0,999"),
        (0.0, "< .001", "< 0,001"),
        (np.nan, "–", "–"),
    ],
)
def test_p_strings(p, en, id_):
    assert T.format_p(p, "en") == en
    assert T.format_p(p, "id") == id_


def test_p_outside_unit_interval_raises():
    with pytest.raises(KinerjaError, match="outside"):
        T.format_p(1.2, "en")


def test_numbers_and_counts():
    assert T.format_number(1234567.891, 2, "id") == "1.234.567,89"
    assert T.format_number(1234567.891, 1, "en") == "1,234,567.9"
    assert T.format_number(-0.001, 2, "en") == "0.00"
    assert T.format_number(-1.5, 1, "id") == "-1,5"
    assert T.format_number(None) == "–"
    assert T.format_int(4300000, "id") == "4.300.000"
    assert T.format_int(4300000, "en") == "4,300,000"
    assert T.format_ci(0.1, 0.25, 2, "id") == "[0,10; 0,25]"
    assert T.format_value(0.5, "pct", "en") == "50.0%"
    assert T.format_value(True, "", "id") == "Ya"


def _result():
    return pd.DataFrame(
        {
            "region": ["18.71", "17.71", "11.73"],
            "estimate": [0.51234, -1.5, 2.0],
            "se": [0.1, 0.2, 0.3],
            "ci_low": [0.3, -1.9, 1.4],
            "ci_high": [0.7, -1.1, 2.6],
            "statistic": [5.1, -7.5, 6.6],
            "df": [38.0, 20.0, 2.0],
            "p": [0.00001, 0.04, 0.3],
            "p_adj": [0.00003, 0.08, 0.3],
            "effect_size": [0.8, -0.4, 1.2],
            "effect_size_name": ["hedges_g"] * 3,
            "n": [40, 22, 3],
            "method": ["Welch t"] * 3,
        }
    )


def test_result_table_english():
    out = T.format_table(_result(), lang="en")
    assert list(out.columns) == [
        "Region",
        "Estimate",
        "SE",
        "95% CI",
        "Test statistic",
        "df",
        "p",
        "p (adjusted)",
        "Effect size",
        "Effect size measure",
        "n",
        "Method",
    ]
    row = out.iloc[0].to_dict()
    assert row["Region"] == "Kota Bandar Lampung"
    assert row["Estimate"] == "0.51" and row["95% CI"] == "[0.30, 0.70]" and row["p"] == "< .001"
    assert row["df"] == "38"
    assert (out.map(lambda v: isinstance(v, str))).all().all()


def test_result_table_indonesian_decimal_comma_and_alpha():
    out = T.format_table(_result(), lang="id", alpha=0.10)
    assert "SK 90%" in out.columns and "Estimasi" in out.columns and "db" in out.columns
    assert out.loc[1, "Estimasi"] == "-1,50"
    assert out.loc[1, "SK 90%"] == "[-1,90; -1,10]"
    assert out.loc[1, "Sig. (p)"] == "0,040"


def test_small_cells_suppressed_with_note():
    out = T.format_table(_result(), lang="en")
    small = out.iloc[2]
    assert small["n"] == "<5"
    for col in ("Estimate", "SE", "95% CI", "p", "Effect size"):
        assert small[col] == "–", col
    assert small["Region"] == "Kota Lhokseumawe"  # the label stays so readers see which cell was withheld
    assert "fewer than 5" in out.attrs["notes"][0]
    out = T.format_table(_result(), lang="en", min_n=None)
    assert out.iloc[2]["n"] == "3" and out.attrs["notes"] == []


def test_count_cells_suppressed_one_by_one():
    xt = pd.DataFrame({"predikat": ["Baik", "Sangat Baik"], "count": [120, 4]})
    out = T.format_table(xt, lang="id", count_cols=["count"], secondary=False)
    assert out["Jumlah"].tolist() == ["120", "<5"]
    assert out.attrs["notes"]
    # with secondary suppression (default) the lone "<5" cannot be recovered from the total 124
    assert T.format_table(xt, lang="id", count_cols=["count"])["Jumlah"].tolist() == ["x", "<5"]


def test_secondary_suppression_of_count_tables():
    """Reviewer's case: predikat counts with the region total shown elsewhere; one "<5" takes the next-smallest."""
    one = pd.DataFrame({"predikat": list("ABCDE"), "count": [12, 149, 13, 3, 7]})
    out = T.format_table(one, lang="en", count_cols=["count"])
    assert out.iloc[:, 1].tolist() == ["12", "149", "13", "<5", "x"]
    assert len(out.attrs["notes"]) == 2
    two = pd.DataFrame({"predikat": list("ABCDE"), "count": [12, 149, 13, 3, 2]})  # two primaries: nothing more
    assert T.format_table(two, lang="en", count_cols=["count"]).iloc[:, 1].tolist() == ["12", "149", "13", "<5", "<5"]
    # cross-tabulation: every row and column holding a withheld cell holds at least two, iteratively
    xt = pd.DataFrame({"a": [3, 10, 20], "b": [8, 9, 30], "c": [50, 6, 40]})
    extra = T.secondary_suppression(xt, xt < 5)
    hidden = (xt < 5).to_numpy() | extra.to_numpy()
    assert not extra.to_numpy()[(xt < 5).to_numpy()].any()
    for line in [*hidden, *hidden.T]:
        assert line.sum() != 1
    assert extra.to_numpy().sum() >= 3  # b0 or a1, then the cells their rows/columns need


def test_unknown_column_raises_and_labels_override():
    df = pd.DataFrame({"mystery": [1.0]})
    with pytest.raises(KinerjaError, match="mystery"):
        T.format_table(df, lang="en")
    out = T.format_table(df, lang="en", labels={"mystery": "common.col.value"})
    assert list(out.columns) == ["Value"]
    items = pd.DataFrame({"RTC01": [0.5]})
    assert list(T.format_table(items, lang="en").columns) == ["RTC01"]


def test_index_becomes_columns_and_input_untouched():
    df = _result()
    before = df.copy()
    T.format_table(df, lang="en")
    pd.testing.assert_frame_equal(df, before)
    xt = pd.DataFrame({"count": [10, 20]}, index=pd.Index(["pre", "post"], name="wave"))
    out = T.format_table(xt, lang="en")
    assert out["Wave"].tolist() == ["Before training", "After training"]


def test_digits_per_column():
    df = pd.DataFrame({"estimate": [0.123456], "se": [0.123456]})
    out = T.format_table(df, lang="en", digits={"estimate": 3})
    assert out.iloc[0].tolist() == ["0.123", "0.12"]


def test_threshold_comes_from_the_report_parameter_not_the_environment(monkeypatch):
    df = pd.DataFrame({"estimate": [1.0, 2.0], "n": [8, 30]})
    assert T.format_table(df, lang="en")["n"].tolist() == ["8", "30"]
    monkeypatch.setenv("KINERJA_MIN_CELL_N", "10")  # the old channel: ignored now
    assert T.format_table(df, lang="en")["n"].tolist() == ["8", "30"]
    monkeypatch.setitem(T._SESSION, "min_n", 10)  # what kr.report.start(min_cell=10) sets in the kernel
    out = T.format_table(df, lang="en")
    assert out["n"].tolist() == ["<10", "30"] and "fewer than 10" in out.attrs["notes"][0]
    assert T.format_table(df, lang="en", min_n=5)["n"].tolist() == ["8", "30"]


def test_bool_words_agree_with_the_translation_table():
    from kinerja_research.report.i18n import translator
    from kinerja_research.report.numbers import BOOL_WORDS

    for lang, (yes, no) in BOOL_WORDS.items():
        assert (translator(lang)("common.yes"), translator(lang)("common.no")) == (yes, no)


def test_three_steps_suppress_format_label():
    """format_table = suppress -> format -> label; the suppress step keeps raw numbers and names its count cells."""
    df = pd.DataFrame({"region": ["18.71", "17.71", "11.73"], "estimate": [1.234, 2.5, 9.9], "n": [40, 30, 3]})
    sup = T.suppress_table(df, min_n=5)
    assert sup.data["estimate"].tolist()[:2] == [1.234, 2.5] and pd.isna(sup.data["estimate"].iloc[2])
    assert sup.primary["n"].tolist() == [False, False, True] and sup.count_cols == ["n"]
    assert [c["state"] for c in sup.count_cells()] == ["shown", "shown", "primary"]
    cells = T.format_cells(sup, lang="id")
    assert cells["estimate"].tolist() == ["1,23", "2,50", "–"] and cells["n"].tolist() == ["40", "30", "<5"]
    labelled = T.label_table(cells, t=T.translator("id"))
    assert list(labelled.columns)[1:] == ["Estimasi", "n"]
    pd.testing.assert_frame_equal(labelled, T.format_table(df, lang="id", min_n=5), check_like=False)


def test_pooled_count_column_is_suppressed_too():
    """A ``count`` column (problems by rule, pooled over regions) is a count of people: below min_n it is <5."""
    by_rule = pd.DataFrame({"rule": ["too_fast", "straight_lining"], "count": [22, 3]})
    out = T.format_table(by_rule, lang="en", ns="audit", secondary=False)
    assert out.iloc[:, 1].tolist() == ["22", "<5"]


# --- vocabulary columns: identifiers are translated, never shown raw --------------------------------------------------


def _vocab_table():
    return pd.DataFrame(
        {
            "term": [
                "(Intercept)",
                "tenure_years",
                "golongan_rank",
                "jp_other (per 10)",
                "var(region_code:agency)",
                "trained:post",
                "region_code17.71",
                "reward | region_code = 53.71",
                "post - pre",
                "c_prime",
                "Resistensi (total)",
            ],
            "estimate": np.arange(11, dtype=float),
            "effect_size_name": [
                "hedges_g_av",
                "rank_biserial",
                "odds_ratio",
                "std_beta",
                "omega-squared",
                None,
                "tolerance",
                "adj_r2",
                "delta_r2",
                "beta",
                "rank_epsilon2",
            ],
            "method": [
                "paired t",
                "Wilcoxon signed-rank, exact",
                "VIF: motivation",
                "Glejser (t): reward",
                "percentile bootstrap (5000 resamples, seed 2026)",
                "OLS",
                "Dunn",
                "simple slope",
                "Welch ANOVA",
                "indirect / total",
                "a method not in the vocabulary",
            ],
        }
    )


def test_vocabulary_columns_translated_indonesian():
    out = T.format_table(_vocab_table(), lang="id")
    assert out["Parameter"].tolist() == [
        "Konstanta",
        "masa kerja (tahun)",
        "peringkat golongan",
        "JP pelatihan lain (per 10)",
        "varians: perangkat daerah dalam wilayah",
        "ikut pelatihan × sesudah pelatihan",
        "wilayah: Kota Bengkulu",
        "persepsi penghargaan | wilayah = Kota Kupang",
        "sesudah pelatihan − sebelum pelatihan",
        "jalur c′ (efek langsung)",
        "Resistensi (total)",
    ]
    assert out["Jenis ukuran efek"].tolist()[:4] == [
        "Hedges' g (av)",
        "korelasi rank-biserial",
        "rasio odds (odds ratio)",
        "koefisien beta terstandar (β)",
    ]
    assert out["Jenis ukuran efek"].iloc[5] == "–"
    assert out["Metode"].tolist()[:5] == [
        "uji t berpasangan",
        "uji peringkat bertanda Wilcoxon, eksak",
        "VIF: motivasi kerja",
        "Glejser (t): persepsi penghargaan",
        "bootstrap persentil (5000 sampel ulang, seed 2026)",
    ]
    assert out["Metode"].iloc[-1] == "a method not in the vocabulary"  # free text passes unchanged


def test_vocabulary_columns_translated_english():
    out = T.format_table(_vocab_table(), lang="en")
    assert out.iloc[:5, 0].tolist() == [
        "Intercept",
        "tenure (years)",
        "golongan rank",
        "JP of other training (per 10)",
        "variance: agency within region",
    ]
    assert out.iloc[:2, 2].tolist() == ["Hedges' g (av)", "rank-biserial correlation"]
    assert out.iloc[4, 3] == "percentile bootstrap (5000 resamples, seed 2026)"


def test_audit_vocabulary_rule_severity_tables_region():
    df = pd.DataFrame(
        {
            "rule": ["decimal_comma", "duplicate_submission", "golongan_variant"],
            "severity": ["info", "warning", "error"],
            "tables": ["performance, survey", "survey", "training"],
            "region": ["all", "18.71", "53.71"],
            "count": [10, 20, 30],
        }
    )
    out = T.format_table(df, lang="id", ns="audit")
    assert out.iloc[:, 0].tolist() == ["koma desimal", "pengiriman ganda", "variasi penulisan golongan"]
    assert out.iloc[:, 1].tolist() == ["informasi", "peringatan", "kesalahan"]
    assert out.iloc[:, 2].tolist() == ["kinerja (SKP), survei pegawai", "survei pegawai", "pelatihan"]
    assert out.iloc[:, 3].tolist() == ["semua wilayah", "Kota Bandar Lampung", "Kota Kupang"]


@pytest.mark.parametrize(
    "column, value",
    [
        ("effect_size_name", "made_up_effect"),
        ("rule", "made_up_rule"),
        ("term", "made_up_term"),
        ("term", "var(made_up_term)"),
        ("method", "VIF: made_up_term"),
    ],
)
def test_untranslated_identifier_raises(column, value):
    df = pd.DataFrame({column: [value], "estimate": [1.0]})
    for lang in ("id", "en"):
        with pytest.raises(KinerjaError, match=r"vocab\..*vocab\.yml"):
            T.format_table(df, lang=lang)


def test_free_text_names_and_item_ids_pass_in_vocabulary_columns():
    df = pd.DataFrame(
        {
            "term": ["Kota Kupang", "RTC01", "U1 Persyaratan", "Baik|Sangat Baik"],
            "method": ["Kruskal-Wallis", "Dunn", "OLS", "Shapiro-Wilk"],
            "estimate": [1.0, 2, 3, 4],
        }
    )
    out = T.format_table(df, lang="en")
    assert out.iloc[:, 0].tolist() == ["Kota Kupang", "RTC01", "U1 Persyaratan", "Baik|Sangat Baik"]
    assert out.iloc[:, 1].tolist() == ["Kruskal-Wallis", "Dunn test", "OLS", "Shapiro-Wilk"]


def test_vocab_label_none_for_unknown_value():
    from kinerja_research.report.i18n import translator

    assert T.vocab_label("not in any vocabulary", "term", translator("id")) is None
    assert T.vocab_label("hedges_g_av", "effect_size", translator("en")) == "Hedges' g (av)"
    assert (
        T.vocab_label("region_code x trained:post", "term", translator("id"))
        == "wilayah × ikut pelatihan × sesudah pelatihan"
    )


@pytest.mark.parametrize("small_sample", ["CR2", "CR1-G", "CR1"])
def test_every_cluster_robust_method_has_a_label_in_both_languages(small_sample):
    """Each small-sample option of the clustered fits writes a method text the reports can translate."""
    import kinerja_research as kr
    from kinerja_research.report.i18n import translator

    world = kr.simulate(seed=2026, scale=0.3)
    panel = kr.performance_panel(world.tables)
    methods = set(kr.did(panel, dv="capaian_pct", small_sample=small_sample)["method"])
    methods |= set(
        kr.did(panel, dv="capaian_pct", between=["trained", "region_code"], small_sample=small_sample)["method"]
    )
    survey = world.tables["survey"].assign(rtc=lambda d: d[[f"RTC{i:02d}" for i in range(1, 18)]].mean(axis=1))
    covar = ["age", "tenure_years", "golongan_rank", "trained"]
    fit = kr.regression(survey, dv="rtc", covar=covar, cov_type="cluster", cluster="agency", small_sample=small_sample)
    methods |= set(fit.loc[fit["term"] != "model", "method"])  # the model row is the classical F test
    for lang in ("id", "en"):
        t = translator(lang)
        missing = [m for m in methods if T.vocab_label(m, "method", t) is None]
        assert not missing, f"{lang}: no vocab.method label for {missing}"


def test_suppressed_row_blanks_text_and_flags_derived_from_its_people():
    """Mutu, Kinerja, 'weakest' and 'below B' next to a "<5" IKM are blanked too; key columns stay."""
    res = pd.DataFrame(
        {
            "region": ["18.71", "11.73"],
            "service_unit": ["Dukcapil", "RSUD"],
            "ikm": [80.1, 81.48],
            "mutu": ["B", "B"],
            "kinerja": ["Baik", "Baik"],
            "weakest": [True, True],
            "below_b": [False, False],
            "n": [90, 3],
        }
    )
    out = T.format_table(res, lang="id", ns="satisfaction", min_n=5)
    small = out.iloc[1].tolist()
    assert small[:2] == ["Kota Lhokseumawe", "RSUD"]
    assert small[2:] == ["–", "–", "–", "–", "–", "<5"]
    assert out.iloc[0].tolist()[3:5] == ["B", "Baik"]
    assert res.loc[1, "mutu"] == "B"  # input untouched
    # a column declared as not person-derived stays
    kept = T.format_table(res, lang="id", ns="satisfaction", min_n=5, keys=["kinerja"])
    assert kept.iloc[1, 4] == "Baik" and kept.iloc[1, 3] == "–"


def test_a_percent_of_a_withheld_count_is_withheld_with_it():
    """Respondent characteristics: a count with its percent; the percent would give the count away."""
    xt = pd.DataFrame({"category": ["L", "P", "X"], "count": [120, 3, 9], "percent": [90.9, 2.3, 6.8]})
    sup = T.suppress_table(xt, min_n=5, secondary=False)
    assert sup.derived == {"percent": "count"}
    out = T.format_table(
        xt, lang="en", labels={"category": "common.col.value", "percent": "common.col.value"}, secondary=False
    )
    assert out.iloc[1].tolist()[1:] == ["<5", "–"] and out.iloc[0].tolist()[2] == "90.90"
    sup.withhold(2, "count")
    assert pd.isna(sup.data.loc[2, "percent"])
