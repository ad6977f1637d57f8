"""The data-generating process: draws the four canonical tables in clean form (vectorised numpy)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinerja_research.clean.periods import parse_period
from kinerja_research.standards import PREDICATE_MATRIX, PREDICATES, RATINGS
from kinerja_research.synth import _spec as S

__all__ = [
    "World",
    "RegionWorld",
    "NipSequence",
    "build",
    "build_pooled",
    "build_region",
    "by_region_default",
    "staff_count",
    "BY_REGION_STAFF",
    "iter_regions",
    "skm_sizes",
    "substream",
    "pseudonyms",
    "conform",
    "discretise",
    "instrument_items",
    "general_factors",
    "selection_prob",
    "draw_people",
    "predikat_code",
    "skm_units",
    "skm_item_params",
]

DAY = np.timedelta64(1, "D")


def substream(seed: int, name: str) -> np.random.Generator:
    """Independent generator per table/stage: adding a stage never changes the draws of another."""
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=(S.stable_int(name),))
    return np.random.Generator(np.random.PCG64(ss))


@dataclass
class World:
    """A simulated world: clean canonical ``tables``, the ``private`` people frame (NIP, name) and ``truth``."""

    seed: int
    scale: float
    regions: list
    tables: dict
    private: pd.DataFrame
    truth: dict
    extra: dict = field(default_factory=dict, repr=False)

    def processed(self) -> dict[str, pd.DataFrame]:
        """The clean tables in the form of the processed-table contract (C2, docs/architecture.md), as
        ``kinerja clean`` writes them: no exact birth date or submission time (``birth_date`` dropped,
        ``submitted_at`` the first day of its month), ``age`` and ``tenure_years`` whole years (Int64),
        ``employment`` (``PNS`` / ``PPPK``, as the NIP or NI PPPK says) wherever staff are listed, and ``period_kind``,
        ``period_start``, ``period_end`` with every ``period``. :attr:`tables` keep the exact values the raw files are
        written from."""
        pppk = self.private["golongan"].astype("string").str.startswith("PPPK-").fillna(False).to_numpy(dtype=bool)
        employment = pd.Series(np.where(pppk, "PPPK", "PNS"), index=self.private["person_id"].to_numpy())
        out = {}
        for name, df in self.tables.items():
            df = df.copy()
            if "person_id" in df:
                at = df.columns.get_loc("region_code") + 1 + ("agency" in df)
                emp = employment.reindex(df["person_id"].to_numpy()).to_numpy(dtype=object)
                df.insert(at, "employment", pd.array(emp, dtype="string"))
            df = df.drop(columns=[c for c in ("birth_date",) if c in df])
            for c in ("age", "tenure_years"):
                if c in df:
                    v = np.floor(df[c].to_numpy(dtype=float, na_value=np.nan))
                    df[c] = pd.array(np.where((v < 0) & (v >= -1), 0, v), dtype="Float64").astype("Int64")
            if "submitted_at" in df:
                df["submitted_at"] = df["submitted_at"].dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
            if "period" in df:
                per = parse_period(df["period"].astype("string"))
                at = df.columns.get_loc("period") + 1
                for k, c in enumerate(("period_kind", "period_start", "period_end")):
                    if c in df:
                        df = df.drop(columns=c)
                    df.insert(at + k, c, per[c].to_numpy() if c == "period_kind" else per[c].astype("datetime64[ns]"))
                df["period_kind"] = df["period_kind"].astype("string")
            out[name] = df
        return out


# ---------------------------------------------------------------------------------------------------------------
# helpers
def _hex16(x: np.ndarray) -> np.ndarray:
    """uint64 -> 16 lower-case hex characters (vectorised)."""
    x = np.asarray(x, dtype=np.uint64)
    shifts = np.arange(60, -1, -4, dtype=np.uint64)
    nib = ((x[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.uint8)
    lut = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    return np.ascontiguousarray(lut[nib])


def _mix64(x: np.ndarray, key: int) -> np.ndarray:
    """splitmix64 finaliser of x xor key: a fast keyed scramble for synthetic pseudonyms."""
    with np.errstate(over="ignore"):
        z = np.asarray(x, dtype=np.uint64) ^ np.uint64(key & 0xFFFFFFFFFFFFFFFF)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z


def pseudonyms(ids: np.ndarray, key: int, prefix: str) -> pd.Series:
    """``prefix`` + 16 hex characters of a keyed 64-bit scramble of ``ids`` (as a ``str`` Series)."""
    hexes = _hex16(_mix64(ids, key))
    buf = np.empty((hexes.shape[0], 17), dtype=np.uint8)
    buf[:, 0] = ord(prefix)
    buf[:, 1:] = hexes
    return _ascii(buf.view("S17").ravel())


def _cat(codes: np.ndarray, labels) -> pd.Series:
    """Strings (pandas ``str`` dtype) from integer codes via an Arrow dictionary array (fast at national scale)."""
    import pyarrow as pa

    dic = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32)), pa.array([str(x) for x in labels], pa.large_string())
    )
    return pd.Series(pd.array(dic.cast(pa.large_string()), dtype="string"))


def _ascii(arr: np.ndarray) -> pd.Series:
    """Strings from a numpy fixed-width ASCII bytes array (``S``), without Python objects."""
    import pyarrow as pa

    return pd.Series(pd.array(pa.array(arr).cast(pa.large_string()), dtype="string"))


def _ymd(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = d.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y, m, day


def _years(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    return (later.astype("datetime64[s]") - earlier.astype("datetime64[s]")).astype(np.int64) / (365.25 * 86400)


# ---------------------------------------------------------------------------------------------------------------
# people
MIN_TENURE = 2.0  # years at the reference date: TMT no later than November 2024


def draw_people(rng: np.random.Generator, n: int) -> dict:
    """Demographics of n staff (no region-specific parts); reused by the Monte Carlo of the ground truth."""
    female = rng.random(n) < 0.52
    edu = rng.choice(len(S.EDUCATION), size=n, p=S.EDU_P)
    edu_min = np.asarray(S.EDU_MIN_AGE)[edu]
    age = 22.0 + 36.0 * rng.beta(2.2, 1.6, size=n)
    age = np.maximum(age, edu_min + 1.0 + rng.uniform(0.0, 3.0, size=n))
    age = np.minimum(age, 57.9)
    pppk = rng.random(n) < S.PPPK_SHARE
    # entry age: PNS a few years after the minimum age of the education; PPPK appointed 2019-2024. Everyone is in
    # post before the first SKP period (2025-S1) and so before both survey waves: tenure at the reference date
    # (2026-11-01) is at least MIN_TENURE years, so no one is rated or surveyed before their TMT.
    entry_pns = edu_min + rng.gamma(2.0, 2.0, size=n)
    tenure_pppk = rng.uniform(MIN_TENURE, 7.5, size=n)
    entry = np.where(pppk, age - tenure_pppk, entry_pns)
    entry = np.clip(entry, 18.05, age - MIN_TENURE)
    return {"female": female, "edu": edu, "age_ref": age, "pppk": pppk, "entry_age": entry}


class NipSequence:
    """The NIP sequence numbers given so far, per NIP key (birth date + TMT + gender digit), across regions: a
    region simulated later continues the sequence of a key that an earlier region used, so NIPs stay unique
    nationally while regions are simulated one at a time."""

    def __init__(self):
        self.keys = np.empty(0, np.int64)
        self.counts = np.empty(0, np.int64)

    def take(self, keys: np.ndarray) -> np.ndarray:
        """How many of each of ``keys`` were given before (0 for a new key), then count ``keys`` as given."""
        u, inv, c = np.unique(keys, return_inverse=True, return_counts=True)
        n = self.keys.size
        pos = np.searchsorted(self.keys, u)
        at = np.minimum(pos, max(n - 1, 0))
        found = (pos < n) & (self.keys[at] == u) if n else np.zeros(u.size, bool)
        prior = np.where(found, self.counts[at] if n else 0, 0)
        if n:
            self.counts[pos[found]] += c[found]
        self.keys = np.insert(self.keys, pos[~found], u[~found])
        self.counts = np.insert(self.counts, pos[~found], c[~found])
        return prior[inv.ravel()]


def _people(
    seed: int, params: list[S.RegionParams], scale: float, tag: str = "", nips: NipSequence | None = None
) -> tuple[pd.DataFrame, dict]:
    rng = substream(seed, "people" + tag)
    sizes = np.array([max(30, int(round(800 * scale * p.size))) for p in params])
    reg = np.repeat(np.arange(len(params)), sizes)
    n = int(sizes.sum())
    d = draw_people(rng, n)
    ref = S.REFERENCE_DATE.astype("datetime64[D]")
    birth = ref - np.round(d["age_ref"] * 365.25).astype(np.int64) * DAY
    tmt_day = birth + np.round(d["entry_age"] * 365.25).astype(np.int64) * DAY
    tmt = tmt_day.astype("datetime64[M]").astype("datetime64[D]")
    # entry at age >= 18 must survive truncation to the month
    too_young = _years(tmt, birth) < 18.0
    tmt = np.where(too_young, (tmt.astype("datetime64[M]") + 1).astype("datetime64[D]"), tmt)
    edu, pppk = d["edu"], d["pppk"]
    # PPPK staff carry a NI PPPK, which holds only the year first appointed: their service counts from 1 January
    # of that year, as the clean step reads it
    tmt = np.where(pppk, tmt.astype("datetime64[Y]").astype("datetime64[D]"), tmt)
    tenure = _years(np.full(n, ref), tmt)
    start = np.asarray(S.PNS_START_RANK)[edu]
    cap = np.array([11, 12, 15, 17, 17])[edu]
    rank = start + np.floor(tenure / 4.0 + rng.normal(0, 0.7, n)).astype(int)
    rank = np.clip(rank, start, cap)
    rank = np.where(pppk, 0, rank)
    # agencies: per region a fixed list (first eight everywhere), people spread by agency size
    offsets = np.r_[0, np.cumsum(sizes)]
    agency = np.empty(n, dtype=np.int64)
    for r, p in enumerate(params):
        rr = np.random.default_rng(S.stable_int("agencies", p.code))
        extra = rr.permutation(np.arange(8, len(S.AGENCIES)))[: p.n_agencies - 8]
        ags = np.concatenate([np.arange(8), np.sort(extra)])
        w = np.array([S.AGENCIES[a][1] for a in ags])
        lo, hi = offsets[r], offsets[r + 1]
        agency[lo:hi] = ags[rng.choice(len(ags), size=hi - lo, p=w / w.sum())]
    # NIP: birth YYYYMMDD + TMT YYYYMM + gender digit + 3-digit sequence (unique); NI PPPK of PPPK staff: birth
    # YYYYMMDD + year first appointed YYYY + 2 (the PPPK code) + contract number (1 in the first five years, then 2)
    # + gender digit + sequence (clean.nip tells the two apart by digits 13-14: 01-12 against 21-29)
    by, bm, bd = _ymd(birth)
    ty, tm, _ = _ymd(tmt)
    contract = 1 + np.minimum(np.floor(tenure / 5.0).astype(np.int64), 8)
    tm = np.where(pppk, 20 + contract, tm)
    gdig = np.where(d["female"], 2, 1)
    key = ((by * 10000 + bm * 100 + bd).astype(np.int64) * 1_000_000 + ty * 100 + tm) * 10 + gdig
    order = rng.permutation(n)
    sk = key[order]
    srt = np.argsort(sk, kind="stable")
    ks = sk[srt]
    first = np.r_[True, ks[1:] != ks[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    seq_sorted = np.arange(n) - grp_start + 1
    seq = np.empty(n, dtype=np.int64)
    seq[order[srt]] = seq_sorted
    if nips is not None:  # continue the sequences of keys that earlier regions used
        seq += nips.take(key)
    if seq.max(initial=0) > 999:
        raise RuntimeError("NIP sequence above 999: too many staff share a birth date, TMT and gender")
    nip = key * 1000 + seq
    # names (regional flavour): codes into one global pool per name part, joined by Arrow
    import pyarrow as pa
    import pyarrow.compute as pc

    pool_first: list[str] = []
    pool_last: list[str] = []
    first_code = np.empty(n, dtype=np.int64)
    last_code = np.empty(n, dtype=np.int64)
    for r, p in enumerate(params):
        fm, ff, fl = S.name_pools(p.flavour)
        lo, hi = offsets[r], offsets[r + 1]
        a = rng.integers(0, len(fm), hi - lo) + len(pool_first)
        pool_first.extend(fm)
        b = rng.integers(0, len(ff), hi - lo) + len(pool_first)
        pool_first.extend(ff)
        first_code[lo:hi] = np.where(d["female"][lo:hi], b, a)
        last_code[lo:hi] = rng.integers(0, len(fl), hi - lo) + len(pool_last)
        pool_last.extend(fl)
    mid_pool = S._COMMON_M + S._COMMON_F
    nm = len(S._COMMON_M)
    mid_code = np.where(d["female"], nm + rng.integers(0, len(S._COMMON_F), n), rng.integers(0, nm, n))
    has_mid = rng.random(n) < 0.3
    has_last = rng.random(n) < 0.85

    def part(codes, pool, keep=None):
        dic = pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32), mask=None if keep is None else ~keep), pa.array(pool, pa.string())
        )
        return dic.cast(pa.string())

    joined = pc.binary_join_element_wise(
        part(first_code, pool_first),
        part(mid_code, mid_pool, has_mid),
        part(last_code, pool_last, has_last),
        " ",
        null_handling="skip",
    )
    name = pd.Series(pd.array(joined.cast(pa.large_string()), dtype="string"))

    gol_code = np.where(pppk, 17 + np.asarray([0, 1, 2, 3, 4])[edu], rank - 1)
    gol_labels = list(S.GOLONGAN) + list(S.PPPK_GRADE)
    codes = np.array([p.code for p in params])
    people = pd.DataFrame(
        {
            "person_id": pseudonyms(nip.astype(np.uint64), S.stable_int("pid", seed), "P"),
            "region_code": _cat(reg, codes),
            "agency": _cat(agency, [a for a, _ in S.AGENCIES]),
            "gender": _cat(d["female"].astype(np.int64), ["L", "P"]),
            "birth_date": birth.astype("datetime64[s]"),
            "tmt_cpns": tmt.astype("datetime64[s]"),
            "golongan": _cat(gol_code, gol_labels),
            "golongan_rank": pd.array(np.where(pppk, pd.NA, rank), dtype="Int64"),
            "education": _cat(edu, S.EDUCATION),
        }
    )
    private = pd.DataFrame({"person_id": people["person_id"], "nip": _ascii(nip.astype("S18")), "name": name})
    arrays = {"reg": reg, "agency": agency, "age_ref": d["age_ref"], "nip": nip, "pppk": pppk}
    return people, private, arrays


# ---------------------------------------------------------------------------------------------------------------
def _wave_pair(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    pre = rng.standard_normal(n)
    post = S.RHO_WAVE * pre + np.sqrt(1 - S.RHO_WAVE**2) * rng.standard_normal(n)
    return pre, post


def general_factors(rng: np.random.Generator, n: int) -> dict:
    """Reward, sanction and motivation general factors (standardised) at both waves."""
    rw = _wave_pair(rng, n)
    sn = _wave_pair(rng, n)
    zz = _wave_pair(rng, n)
    a, s = S.A_REWARD_MOT, S.S_SANCTION_MOT
    c = np.sqrt(1 - a * a - s * s)
    mot = tuple(a * rw[w] + s * sn[w] + c * zz[w] for w in range(2))
    return {"reward": rw, "sanction": sn, "motivation": mot}


def selection_prob(v: np.ndarray, age_at_selection: np.ndarray) -> np.ndarray:
    eta = S.SEL_INTERCEPT + S.SEL_PERF * v / S.SD_PERSON + S.SEL_AGE * (age_at_selection - 40.0) / 10.0
    return 1.0 / (1.0 + np.exp(-eta))


def _training(seed, params, people, arr, v, tag=""):
    rng = substream(seed, "training" + tag)
    n = len(people)
    age_sel = arr["age_ref"] - 1.0  # nominations in November 2025
    trained = rng.random(n) < selection_prob(v, age_sel)
    jp_prog = np.where(trained, rng.choice(S.PROGRAMME_JP, size=n, p=S.PROGRAMME_JP_P), 0.0)
    # programme: cohorts starting on Mondays 2026-01-12 .. 2026-03-16, 8 JP a day on working days
    idx_t = np.flatnonzero(trained)
    mondays = np.datetime64("2026-01-12") + 7 * np.arange(10) * DAY
    p_start = mondays[rng.integers(0, len(mondays), idx_t.size)]
    days = np.ceil(jp_prog[idx_t] / 8.0).astype(int)
    p_end = np.busday_offset(p_start, days - 1, roll="forward")
    # other courses (no effect on capaian: a placebo for dose-response analyses)
    k = rng.poisson(1.0, n)
    owner = np.repeat(np.arange(n), k)
    m = owner.size
    course = rng.integers(0, len(S.OTHER_COURSES), m)
    choice_u = rng.random(m)
    jp_other = np.empty(m)
    for c, (_, opts) in enumerate(S.OTHER_COURSES):
        sel = course == c
        jp_other[sel] = np.asarray(opts)[(choice_u[sel] * len(opts)).astype(int)]
    o_start = np.busday_offset(np.datetime64("2025-01-06") + rng.integers(0, 640, m) * DAY, 0, roll="forward")
    o_end = np.busday_offset(o_start, np.ceil(jp_other / 8.0).astype(int) - 1, roll="forward")
    who = np.concatenate([idx_t, owner])
    course_code = np.concatenate([np.zeros(idx_t.size, np.int64), course + 1])
    start = np.concatenate([p_start, o_start])
    order = np.lexsort((course_code, start, who))
    who, course_code, start = who[order], course_code[order], start[order]
    # one record per person x course x start date (a second draw of the same course on the same day is dropped)
    keep = np.r_[True, (who[1:] != who[:-1]) | (course_code[1:] != course_code[:-1]) | (start[1:] != start[:-1])]
    order, who, course_code, start = order[keep], who[keep], course_code[keep], start[keep]
    tr = pd.DataFrame(
        {
            "person_id": pd.Series(people["person_id"].array.take(who)),
            "region_code": pd.Series(people["region_code"].array.take(who)),
            "course": _cat(course_code, [S.PROGRAMME_COURSE] + [c for c, _ in S.OTHER_COURSES]),
            "start": start.astype("datetime64[s]"),
            "end": np.concatenate([p_end, o_end])[order].astype("datetime64[s]"),
            "jp": np.concatenate([jp_prog[idx_t], jp_other])[order],
            "programme": course_code == 0,
        }
    )
    return tr, trained, jp_prog


def _performance(seed, params, people, arr, v, gen, jp_prog, tag=""):
    rng = substream(seed, "performance" + tag)
    n = len(people)
    reg, agency = arr["reg"], arr["agency"]
    # agency random effects, one per (region, agency)
    ag_key = reg * 100 + agency
    uniq, inv = np.unique(ag_key, return_inverse=True)
    u = rng.normal(0, S.SD_AGENCY, uniq.size)[inv]
    mu = np.array([p.capaian_mean for p in params])[reg]
    kappa = np.array([p.kappa for p in params])[reg]
    T = len(S.PERIODS)
    cap = np.empty((T, n))
    beh = np.empty((T, n))
    for t in range(T):
        w = 1 if S.POST[t] else 0
        cap[t] = (
            mu
            + S.PERIOD_EFFECT[t]
            + u
            + v
            + S.CAP_MOT * gen["motivation"][w]
            + S.CAP_REWARD * gen["reward"][w]
            + S.CAP_SANCTION * gen["sanction"][w]
            + (kappa * jp_prog if S.POST[t] else 0.0)
            + rng.normal(0, S.SD_RESID, n)
        )
        beh[t] = 0.6 * v / S.SD_PERSON + 0.3 * gen["motivation"][w] + np.sqrt(1 - 0.36 - 0.09) * rng.standard_normal(n)
    cap = np.round(cap, 1)
    hasil = np.where(cap >= S.HASIL_ABOVE, 0, np.where(cap < S.HASIL_BELOW, 2, 1))
    perilaku = np.where(beh > S.PERILAKU_ABOVE, 0, np.where(beh < S.PERILAKU_BELOW, 2, 1))
    pred = predikat_code(hasil, perilaku)
    rows = np.tile(np.arange(n), T)
    tt = np.repeat(np.arange(T), n)

    def take(col):
        return pd.Series(people[col].array.take(rows))

    perf = pd.DataFrame(
        {
            "person_id": take("person_id"),
            "region_code": take("region_code"),
            "agency": take("agency"),
            "period": _cat(tt, S.PERIODS),
            "period_start": np.asarray(S.PERIOD_START, dtype="datetime64[s]")[tt],
            "golongan": take("golongan"),
            "golongan_rank": take("golongan_rank"),
            "rating_hasil_kerja": _cat(hasil.ravel(), RATINGS),
            "rating_perilaku": _cat(perilaku.ravel(), RATINGS),
            "predikat": _cat(pred.ravel(), PREDIKAT),
            "capaian_pct": cap.ravel(),
        }
    )
    return perf


PREDIKAT = PREDICATES
#: The regulation's matrix (standards.PREDICATE_MATRIX) as positions: [hasil code, perilaku code] -> PREDIKAT index.
_PREDIKAT_AT = np.array([[PREDICATES.index(PREDICATE_MATRIX[(h, p)]) for p in RATINGS] for h in RATINGS])


def predikat_code(hasil: np.ndarray, perilaku: np.ndarray) -> np.ndarray:
    """PermenPANRB 6/2022 matrix (codes: positions in standards.RATINGS, 0 above, 1 as expected, 2 below) -> index
    into PREDIKAT (standards.PREDICATES)."""
    return _PREDIKAT_AT[np.asarray(hasil), np.asarray(perilaku)]


# ---------------------------------------------------------------------------------------------------------------
# survey items
def discretise(xstar: np.ndarray, k: int, offset: float) -> np.ndarray:
    tau = S.thresholds(k) + offset
    return 1 + np.searchsorted(tau, xstar, side="left")


def instrument_items(
    rng, inst: S.Instrument, mean: np.ndarray, g: np.ndarray, specifics: dict | None, out: dict | None = None
) -> dict:
    """Answers (as answered, not reversed) of one instrument given its general factor deviations ``g`` and mean.

    Each dimension factor is ``mean + sqrt(RHO_DIM) g + sqrt(1 - RHO_DIM) s_d`` (unit variance); each item's
    continuous response is ``±λ f_d + sqrt(1 - λ²) ε`` (minus for reverse-keyed items), cut at the thresholds.
    """
    out = {} if out is None else out
    single = len(inst.dimensions) == 1
    for dim in inst.dimensions:
        if single:
            f = mean + g
        else:
            f = mean + np.sqrt(S.RHO_DIM) * g + np.sqrt(1 - S.RHO_DIM) * specifics[dim]
        for it in inst.dim_items(dim):
            sgn = -1.0 if it.reverse else 1.0
            xs = rng.standard_normal(f.shape[0])
            xs *= np.sqrt(1 - it.loading**2)
            xs += sgn * it.loading * f
            if it.id in out:
                out[it.id][:] = discretise(xs, inst.k, it.offset)
            else:
                out[it.id] = discretise(xs, inst.k, it.offset).astype(np.float64)
    return out


def _survey(seed, params, people, arr, gen, trained, tag=""):
    rng = substream(seed, "survey" + tag)
    n = len(people)
    reg = arr["reg"]
    R = len(params)
    n_s = np.array([max(20, int(round(300 * p.size * arr["scale"]))) for p in params])
    # simple random sample per region
    key = rng.random(n)
    order = np.lexsort((key, reg))
    counts = np.bincount(reg, minlength=R)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    rank_in = np.empty(n, dtype=np.int64)
    rank_in[order] = np.arange(n) - np.repeat(starts, counts)
    sampled = np.flatnonzero(rank_in < np.minimum(n_s, counts)[reg])
    post_resp = rng.random(sampled.size) < S.POST_RESPONSE
    m = sampled.size
    # latent factors per sampled person and wave
    g_extra = {name: _wave_pair(rng, m) for name in ("rtc", "training")}
    z_sus = _wave_pair(rng, m)
    spec = {}
    for name in S.SURVEY_INSTRUMENTS:
        inst = S.instrument(name)
        spec[name] = {d: _wave_pair(rng, m) for d in inst.dimensions} if len(inst.dimensions) > 1 else None
    rtc_mean_r = np.array([p.rtc_mean for p in params])[reg[sampled]]
    tr = trained[sampled]
    blocks = []
    item_ids = [it.id for name in S.SURVEY_INSTRUMENTS for it in S.instrument(name).items]
    n_post = int(post_resp.sum())
    full = np.empty((m + n_post, len(item_ids)))  # both waves in one block: no concatenation copies later
    for w in range(2):  # pre, post
        rows = np.arange(m) if w == 0 else np.flatnonzero(post_resp)
        shift = (w == 1) & tr[rows]
        matrix = full[:m] if w == 0 else full[m:]
        items = {iid: matrix[:, j] for j, iid in enumerate(item_ids)}
        for name in S.SURVEY_INSTRUMENTS:
            inst = S.instrument(name)
            sp = None if spec[name] is None else {d: spec[name][d][w][rows] for d in inst.dimensions}
            if name == "rtc":
                mean = rtc_mean_r[rows] + S.TRAINED_POST_RTC * shift
                g = g_extra["rtc"][w][rows]
            elif name == "training":
                mean = S.INSTRUMENT_MEAN["training"] + S.TRAINED_POST_TRN * shift
                g = g_extra["training"][w][rows]
            elif name == "sus":
                resist = rtc_mean_r[rows] + S.TRAINED_POST_RTC * shift + g_extra["rtc"][w][rows]
                mean = S.SUS_BASE + S.SUS_RESIST * (rtc_mean_r[rows] + S.TRAINED_POST_RTC * shift)
                g = (
                    S.SUS_RESIST * (resist - (rtc_mean_r[rows] + S.TRAINED_POST_RTC * shift))
                    + np.sqrt(1 - S.SUS_RESIST**2) * z_sus[w][rows]
                )
            else:
                mean = np.full(rows.size, S.INSTRUMENT_MEAN[name])
                g = gen[name][w][sampled[rows]]
            instrument_items(rng, inst, mean, g, sp, out=items)
        # timestamps: pre wave 3-28 Nov 2025, post wave 2-22 Nov 2026, office-ish hours
        day0 = np.datetime64("2025-11-03") if w == 0 else np.datetime64("2026-11-02")
        ndays = 26 if w == 0 else 20
        secs = rng.integers(0, ndays, rows.size) * 86400 + rng.integers(7 * 3600, 21 * 3600, rows.size)
        ts = day0.astype("datetime64[s]") + secs.astype("timedelta64[s]")
        # about 9.6 s per item (540 s for 56 items); never below 3 s per item, so clean rows are not "too fast"
        k_items = len(item_ids)
        dur = np.round(np.exp(rng.normal(np.log(540.0 * k_items / 56.0), 0.45, rows.size)), 0)
        dur = np.maximum(dur, max(120.0, 3.0 * k_items))
        blocks.append((sampled[rows], ts, dur))
    who = np.concatenate([b[0] for b in blocks])
    ts = np.concatenate([b[1] for b in blocks])
    dur = np.concatenate([b[2] for b in blocks])
    wave_code = np.r_[np.zeros(m, np.int64), np.ones(n_post, np.int64)]

    def take(col):
        return pd.Series(people[col].array.take(who))

    birth = people["birth_date"].to_numpy()[who]
    sv = pd.DataFrame(
        {
            "person_id": take("person_id"),
            "region_code": take("region_code"),
            "agency": take("agency"),
            "wave": _cat(wave_code, ["pre", "post"]),
            "trained": trained[who],
            "submitted_at": ts,
            "duration_s": dur,
            "gender": take("gender"),
            "birth_date": birth,
            "age": _years(ts, birth),
            "tenure_years": _years(ts, people["tmt_cpns"].to_numpy()[who]),
            "golongan": take("golongan"),
            "golongan_rank": take("golongan_rank"),
            "education": take("education"),
        }
    )
    sv = pd.concat([sv, pd.DataFrame(full, columns=item_ids, copy=False)], axis=1)
    return sv, sampled


# ---------------------------------------------------------------------------------------------------------------
# public satisfaction (SKM)
SKM_EDU = ("SD", "SMP", "SMA", "D3", "S1", "S2")
SKM_OCC = ("PNS/TNI/Polri", "Pegawai Swasta", "Wiraswasta", "Pelajar/Mahasiswa", "Ibu Rumah Tangga", "Lainnya")
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3")
QUARTER_START = ("2026-01-01", "2026-04-01", "2026-07-01")


def skm_units(p: S.RegionParams) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Service units of a region with their fixed weights and latent mean shifts (not seed-dependent)."""
    rr = np.random.default_rng(S.stable_int("skm_units", p.code))
    k = 4 + int(rr.integers(0, 3))
    units = sorted(rr.choice(len(S.SERVICE_UNITS), size=k, replace=False).tolist())
    names = [S.SERVICE_UNITS[i] for i in units]
    w = rr.uniform(0.5, 1.5, k)
    eff = np.round(rr.normal(0, 0.25, k), 3)
    return names, w / w.sum(), eff


def skm_item_params() -> tuple[list[str], np.ndarray, np.ndarray]:
    ids = [f"U{j}" for j in range(1, 10)]
    lam = np.array([0.70, 0.75, 0.72, 0.60, 0.70, 0.78, 0.80, 0.65, 0.68])
    off = np.array([-0.10, 0.05, 0.25, -0.45, 0.0, -0.05, -0.15, 0.30, 0.10])
    return ids, lam, off


def _satisfaction(seed, params, scale, tag="", first_id=0):
    rng = substream(seed, "satisfaction" + tag)
    ids, lam, off = skm_item_params()
    sizes = skm_sizes(params, scale)
    reg = np.repeat(np.arange(len(params)), sizes)
    n = int(sizes.sum())
    # units: per region a fixed list, weights and latent shifts; drawn per row by inverse CDF
    unit_names: list[str] = []
    unit_eff, unit_off, cum_w = [], [], []
    for p in params:
        names, w, eff = skm_units(p)
        unit_off.append(len(unit_names))
        unit_names.extend(names)
        unit_eff.extend(eff.tolist())
        cw = np.cumsum(w)
        cw[-1] = 1.0
        cum_w.append(np.pad(cw, (0, 6 - len(cw)), constant_values=1.0))
    cum_w = np.asarray(cum_w)
    u = rng.random(n)
    local = (u[:, None] > cum_w[reg]).sum(axis=1)
    unit = np.asarray(unit_off)[reg] + local
    q = rng.integers(0, len(QUARTERS), n)
    eta = np.array([p.skm_mean for p in params])[reg] + np.asarray(unit_eff)[unit] + rng.standard_normal(n)
    cols = {}
    for j, iid in enumerate(ids):
        xs = lam[j] * eta + np.sqrt(1 - lam[j] ** 2) * rng.standard_normal(n)
        cols[iid] = discretise(xs, 4, off[j]).astype(np.int64)
    qs = np.asarray(QUARTER_START, dtype="datetime64[s]")[q]
    ts = qs + (rng.integers(0, 88, n) * 86400 + rng.integers(8 * 3600, 15 * 3600, n)).astype("timedelta64[s]")
    age = np.clip(np.round(rng.normal(38, 12, n)), 17, 75)
    sat = pd.DataFrame(
        {
            "respondent_id": pseudonyms(
                np.arange(first_id, first_id + n, dtype=np.uint64), S.stable_int("rid", seed), "R"
            ),
            "region_code": _cat(reg, [p.code for p in params]),
            "service_unit": _cat(unit, unit_names)
            if len(set(unit_names)) == len(unit_names)
            else pd.Series(np.asarray(unit_names, dtype=object)[unit], dtype="str"),
            "submitted_at": ts,
            "period": _cat(q, QUARTERS),
            **cols,
            "gender": _cat((rng.random(n) < 0.5).astype(np.int64), ["L", "P"]),
            "age": age,
            "education": _cat(rng.choice(6, size=n, p=[0.06, 0.12, 0.42, 0.12, 0.24, 0.04]), SKM_EDU),
            "occupation": _cat(rng.choice(6, size=n, p=[0.12, 0.28, 0.25, 0.12, 0.13, 0.10]), SKM_OCC),
        }
    )
    order = np.lexsort((ts, reg))
    sat = sat.iloc[order].reset_index(drop=True)
    return sat


# ---------------------------------------------------------------------------------------------------------------
def conform(tables: dict) -> dict:
    """Give the simulated tables the dtypes of the processed tables (schemas.py), so one code path serves both.

    Strings ``string`` (Arrow-backed), dates ``datetime64[ns]``, flags ``boolean``, SKM answers ``Int64``; the
    survey gets the clean step's quality flags ``too_fast`` and ``straight_lining`` (all False in the clean world).
    """
    out = {}
    for name, df in tables.items():
        conv = {}
        for c in df.columns:
            dt = df[c].dtype
            if pd.api.types.is_string_dtype(dt) and not isinstance(dt, pd.CategoricalDtype):
                conv[c] = "string"
            elif pd.api.types.is_datetime64_any_dtype(dt):
                conv[c] = "datetime64[ns]"
            elif dt is bool or dt == np.dtype(bool):
                conv[c] = "boolean"
        if name == "satisfaction":
            conv.update({f"U{j}": "Int64" for j in range(1, 10)})
        df = df.astype(conv)
        if name == "survey":
            pos = df.columns.get_loc("education") + 1
            df.insert(pos, "too_fast", np.zeros(len(df), bool))
            df.insert(pos + 1, "straight_lining", np.zeros(len(df), bool))
        out[name] = df
    return out


def skm_sizes(params: list[S.RegionParams], scale: float) -> np.ndarray:
    """SKM respondents per region (fixed by size and scale; gives each region's first respondent number)."""
    return np.array([max(30, int(round(450 * p.size * scale))) for p in params])


@dataclass
class RegionWorld:
    """One region's part of a world: its clean ``tables``, ``private`` people frame and ``people``."""

    params: S.RegionParams
    tables: dict
    private: pd.DataFrame
    people: pd.DataFrame
    n_staff: int
    n_survey: int


def build_region(
    seed: int, scale: float, p: S.RegionParams, nips: NipSequence, first_respondent: int = 0
) -> RegionWorld:
    """Simulate one region. Every stage draws from its own ``PCG64`` sub-stream named after the stage and the
    region's code, so a region's data depend on the seed, the scale and the region alone (not on which other
    regions are simulated with it, nor their order) except the NIP sequence digits, which continue across regions
    (``nips``) so that NIPs are unique nationally."""
    tag = "/" + p.code
    params = [p]
    people, private, arr = _people(seed, params, scale, tag, nips)
    arr["scale"] = scale
    n = len(people)
    v = substream(seed, "person_effects" + tag).normal(0, S.SD_PERSON, n)
    gen = general_factors(substream(seed, "latent_general" + tag), n)
    training, trained, jp_prog = _training(seed, params, people, arr, v, tag)
    perf = _performance(seed, params, people, arr, v, gen, jp_prog, tag)
    survey, sampled = _survey(seed, params, people, arr, gen, trained, tag)
    sat = _satisfaction(seed, params, scale, tag, first_respondent)
    private, tables = _put_together(private, people, trained, jp_prog, survey, perf, training, sat)
    return RegionWorld(p, tables, private, people, n, len(survey))


def _put_together(private, people, trained, jp_prog, survey, perf, training, sat) -> tuple[pd.DataFrame, dict]:
    """The private facts of the staff (region, agency, golongan, training) and the four tables in their dtypes, as
    :func:`build_region` and :func:`build_pooled` both return them."""
    private = private.assign(
        region_code=people["region_code"],
        agency=people["agency"],
        golongan=people["golongan"],
        trained=trained,
        jp_programme=jp_prog,
    )
    return private, conform({"survey": survey, "performance": perf, "training": training, "satisfaction": sat})


def iter_regions(seed: int, scale: float, params: list[S.RegionParams]):
    """Simulate the regions one at a time, in order (:func:`build_region`); yields :class:`RegionWorld`."""
    nips = NipSequence()
    first = np.r_[0, np.cumsum(skm_sizes(params, scale))]
    for r, p in enumerate(params):
        yield build_region(seed, scale, p, nips, int(first[r]))


#: Worlds with more staff than this are drawn region by region (:func:`iter_regions`), smaller ones in one
#: vectorised pass over all regions (:func:`build_pooled`, the draws of every seed before national-scale streaming).
BY_REGION_STAFF = 200_000


def staff_count(params: list[S.RegionParams], scale: float) -> int:
    """Number of staff a world of these regions and scale has (fixed by the regions' sizes and the scale)."""
    return int(sum(max(30, int(round(800 * scale * p.size))) for p in params))


def by_region_default(params: list[S.RegionParams], scale: float) -> bool:
    """Whether a world is drawn region by region unless told: above :data:`BY_REGION_STAFF` staff."""
    return staff_count(params, scale) > BY_REGION_STAFF


def build_pooled(seed: int, scale: float, params: list[S.RegionParams]) -> tuple[dict, pd.DataFrame, dict]:
    """All regions in one vectorised pass (one sub-stream per stage for all regions together)."""
    people, private, arr = _people(seed, params, scale)
    arr["scale"] = scale
    n = len(people)
    v = substream(seed, "person_effects").normal(0, S.SD_PERSON, n)
    gen = general_factors(substream(seed, "latent_general"), n)
    training, trained, jp_prog = _training(seed, params, people, arr, v)
    perf = _performance(seed, params, people, arr, v, gen, jp_prog)
    survey, sampled = _survey(seed, params, people, arr, gen, trained)
    sat = _satisfaction(seed, params, scale)
    private, tables = _put_together(private, people, trained, jp_prog, survey, perf, training, sat)
    counts = tables["survey"].groupby("region_code", observed=True).size()
    extra = {
        "n_staff": np.bincount(arr["reg"], minlength=len(params)),
        "n_survey": np.array([int(counts.get(p.code, 0)) for p in params]),
        "people": people,
    }
    return tables, private, extra


def build(
    seed: int, scale: float, params: list[S.RegionParams], by_region: bool | None = None
) -> tuple[dict, pd.DataFrame, dict]:
    """The whole world: region by region (:func:`iter_regions`, stacked in region order) or in one pass
    (:func:`build_pooled`); ``by_region=None`` decides by size (:func:`by_region_default`)."""
    if by_region is None:
        by_region = by_region_default(params, scale)
    if not by_region:
        return build_pooled(seed, scale, params)
    parts = list(iter_regions(seed, scale, params))

    def stack(frames):
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)

    tables = {name: stack([w.tables[name] for w in parts]) for name in parts[0].tables}
    private = stack([w.private for w in parts])
    people = stack([w.people for w in parts])
    extra = {
        "n_staff": np.array([w.n_staff for w in parts]),
        "n_survey": np.array([w.n_survey for w in parts]),
        "people": people,
    }
    return tables, private, extra
