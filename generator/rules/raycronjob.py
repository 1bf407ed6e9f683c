"""KubeRay's RayCronJob rules (``ValidateRayCronJobSpec``), release by release: 1.6 parses the
schedule with robfig/cron's ParseStandard alone (its ``TZ=`` prefix included); 1.7 bounds the
name, refuses TZ in the schedule and adds ``timeZone``. The job template is a RayJobSpec."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import JOB_TEMPLATE, KINDS, RAY_CRON_JOB
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import mapping
from generator.rules.raycluster import warning
from generator.rules.registry import object_rule
from generator.rules.workloads import job_spec


@object_rule(RAY_CRON_JOB)
def raycronjob_rules(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    """ValidateRayCronJobSpec; without the RayCronJob gate the operator runs no controller
    for the kind: the API server accepts it, nothing acts on it."""
    spec = mapping(obj.get("spec"))
    gate = KINDS[RAY_CRON_JOB].gate  # the operator runs no RayCronJob controller without it
    if gate is not None and gate in dict(target.gates) and not target.enabled(gate):
        yield warning(("kind",), "RG096", "the RayCronJob feature gate is off: the API server "
                      "accepts this RayCronJob but no controller schedules it",
                      hint=target.flag(gate))
    yield from schedule(spec, ("spec",), target)
    template = spec.get(JOB_TEMPLATE)
    if isinstance(template, dict):
        yield from job_spec(template, ("spec", JOB_TEMPLATE), target)


def schedule(spec: dict[str, Any], at: FieldPath, target: Target) -> Iterator[Finding]:
    """ValidateRayCronJobSpec's schedule and time zone. 1.7 refuses TZ in the schedule (there
    is timeZone); 1.6 takes robfig/cron's own prefix, ``TZ=<zone> `` or ``CRON_TZ=<zone> ``."""
    text = spec.get("schedule")
    if isinstance(text, str):
        if "TZ" in text and target.since("1.7"):
            yield Finding((*at, "schedule"), "RG083", "no TZ or CRON_TZ in the schedule: use timeZone")
        else:
            yield from _standard(text, (*at, "schedule"))
    zone = spec.get("timeZone")
    if zone is not None:
        if zone == "":
            yield Finding((*at, "timeZone"), "RG083", "must not be empty: leave it out to use the "
                          "operator's local time zone")
        elif not valid_zone(str(zone)):
            yield Finding((*at, "timeZone"), "RG083", f"{zone!r} is not an IANA time zone")


def _standard(text: str, at: FieldPath) -> Iterator[Finding]:
    """robfig/cron v3's ParseStandard, its time zone prefix included (time.LoadLocation)."""
    body = text
    if text.startswith(("TZ=", "CRON_TZ=")):
        space = text.find(" ")
        zone = text[text.index("=") + 1:space] if space >= 0 else ""
        if space < 0 or not valid_zone(zone):
            yield Finding(at, "RG083", f"{zone!r} in the schedule's time zone prefix is not an "
                          "IANA time zone (TZ=<zone> followed by the schedule)")
            return
        body = text[space:].strip()
    if not valid_schedule(body):
        yield Finding(at, "RG083", f"{text!r} is not a standard cron schedule (5 fields, or "
                      "@hourly, @daily, @weekly, @monthly, @yearly, @every <duration>)")


DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_MONTHS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# minute, hour, day of month, month, day of week: robfig/cron's bounds and names
_NONE: dict[str, int] = {}
_FIELDS = ((0, 59, _NONE), (0, 23, _NONE), (1, 31, _NONE), (1, 12, _MONTHS), (0, 6, _DAYS))
_ATOI = re.compile(r"^[-+]?[0-9]+$")  # Go's strconv.Atoi
# Go's time.ParseDuration: "0", or signed numbers each with a unit
_DURATION = re.compile(r"^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$")


def valid_schedule(text: str) -> bool:
    """robfig/cron v3's ParseStandard after its time zone prefix: a descriptor, ``@every``
    and a Go duration, or five fields of comma-separated ranges (``*``, ``?``, ``N``,
    ``N-M``, each with an optional ``/step``; months and days by name too)."""
    if text.startswith("@"):
        return text in DESCRIPTORS or (text.startswith("@every ")
                                       and bool(_DURATION.match(text[len("@every "):])))
    fields = text.split()
    return len(fields) == 5 and all(
        _range(part, *bounds) for field, bounds in zip(fields, _FIELDS, strict=True)
        for part in field.split(",") if part)


def _range(expr: str, low: int, high: int, names: dict[str, int]) -> bool:
    """robfig/cron's getRange: ``*`` or ``?`` (whatever follows a hyphen is not read), a
    number or name, or a range, then an optional step; within bounds, step above zero."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if len(range_and_step) > 2 or (low_and_high[0] not in ("*", "?") and len(low_and_high) > 2):
        return False
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        bounds = [n for part in low_and_high if (n := _number(part, names)) is not None]
        if len(bounds) < len(low_and_high):
            return False
        start, end = bounds[0], bounds[-1]
    step = 1
    if len(range_and_step) == 2:
        found = _number(range_and_step[1], {})
        if found is None:
            return False
        step = found
        if len(low_and_high) == 1:
            end = high  # N/step is N-max/step
    return low <= start <= end <= high and step > 0


def _number(text: str, names: dict[str, int]) -> int | None:
    """parseIntOrName: a name (any case), or strconv.Atoi's number, not negative."""
    if text.lower() in names:
        return names[text.lower()]
    if not _ATOI.match(text) or int(text) < 0:
        return None
    return int(text)


def valid_zone(name: str) -> bool:
    """Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the operator's own zone, and
    any other name a zone of the IANA database."""
    if name in ("", "UTC", "Local"):
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
