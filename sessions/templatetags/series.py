"""The weekly series a booking belongs to, for its page (sessions/_series.html)."""

from django import template

from ..series_forms import WEEK_CHOICES
from ..services.series import series_of

register = template.Library()


@register.simple_tag
def booking_series(booking):
    """The occurrences of the booking's series, in order (empty for a single booking)."""
    return series_of(booking)


@register.simple_tag
def series_week_choices():
    return WEEK_CHOICES
