"""Render a simulated world as messy raw files (as units hand them over) and record every planted problem."""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from kinerja_research._io import sha256_file
from kinerja_research.errors import KinerjaError
from kinerja_research.synth import _spec as S
from kinerja_research.synth import _world as W
from kinerja_research.synth._xlsx import MAX_ROWS, write_xlsx

__all__ = [
    "write_raw",
    "write_regions",
    "read_dirt",
    "read_dirt_frame",
    "dirt_name",
    "RATES",
    "TABLES",
    "MARKER",
    "DIRT_FILE",
    "region_variants",
    "golongan_variants",
]

MARKER = "generator: kinerja_research.synth"
SURVEY_FILE = "survey_asn_google_forms.csv"

# rates of planted problems (per row or per cell); small so analyses recover effects on the clean remainder
RATES = {
    "duplicate_submission": 0.010,
    "too_fast": 0.010,
    "straight_lining": 0.010,
    "nip_scientific_notation": 0.010,
    "nip_precision_loss": 0.005,
    "nip_invalid_date": 0.003,
    "nip_length": 0.003,
    "missing_value": 0.004,
    "likert_unknown_label": 0.001,
    "out_of_range": 0.001,
    "region_variant": 0.35,
    "golongan_variant": 0.40,
    "abbreviation": 0.03,
    "skp_decimal_comma": 0.30,
    "date_format": 0.02,
    "skm_cell": 0.003,
}
UNKNOWN_LABELS = np.array(["Tidak tahu", "Tidak yakin", "Lainnya", "Setuju?"], dtype=object)
MONTHS_ID = np.array(
    [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    dtype=object,
)
ROMAN = ("I", "II", "III", "IV")
PERIOD_LABEL = {
    "2025-S1": "Semester I 2025",
    "2025-S2": "Semester II 2025",
    "2026-S1": "Semester I 2026",
    "2026-S2": "Semester II 2026",
}
RATING_LABEL = {"above": "Di Atas Ekspektasi", "as_expected": "Sesuai Ekspektasi", "below": "Di Bawah Ekspektasi"}
WAVE_LABEL = {"pre": "Tahap 1 - sebelum pelatihan", "post": "Tahap 2 - sesudah pelatihan"}
QUARTER_LABEL = {"2026-Q1": "Triwulan I 2026", "2026-Q2": "Triwulan II 2026", "2026-Q3": "Triwulan III 2026"}

H = {  # survey headers (Google Forms question text) other than the items
    "ts": "Timestamp",
    "dur": "Durasi pengisian (detik)",
    "nip": "NIP (18 digit, tanpa spasi)",
    "name": "Nama Lengkap",
    "region": "Kabupaten/Kota tempat Anda bertugas",
    "agency": "Unit Kerja / OPD",
    "gol": "Pangkat/Golongan",
    "edu": "Pendidikan terakhir",
    "wave": "Tahap survei",
    "trained": "Apakah Anda peserta Pelatihan Manajemen Kinerja ASN Berbasis e-Kinerja tahun 2026?",
}


class Dirt:
    """Collects planted problems as arrays (row positions are remapped when duplicates are inserted)."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, file, rows, column, values, rule):
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        vals = np.asarray(values, dtype=object)
        if vals.ndim == 0:
            vals = np.full(rows.size, vals, dtype=object)
        self.items.append({"file": file, "row": rows.astype(np.int64), "column": column, "value": vals, "rule": rule})

    def frame(self) -> pd.DataFrame:
        """The planted problems as a frame ``file, row, column, value, rule`` (value as text, None for a blank),
        sorted by file, row, column and rule (the order of :meth:`records`)."""
        if not self.items:
            return pd.DataFrame({k: pd.Series([], dtype=object if k != "row" else np.int64) for k in DIRT_COLUMNS})
        values = np.concatenate([d["value"] for d in self.items])
        columns = {
            "file": np.concatenate([np.full(d["row"].size, d["file"], dtype=object) for d in self.items]),
            "row": np.concatenate([d["row"] for d in self.items]),
            "column": np.concatenate([np.full(d["row"].size, d["column"], dtype=object) for d in self.items]),
            "value": np.array([None if v is None else str(v) for v in values.tolist()], dtype=object),
            "rule": np.concatenate([np.full(d["row"].size, d["rule"], dtype=object) for d in self.items]),
        }
        df = pd.DataFrame({k: pd.Series(v, dtype=np.int64 if k == "row" else object) for k, v in columns.items()})
        return _sort_dirt(df)

    def records(self) -> list[dict]:
        return dirt_records(self.frame())


def _sort_dirt(df: pd.DataFrame) -> pd.DataFrame:
    def codes(values) -> np.ndarray:
        return pd.factorize(pd.Series(values, dtype=object), sort=True)[0]

    order = np.lexsort(
        (
            codes(df["rule"]),
            codes(df["column"].fillna("")),
            df["row"].to_numpy(dtype=np.int64),
            codes(df["file"]),
        )
    )
    return df.iloc[order].reset_index(drop=True)


def dirt_records(df: pd.DataFrame) -> list[dict]:
    """Records ``{file, row, column, value, rule}`` of a dirt frame (None for a blank column or value)."""

    def text(x):
        return x if isinstance(x, str) else None

    out = []
    for f, r, c, v, u in zip(
        df["file"].tolist(), df["row"].tolist(), df["column"].tolist(), df["value"].tolist(), df["rule"].tolist()
    ):
        out.append({"file": f, "row": int(r), "column": text(c), "value": text(v), "rule": u})
    return out


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# ---------------------------------------------------------------------------------------------------------------
# value renderers
def region_variants(code: str, name: str) -> list[str]:
    """Spellings of a region that the registry resolves to ``code`` (canonical name first)."""
    from kinerja_research.regions import resolve_region

    short = re.sub(r"^(Kota|Kabupaten)\s+", "", name)
    kind = "Kota" if name.startswith("Kota") else "Kab."
    cands = [
        name,
        short,
        f"{kind} {short.replace(' ', '')}",
        short.upper(),
        name.upper(),
        name.lower(),
        f"{short} {kind}",
        f"{short[0]}. {short.split(' ', 1)[1]}" if " " in short else short.lower(),
    ]
    if code == "18.71":
        cands += ["Bandar Lampung", "Kota Bandarlampung", "B. Lampung", "Bandarlampung"]
    if code == "53.71":
        cands += ["Kupang Kota", "Kota Kupang (NTT)"]
    if code == "11.73":
        cands += ["Lhok Seumawe"]
    out = []
    for c in cands:
        if c in out:
            continue
        try:
            if resolve_region(c).code == code:
                out.append(c)
        except Exception:  # noqa: BLE001 - a spelling the registry does not take is simply not used
            continue
    return out


def golongan_variants(canon: str) -> list[str]:
    if canon.startswith("PPPK-"):
        g = canon[5:]
        return [canon, g, f"PPPK {g}", f"{g} (PPPK)"]
    rank = S.GOLONGAN.index(canon) + 1
    roman, letter = canon.split("/")
    num = ROMAN.index(roman) + 1
    pangkat = S.PANGKAT[rank - 1]
    return [
        canon,
        f"{roman}{letter}",
        f"{num}{letter}",
        f"{roman}-{letter.upper()}",
        f"{roman} / {letter}",
        pangkat,
        f"{pangkat}, {canon}",
        f"{pangkat} ({canon})",
    ]


def _choose_variant(rng, canon: pd.Series, variants_of, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Render canonical values, a share ``rate`` in a non-canonical spelling; returns (values, is_variant)."""
    codes, uniques = pd.factorize(canon)
    n = len(canon)
    var = rng.random(n) < rate
    pick = rng.random(n)
    out = np.empty(n, dtype=object)
    for u, val in enumerate(uniques):
        opts = variants_of(val)
        sel = codes == u
        alt = np.asarray(opts[1:] if len(opts) > 1 else opts, dtype=object)
        k = (pick[sel] * len(alt)).astype(int)
        out[sel] = np.where(var[sel], alt[k], opts[0])
        if len(opts) == 1:
            var[sel] = False
    return out, var


def _blank(values: pd.Categorical, mask: np.ndarray) -> pd.Categorical:
    """``values`` with the cells of ``mask`` blank (missing)."""
    codes = values.codes.copy()
    codes[mask] = -1
    return pd.Categorical.from_codes(codes, categories=values.categories)


def fmt_timestamp(ts: np.ndarray) -> np.ndarray:
    s = pd.Series(ts).dt.strftime("%d/%m/%Y %H:%M:%S")
    return s.to_numpy(dtype=object)


def fmt_date_id(d: np.ndarray) -> np.ndarray:
    y, m, day = W._ymd(np.asarray(d))
    return (pd.Series(day.astype(str)) + " " + pd.Series(MONTHS_ID[m - 1]) + " " + pd.Series(y.astype(str))).to_numpy(
        dtype=object
    )


def fmt_decimal_comma(x: np.ndarray, decimals: int = 1) -> np.ndarray:
    if np.asarray(x).size == 0:
        return np.empty(0, dtype=object)
    s = pd.Series(np.round(np.asarray(x, dtype=float), decimals)).map(lambda v: f"{v:.{decimals}f}")
    return s.str.replace(".", ",", regex=False).to_numpy(dtype=object)


def mangle_nips(
    rng,
    nips: np.ndarray,
    file: str,
    column: str,
    dirt: Dirt,
    row_numbers: np.ndarray,
    rates: dict,
    eligible: np.ndarray,
    numeric_cells: bool = False,
) -> np.ndarray:
    """Plant NIP problems in a disjoint subset of eligible rows; returns the rendered NIP column."""
    out = nips.astype(object).copy()
    n = len(nips)
    idx = rng.permutation(np.flatnonzero(eligible))
    k = {
        r: int(round(rates[r] * n))
        for r in ("nip_scientific_notation", "nip_precision_loss", "nip_invalid_date", "nip_length")
    }
    if numeric_cells:
        k["nip_precision_loss"] += k.pop("nip_scientific_notation")
        k["nip_scientific_notation"] = 0
    pos = 0
    for rule in ("nip_scientific_notation", "nip_precision_loss", "nip_invalid_date", "nip_length"):
        sel = idx[pos : pos + k[rule]]
        pos += k[rule]
        if sel.size == 0:
            continue
        orig = nips[sel].astype(str)
        if rule == "nip_scientific_notation":
            three = rng.random(sel.size) < 0.5
            vals = np.array([f"{float(v):.2E}" if t else f"{float(v):.5E}" for v, t in zip(orig, three)], dtype=object)
        elif rule == "nip_precision_loss":
            # what Excel shows after keeping 15 significant digits; a NIP ending in 000 loses nothing, so
            # its last significant digit is bumped to make the damage visible
            vals = np.array([str(int(Decimal(f"{float(v):.15g}"))) for v in orig], dtype=object)
            same = vals == orig
            vals[same] = np.array([v[:14] + str((int(v[14]) + 1) % 10) + "000" for v in orig[same]], dtype=object)
        elif rule == "nip_invalid_date":
            bad = rng.choice(["13", "14", "00", "19"], size=sel.size)
            vals = np.array([v[:4] + b + v[6:] for v, b in zip(orig, bad)], dtype=object)
        else:
            drop = rng.random(sel.size) < 0.5
            vals = np.array([v[:-1] if d else v + str(int(v[-1]) % 9 + 1) for v, d in zip(orig, drop)], dtype=object)
        if numeric_cells and rule == "nip_precision_loss":
            out[sel] = np.array([float(v) for v in vals], dtype=object)
        else:
            out[sel] = vals
        dirt.add(file, row_numbers[sel], column, vals, rule)
    return out


# ---------------------------------------------------------------------------------------------------------------
def _survey(world, rng, dirt: Dirt, out_dir: Path) -> dict:
    sv = world.tables["survey"]
    priv = world.private.set_index("person_id")
    names_by_code = {p.code: p.name for p in world.extra["params"]}
    if not sv["submitted_at"].is_monotonic_increasing:  # write_regions hands it over sorted (one copy at national size)
        sv = sv.sort_values("submitted_at", kind="stable")
    sv = sv.reset_index(drop=True)
    n = len(sv)
    nip = priv["nip"].reindex(sv["person_id"]).to_numpy(dtype=object)
    name = priv["name"].reindex(sv["person_id"]).array
    del priv
    insts = [S.instrument(nm) for nm in S.SURVEY_INSTRUMENTS]
    item_cols = [(inst, it) for inst in insts for it in inst.items]
    headers_items = [it.text_id for _, it in item_cols]
    # row-level sets, disjoint
    perm = rng.permutation(n)
    k_dup, k_fast, k_straight = (
        int(round(RATES[r] * n)) for r in ("duplicate_submission", "too_fast", "straight_lining")
    )
    dup_src = np.sort(perm[:k_dup])
    fast = perm[k_dup : k_dup + k_fast]
    straight = perm[k_dup + k_fast : k_dup + k_fast + k_straight]
    special = np.zeros(n, bool)
    special[perm[: k_dup + k_fast + k_straight]] = True
    # final row numbers (1-based data rows): duplicates follow their source row
    is_dup_src = np.zeros(n, bool)
    is_dup_src[dup_src] = True
    before = np.cumsum(is_dup_src) - is_dup_src
    rowno = np.arange(n) + before + 1
    dup_rowno = rowno[dup_src] + 1
    # columns as Arrow strings or categoricals, not Python objects (about 3 million rows at national scale)
    cols: dict = {}
    cols[H["ts"]] = pd.Series(sv["submitted_at"].to_numpy()).dt.strftime("%d/%m/%Y %H:%M:%S").array
    dur = sv["duration_s"].to_numpy().copy()
    fast_vals = rng.integers(15, 50, fast.size).astype(float)
    dur[fast] = fast_vals
    cols[H["dur"]] = pd.Series(dur.astype(np.int64)).astype(str).array
    dirt.add(SURVEY_FILE, rowno[fast], H["dur"], fast_vals.astype(np.int64).astype(str), "too_fast")
    cols[H["nip"]] = pd.array(mangle_nips(rng, nip, SURVEY_FILE, H["nip"], dirt, rowno, RATES, ~special), "string")
    del nip
    cols[H["name"]] = name
    # region answered in several spellings
    region_canon = sv["region_code"].map(names_by_code)
    var_cache: dict[str, list[str]] = {}

    def reg_var(nm):
        if nm not in var_cache:
            code = next(c for c, v in names_by_code.items() if v == nm)
            var_cache[nm] = region_variants(code, nm)
        return var_cache[nm]

    reg_vals, reg_is_var = _choose_variant(rng, region_canon, reg_var, RATES["region_variant"])
    cols[H["region"]] = pd.Categorical(reg_vals)
    agency = pd.Categorical(sv["agency"].to_numpy(dtype=object))
    gol_vals, gol_is_var = _choose_variant(rng, sv["golongan"], golongan_variants, RATES["golongan_variant"])
    cols[H["gol"]] = pd.Categorical(gol_vals)
    edu = pd.Categorical(sv["education"].to_numpy(dtype=object))
    cols[H["wave"]] = pd.Categorical(sv["wave"].map(WAVE_LABEL).to_numpy(dtype=object))
    cols[H["trained"]] = pd.Categorical(np.where(sv["trained"].to_numpy(), "Ya", "Tidak").astype(object))
    # blanks in demographic answers (column order as before: agency after region, education after golongan)
    blanks = {}
    for key in ("agency", "edu"):
        m = (rng.random(n) < RATES["missing_value"]) & ~special
        dirt.add(SURVEY_FILE, rowno[m], H[key], np.full(m.sum(), None, dtype=object), "missing_value")
        blanks[key] = m
    cols = {
        **{k: cols[H[k]] for k in ("ts", "dur", "nip", "name", "region")},
        "agency": _blank(agency, blanks["agency"]),
        "gol": cols[H["gol"]],
        "edu": _blank(edu, blanks["edu"]),
        "wave": cols[H["wave"]],
        "trained": cols[H["trained"]],
    }
    cols = {H[k]: v for k, v in cols.items()}
    # Likert answers as words (occasional abbreviations), with planted cell problems
    # each item column is categorical (one small code per answer, not one Python object): national scale
    straight_choices = ["Setuju", "Sangat Setuju", "Tidak Setuju"]
    straight_lab = rng.choice(straight_choices, size=straight.size)
    for (inst, it), header in zip(item_cols, headers_items):
        x = sv[it.id].to_numpy().astype(np.int64)
        labels = [str(v) for v in inst.labels_id]
        abbr = [str(v) for v in inst.abbreviations]
        oor_labels = ["0", str(inst.k + 1)]
        cats = list(dict.fromkeys(labels + abbr + list(UNKNOWN_LABELS) + oor_labels + straight_choices))
        at = {c: i for i, c in enumerate(cats)}

        def pos(values, at=at):
            return np.array([at[v] for v in values], dtype=np.int16)

        use_abbr = rng.random(n) < RATES["abbreviation"]
        code = np.where(use_abbr, pos(abbr)[x - 1], pos(labels)[x - 1])
        u = rng.random(n)
        miss = (u < RATES["missing_value"]) & ~special
        unk = (u >= RATES["missing_value"]) & (u < RATES["missing_value"] + RATES["likert_unknown_label"]) & ~special
        oor = (u >= 1 - RATES["out_of_range"]) & ~special
        code[miss] = -1
        unk_pick = rng.integers(0, len(UNKNOWN_LABELS), n)
        code[unk] = pos(UNKNOWN_LABELS)[unk_pick[unk]]
        oor_pick = (rng.random(n) >= 0.5).astype(np.int64)  # 0 -> "0", 1 -> k + 1
        code[oor] = pos(oor_labels)[oor_pick[oor]]
        code[straight] = pos(straight_lab)
        dirt.add(SURVEY_FILE, rowno[miss], header, np.full(miss.sum(), None, dtype=object), "missing_value")
        dirt.add(SURVEY_FILE, rowno[unk], header, UNKNOWN_LABELS[unk_pick[unk]], "likert_unknown_label")
        dirt.add(SURVEY_FILE, rowno[oor], header, np.asarray(oor_labels, dtype=object)[oor_pick[oor]], "out_of_range")
        cols[header] = pd.Categorical.from_codes(code, categories=cats)
    dirt.add(SURVEY_FILE, rowno[straight], None, straight_lab, "straight_lining")
    df = pd.DataFrame(cols, copy=False)
    del cols
    # duplicate submissions: an exact copy a few seconds later, right after the original
    shifted = sv["submitted_at"].to_numpy()[dup_src] + rng.integers(2, 40, dup_src.size).astype("timedelta64[s]")
    dup_ts = fmt_timestamp(shifted)
    dirt.add(SURVEY_FILE, dup_rowno, None, dup_ts, "duplicate_submission")
    # the variants live in both the original and its copy
    dirt.add(SURVEY_FILE, rowno[reg_is_var], H["region"], reg_vals[reg_is_var], "region_variant")
    dirt.add(SURVEY_FILE, rowno[gol_is_var], H["gol"], gol_vals[gol_is_var], "golongan_variant")
    dv = reg_is_var[dup_src]
    dirt.add(SURVEY_FILE, dup_rowno[dv], H["region"], reg_vals[dup_src][dv], "region_variant")
    dv = gol_is_var[dup_src]
    dirt.add(SURVEY_FILE, dup_rowno[dv], H["gol"], gol_vals[dup_src][dv], "golongan_variant")
    order = np.argsort(np.r_[rowno, dup_rowno], kind="stable")
    sv_region = sv["region_code"].to_numpy(dtype=object)
    row_region = np.r_[sv_region, sv_region[dup_src]][order]  # region of data row k at position k - 1
    del sv
    # originals and copies in file order in one take; the copies then get their later time stamps
    full = df.take(np.r_[np.arange(n), dup_src][order]).reset_index(drop=True)
    del df
    ts = full[H["ts"]].to_numpy(dtype=object)
    ts[np.flatnonzero(order >= n)] = dup_ts[order[order >= n] - n]
    full[H["ts"]] = pd.array(ts, dtype="string")
    del ts
    path = out_dir / SURVEY_FILE
    full.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    columns = {
        H["ts"]: "submitted_at",
        H["dur"]: "duration_s",
        H["nip"]: "nip",
        H["name"]: "name",
        H["region"]: "region",
        H["agency"]: "agency",
        H["gol"]: "golongan_raw",
        H["edu"]: "education",
        H["wave"]: "wave",
        H["trained"]: "trained",
    }
    columns.update({h: it.id for (_, it), h in zip(item_cols, headers_items)})
    return row_region, {
        "file": SURVEY_FILE,
        "reader": "forms",
        "options": {"sep": ",", "encoding": "utf-8", "dayfirst": True},
        "region": None,
        "columns": columns,
        "values": {"trained": {"Ya": True, "Tidak": False}, "wave": {v: k for k, v in WAVE_LABEL.items()}},
    }


def _performance(world, rng, dirt: Dirt, out_dir: Path) -> list[dict]:
    perf = world.tables["performance"]
    priv = world.private.set_index("person_id")
    entries = []
    header = [
        "No",
        "NIP",
        "Nama",
        "Pangkat/Golongan",
        "Unit Kerja",
        "Periode",
        "Rating Hasil Kerja",
        "Rating Perilaku Kerja",
        "Predikat Kinerja",
        "Capaian (%)",
    ]
    for p in world.extra["params"]:
        d = perf[perf["region_code"] == p.code]
        nm = priv["name"].reindex(d["person_id"]).to_numpy(dtype=object)
        nip = priv["nip"].reindex(d["person_id"]).to_numpy(dtype=object)
        d = d.assign(_nip=nip, _name=nm).sort_values(["period", "agency", "_nip"], kind="stable")
        n_total = len(d)
        per_file = MAX_ROWS - 10
        for part, lo in enumerate(range(0, max(n_total, 1), per_file)):
            chunk = d.iloc[lo : lo + per_file]
            n = len(chunk)
            fname = f"skp_{slug(p.name)}.xlsx" if part == 0 else f"skp_{slug(p.name)}_bagian{part + 1}.xlsx"
            rows = np.arange(1, n + 1)
            nipcol = mangle_nips(
                rng,
                chunk["_nip"].to_numpy(dtype=object),
                fname,
                "NIP",
                dirt,
                rows,
                RATES,
                np.ones(n, bool),
                numeric_cells=True,
            )
            gol, gv = _choose_variant(rng, chunk["golongan"], golongan_variants, RATES["golongan_variant"])
            dirt.add(fname, rows[gv], "Pangkat/Golongan", gol[gv], "golongan_variant")
            cap = chunk["capaian_pct"].to_numpy()
            txt = rng.random(n) < RATES["skp_decimal_comma"]
            cap_txt = fmt_decimal_comma(cap[txt])
            capcol = cap.astype(object)
            capcol[txt] = cap_txt
            dirt.add(fname, rows[txt], "Capaian (%)", cap_txt, "decimal_comma")
            perilaku = chunk["rating_perilaku"].map(RATING_LABEL).to_numpy(dtype=object)
            miss = rng.random(n) < RATES["missing_value"]
            perilaku[miss] = None
            dirt.add(
                fname, rows[miss], "Rating Perilaku Kerja", np.full(miss.sum(), None, dtype=object), "missing_value"
            )
            data = pd.DataFrame(
                {
                    "No": rows.astype(object),
                    "NIP": nipcol,
                    "Nama": chunk["_name"].to_numpy(dtype=object),
                    "Pangkat/Golongan": gol,
                    "Unit Kerja": chunk["agency"].to_numpy(dtype=object),
                    "Periode": chunk["period"].map(PERIOD_LABEL).to_numpy(dtype=object),
                    "Rating Hasil Kerja": chunk["rating_hasil_kerja"].map(RATING_LABEL).to_numpy(dtype=object),
                    "Rating Perilaku Kerja": perilaku,
                    "Predikat Kinerja": chunk["predikat"].to_numpy(dtype=object),
                    "Capaian (%)": capcol,
                }
            )
            title = [
                "REKAPITULASI PENILAIAN KINERJA PEGAWAI (e-Kinerja)",
                f"Pemerintah {p.name} - Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            ]
            write_xlsx(out_dir / fname, "SKP", title, header, data)
            entries.append(
                {
                    "file": fname,
                    "reader": "excel",
                    "options": {"sheet": "SKP", "header_row": 4, "decimal": ","},
                    "region": p.code,
                    "columns": {
                        "NIP": "nip",
                        "Nama": "name",
                        "Pangkat/Golongan": "golongan_raw",
                        "Unit Kerja": "agency",
                        "Periode": "period",
                        "Rating Hasil Kerja": "rating_hasil_kerja",
                        "Rating Perilaku Kerja": "rating_perilaku",
                        "Predikat Kinerja": "predikat",
                        "Capaian (%)": "capaian_pct",
                    },
                    "values": {
                        "period": {v: k for k, v in PERIOD_LABEL.items()},
                        "rating_hasil_kerja": {v: k for k, v in RATING_LABEL.items()},
                        "rating_perilaku": {v: k for k, v in RATING_LABEL.items()},
                    },
                }
            )
    return entries


def _training(world, rng, dirt: Dirt, out_dir: Path) -> list[dict]:
    tr = world.tables["training"]
    priv = world.private.set_index("person_id")
    entries = []
    for p in world.extra["params"]:
        d = tr[tr["region_code"] == p.code].sort_values(["start", "person_id"], kind="stable")
        n = len(d)
        fname = f"pelatihan_{slug(p.name)}.csv"
        rows = np.arange(1, n + 1)
        nip = priv["nip"].reindex(d["person_id"]).to_numpy(dtype=object)
        nipcol = mangle_nips(rng, nip, fname, "NIP", dirt, rows, RATES, np.ones(n, bool))
        start = fmt_date_id(d["start"].to_numpy())
        end = fmt_date_id(d["end"].to_numpy())
        for col, vals, raw in (("Tanggal Mulai", start, d["start"]), ("Tanggal Selesai", end, d["end"])):
            m = rng.random(n) < RATES["date_format"]
            iso = rng.random(n) < 0.5
            alt = np.where(
                iso,
                raw.dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
                raw.dt.strftime("%d/%m/%Y").to_numpy(dtype=object),
            )
            vals[m] = alt[m]
            dirt.add(fname, rows[m], col, alt[m], "date_format")
        jp = fmt_decimal_comma(d["jp"].to_numpy())
        miss = rng.random(n) < RATES["missing_value"]
        jp[miss] = None
        dirt.add(fname, rows[miss], "Jumlah JP", np.full(miss.sum(), None, dtype=object), "missing_value")
        df = pd.DataFrame(
            {
                "No": rows,
                "NIP": nipcol,
                "Nama Pegawai": priv["name"].reindex(d["person_id"]).to_numpy(dtype=object),
                "Nama Pelatihan": d["course"].to_numpy(dtype=object),
                "Tanggal Mulai": start,
                "Tanggal Selesai": end,
                "Jumlah JP": jp,
                "Kategori": np.where(
                    d["programme"].to_numpy(),
                    "Program Pelatihan Manajemen Kinerja 2026",
                    "Pengembangan Kompetensi Lainnya",
                ).astype(object),
            }
        )
        df.to_csv(out_dir / fname, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
        entries.append(
            {
                "file": fname,
                "reader": "csv",
                "options": {"sep": ";", "encoding": "cp1252", "decimal": ",", "dayfirst": True},
                "region": p.code,
                "columns": {
                    "NIP": "nip",
                    "Nama Pegawai": "name",
                    "Nama Pelatihan": "course",
                    "Tanggal Mulai": "start",
                    "Tanggal Selesai": "end",
                    "Jumlah JP": "jp",
                    "Kategori": "programme",
                },
                "values": {
                    "programme": {
                        "Program Pelatihan Manajemen Kinerja 2026": True,
                        "Pengembangan Kompetensi Lainnya": False,
                    }
                },
            }
        )
    return entries


@lru_cache(maxsize=1)
def _skm_headers() -> tuple[str, ...]:
    """The SKM element names (the codebook's, read once per process: every region's file uses them)."""
    doc = S._from_yaml("skm")
    if doc:
        return tuple(str(it.get("element_id") or it["id"]) for it in doc["items"])
    return (
        "Persyaratan",
        "Sistem, Mekanisme, dan Prosedur",
        "Waktu Penyelesaian",
        "Biaya/Tarif",
        "Produk Spesifikasi Jenis Pelayanan",
        "Kompetensi Pelaksana",
        "Perilaku Pelaksana",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Sarana dan Prasarana",
    )


def _satisfaction(world, rng, dirt: Dirt, out_dir: Path) -> list[dict]:
    sat = world.tables["satisfaction"]
    elements = _skm_headers()
    ids = [f"U{j}" for j in range(1, 10)]
    entries = []
    for p in world.extra["params"]:
        d = sat[sat["region_code"] == p.code].sort_values("submitted_at", kind="stable")
        n = len(d)
        fname = f"skm_{slug(p.name)}.csv"
        rows = np.arange(1, n + 1)
        order = np.random.default_rng(S.stable_int("skm_order", p.code)).permutation(9)
        cols = {
            "No": rows,
            "Tanggal Survei": d["submitted_at"].dt.strftime("%d/%m/%Y %H:%M").to_numpy(dtype=object),
            "Unit Layanan": d["service_unit"].to_numpy(dtype=object),
            "Triwulan": d["period"].map(QUARTER_LABEL).to_numpy(dtype=object),
            "Jenis Kelamin": np.where(d["gender"].to_numpy() == "L", "Laki-laki", "Perempuan").astype(object),
            "Usia": d["age"].to_numpy().astype(np.int64),
            "Pendidikan Terakhir": d["education"].to_numpy(dtype=object),
            "Pekerjaan Utama": d["occupation"].to_numpy(dtype=object),
        }
        for j in order:
            x = d[ids[j]].to_numpy().astype(object)
            u = rng.random(n)
            miss = u < RATES["skm_cell"]
            oor = u > 1 - RATES["skm_cell"]
            bad = np.where(rng.random(n) < 0.5, 0, 5).astype(object)
            x[miss] = None
            x[oor] = bad[oor]
            dirt.add(fname, rows[miss], elements[j], np.full(miss.sum(), None, dtype=object), "missing_value")
            dirt.add(fname, rows[oor], elements[j], bad[oor], "out_of_range")
            cols[elements[j]] = x
        pd.DataFrame(cols).to_csv(out_dir / fname, index=False, encoding="utf-8", lineterminator="\n")
        entries.append(
            {
                "file": fname,
                "reader": "csv",
                "options": {"sep": ",", "encoding": "utf-8", "dayfirst": True},
                "region": p.code,
                "columns": {
                    "Tanggal Survei": "submitted_at",
                    "Unit Layanan": "service_unit",
                    "Triwulan": "period",
                    **{elements[j]: ids[j] for j in range(9)},
                    "Jenis Kelamin": "gender",
                    "Usia": "age",
                    "Pendidikan Terakhir": "education",
                    "Pekerjaan Utama": "occupation",
                },
                "values": {
                    "gender": {"Laki-laki": "L", "Perempuan": "P"},
                    "period": {v: k for k, v in QUARTER_LABEL.items()},
                },
            }
        )
    return entries


# ---------------------------------------------------------------------------------------------------------------
def _label_sets() -> dict:
    out = {}
    for name in S.SURVEY_INSTRUMENTS:
        doc = S._from_yaml(name)
        if doc and doc.get("scale", {}).get("label_set"):
            out[S.PREFIX[name]] = doc["scale"]["label_set"]
    return out


TABLES = ("survey", "performance", "training", "satisfaction")


def write_raw(world, out_dir: Path, *, seed: int, progress=None, tables=None, keep_dirt: bool = True) -> dict:
    """Write the raw files, ``dataset.yml`` and ``GROUND_TRUTH.json`` of a simulated world (region by region, as
    :func:`write_regions`); returns the truth with its dirt list."""
    params = world.extra["params"]

    def split(df: pd.DataFrame) -> dict:
        if "region_code" not in df:
            return {}
        idx = pd.Series(np.arange(len(df))).groupby(df["region_code"].to_numpy(dtype=object), sort=False)
        return {k: v.to_numpy() for k, v in idx}

    by_table = {name: (df, split(df)) for name, df in world.tables.items()}
    priv_rows = split(world.private)
    empty = np.empty(0, np.int64)

    def parts():
        for p in params:
            tabs = {
                name: df.iloc[rows.get(p.code, empty)].reset_index(drop=True) for name, (df, rows) in by_table.items()
            }
            private = world.private.iloc[priv_rows.get(p.code, empty)].reset_index(drop=True)
            yield W.RegionWorld(p, tabs, private, None, len(private), len(tabs["survey"]))

    truth = dict(world.truth)
    return write_regions(
        parts(),
        out_dir,
        seed=seed,
        scale=world.scale,
        params=params,
        truth_fn=lambda n_staff, n_survey: truth,
        progress=progress,
        tables=tables,
        keep_dirt=keep_dirt,
    )


def _item_ids() -> list[str]:
    return [it.id for name in S.SURVEY_INSTRUMENTS for it in S.instrument(name).items]


def write_regions(
    parts,
    out_dir: Path,
    *,
    seed: int,
    scale: float,
    params: list,
    truth_fn,
    progress=None,
    tables=None,
    keep_dirt: bool = True,
    resume: bool = False,
) -> dict:
    """Write a world given region by region (an iterable of ``_world.RegionWorld``, in the order of ``params``).

    Each region's SKP, training and SKM files and its part of the planted-problem ledger are written as soon as the
    region arrives, and the region is then let go; only its survey rows (answers as 1-byte integers) and the NIP and
    name of its surveyed staff are kept for the one national survey export, written last. ``truth_fn(n_staff,
    n_survey)`` gives the GROUND_TRUTH content (numbers of staff and of survey rows per region, in ``params``
    order). With ``keep_dirt`` the returned truth holds every planted problem under ``dirt`` (as
    :func:`kinerja_research.synth.load_truth` gives them); without it ``dirt`` is left out (national scale: read
    them per region with ``load_truth(folder, regions=...)``). With ``resume``, a region whose ledger is already in
    ``out_dir`` (an interrupted run of the same seed, scale and regions) is simulated again for its survey rows but its
    files are not rewritten (their entries and ledger counts are taken as they are).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = TABLES if tables is None else tuple(tables)
    bad = [t for t in tables if t not in TABLES]
    if bad or not tables:
        raise KinerjaError(
            f"Argument 'tables' is {list(tables)!r}; the rule is a non-empty subset of {', '.join(TABLES)}."
        )
    step = progress or (lambda msg: None)
    writers = {"performance": _performance, "training": _training, "satisfaction": _satisfaction}
    written: dict[str, list] = {t: [] for t in TABLES if t in tables}
    items = _item_ids()
    survey_parts, survey_private = [], []
    n_staff, n_survey = [], []
    ledger: dict[str, dict] = {}
    rules: set = set()
    kept = []
    for i, rw in enumerate(parts):
        p = rw.params
        step(f"region {i + 1}/{len(params)} ({p.code} {p.name})")
        if resume and (out_dir / dirt_name(p.code)).is_file():
            # written by an interrupted run of the same world: simulated again for its survey rows, not rewritten
            rules |= _resumed(rw, out_dir, ledger, written, writers, tables, seed, scale)
            if "survey" in tables:
                survey_parts.append(rw.tables["survey"].astype({c: np.int8 for c in items}))
                who = rw.private["person_id"].isin(rw.tables["survey"]["person_id"]).to_numpy()
                survey_private.append(rw.private.loc[who, ["person_id", "nip", "name"]])
            n_staff.append(rw.n_staff)
            n_survey.append(rw.n_survey)
            continue
        view = W.World(seed, scale, [p.code], rw.tables, rw.private, {}, {"params": [p]})
        dirt = Dirt()
        for table, fn in writers.items():
            if table in tables:
                written[table] += fn(view, W.substream(seed, f"raw_{table}/{p.code}"), dirt, out_dir)
        if "survey" in tables:
            sv = rw.tables["survey"]
            survey_parts.append(sv.astype({c: np.int8 for c in items}))
            who = rw.private["person_id"].isin(sv["person_id"]).to_numpy()
            survey_private.append(rw.private.loc[who, ["person_id", "nip", "name"]])
        n_staff.append(rw.n_staff)
        n_survey.append(rw.n_survey)
        frame = dirt.frame()
        ledger[p.code] = _write_dirt(out_dir / dirt_name(p.code), frame, header=True)
        rules |= ledger[p.code].pop("rules")
        if keep_dirt:
            kept.append(frame)
        del rw, view, dirt, frame
    if "survey" in tables:
        step("survey (Google Forms export)")
        sv = pd.concat(survey_parts, ignore_index=True) if len(survey_parts) > 1 else survey_parts[0]
        del survey_parts
        sv = sv.sort_values("submitted_at", kind="stable", ignore_index=True)
        private = pd.concat(survey_private, ignore_index=True)
        del survey_private
        view = W.World(seed, scale, [p.code for p in params], {"survey": sv}, private, {}, {"params": params})
        dirt = Dirt()
        row_region, entry = _survey(view, W.substream(seed, "raw_survey"), dirt, out_dir)
        written["survey"] = [entry]
        del sv, private, view
        frame = dirt.frame()
        del dirt
        region_of = row_region[frame["row"].to_numpy() - 1]
        groups = pd.Series(np.arange(len(frame))).groupby(region_of, sort=False).indices
        for code in ledger:  # appended as a second gzip member: the file still reads as one CSV
            part = frame.iloc[groups.get(code, np.empty(0, np.int64))]
            more = _write_dirt(out_dir / dirt_name(code), part, header=False, append=True)
            rules |= more.pop("rules")
            ledger[code] = {**more, "records": ledger[code]["records"] + more["records"]}
        if keep_dirt:
            kept.append(frame)
        del frame
    step("dataset.yml and GROUND_TRUTH.json")
    files_written = {table: {e["file"] for e in entries} for table, entries in written.items()}
    written = {table: _globbed(entries) for table, entries in written.items()}
    codes = [p.code for p in params]
    regions_txt = " ".join(codes) if len(codes) <= 8 else f"{len(codes)} regions"
    spec = {
        "name": out_dir.name,
        "description": (
            f"Synthetic default dataset (kinerja data synth --seed {seed} --scale {scale:g}; "
            f"regions {regions_txt}); {MARKER}"
        ),
        "synthetic": True,
        "generator": {"name": "kinerja_research.synth", "seed": seed, "scale": scale, "regions": regions_txt},
        "tables": {t: written[t] for t in TABLES if t in written},
        "instruments": {
            k: v for k, v in (("survey", list(S.SURVEY_INSTRUMENTS)), ("satisfaction", ["skm"])) if k in written
        },
        "likert": _label_sets(),
        "reference_date": str(S.REFERENCE_DATE),
    }
    text = (
        "# "
        + MARKER
        + f" (seed {seed}); regenerate with `kinerja data synth`\n"
        + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=4096)
    )
    (out_dir / "dataset.yml").write_text(text, encoding="utf-8")
    truth = dict(truth_fn(np.asarray(n_staff), np.asarray(n_survey)))
    truth.pop("dirt", None)
    truth.pop("dirt_file", None)
    truth["dirt_rules"] = sorted(rules)
    data_files = set().union(*(f for f in files_written.values())) if files_written else set()
    truth["files"] = {name: sha256_file(out_dir / name) for name in sorted(data_files)}
    truth["dirt_files"] = {
        "layout": DIRT_LAYOUT,
        "records": int(sum(v["records"] for v in ledger.values())),
        "regions": ledger,
    }
    tmp = out_dir / "GROUND_TRUTH.json.tmp"
    tmp.write_text(
        json.dumps(truth, ensure_ascii=False, indent=1, allow_nan=False, default=_json_default) + "\n", encoding="utf-8"
    )
    tmp.replace(out_dir / "GROUND_TRUTH.json")
    if keep_dirt:
        truth["dirt"] = dirt_records(_sort_dirt(pd.concat(kept, ignore_index=True))) if kept else []
    return truth


def _resumed(rw, out_dir: Path, ledger: dict, written: dict, writers: dict, tables, seed, scale) -> set:
    """Take a region written by an interrupted run as it is: its dataset.yml entries (from its writers on one row of
    each table, in a scratch folder: the entries depend only on the region and its file names) and its ledger
    (records counted; it must not hold survey rows yet). Returns the ledger's rules."""
    p = rw.params
    path = out_dir / dirt_name(p.code)
    if len(rw.tables["performance"]) > MAX_ROWS - 10:
        raise KinerjaError(f"Region {p.code} has its SKP export in several parts; the rule is that resume takes one.")
    frame = read_dirt_frame(path)
    if (frame["file"] == SURVEY_FILE).any():
        raise KinerjaError(
            f"File '{path}' already holds survey rows; the rule is that resume continues a run that stopped before "
            "the survey export (start again without resume)."
        )
    tiny = W.World(seed, scale, [p.code], {k: v.head(1) for k, v in rw.tables.items()}, rw.private, {}, {"params": [p]})
    with tempfile.TemporaryDirectory() as scratch:
        for table, fn in writers.items():
            if table in tables:
                written[table] += fn(tiny, W.substream(seed, "resume"), Dirt(), Path(scratch))
    missing = [
        e["file"] for t in writers if t in tables for e in written[t][-1:] if not (out_dir / e["file"]).is_file()
    ]
    if missing:
        raise KinerjaError(
            f"File '{out_dir / missing[0]}' is missing; the rule is that resume finds every region file."
        )
    ledger[p.code] = {"name": path.name, "sha256": sha256_file(path), "records": len(frame)}
    return set(frame["rule"].tolist())


#: The planted problems of ``GROUND_TRUTH.json``, one gzip-compressed CSV per region ``file,row,column,value,rule``
#: (empty cell = null), written deterministically (no time stamp in the gzip header): the region's own files, then
#: (a second gzip member) the survey export's rows answered by the region's staff. Indexed under ``dirt_files`` in
#: GROUND_TRUTH.json (name, SHA-256 and number of records per region).
DIRT_LAYOUT = (
    "one gzip CSV per region (file,row,column,value,rule; empty = null): the region's own files, then the survey "
    "export's rows answered by its staff"
)
#: Name of the single ledger of datasets written before the ledger was split per region (read by ``load_truth``).
DIRT_FILE = "GROUND_TRUTH.dirt.csv.gz"
DIRT_COLUMNS = ("file", "row", "column", "value", "rule")


def dirt_name(code: str) -> str:
    """File name of a region's part of the planted-problem ledger."""
    return f"GROUND_TRUTH.dirt.{code}.csv.gz"


def _write_dirt(path: Path, frame: pd.DataFrame, *, header: bool, append: bool = False) -> dict:
    text = frame.to_csv(index=False, header=header, lineterminator="\n", na_rep="") if (header or len(frame)) else ""
    with open(path, "ab" if append else "wb") as raw:
        if text:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="", compresslevel=6) as gz:
                gz.write(text.encode("utf-8"))
    return {
        "name": path.name,
        "sha256": sha256_file(path),
        "records": len(frame),
        "rules": set(frame["rule"].unique().tolist()),
    }


def read_dirt(path: Path) -> list[dict]:
    """The planted problems of one ledger file (a region's part, or the single ledger of older datasets)."""
    return dirt_records(read_dirt_frame(path))


def read_dirt_frame(path: Path) -> pd.DataFrame:
    """One ledger file as a frame ``file, row, column, value, rule`` (None for blank cells)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, compression="gzip", encoding="utf-8")
    out = {}
    for c in DIRT_COLUMNS:
        col = df[c].to_numpy(dtype=object) if c in df else np.full(len(df), None, dtype=object)
        out[c] = (
            pd.Series(col.astype(np.int64), dtype=np.int64)
            if c == "row"
            else pd.Series(np.where(col == "", None, col), dtype=object)
        )
    return pd.DataFrame(out)


def _globbed(entries: list[dict]) -> list[dict]:
    """Per-region files of one layout as one entry with a glob and ``region: from_filename`` (so a national
    dataset.yml stays a few KB), when every file's name gives its region."""
    import fnmatch
    import json as _json

    from kinerja_research.ingest.dataset import region_from_filename

    if len(entries) < 2:
        return entries
    bodies = {_json.dumps({k: v for k, v in e.items() if k not in ("file", "region")}, sort_keys=True) for e in entries}
    prefixes = {e["file"].split("_", 1)[0] for e in entries}
    exts = {Path(e["file"]).suffix for e in entries}
    if len(bodies) != 1 or len(prefixes) != 1 or len(exts) != 1:
        return entries
    pattern = f"{prefixes.pop()}_*{exts.pop()}"
    for e in entries:
        try:
            ok = fnmatch.fnmatch(e["file"], pattern) and region_from_filename(Path(e["file"]), "from_filename") == str(
                e["region"]
            )
        except KinerjaError:
            ok = False
        if not ok:
            return entries
    return [{**entries[0], "file": pattern, "region": "from_filename"}]


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")
