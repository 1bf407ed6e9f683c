"""The commands as users run them: in process with CliRunner, and a few as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from generator.project.write import on_disk
from tests.helpers import CASES as HELPER_CASES
from tests.helpers import ROOT, write_repo

CLUSTER = """\
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata:
  name: demo
spec:
  head:
    computeTemplate: default-template
  workerGroups:
    - name: small
      computeTemplate: default-template
      replicas: 2
      maxReplicas: 4
"""
Cli = Callable[..., Result]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {name: (Path(p).read_bytes(), os.stat(p).st_mtime_ns) for name, p in on_disk(folder).items()}


def test_render_then_check(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": CLUSTER})
    result = cli("render", "--root", root)
    assert result.exit_code == 0, result.output
    assert sorted(on_disk(root / "rendered")) == [
        "demo/kustomization.yaml", "demo/raycluster-demo.yaml"]
    assert cli("check", "--root", root).exit_code == 0


def test_render_leaves_unchanged_files_untouched(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": CLUSTER})
    cli("render", "--root", root)
    before = snapshot(root / "rendered")
    result = cli("render", "--root", root)
    assert result.exit_code == 0
    assert snapshot(root / "rendered") == before
    assert "0 written" in result.output


def test_invalid_spec_writes_nothing(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": CLUSTER})
    cli("render", "--root", root)
    before = snapshot(root / "rendered")
    (root / "specs" / "demo.yaml").write_text(CLUSTER.replace("replicas: 2", "replicas: 9"))
    (root / "specs" / "other.yaml").write_text(CLUSTER.replace("demo", "other"))
    result = cli("render", "--root", root)
    assert result.exit_code == 1
    assert "specs/demo.yaml:11:17: error RG012: spec.workerGroups[0].replicas:" in result.output
    assert "nothing written" in result.output
    assert snapshot(root / "rendered") == before


def test_check_reports_drift(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": CLUSTER})
    cli("render", "--root", root)
    (root / "specs" / "demo.yaml").write_text(CLUSTER.replace("replicas: 2", "replicas: 3"))
    (root / "rendered" / "old").mkdir()
    (root / "rendered" / "old" / "x.yaml").write_text("# stray\n")
    (root / "specs" / "new.yaml").write_text(CLUSTER.replace("demo", "new"))
    result = cli("check", "--root", root)
    assert result.exit_code == 1
    assert "\n-    replicas: 2\n" in result.output and "\n+    replicas: 3\n" in result.output
    assert "missing: rendered/new/raycluster-new.yaml" in result.output
    assert "stray: rendered/old/x.yaml" in result.output


def test_render_removes_what_it_wrote_and_keeps_the_rest(
    cli: Cli, make_repo: Callable[..., Path]
) -> None:
    root = make_repo({"demo.yaml": CLUSTER})
    cli("render", "--root", root)
    (root / "rendered" / "notes.txt").write_text("mine\n")
    (root / "specs" / "demo.yaml").unlink()
    result = cli("render", "--root", root)
    assert result.exit_code == 0
    assert sorted(on_disk(root / "rendered")) == ["notes.txt"]
    assert "not written by ray-gitops" in result.output


def test_validate_formats(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": CLUSTER.replace("replicas: 2", "replicaz: 2")})
    text = cli("validate", "--root", root)
    assert text.exit_code == 1
    assert ("specs/demo.yaml:11:7: error RG009: spec.workerGroups[0].replicaz: "
            "unknown field 'replicaz' (did you mean 'replicas'?)") in text.output
    data = json.loads(cli("validate", "--root", root, "--format", "json").output)
    assert data["ok"] is False
    assert data["diagnostics"][0]["code"] == "RG009"
    github = cli("validate", "--root", root, "--format", "github").output
    assert github.startswith("::error file=specs/demo.yaml,line=11,col=7,title=RG009::")


def test_validate_one_spec_file_uses_the_whole_repository(
    cli: Cli, make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"demo.yaml": CLUSTER, "broken.yaml": "kind: [\n"})
    # the compute template lives in another file; the broken file is not reported
    monkeypatch.chdir(root)
    result = cli("validate", "specs/demo.yaml")
    assert result.exit_code == 0, result.output


def test_validate_plain_manifests(cli: Cli, tmp_path: Path) -> None:
    cases = HELPER_CASES / "manifests"
    assert cli("validate", "--root", tmp_path, cases / "valid").exit_code == 0
    result = cli("validate", "--root", tmp_path, cases / "invalid" / "ft-mixed.yaml")
    assert result.exit_code == 1
    assert "RG025" in result.output


def test_strict_turns_warnings_into_errors(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": CLUSTER.replace(
        "computeTemplate: default-template\n  workerGroups",
        "computeTemplate: default-template\n    image: rayproject/ray:latest\n  workerGroups")})
    relaxed = cli("validate", "--root", root)
    assert relaxed.exit_code == 0 and "warning RG100" in relaxed.output
    strict = cli("validate", "--root", root, "--strict")
    assert strict.exit_code == 1 and "error RG100" in strict.output


def test_unknown_path_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("validate", "--root", tmp_path, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_bad_settings_file(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({}, config="kubernetesVersion: '1.33'\nrayVerison: 2.52.0\n")
    result = cli("validate", "--root", root)
    assert result.exit_code == 1
    assert "ray-gitops.yaml:2:1: error RG009: rayVerison: unknown field 'rayVerison'" in result.output


def test_schema_command(cli: Cli) -> None:
    schema = json.loads(cli("schema").output)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert json.loads(cli("schema", "--kind", "ComputeTemplate").output)["title"]
    assert cli("schema", "--kind", "Nope").exit_code == 2


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_subprocess_check_on_this_repository() -> None:
    """``check`` where this repository is: --no-cache, so that nothing is written into it."""
    done = run("check", "--no-cache", cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_subprocess_invalid_spec_exit_code(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": "apiVersion: ray-gitops/v1alpha1\nkind: RayCluster\n"})
    done = run("validate", cwd=root)
    assert done.returncode == 1
    assert "specs/demo.yaml:1:1: error RG010: metadata: required field is missing" in done.stdout


def test_subprocess_environment_error_is_one_line(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"demo.yaml": CLUSTER})
    # a file where rendered/ should be is not the user's spec error, nor an internal one
    (root / "rendered").write_text("not a folder\n")
    done = run("render", cwd=root)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"ray-gitops: {root / 'rendered'} is a file, not a folder: move it, then render"]
    assert (root / "rendered").read_text() == "not a folder\n"


def test_validate_a_changed_serve_config_file(
    cli: Cli, repo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve = repo_copy / "specs" / "serve" / "user-test-1.yaml"
    serve.write_text(serve.read_text().replace("num_replicas: 1\n", "num_replica: 1\n", 1))
    monkeypatch.chdir(repo_copy)
    # Ray ignores a key it does not know: a warning (the cluster takes it, to no effect)
    result = cli("validate", "--skip-overlays", "specs/serve/user-test-1.yaml")
    assert result.exit_code == 0, result.output
    assert ("specs/serve/user-test-1.yaml:12:9: warning RG070: applications[0].deployments[0]."
            "num_replica: unknown field 'num_replica': Ray 2.52 ignores it, so it has no effect "
            "on the cluster (did you mean 'num_replicas'?)") in result.output
    # strict, and again with what the first run left in the cache: the RayService that
    # reads the file is checked, not only indexed
    for _ in range(2):
        strict = cli("validate", "--strict", "--skip-overlays", "specs/serve/user-test-1.yaml")
        assert strict.exit_code == 1, strict.output
        assert "error RG070" in strict.output


def test_render_never_empties_rendered_without_specs(cli: Cli, repo_copy: Path) -> None:
    import shutil

    shutil.rmtree(repo_copy / "specs")
    before = snapshot(repo_copy / "rendered")
    for command in ("render", "check", "validate"):
        result = cli(command, "--root", repo_copy)
        assert result.exit_code == 2
        assert "no spec files in specs/" in result.output
    assert snapshot(repo_copy / "rendered") == before


def test_policy_switches_in_settings(cli: Cli, make_repo: Callable[..., Path]) -> None:
    redis = ("apiVersion: ray-gitops/v1alpha1\nkind: Redis\nmetadata: {name: redis}\n"
             "spec:\n  passwordSecret: {name: r, key: password}\n")
    root = make_repo({"redis.yaml": redis})
    assert "warning RG101" in cli("validate", "--root", root).output
    (root / "ray-gitops.yaml").write_text("policy: {disable: [RG101]}\n")
    assert "RG101" not in cli("validate", "--root", root).output
    (root / "ray-gitops.yaml").write_text("policy: {strict: true}\n")
    assert cli("validate", "--root", root).exit_code == 1
    (root / "ray-gitops.yaml").write_text("policy: {disable: [RG012]}\n")
    result = cli("validate", "--root", root)
    assert result.exit_code == 1 and "ray-gitops.yaml:1:20: error RG010: policy.disable[0]" \
        in result.output


def test_check_in_json_and_github_formats_reports_drift_per_file(cli: Cli, repo_copy: Path) -> None:
    import json

    (repo_copy / "rendered" / "test-cluster" / "raycluster-test-cluster.yaml").write_text("x: 1\n")
    (repo_copy / "rendered" / "test-cluster" / "extra.yaml").write_text("y: 2\n")
    result = cli("check", "--root", repo_copy, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert report["ok"] is False
    assert {(d["file"], d["code"]) for d in report["diagnostics"]} == {
        ("rendered/test-cluster/raycluster-test-cluster.yaml", "RG086"),
        ("rendered/test-cluster/extra.yaml", "RG086")}
    github = cli("check", "--root", repo_copy, "--format", "github").stdout.splitlines()
    assert len([line for line in github if line.startswith("::error file=rendered/")]) == 2


def test_github_annotations_name_files_from_the_git_top(cli: Cli, tmp_path: Path) -> None:
    import subprocess

    root = tmp_path / "platform"
    write_repo(root, {"demo.yaml": "apiVersion: ray-gitops/v1alpha1\nkind: RayCluster\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = cli("validate", "--root", root, "--format", "github")
    assert result.exit_code == 1
    assert "::error file=platform/specs/demo.yaml,line=1,col=1" in result.output
