"""Fields behind the operator's feature gates, and the sub-rules each feature brings
(validation.go: validateGcsFaultToleranceBackend, validateNetworkPolicy,
validateTLSOptions, validateCollectorOptions). With its gate off the operator
rejects the field; with it on, every sub-rule holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import DNS1123, ClusterView, container_env, items, mapping, pod_spec
from generator.rules.registry import cluster_rule

GATED = {  # RayClusterSpec field -> the gate it needs (KubeRay 1.7)
    "networkPolicy": "RayClusterNetworkPolicy",
    "tlsOptions": "RayClusterMTLS",
    "historyServerOptions": "RayClusterHistoryServer",
}
ROCKSDB_GATE = "GCSFaultToleranceEmbeddedStorage"
TLS_ENV = ("RAY_USE_TLS", "RAY_TLS_SERVER_CERT", "RAY_TLS_SERVER_KEY", "RAY_TLS_CA_CERT")
TLS_VOLUME, TLS_PATH = "ray-tls", "/etc/ray/tls"
GCS_STORAGE_ENV = ("RAY_gcs_storage", "RAY_gcs_storage_path")
GCS_VOLUME, GCS_PATH = "gcs-storage", "/data/gcs"
COLLECTOR = "ray-history-collector"
COLLECTOR_ENV = ("POD_IP", "FQ_RAY_IP", "RAY_CLUSTER_NAME", "RAY_CLUSTER_NAMESPACE", "RAY_ROLE",
                 "OWNER_KIND", "OWNER_NAME", "EVENTS_PORT")
STORAGE_NEEDS = {"GCS": ("GCS_BUCKET",), "S3": ("S3_REGION",),
                 "ALIYUNOSS": ("ALIYUN_BUCKET", "ALIYUN_ENDPOINT", "ALIYUN_REGION")}


def gate_off(at: FieldPath, what: str, gate: str, target: Target) -> Finding:
    return Finding(at, "RG104", f"{what} needs the operator's {gate} feature gate, which is off "
                   f"in KubeRay {target.release.version}: the operator rejects it",
                   hint=target.flag(gate))


@cluster_rule
def gated_fields(view: ClusterView, target: Target) -> Iterator[Finding]:
    for name, gate in GATED.items():
        if name in view.spec and gate in dict(target.gates) and not target.enabled(gate):
            yield gate_off((*view.at, name), name, gate, target)


@cluster_rule
def gcs_backend(view: ClusterView, target: Target) -> Iterator[Finding]:
    options = view.spec.get("gcsFaultToleranceOptions")
    if not isinstance(options, dict) or not target.since("1.7"):
        return
    at = (*view.at, "gcsFaultToleranceOptions")
    if options.get("backend", "redis") != "rocksdb":
        if "storage" in options:
            yield Finding((*at, "storage"), "RG067", "storage applies to the rocksdb backend only")
        return
    if not target.enabled(ROCKSDB_GATE):
        yield gate_off((*at, "backend"), "the rocksdb backend", ROCKSDB_GATE, target)
        return
    for name in ("redisAddress", "redisUsername", "redisPassword", "externalStorageNamespace"):
        if options.get(name) not in (None, ""):
            yield Finding((*at, name), "RG067", f"{name} does not apply to the rocksdb backend")
    storage = mapping(options.get("storage"))
    if storage.get("claimName") and any(k in storage for k in ("size", "storageClassName")) \
            or storage.get("claimName") and storage.get("accessModes"):
        yield Finding((*at, "storage", "claimName"), "RG067",
                      "claimName excludes size, storageClassName and accessModes")
    head_at = view.head_path()
    for name in GCS_STORAGE_ENV:
        if name in view.head_env():
            yield Finding(view.head_env()[name][0], "RG067", f"{name} is managed by KubeRay "
                          "with the rocksdb backend")
    yield from _managed_mounts(view.head(), head_at, GCS_VOLUME, GCS_PATH, "RG067", "rocksdb backend")
    for i, volume in items(pod_spec(view.head()).get("volumes")):
        if volume.get("name") == GCS_VOLUME:
            yield Finding((*head_at, "template", "spec", "volumes", i), "RG067",
                          f"the volume {GCS_VOLUME!r} is managed by KubeRay with the rocksdb backend")


def _managed_mounts(group: dict[str, Any], at: FieldPath, name: str, path: str, code: str,
                    feature: str) -> Iterator[Finding]:
    """The Ray container's mounts that take the name or the path the operator mounts."""
    container = next(items(pod_spec(group).get("containers")), None)
    if container is not None:
        yield from _mount_clashes(container[1].get("volumeMounts"),
                                  (*at, "template", "spec", "containers", 0, "volumeMounts"),
                                  name, path, code, feature)


def _mount_clashes(mounts: Any, at: FieldPath, name: str, path: str, code: str,
                   feature: str) -> Iterator[Finding]:
    for i, mount in items(mounts):
        if mount.get("name") == name or mount.get("mountPath") == path:
            yield Finding((*at, i), code, f"a mount named {name!r} or at {path} is "
                          f"managed by KubeRay with the {feature}")


@cluster_rule
def network_policy(view: ClusterView, target: Target) -> Iterator[Finding]:
    policy = view.spec.get("networkPolicy")
    if not isinstance(policy, dict) or not target.enabled(GATED["networkPolicy"]):
        return
    at = (*view.at, "networkPolicy")
    mode = policy.get("mode", "DenyAll")
    names = set()
    for group_at, group in view.workers():
        name = str(group.get("groupName", ""))
        names.add(name)
        if not DNS1123.match(name) or len(name) > 63:
            yield Finding((*group_at, "groupName"), "RG068", f"{name!r} must be a DNS-1123 label "
                          "with networkPolicy (it is part of the NetworkPolicy's name)")
    entries: list[tuple[FieldPath, dict[str, Any]]] = [
        ((*at, key), mapping(policy.get(key))) for key in ("head", "worker") if key in policy]
    entries += [((*at, "workerGroups", i), entry) for i, entry in items(policy.get("workerGroups"))]
    for entry_at, entry in entries:
        if mode == "DenyAllEgress" and entry.get("ingressRules"):
            yield Finding((*entry_at, "ingressRules"), "RG068",
                          f"mode {mode} does not restrict ingress: no ingressRules")
        if mode == "DenyAllIngress" and entry.get("egressRules"):
            yield Finding((*entry_at, "egressRules"), "RG068",
                          f"mode {mode} does not restrict egress: no egressRules")
        if "workerGroups" in entry_at and entry.get("groupName") not in names:
            yield Finding((*entry_at, "groupName"), "RG068",
                          f"{entry.get('groupName')!r} is not a worker group of this cluster")


@cluster_rule
def tls_options(view: ClusterView, target: Target) -> Iterator[Finding]:
    tls = view.spec.get("tlsOptions")
    if not isinstance(tls, dict) or tls.get("enabled") is not True \
            or not target.enabled(GATED["tlsOptions"]):
        return
    for group_at, group in view.groups():
        env = container_env(group, group_at)
        for name in TLS_ENV:
            if name in env:
                yield Finding(env[name][0], "RG069", f"{name} is managed by the operator with tlsOptions")
        yield from _managed_mounts(group, group_at, TLS_VOLUME, TLS_PATH, "RG069", "tlsOptions")
    options_at = (*view.at, "autoscalerOptions")
    options = mapping(view.spec.get("autoscalerOptions"))
    for i, entry in items(options.get("env")):
        if entry.get("name") in TLS_ENV:
            yield Finding((*options_at, "env", i), "RG069",
                          f"{entry.get('name')} is managed by the operator with tlsOptions")
    yield from _mount_clashes(options.get("volumeMounts"), (*options_at, "volumeMounts"),
                              TLS_VOLUME, TLS_PATH, "RG069", "tlsOptions")


@cluster_rule
def history_server(view: ClusterView, target: Target) -> Iterator[Finding]:
    options = view.spec.get("historyServerOptions")
    if not isinstance(options, dict) or not target.enabled(GATED["historyServerOptions"]):
        return
    at = (*view.at, "historyServerOptions")
    collector = options.get("collectorOptions")
    if not isinstance(collector, dict):
        yield Finding(at, "RG079", "collectorOptions must be set")
        return
    yield from _collector(collector, (*at, "collectorOptions"))
    for group_at, group in view.groups():
        for i, container in items(pod_spec(group).get("containers")):
            if container.get("name") == COLLECTOR:
                yield Finding((*group_at, "template", "spec", "containers", i, "name"), "RG079",
                              f"{COLLECTOR!r} is the name of the collector the operator adds")


def _collector(collector: dict[str, Any], at: FieldPath) -> Iterator[Finding]:
    if not collector.get("image"):
        yield Finding(at, "RG079", "collectorOptions.image must be set")
    env = {str(e.get("name")): (i, e) for i, e in items(collector.get("env"))}
    for name in COLLECTOR_ENV:
        if name in env:
            yield Finding((*at, "env", env[name][0]), "RG079", f"{name} is managed by KubeRay")
    backend = env.get("STORAGE_BACKEND", (0, {}))[1].get("value")
    if not backend:
        yield Finding((*at, "env"), "RG079", "STORAGE_BACKEND must be set with a literal value")
        return

    def has(name: str) -> bool:
        entry = env.get(name, (0, {}))[1]
        return bool(entry.get("value") or entry.get("valueFrom"))

    backend = str(backend).upper()
    for name in STORAGE_NEEDS.get(backend, ()):
        if not has(name):
            yield Finding((*at, "env"), "RG079", f"{name} must be set when STORAGE_BACKEND is {backend}")
    if backend == "AZUREBLOB":
        mode = str(env.get("AZURE_STORAGE_AUTH_MODE", (0, {}))[1].get("value") or "").strip().lower()
        needs = {"connection_string": ("AZURE_STORAGE_CONNECTION_STRING",),
                 "workload_identity": ("AZURE_STORAGE_ACCOUNT_URL",),
                 "default": ("AZURE_STORAGE_ACCOUNT_URL",)}.get(mode)
        if needs is None and not (has("AZURE_STORAGE_CONNECTION_STRING")
                                  or has("AZURE_STORAGE_ACCOUNT_URL")):
            yield Finding((*at, "env"), "RG079", "AZUREBLOB needs AZURE_STORAGE_CONNECTION_STRING "
                          "or AZURE_STORAGE_ACCOUNT_URL")
        for name in needs or ():
            if not has(name):
                yield Finding((*at, "env"), "RG079", f"{name} must be set when "
                              f"AZURE_STORAGE_AUTH_MODE is {mode}")
