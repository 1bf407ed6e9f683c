"""The autoscaler's own reading of a cluster: a group it can not read stops it.

With ``enableInTreeAutoscaling``, the autoscaler beside the head reads every group of the
RayCluster by its own rules (``capacity.autoscaler``). Where one group fails that reading,
it raises as it starts and exits, and the cluster never scales: RG117, at the value it
fails on, for the Ray release the autoscaler runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.capacity.autoscaler import Unreadable, view
from generator.capacity.shape import autoscaler_ray
from generator.diagnostics import Finding
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import ClusterView
from generator.rules.registry import cluster_rule

CODE = "RG117"


@cluster_rule
def autoscaler_reads_every_group(view_: ClusterView, target: Target) -> Iterator[Finding]:
    if not view_.autoscaling:
        return
    ray = autoscaler_ray(view_.spec)
    release = ".".join(str(p) for p in ray[:2]) if ray else "the newest"
    for at, group in view_.groups():
        try:
            view(group, ray)
        except Unreadable as error:
            yield Finding((*at, *error.at), CODE,
                          f"{error} (Ray {release}'s autoscaler): it raises as it starts and "
                          "exits, so this cluster never scales",
                          hint=error.hint)
