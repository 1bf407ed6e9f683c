"""Health checks of KubeRay's kinds as Argo CD and Flux read them: argocd-cm's
``resource.customizations.health`` entries and a Kustomization's ``healthCheckExprs``,
from each kind's ``Health`` in the kinds table."""

from __future__ import annotations

from typing import Any

from generator.kuberay.kinds import GROUP, KINDS
from generator.render.base import Origins, Rendered

LUA = {kind.name: kind.health.lua for kind in KINDS.values()}
CEL = {kind.name: kind.health.cel for kind in KINDS.values()}


def flux_health() -> list[dict[str, str]]:
    """Kustomization.spec.healthCheckExprs for every KubeRay kind."""
    return [{"apiVersion": f"{GROUP}/v1", "kind": kind, **CEL[kind]} for kind in KINDS]


# an Application's own health, which Argo CD (since 1.8) no longer reports to the app of
# apps that holds it: sync waves of Applications wait on it (the admission policies first)
APPLICATION_LUA = """hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
"""


def argocd_health(namespace: str, labels: dict[str, str], applications: bool = False) -> Rendered:
    """The ``resource.customizations.health.<group_kind>`` entries of Argo CD's ConfigMap;
    with ``applications``, an Application's health too."""
    data = {f"resource.customizations.health.{GROUP}_{kind}": LUA[kind] for kind in KINDS}
    if applications:
        data["resource.customizations.health.argoproj.io_Application"] = APPLICATION_LUA
    obj: dict[str, Any] = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "argocd-cm", "namespace": namespace,
                     # Argo CD reads only its own ConfigMap, labelled as its install labels it
                     "labels": {**labels, "app.kubernetes.io/name": "argocd-cm",
                                "app.kubernetes.io/part-of": "argocd"}},
        "data": data,
    }
    origins = Origins()
    origins.add((), ("delivery", "argocd"), keep=False)
    return Rendered(obj, None, origins, source="ray-gitops.yaml")
