"""Extension modules for setuptools (everything else is in pyproject.toml).

With NEWSRULES_COMPILE=1, the engine's per-token modules (`[tool.newsrules] compiled` in
pyproject.toml) are compiled to C with mypyc: extraction is about 1.4 times as fast, the
records the same bytes (benchmarks/README.md). Without it, the package is pure Python.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def extensions() -> list[object]:
    if os.environ.get("NEWSRULES_COMPILE", "0").strip() in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        if "egg_info" in sys.argv:  # the backend asking what the build needs: mypy, then
            return []
        raise SystemExit(
            "NEWSRULES_COMPILE=1 needs mypy, which has mypyc: pip install mypy"
        ) from None

    with (HERE / "pyproject.toml").open("rb") as stream:
        modules = tomllib.load(stream)["tool"]["newsrules"]["compiled"]
    return list(mypycify([f"engine/{name}.py" for name in modules], opt_level="3"))


setup(ext_modules=extensions())
