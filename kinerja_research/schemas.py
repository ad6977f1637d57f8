"""pandera schemas of the canonical (processed) tables: types, ranges, allowed values, uniqueness, cross-column rules.

The clean step reports problems row by row (``validation.csv``) and quarantines rows with errors; these schemas are
the final guard that what is written to ``data/processed/`` obeys the contract in docs/architecture.md. A failure
here is a bug in the clean step, reported as :class:`~kinerja_research.errors.KinerjaError` naming table, row, column,
value and check.

The synthetic world's analysis-ready tables (``synth.World.tables``) pass the same schemas: they may carry exact
ages, a birth date and no ``employment`` / ``period_kind`` / ``period_end`` columns, so those columns are optional
here and ``age`` / ``tenure_years`` may be whole years (Int64, as the clean step writes them) or exact years. What
the clean step may release -- no exact birth date, TMT or submission time; whole-year ages -- is checked separately
by :func:`kinerja_research.privacy.check_release`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kinerja_research.errors import KinerjaError
from kinerja_research.instruments.codebook import shipped_item_scales
from kinerja_research.standards import PERIOD_KINDS, PERIOD_PATTERN, PREDICATES, RATINGS

__all__ = ["SCHEMAS", "validate_table", "survey_schema", "performance_schema", "training_schema", "satisfaction_schema"]

_REGION = pa.Column("string", pa.Check.str_matches(r"^\d{2}\.\d{2}$"), nullable=False)
_PERSON = pa.Column("string", pa.Check.str_matches(r"^P[0-9a-f]{16}$"), nullable=False)
_GOL = pa.Column("string", pa.Check.str_matches(r"^(I|II|III|IV)(/[a-e])?$|^PPPK-[IVX]+$"), nullable=True)
_EMPLOYMENT = pa.Column("string", pa.Check.isin(["PNS", "PPPK"]), nullable=True, required=False)
_JABATAN = pa.Column("string", nullable=True, required=False)  # a category, or text when declared free text
_PERIOD_KIND = pa.Column("string", pa.Check.isin(list(PERIOD_KINDS)), nullable=True, required=False)
_PERIOD_END = pa.Column("datetime64[ns]", nullable=True, required=False)


def _years(low: float, high: float | None = None) -> pa.Column:
    """Years (whole, Int64, or exact, float) within ``low``..``high``."""
    check = pa.Check.in_range(low, high) if high is not None else pa.Check.ge(low)
    return pa.Column(
        None,
        [check, pa.Check(lambda s: pd.api.types.is_numeric_dtype(s), element_wise=False, name="numeric years")],
        nullable=True,
    )


_RANK = pa.Column("Int64", pa.Check.in_range(1, 17), nullable=True)
_EDU = pa.Column("string", pa.Check.isin(["SD", "SMP", "SMA", "D3", "S1", "S2", "S3", "Tidak sekolah"]), nullable=True)


def _items_in_range(df: pd.DataFrame) -> pd.Series | bool:
    scales = shipped_item_scales()
    ok = np.ones(len(df), dtype=bool)
    for c in df.columns:  # every row of every item column, on numpy arrays (no intermediate Series)
        if c in scales:
            lo, hi = scales[c].low, scales[c].high
            v = df[c].to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                ok &= np.isnan(v) | ((v >= lo) & (v <= hi) & (v == np.round(v)))
    return pd.Series(ok, index=df.index)


survey_schema = pa.DataFrameSchema(
    {
        "person_id": _PERSON,
        "region_code": _REGION,
        "agency": pa.Column("string", nullable=True),
        "wave": pa.Column("string", pa.Check.isin(["pre", "post"])),
        "trained": pa.Column("boolean", nullable=True),
        "submitted_at": pa.Column("datetime64[ns]", nullable=True),
        "duration_s": pa.Column(float, pa.Check.ge(0), nullable=True),
        "employment": _EMPLOYMENT,
        "gender": pa.Column("string", pa.Check.isin(["L", "P"])),
        "age": _years(14, 100),
        "tenure_years": _years(-1),
        "golongan": _GOL,
        "golongan_rank": _RANK,
        "education": _EDU,
        "jabatan": _JABATAN,
        "too_fast": pa.Column(bool),
        "straight_lining": pa.Column(bool),
    },
    checks=[pa.Check(_items_in_range, name="items within their codebook scale")],
    unique=["person_id", "wave"],
    strict=False,
    name="survey",
)
performance_schema = pa.DataFrameSchema(
    {
        "person_id": _PERSON,
        "region_code": _REGION,
        "agency": pa.Column("string", nullable=True),
        "employment": _EMPLOYMENT,
        "period": pa.Column("string", pa.Check.str_matches(PERIOD_PATTERN)),
        "period_kind": _PERIOD_KIND,
        "period_start": pa.Column("datetime64[ns]"),
        "period_end": _PERIOD_END,
        "golongan": _GOL,
        "golongan_rank": _RANK,
        "jabatan": _JABATAN,
        "rating_hasil_kerja": pa.Column("string", pa.Check.isin(list(RATINGS)), nullable=True),
        "rating_perilaku": pa.Column("string", pa.Check.isin(list(RATINGS)), nullable=True),
        "predikat": pa.Column("string", pa.Check.isin(list(PREDICATES)), nullable=True),
        "capaian_pct": pa.Column(float, pa.Check.in_range(0, 300), nullable=True),
    },
    unique=["person_id", "period"],
    strict=False,
    name="performance",
)
training_schema = pa.DataFrameSchema(
    {
        "person_id": _PERSON,
        "region_code": _REGION,
        "employment": _EMPLOYMENT,
        "course": pa.Column("string"),
        "start": pa.Column("datetime64[ns]", nullable=True),
        "end": pa.Column("datetime64[ns]", nullable=True),
        "jp": pa.Column(float, pa.Check.in_range(0, 2000), nullable=True),
        "programme": pa.Column("boolean", nullable=True),
    },
    checks=[
        pa.Check(
            lambda d: d["end"].isna() | d["start"].isna() | (d["end"] >= d["start"]),
            name="training end on or after start",
        ),
        # a course whose start date is missing (unreadable, ambiguous) is never a duplicate of another: the clean
        # step cannot tell two runs of it apart, so uniqueness is over the rows with every key part
        pa.Check(
            lambda d: (
                ~(
                    d[["person_id", "course", "start"]].notna().all(axis=1)
                    & d.duplicated(["person_id", "course", "start"], keep=False)
                )
            ),
            name="one row per person, course and start date",
        ),
    ],
    strict=False,
    name="training",
)
satisfaction_schema = pa.DataFrameSchema(
    {
        "respondent_id": pa.Column("string", pa.Check.str_matches(r"^R[0-9a-f]{16}$"), unique=True),
        "region_code": _REGION,
        "service_unit": pa.Column("string", nullable=True),
        "submitted_at": pa.Column("datetime64[ns]", nullable=True),
        "period": pa.Column("string", pa.Check.str_matches(PERIOD_PATTERN), nullable=True),
        "period_kind": _PERIOD_KIND,
        "period_start": pa.Column("datetime64[ns]", nullable=True, required=False),
        "period_end": _PERIOD_END,
        **{f"U{i}": pa.Column("Int64", pa.Check.in_range(1, 4), nullable=True, required=False) for i in range(1, 10)},
        "gender": pa.Column("string", pa.Check.isin(["L", "P"]), nullable=True),
        "age": _years(15, 100),
        "education": _EDU,
        "occupation": pa.Column("string", nullable=True),
    },
    strict=False,
    name="satisfaction",
)
SCHEMAS = {
    "survey": survey_schema,
    "performance": performance_schema,
    "training": training_schema,
    "satisfaction": satisfaction_schema,
}


def validate_table(table: str, data: pd.DataFrame) -> pd.DataFrame:
    """Check a processed table against its schema; returns it unchanged.

    Raises
    ------
    KinerjaError
        Naming the table, the first failing row, column, value and check (and how many failures there are).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person_id": pd.Series(["P0123456789abcdef"], dtype="string"),
    ...     "region_code": pd.Series(["18.71"], dtype="string"), "course": pd.Series(["Latsar"], dtype="string"),
    ...     "start": pd.to_datetime(["2025-03-01"]), "end": pd.to_datetime(["2025-02-01"]), "jp": [40.0],
    ...     "programme": pd.array([True], dtype="boolean")})
    >>> validate_table("training", df)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kinerja_research.errors.KinerjaError: table 'training', row 0, ...check 'training end on or after start' failed...
    """
    if table not in SCHEMAS:
        raise KinerjaError(f"table {table!r} has no schema; rule: tables are {', '.join(SCHEMAS)}")
    try:
        # inplace: no schema coerces, so the data are never changed; it only saves pandera's copy of the whole table
        SCHEMAS[table].validate(data, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        first = fc.iloc[0]
        raise KinerjaError(
            f"table {table!r}, row {first.get('index')}, column {first.get('column')}: check "
            f"{first.get('check')!r} failed for value {first.get('failure_case')!r} ({len(fc)} "
            f"failure{'s' if len(fc) != 1 else ''} in all)"
        ) from None
    return data
