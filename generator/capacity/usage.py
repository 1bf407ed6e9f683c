"""What the objects ask of the Kubernetes cluster: CPU, memory and GPUs requested by
their pods, at minReplicas, at maxReplicas, and at the peak of a RayService upgrade.

A RayService upgrade with ``NewCluster`` (KubeRay's default) starts a whole second
cluster at its ``replicas`` beside the old one, which may have scaled up to maxReplicas;
``NewClusterWithIncrementalUpgrade`` adds at most ``maxSurgePercent`` (default 100) of
the cluster at a time, so its peak is counted as the cluster at maxReplicas plus that
share of it; ``None`` never starts one. A change's own peak (``rollout``) counts the old
objects at maxReplicas and the new ones as they start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any, NamedTuple

from generator.capacity.pods import Pod, object_pods
from generator.kuberay.kinds import UPGRADED_KINDS
from generator.kuberay.vocabulary import mapping

Key = tuple[str, str, str]  # kind, namespace, name


@dataclass(frozen=True)
class Usage:
    cpu: Decimal = Decimal(0)
    memory: Decimal = Decimal(0)  # bytes
    gpu: Decimal = Decimal(0)
    pods: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.cpu + other.cpu, self.memory + other.memory, self.gpu + other.gpu,
                     self.pods + other.pods)

    def __sub__(self, other: Usage) -> Usage:
        return Usage(self.cpu - other.cpu, self.memory - other.memory, self.gpu - other.gpu,
                     self.pods - other.pods)

    def scaled(self, percent: int) -> Usage:
        share = Decimal(percent) / 100
        return Usage(self.cpu * share, self.memory * share, self.gpu * share,
                     int((self.pods * share).to_integral_value(rounding=ROUND_CEILING)))

    def most(self, other: Usage) -> Usage:
        return Usage(max(self.cpu, other.cpu), max(self.memory, other.memory),
                     max(self.gpu, other.gpu), max(self.pods, other.pods))

    def as_json(self) -> dict[str, Any]:
        return {"cpu": float(self.cpu), "memoryGiB": round(float(self.memory) / 2**30, 3),
                "gpu": float(self.gpu), "pods": self.pods}


def of_pods(pods: Iterable[Pod], count: str) -> Usage:
    out = Usage()
    for pod in pods:
        n = getattr(pod, count)
        out = out + Usage(pod.requests.get("cpu", Decimal(0)) * n,
                          pod.requests.get("memory", Decimal(0)) * n, pod.gpus * n, n)
    return out


@dataclass(frozen=True)
class Row:
    key: Key
    low: Usage
    initial: Usage
    high: Usage
    peak: Usage
    upgrade: str = ""  # how a RayService upgrade adds capacity

    @property
    def surplus(self) -> Usage:
        """What an upgrade adds beside the object at maxReplicas."""
        return self.peak - self.high

    @property
    def title(self) -> str:
        kind, namespace, name = self.key
        return f"{kind} {namespace + '/' if namespace else ''}{name}"


def key_of(obj: dict[str, Any]) -> Key:
    meta = mapping(obj.get("metadata"))
    return str(obj.get("kind")), str(meta.get("namespace", "")), str(meta.get("name", ""))


def upgrade_of(obj: dict[str, Any]) -> tuple[str, int]:
    """A RayService's upgrade type and its surge percent (100 for a whole new cluster)."""
    strategy = mapping(mapping(obj.get("spec")).get("upgradeStrategy"))
    kind = str(strategy.get("type") or "NewCluster")
    surge = mapping(strategy.get("clusterUpgradeOptions")).get("maxSurgePercent", 100)
    if kind == "NewClusterWithIncrementalUpgrade":
        return kind, surge if isinstance(surge, int) and 0 <= surge <= 100 else 100
    return kind, 100 if kind == "NewCluster" else 0


def row(obj: dict[str, Any]) -> Row | None:
    pods = object_pods(obj)
    if not pods:
        return None
    low, initial, high = (of_pods(pods, c) for c in ("low", "initial", "high"))
    cluster = [p for p in pods if p.cluster]
    peak, upgrade = high, ""
    if obj.get("kind") in UPGRADED_KINDS:
        kind, surge = upgrade_of(obj)
        if kind == "NewCluster":
            peak, upgrade = high + of_pods(cluster, "initial"), "new cluster"
        elif kind == "NewClusterWithIncrementalUpgrade":
            peak = high + of_pods(cluster, "high").scaled(surge)
            upgrade = f"incremental, {surge}% surge"
        else:
            upgrade = "none (changes not applied)"
    return Row(key_of(obj), low, initial, high, peak, upgrade)


def rows(objects: Iterable[dict[str, Any]]) -> list[Row]:
    return sorted((r for r in map(row, objects) if r is not None), key=lambda r: r.key)


@dataclass(frozen=True)
class Total:
    low: Usage
    high: Usage
    peak: Usage  # every object at maxReplicas, with the largest single RayService upgrade


def total(found: list[Row]) -> Total:
    low, high = Usage(), Usage()
    for one in found:
        low, high = low + one.low, high + one.high
    largest = max((r.surplus for r in found), key=lambda u: (u.cpu, u.memory), default=Usage())
    peak = high + largest
    return Total(low, high, peak)


def rollout(before: list[Row], after: list[Row], new_clusters: set[Key]) -> Usage:
    """The peak while a change rolls out: each object the larger of its old and new size,
    and where the change starts a new RayService cluster, the old one at maxReplicas
    beside the new one at its replicas."""
    old = {r.key: r for r in before}
    new = {r.key: r for r in after}
    out = Usage()
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key), new.get(key)
        if was and now and key in new_clusters:
            out = out + was.high + now.surplus
        elif was and now:
            out = out + was.high.most(now.high)
        else:
            out = out + (was or now).high  # type: ignore[union-attr]
    return out


@dataclass(frozen=True)
class PoolRoom:
    """What node pools offer at maxNodes."""

    cpu: Decimal
    memory: Decimal
    gpu: Decimal
    nodes: int


def room(pools: Iterable[Any]) -> PoolRoom:
    cpu = memory = gpu = Decimal(0)
    nodes = 0
    for pool in pools:
        cpu += pool.allocatable.get("cpu", Decimal(0)) * pool.max_nodes
        memory += pool.allocatable.get("memory", Decimal(0)) * pool.max_nodes
        gpu += sum((v for k, v in pool.allocatable.items() if k.endswith("gpu")), Decimal(0)) \
            * pool.max_nodes
        nodes += pool.max_nodes
    return PoolRoom(cpu, memory, gpu, nodes)


class Rollout(NamedTuple):
    """What an environment's pods request before and after a change, the peak while it
    rolls out, and what its node pools offer (None: no pools declared)."""

    environment: str
    before: Usage
    after: Usage
    peak: Usage
    room: PoolRoom | None
    # what validate warns of these pods on these pools (RG115), as "CODE: message"
    warnings: tuple[str, ...] = ()
