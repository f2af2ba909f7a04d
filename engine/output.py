"""Where records go: standard output, or a file that is complete or not there at all.

Writing to `-o FILE` goes through `FILE.partial`, renamed to FILE when the batch ends.
After every document a checkpoint (`FILE.progress`) records how many documents are done
and how many bytes of records stand for them, so a batch that was killed can be resumed:
the partial file is cut back to the last checkpoint (dropping a document half written)
and the documents already done are skipped. No record is lost, none is doubled.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

PARTIAL, PROGRESS = ".partial", ".progress"


class ResumeRefused(Exception):
    """The checkpoint belongs to another batch (other rules or inputs): refuse to mix."""


@dataclass
class Checkpoint:
    documents: int
    bytes: int
    batch: str  # identity of the batch: rules digest and inputs
    # what the run had counted by then (failures, records, the --errors file's length),
    # for the resumed run to go on from
    tally: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Checkpoint | None:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            tally = data.get("tally", {})
            return cls(
                int(data["documents"]),
                int(data["bytes"]),
                str(data["batch"]),
                tally if isinstance(tally, dict) else {},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        state = {"documents": self.documents, "bytes": self.bytes, "batch": self.batch}
        temporary.write_text(json.dumps({**state, "tally": self.tally}), encoding="utf-8")
        os.replace(temporary, path)


CHECKPOINT_SECONDS = 1.0


class FileSink:
    """Records into FILE.partial, a checkpoint after each document, FILE at the end."""

    def __init__(self, target: Path, batch: str, resume: bool) -> None:
        self.target = target
        self.partial = target.with_name(target.name + PARTIAL)
        self.progress = target.with_name(target.name + PROGRESS)
        self.batch = batch
        self.done = 0
        self.noted = float("-inf")  # when the last checkpoint was written
        self.tally: dict[str, Any] = {}  # the resumed checkpoint's
        start = 0
        checkpoint = Checkpoint.read(self.progress) if resume else None
        if checkpoint is not None:
            if checkpoint.batch != batch:
                raise ResumeRefused(
                    f"{self.progress} belongs to another batch (other rules or inputs); "
                    "run without --resume to start again"
                )
            self.done, start = checkpoint.documents, checkpoint.bytes
        self.stream: IO[bytes] = self._open(start)
        if self.skip and checkpoint is not None:  # resumed: go on from its counts
            self.tally = checkpoint.tally

    @property
    def resumed(self) -> int:
        """Documents a resumed run skips (done before it was stopped)."""
        return self.skip

    def _open(self, start: int) -> IO[bytes]:
        self.skip = self.done
        if start and self.partial.exists():
            stream = open(self.partial, "r+b")  # noqa: SIM115 - closed in finish/close
            stream.truncate(start)
            stream.seek(start)
            return stream
        self.done = self.skip = 0
        return open(self.partial, "wb")  # noqa: SIM115

    def write(self, line: str) -> None:
        self.stream.write(line.encode("utf-8"))

    def document_done(self, tally: Callable[[], dict[str, Any]] = dict) -> None:
        """Count a document; at most every CHECKPOINT_SECONDS, make what is written so far
        durable and note it, with what `tally` says the run has counted (a resumed run
        redoes the few documents after the note)."""
        self.done += 1
        now = time.monotonic()
        if now - self.noted >= CHECKPOINT_SECONDS:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            Checkpoint(self.done, self.stream.tell(), self.batch, tally()).write(self.progress)
            self.noted = now

    def discard(self) -> None:
        """A run that could not start (no cluster): leave no files, but a resumable one's."""
        self.close()
        if not self.skip:
            self.partial.unlink(missing_ok=True)
            self.progress.unlink(missing_ok=True)

    def finish(self) -> None:
        self.stream.close()
        os.replace(self.partial, self.target)
        self.progress.unlink(missing_ok=True)

    def close(self) -> None:
        if not self.stream.closed:
            self.stream.close()


class StreamSink:
    """Standard output: written as it goes, nothing to resume."""

    resumed = 0
    tally: dict[str, Any] = {}

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, line: str) -> None:
        self.stream.write(line)

    def document_done(self, tally: Callable[[], dict[str, Any]] = dict) -> None:
        self.stream.flush()

    def finish(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        pass

    def discard(self) -> None:
        pass


class ErrorLog:
    """`--errors FILE`: one JSON line per document that failed or needed repair."""

    def __init__(self, path: str | None, append: bool, keep: int | None = None) -> None:
        """Appending (a resumed run), the lines after the first `keep` bytes are dropped:
        they were written for documents after the checkpoint, which are done again."""
        self.stream: IO[str] | None = None
        if path is not None:
            self.stream = open(path, "a" if append else "w", encoding="utf-8")  # noqa: SIM115
            if append and keep is not None and keep <= self.stream.tell():
                self.stream.truncate(keep)
                self.stream.seek(keep)

    def size(self) -> int | None:
        """Bytes written so far (None: no file)."""
        return None if self.stream is None else self.stream.tell()

    def add(self, doc: str, kind: str, reason: str) -> None:
        if self.stream is not None:
            line = json.dumps({"doc": doc, "kind": kind, "reason": reason}, ensure_ascii=False)
            self.stream.write(line + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
