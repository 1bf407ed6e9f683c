"""RayService (Ray Serve on a cluster of its own) and RayJob (a job and its cluster)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from generator.fieldpath import FieldPath
from generator.models.base import Metadata, Name, NonNegative, Positive, QueueRef, Ref, Strict
from generator.models.cluster import ClusterBody


class ServiceUpgrade(Strict):
    """How a cluster-level change reaches a running RayService."""

    # the operator decides in rayservice_controller.go, shouldPrepareNewCluster

    # OperatorDefault renders no upgradeStrategy: the operator's ENABLE_ZERO_DOWNTIME decides
    # (a new cluster unless it is "false"); what an import writes when the source has none
    type: Literal["NewCluster", "NewClusterWithIncrementalUpgrade", "None",
                  "OperatorDefault"] = "NewCluster"
    # NewClusterWithIncrementalUpgrade only: traffic moves by Gateway API HTTPRoute weights
    max_surge_percent: int | None = Field(default=None, ge=0, le=100)
    step_size_percent: int | None = Field(default=None, ge=0, le=100)
    interval_seconds: Positive | None = None
    gateway_class_name: str | None = Field(default=None, min_length=1)

    @property
    def incremental(self) -> bool:
        return self.type == "NewClusterWithIncrementalUpgrade"

    @model_validator(mode="after")
    def _incremental_options(self) -> ServiceUpgrade:
        options = ("max_surge_percent", "step_size_percent", "interval_seconds",
                   "gateway_class_name")
        given = [name for name in options if getattr(self, name) is not None]
        if not self.incremental:
            if given:
                raise PydanticCustomError(
                    "RG062", "{names} apply to NewClusterWithIncrementalUpgrade only",
                    {"names": ", ".join(type(self).model_fields[n].alias or n for n in given)})
            return self
        missing = [type(self).model_fields[n].alias or n for n in options[1:] if n not in given]
        if missing:
            raise PydanticCustomError(
                "RG062", "NewClusterWithIncrementalUpgrade needs {missing} (traffic moves "
                "through a Gateway API HTTPRoute, in steps)", {"missing": ", ".join(missing)})
        surge = 100 if self.max_surge_percent is None else self.max_surge_percent
        if self.step_size_percent is not None and self.step_size_percent > surge:
            raise PydanticCustomError(
                "RG062", "stepSizePercent must be <= maxSurgePercent ({step} > {surge})",
                {"step": self.step_size_percent, "surge": surge})
        return self


def _upgrade(value: Any) -> Any:
    return {"type": value} if isinstance(value, str) else value


class RayServiceSpec(Strict):
    cluster: ClusterBody
    # Ray Serve's own config format (`serve build` output, snake_case keys), as YAML
    serve_config: dict[str, Any] | None = None
    serve_config_file: str | None = Field(default=None, min_length=1)
    upgrade_strategy: Annotated[
        ServiceUpgrade, BeforeValidator(_upgrade, json_schema_input_type=str | ServiceUpgrade)
    ] = ServiceUpgrade()
    exclude_head_pod_from_serve_svc: bool | None = None
    serve_service: dict[str, Any] | None = None  # KubeRay's serveService (metadata, spec)
    ray_cluster_deletion_delay_seconds: NonNegative | None = None
    queue: QueueRef | None = None  # Kueue admits the service's cluster

    @model_validator(mode="after")
    def _one_config(self) -> RayServiceSpec:
        if (self.serve_config is None) == (self.serve_config_file is None):
            raise PydanticCustomError(
                "RG010", "give exactly one of serveConfig, serveConfigFile"
            )
        if self.upgrade_strategy.incremental and not self.cluster.autoscaling_enabled:
            raise PydanticCustomError(
                "RG062", "upgradeStrategy NewClusterWithIncrementalUpgrade needs "
                "cluster.autoscaling: the new cluster scales up with its target capacity")
        return self


class RayService(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["RayService"]
    metadata: Metadata
    spec: RayServiceSpec

    def clusters(self) -> Iterator[tuple[FieldPath, ClusterBody]]:
        yield ("spec", "cluster"), self.spec.cluster

    def references(self) -> Iterator[Ref]:
        yield from self.spec.cluster.references(("spec", "cluster"))
        if self.spec.serve_config_file:
            yield Ref("ServeConfigFile", self.spec.serve_config_file, ("spec", "serveConfigFile"))


class EntrypointResources(Strict):
    num_cpus: float | None = Field(default=None, ge=0)
    num_gpus: float | None = Field(default=None, ge=0)
    resources: dict[str, float] = {}


class RayJobSpec(Strict):
    entrypoint: str | None = Field(default=None, min_length=1)  # none in InteractiveMode
    runtime_env: dict[str, Any] | None = None  # rendered to runtimeEnvYAML
    cluster: ClusterBody | None = None
    cluster_selector: Name | None = None  # a RayCluster spec in this repository
    shutdown_after_job_finishes: bool | None = None
    ttl_seconds_after_finished: NonNegative | None = None
    active_deadline_seconds: Positive | None = None
    backoff_limit: NonNegative | None = None
    submission_mode: Literal["K8sJobMode", "HTTPMode", "InteractiveMode", "SidecarMode"] | None = None
    suspend: bool | None = None
    entrypoint_resources: EntrypointResources | None = None
    job_id: str | None = None
    metadata: dict[str, str] = {}
    # KubeRay's deletionStrategy as it is (onSuccess/onFailure, or deletionRules): the CRD's
    # schema, its CEL rules and the operator's rules check it, at these lines
    deletion_strategy: dict[str, Any] | None = None
    # the submitter Job's pod and settings, as KubeRay writes them (CRD schema checked)
    submitter_pod_template: dict[str, Any] | None = None
    submitter_config: dict[str, Any] | None = None
    queue: QueueRef | None = None  # Kueue admits the job (and its cluster)

    @model_validator(mode="after")
    def _entrypoint(self) -> RayJobSpec:
        if self.entrypoint is None and self.submission_mode != "InteractiveMode" \
                and self.submitter_pod_template is None:
            raise PydanticCustomError("RG010", "give an entrypoint (only submissionMode "
                                      "InteractiveMode, or a submitterPodTemplate that runs the "
                                      "job itself, goes without)")
        return self

    def clusters(self, base: FieldPath) -> Iterator[tuple[FieldPath, ClusterBody]]:
        if self.cluster is not None:
            yield (*base, "cluster"), self.cluster

    def references(self, base: FieldPath) -> Iterator[Ref]:
        if self.cluster is not None:
            yield from self.cluster.references((*base, "cluster"))
        if self.cluster_selector:
            yield Ref("RayCluster", self.cluster_selector, (*base, "clusterSelector"))


class RayJob(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["RayJob"]
    metadata: Metadata
    spec: RayJobSpec

    def clusters(self) -> Iterator[tuple[FieldPath, ClusterBody]]:
        return self.spec.clusters(("spec",))

    def references(self) -> Iterator[Ref]:
        return self.spec.references(("spec",))

    def job_at(self) -> tuple[RayJobSpec, FieldPath]:
        """Its job, and where the spec keeps it."""
        return self.spec, ("spec",)


class RayCronJobSpec(Strict):
    """A RayJob on a schedule (KubeRay >= 1.6, behind the operator's RayCronJob gate)."""

    schedule: str = Field(min_length=1)  # standard cron: five fields, or @daily and the like
    time_zone: str | None = None  # an IANA zone (KubeRay >= 1.7); else the operator's
    suspend: bool | None = None
    job: RayJobSpec  # each run is a RayJob named <name>-<unix minute>


class RayCronJob(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["RayCronJob"]
    metadata: Metadata
    spec: RayCronJobSpec

    def clusters(self) -> Iterator[tuple[FieldPath, ClusterBody]]:
        return self.spec.job.clusters(("spec", "job"))

    def references(self) -> Iterator[Ref]:
        return self.spec.job.references(("spec", "job"))

    def job_at(self) -> tuple[RayJobSpec, FieldPath]:
        """Its job template, and where the spec keeps it."""
        return self.spec.job, ("spec", "job")


MODELS = (RayService, RayJob, RayCronJob)
