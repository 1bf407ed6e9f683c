"""``ray-gitops schema``: print the spec JSON Schema."""

from __future__ import annotations

import click

from generator.errors import Exit, UsageError
from generator.kuberay.kinds import SPEC_NAMES
from generator.models.jsonschema import dump, spec_schema


def run(kind: str | None) -> int:
    if kind is not None and kind not in SPEC_NAMES:
        raise UsageError(f"unknown kind {kind!r}; expected one of {', '.join(SPEC_NAMES)}")
    click.echo(dump(spec_schema(kind)), nl=False)
    return Exit.OK
