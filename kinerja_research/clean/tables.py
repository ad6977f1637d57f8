"""Clean one canonical table: raw text cells (already renamed to canonical columns) -> processed table,
quarantined rows and one problem record per finding.

Used by :func:`kinerja_research.pipeline.build_processed`. :func:`clean_table` dispatches to one cleaner per table
(:data:`CLEANERS`); each builds the table's columns from the raw cells and records problems, then one finishing step
common to all tables handles duplicate submissions, personal data typed into kept text, the coarsening of exact dates
(no exact submission time, birth date or start of service leaves the clean step) and the split into clean and
quarantined rows. The input frame is never modified. Every step is vectorised over the whole table (all files of one
table together) and each distinct value is interpreted once. Severity: ``error`` (the row goes to quarantine with its
reasons), ``warning`` (the value is set missing or the row is flagged, the row stays), ``info`` (the value was read
after normalisation; nothing lost).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinerja_research._arrays import take_strings
from kinerja_research.clean._factor import factorize_text
from kinerja_research.clean.agency import looks_like_unit, normalise_agency
from kinerja_research.clean.golongan import parse_golongan
from kinerja_research.clean.likert import ItemScale, _lookup, map_likert, scale_labels, shipped_item_scales
from kinerja_research.clean.nip import parse_nip
from kinerja_research.clean.periods import parse_period
from kinerja_research.clean.pii import REDACTED, name_keys, normalise_text, redact_series
from kinerja_research.clean.problems import PRIVATE_COLUMNS, PROBLEM_COLUMNS, RULE_SEVERITY, Problems
from kinerja_research.clean.quality import duplicate_submissions, too_fast
from kinerja_research.clean.values import parse_bool, parse_date, parse_number
from kinerja_research.clean.vocab import (
    GENDER,
    PREDIKAT,
    RATING,
    WAVE,
    WAVE_WORDS,
    education_level,
    jabatan_category,
)
from kinerja_research.errors import KinerjaError
from kinerja_research.privacy import pseudonymise
from kinerja_research.regions import match_regions

__all__ = [
    "Problems",
    "PROBLEM_COLUMNS",
    "RULE_SEVERITY",
    "PRIVATE_COLUMNS",
    "CLEANERS",
    "AGE_RANGE",
    "FREE_TEXT_EXEMPT",
    "clean_table",
    "finish_table",
    "decide_parts",
    "PART_RULES",
    "item_scales",
    "wave_order_flags",
]

#: Item id -> declared :class:`~kinerja_research.clean.likert.ItemScale` of the shipped codebooks (the default when
#: the pipeline passes no ``item_scales`` option).
item_scales = shipped_item_scales

#: Plausible age of a member of staff in whole years (NIP-derived or self-reported): outside it the row is
#: quarantined (``age_out_of_range``). CPNS/PPPK entry is at 18 at the earliest; the oldest retirement age is 70.
AGE_RANGE = (17, 70)
#: Smallest tenure in years a NIP may give (a new CPNS may answer shortly before the TMT month).
MIN_TENURE = -1.0
#: Self-reported tenure (masa kerja) in whole years outside this range is set missing (``out_of_range``).
TENURE_RANGE = (0, 50)
#: Self-reported and NIP-derived facts that differ by more than this many years are reported as a conflict.
CONFLICT_YEARS = {"age": 1, "tenure_years": 2}
#: Self-reported age of a member of the public (satisfaction survey) outside this range is set missing.
PUBLIC_AGE_RANGE = (15, 100)

_ITEM_BLOCK = object()  # placeholder in the column dict: the column lives in the item block


# --------------------------------------------------------------------------------------------------------------------
# The state of one table being cleaned
# --------------------------------------------------------------------------------------------------------------------
@dataclass
class _Ctx:
    """What every step of one table's cleaning needs: the raw cells, the problem records, the row regions."""

    table: str
    raw: pd.DataFrame
    probs: Problems
    key: bytes
    options: dict
    dayfirst: bool | None = None
    vmaps: dict = field(default_factory=dict)
    code: pd.Series | None = None
    decisions: _Decisions | None = None

    def col(self, name: str) -> pd.Series:
        """The raw column ``name``, or an all-missing text column when the files do not map it."""
        if name in self.raw:
            return self.raw[name]
        return pd.Series(pd.NA, index=self.raw.index, dtype="string")

    def add(self, mask, **kw) -> None:
        self.probs.add(self.raw, mask, region_code=kw.pop("region_code", self.code), **kw)

    def add_rules(self, rules: pd.Series, **kw) -> None:
        self.probs.add_rules(self.raw, rules, region_code=kw.pop("region_code", self.code), **kw)


@dataclass
class _Cleaned:
    """A cleaner's result: the columns in output order, the survey's item block, and the duplicate key."""

    cols: dict
    item_block: np.ndarray | None = None
    dup_key: list[str] | None = None
    dup_order: str | None = None  # a column of ``cols`` ordering submissions, or None for file order


# --------------------------------------------------------------------------------------------------------------------
# Decisions over a whole file or a whole table column (the pipeline cleans a table in parts: chunks of files, and a
# large file in row batches)
# --------------------------------------------------------------------------------------------------------------------
def _dominant(stats: dict, names=frozenset()) -> str:
    """The dominant spelling of a region in a file: most rows, then the one written first."""
    return min(stats.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[0]


def _nip_unusable(stats: tuple, names=frozenset(), *, share: float = 0.9, min_rows: int = 20) -> str | None:
    n_bad, n_filled, shown, header = stats
    if n_filled >= min_rows and n_bad > share * max(n_filled, 1):
        return (
            f"file '{shown}', column '{header}' (mapped to nip): {int(n_bad)} of {int(n_filled)} "
            f"values are not NIPs or NI PPPK numbers; rule: a file whose NIP column is more than {share:.0%} "
            f"invalid is unusable, the likely cause is a wrong header mapping in dataset.yml (columns swapped)"
        )
    return None


def _people_kept(stats: tuple, names=frozenset()) -> str | None:
    distinct, people, shown, header, column, table = stats
    n_people = people if isinstance(people, int) else len(people)
    why = _people_like(pd.Series(distinct, dtype=object), names, int(n_people))
    if not why:
        return None
    return (
        f"file '{shown}', column '{normalise_text(header)}' (mapped to {column}): {why}; "
        f"rule: a kept text column must not hold the people themselves -- fix the header mapping in "
        f"dataset.yml, or declare it free text (free_text: {{{table}: [{column}]}}) to keep it with "
        f"names and NIPs redacted"
    )


def _name_units(stats: tuple, names=frozenset()) -> str | None:
    n_vals, n_units, shown, header = stats
    if n_vals >= 2 and n_units >= 0.5 * n_vals:
        return (
            f"file '{shown}', column '{normalise_text(header)}' (mapped to name): most of its "
            f"values are names of units (Dinas, Badan, UPT ...), not of people; rule: the name column holds "
            f"people's names -- the headers of name and unit are probably swapped in dataset.yml"
        )
    return None


def _date_order(stats: tuple, names=frozenset()) -> bool | None:
    day_ev, month_ev = stats
    return True if day_ev and not month_ev else False if month_ev and not day_ev else None


def _date_main(stats: dict, names=frozenset()) -> str:
    return pd.Series(stats).sort_index().idxmax()


def _sum_counts(a: tuple, b: tuple) -> tuple:
    return tuple(x + y if isinstance(x, int | float | np.integer | np.floating) else x for x, y in zip(a, b))


def _merge_spellings(a: dict, b: dict) -> dict:
    out = dict(a)
    for t, (k, first) in b.items():
        k0, f0 = out.get(t, (0, first))
        out[t] = (k0 + k, min(f0, first))
    return out


def _merge_people(a: tuple, b: tuple) -> tuple:
    distinct = pd.unique(np.concatenate([a[0], b[0]]))
    people = a[1] + b[1] if isinstance(a[1], int) else np.unique(np.concatenate([a[1], b[1]]))
    return (distinct, people, *a[2:])


def _merge_weights(a: dict, b: dict) -> dict:
    return {k: a.get(k, 0) + b.get(k, 0) for k in sorted(set(a) | set(b))}


#: The decisions taken over a whole file (key ``(…, file)``) or a whole table column (key: the column), each as
#: ``(decide(evidence, names) -> decision, merge(evidence, evidence) -> evidence, kind)``; ``kind`` "error": the
#: decision is the one-sentence error of a file that cannot be cleaned (None: fine). A cleaning of part of a table
#: reports its evidence and the decisions it used (option ``keys_out``); the pipeline merges the evidence of every
#: part, decides once (:func:`decide_parts`) and cleans again, with the decisions passed in (option ``decided``),
#: the parts whose own decision differs.
PART_RULES: dict[str, tuple[Callable, Callable, str]] = {
    "region_dominant": (_dominant, _merge_spellings, "value"),  # (file, region code): dominant spelling
    "decimal_comma": (lambda e, names=frozenset(): e[0] / max(e[1], 1) >= 0.5, _sum_counts, "value"),  # (column, file)
    "golongan_canonical": (lambda e, names=frozenset(): e[0] / max(e[1], 1) > 0.5, _sum_counts, "value"),  # file
    "nip_unusable": (_nip_unusable, _sum_counts, "error"),  # file
    "people_kept": (_people_kept, _merge_people, "error"),  # (column, file)
    "name_units": (_name_units, _sum_counts, "error"),  # file
    "date_order": (_date_order, lambda a, b: (a[0] or b[0], a[1] or b[1]), "value"),  # column
    "date_main": (_date_main, _merge_weights, "value"),  # column
    "number_comma": (lambda e, names=frozenset(): bool(e), lambda a, b: bool(a or b), "value"),  # column
}


def decide_parts(parts: list[dict], names: frozenset = frozenset()) -> tuple[dict, list[int]]:
    """Decide once over the parts of one table: ``parts`` are the ``keys_out`` dicts of its cleanings, in table
    order (each ``{"stats": {(rule, key): evidence}, "used": {(rule, key): decision}}``). Returns the decisions
    ``{(rule, key): decision}`` and the indices of the parts whose used decision differs (to be cleaned again with
    option ``decided``). Raises the :class:`~kinerja_research.errors.KinerjaError` of the first file (in table order)
    that cannot be cleaned as a whole."""
    merged: dict = {}
    for p in parts:
        for rk, ev in (p.get("stats") or {}).items():
            merged[rk] = PART_RULES[rk[0]][1](merged[rk], ev) if rk in merged else ev
    decided = {rk: PART_RULES[rk[0]][0](ev, names) for rk, ev in merged.items()}
    for rk, d in decided.items():
        if PART_RULES[rk[0]][2] == "error" and d:
            raise KinerjaError(d)
    differ = [i for i, p in enumerate(parts) if any(decided.get(rk, d) != d for rk, d in (p.get("used") or {}).items())]
    return decided, differ


class _Decisions:
    """Decisions of one cleaning: taken here from local evidence, or the ones passed in (option ``decided``) when the
    pipeline decided over the whole file or column; the evidence and the decisions used are reported in option
    ``keys_out`` (``stats``, ``used``) for the rules over files named in option ``partial_files`` (files cleaned in
    row batches) and for every column rule."""

    def __init__(self, options: Mapping):
        self.given = options.get("decided") or {}
        self.partial = frozenset(options.get("partial_files") or ())
        out = options.get("keys_out")
        self.stats = None if out is None else out.setdefault("stats", {})
        self.used = None if out is None else out.setdefault("used", {})
        self.names: frozenset = frozenset()

    def reports(self, file: str | None) -> bool:
        """Whether evidence about ``file`` (None: a column) is reported (the file is cleaned in parts)."""
        return self.stats is not None and (file is None or file in self.partial)

    def take(self, rule: str, key, evidence, *, file: str | None = None, matters: bool = True):
        """The decision of ``rule`` for ``key`` (``file``: the file it is about, None for a table column); an
        ``error`` rule's sentence is raised here unless the file is cleaned in parts (then the pipeline decides)."""
        rk = (rule, key)
        decide, _, kind = PART_RULES[rule]
        d = self.given[rk] if rk in self.given else decide(evidence, self.names)
        if self.reports(file):
            self.stats[rk] = evidence
            if matters:
                self.used[rk] = d
            if kind == "error":
                return None
        if kind == "error" and d:
            raise KinerjaError(d)
        return d

    def decider(self, column: str) -> Callable:
        """A ``decide`` for :func:`parse_date` / :func:`parse_number` on ``column`` (a table column's decisions)."""
        return lambda rule, evidence, matters=True: self.take(rule, column, evidence, matters=matters)


# --------------------------------------------------------------------------------------------------------------------
# Column cleaners shared by the tables
# --------------------------------------------------------------------------------------------------------------------
def _map_values(
    s: pd.Series, table: Mapping[str, object], extra: Mapping | None = None, words: Mapping[str, str] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Map distinct values through a lower-cased lookup; returns (mapped values, unknown mask).

    With ``words``, a value maps when its words hit exactly one target (``"Tahap 1 - sebelum pelatihan"`` -> pre).
    """
    look = {str(k).strip().lower(): v for k, v in table.items()}
    if extra:
        look |= {str(k).strip().lower(): v for k, v in extra.items()}
    codes, uniques = factorize_text(s.astype("string"))
    keys = [re.sub(r"\s+", " ", str(u).strip().lower()) for u in uniques]
    vals = [look.get(k) for k in keys]
    if words:
        for i, k in enumerate(keys):
            if vals[i] is None:
                hits = {words[w] for w in re.findall(r"[a-z]+", k) if w in words}
                vals[i] = hits.pop() if len(hits) == 1 else None
    if all(v is None or isinstance(v, str) for v in vals):
        out = take_strings(vals, codes, index=s.index)
    else:
        out = pd.Series(np.array(vals + [None], dtype=object)[np.where(codes < 0, len(vals), codes)], index=s.index)
    blank = np.array([k == "" for k in keys] + [True])[np.where(codes < 0, len(keys), codes)]
    unknown = pd.Series(out.isna().to_numpy() & ~blank, index=s.index)
    return out, unknown


def _regions(ctx: _Ctx) -> pd.Series:
    """Region code per row from the ``region`` column (free text or code) or the file's spec region."""
    raw, probs = ctx.raw, ctx.probs
    text = ctx.col("region").astype("string")
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
    probs.add(raw, status == "missing", field_name="region", rule="missing_value", severity="error")
    probs.add(raw, status == "unknown", field_name="region", rule="region_unknown", value=use)
    probs.add(raw, status == "ambiguous", field_name="region", rule="region_ambiguous", value=use)
    if "matched_by" in m.columns:  # an undotted BPS code mapped to its Kemendagri code: a note
        bps = np.array([v == "bps" for v in m["matched_by"].tolist()] + [False])[idx] & has_text
        probs.add(raw, bps, field_name="region", rule="region_bps_code", value=use, region_code=code)
    # Spelling variants: a value that differs from the most common spelling of the same region in the same file
    # (integer codes only: file x distinct text counts, then the dominant text per file x region, decided over the
    # whole file when the file is cleaned in row batches).
    resolved = (status == "ok") & has_text
    if resolved.any():
        fcodes, fnames = pd.factorize(raw["_file"])
        n_text = len(uniques)
        at = np.flatnonzero(resolved)
        key = fcodes[at].astype(np.int64) * n_text + codes[at]
        keys, first, counts = np.unique(key, return_index=True, return_counts=True)
        first_pos = _positions(ctx)[at[first]]
        region_of = m["code"].fillna("").to_numpy(dtype=object)
        texts = np.asarray(uniques, dtype=object)
        spellings: dict = {}
        for kk, k, fp in zip(keys.tolist(), counts.tolist(), first_pos.tolist()):
            f, t = divmod(kk, n_text)
            spellings.setdefault((fnames[f], region_of[t]), {})[texts[t]] = (k, fp, kk)
        variant_key = []
        for (f, c), found in spellings.items():
            dom = ctx.decisions.take("region_dominant", (f, c), {t: v[:2] for t, v in found.items()}, file=f)
            variant_key.extend(v[2] for t, v in found.items() if t != dom)
        variant = np.zeros(len(raw), dtype=bool)
        if variant_key:
            variant[at] = np.isin(key, np.array(variant_key, dtype=np.int64))
        probs.add(raw, variant, field_name="region", rule="region_variant", region_code=code)
    return code


def _dates(ctx: _Ctx, name: str, *, required: bool = False) -> pd.Series:
    res = parse_date(ctx.col(name), dayfirst=ctx.dayfirst, decide=ctx.decisions.decider(name))
    ctx.add_rules(
        res["rule"],
        field_name=name,
        severity={"missing_value": "error"} if required else None,
        skip=() if required else ("missing_value",),
    )
    return res["value"]


def _minority(ctx: _Ctx, rules: pd.Series, name: str) -> pd.Series:
    """Keep ``decimal_comma`` only in files where fewer than half of the filled cells of column ``name`` have it: a
    file that writes every number with a decimal comma follows its own convention; a few such cells among decimal
    points are worth a note (decided over the whole file when it is cleaned in row batches)."""
    has = rules.eq("decimal_comma").fillna(False).to_numpy(dtype=bool)
    dec = ctx.decisions
    partial = [f for f in dec.partial if dec.reports(f)]
    if not has.any() and not partial:
        return rules
    filled = ~rules.eq("missing_value").fillna(False).to_numpy(dtype=bool)
    f, fnames = pd.factorize(ctx.raw["_file"])
    n_has = np.bincount(f, weights=has, minlength=len(fnames))
    n_filled = np.bincount(f, weights=filled, minlength=len(fnames))
    drop = np.zeros(len(fnames), dtype=bool)
    for k, fn in enumerate(fnames):
        if n_has[k] or fn in dec.partial:
            ev = (int(n_has[k]), int(n_filled[k]))
            drop[k] = dec.take("decimal_comma", (name, fn), ev, file=fn, matters=bool(n_has[k]))
    if not has.any():
        return rules
    return rules.mask(has & drop[f])


def _numbers(ctx: _Ctx, name: str, *, low=None, high=None, values: pd.Series | None = None) -> pd.Series:
    res = parse_number(ctx.col(name) if values is None else values, decide=ctx.decisions.decider(name))
    ctx.add_rules(_minority(ctx, res["rule"], name), field_name=name)
    v = res["value"]
    bad = np.zeros(len(v), dtype=bool)
    if low is not None:
        bad |= (v < low).to_numpy()
    if high is not None:
        bad |= (v > high).to_numpy()
    ctx.add(bad, field_name=name, rule="out_of_range")
    return v.mask(bad)


def _text(ctx: _Ctx, name: str, normalise: Callable[[pd.Series], pd.Series] | None = None) -> pd.Series:
    """A kept free-text column: identifiers and known names redacted in the raw text (``pii_in_free_text``) before
    it is normalised (normalising would break an e-mail address or a dashed NIP apart first)."""
    s = ctx.col(name).astype("string")
    red, mask = redact_series(s, ctx.probs.names)
    if mask.any():
        s = red.astype("string")
        ctx.add(mask, field_name=name, rule="pii_in_free_text", cells=np.full(int(mask.sum()), REDACTED, dtype=object))
    if normalise is not None:
        return normalise(s)
    return s.str.strip().str.replace(r"\s+", " ", regex=True)


def _categorical(ctx: _Ctx, name: str, lookup: Mapping) -> pd.Series:
    out, unknown = _map_values(ctx.col(name), lookup, ctx.vmaps.get(name))
    ctx.add(unknown.to_numpy(), field_name=name, rule="value_unknown")
    return out.astype("string")


def _by_function(ctx: _Ctx, name: str, read: Callable[[str], str | None]) -> pd.Series:
    """A vocabulary column read by ``read`` on each distinct value (a dataset.yml value map first); an unreadable
    value is ``value_unknown`` (a warning: the value is set missing)."""
    s = ctx.col(name).astype("string")
    codes, uniques = factorize_text(s)
    extra = {str(k).strip().lower(): v for k, v in (ctx.vmaps.get(name) or {}).items()}
    vals = []
    for u in uniques:
        t = re.sub(r"\s+", " ", str(u).strip().lower())
        vals.append(extra.get(t) or read(t))
    out = take_strings(vals, codes, index=s.index)
    blank = (s.fillna("").str.strip() == "").to_numpy(dtype=bool)
    ctx.add(out.isna().to_numpy() & ~blank, field_name=name, rule="value_unknown")
    return out.astype("string")


def _jabatan(ctx: _Ctx) -> pd.Series:
    """Jabatan category (JPT, Administrator, Pengawas, Pelaksana, Fungsional) from its common spellings; a dataset
    that declares ``jabatan`` free text keeps the position as written (names and NIPs in it redacted)."""
    if "jabatan" in (ctx.options.get("free_text") or ()):
        return _text(ctx, "jabatan")
    return _by_function(ctx, "jabatan", jabatan_category)


def _golongan(ctx: _Ctx, employment: pd.Series | None) -> pd.DataFrame:
    """Parse golongan (a bare roman numeral read by the row's employment); a spelling variant is reported only in
    files whose values are mostly written canonically (a file that writes every grade as a pangkat name made a
    choice, not a mistake); a grade contradicting the NIP shows both."""
    raw = ctx.raw
    g = parse_golongan(ctx.col("golongan"), employment=employment)
    rule = g["golongan_rule"]
    variant = rule.eq("golongan_variant").fillna(False).to_numpy(dtype=bool)
    canonical = g["golongan"].notna().to_numpy(dtype=bool) & ~variant
    f, fnames = pd.factorize(raw["_file"])
    n_canon = np.bincount(f, weights=canonical, minlength=len(fnames))
    n_rows = np.bincount(f, minlength=len(fnames))
    n_var = np.bincount(f, weights=variant, minlength=len(fnames))
    keep = np.zeros(len(fnames), dtype=bool)
    for k, fn in enumerate(fnames):  # decided over the whole file when it is cleaned in row batches
        if n_var[k] or ctx.decisions.reports(fn):
            ev = (int(n_canon[k]), int(n_rows[k]))
            keep[k] = ctx.decisions.take("golongan_canonical", fn, ev, file=fn, matters=bool(n_var[k]))
    rule = rule.mask(variant & ~keep[f])
    ctx.add_rules(rule, field_name="golongan")
    conflict = g["employment_conflict"].to_numpy(dtype=bool)
    if conflict.any():
        cells = ctx.col("golongan").astype("string").to_numpy(dtype=object, na_value=None)[conflict]
        emp = employment.to_numpy(dtype=object, na_value=None)[conflict]
        shown = [f"{c} (NIP: {'NI PPPK' if e == 'PPPK' else 'PNS'})" for c, e in zip(cells, emp)]
        ctx.add(conflict, field_name="golongan", rule="golongan_employment_conflict", cells=np.array(shown, object))
    return g


def _duration(ctx: _Ctx) -> pd.Series:
    s = ctx.col("duration_s").astype("string").str.strip()
    colon = s.str.contains(":", regex=False).fillna(False)
    hms = (
        s.where(colon).str.extract(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
        if colon.any()
        else pd.DataFrame({0: pd.NA, 1: pd.NA, 2: pd.NA}, index=s.index)
    )
    is_hms = hms[2].notna()
    res = parse_number(s.where(~is_hms), decide=ctx.decisions.decider("duration_s"))
    hms_s = (
        pd.to_numeric(hms[0], errors="coerce").fillna(0) * 3600
        + pd.to_numeric(hms[1], errors="coerce") * 60
        + pd.to_numeric(hms[2], errors="coerce")
    )
    v = res["value"].where(~is_hms, hms_s)
    ctx.add_rules(_minority(ctx, res["rule"].where(~is_hms, pd.NA), "duration_s"), field_name="duration_s")
    neg = (v < 0).fillna(False).to_numpy()
    ctx.add(neg, field_name="duration_s", rule="out_of_range")
    return v.mask(neg).astype(float)


#: NIP rules that say the cell is not a NIP at all (export damage such as scientific notation is another cause)
_NOT_A_NIP = ("nip_length", "nip_invalid_date", "nip_gender")


def _unusable_nip_files(ctx: _Ctx, rules: pd.Series) -> None:
    """A file whose NIP column (nearly) never holds a NIP is mapped wrongly: fail rather than quarantine it all
    (decided over the whole file when it is cleaned in row batches)."""
    probs, dec = ctx.probs, ctx.decisions
    bad = rules.isin(_NOT_A_NIP).fillna(False).to_numpy(dtype=bool)
    if not bad.any() and not any(dec.reports(f) for f in probs.file_names):
        return
    filled = ~rules.eq("missing_value").fillna(False).to_numpy(dtype=bool)
    n_bad = np.bincount(probs.file_codes, weights=bad, minlength=len(probs.file_names))
    n_filled = np.bincount(probs.file_codes, weights=filled, minlength=len(probs.file_names))
    for k, f in enumerate(probs.file_names):
        if n_bad[k] or dec.reports(f):
            header = probs.headers.get(f, {}).get("nip", "nip")
            ev = (int(n_bad[k]), int(n_filled[k]), probs.shown_file(f), header)
            dec.take("nip_unusable", f, ev, file=f)


def _people(ctx: _Ctx, at) -> pd.DataFrame:
    """Parse the NIP / NI PPPK column: facts per row and ``nip_*`` problems (a missing NIP is an error)."""
    nip = parse_nip(ctx.col("nip"), at=at)
    _unusable_nip_files(ctx, nip["nip_rule"])
    ctx.add_rules(nip["nip_rule"], field_name="nip", severity={"missing_value": "error"}, skip=())
    return nip


def _whole_years(years: pd.Series) -> pd.Series:
    """Completed whole years (Int64); a value in [-1, 0) -- not yet started -- is 0."""
    v = np.floor(years.to_numpy(dtype=float, na_value=np.nan))
    v = np.where((v < 0) & (v >= -1), 0, v)
    return pd.Series(pd.array(v, dtype="Float64"), index=years.index).astype("Int64")


def _reported_years(ctx: _Ctx, name: str) -> pd.Series:
    """A self-reported number of years (``"35"``, ``"35 tahun"``, ``"35,5"``) as completed whole years."""
    text = ctx.col(name).astype("string").str.replace(r"(?i)\s*(?:tahun|thn|th|years?|yrs?)\.?\s*$", "", regex=True)
    res = parse_number(text, decide=ctx.decisions.decider(name))
    ctx.add_rules(res["rule"].mask(res["rule"].eq("decimal_comma")), field_name=name)
    return _whole_years(res["value"])


def _person_facts(ctx: _Ctx, people: pd.DataFrame) -> dict:
    """Age, gender and tenure of staff in whole years: from the NIP where it gives them, else as reported; a reported
    value that contradicts the NIP is a warning showing both; an age outside :data:`AGE_RANGE` or a NIP tenure below
    :data:`MIN_TENURE` is an error (the row is quarantined)."""
    ten_nip = people["tenure_years"].to_numpy(dtype=float, na_value=np.nan)
    age = _whole_years(people["age"])
    tenure = _whole_years(people["tenure_years"])
    gender = people["gender"].astype("string")
    bad_t = ten_nip < MIN_TENURE
    ctx.add(
        bad_t,
        field_name="tenure_years",
        rule="tenure_out_of_range",
        cells=np.char.mod("%d", np.floor(ten_nip[bad_t])).astype(object),
    )
    reported: dict[str, pd.Series] = {}
    if "age" in ctx.raw:  # a reported age outside the range is an error in itself, whatever the NIP says
        rep = _reported_years(ctx, "age")
        r = rep.to_numpy(dtype=float, na_value=np.nan)
        out = (r < AGE_RANGE[0]) | (r > AGE_RANGE[1])
        ctx.add(out, field_name="age", rule="age_out_of_range", cells=np.char.mod("%d", r[out]).astype(object))
        reported["age"] = rep.mask(out)
    if "tenure_years" in ctx.raw:
        rep = _reported_years(ctx, "tenure_years")
        out = ((rep < TENURE_RANGE[0]) | (rep > TENURE_RANGE[1])).fillna(False).to_numpy(dtype=bool)
        ctx.add(out, field_name="tenure_years", rule="out_of_range")
        reported["tenure_years"] = rep.mask(out)
    for name, nip_whole in (("age", age), ("tenure_years", tenure)):
        if name not in reported:
            continue
        rep = reported[name]
        both = (rep.notna() & nip_whole.notna()).to_numpy(dtype=bool)
        diff = np.abs(rep.to_numpy(dtype=float, na_value=np.nan) - nip_whole.to_numpy(dtype=float, na_value=np.nan))
        clash = both & (diff > CONFLICT_YEARS[name])
        if clash.any():
            a_rep = rep.to_numpy(dtype=float, na_value=np.nan)[clash]
            a_nip = nip_whole.to_numpy(dtype=float, na_value=np.nan)[clash]
            shown = [f"reported {int(a)}, NIP {int(b)}" for a, b in zip(a_rep, a_nip)]
            ctx.add(clash, field_name=name, rule="self_report_conflict", cells=np.array(shown, dtype=object))
        if name == "age":
            age = nip_whole.fillna(rep)
        else:
            tenure = nip_whole.fillna(rep)
    if "gender" in ctx.raw:
        rep_g = _categorical(ctx, "gender", GENDER)
        clash = (rep_g.notna() & gender.notna() & (rep_g != gender)).fillna(False).to_numpy(dtype=bool)
        if clash.any():
            shown = [
                f"reported {a}, NIP {b}"
                for a, b in zip(rep_g.to_numpy(dtype=object)[clash], gender.to_numpy(dtype=object)[clash])
            ]
            ctx.add(clash, field_name="gender", rule="self_report_conflict", cells=np.array(shown, dtype=object))
        gender = gender.fillna(rep_g)
    a = age.to_numpy(dtype=float, na_value=np.nan)
    bad_a = (a < AGE_RANGE[0]) | (a > AGE_RANGE[1])
    ctx.add(bad_a, field_name="age", rule="age_out_of_range", cells=np.char.mod("%d", a[bad_a]).astype(object))
    return {"gender": gender, "age": age, "tenure_years": tenure}


def _period_columns(ctx: _Ctx, *, required: bool) -> dict:
    """``period, period_kind, period_start, period_end`` from the ``period`` column (kept as written: quarters stay
    quarters); an unreadable or unaligned period is an error when the period is required, a warning otherwise."""
    res = parse_period(ctx.col("period"), values_map=ctx.vmaps.get("period"))
    sev = "error" if required else "warning"
    rules = res["rule"]
    if not required:
        rules = rules.mask(rules.eq("missing_value"))
    severity = {"value_unknown": sev, "period_range_unaligned": sev, "missing_value": sev}
    ctx.add_rules(rules, field_name="period", severity=severity, skip=())
    cols = {c: res[c] for c in ("period", "period_kind", "period_start", "period_end")}
    if "period_start" in ctx.raw:  # a start date given by the file wins over the period's first day
        given = _dates(ctx, "period_start")
        cols["period_start"] = given.fillna(cols["period_start"])
    return cols


#: Kept text columns that a header-mapping mistake can fill with people (checked by :func:`_refuse_people_columns`).
KEPT_TEXT = ("agency", "service_unit", "occupation", "course")


def _people_like(values: pd.Series, names: frozenset, people: int) -> str | None:
    """Why a kept text column looks like the people themselves (or None): its values are names known from a name
    column, or it has nearly one distinct value per person."""
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    distinct = pd.unique(text)
    if len(distinct) == 0:
        return None
    if names:
        keys = name_keys(distinct)
        n_names = sum(1 for k in keys if k in names)
        if n_names >= max(2, 0.5 * len(distinct)):
            return f"{n_names} of its {len(distinct)} distinct values are names of people in the dataset"
    if people >= 20 and len(distinct) >= 0.9 * people and not all(looks_like_unit(v) for v in distinct[:50]):
        return f"it has {len(distinct)} distinct values for {people} people (nearly one per person)"
    return None


def _file_rows(probs: Problems) -> list[np.ndarray]:
    """Row positions of each file of the table (in the order of ``probs.file_names``), found by one sort."""
    order = np.argsort(probs.file_codes, kind="stable")
    bounds = np.searchsorted(probs.file_codes[order], np.arange(len(probs.file_names) + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(len(probs.file_names))]


def _refuse_people_columns(ctx: _Ctx) -> None:
    """A mapping mistake cannot leak: a kept text column whose values look like the people (names, or one value per
    person) is refused with a sentence naming it, unless the dataset declares it free text (then names and NIPs in it
    are redacted); a ``name`` column holding unit names (the headers of name and agency swapped) is refused too.
    Each file is judged on its own (one wrongly mapped file among good ones is found too)."""
    raw, probs = ctx.raw, ctx.probs
    declared = set(ctx.options.get("free_text") or ())
    # cleaned in chunks, the whole table is judged: whether any of its files has a NIP (or a row, without NIPs)
    if "table_people" in ctx.options:
        anyone = int(ctx.options["table_people"])
    else:
        anyone = int(raw["nip"].nunique()) if "nip" in raw else len(raw)
    kept = [c for c in KEPT_TEXT if c in raw and c not in declared]
    if not kept and "name" not in raw:
        return
    rows_of = _file_rows(probs)
    everyone = [len(r) == len(raw) for r in rows_of]  # a file holding every row: its rows need no take
    dec = ctx.decisions
    if kept and not all(dec.reports(f) for f in probs.file_names):  # people per file, for the files judged here
        if "nip" in raw:  # distinct NIPs per file: one factorisation, then distinct (file, NIP) pairs
            nip_c, _ = factorize_text(raw["nip"])
            ok = nip_c >= 0
            width = int(nip_c.max(initial=0)) + 1
            pairs = np.unique(probs.file_codes[ok].astype(np.int64) * width + nip_c[ok])
            sub_people = np.bincount(pairs // width, minlength=len(probs.file_names))
        else:
            sub_people = np.array([len(r) for r in rows_of])
    for c in kept:
        for k, f in enumerate(probs.file_names):
            header = probs.headers.get(f, {}).get(c, c)
            values = raw[c] if everyone[k] else raw[c].take(rows_of[k])
            if dec.reports(f):  # a file cleaned in row batches: its distinct values and people, decided whole
                text = values.dropna().astype(str).str.strip()
                distinct = pd.unique(text[text != ""].to_numpy(dtype=object))
                if "nip" in raw:
                    nips = (raw["nip"] if everyone[k] else raw["nip"].take(rows_of[k])).dropna().unique()
                    people_ev = np.unique(pd.util.hash_array(np.asarray(nips, dtype=object)))
                else:
                    people_ev = int(len(rows_of[k]))
                ev = (distinct, people_ev, probs.shown_file(f), header, c, ctx.table)
                dec.take("people_kept", (c, f), ev, file=f)
                continue
            why = _people_like(values, probs.names, int(sub_people[k]))
            if why:
                raise KinerjaError(
                    f"file '{probs.shown_file(f)}', column '{normalise_text(header)}' (mapped to {c}): {why}; "
                    f"rule: a kept text column must not hold the people themselves -- fix the header mapping in "
                    f"dataset.yml, or declare it free text (free_text: {{{ctx.table}: [{c}]}}) to keep it with "
                    f"names and NIPs redacted"
                )
    if "name" in raw and anyone >= 1:
        # each distinct name looked at once: rows per file that are filled, and those naming a unit
        codes, uniques = factorize_text(raw["name"].astype("string"))
        text = pd.Series(uniques, dtype="string").str.strip()
        filled_u = (text != "").fillna(False).to_numpy(dtype=bool)
        unit_u = np.array([bool(f) and looks_like_unit(v) for v, f in zip(uniques, filled_u)], dtype=bool)
        at = np.where(codes < 0, len(uniques), codes)
        filled = np.append(filled_u, False)[at]
        unit = np.append(unit_u, False)[at]
        n_f = len(probs.file_names)
        n_vals = np.bincount(probs.file_codes, weights=filled, minlength=n_f)
        n_units = np.bincount(probs.file_codes, weights=unit, minlength=n_f)
        for k, f in enumerate(probs.file_names):
            header = probs.headers.get(f, {}).get("name", "name")
            ev = (int(n_vals[k]), int(n_units[k]), probs.shown_file(f), header)
            ctx.decisions.take("name_units", f, ev, file=f)


# --------------------------------------------------------------------------------------------------------------------
# One cleaner per table
# --------------------------------------------------------------------------------------------------------------------
def _scales(ctx: _Ctx) -> dict[str, ItemScale]:
    scales = ctx.options.get("item_scales")
    return dict(scales) if scales else shipped_item_scales()


def _items(ctx: _Ctx, scales: Mapping[str, ItemScale]) -> list[str]:
    """The item columns of the table (mapped item ids with a declared scale); a mapped id without one is an error."""
    items = [c for c in ctx.raw.columns if c in scales]
    unknown = [c for c in ctx.raw.columns if re.fullmatch(r"[A-Z]{1,4}\d{1,3}", c) and c not in scales]
    if unknown:
        raise KinerjaError(
            f"columns {unknown} are mapped as item ids but no instrument of the dataset has them; rule: item ids "
            f"come from the codebooks the dataset uses (dataset.yml instruments)"
        )
    return items


def _clean_survey(ctx: _Ctx) -> _Cleaned:
    raw = ctx.raw
    out: dict = {}
    ref = ctx.options.get("reference_date")
    submitted = (
        _dates(ctx, "submitted_at")
        if "submitted_at" in raw
        else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    )
    at = submitted.fillna(pd.Timestamp(ref)) if ref is not None else submitted
    people = _people(ctx, at)
    out["person_id"] = pseudonymise(people["nip"], key=ctx.key)
    out["region_code"] = ctx.code
    out["agency"] = _text(ctx, "agency", normalise_agency)
    wave, unknown = _map_values(ctx.col("wave"), WAVE, ctx.vmaps.get("wave"))
    if unknown.any():  # "Tahap 1 - sebelum pelatihan": one wave word among others
        by_word, _ = _map_values(ctx.col("wave").where(unknown.to_numpy()), {}, None, words=WAVE_WORDS)
        wave = wave.fillna(by_word)
        unknown = unknown & wave.isna()
    ctx.add(unknown.to_numpy(), field_name="wave", rule="wave_unknown")
    ctx.add((wave.isna() & ~unknown).to_numpy(), field_name="wave", rule="missing_value", severity="error")
    out["wave"] = wave.astype("string")
    tr = parse_bool(ctx.col("trained"), mapping=ctx.vmaps.get("trained"))
    ctx.add_rules(tr["rule"], field_name="trained")
    out["trained"] = tr["value"]
    out["submitted_at"] = submitted  # exact until the finishing step (duplicates, wave order), then the month
    out["duration_s"] = _duration(ctx)
    out["employment"] = people["employment"]
    out.update(_person_facts(ctx, people))
    g = _golongan(ctx, people["employment"])
    out["golongan"] = g["golongan"]
    out["golongan_rank"] = g["golongan_rank"]
    out["education"] = _by_function(ctx, "education", education_level)
    if "jabatan" in raw:  # only when the files give it (a column of blanks would read as 100 % missing answers)
        out["jabatan"] = _jabatan(ctx)
    scales = _scales(ctx)
    items = _items(ctx, scales)
    others = scale_labels(scales.values())
    label_ids: dict[str, int] = {}
    # straight-lining is tracked while mapping (min/max answer text id per row), so no copy of all answers
    n_answered = np.zeros(len(raw), dtype=np.int32)
    id_lo = np.full(len(raw), np.inf)
    id_hi = np.full(len(raw), -np.inf)
    # the answers go straight into one (items x rows) float block: no per-column arrays stacked (copied) later
    item_block = np.empty((len(items), len(raw)), dtype=float)
    for j, c in enumerate(items):
        sc = scales[c]
        # work on the distinct answers: a rule is set per distinct answer, its rows found by one gather
        at_, vals, rules, uids, texts = _lookup(
            raw[c], labels=sc.labels, low=sc.low, high=sc.high, label_ids=label_ids, other_labels=others
        )
        for rule in sorted({r for r in rules if r is not None}):
            flag = (rules == rule)[at_]
            ctx.add(flag, field_name=c, rule=rule, cells=texts[at_[flag]])
        item_block[j] = vals[at_]
        out[c] = _ITEM_BLOCK
        ids = uids[at_]
        n_answered += ~np.isnan(ids)
        np.fmin(id_lo, ids, out=id_lo)
        np.fmax(id_hi, ids, out=id_hi)
        del ids
        del raw[c]  # the raw answers are no longer needed: free them (raw is this cleaning's own shallow copy)
    sl = (n_answered >= int(ctx.options.get("straight_min_items", 10))) & (id_lo == id_hi)
    ctx.add(
        sl,
        field_name="items",
        rule="straight_lining",
        value=pd.Series("all answers identical", index=raw.index, dtype="string"),
    )
    fast = too_fast(
        out["duration_s"], n_items=max(len(items), 1), seconds_per_item=float(ctx.options.get("seconds_per_item", 2.0))
    )
    ctx.add(fast.to_numpy(), field_name="duration_s", rule="too_fast")
    out["too_fast"] = fast.to_numpy()
    out["straight_lining"] = sl
    # the item columns come last, in mapping order
    order = [k for k in out if out[k] is not _ITEM_BLOCK] + [k for k in out if out[k] is _ITEM_BLOCK]
    return _Cleaned({k: out[k] for k in order}, item_block, ["person_id", "wave"], "submitted_at")


def _clean_performance(ctx: _Ctx) -> _Cleaned:
    out: dict = {}
    people = _people(ctx, ctx.options.get("reference_date"))
    out["person_id"] = pseudonymise(people["nip"], key=ctx.key)
    out["region_code"] = ctx.code
    out["agency"] = _text(ctx, "agency", normalise_agency)
    out["employment"] = people["employment"]
    out.update(_period_columns(ctx, required=True))
    g = _golongan(ctx, people["employment"])
    out["golongan"] = g["golongan"]
    out["golongan_rank"] = g["golongan_rank"]
    if "jabatan" in ctx.raw:
        out["jabatan"] = _jabatan(ctx)
    for c in ("rating_hasil_kerja", "rating_perilaku"):
        out[c] = _categorical(ctx, c, RATING)
    out["predikat"] = _categorical(ctx, "predikat", PREDIKAT)
    out["capaian_pct"] = _numbers(ctx, "capaian_pct", low=0, high=300)
    return _Cleaned(out, None, ["person_id", "period"], None)


def _clean_training(ctx: _Ctx) -> _Cleaned:
    out: dict = {}
    people = _people(ctx, ctx.options.get("reference_date"))
    out["person_id"] = pseudonymise(people["nip"], key=ctx.key)
    out["region_code"] = ctx.code
    out["employment"] = people["employment"]
    out["course"] = _text(ctx, "course")
    out["start"] = _dates(ctx, "start")
    out["end"] = _dates(ctx, "end")
    out["jp"] = _numbers(ctx, "jp", low=0, high=2000)
    pr = parse_bool(ctx.col("programme"), mapping=ctx.vmaps.get("programme"))
    ctx.add_rules(pr["rule"], field_name="programme")
    out["programme"] = pr["value"]
    ctx.add((out["end"] < out["start"]).fillna(False).to_numpy(), field_name="end", rule="date_order")
    return _Cleaned(out, None, ["person_id", "course", "start"], None)


def _clean_satisfaction(ctx: _Ctx) -> _Cleaned:
    raw = ctx.raw
    out: dict = {}
    out["respondent_id"] = pseudonymise(
        raw["_file_hash"].astype("string") + ":" + raw["_row"].astype("string"), key=ctx.key, prefix="R"
    )
    out["region_code"] = ctx.code
    out["service_unit"] = _text(ctx, "service_unit", normalise_agency)
    submitted = _dates(ctx, "submitted_at")
    out["submitted_at"] = submitted
    per = _period_columns(ctx, required=False)
    # no period written: the quarter of the submission date
    q = submitted.dt.quarter.astype("Int64")
    derived = submitted.dt.year.astype("Int64").astype("string") + "-Q" + q.astype("string")
    q_start = submitted.dt.to_period("Q").dt.start_time.astype("datetime64[ns]")
    q_end = submitted.dt.to_period("Q").dt.end_time.dt.normalize().astype("datetime64[ns]")
    use = per["period"].isna() & submitted.notna() & ctx.col("period").isna()
    per["period"] = per["period"].mask(use, derived)
    per["period_kind"] = per["period_kind"].mask(use, "quarter")
    per["period_start"] = per["period_start"].mask(use, q_start)
    per["period_end"] = per["period_end"].mask(use, q_end)
    out.update(per)
    scales = _scales(ctx)
    others = scale_labels(scales.values())
    for c in [f"U{i}" for i in range(1, 10)]:
        if c in raw:
            sc = scales.get(c) or shipped_item_scales()[c]
            res = map_likert(raw[c], labels=sc.labels, low=sc.low, high=sc.high, other_labels=others)
            ctx.add_rules(res["rule"], field_name=c, skip=())
            out[c] = pd.array(res["value"].to_numpy(), dtype="Float64").astype("Int64")
    out["gender"] = _categorical(ctx, "gender", GENDER)
    age = _numbers(ctx, "age", low=PUBLIC_AGE_RANGE[0], high=PUBLIC_AGE_RANGE[1])
    out["age"] = _whole_years(age)
    out["education"] = _by_function(ctx, "education", education_level)
    out["occupation"] = _text(ctx, "occupation")
    # the respondent is the file's content and row: the same export saved under two names repeats its respondents
    return _Cleaned(out, None, ["respondent_id"], None)


#: Table name -> its cleaner (``_Ctx -> _Cleaned``).
CLEANERS: dict[str, Callable[[_Ctx], _Cleaned]] = {
    "survey": _clean_survey,
    "performance": _clean_performance,
    "training": _clean_training,
    "satisfaction": _clean_satisfaction,
}


# --------------------------------------------------------------------------------------------------------------------
# Finishing steps common to every table
# --------------------------------------------------------------------------------------------------------------------
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


def _positions(ctx: _Ctx) -> np.ndarray:
    """Each row's place in the whole table: ``_pos`` when the pipeline gives it (the table is cleaned in chunks of
    files), else the row's position in this frame."""
    if "_pos" in ctx.raw:
        return ctx.raw["_pos"].to_numpy(dtype=np.int64)
    return np.arange(len(ctx.raw), dtype=np.int64)


def _decided(ctx: _Ctx, name: str) -> np.ndarray | None:
    """A mask decided over the whole table (option ``cross``: positions where it is set), or None: decide here."""
    cross = ctx.options.get("cross")
    if not cross or name not in cross:
        return None
    return np.isin(_positions(ctx), np.asarray(cross[name], dtype=np.int64))


def _duplicates(ctx: _Ctx, out: pd.DataFrame, cleaned: _Cleaned) -> None:
    """Repeated submissions of one key: the latest is kept (an info record), the earlier ones quarantined. Ties and
    tables without an ordering column follow the rows' order in the whole table (:func:`_positions`); a decision
    made over the whole table (option ``cross``: ``drop`` and ``kept`` positions) replaces the one made here."""
    if cleaned.dup_key is None:
        return
    pos = _positions(ctx)
    order = "_order" if cleaned.dup_order is None else cleaned.dup_order
    frame = out[[*cleaned.dup_key, *([] if cleaned.dup_order is None else [order])]]
    if cleaned.dup_order is None:
        frame = frame.assign(_order=pos)
    keys = ctx.options.get("keys_out")
    if keys is not None:  # the key columns for the pipeline's decision over the whole table
        keys["dup"] = frame.assign(_pos=pos).reset_index(drop=True)
    drop, kept = _decided(ctx, "drop"), _decided(ctx, "kept")
    if drop is None or kept is None:
        d = duplicate_submissions(frame, key=cleaned.dup_key, order=order)
        drop = d["drop"].to_numpy()
        kept = (d["duplicate"] & ~d["drop"]).to_numpy()
    if keys is not None:
        keys["drop"], keys["kept"] = pos[drop], pos[kept]
    ctx.add(
        drop,
        field_name=cleaned.dup_key[0],
        rule="duplicate_submission",
        value=pd.Series("dropped: a later submission exists", index=out.index, dtype="string"),
    )
    ctx.add(
        kept,
        field_name=cleaned.dup_key[0],
        rule="duplicate_submission",
        severity="info",
        value=pd.Series("kept: latest of repeated submissions", index=out.index, dtype="string"),
    )


def wave_order_flags(person_id: pd.Series, wave: pd.Series, submitted_at: pd.Series) -> np.ndarray:
    """Rows whose post-wave submission is not after the person's pre-wave one (the last pre row in row order)."""
    pid, _ = factorize_text(person_id)
    w = wave.to_numpy(dtype=object, na_value=None)
    at = submitted_at.to_numpy(dtype="datetime64[ns]")
    pre_at = np.full(pid.max() + 2 if len(pid) else 1, np.datetime64("NaT"), dtype="datetime64[ns]")
    is_pre = (w == "pre") & (pid >= 0)
    pre_at[pid[is_pre]] = at[is_pre]  # the last pre submission of each person (duplicates are quarantined)
    return (w == "post") & (pid >= 0) & (at <= pre_at[pid])


def _wave_order(ctx: _Ctx, out: pd.DataFrame) -> None:
    """Warn when a person's post-wave submission is not after the pre-wave one (a whole-table decision, option
    ``cross`` ``wave_order`` positions, replaces the one made here)."""
    pos = _positions(ctx)
    keys = ctx.options.get("keys_out")
    if keys is not None:
        keys["wave"] = out[["person_id", "wave", "submitted_at"]].reset_index(drop=True).assign(_pos=pos)
    bad = _decided(ctx, "wave_order")
    if bad is None:
        bad = wave_order_flags(out["person_id"], out["wave"], out["submitted_at"])
    if keys is not None:
        keys["wave_order"] = pos[bad]
    ctx.add(bad, field_name="submitted_at", rule="wave_order")


#: String columns of the outputs that the personal-data scan leaves alone: pseudonyms, codes, the file name, and
#: columns that only ever hold values of a fixed vocabulary (mapped through lookups, unknown values set missing).
FREE_TEXT_EXEMPT = (
    "person_id",
    "respondent_id",
    "region_code",
    "_file",
    "reasons",
    "wave",
    "golongan",
    "education",
    "gender",
    "employment",
    "rating_hasil_kerja",
    "rating_perilaku",
    "predikat",
    "period",
    "period_kind",
)


def _redact_free_text(ctx: _Ctx, out: pd.DataFrame) -> None:
    """Redact identifiers and known names in every kept text column (in place) and report ``pii_in_free_text``."""
    for c in out.columns:
        if c in FREE_TEXT_EXEMPT or not (pd.api.types.is_string_dtype(out[c]) or out[c].dtype == object):
            continue
        red, mask = redact_series(out[c], ctx.probs.names)
        if mask.any():
            out[c] = red.astype(out[c].dtype) if out[c].dtype != object else red.astype(object)
            ctx.add(mask, field_name=c, rule="pii_in_free_text", cells=np.full(int(mask.sum()), REDACTED, dtype=object))


def _coarsen(out: pd.DataFrame) -> None:
    """No exact submission time leaves the clean step: ``submitted_at`` becomes the first day of its month."""
    for c in ("submitted_at",):
        if c in out:
            out[c] = out[c].dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def _split(ctx: _Ctx, out: pd.DataFrame, problems: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows with an error -> quarantine (with their reasons, ``_file`` and ``_row``); the others -> the clean table."""
    probs = ctx.probs
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
    return clean, quarantine


def clean_table(
    table: str, raw: pd.DataFrame, *, key: bytes, options: Mapping | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean one table (the input frame is not modified).

    Parameters
    ----------
    table : {"survey", "performance", "training", "satisfaction"}
    raw : pandas.DataFrame
        Text cells under canonical names, plus ``_file`` (file name), ``_row`` (1-based data row in the file),
        ``_region_spec`` (region given by dataset.yml, or missing), for satisfaction ``_file_hash``, and optionally
        ``_pos`` (the row's position in the whole table, when the pipeline cleans it in chunks of whole files);
        ``raw.attrs["headers"]`` maps file -> {canonical: source header}, ``raw.attrs["values"]`` the value maps
        of dataset.yml (merged over the table's files), ``raw.attrs["dayfirst"]`` the date order option.
    key : bytes
        Pseudonym key.
    options : mapping, optional
        ``reference_date``, ``seconds_per_item`` (2.0), ``straight_min_items`` (10), ``known_names`` (person names
        as :func:`kinerja_research.clean.pii.name_keys` keys; default: the table's own ``name`` column), redacted
        wherever they are typed into another column (rule ``pii_in_free_text``); ``item_scales`` (item id ->
        :class:`~kinerja_research.clean.likert.ItemScale`, the dataset's declared scales; default the shipped
        codebooks'); ``file_aliases`` (file name -> the name shown in problem records); ``free_text`` (the table's
        columns the dataset declares free text: kept with personal data redacted, never refused); ``cross``
        (``{"drop", "kept", "wave_order"}``: positions in the whole table, ``raw["_pos"]``, of the duplicate
        submissions dropped and kept and of the wave-order warnings, decided over the whole table when it is cleaned
        in chunks of files; default: decided on ``raw``); ``keys_out`` (a dict the cleaner fills with the key columns
        and its own decisions of those steps, for the pipeline's decision over the whole table, and with the
        evidence and decisions of :data:`PART_RULES`); ``partial_files`` (files of ``raw`` that are row batches of
        larger files: their per-file rules report evidence instead of deciding); ``decided`` (``{(rule, key):
        decision}`` of :data:`PART_RULES`, decided over the whole file or column by :func:`decide_parts`);
        ``prepared_out`` (a callable given the table cleaned up to the steps the ``cross`` decisions change, to
        be finished later by :func:`finish_table`); ``table_people``
        (1 when any file of the whole table has a NIP, or a row when the table has no NIP column: a chunk whose files
        have none still checks its name column as the whole table would).

    Returns
    -------
    (clean, quarantine, problems) : tuple of pandas.DataFrame
        ``clean`` in the canonical column order, ``quarantine`` the rows with errors (same columns plus ``_file``,
        ``_row``, ``reasons``), ``problems`` one row per finding (:data:`PROBLEM_COLUMNS`).
    """
    if table not in CLEANERS:
        raise KinerjaError(f"table {table!r} is unknown; rule: tables are {', '.join(CLEANERS)}")
    options = dict(options or {})
    attrs = dict(raw.attrs)
    # this cleaning's own shallow copy: columns it drops (answers already mapped) leave the caller's frame alone;
    # pandas deep-copies attrs on every operation, so they are kept out of the hot path
    raw = raw.copy(deep=False)
    raw.attrs = {}
    probs = Problems(raw, table, attrs.get("headers", {}), aliases=options.get("file_aliases"))
    if "known_names" in options:  # given by the pipeline: the names of every name column of the dataset
        probs.names = frozenset(options["known_names"])
    else:
        probs.names = name_keys(raw["name"]) if "name" in raw else frozenset()
    ctx = _Ctx(table, raw, probs, key, options, attrs.get("dayfirst"), attrs.get("values", {}))
    ctx.decisions = _Decisions(options)
    ctx.decisions.names = probs.names
    _refuse_people_columns(ctx)
    ctx.code = _regions(ctx)
    probs.region = ctx.code.to_numpy(dtype=object, na_value=None)
    # Blank cells of optional columns (required ones -- nip, region, wave, period -- are errors, reported by their
    # cleaners; items report their own).
    special = {"nip", "region", "wave", "period"} | set(PRIVATE_COLUMNS) | set(_scales(ctx))
    for c in raw.columns:
        if c.startswith("_") or c in special:
            continue
        blank = raw[c].isna() | (raw[c].astype("string").str.strip() == "")
        ctx.add(blank.fillna(True).to_numpy(), field_name=c, rule="missing_value")

    cleaned = CLEANERS[table](ctx)
    out = _frame(cleaned.cols, raw.index, cleaned.item_block)
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].astype("datetime64[ns]")
    out["_file"] = probs.shown_files(index=raw.index)
    out["_row"] = raw["_row"].astype("int64")
    prepared = _Prepared(ctx, out, _Cleaned({}, None, cleaned.dup_key, cleaned.dup_order))
    keep = options.get("prepared_out")
    if keep is not None:  # the state before the steps a decision over the whole table can change (the pipeline's)
        keep(prepared)
    return finish_table(prepared, raw, options)


@dataclass
class _Prepared:
    """A table cleaned up to the steps that decisions over the whole table change (duplicates, wave order): the
    pipeline keeps it, so a part cleaned again with those decisions only runs :func:`finish_table`."""

    ctx: _Ctx
    out: pd.DataFrame
    cleaned: _Cleaned

    def __getstate__(self):  # the raw cells and the name keys are the run's (given back by finish_table)
        probs = copy.copy(self.ctx.probs)
        probs.names = frozenset()
        ctx = _Ctx(self.ctx.table, None, probs, self.ctx.key, {}, self.ctx.dayfirst, {}, self.ctx.code)
        return {"ctx": ctx, "out": self.out, "cleaned": self.cleaned}


def finish_table(
    prepared: _Prepared, raw: pd.DataFrame, options: Mapping
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The last steps of :func:`clean_table` on a prepared table: duplicate submissions and wave order (decided
    here, or over the whole table with option ``cross``), personal data in kept text, coarsened dates, and the split
    into clean and quarantined rows. ``raw`` is the table's raw frame (the cells shown in problem records)."""
    ctx, out, cleaned = prepared.ctx, prepared.out.copy(deep=False), prepared.cleaned
    table, probs = ctx.table, ctx.probs
    if ctx.raw is None:  # a prepared table read back: the run's raw cells, options and name keys
        ctx.raw = raw
        if "known_names" in options:
            probs.names = frozenset(options["known_names"])
    ctx.options = dict(options)
    probs = ctx.probs
    _duplicates(ctx, out, cleaned)
    if table == "survey":
        _wave_order(ctx, out)
    _redact_free_text(ctx, out)
    _coarsen(out)
    problems = probs.frame()
    clean, quarantine = _split(ctx, out, problems)
    return clean, quarantine, problems
