"""The compiled rule set, kept on disk between runs: a warm start does not recompile.

An entry is keyed by the SHA-256 of the engine's own source, of every file in the rule
set's folders (the rule files, their includes and gazetteers all live there) and of the
working folder (rule locations are shown relative to it), so any change to these makes
a new key and the old entry is never used.

What is stored is data, and is read back as data: the unpickler below builds nothing
but the engine's own frozen dataclasses, plain containers and regexes recompiled from
their source text, so a tampered cache file cannot run code. Entries are written to a
folder only the user can read (0700), and an entry that another user could have written
is ignored. Automata (the phrase index, gazetteers) are built again from their phrases
when read, never unpickled.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import gc
import hashlib
import importlib
import io
import os
import pickle
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import regex

from .compile import RuleSet

CACHE_ENV = "NEWSRULES_CACHE"  # a folder, or "off"
MAX_FILES = 5_000  # a rule set's folders holding more are not cached (not a rule set)
MAX_BYTES = 500 * 1024 * 1024
ENGINE = Path(__file__).resolve().parent


def default_folder() -> Path | None:
    """$NEWSRULES_CACHE, else $XDG_CACHE_HOME/newsrules, else ~/.cache/newsrules; None
    when caching is off (NEWSRULES_CACHE=off)."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return None if chosen.lower() in {"off", "0", "no"} else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsrules"


def key(paths: Sequence[str | Path]) -> str | None:
    """The entry's key: the engine's source and every file of the rule set's folders;
    None when a folder is too big to be a rule set (then nothing is cached)."""
    digest = hashlib.sha256()
    # rule locations are shown relative to the working folder, so it is part of the key
    digest.update(str(Path.cwd().resolve()).encode() + b"\0")
    for source in sorted(ENGINE.glob("*.py")) + sorted(ENGINE.glob("*.lark")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    count = size = 0
    try:
        for given in paths:
            path = Path(given).resolve()
            root = path if path.is_dir() else path.parent
            digest.update(b"\1" + str(path).encode())
            for file in sorted(p for p in root.rglob("*") if p.is_file()):
                count += 1
                size += file.stat().st_size
                if count > MAX_FILES or size > MAX_BYTES:
                    return None
                digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    except OSError:  # a file that cannot be read: not cached (loading it says what is wrong)
        return None
    return digest.hexdigest()


def load(folder: Path, entry: str) -> RuleSet | None:
    """The cached rule set, or None (no entry, or one that cannot be trusted or read)."""
    path = folder / f"{entry}.ruleset"
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        data = path.read_bytes()
        with uncollected():
            found = _DataUnpickler(io.BytesIO(data)).load()
    except Exception:  # a damaged entry (a flipped byte can raise almost anything): a miss
        return None
    return found if isinstance(found, RuleSet) else None


@contextlib.contextmanager
def uncollected(freeze: bool = False) -> Iterator[None]:
    """Making a rule set: hundreds of thousands of objects, none of them garbage. The
    cycle collector is kept off while they are made, or its passes walk them again and
    again (0.4 s of a cold compile of 1.7 s). With `freeze`, for a process the rule set
    lives as long as (the command line), everything made so far is kept out of the
    collector's sight for good (gc.freeze): its next passes would walk it all again
    (0.08 s of a warm start), and in forked workers write to every page of it (and so
    copy it). A library caller keeps its collector as it was: what it drops is
    collected."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if collecting:
            gc.enable()


def store(folder: Path, entry: str, rules: RuleSet) -> None:
    """Keep the rule set under its key (atomically; a failure to write is not an error)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, regex.Pattern: _pattern_source}
        pickler.dump(rules)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(buffer.getvalue())
        os.chmod(temporary, 0o600)
        os.replace(temporary, folder / f"{entry}.ruleset")
    except OSError:
        return


def compiled_regex(source: str, flags: int) -> regex.Pattern[str]:
    """A regex read back from the cache: compiled again from its source."""
    return regex.compile(source, flags)


def _pattern_source(pattern: regex.Pattern[str]) -> tuple[Any, tuple[str, int]]:
    return compiled_regex, (pattern.pattern, pattern.flags)


_BUILTINS = frozenset({"frozenset", "set", "tuple", "list", "dict", "int", "str", "bool"})
_FUNCTIONS = frozenset({("engine.cache", "compiled_regex")})


class _DataUnpickler(pickle.Unpickler):
    """Builds only the engine's dataclasses, containers and recompiled regexes."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _BUILTINS:
            return super().find_class(module, name)
        if (module, name) in _FUNCTIONS:
            return super().find_class(module, name)
        if module.startswith("engine.") and "." not in name and not name.startswith("_"):
            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"the cache may not build {module}.{name}")
