"""Ray Serve config checks: the derived strict schema, then Ray's own cross-field rules.

Ray validates ``serveConfigV2`` only on the running cluster, and accepts unknown
keys silently. These checks run offline: the schema in ``schemas/ray-serve/``
(derived from ``ray.serve.schema`` by ``schemas/derive_serve.py``) and the model
validators of ``ServeDeploySchema`` / ``ServeApplicationSchema`` /
``DeploymentSchema`` re-stated here. Nothing imports Ray.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs

from generator.diagnostics import Finding
from generator.kuberay.vocabulary import items, mapping
from generator.schemas.folders import RAY_SERVE
from generator.schemas.outputs import findings_of, load_schema, schemas_root

SERVE_RAY_VERSION = "2.52"


@cache
def _validator() -> tuple[Any, dict[str, Any]]:
    path = str(schemas_root() / RAY_SERVE / f"v{SERVE_RAY_VERSION}" / "serve-config.json")
    schema = load_schema(path)
    return jsonschema_rs.validator_for(schema), schema


def check_serve_config(config: Any) -> list[Finding]:
    """Findings with paths relative to the config's root."""
    if not isinstance(config, dict):
        return [Finding((), "RG078", "a Serve config must be a mapping (with `applications`)")]
    validator, schema = _validator()
    found = [f for error in validator.iter_errors(config) for f in findings_of(error, schema)]
    found = [Finding(f.path, "RG070", f.message, hint=f.hint, key=f.key) for f in found]
    precise = list(_cross_field(config))
    # where a rule of Ray's says what is wrong, the schema's "not valid under any of the
    # schemas listed in anyOf" about the same value adds nothing
    said = {f.path for f in precise}
    return [f for f in found if f.path not in said] + precise


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
