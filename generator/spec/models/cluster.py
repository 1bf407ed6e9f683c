"""RayCluster, and the cluster body that RayService and RayJob embed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from ..ref import Path_, Ref
from .base import (
    KeyRef,
    Labels,
    Metadata,
    Name,
    NonNegative,
    Positive,
    Quantity,
    ScalarString,
    Strict,
    StringMap,
    Toleration,
)


def _exactly_one(model: Strict, fields: tuple[str, ...], what: str) -> None:
    given = [name for name in fields if getattr(model, name) is not None]
    if len(given) != 1:
        known = type(model).model_fields
        names = ", ".join(known[f].alias or f for f in fields)
        found = ", ".join(known[f].alias or f for f in given) or "none"
        raise PydanticCustomError(
            "RG010", "{what}: give exactly one of {names} (found: {found})",
            {"what": what, "names": names, "found": found},
        )


class ResourceFieldRef(Strict):
    resource: str
    container_name: str | None = None


class EnvSource(Strict):
    """An env value from a Secret, a ConfigMap or the pod itself: never a literal secret."""

    secret_key_ref: KeyRef | None = None
    config_map_key_ref: KeyRef | None = None
    field_ref: str | None = None  # a fieldPath such as status.podIP
    resource_field_ref: ResourceFieldRef | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EnvSource:
        fields = ("secret_key_ref", "config_map_key_ref", "field_ref", "resource_field_ref")
        _exactly_one(self, fields, "env source")
        return self


def _env_kind(value: Any) -> str:
    return "EnvSource" if isinstance(value, dict | EnvSource) else "Value"


# A literal value, or a reference; dispatched on shape so that a wrong value
# gets one error, not one per union member.
EnvValue = Annotated[
    Annotated[ScalarString, Tag("Value")] | Annotated[EnvSource, Tag("EnvSource")],
    Discriminator(_env_kind),
]


class ConfigMapSource(Strict):
    name: Name
    items: StringMap = {}  # key -> path
    default_mode: int | None = Field(default=None, ge=0, le=0o777)


class SecretSource(Strict):
    name: Name
    items: StringMap = {}
    default_mode: int | None = Field(default=None, ge=0, le=0o777)


class HostPathSource(Strict):
    path: str = Field(pattern=r"^/")
    type: Literal["Directory", "File", "DirectoryOrCreate", "FileOrCreate"] = "Directory"


class EmptyDirSource(Strict):
    medium: Literal["", "Memory"] | None = None
    size_limit: Quantity | None = None


class EphemeralSource(Strict):
    size: Quantity
    storage_class_name: str | None = None
    access_mode: Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"] = (
        "ReadWriteOnce"
    )


VOLUME_SOURCES = (
    "persistent_volume_claim",
    "config_map",
    "secret",
    "host_path",
    "empty_dir",
    "ephemeral",
)


class Volume(Strict):
    """A volume and its mount: the APIServer's volume types, one source each."""

    name: Name
    mount_path: str = Field(pattern=r"^/")
    read_only: bool = False
    sub_path: str | None = None
    mount_propagation: Literal["None", "HostToContainer", "Bidirectional"] | None = None
    persistent_volume_claim: Name | None = None  # claim name
    config_map: ConfigMapSource | None = None
    secret: SecretSource | None = None
    host_path: HostPathSource | None = None
    empty_dir: EmptyDirSource | None = None
    ephemeral: EphemeralSource | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Volume:
        _exactly_one(self, VOLUME_SOURCES, "volume source")
        return self


class NodeGroup(Strict):
    """What the head and every worker group have: a pod on a compute template."""

    compute_template: Name
    image: str | None = None
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] | None = None
    ray_start_params: StringMap = {}
    ray_resources: StringMap = {}  # KubeRay's group `resources` (custom Ray resources)
    ray_labels: StringMap = {}  # KubeRay's group `labels` (Ray node labels)
    env: dict[str, EnvValue] = {}
    volumes: list[Volume] = []
    labels: Labels = {}  # pod labels
    annotations: StringMap = {}  # pod annotations
    service_account_name: Name | None = None
    node_selector: StringMap = {}
    tolerations: list[Toleration] = []


class HeadGroup(NodeGroup):
    pass


class WorkerGroup(NodeGroup):
    name: Name
    replicas: NonNegative = 1
    min_replicas: NonNegative | None = None
    max_replicas: NonNegative | None = None
    num_of_hosts: Positive = 1
    idle_timeout_seconds: NonNegative | None = None  # autoscaler v2 only

    def bounds(self, autoscaling: bool) -> tuple[int, int]:
        """minReplicas and maxReplicas as rendered: explicit, never KubeRay's 2^31-1."""
        low = self.min_replicas
        high = self.max_replicas
        if low is None:
            fixed = self.replicas if high is None else min(self.replicas, high)
            low = 0 if autoscaling else fixed
        if high is None:
            high = max(self.replicas, low)
        return low, high


class Autoscaling(Strict):
    enabled: bool = True
    version: Literal["v1", "v2"] | None = None
    idle_timeout_seconds: NonNegative | None = None
    upscaling_mode: Literal["Default", "Aggressive", "Conservative"] | None = None
    image: str | None = None
    cpu: Quantity | None = None
    memory: Quantity | None = None
    env: dict[str, EnvValue] = {}


class ClusterBody(Strict):
    """A Ray cluster: what a RayCluster spec holds, and a RayService or RayJob embeds."""

    ray_version: str | None = Field(default=None, pattern=r"^\d+\.\d+\.\d+")
    image: str | None = None
    head: HeadGroup
    worker_groups: list[WorkerGroup] = []
    autoscaling: Autoscaling | None = None
    head_service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] | None = None
    head_service_annotations: StringMap = {}
    restart_generation: NonNegative | None = None
    suspend: bool | None = None

    @property
    def autoscaling_enabled(self) -> bool:
        return self.autoscaling is not None and self.autoscaling.enabled

    def groups(self) -> Iterator[tuple[Path_, NodeGroup]]:
        """The head and each worker group, with their paths below the body."""
        yield ("head",), self.head
        for i, group in enumerate(self.worker_groups):
            yield ("workerGroups", i), group

    def references(self, base: Path_) -> Iterator[Ref]:
        for path, group in self.groups():
            yield Ref("ComputeTemplate", group.compute_template, (*base, *path, "computeTemplate"))


class RayClusterSpec(ClusterBody):
    # Recreate, so that a change merged in git really reaches the pods
    # (KubeRay's default, None, leaves running pods as they are).
    upgrade_strategy: Literal["Recreate", "None"] = "Recreate"


class RayCluster(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["RayCluster"]
    metadata: Metadata
    spec: RayClusterSpec

    def references(self) -> Iterator[Ref]:
        return self.spec.references(("spec",))


__all__ = ["RayCluster", "ClusterBody", "WorkerGroup", "HeadGroup", "Volume", "EnvSource"]
