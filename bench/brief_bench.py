"""Benchmark of the briefs' one national pass (``report.national._compute``): time, peak memory, same numbers.

    .venv/bin/python /work/wt/bin/memcap 4.5 .venv/bin/python bench/brief_bench.py --dataset nat1 --save new.pkl
    .venv/bin/python bench/brief_bench.py --dataset nat1 --whole --save old.pkl
    .venv/bin/python bench/brief_bench.py --dataset nat1 --compare old.pkl

Computes every region's brief numbers as :func:`kinerja_research.report.national.brief_parts` does for a national
run (the dataset's constructs, every region, the notebook defaults ``lang``, ``alpha``, ``seed``, ``min_cell``) and
prints the wall and CPU time, the process's peak resident memory (``ru_maxrss``), the load average before and after
and the rows of each theme's results. ``--whole`` reads every :func:`~kinerja_research.report.national.brief_columns`
column whole first, as the pass did before the batched parts read their own batches (the reference route).
``--save`` / ``--compare``: each theme's results, records, answers and left-out regions, compared item by item.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _section import measure, parser, save_compare  # noqa: E402

from kinerja_research.analysis.frames import dataset_constructs  # noqa: E402
from kinerja_research.pipeline import TABLES, load_processed  # noqa: E402
from kinerja_research.report import national  # noqa: E402


def whole(dataset: str, **opts) -> national.BriefNumbers:
    """The pass on every brief column read whole (the route before the reduced read)."""
    constructs = dataset_constructs(dataset)
    tables = load_processed(dataset, tables=TABLES, columns=national.brief_columns(constructs))
    return national.brief_numbers(tables, constructs=constructs, dataset=dataset, **opts)


def shown(numbers: national.BriefNumbers) -> dict:
    """What the briefs show of the numbers, as plain objects."""
    out: dict = {"regions": numbers.regions}
    for theme, part in zip(national.THEMES, numbers.parts):
        out.update({f"{theme}:result:{k}": v for k, v in part.results.items()})
        out[f"{theme}:records"] = part.records
        out[f"{theme}:answers"] = part.answers
        out[f"{theme}:left_out"] = part.left_out
        out[f"{theme}:missing"] = (part.missing, part.too_few)
    return out


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--whole", action="store_true", help="read every brief column whole first (the old route)")
    args = ap.parse_args()
    opts = dict(lang="id", alpha=0.05, seed=2026, min_n=5)
    compute = whole if args.whole else national._compute
    m = measure(lambda: compute(args.dataset, **opts), profile=args.profile, trace=args.tracemalloc)
    route = "every brief column whole" if args.whole else "national._compute"
    print(m.line(f"brief numbers of {args.dataset} ({len(m.value.regions)} regions, {route})"))
    print({t: {k: len(v) for k, v in p.results.items()} for t, p in zip(national.THEMES, m.value.parts)})
    m.print_details()
    save_compare(shown(m.value), save=args.save, compare=args.compare)


if __name__ == "__main__":
    main()
