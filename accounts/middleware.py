from urllib.parse import unquote

from django.utils import timezone

from .timezones import zone_or_utc

TIMEZONE_COOKIE = "tz"  # written by static/js/timezone.js, URL-encoded ("Asia%2FTokyo")
TIMEZONE_CHOSEN_COOKIE = "tz_chosen"  # the visitor picked the zone: the browser's does not replace it
VIEW_ZONE_SESSION_KEY = "view_zone"  # a signed-in person looking at times in another zone


class TimezoneMiddleware:
    """Show every time in the viewer's zone: the one they switched to on this visit, else their
    account setting; for visitors the cookie (the browser's zone, or one they picked).

    Whatever the cookie holds, a name that is not a zone is ignored and the page is in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            viewing = request.session.get(VIEW_ZONE_SESSION_KEY)
            zone = zone_or_utc(viewing) if viewing else user.zone
        else:
            zone = zone_or_utc(unquote(request.COOKIES.get(TIMEZONE_COOKIE, "")))
        request.viewer_zone = zone
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
