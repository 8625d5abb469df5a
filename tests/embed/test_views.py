"""The booking widget's pages: who may frame them, what they show without cookies, and the
mentor's settings page."""

from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from embed.models import Widget
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

HOST = "https://coach.example.com"


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    (directive,) = [d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors")]
    return directive


@pytest.fixture
def mentor():
    mentor = MentorFactory(user__display_name="Greta Hoffmann")
    OfferingFactory(mentor=mentor, title="Career chat", price_amount=0)
    return mentor


def test_listed_sites_and_only_they_may_frame_the_widget(client, mentor):
    Widget.objects.create(mentor=mentor, allowed_origins=[HOST, "https://www.example.org:8443"])
    response = client.get(reverse("embed:home", args=[mentor.slug]))
    assert response.status_code == 200
    assert frame_ancestors(response) == f"frame-ancestors {HOST} https://www.example.org:8443"
    assert "X-Frame-Options" not in response
    assert "Career chat" in response.content.decode()


def test_every_other_page_stays_unframeable(client, mentor):
    Widget.objects.create(mentor=mentor, allowed_origins=[HOST])
    for url in (reverse("home"), mentor.get_absolute_url(), reverse("mentors:directory")):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY"
        assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_a_widget_without_sites_refuses_every_frame_and_says_so(client, mentor):
    response = client.get(reverse("embed:home", args=[mentor.slug]))
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert "This booking widget is switched off" in response.content.decode()


def test_the_framed_pages_set_no_cookie_and_post_nothing(client, mentor):
    Widget.objects.create(mentor=mentor, allowed_origins=[HOST])
    offering = mentor.offerings.get()
    for url in (
        reverse("embed:home", args=[mentor.slug]),
        reverse("embed:offering", args=[mentor.slug, offering.slug, "America/New_York"]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies
        assert "<form" not in response.content.decode()
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_offering_page_shows_times_in_the_zone_in_its_address(client, mentor):
    Widget.objects.create(mentor=mentor, allowed_origins=[HOST])
    offering = mentor.offerings.get()
    url = reverse("embed:offering", args=[mentor.slug, offering.slug, "America/New_York"])
    response = client.get(url)
    assert response.status_code == 200
    assert frame_ancestors(response) == f"frame-ancestors {HOST}"
    assert "America/New_York" in response.content.decode()
    assert (
        client.get(reverse("embed:offering", args=[mentor.slug, offering.slug, "Mars/Base"])).status_code
        == 404
    )


def _next_weekday_ten(zone: ZoneInfo) -> datetime:
    today = timezone.now().astimezone(zone).date()
    day = next(d for d in (today + timedelta(days=i) for i in range(2, 9)) if d.weekday() < 5)
    return datetime.combine(day, time(10), tzinfo=ZoneInfo("Europe/Berlin"))


def test_choosing_a_time_leads_the_top_window_to_the_offering_page_with_it(client, mentor):
    Widget.objects.create(mentor=mentor, allowed_origins=[HOST])
    offering = mentor.offerings.get()
    slot = _next_weekday_ten(ZoneInfo("Europe/Berlin"))
    url = reverse("embed:offering", args=[mentor.slug, offering.slug, "Europe/Berlin"])
    response = client.get(url, {"day": slot.date().isoformat(), "slot": slot.isoformat()})
    page = response.content.decode()
    assert 'target="_top"' in page
    continue_url = response.context["continue_url"]
    response = client.get(continue_url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("sessions:offering", args=[offering.slug])
    query = parse_qs(target.query)
    assert query["day"] == [slot.date().isoformat()]
    assert datetime.fromisoformat(query["slot"][0]) == slot
    assert response.cookies["tz"].value == "Europe%2FBerlin"
    # The offering page opens with that time chosen and its booking form.
    page = client.get(response["Location"])
    assert page.context["chosen"] == slot


def test_a_bad_slot_leads_to_the_offering_page_without_a_time(client, mentor):
    offering = mentor.offerings.get()
    response = client.get(reverse("embed:continue", args=[offering.slug]), {"slot": "soon"})
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:offering", args=[offering.slug]) + "#pick"
    assert client.get(reverse("embed:continue", args=["nope"])).status_code == 404


def test_the_widget_script_is_served_at_one_address_for_an_hour(client):
    response = client.get(reverse("embed:script"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "public, max-age=3600"
    assert (
        b"thementors:height" in b"".join(response.streaming_content)
        if response.streaming
        else response.content
    )


def test_only_mentors_have_the_widget_page(client, mentor):
    url = reverse("embed:mentor_widget")
    assert client.get(url).status_code == 302  # to the login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("embed:preview")).status_code == 404


def test_the_mentor_lists_sites_and_gets_the_snippet(client, mentor):
    client.force_login(mentor.user)
    url = reverse("embed:mentor_widget")
    page = client.get(url)
    assert f"/embed/{mentor.slug}/" in page.content.decode()
    assert "switched off everywhere" in page.content.decode()
    response = client.post(
        url, {"origins": f"{HOST}/\n\nhttps://WWW.Example.org:443\n{HOST}", "accent": "teal"}
    )
    assert response.status_code == 302
    widget = Widget.objects.get(mentor=mentor)
    assert widget.allowed_origins == [HOST, "https://www.example.org"]
    assert widget.accent == "teal"


def test_a_wrong_site_is_refused_next_to_the_field(client, mentor):
    client.force_login(mentor.user)
    response = client.post(
        reverse("embed:mentor_widget"),
        {
            "origins": "https://example.com/booking\nhttp://example.com\nhttps://*.example.com",
            "accent": "teal",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["origins"]
    assert any("without a path" in e for e in errors)
    assert any("must use https://" in e for e in errors)
    assert any("wildcards" in e for e in errors)
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in response.content.decode()
    assert not Widget.objects.exists()


def test_the_preview_is_framed_by_the_site_itself_only(client, mentor):
    client.force_login(mentor.user)
    response = client.get(reverse("embed:preview"))
    assert response.status_code == 200
    assert frame_ancestors(response) == "frame-ancestors 'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_a_stored_value_that_is_not_an_origin_never_reaches_the_header(client, mentor):
    Widget.objects.create(
        mentor=mentor, allowed_origins=[HOST, "'unsafe-inline'", "https://x.example/path", 7]
    )
    response = client.get(reverse("embed:home", args=[mentor.slug]))
    assert frame_ancestors(response) == f"frame-ancestors {HOST}"


def test_the_admin_cannot_save_a_site_that_is_not_an_origin(mentor):
    with pytest.raises(ValidationError):
        Widget(mentor=mentor, allowed_origins=["https://x.example/path"]).full_clean()
    with pytest.raises(ValidationError):
        Widget(mentor=mentor, allowed_origins="https://x.example").full_clean()
    Widget(mentor=mentor, allowed_origins=[HOST]).full_clean()
