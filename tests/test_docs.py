"""Every ```rule block of docs/dsl.md parses without a syntax error, so the page cannot drift
from the language. One test per block, named by the block's first line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.parse import parse_text

DSL = Path(__file__).resolve().parent.parent / "docs" / "dsl.md"
BLOCK = re.compile(r"^```rule[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def rule_blocks() -> list[str]:
    return [m.group(1) for m in BLOCK.finditer(DSL.read_text(encoding="utf-8"))]


def block_id(block: str) -> str:
    return next(line.strip() for line in block.splitlines() if line.strip())


def test_the_page_has_rule_blocks() -> None:
    assert len(rule_blocks()) >= 5


@pytest.mark.parametrize("block", [pytest.param(b, id=block_id(b)) for b in rule_blocks()])
def test_rule_block_parses(block: str) -> None:
    rule_file, problems = parse_text(block, "docs/dsl.md")
    assert problems == []
    assert rule_file.items, "the block holds no item"
