"""The shipped MEETING pack on the five seed articles: the meetings a careful analyst finds.

The expectations below were written by reading the articles, not from the engine's output.
A meeting is described by its two sides (each side: the names that may stand for it, e.g.
Hamas or its delegation head), the city, and the date: `date` must be found by at least
one record of that meeting, `dates` lists every value a record of it may carry (null where
the article does not tie the meeting to a day). Every record must be one of the meetings
listed for its article (no false meetings), and every listed meeting must be found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from conftest import SEEDS

from engine import RuleSet, extract_document
from engine.documents import read_folder

HAMAS = frozenset({"Hamas", "Mousa Abu Marzouk"})
RUSSIA = frozenset({"Russia", "Russian Foreign Ministry", "Mikhail Bogdanov"})
BOGDANOV = frozenset({"Mikhail Bogdanov"})
IRAN = frozenset({"Ali Bagheri Kani"})
IRAN_SIDE = frozenset({"Ali Bagheri Kani", "Iran", "Iranian Foreign Ministry"})
THURSDAY = "2023-10-26"


@dataclass(frozen=True)
class Meeting:
    what: str
    side_a: frozenset[str]
    side_b: frozenset[str]
    city: str | None
    date: str | None  # found by at least one record
    dates: tuple[str | None, ...] = ()  # all a record may carry (default: only `date`)
    cities: tuple[str | None, ...] = field(default=())

    def admits(self, record: dict) -> bool:
        args = record["args"]
        actors = {args["actor1"], args["actor2"]}
        sides = any(
            x in self.side_a and y in self.side_b and x != y for x in actors for y in actors
        )
        return (
            sides
            and args["city"] in (self.cities or (self.city,))
            and args["date"] in (self.dates or (self.date,))
        )

    def found_by(self, record: dict) -> bool:
        args = record["args"]
        return self.admits(record) and args["city"] == self.city and args["date"] == self.date


EXPECTED: dict[str, list[Meeting]] = {
    "000_6076344b43b91c38.txt": [
        # "Abu Marzouk held talks Thursday with Russian diplomats." / "His Moscow visit"
        Meeting(
            "Hamas with Russia's foreign ministry",
            HAMAS,
            RUSSIA,
            "Moscow",
            THURSDAY,
            (THURSDAY, None),
        ),
        # "During the meeting with Hamas' representative Moussa Abu Marzouk, Iran's deputy
        # foreign minister, Ali Bagheri Kani, ..." (undated: "a statement Friday" is when it
        # was said)
        Meeting("Bagheri Kani with Abu Marzouk", IRAN, HAMAS, "Moscow", None),
        # "On Thursday, Bagheri Khani met with Russia's Deputy Foreign Minister Mikhail Bogdanov"
        Meeting("Bagheri Kani with Bogdanov", IRAN, BOGDANOV, "Moscow", THURSDAY, (THURSDAY, None)),
    ],
    "001_b008d4be5277539a.txt": [
        # "A delegation from Hamas visited Moscow on Thursday for talks ..."
        Meeting("Hamas with Russia", HAMAS, RUSSIA, "Moscow", THURSDAY, (THURSDAY, None)),
        # "Earlier, ... Mikhail Bogdanov met with the political leadership of Hamas during a
        # visit to Qatar." No city (Qatar is a country), no day.
        Meeting("Bogdanov with Hamas in Qatar", BOGDANOV, HAMAS, None, None),
    ],
    "002_7bef4cfd276fa879.txt": [
        # "the Hamas delegation had met with representatives of Russia's foreign ministry
        # but not with President Vladimir Putin" (no day given for it)
        Meeting("Hamas with Russia's foreign ministry", HAMAS, RUSSIA, "Moscow", None),
        # "Abu Marzouk, had held talks with Iran's deputy foreign minister Ali Baghiri Kani"
        Meeting("Abu Marzouk with Bagheri Kani", HAMAS, IRAN, "Moscow", None),
    ],
    "003_b77dc42a5f265c88.txt": [
        # "Russian diplomacy announced talks in Moscow on Thursday with representatives of Hamas"
        Meeting(
            "Hamas with Russia's foreign ministry",
            HAMAS,
            RUSSIA,
            "Moscow",
            THURSDAY,
            (THURSDAY, None),
        ),
        # "The Iranian deputy minister spoke with his Russian counterpart Mikhail Bogdanov"
        # (the day is only implied by the talks "on Thursday")
        Meeting("Bagheri Kani with Bogdanov", IRAN_SIDE, RUSSIA, "Moscow", None, (THURSDAY, None)),
    ],
    "004_fe6fb8beeac20daa.txt": [
        # "Hamas representatives arrived in Moscow on Thursday to discuss ... with Russia's
        # deputy foreign minister, Mikhail Bogdanov"; the caption's trilateral meeting
        Meeting("Hamas with Bogdanov", HAMAS, RUSSIA, "Moscow", THURSDAY, (THURSDAY, None)),
        # caption: "... during a trilateral meeting in Moscow on October 26, 2023"
        Meeting("Bagheri Kani with Abu Marzouk", IRAN, HAMAS, "Moscow", THURSDAY),
        Meeting("Bagheri Kani with Bogdanov", IRAN, BOGDANOV, "Moscow", THURSDAY),
    ],
}

# Sentences that tempt a matcher but report no meeting.
NOT_MEETINGS = {
    "000_6076344b43b91c38.txt": ["It is not clear if representatives from Russia, Iran and Hamas"],
    "002_7bef4cfd276fa879.txt": ["we will continue our dialogue with Israel"],
    "001_b008d4be5277539a.txt": ["Zakharova told a weekly briefing"],
    "003_b77dc42a5f265c88.txt": ["I can confirm the presence"],
    "004_fe6fb8beeac20daa.txt": ["An Israeli diplomat had a conversation"],
}


@pytest.fixture(scope="module")
def seed_records(shipped_rules: RuleSet) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for document in read_folder(SEEDS, None):
        assert not hasattr(document, "reason"), document
        found[document.id] = extract_document(shipped_rules, document)  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("article", sorted(EXPECTED))
def test_every_expected_meeting_is_found(article: str, seed_records: dict[str, list[dict]]) -> None:
    records = seed_records[article]
    missing = [m.what for m in EXPECTED[article] if not any(m.found_by(r) for r in records)]
    assert not missing, f"{article}: not found: {missing}\nrecords: {_brief(records)}"


@pytest.mark.parametrize("article", sorted(EXPECTED))
def test_no_false_meetings(article: str, seed_records: dict[str, list[dict]]) -> None:
    records = seed_records[article]
    unexpected = [r for r in records if not any(m.admits(r) for m in EXPECTED[article])]
    assert not unexpected, f"{article}: unexpected: {_brief(unexpected)}"


@pytest.mark.parametrize("article", sorted(NOT_MEETINGS))
def test_tempting_sentences_give_no_record(
    article: str, seed_records: dict[str, list[dict]]
) -> None:
    for phrase in NOT_MEETINGS[article]:
        assert not [r for r in seed_records[article] if phrase in r["evidence"]], phrase


def test_putin_is_in_no_meeting_of_article_002(seed_records: dict[str, list[dict]]) -> None:
    for record in seed_records["002_7bef4cfd276fa879.txt"]:
        assert "Vladimir Putin" not in record["args"].values()


def test_spans_point_into_the_original_text(seed_records: dict[str, list[dict]]) -> None:
    for article, records in seed_records.items():
        text = (SEEDS / article).read_text(encoding="utf-8")
        for record in records:
            start, end = record["evidence_span"]
            assert " ".join(text[start:end].split()) == record["evidence"]
            for span in record["spans"].values():
                if span is not None:
                    surface = text[span[0] : span[1]]
                    assert 0 <= span[0] < span[1] <= len(text)
                    assert surface == surface.strip() and surface[:1].isalnum()


def _brief(records: list[dict]) -> list[tuple]:
    return [(r["rule"], *r["args"].values(), r["evidence"][:80]) for r in records]
