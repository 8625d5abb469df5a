"""A signed-out visitor sees times in the browser's own zone once a page has learnt it.

The browser here is in Asia/Tokyo (BROWSER_TIMEZONE, tests/browser/helpers.py); nobody signs in,
so the only way the server can know that zone is the `tz` cookie static/js/timezone.js writes on
the first page.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentors.models import MentorProfile
from sessions.previews import mentor_refresh_free_slots
from tests.browser.helpers import BROWSER_TIMEZONE, clock
from tests.factories import OfferingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo(BROWSER_TIMEZONE)


def _weekday_ahead(days: int = 3):
    day = timezone.now().astimezone(TOKYO).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_a_signed_out_visitor_sees_the_profile_and_the_slot_picker_in_the_browser_zone(
    page: Page, live_server
):
    offering = OfferingFactory(mentor__slug="greta", title="Should I take this job offer?")
    mentor_refresh_free_slots(mentor_id=offering.mentor_id)
    mentor = MentorProfile.objects.get(pk=offering.mentor_id)
    first_slot = datetime.fromisoformat(mentor.upcoming_slots[0]).astimezone(TOKYO)
    profile = f"{live_server.url}{mentor.get_absolute_url()}"

    page.goto(profile)  # the first page learns the zone
    assert {"name": "tz", "value": "Asia%2FTokyo"}.items() <= _cookie(page, "tz").items()

    page.goto(profile)
    expect(page.get_by_text("In your time zone (Asia/Tokyo).")).to_be_visible()
    # The browser's en-US clock: "Mon 7 Dec, 5:00 pm".
    label = f"{first_slot:%a %-d %b}, {clock(first_slot)}"
    expect(page.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.locator("footer")).to_contain_text("Times are shown in Asia/Tokyo.")

    day = _weekday_ahead()
    page.goto(f"{live_server.url}{offering.get_absolute_url()}?day={day.isoformat()}")
    expect(page.get_by_text("Times in your zone, Asia/Tokyo.")).to_be_visible()
    nine_in_berlin = datetime.combine(day, time(9), tzinfo=BERLIN).astimezone(TOKYO)
    slots = page.get_by_role("list", name=f"Free times on {day:%A %-d %B}")
    expect(slots.get_by_role("link", name=clock(nine_in_berlin), exact=True)).to_be_visible()


def test_a_stale_zone_cookie_is_replaced_by_the_browser_zone(page: Page, live_server):
    """A visitor who travelled: the cookie from the old zone is overwritten, not kept for a year."""
    page.context.add_cookies([{"name": "tz", "value": "Europe%2FLisbon", "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    expect(page.locator("footer")).to_contain_text("Times are shown in Europe/Lisbon.")
    assert _cookie(page, "tz")["value"] == "Asia%2FTokyo"
    page.goto(f"{live_server.url}/")
    expect(page.locator("footer")).to_contain_text("Times are shown in Asia/Tokyo.")


def _cookie(page: Page, name: str) -> dict:
    found = [c for c in page.context.cookies() if c["name"] == name]
    assert found, f"no {name} cookie"
    return found[0]
