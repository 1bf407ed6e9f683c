"""`ray-gitops diff` in a temporary git repository, one kind of effect at a time."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.helpers import git

SERVICE = """\
apiVersion: ray-gitops/v1alpha1
kind: RayService
metadata:
  name: fruit
spec:
  upgradeStrategy: {strategy}
  serveConfig:
    applications:
      - name: fruit
        import_path: fruit.deployment_graph
        deployments:
          - name: MangoStand
            user_config: {{price: 3}}
  cluster:
    image: rayproject/ray:2.52.0
    head:
      computeTemplate: default-template
    workerGroups:
      - name: small
        computeTemplate: default-template
        replicas: 1
        maxReplicas: 5
"""
CLUSTER = """\
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata:
  name: batch
spec:
  upgradeStrategy: {strategy}
  head:
    computeTemplate: default-template
  workerGroups:
    - name: small
      computeTemplate: default-template
      replicas: 1
      maxReplicas: 5
"""
Cli = Callable[..., Result]




@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Path:
    root = make_repo({"fruit.yaml": SERVICE.format(strategy="NewCluster"),
                      "batch.yaml": CLUSTER.format(strategy="Recreate")})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "specs" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def changes(cli: Cli, root: Path, *args: str) -> dict[str, dict[str, Any]]:
    result = cli("diff", "--root", root, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return {f"{c['kind']}/{c['name']}": c for c in data["changes"]}


def test_no_change(cli: Cli, repo: Path) -> None:
    assert changes(cli, repo) == {}
    assert "no change against HEAD" in cli("diff", "--root", repo).output


def test_serve_config_change_is_applied_in_place(cli: Cli, repo: Path) -> None:
    edit(repo, "fruit.yaml", "price: 3", "price: 4")
    (change,) = changes(cli, repo).values()
    assert change["effect"] == "in-place"
    assert "applied in place" in change["summary"]
    assert change["fields"] == [{
        "path": "spec.serveConfigV2: applications[0].deployments[0].user_config.price",
        "before": 3, "after": 4}]


GROUP = "      - name: extra\n        computeTemplate: default-template\n"
TEMPLATE = ("computeTemplate: default-template\n  workerGroups",
            "computeTemplate: head-template\n  workerGroups")
# (edits: file, old, new; committed first: file, old, new), object, effect, words of the summary
EFFECTS = {
    "image change starts a new cluster": (
        [("fruit.yaml", "ray:2.52.0", "ray:2.52.0-py311")], [],
        "RayService/fruit", "new-cluster", "2x"),
    "replicas inside a RayService are not applied": (
        [("fruit.yaml", "replicas: 1\n        maxReplicas: 5", "replicas: 3\n        maxReplicas: 8")],
        [], "RayService/fruit", "not-applied", "ignores worker replicas"),
    "appended worker group updates in place": (
        [("fruit.yaml", "maxReplicas: 5\n", "maxReplicas: 5\n" + GROUP)], [],
        "RayService/fruit", "in-place", "extra appended"),
    "image and Serve config changed together: one verdict, the new cluster": (
        [("fruit.yaml", "ray:2.52.0", "ray:2.52.0-py311"), ("fruit.yaml", "price: 3", "price: 4")],
        [], "RayService/fruit", "new-cluster", "the new Serve config is deployed on the new cluster"),
    "cluster change with strategy None is not applied": (
        [("fruit.yaml", "upgradeStrategy: NewCluster", "upgradeStrategy: None"),
         ("fruit.yaml", "ray:2.52.0", "ray:2.52.0-py311")], [],
        "RayService/fruit", "not-applied", "upgradeStrategy is None"),
    "RayCluster template change recreates pods": (
        [("batch.yaml", *TEMPLATE)], [], "RayCluster/batch", "restart", "deleted and recreated"),
    "RayCluster template change with None is not applied": (
        [("batch.yaml", *TEMPLATE)],
        [("batch.yaml", "upgradeStrategy: Recreate", "upgradeStrategy: None")],
        "RayCluster/batch", "not-applied", "NOT applied to running pods"),
    "RayCluster replica change scales": (
        [("batch.yaml", "replicas: 1", "replicas: 2")], [], "RayCluster/batch", "in-place",
        "scales"),
}


@pytest.mark.parametrize("case", sorted(EFFECTS))
def test_effect_of_a_change(case: str, cli: Cli, repo: Path) -> None:
    edits, committed, key, effect, words = EFFECTS[case]
    for name, old, new in committed:
        edit(repo, name, old, new)
    if committed:
        git(repo, "commit", "-qam", "before")
    for name, old, new in edits:
        edit(repo, name, old, new)
    change = changes(cli, repo)[key]
    assert change["effect"] == effect
    assert words in change["summary"]
    if effect == "new-cluster":  # never also "in place": one verdict per line
        assert "in place" not in change["summary"], change["summary"]


def test_added_and_removed_objects(cli: Cli, repo: Path) -> None:
    (repo / "specs" / "batch.yaml").unlink()
    (repo / "specs" / "other.yaml").write_text(CLUSTER.format(strategy="Recreate").replace(
        "name: batch", "name: other"))
    found = changes(cli, repo)
    assert found["RayCluster/batch"]["status"] == "removed"
    assert found["RayCluster/other"]["status"] == "added"
    assert found["RayCluster/other"]["file"] == "specs/other.yaml"


def test_base_revision_and_formats(cli: Cli, repo: Path) -> None:
    edit(repo, "fruit.yaml", "price: 3", "price: 4")
    git(repo, "commit", "-qam", "price")
    assert changes(cli, repo) == {}
    assert set(changes(cli, repo, "--base", "HEAD~1")) == {"RayService/fruit"}
    markdown = cli("diff", "--root", repo, "--base", "HEAD~1", "--format", "markdown").output
    assert markdown.startswith("### ray-gitops: what this change does on the cluster")
    assert "| `RayService fruit` | changed | **in place**" in markdown
    github = cli("diff", "--root", repo, "--base", "HEAD~1", "--format", "github").output
    assert github.startswith("::notice file=specs/fruit.yaml,line=4,title=RayService fruit::")


def test_unknown_revision(cli: Cli, repo: Path) -> None:
    result = cli("diff", "--root", repo, "--base", "no-such-ref")
    assert result.exit_code == 2
    assert "unknown git revision 'no-such-ref'" in result.output


def test_outside_a_git_repository(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"batch.yaml": CLUSTER.format(strategy="Recreate")})
    result = cli("diff", "--root", root)
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.output


OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ray-prod
resources:
  - ../../rendered/fruit
images:
  - name: rayproject/ray
    newTag: "2.52.0"
"""


def test_env_compares_what_the_overlay_builds(cli: Cli, repo: Path) -> None:
    (repo / "overlays" / "prod").mkdir(parents=True)
    (repo / "overlays" / "prod" / "kustomization.yaml").write_text(OVERLAY)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "prod")
    overlay = repo / "overlays" / "prod" / "kustomization.yaml"
    overlay.write_text(OVERLAY.replace('newTag: "2.52.0"', 'newTag: "2.52.0-py311"'))
    found = changes(cli, repo, "--env", "prod")
    change = found["RayService/fruit"]
    assert change["namespace"] == "ray-prod"
    assert change["effect"] == "new-cluster"  # the overlay's image tag starts a new cluster
    assert changes(cli, repo) == {}  # the bases themselves did not change
    result = cli("diff", "--root", repo, "--env", "staging")
    assert result.exit_code == 2 and "no overlay overlays/staging" in result.output


def test_links_in_an_overlay_folder_are_not_followed(cli: Cli, repo: Path) -> None:
    """A link to /dev/zero or to ../.. lying in an overlay folder (validate passes: the overlay
    does not name it) is copied as a link when diff lays the overlays out, not followed."""
    (repo / "overlays" / "prod").mkdir(parents=True)
    (repo / "overlays" / "prod" / "kustomization.yaml").write_text(OVERLAY)
    (repo / "overlays" / "prod" / "zero").symlink_to("/dev/zero")
    (repo / "overlays" / "prod" / "up").symlink_to("../..", target_is_directory=True)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "prod")
    assert changes(cli, repo, "--env", "prod") == {}


def test_raycluster_appended_group_is_a_hashed_change(cli: Cli, repo: Path) -> None:
    path = repo / "specs" / "batch.yaml"
    path.write_text(path.read_text() + "    - name: extra\n"
                    "      computeTemplate: default-template\n")
    change = changes(cli, repo)["RayCluster/batch"]
    assert change["effect"] == "restart"  # a RayCluster has no partial hash, unlike a RayService


def test_raycluster_toleration_change_is_hashed_out(cli: Cli, repo: Path) -> None:
    edit(repo, "batch.yaml", "      replicas: 1\n",
         "      replicas: 1\n      tolerations: [{key: spot, operator: Exists}]\n")
    change = changes(cli, repo)["RayCluster/batch"]
    assert change["effect"] == "not-applied"
    assert "left out of the operator's hash" in change["summary"]


# --- effects by release, RayCronJob runs and refused updates (compare, no git) -------------

def _rendered(obj: dict[str, Any]) -> Any:
    from generator.render.base import Rendered

    return Rendered(obj, None)


def _service(cluster_suspend: bool | None) -> dict[str, Any]:
    cluster: dict[str, Any] = {"rayVersion": "2.52.0", "headGroupSpec": {"template": {}}}
    if cluster_suspend is not None:
        cluster["suspend"] = cluster_suspend
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "svc"},
            "spec": {"rayClusterConfig": cluster}}


@pytest.mark.parametrize(("release", "effect"), [("1.6", "new-cluster"), ("1.7", "not-applied")])
def test_the_upgrade_hash_follows_the_release(release: str, effect: str) -> None:
    from generator.diff.effects import compare
    from generator.kuberay.releases import RELEASES

    (change,) = compare([_rendered(_service(None))], [_rendered(_service(True))], RELEASES[release])
    assert change.effect == effect


def test_a_raycluster_is_never_recreated_by_kuberay_15() -> None:
    from generator.diff.effects import compare
    from generator.kuberay.releases import RELEASES

    def cluster(image: str) -> dict[str, Any]:
        return {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "c"},
                "spec": {"upgradeStrategy": {"type": "Recreate"}, "headGroupSpec": {
                    "template": {"spec": {"containers": [{"image": image}]}}}}}

    before, after = [_rendered(cluster("ray:2.51.0"))], [_rendered(cluster("ray:2.52.0"))]
    assert compare(before, after, RELEASES["1.7"])[0].effect == "restart"
    assert compare(before, after, RELEASES["1.5"])[0].effect == "not-applied"


def test_a_raycronjob_shows_its_next_runs() -> None:
    from datetime import UTC, datetime

    from generator.diff.effects import compare

    cron = {"apiVersion": "ray.io/v1", "kind": "RayCronJob", "metadata": {"name": "n"},
            "spec": {"schedule": "30 2 * * *", "timeZone": "Europe/Paris", "jobTemplate": {}}}
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    (change,) = compare([], [_rendered(cron)], now=now)
    assert change.summary == ("a new RayCronJob: schedule '30 2 * * *' (Europe/Paris); next runs "
                              "2026-12-04 02:30, 2026-12-05 02:30, 2026-12-06 02:30")


def test_an_update_the_api_server_refuses() -> None:
    from generator.diff.effects import compare
    from generator.schemas.outputs import OutputSchemas

    def job(managed_by: str) -> dict[str, Any]:
        return {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "j"},
                "spec": {"entrypoint": "x", "managedBy": managed_by}}

    schemas = OutputSchemas("1.33", "1.7")
    (change,) = compare([_rendered(job("ray.io/kuberay-operator"))],
                        [_rendered(job("kueue.x-k8s.io/multikueue"))], refusals=schemas.transition)
    assert change.effect == "refused"
    assert "spec.managedBy: the managedBy field is immutable" in change.summary
