"""Broken rule files never crash the toolkit: a property-based test.

Start from the shipped rule set (rules/*.rules and rules/gazetteers/, copied into a fresh
folder per example), break it with random edits an analyst's keyboard or a bad copy could
make, and require that the result either loads or is refused with `RuleSetError` whose
diagnostics all locate the problem (code, file, line >= 1, column >= 1, the line shown
with a caret). Never another exception, never a hang, and the `extract` command on the
same set exits 0, 1 or 2 without a traceback.

Mutations work on bytes, so that one kind can insert bytes that are not UTF-8. A
mutation's numbers are taken modulo the size of what it edits, so examples stay valid
whatever the shipped files hold. Run with `--hypothesis-show-statistics` to see how many
mutations of each kind were tried (each is recorded with `hypothesis.event`).

The deterministic tests at the end pin the problems this search found.
"""

from __future__ import annotations

import io
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import RULES, SEEDS
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

import engine
import engine.cli

RULE_FILES = ("meeting.rules", "actors.rules", "entities.rules", "prepare.rules")
SEED = min(SEEDS.glob("*.txt"), key=lambda p: p.stat().st_size)  # one seed article, the shortest

KINDS = (
    "delete",  # delete a range of bytes
    "insert",  # insert one character, mostly grammar characters
    "duplicate",  # duplicate a line
    "swap",  # swap two lines
    "truncate",  # cut the file short
    "misspell",  # misspell a keyword
    "long",  # insert a very long token (anywhere, in a quoted phrase, path, regex or number)
    "not_utf8",  # insert bytes that are not UTF-8
)

# Rich in the grammar's own characters, plus letters, digits, blanks and line breaks.
CHARACTERS = '()[]{}"/:|?*+.,$^#=\n' + "\n\n  \t" + "abkqxzAQZ_-019" + "\\'>;"
KEYWORDS = (
    "include relation unordered entity gazetteer with variants words regex normalise prepare "
    "drop lines dateline published rule within sentence paragraph tokens unless before after "
    "between and in match fill from nearest except only when priority exact document title "
    "another to Cap Upper Word Number Punct Token actor city date"
).split()
KEYWORD = re.compile(rb"\b(?:" + b"|".join(k.encode() for k in KEYWORDS) + rb")\b")
QUOTE_OR_SLASH = re.compile(rb'["/]')
DIGIT = re.compile(rb"\d")
LONG_TOKENS = (
    b"x" * 100_000,  # a name
    b"9" * 5_000,  # a number (a count, a priority, a token scope)
    b"(" * 5_000,  # unbalanced groups
    b")" * 5_000,
    b"[" * 3_000,
    b"a:" * 3_000,  # captures of captures
    b'"' + b"word " * 5_000 + b'"',  # a phrase of 5,000 words
    b"/" + b"a" * 100_000 + b"/",  # a regex
    b"/" + b"(?:a+)+" * 200 + b"/",  # a regex that backtracks
    b"actor " * 10_000,  # 10,000 pattern elements
    b"{0," + b"9" * 300 + b"}",  # a huge count
    b"\xc3\xa9" * 50_000,  # a long non-ASCII word (é)
)
NOT_UTF8 = (b"\xff", b"\x80", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xfe\xff")
DIAGNOSTIC_CODE = re.compile(r"[EW]\d{3}")
CARET_LINE = re.compile(r"^ *\^$", re.MULTILINE)

EXAMPLES_PER_KIND = 8  # 8 kinds x 8 examples of up to three mutations: ~45 s
DEADLINE = timedelta(seconds=10)  # one example: load the set twice, extract one article
HARD_LIMIT_SECONDS = 60  # a true hang is interrupted here (the deadline only measures)

# mutation kind -> how many mutations of that kind were applied (all examples of a run)
TRIED: dict[str, int] = dict.fromkeys(KINDS, 0)


@dataclass(frozen=True)
class Mutation:
    kind: str
    file: str
    a: int  # a position, line or occurrence (modulo what there is)
    b: int  # a second position, a length or a variant
    c: int  # a third choice


def apply(mutation: Mutation, data: bytes) -> bytes:
    """The file's bytes after one mutation."""
    a, b, c, size = mutation.a, mutation.b, mutation.c, len(data)
    at = a % (size + 1)
    if mutation.kind == "delete":
        length = (1, 2, 5, 17, 80, 400)[b % 6]
        return data[:at] + data[at + length :]
    if mutation.kind == "insert":
        return data[:at] + CHARACTERS[c % len(CHARACTERS)].encode() + data[at:]
    if mutation.kind in ("duplicate", "swap"):
        lines = data.split(b"\n")
        i = a % len(lines)
        if mutation.kind == "duplicate":
            lines.insert(i, lines[i])
        else:
            j = b % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    if mutation.kind == "truncate":
        return data[:at]
    if mutation.kind == "misspell":
        found = list(KEYWORD.finditer(data))
        if not found:
            return data
        hit = found[a % len(found)]
        word = hit.group()
        k = c % len(word)
        variants = (
            word[:k] + word[k + 1 :],  # a letter dropped
            word[:k] + word[k : k + 1] * 2 + word[k + 1 :],  # a letter doubled
            word[:k] + b"q" + word[k + 1 :],  # a letter replaced
            word[:k] + word[k + 1 : k + 2] + word[k : k + 1] + word[k + 2 :],  # two swapped
            word.upper(),
            word[:1].upper() + word[1:],
        )
        return data[: hit.start()] + variants[b % len(variants)] + data[hit.end() :]
    if mutation.kind == "long":
        token = LONG_TOKENS[b % len(LONG_TOKENS)]
        places = {1: QUOTE_OR_SLASH, 2: DIGIT}.get(c % 3)
        found = list(places.finditer(data)) if places is not None else []
        if found:  # inside a quoted phrase, a path or a regex; or inside a number
            at = found[a % len(found)].end()
        return data[:at] + token + data[at:]
    if mutation.kind == "not_utf8":
        return data[:at] + NOT_UTF8[b % len(NOT_UTF8)] + data[at:]
    raise AssertionError(f"unknown mutation kind {mutation.kind}")


def mutations(first_kind: str) -> st.SearchStrategy[list[Mutation]]:
    """One mutation of the given kind, then up to two of any kind, on any rule files."""
    numbers = st.integers(min_value=0, max_value=2**24)

    def of(kind: st.SearchStrategy[str]) -> st.SearchStrategy[Mutation]:
        return st.builds(Mutation, kind, st.sampled_from(RULE_FILES), numbers, numbers, numbers)

    return st.tuples(of(st.just(first_kind)), st.lists(of(st.sampled_from(KINDS)), max_size=2)).map(
        lambda pair: [pair[0], *pair[1]]
    )


class Hang(Exception):
    """An example ran past HARD_LIMIT_SECONDS."""


@contextmanager
def hard_limit(seconds: int) -> Iterator[None]:
    """Interrupt the block after `seconds` (the hypothesis deadline cannot stop a hang)."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover (not on Windows)
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def copy_of_shipped_rules(into: Path) -> Path:
    folder = into / "rules"
    folder.mkdir()
    for name in RULE_FILES:
        shutil.copyfile(RULES / name, folder / name)
    shutil.copytree(RULES / "gazetteers", folder / "gazetteers")
    return folder


def file_line(folder: Path, shown: str, line: int) -> str | None:
    """Line `line` (1-based, lines end at \\n) of a file of the set, as a diagnostic shows it;
    None when `shown` is not one of the set's rule files."""
    for name in RULE_FILES:
        if shown == name or shown.endswith("/" + name):
            lines = (folder / name).read_bytes().split(b"\n")
            if line > len(lines):
                return None
            return lines[line - 1].decode("utf-8", "replace").removesuffix("\r")
    return None


def assert_located(error: engine.RuleSetError, folder: Path) -> None:
    """Every diagnostic says where the problem stands and shows it with a caret."""
    assert error.diagnostics, "a RuleSetError without diagnostics"
    for d in error.diagnostics:
        where = f"{d.code} at {d.file}:{d.line}:{d.column}: {d.message}"
        assert DIAGNOSTIC_CODE.fullmatch(d.code), where
        assert d.file, where
        assert d.line >= 1 and d.column >= 1, where
        assert d.message.strip(), where
        shown = d.format()
        assert shown.startswith(f"{d.file}:{d.line}:{d.column}: "), shown[:300]
        assert CARET_LINE.search(shown), f"no caret under the line: {where}\n{shown[:600]}"
        assert d.column <= len(d.source_line) + 1, f"the caret is past the line: {where}"
        expected = file_line(folder, d.file, d.line)
        if expected is not None:
            assert d.source_line == expected, (
                f"{where}: shows {d.source_line[:120]!r}, "
                f"but line {d.line} of the file is {expected[:120]!r}"
            )


def check_rule_set(folder: Path) -> None:
    """Load the set, then run `extract` on it with one seed article."""
    refused: engine.RuleSetError | None = None
    try:
        engine.load_rules([folder])
    except engine.RuleSetError as error:
        refused = error
        assert_located(error, folder)
    out, err = io.StringIO(), io.StringIO()
    code = engine.cli.main(
        ["--rules", str(folder), str(SEED)], stdout=out, stderr=err, stdin=io.StringIO("")
    )
    assert code in (0, 1, 2), err.getvalue()[-2000:]
    assert "Traceback" not in err.getvalue(), err.getvalue()[-2000:]
    if refused is not None:
        assert code == 2, "the set was refused by load_rules but extract did not exit 2"
        assert out.getvalue() == "", "records were written from a refused rule set"
        for d in refused.diagnostics:
            assert f"{d.file}:{d.line}:{d.column}: error {d.code}" in err.getvalue()


@pytest.fixture(scope="module", autouse=True)
def mutation_summary(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the module, say how many mutations of each kind were tried."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not any(TRIED.values()):
        return
    counts = ", ".join(f"{kind} {count}" for kind, count in TRIED.items())
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"\nmutations tried: {counts}; total {sum(TRIED.values())}")


@pytest.mark.parametrize("first_kind", KINDS)
@settings(
    max_examples=EXAMPLES_PER_KIND,
    deadline=DEADLINE,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: an example costs ~0.6 s, and a
    # failing one already reads as a short list of Mutation(kind, file, numbers)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_mutated_rule_set_loads_or_is_refused_with_located_diagnostics(
    first_kind: str, data: st.DataObject
) -> None:
    edits = data.draw(mutations(first_kind), label="mutations")
    with tempfile.TemporaryDirectory() as tmp, hard_limit(HARD_LIMIT_SECONDS):
        folder = copy_of_shipped_rules(Path(tmp))
        for edit in edits:
            path = folder / edit.file
            path.write_bytes(apply(edit, path.read_bytes()))
            event(f"mutation: {edit.kind}")
            TRIED[edit.kind] += 1
        check_rule_set(folder)


def test_the_mutations_start_from_a_valid_rule_set() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_of_shipped_rules(Path(tmp))
        assert engine.load_rules([folder]).relations


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_mutation_changes_a_file(kind: str) -> None:
    data = (RULES / "meeting.rules").read_bytes()
    assert apply(Mutation(kind, "meeting.rules", 1234, 5, 1), data) != data


# ------------------------------------------------------------------ what the search found
# Minimal reproductions, so each problem fails a named test whatever the random search
# happens to draw.

HEAD = (
    "relation MEET(actor, actor)\n"
    'entity actor: words "Alice", "Bob"\n'
    'rule met -> MEET: within sentence: a:actor "met" b:actor\n'
)


def refused(folder: Path) -> engine.RuleSetError:
    with pytest.raises(engine.RuleSetError) as caught:
        engine.load_rules([folder])
    assert_located(caught.value, folder)
    return caught.value


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ('include "' + "x" * 300 + '.rules"\n', "E010"),
        ('entity place: gazetteer "' + "x" * 300 + '.yaml"\n', "E028"),
        ('entity place: gazetteer "' + ("x" * 200 + "/") * 30 + 'a.yaml"\n', "E028"),
    ],
    ids=["include", "gazetteer", "gazetteer-deep-path"],
)
def test_a_path_too_long_for_the_file_system_is_a_missing_file(
    tmp_path: Path, line: str, code: str
) -> None:
    """A file name longer than the system allows (255 bytes) cannot exist: it is E010/E028,
    like any missing file, not an OSError out of `Path.is_file()`."""
    (tmp_path / "main.rules").write_text(HEAD + line, encoding="utf-8")
    assert [d.code for d in refused(tmp_path).diagnostics] == [code]
    err = io.StringIO()
    assert engine.cli.main(["--rules", str(tmp_path), str(SEED)], io.StringIO(), err) == 2
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize(
    "breaker",
    ["\x0c", "# page\x0c", "# a\u2028b", "# a\u2029b", "# a\x85b", "# a\x0bb", "# a\x1cb"]
    + ["# a\rb"],
    ids=["form-feed", "form-feed-in-comment", "U+2028", "U+2029", "NEL", "VT", "FS", "lone-CR"],
)
def test_a_diagnostic_shows_its_own_line_after_unusual_line_breaks(
    tmp_path: Path, breaker: str
) -> None:
    """Characters that Python's str.splitlines() takes for line breaks but the parser does
    not (form feed, U+2028, ...) must not shift the line a diagnostic shows: the caret
    stands under the unknown type `actr`."""
    text = HEAD + breaker + "\n" + 'rule met2 -> MEET: within sentence: a:actor "saw" b:actr\n'
    (tmp_path / "main.rules").write_text(text, encoding="utf-8")
    with pytest.raises(engine.RuleSetError) as caught:
        engine.load_rules([tmp_path])
    unknown = [d for d in caught.value.diagnostics if d.code == "E021"]
    assert len(unknown) == 1, caught.value
    d = unknown[0]
    assert d.source_line[d.column - 1 : d.column + 3] == "actr", (
        f"line {d.line}, column {d.column} shows {d.source_line!r}"
    )
    assert_located(caught.value, tmp_path)


NUMBER = "9" * 5_000  # more digits than int() converts by default (4,300)
HUGE_NUMBERS = {
    "count": 'rule big -> MEET: within sentence: a:actor "met"{N} b:actor\n',
    "gap": "rule big -> MEET: within sentence: a:actor ...{0,N} b:actor\n",
    "token-scope": 'rule big -> MEET: within N tokens: a:actor "met" b:actor\n',
    "priority": 'rule big -> MEET: within sentence: a:actor "met" b:actor priority N\n',
    "veto-window": 'rule big -> MEET: within sentence: a:actor "met" b:actor unless "x" '
    "before a within N\n",
    "regex-count": "entity big: regex /a{2,N}/\n",
    "token-regex-count": "rule big -> MEET: within sentence: a:actor /a{N}/ b:actor\n",
    "prepare-regex": "prepare: dateline /a{2,N}/\n",
}


@pytest.mark.parametrize("line", HUGE_NUMBERS.values(), ids=HUGE_NUMBERS.keys())
def test_a_number_of_thousands_of_digits_is_a_diagnostic(tmp_path: Path, line: str) -> None:
    """A 5,000-digit number in a count, scope, priority, window or regex is taken or
    refused with a diagnostic on its line; never a lark VisitError / ValueError ("Exceeds
    the limit (4300 digits) for integer string conversion") out of `load_rules`."""
    (tmp_path / "main.rules").write_text(HEAD + line.replace("N", NUMBER), encoding="utf-8")
    try:
        engine.load_rules([tmp_path])
    except engine.RuleSetError as error:
        assert_located(error, tmp_path)
        assert [d.line for d in error.diagnostics] == [4], error
    err = io.StringIO()
    code = engine.cli.main(["--rules", str(tmp_path), str(SEED)], io.StringIO(), err)
    assert code in (0, 1, 2) and "Traceback" not in err.getvalue()
