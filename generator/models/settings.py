"""Repository settings: ``ray-gitops.yaml`` at the repository root (every key optional)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.kuberay import Target, release
from generator.models.base import Strict

CONFIG_FILE = "ray-gitops.yaml"
DEFAULT_RAY_VERSION = "2.52.0"  # the Ray image of KubeRay v1.7.0's samples and chart


class Policy(Strict):
    strict: bool = False  # policy warnings become errors
    # warnings (and only warnings) a repository has decided to live with,
    # e.g. [RG101] for a throwaway Redis
    disable: list[Literal["RG033", "RG100", "RG101", "RG102", "RG104"]] = []


class Settings(Strict):
    # the operator release the manifests must satisfy: 1.5, 1.6 or 1.7 (or a patch, 1.6.2)
    kuberay_version: str = "1.7"
    # the operator's --feature-gates, over the release's defaults
    feature_gates: dict[str, bool] = {}
    kubernetes_version: str = Field(default="1.33", pattern=r"^v?1\.\d+(\.\d+)?$")
    ray_version: str = Field(default=DEFAULT_RAY_VERSION, pattern=r"^\d+\.\d+\.\d+$")
    # folders, relative to the repository root and inside it
    specs: str = "specs"
    rendered: str = "rendered"
    overlays: str = "overlays"
    policy: Policy = Policy()
    # validated when rendered (generator.delivery), so commands that do not
    # render it do not pay for its models
    delivery: dict[str, Any] | None = None

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

    @field_validator("kuberay_version")
    @classmethod
    def _release(cls, value: str) -> str:
        try:
            return release(value).version
        except ValueError as exc:
            raise PydanticCustomError("RG010", str(exc)) from None

    @model_validator(mode="after")
    def _gates(self) -> Settings:
        try:
            Target.of(self.kuberay_version, self.feature_gates)
        except ValueError as exc:
            raise PydanticCustomError("RG010", "featureGates: {problem}",
                                      {"problem": str(exc)}) from None
        return self

    @property
    def target(self) -> Target:
        return Target.of(self.kuberay_version, self.feature_gates)

