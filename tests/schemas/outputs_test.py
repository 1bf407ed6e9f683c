"""Schemas are data, pinned: the committed files are what their sources give today."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from generator.load.documents import load_file
from generator.models.jsonschema import dump, spec_schema
from tests.helpers import ROOT, SHARED


def test_spec_schema_is_current() -> None:
    committed = (ROOT / "schemas" / "ray-gitops.schema.json").read_text()
    assert committed == dump(spec_schema()), (
        "schemas/ray-gitops.schema.json is stale: ray-gitops schema > schemas/ray-gitops.schema.json"
    )


def test_spec_schema_accepts_the_examples_for_editors() -> None:
    schema = json.loads((ROOT / "schemas" / "ray-gitops.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        assert path.read_text().startswith(
            "# yaml-language-server: $schema=../schemas/ray-gitops.schema.json")
        for doc in load_file(path, path.name):
            assert list(validator.iter_errors(doc.data)) == [], path


def test_spec_schema_flags_a_misspelling_for_editors() -> None:
    validator = jsonschema.Draft7Validator(spec_schema())
    doc = {"apiVersion": "ray-gitops/v1alpha1", "kind": "ComputeTemplate",
           "metadata": {"name": "x"}, "spec": {"cpu": 1, "memroy": 2}}
    assert [e.message for e in validator.iter_errors(doc)]


@pytest.mark.skipif(not (SHARED / "kuberay" / "crds").is_dir(),
                    reason="the CRDs are not beside this clone (../shared or RAY_GITOPS_SHARED)")
def test_derived_crd_schemas_are_current() -> None:
    # the development script, as a developer runs it: --check exits 1 on a stale file
    done = subprocess.run([sys.executable, str(ROOT / "schemas" / "derive_crds.py"), "--check",
                           "--shared", str(SHARED)], capture_output=True, text=True)
    assert done.returncode == 0, f"{done.stdout}{done.stderr}run python schemas/derive_crds.py"
    # KubeRay 1.5 (3 kinds), 1.6 and 1.7 (4 kinds) in v1 and v1alpha1 (RayCronJob v1 only),
    # Argo CD (2), Flux (1), prometheus-operator (2); Ray Serve's config once a Ray release
    derived = [p for p in (ROOT / "schemas").glob("*/v*/*.json") if p.parts[-3] != "ray-serve"]
    assert len(derived) == 6 + 7 + 7 + 2 + 1 + 2


def test_derived_schema_is_strict_and_keeps_defaults() -> None:
    schema = json.loads((ROOT / "schemas" / "kuberay" / "v1.7" / "raycluster.json").read_text())
    group = schema["properties"]["spec"]["properties"]["workerGroupSpecs"]["items"]
    assert group["additionalProperties"] is False
    assert group["properties"]["maxReplicas"]["default"] == 2147483647
    assert group["properties"]["maxReplicas"]["maximum"] == 2147483647
    assert "description" not in json.dumps(schema)


def test_serve_schemas_are_derived_once_per_change_of_ray() -> None:
    from generator.rules.serve import SERVE_RAY_VERSION, releases
    from generator.rules.versions import derived_for

    found = releases()
    assert derived_for(tuple(int(x) for x in SERVE_RAY_VERSION.split(".")), found) in found
    previous = None
    for release in found:
        path = ROOT / "schemas" / "ray-serve" / f"v{release}" / "serve-config.json"
        schema = json.loads(path.read_text())
        assert schema["x-ray-version"].startswith(release + ".")
        assert schema["x-unknown-keys"] in ("ignored", "refused")
        jsonschema.Draft7Validator.check_schema(schema)
        definitions = schema["definitions"]
        for name in ("ServeApplicationSchema", "DeploymentSchema", "RayActorOptionsSchema"):
            assert definitions[name]["additionalProperties"] is False, name
        assert schema["required"] == ["applications"]
        # regenerating needs ray[serve] (python schemas/derive_serve.py); its output is pinned
        assert path.read_text() == json.dumps(schema, indent=1, sort_keys=True) + "\n"
        schema.pop("x-ray-version")
        assert schema != previous, f"{release} says what the release before it says"
        previous = schema


def test_every_spec_field_has_a_description_for_editors() -> None:
    schema = spec_schema()
    missing = [f"{name}.{field}" for name, definition in schema["definitions"].items()
               for field, prop in definition.get("properties", {}).items()
               if not prop.get("description")]
    assert missing == []


def test_the_wheel_ships_every_schema_folder_the_code_reads() -> None:
    from generator.schemas.outputs import CUSTOM

    pyproject = (ROOT / "pyproject.toml").read_text()
    for folder in {value.split("/")[0] for value in CUSTOM.values()} | {"ray-serve"}:
        assert f'"schemas/{folder}" = "generator/_schemas/{folder}"' in pyproject, folder
