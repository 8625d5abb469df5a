"""Dates and times written the way the reader's language writes them (Babel, CLDR data).

Templates keep Django's format strings (`|date:"l j F Y, H:i"`, `{% clock at "D j M" %}`): each
one the site uses names a *kind* of date ("weekday, day and month in full, with the year"), and
here every kind has its pattern per language. English keeps Django's own output (the site's house
style, "Sat 5 Dec"); Spanish and German get CLDR's ("sáb, 5 dic", "Sa., 5. Dez."); a language
without a pattern of its own gets Babel's nearest skeleton. Formats that are for machines ("c",
"Y-m-d", "Y-m") and any format not listed stay exactly Django's.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from django.conf import settings
from django.template.defaultfilters import date as django_date
from django.utils import dateformat, translation

# Django's date part -> the pattern per language, and the CLDR skeleton for any other language.
PATTERNS: dict[str, dict[str, str]] = {
    "l j F Y": {"es": "EEEE, d 'de' MMMM 'de' y", "de": "EEEE, d. MMMM y", "*": "yMMMMEEEEd"},
    "l j F": {"es": "EEEE, d 'de' MMMM", "de": "EEEE, d. MMMM", "*": "MMMMEEEEd"},
    "j F Y": {"es": "d 'de' MMMM 'de' y", "de": "d. MMMM y", "*": "yMMMMd"},
    "j F": {"es": "d 'de' MMMM", "de": "d. MMMM", "*": "MMMMd"},
    "j M Y": {"es": "d MMM y", "de": "d. MMM y", "*": "yMMMd"},
    "j M": {"es": "d MMM", "de": "d. MMM", "*": "MMMd"},
    "D j M Y": {"es": "EEE, d MMM y", "de": "EEE, d. MMM y", "*": "yMMMEd"},
    "D j M": {"es": "EEE, d MMM", "de": "EEE, d. MMM", "*": "MMMEd"},
    "M Y": {"es": "MMM y", "de": "MMM y", "*": "yMMM"},
    "F Y": {"es": "MMMM 'de' y", "de": "MMMM y", "*": "yMMMM"},
    "F": {"es": "LLLL", "de": "LLLL", "*": "LLLL"},
}
# A date part, then optionally the 24-hour time and the zone's abbreviation: "D j M Y, H:i T".
_FORMAT = re.compile(r"^(?P<date>[^,]*?)(?:,? ?(?P<time>H:i)(?P<zone> T)?)?$")
SOURCE_LANGUAGE = "en"


def babel_locale(language: str | None = None) -> Locale | None:
    """The Babel locale of a language code ("es", "de", "pt-br"); None when Babel has none."""
    return _locale(language or translation.get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=64)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def uses_source_style(language: str | None = None) -> bool:
    """English (and no language at all) keeps Django's formats as written."""
    code = (language or translation.get_language() or SOURCE_LANGUAGE).split("-")[0].lower()
    return code == SOURCE_LANGUAGE


def _date_part(value: date, part: str, locale: Locale) -> str | None:
    patterns = PATTERNS.get(part)
    if patterns is None:
        return None
    pattern = patterns.get(locale.language)
    if pattern is None:
        return format_skeleton(patterns["*"], value, locale=locale)
    return format_date(value, pattern, locale=locale)


def format_moment(value: date | datetime, format_string: str, *, language: str | None = None) -> str:
    """`value` (already in the reader's zone) in the kind of date `format_string` names, in the
    reader's language; Django's own formatting for English and for formats not listed."""
    if uses_source_style(language):
        return dateformat.format(value, format_string)
    match = _FORMAT.match(format_string)
    locale = babel_locale(language)
    if match is None or locale is None or (match["time"] and not isinstance(value, datetime | time)):
        return dateformat.format(value, format_string)
    parts = []
    if match["date"]:
        written = _date_part(value, match["date"], locale)
        if written is None:
            return dateformat.format(value, format_string)
        parts.append(written)
    if match["time"]:
        moment = format_time(value, "HH:mm", locale=locale)
        parts.append(moment + (" " + dateformat.format(value, "T") if match["zone"] else ""))
    if len(parts) == 2:
        return locale.datetime_formats["medium"].format(parts[1], parts[0])
    return parts[0] if parts else dateformat.format(value, format_string)


def date_filter(value, arg: str | None = None) -> str:
    """Django's `date` filter, written in the active language (see the module's docstring)."""
    if value in (None, ""):
        return ""
    if not arg or uses_source_style() or not isinstance(value, date | time):
        return django_date(value, arg)
    try:
        return format_moment(value, arg)
    except (AttributeError, ValueError, TypeError):
        return ""
