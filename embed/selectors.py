from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from mentors.models import MentorProfile
from sessions.models import Offering
from sessions.selectors import published_offerings

from .models import Widget
from .origins import parse_origin


def allowed_origins(*, mentor_slug: str) -> list[str]:
    """The sites that may frame this mentor's widget (none: no row, or an empty list)."""
    found = Widget.objects.filter(mentor__slug=mentor_slug).values_list("allowed_origins", flat=True).first()
    if not isinstance(found, list):
        return []
    # Saved through WidgetForm or Widget.clean: checked again, so nothing but an origin is ever sent.
    return [origin for origin in found if isinstance(origin, str) and _is_origin(origin)]


def _is_origin(text: str) -> bool:
    try:
        return parse_origin(text, local_http=settings.EMBED_LOCAL_HTTP_ORIGINS) == text
    except ValidationError:
        return False


def widget_for(*, mentor: MentorProfile) -> Widget:
    """The mentor's widget settings, unsaved defaults when they never saved any."""
    return Widget.objects.filter(mentor=mentor).first() or Widget(mentor=mentor)


def widget_mentor(*, slug: str) -> MentorProfile:
    """The mentor whose widget this is, with their widget settings; 404 for no such mentor."""
    mentor = MentorProfile.objects.filter(slug=slug).select_related("user", "widget").first()
    if mentor is None:
        raise Http404("No such mentor.")
    return mentor


def widget_offerings(*, mentor: MentorProfile) -> QuerySet[Offering]:
    """What the widget offers: the mentor's published 1:1 offerings (none while they are not
    approved), cheapest first, as on their profile."""
    return published_offerings().filter(mentor=mentor)


def widget_offering(*, mentor: MentorProfile, slug: str) -> Offering:
    offering = widget_offerings(mentor=mentor).filter(slug=slug).first()
    if offering is None:
        raise Http404("No such offering.")
    return offering
