import zoneinfo

from django.utils import timezone


class TimezoneMiddleware:
    """Show every time in the viewer's zone: their account setting, else the browser's cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        name = user.timezone if signed_in else request.COOKIES.get("tz")
        try:
            zone = zoneinfo.ZoneInfo(name) if name else zoneinfo.ZoneInfo("UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        request.viewer_zone = zone
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
