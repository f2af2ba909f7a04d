"""What a batch covered: per rule how often it fired and where, documents with no record,
and sentences holding a relation's cue words that yielded none (the first signs of a
source changing how it writes, or of a rule missing)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .batch import Result

KEPT = 10  # examples kept of each kind: a batch of millions must not grow this


@dataclass
class Coverage:
    rules: tuple[str, ...]  # every relation rule, in the order of the rule set
    cues: dict[str, frozenset[str]] = field(default_factory=dict)  # per relation
    documents: int = 0
    processed: int = 0
    records: Counter[str] = field(default_factory=Counter)  # rule -> records it made
    documents_with: Counter[str] = field(default_factory=Counter)  # rule -> documents
    silent: int = 0  # processed documents with no record
    silent_examples: list[str] = field(default_factory=list)
    quiet: Counter[str] = field(default_factory=Counter)  # relation -> sentences
    quiet_examples: list[tuple[str, str, str]] = field(default_factory=list)
    looks_for_quiet: bool = True  # whether this run finds the quiet sentences (--stats)
    uncounted: int = 0  # documents of a resumed batch done before, whose counts are lost
    quiet_unseen: int = 0  # documents counted whose quiet sentences nobody looked for

    def add(self, outcome: Result) -> None:
        self.documents += 1
        if isinstance(outcome, str):  # processed, nothing to tell
            self._processed_without_record(outcome)
            return
        if outcome.records is None:
            return
        if not outcome.records:
            self._processed_without_record(outcome.doc)
        else:
            self.processed += 1
        fired: set[str] = set()
        for record in outcome.records:
            for rule in record["rules"]:
                self.records[rule] += 1
                fired.add(rule)
        self.documents_with.update(fired)
        for relation, sentence in outcome.quiet:
            self.quiet[relation] += 1
            if len(self.quiet_examples) < KEPT:
                self.quiet_examples.append((outcome.doc, relation, sentence))

    def _processed_without_record(self, doc: str) -> None:
        self.processed += 1
        self.silent += 1
        if len(self.silent_examples) < KEPT:
            self.silent_examples.append(doc)

    def state(self) -> dict[str, Any]:
        """What a checkpoint keeps of it (plain JSON), for a resumed batch to count on."""
        return {
            "documents": self.documents,
            "processed": self.processed,
            "records": dict(self.records),
            "documents_with": dict(self.documents_with),
            "silent": self.silent,
            "silent_examples": list(self.silent_examples),
            "quiet": dict(self.quiet),
            "quiet_examples": [list(example) for example in self.quiet_examples],
            "quiet_unseen": self.quiet_unseen if self.looks_for_quiet else self.documents,
            "uncounted": self.uncounted,
        }

    def resume(self, state: Any, done: int) -> None:
        """Count on from what a checkpoint kept after `done` documents; when it kept
        nothing that can be read (written by hand, or by an older version), the `done`
        documents are said to be uncounted."""
        try:
            counts = {
                key: int(state[key])
                for key in ("documents", "processed", "silent", "quiet_unseen", "uncounted")
            }
            records, documents_with, quiet = (
                Counter({str(k): int(v) for k, v in state[key].items()})
                for key in ("records", "documents_with", "quiet")
            )
            silent_examples = [str(doc) for doc in state["silent_examples"]][:KEPT]
            quiet_examples = [(str(d), str(r), str(s)) for d, r, s in state["quiet_examples"]][
                :KEPT
            ]
        except (TypeError, ValueError, KeyError, AttributeError):
            self.uncounted = done
            return
        self.documents, self.processed = counts["documents"], counts["processed"]
        self.silent, self.quiet_unseen = counts["silent"], counts["quiet_unseen"]
        self.uncounted = counts["uncounted"]
        self.records, self.documents_with, self.quiet = records, documents_with, quiet
        self.silent_examples, self.quiet_examples = silent_examples, quiet_examples

    @property
    def never_fired(self) -> list[str]:
        return [rule for rule in self.rules if not self.records[rule]]
