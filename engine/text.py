"""The normalised view of a document: what rules match on, with offsets back to the source.

Formatting is not news: curly or straight quotes, `--` or an em dash, a non-breaking
space, an HTML entity, CRLF line ends, a byte-order mark or a hard-wrapped line must
not change what rules find. `view()` folds all of that into one text and keeps, for
every character of it, where it came from; then splits paragraphs, sentences and tokens.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import regex

# ------------------------------------------------------------------ character folding

_SINGLE = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\t": " ",
    "\r": "\n",
}
_DROP = {"\ufeff", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060"}
_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_FOLD_PIECES = regex.compile(r"\r\n|--|\u2026|" + _ENTITY.pattern)


def _fold_char(char: str) -> str:
    if char in _SINGLE:
        return _SINGLE[char]
    if char in _DROP:
        return ""
    if char != "\n" and unicodedata.category(char) == "Zs":
        return " "
    return char


def _fold_piece(piece: str) -> str:
    if piece == "\r\n":
        return "\n"
    if piece == "--":
        return "-"
    if piece == "\u2026":
        return "..."
    decoded = html.unescape(piece)
    return "".join(_fold_char(c) for c in decoded) if decoded != piece else piece


def fold_characters(original: str) -> tuple[str, list[int]]:
    """Fold formatting; return the folded text and, per folded char, its source offset.

    The offsets list has one extra entry (the source length) so spans map back easily.
    """
    out: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _FOLD_PIECES.finditer(original):
        _fold_plain(original, position, match.start(), out, offsets)
        replacement = _fold_piece(match.group())
        out.append(replacement)
        offsets.extend([match.start()] * len(replacement))
        position = match.end()
    _fold_plain(original, position, len(original), out, offsets)
    offsets.append(len(original))
    return "".join(out), offsets


def _fold_plain(source: str, start: int, end: int, out: list[str], offsets: list[int]) -> None:
    for index in range(start, end):
        folded = _fold_char(source[index])
        out.append(folded)
        offsets.extend([index] * len(folded))


def fold_token(text: str) -> str:
    """Case- and accent-insensitive form of a token: what literals and gazetteers compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# ------------------------------------------------------------------ tokens and sentences

_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sen|Rep|Gov|St|Sgt|Capt|Maj|Adm|Rev|Hon|Pres|Jr|Sr|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Nos|Mt|Ft|Corp|Inc|Ltd|Co|vs|etc"
)
TOKEN = regex.compile(
    r"(?:\p{L}\.){2,}"  # U.S. U.N.
    rf"|(?:{_ABBREVIATIONS})\.(?=\s|$)"  # Oct. Mr.
    r"|\p{Lu}\.(?=\s+\p{Lu})"  # K. Annan
    r"|[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:(?:-|'(?!s\b))[\p{L}\p{M}\p{N}]+)*"  # words
    r"|\p{N}+(?:[.,:/-]\p{N}+)*"  # numbers, times, ISO dates
    r"|'s\b|\.\.\.|\S",
    regex.VERSION1,
)
_SENTENCE_END = {".", "!", "?", "..."}
_CLOSERS = {'"', "'", ")", "]"}
_TERMINAL_LINE_END = regex.compile(r"""[.!?:;"')\]]\s*$""")


@dataclass(frozen=True)
class TextView:
    """A document ready for matching.

    `text` is the folded text; `offsets[i]` is where its char i came from in `original`.
    Tokens are parallel lists (start, end, folded form); sentences and paragraphs are
    half-open token ranges; `sentence_paragraph[k]` is the paragraph of sentence k.
    """

    original: str
    text: str
    offsets: Sequence[int]
    starts: Sequence[int]
    ends: Sequence[int]
    folded: Sequence[str]
    sentences: Sequence[tuple[int, int]]
    sentence_paragraph: Sequence[int]
    paragraphs: Sequence[tuple[int, int]]
    dateline: tuple[int, int] | None = None  # char span in `text`
    title: tuple[int, int] | None = None  # token range

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a char span of `text` to the span of `original` it came from."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def token_span(self, first: int, end: int) -> tuple[int, int]:
        """Original-text char span of tokens first..end-1."""
        return self.original_span(self.starts[first], self.ends[end - 1])

    def token_text(self, first: int, end: int) -> str:
        return self.text[self.starts[first] : self.ends[end - 1]]

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
) -> TextView:
    """Fold, drop boilerplate lines, join hard wraps, then split into tokens and sentences."""
    folded, offsets = fold_characters(original)
    text, offsets = _layout(folded, offsets, drop_lines)
    starts, ends, folded_tokens = _tokenise(text)
    paragraphs = _paragraph_ranges(text, starts)
    sentences, sentence_paragraph = _sentences(text, starts, ends, paragraphs)
    return TextView(
        original,
        text,
        offsets,
        starts,
        ends,
        folded_tokens,
        sentences,
        sentence_paragraph,
        paragraphs,
        _find_dateline(text, dateline),
        _title(text, starts, paragraphs),
    )


def _layout(
    text: str, offsets: list[int], drop_lines: Sequence[regex.Pattern[str]]
) -> tuple[str, list[int]]:
    """Blank out boilerplate lines and turn line breaks into paragraph breaks or spaces."""
    lines = text.split("\n")
    kept = [None if any(p.search(line) for p in drop_lines) else line for line in lines]
    explicit = _explicit_paragraphs(kept)
    out: list[str] = []
    new_offsets: list[int] = []
    line_start = 0
    previous: str | None = None
    for index, line in enumerate(lines):
        if index:
            out.append(_line_break(previous, kept[index], explicit))
            new_offsets.append(offsets[line_start - 1])
        current = kept[index]
        if current is not None:
            out.append(current)
            new_offsets.extend(offsets[line_start : line_start + len(line)])
        previous = current if current is not None else ""
        line_start += len(line) + 1
    new_offsets.append(offsets[-1])
    return "".join(out), new_offsets


def _explicit_paragraphs(lines: Sequence[str | None]) -> bool:
    """Does the document mark paragraphs (blank lines, indents) so bare newlines are wraps?

    True when explicit marks are at least as many as bare newlines after a sentence end.
    """
    marks = sentence_ends = 0
    for previous, current in zip(lines, lines[1:], strict=False):
        if not previous or not previous.strip() or current is None:
            continue
        if not current.strip() or current[:1] in " \t":
            marks += 1
        elif _TERMINAL_LINE_END.search(previous):
            sentence_ends += 1
    return marks > 0 and marks >= sentence_ends


def _line_break(previous: str | None, current: str | None, explicit: bool) -> str:
    """ "\n" for a paragraph break, " " for a hard wrap inside a paragraph."""
    if previous is None or current is None or not previous.strip() or not current.strip():
        return "\n"
    if current[:1] in " \t":
        return "\n"
    if explicit:
        return " "
    starts_sentence = regex.match(r"\s*[\p{Lu}\p{N}\"'(•\-*#]", current) is not None
    if _TERMINAL_LINE_END.search(previous) and starts_sentence:
        return "\n"
    if starts_sentence and len(previous.strip()) < 60:
        return "\n"
    return " "


def _tokenise(text: str) -> tuple[list[int], list[int], list[str]]:
    starts: list[int] = []
    ends: list[int] = []
    folded: list[str] = []
    for match in TOKEN.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
        folded.append(fold_token(match.group()))
    return starts, ends, folded


def _paragraph_ranges(text: str, starts: Sequence[int]) -> list[tuple[int, int]]:
    """Token ranges of paragraphs: a paragraph ends where the text has a line break."""
    ranges: list[tuple[int, int]] = []
    first = 0
    for index in range(1, len(starts)):
        if "\n" in text[starts[index - 1] : starts[index]]:
            ranges.append((first, index))
            first = index
    if starts:
        ranges.append((first, len(starts)))
    return ranges


def _sentences(
    text: str, starts: Sequence[int], ends: Sequence[int], paragraphs: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[int]]:
    sentences: list[tuple[int, int]] = []
    owner: list[int] = []
    for number, (first, end) in enumerate(paragraphs):
        begin = first
        index = first
        while index < end:
            if text[starts[index] : ends[index]] in _SENTENCE_END:
                stop = index + 1
                while stop < end and _closes(text, starts[stop], ends[stop]):
                    stop += 1
                if stop < end and _opens_sentence(text[starts[stop] : ends[stop]]):
                    sentences.append((begin, stop))
                    owner.append(number)
                    begin = stop
                index = stop
            else:
                index += 1
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
    if match is None:
        return None
    group = 1 if match.re.groups else 0
    return match.span(group)


def _title(
    text: str, starts: Sequence[int], paragraphs: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    """The headline: a first paragraph of one line that does not end like a sentence."""
    if len(paragraphs) < 2:
        return None
    first, end = paragraphs[0]
    line = text[starts[first] : starts[end]] if end < len(starts) else text[starts[first] :]
    line = line.strip()
    if "\n" in line or _TERMINAL_LINE_END.search(line) and not line.endswith('"'):
        return None
    return (first, end)
