"""Who is asking: a personal API token sent as `Authorization: Bearer <token>`, or nobody for the
public reads. Every request is counted against a rate per token (per client address without
one), in the cache the site's other limits use (core/ratelimit.py)."""

from __future__ import annotations

import re

from django.conf import settings
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from core.ratelimit import client_ip

from .errors import BAD_TOKEN, NO_TOKEN, READ_ONLY, TOO_MANY, NotAuthenticated, ScopeTooNarrow, TooMany
from .models import ApiToken
from .services import api_token_authenticate

BEARER = re.compile(r"^\s*Bearer\s+(\S+)\s*$", re.IGNORECASE)


class Anonymous:
    """request.auth of a public read asked without a token."""

    user = None

    def __bool__(self) -> bool:
        return True  # ninja lets a request through when auth answers something truthy


ANONYMOUS = Anonymous()


def _sent_token(request) -> ApiToken | None:
    """The token the request sends, None if it sends none; a wrong or revoked one is refused."""
    header = request.headers.get("Authorization", "")
    if not header.strip():
        return None
    match = BEARER.match(header)
    token = api_token_authenticate(match.group(1)) if match else None
    if token is None:
        _count(request, key=f"ip:{client_ip(request)}", rate=settings.RATELIMIT_API_ANONYMOUS)
        raise NotAuthenticated(BAD_TOKEN)
    return token


def _count(request, *, key: str, rate: str) -> None:
    usage = get_usage(request, group="api", key=lambda group, request: key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        seconds = max(int(usage["time_left"]), 1)
        raise TooMany(TOO_MANY % {"seconds": seconds}, headers={"Retry-After": str(seconds)})


def _count_token(request, token: ApiToken) -> None:
    _count(request, key=f"token:{token.pk}", rate=settings.RATELIMIT_API_PER_TOKEN)


class Public:
    """The public reads: anyone, or a token (then counted as that token). Not a security scheme
    of the schema, since none is needed."""

    def __call__(self, request):
        token = _sent_token(request)
        if token is None:
            _count(request, key=f"ip:{client_ip(request)}", rate=settings.RATELIMIT_API_ANONYMOUS)
            return ANONYMOUS
        _count_token(request, token)
        return token


class TokenAuth(HttpBearer):
    """A personal token; `book` asks for one that may book. Refusals are raised, so that each
    has its own message in the API's error shape (api/errors.py)."""

    def __init__(self, *, book: bool = False):
        super().__init__()
        self.book = book

    def __call__(self, request):
        token = _sent_token(request)
        if token is None:
            _count(request, key=f"ip:{client_ip(request)}", rate=settings.RATELIMIT_API_ANONYMOUS)
            raise NotAuthenticated(NO_TOKEN)
        _count_token(request, token)
        if self.book and not token.may_book:
            raise ScopeTooNarrow(READ_ONLY)
        return token

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return api_token_authenticate(token)
