"""Preparing a document only as far as records can come from it never changes them.

`extract` prepares a document in stages (the rule index skips it, a probe of the
paragraphs holding anchor words lets it go, a partial view adds the heading, entity rules
run only where their mentions can reach a record, the whole document when a rule asks
for it). The promise of every stage is the same: the records are those of the whole
document prepared at once. This property test draws small rule sets from the shapes that
stress the stages (entity rules valued from the sentence, paragraph, dateline, title or
document; relation rules filled from any of those, nearest to a capture, with `except`
cues and a veto; sentence and paragraph patterns) and documents with headlines and
datelines, hard wraps and non-breaking spaces, and compares the two.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Document, RuleSet, load_rules
from engine.pipeline import extract_in_context

NAMES = ("Alice Arden", "Bob Brandt", "Carl Conte")
CITIES = ("Paris", "Rome", "Lyon")
SCOPES = ("sentence", "paragraph", "dateline", "title", "document")

HEADER = """
prepare:
    dateline /^\\s*(?:By )?([A-Za-z][A-Za-z ]{2,30}?) -/
relation MEETING(a: actor, b: actor, place: city?, host: actor?) unordered
entity actor: words "Alice Arden", "Bob Brandt", "Carl Conte"
entity city: words "Paris", "Rome", "Lyon"
entity title: words "minister", "envoy"
entity group: words "delegation", "officials"
entity said: words "said", "told"
"""


@functools.cache
def rule_set(text: str) -> RuleSet:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.rules"
        path.write_text(text, encoding="utf-8")
        return load_rules([path])


@st.composite
def scopes(draw: st.DrawFn) -> str:
    """One to three scopes, in any order; those beyond the paragraph drawn first as often
    as not (where the stages differ)."""
    first = draw(st.sampled_from(("dateline", "title", "document", *SCOPES)))
    rest = draw(st.lists(st.sampled_from(SCOPES), max_size=2, unique=True))
    return ", ".join(dict.fromkeys([first, *rest]))


OFTEN = st.sampled_from((True, True, False))


@st.composite
def rule_texts(draw: st.DrawFn) -> str:
    parts = [HEADER]
    if draw(st.booleans()):
        parts.append(
            "rule titled -> actor: within sentence: title p:actor\n    fill value from p\n"
        )
    if draw(OFTEN):  # an actor only an entity rule makes: "Minister Dupont"
        parts.append('rule minister -> actor: within sentence: "Minister" Cap\n')
    if draw(OFTEN):
        parts.append(
            'rule guest -> actor: within sentence: "the" "guest"\n'
            f"    fill value from nearest actor in {draw(scopes())}\n"
        )
    if draw(st.booleans()):
        parts.append(
            "rule local -> actor: within sentence: c:city group\n"
            f"    fill value from nearest actor in {draw(scopes())}\n"
        )
    near = draw(st.sampled_from(("", " to b")))
    met = [
        'rule met -> MEETING: within sentence: a:actor "met" b:actor',
        f"    fill place from nearest city{near} in {draw(scopes())}",
    ]
    if draw(st.booleans()):
        met.append('        except when "told" in sentence')
    if draw(st.booleans()):
        met.append(f"    fill host from nearest actor{near} in {draw(scopes())}")
        if draw(st.booleans()):
            met.append("        except after said within 2")
    if draw(st.booleans()):
        met.append("    unless said before a within 2")
    parts.append("\n".join(met) + "\n")
    if draw(st.booleans()):
        parts.append(
            'rule talks -> MEETING: within paragraph: "talks" ...{0,3} a:actor ...{0,3} b:actor\n'
            f"    fill place from nearest city in {draw(scopes())}\n"
        )
    return "\n".join(parts)


WORDS = (
    *NAMES, *CITIES, "met", "talks", "between", "and", "the", "guest", "minister", "envoy",
    "delegation", "officials", "in", "said", "told", "on", "Monday", ",", "Minister Dupont",
)  # fmt: skip
ACTORS = st.sampled_from(
    (
        *NAMES,
        "the guest",
        "the guest",
        "Minister Dupont",
        "minister Alice Arden",
        "envoy Carl Conte",
    )
)


@st.composite
def sentences(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=10))
    else:  # a meeting, more or less
        words = [draw(ACTORS), "met", draw(ACTORS)]
        if draw(st.booleans()):
            words += ["in", draw(st.sampled_from(CITIES))]
        if draw(st.booleans()):
            words = [
                draw(st.sampled_from(CITIES)),
                draw(st.sampled_from(("delegation", "officials"))),
                *words,
            ]
    spaces = [draw(SPACES) for _ in words[1:]]
    return (
        words[0]
        + "".join(space + word for space, word in zip(spaces, words[1:], strict=True))
        + "."
    )


# between words: mostly a space; sometimes a hard wrap, a non-breaking space (as a char or
# an entity) or two spaces, which the view folds and the raw-text index must allow for
SPACES = st.sampled_from((" ", " ", " ", " ", "\n", "\u00a0", "&nbsp;", "  "))


@st.composite
def documents(draw: st.DrawFn) -> str:
    heading = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)))
    paragraphs = [
        " ".join(draw(st.lists(sentences(), min_size=1, max_size=3)))
        for _ in range(draw(st.integers(1, 4)))
    ]
    datelines = ("", "PARIS - ", "By Minister Dupont - ", "By envoy Carl Conte - ")
    dateline = draw(st.sampled_from((*datelines, "By Minister Dupont - ")))
    if draw(st.booleans()):
        paragraphs[0] = dateline + paragraphs[0]
    elif dateline:  # a dateline of its own, in a paragraph without an anchor word
        paragraphs.insert(0, dateline + "notes from the capital.")
    return "\n\n".join([heading, *paragraphs]) + "\n"


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rules_text=rule_texts(), texts=st.lists(documents(), min_size=1, max_size=4))
def test_a_document_prepared_in_stages_gives_the_records_of_the_whole(
    rules_text: str, texts: list[str]
) -> None:
    rules = rule_set(rules_text)
    for number, text in enumerate(texts):
        document = Document(f"d{number}", text)
        whole, _ = extract_in_context(rules, document, skip=False)
        staged, _ = extract_in_context(rules, document)
        assert staged == whole, text
        without_probe, _ = extract_in_context(rules, document, probe=False)
        assert without_probe == whole, text


def test_the_drawn_shapes_find_meetings() -> None:
    # the property above is only worth its examples if they make records: one that does
    rules = rule_set(
        HEADER + 'rule met -> MEETING: within sentence: a:actor "met" b:actor\n'
        "    fill place from nearest city in sentence, dateline\n"
    )
    text = "A headline\n\nPARIS - Alice Arden met Bob Brandt.\n"
    records, _ = extract_in_context(rules, Document("d", text))
    assert [r["args"] for r in records] == [
        {"a": "Alice Arden", "b": "Bob Brandt", "place": "Paris", "host": None}
    ]
