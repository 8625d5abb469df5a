"""Small helpers shared by the tests that need real services."""

import base64
import hashlib
import hmac
import os
import struct
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Poll `condition` until it is true or `seconds` pass; whether it became true."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def offering_admin_form(offering, **changes) -> dict:
    """The Offering admin change form as the page posts it, with `changes` applied."""
    import json

    form = {
        "mentor": offering.mentor_id,
        "slug": offering.slug,
        "title": offering.title,
        "outcome": offering.outcome,
        "description": offering.description,
        "duration_minutes": offering.duration_minutes,
        "price_amount": offering.price_amount,
        "currency": offering.currency,
        "prework_prompts": json.dumps(offering.prework_prompts),
        "cancellation_window_hours": offering.cancellation_window_hours,
        "join_url": offering.join_url,
        "is_published": "on" if offering.is_published else "",
    }
    return {**form, **changes}


def signed_for(url: str, user, path: str) -> bool:
    """Whether `url` is `path` (on the test server) with a one-click signature valid for `user`."""
    from django.test import RequestFactory

    from core.one_click import is_one_click

    request = RequestFactory().get(url)
    request.user = user
    return url.startswith(f"http://testserver{path}?") and is_one_click(request)


def all_at_once(work, arguments: list) -> list:
    """Run work(argument) in one thread (and one connection) each, released together."""
    barrier = threading.Barrier(len(arguments))
    results: list = [None] * len(arguments)

    def run(index: int, argument) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = work(argument)
        except Exception as error:  # noqa: BLE001 - asserted on by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def totp_code(secret: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for this base32 secret (RFC 6238: HMAC-SHA1
    over the 30-second step, dynamic truncation), written here rather than taken from allauth."""
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def reauthenticated(client, password: str = "correct horse battery"):
    """Enter the password again, as allauth asks (within 5 minutes) before sensitive changes:
    connecting payouts, adding a second factor, deleting the account. UserFactory's password."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, "the password was not taken"
    return client
