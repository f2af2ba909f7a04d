"""The build backend: setuptools', which compiles the engine's per-token modules when it can.

`pip install .` builds the modules listed under `[tool.newsrules] compiled` in
pyproject.toml into C extensions with mypyc (setup.py) when this machine has what that
takes, a C compiler and Python's headers; mypy, which has mypyc, is then a build
requirement. Without them, or when the compilation fails, the package is pure Python:
the same records, slower. `NEWSRULES_COMPILE` decides otherwise:

    unset or "auto"   compile when this machine can, else pure Python (the default)
    "0" (or "no", "false", "off")
                      pure Python
    "1" (or anything else: "yes", "true", "on")
                      compile, and fail the install when that is not possible

An editable install (`pip install -e .`) is always pure Python, NEWSRULES_COMPILE or not:
compiled modules built beside the sources would go on running after the sources change.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  (the rest of the backend, as it is)
from setuptools.command.build_ext import build_ext
from setuptools.errors import BaseError, CCompilerError

SETTING = "NEWSRULES_COMPILE"

# mypy (which has mypyc), and what it needs to type the engine as `tox -e type` does
MYPY = [
    "mypy>=1.10",
    "lark>=1.1.9",
    "ahocorasick-rs>=1.0",  # typed: its stubs come with it
    "orjson>=3.8",  # typed too
    "types-regex",
    "types-PyYAML",
    "types-jsonschema",
    "types-tqdm",
]


def setting() -> str:
    """What NEWSRULES_COMPILE asks for: "auto", "0" (pure Python) or "1" (compiled)."""
    value = os.environ.get(SETTING, "").strip().lower()
    if value in ("", "auto"):
        return "auto"
    return "0" if value in ("0", "no", "false", "off") else "1"


def cannot_compile() -> str | None:
    """Why this machine cannot build C extensions for this Python; None when it can."""
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        return "no Python headers (Python.h; on Debian: python3-dev)"
    return None


def compiling() -> bool:
    """Does this build compile? Asked for (1), or left to this machine (auto) and it can."""
    wanted = setting()
    return wanted == "1" or (wanted == "auto" and cannot_compile() is None)


def required() -> bool:
    """Must this build compile, failing when it cannot? (NEWSRULES_COMPILE=1)"""
    return setting() == "1"


def say(message: str) -> None:
    """A line for whoever watches the build (pip shows it with -v)."""
    print(f"newsrules: {message}", file=sys.stderr, flush=True)


class BuildExtOrPure(build_ext):
    """setuptools' build_ext, except that a compiled build left to this machine (auto)
    that fails leaves the package pure Python, and says why, instead of failing the
    install: whatever extension was built is removed, so that no compiled module stands
    beside the pure ones without the rest of its build."""

    def run(self) -> None:
        try:
            super().run()
        except (BaseError, CCompilerError, OSError) as error:
            if required():
                raise
            self.drop_outputs()
            say(f"the compiled build failed ({error}): installing pure Python")

    def drop_outputs(self) -> None:
        for path in self.get_outputs():
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)


def get_requires_for_build_wheel(config_settings: dict[str, object] | None = None) -> list[str]:
    extra = MYPY if compiling() else []
    return [*build_meta.get_requires_for_build_wheel(config_settings), *extra]


def get_requires_for_build_editable(
    config_settings: dict[str, object] | None = None,
) -> list[str]:
    with _pure():
        return list(build_meta.get_requires_for_build_editable(config_settings))


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, object] | None = None,
    metadata_directory: str | None = None,
) -> str:
    with _pure():
        return str(build_meta.build_editable(wheel_directory, config_settings, metadata_directory))


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: dict[str, object] | None = None
) -> str:
    with _pure():
        made = build_meta.prepare_metadata_for_build_editable(metadata_directory, config_settings)
        return str(made)


@contextlib.contextmanager
def _pure() -> Iterator[None]:
    """NEWSRULES_COMPILE=0 for the time of an editable build, as it was afterwards."""
    saved = os.environ.get(SETTING)
    os.environ[SETTING] = "0"
    try:
        yield
    finally:
        if saved is None:
            del os.environ[SETTING]
        else:
            os.environ[SETTING] = saved
