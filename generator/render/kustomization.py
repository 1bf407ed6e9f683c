"""The kustomization.yaml of a rendered base, and what its generators need."""

from __future__ import annotations

from typing import Any

from .base import Generated

KUSTOMIZATION = "kustomization.yaml"
CONFIGURATIONS = "kustomizeconfig.yaml"
FILES = "files"

# Where Ray objects name ConfigMaps: kustomize rewrites these to the generated,
# content-hashed names (it knows only the built-in kinds' fields by itself).
_POD_PATHS = {
    "RayCluster": ("spec/headGroupSpec/template", "spec/workerGroupSpecs/template"),
    "RayService": ("spec/rayClusterConfig/headGroupSpec/template",
                   "spec/rayClusterConfig/workerGroupSpecs/template"),
    "RayJob": ("spec/rayClusterSpec/headGroupSpec/template",
               "spec/rayClusterSpec/workerGroupSpecs/template"),
}


def kustomization(resources: list[str], generated: list[Generated] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(resources),
    }
    if generated:
        out["configurations"] = [CONFIGURATIONS]
        out["configMapGenerator"] = [
            {
                "name": item.name,
                "files": [f"{key}={FILES}/{item.name}/{key}" for key in sorted(item.files)],
                "options": {"labels": item.labels, "annotations": item.annotations},
            }
            for item in sorted(generated, key=lambda g: g.name)
        ]
    return out


def name_references() -> dict[str, Any]:
    specs = [
        {"kind": kind, "path": f"{template}/spec/volumes/configMap/name"}
        for kind, templates in _POD_PATHS.items()
        for template in templates
    ]
    return {"nameReference": [{"kind": "ConfigMap", "version": "v1", "fieldSpecs": specs}]}
