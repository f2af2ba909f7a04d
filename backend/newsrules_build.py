"""The build backend: setuptools', asking for mypy too when the build compiles.

`NEWSRULES_COMPILE=1 pip install .` builds the modules listed under
`[tool.newsrules] compiled` in pyproject.toml into C extensions with mypyc (setup.py);
mypy, which has mypyc, is then a build requirement. A plain `pip install .` needs neither
mypy nor a C compiler and installs pure Python.
"""

from __future__ import annotations

import os

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  (the rest of the backend, as it is)

# mypy (which has mypyc), and what it needs to type the engine as `tox -e type` does
MYPY = [
    "mypy>=1.10",
    "lark>=1.1.9",
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
    extra = MYPY if compiling() else []
    return [*build_meta.get_requires_for_build_editable(config_settings), *extra]
