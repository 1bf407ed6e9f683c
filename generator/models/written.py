"""Numbers and booleans written where a string is expected, whose string is not what was
written: found after a spec is parsed, by the model's own data and schema."""

from __future__ import annotations

from functools import cache
from typing import Any

from generator.diagnostics import Diagnostic
from generator.fieldpath import FieldPath, value_at
from generator.load.documents import Document
from generator.models.base import Strict


def written_as(doc: Document, model: Strict) -> list[Diagnostic]:
    """A number or boolean written where a string is expected, whose string is not what was
    written (``PYTHON_VERSION: 3.10`` would render "3.1", ``DEBUG: True`` "true"): refused,
    with the quotes that keep it. Found by the model's own data: a field that holds a string
    where the document held a number."""
    if not doc.written:
        return []
    dumped = model.model_dump(by_alias=True, mode="json")
    schema = _schema_of(type(model))
    out = []
    for at, text in sorted(doc.written.items(), key=lambda item: str(item[0])):
        value = value_at(dumped, at)
        if isinstance(value, str) and value != text and _takes_any_scalar(schema, at):
            out.append(doc.diagnostic(at, "RG010", f"{text} is read as a number or a boolean "
                                      f"and becomes the string {value!r}: write it in quotes, "
                                      f"'{text}', to keep it as written"))
    return out


@cache
def _schema_of(model: type[Strict]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True)


def _takes_any_scalar(schema: dict[str, Any], path: FieldPath) -> bool:
    """Whether the field at ``path`` is one that takes any YAML scalar as its string (labels,
    env, rayStartParams): its schema offers a string and a boolean. A quantity takes numbers
    for their value (cpu: 1.0 is 1), never a boolean, and is not one of these."""
    definitions = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
        return node

    def branches(node: Any) -> list[Any]:
        node = resolve(node)
        found = [node]
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key, []) if isinstance(node, dict) else []:
                found.extend(branches(branch))
        return found

    nodes = [schema]
    for part in path:
        following = []
        for node in (b for n in nodes for b in branches(n) if isinstance(b, dict)):
            if isinstance(part, int) and "items" in node:
                following.append(node["items"])
            elif isinstance(part, str) and part in node.get("properties", {}):
                following.append(node["properties"][part])
            elif isinstance(part, str) and isinstance(node.get("additionalProperties"), dict):
                following.append(node["additionalProperties"])
        nodes = following
    types = {b.get("type") for n in nodes for b in branches(n) if isinstance(b, dict)}
    return {"string", "boolean"} <= types
