"""Import on material nobody here wrote: every KubeRay sample of each release, and real
manifests from public repositories (tests/corpus/real, sources in its SOURCES.md).

Each import either exits 0, and then its specs, rendered in a repository of their own,
give back every object of the input (checked here again, apart from the command), or
exits 1 and names why. None crashes.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from generator.importer.faithful import differences
from generator.kuberay.kinds import API_VERSIONS, KINDS
from generator.kuberay.releases import RELEASES
from generator.pipeline.build import build
from generator.project.repo import open_repo
from generator.schemas.outputs import OutputSchemas
from tests.helpers import ROOT, SHARED, write_repo

Cli = Callable[..., Result]
SAMPLES = SHARED / "kuberay" / "releases"
CORPUS = ROOT / "tests" / "corpus" / "real"
NAMED = ("differs: ", " error ", "error RG", "ray-gitops: ")


def _config(version: str) -> str:
    gates = "".join(f"  {gate}: true\n" for gate in RELEASES[version].gates)
    return (f'kuberayVersion: "{version}"\nrayVersion: "2.52.0"\n'
            + (f"featureGates:\n{gates}" if gates else ""))


def _round_trip(cli: Cli, manifest: Path, root: Path, version: str) -> Result:
    """Import ``manifest`` into a repository at ``version``; on exit 0, render the specs in
    a repository of their own and compare each input object with its rendering."""
    repo = write_repo(root, {}, templates=False, config=_config(version))
    out = repo / "specs" / "imported.yaml"
    result = cli("import", manifest, "-o", out)
    assert result.exit_code in (0, 1), result.output  # 2 and 3: no usage error, no crash
    if result.exit_code == 1:
        assert any(mark in result.stderr for mark in NAMED), result.stderr
        return result
    built = build(open_repo(repo))
    assert built.result.ok, [d.text() for d in built.result.diagnostics]
    rendered = {(o.obj["kind"], o.obj["metadata"]["name"]): o.obj for o in built.objects}
    schemas = OutputSchemas("1.33", version)
    for doc in yaml.safe_load_all(manifest.read_text()):
        if isinstance(doc, dict) and doc.get("kind") in KINDS \
                and doc.get("apiVersion") in API_VERSIONS:
            name = doc["metadata"].get("name")
            assert differences(doc, rendered[(doc["kind"], name)], schemas) == [], name
    return result


def _samples(version: str) -> list[Path]:
    return sorted((SAMPLES / RELEASES[version].tag / "samples").glob("*.yaml"))


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="KubeRay's samples are in ../shared "
                    "(kuberay/releases/<tag>/samples), which is not beside this clone")
@pytest.mark.parametrize("version", list(RELEASES))
def test_every_sample_of_each_release_round_trips(cli: Cli, version: str,
                                                  tmp_path: Path) -> None:
    samples = _samples(version)
    assert len(samples) > 50
    faithful = 0
    for i, sample in enumerate(samples):
        result = _round_trip(cli, sample, tmp_path / str(i), version)
        faithful += result.exit_code == 0
    # the rest: generateName, an entrypointResources JSON written otherwise, ... each named
    assert faithful >= 0.9 * len(samples), f"{faithful} of {len(samples)}"


def test_real_manifests_round_trip(cli: Cli, tmp_path: Path) -> None:
    """Of the real manifests the API server and the operator accept, at least 85% render
    back the same; the others name each difference. Those they refuse are refused here
    too, each error at its line (an operator rule, a placeholder left in, ...)."""
    manifests = sorted(CORPUS.glob("*.yaml"))
    listed = (CORPUS / "SOURCES.md").read_text()
    assert len(manifests) >= 40 and all(m.name in listed for m in manifests)
    refused = faithful = 0
    for i, manifest in enumerate(manifests):
        result = _round_trip(cli, manifest, tmp_path / str(i), "1.7")
        if "nothing imported" in result.stderr:
            assert re.search(r"\.yaml:\d+:\d+: error RG\d+", result.stderr), result.stderr
            refused += 1
        faithful += result.exit_code == 0
    accepted = len(manifests) - refused
    assert faithful >= 0.85 * accepted, f"{faithful} of {accepted}"


def test_placeholders_are_named_with_their_lines(cli: Cli, tmp_path: Path) -> None:
    """A manifest with ${VAR} holes: refused at the schema's lines, each hole named."""
    result = cli("import", CORPUS / "awslabs-rayjob.yaml")
    assert result.exit_code == 1
    assert "replicas: \"$INITIAL_WORKERS\" is not of type \"integer\"" in result.stderr
    assert "is a placeholder ($INITIAL_WORKERS)" in result.stderr


VALUES: list[Any] = [None, 0, -1, 2**40, "", "x", [], {}, [1], {"a": 1}, True, 1.5, "1Gi", "$X"]


def _mutated(doc: Any, rng: random.Random) -> Any:
    """``doc`` with one to three values replaced by values of other shapes, or removed."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, at: tuple[Any, ...]) -> None:
        paths.append(at)
        children = node.items() if isinstance(node, dict) else (
            enumerate(node) if isinstance(node, list) else ())
        for key, value in children:
            walk(value, (*at, key))

    walk(doc, ())
    for _ in range(rng.randint(1, 3)):
        at = rng.choice(paths[1:])
        parent = doc
        try:
            for part in at[:-1]:
                parent = parent[part]
            if rng.random() < 0.3 and isinstance(parent, dict):
                parent.pop(at[-1], None)
            else:
                parent[at[-1]] = copy.deepcopy(rng.choice(VALUES))
        except (KeyError, IndexError, TypeError):
            continue
    return doc


def test_malformed_manifests_never_crash_import(cli: Cli, tmp_path: Path) -> None:
    """Real manifests with values of the wrong shape, or missing: import refuses them at
    their lines or imports them faithfully, and never crashes (exit 0 or 1, never 2 or 3)."""
    rng = random.Random(20)
    manifests = sorted(CORPUS.glob("*.yaml"))
    for i in range(120):
        source = rng.choice(manifests)
        docs = [d for d in yaml.safe_load_all(source.read_text()) if isinstance(d, dict)]
        docs = [_mutated(d, rng) if str(d.get("apiVersion", "")).startswith("ray.io") else d
                for d in docs]
        path = tmp_path / f"m{i}.yaml"
        path.write_text(yaml.safe_dump_all(docs))
        result = cli("import", path)
        assert result.exit_code in (0, 1), (source.name, result.output[-800:])
