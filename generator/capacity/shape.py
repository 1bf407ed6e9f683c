"""What each Ray node of a group advertises to Ray's scheduler: one function, as the
operator writes ``ray start`` and as Ray's KubeRay autoscaler reads a group.

The operator (ray-operator ``common/pod.go``: ``updateRayStartParamsResources``, then
``generateRayStartCommand`` and ``addWellKnownAcceleratorResources``) and Ray's autoscaler
(``python/ray/autoscaler/_private/kuberay/autoscaling_config.py``,
``_get_ray_resources_from_group_spec``) agree on the order:

1. the group's ``resources`` (KubeRay >= 1.5): ``cpu``, ``memory``, any ``*gpu`` key, and
   custom resources; they replace what rayStartParams say;
2. rayStartParams ``num-cpus``, ``num-gpus``, ``memory``, ``resources`` (a JSON map);
3. the Ray container's limits: ``cpu`` and ``memory`` rounded up to whole numbers, the
   first non-zero ``*gpu`` resource (names sorted), ``google.com/tpu`` as ``TPU`` and
   ``aws.amazon.com/neuroncore`` as ``neuron_cores`` (the first of these two, sorted);
4. the Ray container's requests, for CPU only (the operator passes ``--num-cpus`` from a
   CPU request; ``--memory`` comes from the memory limit alone).

What none of these says, Ray detects on the node when it starts (the node's CPUs, its
memory, what the accelerators it gets hold: AWS Neuron cores, Gaudi HPUs, Intel GPUs): such
a resource is *unknown* here, and anything fits it. ``RAY_OVERRIDE_RESOURCES`` in the Ray
container replaces them all.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from generator.capacity.autoscaler import Unreadable, view
from generator.fieldpath import FieldPath
from generator.kuberay.vocabulary import (
    INT32_MAX,
    image_tag,
    items,
    mapping,
    parse_version,
    quantity_value,
    ray_container,
)

HEAD_GROUP = "headgroup"  # the autoscaler's name for the head's node type
CPU, GPU, MEMORY, TPU = "CPU", "GPU", "memory", "TPU"
# accelerators the operator turns from a container limit into a Ray resource (pod.go)
ACCELERATORS = {"aws.amazon.com/neuroncore": "neuron_cores", "google.com/tpu": TPU}
# devices the operator passes no Ray resource for, whose Ray resource Ray's accelerator
# managers detect on the node (ray/_private/accelerators: neuron.py, hpu.py, intel_gpu.py,
# npu.py): the device plugin's resource name -> the Ray resource
DETECTED = {"aws.amazon.com/neuron": "neuron_cores", "aws.amazon.com/neurondevice": "neuron_cores",
            "habana.ai/gaudi": "HPU", "gpu.intel.com/i915": GPU, "gpu.intel.com/xe": GPU,
            "huawei.com/Ascend910": "NPU", "huawei.com/Ascend310": "NPU"}
OVERRIDE_ENV = "RAY_OVERRIDE_RESOURCES"  # Ray replaces what it detects with this JSON map
_MIG = re.compile(r"nvidia\.com/mig-\d+g\.\d+gb$")


def is_gpu(name: str) -> bool:
    """The operator's IsGPUResourceKey (utils/resources.go): ``*gpu`` and NVIDIA MIG slices."""
    return name.endswith("gpu") or bool(_MIG.search(name))


def amount(value: Any) -> Decimal | None:
    """A Kubernetes quantity or a number, or None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    try:
        return quantity_value(str(value).strip())
    except (ValueError, InvalidOperation):
        return None


def figure(value: Decimal) -> str:
    """An amount for a message: at most three decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def summed(*parts: dict[str, Decimal]) -> dict[str, Decimal]:
    """Amounts added up by name: requests of containers, bundles of a placement group."""
    out: dict[str, Decimal] = {}
    for part in parts:
        for name, value in part.items():
            out[name] = out.get(name, Decimal(0)) + value
    return out


def excess(asked: dict[str, Decimal], has: dict[str, Decimal]) -> dict[str, tuple[Decimal, Decimal]]:
    """What of ``asked`` is more than ``has``: name -> (asked, has)."""
    return {name: (value, has.get(name, Decimal(0))) for name, value in asked.items()
            if value > has.get(name, Decimal(0))}


def whole(value: Decimal) -> Decimal:
    """Quantity.Value() in Go, and Ray's _round_up_k8s_quantity: rounded up."""
    return value.to_integral_value(rounding=ROUND_CEILING)


@dataclass(frozen=True)
class RayNode:
    """One node type: a group's Ray resources, and how many nodes of it there can be."""

    group: str  # headgroup, or the worker group's name
    at: FieldPath  # the group's path in its object
    resources: dict[str, Decimal]  # what the node advertises, as far as the spec says
    unknown: frozenset[str] = frozenset()  # what Ray detects when the node starts
    labels: dict[str, str] = field(default_factory=dict)
    head: bool = False
    # the accelerator types Ray gives the node (accelerator_type:<type>), as far as the group
    # says; None: not known here (Ray detects the GPU's model on the node)
    accelerators: frozenset[str] | None = None
    low: int = 1  # nodes at minReplicas (times numOfHosts); the head is one node
    initial: int = 1  # at replicas
    high: int = 1  # at maxReplicas (without the autoscaler: at replicas)
    # a group that starts with no node, which only the autoscaler can start: what the
    # autoscaler believes one of its nodes has (capacity.autoscaler); None otherwise
    launch: dict[str, Decimal] | None = None

    def has(self, name: str) -> Decimal | None:
        """How much of ``name`` one node has; None when Ray detects it on the node."""
        if name in self.unknown:
            return None
        return self.resources.get(name, Decimal(0))


def ray_resources(group: dict[str, Any]) -> tuple[dict[str, Decimal], frozenset[str]]:
    """The Ray resources of one node of ``group`` (a head or worker group spec), and the
    names Ray will detect on the node instead."""
    params = {str(k): str(v) for k, v in mapping(group.get("rayStartParams")).items()}
    limits = mapping(mapping(ray_container(group).get("resources")).get("limits"))
    requests = mapping(mapping(ray_container(group).get("resources")).get("requests"))
    out: dict[str, Decimal] = {}
    custom = _custom(params.get("resources"))
    for name, value in mapping(group.get("resources")).items():  # KubeRay >= 1.5
        found = amount(value)
        if found is None:
            continue  # the operator skips what it cannot parse
        lower = str(name).lower()
        if lower == "cpu":
            params["num-cpus"] = str(whole(found))
        elif lower == "memory":
            params["memory"] = str(whole(found))
        elif is_gpu(lower):
            params["num-gpus"] = str(whole(found))
        else:
            custom[str(name)] = found
    unknown: set[str] = set()
    cpu = _param(params, "num-cpus")
    if cpu is None:
        cpu = _nonzero(limits.get("cpu")) or _nonzero(requests.get("cpu"))
        cpu = whole(cpu) if cpu is not None else None
    if cpu is None:
        unknown.add(CPU)
    else:
        out[CPU] = cpu
    memory = _param(params, "memory")
    if memory is None:
        memory = _nonzero(limits.get("memory"))
        memory = whole(memory) if memory is not None else None
    if memory is None:
        unknown.add(MEMORY)
    else:
        out[MEMORY] = memory
    gpus = _param(params, "num-gpus")
    if gpus is None:
        gpus = next((whole(v) for k, v in sorted((str(k), _nonzero(v)) for k, v in limits.items())
                     if v is not None and is_gpu(k)), None)
    if gpus is not None:
        out[GPU] = gpus
    if not any(name in custom for name in ACCELERATORS.values()):
        for name in sorted(str(k) for k in limits):
            found = _nonzero(limits[name])
            if name in ACCELERATORS and found is not None:
                custom[ACCELERATORS[name]] = found
                break
    for device, ray_name in DETECTED.items():
        if _nonzero(limits.get(device)) and ray_name not in custom and ray_name not in out:
            unknown.add(ray_name)  # Ray counts what the devices the pod gets hold
    out.update(custom)
    _override(ray_container(group), out, unknown)
    return out, frozenset(unknown)


def _override(container: dict[str, Any], out: dict[str, Decimal], unknown: set[str]) -> None:
    """RAY_OVERRIDE_RESOURCES in the Ray container: Ray takes its amounts over everything
    else (ray/_private/resource_and_label_spec.py); one not written here is unknown."""
    for _, entry in items(container.get("env")):
        if entry.get("name") != OVERRIDE_ENV:
            continue
        try:
            found = json.loads(entry["value"]) if isinstance(entry.get("value"), str) else None
        except ValueError:
            found = None
        if not isinstance(found, dict):
            unknown.update((CPU, GPU, MEMORY))
            return
        for name, value in found.items():
            amount = _amount_of(value)
            if amount is not None:
                out[str(name)] = amount
                unknown.discard(str(name))


def _amount_of(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        return None


def nodes(cluster: dict[str, Any], at: FieldPath) -> list[RayNode]:
    """The head and every worker group of a RayClusterSpec, with their node counts.

    Without the autoscaler a group has its ``replicas`` (the operator clamps them into
    minReplicas..maxReplicas); a suspended group has none."""
    autoscaling = cluster.get("enableInTreeAutoscaling") is True
    head_at: FieldPath = (*at, "headGroupSpec")
    head = mapping(cluster.get("headGroupSpec"))
    resources, unknown = ray_resources(head)
    out = [RayNode(HEAD_GROUP, head_at, resources, unknown, _labels(head), head=True,
                   accelerators=accelerator_types(head, resources))]
    ray = autoscaler_ray(cluster)
    for i, group in items(cluster.get("workerGroupSpecs")):
        resources, unknown = ray_resources(group)
        low, initial, high = replica_counts(group, autoscaling)
        n = hosts(group)
        launch = None
        if autoscaling and initial == 0 and high > 0:
            with suppress(Unreadable):  # the autoscaler rule reports it
                launch = view(group, ray)
        out.append(RayNode(str(group.get("groupName", f"group-{i}")), (*at, "workerGroupSpecs", i),
                           resources, unknown, _labels(group), False,
                           accelerator_types(group, resources), low * n, initial * n, high * n,
                           launch))
    return out


def autoscaler_ray(cluster: dict[str, Any]) -> tuple[int, ...] | None:
    """The Ray release of the autoscaler: its own image's tag, else the cluster's Ray."""
    image = mapping(cluster.get("autoscalerOptions")).get("image")
    found = parse_version(image_tag(image)) if isinstance(image, str) else None
    head = mapping(cluster.get("headGroupSpec"))
    return found or parse_version(cluster.get("rayVersion")) or parse_version(
        image_tag(str(ray_container(head).get("image", ""))))


def replica_counts(group: dict[str, Any], autoscaling: bool) -> tuple[int, int, int]:
    """A worker group's pods at minReplicas, at replicas and at maxReplicas (per host)."""
    if group.get("suspend") is True:
        return 0, 0, 0
    low = _count(group.get("minReplicas"), 0)
    high = _count(group.get("maxReplicas"), INT32_MAX)
    replicas = _count(group.get("replicas"), low)
    initial = min(max(replicas, low), high) if low <= high else replicas
    if not autoscaling:
        return initial, initial, initial
    return min(low, high), initial, max(high, initial)


def hosts(group: dict[str, Any]) -> int:
    """Pods (and Ray nodes) per replica: numOfHosts, for multi-host TPU slices."""
    return _count(group.get("numOfHosts"), 1) or 1


def _count(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _labels(group: dict[str, Any]) -> dict[str, str]:
    labels = {str(k): str(v) for k, v in mapping(group.get("labels")).items()}
    text = mapping(group.get("rayStartParams")).get("labels")
    for part in str(text).split(",") if text else ():
        key, sep, value = part.partition("=")
        if sep and key.strip() not in labels:
            labels[key.strip()] = value.strip()
    return labels


def _param(params: dict[str, str], name: str) -> Decimal | None:
    if name not in params:
        return None
    found = amount(params[name].strip().strip("'\""))
    return None if found is None else whole(found)


def _nonzero(value: Any) -> Decimal | None:
    found = amount(value) if value is not None else None
    return found if found else None


def _custom(text: str | None) -> dict[str, Decimal]:
    """rayStartParams ``resources``: a JSON map, in quotes as KubeRay's samples write it."""
    if not text:
        return {}
    body = text.strip().strip("'\"` ").replace("\\", "")
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): Decimal(str(v)) for k, v in data.items()
            if isinstance(v, int | float) and not isinstance(v, bool)}


ACCELERATOR_RESOURCE = "accelerator_type:"
# Ray's NVIDIA accelerator type from a GPU's name (NvidiaGPUAcceleratorManager:
# "NVIDIA A100-SXM4-80GB" -> A100, "Tesla T4" -> T4)
_NVIDIA_NAME = re.compile(r"\w+\s+([A-Z0-9]+)")
# node labels that name a node's GPU: GPU feature discovery's product name (its spaces
# written as '-'), GKE's accelerator, Karpenter's GPU name
GPU_PRODUCT = "nvidia.com/gpu.product"
GKE_ACCELERATOR = "cloud.google.com/gke-accelerator"
KARPENTER_GPU = "karpenter.k8s.aws/instance-gpu-name"


def accelerator_types(group: dict[str, Any], resources: dict[str, Decimal]) -> frozenset[str] | None:
    """The accelerator types a node of ``group`` has for Ray: ``accelerator_type:<type>``
    resources it is given, else the GPU model its pods' node selector or required node
    affinity names; None when the group says nothing of it."""
    given = {name[len(ACCELERATOR_RESOURCE):] for name in resources
             if name.startswith(ACCELERATOR_RESOURCE)}
    if given:
        return frozenset(given)
    pod = mapping(mapping(group.get("template")).get("spec"))
    found: set[str] = set()
    for key, values in _node_labels(pod):
        for value in values:
            model = _model(key, value)
            if model:
                found.add(model)
    return frozenset(found) or None


def _node_labels(pod: dict[str, Any]) -> list[tuple[str, list[str]]]:
    out = [(str(k), [str(v)]) for k, v in mapping(pod.get("nodeSelector")).items()]
    required = mapping(mapping(mapping(pod.get("affinity")).get("nodeAffinity")).get(
        "requiredDuringSchedulingIgnoredDuringExecution"))
    for _, term in items(required.get("nodeSelectorTerms")):
        for _, expression in items(term.get("matchExpressions")):
            if expression.get("operator") == "In" and isinstance(expression.get("values"), list):
                out.append((str(expression.get("key")), [str(v) for v in expression["values"]]))
    return out


def _model(key: str, value: str) -> str | None:
    if key == GPU_PRODUCT:
        match = _NVIDIA_NAME.match(value.replace("-", " "))
        return match.group(1) if match else None
    if key == GKE_ACCELERATOR and value.startswith("nvidia-"):
        return value.removeprefix("nvidia-").removeprefix("tesla-").split("-")[0].upper()
    if key == KARPENTER_GPU:
        return value.upper()
    return None
