"""Derive strict JSON Schemas for custom resources from their CRDs.

Run as ``python schemas/derive_crds.py [--shared DIR] [--check]``; it rewrites the files
under ``schemas/`` that are derived from ``DIR/kuberay/crds`` and
``DIR/delivery-crds``. It is a development tool: nothing at run time parses CRD
YAML, and the package does not ship it (a CRD takes ~0.4 s to parse even with libyaml).

The rules are kubeconform's ``openapi2jsonschema`` strict mode, plus what the
API server does that a plain JSON Schema does not say:
- descriptions dropped;
- every object with ``properties`` rejects unknown keys, unless it is marked
  ``x-kubernetes-preserve-unknown-fields``; the root too, so ``sepc:`` fails;
- ``x-kubernetes-int-or-string`` accepts an integer or a string;
- ``nullable: true`` accepts null;
- ``format: int32`` / ``int64`` become range checks (the API server rejects
  overflow);
- ``default`` is kept: the validator applies defaults before it validates, as
  the API server does (a manifest may omit a field the CRD lists as required);
- a CEL rule of the form ``self in [...]`` becomes an ``enum``; other CEL rules
  are transitions (``self == oldSelf``) or are checked by named rules.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the package beside it
from generator.kuberay.releases import RELEASES  # noqa: E402
from generator.kuberay.vocabulary import INT32_MAX  # noqa: E402
from generator.schemas import folders  # noqa: E402

DRAFT = "http://json-schema.org/draft-07/schema#"
INT32 = (-INT32_MAX - 1, INT32_MAX)
INT64 = (-(2**63), 2**63 - 1)
CEL_IN = re.compile(r"^self in \[(.*)\]$")

# The root ObjectMeta of a custom resource is just ``type: object`` in a CRD;
# the API server knows its fields. Enough of them to reject a misspelling.
OBJECT_META: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "generateName": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}},
        "ownerReferences": {"type": "array", "items": {"type": "object"}},
        "uid": {"type": "string"},
        "resourceVersion": {"type": "string"},
        "generation": {"type": "integer"},
        "creationTimestamp": {"type": ["string", "null"]},
        "deletionTimestamp": {"type": ["string", "null"]},
        "deletionGracePeriodSeconds": {"type": "integer"},
        "managedFields": {"type": "array", "items": {"type": "object"}},
        "selfLink": {"type": "string"},
    },
}


@dataclass(frozen=True)
class Source:
    """One CRD file and the schema files it yields."""

    crd: str  # path below the shared folder
    out: str  # folder below schemas/
    version: str  # served API version to take


# KubeRay: every release ray-gitops targets (generator/kuberay/releases.py), each kind it
# serves, each served version (v1alpha1 is deprecated but still served); Argo CD, Flux and
# prometheus-operator: the releases the delivery manifests are written for
SOURCES = (
    *(Source(f"kuberay/releases/{release.tag}/crds/ray.io_{kind.lower()}s.yaml",
             folders.kuberay(release.version), version)
      for release in RELEASES.values() for kind in release.kinds
      for version in ("v1", "v1alpha1")),
    Source("delivery-crds/application-crd.yaml", folders.ARGOCD, "v1alpha1"),
    Source("delivery-crds/applicationset-crd.yaml", folders.ARGOCD, "v1alpha1"),
    Source("delivery-crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml", folders.FLUX, "v1"),
    Source("delivery-crds/prometheus-operator/monitoring.coreos.com_podmonitors.yaml",
           folders.PROMETHEUS, "v1"),
    Source("delivery-crds/prometheus-operator/monitoring.coreos.com_servicemonitors.yaml",
           folders.PROMETHEUS, "v1"),
)


def strictify(node: Any) -> Any:
    """Return a strict copy of one OpenAPI v3 schema node."""
    if isinstance(node, list):
        return [strictify(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "description" or (key.startswith("x-kubernetes-") and key != "x-kubernetes-validations"):
            continue
        if key == "x-kubernetes-validations":
            enum = _cel_enum(value)
            if enum is not None:
                out["enum"] = enum
            rules = [{"rule": r["rule"], "message": r.get("message", "")} for r in value
                     if not CEL_IN.match(r.get("rule", ""))]
            if rules:  # evaluated by generator.schemas.cel, a JSON Schema validator ignores them
                out[key] = rules
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: strictify(sub) for name, sub in value.items()}
        elif key == "nullable":
            continue
        else:
            out[key] = strictify(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("anyOf", None)
        out["type"] = ["integer", "string"]
    fmt = out.get("format")
    if fmt in ("int32", "int64"):
        low, high = INT32 if fmt == "int32" else INT64
        out.setdefault("minimum", low)
        out.setdefault("maximum", high)
        del out["format"]
    if node.get("nullable") and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


def _cel_enum(rules: list[dict[str, Any]]) -> list[str] | None:
    for rule in rules:
        match = CEL_IN.match(rule.get("rule", ""))
        if match:
            return [item.strip().strip("'\"") for item in match.group(1).split(",")]
    return None


def derive(crd: dict[str, Any], version: str) -> dict[str, Any]:
    """The strict schema of one served version of a CRD, as a JSON document."""
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    served = [v for v in crd["spec"]["versions"] if v["name"] == version]
    if not served:
        raise SystemExit(f"{kind}: the CRD does not serve {version}")
    schema = strictify(served[0]["schema"]["openAPIV3Schema"])
    props = schema["properties"]
    props["apiVersion"] = {"type": "string", "enum": [f"{group}/{version}"]}
    props["kind"] = {"type": "string", "enum": [kind]}
    props["metadata"] = OBJECT_META
    schema["additionalProperties"] = False
    schema["required"] = sorted({"apiVersion", "kind", "metadata", *schema.get("required", [])})
    return {"$schema": DRAFT, "title": f"{kind} {group}/{version}", **schema}


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def outputs(shared: Path) -> dict[str, str]:
    """Map each derived file (relative to schemas/) to its text."""
    files: dict[str, str] = {}
    crds: dict[Path, Any] = {}
    for source in SOURCES:
        path = shared / source.crd
        if not path.is_file():
            raise FileNotFoundError(f"CRD not found: {path}")
        if path not in crds:
            crds[path] = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
        crd = crds[path]
        if not any(v["name"] == source.version for v in crd["spec"]["versions"]):
            continue  # a version this release does not serve
        kind = crd["spec"]["names"]["kind"].lower()
        suffix = "" if source.version == "v1" or not source.out.startswith("kuberay") \
            else f"-{source.version}"
        files[f"{source.out}/{kind}{suffix}.json"] = dump(derive(crd, source.version))
    return files


def _loader() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def schemas_dir() -> Path:
    return Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=schemas_dir().parent.parent / "shared")
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for rel, text in outputs(args.shared).items():
        target = schemas_dir() / rel
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(rel)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for rel in stale:
        print(("stale: " if args.check else "wrote: ") + f"schemas/{rel}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
