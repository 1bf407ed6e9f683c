"""The PodMonitor of a cluster with monitoring: validated strictly against
prometheus-operator's CRD (derived into schemas/), and selecting the cluster's pods."""

from __future__ import annotations

from generator.pipeline.build import build
from generator.project.repo import open_repo
from generator.schemas.outputs import OutputSchemas
from tests.helpers import ROOT


def objects():
    built = build(open_repo(ROOT), cache=None)
    return {(i.kind, i.name): i.obj for i in built.objects}


def test_the_examples_pod_monitor_selects_every_ray_pod() -> None:
    found = objects()
    monitor = found[("PodMonitor", "llm-serve-ray")]
    selector = monitor["spec"]["selector"]["matchLabels"]
    service = found[("RayService", "llm-serve")]["spec"]["rayClusterConfig"]
    templates = [service["headGroupSpec"]["template"],
                 *(g["template"] for g in service["workerGroupSpecs"])]
    for template in templates:
        assert selector.items() <= template["metadata"]["labels"].items()
    ray, dashboard, autoscaler = monitor["spec"]["podMetricsEndpoints"]
    assert ray["portNumber"] == 8080  # the metrics-export-port the operator passes
    # the head's dashboard and autoscaler metrics, as KubeRay's own PodMonitor scrapes them
    assert (dashboard["portNumber"], autoscaler["portNumber"]) == (44227, 44217)
    for endpoint in (dashboard, autoscaler):
        assert endpoint["relabelings"][0] == {
            "action": "keep", "sourceLabels": ["__meta_kubernetes_pod_label_ray_io_node_type"],
            "regex": "head"}
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_the_pod_monitor_follows_metrics_export_port(make_repo) -> None:
    """A group that exports its metrics elsewhere is scraped there, and only its pods."""
    spec = (ROOT / "specs" / "test-cluster.yaml").read_text().replace(
        "spec:\n", "spec:\n  monitoring: {}\n", 1)
    assert "rayStartParams" in spec
    moved = spec.replace("    rayStartParams:\n", "    rayStartParams:\n      metrics-export-port: "
                         "\"9090\"\n", 1)
    built = build(open_repo(make_repo({"m.yaml": moved})), cache=None)
    assert built.result.ok, [d.text() for d in built.result.diagnostics]
    [monitor] = [o.obj for o in built.objects if o.kind == "PodMonitor"]
    ports = [(e["portNumber"], e["relabelings"][0].get("regex"))
             for e in monitor["spec"]["podMetricsEndpoints"]]
    assert ports[:2] == [(8080, "small-wg"), (9090, "headgroup")], ports


def test_pod_monitors_are_validated_strictly() -> None:
    schemas = OutputSchemas("1.33", "1.7")
    monitor = objects()[("PodMonitor", "llm-serve-ray")]
    assert schemas.validate(monitor) == []
    wrong = {**monitor, "spec": {**monitor["spec"], "podMetricEndpoints": []}}
    [finding] = schemas.validate(wrong)
    assert finding.code == "RG030" and "podMetricEndpoints" in finding.message


def test_monitoring_off_renders_nothing(cli, make_repo) -> None:
    spec = (ROOT / "specs" / "test-cluster.yaml").read_text()
    assert "monitoring" not in spec
    root = make_repo({"a.yaml": spec.replace("spec:\n", "spec:\n  monitoring: {enabled: false}\n", 1),
                      "b.yaml": spec.replace("name: test-cluster", "name: watched").replace(
                          "spec:\n", "spec:\n  monitoring: {interval: 15s}\n", 1)})
    assert cli("render", "--root", root).exit_code == 0
    assert not list((root / "rendered" / "a").glob("podmonitor-*"))
    assert (root / "rendered" / "b" / "podmonitor-watched-ray.yaml").is_file()
    bad = make_repo({"b.yaml": spec.replace("spec:\n", "spec:\n  monitoring: {interval: soon}\n", 1)})
    result = cli("validate", "--root", bad, "--no-cache")
    assert result.exit_code == 1 and "RG010" in result.output
