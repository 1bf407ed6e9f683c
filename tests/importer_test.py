"""`ray-gitops import`: what comes in renders back to what went out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from generator.pipeline.build import build
from generator.project.repo import open_repo
from tests.helpers import CASES as HELPER_CASES
from tests.helpers import ROOT, write_repo

CASES = HELPER_CASES / "import"
Cli = Callable[..., Result]
RAY_OBJECTS = sorted(p for p in (ROOT / "rendered").glob("*/ray*.yaml"))


@pytest.mark.parametrize("manifest", RAY_OBJECTS, ids=lambda p: p.parent.name + "/" + p.stem)
def test_import_then_render_gives_the_same_object(
    manifest: Path, cli: Cli, make_repo: Callable[..., Path]
) -> None:
    imported = cli("import", "-q", manifest)
    assert imported.exit_code == 0, imported.output
    app = manifest.parent.name
    specs = {f"{app}.yaml": imported.output}
    selector = "clusterSelector" in imported.output  # the cluster it runs on, as a spec
    if selector:
        specs["test-cluster.yaml"] = (ROOT / "specs" / "test-cluster.yaml").read_text()
    config = 'rayVersion: "2.52.0"\nfeatureGates: {RayCronJob: true}\n'
    root = make_repo(specs, templates=selector, config=config)
    result = build(open_repo(root))
    assert result.result.diagnostics == [], [d.text() for d in result.result.diagnostics]
    original = yaml.safe_load(manifest.read_text())
    again = yaml.safe_load(result.files[f"{app}/{manifest.name}"])
    assert again == original


def test_apiserver_payloads(cli: Cli, make_repo: Callable[..., Path]) -> None:
    result = cli("import", CASES / "compute_template.json", CASES / "ha_clusters.json")
    assert result.exit_code == 0, result.output
    assert "names a namespace; the spec uses redis:6379" in result.output
    text = result.output[result.output.index("# yaml-language-server"):]
    docs = [d for d in yaml.safe_load_all(text) if d]
    template, cluster = docs
    assert template["spec"] == {"cpu": 2, "memory": 4}
    assert cluster["spec"]["faultTolerance"] == {
        "external": {"address": "redis:6379",
                     "passwordSecret": {"name": "redis-password-secret", "key": "password"}},
        "method": "legacy"}
    assert cluster["spec"]["head"]["rayStartParams"] == {"num-cpus": "0"}
    assert cluster["spec"]["image"] == "rayproject/ray:2.46.0-py310"
    root = make_repo({"ha.yaml": text}, templates=False)
    rendered = build(open_repo(root))
    assert rendered.result.diagnostics == [], [d.text() for d in rendered.result.diagnostics]
    obj = yaml.safe_load(rendered.files["ha/raycluster-ha-cluster.yaml"])
    assert obj["metadata"]["annotations"]["ray.io/ft-enabled"] == "true"
    assert obj["spec"]["headGroupSpec"]["rayStartParams"]["redis-password"] == "$REDIS_PASSWORD"


def test_legacy_operator_cluster(cli: Cli, make_repo: Callable[..., Path],
                                 tmp_path: Path) -> None:
    output = tmp_path / "legacy.yaml"
    result = cli("import", CASES / "example_cluster.yaml", "-o", output)
    # the global maxWorkers has no KubeRay equivalent: written, and said, with exit 1
    assert result.exit_code == 1 and "would behave differently" in result.output
    text = output.read_text()
    cluster = [d for d in yaml.safe_load_all(text) if d][-1]
    assert cluster["spec"]["autoscaling"] == {"idleTimeoutSeconds": 300}
    (group,) = cluster["spec"]["workerGroups"]
    assert (group["name"], group["minReplicas"], group["maxReplicas"]) == ("worker-nodes", 2, 3)
    assert group["rayResources"] == {"Custom1": "1", "is_spot": "1"}
    assert "global maxWorkers has no KubeRay equivalent" in result.output
    root = make_repo({"legacy.yaml": text}, templates=False)
    assert build(open_repo(root)).result.diagnostics == []


def test_unknown_input(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("name: x\nreplicas: 2\n")
    result = cli("import", path)
    assert result.exit_code == 1
    assert "neither a ray.io/v1 manifest" in result.output


def test_output_file_is_never_overwritten(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("mine\n")
    result = cli("import", "--output", target, CASES / "compute_template.json")
    assert result.exit_code == 2
    assert target.read_text() == "mine\n"


def test_plain_kuberay_sample_imports(cli: Cli, make_repo: Callable[..., Path]) -> None:
    sample = HELPER_CASES / "manifests" / "valid" / "kuberay-sample.yaml"
    result = cli("import", sample)
    assert result.exit_code == 1, result.output  # the fluentbit sidecar cannot be said
    assert "no spec field for containers[1:]: dropped" in result.output
    assert "v1 ConfigMap ray-example: not a Ray object, not imported" in result.output
    text = result.output[result.output.index("# yaml-language-server"):]
    root = make_repo({"sample.yaml": text}, templates=False)
    assert build(open_repo(root)).result.diagnostics == []


def test_import_keeps_kuberays_defaults_and_the_images_ray(cli: Cli, tmp_path: Path) -> None:
    """A worker group without replicas has 0 (KubeRay's default, not a spec's 1); without
    rayVersion, the Ray of the image's tag is the one the spec renders."""
    manifest = tmp_path / "c.yaml"
    manifest.write_text(
        "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: c}\nspec:\n"
        "  headGroupSpec:\n    rayStartParams: {}\n    template:\n      spec:\n"
        "        containers: [{name: ray-head, image: 'rayproject/ray:2.46.0-py310',"
        " resources: {limits: {cpu: 1, memory: 2Gi}}}]\n"
        "  workerGroupSpecs:\n  - groupName: w\n    rayStartParams: {}\n    template:\n"
        "      spec:\n        containers: [{name: ray-worker, image: 'rayproject/ray:2.46.0-py310',"
        " resources: {limits: {cpu: 1, memory: 2Gi}}}]\n")
    result = cli("import", "-q", manifest)
    spec = [d for d in yaml.safe_load_all(result.stdout) if d["kind"] == "RayCluster"][0]["spec"]
    assert spec["rayVersion"] == "2.46.0"
    assert spec["workerGroups"][0]["replicas"] == 0


def test_import_names_what_it_drops_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "c.yaml"
    manifest.write_text(
        "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: c}\nspec:\n"
        "  rayVersion: '2.52.0'\n  enableInTreeAutoscaling: true\n"
        "  autoscalerOptions: {imagePullPolicy: Always, securityContext: {runAsUser: 1000}}\n"
        "  headGroupSpec:\n    headService: {metadata: {name: my-head}}\n"
        "    rayStartParams: {}\n    template:\n      spec:\n        restartPolicy: Never\n"
        "        containers: [{name: ray-head, image: 'rayproject/ray:2.52.0',"
        " ports: [{containerPort: 9999, name: extra}], resources: {limits: {cpu: 1, memory: 2Gi}}}]\n")
    result = cli("import", manifest)
    assert result.exit_code == 1
    assert "restartPolicy Never" in result.stderr  # what a spec cannot say
    spec = [d for d in yaml.safe_load_all(result.stdout) if d["kind"] == "RayCluster"][0]["spec"]
    # what it can, carried over
    assert spec["head"]["ports"] == [{"containerPort": 9999, "name": "extra"}]
    assert spec["headService"] == {"metadata": {"name": "my-head"}}
    assert spec["autoscaling"]["imagePullPolicy"] == "Always"
    assert spec["autoscaling"]["securityContext"] == {"runAsUser": 1000}
    root = write_repo(tmp_path / "repo", {"c.yaml": result.stdout}, templates=False)
    built = build(open_repo(root))
    assert built.result.ok, [d.text() for d in built.result.diagnostics]
    (obj,) = [o.obj for o in built.objects if o.kind == "RayCluster"]
    assert obj["spec"]["headGroupSpec"]["headService"] == {"metadata": {"name": "my-head"}}
    assert obj["spec"]["autoscalerOptions"]["imagePullPolicy"] == "Always"
