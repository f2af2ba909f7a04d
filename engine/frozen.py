"""Frozen values that travel as the call that makes them.

The rule set is pickled to the disk cache and to worker processes. Pickle rebuilds an
ordinary object by creating it empty and setting its fields one by one, which a frozen
dataclass compiled with mypyc refuses (see docs/scale.md, "A compiled build"). A `Frozen`
dataclass is pickled instead as its class called with its fields, in their order: the
same object in either build.
"""

from __future__ import annotations

import dataclasses
from typing import Any


class Frozen:
    """Base of the frozen dataclasses that are pickled (every field is set by __init__)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        return type(self), tuple(getattr(self, field.name) for field in fields)
