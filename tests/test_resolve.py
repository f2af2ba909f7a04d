"""The `longest-first` policy for overlapping mentions (engine/resolve.py), as properties
of any set of mentions: the common case of mentions that do not overlap at all takes a
shorter way there, and must end the same."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.match import Mention
from engine.resolve import resolve_mentions


def _mention(kind: str, first: int, length: int, source: int) -> Mention:
    return Mention(kind, first, first + length, f"v{source}", (), f"s{source}")


MENTIONS = st.lists(
    st.builds(
        _mention,
        st.sampled_from(["actor", "city"]),
        st.integers(0, 30),
        st.integers(1, 4),
        st.integers(0, 3),
    ),
    max_size=12,
)


def _overlap(a: Mention, b: Mention) -> bool:
    return a.type == b.type and a.first < b.end and b.first < a.end


@given(MENTIONS)
def test_of_overlapping_mentions_of_a_type_the_longest_stands(mentions: list[Mention]) -> None:
    kept = resolve_mentions(mentions)
    assert kept == sorted(kept, key=lambda m: (m.first, m.end, m.type))
    assert all(kept.count(m) <= mentions.count(m) for m in kept)
    for number, mention in enumerate(kept):  # no two kept mentions of a type overlap
        assert not any(_overlap(mention, other) for other in kept[number + 1 :])
    dropped = list(mentions)
    for mention in kept:
        dropped.remove(mention)
    for mention in dropped:  # each dropped one overlaps a kept one at least as long
        assert any(
            _overlap(mention, other) and other.end - other.first >= mention.end - mention.first
            for other in kept
        )


@given(MENTIONS)
def test_mentions_that_overlap_nothing_are_all_kept_in_text_order(
    mentions: list[Mention],
) -> None:
    apart: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: m.first):
        if all(m.end <= mention.first or mention.end <= m.first for m in apart):
            apart.append(mention)
    assert resolve_mentions(reversed(apart)) == sorted(apart, key=lambda m: m.first)


def test_on_equal_spans_the_mention_made_first_stands() -> None:
    """A gazetteer's mention before a rule's, whichever way the list runs."""
    gazetteer = Mention("actor", 2, 4, "Ali Bagheri Kani", (), "actors.yaml")
    rule = Mention("actor", 2, 4, "Bagheri Kani", (), "titled_person")
    longer = Mention("actor", 1, 4, "Deputy Minister", (), "titled_person")
    assert resolve_mentions([gazetteer, rule]) == [gazetteer]
    assert resolve_mentions([rule, gazetteer]) == [rule]
    assert resolve_mentions([gazetteer, rule, longer]) == [longer]
