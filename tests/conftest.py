"""Shared fixtures: the repository's folders and the shipped rule set, compiled once."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def shipped_rules() -> RuleSet:
    return load_rules([RULES])
