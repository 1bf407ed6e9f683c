"""PersistentVolume: state that outlives a cluster, and the claim bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from generator.models.base import Metadata, Name, Quantity, Ref, Strict, StringMap, exactly_one

AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]


class CsiSource(Strict):
    driver: str = Field(min_length=1)
    volume_handle: str = Field(min_length=1)
    fs_type: str | None = None
    read_only: bool | None = None
    volume_attributes: StringMap = {}


class NfsSource(Strict):
    server: str = Field(min_length=1)
    path: str = Field(pattern=r"^/")
    read_only: bool | None = None


class HostPathVolumeSource(Strict):
    path: str = Field(pattern=r"^/")
    type: Literal["Directory", "DirectoryOrCreate"] = "DirectoryOrCreate"


class Claim(Strict):
    """The PersistentVolumeClaim bound to the volume (by volumeName), in the app's namespace."""

    enabled: bool = True
    name: Name | None = None  # default: the volume's name
    size: Quantity | None = None  # default: the volume's size


class PersistentVolumeSpec(Strict):
    size: Quantity
    storage_class_name: str = Field(min_length=1)
    access_modes: list[AccessMode] = Field(default=["ReadWriteOnce"], min_length=1)
    # Retain: the disk must outlive the Kubernetes cluster
    reclaim_policy: Literal["Retain", "Delete"] = "Retain"
    volume_mode: Literal["Filesystem", "Block"] = "Filesystem"
    mount_options: list[str] = []
    csi: CsiSource | None = None
    nfs: NfsSource | None = None
    host_path: HostPathVolumeSource | None = None
    claim: Claim = Claim.model_construct()  # no validator built at import

    @model_validator(mode="after")
    def _one_source(self) -> PersistentVolumeSpec:
        exactly_one(self, ("csi", "nfs", "host_path"), "volume source")
        return self


class PersistentVolume(Strict):
    api_version: Literal["ray-gitops/v1alpha1"]
    kind: Literal["PersistentVolume"]
    metadata: Metadata
    spec: PersistentVolumeSpec

    @property
    def claim_name(self) -> str | None:
        claim = self.spec.claim
        return (claim.name or self.metadata.name) if claim.enabled else None

    def references(self) -> Iterator[Ref]:
        return iter(())

MODELS = (PersistentVolume,)
