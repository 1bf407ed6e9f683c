"""What changes between two operator releases (and two Ray releases), for ``migrate``.

Almost everything is derived from the tables and schemas ray-gitops already has: the
releases' feature gates and their defaults and upgrade-hash exclusions (``releases``), the
kinds each release serves and deprecates (``kinds``), the fields each release's CRDs
have (``schemas/kuberay``), and the Serve fields each Ray release has (``schemas/ray-serve``,
with Serve's renames in ``rules.serve.RENAMED``). A new release added there is migrated to
with no code here. What needs judgement is in the two tables below, with their sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.kuberay.releases import Release, version_key

# rewrites of values whose meaning a release changed: (from release, apiVersion) -> new,
# with the source that says both mean the same
API_VERSIONS = {
    "ray.io/v1alpha1": ("ray.io/v1", "kuberay#5122: v1alpha1 deprecated in 1.7, served with a "
                                     "warning; its schema is v1's (the CRDs of every release)"),
}
# what a gate changes, for the report: gate -> (the kinds it concerns, the field whose use
# makes an object concerned, what the gate does, source); a gate not here concerns every object
GATES = {
    "RayJobDeletionPolicy": (("RayJob", "RayCronJob", "RayCluster", "RayService"), "deletionStrategy",
                             "deletionStrategy on RayJobs and suspended worker groups are "
                             "accepted", "features.go of v1.6.2"),
    "RayServiceIncrementalUpgrade": (("RayService",), "NewClusterWithIncrementalUpgrade",
                                     "upgradeStrategy NewClusterWithIncrementalUpgrade upgrades "
                                     "through a Gateway step by step",
                                     "kuberay#5044 (Beta, on in 1.7)"),
    "RayMultiHostIndexing": (("RayCluster", "RayService", "RayJob", "RayCronJob"), "numOfHosts",
                             "multi-host worker pods get replica and host index labels",
                             "features.go of v1.6.2"),
}


# what a release's controllers do differently with an object that validates the same in
# both: (the release it starts from, kinds, the field an object must mention or "", what
# changes, source). Read from the controllers at each tag; no schema or rule shows these.
# (Behaviour of a field new in a release is not here: no object of the older one has it.)
BEHAVIOUR = (
    ("1.7", ("RayCronJob",), "",
     "the RayJobs a RayCronJob creates are named <name>-<minutes since 1970> (one name per "
     "scheduled time, so a retried create cannot start a run twice), no longer <name>-<5 "
     "random characters>: anything that finds them by name must change (the "
     "ray.io/cronjob-name label they carry is the same in both)",
     "raycronjob_controller.go of v1.7.0 (getRayJobName) against v1.6.2 (rand.String(5))"),
)


@dataclass(frozen=True)
class Change:
    """A behaviour change no rewrite removes."""

    kinds: tuple[str, ...]  # the kinds it concerns (empty: every object)
    text: str
    source: str
    uses: str = ""  # a field name or value an object must mention to be concerned

    def concerns(self, data: Any) -> bool:
        kind = data.get("kind") if isinstance(data, dict) else None
        return (not self.kinds or kind in self.kinds) and (not self.uses or _mentions(data, self.uses))


def _mentions(node: Any, word: str) -> bool:
    """Whether ``word`` is a key or a string value anywhere in ``node``."""
    if isinstance(node, dict):
        return any(k == word or _mentions(v, word) for k, v in node.items())
    if isinstance(node, list):
        return any(_mentions(v, word) for v in node)
    return node == word


def gate_changes(before: Release, after: Release, pinned: dict[str, bool]) -> list[Change]:
    """Gates whose default differs between the releases and that the settings do not pin."""
    out = []
    for gate, default in sorted(after.gates.items()):
        old = before.gates.get(gate)
        if old is None or old == default or gate in pinned:
            continue
        kinds, uses, what, source = GATES.get(gate, ((), "", f"the {gate} feature",
                                                     f"features.go of {after.tag}"))
        state = "on" if default else "off"
        out.append(Change(kinds, f"feature gate {gate} is {state} by default in KubeRay "
                                 f"{after.version} (was {'on' if old else 'off'}): "
                                 f"{what if default else 'no longer: ' + what}", source, uses))
    return out


def hash_changes(before: Release, after: Release) -> list[Change]:
    """Fields whose change starts a new RayService cluster in one release and not the other."""
    out = []
    for name in sorted(set(after.hash_ignores) - set(before.hash_ignores)):
        out.append(Change(("RayService",), f"from KubeRay {after.version}, a change to {name} no "
                          "longer starts a new cluster (the upgrade hash leaves it out)",
                          f"utils/util.go of {after.tag}"))
    for name in sorted(set(before.hash_ignores) - set(after.hash_ignores)):
        out.append(Change(("RayService",), f"from KubeRay {after.version}, a change to {name} "
                          "starts a new cluster again", f"utils/util.go of {after.tag}"))
    return out


def behaviour_changes(before: Release, after: Release) -> list[Change]:
    """What the controllers of the releases after ``before``, up to ``after``, do differently."""
    low, high = sorted((version_key(before.version), version_key(after.version)))
    return [Change(kinds, f"from KubeRay {since}, {text}" if version_key(after.version) > low
                   else f"before KubeRay {since}, not so: {text}", source, uses)
            for since, kinds, uses, text, source in BEHAVIOUR
            if low < version_key(since) <= high]


def changes(before: Release, after: Release, pinned: dict[str, bool]) -> list[Change]:
    if version_key(before.version) == version_key(after.version):
        return []
    return gate_changes(before, after, pinned) + hash_changes(before, after) + \
        behaviour_changes(before, after)
