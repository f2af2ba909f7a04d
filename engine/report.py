"""Human-readable reports: the regression report of `--expected`. Returns text; the
command line prints it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .compare import ArticleResult, Expectation, Score
from .coverage import Coverage

WIDTH = 100


def record_line(record: dict[str, Any]) -> str:
    """MEETING(actor1=..., actor2=..., city=..., date=...) by met_with"""
    return f"{record_words(record)} by {record['rule']}"


def record_words(record: dict[str, Any]) -> str:
    """MEETING(actor1=..., actor2=..., city=..., date=...)"""
    args = ", ".join(f"{k}={'null' if v is None else v}" for k, v in record["args"].items())
    return f"{record['relation']}({args})"


def evidence_line(record: dict[str, Any]) -> str:
    return quoted(record.get("evidence", ""))


def quoted(text: str) -> str:
    """Text in quotes, cut to the report's width."""
    if len(text) > WIDTH:
        text = text[: WIDTH - 3] + "..."
    return f'"{text}"'


def expectation_line(expectation: Expectation) -> str:
    why = f"  ({expectation.why})" if expectation.why else ""
    return f"{expectation.describe()}  [{expectation.file}:{expectation.line}]{why}"


def article_report(result: ArticleResult) -> str:
    """What changed in one article, each entry with what an analyst needs to act on it."""
    lines = [f"{result.doc}: {'REGRESSION' if result.regressed else 'ok'}"]
    for expectation in result.missing:
        lines.append(f"  missing     {expectation_line(expectation)}")
    for record in result.unexpected:
        lines.append(f"  unexpected  {record_line(record)}")
        lines.append(f"              {evidence_line(record)}")
    for expectation, record in result.forbidden:
        lines.append(f"  must not    {record_line(record)}")
        lines.append(f"              {evidence_line(record)}")
        lines.append(f"              forbidden by {expectation_line(expectation)}")
    for record, problems in result.invalid:
        lines.append(f"  invalid     {record_line(record)}")
        for path, message in problems:
            lines.append(f"              {path}: {message}")
    return "\n".join(lines)


def score_table(scores: dict[str, Score]) -> str:
    lines = [
        "relation        precision  recall   F1     records matched/unexpected, "
        "expectations met/missed"
    ]
    for relation, score in scores.items():
        lines.append(
            f"{relation:<15} {score.precision:>9.2f} {score.recall:>7.2f} {score.f1:>6.2f}     "
            f"{score.matched}/{score.unexpected}, {score.met}/{score.missed}"
        )
    return "\n".join(lines)


def regression_report(
    results: Iterable[ArticleResult], scores: dict[str, Score], uncovered: Iterable[str] = ()
) -> str:
    results = list(results)
    parts = [article_report(result) for result in results]
    for doc in uncovered:
        parts.append(f"{doc}: no expectations file (not compared)")
    regressed = sum(1 for r in results if r.regressed)
    parts.append(score_table(scores))
    parts.append(f"{regressed} of {len(results)} articles regressed")
    return "\n".join(parts)


def coverage_report(coverage: Coverage) -> str:
    """`--stats`: per rule how often it fired and on how many documents, rules that never
    fired, documents with no record, sentences with a cue word and no record."""
    lines = [f"coverage of {coverage.processed} processed documents (of {coverage.documents} read)"]
    if coverage.uncounted:
        lines.append(
            f"not counted: the {coverage.uncounted} documents done before --resume (their "
            "checkpoint kept no coverage)"
        )
    lines.append("rule                             records  documents")
    for rule in coverage.rules:
        lines.append(f"{rule:<32} {coverage.records[rule]:>7}  {coverage.documents_with[rule]:>9}")
    never = coverage.never_fired
    lines.append(f"rules that never fired: {', '.join(never)}" if never else "every rule fired")
    lines.append(f"documents with no record: {coverage.silent}")
    lines.extend(f"  {doc}" for doc in coverage.silent_examples)
    if coverage.silent > len(coverage.silent_examples):
        lines.append(f"  ... and {coverage.silent - len(coverage.silent_examples)} more")
    for relation, words in coverage.cues.items():
        lines.append(f"cue words of {relation}: {', '.join(sorted(words))}")
    quiet = sum(coverage.quiet.values())
    per_relation = ", ".join(f"{r} {n}" for r, n in sorted(coverage.quiet.items()))
    lines.append(
        f"sentences with a cue word but no record: {quiet}"
        + (f" ({per_relation})" if per_relation else "")
        + (
            f", not looked for in the {coverage.quiet_unseen} documents done before --resume "
            "without --stats"
            if coverage.quiet_unseen
            else ""
        )
    )
    for doc, relation, sentence in coverage.quiet_examples:
        lines.append(f"  {doc} [{relation}] {quoted(sentence)}")
    if quiet > len(coverage.quiet_examples):
        lines.append(f"  ... and {quiet - len(coverage.quiet_examples)} more")
    return "\n".join(lines)
