"""Redis for GCS fault tolerance: one hardened, single-replica instance.

KubeRay supports standalone Redis only (Ray docs, kuberay-gcs-persistent-ft).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generator.kuberay.kinds import CLUSTER_SPEC_KINDS, VOLUME_SPEC
from generator.models.base import Metadata, Name, Quantity, Ref, SecretKeyRef, Strict

# pinned, and patched: 7.4.6 has the fixes for CVE-2025-49844 (Lua use-after-free) and earlier
REDIS_IMAGE = "redis:7.4.6"


class Persistence(Strict):
    """Append-only persistence on a claim the StatefulSet creates, or on a declared volume."""

    enabled: bool = True
    size: Quantity | None = None
    storage_class_name: str | None = None
    persistent_volume: Name | None = None  # a PersistentVolume spec

    @model_validator(mode="after")
    def _where(self) -> Persistence:
        if not self.enabled:
            return self
        if self.persistent_volume and (self.size or self.storage_class_name):
            raise PydanticCustomError(
                "RG010", "persistence: give persistentVolume, or size and storageClassName, not both"
            )
        if not self.persistent_volume and not self.size:
            raise PydanticCustomError("RG010", "persistence: give a size (or a persistentVolume)")
        return self


class RedisResources(Strict):
    cpu: Quantity = "250m"
    memory: Quantity = "512Mi"


class RedisSpec(Strict):
    image: str = REDIS_IMAGE
    password_secret: SecretKeyRef  # managed outside the repository
    persistence: Persistence | None = None
    resources: RedisResources = RedisResources.model_construct()  # no validator built at import
    # default: every cluster whose faultTolerance names this Redis
    allowed_clusters: list[Name] | None = Field(default=None, min_length=1)


class Redis(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["Redis"]
    metadata: Metadata
    spec: RedisSpec

    def references(self) -> Iterator[Ref]:
        persistence = self.spec.persistence
        if persistence and persistence.enabled and persistence.persistent_volume:
            yield Ref(VOLUME_SPEC, persistence.persistent_volume,
                      ("spec", "persistence", "persistentVolume"))
        for i, name in enumerate(self.spec.allowed_clusters or ()):
            yield Ref("|".join(CLUSTER_SPEC_KINDS), name, ("spec", "allowedClusters", i))

MODELS = (Redis,)
