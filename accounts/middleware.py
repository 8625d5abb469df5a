from urllib.parse import unquote

from django.utils import timezone

from .timezones import zone_or_utc

TIMEZONE_COOKIE = "tz"  # written by static/js/timezone.js, URL-encoded ("Asia%2FTokyo")


class TimezoneMiddleware:
    """Show every time in the viewer's zone: their account setting, else the browser's cookie.

    Whatever the cookie holds, a name that is not a zone is ignored and the page is in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone = user.zone
        else:
            zone = zone_or_utc(unquote(request.COOKIES.get(TIMEZONE_COOKIE, "")))
        request.viewer_zone = zone
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
