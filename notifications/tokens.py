"""The signed links in an action-item check-in: they name one item and its mentee, and expire.

They stand in for a login, so they can do one thing only: answer for that one item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

SALT = "notifications.checkin"
NOT_VALID = _("This link is not valid. Please use the link from the e-mail as it is.")
CHECKIN_LINK_MAX_AGE = timedelta(days=14)


class CheckinLinkError(DomainError):
    """The link cannot be used; `status` is the page's HTTP status (410 when it expired)."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckinClaim:
    action_item_id: int
    user_id: int


def checkin_token_make(*, action_item_id: int, user_id: int) -> str:
    return signing.dumps({"item": action_item_id, "user": user_id}, salt=SALT)


def checkin_token_read(token: str) -> CheckinClaim:
    """What a token names, or CheckinLinkError when it was altered, expired or is not ours."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=CHECKIN_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise CheckinLinkError(
            _("This link has expired. Log in and open the session to mark your action item.")
        ) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise CheckinLinkError(NOT_VALID) from error
    try:
        return CheckinClaim(action_item_id=int(payload["item"]), user_id=int(payload["user"]))
    except (KeyError, TypeError, ValueError) as error:
        raise CheckinLinkError(NOT_VALID) from error
