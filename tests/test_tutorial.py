"""docs/tutorial.md is run, step by step, in a fresh folder, so the tutorial cannot rot.

The convention this test reads in the tutorial:

* **File blocks.** A fenced block whose info string holds `file=PATH`, such as
  ```` ```yaml file=visits/rules/actors.yaml ````, is a file: when the run reaches it, its
  text is written to PATH inside the temporary folder (folders are made as needed; a later
  block with the same PATH replaces the file). PATH is relative, written with `/`, and
  may not leave the folder (no `..`). The info string is the language, then `file=PATH`;
  any other word in it is an error. Rendered Markdown hides the info string, so the last
  line of prose before the block must name PATH in backticks (`` `visits/...` ``).
* **Console blocks.** A ```` ```console ```` block holds commands and what they print. A
  line `$ COMMAND` is a command: it is split with `shlex` and run in the temporary
  folder. Only `extract` may be run; it is run as `python -m engine.cli` with this
  Python, so no installed script is needed. The lines after a command, up to the next
  `$ ` line or the end of the block, are its expected output: standard output and
  standard error together, in the order a terminal shows them (the command runs
  unbuffered with both streams on one pipe). A last line `(exit N)` is the expected exit
  status; without it the command must exit 0. The block must start with a command.
* **Matching.** Output is compared line by line, ignoring spaces at line ends and blank
  lines at the end. A line that is exactly `...` stands for any number of lines (none
  included). Anywhere else, `...` stands for any text within one line (the rest of a long
  record, the run time in the summary). Everything else must be equal.
* **Order and coverage.** Files and commands run in the order they appear, in one folder.
  Every line that starts with `$ ` (or is a lone `$`) must stand in a console block, and
  there every line starting with `$` must be a well-formed `$ COMMAND`. Shell blocks
  (```` ```sh ````, ```` ```bash ````, ...) are not allowed, and every fence must be
  closed. So nothing on the page that looks like a command goes unrun.

The test fails when a block is malformed, when a command exits with another status or
prints other lines than the tutorial shows, or when a `$` line was not run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

import pytest
from conftest import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.md"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>.*)$")
DOLLAR = re.compile(r"^[ \t]*\$(?:[ \t]|$)")
EXIT = re.compile(r"^\(exit (\d+)\)$")
ELLIPSIS = "..."
SHELL_LANGUAGES = {"sh", "bash", "shell", "zsh", "shell-session", "terminal", "ps", "powershell"}
COMMANDS = {"extract": [sys.executable, "-m", "engine.cli"]}
TIMEOUT = 60


class TutorialError(Exception):
    """The tutorial does not follow the convention (a message naming the line)."""


@dataclass(frozen=True)
class FileStep:
    line: int  # of the opening fence, 1-based
    path: str
    text: str


@dataclass(frozen=True)
class CommandStep:
    line: int  # of the `$` line, 1-based
    command: str
    expected: tuple[str, ...]
    exit_code: int


Step = FileStep | CommandStep


# ------------------------------------------------------------------ reading the page


def parse(text: str, name: str = "tutorial") -> list[Step]:
    """The files and commands of a page, in order; TutorialError on anything malformed."""
    lines = text.split("\n")
    steps: list[Step] = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None:
            if DOLLAR.match(lines[index]):
                raise TutorialError(
                    f"{name}:{index + 1}: a `$` line outside a console block is never run; "
                    "put commands in a ```console block"
                )
            index += 1
            continue
        end = _closing(lines, index, fence.group("ticks"), name)
        body = lines[index + 1 : end]
        steps.extend(_block(fence, body, lines, index, name))
        index = end + 1
    return steps


def _closing(lines: list[str], start: int, ticks: str, name: str) -> int:
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped and set(stripped) == {ticks[0]} and len(stripped) >= len(ticks):
            return index
    raise TutorialError(f"{name}:{start + 1}: this fenced block is never closed")


def _block(
    fence: re.Match[str], body: list[str], lines: list[str], index: int, name: str
) -> list[Step]:
    where = f"{name}:{index + 1}"
    words = fence.group("info").split()
    language = words[0] if words else ""
    options: dict[str, str] = {}
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if not equals or key != "file":
            raise TutorialError(f"{where}: unexpected {word!r} in the info string (only file=PATH)")
        if key in options:
            raise TutorialError(f"{where}: file= given twice")
        options[key] = value
    if "=" in language:
        raise TutorialError(f"{where}: the info string starts with a language, then file=PATH")
    runnable = "file" in options or language == "console"
    if fence.group("indent") and runnable:
        raise TutorialError(f"{where}: file and console blocks must not be indented")
    if language in SHELL_LANGUAGES:
        raise TutorialError(f"{where}: use a ```console block for commands, not ```{language}")
    if "file" in options:
        if language == "console":
            raise TutorialError(f"{where}: a console block cannot be a file")
        path = _checked_path(options["file"], where)
        _check_named(lines, index, path, where)
        text = "\n".join(body) + "\n" if body else ""
        return [FileStep(index + 1, path, text)]
    if language == "console":
        return list(_commands(body, index, name))
    for offset, line in enumerate(body):
        if DOLLAR.match(line):
            raise TutorialError(
                f"{name}:{index + 2 + offset}: a `$` line outside a console block is never run"
            )
    return []


def _checked_path(value: str, where: str) -> str:
    path = PurePosixPath(value)
    if (
        not value
        or "\\" in value
        or value.endswith("/")
        or path.is_absolute()
        or ".." in path.parts
        or path.parts[:1] == ("~",)
    ):
        raise TutorialError(f"{where}: file={value!r} must be a relative path inside the folder")
    return str(path)


def _check_named(lines: list[str], index: int, path: str, where: str) -> None:
    before = next((line for line in reversed(lines[:index]) if line.strip()), "")
    if f"`{path}`" not in before:
        raise TutorialError(
            f"{where}: the line before the block must name `{path}` (readers do not see "
            "the info string)"
        )


def _commands(body: list[str], index: int, name: str) -> list[CommandStep]:
    steps: list[CommandStep] = []
    current: tuple[int, str] | None = None
    output: list[str] = []
    for offset, line in enumerate(body):
        number = index + 2 + offset
        if DOLLAR.match(line) or line.startswith("$"):
            if not line.startswith("$ ") or not line[2:].strip():
                raise TutorialError(f"{name}:{number}: write a command as `$ COMMAND`")
            if current is not None:
                steps.append(_command(current, output, name))
            current, output = (number, line[2:].strip()), []
        elif current is None:
            if line.strip():
                raise TutorialError(f"{name}:{number}: a console block starts with a `$` line")
        else:
            output.append(line)
    if current is None:
        raise TutorialError(f"{name}:{index + 1}: a console block without a command")
    steps.append(_command(current, output, name))
    return steps


def _command(current: tuple[int, str], output: list[str], name: str) -> CommandStep:
    number, command = current
    expected = _tidy(output)
    exit_code = 0
    if expected and (status := EXIT.match(expected[-1])):
        exit_code = int(status.group(1))
        expected = expected[:-1]
    if any(EXIT.match(line) for line in expected):
        raise TutorialError(f"{name}:{number}: `(exit N)` must be the last line of the output")
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise TutorialError(f"{name}:{number}: cannot split {command!r}: {error}") from None
    if argv[0] not in COMMANDS:
        raise TutorialError(
            f"{name}:{number}: only {', '.join(sorted(COMMANDS))} can be run, not {argv[0]!r}"
        )
    return CommandStep(number, command, tuple(expected), exit_code)


def _tidy(lines: Sequence[str]) -> list[str]:
    """Spaces at line ends and blank lines at the end do not count."""
    tidy = [line.rstrip() for line in lines]
    while tidy and not tidy[-1]:
        tidy.pop()
    return tidy


# ------------------------------------------------------------------ matching output


def line_matches(expected: str, actual: str) -> bool:
    """`...` inside a line stands for any text; the rest is literal."""
    pattern = ".*".join(re.escape(part) for part in expected.split(ELLIPSIS))
    return re.fullmatch(pattern, actual, re.DOTALL) is not None


def output_matches(expected: Sequence[str], actual: Sequence[str]) -> bool:
    """A line that is exactly `...` stands for any number of lines, none included."""
    wanted, got = _tidy(expected), _tidy(actual)

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(wanted):
            return j == len(got)
        if wanted[i] == ELLIPSIS:
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and line_matches(wanted[i], got[j]) and match(i + 1, j + 1)

    return match(0, 0)


# ------------------------------------------------------------------ running the page


def run_command(step: CommandStep, folder: Path) -> tuple[int, list[str]]:
    argv = shlex.split(step.command)
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave as in a terminal
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": os.pathsep.join(paths),
    }
    completed = subprocess.run(
        [*COMMANDS[argv[0]], *argv[1:]],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    return completed.returncode, completed.stdout.split("\n")


def _indent(lines: Sequence[str]) -> str:
    return "\n".join(f"    | {line}" for line in lines) or "    | (nothing)"


def _steps() -> list[Step]:
    return parse(TUTORIAL.read_text(encoding="utf-8"), "docs/tutorial.md")


def test_the_tutorial_follows_the_convention() -> None:
    steps = _steps()  # raises TutorialError, naming the line, when it does not
    commands = [s for s in steps if isinstance(s, CommandStep)]
    assert [s for s in steps if isinstance(s, FileStep)], "the tutorial writes no file"
    assert commands, "the tutorial runs no command"
    assert any(s.exit_code != 0 for s in commands), "the tutorial shows no failing check"


def test_every_dollar_line_is_a_command() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    dollar_lines = [n for n, line in enumerate(text.split("\n"), 1) if DOLLAR.match(line)]
    commands = [s.line for s in _steps() if isinstance(s, CommandStep)]
    assert commands == dollar_lines


def test_the_tutorial_runs(tmp_path: Path) -> None:
    for step in _steps():
        if isinstance(step, FileStep):
            target = tmp_path / step.path
            assert target.resolve().is_relative_to(tmp_path.resolve())
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.text, encoding="utf-8")
            continue
        code, output = run_command(step, tmp_path)
        shown = (
            f"docs/tutorial.md:{step.line}: $ {step.command}\n"
            f"  expected (exit {step.exit_code}):\n{_indent(step.expected)}\n"
            f"  got (exit {code}):\n{_indent(_tidy(output))}"
        )
        if code != step.exit_code:
            pytest.fail("wrong exit status\n" + shown, pytrace=False)
        if not output_matches(step.expected, output):
            pytest.fail("other output\n" + shown, pytrace=False)


# ------------------------------------------------------------------ the convention itself


@pytest.mark.parametrize(
    ("expected", "actual", "matches"),
    [
        (["a b"], ["a b  ", ""], True),
        (["a b"], ["a  b"], False),
        (["a ... d"], ["a b c d"], True),
        (["a ... d"], ["a d"], False),
        (["a ...d"], ["a d"], True),
        (['{"x": 1, ...}'], ['{"x": 1, "y": [2]}'], True),
        (["... s"], ["took 0.01 s"], True),
        (["..."], [], True),
        (["one", "...", "four"], ["one", "two", "three", "four"], True),
        (["one", "...", "four"], ["one", "four"], True),
        (["one", "...", "four"], ["one", "two"], False),
        (["one"], ["one", "two"], False),
        (["one", "two"], ["one"], False),
        (["a.b"], ["axb"], False),
    ],
)
def test_output_matching(expected: list[str], actual: list[str], matches: bool) -> None:
    assert output_matches(expected, actual) is matches


GOOD = """Write `d/f.txt`:

```text file=d/f.txt
hello
```

```console
$ extract --rules r/ "a b"
out
(exit 1)
$ extract --help
```
"""


def test_a_good_page_parses() -> None:
    assert parse(GOOD) == [
        FileStep(3, "d/f.txt", "hello\n"),
        CommandStep(8, 'extract --rules r/ "a b"', ("out",), 1),
        CommandStep(11, "extract --help", (), 0),
    ]


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ("Write `f`:\n\n```text file=f\nno end\n", "never closed"),
        ("Write `f`:\n\n```text file=f title=x\n```\n", "unexpected 'title=x'"),
        ("Write `f`:\n\n```text path=f\n```\n", "unexpected 'path=f'"),
        ("Write `f`:\n\n```text file=\n```\n", "relative path"),
        ("Write `/f`:\n\n```text file=/f\n```\n", "relative path"),
        ("Write `../f`:\n\n```text file=../f\n```\n", "relative path"),
        ("Write `a/../../f`:\n\n```text file=a/../../f\n```\n", "relative path"),
        ("Write it:\n\n```text file=f\n```\n", "must name `f`"),
        ("```file=f\n```\n", "starts with a language"),
        ("Run `f`:\n\n```console file=f\n$ extract\n```\n", "cannot be a file"),
        ("* list\n\n  ```console\n  $ extract\n  ```\n", "indented"),
        ("```console\nout\n$ extract\n```\n", "starts with a `$` line"),
        ("```console\n```\n", "without a command"),
        ("```console\n$ extract\n(exit 1)\nmore\n```\n", "last line"),
        ("```console\n$ ls -l\n```\n", "not 'ls'"),
        ("```console\n$ extract 'unclosed\n```\n", "cannot split"),
        ("```console\n$\n```\n", "$ COMMAND"),
        ("```console\n$extract\n```\n", "$ COMMAND"),
        ("```bash\nextract --rules r/ x\n```\n", "not ```bash"),
        ("```text\n$ extract --rules r/ x\n```\n", "outside a console block"),
        ("Type this:\n\n$ extract --rules r/ x\n", "outside a console block"),
    ],
)
def test_a_malformed_page_is_refused(page: str, problem: str) -> None:
    with pytest.raises(TutorialError, match=re.escape(problem)):
        parse(page)
