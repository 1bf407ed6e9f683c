"""Spec kind -> renderer. Adding a kind means adding a module and a line here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..spec.parse import Spec
from .base import Context, Generated, Rendered
from .raycluster import render_raycluster
from .redis import render_redis
from .volume import render_persistent_volume
from .workloads import render_rayjob, render_rayservice

Renderer = Callable[[Spec, Context], Sequence[Rendered | Generated]]

RENDERERS: dict[str, Renderer] = {
    # ComputeTemplate renders nothing: groups that use one carry its resources.
    "RayCluster": render_raycluster,
    "Redis": render_redis,
    "PersistentVolume": render_persistent_volume,
    "RayService": render_rayservice,
    "RayJob": render_rayjob,
}
