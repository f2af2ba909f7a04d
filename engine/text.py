"""The normalised view of a document: what rules match on, with offsets back to the source.

Formatting is not news: curly or straight quotes, `--` or an em dash, a non-breaking
space, an HTML entity, CRLF line ends, a byte-order mark or a hard-wrapped line must
not change what rules find. `view()` folds all of that into one text and keeps, for
every character of it, where it came from; then splits paragraphs, sentences and tokens.
"""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from . import tokens
from .prefilter import Needles

# ------------------------------------------------------------------ character folding

_SINGLE = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
    "\t": " ",
    "\r": "\n",
}
_DROP = {
    "\ufeff", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060",
    # direction marks, embeddings and isolates: invisible, common in scraped Arabic- and
    # Hebrew-language coverage, never part of a word
    "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
}  # fmt: skip
_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# a line end, also when a scraper left it as entities (&#13;&#10;); a CR doubled by a
# text re-saved on Windows ("\r\r\n") is still one line end, not a blank line
_LINE_END = regex.compile(r"(?:\r|&#0*13;|&#[xX]0*[dD];)+(?:\n|&#0*10;|&#[xX]0*[aA];)")
# a dash between two words with no space ("Erdogan—who", "Gaza--Israel"): spaced out,
# so that the words stay two tokens (a hyphen would join them into one)
_GLUED_DASH = (
    r"(?<=[\p{L}\p{N}])(?:\u2014|\u2015|--|&mdash;|&horbar;|&#0*8212;|&#[xX]0*2014;)"
    r"(?=[\p{L}\p{N}])"
)
_FOLD_PIECES = regex.compile(
    f"(?P<glued>{_GLUED_DASH})|" + _LINE_END.pattern + "|--|" + _ENTITY.pattern
)
# where a piece can start in ASCII text (the other dashes are beyond ASCII)
_ASCII_PIECE_OPENERS = ("--", "&", "\r")
_ASCII_PIECE_STARTS = re.compile("|".join(map(re.escape, _ASCII_PIECE_OPENERS)))


def _fold_pieces(original: str) -> Iterator[regex.Match[str]]:
    """_FOLD_PIECES.finditer(original). In ASCII text the pattern is tried only where a
    piece can start, found by a literal search: trying its look-behind at every char
    took most of the time of folding a text with a dash or an entity."""
    if not original.isascii():
        yield from _FOLD_PIECES.finditer(original)
        return
    position = 0
    while (start := _ASCII_PIECE_STARTS.search(original, position)) is not None:
        match = _FOLD_PIECES.match(original, start.start())
        if match is None:
            position = start.start() + 1
        else:
            yield match
            position = match.end()


def _fold_char(char: str) -> str:
    if char in _SINGLE:
        return _SINGLE[char]
    if char in _DROP:
        return ""
    if char != "\n" and unicodedata.category(char) == "Zs":
        return " "
    return char


def _fold_piece(piece: str) -> str:
    if _LINE_END.fullmatch(piece):
        return "\n"
    if piece == "--":
        return "-"
    if piece[1] != "#" and piece[1:] not in html.entities.html5:
        return piece  # not an entity ("&section;" is not "&sect" + "ion;")
    decoded = html.unescape(piece)
    return "".join(_fold_char(c) for c in decoded) if decoded != piece else piece


class Offsets:
    """Where each char of a folded text came from in the original: its start there (or its
    end), kept by runs instead of an int a char (a document's chars stand for themselves
    but at a few folds). Run k covers the chars from `firsts[k]` to the next run; in a
    plain run they came from consecutive source chars, from `origins[k]` on; in a folded
    one (an entity, "--", a curly quote...) all from the same place, `origins[k]`."""

    def __init__(self, firsts: list[int], origins: list[int], plain: list[bool], size: int) -> None:
        self.firsts = firsts
        self.origins = origins
        self.plain = plain
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise IndexError(index)
        run = bisect_right(self.firsts, index) - 1
        origin = self.origins[run]
        return origin + index - self.firsts[run] if self.plain[run] else origin

    def __iter__(self) -> Iterator[int]:
        return iter(self.between(0, self.size))

    def between(self, start: int, end: int) -> list[int]:
        """The offsets of chars start..end-1."""
        found: list[int] = []
        run = max(0, bisect_right(self.firsts, start) - 1)
        while run < len(self.firsts) and self.firsts[run] < end:
            lo = max(start, self.firsts[run])
            hi = min(end, self.firsts[run + 1] if run + 1 < len(self.firsts) else self.size)
            origin = self.origins[run]
            if self.plain[run]:
                shift = origin - self.firsts[run]
                found.extend(range(lo + shift, hi + shift))
            else:
                found.extend([origin] * (hi - lo))
            run += 1
        return found

    def and_end(self, end: int) -> Offsets:
        """These offsets, then `end` for one more char."""
        return Offsets(
            [*self.firsts, self.size], [*self.origins, end], [*self.plain, False], self.size + 1
        )


Positions = Sequence[int] | Offsets


@dataclass(frozen=True)
class Folded:
    """Folded text; its char i came from `original[starts[i]:ends[i]]` (a char, an entity...).
    Ranges when each char came from itself (nothing to fold: most documents), else Offsets
    (a list of as many ints made and freed took most of the time of folding a text)."""

    text: str
    starts: Positions
    ends: Positions


class _Runs:
    """What fold_characters builds: the folded text's pieces and where they came from."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.firsts: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.plain: list[bool] = []
        self.size = 0

    def copy(self, source: str, start: int, end: int) -> None:
        """source[start:end] as it is."""
        if end <= start:
            return
        self.out.append(source[start:end])
        if self.plain and self.plain[-1] and self.starts[-1] + self.size - self.firsts[-1] == start:
            self.size += end - start  # the run goes on
            return
        self._run(start, start + 1, True, end - start)

    def put(self, text: str, start: int, end: int) -> None:
        """`text` in place of source[start:end]."""
        if text:
            self.out.append(text)
            self._run(start, end, False, len(text))

    def _run(self, start: int, end: int, plain: bool, size: int) -> None:
        self.firsts.append(self.size)
        self.starts.append(start)
        self.ends.append(end)
        self.plain.append(plain)
        self.size += size

    def folded(self) -> Folded:
        return Folded(
            "".join(self.out),
            Offsets(self.firsts, self.starts, self.plain, self.size),
            Offsets(self.firsts, self.ends, self.plain, self.size),
        )


def fold_characters(original: str) -> Folded:
    """Fold formatting, keeping for every folded char the piece of source it came from."""
    if _nothing_to_fold(original):
        return Folded(original, range(len(original)), range(1, len(original) + 1))
    runs = _Runs()
    specials = _ASCII_SPECIAL.finditer if original.isascii() else _SPECIAL.finditer
    position = 0
    for match in _fold_pieces(original):
        start, end = match.span()
        _fold_plain(original, position, start, specials, runs)
        piece = match.group()
        replacement = " - " if match.group("glued") else _fold_piece(piece)
        if replacement == piece:  # nothing to fold after all: each char stands for itself
            _fold_plain(original, start, end, specials, runs)
        else:
            runs.put(replacement, start, end)
        position = end
    _fold_plain(original, position, len(original), specials, runs)
    return runs.folded()


# the chars `_fold_char` changes: all others stand for themselves, a run at a time
_SPECIAL_CHARS = frozenset({*_SINGLE, *_DROP})
_SPECIAL = regex.compile(
    "[" + regex.escape("".join(sorted(_SPECIAL_CHARS))) + r"\p{Zs}--[ ]]", regex.V1
)

# the chars of _SPECIAL that ASCII has (tab, CR), found by `re` many times faster
_ASCII_SPECIAL_CHARS = "".join(sorted(c for c in _SPECIAL_CHARS if c.isascii()))
_ASCII_SPECIAL = re.compile("[" + re.escape(_ASCII_SPECIAL_CHARS) + "]")
# in ASCII text, what every fold starts with (a piece, or a char that folds): a few
# searches for a literal, many times faster than the two patterns
_ASCII_FOLDS = tuple(dict.fromkeys((*_ASCII_PIECE_OPENERS, *_ASCII_SPECIAL_CHARS)))


def _nothing_to_fold(text: str) -> bool:
    if text.isascii():
        return not any(start in text for start in _ASCII_FOLDS)
    return _FOLD_PIECES.search(text) is None and _SPECIAL.search(text) is None


Specials = Callable[[str, int, int], Iterator["re.Match[str] | regex.Match[str]"]]


def _fold_plain(source: str, start: int, end: int, specials: Specials, runs: _Runs) -> None:
    """Fold source[start:end], which holds no piece, char by char: `specials` finds the
    chars that fold (in source, from start to end)."""
    position = start
    for special in specials(source, start, end):
        index = special.start()
        runs.copy(source, position, index)
        runs.put(_fold_char(source[index]), index, index + 1)
        position = index + 1
    runs.copy(source, position, end)


def fold_token(text: str) -> str:
    """Case- and accent-insensitive form of a token: what literals and gazetteers compare."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# ------------------------------------------------------------------ tokens and sentences

_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sen|Rep|Gov|St|Sgt|Capt|Maj|Adm|Rev|Hon|Pres|Jr|Sr|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Nos|Mt|Ft|Corp|Inc|Ltd|Co|vs|etc"
)
# an abbreviation is 2 to 4 letters and a full stop: the guard spares most words the
# alternatives one by one (a quarter of the tokeniser's time)
ABBREVIATION_GUARD = r"(?=[A-Za-z]{2,4}\.)"
_ABBREVIATION = f"{ABBREVIATION_GUARD}(?:{_ABBREVIATIONS})"
TOKEN = regex.compile(
    r"(?:\p{L}\.){2,}"  # U.S. U.N.
    rf"|{_ABBREVIATION}\.(?=\s|$)"  # Oct. Mr.
    r"|\p{Lu}\.(?=\s+\p{Lu})"  # K. Annan
    r"|[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:(?:-|'(?!s\b))[\p{L}\p{M}\p{N}]+)*"  # words
    r"|\p{N}+(?:[.,:/-]\p{N}+)*"  # numbers, times, ISO dates
    r"|'s\b|\.\.\.|\S",
    regex.VERSION1,
)
# TOKEN for text that is ASCII and has none of the separators \x1c-\x1f (which Python's
# `re` takes for whitespace, `regex` not): the same tokens, found by `re` in half the time;
# and where this module is compiled, by `tokens.ascii_tokens` in a quarter of that.
# tests/test_text.py checks that the three agree.
_ASCII_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"
    rf"|{_ABBREVIATION}\.(?=\s|$)"
    r"|[A-Z]\.(?=\s+[A-Z])"
    r"|[A-Za-z][A-Za-z0-9]*(?:(?:-|'(?!s\b))[A-Za-z0-9]+)*"
    r"|[0-9]+(?:[.,:/-][0-9]+)*"
    r"|'s\b|\.\.\.|\S"
)
_SEPARATORS = "\x1c\x1d\x1e\x1f"


def token_pattern(text: str) -> regex.Pattern[str] | re.Pattern[str]:
    """The pattern that tokenises this text: TOKEN, or its faster ASCII twin where the two
    find the same tokens."""
    if text.isascii() and not any(separator in text for separator in _SEPARATORS):
        return _ASCII_TOKEN
    return TOKEN


_SENTENCE_END = {".", "!", "?", "..."}
_CLOSERS = {'"', "'", ")", "]"}
# a line that ends like a sentence: r"""[.!?:;"')\]]\s*$""", without a regex search that
# would try every char of the line; the spaces are those `\s` matches in `regex` (the
# Unicode White_Space chars: not \x1c-\x1f, which str.rstrip() would strip as well)
_TERMINAL_MARKS = frozenset(".!?:;\"')]")
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)


def ends_like_a_sentence(line: str) -> bool:
    """Does the line end with a full stop, a question or exclamation mark, a colon or a
    semicolon, or a closing quote or bracket, spaces aside?"""
    return line.rstrip(WHITE_SPACE)[-1:] in _TERMINAL_MARKS


@dataclass(frozen=True)
class TextView:
    """A document ready for matching.

    `text` is the folded text; its char i came from `original[offsets[i]:offset_ends[i]]`
    (`offsets` has one more: the original's end, where the text's end maps).
    Tokens are parallel lists (start, end, folded form); sentences and paragraphs are
    half-open token ranges; `sentence_paragraph[k]` is the paragraph of sentence k and
    `paragraph_spans[k]` the char span (a line of `text`) of paragraph k.

    A `partial` view holds the tokens of some paragraphs only (usually with the first one
    and the dateline's): the others are in `text` but not tokenised, not searched. Its
    `title` is None when the first paragraph is not among them.
    """

    original: str
    text: str
    offsets: Positions
    offset_ends: Positions
    starts: Sequence[int]
    ends: Sequence[int]
    folded: Sequence[str]
    texts: Sequence[str]  # each token's text as it stands in `text`
    sentences: Sequence[tuple[int, int]]
    sentence_paragraph: Sequence[int]
    paragraphs: Sequence[tuple[int, int]]
    dateline: tuple[int, int] | None = None  # char span in `text`
    title: tuple[int, int] | None = None  # token range
    paragraph_spans: Sequence[tuple[int, int]] = ()
    partial: bool = False

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a char span of `text` to the span of `original` it came from."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offset_ends[end - 1]

    def token_span(self, first: int, end: int) -> tuple[int, int]:
        """Original-text char span of tokens first..end-1."""
        return self.original_span(self.starts[first], self.ends[end - 1])

    def token_text(self, first: int, end: int) -> str:
        return self.text[self.starts[first] : self.ends[end - 1]]

    def sentence_text(self, first: int, end: int) -> str:
        """Tokens first..end-1 as the original has them, spaces and line breaks made one
        space (as reports quote a sentence); "" for none."""
        if first >= end:
            return ""
        start, stop = self.token_span(first, end)
        return " ".join(self.original[start:stop].split())

    def sentence_of(self, token: int) -> int:
        return _bisect_ranges(self.sentences, token)

    def paragraph_of(self, token: int) -> int:
        return _bisect_ranges(self.paragraphs, token)


def _bisect_ranges(ranges: Sequence[tuple[int, int]], token: int) -> int:
    low, high = 0, len(ranges) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if ranges[middle][0] <= token:
            low = middle
        else:
            high = middle - 1
    return low


def view(
    original: str,
    drop_lines: Sequence[regex.Pattern[str]] = (),
    dateline: regex.Pattern[str] | None = None,
    keep: Callable[[str, Sequence[tuple[int, int]]], Sequence[bool]] | None = None,
    heading: bool = True,
    needles: Needles | None = None,
) -> TextView:
    """Fold, drop boilerplate lines, join hard wraps, then split into paragraphs,
    sentences and tokens. With `keep`, only the paragraphs it keeps (given the text and
    the paragraphs' spans, it tells which) are tokenised, and with `heading` the first
    one and the dateline's too: a partial view. `needles`: what every line `drop_lines`
    drops holds (only lines holding one are searched)."""
    laid_out = _layout(fold_characters(original), drop_lines, needles)
    text = laid_out.text
    lines = _paragraph_lines(text)
    dateline_span = _find_dateline(text, dateline)
    chosen = lines
    if keep is not None:
        chosen = [
            line
            for number, (line, kept) in enumerate(zip(lines, keep(text, lines), strict=True))
            if kept or (heading and (number == 0 or overlaps(line, dateline_span)))
        ]
    starts, ends, folded_tokens, token_texts, paragraphs = _tokenise(text, chosen)
    sentences, sentence_paragraph = _sentences(text, starts, ends, token_texts, paragraphs)
    return TextView(
        original,
        text,
        _and_end(laid_out.starts, len(original)),
        laid_out.ends,
        starts,
        ends,
        folded_tokens,
        token_texts,
        sentences,
        sentence_paragraph,
        paragraphs,
        dateline_span,
        _title(text, lines, paragraphs) if chosen[:1] == lines[:1] else None,
        chosen,
        len(chosen) < len(lines),
    )


def _and_end(offsets: Positions, end: int) -> Positions:
    """The offsets, then `end` (where the original ends: the offset of the text's end)."""
    if isinstance(offsets, range) and offsets.stop == end and offsets.step == 1:
        return range(offsets.start, end + 1)  # nothing folded: no copy
    if isinstance(offsets, Offsets):
        return offsets.and_end(end)
    return [*offsets, end]


def overlaps(span: tuple[int, int], other: tuple[int, int] | None) -> bool:
    """Do two char spans share a char?"""
    return other is not None and span[0] < other[1] and other[0] < span[1]


def _layout(
    folded: Folded, drop_lines: Sequence[regex.Pattern[str]], needles: Needles | None = None
) -> Folded:
    """Blank out boilerplate lines and turn line breaks into paragraph breaks or spaces."""
    lines = folded.text.split("\n")
    kept: list[str | None] = list(lines)
    searched = _lines_to_search(folded.text, len(lines), drop_lines, needles)
    for number in searched:
        if any(p.search(lines[number]) for p in drop_lines):
            kept[number] = None
    # a line holding more than spaces (a dropped line holds nothing); its strip() is
    # not needed, only whether it is empty: isspace makes no copy
    filled = [line is not None and line != "" and not line.isspace() for line in kept]
    explicit = _explicit_paragraphs(kept, filled)
    width = 0 if explicit else max(len(line.rstrip()) for line in lines)
    breaks = _breaks(kept, filled, explicit, width)
    if None not in kept:  # nothing dropped: each line break becomes one char, in place
        text = lines[0] + "".join(b + line for b, line in zip(breaks, lines[1:], strict=True))
        return Folded(text, folded.starts, folded.ends)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    line_start = 0
    for index, line in enumerate(lines):
        if index:
            out.append(breaks[index - 1])
            starts.append(folded.starts[line_start - 1])
            ends.append(folded.ends[line_start - 1])
        current = kept[index]
        if current is not None:
            out.append(current)
            starts.extend(_between(folded.starts, line_start, line_start + len(line)))
            ends.extend(_between(folded.ends, line_start, line_start + len(line)))
        line_start += len(line) + 1
    return Folded("".join(out), starts, ends)


def _between(offsets: Positions, start: int, end: int) -> Sequence[int]:
    return offsets.between(start, end) if isinstance(offsets, Offsets) else offsets[start:end]


def _lines_to_search(
    text: str, count: int, drop_lines: Sequence[regex.Pattern[str]], needles: Needles | None
) -> Sequence[int]:
    """The numbers of the lines that `drop_lines` may drop: those holding a needle."""
    if not drop_lines:
        return ()
    holding = needles.lines_holding(text) if needles is not None else None
    return range(count) if holding is None else holding


def _explicit_paragraphs(lines: Sequence[str | None], filled: Sequence[bool]) -> bool:
    """Does the document mark paragraphs (blank lines, indents) so bare newlines are wraps?
    (`filled`: which lines hold more than spaces.)

    True when explicit marks are at least as many as bare newlines after a sentence end.
    Blank lines at the end of the document mark nothing.
    """
    content = [index for index, full in enumerate(filled) if full]
    last = content[-1] if content else -1
    marks = sentence_ends = 0
    for index in range(1, last + 1):
        previous, current = lines[index - 1], lines[index]
        if previous is None or not filled[index - 1] or current is None:
            continue
        if not filled[index] or current[:1] in " \t":
            marks += 1
        elif ends_like_a_sentence(previous):
            sentence_ends += 1
    return marks > 0 and marks >= sentence_ends


def _breaks(
    lines: Sequence[str | None], filled: Sequence[bool], explicit: bool, width: int
) -> list[str]:
    """The break before each line after the first, as _line_break decides it; where the
    document marks its paragraphs, at once: a wrap between two lines holding more than
    spaces, the second not indented."""
    if not explicit:
        return [_line_break(lines[i - 1], lines[i], explicit, width) for i in range(1, len(lines))]
    return [
        "\n" if not (before and here) or line[:1] in " \t" else " "  # type: ignore[index]
        for before, here, line in zip(filled, filled[1:], lines[1:], strict=False)
    ]


_STARTS_SENTENCE = regex.compile(r"\s*[\p{Lu}\p{N}\"'(•\-*#]")


def _line_break(previous: str | None, current: str | None, explicit: bool, width: int) -> str:
    """ "\n" for a paragraph break, " " for a hard wrap inside a paragraph. `width`: the
    longest line of the document (where it has no explicit paragraph marks)."""
    if previous is None or current is None or not previous.strip() or not current.strip():
        return "\n"
    if current[:1] in " \t":
        return "\n"
    if explicit:
        return " "
    starts_sentence = _STARTS_SENTENCE.match(current) is not None
    if not starts_sentence:
        return " "
    if ends_like_a_sentence(previous) and not _ends_in_abbreviation(previous):
        return "\n"
    # a short line before a capital is a heading, a byline or a one-line paragraph, unless
    # the text is wrapped that short: a wrap comes where the next word would not fit
    end = len(previous.rstrip())
    return "\n" if end < 60 and end + 1 + len(current.split(None, 1)[0]) <= width else " "


def _ends_in_abbreviation(line: str) -> bool:
    """Does the line end with a word whose full stop is its own ("U.S.", "Mr.", "Oct.")?
    A wrap after it is no sentence end."""
    stripped = line.rstrip()
    if not stripped.endswith("."):
        return False
    last = ""
    for match in token_pattern(stripped).finditer(stripped, max(0, len(stripped) - 40)):
        last = match.group() if match.end() == len(stripped) else ""
    return len(last) > 1 and last not in _SENTENCE_END  # not "." alone, nor "..."


def _paragraph_lines(text: str) -> list[tuple[int, int]]:
    """Char spans of the paragraphs: the lines of the laid-out text holding a token."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line and not line.isspace():
            spans.append((start, end))
        start = end + 1
    return spans


def paragraph_tokens(paragraph: str) -> tuple[list[int], list[str], list[str]]:
    """Where the tokens of a paragraph of a laid-out text start, their folded forms and
    their texts: as a view of the text tokenises them (a token never looks beyond its
    paragraph)."""
    starts, _, folded, texts, _ = _tokenise(paragraph, [(0, len(paragraph))])
    return starts, folded, texts


def _tokenise(
    text: str, lines: Sequence[tuple[int, int]]
) -> tuple[list[int], list[int], list[str], list[str], list[tuple[int, int]]]:
    """The tokens of each paragraph line (a token never looks into the next paragraph),
    and each paragraph's token range."""
    starts: list[int] = []
    ends: list[int] = []
    texts: list[str] = []
    paragraphs: list[tuple[int, int]] = []
    pattern = token_pattern(text)
    if pattern is _ASCII_TOKEN and tokens.COMPILED:  # the same tokens, by a scan (tokens.py)
        data = text.encode("ascii")
        for line_start, line_end in lines:
            first = len(starts)
            tokens.ascii_tokens(data, line_start, line_end, starts, ends)
            paragraphs.append((first, len(starts)))
        texts = [text[start:end] for start, end in zip(starts, ends, strict=True)]
    else:
        for line_start, line_end in lines:
            first = len(starts)
            found = list(pattern.finditer(text, line_start, line_end))
            if found:  # each list filled in one call, in C
                kind: Any = type(found[0])
                starts.extend(map(kind.start, found))
                ends.extend(map(kind.end, found))
                texts.extend(map(kind.group, found))
            paragraphs.append((first, len(starts)))
    if text.isascii():
        lowered = text.lower()
        folded = [lowered[start:end] for start, end in zip(starts, ends, strict=True)]
    else:
        folded = [fold_token(token) for token in texts]
    return starts, ends, folded, texts, paragraphs


def _sentences(
    text: str,
    starts: Sequence[int],
    ends: Sequence[int],
    texts: Sequence[str],
    paragraphs: Sequence[tuple[int, int]],
) -> tuple[list[tuple[int, int]], list[int]]:
    """Sentences (token ranges) and their paragraphs: a paragraph splits after a full
    stop (or ! ? ...) and the quotes or brackets closing it, where a sentence opens."""
    marks = [index for index, token in enumerate(texts) if token in _SENTENCE_END]
    sentences: list[tuple[int, int]] = []
    owner: list[int] = []
    at = 0  # the next mark to look at
    for number, (first, end) in enumerate(paragraphs):
        begin = first
        at = bisect_left(marks, first, at)
        while at < len(marks) and marks[at] < end:
            stop = marks[at] + 1
            at += 1
            while stop < end and _closes(text, starts[stop], ends[stop]):
                stop += 1  # (a closing quote or bracket is no mark)
            if stop < end and _opens_sentence(texts[stop]):
                sentences.append((begin, stop))
                owner.append(number)
                begin = stop
        if begin < end:
            sentences.append((begin, end))
            owner.append(number)
    return sentences, owner


def _closes(text: str, start: int, end: int) -> bool:
    """A quote or bracket right after a full stop closes it unless a word follows at once."""
    return text[start:end] in _CLOSERS and (end == len(text) or text[end].isspace())


def _opens_sentence(token: str) -> bool:
    head = token[:1]
    return head.isupper() or head.isdigit() or head in "\"'(•-"


def _find_dateline(text: str, pattern: regex.Pattern[str] | None) -> tuple[int, int] | None:
    if pattern is None:
        return None
    match = pattern.search(text, 0, min(len(text), 1000))
    return None if match is None else match.span()


def _title(
    text: str, lines: Sequence[tuple[int, int]], paragraphs: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    """The headline: a first paragraph of one line that does not end like a sentence."""
    if len(lines) < 2:
        return None
    line = text[lines[0][0] : lines[0][1]].strip()
    if ends_like_a_sentence(line) and not line.endswith('"'):
        return None
    return paragraphs[0]
