"""Plain YAML, without positions: what kustomize prints, and YAML held in strings
(``serveConfigV2``, ``runtimeEnvYAML``, patches). libyaml's parser when present.
"""

from __future__ import annotations

from typing import Any

import yaml

YAMLError = yaml.YAMLError
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def load_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=_Loader))


def first_line(error: yaml.YAMLError) -> str:
    """A parse error in one line, for a message that quotes it."""
    return str(error).splitlines()[0]
