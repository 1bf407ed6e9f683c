"""The output schemas: compiled once per kind and cached.

Core kinds: the strict schemas that kubernetes-validate bundles, read as data
(its own ``validate()`` re-reads a 1.8 MB file and rebuilds a validator on
every call, ~17 ms an object). Custom resources: the schemas in ``schemas/``,
derived from the CRDs by ``schemas/derive_crds.py``. jsonschema-rs compiles each
schema once (a RayCluster validates in ~0.01 ms after that).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from generator.diagnostics import Finding, did_you_mean
from generator.errors import SchemaNotFound
from generator.fieldpath import FieldPath
from generator.kuberay.releases import LATEST, RELEASES, Target
from generator.schemas import cel
from generator.schemas.folders import CUSTOM

DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
MAX_MESSAGE = 240


def schemas_root() -> Path:
    """``schemas/`` of this project: packaged beside the code, or in the source tree."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_schemas"
    return packaged if packaged.is_dir() else package.parent / "schemas"


@cache
def kubernetes_schema_dir(version: str) -> Path:
    """kubernetes-validate's strict schemas for the newest bundled version <= ``version``."""
    spec = importlib.util.find_spec("kubernetes_validate")  # as data: no import of its code
    if spec is None or not spec.submodule_search_locations:
        raise SchemaNotFound("kubernetes-validate is not installed")
    base = Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"
    wanted = _minor(version)
    bundled = sorted(
        (_minor(p.name[1:]), p) for p in base.glob("v*-local-strict") if p.is_dir()
    )
    usable = [path for minor, path in bundled if minor <= wanted]
    if not usable:
        raise SchemaNotFound(f"Kubernetes {version} is older than any bundled schema")
    if wanted > bundled[-1][0]:
        raise SchemaNotFound(f"Kubernetes {version} is newer than the bundled schemas")
    return usable[-1]


def _minor(version: str) -> tuple[int, int]:
    match = re.match(r"^v?(\d+)\.(\d+)", version)
    if not match:
        raise SchemaNotFound(f"not a Kubernetes version: {version!r}")
    return int(match.group(1)), int(match.group(2))


class OutputSchemas:
    """Validators for every kind ray-gitops renders or reads, for a Kubernetes version
    and a target operator (a KubeRay release and its feature gates)."""

    def __init__(self, kubernetes_version: str, target: Target | str = LATEST):
        self.kubernetes_version = kubernetes_version
        self.target = target if isinstance(target, Target) else Target.of(target)
        self.kuberay_version = self.target.release.version
        self._validators: dict[tuple[str, str], tuple[Any, dict[str, Any] | None,
                                                      tuple[cel.Rule, ...]]] = {}

    def prepared(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A copy with nulls pruned and schema defaults applied, as the API server stores
        a custom resource (and as the operator then reads it)."""
        try:
            _, schema, _ = self._validator(str(obj.get("apiVersion")), str(obj.get("kind")))
        except SchemaNotFound:
            return obj
        if schema is None:
            return obj
        out = copy.deepcopy(obj)
        apply_server_defaults(out, schema)
        return out

    def validate(
        self, obj: dict[str, Any], *, prepare: bool = False, missing_ok: bool = False
    ) -> list[Finding]:
        """Schema findings; ``prepare`` prunes nulls and applies defaults first, as the
        API server does for custom resources (for manifests written by hand);
        ``missing_ok`` passes kinds with no schema (other operators' resources)."""
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return [Finding((), "RG030", "apiVersion and kind must be strings")]
        try:
            validator, schema, rules = self._validator(api_version, kind)
        except SchemaNotFound as exc:
            if missing_ok and api_version not in CUSTOM:
                return []
            return [Finding(("kind",), "RG030", str(exc))]
        if prepare and schema is not None:
            obj = copy.deepcopy(obj)
            apply_server_defaults(obj, schema)
        found = cel.check(rules, obj) if rules else []
        if validator.is_valid(obj):
            return found
        for error in validator.iter_errors(obj):
            found.extend(self._added_in(api_version, kind, f) for f in findings_of(error, schema))
        return found

    def transition(self, old: dict[str, Any], new: dict[str, Any]) -> list[Finding]:
        """What the API server refuses in an update from ``old`` to ``new`` (immutable fields)."""
        try:
            _, _, rules = self._validator(str(new.get("apiVersion")), str(new.get("kind")))
        except SchemaNotFound:
            return []
        return cel.check_transition(rules, old, new)

    def _validator(self, api_version: str, kind: str) -> tuple[Any, dict[str, Any] | None,
                                                                tuple[cel.Rule, ...]]:
        """The validator, schema and CEL rules of a kind, looked up once per kind."""
        found = self._validators.get((api_version, kind))
        if found is None:
            found = self._validators[(api_version, kind)] = self._lookup(api_version, kind)
        return found

    def _lookup(self, api_version: str, kind: str) -> tuple[Any, dict[str, Any] | None,
                                                            tuple[cel.Rule, ...]]:
        folder = CUSTOM.get(api_version)
        if folder is not None:
            path = self._custom_path(api_version, kind, self.kuberay_version)
            if not path.is_file():
                raise SchemaNotFound(self._not_served(api_version, kind))
            return _custom_validator(str(path)), load_schema(str(path)), _cel_rules(str(path))
        group, _, version = api_version.rpartition("/")
        group = group.split(".")[0]
        name = f"{kind.lower()}-{group}-{version}.json" if group else f"{kind.lower()}-{version}.json"
        folder_ = str(kubernetes_schema_dir(self.kubernetes_version))
        return _core_validator(folder_, name), None, ()

    @staticmethod
    def _custom_path(api_version: str, kind: str, kuberay: str) -> Path:
        folder = CUSTOM[api_version].format(kuberay=kuberay)
        suffix = "-v1alpha1" if api_version == "ray.io/v1alpha1" else ""
        return schemas_root() / folder / f"{kind.lower()}{suffix}.json"

    def _not_served(self, api_version: str, kind: str) -> str:
        if api_version.startswith("ray.io/"):
            later = [v for v in RELEASES if self._custom_path(api_version, kind, v).is_file()]
            if later:
                return (f"{api_version} {kind} is not served by KubeRay {self.kuberay_version} "
                        f"(added in {later[0]})")
        return f"no schema for {api_version} {kind}"

    def _added_in(self, api_version: str, kind: str, finding: Finding) -> Finding:
        """An unknown field that a later KubeRay release has: say which."""
        if not finding.key or not api_version.startswith("ray.io/"):
            return finding
        newer = [v for v in RELEASES if _release_key(v) > _release_key(self.kuberay_version)]
        for version in newer:
            path = self._custom_path(api_version, kind, version)
            if path.is_file() and _has_path(load_schema(str(path)), finding.path):
                return Finding(finding.path, "RG038",
                               f"{finding.path[-1]!r} is not in KubeRay {self.kuberay_version}: "
                               f"it was added in {version}", key=True,
                               hint=f"set kuberayVersion: \"{version}\" if your operator runs "
                                    f"{version} or later")
        return finding


def _release_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _has_path(schema: dict[str, Any], path: FieldPath) -> bool:
    node: Any = schema
    for part in path:
        if not isinstance(node, dict):
            return False
        if isinstance(part, int):
            node = node.get("items")
        elif part in (node.get("properties") or {}):
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return False
    return node is not None


@cache
def _cel_rules(path: str) -> tuple[cel.Rule, ...]:
    return cel.collect(load_schema(path))


@cache
def load_schema(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            schema: dict[str, Any] = json.load(handle)
            return schema
    except FileNotFoundError:
        raise SchemaNotFound(f"no schema for {Path(path).stem}") from None


@cache
def _custom_validator(path: str) -> Any:
    return jsonschema_rs.validator_for(load_schema(path))


@cache
def _registry(folder: str) -> Any:
    return jsonschema_rs.Registry([(DEFINITIONS_URI, load_schema(f"{folder}/_definitions.json"))])


@cache
def _core_validator(folder: str, name: str) -> Any:
    path = Path(folder) / name
    if not path.is_file():
        raise SchemaNotFound(f"no Kubernetes schema {name} in {Path(folder).name}")
    return jsonschema_rs.validator_for(
        load_schema(str(path)), registry=_registry(folder), base_uri=f"https://kubernetes.io/api/{name}"
    )


def findings_of(error: Any, schema: dict[str, Any] | None) -> list[Finding]:
    at = tuple(error.instance_path)
    unexpected = getattr(error.kind, "unexpected", None)
    if not unexpected:
        return [Finding(at, "RG030", _short(error.message))]
    known = _schema_at(schema, tuple(error.schema_path)[:-1]).get("properties", {})
    return [
        Finding((*at, name), "RG030", f"unknown field {name!r}", key=True,
                hint=did_you_mean(str(name), known))
        for name in unexpected
    ]


def _schema_at(schema: dict[str, Any] | None, path: tuple[Any, ...]) -> dict[str, Any]:
    node: Any = schema or {}
    for part in path:
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) else None
        )
        if node is None:
            return {}
    return node if isinstance(node, dict) else {}


def apply_server_defaults(node: Any, schema: dict[str, Any]) -> None:
    """Prune nulls the schema does not allow, then fill in schema defaults (in place)."""
    if isinstance(node, dict):
        props = schema.get("properties")
        if props:
            for key in [k for k, v in node.items() if v is None]:
                sub = props.get(key)
                if sub is not None and not _nullable(sub):
                    del node[key]
            for key, sub in props.items():
                if key not in node and "default" in sub:
                    node[key] = copy.deepcopy(sub["default"])
                if key in node:
                    apply_server_defaults(node[key], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, value in node.items():
                if not props or key not in props:
                    apply_server_defaults(value, extra)
    elif isinstance(node, list):
        item_schema = schema.get("items")
        if isinstance(item_schema, dict):
            for item in node:
                apply_server_defaults(item, item_schema)


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind is None or kind == "null" or (isinstance(kind, list) and "null" in kind)


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."
