"""YAML numbers and booleans as the strings that string fields make of them."""

from __future__ import annotations

from typing import Any


def same_number(value: Any, text: str) -> bool:
    """A whole number written as a float (1.0, 1e3): its string, "1", says the same number."""
    return isinstance(value, float) and value.is_integer() and "_" not in text


def scalar_string(value: bool | int | float) -> str:
    """A YAML number or boolean as the string a string field makes of it: ``1.0`` is "1"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
