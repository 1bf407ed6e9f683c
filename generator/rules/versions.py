"""Which derived release of Ray a cluster is checked against."""

from __future__ import annotations


def derived_for(version: tuple[int, ...] | None, derived: list[str]) -> str:
    """The newest derived release (``"2.52"``) at or below ``version``'s minor; the oldest
    for an older Ray; the newest when the version is not known."""
    if not derived:
        raise LookupError("no derived releases")
    if version is None or len(version) < 2:
        return derived[-1]
    wanted = version[:2]
    fitting = [d for d in derived if tuple(int(x) for x in d.split(".")) <= wanted]
    return fitting[-1] if fitting else derived[0]
