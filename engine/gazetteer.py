"""Gazetteers: canonical names with aliases and attributes, matched on whole tokens.

A gazetteer file is a YAML list of entries, each `name` (canonical), `aliases` (a list)
and any other keys as attributes. It is read with the YAML composer, never constructed
into arbitrary objects, so every problem is reported with its line.

Names that reach English through transliteration come in many spellings (Bagheri Kani,
Baghiri Kani, Bagheri Khani). A gazetteer declared `with variants` also matches such
spellings through a consonant skeleton of each token, instead of listing every spelling.
"""

from __future__ import annotations

import functools
import json
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import regex
import yaml

from .errors import Diagnostic, byte_position
from .frozen import Frozen
from .prefilter import WordFinder
from .text import fold_characters, fold_token, token_pattern

Attributes = tuple[tuple[str, str], ...]

# the longest name or phrase: far beyond any real one (an automaton of one very long phrase
# is a trie as deep, which crashes the process when it is freed)
MAX_PHRASE = 500


@dataclass(frozen=True)
class Entry(Frozen):
    """One canonical name and its attributes (e.g. kind, country, organisation)."""

    name: str
    attributes: Attributes = ()


class Hit(NamedTuple):
    """A gazetteer phrase found at tokens first..end-1. (A named tuple: one is made per
    phrase found, and a frozen dataclass takes three times as long to make.)"""

    first: int
    end: int
    entry: Entry
    variant: bool


# Hit((first, end, entry, variant)) without the Python frame of a named tuple's __new__:
# twice as fast, and one is made per phrase found
new_hit = functools.partial(tuple.__new__, Hit)


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """Tokenise a phrase the way documents are folded and tokenised, for comparison."""
    folded = fold_characters(phrase).text  # (itself when there is nothing to fold)
    return tuple(fold_token(token) for token in token_pattern(folded).findall(folded))


# ------------------------------------------------------------------ transliteration variants

_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("ph", "f"), ("q", "k"), ("ck", "k"), ("dh", "d"))
_VOWELS = frozenset("aeiouy")
_CONSONANT = regex.compile(r"[^aeiouy]")
MIN_VARIANT_CONSONANTS = 5  # shorter keys collide too often to be trusted
PREFIX_MEMO = 1 << 16  # prefixes a gazetteer remembers whether a loose key starts with


@functools.lru_cache(maxsize=1 << 16)  # tokens repeat: "The", "Reuters", "Minister" ...
def skeleton(token: str) -> str:
    """The transliteration-tolerant key of a folded token.

    Digraphs fold (kh -> k, gh -> g, ...), doubled letters collapse, and every run of
    vowels becomes one `a`: the consonants and the syllables stay, the vowel spelling goes.
    A final h after a vowel goes (the Arabic ta marbuta: Haniyeh, Haniya -> hanaya).
    bagheri, baghiri -> bagara; kani, khani -> kana; marzouk, marzuk, marzook -> marzak;
    but palestinian (palastanan) stays apart from palestine (palastana).
    """
    word = token
    for digraph, single in _DIGRAPHS:
        word = word.replace(digraph, single)
    if word[-2:-1] in _VOWELS and word.endswith("h"):
        word = word[:-1]  # Haniyeh = Haniya, Nakhalah = Nakhala
    # repeated chars collapse, then each run of vowels becomes "a": one pass over the
    # chars (three regex substitutions took most of the time of a token seen first)
    kept: list[str] = []
    previous = ""
    for char in word:
        if char in _VOWELS:
            if previous not in _VOWELS:  # ("" is not a vowel)
                kept.append("a")
        elif char != previous:
            kept.append(char)
        previous = char
    return "".join(kept)


def variant_key(tokens: Sequence[str]) -> str | None:
    """Key of a whole phrase, blind to spaces and hyphens inside it ("Abdel-Fattah El-Sisi"
    = "Abdel Fattah el-Sisi"), or None when it is too short to match loosely."""
    if not tokens or any(not t[:1].isalpha() for t in tokens):
        return None
    key = "".join(token_skeleton(t) for t in tokens)
    return key if len(_CONSONANT.findall(key)) >= MIN_VARIANT_CONSONANTS else None


def _joinable(token: str) -> str:
    return token.replace("-", "").replace("'", "")


@functools.lru_cache(maxsize=1 << 16)
def token_skeleton(folded: str) -> str:
    """A folded token's part of a variant key (the same names recur across documents)."""
    return skeleton(_joinable(folded))


# Lower-case particles that may stand inside a capitalised name (al-Assad, bin Salman).
_PARTICLES = frozenset(
    {
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "de",
        "da",
        "di",
        "do",
        "dos",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "y",
        "abu",
        "bou",
    }
)


def _capitalised(tokens: Sequence[str]) -> Iterator[bool]:
    """For each (non-empty) token, does it start with a capital? Mapped in C."""
    return map(str.isupper, map(itemgetter(0), tokens))


def _name_part(token: str, first: bool) -> bool:
    if token[:1].isupper():
        return True
    return not first and (token in _PARTICLES or token.split("-")[0] in _PARTICLES)


# ------------------------------------------------------------------ the gazetteer


@dataclass(frozen=True)
class Haystack:
    """A document's folded tokens as one string, each padded by spaces, so a phrase found
    in it by the automaton starts and ends on token boundaries; `starts[i]` is the offset
    where token i starts (`token_at`). Paragraphs are apart (a line break stands between
    them), so no phrase is found across one; `stops[i]` is the end of token i's paragraph.
    The paragraphs are consecutive token ranges from the first token, as a view's are."""

    text: str
    starts: Sequence[int]
    stops: Sequence[int]

    @classmethod
    def of(cls, folded: Sequence[str], paragraphs: Sequence[tuple[int, int]] = ()) -> Haystack:
        if not paragraphs:
            paragraphs = [(0, len(folded))]
        starts: list[int] = []
        stops: list[int] = []
        pieces: list[str] = []
        offset = 1
        for lo, hi in paragraphs:
            if lo == hi:
                continue
            words = folded[lo:hi]
            # each token starts one char past the end of the one before (a space); the
            # last of `firsts` is where the paragraph's text ends, past its last token
            firsts = list(accumulate([len(word) + 1 for word in words], initial=offset))
            offset = firsts.pop() + 2
            starts.extend(firsts)
            pieces.append(" ".join(words))
            stops.extend([hi] * (hi - lo))
        return cls(" " + " \n ".join(pieces) + " ", starts, stops)

    def token_at(self, offset: int) -> int:
        """The index of the token that starts at this offset (found by bisection: a few
        phrases are found in a document, and a dict of every token would cost more)."""
        return bisect_left(self.starts, offset)


@dataclass(frozen=True)
class Gazetteer:
    """Phrases -> entries, compiled to an Aho-Corasick automaton over folded tokens (one
    pass over a document finds every phrase, whatever the gazetteer's size)."""

    name: str
    variants: bool
    exact: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    index: PhraseIndex | None = field(default=None, compare=False)  # built when needed
    loose: dict[str, Entry] = field(default_factory=dict)
    loose_keys: tuple[str, ...] = ()  # the loose keys, sorted: what a key may start as
    loose_tokens: int = 0  # the most tokens a loose phrase may span in a text
    # prefix -> does a loose key start with it (starts_a_key's memory; never pickled)
    prefixes: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls, name: str, entries: Iterable[tuple[Entry, Sequence[str]]], variants: bool
    ) -> Gazetteer:
        """Index entries with their surface forms; the first entry to claim a phrase keeps it."""
        exact: dict[tuple[str, ...], Entry] = {}
        loose: dict[str, Entry] = {}
        longest = 0
        for entry, forms in entries:
            for form in forms:
                tokens = phrase_tokens(form)
                if not tokens:
                    continue
                exact.setdefault(tokens, entry)
                key = variant_key(tokens) if variants else None
                if key is not None:
                    loose.setdefault(key, entry)
                    longest = max(longest, len(tokens) + sum(t.count("-") for t in tokens))
        return cls(
            name,
            variants,
            exact,
            None,
            loose,
            tuple(sorted(loose)),
            longest,
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its phrases (for the disk cache and worker processes), without the
        index it may have built."""
        fields = (self.name, self.variants, self.exact, None, self.loose, self.loose_keys)
        return Gazetteer, (*fields, self.loose_tokens)

    def find(
        self,
        folded: Sequence[str],
        original: Sequence[str],
        haystack: Haystack | None = None,
        found: list[Hit] | None = None,
    ) -> Iterator[Hit]:
        """Every phrase occurrence, by position: there, the exact phrases longest first,
        then a variant; `original` is each token's text, for capitalisation. `found`:
        the exact phrases, when a PhraseIndex of several gazetteers has found them."""
        hay = haystack if haystack is not None else Haystack.of(folded)
        hits = list(found if found is not None else self._own_index().scan(hay)[0])
        if self.loose:
            # a name starts capitalised (the tokens that do are picked in C: no Python
            # step per token), and the key of its first word starts a key
            for first in compress(range(len(original)), _capitalised(original)):
                hit = self._variant_from(folded, original, first, hay.stops[first])
                if hit is not None:
                    hits.append(hit)
        hits.sort(key=lambda hit: (hit.first, hit.variant, hit.first - hit.end))
        return iter(hits)

    def variant_at(
        self, folded: Sequence[str], original: Sequence[str], first: int, stop: int
    ) -> Hit | None:
        """The variant `find` finds starting at token `first` (its paragraph ending
        before `stop`), if any."""
        if not self.loose or not original[first][:1].isupper():
            return None
        return self._variant_from(folded, original, first, stop)

    def _variant_from(
        self, folded: Sequence[str], original: Sequence[str], first: int, stop: int
    ) -> Hit | None:
        if not self.starts_a_key(token_skeleton(folded[first])):
            return None
        return self._find_loose(folded, original, first, stop)

    def starts_a_key(self, prefix: str) -> bool:
        """Does one of the loose keys start with `prefix`? Answers are remembered (up to
        PREFIX_MEMO of them): the same names and capitalised words recur in documents."""
        known = self.prefixes.get(prefix)
        if known is None:
            keys = self.loose_keys
            at = bisect_left(keys, prefix)
            known = at < len(keys) and keys[at].startswith(prefix)
            if len(self.prefixes) < PREFIX_MEMO:
                self.prefixes[prefix] = known
        return known

    def _own_index(self) -> PhraseIndex:
        """The gazetteer's own phrase index, built when first needed (a rule set's
        PhraseIndex serves extraction; this serves a gazetteer searched on its own)."""
        index = self.index
        if index is None:
            index = PhraseIndex.of([self])
            object.__setattr__(self, "index", index)
        return index

    def _find_loose(
        self, folded: Sequence[str], original: Sequence[str], first: int, stop: int
    ) -> Hit | None:
        """The longest name starting here, ending before `stop`, whose variant key an entry
        has (not spelt exactly)."""
        key = ""
        best: Hit | None = None
        for end in range(first, min(stop, first + self.loose_tokens)):
            if not _name_part(original[end], end == first):
                break
            key += token_skeleton(folded[end])
            if not self.starts_a_key(key):  # no longer name can match
                break
            entry = self.loose.get(key)
            if entry is not None and tuple(folded[first : end + 1]) not in self.exact:
                if len(_CONSONANT.findall(key)) >= MIN_VARIANT_CONSONANTS:
                    best = Hit(first, end + 1, entry, True)
        return best


Owner = tuple[int, Entry, int]  # gazetteer number, entry, tokens


@dataclass(frozen=True)
class PhraseIndex:
    """The exact phrases of several gazetteers in one automaton: one pass over a
    document finds them all. A phrase listed in several gazetteers is found for each.
    Kept (in the cache, for worker processes) as its phrases; the automaton is built
    again where it is read."""

    keys: tuple[str, ...]  # " phrase "
    owners: tuple[tuple[Owner, ...], ...]  # per key
    size: int  # gazetteers
    finder: WordFinder | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.finder is None:
            object.__setattr__(self, "finder", WordFinder(self.keys))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return PhraseIndex, (self.keys, self.owners, self.size)

    @classmethod
    def of(cls, gazetteers: Sequence[Gazetteer]) -> PhraseIndex:
        owners: dict[str, list[Owner]] = {}
        for number, gazetteer in enumerate(gazetteers):
            for tokens, entry in gazetteer.exact.items():
                key = " " + " ".join(tokens) + " "
                owners.setdefault(key, []).append((number, entry, len(tokens)))
        return cls(tuple(owners), tuple(tuple(found) for found in owners.values()), len(gazetteers))

    def spans(self, haystack: Haystack, numbers: Set[int]) -> dict[int, list[tuple[int, int]]]:
        """The first and end tokens of the exact phrases of some of the gazetteers (by
        number), without making their hits."""
        found: dict[int, list[tuple[int, int]]] = {}
        if self.finder is None:
            return found
        owners = self.owners
        for key, start, _ in self.finder.find(haystack.text):
            first = -1
            for number, _, length in owners[key]:
                if number in numbers:
                    if first < 0:
                        first = haystack.token_at(start + 1)
                    found.setdefault(number, []).append((first, first + length))
        return found

    def scan(self, haystack: Haystack) -> list[list[Hit]]:
        """The exact hits of each gazetteer (by number), in the order of their ends."""
        hits: list[list[Hit]] = [[] for _ in range(self.size)]
        if self.finder is None:
            return hits
        owners = self.owners
        for key, start, _ in self.finder.find(haystack.text):
            first = haystack.token_at(start + 1)  # the key is " phrase ": its token, after " "
            for number, entry, length in owners[key]:
                hits[number].append(new_hit((first, first + length, entry, False)))
        return hits


# ------------------------------------------------------------------ reading YAML files


# libyaml's safe loader when PyYAML was built with it (the wheels are): the same nodes and
# line marks, ten times faster on a gazetteer of tens of thousands of names
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataFileError(Exception):
    """A YAML data file (gazetteer, expectations) that cannot be read, with its line."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def compose_file(data: bytes, shown_as: str, code: str) -> tuple[yaml.Node | None, list[str]]:
    """A YAML file's node tree (positions kept, nothing constructed) and its lines; a file
    that is not UTF-8 or not YAML raises DataFileError with `code` at the fault's line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = byte_position(data, error.start)
        reason = f"the file is not UTF-8 text (byte 0x{data[error.start]:02x})"
        raise DataFileError(Diagnostic(code, reason, shown_as, line, column)) from None
    lines = text.splitlines()
    try:
        return yaml.compose(text, Loader=SAFE_LOADER), lines
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = f"this YAML cannot be read: {error.problem}"
        raise DataFileError(
            Diagnostic(code, reason, shown_as, line, column, _line(lines, line))
        ) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line, column = _text_position(text, error.position)
        reason = f"this YAML cannot be read: it holds the character #x{error.character:04x}"
        raise DataFileError(
            Diagnostic(code, reason, shown_as, line, column, _line(lines, line))
        ) from None


def _text_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a char index."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def read_entries(path: Path, shown_as: str) -> list[tuple[Entry, list[str]]]:
    """Read a gazetteer file; raise DataFileError naming the line of the first problem."""
    data = path.read_bytes()
    quick = _flow_lines(data)
    if quick is not None:
        return quick
    root, lines = compose_file(data, shown_as, "E029")
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise _node_error(shown_as, root, lines, "a gazetteer is a list of entries (`- name: ...`)")
    return [_entry(node, shown_as, lines) for node in root.value]


# A big gazetteer converted from another dictionary usually holds one flow mapping per
# line, with JSON strings: `- {name: "Hamas", aliases: ["Harakat al-Muqawama"], kind: ...}`.
# Such a file is read line by line, ten times faster than through the YAML composer, and
# to the same entries; any line of another shape sends the whole file to the composer,
# which also reports what is wrong with it.
_FLOW_LINE = regex.compile(r"- \{(.*)\}[ \t]*")
_FLOW_KEY = regex.compile(r"([A-Za-z_][A-Za-z0-9_]*): ")
_FLOW_PLAIN = regex.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/()'-]*")
_FLOW_SEPARATOR = regex.compile(r", *")
_STRINGS = json.JSONDecoder(strict=True)
_SURROGATE_ESCAPE = regex.compile(r"\\u[dD][89a-fA-F]")  # JSON pairs them, YAML does not
_NOT_PLAIN_TEXT = regex.compile(
    "[\r\x85\u2028\u2029\ufeff]|" + yaml.reader.Reader.NON_PRINTABLE.pattern
)


def _flow_lines(data: bytes) -> list[tuple[Entry, list[str]]] | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _SURROGATE_ESCAPE.search(text) or _NOT_PLAIN_TEXT.search(text):
        return None  # escaped code points, odd line breaks, unprintable chars: for YAML
    entries = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        whole = _FLOW_LINE.fullmatch(line)
        fields = _flow_fields(whole.group(1)) if whole else None
        entry = _flow_entry(fields) if fields is not None else None
        if entry is None:
            return None
        entries.append(entry)
    return entries


def _flow_fields(body: str) -> list[tuple[str, str | list[str]]] | None:
    """`key: value, key: [value, ...]` -> pairs; None for anything else."""
    fields: list[tuple[str, str | list[str]]] = []
    at = 0
    while at < len(body):
        key = _FLOW_KEY.match(body, at)
        if key is None:
            return None
        at = key.end()
        value: str | list[str]
        if body.startswith("[", at):
            items: list[str] = []
            at += 1
            while not body.startswith("]", at):
                found = _flow_scalar(body, at)
                if found is None:
                    return None
                item, at = found
                items.append(item)
                if body.startswith(", ", at):
                    at += 2
                elif not body.startswith("]", at):
                    return None
            value, at = items, at + 1
        else:
            found = _flow_scalar(body, at)
            if found is None:
                return None
            value, at = found
        fields.append((key.group(1), value))
        if at < len(body):
            separator = _FLOW_SEPARATOR.match(body, at)
            if separator is None or separator.end() == at or separator.end() == len(body):
                return None
            at = separator.end()
    return fields


def _flow_scalar(body: str, at: int) -> tuple[str, int] | None:
    if body.startswith('"', at):
        try:
            value, end = _STRINGS.raw_decode(body, at)
        except ValueError:
            return None
        return (value, end) if isinstance(value, str) else None
    plain = _FLOW_PLAIN.match(body, at)
    if plain is None:
        return None
    return plain.group().rstrip(" "), plain.end()


def _flow_entry(fields: list[tuple[str, str | list[str]]]) -> tuple[Entry, list[str]] | None:
    """The entry `_entry` would make of the same mapping; None when the composer must
    judge it (a repeated key, an empty value, a list where a value belongs ...)."""
    keys = [key for key, _ in fields]
    if len(set(keys)) != len(keys):
        return None
    values = dict(fields)
    name = values.pop("name", None)
    aliases = values.pop("aliases", [])
    if not isinstance(name, str) or not isinstance(aliases, list):
        return None
    if any(_reads_as_null(a) for a in (name, *aliases) if isinstance(a, str)):
        return None  # the composer reports it
    scalars = [name, *aliases, *values.values()]
    if any(not isinstance(v, str) or not v.strip() for v in scalars):
        return None
    if any(len(phrase) > MAX_PHRASE for phrase in (name, *aliases)):
        return None  # the composer reports it
    attributes = tuple(sorted((key, str(value).strip()) for key, value in values.items()))
    return Entry(name.strip(), attributes), [name.strip(), *(a.strip() for a in aliases)]


def _entry(node: yaml.Node, shown_as: str, lines: list[str]) -> tuple[Entry, list[str]]:
    if not isinstance(node, yaml.MappingNode):
        raise _node_error(shown_as, node, lines, "each entry is a mapping with at least `name:`")
    name: str | None = None
    aliases: list[str] = []
    attributes: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = _scalar(key_node, shown_as, lines)
        if key in seen:
            raise _node_error(shown_as, key_node, lines, f"`{key}:` is given twice in this entry")
        seen.add(key)
        if key == "aliases":
            aliases = _aliases(value_node, shown_as, lines)
        elif key == "name":
            name = _name(value_node, shown_as, lines)
        else:
            attributes.append((key, _scalar(value_node, shown_as, lines)))
    if not name:
        raise _node_error(shown_as, node, lines, "this entry has no `name:`")
    if any(len(phrase) > MAX_PHRASE for phrase in (name, *aliases)):
        message = f"a name of more than {MAX_PHRASE} characters: no name is that long"
        raise _node_error(shown_as, node, lines, message)
    return Entry(name, tuple(sorted(attributes))), [name, *aliases]


def _aliases(node: yaml.Node, shown_as: str, lines: list[str]) -> list[str]:
    if not isinstance(node, yaml.SequenceNode):
        raise _node_error(shown_as, node, lines, "`aliases:` is a list, such as [Bagheri Kani]")
    return [_name(item, shown_as, lines) for item in node.value]


def _name(node: yaml.Node, shown_as: str, lines: list[str]) -> str:
    """A name or alias: text, not what YAML reads as nothing (`null`, `~`)."""
    if node.tag == _NULL_TAG:
        message = f"`{node.value}` is no name (YAML reads it as nothing): quote it if it is one"
        raise _node_error(shown_as, node, lines, message)
    return _scalar(node, shown_as, lines)


_NULL_TAG = "tag:yaml.org,2002:null"
_RESOLVER = yaml.resolver.Resolver()  # what the composer tags a plain scalar with


def _reads_as_null(value: str) -> bool:
    """Would YAML read this plain scalar as nothing (`null`, `~`), as the composer does?"""
    tag: str = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, value.strip(), (True, False)
    )
    return tag == _NULL_TAG


def _scalar(node: yaml.Node, shown_as: str, lines: list[str]) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _node_error(shown_as, node, lines, "expected a single non-empty value here")
    return str(node.value).strip()


def _node_error(shown_as: str, node: yaml.Node, lines: list[str], message: str) -> DataFileError:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    return _file_error(shown_as, line, column, _line(lines, line), message)


def _file_error(shown_as: str, line: int, column: int, source: str, message: str) -> DataFileError:
    return DataFileError(Diagnostic("E029", message, shown_as, line, column, source))


def _line(lines: list[str], line: int) -> str:
    return lines[line - 1] if 0 < line <= len(lines) else ""
