"""KubeRay's vocabulary, in one place: its kinds and where each keeps its cluster,
the walks over head and worker groups, and the names, limits and patterns the
operator and the API server hold objects to.

What differs between the operator releases ray-gitops targets (1.5, 1.6, 1.7)
is in ``Release`` and ``Target`` below, never in a module that uses this one.

Sources: ray-operator's ``utils/validation.go``, ``utils/constant.go`` and the
CRDs in ``ray-operator/config/crd``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.fieldpath import FieldPath

API_VERSION = "ray.io/v1"
API_VERSIONS = ("ray.io/v1", "ray.io/v1alpha1")  # both served; v1alpha1 deprecated in 1.7


@dataclass(frozen=True)
class Kind:
    """A KubeRay kind: where it keeps its RayClusterSpec, and its longest name."""

    name: str
    cluster: FieldPath | None  # below `spec`; () when the spec is the cluster
    max_name: int  # 53 for a RayCluster; its owners leave room for their children's suffixes


SERVICE_CLUSTER = "rayClusterConfig"
JOB_CLUSTER = "rayClusterSpec"
JOB_TEMPLATE = "jobTemplate"
KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("RayCluster", (), 53),
    Kind("RayService", (SERVICE_CLUSTER,), 47),  # its clusters are <name>-<5 characters>
    Kind("RayJob", (JOB_CLUSTER,), 47),
    Kind("RayCronJob", (JOB_TEMPLATE, JOB_CLUSTER), 36),  # its jobs are <name>-<unix minute>
)}


@dataclass(frozen=True)
class Release:
    """One operator release that ray-gitops targets: what differs between releases.

    Gates and their defaults are each release's ``pkg/features/features.go``; the
    rules that change between releases name the release they start from."""

    version: str  # major.minor, as `kuberayVersion` names it
    tag: str  # the release whose CRDs and rules ray-gitops follows
    gates: dict[str, bool]  # feature gate -> default
    kinds: tuple[str, ...]  # the kinds its CRDs serve
    # what GenerateHashWithoutReplicasAndWorkersToDelete (utils/util.go) and the
    # RayService controller leave out of a cluster's hash, besides replicas, min/max,
    # workersToDelete, tolerations and scheduling gates
    hash_ignores: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, int]:
        major, minor = self.version.split(".")
        return int(major), int(minor)


_BASE_GATES = {"RayClusterStatusConditions": True}
RELEASES: dict[str, Release] = {release.version: release for release in (
    Release("1.5", "v1.5.2", {**_BASE_GATES, "RayJobDeletionPolicy": False,
                              "RayMultiHostIndexing": False, "RayServiceIncrementalUpgrade": False},
            ("RayCluster", "RayService", "RayJob")),
    Release("1.6", "v1.6.2", {**_BASE_GATES, "RayJobDeletionPolicy": True,
                              "RayMultiHostIndexing": True, "RayServiceIncrementalUpgrade": False,
                              "RayCronJob": False, "AsyncJobInfoQuery": False},
            ("RayCluster", "RayService", "RayJob", "RayCronJob"), ("upgradeStrategy",)),
    Release("1.7", "v1.7.0", {**_BASE_GATES, "RayJobDeletionPolicy": True,
                              "RayMultiHostIndexing": True, "RayServiceIncrementalUpgrade": True,
                              "RayCronJob": False, "SidecarSubmitterRestart": False,
                              "RayClusterNetworkPolicy": False,
                              "GCSFaultToleranceEmbeddedStorage": False, "RayClusterMTLS": False,
                              "RayClusterHistoryServer": False, "KubernetesWAS": False},
            ("RayCluster", "RayService", "RayJob", "RayCronJob"), ("upgradeStrategy", "suspend")),
)}
LATEST = "1.7"
RELEASE_VERSION = re.compile(r"^v?(\d+)\.(\d+)(\.\d+)?$")


def release(version: str) -> Release:
    """The release a version names: ``1.6``, ``1.6.2`` or ``v1.6.2``."""
    match = RELEASE_VERSION.match(version.strip())
    found = RELEASES.get(f"{match.group(1)}.{match.group(2)}") if match else None
    if found is None:
        known = ", ".join(RELEASES)
        raise ValueError(f"KubeRay {version!r} is not a release ray-gitops targets ({known})")
    return found


@dataclass(frozen=True)
class Target:
    """The operator a manifest must satisfy: a release and its feature gates."""

    release: Release
    gates: tuple[tuple[str, bool], ...]  # every gate of the release, resolved

    @classmethod
    def of(cls, version: str = LATEST, gates: dict[str, bool] | None = None) -> Target:
        found = release(version)
        unknown = sorted(set(gates or {}) - set(found.gates))
        if unknown:
            raise ValueError(f"unrecognized feature gate(s) for KubeRay {found.version}: "
                             f"{', '.join(unknown)} (known: {', '.join(sorted(found.gates))})")
        return cls(found, tuple(sorted({**found.gates, **(gates or {})}.items())))

    def enabled(self, gate: str) -> bool:
        return dict(self.gates).get(gate, False)

    def since(self, version: str) -> bool:
        """The target release is ``version`` or later."""
        major, minor = version.split(".")
        return self.release.key >= (int(major), int(minor))

    def flag(self, gate: str) -> str:
        """How the operator turns a gate on."""
        return f"--feature-gates={gate}=true, or featureGates: {{{gate}: true}} in ray-gitops.yaml"


def parse_gates(text: str) -> dict[str, bool]:
    """The operator's own flag syntax: ``Name=true,Name2=false``."""
    out: dict[str, bool] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or value.strip().lower() not in ("true", "false"):
            raise ValueError(f"{part!r}: expected Name=true or Name=false")
        out[name.strip()] = value.strip().lower() == "true"
    return out


# annotations the operator reads (utils/constant.go)
FT_ENABLED = "ray.io/ft-enabled"
EXTERNAL_STORAGE_NAMESPACE = "ray.io/external-storage-namespace"
GCS_FT_DELETION_TIMEOUT = "ray.io/gcs-ft-deletion-timeout"
RAY_CLUSTER_LABEL = "ray.io/cluster"  # on pods, and a RayJob's clusterSelector key

# env variables of the Ray container that the operator reads or sets
RAY_REDIS_ADDRESS = "RAY_REDIS_ADDRESS"
REDIS_PASSWORD = "REDIS_PASSWORD"
REDIS_USERNAME = "REDIS_USERNAME"
AUTOSCALER_V2_ENV = "RAY_enable_autoscaler_v2"
AUTOSCALER_START_CMD_ENV = "KUBERAY_GEN_AUTOSCALER_START_CMD"

# rayStartParams that say what a Ray node advertises, and clash with a group's `resources`
RAY_RESOURCE_PARAMS = ("num-cpus", "num-gpus", "memory", "resources")

# well-known ports of the head; the operator adds what is missing
HEAD_PORTS = (("gcs-server", 6379), ("dashboard", 8265), ("client", 10001), ("metrics", 8080))
SERVE_PORT = ("serve", 8000)
REDIS_PORT = 6379

# names, as the API server and the operator check them
MAX_LABEL = 63
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
# a qualified name with a DNS subdomain prefix: the only names an extended resource may have
EXTENDED_RESOURCE = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
# Kubernetes' own quantity grammar (apimachinery resource.Quantity)
QUANTITY = re.compile(
    r"^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(\d+(\.\d*)?|\.\d+)))?$"
)
_QUANTITY_PARTS = re.compile(r"^([+-]?[\d.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$")
_SUFFIX: dict[str, int | Decimal] = {
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": 1,
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
}
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def quantity_value(text: str) -> Decimal:
    """The amount a quantity stands for: ``"4Gi"`` -> 4294967296."""
    match = _QUANTITY_PARTS.match(text)
    if not match or match.group(2) not in _SUFFIX:
        raise ValueError(text)
    return Decimal(match.group(1)) * Decimal(_SUFFIX[match.group(2)])


def parse_version(text: Any) -> tuple[int, ...] | None:
    match = VERSION.match(str(text)) if text is not None else None
    return tuple(int(part) for part in match.groups()) if match else None


def image_tag(image: str) -> str | None:
    last = image.split("@")[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings of a list, with their indexes (anything else is skipped)."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def cluster_path(kind: str) -> FieldPath | None:
    """Where a kind keeps its RayClusterSpec; None for kinds without one."""
    found = KINDS.get(kind)
    return None if found is None or found.cluster is None else ("spec", *found.cluster)


def cluster_of(obj: dict[str, Any]) -> tuple[FieldPath, dict[str, Any]] | None:
    """An object's RayClusterSpec and its path, if it has one (a RayJob on an existing
    cluster has none)."""
    at = cluster_path(str(obj.get("kind")))
    if at is None:
        return None
    node = mapping(obj.get("spec"))
    for part in at[1:]:
        if part not in node:
            return None
        node = mapping(node[part])
    return at, node


def template_paths(kind: str) -> tuple[str, ...]:
    """The pod templates of a kind's groups, as kustomize field specs name them."""
    at = "/".join(str(p) for p in cluster_path(kind) or ())
    return (f"{at}/headGroupSpec/template", f"{at}/workerGroupSpecs/template")


def groups(cluster: dict[str, Any], at: FieldPath) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    """The head group, then each worker group, with their paths."""
    yield (*at, "headGroupSpec"), mapping(cluster.get("headGroupSpec"))
    yield from workers(cluster, at)


def workers(cluster: dict[str, Any], at: FieldPath) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    for i, group in items(cluster.get("workerGroupSpecs")):
        yield (*at, "workerGroupSpecs", i), group


def pod_spec(group: dict[str, Any]) -> dict[str, Any]:
    return mapping(mapping(group.get("template")).get("spec"))


def ray_container(group: dict[str, Any]) -> dict[str, Any]:
    """The Ray container: the operator runs Ray in ``containers[0]``."""
    first = next(items(pod_spec(group).get("containers")), None)
    return first[1] if first else {}


def container_env(group: dict[str, Any], at: FieldPath) -> dict[str, tuple[FieldPath, dict[str, Any]]]:
    """The Ray container's env entries by name, with their paths below the group at ``at``."""
    env_at = (*at, "template", "spec", "containers", 0, "env")
    return {str(entry.get("name")): ((*env_at, i), entry)
            for i, entry in items(ray_container(group).get("env"))}


@dataclass(frozen=True)
class ClusterView:
    """A RayClusterSpec inside some object, at path ``at``: a RayCluster's spec, a
    RayService's ``rayClusterConfig`` or a RayJob's ``rayClusterSpec``."""

    spec: dict[str, Any]
    at: FieldPath
    annotations: dict[str, Any]  # of the RayCluster, or of the RayService or RayJob

    @classmethod
    def of(cls, obj: dict[str, Any]) -> ClusterView | None:
        found = cluster_of(obj)
        if found is None:
            return None
        annotations = mapping(mapping(obj.get("metadata")).get("annotations"))
        return cls(found[1], found[0], annotations)

    def groups(self) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
        return groups(self.spec, self.at)

    def workers(self) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
        return workers(self.spec, self.at)

    def head_path(self) -> FieldPath:
        return (*self.at, "headGroupSpec")

    def head(self) -> dict[str, Any]:
        return mapping(self.spec.get("headGroupSpec"))

    def head_env(self) -> dict[str, tuple[FieldPath, dict[str, Any]]]:
        return container_env(self.head(), self.head_path())

    @property
    def ft_options(self) -> bool:
        return "gcsFaultToleranceOptions" in self.spec

    @property
    def ft_annotation(self) -> bool:
        return str(self.annotations.get(FT_ENABLED, "")).lower() == "true"

    @property
    def autoscaling(self) -> bool:
        return self.spec.get("enableInTreeAutoscaling") is True


    def ray_version(self) -> tuple[int, ...] | None:
        return parse_version(self.spec.get("rayVersion"))
