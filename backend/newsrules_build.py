"""The build backend: setuptools', asking for mypy too when the build compiles.

`NEWSRULES_COMPILE=1 pip install .` builds the modules listed under
`[tool.newsrules] compiled` in pyproject.toml into C extensions with mypyc (setup.py);
mypy, which has mypyc, is then a build requirement. A plain `pip install .` needs neither
mypy nor a C compiler and installs pure Python.

An editable install (`pip install -e .`) is always pure Python, NEWSRULES_COMPILE or not:
compiled modules built beside the sources would go on running after the sources change.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  (the rest of the backend, as it is)

# mypy (which has mypyc), and what it needs to type the engine as `tox -e type` does
MYPY = [
    "mypy>=1.10",
    "lark>=1.1.9",
    "ahocorasick-rs>=1.0",  # typed: its stubs come with it
    "types-regex",
    "types-PyYAML",
    "types-jsonschema",
    "types-tqdm",
]


def compiling() -> bool:
    """Does this build compile? (NEWSRULES_COMPILE set, and not to 0.)"""
    return os.environ.get("NEWSRULES_COMPILE", "0").strip() not in ("", "0")


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
    """NEWSRULES_COMPILE unset for the time of an editable build."""
    saved = os.environ.pop("NEWSRULES_COMPILE", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["NEWSRULES_COMPILE"] = saved
