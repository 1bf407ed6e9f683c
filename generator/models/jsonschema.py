"""The spec JSON Schema, for editors (yaml-language-server) and tools.

pydantic writes JSON Schema 2020-12 with ``$defs``; yaml-language-server reads
draft 7 and below, so the definitions move to ``definitions``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from generator.kuberay.kinds import SPEC_NAMES
from generator.models.kinds import model_class

SCHEMA_ID = "https://ray-gitops.dev/schemas/ray-gitops.schema.json"


def spec_schema(kind: str | None = None) -> dict[str, Any]:
    if kind is not None:
        schema = model_class(kind).model_json_schema(by_alias=True)
    else:
        kinds = tuple(model_class(name) for name in SPEC_NAMES)
        union: Any = Annotated[Union[kinds], Field(discriminator="kind")]  # noqa: UP007
        schema = _by_kind(TypeAdapter(union).json_schema(by_alias=True))
    text = json.dumps(schema, sort_keys=True).replace('"#/$defs/', '"#/definitions/')
    out: dict[str, Any] = json.loads(text)
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
    title = f"ray-gitops {kind}" if kind else "ray-gitops spec document"
    return {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID,
            "title": title, **out}


def _by_kind(union: dict[str, Any]) -> dict[str, Any]:
    """``oneOf`` + ``discriminator`` -> ``if kind == X then X``: editors then report
    the error in the document's own kind, not "valid under none of the schemas"."""
    mapping = union["discriminator"]["mapping"]
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {"kind": {"enum": sorted(mapping)}},
        "allOf": [
            {"if": {"properties": {"kind": {"const": kind}}}, "then": {"$ref": ref}}
            for kind, ref in sorted(mapping.items())
        ],
        "$defs": union["$defs"],
    }


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
