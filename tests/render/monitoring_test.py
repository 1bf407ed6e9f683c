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
    [endpoint] = monitor["spec"]["podMetricsEndpoints"]
    assert endpoint["port"] == "metrics"  # the port the operator adds to every Ray container
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"


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
