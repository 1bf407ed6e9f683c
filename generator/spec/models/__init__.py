"""The spec kinds; adding one means adding a module and a line in KIND_MODULES.

Kinds are imported when first needed: a pre-commit hook on one RayCluster file
never pays for the RayService models (pydantic classes cost milliseconds each).
"""

from __future__ import annotations

from importlib import import_module

from .base import API_VERSION, Metadata, Strict

KIND_MODULES: dict[str, str] = {
    "ComputeTemplate": "compute",
    "RayCluster": "cluster",
    "Redis": "redis",
    "PersistentVolume": "volume",
    "RayService": "workloads",
    "RayJob": "workloads",
}
KIND_NAMES = tuple(KIND_MODULES)


def model_class(kind: str) -> type[Strict]:
    module = import_module(f"{__name__}.{KIND_MODULES[kind]}")
    cls: type[Strict] = getattr(module, kind)
    return cls


def all_kinds() -> dict[str, type[Strict]]:
    return {kind: model_class(kind) for kind in KIND_NAMES}


__all__ = ["API_VERSION", "KIND_NAMES", "Metadata", "all_kinds", "model_class"]
