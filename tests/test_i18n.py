"""Translation tables: every key in both languages, no raw key can reach a report."""

from __future__ import annotations

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
