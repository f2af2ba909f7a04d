"""Spreading a batch over processes: the one place where work leaves this process.

`ordered_map(work, shared, items)` yields `work(shared, item)` for every item, in the
order of the items, whether it runs here, in a pool of local processes (`jobs > 1`) or
on a Dask cluster (`dask="local"` or a scheduler address); `ordered_flat_map` does the
same for items that travel in chunks and are split where the work runs (a block of a
feed's lines). Three promises hold in every mode:

* `shared` (the compiled rule set, a few hundred kB) travels once per worker process,
  never once per item; items travel in batches;
* items are read lazily, and at most `window` batches are out at a time, so memory stays
  flat however long the input is (a generator of millions of documents is fine);
* the results, and the point where an exception in `work` surfaces, are exactly those of
  the plain loop `for item in items: yield work(shared, item)`.

`work` must be a module-level function (it is sent by name), must not print, and should
return a document's failure as a value (as `engine.batch.process` does): an exception
from `work` is taken for a bug, and stops the batch.
"""

from __future__ import annotations

import copy
import ctypes
import inspect
import logging
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import traceback
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any, Generic, Protocol, TypeVar

from .errors import UsageError, WorkerLost

S = TypeVar("S")
T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

BATCH = 64  # items per task: large enough that sending them costs little beside the work
# batches out per worker: enough that a slow batch at the head of the line (results are
# taken in order) does not leave the other workers idle; memory stays a few batches
WINDOW = 8
PIPE_BYTES = 1 << 20  # what the pipe of tasks to a worker holds (Linux's limit for any user,
# unless an administrator lowered /proc/sys/fs/pipe-max-size)
QUEUED = 2  # tasks a worker has at most: the one it does and the next
HEADER_BYTES = 16  # what a pipe carries besides a task's bytes (its length)
STOP_SECONDS = 5.0  # how long an idle worker asked to end may take before it is made to
SCHEDULER_SECONDS = 5.0  # how long to try reaching a Dask scheduler (and to wait for a worker)
LOCAL = "local"  # dask="local": a Dask cluster on this machine, for the run only


def available_cores() -> int:
    """The cores this process may use (respects `taskset` and CPU affinity): the default
    for `--jobs`."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(
    work: Callable[[S, T], R],
    shared: S,
    items: Iterable[T],
    *,
    jobs: int = 1,
    dask: str | None = None,
    batch: int = BATCH,
    window: int | None = None,
) -> Generator[R, None, None]:
    """`work(shared, item)` for every item, in the items' order, as they are ready.

    jobs: local worker processes (1: everything runs in this process, no pool); with
        `dask="local"`, the number of Dask workers; ignored with a scheduler address.
    dask: None, "local", or a scheduler address such as "tcp://10.0.0.5:8786".
    batch: items sent to a worker at a time.
    window: batches out at a time (default: WINDOW per worker), which bounds both memory
        and how far the items are read ahead of the results.

    Nothing starts before the first result is asked for. Raises UsageError (then) when
    Dask is asked for but not installed or not reachable. Pools, clusters and clients are
    shut down when the iteration ends, fails, or is closed early (`close()`).
    """
    return ordered_flat_map(
        work, shared, items, _alone, jobs=jobs, dask=dask, batch=batch, window=window
    )


def ordered_flat_map(
    work: Callable[[S, T], R],
    shared: S,
    chunks: Iterable[C],
    split: Callable[[C], Iterable[T]],
    *,
    jobs: int = 1,
    dask: str | None = None,
    batch: int = BATCH,
    window: int | None = None,
) -> Generator[R, None, None]:
    """`work(shared, item)` for every item of every chunk, in order: as ordered_map, but
    a chunk travels whole (`batch` chunks at a time) and `split(chunk)` gives its items
    where the work runs. The promises hold per item: an exception in `split` or `work`
    surfaces after the results of the items before it, those of its own chunk too.
    `split`, like `work`, must be a module-level function."""
    if jobs < 1 or batch < 1 or (window is not None and window < 1):
        raise ValueError("jobs, batch and window must be at least 1")
    if dask is not None:
        return _on_dask(work, split, shared, chunks, dask, jobs, batch, window)
    if jobs == 1:
        return (work(shared, item) for chunk in chunks for item in split(chunk))
    _check_sendable(work)
    _check_sendable(split)
    return _in_pool(work, split, shared, chunks, jobs, batch, window or WINDOW * jobs)


def _alone(item: T) -> tuple[T]:
    """A chunk of one item: the item itself."""
    return (item,)


# ------------------------------------------------------------------ what a worker runs

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def _end_with_parent(parent: int | None) -> None:
    """A pool worker ends when the process that started it dies: a SIGKILLed `extract`
    has no time to shut its pool down, and forked workers would go on waiting for work
    (holding its output files open). Linux only (prctl); `parent`, when known, closes
    the race with a parent that died before the call."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


@dataclass(frozen=True)
class _Failure:
    """`work` raised on an item of a batch: the results before it, and the error."""

    done: list[Any]
    error: BaseException
    where: str  # the worker's traceback, as text


class WorkerTraceback(Exception):
    """Where, in the worker, an exception was raised (set as its `__cause__`)."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0])


Split = Callable[[Any], Iterable[Any]]  # a chunk -> its items


def _run_batch(
    work: Callable[[S, T], R], split: Split, shared: S, chunks: list[Any]
) -> list[R] | _Failure:
    done: list[R] = []
    try:
        for chunk in chunks:
            for item in split(chunk):
                done.append(work(shared, item))
    except Exception as error:  # a bug: sent back to stop the caller there
        return _Failure(done, _sendable(error), traceback.format_exc())
    return done


def _sendable(error: Exception) -> Exception:
    """The error itself when it can travel, else a RuntimeError that says what it was: it
    must pickle (an error holding a lock, a file or a regex match does not) and be
    rebuilt by its recipe (deepcopy follows the one unpickling would; an error whose
    __init__ takes other arguments than its message, such as DocumentError, is not).
    Tried only once something has failed, so what it costs does not matter."""
    try:
        ForkingPickler.dumps(error)
        copy.deepcopy(error)
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _results(outcome: list[R] | _Failure) -> Iterator[R]:
    if isinstance(outcome, _Failure):
        yield from outcome.done
        raise outcome.error from WorkerTraceback(outcome.where)
    yield from outcome


def _check_sendable(work: Callable[..., Any]) -> None:
    """A function reaches a worker as its module and name: a lambda or a function defined
    inside another cannot be found there."""
    if not inspect.isfunction(work):
        return  # a callable object travels as itself
    found: Any = sys.modules.get(work.__module__)
    for name in work.__qualname__.split("."):
        found = getattr(found, name, None)
    if found is not work:
        raise TypeError(
            f"{work.__qualname__} cannot be sent to a worker: use a function defined at "
            "module level"
        )


# ------------------------------------------------------------------ the bounded window


class _Pending(Protocol[R_co]):
    """What the window needs of a Dask future."""

    def result(self) -> R_co | _Failure: ...


@dataclass
class _Window(Generic[T, R]):
    """Batches out at a time, oldest first; `submit` sends one batch."""

    submit: Callable[[list[T]], _Pending[list[R]]]
    items: Iterator[T]
    batch: int
    size: int

    def __post_init__(self) -> None:
        self.pending: deque[_Pending[list[R]]] = deque()

    def results(self) -> Iterator[R]:
        """Fill the window, wait for its oldest batch, yield that batch's results, repeat:
        the items are never read more than `size` batches ahead of the results."""
        while True:
            while len(self.pending) < self.size:
                chunk = list(islice(self.items, self.batch))
                if not chunk:
                    break
                self.pending.append(self.submit(chunk))
            if not self.pending:
                return
            yield from _results(self.pending.popleft().result())


# ------------------------------------------------------------------ local processes


def start_method() -> str:
    """How pool workers start: "fork" when this process runs a single thread, else
    "forkserver" where the system has it, else "spawn".

    A forked worker starts with the compiled rule set already in its memory: nothing is
    pickled, no automaton is built again (a second or so with a large gazetteer). But
    forking copies every thread's locks as they are, so with another thread running (a
    progress bar's monitor, a Dask client) a worker could hang on one: then workers are
    forked from a small clean server process instead, and `shared` is sent to each.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _in_pool(
    work: Callable[[S, T], R],
    split: Split,
    shared: S,
    chunks: Iterable[Any],
    jobs: int,
    batch: int,
    size: int,
) -> Generator[R, None, None]:
    context = multiprocessing.get_context(start_method())
    for stream in (sys.stdout, sys.stderr):  # a forked worker must not write a copy of
        with suppress(Exception):  # what is still buffered here when it exits
            stream.flush()
    if isinstance(context, multiprocessing.context.ForkServerContext):
        # workers are forked from a server that has the engine imported already
        context.set_forkserver_preload(["__main__", __name__])
    # forked workers find the holes in this process's memory pools filled (see
    # filled_holes), and this process keeps them filled until the workers have ended:
    # freeing them would write to pages the workers share, each then copied for this
    # process, while the first tasks wait (15 ms with the benchmark pack)
    holes = filled_holes() if isinstance(context, multiprocessing.context.ForkContext) else []
    workers: list[_Worker] = []
    try:
        for _ in range(jobs):
            workers.append(_Worker.start(context, shared, workers))
        yield from _Dispatch(workers, work, split, iter(chunks), batch, size).results()
    finally:  # the tasks not started are dropped; the workers end (together) before this
        for worker in workers:  # returns
            worker.stop()
        for worker in workers:
            worker.wait()
        del holes


# Python's allocator of small objects (pymalloc), as sys._debugmallocstats shows it: a
# table of its size classes, the bytes of each block, and the blocks free in pools in use
_SIZE_CLASSES = re.compile(r"^class +size +num pools +blocks in use +avail blocks *$", re.M)
_SIZE_CLASS = re.compile(r"^ *\d+ +(\d+) +\d+ +\d+ +(\d+) *$")
_BYTES_HEADER = sys.getsizeof(b"")  # what a bytes object takes besides its bytes (33)
_FLOAT_SIZE = sys.getsizeof(0.0)  # 24: smaller blocks are for the interpreter's own use


def filled_holes() -> list[object]:
    """Objects that fill the free blocks of the pools the small-object allocator has in
    use, to be kept while workers forked from this process work.

    A forked worker shares this process's memory, and a page is copied for it the first
    time it writes there. Its first objects would go to the blocks freed here while the
    rule set was loaded or compiled (2 to 8 MB of them with the benchmark pack), spread
    over the pools that hold the rule set: each one written means a page copied, and the
    worker's objects scattered among the rule set's. Filled (in 7 to 25 ms), they leave
    the workers' objects to pools of their own: with `--jobs 2` on Reuters-21578 and the
    benchmark pack, the run's page faults went from about 25,700 to 15,200 and the
    workers' processor time down by about 7 % (the medians of ten alternated runs each,
    benchmarks/README.md).
    Nothing is filled when the statistics cannot be read (another allocator, another
    Python): workers then only copy more."""
    try:
        table = _allocator_statistics()
    except (OSError, AttributeError):
        return []
    found = _SIZE_CLASSES.search(table)
    if found is None:
        return []
    kept: list[object] = []
    smaller = 0  # the size of the class before: a request of more bytes, up to `size`,
    for size, free in _free_blocks(table[found.end() :]):  # gets a block of this class
        if size - _BYTES_HEADER >= 2:  # a bytes object of `size` (of 1 byte are shared)
            kept.extend(bytes(size - _BYTES_HEADER) for _ in range(free))
        elif smaller < _FLOAT_SIZE <= size:
            kept.extend(float(number) for number in range(free))
        smaller = size
    return kept


def _free_blocks(table: str) -> Iterator[tuple[int, int]]:
    """(block size, free blocks in the pools in use) of each size class, from the rows
    of the allocator's table."""
    started = False
    for line in table.splitlines():
        row = _SIZE_CLASS.match(line)
        if row is not None:
            started = True
            yield int(row[1]), int(row[2])
        elif started:
            return


def _allocator_statistics() -> str:
    """What sys._debugmallocstats writes (to the C library's standard error)."""
    with tempfile.TemporaryFile() as caught:
        saved = os.dup(2)
        try:
            sys.stderr.flush()
            os.dup2(caught.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        return caught.read().decode("ascii", "replace")


@dataclass
class _Worker:
    """A worker process, and this process's ends of the two pipes to it: tasks go down one,
    results come back up the other.

    It has at most two tasks at a time: the one it does, and the next, waiting in its pipe
    so that it goes on at once without waiting for this process to wake up. A second task
    is sent only when the pipe has room for both whole, so sending never waits for the
    worker; a task sent to a worker with none waits at most for the worker to read it.
    A worker writes only its results, which this process reads whenever it is not
    writing: neither side can block the other for good."""

    tasks: Connection
    results: Connection
    process: BaseProcess
    room: int  # bytes the pipe of tasks holds (0: unknown)
    out: deque[tuple[int, int]] = field(default_factory=deque)  # (task number, bytes)

    @classmethod
    def start(cls, context: Any, shared: object, started: list[_Worker]) -> _Worker:
        their_tasks, tasks = context.Pipe(duplex=False)
        results, their_results = context.Pipe(duplex=False)
        forked = isinstance(context, multiprocessing.context.ForkContext)
        # a forked worker has copies of this process's ends of its pipes and of those to
        # the workers started before it, which it closes (so that it sees the end of its
        # pipe of tasks when this process ends); a worker started otherwise has none
        ours = [tasks, results, *(c for w in started for c in (w.tasks, w.results))]
        inherited = [connection.fileno() for connection in ours] if forked else []
        parent = os.getpid() if forked else None
        process = context.Process(
            target=_serve,
            args=(their_tasks, their_results, shared, parent, inherited),
            daemon=True,
        )
        process.start()
        their_tasks.close()
        their_results.close()
        return cls(tasks, results, process, _widen(tasks))

    def takes(self, size: int) -> bool:
        """Whether it may be sent a task of `size` bytes now: when it has none (sending
        waits at most for it to read), or as its next when its pipe holds both whole."""
        if not self.out:
            return True
        queued = sum(length for _, length in self.out) + size + 2 * HEADER_BYTES
        return len(self.out) < QUEUED and queued <= self.room

    def give(self, number: int, task: memoryview) -> None:
        try:
            self.tasks.send_bytes(task)
        except OSError:  # it is gone
            raise self.lost() from None
        self.out.append((number, len(task)))

    def take(self) -> tuple[int, Any]:
        """The number of its oldest task and the task's outcome."""
        try:
            outcome = self.results.recv()
        except (EOFError, OSError):  # it died while sending, or before
            raise self.lost() from None
        number, _ = self.out.popleft()
        return number, outcome

    def lost(self) -> WorkerLost:
        self.process.join(1)
        code = self.process.exitcode
        if code == -signal.SIGKILL:  # what the kernel sends a process it runs out of memory for
            how = "killed by SIGKILL; out of memory?"
        elif code is not None and code < 0:
            how = f"killed by {signal.Signals(-code).name}"
        else:
            how = "its pipe broke" if code is None else f"exit status {code}"
        return WorkerLost(
            f"a worker process ({self.process.pid}) ended before its work was done ({how})"
        )

    def stop(self) -> None:
        """Ask it to end when it is idle; end it at once when it has a task, whose outcome
        nobody will take."""
        if self.out:
            self.process.terminate()
        else:
            with suppress(OSError):
                self.tasks.send(None)

    def wait(self) -> None:
        """Until it has ended (made to, when it takes more than STOP_SECONDS)."""
        self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.tasks.close()
        self.results.close()


def _widen(tasks: Connection) -> int:
    """Make a pipe hold two tasks whole (a block of a feed is some 256 kB; a pipe holds
    64 kB unless told otherwise), and say how many bytes it holds. Linux only: elsewhere
    0 (unknown), and a worker is sent its next task only when it has none."""
    try:
        import fcntl

        getting, setting = fcntl.F_GETPIPE_SZ, fcntl.F_SETPIPE_SZ
    except (ImportError, AttributeError):  # not Linux
        return 0
    with suppress(OSError):  # an administrator's lower limit: the pipe stays as it is
        fcntl.fcntl(tasks.fileno(), setting, PIPE_BYTES)
    return int(fcntl.fcntl(tasks.fileno(), getting))


def _serve(
    tasks: Connection,
    results: Connection,
    shared: object,
    parent: int | None,
    inherited: list[int],
) -> None:
    """What a worker process runs: tasks, in the order they come, until told to stop
    (None) or the process that started it is gone (the end of the pipe)."""
    for descriptor in inherited:
        os.close(descriptor)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for `extract`, which stops us
    _end_with_parent(parent)
    while True:
        try:
            message = tasks.recv()
        except EOFError:
            return
        if message is None:
            return
        work, split, chunks = message
        outcome = _run_batch(work, split, shared, chunks)
        try:
            results.send(outcome)
        except OSError:  # the pipe is gone: so is the process that started this one
            return
        except Exception as error:  # the results themselves cannot travel
            results.send(_Failure([], _sendable(error), traceback.format_exc()))


class _Dispatch(Generic[R]):
    """Tasks to workers, results in the order of the tasks: at most `size` tasks are out
    at a time (read, being done, or done and waiting for the ones before them), and one
    is read ahead, so that a worker with room is given its next task at once."""

    def __init__(
        self,
        workers: list[_Worker],
        work: Callable[[Any, Any], R],
        split: Split,
        chunks: Iterator[Any],
        batch: int,
        size: int,
    ) -> None:
        self.workers = workers
        self.work, self.split, self.chunks = work, split, chunks
        self.batch, self.size = batch, size
        self.ahead: deque[memoryview] = deque()  # read and pickled, not given yet
        self.read = 0  # tasks read
        self.given = 0  # tasks whose results have been given back, in order
        self.done: dict[int, list[R] | _Failure] = {}
        self.ended = False  # no task is left to read

    def results(self) -> Iterator[R]:
        while True:
            self.hand_out()
            if self.given in self.done:
                yield from _results(self.done.pop(self.given))
                self.given += 1
            elif any(worker.out for worker in self.workers):
                self.collect()
            else:
                return

    def hand_out(self) -> None:
        """Give workers with room tasks, and read one more ahead, as far as the window
        allows."""
        while True:
            while self.ahead and (worker := self.taker(len(self.ahead[0]))) is not None:
                worker.give(self.read - len(self.ahead), self.ahead.popleft())
            if self.ahead or self.ended or self.read - self.given >= self.size:
                return
            chunk = list(islice(self.chunks, self.batch))
            if chunk:
                self.ahead.append(ForkingPickler.dumps((self.work, self.split, chunk)))
                self.read += 1
            else:
                self.ended = True

    def taker(self, size: int) -> _Worker | None:
        """The worker with the fewest tasks that can take one of `size` bytes now."""
        able = [worker for worker in self.workers if worker.takes(size)]
        return min(able, key=lambda worker: len(worker.out), default=None)

    def collect(self) -> None:
        """Wait for a worker to finish a task (or die); keep what every finished one gives."""
        working = [worker for worker in self.workers if worker.out]
        ready = wait([w.results for w in working] + [w.process.sentinel for w in working])
        for worker in working:
            if worker.results in ready or worker.process.sentinel in ready:
                number, outcome = worker.take()  # (a worker that died: WorkerLost)
                self.done[number] = outcome


# ------------------------------------------------------------------ Dask


def _on_dask(
    work: Callable[[S, T], R],
    split: Split,
    shared: S,
    chunks: Iterable[Any],
    address: str,
    jobs: int,
    batch: int,
    size: int | None,
) -> Generator[R, None, None]:
    """Results in order from a Dask cluster. Nothing starts before the first result is
    asked for, and everything started is closed when the iteration ends, fails or is
    closed."""
    distributed = _import_distributed()
    with ExitStack() as started:
        if address == LOCAL:
            cluster = started.enter_context(_local_cluster(distributed, jobs))
            address = cluster.scheduler_address
        client = started.enter_context(_connect(distributed, address))
        run = f"newsrules-{uuid.uuid4().hex}"  # other runs may share the cluster
        started.callback(_uninstall, client, run)
        _install_on_workers(client, run, shared)
        threads = sum(client.nthreads().values()) or 1

        def submit(taken: list[Any]) -> Any:
            return client.submit(_run_dask_batch, work, split, run, taken, pure=False)

        window: _Window[Any, R] = _Window(submit, iter(chunks), batch, size or WINDOW * threads)
        yield from window.results()  # closing the client drops the batches still out


_installed: dict[str, Any] = {}  # on a Dask worker: each run's `shared`, by run name


def _installer(run: str, shared: object) -> Any:
    """A Dask worker plugin that keeps `shared` on every worker of the cluster, present
    or joining later, for the run: it travels to each worker once, when the worker gets
    the plugin. (A value scattered to the workers instead can be dropped from one by
    Dask's memory manager, and fetched and unpickled there again.)"""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Install(WorkerPlugin):  # travels by value; what it calls, by name
        def setup(self, worker: object) -> None:
            _keep(run, shared)

        def teardown(self, worker: object) -> None:
            _drop(run)

    return Install()


def _keep(run: str, shared: object) -> None:
    _installed[run] = shared


def _drop(run: str) -> None:
    _installed.pop(run, None)


def _install_on_workers(client: Any, run: str, shared: object) -> None:
    try:
        client.register_plugin(_installer(run, shared), name=run)
    except Exception as error:  # it comes back as a bare Exception with the worker's words
        raise UsageError(
            f"a Dask worker cannot load what this run sends it ({error}): install the same "
            "version of this project, with its dependencies, on every worker"
        ) from None


def _run_dask_batch(
    work: Callable[[Any, T], R], split: Split, run: str, chunks: list[Any]
) -> list[R] | _Failure:
    return _run_batch(work, split, _installed[run], chunks)


def _uninstall(client: Any, run: str) -> None:
    """Free the run's `shared` on a cluster that goes on serving others; a cluster that
    has gone away has nothing left to free (and must not hide the run's own error)."""
    with suppress(Exception):
        client.unregister_worker_plugin(run)


def _local_cluster(distributed: Any, workers: int) -> Any:
    """A Dask cluster of `workers` processes on this machine, reachable from it only."""
    with warnings.catch_warnings():
        # its status page moves to a free port when another run holds 8787: nothing to say
        warnings.filterwarnings("ignore", "Port .* is already in use", UserWarning)
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError(
            "running on Dask needs the distributed package: "
            'pip install "dask[distributed]" (here and on every worker)'
        ) from None
    return distributed


def _connect(distributed: Any, address: str) -> Any:
    """A client of the scheduler at `address` that has at least one worker."""
    problem = None
    try:
        client = distributed.Client(address, timeout=SCHEDULER_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as error:
        problem = f"cannot reach the Dask scheduler at {address!r} ({error})"
    if problem is not None:  # raised out here, so nothing holds on to the half-made client
        raise UsageError(
            f"{problem}: is `dask scheduler` running there, and its port open to this machine?"
        )
    try:
        client.wait_for_workers(1, timeout=SCHEDULER_SECONDS)
    except (OSError, TimeoutError):
        client.close()
        raise UsageError(
            f"the Dask scheduler at {address} has no worker: start `dask worker {address}` "
            "on each machine that should take part"
        ) from None
    return client
