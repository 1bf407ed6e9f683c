"""Where each derived schema lives below ``schemas/``: one table, read by the validators
and by the scripts that derive the schemas (``schemas/derive_crds.py``)."""

from __future__ import annotations

from generator.kuberay.kinds import API_VERSIONS

ARGOCD = "argocd/v3.5"
FLUX = "flux/v1.9"
PROMETHEUS = "prometheus-operator/v0.93"
RAY_SERVE = "ray-serve"
RAY_START = "ray-start"  # ray start's options, one file a Ray release: ray-start/v2.52.json
KUBERAY = "kuberay/v{kuberay}"  # one folder a release: kuberay/v1.7


def kuberay(version: str) -> str:
    """The folder of a KubeRay release's schemas: ``1.7`` -> ``kuberay/v1.7``."""
    return KUBERAY.format(kuberay=version)


# API version -> folder (KubeRay's by release)
CUSTOM = {
    **dict.fromkeys(API_VERSIONS, KUBERAY),
    "argoproj.io/v1alpha1": ARGOCD,
    "kustomize.toolkit.fluxcd.io/v1": FLUX,
    "monitoring.coreos.com/v1": PROMETHEUS,
}
