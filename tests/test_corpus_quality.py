"""How well the shipped MEETING pack does on news it was not written for.

Three corpora of wire-style passages with the meetings an analyst extracts, each written
by someone who did not see the rules: `meeting.yaml` (used while writing the rules),
`meeting_unseen.yaml` (looked at once the rules existed) and `meeting_blind.yaml`
(measured once before any change it prompted). Each test is a floor under precision and
recall over whole (actors, city, date) tuples and over actor pairs alone: it fails when
a change to the rules, gazetteers or engine makes the pack worse on news in general.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from conftest import ROOT

from engine import RuleSet, extract_text

EXAMPLES = ROOT / "tests" / "examples"
Meeting = tuple[frozenset[str], Any, Any]

# corpus -> (tuple precision, tuple recall, pair precision, pair recall) floors
FLOORS = {
    "meeting.yaml": (0.90, 0.80, 0.95, 0.85),
    "meeting_unseen.yaml": (0.85, 0.60, 0.90, 0.65),
    "meeting_blind.yaml": (0.70, 0.40, 0.70, 0.40),
}


def expected_meetings(example: dict[str, Any]) -> set[Meeting]:
    return {
        (frozenset(m["actors"]), m.get("city"), str(m["date"]) if m.get("date") else None)
        for m in example["meetings"]
    }


def found_meetings(rules: RuleSet, example: dict[str, Any]) -> set[Meeting]:
    records = extract_text(rules, example["text"], published=str(example["published"]))
    return {
        (
            frozenset([r["args"]["actor1"], r["args"]["actor2"]]),
            r["args"]["city"],
            r["args"]["date"],
        )
        for r in records
    }


def precision_recall(pairs: list[tuple[set[Any], set[Any]]]) -> tuple[float, float]:
    hits = sum(len(expected & found) for expected, found in pairs)
    found = sum(len(f) for _, f in pairs)
    expected = sum(len(e) for e, _ in pairs)
    return (hits / found if found else 1.0, hits / expected if expected else 1.0)


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_pack_quality_on_news_it_was_not_written_for(corpus: str, shipped_rules: RuleSet) -> None:
    examples = yaml.safe_load((EXAMPLES / corpus).read_text(encoding="utf-8"))
    outcomes = [(expected_meetings(e), found_meetings(shipped_rules, e)) for e in examples]
    tuples = precision_recall(outcomes)
    pairs = precision_recall([({m[0] for m in e}, {m[0] for m in f}) for e, f in outcomes])
    floor = FLOORS[corpus]
    measured = (*tuples, *pairs)
    names = ("tuple precision", "tuple recall", "pair precision", "pair recall")
    below = [
        f"{n} {m:.2f} < {f:.2f}" for n, m, f in zip(names, measured, floor, strict=True) if m < f
    ]
    assert not below, f"{corpus}: " + "; ".join(below)


def test_corpora_name_only_known_actors_and_cities() -> None:
    gazetteers = ROOT / "rules" / "gazetteers"
    actors = {e["name"] for e in yaml.safe_load((gazetteers / "actors.yaml").read_text("utf-8"))}
    cities = {e["name"] for e in yaml.safe_load((gazetteers / "cities.yaml").read_text("utf-8"))}
    for corpus in FLOORS:
        for example in yaml.safe_load((EXAMPLES / corpus).read_text(encoding="utf-8")):
            for meeting in example["meetings"]:
                assert set(meeting["actors"]) <= actors, (corpus, example["id"])
                assert meeting.get("city") in cities | {None}, (corpus, example["id"])
