"""The IANA zones a user or mentor can pick, their names as people read them, and the one way to
read a zone's name we were given.

Zones are shown and stored by their canonical IANA name (Asia/Kolkata, not Asia/Calcutta): an
old alias a browser or an older row still reports is read as the zone it stands for. The names
people read ("India Standard Time — Kolkata (UTC+05:30)") come from Babel's CLDR data.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location, get_timezone_name
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

UTC = zoneinfo.ZoneInfo("UTC")
UTC_LABEL = gettext_noop("Coordinated Universal Time (UTC)")


@cache
def zone_aliases() -> dict[str, str]:
    """Old name -> canonical name, as CLDR keeps them (Asia/Calcutta -> Asia/Kolkata); every name
    of universal time is read as "UTC", the name the product stores."""
    aliases = {old: "UTC" if new == "Etc/UTC" else new for old, new in get_global("zone_aliases").items()}
    aliases.pop("UTC", None)
    aliases["Etc/UTC"] = "UTC"
    return aliases


def canonical_zone_name(name: str) -> str:
    return zone_aliases().get(name, name)


@cache
def known_zone_names() -> frozenset[str]:
    """Every zone tzdata knows, old aliases a browser may still report (Asia/Calcutta) included."""
    return frozenset(zoneinfo.available_timezones())


@cache
def timezone_names() -> tuple[str, ...]:
    """The zones offered for choosing: canonical names of places (and UTC), no aliases."""
    aliases = zone_aliases()
    return tuple(
        sorted(
            name
            for name in known_zone_names()
            if (name == "UTC" or ("/" in name and not name.startswith("Etc/"))) and name not in aliases
        )
    )


def zone_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of that name (an alias read as its canonical zone), or UTC for anything tzdata
    does not list as a zone.

    Looked up in the list, not by opening the file: `ZoneInfo("America")` opens a folder of
    tzdata, and a name longer than a file name can be fails too, both with an OSError."""
    if name not in known_zone_names():
        return UTC
    return zoneinfo.ZoneInfo(canonical_zone_name(name))


def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def _offset(zone: zoneinfo.ZoneInfo, at: datetime) -> str:
    minutes = int(at.astimezone(zone).utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def _keeps_one_offset(zone: zoneinfo.ZoneInfo, year: int) -> bool:
    january, july = (datetime.combine(date(year, m, 1), time(12), tzinfo=UTC) for m in (1, 7))
    return january.astimezone(zone).utcoffset() == july.astimezone(zone).utcoffset()


@cache
def _zone_label(name: str, language: str, day: date) -> str:
    if name == "UTC":
        with translation.override(language):
            return gettext(UTC_LABEL)
    zone = zoneinfo.ZoneInfo(name)
    locale = _locale(language)
    # A zone without summer time is named by its standard time ("India Standard Time"); one with
    # it by the generic name ("Eastern Time"), which is right all year.
    variant = "standard" if _keeps_one_offset(zone, day.year) else "generic"
    zone_name = get_timezone_name(zone, "long", zone_variant=variant, locale=locale)
    city = get_timezone_location(zone, locale=locale, return_city=True)
    at = datetime.combine(day, time(12), tzinfo=UTC)
    return f"{zone_name} — {city} ({_offset(zone, at)})"


def zone_label(name: str, *, language: str | None = "en", at: datetime | None = None) -> str:
    """ "India Standard Time — Kolkata (UTC+05:30)": the offset is the one in force on that day."""
    day = (at or timezone.now()).date()
    return _zone_label(canonical_zone_name(name), (language or "en").lower(), day)


def timezone_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every zone offered, labelled for people (in `language`, else the page's), ordered by offset
    then name (as clocks are)."""
    language = language or translation.get_language() or "en"
    now = timezone.now()

    def by_offset(name: str) -> tuple:
        return (
            datetime.combine(now.date(), time(12), tzinfo=UTC)
            .astimezone(zoneinfo.ZoneInfo(name))
            .utcoffset(),
            name,
        )

    return [
        (name, zone_label(name, language=language, at=now))
        for name in sorted(timezone_names(), key=by_offset)
    ]


def validate_timezone(value: str) -> None:
    """Stored zones are IANA names; old aliases already stored stay valid (they are read as their
    canonical zone)."""
    if value not in known_zone_names() or ("/" not in value and value != "UTC"):
        raise ValidationError(_("Choose a time zone from the list, e.g. Europe/Berlin."))


class TimeZoneField(forms.ChoiceField):
    """A zone chosen from the list by its canonical name; an old alias (sent by an older browser,
    or already stored) is read as the zone it stands for, so it shows selected and saves as the
    canonical name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", timezone_choices)
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return canonical_zone_name(value) if isinstance(value, str) else value

    def to_python(self, value):
        return canonical_zone_name(super().to_python(value))


def canonicalize_stored_zones(model: type, field: str = "timezone") -> int:
    """Rewrite stored aliases as their canonical names (a data migration's step)."""
    aliases = zone_aliases()
    changed = 0
    for alias in (
        model.objects.filter(**{f"{field}__in": list(aliases)}).values_list(field, flat=True).distinct()
    ):
        changed += model.objects.filter(**{field: alias}).update(**{field: aliases[alias]})
    return changed
