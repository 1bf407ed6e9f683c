"""One root cause, one error, at the line the user wrote; references that could not work
are said; imports keep what the input meant."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import Result

from generator.project.kustomize import message
from tests.helpers import ROOT

Cli = Callable[..., Result]


def test_an_invalid_template_is_one_error_not_many(cli: Cli, repo_copy: Path) -> None:
    templates = repo_copy / "specs" / "compute-templates.yaml"
    templates.write_text(templates.read_text().replace("memory: 4\n", "memory: 4GB\n", 1))
    result = cli("validate", "--root", repo_copy, "--skip-overlays")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if " error " in line]
    assert len(errors) == 1 and "RG013" in errors[0] and "not found" not in result.output


def test_an_invalid_rayservice_does_not_turn_its_serve_file_into_a_spec(
        cli: Cli, repo_copy: Path) -> None:
    spec = repo_copy / "specs" / "user-test-1.yaml"
    spec.write_text(spec.read_text().replace("serveConfigFile:", "replicaz: 1\n  serveConfigFile:", 1))
    result = cli("validate", "--root", repo_copy, "--skip-overlays")
    assert result.exit_code == 1 and "RG009" in result.output
    assert "serve/user-test-1.yaml" not in result.output  # no "wrong apiVersion" for it


def test_a_reference_across_namespaces_names_both_sides(cli: Cli,
                                                        make_repo: Callable[..., Path]) -> None:
    redis = ("apiVersion: ray-gitops/v1alpha1\nkind: Redis\nmetadata: {name: redis, namespace: a}\n"
             "spec:\n  passwordSecret: {name: r, key: p}\n  persistence: {size: 1Gi}\n")
    cluster = ("apiVersion: ray-gitops/v1alpha1\nkind: RayCluster\n"
               "metadata: {name: c, namespace: team-a}\nspec:\n  faultTolerance: {redis: redis}\n"
               "  head: {computeTemplate: default-template}\n")
    result = cli("validate", "--root", make_repo({"r.yaml": redis, "c.yaml": cluster}))
    assert result.exit_code == 1
    assert "RG085" in result.output and "namespace 'team-a'" in result.output
    same = cluster.replace("namespace: team-a", "namespace: a").replace("name: c,", "name: c2,")
    unnamespaced = redis.replace(", namespace: a", "")
    result = cli("validate", "--root", make_repo({"r.yaml": unnamespaced, "c.yaml": same}))
    assert result.exit_code == 1 and "RG085" in result.output
    assert "namespace 'a'" in result.output and "no namespace" in result.output


def test_kustomize_messages_are_trimmed() -> None:
    noisy = "Error: accumulating resources: " + json.dumps({"kind": "X", "data": "y" * 4000})
    trimmed = message(noisy)
    assert not trimmed.startswith("Error:") and len(trimmed) <= 300


def test_an_apiserver_payload_keeps_the_images_ray(cli: Cli, tmp_path: Path) -> None:
    payload = json.loads((ROOT / "tests" / "cases" / "import" / "ha_clusters.json").read_text())
    payload = payload if isinstance(payload, dict) else payload[0]
    payload.pop("version", None)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(payload))
    result = cli("import", "-q", path)
    cluster = [d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "RayCluster"][0]
    assert cluster["spec"]["rayVersion"] == "2.46.0"


def test_a_unit_kubernetes_does_not_read_gets_the_one_it_does(
        cli: Cli, make_repo: Callable[..., Path]) -> None:
    """Redis memory `1GB`, a template's `8gi`, `100 Mi`: each refused with the quantity meant."""
    redis = ("apiVersion: ray-gitops/v1alpha1\nkind: Redis\nmetadata: {name: redis}\n"
             "spec:\n  passwordSecret: {name: r, key: p}\n  persistence: {size: 1Gi}\n"
             "  resources: {memory: 1GB}\n")
    template = ("apiVersion: ray-gitops/v1alpha1\nkind: ComputeTemplate\nmetadata: {name: big}\n"
                "spec:\n  cpu: 2\n  memory: 8gi\n---\n"
                "apiVersion: ray-gitops/v1alpha1\nkind: ComputeTemplate\nmetadata: {name: spaced}\n"
                "spec:\n  cpu: 2\n  memory: 100 Mi\n")
    root = make_repo({"redis.yaml": redis, "more.yaml": template})
    result = cli("validate", "--root", root, "--skip-overlays")
    assert result.exit_code == 1, result.output
    assert "'1GB' is not a Kubernetes quantity: write 1G (Kubernetes writes G, not GB)" \
        in result.output
    assert "'8gi' is not a Kubernetes quantity: write 8Gi (Kubernetes writes Gi, not gi)" \
        in result.output
    assert "'100 Mi' is not a Kubernetes quantity: write 100Mi (no space before the unit)" \
        in result.output


def test_an_unquoted_version_says_to_quote_it(cli: Cli, make_repo: Callable[..., Path]) -> None:
    """`kuberayVersion: 1.10` is the number 1.1 to YAML: the error says so, with the quotes."""
    root = make_repo({}, config="kuberayVersion: 1.10\n")
    result = cli("validate", "--root", root, "--skip-overlays")
    assert result.exit_code == 1
    assert "ray-gitops.yaml:1:17: error RG010: kuberayVersion: 1.10 is read as a number (1.1), " \
        "not as text: write it in quotes, '1.10'" in result.output
