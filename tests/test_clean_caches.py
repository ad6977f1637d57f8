"""The clean step's caches and shortcuts give what the uncached code gives: the shipped item scales (read again when
a codebook file changes), the labels of every scale, factorising text columns by pyarrow, and the unit-word test."""

from __future__ import annotations

import os
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from kinerja_research.clean import agency
from kinerja_research.clean._factor import factorize_text
from kinerja_research.clean.likert import normalise_label, scale_labels
from kinerja_research.instruments import codebook


def _uncached_scales() -> dict:
    out = {}
    for name in codebook.list_codebooks():
        out.update(codebook.load_codebook(name).item_scales())
    return out


def test_shipped_item_scales_equal_the_uncached_build_and_are_the_callers_own_dict():
    a = codebook.shipped_item_scales()
    assert a == _uncached_scales()
    a.pop(next(iter(a)))  # the caller's dict: changing it leaves the cache alone
    assert codebook.shipped_item_scales() == _uncached_scales()
    want = {normalise_label(k) for sc in _uncached_scales().values() for k in sc.labels}
    assert scale_labels() == frozenset(want)


def test_a_changed_codebook_file_is_read_again(tmp_path, monkeypatch):
    folder = tmp_path / "instruments"
    shutil.copytree(codebook.INSTRUMENTS, folder)
    monkeypatch.setattr(codebook, "INSTRUMENTS", folder)
    before = codebook.shipped_item_scales()
    assert "setuju banget" not in before["RTC01"].labels
    assert "setuju banget" not in scale_labels()
    path = folder / "rtc.yml"
    text = path.read_text(encoding="utf-8")
    assert "4: [agak setuju," in text
    path.write_text(text.replace("4: [agak setuju,", "4: [setuju banget, agak setuju,"), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later modification time, whatever the clock
    after = codebook.shipped_item_scales()
    assert after["RTC01"].labels["setuju banget"] == 4
    assert "setuju banget" in scale_labels()
    assert after["TRN01"] == before["TRN01"]  # the other codebooks unchanged


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string", "str", object])
def test_factorize_text_is_pandas_factorize(dtype):
    rng = np.random.default_rng(7)
    values = rng.choice(np.array(["Setuju", "", " setuju ", None, "Café", "SS"], dtype=object), 500).tolist()
    s = pd.Series(values, dtype=dtype)
    codes, uniques = factorize_text(s)
    want_codes, want_uniques = pd.factorize(s, use_na_sentinel=True)
    assert codes.tolist() == want_codes.tolist() and codes.dtype == want_codes.dtype
    assert list(uniques) == list(want_uniques)


def test_factorize_text_of_several_chunks_empty_and_all_missing():
    parts = [pd.Series(["b", None], dtype="string[pyarrow]"), pd.Series(["a", "b"], dtype="string[pyarrow]")]
    s = pd.concat(parts, ignore_index=True)
    codes, uniques = factorize_text(s)
    assert codes.tolist() == [0, -1, 1, 0] and list(uniques) == ["b", "a"]
    for s in (pd.Series([], dtype="string[pyarrow]"), pd.Series([None, None], dtype="string[pyarrow]")):
        codes, uniques = factorize_text(s)
        want_codes, want_uniques = pd.factorize(s, use_na_sentinel=True)
        assert codes.tolist() == want_codes.tolist() and list(uniques) == list(want_uniques)


def test_looks_like_unit_as_the_word_by_word_rule():
    def rule(text):
        return any(w in agency.UNIT_WORDS for w in re.findall(r"[^\W_]+", str(text).lower()))

    cases = [
        "Dinas Pendidikan",
        "UPTD Puskesmas Kemiling",
        "Budi Santoso",
        "",
        "kota_metro",
        "KOTA",
        "Café Dinas",
        "bkpsdm",
        "Sri Wahyuni, S.Pd.",
        "kab",
        None,
        12,
        "Badan-Kepegawaian",
    ]
    assert [agency.looks_like_unit(c) for c in cases] == [rule(c) for c in cases]
