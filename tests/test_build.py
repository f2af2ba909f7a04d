"""The build backend (backend/newsrules_build.py): the compiled build asks for mypy, and
an editable install is always pure Python. Its hooks are called with setuptools' own
replaced by recorders, so nothing is built here (`tox -e compiled` builds for real)."""

from __future__ import annotations

import importlib.util
import os
import tomllib
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
    ("value", "compiles"), [(None, False), ("0", False), ("", False), ("1", True)]
)
def test_only_the_compiled_build_asks_for_mypy(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch, value: str | None, compiles: bool
) -> None:
    set_compile(monkeypatch, value)
    wanted = backend.get_requires_for_build_wheel()
    assert wanted[0] == "setuptools-own"
    assert any(w.startswith("mypy") for w in wanted) is compiles
    assert ("types-regex" in wanted) is compiles  # mypyc types the engine as mypy --strict does


@pytest.mark.parametrize("value", ["1", "0", None])
def test_an_editable_install_is_pure_and_the_setting_comes_back(
    backend: ModuleType, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    set_compile(monkeypatch, value)
    requires = backend.get_requires_for_build_editable()
    assert requires == ["setuptools-own", "saw NEWSRULES_COMPILE=None"]
    assert backend.build_editable("dist") == "built, NEWSRULES_COMPILE=None"
    assert backend.prepare_metadata_for_build_editable("meta") == "built, NEWSRULES_COMPILE=None"
    assert os.environ.get("NEWSRULES_COMPILE") == value  # as it was, set or not


def test_the_compiled_modules_are_engine_modules_frozen_among_them() -> None:
    """setup.py and the benchmark read this list; `frozen` is the base of the others'
    pickled values, so it must be compiled with them."""
    with (ROOT / "pyproject.toml").open("rb") as stream:
        modules = tomllib.load(stream)["tool"]["newsrules"]["compiled"]
    assert "frozen" in modules
    assert len(set(modules)) == len(modules)
    for name in modules:
        assert (ROOT / "engine" / f"{name}.py").is_file(), name
