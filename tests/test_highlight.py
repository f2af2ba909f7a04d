"""Syntax highlighting of rule files: the Pygments lexer (engine/highlight.py) and the TextMate
grammar (editors/newsrules.tmLanguage.json) colour every construct of the language.

The keyword list is read from engine/grammar.lark, so a keyword added to the grammar and not
to the highlighters fails here. Every shipped rule file and every rule block of docs/dsl.md
must lex without an error token and give back its text unchanged."""

from __future__ import annotations

import json
import plistlib
import re
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import pytest
import regex
from conftest import ROOT, RULES
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String, _TokenType

from engine.highlight import RulesLexer
from engine.parse import parse_text

GRAMMAR = ROOT / "engine" / "grammar.lark"
TEXTMATE = ROOT / "editors" / "newsrules.tmLanguage.json"
VSCODE = ROOT / "editors" / "package.json"
DSL = ROOT / "docs" / "dsl.md"
BLOCK = re.compile(r"^```rule[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def grammar_keywords() -> list[str]:
    """Every word literal of the grammar (`"within"`, `"sentence"`, ...), comments aside."""
    text = re.sub(r"^\s*//[^\n]*", "", GRAMMAR.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return sorted(set(re.findall(r'"([A-Za-z_]+)"', text)))


def sources() -> list[tuple[str, str]]:
    """(id, text) of every shipped rule file and every rule block of the language page."""
    files = [
        (path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(RULES.rglob("*.rules"))
    ]
    blocks = BLOCK.findall(DSL.read_text(encoding="utf-8"))
    return files + [(f"docs/dsl.md#{i}", block) for i, block in enumerate(blocks)]


SOURCES = [pytest.param(text, id=name) for name, text in sources()]

# Keywords the shipped rules and the docs seldom use, each where the grammar puts it.
RARE_KEYWORDS = """
include "entities.rules"
relation VISIT(visitor: actor, city?) unordered "An actor visited a city."
entity meets:
    gazetteer "gazetteers/actors.yaml" with variants
    words "met", "held talks"
    regex /\\bmet\\b/i
    normalise text
prepare:
    drop lines /^Advertisement$/
    dateline /^([A-Z]+):/
    published /date (\\d{4}-\\d{2}-\\d{2})/
rule r -> VISIT:
    within 12 tokens: a:actor exact "met" n:(Cap Cap{1,3}) ...{,4} c:city
    unless "not" before match within 2
    unless "never" after a
    unless actor between a and c
    unless city inside n
    unless "phone" in sentence
    fill visitor from a
    fill city from nearest city[country=a.country] to c in sentence, paragraph, title, document
        except after "said" within 3
        only before "in"
        except when "visit" in sentence with another country
    priority 2
"""


def lex(text: str) -> list[tuple[_TokenType, str]]:
    return list(RulesLexer(stripnl=False, ensurenl=False).get_tokens(text))


def token_types(text: str, value: str) -> list[_TokenType]:
    """The types of the tokens whose text is exactly `value`, in order."""
    return [ttype for ttype, v in lex(text) if v == value]


def keyword_offsets(text: str) -> set[tuple[int, str]]:
    """Where the lexer puts a Keyword: (offset, word)."""
    offsets, at = set(), 0
    for ttype, value in lex(text):
        if ttype in Keyword:
            offsets.add((at, value))
        at += len(value)
    return offsets


# ---------------------------------------------------------------- the Pygments lexer


def test_the_grammar_has_the_keywords_this_file_reads() -> None:
    keywords = grammar_keywords()
    assert {"relation", "within", "unless", "fill", "nearest", "except"} <= set(keywords)
    assert all(re.fullmatch(r"[a-z]+", k) for k in keywords)


@pytest.mark.parametrize("text", [*SOURCES, pytest.param(RARE_KEYWORDS, id="rare")])
def test_shipped_rules_and_docs_lex_without_errors(text: str) -> None:
    errors = [value for ttype, value in lex(text) if ttype in Error]
    assert errors == []


@pytest.mark.parametrize("text", [*SOURCES, pytest.param(RARE_KEYWORDS, id="rare")])
def test_the_tokens_give_back_the_text(text: str) -> None:
    assert "".join(value for _, value in lex(text)) == text


def test_the_sample_of_rare_keywords_is_a_valid_rule_file() -> None:
    _, problems = parse_text(RARE_KEYWORDS, "sample.rules")
    assert problems == []


@pytest.mark.parametrize("keyword", grammar_keywords())
def test_every_grammar_keyword_is_a_keyword_on_its_own(keyword: str) -> None:
    [(ttype, value)] = lex(keyword)
    assert value == keyword
    assert ttype in Keyword


def test_every_grammar_keyword_is_a_keyword_where_it_stands() -> None:
    corpus = "\n".join(text for _, text in sources()) + RARE_KEYWORDS
    found = {word for _, word in keyword_offsets(corpus)}
    assert set(grammar_keywords()) - found == set()


@pytest.mark.parametrize("name", ["rule_name", "inside_n", "within2", "fills", "Token_x", "to_"])
def test_a_name_that_starts_with_a_keyword_is_one_name(name: str) -> None:
    [(ttype, value)] = lex(name)
    assert value == name
    assert ttype in Name


def test_an_unterminated_string_is_an_error() -> None:
    assert any(ttype in Error for ttype, _ in lex('words "met", "held\n'))


CONSTRUCTS = [
    # (snippet, token text, its type, which occurrence)
    ("# who met whom", "# who met whom", Comment.Single, 0),
    ('words "met" # a cue', "# a cue", Comment.Single, 0),
    ('words "met", "held talks"', '"held talks"', String.Double, 0),
    ("regex /\\d{4}-\\d{2}/i", "/\\d{4}-\\d{2}/i", String.Regex, 0),
    ("drop lines /^\\s*(?:#\\w+\\s*)+$/", "/^\\s*(?:#\\w+\\s*)+$/", String.Regex, 0),
    ('gazetteer "gazetteers/actors.yaml"', '"gazetteers/actors.yaml"', String.Other, 0),
    ('include "entities.rules"', '"entities.rules"', String.Other, 0),
    ('include "entities.rules"', "include", Keyword.Namespace, 0),
    ("relation MEETING(actor, actor, city?) unordered", "MEETING", Name.Class, 0),
    ("relation MEETING(actor, actor, city?) unordered", "relation", Keyword.Declaration, 0),
    ("relation MEETING(actor, actor, city?) unordered", "?", Operator, 0),
    ("relation VISIT(visitor: actor, city)", "visitor", Name.Property, 0),
    ("relation VISIT(visitor: actor, city)", "actor", Name.Class, 0),
    (
        'relation VISIT(city)\n    "An actor visited a city."',
        '"An actor visited a city."',
        String.Doc,
        0,
    ),
    ("entity actor:", "actor", Name.Class, 0),
    ("normalise date", "date", Name.Builtin, 0),
    ("rule met_with -> MEETING:", "met_with", Name.Function, 0),
    ("rule met_with -> MEETING:", "->", Operator, 0),
    ("rule met_with -> MEETING:", "MEETING", Name.Class, 0),
    ("within 12 tokens:", "12", Number.Integer, 0),
    ("a:actor ...{0,6} v:meets", "a", Name.Variable, 0),
    ("a:actor ...{0,6} v:meets", "actor", Name.Class, 0),
    ("a:actor ...{0,6} v:meets", "...", Operator, 0),
    ("a:actor ...{0,6} v:meets", "6", Number.Integer, 0),
    ("n:(Cap Cap{1,3})", "Cap", Name.Builtin, 1),
    ('^ "On" date $', "^", Operator, 0),
    ('("met" | "talked")+', "|", Operator, 0),
    ("actor[kind=person, country=n.country]", "kind", Name.Attribute, 0),
    ("actor[kind=person, country=n.country]", "person", Name.Constant, 0),
    ("actor[kind=person, country=n.country]", "n", Name.Variable, 0),
    ("actor[kind=person, country=n.country]", "country", Name.Attribute, 1),
    ('actor[name="Hamas"]', '"Hamas"', String.Double, 0),
    ("unless negation before b within 2", "negation", Name.Class, 0),
    ("unless negation before b within 2", "b", Name.Variable, 0),
    ("unless actor between a and v", "v", Name.Variable, 0),
    ("unless actor | city inside n", "n", Name.Variable, 0),
    ('unless "x" before match', "match", Keyword, 0),
    ("fill actor1, actor2 from p", "actor2", Name.Property, 0),
    ("fill actor1, actor2 from p", "p", Name.Variable, 0),
    ("fill value from n.country", "country", Name.Attribute, 0),
    ("fill city from nearest city to b in sentence", "city", Name.Class, 1),
    ("fill city from nearest city to b in sentence", "b", Name.Variable, 0),
    ("only after locative within 4", "locative", Name.Class, 0),
    ("except before reporting", "reporting", Name.Class, 0),
    ("except when city in sentence with another country", "country", Name.Attribute, 0),
    ("priority 2", "priority", Keyword, 0),
]


@pytest.mark.parametrize(("snippet", "value", "expected", "nth"), CONSTRUCTS)
def test_each_construct_gets_its_token_type(
    snippet: str, value: str, expected: _TokenType, nth: int
) -> None:
    assert token_types(snippet, value)[nth] == expected


def test_the_entry_point_finds_the_lexer() -> None:
    points = [e for e in metadata.entry_points(group="pygments.lexers") if e.name == "newsrules"]
    if not points:
        pytest.skip('no entry point: add newsrules = "engine.highlight:RulesLexer" and reinstall')
    assert points[0].load() is RulesLexer
    assert isinstance(get_lexer_by_name("newsrules"), RulesLexer)
    assert isinstance(get_lexer_by_name("rules"), RulesLexer)


# ---------------------------------------------------------------- the TextMate grammar


def textmate() -> dict[str, Any]:
    grammar: dict[str, Any] = json.loads(TEXTMATE.read_text(encoding="utf-8"))
    return grammar


def rules_in(node: Any) -> Iterator[dict[str, Any]]:
    """Every rule of the grammar, however deeply nested."""
    if isinstance(node, dict):
        if any(key in node for key in ("match", "begin", "include", "patterns")):
            yield node
        for value in node.values():
            yield from rules_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from rules_in(value)


def match_rules(grammar: dict[str, Any]) -> list[dict[str, Any]]:
    """The top-level `match` rules in order, repository includes followed; begin/end skipped."""

    def expand(rules: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for rule in rules:
            if "include" in rule:
                yield from expand([grammar["repository"][rule["include"][1:]]])
            elif "match" in rule:
                yield rule
            elif "begin" not in rule:
                yield from expand(rule.get("patterns", []))

    return list(expand(grammar["patterns"]))


def tag(line: str, grammar: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(offset, text, scope) of a line: at each step the leftmost match of any rule wins, the
    first rule on a tie (as in TextMate); a rule's captures name their groups."""
    compiled = [(regex.compile(rule["match"]), rule) for rule in match_rules(grammar)]
    tags: list[tuple[int, str, str]] = []
    at = 0
    while at < len(line):
        found = [(m, rule) for pattern, rule in compiled if (m := pattern.search(line, at))]
        if not found:
            break
        m, rule = min(found, key=lambda pair: pair[0].start())
        if "name" in rule:
            tags.append((m.start(), m.group(), rule["name"]))
        for group, scope in sorted(rule.get("captures", {}).items(), key=lambda c: int(c[0])):
            if m.group(int(group)):
                tags.append((m.start(int(group)), m.group(int(group)), scope["name"]))
        at = max(m.end(), at + 1)
    return tags


def scopes_of(line: str, value: str) -> list[str]:
    return [scope for _, text, scope in tag(line, textmate()) if text == value]


def test_the_textmate_grammar_is_one_for_rule_files() -> None:
    grammar = textmate()
    assert grammar["scopeName"] == "source.newsrules"
    assert grammar["fileTypes"] == ["rules"]
    assert grammar["patterns"] and grammar["repository"]


def test_every_textmate_regex_compiles() -> None:
    rules = list(rules_in(textmate()))
    patterns = [rule[key] for rule in rules for key in ("match", "begin", "end") if key in rule]
    assert len(patterns) > 20
    for pattern in patterns:
        regex.compile(pattern)


def test_every_textmate_include_names_a_repository_entry() -> None:
    grammar = textmate()
    includes = {rule["include"] for rule in rules_in(grammar) if "include" in rule}
    assert includes
    assert {name[1:] for name in includes} <= set(grammar["repository"])


def scope_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from [value] if key == "name" else scope_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from scope_names(value)


def test_every_textmate_scope_is_for_newsrules() -> None:
    grammar = textmate()
    names = list(scope_names([grammar["patterns"], grammar["repository"]]))
    assert len(names) > 20
    assert all(name.endswith(".newsrules") for name in names)


@pytest.mark.parametrize("keyword", grammar_keywords())
def test_textmate_tags_every_grammar_keyword(keyword: str) -> None:
    assert [s.split(".")[0] for s in scopes_of(f"  {keyword} ", keyword)] == ["keyword"]


LINE = '    unless plan_cue before v within 3   # "will meet", "is expected to meet"'
TEXTMATE_CONSTRUCTS = [
    (LINE, "unless", "keyword.control"),
    (LINE, "before", "keyword.control"),
    (LINE, "v", "variable.other.capture"),
    (LINE, "plan_cue", "entity.name.type"),
    (LINE, "3", "constant.numeric"),
    (LINE, '# "will meet", "is expected to meet"', "comment.line"),
    ('a:actor ...{0,6} v:meets "with"? b:actor', "a", "variable.other.capture"),
    ('a:actor ...{0,6} v:meets "with"? b:actor', '"with"', "string.quoted.double"),
    ('a:actor ...{0,6} v:meets "with"? b:actor', "...", "keyword.operator.gap"),
    ("rule met_with -> MEETING:", "met_with", "entity.name.function"),
    ("rule met_with -> MEETING:", "MEETING", "entity.name.type"),
    ("entity date:", "date", "entity.name.type"),
    ("    regex /\\d{4}/i", "/\\d{4}/i", "string.regexp"),
    ("    regex /\\d{4}/i", "i", "keyword.other.flags"),
    ('    gazetteer "gazetteers/actors.yaml"', '"gazetteers/actors.yaml"', "string.quoted"),
    ("    normalise date", "date", "support.function"),
    ("    only after locative within 4", "locative", "entity.name.type"),
    ("role n:(Cap Cap{1,3})", "Cap", "support.type.builtin"),
]


@pytest.mark.parametrize(("line", "value", "scope"), TEXTMATE_CONSTRUCTS)
def test_textmate_tags_each_construct(line: str, value: str, scope: str) -> None:
    assert scopes_of(line, value)[0].startswith(scope + ".")


@pytest.mark.parametrize("text", SOURCES)
def test_textmate_and_pygments_agree_on_keywords(text: str) -> None:
    grammar, offsets, start = textmate(), set(), 0
    for line in text.splitlines(keepends=True):
        for at, value, scope in tag(line, grammar):
            if scope.startswith(("keyword.control.", "keyword.declaration.")):
                offsets.add((start + at, value))
        start += len(line)
    assert offsets == keyword_offsets(text)


def test_the_vscode_extension_points_at_the_grammar() -> None:
    extension = json.loads(VSCODE.read_text(encoding="utf-8"))
    [grammar] = extension["contributes"]["grammars"]
    [language] = extension["contributes"]["languages"]
    assert grammar["scopeName"] == textmate()["scopeName"]
    assert (VSCODE.parent / grammar["path"]).resolve() == TEXTMATE.resolve()
    assert (VSCODE.parent / language["configuration"]).is_file()
    assert language["extensions"] == [".rules"] and grammar["language"] == language["id"]


def test_the_grammar_converts_to_a_plist_for_sublime_text() -> None:
    plist = plistlib.loads(plistlib.dumps(textmate()))
    assert plist["scopeName"] == "source.newsrules"
