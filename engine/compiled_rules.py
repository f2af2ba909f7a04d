"""The values a compiled rule set is made of: entity and relation types, rules, their vetoes
and fills (`compile.py` makes them).

In a module of their own so that the compiled build (docs/scale.md) compiles them with the
per-token modules that read them: a rule's fields are then read as fields of a C struct,
not looked up by name in an object's dictionary, as they would be in a Python class.
They are `Frozen`: pickled as their class called with their fields, in either build.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import regex

from . import syntax as s
from .check import SlotInfo
from .frozen import Frozen
from .gazetteer import Gazetteer
from .match import Node, Test

Trigger = tuple[Literal["type", "word"], str]


@dataclass(frozen=True)
class EntityType(Frozen):
    name: str
    gazetteers: tuple[Gazetteer, ...]
    regexes: tuple[regex.Pattern[str], ...]
    normaliser: str | None


def numbered_gazetteers(entities: Iterable[EntityType]) -> Iterator[tuple[EntityType, range]]:
    """Each type with the numbers of its gazetteers among all the types' gazetteers, taken
    type by type in order: the numbering of the rule set's PhraseIndex (RuleSet.phrases),
    whose scan of a document gives the exact phrases found per gazetteer, by number."""
    first = 0
    for entity in entities:
        yield entity, range(first, first + len(entity.gazetteers))
        first += len(entity.gazetteers)


@dataclass(frozen=True)
class RelationType(Frozen):
    name: str
    slots: tuple[SlotInfo, ...]
    unordered: bool
    description: str


@dataclass(frozen=True)
class CompiledVeto(Frozen):
    cue: Node
    position: s.VetoPosition
    anchor: str | None
    other: str | None
    window: int | None
    source: str = ""  # the clause as written back (for explanations)


@dataclass(frozen=True)
class CompiledExcept(Frozen):
    kind: Literal["after", "before", "when"]
    cue: Node
    window: int | None
    keep: bool = False  # `only after/before`: the cue must stand there
    attribute: str | None = None  # `except when ... with another ATTRIBUTE`


@dataclass(frozen=True)
class CompiledFill(Frozen):
    """Fill `slots` from a capture, or from the nearest mention of `type` in `scopes`."""

    slots: tuple[str, ...]
    slot_type: str
    capture: str | None = None
    attribute: str | None = None
    type: str | None = None
    tests: tuple[Test, ...] = ()
    scopes: tuple[s.FillScope, ...] = ()
    anchor: str | None = None
    excepts: tuple[CompiledExcept, ...] = ()


@dataclass(frozen=True)
class CompiledRule(Frozen):
    name: str
    target: str
    makes_entity: bool
    scope: s.Scope
    node: Node
    triggers: frozenset[Trigger] | None  # None: may start anywhere
    vetoes: tuple[CompiledVeto, ...]
    fills: tuple[CompiledFill, ...]
    priority: int
    location: str
    pattern: s.Pattern  # the syntax the node was compiled from (for explanations)
    anchors: frozenset[str] | None = None  # a match holds one of these words (None: ?)
    # with anchors, every set of uncommon words one of which a match holds (anchors too)
    requires: tuple[frozenset[str], ...] = ()
    sentence_start: bool = False  # a match starts where a sentence does (`^` first)
