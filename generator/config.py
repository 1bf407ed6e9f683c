"""Repository settings: ``ray-gitops.yaml`` at the repository root (every key optional)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from .spec.load import Document
from .spec.models.base import Name, Strict
from .spec.models.common import exactly_one

CONFIG_FILE = "ray-gitops.yaml"
DEFAULT_RAY_VERSION = "2.52.0"  # the Ray image of KubeRay v1.7.0's samples and chart


class Policy(Strict):
    strict: bool = False  # policy warnings become errors


class ArgoSync(Strict):
    automated: bool = True
    prune: bool = True
    self_heal: bool = True


class ArgoDestination(Strict):
    server: str | None = None  # e.g. https://kubernetes.default.svc
    name: str | None = None  # a cluster registered in Argo CD
    namespace: str | None = None  # default: the overlay's namespace

    @model_validator(mode="after")
    def _one_cluster(self) -> ArgoDestination:
        exactly_one(self, ("server", "name"), "destination")
        return self


class ArgoCD(Strict):
    """One Argo CD Application per overlay (or one ApplicationSet for all)."""

    repo_url: str = Field(min_length=1, alias="repoURL")
    target_revision: str = "HEAD"
    project: str = "default"
    namespace: str = "argocd"  # where the Applications live
    path_prefix: str = ""  # this repository's folder inside the git repository
    application_set: bool = False
    sync_policy: ArgoSync = ArgoSync()
    environments: dict[Name, ArgoDestination] = Field(min_length=1)


class SourceRef(Strict):
    kind: Literal["GitRepository", "OCIRepository", "Bucket"] = "GitRepository"
    name: Name
    namespace: str | None = None


class FluxEnvironment(Strict):
    target_namespace: str | None = None
    interval: str | None = Field(default=None, pattern=r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")


class Flux(Strict):
    """One Flux Kustomization per overlay."""

    source_ref: SourceRef
    interval: str = Field(default="10m", pattern=r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")
    prune: bool = True
    # off by default: a RayService reports Ready only once Serve runs, which can take long
    wait: bool = False
    namespace: str = "flux-system"
    path_prefix: str = ""
    environments: dict[Name, FluxEnvironment] = Field(min_length=1)


class Delivery(Strict):
    name: Name = "ray"  # Applications and Kustomizations are <name>-<environment>
    argocd: ArgoCD | None = None
    flux: Flux | None = None


class Settings(Strict):
    kuberay_version: Literal["1.7"] = "1.7"
    kubernetes_version: str = Field(default="1.33", pattern=r"^v?1\.\d+(\.\d+)?$")
    ray_version: str = Field(default=DEFAULT_RAY_VERSION, pattern=r"^\d+\.\d+\.\d+$")
    specs: str = "specs"
    rendered: str = "rendered"
    overlays: str = "overlays"
    policy: Policy = Policy()
    delivery: Delivery | None = None


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
