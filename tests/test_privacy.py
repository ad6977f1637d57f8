"""Privacy: keyed pseudonyms (HMAC-SHA256), key handling, small-cell suppression."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja_research.errors import KinerjaError
from kinerja_research.privacy import pseudonym_key, pseudonymise, suppress_small_cells


@pytest.fixture(autouse=True)
def _no_home_key(monkeypatch, tmp_path):
    """Never touch the user's key file: point the key file into tmp and clear the key variable."""
    monkeypatch.delenv("KINERJA_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(tmp_path / "keys" / "pseudonym.key"))


def test_pseudonym_is_hmac_sha256_of_the_nip():
    nip = "198503122010011001"
    expected = "P" + hmac.new(b"secret", nip.encode(), hashlib.sha256).hexdigest()[:16]
    assert pseudonymise(pd.Series([nip]), key=b"secret").iloc[0] == expected


def test_same_nip_same_pseudonym_other_key_other_pseudonym():
    s = pd.Series(["198503122010011001", "198503122010011002", "198503122010011001", None])
    a = pseudonymise(s, key=b"k1")
    b = pseudonymise(s, key=b"k1")
    c = pseudonymise(s, key=b"k2")
    assert a.equals(b)
    assert a[0] == a[2] and a[0] != a[1]
    assert pd.isna(a[3])
    assert (a[:3] != c[:3]).all()
    assert a.str.fullmatch(r"P[0-9a-f]{16}").fillna(True).all()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=18, max_size=18), min_size=1, max_size=30))
def test_pseudonymise_is_injective_on_distinct_values(nips):
    out = pseudonymise(pd.Series(nips), key=b"k")
    assert out.nunique() == len(set(nips))


def test_key_file_created_on_first_use_with_message(tmp_path, capsys):
    path = tmp_path / "keys" / "pseudonym.key"
    key = pseudonym_key()
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert "created a new pseudonym key" in capsys.readouterr().err
    assert pseudonym_key() == key  # reused, silently
    assert capsys.readouterr().err == ""


def test_env_key_wins(monkeypatch):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "from-env")
    assert pseudonym_key() == b"from-env"


def test_key_file_inside_repository_is_refused(monkeypatch):
    from kinerja_research.paths import ROOT

    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY_FILE", str(ROOT / "pseudonym.key"))
    with pytest.raises(KinerjaError, match="inside the project folder"):
        pseudonym_key()
    assert not (ROOT / "pseudonym.key").exists()


def test_suppress_small_cells_blanks_numbers_keeps_labels():
    t = pd.DataFrame({"region": ["a", "b", "c"], "estimate": [1.5, 2.5, 3.5], "p": [0.01, 0.2, 0.3], "n": [5, 4, 0]})
    out = suppress_small_cells(t)
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["region"].tolist() == ["a", "b", "c"]
    assert out.loc[0, "estimate"] == 1.5 and out.loc[0, "n"] == 5
    assert out.loc[1:, ["estimate", "p", "n"]].isna().all().all()
    assert t["n"].tolist() == [5, 4, 0]  # input untouched


def test_suppress_small_cells_options_and_errors():
    t = pd.DataFrame({"g": ["x", "y"], "mean": [1.0, 2.0], "sd": [0.1, 0.2], "count": [10, 9]})
    out = suppress_small_cells(t, n_col="count", min_n=10, columns=["mean"])
    assert out["suppressed"].tolist() == [False, True]
    assert np.isnan(out.loc[1, "mean"]) and out.loc[1, "sd"] == 0.2
    with pytest.raises(KinerjaError, match="no count column"):
        suppress_small_cells(t)
    with pytest.raises(KinerjaError, match="not in the table"):
        suppress_small_cells(t, n_col="count", columns=["nope"])


def test_suppress_small_cells_missing_n_is_left_alone():
    t = pd.DataFrame({"estimate": [1.0, 2.0], "n": [np.nan, 3.0]})
    out = suppress_small_cells(t)
    assert out["suppressed"].tolist() == [False, True]
    assert out.loc[0, "estimate"] == 1.0
