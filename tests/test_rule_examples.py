"""Every rule of the shipped pack on its own positive and negative examples.

The examples live in tests/examples/meeting_rules.yaml, keyed by rule name; their
expectations were written by reading the sentences, not from the engine's output.

* relation rule, positive: each listed meeting is extracted by the whole pack with exactly
  those actors (an unordered pair), city and date, and the record names the rule;
* relation rule, negative: the (actor pair, city, date) set the whole pack extracts equals
  the listed meetings exactly (usually none);
* entity rule, positive: each listed actor mention is made by the rule, with that surface
  text and value;
* entity rule, negative: the rule makes no mention whose surface is listed as absent.

A meta-test fails when a rule of the pack has no positive or no negative example, or when
the file names a rule the pack does not have. `known_gaps` holds honest examples the pack
gets wrong today: they are checked for shape only, never run as pass/fail.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from engine import RuleSet, extract_text
from engine.documents import Document
from engine.pipeline import mentions_of

EXAMPLES_FILE = ROOT / "tests" / "examples" / "meeting_rules.yaml"
GAPS_KEY = "known_gaps"
KINDS = ("positive", "negative")

Meeting = tuple[frozenset[str], str | None, str | None]


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict), f"{path}: expected a mapping of rule names"
    return data


EXAMPLES = _load(EXAMPLES_FILE)
RULE_EXAMPLES: dict[str, dict[str, list[dict[str, Any]]]] = {
    name: value for name, value in EXAMPLES.items() if name != GAPS_KEY
}
KNOWN_GAPS: list[dict[str, Any]] = EXAMPLES.get(GAPS_KEY) or []


def _cases() -> list[Any]:
    cases = []
    for rule_name, groups in RULE_EXAMPLES.items():
        for kind in KINDS:
            for number, example in enumerate((groups or {}).get(kind) or [], start=1):
                cases.append(
                    pytest.param(rule_name, kind, example, id=f"{rule_name}-{kind}-{number}")
                )
    return cases


# ------------------------------------------------------------------ helpers


def _iso(value: object) -> str | None:
    """A YAML date (or ISO text, or null) as the ISO text records hold."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _published(example: dict[str, Any]) -> datetime.date | None:
    value = example.get("published")
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _expected(example: dict[str, Any]) -> list[Meeting]:
    meetings = example.get("meetings")
    assert isinstance(meetings, list), "a relation example needs a `meetings` list"
    out = []
    for meeting in meetings:
        actors = meeting["actors"]
        assert len(actors) == 2 and actors[0] != actors[1], f"two distinct actors: {actors}"
        out.append((frozenset(actors), meeting.get("city"), _iso(meeting.get("date"))))
    return out


def _records(rules: RuleSet, example: dict[str, Any]) -> list[dict[str, Any]]:
    records = extract_text(rules, example["text"], published=_published(example), doc="example")
    return [r for r in records if r["relation"] == "MEETING"]


def _key(record: dict[str, Any]) -> Meeting:
    args = record["args"]
    return frozenset({args["actor1"], args["actor2"]}), args["city"], args["date"]


def _show(records: list[dict[str, Any]]) -> str:
    if not records:
        return "  (nothing)"
    return "\n".join(
        f"  {sorted(_key(r)[0])} city={r['args']['city']} date={r['args']['date']} "
        f"rules={r['rules']}"
        for r in records
    )


def _rule_kinds(rules: RuleSet) -> dict[str, str]:
    kinds = {rule.name: "relation" for rule in rules.relation_rules}
    kinds.update({rule.name: "entity" for rule in rules.entity_rules})
    return kinds


# ------------------------------------------------------------------ per example


@pytest.mark.parametrize(("rule_name", "kind", "example"), _cases())
def test_rule_example(
    shipped_rules: RuleSet, rule_name: str, kind: str, example: dict[str, Any]
) -> None:
    rule_kind = _rule_kinds(shipped_rules).get(rule_name)
    assert rule_kind is not None, f"no rule named {rule_name!r} in the shipped pack"
    if rule_kind == "relation":
        _check_relation(shipped_rules, rule_name, kind, example)
    else:
        _check_entity(shipped_rules, rule_name, kind, example)


def _check_relation(rules: RuleSet, rule_name: str, kind: str, example: dict[str, Any]) -> None:
    expected = _expected(example)
    records = _records(rules, example)
    if kind == "positive":
        assert expected, "a positive example lists at least one meeting"
        for actors, city, date in expected:
            found = [r for r in records if _key(r) == (actors, city, date)]
            assert found, (
                f"not extracted: {sorted(actors)} city={city} date={date}\n"
                f"the pack extracted:\n{_show(records)}"
            )
            assert any(rule_name in r["rules"] for r in found), (
                f"{sorted(actors)} city={city} date={date} was found, but not by {rule_name}\n"
                f"the pack extracted:\n{_show(records)}"
            )
    else:
        got = {_key(r) for r in records}
        assert got == set(expected), (
            f"expected exactly {[(sorted(a), c, d) for a, c, d in expected]}\n"
            f"the pack extracted:\n{_show(records)}"
        )


def _mentions(rules: RuleSet, example: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    document = Document("example", example["text"], _published(example))
    return mentions_of(rules, document, "actor")


def _check_entity(rules: RuleSet, rule_name: str, kind: str, example: dict[str, Any]) -> None:
    mentions = _mentions(rules, example)
    shown = "\n".join(f"  {m!r}" for m in mentions) or "  (none)"
    if kind == "positive":
        wanted = example.get("mentions")
        assert wanted, "a positive entity example lists at least one mention"
        for mention in wanted:
            triple = (mention["text"], mention["value"], rule_name)
            assert triple in mentions, f"missing mention {triple!r}\nactor mentions:\n{shown}"
    else:
        absent = example.get("absent")
        assert absent, "a negative entity example lists at least one absent surface"
        made = [m for m in mentions if m[2] == rule_name and m[0] in absent]
        assert not made, f"{rule_name} made {made!r}\nactor mentions:\n{shown}"


# ------------------------------------------------------------------ the standard


def test_every_rule_has_positive_and_negative_examples(shipped_rules: RuleSet) -> None:
    names = set(_rule_kinds(shipped_rules))
    missing = [
        f"{name}: no {kind} example"
        for name in sorted(names)
        for kind in KINDS
        if not ((RULE_EXAMPLES.get(name) or {}).get(kind))
    ]
    unknown = sorted(set(RULE_EXAMPLES) - names)
    assert not missing, "rules without examples:\n" + "\n".join(missing)
    assert not unknown, f"examples name rules the pack does not have: {unknown}"


def test_example_file_shape(shipped_rules: RuleSet) -> None:
    """Every group is a mapping of `positive`/`negative` lists; every example has text."""
    kinds = _rule_kinds(shipped_rules)
    for name, groups in RULE_EXAMPLES.items():
        assert isinstance(groups, dict), f"{name}: expected positive/negative lists"
        assert set(groups) <= set(KINDS), f"{name}: unexpected keys {set(groups) - set(KINDS)}"
        for kind in KINDS:
            for example in groups.get(kind) or []:
                assert isinstance(example.get("text"), str), f"{name}/{kind}: no text"
                if kinds.get(name) == "relation":
                    assert "meetings" in example, f"{name}/{kind}: no meetings"
                    _expected(example)
                elif kinds.get(name) == "entity":
                    field = "mentions" if kind == "positive" else "absent"
                    assert example.get(field), f"{name}/{kind}: no {field}"


def test_known_gaps_name_real_rules(shipped_rules: RuleSet) -> None:
    """Known gaps are not run as pass/fail; they must still name a rule and say why."""
    kinds = _rule_kinds(shipped_rules)
    for gap in KNOWN_GAPS:
        assert gap.get("rule") in kinds, f"known gap names no rule of the pack: {gap!r}"
        assert isinstance(gap.get("text"), str) and gap.get("why"), f"incomplete gap: {gap!r}"
        if kinds[gap["rule"]] == "relation":
            _expected(gap)
        else:
            has_mentions = gap.get("mentions") or gap.get("absent")
            assert has_mentions, f"entity gap without mentions/absent: {gap!r}"
