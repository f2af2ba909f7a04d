"""What a batch covered: per rule how often it fired and where, documents with no record,
and sentences holding a relation's cue words that yielded none (the first signs of a
source changing how it writes, or of a rule missing)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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

    @property
    def never_fired(self) -> list[str]:
        return [rule for rule in self.rules if not self.records[rule]]
