"""The podTemplate patch merges as kustomize merges a strategic merge patch: the same
patches, on the same pod, through the real `kubectl kustomize` and through render/patch."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.render.patch import PatchError, merge

POD: dict[str, Any] = {
    "metadata": {"labels": {"team": "ml"}, "annotations": {"a": "1"}},
    "spec": {
        "containers": [
            {"name": "ray-head", "image": "rayproject/ray:2.52.0",
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
             "ports": [{"containerPort": 6379, "name": "gcs-server"}],
             "volumeMounts": [{"name": "logs", "mountPath": "/tmp/ray"}]},
            {"name": "fluentbit", "image": "fluent/fluent-bit:3.1"},
        ],
        "volumes": [{"name": "logs", "emptyDir": {}}, {"name": "old", "emptyDir": {}}],
        "tolerations": [{"key": "a", "operator": "Exists"}],
        "nodeSelector": {"pool": "cpu", "zone": "a"},
    },
}
PATCHES = [
    {"spec": {"terminationGracePeriodSeconds": 90,
              "containers": [{"name": "ray-head", "workingDir": "/w",
                              "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
                              "ports": [{"containerPort": 8265, "name": "dashboard"}]}]}},
    {"spec": {"containers": [{"name": "fluentbit", "$patch": "delete"}],
              "volumes": [{"name": "old", "$patch": "delete"}, {"name": "data",
                                                                "emptyDir": {"medium": "Memory"}}],
              "tolerations": [{"key": "b", "operator": "Exists"}],
              "nodeSelector": {"zone": None}}},
    {"metadata": {"labels": {"team": None, "tier": "gold"}},
     "spec": {"containers": [{"name": "sidecar", "image": "busybox:1.36"}]}},
    {"spec": {"nodeSelector": {"$patch": "replace", "only": "this"}}},
]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize v5) is not on "
                    "this machine")
@pytest.mark.parametrize("patch", PATCHES, ids=range(len(PATCHES)))
def test_patches_merge_as_kustomize_merges_them(patch: dict[str, Any], tmp_path: Path) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", **POD["metadata"]},
           "spec": POD["spec"]}
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump(pod))
    target = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
    meta = patch.get("metadata", {})
    (tmp_path / "patch.yaml").write_text(yaml.safe_dump(
        {**target, "metadata": {"name": "p", **meta}, **{k: v for k, v in patch.items()
                                                          if k != "metadata"}}))
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [pod.yaml]\npatches:\n- path: patch.yaml\n")
    built = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True,
                           text=True, check=True)
    theirs = yaml.safe_load(built.stdout)
    ours = merge(POD, patch)
    assert ours["spec"] == theirs["spec"]
    assert ours["metadata"] == {k: v for k, v in theirs["metadata"].items() if k != "name"}


def test_a_list_item_without_its_merge_key_is_refused() -> None:
    with pytest.raises(PatchError, match=r"containers\[0\]: an item of this list needs its name"):
        merge(POD, {"spec": {"containers": [{"image": "x"}]}})
