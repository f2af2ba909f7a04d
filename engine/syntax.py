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
