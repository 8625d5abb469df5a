"""The IANA zones a user or mentor can pick, and the one way to read a zone's name we were given."""

import zoneinfo
from functools import cache

UTC = zoneinfo.ZoneInfo("UTC")


@cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC"))


@cache
def known_zone_names() -> frozenset[str]:
    """Every zone tzdata knows, old aliases a browser may still report (Asia/Calcutta) included."""
    return frozenset(zoneinfo.available_timezones())


def zone_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of that name, or UTC for anything tzdata does not list as a zone.

    Looked up in the list, not by opening the file: `ZoneInfo("America")` opens a folder of
    tzdata, and a name longer than a file name can be fails too, both with an OSError."""
    return zoneinfo.ZoneInfo(name) if name in known_zone_names() else UTC


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezone_names()]


def validate_timezone(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value not in timezone_names():
        raise ValidationError("Choose a time zone from the list, e.g. Europe/Berlin.")
