"""The spec kinds, in one table: adding a kind is one module per layer and one line here.

Models and renderers are named, not imported: a kind's module loads when a spec
of that kind is first parsed or rendered, so a pre-commit hook on one RayCluster
file never pays for the RayService models (pydantic classes cost milliseconds each).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

API_VERSION = "ray-gitops/v1alpha1"


@dataclass(frozen=True)
class SpecKind:
    name: str
    model: str  # module:class under generator.models
    renderer: str | None  # module:function under generator.render; None renders nothing
    outputs: tuple[str, ...]  # the kinds of the objects it renders
    cluster: tuple[str, ...] | None = None  # where its cluster body sits below `spec`


KINDS: dict[str, SpecKind] = {kind.name: kind for kind in (
    # a ComputeTemplate renders nothing: the groups that use one carry its resources
    SpecKind("ComputeTemplate", "compute:ComputeTemplate", None, ()),
    SpecKind("RayCluster", "cluster:RayCluster", "raycluster:render_raycluster",
             ("RayCluster", "ConfigMap", "PodMonitor"), ()),
    SpecKind("Redis", "redis:Redis", "redis:render_redis",
             ("StatefulSet", "Service", "ConfigMap", "NetworkPolicy")),
    SpecKind("PersistentVolume", "volume:PersistentVolume", "volume:render_persistent_volume",
             ("PersistentVolume", "PersistentVolumeClaim")),
    SpecKind("RayService", "workloads:RayService", "workloads:render_rayservice",
             ("RayService", "ConfigMap", "PodMonitor"), ("cluster",)),
    SpecKind("RayJob", "workloads:RayJob", "workloads:render_rayjob",
             ("RayJob", "ConfigMap", "PodMonitor"), ("cluster",)),
    SpecKind("RayCronJob", "workloads:RayCronJob", "workloads:render_raycronjob",
             ("RayCronJob", "ConfigMap", "PodMonitor"), ("job", "cluster")),
)}
KIND_NAMES = tuple(KINDS)
CLUSTER_KINDS = tuple(kind.name for kind in KINDS.values() if kind.cluster is not None)


@cache
def _named(package: str, target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(import_module(f"generator.{package}.{module}"), name)


def model_class(kind: str) -> Any:
    """The pydantic model of a spec kind."""
    return _named("models", KINDS[kind].model)


def renderer(kind: str) -> Callable[..., Any] | None:
    """The renderer of a spec kind: a pure function from a spec to plain objects."""
    target = KINDS[kind].renderer if kind in KINDS else None
    return None if target is None else _named("render", target)


def renders(kind: str) -> bool:
    """Whether specs of ``kind`` render objects of their own (without importing how)."""
    return kind in KINDS and KINDS[kind].renderer is not None


def cluster_body(kind: str, data: Any) -> Any:
    """A spec document's cluster body (plain data), or None."""
    found = KINDS.get(kind)
    if found is None or found.cluster is None or not isinstance(data, dict):
        return None
    body: Any = data.get("spec")
    for key in found.cluster:
        body = body.get(key) if isinstance(body, dict) else None
    return body if isinstance(body, dict) else None
