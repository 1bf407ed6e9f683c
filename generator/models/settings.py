"""Repository settings: ``ray-gitops.yaml`` at the repository root (every key optional)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from generator.models.base import Strict

CONFIG_FILE = "ray-gitops.yaml"
DEFAULT_RAY_VERSION = "2.52.0"  # the Ray image of KubeRay v1.7.0's samples and chart


class Policy(Strict):
    strict: bool = False  # policy warnings become errors
    # warnings (and only warnings) a repository has decided to live with,
    # e.g. [RG101] for a throwaway Redis
    disable: list[Literal["RG033", "RG100", "RG101", "RG102", "RG104"]] = []


class Settings(Strict):
    kuberay_version: Literal["1.7"] = "1.7"
    kubernetes_version: str = Field(default="1.33", pattern=r"^v?1\.\d+(\.\d+)?$")
    ray_version: str = Field(default=DEFAULT_RAY_VERSION, pattern=r"^\d+\.\d+\.\d+$")
    specs: str = "specs"
    rendered: str = "rendered"
    overlays: str = "overlays"
    policy: Policy = Policy()
    # validated when rendered (generator.delivery), so commands that do not
    # render it do not pay for its models
    delivery: dict[str, Any] | None = None
