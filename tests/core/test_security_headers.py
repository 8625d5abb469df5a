"""Every kind of response carries the Content-Security-Policy and the other security headers.

Add a page type by adding a `Case` to CASES: how to set it up, and what it must answer.

Styles are as strict as scripts: no 'unsafe-inline' anywhere, so no style="" attribute may come
back into a page template (the walk below), the admin's included."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import simple_history
from django.conf import settings
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
    "style-src": "'self'",
    "style-src-elem": "'self'",
    "style-src-attr": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "img-src": "'self' data:",
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
        assert "unsafe-inline" not in sources and "unsafe-eval" not in sources, directive


def test_the_htmx_partial_case_is_really_a_partial(client):
    html = client.get(offering_slots(client), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html


def test_htmx_may_not_eval_load_scripts_or_leave_the_site(client):
    html = client.get(reverse("home")).content.decode()
    assert '"allowEval": false' in html
    assert '"allowScriptTags": false' in html
    assert '"selfRequestsOnly": true' in html
    # htmx would otherwise add a <style> for its indicators (site.css has those rules).
    assert '"includeIndicatorStyles": false' in html


def test_pages_have_no_inline_script(client):
    """script-src 'self' would block one; every script is a static file."""
    client.force_login(UserFactory())
    html = client.get(reverse("dashboard:home")).content.decode()
    assert "<script>" not in html and " on" + "click=" not in html
    assert all("src=" in tag.split(">")[0] for tag in html.split("<script")[1:])


# An attribute (style="…", style='…') or a <style> element; e-mails are not pages: mail clients
# need inline styles, and no CSP applies to them.
INLINE_STYLE = re.compile(r"(?<![\w-])style\s*=|<style[\s>]", re.IGNORECASE)
TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]


def page_templates() -> list[Path]:
    return sorted(
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*.html")
        if "email" not in path.relative_to(directory).parts
    )


def test_page_templates_have_no_inline_style():
    """style-src-attr 'none' refuses style attributes: a layout needs a class in static/css."""
    templates = page_templates()
    assert any(path.match("admin/*.html") for path in templates) and len(templates) > 50
    found = [
        f"{path}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in templates
        for text in [path.read_text()]
        for match in INLINE_STYLE.finditer(text)
    ]
    assert found == []


def test_the_history_list_is_simple_history_s_own_but_for_its_style_attribute():
    """templates/simple_history/ overrides the admin's "History" list to drop its one style
    attribute; after an upgrade of django-simple-history this says when to copy it again."""
    name = "simple_history/object_history_list.html"
    ours = next(d / name for d in TEMPLATE_DIRS if (d / name).exists()).read_text()
    theirs = (Path(simple_history.__file__).parent / "templates" / name).read_text()
    without_note = ours.split("{% endcomment %}\n", 1)[1]
    assert without_note == theirs.replace(
        '<p class="paginator" style="border-top: 0">', '<p class="paginator flush-top">'
    )


def admin_pages(client: Client) -> list[str]:
    booking = BookingFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return [
        reverse("admin:index"),
        reverse("admin:moderation_queue"),
        reverse("admin:mentoring_booking_changelist"),
        reverse("admin:mentoring_booking_change", args=[booking.pk]),
        reverse("admin:mentoring_booking_history", args=[booking.pk]),
        reverse("admin:mentors_mentorprofile_change", args=[booking.offering.mentor.pk]),
        reverse("admin:mentors_mentorprofile_changelist") + "?_to_field=id&_popup=1",
        reverse("admin:mentors_skill_add"),
    ]


def test_admin_pages_have_no_inline_style(client):
    """The strict policy holds for /admin/ too: Django's admin writes no style attribute (its
    scripts set element.style, which CSP allows) and ours and the history list use classes."""
    for url in admin_pages(client):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not INLINE_STYLE.search(response.content.decode()), url
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
