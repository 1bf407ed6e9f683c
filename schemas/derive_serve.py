"""Derive a strict JSON Schema for Ray Serve's config from Ray's own models.

Run ``python schemas/derive_serve.py [--check]`` in an environment with ``ray[serve]`` of
the supported version installed (it is not a dependency of ray-gitops: ~240 MB
and ~2 s to import). It writes ``schemas/ray-serve/v<major.minor>/serve-config.json``
from ``ray.serve.schema.ServeDeploySchema`` (the multi-application format that
``serve build`` writes and ``serveConfigV2`` holds), made strict, with what that Ray
does with an unknown key (``x-unknown-keys``: asked of its models): where Ray ignores
one, a misspelled ``num_replica`` would have no effect on the cluster, and ray-gitops
warns; where Ray refuses one, it is an error. Run it once per Ray release targeted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from per_release import write

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
            "x-ray-version": ray.__version__, "x-unknown-keys": unknown_keys(ServeDeploySchema),
            **out}


def unknown_keys(model: Any) -> str:
    """What this Ray does with a key its models do not define, asked of the models
    themselves: ``ignored`` (the config is accepted, the key has no effect) or
    ``refused`` (Serve rejects the config)."""
    parse = getattr(model, "model_validate", None) or model.parse_obj
    probe = {"applications": [{"name": "a", "import_path": "m:app", "route_prefix": "/",
                               "no_such_key": 1,
                               "deployments": [{"name": "d", "no_such_key": 1}]}]}
    try:
        parse(probe)
    except Exception:  # pydantic's ValidationError, whichever pydantic this Ray uses
        return "refused"
    return "ignored"


def target(version: str) -> Path:
    minor = ".".join(version.split(".")[:2])
    return Path(__file__).resolve().parent / "ray-serve" / f"v{minor}" / "serve-config.json"


def main(argv: list[str]) -> int:
    derived = derive()
    path = target(derived["x-ray-version"])
    return write(derived, path, argv, path.parents[3])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
