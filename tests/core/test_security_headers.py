"""Every kind of response carries the Content-Security-Policy and the other security headers.

Add a page type by adding a `Case` to CASES: how to set it up, and what it must answer."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "img-src": "'self' data:",
    "style-src-elem": "'self'",
    "form-action": "'self' https://checkout.stripe.com https://connect.stripe.com https://billing.stripe.com",
}


@dataclass
class Case:
    """`page` signs the client in when it needs to and returns the address to ask for."""

    name: str
    page: Callable[[Client], str]
    status: int
    headers: dict = field(default_factory=dict)
    content_type: str = "text/html"


def signed_in(client: Client, user, url: str) -> str:
    client.force_login(user)
    return url


def booking_ics(client: Client) -> str:
    booking = BookingFactory()
    return signed_in(client, booking.mentee, reverse("sessions:booking_ics", args=[booking.pk]))


def offering_slots(client: Client) -> str:
    return OfferingFactory(mentor=MentorFactory(), is_published=True).get_absolute_url() + "?day=2026-06-02"


CASES = [
    Case("public page", lambda c: reverse("home"), 200),
    Case("directory", lambda c: reverse("mentors:directory"), 200),
    Case("signed-in page", lambda c: signed_in(c, UserFactory(), reverse("dashboard:home")), 200),
    Case("htmx partial", offering_slots, 200, headers={"HX-Request": "true"}),
    Case("JSON", lambda c: reverse("healthz"), 200, content_type="application/json"),
    Case("404", lambda c: "/no/such/page/", 404),
    Case(
        "admin page",
        lambda c: signed_in(c, UserFactory(is_staff=True, is_superuser=True), reverse("admin:index")),
        200,
    ),
    Case("redirect", lambda c: reverse("dashboard:home"), 302, content_type=""),
    Case("file download (.ics)", booking_ics, 200, content_type="text/calendar"),
]


def parse_csp(header: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_response_carries_the_security_headers(client, case):
    response = client.get(case.page(client), headers=case.headers)

    assert response.status_code == case.status
    assert response.get("Content-Type", "").startswith(case.content_type)
    for name, value in HEADERS.items():
        assert response[name] == value, name
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
    csp = parse_csp(response["Content-Security-Policy"])
    for directive, value in CSP_DIRECTIVES.items():
        assert csp[directive] == value, directive
    for directive, sources in csp.items():
        if directive not in ("style-src", "style-src-attr"):
            assert "unsafe-inline" not in sources and "unsafe-eval" not in sources, directive


def test_the_htmx_partial_case_is_really_a_partial(client):
    html = client.get(offering_slots(client), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html


def test_htmx_may_not_eval_load_scripts_or_leave_the_site(client):
    html = client.get(reverse("home")).content.decode()
    assert '"allowEval": false' in html
    assert '"allowScriptTags": false' in html
    assert '"selfRequestsOnly": true' in html


def test_pages_have_no_inline_script(client):
    """script-src 'self' would block one; every script is a static file."""
    client.force_login(UserFactory())
    html = client.get(reverse("dashboard:home")).content.decode()
    assert "<script>" not in html and " on" + "click=" not in html
    assert all("src=" in tag.split(">")[0] for tag in html.split("<script")[1:])
