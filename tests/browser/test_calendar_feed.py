"""A mentor connects their own calendar's address, syncs it, and the time it says they are busy
is gone from their offering page (issue 19), through the live server, a real feed server and the
real sync (Celery eager)."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from sessions.previews import mentor_refresh_free_slots
from tests.browser.helpers import log_in
from tests.calendars.feed_server import FeedServer, Route
from tests.calendars.helpers import BERLIN, a_weekday
from tests.factories import MentorFactory, OfferingFactory


def test_a_mentor_connects_a_feed_and_its_event_leaves_the_offering_page(page: Page, live_server, check):
    mentor = MentorFactory(user__email="greta@example.com", user__timezone="Europe/Berlin")
    offering = OfferingFactory(mentor=mentor, duration_minutes=60)
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    day = a_weekday()
    times = page.get_by_role("list", name=f"Free times on {day:%A} {day.day} {day:%B}")
    offering_page = f"{live_server.url}{offering.get_absolute_url()}?day={day.isoformat()}"

    log_in(page, live_server.url, "greta@example.com")
    page.goto(offering_page)
    expect(times.get_by_role("link", name="10:00 am", exact=True)).to_be_visible()

    feeds = FeedServer()
    feeds.start()
    try:
        start = datetime.combine(day, time(10), tzinfo=BERLIN).astimezone(ZoneInfo("UTC"))
        feeds.routes["/work.ics"] = Route(body=b"")  # empty until the dentist is booked
        page.goto(f"{live_server.url}/mentor/calendars/")
        form = page.get_by_role("form", name="Connect a calendar address")
        form.get_by_label("Name").fill("Work (Google)")
        form.get_by_label("Calendar address").fill(feeds.url("/work.ics"))
        form.get_by_role("button", name="Connect", exact=True).click()
        card = page.get_by_role("article", name="Work (Google)")
        expect(card).to_contain_text("did not return a calendar")  # an empty answer is no calendar
        check(page, "calendars-failing")

        feeds.routes["/work.ics"] = Route(
            body=(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
                f"UID:dentist@example.com\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
                f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Dentist\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n"
            ).encode()
        )
        card.get_by_role("button", name="Sync Work (Google) now").click()
        expect(page.get_by_text("Reading “Work (Google)” now")).to_be_visible()
        expect(card).to_contain_text("Up to date")
        expect(card).to_contain_text(re.compile(r"Busy times ahead\s*1\b"))
        check(page, "calendars-read")
    finally:
        feeds.stop()

    page.goto(offering_page)
    expect(times.get_by_role("link", name="11:00 am", exact=True)).to_be_visible()
    expect(times.get_by_role("link", name="10:00 am", exact=True)).to_have_count(0)
    expect(times.get_by_role("link", name="9:30 am", exact=True)).to_have_count(0)
