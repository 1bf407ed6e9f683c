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


def value_at(node: object, path: FieldPath) -> object:
    """What a path reaches in plain data (keys of mappings, indexes of lists); None when
    the way is not there."""
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node
