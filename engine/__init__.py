"""newsrules: declarative, rule-based extraction and validation of events in news.

For notebooks::

    from engine import load_rules, extract_text
    rules = load_rules(["rules/"])          # parse, check, compile once
    records = extract_text(rules, text, published="2023-10-27", doc="article-1")
"""

from __future__ import annotations

import datetime
from typing import Any

from .compile import RuleSet
from .documents import Document, parse_published
from .errors import Diagnostic, DocumentError, RuleSetError, ToolkitError, UsageError
from .pipeline import extract_document
from .records import Record
from .ruleset import load_rules

__all__ = [
    "Diagnostic",
    "Document",
    "DocumentError",
    "Record",
    "RuleSet",
    "RuleSetError",
    "ToolkitError",
    "UsageError",
    "extract_document",
    "extract_text",
    "load_rules",
]


def extract_text(
    rules: RuleSet,
    text: str,
    published: str | datetime.date | None = None,
    doc: str = "text",
    **metadata: Any,
) -> list[Record]:
    """Records the rule set finds in one text, with its publication date and metadata."""
    document = Document(doc, text, parse_published(published), {"published": published, **metadata})
    return extract_document(rules, document)
