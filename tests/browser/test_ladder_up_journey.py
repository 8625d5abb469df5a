"""J6 Ladder up in a real browser (demo payment provider; see test_paid_journey.py for why that is
honest): the mentee rates a paid session 5 stars, is offered the mentor's cohort with what the
session cost as an upgrade credit, on the booking page and the dashboard, and takes a seat paying
the price less the credit."""

import re

import pytest
from playwright.sync_api import Page, expect

from billing.models import Payment, UpgradeOffer
from cohorts.models import Enrollment
from tests.billing.helpers import open_cohort_of, paid_session
from tests.browser.checks import SCREENS, menu_link
from tests.browser.helpers import log_in
from tests.factories import MentorFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFER = "Keep going with Greta Hoffmann: $45 upgrade credit"


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_a_well_rated_session_offers_the_cohort_with_an_upgrade_credit(
    live_server, page: Page, check, screen
):
    mentor = MentorFactory(user__display_name="Greta Hoffmann")
    cohort = open_cohort_of(mentor, title="Negotiate with confidence")  # $450 a seat
    mentee = UserFactory(email="mia@example.com", display_name="Mia Chen", timezone="America/New_York")
    booking = paid_session(mentor, mentee)  # $45, closed with an action item
    base = live_server.url

    log_in(page, base, mentee.email)
    page.goto(f"{base}{booking.get_absolute_url()}")
    check(page, "booking-to-rate")
    page.get_by_label("5 ★").check()
    page.get_by_label("Review", exact=True).fill("Clear, kind and to the point.")
    page.get_by_role("button", name="Post review").click()
    offer = page.get_by_role("region", name=OFFER)
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Negotiate with confidence")
    check(page, "booking-ladder-up")
    assert UpgradeOffer.objects.get().amount == 4500

    menu_link(page, "Dashboard").click()
    offer = page.get_by_role("region", name=OFFER)
    expect(offer).to_be_visible()
    check(page, "dashboard-ladder-up")
    offer.get_by_role("link", name="Join the cohort for $405").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Negotiate with confidence")
    expect(page.locator("#upgrade-credit")).to_contain_text("−$45 upgrade credit")
    check(page, "cohort-with-credit")
    page.get_by_label(re.compile("agree to them")).check()
    page.get_by_role("button", name=re.compile("^Enroll")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    expect(page.locator("main")).to_contain_text("$405")
    check(page, "checkout-with-credit")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.locator("#payment-status")).to_contain_text("you're a member")
    check(page, "cohort-joined-with-credit")
    assert Enrollment.objects.get(cohort=cohort, member=mentee).state == Enrollment.State.ACTIVE
    seat = Payment.objects.exclude(booking=booking).get()
    assert seat.amount == 40500
    assert UpgradeOffer.objects.get().redeemed_at is not None
