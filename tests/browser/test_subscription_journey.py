"""Subscriptions in a real browser with the demo payment provider: a mentee subscribes to a
mentor's plan (a mistyped promotion code first, then the mentor's code off the first month), books
a session with a credit (no checkout), sends a question in the subscription's Q&A thread, and the
mentor answers it.

The demo provider and DEBUG are switched on by test_paid_journey.py's fixture (see its
docstring for why that is honest); Celery runs eagerly, so the demo's events are processed
when the test's request commits, as a worker would moments later.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from billing.services.codes import code_create
from qa.models import Message
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from subscriptions.models import Plan, Subscription
from tests.browser.checks import SCREENS
from tests.browser.helpers import PROMPTS, booking_day, log_in, pick_slot
from tests.factories import MentorFactory, OfferingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIA = "mia.subscriber@example.com"
GRETA = "greta.plans@example.com"


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_subscribe_book_with_a_credit_ask_and_get_an_answer(page: Page, live_server, check, screen):
    mentor = MentorFactory(user__display_name="Greta Hoffmann", user__email=GRETA)
    offering = OfferingFactory(
        mentor=mentor,
        title="Career strategy call",
        price_amount=6000,
        duration_minutes=30,
        prework_prompts=PROMPTS,
    )
    Plan.objects.create(
        mentor=mentor,
        name="Two calls a month",
        price_amount=9900,
        currency="USD",
        credits_per_period=2,
        max_session_minutes=30,
        includes_qa=True,
        is_published=True,
    )
    mentor_refresh_free_slots(mentor_id=mentor.pk)
    UserFactory(email=MIA, display_name="Mia Chen", timezone="America/New_York")
    base = live_server.url

    # The mentee finds the plan on the profile and subscribes through the test checkout.
    log_in(page, base, MIA)
    page.goto(f"{base}{mentor.get_absolute_url()}")
    check(page, "profile-with-plan")
    page.get_by_role("link", name="Two calls a month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two calls a month")
    check(page, "plan")
    # A mistyped promotion code is explained next to its field; the mentor's takes 20 % off the
    # first month.
    code_create(by=mentor.user, mentor=mentor, code="WELCOME20", percent_off=20)
    page.get_by_text("Have a promotion code?").click()
    page.get_by_label("Promotion code").fill("WELCOME02")
    page.get_by_role("button", name="Subscribe for $99/month").click()
    expect(page.locator("#id_plan_code_error")).to_contain_text("There is no code WELCOME02")
    check(page, "plan-code-refused")
    page.get_by_label("Promotion code").fill("welcome20")
    page.get_by_role("button", name="Subscribe for $99/month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test checkout — no real money")
    expect(page.get_by_text("with the code WELCOME20")).to_be_visible()
    check(page, "plan-checkout")
    page.get_by_role("button", name="Subscribe and pay $79.20").click()
    status = page.locator("#subscription-status")
    expect(status).to_contain_text("You're subscribed")
    expect(status).to_contain_text("2 session credits this month")
    check(page, "subscribed")
    subscription = Subscription.objects.get(mentee__email=MIA)
    assert subscription.status == Subscription.Status.ACTIVE

    # The offering page offers the credit; booking with it confirms at once, nothing to pay.
    page.goto(f"{base}{offering.get_absolute_url()}")
    pick_slot(page, booking_day())
    credit = page.get_by_label(re.compile("Pay with 1 of your 2 subscription credits"))
    expect(credit).to_be_checked()
    check(page, "offering-with-credit")
    page.get_by_label("By the end of the session I will have…").fill("a plan for the next quarter")
    page.get_by_label(PROMPTS[0]).fill("Promotion or a move")
    page.get_by_label(PROMPTS[1]).fill("Scope")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("1 subscription credit")).to_be_visible()
    booking = Booking.objects.get(mentee__email=MIA)
    assert booking.state == Booking.State.CONFIRMED and booking.price_amount == 0

    # Between sessions: a question in the subscription's thread (posted with htmx).
    page.goto(f"{base}{subscription.get_absolute_url()}")
    expect(page.locator("#credits-left")).to_have_text("1")
    thread = page.locator("#qa-thread")
    thread.get_by_label("Your message").fill("Should I mention the **other offer** in my review?")
    thread.get_by_role("button", name="Send").click()
    expect(thread.locator("strong", has_text="other offer")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    check(page, "subscription", doc=True)

    # The mentor answers from the same page.
    page.context.clear_cookies()
    log_in(page, base, GRETA)
    page.goto(f"{base}{subscription.get_absolute_url()}")
    thread = page.locator("#qa-thread")
    expect(thread).to_contain_text("Should I mention the other offer")
    thread.get_by_label("Your message").fill("Yes — briefly, and only as context.")
    thread.get_by_role("button", name="Send").click()
    expect(thread).to_contain_text("Yes — briefly, and only as context.")
    check(page, "subscription-mentor")
    assert list(Message.objects.order_by("created_at").values_list("author__email", flat=True)) == [
        MIA,
        GRETA,
    ]

    # The mentor's plans, and the plan form's errors.
    page.goto(f"{base}/mentor/plans/")
    expect(page.get_by_role("link", name="Two calls a month")).to_be_visible()
    check(page, "mentor-plans")
    page.goto(f"{base}/mentor/plans/new/")
    form = page.locator("main form")
    form.evaluate("f => { f.noValidate = true }")
    form.get_by_role("button").last.click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    check(page, "plan-form-errors")

    # Back as the mentee: the answer is there.
    page.context.clear_cookies()
    log_in(page, base, MIA)
    page.goto(f"{base}{subscription.get_absolute_url()}")
    expect(page.locator("#qa-thread")).to_contain_text("Yes — briefly, and only as context.")
