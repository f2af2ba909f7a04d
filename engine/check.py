"""Judge a parsed rule set: names, types, slots, regexes, files. Collect every problem.

Nothing compiles while an error stands, but every error of the set is found first, so
an analyst fixes them in one pass. Each diagnostic has a stable code (see docs/errors.md).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import regex

from . import syntax as s
from .errors import Diagnostic, Severity
from .gazetteer import MAX_PHRASE, DataFileError, Entry, read_entries
from .match import BUILTIN_TESTS
from .normalise import NORMALISERS

BUILTINS = frozenset(BUILTIN_TESTS)
# A group made only of repeated or optional parts, itself repeated: (a+)+, (\w+\s?)*.
NESTED_QUANTIFIER = regex.compile(r"\((?:\?:)?(?:(?:\\.|\[[^\]]*\]|\w|\.)[+*?])+\)[+*{]")
MAX_NESTING = 64  # deeper patterns are refused (E036): matching them would exhaust the stack
Reporter = Callable[..., None]
VALUE_SLOT = "value"
REGEX_FLAGS = {
    "i": regex.IGNORECASE,
    "m": regex.MULTILINE,
    "s": regex.DOTALL,
    "x": regex.VERBOSE,
    "u": regex.UNICODE,
}


T = TypeVar("T")


@dataclass(frozen=True)
class SlotInfo:
    name: str
    type: str
    optional: bool


@dataclass
class Symbols:
    """What the rule set declares, by name, once checked."""

    relations: dict[str, s.Relation] = field(default_factory=dict)
    slots: dict[str, tuple[SlotInfo, ...]] = field(default_factory=dict)
    entities: dict[str, s.Entity] = field(default_factory=dict)
    rules: dict[str, s.Rule] = field(default_factory=dict)
    prepare: list[s.PrepareStep] = field(default_factory=list)
    gazetteers: dict[str, list[tuple[Entry, list[str]]]] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)


def slot_names(relation: s.Relation) -> tuple[SlotInfo, ...]:
    """Slots as records name them: given names, else the type, numbered when repeated."""
    unnamed = [slot.type for slot in relation.slots if slot.name is None]
    seen: dict[str, int] = {}
    out = []
    for slot in relation.slots:
        name = slot.name
        if name is None:
            seen[slot.type] = seen.get(slot.type, 0) + 1
            name = f"{slot.type}{seen[slot.type]}" if unnamed.count(slot.type) > 1 else slot.type
        out.append(SlotInfo(name, slot.type, slot.optional))
    return tuple(out)


def regex_flags(flags: str) -> int:
    value = regex.VERSION1
    for flag in flags:
        value |= REGEX_FLAGS[flag]
    return value


class Diagnostics:
    """Collects the diagnostics of a rule set, each shown with its line of the rule file."""

    def __init__(self, lines: dict[str, list[str]]) -> None:
        self.lines = lines
        self.problems: list[Diagnostic] = []

    def report(
        self,
        code: str,
        message: str,
        span: s.Span,
        hint: str | None = None,
        severity: str = "error",
    ) -> None:
        self.problems.append(located(code, message, span, self.lines, hint, severity))


class Checker(Diagnostics):
    def __init__(
        self, files: list[s.RuleFile], roots: dict[str, Path], lines: dict[str, list[str]]
    ) -> None:
        super().__init__(lines)
        self.files = files
        self.roots = roots
        self.symbols = Symbols(lines=lines)

    def run(self) -> tuple[Symbols, list[Diagnostic]]:
        self._declare()
        # every item is checked, also one whose name is taken (its own faults are reported
        # at once, not after the name is fixed); only the first of a name is in `symbols`
        for entity in self._items(s.Entity):
            self._check_entity(entity)
        for relation in self._items(s.Relation):
            self._check_relation(relation)
        for rule in self._items(s.Rule):
            self._check_rule(rule)
        self._check_cascades()
        if not self.symbols.rules and not self.problems:
            self.report(
                "E032",
                "this rule set has no rules",
                s.Span(self._first_file(), 1, 1),
                "add at least one `rule NAME -> RELATION: ...`",
            )
        return self.symbols, self.problems

    def _items(self, kind: type[T]) -> list[T]:
        return [item for file in self.files for item in file.items if isinstance(item, kind)]

    def _first_file(self) -> str:
        return self.files[0].path if self.files else next(iter(self.roots), "<rules>")

    # ---------------------------------------------------------- names
    def _declare(self) -> None:
        seen: dict[str, s.Span] = {}
        for file in self.files:
            for item in file.items:
                if isinstance(item, s.Prepare):
                    self.symbols.prepare.extend(item.steps)
                    for step in item.steps:
                        self._check_regex(step.source, step.flags, step.span)
                    continue
                if isinstance(item, s.Include):
                    continue
                self._declare_name(item, seen)

    def _declare_name(self, item: s.Relation | s.Entity | s.Rule, seen: dict[str, s.Span]) -> None:
        if item.name in seen:
            first = seen[item.name]
            self.report(
                "E020",
                f"the name `{item.name}` is already used",
                item.span,
                f"first defined at {first.file}:{first.line}; names are unique across the rule set",
            )
            return
        if item.name in BUILTINS or item.name == VALUE_SLOT:
            self.report(
                "E033", f"`{item.name}` is a built-in name", item.span, "choose another name"
            )
            return
        seen[item.name] = item.span
        if isinstance(item, s.Relation):
            self.symbols.relations[item.name] = item
        elif isinstance(item, s.Entity):
            self.symbols.entities[item.name] = item
        else:
            self.symbols.rules[item.name] = item

    def _unknown(self, code: str, what: str, name: str, span: s.Span, known: list[str]) -> None:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else (
                f"known {what}s: " + ", ".join(f"`{k}`" for k in sorted(known)[:12])
                if known
                else None
            )
        )
        self.report(code, f"unknown {what} `{name}`", span, hint)

    # ---------------------------------------------------------- entities and relations
    def _too_long(self, span: s.Span) -> None:
        self.report(
            "E039",
            f"a phrase of more than {MAX_PHRASE} characters: no name is that long",
            span,
            "split it, or match it with a regex",
        )

    def _check_entity(self, entity: s.Entity) -> None:
        for source in entity.sources:
            if isinstance(source, s.WordsSource) and any(len(w) > MAX_PHRASE for w in source.words):
                self._too_long(source.span)
            if isinstance(source, s.RegexSource):
                self._check_regex(source.source, source.flags, source.span)
            elif isinstance(source, s.GazetteerSource):
                self._load_gazetteer(source)
        if entity.normaliser is not None and entity.normaliser not in NORMALISERS:
            self._unknown(
                "E027", "normaliser", entity.normaliser, entity.normaliser_span, list(NORMALISERS)
            )

    def _load_gazetteer(self, source: s.GazetteerSource) -> None:
        path = self.inside_root(source.path, source.span)
        if path is None:
            return
        if not is_file(path):
            self.report(
                "E028",
                f"the gazetteer file `{source.path}` does not exist",
                source.span,
                f"looked for {path}",
            )
            return
        try:
            key = gazetteer_key(source)
            self.symbols.gazetteers[key] = read_entries(path, key)
        except DataFileError as error:
            self.problems.append(error.diagnostic)

    def inside_root(self, relative: str, span: s.Span) -> Path | None:
        """Resolve a path from a rule file; refuse one that leaves the rule set's folder."""
        return inside_root(relative, span, self.roots[span.file], self.report)

    def _check_relation(self, relation: s.Relation) -> None:
        infos = slot_names(relation)
        names = [info.name for info in infos]
        for slot, info in zip(relation.slots, infos, strict=True):
            if slot.type not in self.symbols.entities:
                self._unknown("E021", "type", slot.type, slot.span, list(self.symbols.entities))
            if names.count(info.name) > 1:
                self.report("E020", f"two slots are named `{info.name}`", slot.span)
        self.symbols.slots[relation.name] = infos

    def _check_regex(self, source: str, flags: str, span: s.Span) -> None:
        if NESTED_QUANTIFIER.search(source):
            self.report(
                "W002",
                "this regular expression repeats a repetition (like (a+)+): "
                "on some texts it backtracks for a very long time",
                span,
                "make the inner part match one way only",
                severity="warning",
            )
        try:
            regex.compile(source, regex_flags(flags))
        except RecursionError:
            self.report("E026", "this regular expression is nested too deeply", span)
        except (ValueError, OverflowError) as error:  # a count of thousands of digits, ...
            self.report("E026", f"this regular expression is invalid: {error}", span)
        except regex.error as error:
            position: int = getattr(error, "pos", None) or 0
            position += source[:position].count("/")  # each / was written \/
            reason: str = getattr(error, "msg", str(error))
            bad = s.Span(span.file, span.line, span.column + 1 + position)
            self.report("E026", f"this regular expression is invalid: {reason}", bad)

    # ---------------------------------------------------------- rules
    def _check_rule(self, rule: s.Rule) -> None:
        is_relation = rule.target in self.symbols.relations
        is_entity = rule.target in self.symbols.entities
        if not is_relation and not is_entity:  # reported; the pattern is checked still
            known = list(self.symbols.relations) + list(self.symbols.entities)
            self._unknown("E023", "relation or entity type", rule.target, rule.target_span, known)
        for pattern in _patterns_of(rule):  # first: the checks below walk nested patterns
            depth = nesting(pattern)
            if depth > MAX_NESTING:
                self.report(
                    "E036",
                    f"this pattern is nested {depth} levels deep; "
                    f"at most {MAX_NESTING} are allowed",
                    rule.span,
                    "split it into entity rules (a cascade)",
                )
                return
        before = len(self.problems)
        captures = self._check_pattern(rule.pattern, set())
        pattern_failed = len(self.problems) > before
        if rule.scope.unit == "tokens" and (rule.scope.size or 0) < 1:
            self.report("E034", "a token scope needs at least 1 token", rule.scope.span)
        for veto in rule.vetoes:
            self._check_veto(veto, captures)
        slots: tuple[SlotInfo, ...] | None = None
        if is_relation:
            slots = self.symbols.slots.get(rule.target)
        elif is_entity:
            slots = (SlotInfo(VALUE_SLOT, rule.target, True),)
        if slots is not None:
            self._check_fills(rule, captures, slots, report_unfilled=not pattern_failed)
        else:  # no slots to check the fills against: their types at least
            for fill in rule.fills:
                if not isinstance(fill.source, s.FromCapture):
                    self._known_type(fill.source)

    def _check_pattern(self, pattern: s.Pattern, captures: set[str]) -> dict[str, str | None]:
        """Check a pattern; return its captures with the type each holds (None: tokens)."""
        found: dict[str, str | None] = {}
        for node in walk(pattern):
            if isinstance(node, s.TypeRef):
                self._check_type_ref(node, captures | set(found))
            elif isinstance(node, s.TokenRegex):
                self._check_regex(node.source, node.flags, node.span)
            if isinstance(node, s.Repeat) and _repeats_inside(node.item):
                self.report(
                    "W001",
                    "a repetition inside a repetition can make matching very slow",
                    node.span,
                    "bound the outer count ({1,3}) or the inner one",
                    severity="warning",
                )
            elif isinstance(node, s.Capture):
                found[node.name] = captured_type(node.item)
            elif (
                isinstance(node, s.Repeat | s.Gap) and node.max is not None and node.min > node.max
            ):
                self.report(
                    "E034",
                    f"the count {{{node.min},{node.max}}} is empty: "
                    "the first number must not exceed the second",
                    node.span,
                )
            elif isinstance(node, s.Literal_) and not node.text.strip():
                self.report("E035", "an empty quoted phrase matches nothing", node.span)
            elif isinstance(node, s.Literal_) and len(node.text) > MAX_PHRASE:
                self._too_long(node.span)
        return found

    def _check_type_ref(self, ref: s.TypeRef, captures: set[str]) -> None:
        if ref.name not in self.symbols.entities and ref.name not in BUILTINS:
            known = list(self.symbols.entities) + sorted(BUILTINS)
            self._unknown("E021", "type", ref.name, ref.span, known)
        for condition in ref.conditions:
            value = condition.value
            if isinstance(value, s.CaptureAttribute) and value.capture not in captures:
                self._unknown("E022", "capture", value.capture, value.span, sorted(captures))

    def _check_veto(self, veto: s.Veto, captures: dict[str, str | None]) -> None:
        self._check_pattern(veto.cue, set(captures))
        for name in (veto.anchor, veto.other):
            if name is not None and name != "match" and name not in captures:
                self._unknown("E022", "capture", name, veto.span, sorted(captures))

    def _check_fills(
        self,
        rule: s.Rule,
        captures: dict[str, str | None],
        slots: tuple[SlotInfo, ...],
        report_unfilled: bool = True,
    ) -> None:
        by_name = {slot.name: slot for slot in slots}
        filled: set[str] = set()
        for fill in rule.fills:
            for name in fill.slots:
                if name not in by_name:
                    self._unknown("E025", f"slot of {rule.target}", name, fill.span, list(by_name))
                    continue
                if name in filled:
                    self.report(
                        "E038",
                        f"slot `{name}` is filled twice in this rule",
                        fill.span,
                        "keep one `fill` of it (two slots: `fill actor1, actor2 from a`)",
                    )
                    continue
                filled.add(name)
                self._check_fill_source(fill, by_name[name], captures)
        implicit = implicit_slots(slots, captures, filled)
        for slot in slots:
            held = captures[slot.name] if implicit.get(slot.name) == slot.name else None
            if held not in (None, slot.type):
                self.report(
                    "E024",
                    f"slot `{slot.name}` holds {_a(slot.type)}, but the capture named "
                    f"`{slot.name}` holds {_a(held or '')}",
                    rule.span,
                    f"rename the capture, or add `fill {slot.name} from ...`",
                )
            if (
                report_unfilled
                and not slot.optional
                and slot.name not in filled
                and slot.name not in implicit
            ):
                self.report(
                    "E031",
                    f"the rule never fills the required slot `{slot.name}` of {rule.target}",
                    rule.span,
                    f"capture it (`{slot.name}:{slot.type}`) or add `fill {slot.name} from ...`",
                )

    def _check_fill_source(
        self, fill: s.Fill, slot: SlotInfo, captures: dict[str, str | None]
    ) -> None:
        source = fill.source
        if isinstance(source, s.FromCapture):
            if source.capture not in captures:
                self._unknown("E022", "capture", source.capture, source.span, sorted(captures))
            elif source.attribute is not None and captures[source.capture] is None:
                self.report(
                    "E037",
                    f"capture `{source.capture}` holds words, not a mention: it has no "
                    f"attribute `{source.attribute}`",
                    source.span,
                    f"capture a type (`{source.capture}:TYPE`) to take its attributes",
                )
            elif source.attribute is None and captures[source.capture] not in (None, slot.type):
                self.report(
                    "E024",
                    f"slot `{slot.name}` holds {_a(slot.type)}, but capture "
                    f"`{source.capture}` holds {_a(captures[source.capture] or '')}",
                    source.span,
                )
            return
        if self._known_type(source) and source.type != slot.type:
            self.report(
                "E024",
                f"slot `{slot.name}` holds {_a(slot.type)}, not {_a(source.type)}",
                source.span,
            )
        for condition in source.conditions:
            value = condition.value
            if isinstance(value, s.CaptureAttribute) and value.capture not in captures:
                self._unknown("E022", "capture", value.capture, value.span, sorted(captures))
        if source.anchor is not None and source.anchor not in captures:
            self._unknown("E022", "capture", source.anchor, source.span, sorted(captures))
        for rule_except in fill.excepts:
            self._check_pattern(rule_except.cue, set(captures))

    def _known_type(self, source: s.FromNearest) -> bool:
        """Is the type a fill takes its value from declared? (E021 when not.)"""
        if source.type in self.symbols.entities:
            return True
        self._unknown("E021", "type", source.type, source.span, list(self.symbols.entities))
        return False

    def _check_cascades(self) -> None:
        """Rules that make entity mentions must not depend on themselves."""
        reported: set[frozenset[str]] = set()
        for cycle in _cycles(self._producers()):
            if frozenset(cycle) in reported:
                continue
            reported.add(frozenset(cycle))
            rule = self.symbols.rules[cycle[0]]
            self.report(
                "E030",
                "these rules feed each other in a circle: " + " -> ".join(cycle),
                rule.span,
                "a rule cannot use, even indirectly, the type it makes",
            )

    def _producers(self) -> dict[str, set[str]]:
        """rule -> the entity rules that must run before it: those making another type it uses.

        Rules that make the type they use run in the order they are written, each seeing
        the mentions made before it, so they are no cycle.
        """
        rules = [r for r in self.symbols.rules.values() if r.target in self.symbols.entities]
        return {
            rule.name: {o.name for o in rules if o.target != rule.target and o.target in uses(rule)}
            for rule in rules
        }


def _a(noun: str) -> str:
    """ "a city", "an actor": a type name with its article."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def located(
    code: str,
    message: str,
    span: s.Span,
    lines: dict[str, list[str]],
    hint: str | None = None,
    severity: str = "error",
) -> Diagnostic:
    """A diagnostic at a span, showing the span's line from the rule file."""
    source = lines.get(span.file, [])
    line = source[span.line - 1] if 0 < span.line <= len(source) else ""
    level: Severity = "warning" if severity == "warning" else "error"
    return Diagnostic(code, message, span.file, span.line, span.column, line, hint, level)


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, ...
        return False


def gazetteer_key(source: s.GazetteerSource) -> str:
    """The gazetteer file a source names, as found from its rule file: two rule files in
    different folders may each name their own `names.yaml`."""
    return os.path.normpath(Path(source.span.file).parent / source.path)


def inside_root(relative: str, span: s.Span, root: Path, report: Reporter) -> Path | None:
    """Resolve a path written in a rule file; refuse one that leaves the rule set's folder."""
    try:
        path = (Path(span.file).parent / relative).resolve()
    except (OSError, RuntimeError):  # too long for the file system, or a loop of links
        path = Path(span.file).parent / relative
    if not path.is_relative_to(root):
        report(
            "E012",
            f"`{relative}` is outside the rule set's folder",
            span,
            f"files a rule set uses must stay inside {root}",
        )
        return None
    return path


def implicit_slots(
    slots: tuple[SlotInfo, ...], captures: dict[str, str | None], filled: set[str]
) -> dict[str, str]:
    """slot -> capture, for slots no `fill` names: a capture named like the slot, else the
    next unused capture holding the slot's type, in pattern order."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for slot in slots:
        if slot.name not in filled and slot.name in captures:
            out[slot.name] = slot.name
            used.add(slot.name)
    for slot in slots:
        if slot.name in filled or slot.name in out or slot.name == VALUE_SLOT:
            continue
        for capture, type_ in captures.items():
            if capture not in used and type_ == slot.type:
                out[slot.name] = capture
                used.add(capture)
                break
    return out


def _repeats_inside(pattern: s.Pattern) -> bool:
    """Does the pattern hold an unbounded repetition or a long gap?"""
    return any(
        (isinstance(node, s.Repeat) and (node.max is None or node.max > 8))
        or (isinstance(node, s.Gap) and node.max > 8)
        for node in walk(pattern)
    )


def _patterns_of(rule: s.Rule) -> list[s.Pattern]:
    patterns = [rule.pattern, *(v.cue for v in rule.vetoes)]
    patterns.extend(e.cue for fill in rule.fills for e in fill.excepts)
    return patterns


def nesting(pattern: s.Pattern) -> int:
    """How deep groups, alternatives and repetitions nest (measured without recursion)."""
    deepest = 0
    stack = [(pattern, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, s.Sequence):
            stack.extend((item, depth + 1) for item in node.items)
        elif isinstance(node, s.Alternation):
            stack.extend((option, depth + 1) for option in node.options)
        elif isinstance(node, s.Repeat | s.Capture):
            stack.append((node.item, depth + 1))
    return deepest


def uses(rule: s.Rule) -> set[str]:
    """Every type a rule refers to: in its pattern, its vetoes and its fills."""
    patterns: list[s.Pattern] = [rule.pattern, *(v.cue for v in rule.vetoes)]
    names = set()
    for fill in rule.fills:
        patterns.extend(e.cue for e in fill.excepts)
        if isinstance(fill.source, s.FromNearest):
            names.add(fill.source.type)
    for pattern in patterns:
        names.update(n.name for n in walk(pattern) if isinstance(n, s.TypeRef))
    return names


def walk(pattern: s.Pattern) -> Iterator[s.Pattern]:
    stack = [pattern]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, s.Sequence):
            stack.extend(reversed(node.items))
        elif isinstance(node, s.Alternation):
            stack.extend(reversed(node.options))
        elif isinstance(node, s.Repeat | s.Capture):
            stack.append(node.item)


def captured_type(pattern: s.Pattern) -> str | None:
    """The entity type a capture holds, when its pattern is (a repetition of) one type."""
    while isinstance(pattern, s.Repeat | s.Capture):
        pattern = pattern.item
    if isinstance(pattern, s.TypeRef) and pattern.name not in BUILTINS:
        return pattern.name
    if isinstance(pattern, s.Alternation):
        types = {captured_type(option) for option in pattern.options}
        return types.pop() if len(types) == 1 else None
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle once, as a list of rule names starting from its smallest name."""
    found: set[tuple[str, ...]] = set()
    for start in sorted(graph):
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    low = path.index(min(path))
                    found.add(tuple(path[low:] + path[:low]))
                elif nxt not in path and nxt > start:
                    stack.append((nxt, path + [nxt]))
    return [list(c) + [c[0]] for c in sorted(found)]


def check(
    files: list[s.RuleFile], roots: dict[str, Path], lines: dict[str, list[str]]
) -> tuple[Symbols, list[Diagnostic]]:
    """Check a parsed rule set; return its symbols and every diagnostic found.

    `roots` maps each rule file to the folder it (and all it refers to) must stay in.
    """
    return Checker(files, roots, lines).run()
