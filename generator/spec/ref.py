"""A reference from one spec to another, by kind and name."""

from __future__ import annotations

from dataclasses import dataclass

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Ref:
    """``kind`` named ``name``, referred to at ``path`` of the referring document."""

    kind: str
    name: str
    path: Path_
