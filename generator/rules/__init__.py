"""Layer 4 (KubeRay's controller rules) and layer 7 (policy), by rule code."""

from . import policy, raycluster, workloads  # noqa: F401  (registers the rules)
from .base import Finding, check_object
from .catalog import CODES

__all__ = ["CODES", "Finding", "check_object"]
