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
def test_import_then_render_gives_the_same_object(manifest: Path, cli: Cli) -> None:
    """What ray-gitops rendered comes back through import the same; a cluster on a Redis
    spec (or with a PodMonitor) comes back without the Redis (or the PodMonitor), and the
    pod label they select by is named as the one difference."""
    imported = cli("import", "-q", manifest)
    if imported.exit_code == 1:
        differs = [line for line in imported.stderr.splitlines() if line.startswith("differs:")]
        assert differs and all("ray-gitops.io/cluster" in line for line in differs), differs
        spec = (ROOT / "specs" / f"{manifest.parent.name}.yaml").read_text()
        assert "faultTolerance" in spec or "monitoring" in spec  # what selects the label
    else:
        assert imported.exit_code == 0, imported.output


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
    """KubeRay's sample with a fluent-bit sidecar comes in whole: the sidecar as a sidecar."""
    sample = HELPER_CASES / "manifests" / "valid" / "kuberay-sample.yaml"
    result = cli("import", sample)
    assert result.exit_code == 0, result.output
    assert "v1 ConfigMap ray-example: not a Ray object, not imported" in result.output
    text = result.output[result.output.index("# yaml-language-server"):]
    cluster = [d for d in yaml.safe_load_all(text) if d["kind"] == "RayCluster"][0]["spec"]
    assert cluster["head"]["sidecars"][0]["name"] == "fluentbit"
    root = make_repo({"sample.yaml": text}, templates=False)
    assert build(open_repo(root)).result.diagnostics == []


def test_import_keeps_kuberays_defaults_and_the_images_ray(cli: Cli, tmp_path: Path) -> None:
    """A worker group without replicas has 0 and bounds 0 and 2^31-1 (the CRD's defaults,
    not a spec's); without rayVersion, none is rendered: the image says the Ray."""
    manifest = tmp_path / "c.yaml"
    manifest.write_text(
        "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: c}\nspec:\n"
        "  headGroupSpec:\n    rayStartParams: {}\n    template:\n      spec:\n"
        "        containers: [{name: ray-head, image: 'rayproject/ray:2.46.0-py310',"
        " resources: {requests: {cpu: 1, memory: 2Gi}}}]\n"
        "  workerGroupSpecs:\n  - groupName: w\n    rayStartParams: {}\n    template:\n"
        "      spec:\n        containers: [{name: ray-worker, image: 'rayproject/ray:2.46.0-py310',"
        " resources: {limits: {cpu: 2, memory: 2Gi}, requests: {cpu: 500m}}}]\n")
    result = cli("import", "-q", manifest)
    assert result.exit_code == 0, result.output
    docs = list(yaml.safe_load_all(result.stdout))
    spec = [d for d in docs if d["kind"] == "RayCluster"][0]["spec"]
    assert "rayVersion" not in spec and spec["image"] == "rayproject/ray:2.46.0-py310"
    assert spec["upgradeStrategy"] == "None"  # as the operator does without one
    worker = spec["workerGroups"][0]
    assert (worker["replicas"], worker["minReplicas"], worker["maxReplicas"]) == (0, 0, 2**31 - 1)
    templates = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "ComputeTemplate"}
    assert templates["c-head"] == {"cpu": 1, "memory": "2Gi", "unlimited": ["cpu", "memory"]}
    assert templates["c-w"] == {"cpu": 2, "memory": "2Gi", "requests": {"cpu": "500m"}}


HEAD = ("apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: c}\nspec:\n"
        "  rayVersion: '2.52.0'\n  enableInTreeAutoscaling: true\n"
        "  autoscalerOptions: {imagePullPolicy: Always, securityContext: {runAsUser: 1000}}\n"
        "  headGroupSpec:\n    headService: {metadata: {name: my-head}}\n"
        "    rayStartParams: {}\n    template:\n      spec:\n        restartPolicy: Never\n"
        "        terminationGracePeriodSeconds: 60\n"
        "        containers: [{name: ray-head, image: 'rayproject/ray:2.52.0', workingDir: /w,"
        " ports: [{containerPort: 9999, name: extra}], resources: {limits: {cpu: 1, memory: 2Gi}}}]\n")


def test_the_whole_pod_comes_in_and_renders_back(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "c.yaml"
    manifest.write_text(HEAD)
    result = cli("import", manifest)
    assert result.exit_code == 0, result.output
    spec = [d for d in yaml.safe_load_all(result.stdout) if d["kind"] == "RayCluster"][0]["spec"]
    assert spec["head"]["ports"] == [{"containerPort": 9999, "name": "extra"}]
    assert spec["head"]["restartPolicy"] == "Never"
    assert spec["head"]["podTemplate"] == {"spec": {
        "terminationGracePeriodSeconds": 60, "containers": [{"name": "ray-head", "workingDir": "/w"}]}}
    assert "terminationGracePeriodSeconds, the Ray container's workingDir in podTemplate" in result.stderr
    assert spec["headService"] == {"metadata": {"name": "my-head"}}
    assert spec["autoscaling"]["securityContext"] == {"runAsUser": 1000}
    root = write_repo(tmp_path / "repo", {"c.yaml": result.stdout}, templates=False)
    built = build(open_repo(root))
    assert built.result.ok, [d.text() for d in built.result.diagnostics]


def test_what_no_spec_says_is_named_with_exit_1(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "c.yaml"
    manifest.write_text(HEAD.replace("    rayStartParams: {}\n", "    enableIngress: true\n"
                                     "    rayStartParams: {}\n", 1))
    result = cli("import", manifest)
    assert result.exit_code == 1
    assert "differs: " in result.stderr
    assert "spec.headGroupSpec.enableIngress: True is gone" in result.stderr


def test_a_malformed_manifest_is_refused_at_its_line(cli: Cli, tmp_path: Path) -> None:
    """containers as a mapping: the schema error at its line, no crash, nothing written."""
    manifest = tmp_path / "c.yaml"
    manifest.write_text(HEAD.replace("containers: [{", "containers: {x: {").replace(
        "memory: 2Gi}}}]", "memory: 2Gi}}}}"))
    out = tmp_path / "out.yaml"
    result = cli("import", manifest, "-o", out)
    assert result.exit_code == 1
    assert f"{manifest}:15:" in result.stderr and "containers" in result.stderr
    assert not out.exists()


def test_secrets_in_env_lists_are_redacted_wherever_they_go(cli: Cli, tmp_path: Path) -> None:
    """An env list's {name: DB_PASSWORD, value: ...}, in the Ray container (to the patch)
    or a sidecar: redacted, said, exit 1."""
    manifest = tmp_path / "c.yaml"
    manifest.write_text(HEAD.replace(
        "workingDir: /w,", "workingDir: /w, env: [{name: DB_PASSWORD, value: hunter2}, {name: X}],"
    ).replace("memory: 2Gi}}}]\n", "memory: 2Gi}}},\n          {name: side, image: 'busybox:1.36',"
              " env: [{name: API_TOKEN, value: abc123}]}]\n"))
    result = cli("import", manifest)
    assert result.exit_code == 1
    assert "hunter2" not in result.stdout and "abc123" not in result.stdout
    assert "2 literal secret(s) replaced by REDACTED" in result.stderr


def test_files_of_one_run_share_templates_and_a_repository_s_are_reused(
        cli: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(HEAD)
    second.write_text(HEAD.replace("name: c}", "name: d}"))
    both = cli("import", first, second)
    assert both.exit_code == 0, both.output
    docs = list(yaml.safe_load_all(both.stdout))
    templates = [d["metadata"]["name"] for d in docs if d["kind"] == "ComputeTemplate"]
    assert templates == ["c-head"]  # one shape, one template, named once
    clusters = [d["spec"]["head"]["computeTemplate"] for d in docs if d["kind"] == "RayCluster"]
    assert clusters == ["c-head", "c-head"]
    # into a repository that has a template of that shape: it is reused, not written again
    repo = write_repo(tmp_path / "repo", {"t.yaml": (
        "apiVersion: ray-gitops/v1alpha1\nkind: ComputeTemplate\nmetadata: {name: small}\n"
        "spec: {cpu: 1, memory: 2}\n")}, templates=False)
    out = repo / "specs" / "imported.yaml"
    into = cli("import", first, "-o", out)
    assert into.exit_code == 0, into.output
    written = list(yaml.safe_load_all(out.read_text()))
    assert [d["kind"] for d in written] == ["RayCluster"]
    assert written[0]["spec"]["head"]["computeTemplate"] == "small"
    assert build(open_repo(repo)).result.ok
    # the same cluster again, into another file: refused, said of that file as it is named
    again = cli("import", first, "-o", repo / "specs" / "again.yaml")
    assert again.exit_code == 1
    assert "specs/again.yaml:" in again.stderr and "duplicate RayCluster 'c'" in again.stderr
    assert "ray-gitops-import-" not in again.stderr  # no scratch path


def test_v1alpha1_comes_in_as_v1_and_says_so(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "c.yaml"
    manifest.write_text(HEAD.replace("ray.io/v1\n", "ray.io/v1alpha1\n"))
    result = cli("import", manifest)
    assert result.exit_code == 1
    assert "ray.io/v1alpha1 is imported as ray.io/v1" in result.stderr
    assert "apiVersion: 'ray.io/v1alpha1' becomes 'ray.io/v1'" in result.stderr
