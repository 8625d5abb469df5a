from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation

from . import security
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


class LanguageMiddleware(LocaleMiddleware):
    """The page's language: a signed-in person's own (their settings), else what Django's
    LocaleMiddleware finds for everyone (the switcher's cookie, then Accept-Language, then English).
    An account without a language follows its browser, as a visitor does. Like the zone (above),
    the language is the request's only: the thread goes back to English once the response is
    made, so nothing that runs after it in the same thread speaks the last visitor's language."""

    async_capable = False  # __call__ below is synchronous (under ASGI, Django adapts it)

    def __call__(self, request):
        try:
            return super().__call__(request)
        finally:
            translation.deactivate()

    def process_request(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
        if user is not None and user.is_authenticated:
            remember_browser_language(user, request.LANGUAGE_CODE)


def remember_browser_language(user, language: str) -> None:
    """Keep the language an account without its own is read in, for its e-mails: one write when
    the browser's changes (English, the site's, is kept as blank)."""
    seen = "" if language == settings.LANGUAGE_CODE else language
    if seen != user.browser_language:
        get_user_model().objects.filter(pk=user.pk).update(browser_language=seen)
        user.browser_language = seen


class AccountSecurityMiddleware:
    """Sets the known-device cookie of a browser that just signed in (accounts.security.signed_in).
    And staff, who can refund money, suspend mentors and read private threads: their sessions end
    after STAFF_IDLE_TIMEOUT_SECONDS without a request, and the admin (and every view marked
    `accounts.security.staff_area`) opens only once they have a second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            # Saved with every request, so the session lasts this long after the last one.
            request.session.set_expiry(settings.STAFF_IDLE_TIMEOUT_SECONDS)
        response = self.get_response(request)
        security.remember_device(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        in_staff_area = getattr(view_func, "staff_area", False) or (match and match.app_name == "admin")
        if in_staff_area and security.needs_second_factor(request.user):
            return security.second_factor_required(request)
        return None


class SessionActivityMiddleware:
    """Keeps each signed-in browser's last use and address (allauth.usersessions' list) fresh to
    within SESSION_ACTIVITY_EVERY: one UPDATE when that much time has passed, not one a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            security.note_activity(request)
        return self.get_response(request)
