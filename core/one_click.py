"""Signed one-click links: the only GET requests that may change something.

Stripe sends a mentee back from a checkout they left with a GET to the address we gave it, and
the results of /match/ are opened with a GET. Such an address carries a signature of its path
and of the person it was made for, so another site cannot make a visitor's browser change
anything by linking or embedding it: without a valid signature (forged, someone else's, expired)
the view asks for a confirming POST or does nothing.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.core import signing

PARAM = "signed"
SALT = "core.one_click"
# Stripe's checkout sessions live at most 24 hours; a link older than this is refused.
MAX_AGE = timedelta(days=2)


def _value(path: str, user_id) -> str:
    return f"{user_id}|{path}"


def one_click_url(path: str, *, user) -> str:
    """`path` (no query string) with a signature that is valid only for `user`."""
    value = _value(path, user.pk)
    signature = signing.TimestampSigner(salt=SALT).sign(value)[len(value) + 1 :]
    return f"{path}?{urlencode({PARAM: signature})}"


def is_one_click(request) -> bool:
    """Whether this GET came through a link signed for this path and the signed-in visitor."""
    signature = request.GET.get(PARAM, "")
    if request.method != "GET" or not signature or not request.user.is_authenticated:
        return False
    value = _value(request.path, request.user.pk)
    try:
        signing.TimestampSigner(salt=SALT).unsign(f"{value}:{signature}", max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    return True
