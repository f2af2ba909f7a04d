"""Load a rule set: find its files, follow includes, parse, check, compile.

`load_rules` is the one entry point; it raises `RuleSetError` with every diagnostic of
the set, or returns an immutable `RuleSet` ready for any number of documents.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path

from . import cache
from . import syntax as s
from .check import Diagnostics, check, inside_root, is_file
from .compile import RuleSet, compile_rule_set
from .errors import RuleSetError, byte_position, source_lines
from .parse import parse_text

RULE_SUFFIX = ".rules"


def shown(path: Path) -> str:
    """A path as an analyst typed it: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Loader(Diagnostics):
    def __init__(self) -> None:
        super().__init__({})
        self.files: list[s.RuleFile] = []
        self.roots: dict[str, Path] = {}
        self.loaded: set[Path] = set()
        self.digest = hashlib.sha256()

    def add_path(self, path: Path) -> None:
        if not path.exists():
            self.report("E010", f"`{path}` does not exist", s.Span(str(path), 1, 1))
            return
        if path.is_dir():
            root = path.resolve()
            for file in sorted(p for p in path.rglob(f"*{RULE_SUFFIX}") if p.is_file()):
                if not file.resolve().is_relative_to(root):  # a link leading out
                    self.report(
                        "E012",
                        f"`{shown(file)}` leads outside the rule set's folder",
                        s.Span(shown(file), 1, 1),
                        "rule files must stay inside it",
                    )
                    continue
                self.add_file(file, root, [])
        else:
            self.add_file(path, path.resolve().parent, [])

    def add_file(self, path: Path, root: Path, stack: list[Path]) -> None:
        real = path.resolve()
        if real in self.loaded:
            return
        self.loaded.add(real)
        name = shown(path)
        text = self._read(path, name)
        if text is None:
            return
        self.digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        self.lines[name] = source_lines(text)
        self.roots[name] = root
        parsed, problems = parse_text(text, name)
        self.problems.extend(problems)
        self.files.append(parsed)
        for item in parsed.items:
            if isinstance(item, s.Include):
                self._include(item, root, [*stack, real])

    def _include(self, include: s.Include, root: Path, stack: list[Path]) -> None:
        target = inside_root(include.path, include.span, root, self.report)
        if target is None:
            return
        if target in stack:
            chain = " -> ".join(shown(p) for p in [*stack[stack.index(target) :], target])
            self.report("E011", f"files include each other in a circle: {chain}", include.span)
        elif not is_file(target):
            self.report(
                "E010",
                f"the included file `{include.path}` does not exist",
                include.span,
                f"looked for {shown(target)}",
            )
        else:
            self.add_file(target, root, stack)

    def _read(self, path: Path, name: str) -> str | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self.report("E003", f"this file cannot be read ({error.strerror})", s.Span(name, 1, 1))
            return None
        if b"\0" in data:
            self.report(
                "E003", "this is not a text file (it holds binary data)", s.Span(name, 1, 1)
            )
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line, column = byte_position(data, error.start)
            self.lines[name] = source_lines(data.decode("utf-8", "replace"))
            self.report(
                "E003",
                f"this file is not UTF-8 text (byte 0x{data[error.start]:02x})",
                s.Span(name, line, column),
                "save the file as UTF-8",
            )
            return None


def load_rules(paths: Sequence[str | Path], cache_folder: Path | None = None) -> RuleSet:
    """Parse, check and compile the rule files at `paths` (files or folders). With a
    `cache_folder`, a rule set compiled before from the same files is read from there
    instead (see engine/cache.py), and a newly compiled one is kept there. The cycle
    collector is off while the rule set is made (cache.uncollected)."""
    entry = cache.key(paths) if cache_folder is not None else None
    if cache_folder is not None and entry is not None:
        cached = cache.load(cache_folder, entry)
        if cached is not None:
            try:
                return cached.ready()
            except Exception:  # damaged in a way unpickling did not notice: compile again
                pass
    with cache.uncollected():
        rule_set = _compiled(paths)
    if cache_folder is not None and entry is not None:
        cache.store(cache_folder, entry, rule_set)
    return rule_set.ready()


def _compiled(paths: Sequence[str | Path]) -> RuleSet:
    loader = _Loader()
    for path in paths:
        loader.add_path(Path(path))
    symbols, problems = check(loader.files, loader.roots, loader.lines)
    errors = [d for d in loader.problems + problems if d.severity == "error"]
    if any(d.code != "E032" for d in errors):  # "no rules" says nothing when rules failed
        errors = [d for d in errors if d.code != "E032"]
    if errors:
        raise RuleSetError(sorted(errors, key=lambda d: (d.file, d.line, d.column, d.code)))
    for content in sorted(symbols.gazetteers):
        loader.digest.update(content.encode() + repr(symbols.gazetteers[content]).encode())
    rule_set = compile_rule_set(symbols, loader.digest.hexdigest())
    warnings = tuple(d for d in loader.problems + problems if d.severity == "warning")
    return dataclasses.replace(rule_set, warnings=warnings)
