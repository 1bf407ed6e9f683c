"""Ray Serve config checks: the derived strict schema, then Ray's own cross-field rules.

Ray validates ``serveConfigV2`` only on the running cluster, and accepts unknown
keys silently. These checks run offline: the schema in ``schemas/ray-serve/``
(derived from ``ray.serve.schema`` by ``schemas/derive_serve.py``) and the model
validators of ``ServeDeploySchema`` / ``ServeApplicationSchema`` /
``DeploymentSchema`` re-stated here. Nothing imports Ray.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs

from generator.diagnostics import Finding
from generator.kuberay.vocabulary import items, mapping
from generator.rules.versions import derived_for
from generator.schemas.folders import RAY_SERVE
from generator.schemas.outputs import findings_of, load_schema, schemas_root

SERVE_RAY_VERSION = "2.52"  # the Ray of the examples, and of a cluster that names none
# a field Serve renamed: its old name -> the new one (Ray's deprecation messages)
RENAMED = {"max_concurrent_queries": "max_ongoing_requests",
           "target_num_ongoing_requests_per_replica": "target_ongoing_requests"}


def releases() -> list[str]:
    """The Ray releases whose Serve schema is derived, oldest first."""
    return sorted((p.name[1:] for p in (schemas_root() / RAY_SERVE).glob("v*")
                   if (p / "serve-config.json").is_file()),
                  key=lambda v: tuple(int(x) for x in v.split(".")))


@cache
def _validator(minor: str) -> tuple[Any, dict[str, Any]]:
    path = str(schemas_root() / RAY_SERVE / f"v{minor}" / "serve-config.json")
    schema = load_schema(path)
    return jsonschema_rs.validator_for(schema), schema


@cache
def _fields(minor: str) -> frozenset[str]:
    """Every field name the Serve schema of ``minor`` defines, anywhere."""
    _, schema = _validator(minor)
    return frozenset(name for definition in (schema, *schema.get("definitions", {}).values())
                     for name in definition.get("properties", {}))


def check_serve_config(config: Any, ray: tuple[int, ...] | None = None) -> list[Finding]:
    """Findings with paths relative to the config's root, as the Serve of Ray ``ray`` (the
    derived release at or below it; the examples' Ray when unknown) reads the config."""
    if not isinstance(config, dict):
        return [Finding((), "RG078", "a Serve config must be a mapping (with `applications`)")]
    wanted = ray if ray is not None else tuple(int(x) for x in SERVE_RAY_VERSION.split("."))
    minor = derived_for(wanted, releases())
    shown = ".".join(str(part) for part in wanted[:2])  # the Ray the cluster runs
    validator, schema = _validator(minor)
    strict = [f for error in validator.iter_errors(config) for f in findings_of(error, schema)]
    if schema.get("x-unknown-keys") == "ignored":
        # what Ray refuses: the schema as Ray has it, unknown keys allowed; the keys it
        # ignores: warnings
        lax = _lax(minor)
        found = [Finding(f.path, "RG070", f.message, hint=f.hint, key=f.key)
                 for error in lax.iter_errors(config) for f in findings_of(error, schema)]
        refused = {f.path for f in found}
        found += [_unknown(f, minor, shown) for f in strict if f.path not in refused]
    else:
        found = [Finding(f.path, "RG070", f.message, hint=f.hint, key=f.key) for f in strict]
    found += list(_renamed(config, minor, shown, ()))
    precise = list(_cross_field(config))
    # where a rule of Ray's says what is wrong, the schema's "not valid under any of the
    # schemas listed in anyOf" about the same value adds nothing
    said = {f.path for f in precise}
    return [f for f in found if f.path not in said] + precise


@cache
def _lax(minor: str) -> Any:
    """The validator of ``minor``'s schema with unknown keys allowed, as its Ray parses."""
    _, schema = _validator(minor)
    return jsonschema_rs.validator_for(_allow_unknown(copy.deepcopy(schema)))


def _allow_unknown(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for value in node.values():
            _allow_unknown(value)
    elif isinstance(node, list):
        for value in node:
            _allow_unknown(value)
    return node


def _unknown(finding: Finding, minor: str, shown: str) -> Finding:
    """A key this Ray ignores: a warning (the cluster takes the config; the key does
    nothing), naming what replaced it or the releases that had it."""
    if not finding.key:  # inside a value that may take several shapes (anyOf)
        return Finding(finding.path, "RG070", f"{finding.message}: a field Ray {shown} does "
                       "not define, which it ignores (no effect on the cluster)",
                       severity="warning")
    name = str(finding.path[-1]) if finding.path else ""
    hint = finding.hint
    had = [r for r in releases() if name in _fields(r)]
    if name in RENAMED and RENAMED[name] in _fields(minor):
        hint = f"Serve renamed it {RENAMED[name]}"
    elif had:
        hint = f"Ray {had[0]} and later schemas to {had[-1]} have it" if len(had) > 1 \
            else f"the schema of Ray {had[0]} has it"
    return Finding(finding.path, "RG070", f"unknown field {name!r}: Ray {shown} ignores it, "
                   "so it has no effect on the cluster", hint=hint, key=True, severity="warning")


def _renamed(node: Any, minor: str, shown: str, at: tuple[Any, ...]) -> Iterator[Finding]:
    """A field this Ray still takes, under an old name Serve deprecated."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in RENAMED and key in _fields(minor) and RENAMED[key] in _fields(minor):
                yield Finding((*at, key), "RG070", f"{key} is deprecated in Ray {shown}: use "
                              f"{RENAMED[key]}", key=True, severity="warning")
            yield from _renamed(value, minor, shown, (*at, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _renamed(item, minor, shown, (*at, i))


def _cross_field(config: dict[str, Any]) -> Iterator[Finding]:
    names: dict[str, int] = {}
    routes: dict[str, int] = {}
    for i, app in items(config.get("applications")):
        at = ("applications", i)
        name = app.get("name", "default")
        if not isinstance(name, str):
            name = ""  # the schema reports it
        elif name in names:
            yield Finding((*at, "name"), "RG071",
                          f"duplicate application name {name!r} (also applications[{names[name]}])")
        if name:
            names.setdefault(name, i)
        route = app.get("route_prefix", "/")
        if isinstance(route, str):
            yield from _route(route, (*at, "route_prefix"))
            if route in routes:
                yield Finding((*at, "route_prefix"), "RG072",
                              f"route prefix {route!r} is also used by applications[{routes[route]}]")
            routes.setdefault(route, i)
        path = app.get("import_path")
        if isinstance(path, str) and not _import_path_ok(path):
            yield Finding((*at, "import_path"), "RG073",
                          f"{path!r} is not an import path: use module.path:attribute "
                          "or module.attribute")
        yield from _deployments(app.get("deployments"), (*at, "deployments"))


def _route(route: str, at: tuple[str | int, ...]) -> Iterator[Finding]:
    if not route.startswith("/"):
        yield Finding(at, "RG072", f"route prefix {route!r} must start with '/'")
    elif route != "/" and route.endswith("/"):
        yield Finding(at, "RG072", f"route prefix {route!r} must not end with '/'")
    elif "{" in route or "}" in route:
        yield Finding(at, "RG072", f"route prefix {route!r} cannot hold wildcards")


def _import_path_ok(path: str) -> bool:
    if any(c.isspace() for c in path):
        return False
    if ":" in path:
        module, _, attr = path.partition(":")
        return bool(module) and bool(attr) and ":" not in attr
    return "." in path and not path.startswith(".") and not path.endswith(".")


def _deployments(deployments: Any, at: tuple[str | int, ...]) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for j, deployment in items(deployments):
        here = (*at, j)
        name = deployment.get("name")
        if isinstance(name, str):
            if name in seen:
                yield Finding((*here, "name"), "RG074", f"duplicate deployment name {name!r} "
                              f"in this application (also deployments[{seen[name]}])")
            seen.setdefault(name, j)
        replicas = deployment.get("num_replicas")
        if (isinstance(replicas, str) and replicas != "auto") or (
                isinstance(replicas, int) and not isinstance(replicas, bool) and replicas < 1):
            yield Finding((*here, "num_replicas"), "RG075",
                          f"num_replicas is a number >= 1 or 'auto', not {replicas!r}")
        scaling = mapping(deployment.get("autoscaling_config"))
        if scaling and isinstance(replicas, int):
            yield Finding((*here, "num_replicas"), "RG076",
                          "set num_replicas or autoscaling_config, not both (or num_replicas: auto)")
        low, high = scaling.get("min_replicas"), scaling.get("max_replicas")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            yield Finding((*here, "autoscaling_config", "max_replicas"), "RG076",
                          f"must be >= min_replicas ({high} < {low})")
        for key, value in mapping(mapping(deployment.get("ray_actor_options")).get("resources")).items():
            if isinstance(value, int | float) and value < 0:
                yield Finding((*here, "ray_actor_options", "resources", key), "RG077",
                              f"resource {key!r} must not be negative ({value})")
