"""Reporters for ``ray-gitops capacity`` and the capacity part of ``diff --format
markdown``: a table, a Mermaid chart GitHub draws in a comment, and the same chart as SVG."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from generator.capacity.shape import figure
from generator.capacity.usage import PoolRoom, Rollout, Row, Total, Usage
from generator.report import formats
from generator.report.escape import markdown_cell, markdown_code, markdown_text


def number(value: Decimal) -> str:
    return figure(value.quantize(Decimal("0.01")))


def gib(value: Decimal) -> str:
    return number(value / 2**30) + "Gi"


def cells(usage: Usage) -> list[str]:
    return [number(usage.cpu), gib(usage.memory), number(usage.gpu), str(usage.pods)]


HEAD = ["cpu", "memory", "gpu", "pods"]


def report_text(rows: list[Row], whole: Total, label: str, room: PoolRoom | None) -> str:
    table = [["object", *(f"{h} min" for h in HEAD[:3]), *(f"{h} max" for h in HEAD[:3]),
              "peak cpu", "peak memory", "peak gpu", "upgrade"]]
    for one in rows:
        table.append([one.title, *cells(one.low)[:3], *cells(one.high)[:3], *cells(one.peak)[:3],
                      one.upgrade])
    table.append(["total", *cells(whole.low)[:3], *cells(whole.high)[:3], *cells(whole.peak)[:3],
                  "the largest upgrade"])
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    lines = [f"capacity of {label} (pod requests)"]
    for i, r in enumerate(table):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if room is not None:
        lines.append(f"node pools at maxNodes: {number(room.cpu)} cpu, {gib(room.memory)} memory, "
                     f"{number(room.gpu)} gpu on {room.nodes} node(s)")
    return "\n".join(lines)


def report_json(rows: list[Row], whole: Total, label: str, room: PoolRoom | None) -> str:
    out: dict[str, Any] = {
        "of": label,
        "objects": [{"kind": r.key[0], "namespace": r.key[1], "name": r.key[2],
                     "min": r.low.as_json(), "replicas": r.initial.as_json(),
                     "max": r.high.as_json(), "peak": r.peak.as_json(), "upgrade": r.upgrade}
                    for r in rows],
        "total": {"min": whole.low.as_json(), "max": whole.high.as_json(),
                  "peak": whole.peak.as_json()},
    }
    if room is not None:
        out["nodePools"] = {"cpu": float(room.cpu), "memoryGiB": round(float(room.memory) / 2**30, 3),
                            "gpu": float(room.gpu), "nodes": room.nodes}
    return json.dumps(out, indent=2, sort_keys=True)


def report_markdown(rows: list[Row], whole: Total, label: str, room: PoolRoom | None) -> str:
    lines = [f"### ray-gitops: capacity of {markdown_text(label)}", "",
             "| object | min (cpu, memory, gpu) | max | peak | upgrade |", "|---|---|---|---|---|"]
    for one in rows:
        lines.append(f"| {markdown_code(one.title)} | {_triple(one.low)} | {_triple(one.high)} | "
                     f"{_triple(one.peak)} | {markdown_cell(one.upgrade)} |")
    lines.append(f"| **total** | {_triple(whole.low)} | {_triple(whole.high)} | "
                 f"{_triple(whole.peak)} | the largest upgrade |")
    if room is not None:
        lines += ["", f"Node pools at maxNodes: {_triple_room(room)} on {room.nodes} node(s)."]
    return "\n".join(lines)


def _triple(usage: Usage) -> str:
    return f"{number(usage.cpu)} · {gib(usage.memory)} · {number(usage.gpu)}"


def _triple_room(room: PoolRoom) -> str:
    return f"{number(room.cpu)} cpu · {gib(room.memory)} · {number(room.gpu)} gpu"


CAPACITY = {"text": report_text, "json": report_json, "markdown": report_markdown}
formats.check(CAPACITY, formats.CAPACITY)

# --- the change of capacity in a pull request --------------------------------------------

# environment, before, after, peak during the rollout, what its node pools offer


def change_table(changes: list[Rollout]) -> str:
    lines = ["| environment | | cpu | memory | gpu | pods |", "|---|---|---|---|---|---|"]
    for env, before, after, peak, room, _ in changes:
        for name, usage in (("before", before), ("after", after), ("peak during rollout", peak)):
            lines.append(f"| {markdown_cell(env)} | {name} | {' | '.join(cells(usage))} |")
        if room is not None:
            lines.append(f"| {markdown_cell(env)} | node pools at maxNodes | {number(room.cpu)} | "
                         f"{gib(room.memory)} | {number(room.gpu)} | {room.nodes} nodes |")
    return "\n".join(lines)


def change_warnings(changes: list[Rollout]) -> str:
    """What validate warns of an environment's pods on its node pools (RG115), one line
    each: the peak in the table above the pools is said, not only shown."""
    return "\n".join(f"- **warning {markdown_text(code)}** ({markdown_cell(c.environment)}): "
                      f"{markdown_text(message)}"
                      for c in changes for code, _, message in (w.partition(": ")
                                                                for w in c.warnings))


def _series(changes: list[Rollout]) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """Categories (one per environment and state) and one series per resource."""
    labels = [f"{env} {state}" for env, *_ in changes for state in ("before", "after", "peak")]
    usages = [u for change in changes for u in (change.before, change.after, change.peak)]
    out = []
    for name, get in (("cpu", lambda u: float(u.cpu)), ("memory GiB", lambda u: float(u.memory) / 2**30),
                      ("gpu", lambda u: float(u.gpu))):
        values = [round(get(u), 2) for u in usages]
        if name != "gpu" or any(values):
            out.append((name, values))
    return labels, out


def mermaid(changes: list[Rollout]) -> str:
    """One Mermaid xychart per resource: before, after and the rollout's peak, per environment."""
    labels, series = _series(changes)
    blocks = []
    axis = ", ".join(json.dumps(label) for label in labels)
    for name, values in series:
        top = max(values, default=0) or 1
        blocks += ["```mermaid", "xychart-beta", f'    title "{name} requested"',
                   f"    x-axis [{axis}]", f'    y-axis "{name}" 0 --> {_ceil(top * 1.1)}',
                   f"    bar [{', '.join(_plain(v) for v in values)}]", "```"]
    return "\n".join(blocks)


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _ceil(value: float) -> str:
    return str(int(value) + (0 if value == int(value) else 1))


def svg(changes: list[Rollout]) -> str:
    """The same charts as one SVG image: a panel per resource, a bar per category."""
    labels, series = _series(changes)
    bar, gap, left, panel_h, top = 34, 14, 70, 190, 30
    width = left + len(labels) * (bar + gap) + 20
    height = top + len(series) * (panel_h + 60)
    colors = {"before": "#8c8c8c", "after": "#2f6fdb", "peak": "#d9822b"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for k, (name, values) in enumerate(series):
        y0 = top + k * (panel_h + 60)
        most = max(values, default=0)
        high = (most or 1) * 1.12  # room above the tallest bar for its figure
        parts.append(f'<text x="{left}" y="{y0 - 10}" font-size="13" font-weight="bold">'
                     f'{escape(name)} requested</text>')
        parts.append(f'<line x1="{left}" y1="{y0 + panel_h}" x2="{width - 10}" '
                     f'y2="{y0 + panel_h}" stroke="#333"/>')
        tallest = y0 + panel_h - panel_h / 1.12 + 4
        parts.append(f'<text x="{left - 6}" y="{tallest:.1f}" text-anchor="end">'
                     f'{_plain(round(most, 2))}</text>')
        parts.append(f'<text x="{left - 6}" y="{y0 + panel_h}" text-anchor="end">0</text>')
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            h = panel_h * value / high
            x = left + gap / 2 + i * (bar + gap)
            state = label.rsplit(" ", 1)[-1]
            parts.append(f'<rect x="{x:.1f}" y="{y0 + panel_h - h:.1f}" width="{bar}" '
                         f'height="{h:.1f}" fill="{colors.get(state, "#2f6fdb")}">'
                         f'<title>{escape(label)}: {_plain(value)}</title></rect>')
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y0 + panel_h - h - 3:.1f}" '
                         f'text-anchor="middle">{_plain(value)}</text>')
            env = label.rsplit(" ", 1)[0]
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y0 + panel_h + 14}" text-anchor="middle" '
                         f'font-size="9">{escape(state)}</text>')
            if i % 3 == 1:  # the environment, under its three bars
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{y0 + panel_h + 28}" '
                             f'text-anchor="middle">{escape(env)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
