"""RayCronJob schedules as robfig/cron v3's ParseStandard reads them (the operator's parser):
bounds, names, ranges, steps, descriptors and Go durations."""

from __future__ import annotations

import pytest

from generator.rules.raycronjob import valid_schedule, valid_zone


@pytest.mark.parametrize(("schedule", "accepted"), [
    ("0 * * * *", True), ("*/5 * * * *", True), ("0 0 * * MON-FRI", True), ("0 0 1 jan *", True),
    ("0 0 * * sun,SAT", True), ("0 0 ? * *", True), ("0 0 1-31/2 * *", True),
    ("5/10 * * * *", True),  # N/step is N-max/step
    ("*-5 * * * *", True),  # after * robfig reads no bound
    ("1,,2 * * * *", True),  # empty list items are skipped
    ("+5 * * * *", True),  # strconv.Atoi takes a sign
    ("@daily", True), ("@midnight", True), ("@every 1h30m", True), ("@every 1.5h", True),
    ("@every 0", True),
    ("0 0 * * 7", False),  # Sunday is 0 to robfig (croniter took 7)
    ("0 0 L * *", False), ("0 0 * * 1#2", False), ("0 0 W * *", False),  # croniter's extensions
    ("60 * * * *", False), ("0 24 * * *", False), ("0 0 0 * *", False), ("0 0 * 13 *", False),
    ("0/0 * * * *", False), ("5-1 * * * *", False), ("1-2-3 * * * *", False), ("-1 * * * *", False),
    ("0 * * *", False), ("0 * * * * *", False), ("@every", False), ("@every 5", False),
    ("@daily ", False), (" @daily", False), ("@Daily", False), ("@reboot", False),
])
def test_schedules_as_robfig_cron_parses_them(schedule: str, accepted: bool) -> None:
    assert valid_schedule(schedule) is accepted


@pytest.mark.parametrize(("zone", "loads"), [
    ("", True), ("UTC", True), ("Local", True), ("Europe/Paris", True), ("America/New_York", True),
    ("Mars/Olympus", False), ("../etc/passwd", False), ("utc", False),
])
def test_time_zones_as_go_loads_them(zone: str, loads: bool) -> None:
    assert valid_zone(zone) is loads
