"""Repository settings: ``ray-gitops.yaml`` at the repository root (every key optional)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from .spec.load import Document
from .spec.models.base import Strict

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


@dataclass(frozen=True)
class Repo:
    """A repository that uses ray-gitops: its root and its settings."""

    root: Path
    settings: Settings
    doc: Document | None = None  # ray-gitops.yaml, for positions

    @property
    def specs_dir(self) -> Path:
        return self.root / self.settings.specs

    @property
    def rendered_dir(self) -> Path:
        return self.root / self.settings.rendered

    @property
    def overlays_dir(self) -> Path:
        return self.root / self.settings.overlays

    def shown(self, path: Path) -> str:
        """A path as users see it in messages: relative to the root when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` with a ray-gitops.yaml, else ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start
