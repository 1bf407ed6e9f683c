"""What Ray work asks for, and whether some node of the cluster can hold it.

A demand is infeasible when no node type can ever hold it: Ray leaves it pending
("could not find a node type to satisfy the request"), and nothing in the cluster's
events says why. Only what is written counts toward an error; a resource that Ray
detects on the node (``RayNode.unknown``) holds anything.

Serve's own rules (Ray Serve's ``ReplicaConfig`` and the replica-scheduling guide): a
replica asks for ``ray_actor_options`` (1 CPU when they are not given); with
``placement_group_bundles`` each replica reserves its bundles, the replica itself runs in
the first, so ``ray_actor_options`` must fit inside it, and ``max_replicas_per_node``
cannot be set with them. ``accelerator_type`` asks for a node whose accelerator Ray
detects: a node with GPUs, TPUs or Neuron cores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.capacity.shape import ACCELERATOR_RESOURCE, CPU, GPU, MEMORY, TPU, RayNode, figure, summed
from generator.fieldpath import FieldPath
from generator.kuberay.vocabulary import items, mapping

Amounts = dict[str, Decimal]
ACCELERATED = (GPU, TPU, "neuron_cores")
STRATEGIES = ("PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD")
# resources Ray adds to a node by itself: nothing in the spec says whether a node has them
_IMPLICIT = ("node:", "accelerator_type:")
_OPTION_KEYS = (("num_cpus", CPU), ("num_gpus", GPU), ("memory", MEMORY))
MAX_WORK = 50_000_000  # replicas times nodes the Serve ceiling estimate tries at most


@dataclass(frozen=True)
class Deployment:
    """One deployment of a Serve config, as far as its resources go."""

    app: str
    name: str
    at: FieldPath  # below the Serve config's root
    actor: Amounts  # what the config writes in ray_actor_options
    written: bool  # the config gives ray_actor_options
    cpus_written: bool = False  # ... with num_cpus (0 is a choice, not Serve's default of 1)
    accelerator: str | None = None
    bundles: tuple[Amounts, ...] = ()
    strategy: str = "PACK"
    replicas: tuple[int, int] | None = None  # (at least, at most); None: not in the config
    per_node: int | None = None  # max_replicas_per_node

    @property
    def title(self) -> str:
        return f"deployment {self.name!r} of application {self.app!r}"

    def replica(self) -> Amounts:
        """One replica, with Serve's default of 1 CPU where the config says nothing."""
        out = dict(self.actor)
        if not self.cpus_written:
            out.setdefault(CPU, Decimal(1))
        return out


def number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def amounts(data: Any) -> Amounts:
    """A map of resource names to numbers (a bundle, ``resources``); the rest is skipped."""
    out: Amounts = {}
    for name, value in mapping(data).items():
        found = number(value)
        if found is not None and found > 0:
            out[str(name)] = found
    return out


def deployments(config: Any) -> Iterator[Deployment]:
    for i, app in items(mapping(config).get("applications")):
        app_name = str(app.get("name", "default"))
        for j, deployment in items(app.get("deployments")):
            options = deployment.get("ray_actor_options")
            actor: Amounts = {}
            for key, name in _OPTION_KEYS:
                found = number(mapping(options).get(key))
                if found is not None and found > 0:
                    actor[name] = found
            actor.update(amounts(mapping(options).get("resources")))
            accelerator = mapping(options).get("accelerator_type")
            bundles = tuple(amounts(b) for b in deployment.get("placement_group_bundles") or ()
                            if isinstance(b, dict))
            strategy = deployment.get("placement_group_strategy")
            per_node = deployment.get("max_replicas_per_node")
            yield Deployment(
                app_name, str(deployment.get("name", f"deployments[{j}]")),
                ("applications", i, "deployments", j), actor, isinstance(options, dict),
                "num_cpus" in mapping(options),
                accelerator if isinstance(accelerator, str) and accelerator else None,
                bundles, strategy if strategy in STRATEGIES else "PACK", _replicas(deployment),
                per_node if isinstance(per_node, int) and not isinstance(per_node, bool)
                and per_node > 0 else None)


def _replicas(deployment: dict[str, Any]) -> tuple[int, int] | None:
    replicas = deployment.get("num_replicas")
    scaling = deployment.get("autoscaling_config")
    if isinstance(scaling, dict):
        low, high = scaling.get("min_replicas", 1), scaling.get("max_replicas", 1)
        if isinstance(low, int) and isinstance(high, int):
            return low, high
        return None
    if isinstance(replicas, int) and not isinstance(replicas, bool):
        return replicas, replicas
    return None  # "auto" with Serve's defaults, or left to the code


def entrypoint(job: dict[str, Any]) -> Amounts:
    """A RayJob's driver: entrypointNumCpus, entrypointNumGpus, entrypointResources."""
    out: Amounts = {}
    for key, name in (("entrypointNumCpus", CPU), ("entrypointNumGpus", GPU)):
        found = number(job.get(key))
        if found is not None and found > 0:
            out[name] = found
    text = job.get("entrypointResources")
    if isinstance(text, str) and text.strip():
        with suppress(ValueError):  # the operator reports a malformed map
            out.update(amounts(json.loads(text)))
    return out


@dataclass(frozen=True)
class Short:
    """Why one node type cannot hold a demand."""

    node: RayNode
    missing: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # asked, has
    never: bool = False  # the group has no nodes (maxReplicas 0, or suspended)
    no_accelerator: bool = False
    other_accelerator: bool = False  # its accelerators are known, and not of the type asked
    # a group that starts with no node: what the autoscaler believes its node lacks, so
    # it never launches one for this demand (name -> asked, what it sees)
    unseen: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)


def short(demand: Amounts, node: RayNode, accelerator: str | None = None) -> Short | None:
    """Why ``node`` cannot hold ``demand``, or None when it can."""
    missing: dict[str, tuple[Decimal, Decimal]] = {}
    for name, asked in demand.items():
        if name.startswith(_IMPLICIT) or (name.startswith("TPU-") and name.endswith("-head")):
            continue  # Ray adds these itself (node IPs, the detected accelerator, TPU heads)
        has = node.has(name)
        if has is not None and has < asked:
            missing[name] = (asked, has)
    no_accelerator = accelerator is not None and not any(
        (node.has(name) is None or (node.has(name) or 0) > 0) for name in ACCELERATED)
    other = accelerator is not None and not no_accelerator and node.accelerators is not None \
        and accelerator not in node.accelerators
    unseen = _unseen(demand, node, accelerator)
    if missing or no_accelerator or other or node.high == 0 or unseen:
        return Short(node, missing, node.high == 0, no_accelerator, other, unseen)
    return None


def _unseen(demand: Amounts, node: RayNode, accelerator: str | None) -> dict[str, tuple[Decimal, Decimal]]:
    """What the autoscaler believes a node of a group with no node lacks: Ray's resource
    demand scheduler launches a node type only when the demand fits what it believes."""
    if node.launch is None:
        return {}
    asked = dict(demand)
    if accelerator is not None:  # Ray asks 0.001 of it (ray/_common/utils.py)
        asked[f"{ACCELERATOR_RESOURCE}{accelerator}"] = Decimal("0.001")
    return {name: (value, node.launch.get(name, Decimal(0))) for name, value in asked.items()
            if not name.startswith("node:") and value > node.launch.get(name, Decimal(0))}


def show(name: str, value: Decimal) -> str:
    """An amount in the words Ray uses: memory in bytes shown in GiB."""
    if name == MEMORY:
        return f"{figure(value / 2**30)}GiB memory"
    return f"{figure(value)} {name}"


def describe(demand: Amounts) -> str:
    return ", ".join(show(k, v) for k, v in sorted(demand.items())) or "nothing"


def node_text(node: RayNode) -> str:
    have = [show(k, v) for k, v in sorted(node.resources.items())]
    have += [f"{k} as detected" for k in sorted(node.unknown)]
    count = "" if node.head else f", up to {node.high} node(s)"
    return f"{node.group} ({', '.join(have) or 'no resources'}{count})"


def why(shorts: list[Short]) -> str:
    """One line per node type: what it lacks."""
    out = []
    for found in shorts:
        if found.never:
            out.append(f"{found.node.group} never has a node (maxReplicas 0 or suspended)")
            continue
        parts = [f"{show(k, has)} (needs {show(k, asked)})"
                 for k, (asked, has) in sorted(found.missing.items())]
        if found.no_accelerator:
            parts.append("no accelerator")
        if found.other_accelerator and found.node.accelerators is not None:
            parts.append(f"a {', '.join(sorted(found.node.accelerators))} accelerator")
        if found.unseen and not parts:
            seen = ", ".join(f"{show(k, has)} (needs {show(k, asked)})"
                             for k, (asked, has) in sorted(found.unseen.items()))
            parts.append(f"no node until the autoscaler launches one, and the autoscaler "
                         f"believes it has {seen}, so it never does")
        out.append(f"{found.node.group} has {', '.join(parts)}")
    return "; ".join(out)


def place(items_: list[tuple[str, Amounts]], cluster: list[RayNode],
          limit: int = 20000) -> tuple[list[str], Amounts, Amounts] | None:
    """First-fit decreasing of ``items_`` (label, demand) onto every node the cluster can
    have at maxReplicas: the labels left over, what was asked and what the nodes offer.
    None when the cluster has more nodes than ``limit``, or the replicas times the nodes
    pass 50 million (the estimate would take seconds)."""
    count = sum(node.high for node in cluster)
    if count > limit or count * len(items_) > MAX_WORK:
        return None  # an estimate this large would take seconds: say nothing
    free: list[tuple[RayNode, Amounts]] = [(node, dict(node.resources))
                                           for node in cluster for _ in range(node.high)]
    left: list[str] = []
    order = sorted(items_, key=lambda item: tuple(-v for _, v in sorted(item[1].items())))
    for label, demand in order:
        for node, room in free:
            if all(name.startswith(_IMPLICIT) or name in node.unknown
                   or room.get(name, Decimal(0)) >= value for name, value in demand.items()):
                for name, value in demand.items():
                    if name in room:
                        room[name] -= value
                break
        else:
            left.append(label)
    offered = summed(*(node.resources for node, _ in free))
    return left, summed(*(d for _, d in items_)), offered
