"""ComputeTemplate: the resources of a Ray pod, as the KubeRay APIServer models them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from generator.models.base import Metadata, NonNegative, Quantity, Strict, StringMap, Toleration, _quantity


def _memory(value: Any) -> str:
    # A bare number means GiB, as in the APIServer (its memory_unit defaults to "Gi").
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value}Gi"
    return _quantity(value)


Memory = Annotated[str, BeforeValidator(_memory, json_schema_input_type=str | int | float)]


class ComputeTemplateSpec(Strict):
    cpu: Quantity
    memory: Memory
    gpu: NonNegative = 0
    gpu_accelerator: str = Field(default="nvidia.com/gpu", min_length=1)
    extended_resources: dict[str, Quantity] = {}
    tolerations: list[Toleration] = []
    node_selector: StringMap = {}

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
