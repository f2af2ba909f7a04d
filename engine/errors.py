"""One root for every error the toolkit raises, split by whose fault it is.

* the rule author's (`RuleSetError`: exit 2, every diagnostic of the set at once),
* a document's (`DocumentError`: reported, the document skipped, the batch goes on),
* a usage error on the command line (`UsageError`: exit 2),
* the machine's (`WorkerLost`: a worker process was killed; the batch stops, what was
  written stays, and `--resume` goes on from there).

Every diagnostic carries a stable code, so tests assert codes and fields, not prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem in a rule file, located at file:line:column (both 1-based)."""

    code: str
    message: str
    file: str
    line: int
    column: int
    source_line: str = ""
    hint: str | None = None
    severity: Severity = "error"

    def format(self) -> str:
        """Render as an analyst reads it: location, message, the line, a caret, a hint."""
        head = f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code}: {self.message}"
        lines = [head]
        if self.source_line:
            shown = self.source_line.expandtabs(1).rstrip("\n")
            if len(shown) > 160:
                start = max(0, self.column - 80)
                shown = ("..." if start else "") + shown[start : start + 160]
                caret_at = self.column - start + (3 if start else 0)
            else:
                caret_at = self.column
            lines.append(f"    {shown}")
            lines.append("    " + " " * max(0, caret_at - 1) + "^")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def source_lines(text: str) -> list[str]:
    """A rule file's lines as the parser counts them: split at line feeds only (a form
    feed or U+2028 inside a line does not start a new one); a CR before LF is dropped."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset in undecodable text."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


class ToolkitError(Exception):
    """Root of every error the toolkit raises on purpose."""


class RuleSetError(ToolkitError):
    """The rule set cannot be used: carries every diagnostic found, in file order."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class DocumentError(ToolkitError):
    """One document cannot be processed; the batch reports it and goes on."""

    def __init__(self, doc: str, reason: str) -> None:
        self.doc = doc
        self.reason = reason
        super().__init__(f"{doc}: {reason}")


class UsageError(ToolkitError):
    """The command line asks for something that cannot be done."""


class WorkerLost(ToolkitError):
    """A worker process ended before its work was done (killed, out of memory): the batch
    stops there; what was written before stays."""
