"""ray-gitops's Ray verdicts against Ray's own code, on two Ray releases at least.

Each interpreter named in ``RAY_GITOPS_RAY_PYTHONS`` (separated by ``os.pathsep``) has
``ray[serve]`` of one release installed; ``.ci/run`` makes two (the oldest and the newest
Ray targeted). ``tests/ray/oracle.py`` asks Ray itself, through the real bash and Ray's
own command line and models, whether it refuses each case; ray-gitops must say the same.
Without such interpreters the tests are skipped, with that reason.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.rules.raystart import BOOLEAN_VALUED, _options, check_option
from generator.rules.raystart import releases as start_releases
from generator.rules.serve import check_serve_config
from generator.rules.versions import derived_for

PYTHONS = [p for p in os.environ.get("RAY_GITOPS_RAY_PYTHONS", "").split(os.pathsep) if p]
ORACLE = Path(__file__).with_name("oracle.py")
pytestmark = pytest.mark.skipif(not PYTHONS, reason="no interpreter with Ray installed: set "
                                "RAY_GITOPS_RAY_PYTHONS (.ci/run makes two)")

VALUES = ["1", "0", "16", "-1", "1.5", "500m", "4Gi", "true", "false", "yes", "auto", "abc",
          "'a b'", "a b", "0.0.0.0", "$MY_POD_IP", '"quoted"']
RESOURCES = ['\'{"a": 1}\'', '{"a":1}', '{"a": 1}', '\'{"a": 1, "b": 2}\'', '{"a":1,"b":2}',
             '\'{"CPU": 1}\'', '\'{"GPU": 1}\'', '\'{"memory": 1}\'', '\'{"a": 1.5}\'',
             '\'{"a": 0.5}\'', '\'{"a": 2.0}\'', '\'{"a": -1}\'', '\'{"a": "1"}\'', "'[1]'",
             '"{\\"Custom1\\": 1, \\"is_spot\\": 1}"', "'{}'", "'{\"a\": 1e15}'"]
KEYS = ["num-cpus", "num-gpus", "memory", "object-store-memory", "block", "no-monitor",
        "dashboard-host", "dashboard-port", "log-color", "include-dashboard", "port",
        "node-name", "metrics-export-port", "system-reserved-cpu", "labels", "num-cpu",
        "dashbord-host", "object-store"]
BASE = {"applications": [{"name": "app", "import_path": "pkg.mod:app", "route_prefix": "/",
                          "deployments": [{"name": "D", "num_replicas": 1}]}]}


def ask(python: str, cases: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([python, str(ORACLE)], input=json.dumps(cases), capture_output=True,
                          text=True, timeout=600, check=True)
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def minor(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2])


@pytest.mark.parametrize("python", PYTHONS)
def test_ray_start_verdicts_are_rays(python: str) -> None:
    cases = [[key, value] for key in KEYS for value in VALUES]
    cases += [["resources", value] for value in RESOURCES]
    answer = ask(python, {"start": cases})
    version = answer["version"]
    release = derived_for(minor(version), start_releases())  # the table of this Ray's options
    options = _options(release)
    wrong = []
    for (key, value), refused in zip(cases, answer["start"], strict=True):
        ours = check_option(key, value, options, BOOLEAN_VALUED["1.7"], release)
        if value.startswith("$") or "$" in value:
            continue  # bash expands it on the node: ray-gitops does not guess
        if (ours is not None) != refused:
            wrong.append((key, value, "Ray refuses" if refused else "Ray takes", ours))
    assert not wrong, wrong


def serve_cases() -> list[Any]:
    out: list[Any] = [BASE]

    def variant(change: Any) -> None:
        config = copy.deepcopy(BASE)
        change(config)
        out.append(config)

    app = lambda c: c["applications"][0]  # noqa: E731
    dep = lambda c: c["applications"][0]["deployments"][0]  # noqa: E731
    variant(lambda c: dep(c).update(num_replicas="x"))
    variant(lambda c: dep(c).update(num_replicas=0))
    variant(lambda c: dep(c).update(num_replicas="auto"))
    variant(lambda c: dep(c).update(no_such_key=1))
    variant(lambda c: app(c).update(no_such_key=1))
    variant(lambda c: c.update(no_such_key=1))
    variant(lambda c: dep(c).update(max_concurrent_queries=5))
    variant(lambda c: dep(c).update(max_ongoing_requests=5))
    variant(lambda c: dep(c).update(ray_actor_options={"num_cpus": 1, "num_gpus": 0.5}))
    variant(lambda c: dep(c).update(ray_actor_options={"num_cpus": -1}))
    variant(lambda c: dep(c).update(ray_actor_options={"no_such": 1}))
    variant(lambda c: dep(c).update(autoscaling_config={"min_replicas": 1, "max_replicas": 4}))
    variant(lambda c: (dep(c).pop("num_replicas"), dep(c).update(
        autoscaling_config={"min_replicas": 5, "max_replicas": 2})))
    variant(lambda c: app(c).update(route_prefix="no-slash"))
    variant(lambda c: app(c).update(import_path="nocolon"))
    variant(lambda c: c["applications"].append(copy.deepcopy(c["applications"][0])))
    variant(lambda c: c.update(http_options={"port": 8000, "host": "0.0.0.0"}))
    variant(lambda c: c.update(http_options={"port": "x"}))
    variant(lambda c: app(c).update(runtime_env={"pip": ["requests"]}))
    variant(lambda c: dep(c).update(user_config={"anything": [1, 2]}))
    variant(lambda c: dep(c).update(max_replicas_per_node=2))
    variant(lambda c: dep(c).update(graceful_shutdown_timeout_s="soon"))
    return out


@pytest.mark.parametrize("python", PYTHONS)
def test_serve_verdicts_are_rays(python: str) -> None:
    cases = serve_cases()
    answer = ask(python, {"serve": cases})
    version = minor(answer["version"])
    wrong = []
    for config, refused in zip(cases, answer["serve"], strict=True):
        errors = [f for f in check_serve_config(config, version) if f.severity == "error"]
        if bool(errors) != refused:
            wrong.append((config, "Ray refuses" if refused else "Ray takes",
                          [f.message for f in errors]))
    assert not wrong, json.dumps(wrong, indent=1, default=str)[:4000]


def _group(name: str, params: dict[str, str] | None = None, limits: dict[str, str] | None = None,
           requests: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    resources = {k: v for k, v in (("limits", limits), ("requests", requests)) if v}
    group: dict[str, Any] = {"groupName": name, "minReplicas": 0, "maxReplicas": 2,
                             "template": {"spec": {"containers": [
                                 {"name": "ray-worker", "image": "rayproject/ray",
                                  "resources": resources}]}}, **extra}
    if params is not None:
        group["rayStartParams"] = params
    return group


GROUPS = [
    _group("limits", {}, {"cpu": "4", "memory": "16Gi"}),
    _group("fraction", {}, {"cpu": "500m", "memory": "1.5Gi"}),
    _group("requests-only", {}, None, {"cpu": "2", "memory": "4Gi"}),
    _group("limit-cpu-request-memory", {}, {"cpu": "2"}, {"memory": "4Gi"}),
    _group("nothing", {}),
    _group("no-params", None, {"cpu": "1"}),
    _group("params", {"num-cpus": "3", "memory": "1000000000", "num-gpus": "1"}, {"cpu": "1"}),
    _group("params-quoted", {"num-cpus": "'3'"}, {"cpu": "1"}),
    _group("params-fraction", {"num-cpus": "1.5"}, {"cpu": "1"}),
    _group("gpu", {}, {"cpu": "8", "nvidia.com/gpu": "2"}),
    _group("gpu-request", {}, {"cpu": "8"}, {"nvidia.com/gpu": "1"}),
    _group("mig", {}, {"cpu": "8", "nvidia.com/mig-1g.5gb": "1"}),
    _group("amd", {}, {"cpu": "8", "amd.com/gpu": "1"}),
    _group("tpu", {}, {"cpu": "8", "google.com/tpu": "4"},
           template={"spec": {"nodeSelector": {"cloud.google.com/gke-tpu-topology": "2x2x1",
                                               "cloud.google.com/gke-tpu-accelerator":
                                                   "tpu-v4-podslice"},
                              "containers": [{"name": "ray", "resources": {
                                  "limits": {"cpu": "8", "google.com/tpu": "4"}}}]}}),
    _group("tpu-no-selector", {}, {"cpu": "8", "google.com/tpu": "4"}),
    _group("neuron", {}, {"cpu": "8", "aws.amazon.com/neuron": "1"}),
    _group("custom-quoted", {"resources": "'{\"a\": 1, \"b\": 2}'"}, {"cpu": "1"}),
    _group("custom-escaped", {"resources": '"{\\"Custom1\\": 1, \\"is_spot\\": 1}"'}, {"cpu": "1"}),
    _group("custom-bare", {"resources": '{"a": 1}'}, {"cpu": "1"}),
    _group("custom-fraction", {"resources": "'{\"a\": 0.5}'"}, {"cpu": "1"}),
    _group("custom-bool", {"resources": "'{\"a\": true}'"}, {"cpu": "1"}),
    _group("custom-accelerator", {"resources": "'{\"accelerator_type:A10G\": 1}'"}, {"cpu": "1"}),
    _group("group-resources", {}, {"cpu": "1"},
           resources={"CPU": "4", "GPU": "1", "memory": "8Gi", "accelerator_type:L4": "1"}),
    _group("group-resources-lower", {}, {"cpu": "1"},
           resources={"cpu": "4", "nvidia.com/gpu": "1", "Memory": "8Gi"}),
    _group("group-resources-fraction", {}, {"cpu": "1"}, resources={"CPU": "1500m", "x": "0.5"}),
    _group("group-resources-and-params", {"resources": "'{\"a\": 1}'"}, {"cpu": "1"},
           resources={"b": "2"}),
    _group("group-resources-bad", {}, {"cpu": "1"}, resources={"x": "NaN"}),
    _group("suffixes", {}, {"cpu": "1k", "memory": "1e3"}),
    _group("negative", {"num-cpus": "-1"}, {"cpu": "1"}, resources={"x": "-1"}),
    _group("zero", {"num-gpus": "0"}, {"cpu": "0"}),
    _group("binary-milli", {}, {"cpu": "1", "memory": "3mi"}),
]


def sample_groups() -> list[dict[str, Any]]:
    """Every group of KubeRay's samples (../shared), as a worker group."""
    from generator.kuberay.kinds import cluster_of
    from generator.kuberay.vocabulary import groups
    from tests.helpers import SHARED

    out = []
    for path in sorted(SHARED.glob("kuberay/releases/*/samples/**/*.yaml")):
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue
        for document in documents:
            found = cluster_of(document) if isinstance(document, dict) else None
            for _, group in groups(found[1], found[0]) if found else ():
                if isinstance(group.get("template"), dict):
                    out.append({**group, "groupName": f"{path.stem}-{len(out)}",
                                "minReplicas": 0, "maxReplicas": 1})
    return out


@pytest.mark.parametrize("python", PYTHONS)
def test_autoscaler_views_are_rays(python: str) -> None:
    """What the autoscaler of this Ray reads of each group (capacity.autoscaler), against
    the autoscaling config Ray itself derives: the same resources, or both unreadable."""
    from generator.capacity.autoscaler import Unreadable, view

    cases = GROUPS + sample_groups()
    answer = ask(python, {"autoscaler": cases})
    ray = minor(answer["version"])
    wrong = []
    for group, theirs in zip(cases, answer["autoscaler"], strict=True):
        try:
            ours: dict[str, float] | None = {k: float(v) for k, v in view(group, ray).items()}
        except Unreadable:
            ours = None
        if theirs is not None:  # the TPU head resource: Ray's own, never a demand's
            theirs = {k: v for k, v in theirs.items() if not k.startswith("TPU-")}
        if ours != theirs:
            wrong.append((group["groupName"], "Ray", theirs, "ours", ours))
    assert not wrong, json.dumps(wrong, indent=1)[:6000]
    from tests.helpers import SHARED

    assert len(cases) > len(GROUPS) or not SHARED.is_dir()  # the samples were read


NODES: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"num-cpus": "4"}, {}),
    ({"num-cpus": "0"}, {}),
    ({"num-cpus": "'4'"}, {}),
    ({"num-cpus": "2", "memory": "4000000000", "num-gpus": "1"}, {}),
    ({"resources": "'{\"a\": 1, \"b\": 2}'"}, {}),
    ({"resources": '"{\\"Custom1\\": 1, \\"is_spot\\": 1}"'}, {}),
    ({"resources": "'{\"TPU\": 4}'", "num-cpus": "8"}, {}),
    ({"num-cpus": "2"}, {"RAY_OVERRIDE_RESOURCES": '{"CPU": 3, "custom": 2}'}),
    ({"resources": "'{\"a\": 1}'"}, {"RAY_OVERRIDE_RESOURCES": '{"a": 5, "GPU": 2}'}),
    ({}, {"RAY_OVERRIDE_RESOURCES": '{"memory": 1000000000}'}),
    ({"object-store-memory": "100000000", "num-cpus": "1"}, {}),
]


@pytest.mark.parametrize("python", PYTHONS)
def test_node_shapes_are_rays(python: str) -> None:
    """A node's resources (capacity.shape) against what Ray resolves when the node starts
    with the operator's command and the container's environment: everything the spec says
    is Ray's figure; everything else Ray has is what the shape calls detected."""
    from generator.capacity.shape import ray_resources

    answer = ask(python, {"nodes": NODES})
    wrong = []
    for (params, env), theirs in zip(NODES, answer["nodes"], strict=True):
        container = {"name": "ray-head", "env": [{"name": k, "value": v} for k, v in env.items()]}
        group = {"rayStartParams": params, "template": {"spec": {"containers": [container]}}}
        resources, unknown = ray_resources(group)
        said = {k: float(v) for k, v in resources.items()}
        for name, value in said.items():
            if theirs.get(name, 0.0) != value:
                wrong.append((params, env, name, "Ray", theirs.get(name), "ours", value))
        for name, value in theirs.items():
            detected = name in unknown or name.startswith(("node:", "accelerator_type:")) or \
                name == "object_store_memory" or (name == "GPU" and value == 0)
            if name not in said and not detected:
                wrong.append((params, env, name, "Ray", value, "ours", "nothing"))
    assert not wrong, wrong
