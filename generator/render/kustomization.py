"""A rendered base: its files, its kustomization.yaml, and what its generators need."""

from __future__ import annotations

from typing import Any

from generator.diagnostics import Diagnostic
from generator.kuberay.kinds import CLUSTER_SPEC_KINDS, template_paths
from generator.project.kustomize import KUSTOMIZATION
from generator.render.base import Generated, Rendered
from generator.render.emit import render_file

CONFIGURATIONS = "kustomizeconfig.yaml"
FILES = "files"


def base_files(app: str, items: list[Rendered | Generated]) -> tuple[dict[str, str], list[Diagnostic]]:
    """The files of ``rendered/<app>/`` (names relative to rendered/), and what clashes."""
    files: dict[str, str] = {}
    clashes: list[Diagnostic] = []
    generated: dict[str, Generated] = {}
    first = items[0]
    source = first.spec.doc.file if first.spec else getattr(first, "source", app)
    for item in items:
        if isinstance(item, Rendered) and item.spec is None:
            files[f"{app}/{item.filename}"] = render_file(item.source, [item.obj])
            continue
        assert item.spec is not None
        if isinstance(item, Generated):
            kept = generated.setdefault(item.name, item)
            if kept.files != item.files:
                clashes.append(_clash(item, f"two ConfigMaps named {item.name!r} "
                                            f"with different files in {app}/"))
            continue
        name = f"{app}/{item.filename}"
        if name in files:
            clashes.append(_clash(item, f"two objects render to {name}"))
            continue
        files[name] = render_file(item.spec.doc.file, [item.obj])
    for item in items:  # kustomize refuses a generated ConfigMap that an object also names
        if isinstance(item, Rendered) and item.spec is not None \
                and item.obj.get("kind") == "ConfigMap" \
                and item.obj.get("metadata", {}).get("name") in generated:
            clashes.append(_clash(item, f"a ConfigMap named {item.obj['metadata']['name']!r} is "
                                        f"rendered in {app}/, and a configMap volume of the same "
                                        f"name is generated from files there: kustomize cannot "
                                        f"build both; rename one"))
    resources = sorted(name.split("/", 1)[1] for name in files)
    for made in generated.values():
        for key, text in made.files.items():
            files[f"{app}/{FILES}/{made.name}/{key}"] = text
    if generated:
        files[f"{app}/{CONFIGURATIONS}"] = render_file(source, [name_references()])
    files[f"{app}/{KUSTOMIZATION}"] = render_file(
        source, [kustomization(resources, list(generated.values()))])
    return files, clashes


def _clash(item: Rendered | Generated, message: str) -> Diagnostic:
    assert item.spec is not None
    return item.spec.doc.diagnostic(("metadata", "name"), "RG015", message)


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
    """Where Ray objects name ConfigMaps: kustomize rewrites these to the generated,
    content-hashed names (it knows only the built-in kinds' fields by itself)."""
    specs = [
        {"kind": kind, "path": f"{template}/spec/volumes/configMap/name"}
        for kind in CLUSTER_SPEC_KINDS
        for template in template_paths(kind)
    ]
    return {"nameReference": [{"kind": "ConfigMap", "version": "v1", "fieldSpecs": specs}]}
