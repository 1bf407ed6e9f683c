"""One object's checks: KubeRay's rules, its output schema, will it fit, and policy."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from generator.capacity.pools import Pool
from generator.diagnostics import Diagnostic
from generator.fieldpath import dotted
from generator.load.documents import Document
from generator.render.base import Rendered
from generator.rules import check_object
from generator.rules.catalog import strict
from generator.rules.fit import pools_fit
from generator.schemas.outputs import OutputSchemas

# KubeRay's words in a rule's message, and what a spec calls the same thing
SPEC_WORDS = (
    ("rayClusterSpec", "cluster"), ("rayClusterConfig", "cluster"),
    ("the group's `labels`", "the group's `rayLabels`"),
    ("set either `resources` or rayStartParams", "set either `rayResources` or rayStartParams"),
    ("enableInTreeAutoscaling: true", "autoscaling: {enabled: true}"),
    ("(enableInTreeAutoscaling)", "(autoscaling)"),
    ("autoscalerOptions.version: v2", "autoscaling.version: v2"),
    ("autoscalerOptions.version", "autoscaling.version"),
)


def in_spec_words(text: str) -> str:
    for kuberay, spec in SPEC_WORDS:
        text = text.replace(kuberay, spec)
    return text


def validate_rendered(item: Rendered, schemas: OutputSchemas,
                      pools: tuple[Pool, ...] = ()) -> list[Diagnostic]:
    """A rendered object, reported at the lines of the spec it came from, in its words."""
    assert item.spec is not None
    doc = item.spec.doc
    out = []
    findings = [*check_object(item.obj, schemas.target), *schemas.validate(item.obj),
                *pools_fit(item.obj, pools)]
    for finding in findings:
        message = in_spec_words(finding.message)
        finding = replace(finding, hint=in_spec_words(finding.hint))
        if finding.code == "RG030":
            message = f"{message} ({_where(item, finding.path)})"
        other = item.origins.elsewhere(finding.path) if finding.code != "RG030" else None
        if other is not None and other[1]:  # inside a file of its own (a Serve config file)
            out.append(other[0].report(strict(finding), at=other[1], message=message))
            continue
        out.append(doc.report(strict(finding), at=item.origins.locate(finding.path), message=message))
    return out


def validate_generated(item: Rendered, doc: Document, schemas: OutputSchemas) -> list[Diagnostic]:
    """An object rendered from ray-gitops.yaml (delivery), reported at its lines there."""
    return [doc.report(finding, at=item.origins.locate(finding.path),
                       message=f"{finding.message} ({_where(item, finding.path)})")
            for finding in schemas.validate(item.obj)]


def validate_manifest(doc: Document, schemas: OutputSchemas,
                      pools: tuple[Pool, ...] = ()) -> list[Diagnostic]:
    """A manifest written by hand (or a rendered one), at its own lines."""
    data: Any = doc.data
    if not isinstance(data, dict):
        return [doc.diagnostic((), "RG006", "a manifest must be a mapping")]
    prepared = schemas.prepared(data)
    findings = [*check_object(prepared, schemas.target),
                *schemas.validate(data, prepare=True, missing_ok=True), *pools_fit(prepared, pools)]
    return [doc.report(finding) for finding in findings]


def _where(item: Rendered, path: Any) -> str:
    return f"rendered {item.kind}/{item.name}, at {dotted(path) or 'top level'}"
