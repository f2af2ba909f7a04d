"""The `extract` command. The only module that prints; it owns the exit codes:

0  every document was processed
1  some documents failed (reported; the others were processed)
2  the rule set or the command line is wrong (nothing is extracted)
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import IO

from .compile import RuleSet
from .documents import Document, parse_published, read_inputs
from .errors import DocumentError, RuleSetError, UsageError
from .pipeline import extract_document
from .records import dumps
from .ruleset import load_rules

EXIT_OK, EXIT_DOCUMENTS_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extract",
        description="Apply extraction rules to news articles; write one JSON record per finding.",
    )
    parser.add_argument(
        "inputs",
        nargs="+",
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
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    stdin: IO[str] | None = None,
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
        _check_inputs(args.inputs)
        rules = load_rules(args.rules)
    except RuleSetError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=err)
        count = len(error.diagnostics)
        print(
            f"extract: {count} error{'s' if count != 1 else ''} in the rules; nothing extracted",
            file=err,
        )
        return EXIT_USAGE
    except UsageError as error:
        print(f"extract: {error}", file=err)
        return EXIT_USAGE
    return _run(rules, args, fallback, out, err, stdin if stdin is not None else sys.stdin)


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
    args: argparse.Namespace,
    fallback: datetime.date | None,
    out: IO[str],
    err: IO[str],
    stdin: IO[str],
) -> int:
    started = time.perf_counter()
    per_relation: Counter[str] = Counter()
    read = failed = 0
    with _destination(args.output, out) as sink:
        for item in read_inputs(args.inputs, fallback, stdin):
            read += 1
            if not isinstance(item, Document):
                failed += 1
                print(f"extract: skipped {item.id}: {item.reason}", file=err)
                continue
            try:
                records = extract_document(rules, item)
            except DocumentError as error:
                failed += 1
                print(f"extract: skipped {item.id}: {error.reason}", file=err)
                continue
            for record in records:
                per_relation[record["relation"]] += 1
                sink.write(dumps(record) + "\n")
    _summary(err, read, failed, per_relation, time.perf_counter() - started)
    return EXIT_DOCUMENTS_FAILED if failed else EXIT_OK


@contextmanager
def _destination(path: str | None, out: IO[str]) -> Iterator[IO[str]]:
    """Standard output, or a file that appears complete or not at all (write, then rename)."""
    if path is None:
        yield out
        return
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _summary(
    err: IO[str], read: int, failed: int, per_relation: Counter[str], seconds: float
) -> None:
    relations = (
        ", ".join(f"{name} {count}" for name, count in sorted(per_relation.items())) or "none"
    )
    print(
        f"extract: {read} documents read, {read - failed} processed, {failed} failed; "
        f"records: {relations}; {seconds:.2f} s",
        file=err,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
