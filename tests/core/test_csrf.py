"""Every state-changing request needs the CSRF token, htmx requests included (base.html sends it
as X-CSRFToken); only Stripe's signed webhooks and the API are exempt — the API reads no cookie,
only its own bearer token, so a forged cross-site request has nothing to ride on."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from sessions.models import Booking
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

EXEMPT = {"billing:stripe_webhook", "billing:connect_webhook"}  # verified by Stripe's signature


def _routes(patterns=None, namespace="", prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            yield from _routes(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback, route


def test_only_the_webhooks_skip_the_csrf_check():
    reached = {}  # a path answered by an earlier route (accounts/sign_in_views.py) never reaches a later one
    for name, view, route in _routes():
        reached.setdefault(route, (name, view))
    exempt = {name for name, view in reached.values() if getattr(view, "csrf_exempt", False)}
    api = {name for name in exempt if name.startswith(("api:", "api_"))}
    assert api, "the API's operations are answered without the CSRF check"
    assert exempt - api == EXEMPT


def test_the_api_ignores_the_sign_in_cookie(booking):
    """Why the API may skip the CSRF check: a signed-in browser's cookie opens nothing there."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(booking.mentee)
    assert client.get("/api/v1/bookings").status_code == 401
    response = client.post(
        f"/api/v1/bookings/{booking.pk}/cancel", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED


@pytest.fixture
def booking():
    return BookingFactory(starts_at=timezone.now() + timedelta(days=3))


def test_a_cancel_without_the_token_is_refused_and_changes_nothing(booking):
    client = Client(enforce_csrf_checks=True)
    client.force_login(booking.mentee)
    url = reverse("sessions:booking_cancel", args=[booking.pk])
    assert client.post(url, {"reason": "clash"}).status_code == 403
    assert client.post(url, {"reason": "clash"}, headers={"HX-Request": "true"}).status_code == 403
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED


def test_an_htmx_request_with_the_pages_token_goes_through(booking):
    client = Client(enforce_csrf_checks=True)
    client.force_login(booking.mentee)
    page = client.get(booking.get_absolute_url())
    token = page.context["csrf_token"]
    assert f'"X-CSRFToken": "{token}"' in page.content.decode()  # what htmx sends with every request

    response = client.post(
        reverse("sessions:booking_cancel", args=[booking.pk]),
        {"reason": "clash"},
        headers={"HX-Request": "true", "X-CSRFToken": str(token)},
    )
    assert response.status_code in (200, 204, 302)
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED_BY_MENTEE
