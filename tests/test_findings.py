"""report.findings: every sentence is chosen by the result. Each test builds a tiny result and flips the one thing that
chooses the sentence (sign, p against alpha, an interval against a limit), in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from kinerja_research.errors import KinerjaError
from kinerja_research.report import findings
from kinerja_research.report.i18n import translator

BANDS = {"A": (88.31, 100.0, "Sangat Baik"), "B": (76.61, 88.30, "Baik"), "C": (65.0, 76.60, "Kurang Baik"),
         "D": (25.0, 64.99, "Tidak Baik")}  # fmt: skip


def _keys_text(key: str, lang: str = "id") -> str:
    """The fixed part of a translation (before its first placeholder), to recognise which sentence was chosen."""
    return translator(lang).table[key].split("{")[0]


def _did(effect=4.0, p=0.001, lo=2.0, hi=6.0, p_equal=0.01, regions=(("18.71", 5.3, 60), ("17.71", 2.7, 55))):
    rows = [dict(region="all", term="trained:post", estimate=effect, ci_low=lo, ci_high=hi, p=p, n=1000)]
    rows += [
        dict(region=c, term="trained:post", estimate=e, ci_low=e - 1, ci_high=e + 1, p=0.01, n=300, n_people=n)
        for c, e, n in regions
    ]
    rows.append(dict(region="all", term="region_code x trained:post", statistic=3.0, df1=1, df2=20, p=p_equal, n=1000))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(
    ("effect", "p", "lo", "hi", "key"),
    [
        (4.0, 0.001, 2.0, 6.0, "effect_up"),
        (-4.0, 0.001, -6.0, -2.0, "effect_down"),
        (4.0, 0.2, -1.0, 9.0, "effect_none"),
    ],
)
def test_training_effect_follows_sign_and_p(lang, effect, p, lo, hi, key):
    out = findings.training(_did(effect, p, lo, hi), target=20, alpha=0.05, lang=lang)
    assert out[0].startswith(_keys_text(f"findings.training.{key}", lang))
    if key == "effect_down":
        assert "4.0" in out[0] or "4,0" in out[0]


def test_training_level_comes_from_alpha():
    out90 = findings.training(_did(), target=20, alpha=0.10, lang="id")[0]
    out95 = findings.training(_did(), target=20, alpha=0.05, lang="id")[0]
    assert "SK 90%" in out90 and "SK 95%" in out95
    # the same p is significant at one alpha and not at another
    assert findings.training(_did(p=0.07), target=20, alpha=0.10)[0].startswith(
        _keys_text("findings.training.effect_up")
    )
    assert findings.training(_did(p=0.07), target=20, alpha=0.05)[0].startswith(
        _keys_text("findings.training.effect_none")
    )


def test_training_regions_differ_only_when_p_below_alpha():
    differ = findings.training(_did(p_equal=0.01), target=20, lang="en")[1]
    same = findings.training(_did(p_equal=0.4), target=20, lang="en")[1]
    assert differ.startswith("The training effect differs between regions") and "Kota Bandar Lampung" in differ
    assert same.startswith("There is no evidence that the training effect differs")
    # a region of fewer than min_n people is left out of the sentence; with one region left, no comparison
    one = findings.training(_did(regions=(("18.71", 5.3, 60), ("17.71", 2.7, 3))), target=20, lang="en")
    assert len(one) == 1


def test_training_placebo_and_jp_thresholds():
    placebo_ok = pd.DataFrame([dict(region="all", term="trained:post", estimate=0.2, ci_low=-1, ci_high=1.4, p=0.7)])
    placebo_bad = placebo_ok.assign(estimate=2.5, ci_low=1.0, ci_high=4.0, p=0.002)
    ok = findings.training(_did(), placebo=placebo_ok, target=20, lang="id")
    bad = findings.training(_did(), placebo=placebo_bad, target=20, lang="id")
    assert ok[-1].startswith(_keys_text("findings.training.placebo_ok"))
    assert bad[-1].startswith(_keys_text("findings.training.placebo_fail"))

    def dose(lows, highs):
        return pd.DataFrame(
            {
                "region": ["18.71", "17.71"],
                "estimate": [(a + b) / 2 for a, b in zip(lows, highs)],
                "ci_low": lows,
                "ci_high": highs,
                "n_people": [100, 100],
            }
        )

    below = findings.training(_did(), dose=dose([0.25, 0.30], [0.35, 0.45]), target=20, lang="en")[-1]
    above = findings.training(_did(), dose=dose([0.55, 0.6], [0.7, 0.8]), target=20, lang="en")[-1]
    mixed = findings.training(_did(), dose=dose([0.25, 0.45], [0.35, 0.6]), target=20, lang="en")[-1]
    assert below.startswith("In every region fewer than half") and "20 training hours" in below
    assert above.startswith("In every region more than half")
    assert mixed.startswith("The share of civil servants")
    assert "30.0%" in below  # the lowest share, as percent of staff


def test_training_answers_per_region():
    did = _did(regions=(("18.71", 5.3, 60), ("17.71", -0.4, 55)))
    did.loc[did["region"] == "17.71", "p"] = 0.6
    ans = findings.training_answers(did, lang="en")
    assert list(ans.columns) == findings.ANSWER_COLUMNS
    assert ans.set_index("region").loc["18.71", "text"].startswith("Yes:")
    assert ans.set_index("region").loc["17.71", "text"].startswith("Not shown:")
    assert ans["n"].tolist() == [60, 55]


MEANS = pd.DataFrame(
    {
        "region": ["18.71", "17.71", "11.73"],
        "estimate": [3.9, 3.5, 4.1],
        "ci_low": [3.7, 3.3, 3.9],
        "ci_high": [4.1, 3.7, 4.3],
        "n": [49, 40, 34],
    }
)


def test_resistance_regions_differ_by_welch_p_and_level_by_midpoint():
    differ = findings.resistance(MEANS, welch=pd.Series({"p": 0.003}), scale=(1, 6), lang="en")
    same = findings.resistance(MEANS, welch=pd.Series({"p": 0.3}), scale=(1, 6), lang="en")
    assert differ[0].startswith("Resistance to change differs") and "Kota Lhokseumawe" in differ[0]
    assert same[0].startswith("There is no evidence that resistance")
    assert "1–6 scale" in differ[0]
    assert differ[1].startswith("Mean resistance is not on the same side")  # 3.5 crosses the midpoint 3.5
    high = MEANS.assign(ci_low=[3.6, 3.6, 3.9])
    assert findings.resistance(high, welch=pd.Series({"p": 0.3}), scale=(1, 6), lang="en")[1].startswith(
        "In every region mean resistance lies above"
    )
    low = MEANS.assign(estimate=[2.0, 2.1, 2.2], ci_low=[1.8] * 3, ci_high=[2.4] * 3)
    assert findings.resistance(low, scale=(1, 6), lang="en")[-1].startswith(
        "In every region mean resistance lies below"
    )


def test_resistance_associations_and_invariance():
    def drivers(b, p):
        return pd.DataFrame([dict(term="trained", estimate=b, ci_low=b - 0.3, ci_high=b + 0.3, p=p)])

    def outcome(b, p):
        return pd.DataFrame([dict(term="rtc", estimate=b, ci_low=b - 2, ci_high=b + 2, p=p)])

    base = dict(scale=(1, 6), lang="id")
    lower = findings.resistance(MEANS.iloc[:1], drivers=drivers(-0.33, 0.03), **base)
    higher = findings.resistance(MEANS.iloc[:1], drivers=drivers(0.33, 0.03), **base)
    none = findings.resistance(MEANS.iloc[:1], drivers=drivers(-0.1, 0.5), **base)
    assert lower[-1].startswith(_keys_text("findings.resistance.trained_lower")) and "bukan bukti" in lower[-1]
    assert higher[-1].startswith(_keys_text("findings.resistance.trained_higher"))
    assert none[-1].startswith(_keys_text("findings.resistance.trained_none"))
    neg = findings.resistance(MEANS.iloc[:1], outcome=outcome(-8.9, 0.001), **base)[-1]
    pos = findings.resistance(MEANS.iloc[:1], outcome=outcome(5.0, 0.001), **base)[-1]
    zero = findings.resistance(MEANS.iloc[:1], outcome=outcome(1.0, 0.4), **base)[-1]
    assert neg.startswith(_keys_text("findings.resistance.sus_negative")) and "8,9" in neg
    assert pos.startswith(_keys_text("findings.resistance.sus_positive"))
    assert zero.startswith(_keys_text("findings.resistance.sus_none"))
    holds = findings.resistance(MEANS.iloc[:1], scalar_holds=True, **base)[-1]
    fails = findings.resistance(MEANS.iloc[:1], scalar_holds=False, **base)[-1]
    assert holds != fails and "hati-hati" in fails


def test_resistance_answers_rank_regions():
    ans = findings.resistance_answers(MEANS, welch=pd.Series({"p": 0.003}), scale=(1, 6), lang="en").set_index("region")
    assert ans.loc["11.73", "text"].startswith("Mean 4.10") and "rank 1 of 3" in ans.loc["11.73", "text"]
    assert "regions differ" in ans.loc["11.73", "text"]
    same = findings.resistance_answers(MEANS, welch=pd.Series({"p": 0.3}), scale=(1, 6), lang="en")
    assert "do not differ significantly" in same["text"].iloc[0]


def _reg(b_reward, p_reward, b_sanction=0.5, p_sanction=0.6):
    return pd.DataFrame(
        [
            dict(term="reward", estimate=b_reward, ci_low=b_reward - 1, ci_high=b_reward + 1, p=p_reward),
            dict(term="sanction", estimate=b_sanction, ci_low=b_sanction - 1, ci_high=b_sanction + 1, p=p_sanction),
            dict(term="model", p=0.01),
        ]
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rewards_verdict_and_associations(lang):
    some = findings.rewards(_reg(2.0, 0.01), lang=lang)
    none = findings.rewards(_reg(0.5, 0.4), lang=lang)
    negative = findings.rewards(_reg(-2.0, 0.01), lang=lang)
    assert some[0].startswith(_keys_text("findings.rewards.verdict_some", lang))
    assert none[0].startswith(_keys_text("findings.rewards.verdict_none", lang))
    assert some[1].startswith(_keys_text("findings.rewards.reward_positive", lang))
    assert negative[1].startswith(_keys_text("findings.rewards.reward_negative", lang))
    assert none[1].startswith(_keys_text("findings.rewards.reward_none", lang))
    assert none[2].startswith(_keys_text("findings.rewards.sanction_none", lang))
    text = " ".join(some).lower()
    assert ("hubungan" in text and "pengaruh" not in text) if lang == "id" else "association" in text


def test_rewards_mediation_by_interval_and_moderation_by_p():
    med_yes = pd.DataFrame([dict(term="indirect", estimate=0.6, ci_low=0.19, ci_high=1.13)])
    med_no = med_yes.assign(ci_low=-0.1)
    mod = pd.DataFrame([dict(term="reward:region_code", df1=3.0, df2=152.0, statistic=3.2, p=0.026)])
    out = findings.rewards(_reg(2.0, 0.01), mediation=med_yes, moderation=mod, lang="en")
    assert out[3].startswith("Part of the association") and out[4].startswith("The association between rewards")
    out = findings.rewards(_reg(2.0, 0.01), mediation=med_no, moderation=mod.assign(p=0.3), lang="en")
    assert out[3].startswith("There is no evidence that the association") and out[4].startswith("There is no evidence")


IKM = pd.DataFrame(
    {
        "region": ["53.71", "18.71", "17.71"],
        "estimate": [76.2, 80.1, 70.0],
        "ikm": [76.2, 80.1, 70.0],
        "ci_low": [75.05, 78.9, 68.0],
        "ci_high": [77.41, 81.3, 72.0],
        "n": [90, 90, 80],
    }
)


def test_satisfaction_interval_crossing_a_band_limit_is_never_a_flat_mutu():
    out = findings.satisfaction(IKM, bands=BANDS, lang="id")
    assert out[0].startswith("IKM berkisar dari 70,00 di Kota Bengkulu sampai 80,10")
    crossing = [s for s in out if "melintasi batas mutu 76,61" in s]
    assert len(crossing) == 1 and "Kota Kupang" in crossing[0] and "mutu C atau B" in crossing[0]
    certain = [s for s in out if s.startswith("Mutu pelayanan")]
    assert len(certain) == 1 and "B (Baik) di Kota Bandar Lampung" in certain[0]
    assert "C (Kurang Baik) di Kota Bengkulu" in certain[0] and "Kota Kupang" not in certain[0]
    # the same point estimate with a narrow interval: a certain mutu
    narrow = findings.satisfaction(IKM.assign(ci_low=[75.5, 78.9, 68.0], ci_high=[76.5, 81.3, 72.0]), bands=BANDS)
    assert any("C (Kurang Baik) di Kota Kupang dan Kota Bengkulu" in s for s in narrow)


def test_satisfaction_weakest_trend_and_answers():
    elements = pd.DataFrame(
        {
            "region": ["53.71", "18.71", "17.71", "53.71"],
            "term": ["U3", "U3", "U8", "U1"],
            "weakest": [True, True, True, False],
            "n": [90, 90, 80, 90],
        }
    )
    trend = pd.DataFrame({"region": ["53.71", "18.71", "17.71"], "estimate": [2.0, -3.0, 0.1], "p": [0.01, 0.02, 0.8]})
    out = findings.satisfaction(
        IKM, bands=BANDS, elements=elements, trend=trend, element_names={"U3": "U3 Waktu Penyelesaian"}, lang="en"
    )
    assert any(
        s.startswith("Weakest service element (unsur): U3 Waktu Penyelesaian (the weakest in 2 of 3") for s in out
    )
    assert any(s.startswith("The IKM rose") and "Kota Kupang" in s for s in out)
    assert any(s.startswith("The IKM fell") and "Kota Bandar Lampung" in s for s in out)
    flat = findings.satisfaction(IKM, bands=BANDS, trend=trend.assign(p=0.9), lang="en")
    assert flat[-1].startswith("No region shows a clear")
    ans = findings.satisfaction_answers(IKM, bands=BANDS, lang="id").set_index("region")["text"]
    assert "mutu C atau B" in ans["53.71"] and ans["18.71"].endswith("mutu B")


def test_comparison_counts_and_themes():
    family = pd.DataFrame(
        {
            "theme": ["training", "training", "rewards", "rewards"],
            "region": ["18.71", "17.71", "18.71", "17.71"],
            "estimate": [5.3, 2.7, 0.7, -0.9],
            "p_adj": [0.003, 0.2, 0.6, 0.7],
            "n": [60, 55, 60, 55],
        }
    )
    out = findings.comparison(family, lang="en")
    assert out[0].startswith("1 of 4 headline figures")
    assert out[1] == "The training effect on achievement is clear in Kota Bandar Lampung (+5.30)."
    assert out[2].startswith("After Holm's correction, no region shows a clear association")
    ans = findings.comparison_answers(family, lang="en").set_index("region")["text"]
    assert ans["18.71"] == "Stands out after Holm's correction: training"
    assert ans["17.71"].startswith("No headline figure")


def test_audit_and_instrument_sentences_flip():
    counts = pd.DataFrame({"rows_in": [100, 50], "rows_quarantined": [5, 0]})
    rules = pd.DataFrame({"rule": ["a", "b"], "description": ["NIP rusak", "Nilai kosong"], "count": [3, 9]})
    out = findings.audit(counts, by_rule=rules, n_duplicates=2, flagged_share=0.04, lang="id")
    assert out[0].startswith("5 dari 150 baris data (3,3%) dikarantina")
    assert out[1] == "Masalah yang paling sering: Nilai kosong (9 kali)."
    clean = findings.audit(counts.assign(rows_quarantined=0), by_rule=rules.iloc[:0], flagged_share=0.0, lang="id")
    assert clean[0].startswith("Tidak ada baris") and clean[1].startswith("Tidak ditemukan") and "Tidak ada" in clean[3]

    rel = pd.DataFrame({"instrument": ["RTC", "SUS"], "dimension": ["Total", "Total"], "alpha": [0.82, 0.65]})
    fit = pd.DataFrame({"instrument": ["RTC", "SUS"], "cfi": [0.97, 0.90], "rmsea": [0.04, 0.09], "srmr": [0.05, 0.07]})
    inv = pd.DataFrame({"instrument": ["RTC", "SUS"], "scalar": [True, False]})
    out = findings.instrument(reliability=rel, validity=pd.DataFrame({"valid": [True, False]}), fit=fit,
                              invariance=inv, strict=0.70, lang="en")  # fmt: skip
    assert out[0].startswith("1 of 2 reliability tests") and "0.65 (SUS: Total)" in out[0]
    assert out[1].startswith("1 of 2 item")
    assert out[2].startswith("The measurement model fits the data for 1 of 2") and out[2].endswith("not yet: SUS.")
    assert out[3].startswith("Scalar invariance holds for 1 of 2")
    good = findings.instrument(reliability=rel.assign(alpha=0.8), fit=fit.iloc[:1], invariance=inv.iloc[:1],
                               strict=0.70, lang="en")  # fmt: skip
    assert good[0].startswith("Every scale is reliable") and good[1].startswith("The measurement model of every")
    improper = findings.instrument(fit=fit.iloc[:1].assign(converged=False, problems=[["no convergence"]]), strict=0.7)
    assert improper[0].startswith(_keys_text("findings.instrument.fit_none")) and "tidak wajar" in improper[1]


def test_band_helpers():
    assert findings.band_of(76.605, BANDS) == "B" and findings.band_of(76.6049, BANDS) == "C"
    s = findings.band_status(75.05, 77.41, BANDS)
    assert s == {"certain": False, "lower": "C", "upper": "B", "limit": 76.61}
    assert findings.band_status(88.0, 89.0, BANDS)["limit"] == 88.31


def test_brief_lines_come_from_the_answers_and_hide_small_regions():
    answers = pd.concat(
        [
            findings.training_answers(_did(), lang="id"),
            findings.satisfaction_answers(IKM, bands=BANDS, lang="id"),
        ]
    )
    lines = findings.brief(answers, "18.71", lang="id")
    assert lines[0].startswith("Pelatihan: Ya: capaian naik 5,3 poin persen")
    assert lines[1].startswith("Kepuasan masyarakat: IKM 80,10")
    small = answers.assign(n=3)
    assert findings.brief(small, "18.71", lang="id") == []


# ------------------------------------------------------------------------------------------- sections and spss
def _public(seed: int, n: int, code: str, shift: float = 0.0) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    answers = np.clip(np.round(rng.normal(3.0 + shift, 0.7, size=(n, 9))), 1, 4).astype(int)
    df = pd.DataFrame(answers, columns=[f"U{i}" for i in range(1, 10)])
    return df.assign(region_code=code, respondent_id=[f"{code}-{i}" for i in range(n)])


def test_ikm_interval_of_a_region_does_not_depend_on_the_other_regions():
    """Issue 14.3 (Kupang [75,05; 77,41] vs [75,06; 77,44]): the brief and the page get the same interval."""
    from kinerja_research.report import sections

    kupang = _public(1, 80, "53.71")
    alone = sections.ikm_by_region(kupang, alpha=0.05, seed=2026)
    together = sections.ikm_by_region(
        pd.concat([_public(2, 60, "18.71", 0.3), kupang, _public(3, 70, "17.71")]), alpha=0.05, seed=2026
    )
    row = together[together["region"] == "53.71"].iloc[0]
    assert (alone.iloc[0]["ci_low"], alone.iloc[0]["ci_high"]) == (row["ci_low"], row["ci_high"])


def test_large_enough_names_the_regions_left_out():
    from kinerja_research.report import sections

    d = pd.DataFrame(
        {
            "region_code": ["a"] * 6 + ["b"] * 3,
            "person_id": list("pqrstu") + list("xyz"),
            "trained": [True, True, True, False, False, False, True, True, False],
        }
    )
    kept, out = sections.large_enough(d, min_n=3, between=["trained"])
    assert set(kept["region_code"]) == {"a"} and out == ["b"]
    kept, out = sections.large_enough(d, min_n=3)
    assert out == []


def test_spss_blocks_hold_the_regressions_numbers():
    import numpy as np

    import kinerja_research as kr
    from kinerja_research.report import spss

    rng = np.random.default_rng(7)
    d = pd.DataFrame(rng.normal(size=(80, 2)), columns=["reward", "motivation"])
    d["capaian_pct"] = 80 + 2 * d["reward"] + d["motivation"] + rng.normal(size=80)
    reg = kr.regression(d, dv="capaian_pct", covar=["reward", "motivation"])
    coef = spss.coefficients(reg).set_index("term")
    plain = reg.set_index("term")
    for term in ("reward", "motivation"):
        assert coef.loc[term, "b"] == plain.loc[term, "estimate"] and coef.loc[term, "se"] == plain.loc[term, "se"]
        assert (
            coef.loc[term, "t_hitung"] == plain.loc[term, "statistic"] and coef.loc[term, "p"] == plain.loc[term, "p"]
        )
        assert coef.loc[term, "beta"] == plain.loc[term, "effect_size"]
    assert (coef["t_tabel"] > 1.9).all()
    summary = spss.model_summary(reg).iloc[0]
    assert summary["r2"] == plain.loc["model", "r2"] and summary["adj_r2"] == plain.loc["model", "adj_r2"]
    anova = spss.anova(reg, lang="en")
    assert anova["source"].tolist() == ["Regression", "Residual", "Total"]
    assert anova["f_hitung"].iloc[0] == plain.loc["model", "statistic"]
    assert np.isclose(anova["ss"].iloc[0] + anova["ss"].iloc[1], anova["ss"].iloc[2])


def test_sections_say_what_the_data_lack():
    """A dataset without a training table gives an empty training section and a translated note, never an error."""
    from kinerja_research.report import sections

    class Ctx:
        lang, alpha, seed, min_n, level = "en", 0.05, 2026, 5, 95.0
        tables = {"satisfaction": _public(1, 40, "18.71").assign(period="2026-Q1", service_unit="A")}
        shown: list = []

        def left_out(self, key, **fmt):
            self.shown.append((key, fmt))

        def region_name(self, code):
            return code

    ctx = Ctx()
    sec = sections.training_effect(ctx)
    assert not sec.has("did") and sec.findings == []
    sections.explain(ctx, sec)
    assert ctx.shown[-1][0] == "common.left_out.table"
    sat = sections.satisfaction_ikm(ctx)
    assert sat.has("ikm") and sat.findings and sat.findings[0].startswith("The public satisfaction index (IKM) of")
    # a part whose column the data lack (service units) is named in a note; a part that was shown is not
    details = sections.satisfaction_details(ctx)
    sections.explain_part(ctx, details, "units")
    assert ctx.shown[-1][0] == "common.left_out.table" and details.has("units")
    ctx.tables = {"satisfaction": ctx.tables["satisfaction"].drop(columns="service_unit")}
    details = sections.satisfaction_details(ctx)
    sections.explain_part(ctx, details, "units")
    assert ctx.shown[-1] == ("common.left_out.columns", {"columns": "service_unit"})


def test_spss_reliability_blocks_hold_the_measure_numbers():
    """style=skripsi (issue 14.6): Reliability Statistics and Item-Total Statistics show kr.cronbach_alpha's and
    kr.item_analysis's numbers, with the thesis decision (Valid / Tidak valid) from r hitung against r tabel."""
    from kinerja_research.measure import cronbach_alpha, example_items, item_analysis
    from kinerja_research.report import spss

    df = example_items(n=120, seed=5, k=4)
    items = ["X1", "X2", "X3", "X4"]
    rel = cronbach_alpha(df, items=items)
    block = spss.reliability_statistics(rel)
    assert block["alpha"].iloc[0] == rel["estimate"].iloc[0] and block["n_items"].iloc[0] == 4
    ia = item_analysis(df, items=items)
    table = spss.item_total_statistics(ia.assign(item=ia["term"]), lang="id")
    assert table["r_hitung"].tolist() == ia["r_item_total"].tolist()
    assert table["alpha_if_deleted"].tolist() == ia["alpha_if_deleted"].tolist()
    assert set(table["keterangan"]) <= {"Valid", "Tidak valid"}
    with pytest.raises(KinerjaError, match="cronbach_alpha"):
        spss.reliability_statistics(ia)


def test_spss_logistic_blocks_hold_the_logistic_numbers():
    """style=skripsi (issue 14.5/14.6): the logistic model's fit (omnibus χ², -2LL, Cox & Snell, Nagelkerke,
    Hosmer-Lemeshow) and Variables in the Equation are kr.logistic's numbers (Wald = z², Exp(B) = odds ratio)."""
    import numpy as np

    import kinerja_research as kr
    from kinerja_research.report import spss

    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    y = (rng.random(200) < 1 / (1 + np.exp(-x))).astype(float)
    res = kr.logistic(pd.DataFrame({"x": x, "y": y}), dv="y", covar=["x"])
    fit = spss.logistic_summary(res).iloc[0]
    assert fit["chisq"] == res.fit["statistic"].iloc[0] and fit["hl_p"] == res.hosmer_lemeshow["p"].iloc[0]
    assert 0 < fit["cox_snell_r2"] < fit["nagelkerke_r2"] < 1
    table = spss.variables_in_equation(res)
    assert np.allclose(table["wald"], (res["estimate"] / res["se"]) ** 2)
    assert np.allclose(table["exp_b"], np.exp(res["estimate"]))
