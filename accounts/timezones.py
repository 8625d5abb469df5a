"""The IANA zones a user or mentor can pick."""

import zoneinfo
from functools import cache


@cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC"))


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezone_names()]


def validate_timezone(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value not in timezone_names():
        raise ValidationError("Choose a time zone from the list, e.g. Europe/Berlin.")
