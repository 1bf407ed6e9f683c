"""Derive the options of ``ray start`` from Ray's own command line.

Run ``python schemas/derive_ray_start.py [--check]`` where ``ray`` of the targeted version
is installed (not a dependency of ray-gitops). It writes
``schemas/ray-start/v<major.minor>.json``: every option of ``ray.scripts.scripts.start``
(the click command ``ray start`` is), with what it takes: ``flag`` (no value),
``int``, ``float``, ``choice`` (with its choices) or ``text``. The operator writes each
rayStartParams entry as ``--key=value`` (``--key`` for "true"), and ``ray start`` refuses
an option it does not have, or a value of the wrong type: the node never starts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from per_release import write


def derive() -> dict[str, Any]:
    import click
    import ray
    from ray.scripts.scripts import start

    options: dict[str, Any] = {}
    for param in start.params:
        if not isinstance(param, click.Option):
            continue
        kind = _kind(param, click)
        for opt in (*param.opts, *param.secondary_opts):
            if opt.startswith("--"):
                options[opt[2:]] = kind
    return {"x-ray-version": ray.__version__, "options": dict(sorted(options.items()))}


def _kind(param: Any, click: Any) -> Any:
    if param.is_flag:
        return "flag"
    kind = param.type
    if isinstance(kind, click.Choice):
        return {"choice": list(kind.choices)}
    name = getattr(kind, "name", "")
    if name in ("integer", "int"):
        return "int"
    if name == "float":
        return "float"
    if name == "boolean":
        return "bool"
    return "text"


def target(version: str) -> Path:
    minor = ".".join(version.split(".")[:2])
    return Path(__file__).resolve().parent / "ray-start" / f"v{minor}.json"


def main(argv: list[str]) -> int:
    derived = derive()
    path = target(derived["x-ray-version"])
    return write(derived, path, argv, path.parents[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
