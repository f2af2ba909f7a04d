"""Tests for engine.text: character folding with offsets, the document view, sentences,
paragraphs, boilerplate lines, datelines and titles.

Every expected value below was worked out by hand from the input string.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.text import (
    ABBREVIATION_GUARD,
    TOKEN,
    WHITE_SPACE,
    TextView,
    ends_like_a_sentence,
    fold_characters,
    token_pattern,
    view,
)
from engine.tokens import COMPILED, ascii_tokens

# ------------------------------------------------------------------ helpers

# ASCII made of what folds (entities, dashes, line ends, tabs) and what stands around it
FOLDABLE_ASCII = st.lists(
    st.sampled_from(
        ["a", "7", " ", "-", "--", "&", "amp;", "&#13;", "&#10;", "&#x2014;", "\r", "\n", "\t"]
    ),
    max_size=30,
).map("".join)


def sentences(v: TextView) -> list[str]:
    return [v.token_text(first, end) for first, end in v.sentences]


def paragraphs(v: TextView) -> list[str]:
    return [v.token_text(first, end) for first, end in v.paragraphs]


def tokens(v: TextView) -> list[str]:
    return [v.text[s:e] for s, e in zip(v.starts, v.ends, strict=True)]


DATELINE = regex.compile(r"^\s*([A-Z][A-Z .'-]{2,40}?)\s*(?::|\(\w+\)\s*-)\s", regex.MULTILINE)


# ------------------------------------------------------------------ fold_characters


def _fold(original: str) -> tuple[str, list[int]]:
    """Folded text and the start offset of each folded char, plus the source length."""
    folded = fold_characters(original)
    return folded.text, [*folded.starts, len(original)]


def test_each_folded_char_knows_the_whole_source_piece_it_came_from() -> None:
    folded = fold_characters("a&amp;b --c\u2026")
    assert folded.text == "a&b -c..."
    pieces = ["a&amp;b --c\u2026"[s:e] for s, e in zip(folded.starts, folded.ends, strict=True)]
    assert pieces == ["a", "&amp;", "b", " ", "--", "c", "\u2026", "\u2026", "\u2026"]


FOLD_CASES = [
    # (id, original, folded)
    ("curly-double-quotes", "\u201cMet\u201d", '"Met"'),
    ("curly-single-quotes", "\u2018Met\u2019", "'Met'"),
    ("curly-apostrophe", "Iran\u2019s", "Iran's"),
    ("low-and-reversed-quotes", "\u201eA\u201f \u201aB\u201b", "\"A\" 'B'"),
    ("guillemets", "\u00abMet\u00bb", '"Met"'),
    ("prime-and-acute", "a\u2032b\u00b4c\u2033d", "a'b'c\"d"),
    ("en-dash", "2019\u20132023", "2019-2023"),
    ("em-dash", "Gaza \u2014 Israel", "Gaza - Israel"),
    ("other-dashes", "a\u2010b\u2011c\u2012d \u2015 e\u2212f", "a-b-c-d - e-f"),
    ("double-hyphen", "Gaza -- Israel", "Gaza - Israel"),
    ("nbsp", "Abu\u00a0Marzouk", "Abu Marzouk"),
    ("thin-narrow-ideographic-spaces", "a\u2009b\u202fc\u3000d\u2002e", "a b c d e"),
    ("tab", "a\tb", "a b"),
    ("entity-decimal-apostrophe", "Iran&#8217;s", "Iran's"),
    ("entity-hex-apostrophe", "Iran&#x2019;s", "Iran's"),
    ("entity-straight-apostrophe", "Iran&#39;s", "Iran's"),
    ("entity-named-rsquo", "Iran&rsquo;s", "Iran's"),
    ("entity-amp", "AT&amp;T", "AT&T"),
    ("entity-nbsp", "Abu&nbsp;Marzouk", "Abu Marzouk"),
    ("entity-mdash", "Gaza &mdash; Israel", "Gaza - Israel"),
    # a dash glued between two words is spaced out: the words stay two tokens
    ("glued-em-dash", "Erdogan\u2014who met", "Erdogan - who met"),
    ("glued-entity-mdash", "Gaza&mdash;Israel", "Gaza - Israel"),
    ("glued-double-hyphen", "Gaza--Israel", "Gaza - Israel"),
    ("entity-quot", "&quot;Met&quot;", '"Met"'),
    ("entity-ldquo-rdquo", "&ldquo;Met&rdquo;", '"Met"'),
    ("entity-accented-letter", "caf&eacute;", "caf\u00e9"),
    ("unknown-entity-kept", "a &bogus; b", "a &bogus; b"),
    # "&sect" is an entity even without its ";" in HTML, but "&section;" is none
    ("entity-name-longer-than-an-entity-kept", "a&section; b", "a&section; b"),
    ("bare-ampersand-kept", "AT&T and R&D", "AT&T and R&D"),
    ("crlf", "one\r\ntwo", "one\ntwo"),
    ("lone-cr", "one\rtwo", "one\ntwo"),
    ("blank-line-crlf", "one\r\n\r\ntwo", "one\n\ntwo"),
    ("bom", "\ufeffMoscow", "Moscow"),
    ("soft-hyphen", "Marz\u00adouk", "Marzouk"),
    ("zero-width-chars", "Ba\u200bgh\u200ceri\u200d Ka\u2060ni", "Bagheri Kani"),
    (
        "direction-marks",
        "Joe Bi\u200eden\u200f \u202bmet\u202c \u2067Putin\u2069",
        "Joe Biden met Putin",
    ),
    ("doubled-cr-before-lf", "one\r\r\ntwo", "one\ntwo"),
    ("ellipsis-char", "wait\u2026", "wait..."),
    (
        "plain-ascii-untouched",
        "Plain, 1,400 people; U.S. (Reuters) - ok!",
        "Plain, 1,400 people; U.S. (Reuters) - ok!",
    ),
]


@pytest.mark.parametrize(
    ("original", "expected"), [c[1:] for c in FOLD_CASES], ids=[c[0] for c in FOLD_CASES]
)
def test_fold_characters_folds(original: str, expected: str) -> None:
    folded, offsets = _fold(original)
    assert folded == expected
    assert len(offsets) == len(folded) + 1
    assert offsets[-1] == len(original)


def test_text_with_nothing_to_fold_keeps_every_offset() -> None:
    original = "Lavrov met Haniyeh in Moscow.\nIt was Thursday."
    folded, offsets = _fold(original)
    assert folded == original
    assert offsets == list(range(len(original) + 1))
    v = view(original)
    assert [original[slice(*v.token_span(k, k + 1))] for k in range(len(v.starts))] == (
        "Lavrov met Haniyeh in Moscow . It was Thursday .".split()
    )


def test_fold_characters_offsets_by_hand() -> None:
    # i0 t1 &#8217;2-8 s9 space10 A11 &amp;12-16 B17 &nbsp;18-23 c24 (length 25)
    original = "it&#8217;s A&amp;B&nbsp;c"
    folded, offsets = _fold(original)
    assert folded == "it's A&B c"
    assert offsets == [0, 1, 2, 9, 10, 11, 12, 17, 18, 24, 25]


def test_fold_characters_offsets_of_multi_char_results_and_drops() -> None:
    # a0 …1 b2 : the three dots all come from the ellipsis at 1
    assert _fold("a\u2026b") == ("a...b", [0, 1, 1, 1, 2, 3])
    # a0 space1 -2 -3 b4 : "--" at 2 gives one "-"
    assert _fold("a --b") == ("a -b", [0, 1, 2, 4, 5])
    # a0 -1 -2 b3 : "--" glued between words gives " - ", all from the "--" at 1
    assert _fold("a--b") == ("a - b", [0, 1, 1, 1, 3, 4])
    # BOM0 a1 b2
    assert _fold("\ufeffab") == ("ab", [1, 2, 3])
    # c0 o1 SHY2 o3 p4 ZWSP5 x6
    assert _fold("co\u00adop\u200bx") == ("coopx", [0, 1, 3, 4, 6, 7])
    # a0 \r1 \n2 b3 : the line feed comes from the CRLF starting at 1
    assert _fold("a\r\nb") == ("a\nb", [0, 1, 3, 4])


def test_fold_characters_of_empty_text() -> None:
    assert _fold("") == ("", [0])


# Units that never combine with a neighbour into another piece (no bare "-", "&" or "\r").
UNITS: list[tuple[str, str]] = [
    ("a", "a"),
    ("Z", "Z"),
    ("\u00e9", "\u00e9"),
    ("7", "7"),
    (" ", " "),
    (".", "."),
    (",", ","),
    ("'", "'"),
    ('"', '"'),
    ("\n", "\n"),
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u00ab", '"'),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u2212", "-"),
    ("--", "-"),
    ("\u00a0", " "),
    ("\u2009", " "),
    ("\u202f", " "),
    ("\t", " "),
    ("&#8217;", "'"),
    ("&#x2019;", "'"),
    ("&amp;", "&"),
    ("&nbsp;", " "),
    ("&quot;", '"'),
    ("&mdash;", "-"),
    ("&eacute;", "\u00e9"),
    ("\r\n", "\n"),
    ("\ufeff", ""),
    ("\u00ad", ""),
    ("\u200b", ""),
    ("\u2060", ""),
    ("\u2026", "..."),
]


GLUABLE_DASHES = {"\u2014", "--", "&mdash;"}  # between two letters or digits: " - "


def _glued(units: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The units, with a dash that stands between a letter or digit and another folding to
    " - " (the source chars beside it decide, as they would for a reader)."""

    def word_char(char: str) -> bool:
        return char.isalpha() or char.isdigit()

    return [
        (source, " - ")
        if source in GLUABLE_DASHES
        and 0 < k < len(units) - 1
        and word_char(units[k - 1][0][-1])
        and word_char(units[k + 1][0][0])
        else (source, result)
        for k, (source, result) in enumerate(units)
    ]


def _compose(units: list[tuple[str, str]]) -> tuple[str, str, list[int]]:
    """Original text, expected folded text and expected offsets of a sequence of units."""
    original, folded, offsets = "", "", []
    for source, result in units:
        offsets.extend([len(original)] * len(result))
        original += source
        folded += result
    offsets.append(len(original))
    return original, folded, offsets


HAND_STRINGS = [
    [
        ("I", "I"),
        ("r", "r"),
        ("a", "a"),
        ("n", "n"),
        ("&#8217;", "'"),
        ("s", "s"),
        (" ", " "),
        ("\u201c", '"'),
        ("A", "A"),
        ("&amp;", "&"),
        ("B", "B"),
        ("\u201d", '"'),
        ("\r\n", "\n"),
        ("\ufeff", ""),
        ("x", "x"),
        ("--", " - "),  # glued between two letters
        ("y", "y"),
        ("--", "-"),
        ("\u00a0", " "),
        ("z", "z"),
    ],
    [
        ("\ufeff", ""),
        ("A", "A"),
        ("b", "b"),
        ("u", "u"),
        ("&nbsp;", " "),
        ("M", "M"),
        ("a", "a"),
        ("r", "r"),
        ("\u00ad", ""),
        ("z", "z"),
        ("\u2026", "..."),
        ("\r\n", "\n"),
        ("\r\n", "\n"),
        ("\u2014", "-"),
    ],
]


@pytest.mark.parametrize("seed", range(40))
def test_fold_characters_offsets_point_at_the_producing_source_char(seed: int) -> None:
    """Property: for every folded index i, offsets[i] is where the unit that produced it starts."""
    rng = random.Random(seed)
    units = (
        HAND_STRINGS[seed]
        if seed < len(HAND_STRINGS)
        else _glued([rng.choice(UNITS) for _ in range(rng.randint(0, 40))])
    )
    original, expected_folded, expected_offsets = _compose(units)
    folded, offsets = _fold(original)
    assert folded == expected_folded
    assert offsets == expected_offsets
    # and, said without the construction: each offset is a real position, in order, whose
    # source unit folds to a text containing the folded char
    assert all(a <= b for a, b in zip(offsets, offsets[1:], strict=False))
    starts = {}
    position = 0
    for source, result in units:
        starts[position] = (source, result)
        position += len(source)
    for i, char in enumerate(folded):
        source, result = starts[offsets[i]]
        assert original.startswith(source, offsets[i])
        assert char in result


@pytest.mark.parametrize("seed", range(40))
def test_folded_offsets_read_alike_by_index_by_slice_and_in_order(seed: int) -> None:
    """The offsets are kept by runs (not an int a char): read by index, by a slice
    (`between`) or from start to end, they give the same positions, and `_and_end` adds
    the original's end after them."""
    from engine.text import Offsets, _and_end

    rng = random.Random(seed)
    original, _, expected = _compose(_glued([rng.choice(UNITS) for _ in range(30)]))
    folded = fold_characters(original)
    for offsets in (folded.starts, folded.ends):
        assert isinstance(offsets, Offsets | range)
        assert len(offsets) == len(folded.text)
        assert [offsets[i] for i in range(len(offsets))] == list(offsets)
        a, b = sorted(rng.sample(range(len(offsets) + 1), 2))
        between = offsets.between(a, b) if isinstance(offsets, Offsets) else offsets[a:b]
        assert list(between) == list(offsets)[a:b]
        with pytest.raises(IndexError):
            offsets[len(offsets)]
    assert list(folded.starts) == expected[:-1]
    assert list(_and_end(folded.starts, len(original))) == expected
    # each char came from a piece of the original of one char or more
    assert all(e > s for s, e in zip(folded.starts, folded.ends, strict=True))


def test_a_dropped_line_between_folds_maps_every_token_back() -> None:
    original = (
        "Abu\u00a0Marzouk \u2014 the envoy \u2014 met \u201cBagheri Kani\u201d.\n"
        "Advertisement\n"
        "They talked&nbsp;for hours -- in Moscow.\n"
    )
    v = view(original, drop_lines=DROP)
    assert "Advertisement" not in v.text
    _assert_tokens_map_back(original, v)
    start, end = v.token_span(len(v.starts) - 2, len(v.starts) - 1)
    assert original[start:end] == "Moscow"


def test_html_ellipsis_entity_folds_like_the_ellipsis_character() -> None:
    """An HTML entity must not change what rules find: &hellip; is the same as the character."""
    assert _fold("wait&hellip; then")[0] == _fold("wait\u2026 then")[0]
    assert _fold("wait&#8230; then")[0] == "wait... then"


def test_html_entity_carriage_return_before_line_feed_is_one_line_break() -> None:
    """Scraped pages often end lines with "&#13;" + LF: that is a CRLF, one line break."""
    assert _fold("one&#13;\ntwo")[0] == _fold("one\r\ntwo")[0] == "one\ntwo"
    assert _fold("one&#13;&#10;two")[0] == "one\ntwo"


# ------------------------------------------------------------------ view: offsets to the original


def _assert_tokens_map_back(original: str, v: TextView) -> None:
    for k in range(len(v.starts)):
        start, end = v.token_span(k, k + 1)
        assert 0 <= start < end <= len(original)
        source = original[start:end]
        assert _fold(source)[0] == v.token_text(k, k + 1), (k, source)


def test_original_span_of_plain_tokens() -> None:
    original = "Abu Marzouk met Bagheri Kani in Moscow."
    v = view(original)
    assert tokens(v) == ["Abu", "Marzouk", "met", "Bagheri", "Kani", "in", "Moscow", "."]
    for k, token in enumerate(tokens(v)):
        start, end = v.token_span(k, k + 1)
        assert original[start:end] == token
    start, end = v.token_span(0, 2)
    assert original[start:end] == "Abu Marzouk"


def test_original_span_after_entities_and_crlf() -> None:
    original = "Iran&#8217;s envoy\r\nmet Abu&nbsp;Marzouk &amp; aides.\r\n\r\nMoscow hosted them."
    v = view(original)
    assert tokens(v) == [
        "Iran",
        "'s",
        "envoy",
        "met",
        "Abu",
        "Marzouk",
        "&",
        "aides",
        ".",
        "Moscow",
        "hosted",
        "them",
        ".",
    ]
    by_hand = {
        0: "Iran",
        1: "&#8217;s",
        2: "envoy",
        3: "met",
        4: "Abu",
        5: "Marzouk",
        7: "aides",
        8: ".",
        9: "Moscow",
        10: "hosted",
        11: "them",
        12: ".",
    }
    # (token 6, "&amp;" itself, is covered by the test of tokens ending in an entity)
    for k, expected in by_hand.items():
        start, end = v.token_span(k, k + 1)
        assert original[start:end] == expected, k
    # a multi-token span across an NBSP entity
    start, end = v.token_span(4, 6)
    assert original[start:end] == "Abu&nbsp;Marzouk"
    # a span across the hard wrap (CRLF joined into a space)
    start, end = v.token_span(2, 4)
    assert original[start:end] == "envoy\r\nmet"


def test_original_span_of_tokens_ending_in_an_entity_or_double_hyphen() -> None:
    """A token whose last char comes from a multi-char source maps back to all of it."""
    original = "Hamas&#8217; man met caf&eacute; owners -- AT&amp;T said."
    v = view(original)
    assert tokens(v) == [
        "Hamas",
        "'",
        "man",
        "met",
        "caf\u00e9",
        "owners",
        "-",
        "AT",
        "&",
        "T",
        "said",
        ".",
    ]
    spans = [original[slice(*v.token_span(k, k + 1))] for k in range(len(v.starts))]
    assert spans == [
        "Hamas",
        "&#8217;",
        "man",
        "met",
        "caf&eacute;",
        "owners",
        "--",
        "AT",
        "&amp;",
        "T",
        "said",
        ".",
    ]


def test_original_span_of_whole_text_covers_the_original() -> None:
    original = "\ufeffMoscow talks&hellip;\r\n\r\nThey met &mdash; again."
    v = view(original)
    start, end = v.original_span(0, len(v.text))
    assert (start, end) == (1, len(original))


def test_original_span_of_empty_span() -> None:
    v = view("Abu Marzouk")
    assert v.original_span(4, 4) == (4, 4)


@pytest.mark.parametrize(
    "original",
    [
        "Plain text. Another sentence.",
        "\ufeffIran\u2019s envoy \u201cmet\u201d Abu\u00a0Marzouk \u2014 in Moscow.\r\n\r\nNext.",
        "Tab\tand  double  spaces\nwrapped line\n\nNew para.",
        "Indented\n    wire paragraph one\ncontinues here.\n    Second one.",
        "Iran&#8217;s envoy met Abu&nbsp;Marzouk.\r\nNext line starts here.",
    ],
    ids=["plain", "unicode-crlf-bom", "tabs-wraps", "indented", "entities-crlf"],
)
def test_every_token_folds_back_from_its_original_span(original: str) -> None:
    _assert_tokens_map_back(original, view(original))


# ------------------------------------------------------------------ sentences

SENTENCE_CASES = [
    (
        "us-abbreviation",
        "The U.S. envoy met him in Paris. He left.",
        ["The U.S. envoy met him in Paris.", "He left."],
    ),
    (
        "un-abbreviation",
        "The U.N. Security Council met. It adjourned.",
        ["The U.N. Security Council met.", "It adjourned."],
    ),
    (
        "month-abbreviation",
        "The attack on Oct. 7 killed many. Talks followed.",
        ["The attack on Oct. 7 killed many.", "Talks followed."],
    ),
    (
        "title-abbreviations",
        "Mr. Smith met Mrs. Jones and Dr. Brown. They talked.",
        ["Mr. Smith met Mrs. Jones and Dr. Brown.", "They talked."],
    ),
    (
        "initial",
        "He met K. Annan in Geneva. Then he left.",
        ["He met K. Annan in Geneva.", "Then he left."],
    ),
    (
        "capitalised-word-splits",
        "He arrived. Then he left. Israel objected.",
        ["He arrived.", "Then he left.", "Israel objected."],
    ),
    ("lowercase-word-does-not-split", "He arrived. then he left.", ["He arrived. then he left."]),
    ("number-splits", "He arrived. 10 people waited.", ["He arrived.", "10 people waited."]),
    (
        "question-exclamation",
        "Did they meet? Yes! Talks went on.",
        ["Did they meet?", "Yes!", "Talks went on."],
    ),
    ("ellipsis", "They waited... Then they met.", ["They waited...", "Then they met."]),
    (
        "closing-quote-stays",
        'He said: "We met." Then he left.',
        ['He said: "We met."', "Then he left."],
    ),
    (
        "closing-single-quote-stays",
        "He said: 'We met.' Then he left.",
        ["He said: 'We met.'", "Then he left."],
    ),
    (
        "closing-paren-stays",
        "They met (in Paris.) Then they left.",
        ["They met (in Paris.)", "Then they left."],
    ),
    ("opening-quote-goes-next", 'He left. "We met," he said.', ["He left.", '"We met," he said.']),
    (
        "closing-then-opening-quote",
        'He said "we met." "Good," she said.',
        ['He said "we met."', '"Good," she said.'],
    ),
    (
        "curly-quotes",
        "He said: \u201cWe met.\u201d \u201cGood,\u201d she said.",
        ['He said: "We met."', '"Good," she said.'],
    ),
    (
        "decimal-number-no-split",
        "Growth was 1.5 percent. Prices rose.",
        ["Growth was 1.5 percent.", "Prices rose."],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in SENTENCE_CASES], ids=[c[0] for c in SENTENCE_CASES]
)
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    assert sentences(view(text)) == expected


def test_sentences_cover_all_tokens_in_order() -> None:
    v = view('He said: "We met." Then he left.\n\nMr. Smith stayed. "Why?" she asked.')
    flat = [i for first, end in v.sentences for i in range(first, end)]
    assert flat == list(range(len(v.starts)))
    assert list(v.sentence_paragraph) == [0, 0, 1, 1]


# ------------------------------------------------------------------ paragraphs and hard wraps


def test_paragraphs_by_blank_lines() -> None:
    v = view("One para.\n\nTwo para.\n\n\nThree.")
    assert paragraphs(v) == ["One para.", "Two para.", "Three."]


def test_paragraphs_by_indentation_as_in_reuters_wires() -> None:
    text = (
        "Bahia cocoa review\n"
        "\n"
        "    Showers continued throughout the week in\n"
        "the Bahia cocoa zone, alleviating the drought since early\n"
        "January and improving prospects.\n"
        "    The dry period means the temporao will be late this year.\n"
        "    Arrivals for the week were 1,000 bags.\n"
    )
    v = view(text)
    assert paragraphs(v) == [
        "Bahia cocoa review",
        "Showers continued throughout the week in the Bahia cocoa zone, alleviating the "
        "drought since early January and improving prospects.",
        "The dry period means the temporao will be late this year.",
        "Arrivals for the week were 1,000 bags.",
    ]
    # the wrapped first paragraph is one sentence: the wraps did not split it
    assert sentences(v)[1] == paragraphs(v)[1]
    assert len(v.sentences) == 4


def test_indented_paragraphs_without_any_blank_line() -> None:
    text = (
        "    Hamas officials arrived in Moscow on\n"
        "Thursday for talks.\n"
        "    Israel condemned the visit.\n"
    )
    v = view(text)
    assert paragraphs(v) == [
        "Hamas officials arrived in Moscow on Thursday for talks.",
        "Israel condemned the visit.",
    ]


def test_document_without_blank_lines_has_a_paragraph_per_line() -> None:
    text = (
        "Iran envoy meets Hamas in Moscow\n"
        "A senior Iranian envoy met Hamas representatives in Moscow.\n"
        "The talks highlighted Russia's efforts to mediate.\n"
        "Israel condemned the visit.\n"
    )
    v = view(text)
    assert paragraphs(v) == [
        "Iran envoy meets Hamas in Moscow",
        "A senior Iranian envoy met Hamas representatives in Moscow.",
        "The talks highlighted Russia's efforts to mediate.",
        "Israel condemned the visit.",
    ]
    assert len(v.sentences) == 4


def test_document_with_few_blank_lines_and_a_sentence_per_line() -> None:
    # one blank line (after the title) but two line ends after sentences: lines are paragraphs
    v = view("Title\n\nLine one ends here.\nLine two ends here.\nLine three ends here.")
    assert paragraphs(v) == [
        "Title",
        "Line one ends here.",
        "Line two ends here.",
        "Line three ends here.",
    ]


def test_hard_wrap_joined_in_a_blank_line_document() -> None:
    text = (
        "Iran envoy meets Hamas in Moscow\n"
        "\n"
        "A senior Iranian envoy met Hamas representatives\n"
        "in Moscow on Thursday.\n"
        "\n"
        "Israel condemned\n"
        "the visit. Russia defended it.\n"
    )
    v = view(text)
    assert paragraphs(v) == [
        "Iran envoy meets Hamas in Moscow",
        "A senior Iranian envoy met Hamas representatives in Moscow on Thursday.",
        "Israel condemned the visit. Russia defended it.",
    ]
    assert sentences(v) == [
        "Iran envoy meets Hamas in Moscow",
        "A senior Iranian envoy met Hamas representatives in Moscow on Thursday.",
        "Israel condemned the visit.",
        "Russia defended it.",
    ]


def test_hard_wrap_after_a_sentence_end_is_joined_in_a_blank_line_document() -> None:
    # blank lines mark paragraphs, so a single newline is a wrap even after a full stop
    v = view("First para.\n\nOne sentence.\nAnother sentence.\n\nLast para.")
    assert paragraphs(v) == ["First para.", "One sentence. Another sentence.", "Last para."]
    assert len(v.sentences) == 4


def test_hard_wrap_joined_in_a_document_without_blank_lines() -> None:
    text = (
        "Russia said the Hamas delegation met officials of the foreign ministry in\n"
        "Moscow on Thursday, and not President Putin.\n"
        "Israel condemned the visit.\n"
        "The talks were\n"
        "useful, Russia said.\n"
    )
    v = view(text)
    assert paragraphs(v) == [
        "Russia said the Hamas delegation met officials of the foreign ministry in Moscow on "
        "Thursday, and not President Putin.",
        "Israel condemned the visit.",
        "The talks were useful, Russia said.",
    ]
    assert sentences(v) == paragraphs(v)


def test_wrap_after_an_abbreviation_is_no_paragraph_break() -> None:
    # "U.S." ends with a full stop that is the word's own: no sentence ends there
    text = (
        "Erdogan met on the sidelines of the NATO summit in Vilnius with U.S.\n"
        "President Joe Biden on Tuesday.\n"
        "Talks went on for hours and ended without any statement, said Mr.\n"
        "Kalin.\n"
    )
    assert paragraphs(view(text)) == [
        "Erdogan met on the sidelines of the NATO summit in Vilnius with U.S. President Joe "
        "Biden on Tuesday.",
        "Talks went on for hours and ended without any statement, said Mr. Kalin.",
    ]


def test_wrap_of_a_narrow_text_is_no_paragraph_break() -> None:
    # wrapped at 53 columns: "President" (9) would not have fitted after "Iranian" (53)
    text = (
        "U.N. nuclear watchdog chief Rafael Grossi met Iranian\n"
        "President Ebrahim Raisi in Tehran on Saturday.\n"
    )
    assert paragraphs(view(text)) == [
        "U.N. nuclear watchdog chief Rafael Grossi met Iranian President Ebrahim Raisi in "
        "Tehran on Saturday."
    ]


def test_short_line_before_a_capital_is_a_paragraph_when_the_next_word_would_fit() -> None:
    text = (
        "Iran envoy meets Hamas in Moscow\n"
        "By Jane Doe\n"
        "A senior Iranian envoy met Hamas representatives in Moscow on Thursday, officials\n"
        "said.\n"
    )
    assert paragraphs(view(text)) == [
        "Iran envoy meets Hamas in Moscow",
        "By Jane Doe",
        "A senior Iranian envoy met Hamas representatives in Moscow on Thursday, officials said.",
    ]


def test_ellipsis_at_a_line_end_ends_a_paragraph() -> None:
    assert paragraphs(view("Talks went on and on...\nThen Putin left.")) == [
        "Talks went on and on...",
        "Then Putin left.",
    ]


def test_dash_glued_between_words_leaves_them_two_tokens() -> None:
    for text in (
        "Erdogan\u2014who met Biden",
        "Erdogan&mdash;who met Biden",
        "Erdogan--who met Biden",
    ):
        v = view(text)
        assert tokens(v) == ["Erdogan", "-", "who", "met", "Biden"], text
        assert text[slice(*v.token_span(0, 1))] == "Erdogan"
        assert text[slice(*v.token_span(2, 3))] == "who"


def test_text_that_only_looks_like_an_entity_maps_char_by_char() -> None:
    # "&Noble;" is no entity: each of its chars stands for itself, and so do the tokens
    text = "Barnes&Noble; chief"
    v = view(text)
    assert tokens(v) == ["Barnes", "&", "Noble", ";", "chief"]
    assert [text[slice(*v.token_span(k, k + 1))] for k in range(5)] == tokens(v)


def test_leading_comma_line_is_a_wrap() -> None:
    text = (
        "Russia has ties to all key players in the Middle East, including Israel and Hamas\n"
        ", the militant group that controls Gaza.\n"
        "Moscow has blamed the crisis on Washington."
    )
    v = view(text)
    assert len(v.paragraphs) == 2
    # the line break becomes a space: the comma line continues the sentence before it
    assert sentences(v) == [
        "Russia has ties to all key players in the Middle East, including Israel and Hamas , "
        "the militant group that controls Gaza.",
        "Moscow has blamed the crisis on Washington.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Israel condemned the visit.\nRussia defended it.",
        "Hamas officials arrived in Moscow.\nIsrael condemned the visit.\nRussia defended it.",
    ],
    ids=["two-lines", "three-lines"],
)
def test_final_newline_does_not_change_paragraphs(text: str) -> None:
    """A file's last line end is not a blank line: with or without it, each line is a paragraph."""
    without = view(text)
    with_newline = view(text + "\n")
    assert len(without.paragraphs) == text.count("\n") + 1
    assert list(with_newline.paragraphs) == list(without.paragraphs)
    assert list(view(text.replace("\n", "\r\n") + "\r\n").paragraphs) == list(without.paragraphs)


def test_sentence_and_paragraph_of_a_token() -> None:
    v = view("One. Two three.\n\nFour.")
    # tokens: One . Two three . Four .
    assert [v.sentence_of(i) for i in range(len(v.starts))] == [0, 0, 1, 1, 1, 2, 2]
    assert [v.paragraph_of(i) for i in range(len(v.starts))] == [0, 0, 0, 0, 0, 1, 1]


# ------------------------------------------------------------------ boilerplate lines

DROP = [regex.compile(r"^\s*(?:Advertisement|Share(?: this| on)?.*)\s*$", regex.MULTILINE)]


def test_drop_lines_removes_matching_lines() -> None:
    original = (
        "MOSCOW: Russia defended its decision.\nAdvertisement\nIsrael condemned it.\n"
        "Share this article\n"
    )
    v = view(original, drop_lines=DROP)
    assert "Advertisement" not in v.text
    assert "Share" not in v.text
    assert tokens(v) == [
        "MOSCOW",
        ":",
        "Russia",
        "defended",
        "its",
        "decision",
        ".",
        "Israel",
        "condemned",
        "it",
        ".",
    ]
    assert paragraphs(v) == ["MOSCOW: Russia defended its decision.", "Israel condemned it."]
    _assert_tokens_map_back(original, v)
    start, end = v.token_span(7, 8)
    assert original[start:end] == "Israel"


def test_dropped_line_ends_a_paragraph_in_a_blank_line_document() -> None:
    original = "First para.\n\nThe talks were\nAdvertisement\nuseful, Russia said.\n\nLast."
    v = view(original, drop_lines=DROP)
    assert paragraphs(v) == ["First para.", "The talks were", "useful, Russia said.", "Last."]


def test_no_drop_patterns_keep_every_line() -> None:
    v = view("Advertisement\n\nText.")
    assert paragraphs(v) == ["Advertisement", "Text."]


# ------------------------------------------------------------------ dateline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MOSCOW: Russia on Friday defended its decision.", "MOSCOW: "),
        ("MOSCOW (Reuters) - Russia said.", "MOSCOW (Reuters) - "),
        ("  GAZA CITY: Strikes continued.", "  GAZA CITY: "),
        # the pattern's ^\s* starts on the blank line before the dateline
        ("Russia defends decision\n\nMOSCOW: Russia on Friday defended it.", "\nMOSCOW: "),
    ],
    ids=["colon", "reuters", "two-words-indented", "after-title"],
)
def test_dateline_is_the_whole_match(text: str, expected: str) -> None:
    """The dateline region is everything the pattern matched (city, date, agency)."""
    v = view(text, dateline=DATELINE)
    assert v.dateline is not None
    start, end = v.dateline
    assert v.text[start:end] == expected


def test_dateline_absent() -> None:
    assert view("Russia said. MOSCOW: no.", dateline=DATELINE).dateline is None
    assert view("MOSCOW: Russia said.").dateline is None  # no pattern given


def test_dateline_only_searched_near_the_start() -> None:
    text = "Filler words. " * 100 + "\nMOSCOW: Russia said."
    assert view(text, dateline=DATELINE).dateline is None


def test_dateline_whole_match_when_pattern_has_no_group() -> None:
    v = view("MOSCOW: Russia said.", dateline=regex.compile(r"^[A-Z]+:", regex.MULTILINE))
    assert v.dateline == (0, 7)


def test_dateline_span_maps_back_through_entities() -> None:
    original = "&nbsp;MOSCOW: Russia said."
    v = view(original, dateline=DATELINE)
    assert v.dateline is not None
    assert original[slice(*v.original_span(*v.dateline))] == "&nbsp;MOSCOW: "


# ------------------------------------------------------------------ title


def test_title_first_line_without_final_period() -> None:
    v = view("Iran envoy meets Hamas in Moscow\n\nA senior Iranian envoy met Hamas officials.")
    assert v.title is not None
    assert v.token_text(*v.title) == "Iran envoy meets Hamas in Moscow"


def test_title_in_document_without_blank_lines() -> None:
    v = view(
        "Iran envoy meets Hamas in Moscow\nA senior Iranian envoy met Hamas officials.\n"
        "Israel condemned it."
    )
    assert v.title is not None
    assert v.token_text(*v.title) == "Iran envoy meets Hamas in Moscow"


def test_title_may_end_with_a_quote() -> None:
    v = view('Putin calls talks "useful"\n\nBody text.')
    assert v.title is not None
    assert v.token_text(*v.title) == 'Putin calls talks "useful"'


@pytest.mark.parametrize(
    "text",
    [
        "Headline here.\n\nBody text.",
        "Will they meet?\n\nBody text.",
        "Only one paragraph here",
        "Headline alone\n\n",
    ],
    ids=["final-period", "final-question-mark", "single-paragraph", "nothing-after"],
)
def test_no_title(text: str) -> None:
    assert view(text).title is None


# ------------------------------------------------------------ invariant: formatting is not news

ARTICLE = (
    "Iran's envoy meets Hamas in Moscow\n"
    "\n"
    "MOSCOW: Iran's deputy foreign minister Ali Bagheri Kani met Hamas official Abu Marzouk "
    "on Thursday, Russia's foreign ministry said.\n"
    "\n"
    '"We discussed the situation in Gaza," Abu Marzouk said. The U.S. and AT&T were not '
    "mentioned -- nor was Oct. 7.\n"
    'Mr. Smith said: "It was useful." Israel condemned the visit.\n'
)


def _curly(text: str) -> str:
    text = text.replace("'", "\u2019")
    text = regex.sub(r'"(?=\w)', "\u201c", text)
    return text.replace('"', "\u201d")


def _crlf_bom(text: str) -> str:
    return "\ufeff" + text.replace("\n", "\r\n")


def _entities(text: str) -> str:
    return text.replace("'", "&#8217;").replace("AT&T", "AT&amp;T")


def _nbsp(text: str) -> str:
    return text.replace("Ali Bagheri Kani", "Ali\u00a0Bagheri\u00a0Kani").replace(
        "Abu Marzouk", "Abu\u00a0Marzouk"
    )


def _em_dash(text: str) -> str:
    return text.replace(" -- ", " \u2014 ")


def _everything(text: str) -> str:
    return _crlf_bom(_nbsp(_entities(_em_dash(text))))


VARIANTS = {
    "curly-quotes": _curly,
    "crlf-and-bom": _crlf_bom,
    "html-entities": _entities,
    "nbsp-in-names": _nbsp,
    "em-dash": _em_dash,
    "all-at-once": _everything,
}


def test_article_baseline_by_hand() -> None:
    v = view(ARTICLE)
    assert sentences(v) == [
        "Iran's envoy meets Hamas in Moscow",
        "MOSCOW: Iran's deputy foreign minister Ali Bagheri Kani met Hamas official Abu Marzouk "
        "on Thursday, Russia's foreign ministry said.",
        '"We discussed the situation in Gaza," Abu Marzouk said.',
        "The U.S. and AT&T were not mentioned - nor was Oct. 7.",
        'Mr. Smith said: "It was useful."',
        "Israel condemned the visit.",
    ]
    assert len(v.paragraphs) == 3
    assert v.folded[:6] == ["iran", "'s", "envoy", "meets", "hamas", "in"]


@pytest.mark.parametrize("name", list(VARIANTS))
def test_formatting_variants_give_the_same_tokens_and_sentences(name: str) -> None:
    variant = VARIANTS[name](ARTICLE)
    assert variant != ARTICLE
    base, other = view(ARTICLE), view(variant)
    assert list(other.folded) == list(base.folded)
    assert len(other.sentences) == len(base.sentences)
    assert list(other.sentences) == list(base.sentences)
    assert list(other.paragraphs) == list(base.paragraphs)
    assert other.title == base.title
    _assert_tokens_map_back(variant, other)


def test_the_fast_path_of_folding_knows_every_char_folding_changes() -> None:
    """Folding copies runs of ordinary chars at once; a char it changes but does not know
    as special would be copied unfolded."""
    from engine.text import _SPECIAL, _fold_char

    changed = [
        hex(code)
        for code in range(0x110000)
        if (_fold_char(chr(code)) != chr(code)) != bool(_SPECIAL.fullmatch(chr(code)))
        and not 0xD800 <= code <= 0xDFFF
    ]
    assert changed == []


@given(FOLDABLE_ASCII)
def test_in_ascii_text_pieces_are_looked_for_only_where_one_can_start(text: str) -> None:
    """The pieces folding finds in ASCII text, trying the pattern only after a literal
    search ("--", "&", "\\r"), are those the pattern finds trying every char."""
    from engine.text import _FOLD_PIECES, _fold_pieces

    def found(matches: Iterable[regex.Match[str]]) -> list[tuple[int, int, str | None]]:
        return [(*m.span(), m.group("glued")) for m in matches]

    assert found(_fold_pieces(text)) == found(_FOLD_PIECES.finditer(text))


@given(FOLDABLE_ASCII)
def test_in_ascii_text_the_chars_that_fold_are_found_by_the_ascii_pattern(text: str) -> None:
    from engine.text import _ASCII_SPECIAL, _SPECIAL

    assert [m.span() for m in _ASCII_SPECIAL.finditer(text, 0, len(text))] == [
        m.span() for m in _SPECIAL.finditer(text, 0, len(text))
    ]


def test_the_ascii_fast_path_of_folding_knows_where_a_fold_starts() -> None:
    """ASCII text holding none of _ASCII_FOLDS is taken as it is, unsearched: in ASCII,
    every char folding changes and every piece it folds must hold one of them."""
    from engine.text import _ASCII_FOLDS, _FOLD_PIECES, _SPECIAL

    def marked(text: str) -> bool:
        return any(start in text for start in _ASCII_FOLDS)

    assert all(marked(c) for c in map(chr, range(128)) if _SPECIAL.fullmatch(c))
    rng = random.Random(7)
    pieces = ["&", "amp", "lt", ";", "#", "13", "x0D", "10", "-", "\n", "\r", "a", " ", "&#10;"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        if _FOLD_PIECES.search(text) is not None:
            assert marked(text), text


def test_an_ascii_token_folds_as_a_unicode_one_would() -> None:
    from engine.text import fold_token

    for word in ["Moscow", "U.S.", "AL-QASSAM", "ibn", "Tete-a-Tete", "'s", "1,400"]:
        assert fold_token(word) == word.casefold()
    assert fold_token("Bagheri-Kani\u0301") == "bagheri-kani"


# ------------------------------------------------------------------ the ASCII tokeniser

# pieces that exercise every branch of TOKEN: abbreviations, initials, U.S., numbers with
# separators, hyphens and apostrophes in words, 's, ellipses, odd punctuation and spaces
TOKEN_PIECES = [
    "U.S.",
    "U.N",
    "Mr.",
    "Oct.",
    "Co.",
    "vs.",
    "etc",
    "Nos.",
    "Sept.",
    "Prof. ",
    "K. Annan",
    "k. annan",
    "A.",
    "Z",
    "a",
    "Lavrov",
    "al-Assad",
    "O'Neil",
    "Hamas'",
    "Iran's",
    "it's",
    "'s",
    "rock'n'roll",
    "2023-10-27",
    "1,000.5",
    "10:30",
    "3/4",
    "-5",
    "55th",
    "met2",
    "x1y",
    "...",
    "..",
    ".",
    ",",
    ";",
    "!",
    "?",
    "'",
    '"',
    "(",
    ")",
    "-",
    "--",
    "_",
    "#",
    "&",
    " ",
    "  ",
    "\t",
    "\n",
    "\x0b",
    "\x0c",
    "\r",
    "\x1c",
    "\x1f",
    "\x00",
    "\x7f",
]


SEPARATORS = "\x1c\x1d\x1e\x1f"
ASCII_TEXT = st.lists(
    st.sampled_from([p for p in TOKEN_PIECES if p not in SEPARATORS])
    | st.text(st.characters(max_codepoint=127, exclude_characters=SEPARATORS))
).map("".join)


@settings(max_examples=500, deadline=None)
@given(ASCII_TEXT, st.data())
def test_the_ascii_tokeniser_finds_what_token_finds(text: str, data: st.DataObject) -> None:
    """On plain ASCII (no separator), the pattern token_pattern picks is not TOKEN, and it
    finds TOKEN's tokens span for span, also inside a part of the text (as _tokenise
    searches one paragraph at a time)."""
    pattern = token_pattern(text)
    assert pattern is not TOKEN
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in TOKEN.finditer(text)]
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert [m.span() for m in pattern.finditer(text, start, end)] == [
        m.span() for m in TOKEN.finditer(text, start, end)
    ]


def scanned(text: str, start: int, end: int) -> list[tuple[int, int]]:
    starts: list[int] = []
    ends: list[int] = []
    ascii_tokens(text.encode("ascii"), start, end, starts, ends)
    return list(zip(starts, ends, strict=True))


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from(TOKEN_PIECES) | st.text(st.characters(max_codepoint=127))).map(
        "".join
    ),
    st.data(),
)
def test_the_scan_over_bytes_finds_what_the_ascii_pattern_finds(
    text: str, data: st.DataObject
) -> None:
    """tokens.ascii_tokens (the compiled build's tokeniser) finds the ASCII pattern's
    tokens span for span, in a whole text and inside a part of it (a paragraph), line
    breaks and separators (spaces to both) included."""
    ascii_pattern = token_pattern("plain")
    assert ascii_pattern is not TOKEN
    assert scanned(text, 0, len(text)) == [m.span() for m in ascii_pattern.finditer(text)]
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert scanned(text, start, end) == [m.span() for m in ascii_pattern.finditer(text, start, end)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U.S. and U.N. envoys", ["U.S.", "and", "U.N.", "envoys"]),
        ("Mr. Lavrov, Oct. 26", ["Mr.", "Lavrov", ",", "Oct.", "26"]),
        ("Mr.Lavrov", ["Mr", ".", "Lavrov"]),  # an abbreviation's full stop is before a space
        ("K. Annan met k. annan", ["K.", "Annan", "met", "k", ".", "annan"]),
        ("Iran's al-Assad O'Neil it'sx", ["Iran", "'s", "al-Assad", "O'Neil", "it'sx"]),
        (
            "on 2023-10-26 at 10:30, 1,000.5 pct",
            ["on", "2023-10-26", "at", "10:30", ",", "1,000.5", "pct"],
        ),
        ("well... -5 'tis --", ["well", "...", "-", "5", "'", "tis", "-", "-"]),
    ],
)
def test_the_scan_over_bytes_by_hand(text: str, expected: list[str]) -> None:
    assert [text[start:end] for start, end in scanned(text, 0, len(text))] == expected


@settings(max_examples=300, deadline=None)
@given(ASCII_TEXT.map(lambda text: text.replace("\n", " ")), st.data())
def test_a_views_tokens_are_those_token_finds_in_each_paragraph(
    text: str, data: st.DataObject
) -> None:
    """_tokenise, by the pattern or (compiled) by the scan over bytes, gives TOKEN's
    tokens paragraph by paragraph: spans, texts and folded forms."""
    from engine.text import _tokenise

    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=4, unique=True)))
    lines = list(zip([0, *cuts], [*cuts, len(text)], strict=True))
    starts, ends, folded, texts, paragraphs = _tokenise(text, lines)
    expected = [[m.span() for m in TOKEN.finditer(text, lo, hi)] for lo, hi in lines]
    assert [list(zip(starts[a:b], ends[a:b], strict=True)) for a, b in paragraphs] == expected
    assert texts == [text[start:end] for start, end in zip(starts, ends, strict=True)]
    assert folded == [token.lower() for token in texts]


def test_the_scan_is_used_where_it_is_compiled() -> None:
    """tokens.COMPILED says whether the module runs compiled (an extension module, not
    its .py source): the scan is slower than the pattern when interpreted."""
    import engine.tokens

    assert COMPILED == (not engine.tokens.__file__.endswith(".py"))


UNGUARDED = regex.compile(TOKEN.pattern.replace(ABBREVIATION_GUARD, ""), TOKEN.flags)


@settings(max_examples=500, deadline=None)
@given(ASCII_TEXT | st.lists(st.sampled_from(TOKEN_PIECES) | st.text()).map("".join))
def test_the_abbreviation_guard_changes_no_token(text: str) -> None:
    """The lookahead before the abbreviations ("2 to 4 letters and a full stop") only
    saves time: TOKEN finds what it finds without it."""
    assert ABBREVIATION_GUARD in TOKEN.pattern
    assert [m.span() for m in TOKEN.finditer(text)] == [m.span() for m in UNGUARDED.finditer(text)]


def test_the_ascii_tokeniser_is_used_for_plain_ascii_only() -> None:
    assert token_pattern("Lavrov met Haniyeh in Moscow.") is not TOKEN
    assert token_pattern("Lavrov met Haniyeh in Moskv\u00e1.") is TOKEN
    for separator in SEPARATORS:  # whitespace to `re`, not to `regex`: they would differ
        text = f"a{separator}b"
        assert token_pattern(text) is TOKEN
        assert [m.span() for m in TOKEN.finditer(text)] == [(0, 1), (1, 2), (2, 3)]


def test_white_space_is_what_the_regex_module_takes_for_a_space() -> None:
    """Every code point `\\s` matches in `regex`, and no other (not \\x1c-\\x1f)."""
    every = "".join(map(chr, range(0x110000)))
    assert "".join(regex.findall(r"\s", every)) == WHITE_SPACE
    assert not set(SEPARATORS) & set(WHITE_SPACE)


LINE_ENDS = st.lists(
    st.sampled_from([*".!?:;\"')]", "a", "Z", "5", ",", "-", "\u201d", "\x1c", "\x1f"])
    | st.sampled_from(list(WHITE_SPACE))
    | st.text(max_size=3)
).map("".join)


@settings(max_examples=500, deadline=None)
@given(LINE_ENDS)
def test_a_line_ends_like_a_sentence_where_the_regex_says_so(line: str) -> None:
    """ends_like_a_sentence is the search it replaced, char for char: a mark, then only
    spaces; a separator or a curly quote after the mark is not a space."""
    expected = regex.search(r"""[.!?:;"')\]]\s*$""", line) is not None
    assert ends_like_a_sentence(line) == expected


def test_what_ends_a_line_like_a_sentence() -> None:
    assert ends_like_a_sentence("He left on Thursday.")
    assert ends_like_a_sentence('"We met," he said. \u3000\t')
    assert ends_like_a_sentence("(as agreed)")
    assert not ends_like_a_sentence("Hamas delegation led by")
    assert not ends_like_a_sentence("He left.\x1c")  # a separator is no space
    assert not ends_like_a_sentence("")
    assert not ends_like_a_sentence("   ")


LINES = st.lists(
    st.none()
    | st.sampled_from(["", "   ", "\t", "\x1c", "  Indented.", "\tTabbed", "Said he.", "U.S."])
    | st.sampled_from(["and then", "Moscow (Reuters) -", "x" * 70, '"Quoted."', "5 pct"])
    | st.text(max_size=12),
    min_size=1,
    max_size=12,
)


@settings(max_examples=500, deadline=None)
@given(LINES, st.booleans(), st.integers(0, 80))
def test_the_breaks_of_a_document_are_those_line_break_gives_line_by_line(
    lines: list[str | None], explicit: bool, width: int
) -> None:
    """The layout decides all its line breaks at once (where paragraphs are marked, in one
    comprehension): each is what _line_break says of its two lines (None: a dropped one)."""
    from engine.text import _breaks, _line_break

    filled = [line is not None and line.strip() != "" for line in lines]
    expected = [_line_break(lines[i - 1], lines[i], explicit, width) for i in range(1, len(lines))]
    assert _breaks(lines, filled, explicit, width) == expected
