"""Derive a strict JSON Schema for Ray Serve's config from Ray's own models.

Run ``python schemas/derive_serve.py [--check]`` in an environment with ``ray[serve]`` of
the supported version installed (it is not a dependency of ray-gitops: ~240 MB
and ~2 s to import). It writes ``schemas/ray-serve/v<major.minor>/serve-config.json``
from ``ray.serve.schema.ServeDeploySchema`` (the multi-application format that
``serve build`` writes and ``serveConfigV2`` holds), made strict: Ray accepts
unknown keys silently (its models do not forbid extras), so a misspelled
``num_replica`` would be ignored on the cluster; here it is an error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DRAFT = "http://json-schema.org/draft-07/schema#"


def strictify(node: Any) -> Any:
    """Unknown keys rejected; optional fields may be null (pydantic.v1's schemas
    drop ``Optional``, yet ``route_prefix: null`` means "no HTTP route" to Ray)."""
    if isinstance(node, list):
        return [strictify(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strictify(value) for key, value in node.items()
           if key not in ("description", "title", "examples", "default")}
    if "properties" in out:
        out.setdefault("additionalProperties", False)
        required = set(out.get("required", ()))
        out["properties"] = {name: (sub if name in required else _nullable(sub))
                             for name, sub in out["properties"].items()}
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def derive() -> dict[str, Any]:
    import ray
    from ray.serve.schema import ServeDeploySchema

    # Ray's models are pydantic v2 ones in newer releases, pydantic.v1 ones in older
    build = getattr(ServeDeploySchema, "model_json_schema", None) or ServeDeploySchema.schema
    schema = build()
    text = json.dumps(strictify(schema)).replace('"#/$defs/', '"#/definitions/')
    out: dict[str, Any] = json.loads(text)
    out["definitions"] = {**out.pop("definitions", {}), **out.pop("$defs", {})}
    return {"$schema": DRAFT, "title": "Ray Serve config (serveConfigV2)",
            "x-ray-version": ray.__version__, **out}


def target(version: str) -> Path:
    minor = ".".join(version.split(".")[:2])
    return Path(__file__).resolve().parent / "ray-serve" / f"v{minor}" / "serve-config.json"


def main(argv: list[str]) -> int:
    schema = derive()
    path = target(schema["x-ray-version"])
    text = json.dumps(schema, indent=1, sort_keys=True) + "\n"
    shown = path.relative_to(path.parents[3])
    if "--check" in argv:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"stale: {shown}")
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
