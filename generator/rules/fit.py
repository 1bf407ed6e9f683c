"""Will it fit: Ray work that no node of its cluster can ever hold (errors), and Serve
deployments that their cluster cannot hold at their largest (a warning, with numbers).

The shapes are ``capacity.shape`` (Ray's own reading of a group); the demands are
``capacity.demand``. A finding inside ``serveConfigV2`` is at the Serve config's path
below it, so a spec reports it at the line of its Serve config.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from generator.capacity.demand import (
    MAX_WORK,
    Deployment,
    Short,
    deployments,
    describe,
    entrypoint,
    node_text,
    place,
    short,
    show,
    why,
)
from generator.capacity.pods import Pod, object_pods
from generator.capacity.pools import Pool, homes, pack, reasons
from generator.capacity.pools import show as show_request
from generator.capacity.shape import MEMORY, RayNode, excess, nodes, summed
from generator.capacity.usage import upgrade_of
from generator.diagnostics import Finding
from generator.fieldpath import FieldPath, value_at
from generator.kuberay.kinds import JOB_CLUSTER, JOB_KINDS, RAY_CLUSTER, UPGRADED_KINDS, cluster_of, job_path
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import mapping
from generator.load import plain
from generator.models.parse import Spec
from generator.models.references import SpecIndex
from generator.rules.registry import object_rule, spec_rule

SERVE: FieldPath = ("spec", "serveConfigV2")
_KEYS = {"CPU": "num_cpus", "GPU": "num_gpus", "memory": "memory"}


def _cluster(obj: dict[str, Any]) -> list[RayNode] | None:
    found = cluster_of(obj)
    return nodes(found[1], found[0]) if found else None


@object_rule(*UPGRADED_KINDS)
def serve_fits(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    cluster = _cluster(obj)
    text = mapping(obj.get("spec")).get("serveConfigV2")
    if cluster is None or not isinstance(text, str):
        return
    try:
        config = plain.load_embedded(text)
    except plain.YAMLError:
        return  # the Serve config rules report it
    found = list(deployments(config))
    fitting = []
    for deployment in found:
        problems = list(_deployment(deployment, cluster))
        yield from problems
        if not any(p.severity == "error" for p in problems):
            fitting.append(deployment)
    yield from _ceiling(fitting, cluster)


def _deployment(deployment: Deployment, cluster: list[RayNode]) -> Iterator[Finding]:
    at = (*SERVE, *deployment.at)
    options = (*at, "ray_actor_options")
    if deployment.bundles and deployment.per_node:
        yield Finding((*at, "max_replicas_per_node"), "RG111",
                      f"{deployment.title}: max_replicas_per_node cannot be set with "
                      "placement_group_bundles (Ray Serve rejects the deployment)")
    if deployment.written:
        shorts = [s for s in (short(deployment.actor, n, deployment.accelerator) for n in cluster) if s]
        if len(shorts) == len(cluster):
            yield Finding(_where(options, shorts), "RG110",
                          f"{deployment.title} asks each replica for {_asked(deployment)}, which no "
                          f"node of this cluster can hold: {why(shorts)}. Its replicas would stay "
                          "pending forever", hint=_offer(cluster))
        elif deployment.accelerator and all(
                n.accelerators is None for n in cluster if all(s.node is not n for s in shorts)):
            yield Finding((*options, "accelerator_type"), "RG116",
                          f"{deployment.title} asks for a {deployment.accelerator} accelerator, "
                          "and no group that could hold it says which GPU it has: Ray places "
                          "the replicas only on nodes whose GPU it detects as a "
                          f"{deployment.accelerator}", severity="warning",
                          hint="name the GPU in the group's nodeSelector (nvidia.com/gpu.product, "
                          "cloud.google.com/gke-accelerator) or give it an accelerator_type:"
                          f"{deployment.accelerator} resource")
    if not deployment.bundles:
        return
    bundles_at = (*at, "placement_group_bundles")
    # Serve checks the replica's CPU (its default of 1 included), GPU and custom resources
    # against the first bundle (ReplicaConfig._validate_placement_group_options), not memory
    asked = {k: v for k, v in deployment.replica().items() if k != MEMORY}
    over = excess(asked, deployment.bundles[0])
    if over:
        parts = ", ".join(f"{show(k, a)} (the bundle has {b.normalize()})"
                          for k, (a, b) in sorted(over.items()))
        yield Finding((*bundles_at, 0), "RG111",
                      f"{deployment.title}: the replica runs in the first bundle, which must hold "
                      f"its ray_actor_options: {parts}")
    if deployment.strategy == "STRICT_PACK":
        whole = summed(*deployment.bundles)
        shorts = [s for s in (short(whole, n) for n in cluster) if s]
        if len(shorts) == len(cluster):
            yield Finding((*at, "placement_group_strategy"), "RG111",
                          f"{deployment.title}: STRICT_PACK puts all bundles on one node, "
                          f"{describe(whole)}, and no node can hold them: {why(shorts)}",
                          hint=_offer(cluster))
        return
    for k, bundle in enumerate(deployment.bundles):
        shorts = [s for s in (short(bundle, n) for n in cluster) if s]
        if len(shorts) == len(cluster):
            yield Finding((*bundles_at, k), "RG111",
                          f"{deployment.title}: bundle {k} ({describe(bundle)}) must fit on one node, "
                          f"and none can hold it: {why(shorts)}", hint=_offer(cluster))
    if deployment.strategy == "STRICT_SPREAD":
        able = sum(n.high for n in cluster if any(short(b, n) is None for b in deployment.bundles))
        if able < len(deployment.bundles):
            yield Finding((*at, "placement_group_strategy"), "RG111",
                          f"{deployment.title}: STRICT_SPREAD puts its {len(deployment.bundles)} "
                          f"bundles on different nodes, and the cluster has at most {able} node(s) "
                          "that can hold one")


def _asked(deployment: Deployment) -> str:
    text = describe(deployment.actor)
    if deployment.accelerator:
        text = f"{text} on a {deployment.accelerator} accelerator" if deployment.actor else \
            f"a {deployment.accelerator} accelerator"
    return text


def _where(options: FieldPath, shorts: list[Short]) -> FieldPath:
    """The ray_actor_options key that is short on every node type that has nodes, when
    there is one such key."""
    reasons = [{*s.missing, *(("accelerator_type",) if s.no_accelerator else ())}
               for s in shorts if not s.never]
    common = set.intersection(*reasons) if reasons else set()
    if len(common) > 1:  # a count says more than the accelerator it implies
        common.discard("accelerator_type")
    if len(common) != 1:
        return options
    name = common.pop()
    if name == "accelerator_type":
        return (*options, name)
    return (*options, _KEYS[name]) if name in _KEYS else (*options, "resources", name)


def _offer(cluster: list[RayNode]) -> str:
    return "node types: " + "; ".join(node_text(n) for n in cluster)


def _ceiling(found: list[Deployment], cluster: list[RayNode]) -> Iterator[Finding]:
    """Every deployment at its largest replica count, packed onto every node the cluster
    can have: what stays pending is a warning (Ray's autoscaler cannot add more)."""
    wanted = [(d, d.replicas[1], [summed(*d.bundles)] if d.strategy == "STRICT_PACK" and d.bundles
              else list(d.bundles) or [d.replica()]) for d in found if d.replicas is not None]
    # the estimate packs one item per replica: bounded before any is made (num_replicas:
    # 2000000000 in a 500-byte spec would hold gigabytes), as place() bounds its own work
    nodes = max(1, sum(node.high for node in cluster))
    count = sum(high * len(units) for _, high, units in wanted)
    if count > MAX_ITEMS or count * nodes > MAX_WORK:
        yield from _ceiling_by_totals(wanted, cluster)
        return
    items = [(d.title, unit) for d, high, units in wanted for _ in range(high) for unit in units]
    first: dict[str, Deployment] = {}
    for deployment, _, _ in wanted:
        first.setdefault(deployment.title, deployment)
    if not items:
        return
    packed = place(items, cluster)
    if packed is None:
        return
    left, asked, offered = packed
    if not left:
        return
    deployment = first[left[0]]
    pending = sorted({title for title in left})
    counts = ", ".join(f"{left.count(t)} of {t}" for t in pending)
    at = (*SERVE, *deployment.at, "autoscaling_config", "max_replicas") \
        if deployment.replicas and deployment.replicas[0] != deployment.replicas[1] else \
        (*SERVE, *deployment.at, "num_replicas")
    yield Finding(at, "RG112",
                  f"at their largest, the Serve deployments ask for {describe(asked)}; this "
                  f"cluster at maxReplicas offers {describe(offered)} on "
                  f"{sum(n.high for n in cluster)} node(s), and {counts} would stay pending",
                  severity="warning", hint=_offer(cluster))


MAX_ITEMS = 100_000  # replicas (or bundles) the Serve ceiling packs one by one


def _ceiling_by_totals(asked: list[tuple[Deployment, int, list[dict[str, Decimal]]]],
                       cluster: list[RayNode]) -> Iterator[Finding]:
    """The ceiling of deployments too large to pack one replica at a time: what they ask in
    all against what every node at maxReplicas offers in all, for the resources the spec
    says a node has (what Ray detects on a node is not judged)."""
    total: dict[str, Decimal] = {}
    for _, high, units in asked:
        for name, value in summed(*units).items():
            total[name] = total.get(name, Decimal(0)) + value * high
    offered = summed(*({name: value * node.high for name, value in node.resources.items()}
                       for node in cluster))
    unknown = {name for node in cluster for name in node.unknown}
    over = {name: value for name, value in total.items()
            if value > offered.get(name, Decimal(0)) and name not in unknown}
    if not over:
        return
    deployment = max(asked, key=lambda entry: entry[1])[0]
    key = "max_replicas" if deployment.replicas and deployment.replicas[0] != deployment.replicas[1] \
        else "num_replicas"
    at = (*SERVE, *deployment.at, *(("autoscaling_config",) if key == "max_replicas" else ()), key)
    yield Finding(at, "RG112",
                  f"at their largest, the Serve deployments ask for {describe(over)}; this "
                  f"cluster at maxReplicas offers {describe({k: offered.get(k, Decimal(0)) for k in over})} "
                  f"on {sum(n.high for n in cluster)} node(s): most replicas would stay pending",
                  severity="warning", hint=_offer(cluster))


@object_rule(*JOB_KINDS)
def entrypoint_fits(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    base = job_path(str(obj.get("kind"))) or ("spec",)
    job = mapping(value_at(obj, base))
    cluster_spec = mapping(job.get(JOB_CLUSTER))
    demand = entrypoint(job)
    if not cluster_spec or not demand:
        return  # on an existing cluster: that cluster's spec is checked where it is
    cluster = nodes(cluster_spec, (*base, JOB_CLUSTER))
    shorts = [s for s in (short(demand, n) for n in cluster) if s]
    if len(shorts) < len(cluster):
        return
    names = {"CPU": "entrypointNumCpus", "GPU": "entrypointNumGpus"}
    common = set.intersection(*(set(s.missing) for s in shorts))
    key = names.get(next(iter(common)), "entrypointResources") if len(common) == 1 else \
        "entrypointResources" if any(k not in names for k in demand) else \
        next(iter(names[k] for k in demand))
    yield Finding((*base, key), "RG113",
                  f"the job's driver asks for {describe(demand)}, which no node of its cluster "
                  f"can hold: {why(shorts)}. The job would never start", hint=_offer(cluster))


def pools_fit(obj: dict[str, Any], pools: tuple[Pool, ...]) -> Iterator[Finding]:
    """Every pod template of the object against the node pools: one that fits none stays
    Pending, and the cluster autoscaler cannot add a node that would take it."""
    if not pools:
        return
    for pod in object_pods(obj):
        if pod.high == 0 or homes(pod, pools):
            continue
        yield Finding((*pod.at, "spec", "containers", 0, "resources"), "RG114",
                      f"the {pod.name} pod ({pool_show(pod.requests)}) fits no node pool, so it "
                      f"would stay Pending: {'; '.join(reasons(pod, pools))}")


MAX_PACKED = 10**6  # pods; beyond this (an unbounded maxReplicas) the sum says nothing useful


def pools_hold(objects: list[dict[str, Any]], pools: tuple[Pool, ...]) -> Iterator[tuple[int, Finding]]:
    """Every pod of ``objects`` at maxReplicas, packed onto the pools' nodes, and then again
    with each RayService's new cluster beside it as during an upgrade: the pods that find
    no room are a warning (index of their object, finding)."""
    if not pools:
        return
    pods = [(i, pod) for i, obj in enumerate(objects) for pod in object_pods(obj)]
    if sum(pod.high for _, pod in pods) > MAX_PACKED:
        return
    said = False
    for i, finding in _overflow(pods, pools, "at maxReplicas"):
        said = True
        yield i, finding
    if said:
        return
    for i, obj in enumerate(objects):
        if obj.get("kind") not in UPGRADED_KINDS:
            continue
        kind, surge = upgrade_of(obj)
        if not surge:
            continue
        new = [(i, replace(p, high=p.initial if kind == "NewCluster" else
                           -(-p.high * surge // 100))) for p in object_pods(obj) if p.cluster]
        name = mapping(obj.get("metadata")).get("name")
        found = list(_overflow(pods + new, pools, f"during an upgrade of RayService {name} "
                               f"({'a new cluster' if kind == 'NewCluster' else f'{surge}% surge'} "
                               "beside the old one at maxReplicas)"))
        if found:
            yield found[0]


def _overflow(pods: list[tuple[int, Pod]], pools: tuple[Pool, ...],
              when: str) -> Iterator[tuple[int, Finding]]:
    used, left = pack([pod for _, pod in pods], pools)
    asked = {name: sum((p.requests.get(name, Decimal(0)) * p.high for _, p in pods), Decimal(0))
             for name in ("cpu", "memory")}
    offered = {name: sum((p.allocatable.get(name, Decimal(0)) * p.max_nodes for p in pools), Decimal(0))
               for name in ("cpu", "memory")}
    nodes_text = ", ".join(f"{pool.name} {used[pool.name]} of {pool.max_nodes}" for pool in pools)
    for pod, count in left:
        i = next(i for i, p in pods if p is pod)
        yield i, Finding((*pod.at, "spec", "containers", 0, "resources"), "RG115",
                         f"{when} the pods ask for {pool_show(asked)} and the node pools "
                         f"offer {pool_show(offered)} on at most "
                         f"{sum(p.max_nodes for p in pools)} node(s) (nodes used: {nodes_text}); "
                         f"{count} of the {pod.high} {pod.name} pod(s) would find no node and "
                         "stay Pending", severity="warning")


def pool_show(requests: dict[str, Decimal]) -> str:
    return ", ".join(show_request(k, v) for k, v in sorted(requests.items())) or "no requests"


@spec_rule(*JOB_KINDS)
def entrypoint_on_its_cluster(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    """A job on an existing cluster (clusterSelector): its driver against the RayCluster
    spec it names, that cluster's groups shaped as KubeRay will shape them."""
    job, base = spec.model.job_at()
    asked = job.entrypoint_resources
    if not job.cluster_selector or asked is None:
        return
    target = index.get(RAY_CLUSTER, job.cluster_selector, spec.namespace)
    if target is None:
        return  # the reference rules report it
    objects = index.rendered(target)
    obj = next((o for o in objects or () if o.get("kind") == target.kind), None)
    if obj is None:
        return  # a cluster that cannot render: its own checks say why
    cluster = nodes(mapping(obj.get("spec")), ())
    demand = {name: Decimal(str(value)) for name, value in (("CPU", asked.num_cpus),
                                                              ("GPU", asked.num_gpus))
              if value}
    demand.update({k: Decimal(str(v)) for k, v in asked.resources.items() if v > 0})
    shorts = [s for s in (short(demand, n) for n in cluster) if s]
    if not demand or len(shorts) < len(cluster):
        return
    at = (*base, "entrypointResources")
    lacking = [set(s.missing) for s in shorts if not s.never]
    common = set.intersection(*lacking) if lacking else set()
    keys = {"CPU": "numCpus", "GPU": "numGpus"}
    if len(common) == 1:
        name = common.pop()
        at = (*at, keys[name]) if name in keys else (*at, "resources", name)
    yield Finding(at, "RG113",
                  f"the job's driver asks for {describe(demand)}, which no node of RayCluster "
                  f"{target.name!r} can hold: {why(shorts)}. The job would never start",
                  hint=_offer(cluster))
