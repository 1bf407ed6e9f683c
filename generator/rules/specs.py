"""Rules on the specs themselves: what only the spec knows (fault-tolerance wiring,
volumes and their claims, Redis), checked after references resolve, before rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.diagnostics import Diagnostic, Finding
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import CLUSTER_SPEC_KINDS, COMPUTE_TEMPLATE, RAY_SERVICE, REDIS_SPEC, VOLUME_SPEC
from generator.kuberay.vocabulary import RAY_REDIS_ADDRESS, REDIS_PASSWORD, image_tag, parse_version
from generator.kuberay.vocabulary import quantity_value as quantity
from generator.load.secrets import literal_secrets
from generator.models.parse import Spec
from generator.models.references import SpecIndex
from generator.rules.registry import spec_rule
from generator.rules.serve import check_serve_config

# In-cluster Redis addresses stay namespace-relative, so that an overlay's
# namespace keeps them working: no "redis.default" or ".svc.cluster.local".
_NAMESPACED = re.compile(r"^(redis://)?[a-z0-9-]+\.([a-z0-9-]+)(\.svc(\.[a-z0-9.-]+)?)?(:\d+)?$")

# CSI drivers of block devices: one node at a time (they may serve ReadOnlyMany).
_BLOCK_DRIVERS = {
    "pd.csi.storage.gke.io", "ebs.csi.aws.com", "disk.csi.azure.com",
    "cinder.csi.openstack.org", "csi.vsphere.vmware.com", "dobs.csi.digitalocean.com",
}
_MANY_WRITERS = {"ReadWriteMany"}


@spec_rule(*CLUSTER_SPEC_KINDS)
def fault_tolerance(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    for base, body in spec.model.clusters():
        ft = body.fault_tolerance
        if ft is None:
            continue
        at: FieldPath = (*base, "faultTolerance")
        if ft.external and _NAMESPACED.match(ft.external.address):
            yield Finding((*at, "external", "address"), "RG040",
                          f"{ft.external.address!r} names a namespace: use the Service name "
                          "alone (for example redis:6379), so an overlay's namespace applies")
        head = (*base, "head")
        for name in (RAY_REDIS_ADDRESS, REDIS_PASSWORD):
            if name in body.head.env:
                yield Finding((*head, "env", name), "RG027",
                              f"{name} is set by faultTolerance; remove it here")
        if "redis-password" in body.head.ray_start_params:
            yield Finding((*head, "rayStartParams", "redis-password"), "RG027",
                          "the Redis password is set by faultTolerance; remove it here")


@spec_rule(*CLUSTER_SPEC_KINDS)
def volume_claims(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    for base, body in spec.model.clusters():
        for group_at, group in body.groups():
            for i, volume in enumerate(group.volumes):
                if not volume.persistent_volume:
                    continue
                found = index.get(VOLUME_SPEC, volume.persistent_volume, spec.namespace)
                if found is not None and found.model.claim_name is None:
                    yield Finding((*base, *group_at, "volumes", i, "persistentVolume"), "RG046",
                                  f"PersistentVolume {found.name!r} has no claim to mount "
                                  "(claim.enabled is false)")


@spec_rule(VOLUME_SPEC)
def persistent_volume(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    body = spec.model.spec
    claim = body.claim
    if claim.enabled and claim.size and quantity(claim.size) > quantity(body.size):
        yield Finding(("spec", "claim", "size"), "RG041",
                      f"the claim ({claim.size}) is larger than its volume ({body.size})")
    modes = set(body.access_modes)
    problem = None
    if body.host_path and modes - {"ReadWriteOnce", "ReadWriteOncePod"}:
        problem = "a hostPath volume lives on one node: ReadWriteOnce only"
    elif body.csi and body.csi.driver in _BLOCK_DRIVERS and modes & _MANY_WRITERS:
        problem = f"{body.csi.driver} attaches a disk to one node at a time: not ReadWriteMany"
    if problem:
        yield Finding(("spec", "accessModes"), "RG042", problem)
    if body.reclaim_policy == "Delete":
        yield Finding(("spec", "reclaimPolicy"), "RG102",
                      "Delete destroys the disk with its claim: state does not survive "
                      "(use Retain)", severity="warning")


@spec_rule(REDIS_SPEC)
def redis(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    persistence = spec.model.spec.persistence
    if persistence is None or not persistence.enabled:
        yield Finding(("spec", "persistence") if persistence else ("spec",), "RG101",
                      "Redis without persistence loses the GCS state when its pod restarts",
                      severity="warning")
        return
    if persistence.persistent_volume:
        found = index.get(VOLUME_SPEC, persistence.persistent_volume, spec.namespace)
        if found is not None and found.model.claim_name is None:
            yield Finding(("spec", "persistence", "persistentVolume"), "RG046",
                          f"PersistentVolume {found.name!r} has no claim (claim.enabled is false)")


@spec_rule(RAY_SERVICE)
def serve_config(spec: Spec, index: SpecIndex) -> Iterator[Finding | Diagnostic]:
    """The Serve config, at its lines: in the spec, or in its own file."""
    body = spec.model.spec
    ray = parse_version(body.cluster.ray_version) or parse_version(image_tag(
        body.cluster.image or body.cluster.head.image or "")) or parse_version(index.ray_version)
    if body.serve_config is not None:
        for finding in check_serve_config(body.serve_config, ray):
            yield Finding(("spec", "serveConfig", *finding.path), finding.code, finding.message,
                          severity=finding.severity, hint=finding.hint, key=finding.key)
        return
    doc = index.serve_config(spec, body.serve_config_file)
    yield from (doc.report(finding) for finding in check_serve_config(doc.data, ray))
    yield from literal_secrets(doc)  # user_config and env_vars reach serveConfigV2 verbatim


@spec_rule(*CLUSTER_SPEC_KINDS)
def accelerators_exist(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    """A group that tells Ray it has GPUs (or TPUs) must get them from its compute template:
    otherwise Ray schedules GPU work on a pod without a GPU, and it fails there."""
    for base, body in spec.model.clusters():
        for group_at, group in body.groups():
            found = index.get(COMPUTE_TEMPLATE, group.compute_template, spec.namespace)
            if found is None:
                continue
            template = found.model.spec
            at = (*base, *group_at)
            asked = [((*at, "rayStartParams", "num-gpus"), group.ray_start_params.get("num-gpus")),
                     ((*at, "rayResources", "GPU"), group.ray_resources.get("GPU"))]
            for path, amount in asked:
                if _positive(amount) and not template.gpu:
                    yield Finding(path, "RG043", f"asks Ray for {amount} GPU(s), but compute "
                                  f"template {found.name!r} has none: Ray advertises GPUs the "
                                  "pod cannot use, and GPU work placed there fails; give it gpu "
                                  "(and gpuAccelerator)", severity="warning")
            tpu = group.ray_resources.get("TPU")
            if _positive(tpu) and "google.com/tpu" not in template.extended_resources:
                yield Finding((*at, "rayResources", "TPU"), "RG043",
                              f"asks Ray for {tpu} TPU(s), but compute template {found.name!r} has "
                              "no google.com/tpu in extendedResources: TPU work placed there fails",
                              severity="warning")


def _positive(amount: str | None) -> bool:
    try:
        return amount is not None and float(amount) > 0
    except ValueError:
        return False
