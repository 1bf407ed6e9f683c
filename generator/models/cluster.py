"""RayCluster, and the cluster body that RayService and RayJob embed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generator.fieldpath import FieldPath
from generator.kuberay.kinds import VOLUME_SPEC
from generator.models.base import (
    Labels,
    Metadata,
    Name,
    NonNegative,
    Positive,
    Quantity,
    QueueRef,
    Ref,
    SecretKeyRef,
    Strict,
    StringMap,
    exactly_one,
)
from generator.models.pod import EnvSource, EnvValue, PodFields, Volume


class NodeGroup(PodFields):
    """What the head and every worker group have: a pod on a compute template."""

    compute_template: Name
    ray_start_params: StringMap = {}
    ray_resources: StringMap = {}  # KubeRay's group `resources` (custom Ray resources)
    ray_labels: StringMap = {}  # KubeRay's group `labels` (Ray node labels)


class HeadGroup(NodeGroup):
    @model_validator(mode="after")
    def _ray_container_first(self) -> HeadGroup:
        _patched_containers(self, "ray-head")
        return self


def _patched_containers(group: NodeGroup, default: str) -> None:
    """A container the podTemplate patch adds goes first, as in any strategic merge patch:
    before the Ray container, which KubeRay takes to be the first. Refused: sidecars go
    under ``sidecars``."""
    known = {group.container_name or default, *(str(c.get("name")) for c in group.sidecars)}
    spec = (group.pod_template or {}).get("spec")
    containers = spec.get("containers") if isinstance(spec, dict) else None
    for item in containers if isinstance(containers, list) else []:
        if isinstance(item, dict) and item.get("name") not in known \
                and item.get("$patch") != "delete":
            raise PydanticCustomError(
                "RG010", "podTemplate adds container '{name}': a strategic merge patch puts it "
                "first, where KubeRay expects the Ray container; add it under sidecars",
                {"name": item.get("name")})


class WorkerGroup(NodeGroup):
    name: Name
    replicas: NonNegative = 1
    min_replicas: NonNegative | None = None
    max_replicas: NonNegative | None = None
    num_of_hosts: Positive = 1
    idle_timeout_seconds: NonNegative | None = None  # autoscaler v2 only

    @model_validator(mode="after")
    def _ray_container_first(self) -> WorkerGroup:
        _patched_containers(self, "ray-worker")
        return self

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
    # the autoscaler container's other settings, as KubeRay writes them (command and args
    # from KubeRay 1.7); the CRD's schema checks them at these lines
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] | None = None
    security_context: dict[str, Any] | None = None
    env_from: list[dict[str, Any]] | None = None
    command: list[str] | None = None
    args: list[str] | None = None
    volume_mounts: list[dict[str, Any]] | None = None
    resources: dict[str, Any] | None = None  # as Kubernetes writes them (over cpu and memory)


class ExternalRedis(Strict):
    """A Redis that ray-gitops does not render: its address and its Secrets."""

    address: str = Field(pattern=r"^(redis://)?[^\s/:]+(:\d+)?$")
    password_secret: SecretKeyRef | None = None  # none: a Redis without a password
    username_secret: SecretKeyRef | None = None


class FaultTolerance(Strict):
    """GCS fault tolerance: the head's state in Redis, so the cluster survives its head."""

    redis: Name | None = None  # a Redis spec
    external: ExternalRedis | None = None
    # options: gcsFaultToleranceOptions (KubeRay >= 1.3); legacy: the ray.io/ft-enabled
    # annotation, RAY_REDIS_ADDRESS and redis-password (the APIServer V1 way)
    method: Literal["options", "legacy"] = "options"
    external_storage_namespace: str | None = Field(default=None, min_length=1)
    # the operator force-removes its Redis cleanup finalizer after this long (default 300)
    deletion_timeout_seconds: Positive | None = None

    @model_validator(mode="after")
    def _one_redis(self) -> FaultTolerance:
        exactly_one(self, ("redis", "external"), "faultTolerance")
        if self.method == "legacy" and self.external and self.external.username_secret:
            raise PydanticCustomError(
                "RG024", "a Redis username needs method: options (gcsFaultToleranceOptions)"
            )
        return self


class AuthOptions(Strict):
    """Ray's token authentication (KubeRay >= 1.5.1; the Secret options from 1.6)."""

    mode: Literal["disabled", "token"] | None = None
    secret_name: Name | None = None  # the token's Secret, managed outside the repository
    enable_k8s_token_auth: bool | None = Field(default=None, alias="enableK8sTokenAuth")


class Monitoring(Strict):
    """Ray's metrics for Prometheus: a PodMonitor (prometheus-operator) for the head and
    the workers, on the port the operator names ``metrics`` (8080) in every Ray pod."""

    enabled: bool = True
    interval: str | None = Field(default=None, pattern=r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?"
                                                        r"(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?"
                                                        r"(([0-9]+)ms)?)$")
    labels: Labels = {}  # of the PodMonitor: what your Prometheus selects (release: ...)


class ClusterBody(Strict):
    """A Ray cluster: what a RayCluster spec holds, and a RayService or RayJob embeds."""

    ray_version: str | None = Field(default=None, pattern=r"^\S+$")
    image: str | None = None
    head: HeadGroup
    worker_groups: list[WorkerGroup] = []
    autoscaling: Autoscaling | None = None
    head_service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] | None = None
    head_service_annotations: StringMap = {}
    restart_generation: NonNegative | None = None
    suspend: bool | None = None
    fault_tolerance: FaultTolerance | None = None
    auth_options: AuthOptions | None = None
    # the head Service, as KubeRay writes headGroupSpec.headService (its metadata and spec);
    # a RayService names it itself (RG060)
    head_service: dict[str, Any] | None = None
    monitoring: Monitoring | None = None

    @property
    def autoscaling_enabled(self) -> bool:
        return self.autoscaling is not None and self.autoscaling.enabled

    def groups(self) -> Iterator[tuple[FieldPath, NodeGroup]]:
        """The head and each worker group, with their paths below the body."""
        yield ("head",), self.head
        for i, group in enumerate(self.worker_groups):
            yield ("workerGroups", i), group

    def references(self, base: FieldPath) -> Iterator[Ref]:
        for path, group in self.groups():
            at = (*base, *path)
            yield Ref("ComputeTemplate", group.compute_template, (*at, "computeTemplate"))
            for i, volume in enumerate(group.volumes):
                volume_at = (*at, "volumes", i)
                if volume.persistent_volume:
                    yield Ref(VOLUME_SPEC, volume.persistent_volume,
                              (*volume_at, "persistentVolume"))
                if volume.config_map:
                    for j, name in enumerate(volume.config_map.files):
                        yield Ref("File", name, (*volume_at, "configMap", "files", j))
        ft = self.fault_tolerance
        if ft and ft.redis:
            yield Ref("Redis", ft.redis, (*base, "faultTolerance", "redis"))


class RayClusterSpec(ClusterBody):
    # Recreate, so that a change merged in git really reaches the pods
    # (KubeRay's default, None, leaves running pods as they are).
    upgrade_strategy: Literal["Recreate", "None"] = "Recreate"
    queue: QueueRef | None = None  # Kueue admits the cluster


class RayCluster(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["RayCluster"]
    metadata: Metadata
    spec: RayClusterSpec

    def references(self) -> Iterator[Ref]:
        return self.spec.references(("spec",))

    def clusters(self) -> Iterator[tuple[FieldPath, ClusterBody]]:
        yield ("spec",), self.spec


__all__ = ["RayCluster", "ClusterBody", "WorkerGroup", "HeadGroup", "Volume", "EnvSource"]

MODELS = (RayCluster,)
