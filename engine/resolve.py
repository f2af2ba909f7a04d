"""Named, deterministic policies for what overlaps: mentions, then findings.

* `longest-first` (mentions): of overlapping mentions of one type, the longest stands
  ("Russia's Deputy Foreign Minister Mikhail Bogdanov" over "Russia" and "Mikhail
  Bogdanov"); on equal length the earlier, then the one made first (a gazetteer's before
  a rule's, rules in the order they run).
* `subsume` (findings): one record per distinct finding. The same finding made by two
  rules is one record naming both; a finding whose known values all agree with a fuller
  one about the same participants (same relation, same required slots) adds nothing
  and is folded into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .compiled_rules import RelationType
from .findings import Finding, Value
from .match import Mention

MENTION_POLICY = "longest-first"
FINDING_POLICY = "subsume"


def resolve_mentions(mentions: Iterable[Mention]) -> list[Mention]:
    """Drop every mention that overlaps a longer one of the same type."""
    ordered = sorted(mentions, key=_place)
    if all(a.end <= b.first for a, b in zip(ordered, ordered[1:], strict=False)):
        return ordered  # none overlaps another (most often): nothing to drop
    by_type: dict[str, list[Mention]] = {}
    for mention in ordered:
        by_type.setdefault(mention.type, []).append(mention)
    kept: list[Mention] = []
    for group in by_type.values():
        kept.extend(_longest_first(group))
    return sorted(kept, key=_place)


def _place(mention: Mention) -> tuple[int, int, str]:
    return mention.first, mention.end, mention.type


def _longest_first(mentions: list[Mention]) -> list[Mention]:
    """Longest first; on equal length the earlier, then the one made first (sort is stable:
    gazetteers before rules, rules in cascade order)."""
    order = sorted(mentions, key=lambda m: (-(m.end - m.first), m.first))
    taken: set[int] = set()
    kept = []
    for mention in order:
        tokens = range(mention.first, mention.end)
        if not taken.intersection(tokens):
            kept.append(mention)
            taken.update(tokens)
    return kept


@dataclass(frozen=True)
class Draft:
    """A record before it is written: relation, values per slot, rules and evidence."""

    relation: str
    args: tuple[tuple[str, Value], ...]
    rules: tuple[str, ...]
    evidence: tuple[int, int]
    priority: int = 0

    def known(self) -> dict[str, str]:
        return {name: v.value for name, v in self.args if v.value is not None}


def resolve_findings(
    findings: Iterable[Finding], relations: dict[str, RelationType], rule_order: dict[str, int]
) -> list[Draft]:
    drafts = [d for f in findings for d in _drafts(f, relations[f.target])]
    merged = _merge_same(_prefer_priority(drafts, relations), rule_order)
    return _subsume(merged, relations, rule_order)


def _drafts(finding: Finding, relation: RelationType) -> list[Draft]:
    out = []
    for assignment in finding.assignments():
        values = {slot.name: assignment.get(slot.name, Value(None)) for slot in relation.slots}
        if any(values[s.name].value is None for s in relation.slots if not s.optional):
            continue
        if relation.unordered and not _order_slots(values, relation):
            continue
        args = tuple((slot.name, values[slot.name]) for slot in relation.slots)
        out.append(Draft(relation.name, args, (finding.rule,), finding.evidence, finding.priority))
    return out


def _prefer_priority(drafts: list[Draft], relations: dict[str, RelationType]) -> list[Draft]:
    """Where rules disagree about the same participants in the same sentence, the drafts of
    the highest `priority` stand."""

    def participants(draft: Draft) -> tuple[object, ...]:
        required = {s.name for s in relations[draft.relation].slots if not s.optional}
        values = tuple((n, v.value) for n, v in draft.args if n in required)
        return (draft.relation, draft.evidence, values)

    best: dict[tuple[object, ...], int] = {}
    for draft in drafts:
        key = participants(draft)
        best[key] = max(best.get(key, draft.priority), draft.priority)
    agreed = {_identity(d) for d in drafts if d.priority == best[participants(d)]}
    return [d for d in drafts if d.priority == best[participants(d)] or _identity(d) in agreed]


def _order_slots(values: dict[str, Value], relation: RelationType) -> bool:
    """Sort the values of same-typed slots (A meets B = B meets A); False for A meets A."""
    by_type: dict[str, list[str]] = {}
    for slot in relation.slots:
        by_type.setdefault(slot.type, []).append(slot.name)
    for names in by_type.values():
        if len(names) < 2:
            continue
        ordered = sorted(
            (values[n] for n in names), key=lambda v: (v.value is None, v.value or "", v.first)
        )
        known = [v.value for v in ordered if v.value is not None]
        if len(set(known)) < len(known):
            return False
        values.update(zip(names, ordered, strict=True))
    return True


def _identity(draft: Draft) -> tuple[object, ...]:
    return (draft.relation, tuple((n, v.value) for n, v in draft.args))


def _merge_same(drafts: list[Draft], rule_order: dict[str, int]) -> list[Draft]:
    """The same finding (same values), however many rules or sentences made it: one draft."""
    merged: dict[tuple[object, ...], Draft] = {}
    for draft in sorted(drafts, key=lambda d: (d.evidence, min(rule_order[r] for r in d.rules))):
        key = _identity(draft)
        if key in merged:
            merged[key] = _absorb(merged[key], draft, rule_order)
        else:
            merged[key] = draft
    return list(merged.values())


def _subsume(
    drafts: list[Draft], relations: dict[str, RelationType], rule_order: dict[str, int]
) -> list[Draft]:
    """Fold a draft into a fuller one whose values include all of its own."""
    fullest_first = sorted(drafts, key=lambda d: (-len(d.known()), d.evidence))
    kept: list[Draft] = []
    for draft in fullest_first:
        known = draft.known()
        for index, other in enumerate(kept):
            if other.relation == draft.relation and _includes(other.known(), known):
                kept[index] = _absorb(other, draft, rule_order)
                break
        else:
            kept.append(draft)
    return sorted(kept, key=lambda d: (d.evidence, repr(_identity(d))))


def _absorb(kept: Draft, folded: Draft, rule_order: dict[str, int]) -> Draft:
    """`kept` stands, now also naming the rules of `folded`; its own rule stays first."""
    others = (set(kept.rules) | set(folded.rules)) - {kept.rules[0]}
    rules = (kept.rules[0], *sorted(others, key=rule_order.__getitem__))
    return Draft(kept.relation, kept.args, rules, kept.evidence)


def _includes(fuller: dict[str, str], smaller: dict[str, str]) -> bool:
    return all(fuller.get(name) == value for name, value in smaller.items())
