"""Reporters for ``ray-gitops diff``: text, markdown (a pull-request comment), json, github."""

from __future__ import annotations

import json
from typing import Any

from generator.capacity.usage import Rollout, Usage
from generator.diff.effects import CREATE, DELETE, IGNORED, NEW_CLUSTER, REFUSED, RESTART, Change
from generator.report import formats
from generator.report.capacity import cells, change_table, change_warnings, mermaid
from generator.report.escape import (
    github_data,
    github_property,
    html_text,
    markdown_cell,
    markdown_code,
    markdown_text,
)

MAX_FIELDS = 12
MAX_VALUE = 80
BADGES = {
    NEW_CLUSTER: "new cluster (2x capacity)",
    RESTART: "pods restart",
    IGNORED: "not applied",
    CREATE: "created",
    DELETE: "deleted",
    "in-place": "in place",
    "none": "no effect",
    REFUSED: "refused by the API server",
}
ALERTS = (NEW_CLUSTER, RESTART, IGNORED, DELETE, REFUSED)


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    text = text.replace("\n", "\\n")
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _field_lines(change: Change) -> list[tuple[str, str, str]]:
    return [(path, _value(old), _value(new)) for path, old, new in change.fields[:MAX_FIELDS]]


def report_text(changes: list[Change], base: str) -> str:
    if not changes:
        return f"no change against {base}"
    lines = [f"{len(changes)} object(s) change against {base}:"]
    for change in changes:
        lines.append(f"\n{change.status:8} {change.title}  [{BADGES[change.effect]}]")
        lines.append(f"         {change.summary}")
        for path, old, new in _field_lines(change):
            lines.append(f"         {path}: {old} -> {new}")
        if len(change.fields) > MAX_FIELDS:
            lines.append(f"         ... and {len(change.fields) - MAX_FIELDS} more field(s)")
    return "\n".join(lines)


def report_markdown(changes: list[Change], base: str, note: str = "") -> str:
    lines = [f"### ray-gitops: what this change does on the cluster (against "
             f"{markdown_code(base, table=False)})", ""]
    if note:  # in the comment, where the reviewer reads it
        lines += ["> [!NOTE]", f"> {markdown_text(note)}", ""]
    if not changes:
        return "\n".join([*lines, "No object changes."])
    warnings = [c for c in changes if c.effect in ALERTS]
    if warnings:
        lines.append("> [!WARNING]")
        for change in warnings:
            lines.append(f"> {markdown_code(change.title, table=False)}: "
                         f"{markdown_text(change.summary)}")
        lines.append("")
    lines += ["| object | change | effect on the cluster |", "|---|---|---|"]
    for change in changes:
        summary = markdown_cell(change.summary)
        lines.append(f"| {markdown_code(change.title)} | {change.status} | "
                     f"**{BADGES[change.effect]}**: {summary} |")
    for change in changes:
        if not change.fields:
            continue
        lines += ["", f"<details><summary><code>{html_text(change.title)}</code>: "
                      f"{len(change.fields)} field(s)</summary>", "",
                  "| field | before | after |", "|---|---|---|"]
        for path, old, new in _field_lines(change):
            lines.append("| " + " | ".join(markdown_code(c) for c in (path, old, new)) + " |")
        if len(change.fields) > MAX_FIELDS:
            lines.append(f"| ... | {len(change.fields) - MAX_FIELDS} more | |")
        lines += ["", "</details>"]
    return "\n".join(lines)


def report_json(changes: list[Change], base: str) -> str:
    items = [{"kind": c.key[0], "namespace": c.key[1], "name": c.key[2], "status": c.status,
              "effect": c.effect, "summary": c.summary, "file": c.file, "line": c.line,
              "fields": [{"path": p, "before": o, "after": n} for p, o, n in c.fields]}
             for c in changes]
    return json.dumps({"base": base, "changes": items}, indent=2, sort_keys=True)


def report_github(changes: list[Change], base: str) -> str:
    lines = []
    for change in changes:
        level = "warning" if change.effect in ALERTS else "notice"
        where = f"file={github_property(change.file)},line={change.line}," if change.file else ""
        message = github_data(f"{change.status}: {change.summary}")
        lines.append(f"::{level} {where}title={github_property(change.title)}::{message}")
    return "\n".join(lines)




Section = tuple[list[Change], str, str, Rollout]  # changes, against what, a note, capacity


def _sections(report: Any, join: str) -> Any:
    def render(sections: list[Section]) -> str:
        return join.join(report(changes, label) for changes, label, *_ in sections)
    return render


def report_text_sections(sections: list[Section]) -> str:
    parts = []
    for changes, label, _, capacity in sections:
        warned = "".join(f"\nwarning {w}" for w in capacity.warnings)
        parts.append(f"{report_text(changes, label)}\ncapacity requested (cpu, memory, gpu): "
                     f"before {_usage(capacity.before)}; after {_usage(capacity.after)}; "
                     f"peak during the rollout {_usage(capacity.peak)}{warned}")
    return "\n\n".join(parts)


def _usage(usage: Usage) -> str:
    return ", ".join(cells(usage)[:3])


def report_markdown_sections(sections: list[Section]) -> str:
    parts = [report_markdown(changes, label, note) for changes, label, note, _ in sections]
    capacity = [c for *_, c in sections]
    parts += ["### ray-gitops: capacity the pods request, before and after this change\n\n"
              "The peak counts a RayService's old cluster at maxReplicas beside the new one "
              "while an upgrade this change starts rolls out.", change_table(capacity),
              change_warnings(capacity), mermaid(capacity)]
    parts = [part for part in parts if part]
    return "\n\n".join(parts)


def report_json_sections(sections: list[Section]) -> str:
    def capacity(c: Rollout) -> dict[str, Any]:
        return {"environment": c.environment, "before": c.before.as_json(),
                "after": c.after.as_json(), "peak": c.peak.as_json(), "warnings": list(c.warnings)}

    if len(sections) == 1:
        changes, label, _, cap = sections[0]
        return json.dumps(json.loads(report_json(changes, label)) | {"capacity": capacity(cap)},
                          indent=2, sort_keys=True)
    return json.dumps({"sections": [json.loads(report_json(c, label)) | {"note": note,
                                                                         "capacity": capacity(cap)}
                                    for c, label, note, cap in sections]}, indent=2, sort_keys=True)


DIFF_SECTIONS = {"text": report_text_sections, "markdown": report_markdown_sections,
                 "json": report_json_sections, "github": _sections(report_github, "\n")}
formats.check(DIFF_SECTIONS, formats.CHANGES)
