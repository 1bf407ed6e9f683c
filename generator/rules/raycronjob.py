"""KubeRay's RayCronJob rules (``ValidateRayCronJobSpec``), release by release: 1.6 parses the
schedule with robfig/cron's ParseStandard alone (its ``TZ=`` prefix included); 1.7 bounds the
name, refuses TZ in the schedule and adds ``timeZone``. The job template is a RayJobSpec."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import JOB_TEMPLATE, KINDS, RAY_CRON_JOB
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import mapping
from generator.rules.raycluster import warning
from generator.rules.registry import object_rule
from generator.rules.workloads import GO_DURATION, job_spec


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


def valid_schedule(text: str) -> bool:
    """robfig/cron's ParseStandard: five fields, a descriptor, or @every <duration>."""
    text = text.strip()
    if text in DESCRIPTORS:
        return True
    if text.startswith("@every "):
        return bool(GO_DURATION.match(text[len("@every "):].strip()))
    fields = text.split()
    # robfig/cron has no L, W or # (croniter has): the operator refuses them
    if len(fields) != 5 or any(re.search(r"[LW#]", f.upper().replace("WED", "")
                                         .replace("JUL", "").replace("APR", "")) for f in fields):
        return False
    # croniter costs ~0.15 s to import: only a RayCronJob pays for it
    from croniter import croniter

    try:
        croniter(text, datetime(2026, 1, 1))
    except (ValueError, KeyError):
        return False
    return croniter.is_valid(text)


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
