"""The two baselines `extract` is compared with, each run as its own process:

    python benchmarks/baselines.py floor PHRASES.json INPUT.jsonl
    python benchmarks/baselines.py spacy PHRASES.json INPUT.jsonl

PHRASES.json maps a label (ACTOR, CITY, NATIONALITY) to its list of phrases: the same
gazetteers as the benchmark rule pack. INPUT.jsonl holds {"id", "published", "text"} lines,
the very file `extract` reads. The result is one JSON object on standard output.

* floor: pyahocorasick. Every phrase, lower-cased, in one automaton; each text is
  lower-cased (line breaks and tabs become spaces, as hard-wrapped lines are joined) and
  scanned once; a hit counts when it stands on word boundaries (no letter or digit just
  before or after). Nothing else: no tokens, no sentences, no overlap resolution.
* spacy: what a user would otherwise pick. `spacy.blank("en")` (tokeniser only, no model),
  a PhraseMatcher (attr LOWER) with the same phrases, its spans (longest first, no
  overlaps) set as the document's entities, then a Matcher with MEETING patterns that
  approximate `rules/meeting.rules` on those entities, and a few of its vetoes (negation,
  plans, remote contact) checked in Python on each match.

Only the processing of texts is timed (`scan_s`); building the automaton or the matchers
is `setup_s`; reading and decoding the JSON lines is not timed (it is in extract's time).
"""

from __future__ import annotations

import importlib.metadata
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

WHITESPACE = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


def documents(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)["text"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ floor


def run_floor(phrases: dict[str, list[str]], path: Path) -> dict[str, Any]:
    import ahocorasick

    started = time.perf_counter()
    automaton = ahocorasick.Automaton()
    keys = {" ".join(p.lower().split()) for ps in phrases.values() for p in ps}
    for key in keys:
        automaton.add_word(key, len(key))
    automaton.make_automaton()
    setup = time.perf_counter() - started

    docs = size = hits = 0
    scan = 0.0
    for text in documents(path):
        docs += 1
        size += len(text.encode("utf-8"))
        started = time.perf_counter()
        low = text.lower().translate(WHITESPACE)
        last = len(low) - 1
        for end, length in automaton.iter(low):
            start = end - length + 1
            if (start == 0 or not low[start - 1].isalnum()) and (
                end == last or not low[end + 1].isalnum()
            ):
                hits += 1
        scan += time.perf_counter() - started
    return {
        "system": "floor",
        "phrases": len(keys),
        "setup_s": setup,
        "scan_s": scan,
        "docs": docs,
        "bytes": size,
        "hits": hits,
        "matches": None,
        "self_peak_rss_mb": peak_rss_mb(),
    }


# ------------------------------------------------------------------ spaCy

NO_STOP = {"ORTH": {"NOT_IN": [".", "!", "?", ";"]}}  # a gap token stays in its sentence


def gap(low: int, high: int) -> dict[str, Any]:
    return {**NO_STOP, "OP": f"{{{low},{high}}}"}


def words(*items: str) -> dict[str, Any]:
    return {"LOWER": {"IN": list(items)}}


ACTOR = {"ENT_TYPE": "ACTOR", "OP": "+"}
MEETS_ONE = words(
    "met",
    "meets",
    "meeting",
    "talked",
    "spoke",
    "conferred",
    "hosted",
    "hosting",
    "received",
    "receiving",
    "welcomed",
    "huddled",
    "dined",
)
# the multi-word verbs of the `meets` entity, folded into few patterns (one per shape):
# a user of spaCy's Matcher writes alternatives per token, not per phrase
MEETS_MANY = [
    [
        words("held", "holds", "had", "hold"),
        words("talks", "meetings", "consultations", "discussions"),
    ],
    [words("held", "had"), {"LOWER": "a"}, {"LOWER": "meeting"}],
    [words("has", "have"), {"LOWER": "held"}, {"LOWER": "talks"}],
    [words("sat", "sitting"), {"LOWER": "down"}],
    [words("shook", "shaking"), {"LOWER": "hands"}],
    [words("was", "were"), {"LOWER": "meeting"}],
]
MEET_TOGETHER = words("met", "meet", "talked", "conferred")
TALKS_NOUN = words(
    "talks", "meeting", "meetings", "discussions", "consultations", "negotiations", "audience"
)
MEETING_NOUN = words(
    "meeting",
    "meetings",
    "talks",
    "discussions",
    "consultations",
    "summit",
    "session",
    "negotiations",
    "audience",
    "encounter",
)
HOLD = words("held", "had", "holding", "hold", "holds", "conducted", "began", "opened", "concluded")
DET = {"LOWER": {"IN": ["the", "a", "an", "his", "her", "their", "its"]}, "OP": "?"}
WITH_OPT = {"LOWER": "with", "OP": "?"}

VETO_BEFORE = {
    "not",
    "never",
    "no",
    "will",
    "would",
    "expected",
    "plans",
    "planned",
    "scheduled",
    "due",
    "could",
    "may",
    "might",
    "should",
    "to",
    "declined",
    "refused",
    "denied",
}
MAX_TOKENS = 40  # the longest a MEETING pattern can be, about
VETO_INSIDE = {"phone", "telephone", "video", "videoconference", "letter", "message"}


def meeting_patterns() -> dict[str, list[list[dict[str, Any]]]]:
    """Token patterns for the MEETING rules of rules/meeting.rules (approximately)."""
    verbs = [[MEETS_ONE], *MEETS_MANY]
    return {
        # "A met (with) B", "A held talks with B", "A hosted B"
        "met_with": [[ACTOR, gap(0, 8), *v, WITH_OPT, gap(0, 3), ACTOR] for v in verbs]
        + [[ACTOR, gap(0, 8), HOLD, gap(0, 5), TALKS_NOUN, {"LOWER": "with"}, ACTOR]],
        # "A and B met", "A and B held talks"
        "a_and_b_met": [
            [ACTOR, {"LOWER": "and"}, ACTOR, gap(0, 2), MEET_TOGETHER],
            [ACTOR, {"LOWER": "and"}, ACTOR, gap(0, 2), HOLD, gap(0, 5), MEETING_NOUN],
        ],
        # "A ... talks ... with B"
        "talks_with": [[ACTOR, gap(0, 6), TALKS_NOUN, gap(0, 5), {"LOWER": "with"}, ACTOR]],
        # "talks between A and B"
        "meeting_between": [
            [MEETING_NOUN, {"LOWER": "between"}, DET, ACTOR, {"LOWER": "and"}, DET, ACTOR]
        ],
        # "During the meeting with B, A said"
        "during_meeting_with": [
            [
                words("during", "at", "in"),
                DET,
                gap(0, 2),
                MEETING_NOUN,
                {"LOWER": "with"},
                ACTOR,
                gap(0, 8),
                {"ORTH": ","},
                ACTOR,
            ]
        ],
        # "Russia's meeting with Hamas"
        "possessive_meeting": [
            [ACTOR, {"LOWER": "'s"}, gap(0, 1), TALKS_NOUN, {"LOWER": "with"}, ACTOR]
        ],
        # "B was received by A"
        "received_by": [
            [
                ACTOR,
                words("was", "were"),
                words("received", "hosted", "met", "welcomed"),
                {"LOWER": "by"},
                ACTOR,
            ]
        ],
        # "A ..., hours after meeting B" (a bounded gap {1,25} makes spaCy's matcher take
        # seconds per document: an unbounded one, and the length checked after)
        "before_or_after_meeting": [
            [
                ACTOR,
                {**NO_STOP, "OP": "+"},
                words("after", "before", "while", "when"),
                {"LOWER": "meeting"},
                WITH_OPT,
                ACTOR,
            ]
        ],
    }


def run_spacy(phrases: dict[str, list[str]], path: Path) -> dict[str, Any]:
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.util import filter_spans

    started = time.perf_counter()
    nlp = spacy.blank("en")
    phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    count = 0
    for label, items in phrases.items():
        # one pattern per phrase (as written: tokeniser exceptions such as "U.S." depend on
        # case) and per label; the matcher compares lower-cased tokens
        unique = {" ".join(p.lower().split()): " ".join(p.split()) for p in items}
        count += len(unique)
        patterns = list(nlp.tokenizer.pipe(sorted(unique.values())))  # type: ignore[union-attr]
        phrase_matcher.add(label, patterns)
    matcher = Matcher(nlp.vocab)
    for name, patterns in meeting_patterns().items():
        matcher.add(name, patterns, greedy="LONGEST")
    setup = time.perf_counter() - started

    docs = size = hits = matches = 0
    scan = 0.0
    for text in documents(path):
        docs += 1
        size += len(text.encode("utf-8"))
        started = time.perf_counter()
        doc = nlp(text.translate(WHITESPACE))
        spans = phrase_matcher(doc, as_spans=True)
        hits += len({(span.start, span.end) for span in spans})  # a phrase of two labels: 1
        doc.ents = filter_spans(spans)
        found = set()
        for _, start, end in matcher(doc):
            before = {t.lower_ for t in doc[max(0, start - 3) : start]}
            inside = {t.lower_ for t in doc[start:end]}
            if end - start > MAX_TOKENS or before & VETO_BEFORE or inside & VETO_INSIDE:
                continue
            found.add((start, end))
        matches += len(found)
        scan += time.perf_counter() - started
    return {
        "system": "spacy",
        "phrases": count,
        "setup_s": setup,
        "scan_s": scan,
        "docs": docs,
        "bytes": size,
        "hits": hits,
        "matches": matches,
        "spacy": importlib.metadata.version("spacy"),
        "self_peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("floor", "spacy"):
        print("usage: baselines.py floor|spacy PHRASES.json INPUT.jsonl", file=sys.stderr)
        return 2
    phrases = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    run = run_floor if argv[0] == "floor" else run_spacy
    print(json.dumps(run(phrases, Path(argv[2]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
