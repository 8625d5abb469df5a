"""How the viewer reads times and calendars: a 12- or 24-hour clock, and the day a week starts on.

From their browser's first language (Accept-Language), region included ("en-US": 12-hour,
Sunday; "en-GB", "fr": 24-hour, Monday), while the page is in English (the source language) or in
that same language; a page in another language than the browser's (a German page chosen in the
switcher or the account) follows the page's language: 24-hour, Monday, never "2:30 pm". Pure and
cheap; `viewer_clock` keeps the answer on the request, so a page works it out once however many
times it prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_time
from django.utils import translation

from core.dates import babel_locale, format_moment, uses_source_style

# Regions (and bare languages) whose people read a 12-hour clock; every other locale gets 24-hour.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "IN", "PH", "PK", "BD", "EG", "SA", "MX", "CO"})
TWELVE_HOUR_LANGUAGES = frozenset({"en", "hi", "bn", "ur"})
MONDAY = 0


def first_language(accept_language: str) -> str:
    """ "en-US,en;q=0.9" -> "en-US"; "" when the header names none."""
    first = accept_language.split(",")[0].split(";")[0].strip().replace("_", "-")
    return "" if first == "*" else first


def uses_twelve_hour_clock(accept_language: str) -> bool:
    """The viewer's first language tag decides: "en-US" -> 12-hour, "en-GB", "de", "fr" -> 24-hour."""
    first = first_language(accept_language)
    if not first:
        return False
    parts = first.split("-")
    language = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2), "")
    if region:
        return region in TWELVE_HOUR_REGIONS
    return language in TWELVE_HOUR_LANGUAGES


def first_weekday(accept_language: str) -> int:
    """The day the viewer's weeks start on (0 = Monday … 6 = Sunday), by CLDR through Babel:
    "en-US" and bare "en" -> Sunday, "de", "en-GB", "fr" -> Monday. Monday when unknown."""
    first = first_language(accept_language)
    if not first:
        return MONDAY
    try:
        locale = Locale.parse(first, sep="-")
        if locale.territory is None:  # a bare language: its most likely region ("en" -> en_US)
            likely = get_global("likely_subtags").get(locale.language)
            locale = Locale.parse(likely) if likely else locale
    except (UnknownLocaleError, ValueError, TypeError, KeyError):
        return MONDAY
    return locale.first_week_day


def clock_label(moment: datetime, *, twelve_hour: bool) -> str:
    """ "2:30 pm" or "14:30" (the moment is already in the viewer's zone); in another language
    than English, its own way of writing a 12-hour time ("2:30 p. m.")."""
    if not twelve_hour:
        return f"{moment:%H:%M}"
    if not uses_source_style():
        locale = babel_locale()
        if locale is not None:
            return format_time(moment, "h:mm a", locale=locale)
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"


def moment_label(local: datetime, *, twelve_hour: bool, date_part: str = "") -> str:
    """The time in the viewer's clock, after the date in `date_part`'s format when one is given:
    "Mon 30 Mar, 2:30 pm", "lun, 30 mar, 14:30" (the moment is already in the viewer's zone)."""
    time = clock_label(local, twelve_hour=twelve_hour)
    if not date_part:
        return time
    day = format_moment(local, date_part)
    if uses_source_style():
        return f"{day}, {time}"
    locale = babel_locale()
    return locale.datetime_formats["medium"].format(time, day) if locale else f"{day}, {time}"


def clock_language(accept_language: str, language: str | None = None) -> str:
    """The language tag the clock and calendar follow: the browser's first one on an English page or
    a page in the browser's language (its region then counts: "en-GB", "es-MX"), else the page's."""
    page = (language or translation.get_language() or "en").lower()
    first = first_language(accept_language)
    if uses_source_style(page) or (first and first.split("-")[0].lower() == page.split("-")[0]):
        return first
    return page


@dataclass(frozen=True)
class ViewerClock:
    twelve_hour: bool
    first_weekday: int


def viewer_clock(request) -> ViewerClock:
    """The viewer's clock, worked out once per request."""
    clock = getattr(request, "_viewer_clock", None)
    if clock is None:
        tag = clock_language(request.headers.get("Accept-Language", ""))
        clock = ViewerClock(twelve_hour=uses_twelve_hour_clock(tag), first_weekday=first_weekday(tag))
        request._viewer_clock = clock
    return clock
