"""Rate limits on the writes a person can repeat quickly (booking, messages), by django-ratelimit.

Counters live in the default cache, which every web process shares (Redis in production, the
database cache in the embedded default), so two gunicorn workers count one person's requests
together. A request over a limit is not refused here: the view asks `refused_as_too_many`, creates
nothing and shows its form again with `TOO_MANY` and HTTP 429, like any other refusal.
The numbers are settings (RATELIMIT_BOOKING_PER_USER …, see config/settings.py and the README).
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.decorators import ratelimit

TOO_MANY = "Too many attempts in a short time: nothing was sent. Please wait a minute and try again."


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies of our own, the
    address the outermost of them saw (the n-th from the right in X-Forwarded-For; what a client
    puts further left is never trusted). The same rule allauth applies to its own limits."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= count and hops[-count]:
            return hops[-count]
    return request.META["REMOTE_ADDR"]


def _rate(setting: str):
    """Read the rate when the request comes, so a settings change (or a test) takes effect."""

    def rate(group, request) -> str:
        return getattr(settings, setting)

    return rate


def limit_posts(group: str, *, per_user: str, per_ip: str):
    """Count the view's POSTs per signed-in user and per client IP (both counted on every POST);
    set `request.limited` when either is over its rate. Goes inside `login_required`."""

    def decorator(view):
        by_ip = ratelimit(group=group, key="ip", rate=_rate(per_ip), method="POST", block=False)
        by_user = ratelimit(group=group, key="user", rate=_rate(per_user), method="POST", block=False)
        return by_user(by_ip(view))

    return decorator


def refused_as_too_many(request, form) -> bool:
    """Whether the request is over a limit; if so the bound `form` says so (with its own errors,
    if any) and the caller shows it again with HTTP 429."""
    if not getattr(request, "limited", False):
        return False
    form.is_valid()
    form.add_error(None, TOO_MANY)
    return True
