"""Making, revoking and checking personal API tokens. A token is shown once, when made: only its
SHA-256 is kept, so a stolen database does not give working tokens (docs/design/api.md)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from .models import ApiToken

TOKEN_START = "tm_"
PREFIX_LENGTH = 8  # hex characters after TOKEN_START: how a token is found and shown
MAX_ACTIVE_TOKENS = 10
HEX = re.compile(rf"[0-9a-f]{{{PREFIX_LENGTH}}}")
LAST_USED_EVERY = timedelta(minutes=1)  # at most one write a minute per token


class ApiTokenError(DomainError):
    pass


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the row and the token itself, which is never shown again."""
    name = name.strip()
    if not name:
        raise ApiTokenError(_("Give the token a name, e.g. the app that will use it."), field="name")
    if scope not in ApiToken.Scope.values:
        raise ApiTokenError(_("Choose what the token may do."), field="scope")
    with transaction.atomic():
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise ApiTokenError(
                _("You have %(count)d active tokens: revoke one you no longer use first.")
                % {"count": MAX_ACTIVE_TOKENS}
            )
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            user=user, name=name[:60], scope=scope, prefix=prefix, secret_hash=_digest(raw)
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token of one's own (or any, for staff): it stops working at once (idempotent)."""
    if token.user_id != by.pk and not by.is_staff:
        raise ApiTokenError(_("This token is not yours."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The active token `raw` is, with its user, or None (unknown, wrong or revoked). Notes when
    it was last used, at most once a minute."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_START) or len(raw) > 100:
        return None
    prefix = raw[len(TOKEN_START) : len(TOKEN_START) + PREFIX_LENGTH]
    if not HEX.fullmatch(prefix):  # only what we make is looked up (never a NUL or any text)
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(raw)):
        return None
    now = now or timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
