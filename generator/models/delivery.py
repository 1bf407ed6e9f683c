"""The `delivery` settings of ray-gitops.yaml: Argo CD and Flux, per overlay."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from generator.diagnostics import Diagnostic
from generator.load.documents import Document
from generator.models.base import Name, Strict, exactly_one
from generator.models.parse import errors_to_diagnostics


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
    sync_policy: ArgoSync = ArgoSync.model_construct()  # no validator built at import
    # the ray.io health checks as argocd-cm entries (off: your argocd-cm is managed elsewhere;
    # copy the entries there)
    health_checks: bool = True
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


def parse_delivery(raw: Any, doc: Document) -> Delivery | list[Diagnostic]:
    """ray-gitops.yaml's `delivery`, validated when it is rendered (commands that do
    not render it do not pay for these models)."""
    try:
        return Delivery.model_validate(raw)
    except ValidationError as exc:
        return errors_to_diagnostics(exc, doc, Delivery, ("delivery",))
