"""Rate limits on the writes a person can repeat quickly (booking, messages), by django-ratelimit.

Counters live in the default cache, which every web process shares (Redis in production, the
database cache in the embedded default), so two gunicorn workers count one person's requests
together. A request over a limit is not refused here: the view sees `request.limited`, creates
nothing and shows its form again with `TOO_MANY` and HTTP 429, like any other refusal.
The numbers are settings (RATELIMIT_BOOKING_PER_USER …, see config/settings.py and the README).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

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
    set `request.limited` when either is over its rate. Goes inside `login_required`.

    With the counters unreachable (Redis down) the request is let through and the outage logged:
    the limits guard against abuse, and an outage must not stop every booking (found by
    bench/faults.py redis: each booking POST answered 500 while Redis was stopped)."""

    def decorator(view):
        @functools.wraps(view)
        def limited_view(request, *args, **kwargs):
            if request.method == "POST":
                request.limited = _over_limit(request, group, per_user=per_user, per_ip=per_ip)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def _over_limit(request, group: str, *, per_user: str, per_ip: str) -> bool:
    try:
        counts = [
            is_ratelimited(request, group=group, key=key, rate=_rate(setting), method="POST", increment=True)
            for key, setting in (("ip", per_ip), ("user", per_user))
        ]
    except (RedisError, OSError):
        logger.error("rate-limit counters unreachable: %s not limited", group, exc_info=True)
        return False
    return any(counts)


def is_limited(request) -> bool:
    return getattr(request, "limited", False)
