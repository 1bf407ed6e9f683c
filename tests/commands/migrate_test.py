"""`ray-gitops migrate`: KubeRay 1.5's own samples moved to 1.7 validate there and keep their
meaning; v1alpha1 manifests become v1; Serve configs written for older Ray lose the names
Serve deprecated; a second run changes nothing; --check says so for CI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from generator.kuberay.releases import RELEASES, Target
from generator.load.documents import load_text
from generator.rules.serve import check_serve_config
from generator.schemas.outputs import OutputSchemas
from tests.helpers import SHARED

SAMPLES = SHARED / "kuberay" / "releases" / RELEASES["1.5"].tag / "samples"
REAL = Path(__file__).parents[1] / "corpus" / "real"
Cli = Callable[..., Result]
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="KubeRay's samples are in "
                                   "../shared, which is not beside this clone")


def repo_of(tmp_path: Path, files: list[Path], settings: str) -> Path:
    root = tmp_path / "repo"
    (root / "manifests").mkdir(parents=True)
    (root / "ray-gitops.yaml").write_text(settings)
    for path in files:
        shutil.copy(path, root / "manifests" / path.name)
    return root


def documents(folder: Path) -> dict[tuple[str, int], dict]:
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        for i, doc in enumerate(load_text(path.read_text(), path.name, kubernetes=True)):
            if isinstance(doc.data, dict) and str(doc.data.get("apiVersion", "")).startswith("ray.io"):
                out[(path.name, i)] = doc.data
    return out


@needs_samples
def test_kuberay_15_samples_move_to_17_and_keep_their_meaning(tmp_path: Path, cli: Cli) -> None:
    gates = "".join(f"  {gate}: true\n" for gate in RELEASES["1.5"].gates)
    root = repo_of(tmp_path, sorted(SAMPLES.glob("*.yaml")),
                   f'kuberayVersion: "1.5"\nfeatureGates:\n{gates}')
    before = documents(root / "manifests")
    moved = cli("migrate", "--root", root, "--kuberay-version", "1.7", root / "manifests")
    assert moved.exit_code == 0, moved.output
    assert 'kuberayVersion: "1.7"' in (root / "ray-gitops.yaml").read_text()
    checked = cli("validate", "--root", root, root / "manifests")
    assert checked.exit_code == 0, checked.output
    after = documents(root / "manifests")
    assert after.keys() == before.keys() and len(after) > 50
    # the same objects as 1.7's API server stores them (its CRDs' defaults applied: 1.7 adds
    # a worker group's priority 0, which is what no priority meant before)
    new = OutputSchemas("1.33", Target.of("1.7", {g: True for g in RELEASES["1.5"].gates}))
    for key, obj in before.items():
        assert new.prepared(after[key]) == new.prepared({**obj, "apiVersion": "ray.io/v1"}), key
    again = cli("migrate", "--root", root, "--kuberay-version", "1.7", "--check", root / "manifests")
    assert again.exit_code == 0 and "0 file(s) would change" in again.output, again.output


@needs_samples
def test_v1alpha1_manifests_become_v1(tmp_path: Path, cli: Cli) -> None:
    root = repo_of(tmp_path, [SAMPLES / "ray-cluster.complete.yaml", SAMPLES / "ray-job.sample.yaml"],
                   'kuberayVersion: "1.7"\n')
    for path in (root / "manifests").glob("*.yaml"):
        path.write_text(path.read_text().replace("apiVersion: ray.io/v1\n", "apiVersion: ray.io/v1alpha1\n"))
    warned = cli("validate", "--root", root, root / "manifests")
    assert "RG095" in warned.output
    check = cli("migrate", "--root", root, "--kuberay-version", "1.7", "--check", root / "manifests")
    assert check.exit_code == 1 and "+apiVersion: ray.io/v1\n" in check.output
    assert "v1alpha1" in (root / "manifests" / "ray-job.sample.yaml").read_text()  # --check wrote nothing
    assert cli("migrate", "--root", root, "--kuberay-version", "1.7", root / "manifests").exit_code == 0
    assert "v1alpha1" not in "".join(p.read_text() for p in (root / "manifests").glob("*.yaml"))
    assert "RG095" not in cli("validate", "--root", root, root / "manifests").output


def test_serve_configs_of_older_ray_lose_the_names_serve_deprecated(tmp_path: Path, cli: Cli) -> None:
    """The real services of the corpus that still write max_concurrent_queries: moved to
    Ray 2.52, their Serve configs have only the new names, comments and layout kept."""
    files = [p for p in sorted(REAL.glob("*.yaml")) if "max_concurrent_queries" in p.read_text()]
    assert files
    root = repo_of(tmp_path, files, 'kuberayVersion: "1.7"\n')
    before = {p.name: p.read_text() for p in (root / "manifests").glob("*.yaml")}
    done = cli("migrate", "--root", root, "--kuberay-version", "1.7", "--ray-version", "2.52.0",
               root / "manifests")
    assert done.exit_code == 0, done.output
    for path in (root / "manifests").glob("*.yaml"):
        text = path.read_text()
        assert "max_concurrent_queries" not in text and "max_ongoing_requests" in text
        old_lines, new_lines = before[path.name].splitlines(), text.splitlines()
        assert len(old_lines) == len(new_lines)
        assert [o for o, n in zip(old_lines, new_lines, strict=True) if o.strip().startswith("#")] == [
            n for n in new_lines if n.strip().startswith("#")]
        for doc in yaml.safe_load_all(text):
            config = yaml.safe_load(doc["spec"]["serveConfigV2"]) if doc and "serveConfigV2" in (
                doc.get("spec") or {}) else None
            if config:
                findings = check_serve_config(config, (2, 52))
                assert not [f for f in findings if "deprecated" in f.message], findings
    again = cli("migrate", "--root", root, "--kuberay-version", "1.7", "--ray-version", "2.52.0",
                "--check", root / "manifests")
    assert again.exit_code == 0, again.output


def test_settings_lose_gates_the_release_lacks_and_say_why(tmp_path: Path, cli: Cli) -> None:
    root = repo_of(tmp_path, [], "# our operator\nkuberayVersion: '1.7'  # quoted\n"
                   "featureGates:\n  RayCronJob: true\n  KubernetesWAS: true\n")
    found = cli("migrate", "--root", root, "--kuberay-version", "1.6", root / "manifests")
    assert found.exit_code == 0, found.output
    text = (root / "ray-gitops.yaml").read_text()
    assert text == "# our operator\nkuberayVersion: '1.6'  # quoted\nfeatureGates:\n  RayCronJob: true\n"
    assert "KubernetesWAS: KubeRay 1.6 has no such gate" in found.output


def test_what_will_behave_differently_is_said_per_object(tmp_path: Path, cli: Cli) -> None:
    manifest = ("apiVersion: ray.io/v1\nkind: RayService\nmetadata:\n  name: svc\nspec:\n"
                "  upgradeStrategy:\n    type: NewClusterWithIncrementalUpgrade\n"
                "  serveConfigV2: |\n    applications: []\n"
                "  rayClusterConfig:\n    headGroupSpec:\n      template:\n        spec:\n"
                "          containers:\n          - name: ray-head\n"
                "            image: rayproject/ray:2.46.0\n")
    root = repo_of(tmp_path, [], 'kuberayVersion: "1.5"\n'
                   'featureGates:\n  RayServiceIncrementalUpgrade: true\n')
    (root / "manifests" / "svc.yaml").write_text(manifest)
    found = cli("migrate", "--root", root, "--kuberay-version", "1.7", root / "manifests")
    assert "upgrade hash leaves it out) [utils/util.go of v1.7.0]" in found.output
    assert "gate RayServiceIncrementalUpgrade" not in found.output  # pinned in the settings
    unpinned = repo_of(tmp_path / "b", [], 'kuberayVersion: "1.5"\n')
    (unpinned / "manifests" / "svc.yaml").write_text(manifest)
    found = cli("migrate", "--root", unpinned, "--kuberay-version", "1.7", unpinned / "manifests")
    assert "RayServiceIncrementalUpgrade is on by default in KubeRay 1.7" in found.output
    assert "KubeRay 1.7 says (error RG062)" in found.output  # its rules hold now


def test_a_raycronjobs_child_names_change_in_17(tmp_path: Path, cli: Cli) -> None:
    """No schema or rule shows it: the controller names a run <name>-<unix minute> in 1.7."""
    manifest = ("apiVersion: ray.io/v1\nkind: RayCronJob\nmetadata:\n  name: nightly\nspec:\n"
                "  schedule: '0 2 * * *'\n  jobTemplate:\n    entrypoint: python x.py\n")
    root = repo_of(tmp_path, [], 'kuberayVersion: "1.6"\nfeatureGates:\n  RayCronJob: true\n')
    (root / "manifests" / "cron.yaml").write_text(manifest)
    found = cli("migrate", "--root", root, "--kuberay-version", "1.7", root / "manifests")
    assert "named <name>-<minutes since 1970>" in found.output, found.output
    assert "getRayJobName" in found.output
    (root / "manifests" / "cron.yaml").unlink()  # a repository with no RayCronJob hears nothing
    quiet = cli("migrate", "--root", root, "--kuberay-version", "1.7", root / "manifests")
    assert "minutes since 1970" not in quiet.output


def test_refuses_what_it_should_not_touch(tmp_path: Path, cli: Cli) -> None:
    root = repo_of(tmp_path, [], 'kuberayVersion: "1.5"\n')
    (root / "link.yaml").symlink_to(root / "ray-gitops.yaml")
    assert cli("migrate", "--root", root, "--kuberay-version", "1.7", root / "link.yaml").exit_code == 2
    assert cli("migrate", "--root", root, "--kuberay-version", "1.9", root / "manifests").exit_code == 2
    (root / "manifests" / "bad.yaml").write_text("a: [\n")
    before = (root / "ray-gitops.yaml").read_text()
    bad = cli("migrate", "--root", root, "--kuberay-version", "1.7", root / "manifests")
    assert bad.exit_code == 1 and "bad.yaml:" in bad.output
    assert (root / "ray-gitops.yaml").read_text() == before  # nothing written


def test_what_the_newer_serve_drops_is_said(tmp_path: Path, cli: Cli) -> None:
    """A deployment's route_prefix (Ray 2.9) is gone from Ray 2.60's schema, which ignores
    it: migrate says so, from the per-Ray schemas, and leaves the judgement to the user."""
    manifest = ("apiVersion: ray.io/v1\nkind: RayService\nmetadata:\n  name: old\nspec:\n"
                "  serveConfigV2: |\n    applications:\n      - name: a\n        import_path: m:app\n"
                "        deployments:\n          - name: D\n            route_prefix: /d\n"
                "  rayClusterConfig:\n    rayVersion: '2.9.3'\n    headGroupSpec:\n      template:\n"
                "        spec:\n          containers:\n            - name: ray-head\n"
                "              image: rayproject/ray:2.9.3\n")
    root = repo_of(tmp_path, [], 'kuberayVersion: "1.7"\n')
    (root / "manifests" / "old.yaml").write_text(manifest)
    found = cli("migrate", "--root", root, "--kuberay-version", "1.7", "--ray-version", "2.60.0",
                root / "manifests")
    assert found.exit_code == 0
    assert ("Serve of Ray 2.60.0 says (warning RG070) applications.0.deployments.0.route_prefix"
            in found.output), found.output
    assert "rayVersion: '2.60.0'" in (root / "manifests" / "old.yaml").read_text()
