"""Argo CD Applications (or an ApplicationSet) and Flux Kustomizations, one per overlay.

Argo CD and the Ray autoscaler fight over worker replicas unless told not to
(KubeRay issue 4149; Ray's Argo CD guide): for every RayCluster that
autoscales, the Application ignores ``.spec.workerGroupSpecs[].replicas`` and
syncs with RespectIgnoreDifferences. Flux has no ignore list: its
Kustomization removes those fields before it applies, so with server-side
apply it never owns them and the autoscaler does.

Kueue owns ``suspend`` of what it queues: ray-gitops never renders it there, so Flux's
server-side apply never owns it either, and the Applications ignore it: ``/spec/suspend``
of a RayCluster or RayJob, ``/spec/rayClusterConfig/suspend`` of a RayService (where
Kueue's RayService integration suspends it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.kuberay.kinds import RAY_CLUSTER, RAY_SERVICE
from generator.models.delivery import ArgoCD, Delivery
from generator.project.kustomize import OverlayInfo
from generator.render.base import Origins, Rendered
from generator.render.health import argocd_health, flux_health
from generator.render.labels import MANAGED_BY
from generator.render.scaling import Scaling

REPLICAS_JQ = ".spec.workerGroupSpecs[].replicas"
SUSPEND_POINTER = "/spec/suspend"
# where Kueue suspends each kind it queues (``generator.kuberay.kueue``)
SUSPEND_POINTERS = {RAY_SERVICE: "/spec/rayClusterConfig/suspend"}
FINALIZER = "resources-finalizer.argocd.argoproj.io"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"


@dataclass(frozen=True)
class Autoscaled:
    name: str
    namespace: str | None
    groups: int


def autoscaled(overlay: OverlayInfo, clusters: list[Scaling]) -> list[Autoscaled]:
    """The RayClusters of an overlay that autoscale, named as the overlay names them."""
    out = [Autoscaled(f"{overlay.name_prefix}{name}{overlay.name_suffix}",
                      overlay.namespace or namespace, groups)
           for what, app, name, namespace, groups in (c for c in clusters if c[0] == "replicas")
           if app in overlay.apps]
    return sorted(out, key=lambda a: (a.name, a.namespace or ""))


@dataclass(frozen=True)
class Queued:
    kind: str
    name: str
    namespace: str | None


def queued(overlay: OverlayInfo, found: list[Scaling]) -> list[Queued]:
    """The objects of an overlay that Kueue queues, named as the overlay names them."""
    out = [Queued(kind, f"{overlay.name_prefix}{name}{overlay.name_suffix}",
                  overlay.namespace or namespace)
           for what, app, kind, name, namespace in (c for c in found if c[0] == "suspend")
           if app in overlay.apps]
    return sorted(out, key=lambda q: (q.kind, q.name, q.namespace or ""))


def _labels(env: str | None, delivery: Delivery) -> dict[str, str]:
    labels = {"app.kubernetes.io/component": "delivery", "app.kubernetes.io/managed-by": MANAGED_BY,
              "app.kubernetes.io/part-of": delivery.name}
    if env:
        labels["ray-gitops.io/environment"] = env
    return dict(sorted(labels.items()))


def _path(prefix: str, overlay: OverlayInfo) -> str:
    return f"{prefix.strip('/')}/{overlay.path}" if prefix.strip("/") else overlay.path


def _sync_policy(argo: ArgoCD) -> dict[str, Any]:
    policy: dict[str, Any] = {}
    if argo.sync_policy.automated:
        policy["automated"] = {"prune": argo.sync_policy.prune,
                               "selfHeal": argo.sync_policy.self_heal}
    # CreateNamespace: the overlay names a namespace that may not exist yet.
    # ServerSideApply: a RayCluster's pod templates can outgrow the 256 KiB
    #   last-applied annotation of client-side apply; SSA also leaves fields that
    #   others own (the operator's) alone.
    # RespectIgnoreDifferences: without it, ignoreDifferences only hides the diff
    #   and a sync still writes replicas back over the autoscaler's.
    policy["syncOptions"] = ["CreateNamespace=true", "ServerSideApply=true",
                             "RespectIgnoreDifferences=true"]
    return policy


def _ignore(clusters: list[Autoscaled], held: list[Queued], *,
            namespaced: bool = True) -> list[dict[str, Any]]:
    """The autoscaler's replicas, and Kueue's suspend: Kueue suspends a queued object when
    it is created and admits it by setting suspend to false, which a self-healing sync
    would otherwise fight (it compares against the live object's suspend)."""
    out = []
    for cluster in clusters:
        entry: dict[str, Any] = {"group": "ray.io", "kind": RAY_CLUSTER, "name": cluster.name}
        if namespaced and cluster.namespace:
            entry["namespace"] = cluster.namespace
        entry["jqPathExpressions"] = [REPLICAS_JQ]
        if entry not in out:
            out.append(entry)
    for one in held:
        entry = {"group": "ray.io", "kind": one.kind, "name": one.name}
        if namespaced and one.namespace:
            entry["namespace"] = one.namespace
        entry["jsonPointers"] = [SUSPEND_POINTERS.get(one.kind, SUSPEND_POINTER)]
        if entry not in out:
            out.append(entry)
    return out


def render_argocd(delivery: Delivery, overlays: dict[str, OverlayInfo],
                  clusters: list[Scaling], guards: dict[str, str] | None = None) -> list[Rendered]:
    """``guards``: each environment's admission policies folder, synced in an Application
    of its own one wave before the environment's (waves order Applications in an app of
    apps, by their health: argocd-cm then says how healthy an Application is)."""
    argo = delivery.argocd
    assert argo is not None
    guards = {env: path for env, path in (guards or {}).items() if env in argo.environments}
    health = [argocd_health(argo.namespace, _labels(None, delivery), bool(guards))] \
        if argo.health_checks else []
    out = [_argocd_guard(delivery, argo, env, path) for env, path in sorted(guards.items())]
    if argo.application_set:
        return [*out, _application_set(delivery, argo, overlays, clusters), *health]
    out += health
    for env, destination in sorted(argo.environments.items()):
        overlay = overlays[env]
        spec: dict[str, Any] = {
            "project": argo.project,
            "source": {"repoURL": argo.repo_url, "targetRevision": argo.target_revision,
                       "path": _path(argo.path_prefix, overlay)},
            "destination": _destination(destination.server, destination.name,
                                        destination.namespace or overlay.namespace),
            "syncPolicy": _sync_policy(argo),
        }
        ignore = _ignore(autoscaled(overlay, clusters), queued(overlay, clusters))
        if ignore:
            spec["ignoreDifferences"] = ignore
        obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
               "metadata": {"name": f"{delivery.name}-{env}", "namespace": argo.namespace,
                            "labels": _labels(env, delivery),
                            # deleting the Application deletes what it deployed
                            "finalizers": [FINALIZER]},
               "spec": spec}
        out.append(_item(obj, ("delivery", "argocd", "environments", env)))
    return out


def _argocd_guard(delivery: Delivery, argo: ArgoCD, env: str, path: str) -> Rendered:
    destination = argo.environments[env]
    prefix = argo.path_prefix.strip("/")
    obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": f"{delivery.name}-admission-{env}", "namespace": argo.namespace,
                        "labels": _labels(env, delivery),
                        "annotations": {SYNC_WAVE: "-1"}, "finalizers": [FINALIZER]},
           "spec": {"project": argo.project,
                    "source": {"repoURL": argo.repo_url, "targetRevision": argo.target_revision,
                               "path": f"{prefix}/{path}" if prefix else path},
                    "destination": _destination(destination.server, destination.name, None),
                    "syncPolicy": _sync_policy(argo)}}
    return _item(obj, ("delivery", "argocd", "environments", env))


def _destination(server: str | None, name: str | None, namespace: str | None) -> dict[str, str]:
    out = {"server": server} if server else {"name": str(name)}
    if namespace:
        out["namespace"] = namespace
    return out


def _application_set(delivery: Delivery, argo: ArgoCD, overlays: dict[str, OverlayInfo],
                     scaled: list[Scaling]) -> Rendered:
    elements = []
    clusters: list[Autoscaled] = []
    held: list[Queued] = []
    for env, destination in sorted(argo.environments.items()):
        overlay = overlays[env]
        element = {"env": env, "path": _path(argo.path_prefix, overlay),
                   "namespace": destination.namespace or overlay.namespace or "default"}
        element.update({"server": destination.server} if destination.server
                       else {"cluster": str(destination.name)})
        elements.append(element)
        clusters += autoscaled(overlay, scaled)
        held += queued(overlay, scaled)
    by_server = all(d.server for d in argo.environments.values())
    target = ({"server": "{{.server}}"} if by_server else {"name": "{{.cluster}}"})
    template_spec: dict[str, Any] = {
        "project": argo.project,
        "source": {"repoURL": argo.repo_url, "targetRevision": argo.target_revision,
                   "path": "{{.path}}"},
        "destination": {**target, "namespace": "{{.namespace}}"},
        "syncPolicy": _sync_policy(argo),
    }
    ignore = _ignore(clusters, held, namespaced=False)
    if ignore:
        template_spec["ignoreDifferences"] = ignore
    obj = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
        "metadata": {"name": delivery.name, "namespace": argo.namespace,
                     "labels": _labels(None, delivery)},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {"name": f"{delivery.name}-{{{{.env}}}}",
                             "labels": _labels("{{.env}}", delivery),
                             "finalizers": [FINALIZER]},
                "spec": template_spec,
            },
        },
    }
    return _item(obj, ("delivery", "argocd"))


def render_flux(delivery: Delivery, overlays: dict[str, OverlayInfo],
                clusters: list[Scaling], guards: dict[str, str] | None = None) -> list[Rendered]:
    """``guards``: each environment's admission policies folder, applied by a Kustomization
    of its own that the environment's dependsOn (Flux applies it once that one is ready)."""
    flux = delivery.flux
    assert flux is not None
    out = []
    source: dict[str, Any] = {"kind": flux.source_ref.kind, "name": flux.source_ref.name}
    if flux.source_ref.namespace:
        source["namespace"] = flux.source_ref.namespace
    for env, settings in sorted(flux.environments.items()):
        overlay = overlays[env]
        guard = (guards or {}).get(env)
        if guard:
            out.append(_flux_guard(delivery, env, guard, source))
        spec: dict[str, Any] = {
            "interval": settings.interval or flux.interval,
            "path": "./" + _path(flux.path_prefix, overlay),
            "prune": flux.prune,
            "wait": flux.wait,
            "sourceRef": source,
            # read when wait is on: KubeRay's kinds have no status Flux understands by itself
            "healthCheckExprs": flux_health(),
        }
        if settings.target_namespace:
            spec["targetNamespace"] = settings.target_namespace
        if guard:
            spec["dependsOn"] = [{"name": f"{delivery.name}-admission-{env}"}]
        patches = [_flux_patch(cluster) for cluster in autoscaled(overlay, clusters)]
        if patches:
            spec["patches"] = patches
        obj = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
               "metadata": {"name": f"{delivery.name}-{env}", "namespace": flux.namespace,
                            "labels": _labels(env, delivery)},
               "spec": spec}
        out.append(_item(obj, ("delivery", "flux", "environments", env)))
    return out


def _flux_guard(delivery: Delivery, env: str, path: str, source: dict[str, Any]) -> Rendered:
    flux = delivery.flux
    assert flux is not None
    prefix = flux.path_prefix.strip("/")
    obj = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": f"{delivery.name}-admission-{env}", "namespace": flux.namespace,
                        "labels": _labels(env, delivery)},
           "spec": {"interval": flux.interval,
                    "path": "./" + (f"{prefix}/{path}" if prefix else path),
                    "prune": flux.prune, "wait": True, "sourceRef": source}}
    return _item(obj, ("delivery", "flux", "environments", env))


def _flux_patch(cluster: Autoscaled) -> dict[str, Any]:
    ops = "".join(f"- op: remove\n  path: /spec/workerGroupSpecs/{i}/replicas\n"
                  for i in range(cluster.groups))
    return {"target": {"group": "ray.io", "version": "v1", "kind": RAY_CLUSTER,
                       "name": cluster.name},
            "patch": ops}


def _item(obj: dict[str, Any], at: tuple[str, ...]) -> Rendered:
    origins = Origins()
    origins.add((), at, keep=False)
    return Rendered(obj, None, origins, source="ray-gitops.yaml")
