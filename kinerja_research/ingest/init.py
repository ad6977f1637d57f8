"""``kinerja init-dataset PATH``: write a starting ``dataset.yml`` by recognising the headers of the files in a folder.

Headers are matched (after :func:`~kinerja_research.ingest.dataset.normalise_header`) against a vocabulary of
common Indonesian/English column names and against every codebook item's Indonesian and English wording (also
inside Google Forms grid headers ``"Question [item text]"``). Each file is assigned the table whose columns it
matches best. Unrecognised headers are listed as comments so the user can map them by hand. Nothing is guessed
silently: the file is a starting point to check.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kinerja_research.errors import InputFileError, KinerjaError
from kinerja_research.ingest.dataset import REQUIRED_COLUMNS, normalise_header

__all__ = ["init_dataset", "HEADER_VOCABULARY", "recognise_headers"]

#: Canonical column -> header spellings (normalised) that mean it.
HEADER_VOCABULARY = {
    "nip": ["nip", "nip baru", "nomor induk pegawai", "nip pegawai", "nip/nrp"],
    "name": ["nama", "nama lengkap", "nama pegawai", "nama responden", "name", "full name"],
    "email": ["email", "email address", "alamat email", "e-mail"],
    "phone": ["no hp", "nomor hp", "no. hp", "telepon", "nomor telepon", "phone"],
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
    ],
    "agency": ["unit kerja", "opd", "instansi", "perangkat daerah", "satuan kerja", "agency", "nama opd"],
    "wave": ["tahap", "gelombang", "wave", "tahap survei"],
    "trained": ["ikut pelatihan", "ikut pelatihan?", "mengikuti pelatihan", "trained", "peserta pelatihan"],
    "submitted_at": [
        "timestamp",
        "stempel waktu",
        "waktu",
        "tanggal pengisian",
        "submitted at",
        "waktu pengisian",
        "tanggal survei",
        "tanggal kunjungan",
    ],
    "duration_s": ["durasi", "durasi (detik)", "duration", "duration (s)", "lama pengisian", "lama pengisian (detik)"],
    "golongan": ["golongan", "gol", "gol.", "pangkat/golongan", "golongan/ruang", "pangkat", "golongan ruang"],
    "education": ["pendidikan", "pendidikan terakhir", "education"],
    "period": ["periode", "semester", "period", "periode penilaian", "triwulan"],
    "period_start": ["awal periode", "period start"],
    "rating_hasil_kerja": ["hasil kerja", "rating hasil kerja", "rating hasil kerja pegawai"],
    "rating_perilaku": ["perilaku", "perilaku kerja", "rating perilaku", "rating perilaku kerja"],
    "predikat": ["predikat", "predikat kinerja", "predikat kinerja pegawai"],
    "capaian_pct": ["capaian", "capaian (%)", "capaian kinerja", "% capaian", "capaian kinerja (%)"],
    "course": ["diklat", "nama diklat", "nama pelatihan", "course", "jenis diklat"],
    "start": ["mulai", "tanggal mulai", "start", "tgl mulai"],
    "end": ["selesai", "tanggal selesai", "end", "tgl selesai"],
    "jp": ["jp", "jam pelajaran", "jumlah jp"],
    "programme": ["program", "programme", "program dievaluasi"],
    "service_unit": ["unit layanan", "jenis layanan", "service unit", "unit pelayanan"],
    "gender": ["jenis kelamin", "gender", "sex"],
    "age": ["umur", "usia", "age"],
    "occupation": ["pekerjaan", "occupation"],
}
_TABLE_OF_COLUMN = {
    "survey": {
        "nip",
        "name",
        "email",
        "region",
        "agency",
        "wave",
        "trained",
        "submitted_at",
        "duration_s",
        "golongan",
        "education",
    },
    "performance": {
        "nip",
        "name",
        "region",
        "agency",
        "period",
        "period_start",
        "golongan",
        "rating_hasil_kerja",
        "rating_perilaku",
        "predikat",
        "capaian_pct",
    },
    "training": {"nip", "name", "region", "agency", "course", "start", "end", "jp", "programme"},
    "satisfaction": {
        "region",
        "service_unit",
        "submitted_at",
        "period",
        "gender",
        "age",
        "education",
        "occupation",
        "name",
        "email",
        "phone",
    },
}
_SUPPORTED = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "excel", ".sav": "spss"}


def _item_vocabulary() -> dict[str, tuple[str, str]]:
    """Normalised item wording or id -> (item id, codebook name)."""
    from kinerja_research.instruments import list_codebooks, load_codebook

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


def recognise_headers(headers: list[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Map headers to canonical columns and item ids.

    Returns
    -------
    (columns, instruments, unknown)
        ``columns``: source header -> canonical column or item id; ``instruments``: item id -> codebook name;
        ``unknown``: headers not recognised.

    Examples
    --------
    >>> cols, _, unknown = recognise_headers(["Timestamp", "NIP", "Hobi"])
    >>> cols, unknown
    ({'Timestamp': 'submitted_at', 'NIP': 'nip'}, ['Hobi'])
    """
    vocab = {normalise_header(v): k for k, vs in HEADER_VOCABULARY.items() for v in vs}
    items = _item_vocabulary()
    prefixes = sorted((t for t in vocab if len(t) >= 3), key=len, reverse=True)
    columns, instruments, unknown = {}, {}, []
    used: set[str] = set()
    for h in headers:
        n = normalise_header(h)
        bracket = re.search(r"\[(.+)\]\s*$", n)
        candidates = [n] + ([normalise_header(bracket.group(1))] if bracket else [])
        bare = normalise_header(re.sub(r"\([^)]*\)", " ", n))
        if bare and bare != n:
            candidates.append(bare)
        target = None
        for c in candidates:
            if c in items:
                target, instruments[items[c][0]] = items[c][0], items[c][1]
                break
            if c in vocab:
                target = vocab[c]
                break
        if target is None:  # a known column name followed by explanation: "Kabupaten/Kota tempat Anda bertugas"
            for term in prefixes:
                if n.startswith(term + " ") or bare.startswith(term + " "):
                    target = vocab[term]
                    break
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


def _headers_of(path: Path) -> tuple[str, list[str], dict]:
    from kinerja_research.ingest.readers import read_excel, read_spss, sniff_csv

    kind = _SUPPORTED[path.suffix.lower()]
    if kind == "csv":
        enc, sep, header = sniff_csv(path)
        import csv

        return kind, next(csv.reader([header], delimiter=sep)), {"sep": sep, "encoding": enc}
    if kind == "excel":
        expect = [v for vs in HEADER_VOCABULARY.values() for v in vs]
        t = read_excel(path, expect_headers=expect)
        return kind, list(t.data.columns), {"header_row": t.header_row}
    t = read_spss(path)
    return kind, list(t.data.columns), {}


def init_dataset(path: str | Path, *, force: bool = False) -> tuple[Path, list[str]]:
    """Write ``PATH/dataset.yml`` from the headers of the files in ``PATH``.

    Parameters
    ----------
    path : str or Path
        Folder with the raw files.
    force : bool, default False
        Overwrite an existing dataset.yml.

    Returns
    -------
    (path, report) : tuple
        The written file and one line per input file (table assigned, columns recognised, unknown headers).

    Raises
    ------
    KinerjaError
        The folder does not exist, has no supported files, or already has a dataset.yml (without ``force``).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise KinerjaError(f"folder '{folder}' does not exist; rule: init-dataset reads the files of a folder")
    out = folder / "dataset.yml"
    if out.exists() and not force:
        raise KinerjaError(f"'{out}' already exists; rule: init-dataset never overwrites a dataset.yml (use --force)")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _SUPPORTED)
    if not files:
        raise KinerjaError(
            f"folder '{folder}' has no .csv, .tsv, .txt, .xlsx or .sav files; rule: init-dataset needs the raw files"
        )
    tables: dict[str, list] = {}
    instruments: dict[str, set] = {}
    report, comments = [], []
    for f in files:
        try:
            kind, headers, options = _headers_of(f)
        except InputFileError as exc:
            report.append(f"{f.name}: skipped ({exc})")
            continue
        columns, inst, unknown = recognise_headers(headers)
        targets = set(columns.values())
        scores = {t: len(targets & cols) for t, cols in _TABLE_OF_COLUMN.items()}
        n_items = {
            "survey": sum(1 for i, c in inst.items() if c != "skm"),
            "satisfaction": sum(1 for i, c in inst.items() if c == "skm"),
        }
        for t, k in n_items.items():
            scores[t] += k
        table = max(scores, key=lambda t: (scores[t], t == "survey"))
        if scores[table] == 0:
            report.append(f"{f.name}: no header recognised; add it to dataset.yml by hand")
            continue
        region = None
        if "region" not in targets:
            from kinerja_research.ingest.dataset import region_from_filename

            try:
                region_from_filename(f, "from_filename")
                region = "from_filename"
            except KinerjaError:
                region = None
        missing = [c for c in REQUIRED_COLUMNS[table] if c not in targets and not (c == "region" and region)]
        entry = {
            "file": f.name,
            "reader": "forms"
            if kind == "csv" and any(normalise_header(h) in ("timestamp", "stempel waktu") for h in headers)
            else kind,
        }
        if options:
            entry["options"] = options
        entry["region"] = region
        entry["columns"] = columns
        tables.setdefault(table, []).append(entry)
        for c in inst.values():
            instruments.setdefault("satisfaction" if c == "skm" else "survey", set()).add(c)
        report.append(
            f"{f.name}: table {table}, {len(columns)} of {len(headers)} headers recognised"
            + (f", required still missing: {', '.join(missing)}" if missing else "")
        )
        if unknown:
            comments.append(f"# {f.name}: unrecognised headers (map them under 'columns' or leave them out):")
            comments.extend(f"#   {h!r}" for h in unknown[:200])
    if not tables:
        raise KinerjaError(
            f"no file in '{folder}' has recognisable headers; rule: init-dataset needs at least one "
            f"file with headers such as NIP, Timestamp or codebook item wordings"
        )
    doc = {
        "name": folder.name,
        "description": f"Dataset {folder.name} (dataset.yml written by kinerja init-dataset; check every mapping)",
        "tables": tables,
        "instruments": {k: sorted(v) for k, v in sorted(instruments.items())},
    }
    text = (
        "# Written by `kinerja init-dataset`: check every mapping before `kinerja clean`.\n"
        + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)
        + ("\n" + "\n".join(comments) + "\n" if comments else "")
    )
    out.write_text(text, encoding="utf-8")
    return out, report
