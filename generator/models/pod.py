"""What a Ray node's pod can hold, as a spec says it: the Ray container, its env, ports
and volumes, the pod's scheduling and security, sidecars and init containers, and a
``podTemplate`` patch for the rest.

The common parts are fields of their own. What Kubernetes defines in detail (probes,
securityContext, affinity, a sidecar container, a CSI volume) is written as the pod has
it and checked, at its line, against the pod schema of the CRD it is rendered into.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

from generator.models.base import (
    KeyRef,
    Labels,
    Name,
    Quantity,
    ScalarString,
    Selector,
    Strict,
    StringMap,
    Toleration,
    exactly_one,
)

Raw = dict[str, Any]  # a part of the pod as Kubernetes defines it


class ResourceFieldRef(Strict):
    resource: str
    container_name: str | None = None
    divisor: ScalarString | None = None


class EnvSource(Strict):
    """An env value from a Secret, a ConfigMap or the pod itself: never a literal secret."""

    secret_key_ref: KeyRef | None = None
    config_map_key_ref: KeyRef | None = None
    field_ref: str | None = None  # a fieldPath such as status.podIP
    resource_field_ref: ResourceFieldRef | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EnvSource:
        fields = ("secret_key_ref", "config_map_key_ref", "field_ref", "resource_field_ref")
        exactly_one(self, fields, "env source")
        return self


def _env_kind(value: Any) -> str:
    return "EnvSource" if isinstance(value, dict | EnvSource) else "Value"


# A literal value, or a reference; dispatched on shape so that a wrong value
# gets one error, not one per union member.
EnvValue = Annotated[
    Annotated[ScalarString, Tag("Value")] | Annotated[EnvSource, Tag("EnvSource")],
    Discriminator(_env_kind),
]


class ConfigMapSource(Strict):
    """An existing ConfigMap by name, or (with ``files``) one built from files in the
    repository, paths relative to the spec file: code shipped with the cluster."""

    name: Name
    items: StringMap = {}  # key -> path
    files: list[str] = []
    default_mode: int | None = Field(default=None, ge=0, le=0o777)


class SecretSource(Strict):
    name: Name
    items: StringMap = {}
    default_mode: int | None = Field(default=None, ge=0, le=0o777)


class HostPathSource(Strict):
    path: str = Field(pattern=r"^/")
    type: Literal["Directory", "File", "DirectoryOrCreate", "FileOrCreate"] = "Directory"


class EmptyDirSource(Strict):
    medium: Literal["", "Memory"] | None = None
    size_limit: Quantity | None = None


class EphemeralSource(Strict):
    size: Quantity
    storage_class_name: str | None = None
    access_mode: Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"] = (
        "ReadWriteOnce"
    )


VOLUME_SOURCES = (
    "persistent_volume_claim",
    "persistent_volume",
    "config_map",
    "secret",
    "host_path",
    "empty_dir",
    "ephemeral",
    "source",
)


def _one_key(value: Raw) -> Raw:
    if len(value) != 1:
        raise ValueError("a volume source is one key, as in the pod: csi, nfs, projected, ...")
    return value


class Volume(Strict):
    """A volume, and its mount in the Ray container when ``mountPath`` is given (a volume
    without one is for sidecars or init containers to mount)."""

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)
    mount_path: str | None = Field(default=None, pattern=r"^/")
    read_only: bool = False
    sub_path: str | None = None
    mount_propagation: Literal["None", "HostToContainer", "Bidirectional"] | None = None
    persistent_volume_claim: Name | None = None  # claim name
    persistent_volume: Name | None = None  # a PersistentVolume spec: its claim is mounted
    config_map: ConfigMapSource | None = None
    secret: SecretSource | None = None
    host_path: HostPathSource | None = None
    empty_dir: EmptyDirSource | None = None
    ephemeral: EphemeralSource | None = None
    # any other source, as the pod writes it: {csi: {...}}, {nfs: {...}}, {projected: ...}
    source: Annotated[Raw, AfterValidator(_one_key)] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Volume:
        exactly_one(self, VOLUME_SOURCES, "volume source")
        return self


class Port(Strict):
    name: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                             max_length=15)
    container_port: int = Field(ge=1, le=65535)
    protocol: Literal["TCP", "UDP", "SCTP"] | None = None
    host_port: int | None = Field(default=None, ge=1, le=65535)
    host_ip: str | None = Field(default=None, alias="hostIP")


def _unique_ports(ports: list[Port]) -> list[Port]:
    """A container's ports are a list map keyed by port and protocol, and their names are
    unique: the API server refuses a pod that repeats either."""
    names: set[str] = set()
    keys: set[tuple[int, str]] = set()
    for port in ports:
        key = (port.container_port, port.protocol or "TCP")
        if port.name is not None and port.name in names:
            raise ValueError(f"port name {port.name!r} is used twice")
        if key in keys:
            raise ValueError(f"port {key[0]}/{key[1]} is listed twice")
        if port.name is not None:
            names.add(port.name)
        keys.add(key)
    return ports


Ports = Annotated[list[Port], AfterValidator(_unique_ports)]


class PodFields(Strict):
    """The Ray container and its pod, beyond the compute template."""

    image: str | None = None
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] | None = None
    container_name: str | None = Field(default=None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                                       max_length=63)
    command: list[str] | None = None
    args: list[str] | None = None
    env: dict[str, EnvValue] = {}
    env_from: list[Raw] | None = None
    volumes: list[Volume] = []
    # the Ray container's ports exactly as written; unset: the head gets the operator's
    # default ports (its head Service exposes the same), a worker none
    ports: Ports | None = None
    liveness_probe: Raw | None = None
    readiness_probe: Raw | None = None
    startup_probe: Raw | None = None
    lifecycle: Raw | None = None
    security_context: Raw | None = None  # the Ray container's
    labels: Labels = {}  # pod labels
    annotations: StringMap = {}  # pod annotations
    service_account_name: str | None = None
    node_selector: Selector = {}
    tolerations: list[Toleration] = []
    affinity: Raw | None = None
    topology_spread_constraints: list[Raw] | None = None
    priority_class_name: str | None = None
    scheduler_name: str | None = None
    host_network: bool | None = None
    dns_policy: Literal["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] | None = None
    restart_policy: Literal["Always", "OnFailure", "Never"] | None = None
    image_pull_secrets: list[str] = []  # Secret names
    pod_security_context: Raw | None = None
    sidecars: list[Raw] = []  # containers after the Ray container
    init_containers: list[Raw] = []
    # the rest of the pod template, merged last as a strategic merge patch
    # (containers, volumes and env by name, as kubectl and kustomize merge them)
    pod_template: Raw | None = None


# each raw pod-level field: where it goes in the pod spec
POD_SPEC_FIELDS = ("affinity", "topology_spread_constraints", "priority_class_name",
                   "scheduler_name", "host_network", "dns_policy", "restart_policy",
                   "service_account_name")
CONTAINER_FIELDS = ("command", "args", "env_from", "liveness_probe", "readiness_probe",
                    "startup_probe", "lifecycle", "security_context")
