"""Expected records: what an analyst expects from each article, compared with what was found.

An expectations file (YAML, one per article) lists records that must be found (`expect`),
records that may be found (`optional: true`), and records that must NOT be found
(`must_not`). A field is pinned by a plain value, or described loosely by JSON Schema
keywords (`{enum: [...]}`, `{pattern: ...}`, `{type: [string, "null"]}`). Each
expectation compiles to a JSON Schema over the record and is matched with jsonschema;
the slots of an unordered relation match in either order.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .compiled_rules import RelationType
from .errors import Diagnostic
from .gazetteer import DataFileError, compose_file
from .validate import DIALECT

FILE_SCHEMA: dict[str, Any] = {
    "$schema": DIALECT,
    "type": "object",
    "required": ["doc"],
    "additionalProperties": False,
    "properties": {
        "doc": {"type": "string", "minLength": 1},
        "about": {"type": "string"},
        "expect": {"type": "array", "items": {"$ref": "#/$defs/expectation"}},
        "must_not": {"type": "array", "items": {"$ref": "#/$defs/expectation"}},
    },
    "$defs": {
        "expectation": {
            "type": "object",
            "required": ["relation"],
            "additionalProperties": False,
            "properties": {
                "relation": {"type": "string", "minLength": 1},
                "args": {"type": "object"},
                "evidence": {},
                "rule": {},
                "optional": {"type": "boolean"},
                "why": {"type": "string"},
            },
        }
    },
}


@dataclass(frozen=True)
class Expectation:
    """One expected (or forbidden) record, as written and as a compiled validator."""

    file: str
    line: int
    relation: str
    written: dict[str, Any]
    validator: Draft202012Validator
    optional: bool = False
    why: str = ""

    def matches(self, record: dict[str, Any]) -> bool:
        return bool(self.validator.is_valid(record))

    def describe(self) -> str:
        args = self.written.get("args", {})
        shown = ", ".join(f"{k}={_show(v)}" for k, v in args.items())
        return f"{self.relation}({shown})"


@dataclass(frozen=True)
class ArticleExpectations:
    doc: str
    file: str
    expect: tuple[Expectation, ...]
    must_not: tuple[Expectation, ...]


@dataclass
class ArticleResult:
    """How one article's records compare with what its analyst expected."""

    doc: str
    missing: list[Expectation] = field(default_factory=list)
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    forbidden: list[tuple[Expectation, dict[str, Any]]] = field(default_factory=list)
    invalid: list[tuple[dict[str, Any], list[tuple[str, str]]]] = field(default_factory=list)
    # relation -> [records matched, records unexpected, expectations met, expectations missed]
    found: dict[str, list[int]] = field(default_factory=dict)

    @property
    def regressed(self) -> bool:
        return bool(self.missing or self.unexpected or self.forbidden or self.invalid)


class ExpectationError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


# ------------------------------------------------------------------ reading


def load_folder(folder: Path, relations: dict[str, RelationType]) -> dict[str, ArticleExpectations]:
    """Every `*.yaml` of the folder, by the document it is about; all problems at once."""
    found: dict[str, ArticleExpectations] = {}
    problems: list[Diagnostic] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            article = load_file(path, relations)
        except ExpectationError as error:
            problems.extend(error.diagnostics)
            continue
        if article.doc in found:
            problems.append(
                Diagnostic("X004", f"a second expectations file for {article.doc}", str(path), 1, 1)
            )
        found[article.doc] = article
    if problems:
        raise ExpectationError(problems)
    return found


def load_file(path: Path, relations: dict[str, RelationType]) -> ArticleExpectations:
    """Read one expectations file; every problem is named with its file and line."""
    shown = str(path)
    try:
        root, lines = compose_file(path.read_bytes(), shown, "X001")
    except DataFileError as error:
        raise ExpectationError([error.diagnostic]) from None
    content: Any = yaml.SafeLoader("").construct_document(root) if root is not None else None
    marks = _marks(root) if root is not None else {}
    problems = [
        _diagnostic("X002", f"{error.message}", shown, marks, _fault_path(error), lines)
        for error in Draft202012Validator(FILE_SCHEMA).iter_errors(content)
    ]
    if problems:
        raise ExpectationError(problems)
    expect: list[Expectation] = []
    must_not: list[Expectation] = []
    for key, bucket in (("expect", expect), ("must_not", must_not)):
        for index, written in enumerate(content.get(key) or []):
            where = [key, index]
            try:
                bucket.append(_compile(written, relations, shown, marks, where, lines))
            except ExpectationError as error:
                problems.extend(error.diagnostics)
    if problems:
        raise ExpectationError(problems)
    return ArticleExpectations(content["doc"], shown, tuple(expect), tuple(must_not))


def _marks(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """JSON path (as a tuple) -> 1-based line, for every node of a composed YAML tree."""
    marks = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            marks.update(_marks(value, (*path, key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            marks.update(_marks(item, (*path, index)))
    return marks


def _fault_path(error: Any) -> list[Any]:
    """Where in the file a validation error points: at an unknown key itself."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = [key for key in error.instance if key not in known]
        if extra:
            path.append(extra[0])
    return path


def _schema_fault(where: list[Any], schema_path: Sequence[Any]) -> list[Any]:
    """Map a fault in a compiled expectation schema back to the field written in the file."""
    steps = list(schema_path)
    if steps[:2] == ["properties", "args"]:
        slots = [steps[i + 1] for i, step in enumerate(steps[2:-1], 2) if step == "properties"]
        return [*where, "args", *slots[:1]]
    if steps[:1] == ["properties"] and len(steps) > 1:
        return [*where, steps[1]]
    return where


def _diagnostic(
    code: str,
    message: str,
    file: str,
    marks: dict[tuple[Any, ...], int],
    path: Sequence[Any],
    lines: list[str],
) -> Diagnostic:
    where = tuple(path)
    while where not in marks and where:
        where = where[:-1]
    line = marks.get(where, 1)
    return Diagnostic(code, message, file, line, 1, _at(lines, line))


def _at(lines: list[str], line: int) -> str:
    return lines[line - 1] if 0 < line <= len(lines) else ""


# ------------------------------------------------------------------ compiling


def _compile(
    written: dict[str, Any],
    relations: dict[str, RelationType],
    file: str,
    marks: dict[tuple[Any, ...], int],
    where: list[Any],
    lines: list[str],
) -> Expectation:
    relation = relations.get(written["relation"])
    if relation is None:
        raise ExpectationError(
            [
                _diagnostic(
                    "X003",
                    f"unknown relation {written['relation']!r}",
                    file,
                    marks,
                    [*where, "relation"],
                    lines,
                )
            ]
        )
    args = written.get("args") or {}
    slots = {slot.name: slot for slot in relation.slots}
    unknown = [name for name in args if name not in slots]
    if unknown:
        raise ExpectationError(
            [
                _diagnostic(
                    "X003",
                    f"{relation.name} has no slot {unknown[0]!r} (its slots: {', '.join(slots)})",
                    file,
                    marks,
                    [*where, "args", unknown[0]],
                    lines,
                )
            ]
        )
    schema = _record_schema(written, relation)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        path = _schema_fault(where, list(error.path))
        raise ExpectationError(
            [
                _diagnostic(
                    "X002", f"not a valid expectation: {error.message}", file, marks, path, lines
                )
            ]
        ) from None
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    line = marks.get(tuple(where), 1)
    return Expectation(
        file,
        line,
        relation.name,
        written,
        validator,
        bool(written.get("optional")),
        str(written.get("why", "")),
    )


def _value_schema(value: Any) -> Any:
    """A plain value pins the field; a mapping is JSON Schema as written."""
    return value if isinstance(value, dict) else {"const": value}


def _record_schema(written: dict[str, Any], relation: RelationType) -> dict[str, Any]:
    args = {name: _value_schema(v) for name, v in (written.get("args") or {}).items()}
    orders = [args] if not relation.unordered else _orders(args, relation)
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "type": "object",
        "required": ["relation", "args"],
        "properties": {"relation": {"const": relation.name}},
    }
    if orders and any(orders):
        schema["properties"]["args"] = {
            "anyOf": [{"type": "object", "properties": o, "required": list(o)} for o in orders]
        }
    for key in ("evidence", "rule"):
        if key in written:
            schema["properties"][key] = _value_schema(written[key])
    return schema


def _orders(args: dict[str, Any], relation: RelationType) -> list[dict[str, Any]]:
    """The expectation's args in every order of its same-typed slots (unordered relations)."""
    groups: dict[str, list[str]] = {}
    for slot in relation.slots:
        groups.setdefault(slot.type, []).append(slot.name)
    orders = [args]
    for names in groups.values():
        if len(names) < 2:
            continue
        swapped = []
        for order in orders:
            for permutation in itertools.permutations(names):
                moved = {k: v for k, v in order.items() if k not in names}
                moved.update(
                    {
                        new: order[old]
                        for old, new in zip(names, permutation, strict=True)
                        if old in order
                    }
                )
                if moved not in swapped:
                    swapped.append(moved)
        orders = swapped
    return orders


# ------------------------------------------------------------------ comparing


def compare(
    expected: ArticleExpectations,
    records: Iterable[dict[str, Any]],
    invalid: Iterable[tuple[dict[str, Any], list[tuple[str, str]]]] = (),
) -> ArticleResult:
    """Missing, unexpected, forbidden and invalid records of one article, and counts."""
    found = list(records)
    result = ArticleResult(expected.doc, invalid=list(invalid))
    for expectation in expected.expect:
        if not expectation.optional and not any(expectation.matches(r) for r in found):
            result.missing.append(expectation)
    for record in found:
        if not any(e.matches(record) for e in expected.expect):
            result.unexpected.append(record)
        result.forbidden.extend((e, record) for e in expected.must_not if e.matches(record))
    relations = {e.relation for e in expected.expect} | {r["relation"] for r in found}
    for relation in sorted(relations):
        mine = [r for r in found if r["relation"] == relation]
        hits = sum(1 for r in mine if r not in result.unexpected)
        wanted = [e for e in expected.expect if e.relation == relation and not e.optional]
        missed = sum(1 for e in wanted if e in result.missing)
        result.found[relation] = [hits, len(mine) - hits, len(wanted) - missed, missed]
    return result


@dataclass(frozen=True)
class Score:
    """Precision: the share of records some expectation covers. Recall: the share of
    required expectations some record meets."""

    matched: int
    unexpected: int
    met: int
    missed: int

    @property
    def precision(self) -> float:
        found = self.matched + self.unexpected
        return self.matched / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.met + self.missed
        return self.met / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def scores(results: Iterable[ArticleResult]) -> dict[str, Score]:
    """Per relation, over all the articles compared."""
    totals: dict[str, list[int]] = {}
    for result in results:
        for relation, counts in result.found.items():
            total = totals.setdefault(relation, [0, 0, 0, 0])
            for index, count in enumerate(counts):
                total[index] += count
    return {relation: Score(*counts) for relation, counts in sorted(totals.items())}


def _show(value: Any) -> str:
    if isinstance(value, dict):
        if "enum" in value:
            return "|".join(str(v) for v in value["enum"])
        return str(value)
    return "null" if value is None else str(value)
