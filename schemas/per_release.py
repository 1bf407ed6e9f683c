"""What the scripts that derive a file per Ray release share: one file per change.

A release whose derived file would say what the newest older release's file says (but for
the release number) gets none: readers take the newest file at or below a release.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _minor(path: Path) -> tuple[int, ...]:
    name = path.parent.name if path.name == "serve-config.json" else path.stem
    return tuple(int(x) for x in name[1:].split("."))


def same_as_older(path: Path, text: str) -> Path | None:
    """The file of the newest older release, when it says what ``text`` says."""
    new = json.loads(text)
    new.pop("x-ray-version")
    nested = path.name == "serve-config.json"  # ray-serve/v2.52/serve-config.json
    base = path.parents[1] if nested else path.parent
    pattern = "v*/serve-config.json" if nested else "v*.json"
    older = sorted((p for p in base.glob(pattern) if _minor(p) < _minor(path)), key=_minor)
    if not older:
        return None
    found = json.loads(older[-1].read_text(encoding="utf-8"))
    found.pop("x-ray-version")
    return older[-1] if found == new else None


def write(derived: dict[str, Any], path: Path, argv: list[str], root: Path) -> int:
    """Write ``derived`` to ``path`` (``--check``: say whether it is current); nothing when
    the older release's file says the same. ``root``: what paths are shown relative to."""
    text = json.dumps(derived, indent=1, sort_keys=True) + "\n"
    shown = path.relative_to(root)
    same = same_as_older(path, text)
    if same is not None:
        print(f"same as {same.relative_to(root)}")
        return 0
    if "--check" in argv:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"stale: {shown}")
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {shown}")
    return 0
