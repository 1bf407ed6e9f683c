"""Collect, then report: a result object and its text, json and github reporters."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from .errors import Diagnostic


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, found: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(found)

    def strict(self) -> Result:
        """Warnings become errors (``--strict``, or ``policy.strict`` in ray-gitops.yaml)."""
        return Result([replace(d, severity="error") for d in self.diagnostics])

    def with_policy(self, disable: Iterable[str], strict: bool) -> Result:
        """Warnings switched off in ray-gitops.yaml dropped; then ``strict`` applied."""
        off = set(disable)
        kept = Result([d for d in self.diagnostics
                       if not (d.severity == "warning" and d.code in off)])
        return kept.strict() if strict else kept

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.diagnostics), key=lambda d: (d.file, d.line, d.col, d.code, d.field))


def report_text(result: Result) -> str:
    lines = [d.text() for d in result.sorted()]
    errors = len(result.errors)
    warnings = len(result.diagnostics) - errors
    if lines:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def report_json(result: Result) -> str:
    items = [asdict(d) for d in result.sorted()]
    return json.dumps({"ok": result.ok, "diagnostics": items}, indent=2, sort_keys=True)


def report_github(result: Result) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's lines."""
    lines = []
    for d in result.sorted():
        message = f"{d.field}: {d.message}" if d.field else d.message
        if d.hint:
            message += f" ({d.hint})"
        lines.append(
            f"::{d.severity} file={_prop(d.file)},line={d.line},col={d.col},"
            f"title={d.code}::{_data(message)}"
        )
    return "\n".join(lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


REPORTERS = {"text": report_text, "json": report_json, "github": report_github}
