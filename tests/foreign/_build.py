"""Writes the two binary exports of the foreign corpus from the literal rows below (run by hand:
``python tests/foreign/_build.py``; the files are committed). Not the toolkit's generator: every value is typed here.

- ``ekinerja/ekinerja_kota_lhokseumawe_2025.xlsx``: an e-Kinerja / e-SKP quarterly recap as a BKPSDM downloads it
  (title rows above the header, PNS and PPPK staff, periods written four ways), written with openpyxl.
- ``spss_thesis/skripsi_pelatihan_kota_bengkulu.sav``: a thesis data file (SPSS) with value labels, written with
  pyreadstat.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

EKINERJA_HEADER = [
    "No",
    "NIP/NI PPPK",
    "Nama Pegawai",
    "Jabatan",
    "Unit Kerja",
    "Golongan",
    "Periode",
    "Hasil Kerja",
    "Perilaku Kerja",
    "Predikat Kinerja",
    "Capaian (%)",
]
# fmt: off
EKINERJA_ROWS = [
    [1, "198503122010011002", "Teuku Ramadhan", "Analis Kepegawaian", "BKPSDM", "III/c", "Triwulan II 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 98.5],
    [2, "199002142015032001", "Cut Mutia Sari", "Pengelola Data", "BKPSDM", "III/a", "Triwulan II 2025", "Di Atas Ekspektasi", "Di Atas Ekspektasi", "Sangat Baik", 112],
    [3, "200012312024211001", "Rizky Maulana", "Pranata Komputer Ahli Pertama", "Diskominfo", "IX", "Triwulan II 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 100],
    [4, "199711052023212003", "Nurul Aini", "Penata Layanan Operasional", "Dinas Kesehatan", "VII", "Triwulan II 2025", "Di Bawah Ekspektasi", "Sesuai Ekspektasi", "Butuh Perbaikan", 71.25],
    [5, "198107232006041003", "Zulkifli Hasan", "Kepala Seksi Pendataan", "Disdukcapil", "Penata Tk. I", "Triwulan II 2025", "Sesuai Ekspektasi", "Di Bawah Ekspektasi", "Kurang/Misconduct", 90],
    [6, "198503122010011002", "Teuku Ramadhan", "Analis Kepegawaian", "BKPSDM", "III/c", "TW 3 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 101],
    [7, "199002142015032001", "Cut Mutia Sari", "Pengelola Data", "BKPSDM", "III/a", "TW 3 2025", "Sesuai Ekspektasi", "Di Atas Ekspektasi", "Baik", 99],
    [8, "200012312024211001", "Rizky Maulana", "Pranata Komputer Ahli Pertama", "Diskominfo", "IX", "TW 3 2025", "Di Atas Ekspektasi", "Di Atas Ekspektasi", "Sangat Baik", 115],
    [9, "199711052023212003", "Nurul Aini", "Penata Layanan Operasional", "Dinas Kesehatan", "VII", "TW 3 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 95],
    [10, "198107232006041003", "Zulkifli Hasan", "Kepala Seksi Pendataan", "Disdukcapil", "Gol. III", "TW 3 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 97.5],
    [11, "198503122010011002", "Teuku Ramadhan", "Analis Kepegawaian", "BKPSDM", "III/c", "Q4 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 100],
    [12, "199002142015032001", "Cut Mutia Sari", "Pengelola Data", "BKPSDM", "III/b", "Q4 2025", "Di Atas Ekspektasi", "Sesuai Ekspektasi", "Baik", 104],
    [13, "200012312024211001", "Rizky Maulana", "Pranata Komputer Ahli Pertama", "Diskominfo", "IX", "Q4", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 100],
    [14, "199711052023212003", "Nurul Aini", "Penata Layanan Operasional", "Dinas Kesehatan", "VII", "Q4 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 96],
    [15, "198107232006041003", "Zulkifli Hasan", "Kepala Seksi Pendataan", "Disdukcapil", "III/d", "Triwulan IV 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 100],
    [16, "199908172025211004", "Fadhil Akbar", "Pengadministrasi Perkantoran", "Sekretariat Daerah", "V", "Triwulan IV 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 92],
    [17, "198804012011012005", "Maya Syafitri", "Bendahara", "BPKD", "III/b", "Triwulan IV 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 88.75],
    [18, "", "Hendra Saputra", "Pengemudi", "Sekretariat Daerah", "II/a", "Triwulan IV 2025", "Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik", 90],
]
# fmt: on

SPSS_ROWS = [  # resp, nip, nama, jk (1 L / 2 P), umur, pendidikan (1 SMA .. 4 S2), x1..x5 pelatihan, y1..y5 kinerja (1..5)
    (1, "198703152010011003", "Rina Susanti", 2, 37, 3, [4, 4, 5, 4, 4], [4, 4, 4, 5, 4]),
    (2, "199001202015031002", "Dodi Firmansyah", 1, 35, 3, [3, 4, 3, 3, 4], [3, 4, 4, 3, 3]),
    (3, "198511022009032001", "Yuli Astuti", 2, 39, 4, [5, 5, 5, 4, 5], [5, 4, 5, 5, 5]),
    (4, "199205172019021003", "Agung Prasetyo", 1, 33, 3, [2, 3, 2, 3, 2], [3, 3, 2, 3, 3]),
    (5, "198012242006042002", "Sri Wahyuni", 2, 44, 2, [4, 3, 4, 4, 4], [4, 4, 3, 4, 4]),
    (6, "197909092005011001", "Eko Purnomo", 1, 46, 3, [3, 3, 3, 3, 3], [3, 3, 3, 3, 3]),
    (7, "199408082020122004", "Intan Permata", 2, 31, 3, [4, 5, 4, 4, 5], [4, 5, 5, 4, 4]),
    (8, "198802282011011002", "Fajar Nugroho", 1, 37, 4, [5, 4, 4, 5, 4], [4, 4, 5, 4, 5]),
    (9, "199612012022032001", "Desi Ratnasari", 2, 28, 3, [3, 2, 3, 3, 2], [2, 3, 3, 2, 3]),
    (10, "198306062008012005", "Wulan Sari", 2, 42, 1, [4, 4, 4, 3, 4], [4, 3, 4, 4, 4]),
    (11, "199109302017071001", "Bayu Saputra", 1, 33, 3, [1, 2, 2, 1, 2], [2, 2, 1, 2, 2]),
    (12, "198910102014032003", "Lia Amelia", 2, 35, 3, [5, 5, 4, 5, 5], [5, 5, 4, 5, 5]),
    (13, "197705052003121001", "Heru Santoso", 1, 48, 2, [3, 4, 3, 4, 3], [4, 3, 3, 4, 3]),
    (14, "199507072021011002", "Rudi Hartanto", 1, 29, 3, [4, 4, 3, 4, 4], [4, 4, 4, 3, 4]),
    (15, "198602022010012003", "Nia Kurniasih", 2, 39, 4, [2, 2, 3, 2, 2], [3, 2, 2, 2, 3]),
    (16, "199303032018011004", "Andi Pratama", 1, 32, 3, [4, 3, 4, 4, 3], [3, 4, 4, 4, 3]),
    (17, "199303032018011004", "Andi Pratama", 1, 32, 3, [4, 3, 4, 4, 3], [3, 4, 4, 4, 3]),  # entered twice
    (18, "198409092009011003", "Joko Widodo", 1, 99, 3, [5, 4, 5, 5, 4], [5, 5, 4, 4, 5]),  # umur 99: typo
    (19, "199811112023022001", "Putri Ayu", 2, 26, 3, [4, 4, 4, 4, 0], [4, 4, 4, 4, 4]),  # 0: not on the scale
    (20, "199010102016031002", "Dimas Anggara", 1, 34, 3, [3, 3, 4, 3, 3], [4, 3, 3, 3, 4]),
]
X_LABELS = [
    "Materi pelatihan sesuai dengan kebutuhan pekerjaan saya",
    "Metode pelatihan membantu saya memahami materi",
    "Pelatih (widyaiswara) menguasai materi",
    "Saya dapat menerapkan hasil pelatihan dalam pekerjaan",
    "Sarana pelatihan memadai",
]
Y_LABELS = [
    "Saya menyelesaikan pekerjaan sesuai target",
    "Kualitas hasil kerja saya baik",
    "Saya menyelesaikan pekerjaan tepat waktu",
    "Saya mampu bekerja sama dengan rekan kerja",
    "Saya bertanggung jawab atas pekerjaan saya",
]


def build_ekinerja(path: Path = HERE / "ekinerja" / "ekinerja_kota_lhokseumawe_2025.xlsx") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Rekap Kinerja"
    ws.append(["REKAPITULASI EVALUASI KINERJA PEGAWAI PERIODIK"])
    ws.append(["PEMERINTAH KOTA LHOKSEUMAWE"])
    ws.append(["Sumber: e-Kinerja BKN, diunduh 15 Januari 2026"])
    ws.append([])
    ws.append(EKINERJA_HEADER)
    for row in EKINERJA_ROWS:
        ws.append(row)
    for r in range(6, 6 + len(EKINERJA_ROWS)):
        ws.cell(row=r, column=2).number_format = "@"  # NIP typed as text, as the download does
    info = wb.create_sheet("Keterangan")
    info.append(["Periode evaluasi triwulanan (PermenPANRB 6/2022)"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build_spss(path: Path = HERE / "spss_thesis" / "skripsi_pelatihan_kota_bengkulu.sav") -> Path:
    import pandas as pd
    import pyreadstat

    data = {
        "resp": [r[0] for r in SPSS_ROWS],
        "nip": [r[1] for r in SPSS_ROWS],
        "nama": [r[2] for r in SPSS_ROWS],
        "jk": [float(r[3]) for r in SPSS_ROWS],
        "umur": [float(r[4]) for r in SPSS_ROWS],
        "pddk": [float(r[5]) for r in SPSS_ROWS],
    }
    for k in range(5):
        data[f"x{k + 1}"] = [float(r[6][k]) for r in SPSS_ROWS]
    for k in range(5):
        data[f"y{k + 1}"] = [float(r[7][k]) for r in SPSS_ROWS]
    df = pd.DataFrame(data)
    agree = {1.0: "Sangat Tidak Setuju", 2.0: "Tidak Setuju", 3.0: "Ragu-ragu", 4.0: "Setuju", 5.0: "Sangat Setuju"}
    labels = {"jk": {1.0: "Laki-laki", 2.0: "Perempuan"}, "pddk": {1.0: "SMA", 2.0: "D3", 3.0: "S1", 4.0: "S2"}}
    labels.update({f"x{k + 1}": agree for k in range(5)})
    labels.update({f"y{k + 1}": agree for k in range(5)})
    column_labels = ["No. responden", "NIP", "Nama responden", "Jenis kelamin", "Umur", "Pendidikan terakhir"]
    column_labels += X_LABELS + Y_LABELS
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(df, str(path), column_labels=column_labels, variable_value_labels=labels)
    return path


if __name__ == "__main__":
    print(build_ekinerja(), build_spss())
