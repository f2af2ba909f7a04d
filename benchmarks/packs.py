"""Benchmark rule packs, built in a temporary folder from the shipped pack in `rules/`.

* the benchmark pack: `rules/*.rules` and the city and nationality gazetteers copied as
  they are; `gazetteers/actors.yaml` replaced by the PETRARCH2 actor gazetteer;
* rule-count packs: the benchmark pack without the actor cascades (`actors.rules`), with
  exactly N rules: the first 10 MEETING rules of `meeting.rules`, plus N - 10 generated
  rules, each a copy of `met_with` triggered by a CAMEO verb (all its forms) that is rare
  in the corpus;
* gazetteer-size packs: the benchmark pack with a sample of the actor gazetteer.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import petrarch

KEYWORD = re.compile(r"^(rule|entity|relation|include|prepare)\b\s*([A-Za-z_][\w]*)?")
WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Block:
    """A top-level statement of a rule file and the comment lines just above it."""

    keyword: str  # rule, entity, relation, include, prepare, or "" (leading comments)
    name: str
    text: str


def split_blocks(text: str) -> list[Block]:
    """Split a rule file into its top-level statements (each with the comments above it)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if KEYWORD.match(line)]
    blocks: list[Block] = []
    begin = 0
    for number, start in enumerate(starts):
        # the comment lines right above a statement belong to it
        top = start
        while top > begin and lines[top - 1].lstrip().startswith("#"):
            top -= 1
        if top > begin:
            blocks.append(Block("", "", "".join(lines[begin:top])))
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        # trailing comments before the next statement go with the next statement
        bottom = end
        while bottom > start + 1 and lines[bottom - 1].lstrip().startswith("#"):
            bottom -= 1
        match = KEYWORD.match(lines[start])
        assert match is not None
        blocks.append(Block(match.group(1), match.group(2) or "", "".join(lines[top:bottom])))
        begin = bottom
    if begin < len(lines):
        blocks.append(Block("", "", "".join(lines[begin:])))
    return blocks


def count_rules(folder: Path) -> int:
    return sum(
        1
        for path in folder.rglob("*.rules")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("rule ")
    )


def copy_shipped(rules: Path, dest: Path, actors: Iterable[petrarch.Entry], header: str) -> Path:
    """The benchmark pack: shipped rule files and gazetteers, PETRARCH2 actors."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "gazetteers").mkdir(exist_ok=True)
    for path in sorted(rules.glob("*.rules")):
        shutil.copy2(path, dest / path.name)
    for path in sorted((rules / "gazetteers").glob("*.yaml")):
        if path.name != "actors.yaml":
            shutil.copy2(path, dest / "gazetteers" / path.name)
    petrarch.write_yaml(actors, dest / "gazetteers" / "actors.yaml", header)
    return dest


def with_actors(base: Path, dest: Path, actors: Iterable[petrarch.Entry], header: str) -> Path:
    """A copy of pack `base` whose actor gazetteer holds only `actors`."""
    shutil.copytree(base, dest, ignore=shutil.ignore_patterns("actors.yaml"))
    petrarch.write_yaml(actors, dest / "gazetteers" / "actors.yaml", header)
    return dest


# ------------------------------------------------------------------ generated rules


def cameo_verbs(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Single-word verbs of the CAMEO verb dictionary with their forms (given irregular
    forms, else regular -s, -ed, -ing forms), in file order, each verb once."""
    verbs: dict[str, tuple[str, ...]] = {}
    in_blocks = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("---"):
            in_blocks = True
            continue
        if not in_blocks or not line or line[0] in "-&+~[":
            continue
        match = re.fullmatch(r"([A-Z]+)\s*(?:\{([A-Z\s]*)\})?\s*(?:\[[^\]]*\])?", line)
        if match is None:
            continue
        verb = match.group(1).lower()
        if len(verb) < 3 or verb in verbs:
            continue
        irregular = tuple(w.lower() for w in (match.group(2) or "").split())
        verbs[verb] = (verb, *irregular) if irregular else regular_forms(verb)
    return list(verbs.items())


def regular_forms(verb: str) -> tuple[str, ...]:
    if verb.endswith("e"):
        return (verb, verb + "s", verb + "d", verb[:-1] + "ing")
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return (verb, verb + "es", verb + "ed", verb + "ing")
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "i", "o", "u"):
        return (verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing")
    return (verb, verb + "s", verb + "ed", verb + "ing")


def word_counts(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(WORD.findall(text.lower()))
    return counts


def rare_verbs(
    verbs: Sequence[tuple[str, tuple[str, ...]]], counts: Counter[str], exclude: set[str], n: int
) -> list[tuple[str, tuple[str, ...], int]]:
    """The n verbs whose forms occur least often in the corpus (ties: alphabetical)."""
    scored = [
        (sum(counts[f] for f in forms), verb, forms)
        for verb, forms in verbs
        if not exclude.intersection(forms)
    ]
    scored.sort()
    if len(scored) < n:
        raise ValueError(f"only {len(scored)} CAMEO verbs available, {n} needed")
    return [(verb, forms, count) for count, verb, forms in scored[:n]]


GENERATED = """
# generated: a copy of met_with triggered by the CAMEO verb "{verb}" ({count} occurrences
# of its forms in the corpus)
rule gen_{number:04d}_{verb} -> MEETING:
    within sentence:
        a:actor ...{{0,6}} v:({alternatives}) "with"? ...{{0,3}} b:actor
    unless actor between a and v
    unless reporting between a and v
    unless plan_cue before v within 3
    unless negation before v within 3
    unless negation before b within 2
    unless remote in sentence
    unless "'s" after b within 1
    fill city from nearest city in sentence, dateline, paragraph, document
        only after locative within 4
    fill date from nearest date in sentence, paragraph
        except after reporting within 3
"""


def meeting_words(meeting_rules: str) -> set[str]:
    """Every quoted word of the MEETING rule file (generated triggers must not be among them)."""
    return {w for phrase in re.findall(r'"([^"]+)"', meeting_rules) for w in phrase.lower().split()}


def rule_count_pack(
    base: Path,
    dest: Path,
    rules: int,
    verbs: Sequence[tuple[str, tuple[str, ...], int]],
    kept: int = 10,
) -> Path:
    """A pack with exactly `rules` rules: the first `kept` MEETING rules of the benchmark
    pack `base` (no actor cascades) and `rules - kept` generated ones."""
    if rules < kept:
        raise ValueError(f"a rule-count pack has at least {kept} rules")
    dest.mkdir(parents=True)
    shutil.copytree(base / "gazetteers", dest / "gazetteers")
    for path in sorted(base.glob("*.rules")):
        if path.name not in ("actors.rules", "meeting.rules"):
            shutil.copy2(path, dest / path.name)
    out: list[str] = []
    taken = 0
    for block in split_blocks((base / "meeting.rules").read_text(encoding="utf-8")):
        if block.keyword == "include" and "actors.rules" in block.text:
            continue
        if block.keyword == "rule":
            if taken >= kept:
                continue
            taken += 1
        out.append(block.text)
    generated = rules - kept
    if generated > len(verbs):
        raise ValueError(f"{generated} generated rules need as many verbs; {len(verbs)} given")
    for number, (verb, forms, count) in enumerate(verbs[:generated], 1):
        alternatives = " | ".join(f'"{form}"' for form in forms)
        out.append(
            GENERATED.format(verb=verb, count=count, number=number, alternatives=alternatives)
        )
    (dest / "meeting.rules").write_text("".join(out), encoding="utf-8")
    found = count_rules(dest)
    if found != rules:
        raise AssertionError(f"{dest}: {found} rules written, {rules} wanted")
    return dest
