"""The operator releases ray-gitops targets, in one table: each release's tag, its feature
gates and their defaults, what its upgrade hash leaves out, and the Ray its samples run.
``Target`` is a release with its gates resolved: what every release-dependent rule reads.

Adding a release: one entry in ``RELEASES`` (its gates from ``pkg/features/features.go``),
the schemas derived from its CRDs (``schemas/derive_crds.py`` reads this table), and the
rules that start there, each guarded by ``target.since("1.x")``. The settings, the
scaffold, the command line and the schema script take the newest release from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.kuberay.kinds import KINDS


def version_key(version: str) -> tuple[int, int]:
    """``"1.6"`` -> (1, 6)."""
    major, minor = version.split(".")
    return int(major), int(minor)


@dataclass(frozen=True)
class Release:
    """One operator release that ray-gitops targets: what differs between releases.

    Gates and their defaults are each release's ``pkg/features/features.go``; the
    rules that change between releases name the release they start from."""

    version: str  # major.minor, as `kuberayVersion` names it
    tag: str  # the release whose CRDs and rules ray-gitops follows
    gates: dict[str, bool]  # feature gate -> default
    # what GenerateHashWithoutReplicasAndWorkersToDelete (utils/util.go) and the
    # RayService controller leave out of a cluster's hash, besides replicas, min/max,
    # workersToDelete, tolerations and scheduling gates
    hash_ignores: tuple[str, ...] = ()
    ray_version: str = ""  # the Ray of its samples and chart: what a new repository starts with

    @property
    def key(self) -> tuple[int, int]:
        return version_key(self.version)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds its CRDs serve."""
        return tuple(kind.name for kind in KINDS.values() if version_key(kind.since) <= self.key)


def _gates(version: str, **gates: bool) -> dict[str, bool]:
    """A release's gates: those every release has, the gates that run the controllers of
    the kinds it serves (off by default), and its own."""
    kinds = {kind.gate: False for kind in KINDS.values()
             if kind.gate is not None and version_key(kind.since) <= version_key(version)}
    return {"RayClusterStatusConditions": True, **kinds, **gates}


RELEASES: dict[str, Release] = {release.version: release for release in (
    Release("1.5", "v1.5.2", _gates("1.5", RayJobDeletionPolicy=False, RayMultiHostIndexing=False,
                                    RayServiceIncrementalUpgrade=False),
            ray_version="2.46.0"),
    Release("1.6", "v1.6.2", _gates("1.6", RayJobDeletionPolicy=True, RayMultiHostIndexing=True,
                                    RayServiceIncrementalUpgrade=False, AsyncJobInfoQuery=False),
            ("upgradeStrategy",), "2.52.0"),
    Release("1.7", "v1.7.0", _gates("1.7", RayJobDeletionPolicy=True, RayMultiHostIndexing=True,
                                    RayServiceIncrementalUpgrade=True, SidecarSubmitterRestart=False,
                                    RayClusterNetworkPolicy=False,
                                    GCSFaultToleranceEmbeddedStorage=False, RayClusterMTLS=False,
                                    RayClusterHistoryServer=False, KubernetesWAS=False),
            ("upgradeStrategy", "suspend"), "2.52.0"),
)}
LATEST = "1.7"
RELEASE_VERSION = re.compile(r"^v?(\d+)\.(\d+)(\.\d+)?$")


def release(version: str) -> Release:
    """The release a version names: ``1.6``, ``1.6.2`` or ``v1.6.2``."""
    match = RELEASE_VERSION.match(version.strip())
    found = RELEASES.get(f"{match.group(1)}.{match.group(2)}") if match else None
    if found is None:
        known = ", ".join(RELEASES)
        raise ValueError(f"KubeRay {version!r} is not a release ray-gitops targets ({known})")
    return found


@dataclass(frozen=True)
class Target:
    """The operator a manifest must satisfy: a release and its feature gates."""

    release: Release
    gates: tuple[tuple[str, bool], ...]  # every gate of the release, resolved

    @classmethod
    def of(cls, version: str = LATEST, gates: dict[str, bool] | None = None) -> Target:
        found = release(version)
        unknown = sorted(set(gates or {}) - set(found.gates))
        if unknown:
            raise ValueError(f"unrecognized feature gate(s) for KubeRay {found.version}: "
                             f"{', '.join(unknown)} (known: {', '.join(sorted(found.gates))})")
        return cls(found, tuple(sorted({**found.gates, **(gates or {})}.items())))

    def enabled(self, gate: str) -> bool:
        return dict(self.gates).get(gate, False)

    def since(self, version: str) -> bool:
        """The target release is ``version`` or later."""
        return self.release.key >= version_key(version)

    def flag(self, gate: str) -> str:
        """How the operator turns a gate on."""
        return f"--feature-gates={gate}=true, or featureGates: {{{gate}: true}} in ray-gitops.yaml"


def parse_gates(text: str) -> dict[str, bool]:
    """The operator's own flag syntax: ``Name=true,Name2=false``."""
    out: dict[str, bool] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or value.strip().lower() not in ("true", "false"):
            raise ValueError(f"{part!r}: expected Name=true or Name=false")
        out[name.strip()] = value.strip().lower() == "true"
    return out
