"""Run the report suite: (notebook × region) jobs executed by papermill in parallel, rendered, indexed, swapped in.

One job = one notebook executed with its parameters, rendered to HTML (and PDF when asked), with its own log. Jobs
run in worker processes (``concurrent.futures.ProcessPoolExecutor`` by default) or on a Dask cluster
(``--scheduler``); a failing job never stops the others.

Kernel start-up races (papermill issue #239: kernels started concurrently from several processes collide on TCP
ports and connection files) are avoided by construction and then retried:

- every job's kernel talks over IPC sockets in its own runtime folder (``KernelManager.transport = "ipc"``,
  ``JUPYTER_RUNTIME_DIR`` per job), so no TCP port is ever chosen and no two kernels share a file;
- worker processes are started with ``forkserver`` (never ``fork`` of a process holding ZMQ state);
- a kernel that dies before the first cell ran is started again (up to ``retries`` times, with a short jittered
  wait); a failure inside a cell is never retried;
- on Dask, each job runs in its own Python subprocess, so a multi-threaded worker cannot mix environments or logs.

Outputs go to a temporary sibling folder, renamed into place at the end: a reader never sees a half-written run.

Running on a Dask cluster (national runs: 514 kab/kota x the suite)::

    dask scheduler                                        # on one machine; prints tcp://10.0.0.5:8786
    dask worker tcp://10.0.0.5:8786 --nworkers 8          # on each worker machine
    kinerja report --all-regions --scheduler tcp://10.0.0.5:8786

Every worker needs the same environment (this package and the ``python3`` Jupyter kernel) and must see the
repository folder at the same path (shared file system such as NFS, or ``KINERJA_ROOT`` pointing at the same
mount): workers read ``notebooks/`` and ``data/processed/`` and write into the run's temporary folder under
``reports/``. Failure handling, logs, index and the atomic swap are the same as with local processes.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kinerja_research import paths
from kinerja_research.errors import KinerjaError
from kinerja_research.report.notebook import RUN_ID_ENV, STEM_ENV

__all__ = [
    "SUITE",
    "PER_REGION",
    "Job",
    "RunSummary",
    "run_suite",
    "plan_jobs",
    "suite_notebooks",
    "execute_job",
    "default_run_dir",
    "resolve_run_regions",
]

#: Notebooks run once per run, in this order.
SUITE = (
    "00_data_audit",
    "01_instrument_quality",
    "02_training_impact",
    "03_resistance_to_change",
    "04_reward_effects",
    "05_public_satisfaction",
    "10_region_comparison",
)
#: Notebooks run once per region.
PER_REGION = ("region_brief",)
KERNEL_NAME = "python3"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One notebook execution: what to run, with which parameters, where its outputs go."""

    notebook: str
    stem: str
    input_path: str
    parameters: dict
    work_dir: str
    run_id: str
    lang: str = "id"
    region: str | None = None
    pdf: bool = False
    retries: int = 2
    git: dict | None = None
    min_cell: int | None = None
    threads: int | None = None
    start_timeout: int = 120
    execution_timeout: int | None = None


@dataclass
class RunSummary:
    """Outcome of :func:`run_suite`."""

    run_dir: Path
    run_id: str
    jobs: list[dict] = field(default_factory=list)
    duration_s: float = 0.0
    pdf_message: str | None = None

    @property
    def failures(self) -> list[dict]:
        return [j for j in self.jobs if not j["ok"]]

    @property
    def ok(self) -> bool:
        return not self.failures


# ---------------------------------------------------------------------------------------------------------------------
# planning
def suite_notebooks(notebooks_dir: str | Path | None = None) -> list[str]:
    """Names of the suite notebooks present in ``notebooks_dir`` (default ``notebooks/``), in run order."""
    nb_dir = Path(notebooks_dir or paths.NOTEBOOKS)
    return [n for n in (*SUITE, *PER_REGION) if (nb_dir / f"{n}.ipynb").exists()]


def _data_regions(dataset: str) -> list[str]:
    """Region codes present in any processed table of ``dataset`` (reads only the ``region_code`` columns)."""
    import pyarrow.parquet as pq

    from kinerja_research.pipeline import TABLES, load_manifest

    load_manifest(dataset)  # raises one clear sentence when the dataset has not been cleaned
    p = Path(str(dataset))
    folder = p if (p.is_dir() and (p / "manifest.json").exists()) else paths.processed_dir(str(dataset))
    codes: set[str] = set()
    for t in TABLES:
        f = folder / f"{t}.parquet"
        if f.exists() and "region_code" in pq.read_schema(f).names:
            col = pq.read_table(f, columns=["region_code"]).column("region_code").to_pandas()
            codes.update(str(c) for c in col.dropna().unique())
    return sorted(codes)


def resolve_run_regions(dataset: str, regions: Sequence[str] | None = None, all_regions: bool = False) -> list[str]:
    """The regions of a run: ``regions`` (names or codes) resolved; every region in the data with ``all_regions``;
    otherwise the four default regions present in the data."""
    from kinerja_research.regions import resolve_region

    present = _data_regions(dataset)
    if regions and all_regions:
        raise KinerjaError("options --regions and --all-regions were both given; the rule is to choose one.")
    if all_regions:
        chosen = present
    elif regions:
        chosen = list(dict.fromkeys(resolve_region(r).code for r in regions))
        absent = [c for c in chosen if c not in present]
        if absent:
            raise KinerjaError(
                f"region(s) {absent} have no rows in dataset {dataset!r} (regions present: "
                f"{present}); the rule is that a report covers regions present in the data."
            )
    else:
        from kinerja_research.regions import DEFAULT_REGIONS

        chosen = [c for c in DEFAULT_REGIONS if c in present]
        if not chosen:
            raise KinerjaError(
                f"dataset {dataset!r} holds none of the default regions {list(DEFAULT_REGIONS)} "
                f"(regions present: {present[:10]}{' …' if len(present) > 10 else ''}); the rule is "
                f"to name them with --regions or use --all-regions."
            )
    if not chosen:
        raise KinerjaError(
            f"dataset {dataset!r} has no rows with a region_code; the rule is that reports are per region."
        )
    return chosen


def default_run_dir(dataset: str, lang: str) -> Path:
    """``reports/<dataset>-<lang>``: deterministic, so a re-run replaces the previous one."""
    return paths.REPORTS / f"{Path(str(dataset)).name}-{lang}"


def plan_jobs(
    *,
    dataset: str,
    regions: Sequence[str],
    lang: str,
    alpha: float,
    seed: int,
    work_dir: str | Path,
    run_id: str,
    notebooks: Sequence[str] | None = None,
    notebooks_dir: str | Path | None = None,
    pdf: bool = False,
    retries: int = 2,
    min_cell: int | None = None,
    threads: int | None = None,
) -> list[Job]:
    """The jobs of a run, in suite order: each suite notebook once, each per-region notebook once per region."""
    nb_dir = Path(notebooks_dir or paths.NOTEBOOKS).resolve()
    names = list(notebooks) if notebooks is not None else suite_notebooks(nb_dir)
    missing = [n for n in names if not (nb_dir / f"{n}.ipynb").exists()]
    if missing:
        raise KinerjaError(
            f"notebook(s) {missing} are not in '{nb_dir}'; the rule is that a run executes existing notebooks."
        )
    if not names:
        raise KinerjaError(
            f"no notebook of the suite is in '{nb_dir}'; the rule is that a run executes at least one "
            f"of {list(SUITE + PER_REGION)}."
        )
    from kinerja_research.report.provenance import git_commit

    base = {"dataset": str(dataset), "lang": lang, "alpha": float(alpha), "seed": int(seed), "out_dir": ""}
    git = git_commit()
    jobs = []
    for name in names:
        common = dict(
            notebook=name,
            input_path=str(nb_dir / f"{name}.ipynb"),
            work_dir=str(work_dir),
            run_id=run_id,
            lang=lang,
            pdf=pdf,
            retries=retries,
            git=git,
            min_cell=min_cell,
            threads=threads,
        )
        if name in PER_REGION:
            for code in regions:
                jobs.append(Job(stem=f"{name}_{code}", parameters={**base, "regions": [code]}, region=code, **common))
        else:
            jobs.append(Job(stem=name, parameters={**base, "regions": list(regions)}, **common))
    return jobs


# ---------------------------------------------------------------------------------------------------------------------
# one job (runs in a worker process)
def _cells_started(nb_path: Path) -> int:
    """How many cells of a (partly) executed notebook started running (0 when the kernel never ran a cell)."""
    try:
        import nbformat

        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:
        return 0
    return sum(1 for c in nb.cells if (c.metadata.get("papermill") or {}).get("start_time"))


def _title(job: Job, work: Path) -> str:
    head = work / f"{job.stem}.headline.json"
    title = None
    if head.exists():
        try:
            title = json.loads(head.read_text(encoding="utf-8")).get("title")
        except ValueError:
            title = None
    if not title:
        from kinerja_research.report.i18n import translator

        t = translator(job.lang)
        key = f"common.nb.{job.notebook}"
        title = t(key) if key in t else job.notebook
    if job.region:
        from kinerja_research.report.render import _region_names

        title = f"{title}: {_region_names([job.region])[0]}"
    return title


def execute_job(job: Job | dict) -> dict:
    """Execute one job: papermill (with kernel start retries), then HTML (and PDF); returns a JSON-able result.

    Never raises for a notebook's own failure: the result has ``ok=False`` and ``error`` = ``{cell, exec_count,
    ename, evalue, traceback}``; the executed notebook stays at ``<work_dir>/<stem>.ipynb``.
    """
    if isinstance(job, dict):
        job = Job(**job)
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    t0 = time.perf_counter()
    work = Path(job.work_dir)
    (work / "logs").mkdir(parents=True, exist_ok=True)
    log_path = work / "logs" / f"{job.stem}.log"
    out_nb = work / f"{job.stem}.ipynb"
    runtime = tempfile.mkdtemp(prefix="kr-rt-")  # short path: IPC socket names must stay under 108 bytes
    from kinerja_research.report.provenance import GIT_ENV
    from kinerja_research.report.tables import MIN_N_ENV

    saved_threads = {v for v in _THREAD_VARS if os.environ.get(v)}  # the user's own setting wins
    saved = {
        k: os.environ.get(k)
        for k in (STEM_ENV, RUN_ID_ENV, "JUPYTER_RUNTIME_DIR", "MPLBACKEND", GIT_ENV, MIN_N_ENV, *_THREAD_VARS)
    }
    os.environ.update({STEM_ENV: job.stem, RUN_ID_ENV: job.run_id, "JUPYTER_RUNTIME_DIR": runtime})
    if job.git is not None:
        os.environ[GIT_ENV] = json.dumps(job.git)
    if job.min_cell is not None:
        os.environ[MIN_N_ENV] = str(job.min_cell)
    for var in _THREAD_VARS:  # cores shared by the workers: no oversubscription by BLAS/OpenMP threads
        if job.threads is not None and var not in saved_threads:
            os.environ[var] = str(job.threads)
    os.environ.pop("MPLBACKEND", None)
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    pm_log = logging.getLogger("papermill")
    old_level, old_propagate = pm_log.level, pm_log.propagate
    pm_log.addHandler(handler)
    pm_log.setLevel(logging.INFO)
    pm_log.propagate = False
    error: dict | None = None
    attempts = 0
    # The kernel inherits this process's stdout/stderr: send them to the job's log, not the user's terminal.
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds = (os.dup(1), os.dup(2))
    log_fd = os.open(log_path.with_suffix(".kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    try:
        pm_log.info("job %s: notebook %s, parameters %s", job.stem, job.input_path, json.dumps(job.parameters))
        while True:
            attempts += 1
            config = Config()
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = os.path.join(runtime, f"k{attempts}")
            try:
                pm.execute_notebook(
                    job.input_path,
                    str(out_nb),
                    parameters=job.parameters,
                    kernel_name=KERNEL_NAME,
                    progress_bar=False,
                    log_output=True,
                    start_timeout=job.start_timeout,
                    execution_timeout=job.execution_timeout,
                    cwd=str(work),
                    config=config,
                    shutdown_kernel="immediate",
                )
                error = None
                break
            except PapermillExecutionError as exc:
                error = {
                    "cell": exc.cell_index,
                    "exec_count": exc.exec_count,
                    "ename": exc.ename,
                    "evalue": exc.evalue,
                    "traceback": _ANSI.sub("", "\n".join(exc.traceback or [])),
                }
                break
            except Exception as exc:  # kernel died / did not start / ZMQ error / papermill I/O error
                started = _cells_started(out_nb)
                if started == 0 and attempts <= job.retries:
                    pm_log.warning(
                        "kernel start failed (%s: %s); retry %d of %d", type(exc).__name__, exc, attempts, job.retries
                    )
                    time.sleep(0.5 * attempts + random.random())
                    continue
                error = {
                    "cell": None,
                    "exec_count": None,
                    "ename": type(exc).__name__,
                    "evalue": str(exc),
                    "traceback": traceback.format_exc(),
                }
                break
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in (*saved_fds, log_fd):
            os.close(fd)
        kernel_log = log_path.with_suffix(".kernel.log")
        if kernel_log.exists() and kernel_log.stat().st_size == 0:
            kernel_log.unlink()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(runtime, ignore_errors=True)
    html_name = pdf_name = None
    pdf_error = None
    if error is None:
        try:
            from kinerja_research.report.render import render_html

            render_html(out_nb, work / f"{job.stem}.html", title=_title(job, work), lang=job.lang)
            html_name = f"{job.stem}.html"
        except Exception as exc:
            error = {
                "cell": None,
                "exec_count": None,
                "ename": type(exc).__name__,
                "evalue": f"rendering to HTML failed: {exc}",
                "traceback": traceback.format_exc(),
            }
    if error is None and job.pdf:
        try:
            from kinerja_research.report.render import print_pdf

            print_pdf(work / html_name, work / f"{job.stem}.pdf")
            pdf_name = f"{job.stem}.pdf"
        except Exception as exc:
            pdf_error = str(exc)
            pm_log.error("PDF not written: %s", exc)
    duration = time.perf_counter() - t0
    if error is None:
        pm_log.info("job %s finished in %.1f s (%d kernel start(s))", job.stem, duration, attempts)
    else:
        pm_log.error(
            "job %s FAILED at cell %s: %s: %s\n%s",
            job.stem,
            error["cell"],
            error["ename"],
            error["evalue"],
            error.get("traceback", ""),
        )
    pm_log.removeHandler(handler)
    pm_log.setLevel(old_level)
    pm_log.propagate = old_propagate
    handler.close()
    return {
        "stem": job.stem,
        "notebook": job.notebook,
        "region": job.region,
        "ok": error is None,
        "error": error,
        "html": html_name,
        "pdf": pdf_name,
        "pdf_error": pdf_error,
        "duration_s": duration,
        "attempts": attempts,
    }


def _execute_isolated(job: dict) -> dict:
    """Run :func:`execute_job` in a fresh Python process (used on Dask workers, which are multi-threaded)."""
    proc = subprocess.run(
        [sys.executable, "-m", "kinerja_research.report.runner"], input=json.dumps(job), capture_output=True, text=True
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {
            "stem": job["stem"],
            "notebook": job["notebook"],
            "region": job.get("region"),
            "ok": False,
            "error": {
                "cell": None,
                "exec_count": None,
                "ename": "WorkerError",
                "evalue": (proc.stderr.strip().splitlines() or ["job process failed"])[-1],
                "traceback": proc.stderr,
            },
            "html": None,
            "pdf": None,
            "pdf_error": None,
            "duration_s": 0.0,
            "attempts": 0,
        }
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------------------------------------------------
# the run
def _worker_init() -> None:
    """Worker process set-up: import papermill and nbconvert once, without a slow optional import.

    ``jsonschema`` (through ``nbformat``) imports ``rfc3987_syntax`` when installed, which compiles a grammar for
    about two seconds; it only serves the ``iri`` string format, which notebook validation never uses. Worker
    processes (never the user's session) mark it absent so each worker starts in a fraction of that time.
    """
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


def _mp_context():
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["kinerja_research.report.runner"])
    return ctx


def _results(executor, jobs: list[Job]):
    """Yield (job, result) as jobs finish, for a concurrent.futures executor or a dask.distributed Client."""
    if hasattr(executor, "gather") and hasattr(executor, "scheduler_info"):  # dask.distributed.Client
        from distributed import as_completed

        futures = {
            executor.submit(_execute_isolated, asdict(j), pure=False, key=f"kinerja-{j.run_id}-{j.stem}"): j
            for j in jobs
        }
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                yield job, fut.result()
            except Exception as exc:
                yield job, _crashed(job, exc)
    else:
        from concurrent.futures import as_completed

        futures = {executor.submit(execute_job, j): j for j in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                yield job, fut.result()
            except Exception as exc:  # the worker process itself died
                yield job, _crashed(job, exc)


def _crashed(job: Job, exc: BaseException) -> dict:
    return {
        "stem": job.stem,
        "notebook": job.notebook,
        "region": job.region,
        "ok": False,
        "error": {
            "cell": None,
            "exec_count": None,
            "ename": type(exc).__name__,
            "evalue": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
        },
        "html": None,
        "pdf": None,
        "pdf_error": None,
        "duration_s": 0.0,
        "attempts": 0,
    }


def check_run_dir(final: Path) -> None:
    """Refuse a run folder whose replacement would destroy something that is not a report run of ours.

    A run replaces its folder as a whole, so the folder must be new, empty, or an earlier run (it has ``run.json``);
    and it must not be, contain or sit inside ``data/`` (raw or processed data).
    """
    data = paths.DATA.resolve()
    if final == data or data.is_relative_to(final) or final.is_relative_to(data):
        raise KinerjaError(
            f"Report folder '{final}' overlaps the data folder '{data}'; the rule is that reports are "
            "written outside data/ (a run replaces its folder as a whole)."
        )
    if final.exists() and (not final.is_dir() or (any(final.iterdir()) and not (final / "run.json").is_file())):
        raise KinerjaError(
            f"Report folder '{final}' already holds files that are not a report run (no run.json); "
            "the rule is a new, empty or earlier run folder, since a run replaces its folder as a whole."
        )


def _swap_into_place(tmp: Path, final: Path, run_id: str) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{run_id}")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _publish_top_level(run_dir: Path, summary: dict, lang: str) -> None:
    """Copy the newest run's pages to ``reports/`` and rewrite ``reports/index.html``."""
    from kinerja_research.report.render import write_reports_index

    reports = run_dir.parent
    for j in summary["jobs"]:
        for name in (j.get("html"), j.get("pdf")):
            if name:
                tmp = reports / f".{name}.tmp"
                shutil.copyfile(run_dir / name, tmp)
                os.replace(tmp, reports / published_name(name))
    write_reports_index(reports, newest=run_dir.name, lang=lang)


def published_name(name: str) -> str:
    """Name of a page copied to ``reports/``: without the run-order prefix (``10_region_comparison.html`` ->
    ``region_comparison.html``)."""
    import re

    return re.sub(r"^\d{2}_", "", name)


def failure_lines(summary: RunSummary) -> list[str]:
    """One line per failed job: notebook, cell, error, where the executed notebook and log are."""
    lines = []
    for j in summary.failures:
        err = j["error"] or {}
        cell = f"cell {err['cell']} (In [{err['exec_count']}])" if err.get("cell") is not None else "kernel/start-up"
        kept = summary.run_dir / f"{j['stem']}.ipynb"
        log_file = summary.run_dir / "logs" / f"{j['stem']}.log"
        lines.append(
            f"{j['stem']} failed at {cell}: {err.get('ename')}: {err.get('evalue')} — executed notebook "
            f"kept at {kept}, log {log_file}"
        )
    return lines


def run_suite(
    *,
    dataset: str = paths.DEFAULT_DATASET,
    regions: Sequence[str] | None = None,
    all_regions: bool = False,
    lang: str = "id",
    workers: int | None = None,
    out: str | Path | None = None,
    pdf: bool = False,
    scheduler: str | None = None,
    executor=None,
    notebooks: Sequence[str] | None = None,
    notebooks_dir: str | Path | None = None,
    alpha: float = 0.05,
    seed: int = paths.DEFAULT_SEED,
    retries: int = 2,
    min_cell: int | None = None,
    progress: bool = True,
    publish: bool | None = None,
    echo=None,
) -> RunSummary:
    """Execute the report suite and write ``<out>/`` (default ``reports/<dataset>-<lang>``) atomically.

    Parameters
    ----------
    dataset : str
        Processed dataset name or folder.
    regions : list of str, optional
        Region names or codes; default the four default regions present in the data.
    all_regions : bool
        Every region present in the data.
    lang : {"id", "en"}
    workers : int, optional
        Worker processes (default: number of cores, at most the number of jobs).
    out : path, optional
        Run folder; default ``reports/<dataset>-<lang>``.
    pdf : bool
        Also print every page to PDF with headless Chromium.
    scheduler : str, optional
        Address of a Dask distributed scheduler; jobs run there instead of local processes.
    executor : concurrent.futures.Executor or distributed.Client, optional
        Run jobs on this executor (overrides ``workers``/``scheduler``).
    notebooks : list of str, optional
        Subset of notebooks (default every suite notebook present in ``notebooks_dir``).
    min_cell : int, optional
        Small-cell threshold for every report of the run (default 5, :data:`privacy.MIN_CELL_N`).
    publish : bool, optional
        Copy the pages to ``reports/`` and refresh ``reports/index.html`` (default: when the run folder is directly
        inside ``reports/``).

    Returns
    -------
    RunSummary
        ``ok`` is False when any job failed; :func:`failure_lines` describes each failure.
    """
    from kinerja_research.report.i18n import check_lang
    from kinerja_research.report.render import find_chromium, write_index

    echo = echo or (lambda msg: print(msg, file=sys.stderr))
    check_lang(lang)
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise KinerjaError(f"option --alpha is {alpha!r}; the rule is 0 < alpha < 1.")
    if workers is not None and workers < 1:
        raise KinerjaError(f"option --workers is {workers}; the rule is at least 1.")
    if min_cell is not None and min_cell < 1:
        raise KinerjaError(f"option --min-cell is {min_cell}; the rule is at least 1.")
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    chosen = resolve_run_regions(dataset, regions, all_regions)
    pdf_message = None
    if pdf and find_chromium() is None:
        pdf_message = (
            "PDFs were not made: headless Chromium is not installed (Debian: `sudo apt-get install "
            "chromium`; or set KINERJA_CHROMIUM to its path). The HTML reports were written."
        )
        pdf = False
    final = Path(out) if out else default_run_dir(dataset, lang)
    final = final.resolve()
    check_run_dir(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.tmp-{run_id}")
    (tmp / "logs").mkdir(parents=True)
    try:
        local = executor is None and not scheduler
        n_workers = workers or os.cpu_count() or 1
        threads = max(1, (os.cpu_count() or 1) // n_workers) if local else None
        jobs = plan_jobs(
            dataset=dataset,
            regions=chosen,
            lang=lang,
            alpha=alpha,
            seed=seed,
            work_dir=tmp,
            run_id=run_id,
            notebooks=notebooks,
            notebooks_dir=notebooks_dir,
            pdf=pdf,
            retries=retries,
            min_cell=min_cell,
            threads=threads,
        )
        results: dict[str, dict] = {}
        own = None
        if executor is None:
            if scheduler:
                from distributed import Client

                try:
                    own = executor = Client(scheduler, timeout="30s")
                except (OSError, TimeoutError) as exc:
                    raise KinerjaError(
                        f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); the rule is an "
                        f"address such as tcp://host:8786 of a running scheduler."
                    ) from None
            else:
                from concurrent.futures import ProcessPoolExecutor

                n = min(workers or os.cpu_count() or 1, len(jobs))
                own = executor = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(), initializer=_worker_init)
        try:
            bar = _progress(progress, len(jobs))
            with bar as (advance):
                for job, res in _results(executor, jobs):
                    results[job.stem] = res
                    mark = "ok" if res["ok"] else "FAILED"
                    advance(f"{job.stem}: {mark} ({res['duration_s']:.1f} s)")
        finally:
            if own is not None:
                (own.close() if hasattr(own, "scheduler_info") else own.shutdown(wait=True, cancel_futures=True))
        ordered = [results[j.stem] for j in jobs]
        run_time = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        write_index(tmp, ordered, lang=lang, dataset=str(dataset), regions=chosen, run_id=run_id, run_time=run_time)
        meta = {
            "run_id": run_id,
            "dataset": str(dataset),
            "lang": lang,
            "regions": chosen,
            "alpha": alpha,
            "seed": seed,
            "min_cell": min_cell,
            "run_time": run_time,
            "duration_s": time.perf_counter() - t0,
            "jobs": [{k: v for k, v in r.items() if k != "error"} | {"error": _short(r["error"])} for r in ordered],
        }
        (tmp / "run.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(tmp, final, run_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if publish is None:
        publish = final.parent == paths.REPORTS.resolve()
    if publish:
        _publish_top_level(final, meta, lang)
    summary = RunSummary(
        run_dir=final, run_id=run_id, jobs=ordered, duration_s=time.perf_counter() - t0, pdf_message=pdf_message
    )
    return summary


def _short(error: dict | None) -> dict | None:
    if error is None:
        return None
    return {k: error.get(k) for k in ("cell", "exec_count", "ename", "evalue")}


class _progress:
    """Rich progress bar on stderr (or plain lines when ``enabled`` is False or stderr is not a terminal)."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total, self.done = enabled, total, 0
        self._bar = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            self._bar = Progress(
                TextColumn("[bold]reports"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=console,
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=self.total)

        def advance(msg: str) -> None:
            self.done += 1
            if self._bar is not None:
                self._bar.console.print(f"  {msg}")
                self._bar.update(self._task, advance=1, description="")
            log.info(msg)

        return advance

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False


def _main() -> None:
    """Job process entry point: one job as JSON on stdin, its result as one JSON line on stdout."""
    job = json.loads(sys.stdin.read())
    _worker_init()
    print(json.dumps(execute_job(job)))


if __name__ == "__main__":
    _main()
