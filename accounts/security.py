"""Account security: what happens when someone signs in, and what staff need before the admin.

- Every sign-in records the browser (`KnownDevice`, recognised by a random token in a long-lived
  signed cookie); one not seen before, on an account with a second factor or a staff account,
  sends its owner an e-mail with the browser, address and time.
- Staff sign-ins, and failed attempts on staff accounts, go into the audit log.
- Staff without a second factor see `second_factor_required` instead of the admin or the insight
  page; their sessions end after STAFF_IDLE_TIMEOUT_SECONDS without a request.
"""

from __future__ import annotations

import hashlib
import secrets

from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.audit import audit
from core.ratelimit import client_ip

from . import tasks
from .models import KnownDevice, User

DEVICE_COOKIE = "device"
DEVICE_COOKIE_SALT = "accounts.known-device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 60 * 60  # the most browsers keep a cookie
NEW_DEVICE_TOKEN = "_new_device_token"  # request attribute: the cookie to set on the response
ACTIVITY_SESSION_KEY = "activity_noted_at"
SESSION_ACTIVITY_EVERY = 5 * 60  # seconds


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signed_in(*, request: HttpRequest, user: User) -> None:
    """Someone just signed in (any way: password, code, passkey, provider)."""
    now = timezone.now()
    token = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT)
    user_agent = request.headers.get("user-agent", "")[:300]
    ip = client_ip(request) or None
    with transaction.atomic():
        if token and KnownDevice.objects.filter(user=user, token_hash=_token_hash(token)).update(
            last_seen_at=now, user_agent=user_agent, ip=ip
        ):
            new_device = None
        else:
            token = secrets.token_urlsafe(32)
            setattr(request, NEW_DEVICE_TOKEN, token)
            new_device = KnownDevice.objects.create(
                user=user,
                token_hash=_token_hash(token),
                user_agent=user_agent,
                ip=ip,
                first_seen_at=now,
                last_seen_at=now,
            )
        request.session[ACTIVITY_SESSION_KEY] = int(now.timestamp())
        if user.is_staff:
            audit(actor=user, action="staff.sign_in", target=user, reason=_where(ip, user_agent))
        if new_device and (user.is_staff or is_mfa_enabled(user)):
            tasks.send_new_device.delay_on_commit(new_device.pk)


def note_activity(request: HttpRequest) -> None:
    """The browser's session was used: its last use and address, if not noted in the last minutes."""
    now = timezone.now()
    if int(now.timestamp()) - request.session.get(ACTIVITY_SESSION_KEY, 0) < SESSION_ACTIVITY_EVERY:
        return
    seen = {"last_seen_at": now} | ({"ip": ip} if (ip := client_ip(request)) else {})
    UserSession.objects.filter(session_key=request.session.session_key, user_id=request.user.pk).update(
        **seen
    )
    request.session[ACTIVITY_SESSION_KEY] = int(now.timestamp())


def sign_in_failed(*, request: HttpRequest | None, email: str) -> None:
    """A wrong password for an address: recorded when the account is a staff one."""
    user = User.objects.filter(email__iexact=email, is_staff=True).first() if email else None
    if user is None:
        return
    ip = client_ip(request) if request is not None else ""
    user_agent = request.headers.get("user-agent", "")[:300] if request is not None else ""
    audit(actor=None, action="staff.sign_in_failed", target=user, reason=_where(ip, user_agent))


def _where(ip: str | None, user_agent: str) -> str:
    return f"From {ip or 'an unknown address'}, {user_agent or 'an unknown browser'}"


def remember_device(request: HttpRequest, response: HttpResponse) -> None:
    """Set the cookie of a browser recorded by `signed_in` during this request."""
    token = getattr(request, NEW_DEVICE_TOKEN, None)
    if token:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            token,
            salt=DEVICE_COOKIE_SALT,
            max_age=DEVICE_COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def needs_second_factor(user) -> bool:
    """A staff member who has not set up a second factor yet."""
    return (
        settings.STAFF_REQUIRE_SECOND_FACTOR
        and user.is_authenticated
        and user.is_staff
        and not is_mfa_enabled(user)
    )


def second_factor_required(request: HttpRequest) -> HttpResponse:
    """What a staff member without a second factor sees instead of a staff page."""
    return render(request, "accounts/second_factor_required.html", status=403)


def staff_area(view):
    """Marks a staff-only view outside the admin: it opens only once the staff member has a second
    factor (accounts.middleware.AccountSecurityMiddleware; the admin is always covered)."""
    view.staff_area = True
    return view
