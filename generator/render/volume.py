"""PersistentVolume and the claim bound to it (state that survives the cluster)."""

from __future__ import annotations

from typing import Any

from generator.kuberay.kinds import VOLUME_SPEC
from generator.models.parse import Spec
from generator.models.volume import PersistentVolume
from generator.render.base import Context, Origins, Rendered, metadata
from generator.render.labels import object_labels
from generator.render.waves import STORAGE, wave


def render_persistent_volume(spec: Spec, ctx: Context) -> list[Rendered]:
    model: PersistentVolume = spec.model
    body = model.spec
    labels = object_labels(spec.app, spec.name, "storage", model.metadata.labels)
    annotations = wave(model.metadata.annotations, STORAGE)
    pv_spec: dict[str, Any] = {
        "capacity": {"storage": body.size},
        "accessModes": list(body.access_modes),
        "persistentVolumeReclaimPolicy": body.reclaim_policy,
        "storageClassName": body.storage_class_name,
        "volumeMode": body.volume_mode,
    }
    if body.mount_options:
        pv_spec["mountOptions"] = list(body.mount_options)
    source = body.csi or body.nfs or body.host_path
    assert source is not None
    key = "csi" if body.csi else "nfs" if body.nfs else "hostPath"
    pv_spec[key] = source.model_dump(by_alias=True, exclude_none=True, exclude_defaults=False)
    if body.csi and not body.csi.volume_attributes:
        pv_spec["csi"].pop("volumeAttributes")
    # A PersistentVolume is cluster-scoped: never a namespace, whatever the spec says.
    pv = {"apiVersion": "v1", "kind": "PersistentVolume",
          "metadata": metadata(spec.name, None, labels, annotations), "spec": pv_spec}
    origins = Origins()
    origins.add(("spec",), ("spec",), keep=False)
    out = [Rendered(pv, spec, origins)]
    claim_name = model.claim_name
    if claim_name:
        claim = {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": metadata(claim_name, spec.namespace, labels, annotations),
            "spec": {
                "accessModes": list(body.access_modes),
                "storageClassName": body.storage_class_name,
                "volumeMode": body.volume_mode,
                "volumeName": spec.name,  # bound to this volume, not to a provisioned one
                "resources": {"requests": {"storage": body.claim.size or body.size}},
            },
        }
        claim_origins = Origins()
        claim_origins.add(("spec",), ("spec", "claim"), keep=False)
        out.append(Rendered(claim, spec, claim_origins))
    return out

RENDERERS = {VOLUME_SPEC: render_persistent_volume}
