"""Spec kind -> renderer. Adding a kind means adding a module and a line here.

Renderers are imported when a spec of their kind renders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module

from ..spec.parse import Spec
from .base import Context, Generated, Rendered

Renderer = Callable[[Spec, Context], Sequence[Rendered | Generated]]

# ComputeTemplate renders nothing: groups that use one carry its resources.
RENDERERS: dict[str, str] = {
    "RayCluster": "raycluster:render_raycluster",
    "Redis": "redis:render_redis",
    "PersistentVolume": "volume:render_persistent_volume",
    "RayService": "workloads:render_rayservice",
    "RayJob": "workloads:render_rayjob",
}


def renderer(kind: str) -> Renderer | None:
    target = RENDERERS.get(kind)
    if target is None:
        return None
    module, _, name = target.partition(":")
    found: Renderer = getattr(import_module(f"{__package__}.{module}"), name)
    return found
