"""Rules check KubeRay-shaped objects: rendered ones and hand-written manifests alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..spec.ref import Path_


@dataclass(frozen=True)
class Finding:
    path: Path_  # in the checked object
    code: str
    message: str
    severity: str = "error"
    hint: str = ""
    key: bool = False  # points at a key (an unknown field), not its value


ObjectRule = Callable[[dict[str, Any]], Iterable[Finding]]
_RULES: dict[str, list[ObjectRule]] = {}


def rule(*kinds: str) -> Callable[[ObjectRule], ObjectRule]:
    """Register a rule for objects of ``kinds`` (``group/version Kind``)."""

    def register(fn: ObjectRule) -> ObjectRule:
        for kind in kinds:
            _RULES.setdefault(kind, []).append(fn)
        return fn

    return register


def check_object(obj: dict[str, Any]) -> list[Finding]:
    key = f"{obj.get('apiVersion')} {obj.get('kind')}"
    out: list[Finding] = []
    for fn in (*_RULES.get(key, ()), *_RULES.get("*", ())):
        out.extend(fn(obj))
    return out


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item
