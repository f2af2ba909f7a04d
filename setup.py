"""Extension modules for setuptools (everything else is in pyproject.toml).

Where this machine can compile C extensions (a C compiler and Python's headers), the
engine's per-token modules (`[tool.newsrules] compiled` in pyproject.toml) are compiled
to C with mypyc: extraction is about 1.5 times as fast, the records the same bytes
(benchmarks/README.md). Elsewhere, or with NEWSRULES_COMPILE=0, the package is pure
Python; with NEWSRULES_COMPILE=1 a build that cannot compile fails
(backend/newsrules_build.py).

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
# the backend's own reading of the setting, and its build_ext
from newsrules_build import (  # noqa: E402
    BuildExtOrPure,
    cannot_compile,
    compiling,
    required,
    say,
    setting,
)

# the setup.py commands that build the package (not those that only describe it; not
# `develop` nor `editable_wheel`, whose modules would be compiled beside the sources)
BUILDS = {"build", "build_ext", "build_py", "bdist_wheel", "install"}


def extensions(where: Path) -> list[object]:
    """The compiled modules' extensions, when this build compiles (C sources in `where`);
    none when a build left to this machine cannot make them."""
    if not BUILDS & set(sys.argv):
        return []
    if not compiling():
        if setting() == "auto":
            say(f"{cannot_compile()}: installing pure Python")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        if required():
            raise SystemExit(
                "NEWSRULES_COMPILE=1 needs mypy, which has mypyc: pip install mypy"
            ) from None
        say("mypy, which has mypyc, is not installed: installing pure Python")
        return []
    with (HERE / "pyproject.toml").open("rb") as stream:
        modules = tomllib.load(stream)["tool"]["newsrules"]["compiled"]
    paths = [f"engine/{name}.py" for name in modules]
    try:
        return list(mypycify(paths, opt_level="3", target_dir=str(where / "mypyc")))
    except (Exception, SystemExit) as error:  # mypy's own errors end in SystemExit
        if required():
            raise
        say(f"mypyc could not translate the engine ({error!r}): installing pure Python")
        return []


def build_folder() -> Path:
    """A new temporary build folder, removed when the build ends."""
    where = Path(tempfile.mkdtemp(prefix="newsrules-build-"))
    atexit.register(shutil.rmtree, where, True)
    return where


WHERE = build_folder()
setup(
    ext_modules=extensions(WHERE),
    cmdclass={"build_ext": BuildExtOrPure},
    options={"build": {"build_base": str(WHERE)}},
)
