"""Where documents come from: text files, folders with a manifest, JSON lines, stdin.

Reading is lazy: a batch of any size is read one document at a time. A document that
cannot be read becomes an `Unreadable` with the reason, so the batch can report it and
go on.
"""

from __future__ import annotations

import datetime
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

MANIFEST = "manifest.yaml"


@dataclass(frozen=True)
class Document:
    """One article: its id (file name or feed id), text, publication date, other metadata."""

    id: str
    text: str
    published: datetime.date | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unreadable:
    """A document that could not be read, and why."""

    id: str
    reason: str


Item = Document | Unreadable


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
    doc_id: str, text: str, metadata: dict[str, Any], fallback: datetime.date | None
) -> Item:
    try:
        published = parse_published(metadata.get("published")) or fallback
    except ValueError:
        return Unreadable(
            doc_id, f"the publication date {metadata.get('published')!r} is not YYYY-MM-DD"
        )
    if not text.strip():
        return Unreadable(doc_id, "the document has no text")
    return Document(doc_id, text, published, metadata)


# ------------------------------------------------------------------ text files and folders


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): v for k, v in loaded.items() if isinstance(v, dict)}


def read_text_file(
    path: Path, doc_id: str, metadata: dict[str, Any], fallback: datetime.date | None
) -> Item:
    try:
        data = path.read_bytes()
    except OSError as error:
        return Unreadable(doc_id, f"cannot be read: {error.strerror}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return Unreadable(
            doc_id, f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        )
    return make_document(doc_id, text, metadata, fallback)


def read_folder(folder: Path, fallback: datetime.date | None) -> Iterator[Item]:
    manifest = read_manifest(folder)
    for path in sorted(p for p in folder.rglob("*.txt") if p.is_file()):
        doc_id = path.relative_to(folder).as_posix()
        yield read_text_file(path, doc_id, manifest.get(doc_id, {}), fallback)


# ------------------------------------------------------------------ JSON lines


def read_json_lines(stream: IO[str], name: str, fallback: datetime.date | None) -> Iterator[Item]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        yield _json_document(line, f"{name}:{number}", fallback)


def _json_document(line: str, where: str, fallback: datetime.date | None) -> Item:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return Unreadable(where, f"not valid JSON ({error.msg} at column {error.colno})")
    if not isinstance(data, dict):
        return Unreadable(where, 'a JSON line must be an object with at least "text"')
    doc_id = str(data.get("id", where))
    text = data.get("text")
    if not isinstance(text, str):
        return Unreadable(doc_id, 'the line has no "text" string')
    metadata = {k: v for k, v in data.items() if k != "text"}
    return make_document(doc_id, text, metadata, fallback)


def read_inputs(
    inputs: list[str], fallback: datetime.date | None, stdin: IO[str]
) -> Iterator[Item]:
    """Every document named by the command line's inputs, in order, one at a time."""
    for name in inputs:
        path = Path(name)
        if name == "-":
            yield from read_json_lines(stdin, "<stdin>", fallback)
        elif path.is_dir():
            yield from read_folder(path, fallback)
        elif name.endswith(".jsonl.gz"):
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                yield from read_json_lines(stream, path.name, fallback)
        elif name.endswith(".jsonl"):
            with path.open(encoding="utf-8") as stream:
                yield from read_json_lines(stream, path.name, fallback)
        else:
            manifest = read_manifest(path.parent)
            yield read_text_file(path, path.name, manifest.get(path.name, {}), fallback)
