"""Ray's own verdicts, run inside an interpreter that has ``ray[serve]`` of one release.

Reads JSON on stdin: ``{"start": [[key, value], ...], "serve": [config, ...], "nodes":
[[rayStartParams, env], ...], "autoscaler": [group, ...]}``; writes ``{"version": ...,
"start": [refused, ...], "serve": [refused, ...], "nodes": [resources or None, ...],
"autoscaler": [resources or None, ...]}``.

``start``: the command the operator generates for one rayStartParams entry
(``ray start --head --key=value``, ``--key`` for "true", nothing for "false" except the
options that take a boolean), split into words by the real bash, then parsed by Ray's
own click command without running it; a ``--resources`` value then goes through
``parse_resources_json``, ``RayParams``' checks and the node resource spec's checks.
``serve``: ``ServeDeploySchema`` parses the config.
``nodes``: the node's resources as Ray resolves them at ``ray start``: the command the
operator writes for the rayStartParams, through bash and Ray's command line, then the
node's own resource resolution (``Node.get_resource_spec``, or
``get_resource_and_label_spec``), with the container's environment (RAY_OVERRIDE_RESOURCES).
What Ray detects on this machine is machine-dependent: the test compares what the spec says.
``autoscaler``: the resources of the worker group's node type in the autoscaling config
Ray's autoscaler derives from a RayCluster holding it (None when it raises).
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from typing import Any

VALUED = ("log-color", "include-dashboard", "include-log-monitor")


def command(key: str, value: str) -> str:
    if value.lower() in ("true", "false") and key not in VALUED:
        return f"ray start --head --{key}" if value.lower() == "true" else "ray start --head"
    return f"ray start --head --{key}={value}"


def words(text: str) -> list[str] | None:
    done = subprocess.run(["bash", "-c", 'f() { printf "%s\\0" "$@"; }; f ' + text],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    return done.stdout.split("\0")[:-1]


def start_refused(key: str, value: str) -> bool:
    import click
    from ray.scripts.scripts import start

    argv = words(command(key, value))
    if argv is None:
        return True
    try:
        context = start.make_context("start", argv[2:])
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        return True
    resources = context.params.get("resources")
    if key != "resources" or resources in (None, "{}"):
        return False
    return resources_refused(str(resources))


def resources_refused(text: str) -> bool:
    from ray._private.parameter import RayParams

    try:
        found = json.loads(text)
        if not isinstance(found, dict):
            return True
        RayParams(resources=found)
        spec_class: Any
        try:
            from ray._private.resource_and_label_spec import ResourceAndLabelSpec as spec_class
        except ImportError:
            from ray._private.resource_spec import ResourceSpec as spec_class
        wanted = inspect.signature(spec_class).parameters
        given = {"num_cpus": 1, "num_gpus": 0, "memory": 1, "object_store_memory": 1,
                 "resources": found, "labels": {}, "redis_max_memory": 1}
        spec = spec_class(**{k: v for k, v in given.items() if k in wanted})
        if hasattr(spec, "_is_resolved"):  # every field given: as resolve() leaves it
            spec._is_resolved = True
        spec.to_resource_dict()
    except (ValueError, AssertionError, TypeError):
        return True
    return False


def serve_refused(config: Any) -> bool:
    """Refused when the config is parsed (the operator's request to the dashboard), or when
    Serve deploys its applications: route prefixes and autoscaling configs are checked
    then (the application fails to deploy)."""
    from ray.serve.schema import ServeDeploySchema

    try:
        parsed = _parse(ServeDeploySchema, config)
        for app in parsed.applications:
            _deploy_checks(app)
    except Exception:  # pydantic's ValidationError, or Serve's own, of whichever release
        return True
    return False


def _parse(model: Any, value: Any) -> Any:
    return (getattr(model, "model_validate", None) or model.parse_obj)(value)


def _deploy_checks(app: Any) -> None:
    from ray.serve.config import AutoscalingConfig

    try:
        from ray.serve._private.utils import validate_route_prefix
    except ImportError:  # older Serve checks the prefix as it parses the config
        validate_route_prefix = None
    route = getattr(app, "route_prefix", None)
    if validate_route_prefix is not None and isinstance(route, str):
        validate_route_prefix(route)
    elif isinstance(route, str) and not route.startswith("/"):
        # older Serve: ApplicationState refuses it as it deploys (application_state.py,
        # 'Invalid route prefix ..., it must start with "/"')
        raise ValueError(route)
    for deployment in getattr(app, "deployments", None) or []:
        autoscaling = getattr(deployment, "autoscaling_config", None)
        if isinstance(autoscaling, dict):
            _parse(AutoscalingConfig, autoscaling)


HEAD = {"rayStartParams": {}, "template": {"spec": {"containers": [
    {"name": "ray-head", "resources": {"limits": {"cpu": "1", "memory": "2Gi"}}}]}}}


def autoscaler_view(group: dict[str, Any]) -> dict[str, float] | None:
    from ray.autoscaler._private.kuberay.autoscaling_config import (
        _derive_autoscaling_config_from_ray_cr,
    )

    cr = {"apiVersion": "ray.io/v1", "kind": "RayCluster",
          "metadata": {"name": "c", "namespace": "default"},
          "spec": {"enableInTreeAutoscaling": True, "headGroupSpec": HEAD,
                   "workerGroupSpecs": [group]}}
    try:
        config = _derive_autoscaling_config_from_ray_cr(cr)
    except Exception:  # the autoscaler raises as it starts
        return None
    resources: dict[str, float] = config["available_node_types"][group["groupName"]]["resources"]
    return {k: float(v) for k, v in resources.items()}


def node_shape(params: dict[str, str], env: dict[str, str]) -> dict[str, float] | None:
    import os

    from ray._private.node import Node
    from ray._private.parameter import RayParams
    from ray.scripts.scripts import start

    argv = words(" ".join(["ray start --head", *(command(k, v)[len("ray start --head"):]
                                                  for k, v in sorted(params.items()))]))
    if argv is None:
        return None
    context = start.make_context("start", argv[2:])
    given = context.params
    resources = json.loads(given["resources"]) if given.get("resources") else {}
    ray_params = RayParams(num_cpus=given.get("num_cpus"), num_gpus=given.get("num_gpus"),
                           memory=given.get("memory"), resources=resources,
                           object_store_memory=given.get("object_store_memory"))
    stub: Any = type("NodeStub", (), {})()
    stub._ray_params, stub.head, stub.node_ip_address = ray_params, True, "10.0.0.1"
    stub._resource_spec = stub._resource_and_label_spec = stub.resource_isolation_config = None
    getter = getattr(Node, "get_resource_and_label_spec", None) or Node.get_resource_spec
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        spec = getter(stub)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {k: float(v) for k, v in spec.to_resource_dict().items()}


def main() -> None:
    import ray

    asked = json.load(sys.stdin)
    out = {"version": ray.__version__,
           "start": [start_refused(k, v) for k, v in asked.get("start", [])],
           "serve": [serve_refused(c) for c in asked.get("serve", [])],
           "nodes": [node_shape(p, e) for p, e in asked.get("nodes", [])],
           "autoscaler": [autoscaler_view(g) for g in asked.get("autoscaler", [])]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
