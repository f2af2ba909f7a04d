"""Documents of a batch, as a worker process does them: read item -> outcome.

`process` is what runs where the work is spread (a local process pool or Dask
workers): everything it needs travels once per worker in `Work`, the documents in tasks
(a block of a feed's lines as it was read, or a few other documents: `task_documents`
splits them there); what comes back, an `Outcome` per document (or only its id when it
has nothing to tell: a `Result`), is small and plain, so the main process can write,
validate, compare and count in input order whatever ran where.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .compile import RuleSet
from .documents import Document, Input, JsonLine, JsonLines, Piece
from .errors import DocumentError
from .match import Context
from .pipeline import Limits, extract_in_context
from .records import MentionMark, Record, mention_marks


@dataclass(frozen=True)
class Work:
    """What every worker needs, shipped once: the rules and what to report."""

    rules: RuleSet
    limits: Limits = Limits()
    quiet: bool = False  # find the sentences with a cue word but no record, for --stats
    marks: bool = False  # keep the text and its mentions, for --report


@dataclass(frozen=True)
class Outcome:
    doc: str
    records: tuple[Record, ...] | None  # None: the document was not processed
    problem: tuple[str, str] | None = None  # ("unreadable" | "failed", reason)
    notes: tuple[str, ...] = ()  # what reading it had to repair
    quiet: tuple[tuple[str, str], ...] = ()  # (relation, sentence): a cue word, no record
    text: str | None = None
    marks: tuple[MentionMark, ...] = ()


Task = JsonLines | list[Input]  # what a worker is sent at a time
# What processing a document gives: its Outcome, or, for a document that was processed and
# has nothing to tell (no record, no note, no quiet sentence: most of a batch), only its
# id. A str travels back from a worker and is counted by the main process at the least
# cost; `outcome_of` gives the Outcome it stands for.
Result = Outcome | str


def outcome_of(result: Result) -> Outcome:
    """The Outcome a result stands for."""
    return Outcome(result, ()) if isinstance(result, str) else result


def tasks(pieces: Iterable[Piece], size: int) -> Iterator[Task]:
    """The pieces as tasks: a block of a feed as it is (splitting its lines is left to the
    worker), other documents `size` at a time."""
    waiting: list[Input] = []
    for piece in pieces:
        if isinstance(piece, JsonLines):
            if waiting:
                yield waiting
                waiting = []
            yield piece
        else:
            waiting.append(piece)
            if len(waiting) == size:
                yield waiting
                waiting = []
    if waiting:
        yield waiting


def task_documents(task: Task) -> Iterable[Input]:
    """A task's documents, in order: a block's lines (split and decoded here, where the
    work runs), or the documents themselves."""
    return task.lines() if isinstance(task, JsonLines) else task


def process(work: Work, found: Input) -> Result:
    """Extract one document (a JSON line is decoded here first); a failure is returned,
    not raised, so the batch goes on. A document with nothing to tell gives its id."""
    item = found.read() if isinstance(found, JsonLine) else found
    if not isinstance(item, Document):
        return Outcome(item.id, None, ("unreadable", item.reason))
    try:
        # the cue-word sentences of --stats are those of the partial view: no probe
        records, context = extract_in_context(
            work.rules, item, work.limits, skip=not work.marks, probe=not work.quiet
        )
    except DocumentError as error:
        return Outcome(item.id, None, ("failed", error.reason), item.notes)
    quiet = _quiet_sentences(work.rules, context, records) if work.quiet and context else ()
    if not (records or item.notes or quiet or work.marks):
        return item.id
    return Outcome(
        item.id,
        tuple(records),
        None,
        item.notes,
        quiet,
        item.text if work.marks else None,
        _marks(work.rules, context) if work.marks and context else (),
    )


# ------------------------------------------------------------------ coverage


def _quiet_sentences(
    rules: RuleSet, context: Context, records: list[Record]
) -> tuple[tuple[str, str], ...]:
    """(relation, sentence) for each sentence holding a cue word of the relation that no
    record of it comes from."""
    view = context.view
    quiet: list[tuple[str, str]] = []
    for relation, words in rules.cue_words.items():
        covered = [r["evidence_span"] for r in records if r["relation"] == relation]
        holding = {
            view.sentence_of(position)
            for word in words & context.word_positions.keys()
            for position in context.word_positions[word]
        }
        for lo, hi in (view.sentences[number] for number in sorted(holding)):
            start, end = view.token_span(lo, hi)
            if not any(a < end and start < b for a, b in covered):
                quiet.append((relation, view.sentence_text(lo, hi)))
    return tuple(quiet)


def _marks(rules: RuleSet, context: Context) -> tuple[MentionMark, ...]:
    """The mentions of the types records are made of (the slots' types): cue words such as
    "to" or "said" would drown the names in a report."""
    every = [m for type_name in rules.slot_types for m in context.all_of(type_name)]
    return mention_marks(context.view, every)
