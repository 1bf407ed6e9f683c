"""ComputeTemplate: the resources of a Ray pod, as the KubeRay APIServer models them."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from generator.kuberay.vocabulary import EXTENDED_RESOURCE, quantity_value
from generator.models.base import (
    Metadata,
    NonNegative,
    Quantity,
    Selector,
    Strict,
    Toleration,
    _number_text,
    _quantity,
)


def _memory(value: Any) -> str:
    # A bare number means GiB, as in the APIServer (its memory_unit defaults to "Gi"):
    # 4, 0.5 and 1.5 alike. A string is a Kubernetes quantity, and needs its unit.
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise PydanticCustomError("RG013", "'{value}': must not be negative", {"value": value})
        return f"{_number_text(value)}Gi"
    if isinstance(value, str) and re.match(r"^\s*\d+(\.\d+)?[KMGTPE]i?B\s*$", value):
        number = value.strip().rstrip("B").rstrip("i")
        raise PydanticCustomError("RG013", "'{value}' is not a Kubernetes quantity: write "
                                  "{number}i (binary) or {number} (decimal)",
                                  {"value": value.strip(), "number": number})
    text = _quantity(value)
    if text.replace(".", "", 1).isdigit():
        raise PydanticCustomError(
            "RG013", "'{value}' as a string is {value} bytes: write {value}Gi (or {value}G), "
            "or the number {value} without quotes for GiB", {"value": text})
    return text


def _resource_name(value: str) -> str:
    """An extended resource name, as the API server checks a container's resources:
    fully qualified (``vendor.com/name``), outside the kubernetes.io domains."""
    domain = value.partition("/")[0]
    if not EXTENDED_RESOURCE.match(value) or domain.endswith("kubernetes.io"):
        raise PydanticCustomError(
            "RG013", "'{value}' is not an extended resource name (such as nvidia.com/gpu): "
            "the API server rejects the pod. A GPU model goes into a nodeSelector "
            "(nvidia.com/gpu.product: {value}) or a toleration, not here", {"value": value})
    return value


Memory = Annotated[str, BeforeValidator(_memory, json_schema_input_type=str | int | float)]
ResourceName = Annotated[str, AfterValidator(_resource_name)]


LIMITABLE = ("cpu", "memory", "ephemeralStorage")  # requests and limits may differ
RESOURCE_NAMES = {"cpu": "cpu", "memory": "memory", "ephemeralStorage": "ephemeral-storage"}


class Requests(Strict):
    """Requests below the limits: what the scheduler reserves, when it is less than what
    the container may use."""

    cpu: Quantity | None = None
    memory: Memory | None = None
    ephemeral_storage: Quantity | None = None


class ComputeTemplateSpec(Strict):
    """A pod's resources: each amount is the Ray container's limit and request, unless
    ``requests`` lowers the request or ``unlimited`` leaves the limit out. Ray sees the
    limit (else the request): the amounts are what a node has."""

    cpu: Quantity | None = None
    memory: Memory | None = None
    gpu: NonNegative = 0
    gpu_accelerator: ResourceName = Field(default="nvidia.com/gpu", min_length=1)
    extended_resources: dict[ResourceName, Quantity] = {}
    ephemeral_storage: Quantity | None = None
    huge_pages: dict[Annotated[str, Field(pattern=r"^[0-9]+[KMGT]i$")], Quantity] = {}
    requests: Requests | None = None
    unlimited: list[Literal["cpu", "memory", "ephemeralStorage"]] = []
    tolerations: list[Toleration] = []
    node_selector: Selector = {}

    @model_validator(mode="after")
    def _requests_within_limits(self) -> ComputeTemplateSpec:
        lowered = self.requests.model_dump(by_alias=True, exclude_none=True) if self.requests else {}
        for key in [*lowered, *self.unlimited]:
            if getattr(self, _snake(key)) is None:
                raise PydanticCustomError(
                    "RG013", "{key} has no amount to request or limit: set {key} first",
                    {"key": key})
        for key, value in lowered.items():
            if key in self.unlimited:
                raise PydanticCustomError(
                    "RG013", "{key} is unlimited: its amount is its request, write it there",
                    {"key": key})
            if quantity_value(value) > quantity_value(getattr(self, _snake(key))):
                raise PydanticCustomError(
                    "RG013", "the {key} request {value} is above its limit {limit}: the API "
                    "server refuses the pod", {"key": key, "value": value,
                                               "limit": getattr(self, _snake(key))})
        return self

    def amounts(self) -> dict[str, str]:
        """Each resource's amount: the limit, or the request of an unlimited one."""
        out: dict[str, str] = {}
        for key in LIMITABLE:
            value = getattr(self, _snake(key))
            if value is not None:
                out[RESOURCE_NAMES[key]] = value
        if self.gpu:
            out[self.gpu_accelerator] = str(self.gpu)
        for size, amount in sorted(self.huge_pages.items()):
            out[f"hugepages-{size}"] = amount
        for name, amount in sorted(self.extended_resources.items()):
            if amount != "0":  # the APIServer skips zero entries too
                out[name] = amount
        return out

    def resources(self) -> dict[str, dict[str, str]]:
        """The Ray container's resources: limits, then requests."""
        amounts = self.amounts()
        unlimited = {RESOURCE_NAMES[key] for key in self.unlimited}
        lowered = self.requests.model_dump(by_alias=True, exclude_none=True) if self.requests else {}
        limits = {k: v for k, v in amounts.items() if k not in unlimited}
        requests = {**amounts, **{RESOURCE_NAMES[k]: v for k, v in lowered.items()}}
        out = {}
        if limits:
            out["limits"] = limits
        if requests:
            out["requests"] = requests
        return out


def _snake(key: str) -> str:
    return "ephemeral_storage" if key == "ephemeralStorage" else key


class ComputeTemplate(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["ComputeTemplate"]
    metadata: Metadata
    spec: ComputeTemplateSpec

MODELS = (ComputeTemplate,)
