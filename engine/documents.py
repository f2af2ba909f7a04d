"""Where documents come from: text files, folders with a manifest, JSON lines, stdin.

Reading is lazy: a batch of any size is read one document at a time, or, for a feed of
JSON lines, one block of whole lines at a time (`JsonLines`, split and decoded where it
is processed). A document that cannot be read becomes an `Unreadable` with the reason,
so the batch can report it and go on.
"""

from __future__ import annotations

import codecs
import datetime
import gzip
import io
import itertools
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

MANIFEST = "manifest.yaml"


@dataclass(frozen=True)
class Document:
    """One article: its id (file name or feed id), text, publication date, other metadata."""

    id: str
    text: str
    published: datetime.date | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what reading it had to repair (reported as warnings)


@dataclass(frozen=True)
class Unreadable:
    """A document that could not be read, and why."""

    id: str
    reason: str


Item = Document | Unreadable


@dataclass(frozen=True)
class JsonLine:
    """A line of a JSON-lines feed, not decoded yet: a batch decodes it where it is
    processed (in a worker), not in the process that reads the feed."""

    line: bytes | str
    where: str  # "feed.jsonl:12", the document's id when the line has none
    fallback: datetime.date | None

    def read(self) -> Item:
        """The line's document, as Python's json reads it. Most lines are read by orjson,
        two to three times as fast, which gives the same values but for numbers: a line
        holding a float (or what some versions of orjson read as one, an integer beyond
        64 bits) is read again by json, as are the lines orjson refuses (NaN, escaped lone
        surrogates, any error: json says what it is)."""
        try:
            data = orjson.loads(self.line)
        except orjson.JSONDecodeError:
            return self._read_by_json()
        if not _read_alike(data):
            return self._read_by_json()
        return _json_document(data, self.where, self.fallback)

    def _read_by_json(self) -> Item:
        line = self.line
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                return Unreadable(self.where, f"the line is not UTF-8 ({error.reason})")
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            return Unreadable(self.where, f"not valid JSON ({error.msg} at column {error.colno})")
        except (ValueError, RecursionError) as error:  # a 5,000-digit number, 100,000 brackets
            reason = _first_line(error) or "nested too deep"
            return Unreadable(self.where, f"not valid JSON ({reason})")
        return _json_document(data, self.where, self.fallback)


Input = Item | JsonLine  # what a batch reads: a JSON line may be left for a worker to decode


@dataclass(frozen=True)
class JsonLines:
    """Consecutive whole lines of a JSON-lines feed as one piece, neither split nor
    decoded: the process that reads a feed hands it to a worker as it is, which costs
    that process nothing per document."""

    data: bytes | str
    name: str  # the feed, for the documents' places ("feed.jsonl:12")
    first: int  # the number of its first line in the feed
    fallback: datetime.date | None

    def lines(self) -> Iterator[Input]:
        """Its documents, one JsonLine per line that is not blank."""
        stream = io.BytesIO(self.data) if isinstance(self.data, bytes) else io.StringIO(self.data)
        return read_json_lines(stream, self.name, self.fallback, lazy=True, first=self.first)


Piece = Input | JsonLines  # what reading inputs gives: a feed comes in blocks of lines


def parse_published(value: object) -> datetime.date | None:
    """A feed's publication date: a date, or text starting with YYYY-MM-DD; else ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return datetime.date.fromisoformat(value.strip()[:10])
    raise ValueError(f"not a date: {value!r}")


def make_document(
    doc_id: str,
    text: str,
    metadata: dict[str, Any],
    fallback: datetime.date | None,
    notes: tuple[str, ...] = (),
) -> Item:
    try:
        published = parse_published(metadata.get("published")) or fallback
    except ValueError:
        return Unreadable(
            doc_id, f"the publication date {metadata.get('published')!r} is not YYYY-MM-DD"
        )
    if not text.strip():
        return Unreadable(doc_id, "the document has no text")
    return Document(doc_id, text, published, metadata, notes)


def decode(data: bytes) -> tuple[str, tuple[str, ...]] | str:
    """Text of a document's bytes and what was repaired, or why it cannot be text.

    UTF-8 first; a file that is not UTF-8 but reads as Windows-1252 (the usual other
    encoding of news pages) is decoded so, and says so; binary data is refused. A byte
    order mark at the start (Windows tools write one) is not part of the text, as it is
    not of a JSON-lines feed: the records' offsets are those an editor shows.
    """
    if b"\0" in data or _control_share(data) > 0.05:
        return "binary data, not text"
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError as error:
        where = f"byte 0x{data[error.start]:02x} at offset {error.start}"
    text = data.decode("cp1252", errors="replace")
    return text, (f"not UTF-8 ({where}): decoded as Windows-1252",)


def _control_share(data: bytes) -> float:
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample) if sample else 0.0


# ------------------------------------------------------------------ text files and folders


def read_manifest(folder: Path) -> tuple[dict[str, dict[str, Any]], Unreadable | None]:
    """A folder's feed metadata by file name; a manifest that cannot be read is reported
    (its documents are still read, without metadata)."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}, None
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:  # ValueError: 2023-02-30
        reason = f"the manifest cannot be read ({_first_line(error)})"
        return {}, Unreadable(str(path), reason)
    if not isinstance(loaded, dict):
        return {}, Unreadable(str(path), "the manifest must map file names to metadata")
    return {str(k): v for k, v in loaded.items() if isinstance(v, dict)}, None


def read_text_file(
    path: Path, name: str, metadata: dict[str, Any], fallback: datetime.date | None
) -> Item:
    doc_id, named = _repaired(name, "file name")  # a name not in UTF-8
    try:
        data = path.read_bytes()
    except OSError as error:
        return Unreadable(doc_id, f"cannot be read: {error.strerror}")
    decoded = decode(data)
    if isinstance(decoded, str):
        return Unreadable(doc_id, decoded)
    text, notes = decoded
    return make_document(doc_id, text, metadata, fallback, named + notes)


def read_folder(folder: Path, fallback: datetime.date | None) -> Iterator[Item]:
    manifest, problem = read_manifest(folder)
    if problem is not None:
        yield problem
    for path in sorted(p for p in folder.rglob("*.txt") if p.is_file()):
        doc_id = path.relative_to(folder).as_posix()
        yield read_text_file(path, doc_id, manifest.get(doc_id, {}), fallback)


# ------------------------------------------------------------------ JSON lines


def read_json_lines(
    lines: Iterable[str | bytes],
    name: str,
    fallback: datetime.date | None,
    lazy: bool = False,
    first: int = 1,
) -> Iterator[Input]:
    """One document per JSON line; a bad line is reported by its number (the first line's
    is `first`), the rest go on. With `lazy`, lines are given undecoded (JsonLine), to be
    read where they are processed."""
    number = first - 1
    try:
        for number, line in enumerate(lines, first):
            if _blank(line):
                continue
            item = JsonLine(line, f"{name}:{number}", fallback)
            yield item if lazy else item.read()
    except UNREADABLE_STREAM as error:
        yield Unreadable(f"{name}:{number + 1}", f"the file cannot be read further: {error}")


def _blank(line: str | bytes) -> bool:
    """A line of spaces only, Unicode ones too (a line that is not UTF-8 is not blank)."""
    stripped = line.strip()
    if isinstance(stripped, str) or stripped[:1] in (b"{", b""):
        return not stripped
    try:
        return not stripped.decode("utf-8").strip()
    except UnicodeDecodeError:
        return False


_ALIKE = frozenset({str, int, bool, type(None)})  # values orjson and json read alike
NESTING = 100  # lists and objects in lists and objects that orjson's reading is taken for


def _read_alike(value: Any) -> bool:
    """Whether a value read by orjson holds no number json could read otherwise, nor
    lists or objects nested deeper than NESTING (json may find them too deep to read)."""
    waiting = [(value, 0)]
    while waiting:
        item, depth = waiting.pop()
        kind = type(item)
        if kind is dict or kind is list:
            values = item.values() if kind is dict else item
            if depth == NESTING:
                return False
            if not set(map(type, values)) <= _ALIKE:
                waiting.extend((inner, depth + 1) for inner in values)
        elif kind not in _ALIKE:  # a float
            return False
    return True


def _json_document(data: Any, where: str, fallback: datetime.date | None) -> Item:
    """The document of a JSON line's value."""
    if not isinstance(data, dict):
        return Unreadable(where, 'a JSON line must be an object with at least "text"')
    given = data.get("id")
    doc_id, id_notes = _repaired(where if given is None or given == "" else str(given), "id")
    text = data.get("text")
    if not isinstance(text, str):
        return Unreadable(doc_id, 'the line has no "text" string')
    text, text_notes = _repaired(text, "text")
    metadata = {k: v for k, v in data.items() if k != "text"}
    return make_document(doc_id, text, metadata, fallback, id_notes + text_notes)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _repaired(value: str, what: str) -> tuple[str, tuple[str, ...]]:
    """The value with lone surrogates (JSON's "\\ud800", a file name not in UTF-8) made
    U+FFFD, which UTF-8 can write, and a note saying so."""
    if value.isascii() or _SURROGATE.search(value) is None:  # (isascii: a flag, no scan)
        return value, ()
    return _SURROGATE.sub("\ufffd", value), (
        f"the {what} held characters UTF-8 cannot write (replaced by U+FFFD)",
    )


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else ""


# bytes of a feed read at a time: a block of whole lines, one task of a worker. Each task
# costs the pool a round trip besides its work: with --jobs 2 on Reuters-21578 (17.5 MB,
# compiled build), blocks of 64 kB (290 tasks) took 1.17-1.20 s, of 256 kB (70 tasks)
# 1.08-1.13 s, and larger ones no less (benchmarks/README.md)
BLOCK = 1 << 18
# near the end of a file whose size is known, blocks shrink (each an eighth of what is
# left, down to a sixteenth of a block), so that the workers' last tasks are short and
# they end together: on Reuters-21578 with --jobs 2, the last 2 MB go in some 30 tasks
TAIL, SMALLEST = 8, 16
# what reading a file raises when it is truncated or corrupt (a .gz above all)
UNREADABLE_STREAM = (OSError, EOFError, zlib.error)


def read_inputs(
    inputs: list[str], fallback: datetime.date | None, stdin: IO[str]
) -> Iterator[Item]:
    """Every document named by the command line's inputs, in order, one at a time."""
    for found in each_document(read_pieces(inputs, fallback, stdin)):
        yield found.read() if isinstance(found, JsonLine) else found


def read_pieces(
    inputs: list[str], fallback: datetime.date | None, stdin: IO[str], block: int = BLOCK
) -> Iterator[Piece]:
    """As read_inputs, but JSON-lines feeds come in blocks of whole lines (JsonLines) of
    about `block` bytes, to be split and decoded where they are processed."""
    for name in inputs:
        path = Path(name)
        if name == "-":
            stream = getattr(stdin, "buffer", stdin)
            yield from read_blocks(stream, "<stdin>", fallback, block)
        elif path.is_dir():
            yield from read_folder(path, fallback)
        elif name.endswith(".jsonl.gz"):
            with gzip.open(path, "rb") as stream:
                yield from read_blocks(stream, path.name, fallback, block)
        elif name.endswith(".jsonl"):
            with path.open("rb") as stream:
                yield from read_blocks(stream, path.name, fallback, block, _size(stream))
        else:
            manifest, problem = read_manifest(path.parent)
            if problem is not None:
                yield problem
            yield read_text_file(path, path.name, manifest.get(path.name, {}), fallback)


def read_blocks(
    stream: IO[bytes] | IO[str] | gzip.GzipFile,
    name: str,
    fallback: datetime.date | None,
    block: int = BLOCK,
    size: int | None = None,
) -> Iterator[JsonLines | Unreadable]:
    """A feed in blocks of whole lines: what is read up to the last line break, the rest
    kept for the next block; the last line needs none. Reading takes what the stream has
    (`read1`), so a feed written slowly to standard input is processed as it comes. A
    byte order mark before the first line (as Windows tools write) is not part of it.
    When the stream's `size` is known (a file), its last blocks are smaller (TAIL)."""
    read: Callable[[int], Any] = getattr(stream, "read1", stream.read)
    newline: Any = None  # b"\n", or "\n" from a text stream
    first = 1
    unfinished: list[Any] = []  # the pieces of a line not ended yet
    left = size
    try:
        while chunk := read(_next_read(block, left)):
            left = None if left is None else left - len(chunk)
            newline = newline or ("\n" if isinstance(chunk, str) else b"\n")
            cut = chunk.rfind(newline) + 1
            if cut:
                data = newline[:0].join([*unfinished, chunk[:cut]])
                yield JsonLines(_unmarked(data) if first == 1 else data, name, first, fallback)
                first += data.count(newline)
                unfinished = []
            if cut < len(chunk):
                unfinished.append(chunk[cut:])
    except UNREADABLE_STREAM as error:  # its last line is lost
        yield Unreadable(f"{name}:{first}", f"the file cannot be read further: {error}")
        return
    if unfinished:
        data = newline[:0].join(unfinished)
        yield JsonLines(_unmarked(data) if first == 1 else data, name, first, fallback)


def _size(stream: IO[bytes]) -> int | None:
    """The size of a regular file; None for a pipe or a device, whose end is not known."""
    status = os.fstat(stream.fileno())
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _next_read(block: int, left: int | None) -> int:
    """How much to read next: a block, or near the end of a stream whose bytes `left` are
    known, an eighth of them, but not less than a sixteenth of a block (nor 1)."""
    if left is None:
        return block
    return max(1, block // SMALLEST, min(block, left // TAIL))


def _unmarked(data: bytes | str) -> bytes | str:
    """The start of a feed without its byte order mark, if it has one."""
    if isinstance(data, bytes):
        return data.removeprefix(codecs.BOM_UTF8)
    return data.removeprefix("\ufeff")


def each_document(pieces: Iterable[Piece]) -> Iterator[Input]:
    """The documents of pieces, one at a time (blocks of lines split into lines)."""
    return itertools.chain.from_iterable(map(documents_of, pieces))


def documents_of(piece: Piece) -> Iterator[Input]:
    """A piece's documents: a block's lines, or the piece itself."""
    return piece.lines() if isinstance(piece, JsonLines) else iter((piece,))


def take(pieces: Iterable[Piece], count: int) -> tuple[list[Input], Iterator[Piece]]:
    """The first `count` documents of pieces, one by one, and the pieces after them (the
    rest of a block that was split is given line by line)."""
    head: list[Input] = []
    rest = _after(pieces, count, head.append)
    following = next(rest, None)  # reads up to the first piece after the head
    return head, itertools.chain(() if following is None else (following,), rest)


def skip(pieces: Iterable[Piece], count: int) -> Iterator[Piece]:
    """The pieces after the first `count` documents, which are read and let go as they
    come (resuming a batch of millions keeps none of them)."""
    return _after(pieces, count, lambda document: None)


def _after(pieces: Iterable[Piece], count: int, keep: Callable[[Input], None]) -> Iterator[Piece]:
    """The pieces after the first `count` documents, each of which goes to `keep`."""
    left = count
    pieces = iter(pieces)
    for piece in pieces:
        if left <= 0:
            yield piece
            yield from pieces
            return
        documents = documents_of(piece)
        for document in itertools.islice(documents, left):
            keep(document)
            left -= 1
        yield from documents  # what is left of a block (nothing when the count ran on)


def count_documents(inputs: list[str]) -> int | None:
    """How many documents the inputs hold (for a progress bar's time left), counted
    without parsing them; None when one is standard input."""
    total = 0
    for name in inputs:
        path = Path(name)
        if name == "-":
            return None
        if path.is_dir():
            total += sum(1 for p in path.rglob("*.txt") if p.is_file())
        elif name.endswith((".jsonl", ".jsonl.gz")):
            opener = gzip.open if name.endswith(".gz") else open
            try:
                with opener(path, "rb") as stream:
                    total += sum(
                        chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b"")
                    )
            except UNREADABLE_STREAM:  # reading it will report what is wrong
                return None
        else:
            total += 1
    return total
