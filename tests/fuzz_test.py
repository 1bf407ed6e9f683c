"""Mutated specs never crash ray-gitops: every outcome is a rendered tree or diagnostics."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from generator.errors import InvalidInput
from generator.pipeline.build import build
from generator.project.repo import open_repo
from tests.helpers import ROOT

TOKENS = ["", "-1", "0", "1e400", "null", "[]", "{}", "'x'", "~", "true", "a: b", "- x",
          "2Gi", "!!binary AA==", "&a x", "*a", "\t", "{{", "'''", "? x", "9" * 30]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    choice = rng.randrange(5)
    if choice == 0:  # drop a line
        del lines[i]
    elif choice == 1:  # duplicate a line
        lines.insert(i, lines[i])
    elif choice == 2 and ":" in lines[i]:  # replace a value
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {rng.choice(TOKENS)}"
    elif choice == 3:  # shift indentation
        lines[i] = rng.choice(["", " ", "   ", "\t"]) + lines[i]
    else:  # cut a line in two
        cut = rng.randrange(len(lines[i]) + 1)
        lines[i:i + 1] = [lines[i][:cut], lines[i][cut:]]
    return "\n".join(lines) + "\n"


SPECS = sorted(p.name for p in (ROOT / "specs").glob("*.yaml") if p.name != "compute-templates.yaml")


@pytest.mark.parametrize("name", SPECS)
def test_mutated_specs_get_diagnostics_not_crashes(name: str, tmp_path: Path) -> None:
    rng = random.Random(name)  # deterministic per file
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "specs", root / "specs")
    (root / "ray-gitops.yaml").write_text('rayVersion: "2.52.0"\n')
    original = (root / "specs" / name).read_text()
    for _ in range(40):
        (root / "specs" / name).write_text(mutate(original, rng))
        try:
            result = build(open_repo(root))
        except InvalidInput:
            continue  # a referenced spec of another file reported as such: fine
        for diagnostic in result.result.diagnostics:
            assert diagnostic.line >= 1 and diagnostic.col >= 1 and diagnostic.code.startswith("RG")


JUNK: list[object] = [None, "", "x", -1, 0, 2**40, 1.5, True, [], {}, [1, "a"], {"a": {"b": []}}]


def scramble(node: object, rng: random.Random) -> object:
    """A copy of ``node`` with some values swapped for junk of any type."""
    if isinstance(node, dict):
        return {k: (rng.choice(JUNK) if rng.random() < 0.08 else scramble(v, rng))
                for k, v in node.items()}
    if isinstance(node, list):
        return [rng.choice(JUNK) if rng.random() < 0.08 else scramble(v, rng) for v in node]
    return node


MANIFESTS = sorted((ROOT / "rendered").glob("*/ray*.yaml"))


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.stem)
def test_scrambled_manifests_get_findings_not_crashes(path: Path) -> None:
    import yaml

    from generator.kuberay.releases import Target
    from generator.rules import check_object
    from generator.schemas.outputs import OutputSchemas

    schemas = OutputSchemas("1.33", "1.7")
    target = Target.of()
    original = yaml.safe_load(path.read_text())
    rng = random.Random(path.name)
    for _ in range(60):
        obj = scramble(original, rng)
        assert isinstance(obj, dict)
        for finding in [*check_object(obj, target), *schemas.validate(obj, prepare=True)]:
            assert finding.code.startswith("RG")


def test_scrambled_serve_configs_get_findings_not_crashes() -> None:
    import yaml

    from generator.rules.serve import check_serve_config

    path = ROOT / "rendered" / "fruit-stand" / "rayservice-rayservice-sample.yaml"
    config = yaml.safe_load(yaml.safe_load(path.read_text())["spec"]["serveConfigV2"])
    rng = random.Random("serve")
    for _ in range(300):
        for finding in check_serve_config(scramble(config, rng)):
            assert finding.code.startswith("RG")


@pytest.mark.parametrize("name", SPECS + ["compute-templates.yaml"])
def test_scrambled_spec_data_gets_diagnostics_not_crashes(name: str) -> None:
    from dataclasses import replace

    from generator.load.documents import load_file
    from generator.models.parse import Spec, parse_document

    path = ROOT / "specs" / name
    rng = random.Random("data-" + name)
    for doc in load_file(path, f"specs/{name}"):
        for _ in range(60):
            parsed = parse_document(replace(doc, data=scramble(doc.data, rng)), path)
            if not isinstance(parsed, Spec):
                assert all(d.code.startswith("RG") and d.line >= 1 for d in parsed)
