"""Validation: record schemas, broken configurations, expectation files and their semantics."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import re
import shutil
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, RULES, SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import RuleSet, load_rules, validate
from engine.cli import main

SCHEMAS = ROOT / "schemas"
EXPECTED = ROOT / "tests" / "expected"
ARTICLE = "000_6076344b43b91c38.txt"
SEED_000 = SEEDS / ARTICLE
EXPECTED_000 = EXPECTED / "000_6076344b43b91c38.yaml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def records(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules([RULES])


@pytest.fixture(scope="module")
def schemas(rules: RuleSet) -> validate.Schemas:
    return validate.load(SCHEMAS, rules)


@pytest.fixture(scope="module")
def seed_records() -> list[dict[str, Any]]:
    code, out, err = run("--rules", str(RULES), str(SEEDS))
    assert code == 0, err
    found = records(out)
    assert found
    return found


# ------------------------------------------------------------------ schemas/ and the rules


def test_committed_schemas_match_the_relation_declarations(rules: RuleSet) -> None:
    assert validate.stale(rules, SCHEMAS) == []


@pytest.mark.parametrize(
    "old, new",
    [
        (
            "relation MEETING(actor, actor, city?, date?)",
            "relation MEETING(actor, actor, city, date?)",
        ),
        ("the order of the actors does not matter.", "who met is all that matters."),
    ],
    ids=["slot_made_required", "description_changed"],
)
def test_a_changed_relation_makes_its_schema_stale(tmp_path: Path, old: str, new: str) -> None:
    folder = shutil.copytree(RULES, tmp_path / "rules")
    meeting = folder / "meeting.rules"
    text = meeting.read_text(encoding="utf-8")
    assert old in text
    meeting.write_text(text.replace(old, new), encoding="utf-8")
    assert validate.stale(load_rules([folder]), SCHEMAS) == ["MEETING.schema.json"]


def test_a_tiny_rule_set_with_another_meeting_makes_its_schema_stale(tmp_path: Path) -> None:
    path = tmp_path / "tiny.rules"
    path.write_text(
        "relation MEETING(actor, actor) unordered\n"
        'entity actor: words "Alice Arden", "Bob Brandt"\n'
        'rule met -> MEETING: within sentence: a:actor "met" b:actor\n',
        encoding="utf-8",
    )
    assert validate.stale(load_rules([path]), SCHEMAS) == ["MEETING.schema.json"]


def test_a_missing_schema_file_is_stale(tmp_path: Path, rules: RuleSet) -> None:
    folder = shutil.copytree(SCHEMAS, tmp_path / "schemas")
    (folder / "MEETING.schema.json").unlink()
    assert validate.stale(rules, folder) == ["MEETING.schema.json"]


def test_write_schemas_writes_the_committed_files(tmp_path: Path) -> None:
    target = tmp_path / "written"
    code, out, err = run("--rules", str(RULES), "--write-schemas", str(target))
    assert code == 0, err
    assert out == ""
    written = sorted(p.name for p in target.iterdir())
    assert written == sorted(p.name for p in SCHEMAS.glob("*.schema.json"))
    for name in written:
        assert (target / name).read_bytes() == (SCHEMAS / name).read_bytes(), name
        assert f"wrote {target / name}" in err


# ------------------------------------------------------------------ records and their schemas


def test_every_seed_record_satisfies_its_schema(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]]
) -> None:
    for record in seed_records:
        assert schemas.problems(record) == [], record


def test_the_meeting_date_slot_is_a_date() -> None:
    schema = json.loads((SCHEMAS / "MEETING.schema.json").read_text(encoding="utf-8"))
    date = schema["properties"]["args"]["properties"]["date"]
    assert date["format"] == "date"
    assert sorted(date["type"]) == ["null", "string"]
    for actor in ("actor1", "actor2"):
        assert "format" not in schema["properties"]["args"]["properties"][actor]


def _a_record(seed_records: list[dict[str, Any]]) -> dict[str, Any]:
    dated = [r for r in seed_records if r["args"]["date"] is not None]
    return copy.deepcopy(dated[0])


@pytest.mark.parametrize("value", ["2023-13-45", "Thursday", "2023-02-30", "26/10/2023", ""])
def test_a_date_that_is_not_a_date_is_refused(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]], value: str
) -> None:
    record = _a_record(seed_records)
    record["args"]["date"] = value
    problems = schemas.problems(record)
    assert problems and {path for path, _ in problems} == {"$.args.date"}


@pytest.mark.parametrize("value", ["2023-10-26", None])
def test_an_iso_date_or_null_is_a_date(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]], value: str | None
) -> None:
    record = _a_record(seed_records)
    record["args"]["date"] = value
    assert schemas.problems(record) == []


def test_a_record_without_actor1_is_refused(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]]
) -> None:
    record = _a_record(seed_records)
    del record["args"]["actor1"]
    problems = schemas.problems(record)
    assert ("$.args", "'actor1' is a required property") in problems


def test_a_record_with_an_extra_arg_is_refused(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]]
) -> None:
    record = _a_record(seed_records)
    record["args"]["venue"] = "the Kremlin"
    problems = schemas.problems(record)
    assert [path for path, _ in problems] == ["$.args"]
    assert "venue" in problems[0][1]


@pytest.mark.parametrize("value", [42, ["Hamas"], None, {"name": "Hamas"}, ""])
def test_an_actor_that_is_not_a_string_is_refused(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]], value: Any
) -> None:
    record = _a_record(seed_records)
    record["args"]["actor2"] = value
    problems = schemas.problems(record)
    assert problems and {path for path, _ in problems} == {"$.args.actor2"}


def test_a_record_of_an_unknown_relation_is_refused(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]]
) -> None:
    record = _a_record(seed_records)
    record["relation"] = "VISIT"
    assert [path for path, _ in schemas.problems(record)] == ["$.relation"]


# ------------------------------------------------------------------ a broken schemas folder


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to fetch is recorded and fails."""
    calls: list[str] = []

    def urlopen(*args: Any, **kwargs: Any) -> Any:
        calls.append(f"urlopen {args!r}")
        raise AssertionError("urllib.request.urlopen was called")

    def connect(self: socket.socket, address: Any) -> None:
        calls.append(f"connect {address!r}")
        raise AssertionError("socket.socket.connect was called")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return calls


def _edit(name: str, change: Any) -> Any:
    def edit(folder: Path) -> None:
        path = folder / name
        schema = json.loads(path.read_text(encoding="utf-8"))
        change(schema)
        path.write_text(json.dumps(schema, indent=2), encoding="utf-8")

    return edit


def _set(*keys_and_value: Any) -> Any:
    *keys, last, value = keys_and_value

    def change(schema: dict[str, Any]) -> None:
        node = schema
        for key in keys:
            node = node[key]
        node[last] = value

    return change


def _write(name: str, text: str) -> Any:
    def edit(folder: Path) -> None:
        (folder / name).write_text(text, encoding="utf-8")

    return edit


def _remove(name: str) -> Any:
    def edit(folder: Path) -> None:
        (folder / name).unlink()

    return edit


EXTERNAL = "https://example.com/x.json"
BROKEN_FOLDERS = {
    "meeting_invalid_json": _write("MEETING.schema.json", '{"title": "MEETING",'),
    "record_invalid_json": _write("record.schema.json", "{'title': 'record'}"),
    "meeting_not_an_object": _write("MEETING.schema.json", "[]"),
    "meeting_type_12": _edit("MEETING.schema.json", _set("type", 12)),
    "meeting_slot_type_12": _edit(
        "MEETING.schema.json", _set("properties", "args", "properties", "actor1", "type", 12)
    ),
    "record_type_12": _edit("record.schema.json", _set("type", 12)),
    "meeting_missing": _remove("MEETING.schema.json"),
    "record_missing": _remove("record.schema.json"),
    "meeting_ref_url": _edit("MEETING.schema.json", _set("allOf", [{"$ref": EXTERNAL}])),
    "meeting_slot_ref_url": _edit(
        "MEETING.schema.json", _set("properties", "args", "properties", "city", {"$ref": EXTERNAL})
    ),
    "meeting_ref_parent_file": _edit("MEETING.schema.json", _set("allOf", [{"$ref": "../x.json"}])),
    "meeting_ref_file_url": _edit(
        "MEETING.schema.json", _set("allOf", [{"$ref": "file:///etc/hostname"}])
    ),
    "record_ref_url": _edit(
        "record.schema.json", _set("properties", "evidence", {"$ref": EXTERNAL})
    ),
    "record_ref_parent_file": _edit(
        "record.schema.json", _set("properties", "evidence", {"$ref": "../x.json"})
    ),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN_FOLDERS))
def test_a_broken_schemas_folder_is_a_configuration_error(
    tmp_path: Path, no_network: list[str], breakage: str
) -> None:
    # a schema that would accept anything waits beside the folder: it must not be used
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    folder = shutil.copytree(SCHEMAS, tmp_path / "schemas")
    BROKEN_FOLDERS[breakage](folder)

    code, out, err = run("--rules", str(RULES), "--schemas", str(folder), str(SEED_000))

    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert str(folder) in err
    assert no_network == []


def test_the_intact_folder_copy_is_accepted(tmp_path: Path, no_network: list[str]) -> None:
    folder = shutil.copytree(SCHEMAS, tmp_path / "schemas")
    code, out, err = run("--rules", str(RULES), "--schemas", str(folder), str(SEED_000))
    assert code == 0, err
    assert out
    assert no_network == []


def test_a_missing_schemas_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = run("--rules", str(RULES), "--schemas", str(tmp_path / "no"), str(SEED_000))
    assert (code, out) == (2, "")
    assert "no such folder" in err


# ------------------------------------------------------------------ the fast validator

# JSON values of every kind, and strings that are nearly dates
NEAR_DATES = st.sampled_from(
    [
        "2023-10-26", "2024-02-29", "2023-02-29", "2023-02-30", "0000-01-01", "2023-1-5",
        "20231026", "2023-10-26T10:00:00", " 2023-10-26", "2023-10-26\n", "2023-10-26 ",
        "\u0662\u0660\u0662\u0663-\u0661\u0660-\u0662\u0666", "2023\u201010\u201026",
    ]
)  # fmt: skip
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | NEAR_DATES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(node: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """(container, key or index) of every value inside a record."""
    keys = node.keys() if isinstance(node, dict) else range(len(node))
    for key in keys:
        found.append((node, key))
        if isinstance(node[key], dict | list):
            _places(node[key], found)
    return found


@st.composite
def mutated(draw: st.DrawFn, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A record changed in one to three places: a value replaced, removed or added."""
    record = copy.deepcopy(draw(st.sampled_from(records)))
    for _ in range(draw(st.integers(1, 3))):
        places = _places(record, [])
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            container[key] = draw(JSON)
        elif action == "remove" and isinstance(container, dict):
            del container[key]
        elif action == "remove":
            container.pop(key)
        elif isinstance(container, dict):
            container[draw(st.text(max_size=8))] = draw(JSON)
        else:
            container.append(draw(JSON))
    return record


def test_the_committed_schemas_are_checked_fast(schemas: validate.Schemas) -> None:
    assert set(schemas.fast) == set(schemas.validators) == {"MEETING"}


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_fast_validator_agrees_with_jsonschema(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]], data: st.DataObject
) -> None:
    record = data.draw(mutated(seed_records))
    reference = schemas.validators["MEETING"].is_valid(record)
    assert schemas.fast["MEETING"].is_valid(record) == reference
    assert (schemas.problems(record) == []) == reference


@pytest.mark.parametrize(("date", "valid"), [("0001-01-01", True), ("0000-01-01", False)])
def test_both_validators_read_a_date_alike(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]], date: str, valid: bool
) -> None:
    """Year 0000 is a date by RFC 3339's grammar, which jsonschema-rs follows, but not by
    Python's, which jsonschema follows; the fast path must not let it through."""
    record = copy.deepcopy(seed_records[0])
    record["args"]["date"] = date
    assert schemas.validators["MEETING"].is_valid(record) is valid
    assert schemas.fast["MEETING"].is_valid(record) is valid
    assert (schemas.problems(record) == []) is valid


class Refusing:
    """A jsonschema validator that must not be asked."""

    def iter_errors(self, record: Any) -> Any:
        raise AssertionError("jsonschema was asked")


def test_a_valid_record_is_not_put_to_jsonschema(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]]
) -> None:
    fast_only = dataclasses.replace(schemas, validators={"MEETING": Refusing()})
    assert [fast_only.problems(record) for record in seed_records] == [[]] * len(seed_records)
    record = _a_record(seed_records)
    record["args"]["date"] = "Thursday"
    with pytest.raises(AssertionError, match="jsonschema was asked"):
        fast_only.problems(record)


def test_a_string_the_fast_validator_cannot_read_is_left_to_jsonschema(
    schemas: validate.Schemas, seed_records: list[dict[str, Any]]
) -> None:
    record = _a_record(seed_records)
    record["evidence"] += " \udc80"  # a lone surrogate: no UTF-8 for it
    assert schemas.problems(record) == []
    record["args"]["actor1"] = "\udc80"
    record["args"]["date"] = "2023-02-30"
    assert [path for path, _ in schemas.problems(record)] == ["$.args.date"]


@pytest.mark.parametrize(
    "change",
    [
        _set("properties", "args", "properties", "actor1", "pattern", "^[A-Z]"),
        _set("properties", "args", "properties", "actor1", "format", "x-actor-code"),
        _set("properties", "spans", "uniqueItems", True),
        _set("$schema", "http://json-schema.org/draft-07/schema#"),
        _set("properties", "args", "x-note", "a keyword of the analyst's own"),
    ],
    ids=["pattern", "another format", "uniqueItems", "draft 7", "unknown keyword"],
)
def test_a_schema_beyond_the_plain_keywords_is_left_to_jsonschema(
    tmp_path: Path, rules: RuleSet, seed_records: list[dict[str, Any]], change: Any
) -> None:
    folder = shutil.copytree(SCHEMAS, tmp_path / "schemas")
    _edit("MEETING.schema.json", change)(folder)
    schema = json.loads((folder / "MEETING.schema.json").read_text(encoding="utf-8"))
    assert not validate.fast_enough(schema)
    assert validate.fast_enough(json.loads((SCHEMAS / "MEETING.schema.json").read_text()))

    edited = validate.load(folder, rules)

    assert edited.fast == {}
    record = _a_record(seed_records)
    assert edited.problems(record) == []


@pytest.mark.parametrize("ids", ["relative", "another"])
def test_a_schema_whose_id_the_toolkit_did_not_write_is_left_to_jsonschema(
    tmp_path: Path, rules: RuleSet, seed_records: list[dict[str, Any]], ids: str
) -> None:
    folder = shutil.copytree(SCHEMAS, tmp_path / "schemas")
    if ids == "relative":  # every schema named by its file name alone
        for name in ("MEETING.schema.json", "record.schema.json"):
            _edit(name, _set("$id", name))(folder)
    else:
        _edit("MEETING.schema.json", _set("$id", validate.BASE + "meetings.json"))(folder)
    edited = validate.load(folder, rules)
    assert edited.fast == {}
    record = _a_record(seed_records)
    assert edited.problems(record) == []
    del record["evidence"]  # the envelope, reached by its reference, still holds
    assert ("$", "'evidence' is a required property") in edited.problems(record)


def test_a_schema_the_fast_validator_refuses_is_left_to_jsonschema(
    rules: RuleSet, seed_records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("not a schema jsonschema-rs reads")

    monkeypatch.setattr(validate.jsonschema_rs, "Draft202012Validator", refuse)
    schemas = validate.load(SCHEMAS, rules)
    assert schemas.fast == {}
    assert schemas.problems(_a_record(seed_records)) == []


def test_a_pattern_is_still_checked_when_it_is_left_to_jsonschema(
    tmp_path: Path, rules: RuleSet, seed_records: list[dict[str, Any]]
) -> None:
    folder = shutil.copytree(SCHEMAS, tmp_path / "schemas")
    pattern = _set("properties", "args", "properties", "actor1", "pattern", "^[a-z]+$")
    _edit("MEETING.schema.json", pattern)(folder)
    edited = validate.load(folder, rules)
    record = _a_record(seed_records)
    assert [path for path, _ in edited.problems(record)] == ["$.args.actor1"]


# ------------------------------------------------------------------ an invalid record from a rule

SMALL_RULES = """
relation MEETING(actor, actor, city?, date?) unordered
entity actor: words "Alice Arden", "Bob Brandt"
entity city: words "Paris", "Rome"
entity date: words "Thursday" normalise date
rule met -> MEETING: within sentence: a:actor "met" b:actor
    fill city from nearest city in sentence
    fill date from nearest date in sentence
"""


@pytest.fixture()
def small(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A tiny rule set, its generated schemas and two documents (one dated, one not)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "meet.rules").write_text(SMALL_RULES, encoding="utf-8")
    schemas = tmp_path / "schemas"
    code, _, err = run("--rules", str(rules), "--write-schemas", str(schemas))
    assert code == 0, err
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Alice Arden met Bob Brandt in Paris on Thursday.\n")
    (docs / "b.txt").write_text("Alice Arden met Bob Brandt in Rome.\n")
    (docs / "manifest.yaml").write_text("a.txt:\n  published: 2023-10-27\n")
    return rules, schemas, docs


def _meeting_schema(schemas: Path) -> dict[str, Any]:
    return json.loads((schemas / "MEETING.schema.json").read_text(encoding="utf-8"))


def test_the_small_rules_give_valid_dated_records(small: tuple[Path, Path, Path]) -> None:
    rules, schemas, docs = small
    assert _meeting_schema(schemas)["properties"]["args"]["properties"]["date"]["format"] == "date"
    code, out, err = run("--rules", str(rules), "--schemas", str(schemas), str(docs))
    assert code == 0, err
    found = {r["doc"]: r["args"] for r in records(out)}
    assert found["a.txt"]["date"] == "2023-10-26" and found["a.txt"]["city"] == "Paris"
    assert found["b.txt"]["date"] is None and found["b.txt"]["city"] == "Rome"
    assert "invalid" not in err


def test_an_invalid_record_is_reported_and_not_written(small: tuple[Path, Path, Path]) -> None:
    rules, schemas, docs = small
    schema = _meeting_schema(schemas)
    schema["properties"]["args"]["properties"]["actor1"]["maxLength"] = 2
    (schemas / "MEETING.schema.json").write_text(json.dumps(schema), encoding="utf-8")

    code, out, err = run("--rules", str(rules), "--schemas", str(schemas), str(docs))

    assert code == 1
    assert out == ""
    invalid = [line for line in err.splitlines() if "invalid record" in line]
    assert len(invalid) == 2, err
    for doc, line in zip(("a.txt", "b.txt"), invalid, strict=True):
        assert "rule met" in line and doc in line and "$.args.actor1" in line
    assert "2 invalid" in err
    assert "Traceback" not in err


def test_only_the_invalid_record_is_held_back(small: tuple[Path, Path, Path]) -> None:
    rules, schemas, docs = small
    schema = _meeting_schema(schemas)
    schema["properties"]["args"]["properties"]["date"]["type"] = "string"  # a date is required
    (schemas / "MEETING.schema.json").write_text(json.dumps(schema), encoding="utf-8")

    code, out, err = run("--rules", str(rules), "--schemas", str(schemas), str(docs))

    assert code == 1
    assert [r["doc"] for r in records(out)] == ["a.txt"]
    invalid = [line for line in err.splitlines() if "invalid record" in line]
    assert len(invalid) == 1 and "rule met" in invalid[0] and "b.txt" in invalid[0]
    assert "$.args.date" in invalid[0]


# ------------------------------------------------------------------ malformed expectation files

# file name -> (text, the 1-based line of the fault)
MALFORMED = {
    "yaml_syntax": (
        "doc: a.txt\n"
        "expect:\n"
        "  - relation: MEETING\n"
        "    args: {actor1: Hamas]\n"
        "    why: a bracket that does not close\n"
        "  - relation: MEETING\n",
        4,
    ),
    "unknown_top_level_key": (
        "doc: b.txt\n"
        "expect:\n"
        "  - relation: MEETING\n"
        "    args:\n"
        "      actor1: Hamas\n"
        "source: abcnews.go.com\n",
        6,
    ),
    "expectation_without_relation": (
        "doc: c.txt\n"
        "expect:\n"
        "  - relation: MEETING\n"
        "    args:\n"
        "      actor1: Hamas\n"
        "  - args:\n"
        "      actor1: Hamas\n",
        6,
    ),
    "unknown_relation": (
        "doc: d.txt\n"
        "expect:\n"
        "  - relation: MEETING\n"
        "    args:\n"
        "      actor1: Hamas\n"
        "must_not:\n"
        "  - relation: VISIT\n"
        "    args:\n"
        "      actor1: Hamas\n",
        7,
    ),
    "unknown_slot": (
        "doc: e.txt\n"
        "expect:\n"
        "  - relation: MEETING\n"
        "    args:\n"
        "      actor1: Hamas\n"
        "      place: Moscow\n",
        6,
    ),
    "invalid_schema_keyword": (
        "doc: f.txt\n"
        "expect:\n"
        "  - relation: MEETING\n"
        "    args:\n"
        "      actor2: Hamas\n"
        "      actor1: {enum: 5}\n",
        6,
    ),
    "invalid_evidence_keyword": (
        "doc: h.txt\n"
        "must_not:\n"
        "  - relation: MEETING\n"
        "    why: a pattern must be a string\n"
        "    evidence: {pattern: 12}\n",
        5,
    ),
}


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Error:" not in err


@pytest.mark.parametrize("fault", sorted(MALFORMED))
def test_a_malformed_expectation_file_is_refused_with_file_and_line(
    tmp_path: Path, fault: str
) -> None:
    text, line = MALFORMED[fault]
    path = tmp_path / f"{fault}.yaml"
    path.write_text(text, encoding="utf-8")

    code, out, err = run("--rules", str(RULES), "--expected", str(tmp_path), str(SEEDS))

    assert (code, out) == (2, "")
    _no_traceback(err)
    located = re.findall(rf"^{re.escape(str(path))}:(\d+):\d+: error X\d\d\d", err, re.MULTILINE)
    assert located == [str(line)], err
    assert "1 error in the expectations" in err


def test_every_fault_of_the_folder_is_reported_at_once(tmp_path: Path) -> None:
    for fault, (text, _) in MALFORMED.items():
        (tmp_path / f"{fault}.yaml").write_text(text, encoding="utf-8")
    shutil.copyfile(EXPECTED_000, tmp_path / EXPECTED_000.name)  # a good file among them

    code, out, err = run("--rules", str(RULES), "--expected", str(tmp_path), str(SEEDS))

    assert (code, out) == (2, "")
    _no_traceback(err)
    for fault, (_, line) in MALFORMED.items():
        assert f"{tmp_path / fault}.yaml:{line}:" in err, fault
    assert EXPECTED_000.name not in err
    assert f"{len(MALFORMED)} errors in the expectations" in err


def test_every_fault_of_one_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(
        "doc: g.txt\n"
        "expect:\n"
        "  - relation: VISIT\n"
        "  - relation: MEETING\n"
        "    args:\n"
        "      place: Moscow\n",
        encoding="utf-8",
    )
    code, out, err = run("--rules", str(RULES), "--expected", str(tmp_path), str(SEEDS))
    assert (code, out) == (2, "")
    assert f"{path}:3:" in err and f"{path}:6:" in err
    assert "2 errors in the expectations" in err


# ------------------------------------------------------------------ what expectations mean

FILE_000 = EXPECTED_000.read_text(encoding="utf-8")
LOADED_000 = yaml.safe_load(FILE_000)
BOGDANOV = 2  # index of the Bagheri Kani - Bogdanov expectation in the 000 file
KANI, BOGDANOV_NAME = "Ali Bagheri Kani", "Mikhail Bogdanov"


def _compare(folder: Path) -> tuple[int, str, str]:
    """Seed 000 alone against the expectations of `folder`."""
    return run("--rules", str(RULES), "--expected", str(folder), str(SEED_000))


def _write_expectations(folder: Path, content: dict[str, Any]) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / EXPECTED_000.name
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def _report_lines(err: str, kind: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip().startswith(kind)]


def test_the_committed_expectations_of_000_hold(tmp_path: Path) -> None:
    shutil.copyfile(EXPECTED_000, tmp_path / EXPECTED_000.name)
    code, _, err = _compare(tmp_path)
    assert code == 0, err
    assert f"{ARTICLE}: ok" in err.splitlines()


@pytest.mark.parametrize(
    "args, met",
    [
        ({"actor1": KANI, "actor2": BOGDANOV_NAME}, True),
        ({"actor1": BOGDANOV_NAME, "actor2": KANI}, True),  # unordered: either order
        ({"actor2": BOGDANOV_NAME}, True),
        ({"actor1": KANI, "actor2": {"enum": ["Vladimir Putin", BOGDANOV_NAME]}}, True),
        ({"actor1": KANI, "actor2": {"enum": [BOGDANOV_NAME, "Dmitry Peskov"]}}, True),
        ({"actor1": KANI, "actor2": BOGDANOV_NAME, "date": {"enum": [None, "2023-10-26"]}}, True),
        ({"actor1": KANI, "actor2": {"pattern": "Bogdanov$"}}, True),
        ({"actor1": KANI, "actor2": {"enum": ["Vladimir Putin", "Dmitry Peskov"]}}, False),
        ({"actor1": KANI, "actor2": "Vladimir Putin"}, False),
        ({"actor1": KANI, "actor2": BOGDANOV_NAME, "city": "Tehran"}, False),
        ({"actor1": KANI, "actor2": BOGDANOV_NAME, "date": "2023-10-27"}, False),
        ({"actor1": KANI, "actor2": BOGDANOV_NAME, "date": None}, False),
        ({"actor1": KANI, "actor2": "mikhail bogdanov"}, False),
    ],
    ids=[
        "pinned",
        "pinned_either_order",
        "one_side_pinned",
        "enum_second_value",
        "enum_first_value",
        "date_enum_with_null",
        "pattern",
        "enum_without_the_value",
        "pinned_other_actor",
        "pinned_other_city",
        "pinned_other_date",
        "pinned_null_date",
        "pinned_other_case",
    ],
)
def test_a_pinned_value_or_enum_decides_whether_an_expectation_is_met(
    tmp_path: Path, args: dict[str, Any], met: bool
) -> None:
    content = copy.deepcopy(LOADED_000)
    content["expect"][BOGDANOV]["args"] = args
    _write_expectations(tmp_path, content)

    code, _, err = _compare(tmp_path)

    missing = _report_lines(err, "missing")
    if met:
        assert code == 0, err
        assert missing == []
        assert f"{ARTICLE}: ok" in err.splitlines()
    else:
        assert code == 1
        assert len(missing) == 1, err
        assert "MEETING(" in missing[0] and "actor1=Ali Bagheri Kani" in missing[0]
        assert f"{ARTICLE}: REGRESSION" in err.splitlines()


def test_an_optional_expectation_not_found_is_no_regression(tmp_path: Path) -> None:
    content = copy.deepcopy(LOADED_000)
    content["expect"].append(
        {
            "relation": "MEETING",
            "optional": True,
            "args": {"actor1": "Ali Bagheri Kani", "actor2": "Vladimir Putin"},
        }
    )
    _write_expectations(tmp_path, content)

    code, _, err = _compare(tmp_path)

    assert code == 0, err
    assert f"{ARTICLE}: ok" in err.splitlines()
    assert _report_lines(err, "missing") == []
    assert "MEETING              1.00    1.00   1.00     4/0, 3/0" in err


def test_the_same_expectation_not_optional_is_missing(tmp_path: Path) -> None:
    content = copy.deepcopy(LOADED_000)
    content["expect"].append(
        {
            "relation": "MEETING",
            "optional": False,
            "args": {"actor1": "Ali Bagheri Kani", "actor2": "Vladimir Putin"},
        }
    )
    _write_expectations(tmp_path, content)
    code, _, err = _compare(tmp_path)
    assert code == 1
    [missing] = _report_lines(err, "missing")
    assert "actor2=Vladimir Putin" in missing


def test_a_record_no_expectation_covers_is_unexpected(tmp_path: Path) -> None:
    content = copy.deepcopy(LOADED_000)
    del content["expect"][BOGDANOV]
    _write_expectations(tmp_path, content)

    code, _, err = _compare(tmp_path)

    assert code == 1
    lines = err.splitlines()
    assert f"{ARTICLE}: REGRESSION" in lines
    assert _report_lines(err, "missing") == []
    [unexpected] = _report_lines(err, "unexpected")
    assert unexpected.split(None, 1)[1] == (
        "MEETING(actor1=Ali Bagheri Kani, actor2=Mikhail Bogdanov, city=Moscow, "
        "date=2023-10-26) by met_with"
    )
    evidence = lines[lines.index(unexpected) + 1].strip()
    assert evidence.startswith('"On Thursday, Bagheri Khani met with Russia')


def test_a_forbidden_record_is_a_regression_naming_rule_and_evidence(tmp_path: Path) -> None:
    path = tmp_path / EXPECTED_000.name
    extra = (
        "  - relation: MEETING\n"
        "    why: a forbidden pair, for the test\n"
        "    args:\n"
        "      actor1: Mikhail Bogdanov\n"
        "      actor2: Ali Bagheri Kani\n"
    )
    assert FILE_000.endswith("\n") and FILE_000.rstrip().splitlines()[-1].startswith("    ")
    path.write_text(FILE_000 + extra, encoding="utf-8")
    line = len(FILE_000.splitlines()) + 1

    code, _, err = _compare(tmp_path)

    assert code == 1
    lines = err.splitlines()
    assert f"{ARTICLE}: REGRESSION" in lines
    [forbidden] = _report_lines(err, "must not")
    assert forbidden.split(None, 2)[2] == (
        "MEETING(actor1=Ali Bagheri Kani, actor2=Mikhail Bogdanov, city=Moscow, "
        "date=2023-10-26) by met_with"
    )
    at = lines.index(forbidden)
    assert lines[at + 1].strip().startswith('"On Thursday, Bagheri Khani met with Russia')
    assert lines[at + 2].strip().startswith("forbidden by MEETING(actor1=Mikhail Bogdanov")
    assert f"[{path}:{line}]" in lines[at + 2]
    assert "(a forbidden pair, for the test)" in lines[at + 2]
    assert _report_lines(err, "missing") == [] and _report_lines(err, "unexpected") == []


def test_a_forbidden_pattern_on_the_evidence(tmp_path: Path) -> None:
    content = copy.deepcopy(LOADED_000)
    content["must_not"] = [
        {"relation": "MEETING", "evidence": {"pattern": "^Prior to the meeting"}}
    ]
    _write_expectations(tmp_path, content)
    code, _, err = _compare(tmp_path)
    assert code == 1
    [forbidden] = _report_lines(err, "must not")
    assert forbidden.endswith("by met_with")
    assert "actor1=Mousa Abu Marzouk" in forbidden


def test_precision_recall_and_f1_are_right(tmp_path: Path) -> None:
    """Seed 000 gives 4 MEETING records. With the Bogdanov expectation taken out (its
    record is unexpected), one required expectation nobody meets, and one optional one:

    records: 3 matched, 1 unexpected          -> precision 3/4 = 0.75
    required expectations: 2 met, 1 missed    -> recall 2/3 = 0.67
    F1 = 2 * 0.75 * 2/3 / (0.75 + 2/3) = 12/17 = 0.71
    """
    content = copy.deepcopy(LOADED_000)
    del content["expect"][BOGDANOV]
    content["expect"].append(
        {"relation": "MEETING", "args": {"actor1": "Vladimir Putin", "actor2": "Hamas"}}
    )
    content["expect"].append(
        {"relation": "MEETING", "optional": True, "args": {"actor1": "Dmitry Peskov"}}
    )
    _write_expectations(tmp_path, content)

    code, out, err = _compare(tmp_path)

    assert code == 1
    assert len(records(out)) == 4
    [row] = [line for line in err.splitlines() if line.startswith("MEETING ")]
    assert row.split() == ["MEETING", "0.75", "0.67", "0.71", "3/1,", "2/1"]
    assert "1 of 1 articles regressed" in err


def test_scores_add_up_over_articles(tmp_path: Path) -> None:
    """All five seeds against the committed expectations: 15 records, 12 required
    expectations, all met; then one article's file removed is 'not compared'."""
    code, _, err = run("--rules", str(RULES), "--expected", str(EXPECTED), str(SEEDS))
    assert code == 0, err
    [row] = [line for line in err.splitlines() if line.startswith("MEETING ")]
    assert row.split()[1:4] == ["1.00", "1.00", "1.00"]
    required = sum(
        1
        for path in EXPECTED.glob("*.yaml")
        for e in yaml.safe_load(path.read_text(encoding="utf-8"))["expect"]
        if not e.get("optional")
    )
    assert row.split()[5] == f"{required}/0"

    for path in EXPECTED.glob("*.yaml"):
        if path.name != EXPECTED_000.name:
            shutil.copyfile(path, tmp_path / path.name)
    code, _, err = run("--rules", str(RULES), "--expected", str(tmp_path), str(SEEDS))
    assert code == 0, err
    assert f"{ARTICLE}: no expectations file (not compared)" in err
    assert "0 of 4 articles regressed" in err
