"""Benchmark of the audit (page 00) and comparison (page 10) sections on a national dataset: time, peak memory.

    .venv/bin/python /work/wt/bin/memcap 4.5 .venv/bin/python bench/overview_bench.py --dataset nat1 --section audit
    .venv/bin/python bench/overview_bench.py --dataset nat1 --section comparison --tracemalloc
    .venv/bin/python bench/overview_bench.py --dataset nat1 --section audit --in-memory --save old.pkl
    .venv/bin/python bench/overview_bench.py --dataset nat1 --section audit --compare old.pkl

Runs ``sections.audit`` or ``sections.comparison`` with the context a notebook gets (``kr.report.start``, every
region of the data), draws the section's figures (their data count too), and prints the wall and CPU time, the
process's peak resident memory (``ru_maxrss``), the load average before and after and the rows of each result.
``--in-memory`` takes the route of a page of a few regions (the whole tables in memory: ``INTERACTED_MAX`` raised
above the number of regions). ``--save FILE`` pickles what the section shows (results, the shown tables' frames,
texts, records, findings, answers, left-out regions); ``--compare FILE`` compares it with another run's: each item
identical, or the largest absolute difference of its numbers.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _section import measure, parser, save_compare  # noqa: E402

import kinerja_research as kr  # noqa: E402
from kinerja_research.report import national, sections  # noqa: E402


def shown(sec) -> dict:
    """Everything a page shows of a section, as plain objects (frames, dicts, lists)."""
    out = {f"result:{k}": v for k, v in sec.results.items()}
    for name, t in sec.tables.items():
        out[f"table:{name}"] = t["df"]
        if "detail" in t:
            out[f"detail:{name}"] = t["detail"]
        out[f"table_opts:{name}"] = {k: v for k, v in t.items() if k not in ("df", "detail")}
    out["texts"] = sec.texts
    out["records"] = sec.records
    out["findings"] = [f if isinstance(f, str | dict) else str(f) for f in sec.findings]
    out["answers"] = sec.answers
    out["left_out"] = sec.left_out
    out["figures"] = sorted(sec.figures)
    return out


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--section", choices=["audit", "comparison"], required=True)
    ap.add_argument("--in-memory", action="store_true", help="the route of a few regions: whole tables in memory")
    args = ap.parse_args()
    if args.in_memory:
        national.INTERACTED_MAX = 10**6
    notebook = {"audit": "00_data_audit", "comparison": "10_region_comparison"}[args.section]

    def run(ctx):
        sec = getattr(sections, args.section)(ctx)
        for name in sec.figures:
            sec.figure(name)
            plt.close("all")
        return sec

    with tempfile.TemporaryDirectory() as out:
        ctx = kr.report.start(notebook, dataset=args.dataset, regions=args.regions, out_dir=out)
        m = measure(lambda: run(ctx), profile=args.profile, trace=args.tracemalloc)
    sec = m.value
    route = "in memory" if args.in_memory else "default route"
    print(m.line(f"{args.section} on {args.dataset} ({len(ctx.regions)} regions, {route})"))
    print("results:", {k: len(v) for k, v in sec.results.items()}, "tables:", sorted(sec.tables))
    m.print_details()
    save_compare(shown(sec), save=args.save, compare=args.compare)


if __name__ == "__main__":
    main()
