"""What the browser journeys share: the marketplace they start from, logging in, picking a slot."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions.previews import mentor_refresh_free_slots
from tests.factories import MentorFactory, OfferingFactory, SkillFactory

# The browser's own zone differs from every account zone used in the tests, so a time
# that shows up in New York time can only have come from the account setting.
BROWSER_TIMEZONE = "Asia/Tokyo"
UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's password
PROMPTS = ["What are the options on the table?", "What matters most to you in the next role?"]
OUTCOME = "a yes or no on the Acme offer"
OUTCOME_LABEL = "By the end of the session I will have…"


def booking_day() -> datetime:
    """The mentor's 10:00 Berlin slot on the next weekday after today (New York dates).

    Berlin 10:00 is 04:00 or 05:00 in New York on the same date, so the New York day shown in
    the picker holds it; tomorrow or later is always past the mentor's 60 minutes of notice.
    """
    today = timezone.now().astimezone(NEW_YORK).date()
    day = next(d for d in (today + timedelta(days=i) for i in range(1, 8)) if d.weekday() < 5)
    return datetime.combine(day, time(10), tzinfo=BERLIN)


def marketplace():
    """An approved Berlin mentor teaching Python with a free offering, and one other mentor."""
    python = SkillFactory(name="Python", slug="python")
    mentor = MentorFactory(user__display_name="Greta Hoffmann", user__email="greta@example.com")
    mentor.skills.add(python)
    offering = OfferingFactory(
        mentor=mentor,
        title="Should I take this job offer?",
        price_amount=0,
        prework_prompts=PROMPTS,
    )
    other = MentorFactory(user__display_name="Dora Lindqvist", headline="Product designer")
    other.skills.add(SkillFactory(name="Design", slug="design"))
    OfferingFactory(mentor=other, title="Portfolio review", price_amount=5000)
    for m in (mentor, other):
        mentor_refresh_free_slots(mentor_id=m.pk)
    return mentor, offering


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def log_in_to_admin(page: Page, base: str, email: str) -> None:
    """The admin sends staff to the site's own login (with its second factor, if they have one)."""
    page.goto(f"{base}/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


def clock(moment: datetime) -> str:
    """A time as the slot picker writes it for the browser's en-US locale: "4:00 am", "2:30 pm"."""
    return f"{moment.hour % 12 or 12}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"


def pick_slot(page: Page, slot: datetime) -> str:
    """Click the slot's day in the month calendar (the next month's, when the calendar opened on
    the month before), then the slot; returns the label the slot was shown with."""
    local = slot.astimezone(NEW_YORK)
    label = clock(local)
    grid = page.get_by_role("grid")
    # Wait for the calendar first: counting cells on the page still being left would find none
    # and turn to next month just as the new page opens on the right one.
    expect(grid).to_be_visible()
    cell = grid.locator(f'td[data-date="{local:%Y-%m-%d}"]')
    if not cell.count():
        page.get_by_role("link", name=re.compile("^Next month")).click()
        expect(grid.locator("caption")).to_contain_text(f"{local:%B %Y}")
    if cell.get_attribute("aria-selected") != "true":  # the calendar may open on that very day
        cell.get_by_role("link").click()
        expect(cell).to_have_attribute("aria-selected", "true")
    slots = page.get_by_role("list", name=f"Free times on {local:%A} {local.day} {local:%B}")
    link = slots.get_by_role("link", name=label, exact=True)
    # The label is the wall-clock time of exactly this instant (the link carries it in UTC).
    in_utc = quote(slot.astimezone(UTC).isoformat(), safe="")
    expect(link).to_have_attribute("href", re.compile(re.escape(in_utc)))
    link.click()
    expect(page.get_by_role("heading", name=re.compile("^Your session on"))).to_have_text(
        f"Your session on {local:%A} {local.day} {local:%B}, {label}"
    )
    return label
