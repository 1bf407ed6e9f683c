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
)
from generator.load import plain
from generator.render.labels import CLUSTER_LABEL, RESTART_ANNOTATION, TEMPLATE_ANNOTATION

# what ray-gitops itself puts on rendered objects: not carried back into specs
OWN_LABELS = ("app.kubernetes.io/", CLUSTER_LABEL)
OWN_ANNOTATIONS = (TEMPLATE_ANNOTATION, RESTART_ANNOTATION, "argocd.argoproj.io/sync-wave",
                   FT_ENABLED, EXTERNAL_STORAGE_NAMESPACE, GCS_FT_DELETION_TIMEOUT)
CONTAINER_KEYS = {"name", "image", "imagePullPolicy", "env", "ports", "resources", "volumeMounts"}
POD_KEYS = {"containers", "volumes", "serviceAccountName", "nodeSelector", "tolerations"}
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

    def drop(self, note: str) -> None:
        self.notes.append(note)
        self.dropped.append(note)

    def template_for(self, resources: dict[str, Any], hint: str, where: str) -> str:
        """The compute template with these resources, made once and shared."""
        limits = resources.get("limits") or {}
        requests = resources.get("requests") or {}
        if limits and requests and limits != requests:
            self.notes.append(f"{where}: requests differ from limits; the compute template "
                              "uses the limits (ray-gitops sets requests equal to limits)")
        amounts = {**requests, **limits}
        for name, default in (("cpu", "1"), ("memory", "1Gi")):
            if name not in amounts:  # the pod had no limit: a template always has one
                self.drop(f"{where}: no {name} request or limit; the compute template asks "
                          f"{default}: set the one the pod needs")
        spec: dict[str, Any] = {"cpu": quantity(amounts.pop("cpu", "1")),
                                "memory": quantity(amounts.pop("memory", "1Gi"))}
        gpus = {k: v for k, v in amounts.items() if k.endswith("/gpu")}
        for name, count in gpus.items():
            spec["gpu"] = int(float(str(count)))
            if name != "nvidia.com/gpu":
                spec["gpuAccelerator"] = name
            amounts.pop(name)
        if amounts:
            spec["extendedResources"] = {k: quantity(v) for k, v in sorted(amounts.items())}
        return self.add_template(spec, hint)

    def add_template(self, spec: dict[str, Any], hint: str) -> str:
        for name, existing in self.templates.items():
            if existing == spec:
                return name
        name = dns_name(hint)
        while name in self.templates:
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


def document(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": SPEC_API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def dns_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name) or "imported"
    return name[:63].rstrip("-")


def quantity(value: Any) -> Any:
    return value if isinstance(value, int | float) else str(value)


def metadata(meta: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": meta.get("name", "imported")}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if not k.startswith(OWN_LABELS)}
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
