"""The CRDs' own validation rules (``x-kubernetes-validations``), evaluated offline.

The API server runs these CEL rules on every create and update; the derived
schemas keep them beside the JSON Schema (schemas/derive_crds.py). Each rule is
compiled once per schema file with ``common-expression-language`` (Rust's
cel-interpreter: ~5 us an evaluation) and run on every value its schema
location matches. Transition rules (those naming ``oldSelf``) apply only to an
update: ``check_transition`` runs them against the object's previous version.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath

ANY = "*"  # a list item or a map value


@cache
def engine() -> Any:
    """The Rust extension of common-expression-language, loaded without its package:
    the package's __init__ imports its interactive shell (prompt_toolkit, ~0.75 s),
    which a pre-commit hook must not pay for."""
    spec = importlib.util.find_spec("cel")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    found = [so for folder in folders for so in Path(folder).glob("cel.*.so")]
    if not found:
        import cel  # another packaging: take the package as it is

        return cel
    loader = importlib.machinery.ExtensionFileLoader("cel", str(found[0]))
    module_spec = importlib.util.spec_from_file_location("cel", str(found[0]), loader=loader)
    assert module_spec is not None
    module = importlib.util.module_from_spec(module_spec)
    loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Rule:
    at: tuple[str, ...]  # schema location: property names, ANY for items and map values
    source: str
    message: str
    program: Any
    transition: bool  # names oldSelf: checked on updates only


def collect(schema: dict[str, Any]) -> tuple[Rule, ...]:
    """Every rule of a schema, compiled."""
    return tuple(_walk(schema, ()))


def _walk(node: Any, at: tuple[str, ...]) -> Iterator[Rule]:
    if not isinstance(node, dict):
        return
    for entry in node.get("x-kubernetes-validations", ()):
        source = entry["rule"]
        yield Rule(at, source, entry.get("message") or f"failed rule: {source}",
                   engine().compile(source), "oldSelf" in source)
    for name, sub in (node.get("properties") or {}).items():
        yield from _walk(sub, (*at, name))
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _walk(node[key], (*at, ANY))


def _values(node: Any, at: tuple[str, ...], path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    if not at:
        yield path, node
        return
    head, rest = at[0], at[1:]
    if head == ANY:
        pairs: Any = enumerate(node) if isinstance(node, list) else (
            node.items() if isinstance(node, dict) else ())
        for key, value in pairs:
            yield from _values(value, rest, (*path, key))
    elif isinstance(node, dict) and head in node:
        yield from _values(node[head], rest, (*path, head))


def check(rules: tuple[Rule, ...], obj: dict[str, Any]) -> list[Finding]:
    """The rules a new object breaks (transition rules do not apply to a create)."""
    out = []
    for rule in rules:
        if rule.transition:
            continue
        for path, value in _values(obj, rule.at):
            if value is not None and not _holds(rule, {"self": value}):
                out.append(Finding(path, "RG037", rule.message))
    return out


def check_transition(rules: tuple[Rule, ...], old: dict[str, Any],
                     new: dict[str, Any]) -> list[Finding]:
    """The transition rules an update from ``old`` to ``new`` breaks (the API server
    refuses the update)."""
    out = []
    for rule in rules:
        if not rule.transition:
            continue
        before = dict(_values(old, rule.at))
        for path, value in _values(new, rule.at):
            if path in before and not _holds(rule, {"self": value, "oldSelf": before[path]}):
                out.append(Finding(path, "RG037", rule.message))
    return out


def _holds(rule: Rule, context: dict[str, Any]) -> bool:
    try:
        return bool(rule.program.execute(context))
    except Exception:  # noqa: BLE001 - the API server counts an evaluation error as a failure
        return False
