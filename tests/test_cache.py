"""The compiled rule set kept on disk: a warm start reads it instead of compiling, any
change to a rule file, gazetteer or the engine makes a new entry, and a cache file cannot
be made to run code."""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import RULES

from engine import cache, ruleset
from engine.cli import main
from engine.ruleset import load_rules


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def compile_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = ruleset._compiled

    def counted(paths):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(paths)

    monkeypatch.setattr(ruleset, "_compiled", counted)
    return calls


def test_a_warm_start_reads_the_rule_set_compiled_before(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = compile_count(monkeypatch)
    first = load_rules([rules_copy], tmp_path / "cache")
    second = load_rules([rules_copy], tmp_path / "cache")
    assert len(calls) == 1
    # the same rules and gazetteers read back (regexes are compiled again from their
    # source, and compiled patterns compare by identity: their sources are compared)
    assert second.digest == first.digest
    assert second.relations == first.relations
    assert [r.name for r in second.entity_rules] == [r.name for r in first.entity_rules]
    assert [r.pattern for r in second.relation_rules] == [r.pattern for r in first.relation_rules]
    for name, entity in first.entities.items():
        again = second.entities[name]
        assert again.gazetteers == entity.gazetteers
        assert [(p.pattern, p.flags) for p in again.regexes] == [
            (p.pattern, p.flags) for p in entity.regexes
        ]
    assert list((tmp_path / "cache").glob("*.ruleset"))


@pytest.mark.parametrize("changed", ["meeting.rules", "gazetteers/actors.yaml"])
def test_a_changed_file_is_compiled_again(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str
) -> None:
    calls = compile_count(monkeypatch)
    load_rules([rules_copy], tmp_path / "cache")
    path = rules_copy / changed
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    load_rules([rules_copy], tmp_path / "cache")
    assert len(calls) == 2


def test_a_new_rule_file_is_compiled_again(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = compile_count(monkeypatch)
    before = load_rules([rules_copy], tmp_path / "cache")
    (rules_copy / "extra.rules").write_text(
        'rule met_extra -> MEETING: within sentence: a:actor "greeted" b:actor\n',
        encoding="utf-8",
    )
    after = load_rules([rules_copy], tmp_path / "cache")
    assert len(calls) == 2
    assert "met_extra" in {r.name for r in after.relation_rules}
    assert "met_extra" not in {r.name for r in before.relation_rules}


def test_the_cached_rules_find_the_same_records(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = compile_count(monkeypatch)

    def run() -> str:
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["--rules", str(rules_copy), str(RULES.parent / "seeds")],
            stdout=out, stderr=err, stdin=io.StringIO(""),
        )  # fmt: skip
        assert code == 0, err.getvalue()
        return out.getvalue()

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    cold = run()
    assert list((tmp_path / "cache").glob("*.ruleset"))
    warm = run()
    assert len(calls) == 1  # the second run read the rules from the cache
    assert warm == cold and cold.count("\n") >= 10


class Payload:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, ("touch PWNED",))


def test_a_tampered_cache_file_runs_no_code(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "cache"
    load_rules([rules_copy], folder)
    (entry,) = folder.glob("*.ruleset")
    entry.write_bytes(pickle.dumps(Payload()))
    again = load_rules([rules_copy], folder)  # refused, so compiled afresh
    assert not (tmp_path / "PWNED").exists()
    assert again.relation_rules


def _misspelt_module(data: bytes) -> bytes:
    return data.replace(b"engine.compile", b"engine.compilf", 1)


def _huge_length(data: bytes) -> bytes:
    return b"\x80\x05\x8e" + (2**40).to_bytes(8, "little") + b"abc"


def _no_preparation(data: bytes) -> bytes:
    # a rule set that reads back well but has no preparation: only making it ready fails
    rule_set = cache._DataUnpickler(io.BytesIO(data)).load()
    with tempfile.TemporaryDirectory() as folder:
        cache.store(Path(folder), "x", dataclasses.replace(rule_set, preparation=None))
        return (Path(folder) / "x.ruleset").read_bytes()


@pytest.mark.parametrize("damage", [_misspelt_module, _huge_length, _no_preparation])
def test_a_damaged_cache_file_is_compiled_again_and_replaced(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    calls = compile_count(monkeypatch)
    folder = tmp_path / "cache"
    first = load_rules([rules_copy], folder)
    (entry,) = folder.glob("*.ruleset")
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    again = load_rules([rules_copy], folder)
    assert len(calls) == 2
    assert again.digest == first.digest and again.preparation is not None
    load_rules([rules_copy], folder)  # the damaged entry was replaced: a warm start
    assert len(calls) == 2


def test_only_the_engines_dataclasses_are_built() -> None:
    for module, name in [("os", "system"), ("builtins", "eval"), ("engine.cli", "main"),
                         ("engine.cache", "store"), ("subprocess", "Popen")]:  # fmt: skip
        with pytest.raises(pickle.UnpicklingError, match="may not build"):
            cache._DataUnpickler(io.BytesIO(b"")).find_class(module, name)


def test_a_cache_file_others_could_write_is_ignored(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = compile_count(monkeypatch)
    folder = tmp_path / "cache"
    load_rules([rules_copy], folder)
    (entry,) = folder.glob("*.ruleset")
    assert entry.stat().st_mode & 0o777 == 0o600
    entry.chmod(0o666)
    load_rules([rules_copy], folder)
    assert len(calls) == 2


def test_caching_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.default_folder() is None
    monkeypatch.setenv(cache.CACHE_ENV, "/somewhere")
    assert cache.default_folder() == Path("/somewhere")


def test_rule_locations_follow_the_working_folder(
    rules_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locations are shown relative to where extract runs: an entry made elsewhere must
    not show another folder's paths."""
    monkeypatch.chdir(rules_copy.parent)
    here = load_rules(["rules"], tmp_path / "cache")
    monkeypatch.chdir(tmp_path.parent)
    there = load_rules([rules_copy], tmp_path / "cache")
    assert here.relation_rules[0].location.startswith("rules/meeting.rules:")
    assert there.relation_rules[0].location.startswith(f"{tmp_path.name}/rules/meeting.rules:")


@pytest.mark.parametrize("cached", [False, True], ids=["compiled", "read from the cache"])
def test_loading_rules_leaves_the_callers_collector_as_it_was(
    rules_copy: Path, tmp_path: Path, cached: bool
) -> None:
    """The collector is off while a rule set is made, and on again after; what the
    caller held then and drops later is collected (nothing of it was frozen)."""
    import gc
    import weakref

    class Node:
        pass

    held = Node()
    held.me = held  # type: ignore[attr-defined]  # a cycle: only the collector frees it
    gone = weakref.ref(held)
    if cached:
        load_rules([rules_copy], tmp_path / "cache")  # fills the cache
    load_rules([rules_copy], tmp_path / "cache" if cached else None)
    assert gc.isenabled()
    del held
    gc.collect()
    assert gone() is None


def test_the_command_line_keeps_its_rule_set_out_of_the_collectors_sight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`extract` runs with one rule set: once made, its objects are in no generation of
    the cycle collector (gc.freeze), so its passes, and forked workers, leave them alone."""
    import gc

    from engine import cli

    made = []

    def loading(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(load_rules(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(cli, "load_rules", loading)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--rules", str(RULES), "--no-cache", "-"], stdout=out, stderr=err,
                stdin=io.StringIO("")) == 0, err.getvalue()  # fmt: skip
    (rules,) = made
    (gazetteer, *_) = rules.entities["actor"].gazetteers
    kept = [rules.relations, next(iter(gazetteer.exact.values())), rules.relation_rules]
    kept.append(rules.rules_by_anchor)  # made when the rule set is made ready
    assert all(gc.is_tracked(thing) for thing in kept)
    collected = {id(thing) for generation in (0, 1, 2) for thing in gc.get_objects(generation)}
    assert not [thing for thing in kept if id(thing) in collected]
