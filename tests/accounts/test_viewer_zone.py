"""Whose clock the pages use: the account's zone, else the browser's `tz` cookie, else UTC.

The cookie is whatever the visitor's browser (or anyone) sends: a name that is not a zone in
tzdata is ignored, never a server error.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import User
from sessions.previews import mentor_refresh_free_slots
from tests.factories import OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")

NOT_ZONES = [
    "America",  # folders of tzdata
    "Etc",
    "Australia",
    "x" * 300,  # longer than a file name may be
    "Europe/Nowhere",
    "Europe/",
    "America%2F",
    "../../../../etc/passwd",
    "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/usr/share/zoneinfo/UTC",
    "Asia%2FTokyo%00",
    "utc",
    " Asia/Tokyo",
    "posixrules",
    "%FF%FE",
    "",
]


@pytest.fixture
def offering():
    offering = OfferingFactory(mentor__slug="greta")
    mentor_refresh_free_slots(mentor_id=offering.mentor_id)
    return offering


def _weekday_ahead(days: int = 3):
    day = timezone.now().astimezone(TOKYO).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("cookie", NOT_ZONES)
def test_a_tz_cookie_that_is_not_a_zone_is_ignored_and_the_pages_show_utc(client, offering, cookie):
    client.cookies["tz"] = cookie
    for url in ("/", "/mentors/", offering.mentor.get_absolute_url(), offering.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Times are shown in UTC." in response.content.decode(), url


def test_the_browser_zone_as_the_script_writes_it_shows_the_profile_in_that_zone(client, offering):
    client.cookies["tz"] = "Asia%2FTokyo"  # encodeURIComponent("Asia/Tokyo"), as a browser sends it
    html = client.get(offering.mentor.get_absolute_url()).content.decode()
    assert "In your time zone (Asia/Tokyo)." in html
    offering.mentor.refresh_from_db()
    first = datetime.fromisoformat(offering.mentor.upcoming_slots[0])
    assert f"{first.astimezone(TOKYO):%a %-d %b, %H:%M}</a>" in html


def test_the_browser_zone_shows_the_slot_picker_in_that_zone(client, offering):
    client.cookies["tz"] = "Asia%2FTokyo"
    day = _weekday_ahead()
    html = client.get(f"{offering.get_absolute_url()}?day={day.isoformat()}").content.decode()
    assert "Times in your zone, <strong>Asia/Tokyo</strong>." in html
    nine_in_berlin = datetime.combine(day, time(9), tzinfo=BERLIN).astimezone(TOKYO)
    assert f">{nine_in_berlin:%H:%M}</a>" in html


def test_an_old_alias_a_browser_may_report_is_its_canonical_zone(client):
    client.cookies["tz"] = "Asia%2FCalcutta"
    assert "Times are shown in Asia/Kolkata." in client.get("/").content.decode()


def test_the_account_zone_wins_over_the_cookie(client):
    client.cookies["tz"] = "Asia%2FTokyo"
    client.force_login(UserFactory(timezone="Europe/Lisbon"))
    assert "Times are shown in Europe/Lisbon." in client.get("/").content.decode()


@pytest.mark.parametrize("stored", ["America", "x" * 64, "Europe/Nowhere", ""])
def test_a_stored_account_zone_that_is_not_a_zone_shows_utc_instead_of_failing(client, stored):
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(timezone=stored)  # as an old row or a raw edit might
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "Times are shown in UTC." in response.content.decode()
    user.refresh_from_db()
    assert user.zone == ZoneInfo("UTC")


@pytest.mark.parametrize("field", ["America", "Etc", "x" * 300, "Asia%2FTokyo"])
def test_the_settings_form_refuses_a_name_that_is_not_a_zone(client, field):
    user = UserFactory(timezone="Europe/Lisbon")
    client.force_login(user)
    response = client.post("/settings/", {"display_name": "Maya", "timezone": field})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    user.refresh_from_db()
    assert user.timezone == "Europe/Lisbon"


@pytest.mark.parametrize("field", ["America", "x" * 300, "Asia%2FTokyo", "posixrules"])
def test_signup_refuses_a_browser_filled_zone_that_is_not_a_zone(client, field):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.mentee@example.com",
            "display_name": "New Mentee",
            "timezone": field,
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not User.objects.exists()
