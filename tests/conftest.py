"""Shared fixtures: the repository's folders and the shipped rule set, compiled once."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from engine import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def shipped_rules() -> RuleSet:
    return load_rules([RULES])


def without_index(rules: RuleSet) -> RuleSet:
    """The rule set with no rule indexed by words or first tokens: every document is
    prepared whole and every rule tried everywhere (what the index must not change)."""

    def plain(rule: Any) -> Any:
        return dataclasses.replace(rule, anchors=None, triggers=None)

    return dataclasses.replace(
        rules,
        entity_rules=tuple(plain(r) for r in rules.entity_rules),
        relation_rules=tuple(plain(r) for r in rules.relation_rules),
    )
