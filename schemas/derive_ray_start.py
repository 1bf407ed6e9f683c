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

import json
import sys
from pathlib import Path
from typing import Any


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


def _same_as_older(path: Path, text: str) -> Path | None:
    """The file of the newest older release, when it says what ``text`` says but for the
    release's number (releases are kept once per change, not once per release)."""
    new = json.loads(text)
    new.pop("x-ray-version")

    def minor(p: Path) -> tuple[int, ...]:
        name = p.parent.name if p.name == "serve-config.json" else p.stem
        return tuple(int(x) for x in name[1:].split("."))
    pattern = "v*/serve-config.json" if path.name == "serve-config.json" else "v*.json"
    base = path.parents[1] if path.name == "serve-config.json" else path.parent
    older = sorted((p for p in base.glob(pattern) if minor(p) < minor(path)), key=minor)
    if not older:
        return None
    found = json.loads(older[-1].read_text(encoding="utf-8"))
    found.pop("x-ray-version")
    return older[-1] if found == new else None


def main(argv: list[str]) -> int:
    derived = derive()
    path = target(derived["x-ray-version"])
    text = json.dumps(derived, indent=1, sort_keys=True) + "\n"
    shown = path.relative_to(path.parents[2])
    same = _same_as_older(path, text)
    if same is not None:  # kept once per change: the older release's file says it
        print(f"same as {same.relative_to(path.parents[3 if path.name == 'serve-config.json' else 2])}")
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
