"""The model of each spec kind, by the name its ``kind`` field holds (the kinds themselves
are in ``kuberay/kinds.py``)."""

from __future__ import annotations

from typing import get_args

from generator.kuberay.kinds import SPEC_KINDS
from generator.models import cluster, compute, redis, volume, workloads
from generator.models.base import Strict


def _kind(model: type[Strict]) -> str:
    return str(get_args(model.model_fields["kind"].annotation)[0])


MODELS: dict[str, type[Strict]] = {
    _kind(model): model
    for module in (compute, cluster, redis, volume, workloads) for model in module.MODELS
}
assert set(MODELS) == set(SPEC_KINDS), "every spec kind has its model"


def model_class(kind: str) -> type[Strict]:
    """The pydantic model of a spec kind."""
    return MODELS[kind]
