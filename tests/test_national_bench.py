"""bench/national_bench.py on a tiny set: synth writes the raw set, a second run cleans it in place of re-synthesising
(--raw), and the table reports every step with its wall time, CPU time, peak memory and load, and the truth files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "national_bench.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=600)


def test_synth_then_clean_of_the_same_raw_set(tmp_path):
    raw = tmp_path / "elsewhere" / "raw"
    out = tmp_path / "out"
    first = _run("--regions", "53.71", "--scale", "0.03", "--steps", "synth", "--raw", str(raw), "--out", str(out))
    assert first.returncode == 0, first.stderr
    row = next(line for line in first.stdout.splitlines() if line.startswith("synth "))
    wall, cpu, peak, largest, load, ok = row.split()[1:]
    assert float(wall) > 0 and float(cpu) > 0 and float(peak) > 0 and float(load) >= 0 and ok == "yes"
    # the raw set went where --raw said, with one planted-problem ledger per region, and its sizes are reported
    assert (raw / "dataset.yml").is_file() and (raw / "GROUND_TRUTH.dirt.53.71.csv.gz").is_file()
    sizes = re.search(r"planted-problem ledgers (\d+) files", first.stdout)
    assert sizes and int(sizes.group(1)) == 1 and "GROUND_TRUTH.json" in first.stdout
    # a second run cleans that raw set without synthesising again
    second = _run("--regions", "53.71", "--scale", "0.03", "--steps", "clean", "--raw", str(raw), "--out", str(out))
    assert second.returncode == 0, second.stderr
    steps = [line.split()[0] for line in second.stdout.splitlines() if re.match(r"^(synth|clean) ", line)]
    assert steps == ["clean"]
    assert (out / "processed-53.71-0.03-2026" / "manifest.json").is_file()
    # the clean is followed by one region's read of each table, from its row groups
    reads = re.search(r"performance: ([\d,]+) rows in (\d+) row groups; region 53.71 \(([\d,]+) rows\)", second.stdout)
    assert reads and reads.group(1) == reads.group(3) and int(reads.group(2)) >= 1


def test_a_missing_raw_set_is_one_sentence(tmp_path):
    res = _run("--steps", "clean", "--raw", str(tmp_path / "nothing"), "--out", str(tmp_path / "out"))
    assert res.returncode != 0
    assert "no raw data at" in res.stderr and "Traceback" not in res.stderr
