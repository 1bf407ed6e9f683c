"""The Ray container as Kubernetes reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.pipeline.build import build
from generator.project.repo import open_repo

CLUSTER = """\
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata: {name: ordered}
spec:
  head:
    computeTemplate: head-template
    env:
      ZONE: eu
      URL: http://$(ZONE).example.com/$(MY_POD_IP)
      MY_POD_IP: {fieldRef: status.podIP}
  workerGroups:
    - name: workers
      computeTemplate: default-template
      replicas: 1
      env: {B: "$(A)-b", A: a}
"""


def test_env_stays_in_the_order_written(make_repo: Callable[..., Path]) -> None:
    """Kubernetes expands $(NAME) only from entries above the one that refers to it: the
    order written is the order rendered (sorted, URL came before ZONE and kept the text)."""
    built = build(open_repo(make_repo({"ordered.yaml": CLUSTER})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in head] == ["ZONE", "URL", "MY_POD_IP"]
    worker = cluster["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in worker] == ["B", "A"]


def test_the_legacy_fault_tolerance_env_comes_first(make_repo: Callable[..., Path]) -> None:
    """RAY_REDIS_ADDRESS and REDIS_PASSWORD go above the user's env, which may refer to them."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n", "    env:\n      ZONE: eu\n      "
                           "STORE: $(RAY_REDIS_ADDRESS)\n").replace(
        "  workerGroups:", "  faultTolerance: {redis: redis, method: legacy}\n  workerGroups:")
    redis = ("apiVersion: ray-gitops/v1alpha1\nkind: Redis\nmetadata: {name: redis}\n"
             "spec:\n  passwordSecret: {name: redis-password-secret, key: password}\n"
             "  persistence: {size: 8Gi}\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec, "redis.yaml": redis})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in head][:4] == ["RAY_REDIS_ADDRESS", "REDIS_PASSWORD", "ZONE", "STORE"]


def test_a_spec_port_replaces_the_well_known_port_it_names_or_takes(
        make_repo: Callable[..., Path]) -> None:
    """8080 named `metrics` once (not the spec's and ray-gitops's both: the API server refuses
    a port listed twice), and one port named `dashboard`, the spec's."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n", "    ports:\n      - {name: metrics, "
                           "containerPort: 8080}\n      - {name: dashboard, containerPort: 8266}\n"
                           "    env:\n      ZONE: eu\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    ports = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["ports"]
    assert [(p["name"], p["containerPort"]) for p in ports] == [
        ("gcs-server", 6379), ("client", 10001), ("metrics", 8080), ("dashboard", 8266)]


def test_a_spec_that_repeats_a_port_is_refused(make_repo: Callable[..., Path]) -> None:
    for ports, said in (("[{name: a, containerPort: 9000}, {name: a, containerPort: 9001}]",
                         "port name 'a' is used twice"),
                        ("[{name: a, containerPort: 9000}, {name: b, containerPort: 9000}]",
                         "port 9000/TCP is listed twice")):
        spec = CLUSTER.replace("    env:\n      ZONE: eu\n",
                               f"    ports: {ports}\n    env:\n      ZONE: eu\n")
        built = build(open_repo(make_repo({"ordered.yaml": spec})))
        messages = [d.message for d in built.result.errors]
        assert any(said in m for m in messages), messages
        assert not built.files


def test_a_node_selector_that_is_no_label_is_refused(make_repo: Callable[..., Path]) -> None:
    """A nodeSelector value the API server would refuse (or that no node label can hold)."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n",
                           "    nodeSelector: {cloud.google.com/gke-nodepool: 'pool one'}\n"
                           "    env:\n      ZONE: eu\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    assert [d.code for d in built.result.errors] == ["RG011"]
    assert "'pool one' is not a valid label value" in built.result.errors[0].message


def test_a_number_whose_string_is_not_what_was_written_is_refused(
        make_repo: Callable[..., Path]) -> None:
    """`PYTHON_VERSION: 3.10` would render "3.1", a ZIP code 02134 "2134", `DEBUG: True`
    "true": refused where a string is expected, with the quotes that keep it; a quantity and
    a whole number written as a float (cpu: 1.0, num-cpus: 1.0) mean their number."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n", "    rayStartParams: {num-cpus: 1.0}\n"
                           "    env:\n      ZONE: eu\n      PYTHON_VERSION: 3.10\n      ZIP: 02134\n"
                           "      DEBUG: True\n      WORKERS: 4\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    found = sorted((d.line, d.code, d.message.split(":")[0]) for d in built.result.errors)
    assert found == [(10, "RG010", "3.10 is read as a number or a boolean and becomes the string "
                                   "'3.1'"),
                     (11, "RG010", "02134 is read as a number or a boolean and becomes the string "
                                   "'2134'"),
                     (12, "RG010", "True is read as a number or a boolean and becomes the string "
                                   "'true'")], found
    assert any("write it in quotes, '3.10'" in d.message for d in built.result.errors)
    quoted = spec.replace("3.10", "'3.10'").replace("02134", "'02134'").replace("True", "'True'")
    built = build(open_repo(make_repo({"ordered.yaml": quoted})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    env = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert {e["name"]: e.get("value") for e in env}["PYTHON_VERSION"] == "3.10"
