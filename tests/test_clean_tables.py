"""clean_table: one cleaner per table behind a dispatch table, never modifying its input (issue 12.6)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _rawdata  # noqa: E402

from kinerja_research.clean.tables import CLEANERS, clean_table  # noqa: E402
from kinerja_research.errors import KinerjaError  # noqa: E402
from kinerja_research.ingest.dataset import load_dataset  # noqa: E402
from kinerja_research.pipeline import TABLES, _read_table  # noqa: E402


def test_every_table_has_its_cleaner_and_the_input_is_left_alone(tmp_path):
    raw_dir = tmp_path / "raw"
    _rawdata.write_raw(raw_dir)
    cfg = load_dataset(raw_dir)
    assert set(CLEANERS) == set(TABLES)
    for table in TABLES:
        raw = _read_table(cfg, table, raw_dir, {})
        before = raw.copy(deep=True)
        attrs = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.attrs.items()}
        first = clean_table(table, raw, key=b"k", options={"reference_date": cfg.reference_date})
        pd.testing.assert_frame_equal(raw, before)  # no column dropped, no cell changed
        assert raw.attrs == attrs
        again = clean_table(table, raw, key=b"k", options={"reference_date": cfg.reference_date})
        for a, b in zip(first, again):  # the same input gives the same result twice
            pd.testing.assert_frame_equal(a, b)


def test_unknown_table_is_one_sentence():
    with pytest.raises(KinerjaError, match="table 'people' is unknown"):
        clean_table("people", pd.DataFrame({"_file": [], "_row": []}), key=b"k")
