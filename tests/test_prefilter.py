"""Needles: strings one of which every match of a `drop lines` pattern holds, so that lines
holding none are not searched. The one promise that matters: a line the pattern matches is
never skipped. The property test checks it on random patterns and lines; the tables check
which needles typical boilerplate patterns give, and that syntax the reader does not know
gives none (the pattern is then searched in every line)."""

from __future__ import annotations

import pickle

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.check import regex_flags
from engine.compile import Preparation
from engine.prefilter import Needles, WordFinder, needles
from engine.text import view

V1 = regex.VERSION1


def found(source: str, flags: int = 0) -> Needles | None:
    return needles(regex.compile(source, V1 | flags))


@pytest.mark.parametrize(
    "source, flags, expected",
    [
        ("Advertisement", 0, Needles(exact=("Advertisement",))),
        # the shortest of each spelling: a line holding "Comments" holds "Comment"
        (r"^\s*Comments?:?\s*$", 0, Needles(exact=("Comment",))),
        (r"^\s*(?:Also read|Related)\s*:.*$", 0, Needles(exact=("Also read", "Related"))),
        (r"^\s*(?:©|\(c\)|Copyright\b).*$", 0, Needles(exact=("(c)", "Copyright", "©"))),
        # ignoring case: found lower-cased
        (
            r"^.{0,120}\bAll rights reserved\.?\s*$",
            regex.I,
            Needles(folded=("all rights reserved",)),
        ),
        # a run of spelt parts is one needle: "site" and "website" each with " uses cookies"
        (
            r"This (?:site|website) uses cookies",
            0,
            Needles(exact=("This site uses cookies", "This website uses cookies")),
        ),
        # the longest part a match cannot do without, here after a class
        (r"\d+ comments", 0, Needles(exact=(" comments",))),
        # one repetition at least: it holds what one holds
        (r"(?:#\w+\s*)+$", 0, Needles(exact=("#",))),
        # a lookahead holds nothing of the match
        (r"Share(?= this)", 0, Needles(exact=("Share",))),
        # an escaped punctuation mark is itself
        (r"\[Ad\]", 0, Needles(exact=("[Ad]",))),
    ],
)
def test_needles_of_boilerplate_patterns(source: str, flags: int, expected: Needles) -> None:
    assert found(source, flags) == expected


@pytest.mark.parametrize(
    "source, flags",
    [
        (r"^\s*$", 0),  # a blank line holds nothing
        (r"(?:Share)?", 0),  # may match nothing
        (r"Share|\s+", 0),  # an alternative without a needle
        (r"(?i)Share", 0),  # a flag set inside
        (r"(\w+) \1", 0),  # a backreference
        (r"\x41d", 0),  # an escape not read here
        (r"Ad # comment", regex.X),  # verbose
        (r"(?:Ad){e<=1}", 0),  # fuzzy matching
    ],
)
def test_no_needles_where_none_is_known(source: str, flags: int) -> None:
    assert found(source, flags) is None


def test_groups_nested_too_deep_to_read_give_no_needles() -> None:
    # `regex` compiles it; reading it would take more nested calls than Python allows
    pattern = regex.compile("(" * 300 + "Advertisement" + ")" * 300, V1)
    assert pattern.search("Advertisement")
    assert needles(pattern) is None


def test_a_posix_class_in_a_version0_set_gives_no_needles() -> None:
    # VERSION0 reads "[[:alpha:]]" as one set; a reader taking "[" for a set would take
    # the last "]" for a needle
    assert needles(regex.compile(r"[[:alpha:]]]x", regex.V0)) is None


@pytest.mark.parametrize(
    "source, line",
    [
        # `regex` reads a brace with a digit of another script as text, not as a count
        ("Copy{١}right", "Copy{١}right"),
        ("a{١,١}b", "a{١,١}b"),
        # a "]" first in a set inside a set is one of its characters, as in the outer set
        ("[[]abc]]Copyright", "aCopyright"),
        ("[[^]abc]]Copyright", "xCopyright"),
        ("[a[]b]]Copyright", "]Copyright"),
        # after a set operator even a "]" is one of the set's characters
        ("[A||]B]dvertisement", "Advertisement"),
        ("[a||]b]Copyright", "]Copyright"),
        ("[---]x]Copyright", "-Copyright"),
    ],
)
def test_a_line_these_patterns_match_is_searched(source: str, line: str) -> None:
    pattern = regex.compile(source, V1)
    assert pattern.search(line)
    known = needles(pattern)
    assert known is None or known.lines_holding(line) == [0], known


def test_lines_holding_a_needle_are_numbered_as_split() -> None:
    text = "news\nAdvertisement here\n\nmore news\nADVERTISEMENT"
    assert Needles(exact=("Advertisement",)).lines_holding(text) == [1]
    assert Needles(folded=("advertisement",)).lines_holding(text) == [1, 4]
    assert Needles(exact=("absent",)).lines_holding(text) == []


def test_case_insensitive_needles_are_not_looked_for_in_other_scripts() -> None:
    # "ſ" (long s) matches "s" when case is ignored, and lower() keeps it "ſ"
    pattern = regex.compile("Share", V1 | regex.I)
    line = "ſhare"
    assert pattern.search(line)
    assert needles(pattern) == Needles(folded=("share",))
    assert Needles(folded=("share",)).lines_holding(line) is None  # every line is searched


# ------------------------------------------------------------------ the promise, at random

ALPHABET = "abAB .:[]{}١"
literal = st.sampled_from(["a", "b", "A", "B", " ", r"\.", ":", "ab", "Ab", "ba"])
atom = st.one_of(
    literal,
    st.sampled_from([".", r"\w", r"\s", r"\d", "[ab]", "[^a]", r"\b", "^", "$", r"\B"]),
    st.sampled_from(["(?=a)", "(?=A)", "(?<=b)", "(?!a)", "(?<!b)"]),
    st.sampled_from(["[[]a]]", "[[^]a]]", "[a[]b]]", "[[:alpha:]]", "[]a]", "{١}", "a{١,}"]),
    st.sampled_from(["[a||]b]", "[a--]b]", "[---]a]", "[ab&&]a]", "[a~~]b]"]),
)


def _patterns(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    quantified = st.tuples(inner, st.sampled_from(["", "", "?", "*", "+", "{2}", "{0,2}", "{1,}"]))
    sequence = st.lists(quantified, min_size=1, max_size=4).map(
        lambda parts: "".join(a + q for a, q in parts)
    )
    return st.one_of(
        sequence,
        st.lists(sequence, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
        sequence.map(lambda x: "(" + x + ")"),
        sequence.map(lambda x: "(?=" + x + ")"),
        sequence.map(lambda x: "(?<!" + x + ")"),
    )


PATTERNS = st.recursive(atom, _patterns, max_leaves=12)


@settings(max_examples=1500, deadline=None)
@given(
    PATTERNS,
    st.booleans(),
    st.lists(st.text(ALPHABET, max_size=12), min_size=1, max_size=5),
)
def test_a_line_a_pattern_matches_is_never_skipped(
    source: str, ignore_case: bool, lines: list[str]
) -> None:
    try:
        pattern = regex.compile(source, V1 | (regex.I if ignore_case else 0))
    except regex.error:
        return  # not a pattern (a quantified anchor, say): nothing to check
    text = "\n".join(lines)
    known = needles(pattern)
    holding = known.lines_holding(text) if known is not None else None
    for number, line in enumerate(lines):
        if pattern.search(line):
            assert holding is None or number in holding, (source, line, known)


# ------------------------------------------------------------------ in the view


def test_the_view_is_the_same_with_needles_and_without() -> None:
    drop = (
        regex.compile(r"^\s*(?:Advertisement|Share this.*)\s*$", regex_flags("")),
        regex.compile(r"^.{0,60}All rights reserved\.?$", regex_flags("i")),
        regex.compile(r"^\s*(?:#\w+\s*)+$", regex_flags("")),
    )
    preparation = Preparation(drop, None, None)
    assert preparation.drop_needles == Needles(
        exact=("#", "Advertisement", "Share this"), folded=("all rights reserved",)
    )
    text = (
        "Leaders met in Moscow.\nAdvertisement\nShare this story\n"
        "They talked about the Advertisement tax.\n#news #moscow\n"
        "(c) 2023 Example News. ALL RIGHTS RESERVED.\nThe end."
    )
    with_needles = view(text, preparation.drop_lines, needles=preparation.drop_needles)
    without = view(text, preparation.drop_lines)
    assert with_needles == without
    assert with_needles.text.split("\n")[1:3] == ["", ""]  # the two lines were dropped
    assert "Advertisement tax" in with_needles.text  # a needle alone does not drop a line
    assert "RESERVED" not in with_needles.text and "#news" not in with_needles.text


# ------------------------------------------------------------------ finding words


@pytest.mark.parametrize("dfa", [False, True], ids=["default", "dfa"])
def test_a_word_finder_finds_every_occurrence_overlapping_ones_too(dfa: bool) -> None:
    finder = WordFinder(("talks", "peace talks", "meet", "meeting"), dfa)
    text = "peace talks, a meeting"
    found = sorted((start, end, finder.words[number]) for number, start, end in finder.find(text))
    assert found == [
        (0, 11, "peace talks"),
        (6, 11, "talks"),
        (15, 19, "meet"),
        (15, 22, "meeting"),
    ]


@pytest.mark.parametrize("dfa", [False, True], ids=["default", "dfa"])
def test_a_word_finder_gives_string_offsets_after_chars_beyond_ascii(dfa: bool) -> None:
    """Offsets count chars, as Python slices them: not the bytes of the UTF-8 it scans."""
    finder = WordFinder(("лавров", "moscow"), dfa)
    text = "путин и лавров in moscow — «moscow»"
    for number, start, end in finder.find(text):
        assert text[start:end] == finder.words[number]
    assert len(finder.find(text)) == 3


def _every_occurrence(words: tuple[str, ...], text: str) -> list[tuple[int, int, int]]:
    """What a finder must find, by brute force: each word at each place it stands."""
    return sorted(
        (number, start, start + len(word))
        for number, word in enumerate(words)
        for start in range(len(text))
        if text.startswith(word, start)
    )


@pytest.mark.parametrize("dfa", [False, True], ids=["default", "dfa"])
@pytest.mark.parametrize(
    "text",
    [
        "lavrov met abbas in moscow; talks in moscow",  # ASCII: searched as bytes
        "лавров met abbas in moscow; talks in moscow",  # beyond ASCII: searched as a str
        "caf\u00e9 talks, t\u00e0lks, \u201cmoscow\u201d",
        "",
    ],
    ids=["ascii", "cyrillic", "accents", "empty"],
)
def test_a_word_finder_finds_what_a_brute_force_search_finds(dfa: bool, text: str) -> None:
    """ASCII texts and the others take different paths (bytes, str): both give every
    occurrence, at the chars' offsets, words beyond ASCII among them or not."""
    words = ("moscow", "talks", "t\u00e0lks", "лавров", "in moscow", "s", "caf\u00e9")
    finder = WordFinder(words, dfa)
    assert sorted(finder.find(text)) == _every_occurrence(words, text)


def test_a_word_finder_travels_as_its_words_and_finds_when_read_back() -> None:
    """The automaton does not pickle: the cache and the worker processes get the words,
    and the automaton is built again where they are read."""
    finder = WordFinder(("met", "talks"), dfa=True)
    back = pickle.loads(pickle.dumps(finder))
    assert back == finder and back.dfa and back.automaton is not finder.automaton
    assert back.find("they met") == [(0, 5, 8)]
    assert WordFinder(()).find("anything") == []
