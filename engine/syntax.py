"""The rule language's syntax tree: frozen dataclasses, each with its source span.

`parse` builds these and never judges them; `check` judges them; `compile` turns them
into matchers. Nothing here knows about lark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Span:
    """Where a construct stands in a rule file (lines and columns are 1-based)."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0


NOWHERE = Span("<none>", 0, 0)
DEFAULT_GAP = 8  # `...` alone skips up to this many tokens


# ------------------------------------------------------------------ token patterns


@dataclass(frozen=True)
class CaptureAttribute:
    """`n.country`: an attribute of what capture `n` matched."""

    capture: str
    attribute: str
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Condition:
    """`kind = person` inside `actor[...]`: the mention's attribute must equal the value."""

    attribute: str
    value: str | CaptureAttribute
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Literal_:
    """A quoted phrase: one token per word, case-insensitive unless `exact`."""

    text: str
    exact: bool
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class TokenRegex:
    """`/.../flags`: one token whose whole text matches the regex."""

    source: str
    flags: str
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class TypeRef:
    """A mention of an entity type (or a built-in token class such as `Cap`)."""

    name: str
    conditions: tuple[Condition, ...]
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Gap:
    """`...{m,n}`: skip between m and n tokens, whatever they are."""

    min: int
    max: int
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Boundary:
    """`^` (sentence start) or `$` (sentence end)."""

    kind: Literal["start", "end"]
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Sequence:
    items: tuple[Pattern, ...]
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Alternation:
    options: tuple[Pattern, ...]
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Repeat:
    """`x?`, `x*`, `x+`, `x{m,n}`; max None means unbounded."""

    item: Pattern
    min: int
    max: int | None
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Capture:
    """`name:x`: remember what x matched under `name`."""

    name: str
    item: Pattern
    span: Span = field(default=NOWHERE, compare=False)


Pattern = (
    Literal_ | TokenRegex | TypeRef | Gap | Boundary | Sequence | Alternation | Repeat | Capture
)


def unparse(pattern: Pattern) -> str:
    """A pattern written back in the rule language (how `--explain` names its elements)."""
    if isinstance(pattern, Literal_):
        quoted = '"' + pattern.text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"exact {quoted}" if pattern.exact else quoted
    if isinstance(pattern, TokenRegex):
        return f"/{pattern.source}/{pattern.flags}"
    if isinstance(pattern, TypeRef):
        if not pattern.conditions:
            return pattern.name
        tests = ", ".join(f"{c.attribute} = {_value(c.value)}" for c in pattern.conditions)
        return f"{pattern.name}[{tests}]"
    if isinstance(pattern, Gap):
        if (pattern.min, pattern.max) == (0, DEFAULT_GAP):
            return "..."
        return f"...{{{pattern.min},{pattern.max}}}"
    if isinstance(pattern, Boundary):
        return "^" if pattern.kind == "start" else "$"
    if isinstance(pattern, Sequence):
        return " ".join(_grouped(item, Alternation) for item in pattern.items)
    if isinstance(pattern, Alternation):
        return " | ".join(unparse(option) for option in pattern.options)
    if isinstance(pattern, Repeat):
        return _grouped(pattern.item, Sequence | Alternation | Repeat | Capture) + _times(pattern)
    return f"{pattern.name}:{_grouped(pattern.item, Sequence | Alternation | Capture)}"


def _grouped(pattern: Pattern, needs_brackets: object) -> str:
    text = unparse(pattern)
    return f"({text})" if isinstance(pattern, needs_brackets) else text  # type: ignore[arg-type]


def _value(value: str | CaptureAttribute) -> str:
    if isinstance(value, CaptureAttribute):
        return f"{value.capture}.{value.attribute}"
    return '"' + value + '"'


def _times(repeat: Repeat) -> str:
    marks = {(0, 1): "?", (0, None): "*", (1, None): "+"}
    if (repeat.min, repeat.max) in marks:
        return marks[(repeat.min, repeat.max)]
    if repeat.min == repeat.max:
        return f"{{{repeat.min}}}"
    return f"{{{repeat.min},{repeat.max}}}"


# ------------------------------------------------------------------ declarations


@dataclass(frozen=True)
class Include:
    path: str
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Slot:
    """One argument of a relation: its type, its name (given or derived) and optionality."""

    name: str | None
    type: str
    optional: bool
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Relation:
    name: str
    slots: tuple[Slot, ...]
    unordered: bool
    description: str
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class GazetteerSource:
    path: str
    variants: bool
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class WordsSource:
    words: tuple[str, ...]
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class RegexSource:
    source: str
    flags: str
    span: Span = field(default=NOWHERE, compare=False)


Source = GazetteerSource | WordsSource | RegexSource


@dataclass(frozen=True)
class Entity:
    """An entity type and where its mentions come from (rules may add more: cascades)."""

    name: str
    sources: tuple[Source, ...]
    normaliser: str | None
    span: Span = field(default=NOWHERE, compare=False)
    normaliser_span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class PrepareStep:
    """`drop lines /re/`, `dateline /re/` or `published /re/`."""

    kind: Literal["drop", "dateline", "published"]
    source: str
    flags: str
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Prepare:
    steps: tuple[PrepareStep, ...]
    span: Span = field(default=NOWHERE, compare=False)


# ------------------------------------------------------------------ rules


@dataclass(frozen=True)
class Scope:
    """Where a whole match must stand: one sentence, one paragraph, or N tokens."""

    unit: Literal["sentence", "paragraph", "tokens"]
    size: int | None = None
    span: Span = field(default=NOWHERE, compare=False)


VetoPosition = Literal["before", "after", "between", "inside", "sentence"]


@dataclass(frozen=True)
class Veto:
    """`unless CUE before a within 3`: the match is dropped when the cue stands there."""

    cue: Pattern
    position: VetoPosition
    anchor: str | None  # a capture name, "match", or None for `in sentence`
    other: str | None  # the second capture of `between a and b`
    window: int | None
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class FromCapture:
    """`from n`: the capture's value; `from n.country`: one of its mention's attributes."""

    capture: str
    attribute: str | None = None
    span: Span = field(default=NOWHERE, compare=False)


FillScope = Literal["sentence", "paragraph", "dateline", "document", "title"]


@dataclass(frozen=True)
class FromNearest:
    type: str
    conditions: tuple[Condition, ...]
    scopes: tuple[FillScope, ...]
    anchor: str | None = None  # measure nearness from this capture, not the whole match
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class ExceptCue:
    """`except after CUE within N`: skip a candidate that the cue stands before/after;
    `only after CUE within N` (keep=True): skip every candidate the cue does not."""

    side: Literal["after", "before"]
    cue: Pattern
    window: int | None
    keep: bool = False
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class ExceptWhen:
    """`except when CUE in sentence`: look no further than the sentence when the cue is in
    it; `... with another country`: only at candidates whose `country` differs from the
    value of a mention the cue matched."""

    cue: Pattern
    attribute: str | None = None
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Fill:
    slots: tuple[str, ...]
    source: FromCapture | FromNearest
    excepts: tuple[ExceptCue | ExceptWhen, ...]
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Rule:
    """A pattern that, where it matches, makes a relation record or an entity mention."""

    name: str
    target: str
    scope: Scope
    pattern: Pattern
    vetoes: tuple[Veto, ...]
    fills: tuple[Fill, ...]
    priority: int
    span: Span = field(default=NOWHERE, compare=False)
    target_span: Span = field(default=NOWHERE, compare=False)


Item = Include | Relation | Entity | Prepare | Rule


@dataclass(frozen=True)
class RuleFile:
    path: str
    items: tuple[Item, ...]
