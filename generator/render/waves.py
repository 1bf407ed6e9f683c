"""Argo CD sync waves: storage, then configuration, then Redis, then the Ray objects.

Argo CD applies lower waves first and prunes in the reverse order, so Redis is
deleted after the RayClusters that keep their GCS state in it: the operator's
cleanup finalizer needs Redis alive while a fault-tolerant cluster is deleted
(raycluster_controller.go, the GCS FT Redis cleanup finalizer), or the deletion hangs
until the finalizer's timeout.
"""

from __future__ import annotations

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
STORAGE = "-3"  # PersistentVolumes and their claims
CONFIG = "-2"  # ConfigMaps
REDIS = "-1"  # the Redis StatefulSet, Service and NetworkPolicy
# Ray objects stay in wave 0


def wave(annotations: dict[str, str], step: str) -> dict[str, str]:
    """The user's annotations with the sync wave added (a wave the user set wins)."""
    return {SYNC_WAVE: step, **annotations}
