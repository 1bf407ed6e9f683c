"""Reporters of a Result: text, json and github (workflow annotations)."""

from __future__ import annotations

import json
from dataclasses import asdict

from generator.diagnostics import Result
from generator.report import formats
from generator.report.escape import github_data, github_property


def report_text(result: Result) -> str:
    found = result.sorted()  # one line for what two rendered objects found at one place
    lines = [d.text() for d in found]
    errors = sum(1 for d in found if d.severity == "error")
    warnings = len(found) - errors
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
            f"::{d.severity} file={github_property(d.file)},line={d.line},col={d.col},"
            f"title={d.code}::{github_data(message)}"
        )
    return "\n".join(lines)


REPORTERS = {"text": report_text, "json": report_json, "github": report_github}
formats.check(REPORTERS, formats.DIAGNOSTICS)
