"""The `extract` command. The only module that prints; it owns the exit codes:

0  every document was processed
1  some documents failed (reported; the others were processed)
2  the rule set or the command line is wrong (nothing is extracted)
141  the reader of standard output went away (`extract ... | head`)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import errno
import hashlib
import itertools
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any, Never

from tqdm import tqdm

from . import tokens, validate
from .batch import Outcome, Result, Work, outcome_of, process, task_documents, tasks
from .cache import default_folder as default_cache_folder
from .cache import uncollected
from .compare import (
    ArticleExpectations,
    ArticleResult,
    ExpectationError,
    compare,
    load_folder,
    scores,
)
from .compile import RuleSet
from .coverage import Coverage
from .documents import (
    Document,
    Piece,
    count_documents,
    each_document,
    parse_published,
    read_inputs,
    read_pieces,
    skip,
    take,
)
from .errors import Diagnostic, DocumentError, RuleSetError, UsageError, WorkerLost
from .explain import NoSuchSentence, UnknownRule, explain
from .explain import render as render_explanation
from .html import Article
from .html import render as render_report
from .output import ErrorLog, FileSink, ResumeRefused, StreamSink
from .parallel import BATCH, available_cores, ordered_flat_map
from .pipeline import Limits
from .records import Record, dumps
from .report import coverage_report, regression_report
from .ruleset import load_rules
from .validate import SchemaProblem

EXIT_OK, EXIT_DOCUMENTS_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader left
EXIT_INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for a tool stopped by Ctrl-C
EXIT_WORKER_LOST = 3  # a worker process was killed: the batch stopped before its end
DEFAULT_SCHEMAS = "schemas"
SMALL_BATCH = 64  # fewer documents than this are not worth starting worker processes
REPORT_ARTICLES = 500  # an HTML page shows at most this many articles


def version() -> str:
    """The version, and the build: compiled by mypyc, or pure Python (setup.py)."""
    try:
        number = metadata.version("newsrules")
    except metadata.PackageNotFoundError:
        number = "(not installed)"
    build = "compiled build (mypyc)" if tokens.COMPILED else "pure-Python build"
    return f"extract: newsrules {number}, {build}"


class _Version(argparse.Action):
    """--version, whose answer is looked up only when asked (not at every start)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(version())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extract",
        description="Apply extraction rules to news articles; write one JSON record per finding.",
    )
    parser.add_argument(
        "--version",
        action=_Version,
        help="say which version and which build (compiled or pure Python) runs, and stop",
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help=".txt files, folders of them (with an optional manifest.yaml), "
        ".jsonl or .jsonl.gz files, or - for JSON lines on standard input",
    )
    parser.add_argument(
        "--rules",
        action="append",
        required=True,
        metavar="PATH",
        help="a rule file or a folder of .rules files (repeatable)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write records here (complete or not at all) instead of standard output",
    )
    parser.add_argument(
        "--published",
        metavar="DATE",
        help="publication date (YYYY-MM-DD) for documents whose feed gives none",
    )
    parser.add_argument(
        "--schemas",
        metavar="DIR",
        help=f"JSON Schemas records are checked against (default: the {DEFAULT_SCHEMAS}/ folder "
        "beside the rules folder when it exists, else schemas generated from the rules)",
    )
    parser.add_argument(
        "--write-schemas",
        metavar="DIR",
        help="write the JSON Schemas of the rules' relations into DIR and stop",
    )
    parser.add_argument(
        "--errors",
        metavar="FILE",
        help="also write every document that failed, or was repaired, to FILE (JSON lines)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with -o FILE: go on from where a killed run of the same batch stopped",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=Limits().seconds,
        help="give a document up when matching it takes longer (default %(default)s)",
    )
    parser.add_argument(
        "--expected",
        metavar="DIR",
        help="compare the records with the expectations in DIR (one YAML file per article) "
        "and report regressions; exit 1 when there is one",
    )
    scale = parser.add_argument_group("running at scale")
    scale.add_argument(
        "--jobs",
        metavar="N",
        type=_positive,
        default=available_cores(),
        help="worker processes (default: all %(default)s cores); the output is the same "
        "bytes whatever N",
    )
    scale.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask cluster: a scheduler address such as tcp://host:8786, or "
        "`local` for a cluster of --jobs processes on this machine",
    )
    scale.add_argument(
        "--no-cache",
        action="store_true",
        help="compile the rules afresh, neither reading nor keeping the compiled rule set "
        "in the cache ($NEWSRULES_CACHE, else ~/.cache/newsrules)",
    )
    scale.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is shown only on a terminal, and never under CI)",
    )
    looking = parser.add_argument_group("looking at a batch")
    looking.add_argument(
        "--stats",
        action="store_true",
        help="after the batch, show per rule how often it fired and on how many documents, "
        "rules that never fired, documents with no record, and sentences with a cue word "
        "but no record",
    )
    looking.add_argument(
        "--report",
        metavar="FILE",
        help="write a self-contained HTML page: each article with its mentions and records "
        "(and, with --expected, what regressed)",
    )
    workbench = parser.add_argument_group("explaining rules")
    workbench.add_argument(
        "--explain",
        metavar="DOC",
        help="instead of extracting, show for each rule and sentence of DOC whether it "
        "matched, and where a rule that came close stopped",
    )
    workbench.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="NAME",
        help="with --explain: only this rule (repeatable; entity rules too)",
    )
    workbench.add_argument(
        "--sentence",
        metavar="N|WORDS",
        help="with --explain: only sentence N (from 1), or the sentences containing WORDS",
    )
    workbench.add_argument(
        "--doc",
        metavar="ID",
        help="with --explain on a folder or a .jsonl feed: only the document with this id",
    )
    workbench.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the explanation: auto (when printing to a terminal and NO_COLOR is "
        "not set), always, never",
    )
    return parser


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return number


@dataclass
class Batch:
    """What a run has done so far: the numbers of its summary."""

    read: int = 0
    failed: int = 0
    invalid: int = 0
    per_relation: Counter[str] = field(default_factory=Counter)
    results: list[ArticleResult] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)


def main(
    argv: Sequence[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    stdin: IO[str] | None = None,
) -> int:
    err = stderr if stderr is not None else sys.stderr
    try:
        return _main(argv, stdout, stderr, stdin)
    except KeyboardInterrupt:  # Ctrl-C: what was written stays (-o FILE --resume goes on)
        print("extract: interrupted", file=err)
        return EXIT_INTERRUPTED
    except WorkerLost as error:  # as an interruption: what was written stays
        print(
            f"extract: {error}: the batch stops here; with -o FILE, run the same command "
            "again with --resume to go on",
            file=err,
        )
        return EXIT_WORKER_LOST
    except BrokenPipeError:
        # the reader went away (`extract ... | head`): stop quietly, as other tools do
        if stdout is None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


def _main(
    argv: Sequence[str] | None,
    stdout: IO[str] | None,
    stderr: IO[str] | None,
    stdin: IO[str] | None,
) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed its usage message (or --help)
        return EXIT_USAGE if stop.code else EXIT_OK
    try:
        fallback = _fallback_date(args.published)
        if args.explain is not None:
            _check_inputs([args.explain])
        elif args.write_schemas is None:
            _check_inputs(args.inputs)
        narrowing = args.rule or args.sentence is not None or args.doc is not None
        if narrowing and args.explain is None:
            raise UsageError(
                "--rule, --sentence and --doc narrow --explain DOC; give --explain too"
            )
        with uncollected(freeze=True):  # the rule set lives as long as the run
            rules = load_rules(args.rules, None if args.no_cache else default_cache_folder())
        for warning in rules.warnings:
            print(warning.format(), file=err)
        if args.write_schemas is not None:
            for path in validate.write(rules, Path(args.write_schemas)):
                print(f"extract: wrote {path}", file=err)
            return EXIT_OK
        stream = stdin if stdin is not None else sys.stdin
        if args.explain is not None:
            return _explain(rules, args, fallback, out, err, stream)
        schemas = _schemas(args.schemas, rules, args.rules)
        expected = _expectations(args.expected, rules)
    except RuleSetError as error:
        _diagnostics(err, error.diagnostics, "in the rules; nothing extracted")
        return EXIT_USAGE
    except ExpectationError as error:
        _diagnostics(err, error.diagnostics, "in the expectations; nothing compared")
        return EXIT_USAGE
    except (UsageError, SchemaProblem) as error:
        print(f"extract: {error}", file=err)
        return EXIT_USAGE
    return _run(rules, schemas, expected, args, fallback, out, err, stream)


def _explain(
    rules: RuleSet,
    args: argparse.Namespace,
    fallback: datetime.date | None,
    out: IO[str],
    err: IO[str],
    stdin: IO[str],
) -> int:
    colour = args.color == "always" or (
        args.color == "auto" and out.isatty() and not os.environ.get("NO_COLOR")
    )
    status = EXIT_OK
    found = False
    for item in read_inputs([args.explain], fallback, stdin):
        if args.doc is not None and item.id != args.doc:
            continue
        found = True
        if not isinstance(item, Document):
            print(f"extract: cannot explain {item.id}: {item.reason}", file=err)
            status = EXIT_DOCUMENTS_FAILED
            continue
        try:
            explanation = explain(rules, item, args.rule, args.sentence)
        except (UnknownRule, NoSuchSentence) as error:
            print(f"extract: {error}", file=err)
            return EXIT_USAGE
        except DocumentError as error:
            print(f"extract: cannot explain {item.id}: {error.reason}", file=err)
            status = EXIT_DOCUMENTS_FAILED
            continue
        narrowed = bool(args.rule) or args.sentence is not None
        print(render_explanation(explanation, colour, narrowed), file=out)
    if args.doc is not None and not found:
        print(f"extract: {args.explain} holds no document with the id {args.doc!r}", file=err)
        return EXIT_USAGE
    return status


def _diagnostics(err: IO[str], diagnostics: Sequence[Diagnostic], what: str) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=err)
    count = len(diagnostics)
    print(f"extract: {count} error{'s' if count != 1 else ''} {what}", file=err)


def _schemas(folder: str | None, rules: RuleSet, rule_paths: list[str]) -> validate.Schemas:
    """--schemas DIR; else the `schemas/` folder beside the (first) rules folder, as in the
    project's layout (rules/ and schemas/ side by side); else schemas made from the rules."""
    if folder is not None:
        if not Path(folder).is_dir():
            raise UsageError(f"--schemas {folder}: no such folder")
        return validate.load(Path(folder), rules)
    first = Path(rule_paths[0])
    beside = (first if first.is_dir() else first.parent).resolve().parent / DEFAULT_SCHEMAS
    if beside.is_dir():
        return validate.load(beside, rules)
    return validate.in_memory(rules)


def _expectations(folder: str | None, rules: RuleSet) -> dict[str, ArticleExpectations] | None:
    if folder is None:
        return None
    if not Path(folder).is_dir():
        raise UsageError(f"--expected {folder}: no such folder")
    return load_folder(Path(folder), rules.relations)


def _fallback_date(text: str | None) -> datetime.date | None:
    try:
        return parse_published(text)
    except ValueError:
        raise UsageError(f"--published {text!r} is not a date of the form YYYY-MM-DD") from None


def _check_inputs(inputs: list[str]) -> None:
    missing = [name for name in inputs if name != "-" and not Path(name).exists()]
    if missing:
        raise UsageError("no such input: " + ", ".join(missing))


def _run(
    rules: RuleSet,
    schemas: validate.Schemas,
    expected: dict[str, ArticleExpectations] | None,
    args: argparse.Namespace,
    fallback: datetime.date | None,
    out: IO[str],
    err: IO[str],
    stdin: IO[str],
) -> int:
    started = time.perf_counter()
    try:
        sink = _sink(args, rules, out)
    except ResumeRefused as error:
        print(f"extract: {error}", file=err)
        return EXIT_USAGE
    except OSError as error:
        return _cannot_write(error, err)
    try:
        log = ErrorLog(args.errors, sink.resumed > 0, sink.tally.get("errors"))
    except OSError as error:
        sink.discard()
        return _cannot_write(error, err)
    batch = _resumed_batch(sink.resumed, sink.tally)
    names = tuple(rule.name for rule in rules.relation_rules)
    coverage = Coverage(names, rules.cue_words, looks_for_quiet=args.stats)
    if sink.resumed:
        coverage.resume(sink.tally.get("coverage"), sink.resumed)

    def tally() -> dict[str, Any]:  # what a checkpoint keeps for a resumed run
        return {
            "failed": batch.failed,
            "invalid": batch.invalid,
            "records": dict(batch.per_relation),
            "errors": log.size(),
            "coverage": coverage.state(),
        }

    work = Work(rules, Limits(seconds=args.timeout), args.stats)
    articles: list[Article] = []
    # JSON lines are split and decoded where they are processed: in the workers, with --jobs
    pieces = skip(read_pieces(args.inputs, fallback, stdin), sink.resumed)
    bar = _progress(args, err, sink.resumed)
    try:
        # with nothing to compare or show, a document with nothing to tell is only counted
        counted_only = expected is None and args.report is None
        for result in _every_outcome(work, pieces, args):
            batch.read += 1
            coverage.add(result)
            if not (counted_only and isinstance(result, str)):
                outcome = outcome_of(result)
                valid = _handle(outcome, schemas, expected, sink, batch, log, err)
                if args.report is not None and len(articles) < REPORT_ARTICLES:
                    articles.append(_article(outcome, valid, batch, expected))
            sink.document_done(tally)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(records=sum(batch.per_relation.values()), refresh=False)
        sink.finish()
    except UsageError as error:  # a Dask cluster that cannot be reached
        sink.discard()
        print(f"extract: {error}", file=err)
        return EXIT_USAGE
    finally:
        if bar is not None:
            bar.close()
        sink.close()
        log.close()
    if expected is not None:
        print(regression_report(batch.results, scores(batch.results), batch.uncovered), file=err)
    if args.stats:
        print(coverage_report(coverage), file=err)
    if args.report is not None:
        _write_report(Path(args.report), articles, batch, expected, coverage, err)
    _summary(err, batch, sink.resumed, time.perf_counter() - started)
    regressed = any(result.regressed for result in batch.results)
    return EXIT_DOCUMENTS_FAILED if batch.failed or batch.invalid or regressed else EXIT_OK


def _cannot_write(error: OSError, err: IO[str]) -> int:
    print(f"extract: cannot write {error.filename}: {error.strerror}", file=err)
    return EXIT_USAGE


def _resumed_batch(resumed: int, tally: dict[str, Any]) -> Batch:
    """The counts of a batch resumed after `resumed` documents, from its checkpoint's
    tally: the summary and the exit status speak for the whole batch."""
    batch = Batch(read=resumed)
    try:
        batch.failed = int(tally.get("failed", 0))
        batch.invalid = int(tally.get("invalid", 0))
        batch.per_relation.update({str(k): int(v) for k, v in tally.get("records", {}).items()})
    except (TypeError, ValueError, AttributeError):  # a checkpoint written by hand
        return Batch(read=resumed)
    return batch


def _every_outcome(
    work: Work, pieces: Iterator[Piece], args: argparse.Namespace
) -> Iterator[Result]:
    """Outcomes in input order. With --report, the documents the page shows (the first
    REPORT_ARTICLES) are prepared whole, here, and keep their text and mentions; the
    others are prepared only as far as records can come from them, as without --report
    (their records are the same either way)."""
    if args.report is not None:
        shown, pieces = take(pieces, REPORT_ARTICLES)
        marking = dataclasses.replace(work, marks=True)
        yield from (process(marking, item) for item in shown)
    yield from _outcomes(work, pieces, args)


def _outcomes(work: Work, pieces: Iterator[Piece], args: argparse.Namespace) -> Iterator[Result]:
    """Outcomes in input order, from worker processes or a Dask cluster when the batch is
    big enough to be worth them (a few documents are quicker done here)."""
    first, rest = take(pieces, SMALL_BATCH)
    if args.dask is None and (args.jobs == 1 or len(first) < SMALL_BATCH):
        return (process(work, item) for item in itertools.chain(first, each_document(rest)))
    every = tasks(itertools.chain(first, rest), BATCH)
    return ordered_flat_map(
        process, work, every, task_documents, jobs=args.jobs, dask=args.dask, batch=1
    )


def _handle(
    outcome: Outcome,
    schemas: validate.Schemas,
    expected: dict[str, ArticleExpectations] | None,
    sink: FileSink | StreamSink,
    batch: Batch,
    log: ErrorLog,
    err: IO[str],
) -> list[Record]:
    """Report, validate, write and compare one document's outcome; its valid records."""
    for note in outcome.notes:
        print(f"extract: warning: {outcome.doc}: {note}", file=err)
        log.add(outcome.doc, "repaired", note)
    if outcome.records is None:
        kind, reason = outcome.problem or ("failed", "not processed")
        batch.failed += 1
        print(f"extract: skipped {outcome.doc}: {reason}", file=err)
        log.add(outcome.doc, kind, reason)
        return []
    valid, invalid = _validated(list(outcome.records), schemas, err, batch, log)
    for record in valid:
        batch.per_relation[record["relation"]] += 1
        sink.write(dumps(record) + "\n")
    if expected is not None:
        _compare(outcome.doc, expected, valid, invalid, batch)
    return valid


def _progress(args: argparse.Namespace, err: IO[str], done: int) -> tqdm[Never] | None:
    """A progress bar on standard error, only when a person watches it there."""
    if args.no_progress or os.environ.get("CI") or not err.isatty():
        return None
    total = count_documents(args.inputs)
    return tqdm(
        total=None if total is None else max(total - done, 0),
        unit="doc",
        file=err,
        dynamic_ncols=True,
        desc="extract",
    )


def _article(
    outcome: Outcome,
    valid: list[Record],
    batch: Batch,
    expected: dict[str, ArticleExpectations] | None,
) -> Article:
    result = None
    if expected is not None and outcome.doc in expected and outcome.records is not None:
        result = batch.results[-1]
    failed = None if outcome.problem is None else outcome.problem[1]
    return Article(outcome.doc, outcome.text or "", outcome.marks, tuple(valid), result, failed)


def _write_report(
    path: Path,
    articles: list[Article],
    batch: Batch,
    expected: dict[str, ArticleExpectations] | None,
    coverage: Coverage,
    err: IO[str],
) -> None:
    page = render_report(articles, scores(batch.results) if expected is not None else None)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as error:
        print(f"extract: cannot write the report {path}: {error.strerror}", file=err)
        batch.failed += 1
        return
    shown = (
        f"the first {len(articles)} of {coverage.documents}"
        if coverage.documents > len(articles)
        else f"{len(articles)}"
    )
    print(f"extract: wrote {path} ({shown} documents)", file=err)


def _sink(args: argparse.Namespace, rules: RuleSet, out: IO[str]) -> FileSink | StreamSink:
    if args.output is not None and Path(args.output).is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", args.output)
    if args.output is None:
        if args.resume:
            raise ResumeRefused("--resume needs -o FILE (standard output cannot be resumed)")
        return StreamSink(out)
    identity = "\0".join([rules.digest, *args.inputs, str(args.published)])
    batch_id = hashlib.sha256(identity.encode()).hexdigest()
    return FileSink(Path(args.output), batch_id, args.resume)


Invalid = list[tuple[Record, list[tuple[str, str]]]]


def _validated(
    records: list[Record], schemas: validate.Schemas, err: IO[str], batch: Batch, log: ErrorLog
) -> tuple[list[Record], Invalid]:
    """Records that satisfy their relation's schema; the others are reported, not written."""
    valid: list[Record] = []
    invalid: Invalid = []
    for record in records:
        problems = schemas.problems(record)
        if not problems:
            valid.append(record)
            continue
        batch.invalid += 1
        invalid.append((record, problems))
        faults = "; ".join(f"{path}: {message}" for path, message in problems)
        log.add(str(record.get("doc")), "invalid-record", f"rule {record.get('rule')}: {faults}")
        for path, message in problems:
            print(
                f"extract: invalid record from rule {record.get('rule')} in {record.get('doc')}: "
                f"{path}: {message}",
                file=err,
            )
    return valid, invalid


def _compare(
    doc: str,
    expected: dict[str, ArticleExpectations],
    valid: list[Record],
    invalid: Invalid,
    batch: Batch,
) -> None:
    if doc in expected:
        batch.results.append(compare(expected[doc], valid, invalid))
    else:
        batch.uncovered.append(doc)


def _summary(err: IO[str], batch: Batch, resumed: int, seconds: float) -> None:
    relations = ", ".join(f"{n} {c}" for n, c in sorted(batch.per_relation.items())) or "none"
    invalid = f", {batch.invalid} invalid" if batch.invalid else ""
    before = f" (resumed after {resumed} documents done before)" if resumed else ""
    documents = f"{batch.read} document{'s' if batch.read != 1 else ''}"
    print(
        f"extract: {documents} read{before}, {batch.read - batch.failed} processed, "
        f"{batch.failed} failed; records: {relations}{invalid}; {seconds:.2f} s",
        file=err,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
