"""What Ray's autoscaler believes a node of a group has: the node type it launches for
a demand, read from the RayCluster as the autoscaler of each Ray release reads it.

The autoscaler (v1 and v2 alike: both take ``available_node_types`` from
``ray/autoscaler/_private/kuberay/autoscaling_config.py``) never sees a node before it
launches one, so for a group with no node it knows only what the group spec says, by its
own rules, which are not the operator's:

- the group's ``resources`` field (Ray >= 2.51) is read with case: only ``CPU``, ``GPU``,
  ``TPU`` and ``memory`` are those; ``cpu`` or ``nvidia.com/gpu`` there become custom
  resources of those names (the operator lower-cases them into ``--num-cpus`` and
  ``--num-gpus``); when the field has anything, rayStartParams ``resources`` are ignored;
- rayStartParams as written (not as the operator rewrites them), read with Python's
  ``int()``; ``resources`` must be a JSON map of whole numbers inside one outer pair of
  quotes;
- the Ray container's limits, then (Ray >= 2.41) its requests: ``cpu`` and ``memory``
  rounded up, the first ``*gpu`` key (so no MIG slice), ``google.com/tpu`` (Ray >= 2.32);
- nothing of what Ray detects on a node (Neuron cores, Gaudi HPUs, ``accelerator_type:``
  resources), so a demand for those can not start a node of a group that has none.

Where its reading fails (no CPU anywhere, a value ``int()`` or the quantity parser
refuses, a malformed ``resources`` map, rayStartParams missing before Ray 2.45, TPU pods
without the GKE TPU node selectors before Ray 2.48), the autoscaler raises and exits:
``Unreadable``. The Ray release comes from the autoscaler's image, else the cluster's.
"""

from __future__ import annotations

import json
from decimal import ROUND_UP, Decimal, InvalidOperation
from typing import Any

from generator.kuberay.vocabulary import mapping

GROUP_RESOURCES = (2, 51)  # the group's resources field is read
REQUESTS = (2, 41)  # requests after limits
PARAMS_OPTIONAL = (2, 45)  # rayStartParams may be absent
TPU_SELECTORS_OPTIONAL = (2, 48)  # TPU pods without GKE's TPU node selectors
TPUS = (2, 32)  # google.com/tpu becomes TPU
NEWEST = (2, 60)  # the release whose rules apply when a cluster names none
STANDARD = ("CPU", "GPU", "TPU", "memory")
TPU_SELECTORS = ("cloud.google.com/gke-tpu-topology", "cloud.google.com/gke-tpu-accelerator")
CONTAINER_RESOURCES = ("template", "spec", "containers", 0, "resources")
KINDS = ("limits", "requests")
_EXPONENTS = {"n": -3, "u": -2, "m": -1, "K": 1, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}


class Unreadable(ValueError):
    """The autoscaler can not read this group: it raises, and exits. ``at``: where in the
    group the value it fails on is."""

    def __init__(self, message: str, at: tuple[str | int, ...] = (), hint: str = "") -> None:
        super().__init__(message)
        self.at = at
        self.hint = hint


def view(group: dict[str, Any], ray: tuple[int, ...] | None) -> dict[str, Decimal]:
    """The resources of the node type the autoscaler makes of ``group``."""
    ray = ray[:2] if ray else NEWEST
    if "rayStartParams" not in group and ray < PARAMS_OPTIONAL:
        raise Unreadable("the group has no rayStartParams, which this Ray's autoscaler "
                         "requires (it reads them with no default before Ray 2.45)")
    reader = _Reader(group, ray)
    out: dict[str, Decimal] = {"CPU": reader.cpu()}
    gpus = reader.gpus()
    if gpus is not None:
        out["GPU"] = gpus
    custom = reader.custom()
    tpus = reader.tpus(custom) if ray >= TPUS else None
    if tpus is not None:
        if "TPU" not in custom:
            out["TPU"] = tpus
        reader.tpu_selectors()
    memory = reader.memory()
    if memory is not None:
        out["memory"] = memory
    out.update(custom)
    for name, value in out.items():
        if value < 0:  # its config schema: integers, minimum 0 (ray-schema.json)
            raise Unreadable(f"the autoscaler's config takes no negative amount, and reads "
                             f"{value:f} {name} for this group")
    return out


class _Reader:
    def __init__(self, group: dict[str, Any], ray: tuple[int, ...]) -> None:
        self.ray = ray
        self.group = group
        given = mapping(group.get("resources")) if ray >= GROUP_RESOURCES else {}
        self.given = {str(k): v for k, v in given.items()}
        self.params = {str(k): v for k, v in mapping(group.get("rayStartParams")).items()}
        containers = mapping(mapping(group.get("template")).get("spec")).get("containers")
        first = mapping(containers[0]) if isinstance(containers, list) and containers else {}
        resources = mapping(first.get("resources"))
        self.sources = [mapping(resources.get("limits"))]
        if ray >= REQUESTS:
            self.sources.append(mapping(resources.get("requests")))

    def cpu(self) -> Decimal:
        found = self._standard("CPU", "num-cpus", "cpu")
        if found is None:
            raise Unreadable("the autoscaler finds no CPU count for the group: no num-cpus in "
                             "rayStartParams, no cpu limit" + (" or request" if self.ray >= REQUESTS
                                                                else "") + " on the Ray container",
                             CONTAINER_RESOURCES, "give the Ray container a cpu limit, or write "
                             "num-cpus in rayStartParams")
        return found

    def memory(self) -> Decimal | None:
        return self._standard("memory", "memory", "memory")

    def _standard(self, given: str, param: str, k8s: str) -> Decimal | None:
        if given in self.given:
            return round_up(self.given[given], ("resources", given))
        if param in self.params:
            return py_int(self.params[param], param)
        for source, kind in zip(self.sources, KINDS, strict=False):
            if k8s in source:
                return round_up(source[k8s], (*CONTAINER_RESOURCES, kind, k8s))
        return None

    def gpus(self) -> Decimal | None:
        if "GPU" in self.given:
            return round_up(self.given["GPU"], ("resources", "GPU"))
        if "num-gpus" in self.params:
            return py_int(self.params["num-gpus"], "num-gpus")
        for source, kind in zip(self.sources, KINDS, strict=False):
            for key, value in source.items():
                if str(key).endswith("gpu"):
                    found = round_up(value, (*CONTAINER_RESOURCES, kind, key))
                    if found > 0:
                        return found
        return None

    def tpus(self, custom: dict[str, Decimal]) -> Decimal | None:
        if "TPU" in self.given:
            return round_up(self.given["TPU"], ("resources", "TPU"))
        if "TPU" in custom:
            return custom["TPU"]
        for source, kind in zip(self.sources, KINDS, strict=False):
            if "google.com/tpu" in source:
                found = round_up(source["google.com/tpu"], (*CONTAINER_RESOURCES, kind, "google.com/tpu"))
                if found > 0:
                    return found
        return None

    def tpu_selectors(self) -> None:
        selector = mapping(mapping(mapping(self.group.get("template")).get("spec")).get(
            "nodeSelector"))
        if self.ray < TPU_SELECTORS_OPTIONAL and not all(k in selector for k in TPU_SELECTORS):
            raise Unreadable("a TPU group's pods need the node selectors "
                             f"{' and '.join(TPU_SELECTORS)}: this Ray's autoscaler reads them "
                             "with no default", ("template", "spec", "nodeSelector"))

    def custom(self) -> dict[str, Decimal]:
        if self.given:
            return {k: round_up(v, ("resources", k)) for k, v in self.given.items()
                    if k not in STANDARD}
        if "resources" not in self.params:
            return {}
        text = str(self.params["resources"])
        try:
            found = json.loads(text[1:-1].replace("\\", ""))
        except ValueError:
            found = None
        if not isinstance(found, dict) or not all(  # true passes its assert, not its schema
                isinstance(v, int) and not isinstance(v, bool) for v in found.values()):
            raise Unreadable("the autoscaler reads rayStartParams resources as a JSON map of "
                             "whole numbers inside one pair of quotes, and can not read "
                             f"{text!r}", ("rayStartParams", "resources"),
                             'as in \'{"accel": 1}\' (KubeRay\'s samples), or the group\'s resources field')
        return {str(k): Decimal(int(v)) for k, v in found.items()}


def py_int(value: Any, name: str) -> Decimal:
    """Python's int() of a rayStartParams value, as the autoscaler reads it."""
    try:
        return Decimal(int(str(value)))
    except ValueError:
        raise Unreadable(f"the autoscaler reads rayStartParams {name} with Python's int(), "
                         f"which refuses {str(value)!r}", ("rayStartParams", name)) from None


def round_up(value: Any, at: tuple[str | int, ...] = ()) -> Decimal:
    """The autoscaler's reading of a Kubernetes quantity, rounded up to a whole number."""
    try:
        found = parse_quantity(value)
    except Unreadable as error:
        raise Unreadable(str(error), at) from None
    if not found.is_finite():  # int() of it raises
        raise Unreadable(f"the autoscaler can not count {str(value)!r}", at)
    return found.to_integral_value(rounding=ROUND_UP)


def parse_quantity(value: Any) -> Decimal:
    """Ray's own quantity reader (``kuberay/utils.py``): a number, and an SI or binary
    suffix; what it refuses, the autoscaler raises on."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    text = str(value)
    number, suffix = text, ""
    if len(text) >= 2 and text[-1] == "i" and text[-2] in _EXPONENTS:
        number, suffix = text[:-2], text[-2:]
    elif text and text[-1] in _EXPONENTS:
        number, suffix = text[:-1], text[-1]
    try:
        parsed = Decimal(number)
    except InvalidOperation:
        raise Unreadable(f"the autoscaler can not read the quantity {text!r}") from None
    if not suffix:
        return parsed
    if suffix == "ki":
        raise Unreadable(f"the autoscaler can not read the quantity {text!r}")
    base = Decimal(1024 if suffix.endswith("i") else 1000)
    return parsed * base ** _EXPONENTS[suffix[0]]
