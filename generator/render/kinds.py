"""The renderer of each spec kind that renders objects (the kinds themselves are in
``kuberay/kinds.py``): a pure function from a spec to plain objects."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from generator.kuberay.kinds import SPEC_KINDS
from generator.models.parse import Spec
from generator.render import raycluster, redis, volume, workloads
from generator.render.base import Context, Generated, Rendered

Renderer = Callable[[Spec, Context], Sequence[Rendered | Generated]]

RENDERERS: dict[str, Renderer] = {
    **raycluster.RENDERERS, **workloads.RENDERERS, **redis.RENDERERS, **volume.RENDERERS}
assert set(RENDERERS) == {k.name for k in SPEC_KINDS.values() if k.renders}, \
    "every spec kind that renders has its renderer"


def renderer(kind: str) -> Renderer | None:
    return RENDERERS.get(kind)
