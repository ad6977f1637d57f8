"""Benchmark of the rewards (page 04) and satisfaction (page 05) sections and of the brief's rewards / IKM numbers on
a national dataset: time, peak memory, optional profile, results saved and compared value by value.

    .venv/bin/python /work/wt/bin/memcap 4.5 .venv/bin/python bench/rewards_bench.py --dataset nat1 --section rewards_model
    .venv/bin/python bench/rewards_bench.py --dataset nat1 --section satisfaction_ikm --profile      # cProfile top 30
    .venv/bin/python bench/rewards_bench.py --dataset nat1 --section rewards_by_region --tracemalloc  # allocation peak
    .venv/bin/python bench/rewards_bench.py --dataset nat1 --section brief_rewards --save old.pkl   # then --compare

Sections: ``rewards_model``, ``rewards_by_region`` (context of ``04_reward_effects``), ``satisfaction_ikm``,
``satisfaction_details`` (``05_public_satisfaction``), run as the notebook calls them (``kr.report.start``, every
region of the data); ``brief_rewards`` / ``brief_satisfaction``: ``national._rewards`` / ``national._satisfaction``
as :func:`kinerja_research.report.national.brief_numbers` calls them (``--in-memory``: on the tables read whole with
:func:`~kinerja_research.report.national.brief_columns`, the route before the batched one). Prints the wall and CPU
time, the process's peak resident memory (``ru_maxrss``), the load average before and after and the rows of each
result; ``--save FILE`` pickles ``{name: DataFrame}`` of the results, ``--compare FILE`` prints per result whether it
is identical and the largest absolute difference.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _section import measure, parser, save_compare  # noqa: E402

import kinerja_research as kr  # noqa: E402
from kinerja_research.analysis.frames import dataset_constructs  # noqa: E402
from kinerja_research.pipeline import TABLES, load_processed  # noqa: E402
from kinerja_research.report import national, sections  # noqa: E402

PAGES = {
    "rewards_model": "04_reward_effects",
    "rewards_by_region": "04_reward_effects",
    "satisfaction_ikm": "05_public_satisfaction",
    "satisfaction_details": "05_public_satisfaction",
    "brief_rewards": "region_brief",
    "brief_satisfaction": "region_brief",
}


def _run(args, ctx):
    if not args.section.startswith("brief_"):
        return getattr(sections, args.section)(ctx).results
    constructs = dataset_constructs(args.dataset)
    if args.in_memory:
        tables = load_processed(args.dataset, tables=TABLES, columns=national.brief_columns(constructs))
        dataset = None
    else:
        tables = load_processed(args.dataset, tables=TABLES, columns={t: ["region_code"] for t in TABLES})
        dataset = args.dataset
    opts = dict(alpha=ctx.alpha, lang=ctx.lang)
    if dataset is not None:
        opts["dataset"] = dataset
    if args.section == "brief_rewards":
        part = national._rewards(tables, constructs, **opts)
    else:
        part = national._satisfaction(tables, seed=ctx.seed, **opts)
    res = dict(part.results)
    res["records"] = pd.DataFrame(part.records)
    res["answers"] = part.answers
    return res


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--section", required=True, choices=sorted(PAGES))
    ap.add_argument("--in-memory", action="store_true", help="brief parts: the tables read whole (the old route)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        ctx = kr.report.start(PAGES[args.section], dataset=args.dataset, regions=args.regions, out_dir=out)
        m = measure(lambda: _run(args, ctx), profile=args.profile, trace=args.tracemalloc)
    results = m.value
    print(m.line(f"{args.section} on {args.dataset}"))
    print("results:", {k: len(v) for k, v in results.items()})
    m.print_details()
    save_compare(results, save=args.save, compare=args.compare)


if __name__ == "__main__":
    main()
