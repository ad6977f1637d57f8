"""Problem records of the clean step: one row of ``validation.csv`` per finding (file, row, column, value, rule).

:class:`Problems` collects the findings of one table as arrays (only the flagged rows) and assembles them into one
DataFrame at the end. :data:`RULE_SEVERITY` is the default severity of every rule: ``error`` (the row goes to
quarantine with its reasons), ``warning`` (the value is set missing or the row is flagged, the row stays), ``info``
(the value was read after normalisation; nothing lost).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from kinerja_research._arrays import take_strings
from kinerja_research.clean.pii import redact_cells, redact_text

__all__ = ["Problems", "PROBLEM_COLUMNS", "PRIVATE_COLUMNS", "RULE_SEVERITY"]

PROBLEM_COLUMNS = ["table", "file", "row", "column", "field", "value", "rule", "severity", "region_code"]
#: Columns that never leave the clean step.
PRIVATE_COLUMNS = ("nip", "name", "email", "phone")
#: Default severity of each rule (some rules are errors only for required columns; see the code).
RULE_SEVERITY = {
    "nip_scientific_notation": "error",
    "nip_precision_loss": "error",
    "nip_invalid_date": "error",
    "nip_length": "error",
    "nip_gender": "error",
    "duplicate_submission": "error",
    "region_unknown": "error",
    "region_ambiguous": "error",
    "wave_unknown": "error",
    "date_order": "error",
    "missing_value": "warning",
    "likert_unknown_label": "warning",
    "out_of_range": "warning",
    "too_fast": "warning",
    "straight_lining": "warning",
    "not_a_number": "warning",
    "not_a_boolean": "warning",
    "date_ambiguous": "warning",
    "date_invalid": "warning",
    "golongan_unknown": "warning",
    "ambiguous_number": "warning",
    "value_unknown": "warning",
    "wave_order": "warning",
    "pii_in_free_text": "warning",
    "age_out_of_range": "error",
    "tenure_out_of_range": "error",
    "period_range_unaligned": "error",
    "likert_off_scale": "warning",
    "self_report_conflict": "warning",
    "golongan_ruang_unknown": "warning",
    "golongan_employment_conflict": "warning",
    "region_variant": "info",
    "golongan_variant": "info",
    "decimal_comma": "info",
    "date_format": "info",
    "region_bps_code": "info",
}


class Problems:
    """Collects problem records as arrays (only flagged rows), assembled into one DataFrame at the end.

    ``add(raw, mask, ...)`` takes the table's raw frame only for its cells (the value shown); file names, row
    numbers and source headers come from what the constructor stored, so no row of ``raw`` is copied.
    """

    def __init__(
        self,
        raw: pd.DataFrame,
        table: str,
        headers: Mapping[str, Mapping[str, str]],
        *,
        aliases: Mapping[str, str] | None = None,
    ):
        self.table = table
        self.headers = headers
        self.aliases = dict(aliases or {})  # file name -> the name shown (a hash alias when it holds an identifier)
        self.file = raw["_file"].to_numpy(dtype=object)
        self.file_codes, names = pd.factorize(raw["_file"], sort=True)
        self.file_names = list(names)
        self.row = raw["_row"].to_numpy(dtype=np.int64)
        self.region = None
        self.names: frozenset = frozenset()  # known person names (name keys): such values are written redacted
        self.parts: list[tuple] = []

    def shown_file(self, name: str) -> str:
        """The name a file is shown by in outputs (its alias when it has one)."""
        return self.aliases.get(name, name)

    def shown_files(self, index=None) -> pd.Series:
        """The shown file name of every row (string column built from the file codes)."""
        return take_strings([self.shown_file(f) for f in self.file_names], self.file_codes, index=index)

    def add(
        self,
        raw,
        mask,
        *,
        field_name: str,
        rule: str,
        severity: str | None = None,
        value=None,
        region_code=None,
        cells: np.ndarray | None = None,
    ) -> None:
        """Record ``rule`` for the rows where ``mask`` is set; the value shown is the raw cell, ``value`` (a per-row
        series) or ``cells`` (the shown values of the flagged rows only, in row order)."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if idx.size == 0:
            return
        if field_name in PRIVATE_COLUMNS:  # a value is hidden; a blank cell stays blank (nothing to hide)
            cell = raw[field_name].take(idx) if field_name in raw else pd.Series([None] * idx.size)
            blank = (cell.isna() | (cell.astype("string").str.strip() == "")).fillna(True).to_numpy(dtype=bool)
            vals = np.where(blank, None, "<redacted>").astype(object)
        elif cells is not None:
            vals = np.asarray(cells, dtype=object)
        elif value is None:
            vals = (
                raw[field_name].take(idx).to_numpy(dtype=object, na_value=None)
                if field_name in raw
                else np.full(idx.size, None, dtype=object)
            )
        else:
            vals = pd.Series(value).take(idx).to_numpy(dtype=object, na_value=None)
        files = self.file[idx]
        ufiles = pd.unique(files)
        if len(ufiles) == 1:
            cols = np.full(idx.size, self.headers.get(ufiles[0], {}).get(field_name, field_name), dtype=object)
        else:
            look = {f: self.headers.get(f, {}).get(field_name, field_name) for f in ufiles}
            cols = pd.Series(files).map(look).to_numpy(dtype=object)
        reg = region_code if region_code is not None else self.region
        regs = (
            pd.Series(reg).take(idx).to_numpy(dtype=object, na_value=None)
            if reg is not None
            else np.full(idx.size, None, dtype=object)
        )
        self.parts.append((idx, cols, field_name, vals, rule, severity or RULE_SEVERITY.get(rule, "warning"), regs))

    def add_rules(
        self,
        raw,
        rules: pd.Series,
        *,
        field_name: str,
        severity: Mapping | None = None,
        value=None,
        region_code=None,
        skip=("missing_value",),
    ) -> None:
        """Add one record per row whose ``rules`` entry is set (each distinct rule once)."""
        valid = rules.notna().to_numpy(dtype=bool)
        if not valid.any():
            return
        where_valid = np.flatnonzero(valid)  # rules are set on few rows: factorize only those
        codes, uniques = pd.factorize(rules.take(where_valid), use_na_sentinel=True)
        for k, rule in enumerate(uniques):
            if rule in skip:
                continue
            mask = np.zeros(len(rules), dtype=bool)
            mask[where_valid[codes == k]] = True
            self.add(
                raw,
                mask,
                field_name=field_name,
                rule=rule,
                severity=(severity or {}).get(rule),
                value=value,
                region_code=region_code,
            )

    def frame(self) -> pd.DataFrame:
        """All records, sorted by file, row, field and rule (string columns built from codes by pyarrow)."""
        if not self.parts:
            self.positions = np.zeros(0, dtype=np.int64)
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "string") for c in PROBLEM_COLUMNS})
        idx = np.concatenate([p[0] for p in self.parts])
        sizes = [len(p[0]) for p in self.parts]

        def coded(values: np.ndarray) -> tuple[np.ndarray, list]:
            codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=True, use_na_sentinel=True)
            return codes, list(uniques)

        def coded_parts(k: int) -> tuple[np.ndarray, list]:
            """Codes of a value that is constant within each part (field, rule, severity): sorted distinct values,
            one code per part repeated over its records (what factorising the repeated values gives)."""
            per_part = [p[k] for p in self.parts]
            uniques = sorted(set(per_part))
            look = {v: i for i, v in enumerate(uniques)}
            return np.repeat(np.array([look[v] for v in per_part], dtype=np.intp), sizes), uniques

        file_c, file_u = self.file_codes[idx], [self.shown_file(f) for f in self.file_names]
        field_c, field_u = coded_parts(2)
        rule_c, rule_u = coded_parts(4)
        sev_c, sev_u = coded_parts(5)
        col_c, col_u = coded(np.concatenate([p[1] for p in self.parts]))
        # a header (or an SPSS variable label used as one) may itself hold a NIP or a name
        col_u = [None if c is None else redact_text(c, self.names) for c in col_u]
        reg_c, reg_u = coded(np.concatenate([p[6] for p in self.parts]))
        rows = self.row[idx]
        order = np.lexsort((rule_c, field_c, rows, file_c))
        self.positions = idx[order]  # row position in the table of each record, in the frame's order
        values = np.concatenate([p[3] for p in self.parts])[order]
        values = redact_cells(values, self.names)  # a NIP or a name typed into any other column
        df = pd.DataFrame(
            {
                "table": take_strings([self.table], np.zeros(len(idx), dtype=np.int64)),
                "file": take_strings(file_u, file_c[order]),
                "row": rows[order],
                "column": take_strings(col_u, col_c[order]),
                "field": take_strings(field_u, field_c[order]),
                "value": pd.Series(
                    pd.array(pa.array(values, type=pa.string(), from_pandas=True), dtype=pd.StringDtype("pyarrow"))
                ),
                "rule": take_strings(rule_u, rule_c[order]),
                "severity": take_strings(sev_u, sev_c[order]),
                "region_code": take_strings(reg_u, reg_c[order]),
            }
        )
        return df[PROBLEM_COLUMNS]
