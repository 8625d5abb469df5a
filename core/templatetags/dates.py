"""A template builtin (settings.TEMPLATES "builtins"): Django's `date` filter in the reader's
language, so every `|date:"…"` in every template follows the active language (core/dates.py)."""

from django import template

from core.dates import date_filter

register = template.Library()
register.filter("date", date_filter, expects_localtime=True, is_safe=False)
