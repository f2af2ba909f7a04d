"""`extract --explain DOC`: why a rule did or did not fire, per rule and sentence.

Small rule sets are written for each test, and every expected line was worked out by hand
from the pattern and the text: which element stops where, which veto drops a match, which
slot stays empty.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import RULES

from engine import load_rules, syntax
from engine.cli import main
from engine.documents import Document
from engine.explain import NoSuchSentence, UnknownRule, explain, render
from engine.parse import parse_text

RULES_TEXT = """
relation MEETING(actor, actor, city?, date) unordered
entity actor: words "Alice Arden", "Bob Brandt", "Carol Chu"
entity city: words "Paris", "Lyon"
entity date: words "Thursday", "Friday" normalise date
entity negation: words "not", "never"
rule met -> MEETING: within sentence: a:actor "met" "with"? b:actor
    unless negation before a within 3
    fill city from nearest city in sentence
    fill date from nearest date in sentence
rule talks -> MEETING: within sentence: "talks" "between" a:actor "and" b:actor
    fill date from nearest date in sentence
"""

TEXT = (
    "Alice Arden met Bob Brandt in Paris on Thursday.\n\n"  # 1: met, a record
    "Alice Arden greeted Bob Brandt in Lyon on Friday.\n\n"  # 2: met stops at "greeted"
    "It is not true that Alice Arden met Carol Chu on Friday.\n\n"  # 3: vetoed
    "Bob Brandt met Carol Chu in Lyon.\n\n"  # 4: no date: required slot empty
    "The weather was fine.\n"  # 5: nothing can start here
)


@pytest.fixture()
def rule_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "meet.rules").write_text(RULES_TEXT, encoding="utf-8")
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    return folder


def document() -> Document:
    import datetime

    return Document("doc.txt", TEXT, datetime.date(2023, 10, 27), {}, ())


def entry(rule_folder: Path, rule: str, sentence: str):  # type: ignore[no-untyped-def]
    explanation = explain(load_rules([rule_folder]), document(), [rule], sentence)
    assert len(explanation.sentences) == 1
    (found,) = explanation.sentences[0].entries
    return found


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


def test_a_match_names_its_captures_slots_and_record(rule_folder: Path) -> None:
    found = entry(rule_folder, "met", "1")
    assert found.status == "matched"
    (outcome,) = found.matches
    assert outcome.captures == (("a", "Alice Arden"), ("b", "Bob Brandt"))
    slots = {slot.slot: slot.value for slot in outcome.slots}
    assert slots == {
        "city": "Paris",
        "date": "2023-10-26",
        "actor1": "Alice Arden",
        "actor2": "Bob Brandt",
    }
    assert outcome.result.startswith("record MEETING(actor1=Alice Arden, actor2=Bob Brandt")


def test_a_rule_that_came_close_says_which_element_failed_on_which_token(
    rule_folder: Path,
) -> None:
    found = entry(rule_folder, "met", "2")
    assert found.status == "came close"
    assert found.near is not None
    assert found.near.matched == "a:actor"
    assert found.near.matched_text == "Alice Arden"
    assert found.near.failed == '"met"'
    assert found.near.at == "failed at «greeted»"


def test_the_veto_that_dropped_a_match_is_named(rule_folder: Path) -> None:
    found = entry(rule_folder, "met", "3")
    (outcome,) = found.matches
    assert outcome.vetoed_by == "`unless negation before a within 3`"
    assert outcome.result == "vetoed: no record"


def test_an_empty_required_slot_is_why_there_is_no_record(rule_folder: Path) -> None:
    (outcome,) = entry(rule_folder, "met", "4").matches
    date = next(slot for slot in outcome.slots if slot.slot == "date")
    assert date.value is None
    assert date.why == "no date mention in the sentence"
    assert outcome.result == "no record: required slot date empty"


def test_a_rule_with_no_trigger_in_the_sentence_was_not_tried(rule_folder: Path) -> None:
    found = entry(rule_folder, "talks", "5")
    assert found.status == "not tried"
    assert found.needs == 'a match must start with the word "talks"'


def test_a_sentence_can_be_chosen_by_its_words(rule_folder: Path) -> None:
    explanation = explain(load_rules([rule_folder]), document(), ["met"], "GREETED bob")
    assert [s.number for s in explanation.sentences] == [2]


def test_unknown_rule_and_sentence_are_errors(rule_folder: Path) -> None:
    rules = load_rules([rule_folder])
    with pytest.raises(UnknownRule, match="no rule named mett"):
        explain(rules, document(), ["mett"])
    with pytest.raises(NoSuchSentence, match="5 sentences; there is no sentence 9"):
        explain(rules, document(), [], "9")
    with pytest.raises(NoSuchSentence, match="contains 'zebra'"):
        explain(rules, document(), [], "zebra")


def test_the_overview_hides_rules_that_got_nowhere(rule_folder: Path) -> None:
    text = render(explain(load_rules([rule_folder]), document()))
    assert "sentence 5" not in text  # no rule could start in it
    assert "sentence 1: «Alice Arden met Bob Brandt in Paris on Thursday.»" in text
    assert "  and 1 rule that could not start here" in text  # `talks` in sentence 1


def test_cli_explain_prints_plain_text_when_piped(rule_folder: Path) -> None:
    code, out, err = run(
        "--rules", str(rule_folder), "--explain", str(rule_folder.parent / "doc.txt"),
        "--rule", "met", "--sentence", "2", "--published", "2023-10-27",
    )  # fmt: skip
    assert code == 0, err
    assert "\x1b[" not in out
    assert out.splitlines() == [
        "doc.txt: 5 sentences, 1 record",
        "",
        "sentence 2: «Alice Arden greeted Bob Brandt in Lyon on Friday.»",
        f"  met ({rule_folder / 'meet.rules'}:7): no match",
        "      matched   a:actor",
        "      as        «Alice Arden»",
        '      then      "met" failed at «greeted»',
    ]


def test_cli_explain_colours_on_request(rule_folder: Path) -> None:
    code, out, _ = run(
        "--rules", str(rule_folder), "--explain", str(rule_folder.parent / "doc.txt"),
        "--sentence", "3", "--color", "always",
    )  # fmt: skip
    assert code == 0
    assert "\x1b[31mdropped by `unless negation before a within 3`\x1b[0m" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rule", "met"], "--rule, --sentence and --doc narrow --explain DOC"),
        (["--doc", "a"], "--rule, --sentence and --doc narrow --explain DOC"),
        (["--explain", "{doc}", "--rule", "nope"], "no rule named nope"),
        (["--explain", "{doc}", "--sentence", "0"], "there is no sentence 0"),
        (["--explain", "missing.txt"], "no such input: missing.txt"),
    ],
)
def test_cli_explain_usage_errors_exit_2(rule_folder: Path, argv: list[str], message: str) -> None:
    doc = str(rule_folder.parent / "doc.txt")
    code, out, err = run("--rules", str(rule_folder), *[a.format(doc=doc) for a in argv])
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_every_shipped_pattern_is_written_back_as_it_parses() -> None:
    """`--explain` names elements by writing the syntax back; what it writes must be the
    same pattern (parsing it again gives an equal tree)."""
    patterns = 0
    for path in sorted(RULES.glob("*.rules")):
        parsed, problems = parse_text(path.read_text(encoding="utf-8"), path.name)
        assert not problems
        for item in parsed.items:
            if isinstance(item, syntax.Rule):
                again = _reparsed(syntax.unparse(item.pattern))
                assert again == item.pattern, item.name
                patterns += 1
    assert patterns >= 20


def _reparsed(pattern_text: str) -> syntax.Pattern:
    source = f"rule r -> X: within sentence: {pattern_text}\n"
    parsed, problems = parse_text(source, "again.rules")
    assert not problems, [p.format() for p in problems]
    (rule,) = parsed.items
    assert isinstance(rule, syntax.Rule)
    return rule.pattern


def test_the_transcript_in_the_docs_is_what_extract_prints() -> None:
    """docs/cli.md shows an --explain transcript on a seed; it must stay true (its `...`
    line stands for lines left out)."""
    docs = (RULES.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    block = docs.split("```\n$ extract --rules rules/ --explain ", 1)[1].split("```", 1)[0]
    command, *shown = block.splitlines()
    import shlex

    argv = ["--rules", "rules/", "--explain", *shlex.split(command)]
    code, out, err = run(*argv)
    assert code == 0, err
    printed = iter(out.splitlines())
    for line in shown:
        if line.strip() == "...":
            continue
        assert any(p == line for p in printed), f"not printed (in order): {line!r}"


def test_a_token_scoped_rule_is_explained_on_its_paragraph(tmp_path: Path) -> None:
    """`within N tokens` searches a paragraph, across sentences: so does the explanation."""
    (tmp_path / "r.rules").write_text(
        "relation MEETING(actor, actor)\n"
        'entity actor: words "Alice Arden", "Bob Brandt"\n'
        'rule near -> MEETING: within 12 tokens: a:actor ... "met" b:actor\n',
        encoding="utf-8",
    )
    rules = load_rules([tmp_path / "r.rules"])
    import datetime

    text = "Alice Arden arrived. Then she met Bob Brandt.\n"
    explanation = explain(rules, Document("d", text, datetime.date(2023, 10, 27)), [], "1")
    (found,) = explanation.sentences[0].entries
    assert found.unit == "paragraph 1 (from sentence 1)"
    assert found.status == "matched"
    assert found.matches[0].result == "record MEETING(actor1=Alice Arden, actor2=Bob Brandt)"


def test_a_paragraph_rule_is_explained_once_per_paragraph(tmp_path: Path) -> None:
    """A rule that searches paragraphs is explained at the first sentence of each paragraph
    shown, not again at every other sentence of it; sentence rules at every sentence."""
    (tmp_path / "r.rules").write_text(
        "relation MEETING(actor, actor)\n"
        'entity actor: words "Alice Arden", "Bob Brandt"\n'
        'rule near -> MEETING: within 12 tokens: a:actor ... "met" b:actor\n'
        'rule plain -> MEETING: within sentence: a:actor "met" b:actor\n',
        encoding="utf-8",
    )
    rules = load_rules([tmp_path / "r.rules"])
    text = (
        "Alice Arden arrived. Then she met Bob Brandt. It rained.\n\n"
        "Bob Brandt left. Alice Arden stayed.\n"
    )
    explanation = explain(rules, Document("d", text), [])
    units = [[(e.rule, e.unit) for e in s.entries] for s in explanation.sentences]
    assert units == [
        [("near", "paragraph 1 (from sentence 1)"), ("plain", "sentence 1")],
        [("plain", "sentence 2")],
        [("plain", "sentence 3")],
        [("near", "paragraph 2 (from sentence 4)"), ("plain", "sentence 4")],
        [("plain", "sentence 5")],
    ]
    # asked for one sentence, the paragraph rule is explained there
    (second,) = explain(rules, Document("d", text), [], "2").sentences
    assert [(e.rule, e.unit) for e in second.entries] == [
        ("near", "paragraph 1 (from sentence 2)"),
        ("plain", "sentence 2"),
    ]


def test_one_document_of_a_feed_is_explained_by_its_id(rule_folder: Path) -> None:
    import json

    feed = rule_folder.parent / "feed.jsonl"
    lines = [{"id": "first", "text": "Carol Chu met Bob Brandt on Friday."},
             {"id": "second", "text": TEXT}]  # fmt: skip
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    code, out, err = run(
        "--rules", str(rule_folder), "--explain", str(feed), "--doc", "second",
        "--published", "2023-10-27", "--rule", "met", "--sentence", "2",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[0] == "second: 5 sentences, 1 record"
    assert "first" not in out
    code, _, err = run("--rules", str(rule_folder), "--explain", str(feed), "--doc", "third")
    assert code == 2
    assert "holds no document with the id 'third'" in err
