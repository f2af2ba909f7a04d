"""Apply one rule to a document: its matches, minus the vetoed ones, with their slots filled.

A finding is a match with a value (or several) for each slot. Slots are filled from
captures, or from the nearest mention of a type in the sentence, else the paragraph,
else the dateline or the document, as the rule says.
"""

from __future__ import annotations

import datetime
import itertools
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .compile import start_of
from .compiled_rules import CompiledExcept, CompiledFill, CompiledRule, CompiledVeto, EntityType
from .gazetteer import Attributes
from .match import (
    Context,
    Match,
    Mention,
    Node,
    WholeDocumentNeeded,
    cue_mentions,
    cue_within,
    matches_in,
)
from .mentions import normalise
from .text import TextView


@dataclass(frozen=True)
class Value:
    """A slot's value and the tokens it came from (first == end == -1: not in the text)."""

    value: str | None
    first: int = -1
    end: int = -1
    attributes: Attributes = ()


Group = tuple[tuple[str, ...], tuple[tuple[Value, ...], ...]]


@dataclass(frozen=True)
class Finding:
    """A rule's vetted match: per group of slots, the alternatives it supports."""

    rule: str
    target: str
    match: Match
    evidence: tuple[int, int]  # token range of the sentence(s) holding the match
    groups: tuple[Group, ...]
    priority: int = 0

    def assignments(self) -> Iterator[dict[str, Value]]:
        """Every full assignment of values to slots (one record each)."""
        for choice in itertools.product(*(options for _, options in self.groups)):
            out: dict[str, Value] = {}
            for (slots, _), values in zip(self.groups, choice, strict=True):
                out.update(zip(slots, values, strict=True))
            yield out


@dataclass(frozen=True)
class DocumentFacts:
    """What fills may need beyond the match: types, publication date, dateline."""

    entities: dict[str, EntityType]
    published: datetime.date | None


def apply_rule(rule: CompiledRule, ctx: Context, facts: DocumentFacts) -> list[Finding]:
    findings = []
    for match in distinct(_matches(rule, ctx), by_extent=rule.makes_entity):
        if any(vetoed(veto, match, ctx) for veto in rule.vetoes):
            continue
        groups = tuple(fill_slots(fill, match, ctx, facts) for fill in rule.fills)
        findings.append(
            Finding(rule.name, rule.target, match, evidence(match, ctx), groups, rule.priority)
        )
    return findings


# ------------------------------------------------------------------ matching


def _units(rule: CompiledRule, ctx: Context) -> list[tuple[int, int]]:
    view = ctx.view
    return list(view.sentences) if rule.scope.unit == "sentence" else list(view.paragraphs)


def trigger_positions(rule: CompiledRule, ctx: Context) -> list[int] | None:
    """Where in the whole document a match of the rule can start; None: anywhere."""
    if rule.triggers is None:
        return _sentence_starts(ctx) if rule.sentence_start else None
    return ctx.starts_of(start_of(rule.triggers))


def _sentence_starts(ctx: Context) -> list[int]:
    found = ctx.memo.get("sentence starts")
    if found is None:
        found = ctx.memo["sentence starts"] = sorted(ctx.sentence_starts)
    return found  # type: ignore[return-value]


def _matches(rule: CompiledRule, ctx: Context) -> Iterator[Match]:
    """Matches unit by unit (sentence or paragraph), tried only in units holding one of
    the rule's anchor words, and there only where a match can start."""
    anchored = anchor_positions(rule, ctx)
    if anchored == []:
        return
    positions = trigger_positions(rule, ctx)
    region = ctx.region if rule.makes_entity else None
    for lo, hi in _units(rule, ctx):
        if anchored is not None and not starts_in(anchored, lo, hi):
            continue
        if region is not None and not _inside(region, lo, hi):
            continue
        starts = starts_in(positions, lo, hi)
        if starts:
            yield from unit_matches(rule, ctx, lo, hi, starts)


def unit_matches(
    rule: CompiledRule, ctx: Context, lo: int, hi: int, starts: Sequence[int]
) -> Iterator[Match]:
    """The rule's matches in one unit (tokens lo..hi-1) that start at one of `starts`."""
    limit = rule.scope.size if rule.scope.unit == "tokens" else None
    return matches_in(rule.node, ctx, lo, hi, starts, limit)


def _inside(region: list[tuple[int, int]], lo: int, hi: int) -> bool:
    """Does tokens lo..hi-1 lie inside one of the region's (sorted) ranges?"""
    index = bisect_right(region, (lo, float("inf"))) - 1
    return index >= 0 and region[index][0] <= lo and hi <= region[index][1]


def anchor_positions(rule: CompiledRule, ctx: Context) -> list[int] | None:
    """Where the rule's anchor words stand in the document; None: the rule has none."""
    if rule.anchors is None:
        return None
    return ctx.starts_of((rule.anchors, ()))


def starts_in(positions: list[int] | None, lo: int, hi: int) -> Sequence[int]:
    """The tokens of lo..hi-1 where a match can start (None: every token)."""
    if positions is None:
        return range(lo, hi)
    return positions[bisect_left(positions, lo) : bisect_left(positions, hi)]


def distinct(matches: Iterator[Match], by_extent: bool) -> list[Match]:
    """One match per distinct set of captures, the shortest: a relation is found once.

    With `by_extent` (entity rules, whose mention is the whole match) every extent counts.
    """
    best: dict[object, Match] = {}
    for match in matches:
        key: object = tuple((c.name, c.first, c.end) for c in match.captures)
        if by_extent or not match.captures:
            key = (match.first, match.end, key)
        kept = best.get(key)
        if kept is None or (match.end - match.first, match.first) < (
            kept.end - kept.first,
            kept.first,
        ):
            best[key] = match
    return sorted(
        best.values(),
        key=lambda m: (m.first, m.end, [(c.name or "", c.first, c.end) for c in m.captures]),
    )


def evidence(match: Match, ctx: Context) -> tuple[int, int]:
    view = ctx.view
    first = view.sentences[view.sentence_of(match.first)][0]
    end = view.sentences[view.sentence_of(match.end - 1)][1]
    return first, end


# ------------------------------------------------------------------ vetoes


def _span_of(name: str | None, match: Match) -> tuple[int, int] | None:
    if name == "match" or name is None:
        return match.first, match.end
    captured = match.capture(name)
    if not captured:
        return None
    return min(c.first for c in captured), max(c.end for c in captured)


def vetoed(veto: CompiledVeto, match: Match, ctx: Context) -> bool:
    anchor = _span_of(veto.anchor, match)
    if anchor is None:
        return False
    if veto.position == "sentence":
        return cue_within(veto.cue, ctx, *evidence(match, ctx))
    if veto.position == "inside":
        return cue_within(veto.cue, ctx, anchor[0], anchor[1])
    if veto.position == "between":
        other = _span_of(veto.other, match)
        if other is None:
            return False
        left, right = sorted([anchor, other])
        return cue_within(veto.cue, ctx, left[1], right[0])
    # before / after: in the anchor's own sentence (a paragraph-wide match spans several)
    view = ctx.view
    edge = anchor[0] if veto.position == "before" else anchor[1] - 1
    sentence = view.sentences[view.sentence_of(edge)]
    return _cue_beside(veto.cue, veto.position, veto.window, anchor, ctx, sentence)


def _cue_beside(
    cue: Node,
    side: str,
    window: int | None,
    span: tuple[int, int],
    ctx: Context,
    sentence: tuple[int, int],
) -> bool:
    """Is the cue before (after) `span` in its sentence, ending (starting) within `window`
    tokens of it? A cue may reach further than the window: "not" within 1 of "Putin" in
    "but not with Putin" ... only where it ends (starts) counts."""
    if side == "before":
        ends = None if window is None else range(span[0] - window + 1, span[0] + 1)
        return cue_within(cue, ctx, sentence[0], span[0], ends=ends)
    starts = None if window is None else range(span[1], span[1] + window)
    return cue_within(cue, ctx, span[1], sentence[1], starts=starts)


# ------------------------------------------------------------------ filling slots


def fill_slots(fill: CompiledFill, match: Match, ctx: Context, facts: DocumentFacts) -> Group:
    if fill.capture is not None:
        values = _captured_values(fill, match, ctx, facts)
    else:
        values = [_nearest(fill, match, ctx, facts)]
    if len(fill.slots) > 1 and fill.capture is not None:
        distinct = list(dict.fromkeys(values))
        options = tuple(itertools.combinations(distinct, len(fill.slots)))
    else:
        options = tuple(tuple([v] * len(fill.slots)) for v in values)
    return fill.slots, options


def _captured_values(
    fill: CompiledFill, match: Match, ctx: Context, facts: DocumentFacts
) -> list[Value]:
    values: list[Value] = []
    for captured in match.capture(fill.capture or ""):
        if captured.mentions and fill.attribute is not None:
            values.extend(
                Value(m.attribute(fill.attribute), m.first, m.end, m.attributes)
                for m in captured.mentions
            )
        elif captured.mentions:
            values.extend(_from_mention(m) for m in captured.mentions)
        else:
            text = ctx.view.token_text(captured.first, captured.end)
            entity = facts.entities.get(fill.slot_type)
            values.append(
                Value(normalise(entity, text, facts.published), captured.first, captured.end)
            )
    return values


def _from_mention(mention: Mention) -> Value:
    return Value(mention.value, mention.first, mention.end, mention.attributes)


TEXT_SCOPES = frozenset({"sentence", "paragraph", "title"})


def _nearest(fill: CompiledFill, match: Match, ctx: Context, facts: DocumentFacts) -> Value:
    """The nearest fitting mention, scope by scope, looking only where the scope lies.
    `except`/`only` cues judge the mentions of the text's sentences; a dateline or the
    document's main value is taken as it is."""
    agrees = _beyond_the_sentence(fill, match, ctx)
    anchor = _span_of(fill.anchor, match) or (match.first, match.end)

    def fits(mention: Mention, scope: str) -> bool:
        return (
            all(t.holds(mention, match.captures) for t in fill.tests)
            and not _inside_captures(mention, match)
            and (scope == "sentence" or agrees(mention))
            and (scope not in TEXT_SCOPES or not _excepted(fill.excepts, mention, ctx))
        )

    for scope in fill.scopes:
        found = _in_scope(scope, fill, match, ctx, anchor, fits)
        if found is not None:
            return _from_mention(found)
    return Value(None)


def _beyond_the_sentence(
    fill: CompiledFill, match: Match, ctx: Context
) -> Callable[[Mention], bool]:
    """Which candidates outside the match's sentence an `except when` still allows: none
    when its cue stands in the sentence, or with `with another X`, those whose X is one
    of the values the cue named ("a visit to China" keeps a dateline TIANJIN)."""
    allowed: set[str] | None = None
    sentence = evidence(match, ctx)
    for rule_except in fill.excepts:
        if rule_except.kind != "when":
            continue
        named = cue_mentions(rule_except.cue, ctx, *sentence)
        if named is None:
            continue
        values = {m.value for m in named if m.value} if rule_except.attribute else set()
        allowed = values if allowed is None else allowed & values
    if allowed is None:
        return lambda mention: True
    attribute = next(e.attribute for e in fill.excepts if e.kind == "when") or "name"
    return lambda mention: mention.attribute(attribute) in allowed


def _in_dateline(mention: Mention, view: TextView) -> bool:
    """A dateline ("MOSCOW, July 10 (Reuters) -") is where and when the story was filed,
    not part of its sentences: its mentions count only for the `dateline` scope."""
    if view.dateline is None:
        return False
    start, end = view.dateline
    return start <= view.starts[mention.first] and view.ends[mention.end - 1] <= end


def _inside_captures(mention: Mention, match: Match) -> bool:
    return any(c.first <= mention.first and mention.end <= c.end for c in match.captures)


def _excepted(excepts: tuple[CompiledExcept, ...], mention: Mention, ctx: Context) -> bool:
    view = ctx.view
    sentence = view.sentences[view.sentence_of(mention.first)]
    for rule_except in excepts:
        if rule_except.kind == "when":
            continue
        side = "before" if rule_except.kind == "after" else "after"
        span = (mention.first, mention.end)
        found = _cue_beside(rule_except.cue, side, rule_except.window, span, ctx, sentence)
        if found != rule_except.keep:
            return True
    return False


def _in_scope(
    scope: str,
    fill: CompiledFill,
    match: Match,
    ctx: Context,
    anchor: tuple[int, int],
    fits: Callable[[Mention, str], bool],
) -> Mention | None:
    view = ctx.view
    kind = fill.type or ""
    # a probe has no heading; the dateline is found in the whole text, so a document
    # without one has none to ask about in any view
    if ctx.probe and (scope == "title" or (scope == "dateline" and view.dateline is not None)):
        raise WholeDocumentNeeded(f"the {scope}", heading=True)
    if scope == "document":
        return _main_value(fill, match, ctx, fits)
    if scope == "dateline":
        if view.dateline is None:
            return None
        inside = [m for m in ctx.all_of(kind) if _in_dateline(m, view) and fits(m, scope)]
        return inside[0] if inside else None
    span = _scope_range(scope, match, ctx)
    if span is None:
        return None
    pool = [m for m in ctx.between(kind, *span) if not _in_dateline(m, view) and fits(m, scope)]
    return _closest(pool, anchor)


def _scope_range(scope: str, match: Match, ctx: Context) -> tuple[int, int] | None:
    view = ctx.view
    if scope == "sentence":
        return evidence(match, ctx)
    if scope == "paragraph":
        lo = view.paragraphs[view.paragraph_of(match.first)][0]
        hi = view.paragraphs[view.paragraph_of(match.end - 1)][1]
        return lo, hi
    return view.title  # "title"


def _main_value(
    fill: CompiledFill, match: Match, ctx: Context, fits: Callable[[Mention, str], bool]
) -> Mention | None:
    """The document's main value: the most mentioned value that fits, ties to the earliest.

    Values are counted once per document and type; each match then only checks the few
    distinct values (by their first mention), so this stays linear in the document.
    """
    if ctx.partial:
        raise WholeDocumentNeeded(f"the main {fill.type} of the document")
    key = ("values", fill.type)
    tally = ctx.memo.get(key)
    if tally is None:
        tally = _tally(ctx.all_of(fill.type or ""), ctx.view)
        ctx.memo[key] = tally
    best: tuple[int, int, Mention] | None = None
    for count, first, mention in tally:  # type: ignore[attr-defined]
        if (best is None or (-count, first) < (-best[0], best[1])) and fits(mention, "document"):
            best = (count, first, mention)
    return best[2] if best else None


def _tally(mentions: list[Mention], view: TextView) -> list[tuple[int, int, Mention]]:
    """(count, first position, first mention) of each value outside the dateline."""
    counts: Counter[str] = Counter()
    first: dict[str, Mention] = {}
    for mention in mentions:
        if mention.value is None or _in_dateline(mention, view):
            continue
        counts[mention.value] += 1
        first.setdefault(mention.value, mention)
    return [(counts[v], first[v].first, first[v]) for v in counts]


def _closest(mentions: list[Mention], anchor: tuple[int, int]) -> Mention | None:
    """The mention fewest tokens away from the anchor span (inside it: 0); ties: earlier."""
    first, end = anchor

    def distance(m: Mention) -> tuple[int, int]:
        if m.end <= first:
            return first - m.end, m.first
        if m.first >= end:
            return m.first - end, m.first
        return 0, m.first

    return min(mentions, key=distance) if mentions else None
