"""ComputeTemplate: the resources of a Ray pod, as the KubeRay APIServer models them."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from generator.kuberay.vocabulary import EXTENDED_RESOURCE
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


class ComputeTemplateSpec(Strict):
    cpu: Quantity
    memory: Memory
    gpu: NonNegative = 0
    gpu_accelerator: ResourceName = Field(default="nvidia.com/gpu", min_length=1)
    extended_resources: dict[ResourceName, Quantity] = {}
    tolerations: list[Toleration] = []
    node_selector: Selector = {}

    def resources(self) -> dict[str, str]:
        """Requests (and, equal to them, limits) for a container on this template."""
        out = {"cpu": self.cpu, "memory": self.memory}
        if self.gpu:
            out[self.gpu_accelerator] = str(self.gpu)
        for name, amount in sorted(self.extended_resources.items()):
            if amount != "0":  # the APIServer skips zero entries too
                out[name] = amount
        return out


class ComputeTemplate(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["ComputeTemplate"]
    metadata: Metadata
    spec: ComputeTemplateSpec

MODELS = (ComputeTemplate,)
