"""The rule index: each rule is tried only in units (sentences, paragraphs) holding one of
its anchor words, and a document holding no relation rule's anchor is not prepared at all.

The index must never change what is found: the last tests run the shipped rules over
every example text with and without it and compare the records.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, SEEDS, without_index
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Document, RuleSet, extract_text, load_rules, pipeline
from engine.compile import nullable, token_lengths
from engine.documents import read_inputs
from engine.findings import trigger_positions
from engine.match import Context, GapNode, Mention, SeqNode, matches_in
from engine.match import Test as AttributeTest
from engine.pipeline import extract_document, may_match
from engine.text import view

RULES = """
relation MEETING(actor, actor)
entity actor: regex /Alice Arden|Bob Brandt/
entity meets: words "met", "held talks", "had a meeting"
entity said: words "said"
rule met -> MEETING: within sentence: a:actor meets "with"? b:actor
rule talks -> MEETING: within sentence: "talks" "between" a:actor "and" b:actor
"""


def build(tmp_path: Path, text: str) -> RuleSet:
    (tmp_path / "r.rules").write_text(text, encoding="utf-8")
    return load_rules([tmp_path / "r.rules"])


def anchors_of(rules: RuleSet) -> dict[str, frozenset[str] | None]:
    return {rule.name: rule.anchors for rule in rules.relation_rules}


def test_a_word_list_anchors_a_rule_by_the_rarest_word_of_each_phrase(tmp_path: Path) -> None:
    # "held talks" is anchored by its first uncommon word, "held" (both must be there);
    # "had a meeting" by "meeting" ("had" and "a" are common words); an actor is found
    # by a regex, which tells no word, so it anchors nothing
    assert anchors_of(build(tmp_path, RULES)) == {
        "met": frozenset({"met", "held", "meeting"}),
        "talks": frozenset({"talks"}),
    }


def test_a_word_that_stands_for_phrases_is_held_only_where_one_of_them_stands(
    tmp_path: Path,
) -> None:
    """ "held" anchors `met` for "held talks" alone, and "meeting" for "had a meeting": a
    text holds them for the index only inside their phrases. Words a rule needs alone
    ("met", "talks") hold anywhere; so does a word that one rule needs alone and another
    in a phrase."""
    rules = build(tmp_path, RULES)
    assert sorted(rules.anchor_phrases) == ["held", "meeting"]
    held = 'rule held -> MEETING: within sentence: a:actor "held" b:actor\n'
    alone = build(tmp_path, RULES + held)
    assert sorted(alone.anchor_phrases) == ["meeting"]
    assert may_match(alone, "The helmet held.") and not may_match(rules, "The helmet held.")


def test_a_phrase_written_in_a_rule_anchors_as_a_phrase(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        "relation R(actor, actor)\nentity actor: regex /Alice Arden|Bob Brandt/\n"
        'rule r -> R: within sentence: a:actor ("holding talks" | "sat down") "with" b:actor\n',
    )
    assert anchors_of(rules) == {"r": frozenset({"holding", "sat"})}
    assert not may_match(rules, "Alice Arden sat with Bob Brandt, holding a cup.")
    assert may_match(rules, "Alice Arden sat\ndown with Bob Brandt.")
    records = extract_text(rules, "Alice Arden sat down with Bob Brandt.", doc="d")
    assert [r["args"] for r in records] == [{"actor1": "Alice Arden", "actor2": "Bob Brandt"}]


def test_common_words_anchor_only_when_nothing_rarer_is_required(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        "relation R(actor)\nentity actor: regex /Alice Arden/\n"
        'rule r -> R: within sentence: "with" a:actor "and" "the"\n',
    )
    assert anchors_of(rules) == {"r": frozenset({"with"})}


def test_optional_parts_and_open_alternatives_are_not_anchors(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        "relation R(actor)\nentity actor: regex /Alice Arden/\n"
        'rule optional -> R: within sentence: "talks"? a:actor\n'
        'rule open -> R: within sentence: ("talks" | Cap) a:actor\n'
        'rule required -> R: within sentence: ("talks" | "meeting") a:actor\n',
    )
    assert anchors_of(rules) == {
        "optional": None,
        "open": None,
        "required": frozenset({"talks", "meeting"}),
    }
    assert rules.relation_anchors is None  # one rule can match without any word


def triggers_of(rules: RuleSet) -> dict[str, frozenset[tuple[str, str]] | None]:
    return {rule.name: rule.triggers for rule in rules.relation_rules}


def test_a_match_starts_only_where_its_first_token_can_stand(tmp_path: Path) -> None:
    # optional leading parts add their first tokens to those of what follows them
    rules = build(
        tmp_path,
        'relation R(actor)\nentity actor: regex /Alice Arden/\nentity role: words "envoy"\n'
        'rule lead -> R: within sentence: ("the" | "a")? "senior"? role a:actor\n'
        'rule any -> R: within sentence: "the"? a:actor?\n'
        'rule open -> R: within sentence: "the"? Cap a:actor\n',
    )
    assert triggers_of(rules) == {
        "lead": frozenset({("word", "the"), ("word", "a"), ("word", "senior"), ("type", "role")}),
        "any": None,  # can match nothing: a start anywhere
        "open": None,  # a capitalised word can be any word
    }


def test_a_match_beginning_with_an_optional_part_is_found_whole(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        'relation R(actor)\nentity actor: regex /Alice Arden/\nentity role: words "envoy"\n'
        'rule lead -> actor: within sentence: ("the" | "a")? "senior"? role actor\n'
        'rule r -> R: within sentence: a:actor "spoke"\n',
    )
    for text, made in (
        ("Yesterday the senior envoy Alice Arden spoke.", "the senior envoy Alice Arden"),
        ("Yesterday senior envoy Alice Arden spoke.", "senior envoy Alice Arden"),
        ("Yesterday envoy Alice Arden spoke.", "envoy Alice Arden"),
    ):
        found = pipeline.mentions_of(rules, Document("d", text), "actor")
        assert [surface for surface, _, source in found if source == "lead"] == [made]


def test_a_type_that_rules_also_make_is_not_an_anchor(tmp_path: Path) -> None:
    """Mentions of `meets` may come from a rule, not only from its word list: indexing by
    the list would miss what the rule makes."""
    rules = build(
        tmp_path,
        RULES + 'rule sat_down -> meets: within sentence: "sat" "down"\n',
    )
    assert anchors_of(rules)["met"] is None
    records = extract_text(rules, "Alice Arden sat down with Bob Brandt.", doc="d")
    assert [r["args"] for r in records] == [{"actor1": "Alice Arden", "actor2": "Bob Brandt"}]


def test_a_document_without_anchor_words_is_not_prepared(tmp_path: Path) -> None:
    """Not prepared: no context (view, mentions) comes back with its no records. (Seen
    from outside, not by patching the pipeline: its calls inside a compiled build
    do not go through the module's names.)"""
    rules = build(tmp_path, RULES)
    quiet = Document("d", "Alice Arden greeted Bob Brandt.", datetime.date(2023, 10, 27))
    assert pipeline.extract_in_context(rules, quiet) == ([], None)
    spoken = Document("d", "Alice Arden met Bob Brandt.", datetime.date(2023, 10, 27))
    records, context = pipeline.extract_in_context(rules, spoken)
    assert len(records) == 1 and context is not None


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("Alice Arden greeted Bob Brandt.", False),
        ("Alice Arden MET Bob Brandt.", True),  # case does not matter
        ("Alice Arden &#109;et Bob Brandt.", True),  # an entity may fold into "met"
        ("Alice Arden ﬁrst greeted Bob.", True),  # not ASCII: folding may make a word
        ("Talks--between them.", True),
        ("The metal helmet held talks.", True),  # "held talks": whole words
        ("The metal helmet held.", False),  # "held" stands only for "held talks" here
        ("Alice Arden held\n   talks with Bob.", True),  # a phrase over a hard wrap
        ("Alice Arden held  Talks.", True),  # any space, any case
        ("Alice Arden had a\nmeeting with Bob Brandt.", True),  # what stands before "meeting"
        ("A meeting of Alice Arden and Bob Brandt.", False),  # "meeting" alone is no phrase
        ("The metal helmet melted.", False),  # "met" only inside other words
        ("Alice Arden met.", True),  # at the end of the text
        ("met Bob Brandt", True),  # at its start
        ("Alice 5met Bob.", True),  # a number and a word are two tokens
        ("Alice met2 Bob.", False),  # a word goes on over digits
        ("Alice Arden met-up Bob.", True),  # glued by a hyphen: counted (errs towards yes)
        ("Alice met Bob!", True),  # a punctuation mark stands alone
        ("Alice Arden held 5 talks between 2 and 3 pm.", True),
    ],
)
def test_may_match_errs_only_towards_preparing(tmp_path: Path, text: str, may: bool) -> None:
    assert may_match(build(tmp_path, RULES), text) is may


@pytest.mark.parametrize(
    ("said", "may"),
    [
        ("said 5!", True),
        ("said 55!", False),  # "5" only inside a longer number
        ("said 5th!", True),  # a number, then a word
        ("said a5!", False),  # a word goes on over digits
        ("said 5 !", True),
        ("said 5", False),  # no "!"
    ],
)
def test_numbers_and_marks_are_found_as_the_tokens_they_make(
    tmp_path: Path, said: str, may: bool
) -> None:
    rules = build(
        tmp_path,
        "relation MEETING(actor, actor)\nentity actor: regex /Alice Arden|Bob Brandt/\n"
        'rule said -> MEETING: within sentence: a:actor "said" "5" "!" b:actor\n',
    )
    assert may_match(rules, f"Alice Arden {said} Bob Brandt") is may


def test_html_entities_folding_into_an_anchor_still_match(tmp_path: Path) -> None:
    records = extract_text(build(tmp_path, RULES), "Alice Arden &#109;et Bob Brandt.", doc="d")
    assert len(records) == 1


# ------------------------------------------------------------------ the index changes nothing


def _example_documents() -> list[Document]:
    documents = []
    for path in sorted((ROOT / "tests" / "examples").glob("meeting*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        examples = data if isinstance(data, list) else [
            example for group in data.values() if isinstance(group, dict)
            for kind in group.values() if isinstance(kind, list) for example in kind
        ]  # fmt: skip
        for number, example in enumerate(examples):
            if isinstance(example, dict) and "text" in example:
                published = example.get("published")
                if isinstance(published, str):
                    published = datetime.date.fromisoformat(published)
                documents.append(Document(f"{path.name}#{number}", example["text"], published))
    return documents


def test_the_index_changes_no_record_of_the_examples_or_seeds(shipped_rules: RuleSet) -> None:
    documents = _example_documents()
    documents += [d for d in read_inputs([str(SEEDS)], None, None) if isinstance(d, Document)]  # type: ignore[arg-type]
    assert len(documents) > 150
    plain = without_index(shipped_rules)
    found = 0
    for document in documents:
        indexed = extract_document(shipped_rules, document)
        assert indexed == extract_document(plain, document), document.id
        found += len(indexed)
    assert found > 100


# ------------------------------------------------------------------ focused cascades

CASCADE = """
relation MEETING(a: actor, b: actor, city?)
entity title: words "minister", "envoy"
entity city: words "Paris", "Lyon"
entity actor: words "Alice Arden", "Bob Brandt", "Acme"
rule titled -> actor: within sentence: title p:actor
    fill value from p
rule met -> MEETING: within sentence: a:actor "met" b:actor
    fill city from nearest city in sentence, paragraph, document
"""


def test_entity_rules_run_only_where_a_record_can_come_from(tmp_path: Path) -> None:
    rules = build(tmp_path, CASCADE)
    assert rules.focused_cascades
    text = (
        "The minister Alice Arden flew in from Lyon.\n\n"  # no anchor: `titled` not run here
        "The envoy Bob Brandt met minister Alice Arden in Paris.\n"
    )
    document = Document("d", text, datetime.date(2023, 10, 27))
    _, focused, _ = pipeline.prepare_mentions(rules, document, focus=True)
    _, everywhere, _ = pipeline.prepare_mentions(rules, document)
    made = [(m.first, m.source) for m in everywhere.all_of("actor") if m.source == "titled"]
    assert len(made) == 3  # in both paragraphs
    kept = [(m.first, m.source) for m in focused.all_of("actor") if m.source == "titled"]
    assert kept == made[1:]  # in the paragraph with "met" only
    (record,) = extract_document(rules, document)
    assert record == extract_document(without_index(rules), document)[0]
    start, end = record["spans"]["b"]
    assert text[start:end] == "minister Alice Arden"


def test_a_slot_filled_from_the_document_with_a_made_type_runs_every_cascade(
    tmp_path: Path,
) -> None:
    """`nearest actor in document` may take an actor made far from any anchor."""
    rules = build(
        tmp_path,
        CASCADE.replace("city?)", "city?, host: actor?)")
        + "    fill host from nearest actor in document\n",
    )
    assert not rules.focused_cascades


def test_an_entity_rule_filled_from_the_document_with_a_made_type_runs_every_cascade(
    tmp_path: Path,
) -> None:
    """An entity rule's value from `nearest actor in document` (the most mentioned one) may
    count actors made in paragraphs no relation rule looks at."""
    rules = build(
        tmp_path,
        CASCADE
        + 'rule agent -> actor: within sentence: "agent" n:Cap\n'
        + "    fill value from n\n"
        + 'rule the_agent -> actor: within sentence: "the" "agent"\n'
        + "    fill value from nearest actor in document\n",
    )
    assert not rules.focused_cascades
    # "agent Smith" twice in a paragraph without an anchor, "agent Jones" once: the agent
    # who met Acme is Smith, the actor the document mentions most
    text = "The agent Smith spoke. The agent Smith left.\n\nAgent Jones and the agent met Acme.\n"
    document = Document("d", text, datetime.date(2023, 10, 27))
    pairs = {frozenset((r["args"]["a"], r["args"]["b"])) for r in extract_document(rules, document)}
    assert frozenset(("Smith", "Acme")) in pairs
    assert frozenset(("Jones", "Acme")) not in pairs


def test_an_except_cue_using_a_made_type_runs_every_cascade(tmp_path: Path) -> None:
    rules = build(tmp_path, CASCADE + "        except after actor\n")
    assert not rules.focused_cascades


def test_only_rules_with_an_anchor_in_the_document_are_tried(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        RULES + "rule open -> MEETING: within sentence: a:actor Cap b:actor\n",
    )
    by_name = [r.name for r in rules.relation_rules]
    assert by_name == ["met", "talks", "open"]
    assert [r.name for r in rules.relation_rules_for({"talks", "between"})] == ["talks", "open"]
    # `talks` also requires "between": "talks" alone is not enough
    assert [r.name for r in rules.relation_rules_for({"talks", "the"})] == ["open"]
    assert [r.name for r in rules.relation_rules_for({"held", "talks", "between"})] == by_name
    assert [r.name for r in rules.relation_rules_for(set())] == ["open"]


def test_a_rule_is_indexed_by_every_set_of_words_its_matches_require(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        RULES + 'rule visit -> MEETING: within sentence: a:actor ("arrived" | "came" "to") '
        '...{0,4} "to" ("discuss" | "meet") "with"? b:actor\n',
    )
    requires = {rule.name: rule.requires for rule in rules.relation_rules}
    # each word of a phrase, a word list (by the rarest word of each of its phrases), one
    # word of each alternative; common words ("to", "with", "and") tell nothing. The
    # anchors (the set that picks the sentences a rule is tried in) come first
    assert requires == {
        "met": (frozenset({"met", "held", "meeting"}),),
        "talks": (frozenset({"talks"}), frozenset({"between"})),
        "visit": (frozenset({"arrived", "came"}), frozenset({"discuss", "meet"})),
    }
    text = "Alice Arden came to Paris to discuss with Bob Brandt."
    assert may_match(rules, text)
    assert not may_match(rules, text.replace("came", "flew"))  # "discuss" alone
    assert not may_match(rules, "The talks went on. Alice Arden stayed.")  # no "between"
    (record,) = extract_document(rules, Document("d", text))
    assert record["rule"] == "visit"


def test_an_alternation_requires_one_set_of_each_option_in_every_combination(
    tmp_path: Path,
) -> None:
    """("holding" ...{0,2} talks_noun "with" | "talks" "with"): a match holds "holding" or
    "talks", and also a talks_noun word or "talks". Both sets index the rule, so
    "holding" without a talks_noun word is no reason to try it; the anchors stay the
    rarest words of each option."""
    rules = build(
        tmp_path,
        "relation R(actor, actor)\nentity actor: regex /Alice Arden|Bob Brandt/\n"
        'entity talks_noun: words "talks", "discussions"\n'
        'rule r -> R: within sentence: a:actor ...{0,2} "after" ("holding" ...{0,2} '
        'talks_noun "with" | "talks" "with") b:actor\n',
    )
    (rule,) = rules.relation_rules
    assert rule.anchors == frozenset({"holding", "talks"})
    assert set(rule.requires) == {
        frozenset({"holding", "talks"}),
        frozenset({"talks", "discussions"}),
    }
    assert not may_match(rules, "Alice Arden left after holding shares of Bob Brandt.")
    text = "Alice Arden left after holding long discussions with Bob Brandt."
    assert may_match(rules, text)
    (record,) = extract_document(rules, Document("d", text))
    assert record["args"] == {"actor1": "Alice Arden", "actor2": "Bob Brandt"}


def test_a_word_stands_for_its_phrases_only_in_the_sets_that_index_the_rule(
    tmp_path: Path,
) -> None:
    """`v:(meets | hold ...{0,3} talks_noun)` also requires a meets or a hold word, but
    "had" is too common for the index to use that set: "held" is held only in "held
    talks" (a meets phrase), not alone as a hold word would be."""
    rules = build(
        tmp_path,
        "relation R(actor, actor)\nentity actor: regex /Alice Arden|Bob Brandt/\n"
        'entity meets: words "met", "held talks"\n'
        'entity hold: words "held", "had"\n'
        'entity talks_noun: words "talks", "discussions"\n'
        "rule r -> R: within sentence: a:actor v:(meets | hold ...{0,3} talks_noun) b:actor\n",
    )
    (rule,) = rules.relation_rules
    assert set(rule.requires) == {frozenset({"met", "held", "talks", "discussions"})}
    assert sorted(rules.anchor_phrases) == ["held"]
    assert not may_match(rules, "Alice Arden held a stake in Bob Brandt.")
    assert may_match(rules, "Alice Arden held talks with Bob Brandt.")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_may_hold_is_true_exactly_when_some_rule_has_each_set_it_requires(
    shipped_rules: RuleSet, data: Any
) -> None:
    """Words that are enough alone (anchors of a rule that requires nothing else) answer
    at once; the answer is the index's definition for any words."""
    rules = shipped_rules
    indexed = sorted({word for rule in rules.relation_rules for n in rule.requires for word in n})
    words = set(data.draw(st.lists(st.sampled_from([*indexed, "other"]), max_size=6)))
    expected = any(
        all(not words.isdisjoint(needed) for needed in rule.requires)
        for rule in rules.relation_rules
        if rule.anchors is not None
    )
    assert rules.may_hold(words) is expected
    assert rules.may_hold(dict.fromkeys(words, [0])) is expected  # a document's positions


# ------------------------------------------------------------------ partial views

PARTIAL = """
relation MEETING(a: actor, b: actor, city?)
entity city: words "Paris", "Lyon", "Geneva"
entity actor: words "Alice Arden", "Bob Brandt"
rule met -> MEETING: within sentence: a:actor "met" b:actor
    fill city from nearest city in sentence, dateline, paragraph, document
prepare:
    dateline /^\\s*([A-Z]{3,})\\s+-\\s/
"""

HEADED = (
    "Talks in Europe\n\n"  # the first paragraph (a headline)
    "GENEVA - Nothing happened in Lyon.\n\n"  # the dateline's paragraph
    "Alice Arden flew to Paris.\n\n"  # no anchor word
    "Alice Arden met Bob Brandt.\n"
)


def test_only_paragraphs_with_an_anchor_the_first_and_the_dateline_are_prepared(
    tmp_path: Path,
) -> None:
    rules = build(tmp_path, PARTIAL)
    document = Document("d", HEADED)
    text_view, _, _ = pipeline.prepare_mentions(rules, document, partial=True)
    kept = [text_view.text[start:end] for start, end in text_view.paragraph_spans]
    assert kept == [
        "Talks in Europe",
        "GENEVA - Nothing happened in Lyon.",
        "Alice Arden met Bob Brandt.",
    ]
    assert text_view.partial
    assert "paris" not in text_view.folded
    (record,) = extract_document(rules, document)
    assert record["args"]["city"] == "Geneva"  # from the dateline
    assert [record] == extract_document(without_index(rules), document)


def test_a_probe_prepares_only_the_paragraphs_with_an_anchor(tmp_path: Path) -> None:
    rules = build(tmp_path, PARTIAL)
    text_view, context, _ = pipeline.prepare_mentions(
        rules, Document("d", HEADED), partial=True, probe=True
    )
    kept = [text_view.text[start:end] for start, end in text_view.paragraph_spans]
    assert kept == ["Alice Arden met Bob Brandt."]
    assert text_view.title is None and context.probe
    # a headline that holds an anchor word is kept as any paragraph is, and is the title
    text_view, _, _ = pipeline.prepare_mentions(
        rules,
        Document("d", "Alice Arden met Bob Brandt\n\nThey talked.\n"),
        partial=True,
        probe=True,
    )
    assert text_view.title == (0, 5)


def test_a_document_where_no_pattern_matches_is_prepared_no_further_than_the_probe(
    tmp_path: Path,
) -> None:
    rules = build(tmp_path, PARTIAL)
    heading = "Talks in Europe\n\nGENEVA - Nothing happened in Lyon.\n\n"
    # an anchor word, no match: no records, and the context is the probe's (which did
    # not even prepare the paragraph: no name stands right after "met", tests/test_nearby.py)
    records, context = pipeline.extract_in_context(
        rules, Document("d", heading + "Alice Arden met nobody.\n")
    )
    assert records == [] and context is not None and context.probe
    assert len(context.view.paragraphs) == 0
    # ... and without looking near the word, the probe prepares that paragraph alone
    view, context, _ = pipeline.prepare_mentions(
        rules, Document("d", heading + "Alice Arden met nobody.\n"), partial=True, probe=True
    )
    assert context.probe and len(view.paragraphs) == 1
    # a match: the heading is prepared too, and the dateline's city fills the record
    records, context = pipeline.extract_in_context(
        rules, Document("d", heading + "Alice Arden met Bob Brandt.\n")
    )
    assert context is not None and not context.probe and len(context.view.paragraphs) == 3
    assert [r["args"]["city"] for r in records] == ["Geneva"]


def test_an_entity_rule_asking_about_the_heading_stops_the_probe(tmp_path: Path) -> None:
    """In a probe the title is not prepared: a cascade filled from there would make no
    mention, and the record it leads to would be missed."""
    rules = build(
        tmp_path,
        PARTIAL + 'rule host -> actor: within sentence: "the" "host"\n'
        "    fill value from nearest actor in title\n",
    )
    document = Document("d", "Alice Arden in Paris\n\nThe host met Bob Brandt.\n")
    with pytest.raises(pipeline.WholeDocumentNeeded):
        pipeline.prepare_mentions(rules, document, partial=True, probe=True)
    (record,) = extract_document(rules, document)
    assert (record["args"]["a"], record["args"]["b"]) == ("Alice Arden", "Bob Brandt")
    assert [record] == extract_document(without_index(rules), document)


def test_a_rule_asking_for_the_whole_document_has_it_prepared_whole(tmp_path: Path) -> None:
    # no city in the sentence, no dateline, none in the paragraph: the story's main
    # city, Paris, is named in two paragraphs without an anchor word
    rules = build(tmp_path, PARTIAL)
    text = (
        "Alice Arden flew to Paris on Monday.\n\n"
        "Paris was sunny.\n\n"
        "She said Lyon was next.\n\n"
        "Alice Arden met Bob Brandt.\n"
    )
    document = Document("d", text)
    with pytest.raises(pipeline.WholeDocumentNeeded):
        context = pipeline.prepare_mentions(rules, document, partial=True)
        pipeline.find_records(rules, "d", context[1], context[2])
    (record,) = extract_document(rules, document)
    assert record["args"]["city"] == "Paris"
    assert [record] == extract_document(without_index(rules), document)


def test_records_that_need_no_heading_come_from_the_probe(tmp_path: Path) -> None:
    """A record is made from a match in a paragraph holding an anchor word, which the
    probe prepares as a partial view would: when no rule asks about the heading (the
    city is in the sentence; the document has no dateline, so there is none to ask
    about), the probe's records are the document's, and nothing more is prepared."""
    rules = build(tmp_path, PARTIAL)
    for text, city in (
        ("Talks in Europe\n\nNothing new.\n\nAlice Arden met Bob Brandt in Lyon.\n", "Lyon"),
        # no city in the sentence, none in the dateline (there is none), one in the paragraph
        ("Talks in Europe\n\nAlice Arden met Bob Brandt. Geneva was cold.\n", "Geneva"),
    ):
        records, context = pipeline.extract_in_context(rules, Document("d", text))
        assert context is not None and context.probe, text
        assert [r["args"]["city"] for r in records] == [city]
        assert records == extract_document(without_index(rules), Document("d", text))
    # a dateline the probe did not prepare is asked about: the partial view has it
    dated = "Talks in Europe\n\nGENEVA - Nothing new.\n\nAlice Arden met Bob Brandt.\n"
    records, context = pipeline.extract_in_context(rules, Document("d", dated))
    assert context is not None and context.partial and not context.probe
    assert [r["args"]["city"] for r in records] == ["Geneva"]


def test_a_probe_asked_about_the_whole_document_goes_straight_to_it(tmp_path: Path) -> None:
    """An entity rule that asks the probe for the story's main actor would ask a partial
    view the same (its paragraph holds the same mentions there): the probe says so, and
    the document is prepared whole at once, with the record a whole preparation gives.
    A probe asked about the heading leaves it to the partial view, which holds it."""
    rules = build(
        tmp_path,
        PARTIAL + 'rule host -> actor: within sentence: "the" "host"\n'
        "    fill value from nearest actor in document\n",
    )
    # the story's main actor, Alice Arden, is named twice, in a paragraph without an anchor
    text = (
        "Nothing new\n\nAlice Arden flew to Lyon. Alice Arden waved.\n\n"
        "The host met Bob Brandt in Paris.\n"
    )
    document, limits = Document("d", text), pipeline.Limits()
    with pytest.raises(pipeline.WholeDocumentNeeded):
        pipeline._unless_more_needed(pipeline._probe, rules, document, limits)
    with pytest.raises(pipeline.WholeDocumentNeeded):
        pipeline._unless_more_needed(pipeline._partial, rules, document, limits)
    (record,), context = pipeline.extract_in_context(rules, document)
    assert context is not None and not context.partial
    assert (record["args"]["a"], record["args"]["b"]) == ("Alice Arden", "Bob Brandt")
    assert record["args"]["city"] == "Paris"
    assert [record] == extract_document(without_index(rules), document)
    # asked about the title instead, the probe leaves it to the partial view
    titled = build(
        tmp_path,
        PARTIAL + 'rule host -> actor: within sentence: "the" "host"\n'
        "    fill value from nearest actor in title\n",
    )
    headed = Document("d", "Alice Arden in Paris\n\nThe host met Bob Brandt.\n")
    assert pipeline._unless_more_needed(pipeline._probe, titled, headed, limits) is None


DATELINE_GUEST = r"""
prepare:
    dateline /^\s*By (Minister \w+) -/
relation MET(a: actor, b: actor) unordered
entity actor: words "Alice Arden"
rule minister -> actor: within sentence: "Minister" Cap
rule guest -> actor: within sentence: "the" "guest"
    fill value from nearest actor in dateline
rule met -> MET: within sentence: a:actor "met" b:actor
"""


def test_an_entity_rule_filled_from_the_dateline_has_the_dateline_cascaded(
    tmp_path: Path,
) -> None:
    # "the guest" is the actor the dateline names, and only an entity rule makes that
    # actor: a view prepared only where records come from must cascade the dateline too
    rules = build(tmp_path, DATELINE_GUEST)
    assert rules.made_reach == frozenset({"dateline"})
    text = "A headline\n\nBy Minister Dupont - notes.\n\nAlice Arden met the guest on Monday.\n"
    document = Document("d", text)
    whole, _ = pipeline.extract_in_context(rules, document, skip=False)
    assert [r["args"] for r in whole] == [{"a": "Alice Arden", "b": "Minister Dupont"}]
    assert extract_document(rules, document) == whole


def test_names_and_regexes_are_not_found_across_a_paragraph_break(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        PARTIAL + "entity code: regex /Bob\\s+Brandt/\n"
        'rule coded -> MEETING: within paragraph: a:actor "met" c:code\n'
        "    fill b from nearest actor in paragraph\n",
    )
    text = "Alice Arden met Bob\n\nBrandt met Alice\n\nArden on Monday.\n"
    for partial in (False, True):
        _, context, _ = pipeline.prepare_mentions(rules, Document("d", text), partial=partial)
        assert [(m.first, m.end) for m in context.all_of("actor")] == [(0, 2)]
        assert context.all_of("code") == []


TITLED = """
relation MEETING(a: actor, b: actor, host: actor?)
entity title: words "minister", "envoy"
entity actor: words "Alice Arden", "Bob Brandt", "Carl Conte"
rule titled -> actor: within sentence: title p:actor
    fill value from p
rule met -> MEETING: within sentence: a:actor "met" b:actor
"""


def test_entity_rules_run_in_a_partial_view_only_where_their_mentions_reach_a_record(
    tmp_path: Path,
) -> None:
    text = (
        "Envoy Carl Conte arrives\n\n"  # the title: no fill looks there, no cascade
        "The minister Alice Arden flew in.\n\n"  # not kept at all
        "The envoy Bob Brandt met minister Alice Arden.\n"
    )
    document = Document("d", text)
    rules = build(tmp_path, TITLED)
    assert rules.made_reach == frozenset()
    _, context, _ = pipeline.prepare_mentions(rules, document, partial=True)
    made = [
        context.view.token_text(m.first, m.end)
        for m in context.all_of("actor")
        if m.source == "titled"
    ]
    assert made == ["envoy Bob Brandt", "minister Alice Arden"]
    # a slot filled from the title with a made type: the title's paragraph is cascaded too
    rules = build(tmp_path, TITLED + "    fill host from nearest actor in title\n")
    assert rules.made_reach == frozenset({"title"})
    _, context, _ = pipeline.prepare_mentions(rules, document, partial=True)
    made = [
        context.view.token_text(m.first, m.end)
        for m in context.all_of("actor")
        if m.source == "titled"
    ]
    assert made == ["Envoy Carl Conte", "envoy Bob Brandt", "minister Alice Arden"]
    (record,) = extract_document(rules, document)
    assert record["args"]["host"] == "Carl Conte"
    assert [record] == extract_document(without_index(rules), document)


# ------------------------------------------------------------------ mentions made when asked for


def test_a_type_is_made_only_when_a_rule_asks_for_it(tmp_path: Path) -> None:
    rules = build(tmp_path, RULES)
    text = "Alice Arden met Bob Brandt, the agency said."
    _, context, facts = pipeline.prepare_mentions(rules, Document("d", text))
    assert set(context.pending) == {"actor", "meets", "said"}  # no entity rule asked yet
    records = pipeline.find_records(rules, "d", context, facts)
    assert [(r["args"]["actor1"], r["args"]["actor2"]) for r in records] == [
        ("Alice Arden", "Bob Brandt")
    ]
    # `met` asked for actors and `meets`; nothing asked for `said`
    assert set(context.pending) == {"said"}
    said = context.all_of("said")
    # Alice(0) Arden(1) met(2) Bob(3) Brandt(4) ,(5) the(6) agency(7) said(8) .(9)
    assert [(m.first, m.end, m.value) for m in said] == [(8, 9, "said")]
    assert context.pending == {}


def test_a_pending_type_is_made_once_and_as_the_rules_change_it() -> None:
    made: list[str] = []

    def make() -> list[Mention]:
        made.append("said")
        return [Mention("said", 1, 2, "said")]

    context = Context.of(view("He said so."), (), {"said": make})
    assert made == []
    assert list(context.by_start("said")) == [1]
    assert [m.first for m in context.all_of("said")] == [1]
    assert made == ["said"]  # asked twice, made once
    # a type replaced (by an entity rule's mentions) before it was asked for is never made
    context = Context.of(view("He said so."), (), {"said": make})
    context.replace_type("said", [Mention("said", 0, 1, "he")])
    assert [m.value for m in context.all_of("said")] == ["he"]
    assert made == ["said"]


def test_a_gap_before_a_type_ends_only_where_a_mention_of_it_starts(tmp_path: Path) -> None:
    """A compiled gap knows what the next item starts with, and ends only there: the same
    matches as trying every end of the gap, for fewer search steps."""
    rules = build(tmp_path, RULES.replace("a:actor meets", "a:actor ...{0,8} meets"))
    fused = next(rule.node for rule in rules.relation_rules if rule.name == "met")
    assert isinstance(fused, SeqNode)
    gap = fused.items[1]
    assert isinstance(gap, GapNode) and gap.before == (frozenset(), ("meets",))
    # the same sequence, its gap trying every end and `meets` checking where it starts
    plain = SeqNode(
        (fused.items[0], GapNode(gap.min, gap.max), *fused.items[2:]),
        (fused.guards[0], None, gap.before, *fused.guards[3:]),
    )
    # Alice0 Arden1 ,2 as3 she4 told5 us6 ,7 finally8 met9 with10 Bob11 Brandt12 and13
    # met14 Bob15 Brandt16 .17: from Alice Arden, the gap reaches the first "met" only
    text = "Alice Arden, as she told us, finally met with Bob Brandt and met Bob Brandt."
    _, prepared, _ = pipeline.prepare_mentions(rules, Document("d", text))
    mentions = prepared.all_of("actor") + prepared.all_of("meets")

    def run(node: SeqNode) -> tuple[list[tuple[int, int]], int]:
        ctx = Context.of(prepared.view, mentions)
        found = matches_in(node, ctx, 0, len(ctx.texts), [0], None)
        return [(m.first, m.end) for m in found], ctx.steps

    (fused_found, fused_steps), (plain_found, plain_steps) = run(fused), run(plain)
    assert fused_found == plain_found == [(0, 13)]
    assert fused_steps < plain_steps, (fused_steps, plain_steps)


def test_a_start_where_a_needed_item_cannot_follow_is_not_searched(tmp_path: Path) -> None:
    """A sequence knows the items a match cannot do without and how far from its start
    each can stand: from a start with none of them in reach, nothing is tried."""
    rules = build(tmp_path, RULES)
    node = next(rule.node for rule in rules.relation_rules if rule.name == "met")
    assert isinstance(node, SeqNode)
    # a:actor meets "with"? b:actor: `meets` one token on at least, b two ("with"? may be
    # nothing); an actor may be any length, so neither has a farthest place
    assert node.needs == (
        ((frozenset(), ("meets",)), 1, None, ()),
        ((frozenset(), ("actor",)), 2, None, ()),
    )
    # Alice0 Arden1 met2 Bob3 Brandt4 and5 Bob6 Brandt7 stayed8 .9: no "met" after 3 or 6
    text = "Alice Arden met Bob Brandt and Bob Brandt stayed."
    _, prepared, _ = pipeline.prepare_mentions(rules, Document("d", text))
    mentions = prepared.all_of("actor") + prepared.all_of("meets")

    def run(node: SeqNode) -> tuple[list[tuple[int, int]], int]:
        ctx = Context.of(prepared.view, mentions)
        found = matches_in(node, ctx, 0, len(ctx.texts), [0, 3, 6], None)
        return [(m.first, m.end) for m in found], ctx.steps

    (found, steps), (found_all, steps_all) = run(node), run(dataclasses.replace(node, needs=()))
    assert found == found_all == [(0, 5)]
    assert steps < steps_all


def test_a_unit_where_a_needed_item_stands_nowhere_is_not_searched(tmp_path: Path) -> None:
    """Without a `meets` word in the sentence no start is tried (no step is spent), and
    the type needed after it (the second actor) is not made."""
    rules = build(tmp_path, RULES)
    node = next(rule.node for rule in rules.relation_rules if rule.name == "met")
    assert isinstance(node, SeqNode)
    for verb, expected in (("saw", []), ("met", [(0, 5)])):
        text = f"Alice Arden {verb} Bob Brandt and Bob Brandt stayed."
        _, prepared, _ = pipeline.prepare_mentions(rules, Document("d", text))
        asked: list[str] = []

        def actors(prepared: Context = prepared, asked: list[str] = asked) -> list[Mention]:
            asked.append("actor")
            return prepared.all_of("actor")

        ctx = Context.of(prepared.view, prepared.all_of("meets"), {"actor": actors})
        found = matches_in(node, ctx, 0, len(ctx.texts), [0, 3, 6], None)
        assert [(m.first, m.end) for m in found] == expected
        if verb == "saw":
            assert ctx.steps == 0 and asked == []
        else:
            assert asked == ["actor"]


KINDS = """
relation MEETING(actor, actor)
entity actor: gazetteer "actors.yaml"
rule received -> MEETING: within sentence:
    a:actor[kind=country] "received" ...{0,3} b:(actor[kind=person] | actor[kind=group])
"""
KINDED_ACTORS = """
- {name: Alice Arden, kind: person}
- {name: Freedonia, kind: country}
- {name: Sylvania, kind: country}
- {name: The Guild, kind: group}
"""


def test_a_needed_mention_with_fixed_attributes_counts_only_where_they_hold(
    tmp_path: Path,
) -> None:
    """An item that starts with actor[kind=person] or actor[kind=group] is needed where
    such a mention starts: a country's name in reach does not make a start worth
    searching (the needs keep the tests; the guard of the item, any actor)."""
    (tmp_path / "actors.yaml").write_text(KINDED_ACTORS, encoding="utf-8")
    rules = build(tmp_path, KINDS)
    node = rules.relation_rules[0].node
    assert isinstance(node, SeqNode)
    (_, _, _, kinds), (_, _, _, filters) = node.needs
    assert kinds == ()  # "received": a word, no type
    person, group = (AttributeTest("kind", "person"),), (AttributeTest("kind", "group"),)
    assert filters == (("actor", frozenset({person, group})),)

    # Freedonia0 received1 Sylvania2 .3 Freedonia4 received5 the6 Guild7 and8 Alice9 Arden10
    text = "Freedonia received Sylvania. Freedonia received The Guild and Alice Arden."
    _, prepared, _ = pipeline.prepare_mentions(rules, Document("d", text))
    mentions = prepared.all_of("actor")

    def run(node: SeqNode) -> tuple[list[tuple[int, int]], int]:
        ctx = Context.of(prepared.view, mentions)
        found = matches_in(node, ctx, 0, 4, [0], None)  # the first sentence
        return [(m.first, m.end) for m in found], ctx.steps

    unfiltered = tuple((start, least, most, ()) for start, least, most, _ in node.needs)
    (found, steps) = run(node)
    (found_plain, steps_plain) = run(dataclasses.replace(node, needs=unfiltered))
    assert found == found_plain == []
    assert steps < steps_plain, (steps, steps_plain)
    records = extract_document(rules, Document("d", text))
    assert sorted((r["args"]["actor1"], r["args"]["actor2"]) for r in records) == [
        ("Freedonia", "Alice Arden"),
        ("Freedonia", "The Guild"),
    ]


@pytest.mark.parametrize(
    "pattern, lengths",
    [
        ('"held" "talks"', (2, 2)),
        ("actor", (1, None)),  # a mention may be any length
        ("...{1,4}", (1, 4)),
        ('"talks"?', (0, 1)),
        ('("the" | "a")* "talks"', (1, None)),
        ('("talks" | "held" "talks")', (1, 2)),
        ('"talks"{2,3}', (2, 3)),
        ('^ "talks" $', (1, 1)),
        ('t:("talks" Cap)', (2, 2)),
    ],
)
def test_the_fewest_and_most_tokens_a_pattern_takes(
    tmp_path: Path, pattern: str, lengths: tuple[int, int | None]
) -> None:
    rules = build(
        tmp_path,
        "relation R(actor)\nentity actor: regex /Alice Arden/\n"
        f"rule r -> R: within sentence: a:actor ({pattern})\n",
    )
    node = rules.relation_rules[0].node
    assert isinstance(node, SeqNode)
    assert token_lengths(node.items[1]) == lengths
    assert nullable(node.items[1]) == (lengths[0] == 0)


def test_a_pattern_opening_with_a_sentence_start_is_tried_only_there(tmp_path: Path) -> None:
    rules = build(
        tmp_path,
        "relation MEETING(actor, actor)\nentity actor: regex /Alice Arden|Bob Brandt|Carl Cole/\n"
        'rule opening -> MEETING: within sentence: ^ ...{0,3} a:actor "met" b:actor\n',
    )
    (rule,) = rules.relation_rules
    assert rule.triggers is None and rule.sentence_start
    # Then0 Alice1 Arden2 met3 Bob4 Brandt5 .6 | So7 ,8 Bob9 Brandt10 met11 Carl12 Cole13
    # .14 | They15 said16 on17 Friday18 Alice19 Arden20 met21 Carl22 Cole23 .24
    text = (
        "Then Alice Arden met Bob Brandt. So, Bob Brandt met Carl Cole. "
        "They said on Friday Alice Arden met Carl Cole."
    )
    _, context, facts = pipeline.prepare_mentions(rules, Document("d", text))
    assert trigger_positions(rule, context) == [0, 7, 15]
    records = pipeline.find_records(rules, "d", context, facts)
    # the third actor is four tokens from its sentence's start, one more than the gap takes
    assert [r["evidence"] for r in records] == [
        "Then Alice Arden met Bob Brandt.",
        "So, Bob Brandt met Carl Cole.",
    ]


def _spans(paragraphs: list[str]) -> list[tuple[int, int]]:
    """The char spans of paragraphs joined by line breaks."""
    spans, start = [], 0
    for paragraph in paragraphs:
        spans.append((start, start + len(paragraph)))
        start += len(paragraph) + 1
    return spans


def test_paragraphs_holding_anchor_words_are_found_in_one_pass(tmp_path: Path) -> None:
    rules = build(tmp_path, RULES)
    # "met" anchors rule `met`, which needs no other word: a whole word, in any case, at a
    # paragraph's start or end, or glued by a hyphen (errs towards holding); not inside
    # "metal" nor "met7" (one token)
    paragraphs = ["He met", "metal works", "x-met", "met7 here", "Met"]
    text = "\n".join(paragraphs)
    found = pipeline._anchored_paragraphs(rules, text, _spans(paragraphs))
    assert found == [True, False, True, False, True]


def test_a_phrase_does_not_run_on_into_the_next_paragraph(tmp_path: Path) -> None:
    """A line break between paragraphs of a view is no hard wrap: "held" at the end of
    one and "talks" at the start of the next are no "held talks"."""
    rules = build(tmp_path, RULES)
    paragraphs = ["Alice Arden held", "talks with Bob Brandt", "Alice Arden held talks"]
    text = "\n".join(paragraphs)
    assert pipeline._anchored_paragraphs(rules, text, _spans(paragraphs)) == [False, False, True]


@pytest.fixture(scope="module")
def index_rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    return build(tmp_path_factory.mktemp("index"), RULES)


WORDS = ["met", "Met", "talks", "between", "had", "a", "meeting", "held", "x", "7", "-", ",", "."]


@settings(max_examples=300, deadline=None)
@given(paragraphs=st.lists(st.lists(st.sampled_from(WORDS), max_size=6), min_size=1, max_size=5))
def test_one_pass_finds_what_each_paragraph_alone_holds(
    index_rules: RuleSet, paragraphs: list[list[str]]
) -> None:
    texts = [" ".join(words) for words in paragraphs]
    text = "\n".join(texts)
    spans = _spans(texts)
    alone = [pipeline._holds_words(index_rules, text[a:b].lower()) for a, b in spans]
    assert pipeline._anchored_paragraphs(index_rules, text, spans) == alone
