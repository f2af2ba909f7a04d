"""The build backend (backend/newsrules_build.py): a build compiles where it can (or as
NEWSRULES_COMPILE says) and then asks for mypy; an editable install is always pure
Python; a compilation left to the machine that fails leaves a pure-Python package. The
hooks are called with setuptools' own replaced by recorders (`tox -e compiled` builds the
engine for real); the fallback is tried on small C extensions, built here."""

from __future__ import annotations

import importlib.util
import os
import sysconfig
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT


def load_backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "newsrules_build_under_test", ROOT / "backend" / "newsrules_build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The backend, with setuptools' hooks answering what they saw of the environment."""
    module = load_backend()
    setuptools_hooks = module.build_meta

    def requires(config_settings: object = None) -> list[str]:
        return ["setuptools-own", f"saw NEWSRULES_COMPILE={os.environ.get('NEWSRULES_COMPILE')}"]

    def build(*args: object) -> str:
        return f"built, NEWSRULES_COMPILE={os.environ.get('NEWSRULES_COMPILE')}"

    for name in ("get_requires_for_build_wheel", "get_requires_for_build_editable"):
        monkeypatch.setattr(setuptools_hooks, name, requires)
    for name in ("build_editable", "prepare_metadata_for_build_editable"):
        monkeypatch.setattr(setuptools_hooks, name, build)
    return module


def set_compile(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    """NEWSRULES_COMPILE set to `value`, or unset (None), for the test."""
    if value is None:
        monkeypatch.delenv("NEWSRULES_COMPILE", raising=False)
    else:
        monkeypatch.setenv("NEWSRULES_COMPILE", value)


@pytest.mark.parametrize(
    ("value", "machine_can", "compiles"),
    [
        (None, True, True),  # the default: compile where the machine can
        (None, False, False),
        ("auto", True, True),
        ("auto", False, False),
        ("0", True, False),
        ("false", True, False),
        ("No", True, False),
        ("1", True, True),
        ("yes", False, True),
        ("1", False, True),  # asked for: tried, and the build fails if it cannot
    ],
)
def test_a_build_asks_for_mypy_when_it_compiles(
    backend: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
    machine_can: bool,
    compiles: bool,
) -> None:
    set_compile(monkeypatch, value)
    monkeypatch.setattr(
        backend, "cannot_compile", lambda: None if machine_can else "no C compiler (cc)"
    )
    wanted = backend.get_requires_for_build_wheel()
    assert wanted[0] == "setuptools-own"
    assert any(w.startswith("mypy") for w in wanted) is compiles
    assert ("types-regex" in wanted) is compiles  # mypyc types the engine as mypy --strict does


def test_a_machine_without_a_compiler_or_headers_cannot_compile(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CC", "no-such-compiler-here --flag")
    assert backend.cannot_compile() == "no C compiler (no-such-compiler-here)"
    monkeypatch.setenv("CC", "true")  # a program that exists
    paths = {**sysconfig.get_paths(), "include": str(tmp_path)}  # no Python.h there
    monkeypatch.setattr(backend.sysconfig, "get_paths", lambda: paths)
    assert "no Python headers" in backend.cannot_compile()


@pytest.mark.parametrize("value", ["1", "0", None])
def test_an_editable_install_is_pure_and_the_setting_comes_back(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    set_compile(monkeypatch, value)
    monkeypatch.setattr(backend, "cannot_compile", lambda: None)  # a machine that could
    requires = backend.get_requires_for_build_editable()
    assert requires == ["setuptools-own", "saw NEWSRULES_COMPILE=0"]
    assert backend.build_editable("dist") == "built, NEWSRULES_COMPILE=0"
    assert backend.prepare_metadata_for_build_editable("meta") == "built, NEWSRULES_COMPILE=0"
    assert os.environ.get("NEWSRULES_COMPILE") == value  # as it was, set or not


GOOD_C = """
#include <Python.h>
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "%s", NULL, -1, NULL};
PyMODINIT_FUNC PyInit_%s(void) { return PyModule_Create(&module); }
"""


def build_extensions(backend: ModuleType, where: Path, sources: dict[str, str]) -> list[Path]:
    """Run the backend's build_ext on C extensions (name -> source) in `where`; the
    extension files it was to make."""
    from setuptools import Distribution, Extension

    for name, source in sources.items():
        (where / f"{name}.c").write_text(source, encoding="utf-8")
    extensions = [Extension(name, [str(where / f"{name}.c")]) for name in sources]
    distribution = Distribution({"name": "probe", "ext_modules": extensions})
    command = backend.BuildExtOrPure(distribution)
    command.build_lib = str(where / "lib")
    command.build_temp = str(where / "temp")
    command.ensure_finalized()
    outputs = [Path(path) for path in command.get_outputs()]
    command.run()
    return outputs


@pytest.mark.parametrize("value", [None, "auto"])
def test_a_compilation_that_fails_leaves_no_extension_when_left_to_the_machine(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str | None
) -> None:
    """The first extension compiles, the second does not: the package must hold neither
    (a compiled module without the rest of its build would be imported before the pure
    one), and the install goes on."""
    set_compile(monkeypatch, value)
    sources = {"first": GOOD_C % ("first", "first"), "second": "this is not C;\n"}
    outputs = build_extensions(backend, tmp_path, sources)
    assert len(outputs) == 2
    assert list((tmp_path / "temp").rglob("first*.o")), "the first one was not compiled"
    assert not any(path.exists() for path in outputs)


def test_a_compilation_that_fails_fails_the_build_when_asked_for(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from setuptools.errors import CompileError

    set_compile(monkeypatch, "1")
    with pytest.raises(CompileError):
        build_extensions(backend, tmp_path, {"second": "this is not C;\n"})


def test_a_compilation_that_works_keeps_its_extensions(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    set_compile(monkeypatch, None)
    sources = {name: GOOD_C % (name, name) for name in ("first", "second")}
    outputs = build_extensions(backend, tmp_path, sources)
    assert len(outputs) == 2
    assert all(path.is_file() for path in outputs)


def test_the_compiled_modules_are_engine_modules_frozen_among_them() -> None:
    """setup.py and the benchmark read this list; `frozen` is the base of the others'
    pickled values, so it must be compiled with them."""
    with (ROOT / "pyproject.toml").open("rb") as stream:
        modules = tomllib.load(stream)["tool"]["newsrules"]["compiled"]
    assert "frozen" in modules
    assert len(set(modules)) == len(modules)
    for name in modules:
        assert (ROOT / "engine" / f"{name}.py").is_file(), name


def test_the_build_can_type_what_the_compiled_modules_import() -> None:
    """mypyc types the compiled modules, and the engine modules they import, in the
    build's own environment (the backend's MYPY list), not in this one: every other
    package imported there must be in that list with its types (itself, or its `types-`
    stubs), or the import must say it is untyped, else the compiled build fails."""
    import ast
    import importlib.metadata
    import re
    import sys

    with (ROOT / "pyproject.toml").open("rb") as stream:
        waiting = list(tomllib.load(stream)["tool"]["newsrules"]["compiled"])

    def normal(name: str) -> str:  # a distribution's name as PEP 503 compares them
        return re.sub(r"[-_.]+", "-", name).lower()

    typed = {normal(re.split(r"[<>=\[]", line)[0]) for line in load_backend().MYPY}
    distributions = importlib.metadata.packages_distributions()
    seen: set[str] = set()
    untyped: list[str] = []
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        path = ROOT / "engine" / f"{name}.py"
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level:  # from .other import ...
                local = [node.module] if node.module else [a.name for a in node.names]
                waiting.extend(local)  # (from . import syntax)
                continue
            if isinstance(node, ast.ImportFrom) and node.module:
                found = [node.module]
            elif isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            else:
                continue
            for module in (m.split(".")[0] for m in found):
                if module in sys.stdlib_module_names or module == "engine":
                    continue
                if "type: ignore" in lines[node.lineno - 1]:
                    continue
                names = {normal(d) for d in distributions.get(module, [module])}
                if not names & typed and not {f"types-{d}" for d in names} & typed:
                    untyped.append(f"engine/{name}.py:{node.lineno}: {module}")
    assert "pipeline" in seen and "documents" in seen  # (the closure was followed)
    assert untyped == []
