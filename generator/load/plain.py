"""Plain YAML, without positions: what kustomize prints, and YAML held in strings
(``serveConfigV2``, ``runtimeEnvYAML``, patches). libyaml's parser when present.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from generator.load.limits import MAX_DEPTH, block_too_deep, flow_too_deep

YAMLError = yaml.YAMLError
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_TEXT = 4 * 2**20  # characters of YAML in one string (a Serve config, a patch)
MAX_EXPANDED = 200_000  # values once aliases are expanded: what the rules walk


class LimitError(yaml.YAMLError):
    """YAML held in a string that is past the limits spec files have: refused before (or
    instead of) walking it, so that a kilobyte of anchors cannot cost gigabytes."""


def load(text: str) -> Any:
    """Plain YAML under the same budget as spec files: size, nesting, and the values the
    rules would walk once aliases are expanded."""
    _bounded_text(text)
    return _bounded_value(yaml.load(text, Loader=_Loader))


def _bounded_text(text: str) -> None:
    if len(text) > MAX_TEXT:
        raise LimitError(f"{len(text)} characters of YAML in one string; the limit is {MAX_TEXT}")
    if flow_too_deep(text) is not None or block_too_deep(text) is not None:
        raise LimitError(f"nesting deeper than {MAX_DEPTH} levels")


def _bounded_value(value: Any) -> Any:
    """``value``, unless walking it visits more than MAX_EXPANDED values (an alias visited
    once per reference, as every rule that reads it would)."""
    stack, count = [value], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_EXPANDED:
            raise LimitError(f"more than {MAX_EXPANDED} values once its aliases are expanded")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return value


@lru_cache(maxsize=256)
def load_embedded(text: str) -> Any:
    """YAML held in a string of an object (``serveConfigV2``), parsed once however many rules
    read it: treat what it returns as read-only. A parse error is raised each time."""
    return load(text)


def load_all(text: str) -> list[Any]:
    """Every document of a stream (kustomize's output), each under the same budget."""
    return [_bounded_value(doc) for doc in yaml.load_all(text, Loader=_Loader)]


def first_line(error: yaml.YAMLError) -> str:
    """A parse error in one line, for a message that quotes it."""
    return str(error).splitlines()[0]
