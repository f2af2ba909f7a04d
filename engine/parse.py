"""Text of a rule file -> syntax tree. The only module that imports lark.

Each top-level item (a line starting with `rule`, `relation`, `entity`, `include` or
`prepare`) is parsed on its own, so one typing mistake does not hide the next: every
syntax error of a file is reported at once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex
from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.tree import Meta

from . import syntax as s
from .errors import Diagnostic, source_lines

GRAMMAR = Path(__file__).with_name("grammar.lark")
TOP_LEVEL = regex.compile(r"^(?:include|relation|entity|rule|prepare)\b", regex.MULTILINE)

# What an analyst calls the things the grammar expects (terminal name -> words).
TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted phrase such as "met"',
    "REGEX": "a regular expression between slashes, such as /[A-Z]\\w+/",
    "INT": "a whole number (at most 6 digits)",
    "OPTIONAL": "`?`",
    "STAR": "`*`",
    "PLUS": "`+`",
    "GAP": "a gap `...`",
    "SENTENCE_START": "`^`",
    "SENTENCE_END": "`$`",
    "$END": "the end of the file",
}


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser for the rule language, built once per process."""
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", propagate_positions=True)


def parse_text(text: str, path: str) -> tuple[s.RuleFile, list[Diagnostic]]:
    """Parse one rule file; return the items that parsed and a diagnostic per bad item."""
    items: list[s.Item] = []
    problems: list[Diagnostic] = []
    lines = source_lines(text)
    for first_line, chunk in _chunks(text):
        padded = "\n" * (first_line - 1) + chunk
        try:
            tree = parser().parse(padded)
        except UnexpectedInput as error:
            problems.append(_syntax_diagnostic(error, path, lines, first_line, chunk))
            continue
        items.extend(_Build(path).transform(tree).children)
    return s.RuleFile(path, tuple(items)), problems


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Split a file into top-level items, each with the line it starts on."""
    starts = [m.start() for m in TOP_LEVEL.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    for begin, end in zip(starts, starts[1:], strict=False):
        chunk = text[begin:end]
        if chunk.strip():
            yield text.count("\n", 0, begin) + 1, chunk


# ------------------------------------------------------------------ errors in words


def _syntax_diagnostic(
    error: UnexpectedInput, path: str, lines: list[str], first_line: int, chunk: str
) -> Diagnostic:
    line, column = error.line, error.column
    at_end = isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    )
    if at_end or line < 1:  # at the item's last line that is not blank or a comment
        body = source_lines(chunk.rstrip()) or [""]
        while len(body) > 1 and (not body[-1].strip() or body[-1].lstrip().startswith("#")):
            body.pop()
        line = first_line + len(body) - 1
        column = len(body[-1].rstrip()) + 1
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    message, hint = _explain(error, source_line, column)
    return Diagnostic("E001", message, path, line, column, source_line, hint)


def _explain(error: UnexpectedInput, source_line: str, column: int) -> tuple[str, str | None]:
    if isinstance(error, UnexpectedCharacters):
        char = source_line[column - 1 : column] or error.char
        if char == '"':
            return "this quoted phrase is not closed", 'close it with `"` on the same line'
        if char == "/":
            return "this regular expression is not closed", "end it with `/` on the same line"
        return f"`{char}` cannot stand here", _expected(error.allowed or set())
    if isinstance(error, UnexpectedToken):
        if error.token.type == "$END":
            return "the item ends too early", _expected(error.expected)
        found = str(error.token)
        return f"did not expect `{found}` here", _expected(error.expected)
    if isinstance(error, UnexpectedEOF):
        return "the file ends in the middle of an item", _expected(set(error.expected))
    return "this line cannot be read", None


def _expected(names: set[str]) -> str | None:
    if not names:
        return None
    words = sorted({_word(name) for name in names})
    if len(words) > 8:
        words = words[:8] + ["..."]
    return "expected " + ", ".join(words)


def _word(terminal: str) -> str:
    if terminal in TERMINAL_WORDS:
        return TERMINAL_WORDS[terminal]
    for definition in parser().terminals:
        if definition.name == terminal and definition.pattern.type == "str":
            return f"`{definition.pattern.value}`"
    return terminal.lower()


# ------------------------------------------------------------------ tree -> dataclasses


def _span(path: str, meta: Meta | Token) -> s.Span:
    if isinstance(meta, Token):
        return s.Span(
            path, meta.line or 0, meta.column or 0, meta.end_line or 0, meta.end_column or 0
        )
    if getattr(meta, "empty", True):
        return s.Span(path, 0, 0)
    return s.Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _unquote(token: Token) -> str:
    body = str(token)[1:-1]
    return regex.sub(r"\\(.)", r"\1", body)


def _regex(token: Token) -> tuple[str, str]:
    text = str(token)
    end = text.rindex("/")
    return text[1:end].replace("\\/", "/"), text[end + 1 :]


@v_args(meta=True)
class _Build(Transformer_NonRecursive[Token, Any]):
    """Builds syntax nodes; never judges them (that is `check`'s job)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def _s(self, meta: Meta | Token) -> s.Span:
        return _span(self.path, meta)

    # declarations
    def include(self, meta: Meta, c: list[Any]) -> s.Include:
        return s.Include(_unquote(c[0]), self._s(meta))

    def relation(self, meta: Meta, c: list[Any]) -> s.Relation:
        slots = tuple(x for x in c[1:] if isinstance(x, s.Slot))
        unordered = any(x == "unordered" for x in c if isinstance(x, str))
        description = next((x for x in c if isinstance(x, tuple)), ("",))[0]
        return s.Relation(str(c[0]), slots, unordered, description, self._s(meta))

    def slot(self, meta: Meta, c: list[Any]) -> s.Slot:
        optional = bool(c) and isinstance(c[-1], Token) and c[-1].type == "OPTIONAL"
        names = [str(x) for x in c if isinstance(x, Token) and x.type == "NAME"]
        name, type_ = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return s.Slot(name, type_, optional, self._s(meta))

    def unordered(self, meta: Meta, c: list[Any]) -> str:
        return "unordered"

    def description(self, meta: Meta, c: list[Any]) -> tuple[str]:
        return (_unquote(c[0]),)

    def entity(self, meta: Meta, c: list[Any]) -> s.Entity:
        sources = tuple(x for x in c[1:] if not isinstance(x, tuple))
        norm = next((x for x in c if isinstance(x, tuple)), None)
        return s.Entity(
            str(c[0]),
            sources,
            norm[0] if norm else None,
            self._s(meta),
            norm[1] if norm else s.NOWHERE,
        )

    def gazetteer_source(self, meta: Meta, c: list[Any]) -> s.GazetteerSource:
        return s.GazetteerSource(_unquote(c[0]), len(c) > 1, self._s(meta))

    def variants(self, meta: Meta, c: list[Any]) -> bool:
        return True

    def words_source(self, meta: Meta, c: list[Any]) -> s.WordsSource:
        return s.WordsSource(tuple(_unquote(t) for t in c), self._s(meta))

    def regex_source(self, meta: Meta, c: list[Any]) -> s.RegexSource:
        source, flags = _regex(c[0])
        return s.RegexSource(source, flags, self._s(c[0]))

    def normaliser(self, meta: Meta, c: list[Any]) -> tuple[str, s.Span]:
        return (str(c[0]), self._s(c[0]))

    def prepare(self, meta: Meta, c: list[Any]) -> s.Prepare:
        return s.Prepare(tuple(c), self._s(meta))

    def _step(self, kind: Any, c: list[Any]) -> s.PrepareStep:
        source, flags = _regex(c[0])
        return s.PrepareStep(kind, source, flags, self._s(c[0]))

    def drop_step(self, meta: Meta, c: list[Any]) -> s.PrepareStep:
        return self._step("drop", c)

    def dateline_step(self, meta: Meta, c: list[Any]) -> s.PrepareStep:
        return self._step("dateline", c)

    def published_step(self, meta: Meta, c: list[Any]) -> s.PrepareStep:
        return self._step("published", c)

    # rules
    def rule(self, meta: Meta, c: list[Any]) -> s.Rule:
        name, target, scope, pattern, *clauses = c
        vetoes = tuple(x for x in clauses if isinstance(x, s.Veto))
        fills = tuple(x for x in clauses if isinstance(x, s.Fill))
        priority = next((x for x in clauses if isinstance(x, int)), 0)
        return s.Rule(
            str(name),
            str(target),
            scope,
            pattern,
            vetoes,
            fills,
            priority,
            self._s(meta),
            self._s(target),
        )

    def unit_scope(self, meta: Meta, c: list[Any]) -> s.Scope:
        return s.Scope(c[0], None, self._s(meta))

    def token_scope(self, meta: Meta, c: list[Any]) -> s.Scope:
        return s.Scope("tokens", int(c[0]), self._s(meta))

    def scope_unit(self, meta: Meta, c: list[Any]) -> str:
        return str(c[0])

    def scope_name(self, meta: Meta, c: list[Any]) -> str:
        return str(c[0])

    def except_side(self, meta: Meta, c: list[Any]) -> str:
        return str(c[0])

    def priority(self, meta: Meta, c: list[Any]) -> int:
        return int(c[0])

    def veto(self, meta: Meta, c: list[Any]) -> s.Veto:
        cue, (position, anchor, other, window) = c
        return s.Veto(cue, position, anchor, other, window, self._s(meta))

    def before(self, meta: Meta, c: list[Any]) -> tuple[Any, ...]:
        return ("before", c[0], None, c[1] if len(c) > 1 else None)

    def after(self, meta: Meta, c: list[Any]) -> tuple[Any, ...]:
        return ("after", c[0], None, c[1] if len(c) > 1 else None)

    def between(self, meta: Meta, c: list[Any]) -> tuple[Any, ...]:
        return ("between", str(c[0]), str(c[1]), None)

    def inside(self, meta: Meta, c: list[Any]) -> tuple[Any, ...]:
        return ("inside", str(c[0]), None, None)

    def in_sentence(self, meta: Meta, c: list[Any]) -> tuple[Any, ...]:
        return ("sentence", None, None, None)

    def anchor(self, meta: Meta, c: list[Any]) -> str:
        return str(c[0])

    def whole_match(self, meta: Meta, c: list[Any]) -> str:
        return "match"

    def window(self, meta: Meta, c: list[Any]) -> int:
        return int(c[0])

    def fill(self, meta: Meta, c: list[Any]) -> s.Fill:
        slots = tuple(str(x) for x in c if isinstance(x, Token))
        source = next(x for x in c if isinstance(x, s.FromCapture | s.FromNearest))
        excepts = tuple(x for x in c if isinstance(x, s.ExceptCue | s.ExceptWhen))
        return s.Fill(slots, source, excepts, self._s(meta))

    def from_capture(self, meta: Meta, c: list[Any]) -> s.FromCapture:
        return s.FromCapture(str(c[0]), str(c[1]) if len(c) > 1 else None, self._s(meta))

    def from_nearest(self, meta: Meta, c: list[Any]) -> s.FromNearest:
        conditions = next((x for x in c[1:] if isinstance(x, tuple)), ())
        scopes = tuple(x for x in c[1:] if isinstance(x, str))
        anchor = next((x.capture for x in c[1:] if isinstance(x, s.FromCapture)), None)
        return s.FromNearest(str(c[0]), conditions, scopes, anchor, self._s(meta))  # type: ignore[arg-type]

    def nearest_to(self, meta: Meta, c: list[Any]) -> s.FromCapture:
        return s.FromCapture(str(c[0]), None, self._s(meta))

    def except_cue(self, meta: Meta, c: list[Any]) -> s.ExceptCue:
        return s.ExceptCue(c[0], c[1], c[2] if len(c) > 2 else None, False, self._s(meta))

    def only_cue(self, meta: Meta, c: list[Any]) -> s.ExceptCue:
        return s.ExceptCue(c[0], c[1], c[2] if len(c) > 2 else None, True, self._s(meta))

    def except_when(self, meta: Meta, c: list[Any]) -> s.ExceptWhen:
        return s.ExceptWhen(c[0], c[1] if len(c) > 1 else None, self._s(meta))

    def another(self, meta: Meta, c: list[Any]) -> str:
        return str(c[0])

    # patterns
    def alternation(self, meta: Meta, c: list[Any]) -> s.Alternation:
        return s.Alternation(tuple(c), self._s(meta))

    def sequence(self, meta: Meta, c: list[Any]) -> s.Sequence:
        return s.Sequence(tuple(c), self._s(meta))

    def capture(self, meta: Meta, c: list[Any]) -> s.Capture:
        return s.Capture(str(c[0]), c[1], self._s(meta))

    def quantified(self, meta: Meta, c: list[Any]) -> s.Repeat:
        low, high = c[1]
        return s.Repeat(c[0], low, high, self._s(meta))

    def one_mark(self, meta: Meta, c: list[Any]) -> tuple[int, int | None]:
        return {"?": (0, 1), "*": (0, None), "+": (1, None)}[str(c[0])]

    def exactly(self, meta: Meta, c: list[Any]) -> tuple[int, int | None]:
        return (int(c[0]), int(c[0]))

    def between_counts(self, meta: Meta, c: list[Any]) -> tuple[int, int | None]:
        return (int(c[0]), int(c[1])) if len(c) == 2 else (0, int(c[0]))

    def literal(self, meta: Meta, c: list[Any]) -> s.Literal_:
        return s.Literal_(_unquote(c[0]), False, self._s(meta))

    def exact_literal(self, meta: Meta, c: list[Any]) -> s.Literal_:
        return s.Literal_(_unquote(c[0]), True, self._s(meta))

    def token_regex(self, meta: Meta, c: list[Any]) -> s.TokenRegex:
        source, flags = _regex(c[0])
        return s.TokenRegex(source, flags, self._s(meta))

    def type_ref(self, meta: Meta, c: list[Any]) -> s.TypeRef:
        conditions = c[1] if len(c) > 1 else ()
        return s.TypeRef(str(c[0]), conditions, self._s(c[0]))

    def attribute_test(self, meta: Meta, c: list[Any]) -> tuple[s.Condition, ...]:
        return tuple(c)

    def attribute_condition(self, meta: Meta, c: list[Any]) -> s.Condition:
        value = c[1]
        if isinstance(value, Token):
            value = _unquote(value) if value.type == "STRING" else str(value)
        return s.Condition(str(c[0]), value, self._s(meta))

    def capture_attribute(self, meta: Meta, c: list[Any]) -> s.CaptureAttribute:
        return s.CaptureAttribute(str(c[0]), str(c[1]), self._s(meta))

    def gap(self, meta: Meta, c: list[Any]) -> s.Gap:
        low, high = c[1] if len(c) > 1 else (0, s.DEFAULT_GAP)
        return s.Gap(low, high, self._s(meta))

    def SENTENCE_START(self, token: Token) -> s.Boundary:  # noqa: N802 (lark's naming)
        return s.Boundary("start", self._s(token))

    def SENTENCE_END(self, token: Token) -> s.Boundary:  # noqa: N802
        return s.Boundary("end", self._s(token))
