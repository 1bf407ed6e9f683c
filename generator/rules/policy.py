"""Policy: Warnings by default; errors with --strict or `policy.strict`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import ALPHA_KINDS
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import image_tag
from generator.rules.registry import object_rule

MUTABLE_TAGS = ("latest",)


def containers(node: Any, at: FieldPath = ()) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    """Every container (and init container) anywhere in an object."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        yield (*at, key, i), item
            else:
                yield from containers(value, (*at, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from containers(item, (*at, i))


@object_rule("*")
def pinned_images(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    for at, container in containers(obj):
        image = container.get("image")
        if not isinstance(image, str) or "@" in image:
            continue
        tag = image_tag(image)
        if tag is None or tag in MUTABLE_TAGS:
            shown = "not tagged" if tag is None else f"tagged {tag!r}"
            yield Finding((*at, "image"), "RG100",
                          f"image {image!r} is {shown}: pin a version so that git says what runs",
                          severity="warning")


@object_rule(*ALPHA_KINDS)
def deprecated_version(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    """ray.io/v1alpha1 is still served, and deprecated from KubeRay 1.7 (kuberay#5122)."""
    if obj.get("apiVersion") == "ray.io/v1alpha1" and target.since("1.7"):
        yield Finding(("apiVersion",), "RG095", "ray.io/v1alpha1 is deprecated since KubeRay 1.7: "
                      "use ray.io/v1 (the fields are the same)", severity="warning")
