"""Matching end to end in a real browser: a mentee fills the "Find my match" intake, sees ranked results
with the reasons each was chosen, clicks through to the best one and books it (a free session, so
no payment step); the page waits for a re-ranking by polling with htmx."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching import services
from matching.models import Impression, Intake
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots
from tests.browser.checks import SCREENS, menu_link
from tests.browser.helpers import (
    NEW_YORK,
    OUTCOME,
    OUTCOME_LABEL,
    PROMPTS,
    booking_day,
    clock,
    log_in,
    pick_slot,
)
from tests.factories import MentorFactory, OfferingFactory, SkillFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEED = "Should I take a job offer at a Python startup?"
TITLE = "Should I take this job offer?"


def _marketplace():
    """Greta (Berlin, Python, a free session, a proven record) and Dora (design, $50)."""
    python = SkillFactory(name="Python", slug="python")
    greta = MentorFactory(
        user__display_name="Greta Hoffmann",
        headline="Staff engineer: Python, hiring and job offers",
        rating_average=4.8,
        rating_count=12,
        action_items_done=10,
        action_items_total=14,
    )
    greta.skills.add(python)
    offering = OfferingFactory(mentor=greta, title=TITLE, price_amount=0, prework_prompts=PROMPTS)
    dora = MentorFactory(user__display_name="Dora Lindqvist", headline="Product designer")
    dora.skills.add(SkillFactory(name="Design", slug="design"))
    OfferingFactory(mentor=dora, title="Portfolio review", price_amount=5000)
    for mentor in (greta, dora):
        mentor_refresh_free_slots(mentor_id=mentor.pk)
    return greta, offering


@SCREENS
def test_mentee_fills_the_intake_sees_why_and_books_from_the_results(live_server, page: Page, check, screen):
    _, offering = _marketplace()
    mentee = UserFactory(email="mia@example.com", display_name="Mia Chen", timezone="America/New_York")
    base = live_server.url
    slot = booking_day()

    log_in(page, base, mentee.email)
    menu_link(page, "Find my match").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find my match")
    # Nothing told yet: a helpful form with examples, not an empty page.
    expect(page.get_by_role("heading", name="Start with what you are stuck on")).to_be_visible()
    expect(page.locator("main")).to_contain_text("I have two job offers and must answer by Friday")
    check(page, "match-intake")
    page.get_by_label("Budget", exact=True).fill("-5")
    page.get_by_label("Budget", exact=True).evaluate("el => { el.form.noValidate = true }")
    page.get_by_role("button", name="Save and find my matches").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    check(page, "match-intake-errors")

    # --- the intake: need, skill, budget, weekdays, early-morning hours in New York -----------
    page.get_by_label("What decision or skill do you want help with?").fill(NEED)
    page.get_by_label("Python", exact=True).check()
    page.get_by_label("Budget", exact=True).fill("30")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(day).check()
    page.get_by_label("From", exact=True).fill("03:00")
    page.get_by_label("To", exact=True).fill("12:00")
    page.get_by_label("A single session").check()
    page.get_by_role("button", name="Save and find my matches").click()

    # --- results, ranked, each with its reasons ------------------------------------------------
    expect(page).to_have_url(f"{base}/match/#results")
    results = page.locator("#results")
    expect(results.get_by_role("heading", name="Your matches")).to_be_visible()
    best = results.locator("li").first
    expect(best.get_by_role("heading")).to_have_text(TITLE)
    expect(best).to_contain_text("with Greta Hoffmann · Free")
    expect(best).to_contain_text(
        re.compile(
            r"Why: Python, job, offer · \d+\+? free slots inside your hours this week"
            r" · Free, within your budget"
            r" · rated 4\.8 from 12 reviews · 71% of mentees did their action item"
        )
    )
    # Over the budget: never among the main results, but among the closest, with how it differs.
    expect(results).to_contain_text("Only 1 matches everything you asked for (up to $30 a session).")
    closest = results.locator("section.match-group")
    expect(closest.get_by_role("heading", level=3)).to_have_text("The closest to what you asked")
    expect(closest.locator("li")).to_contain_text("Portfolio review")
    expect(closest.locator("li")).to_contain_text("$50, above your budget by $20")
    # The form stays beside the results, filled in, to edit.
    expect(page.get_by_label("What decision or skill do you want help with?")).to_have_value(NEED)
    expect(page.get_by_label("Python", exact=True)).to_be_checked()
    expect(page.get_by_label("Saturday")).not_to_be_checked()
    page.evaluate("window.scrollTo(0, 0)")
    check(page, "match", doc=True)

    # --- the intake changed after the ranking: the page waits, polling, for the worker --------
    Intake.objects.filter(user=mentee).update(updated_at=timezone.now())
    page.reload()
    expect(results).to_contain_text("Finding your matches…")
    check(page, "match-waiting")
    with page.expect_response(
        lambda r: "/match/?poll=" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        pass  # it polls
    # What the worker does a moment later; once the results are on screen the page reports them.
    with page.expect_response(lambda r: r.url.endswith("/match/seen/") and r.status == 204):
        services.recommendations_refresh(user_id=mentee.pk)
        expect(results.locator("li").first.get_by_role("heading")).to_have_text(TITLE, timeout=10_000)
    expect(results).not_to_contain_text("Finding your matches…")

    # --- one click to the offering, noted for learning; then pick a slot and book ------------
    best = results.locator("li").first
    best.get_by_role("link", name=f"Book “{TITLE}” with Greta Hoffmann").click()
    expect(page).to_have_url(f"{base}{offering.get_absolute_url()}")
    assert Impression.objects.get(user=mentee, kind="offering", object_id=offering.pk).clicked_at
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    label = pick_slot(page, slot)
    assert label == clock(slot.astimezone(NEW_YORK))
    page.get_by_label(OUTCOME_LABEL).fill(OUTCOME)
    page.get_by_label(PROMPTS[0]).fill("Stay, or join the startup")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}/\?confirmed=1$"))
    booking = Booking.objects.get()
    assert (booking.mentee, booking.offering, booking.starts_at) == (mentee, offering, slot)
    assert booking.state == Booking.State.CONFIRMED
    expect(page.locator("#confirmation")).to_contain_text("You're booked")

    # --- and the dashboard recommends from the same ranking ----------------------------------
    menu_link(page, "Dashboard").click()
    recommended = page.locator("#recommended-for-you")
    expect(recommended.get_by_role("heading", name="Recommended for you")).to_be_visible()
    check(page, "dashboard-recommended")
    expect(recommended.get_by_role("link", name=TITLE)).to_have_attribute(
        "href", re.compile(r"^/match/go/1/\?signed=")
    )
    recommended.get_by_role("link", name="All your matches, and what you told us").click()
    expect(page).to_have_url(f"{base}/match/")
