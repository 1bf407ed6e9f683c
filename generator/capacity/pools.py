"""Node pools: the nodes a Kubernetes cluster can have, and whether a pod can run there.

A pod may run on a pool when the pool's labels satisfy its nodeSelector and its required
node affinity, and its tolerations tolerate every NoSchedule and NoExecute taint of the
pool (the scheduler's NodeAffinity and TaintToleration filters); it fits when its
requests are within one node's allocatable. A pool's labels are all it is known by:
list every label your selectors use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.capacity.pods import Pod, Requests
from generator.capacity.shape import excess, figure
from generator.kuberay.vocabulary import items, mapping

CPU, MEMORY = "cpu", "memory"


@dataclass(frozen=True)
class Pool:
    name: str
    allocatable: Requests  # cpu in cores, memory in bytes, GPUs and other extended resources
    max_nodes: int
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[dict[str, str], ...] = ()


def allows(pool: Pool, pod: Pod) -> str | None:
    """Why the scheduler would never put ``pod`` on ``pool``'s nodes, or None."""
    for key, value in pod.node_selector.items():
        if pool.labels.get(key) != value:
            return f"nodeSelector {key}={value}"
    required = mapping(mapping(pod.affinity.get("nodeAffinity")).get(
        "requiredDuringSchedulingIgnoredDuringExecution"))
    terms = list(items(required.get("nodeSelectorTerms")))
    if terms and not any(_term(pool.labels, term) for _, term in terms):
        return "required node affinity"
    for taint in pool.taints:
        if taint.get("effect", "NoSchedule") in ("NoSchedule", "NoExecute") and \
                not any(_tolerates(t, taint) for t in pod.tolerations):
            return f"taint {taint.get('key')}={taint.get('value', '')}:{taint.get('effect', 'NoSchedule')}"
    return None


def _term(labels: dict[str, str], term: dict[str, Any]) -> bool:
    expressions = list(items(term.get("matchExpressions")))
    if not expressions and not term.get("matchFields"):
        return False  # an empty term matches no node
    return all(_expression(labels, e) for _, e in expressions)


def _expression(labels: dict[str, str], expression: dict[str, Any]) -> bool:
    key, op = str(expression.get("key")), expression.get("operator")
    values = [str(v) for v in expression.get("values") or []]
    has, value = key in labels, labels.get(key)
    if op == "In":
        return has and value in values
    if op == "NotIn":
        return not has or value not in values
    if op == "Exists":
        return has
    if op == "DoesNotExist":
        return not has
    if op in ("Gt", "Lt") and has and values:
        try:
            left, right = int(str(value)), int(values[0])
        except ValueError:
            return False
        return left > right if op == "Gt" else left < right
    return False


def _tolerates(toleration: dict[str, Any], taint: dict[str, str]) -> bool:
    effect = toleration.get("effect")
    if effect and effect != taint.get("effect", "NoSchedule"):
        return False
    if toleration.get("operator") == "Exists":
        return not toleration.get("key") or toleration.get("key") == taint.get("key")
    return toleration.get("key") == taint.get("key") and \
        str(toleration.get("value", "")) == str(taint.get("value", ""))


def relevant(requests: Requests, pool: Pool) -> Requests:
    """The requests a pool's settings can judge: what it declares, and every extended
    resource (a node without a device plugin has none). Ephemeral storage, huge pages and
    the like, when the pool does not say, are not held against it."""
    return {k: v for k, v in requests.items() if k in pool.allocatable or "/" in k}


def over(pool: Pool, requests: Requests) -> dict[str, tuple[Decimal, Decimal]]:
    """What of ``requests`` one node of ``pool`` does not have: name -> (asked, has)."""
    return excess(relevant(requests, pool), pool.allocatable)


def homes(pod: Pod, pools: tuple[Pool, ...]) -> list[Pool]:
    return [p for p in pools if p.max_nodes > 0 and allows(p, pod) is None and not over(p, pod.requests)]


def reasons(pod: Pod, pools: tuple[Pool, ...]) -> Iterator[str]:
    for pool in pools:
        barrier = allows(pool, pod)
        if barrier is not None:
            yield f"{pool.name}: not allowed ({barrier})"
        elif pool.max_nodes <= 0:
            yield f"{pool.name}: maxNodes 0"
        else:
            lack = ", ".join(f"{show(k, a)} asked, {show(k, h)} allocatable"
                             for k, (a, h) in sorted(over(pool, pod.requests).items()))
            yield f"{pool.name}: {lack}"


def show(name: str, value: Decimal) -> str:
    if name == MEMORY:
        return f"{figure(value / 2**30)}Gi {name}"
    return f"{figure(value)} {name}"


Room = tuple[tuple[str, Decimal], ...]  # what a node has left, sorted by resource


def pack(pods: list[Pod], pools: tuple[Pool, ...]) -> tuple[dict[str, int], list[tuple[Pod, int]]]:
    """First-fit decreasing of every pod at its highest count onto the pools' nodes: the
    nodes each pool would need, and each template with how many of its pods find no room
    (a pod that fits no pool at all is RG114's, not counted here).

    A template's pods are alike, so they are placed a template at a time, and nodes with
    the same room left are kept as one entry with a count: the work grows with the kinds
    of pods and of nodes, not with their numbers."""
    rooms: dict[str, dict[Room, int]] = {p.name: {} for p in pools}
    used = {p.name: 0 for p in pools}
    left: list[tuple[Pod, int]] = []
    order = sorted(pods, key=lambda pod: (-pod.requests.get(CPU, Decimal(0)),
                                          -pod.requests.get(MEMORY, Decimal(0))))
    for pod in order:
        wanted = pod.high
        allowed = homes(pod, pools) if wanted else []
        for pool in allowed:
            if not wanted:
                break
            wanted = _fill(rooms[pool.name], relevant(pod.requests, pool), wanted)
        for pool in allowed:
            if not wanted:
                break
            asked = relevant(pod.requests, pool)
            fresh = _room(pool.allocatable)
            per_node = _fits(fresh, asked, wanted)
            if per_node == 0:
                continue
            count = min(-(-wanted // per_node), pool.max_nodes - used[pool.name])
            if count <= 0:
                continue
            used[pool.name] += count
            placed = min(wanted, count * per_node)
            full, rest = divmod(placed, per_node)
            _add(rooms[pool.name], _less(fresh, asked, per_node), full)
            if rest:
                _add(rooms[pool.name], _less(fresh, asked, rest), 1)
            wanted -= placed
        if wanted and allowed:
            left.append((pod, wanted))
    return used, left


def _room(resources: Requests) -> Room:
    return tuple(sorted(resources.items()))


def _fits(room: Room, requests: Requests, wanted: int) -> int:
    """How many pods of ``requests`` one node with ``room`` left takes (at most wanted)."""
    have = dict(room)
    fits = min((int(have.get(k, Decimal(0)) // v) for k, v in requests.items() if v > 0),
               default=wanted)
    return max(0, min(fits, wanted))


def _less(room: Room, requests: Requests, count: int) -> Room:
    have = dict(room)
    for k, v in requests.items():
        have[k] = have.get(k, Decimal(0)) - v * count
    return _room(have)


def _add(rooms: dict[Room, int], room: Room, count: int) -> None:
    if count:
        rooms[room] = rooms.get(room, 0) + count


def _fill(rooms: dict[Room, int], requests: Requests, wanted: int) -> int:
    """Put pods on the open nodes, first fit; what is still wanted."""
    for room, count in list(rooms.items()):
        if not wanted:
            break
        per_node = _fits(room, requests, wanted)
        if per_node == 0:
            continue
        full = min(count, wanted // per_node)
        moved = full
        if full:
            _add(rooms, _less(room, requests, per_node), full)
            wanted -= full * per_node
        if wanted and full < count and wanted < per_node:
            _add(rooms, _less(room, requests, wanted), 1)
            wanted, moved = 0, moved + 1
        rooms[room] -= moved
        if rooms[room] == 0:
            del rooms[room]
    return wanted
