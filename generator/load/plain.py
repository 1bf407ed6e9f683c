"""Plain YAML, without positions: what kustomize prints, and YAML held in strings
(``serveConfigV2``, ``runtimeEnvYAML``, patches). libyaml's parser when present.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

YAMLError = yaml.YAMLError
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


@lru_cache(maxsize=256)
def load_embedded(text: str) -> Any:
    """YAML held in a string of an object (``serveConfigV2``), parsed once however many rules
    read it: treat what it returns as read-only. A parse error is raised each time."""
    return load(text)


def load_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=_Loader))


def first_line(error: yaml.YAMLError) -> str:
    """A parse error in one line, for a message that quotes it."""
    return str(error).splitlines()[0]
