"""Run one command as a child process and measure it: wall clock, peak memory, output.

Peak memory is taken two ways:

* `peak_mb` — `ru_maxrss` from `os.wait4` on the child: on Linux the largest resident set
  of the child *or of any descendant it waited for* (so with worker processes, the largest
  single process: the per-worker peak);
* `tree_mb` — the largest sum of the resident sets of the child and all its descendants,
  polled with psutil every 50 ms (None when psutil is not installed; a peak shorter than
  the polling interval can be missed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

try:
    import psutil  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - psutil is optional
    psutil = None

POLL_SECONDS = 0.05


@dataclass
class Run:
    returncode: int
    wall_s: float
    peak_mb: float  # wait4 ru_maxrss: the largest single process
    tree_mb: float | None  # psutil: the largest total of the process tree
    stdout: str
    stderr: str
    timed_out: bool


def _poll_tree(pid: int, stop: threading.Event, peak: list[float]) -> None:
    if psutil is None:
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            total = root.memory_info().rss
            for child in root.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            return
        peak[0] = max(peak[0], total / 2**20)
        stop.wait(POLL_SECONDS)


def run(
    argv: Sequence[str],
    *,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Run:
    """Run argv to its end (or kill its process group after `timeout` seconds)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: a timeout kills it and its workers
        )
        stop = threading.Event()
        tree = [0.0]
        poller = threading.Thread(target=_poll_tree, args=(child.pid, stop, tree), daemon=True)
        poller.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer is not None:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if timer is not None:
            timer.cancel()
        stop.set()
        poller.join()
        out.seek(0)
        err.seek(0)
        return Run(
            child.returncode,
            wall,
            usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20,
            tree[0] if psutil is not None else None,
            out.read(),
            err.read(),
            timed_out.is_set(),
        )
