"""Spec kind -> renderer. Adding a kind means adding a module and a line here."""

from __future__ import annotations

from collections.abc import Callable

from ..spec.parse import Spec
from .base import Context, Rendered
from .raycluster import render_raycluster

Renderer = Callable[[Spec, Context], list[Rendered]]

RENDERERS: dict[str, Renderer] = {
    # ComputeTemplate renders nothing: groups that use one carry its resources.
    "RayCluster": render_raycluster,
}
