"""Time zones as people read them, canonical names everywhere, and switching the zone times are
shown in: remembered for visitors, offered to keep for signed-in people."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from accounts.forms import SettingsForm
from accounts.middleware import TIMEZONE_COOKIE
from accounts.models import User
from accounts.timezones import canonicalize_stored_zones, timezone_names, zone_label, zone_or_utc
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_old_aliases_are_read_as_their_canonical_zone_and_never_offered():
    assert zone_or_utc("Asia/Calcutta").key == "Asia/Kolkata"
    assert zone_or_utc("US/Eastern").key == "America/New_York"
    assert zone_or_utc("Mars/Olympus").key == "UTC"
    names = timezone_names()
    assert "Asia/Kolkata" in names and "Europe/Berlin" in names and "UTC" in names
    assert "Asia/Calcutta" not in names and "US/Eastern" not in names and "Etc/GMT+5" not in names


def test_a_zone_is_named_as_people_read_it_with_the_offset_of_the_day():
    july = datetime(2026, 7, 1, 12, tzinfo=UTC)
    january = datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert zone_label("Asia/Kolkata", at=july) == "India Standard Time — Kolkata (UTC+05:30)"
    assert zone_label("Asia/Calcutta", at=july) == "India Standard Time — Kolkata (UTC+05:30)"
    # Summer time moves the offset, not the name.
    assert zone_label("America/New_York", at=january) == "Eastern Time — New York (UTC−05:00)"
    assert zone_label("America/New_York", at=july) == "Eastern Time — New York (UTC−04:00)"
    assert zone_label("UTC") == "Coordinated Universal Time (UTC)"
    assert (
        zone_label("Europe/Berlin", language="de", at=january)
        == "Mitteleuropäische Zeit — Berlin (UTC+01:00)"
    )


def test_a_stored_alias_shows_selected_as_its_canonical_zone_and_saves_canonical():
    user = UserFactory(timezone="Asia/Calcutta")
    form = SettingsForm(instance=user)
    assert 'value="Asia/Kolkata" selected' in str(form["timezone"])
    form = SettingsForm({"display_name": "Asha", "timezone": "Asia/Calcutta"}, instance=user)
    assert form.is_valid(), form.errors
    form.save()
    user.refresh_from_db()
    assert user.timezone == "Asia/Kolkata"


def test_a_visitor_who_switches_sees_times_in_that_zone_from_then_on(client):
    response = client.post(reverse("accounts:view_zone"), {"zone": "Asia/Tokyo", "next": "/mentors/"})
    assert response.status_code == 302 and response["Location"] == "/mentors/"
    assert client.cookies[TIMEZONE_COOKIE].value == "Asia%2FTokyo"
    assert client.cookies["tz_chosen"].value == "1"
    page = client.get(reverse("mentors:directory"))
    assert page.wsgi_request.viewer_zone.key == "Asia/Tokyo"


def test_a_zone_not_in_the_list_changes_nothing_and_says_why(client):
    response = client.post(reverse("accounts:view_zone"), {"zone": "Mars/Olympus", "next": "/"}, follow=True)
    assert TIMEZONE_COOKIE not in client.cookies
    assert "Choose a time zone from the list" in response.content.decode()


def test_switching_goes_back_only_to_this_site(client):
    response = client.post(
        reverse("accounts:view_zone"), {"zone": "Asia/Tokyo", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert client.get(reverse("accounts:view_zone")).status_code == 405


def test_a_signed_in_person_views_another_zone_then_may_keep_it(client):
    user = UserFactory(timezone="Europe/Berlin")
    client.force_login(user)
    client.post(reverse("accounts:view_zone"), {"zone": "Asia/Kolkata", "next": "/"})
    user.refresh_from_db()
    assert user.timezone == "Europe/Berlin"  # only viewed, not kept
    page = client.get(reverse("mentors:directory"))
    assert page.wsgi_request.viewer_zone.key == "Asia/Kolkata"

    client.post(reverse("accounts:save_zone"), {"next": "/"})
    user.refresh_from_db()
    assert user.timezone == "Asia/Kolkata"


def test_the_switcher_offers_to_keep_a_viewed_zone_only_when_it_differs(client):
    user = UserFactory(timezone="Europe/Berlin")
    client.force_login(user)
    template = Template("{% load zones %}{% zone_switcher %}")

    def rendered() -> str:
        request = client.get(reverse("mentors:directory")).wsgi_request
        return template.render(Context({"request": request}))

    assert "Make" not in rendered()
    assert "Central European Time — Berlin" in rendered()
    client.post(reverse("accounts:view_zone"), {"zone": "Asia/Kolkata", "next": "/"})
    html = rendered()
    assert "India Standard Time — Kolkata (UTC+05:30)" in html
    assert "Make Asia/Kolkata my time zone" in html


def test_the_searchable_zones_come_once_from_a_list_the_browser_keeps(client):
    """The switcher stays small (it is in every slot picker); its field fetches the list."""
    template = Template("{% load zones %}{% zone_switcher %}")
    request = client.get(reverse("mentors:directory")).wsgi_request
    switcher = template.render(Context({"request": request}))
    assert "<option" not in switcher
    assert f'hx-get="{reverse("accounts:zone_list")}"' in switcher

    response = client.get(reverse("accounts:zone_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="Asia/Kolkata">India Standard Time — Kolkata (UTC+05:30)</option>' in html
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    german = client.get(reverse("accounts:zone_list"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert "Mitteleuropäische Zeit — Berlin" in german.content.decode()


def test_the_label_follows_the_browsers_language():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    request.viewer_zone = zone_or_utc("Europe/Berlin")
    html = Template("{% load zones %}{% viewer_zone_label %}").render(Context({"request": request}))
    assert html.startswith("Mitteleuropäische")


def test_zones_stored_by_an_alias_are_rewritten_canonical():
    calcutta, berlin = UserFactory(timezone="Asia/Calcutta"), UserFactory(timezone="Europe/Berlin")
    assert canonicalize_stored_zones(User) == 1
    calcutta.refresh_from_db()
    berlin.refresh_from_db()
    assert (calcutta.timezone, berlin.timezone) == ("Asia/Kolkata", "Europe/Berlin")
