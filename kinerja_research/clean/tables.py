"""Clean one canonical table: raw text cells (already renamed to canonical columns) -> processed table,
quarantined rows and one problem record per finding.

Used by :func:`kinerja_research.pipeline.build_processed`. Every step is vectorised over the whole table (all files of
one table together) and each distinct value is interpreted once. Severity: ``error`` (the row goes to quarantine with
its reasons), ``warning`` (the value is set missing or the row is flagged, the row stays), ``info`` (the value was read
after normalisation; nothing lost).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from kinerja_research.clean.agency import normalise_agency
from kinerja_research.clean.golongan import parse_golongan
from kinerja_research.clean.likert import _lookup as _likert_lookup
from kinerja_research.clean.likert import map_likert
from kinerja_research.clean.nip import parse_nip
from kinerja_research.clean.quality import duplicate_submissions, too_fast
from kinerja_research.clean.values import parse_bool, parse_date, parse_number

__all__ = ["Problems", "PROBLEM_COLUMNS", "RULE_SEVERITY", "clean_table", "item_scales", "PRIVATE_COLUMNS"]

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
    "region_variant": "info",
    "golongan_variant": "info",
    "decimal_comma": "info",
    "date_format": "info",
}


class Problems:
    """Collects problem records as arrays (only flagged rows), assembled into one DataFrame at the end.

    ``add(raw, mask, ...)`` takes the table's raw frame only for its cells (the value shown); file names, row
    numbers and source headers come from what the constructor stored, so no row of ``raw`` is copied.
    """

    def __init__(self, raw: pd.DataFrame, table: str, headers: Mapping[str, Mapping[str, str]]):
        self.table = table
        self.headers = headers
        self.file = raw["_file"].to_numpy(dtype=object)
        self.file_codes, names = pd.factorize(raw["_file"], sort=True)
        self.file_names = list(names)
        self.row = raw["_row"].to_numpy(dtype=np.int64)
        self.region = None
        self.names: frozenset = frozenset()  # known person names (token tuples): such values are written redacted
        self.parts: list[tuple] = []

    def add(
        self,
        raw,
        mask,
        *,
        table: str | None = None,
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
        if field_name in PRIVATE_COLUMNS:
            vals = np.full(idx.size, "<redacted>", dtype=object)
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
        table: str | None = None,
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
        from kinerja_research._arrays import take_strings

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

        file_c, file_u = self.file_codes[idx], self.file_names
        field_c, field_u = coded_parts(2)
        rule_c, rule_u = coded_parts(4)
        sev_c, sev_u = coded_parts(5)
        col_c, col_u = coded(np.concatenate([p[1] for p in self.parts]))
        reg_c, reg_u = coded(np.concatenate([p[6] for p in self.parts]))
        rows = self.row[idx]
        order = np.lexsort((rule_c, field_c, rows, file_c))
        self.positions = idx[order]  # row position in the table of each record, in the frame's order
        values = np.concatenate([p[3] for p in self.parts])[order]
        from kinerja_research.clean.pii import redact_cells

        values = redact_cells(values, self.names)  # a NIP or a name typed into any other column
        import pyarrow as pa

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


@lru_cache(maxsize=1)
def item_scales() -> dict[str, tuple[str, int, int, dict]]:
    """Item id -> (codebook name, scale min, scale max, label map), from every shipped codebook."""
    from kinerja_research.instruments import list_codebooks, load_codebook

    out = {}
    for name in list_codebooks():
        cb = load_codebook(name)
        labels = cb.label_map()
        for item in cb.item_ids:
            out[item] = (name, int(cb.scale["min"]), int(cb.scale["max"]), labels)
    return out


_WAVE = {
    "pre": "pre",
    "sebelum": "pre",
    "awal": "pre",
    "baseline": "pre",
    "pretest": "pre",
    "pre-test": "pre",
    "pre test": "pre",
    "1": "pre",
    "gelombang 1": "pre",
    "post": "post",
    "sesudah": "post",
    "setelah": "post",
    "akhir": "post",
    "posttest": "post",
    "post-test": "post",
    "post test": "post",
    "2": "post",
    "gelombang 2": "post",
    "endline": "post",
}
_EDUCATION = {
    "sd": "SD",
    "smp": "SMP",
    "sltp": "SMP",
    "sma": "SMA",
    "slta": "SMA",
    "smk": "SMA",
    "ma": "SMA",
    "sma/smk": "SMA",
    "sma/sederajat": "SMA",
    "d1": "D3",
    "d2": "D3",
    "d3": "D3",
    "diii": "D3",
    "d-iii": "D3",
    "diploma": "D3",
    "diploma iii": "D3",
    "d4": "S1",
    "div": "S1",
    "d-iv": "S1",
    "s1": "S1",
    "sarjana": "S1",
    "s-1": "S1",
    "s2": "S2",
    "magister": "S2",
    "s-2": "S2",
    "master": "S2",
    "s3": "S3",
    "doktor": "S3",
    "s-3": "S3",
    "tidak sekolah": "Tidak sekolah",
}
_RATING = {
    "di atas ekspektasi": "above",
    "diatas ekspektasi": "above",
    "above": "above",
    "above expectations": "above",
    "sesuai ekspektasi": "as_expected",
    "as expected": "as_expected",
    "as_expected": "as_expected",
    "di bawah ekspektasi": "below",
    "dibawah ekspektasi": "below",
    "below": "below",
    "below expectations": "below",
}
_PREDIKAT = {
    "sangat baik": "Sangat Baik",
    "baik": "Baik",
    "butuh perbaikan": "Butuh Perbaikan",
    "kurang/misconduct": "Kurang/Misconduct",
    "kurang": "Kurang/Misconduct",
    "misconduct": "Kurang/Misconduct",
    "kurang / misconduct": "Kurang/Misconduct",
    "sangat kurang": "Sangat Kurang",
}
_GENDER = {
    "l": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "pria": "L",
    "male": "L",
    "m": "L",
    "p": "P",
    "perempuan": "P",
    "wanita": "P",
    "female": "P",
    "f": "P",
}


_WAVE_WORDS = {
    "sebelum": "pre",
    "pre": "pre",
    "pretest": "pre",
    "awal": "pre",
    "baseline": "pre",
    "sesudah": "post",
    "setelah": "post",
    "post": "post",
    "posttest": "post",
    "akhir": "post",
    "endline": "post",
}


def _map_values(
    s: pd.Series, table: Mapping[str, object], extra: Mapping | None = None, words: Mapping[str, str] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Map distinct values through a lower-cased lookup; returns (mapped values, unknown mask).

    With ``words``, a value maps when its words hit exactly one target (``"Tahap 1 - sebelum pelatihan"`` -> pre).
    """
    look = {str(k).strip().lower(): v for k, v in table.items()}
    if extra:
        look |= {str(k).strip().lower(): v for k, v in extra.items()}
    codes, uniques = pd.factorize(s.astype("string"), use_na_sentinel=True)
    keys = [re.sub(r"\s+", " ", str(u).strip().lower()) for u in uniques]
    vals = [look.get(k) for k in keys]
    if words:
        for i, k in enumerate(keys):
            if vals[i] is None:
                hits = {words[w] for w in re.findall(r"[a-z]+", k) if w in words}
                vals[i] = hits.pop() if len(hits) == 1 else None
    if all(v is None or isinstance(v, str) for v in vals):
        from kinerja_research._arrays import take_strings

        out = take_strings(vals, codes, index=s.index)
    else:
        out = pd.Series(np.array(vals + [None], dtype=object)[np.where(codes < 0, len(vals), codes)], index=s.index)
    blank = np.array([k == "" for k in keys] + [True])[np.where(codes < 0, len(keys), codes)]
    unknown = pd.Series(out.isna().to_numpy() & ~blank, index=s.index)
    return out, unknown


def _col(raw: pd.DataFrame, name: str) -> pd.Series:
    if name in raw:
        return raw[name]
    return pd.Series(pd.NA, index=raw.index, dtype="string")


def _regions(raw: pd.DataFrame, probs: Problems, table: str) -> pd.Series:
    """Region code per row from the ``region`` column (free text or code) or the file's spec region."""
    from kinerja_research._arrays import take_strings
    from kinerja_research.regions import match_regions

    text = _col(raw, "region").astype("string")
    has_text = (text.notna() & (text.str.strip() != "")).fillna(False).to_numpy(dtype=bool)
    spec = (
        raw["_region_spec"].astype("string")
        if "_region_spec" in raw
        else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    use = text.where(has_text, spec)
    codes, uniques = pd.factorize(use, use_na_sentinel=True)
    m = match_regions(list(uniques), level="kabkota")
    status_arr = np.array(m["status"].tolist() + ["missing"], dtype=object)
    idx = np.where(codes < 0, len(uniques), codes)
    code = take_strings(m["code"].tolist(), codes, index=raw.index)
    status = status_arr[idx]
    probs.add(raw, status == "missing", table=table, field_name="region", rule="missing_value", severity="error")
    probs.add(raw, status == "unknown", table=table, field_name="region", rule="region_unknown", value=use)
    probs.add(raw, status == "ambiguous", table=table, field_name="region", rule="region_ambiguous", value=use)
    # Spelling variants: a value that differs from the most common spelling of the same region in the same file
    # (integer codes only: file x distinct text counts, then the dominant text per file x region).
    resolved = (status == "ok") & has_text
    if resolved.any():
        fcodes, _ = pd.factorize(raw["_file"])
        n_text = len(uniques)
        key = fcodes[resolved].astype(np.int64) * n_text + codes[resolved]
        keys, counts = np.unique(key, return_counts=True)
        region_of_text = pd.factorize(m["code"].fillna("").to_numpy(dtype=object))[0]
        t = pd.DataFrame({"f": keys // n_text, "t": keys % n_text, "k": counts})
        t["c"] = region_of_text[t["t"].to_numpy()]
        t = t.sort_values(["f", "c", "k", "t"], ascending=[True, True, False, True], kind="mergesort")
        dominant = t.drop_duplicates(["f", "c"]).set_index(["f", "c"])["t"]
        t["dominant"] = dominant.reindex(pd.MultiIndex.from_arrays([t["f"], t["c"]])).to_numpy()
        variant_key = set((t["f"][t["t"] != t["dominant"]] * n_text + t["t"][t["t"] != t["dominant"]]).tolist())
        variant = np.zeros(len(raw), dtype=bool)
        if variant_key:
            variant[np.flatnonzero(resolved)] = np.isin(key, np.fromiter(variant_key, dtype=np.int64))
        probs.add(raw, variant, table=table, field_name="region", rule="region_variant", region_code=code)
    return code


def _dates(raw, probs, table, name, dayfirst, region_code, *, required=False):
    res = parse_date(_col(raw, name), dayfirst=dayfirst)
    sev = {"missing_value": "error"} if required else None
    probs.add_rules(
        raw,
        res["rule"],
        table=table,
        field_name=name,
        region_code=region_code,
        severity=sev,
        skip=() if required else ("missing_value",),
    )
    return res["value"]


def _minority(raw, rules: pd.Series, rule: str) -> pd.Series:
    """Keep ``rule`` only in files where fewer than half of the filled cells have it: a file that writes every
    number with a decimal comma follows its own convention; a few such cells among decimal points are worth a note."""
    has = rules.eq(rule).fillna(False).to_numpy(dtype=bool)
    if not has.any():
        return rules
    filled = ~rules.eq("missing_value").fillna(False).to_numpy(dtype=bool)
    f, _ = pd.factorize(raw["_file"])
    share = np.bincount(f, weights=has) / np.maximum(np.bincount(f, weights=filled), 1)
    return rules.mask(has & (share[f] >= 0.5))


def _numbers(raw, probs, table, name, region_code, *, low=None, high=None):
    res = parse_number(_col(raw, name))
    probs.add_rules(
        raw, _minority(raw, res["rule"], "decimal_comma"), table=table, field_name=name, region_code=region_code
    )
    v = res["value"]
    bad = np.zeros(len(v), dtype=bool)
    if low is not None:
        bad |= (v < low).to_numpy()
    if high is not None:
        bad |= (v > high).to_numpy()
    probs.add(raw, bad, table=table, field_name=name, rule="out_of_range", region_code=region_code)
    return v.mask(bad)


def _categorical(raw, probs, table, name, lookup, region_code, values_map=None):
    out, unknown = _map_values(_col(raw, name), lookup, values_map)
    probs.add(raw, unknown.to_numpy(), table=table, field_name=name, rule="value_unknown", region_code=region_code)
    return out.astype("string")


def _golongan(raw, probs, table, region_code):
    """Parse golongan; a spelling variant is reported only in files whose values are mostly written canonically
    (a file that writes every grade as a pangkat name made a choice, not a mistake)."""
    g = parse_golongan(_col(raw, "golongan"))
    rule = g["golongan_rule"]
    variant = rule.eq("golongan_variant").fillna(False).to_numpy(dtype=bool)
    canonical = g["golongan"].notna().to_numpy(dtype=bool) & ~variant
    f, _ = pd.factorize(raw["_file"])
    share = np.bincount(f, weights=canonical) / np.maximum(np.bincount(f), 1)
    rule = rule.mask(variant & ~(share[f] > 0.5))
    probs.add_rules(raw, rule, table=table, field_name="golongan", region_code=region_code)
    return g


def _duration(raw, probs, table, region_code):
    s = _col(raw, "duration_s").astype("string").str.strip()
    colon = s.str.contains(":", regex=False).fillna(False)
    hms = (
        s.where(colon).str.extract(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
        if colon.any()
        else pd.DataFrame({0: pd.NA, 1: pd.NA, 2: pd.NA}, index=s.index)
    )
    is_hms = hms[2].notna()
    res = parse_number(s.where(~is_hms))
    hms_s = (
        pd.to_numeric(hms[0], errors="coerce").fillna(0) * 3600
        + pd.to_numeric(hms[1], errors="coerce") * 60
        + pd.to_numeric(hms[2], errors="coerce")
    )
    v = res["value"].where(~is_hms, hms_s)
    rules = _minority(raw, res["rule"].where(~is_hms, pd.NA), "decimal_comma")
    probs.add_rules(raw, rules, table=table, field_name="duration_s", region_code=region_code)
    neg = (v < 0).fillna(False).to_numpy()
    probs.add(raw, neg, table=table, field_name="duration_s", rule="out_of_range", region_code=region_code)
    return v.mask(neg).astype(float)


#: NIP rules that say the cell is not a NIP at all (export damage such as scientific notation is another cause)
_NOT_A_NIP = ("nip_length", "nip_invalid_date", "nip_gender")


def _unusable_nip_files(raw, probs, rules: pd.Series, *, share: float = 0.9, min_rows: int = 20) -> None:
    """A file whose NIP column (nearly) never holds a NIP is mapped wrongly: fail rather than quarantine it all."""
    bad = rules.isin(_NOT_A_NIP).fillna(False).to_numpy(dtype=bool)
    if not bad.any():
        return
    filled = ~rules.eq("missing_value").fillna(False).to_numpy(dtype=bool)
    n_bad = np.bincount(probs.file_codes, weights=bad, minlength=len(probs.file_names))
    n_filled = np.bincount(probs.file_codes, weights=filled, minlength=len(probs.file_names))
    for k in np.flatnonzero((n_filled >= min_rows) & (n_bad > share * np.maximum(n_filled, 1))):
        from kinerja_research.errors import KinerjaError

        f = probs.file_names[k]
        header = probs.headers.get(f, {}).get("nip", "nip")
        raise KinerjaError(
            f"file '{f}', column '{header}' (mapped to nip): {int(n_bad[k])} of {int(n_filled[k])} "
            f"values are not NIPs; rule: a file whose NIP column is more than {share:.0%} invalid is "
            f"unusable, the likely cause is a wrong header mapping in dataset.yml (columns swapped)"
        )


#: Plausible age (years) of a respondent and smallest tenure (a new CPNS may answer shortly before the TMT month);
#: the same bounds as the survey schema (kinerja_research.schemas), so a row outside them is quarantined, not fatal.
AGE_RANGE = (14.0, 100.0)
MIN_TENURE = -1.0


def _implausible_people(raw, probs, people, region_code) -> None:
    """Quarantine rows whose NIP gives an impossible age (birth year 1920 -> 105 years) or tenure."""
    age = people["age"].to_numpy(dtype=float, na_value=np.nan)
    bad = (age < AGE_RANGE[0]) | (age > AGE_RANGE[1])
    probs.add(
        raw,
        bad,
        field_name="age",
        rule="age_out_of_range",
        region_code=region_code,
        cells=np.char.mod("%.1f", age[bad]).astype(object),
    )
    ten = people["tenure_years"].to_numpy(dtype=float, na_value=np.nan)
    bad_t = ten < MIN_TENURE
    probs.add(
        raw,
        bad_t,
        field_name="tenure_years",
        rule="tenure_out_of_range",
        region_code=region_code,
        cells=np.char.mod("%.1f", ten[bad_t]).astype(object),
    )


def _people(raw, probs, table, at, region_code):
    nip = parse_nip(_col(raw, "nip"), at=at)
    _unusable_nip_files(raw, probs, nip["nip_rule"])
    sev = {"missing_value": "error"}
    probs.add_rules(raw, nip["nip_rule"], table=table, field_name="nip", severity=sev, region_code=region_code, skip=())
    return nip


def clean_table(
    table: str, raw: pd.DataFrame, *, key: bytes, options: Mapping | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean one table.

    Parameters
    ----------
    table : {"survey", "performance", "training", "satisfaction"}
    raw : pandas.DataFrame
        Text cells under canonical names, plus ``_file`` (file name), ``_row`` (1-based data row in the file),
        ``_region_spec`` (region given by dataset.yml, or missing) and, for satisfaction, ``_file_hash``;
        ``raw.attrs["headers"]`` maps file -> {canonical: source header}, ``raw.attrs["values"]`` the value maps
        of dataset.yml (merged over the table's files), ``raw.attrs["dayfirst"]`` the date order option.
    key : bytes
        Pseudonym key.
    options : mapping, optional
        ``reference_date``, ``seconds_per_item`` (2.0), ``straight_min_items`` (10), ``known_names`` (person names
        as :func:`kinerja_research.clean.pii.name_keys` token tuples; default: the table's own ``name`` column),
        redacted wherever they are typed into another column (rule ``pii_in_free_text``).

    Returns
    -------
    (clean, quarantine, problems) : tuple of pandas.DataFrame
        ``clean`` in the canonical column order, ``quarantine`` the rows with errors (same columns plus ``_file``,
        ``_row``, ``reasons``), ``problems`` one row per finding (:data:`PROBLEM_COLUMNS`).
    """
    from kinerja_research.privacy import pseudonymise

    options = dict(options or {})
    attrs = dict(raw.attrs)
    raw.attrs = {}  # pandas deep-copies attrs on every operation: keep them out of the hot path
    probs = Problems(raw, table, attrs.get("headers", {}))
    dayfirst = attrs.get("dayfirst")
    vmaps = attrs.get("values", {})
    ref = options.get("reference_date")
    out: dict = {}  # columns, made into one DataFrame at the end (no fragmented inserts)
    code = _regions(raw, probs, table)
    probs.region = code.to_numpy(dtype=object, na_value=None)
    from kinerja_research.clean.pii import name_keys

    if "known_names" in options:  # given by the pipeline: this table's names and those of the tables before it
        probs.names = frozenset(options["known_names"])
    else:
        probs.names = name_keys(raw["name"]) if "name" in raw else frozenset()
    # Blank cells of optional columns (required ones -- nip, region, wave, period -- are errors, reported below;
    # items report their own).
    special = {"nip", "region", "wave", "period"} | set(PRIVATE_COLUMNS)
    for c in raw.columns:
        if c.startswith("_") or c in special or c in item_scales():
            continue
        blank = raw[c].isna() | (raw[c].astype("string").str.strip() == "")
        probs.add(raw, blank.fillna(True).to_numpy(), table=table, field_name=c, rule="missing_value", region_code=code)

    if table == "satisfaction":
        out["respondent_id"] = pseudonymise(
            raw["_file_hash"].astype("string") + ":" + raw["_row"].astype("string"), key=key, prefix="R"
        )
    else:
        at = None
        if "submitted_at" in raw:
            submitted = _dates(raw, probs, table, "submitted_at", dayfirst, code)
            at = submitted.fillna(pd.Timestamp(ref)) if ref is not None else submitted
        elif ref is not None:
            at = pd.Timestamp(ref)
        people = _people(raw, probs, table, at, code)
        out["person_id"] = pseudonymise(people["nip"], key=key)
    out["region_code"] = code

    if table == "survey":
        out["agency"] = normalise_agency(_col(raw, "agency"))
        wave, unknown = _map_values(_col(raw, "wave"), _WAVE, vmaps.get("wave"))
        if unknown.any():  # "Tahap 1 - sebelum pelatihan": one wave word among others
            by_word, still = _map_values(_col(raw, "wave").where(unknown.to_numpy()), {}, None, words=_WAVE_WORDS)
            wave = wave.fillna(by_word)
            unknown = unknown & wave.isna()
        probs.add(raw, unknown.to_numpy(), table=table, field_name="wave", rule="wave_unknown", region_code=code)
        probs.add(
            raw,
            (wave.isna() & ~unknown).to_numpy(),
            table=table,
            field_name="wave",
            rule="missing_value",
            severity="error",
            region_code=code,
        )
        out["wave"] = wave.astype("string")
        tr = parse_bool(_col(raw, "trained"), mapping=vmaps.get("trained"))
        probs.add_rules(raw, tr["rule"], table=table, field_name="trained", region_code=code)
        out["trained"] = tr["value"]
        out["submitted_at"] = (
            submitted if "submitted_at" in raw else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        )
        out["duration_s"] = _duration(raw, probs, table, code)
        _implausible_people(raw, probs, people, code)
        out["gender"] = people["gender"]
        out["birth_date"] = people["birth_date"]
        out["age"] = people["age"]
        out["tenure_years"] = people["tenure_years"]
        g = _golongan(raw, probs, table, code)
        out["golongan"] = g["golongan"]
        out["golongan_rank"] = g["golongan_rank"]
        out["education"] = _categorical(raw, probs, table, "education", _EDUCATION, code, vmaps.get("education"))
        scales = item_scales()
        items = [c for c in raw.columns if c in scales]
        unknown_items = [c for c in raw.columns if re.fullmatch(r"[A-Z]{1,4}\d{1,3}", c) and c not in scales]
        label_ids: dict[str, int] = {}
        # straight-lining is tracked while mapping (min/max answer text id per row), so no copy of all answers
        n_answered = np.zeros(len(raw), dtype=np.int32)
        id_lo = np.full(len(raw), np.inf)
        id_hi = np.full(len(raw), -np.inf)
        # the answers go straight into one (items x rows) float block: no per-column arrays stacked (copied) later
        item_block = np.empty((len(items), len(raw)), dtype=float)
        for j, c in enumerate(items):
            _, lo, hi, labels = scales[c]
            # work on the distinct answers: a rule is set per distinct answer, its rows found by one gather
            at, vals, rules, uids, texts = _likert_lookup(raw[c], labels=labels, low=lo, high=hi, label_ids=label_ids)
            for rule in sorted({r for r in rules if r is not None}):
                flag = (rules == rule)[at]
                probs.add(raw, flag, table=table, field_name=c, rule=rule, region_code=code, cells=texts[at[flag]])
            item_block[j] = vals[at]
            out[c] = _ITEM_BLOCK
            ids = uids[at]
            n_answered += ~np.isnan(ids)
            np.fmin(id_lo, ids, out=id_lo)
            np.fmax(id_hi, ids, out=id_hi)
            del ids
            del raw[c]  # the raw answers are no longer needed: free them
        if unknown_items:
            from kinerja_research.errors import KinerjaError

            raise KinerjaError(
                f"columns {unknown_items} are mapped as item ids but no codebook has them; rule: item "
                f"ids come from the codebooks in kinerja_research/instruments"
            )
        sl = pd.Series((n_answered >= int(options.get("straight_min_items", 10))) & (id_lo == id_hi), index=raw.index)
        probs.add(
            raw,
            sl.to_numpy(),
            table=table,
            field_name="items",
            rule="straight_lining",
            region_code=code,
            value=pd.Series("all answers identical", index=raw.index, dtype="string"),
        )
        fast = too_fast(
            out["duration_s"], n_items=max(len(items), 1), seconds_per_item=float(options.get("seconds_per_item", 2.0))
        )
        probs.add(raw, fast.to_numpy(), table=table, field_name="duration_s", rule="too_fast", region_code=code)
        out["too_fast"] = fast.to_numpy()
        out["straight_lining"] = sl.to_numpy()
        dup_key = ["person_id", "wave"]
        order = "submitted_at"
    elif table == "performance":
        out["agency"] = normalise_agency(_col(raw, "agency"))
        period, start = _periods(_col(raw, "period"), semester=True, values_map=vmaps.get("period"))
        bad = period.isna().to_numpy() & _col(raw, "period").notna().to_numpy()
        probs.add(raw, bad, table=table, field_name="period", rule="value_unknown", severity="error", region_code=code)
        probs.add(
            raw,
            (period.isna() & _col(raw, "period").isna()).to_numpy(),
            table=table,
            field_name="period",
            rule="missing_value",
            severity="error",
            region_code=code,
        )
        out["period"] = period
        ps = _dates(raw, probs, table, "period_start", dayfirst, code) if "period_start" in raw else start
        out["period_start"] = ps.fillna(start)
        g = _golongan(raw, probs, table, code)
        out["golongan"] = g["golongan"]
        out["golongan_rank"] = g["golongan_rank"]
        for c in ("rating_hasil_kerja", "rating_perilaku"):
            out[c] = _categorical(raw, probs, table, c, _RATING, code, vmaps.get(c))
        out["predikat"] = _categorical(raw, probs, table, "predikat", _PREDIKAT, code, vmaps.get("predikat"))
        out["capaian_pct"] = _numbers(raw, probs, table, "capaian_pct", code, low=0, high=300)
        dup_key = ["person_id", "period"]
        order = "_row"
    elif table == "training":
        out["course"] = _col(raw, "course").astype("string").str.strip().str.replace(r"\s+", " ", regex=True)
        out["start"] = _dates(raw, probs, table, "start", dayfirst, code)
        out["end"] = _dates(raw, probs, table, "end", dayfirst, code)
        out["jp"] = _numbers(raw, probs, table, "jp", code, low=0, high=2000)
        pr = parse_bool(_col(raw, "programme"), mapping=vmaps.get("programme"))
        probs.add_rules(raw, pr["rule"], table=table, field_name="programme", region_code=code)
        out["programme"] = pr["value"]
        order_bad = (out["end"] < out["start"]).fillna(False).to_numpy()
        probs.add(raw, order_bad, table=table, field_name="end", rule="date_order", region_code=code)
        dup_key = ["person_id", "course", "start"]
        order = "_row"
    elif table == "satisfaction":
        out["service_unit"] = normalise_agency(_col(raw, "service_unit"))
        out["submitted_at"] = _dates(raw, probs, table, "submitted_at", dayfirst, code)
        period, _ = _periods(_col(raw, "period"), semester=False, values_map=vmaps.get("period"))
        derived = (
            out["submitted_at"].dt.year.astype("Int64").astype("string")
            + "-Q"
            + out["submitted_at"].dt.quarter.astype("Int64").astype("string")
        )
        bad = period.isna().to_numpy() & _col(raw, "period").notna().to_numpy()
        probs.add(raw, bad, table=table, field_name="period", rule="value_unknown", region_code=code)
        out["period"] = period.fillna(derived)
        scales = item_scales()
        for c in [f"U{i}" for i in range(1, 10)]:
            if c in raw:
                _, lo, hi, labels = scales[c]
                res = map_likert(raw[c], labels=labels, low=lo, high=hi)
                probs.add_rules(raw, res["rule"], table=table, field_name=c, region_code=code, skip=())
                out[c] = pd.array(res["value"].to_numpy(), dtype="Float64").astype("Int64")
        out["gender"] = _categorical(raw, probs, table, "gender", _GENDER, code, vmaps.get("gender"))
        out["age"] = _numbers(raw, probs, table, "age", code, low=15, high=100)
        out["education"] = _categorical(raw, probs, table, "education", _EDUCATION, code, vmaps.get("education"))
        out["occupation"] = _col(raw, "occupation").astype("string").str.strip()
        dup_key, order = None, None

    out = _frame(out, raw.index, item_block if table == "survey" else None)
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].astype("datetime64[ns]")
    out["_file"] = raw["_file"].astype("string")
    out["_row"] = raw["_row"].astype("int64")
    if dup_key is not None:
        if order == "_row":
            order_df = out.assign(_order=np.arange(len(out)))
            d = duplicate_submissions(order_df, key=dup_key, order="_order")
        else:
            d = duplicate_submissions(out, key=dup_key, order=order)
        probs.add(
            raw,
            d["drop"].to_numpy(),
            table=table,
            field_name=dup_key[0],
            rule="duplicate_submission",
            value=pd.Series("dropped: a later submission exists", index=raw.index, dtype="string"),
            region_code=code,
        )
        probs.add(
            raw,
            (d["duplicate"] & ~d["drop"]).to_numpy(),
            table=table,
            field_name=dup_key[0],
            rule="duplicate_submission",
            severity="info",
            value=pd.Series("kept: latest of repeated submissions", index=raw.index, dtype="string"),
            region_code=code,
        )
    if table == "survey":
        _wave_order(out, raw, probs, code)
    _redact_free_text(out, raw, probs, table, code)

    problems = probs.frame()
    is_err = problems["severity"].eq("error").fillna(False).to_numpy(dtype=bool)
    if is_err.any():
        # (file, row) as one integer per table row: file code x (largest row + 1) + row (no 1M key strings)
        width = int(probs.row.max()) + 1 if len(probs.row) else 1
        row_key = probs.file_codes.astype(np.int64) * width + probs.row
        e = pd.DataFrame(
            {"k": row_key[probs.positions[is_err]], "rule": problems["rule"].to_numpy(dtype=object)[is_err]}
        ).drop_duplicates()
        codes, uniq = pd.factorize(e["k"])
        order = np.argsort(codes, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1]
        joined = np.add.reduceat((e["rule"].to_numpy(dtype=object) + ";")[order], starts)
        texts = np.array([j[:-1] for j in joined] + [None], dtype=object)
        at = pd.Index(uniq[codes[order][starts]]).get_indexer(row_key)  # -1: no error in that row
        reason = pd.Series(texts[at], index=out.index, dtype=object)  # texts[-1] is None
    else:
        reason = pd.Series(pd.NA, index=out.index, dtype="string")
    bad = reason.notna().to_numpy()
    quarantine = out.loc[bad].assign(reasons=reason[bad].astype("string")).reset_index(drop=True)
    clean = out.loc[~bad].drop(columns=["_file", "_row"]).reset_index(drop=True)
    return clean, quarantine, problems


#: String columns of the outputs that the personal-data scan leaves alone: pseudonyms, codes, the file name, and
#: columns that only ever hold values of a fixed vocabulary (mapped through lookups, unknown values set missing).
_NOT_FREE_TEXT = (
    "person_id",
    "respondent_id",
    "region_code",
    "_file",
    "reasons",
    "wave",
    "golongan",
    "education",
    "gender",
    "rating_hasil_kerja",
    "rating_perilaku",
    "predikat",
    "period",
)


def _redact_free_text(out: pd.DataFrame, raw, probs, table, code) -> None:
    """Redact 18-digit runs and known names in every kept text column (in place) and report ``pii_in_free_text``."""
    from kinerja_research.clean.pii import REDACTED, redact_series

    for c in out.columns:
        if c in _NOT_FREE_TEXT or not (pd.api.types.is_string_dtype(out[c]) or out[c].dtype == object):
            continue
        red, mask = redact_series(out[c], probs.names)
        if mask.any():
            out[c] = red.astype(out[c].dtype) if out[c].dtype != object else red.astype(object)
            probs.add(
                raw,
                mask,
                table=table,
                field_name=c,
                rule="pii_in_free_text",
                region_code=code,
                cells=np.full(int(mask.sum()), REDACTED, dtype=object),
            )


_ITEM_BLOCK = object()  # placeholder in the column dict of clean_table: the column lives in the item block


def _frame(cols: dict, index, item_block: np.ndarray | None) -> pd.DataFrame:
    """DataFrame of ``cols`` in their order; columns marked ``_ITEM_BLOCK`` are the rows of ``item_block`` (one
    2-D float block, wrapped without a copy)."""
    names = list(cols)
    at = [i for i, k in enumerate(names) if cols[k] is _ITEM_BLOCK]
    if not at:
        return pd.DataFrame(cols, index=index)
    i0, i1 = at[0], at[-1] + 1
    parts = [
        pd.DataFrame({k: cols[k] for k in names[:i0]}, index=index),
        pd.DataFrame(item_block.T, columns=names[i0:i1], index=index, copy=False),
        pd.DataFrame({k: cols[k] for k in names[i1:]}, index=index),
    ]
    return pd.concat(parts, axis=1)


def _wave_order(out, raw, probs, code):
    """Warn when a person's post-wave submission is not after the pre-wave one."""
    pid, _ = pd.factorize(out["person_id"], use_na_sentinel=True)
    wave = out["wave"].to_numpy(dtype=object, na_value=None)
    at = out["submitted_at"].to_numpy(dtype="datetime64[ns]")
    pre_at = np.full(pid.max() + 2 if len(pid) else 1, np.datetime64("NaT"), dtype="datetime64[ns]")
    is_pre = (wave == "pre") & (pid >= 0)
    pre_at[pid[is_pre]] = at[is_pre]  # the last pre submission of each person (duplicates are quarantined)
    bad = (wave == "post") & (pid >= 0) & (at <= pre_at[pid])
    probs.add(raw, bad, table="survey", field_name="submitted_at", rule="wave_order", region_code=code)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _periods(values: pd.Series, *, semester: bool, values_map: Mapping | None = None) -> tuple[pd.Series, pd.Series]:
    """``"2025-S2"``/``"Semester II 2025"``/``"S2 2025"`` (semester) or ``"2026-Q1"``/``"Triwulan I 2026"``/
    ``"TW1 2026"`` (quarter) -> canonical period and its first day (a dataset.yml value map is applied first)."""
    s = values.astype("string").str.strip()
    if values_map:
        look = {str(k).strip().lower(): str(v) for k, v in values_map.items()}
        mapped, _ = _map_values(s, look)
        s = mapped.astype("string").fillna(s)
    s = s.str.lower()
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    per, start = [], []
    for u in uniques:
        u = re.sub(r"\s+", " ", str(u))
        y = re.search(r"(19|20)\d{2}", u)
        rest = u.replace(y.group(0), " ") if y else u
        n = None
        if semester:
            m = re.search(r"(?:semester|smt|sem|s)\s*[-.]?\s*(ii|i|1|2)\b", rest) or re.search(r"\b(ii|i|1|2)\b", rest)
            n = _ROMAN.get(m.group(1)) if m else None
            ok = y is not None and n in (1, 2)
            per.append(f"{y.group(0)}-S{n}" if ok else None)
            start.append(pd.Timestamp(int(y.group(0)), 1 if n == 1 else 7, 1) if ok else pd.NaT)
        else:
            m = re.search(r"(?:triwulan|tw|kuartal|quarter|q)\s*[-.]?\s*(iv|iii|ii|i|[1-4])\b", rest) or re.search(
                r"\b(iv|iii|ii|i|[1-4])\b", rest
            )
            n = _ROMAN.get(m.group(1)) if m else None
            ok = y is not None and n is not None
            per.append(f"{y.group(0)}-Q{n}" if ok else None)
            start.append(pd.Timestamp(int(y.group(0)), 3 * n - 2, 1) if ok else pd.NaT)
    idx = np.where(codes < 0, len(per), codes)
    p = pd.Series(np.array(per + [None], dtype=object)[idx], index=values.index, dtype="string")
    st = pd.Series(
        pd.to_datetime(pd.Series(start + [pd.NaT], dtype="datetime64[ns]")).to_numpy()[idx], index=values.index
    )
    return p, st
