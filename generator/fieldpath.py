"""A field's path inside a document or an object: keys and list indexes."""

from __future__ import annotations

FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    """``("spec", "workerGroups", 0, "name")`` -> ``spec.workerGroups[0].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
