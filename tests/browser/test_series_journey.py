"""Weekly recurring 1:1s in a real browser with the demo payment provider: a mentee asks for the
same time 4 weeks running, sees that one date is not free, goes on without it, pays once for the
3 others in the test checkout, finds the series on the booking page, then cancels from the second
session onwards.

Celery runs eagerly, so the demo's events are processed when the test's request commits, as a
worker would moments later.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from sessions.models import Booking, BookingSeries
from sessions.previews import mentor_refresh_free_slots
from sessions.services.series import series_starts
from tests.browser.checks import SCREENS
from tests.browser.helpers import OUTCOME, OUTCOME_LABEL, PROMPTS, booking_day, log_in, pick_slot
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINA = "lina.weekly@example.com"


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_book_four_weekly_sessions_without_the_taken_one_pay_once_and_cancel_onwards(
    page: Page, live_server, check, screen
):
    mentor = MentorFactory(user__display_name="Greta Hoffmann", user__email="greta.weekly@example.com")
    offering = OfferingFactory(
        mentor=mentor,
        title="Weekly career coaching",
        slug="weekly-coaching",
        price_amount=4500,
        prework_prompts=PROMPTS,
    )
    first = booking_day()
    weeks = series_starts(mentor=mentor, first=first, weeks=4)
    BookingFactory(offering=offering, starts_at=weeks[2])  # someone else has the third week
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    UserFactory(email=LINA, display_name="Lina Park", timezone="America/New_York")
    base = live_server.url

    log_in(page, base, LINA)
    page.goto(f"{base}{offering.get_absolute_url()}")
    pick_slot(page, first)
    page.get_by_label(OUTCOME_LABEL).fill(OUTCOME)
    page.get_by_label(PROMPTS[0]).fill("Two offers")
    page.get_by_label(PROMPTS[1]).fill("Growth")
    page.locator("#weekly summary").click()
    page.get_by_label("Repeat weekly for").select_option("4")
    check(page, "series-choice")
    page.get_by_role("button", name="See the weekly dates").click()

    # The preview: every date in the mentee's zone, the third not free and not ticked.
    preview = page.locator("#series-dates")
    expect(preview.locator("li")).to_have_count(4)
    expect(page.locator("#taken-count")).to_have_text("1 date is not free")
    expect(preview.locator("li.taken input")).to_be_disabled()
    expect(preview.locator("li.free input:checked")).to_have_count(3)
    expect(page.locator("#series-pay")).to_contain_text("3 × $45 = $135")
    check(page, "series-preview")
    page.get_by_role("button", name="Continue to payment").click()

    # One test checkout for the three.
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    expect(page.locator("#series-count")).to_have_text("3 weekly sessions")
    expect(page.locator("#checkout-amount")).to_have_text("$135")
    check(page, "series-checkout")
    page.get_by_role("button", name="Pay $135").click()
    expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}/\?confirmed=1"), timeout=10_000)

    series = BookingSeries.objects.get(mentee__email=LINA)
    bookings = list(series.occurrences.order_by("starts_at"))
    assert [b.starts_at for b in bookings] == [weeks[0], weeks[1], weeks[3]]
    assert {b.state for b in bookings} == {Booking.State.CONFIRMED}
    confirmations = [m for m in mail.outbox if m.to == [LINA] and "3 weekly sessions" in m.subject]
    assert len(confirmations) == 1

    # The booking page shows the series and its dates; cancel from the second onwards.
    page.goto(f"{base}{bookings[1].get_absolute_url()}")
    dates = page.locator("#series li")
    expect(dates).to_have_count(3)
    check(page, "series-booking")
    page.get_by_role("button", name="Cancel this and later sessions").click()
    expect(page.get_by_text("2 weekly sessions are cancelled")).to_be_visible()
    states = list(series.occurrences.order_by("starts_at").values_list("state", flat=True))
    assert states == [
        Booking.State.CONFIRMED,
        Booking.State.CANCELLED_BY_MENTEE,
        Booking.State.CANCELLED_BY_MENTEE,
    ]
    # Cancelled days ahead, inside the free window: each paid occurrence refunded on its own.
    refunds = {b.payment.refunds.get().amount for b in series.occurrences.exclude(state="confirmed")}
    assert refunds == {4500}
    assert bookings[1].starts_at - timedelta(hours=24) > bookings[0].created_at
