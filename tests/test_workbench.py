"""The batch views of the workbench: `--stats` (coverage), `--report` (an HTML page),
the progress bar (on a terminal only), and a reader that goes away (`| head`).

A small rule set and three hand-written articles: every count below was worked out by
reading them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from engine import cli, output
from engine.cli import main

RULES_TEXT = """
relation MEETING(actor, actor)
entity actor: words "Alice Arden", "Bob Brandt", "Carol Chu"
entity meets: words "met", "talks"
rule met -> MEETING: within sentence: a:actor "met" b:actor
rule talks_with -> MEETING: within sentence: a:actor "held" "talks" "with" b:actor
rule never -> MEETING: within sentence: a:actor "dined" "with" b:actor
"""

ARTICLES = {
    # two records by `met`, one by `talks_with`. The cue words are each rule's anchor, the
    # rarest word its matches must hold: "met", "held" (before "talks" and "with") and
    # "dined"; so "The talks were long." holds none
    "a.txt": "Alice Arden met Bob Brandt.\n\nCarol Chu met Bob Brandt.\n\n"
    "Alice Arden held talks with Carol Chu.\n\nThe talks were long.\n",
    # no record, and a cue ("met") in a sentence that yields none
    "b.txt": "Bob Brandt said he met nobody.\n",
    # no record, no cue
    "c.txt": "The weather was fine.\n",
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def batch(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.rules").write_text(RULES_TEXT, encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    return rules, articles


def run(*argv: str, err: io.StringIO | None = None) -> tuple[int, str, str]:
    out, error = io.StringIO(), err if err is not None else io.StringIO()
    code = main(["--no-cache", *argv], stdout=out, stderr=error, stdin=io.StringIO(""))
    return code, out.getvalue(), error.getvalue()


def test_stats_count_rules_documents_and_quiet_sentences(batch: tuple[Path, Path]) -> None:
    rules, articles = batch
    code, out, err = run("--rules", str(rules), "--stats", str(articles))
    assert code == 0
    assert out.count("\n") == 3
    lines = err.splitlines()
    table = lines[lines.index("rule                             records  documents") + 1 :][:3]
    assert [line.split() for line in table] == [
        ["met", "2", "1"],
        ["talks_with", "1", "1"],
        ["never", "0", "0"],
    ]
    assert "rules that never fired: never" in lines
    assert "documents with no record: 2" in lines
    assert "  b.txt" in lines and "  c.txt" in lines
    assert "cue words of MEETING: dined, held, met" in lines
    assert "sentences with a cue word but no record: 1 (MEETING 1)" in lines
    assert '  b.txt [MEETING] "Bob Brandt said he met nobody."' in lines
    assert "The talks were long." not in err


def stats_of(err: str) -> list[str]:
    """The lines of --stats, from its first to the line before the run's summary."""
    lines = err.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("coverage of "))
    return [line for line in lines[start:] if not line.startswith("extract: ")]


def stopped_before(
    name: str, first: list[str], target: Path, monkeypatch: pytest.MonkeyPatch
) -> int:
    """Run `first` with -o target and Ctrl-C when the document `name` comes (a checkpoint
    written after each document); the exit status."""
    process = cli.process

    def until(work: object, item: object) -> object:
        if getattr(item, "id", None) == name:
            raise KeyboardInterrupt
        return process(work, item)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr(cli, "process", until)
        patched.setattr(output, "CHECKPOINT_SECONDS", 0.0)
        return run(*first, "-o", str(target))[0]


def forget_coverage(progress: Path) -> None:
    """Make a checkpoint one without coverage, as written by hand or an older version."""
    checkpoint = json.loads(progress.read_text(encoding="utf-8"))
    del checkpoint["tally"]["coverage"]
    progress.write_text(json.dumps(checkpoint), encoding="utf-8")


def resumed_stats(first: list[str], target: Path) -> list[str]:
    """The --stats of `first` with -o target --stats --resume, which must succeed."""
    code, _, err = run(*first, "--stats", "-o", str(target), "--resume")
    assert code == 0 and "resumed after 2 documents" in err
    return stats_of(err)


def test_stats_of_a_resumed_batch_count_the_documents_done_before(
    batch: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, articles = batch
    first = ["--rules", str(rules), str(articles)]
    _, _, whole = run(*first, "--stats")
    target = tmp_path / "out.jsonl"
    assert stopped_before("c.txt", [*first, "--stats"], target, monkeypatch) == 130
    stats = resumed_stats(first, target)
    assert stats == stats_of(whole)
    assert "coverage of 3 processed documents (of 3 read)" in stats


def test_stats_of_a_batch_resumed_with_stats_say_where_quiet_sentences_were_not_looked_for(
    batch: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sentences with a cue word but no record are looked for only with --stats."""
    rules, articles = batch
    first = ["--rules", str(rules), str(articles)]
    target = tmp_path / "out.jsonl"
    stopped_before("c.txt", first, target, monkeypatch)  # without --stats
    stats = resumed_stats(first, target)
    assert stats[0] == "coverage of 3 processed documents (of 3 read)"
    assert "documents with no record: 2" in stats and "  b.txt" in stats
    assert (
        "sentences with a cue word but no record: 0, not looked for in the 2 documents done "
        "before --resume without --stats"
    ) in stats


@pytest.mark.parametrize("stops", [["c.txt"], ["b.txt", "c.txt"]])
def test_stats_say_what_a_resumed_batch_did_not_count(
    stops: list[str], batch: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint without coverage (written by hand, or by an older version), resumed
    at once or stopped again first: its documents stay uncounted, and said so."""
    rules, articles = batch
    first = ["--rules", str(rules), str(articles)]
    target = tmp_path / "out.jsonl"
    stopped_before(stops[0], first, target, monkeypatch)
    forget_coverage(tmp_path / "out.jsonl.progress")
    for name in stops[1:]:
        assert stopped_before(name, [*first, "--stats", "--resume"], target, monkeypatch) == 130
    stats = resumed_stats(first, target)
    names = sorted(ARTICLES)
    lost = names.index(stops[0])  # the documents done when the coverage was lost
    assert stats[:2] == [
        f"coverage of {3 - lost} processed documents (of {3 - lost} read)",
        f"not counted: the {lost} documents done before --resume (their checkpoint kept no "
        "coverage)",
    ]
    silent = [name for name in ("b.txt", "c.txt") if names.index(name) >= lost]
    assert f"documents with no record: {len(silent)}" in stats
    assert all(f"  {name}" in stats for name in silent)


def test_no_stats_unless_asked(batch: tuple[Path, Path]) -> None:
    rules, articles = batch
    _, _, err = run("--rules", str(rules), str(articles))
    assert "rules that never fired" not in err


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.records = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        self.records += "record" in classes

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_report_writes_one_page_with_every_article_and_record(
    batch: tuple[Path, Path], tmp_path: Path
) -> None:
    rules, articles = batch
    report = tmp_path / "report.html"
    code, out, err = run("--rules", str(rules), "--report", str(report), str(articles))
    assert code == 0
    assert f"extract: wrote {report} (3 documents)" in err
    page = Page()
    page.feed(report.read_text(encoding="utf-8"))
    text = "".join(page.text)
    for name, article in ARTICLES.items():
        assert name in text
        assert article.strip().replace("\n\n", "") in text.replace("\n\n", "")
    assert page.records >= 3


def test_report_shows_the_first_articles_and_the_records_are_those_of_a_plain_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's articles are prepared whole (their text and mentions shown); the others
    only as far as records can come from them: the records, in order, are the same bytes
    as without --report, with worker processes too."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.rules").write_text(RULES_TEXT, encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    texts = list(ARTICLES.values())
    for number in range(70):  # more than a small batch: the others go to a pool
        (articles / f"{number:03d}.txt").write_text(texts[number % 3], encoding="utf-8")
    monkeypatch.setattr("engine.cli.REPORT_ARTICLES", 5)
    report = tmp_path / "report.html"
    _, plain, _ = run("--rules", str(rules), "--jobs", "1", str(articles))
    code, reported, err = run(
        "--rules", str(rules), "--jobs", "2", "--report", str(report), str(articles)
    )
    assert code == 0, err
    assert reported == plain and plain.count("\n") == 3 * 24  # 000, 003 ... 069: three each
    assert "the first 5 of 70" in err
    page = report.read_text(encoding="utf-8")
    assert "004.txt" in page and "005.txt" not in page
    assert page.count("Alice Arden held talks with Carol Chu") == 2  # 000 and 003
    shown = Page()  # the first 5 are 000-004: each of the three texts, whole
    shown.feed(page)
    text = "".join(shown.text).replace("\n\n", "")
    assert all(article.strip().replace("\n\n", "") in text for article in texts)


def test_report_with_expectations_shows_the_regressions(
    batch: tuple[Path, Path], tmp_path: Path
) -> None:
    rules, articles = batch
    expected = tmp_path / "expected"
    expected.mkdir()
    (expected / "a.yaml").write_text(
        "doc: a.txt\nexpect:\n"
        "  - relation: MEETING\n    args: {actor1: Alice Arden, actor2: Bob Brandt}\n"
        "  - relation: MEETING\n    args: {actor1: Alice Arden, actor2: Eve Evans}\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.html"
    code, _, err = run(
        "--rules", str(rules), "--report", str(report), "--expected", str(expected),
        str(articles),
    )  # fmt: skip
    assert code == 1, err  # Eve Evans is missing; two records are unexpected
    page = report.read_text(encoding="utf-8")
    assert "Eve Evans" in page
    # the regression list of article a: one missing record, two unexpected ones (the
    # words alone would not do: the page's style sheet names both kinds)
    assert page.count('<li class="reg reg-missing">') == 1
    assert page.count('<li class="reg reg-unexpected record"') == 2


def test_progress_bar_on_a_terminal_only(
    batch: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, articles = batch
    monkeypatch.delenv("CI", raising=False)
    _, _, shown = run("--rules", str(rules), str(articles), err=Terminal())
    assert "3/3" in shown and "doc" in shown
    _, _, piped = run("--rules", str(rules), str(articles))
    assert "3/3" not in piped and "\r" not in piped
    monkeypatch.setenv("CI", "true")
    _, _, under_ci = run("--rules", str(rules), str(articles), err=Terminal())
    assert "\r" not in under_ci
    monkeypatch.delenv("CI")
    _, _, refused = run("--rules", str(rules), "--no-progress", str(articles), err=Terminal())
    assert "\r" not in refused


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    """`extract ... | head -1`: no traceback, and the exit status of a closed pipe."""
    environment = {**os.environ, "NEWSRULES_CACHE": "off", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "--rules", "rules/", "seeds/", "seeds/", "seeds/"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert first.startswith(b'{"relation": "MEETING"')
    assert "Traceback" not in error
