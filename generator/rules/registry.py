"""The one rule registry: rules on KubeRay objects, on the cluster inside them, and
on specs. Each rule is a small function that yields Findings; ``Document.report``
places them at ``file:line:col``.

Object and cluster rules check KubeRay-shaped objects, rendered ones and
hand-written manifests alike; spec rules check what only a spec knows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from generator.diagnostics import Diagnostic, Finding
from generator.kuberay.kinds import API_VERSIONS
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import ClusterView
from generator.models.parse import Spec
from generator.models.references import SpecIndex

ObjectRule = Callable[[dict[str, Any], Target], Iterable[Finding]]
ClusterRule = Callable[[ClusterView, Target], Iterable[Finding]]
# a spec rule's findings are at paths of the spec; a Diagnostic stands in another file
SpecRule = Callable[[Spec, SpecIndex], Iterable[Finding | Diagnostic]]

_OBJECT_RULES: dict[str, list[ObjectRule]] = {}
_CLUSTER_RULES: list[ClusterRule] = []
_SPEC_RULES: dict[str, list[SpecRule]] = {}


def object_rule(*kinds: str) -> Callable[[ObjectRule], ObjectRule]:
    """Register a rule for objects of ``kinds`` (a KubeRay kind, in every served
    version, or ``*`` for every object)."""

    def register(fn: ObjectRule) -> ObjectRule:
        for kind in kinds:
            _OBJECT_RULES.setdefault(kind, []).append(fn)
        return fn

    return register


def cluster_rule(fn: ClusterRule) -> ClusterRule:
    """Register a rule for every RayClusterSpec, wherever a KubeRay kind keeps it."""
    _CLUSTER_RULES.append(fn)
    return fn


def spec_rule(*kinds: str) -> Callable[[SpecRule], SpecRule]:
    """Register a rule for spec documents of ``kinds``."""

    def register(fn: SpecRule) -> SpecRule:
        for kind in kinds:
            _SPEC_RULES.setdefault(kind, []).append(fn)
        return fn

    return register


def check_object(obj: dict[str, Any], target: Target) -> list[Finding]:
    """Every object rule of the object's kind, then every cluster rule on its cluster,
    as the ``target`` operator release with its feature gates would apply them."""
    kuberay = obj.get("apiVersion") in API_VERSIONS
    kind = str(obj.get("kind")) if kuberay else ""
    out: list[Finding] = []
    for fn in (*_OBJECT_RULES.get(kind, ()), *_OBJECT_RULES.get("*", ())):
        out.extend(fn(obj, target))
    view = ClusterView.of(obj) if kuberay else None
    if view is not None:
        out.extend(finding for fn in _CLUSTER_RULES for finding in fn(view, target))
    return out


def check_spec(spec: Spec, index: SpecIndex) -> list[Diagnostic]:
    """Every spec rule of its kind on one spec."""
    return [found if isinstance(found, Diagnostic) else spec.doc.report(found)
            for fn in _SPEC_RULES.get(spec.kind, ()) for found in fn(spec, index)]
