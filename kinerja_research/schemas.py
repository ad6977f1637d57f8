"""pandera schemas of the canonical (processed) tables: types, ranges, allowed values, uniqueness, cross-column rules.

The clean step reports problems row by row (``validation.csv``) and quarantines rows with errors; these schemas are
the final guard that what is written to ``data/processed/`` obeys the contract in docs/architecture.md. A failure
here is a bug in the clean step, reported as :class:`~kinerja_research.errors.KinerjaError` naming table, row, column,
value and check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kinerja_research.errors import KinerjaError

__all__ = ["SCHEMAS", "validate_table", "survey_schema", "performance_schema", "training_schema", "satisfaction_schema"]

_REGION = pa.Column("string", pa.Check.str_matches(r"^\d{2}\.\d{2}$"), nullable=False)
_PERSON = pa.Column("string", pa.Check.str_matches(r"^P[0-9a-f]{16}$"), nullable=False)
_GOL = pa.Column("string", pa.Check.str_matches(r"^(I|II|III|IV)/[a-e]$|^PPPK-[IVX]+$"), nullable=True)
_RANK = pa.Column("Int64", pa.Check.in_range(1, 17), nullable=True)
_EDU = pa.Column("string", pa.Check.isin(["SD", "SMP", "SMA", "D3", "S1", "S2", "S3", "Tidak sekolah"]), nullable=True)


def _items_in_range(df: pd.DataFrame) -> pd.Series | bool:
    from kinerja_research.clean.tables import item_scales

    scales = item_scales()
    ok = np.ones(len(df), dtype=bool)
    for c in df.columns:  # every row of every item column, on numpy arrays (no intermediate Series)
        if c in scales:
            _, lo, hi, _ = scales[c]
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
        "gender": pa.Column("string", pa.Check.isin(["L", "P"])),
        "birth_date": pa.Column("datetime64[ns]"),
        "age": pa.Column(float, pa.Check.in_range(14, 100), nullable=True),
        "tenure_years": pa.Column(float, pa.Check.ge(-1), nullable=True),
        "golongan": _GOL,
        "golongan_rank": _RANK,
        "education": _EDU,
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
        "period": pa.Column("string", pa.Check.str_matches(r"^\d{4}-S[12]$")),
        "period_start": pa.Column("datetime64[ns]"),
        "golongan": _GOL,
        "golongan_rank": _RANK,
        "rating_hasil_kerja": pa.Column("string", pa.Check.isin(["above", "as_expected", "below"]), nullable=True),
        "rating_perilaku": pa.Column("string", pa.Check.isin(["above", "as_expected", "below"]), nullable=True),
        "predikat": pa.Column(
            "string",
            pa.Check.isin(["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"]),
            nullable=True,
        ),
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
        )
    ],
    unique=["person_id", "course", "start"],
    strict=False,
    name="training",
)
satisfaction_schema = pa.DataFrameSchema(
    {
        "respondent_id": pa.Column("string", pa.Check.str_matches(r"^R[0-9a-f]{16}$"), unique=True),
        "region_code": _REGION,
        "service_unit": pa.Column("string", nullable=True),
        "submitted_at": pa.Column("datetime64[ns]", nullable=True),
        "period": pa.Column("string", pa.Check.str_matches(r"^\d{4}-Q[1-4]$"), nullable=True),
        **{f"U{i}": pa.Column("Int64", pa.Check.in_range(1, 4), nullable=True, required=False) for i in range(1, 10)},
        "gender": pa.Column("string", pa.Check.isin(["L", "P"]), nullable=True),
        "age": pa.Column(float, pa.Check.in_range(15, 100), nullable=True),
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
