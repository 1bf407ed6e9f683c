"""A strategic merge patch on a pod template, as kubectl and kustomize apply one.

Maps merge key by key; ``null`` removes a key. Lists the Kubernetes core types mark
``patchStrategy: merge`` merge their items by the type's merge key (``MERGE_KEYS``,
from k8s.io/api/core/v1/types.go); every other list is replaced whole. The
directives ``$patch: replace`` and ``$patch: delete`` (on a map or a list item) and
``$retainKeys`` are honoured; ``$setElementOrder`` lists are dropped (they only order).
"""

from __future__ import annotations

import copy
from typing import Any

# (field name) -> its items' merge key, for the lists of a pod template that merge
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "ports": "containerPort",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
}


class PatchError(ValueError):
    """A patch that is not one: the message says where."""


def merge(base: Any, patch: Any, where: str = "podTemplate") -> Any:
    """``base`` with ``patch`` applied; neither is changed."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    if directive is not None:
        raise PatchError(f"{where}: $patch {directive!r} is not replace or delete")
    out = copy.deepcopy(base) if isinstance(base, dict) else {}
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key in ("$retainKeys",):
            continue
        if key.startswith("$"):
            raise PatchError(f"{where}: unknown directive {key}")
        if value is None:
            out.pop(key, None)
        elif isinstance(value, list) and key in MERGE_KEYS:
            out[key] = _merge_list(out.get(key), value, MERGE_KEYS[key], f"{where}.{key}")
        else:
            merged = merge(out.get(key), value, f"{where}.{key}")
            if merged is None:
                out.pop(key, None)
            else:
                out[key] = merged
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain or k not in (base or {})}
    return out


def _merge_list(base: Any, patch: list[Any], key: str, where: str) -> list[Any]:
    """The patch's items first, in its order (each merged with the base item of its key),
    then the base's other items in theirs: apimachinery's order for a patch without
    ``$setElementOrder`` (normalizeElementOrder), which kubectl and kustomize apply."""
    items = copy.deepcopy(base) if isinstance(base, list) else []
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [copy.deepcopy(p) for p in patch if not (isinstance(p, dict) and "$patch" in p)]
    first: list[Any] = []
    for i, item in enumerate(patch):
        if not isinstance(item, dict) or key not in item:
            raise PatchError(f"{where}[{i}]: an item of this list needs its {key} (the list "
                             "merges by it)")
        found = next((j for j, old in enumerate(items)
                      if isinstance(old, dict) and old.get(key) == item[key]), None)
        old = items.pop(found) if found is not None else {}
        if item.get("$patch") != "delete":
            first.append(merge(old, item, f"{where}[{i}]"))
    return first + items
