"""Extension modules for setuptools (everything else is in pyproject.toml).

With NEWSRULES_COMPILE=1, the engine's per-token modules (`[tool.newsrules] compiled` in
pyproject.toml) are compiled to C with mypyc: extraction is about 1.6 times as fast, the
records the same bytes (benchmarks/README.md). Without it, the package is pure Python.

Every build happens in a new temporary folder, never in ./build: setuptools puts in a
wheel whatever its build folder holds, and a compiled module left there by an earlier
build would be shipped (and imported before the source) by a later, pure one.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "backend"))
from newsrules_build import compiling  # noqa: E402  (the backend's own test of the setting)

# the setup.py commands that build the package (not those that only describe it; not
# `develop` nor `editable_wheel`, whose modules would be compiled beside the sources)
BUILDS = {"build", "build_ext", "build_py", "bdist_wheel", "install"}


def extensions(where: Path) -> list[object]:
    """The compiled modules' extensions, when this build compiles (C sources in `where`)."""
    if not compiling() or not BUILDS & set(sys.argv):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit(
            "NEWSRULES_COMPILE=1 needs mypy, which has mypyc: pip install mypy"
        ) from None
    with (HERE / "pyproject.toml").open("rb") as stream:
        modules = tomllib.load(stream)["tool"]["newsrules"]["compiled"]
    paths = [f"engine/{name}.py" for name in modules]
    return list(mypycify(paths, opt_level="3", target_dir=str(where / "mypyc")))


def build_folder() -> Path:
    """A new temporary build folder, removed when the build ends."""
    where = Path(tempfile.mkdtemp(prefix="newsrules-build-"))
    atexit.register(shutil.rmtree, where, True)
    return where


WHERE = build_folder()
setup(
    ext_modules=extensions(WHERE),
    options={"build": {"build_base": str(WHERE)}},
)
