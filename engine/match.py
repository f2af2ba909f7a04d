"""Token patterns and the search for their matches in one document.

A compiled pattern is a tree of small matchers. Each takes a token position and the
captures so far and yields every (end position, captures) it can reach, so gaps,
alternatives and repetitions are tried exhaustively but only inside the rule's scope
(a sentence, a paragraph or N tokens), which keeps the search small.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from time import monotonic
from typing import NamedTuple

import regex

from .frozen import Frozen
from .gazetteer import Attributes
from .text import TextView


class Mention(NamedTuple):
    """A mention of an entity type at tokens first..end-1, with its normalised value. (A
    named tuple, as Captured is: many are made per document.)"""

    type: str
    first: int
    end: int
    value: str | None
    attributes: Attributes = ()
    source: str = ""

    def attribute(self, name: str) -> str | None:
        if name == "name":
            return self.value
        return next((v for k, v in self.attributes if k == name), None)


# Mention((type, first, end, value, attributes, source)) without the Python frame of a
# named tuple's __new__: twice as fast, and mentions are made by the thousand
new_mention = functools.partial(tuple.__new__, Mention)


class Captured(NamedTuple):
    """What a named capture matched; `name` is None for a mention consumed on the way.
    (A named tuple: one is made per mention a pattern consumes, and a frozen dataclass
    takes three times as long to make.)"""

    name: str | None
    first: int
    end: int
    mentions: tuple[Mention, ...] = ()


Captures = tuple[Captured, ...]
Step = Iterator[tuple[int, Captures]]
Start = tuple[frozenset[str], tuple[str, ...]]  # the words and types a match starts with
Guard = Start | None  # None: a match may start anywhere (or take no token)
# per type a match can start with, the sets of constant tests one of which its mention
# there passes (actor[kind=person]: only a person's mention); a type not listed: any
Filters = tuple[tuple[str, frozenset[tuple["Test", ...]]], ...]
# an item a match cannot do without: what it starts with, and the fewest and the most
# tokens (None: no most) from the match's start to its own
Need = tuple[Start, int, int | None, Filters]


def word_positions(words: Sequence[str]) -> dict[str, list[int]]:
    """Each (folded) word -> where it stands, in order."""
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        known = positions.get(word)
        if known is None:
            positions[word] = [index]
        else:
            known.append(index)
    return positions


@dataclass
class Context:
    """One document's tokens and mentions, and the token range the search may use."""

    view: TextView
    mentions: dict[str, dict[int, list[Mention]]]
    texts: Sequence[str]
    sentence_starts: frozenset[int]
    sentence_ends: frozenset[int]
    word_positions: dict[str, list[int]]
    lo: int = 0
    hi: int = 0
    steps: int = 0
    _sorted: dict[str, list[Mention]] = field(default_factory=dict)
    _firsts: dict[str, list[int]] = field(default_factory=dict)
    memo: dict[object, object] = field(default_factory=dict)  # per-document answers
    # the tokens where each set of words stands (the tokens never change: never cleared)
    _word_starts: dict[frozenset[str], list[int]] = field(default_factory=dict)
    budget: int = 1_000_000
    checkpoint: int = 0  # the step count at which to check budget and time next
    deadline: float = float("inf")  # monotonic() after which the document is given up
    region: list[tuple[int, int]] | None = None  # where entity rules run (None: everywhere)
    # per type, what makes its mentions, not made yet (made when the type is first asked for)
    pending: dict[str, Callable[[], list[Mention]]] = field(default_factory=dict)
    partial: bool = False  # prepared only where records can come from: no whole-document answers
    probe: bool = False  # ... and without the heading (first paragraph, dateline's): none there

    def spend(self) -> None:
        """Count one step of the search; a document that needs too many, or too long, is
        given up (a pathological pattern must not freeze a batch). The hottest loops do
        the same inline: `ctx.steps += 1` and, at `ctx.checkpoint`, `ctx.check()`."""
        self.steps += 1
        if self.steps >= self.checkpoint:
            self.check()

    def check(self) -> None:
        """Give up when the steps are over budget or the time is out; else set the next
        checkpoint: the budget's end, or the next time check (every 1,024 steps)."""
        if self.steps > self.budget:
            raise MatchBudgetExceeded(
                f"matching gave up after {self.budget:,} steps", steps=self.budget
            )
        if monotonic() > self.deadline:
            raise MatchBudgetExceeded("matching ran out of time")
        self.checkpoint = min(self.budget + 1, self.steps + 0x400)

    @classmethod
    def of(
        cls,
        view: TextView,
        mentions: Iterable[Mention],
        pending: dict[str, Callable[[], list[Mention]]] | None = None,
    ) -> Context:
        positions = word_positions(view.folded)
        context = cls(
            view,
            {},
            view.texts,
            frozenset(s for s, _ in view.sentences),
            frozenset(e for _, e in view.sentences),
            positions,
            pending=dict(pending or {}),
        )
        context.add(mentions)
        return context

    def add(self, mentions: Iterable[Mention]) -> None:
        self._sorted.clear()
        self._firsts.clear()
        self.memo.clear()
        for mention in mentions:
            self.mentions.setdefault(mention.type, {}).setdefault(mention.first, []).append(mention)

    def replace_type(self, type_name: str, mentions: Iterable[Mention]) -> None:
        self.pending.pop(type_name, None)
        self.mentions[type_name] = {}
        self.add(mentions)

    def by_start(self, type_name: str) -> dict[int, list[Mention]]:
        """The mentions of the type by their first token, made now if still pending."""
        found = self.mentions.get(type_name)
        if found is None:
            found = self.mentions[type_name] = {}
            make = self.pending.pop(type_name, None)
            for mention in make() if make is not None else ():
                found.setdefault(mention.first, []).append(mention)
        return found

    def all_of(self, type_name: str) -> list[Mention]:
        """Every mention of the type, in text order (built once per type and change)."""
        cached = self._sorted.get(type_name)
        if cached is None:
            by_start = self.by_start(type_name)
            cached = [m for start in sorted(by_start) for m in by_start[start]]
            self._sorted[type_name] = cached
            self._firsts[type_name] = [m.first for m in cached]
        return cached

    def starts_of(self, start: Start, filters: Filters = ()) -> list[int]:
        """The tokens where a match with these first words and types can start, in order
        (remembered until the mentions change); with `filters`, a type's mention counts
        only where it passes one of the type's sets of tests."""
        words, types = start
        if not types:
            return self.word_starts(words)
        key = ("starts", start, filters)
        found = self.memo.get(key)
        if found is None:
            tested = dict(filters)
            at = set(self.word_starts(words))
            for name in types:
                options = tested.get(name)
                if options is None:
                    at.update(self.by_start(name))
                    continue
                for mention in self.all_of(name):
                    if any(all(t.holds(mention, ()) for t in tests) for tests in options):
                        at.add(mention.first)
            found = self.memo[key] = sorted(at)
        return found  # type: ignore[return-value]

    def word_starts(self, words: frozenset[str]) -> list[int]:
        """The tokens that are one of these (folded) words, in order (not to be changed)."""
        found = self._word_starts.get(words)
        if found is None:
            positions = self.word_positions
            present = positions.keys() & words  # goes over the words (the smaller set)
            if len(present) == 1:
                found = positions[present.pop()]
            else:  # a token is one word: the lists do not overlap
                found = sorted([p for word in present for p in positions[word]])
            self._word_starts[words] = found
        return found

    def between(self, type_name: str, lo: int, hi: int) -> list[Mention]:
        """The mentions of the type lying inside tokens lo..hi-1 (found by bisection)."""
        mentions = self.all_of(type_name)
        firsts = self._firsts[type_name]
        start = bisect_left(firsts, lo)
        stop = bisect_left(firsts, hi)
        return [m for m in mentions[start:stop] if m.end <= hi]


class MatchBudgetExceeded(Exception):
    """A pattern needs more search steps than a document may take (a pathological pattern);
    `steps` is the step budget that was spent (None: time ran out)."""

    def __init__(self, what: str, steps: int | None = None) -> None:
        super().__init__(f"{what}: a rule's pattern is too costly for this document")
        self.steps = steps


class WholeDocumentNeeded(Exception):
    """A partial view (some paragraphs only) was asked about what it does not hold: the
    whole document (`heading` False: no partial view can answer), or a probe's missing
    heading (the title, the dateline: a partial view with the heading can)."""

    def __init__(self, what: str, heading: bool = False) -> None:
        super().__init__(what)
        self.heading = heading


# ------------------------------------------------------------------ matchers


class Node(Frozen):
    """A compiled pattern element."""

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        raise NotImplementedError


@dataclass(frozen=True)
class WordsNode(Node):
    words: tuple[str, ...]  # folded, or as written when exact
    exact: bool

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        words = self.words
        end = i + len(words)
        if end > ctx.hi:
            return
        if not words:
            yield i, caps
            return
        tokens = ctx.texts if self.exact else ctx.view.folded
        if tokens[i] == words[0] and (end == i + 1 or tuple(tokens[i:end]) == words):
            yield end, caps


@dataclass(frozen=True)
class WordSetNode(Node):
    """One token, any of these single words (folded): ("his" | "her" | "its") at once."""

    words: frozenset[str]

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        if i < ctx.hi and ctx.view.folded[i] in self.words:
            yield i + 1, caps


@dataclass(frozen=True)
class RegexNode(Node):
    pattern: regex.Pattern[str]

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        if i < ctx.hi and self.pattern.fullmatch(ctx.texts[i]):
            yield i + 1, caps


def _capitalised(token: str) -> bool:
    return token[:1].isupper() and token[:1].isalpha()


def _all_capitals(token: str) -> bool:
    return token.isupper() and token[:1].isalpha()


BUILTIN_TESTS: dict[str, Callable[[str], bool]] = {
    "Cap": _capitalised,
    "Upper": _all_capitals,
    "Word": lambda token: token[:1].isalpha(),
    "Number": lambda token: token[:1].isdigit(),
    "Punct": lambda token: not token[:1].isalnum(),
    "Token": lambda token: True,
}


@dataclass(frozen=True)
class BuiltinNode(Node):
    name: str

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        if i < ctx.hi and BUILTIN_TESTS[self.name](ctx.texts[i]):
            yield i + 1, caps


@dataclass(frozen=True)
class Test(Frozen):
    """`attribute = value`, where value is a constant or `capture.attribute`."""

    attribute: str
    value: str | None = None
    capture: str | None = None
    capture_attribute: str | None = None

    def holds(self, mention: Mention, caps: Captures) -> bool:
        wanted = self.value if self.capture is None else _captured_attribute(caps, self)
        found = mention.attribute(self.attribute)
        return wanted is not None and found is not None and found.casefold() == wanted.casefold()


def _captured_attribute(caps: Captures, test: Test) -> str | None:
    for captured in caps:
        if captured.name == test.capture and captured.mentions:
            return captured.mentions[0].attribute(test.capture_attribute or "name")
    return None


@dataclass(frozen=True)
class TypeNode(Node):
    type: str
    tests: tuple[Test, ...] = ()

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        starting = ctx.mentions.get(self.type)
        if starting is None:
            starting = ctx.by_start(self.type)
        for mention in starting.get(i, ()):
            if mention.end > ctx.hi:
                continue
            if not self.tests or all(t.holds(mention, caps) for t in self.tests):
                yield mention.end, caps + (Captured(None, i, mention.end, (mention,)),)


@dataclass(frozen=True)
class GapNode(Node):
    min: int
    max: int
    # what the item after the gap starts with, when it must start with something: the
    # gap then ends only where it can (found by bisection, not tried end by end)
    before: Guard = None

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        if self.before is None:
            for end in range(i + self.min, min(i + self.max, ctx.hi) + 1):
                yield end, caps
            return
        positions = ctx.starts_of(self.before)
        low = bisect_left(positions, i + self.min)
        high = bisect_right(positions, min(i + self.max, ctx.hi - 1))
        for index in range(low, high):
            yield positions[index], caps


@dataclass(frozen=True)
class BoundaryNode(Node):
    start: bool

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        if i in (ctx.sentence_starts if self.start else ctx.sentence_ends):
            yield i, caps


@dataclass(frozen=True)
class SeqNode(Node):
    items: tuple[Node, ...]
    # per item, what its first token must be (None: anything, or it can match nothing):
    # an item is not tried where it cannot start, e.g. at most of the ends of a gap
    guards: tuple[Guard, ...] = ()
    # the items after the first a match needs: a start where one of them cannot stand in
    # reach is not searched at all
    needs: tuple[Need, ...] = ()

    def run(self, ctx: Context, i: int, caps: Captures, reached: bool = False) -> Step:
        """Depth-first over the items with an explicit stack: any length, no recursion.
        `reached`: the needs were checked for this start already (matches_in)."""
        items = self.items
        if not items:
            yield i, caps
            return
        if self.needs and not reached and not _in_reach(self.needs, ctx, i):
            return
        last = len(items)
        guards = self.guards or (None,) * last
        stack = [items[0].run(ctx, i, caps)]
        while stack:
            ctx.steps += 1  # ctx.spend(), inline
            if ctx.steps >= ctx.checkpoint:
                ctx.check()
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                continue
            depth = len(stack)
            if depth == last:
                yield step
                continue
            guard = guards[depth]
            if guard is None or can_start(guard, ctx, step[0]):
                stack.append(items[depth].run(ctx, step[0], step[1]))


Reach = list[tuple[list[int], int, int | None]]  # per need: where it stands, least, most


def _in_reach(needs: tuple[Need, ...], ctx: Context, i: int) -> bool:
    """Can each needed item start where a match from token i would need it? (Where the
    needed items stand is asked in order: a type is made only when the needs before it
    are met.)"""
    for start, least, most, filters in needs:
        if not _stands(ctx.starts_of(start, filters), least, most, ctx.hi, i):
            return False
    return True


def _reaches(reach: Reach, hi: int, i: int) -> bool:
    """As _in_reach, with where each needed item stands found already."""
    for positions, least, most in reach:
        if not _stands(positions, least, most, hi, i):
            return False
    return True


def _stands(positions: list[int], least: int, most: int | None, hi: int, i: int) -> bool:
    """Is one of the positions between i + least and i + most, before hi?"""
    at = bisect_left(positions, i + least)
    return at < len(positions) and positions[at] <= (
        hi - 1 if most is None else min(hi - 1, i + most)
    )


def can_start(guard: Start, ctx: Context, i: int) -> bool:
    """May an item with this guard match from token i?"""
    if i >= ctx.hi:
        return False
    words, types = guard
    if ctx.view.folded[i] in words:
        return True
    mentions = ctx.mentions
    for name in types:
        starting = mentions.get(name)
        if i in (starting if starting is not None else ctx.by_start(name)):
            return True
    return False


@dataclass(frozen=True)
class AltNode(Node):
    options: tuple[Node, ...]

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        for option in self.options:
            yield from option.run(ctx, i, caps)


@dataclass(frozen=True)
class RepeatNode(Node):
    item: Node
    min: int
    max: int | None

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        """Longest first, with an explicit stack; a repetition that consumes nothing stops."""
        stack: list[tuple[int, Captures, Step]] = [(i, caps, self.item.run(ctx, i, caps))]
        while stack:
            ctx.steps += 1  # ctx.spend(), inline
            if ctx.steps >= ctx.checkpoint:
                ctx.check()
            at, held, steps = stack[-1]
            done = len(stack) - 1
            step = next(steps, None) if self.max is None or done < self.max else None
            if step is not None and step[0] > at:
                stack.append((step[0], step[1], self.item.run(ctx, step[0], step[1])))
            elif step is None:
                stack.pop()
                if done >= self.min:
                    yield at, held


@dataclass(frozen=True)
class OptionalNode(RepeatNode):
    """`item?`: what the item matches, in its order, then nothing (as a repetition)."""

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        for step in self.item.run(ctx, i, caps):
            ctx.spend()
            if step[0] > i:
                yield step
        yield i, caps


@dataclass(frozen=True)
class CaptureNode(Node):
    name: str
    item: Node

    def run(self, ctx: Context, i: int, caps: Captures) -> Step:
        for end, more in self.item.run(ctx, i, caps):
            inner = more[len(caps) :]
            mentions = tuple(m for c in inner if c.name is None for m in c.mentions)
            kept = tuple(c for c in inner if c.name is not None)
            yield end, caps + kept + (Captured(self.name, i, end, mentions),)


def node_types(node: Node) -> set[str]:
    """Every entity type a compiled pattern refers to."""
    if isinstance(node, TypeNode):
        return {node.type}
    if isinstance(node, SeqNode | AltNode):
        parts = node.items if isinstance(node, SeqNode) else node.options
        return set().union(*(node_types(part) for part in parts))
    if isinstance(node, RepeatNode | CaptureNode):
        return node_types(node.item)
    return set()


# ------------------------------------------------------------------ searching a scope


@dataclass(frozen=True)
class Match:
    """One way a rule's pattern matched: tokens first..end-1 and its named captures."""

    first: int
    end: int
    captures: Captures = field(default=())

    def capture(self, name: str) -> list[Captured]:
        return [c for c in self.captures if c.name == name]


def matches_in(
    node: Node, ctx: Context, lo: int, hi: int, starts: Iterable[int], max_length: int | None
) -> Iterator[Match]:
    """Every match of `node` starting at one of `starts` inside tokens lo..hi-1."""
    ctx.lo, ctx.hi = lo, hi
    # a sequence's needs, checked here before its search is set up: most starts end
    # there, and a unit where one of them does not stand at all is not searched
    sequence = node if isinstance(node, SeqNode) else None
    reach: Reach = []
    for start, least, most, filters in sequence.needs if sequence is not None else ():
        positions = ctx.starts_of(start, filters)  # (made in order: a type is made only
        if not _stands(positions, 0, None, hi, lo):  # when the needs before it stand here)
            return
        reach.append((positions, least, most))
    for first in starts:
        ctx.spend()
        if not lo <= first < hi or not _reaches(reach, hi, first):
            continue
        search = (
            sequence.run(ctx, first, (), True) if sequence is not None else node.run(ctx, first, ())
        )
        for end, caps in search:
            if end > first and (max_length is None or end - first <= max_length):
                yield Match(first, end, tuple(c for c in caps if c.name is not None))


def cue_mentions(node: Node, ctx: Context, lo: int, hi: int) -> list[Mention] | None:
    """The mentions the cue's matches inside tokens lo..hi-1 consumed; None: no match."""
    if lo >= hi:
        return None
    saved = ctx.lo, ctx.hi
    ctx.lo, ctx.hi = lo, hi
    found: list[Mention] | None = None
    try:
        for first in range(lo, hi):
            ctx.spend()
            for end, caps in node.run(ctx, first, ()):
                if end > first:
                    found = (found or []) + [m for c in caps for m in c.mentions]
    finally:
        ctx.lo, ctx.hi = saved
    return found


def cue_within(
    node: Node,
    ctx: Context,
    lo: int,
    hi: int,
    starts: range | None = None,
    ends: range | None = None,
) -> bool:
    """Does the cue match inside tokens lo..hi-1, starting in `starts`, ending in `ends`?"""
    if lo >= hi:
        return False
    saved = ctx.lo, ctx.hi
    ctx.lo, ctx.hi = lo, hi
    firsts = range(lo, hi) if starts is None else range(max(lo, starts.start), min(hi, starts.stop))
    try:
        for first in firsts:
            ctx.spend()
            if any(
                end > first and (ends is None or end in ends) for end, _ in node.run(ctx, first, ())
            ):
                return True
        return False
    finally:
        ctx.lo, ctx.hi = saved
