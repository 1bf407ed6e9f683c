"""Validators shared by several spec kinds."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_core import PydanticCustomError


def exactly_one(model: BaseModel, fields: tuple[str, ...], what: str) -> None:
    given = [name for name in fields if getattr(model, name) is not None]
    if len(given) != 1:
        known = type(model).model_fields
        names = ", ".join(known[f].alias or f for f in fields)
        found = ", ".join(known[f].alias or f for f in given) or "none"
        raise PydanticCustomError(
            "RG010", "{what}: give exactly one of {names} (found: {found})",
            {"what": what, "names": names, "found": found},
        )
