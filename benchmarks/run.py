"""Throughput, scaling and memory of `extract`, side by side with a floor and with spaCy.

    python benchmarks/run.py [--data ../shared/data] [--quick]

See benchmarks/README.md for what is measured and what every column means.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import importlib.metadata
import importlib.util
import json
import multiprocessing
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
import packs  # noqa: E402
import petrarch  # noqa: E402

CORPUS = "reuters21578.jsonl.gz"
QUICK_DOCS, QUICK_SCALE_DOCS, QUICK_MEMORY_DOCS = 2000, 500, 200
RULE_COUNTS = (10, 100, 1000)
GAZETTEER_SIZES = (1000, 8000)  # and the whole PETRARCH2 gazetteer
MULTIPLES = (1, 4, 16)
# The timed runs of sections 1 to 4 are made this many times, in rounds (each system or
# pack in turn), and the fastest run of each is reported: on a virtual machine whose CPUs other
# machines share, a single run can say more about the neighbours than about the system
ROUNDS = 3
# --jobs 1 and --jobs 2 are compared over more pairs of runs (the rounds', then pairs of
# their own): how fast two processes go depends most on what the neighbours do
JOBS_ROUNDS = 6
# ... and over the corpus repeated LONG_MULTIPLE times, in LONG_PAIRS pairs: a long batch,
# on which what each worker costs once (its start, the rule set's memory pages it writes
# to and must copy, its own caches filling) weighs little, as on years of news
LONG_MULTIPLE, LONG_PAIRS = 4, 3
PURE_LABEL = "extract --jobs 1, pure-Python build (NEWSRULES_COMPILE=0)"
FLAT = 1.20  # memory is "flat" when the peak at 16x is within 20 % of the peak at 1x

TARGETS = {
    "floor": 1 / 3,  # extract MB/s >= 1/3 of the floor's, one core
    "spacy": 5.0,  # extract MB/s >= 5x spaCy's
    "jobs": 1.8,  # --jobs 2 >= 1.8x --jobs 1
    "rules": 2.0,  # 1,000 rules cost <= 2x 10 rules
    "memory_mb": 500.0,  # peak per worker
    "cold_s": 2.0,
    "warm_s": 0.3,
}

SUMMARY = re.compile(
    r"extract: (\d+) documents read.*?(\d+) processed, (\d+) failed; records: (.*?); ([\d.]+) s"
)


# ------------------------------------------------------------------ corpus


@dataclass(frozen=True)
class Doc:
    id: str
    published: str
    text: str


def joined_text(record: dict[str, Any]) -> str:
    """What every system reads: title, dateline and body joined by line breaks (the empty
    ones left out). `extract` reads only a JSON line's "text", so the benchmark's input
    files carry this joined text there."""
    parts = (record.get("title") or "", record.get("dateline") or "", record.get("text") or "")
    return "\n".join(p for p in parts if p)


def read_corpus(path: Path) -> list[Doc]:
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            docs.append(Doc(str(record["id"]), record.get("published") or "", joined_text(record)))
    return docs


def write_jsonl(docs: Iterable[Doc], path: Path, repeat: int = 1) -> tuple[int, int]:
    """Write {"id", "published", "text"} lines (the corpus `repeat` times over, ids made
    unique); return (documents, bytes of text)."""
    count = size = 0
    with path.open("w", encoding="utf-8") as out:
        docs = list(docs)
        for copy in range(repeat):
            for doc in docs:
                doc_id = doc.id if copy == 0 else f"{doc.id}~{copy + 1}"
                line = {"id": doc_id, "published": doc.published, "text": doc.text}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                count += 1
                size += len(doc.text.encode("utf-8"))
    return count, size


@dataclass(frozen=True)
class Input:
    path: Path
    docs: int
    bytes: int

    @property
    def mb(self) -> float:
        return self.bytes / 1e6


# ------------------------------------------------------------------ results


@dataclass
class Result:
    """One measured run of one system."""

    label: str
    docs: int
    mb: float
    setup_s: float | None = None  # everything before the first document
    run_s: float | None = None  # processing the documents
    wall_s: float | None = None  # the whole process
    peak_mb: float | None = None
    tree_mb: float | None = None
    hits: int | None = None
    records: int | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.run_s is not None and self.run_s > 0

    @property
    def mb_s(self) -> float | None:
        return self.mb / self.run_s if self.ok else None  # type: ignore[operator]

    @property
    def docs_s(self) -> float | None:
        return self.docs / self.run_s if self.ok else None  # type: ignore[operator]

    @property
    def mb_s_wall(self) -> float | None:
        return self.mb / self.wall_s if self.wall_s else None


# a --jobs 1 run, the --jobs 2 run beside it (None: no --jobs) and the machine's ceiling
# measured after them (two_process_ceiling)
Pair = tuple[Result, Result | None, float | None]


def fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if value != 0 and abs(value) < 10 ** (-digits):
        return f"{value:.{digits}g}"
    return f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = []
    for row in [list(headers), ["-" * w for w in widths], *rows]:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def verdict(value: float | None, target: float, at_least: bool) -> str:
    if value is None:
        return "n/a"
    met = value >= target if at_least else value <= target
    return "met" if met else "NOT met"


# ------------------------------------------------------------------ the benchmark


class Bench:
    def __init__(
        self, args: argparse.Namespace, work: Path, root: Path = ROOT, cache: str = "cache"
    ) -> None:
        self.args = args
        self.work = work
        self.root = root  # where the engine package is imported from
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        self.cache = work / cache  # the compiled-rule cache the throughput runs share
        self.cache.mkdir()
        self.env["NEWSRULES_CACHE"] = str(self.cache)
        self.help = ""
        self.jobs = False
        self.cache_flag = False
        self.cache_supported = False

    def log(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # -------------------------------------------------------------- extract

    def extract_argv(self, pack: Path, source: Path, output: Path, jobs: int) -> list[str]:
        argv = [sys.executable, "-m", "engine.cli", "--rules", str(pack), str(source)]
        argv += ["-o", str(output)]
        if self.jobs:
            argv += ["--jobs", str(jobs)]
        if "--no-progress" in self.help:
            argv.append("--no-progress")  # (shown only on a terminal anyway)
        return argv

    def extract(
        self,
        label: str,
        pack: Path,
        source: Input,
        jobs: int = 1,
    ) -> Result:
        output = self.work / "out.jsonl"
        warm = None
        if self.cache_supported:  # start warm: fill the cache just before (its key covers
            # the engine's source, so an edit of the engine since the last run is a miss)
            warm = self.compile_only(f"{label}: warming the cache", pack, self.cache)
        argv = self.extract_argv(pack, source.path, output, jobs)
        self.log(f"{label}: extract on {source.docs:,} docs ({source.mb:.2f} MB) ...")
        run = measure.run(argv, cwd=str(self.root), env=self.env, timeout=self.args.timeout)
        result = Result(
            label,
            source.docs,
            source.mb,
            wall_s=run.wall_s,
            peak_mb=run.peak_mb,
            tree_mb=run.tree_mb,
        )
        summary = SUMMARY.search(run.stderr)
        if run.timed_out:
            result.note = f"killed after {self.args.timeout:.0f} s (--timeout)"
            result.wall_s = None
        elif summary is None:
            tail = " | ".join(run.stderr.strip().splitlines()[-3:])
            result.note = f"exit {run.returncode}, no summary: {tail[:300]}"
        else:
            read, processed, failed, records, seconds = summary.groups()
            result.run_s = float(seconds)
            result.setup_s = max(0.0, run.wall_s - result.run_s)
            if warm is not None and warm.wall_s and result.setup_s > warm.wall_s + 1.0:
                result.note = f"setup {result.setup_s:.1f} s: rules recompiled? "
            found = re.search(r"MEETING (\d+)", records)
            result.records = int(found.group(1)) if found else 0
            if int(failed):
                skipped = re.findall(r"^extract: skipped (.*)$", run.stderr, re.MULTILINE)
                why = f" ({'; '.join(skipped[:2])})" if skipped else ""
                result.note += f"{failed}/{read} failed{why}"
            elif run.returncode not in (0, 1):
                result.note += f"exit {run.returncode}"
        if output.is_file():
            result.extra["sha256"] = hashlib.sha256(output.read_bytes()).hexdigest()
            output.unlink()
        self.log(f"{label}: {self.describe(result)}")
        return result

    def jobs_pair(self, suffix: str, pack: Path, source: Input) -> Pair:
        """`extract --jobs 1`, then `--jobs 2`, on the same input, and the machine's
        ceiling right after them."""
        one = self.extract("extract --jobs 1" + suffix, pack, source)
        two = self.extract("extract --jobs 2" + suffix, pack, source, jobs=2)
        return one, two, two_process_ceiling()

    def compile_only(self, label: str, pack: Path, cache: Path) -> Result:
        """Time `extract` on an empty input: start, load and compile the rules, stop."""
        empty = self.work / "empty.jsonl"
        empty.touch()
        output = self.work / "out-empty.jsonl"
        env = dict(self.env, NEWSRULES_CACHE=str(cache))
        argv = self.extract_argv(pack, empty, output, 1)
        run = measure.run(argv, cwd=str(self.root), env=env, timeout=self.args.timeout)
        output.unlink(missing_ok=True)
        result = Result(label, 0, 0.0, wall_s=run.wall_s, peak_mb=run.peak_mb, tree_mb=run.tree_mb)
        if run.returncode != 0:
            tail = " | ".join(run.stderr.strip().splitlines()[-3:])
            result.note = f"exit {run.returncode}: {tail[:300]}"
        self.log(f"{label}: {run.wall_s:.2f} s wall, peak {run.peak_mb:.0f} MB")
        return result

    def startup(self) -> float:
        """Wall time of a Python process that only imports the command line (best of 3)."""
        argv = [sys.executable, "-c", "import engine.cli"]
        return min(measure.run(argv, cwd=str(self.root), env=self.env).wall_s for _ in range(3))

    # -------------------------------------------------------------- baselines

    def baseline(self, system: str, phrases: Path, source: Input, suffix: str = "") -> Result:
        names = {"floor": "floor: pyahocorasick", "spacy": "spaCy blank + PhraseMatcher + Matcher"}
        label = names[system] + suffix
        module = {"floor": "ahocorasick", "spacy": "spacy"}[system]
        if importlib.util.find_spec(module) is None:
            package = {"floor": "pyahocorasick", "spacy": "spacy"}[system]
            return Result(label, source.docs, source.mb, note=f"n/a ({package} not installed)")
        self.log(f"{label} on {source.docs:,} docs ...")
        argv = [sys.executable, str(HERE / "baselines.py"), system, str(phrases), str(source.path)]
        run = measure.run(argv, cwd=str(self.root), env=self.env, timeout=self.args.timeout)
        result = Result(
            label,
            source.docs,
            source.mb,
            wall_s=run.wall_s,
            peak_mb=run.peak_mb,
            tree_mb=run.tree_mb,
        )
        if run.returncode != 0 or not run.stdout.strip():
            result.note = f"exit {run.returncode}: {run.stderr.strip()[-300:]}"
            return result
        out = json.loads(run.stdout)
        result.setup_s, result.run_s = out["setup_s"], out["scan_s"]
        result.hits, result.records = out["hits"], out["matches"]
        result.extra = out
        if out["docs"] != source.docs or abs(out["bytes"] / 1e6 - source.mb) > 1e-6:
            result.note = "read a different corpus?!"
        self.log(f"{label}: {self.describe(result)}")
        return result

    @staticmethod
    def describe(result: Result) -> str:
        if not result.ok:
            return result.note or "failed"
        return (
            f"{fmt(result.mb_s, 3)} MB/s, {fmt(result.docs_s, 1)} docs/s, "
            f"run {result.run_s:.1f} s, "
            f"wall {fmt(result.wall_s, 1)} s, peak {fmt(result.peak_mb, 0)} MB"
            + (f" ({result.note})" if result.note else "")
        )


def pair_json(pair: Pair) -> dict[str, Any]:
    """A pair of --jobs 1 and --jobs 2 runs and the machine's ceiling after it, for --json."""
    one, two, ceiling = pair
    return {"jobs1": vars(one), "jobs2": None if two is None else vars(two), "ceiling": ceiling}


def parallel_report(pairs: list[Pair]) -> list[str]:
    """The lines of section 3 for pairs of --jobs 1 and --jobs 2 runs on one input (with
    the machine's ceiling measured after each): every run, the speed-up of the fastest
    --jobs 2 run over the fastest --jobs 1 run against the target, each pair's own."""
    jobs1 = fastest([one for one, _, _ in pairs])
    jobs2 = fastest([two for _, two, _ in pairs if two is not None])
    speedup = jobs1.run_s / jobs2.run_s if jobs1.ok and jobs2.ok else None  # type: ignore[operator]
    wall_speedup = jobs1.wall_s / jobs2.wall_s if jobs1.wall_s and jobs2.wall_s else None
    runs = [r for one, two, _ in pairs for r in (one, two) if r is not None]
    rows = [
        [
            r.label,
            fmt(r.run_s, 2),
            fmt(r.mb_s, 3),
            fmt(r.wall_s, 1),
            fmt(r.peak_mb, 0),
            fmt(r.tree_mb, 0),
            fmt(r.records),
            r.note,
        ]
        for r in runs
    ]
    headers = ["run", "run s", "MB/s", "wall s", "peak MB/process", "peak MB/tree", "meetings"]
    same = all(same_output(r, runs[0]) for r in runs)
    return [
        table([*headers, "note"], rows),
        f"speed-up = {fmt(speedup, 2)}: the fastest --jobs 1 run ({fmt(jobs1.run_s, 2)} s) "
        f"over the fastest --jobs 2 run ({fmt(jobs2.run_s, 2)} s) of {len(pairs)} pairs "
        f"(target >= {TARGETS['jobs']}: {verdict(speedup, TARGETS['jobs'], True)}); "
        f"on wall time {fmt(wall_speedup, 2)}; "
        f"outputs byte-identical: {'yes' if same else 'NO'}",
        "pair by pair: "
        + "; ".join(
            f"{fmt(one.run_s / two.run_s if two is not None and one.ok and two.ok else None, 2)} "  # type: ignore[operator]
            f"(machine's ceiling {fmt(ceiling, 2)})"
            for one, two, ceiling in pairs
        ),
    ]


# ------------------------------------------------------------------ machine


def _burn(steps: int) -> int:
    total = 0
    for step in range(steps):
        total += step * step
    return total


def same_output(one: Result, other: Result) -> bool:
    """Did both runs write an output, the same bytes?"""
    digest = one.extra.get("sha256")
    return digest is not None and digest == other.extra.get("sha256")


def fastest(results: list[Result], wall: bool = False) -> Result:
    """The run that took least time, processing or (`wall`) in all; a failed run only
    when all failed."""

    def taken(result: Result) -> float | None:
        if wall:
            return result.wall_s if result.wall_s and not result.note else None
        return result.run_s if result.ok else None

    done = [r for r in results if taken(r) is not None]
    return min(done, key=lambda r: taken(r) or 0.0) if done else results[0]


def two_process_ceiling(steps: int = 20_000_000) -> float:
    """How much faster two processes do two equal CPU-bound tasks than one process does
    both: on a virtual machine whose two CPUs are shared, well below 2."""
    started = time.perf_counter()
    _burn(steps)
    _burn(steps)
    alone = time.perf_counter() - started
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_burn, [1000, 1000])  # the workers are up before the clock starts
        started = time.perf_counter()
        pool.map(_burn, [steps, steps], chunksize=1)
        together = time.perf_counter() - started
    return alone / together


def compiled_modules() -> list[str]:
    """The modules the compiled build compiles (`[tool.newsrules] compiled`)."""
    with (ROOT / "pyproject.toml").open("rb") as stream:
        return list(tomllib.load(stream)["tool"]["newsrules"]["compiled"])


def compiled_engine(work: Path) -> Path | str:
    """A copy of the engine built as `pip install .` builds it where a C compiler is found
    (the compiled modules beside the others), as its root folder; or why there is none."""
    if importlib.util.find_spec("mypyc") is None:
        return "n/a (mypy, which has mypyc, is not installed)"
    root = work / "compiled"
    root.mkdir()
    shutil.copytree(ROOT / "engine", root / "engine")
    shutil.copy(ROOT / "pyproject.toml", root)  # the mypy settings
    files = [f"engine/{name}.py" for name in compiled_modules()]
    done = measure.run([sys.executable, "-m", "mypyc", *files], cwd=str(root), timeout=900)
    if done.returncode != 0:
        return f"n/a (mypyc failed: {done.stderr.strip()[-200:] or done.stdout.strip()[-200:]})"
    return root


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for package in ("ahocorasick-rs", "pyahocorasick", "spacy", "psutil"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "engine", "rules")
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{cpu}, {os.cpu_count()} CPUs, {memory}",
        "system": f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "packages": ", ".join(versions),
        "engine": f"commit {commit or '?'}" + (" + uncommitted changes" if dirty else ""),
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def fingerprint() -> str:
    """A digest of the engine's and the shipped rules' files: a change during a run (someone
    editing the engine meanwhile) makes its numbers a mix of two engines."""
    digest = hashlib.sha256()
    for folder in ("engine", "rules"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ------------------------------------------------------------------ main


def find_data(given: str | None) -> Path:
    if given is None:
        return (ROOT / ".." / "shared" / "data").resolve()
    path = Path(given).expanduser()
    if not path.is_absolute() and not path.exists() and (ROOT / path).exists():
        path = ROOT / path  # relative to the repository root, like the default
    return path.resolve()


def check_data(data: Path) -> str | None:
    if not data.is_dir():
        return (
            f"no benchmark data folder at {data}\nGive it with --data DIR (default: "
            f"../shared/data from the repository root); it holds {CORPUS} and petrarch2/."
        )
    wanted = [data / CORPUS] + [data / "petrarch2" / name for name in petrarch.ACTOR_FILES]
    wanted.append(data / "petrarch2" / "CAMEO.2.0.txt")
    missing = [str(p) for p in wanted if not p.is_file()]
    if not missing:
        return None
    return (
        f"benchmark data not found: {', '.join(missing)}\n"
        f"Give the data folder with --data DIR (default: ../shared/data next to the repository, "
        f"i.e. {ROOT.parent / 'shared' / 'data'}); it holds {CORPUS} and petrarch2/ "
        f"(see that folder's README.md)."
    )


def at_least_one(text: str) -> int:
    """A count of runs: a whole number, 1 or more (no run has no fastest)."""
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Benchmark extract against a pyahocorasick floor and spaCy.",
    )
    parser.add_argument("--data", help="data folder (default: ../shared/data from the repo root)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"development run: {QUICK_DOCS} documents side by side, {QUICK_SCALE_DOCS} for "
        f"the scaling runs, {QUICK_MEMORY_DOCS} as the 1x of the memory runs",
    )
    parser.add_argument("--docs", type=int, help="documents for the side-by-side run (default all)")
    parser.add_argument(
        "--scale-docs", type=int, help="documents for the rule and gazetteer scaling runs"
    )
    parser.add_argument(
        "--memory-docs", type=int, help="documents of the 1x corpus of the memory runs"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="kill an extract run after this many seconds (default %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=at_least_one,
        default=ROUNDS,
        help="timed runs of each system in sections 1-3 and of each rule-count pack "
        "(section 4); the fastest is reported "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--jobs-rounds",
        type=at_least_one,
        default=JOBS_ROUNDS,
        help="pairs of --jobs 1 and --jobs 2 runs in section 3, the rounds' included; the "
        "fastest of each is compared (default %(default)s)",
    )
    parser.add_argument(
        "--long-pairs",
        type=int,
        default=LONG_PAIRS,
        help=f"pairs of --jobs 1 and --jobs 2 runs in section 3 over the side-by-side input "
        f"repeated {LONG_MULTIPLE} times (0: none; default %(default)s)",
    )
    parser.add_argument(
        "--no-compiled",
        dest="compiled",
        action="store_false",
        help="measure the pure-Python build only (what pip install . makes without a C "
        "compiler); by default every section measures the compiled build, which mypyc must "
        "make first (needs mypy and a C compiler), and section 1 the pure one beside it",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    default_docs = QUICK_DOCS if args.quick else None
    args.docs = args.docs or default_docs
    args.scale_docs = args.scale_docs or (QUICK_SCALE_DOCS if args.quick else args.docs)
    args.memory_docs = args.memory_docs or (QUICK_MEMORY_DOCS if args.quick else args.docs)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data = find_data(args.data)
    problem = check_data(data)
    if problem:
        print(f"run.py: {problem}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="newsrules-bench-"))
    try:
        return benchmark(args, data, work)
    finally:
        if args.keep:
            print(f"(temporary folder kept: {work})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def benchmark(args: argparse.Namespace, data: Path, work: Path) -> int:
    # `bench` runs what `pip install .` builds where a C compiler is found: the compiled
    # build, in every section; the pure-Python build (`pure`) runs beside it in section 1
    pure = Bench(args, work)
    bench, build = pure, "pure Python (--no-compiled)"
    if args.compiled:
        pure.log("compiling the compiled build's modules with mypyc ...")
        root = compiled_engine(work)
        if isinstance(root, str):
            build = f"pure Python: the compiled build could not be made, {root}"
        else:
            bench = Bench(args, work, root, "cache-mypyc")
            build = (
                f"compiled by mypyc ({', '.join(compiled_modules())}), as `pip install .` "
                "builds it where a C compiler is found; the pure-Python build beside it in 1"
            )
    other = pure if bench is not pure else None
    info = machine()
    info["load average at start"] = load()
    engine_at_start = fingerprint()
    started = time.perf_counter()

    # ---- corpus and inputs
    bench.log(f"reading {data / CORPUS}")
    corpus = read_corpus(data / CORPUS)

    def make_input(name: str, count: int | None, repeat: int = 1) -> Input:
        docs = corpus if count is None else corpus[:count]
        n, size = write_jsonl(docs, work / f"{name}.jsonl", repeat)
        return Input(work / f"{name}.jsonl", n, size)

    main_input = make_input("corpus", args.docs)
    scale_input = (
        main_input if args.scale_docs == args.docs else make_input("scale", args.scale_docs)
    )

    # ---- the gazetteer and the packs
    bench.log("converting the PETRARCH2 actor dictionaries")
    entries, counts = petrarch.convert(petrarch.read_dictionaries(data / "petrarch2"))
    total_phrases = petrarch.phrase_count(entries)
    header = petrarch.HEADER.format(
        files=", ".join(petrarch.ACTOR_FILES), entries=counts.entries, phrases=total_phrases
    )
    packs_dir = work / "packs"
    pack = packs.copy_shipped(ROOT / "rules", packs_dir / "benchmark", entries, header)
    shipped_rules = packs.count_rules(pack)
    gazetteer_packs: list[tuple[int, int, Path]] = []  # phrases wanted, phrases, pack
    for size in GAZETTEER_SIZES:
        chosen = petrarch.sample(entries, size)
        path = packs.with_actors(pack, packs_dir / f"actors-{size}", chosen, header)
        gazetteer_packs.append((size, petrarch.phrase_count(chosen), path))
    gazetteer_packs.append((total_phrases, total_phrases, pack))

    bench.log("choosing rare CAMEO verbs for the generated rules")
    words = packs.word_counts(doc.text for doc in corpus)  # always the whole corpus
    verbs = packs.rare_verbs(
        packs.cameo_verbs(data / "petrarch2" / "CAMEO.2.0.txt"),
        words,
        packs.meeting_words((pack / "meeting.rules").read_text(encoding="utf-8")),
        max(RULE_COUNTS) - 10,
    )
    rule_packs = [
        (n, packs.rule_count_pack(pack, packs_dir / f"rules-{n}", n, verbs)) for n in RULE_COUNTS
    ]
    verb_hits = sum(count for _, _, count in verbs)

    # the phrases the baselines look for: the benchmark pack's three gazetteers
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    phrases: dict[str, list[str]] = {"ACTOR": [f for e in entries for f in e.forms]}
    for label, name in (("CITY", "cities.yaml"), ("NATIONALITY", "nationalities.yaml")):
        loaded = yaml.load((pack / "gazetteers" / name).read_text(encoding="utf-8"), loader)
        phrases[label] = [f for e in loaded for f in [e["name"], *e.get("aliases", [])]]
    phrases_file = work / "phrases.json"
    phrases_file.write_text(json.dumps(phrases, ensure_ascii=False), encoding="utf-8")
    all_keys = {" ".join(p.lower().split()) for ps in phrases.values() for p in ps}

    # ---- what the command line supports
    done = measure.run([sys.executable, "-m", "engine.cli", "--help"], cwd=str(ROOT), env=bench.env)
    bench.help = done.stdout + done.stderr
    bench.jobs = "--jobs" in bench.help
    bench.cache_flag = "cache" in bench.help.lower()
    pure.help, pure.jobs, pure.cache_flag = bench.help, bench.jobs, bench.cache_flag

    # ---- compile: cold (empty cache) and warm (the same cache again), best of the rounds
    bench.log("compile-only runs (empty input)")
    startup = bench.startup()
    colds, seconds = [], []
    cold_cache = work / "cache-cold"
    for number in range(args.rounds):
        empty_cache = cold_cache if number == 0 else work / f"cache-cold-{number}"
        empty_cache.mkdir()
        colds.append(bench.compile_only("compile, cold cache", pack, empty_cache))
        seconds.append(bench.compile_only("compile, second run", pack, empty_cache))
    cold, second = fastest(colds, wall=True), fastest(seconds, wall=True)
    cache_written = any(cold_cache.iterdir())
    cache_supported = bench.cache_supported = cache_written or bench.cache_flag
    pure.cache_supported = cache_supported

    # ---- side by side, and --jobs 2: in rounds, each system in turn, the fastest kept
    rounds: list[Pair] = []
    floors, spacys, pure_runs = [], [], []
    for number in range(1, args.rounds + 1):
        suffix = "" if number == 1 else f" (round {number})"
        label = "extract --jobs 1" if bench.jobs else "extract"
        one = bench.extract(label + suffix, pack, main_input)
        if other is not None:
            pure_runs.append(other.extract(PURE_LABEL + suffix, pack, main_input))
        floors.append(bench.baseline("floor", phrases_file, main_input, suffix))
        spacys.append(bench.baseline("spacy", phrases_file, main_input, suffix))
        two = None
        if bench.jobs:
            two = bench.extract("extract --jobs 2" + suffix, pack, main_input, jobs=2)
        rounds.append((one, two, two_process_ceiling() if bench.jobs else None))
    ex = fastest([one for one, _, _ in rounds])
    floor, spacy = fastest(floors), fastest(spacys)
    pairs = list(rounds)  # --jobs 1 vs 2: the rounds' runs, then pairs of their own
    for number in range(len(rounds) + 1, args.jobs_rounds + 1 if bench.jobs else 0):
        pairs.append(bench.jobs_pair(f" (pair {number})", pack, main_input))
    long_pairs: list[Pair] = []
    long_input = None
    if bench.jobs and args.long_pairs > 0:
        long_input = make_input(f"corpus-x{LONG_MULTIPLE}", args.docs, LONG_MULTIPLE)
        for number in range(1, args.long_pairs + 1):
            suffix = f" x{LONG_MULTIPLE} (pair {number})"
            long_pairs.append(bench.jobs_pair(suffix, pack, long_input))
        long_input.path.unlink()
    jobs2 = fastest([two for _, two, _ in pairs if two is not None]) if bench.jobs else None

    pure_run = fastest(pure_runs) if pure_runs else None
    if pure_run is not None and not same_output(pure_run, ex):
        pure_run.note += " OUTPUT DIFFERS from the compiled build's run (or is missing)"

    # ---- rule count: in rounds too (each pack in turn), the fastest of each kept, as the
    # target compares two of them
    rule_runs: dict[int, list[Result]] = {n: [] for n, _ in rule_packs}
    for number in range(1, args.rounds + 1):
        suffix = "" if number == 1 else f" (round {number})"
        for n, path in rule_packs:
            rule_runs[n].append(bench.extract(f"{n:,} rules{suffix}", path, scale_input))
    rule_results = [(n, fastest(rule_runs[n])) for n, _ in rule_packs]

    # ---- gazetteer size
    gazetteer_results = []
    # the full gazetteer's row takes the first round's runs: single runs, as the others
    for _, got, path in gazetteer_packs:
        if path == pack:
            compiled = colds[0]
        else:
            empty_cache = work / f"cache-{got}"
            empty_cache.mkdir()
            compiled = bench.compile_only(f"compile, {got:,} actor phrases", path, empty_cache)
        if path == pack and scale_input is main_input:
            result = rounds[0][0]
        else:
            result = bench.extract(f"{got:,} actor phrases", path, scale_input)
        gazetteer_results.append((got, compiled, result))

    # ---- memory as the corpus grows
    memory_results = []
    for multiple in MULTIPLES:
        if multiple == 1 and args.memory_docs == args.docs:
            memory_results.append((multiple, rounds[0][0]))  # a single run, as 4x and 16x
            continue
        source = make_input(f"memory-x{multiple}", args.memory_docs, multiple)
        memory_results.append((multiple, bench.extract(f"corpus x{multiple}", pack, source)))
        source.path.unlink()

    info["load average at end"] = load()
    engine_at_end = fingerprint()
    info["engine"] += f"; files digest {engine_at_start}"
    if engine_at_end != engine_at_start:
        info["engine"] += f" at start, {engine_at_end} at end: CHANGED DURING THE RUN"
    info["benchmark wall time"] = f"{time.perf_counter() - started:.0f} s"

    # ---- report
    out: list[str] = []
    say = out.append
    say("")
    say("=" * 100)
    say("newsrules benchmark" + (" (--quick)" if args.quick else ""))
    for key, value in info.items():
        say(f"{key + ':':24}{value}")
    say(
        f"{'corpus:':24}{CORPUS}: {main_input.docs:,} documents, {main_input.mb:.2f} MB of text "
        f"(title, dateline and body joined by line breaks; MB = 10^6 bytes of UTF-8)"
    )
    say(
        f"{'gazetteers:':24}actors {total_phrases:,} phrases from PETRARCH2 "
        f"({counts.entries:,} entries; {counts.primary_lines + counts.synonym_lines:,} name and "
        f"alias lines), cities {len(set(map(str.lower, phrases['CITY']))):,}, nationalities "
        f"{len(set(map(str.lower, phrases['NATIONALITY']))):,}; {len(all_keys):,} distinct "
        f"phrases in all"
    )
    say(
        f"{'benchmark pack:':24}rules/*.rules ({shipped_rules} rules: the MEETING rules and the "
        f"actor cascades), shipped city and nationality gazetteers, PETRARCH2 actors"
    )
    say(f"{'extract build:':24}{build}")
    say(
        f"{'extract features:':24}--jobs {'yes' if bench.jobs else 'no'}; compiled-rule cache "
        f"(NEWSRULES_CACHE) {'yes' if cache_supported else 'no'}"
    )

    say("")
    say(
        f"1. Side by side, one process each, {main_input.docs:,} documents, "
        f"{main_input.mb:.2f} MB; the fastest of {args.rounds} rounds of each system"
    )
    rows = []
    for r in (ex, floor, spacy, *([pure_run] if pure_run is not None else [])):
        rows.append(
            [
                r.label,
                fmt(r.setup_s, 2),
                fmt(r.run_s, 2),
                fmt(r.mb_s, 3),
                fmt(r.docs_s, 1),
                fmt(r.wall_s, 1),
                fmt(r.mb_s_wall, 3),
                fmt(r.peak_mb, 0),
                fmt(r.hits),
                fmt(r.records),
                r.note,
            ]
        )
    say(
        table(
            [
                "system",
                "setup s",
                "run s",
                "MB/s",
                "docs/s",
                "wall s",
                "MB/s wall",
                "peak MB",
                "phrase hits",
                "meetings",
                "note",
            ],
            rows,
        )
    )
    to_floor = ex.mb_s / floor.mb_s if ex.mb_s and floor.mb_s else None
    to_spacy = ex.mb_s / spacy.mb_s if ex.mb_s and spacy.mb_s else None
    wall_floor = ex.mb_s_wall / floor.mb_s_wall if ex.mb_s_wall and floor.mb_s_wall else None
    wall_spacy = ex.mb_s_wall / spacy.mb_s_wall if ex.mb_s_wall and spacy.mb_s_wall else None
    say(
        f"extract/floor = {fmt(to_floor, 4)} (target >= {TARGETS['floor']:.2f}: "
        f"{verdict(to_floor, TARGETS['floor'], True)}); on wall time {fmt(wall_floor, 4)}"
    )
    say(
        f"extract/spaCy = {fmt(to_spacy, 3)} (target >= {TARGETS['spacy']:.0f}: "
        f"{verdict(to_spacy, TARGETS['spacy'], True)}); on wall time {fmt(wall_spacy, 3)}"
    )
    if pure_run is not None and pure_run.mb_s:
        speed = pure_run.mb_s
        same = same_output(pure_run, ex)
        say(
            "pure-Python build (what `pip install .` makes without a C compiler, or with "
            f"NEWSRULES_COMPILE=0): the compiled build is "
            f"{fmt(ex.mb_s / speed if ex.mb_s else None, 2)}x as fast; pure "
            f"extract/floor = {fmt(speed / floor.mb_s if floor.mb_s else None, 4)}, "
            f"extract/spaCy = {fmt(speed / spacy.mb_s if spacy.mb_s else None, 3)}; "
            f"output the same bytes: {'yes' if same else 'NO'}"
        )
    say("")
    say(
        "2. Rule-set compile time, benchmark pack (extract on an empty input; wall clock; the "
        f"fastest of {args.rounds} cold runs, each with its own empty cache, and of the "
        "second run on each; start-up the fastest of 3)"
    )
    cold_compile = cold.wall_s - startup if cold.wall_s and not cold.note else None
    warm_compile = second.wall_s - startup if second.wall_s and not second.note else None
    cold_verdict = verdict(cold_compile, TARGETS["cold_s"], False)
    warm_verdict = verdict(warm_compile, TARGETS["warm_s"], False)
    rows = [
        ["python -c 'import engine.cli' (start-up)", fmt(startup, 2), "-", "-", "-", ""],
        [
            "cold (empty NEWSRULES_CACHE)",
            fmt(cold.wall_s, 2),
            fmt(cold_compile, 2),
            fmt(cold.peak_mb, 0),
            f"< {TARGETS['cold_s']:g} s: {cold_verdict}",
            cold.note,
        ],
    ]
    if cache_supported:
        rows.append(
            [
                "warm (second run, same cache)",
                fmt(second.wall_s, 2),
                fmt(warm_compile, 2),
                fmt(second.peak_mb, 0),
                f"< {TARGETS['warm_s']:g} s: {warm_verdict}",
                second.note,
            ]
        )
    else:
        rows.append(
            [
                "warm (second run, same cache)",
                "n/a (not supported)",
                "-",
                "-",
                f"< {TARGETS['warm_s']:g} s: n/a",
                f"no cache written; a second run took {fmt(second.wall_s, 2)} s",
            ]
        )
    say(table(["run", "wall s", "minus start-up s", "peak MB", "target", "note"], rows))

    say("")
    say(
        f"3. Parallel: --jobs 1 vs --jobs 2, same input as 1; {len(pairs)} pairs of runs "
        "(the rounds' runs, then pairs of their own)"
    )
    if not bench.jobs:
        say("--jobs 2: n/a (not supported: `extract --help` has no --jobs)")
    else:
        out.extend(parallel_report(pairs))
        if long_input is not None:
            say("")
            say(
                f"The same over the input repeated {LONG_MULTIPLE} times ({long_input.docs:,} "
                f"documents, {long_input.mb:.2f} MB), {len(long_pairs)} pairs: a long batch, "
                "on which what each worker costs once (its start, the copies of the rule "
                "set's memory pages it writes to, its caches filling) weighs little"
            )
            out.extend(parallel_report(long_pairs))
        say(
            "the machine's ceiling: the same pure-Python loop run twice in one process and "
            "once in each of two processes, measured after each pair: what --jobs 2 can "
            "reach on this machine at that moment"
        )

    say("")
    say(
        f"4. Rule count, {scale_input.docs:,} documents ({scale_input.mb:.2f} MB); first 10 "
        f"MEETING rules + generated copies of met_with triggered by rare CAMEO verbs "
        f"({verb_hits:,} occurrences of all {len(verbs)} verbs' forms in the whole corpus)"
    )
    base = rule_results[0][1]
    rows = []
    for n, r in rule_results:
        ratio = r.run_s / base.run_s if r.ok and base.ok else None  # type: ignore[operator]
        rows.append(
            [
                f"{n:,}",
                fmt(r.run_s, 2),
                fmt(r.mb_s, 3),
                fmt(ratio, 2),
                fmt(r.setup_s, 1),
                fmt(r.peak_mb, 0),
                fmt(r.records),
                r.note,
            ]
        )
    say(
        table(
            ["rules", "run s", "MB/s", "x 10 rules", "setup s", "peak MB", "meetings", "note"], rows
        )
    )
    last = rule_results[-1][1]
    rule_ratio = last.run_s / base.run_s if last.ok and base.ok else None  # type: ignore[operator]
    say(
        f"{RULE_COUNTS[-1]:,} rules / {RULE_COUNTS[0]} rules = {fmt(rule_ratio, 2)} "
        f"(target <= {TARGETS['rules']:g}: {verdict(rule_ratio, TARGETS['rules'], False)})"
    )

    say("")
    say(
        f"5. Gazetteer size, benchmark pack with a random sample of the actor entries, "
        f"{scale_input.docs:,} documents ({scale_input.mb:.2f} MB)"
    )
    first = gazetteer_results[0][2]
    rows = []
    for got, compiled, r in gazetteer_results:
        ratio = r.run_s / first.run_s if r.ok and first.ok else None  # type: ignore[operator]
        rows.append(
            [
                f"{got:,}",
                fmt(compiled.wall_s, 2),
                fmt(compiled.peak_mb, 0),
                fmt(r.run_s, 2),
                fmt(r.mb_s, 3),
                fmt(ratio, 2),
                fmt(r.peak_mb, 0),
                fmt(r.records),
                r.note or compiled.note,
            ]
        )
    say(
        table(
            [
                "actor phrases",
                "cold compile s",
                "compile MB",
                "run s",
                "MB/s",
                f"x {gazetteer_results[0][0]:,}",
                "peak MB",
                "meetings",
                "note",
            ],
            rows,
        )
    )

    say("")
    memory_base = memory_results[0][1]
    say(
        f"6. Peak memory as the corpus grows (the first {memory_base.docs:,} documents, "
        f"repeated), benchmark pack"
    )
    rows = []
    peaks = []
    for multiple, r in memory_results:
        peaks.append(r.peak_mb)
        rows.append(
            [
                f"x{multiple}",
                fmt(r.docs),
                fmt(r.mb, 2),
                fmt(r.peak_mb, 0),
                fmt(r.tree_mb, 0),
                fmt(r.run_s, 1),
                fmt(r.mb_s, 3),
                r.note,
            ]
        )
    say(
        table(
            ["corpus", "docs", "MB", "peak MB/process", "peak MB/tree", "run s", "MB/s", "note"],
            rows,
        )
    )
    measured = [p for p in peaks if p is not None]
    worst = max(measured) if measured else None
    growth = peaks[-1] / peaks[0] if peaks[0] and peaks[-1] else None
    flat = None if growth is None else growth <= FLAT
    say(
        f"largest peak {fmt(worst, 0)} MB (target < {TARGETS['memory_mb']:.0f} MB per worker: "
        f"{verdict(worst, TARGETS['memory_mb'], False)}); x{MULTIPLES[-1]} / x1 = "
        f"{fmt(growth, 2)} (flat = within {FLAT - 1:.0%}: "
        f"{'n/a' if flat is None else 'met' if flat else 'NOT met'})"
    )
    say("")
    say("Peak MB: ru_maxrss of the process from os.wait4 (largest single process of its tree);")
    say("peak MB/tree: psutil, largest total of the process and its children, polled every 50 ms.")
    say("run s: extract's own summary time (reading, matching, writing; not start-up or compile);")
    say("floor and spaCy: their scan time (not building the automaton / matchers, not JSON).")
    say("=" * 100)
    print("\n".join(out))

    if args.json:
        results = {
            "info": info,
            "quick": args.quick,
            "corpus": {"docs": main_input.docs, "mb": main_input.mb},
            "phrases": {"actors": total_phrases, "all": len(all_keys), "counts": vars(counts)},
            "side_by_side": [vars(r) for r in (ex, floor, spacy)],
            "ratios": {"floor": to_floor, "spacy": to_spacy},
            "compile": {
                "startup": startup,
                "cold": vars(cold),
                "second": vars(second),
                "cache_supported": cache_supported,
            },
            "jobs2": None if jobs2 is None else vars(jobs2),
            "build": build,
            "pure": None if pure_run is None else vars(pure_run),
            "jobs_pairs": [pair_json(pair) for pair in pairs[len(rounds) :]],
            "jobs_long_pairs": [
                {**pair_json(pair), "multiple": LONG_MULTIPLE} for pair in long_pairs
            ],
            "rounds": [
                {**pair_json(pair), "floor": vars(floor_run), "spacy": vars(spacy_run)}
                for pair, floor_run, spacy_run in zip(rounds, floors, spacys, strict=True)
            ],
            "compile_rounds": [
                {"cold": vars(c), "second": vars(w)} for c, w in zip(colds, seconds, strict=True)
            ],
            "rules": [{"rules": n, **vars(r)} for n, r in rule_results],
            "gazetteer": [
                {"phrases": g, "compile": vars(c), **vars(r)} for g, c, r in gazetteer_results
            ],
            "memory": [{"multiple": m, **vars(r)} for m, r in memory_results],
        }
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
