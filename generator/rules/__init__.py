"""The rules, by rule code: KubeRay's controller rules, spec rules, will it fit, Kueue's, and policy.

Importing the package registers every rule."""

from generator.rules import (  # noqa: F401  (registers them)
    autoscaling,
    features,
    fit,
    kueue,
    policy,
    raycluster,
    raycronjob,
    raystart,
    specs,
    workloads,
)
from generator.rules.catalog import CODES
from generator.rules.registry import check_object, check_spec

__all__ = ["CODES", "check_object", "check_spec"]
