"""What stands near an anchor word: a paragraph holding a rule's anchor word is prepared
only where what the rule's pattern needs around that word can stand there.

`a:actor ...{0,6} "lambasted" "with"? ...{0,3} b:actor` needs an actor ending within 7
tokens before "lambasted" and one starting within 5 tokens after it; a paragraph where
"lambasted" has no name in reach is left out before it is tokenised for matching. As
with the word index, the records must never change: the last test compares them with
those found without any index on random texts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import without_index
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Document, RuleSet, load_rules, pipeline
from engine.compile import Neighbourhood

LAMBASTED = """
relation CLASH(a: actor, b: actor)
entity actor: gazetteer "actors.yaml" with variants
rule lambasted -> CLASH: within sentence:
    a:actor ...{0,6} "lambasted" "with"? ...{0,3} b:actor
"""

ACTORS = """
- {name: Alice Arden}
- {name: Bob Brandt}
- {name: Ali Bagheri Kani, aliases: [Bagheri Kani]}
"""


def build(tmp_path: Path, rules: str) -> RuleSet:
    (tmp_path / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    (tmp_path / "r.rules").write_text(rules, encoding="utf-8")
    return load_rules([tmp_path / "r.rules"])


def hoods(rules: RuleSet, word: str) -> list[list[tuple[int, list[tuple[str, str]]] | None]]:
    """A word's neighbourhoods, readable: per rule, (reach, sorted triggers) before, after."""
    found: tuple[Neighbourhood, ...] = rules.anchor_hoods[word]
    return [[None if side is None else (side[0], sorted(side[1])) for side in h] for h in found]


def kept(rules: RuleSet, text: str, near: bool = True) -> list[str]:
    """The paragraphs a probe prepares."""
    view, _, _ = pipeline.prepare_mentions(
        rules, Document("d", text), partial=True, probe=True, near=near
    )
    return [view.text[start:end] for start, end in view.paragraph_spans]


# ------------------------------------------------------------------ reading the pattern


def test_the_reach_of_each_side_counts_the_anchor_and_the_items_passed(tmp_path: Path) -> None:
    rules = build(tmp_path, LAMBASTED)
    # before: the gap (6) and the anchor itself (1); after: "with"? (1), the gap (3), the
    # anchor (1)
    assert hoods(rules, "lambasted") == [[(7, [("type", "actor")]), (5, [("type", "actor")])]]


def test_an_anchor_inside_a_phrase_reaches_as_far_as_its_longest_phrase(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        """
relation MEETING(a: actor, b: actor)
entity actor: gazetteer "actors.yaml"
entity talks: words "talks", "held talks", "held lengthy talks"
rule talked -> MEETING: within sentence: a:actor talks "with" b:actor
""",
    )
    # "talks" stands anywhere in a phrase of up to 3 tokens: an actor ends within 3 tokens
    # before it; "with" stands within 3 tokens after it, and must: the actor after it is
    # not the nearest item with known first tokens
    assert hoods(rules, "talks") == [[(3, [("type", "actor")]), (3, [("word", "with")])]]


def test_an_optional_item_is_one_of_the_tokens_that_may_stand_there(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        """
relation MEETING(a: actor, b: actor)
entity actor: gazetteer "actors.yaml"
rule met -> MEETING: within sentence:
    a:actor ("," | "and")? "conferred" ("with" | "alongside")? b:actor
""",
    )
    assert hoods(rules, "conferred") == [
        [
            (1, [("type", "actor"), ("word", ","), ("word", "and")]),
            (1, [("type", "actor"), ("word", "alongside"), ("word", "with")]),
        ]
    ]


def test_nothing_is_known_past_an_item_of_any_length(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        """
relation MEETING(a: actor, b: actor)
entity actor: gazetteer "actors.yaml"
entity place: regex /[A-Z][a-z]+ville/
rule met -> MEETING: within sentence: a:actor Cap* "conferred" place b:actor
""",
    )
    # before: a repetition of any length; after: a type found by a regex (where its
    # mentions start, or how long they are, cannot be told): nothing is known either side
    assert "conferred" not in rules.anchor_hoods


def test_a_word_that_anchors_a_rule_with_nothing_known_near_it_is_not_gated(
    tmp_path: Path,
) -> None:
    rules = build(
        tmp_path,
        LAMBASTED + 'rule said -> CLASH: within sentence: a:actor Cap* "lambasted" Cap* b:actor\n',
    )
    assert "lambasted" not in rules.anchor_hoods
    assert kept(rules, "The minister lambasted the plan.") == ["The minister lambasted the plan."]


# ------------------------------------------------------------------ looking around


def test_a_paragraph_where_the_anchor_has_no_name_in_reach_is_not_prepared(
    tmp_path: Path,
) -> None:
    rules = build(tmp_path, LAMBASTED)
    paragraphs = [
        "Alice Arden lambasted with the plan and Bob Brandt.",  # Bob: 5 tokens after
        "Alice Arden lambasted with the new plan and Bob Brandt.",  # 6 after
        "Alice Arden, as she said on Monday, lambasted Bob Brandt.",  # Arden: 8 before
        "Alice Arden, as she said Monday, lambasted Bagheri Kani.",  # 7 before
        "The minister lambasted the plan.",  # no name at all
    ]
    text = "\n\n".join(paragraphs) + "\n"
    assert kept(rules, text) == [paragraphs[0], paragraphs[3]]
    assert kept(rules, text, near=False) == paragraphs  # the word alone holds in each
    records, _ = pipeline.extract_in_context(rules, Document("d", text))
    assert len(records) == 2


def test_the_reach_ends_at_the_paragraph(tmp_path: Path) -> None:
    rules = build(tmp_path, LAMBASTED)
    text = "Alice Arden lambasted\n\nBob Brandt.\n"  # a paragraph break after the word
    assert kept(rules, text) == []


def test_a_variant_spelling_stands_near_as_its_name_does(tmp_path: Path) -> None:
    rules = build(tmp_path, LAMBASTED)
    text = "Alice Arden lambasted Bagheri Khani.\n"  # Bagheri Kani, spelt otherwise
    assert kept(rules, text) == ["Alice Arden lambasted Bagheri Khani."]
    records, _ = pipeline.extract_in_context(rules, Document("d", text))
    assert [r["args"]["b"] for r in records] == ["Ali Bagheri Kani"]


def test_a_mention_an_entity_rule_makes_starts_where_its_match_does(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        LAMBASTED
        + """
entity role: words "envoy", "minister"
rule described -> actor: within sentence: "the" "visiting" role
""",
    )
    # an actor starts where a match of `described` can: at "the"
    assert rules.type_starts["actor"].rules == (frozenset({("word", "the")}),)
    text = "Alice Arden lambasted the visiting envoy.\n"
    assert kept(rules, text) == ["Alice Arden lambasted the visiting envoy."]
    records, _ = pipeline.extract_in_context(rules, Document("d", text))
    assert [r["args"]["b"] for r in records] == ["the visiting envoy"]


def test_where_an_entity_rule_ends_cannot_be_told_its_type_is_known_on_one_side(
    tmp_path: Path,
) -> None:
    rules = build(
        tmp_path,
        LAMBASTED
        + """
entity role: words "envoy", "minister"
rule named -> actor: within sentence: role Cap Cap
""",
    )
    assert "actor" in rules.type_starts and "actor" not in rules.type_ends
    assert hoods(rules, "lambasted") == [[None, (5, [("type", "actor")])]]
    # the actor after the word is made by the rule (from "minister"), the one before it
    # is not looked for
    text = "Then Carl Crane lambasted minister Dan Dorn.\n"
    assert kept(rules, text) == ["Then Carl Crane lambasted minister Dan Dorn."]
    assert kept(rules, "Then Carl Crane lambasted the plan.\n") == []


def test_cue_sentences_of_stats_see_every_anchor_word(tmp_path: Path) -> None:
    """--stats reports the sentences holding a cue word that give no record: a sentence
    where no name stands near "lambasted" is such a sentence, and must be prepared."""
    rules = build(tmp_path, LAMBASTED)
    document = Document("d", "The minister lambasted the plan.\n")
    records, context = pipeline.extract_in_context(rules, document, probe=False)
    assert records == [] and context is not None
    assert context.view.paragraph_spans != []


# ------------------------------------------------------------------ the same records

PROPERTY_RULES = """
relation CLASH(a: actor, b: actor, city?)
entity actor: gazetteer "actors.yaml" with variants
entity city: words "Paris", "Lyon"
rule lambasted -> CLASH: within sentence:
    a:actor ...{0,6} "lambasted" "with"? ...{0,3} b:actor
    fill city from nearest city in sentence, paragraph, document
entity role: words "envoy", "minister", "foreign minister"
entity negation: words "not", "never"
rule titled -> actor: within sentence: role p:actor
    fill value from p
rule described -> actor: within sentence: "the" "visiting" role
rule met -> CLASH: within sentence:
    a:actor ("," | "and")? v:"met" ("with" | ...{1,2} "with")? b:actor
    unless negation before v within 2
"""

VOCABULARY = [
    "Alice Arden",
    "Bob Brandt",
    "Bagheri Kani",
    "Bagheri Khani",
    "Baghiri",
    "minister",
    "foreign minister",
    "the",
    "visiting",
    "envoy",
    "lambasted",
    "met",
    "with",
    "and",
    "not",
    "K.",
    "U.S.",
    "said",
    "in Paris",
    "Lyon",
    ",",
    ".",
    "'s",
    "\n",
    "\n\n",
]


@pytest.fixture(scope="module")
def property_rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    return build(tmp_path_factory.mktemp("nearby"), PROPERTY_RULES)


@settings(max_examples=400, deadline=None)
@given(
    paragraphs=st.lists(
        st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=30), min_size=1, max_size=4
    )
)
def test_looking_near_the_anchors_changes_no_record(
    property_rules: RuleSet, paragraphs: list[list[str]]
) -> None:
    text = "\n\n".join(" ".join(words) for words in paragraphs)
    text = text.replace(" \n", "\n").replace("\n ", "\n") + ".\n"
    document = Document("d", text)
    assert "lambasted" in property_rules.anchor_hoods  # the gate is on
    found, _ = pipeline.extract_in_context(property_rules, document)
    assert found == pipeline.extract_document(without_index(property_rules), document)
