"""What every match of a regex must hold: strings to look for before the regex runs.

A `drop lines` pattern is searched in every line of every document, and almost every
line is news, not boilerplate. Most such patterns name words a match cannot do without
("Advertisement", "All rights reserved", "Copyright"): `needles(pattern)` finds them in
the pattern's source, and a line holding none of them (looked for over the whole text at
once, by an Aho-Corasick automaton of all of them: one pass however many there are)
cannot match, so the pattern is not searched there.

The reader knows the syntax a needle can come from: literal characters, groups,
alternatives, classes, quantifiers, anchors and lookarounds. On anything else (a flag
set inside the pattern, a backreference, an escape it does not know, verbose patterns)
it gives no needles, and the pattern is searched in every line, as without this module.
Case-insensitive needles are only looked for in ASCII texts, where lower-casing is
exactly what ignoring case means.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick_rs
import regex

# the most strings a part of a pattern is spelt out as, or held as needles (more: unknown;
# a needle as long as the part spelt out would rarely be rarer)
MOST_STRINGS = 64

# escapes of one character of a class: no needle
_CLASS_ESCAPES = frozenset("dDwWsShHvVX")
# escapes that take no character: they spell "" (\K drops what came before from the match,
# not from the line searched)
_EMPTY_ESCAPES = frozenset("bBAZGmMK")
# control characters: one character, never a needle (a line holds no line break anyway)
_CONTROL_ESCAPES = frozenset("ntrfvae")


@dataclass(frozen=True)
class Needles:
    """Strings one of which every match holds: `exact` as written, `folded` (lower-case
    ASCII) in any case."""

    exact: tuple[str, ...] = ()
    folded: tuple[str, ...] = ()

    def __or__(self, other: Needles) -> Needles:
        return Needles(_merge(self.exact, other.exact), _merge(self.folded, other.folded))

    def lines_holding(self, text: str) -> list[int] | None:
        """The numbers of the text's lines (split at "\\n") that hold a needle, in order;
        None when that cannot be told (a case-insensitive needle in a non-ASCII text)."""
        if self.folded and not text.isascii():
            return None
        found: set[int] = set()
        _find_all(text, self._exact_automaton, found)
        if self.folded:
            _find_all(text.lower(), self._folded_automaton, found)
        if not found:
            return []
        line_starts = _line_starts(text)
        return sorted({bisect.bisect_right(line_starts, at) - 1 for at in found})

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its fields: the automata are made again where they are used. (Not a
        `Frozen`: this module is not compiled, and a class compiled by mypyc cannot be
        inherited from by one that is not.)"""
        return Needles, (self.exact, self.folded)

    @functools.cached_property
    def _exact_automaton(self) -> WordFinder | None:
        return word_automaton(self.exact) if self.exact else None

    @functools.cached_property
    def _folded_automaton(self) -> WordFinder | None:
        return word_automaton(self.folded) if self.folded else None


def _merge(ours: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(ours) | set(theirs)))


@dataclass(frozen=True)
class WordFinder:
    """Where any of some words stand in a text, found in one pass whatever their number:
    an Aho-Corasick automaton (ahocorasick_rs, the Rust aho-corasick crate: a few words
    are looked for with SIMD instructions). With `dfa` the automaton is a DFA, the fastest
    to search: twice as fast as the crate's default choice for the 4,000 words of a
    1,000-rule set, built in milliseconds, but about 5 kB a word (the 34,000 phrases of a
    big gazetteer would take 180 MB: they keep the default). Kept (in the cache, for
    worker processes) as its words: the automaton is built again where it is read.

    An ASCII text (most news in English) is searched as bytes, whose offsets are its
    chars': the crate maps the offsets of a str through a table as long as the text,
    made at every search, which costs as much as the search itself. Any other text is
    searched as a str, by a second automaton made when the first such text comes."""

    words: tuple[str, ...]
    dfa: bool = False
    automaton: Any = field(default=None, compare=False, repr=False)  # of the words' bytes

    def __post_init__(self) -> None:
        if self.automaton is None and self.words:
            encoded = [word.encode("utf-8") for word in self.words]
            automaton = ahocorasick_rs.BytesAhoCorasick(encoded, implementation=self._how)
            object.__setattr__(self, "automaton", automaton)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return WordFinder, (self.words, self.dfa)

    @property
    def _how(self) -> Any:
        return ahocorasick_rs.Implementation.DFA if self.dfa else None

    @functools.cached_property
    def _text_automaton(self) -> Any:
        return ahocorasick_rs.AhoCorasick(list(self.words), implementation=self._how)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(word number, start, end) of every occurrence, overlapping ones too."""
        if self.automaton is None:
            return []
        found: list[tuple[int, int, int]]
        if text.isascii():
            found = self.automaton.find_matches_as_indexes(text.encode("ascii"), overlapping=True)
        else:
            found = self._text_automaton.find_matches_as_indexes(text, overlapping=True)
        return found


def word_automaton(words: Iterable[str]) -> WordFinder:
    """A WordFinder (a DFA) of the (non-empty) words: the words rules are indexed by, the
    strings of boilerplate patterns; a few to a few thousand."""
    return WordFinder(tuple(words), dfa=True)


def _find_all(text: str, automaton: WordFinder | None, found: set[int]) -> None:
    """Where the automaton's words start in the text, overlapping ones too."""
    if automaton is not None:
        found.update(start for _, start, _ in automaton.find(text))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def needles(pattern: regex.Pattern[str]) -> Needles | None:
    """Strings one of which every match of the pattern holds; None: no such strings are
    known (the pattern can match without any, or is written in syntax not read here)."""
    if pattern.flags & regex.VERBOSE:
        return None
    ignore_case = bool(pattern.flags & regex.IGNORECASE)
    try:
        reader = _Reader(pattern.pattern, ignore_case, bool(pattern.flags & regex.VERSION1))
        found = reader.alternatives()
        if reader.at < len(reader.source):  # an unopened ")"
            return None
    except (_Unknown, RecursionError):  # groups nested too deep to read: no needles
        return None
    strings = _needle_strings(found)
    if strings is None:
        return None
    if ignore_case:
        return Needles(folded=tuple(sorted(strings)))
    return Needles(exact=tuple(sorted(strings)))


# ------------------------------------------------------------------ reading a pattern


_SET_OPERATORS = ("||", "&&", "--", "~~")  # VERSION1 set union, intersection, ...


class _Unknown(Exception):
    """Syntax the reader does not know: no needles for this pattern."""


@dataclass(frozen=True)
class _Part:
    """What is known of a part of a pattern: every string it can match (`spelt`, when
    few) and strings one of which each of its matches holds (`held`)."""

    spelt: frozenset[str] | None
    held: frozenset[str] | None


_ANY = _Part(None, None)  # one character (or more) of a class: nothing known
_EMPTY = _Part(frozenset({""}), None)  # an anchor, a lookaround: matches ""


def _needle_strings(part: _Part) -> frozenset[str] | None:
    """The better of what a part holds and how it is spelt (when it cannot be empty)."""
    options = [part.held] if part.held else []
    if part.spelt and "" not in part.spelt:
        options.append(part.spelt)
    return _best(options)


class _Reader:
    """A recursive-descent reader of a pattern's source, building `_Part`s."""

    def __init__(self, source: str, ignore_case: bool, nested_sets: bool) -> None:
        self.source = source
        self.at = 0
        self.ignore_case = ignore_case
        self.nested_sets = nested_sets  # VERSION1: "[" inside a set opens a set

    def peek(self, size: int = 1) -> str:
        return self.source[self.at : self.at + size]

    def take(self, size: int = 1) -> str:
        taken = self.peek(size)
        if len(taken) < size:
            raise _Unknown("the pattern ends too soon")
        self.at += size
        return taken

    def alternatives(self) -> _Part:
        """`a|b|c`, up to a ")" or the end."""
        options = [self.sequence()]
        while self.peek() == "|":
            self.take()
            options.append(self.sequence())
        return _either(options)

    def sequence(self) -> _Part:
        parts = []
        while self.peek() not in ("", "|", ")"):
            parts.append(self.repeated(self.atom()))
        return _in_sequence(parts)

    def repeated(self, part: _Part) -> _Part:
        """The part with the quantifier that follows it, if one does."""
        bounds = self.quantifier()
        if bounds is None:
            return part
        if self.peek() in ("?", "+"):  # lazy or possessive: the same strings
            self.take()
        low, high = bounds
        if low == 0:
            if high == 0:
                return _EMPTY
            if high == 1 and part.spelt is not None:
                return _Part(part.spelt | {""}, None)
            return _Part(None, None)
        held = _needle_strings(part)
        spelt = part.spelt if low == high == 1 else None
        return _Part(spelt, held)

    def quantifier(self) -> tuple[int, int | None] | None:
        head = self.peek()
        if head in ("*", "+", "?"):
            self.take()
            return {"*": (0, None), "+": (1, None), "?": (0, 1)}[head]
        if head != "{":
            return None
        # ASCII digits only: `regex` reads "{١}" as text, not as a count
        found = regex.match(r"\{([0-9]*)(,?)([0-9]*)\}", self.source[self.at :])
        if found is None or not (found.group(1) or found.group(3)):
            raise _Unknown("a brace that is not a count")
        self.at += found.end()
        low = int(found.group(1) or 0)
        if not found.group(2):
            return low, low
        return low, int(found.group(3)) if found.group(3) else None

    def atom(self) -> _Part:
        head = self.take()
        if head == "(":
            return self.group()
        if head == "[":
            self.character_set()
            return _ANY
        if head == ".":
            return _ANY
        if head in ("^", "$"):
            return _EMPTY
        if head == "\\":
            return self.escape()
        if head in ("*", "+", "?", "{"):
            raise _Unknown("a quantifier with nothing before it")
        return self.character(head)

    def character(self, char: str) -> _Part:
        if char == "\n":
            return _ANY
        if self.ignore_case:
            if not char.isascii():
                return _ANY
            char = char.lower()
        return _Part(frozenset({char}), frozenset({char}))

    def group(self) -> _Part:
        """After "(": a group, or a lookaround (which matches "")."""
        empty = False
        if self.peek() == "?":
            kind = self.peek(3)
            if kind[:2] in ("?:", "?>", "?=", "?!"):
                empty = kind[1] in "=!"
                self.take(2)
            elif kind in ("?<=", "?<!"):
                empty = True
                self.take(3)
            elif kind == "?P<" or kind[:2] == "?<":
                self.take(3 if kind == "?P<" else 2)
                self.name()
            else:
                raise _Unknown("a group of a kind not read here")
        inside = self.alternatives()
        if self.take() != ")":
            raise _Unknown("an unclosed group")
        return _EMPTY if empty else inside

    def name(self) -> None:
        found = regex.match(r"\w+>", self.source[self.at :])
        if found is None:
            raise _Unknown("a group name")
        self.at += found.end()

    def character_set(self) -> None:
        """After "[": up to its "]", sets inside sets (VERSION1) included."""
        self.set_start()
        depth = 1
        while depth:
            if self.nested_sets and self.source.startswith(_SET_OPERATORS, self.at):
                # after one, even a "]" is a member (`[a||]b]`): not followed here
                raise _Unknown("a set operation")
            char = self.take()
            if char == "\\":
                self.take()
            elif char == "[":
                if not self.nested_sets:  # VERSION0: a character, or a POSIX class
                    raise _Unknown("a bracket inside a set")
                depth += 1
                self.set_start()
            elif char == "]":
                depth -= 1

    def set_start(self) -> None:
        """After a set's "[": a "^" first negates it, and a "]" first (after the "^") is
        one of its characters, in a set inside a set too."""
        if self.peek() == "^":
            self.take()
        if self.peek() == "]":
            self.take()

    def escape(self) -> _Part:
        char = self.take()
        if char in _CLASS_ESCAPES or char in _CONTROL_ESCAPES:
            return _ANY
        if char in ("p", "P"):
            if self.peek() == "{":
                end = self.source.find("}", self.at)
                if end < 0:
                    raise _Unknown("an unclosed property")
                self.at = end + 1
            else:
                self.take()
            return _ANY
        if char in _EMPTY_ESCAPES:
            return _EMPTY
        if char.isascii() and not char.isalnum():
            return self.character(char)
        raise _Unknown(f"the escape \\{char}")


def _in_sequence(parts: list[_Part]) -> _Part:
    """One part after another: runs of spelt parts spell longer strings; what the
    sequence holds is the best of what its runs spell and its parts hold."""
    run: frozenset[str] | None = frozenset({""})
    whole = True  # is `run` the whole sequence so far?
    candidates: list[frozenset[str]] = []
    for part in parts:
        if (
            run is not None
            and part.spelt is not None
            and len(run) * len(part.spelt) <= MOST_STRINGS
        ):
            run = frozenset(a + b for a in run for b in part.spelt)
            continue
        whole = False
        if run is not None and "" not in run:
            candidates.append(run)
        if part.held:
            candidates.append(part.held)
        run = part.spelt
    if run is not None and "" not in run:
        candidates.append(run)
    return _Part(run if whole else None, _best(candidates))


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """Longer needles are rarer; then fewer are cheaper to look for."""
    if not candidates:
        return None
    return max(
        map(_shortest, candidates), key=lambda strings: (min(map(len, strings)), -len(strings))
    )


def _shortest(strings: frozenset[str]) -> frozenset[str]:
    """The strings without those holding another ("Comments" holds "Comment"): a text
    holds one of them when it holds one of all."""
    return frozenset(s for s in strings if not any(o != s and o in s for o in strings))


def _either(options: list[_Part]) -> _Part:
    """Alternatives: a match of any holds what that one holds."""
    if len(options) == 1:
        return options[0]
    spelt: frozenset[str] | None = None
    if all(option.spelt is not None for option in options):
        spelt = frozenset().union(*(o.spelt for o in options if o.spelt is not None))
        if len(spelt) > MOST_STRINGS:
            spelt = None
    held_each = [_needle_strings(option) for option in options]
    held = None
    if all(strings is not None for strings in held_each):
        held = frozenset().union(*(s for s in held_each if s is not None))
        if len(held) > MOST_STRINGS:
            held = None
    return _Part(spelt, held)
