"""Repository settings: ``ray-gitops.yaml`` at the repository root (every key optional)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.capacity.pools import CPU, MEMORY, Pool
from generator.capacity.shape import amount
from generator.kuberay.kueue import LATEST_KUEUE, kueue_release
from generator.kuberay.releases import LATEST, RELEASES, Target, release
from generator.models.base import Name, NonNegative, Quantity, Strict, StringMap
from generator.models.compute import Memory, ResourceName

CONFIG_FILE = "ray-gitops.yaml"
DEFAULT_RAY_VERSION = RELEASES[LATEST].ray_version


class Policy(Strict):
    strict: bool = False  # policy warnings become errors
    # warnings (and only warnings) a repository has decided to live with,
    # e.g. [RG101] for a throwaway Redis
    disable: list[Literal["RG033", "RG100", "RG101", "RG102", "RG104"]] = []


class Taint(Strict):
    key: str = Field(min_length=1)
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class NodePool(Strict):
    """One kind of node the Kubernetes cluster has: what one node can give pods
    (its allocatable), how it is labelled and tainted, and how many there can be."""

    cpu: Quantity
    memory: Memory  # a quantity; a bare number is GiB, as in a compute template
    gpus: NonNegative = 0
    gpu_resource: ResourceName = "nvidia.com/gpu"
    resources: dict[ResourceName, Quantity] = {}  # other extended resources (google.com/tpu)
    max_nodes: NonNegative
    labels: StringMap = {}
    taints: list[Taint] = []

    @model_validator(mode="after")
    def _amounts(self) -> NodePool:
        for key, value in (("cpu", self.cpu), ("memory", self.memory), *self.resources.items()):
            if amount(value) is None:
                raise PydanticCustomError(
                    "RG013", "{key}: '{value}' is more than a node can have (2^63 at most)",
                    {"key": key, "value": value})
        return self

    def pool(self, name: str) -> Pool:
        """The pool as the capacity checks read it: what one node offers, in numbers."""
        offered = {CPU: self.cpu, MEMORY: self.memory}
        if self.gpus:
            offered[self.gpu_resource] = str(self.gpus)
        offered.update(self.resources)
        allocatable = {key: found for key, value in offered.items()
                       if (found := amount(value)) is not None}
        return Pool(name, allocatable, self.max_nodes, dict(self.labels),
                    tuple(taint.model_dump() for taint in self.taints))


Action = Literal["Deny", "Warn", "Audit"]
ADMISSION_SINCE = (1, 30)  # ValidatingAdmissionPolicy v1 (GA)


def _actions(actions: list[str] | None) -> list[str] | None:
    """The API server refuses a binding with an action twice, or with Deny and Warn."""
    if actions is not None and (len(set(actions)) != len(actions) or
                                {"Deny", "Warn"} <= set(actions)):
        raise PydanticCustomError("RG010", "validationActions: each at most once, and not "
                                  "both Deny and Warn (the API server refuses the binding)")
    return actions


class Admission(Strict):
    """KubeRay's rules as ValidatingAdmissionPolicies (rendered/admission)."""

    enabled: bool = True
    validation_actions: list[Action] = Field(default=["Deny"], min_length=1)

    @field_validator("validation_actions")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        return _actions(value) or value


class AdmissionOverride(Strict):
    enabled: bool | None = None
    validation_actions: list[Action] | None = Field(default=None, min_length=1)

    @field_validator("validation_actions")
    @classmethod
    def _once(cls, value: list[str] | None) -> list[str] | None:
        return _actions(value)


class Environment(Strict):
    """Settings of one overlay (an environment) that differ from the repository's."""

    node_pools: dict[Name, NodePool] | None = None
    admission: AdmissionOverride | None = None


class Settings(Strict):
    # the operator release the manifests must satisfy (a key of RELEASES, or a patch: 1.6.2)
    kuberay_version: str = LATEST
    # the operator's --feature-gates, over the release's defaults
    feature_gates: dict[str, bool] = {}
    kubernetes_version: str = Field(default="1.33", pattern=r"^v?1\.\d+(\.\d+)?$")
    ray_version: str = Field(default=DEFAULT_RAY_VERSION, pattern=r"^\d+\.\d+\.\d+$")
    # the Kueue release that queues the specs with a queue (what its webhooks accept)
    kueue_version: str = LATEST_KUEUE
    # folders, relative to the repository root and inside it
    specs: str = "specs"
    rendered: str = "rendered"
    overlays: str = "overlays"
    policy: Policy = Policy.model_construct()  # no validator built at import
    # the nodes pods can run on; every pod template must fit one (optional)
    node_pools: dict[Name, NodePool] = {}
    # per overlay, by its folder name: nodePools where an environment's nodes differ
    environments: dict[str, Environment] = {}
    # validated when rendered (generator.delivery), so commands that do not
    # render it do not pay for its models
    delivery: dict[str, Any] | None = None
    # KubeRay's rules as ValidatingAdmissionPolicies, rendered into rendered/admission
    admission: Admission | None = None

    @field_validator("admission")
    @classmethod
    def _served(cls, value: Admission | None, info: ValidationInfo) -> Admission | None:
        version = str(info.data.get("kubernetes_version", "1.33")).lstrip("v").split(".")
        if value is not None and value.enabled and (int(version[0]), int(version[1])) < ADMISSION_SINCE:
            raise PydanticCustomError("RG010", "ValidatingAdmissionPolicy v1 needs Kubernetes "
                                      "1.30 or later (kubernetesVersion)")
        return value

    def admission_actions(self, environment: str | None = None) -> list[str] | None:
        """The binding's validationActions for an environment; None when it has no policies."""
        base = self.admission
        chosen = self.environments.get(environment) if environment else None
        override = chosen.admission if chosen else None
        enabled = override.enabled if override and override.enabled is not None else \
            bool(base and base.enabled)
        if not enabled:
            return None
        if override and override.validation_actions:
            return list(override.validation_actions)
        return list(base.validation_actions) if base else ["Deny"]

    @field_validator("specs", "rendered", "overlays")
    @classmethod
    def _folder(cls, value: str) -> str:
        parts = value.replace("\\", "/").split("/")
        if value.startswith("/") or not value.strip() or any(p in ("", ".", "..") for p in parts) \
                or parts[0].lower() == ".git" or any(ord(c) < 32 for c in value):
            raise PydanticCustomError(
                "RG045", "'{value}' must be a folder inside the repository, such as rendered "
                "or deploy/rendered (no '..', '.', absolute path or .git)", {"value": value})
        return value

    @field_validator("kuberay_version", "kueue_version")
    @classmethod
    def _release(cls, value: str, info: ValidationInfo) -> str:
        """A KubeRay or a Kueue release ray-gitops knows, in its own spelling."""
        known = release if info.field_name == "kuberay_version" else kueue_release
        try:
            return known(value).version
        except ValueError as exc:
            raise PydanticCustomError("RG010", "{problem}", {"problem": str(exc)}) from None

    @field_validator("feature_gates")
    @classmethod
    def _gates(cls, value: dict[str, bool], info: ValidationInfo) -> dict[str, bool]:
        """The gates of the release: refused where they are written, with the words the
        --feature-gates flag gets."""
        version = info.data.get("kuberay_version")
        if isinstance(version, str):
            try:
                Target.of(version, value)
            except ValueError as exc:
                raise PydanticCustomError("RG010", "{problem}", {"problem": str(exc)}) from None
        return value

    @property
    def target(self) -> Target:
        return Target.of(self.kuberay_version, self.feature_gates)

    def pools(self, environment: str | None = None) -> tuple[Pool, ...]:
        """The node pools of an environment (an overlay's name), else the repository's."""
        chosen = self.environments.get(environment) if environment else None
        found = chosen.node_pools if chosen and chosen.node_pools is not None else self.node_pools
        return tuple(pool.pool(name) for name, pool in found.items())
