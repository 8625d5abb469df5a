from django import template
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from ..middleware import VIEW_ZONE_SESSION_KEY
from ..timezones import zone_label

register = template.Library()


def viewer_language(request) -> str:
    """The language zone names are written in: the page's when it is not English (the switcher,
    the account), else the browser's first one (Accept-Language: "en-GB"), "en" when none."""
    page = translation.get_language() or "en"
    if not page.startswith("en"):
        return page
    for language, _ in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if language != "*":
            return language
    return "en"


@register.simple_tag(takes_context=True)
def viewer_zone_label(context) -> str:
    """The viewer's zone as people read it: "India Standard Time — Kolkata (UTC+05:30)"."""
    request = context["request"]
    return zone_label(request.viewer_zone.key, language=viewer_language(request))


@register.inclusion_tag("components/zone_switcher.html", takes_context=True)
def zone_switcher(context) -> dict:
    """Beside times: the zone they are shown in, searchable, and (signed in) an offer to keep it.
    The searchable list comes from `accounts:zone_list` when the field first gets the focus."""
    request = context["request"]
    language = viewer_language(request)
    zone = request.viewer_zone.key
    user = request.user
    viewing = request.session.get(VIEW_ZONE_SESSION_KEY) if user.is_authenticated else None
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "zone": zone,
        "label": zone_label(zone, language=language),
        "offer_save": bool(viewing) and viewing != user.timezone,
    }
