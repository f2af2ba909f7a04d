"""The regression suite, one test per seed article: its records against what its analyst
expects (tests/expected/<article>.yaml). A failure shows the article's regression report:
each missing, unexpected, forbidden or invalid record with its rule and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from engine import RuleSet, extract_document
from engine.compare import ArticleExpectations, compare, load_folder
from engine.documents import Document, read_folder
from engine.report import article_report
from engine.validate import load

EXPECTED = ROOT / "tests" / "expected"
ARTICLES = sorted(path.stem for path in EXPECTED.glob("*.yaml"))


@pytest.fixture(scope="module")
def expectations(shipped_rules: RuleSet) -> dict[str, ArticleExpectations]:
    return load_folder(EXPECTED, shipped_rules.relations)


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    found = {}
    for item in read_folder(SEEDS, None):
        assert isinstance(item, Document), item
        found[Path(item.id).stem] = item
    return found


def test_every_seed_article_has_expectations(documents: dict[str, Document]) -> None:
    assert sorted(documents) == ARTICLES


@pytest.mark.parametrize("article", ARTICLES)
def test_article_meets_its_expectations(
    article: str,
    shipped_rules: RuleSet,
    expectations: dict[str, ArticleExpectations],
    documents: dict[str, Document],
) -> None:
    document = documents[article]
    records = extract_document(shipped_rules, document)
    schemas = load(ROOT / "schemas", shipped_rules)
    invalid = [(r, schemas.problems(r)) for r in records if schemas.problems(r)]
    valid = [r for r in records if not schemas.problems(r)]
    result = compare(expectations[document.id], valid, invalid)
    assert not result.regressed, "\n" + article_report(result)


def test_spans_and_evidence_point_into_the_original_text(
    shipped_rules: RuleSet, documents: dict[str, Document]
) -> None:
    for document in documents.values():
        text = (SEEDS / document.id).read_text(encoding="utf-8")
        for record in extract_document(shipped_rules, document):
            start, end = record["evidence_span"]
            assert " ".join(text[start:end].split()) == record["evidence"]
            for span in record["spans"].values():
                if span is not None:
                    surface = text[span[0] : span[1]]
                    assert 0 <= span[0] < span[1] <= len(text)
                    assert surface == surface.strip() and surface[:1].isalnum()
