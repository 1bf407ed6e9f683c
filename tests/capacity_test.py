"""Will it fit, end to end: node pools in ray-gitops.yaml, `capacity`, and the capacity
change that `diff` shows a pull request."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.helpers import git

Cli = Callable[..., Result]
POOLS = """\
rayVersion: "2.52.0"
nodePools:
  general:
    cpu: 7.5
    memory: 28Gi
    maxNodes: {general}
environments:
  small:
    nodePools:
      general: {{cpu: 1.5, memory: 8Gi, maxNodes: 2}}
"""
SERVICE = """\
apiVersion: ray-gitops/v1alpha1
kind: RayService
metadata:
  name: llm
spec:
  serveConfigFile: serve.yaml
  cluster:
    head:
      computeTemplate: default-template
      rayStartParams: {num-cpus: 0}
    workerGroups:
      - name: gpu
        computeTemplate: gpu-template
        replicas: 1
        maxReplicas: 2
"""
SERVE = """\
applications:
  - name: llm
    import_path: llm:app
    deployments:
      - name: Model
        num_replicas: 2
        ray_actor_options:
          num_gpus: 2
"""


def test_a_pod_no_pool_can_take_is_an_error_at_its_template(cli: Cli, make_repo) -> None:
    root = make_repo({"llm.yaml": SERVICE, "serve.yaml": SERVE}, config=POOLS.format(general=4))
    result = cli("validate", "--root", root, "--no-cache", "--format", "json")
    assert result.exit_code == 1
    found = {(d["code"], d["file"], d["line"]) for d in json.loads(result.output)["diagnostics"]}
    # the gpu group's pods need a GPU and tolerate nvidia.com/gpu: the general pool has no GPU
    assert ("RG114", "specs/llm.yaml", 13) in found
    # and each replica asks Ray for 2 GPUs where a node has 1: at the line of the Serve file
    assert ("RG110", "specs/serve.yaml", 8) in found


def test_an_environment_whose_pools_are_too_small(cli: Cli, make_repo) -> None:
    fits = SERVICE.replace("gpu-template", "default-template")
    root = make_repo({"llm.yaml": fits, "serve.yaml": SERVE.replace("num_gpus: 2", "num_cpus: 1")},
                     config=POOLS.format(general=1))
    rendered = cli("render", "--root", root)
    assert rendered.exit_code == 0, rendered.output
    for env in ("small", "big"):
        (root / "overlays" / env).mkdir(parents=True)
        (root / "overlays" / env / "kustomization.yaml").write_text(
            "resources: [../../rendered/llm]\n")
    result = cli("validate", "--root", root, "--no-cache", "--format", "json")
    by_code = {}
    for d in json.loads(result.stdout)["diagnostics"]:
        by_code.setdefault(d["code"], []).append(d)
    # small's pool has 1.5 CPU a node: the 2-CPU pods fit none of its nodes
    assert {d["file"] for d in by_code["RG114"]} == {"overlays/small/kustomization.yaml"}
    # big has the repository's pools: one node of 7.5 CPU holds the two 2-CPU pods, not four
    # beside a new cluster during an upgrade
    [warning] = [d for d in by_code["RG115"] if d["file"] == "overlays/big/kustomization.yaml"]
    assert "during an upgrade of RayService llm" in warning["message"]
    assert result.exit_code == 1  # RG114 is an error


def test_capacity_command(cli: Cli, repo_copy: Path) -> None:
    text = cli("capacity", "--root", repo_copy)
    assert text.exit_code == 0, text.output
    assert "RayService llm-serve" in text.output and "node pools at maxNodes" in text.output
    data = json.loads(cli("capacity", "--root", repo_copy, "--env", "prod", "--format", "json").output)
    llm = next(o for o in data["objects"] if o["name"] == "llm-serve")
    assert llm["max"] == {"cpu": 37.5, "gpu": 4.0, "memoryGiB": 133.5, "pods": 7}
    assert llm["peak"]["gpu"] == 5.0
    assert data["nodePools"]["gpu"] == 10.0
    markdown = cli("capacity", "--root", repo_copy, "--format", "markdown").output
    assert markdown.startswith("### ray-gitops: capacity of the rendered bases")
    assert cli("capacity", "--root", repo_copy, "--env", "nope").exit_code == 2


def test_diff_shows_the_capacity_change_and_its_peak(cli: Cli, repo_copy: Path, tmp_path: Path) -> None:
    git(repo_copy, "init", "-q")
    git(repo_copy, "add", "-A")
    git(repo_copy, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    spec = repo_copy / "specs" / "llm-serve.yaml"
    spec.write_text(spec.read_text().replace("      computeTemplate: head-template\n",
                                             "      computeTemplate: head-template\n"
                                             "      image: rayproject/ray:2.52.0-py311\n", 1))
    chart = tmp_path / "chart.svg"
    result = cli("diff", "--root", repo_copy, "--format", "markdown", "--chart", chart)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "capacity the pods request, before and after this change" in out
    # the image change starts a new llm-serve cluster: 11.5 CPU, 39.5Gi, 1 GPU beside the old
    assert "| bases | before | 141.85 | 423.91Gi | 8 | 55 |" in out
    assert "| bases | peak during rollout | 153.35 | 463.41Gi | 9 | 58 |" in out
    assert "```mermaid\nxychart-beta" in out
    assert chart.read_text().startswith("<svg")
    nowhere = cli("diff", "--root", repo_copy, "--chart", tmp_path / "missing" / "chart.svg")
    assert nowhere.exit_code == 2 and "cannot write the chart" in nowhere.output
    data = json.loads(cli("diff", "--root", repo_copy, "--format", "json").output)
    assert data["capacity"]["peak"]["gpu"] == 9.0


def test_the_pr_comment_says_what_validate_warns_of_the_pools(cli: Cli, make_repo) -> None:
    """A rollout peak above the node pools comes with validate's own warning (RG115),
    not only as figures in the table."""
    fits = SERVICE.replace("gpu-template", "default-template")
    root = make_repo({"llm.yaml": fits, "serve.yaml": SERVE.replace("num_gpus: 2", "num_cpus: 1")},
                     config=POOLS.format(general=1))
    assert cli("render", "--root", root).exit_code == 0
    (root / "overlays" / "big").mkdir(parents=True)
    (root / "overlays" / "big" / "kustomization.yaml").write_text("resources: [../../rendered/llm]\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    spec = root / "specs" / "llm.yaml"
    spec.write_text(spec.read_text().replace("maxReplicas: 2", "maxReplicas: 3"))
    validated = json.loads(cli("validate", "--root", root, "--no-cache", "--format", "json").stdout)
    warned = [d["message"] for d in validated["diagnostics"] if d["code"] == "RG115"]
    assert warned
    result = cli("diff", "--root", root, "--env", "big", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "- **warning RG115** (big): during an upgrade of RayService llm" in result.output
    assert "would find no node and stay Pending" in result.output
    data = json.loads(cli("diff", "--root", root, "--env", "big", "--format", "json").output)
    assert data["capacity"]["warnings"] and data["capacity"]["warnings"][0].startswith("RG115: ")
    text = cli("diff", "--root", root, "--env", "big").output
    assert "\nwarning RG115: " in text
