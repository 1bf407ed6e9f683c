"""The cache can make a run cheaper, never its verdict different.

Each test runs ray-gitops with its cache (.ray-gitops/) and compares it with
what a run from scratch (--no-cache) says of the same repository: the same exit
code, the same findings, the same rendered/ tree.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from generator.pipeline import cache as cache_module
from generator.pipeline.cache import FOLDER, UNITS, Cache
from tests.helpers import copy_repo

Cli = Callable[..., Result]


@pytest.fixture(autouse=True)
def trusted_stamps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs here follow edits within milliseconds; a user's come seconds later. Let the
    cache trust stamps as it would then (the stat of an edited file still differs:
    ctime moves), so that the stamp path is what these tests exercise."""
    monkeypatch.setattr(cache_module, "YOUNG_NS", -10**12)


def read_cache(path: Path) -> dict:
    return json.loads(path.read_bytes().partition(b"\n")[2])


def write_cache(path: Path, data: dict, key: bytes | None = None) -> None:
    """A cache file as ray-gitops writes it: signed, with this user's key unless ``key``."""
    import hashlib

    body = json.dumps(data).encode()
    mark = (hashlib.blake2b(body, key=key, digest_size=32).hexdigest() if key
            else cache_module._signature(body))
    assert mark is not None
    path.write_bytes(mark.encode() + b"\n" + body)


def settle() -> None:
    """Past the file system's timestamp tick, so that the next edit's ctime differs."""
    time.sleep(0.02)


def tree(root: Path) -> dict[str, bytes]:
    folder = root / "rendered"
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.is_dir() else {}


def same_verdict(cli: Cli, cached: Path, scratch: Path, *args: str) -> Result:
    """``args`` on both copies: with the cache on one, from scratch on the other."""
    ours = cli(*args, "--root", cached)
    settle()
    theirs = cli(*args, "--root", scratch, "--no-cache")
    settle()
    assert (ours.exit_code, ours.output) == (theirs.exit_code, theirs.output), \
        f"{args}: with the cache\n{ours.output}\nfrom scratch\n{theirs.output}"
    assert tree(cached) == tree(scratch)
    return ours


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


# Edits of this repository's own examples: each keeps the repository valid, or breaks it
# the way users do. (file, old, new)
EDITS: list[tuple[str, str, str]] = [
    ("specs/compute-templates.yaml", "  cpu: 2\n  memory: 4\n", "  cpu: 3\n  memory: 4\n"),
    ("specs/compute-templates.yaml", "  memory: 5Gi\n", "  memory: 6Gi\n"),
    ("specs/test-cluster.yaml", "replicas: 1\n", "replicas: 2\n"),
    ("specs/test-cluster.yaml", "replicas: 1\n", "replicaz: 1\n"),  # an error
    ("specs/test-cluster.yaml", "computeTemplate: default-template\n",
     "computeTemplate: no-such-template\n"),  # an error
    ("specs/ha-cluster.yaml", "redis: redis  #", "redis: other-redis  #"),  # an error
    ("specs/code/sample_code.py", "\n", "\n# edited\n"),  # a file a RayJob ships
    ("specs/serve/user-test-1.yaml", "\n", "\n# edited\n"),  # a Serve config file
    ("ray-gitops.yaml", 'rayVersion: "2.52.0"', 'rayVersion: "2.51.0"'),  # settings
    ("specs/two-clusters.yaml", "\n", "\n# a comment moves every line below\n"),
]


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_give_the_verdicts_of_runs_from_scratch(
        cli: Cli, tmp_path: Path, seed: int) -> None:
    cached, scratch = copy_repo(tmp_path / "cached"), copy_repo(tmp_path / "scratch")
    rng = random.Random(seed)
    same_verdict(cli, cached, scratch, "check")
    for _ in range(8):
        step = rng.randrange(len(EDITS) + 5)
        for root in (cached, scratch):
            if step < len(EDITS):
                name, old, new = EDITS[step]
                if old in (root / name).read_text():
                    edit(root, name, old, new)
                elif new in (root / name).read_text():
                    edit(root, name, new, old)  # undo it
            elif step == len(EDITS):  # a new spec file, with a cluster of its own
                shutil.copy(root / "specs/test-cluster.yaml", root / "specs/copy-cluster.yaml")
                edit(root, "specs/copy-cluster.yaml", "name: test-cluster", "name: copy-cluster")
            elif step == len(EDITS) + 1:  # a spec file removed
                (root / "specs/copy-cluster.yaml").unlink(missing_ok=True)
            elif step == len(EDITS) + 2:  # a rendered file edited by hand
                path = root / "rendered/test-cluster/kustomization.yaml"
                if path.is_file():
                    path.write_text(path.read_text().replace("resources:", "resources: "))
            elif step == len(EDITS) + 3:  # a rendered file removed
                (root / "rendered/ha-cluster/raycluster-ha-cluster.yaml").unlink(missing_ok=True)
            else:  # a stray file in rendered/
                (root / "rendered/ha-cluster").mkdir(parents=True, exist_ok=True)
                (root / "rendered/ha-cluster/stray.yaml").write_text(
                    "# Generated by ray-gitops from nowhere. Do not edit.\n{}\n")
        settle()
        for command in rng.sample(["check", "render", "validate"], 3):
            args = (command, "--skip-overlays") if command == "validate" else (command,)
            same_verdict(cli, cached, scratch, *args)


def test_a_hand_edit_that_keeps_size_and_mtime_is_found(cli: Cli, repo_copy: Path) -> None:
    assert cli("check", "--root", repo_copy).exit_code == 0
    path = repo_copy / "rendered/test-cluster/raycluster-test-cluster.yaml"
    before = path.stat()
    settle()
    path.write_text(path.read_text().replace("replicas: 1", "replicas: 7", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as if nothing happened
    assert path.stat().st_size == before.st_size
    result = cli("check", "--root", repo_copy)
    assert result.exit_code == 1
    assert any(line.startswith("-") and "replicas: 7" in line for line in result.output.splitlines())


def test_a_deleted_output_is_missing_with_a_warm_cache(cli: Cli, repo_copy: Path) -> None:
    assert cli("check", "--root", repo_copy).exit_code == 0
    (repo_copy / "rendered/test-cluster/kustomization.yaml").unlink()
    result = cli("check", "--root", repo_copy)
    assert result.exit_code == 1 and "missing: rendered/test-cluster/kustomization.yaml" in result.output


def test_a_cache_from_an_older_state_is_not_believed(cli: Cli, repo_copy: Path) -> None:
    """The cache of state A, kept while the repository moved to state B and back to a
    stale rendered/: what counts is the files, not what the cache remembers."""
    assert cli("check", "--root", repo_copy).exit_code == 0
    old_cache = (repo_copy / FOLDER / UNITS).read_bytes()
    old_rendered = tree(repo_copy)
    settle()
    edit(repo_copy, "specs/compute-templates.yaml", "  cpu: 2\n  memory: 4\n", "  cpu: 3\n  memory: 4\n")
    assert cli("render", "--root", repo_copy).exit_code == 0
    assert cli("check", "--root", repo_copy).exit_code == 0
    (repo_copy / FOLDER / UNITS).write_bytes(old_cache)  # the older cache comes back
    assert cli("check", "--root", repo_copy).exit_code == 0  # rendered/ is right for B
    for name, data in old_rendered.items():  # and now rendered/ of A, with the cache of B
        (repo_copy / "rendered" / name).write_bytes(data)
    assert cli("render", "--root", repo_copy).exit_code == 0
    settle()
    for name, data in old_rendered.items():
        (repo_copy / "rendered" / name).write_bytes(data)
    result = cli("check", "--root", repo_copy)
    assert result.exit_code == 1
    assert any(line.startswith("+") and "cpu: '3'" in line for line in result.output.splitlines())


def test_a_cache_of_another_version_or_shape_is_dropped(cli: Cli, repo_copy: Path) -> None:
    assert cli("check", "--root", repo_copy).exit_code == 0
    path = repo_copy / FOLDER / UNITS
    assert Cache.open(repo_copy).units  # as written: read back
    data = read_cache(path)
    data["tool"] = "another version"
    write_cache(path, data)
    assert Cache.open(repo_copy).units == {}  # signed, but of another version: dropped
    assert cli("check", "--root", repo_copy).exit_code == 0
    for garbage in (b"{", b"[]", b'{"tool": 1}', b"\0\xff" * 100):
        path.write_bytes(garbage)
        assert Cache.open(repo_copy).units == {}
        assert cli("check", "--root", repo_copy).exit_code == 0
    data = read_cache(path)  # of this version, with questions of no shape
    count = len(data["units"])
    data["questions"] = [[["get", ["nested"]], "x"], "x", [[{}], 1]] + data["questions"]
    data["units"] = {file: {**unit, "reads": [i + 3 for i in unit["reads"]]}
                     for file, unit in data["units"].items()}
    spoilt = sorted(data["units"])[:3]
    for file, number in zip(spoilt, (0, 1, 2), strict=True):
        data["units"][file]["reads"].append(number)
    data["units"][sorted(data["units"])[3]]["reads"] += [-1, 10**9, "x"]
    write_cache(path, data)
    kept = Cache.open(repo_copy).units
    assert len(kept) == count - 4 and not set(spoilt) & set(kept)
    assert cli("check", "--root", repo_copy).exit_code == 0


def test_digests_that_disagree_with_rendered_make_the_file_render_again(
        cli: Cli, repo_copy: Path) -> None:
    """A cache (of this version and user) whose digests for a spec file's outputs are not
    what rendered/ holds: that spec file is rendered again, and compared by its text. (A
    forger who can sign with the user's key, and edits rendered/ to agree, is beyond this:
    that user's files are the forger's already.)"""
    from generator.pipeline.build import build
    from generator.project.repo import open_repo
    from generator.project.write import on_disk

    assert cli("check", "--root", repo_copy).exit_code == 0
    path = repo_copy / FOLDER / UNITS
    data = read_cache(path)
    unit = data["units"]["specs/test-cluster.yaml"]
    unit["outputs"] = {name: "0" * 32 for name in unit["outputs"]}
    write_cache(path, data)
    built = build(open_repo(repo_copy), cache=Cache.open(repo_copy))
    assert built.drifted(on_disk(repo_copy / "rendered")) == {"specs/test-cluster.yaml"}
    assert cli("check", "--root", repo_copy).exit_code == 0


def test_a_cache_signed_elsewhere_is_no_cache(cli: Cli, repo_copy: Path) -> None:
    """A .ray-gitops/ committed by a pull request, made to agree with a rendered file it
    edited: CI (another key) does not believe it, and check finds the edit."""
    import hashlib

    assert cli("check", "--root", repo_copy).exit_code == 0
    name = "test-cluster/raycluster-test-cluster.yaml"
    rendered = repo_copy / "rendered" / name
    rendered.write_text(rendered.read_text().replace("replicas: 1", "replicas: 7", 1))
    path = repo_copy / FOLDER / UNITS
    data = read_cache(path)
    data["units"]["specs/test-cluster.yaml"]["outputs"][name] = hashlib.blake2b(
        rendered.read_bytes(), digest_size=16).hexdigest()
    data["stamps"] = {}
    write_cache(path, data, key=b"k" * 32)
    result = cli("check", "--root", repo_copy)
    assert result.exit_code == 1 and "replicas: 7" in result.output


def test_warnings_of_reused_files_are_reported_again(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"redis.yaml": """\
        apiVersion: ray-gitops/v1alpha1
        kind: Redis
        metadata: {name: redis}
        spec:
          passwordSecret: {name: redis-password, key: password}
        """})
    first = cli("render", "--root", root)
    assert first.exit_code == 0 and "warning RG101" in first.output, first.output
    again = cli("check", "--root", root)
    warnings = [line for line in first.output.splitlines() if " warning " in line]
    assert warnings and all(line in again.output for line in warnings)


def test_the_cache_is_not_written_through_a_symbolic_link(cli: Cli, repo_copy: Path,
                                                          tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo_copy / FOLDER).symlink_to(elsewhere)
    assert cli("check", "--root", repo_copy).exit_code == 0
    assert list(elsewhere.iterdir()) == []


def test_the_cache_folder_keeps_itself_out_of_git(cli: Cli, repo_copy: Path) -> None:
    assert cli("check", "--root", repo_copy).exit_code == 0
    assert (repo_copy / FOLDER / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_warm_check_reuses_unchanged_files(repo_copy: Path) -> None:
    from generator.pipeline.build import build
    from generator.pipeline.cache import Cache
    from generator.project.repo import open_repo

    repo = open_repo(repo_copy)
    first = build(repo, cache=Cache.open(repo_copy))
    first.remember()
    assert first.result.ok and first.reused == 0
    settle()
    edit(repo_copy, "specs/test-cluster.yaml", "replicas: 1\n", "replicas: 2\n")
    again = build(repo, cache=Cache.open(repo_copy))
    # the edited file, and the RayJob that runs on its cluster; nothing else
    assert again.fresh == {"specs/test-cluster.yaml", "specs/rayjob-on-test-cluster.yaml"}
    assert again.reused == len(again.units) - 2 and again.kept
    scratch = build(repo)
    assert again.result.sorted() == scratch.result.sorted()
    assert {**again.files} == {k: v for k, v in scratch.files.items() if k not in again.kept}


def test_a_redis_learns_of_a_new_cluster_in_another_file(cli: Cli, tmp_path: Path) -> None:
    """The Redis NetworkPolicy admits the clusters that use it: a cluster of another spec
    file that starts using it changes the Redis's files, whose own spec did not change."""
    cached, scratch = copy_repo(tmp_path / "cached"), copy_repo(tmp_path / "scratch")
    same_verdict(cli, cached, scratch, "check")
    for root in (cached, scratch):
        edit(root, "specs/test-cluster.yaml", "spec:\n  headServiceType: ClusterIP\n",
             "spec:\n  faultTolerance: {redis: redis}\n  headServiceType: ClusterIP\n")
    settle()
    assert same_verdict(cli, cached, scratch, "check").exit_code == 1
    result = same_verdict(cli, cached, scratch, "render")
    assert "wrote rendered/ha-cluster/networkpolicy-redis.yaml" in result.output
    assert same_verdict(cli, cached, scratch, "check").exit_code == 0
