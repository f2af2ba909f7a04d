"""Checked syntax -> an immutable rule set: gazetteer indexes, regexes, pattern matchers.

The rule set is built once and reused for every document. Entity rules are ordered so
that a rule runs after every rule that makes a type it uses (cascades); relation rules
run last. Each rule knows the tokens or types its match must start with, so the matcher
only tries the places where it can match.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

import regex

from . import syntax as s
from .check import (
    BUILTINS,
    REGEX_FLAGS,
    VALUE_SLOT,
    SlotInfo,
    Symbols,
    captured_type,
    gazetteer_key,
    implicit_slots,
    regex_flags,
    uses,
    walk,
)
from .compiled_rules import (
    CompiledExcept,
    CompiledFill,
    CompiledRule,
    CompiledVeto,
    EntityType,
    RelationType,
    Trigger,
    numbered_gazetteers,
)
from .errors import Diagnostic
from .gazetteer import Entry, Gazetteer, PhraseIndex, phrase_tokens
from .match import (
    AltNode,
    BoundaryNode,
    BuiltinNode,
    CaptureNode,
    Filters,
    GapNode,
    Guard,
    Need,
    Node,
    OptionalNode,
    RegexNode,
    RepeatNode,
    SeqNode,
    Start,
    Test,
    TypeNode,
    WordSetNode,
    WordsNode,
    node_types,
)
from .prefilter import Needles, needles, word_automaton
from .text import TOKEN

# (folded) words: a set of them, or a mapping keyed by them (a document's word positions)
Words = Set[str] | Mapping[str, object]
# what must stand before and after a word for a phrase to stand there (None: nothing)
Phrase = tuple[regex.Pattern[str] | None, regex.Pattern[str] | None]


@dataclass(frozen=True)
class Preparation:
    drop: tuple[regex.Pattern[str], ...]
    dateline: regex.Pattern[str] | None
    published: regex.Pattern[str] | None

    @functools.cached_property
    def drop_lines(self) -> tuple[regex.Pattern[str], ...]:
        """The `drop lines` patterns as one (a line is dropped when any of them is found
        in it: one search a line instead of one a pattern), or as they are when one of
        them refers to its own groups by number or name."""
        if len(self.drop) < 2 or any(_REFERS_TO_GROUPS.search(p.pattern) for p in self.drop):
            return self.drop
        flags = regex.VERSION1 | regex.MULTILINE
        options = []
        for pattern in self.drop:
            letters = "".join(k for k, v in REGEX_FLAGS.items() if pattern.flags & v & ~flags)
            end = "\n)" if pattern.flags & regex.VERBOSE else ")"  # a comment may end it
            options.append(f"(?{letters}:{pattern.pattern}{end}")
        try:
            return (regex.compile("|".join(options), flags),)
        except regex.error:
            return self.drop

    @functools.cached_property
    def drop_needles(self) -> Needles | None:
        """Strings one of which each line a `drop lines` pattern matches holds (None: not
        known for every pattern): lines holding none are not searched."""
        found = [needles(pattern) for pattern in self.drop]
        if not found or None in found:
            return None
        return functools.reduce(operator.or_, (n for n in found if n is not None))


# backreferences, recursion, conditionals on a group: meaningless once patterns are joined
_REFERS_TO_GROUPS = regex.compile(r"\\[1-9]|\\g<|\(\?P[=>]|\(\?&|\(\?R\)|\(\?[0-9+-]|\(\?\(")


@dataclass(frozen=True)
class RuleSet:
    """Everything needed to extract from documents; never changes after it is built."""

    relations: dict[str, RelationType]
    entities: dict[str, EntityType]
    entity_rules: tuple[CompiledRule, ...]
    relation_rules: tuple[CompiledRule, ...]
    preparation: Preparation
    digest: str
    warnings: tuple[Diagnostic, ...] = ()
    # every gazetteer's exact phrases in one automaton (entities and their gazetteers in
    # order): one pass over a document; None: each gazetteer searches on its own
    phrases: PhraseIndex | None = None

    def __getstate__(self) -> dict[str, object]:
        """Its fields only: what is derived from them (indexes, an automaton) is derived
        again where it is read, in a worker process or from the cache."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def ready(self) -> RuleSet:
        """Build now what extraction derives from the rule set (the automata of phrases
        and anchor words, the rule index, the boilerplate patterns joined and their
        needles) rather than at the first document (in each worker); itself."""
        _ = self.anchor_automaton, self.anchor_index, self.unanchored, self.focused_cascades
        _ = self.anchor_phrases, self.sufficient_words, self.anchor_hoods, self.near_gazetteers
        _ = self.preparation.drop_lines, self.preparation.drop_needles
        return self

    @functools.cached_property
    def made_types(self) -> frozenset[str]:
        """The types entity rules make mentions of (besides any gazetteer or word list)."""
        return frozenset(rule.target for rule in self.entity_rules)

    @functools.cached_property
    def focused_cascades(self) -> bool:
        """May entity rules run only in the paragraphs holding a relation rule's anchor?

        Yes when relation rules can match only there (every one has anchors) and no slot
        is filled from beyond a match's paragraph with a type that entity rules make (or
        judged by an `except` cue that uses one), by a relation rule or by an entity rule
        (whose mentions may reach a record): then a mention made elsewhere could never
        reach a record."""
        if self.relation_anchors is None:
            return False
        made = self.made_types
        for rule in (*self.relation_rules, *self.entity_rules):
            for fill in rule.fills:
                if not set(fill.scopes) - {"sentence", "paragraph"}:
                    continue
                if fill.type in made or any(node_types(e.cue) & made for e in fill.excepts):
                    return False
        return True

    @functools.cached_property
    def made_reach(self) -> frozenset[str]:
        """The scopes beyond a match's paragraph ("title", "dateline", "document") where a
        rule looks at mentions that entity rules make: a slot of such a type filled from
        there, or an `except after/before` cue of such a type judging the candidates of a
        title. (An `except when` cue is judged in the match's sentence.) Entity rules
        count as relation rules do: the value of a mention they make can come from there,
        and reach a record with that mention."""
        made = self.made_types
        reach: set[str] = set()
        for rule in (*self.relation_rules, *self.entity_rules):
            for fill in rule.fills:
                if fill.capture is None and fill.type in made:
                    reach.update(fill.scopes)
                if any(node_types(e.cue) & made for e in fill.excepts if e.kind != "when"):
                    reach.update(set(fill.scopes) & {"title"})
        return frozenset(reach - {"sentence", "paragraph"})

    @functools.cached_property
    def slot_types(self) -> tuple[str, ...]:
        """The types records are made of (of the relations' slots), in name order."""
        return tuple(sorted({slot.type for r in self.relations.values() for slot in r.slots}))

    @functools.cached_property
    def rule_order(self) -> dict[str, int]:
        """Relation rules by name -> their place in the rule set (ties in resolution)."""
        return {rule.name: index for index, rule in enumerate(self.relation_rules)}

    @functools.cached_property
    def cue_words(self) -> dict[str, frozenset[str]]:
        """Per relation (in name order), its rules' anchor words ("met", "talks", ...):
        one stands in every match, so a sentence holding one that yields no record is
        where a rule may be missing, or where a source has changed how it writes."""
        cues: dict[str, set[str]] = {}
        for rule in self.relation_rules:
            cues.setdefault(rule.target, set()).update(rule.anchors or ())
        return {relation: frozenset(cues[relation]) for relation in sorted(cues) if cues[relation]}

    @functools.cached_property
    def rules_by_anchor(self) -> dict[str, tuple[int, ...]]:
        """Anchor word -> the relation rules (by place) one of whose anchors it is."""
        index: dict[str, list[int]] = {}
        for place, rule in enumerate(self.relation_rules):
            for word in rule.anchors or ():
                index.setdefault(word, []).append(place)
        return {word: tuple(places) for word, places in index.items()}

    def relation_rules_for(self, words: Words) -> list[CompiledRule]:
        """The relation rules that can match in a document holding these (folded) words:
        those whose every required set of words has one among them (RuleSet.requires),
        and those without anchors; in rule-set order."""
        rules = self.relation_rules
        return [rules[place] for place in sorted(self._places_for(words).union(self.unanchored))]

    @functools.cached_property
    def unanchored(self) -> tuple[int, ...]:
        """The relation rules (by place) without anchors, tried wherever relations are."""
        return tuple(
            place for place, rule in enumerate(self.relation_rules) if rule.anchors is None
        )

    def may_hold(self, words: Words) -> bool:
        """Can a relation rule match in a text holding these words, and none of the other
        words the rules are indexed by? (Every set of words one rule requires has one.)"""
        if self.relation_anchors is None:
            return True
        held = _held(words)
        return not held.isdisjoint(self.sufficient_words) or bool(self._places_for(held))

    @functools.cached_property
    def sufficient_words(self) -> frozenset[str]:
        """The anchor words that are enough for a relation rule to be tried: of the rules
        that require no other set of words (most), so no rule needs looking at."""
        return frozenset(word for word, (enough, _) in self.anchor_index.items() if enough)

    def _places_for(self, words: Words) -> set[int]:
        # set operations in C, each over the smaller side: a document's words (a dict of
        # their positions) are many, a rule's required words few; most rules require
        # only one of their anchors, which is then enough
        held = _held(words)
        index = self.anchor_index
        places: set[int] = set()
        checked: set[int] = set()
        for word in index.keys() & held:
            enough, more = index[word]
            places.update(enough)
            checked.update(more)
        rules = self.relation_rules
        for place in checked:
            if all(not held.isdisjoint(needed) for needed in rules[place].requires):
                places.add(place)
        return places

    @functools.cached_property
    def anchor_index(self) -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
        """Anchor word -> the relation rules (by place) one of whose anchors it is: those
        it is enough for (they require nothing else), and those that require more."""
        alone = {p for p, rule in enumerate(self.relation_rules) if len(rule.requires) == 1}
        return {
            word: (
                tuple(p for p in places if p in alone),
                tuple(p for p in places if p not in alone),
            )
            for word, places in self.rules_by_anchor.items()
        }

    @functools.cached_property
    def anchor_automaton(self) -> Any:
        """An Aho-Corasick automaton of every word the relation rules are indexed by
        (their anchors and required words; None: some rule has no anchor)."""
        anchors = self.relation_anchors
        if not anchors:
            return None
        # `requires` holds the anchors too
        return word_automaton(
            sorted({w for rule in self.relation_rules for n in rule.requires for w in n})
        )

    @functools.cached_property
    def anchor_phrases(self) -> dict[str, tuple[Phrase, ...]]:
        """Word the relation rules are indexed by -> the phrases it stands in, when it is
        indexed only as the rarest word of phrases of word lists ("held" of "held talks",
        "held a meeting"): a text holds it for the index only where one of them stands
        around it ("held a stake" does not). Words a rule needs alone are left out."""
        listed = {n: e for n, e in self.entities.items() if n not in self.made_types}
        found: dict[str, set[tuple[str, ...]]] = {}
        alone: set[str] = set()
        for rule in self.relation_rules:
            for required in phrase_requirements(rule.pattern, listed):
                if _words(required) not in rule.requires:
                    continue  # a set the rule is not indexed by (it holds a common word)
                for word, phrase in required:
                    if len(phrase) == 1:
                        alone.add(word)
                    else:
                        found.setdefault(word, set()).add(phrase)
        return {
            word: tuple(_phrase(phrase, word) for phrase in sorted(phrases))
            for word, phrases in sorted(found.items())
            if word not in alone
        }

    @functools.cached_property
    def relation_anchors(self) -> frozenset[str] | None:
        """Words one of which a document must hold for any relation rule to match in it
        (None: some rule can match without any particular word)."""
        found: set[str] = set()
        for rule in self.relation_rules:
            if rule.anchors is None:
                return None
            found |= rule.anchors
        return frozenset(found)

    @functools.cached_property
    def type_starts(self) -> dict[str, TypeEdges]:
        """The types whose mentions' starts can be told from the text alone, and how."""
        return type_edges(self.entities, self.entity_rules, last=False)

    @functools.cached_property
    def type_ends(self) -> dict[str, TypeEdges]:
        """The types whose mentions' ends can be told from the text alone, and how."""
        return type_edges(self.entities, self.entity_rules, last=True)

    @functools.cached_property
    def near_gazetteers(self) -> frozenset[int]:
        """The gazetteers (by number in RuleSet.phrases) of the types that stand near
        anchor words (RuleSet.anchor_hoods), and of those their entity rules start or
        end with."""
        types = {
            name
            for hoods in self.anchor_hoods.values()
            for hood in hoods
            for side in hood
            for kind, name in (side[1] if side is not None else ())
            if kind == "type"
        }
        numbers: set[int] = set()
        for edges in (self.type_starts, self.type_ends):
            todo = sorted(types & edges.keys())
            seen = set(todo)
            while todo:
                found = edges[todo.pop()]
                numbers.update(number for number, _ in found.gazetteers)
                for kind, other in (t for triggers in found.rules for t in triggers):
                    if kind == "type" and other not in seen:
                        seen.add(other)
                        todo.append(other)
        return frozenset(numbers)

    @functools.cached_property
    def anchor_hoods(self) -> dict[str, tuple[Neighbourhood, ...]]:
        """Anchor word -> what stands near it in every match of each rule it anchors (a
        text holds it for the index only where one of them does). A word that some rule
        requires without telling what stands near it is left out: it holds wherever
        it stands."""
        if self.phrases is None:
            return {}
        listed = {n: e for n, e in self.entities.items() if n not in self.made_types}
        longest = mention_lengths(listed)
        starts, ends = self.type_starts.keys(), self.type_ends.keys()
        found: dict[str, set[Neighbourhood]] = {}
        everywhere: set[str] = set()
        for rule in self.relation_rules:
            hood = neighbourhood(rule, listed, starts, ends, longest)
            for needed in rule.requires:
                for word in needed:
                    if hood is None or word not in (rule.anchors or ()):
                        everywhere.add(word)
                    else:
                        found.setdefault(word, set()).add(hood)
        return {
            word: tuple(sorted(hoods, key=_hood_order))
            for word, hoods in sorted(found.items())
            if word not in everywhere
        }


def _held(words: Words) -> Set[str]:
    """The words themselves: a set, or the keys of a mapping keyed by them."""
    if isinstance(words, dict):  # (most often: a document's words and their positions)
        return words.keys()
    return words.keys() if isinstance(words, Mapping) else words


def compile_rule_set(symbols: Symbols, digest: str) -> RuleSet:
    entities = {name: _entity(e, symbols) for name, e in symbols.entities.items()}
    relations = {
        name: RelationType(name, symbols.slots[name], r.unordered, r.description)
        for name, r in symbols.relations.items()
    }
    made_by_rules = {rule.target for rule in symbols.rules.values()}
    listed = {name: e for name, e in entities.items() if name not in made_by_rules}
    rules = [_rule(rule, symbols, listed) for rule in symbols.rules.values()]
    ordered = _cascade_order([r for r in rules if r.makes_entity], symbols)
    return RuleSet(
        relations,
        entities,
        ordered,
        tuple(r for r in rules if not r.makes_entity),
        _preparation(symbols.prepare),
        digest,
        phrases=PhraseIndex.of([g for e in entities.values() for g in e.gazetteers]),
    )


# ------------------------------------------------------------------ entities


def _entity(entity: s.Entity, symbols: Symbols) -> EntityType:
    gazetteers = []
    regexes = []
    for source in entity.sources:
        if isinstance(source, s.GazetteerSource):
            entries = symbols.gazetteers.get(gazetteer_key(source), [])
            gazetteers.append(Gazetteer.build(source.path, entries, source.variants))
        elif isinstance(source, s.WordsSource):
            words = [(Entry(word), [word]) for word in source.words]
            gazetteers.append(Gazetteer.build(entity.name, words, False))
        else:
            regexes.append(regex.compile(source.source, regex_flags(source.flags)))
    return EntityType(entity.name, tuple(gazetteers), tuple(regexes), entity.normaliser)


def _preparation(steps: list[s.PrepareStep]) -> Preparation:
    def compiled(kind: str) -> list[regex.Pattern[str]]:
        flags = regex.MULTILINE
        return [
            regex.compile(st.source, regex_flags(st.flags) | flags)
            for st in steps
            if st.kind == kind
        ]

    datelines, published = compiled("dateline"), compiled("published")
    return Preparation(
        tuple(compiled("drop")),
        datelines[0] if datelines else None,
        published[0] if published else None,
    )


# ------------------------------------------------------------------ rules


def _rule(rule: s.Rule, symbols: Symbols, entities: dict[str, EntityType]) -> CompiledRule:
    makes_entity = rule.target in symbols.entities
    node = compile_pattern(rule.pattern)
    slots = (
        (SlotInfo(VALUE_SLOT, rule.target, True),) if makes_entity else symbols.slots[rule.target]
    )
    return CompiledRule(
        rule.name,
        rule.target,
        makes_entity,
        rule.scope,
        node,
        triggers(node),
        tuple(
            CompiledVeto(
                compile_pattern(v.cue), v.position, v.anchor, v.other, v.window, _veto_source(v)
            )
            for v in rule.vetoes
        ),
        _fills(rule, slots),
        rule.priority,
        f"{rule.span.file}:{rule.span.line}",
        rule.pattern,
        *_index_words(rule.pattern, entities),
        sentence_start=_starts_a_sentence(node),
    )


def _starts_a_sentence(node: Node) -> bool:
    """Does every match start with `^` (where a sentence starts)?"""
    return (
        isinstance(node, SeqNode)
        and bool(node.items)
        and isinstance(node.items[0], BoundaryNode)
        and node.items[0].start
    )


def _index_words(
    pattern: s.Pattern, entities: dict[str, EntityType]
) -> tuple[frozenset[str] | None, tuple[frozenset[str], ...]]:
    """A rule's anchors, and every set of words its matches require (anchors first)."""
    # the anchors (and the cue words of --stats) are chosen as the rarest of the sets
    # each alternation's rarest sets make; its other sets only narrow the index
    chosen = anchors(requirements(pattern, entities, choices=1))
    if chosen is None:
        return None, ()
    required = requirements(pattern, entities)
    rare = [found for found in required if not found & COMMON_WORDS]
    return chosen, tuple(dict.fromkeys([chosen, *rare]))


def anchors(required: list[frozenset[str]]) -> frozenset[str] | None:
    """Of the sets of words a pattern's matches require, the rarest: one of its words
    stands in every match, so a unit of text holding none of them cannot match and is
    never searched. None when no such words can be told (a match may be made of
    gazetteer names and capitalised words only)."""
    return min(required, key=_commonness, default=None)


def _veto_source(veto: s.Veto) -> str:
    where: str = veto.position
    if veto.position == "between":
        where = f"between {veto.anchor} and {veto.other}"
    elif veto.position == "sentence":
        where = "in sentence"
    elif veto.anchor is not None:
        where = f"{veto.position} {veto.anchor}"
    window = f" within {veto.window}" if veto.window is not None else ""
    return f"unless {s.unparse(veto.cue)} {where}{window}"


def _fills(rule: s.Rule, slots: tuple[SlotInfo, ...]) -> tuple[CompiledFill, ...]:
    types = {slot.name: slot.type for slot in slots}
    fills = [_fill(fill, types[fill.slots[0]]) for fill in rule.fills]
    filled = {name for fill in rule.fills for name in fill.slots}
    captures = _capture_types(rule.pattern)
    for slot, capture in implicit_slots(slots, captures, filled).items():
        fills.append(CompiledFill((slot,), types[slot], capture=capture))
    return tuple(fills)


def _capture_types(pattern: s.Pattern) -> dict[str, str | None]:
    return {n.name: captured_type(n.item) for n in walk(pattern) if isinstance(n, s.Capture)}


def _fill(fill: s.Fill, slot_type: str) -> CompiledFill:
    source = fill.source
    excepts = tuple(
        CompiledExcept(e.side, compile_pattern(e.cue), e.window, e.keep)
        if isinstance(e, s.ExceptCue)
        else CompiledExcept("when", compile_pattern(e.cue), None, attribute=e.attribute)
        for e in fill.excepts
    )
    if isinstance(source, s.FromCapture):
        return CompiledFill(
            fill.slots,
            slot_type,
            capture=source.capture,
            attribute=source.attribute,
            excepts=excepts,
        )
    return CompiledFill(
        fill.slots,
        slot_type,
        type=source.type,
        tests=_tests(source.conditions),
        scopes=source.scopes,
        anchor=source.anchor,
        excepts=excepts,
    )


def _cascade_order(rules: list[CompiledRule], symbols: Symbols) -> tuple[CompiledRule, ...]:
    """Entity rules in an order where each runs after the rules making the types it uses."""
    by_name = {rule.name: rule for rule in rules}
    needs = {
        rule.name: {
            other.name
            for other in rules
            if other.target != rule.target and other.target in uses(symbols.rules[rule.name])
        }
        for rule in rules
    }
    done: list[CompiledRule] = []
    placed: set[str] = set()
    while len(done) < len(rules):
        ready = [name for name in by_name if name not in placed and needs[name] <= placed]
        name = ready[0] if ready else next(n for n in by_name if n not in placed)
        done.append(by_name[name])  # one at a time, so declaration order breaks ties
        placed.add(name)
    return tuple(done)


# ------------------------------------------------------------------ patterns


def compile_pattern(pattern: s.Pattern) -> Node:
    """Syntax of a token pattern -> a matcher tree."""
    if isinstance(pattern, s.Literal_):
        if pattern.exact:
            return WordsNode(tuple(m.group() for m in TOKEN.finditer(pattern.text)), True)
        return WordsNode(phrase_tokens(pattern.text), False)
    if isinstance(pattern, s.TokenRegex):
        return RegexNode(regex.compile(pattern.source, regex_flags(pattern.flags)))
    if isinstance(pattern, s.TypeRef):
        if pattern.name in BUILTINS:
            return BuiltinNode(pattern.name)
        return TypeNode(pattern.name, _tests(pattern.conditions))
    if isinstance(pattern, s.Gap):
        return GapNode(pattern.min, pattern.max)
    if isinstance(pattern, s.Boundary):
        return BoundaryNode(pattern.kind == "start")
    if isinstance(pattern, s.Sequence):
        items = tuple(compile_pattern(item) for item in pattern.items)
        return _sequence(items)
    if isinstance(pattern, s.Alternation):
        options = _word_sets([compile_pattern(option) for option in pattern.options])
        return options[0] if len(options) == 1 else AltNode(tuple(options))
    if isinstance(pattern, s.Repeat):
        item = compile_pattern(pattern.item)
        if (pattern.min, pattern.max) == (0, 1):
            return OptionalNode(item, 0, 1)
        return RepeatNode(item, pattern.min, pattern.max)
    return CaptureNode(pattern.name, compile_pattern(pattern.item))


def _sequence(items: tuple[Node, ...]) -> SeqNode:
    """A sequence of items, each guarded by what it starts with; a gap before an item
    that must start with some word or type ends only where one stands (the item then
    needs no guard of its own); and what a match needs further on (SeqNode.needs)."""
    guards = tuple(_guard(item) for item in items)
    fused = list(items)
    kept = list(guards)
    for index, item in enumerate(items[:-1]):
        after = guards[index + 1]
        if isinstance(item, GapNode) and after is not None:
            fused[index] = GapNode(item.min, item.max, after)
            kept[index + 1] = None
    return SeqNode(tuple(fused), tuple(kept), _needs(items, guards))


def _needs(items: tuple[Node, ...], guards: tuple[Guard, ...]) -> tuple[Need, ...]:
    """Where, from the start of a match, each guarded item after the first starts: no
    nearer than the least the items before it take, no further than the most."""
    needs: list[Need] = []
    least = 0
    most: int | None = 0
    for index, (item, guard) in enumerate(zip(items, guards, strict=True)):
        if index and guard is not None:
            needs.append((guard, least, most, _filters(item)))
        low, high = token_lengths(item)
        least += low
        most = None if most is None or high is None else most + high
    return tuple(needs)


def token_lengths(node: Node, longest: Mapping[str, int] | None = None) -> tuple[int, int | None]:
    """The fewest and the most tokens a match of the node takes (None: no most).
    `longest`: the most tokens a mention of a type takes, where that is known (else a
    mention may be any length)."""
    if isinstance(node, WordsNode):
        return len(node.words), len(node.words)
    if isinstance(node, WordSetNode | RegexNode | BuiltinNode):
        return 1, 1
    if isinstance(node, TypeNode):
        return 1, None if longest is None else longest.get(node.type)
    if isinstance(node, GapNode):
        return node.min, node.max
    if isinstance(node, CaptureNode):
        return token_lengths(node.item, longest)
    if isinstance(node, RepeatNode):
        low, high = token_lengths(node.item, longest)
        most = None if high is None or node.max is None else high * node.max
        return low * node.min, most
    if isinstance(node, SeqNode | AltNode):
        parts = [token_lengths(part, longest) for part in _parts(node)]
        highs = [high for _, high in parts]
        if isinstance(node, SeqNode):
            most = None if None in highs else sum(h for h in highs if h is not None)
            return sum(low for low, _ in parts), most
        most = None if None in highs else max(h for h in highs if h is not None)
        return min(low for low, _ in parts), most
    if isinstance(node, BoundaryNode):
        return 0, 0
    # a node not counted here would be taken for no tokens, and starts it can reach cut
    raise TypeError(f"token_lengths does not know {type(node).__name__}")


def _parts(node: SeqNode | AltNode) -> tuple[Node, ...]:
    return node.items if isinstance(node, SeqNode) else node.options


def _guard(node: Node) -> Guard:
    """The words and types a match of the node can start with (None: any token, or it
    can match without a token)."""
    first = triggers(node)
    return None if first is None else start_of(first)


@functools.cache  # a rule set's few trigger sets, asked per document
def start_of(first: frozenset[Trigger]) -> Start:
    """Triggers as the words and types Context.starts_of takes."""
    words = frozenset(name for kind, name in first if kind == "word")
    return words, tuple(sorted(name for kind, name in first if kind == "type"))


def _word_sets(options: list[Node]) -> list[Node]:
    """Alternatives in order, each run of single words ("his" | "her" | "its") made one
    set lookup: at a token at most one of them matches, so what is found, and in which
    order, does not change."""
    merged: list[Node] = []
    run: list[str] = []
    for option in [*options, None]:
        if isinstance(option, WordsNode) and len(option.words) == 1 and not option.exact:
            run.append(option.words[0])
            continue
        if len(run) > 1:
            merged.append(WordSetNode(frozenset(run)))
        elif run:
            merged.append(WordsNode((run[0],), False))
        run = []
        if option is not None:
            merged.append(option)
    return merged


def _tests(conditions: tuple[s.Condition, ...]) -> tuple[Test, ...]:
    tests = []
    for condition in conditions:
        value = condition.value
        if isinstance(value, s.CaptureAttribute):
            tests.append(
                Test(condition.attribute, capture=value.capture, capture_attribute=value.attribute)
            )
        else:
            tests.append(Test(condition.attribute, value=value))
    return tuple(tests)


def nullable(node: Node) -> bool:
    """Can the node match without consuming a token?"""
    return token_lengths(node)[0] == 0


def triggers(node: Node) -> frozenset[Trigger] | None:
    """What the first token of any match must be (a word or a type's mention); None:
    anything (also when the pattern can match nothing at all)."""
    return None if nullable(node) else _first_tokens(node)


def _first_tokens(node: Node) -> frozenset[Trigger] | None:
    """What the first token of a non-empty match of the node can be; None: anything."""
    return _edge_tokens(node, last=False)


def _last_tokens(node: Node) -> frozenset[Trigger] | None:
    """What the last token of a non-empty match of the node can be; None: anything."""
    return _edge_tokens(node, last=True)


def _edge_tokens(node: Node, last: bool) -> frozenset[Trigger] | None:
    if isinstance(node, WordsNode):
        if not node.words or node.exact:
            return None
        return frozenset({("word", node.words[-1 if last else 0])})
    if isinstance(node, WordSetNode):
        return frozenset(("word", word) for word in node.words)
    if isinstance(node, TypeNode):
        return frozenset({("type", node.type)})
    if isinstance(node, CaptureNode | RepeatNode):
        return _edge_tokens(node.item, last)
    if isinstance(node, AltNode):
        return _union(_edge_tokens(option, last) for option in node.options)
    if isinstance(node, SeqNode):
        return _edge_of(node.items[::-1] if last else node.items, last)
    return None


def _edge_of(items: Sequence[Node], last: bool) -> frozenset[Trigger] | None:
    """What the token at the edge of a non-empty match of items in a row can be, the
    items given from that edge inwards (first to last, or last to first)."""
    found: set[Trigger] = set()
    for item in items:
        if isinstance(item, BoundaryNode):
            continue
        edge = _edge_tokens(item, last)
        if edge is None:
            return None
        found |= edge
        if not nullable(item):
            break
    return frozenset(found)


def _filters(node: Node) -> Filters:
    """For each type a match of the node can start with, the sets of constant tests its
    mention there must pass, when every place it can start with the type has some:
    (actor[kind=person] | actor[kind=organisation]) starts only on those two kinds."""
    found: dict[str, set[tuple[Test, ...]] | None] = {}
    for type_name, tests in _first_types(node):
        constant = bool(tests) and all(test.capture is None for test in tests)
        known = found.get(type_name, set())
        found[type_name] = known | {tests} if constant and known is not None else None
    return tuple((name, frozenset(options)) for name, options in sorted(found.items()) if options)


def _first_types(node: Node) -> list[tuple[str, tuple[Test, ...]]]:
    """The types (with their tests) of the mentions a match of the node can start with,
    walked as _first_tokens walks."""
    if isinstance(node, TypeNode):
        return [(node.type, node.tests)]
    if isinstance(node, CaptureNode | RepeatNode):
        return _first_types(node.item)
    if isinstance(node, AltNode):
        return [found for option in node.options for found in _first_types(option)]
    if isinstance(node, SeqNode):
        found: list[tuple[str, tuple[Test, ...]]] = []
        for item in node.items:
            found.extend(_first_types(item))
            if not isinstance(item, BoundaryNode) and not nullable(item):
                break
        return found
    return []


def _union(parts: object) -> frozenset[Trigger] | None:
    found: set[Trigger] = set()
    for part in parts:  # type: ignore[attr-defined]
        if part is None:
            return None
        found |= part
    return frozenset(found)


# ------------------------------------------------------------------ neighbourhoods

# What stands near an anchor word in every match of a rule: within `reach` tokens of it,
# a token that ends (before the word) or starts (after it) one of the triggers
Side = tuple[int, frozenset[Trigger]]
Neighbourhood = tuple[Side | None, Side | None]  # before the word, after it


@dataclass(frozen=True)
class TypeEdges:
    """Where a type's mentions can start (or end), told from a text's tokens alone: where
    a phrase of one of its gazetteers (each with its number in RuleSet.phrases) starts
    (ends), or where a match of an entity rule making the type can, by one of its first
    (last) tokens (`rules`: one set of them per rule)."""

    gazetteers: tuple[tuple[int, Gazetteer], ...]
    rules: tuple[frozenset[Trigger], ...]


def type_edges(
    entities: Mapping[str, EntityType], entity_rules: Sequence[CompiledRule], last: bool
) -> dict[str, TypeEdges]:
    """The types whose mentions' starts (or ends, `last`) can be told from the tokens:
    none of a regex, and each entity rule making one starts (ends) with words or such
    types (a mention an entity rule makes is its whole match)."""
    numbered = {
        entity.name: tuple(zip(numbers, entity.gazetteers, strict=True))
        for entity, numbers in numbered_gazetteers(entities.values())
    }
    made: dict[str, list[frozenset[Trigger] | None]] = {}
    for rule in entity_rules:
        edge = None if nullable(rule.node) else _edge_tokens(rule.node, last)
        made.setdefault(rule.target, []).append(edge)
    known = {
        name
        for name, entity in entities.items()
        if not entity.regexes and None not in made.get(name, ())
    }
    changed = True
    while changed:  # a type made from an unknown one is unknown
        changed = False
        for name in sorted(known):
            if any(
                kind == "type" and other not in known
                for edge in made.get(name, ())
                for kind, other in edge or ()
            ):
                known.discard(name)
                changed = True
    return {
        name: TypeEdges(numbered[name], tuple(e for e in made.get(name, ()) if e is not None))
        for name in sorted(known)
    }


def mention_lengths(entities: Mapping[str, EntityType]) -> dict[str, int]:
    """The most tokens a mention of each type made only of gazetteers can take."""
    return {
        name: max(
            max([len(tokens) for tokens in g.exact] + [g.loose_tokens]) for g in entity.gazetteers
        )
        for name, entity in entities.items()
        if entity.gazetteers and not entity.regexes
    }


def neighbourhood(
    rule: CompiledRule,
    listed: dict[str, EntityType],
    starts: Set[str],
    ends: Set[str],
    longest: Mapping[str, int],
) -> Neighbourhood | None:
    """What stands near the rule's anchor word in every match (None: nothing known).

    The word stands in the match of one item of the pattern (a sequence), of at most
    `most` tokens; the nearest items on each side with known edges, past items of
    bounded length, must end (before) or start (after) within reach of it. `listed`:
    the types the anchors were chosen with; `starts`, `ends`: the types whose mentions'
    starts, ends can be told (RuleSet.type_starts); `longest`: mention_lengths."""
    pattern, node = rule.pattern, rule.node
    if rule.anchors is None or not isinstance(pattern, s.Sequence):
        return None
    if not isinstance(node, SeqNode) or len(node.items) != len(pattern.items):
        return None
    places = [
        number
        for number, item in enumerate(pattern.items)
        if rule.anchors in requirements(item, listed, choices=1)
    ]
    if len(places) != 1:
        return None  # (the word may stand in either)
    at = places[0]
    most = token_lengths(node.items[at], longest)[1]
    if most is None:
        return None
    before = _side(node.items[:at][::-1], most, longest, ends, last=True)
    after = _side(node.items[at + 1 :], most, longest, starts, last=False)
    return None if before is None and after is None else (before, after)


def _side(
    outward: Sequence[Node], reach: int, longest: Mapping[str, int], known: Set[str], last: bool
) -> Side | None:
    """The first of the items, from the anchor's outwards, where what follows (precedes)
    must start (end) with known words or types, and how far from the word that is: the
    anchor's item's length `reach`, and the items passed."""
    for number, item in enumerate(outward):
        rest = outward[number:]
        edge = None if all(nullable(i) for i in rest) else _edge_of(rest, last)
        if edge is not None and all(kind == "word" or name in known for kind, name in edge):
            return reach, edge
        high = token_lengths(item, longest)[1]
        if high is None:
            return None
        reach += high
    return None


def _hood_order(hood: Neighbourhood) -> list[tuple[int, list[Trigger]]]:
    return [(-1, []) if side is None else (side[0], sorted(side[1])) for side in hood]


# ------------------------------------------------------------------ anchors (rule index)

# Words too common to tell anything about a sentence: a rule is not indexed by them when
# it requires something rarer.
COMMON_WORDS = frozenset(
    "a an the and or but of to in on at for by with from as into after before while when "
    "during about over than that this these those his her its their our your my he she it "
    "they we you i is are was were be been being has have had do does did not no , . ' "
    "'s \" ( ) : ; - also then later who which".split()
)


# Of an alternation's sets of required words, how many ways of taking one set from each
# option are kept (each way gives a set its matches require): ("holding" ...{0,2}
# talks_noun | "talks" "with") requires {holding, talks} and also {talks_noun..., talks}
CHOICES = 16


def requirements(
    pattern: s.Pattern, entities: dict[str, EntityType], choices: int = CHOICES
) -> list[frozenset[str]]:
    """Every set of words one of which each match of the pattern holds as a token
    (folded): each word of a phrase, a word list, one word of each alternative... A
    text that lacks all the words of one of the sets cannot hold a match. `entities`:
    the types whose mentions come from their own sources only. `choices`: how many
    sets an alternation gives (1: only its rarest, one set of each option united)."""
    return [_words(found) for found in phrase_requirements(pattern, entities, choices)]


Required = frozenset[tuple[str, tuple[str, ...]]]  # (word, the phrase it stands for)


def phrase_requirements(
    pattern: s.Pattern, entities: dict[str, EntityType], choices: int = CHOICES
) -> list[Required]:
    """As `requirements`, each word with the phrase it stands in: a phrase written in the
    pattern ("holding talks": "holding" and "talks" each stand for it), or the phrase of
    a word list ("held talks") whose rarest word it is."""
    if isinstance(pattern, s.Literal_):
        phrase = phrase_tokens(pattern.text)
        if pattern.exact:
            return []
        return [frozenset({(word, phrase)}) for word in dict.fromkeys(phrase)]
    if isinstance(pattern, s.TypeRef):
        found = _word_list(entities.get(pattern.name))
        return [found] if found else []
    if isinstance(pattern, s.Capture):
        return phrase_requirements(pattern.item, entities, choices)
    if isinstance(pattern, s.Repeat):
        return phrase_requirements(pattern.item, entities, choices) if pattern.min > 0 else []
    if isinstance(pattern, s.Alternation):
        options = [phrase_requirements(option, entities, choices) for option in pattern.options]
        if not all(options):
            return []
        return _either(options, choices)
    if isinstance(pattern, s.Sequence):
        return [
            found
            for item in pattern.items
            for found in phrase_requirements(item, entities, choices)
        ]
    return []


def _either(options: list[list[Required]], choices: int) -> list[Required]:
    """What an alternation requires: a match holds what one of its options requires, so
    one set taken from each option, united, is a set one of whose words it holds. The
    first `choices` ways of taking them, each option's sets rarest first: the first way
    unites the rarest sets."""
    ranked = [sorted(option, key=_rarity) for option in options]
    ways = itertools.islice(itertools.product(*ranked), choices)
    return list(dict.fromkeys(frozenset().union(*way) for way in ways))


def _words(required: Required) -> frozenset[str]:
    return frozenset(word for word, _ in required)


def _rarity(required: Required) -> tuple[int, int]:
    return _commonness(_words(required))


def _phrase(phrase: tuple[str, ...], word: str) -> Phrase:
    """What must stand before and after a word of a phrase, as (folded) text: the tokens,
    each apart by space or nothing (a dash, a quote are tokens of their own). What stands
    before is matched backwards from the word (REVERSE), so it costs what it reads."""
    at = phrase.index(word)
    before, after = phrase[:at], phrase[at + 1 :]
    return (
        regex.compile(r"\s*".join(map(regex.escape, before)) + r"\s*", regex.V1 | regex.REVERSE)
        if before
        else None,
        regex.compile(r"\s*" + r"\s*".join(map(regex.escape, after)), regex.V1) if after else None,
    )


def _commonness(words: frozenset[str]) -> tuple[int, int]:
    return sum(1 for word in words if word in COMMON_WORDS), len(words)


def _rarest(phrase: tuple[str, ...]) -> str:
    """The word of a phrase that best tells it is there: every word of it must be."""
    return next((word for word in phrase if word not in COMMON_WORDS), phrase[0])


def _word_list(entity: EntityType | None) -> Required | None:
    """The rarest word of each phrase of an entity type made only of word lists (`words
    "met", "held talks", ...`), with its phrase."""
    if entity is None or entity.regexes:
        return None
    if not entity.gazetteers or any(g.name != entity.name for g in entity.gazetteers):
        return None
    return frozenset((_rarest(phrase), phrase) for g in entity.gazetteers for phrase in g.exact)
