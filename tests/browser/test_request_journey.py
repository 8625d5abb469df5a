"""Request to book in a real browser with the demo payment provider: a mentee requests a time on
an offering that needs the mentor's approval (the card authorised in the test checkout), the
mentor accepts it from the dashboard and the mentee sees a confirmed booking; a second request is
declined with a message, and the mentee sees it declined and released.

Celery runs eagerly, so the demo's events are processed when the test's request commits, as a
worker would moments later.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from billing.models import Payment
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from tests.browser.checks import SCREENS
from tests.browser.helpers import PROMPTS, booking_day, log_in, pick_slot
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LENA = "lena.requests@example.com"
IDRIS = "idris.mentor@example.com"


def request_time(page: Page, base: str, slug: str, slot) -> None:
    page.goto(f"{base}/offerings/{slug}/")
    pick_slot(page, slot)
    page.get_by_label("By the end of the session I will have…").fill("a portfolio that lands interviews")
    page.get_by_label(PROMPTS[0]).fill("https://example.com/portfolio")
    page.get_by_label(PROMPTS[1]).fill("Senior product design roles")
    page.get_by_role("button", name=re.compile("^Send request and authorise")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    expect(page.locator("#request")).to_contain_text("Waiting for Idris Okafor to accept")


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_request_a_time_the_mentor_accepts_one_and_declines_another(page: Page, live_server, check, screen):
    mentor = MentorFactory(user__display_name="Idris Okafor", user__email=IDRIS)
    offering = OfferingFactory(
        mentor=mentor,
        title="Portfolio deep-dive",
        slug="portfolio-deep-dive",
        price_amount=6000,
        duration_minutes=30,
        prework_prompts=PROMPTS,
        requires_approval=True,
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    UserFactory(email=LENA, display_name="Lena Park", timezone="America/New_York")
    base = live_server.url

    # The mentee sees that the mentor approves each booking, and requests a time.
    log_in(page, base, LENA)
    page.goto(f"{base}{mentor.get_absolute_url()}")
    expect(page.get_by_text("Request to book · the mentor replies within 48 h")).to_be_visible()
    check(page, "profile-request-to-book")
    page.goto(f"{base}/offerings/{offering.slug}/")
    expect(page.locator("#request-to-book")).to_contain_text("the mentor replies within 48 h")
    check(page, "offering-request-to-book")
    request_time(page, base, offering.slug, booking_day())
    check(page, "request-waiting")
    first = Booking.objects.get(mentee__email=LENA)
    assert first.state == Booking.State.REQUESTED
    assert Payment.objects.get(booking=first).state == Payment.State.AUTHORIZED
    assert [m.subject for m in mail.outbox if m.to == [IDRIS]] == ["New request to book: Portfolio deep-dive"]
    request_time(page, base, offering.slug, booking_day() + timedelta(hours=1))

    # The mentor finds both on the dashboard, accepts the first, declines the second.
    page.context.clear_cookies()
    log_in(page, base, IDRIS)
    page.goto(f"{base}/mentor/offerings/{offering.slug}/edit/")
    expect(page.get_by_label(re.compile("Request to book: I approve each booking"))).to_be_checked()
    check(page, "offering-form-request")
    page.goto(f"{base}/dashboard/")
    expect(page.locator("#requests-waiting")).to_be_visible()
    check(page, "dashboard-requests")
    page.get_by_role("link", name="Requests to book (2 waiting)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests to book")
    check(page, "mentor-requests")
    page.get_by_role("link", name="Portfolio deep-dive").first.click()
    check(page, "request-to-answer")
    page.get_by_label("A short message to the mentee (optional)").fill("Looking forward to it!")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text("Accepted: the session is booked")).to_be_visible()
    page.goto(f"{base}/mentor/requests/")
    page.get_by_role("link", name="Portfolio deep-dive").first.click()
    page.get_by_label("A short message to the mentee (optional)").fill("That week is full, sorry")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("Declined: the time is free again")).to_be_visible()

    # The mentee sees the first booking confirmed and the second declined, nothing charged for it.
    first, second = Booking.objects.filter(mentee__email=LENA).order_by("starts_at")
    assert (first.state, second.state) == (Booking.State.CONFIRMED, Booking.State.DECLINED)
    assert Payment.objects.get(booking=first).state == Payment.State.PAID
    assert Payment.objects.get(booking=second).state == Payment.State.RELEASED
    page.context.clear_cookies()
    log_in(page, base, LENA)
    page.goto(f"{base}{first.get_absolute_url()}")
    expect(page.locator(".badge.confirmed").first).to_have_text("Confirmed")
    expect(page.locator("#request")).to_contain_text("Looking forward to it!")
    check(page, "request-accepted")
    page.goto(f"{base}{second.get_absolute_url()}")
    expect(page.locator("#request")).to_contain_text("Declined by Idris Okafor")
    expect(page.locator("#request")).to_contain_text("That week is full, sorry")
    check(page, "request-declined")
    subjects = sorted(m.subject for m in mail.outbox if m.to == [LENA])
    assert "Accepted: Portfolio deep-dive" in subjects and "Declined: Portfolio deep-dive" in subjects
