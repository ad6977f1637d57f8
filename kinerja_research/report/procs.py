"""Processes of a report run that never outlive it.

``kinerja report`` starts a forkserver, worker processes, one Jupyter kernel per job and, for PDFs, Chromium. When the
command dies -- even by ``kill -9``, which runs no clean-up -- none of them may keep running into a dead run's folder:

- the forkserver exits when the command's end of its "alive" pipe closes (multiprocessing's own rule), and
  :func:`die_with_parent` is set in it as well (the runner preloads :mod:`kinerja_research.report._forkserver`);
- every worker asks the kernel (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to be killed when its parent dies
  (:func:`worker_setup`), and ignores Ctrl-C, which the command handles for the whole run;
- kernels watch their parent (ipykernel's parent poller: ``JPY_PARENT_PID``) and exit within a second of the worker;
- Chromium is started with :func:`die_with_parent` as its ``preexec_fn``.

Elsewhere than Linux the parent-death signal is not available; the forkserver's pipe and the kernels' poller remain.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import sys

__all__ = ["die_with_parent", "worker_setup", "PR_SET_PDEATHSIG"]

PR_SET_PDEATHSIG = 1
_libc = None


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where that is not available."""
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def worker_setup() -> None:
    """A report worker: killed with its parent, deaf to the terminal's Ctrl-C (the command stops the run)."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
