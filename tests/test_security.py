"""Safety properties of the toolkit, one test (or one parametrised family) per property.

* Rules are data: nothing in a rule file is ever executed as Python, and the engine has
  no code-execution calls at all.
* YAML (gazetteers, manifests, expectations) is only read safely: a `!!python/...` tag
  never constructs anything.
* Includes and gazetteer paths stay inside the rule set's folder, symlinks included: a
  file outside is refused (E012) and never opened.
* Nothing is fetched over the network at run time.
* Text written into HTML output is escaped.
* Huge or deeply nested rule files and documents do not crash the engine.

Tests that could create the file `PWNED` run in a fresh working folder and check both it
and the repository.
"""

from __future__ import annotations

import builtins
import datetime
import io
import os
import re
import shutil
import socket
import subprocess
import time
import tokenize
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, RULES, SEEDS

import engine
import engine.cli
from engine.pipeline import Limits

ENGINE = ROOT / "engine"
ENGINE_FILES = sorted(ENGINE.glob("*.py"))
SEED = SEEDS / "000_6076344b43b91c38.txt"
PAYLOAD = "__import__('os').system('touch PWNED')"
YAML_PAYLOAD = '!!python/object/apply:os.system ["touch PWNED"]'
MARKER = "OUTSIDE_SECRET_7f3a"  # the content of files outside the rule set's folder

SMALL_SET = (
    "relation MEET(actor, actor)\n"
    'entity actor: words "Alice", "Bob"\n'
    'rule met -> MEET: within sentence: a:actor "met" b:actor\n'
)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = engine.cli.main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


TEXT_TOKENS = {tokenize.COMMENT, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)}


def code_of(path: Path) -> str:
    """A module's source with its comments and string literals (docstrings included)
    blanked out, spacing kept, so that prose about, say, `subprocess` is not a call."""
    source = path.read_text(encoding="utf-8")
    starts = [0] + [m.end() for m in re.finditer("\n", source)]  # lines as tokenize counts
    kept = list(source)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in TEXT_TOKENS:
            begin = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            kept[begin:end] = [" " if c != "\n" else c for c in source[begin:end]]
    return "".join(kept)


# The one exception: the compiled rule-set cache pickles, and reads back through an
# unpickler that builds only the engine's dataclasses (tests/test_cache.py attacks it).
ALLOWED = {("cache.py", "pickle.load"), ("cache.py", "import pickle")}


def offending(patterns: dict[str, str]) -> list[str]:
    """`file: what` for each forbidden pattern found in the engine's code."""
    found = []
    for path in ENGINE_FILES:
        source = code_of(path)
        for what, pattern in patterns.items():
            if re.search(pattern, source) and (path.name, what) not in ALLOWED:
                found.append(f"{path.name}: {what}")
    return found


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh working folder; afterwards no PWNED file may exist there or in the repo."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder
    assert not list(folder.rglob("PWNED")), "a payload ran: PWNED was created"
    assert not (ROOT / "PWNED").exists(), "a payload ran: PWNED was created in the repository"


@pytest.fixture()
def no_processes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) every attempt to start a process or run a shell command."""
    calls: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(f"{name}{args!r}")
            raise PermissionError(f"{name} is not allowed in this test")

        return call

    monkeypatch.setattr(os, "system", refuse("os.system"))
    monkeypatch.setattr(os, "popen", refuse("os.popen"))
    monkeypatch.setattr(subprocess, "Popen", refuse("subprocess.Popen"))
    return calls


# ------------------------------------------------------------------ rules are data

CODE_EXECUTION = {
    "eval(": r"(?<![\w.])eval\s*\(",
    "exec(": r"(?<![\w.])exec\s*\(",
    "compile( (the builtin)": r"(?<![\w.])compile\s*\(",  # regex.compile(, x.compile( are fine
    "__import__": r"__import__",
    "pickle.load": r"\bpickle\s*\.\s*loads?\b",
    "import pickle": r"\bimport\s+(?:c?pickle|shelve)\b",
    "marshal": r"\bmarshal\b",
    "subprocess": r"\bsubprocess\b",
    "os.system": r"\bos\s*\.\s*(?:system|popen|exec\w*|spawn\w*)\b",
}


def test_the_engine_has_no_code_execution_calls() -> None:
    assert ENGINE_FILES, "no engine modules found"
    assert offending(CODE_EXECUTION) == []


def test_the_source_check_would_see_a_code_execution_call(tmp_path: Path) -> None:
    """The check itself works: it flags the builtins and lets `regex.compile(` through."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""eval( in a docstring is prose."""\n'
        "import regex\n"
        "from .compile import RuleSet  # compile.py is a module name\n"
        "PATTERN = regex.compile('x')\n"
        "value = eval(text)\n",
        encoding="utf-8",
    )
    source = code_of(sample)
    hits = [what for what, pattern in CODE_EXECUTION.items() if re.search(pattern, source)]
    assert hits == ["eval("]


def test_python_code_in_rule_strings_is_matched_as_text(
    workdir: Path, no_processes: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Phrases, cues and gazetteer names that look like Python are words to match."""
    folder = workdir / "rules"
    (folder / "gazetteers").mkdir(parents=True)
    (folder / "gazetteers" / "code.yaml").write_text(
        f'- name: "{PAYLOAD}"\n  kind: "{PAYLOAD}"\n', encoding="utf-8"
    )
    (folder / "main.rules").write_text(
        "relation MEET(actor, actor)\n"
        f'entity actor: words "Alice", "Bob", "{PAYLOAD}"\n'
        'entity snippet: gazetteer "gazetteers/code.yaml"\n'
        'rule met -> MEET: within sentence: a:actor "met" b:actor\n'
        f'    unless "{PAYLOAD}" before a\n'
        f'rule ran -> MEET: within sentence: a:actor "ran" b:actor[name="{PAYLOAD}"]\n',
        encoding="utf-8",
    )
    rules = engine.load_rules([folder])
    text = f"Alice met Bob. Alice ran {PAYLOAD} yesterday. {PAYLOAD} met Bob."
    records = engine.extract_text(rules, text, published="2023-10-27")
    pairs = {(r["rule"], frozenset(r["args"].values())) for r in records}
    assert ("met", frozenset({"Alice", "Bob"})) in pairs
    assert ("ran", frozenset({"Alice", PAYLOAD})) in pairs  # the payload is just a name
    assert not any(r["rule"] == "met" and PAYLOAD in r["args"].values() for r in records)
    assert no_processes == []
    assert "PWNED" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "line",
    [
        "entity code: regex /(?{print(1)})/",
        "entity code: regex /(?{" + PAYLOAD + "})/",
        "entity code: regex /(?{{print(1)}})/",
        "rule code -> MEET: within sentence: a:actor /(?{print(1)})/ b:actor",
        "prepare: drop lines /(?{print(1)})/",
        "prepare: published /(?{" + PAYLOAD + "})/",
    ],
    ids=["entity-regex", "payload", "double-braces", "token-regex", "drop", "published"],
)
def test_code_in_a_regex_is_refused_or_matched_never_run(
    workdir: Path, no_processes: list[str], capsys: pytest.CaptureFixture[str], line: str
) -> None:
    (workdir / "main.rules").write_text(SMALL_SET + line + "\n", encoding="utf-8")
    try:
        rules = engine.load_rules([workdir / "main.rules"])
    except engine.RuleSetError as error:
        assert {d.code for d in error.diagnostics} <= {"E001", "E026"}, error
    else:
        engine.extract_text(rules, "Alice met Bob. {print(1)} (?{print(1)}) date 2023-10-27")
    printed = capsys.readouterr().out
    assert printed.strip() == "", f"something printed: {printed!r}"
    assert no_processes == []


# ------------------------------------------------------------------ YAML is only read safely

UNSAFE_YAML = {
    "yaml.load(": r"\byaml\s*\.\s*load\s*\(",
    "yaml.load_all(": r"\byaml\s*\.\s*load_all\s*\(",
    "yaml.full_load": r"\bfull_load(?:_all)?\b",
    "yaml.unsafe_load": r"\bunsafe_load(?:_all)?\b",
    "yaml.Loader": r"\byaml\s*\.\s*Loader\b",
    "FullLoader": r"\bFullLoader\b",
    "UnsafeLoader": r"\bUnsafeLoader\b",
    "yaml.CLoader": r"\bC(?:Full|Unsafe)?Loader\b",
    "from yaml import Loader": r"\bfrom\s+yaml\s+import\b[^\n]*\b(?:\w*Loader|load)\b",
}


def test_the_engine_reads_yaml_only_with_safe_load_or_compose() -> None:
    assert offending(UNSAFE_YAML) == []
    assert any("yaml" in code_of(path) for path in ENGINE_FILES), "no YAML reading found"


@pytest.mark.parametrize(
    "content",
    [
        f"- name: X\n  kind: {YAML_PAYLOAD}\n",
        f"- name: {YAML_PAYLOAD}\n",
        f"- {YAML_PAYLOAD}\n",
        f"{YAML_PAYLOAD}\n",
        f"- name: X\n  aliases: [{YAML_PAYLOAD}]\n",
        '- name: X\n  kind: !!python/name:os.system ""\n',
        '- name: X\n  kind: !!python/object/new:subprocess.Popen [["touch", "PWNED"]]\n',
    ],
    ids=["attribute", "name", "entry", "whole-file", "alias", "python-name", "popen"],
)
def test_a_python_tag_in_a_gazetteer_is_refused_or_data(
    workdir: Path, no_processes: list[str], content: str
) -> None:
    (workdir / "gazetteers").mkdir()
    (workdir / "gazetteers" / "places.yaml").write_text(content, encoding="utf-8")
    (workdir / "main.rules").write_text(
        SMALL_SET + 'entity place: gazetteer "gazetteers/places.yaml"\n', encoding="utf-8"
    )
    try:
        rules = engine.load_rules([workdir])
    except engine.RuleSetError as error:
        assert [d.code for d in error.diagnostics] == ["E029"], error
        assert error.diagnostics[0].file.endswith("places.yaml")
    else:
        engine.extract_text(rules, "Alice met Bob in touch PWNED.")
    assert no_processes == []


@pytest.mark.parametrize(
    "manifest",
    [
        f"{SEED.name}:\n  published: {YAML_PAYLOAD}\n",
        f"{SEED.name}: {YAML_PAYLOAD}\n",
        f"{YAML_PAYLOAD}\n",
        f"{SEED.name}:\n  published: 2023-10-27\n  source: {YAML_PAYLOAD}\n",
    ],
    ids=["published", "entry", "whole-file", "source"],
)
def test_a_python_tag_in_a_manifest_runs_nothing(
    workdir: Path, no_processes: list[str], manifest: str
) -> None:
    docs = workdir / "docs"
    docs.mkdir()
    shutil.copyfile(SEED, docs / SEED.name)
    (docs / "manifest.yaml").write_text(manifest, encoding="utf-8")
    code, _, err = run_cli("--rules", str(RULES), "--published", "2023-10-27", str(docs))
    assert code in (0, 1), err
    assert "Traceback" not in err
    assert no_processes == []


# ------------------------------------------------------------------ paths stay inside the set


@pytest.fixture()
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the engine opens from now on, resolved."""
    paths: list[Path] = []
    real_path_open, real_open, real_io_open = Path.open, builtins.open, io.open

    def note(target: object) -> None:
        if isinstance(target, str | os.PathLike):
            paths.append(Path(os.fspath(target)).resolve())

    def path_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        note(self)
        return real_path_open(self, *args, **kwargs)

    def any_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        note(file)
        return real_open(file, *args, **kwargs)

    def any_io_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        note(file)
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(Path, "open", path_open)
    monkeypatch.setattr(builtins, "open", any_open)
    monkeypatch.setattr(io, "open", any_io_open)
    return paths


@pytest.fixture()
def outside(tmp_path: Path) -> dict[str, Path]:
    """Files outside the rule set's folder (tmp/box/set): each would be readable."""
    (tmp_path / "etc").mkdir()
    files = {
        "passwd": tmp_path / "etc" / "passwd",  # reached as ../../etc/passwd from the set
        "rules": tmp_path / "box" / "outside.rules",
        "yaml": tmp_path / "box" / "outside.yaml",
    }
    (tmp_path / "box" / "set").mkdir(parents=True)
    files["passwd"].write_text(f"root:x:0:0:{MARKER}:/root:/bin/sh\n", encoding="utf-8")
    files["rules"].write_text(
        f"rule {MARKER} -> MEET: within sentence: a:actor {MARKER} b:actor\n", encoding="utf-8"
    )
    files["yaml"].write_text(f"- name: {MARKER}\n", encoding="utf-8")
    return files


def assert_refused_unread(
    folder: Path, outside: dict[str, Path], opened: list[Path], loaded_as: Path
) -> None:
    with pytest.raises(engine.RuleSetError) as caught:
        engine.load_rules([loaded_as])
    codes = [d.code for d in caught.value.diagnostics]
    shown = str(caught.value) + "".join(repr(d) for d in caught.value.diagnostics)
    assert MARKER not in shown, f"the outside file's content is shown:\n{shown}"
    assert codes and set(codes) == {"E012"}, shown
    read = sorted({p for p in opened if p in {f.resolve() for f in outside.values()}})
    assert read == [], f"files outside the rule set were opened: {read}"
    code, out, err = run_cli("--rules", str(loaded_as), str(SEED))
    assert code == 2 and out == "" and MARKER not in err and "E012" in err


LEAVING_PATHS = {
    "include-dotdot": 'include "../../etc/passwd"\n',
    "include-absolute": 'include "{passwd}"\n',
    "include-etc-passwd": 'include "/etc/passwd"\n',
    "include-sibling": 'include "../outside.rules"\n',
    "gazetteer-dotdot": 'entity place: gazetteer "../outside.yaml"\n',
    "gazetteer-absolute": 'entity place: gazetteer "{yaml}"\n',
    "gazetteer-in-and-out": 'entity place: gazetteer "gazetteers/../../outside.yaml"\n',
}


@pytest.mark.parametrize("line", LEAVING_PATHS.values(), ids=LEAVING_PATHS.keys())
@pytest.mark.parametrize("loaded_as", ["folder", "file"])
def test_a_path_leaving_the_rule_set_is_refused_and_never_read(
    tmp_path: Path, outside: dict[str, Path], opened: list[Path], line: str, loaded_as: str
) -> None:
    folder = tmp_path / "box" / "set"
    (folder / "gazetteers").mkdir()
    text = SMALL_SET + line.format(passwd=outside["passwd"], yaml=outside["yaml"])
    (folder / "main.rules").write_text(text, encoding="utf-8")
    target = folder if loaded_as == "folder" else folder / "main.rules"
    assert_refused_unread(folder, outside, opened, target)


SYMLINKS = {
    # name of the link inside the set -> (outside file it points to, line that uses it)
    "include-link.rules": ("link.rules", "rules", 'include "link.rules"\n'),
    "include-link.txt": ("link.txt", "rules", 'include "link.txt"\n'),
    "gazetteer-link.yaml": ("link.yaml", "yaml", 'entity place: gazetteer "link.yaml"\n'),
    "link.rules-in-the-folder": ("link.rules", "rules", ""),
    "linked-folder": ("sub", "folder", 'include "sub/outside.rules"\n'),
}


@pytest.mark.parametrize(("link", "points_to", "line"), SYMLINKS.values(), ids=SYMLINKS.keys())
def test_a_symlink_leaving_the_rule_set_is_refused_and_never_read(
    tmp_path: Path,
    outside: dict[str, Path],
    opened: list[Path],
    link: str,
    points_to: str,
    line: str,
) -> None:
    """A symlink inside the folder that points outside it is outside: E012, never opened,
    whether an include names it or the folder is scanned for `.rules` files."""
    folder = tmp_path / "box" / "set"
    target = outside["rules"].parent if points_to == "folder" else outside[points_to]
    try:
        (folder / link).symlink_to(target)
    except OSError:  # pragma: no cover (a system without symlinks)
        pytest.fail("this system cannot make symlinks; the property is untested")
    (folder / "main.rules").write_text(SMALL_SET + line, encoding="utf-8")
    assert_refused_unread(folder, outside, opened, folder)


# ------------------------------------------------------------------ no network at run time


def test_nothing_is_fetched_over_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise OSError(f"network access attempted: {name}")

        return call

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    monkeypatch.setattr(urllib.request, "urlopen", refuse("urllib.request.urlopen"))
    monkeypatch.chdir(ROOT)  # the default ./schemas/ is read too

    rules = engine.load_rules([RULES])
    assert engine.extract_text(rules, SEED.read_text(encoding="utf-8"), published="2023-10-27")
    expected = str(ROOT / "tests" / "expected")
    code, out, err = run_cli("--rules", str(RULES), "--expected", expected, str(SEEDS))
    assert code == 0, err[-2000:]
    assert out
    assert calls == []


# ------------------------------------------------------------------ HTML output is escaped
# The toolkit writes no HTML yet. Until it does, this checks that no engine module writes
# HTML without `html.escape`. The end-to-end test (a report opened in a browser, with a
# document holding `<script>` in its text) belongs with the HTML report feature itself.

HTML_WRITING = re.compile(r"<html|<!doctype html|text/html", re.IGNORECASE)


def test_engine_modules_that_write_html_escape_it() -> None:
    unescaped = [
        path.name
        for path in ENGINE_FILES
        if HTML_WRITING.search(path.read_text(encoding="utf-8"))
        and not re.search(
            r"\bhtml\s*\.\s*escape\s*\(|\bfrom\s+html\s+import\s+escape\b",
            path.read_text(encoding="utf-8"),
        )
    ]
    assert unescaped == []


# ------------------------------------------------------------------ huge and deeply nested input


def test_a_5_mb_rule_file_of_comments_loads(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    line = "# " + "a comment that an analyst wrote and never removed " * 2 + "\n"
    huge = folder / "zz_huge.rules"
    with huge.open("w", encoding="utf-8") as stream:
        for _ in range(5 * 1024 * 1024 // len(line) + 1):
            stream.write(line)
        stream.write("rule after_the_comments -> MEETING:\n")
        stream.write('    within sentence: a:actor "lunched" "with" b:actor\n')
    assert huge.stat().st_size > 5 * 1024 * 1024
    started = time.perf_counter()
    rules = engine.load_rules([folder])
    assert time.perf_counter() - started < 60
    assert "after_the_comments" in {rule.name for rule in rules.relation_rules}


RULE = "rule deep -> MEET: within sentence: a:actor {} b:actor\n"
VETO = 'rule deep -> MEET: within sentence: a:actor "met" b:actor\n    unless {} in sentence\n'
NESTED = {
    # id: (template, opening, innermost, closing, depth)
    # patterns nested far deeper than MAX_NESTING (64): refused with E036
    "groups": (RULE, '("met" ', '"met"', ")", 1000),
    "optional-groups": (RULE, "(", '"met"', ")?", 1000),
    "captures": (RULE, "c:(", '"met"', ")", 1000),
    "veto": (VETO, '("x" ', '"y"', ")", 1000),
    # a regex nested deeper than its compiler allows: refused with E026
    "regex": ("entity deep: regex /{}/\n", "(", "a", ")", 5000),
}


@pytest.mark.parametrize(
    ("template", "opening", "innermost", "closing", "depth"), NESTED.values(), ids=NESTED
)
def test_a_deeply_nested_rule_is_refused_not_a_crash(
    tmp_path: Path, template: str, opening: str, innermost: str, closing: str, depth: int
) -> None:
    nested = opening * depth + innermost + closing * depth
    (tmp_path / "main.rules").write_text(SMALL_SET + template.format(nested), encoding="utf-8")
    with pytest.raises(engine.RuleSetError) as caught:
        engine.load_rules([tmp_path])
    assert {d.code for d in caught.value.diagnostics} <= {"E026", "E036"}, caught.value
    code, _, err = run_cli("--rules", str(tmp_path), str(SEED))
    assert code == 2 and "Traceback" not in err


def seed_paragraph(rules: engine.RuleSet) -> str:
    """The seed's first paragraph in which the shipped rules find a meeting."""
    for paragraph in SEED.read_text(encoding="utf-8").split("\n\n"):
        if engine.extract_text(rules, paragraph, published="2023-10-27"):
            return paragraph.strip()
    raise AssertionError(f"no paragraph of {SEED.name} holds a meeting")


def test_a_20_mb_document_is_processed_or_given_up_in_time(shipped_rules: engine.RuleSet) -> None:
    """20 MB of meeting paragraphs: records, or a DocumentError once the document's time
    limit is spent (the batch reports it and goes on). Processing it whole within the
    limit is a matter of speed (see benchmarks/), not of safety."""
    paragraph = seed_paragraph(shipped_rules)
    copies = 20 * 1024 * 1024 // (len(paragraph) + 2) + 1
    document = "\n\n".join([paragraph] * copies)
    assert len(document) >= 20 * 1024 * 1024
    started = time.perf_counter()
    try:
        records = engine.extract_document(
            shipped_rules,
            engine.Document("big", document, datetime.date(2023, 10, 27)),
            Limits(seconds=10),
        )
    except engine.DocumentError as error:
        assert "ran out of time" in error.reason
    else:
        assert records, "the repeated paragraph holds a meeting; none was found"
    seconds = time.perf_counter() - started
    assert seconds < 10 + 60, f"{seconds:.0f} s for 20 MB with a 10 s limit"


PATHOLOGICAL_LIMIT = 2.0  # seconds a document may take before it is given up ...
PATHOLOGICAL_SLACK = 8.0  # ... and what giving it up may take on top


@pytest.mark.parametrize(
    "shape", ["one-long-sentence", "parentheses", "quotes", "one-token", "dense-names"]
)
def test_a_pathological_document_is_processed_or_given_up_in_time(
    shipped_rules: engine.RuleSet, shape: str
) -> None:
    """Deeply nested or endless text: records, or a DocumentError (the batch reports it
    and goes on) once the document's time limit is spent; never another exception, and
    never much later than the limit."""
    paragraph = seed_paragraph(shipped_rules).replace(".", ",")
    text = {
        "one-long-sentence": " ".join([paragraph] * 100),  # 35 KB without a sentence end
        "parentheses": "(" * 200_000 + paragraph + ")" * 200_000,
        "quotes": "\"'" * 100_000 + paragraph + "'\"" * 100_000,
        "one-token": "x" * 2_000_000,
        "dense-names": " ".join(["Ali Bagheri Kani met Mikhail Bogdanov, Hamas and Iran"] * 3000),
    }[shape]
    document = engine.Document(shape, text, datetime.date(2023, 10, 27))
    started = time.perf_counter()
    try:
        engine.extract_document(shipped_rules, document, Limits(seconds=PATHOLOGICAL_LIMIT))
    except engine.DocumentError:
        pass
    seconds = time.perf_counter() - started
    assert seconds < PATHOLOGICAL_LIMIT + PATHOLOGICAL_SLACK, (
        f"{seconds:.1f} s with a time limit of {PATHOLOGICAL_LIMIT} s"
    )
