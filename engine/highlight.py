"""Syntax highlighting of rule files for Pygments (`pygmentize -l newsrules meeting.rules`).

The lexer follows `grammar.lark`: every keyword literal there is a Keyword here (the tests
derive the list from the grammar, so a new keyword without colour fails them), and a name
is coloured by what it stands for where the syntax says so: a relation or entity type, a
rule, a slot, a capture, an attribute. An Error token marks text no rule file can hold (an
unterminated string, a stray character). Pygments finds the lexer through the
`pygments.lexers` entry point `newsrules`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pygments.lexer import RegexLexer, bygroups, default, include  # type: ignore[import-untyped]
from pygments.token import (  # type: ignore[import-untyped]
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from .match import BUILTIN_TESTS

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
STRING = r'"(?:[^"\\\n]|\\.)*"'
REGEX = r"/(?:[^/\\\n]|\\.)+/[imsxu]*"

DECLARATIONS = ("relation", "entity", "rule", "prepare")
KEYWORDS = (
    "unordered",
    "gazetteer",
    "with",
    "variants",
    "words",
    "regex",
    "normalise",
    "drop",
    "lines",
    "dateline",
    "published",
    "within",
    "tokens",
    "sentence",
    "paragraph",
    "unless",
    "before",
    "after",
    "between",
    "and",
    "inside",
    "in",
    "match",
    "fill",
    "from",
    "nearest",
    "to",
    "document",
    "title",
    "except",
    "only",
    "when",
    "another",
    "priority",
    "exact",
)
BUILTIN_TYPES = tuple(BUILTIN_TESTS)  # Cap, Upper, Word, Number, Punct, Token


def _keyword(*names: str) -> str:
    """One of these keywords as a whole word: `in` must not colour the start of `inside`."""
    return rf"({'|'.join(names)})\b"


class RulesLexer(RegexLexer):  # type: ignore[misc]  # RegexLexer is untyped
    """Pygments lexer for the newsrules rule language (`*.rules`)."""

    name = "newsrules"
    aliases: ClassVar[list[str]] = ["newsrules", "rules", "rule"]
    filenames: ClassVar[list[str]] = ["*.rules"]
    mimetypes: ClassVar[list[str]] = ["text/x-newsrules"]

    tokens: ClassVar[dict[str, list[Any]]] = {
        "root": [
            include("blank"),
            # declarations: what each name declares
            (
                rf"(relation)(\s+)({NAME})",
                bygroups(Keyword.Declaration, Whitespace, Name.Class),
                "relation",
            ),
            (rf"(entity)(\s+)({NAME})", bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (
                rf"(rule)(\s+)({NAME})(\s*)(->)(\s*)({NAME})",
                bygroups(
                    Keyword.Declaration,
                    Whitespace,
                    Name.Function,
                    Whitespace,
                    Operator,
                    Whitespace,
                    Name.Class,
                ),
            ),
            (_keyword(*DECLARATIONS), Keyword.Declaration),
            # files: included rule files and gazetteers
            (rf"(include)(\s+)({STRING})", bygroups(Keyword.Namespace, Whitespace, String.Other)),
            (_keyword("include"), Keyword.Namespace),
            (rf"(gazetteer)(\s+)({STRING})", bygroups(Keyword, Whitespace, String.Other)),
            (rf"(normalise)(\s+)({NAME})", bygroups(Keyword, Whitespace, Name.Builtin)),
            # clauses whose names are slots, captures or attributes rather than types
            (_keyword("fill"), Keyword, "fill"),
            (
                rf"(except|only)(\s+){_keyword('before', 'after')}",
                bygroups(Keyword, Whitespace, Keyword),
            ),  # `except before CUE`: a pattern follows, not a capture
            (
                rf"(before|after|inside|to)(\s+)(?!match\b)({NAME})",
                bygroups(Keyword, Whitespace, Name.Variable),
            ),
            (
                rf"(between)(\s+)({NAME})(\s+)(and)(\s+)({NAME})",
                bygroups(
                    Keyword,
                    Whitespace,
                    Name.Variable,
                    Whitespace,
                    Keyword,
                    Whitespace,
                    Name.Variable,
                ),
            ),
            (
                rf"(from)(\s+)(?!nearest\b)({NAME})(?:(\.)({NAME}))?",
                bygroups(Keyword, Whitespace, Name.Variable, Punctuation, Name.Attribute),
            ),
            (rf"(nearest)(\s+)({NAME})", bygroups(Keyword, Whitespace, Name.Class)),
            (rf"(another)(\s+)({NAME})", bygroups(Keyword, Whitespace, Name.Attribute)),
            include("pattern"),
        ],
        # `relation NAME` then its slots, `unordered` and a description
        "relation": [
            include("blank"),
            (r"\(", Punctuation, ("#pop", "slots")),
            default("#pop"),
        ],
        "slots": [
            include("blank"),
            (rf"({NAME})(\s*)(:)", bygroups(Name.Property, Whitespace, Punctuation)),
            (NAME, Name.Class),
            (r"\?", Operator),
            (",", Punctuation),
            (r"\)", Punctuation, ("#pop", "relation-tail")),
            default("#pop"),
        ],
        "relation-tail": [
            include("blank"),
            (_keyword("unordered"), Keyword),
            (STRING, String.Doc),
            default("#pop"),
        ],
        # `fill SLOT, SLOT` up to `from`
        "fill": [
            include("blank"),
            (rf"(?!from\b){NAME}", Name.Property),
            (",", Punctuation),
            default("#pop"),
        ],
        # `[kind=person, country=n.country, name="Hamas"]`
        "attributes": [
            include("blank"),
            (rf"({NAME})(\s*)(=)", bygroups(Name.Attribute, Whitespace, Operator)),
            (rf"({NAME})(\.)({NAME})", bygroups(Name.Variable, Punctuation, Name.Attribute)),
            (NAME, Name.Constant),
            (STRING, String.Double),
            (",", Punctuation),
            (r"\]", Punctuation, "#pop"),
            default("#pop"),
        ],
        # token patterns and everything else: types, captures, strings, regexes, counts
        "pattern": [
            (_keyword(*KEYWORDS), Keyword),
            (_keyword(*BUILTIN_TYPES), Name.Builtin),
            (rf"({NAME})(\s*)(:)", bygroups(Name.Variable, Whitespace, Punctuation)),
            (NAME, Name.Class),
            (STRING, String.Double),
            (REGEX, String.Regex),
            (r"[0-9]+", Number.Integer),
            (r"->|\.\.\.|[|?*+^$=]", Operator),
            (r"\[", Punctuation, "attributes"),
            (r"[(){},:.\]]", Punctuation),
        ],
        "blank": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
        ],
    }
