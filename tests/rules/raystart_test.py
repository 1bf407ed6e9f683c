"""rayStartParams as `ray start` takes them, after the operator and bash."""

from __future__ import annotations

from typing import Any

import pytest

from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import ClusterView
from generator.rules.raystart import (
    _options,
    bash_words,
    check_option,
    ray_start_options,
    releases,
    resources_problem,
)
from generator.rules.versions import derived_for

VALUED = ("log-color", "include-dashboard", "include-log-monitor")


def verdict(key: str, value: str, minor: str = "2.52") -> str | None:
    options = _options(derived_for(tuple(int(x) for x in minor.split(".")), releases()))
    found = check_option(key, value, options, VALUED, minor)
    return found[0] if found else None


@pytest.mark.parametrize(("key", "value"), [
    ("num-cpus", "4"), ("num-cpus", "0"), ("memory", "4294967296"), ("block", "true"),
    ("block", "false"), ("dashboard-host", "0.0.0.0"), ("log-color", "false"),
    ("include-dashboard", "false"), ("resources", '"{\\"Custom1\\": 1, \\"is_spot\\": 1}"'),
    ("resources", "'{\"TPU\": 4}'"), ("redis-password", "$REDIS_PASSWORD"),
    ("object-store-memory", "100000000"), ("system-reserved-cpu", "0.5"),
])
def test_what_ray_start_takes(key: str, value: str) -> None:
    assert verdict(key, value) is None


@pytest.mark.parametrize(("key", "value", "said"), [
    ("num-cpus", "1.5", "'1.5' is not a whole number"),
    ("num-cpus", "500m", "'500m' is not a whole number"),
    ("memory", "4Gi", "'4Gi' is not a whole number"),
    ("num-cpu", "4", "has no option --num-cpu"),
    ("dashbord-host", "0.0.0.0", "has no option --dashbord-host"),
    ("num-cpus", "true", "needs a value"),
    ("block", "yes", "--block takes no value"),
    ("log-color", "maybe", "is not one of auto, false, true"),
    ("resources", '{"Custom1":1}', "not JSON"),  # bash removes the quotes
    ("resources", '{"Custom1": 1}', "bash splits"),
    ("resources", "'{\"a\": 1, \"b\": 2}'", None),
    ("resources", '{"a":1,"b":2}', "bash splits"),
    ("resources", "'{\"CPU\": 4}'", "CPU is no custom resource: use --num-cpus"),
    ("resources", "'{\"a\": 1.5}'", "is not a whole number"),
    ("resources", "'{\"a\": \"1\"}'", "is not a number"),
    ("resources", "'[1]'", "not a map"),
    ("node-name", "my node", "bash splits"),
])
def test_what_ray_start_refuses(key: str, value: str, said: str | None) -> None:
    found = verdict(key, value)
    assert (found is None) if said is None else (found is not None and said in found), found


def test_bash_words() -> None:
    assert bash_words("a b") == ["a", "b"]
    assert bash_words("'a b'") == ["a b"]
    assert bash_words('"{\\"x\\": 1}"') == ['{"x": 1}']
    assert bash_words("$X") is None and bash_words('"$X"') is None
    assert bash_words("'open") is None
    assert len(bash_words("{a,b}") or []) == 2  # brace expansion: more than one word


def test_resources_json_as_ray_checks_it() -> None:
    assert resources_problem('{"a": 2, "b": 0}') is None
    assert resources_problem('{"a": -1}') is not None
    assert resources_problem('{"object_store_memory": 1}') is not None


def group(params: dict[str, str], **container: Any) -> dict[str, Any]:
    return {"rayStartParams": params, "template": {"spec": {"containers": [
        {"name": "ray-head", "image": "rayproject/ray:2.52.0", **container}]}}}


def findings(spec: dict[str, Any]) -> list[str]:
    view = ClusterView.of({"apiVersion": "ray.io/v1", "kind": "RayCluster", "spec": spec})
    assert view is not None
    return [f.message for f in ray_start_options(view, Target.of("1.7"))]


def test_the_rule_uses_the_ray_the_cluster_runs_and_skips_own_commands() -> None:
    spec = {"rayVersion": "2.52.0", "headGroupSpec": group({"num-cpus": "1.5"})}
    assert findings(spec) and "Ray 2.52" not in findings(spec)[0]
    unknown = {"rayVersion": "2.52.0", "headGroupSpec": group({"no-such": "1"})}
    assert "Ray 2.52 has no option --no-such" in findings(unknown)[0]
    own = {"headGroupSpec": group({"num-cpus": "1.5"}, command=["bash", "-c"],
                                  args=["ray start --head --num-cpus=2 --block"])}
    assert findings(own) == []
    assert releases()[0] == "2.9" and len(releases()) >= 2
