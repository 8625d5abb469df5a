"""Session packs in a real browser with the demo payment provider: a mentor sets up a pack of one
of their offerings, a mentee buys it on the offering page through the test checkout, books a
session with it from the booking form (nothing to pay) and sees what is left on the dashboard. A
mistyped promotion code is explained next to its field first; the mentor's code takes 10 % off.

Celery runs eagerly, so the demo's events are processed when the test's request commits, as a
worker would moments later.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from billing.services.codes import code_create
from packs.models import PackPurchase
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from tests.browser.checks import SCREENS
from tests.browser.helpers import PROMPTS, booking_day, log_in, pick_slot
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOOR = "noor.packs@example.com"
TOMAS = "tomas.mentor@example.com"


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_set_up_a_pack_buy_it_book_with_it_and_see_what_is_left(page: Page, live_server, check, screen):
    mentor = MentorFactory(user__display_name="Tomás Rivera", user__email=TOMAS)
    OfferingFactory(
        mentor=mentor,
        title="Interview practice",
        slug="interview-practice",
        price_amount=6000,
        duration_minutes=30,
        prework_prompts=PROMPTS,
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    UserFactory(email=NOOR, display_name="Noor Haddad", timezone="America/New_York")
    base = live_server.url

    # The mentor sets up the pack from their offerings: 3 sessions at 17 % off, and publishes it.
    log_in(page, base, TOMAS)
    page.goto(f"{base}/mentor/offerings/")
    page.get_by_role("link", name="Session packs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session packs")
    page.get_by_role("link", name="Create your first pack").click()
    page.get_by_label("Sessions in the pack").fill("3")
    page.get_by_label("Discount (%)").fill("17")
    page.get_by_label("Valid for (months)").fill("6")
    check(page, "pack-form")
    page.get_by_role("button", name="Save").click()
    row = page.locator("tbody tr", has_text="Interview practice")
    expect(row).to_contain_text("$149.40")
    row.get_by_role("button", name="Publish").click()
    expect(page.locator("tbody tr", has_text="Interview practice")).to_contain_text("Published")
    check(page, "mentor-packs")

    # The mentee finds it on the profile and the offering page, and buys it through the test checkout.
    page.context.clear_cookies()
    log_in(page, base, NOOR)
    page.goto(f"{base}{mentor.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Session packs")).to_be_visible()
    page.get_by_role("link", name="See the pack").click()
    pack = page.locator("#pack")
    expect(pack).to_contain_text("3 sessions for $149.40")
    expect(pack).to_contain_text("3 for the price of 2.49")
    check(page, "offering-with-pack")
    # A mistyped promotion code is explained next to its field and nothing is bought; the
    # mentor's code takes 10 % off at the test checkout.
    code_create(by=mentor.user, mentor=mentor, code="PACKS10", percent_off=10)
    pack.get_by_text("Have a promotion code?").click()
    pack.get_by_label("Promotion code").fill("PACK10")
    pack.get_by_role("button", name="Buy the pack ($149.40)").click()
    expect(page.locator("#id_pack_code_error")).to_contain_text("There is no code PACK10")
    check(page, "pack-code-refused")
    assert not PackPurchase.objects.exists()
    page.get_by_label("Promotion code").fill("packs10")
    page.get_by_role("button", name="Buy the pack ($149.40)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    expect(page.get_by_text("PACKS10")).to_be_visible()
    check(page, "pack-checkout")
    page.get_by_role("button", name="Pay $134.46").click()
    expect(page.locator("#sessions-left")).to_contain_text("3 of 3")
    check(page, "pack-bought")
    purchase = PackPurchase.objects.get(mentee__email=NOOR)
    assert purchase.state == PackPurchase.State.ACTIVE and purchase.price_amount == 13446
    receipts = [m for m in mail.outbox if m.to == [NOOR] and m.subject.startswith("Your pack")]
    assert len(receipts) == 1 and "$134.46" in receipts[0].body

    # The booking form offers a session of the pack; booking with it confirms at once.
    page.get_by_role("link", name="Book a session").click()
    pick_slot(page, booking_day())
    use_pack = page.get_by_label(re.compile("Use a session of my pack"))
    expect(use_pack).to_be_checked()
    check(page, "offering-with-pack-session")
    page.get_by_label("By the end of the session I will have…").fill("answers I can give with confidence")
    page.get_by_label(PROMPTS[0]).fill("A product manager role")
    page.get_by_label(PROMPTS[1]).fill("Storytelling")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("1 session of your pack")).to_be_visible()
    booking = Booking.objects.get(mentee__email=NOOR)
    assert booking.state == Booking.State.CONFIRMED and booking.price_amount == 0

    # The dashboard shows what is left.
    page.goto(f"{base}/dashboard/")
    card = page.locator(f"#pack-{purchase.pk}")
    expect(card).to_contain_text("2 of 3 sessions left")
    check(page, "dashboard-with-pack")
