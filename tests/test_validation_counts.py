"""validation_counts: the audit's problem tables from validation.csv counted in batches equal those of the whole
file read at once (load_validation + select_regions + summarise_problems), on a hand-written file and on a cleaned
world."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kinerja_research import clean, pipeline
from kinerja_research.pipeline import load_validation, validation_counts
from kinerja_research.report.audit import summarise_problems

# hand-written: a region-less problem, a quoted cell with a comma, cells written spreadsheet-safe ('=..., '+...),
# an empty table cell next to a region, one rule in two files, and more rows than one small batch holds
_ROWS = [
    ("survey", "survey_asn.csv", 2, "q1", "RTC01", "7", "out_of_scale", "warning", "18.71"),
    ("survey", "survey_asn.csv", 3, "q1", "RTC01", "9", "out_of_scale", "warning", "18.71"),
    ("survey", "'=kota.csv", 4, "q2", "RTC02", "'=1+1", "out_of_scale", "warning", "18.71"),
    ("survey", "survey_asn.csv", 5, "", "", "", "duplicate_submission", "error", "18.71"),
    ("survey", "survey_asn.csv", 6, "", "", "", "duplicate_submission", "error", "17.71"),
    ("survey", "survey_asn.csv", 7, "", "", "", "duplicate_submission", "warning", ""),
    ("performance", "skp, semester II.xlsx", 8, "NIP", "nip", "", "nip_invalid", "error", ""),
    ("performance", "skp, semester II.xlsx", 9, "Periode", "period", "Triwulan II", "period_format", "info", "17.71"),
    ("training", "diklat.csv", 10, "JP", "jp", "'+20", "number_format", "info", "18.71"),
    ("training", "diklat.csv", 11, "JP", "jp", "1.250", "number_format", "info", "11.01"),
]


def _folder(tmp_path, rows):
    folder = tmp_path / "processed"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"tables": {}}), encoding="utf-8")
    df = pd.DataFrame(rows * 40, columns=pipeline.PROBLEM_COLUMNS)
    df.to_csv(folder / "validation.csv", index=False)
    return folder


def _both(folder, regions, lang="en"):
    whole = load_validation(folder)
    if regions is not None:
        whole = clean.select_regions(whole, regions, keep_unknown=True)
    counts = validation_counts(folder, regions)
    return summarise_problems(whole, lang=lang), summarise_problems(counts, lang=lang, weight="n"), whole, counts


@pytest.mark.parametrize("regions", [None, ["18.71"], ["17.71", "11.01"], ["99.99"]])
def test_counted_in_batches_as_read_whole(tmp_path, monkeypatch, regions):
    monkeypatch.setattr(pipeline, "COUNT_BATCH_BYTES", 1024)  # many batches
    (old_rule, old_region), (new_rule, new_region), whole, counts = _both(_folder(tmp_path, _ROWS), regions)
    pd.testing.assert_frame_equal(new_rule, old_rule)
    pd.testing.assert_frame_equal(new_region, old_region)
    assert int(counts["n"].sum()) == len(whole)
    if regions is None or "18.71" in regions:  # the spreadsheet-safety quote undone, as load_validation does
        assert "=kota.csv" in set(counts["file"].dropna()) and "'=kota.csv" not in set(counts["file"].dropna())
    dup = whole[(whole["rule"] == "duplicate_submission") & (whole["severity"] == "error")]
    is_dup = (counts["rule"] == "duplicate_submission") & (counts["severity"] == "error")
    assert int(counts.loc[is_dup.to_numpy(dtype=bool), "n"].sum()) == len(dup)


def test_counts_of_a_cleaned_world(national_three):
    for regions in (None, ["18.71"]):
        (old_rule, old_region), (new_rule, new_region), whole, counts = _both(national_three, regions, lang="id")
        pd.testing.assert_frame_equal(new_rule, old_rule)
        pd.testing.assert_frame_equal(new_region, old_region)
        assert int(counts["n"].sum()) == len(whole) > 0


def test_bench_counts_both_sides(tmp_path):
    """bench/validation_bench.py runs both reads on a processed folder and both count every problem."""
    folder = _folder(tmp_path, _ROWS)
    bench = Path(__file__).resolve().parents[1] / "bench" / "validation_bench.py"
    out = subprocess.run([sys.executable, str(bench), str(folder)], capture_output=True, text=True, check=True).stdout
    counts = re.findall(r"^(whole|batched) .* ([\d,]+) problems", out, flags=re.M)
    assert sorted(counts) == [("batched", f"{len(_ROWS) * 40:,}"), ("whole", f"{len(_ROWS) * 40:,}")]
