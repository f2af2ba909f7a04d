"""ordered_map gives the results of the plain loop, in the same order, whatever runs it:
this process, a pool of two processes, or a real Dask cluster of two worker processes.

Each work step depends on `shared` and takes a varying time, and one test checks that the
batches really did finish out of order, so the order assertions can fail. The shared
object counts its own unpicklings in a file, which shows it travels once per worker.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import regex
from conftest import SEEDS

from engine import RuleSet, UsageError, parallel
from engine.batch import Outcome, Work, outcome_of, process, task_documents, tasks
from engine.documents import Document, Item, each_document, read_inputs, read_pieces
from engine.errors import DocumentError, WorkerLost
from engine.parallel import (
    BATCH,
    LOCAL,
    WorkerTraceback,
    available_cores,
    ordered_flat_map,
    ordered_map,
)
from engine.pipeline import Limits, extract_document
from engine.prefilter import WordFinder
from engine.records import dumps

MODES = ["serial", "pool", "dask"]
PARALLEL = ["pool", "dask"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real Dask cluster on this machine, two worker processes, shared by the module."""
    import distributed  # here, so that pool workers importing this module need not

    with warnings.catch_warnings():  # a status page moved off a busy port 8787
        warnings.filterwarnings("ignore", "Port .* is already in use", UserWarning)
        running = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    with running:
        yield running.scheduler_address


def where(mode: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """ordered_map's keywords for a mode (the cluster starts only when a test needs it)."""
    if mode == "serial":
        return {"jobs": 1}
    if mode == "pool":
        return {"jobs": 2}
    return {"dask": request.getfixturevalue("cluster")}


# ------------------------------------------------------------------ work functions


@dataclass(frozen=True)
class Scale:
    factor: int
    offset: int


def scaled(shared: Scale, item: int) -> tuple[int, float]:
    """The scaled item and when it was done; every third pair of items is slow, so with
    batches of two the batches finish out of order."""
    if (item // 2) % 3 == 0:
        time.sleep(0.03)
    return shared.factor * item + shared.offset, time.monotonic()


def worker_pid(shared: object, item: int) -> int:
    return os.getpid()


def scaled_with_a_bug(shared: Scale, item: int) -> int:
    if item == 13:
        raise ValueError(f"bug at item {item}")
    return shared.factor * item


class Unsendable(Exception):
    """An error that cannot be pickled, so cannot travel back from a worker as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


def failing_unsendably(shared: object, item: int) -> int:
    if item == 5:
        raise Unsendable(f"bug at item {item}")
    return item


def failing_with_a_match(shared: object, item: int) -> int:
    """A bug whose error holds a regex match: copied as itself, but never pickled."""
    if item == 5:
        raise ValueError(f"bug at item {item}", regex.match("b", "bug"))
    return item


class Counted:
    """A shared value that writes the id of every process that unpickles it to a file."""

    def __init__(self, log: Path, factor: int) -> None:
        self.log = log
        self.factor = factor

    def __reduce__(self) -> tuple[Any, tuple[Path, int]]:
        return revive, (self.log, self.factor)


def revive(log: Path, factor: int) -> Counted:
    with log.open("a", encoding="utf-8") as file:
        file.write(f"{os.getpid()}\n")
    return Counted(log, factor)


def counted(shared: Counted, item: int) -> int:
    return shared.factor * item


class Tripwire:
    """An anchor-word finder that goes off (a bug) in a text holding "TRIPWIRE"."""

    def __init__(self, finder: WordFinder) -> None:
        self.words = finder.words
        self.finder = finder

    def find(self, text: str) -> list[tuple[int, int, int]]:
        if "tripwire" in text:
            raise ValueError("bug in a document with a tripwire")
        return self.finder.find(text)


@dataclass(frozen=True)
class TrippedRules(RuleSet):
    """A rule set whose first look at a document (for its anchor words) goes off in a
    text holding "TRIPWIRE"; it travels to workers as any rule set does."""

    @functools.cached_property
    def anchor_automaton(self) -> Any:
        return Tripwire(super().anchor_automaton)


def with_a_tripwire(rules: RuleSet) -> RuleSet:
    return TrippedRules(**{f.name: getattr(rules, f.name) for f in dataclasses.fields(rules)})


# ------------------------------------------------------------------ order and equality


@pytest.mark.parametrize("mode", MODES)
def test_results_come_in_the_order_of_the_items(mode: str, request: pytest.FixtureRequest) -> None:
    items = range(60)
    results = list(ordered_map(scaled, Scale(3, 1), items, batch=2, **where(mode, request)))
    assert [value for value, _ in results] == [3 * item + 1 for item in items]
    if mode in PARALLEL:  # the order was restored, not merely kept
        finished = [done for _, done in results]
        assert finished != sorted(finished), "the batches all finished in order"


@pytest.mark.parametrize("dask", [None, LOCAL], ids=["pool", "local cluster"])
def test_the_workers_started_for_the_run_stop_when_the_consumer_stops_early(
    dask: str | None, capfd: pytest.CaptureFixture[str]
) -> None:
    results = ordered_map(worker_pid, None, itertools.count(), jobs=2, dask=dask, batch=3)
    pids = set(itertools.islice(results, 30))
    results.close()  # the consumer stops early
    assert pids and os.getpid() not in pids  # (one worker may have done all 10 batches)
    assert_gone(pids)
    assert capfd.readouterr() == ("", "")


def test_a_shared_cluster_is_left_without_tasks_when_the_consumer_stops_early(
    cluster: str,
) -> None:
    import distributed

    results = ordered_map(slowly, None, itertools.count(), dask=cluster, batch=2, window=4)
    assert list(itertools.islice(results, 3)) == [0, 1, 2]
    results.close()
    with distributed.Client(cluster, set_as_default=False) as client:
        deadline = time.monotonic() + 10
        while (left := client.run_on_scheduler(tasks_on_scheduler)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == 0
        assert client.run(runs_installed) == {worker: 0 for worker in client.nthreads()}


def slowly(shared: None, item: int) -> int:
    time.sleep(0.05)
    return item


def tasks_on_scheduler(dask_scheduler: Any) -> int:
    return len(dask_scheduler.tasks)


def runs_installed() -> int:
    """On a worker: how many runs' shared values it still holds."""
    return len(parallel._installed)


def assert_gone(pids: set[int]) -> None:
    """The workers have ended by the time `close()` returns: not left to a garbage collector."""
    alive = sorted(pid for pid in pids if running(pid))
    assert not alive, f"worker processes {alive} still run"


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# ------------------------------------------------------------------ shared once per worker


@pytest.mark.parametrize("mode", ["serial", "fork", "spawn", "dask"])
def test_shared_travels_once_per_worker_not_per_item(
    mode: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked workers find it in their memory (it is not sent at all); workers started
    otherwise, and Dask's, receive it once each."""
    log = tmp_path / "unpickled"
    log.touch()
    items = range(200)
    if mode in ("fork", "spawn"):
        monkeypatch.setattr(parallel, "start_method", lambda: mode)
    keywords = where("pool" if mode in ("fork", "spawn") else mode, request)
    results = list(ordered_map(counted, Counted(log, 5), items, batch=4, **keywords))
    assert results == [5 * item for item in items]
    unpickled_in = log.read_text(encoding="utf-8").split()
    if mode in ("serial", "fork"):
        assert unpickled_in == []
    else:  # 50 batches went out, to 2 workers
        assert 1 <= len(unpickled_in) <= 2
        assert len(set(unpickled_in)) == len(unpickled_in)
        assert str(os.getpid()) not in unpickled_in


# ------------------------------------------------------------------ lazy, bounded reading


@pytest.mark.parametrize("mode", MODES)
def test_items_are_read_a_bounded_distance_ahead(mode: str, request: pytest.FixtureRequest) -> None:
    read = 0

    def endless() -> Iterator[int]:
        nonlocal read
        for item in itertools.count():
            read += 1
            yield item

    batch, window = 4, 2
    results = ordered_map(
        identity, None, endless(), batch=batch, window=window, **where(mode, request)
    )
    for taken, value in enumerate(itertools.islice(results, 100), 1):
        assert value == taken - 1
        assert read <= taken + window * batch
    results.close()
    assert read <= 100 + window * batch


def identity(shared: None, item: int) -> int:
    return item


# ------------------------------------------------------------------ the real engine


def feed(tmp_path: Path) -> Path:
    """Every seed article as a JSON line, twice, with a broken line and a line without text."""
    lines = []
    for copy in range(2):
        for seed in sorted(SEEDS.glob("*.txt")):
            doc = {"id": f"{seed.stem}-{copy}", "text": seed.read_text(encoding="utf-8")}
            lines.append(json.dumps({**doc, "published": "2023-10-27"}, ensure_ascii=False))
        lines.append('{"id": "broken", "text": ')
        lines.append('{"id": "empty"}')
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lines_of(setup: tuple[RuleSet, Limits], item: Item) -> list[str]:
    """What `extract` writes for an item: its records as JSON lines, or why it has none."""
    rules, limits = setup
    if not isinstance(item, Document):
        return [f"{item.id}: unreadable: {item.reason}"]
    try:
        return [dumps(record) for record in extract_document(rules, item, limits)]
    except DocumentError as error:  # a failure travels back as a value, as in engine.batch
        return [f"{item.id}: failed: {error.reason}"]


def plain_loop(setup: tuple[RuleSet, Limits], inputs: list[str]) -> list[str]:
    """What the inputs give in one process, without ordered_map."""
    items = read_inputs(inputs, None, io.StringIO())
    return [line for item in items for line in lines_of(setup, item)]


@pytest.mark.parametrize("mode", MODES)
def test_the_engine_writes_the_same_bytes_however_it_runs(
    mode: str, request: pytest.FixtureRequest, tmp_path: Path, shipped_rules: RuleSet
) -> None:
    inputs = [str(SEEDS), str(feed(tmp_path))]
    setup = (shipped_rules, Limits())
    reference = plain_loop(setup, inputs)
    items = read_inputs(inputs, None, io.StringIO())
    results = ordered_map(lines_of, setup, items, batch=2, **where(mode, request))
    lines = [line for lines in results for line in lines]
    assert "\n".join(lines).encode() == "\n".join(reference).encode()
    assert sum(line.startswith('{"relation"') for line in lines) >= 30
    assert sum(": unreadable: " in line for line in lines) == 4


@pytest.mark.parametrize("mode", PARALLEL)
def test_a_document_that_fails_comes_back_as_a_value(
    mode: str, request: pytest.FixtureRequest, shipped_rules: RuleSet
) -> None:
    setup = (shipped_rules, Limits(steps=1, steps_per_token=0))
    items = read_inputs([str(SEEDS)], None, sys.stdin)
    results = list(ordered_map(lines_of, setup, items, batch=1, **where(mode, request)))
    seeds = sorted(path.name for path in SEEDS.glob("*.txt"))
    assert [lines[0].split(": ")[:2] for lines in results] == [[s, "failed"] for s in seeds]


def test_a_document_with_nothing_to_tell_comes_back_as_its_id(shipped_rules: RuleSet) -> None:
    """Most documents of a batch give no record: they travel back from a worker as their
    id alone (the cheapest result to send and count), which stands for an Outcome
    without records; a document with a record, a note or a failure comes back whole."""
    work = Work(shipped_rules)
    quiet = Document("calm", "Markets were calm on Monday.")
    meeting = Document("met", "Putin met Erdogan in Sochi on Monday.")
    noted = Document("noted", "Markets were calm on Monday.", notes=("decoded as Windows-1252",))
    failing = Document("failing", "Putin met Erdogan in Sochi on Monday.")
    assert process(work, quiet) == "calm"
    assert outcome_of("calm") == Outcome("calm", ())
    assert isinstance(process(work, meeting), Outcome) and process(work, meeting).records
    assert process(work, noted) == Outcome("noted", (), None, ("decoded as Windows-1252",))
    costly = Work(shipped_rules, Limits(steps=1, steps_per_token=0))
    assert process(costly, failing).problem[0] == "failed"  # type: ignore[union-attr]
    # asked for what --stats and --report show, the document comes back whole
    assert isinstance(process(Work(shipped_rules, marks=True), quiet), Outcome)
    stats = process(Work(shipped_rules, quiet=True), Document("c", "Talks with Iran were calm."))
    assert isinstance(stats, Outcome) and stats.quiet


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("mode", MODES)
def test_a_bug_in_the_work_stops_the_caller_where_the_plain_loop_would(
    mode: str, request: pytest.FixtureRequest
) -> None:
    keywords = where(mode, request)
    results = ordered_map(scaled_with_a_bug, Scale(2, 0), range(40), batch=4, **keywords)
    seen = []
    with pytest.raises(ValueError, match="bug at item 13") as raised:
        for value in results:
            seen.append(value)
    assert seen == [2 * item for item in range(13)]
    if mode in PARALLEL:
        assert isinstance(raised.value.__cause__, WorkerTraceback)
        assert "scaled_with_a_bug" in str(raised.value.__cause__)


@pytest.mark.parametrize("mode", PARALLEL)
def test_a_bug_in_the_middle_of_a_feed_block_stops_the_batch_after_the_documents_before_it(
    mode: str, request: pytest.FixtureRequest, tmp_path: Path, shipped_rules: RuleSet
) -> None:
    texts = [f"Putin met Erdogan in Sochi on Monday, report {n}." for n in range(120)]
    texts[70] = "A TRIPWIRE in document 70."
    path = tmp_path / "feed.jsonl"
    lines = [json.dumps({"id": f"d{n}", "text": text}) for n, text in enumerate(texts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    work = Work(with_a_tripwire(shipped_rules))
    pieces = list(read_pieces([str(path)], None, io.StringIO()))
    assert len(pieces) == 1  # the whole feed is one block: one task

    one_at_a_time: list[Outcome] = []
    with pytest.raises(ValueError, match="tripwire"):
        for found in each_document(pieces):
            one_at_a_time.append(process(work, found))
    assert len(one_at_a_time) == 70
    assert all(outcome.records for outcome in one_at_a_time)

    every = tasks(pieces, BATCH)
    keywords = where(mode, request)
    results = ordered_flat_map(process, work, every, task_documents, batch=1, **keywords)
    spread: list[Outcome] = []
    with pytest.raises(ValueError, match="tripwire") as raised:
        for outcome in results:
            spread.append(outcome)
    assert spread == one_at_a_time
    assert isinstance(raised.value.__cause__, WorkerTraceback)
    worker = str(raised.value.__cause__)  # the worker's traceback, down to the bug
    assert 'raise ValueError("bug in a document with a tripwire")' in worker


@pytest.mark.parametrize("mode", PARALLEL)
def test_an_error_that_cannot_travel_still_stops_the_caller(
    mode: str, request: pytest.FixtureRequest
) -> None:
    results = ordered_map(failing_unsendably, None, range(20), batch=3, **where(mode, request))
    with pytest.raises(RuntimeError, match="Unsendable: bug at item 5"):
        list(results)
    results = ordered_map(failing_with_a_match, None, range(20), batch=3, **where(mode, request))
    seen = []
    with pytest.raises(RuntimeError, match="ValueError: .*bug at item 5"):
        for value in results:
            seen.append(value)
    assert seen == [0, 1, 2, 3, 4]


def killing_itself(shared: None, item: int) -> int:
    """Its worker's pid; item 13 kills its worker, as the kernel kills a process out of
    memory."""
    if item == 13:
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def exiting(shared: None, item: int) -> int:
    """Its worker's pid; item 13 ends its worker at once, with exit status 3."""
    if item == 13:
        os._exit(3)
    return os.getpid()


@pytest.mark.parametrize(
    ("work", "how"),
    [(killing_itself, "killed by SIGKILL; out of memory?"), (exiting, "exit status 3")],
)
def test_a_worker_that_dies_stops_the_caller_after_results_before_its_task(
    work: Any, how: str
) -> None:
    results = ordered_map(work, None, range(40), jobs=2, batch=2)
    seen = []
    expected = rf"ended before its work was done \({regex.escape(how)}\)"
    with pytest.raises(WorkerLost, match=expected):
        for pid in results:
            seen.append(pid)
    assert len(seen) <= 12  # at most the tasks before the one of item 13
    assert_gone(set(seen))  # the other worker is stopped too


def returning_a_lock(shared: None, item: int) -> object:
    return threading.Lock() if item == 7 else item


def test_results_that_cannot_travel_back_stop_the_caller() -> None:
    results = ordered_map(returning_a_lock, None, range(20), jobs=2, batch=3)
    seen = []
    with pytest.raises(TypeError, match="cannot pickle"):
        for value in results:
            seen.append(value)
    assert seen == [0, 1, 2, 3, 4, 5]  # those of the tasks before the one of item 7


def test_an_unreachable_scheduler_is_a_usage_error_quickly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("engine.parallel.SCHEDULER_SECONDS", 1.0)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    started = time.monotonic()
    with pytest.raises(UsageError, match=address):
        next(ordered_map(identity, None, range(3), dask=address))
    assert time.monotonic() - started < 5


class Unloadable:
    """A shared value that no worker can unpickle, as on a worker without the engine."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return cannot_load, ()


def cannot_load() -> None:
    raise ModuleNotFoundError("No module named 'engine'")


def test_workers_that_cannot_load_the_rules_are_a_usage_error(cluster: str) -> None:
    with pytest.raises(UsageError, match="No module named 'engine'"):
        next(ordered_map(identity, Unloadable(), range(3), dask=cluster))


def test_a_malformed_address_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="8786"):
        next(ordered_map(identity, None, range(3), dask="10.0.0.5 8786"))


def test_dask_without_distributed_installed_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(UsageError, match=r"dask\[distributed\]"):
        next(ordered_map(identity, None, range(3), dask=LOCAL))


def test_work_that_cannot_be_sent_is_refused_before_any_process_starts() -> None:
    def nested(shared: None, item: int) -> int:
        return item

    for work in (nested, lambda shared, item: item):
        with pytest.raises(TypeError, match="module level"):
            ordered_map(work, None, range(3), jobs=2)


def test_the_default_number_of_jobs_is_the_cores_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert 1 <= available_cores() <= (os.cpu_count() or 1)
    # `taskset -c 0,2`: two cores of however many the machine has
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2}, raising=False)
    assert available_cores() == 2


@pytest.mark.parametrize("keywords", [{"jobs": 0}, {"batch": 0}, {"window": 0}])
def test_sizes_below_one_are_refused(keywords: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        ordered_map(identity, None, range(3), **keywords)


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_every_way_workers_start_gives_the_same_bytes(
    method: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shipped_rules: RuleSet
) -> None:
    """Forked workers find the rule set in their memory; the others receive it."""
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    inputs = [str(SEEDS), str(feed(tmp_path))]
    setup = (shipped_rules, Limits())
    reference = plain_loop(setup, inputs)
    items = read_inputs(inputs, None, io.StringIO())
    results = ordered_map(lines_of, setup, items, jobs=2, batch=2)
    assert [line for lines in results for line in lines] == reference


def test_workers_are_forked_only_from_a_process_with_one_thread() -> None:
    import subprocess

    from conftest import ROOT

    alone = subprocess.run(
        [sys.executable, "-c", "from engine import parallel; print(parallel.start_method())"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    assert alone.stdout.strip() == "fork"  # a fresh process runs one thread
    started = threading.Event()
    stop = threading.Event()

    def wait() -> None:
        started.set()
        stop.wait()

    other = threading.Thread(target=wait)
    other.start()
    started.wait()
    try:
        assert parallel.start_method() in {"forkserver", "spawn"}
    finally:
        stop.set()
        other.join()


# ------------------------------------------------------------------ the forked workers' memory

SIZE_CLASS_ROW = regex.compile(r"^ *\d+ +(\d+) +\d+ +\d+ +(\d+) *$", regex.M)


def free_bytes_in_used_pools(capfd: pytest.CaptureFixture[str]) -> int:
    """What Python's small-object allocator has free in the pools it uses, read from its
    own statistics (written to the C standard error)."""
    capfd.readouterr()
    sys._debugmallocstats()
    table = capfd.readouterr().err
    return sum(int(size) * int(free) for size, free in SIZE_CLASS_ROW.findall(table))


def test_the_holes_in_the_allocators_pools_are_filled(capfd: pytest.CaptureFixture[str]) -> None:
    """The blocks freed here are filled, so that a forked worker's objects do not land
    among the pages it shares with this process (each page written there is copied)."""
    made = [str(number) * (number % 40) for number in range(200_000)]
    del made[::2]  # every other block of every pool freed
    before = free_bytes_in_used_pools(capfd)
    filled = parallel.filled_holes()
    after = free_bytes_in_used_pools(capfd)
    assert before > 2_000_000
    assert after < before / 20
    assert len(filled) > 10_000
    del made, filled


@pytest.mark.parametrize("broken", ["missing", "another table"])
def test_workers_start_alike_when_the_allocator_cannot_be_read(
    broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if broken == "missing":  # another Python
        monkeypatch.delattr(sys, "_debugmallocstats")
    else:  # another allocator (PYTHONMALLOC=malloc: no table at all)
        monkeypatch.setattr(sys, "_debugmallocstats", lambda: None)
    assert parallel.filled_holes() == []
    assert list(ordered_map(identity, None, range(20), jobs=2, batch=3)) == list(range(20))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_holes_are_filled_before_workers_are_forked_and_kept_while_they_work(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    class Filling(list[object]):
        def __del__(self) -> None:
            events.append("dropped")

    def fill() -> list[object]:
        events.append("filled")
        return Filling()

    start = parallel._Worker.start.__func__  # type: ignore[attr-defined]

    def started(cls: type, context: Any, shared: object, workers: list[Any]) -> Any:
        events.append("worker")
        return start(cls, context, shared, workers)

    monkeypatch.setattr(parallel, "start_method", lambda: method)
    monkeypatch.setattr(parallel, "filled_holes", fill)
    monkeypatch.setattr(parallel._Worker, "start", classmethod(started))
    for number in ordered_map(identity, None, range(5), jobs=2):
        events.append(f"result {number}")
    results = [f"result {number}" for number in range(5)]
    if method == "fork":  # kept until the workers have ended
        assert events == ["filled", "worker", "worker", *results, "dropped"]
    else:  # a spawned worker shares no memory with this process
        assert events == ["worker", "worker", *results]
