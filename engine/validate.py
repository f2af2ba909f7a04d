"""JSON Schemas of records: generated from relation declarations, checked, applied.

`schemas/` holds `record.schema.json` (what every record has) and one
`<RELATION>.schema.json` per relation (its slots, their types and formats), draft
2020-12. References between them resolve inside the folder only: a schema that points
anywhere else is refused, nothing is ever fetched.

jsonschema is the reference: it checks the folder and says what is wrong with a record.
A record is first put to jsonschema-rs (Rust, a hundred times faster: 5 us a record
instead of 450, where validating took 3% of a run over news) when its relation's
schemas use only keywords the two read alike (`fast_enough`); it is only when that
says "invalid", or cannot read the record, that jsonschema looks, and jsonschema decides.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from .compile import RuleSet
from .compiled_rules import RelationType
from .errors import ToolkitError

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://newsrules.example/schemas/"  # .example never resolves: ids, not addresses
RECORD = "record.schema.json"
FORMATS = {"date": "date"}  # slot normaliser -> JSON Schema format
Schema = dict[str, Any]


class SchemaProblem(ToolkitError):
    """The schemas folder is unusable: a configuration error (exit 2)."""


# ------------------------------------------------------------------ generating


def record_schema() -> Schema:
    """What every record has, whatever its relation."""
    span = {
        "type": "array",
        "prefixItems": [{"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 0}],
        "minItems": 2,
        "maxItems": 2,
    }
    return {
        "$schema": DIALECT,
        "$id": BASE + RECORD,
        "title": "record",
        "description": "One finding: a relation's values, where they stand, and the rule.",
        "type": "object",
        "required": ["relation", "doc", "rule", "rules", "args", "spans", "evidence"],
        "properties": {
            "relation": {"type": "string", "minLength": 1},
            "doc": {"type": "string", "minLength": 1},
            "rule": {"type": "string", "minLength": 1},
            "rules": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "args": {"type": "object"},
            "spans": {
                "type": "object",
                "additionalProperties": {"anyOf": [{"$ref": "#/$defs/span"}, {"type": "null"}]},
            },
            "attributes": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                },
            },
            "evidence": {"type": "string", "minLength": 1},
            "evidence_span": {"$ref": "#/$defs/span"},
        },
        "$defs": {"span": span},
    }


def relation_schema(relation: RelationType, formats: dict[str, str | None]) -> Schema:
    """A relation's records: the record envelope plus its slots, types and formats.

    `formats` maps an entity type to its normaliser (a `date` slot holds an ISO date).
    """
    args: dict[str, Any] = {}
    for slot in relation.slots:
        value: Schema = {"description": f"slot of type {slot.type}"}
        value["type"] = ["string", "null"] if slot.optional else "string"
        value["minLength"] = 1  # applies to strings only: null stays valid when optional
        fmt = FORMATS.get(formats.get(slot.type) or "")
        if fmt:
            value["format"] = fmt
        args[slot.name] = value
    return {
        "$schema": DIALECT,
        "$id": BASE + f"{relation.name}.schema.json",
        "title": relation.name,
        "description": relation.description or f"Records of {relation.name}.",
        "allOf": [{"$ref": RECORD}],
        "properties": {
            "relation": {"const": relation.name},
            "args": {
                "type": "object",
                "properties": args,
                "required": [slot.name for slot in relation.slots],
                "additionalProperties": False,
            },
            "spans": {"required": [slot.name for slot in relation.slots]},
        },
    }


def generate(rules: RuleSet) -> dict[str, Schema]:
    """File name -> schema, for every relation of the rule set (and the record envelope)."""
    formats = {name: entity.normaliser for name, entity in rules.entities.items()}
    schemas = {RECORD: record_schema()}
    for name in sorted(rules.relations):
        schemas[f"{name}.schema.json"] = relation_schema(rules.relations[name], formats)
    return schemas


def dumps(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write(rules: RuleSet, folder: Path) -> list[Path]:
    """Write the generated schemas; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate(rules).items():
        path = folder / name
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


def stale(rules: RuleSet, folder: Path) -> list[str]:
    """Schema files that differ from what the declarations generate (or are missing)."""
    out = []
    for name, schema in generate(rules).items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != dumps(schema):
            out.append(name)
    return out


# ------------------------------------------------------------------ loading and checking


@dataclass(frozen=True)
class Schemas:
    """Checked validators, one per relation; `fast`: the relations whose records
    jsonschema-rs may pass first (see fast_enough)."""

    validators: dict[str, Draft202012Validator]
    fast: dict[str, jsonschema_rs.Validator] = field(default_factory=dict)

    def problems(self, record: dict[str, Any]) -> list[tuple[str, str]]:
        """(JSON path, message) of every way the record breaks its relation's schema."""
        relation = str(record.get("relation"))
        validator = self.validators.get(relation)
        if validator is None:
            return [("$.relation", f"no schema for relation {record.get('relation')!r}")]
        if _passes(self.fast.get(relation), record):
            return []
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
        return [(error.json_path, error.message) for error in errors]


def _passes(fast: jsonschema_rs.Validator | None, record: dict[str, Any]) -> bool:
    """Does jsonschema-rs find the record valid? False when it has no say, or cannot
    read the record (a lone surrogate in a string, a value JSON has no type for)."""
    if fast is None:
        return False
    try:
        return bool(fast.is_valid(record))
    except ValueError:
        return False


def load(folder: Path, rules: RuleSet) -> Schemas:
    """Read and check a schemas folder; raise SchemaProblem naming what is wrong."""
    documents = {path.name: _read(path) for path in sorted(folder.glob("*.schema.json"))}
    registry = _registry(documents)
    for name, document in documents.items():  # every schema, the record envelope too
        _validator(document, registry, folder / name)
    validators = {}
    for relation in sorted(rules.relations):
        name = f"{relation}.schema.json"
        if name not in documents:
            raise SchemaProblem(
                f"{folder / name}: no schema for relation {relation}; "
                f"write them with: extract --rules ... --write-schemas {folder}"
            )
        validators[relation] = _validator(documents[name], registry, folder / name)
    return Schemas(validators, _fast_validators(documents, list(validators)))


def in_memory(rules: RuleSet) -> Schemas:
    """Schemas generated from the rule set, for a run without a schemas folder."""
    documents = generate(rules)
    registry = _registry(documents)
    validators = {
        relation: _validator(documents[f"{relation}.schema.json"], registry, Path(relation))
        for relation in rules.relations
    }
    return Schemas(validators, _fast_validators(documents, list(validators)))


# What jsonschema-rs and jsonschema are known to read alike: the keywords the generated
# schemas use and their plain kin (annotations, bounds, combinators), the date format
# (checked by jsonschema's own test in both: jsonschema-rs alone takes year 0000).
# Left to jsonschema alone: `pattern` (Python's regexes and ECMA 262's differ), other
# formats (which jsonschema checks only when optional packages are installed),
# `uniqueItems`, `multipleOf` and the rest.
_PLAIN_KEYWORDS = frozenset(
    {
        "$id", "$ref", "$comment", "title", "description", "default", "examples",
        "deprecated", "readOnly", "writeOnly", "type", "required", "const", "enum",
        "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minItems", "maxItems", "minProperties", "maxProperties",
    }
)  # fmt: skip
_ONE_SCHEMA = frozenset({"additionalProperties", "items", "not"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_NAMED_SCHEMAS = frozenset({"properties", "$defs"})
_FAST_FORMATS = frozenset(FORMATS.values())


def fast_enough(schema: Any) -> bool:
    """May jsonschema-rs check records against this schema (every subschema of it uses
    only keywords the two validators read alike)?"""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    return all(_plain_keyword(key, value) for key, value in schema.items())


def _plain_keyword(key: str, value: Any) -> bool:
    if key in _ONE_SCHEMA:
        return fast_enough(value)
    if key in _SCHEMA_LISTS:
        return isinstance(value, list) and all(map(fast_enough, value))
    if key in _NAMED_SCHEMAS:
        return isinstance(value, dict) and all(map(fast_enough, value.values()))
    if key == "format":
        return value in _FAST_FORMATS
    if key == "$schema":
        return bool(value == DIALECT)
    return key in _PLAIN_KEYWORDS


def _fast_validators(
    documents: dict[str, Schema], relations: list[str]
) -> dict[str, jsonschema_rs.Validator]:
    """jsonschema-rs validators of the relations, when every schema of the folder is
    fast_enough and has the $id the toolkit writes (its file name under BASE, so that
    references resolve alike); else none. Built offline, on the folder's schemas alone:
    nothing is fetched."""
    if not all(
        fast_enough(document) and document.get("$id") == BASE + name
        for name, document in documents.items()
    ):
        return {}
    try:
        registry = jsonschema_rs.Registry([(BASE + name, d) for name, d in documents.items()])
        return {
            relation: jsonschema_rs.Draft202012Validator(
                documents[f"{relation}.schema.json"],
                registry=registry,
                formats={name: functools.partial(_conforms, name) for name in _FAST_FORMATS},
                validate_formats=True,
                offline=True,
            )
            for relation in relations
        }
    except (ValueError, jsonschema_rs.ReferencingError):  # what jsonschema accepted: its call
        return {}


def _conforms(format_name: str, value: object) -> bool:
    """jsonschema's own test of a format, for jsonschema-rs to use."""
    return bool(Draft202012Validator.FORMAT_CHECKER.conforms(value, format_name))


def _read(path: Path) -> Schema:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SchemaProblem(f"{path}: not a JSON document ({error})") from None
    if not isinstance(loaded, dict):
        raise SchemaProblem(f"{path}: a schema is a JSON object")
    return loaded


def _registry(documents: dict[str, Schema]) -> Registry[Any]:
    """Every schema of the folder under its $id (and its file name); nothing else, ever."""

    def refuse(uri: str) -> Resource[Any]:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]

    resources = []
    for name, document in documents.items():
        resource = Resource.from_contents(document, default_specification=_draft())
        resources.append((str(document.get("$id", BASE + name)), resource))
        resources.append((BASE + name, resource))
    return Registry(retrieve=refuse).with_resources(resources)  # type: ignore[call-arg]


def _draft() -> Any:
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def _validator(schema: Schema, registry: Registry[Any], where: Path) -> Draft202012Validator:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise SchemaProblem(f"{where}: not a valid JSON Schema: {error.message}") from None
    validator = Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    resolver = registry.resolver(base_uri=str(schema.get("$id", "")))
    for ref in _refs(schema):
        try:
            resolver.lookup(ref)
        except Exception as error:  # noqa: BLE001 - any failure is a broken reference
            raise SchemaProblem(
                f"{where}: the reference {ref!r} does not resolve inside the schemas folder "
                f"({type(error).__name__}); schemas may only refer to each other"
            ) from None
    return validator


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
