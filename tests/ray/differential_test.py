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
