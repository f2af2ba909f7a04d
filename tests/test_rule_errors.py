"""Bad rule sets: every mistake is reported with its code, file, line and column, through
`load_rules` and through the `extract` command (exit 2, no records, no traceback).

Each case starts from a valid minimal rule set and breaks it one way. Lines and columns
were counted by hand on the snippets below (both 1-based). Tests run in tmp_path as the
working folder, so diagnostics name files relative to it ("main.rules").
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import engine
import engine.cli
from engine import Diagnostic, RuleSetError, load_rules

RELATION = "relation MEET(actor, actor)\n"
ACTOR = 'entity actor: words "Alice", "Bob"\n'
RULE = 'rule met -> MEET:\n    within sentence: a:actor "met" b:actor\n'
HEAD = "rule met -> MEET:\n"
CITY_RELATION = "relation MEET(actor, actor, city?)\n" + ACTOR + 'entity city: words "Paris"\n'
VALID = RELATION + ACTOR + RULE
#        1: relation MEET(actor, actor)
#        2: entity actor: words "Alice", "Bob"
#        3: rule met -> MEET:
#        4:     within sentence: a:actor "met" b:actor
#   column:         5    10   15   20   25   30   35   40   45   50
#                   |    |    |    |    |    |    |    |    |    |
#            "    within sentence: a:actor "met" b:actor"
#             `within` 5-10, `sentence` 12-19, `:` 20, `a` 22, `actor` 24-28, `"met"` 30-34,
#             `b` 36, `actor` 38-42


def pattern(text: str) -> str:
    """The valid set with the rule's pattern line replaced (the pattern starts at column 22)."""
    return RELATION + ACTOR + "rule met -> MEET:\n    within sentence: " + text + "\n"


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes]
    code: str
    line: int
    column: int
    file: str = "main.rules"
    hint: str | None = None  # a substring the hint must contain
    message: str | None = None  # a substring the message must contain
    has_source: bool = True  # False only where no text line exists (a binary file)


CASES = [
    Case(
        "syntax-error-in-rule",
        {"main.rules": pattern('a:actor "met" -> b:actor')},
        "E001",
        4,
        36,
        message="`->`",
    ),
    Case(
        "unclosed-quote",
        {"main.rules": pattern('a:actor "met b:actor')},
        "E001",
        4,
        30,
        hint='close it with `"`',
        message="not closed",
    ),
    # the item ends at the end of line 4 (51 characters) while a `)` is still expected
    Case(
        "unclosed-parenthesis",
        {"main.rules": pattern('a:actor ("met" | "saw" b:actor')},
        "E001",
        4,
        52,
        hint="`)`",
    ),
    # `[kind=person` is not closed: the phrase "met" (column 42) cannot stand inside it
    Case(
        "unclosed-square-bracket",
        {"main.rules": pattern('a:actor[kind=person "met" b:actor')},
        "E001",
        4,
        42,
        hint="`]`",
    ),
    Case(
        "missing-colon-after-within-sentence",
        {"main.rules": RELATION + ACTOR + HEAD + '    within sentence a:actor "met" b:actor\n'},
        "E001",
        4,
        21,
        hint="`:`",
    ),
    Case(
        "misspelt-type",
        {"main.rules": VALID + "    unless actr in sentence\n"},
        "E021",
        5,
        12,
        hint="did you mean `actor`?",
        message="`actr`",
    ),
    # the veto clause (column 5) names a capture `c` the pattern does not define
    Case(
        "unknown-capture-in-veto",
        {"main.rules": VALID + '    unless "not" before c within 2\n'},
        "E022",
        5,
        5,
        message="`c`",
    ),
    Case(
        "fill-unknown-slot",
        {"main.rules": VALID + "    fill venue from a\n"},
        "E025",
        5,
        5,
        message="`venue`",
    ),
    Case(
        "slot-type-mismatch",
        {"main.rules": CITY_RELATION + RULE + "    fill city from a\n"},
        "E024",
        6,
        20,
        message="holds a city",
    ),
    Case(
        "slot-type-mismatch-nearest",
        {"main.rules": CITY_RELATION + RULE + "    fill city from nearest actor in sentence\n"},
        "E024",
        6,
        20,
    ),
    Case(
        "unknown-relation-target",
        {
            "main.rules": RELATION
            + ACTOR
            + 'rule met -> MEETING:\n    within sentence: a:actor "met" b:actor\n'
        },
        "E023",
        3,
        13,
        hint="did you mean `MEET`?",
        message="`MEETING`",
    ),
    Case(
        "duplicate-name-across-two-files",
        {
            "main.rules": 'include "more.rules"\n' + VALID,
            "more.rules": 'entity actor: words "Carol"\n',
        },
        "E020",
        1,
        1,
        file="more.rules",
        hint="first defined at main.rules:3",
        message="`actor`",
    ),
    # `/me)t/` starts at column 30; the unbalanced `)` is at column 33
    Case(
        "invalid-regex-in-pattern",
        {"main.rules": pattern("a:actor /me)t/ b:actor")},
        "E026",
        4,
        33,
        message="invalid",
    ),
    # `entity actor: regex ` is 20 characters: `/` at 21, `)` of `/Alice)|Bob/` at 27
    Case(
        "invalid-regex-in-entity",
        {"main.rules": RELATION + "entity actor: regex /Alice)|Bob/\n" + RULE},
        "E026",
        2,
        27,
    ),
    # `    drop lines ` is 15 characters: `/` at 16, `^Advert` 17-23, the unbalanced `)` at 24
    Case(
        "invalid-regex-in-prepare",
        {"main.rules": VALID + "prepare:\n    drop lines /^Advert)/\n"},
        "E026",
        6,
        24,
    ),
    Case(
        "unknown-normaliser",
        {"main.rules": RELATION + ACTOR + "    normalise nmae\n" + RULE},
        "E027",
        3,
        15,
        hint="did you mean `name`?",
        message="`nmae`",
    ),
    Case(
        "missing-gazetteer-file",
        {"main.rules": RELATION + 'entity actor: gazetteer "gazetteers/actors.yaml"\n' + RULE},
        "E028",
        2,
        15,
        message="gazetteers/actors.yaml",
    ),
    # `  kind: a: b`: a second `:` at column 10 of line 3 of the YAML file
    Case(
        "malformed-gazetteer",
        {
            "main.rules": RELATION + 'entity actor: gazetteer "gazetteers/actors.yaml"\n' + RULE,
            "gazetteers/actors.yaml": "- name: Alice\n- name: Bob\n  kind: a: b\n",
        },
        "E029",
        3,
        10,
        file="gazetteers/actors.yaml",
    ),
    Case(
        "gazetteer-entry-without-name",
        {
            "main.rules": RELATION + 'entity actor: gazetteer "gazetteers/actors.yaml"\n' + RULE,
            "gazetteers/actors.yaml": "- name: Alice\n- aliases: [Bob]\n",
        },
        "E029",
        2,
        3,
        file="gazetteers/actors.yaml",
    ),
    Case(
        "include-missing-file",
        {"main.rules": 'include "other.rules"\n' + VALID},
        "E010",
        1,
        1,
        message="other.rules",
    ),
    Case(
        "include-cycle-between-two-files",
        {
            "main.rules": 'include "second.rules"\n' + VALID,
            "second.rules": 'include "main.rules"\n',
        },
        "E011",
        1,
        1,
        file="second.rules",
        message="main.rules -> second.rules -> main.rules",
    ),
    Case(
        "include-outside-the-folder",
        {"main.rules": 'include "../../etc/passwd"\n' + VALID},
        "E012",
        1,
        1,
        message="../../etc/passwd",
    ),
    Case(
        "include-absolute-path-outside",
        {"main.rules": 'include "/etc/passwd"\n' + VALID},
        "E012",
        1,
        1,
    ),
    Case(
        "gazetteer-outside-the-folder",
        {"main.rules": RELATION + 'entity actor: gazetteer "../../etc/passwd"\n' + RULE},
        "E012",
        2,
        15,
    ),
    Case(
        "binary-rule-file",
        {"main.rules": VALID.encode() + b"\x00\x01\x02\xff"},
        "E003",
        1,
        1,
        has_source=False,
        message="binary",
    ),
    # `# caf` then the byte 0xe9 at column 6 of line 5
    Case(
        "non-utf8-rule-file",
        {"main.rules": VALID.encode() + b"# caf\xe9\n"},
        "E003",
        5,
        6,
        hint="UTF-8",
        message="0xe9",
    ),
    # a capture named like a slot fills it: it must hold the slot's type too
    Case(
        "capture-named-like-a-slot-of-another-type",
        {
            "main.rules": CITY_RELATION
            + 'rule met -> MEET:\n    within sentence: a:actor "met" b:actor "in" city:actor\n'
        },
        "E024",
        4,
        1,
        message="the capture named `city` holds an actor",
    ),
    # `c` holds words: it has no attributes
    Case(
        "attribute-of-a-capture-of-words",
        {
            "main.rules": CITY_RELATION
            + 'rule met -> MEET:\n    within sentence: a:actor "met" b:actor "in" c:Cap\n'
            + "    fill city from c.country\n"
        },
        "E037",
        6,
        20,
        hint="capture a type",
    ),
    # the item ends after `within sentence:`; the comments after it are not where it ends
    Case(
        "item-ends-early-before-comment-lines",
        {"main.rules": RELATION + ACTOR + HEAD + "    within sentence:\n    # why\n\n    # more\n"},
        "E001",
        4,
        21,
        message="ends too early",
    ),
    # line 5: `fill` at column 5
    Case(
        "slot-filled-twice",
        {
            "main.rules": CITY_RELATION
            + 'rule met -> MEET:\n    within sentence: a:actor "met" b:actor "in" c:city\n'
            + "    fill city from c\n    fill city from nearest city in paragraph\n"
        },
        "E038",
        7,
        5,
        message="filled twice",
    ),
    Case(
        "slot-named-twice-in-one-fill",
        {
            "main.rules": CITY_RELATION
            + 'rule met -> MEET:\n    within sentence: a:actor "met" b:actor "in" c:city\n'
            + "    fill city, city from c\n"
        },
        "E038",
        6,
        5,
    ),
    Case("empty-rule-set", {"main.rules": RELATION + ACTOR}, "E032", 1, 1),
    Case("comments-only-rule-set", {"main.rules": "# nothing yet\n"}, "E032", 1, 1),
    Case(
        "required-slot-never-filled",
        {"main.rules": CITY_RELATION.replace("city?", "city") + RULE},
        "E031",
        4,
        1,
        message="`city`",
    ),
    # `"met"{3,1}`: the repeated element starts at column 30
    Case(
        "empty-count",
        {"main.rules": pattern('a:actor "met"{3,1} b:actor')},
        "E034",
        4,
        30,
        message="{3,1}",
    ),
    Case(
        "empty-gap-count",
        {"main.rules": pattern("a:actor ...{3,1} b:actor")},
        "E034",
        4,
        30,
        message="{3,1}",
    ),
    Case(
        "zero-token-scope",
        {"main.rules": RELATION + ACTOR + HEAD + '    within 0 tokens: a:actor "met" b:actor\n'},
        "E034",
        4,
        5,
    ),
    Case(
        "entity-rules-need-each-other",
        {
            "main.rules": VALID
            + 'entity title: words "Dr"\n'  # 5
            + 'entity person: words "Xavier"\n'  # 6
            + 'rule a_title -> title:\n    within sentence: person "said"\n'  # 7-8
            + "rule b_person -> person:\n    within sentence: title Cap\n"
        },  # 9-10
        "E030",
        7,
        1,
        message="a_title -> b_person -> a_title",
    ),
    Case("built-in-name", {"main.rules": VALID + 'entity Cap: words "x"\n'}, "E033", 5, 1),
    Case("empty-phrase", {"main.rules": pattern('a:actor "" b:actor')}, "E035", 4, 30),
]


# ------------------------------------------------------------------ helpers


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder / next(iter(files))


def diagnostics_of(path: Path) -> tuple[Diagnostic, ...]:
    with pytest.raises(RuleSetError) as caught:
        load_rules([path])
    return caught.value.diagnostics


def run_cli(folder: Path, rules: Path) -> tuple[int, str, str]:
    document = folder / "input.txt"
    document.write_text("Alice met Bob in Paris.\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = engine.cli.main(["--rules", str(rules), str(document)], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def assert_caret_under_column(diagnostic: Diagnostic) -> None:
    """format() shows the source line and a caret under the reported column."""
    lines = diagnostic.format().splitlines()
    assert lines[0].startswith(
        f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}: "
        f"{diagnostic.severity} {diagnostic.code}: "
    )
    assert diagnostic.source_line, "no source line to show"
    assert len(lines) >= 3
    shown, caret = lines[1], lines[2]
    assert shown.startswith("    ") and caret.startswith("    ")
    assert caret.strip() == "^"
    at = caret.index("^")
    source = diagnostic.source_line.expandtabs(1)
    if diagnostic.column <= len(source):
        # the text from the caret on is the source line from the reported column on
        after = shown[at:]
        assert after, "caret beyond the shown line"
        assert source[diagnostic.column - 1 :].startswith(after)
    else:
        assert diagnostic.column == len(source) + 1
        assert at == len(shown)


def _ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


# ------------------------------------------------------------------ the valid starting point


def test_valid_minimal_rule_set_loads_and_extracts(folder: Path) -> None:
    rules = write_files(folder, {"main.rules": VALID})
    assert load_rules([rules]) is not None
    code, out, err = run_cli(folder, rules)
    assert code == 0
    assert '"relation": "MEET"' in out
    assert "Traceback" not in err


# ------------------------------------------------------------------ the table, through load_rules


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_load_rules_reports_code_file_line_column(folder: Path, case: Case) -> None:
    diagnostics = diagnostics_of(write_files(folder, case.files))
    matching = [d for d in diagnostics if d.code == case.code]
    assert len(matching) == 1, [d.format() for d in diagnostics]
    found = matching[0]
    where = (found.file, found.line, found.column)
    assert where == (case.file, case.line, case.column), found.format()
    assert found.severity == "error"
    if case.hint is not None:
        assert found.hint is not None and case.hint in found.hint, found.hint
    if case.message is not None:
        assert case.message in found.message, found.message
    if case.has_source:
        assert found.source_line, found.format()


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_load_rules_reports_nothing_else(folder: Path, case: Case) -> None:
    """One mistake, one diagnostic: no follow-on errors about what the mistake hid."""
    diagnostics = diagnostics_of(write_files(folder, case.files))
    assert [(d.code, d.file, d.line) for d in diagnostics] == [(case.code, case.file, case.line)]


WITH_SOURCE = [c for c in CASES if c.has_source]


@pytest.mark.parametrize("case", WITH_SOURCE, ids=_ids(WITH_SOURCE))
def test_every_diagnostic_format_shows_source_line_and_caret(folder: Path, case: Case) -> None:
    for diagnostic in diagnostics_of(write_files(folder, case.files)):
        assert_caret_under_column(diagnostic)


# ------------------------------------------------------------------ the table, through `extract`


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_cli_exits_2_with_located_diagnostic_and_no_records(folder: Path, case: Case) -> None:
    rules = write_files(folder, case.files)
    code, out, err = run_cli(folder, rules)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    location = f"{case.file}:{case.line}:{case.column}: error {case.code}:"
    assert location in err, err
    assert "nothing extracted" in err
    if case.has_source:
        diagnostic = next(d for d in diagnostics_of(rules) if d.code == case.code)
        lines = err.splitlines()
        head = next(i for i, line in enumerate(lines) if line.startswith(location))
        assert lines[head + 1] == "    " + diagnostic.source_line.expandtabs(1)
        assert lines[head + 2].strip() == "^"
        assert lines[head + 2].index("^") == 4 + case.column - 1


# ------------------------------------------------------------------ several errors at once


THREE_ERRORS = (
    RELATION  # 1
    + 'entity actor: words "Alice", "Bob"\n'  # 2
    + "    normalise nmae\n"  # 3: E027 at column 15
    + RULE  # 4-5
    + "rule saw -> MEET:\n"  # 6
    + '    within sentence: a:actor "saw" -> b:actor\n'  # 7: E001 at column 36
    + "rule hit -> MEET:\n"  # 8
    + "    within sentence: a:actor /hi)t/ b:actor\n"  # 9: E026 at column 33
)


def test_three_independent_errors_reported_at_once_in_line_order(folder: Path) -> None:
    diagnostics = diagnostics_of(write_files(folder, {"main.rules": THREE_ERRORS}))
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        ("E027", 3, 15),
        ("E001", 7, 36),
        ("E026", 9, 33),
    ]


def test_cli_prints_the_three_errors_in_line_order(folder: Path) -> None:
    code, out, err = run_cli(folder, write_files(folder, {"main.rules": THREE_ERRORS}))
    assert code == 2 and out == ""
    positions = [err.index(f"main.rules:{where}: error") for where in ("3:15", "7:36", "9:33")]
    assert positions == sorted(positions)
    assert "3 errors in the rules" in err


def test_three_syntax_errors_in_one_file(folder: Path) -> None:
    text = (
        VALID  # 1-4
        + 'rule one -> MEET:\n    within sentence: a:actor "x" -> b:actor\n'  # 5-6: `->` at 34
        + 'rule two -> MEET:\n    within sentence: a:actor "y b:actor\n'  # 7-8: quote at 30
        + 'rule three -> MEET:\n    within sentence a:actor "z" b:actor\n'  # 9-10: `a` at 21
    )
    diagnostics = diagnostics_of(write_files(folder, {"main.rules": text}))
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        ("E001", 6, 34),
        ("E001", 8, 30),
        ("E001", 10, 21),
    ]


# ------------------------------------------------------------------ precise columns and lines


def test_regex_error_column_after_escaped_slashes(folder: Path) -> None:
    # `/a\/b)c/` starts at column 30: a 31, \/ 32-33, b 34, the unbalanced `)` at 35
    rules = write_files(folder, {"main.rules": pattern(r"a:actor /a\/b)c/ b:actor")})
    (diagnostic,) = diagnostics_of(rules)
    assert diagnostic.code == "E026"
    assert (diagnostic.line, diagnostic.column) == (4, 35)
    assert diagnostic.source_line[diagnostic.column - 1] == ")"


def test_non_utf8_column_counts_characters_not_bytes(folder: Path) -> None:
    # line 5 is "# café and " then the bad byte: 11 characters before it, so column 12
    content = VALID.encode() + "# café and ".encode() + b"\xe9\n"
    diagnostics = diagnostics_of(write_files(folder, {"main.rules": content}))
    e003 = [d for d in diagnostics if d.code == "E003"]
    assert [(d.line, d.column) for d in e003] == [(5, 12)]
    assert_caret_under_column(e003[0])
    assert e003[0].source_line[e003[0].column - 1] == "\ufffd"


def test_duplicate_name_hint_names_the_first_definition(folder: Path) -> None:
    more = 'relation OTHER(actor)\nentity actor: words "Carol"\n'
    main = 'include "more.rules"\n' + VALID
    rules = write_files(folder, {"main.rules": main, "more.rules": more})
    (diagnostic,) = diagnostics_of(rules)
    assert (diagnostic.code, diagnostic.file, diagnostic.line) == ("E020", "more.rules", 2)
    assert diagnostic.hint is not None and "main.rules:3" in diagnostic.hint


def test_syntax_error_in_the_only_rule_is_not_also_an_empty_rule_set(folder: Path) -> None:
    rules = write_files(folder, {"main.rules": pattern('a:actor "met b:actor')})
    diagnostics = diagnostics_of(rules)
    assert "E032" not in [d.code for d in diagnostics]


# ------------------------------------------------------------------ pathological files


def _load_or_refuse(path: Path) -> tuple[Diagnostic, ...]:
    """Load a rule set; return its diagnostics ((), when it loads). Any other exception fails."""
    try:
        load_rules([path])
    except RuleSetError as error:
        return error.diagnostics
    return ()


NESTED = 5000


@pytest.mark.parametrize(
    "text",
    [
        pattern("a:actor " + "(" * NESTED + '"met"' + ")" * NESTED + " b:actor"),
        pattern("a:actor " + "(" * NESTED + '"met" b:actor'),
        pattern("a:actor " + ")" * NESTED + '"met" b:actor'),
        pattern("a:actor " + '("met" | ' * NESTED + '"x"' + ")" * NESTED + " b:actor"),
        pattern("a:actor " + "(" * NESTED + '"met"' + ")?" * NESTED + " b:actor"),
    ],
    ids=["balanced", "unclosed", "only-closing", "nested-alternatives", "nested-optionals"],
)
def test_deeply_nested_parentheses_do_not_crash(folder: Path, text: str) -> None:
    rules = write_files(folder, {"main.rules": text})
    diagnostics = _load_or_refuse(rules)
    assert all(d.code.startswith("E") for d in diagnostics)
    code, out, err = run_cli(folder, rules)
    assert code in (0, 2)
    assert "Traceback" not in err and "RecursionError" not in err
    if diagnostics:
        assert code == 2 and out == ""


LONG = 100_000


def _long_words_line() -> str:
    words = ", ".join(f'"w{i}"' for i in range(LONG // 9))
    line = f'entity actor: words "Alice", "Bob", {words}\n'
    assert len(line) > LONG
    return RELATION + line + RULE


@pytest.mark.parametrize(
    "text",
    [
        _long_words_line(),
        VALID + "# " + "x" * LONG + "\n",
        pattern("a:actor " + '"met"? ' * (LONG // 7) + "b:actor"),
        pattern('a:actor "' + "m" * LONG + " b:actor"),  # an unclosed 100,000-character quote
        pattern("a:actor /" + "a(" * (LONG // 2) + "/ b:actor"),
    ],
    ids=["long-word-list", "long-comment", "long-pattern", "long-unclosed-quote", "long-bad-regex"],
)
def test_100000_character_line_does_not_crash(folder: Path, text: str) -> None:
    rules = write_files(folder, {"main.rules": text})
    diagnostics = _load_or_refuse(rules)
    for diagnostic in diagnostics:
        assert_caret_under_column(diagnostic)
        assert len(diagnostic.format()) < 2000  # the long line is shown as a window
    code, out, err = run_cli(folder, rules)
    # 0: extracted; 2: refused; 1: the document was given up (a pattern too costly to
    # match), reported with its reason while the batch would go on
    assert code in (0, 1, 2)
    if code == 1:
        assert "input.txt" in err and "too costly" in err
    assert "Traceback" not in err


def test_error_at_the_end_of_a_100000_character_line(folder: Path) -> None:
    line = "    within sentence: a:actor " + '"met"? ' * (LONG // 7) + "b:actr"
    text = RELATION + ACTOR + HEAD + line + "\n" + "    fill actor2 from a\n"
    rules = write_files(folder, {"main.rules": text})
    diagnostics = diagnostics_of(rules)
    (e021,) = [d for d in diagnostics if d.code == "E021"]
    assert (e021.line, e021.column) == (4, len(line) - len("actr") + 1)
    assert_caret_under_column(e021)
    shown = e021.format().splitlines()[1]
    assert shown.startswith("    ...") and "b:actr" in shown


# ------------------------------------------------------------------ Diagnostic.format itself


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ("rule met -> MEETING:", 13),
        ("rule met -> MEETING:", 1),
        ("rule met -> MEETING:", 21),  # just past the end
        ("\twithin sentence: a:actr", 20),  # a tab counts as one column
        ("x" * 500, 80),
        ("x" * 250 + "HERE" + "y" * 250, 251),
        ("x" * 300 + "END", 303),
    ],
    ids=["middle", "first", "past-end", "tab", "long-early", "long-middle", "long-end"],
)
def test_format_puts_the_caret_under_the_column(source: str, column: int) -> None:
    diagnostic = Diagnostic(
        "E021", "unknown type `actr`", "main.rules", 4, column, source, "did you mean `actor`?"
    )
    assert_caret_under_column(diagnostic)
    text = diagnostic.format()
    assert text.startswith(f"main.rules:4:{column}: error E021: unknown type `actr`")
    assert text.endswith("\n  hint: did you mean `actor`?")


def test_format_without_source_line_has_no_caret() -> None:
    text = Diagnostic("E010", "`x.rules` does not exist", "x.rules", 1, 1).format()
    assert text == "x.rules:1:1: error E010: `x.rules` does not exist"


def test_rule_set_error_message_is_every_diagnostic_formatted() -> None:
    first = Diagnostic("E021", "a", "f.rules", 1, 1, "abc")
    second = Diagnostic("E022", "b", "f.rules", 2, 3, "defgh", "hint")
    error = RuleSetError([first, second])
    assert error.diagnostics == (first, second)
    assert str(error) == first.format() + "\n" + second.format()
    assert isinstance(error, engine.ToolkitError)


def test_a_rule_file_that_cannot_be_read_is_an_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.rules").write_text('entity actor: words "Kani"\n')
    unreadable = tmp_path / "locked.rules"
    unreadable.write_text('entity city: words "Moscow"\n')
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == unreadable.name:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    for cache in (None, tmp_path / "cache"):  # the cache key reads every file too
        with pytest.raises(RuleSetError) as caught:
            load_rules([tmp_path], cache)
        (problem,) = caught.value.diagnostics
        assert (problem.code, Path(problem.file).name, problem.line) == ("E003", "locked.rules", 1)
        assert "cannot be read (Permission denied)" in problem.message


def _reserved_words_section() -> list[str]:
    text = (Path(__file__).parent.parent / "docs" / "dsl.md").read_text(encoding="utf-8")
    section = text.split("## Reserved words", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`([^`]+)`", section)


def _rules_naming(tmp_path: Path, name: str, pattern_end: str) -> list[Diagnostic]:
    """The errors of a rule set with a type called `name`, its pattern ending so."""
    folder = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "r.rules").write_text(
        f"relation M(a: actor, b: actor, z: {name}?)\n"
        'entity actor: words "Alice", "Bob"\n'
        f'entity {name}: words "Zed"\n'
        f'rule r -> M:\n    within sentence: a:actor "met" b:actor {pattern_end}\n'
    )
    try:
        load_rules([folder])
    except RuleSetError as error:
        return list(error.diagnostics)
    return []


def test_the_reserved_words_the_docs_list_are_refused_as_names(tmp_path: Path) -> None:
    spans = _reserved_words_section()
    refused = [*spans[0].split(), spans[1], spans[2]]
    assert refused == ["Cap", "Upper", "Word", "Number", "Punct", "Token", "value", "exact"]
    for name in refused:
        assert _rules_naming(tmp_path, name, f"x:{name}"), name


def test_clause_words_name_types_but_not_bare_at_the_end_of_a_pattern(tmp_path: Path) -> None:
    clause_words = _reserved_words_section()[3].split()
    assert "within" in clause_words and "only" in clause_words
    for word in clause_words:
        assert _rules_naming(tmp_path, word, f"x:{word}") == [], word
        assert [d.code for d in _rules_naming(tmp_path, word, word)][:1] == ["E001"], word


def test_errors_behind_an_unknown_target_or_a_taken_name_are_reported_at_once(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.rules").write_text(
        "relation MEETING(actor, actor, city?)\n"
        'entity actor: words "Alice", "Bob"\n'
        'entity city: words "Paris"\n'
        "rule r -> MEETNG:\n"
        "    within sentence: a:actr ...{5,2} b:actor\n"
        "    fill citty from nearest cty in sentence\n"
        "rule r -> MEETING:\n"
        '    within sentence: a:actor "met" b:actr\n'
        "entity actor: regex /[/\n"
    )
    with pytest.raises(RuleSetError) as caught:
        load_rules([tmp_path])
    found = [(d.code, d.line) for d in caught.value.diagnostics]
    assert found == [
        ("E023", 4),  # MEETNG
        ("E021", 5),  # actr
        ("E034", 5),  # {5,2}
        ("E021", 6),  # cty
        ("E020", 7),  # a second rule r ...
        ("E021", 8),  # ... whose body is checked all the same
        ("E020", 9),  # a second entity actor ...
        ("E026", 9),  # ... whose regex is checked all the same
    ]


@pytest.mark.parametrize(
    "text, line, column",
    [
        (pattern('a:actor "' + "x" * 501 + '" b:actor'), 4, 30),
        (RELATION + 'entity actor: words "Alice", "' + "x" * 501 + '"\n' + RULE, 2, 15),
    ],
    ids=["in-a-pattern", "in-a-word-list"],
)
def test_a_phrase_of_more_than_500_characters_is_an_error(
    tmp_path: Path, text: str, line: int, column: int
) -> None:
    (tmp_path / "main.rules").write_text(text)
    with pytest.raises(RuleSetError) as caught:
        load_rules([tmp_path])
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("E039", line, column)
    assert "more than 500 characters" in diagnostic.message
    shown, caret = diagnostic.format().splitlines()[1:3]  # a long line is shown around the caret
    assert caret.strip() == "^" and shown[caret.index("^")] in '"wa'
