"""A change of plan after booking (J2), in a real browser (demo payment provider; see
test_paid_journey.py for why that is honest): the mentee moves a paid session once and then
cancels it in time, and the refund shows on the booking page; a mentor reports that a mentee did
not show. Both widths, with axe on every page and state."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from billing.models import Payment
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from tests.browser.checks import SCREENS
from tests.browser.helpers import NEW_YORK, booking_day, clock, log_in, marketplace
from tests.factories import BookingFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_a_mentee_moves_then_cancels_and_a_mentor_reports_a_no_show(live_server, page: Page, check, screen):
    mentor, _ = marketplace()
    offering = OfferingFactory(mentor=mentor, title="Salary negotiation rehearsal", price_amount=4500)
    mia = UserFactory(email="mia@example.com", display_name="Mia Chen", timezone="America/New_York")
    booked = booking_day() + timedelta(days=7)
    booking = BookingFactory(offering=offering, mentee=mia, starts_at=booked)
    Payment.objects.create(
        booking=booking,
        provider=Payment.Provider.DEMO,
        amount=4500,
        currency="USD",
        platform_fee=675,
        state=Payment.State.PAID,
        paid_at=timezone.now(),
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    base = live_server.url

    # --- move it, once ----------------------------------------------------------------------
    log_in(page, base, mia.email)
    page.goto(f"{base}{booking.get_absolute_url()}")
    check(page, "booking-paid-upcoming")
    page.get_by_role("link", name="Reschedule (once)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reschedule “{offering.title}”")
    check(page, "reschedule")
    new = booking_day().astimezone(NEW_YORK)
    grid = page.get_by_role("grid")
    cell = grid.locator(f'td[data-date="{new:%Y-%m-%d}"]')
    if not cell.count():
        page.get_by_role("link", name=re.compile("^Next month")).click()
    if cell.get_attribute("aria-selected") != "true":
        cell.get_by_role("link").click()
    slots = page.get_by_role("list", name=f"Free times on {new:%A} {new.day} {new:%B}")
    slots.get_by_role("link", name=clock(new), exact=True).click()
    move = page.get_by_role("button", name=re.compile("^Move to"))
    expect(move).to_be_visible()
    check(page, "reschedule-chosen")
    move.click()
    expect(page).to_have_url(f"{base}{booking.get_absolute_url()}")
    booking.refresh_from_db()
    assert booking.starts_at == booking_day()
    expect(page.get_by_role("link", name="Reschedule (once)")).to_have_count(0)
    check(page, "booking-moved")

    # --- cancel it in time: refunded in full ---------------------------------------------------
    page.get_by_label("Reason").fill("The offer came early")
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.locator("h1 + .badge")).to_contain_text("Cancelled")
    expect(page.locator("#receipt")).to_contain_text(re.compile(r"Refund\s*\$45"))
    check(page, "booking-cancelled")
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED_BY_MENTEE

    # --- the mentor reports a mentee who did not come ----------------------------------------
    ended = BookingFactory(
        offering=offering,
        mentee=UserFactory(display_name="Noah Park"),
        starts_at=timezone.now().replace(microsecond=0) - timedelta(hours=1),
    )
    page.context.clear_cookies()
    log_in(page, base, mentor.user.email)
    page.goto(f"{base}{ended.get_absolute_url()}")
    check(page, "mentor-booking-ended")
    page.get_by_role("button", name="Report that the mentee did not show").click()
    ended.refresh_from_db()
    expect(page.locator("main")).to_contain_text(re.compile("no-show|did not show", re.IGNORECASE))
    check(page, "no-show-reported")
