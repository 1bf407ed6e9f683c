"""What the importers share: the specs they build, and the helpers they build them with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.errors import Unsupported
from generator.kuberay.kinds import COMPUTE_TEMPLATE, SPEC_API_VERSION
from generator.kuberay.vocabulary import (
    EXTERNAL_STORAGE_NAMESPACE,
    FT_ENABLED,
    GCS_FT_DELETION_TIMEOUT,
    image_tag,
    parse_version,
    quantity_value,
)
from generator.load import plain
from generator.models.compute import ComputeTemplateSpec
from generator.render.labels import RESTART_ANNOTATION, TEMPLATE_ANNOTATION

# what ray-gitops itself puts on rendered objects: not carried back into specs
OWN_LABELS = ("ray-gitops.io/",)
OWN_ANNOTATIONS = (TEMPLATE_ANNOTATION, RESTART_ANNOTATION, "argocd.argoproj.io/sync-wave",
                   FT_ENABLED, EXTERNAL_STORAGE_NAMESPACE, GCS_FT_DELETION_TIMEOUT)
VOLUME_TYPES = {0: "PERSISTENT_VOLUME_CLAIM", 1: "HOST_PATH", 2: "EPHEMERAL", 3: "CONFIGMAP",
                4: "SECRET", 5: "EMPTY_DIR"}
ACCESS_MODES = {"RWO": "ReadWriteOnce", "ROX": "ReadOnlyMany", "RWX": "ReadWriteMany",
                0: "ReadWriteOnce", 1: "ReadOnlyMany", 2: "ReadWriteMany"}



@dataclass
class Imported:
    specs: list[dict[str, Any]] = field(default_factory=list)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> spec
    notes: list[str] = field(default_factory=list)
    # what the spec cannot say: the spec would behave differently from the input
    dropped: list[str] = field(default_factory=list)
    # the compute templates of the repository imported into: reused, not written again
    existing: dict[str, Any] = field(default_factory=dict)  # name -> ComputeTemplateSpec

    def drop(self, note: str) -> None:
        self.notes.append(note)
        self.dropped.append(note)

    def template_for(self, resources: dict[str, Any], hint: str, where: str) -> str:
        """The compute template with these resources, made once and shared (with the
        repository's own when one has them)."""
        spec = template_spec(resources if isinstance(resources, dict) else {})
        if spec is None:
            self.drop(f"{where}: resources the compute template cannot say "
                      f"({resources}): set them in podTemplate")
            spec = {}
        return self.add_template(spec, hint)

    def add_template(self, spec: dict[str, Any], hint: str) -> str:
        model = _template_model(spec)
        for name, existing in self.existing.items():
            if model is not None and existing == model:
                return name
        for name, known in self.templates.items():
            if known == spec:
                return name
        name = dns_name(hint)
        while name in self.templates or name in self.existing:
            name = dns_name(name + "-x")
        self.templates[name] = spec
        return name

    def lift_image(self, body: dict[str, Any]) -> None:
        """One image on every group becomes the cluster's image."""
        groups = [body.get("head", {}), *body.get("workerGroups", [])]
        images = {g.get("image") for g in groups}
        if len(images) == 1 and None not in images:
            body["image"] = images.pop()
            for group in groups:
                group.pop("image")

    def documents(self) -> list[dict[str, Any]]:
        templates = [document(COMPUTE_TEMPLATE, {"name": name}, spec)
                     for name, spec in self.templates.items()]
        return [*templates, *self.specs]


LIMITABLE = {"cpu": "cpu", "memory": "memory", "ephemeral-storage": "ephemeralStorage"}


def template_spec(resources: dict[str, Any]) -> dict[str, Any] | None:
    """A container's resources as a compute template's fields, or None when a template
    cannot say them (two kinds of GPU, an extended resource requested below its limit)."""
    limits = resources.get("limits") or {}
    requests = resources.get("requests") or {}
    if not isinstance(limits, dict) or not isinstance(requests, dict) or set(resources) - {
            "limits", "requests"}:
        return None
    spec: dict[str, Any] = {}
    lowered: dict[str, Any] = {}
    unlimited: list[str] = []
    for name in [*limits, *(n for n in requests if n not in limits)]:
        name = str(name)
        amount = limits.get(name, requests.get(name))
        if "/" in name and _same(amount, 0):
            continue  # no device at all: what a template without it renders
        if name in requests and name in limits and not _same(requests[name], limits[name]):
            if name not in LIMITABLE:
                return None
            lowered[LIMITABLE[name]] = _amount(name, requests[name])
        if name not in limits:
            if name not in LIMITABLE:
                return None
            unlimited.append(LIMITABLE[name])
        if not _place(spec, name, amount):
            return None
    if lowered:
        spec["requests"] = lowered
    if unlimited:
        spec["unlimited"] = unlimited
    return spec


def _place(spec: dict[str, Any], name: str, amount: Any) -> bool:
    if name in LIMITABLE:
        spec[LIMITABLE[name]] = _amount(name, amount)
    elif name.startswith("hugepages-"):
        spec.setdefault("hugePages", {})[name.removeprefix("hugepages-")] = quantity(amount)
    elif name.endswith("/gpu"):
        count = str(amount)
        if "gpu" in spec or not count.isdigit():
            return False
        spec["gpu"] = int(count)
        if name != "nvidia.com/gpu":
            spec["gpuAccelerator"] = name
    else:
        spec.setdefault("extendedResources", {})[name] = quantity(amount)
    return True


_BINARY = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))


def _amount(name: str, amount: Any) -> Any:
    """A quantity as a template writes it: memory as a bare number would mean GiB there,
    so a number of bytes gets its unit."""
    if name != "memory" or isinstance(amount, str) and not amount.strip().isdigit():
        return quantity(amount)
    value = int(amount) if isinstance(amount, int) or str(amount).strip().isdigit() else None
    if value is None:
        return quantity(amount)
    for suffix, size in _BINARY:
        if value and value % size == 0:
            return f"{value // size}{suffix}"
    return f"{value}e0"


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(quantity_value(str(a)) == quantity_value(str(b)))
    except ValueError:
        return str(a) == str(b)


def _template_model(spec: dict[str, Any]) -> Any:
    try:
        return ComputeTemplateSpec.model_validate(spec)
    except ValueError:
        return None


def document(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": SPEC_API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def dns_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name) or "imported"
    return name[:63].rstrip("-")


def quantity(value: Any) -> Any:
    return value if isinstance(value, int | float) else str(value)


def metadata(meta: dict[str, Any]) -> dict[str, Any]:
    name = meta.get("name") or str(meta.get("generateName") or "").rstrip("-.") or "imported"
    out: dict[str, Any] = {"name": name}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    labels = {k: v for k, v in (meta.get("labels") or {}).items()
              if not str(k).startswith(OWN_LABELS)}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items()
                   if k not in OWN_ANNOTATIONS}
    if labels:
        out["labels"] = labels
    if annotations:
        out["annotations"] = annotations
    return out


def version_from_image(body: dict[str, Any]) -> None:
    """No rayVersion: the one the image's tag names (``rayproject/ray:2.46.0-py310``), so
    the spec renders the Ray the cluster runs, not ray-gitops's default."""
    if body.get("rayVersion"):
        return
    images = [body.get("image"), *(g.get("image") for g in
                                   [body.get("head", {}), *body.get("workerGroups", [])])]
    for image in filter(None, images):
        found = parse_version(image_tag(str(image)))
        if found:
            body["rayVersion"] = ".".join(str(part) for part in found)
            return


def embedded_yaml(text: str, where: str) -> Any:
    try:
        return plain.load(text)
    except plain.YAMLError as exc:
        raise Unsupported(f"{where}: an embedded YAML string does not parse: {exc}") from None


def legacy_fault_tolerance(head: dict[str, Any], out: Imported, where: str) -> dict[str, Any]:
    """The legacy wiring (annotation, RAY_REDIS_ADDRESS, redis-password) -> faultTolerance."""
    env = head.get("env") or {}
    address = str(env.pop("RAY_REDIS_ADDRESS", "redis:6379"))
    password = env.pop("REDIS_PASSWORD", None)
    (head.get("rayStartParams") or {}).pop("redis-password", None)
    if not env:
        head.pop("env", None)
    secret = password.get("secretKeyRef") if isinstance(password, dict) else None
    if not secret:
        secret = {"name": "redis-password-secret", "key": "password"}
        out.notes.append(f"{where}: no Secret for the Redis password; the spec names "
                         "redis-password-secret/password: create that Secret")
    host, _, port = address.rpartition(":")
    short = host.split(".")[0] if host.endswith(".svc.cluster.local") or ".svc" in host else host
    if short != host:
        out.notes.append(f"{where}: {address} names a namespace; the spec uses "
                         f"{short}:{port}, which an overlay's namespace keeps working")
    return {"external": {"address": f"{short}:{port}",
                         "passwordSecret": {"name": secret["name"], "key": secret["key"]}},
            "method": "legacy"}
