"""Rendered output: kustomize builds it, the output schemas accept it, it is deterministic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from generator.kuberay.releases import Target
from generator.load.documents import load_file
from generator.pipeline.build import build
from generator.project.repo import open_repo
from generator.project.write import on_disk
from generator.schemas.outputs import CUSTOM, OutputSchemas
from generator.validate.objects import validate_manifest
from tests.helpers import GOLDEN, ROOT, kustomize

BASES = sorted(
    {p.parent for p in (ROOT / "rendered").rglob("kustomization.yaml")}
    | {p.parent for p in GOLDEN.glob("*/expected/*/kustomization.yaml")}
)




@pytest.mark.parametrize("base", BASES, ids=lambda p: str(p.relative_to(ROOT)))
def test_kustomize_builds_every_base(base: Path) -> None:
    done = subprocess.run([*kustomize(), str(base)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    built = [d for d in yaml.safe_load_all(done.stdout) if d]
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    listed = kustomization["resources"] + kustomization.get("configMapGenerator", [])
    assert len(built) == len(listed)


def test_every_rendered_object_passes_the_output_schemas() -> None:
    # the gates this repository's ray-gitops.yaml turns on
    schemas = OutputSchemas("1.33", Target.of("1.7", {"RayCronJob": True}))
    count = 0
    for base in BASES:
        for name, found in on_disk(base).items():
            path = Path(found)
            if name in ("kustomization.yaml", "kustomizeconfig.yaml") or name.startswith("files/"):
                continue
            for doc in load_file(path, name):
                count += 1
                assert validate_manifest(doc, schemas) == []
                if doc.data["apiVersion"] in CUSTOM:
                    continue
                # core kinds: the cached validators agree with kubernetes-validate itself
                kubernetes_validate.validate(doc.data, "1.33", strict=True)
    assert count >= 20


def test_output_schema_rejects_a_misspelled_field() -> None:
    schemas = OutputSchemas("1.33", "1.7")
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "dataa": {}}
    (finding,) = schemas.validate(obj)
    assert finding.path == ("dataa",) and finding.hint == ""
    ray = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "x"},
           "spec": {"headGroupSpec": {"template": {}}, "rayVersoin": "2.52.0"}}
    (finding,) = schemas.validate(ray)
    assert finding.path == ("spec", "rayVersoin") and finding.hint == "did you mean 'rayVersion'?"


def test_kubernetes_version_is_honoured() -> None:
    (finding,) = OutputSchemas("1.99", "1.7").validate({"apiVersion": "v1", "kind": "ConfigMap"})
    assert "newer than the bundled schemas" in finding.message


def test_render_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "1", "4242"):
        root = tmp_path / seed
        shutil.copytree(ROOT / "specs", root / "specs")
        shutil.copytree(GOLDEN / "everything" / "specs", root / "specs", dirs_exist_ok=True)
        shutil.copytree(ROOT / "overlays", root / "overlays")
        # this repository's settings, without its node pools (the golden specs' GPU groups
        # want nodes of their own)
        settings = (ROOT / "ray-gitops.yaml").read_text()
        (root / "ray-gitops.yaml").write_text(settings.split("\nnodePools:")[0])
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "generator", "render", "--root", str(root)],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        trees.append({n: Path(p).read_bytes() for n, p in on_disk(root / "rendered").items()})
    assert trees[0] == trees[1] == trees[2]
    assert len(trees[0]) >= 8


def test_build_is_pure() -> None:
    first = build(open_repo(ROOT)).files
    assert build(open_repo(ROOT)).files == first


def test_a_run_in_several_processes_is_a_run_in_one(repo_copy: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs: the same findings, files and units (what the cache keeps), with or without
    errors (a share that finds one sends the run back to one process)."""
    from generator.pipeline import build as pipeline
    from generator.pipeline import parallel
    from generator.project.repo import open_repo

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    for broken in (False, True):
        if broken:
            spec = repo_copy / "specs" / "test-cluster.yaml"
            spec.write_text(spec.read_text().replace("replicas: 1\n", "replicaz: 1\n"))
        repo = open_repo(repo_copy)
        one = pipeline.build(repo, objects=False)
        two = pipeline.build(repo, objects=False, jobs=2)
        assert one.result.sorted() == two.result.sorted()
        assert one.files == two.files and (not broken or not two.files)
        assert {f: u.record() for f, u in one.units.items()} == \
            {f: u.record() for f, u in two.units.items()}
        assert broken or len(two.units) == len(one.units) > 5


def test_a_run_in_several_processes_leaves_a_cache_that_is_reused(
        repo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.pipeline import build as pipeline
    from generator.pipeline import parallel
    from generator.pipeline.cache import Cache
    from generator.project.repo import open_repo

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    repo = open_repo(repo_copy)
    cold = pipeline.build(repo, objects=False, jobs=2, cache=Cache.open(repo_copy))
    assert cold.result.ok and cold.reused == 0
    cold.remember()
    warm = pipeline.build(repo, objects=False, jobs=2, cache=Cache.open(repo_copy))
    assert warm.fresh == set() and warm.reused == len(warm.units) > 5
    assert warm.result.sorted() == cold.result.sorted()


def test_a_share_that_dies_sends_the_run_back_to_one_process(
        repo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked share that raises (or dies) is no verdict: the run is made in one process."""
    from generator.pipeline import build as pipeline
    from generator.pipeline import parallel
    from generator.project.repo import open_repo

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    calls: list[bool] = []

    def failing(repo: object, options: object) -> object:
        calls.append(True)
        raise RuntimeError("a share that dies")

    repo = open_repo(repo_copy)
    out = pipeline.build(repo, objects=False)
    assert parallel.in_parallel(pipeline.Build(repo), repo.spec_paths(),
                                pipeline.Options(keep_objects=False, jobs=2), failing) is False
    two = pipeline.build(repo, objects=False, jobs=2)
    assert two.result.sorted() == out.result.sorted() and two.files == out.files
    assert not calls  # the failing run ran in the forked processes only


@pytest.mark.parametrize("name", ["a.yaml", "...yaml", ".hidden.yaml", "x.y.yaml", "noext", "a."])
def test_a_spec_indexed_from_the_cache_names_its_folder_as_a_read_one_does(name: str) -> None:
    from generator.models.parse import Indexed

    indexed = Indexed(f"/repo/specs/{name}", name, [0, "RayCluster", None, "x", None, None],
                      lambda *_: [])
    assert indexed.app == Path(name).stem and indexed.path == Path(f"/repo/specs/{name}")
