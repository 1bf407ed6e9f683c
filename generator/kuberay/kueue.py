"""The Kueue releases ray-gitops knows, in one table: what each one's Ray integrations
accept. ``kueueVersion`` in ray-gitops.yaml picks one (the newest by default).

From Kueue's own code at each tag (``pkg/controller/jobframework/constants.go`` and
``pkg/controller/jobs/{raycluster,rayjob,rayservice}``):

- pod sets per workload: 8 up to 0.17 (a literal ``> 7`` worker groups), ``MaxPodSets`` 10
  in 0.18 and 18 from 0.19; the head is one pod set, each worker group another;
- RayService is queued from 0.17 (``jobs/rayservice``); before it, Kueue leaves it alone;
- a RayJob may autoscale as an elastic job from 0.16 (its webhook reads workload slicing);
  a RayCluster from 0.14;
- from 0.19.1 an elastic RayCluster run through MultiKueue may not autoscale in-tree
  (``validateElasticJob``: "in-tree autoscaling is not supported for a MultiKueue-managed
  elastic RayCluster"; kueue#13244).

Kueue suspends RayClusters and RayJobs at ``spec.suspend`` and RayServices at
``spec.rayClusterConfig.suspend`` (``RayService.Suspend`` in ``jobs/rayservice``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class KueueRelease:
    version: str  # as kueueVersion names it: 0.19.2
    max_pod_sets: int  # the head and every worker group
    queues_rayservice: bool
    elastic_rayjob: bool
    # an elastic RayCluster with spec.managedBy MultiKueue refuses in-tree autoscaling
    multikueue_refuses_autoscaling: bool

    @property
    def max_worker_groups(self) -> int:
        return self.max_pod_sets - 1


KUEUE_RELEASES: tuple[KueueRelease, ...] = (
    KueueRelease("0.14.0", 8, False, False, False),
    KueueRelease("0.15.0", 8, False, False, False),
    KueueRelease("0.16.0", 8, False, True, False),
    KueueRelease("0.17.0", 8, True, True, False),
    KueueRelease("0.18.0", 10, True, True, False),
    KueueRelease("0.19.0", 18, True, True, False),
    KueueRelease("0.19.1", 18, True, True, True),
)
LATEST_KUEUE = "0.19.2"
VERSION = re.compile(r"^v?(0)\.(\d+)(?:\.(\d+))?$")


def _key(version: str) -> tuple[int, int, int]:
    major, minor, patch = version.split(".")
    return int(major), int(minor), int(patch)


def kueue_release(version: str) -> KueueRelease:
    """The facts of Kueue ``version`` (0.18, 0.19.1 or v0.19.2); a minor release alone
    means its first patch. Refused outside 0.14 and later."""
    match = VERSION.match(version.strip())
    if not match or int(match.group(2)) < 14:
        raise ValueError(f"Kueue {version!r}: ray-gitops knows Kueue 0.14 and later "
                         f"(write it as 0.19 or 0.19.2, in quotes)")
    key = (0, int(match.group(2)), int(match.group(3) or 0))
    found = [r for r in KUEUE_RELEASES if _key(r.version) <= key][-1]
    return replace(found, version=".".join(map(str, key)))
