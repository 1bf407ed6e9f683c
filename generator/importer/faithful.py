"""Whether a rendered object is the object it was imported from, as the cluster reads both.

Two objects are the same when they are equal after ``NORMALISED``: the defaults the API
server and the operator apply anyway, and what ray-gitops adds without changing what
runs. Each is listed once here, with where it comes from; nothing else is forgiven.
Every other difference is named, by path, with both values.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from generator.kuberay.vocabulary import quantity_value
from generator.load import plain
from generator.load.secrets import secret_in
from generator.schemas.outputs import OutputSchemas


class Normalised(NamedTuple):
    what: str
    why: str


NORMALISED = (
    Normalised("server fields", "metadata the API server writes on a stored object (uid, "
               "resourceVersion, generation, creationTimestamp, managedFields), `status`, and "
               "kubectl's last-applied-configuration annotation: none of it is desired state"),
    Normalised("CRD defaults", "the defaults of the CRD's schema, which the API server sets on "
               "every object it stores (structural defaulting): applied to both sides"),
    Normalised("empty", "an empty map or list is the same as none: KubeRay's Go types read "
               "both as nil (encoding/json, omitempty)"),
    Normalised("quantities", "resource amounts compared by amount (1024Mi = 1Gi; 1 = 1000m): "
               "the operator and the kubelet parse them (resource.ParseQuantity)"),
    Normalised("requests", "a container with limits and no requests requests its limits: the "
               "API server defaults each pod so (core/v1 SetDefaults_Pod), and ray-gitops writes "
               "the requests out"),
    Normalised("embedded YAML", "serveConfigV2, runtimeEnvYAML and entrypointResources "
               "compared as the YAML (or JSON) they hold, not as text: the operator and Ray "
               "parse them"),
    Normalised("volume order", "a pod's volumes compared by name: the list is a map keyed by "
               "name (patchMergeKey), its order means nothing"),
    Normalised("own labels", "the labels ray-gitops puts on the object itself "
               "(app.kubernetes.io/name, component, part-of, managed-by, instance) where the "
               "source has no label of that key; a source's own label is never replaced"),
    Normalised("false switches", "enableInTreeAutoscaling: false and headGroupSpec."
               "enableIngress: false are the same as none: the operator acts only on true"),
    Normalised("zero amounts", "an extended resource limited or requested at 0 (nvidia.com/gpu: "
               "0) is none: the device plugin allocates nothing, the scheduler reserves nothing"),
    Normalised("unused fields", "RayService serviceUnhealthySecondThreshold and "
               "deploymentUnhealthySecondThreshold: deprecated, and read by no operator since "
               "KubeRay 1.1 (kuberay#1685); import leaves them out, with a note"),
)
FALSE_AS_NONE = ("enableInTreeAutoscaling", "enableIngress")
UNUSED = ("serviceUnhealthySecondThreshold", "deploymentUnhealthySecondThreshold")

SERVER_FIELDS = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                 "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
OWN_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component",
              "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
              "app.kubernetes.io/instance")
EMBEDDED = ("serveConfigV2", "runtimeEnvYAML", "entrypointResources")
RESOURCE_LISTS = ("limits", "requests")
MAX_SHOWN = 12


def differences(source: dict[str, Any], rendered: dict[str, Any],
                schemas: OutputSchemas) -> list[str]:
    """What differs between the imported object and its rendering, each as
    ``path: source value -> rendered value``; empty when they are the same."""
    ours = _normal(rendered, schemas)
    theirs = _normal(source, schemas)
    for key in OWN_LABELS:  # ray-gitops's own, where the source has none of that key
        labels = (theirs.get("metadata") or {}).get("labels") or {}
        if key not in labels:
            ((ours.get("metadata") or {}).get("labels") or {}).pop(key, None)
    for meta in (ours.get("metadata"), theirs.get("metadata")):
        if isinstance(meta, dict) and meta.get("labels") == {}:
            meta.pop("labels")
    found = list(_compare(theirs, ours, ()))
    if len(found) > MAX_SHOWN:
        found = [*found[:MAX_SHOWN], f"... and {len(found) - MAX_SHOWN} more"]
    return found


def _normal(obj: dict[str, Any], schemas: OutputSchemas) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in SERVER_FIELDS:
            meta.pop(key, None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(LAST_APPLIED, None)
    out = schemas.prepared(out)
    return _clean(out, ())


def _clean(node: Any, path: tuple[Any, ...]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in EMBEDDED and isinstance(value, str):
                value = _parsed(value)
            elif key in FALSE_AS_NONE and value is False or path == ("spec",) and key in UNUSED:
                continue
            value = _clean(value, (*path, key))
            if value in ({}, [], None):
                continue
            out[key] = value
        if "resources" in out and isinstance(out["resources"], dict):
            out["resources"] = _resources(out["resources"])
        if path and path[-1] == "spec" and isinstance(out.get("volumes"), list):
            out["volumes"] = sorted(out["volumes"], key=lambda v: str(
                v.get("name") if isinstance(v, dict) else v))
        return out
    if isinstance(node, list):
        return [_clean(item, (*path, i)) for i, item in enumerate(node)]
    return node


def _resources(resources: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in resources.items() if key not in RESOURCE_LISTS}
    limits: dict[Any, Any] = resources["limits"] if isinstance(resources.get("limits"), dict) else {}
    requests: dict[Any, Any] = resources["requests"] if isinstance(
        resources.get("requests"), dict) else {}
    limits = {str(k): _amount(v) for k, v in limits.items() if not _zero_extended(k, v)}
    requests = {str(k): _amount(v) for k, v in requests.items() if not _zero_extended(k, v)}
    if limits:
        out["limits"] = limits
    merged = {**limits, **requests}
    if merged:
        out["requests"] = merged
    return out


def _zero_extended(name: Any, value: Any) -> bool:
    return "/" in str(name) and _amount(value) == Decimal(0)


def _amount(value: Any) -> Any:
    try:
        return quantity_value(str(value)).normalize() + Decimal(0)
    except (ValueError, ArithmeticError):
        return value


def _parsed(text: str) -> Any:
    try:
        return plain.load(text)
    except plain.YAMLError:
        return text


def _compare(a: Any, b: Any, path: tuple[Any, ...]) -> Iterator[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a:
            if key not in b:
                yield f"{_path((*path, key))}: {_shown(a[key])} is gone"
            else:
                yield from _compare(a[key], b[key], (*path, key))
        for key in b:
            if key not in a:
                yield f"{_path((*path, key))}: {_shown(b[key])} is added"
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _compare(x, y, (*path, i))
        return
    if a != b and not _same_scalar(a, b):
        yield f"{_path(path)}: {_shown(a)} becomes {_shown(b)}"


def _same_scalar(a: Any, b: Any) -> bool:
    return isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float) \
        and not isinstance(a, bool) and not isinstance(b, bool) and Decimal(str(a)) == Decimal(str(b))


def _path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the object)"


def _shown(value: Any) -> str:
    """A value for a message, never a literal secret (the one that was redacted)."""
    if isinstance(value, str) and secret_in(value, entropy=True):
        return "(a literal secret, not shown)"
    text = repr(float(value) if isinstance(value, Decimal) else value)
    return text if len(text) <= 80 else text[:77] + "..."
