"""Execute a notebook in this Python process, without a kernel: many per-region pages from one process.

A national run writes one region brief per kab/kota (514). A kernel per brief costs its start-up, the package's
imports and the brief's numbers each time (about 47 minutes at scale 1); here one process executes the briefs of many
regions in turn: the notebook is parameterised as papermill does it (``prepare_only``: the same injected-parameters
cell and metadata), each code cell runs in an IPython shell of this process (a fresh namespace per notebook), and
what the cell shows is recorded as the kernel's messages would be (``display_data`` with display ids that
``update_display`` replaces, ``execute_result``, ``stream``, ``error``; figures left open are shown by the inline
backend at the end of a cell, as in a kernel). The result is an executed ``.ipynb`` that the runner normalises,
protects and renders exactly as a papermill one (:mod:`kinerja_research.report.runner`).

Imports are lazy (inside the functions): IPython's shell, nbformat and papermill cost seconds to import (measured:
papermill 2-6 s through nbformat and jsonschema), which the command's own process, importing the runner, should not
pay; only the workers that execute notebooks import them. The process must be one of the runner's own worker
processes (or a fresh process on a Dask worker): the shell, the
working folder and ``sys.stdout`` are process-wide.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

__all__ = ["run_notebook"]

_SHELL = None


def _shell():
    """The process's IPython shell: outputs recorded per cell, tracebacks as ``error`` outputs, matplotlib inline."""
    global _SHELL
    if _SHELL is not None:
        return _SHELL
    # Imported here, in a batch worker: IPython's shell and nbformat are what a kernel would import anyway, and the
    # runner's own process (and `kinerja --help`) should not pay for them.
    import nbformat  # lazy: worker-only
    from IPython.core.displayhook import DisplayHook  # lazy: worker-only
    from IPython.core.displaypub import DisplayPublisher  # lazy: worker-only
    from IPython.core.interactiveshell import InteractiveShell  # lazy: worker-only
    from traitlets.config import Config  # lazy: worker-only

    class Recorder(DisplayPublisher):
        """What ``display`` shows: appended to the running cell's outputs; an update replaces every output shown
        with that display id (anywhere in the notebook), as Jupyter does."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.outputs: list = []
            self.by_id: dict[str, list] = {}

        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            display_id = (transient or {}).get("display_id")
            if update:
                for out in self.by_id.get(display_id, []):
                    out["data"], out["metadata"] = dict(data), dict(metadata or {})
                return
            out = nbformat.v4.new_output("display_data", data=dict(data), metadata=dict(metadata or {}))
            self.outputs.append(out)
            if display_id:
                self.by_id.setdefault(display_id, []).append(out)

        def clear_output(self, wait=False):
            self.outputs.clear()

    class Hook(DisplayHook):
        """The value of a cell's last expression as an ``execute_result``."""

        def start_displayhook(self):
            self.data, self.md = {}, {}

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.data, self.md = format_dict, md_dict or {}

        def finish_displayhook(self):
            shell = self.shell
            shell.display_pub.outputs.append(
                nbformat.v4.new_output(
                    "execute_result", data=self.data, metadata=self.md, execution_count=shell.execution_count
                )
            )

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Recorder

        def enable_gui(self, gui=None):  # the inline backend needs no event loop (as in ipykernel)
            pass

        def _showtraceback(self, etype, evalue, stb):
            self.last_error = {"ename": etype.__name__, "evalue": str(evalue), "traceback": list(stb)}
            self.display_pub.outputs.append(
                nbformat.v4.new_output("error", ename=etype.__name__, evalue=str(evalue), traceback=list(stb))
            )

    config = Config()
    config.HistoryManager.enabled = False  # no history database: notebooks run one after another in one process
    shell = Shell.instance(colors="nocolor", config=config)
    shell.enable_matplotlib("inline")
    _SHELL = shell
    return shell


_BASE_NAMES: set[str] = set()


def _fresh_namespace(shell) -> None:
    """The names a notebook defined are removed before the next one runs (its namespace as a new kernel's). Not
    ``shell.reset()``: that collects garbage in every call (seconds per notebook with a country's frames alive)."""
    ns = shell.user_ns
    if not _BASE_NAMES:
        _BASE_NAMES.update(ns)
    for name in [n for n in ns if n not in _BASE_NAMES]:
        del ns[name]
    shell.user_ns_hidden.update({k: ns[k] for k in ns if k in _BASE_NAMES and k not in shell.user_ns_hidden})
    for key in ("_", "__", "___"):
        ns[key] = ""


class _Stream:
    """``sys.stdout`` / ``sys.stderr`` of a running cell: text appended to the cell's outputs as ``stream``."""

    def __init__(self, outputs: list, name: str):
        self.outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        import nbformat  # lazy: worker-only

        if not text:
            return 0
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.get("output_type") == "stream" and last.get("name") == self.name:
            last["text"] += text
        else:
            self.outputs.append(nbformat.v4.new_output("stream", name=self.name, text=text))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def run_notebook(input_path: str | Path, output_path: str | Path, *, parameters: dict, cwd: str | Path, kernel_name):
    """Execute the notebook ``input_path`` with ``parameters`` in this process and write it to ``output_path``.

    Parameters
    ----------
    input_path, output_path : path
        The notebook, and where the executed notebook is written (also when a cell fails).
    parameters : dict
        The parameters cell's values (papermill's injected-parameters cell).
    cwd : path
        The working folder while the notebook runs (where it writes its headline JSON and workbook).
    kernel_name : str
        The kernel papermill would record in the notebook's metadata.

    Returns
    -------
    dict or None
        ``None`` when every cell ran; else ``{cell, exec_count, ename, evalue, traceback}`` of the failing cell (the
        cells after it are not run), as the runner reports a papermill failure.
    """
    import nbformat  # lazy: worker-only
    import papermill as pm  # lazy: worker-only

    nb = pm.execute_notebook(
        str(input_path),
        None,
        parameters=parameters,
        prepare_only=True,
        kernel_name=kernel_name,
        progress_bar=False,
        log_output=False,
    )
    shell = _shell()
    _fresh_namespace(shell)
    shell.execution_count = 1
    shell.display_pub.by_id = {}
    error = None
    here = os.getcwd()
    os.chdir(cwd)
    try:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            outputs: list = []
            shell.display_pub.outputs = outputs
            shell.last_error = None
            count = shell.execution_count
            with (
                contextlib.redirect_stdout(_Stream(outputs, "stdout")),
                contextlib.redirect_stderr(_Stream(outputs, "stderr")),
            ):
                result = shell.run_cell(cell.source, store_history=False)
                sys.stdout.flush()
            shell.execution_count += 1
            cell.outputs = outputs
            cell.execution_count = count
            meta = cell.metadata.setdefault("papermill", {})
            failed = result.error_before_exec is not None or result.error_in_exec is not None
            meta.update(exception=failed, status="failed" if failed else "completed")
            if failed:
                err = shell.last_error or {
                    "ename": type(result.error_before_exec or result.error_in_exec).__name__,
                    "evalue": str(result.error_before_exec or result.error_in_exec),
                    "traceback": [],
                }
                error = {
                    "cell": index,
                    "exec_count": count,
                    "ename": err["ename"],
                    "evalue": err["evalue"],
                    "traceback": "\n".join(err["traceback"]),
                }
                break
    finally:
        os.chdir(here)
        shell.display_pub.outputs = []
        import matplotlib.pyplot as plt  # lazy: worker-only

        plt.close("all")
    nb.metadata.setdefault("papermill", {})["exception"] = error is not None
    nbformat.write(nb, str(output_path))
    return error
