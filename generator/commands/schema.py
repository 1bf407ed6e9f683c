"""``ray-gitops schema``: print the spec JSON Schema."""

from __future__ import annotations

import click

from generator.errors import Exit, UsageError
from generator.models.jsonschema import dump, spec_schema
from generator.models.kinds import KIND_NAMES


def run(kind: str | None) -> int:
    if kind is not None and kind not in KIND_NAMES:
        raise UsageError(f"unknown kind {kind!r}; expected one of {', '.join(KIND_NAMES)}")
    click.echo(dump(spec_schema(kind)), nl=False)
    return Exit.OK
