"""Where things live on disk: one module, derived from the repository root.

Set ``KINERJA_ROOT`` to use the toolkit on a project folder other than the repository (installed use); every path
below follows it. Functions that touch disk take ``dataset``/``in_path``/``out_dir`` arguments whose defaults come
from here, so notebooks never write path strings.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("KINERJA_ROOT", PACKAGE_DIR.parent)).resolve()
DATA = ROOT / "data"
DATA_RAW = DATA / "raw"
DATA_PROCESSED = DATA / "processed"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
INSTRUMENTS = PACKAGE_DIR / "instruments"
PACKAGE_DATA = PACKAGE_DIR / "data"

DEFAULT_DATASET = "default"
DEFAULT_SEED = 2026


def raw_dir(dataset: str = DEFAULT_DATASET) -> Path:
    """Folder of a raw dataset: ``data/raw/<dataset>`` (or ``dataset`` itself when it is an existing path)."""
    p = Path(dataset)
    if p.is_dir():
        return p.resolve()
    return DATA_RAW / dataset


def processed_dir(dataset: str = DEFAULT_DATASET) -> Path:
    """Folder of a processed dataset: ``data/processed/<dataset>``."""
    return DATA_PROCESSED / Path(dataset).name
