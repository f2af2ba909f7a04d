"""The tokens of an ASCII line, found by one scan over its bytes: the compiled build's
tokeniser.

`text.py` tokenises with a regular expression (`_ASCII_TOKEN` for ASCII text): in pure
Python nothing is faster. Compiled with mypyc (docs/scale.md, "A compiled build"), a loop
over the bytes that decides each token from its first char finds the same tokens three
to four times as fast as the expression, whose search tries every alternative at every
char. `text.py` uses this scan only where it is compiled (`COMPILED`);
`tests/test_text.py` checks that it finds what the expression finds, token for token.

The alternatives of `_ASCII_TOKEN`, tried in its order at each char that is not a space:

1. initials: `(?:[A-Za-z]\\.){2,}` (U.S., U.N.)
2. an abbreviation and its full stop, before a space or the end (Mr., Oct., etc.)
3. a capital and a full stop before spaces and a capital (K. Annan)
4. a word: a letter, letters and digits, joined by `-` or an apostrophe (not `'s` ending
   a word: "John's" is "John" and "'s")
5. a number: digits joined by `. , : / -` (3.5, 1,000, 10:30, 2023-10-26)
6. `'s` ending a word; 7. `...`; 8. any other char that is not a space.
"""

from __future__ import annotations

import types
from typing import Final

ABBREVIATIONS: Final = frozenset(
    b"Mr Mrs Ms Dr Prof Gen Lt Col Sen Rep Gov St Sgt Capt Maj Adm Rev Hon Pres Jr Sr "
    b"Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec No Nos Mt Ft Corp Inc Ltd Co vs etc".split()
)

# a char's classes, as bits
SPACE: Final = 1  # what `\s` matches in ASCII (with \x1c-\x1f, as `re` has it)
LOWER: Final = 2
UPPER: Final = 4
DIGIT: Final = 8
LETTER: Final = LOWER | UPPER
ALNUM: Final = LETTER | DIGIT

FULL_STOP: Final = ord(".")
APOSTROPHE: Final = ord("'")
HYPHEN: Final = ord("-")
SMALL_S: Final = ord("s")
UNDERSCORE: Final = ord("_")
NUMBER_JOINS: Final = b".,:/-"


def _classes() -> bytes:
    table = bytearray(256)
    for char in b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f":
        table[char] = SPACE
    for first, last, kind in ((b"a", b"z", LOWER), (b"A", b"Z", UPPER), (b"0", b"9", DIGIT)):
        for char in range(first[0], last[0] + 1):
            table[char] = kind
    return bytes(table)


CLASSES: Final = _classes()


def ascii_tokens(data: bytes, lo: int, hi: int, starts: list[int], ends: list[int]) -> None:
    """Append to `starts` and `ends` the spans of the tokens of data[lo:hi] (an ASCII
    line: no line break inside), those `_ASCII_TOKEN.finditer(text, lo, hi)` finds."""
    classes = CLASSES
    at = lo
    while at < hi:
        kind = classes[data[at]]
        if kind & SPACE:
            at += 1
            continue
        if kind & LETTER:
            end = _lettered_end(data, at, hi, kind)
        elif kind & DIGIT:
            end = _number_end(data, at, hi)
        elif (
            data[at] == APOSTROPHE
            and _at(data, at + 1, hi) == SMALL_S
            and _word_ends(data, at + 2, hi)
        ):
            end = at + 2  # 's
        elif data[at] == FULL_STOP and _at(data, at + 1, hi) == _at(data, at + 2, hi) == FULL_STOP:
            end = at + 3  # ... (read byte by byte: no slice made at every full stop)
        else:
            end = at + 1
        starts.append(at)
        ends.append(end)
        at = end


def _lettered_end(data: bytes, at: int, hi: int, kind: int) -> int:
    """Where the token starting with a letter at `at` ends (alternatives 1 to 4)."""
    classes = CLASSES
    pairs = at
    while pairs + 1 < hi and classes[data[pairs]] & LETTER and data[pairs + 1] == FULL_STOP:
        pairs += 2
    if pairs - at >= 4:
        return pairs  # initials
    run = _run_end(data, at + 1, hi, LETTER)
    if run < hi and data[run] == FULL_STOP:
        after = run + 1
        if (
            2 <= run - at <= 4
            and (after == hi or classes[data[after]] & SPACE)
            and data[at:run] in ABBREVIATIONS
        ):
            return after  # an abbreviation
        if run - at == 1 and kind & UPPER and _spaces_then_capital(data, after, hi):
            return after  # an initial
    return _word_end(data, run, hi)


def _word_end(data: bytes, at: int, hi: int) -> int:
    """Where a word ends whose letters and digits run on at `at`."""
    at = _run_end(data, at, hi, ALNUM)
    while at + 1 < hi and CLASSES[data[at + 1]] & ALNUM:
        join = data[at]
        if join != HYPHEN and not (
            join == APOSTROPHE and not (data[at + 1] == SMALL_S and _word_ends(data, at + 2, hi))
        ):
            break
        at = _run_end(data, at + 2, hi, ALNUM)
    return at


def _number_end(data: bytes, at: int, hi: int) -> int:
    at = _run_end(data, at + 1, hi, DIGIT)
    while at + 1 < hi and data[at] in NUMBER_JOINS and CLASSES[data[at + 1]] & DIGIT:
        at = _run_end(data, at + 2, hi, DIGIT)
    return at


def _spaces_then_capital(data: bytes, at: int, hi: int) -> bool:
    """`(?=\\s+[A-Z])` at `at`."""
    after = _run_end(data, at, hi, SPACE)
    return at < after < hi and bool(CLASSES[data[after]] & UPPER)


def _run_end(data: bytes, at: int, hi: int, kind: int) -> int:
    """Where the run of chars of this kind (class bits) starting at `at` ends."""
    classes = CLASSES
    while at < hi and classes[data[at]] & kind:
        at += 1
    return at


def _word_ends(data: bytes, at: int, hi: int) -> bool:
    """`\\b` after a word char at `at`: the end, or a char that is no word char."""
    return at >= hi or not (CLASSES[data[at]] & ALNUM or data[at] == UNDERSCORE)


def _at(data: bytes, at: int, hi: int) -> int:
    """The byte at `at`, or -1 past `hi`."""
    return data[at] if at < hi else -1


# compiled by mypyc, a function is no Python function object
COMPILED: Final = not isinstance(ascii_tokens, types.FunctionType)
