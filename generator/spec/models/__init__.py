"""The spec kinds; adding one means adding a module and a line in KINDS."""

from __future__ import annotations

from .base import API_VERSION, Metadata, Strict
from .cluster import ClusterBody, RayCluster
from .compute import ComputeTemplate
from .redis import Redis
from .volume import PersistentVolume
from .workloads import RayJob, RayService

KINDS: dict[str, type[Strict]] = {
    "ComputeTemplate": ComputeTemplate,
    "RayCluster": RayCluster,
    "Redis": Redis,
    "PersistentVolume": PersistentVolume,
    "RayService": RayService,
    "RayJob": RayJob,
}

__all__ = ["API_VERSION", "KINDS", "ClusterBody", "ComputeTemplate", "Metadata", "RayCluster"]
