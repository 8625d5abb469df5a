"""Intro calls and promotion codes in a real browser, with the demo payment provider.

A mentee types a wrong code and is told why next to the field, then the mentor's code: the pay
button shows the lower price; the test checkout shows the price, the code and the amount; paid,
the booking's receipt shows what was paid and the code. The code's use is counted once, by the
processed payment event. Then an intro call: booked once, refused the second time (the offering
page says so, and the server refuses the form). The demo provider is switched on as in
test_paid_journey.py (its module docstring says why that is honest).
"""

import pytest
from playwright.sync_api import Page, expect

from billing.models import CodeRedemption, Payment
from billing.services.codes import code_create
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from tests.browser.checks import SCREENS
from tests.browser.helpers import OUTCOME_LABEL, PROMPTS, booking_day, log_in, pick_slot
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIA = "mia.codes@example.com"


@pytest.fixture
def mentor(db):
    mentor = MentorFactory(user__display_name="Greta Hoffmann", user__email="greta.codes@example.com")
    UserFactory(email=MIA, display_name="Mia Chen", timezone="America/New_York")
    return mentor


@SCREENS
def test_a_code_lowers_the_price_at_checkout_and_on_the_receipt(
    live_server, page: Page, demo_provider, mentor, check, screen
):
    offering = OfferingFactory(
        mentor=mentor, title="Offer review", price_amount=4500, currency="USD", prework_prompts=PROMPTS
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    code_create(by=mentor.user, mentor=mentor, code="SAVE20", percent_off=20, max_uses=10)
    base = live_server.url
    log_in(page, base, MIA)
    page.goto(f"{base}{offering.get_absolute_url()}")
    pick_slot(page, booking_day())
    page.get_by_label(OUTCOME_LABEL).fill("a number I can defend")
    page.get_by_label(PROMPTS[0]).fill("Two offers")
    page.get_by_label(PROMPTS[1]).fill("Base salary")

    code = page.get_by_label("Promotion code")
    code.fill("SAVE2O")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#code-quote")).to_contain_text("There is no code SAVE2O. Check the spelling.")
    code.fill("save20")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#code-ok")).to_contain_text("SAVE20: 20% off — you pay $36 instead of $45.")
    pay = page.get_by_role("button", name="Continue to payment ($36)")
    expect(pay).to_be_visible()
    check(page, "code-applied")
    pay.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    expect(page.locator("#code-discount")).to_have_text("−$9")
    expect(page.locator("#checkout-amount")).to_have_text("$36")
    check(page, "code-checkout")
    page.get_by_role("button", name="Pay $36").click()

    booking = Booking.objects.get()
    expect(page).to_have_url(f"{base}/bookings/{booking.pk}/?confirmed=1", timeout=15_000)
    page.goto(f"{base}{booking.get_absolute_url()}#receipt")
    receipt = page.locator("#receipt")
    expect(receipt.locator("#receipt-amount")).to_contain_text("$36")
    expect(receipt.locator("#receipt-code")).to_have_text("SAVE20: −$9")
    check(page, "code-receipt")
    payment = Payment.objects.get()
    assert (payment.state, payment.amount) == ("paid", 3600)
    assert CodeRedemption.objects.get().state == CodeRedemption.State.REDEEMED


def test_an_intro_call_is_refused_the_second_time(live_server, page: Page, mentor, check):
    intro = OfferingFactory(
        mentor=mentor,
        title="Intro call",
        price_amount=0,
        duration_minutes=15,
        prework_prompts=[],
        is_intro=True,
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    base = live_server.url
    log_in(page, base, MIA)
    page.goto(f"{base}{intro.get_absolute_url()}")
    expect(page.locator(".booking-summary")).to_contain_text("once per mentee")
    pick_slot(page, booking_day())
    page.get_by_label(OUTCOME_LABEL).fill("whether we are a fit")
    expect(page.get_by_label("Promotion code")).to_have_count(0)  # free: nothing to take off
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.locator("#confirmation")).to_contain_text("You're booked")

    page.goto(f"{base}{intro.get_absolute_url()}")
    expect(page.locator("#intro-used")).to_contain_text("You have booked this intro call already")
    later = booking_day().replace(hour=14)
    pick_slot(page, later)
    page.get_by_label(OUTCOME_LABEL).fill("a second try")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.locator("#panel .errors")).to_contain_text(
        "booked once per mentee, and you have booked it already"
    )
    check(page, "intro-refused")
    assert Booking.objects.filter(offering=intro).count() == 1


@SCREENS
def test_a_mentor_marks_an_intro_call_and_makes_a_code(live_server, page: Page, mentor, check, screen):
    offering = OfferingFactory(mentor=mentor, title="Intro chat", price_amount=1500)
    base = live_server.url
    log_in(page, base, mentor.user.email)
    page.goto(f"{base}/mentor/offerings/{offering.slug}/edit/")
    page.get_by_label("Intro call: once per mentee").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#offering-{offering.pk}")).to_contain_text("Intro: once per mentee")

    page.get_by_role("link", name="Promotion codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Promotion codes")
    page.get_by_label("Code", exact=True).fill("launch")
    page.get_by_label("How much").fill("150")
    page.get_by_role("button", name="Create code").click()
    expect(page.locator(".errors")).to_contain_text("A whole percentage from 1 to 100.")
    page.get_by_label("How much").fill("25")
    page.get_by_label("Maximum uses").fill("10")
    page.get_by_role("button", name="Create code").click()
    row = page.locator("#codes tbody tr").first
    expect(row).to_contain_text("LAUNCH")
    expect(row).to_contain_text("25% off")
    expect(row).to_contain_text("0 of 10")
    check(page, "mentor-codes")
    row.get_by_role("button", name="Switch off").click()
    expect(page.locator("#codes tbody tr").first).to_contain_text("Off")
