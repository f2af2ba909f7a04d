"""Tests for engine.gazetteer: transliteration keys, phrase lookup and reading YAML files.

Skeletons were worked out by hand from the recipe in `skeleton`'s docstring: digraphs
fold (kh->k, gh->g, ph->f, q->k, ck->k, dh->d), doubled letters collapse, then every run
of vowels (a e i o u y) becomes one `a`. A phrase matches loosely only when its key has
at least MIN_VARIANT_CONSONANTS (5) consonants in all.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest
from conftest import RULES
from hypothesis import given
from hypothesis import strategies as st

from engine.documents import Document
from engine.gazetteer import (
    MIN_VARIANT_CONSONANTS,
    DataFileError,
    Entry,
    Gazetteer,
    Haystack,
    Hit,
    PhraseIndex,
    phrase_tokens,
    read_entries,
    skeleton,
    variant_key,
)
from engine.pipeline import extract_document
from engine.ruleset import load_rules
from engine.text import view

# ------------------------------------------------------------------ helpers


def doc_tokens(text: str) -> tuple[list[str], list[str]]:
    """(folded tokens, original token texts) of a text, as the pipeline passes them."""
    v = view(text)
    return list(v.folded), [v.text[s:e] for s, e in zip(v.starts, v.ends, strict=True)]


def find(gazetteer: Gazetteer, text: str) -> list[tuple[str, str, bool]]:
    """(matched text, canonical name, variant?) of every hit in a text."""
    v = view(text)
    folded, original = doc_tokens(text)
    return [
        (v.token_text(h.first, h.end), h.entry.name, h.variant)
        for h in gazetteer.find(folded, original)
    ]


BAGHERI = Entry("Ali Bagheri Kani", (("country", "Iran"), ("kind", "person")))
MARZOUK = Entry("Mousa Abu Marzouk", (("kind", "person"),))
ZELENSKYY = Entry("Volodymyr Zelenskyy", (("kind", "person"),))
PUTIN = Entry("Vladimir Putin", (("kind", "person"),))
HAMAS = Entry("Hamas", (("kind", "organisation"),))
PESKOV = Entry("Dmitry Peskov", (("kind", "person"),))
BOGDANOV = Entry("Mikhail Bogdanov", (("kind", "person"),))

ENTRIES = [
    (BAGHERI, ["Ali Bagheri Kani", "Bagheri Kani"]),
    (MARZOUK, ["Mousa Abu Marzouk", "Abu Marzouk"]),
    (ZELENSKYY, ["Volodymyr Zelenskyy", "Zelenskyy"]),
    (PUTIN, ["Vladimir Putin", "Putin"]),
    (HAMAS, ["Hamas"]),
    (PESKOV, ["Dmitry Peskov", "Peskov"]),
    (BOGDANOV, ["Mikhail Bogdanov", "Bogdanov"]),
]


@pytest.fixture
def loose() -> Gazetteer:
    return Gazetteer.build("actors", ENTRIES, variants=True)


@pytest.fixture
def strict() -> Gazetteer:
    return Gazetteer.build("actors", ENTRIES, variants=False)


# ------------------------------------------------------------------ skeleton and variant_key

SKELETONS = [
    ("bagheri", "bagara"),
    ("baghiri", "bagara"),
    ("kani", "kana"),
    ("khani", "kana"),
    ("abu", "aba"),
    ("abou", "aba"),
    ("marzouk", "marzak"),
    ("marzuk", "marzak"),
    ("marzook", "marzak"),
    ("zelenskyy", "zalanska"),
    ("zelensky", "zalanska"),
    ("zelenskiy", "zalanska"),
    ("qatar", "katar"),
    ("philip", "falap"),
    ("hassan", "hasan"),
    ("haddad", "hadad"),
    ("mohammed", "mahamad"),
    ("mikhail", "makal"),
    ("palestinian", "palastanan"),
    ("palestine", "palastana"),
    ("", ""),
]


@pytest.mark.parametrize(("token", "expected"), SKELETONS, ids=[t or "empty" for t, _ in SKELETONS])
def test_skeleton(token: str, expected: str) -> None:
    assert skeleton(token) == expected


def _recipe(token: str) -> str:
    """The docstring's recipe, step by step with regexes: what `skeleton` does in one pass."""
    word = token
    for digraph, single in (
        ("kh", "k"),
        ("gh", "g"),
        ("ph", "f"),
        ("q", "k"),
        ("ck", "k"),
        ("dh", "d"),
    ):
        word = word.replace(digraph, single)
    word = re.sub(r"(?<=[aeiouy])h\Z", "", word)
    return re.sub(r"[aeiouy]+", "a", re.sub(r"(.)\1+", r"\1", word, flags=re.DOTALL))


# letters where the recipe's steps meet (digraph halves, vowels, a final h), and others
@given(st.text(alphabet="aeiouyhkgpqcdtsnr.9\u00e9", max_size=14))
def test_skeleton_follows_the_recipe(token: str) -> None:
    assert skeleton(token) == _recipe(token)


SAME_KEY = [
    (["Bagheri Kani", "Baghiri Kani", "Bagheri Khani"], "bagarakana"),
    (["Abu Marzouk", "Abou Marzouk", "Abu Marzuk", "Abu Marzook"], "abamarzak"),
    (["Zelenskyy", "Zelensky", "Zelenskiy"], "zalanska"),
    (["Abdel Fattah el-Sisi", "Abdel-Fattah El-Sisi", "Abdel Fattah al-Sisi"], "abdalfataalsasa"),
]


@pytest.mark.parametrize(
    ("spellings", "key"), SAME_KEY, ids=["bagheri", "marzouk", "zelensky", "sisi-hyphens"]
)
def test_spellings_share_one_variant_key(spellings: list[str], key: str) -> None:
    for spelling in spellings:
        assert variant_key(phrase_tokens(spelling)) == key, spelling


def test_different_names_have_different_keys() -> None:
    names = [
        "Bagheri Kani",
        "Abu Marzouk",
        "Zelenskyy",
        "Bogdanov",
        "Abu Mazrouk",
        "Bagheri Mani",
        "Bagheri Khan",
        "Marzouk Abu",
        "Palestinian",
        "Palestine",
    ]
    keys = [variant_key(phrase_tokens(n)) for n in names]
    assert None not in keys
    assert len(set(keys)) == len(names)
    # same consonants in another order, or one syllable more, is another name
    assert variant_key(phrase_tokens("Abu Mazrouk")) == "abamazrak"
    assert variant_key(phrase_tokens("Bagheri Khan")) == "bagarakan"


def test_variant_key_too_short_is_none() -> None:
    # putin -> patan (3 consonants), peskov -> paskav (4), abu ali -> aba ala (2)
    assert MIN_VARIANT_CONSONANTS == 5
    assert variant_key(phrase_tokens("Putin")) is None
    assert variant_key(phrase_tokens("Peskov")) is None
    assert variant_key(phrase_tokens("Abu Ali")) is None
    # bogdanov -> bagdanav: exactly 5 consonants, long enough
    assert variant_key(phrase_tokens("Bogdanov")) == "bagdanav"


def test_variant_key_refuses_tokens_that_are_not_words() -> None:
    assert variant_key(phrase_tokens("Russia's foreign ministry")) is None
    assert variant_key(phrase_tokens("Group 7 Summit")) is None


def test_phrase_tokens_fold_case_and_accents_and_split_possessive() -> None:
    assert phrase_tokens("Russia's Foreign Ministry") == ("russia", "'s", "foreign", "ministry")
    assert phrase_tokens("Abú MARZOUK") == ("abu", "marzouk")


# ------------------------------------------------------------------ Gazetteer.find


def test_finds_exact_alias_case_insensitively(strict: Gazetteer) -> None:
    assert find(strict, "Then BAGHERI KANI met abu marzouk.") == [
        ("BAGHERI KANI", "Ali Bagheri Kani", False),
        ("abu marzouk", "Mousa Abu Marzouk", False),
    ]


def test_finds_exact_alias_ignoring_accents(strict: Gazetteer) -> None:
    assert find(strict, "Abú Marzoük spoke.") == [("Abú Marzoük", "Mousa Abu Marzouk", False)]


def test_exact_matches_whole_tokens_only(strict: Gazetteer) -> None:
    assert find(strict, "Hamasi and Putinism and Peskovs.") == []


def test_hit_carries_entry_and_token_range(strict: Gazetteer) -> None:
    folded, original = doc_tokens("Yesterday Bagheri Kani arrived.")
    assert list(strict.find(folded, original)) == [Hit(1, 3, BAGHERI, False)]
    assert BAGHERI.attributes == (("country", "Iran"), ("kind", "person"))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Baghiri Kani arrived.", "Ali Bagheri Kani"),
        ("Bagheri Khani arrived.", "Ali Bagheri Kani"),
        ("Abou Marzouk arrived.", "Mousa Abu Marzouk"),
        ("Abu Marzuk arrived.", "Mousa Abu Marzouk"),
        ("Abu Marzook arrived.", "Mousa Abu Marzouk"),
        ("Zelensky arrived.", "Volodymyr Zelenskyy"),
        ("Zelenskiy arrived.", "Volodymyr Zelenskyy"),
        ("Bugdanov arrived.", "Mikhail Bogdanov"),
    ],
)
def test_finds_loose_variant_when_variants_on(loose: Gazetteer, text: str, name: str) -> None:
    phrase = text.removesuffix(" arrived.")
    assert find(loose, text) == [(phrase, name, True)]


def test_no_loose_variant_when_variants_off(strict: Gazetteer) -> None:
    for text in ["Baghiri Kani arrived.", "Abou Marzouk arrived.", "Zelensky arrived."]:
        assert find(strict, text) == [], text


def test_loose_variant_only_on_capitalised_tokens(loose: Gazetteer) -> None:
    assert find(loose, "then baghiri kani arrived.") == []
    assert find(loose, "then Baghiri kani arrived.") == []
    assert find(loose, "then baghiri Kani arrived.") == []
    assert find(loose, "then zelensky arrived.") == []
    assert find(loose, "then Baghiri Kani arrived.") == [("Baghiri Kani", "Ali Bagheri Kani", True)]


def test_exact_preferred_over_loose(loose: Gazetteer) -> None:
    # the exact spelling gives one exact hit, not also a loose one at the same place
    assert find(loose, "Bagheri Kani arrived.") == [("Bagheri Kani", "Ali Bagheri Kani", False)]
    assert find(loose, "Zelenskyy arrived.") == [("Zelenskyy", "Volodymyr Zelenskyy", False)]


def test_exact_spelling_of_another_entry_beats_the_loose_key() -> None:
    first = Entry("Ali Bagheri Kani")
    second = Entry("Baghiri Kani (someone else)")
    gazetteer = Gazetteer.build("g", [(first, ["Bagheri Kani"]), (second, ["Baghiri Kani"])], True)
    # "Baghiri Kani" has the loose key of the first entry but is spelt exactly like the second
    assert find(gazetteer, "Baghiri Kani arrived.") == [("Baghiri Kani", second.name, False)]
    assert find(gazetteer, "Bagheri Khani arrived.") == [("Bagheri Khani", first.name, True)]


def test_short_keys_never_match_loosely(loose: Gazetteer) -> None:
    # putyn -> patan (3 consonants), peskow -> paskaw (4), hamaas -> hamas (3)
    assert find(loose, "Putyn arrived.") == []
    assert find(loose, "Peskow arrived.") == []
    assert find(loose, "Hamaas arrived.") == []
    # their exact spellings are still found
    assert find(loose, "Putin and Peskov and Hamas arrived.") == [
        ("Putin", "Vladimir Putin", False),
        ("Peskov", "Dmitry Peskov", False),
        ("Hamas", "Hamas", False),
    ]


def test_short_multi_word_key_never_matches_loosely() -> None:
    # abu ali -> (aba, ala): 2 consonants in all
    gazetteer = Gazetteer.build("g", [(Entry("Abu Ali"), ["Abu Ali"])], True)
    assert gazetteer.loose == {}
    assert find(gazetteer, "Abou Aly arrived.") == []
    assert find(gazetteer, "Abu Ali arrived.") == [("Abu Ali", "Abu Ali", False)]


def test_all_phrases_at_a_position_longest_first(loose: Gazetteer) -> None:
    folded, original = doc_tokens("Mousa Abu Marzouk spoke.")
    hits = list(loose.find(folded, original))
    assert hits == [Hit(0, 3, MARZOUK, False), Hit(1, 3, MARZOUK, False)]


def test_longest_phrase_found_at_a_position() -> None:
    entries = [
        (Entry("Foreign Ministry"), ["Foreign Ministry"]),
        (Entry("Russian Foreign Ministry"), ["Russian Foreign Ministry"]),
        (Entry("Russian"), ["Russian"]),
    ]
    gazetteer = Gazetteer.build("g", entries, False)
    folded, original = doc_tokens("The Russian Foreign Ministry said.")
    hits = list(gazetteer.find(folded, original))
    at_one = [h for h in hits if h.first == 1]
    assert at_one[0] == Hit(1, 4, Entry("Russian Foreign Ministry"), False)
    assert {(h.first, h.end) for h in hits} == {(1, 4), (1, 2), (2, 4)}


def test_first_entry_to_claim_a_phrase_keeps_it() -> None:
    one, two = Entry("One"), Entry("Two")
    gazetteer = Gazetteer.build("g", [(one, ["Abu Marzouk"]), (two, ["abu marzouk"])], True)
    assert find(gazetteer, "Abu Marzouk came.") == [("Abu Marzouk", "One", False)]
    assert find(gazetteer, "Abou Marzouk came.") == [("Abou Marzouk", "One", True)]


def test_alias_with_typographic_characters_matches_like_the_document() -> None:
    """Phrases are tokenised the way documents are: a curly apostrophe or an en dash in an
    alias is folded like the same character in a document."""
    curly, straight = "Russia\u2019s Foreign Ministry", "Russia's Foreign Ministry"
    assert phrase_tokens(curly) == phrase_tokens(straight)
    assert phrase_tokens("Al\u2013Aqsa") == phrase_tokens("Al-Aqsa")
    entry = Entry("Russian Foreign Ministry")
    gazetteer = Gazetteer.build("g", [(entry, ["Russia\u2019s Foreign Ministry"])], False)
    assert find(gazetteer, "Russia\u2019s Foreign Ministry said.") == [
        ("Russia's Foreign Ministry", "Russian Foreign Ministry", False)
    ]


def test_phrase_at_the_end_of_the_text(strict: Gazetteer) -> None:
    assert find(strict, "They met Bagheri Kani") == [("Bagheri Kani", "Ali Bagheri Kani", False)]
    assert find(strict, "They met Bagheri") == []


# ------------------------------------------------------------------ read_entries

GOOD = """\
# actors
- name: Ali Bagheri Kani
  aliases: [Bagheri Kani, "Ali Bagheri"]
  kind: person
  country: Iran
- name: Hamas
  kind: organisation
- name: Moscow
"""


def write(tmp_path: Path, text: str | bytes, name: str = "actors.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def test_read_entries_good_file(tmp_path: Path) -> None:
    entries = read_entries(write(tmp_path, GOOD), "gazetteers/actors.yaml")
    assert entries == [
        (
            Entry("Ali Bagheri Kani", (("country", "Iran"), ("kind", "person"))),
            ["Ali Bagheri Kani", "Bagheri Kani", "Ali Bagheri"],
        ),
        (Entry("Hamas", (("kind", "organisation"),)), ["Hamas"]),
        (Entry("Moscow", ()), ["Moscow"]),
    ]


def test_read_entries_crlf_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path, ("\ufeff" + GOOD.replace("\n", "\r\n")))
    assert read_entries(path, "a.yaml") == read_entries(write(tmp_path, GOOD, "b.yaml"), "b.yaml")


@pytest.mark.parametrize("text", ["", "# only a comment\n"], ids=["empty", "comment-only"])
def test_read_entries_empty_file_has_no_entries(tmp_path: Path, text: str) -> None:
    assert read_entries(write(tmp_path, text), "a.yaml") == []


def test_read_entries_non_string_scalars_become_text(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: 1917\n  founded: 1987\n  active: yes\n")
    assert read_entries(path, "a.yaml") == [
        (Entry("1917", (("active", "yes"), ("founded", "1987"))), ["1917"]),
    ]


def test_entries_from_file_work_in_a_gazetteer(tmp_path: Path) -> None:
    entries = read_entries(write(tmp_path, GOOD), "a.yaml")
    gazetteer = Gazetteer.build("actors", entries, True)
    assert find(gazetteer, "Ali Bagheri met Baghiri Khani in Moscow.") == [
        ("Ali Bagheri", "Ali Bagheri Kani", False),
        ("Baghiri Khani", "Ali Bagheri Kani", True),
        ("Moscow", "Moscow", False),
    ]


BAD_FILES = [
    # (id, content, line, column)
    ("yaml-syntax-mapping-in-value", "- name: Hamas\n  kind: a: b\n", 2, 10),
    ("yaml-syntax-tab-indent", "- name: Hamas\n  kind: person\n\tcountry: Iran\n", 3, 1),
    ("top-level-mapping", "# a comment\n\nname: Hamas\nkind: organisation\n", 3, 1),
    ("top-level-scalar", "Hamas\n", 1, 1),
    ("entry-not-a-mapping", "- name: Hamas\n- Iran\n", 2, 3),
    ("entry-without-name", "- name: Hamas\n- aliases: [Bagheri Kani]\n  kind: person\n", 2, 3),
    ("entry-with-empty-name", "- name: Hamas\n- name:\n  kind: person\n", 2, 8),
    ("aliases-not-a-list", "- name: Hamas\n  aliases: Hamas movement\n", 2, 12),
    ("alias-not-a-scalar", "- name: Hamas\n  aliases: [[Hamas movement]]\n", 2, 13),
    ("attribute-is-a-list", "- name: Hamas\n  kind: x\n  country: [Iran, Iraq]\n", 3, 12),
    ("attribute-is-a-mapping", "- name: Hamas\n  kind:\n    nested: x\n", 3, 5),
]


@pytest.mark.parametrize(
    ("text", "line", "column"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_read_entries_errors(tmp_path: Path, text: str, line: int, column: int) -> None:
    with pytest.raises(DataFileError) as caught:
        read_entries(write(tmp_path, text), "gazetteers/actors.yaml")
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "E029"
    assert diagnostic.file == "gazetteers/actors.yaml"
    assert (diagnostic.line, diagnostic.column) == (line, column)
    assert diagnostic.source_line == text.splitlines()[line - 1]
    assert diagnostic.severity == "error"
    assert str(caught.value) == diagnostic.message


def test_read_entries_yaml_error_message_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        read_entries(write(tmp_path, "- name: Hamas\n  kind: a: b\n"), "a.yaml")
    assert "mapping values are not allowed" in caught.value.diagnostic.message


def test_read_entries_non_utf8_file_reports_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    content = b"- name: Hamas\n  kind: organisation\n- name: Caf\xe9\n"
    with pytest.raises(DataFileError) as caught:
        read_entries(write(tmp_path, content), "gazetteers/actors.yaml")
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "E029"
    assert "UTF-8" in diagnostic.message
    assert diagnostic.line == 3


def test_read_entries_never_constructs_objects(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: !!python/object/apply:os.system [echo hacked]\n")
    with pytest.raises(DataFileError) as caught:
        read_entries(path, "a.yaml")
    assert caught.value.diagnostic.code == "E029"
    assert caught.value.diagnostic.line == 1


# ------------------------------------------------------------------ one flow mapping per line

# (line, read line by line?): the quick reader takes JSON strings and plain words separated
# by ", " with unique keys and a non-empty name; any other shape it leaves to the composer
FLOW_LINES = [
    ('- {name: "Hamas", aliases: ["Harakat al-Muqawama", "HAMAS"], kind: "organisation"}', True),
    ("- {name: Hamas, kind: organisation}", True),
    ("- {name: O'Brien (senior), role: deputy foreign minister}", True),
    ('- {name: "Tab\\there"}', True),
    ('- {name: "Quote \\" and slash \\/"}', True),
    ('- {name: "  padded  ", aliases: []}', True),
    ('- {name: "x",kind: "y"}', True),
    ('- {name: "x" , kind: "y"}', False),  # a space before the comma
    ('- {name: "x", kind: "y",}', False),  # a trailing comma
    ('- {name: "x", name: "y"}', False),  # a repeated key: the composer decides
    ('- {name: ""}', False),  # an empty name
    ('- {aliases: ["a"]}', False),  # no name
    ('- {name: ["a"]}', False),  # a list for a name
    ('- {name: "x", kind: yes}', True),
    ('- {name: "x", count: 12}', True),
    ('- {"name": "x"}', False),  # a quoted key
    ('- {name: "x"}  # a comment', False),
    ('  - {name: "x"}', False),  # indented
    ('- {name: "\\ud83d\\ude00"}', False),  # an escaped surrogate pair: YAML reads it apart
    ('- {name: "caf\u00e9", aliases: ["Caf\u00e9 de Flore"]}', True),
    ("- {name: x: y}", False),
    ('- {name: "x", kind: a, b}', False),  # "b" is a key without a value
    ("- name: block style", False),
]


@pytest.mark.parametrize(("line", "quickly"), FLOW_LINES)
def test_a_flow_line_is_read_as_the_yaml_composer_reads_it(
    tmp_path: Path, line: str, quickly: bool
) -> None:
    """The line-by-line reader either gives up (the composer then reads the file) or gives
    exactly the entries the composer would: the same names, aliases and attributes, or
    the same refusal."""
    from engine.gazetteer import _flow_lines

    path = tmp_path / "g.yaml"
    path.write_text(f'# a comment\n\n{line}\n- {{name: "Second"}}\n', encoding="utf-8")
    quick = _flow_lines(path.read_bytes())
    try:
        slow: object = read_entries_slowly(path)
    except DataFileError:
        slow = "refused"
    assert (quick is not None) is quickly
    assert quick is None or quick == slow


def read_entries_slowly(path: Path) -> list[tuple[Entry, list[str]]]:
    from engine import gazetteer

    original = gazetteer._flow_lines
    gazetteer._flow_lines = lambda data: None  # type: ignore[assignment]
    try:
        return gazetteer.read_entries(path, path.name)
    finally:
        gazetteer._flow_lines = original


def test_the_shipped_gazetteers_written_as_flow_lines_read_the_same(tmp_path: Path) -> None:
    """Every shipped entry, written one flow mapping per line with JSON strings (as a
    converted dictionary would be), reads to the same entries, and quickly."""
    from engine.gazetteer import _flow_lines

    for source in sorted((RULES / "gazetteers").glob("*.yaml")):
        entries = read_entries(source, source.name)
        lines = []
        for entry, forms in entries:
            fields = [f"name: {json.dumps(entry.name)}"]
            if forms[1:]:
                fields.append("aliases: [" + ", ".join(json.dumps(a) for a in forms[1:]) + "]")
            fields += [f"{key}: {json.dumps(value)}" for key, value in entry.attributes]
            lines.append("- {" + ", ".join(fields) + "}")
        flow = tmp_path / source.name
        flow.write_text("\n".join(lines) + "\n", encoding="utf-8")
        quick = _flow_lines(flow.read_bytes())
        assert quick is not None, source.name
        assert quick == entries == read_entries_slowly(flow)


# ------------------------------------------------------------------ one pass for all


def test_a_phrase_index_finds_each_gazetteers_phrases_as_it_would_alone() -> None:
    people = Gazetteer.build("people", ENTRIES, variants=False)
    places = Gazetteer.build(
        "places", [(Entry("Moscow"), ["Moscow"]), (Entry("Abu Dhabi"), ["Abu Dhabi", "Abu"])], False
    )
    # "Abu" is a place here and the start of a person's name there; "Putin" is in both
    both = Gazetteer.build("both", [(PUTIN, ["Putin"]), (Entry("Abu"), ["Abu"])], False)
    gazetteers = [people, places, both]
    index = PhraseIndex.of(gazetteers)
    text = "Abu Marzouk met Putin in Moscow, then flew to Abu Dhabi.\n\nVladimir Putin stayed."
    v = view(text)
    haystack = Haystack.of(v.folded, v.paragraphs)
    found = index.scan(haystack)
    for gazetteer, exact in zip(gazetteers, found, strict=True):
        alone = list(gazetteer.find(v.folded, v.texts, haystack))
        assert list(gazetteer.find(v.folded, v.texts, haystack, exact)) == alone
    names = [[(v.token_text(h.first, h.end), h.entry.name) for h in hits] for hits in found]
    assert sorted(names[0]) == [
        ("Abu Marzouk", "Mousa Abu Marzouk"),
        ("Putin", "Vladimir Putin"),
        ("Putin", "Vladimir Putin"),  # also inside "Vladimir Putin": every exact hit
        ("Vladimir Putin", "Vladimir Putin"),
    ]
    assert sorted(names[1]) == [
        ("Abu", "Abu Dhabi"),
        ("Abu", "Abu Dhabi"),
        ("Abu Dhabi", "Abu Dhabi"),
        ("Moscow", "Moscow"),
    ]
    assert sorted(names[2]) == [
        ("Abu", "Abu"),
        ("Abu", "Abu"),
        ("Putin", "Vladimir Putin"),
        ("Putin", "Vladimir Putin"),
    ]


def test_a_phrase_index_finds_phrases_after_and_in_words_beyond_ascii() -> None:
    """Hits map to the right tokens when the folded tokens before them are not ASCII (the
    automaton scans UTF-8; its offsets must still be the haystack's chars)."""
    lavrov = Entry("Sergei Lavrov")
    gazetteer = Gazetteer.build("people", [(lavrov, ["Сергей Лавров", "Lavrov"])], False)
    v = view("Путин и Сергей Лавров: «Lavrov», Lavrov.")
    (hits,) = PhraseIndex.of([gazetteer]).scan(Haystack.of(v.folded, v.paragraphs))
    assert [v.token_text(h.first, h.end) for h in sorted(hits, key=lambda h: h.first)] == [
        "Сергей Лавров",
        "Lavrov",
        "Lavrov",
    ]


def test_a_phrase_index_is_kept_as_its_phrases_and_searches_when_read_back() -> None:
    index = PhraseIndex.of([Gazetteer.build("people", ENTRIES, variants=False)])
    back = pickle.loads(pickle.dumps(index))
    assert back == index and back.finder is not index.finder
    v = view("Zelenskyy spoke.")
    (hits,) = back.scan(Haystack.of(v.folded, v.paragraphs))
    assert [(h.first, h.end, h.entry) for h in hits] == [(0, 1, ZELENSKYY)]


@pytest.mark.parametrize(
    "phrase",
    [
        "Ali Bagheri Kani",
        "Mr. K. Annan",  # case decides: an abbreviation, an initial
        "U.S. State Department",
        "AT&amp;T",  # an entity, folded
        "Al-Aqsa  Brigades",
        "Hamas--Fatah",  # a double hyphen is one
        "Tab\there",
        "O'Neil's",
        "Mousa Abu Marzouk",
        "Zelens\u2019kyy",  # not ASCII: a curly apostrophe
        "S\u00e3o Tom\u00e9",
    ],
)
def test_a_phrase_is_tokenised_as_the_same_words_in_a_document(phrase: str) -> None:
    assert list(phrase_tokens(phrase)) == list(view(phrase).folded)


def test_two_rule_folders_each_read_their_own_gazetteer_of_the_same_name(
    tmp_path: Path,
) -> None:
    """`gazetteer "names.yaml"` means the file beside the rule file that says it."""
    (tmp_path / "people").mkdir()
    (tmp_path / "places").mkdir()
    (tmp_path / "people" / "names.yaml").write_text("- name: Kani\n- name: Bogdanov\n")
    (tmp_path / "places" / "names.yaml").write_text("- name: Moscow\n")
    (tmp_path / "people" / "people.rules").write_text('entity actor:\n    gazetteer "names.yaml"\n')
    (tmp_path / "places" / "places.rules").write_text(
        'entity city:\n    gazetteer "names.yaml"\n'
        "relation MEETING(actor, actor, city?)\n"
        'rule met -> MEETING:\n    within sentence: a:actor "met" b:actor\n'
        "    fill city from nearest city in sentence\n"
    )
    rules = load_rules([tmp_path])
    (record,) = extract_document(rules, Document("d", "Kani met Bogdanov in Moscow."))
    assert sorted(record["args"].values()) == ["Bogdanov", "Kani", "Moscow"]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_a_character_yaml_does_not_allow_is_an_error_at_its_place(
    tmp_path: Path, char: str
) -> None:
    path = write(tmp_path, f"- name: Kani\n- name: Bog{char}danov\n")
    with pytest.raises(DataFileError) as caught:
        read_entries(path, "actors.yaml")
    diagnostic = caught.value.diagnostic
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("E029", 2, 12)
    assert f"#x{ord(char):04x}" in diagnostic.message


@pytest.mark.parametrize(
    "text, line, column, words",
    [
        ("- name: null\n", 1, 9, "`null` is no name"),
        ("- {name: null}\n", 1, 10, "`null` is no name"),
        ("- name: Kani\n  aliases: [~, Bagheri]\n", 2, 13, "`~` is no name"),
        ("- name: Kani\n  name: Bogdanov\n", 2, 3, "`name:` is given twice"),
    ],
)
def test_a_name_yaml_reads_as_nothing_or_a_key_given_twice_is_an_error(
    tmp_path: Path, text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(DataFileError) as caught:
        read_entries(write(tmp_path, text), "actors.yaml")
    diagnostic = caught.value.diagnostic
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("E029", line, column)
    assert words in diagnostic.message


def test_names_yaml_would_read_as_other_things_stay_text(tmp_path: Path) -> None:
    # never constructed: "NO" (Norway) stays text, and so does a quoted "null"
    text = "- name: Norway\n  aliases: [NO]\n- name: 'null'\n"
    assert read_entries(write(tmp_path, text), "a.yaml") == [
        (Entry("Norway"), ["Norway", "NO"]),
        (Entry("null"), ["null"]),
    ]


@pytest.mark.parametrize("form", ["- name: {phrase}\n", "- {{name: Kani, aliases: [{phrase}]}}\n"])
def test_a_name_of_more_than_500_characters_is_an_error(tmp_path: Path, form: str) -> None:
    with pytest.raises(DataFileError) as caught:
        read_entries(write(tmp_path, form.format(phrase="x" * 501)), "actors.yaml")
    assert caught.value.diagnostic.line == 1
    assert "more than 500 characters" in caught.value.diagnostic.message
    assert read_entries(write(tmp_path, form.format(phrase="x" * 500)), "actors.yaml")
