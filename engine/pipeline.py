"""One document through every stage, in the order data flows.

text -> view (fold, drop boilerplate, sentences, tokens)
     -> mentions (gazetteers, word lists, regexes) -> resolve mentions
     -> cascades (entity rules, in dependency order) -> relation rules
     -> resolve findings -> records
"""

from __future__ import annotations

import datetime
import functools
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .compile import Neighbourhood, Phrase, RuleSet, Side
from .compiled_rules import CompiledRule
from .documents import Document
from .errors import DocumentError
from .findings import DocumentFacts, Finding, apply_rule
from .frozen import Frozen
from .gazetteer import Gazetteer, Haystack
from .match import Context, MatchBudgetExceeded, Mention, WholeDocumentNeeded, word_positions
from .mentions import MentionMaker, base_mentions, check_time, normalise
from .normalise import normalise_date
from .prefilter import WordFinder
from .records import Record, to_record
from .resolve import resolve_findings, resolve_mentions
from .text import TextView, fold_token, overlaps, paragraph_tokens, view

STAGES = ("view", "mentions", "cascades", "relations", "resolve", "records")


@dataclass(frozen=True)
class Limits(Frozen):
    """How much matching one document may cost before it is given up and reported."""

    seconds: float = 60.0
    steps: int = 1_000_000  # search steps allowed whatever the size ...
    steps_per_token: int = 200  # ... and more for longer documents


def extract_document(rules: RuleSet, document: Document, limits: Limits = Limits()) -> list[Record]:
    """Every record the rule set finds in one document, in a stable order.

    Raises DocumentError when the document cannot be processed (a pattern too costly here).
    """
    return extract_in_context(rules, document, limits)[0]


def extract_in_context(
    rules: RuleSet,
    document: Document,
    limits: Limits = Limits(),
    skip: bool = True,
    probe: bool = True,
) -> tuple[list[Record], Context | None]:
    """The document's records, and the context they were found in (its view and every
    mention), for reports that show more than the records.

    With `skip`, the document is prepared only as far as records can come from it: not
    at all when it lacks, for every relation rule, a word of one of the sets of words
    the rule's matches require (its context is None); with `probe`, first only the
    paragraphs that do hold them, and when no rule asks about the heading there, no
    further; else those paragraphs, the first paragraph and the dateline's (a partial
    view). A rule that asks about the whole document (its main city) has it prepared
    whole. The records are the same either way.
    """
    if skip and not may_match(rules, document.text):
        return [], None
    try:
        if skip and rules.anchor_automaton is not None:
            for attempt in (_probe, _partial_near) if probe else (_partial,):
                try:
                    found = _unless_more_needed(attempt, rules, document, limits)
                except WholeDocumentNeeded:  # only the whole document can tell
                    break
                if found is not None:
                    return found
        return _extract(rules, document, limits, focus=skip)
    except MatchBudgetExceeded as error:
        raise DocumentError(document.id, str(error)) from None


Found = tuple[list[Record], Context]  # records, and the context they were found in


def _unless_more_needed(
    attempt: Callable[[RuleSet, Document, Limits], Found | None],
    rules: RuleSet,
    document: Document,
    limits: Limits,
) -> Found | None:
    """The attempt's answer from a lesser preparation; None when that cannot tell: it
    was asked about what it does not hold but a fuller partial view does (a probe, about
    the heading), or ran out of steps (its budget is smaller). Asked about the whole
    document (the main city of the story), it raises WholeDocumentNeeded: a fuller partial
    view would be asked the same, as its paragraphs hold the same mentions. Out of time,
    the document is given up: no second try."""
    try:
        return attempt(rules, document, limits)
    except WholeDocumentNeeded as needed:
        if not needed.heading:
            raise
        return None
    except MatchBudgetExceeded as error:
        if error.steps is None:
            raise
        return None


def _probe(rules: RuleSet, document: Document, limits: Limits) -> Found:
    """The records of the paragraphs holding the relation rules' words, prepared alone,
    and the probe's context. They are the document's records unless a rule asks about
    the heading (WholeDocumentNeeded): a record comes from a match, and a match only from
    such a paragraph, which a partial view prepares the same."""
    return _extract(rules, document, limits, partial=True, probe=True, near=True)


def _partial(rules: RuleSet, document: Document, limits: Limits) -> Found:
    return _extract(rules, document, limits, partial=True)


def _partial_near(rules: RuleSet, document: Document, limits: Limits) -> Found:
    """A partial view of the paragraphs where an anchor word has what its rules need
    near it (after a probe: the heading is asked about)."""
    return _extract(rules, document, limits, partial=True, near=True)


def _extract(
    rules: RuleSet,
    document: Document,
    limits: Limits,
    focus: bool = False,
    partial: bool = False,
    probe: bool = False,
    near: bool = False,
) -> Found:
    _, context, facts = prepare_mentions(rules, document, limits, focus, partial, probe, near)
    return find_records(rules, document.id, context, facts), context


def find_records(rules: RuleSet, doc: str, context: Context, facts: DocumentFacts) -> list[Record]:
    """The records of a prepared document: the relation rules that can match in it,
    their findings resolved."""
    candidates = rules.relation_rules_for(context.word_positions)
    findings = [f for rule in candidates for f in apply_rule(rule, context, facts)]
    drafts = resolve_findings(findings, rules.relations, rules.rule_order)
    return [to_record(draft, doc, context.view) for draft in drafts]


def may_match(rules: RuleSet, text: str) -> bool:
    """False only when no relation rule can match in the text: none of the words one of
    which each rule's match must hold is in it. Checked on the raw text when folding
    cannot make a word appear (plain ASCII, no HTML entities); else assumed possible."""
    automaton = rules.anchor_automaton
    if automaton is None or not text.isascii() or "&" in text:
        return True
    return _holds_words(rules, text.lower().replace("--", "-"))


def _holds_words(rules: RuleSet, text: str) -> bool:
    """Can a relation rule match in this folded text, by the words it holds?"""
    found: set[str] = set()
    for _, word in whole_words(rules.anchor_automaton, text, rules.anchor_phrases):
        if word not in found:
            found.add(word)
            if rules.may_hold(found):
                return True
    return False


def whole_words(
    automaton: WordFinder,
    text: str,
    phrases: dict[str, tuple[Phrase, ...]],
    paragraphs: bool = False,
) -> Iterator[tuple[int, str]]:
    """The automaton's words that the (folded) text holds where they can be whole tokens,
    and where they start; a word with `phrases` only where one of them stands around it
    (RuleSet.anchor_phrases), within its line when the lines are `paragraphs` (of a view:
    a line break is no hard wrap there). Errs only towards holding: a word glued by a
    hyphen ("talks-related") counts, and so does "heldtalks" for "held talks"."""
    last = len(text) - 1
    words = automaton.words
    for number, start, stop in automaton.find(text):
        word = words[number]
        end = stop - 1
        if start and _goes_on(word[0], text[start - 1], after=False):
            continue
        if end < last and _goes_on(word[-1], text[end + 1], after=True):
            continue
        if word in phrases:
            lo, hi = _line_around(text, start, end) if paragraphs else (0, len(text))
            if not _in_phrase(phrases[word], text, start, end + 1, lo, hi):
                continue
        yield start, word


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    stop = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if stop < 0 else stop


def _in_phrase(
    phrases: tuple[Phrase, ...], text: str, start: int, end: int, lo: int, hi: int
) -> bool:
    """Does one of the phrases stand around text[start:end], inside text[lo:hi]?"""
    return any(
        (before is None or before.match(text, lo, start) is not None)
        and (after is None or after.match(text, end, hi) is not None)
        for before, after in phrases
    )


def _goes_on(edge: str, beside: str, after: bool) -> bool:
    """Is a token with this char at an edge surely longer, given the char beside it
    (after it, or before)? A word starts with a letter and goes on over letters and
    digits, a number over digits ("met2", "a5", "55" are one token; "5th", "5met" two);
    a punctuation mark stands alone."""
    if edge.isdigit():
        return beside.isdigit() if after else beside.isalnum()
    if edge.isalpha():
        return beside.isalnum() if after else beside.isalpha()
    return False


def prepare_mentions(
    rules: RuleSet,
    document: Document,
    limits: Limits = Limits(),
    focus: bool = False,
    partial: bool = False,
    probe: bool = False,
    near: bool = False,
) -> tuple[TextView, Context, DocumentFacts]:
    """The document's view and every entity mention, cascades included. With `focus`,
    entity rules run only where a record can come from (see RuleSet.focused_cascades):
    the mentions that records are made of are the same, the others may be missing.

    With `partial`, only the paragraphs where a relation rule can match (by the words
    they hold), the first paragraph and the dateline's are tokenised and searched, each
    as it would be in the whole document (paragraphs are matched apart); anything asking
    about the whole document then raises WholeDocumentNeeded. With `probe` too, the
    first paragraph and the dateline's are left out unless they hold the words, and
    anything asking about them raises WholeDocumentNeeded as well. With `near` too, an
    anchor word holds only where what its rules need stands near it (RuleSet.anchor_hoods):
    the records are the same, but a sentence holding a cue word may be left out."""
    deadline = time.monotonic() + limits.seconds
    keep = _anchored(rules, near) if partial else None
    preparation = rules.preparation
    text_view = view(
        document.text,
        preparation.drop_lines,
        preparation.dateline,
        keep,
        heading=not probe,
        needles=preparation.drop_needles,
    )
    check_time(deadline)
    published = document.published or published_in_text(rules, text_view)
    facts = DocumentFacts(rules.entities, published)
    makers = base_mentions(rules.entities, text_view, published, deadline, rules.phrases)
    check_time(deadline)
    context = Context.of(text_view, (), _resolved(makers))
    context.budget = limits.steps + limits.steps_per_token * len(text_view.starts)
    context.deadline = deadline
    if probe:
        context.partial = context.probe = True
        context.region = anchored_paragraphs(rules, context)
    elif partial:
        context.partial = True
        context.region = _reached_paragraphs(rules, context)
    elif focus and rules.focused_cascades:
        context.region = anchored_paragraphs(rules, context)
    run_cascades(rules, context, facts)
    return text_view, context, facts


def _resolved(makers: dict[str, MentionMaker]) -> dict[str, MentionMaker]:
    """Each type's mentions, as they will be made, with their overlaps resolved."""
    return {name: functools.partial(_resolve_made, make) for name, make in makers.items()}


def _resolve_made(make: MentionMaker) -> list[Mention]:
    return resolve_mentions(make())


def _anchored(
    rules: RuleSet, near: bool = False
) -> Callable[[str, Sequence[tuple[int, int]]], list[bool]] | None:
    """Which paragraphs (char spans of a text) hold an anchor word of a relation rule
    (with `near`: with what one of its rules needs near it)? May say yes when one does
    not, never no when it does."""
    if rules.anchor_automaton is None:
        return None
    return functools.partial(_anchored_paragraphs, rules, near=near)


def _anchored_paragraphs(
    rules: RuleSet, text: str, paragraphs: Sequence[tuple[int, int]], near: bool = False
) -> list[bool]:
    if not text.isascii():  # folding is per token there: each paragraph on its own
        return [_holds_words(rules, fold_token(text[a:b])) for a, b in paragraphs]
    # folding an ASCII text is lower-casing it, char by char: one pass for all paragraphs
    firsts = [start for start, _ in paragraphs]
    words: dict[int, set[str]] = {}
    hoods = rules.anchor_hoods if near else {}
    doubtful: dict[int, list[tuple[int, str]]] = {}  # paragraph -> (where, word) to look around
    found = whole_words(rules.anchor_automaton, text.lower(), rules.anchor_phrases, paragraphs=True)
    for start, word in found:
        number = bisect_right(firsts, start) - 1
        if number >= 0 and start < paragraphs[number][1]:
            if word in hoods:
                doubtful.setdefault(number, []).append((start, word))
            else:
                words.setdefault(number, set()).add(word)
    for number, places in doubtful.items():
        held = words.setdefault(number, set())
        if rules.may_hold(held) or not rules.may_hold(held | {word for _, word in places}):
            continue  # held without them, or not even with them
        _add_near(rules, text, paragraphs[number], places, held)
    return [number in words and rules.may_hold(words[number]) for number in range(len(firsts))]


def _add_near(
    rules: RuleSet,
    text: str,
    paragraph: tuple[int, int],
    places: list[tuple[int, str]],
    held: set[str],
) -> None:
    """Add to a paragraph's words each anchor word found at one of `places` that has
    what one of its rules needs near it, until a rule can match there."""
    nearby: Nearby | None = None
    for start, word in places:
        if word in held:
            continue
        if nearby is None:
            nearby = Nearby(rules, text, paragraph)
        if nearby.holds(start, rules.anchor_hoods[word]):
            held.add(word)
            if rules.may_hold(held):
                return


class Nearby:
    """A paragraph's tokens, and whether a mention of a type can start or end at some of
    them, as its text alone tells: what stands near an anchor word (RuleSet.anchor_hoods),
    told before the paragraph is prepared. Errs only towards holding."""

    def __init__(self, rules: RuleSet, text: str, paragraph: tuple[int, int]) -> None:
        self.rules = rules
        self.offset = paragraph[0]
        self.starts, self.folded, self.texts = paragraph_tokens(text[paragraph[0] : paragraph[1]])
        self.positions: dict[str, list[int]] | None = None
        self.phrases: dict[int, list[tuple[int, int]]] | None = None

    def holds(self, at: int, hoods: tuple[Neighbourhood, ...]) -> bool:
        """Does one of the neighbourhoods stand around the token at char `at` of the text?"""
        token = bisect_right(self.starts, at - self.offset) - 1
        return any(
            self._side(token, before, True) and self._side(token, after, False)
            for before, after in hoods
        )

    def _side(self, token: int, side: Side | None, before: bool) -> bool:
        if side is None:
            return True
        reach, triggers = side
        if before:
            span = range(max(0, token - reach), token)
        else:
            span = range(token + 1, min(len(self.folded), token + 1 + reach))
        if not span:
            return False
        if any(kind == "word" and self._word_in(name, span) for kind, name in triggers):
            return True
        return any(
            kind == "type" and self._edge_in(name, span, before, set()) for kind, name in triggers
        )

    def _word_in(self, word: str, span: range) -> bool:
        positions = self.positions
        if positions is None:
            positions = self.positions = word_positions(self.folded)
        found = positions.get(word)
        if found is None:
            return False
        at = bisect_left(found, span.start)  # (a word may stand thousands of times)
        return at < len(found) and found[at] < span.stop

    def _edge_in(self, name: str, span: range, last: bool, seen: set[str]) -> bool:
        """Can a mention of the type start (`last`: end) at a token of the span? Its
        phrases, or an entity rule making it by its first (last) tokens: a word, or a
        type asked the same (a mention a rule makes is its match)."""
        seen.add(name)
        edges = (self.rules.type_ends if last else self.rules.type_starts)[name]
        phrases = self._phrases()
        for number, gazetteer in edges.gazetteers:
            for first, end in phrases.get(number, ()):
                if (end - 1 if last else first) in span:
                    return True
            if gazetteer.loose and self._variant_in(gazetteer, span, last):
                return True
        for triggers in edges.rules:
            for kind, other in triggers:
                if kind == "word":
                    if self._word_in(other, span):
                        return True
                elif other not in seen and self._edge_in(other, span, last, seen):
                    return True
        return False

    def _variant_in(self, gazetteer: Gazetteer, span: range, last: bool) -> bool:
        """Does a variant of the gazetteer start (`last`: end) at a token of the span?"""
        folded, texts, stop = self.folded, self.texts, len(self.folded)
        first = max(0, span.start - gazetteer.loose_tokens + 1) if last else span.start
        for at in range(first, span.stop):
            hit = gazetteer.variant_at(folded, texts, at, stop)
            if hit is not None and (hit.end - 1 if last else hit.first) in span:
                return True
        return False

    def _phrases(self) -> dict[int, list[tuple[int, int]]]:
        """The exact phrases of the gazetteers that stand near anchor words, by number:
        found in one pass (RuleSet.phrases)."""
        found = self.phrases
        if found is None:
            index = self.rules.phrases
            haystack = Haystack.of(self.folded)
            numbers = self.rules.near_gazetteers
            found = self.phrases = {} if index is None else index.spans(haystack, numbers)
        return found


def anchored_paragraphs(rules: RuleSet, context: Context) -> list[tuple[int, int]]:
    """The paragraphs (token ranges) holding an anchor word of a relation rule."""
    view = context.view
    anchors = rules.relation_anchors or frozenset()
    found = {
        view.paragraph_of(position)
        for word, positions in context.word_positions.items()
        if word in anchors
        for position in positions
    }
    return [view.paragraphs[index] for index in sorted(found)]


def _reached_paragraphs(rules: RuleSet, context: Context) -> list[tuple[int, int]]:
    """Where mentions that entity rules make can reach a record, the whole document
    aside: the paragraphs holding an anchor word, and the title's and the dateline's
    when a slot is filled from there with such a mention (RuleSet.made_reach)."""
    view = context.view
    found = set(anchored_paragraphs(rules, context))
    if "title" in rules.made_reach and view.title is not None:
        found.add(view.paragraphs[0])
    if "dateline" in rules.made_reach:
        found.update(
            view.paragraphs[index]
            for index, span in enumerate(view.paragraph_spans)
            if overlaps(span, view.dateline)
        )
    return sorted(found)


def mentions_of(
    rules: RuleSet, document: Document, type_name: str
) -> list[tuple[str, str | None, str]]:
    """(surface text, value, source) of every mention of a type: what rules will see."""
    text_view, context, _ = prepare_mentions(rules, document)
    return [
        (text_view.token_text(m.first, m.end), m.value, m.source) for m in context.all_of(type_name)
    ]


def published_in_text(rules: RuleSet, text_view: TextView) -> datetime.date | None:
    """The date a `published /regex/` step finds in the text, when the feed gives none."""
    pattern = rules.preparation.published
    if pattern is None:
        return None
    found = pattern.search(text_view.text, 0, min(len(text_view.text), 2000))
    if found is None:
        return None
    iso = normalise_date(found.group(1 if found.re.groups else 0), None)
    return datetime.date.fromisoformat(iso) if iso else None


def run_cascades(rules: RuleSet, context: Context, facts: DocumentFacts) -> None:
    """Entity rules add mentions, each seeing what the rules before it made."""
    for rule in rules.entity_rules:
        found = (mention_of(f, rule, context, facts) for f in apply_rule(rule, context, facts))
        made = [mention for mention in found if mention is not None]
        if made:
            mentions = context.all_of(rule.target) + made
            context.replace_type(rule.target, resolve_mentions(mentions))


def mention_of(
    finding: Finding, rule: CompiledRule, context: Context, facts: DocumentFacts
) -> Mention | None:
    """The mention an entity rule makes: the whole match, valued by its `value` slot.

    A rule that says where the value comes from and finds none makes no mention.
    """
    match = finding.match
    for assignment in finding.assignments():
        value = assignment.get("value")
        if value is not None and value.value is not None:
            return Mention(
                rule.target, match.first, match.end, value.value, value.attributes, rule.name
            )
    if any("value" in fill.slots for fill in rule.fills):
        return None
    text = context.view.token_text(match.first, match.end)
    return Mention(
        rule.target,
        match.first,
        match.end,
        normalise(facts.entities.get(rule.target), text, facts.published),
        (),
        rule.name,
    )
