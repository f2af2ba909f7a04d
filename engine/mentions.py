"""Mentions of entity types: from gazetteers, word lists and regexes, then from rules.

Values are normalised where the mention is made (a gazetteer phrase becomes its
canonical name, a date phrase its ISO day), so every later stage sees one value.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from functools import partial
from time import monotonic

import regex

from .compiled_rules import EntityType, numbered_gazetteers
from .gazetteer import Haystack, Hit, PhraseIndex
from .match import MatchBudgetExceeded, Mention, new_mention
from .normalise import NORMALISERS
from .text import TextView


def normalise(entity: EntityType | None, text: str, published: datetime.date | None) -> str | None:
    """The value of a mention found as raw text (regex, rule), by its type's normaliser."""
    name = entity.normaliser if entity is not None and entity.normaliser else "text"
    return NORMALISERS[name](text, published)


MentionMaker = Callable[[], list[Mention]]  # a type's mentions, made when first asked for


def base_mentions(
    entities: dict[str, EntityType],
    view: TextView,
    published: datetime.date | None,
    deadline: float = float("inf"),
    phrases: PhraseIndex | None = None,
) -> dict[str, MentionMaker]:
    """Per entity type, what makes the mentions its sources find in the document before
    any rule runs, called when a rule first asks for the type: most types are asked for
    only in the few documents where a rule gets as far as them. The gazetteers' phrases
    are found now, in one pass. `phrases`: the PhraseIndex of the entities' gazetteers,
    in their order."""
    haystack = Haystack.of(view.folded, view.paragraphs)
    found = phrases.scan(haystack) if phrases is not None else None
    edges = _Once(partial(token_edges, view))  # made when first needed
    makers: dict[str, MentionMaker] = {}
    for entity, numbers in numbered_gazetteers(entities.values()):
        exact = found[numbers.start : numbers.stop] if found is not None else None
        if entity.gazetteers or entity.regexes:
            makers[entity.name] = partial(
                _mentions_of, entity, view, published, deadline, haystack, exact, edges
            )
    return makers


def _mentions_of(
    entity: EntityType,
    view: TextView,
    published: datetime.date | None,
    deadline: float,
    haystack: Haystack,
    exact: list[list[Hit]] | None,
    edges: Callable[[], tuple[dict[int, int], dict[int, int]]],
) -> list[Mention]:
    """The mentions of one type its gazetteers and regexes find, in their order."""
    made: list[Mention] = []
    for number, gazetteer in enumerate(entity.gazetteers):
        check_time(deadline)
        hits = gazetteer.find(view.folded, view.texts, haystack, exact[number] if exact else None)
        for count, hit in enumerate(hits):
            if not count & 0xFFF:
                check_time(deadline)
            value: str | None = hit.entry.name  # the canonical name, as the entry writes it
            if entity.normaliser == "date":  # ... but a date phrase becomes its day
                value = normalise(entity, hit.entry.name, published)
            made.append(
                new_mention(
                    (entity.name, hit.first, hit.end, value, hit.entry.attributes, gazetteer.name)
                )
            )
    for pattern in entity.regexes:
        made.extend(_regex_mentions(entity, pattern, view, published, deadline, edges()))
    return made


Edges = tuple[dict[int, int], dict[int, int]]


class _Once:
    """The value of a function of nothing, made when first asked for (a functools.cache
    made per document costs more than it saves)."""

    def __init__(self, make: Callable[[], Edges]) -> None:
        self.make = make
        self.value: Edges | None = None

    def __call__(self) -> Edges:
        if self.value is None:
            self.value = self.make()
        return self.value


def token_edges(view: TextView) -> Edges:
    """Char offset -> the token starting there; char offset -> 1 + the token ending there."""
    first_at = {start: index for index, start in enumerate(view.starts)}
    end_at = {end: index + 1 for index, end in enumerate(view.ends)}
    return first_at, end_at


def check_time(deadline: float) -> None:
    """Give the document up once its time is spent (between and inside the stages)."""
    if monotonic() > deadline:
        raise MatchBudgetExceeded("matching ran out of time")


def _regex_mentions(
    entity: EntityType,
    pattern: regex.Pattern[str],
    view: TextView,
    published: datetime.date | None,
    deadline: float,
    edges: tuple[dict[int, int], dict[int, int]],
) -> Iterator[Mention]:
    """Regex matches inside a paragraph that start and end on token edges (others would
    split a word), left to right without overlaps. A match that splits a word does not
    hide one starting inside it on an edge ("def ghi" in "Mabc def ghi").

    Bounded in time: a regex that backtracks without end gives the document up.
    """
    first_at, end_at = edges
    text = view.text
    try:
        for line_start, line_end in view.paragraph_spans:
            position = line_start
            while position < line_end:
                match = pattern.search(text, position, line_end, timeout=_remaining(deadline))
                if match is None:
                    break
                start, end = match.span()
                if start in first_at and end in end_at and end > start:
                    value = normalise(entity, match.group(), published)
                    yield Mention(entity.name, first_at[start], end_at[end], value, (), "regex")
                    position = end
                else:
                    position = start + 1
    except TimeoutError:
        raise MatchBudgetExceeded(f"the regex of `{entity.name}` ran out of time") from None


def _remaining(deadline: float) -> float | None:
    if deadline == float("inf"):
        return None
    return max(0.001, deadline - monotonic())
