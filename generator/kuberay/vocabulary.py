"""KubeRay's vocabulary: the walks over head and worker groups, and the names, limits,
annotations, ports and patterns the operator and the API server hold objects to. The kinds
are in ``kinds.py``, what differs between releases in ``releases.py``.

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
from generator.kuberay.kinds import cluster_of

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
INT32_MAX = 2**31 - 1  # the CRDs' int32 fields: replicas, maxReplicas
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


MAX_AMOUNT = Decimal(2**63)  # past what Kubernetes' int64 quantities hold: no real amount


def quantity_value(text: str) -> Decimal:
    """The amount a quantity stands for: ``"4Gi"`` -> 4294967296. ValueError for what is no
    quantity, or an amount past 2^63 (``1e999999999``: arithmetic on it overflows)."""
    match = _QUANTITY_PARTS.match(text)
    if not match or match.group(2) not in _SUFFIX:
        raise ValueError(text)
    try:
        value = Decimal(match.group(1)) * Decimal(_SUFFIX[match.group(2)])
    except ArithmeticError:  # decimal's Overflow and InvalidOperation
        raise ValueError(text) from None
    if abs(value) > MAX_AMOUNT:
        raise ValueError(text)
    return value


def parse_version(text: Any) -> tuple[int, ...] | None:
    match = VERSION.match(str(text)) if text is not None else None
    return tuple(int(part) for part in match.groups()) if match else None


# apimachinery's util/version: two or more dot-separated numbers, then anything (not a newline)
_GENERIC_VERSION = re.compile(r"\s*v?([0-9]+(?:\.[0-9]+)*)(.*)")
_UINT64 = 2**64 - 1


def parse_generic(text: Any) -> tuple[int, ...] | None:
    """``version.ParseGeneric``, as the operator reads rayVersion for its version checks:
    "v2.52", " 2.52.0-rc1" and "2.52.0.1" parse, "02.52.0" and "2" do not. Trailing zeros are
    dropped, so that tuples compare as Go compares versions ("2.52" is "2.52.0")."""
    match = _GENERIC_VERSION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    parts = match.group(1).split(".")
    if len(parts) < 2 or (parts[0].startswith("0") and parts[0] != "0"):
        return None
    numbers = [int(part) for part in parts]
    if any(number > _UINT64 for number in numbers):
        return None
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


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

    def runs_ray(self) -> tuple[int, ...] | None:
        """The Ray the cluster runs: its rayVersion, else the one its head image's tag
        names (rayproject/ray:2.46.0-py310)."""
        return self.ray_version() or parse_version(image_tag(str(ray_container(self.head()).get(
            "image", ""))))
