"""The paid journey in a real browser, with the demo payment provider (no Stripe, no money).

A verified mentee picks a slot on a paid offering, continues to the test checkout and pays;
the success page says "confirming…" until the event is processed, then updates itself (htmx
polling) and the booking page shows the receipt. Abandoning frees the slot at once; a declined
card confirms nothing.

Why DEBUG is switched on here, and why that is honest: the demo provider must never run in
production, which billing enforces twice —
  * at startup, `billing.apps.BillingConfig.ready()` refuses BILLING_PROVIDER=demo with DEBUG off
    (it ran once, when the test process started, with whatever the environment said; it is not
    run again), and
  * per request, `billing.views._demo_allowed()` answers 404 unless `settings.DEBUG` is on and
    `settings.BILLING_PROVIDER == "demo"`; `billing.services.provider()` also reads the setting
    per call.
pytest-django's live server runs with DEBUG off. The `demo_provider` fixture (in conftest.py)
switches DEBUG and BILLING_PROVIDER through pytest-django's `settings` fixture (override_settings
on the one global settings object, so the live server's thread sees it on its next request, and
it is undone after the test), exactly the configuration `run` uses locally; and it passes those
values through the same startup check, so the test cannot use a combination the app would
refuse to start with. Nothing in billing is patched, and tests/billing/test_demo_and_payouts.py
keeps proving the page is a 404 with DEBUG off.

Celery is eager in tests, which would process the payment event inside the "Pay" request and
hide the "confirming…" state. `held_events` keeps the process_event tasks instead (as a broker
would) and the test runs them when it chooses, playing the worker.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from billing import tasks
from billing.models import Payment, WebhookEvent
from core.one_click import one_click_url
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from tests.browser.checks import SCREENS
from tests.browser.helpers import NEW_YORK, PROMPTS, booking_day, log_in, pick_slot
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIA = "mia.paid@example.com"
TITLE = "Salary negotiation rehearsal"


@pytest.fixture
def held_events():
    """Keep process_event tasks (as a broker would) instead of running them eagerly.

    Returns `run()`, which processes what was kept, in order, like a worker would.
    """
    task = tasks.process_event._get_current_object()
    kept: list[int] = []
    task.delay = lambda event_id: kept.append(event_id)  # delay_on_commit calls self.delay

    def run() -> int:
        done = 0
        while kept:
            tasks.process_event(kept.pop(0))
            done += 1
        return done

    try:
        yield run
    finally:
        del task.delay


@pytest.fixture
def paid_offering(db):
    mentor = MentorFactory(user__display_name="Greta Hoffmann", user__email="greta.paid@example.com")
    offering = OfferingFactory(
        mentor=mentor, title=TITLE, price_amount=4500, currency="USD", prework_prompts=PROMPTS
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    UserFactory(email=MIA, display_name="Mia Chen", timezone="America/New_York")  # verified
    return offering


def _to_test_checkout(page: Page, base: str, offering, check=None) -> str:
    """Log in, pick the slot, write the outcome and continue to the test checkout."""
    log_in(page, base, MIA)
    page.goto(f"{base}{offering.get_absolute_url()}")
    label = pick_slot(page, booking_day())
    if check:
        check(page, "offering-paid")
    page.get_by_label("By the end of the session I will have…").fill("a number I can defend")
    page.get_by_label(PROMPTS[0]).fill("Two offers, one with equity")
    page.get_by_label(PROMPTS[1]).fill("A fair base salary")
    page.get_by_role("button", name="Continue to payment ($45)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    expect(page).to_have_url(re.compile(r"/billing/demo/checkout/[0-9a-f-]{36}/$"))
    expect(page.locator("main")).to_contain_text("nothing is charged")
    booking = Booking.objects.get()
    assert booking.state == Booking.State.HELD and booking.starts_at == booking_day()
    return label


def _slot_link(page: Page, label: str):
    local = booking_day().astimezone(NEW_YORK)
    slots = page.get_by_role("list", name=f"Free times on {local:%A} {local.day} {local:%B}")
    return slots.get_by_role("link", name=label, exact=True)


@SCREENS
def test_paying_at_the_test_checkout_confirms_and_shows_the_receipt(
    live_server, site_url, page: Page, demo_provider, held_events, paid_offering, check, screen
):
    base = live_server.url
    _to_test_checkout(page, base, paid_offering, check)
    main = page.locator("main")
    expect(main).to_contain_text("$45")
    check(page, "test-checkout", doc=True)

    page.get_by_role("button", name="Pay $45").click()
    booking = Booking.objects.get()
    expect(page).to_have_url(f"{base}/billing/checkout/{booking.pk}/success/")
    status = page.locator("#payment-status")
    # Only the processed event confirms: until the worker ran, the page says so and polls.
    expect(status).to_contain_text("Confirming your payment…")
    check(page, "payment-confirming")
    assert Booking.objects.get().state == Booking.State.HELD
    event = WebhookEvent.objects.get()
    assert (event.type, event.endpoint, event.state) == ("checkout.session.completed", "demo", "received")
    with page.expect_request(lambda r: r.url.endswith("/success/") and r.headers.get("hx-request") == "true"):
        pass  # at least one htmx poll while still confirming

    assert held_events() == 1  # the "worker" processes the stored event
    # The next poll finds it confirmed and moves the page to the booking's confirmation.
    expect(page).to_have_url(f"{base}/bookings/{booking.pk}/?confirmed=1", timeout=10_000)
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED
    payment = Payment.objects.get()
    assert (payment.state, payment.amount, payment.provider) == ("paid", 4500, "demo")

    done = page.locator("#confirmation")
    expect(done.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(done).to_contain_text("Payment received. We've e-mailed you the details and a calendar file.")
    expect(done).to_contain_text(f"$45 on {payment.paid_at.astimezone(NEW_YORK):%-d %b %Y}")
    expect(done.get_by_role("link", name="Google Calendar")).to_be_visible()
    expect(done).to_contain_text("for a full refund until")  # the free cancellation, in words
    check(page, "paid-confirmation", doc=True)
    done.get_by_role("link", name="receipt").click()
    expect(page).to_have_url(f"{base}/bookings/{booking.pk}/?confirmed=1#receipt")
    expect(page.locator("h1 + .badge")).to_have_text("Confirmed")
    receipt = page.locator("#receipt")
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    expect(receipt).to_contain_text("Paid")
    expect(receipt).to_contain_text("$45")
    expect(receipt).to_contain_text("test checkout, no real money")
    expect(receipt).not_to_contain_text("Platform fee")  # the mentee sees what they paid, not our fee
    check(page, "paid-booking", doc=True)


@pytest.mark.parametrize("how", ["abandon button", "signed cancel url", "plain cancel url"])
def test_abandoning_the_checkout_frees_the_same_slot_at_once(
    live_server, page: Page, demo_provider, held_events, paid_offering, how, check
):
    base = live_server.url
    label = _to_test_checkout(page, base, paid_offering)
    booking = Booking.objects.get()
    if how == "abandon button":
        page.get_by_role("button", name="Abandon").click()
    elif how == "signed cancel url":  # where Stripe's own page sends a mentee who goes back
        page.goto(base + one_click_url(f"/billing/checkout/{booking.pk}/cancel/", user=booking.mentee))
    else:  # the address without its signature (a link from elsewhere): it asks first
        page.goto(f"{base}/billing/checkout/{booking.pk}/cancel/")
        expect(page.get_by_text("You left the checkout without paying.")).to_be_visible()
        check(page, "checkout-left")
        booking.refresh_from_db()
        assert booking.state == Booking.State.HELD
        page.get_by_role("button", name="Let this time go").click()

    day = booking_day().astimezone(NEW_YORK).date()
    expect(page).to_have_url(f"{base}{paid_offering.get_absolute_url()}?day={day.isoformat()}")
    expect(page.get_by_role("status")).to_contain_text(
        "No payment was taken, and the time you picked is free again."
    )
    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED
    assert held_events() == 0  # nothing to process: no payment event was produced

    # The same slot is offered again, and picking it opens the booking form once more.
    link = _slot_link(page, label)
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("button", name="Continue to payment ($45)")).to_be_visible()


def test_a_declined_card_confirms_nothing_and_abandoning_frees_the_slot(
    live_server, page: Page, demo_provider, held_events, paid_offering, check
):
    base = live_server.url
    label = _to_test_checkout(page, base, paid_offering)
    page.get_by_role("button", name="Decline (test a failed card)").click()
    # Like Stripe's page, a declined card keeps the checkout open for another try.
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    check(page, "card-declined")
    held_events()
    booking = Booking.objects.get()
    assert booking.state == Booking.State.HELD  # not confirmed; still held for another card
    assert Payment.objects.get().last_error == "Your card was declined."
    assert Payment.objects.get().state == Payment.State.PENDING

    page.goto(f"{base}/bookings/{booking.pk}/")
    expect(page.locator("h1 + .badge")).not_to_have_text("Confirmed")
    expect(page.locator("#receipt")).to_contain_text("Your card was declined.")
    check(page, "booking-payment-failed")

    page.go_back()
    page.get_by_role("button", name="Abandon").click()
    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED and booking.hold_expires_at is not None
    expect(_slot_link(page, label)).to_be_visible()
    check(page, "offering-slot-freed")
