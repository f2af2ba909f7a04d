"""Why a rule did, or did not, make a record in a document: `extract --explain`.

For each rule and sentence (or paragraph, for rules that search paragraphs: once, at the
first sentence of the paragraph shown) the explanation says one of
* matched: what each capture took, which veto dropped the match, which slot stayed empty
  and why, and whether a record came out of it (or resolution folded it into another);
* came close: how many elements of the pattern matched, from which token, and which
  element then failed on which token;
* not tried: no token of the sentence can start a match (the rule's trigger words or
  types are absent), so the matcher never looked there.

The explanation is data; `render` turns it into text (with colour for a terminal).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from . import syntax as s
from .compile import RuleSet, compile_pattern
from .compiled_rules import CompiledFill, CompiledRule
from .documents import Document
from .errors import DocumentError
from .findings import (
    DocumentFacts,
    Group,
    distinct,
    evidence,
    fill_slots,
    starts_in,
    trigger_positions,
    unit_matches,
    vetoed,
)
from .match import Context, Match, MatchBudgetExceeded, Node
from .pipeline import Limits, find_records, prepare_mentions
from .records import Record
from .report import record_line, record_words
from .text import TextView

Status = Literal["matched", "came close", "not tried"]

#: explanations search harder than a batch: one document, an analyst waiting for it
EXPLAIN_LIMITS = Limits(seconds=120.0, steps=20_000_000, steps_per_token=2_000)


@dataclass(frozen=True)
class SlotOutcome:
    slot: str
    value: str | None
    why: str  # where the value came from, or why there is none


@dataclass(frozen=True)
class MatchOutcome:
    text: str
    captures: tuple[tuple[str, str], ...]  # (capture name, the text it took)
    vetoed_by: str | None  # the veto clause that dropped the match
    slots: tuple[SlotOutcome, ...]
    result: str  # what became of the match


@dataclass(frozen=True)
class NearMiss:
    """How far the best attempt got: `matched` elements took `matched_text`, then
    `failed` did not match at `at` (a token, or the end of the unit)."""

    matched: str
    matched_text: str
    failed: str
    at: str
    progress: int  # elements matched, gaps and sentence edges not counted


@dataclass(frozen=True)
class RuleInUnit:
    rule: str
    location: str
    unit: str  # "sentence 4" or "paragraph 2"
    status: Status
    matches: tuple[MatchOutcome, ...] = ()
    near: NearMiss | None = None
    needs: str = ""  # for `not tried`: what would let the rule start here


@dataclass(frozen=True)
class SentenceExplained:
    number: int  # from 1
    text: str
    entries: tuple[RuleInUnit, ...]


@dataclass(frozen=True)
class Explanation:
    doc: str
    sentence_count: int
    sentences: tuple[SentenceExplained, ...]  # those asked for
    records: tuple[Record, ...]


def explain(
    rules: RuleSet,
    document: Document,
    rule_names: Sequence[str] = (),
    sentence: str | None = None,
) -> Explanation:
    """Explain every relation rule (or the named rules, entity rules included) on the
    document, on every sentence or on those `sentence` selects (a number or words)."""
    chosen = _chosen_rules(rules, rule_names)
    try:
        text_view, ctx, facts = prepare_mentions(rules, document, EXPLAIN_LIMITS)
        records = tuple(find_records(rules, document.id, ctx, facts))
        texts = tuple(text_view.sentence_text(lo, hi) for lo, hi in text_view.sentences)
        explained = []
        shown: set[tuple[int, int]] = set()  # (rule, a paragraph's first token) explained
        for number in _selected(texts, sentence):
            entries = []
            for place, rule in enumerate(chosen):
                lo, hi, label = _unit_of(rule, text_view, number)
                if label.startswith("paragraph"):
                    if (place, lo) in shown:
                        continue  # explained at an earlier sentence of the paragraph
                    shown.add((place, lo))
                entries.append(_explain_unit(rule, rules, ctx, facts, (lo, hi, label), records))
            explained.append(SentenceExplained(number, texts[number - 1], tuple(entries)))
    except MatchBudgetExceeded as error:
        raise DocumentError(document.id, str(error)) from None
    return Explanation(document.id, len(texts), tuple(explained), records)


class UnknownRule(ValueError):
    """`--rule NAME` names no rule of the set."""


class NoSuchSentence(ValueError):
    """`--sentence` selects nothing in the document."""


def _chosen_rules(rules: RuleSet, names: Sequence[str]) -> list[CompiledRule]:
    every = [*rules.entity_rules, *rules.relation_rules]
    if not names:
        return list(rules.relation_rules)
    by_name = {rule.name: rule for rule in every}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise UnknownRule(
            f"no rule named {', '.join(unknown)} (the rules are: "
            + ", ".join(sorted(by_name))
            + ")"
        )
    return [by_name[name] for name in names]


def _selected(texts: Sequence[str], sentence: str | None) -> list[int]:
    """Sentence numbers (from 1): all; the one numbered; those holding the words."""
    if sentence is None:
        return list(range(1, len(texts) + 1))
    if sentence.isdigit():
        number = int(sentence)
        if not 1 <= number <= len(texts):
            raise NoSuchSentence(
                f"the document has {len(texts)} sentences; there is no sentence {number}"
            )
        return [number]
    words = " ".join(sentence.split()).casefold()
    found = [n for n, text in enumerate(texts, 1) if words in text.casefold()]
    if not found:
        raise NoSuchSentence(f"no sentence of the document contains {sentence!r}")
    return found


# ------------------------------------------------------------------ one rule, one unit


def _explain_unit(
    rule: CompiledRule,
    rules: RuleSet,
    ctx: Context,
    facts: DocumentFacts,
    unit: tuple[int, int, str],
    records: Sequence[Record],
) -> RuleInUnit:
    """The rule in a unit (`_unit_of`): a sentence, or a paragraph for a rule that
    searches paragraphs."""
    lo, hi, label = unit
    starts = starts_in(trigger_positions(rule, ctx), lo, hi)
    if not starts:
        return RuleInUnit(rule.name, rule.location, label, "not tried", needs=_needs(rule))
    found = distinct(unit_matches(rule, ctx, lo, hi, starts), rule.makes_entity)
    if found:
        outcomes = tuple(_outcome(rule, rules, ctx, facts, match, records) for match in found)
        return RuleInUnit(rule.name, rule.location, label, "matched", outcomes)
    near = _near_miss(rule.pattern, ctx, lo, hi, starts)
    return RuleInUnit(rule.name, rule.location, label, "came close", near=near)


def _unit_of(rule: CompiledRule, view: TextView, number: int) -> tuple[int, int, str]:
    """The tokens the rule searches for sentence `number` (from 1), and their label."""
    lo, hi = view.sentences[number - 1]
    if rule.scope.unit == "sentence" or lo >= hi:  # `within N tokens` searches paragraphs
        return lo, hi, f"sentence {number}"
    index = view.paragraph_of(lo)
    p_lo, p_hi = view.paragraphs[index]
    return p_lo, p_hi, f"paragraph {index + 1} (from sentence {number})"


def _needs(rule: CompiledRule) -> str:
    if rule.triggers is None:
        return "nothing to start from (the unit is empty)"
    words = sorted(f'"{name}"' for kind, name in rule.triggers if kind == "word")
    types = sorted(name for kind, name in rule.triggers if kind == "type")
    return "a match must start with " + " or ".join(
        part for part in (_listed("the word", words), _listed("a mention of", types)) if part
    )


def _listed(what: str, names: list[str]) -> str:
    if not names:
        return ""
    shown = names if len(names) <= 8 else [*names[:8], f"... ({len(names)} in all)"]
    return f"{what} {', '.join(shown)}"


def _outcome(
    rule: CompiledRule,
    rules: RuleSet,
    ctx: Context,
    facts: DocumentFacts,
    match: Match,
    records: Sequence[Record],
) -> MatchOutcome:
    view = ctx.view
    captures = tuple(
        (c.name or "", view.token_text(c.first, c.end)) for c in match.captures if c.end > c.first
    )
    text = view.token_text(match.first, match.end)
    veto = next((v for v in rule.vetoes if vetoed(v, match, ctx)), None)
    if veto is not None:
        return MatchOutcome(text, captures, f"`{veto.source}`", (), "vetoed: no record")
    slots: list[SlotOutcome] = []
    for fill in rule.fills:
        slots.extend(_slot_outcomes(fill, fill_slots(fill, match, ctx, facts)))
    result = _result(rule, rules, ctx, match, slots, records)
    return MatchOutcome(text, captures, None, tuple(slots), result)


def _slot_outcomes(fill: CompiledFill, group: Group) -> list[SlotOutcome]:
    names, options = group
    out: list[SlotOutcome] = []
    for position, name in enumerate(names):
        values = [option[position] for option in options]
        found = [v.value for v in values if v.value is not None]
        if found:
            where = (
                f"from capture `{fill.capture}`"
                if fill.capture
                else f"the nearest {fill.type} in the " + " or ".join(fill.scopes)
            )
            out.append(SlotOutcome(name, " / ".join(dict.fromkeys(found)), where))
        else:
            out.append(SlotOutcome(name, None, _why_empty(fill)))
    return out


def _why_empty(fill: CompiledFill) -> str:
    if fill.capture is not None:
        what = f".{fill.attribute}" if fill.attribute else ""
        return f"capture `{fill.capture}{what}` gave no value"
    looked = ", ".join(fill.scopes)
    tests = " that passes its tests" if fill.tests else ""
    excepts = " (after its except/only cues)" if fill.excepts else ""
    return f"no {fill.type} mention{tests} in the {looked}{excepts}"


def _result(
    rule: CompiledRule,
    rules: RuleSet,
    ctx: Context,
    match: Match,
    slots: list[SlotOutcome],
    records: Sequence[Record],
) -> str:
    if rule.makes_entity:
        return f"makes a {rule.target} mention"
    relation = rules.relations[rule.target]
    empty = {slot.slot for slot in slots if slot.value is None}
    missing = [slot.name for slot in relation.slots if not slot.optional and slot.name in empty]
    if missing:
        return f"no record: required slot {', '.join(missing)} empty"
    span = list(ctx.view.token_span(*evidence(match, ctx)))
    made = [r for r in records if rule.name in r["rules"] and r["evidence_span"] == span]
    if made:
        return "record " + "; ".join(record_words(r) for r in made)
    others = [r for r in records if r["evidence_span"] == span and r["relation"] == rule.target]
    if others:
        return "no record of its own: folded into " + "; ".join(record_line(r) for r in others)
    return "no record: resolution dropped it (same actor twice, or a fuller finding)"


# ------------------------------------------------------------------ near misses


def _near_miss(
    pattern: s.Pattern, ctx: Context, lo: int, hi: int, starts: Sequence[int]
) -> NearMiss | None:
    """The attempt that matched the most elements of one of the pattern's alternatives.

    A gap at the end of what matched is told with the element after it ("... v:meets
    failed after «Russia»"): where a gap stops is no place to say an element failed."""
    best: tuple[int, int, NearMiss] | None = None
    for option in _options(pattern):
        items = option.items if isinstance(option, s.Sequence) else (option,)
        reaches = _reaches(items, ctx, lo, hi, starts)
        done = len(reaches)
        kept = done
        while kept and isinstance(items[kept - 1], s.Gap):
            kept -= 1
        first, end = reaches[kept - 1] if kept else (starts[0], starts[0])
        if end >= hi:
            at = "failed at the end of the sentence"
        elif kept == done:
            at = f"failed at «{ctx.texts[end]}»"
        else:
            at = f"not found from «{ctx.texts[end]}» on"
        progress = sum(1 for item in items[:kept] if _required(item))
        miss = NearMiss(
            s.unparse(s.Sequence(tuple(items[:kept]))),
            ctx.view.token_text(first, end) if end > first else "",
            s.unparse(s.Sequence(tuple(items[kept : done + 1]))),
            at,
            progress,
        )
        if best is None or (progress, end - first) > best[:2]:
            best = (progress, end - first, miss)
    return best[2] if best else None


def _required(item: s.Pattern) -> bool:
    """An element that must take tokens (not a gap, a sentence edge, or an optional part)."""
    if isinstance(item, s.Capture):
        return _required(item.item)
    return not isinstance(item, s.Gap | s.Boundary) and not (
        isinstance(item, s.Repeat) and item.min == 0
    )


def _options(pattern: s.Pattern) -> Iterable[s.Pattern]:
    return pattern.options if isinstance(pattern, s.Alternation) else (pattern,)


@functools.lru_cache(maxsize=1024)
def _prefix(items: tuple[s.Pattern, ...]) -> Node:
    """The matcher of a pattern's first elements, compiled once per rule, not per sentence."""
    return compile_pattern(s.Sequence(items))


def _reaches(
    items: Sequence[s.Pattern], ctx: Context, lo: int, hi: int, starts: Sequence[int]
) -> list[tuple[int, int]]:
    """For each prefix of the items that matches somewhere: (from, to) of its furthest
    reaching match; the list stops at the first prefix that matches nowhere."""
    reaches: list[tuple[int, int]] = []
    for count in range(1, len(items) + 1):
        node = _prefix(tuple(items[:count]))
        reach: tuple[int, int] | None = None
        ctx.lo, ctx.hi = lo, hi
        for start in starts:
            for stop, _ in node.run(ctx, start, ()):
                if reach is None or stop - start > reach[1] - reach[0]:
                    reach = (start, stop)
        if reach is None:
            break
        reaches.append(reach)
    return reaches


# ------------------------------------------------------------------ text


COLOURS = {"matched": "32", "came close": "33", "not tried": "2", "vetoed": "31", "empty": "31"}


def render(explanation: Explanation, colour: bool = False, everything: bool = False) -> str:
    """The explanation as text. Unless `everything` (an analyst narrowed it to a rule or a
    sentence), near misses that matched no more than one element, and rules that could
    not start, are only counted."""
    paint = _painter(colour)
    count = len(explanation.records)
    lines = [
        f"{explanation.doc}: {explanation.sentence_count} sentences, "
        f"{count} record{'s' if count != 1 else ''}"
    ]
    for sentence in explanation.sentences:
        shown = [e for e in sentence.entries if everything or _worth_showing(e)]
        if not shown:
            continue
        lines.append("")
        lines.append(f"sentence {sentence.number}: «{sentence.text}»")
        for entry in shown:
            lines.extend(_entry_lines(entry, paint))
        hidden = len(sentence.entries) - len(shown)
        if hidden:
            many = "s" if hidden != 1 else ""
            lines.append(
                paint(
                    f"  and {hidden} rule{many} that could not start here or did not get past "
                    "a first element (narrow with --rule or --sentence to see them)",
                    "not tried",
                )
            )
    return "\n".join(lines)


def _worth_showing(entry: RuleInUnit) -> bool:
    if entry.status == "matched":
        return True
    return entry.status == "came close" and entry.near is not None and entry.near.progress >= 2


Paint = Callable[[str, str], str]


def _painter(colour: bool) -> Paint:
    def paint(text: str, key: str) -> str:
        return f"\x1b[{COLOURS[key]}m{text}\x1b[0m" if colour else text

    return paint


def _entry_lines(entry: RuleInUnit, paint: Paint) -> list[str]:
    head = f"  {entry.rule} ({entry.location})"
    unit = f" [{entry.unit}]" if entry.unit.startswith("paragraph") else ""
    if entry.status == "not tried":
        return [f"{head}{unit}: " + paint("not tried", "not tried") + f": {entry.needs}"]
    if entry.status == "came close":
        return [f"{head}{unit}: " + paint("no match", "came close"), *_near_lines(entry, paint)]
    lines = [f"{head}{unit}: " + paint("matched", "matched")]
    for outcome in entry.matches:
        lines.extend(_match_lines(outcome, paint))
    return lines


def _near_lines(entry: RuleInUnit, paint: Paint) -> list[str]:
    near = entry.near
    if near is None:
        return []
    if not near.matched:
        return [f"      its first element {near.failed} " + paint("matched nowhere", "empty")]
    return [
        f"      matched   {near.matched}",
        f"      as        «{near.matched_text}»",
        f"      then      {near.failed} " + paint(near.at, "empty"),
    ]


def _match_lines(outcome: MatchOutcome, paint: Paint) -> list[str]:
    lines = [f"      «{outcome.text}»"]
    lines.extend(f"        {name} = «{text}»" for name, text in outcome.captures)
    if outcome.vetoed_by is not None:
        lines.append("        " + paint(f"dropped by {outcome.vetoed_by}", "vetoed"))
        return lines
    for slot in outcome.slots:
        if slot.value is None:
            lines.append(f"        slot {slot.slot}: " + paint(f"empty: {slot.why}", "empty"))
        else:
            lines.append(f"        slot {slot.slot} = {slot.value}  ({slot.why})")
    key = "matched" if outcome.result.startswith("record") else "vetoed"
    lines.append("        -> " + paint(outcome.result, key))
    return lines
