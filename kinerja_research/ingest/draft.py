"""``kinerja init-dataset PATH``: draft a ``dataset.yml`` (and a codebook for the files' own questions) that
``kinerja validate`` accepts as written.

Each column is recognised by its header and by its values, in this order: personal data (names, e-mail addresses,
phone numbers), the NIP (header, or values of 18 digits), the region (a column whose values resolve as kab/kota --
never taken for an OPD because of a header such as "Instansi"), an item of a shipped codebook (by its wording, also
inside Google Forms grid headers ``"Question [item text]"``; SKM unsur by their wording), the wave (values such as
"Sebelum" / "Sesudah"), a common column name (Indonesian or English, self-reported fields included: umur/usia, jenis
kelamin, pendidikan, masa kerja, golongan, jabatan, OPD/unit kerja), and finally a Likert question recognised by its
answers (words of a label set: "Sangat Setuju", "SS", "Netral", "Ragu-ragu", "N", ...).

Questions that no shipped codebook has are drafted into an own codebook file beside dataset.yml (ids ``Q01``...,
wording from the header, the scale inferred from the answer words), so the user only names its dimensions. Each file
goes to the table its columns fit best; only targets that table accepts are written, every other header is listed as
a comment saying why. A survey file without a wave column gets ``constants: {wave: pre}`` to check. Nothing is guessed
silently: the comments and the printed lines say what to check, and the last line is the command to run next.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from kinerja_research.errors import InputFileError, KinerjaError, RegionError
from kinerja_research.ingest.dataset import (
    REQUIRED_COLUMNS,
    TABLE_COLUMNS,
    normalise_header,
    region_from_filename,
)
from kinerja_research.ingest.readers import read_excel, read_file, read_spss, sniff_csv
from kinerja_research.instruments import get_label_set, list_codebooks, load_codebook, normalise_label
from kinerja_research.regions import region_candidates

__all__ = ["init_dataset", "HEADER_VOCABULARY", "recognise_headers", "infer_label_set"]

#: Canonical column -> header spellings (normalised) that mean it.
HEADER_VOCABULARY = {
    "nip": [
        "nip",
        "nip baru",
        "nomor induk pegawai",
        "nip pegawai",
        "nip/nrp",
        "nip/ni pppk",
        "nip / ni pppk",
        "ni pppk",
        "nip/nipppk",
        "nomor induk",
        "nip asn",
    ],
    "name": [
        "nama",
        "nama lengkap",
        "nama pegawai",
        "nama responden",
        "nama asn",
        "name",
        "full name",
        "nama lengkap*",
    ],
    "email": ["email", "email address", "alamat email", "alamat e-mail", "e-mail", "surel", "alamat surel"],
    "phone": [
        "no hp",
        "nomor hp",
        "no. hp",
        "no hp/wa",
        "no. hp/wa",
        "nomor hp/whatsapp",
        "nomor whatsapp",
        "no wa",
        "whatsapp",
        "telepon",
        "nomor telepon",
        "no telp",
        "phone",
        "phone number",
    ],
    "region": [
        "kabupaten/kota",
        "kab/kota",
        "kota/kabupaten",
        "wilayah",
        "daerah",
        "region",
        "pemda",
        "lokasi",
        "kabupaten",
        "kota",
        "kode wilayah",
        "kode daerah",
        "pemerintah daerah",
    ],
    "agency": [
        "unit kerja",
        "opd",
        "unit kerja / opd",
        "unit kerja/opd",
        "opd / unit kerja",
        "instansi",
        "perangkat daerah",
        "satuan kerja",
        "agency",
        "nama opd",
        "skpd",
    ],
    "wave": ["tahap", "gelombang", "wave", "tahap survei"],
    "trained": ["ikut pelatihan", "ikut pelatihan?", "mengikuti pelatihan", "trained", "peserta pelatihan"],
    "submitted_at": [
        "timestamp",
        "stempel waktu",
        "cap waktu",
        "waktu",
        "tanggal pengisian",
        "submitted at",
        "waktu pengisian",
        "tanggal survei",
        "tanggal kunjungan",
        "tanggal",
    ],
    "duration_s": ["durasi", "durasi (detik)", "duration", "duration (s)", "lama pengisian", "lama pengisian (detik)"],
    "golongan": [
        "golongan",
        "gol",
        "gol.",
        "pangkat/golongan",
        "golongan/pangkat",
        "golongan/ruang",
        "pangkat",
        "golongan ruang",
        "gol/ruang",
    ],
    "education": ["pendidikan", "pendidikan terakhir", "education", "tingkat pendidikan", "pend. terakhir"],
    "age": ["umur", "usia", "age", "umur (tahun)", "usia (tahun)"],
    "gender": ["jenis kelamin", "jk", "gender", "sex", "l/p", "jenis kelamin (l/p)"],
    "tenure_years": ["masa kerja", "masa kerja (tahun)", "lama bekerja", "lama bekerja (tahun)", "tenure"],
    "jabatan": ["jabatan", "jenis jabatan", "nama jabatan", "jabatan saat ini", "position", "eselon/jabatan"],
    "period": ["periode", "semester", "period", "periode penilaian", "triwulan", "periode evaluasi", "bulan"],
    "period_start": ["awal periode", "period start"],
    "rating_hasil_kerja": ["hasil kerja", "rating hasil kerja", "rating hasil kerja pegawai"],
    "rating_perilaku": ["perilaku", "perilaku kerja", "rating perilaku", "rating perilaku kerja"],
    "predikat": ["predikat", "predikat kinerja", "predikat kinerja pegawai"],
    "capaian_pct": ["capaian", "capaian (%)", "capaian kinerja", "% capaian", "capaian kinerja (%)", "nilai capaian"],
    "course": ["diklat", "nama diklat", "nama pelatihan", "course", "jenis diklat", "pelatihan"],
    "start": ["mulai", "tanggal mulai", "start", "tgl mulai", "tgl. mulai"],
    "end": ["selesai", "tanggal selesai", "end", "tgl selesai", "tgl. selesai"],
    "jp": ["jp", "jam pelajaran", "jumlah jp", "jpl"],
    "programme": ["program", "programme", "program dievaluasi"],
    "service_unit": ["unit layanan", "jenis layanan", "service unit", "unit pelayanan", "jenis pelayanan"],
    "occupation": ["pekerjaan", "occupation"],
}
_PRIVATE = ("name", "email", "phone")
_SUPPORTED = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "excel", ".xlsm": "excel", ".sav": "spss"}
_SAMPLE_ROWS = 5000
_WAVE_WORDS = {"pre", "post", "sebelum", "sesudah", "setelah", "awal", "akhir", "pretest", "posttest", "baseline"}
_FAMILIES = {"agree": ("agree4", "agree5", "agree6", "agree7"), "freq": ("freq5",), "satisfied": ("satisfied5",)}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^(\+?62|0)8[\d\s\-.]{7,14}$")
_NIP = re.compile(r"^\d{18}$")


@lru_cache(maxsize=1)
def _item_vocabulary() -> dict[str, tuple[str, str]]:
    """Normalised item wording or id -> (item id, codebook name)."""
    out: dict[str, tuple[str, str]] = {}
    for name in list_codebooks():
        cb = load_codebook(name)
        for _, row in cb.items.iterrows():  # a few dozen items
            for text in (
                row["id"],
                row.get("text_id"),
                row.get("text_en"),
                row.get("element_id"),
                row.get("element_en"),
            ):
                if isinstance(text, str) and text.strip():
                    out.setdefault(normalise_header(text), (row["id"], name))
    return out


def _candidates(h: str) -> tuple[str, list[str], str]:
    """Normalised header, the texts it may stand for (itself, a grid's [row], without (notes)), the bare text."""
    n = normalise_header(h)
    bracket = re.search(r"\[(.+)\]\s*$", n)
    cands = [n] + ([normalise_header(bracket.group(1))] if bracket else [])
    bare = normalise_header(re.sub(r"\([^)]*\)", " ", n))
    bare = re.sub(r"^\d+\s*[.)]\s*", "", bare)  # "8. Sarana ..." numbered questions
    if bare and bare not in cands:
        cands.append(bare)
    return n, cands, bare


def recognise_headers(headers: list[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Map headers to canonical columns and item ids of the shipped codebooks, by header text alone.

    Returns
    -------
    (columns, instruments, unknown)
        ``columns``: source header -> canonical column or item id; ``instruments``: item id -> codebook name;
        ``unknown``: headers not recognised.

    Examples
    --------
    >>> cols, _, unknown = recognise_headers(["Timestamp", "NIP", "Hobi", "Usia (tahun)", "Masa kerja"])
    >>> cols, unknown
    ({'Timestamp': 'submitted_at', 'NIP': 'nip', 'Usia (tahun)': 'age', 'Masa kerja': 'tenure_years'}, ['Hobi'])
    """
    vocab = _vocab()
    items = _item_vocabulary()
    skm = load_codebook("skm")
    columns, instruments, unknown = {}, {}, []
    used: set[str] = set()
    for h in headers:
        target = None
        n, cands, bare = _candidates(h)
        for c in cands:
            if c in items:
                target, instruments[items[c][0]] = items[c][0], items[c][1]
                break
            if c in vocab:
                target = vocab[c]
                break
        if target is None:
            unsur = skm.header_items(h)
            if len(unsur) == 1 and len(n) > 6:
                target, instruments[unsur[0]] = unsur[0], "skm"
        if target is None:
            target = _prefix_vocab(n, bare)
        if target is None:
            ids = [t for t in re.findall(r"\b([a-z]{1,4}\d{1,3})\b", n) if t in items]
            if len(ids) == 1:
                target, instruments[items[ids[0]][0]] = items[ids[0]][0], items[ids[0]][1]
        if target is None or target in used:
            unknown.append(h)
            continue
        used.add(target)
        columns[h] = target
    return columns, instruments, unknown


def _vocab() -> dict[str, str]:
    return {normalise_header(v): k for k, vs in HEADER_VOCABULARY.items() for v in vs}


def _prefix_vocab(n: str, bare: str) -> str | None:
    """A known column name followed by an explanation: "Kabupaten/Kota tempat Anda bertugas"."""
    vocab = _vocab()
    for term in sorted((t for t in vocab if len(t) >= 3), key=len, reverse=True):
        if n.startswith(term + " ") or bare.startswith(term + " "):
            return vocab[term]
    return None


def infer_label_set(values: pd.Series | list) -> tuple[str | None, float]:
    """The answer label set that the answers fit: ``(name, share of answers it covers)``.

    Answers are words of a label set (any spelling it knows) or whole numbers on its range. Among the sets that
    cover at least 90% of the answers, the one with the fewest points is chosen (a five-point set only when an answer
    needs its middle: "Netral", "Ragu-ragu", "N"). ``(None, best share)`` when no set covers 90%.

    Examples
    --------
    >>> infer_label_set(["Setuju", "SS", "Netral", "tdk setuju", "Sangat Tidak Setuju"])
    ('agree5', 1.0)
    >>> infer_label_set(["Setuju", "Sangat Setuju", "Tidak Setuju", "STS"])
    ('agree4', 1.0)
    >>> infer_label_set(["Sering", "Jarang", "Selalu"])
    ('freq5', 1.0)
    """
    s = pd.Series(values, dtype="object").dropna()
    s = s[s.astype(str).str.strip() != ""]
    if s.empty:
        return None, 0.0
    counts = s.astype(str).map(normalise_label).value_counts()
    best: tuple[str | None, float] = (None, 0.0)
    fits = []
    for family in _FAMILIES.values():
        for name in family:
            ls = get_label_set(name)
            labels = ls.label_map()
            hit = 0
            for text, k in counts.items():
                if text in labels or (re.fullmatch(r"\d", text) and 1 <= int(text) <= ls.n_points):
                    hit += k
            share = float(hit / counts.sum())
            if share > best[1]:
                best = (None, share)
            if share >= 0.9:
                fits.append((ls.n_points, -share, name))
    words = [t for t in counts.index if not re.fullmatch(r"\d", t)]
    if not fits or not words:  # numbers alone do not tell a Likert answer from a count
        return None, best[1]
    fits.sort()
    return fits[0][2], -fits[0][1]


def _family(name: str) -> str:
    return next(f for f, names in _FAMILIES.items() if name in names)


# ----------------------------------------------------------------------------------------------------------------
# reading a file's headers and a sample of its values
def _read(path: Path) -> tuple[str, list[str], dict, pd.DataFrame, dict[str, str]]:
    """``(kind, headers, reader options, sample of values, wording per header)``."""
    kind = _SUPPORTED[path.suffix.lower()]
    wording: dict[str, str] = {}
    if kind == "csv":
        enc, sep, _ = sniff_csv(path)
        t = read_file(path)
        options = {"sep": sep, "encoding": t.encoding or enc}
    elif kind == "excel":
        expect = [v for vs in HEADER_VOCABULARY.values() for v in vs]
        t = read_excel(path, expect_headers=expect)
        options = {"header_row": t.header_row} if t.header_row != 1 else {}
    else:
        t = read_spss(path)
        options = {}
        try:
            import pyreadstat

            _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
            wording = {c: lab for c, lab in meta.column_names_to_labels.items() if lab}
        except Exception:  # the data were read above; labels are only a help for the wording
            wording = {}
    return kind, list(t.data.columns), options, t.data.head(_SAMPLE_ROWS), wording


def _values(sample: pd.DataFrame, h: str) -> pd.Series:
    s = sample[h].dropna().astype(str).str.strip()
    return s[s != ""]


def _looks_like(values: pd.Series) -> str | None:
    """What a column's values are, when they say it plainly: nip, email, phone, region, wave."""
    if values.empty:
        return None
    digits = values.str.replace(r"[\s.]", "", regex=True)
    if (digits.str.fullmatch(_NIP.pattern) | values.str.fullmatch(r"\d\.\d+[eE]\+?17")).mean() >= 0.6:
        return "nip"
    if values.str.fullmatch(_EMAIL.pattern, case=False).mean() >= 0.8:
        return "email"
    if values.str.fullmatch(_PHONE.pattern).mean() >= 0.8:
        return "phone"
    if values.map(normalise_label).isin(_WAVE_WORDS).mean() >= 0.9:
        return "wave"
    distinct = values.value_counts()
    if len(distinct) <= 600:  # a region column has at most 514 kab/kota (in their spellings)
        hits = sum(k for v, k in distinct.items() if _is_region(v))
        if hits >= 0.8 * distinct.sum():
            return "region"
    return None


def _is_region(value: str) -> bool:
    try:
        return len(region_candidates(value, level="kabkota")) > 0
    except RegionError:  # an undotted code that is no BPS code
        return False


def _recognise(headers, sample, wording) -> dict:
    """Per header: ``{"target": ..., "instrument": ..., "label_set": ..., "why": ...}`` (target None: unknown)."""
    vocab = _vocab()
    items = _item_vocabulary()
    skm = load_codebook("skm")
    out: dict[str, dict] = {}
    used: dict[str, str] = {}
    for h in headers:
        values = _values(sample, h) if h in sample else pd.Series(dtype="object")
        text = wording.get(h, h)
        n, cands, bare = _candidates(text)
        hn, hcands, hbare = _candidates(h)
        by_value = _looks_like(values)
        rec: dict = {"target": None, "values": values}
        vocab_hit = next((vocab[c] for c in hcands + cands if c in vocab), None)
        if vocab_hit in _PRIVATE or by_value in ("email", "phone"):
            rec["target"] = vocab_hit if vocab_hit in _PRIVATE else by_value
        elif vocab_hit == "nip" or by_value == "nip":
            rec["target"] = "nip"
        elif by_value == "region":
            rec["target"] = "region"
            if vocab_hit not in (None, "region"):
                rec["why"] = f"its values are kab/kota names or codes (not {vocab_hit})"
        else:
            item = next((items[c] for c in cands + hcands if c in items), None)
            unsur = skm.header_items(text)
            if item is not None:
                rec.update(target=item[0], instrument=item[1])
            elif len(unsur) == 1 and len(n) > 6 and vocab_hit is None and _skm_answers(values, unsur[0], skm):
                rec.update(target=unsur[0], instrument="skm")
            elif by_value == "wave":
                rec["target"] = "wave"
            elif _yes_no(values) and re.search(r"pelatihan|diklat|training", n):
                rec["target"] = "trained"
            elif vocab_hit is not None:
                rec["target"] = vocab_hit
            else:
                label_set, _ = infer_label_set(values)
                if label_set is not None:
                    rec.update(target="__likert__", label_set=label_set, wording=_question(text))
                else:
                    rec["target"] = _prefix_vocab(n, bare)
        t = rec["target"]
        if t is not None and t != "__likert__" and t in used:
            rec["duplicate_of"] = used[t]
            rec["target"] = None
        elif t is not None and t != "__likert__":
            used[t] = h
        out[h] = rec
    return out


def _yes_no(values: pd.Series) -> bool:
    words = {"ya", "tidak", "y", "t", "yes", "no", "iya", "belum", "sudah"}
    return not values.empty and bool(values.map(normalise_label).isin(words).mean() >= 0.9)


def _skm_answers(values: pd.Series, item: str, skm) -> bool:
    """The answers of an SKM-worded column are that unsur's answer words (or 1-4): not a survey's agree scale."""
    if values.empty:
        return True
    labels = skm.item_scales()[item].labels
    norm = values.map(normalise_label)
    return bool((norm.isin(set(labels)) | norm.str.fullmatch(r"[1-4]")).mean() >= 0.8)


def _question(text: str) -> str:
    """The wording of a question: a Forms grid's [row], without a leading number."""
    t = re.sub(r"\s+", " ", str(text)).strip()
    m = re.search(r"\[(.+)\]\s*$", t)
    if m:
        t = m.group(1).strip()
    return re.sub(r"^\d+\s*[.)]\s*", "", t)


def _choose_table(recs: dict) -> str:
    targets = {r["target"] for r in recs.values() if r["target"]}
    scores = {t: len(targets & set(cols)) for t, cols in TABLE_COLUMNS.items()}
    for r in recs.values():
        if r["target"] == "__likert__" or r.get("instrument") not in (None, "skm"):
            scores["survey"] += 1
        elif r.get("instrument") == "skm":
            scores["satisfaction"] += 2
    for special, table in (("period", "performance"), ("predikat", "performance"), ("course", "training")):
        if special in targets:
            scores[table] += 2
    if "service_unit" in targets:
        scores["satisfaction"] += 2
    return max(scores, key=lambda t: (scores[t], t == "survey"))


# ----------------------------------------------------------------------------------------------------------------
# writing
def _dump(obj, indent: int) -> str:
    text = yaml.safe_dump(obj, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    pad = " " * indent
    return "".join(pad + line + "\n" for line in text.splitlines())


def _comment(text: str, indent: int) -> str:
    safe = str(text).replace("\n", " ")
    return " " * indent + "# " + safe + "\n"


def _codebook_text(name: str, label_set: str, items: list[tuple[str, str, str]], source_file: str) -> str:
    ls = get_label_set(label_set)
    head = (
        f"# Drafted by `kinerja init-dataset` from the questions of {source_file}. To do: name the dimension(s)\n"
        f"# (name_id / name_en; add dimensions and move items into them as the questionnaire intends), set\n"
        f"# reverse: true for negatively worded items, and write the source. The scale ({label_set},\n"
        f"# {ls.n_points} points: {' / '.join(ls.labels_id)}) was inferred from the answers.\n"
    )
    doc = {
        "name": name,
        "title_id": f"Kuesioner {Path(source_file).stem}",
        "title_en": f"Questionnaire {Path(source_file).stem}",
        "source": f"Own questionnaire ({source_file}); write who made it and when, and cite a scale it adapts",
        "scale": {"label_set": label_set},
        "dimensions": {
            f"dimensi_{d}": {"name_id": f"Dimensi {d} (beri nama)", "name_en": f"Dimension {d} (name it)"}
            for d in dict.fromkeys(dim for _, _, dim in items)
        },
        "items": [
            {"id": iid, "dimension": f"dimensi_{dim}", "reverse": False, "text_id": text, "text_en": text}
            for iid, text, dim in items
        ],
    }
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def init_dataset(path: str | Path, *, force: bool = False) -> tuple[Path, list[str]]:
    """Draft ``PATH/dataset.yml`` (and ``codebook_<table>.yml`` for questions of no shipped codebook).

    Parameters
    ----------
    path : str or Path
        Folder with the raw files.
    force : bool, default False
        Overwrite an existing dataset.yml (and drafted codebooks).

    Returns
    -------
    (path, report) : tuple
        The written dataset.yml and the lines to print: one per input file (table, columns recognised, what is still
        missing), what to check, and last the command to run next.

    Raises
    ------
    KinerjaError
        The folder does not exist, has no supported files, or already has a dataset.yml (without ``force``).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise KinerjaError(f"folder '{folder}' does not exist; rule: init-dataset reads the files of a folder")
    out = folder / "dataset.yml"
    if (out.exists() or out.is_symlink()) and not force:
        raise KinerjaError(f"'{out}' already exists; rule: init-dataset never overwrites a dataset.yml (use --force)")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and p.suffix.lower() in _SUPPORTED)
    if not files:
        raise KinerjaError(
            f"folder '{folder}' has no .csv, .tsv, .txt, .xlsx or .sav files; rule: init-dataset needs the raw files"
        )
    entries: dict[str, list[tuple[dict, list[str]]]] = {}
    instruments: dict[str, list[str]] = {}
    likert: dict[str, str] = {}
    drafts: dict[str, dict] = {}  # codebook name -> {label_set, items: [(id, text)], file}
    report: list[str] = []
    todo: list[str] = []
    n_q = 0
    for f in files:
        try:
            kind, headers, options, sample, wording = _read(f)
        except InputFileError as exc:
            report.append(f"{f.name}: skipped ({exc})")
            continue
        recs = _recognise(headers, sample, wording)
        if not any(r["target"] for r in recs.values()):
            report.append(f"{f.name}: no header recognised; add it to dataset.yml by hand")
            continue
        table = _choose_table(recs)
        accepted = set(TABLE_COLUMNS[table])
        columns: dict[str, str] = {}
        comments: list[str] = []
        # Likert questions of no shipped codebook: one drafted codebook per label-set family and table
        likert_cols = [h for h, r in recs.items() if r["target"] == "__likert__"]
        if likert_cols and table not in ("survey", "satisfaction"):
            for h in likert_cols:
                comments.append(f"{h!r}: answers on a {recs[h]['label_set']} scale, but the {table} table has no items")
                recs[h]["target"] = None
            likert_cols = []
        by_family: dict[str, list[str]] = {}
        for h in likert_cols:
            by_family.setdefault(_family(recs[h]["label_set"]), []).append(h)
        for fam, cols in by_family.items():
            label_set, _ = infer_label_set(pd.concat([recs[h]["values"] for h in cols], ignore_index=True))
            label_set = label_set or recs[cols[0]]["label_set"]
            name = f"kuesioner_{table}" + ("" if fam == "agree" else f"_{fam}")
            draft = drafts.setdefault(name, {"label_set": label_set, "items": [], "file": f.name, "table": table})
            prefixes = {h: m.group(1).lower() for h in cols if (m := re.fullmatch(r"([A-Za-z]+)[_.]?\d+", h))}
            by_prefix = len(prefixes) == len(cols) and len(set(prefixes.values())) > 1  # x1..x5, y1..y5 (SPSS)
            for h in cols:
                n_q += 1
                iid = f"Q{n_q:02d}"
                draft["items"].append((iid, recs[h]["wording"], prefixes[h] if by_prefix else "1"))
                columns[h] = iid
            if name not in instruments.setdefault(table, []):
                instruments[table].append(name)
        # shipped codebook items: their instrument, and the scale the answers are on
        shipped_cols: dict[str, list[str]] = {}
        for h, r in recs.items():
            t = r["target"]
            if t is None or t == "__likert__":
                if r.get("duplicate_of"):
                    comments.append(
                        f"{h!r}: also looks like the column of {r['duplicate_of']!r} (one header per column)"
                    )
                elif t is None and h not in columns:
                    comments.append(f"{h!r}: not recognised (map it under 'columns' if the {table} table needs it)")
                continue
            if r.get("instrument"):
                if table not in ("survey", "satisfaction") or (r["instrument"] == "skm") != (table == "satisfaction"):
                    comments.append(f"{h!r}: item {t} of {r['instrument']} does not belong to the {table} table")
                    continue
                shipped_cols.setdefault(r["instrument"], []).append(h)
                columns[h] = t
                if r["instrument"] not in instruments.setdefault(table, []):
                    instruments[table].append(r["instrument"])
                continue
            if t not in accepted:
                why = (
                    "personal data that this table does not read (left out, never copied)"
                    if t in _PRIVATE
                    else f"looks like {t}, which is not a column of the {table} table"
                )
                comments.append(f"{h!r}: {why}")
                continue
            columns[h] = t
            if r.get("why"):
                comments.append(f"{h!r} -> {t}: {r['why']}")
        for inst, cols in shipped_cols.items():
            if inst == "skm":
                continue
            cb = load_codebook(inst)
            label_set, _ = infer_label_set(pd.concat([recs[h]["values"] for h in cols], ignore_index=True))
            if label_set and label_set != cb.scale.get("label_set") and cb.scoring.get("method") not in ("sus", "skm"):
                likert[re.sub(r"\d+$", "", cb.item_ids[0])] = label_set
        targets = set(columns.values())
        entry: dict = {"file": f.name}
        reader = kind
        if kind == "csv" and any(normalise_header(h) in ("timestamp", "stempel waktu", "cap waktu") for h in headers):
            reader = "forms"
        entry["reader"] = reader
        if options:
            entry["options"] = options
        region = None
        if "region" not in targets:
            try:
                region_from_filename(f, "from_filename")
                region = "from_filename"
            except KinerjaError:
                region = None
            if region is None:
                comments.append(
                    "no column holds the region: write it as `region: <kab/kota name or code>` in this entry"
                )
        entry["region"] = region
        if table == "survey" and "wave" not in targets:
            entry["constants"] = {"wave": "pre"}
            todo.append(
                f"{f.name}: no wave column, so every row is taken as wave 'pre' (constants: {{wave: pre}}); change it "
                f"to post if the survey was collected after the training"
            )
        entry["columns"] = {h: columns[h] for h in headers if h in columns}  # in the file's order
        missing = [c for c in REQUIRED_COLUMNS[table] if c not in targets | set(entry.get("constants", {}))]
        if region:
            missing = [c for c in missing if c != "region"]
        entries.setdefault(table, []).append((entry, comments))
        report.append(
            f"{f.name}: table {table}, {len(columns)} of {len(headers)} headers mapped"
            + (f", {len(likert_cols)} questions drafted into a codebook" if likert_cols else "")
            + (f", required still missing: {', '.join(missing)}" if missing else "")
        )
    if not entries:
        raise KinerjaError(
            f"no file in '{folder}' has recognisable headers; rule: init-dataset needs at least one "
            f"file with headers such as NIP, Timestamp or codebook item wordings"
        )
    written = []
    for name, d in drafts.items():
        cb_path = folder / f"codebook_{d['table']}{name.removeprefix('kuesioner_' + d['table'])}.yml"
        if cb_path.exists() and not force:
            raise KinerjaError(f"'{cb_path}' already exists; rule: init-dataset never overwrites a file (use --force)")
        cb_path.write_text(_codebook_text(name, d["label_set"], d["items"], d["file"]), encoding="utf-8")
        written.append(cb_path.name)
        instruments[d["table"]] = [cb_path.name if n == name else n for n in instruments[d["table"]]]
        todo.append(
            f"{cb_path.name}: name the dimension(s) of the {len(d['items'])} drafted questions (and mark reversed "
            f"items)"
        )
    entries = {table: _globbed(items, files) for table, items in entries.items()}
    text = _yaml_text(folder, entries, instruments, likert)
    out.write_text(text, encoding="utf-8")
    report.extend(f"check: {t}" for t in todo)
    if likert:
        report.append(f"check: likert: {likert} -- the answers of these shipped instruments are on another scale")
    report.append(
        f"wrote {out}" + (f" and {', '.join(written)}" if written else "") + "; next: kinerja validate " + str(folder)
    )
    return out, report


def _globbed(items: list[tuple[dict, list[str]]], files: list[Path]) -> list[tuple[dict, list[str]]]:
    """Entries that differ only in their file become one entry with a glob ("skp_*.xlsx") when the glob matches
    exactly those files of the folder: a national dataset.yml stays small."""
    import fnmatch
    import json

    groups: dict[str, list[tuple[dict, list[str]]]] = {}
    for entry, comments in items:
        key = json.dumps({k: v for k, v in entry.items() if k != "file"}, sort_keys=True, default=str)
        groups.setdefault(key, []).append((entry, comments))
    out = []
    names = [f.name for f in files]
    for group in groups.values():
        if len(group) < 2:
            out.extend(group)
            continue
        members = [e["file"] for e, _ in group]
        prefix = _common(members)
        suffix = _common([m[len(prefix) :][::-1] for m in members])[::-1]
        pattern = prefix + "*" + suffix
        if not any(ch in prefix + suffix for ch in "*?[]") and sorted(fnmatch.filter(names, pattern)) == sorted(
            members
        ):
            entry = {**group[0][0], "file": pattern}
            comments = list(dict.fromkeys(c for _, cs in group for c in cs))
            comments.insert(0, f"{len(members)} files: {', '.join(members[:3])}{', ...' if len(members) > 3 else ''}")
            out.append((entry, comments))
        else:
            out.extend(group)
    return out


def _common(texts: list[str]) -> str:
    import os

    return os.path.commonprefix(texts)


def _yaml_text(folder: Path, entries: dict, instruments: dict, likert: dict) -> str:
    lines = [
        "# Drafted by `kinerja init-dataset`: check every mapping and the comments, then run `kinerja validate`.\n",
        _dump({"name": folder.name}, 0),
        _dump({"description": f"Dataset {folder.name} (drafted by kinerja init-dataset)"}, 0),
        "tables:\n",
    ]
    for table, items in entries.items():
        lines.append(f"  {table}:\n")
        for entry, comments in items:
            lines.append(_dump([entry], 4))
            for c in comments:
                lines.append(_comment(c, 6))
    inst = {t: names for t, names in instruments.items() if names}
    if inst:
        lines.append(_dump({"instruments": inst}, 0))
    if likert:
        lines.append(_comment("answers of these instruments are on another scale than the shipped codebook's:", 0))
        lines.append(_dump({"likert": likert}, 0))
    lines.append(
        _comment(
            "constructs: which instrument measures what the analyses look for (resistance, training, reward, "
            "sanction, motivation, usability, satisfaction); e.g. constructs: {satisfaction: kuesioner_survey}",
            0,
        )
    )
    return "".join(lines)
