"""Run the report suite: (notebook × region) jobs executed by papermill in parallel, protected, rendered, indexed.

A run has three phases:

1. **execute** -- each job (one notebook with its parameters) runs in a worker process (``ProcessPoolExecutor`` by
   default, or a Dask cluster with ``--scheduler``) with its own log; a failing job never stops the others. The
   parameters cell is the only channel to the notebook: ``dataset, regions, lang, alpha, seed, min_cell, style,
   out_dir`` (no environment variable carries anything to it). Each job writes into its own folder; the runner
   names the outputs after the job (``region_brief_18.71.headline.json``) and makes the executed notebook
   deterministic (positional cell ids, no timing metadata), so two runs on the same inputs give identical
   ``.ipynb`` files apart from the provenance block's run time and duration.
2. **protect** -- the counts every page published (its headline JSON's ``counts``) are checked together: a cell
   withheld on one page and recoverable with another page's totals is protected by withholding more cells, in the
   executed notebooks, the headline JSON and the ``.xlsx`` alike (:mod:`kinerja_research.report.suppress`).
3. **render** -- HTML pages (and PDFs with ``--pdf``) in the workers, then the run's index (answers to the four
   questions, pages, notebooks not run on these data with the reason, failures).

Per-region pages (the region briefs: 514 at national scale) run in batches of up to :data:`BATCH_SIZE` regions per
worker process, not in a kernel each: the worker executes each region's notebook in its own process
(:mod:`kinerja_research.report.batch`, the same parameterised notebook and outputs as papermill's), reads the
batch's regions' rows once (:func:`pipeline.hold_tables`) and the country's brief numbers once per run
(:mod:`kinerja_research.report.national`); the pages are identical to one kernel per region (``kernels=True``,
``kinerja report --kernels``).

Only notebooks whose declared needs (``metadata.kinerja.needs``) the processed dataset meets are run
(:mod:`kinerja_research.report.needs`); ``metadata.kinerja.per_region`` makes a notebook run once per region.

Outputs go to a temporary sibling folder, swapped into place at the end (``_io.swap_into_place``, the one swap and
recovery of the package): a reader never sees a half-written run.
The folder is refused unless it is new, empty, or an earlier run of ``kinerja report`` on the same dataset whose
``run.json`` lists every file in it (a file someone else put there is never deleted). One run per folder at a time
(a lock); a run killed at any moment leaves no process behind (:mod:`kinerja_research.report.procs`), and the next
run removes its temporary folder and, if it died between the two renames of the swap, puts the last good run back
(``<name>.previous``).

Kernel start-up races (papermill issue #239) are avoided by construction and then retried: every kernel talks over
IPC sockets in its own runtime folder; workers are started with ``forkserver``; a kernel that dies before the first
cell ran is started again (up to ``retries`` times); a failure inside a cell is never retried.

Running on a Dask cluster (national runs: 514 kab/kota x the suite)::

    dask scheduler                                        # on one machine; prints tcp://10.0.0.5:8786
    dask worker tcp://10.0.0.5:8786 --nworkers 8          # on each worker machine
    kinerja report --all-regions --scheduler tcp://10.0.0.5:8786

Every worker needs the same environment and must see the repository folder at the same path (shared file system, or
``KINERJA_ROOT`` pointing at the same mount).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kinerja_research import paths
from kinerja_research._io import previous_of, recover_swap, remove_stale_temps, swap_into_place, temp_sibling
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import TABLES, hold_tables, load_manifest
from kinerja_research.regions import DEFAULT_REGIONS, resolve_region
from kinerja_research.report import batch, export, national, suppress
from kinerja_research.report.i18n import check_lang, translator
from kinerja_research.report.needs import dataset_contents, notebook_needs, processed_folder, unmet
from kinerja_research.report.procs import worker_setup
from kinerja_research.report.provenance import git_commit
from kinerja_research.report.render import (
    STYLES,
    find_chromium,
    href,
    print_pdf,
    published_name,
    region_names,
    render_html,
    write_index,
    write_reports_index,
)

__all__ = [
    "SUITE",
    "PER_REGION",
    "COMMAND",
    "Job",
    "RunSummary",
    "run_suite",
    "plan_jobs",
    "plan_run",
    "suite_notebooks",
    "execute_job",
    "execute_batch",
    "render_job",
    "render_batch",
    "batches",
    "BATCH_SIZE",
    "job_environment",
    "protect_run",
    "default_run_dir",
    "resolve_run_regions",
    "check_run_dir",
    "recover_run_dir",
    "failure_lines",
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
#: Per-region notebooks run once per region when their metadata does not say (``kinerja.per_region``).
PER_REGION = ("region_brief",)
#: At most this many per-region pages per batch (one worker process executes them in turn, without kernels).
BATCH_SIZE = 64
#: What ``run.json`` names as the writer of a run folder.
COMMAND = "kinerja report"
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
    threads: int | None = None
    start_timeout: int = 120
    execution_timeout: int | None = None

    @property
    def job_dir(self) -> Path:
        """The job's own working folder (the kernel's current directory, where the notebook writes its files)."""
        return Path(self.work_dir) / ".jobs" / self.stem


@dataclass
class RunSummary:
    """Outcome of :func:`run_suite`."""

    run_dir: Path
    run_id: str
    jobs: list[dict] = field(default_factory=list)
    duration_s: float = 0.0
    pdf_message: str | None = None
    skipped: list[dict] = field(default_factory=list)

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
    load_manifest(dataset)  # raises one clear sentence when the dataset has not been cleaned
    folder = processed_folder(dataset)
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


def dataset_argument(dataset: str | os.PathLike) -> str:
    """The dataset as the notebooks receive it: a folder given by path (relative to where the command runs) as an
    absolute path, so every kernel finds it from its own folder; a name unchanged."""
    text = str(dataset)
    p = Path(text).expanduser()
    if p.is_dir() or os.sep in text or text.startswith("."):
        return str(p.resolve())
    return text


def notebook_metadata(path: str | Path) -> dict:
    """The ``metadata`` of a notebook file (read as JSON; no nbformat import in the command's process)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")).get("metadata") or {}
    except (OSError, ValueError) as exc:
        raise KinerjaError(
            f"notebook '{path}' cannot be read as a notebook ({exc}); the rule is a .ipynb file."
        ) from None


def plan_run(
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
    min_cell: int = 5,
    style: str = "standard",
    threads: int | None = None,
    contents=None,
) -> tuple[list[Job], list[dict]]:
    """The jobs of a run, in suite order, and the notebooks left out because the data do not meet their needs.

    Each notebook runs once, or once per region when its metadata says ``kinerja.per_region`` (default: the
    notebooks of :data:`PER_REGION`). With ``contents`` (:func:`kinerja_research.report.needs.dataset_contents`), a
    notebook whose ``kinerja.needs`` the data do not meet is not planned but returned as ``{"notebook", "reasons":
    [[translation key, values]]}``.
    """
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
    base = {
        "dataset": str(dataset),
        "lang": lang,
        "alpha": float(alpha),
        "seed": int(seed),
        "min_cell": int(min_cell),
        "style": style,
        "out_dir": "",
    }
    jobs: list[Job] = []
    skipped: list[dict] = []
    for name in names:
        path = nb_dir / f"{name}.ipynb"
        needs = notebook_needs(notebook_metadata(path))
        if contents is not None:
            reasons = unmet(needs, contents)
            if reasons:
                skipped.append({"notebook": name, "reasons": [[k, v] for k, v in reasons]})
                continue
        per_region = needs["per_region"] if needs["per_region"] is not None else name in PER_REGION
        common = dict(
            notebook=name,
            input_path=str(path),
            work_dir=str(work_dir),
            run_id=run_id,
            lang=lang,
            pdf=pdf,
            retries=retries,
            threads=threads,
        )
        if per_region:
            for code in regions:
                jobs.append(Job(stem=f"{name}_{code}", parameters={**base, "regions": [code]}, region=code, **common))
        else:
            jobs.append(Job(stem=name, parameters={**base, "regions": list(regions)}, **common))
    return jobs, skipped


def plan_jobs(**kwargs) -> list[Job]:
    """The jobs of a run (:func:`plan_run` without the needs check)."""
    return plan_run(**kwargs)[0]


# ---------------------------------------------------------------------------------------------------------------------
# one job (runs in a worker process)
def _cells_started(nb_path: Path) -> int:
    """How many cells of a (partly) executed notebook started running (0 when the kernel never ran a cell)."""
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return sum(1 for c in nb.get("cells", []) if ((c.get("metadata") or {}).get("papermill") or {}).get("start_time"))


@dataclass
class _JobIO:
    runtime: str
    log: logging.Logger


@contextlib.contextmanager
def job_environment(job: Job, log_path: Path):
    """The process set-up of one job, undone on exit: a private Jupyter runtime folder (IPC sockets), BLAS/OpenMP
    threads per worker (unless the user set them), the default matplotlib backend, papermill's log into
    ``logs/<stem>.log``, and the kernel's stdout/stderr into ``logs/<stem>.kernel.log`` (removed when empty).
    Nothing here reaches the notebook's logic: its only input is the parameters cell."""
    runtime = tempfile.mkdtemp(prefix="kr-rt-")  # short path: IPC socket names must stay under 108 bytes
    user_threads = {v for v in _THREAD_VARS if os.environ.get(v)}  # the user's own setting wins
    saved = {k: os.environ.get(k) for k in ("JUPYTER_RUNTIME_DIR", "MPLBACKEND", *_THREAD_VARS)}
    os.environ["JUPYTER_RUNTIME_DIR"] = runtime
    for var in _THREAD_VARS:  # cores shared by the workers: no oversubscription by BLAS/OpenMP threads
        if job.threads is not None and var not in user_threads:
            os.environ[var] = str(job.threads)
    os.environ.pop("MPLBACKEND", None)
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    pm_log = logging.getLogger("papermill")
    old_level, old_propagate = pm_log.level, pm_log.propagate
    pm_log.addHandler(handler)
    pm_log.setLevel(logging.INFO)
    pm_log.propagate = False
    # The kernel inherits this process's stdout/stderr: send them to the job's log, not the user's terminal.
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds = (os.dup(1), os.dup(2))
    kernel_log = log_path.with_suffix(".kernel.log")
    log_fd = os.open(kernel_log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    try:
        yield _JobIO(runtime=runtime, log=pm_log)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in (*saved_fds, log_fd):
            os.close(fd)
        if kernel_log.exists() and kernel_log.stat().st_size == 0:
            kernel_log.unlink()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(runtime, ignore_errors=True)
        pm_log.removeHandler(handler)
        pm_log.setLevel(old_level)
        pm_log.propagate = old_propagate
        handler.close()


def _error(exc: BaseException, ename: str | None = None) -> dict:
    return {
        "cell": None,
        "exec_count": None,
        "ename": ename or type(exc).__name__,
        "evalue": str(exc),
        "traceback": "".join(traceback.format_exception(exc)),
    }


#: While a notebook runs in a kernel, its partly executed notebook is written at most this often (seconds).
SAVE_EVERY = 30.0
_ENGINE = "kinerja-nbclient"


def _register_engine() -> str:
    """Register (once per process) papermill's nbclient engine with a notebook manager that writes the executed
    notebook when execution ends (and at most every :data:`SAVE_EVERY` seconds while a long cell runs), not at the
    start and end of every cell as papermill's does: each write copies, validates and serialises the whole notebook
    with its embedded figures (36 ms for a small page, more for a large one), two per cell. The notebook written at
    the end is the same object, so the file is identical; a kernel that dies still leaves the notebook as far as it
    ran (the manager's ``notebook_complete`` runs in papermill's ``finally``)."""
    # Imported in the worker (lazy): papermill costs 2-6 s to import (nbformat -> jsonschema), which the command's own
    # process should not pay; workers import it once at start-up (_worker_init).
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return _ENGINE

    class Manager(NotebookExecutionManager):
        final = False

        def save(self, **kwargs):
            if self.final or (self.now() - self.last_save_time).total_seconds() >= SAVE_EVERY:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self.final = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kw
        ):
            nb_man = Manager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kw)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(_ENGINE, Engine)
    return _ENGINE


def _execute(job: Job, out_nb: Path, io: _JobIO) -> tuple[dict | None, int]:
    """papermill with kernel start retries: ``(error or None, attempts)``."""
    # Imported in the worker (lazy) (measured cost: see _register_engine).
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    engine = _register_engine()

    attempts = 0
    while True:
        attempts += 1
        config = Config()
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(io.runtime, f"k{attempts}")
        try:
            pm.execute_notebook(
                job.input_path,
                str(out_nb),
                parameters=job.parameters,
                engine_name=engine,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=True,
                start_timeout=job.start_timeout,
                execution_timeout=job.execution_timeout,
                cwd=str(job.job_dir),
                config=config,
                shutdown_kernel="immediate",
            )
            return None, attempts
        except PapermillExecutionError as exc:
            return {
                "cell": exc.cell_index,
                "exec_count": exc.exec_count,
                "ename": exc.ename,
                "evalue": exc.evalue,
                "traceback": _ANSI.sub("", "\n".join(exc.traceback or [])),
            }, attempts
        except Exception as exc:  # kernel died / did not start / ZMQ error / papermill I/O error
            if _cells_started(out_nb) == 0 and attempts <= job.retries:
                io.log.warning(
                    "kernel start failed (%s: %s); retry %d of %d", type(exc).__name__, exc, attempts, job.retries
                )
                time.sleep(0.5 * attempts + random.random())
                continue
            return _error(exc), attempts


def _write_notebook_json(path: Path, nb: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


_KERNEL_TMP = re.compile(re.escape(tempfile.gettempdir().rstrip(os.sep)) + r"/ipykernel_\d+/")


def _drop_kernel_pid(output: dict) -> dict:
    """``/tmp/ipykernel_12345/2084996407.py`` in a warning or traceback -> ``ipykernel/2084996407.py``: a cell's file
    name is a fixed hash of its code; only the kernel's process id varied. Only stream and error outputs are read (a
    plain search, linear in the text: outputs hold large embedded images)."""
    if output.get("output_type") == "stream" and "ipykernel_" in "".join(output.get("text", "")):
        text = output["text"]
        output["text"] = (
            [_KERNEL_TMP.sub("ipykernel/", t) for t in text]
            if isinstance(text, list)
            else (_KERNEL_TMP.sub("ipykernel/", text))
        )
    elif output.get("output_type") == "error":
        output["traceback"] = [_KERNEL_TMP.sub("ipykernel/", t) for t in output.get("traceback", [])]
    return output


def normalise_executed(path: Path) -> None:
    """Make an executed notebook identical between runs on the same inputs: positional cell ids, no execution or
    papermill timing metadata, no kernel process ids in warnings and tracebacks (only the provenance block's run
    time and duration remain)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for i, cell in enumerate(nb.get("cells", [])):
        cell["id"] = f"cell-{i}"
        for output in cell.get("outputs", []):
            _drop_kernel_pid(output)
        meta = cell.setdefault("metadata", {})
        meta.pop("execution", None)
        pm_meta = meta.get("papermill")
        if isinstance(pm_meta, dict):
            for k in ("start_time", "end_time", "duration"):
                pm_meta.pop(k, None)
    pm_meta = (nb.get("metadata") or {}).get("papermill")
    if isinstance(pm_meta, dict):
        for k in ("start_time", "end_time", "duration", "input_path", "output_path"):
            pm_meta.pop(k, None)
    _write_notebook_json(path, nb)


def execute_job(job: Job | dict, *, in_process: bool = False) -> dict:
    """Execute one job in its own folder; name its outputs after the job; returns a JSON-able result.

    Never raises for a notebook's own failure: the result has ``ok=False`` and ``error`` = ``{cell, exec_count,
    ename, evalue, traceback}``; the executed notebook stays at ``<work_dir>/<stem>.ipynb``. ``in_process``: the
    notebook runs in this process (:func:`kinerja_research.report.batch.run_notebook`), not in a kernel.
    """
    if isinstance(job, dict):
        job = Job(**job)
    t0 = time.perf_counter()
    work = Path(job.work_dir)
    (work / "logs").mkdir(parents=True, exist_ok=True)
    job.job_dir.mkdir(parents=True, exist_ok=True)
    log_path = work / "logs" / f"{job.stem}.log"
    out_nb = work / f"{job.stem}.ipynb"
    with job_environment(job, log_path) as io:
        io.log.info("job %s: notebook %s, parameters %s", job.stem, job.input_path, json.dumps(job.parameters))
        error, attempts = _execute_here(job, out_nb) if in_process else _execute(job, out_nb, io)
        normalise_executed(out_nb)
        xlsx = None
        for suffix in (".headline.json", ".xlsx"):
            made = job.job_dir / f"{job.notebook}{suffix}"
            if made.exists():
                os.replace(made, work / f"{job.stem}{suffix}")
                xlsx = f"{job.stem}.xlsx" if suffix == ".xlsx" else xlsx
        if error is None and not (work / f"{job.stem}.headline.json").exists():
            error = {
                "cell": None,
                "exec_count": None,
                "ename": "NoHeadline",
                "evalue": "the notebook ended without ctx.finish(), so it wrote no headline JSON",
                "traceback": "",
            }
        duration = time.perf_counter() - t0
        if error is None:
            how = "in the batch's process" if in_process else f"{attempts} kernel start(s)"
            io.log.info("job %s executed in %.1f s (%s)", job.stem, duration, how)
        else:
            io.log.error(
                "job %s FAILED at cell %s: %s: %s\n%s",
                job.stem,
                error["cell"],
                error["ename"],
                error["evalue"],
                error.get("traceback", ""),
            )
    shutil.rmtree(job.job_dir, ignore_errors=True)
    return {
        "stem": job.stem,
        "notebook": job.notebook,
        "region": job.region,
        "ok": error is None,
        "error": error,
        "html": None,
        "pdf": None,
        "xlsx": xlsx,
        "pdf_error": None,
        "duration_s": duration,
        "attempts": attempts,
    }


def _execute_here(job: Job, out_nb: Path) -> tuple[dict | None, int]:
    """The notebook executed in this process: ``(error or None, 1)``."""
    try:
        error = batch.run_notebook(
            job.input_path, out_nb, parameters=job.parameters, cwd=job.job_dir, kernel_name=KERNEL_NAME
        )
    except Exception as exc:  # the notebook could not be read or parameterised
        error = _error(exc)
    if error is not None:
        error["traceback"] = _ANSI.sub("", error.get("traceback") or "")
    return error, 1


def execute_batch(jobs: Sequence[Job | dict], shared: str) -> list[dict]:
    """Execute the per-region jobs ``jobs`` (one notebook, several regions) in this process, one after the other.

    The regions' rows are read once for the batch (:func:`pipeline.hold_tables`) and the numbers every region's
    brief compares are computed once for the run (:func:`national.shared_in` ``shared``: the first batch to need
    them computes them, the others read them). Returns one :func:`execute_job` result per job, in order.
    """
    jobs = [Job(**j) if isinstance(j, dict) else j for j in jobs]
    dataset = jobs[0].parameters["dataset"]
    with national.shared_in(shared), hold_tables(dataset, [j.region for j in jobs]):
        return [execute_job(j, in_process=True) for j in jobs]


def render_batch(jobs: Sequence[Job | dict], results: Sequence[dict]) -> list[dict]:
    """:func:`render_job` of each job of a batch, in this process."""
    return [render_job(j, r) for j, r in zip(jobs, results)]


def _title(job: Job, work: Path) -> str:
    head = work / f"{job.stem}.headline.json"
    title = None
    if head.exists():
        try:
            title = export.read_headline(head, keys=("title",)).get("title")
        except ValueError:
            title = None
    if not title:
        t = translator(job.lang)
        key = f"common.nb.{job.notebook}"
        title = t(key) if key in t else job.notebook
    if job.region:
        title = f"{title}: {region_names([job.region])[0]}"
    return title


def render_job(job: Job | dict, result: dict) -> dict:
    """Render an executed job to HTML (and PDF); returns ``result`` with ``html``/``pdf``/``pdf_error`` set."""
    if isinstance(job, dict):
        job = Job(**job)
    result = dict(result)
    if not result["ok"]:
        return result
    work = Path(job.work_dir)
    t = translator(job.lang)
    links = []
    if result.get("xlsx"):
        links.append((result["xlsx"], t("run.download_xlsx")))
    links.append((f"{job.stem}.headline.json", t("run.download_json")))
    try:
        render_html(
            work / f"{job.stem}.ipynb",
            work / f"{job.stem}.html",
            title=_title(job, work),
            lang=job.lang,
            links=links,
            notebook=job.notebook,
        )
        result["html"] = f"{job.stem}.html"
    except Exception as exc:
        result["ok"] = False
        result["error"] = _error(exc) | {"evalue": f"rendering to HTML failed: {exc}"}
        return result
    if job.pdf:
        try:
            print_pdf(work / result["html"], work / f"{job.stem}.pdf")
            result["pdf"] = f"{job.stem}.pdf"
        except Exception as exc:
            result["pdf_error"] = str(exc)
    return result


def _execute_isolated(job: dict) -> dict:
    """Run :func:`execute_job` in a fresh Python process (used on Dask workers, which are multi-threaded)."""
    proc = subprocess.run(
        [sys.executable, "-m", "kinerja_research.report.runner"], input=json.dumps(job), capture_output=True, text=True
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return _worker_error(job, proc)
    return json.loads(lines[-1])


def _execute_batch_isolated(jobs: list[dict], shared: str) -> list[dict]:
    """Run :func:`execute_batch` in a fresh Python process (on Dask workers: the in-process notebooks need a process
    of their own)."""
    proc = subprocess.run(
        [sys.executable, "-m", "kinerja_research.report.runner"],
        input=json.dumps({"batch": jobs, "shared": shared}),
        capture_output=True,
        text=True,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("[")]
    if proc.returncode != 0 or not lines:
        return [_worker_error(j, proc) for j in jobs]
    return json.loads(lines[-1])


def _worker_error(job: dict, proc) -> dict:
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
        "xlsx": None,
        "pdf_error": None,
        "duration_s": 0.0,
        "attempts": 0,
    }


# ---------------------------------------------------------------------------------------------------------------------
# protecting counts across the pages of a run
_SECONDARY_NOTE = re.compile(r'class="kr-note"[^>]*>[^<]*“x”')


def protect_run(work: str | Path, results: Sequence[dict], lang: str) -> dict[str, list[str]]:
    """Withhold, across the pages of a run, the counts that would let a withheld one be worked out.

    Reads every page's published counts (``counts`` of its headline JSON), runs
    :func:`kinerja_research.report.suppress.protect` on them together, and withholds the chosen cells (``x``) in
    the executed notebook, the headline JSON (counts and records) and the ``.xlsx`` of each page.

    Returns
    -------
    dict
        ``{stem: [cell ids withheld]}`` for the pages changed.
    """
    work = Path(work)
    heads: dict[str, dict] = {}
    cells: list[suppress.Cell] = []
    tuples: dict[int, tuple] = {}  # each page's counts repeat its scope (every region): one list, one tuple each
    for r in results:
        if not r["ok"]:
            continue
        path = work / f"{r['stem']}.headline.json"
        try:
            head = export.read_headline(path)  # line by line, one list per distinct scope
        except (OSError, ValueError):
            continue
        heads[r["stem"]] = head
        for c in head.get("counts") or []:
            scope = c.get("scope")
            if not isinstance(scope, list):
                cells.append(suppress.from_public(c, prefix=f"{r['stem']}/"))
                continue
            if id(scope) not in tuples:
                tuples[id(scope)] = suppress.from_public({"id": "", "measure": "", "scope": scope}).scope
            cell = suppress.from_public({**c, "scope": ()}, prefix=f"{r['stem']}/")
            cell.scope = tuples[id(scope)]
            cells.append(cell)
    newly = suppress.protect(cells)
    by_page: dict[str, list[str]] = {}
    for cid in newly:
        stem, local = cid.split("/", 1)
        by_page.setdefault(stem, []).append(local)
    t = translator(lang)
    symbol = t("common.suppressed_secondary")
    for stem, ids in by_page.items():
        head = heads[stem]
        min_n = head.get("min_cell", 5)
        _patch_notebook(work / f"{stem}.ipynb", ids, symbol, t("common.suppressed_secondary_note", min_n=min_n))
        refs, refs_of = [], []
        for c in head.get("counts") or []:
            if c["id"] in ids:
                c["state"], c["value"] = "secondary", None
                if c.get("xlsx"):
                    refs.append(c["xlsx"])
                refs_of += [r for r in c.get("xlsx_of") or [] if r]
        for rec in head.get("records") or []:
            if rec.get("cell") in ids:
                rec["value"], rec["text"] = None, symbol
        path = work / f"{stem}.headline.json"
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:  # json.dumps(head, ensure_ascii=False, indent=2), in pieces
            f.writelines(export.headline_text(head))
        os.replace(tmp, path)
        if (refs or refs_of) and head.get("xlsx") and (work / f"{stem}.xlsx").exists():
            export.withhold_cells(work / f"{stem}.xlsx", refs, symbol, blank=refs_of)
    return by_page


def _patch_notebook(path: Path, ids: Sequence[str], symbol: str, note: str) -> None:
    """Replace the shown value of the cells ``ids`` (``data-kr-n``) by ``symbol`` in an executed notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    alternatives = "|".join(re.escape(i) for i in ids)
    pattern = re.compile(r'(<(td|span)\b[^>]*\bdata-kr-n="(' + alternatives + r')"[^>]*>)[^<]*(</\2>)')
    derived = re.compile(r'(<(td)\b[^>]*\bdata-kr-of="(' + alternatives + r')"[^>]*>)[^<]*(</\2>)')
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if "text/html" not in data:
                continue
            text = data["text/html"]
            text = "".join(text) if isinstance(text, list) else text
            new = pattern.sub(lambda m: m.group(1) + symbol + m.group(4), text)
            new = derived.sub(lambda m: m.group(1) + "–" + m.group(4), new)
            if new != text:
                if 'class="kr-table-block"' in new and not _SECONDARY_NOTE.search(new):
                    at = new.rfind("</div>")
                    new = new[:at] + f'<p class="kr-note">{note}</p>' + new[at:]
                data["text/html"] = new
    _write_notebook_json(path, nb)


# ---------------------------------------------------------------------------------------------------------------------
# the run folder: ours only, one run at a time, recovered after a crash
def _dataset_key(dataset: str) -> str:
    return str(processed_folder(dataset).resolve())


def check_run_dir(final: Path, dataset: str | None = None) -> None:
    """Refuse a run folder whose replacement would destroy something that ``kinerja report`` did not write.

    A run replaces its folder as a whole, so the folder must be new, empty, or an earlier run: its ``run.json``
    names the command ``kinerja report`` and the same dataset, and lists every file in the folder. It must not be,
    contain or sit inside ``data/`` (raw or processed data).
    """
    final = Path(final)
    data = paths.DATA.resolve()
    if final == data or data.is_relative_to(final) or final.is_relative_to(data):
        raise KinerjaError(
            f"Report folder '{final}' overlaps the data folder '{data}'; the rule is that reports are "
            "written outside data/ (a run replaces its folder as a whole)."
        )
    if not final.exists():
        return
    if not final.is_dir():
        raise KinerjaError(f"Report folder '{final}' is a file; the rule is a new, empty or earlier run folder.")
    entries = sorted(p for p in final.rglob("*") if p.is_file() or p.is_symlink())
    if not entries and not any(final.iterdir()):
        return
    try:
        meta = json.loads((final / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    if not isinstance(meta, dict) or meta.get("command") != COMMAND:
        raise KinerjaError(
            f"Report folder '{final}' already holds files that are not a report run of `{COMMAND}` (no run.json "
            "naming it); the rule is a new, empty or earlier run folder, since a run replaces its folder as a whole."
        )
    if dataset is not None and meta.get("dataset_folder") != _dataset_key(dataset):
        raise KinerjaError(
            f"Report folder '{final}' holds the reports of dataset {meta.get('dataset')!r}, not {dataset!r}; the rule "
            "is one folder per dataset (choose another --out)."
        )
    ours = set(meta.get("files") or [])
    foreign = [p.relative_to(final).as_posix() for p in entries if p.relative_to(final).as_posix() not in ours]
    if foreign:
        raise KinerjaError(
            f"Report folder '{final}' holds '{foreign[0]}'"
            + (f" and {len(foreign) - 1} more file(s)" if len(foreign) > 1 else "")
            + ", which no report run wrote; the rule is that a run never deletes a file it did not write (move it "
            "out of the folder, or choose another --out)."
        )


@contextlib.contextmanager
def run_lock(final: Path):
    """Hold ``.<name>.lock`` next to the run folder for the whole run: one run per folder at a time. The lock dies
    with the process, so after a crash the next run knows every leftover is from a dead run; the file is removed at
    the end (a run that opened it just before checks it still holds the file's current inode)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    lock = final.parent / f".{final.name}.lock"
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise KinerjaError(
                f"another `{COMMAND}` (process {other}) is writing '{final}'; the rule is one run per report folder "
                "at a time (wait for it, or choose another --out)."
            ) from None
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file after we opened it: lock the current one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def recover_run_dir(final: Path) -> list[str]:
    """Clean up after a run that died (call with :func:`run_lock` held): put the last good run back when the run died
    between the two renames of the swap (``_io.recover_swap``), and remove the temporary folders of dead runs
    (``_io.remove_stale_temps``). Returns what it did."""
    done = []
    if recover_swap(final):
        done.append(f"restored {final.name} from {previous_of(final).name}")
    done += [f"removed {p.name}" for p in remove_stale_temps(final)]
    return done


_NAV = re.compile(r'<nav class="kr-downloads">.*?</nav>', re.S)


def _publish_top_level(run_dir: Path, summary: dict, lang: str) -> None:
    """Copy the newest run's pages to ``reports/`` (their download links pointing into the run folder) and rewrite
    ``reports/index.html``."""
    reports = run_dir.parent
    prefix = href(run_dir.name) + "/"
    for j in summary["jobs"]:
        for name in (j.get("html"), j.get("pdf")):
            if name:
                tmp = reports / f".{name}.tmp"
                if name.endswith(".html"):
                    text = (run_dir / name).read_text(encoding="utf-8")
                    text = _NAV.sub(lambda m: m.group(0).replace('href="', f'href="{prefix}'), text, count=1)
                    tmp.write_text(text, encoding="utf-8")
                else:
                    shutil.copyfile(run_dir / name, tmp)
                os.replace(tmp, reports / published_name(name))
    write_reports_index(reports, newest=run_dir.name, lang=lang)


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


# ---------------------------------------------------------------------------------------------------------------------
# the run
def _worker_init() -> None:
    """Worker process set-up: killed with its parent, deaf to Ctrl-C (:func:`procs.worker_setup`), papermill and
    nbconvert imported once, without a slow optional import.

    ``jsonschema`` (through ``nbformat``) imports ``rfc3987_syntax`` when installed, which compiles a grammar for
    seconds; it only serves the ``iri`` string format, which notebook validation never uses. Worker processes (never
    the user's session) mark it absent so each worker starts in a fraction of that time.
    """
    worker_setup()
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


def _mp_context():
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["kinerja_research.report._forkserver", "kinerja_research.report.runner"])
    return ctx


def _is_dask(executor) -> bool:
    return hasattr(executor, "gather") and hasattr(executor, "scheduler_info")


def _results(executor, calls: Sequence[tuple[Job | list[Job], Callable, tuple]]):
    """Yield ``(job, result)`` as calls finish, for a concurrent.futures executor or a dask.distributed Client. A
    call of a batch (``job`` a list of jobs) yields ``(jobs, [result per job])``."""

    def first(j):
        return j[0] if isinstance(j, list) else j

    if _is_dask(executor):
        from distributed import as_completed  # only with --scheduler: distributed takes 1.7 s to import

        futures = {
            executor.submit(fn, *args, pure=False, key=f"kinerja-{first(j).run_id}-{first(j).stem}-{fn.__name__}"): j
            for j, fn, args in calls
        }
        completed = as_completed(futures)
    else:
        futures = {executor.submit(fn, *args): j for j, fn, args in calls}
        completed = futures_completed(futures)
    for fut in completed:
        job = futures[fut]
        try:
            yield job, fut.result()
        except Exception as exc:  # the worker process itself died
            yield job, [_crashed(j, exc) for j in job] if isinstance(job, list) else _crashed(job, exc)


def _crashed(job: Job, exc: BaseException) -> dict:
    return {
        "stem": job.stem,
        "notebook": job.notebook,
        "region": job.region,
        "ok": False,
        "error": _error(exc),
        "html": None,
        "pdf": None,
        "xlsx": None,
        "pdf_error": None,
        "duration_s": 0.0,
        "attempts": 0,
    }


def _stop_workers(executor) -> None:
    """Stop a process pool now: cancel what has not started, kill its workers (their kernels and Chromium follow:
    :mod:`procs`)."""
    if executor is None or _is_dask(executor):
        return
    processes = dict(getattr(executor, "_processes", None) or {})
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes.values():
        with contextlib.suppress(Exception):
            p.kill()
    for p in processes.values():
        with contextlib.suppress(Exception):
            p.join(timeout=5)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM ends the run like Ctrl-C (clean-up, then exit), in the main thread only."""
    if mp.current_process().name != "MainProcess" or not _in_main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _remove(tmp: Path) -> None:
    """Remove a dead run's folder, again after a moment in case a dying kernel wrote one more file."""
    shutil.rmtree(tmp, ignore_errors=True)
    for _ in range(20):
        if not tmp.exists():
            break
        time.sleep(0.1)
        shutil.rmtree(tmp, ignore_errors=True)


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


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
    style: str = "standard",
    progress: bool = True,
    publish: bool | None = None,
    kernels: bool = False,
) -> RunSummary:
    """Execute the report suite and write ``<out>/`` (default ``reports/<dataset>-<lang>``) atomically.

    Parameters
    ----------
    dataset : str
        Processed dataset name or folder (a relative folder is taken from the current directory).
    regions : list of str, optional
        Region names or codes; default the four default regions present in the data.
    all_regions : bool
        Every region present in the data.
    lang : {"id", "en"}
    workers : int, optional
        Worker processes (default: number of cores, at most the number of jobs).
    out : path, optional
        Run folder; default ``reports/<dataset>-<lang>``. Refused unless new, empty, or an earlier run of the same
        dataset holding only files that run wrote.
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
    style : {"standard", "skripsi"}
        Passed to every notebook (``skripsi``: SPSS-style result blocks).
    publish : bool, optional
        Copy the pages to ``reports/`` and refresh ``reports/index.html`` (default: when the run folder is directly
        inside ``reports/``).
    kernels : bool
        Run every per-region page (the region briefs) in a kernel of its own, as papermill does. Default: in
        batches of up to :data:`BATCH_SIZE` regions per worker process, each page executed in that process
        (:mod:`kinerja_research.report.batch`) with the numbers every brief compares computed once for the run
        (:mod:`kinerja_research.report.national`); the same executed notebooks, pages and numbers without a kernel
        start, import and computation per region.

    Returns
    -------
    RunSummary
        ``ok`` is False when any job failed; :func:`failure_lines` describes each failure; ``skipped`` lists the
        notebooks not run on these data, with the reason.
    """
    _check_options(lang=lang, alpha=alpha, workers=workers, min_cell=min_cell, style=style)
    min_cell = 5 if min_cell is None else int(min_cell)
    t0 = time.perf_counter()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    dataset = dataset_argument(dataset)
    chosen = resolve_run_regions(dataset, regions, all_regions)
    pdf_message = None
    if pdf and find_chromium() is None:
        pdf_message = (
            "PDFs were not made: headless Chromium is not installed (Debian: `sudo apt-get install "
            "chromium`; or set KINERJA_CHROMIUM to its path). The HTML reports were written."
        )
        pdf = False
    final = (Path(out) if out else default_run_dir(dataset, lang)).resolve()
    check_run_dir(final, dataset)
    with run_lock(final):
        for line in recover_run_dir(final):
            log.info(line)
        check_run_dir(final, dataset)  # again: recovery may have put an earlier run back
        tmp = temp_sibling(final, tag=run_id)
        (tmp / "logs").mkdir(parents=True)
        try:
            local = executor is None and not scheduler
            n_workers = workers or os.cpu_count() or 1
            jobs, skipped = plan_run(
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
                style=style,
                threads=max(1, (os.cpu_count() or 1) // n_workers) if local else None,
                contents=dataset_contents(dataset),
            )
            for s in skipped:
                log.info("not run: %s (%s)", s["notebook"], s["reasons"])
            with _terminate_as_interrupt(), _executor(executor, scheduler, workers, len(jobs)) as pool:
                ordered = _run_jobs(pool, jobs, tmp, lang, progress, kernels=kernels, slots=_slots(pool, n_workers))
            run_time = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            write_index(
                tmp,
                ordered,
                lang=lang,
                dataset=str(dataset),
                regions=chosen,
                run_id=run_id,
                run_time=run_time,
                skipped=skipped,
            )
            shutil.rmtree(tmp / ".jobs", ignore_errors=True)
            meta = {
                "command": COMMAND,
                "run_id": run_id,
                "dataset": str(dataset),
                "dataset_folder": _dataset_key(dataset),
                "lang": lang,
                "regions": chosen,
                "alpha": alpha,
                "seed": seed,
                "min_cell": min_cell,
                "style": style,
                "git": git_commit(),
                "run_time": run_time,
                "duration_s": time.perf_counter() - t0,
                "skipped": skipped,
                "jobs": [{k: v for k, v in r.items() if k != "error"} | {"error": _short(r["error"])} for r in ordered],
            }
            _write_run_json(tmp, meta)
            swap_into_place(tmp, final)
        except BaseException:
            _remove(tmp)
            raise
    if publish is None:
        publish = final.parent == paths.REPORTS.resolve()
    if publish:
        _publish_top_level(final, meta, lang)
    return RunSummary(
        run_dir=final,
        run_id=run_id,
        jobs=ordered,
        duration_s=time.perf_counter() - t0,
        pdf_message=pdf_message,
        skipped=skipped,
    )


def _check_options(*, lang: str, alpha, workers, min_cell, style) -> None:
    """One-sentence errors for options outside their rule, before anything starts."""
    check_lang(lang)
    if isinstance(alpha, bool) or not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise KinerjaError(f"option --alpha is {alpha!r}; the rule is 0 < alpha < 1.")
    if workers is not None and workers < 1:
        raise KinerjaError(f"option --workers is {workers}; the rule is at least 1.")
    if min_cell is not None and min_cell < 1:
        raise KinerjaError(f"option --min-cell is {min_cell}; the rule is at least 1.")
    if style not in STYLES:
        raise KinerjaError(f"option --style is {style!r}; the rule is one of {list(STYLES)}.")


@contextlib.contextmanager
def _executor(executor, scheduler: str | None, workers: int | None, n_jobs: int):
    """The executor of a run: the one given, a Dask client for ``scheduler``, or a pool of forkserver workers. A pool
    of its own is shut down at the end; after an error or Ctrl-C its workers are killed at once (their kernels and
    Chromium follow them)."""
    if executor is not None or n_jobs == 0:
        yield executor
        return
    if scheduler:
        from distributed import Client  # only with --scheduler: distributed takes 1.7 s to import

        try:
            own = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise KinerjaError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); the rule is an "
                f"address such as tcp://host:8786 of a running scheduler."
            ) from None
    else:
        n = min(workers or os.cpu_count() or 1, n_jobs)
        own = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(), initializer=_worker_init)
    try:
        yield own
    except BaseException:
        if _is_dask(own):
            own.close()
        else:
            _stop_workers(own)
        raise
    own.close() if _is_dask(own) else own.shutdown(wait=True)


def _slots(executor, n_workers: int) -> int:
    """How many jobs the executor runs at once: its worker processes, or the threads of a Dask cluster."""
    if executor is not None and _is_dask(executor):
        workers = (executor.scheduler_info() or {}).get("workers") or {}
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
    return max(1, n_workers)


def batches(jobs: Sequence[Job], slots: int, size: int | None = None) -> list[list[Job]]:
    """The per-region jobs of ``jobs`` in batches: per notebook, regions in order, at most ``size`` (default
    :data:`BATCH_SIZE`) per batch and at least as many batches as ``slots`` (so every worker has one) while regions
    remain.

    Examples
    --------
    >>> jobs = [Job(notebook="b", stem=f"b_{i}", input_path="", parameters={}, work_dir="", run_id="", region=str(i))
    ...         for i in range(5)]
    >>> [[j.region for j in b] for b in batches(jobs, slots=2)]
    [['0', '1', '2'], ['3', '4']]
    """
    size = size or BATCH_SIZE
    out: list[list[Job]] = []
    by_notebook: dict[str, list[Job]] = {}
    for j in jobs:
        if j.region is not None:
            by_notebook.setdefault(j.notebook, []).append(j)
    for group in by_notebook.values():
        per = max(1, min(size, math.ceil(len(group) / slots)))
        out += [group[i : i + per] for i in range(0, len(group), per)]
    return out


def _run_jobs(
    executor, jobs: Sequence[Job], tmp: Path, lang: str, progress: bool, *, kernels: bool = False, slots: int = 1
) -> list[dict]:
    """Phases 1-3 of a run: execute every job, protect counts across the pages, render every page.

    Per-region jobs run in batches (:func:`execute_batch`) unless ``kernels``; the others one kernel each."""
    dask = executor is not None and _is_dask(executor)
    run_one = _execute_isolated if dask else execute_job
    run_batch = _execute_batch_isolated if dask else execute_batch
    grouped = [] if kernels else batches(jobs, slots)
    in_batch = {j.stem for b in grouped for j in b}
    shared = str(Path(tmp) / ".jobs" / ".national")

    def arg(j):
        return asdict(j) if dask else j

    calls = [(j, run_one, (arg(j),)) for j in jobs if j.stem not in in_batch]
    calls += [(b, run_batch, ([arg(j) for j in b], shared)) for b in grouped]
    results: dict[str, dict] = {}
    with _progress(progress, len(jobs)) as advance:
        for _, out in _results(executor, calls):
            for res in out if isinstance(out, list) else [out]:
                results[res["stem"]] = res
                advance(f"{res['stem']}: {'ok' if res['ok'] else 'FAILED'} ({res['duration_s']:.1f} s)")
    protect_run(tmp, [results[j.stem] for j in jobs], lang)
    calls = [(j, render_job, (arg(j), results[j.stem])) for j in jobs if j.stem not in in_batch]
    calls += [(b, render_batch, ([arg(j) for j in b], [results[j.stem] for j in b])) for b in grouped]
    rendered: dict[str, dict] = {}
    for _, out in _results(executor, calls):
        for res in out if isinstance(out, list) else [out]:
            rendered[res["stem"]] = res
    return [rendered[j.stem] for j in jobs]


def _write_run_json(tmp: Path, meta: dict) -> None:
    """``run.json``: the run's record, including every file it wrote (what a later run may replace)."""
    meta["files"] = sorted({*_files(tmp), "run.json"})
    (tmp / "run.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _short(error: dict | None) -> dict | None:
    if error is None:
        return None
    return {k: error.get(k) for k in ("cell", "exec_count", "ename", "evalue")}


class _progress:
    """Rich progress bar on stderr (or plain log lines when ``enabled`` is False)."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total, self.done = enabled, total, 0
        self._bar = None

    def __enter__(self):
        if self.enabled:
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
    """Job process entry point: one job as JSON on stdin, its result as one JSON line on stdout; or a batch
    (``{"batch": [jobs], "shared": folder}``), its results as one JSON list on one line."""
    job = json.loads(sys.stdin.read())
    _worker_init()
    if "batch" in job:
        print(json.dumps(execute_batch(job["batch"], job["shared"])))
    else:
        print(json.dumps(execute_job(job)))


if __name__ == "__main__":
    _main()
