"""Drafts -> records: plain JSON objects with values, source offsets and evidence.

A record is what `extract` writes, one JSON object per line. Offsets point into the
original text of the document, so an analyst (or a report) can show the exact words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import regex

from .match import Mention
from .resolve import Draft
from .text import TextView

Record = dict[str, Any]

_SPACES = regex.compile(r"\s+")


def to_record(draft: Draft, doc: str, view: TextView) -> Record:
    """A record in the order its keys are written."""
    spans: dict[str, list[int] | None] = {}
    attributes: dict[str, dict[str, str]] = {}
    for name, value in draft.args:
        spans[name] = list(view.token_span(value.first, value.end)) if value.first >= 0 else None
        if value.attributes:
            attributes[name] = dict(value.attributes)
    start, end = view.token_span(*draft.evidence)
    return {
        "relation": draft.relation,
        "doc": doc,
        "rule": draft.rules[0],
        "rules": list(draft.rules),
        "args": {name: value.value for name, value in draft.args},
        "spans": spans,
        "attributes": attributes,
        "evidence": _SPACES.sub(" ", view.original[start:end]).strip(),
        "evidence_span": [start, end],
    }


@dataclass(frozen=True)
class MentionMark:
    """A mention the rules saw, for reports: its entity type, its span in the ORIGINAL text
    (str indices), its normalised value, and the rule or gazetteer that made it."""

    type: str
    start: int
    end: int
    value: str | None
    source: str


def mention_marks(view: TextView, mentions: Iterable[Mention]) -> tuple[MentionMark, ...]:
    """Marks of mentions (token ranges of the view) in original-text offsets, duplicates
    dropped, outer marks first."""
    marks = {
        MentionMark(m.type, *view.token_span(m.first, m.end), m.value, m.source)
        for m in mentions
        if m.end > m.first
    }
    return tuple(sorted(marks, key=mark_order))


def mark_order(mark: MentionMark) -> tuple[int, int, str, bool, str, str]:
    """Outer marks first: by start, then longest, then by content (a total order)."""
    return (mark.start, -mark.end, mark.type, mark.value is None, mark.value or "", mark.source)


def dumps(record: Record) -> str:
    """One line of JSON, the same bytes for the same record on every run."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
