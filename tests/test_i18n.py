"""Translation tables: every key in both languages, no raw key can reach a report."""

from __future__ import annotations

import re

import pytest

from kinerja_research.errors import KinerjaError
from kinerja_research.report.i18n import LANGS, Translator, load_translations, missing_keys


def test_every_key_in_both_languages():
    missing = missing_keys()
    assert missing == {lang: [] for lang in LANGS}, f"keys missing per language: {missing}"


def test_same_placeholders_in_both_languages():
    import string

    tables = {lang: load_translations(lang) for lang in LANGS}

    def fields(text):
        return sorted({f for _, f, _, _ in string.Formatter().parse(text) if f})

    diff = {
        k: (fields(tables["id"][k]), fields(tables["en"][k]))
        for k in tables["id"]
        if k in tables["en"] and fields(tables["id"][k]) != fields(tables["en"][k])
    }
    assert diff == {}


def test_every_text_formats_with_its_placeholders():
    import string

    for lang in LANGS:
        t = Translator(lang)
        for key, text in t.table.items():
            names = {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}
            out = t(key, **{n: 1 for n in names})
            assert key not in out and "{" not in out.replace("{{", ""), (lang, key, out)


def test_unknown_key_raises_with_closest_keys():
    t = Translator("id")
    with pytest.raises(KinerjaError, match="common.col.estimate"):
        t("common.col.estimat")


def test_missing_placeholder_value_raises():
    with pytest.raises(KinerjaError, match="min_n"):
        Translator("en")("common.suppressed_note")


def test_bad_language_raises():
    with pytest.raises(KinerjaError, match="lang"):
        Translator("fr")


def test_loader_namespaces_and_rejects_bad_files(tmp_path):
    for lang in LANGS:
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "demo.yml").write_text("title: T\ndemo.other: O\n", encoding="utf-8")
    table = load_translations("en", folder=tmp_path)
    assert table == {"demo.title": "T", "demo.other": "O"}
    (tmp_path / "en" / "bad.yml").write_text("yes: Ya\n", encoding="utf-8")
    with pytest.raises(KinerjaError, match="booleans"):
        load_translations("en", folder=tmp_path)
    (tmp_path / "en" / "bad.yml").write_text("a:\n  b: nested\n", encoding="utf-8")
    with pytest.raises(KinerjaError, match="flat map"):
        load_translations("en", folder=tmp_path)


def test_numbers_follow_language():
    assert Translator("id")("common.col.ci", level=95.0) == "SK 95%"
    assert Translator("en")("common.col.ci", level=90.0) == "90% CI"
    assert Translator("id")("common.table_label", number=1234) == "Tabel 1.234"


def test_vocabulary_files_cover_rules_and_canonical_columns():
    """Table cells of vocabulary columns (report.tables.VOCAB_COLUMNS) are translated through vocab.yml: every
    validation rule the audit describes and every canonical column (a model term) has a label in both languages."""
    from kinerja_research.report.i18n import I18N_DIR
    from kinerja_research.schemas import SCHEMAS

    for lang in LANGS:
        assert (I18N_DIR / lang / "vocab.yml").exists()
        table = load_translations(lang)
        rules = {k.split(".", 2)[2] for k in table if k.startswith("audit.rule.")}
        assert rules, "audit.yml describes no validation rule"
        assert sorted(r for r in rules if f"vocab.rule.{r}" not in table) == [], lang
        columns = {c for schema in SCHEMAS.values() for c in schema.columns}
        assert sorted(c for c in columns if f"vocab.term.{c}" not in table and not c[1:].isdigit()) == [], lang


def test_vocabulary_labels_are_reader_text():
    from kinerja_research.report.tables import IDENTIFIER

    for lang in LANGS:
        raw = {k: v for k, v in load_translations(lang).items() if k.startswith("vocab.") and IDENTIFIER.search(v)}
        assert raw == {}, f"{lang}: vocabulary labels that are themselves identifiers: {raw}"


def _texts(lang: str) -> list[tuple[str, str]]:
    """Every text a reader of the ``lang`` pages can see that this project writes: translation values and the
    notebooks' markdown cells of that language."""
    import nbformat

    from kinerja_research import paths

    out = [(k, " ".join(v.split())) for k, v in load_translations(lang).items()]
    for path in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown" and f"lang-{lang}" in cell.metadata.get("tags", []):
                out.append((f"{path.stem}[{i}]", " ".join(cell.source.split())))
    return out


#: One term per concept on the Indonesian pages (../shared/reviews/indonesian_wording.md): the chosen term, and the
#: spellings that must not appear next to it.
ONE_TERM = {
    "confidence interval": ("SK / selang kepercayaan", [r"\bIK\b", r"[Ii]nterval kepercayaan"]),
    "standard deviation": ("SB / simpangan baku", [r"\bSD\b", r"[Ss]tandar deviasi"]),
    "adjusted R²": ("Koefisien determinasi (Adjusted R²)", [r"R² terkoreksi", r"R² disesuaikan"]),
    "odds ratio": ("rasio odds (odds ratio)", [r"(?i)(?<!rasio odds \()(?<!rasio odds \(\*)\bodds ratio\b"]),
    "data error": ("Kesalahan", [r"\bgalat\b(?! baku)"]),
    "suppressed": ("Tidak ditampilkan", [r"[Dd]isensor", r"[Ss]ensor sekunder"]),
    "difference-in-differences": ("difference-in-differences (DiD)", [r"selisih-dalam-selisih"]),
    "codebook": ("buku kode (codebook)", [r"[Kk]odebuku"]),
    "usability": ("usabilitas", [r"[Kk]ebergunaan", r"\bkegunaan\b"]),
    "region column": ("Wilayah", [r"Kode wilayah"]),
    "family of tests": ("semua uji pada halaman ini", [r"keluarga \{?m", r"Uji dalam keluarga"]),
}


def test_one_term_per_concept_on_indonesian_pages():
    texts = _texts("id")
    found = {
        concept: sorted({(where, m.group(0)) for where, text in texts for p in bad for m in re.finditer(p, text)})
        for concept, (_, bad) in ONE_TERM.items()
    }
    assert {c: f for c, f in found.items() if f} == {}


def test_one_term_rule_catches_a_second_abbreviation():
    bad = ONE_TERM["confidence interval"][1]
    assert any(re.search(p, "Batas bawah IK 95%") for p in bad)
    assert not any(re.search(p, "Batas bawah SK 95%") for p in bad)
    assert any(re.search(p, "rasio odds dan odds ratio") for p in ONE_TERM["odds ratio"][1])
    assert not any(re.search(p, "rasio odds (odds ratio)") for p in ONE_TERM["odds ratio"][1])


#: Indonesian terms the English pages keep: each occurrence is glossed (inside parentheses, or followed by one).
GLOSSED = ("capaian", "mutu", "predikat")


def test_english_pages_explain_indonesian_terms():
    unexplained = []
    for where, text in _texts("en"):
        text = re.sub(r"\{[^{}]*\}", "", text)  # placeholders are not shown words
        for term in GLOSSED:
            for m in re.finditer(rf"\b{term}\b( kinerja)?", text):
                before, after = text[: m.start()], text[m.end() :]
                inside = before.count("(") > before.count(")")
                followed = after.lstrip("*").startswith(" (")
                if not (inside or followed):
                    unexplained.append((where, term))
    assert unexplained == []


def test_periods_and_seeds_for_people():
    from kinerja_research.report.numbers import period_label

    assert period_label("2026-Q1", "id") == "Triwulan I 2026" and period_label("2026-S2", "id") == "Semester II 2026"
    assert period_label("2026-Q1", "en") == "Q1 2026" and "2026-S2" not in period_label("2026-S2", "en")
    text = Translator("id")("satisfaction.bootstrap_text", n_boot=2000, seed=2026)
    assert "seed 2026" in text and "2.000" in text


def test_thresholds_in_texts_come_from_standards():
    """Issue 12.1: a threshold a text states is a placeholder of kinerja_research.standards ({HTMT_MAX:.2f}),
    never typed by hand; both languages show the package's value."""
    from kinerja_research import standards
    from kinerja_research.report.i18n import I18N_DIR, STANDARDS, translator

    typed = {
        "ALPHA_MIN_GHOZALI": "α > 0",
        "ALPHA_MIN_NUNNALLY": "α ≥ 0",
        "HTMT_MAX": "HTMT (< 0",
        "AVE_MIN": "AVE (≥ 0",
    }
    for f in I18N_DIR.glob("*/*.yml"):
        text = f.read_text(encoding="utf-8")
        assert not [name for name, literal in typed.items() if literal in text], f
    assert STANDARDS["HTMT_MAX"] == standards.HTMT_MAX and "IKM_BANDS" not in STANDARDS
    assert translator("id")("instrument.col.reliable_ghozali") == "Reliabel (α > 0,60; Ghozali)"
    assert translator("en")("instrument.col.htmt_ok") == "HTMT < 0.85"
