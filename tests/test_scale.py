"""`extract --jobs N` and `--dask`: the same bytes as one process, in the same order.

A feed of 200 documents (the seeds under many ids, short news items, and lines that
cannot be read) goes through the real command line three ways; the record files, and
the reports on standard error apart from the timing, must be identical.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import RULES, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.documents import BLOCK


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seeds = sorted(SEEDS.glob("*.txt"))
    path = tmp_path_factory.mktemp("feed") / "feed.jsonl"
    lines = []
    for number in range(200):
        if number % 37 == 5:
            lines.append("{not json")
            continue
        if number % 3:
            text = f"Item {number}: markets were calm and nobody met anybody."
        else:
            text = seeds[number % len(seeds)].read_text(encoding="utf-8")
        document = {"id": f"doc-{number:03d}", "text": text, "published": "2023-10-27"}
        document["notes"] = "padding " * 600  # metadata: the feed spans several blocks
        lines.append(json.dumps(document))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # several blocks, so several tasks for the workers, whose results must come in order
    assert path.stat().st_size > 3 * BLOCK
    return path


def run(feed: Path, out: Path, *flags: str) -> tuple[int, bytes, str]:
    err = io.StringIO()
    code = main(
        ["--rules", str(RULES), "--no-cache", "--stats", str(feed), "-o", str(out), *flags],
        stdout=io.StringIO(), stderr=err, stdin=io.StringIO(""),
    )  # fmt: skip
    timeless = re.sub(r"; [0-9.]+ s$", "", err.getvalue(), flags=re.M)
    return code, out.read_bytes() if out.exists() else b"", timeless


def test_jobs_and_dask_write_the_bytes_of_one_process(feed: Path, tmp_path: Path) -> None:
    serial = run(feed, tmp_path / "serial.jsonl", "--jobs", "1")
    assert serial[0] == 1  # the broken lines are reported
    assert serial[1].count(b"\n") > 50
    assert serial == run(feed, tmp_path / "pool.jsonl", "--jobs", "2")
    assert serial == run(feed, tmp_path / "dask.jsonl", "--dask", "local", "--jobs", "2")


def test_an_unreachable_cluster_is_a_usage_error(feed: Path, tmp_path: Path) -> None:
    code, _, err = run(feed, tmp_path / "none.jsonl", "--dask", "tcp://127.0.0.1:9")
    assert code == 2
    assert "extract: " in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no partial output left behind


def test_records_on_standard_output_are_written_once_with_forked_workers(feed: Path) -> None:
    """Forked workers inherit the command's output buffer; none may write it again."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    def stdout_of(jobs: str) -> bytes:
        environment = {**os.environ, "NEWSRULES_CACHE": "off", "PYTHONPATH": str(ROOT)}
        argv = [sys.executable, "-m", "engine.cli", "--rules", str(RULES), str(feed)]
        done = subprocess.run(
            [*argv, "--jobs", jobs], capture_output=True, env=environment, timeout=300
        )
        assert done.returncode == 1, done.stderr  # the broken lines
        return done.stdout

    serial = stdout_of("1")
    assert serial.count(b"\n") > 50
    assert stdout_of("2") == serial


@pytest.mark.parametrize("block", [1, 7, 100, 5000, 1 << 16])
def test_a_feed_is_handed_over_in_blocks_of_whole_lines(feed: Path, block: int) -> None:
    """Blocks (what a worker is sent) hold whole lines and number them from where they
    start; split where they are processed, they give the feed's documents, and each
    broken line is reported by its own number, whatever the block size."""
    from engine.documents import JsonLine, JsonLines, each_document, read_pieces

    raw = feed.read_bytes()
    pieces = list(read_pieces([str(feed)], None, io.StringIO(""), block))
    assert all(isinstance(piece, JsonLines) for piece in pieces)
    assert b"".join(piece.data for piece in pieces) == raw  # type: ignore[union-attr, misc]
    assert all(piece.data.endswith(b"\n") for piece in pieces)  # type: ignore[union-attr]
    starts = itertools.accumulate(len(piece.data) for piece in pieces[:-1])  # type: ignore[union-attr]
    numbers = [1, *(1 + raw.count(b"\n", 0, start) for start in starts)]
    assert [piece.first for piece in pieces] == numbers  # type: ignore[union-attr]

    read = [d.read() if isinstance(d, JsonLine) else d for d in each_document(pieces)]
    lines = raw.decode("utf-8").splitlines()
    assert [(d.id, hasattr(d, "text")) for d in read] == [
        (json.loads(line)["id"], True) if line != "{not json" else (f"feed.jsonl:{n}", False)
        for n, line in enumerate(lines, 1)
    ]


def test_the_last_blocks_of_a_file_are_smaller_so_that_workers_end_together(
    tmp_path: Path,
) -> None:
    """Full blocks until the last eight blocks' worth of a file, then each an eighth of
    what is left, down to a sixteenth of a block; standard input, whose end is not known,
    comes in full blocks to its end."""
    from types import SimpleNamespace

    from engine.documents import SMALLEST, TAIL, read_pieces

    lines = [json.dumps({"id": str(n), "text": "x" * (50 + n % 40)}) for n in range(3000)]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw, block, longest = path.read_bytes(), 8000, max(map(len, lines)) + 1

    def sizes(pieces: Iterable[object]) -> list[int]:
        return [len(piece.data) for piece in pieces]  # type: ignore[attr-defined]

    stdin = SimpleNamespace(buffer=io.BytesIO(raw))
    streamed = sizes(read_pieces(["-"], None, stdin, block))  # type: ignore[arg-type]
    assert all(abs(size - block) < longest for size in streamed[:-1])

    read = sizes(read_pieces([str(path)], None, io.StringIO(""), block))
    assert sum(read) == len(raw)
    starts = [0, *itertools.accumulate(read)][:-1]
    for start, size in zip(starts, read, strict=True):
        left = len(raw) - start
        if left >= TAIL * block + longest:
            assert abs(size - block) < longest
        else:  # (a block holds whole lines: up to one line less, or more, than read)
            wanted = max(block // SMALLEST, min(block, left // TAIL))
            assert wanted - longest < size < wanted + longest or size == left
    assert read[-1] < block // SMALLEST + longest
    assert len(read) > len(streamed)


def test_documents_are_taken_one_by_one_across_blocks(feed: Path) -> None:
    """Resuming skips documents, and the first documents of a report are taken one by
    one, not by blocks: what is taken or skipped and what is left are the feed's
    documents in order, none twice, none lost."""
    from engine.documents import JsonLine, each_document, read_pieces, skip, take

    every = [f"feed.jsonl:{number}" for number in range(1, 201)]  # no blank line in it
    for count in (0, 1, 63, 64, 150, 200, 250):
        head, rest = take(read_pieces([str(feed)], None, io.StringIO(""), 4000), count)
        assert all(isinstance(d, JsonLine) for d in head)
        assert [d.where for d in head] == every[:count]  # type: ignore[union-attr]
        assert [d.where for d in each_document(rest)] == every[count:]  # type: ignore[union-attr]
        left = skip(read_pieces([str(feed)], None, io.StringIO(""), 4000), count)
        assert [d.where for d in each_document(left)] == every[count:]  # type: ignore[union-attr]


def test_skipping_reads_nothing_before_it_is_asked() -> None:
    """A resumed run skips the documents done before inside the batch's loop (where a
    stop is handled), reading them one at a time, keeping none."""
    from engine.documents import Unreadable, skip

    read: list[str] = []

    def pieces():  # type: ignore[no-untyped-def]
        for number in range(10):
            read.append(str(number))
            yield Unreadable(str(number), "a document")

    left = skip(pieces(), 4)
    assert read == []
    assert next(left).id == "4"  # type: ignore[union-attr]
    assert read == ["0", "1", "2", "3", "4"]


def test_a_feed_on_standard_input_gives_its_documents_by_line_number() -> None:
    """Standard input's bytes are read in blocks as a file's are: CRLF line ends, blank
    lines, a line that is not UTF-8, a broken line and a last line without a line break,
    whatever the block size."""
    from types import SimpleNamespace

    from engine.documents import JsonLine, each_document, read_pieces

    data = (
        b'{"id": "a", "text": "x"}\r\n\r\n  \n{"id": "b", "text": "caf\xc3\xa9"}\n'
        b'\xff\n{oops\n{"id": "c", "text": "z"}'
    )
    for block in (1, 3, 1 << 16):
        stdin = SimpleNamespace(buffer=io.BytesIO(data))
        pieces = read_pieces(["-"], None, stdin, block)  # type: ignore[arg-type]
        read = [d.read() if isinstance(d, JsonLine) else d for d in each_document(pieces)]
        assert [(d.id, getattr(d, "text", None)) for d in read] == [
            ("a", "x"),
            ("b", "café"),
            ("<stdin>:5", None),
            ("<stdin>:6", None),
            ("c", "z"),
        ], block


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["{", "}", " ", "\t", "\u3000", "\xa0", "\x1c", "\n", "a"]))
    .map("".join)
    .flatmap(lambda text: st.sampled_from([text, text.encode(), text.encode("cp1252", "replace")]))
)
def test_a_line_is_blank_when_it_holds_only_spaces(line: str | bytes) -> None:
    """Unicode spaces count (as str.isspace has them), in a str or in UTF-8 bytes; a line
    that is not UTF-8 is not blank."""
    from engine.documents import _blank

    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
    except UnicodeDecodeError:
        assert not _blank(line)
        return
    assert _blank(line) == (text == "" or text.isspace())


def test_blank_lines_of_a_feed_are_skipped_whoever_reads_them() -> None:
    """Spaces only, Unicode ones too, make no document; a line that is not UTF-8 is
    reported, lazily read or not."""
    from engine.documents import JsonLine, read_json_lines

    lines = [b'{"id": "a", "text": "x"}\n', b"\xc2\xa0\xc2\xa0\n", b"  \t\n", b"\xff\n"]
    for lazy in (False, True):
        found = list(read_json_lines(lines, "feed.jsonl", None, lazy))
        read = [item.read() if isinstance(item, JsonLine) else item for item in found]
        assert [(type(item).__name__, item.id) for item in read] == [
            ("Document", "a"),
            ("Unreadable", "feed.jsonl:4"),
        ]
