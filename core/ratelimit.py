"""Rate limits on the writes a person can repeat quickly (booking, messages), by django-ratelimit.

Counters live in the default cache, which every web process shares (Redis in production, the
database cache in the embedded default), so two gunicorn workers count one person's requests
together. A request over a limit is not refused here: the view asks `refused_as_too_many`, creates
nothing and shows its form again with `TOO_MANY` and HTTP 429, like any other refusal.
The numbers are settings (RATELIMIT_BOOKING_PER_USER …), read from the environment
(docs/design/rate-limits.md).
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from django_ratelimit.decorators import ratelimit

logger = logging.getLogger("core.ratelimit")

TOO_MANY = gettext_noop(
    "Too many attempts in a short time: nothing was sent. Please wait a minute and try again."
)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies of our own, the
    address the outermost of them saw (the n-th from the right in X-Forwarded-For; what a client
    puts further left is never trusted). allauth reads it here too (accounts.adapter).

    A hop that is not an IP address (a proxy misconfigured, or one that passes on what the client
    sent when it should append) counts as REMOTE_ADDR, with a warning in the log."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return _remote_addr(request)
    hops = forwarded.split(",")
    if len(hops) < count:
        logger.warning(
            "X-Forwarded-For has %d hops, fewer than TRUSTED_PROXY_COUNT (%d): counting REMOTE_ADDR",
            len(hops),
            count,
        )
        return _remote_addr(request)
    address = ip_address_or_none(hops[-count])
    if address is None:
        logger.warning(
            "X-Forwarded-For hop %r is not an IP address: counting REMOTE_ADDR",
            hops[-count][:MAX_ADDRESS_LENGTH],
        )
        return _remote_addr(request)
    return address


MAX_ADDRESS_LENGTH = 64  # "[" + the longest IPv6 with a zone id + "]:65535" fits
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a key for the counters, never bound to


def ip_address_or_none(text: str) -> str | None:
    """The address in `text` as proxies write one: bare, IPv6 in brackets, IPv4 or bracketed IPv6
    followed by a port; normalised (so one client has one key). None if it is none of these."""
    text = text.strip()
    if not text or len(text) > MAX_ADDRESS_LENGTH:
        return None
    host, port = text, None
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    if port is not None and not (port.isascii() and port.isdigit() and len(port) <= 5):
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _remote_addr(request) -> str:
    remote = ip_address_or_none(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        # A server on a Unix socket leaves it empty: every client then shares one counter.
        logger.error(
            "REMOTE_ADDR %r is not an IP address; set TRUSTED_PROXY_COUNT behind a proxy",
            request.META.get("REMOTE_ADDR", "")[:MAX_ADDRESS_LENGTH],
        )
        return UNKNOWN_ADDRESS
    return remote


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
    form.add_error(None, gettext(TOO_MANY))
    return True
