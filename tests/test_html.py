"""The HTML report (engine.html): escaping, no external resources, nested and crossing
mentions, determinism, the regression view. Pure Python: pages are parsed with
html.parser; tests/test_browser.py opens one in a real browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine import load_rules
from engine.batch import Work, process
from engine.compare import ArticleResult, Expectation, Score
from engine.documents import Document
from engine.html import Article, MentionMark, render

XSS = "<script>alert(1)</script>\"'&amp;</script><img src=x onerror=alert(2)><!--"
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source"}
# every element and attribute the renderer itself writes: anything else came from the data
TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "section",
    "p", "span", "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "a", "div",
    "mark", "q", "script",
}  # fmt: skip
ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "colspan",
    "title", "tabindex", "role", "data-doc", "data-type", "data-m", "data-s", "data-e",
    "data-text", "data-evidence", "data-slots",
}  # fmt: skip
CLASS_TOKEN = re.compile(r"[a-z][a-z0-9-]*\Z")
ID = re.compile(r"(summary|a\d+(-text|-r\d+|-g\d+)?)\Z")
NUMBERS = re.compile(r"(\d+,\d+( \d+,\d+)*)?\Z")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> list[Element]:
        found = [self]
        for child in self.children:
            if isinstance(child, Element):
                found.extend(child.walk())
        return found

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self) -> list[Element]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


class Tree(HTMLParser):
    """The page as a tree; every end tag must close the element open last (no implied
    closing, no stray tags), which is what "well-formed nesting" means here."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.open = self.root
        self.errors: list[str] = []
        self.comments: list[str] = []
        self.declarations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open)
        if len(element.attrs) != len(attrs):
            self.errors.append(f"repeated attribute in <{tag}>")
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if self.open.tag != tag or self.open.parent is None:
            self.errors.append(f"</{tag}> closes <{self.open.tag}>")
            return
        self.open = self.open.parent

    def handle_data(self, data: str) -> None:
        self.open.children.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)


def parse(page: str) -> Element:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert tree.errors == []
    assert tree.open is tree.root, f"<{tree.open.tag}> is never closed"
    assert tree.comments == []
    assert tree.declarations == ["DOCTYPE html"]
    return tree.root


def by_id(root: Element, ident: str) -> Element:
    found = [e for e in root.walk() if e.attrs.get("id") == ident]
    assert len(found) == 1, f"{len(found)} elements with id {ident}"
    return found[0]


def by_class(root: Element, name: str) -> list[Element]:
    return [e for e in root.walk() if name in e.classes()]


def record(doc: str = "d", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "relation": "MEETING",
        "doc": doc,
        "rule": "met_with",
        "rules": ["met_with"],
        "args": {"actor1": "Alice Arden", "actor2": "Bob Brandt", "city": None},
        "spans": {"actor1": [0, 11], "actor2": [16, 26], "city": None},
        "attributes": {"actor1": {"kind": "person"}},
        "evidence": "Alice Arden met Bob Brandt in Paris.",
        "evidence_span": [0, 36],
    }
    base.update(changes)
    return base


TEXT = "Alice Arden met Bob Brandt in Paris.\nThey talked."
MARKS = (
    MentionMark("actor", 0, 11, "Alice Arden", "gazetteers/actors.yaml"),
    MentionMark("actor", 16, 26, "Bob Brandt", "gazetteers/actors.yaml"),
    MentionMark("city", 30, 35, "Paris", "gazetteers/cities.yaml"),
)


def expectation(args: dict[str, Any], why: str = "", file: str = "e.yaml") -> Expectation:
    written = {"relation": "MEETING", "args": args}
    return Expectation(file, 7, "MEETING", written, Draft202012Validator({}), False, why)


def segments(container: Element) -> list[Element]:
    return [e for e in container.walk() if "seg" in e.classes()]


def check_marked_text(root: Element, ident: str, text: str, marks: list[MentionMark]) -> None:
    """The container's text is the original exactly; its segments partition it in order;
    the pieces of each mark cover exactly the mention's span and hold only segments."""
    container = by_id(root, ident)
    assert container.text() == text
    segs = segments(container)
    position = 0
    for seg in segs:
        start, end = int(seg.attrs["data-s"]), int(seg.attrs["data-e"])
        assert start == position and end > start
        assert seg.text() == text[start:end]
        assert all(isinstance(c, str) for c in seg.children)
        position = end
    assert position == len(text)
    pieces: dict[int, list[Element]] = {}
    for element in container.walk():
        if element.tag == "mark":
            pieces.setdefault(int(element.attrs["data-m"]), []).append(element)
        else:
            assert element is container or "seg" in element.classes(), element.tag
    shown = []
    for number, elements in sorted(pieces.items()):
        covered = sorted(
            (int(s.attrs["data-s"]), int(s.attrs["data-e"])) for e in elements for s in segments(e)
        )
        assert covered, f"mark {number} covers nothing"
        assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False)), covered
        types = {e.attrs["data-type"] for e in elements}
        assert len(types) == 1
        shown.append((covered[0][0], covered[-1][1], types.pop()))
    expected = sorted(
        {(m.start, m.end, m.type) for m in marks if 0 <= m.start < m.end <= len(text)}
    )
    assert sorted(shown) == expected


# ------------------------------------------------------------------ escaping


def hostile_page() -> tuple[str, str]:
    text = f"Alice Arden met Bob Brandt. {XSS}\r\nThe end & more \"quoted\" 'text'."
    start = text.index(XSS)
    hostile = record(
        doc=XSS,
        relation=XSS,
        rule=XSS,
        rules=[XSS, "other"],
        args={XSS: XSS, "actor2": "Bob Brandt", "n": {"k": XSS}},
        spans={XSS: [start, start + len(XSS)], "actor2": [16, 26]},
        attributes={XSS: {XSS: XSS}},
        evidence=XSS,
        evidence_span=[start, start + len(XSS)],
    )
    marks = (
        MentionMark(XSS, start, start + len(XSS), XSS, XSS),
        MentionMark("actor", 0, 11, None, XSS),
    )
    result = ArticleResult(
        XSS,
        missing=[expectation({"actor1": XSS}, why=XSS, file=XSS)],
        unexpected=[hostile],
        forbidden=[(expectation({"actor2": XSS}, why=XSS), hostile)],
        invalid=[(record(rule=XSS, evidence=XSS), [(XSS, XSS)])],
        found={XSS: [1, 1, 0, 1]},
    )
    articles = [
        Article(XSS, text, marks, (hostile,), result),
        Article(f"failed {XSS}", XSS, (), (), None, failed=XSS),
    ]
    scores = {XSS: Score(1, 1, 0, 1)}
    return render(articles, scores, title=XSS), text


def test_data_never_reaches_the_page_as_markup() -> None:
    page, text = hostile_page()
    assert "alert" not in page.split("<script>")[-1]  # the page's own script has no data
    assert page.count("<script") == 1 and page.count("</script>") == 1
    assert (
        "<img" not in page
        and "<!--" not in page
        and "onerror=" not in page.replace("onerror=alert", "")
    )
    root = parse(page)
    elements = root.walk()[1:]
    assert {e.tag for e in elements} <= TAGS
    for element in elements:
        assert set(element.attrs) <= ATTRIBUTES, element.attrs
        for token in element.attrs.get("class", "").split():
            assert CLASS_TOKEN.match(token), token
        if "id" in element.attrs:
            assert ID.match(element.attrs["id"]), element.attrs["id"]
        for name in ("data-s", "data-e", "data-m", "tabindex", "colspan"):
            if name in element.attrs:
                assert element.attrs[name].isdigit()
        for name in ("data-evidence", "data-slots"):
            if name in element.attrs:
                assert NUMBERS.match(element.attrs[name]), element.attrs[name]
    scripts = [e for e in elements if e.tag == "script"]
    assert len(scripts) == 1 and scripts[0].attrs == {}
    assert by_id(root, "a0-text").text() == text  # shown, as text, character for character
    assert XSS in root.text() and XSS in {e.attrs.get("title", "") for e in elements} | {
        e.attrs.get("data-doc", "") for e in elements
    }


def test_the_script_and_style_do_not_depend_on_the_data() -> None:
    hostile, _ = hostile_page()
    plain = render([Article("d", TEXT, MARKS, (record(),), None)], None)

    def pieces(page: str) -> list[str]:
        return [e.text() for e in parse(page).walk() if e.tag in ("script", "style")]

    assert len(pieces(plain)) == 2
    assert pieces(hostile) == pieces(plain)


# ------------------------------------------------------------------ nothing external


def full_page(text: str = TEXT, marks: tuple[MentionMark, ...] = MARKS) -> str:
    records = (record(), record(rule="talks_with", evidence_span=[37, 49]))
    result = ArticleResult(
        "d",
        missing=[expectation({"actor1": "Carol"}, why="she was there")],
        unexpected=[records[1]],
        forbidden=[(expectation({"actor2": "Bob Brandt"}), records[0])],
        invalid=[(record(args={"actor1": 3}), [("args.actor1", "3 is not a string")])],
        found={"MEETING": [1, 1, 0, 1]},
    )
    articles = [
        Article("d", text, marks, records, result),
        Article("bad.txt", "", (), (), None, failed="not UTF-8"),
    ]
    return render(articles, {"MEETING": Score(1, 1, 0, 1)})


def test_the_page_loads_nothing_from_anywhere() -> None:
    page = full_page()
    for needle in ("http:", "https:", "//", "@import", "url(", "src=", "<link", "<iframe"):
        assert needle not in page.lower(), needle
    root = parse(page)
    for element in root.walk():
        assert "src" not in element.attrs
        assert element.attrs.get("href", "#").startswith("#")
    policy = [e.attrs["content"] for e in root.walk() if e.attrs.get("http-equiv")]
    assert len(policy) == 1 and "default-src 'none'" in policy[0]
    assert "unsafe-inline" not in policy[0]


def test_urls_in_the_data_stay_text() -> None:
    url = '<link rel="stylesheet" href="https://cdn.example/x.css"><img src="//evil.example/p">'
    text = f"See {url} and @import url(https://fonts.example/f.css)."
    page = render([Article(url, text, (MentionMark("u", 4, 20, url, url),), (), None)], None)
    root = parse(page)
    assert all(e.tag not in ("link", "img") for e in root.walk())
    assert all(e.attrs.get("href", "#").startswith("#") for e in root.walk())
    assert all("src" not in e.attrs for e in root.walk())
    assert by_id(root, "a0-text").text() == text


# ------------------------------------------------------------------ nesting and crossing


def test_nested_and_crossing_mentions_nest_properly_and_keep_the_text() -> None:
    text = "Foreign Minister Sergei Lavrov met Hamas in Moscow <today> & 'tomorrow'."
    marks = [
        MentionMark("actor", 0, 30, "Sergei Lavrov", "cascade"),  # outer
        MentionMark("role", 0, 16, "foreign minister", "roles"),  # nested, same start
        MentionMark("person", 17, 30, "Sergei Lavrov", "people"),  # nested, same end
        MentionMark("odd", 8, 23, None, "regex"),  # crosses role and person
        MentionMark("actor", 35, 40, "Hamas", "actors"),  # same span, two types
        MentionMark("group", 35, 40, "Hamas", "groups"),
        MentionMark("city", 44, 50, "Moscow", "cities"),
        MentionMark("place", 41, 50, "in Moscow", "rule"),  # ends with city
        MentionMark("zero", 5, 5, None, "nothing"),  # empty: not shown
        MentionMark("far", 60, 999, None, "nowhere"),  # outside: not shown
    ]
    crossing = record(evidence_span=[12, 47], spans={"actor1": [3, 20], "actor2": [35, 40]})
    page = render([Article("d", text, tuple(marks), (crossing,), None)], None)
    root = parse(page)
    check_marked_text(root, "a0-text", text, marks)
    container = by_id(root, "a0-text")
    marked = [e for e in container.walk() if e.tag == "mark"]
    pieces = {
        kind: [e for e in marked if e.attrs["title"].startswith(kind + ":")]
        for kind in ("actor", "role", "person", "odd", "group", "city", "place")
    }
    assert len(pieces["actor"]) == 2  # Lavrov and Hamas, neither split
    assert len(pieces["role"]) == 1  # nested, crossing nothing: not split
    # of two crossing marks, the one starting later is split where the other ends
    assert [e.text() for e in pieces["odd"]] == ["Minister", " Sergei"]  # crosses role at 16
    assert [e.text() for e in pieces["person"]] == ["Sergei", " Lavrov"]  # crosses odd at 23
    outer = pieces["actor"][0]
    assert all(outer in e.ancestors() for e in pieces["role"] + pieces["odd"] + pieces["person"])
    assert pieces["place"][0] in pieces["city"][0].ancestors()
    assert "2 mentions outside the text are not shown" in page
    legend = {e.text() for e in by_class(by_id(root, "a0"), "swatch")}
    assert legend == {"actor", "city", "group", "odd", "person", "place", "role"}
    colours = {e.attrs["data-type"]: e.classes() for e in marked}
    assert len({frozenset(c) for c in colours.values()}) == len(colours)  # a colour per type


@st.composite
def texts_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]], tuple[int, int]]:
    """A short text, mentions mostly inside it (some empty or outside), an evidence span."""
    text = draw(st.text(alphabet="ab <>&\"'\r\n\té€😀", min_size=1, max_size=24))
    offset = st.integers(-1, len(text) + 1) | st.integers(0, len(text))
    spans = draw(st.lists(st.tuples(offset, offset, st.sampled_from("xyz")), max_size=8))
    return text, [(min(a, b), max(a, b), k) for a, b, k in spans], (draw(offset), draw(offset))


@settings(max_examples=150, deadline=None)
@given(texts_and_spans())
def test_any_mentions_nest_properly(
    drawn: tuple[str, list[tuple[int, int, str]], tuple[int, int]],
) -> None:
    text, spans, evidence = drawn
    marks = [MentionMark(kind, start, end, None, "s") for start, end, kind in spans]
    clicked = record(evidence_span=list(evidence), spans={"a": [evidence[1], evidence[0]]})
    page = render([Article("d", text, tuple(marks), (clicked,), None)], None)
    check_marked_text(parse(page), "a0-text", text, marks)


def test_offsets_are_code_points() -> None:
    text = "😀 Ünïcode café met 😀😀 in Zürich."
    start = text.index("Zürich")
    marks = (MentionMark("city", start, start + 6, "Zürich", "g"),)
    page = render([Article("d", text, marks, (), None)], None)
    root = parse(page)
    check_marked_text(root, "a0-text", text, list(marks))
    mark = next(e for e in by_id(root, "a0-text").walk() if e.tag == "mark")
    assert mark.text() == "Zürich"


# ------------------------------------------------------------------ determinism


def test_the_same_input_gives_the_same_bytes() -> None:
    first = full_page()
    shuffled = full_page(marks=tuple(reversed(MARKS)))
    assert shuffled == first
    assert not re.search(r"20\d\d-\d\d-\d\d[T ]\d\d:\d\d", first)  # no timestamp
    # set and dict order must not show: other hash seeds, other processes, the same bytes
    program = "import sys, test_html; sys.stdout.write(test_html.full_page())"
    for seed in ("0", "1", "2"):  # 0: no hash randomisation, another order of sets
        done = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True, text=True, check=True, cwd=Path(__file__).parent,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert done.stdout == first


# ------------------------------------------------------------------ records and their spans


def test_records_are_listed_with_rule_args_evidence_and_spans() -> None:
    records = (record(), record(rule="talks_with", rules=["talks_with", "met_with"]))
    page = render([Article("d", TEXT, MARKS, records, None)], None)
    root = parse(page)
    items = by_class(by_id(root, "a0"), "record")
    assert [e.attrs["id"] for e in items] == ["a0-r0", "a0-r1"]
    first = items[0]
    assert first.attrs["data-text"] == "a0-text"
    assert first.attrs["data-evidence"] == "0,36"
    assert first.attrs["data-slots"] == "0,11 16,26"
    shown = first.text()
    for part in ("MEETING", "met_with", "actor1=Alice Arden", "city=null", "[0, 11]", "[0, 36]"):
        assert part in shown, part
    assert "kind=person" in shown and "Alice Arden met Bob Brandt in Paris." in shown
    assert "rules: talks_with, met_with" in items[1].text()
    summary = by_id(root, "summary")
    assert "MEETING" in summary.text() and "2 records" in summary.text()
    assert by_class(summary, "count-documents")[0].text() == "1"
    assert not by_class(root, "scores")  # no scores given: no score table


def test_spans_outside_the_text_are_shown_not_offered() -> None:
    broken = record(
        spans={"actor1": [0, 999], "actor2": "nonsense", "city": [5, 2], "date": [True, 3]},
        evidence_span=[-4, 10],
    )
    page = render([Article("d", TEXT, MARKS, (broken,), None)], None)
    root = parse(page)
    item = by_class(root, "record")[0]
    assert item.attrs["data-evidence"] == "" and item.attrs["data-slots"] == ""
    assert "(outside the text)" in item.text() and "no span in the text" in item.text()
    check_marked_text(root, "a0-text", TEXT, list(MARKS))


# ------------------------------------------------------------------ the regression view


def test_the_regression_view_shows_each_kind_apart() -> None:
    page = full_page()
    root = parse(page)
    article = by_id(root, "a0")
    view = by_class(article, "regression")[0]
    assert "regressed" in view.classes()
    missing = by_class(view, "reg-missing")
    assert len(missing) == 1 and "record" not in missing[0].classes()
    assert "MEETING(actor1=Carol)" in missing[0].text()
    assert "[e.yaml:7]" in missing[0].text() and "(she was there)" in missing[0].text()
    unexpected = by_class(view, "reg-unexpected")
    assert len(unexpected) == 1 and "record" in unexpected[0].classes()
    assert "by talks_with" in unexpected[0].text()
    assert unexpected[0].attrs["data-evidence"] == "37,49"
    forbidden = by_class(view, "reg-forbidden")
    assert len(forbidden) == 1 and "forbidden by MEETING(actor2=Bob Brandt)" in forbidden[0].text()
    invalid = by_class(view, "reg-invalid")
    assert len(invalid) == 1 and "args.actor1: 3 is not a string" in invalid[0].text()
    assert "actor1=3" in invalid[0].text()
    # the records list marks each record; the invalid one (not written) is listed too
    items = by_class(article, "record-item")
    badges = [sorted(c for c in e.classes() if c.startswith("is-")) for e in items]
    assert badges == [["is-forbidden"], ["is-unexpected"], ["is-invalid"]]
    found = by_class(view, "found")[0].text()
    assert "MEETING" in found
    # the summary counts each kind and scores each relation
    summary = by_id(root, "summary")
    counts = {
        kind: by_class(summary, f"count-{kind}")[0].text()
        for kind in ("missing", "unexpected", "forbidden", "invalid", "regressed", "failed")
    }
    assert counts == {
        "missing": "1",
        "unexpected": "1",
        "forbidden": "1",
        "invalid": "1",
        "regressed": "1",
        "failed": "1",
    }
    scores = by_class(summary, "scores")[0]
    row = [e.text() for e in scores.walk() if e.tag == "td"]
    assert row[:4] == ["MEETING", "0.50", "0.00", "0.00"]
    # distinct colours for the four kinds
    style = next(e for e in root.walk() if e.tag == "style").text()
    colours = {
        kind: re.search(rf"\.reg-{kind}\{{border-color:(#[0-9a-f]+)", style)
        for kind in ("missing", "unexpected", "forbidden", "invalid")
    }
    assert all(colours.values()) and len({m.group(1) for m in colours.values() if m}) == 4


def test_a_clean_comparison_says_so() -> None:
    result = ArticleResult("d", found={"MEETING": [1, 0, 1, 0]})
    page = render([Article("d", TEXT, MARKS, (record(),), result)], {"MEETING": Score(1, 0, 1, 0)})
    root = parse(page)
    view = by_class(root, "regression")[0]
    assert "clean" in view.classes() and by_class(view, "reg-none")
    assert [e.text() for e in by_class(root, "badge")] == ["matched"]
    assert by_class(by_id(root, "summary"), "count-regressed")[0].text() == "0"


def test_failed_documents_are_listed() -> None:
    page = full_page()
    root = parse(page)
    failed = by_class(by_id(root, "summary"), "failed-doc")
    assert [e.text() for e in failed] == ["bad.txt: not UTF-8"]
    links = [e.attrs["href"] for e in failed[0].walk() if e.tag == "a"]
    assert links == ["#a1"]
    section = by_id(root, "a1")
    assert "article-failed" in section.classes() and "failed: not UTF-8" in section.text()


# ------------------------------------------------------------------ marks from the pipeline


def test_marks_of_a_processed_document_are_offsets_in_the_original_text(tmp_path: Path) -> None:
    (tmp_path / "meet.rules").write_text(
        "relation MEETING(actor, actor, city?)\n"
        'entity actor: words "Alice Arden", "Bob Brandt"\n'
        'entity city: words "Paris"\n'
        'rule met -> MEETING: within sentence: a:actor "met" b:actor\n'
        "    fill city from nearest city in sentence\n",
        encoding="utf-8",
    )
    rules = load_rules([tmp_path])
    text = "Alice  Arden met Bob&nbsp;Brandt in Paris."
    marks = process(Work(rules, marks=True), Document("d", text)).marks
    shown = {(m.type, text[m.start : m.end], m.value) for m in marks}
    assert ("actor", "Alice  Arden", "Alice Arden") in shown
    assert ("city", "Paris", "Paris") in shown
    assert [m.start for m in marks] == sorted(m.start for m in marks)
