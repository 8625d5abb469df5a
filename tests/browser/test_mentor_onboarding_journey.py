"""J3 Mentor onboarding in a real browser (demo payment provider; see test_paid_journey.py for why
that is honest): a member applies to mentor (with the form's errors first), staff approve (the
admin's side is walked in test_moderation_journey.py), the mentor connects payouts, sets weekly
hours and a day off, publishes a paid offering, and reads the earnings page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentors.models import MentorProfile
from moderation.standing import mentor_review
from sessions.models import Offering
from tests.browser.checks import SCREENS, menu_link
from tests.browser.helpers import PASSWORD, log_in
from tests.factories import LanguageFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_validation(page: Page, form) -> None:
    """Let the server answer the bad input, as it must for a browser that checks nothing."""
    form.evaluate("f => { f.noValidate = true }")


@SCREENS
@pytest.mark.usefixtures("demo_provider")
def test_a_member_applies_is_approved_and_publishes_an_offering(live_server, page: Page, check, screen):
    LanguageFactory(code="en", name="English")
    priya = UserFactory(email="priya@example.com", display_name="Priya Raman", timezone="Europe/Berlin")
    base = live_server.url

    # --- the application, its errors first --------------------------------------------------
    log_in(page, base, priya.email)
    menu_link(page, "Become a mentor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a mentor")
    check(page, "apply")
    form = page.locator("main form")
    _no_validation(page, form)
    form.get_by_role("button", name="Send application").click()
    expect(page.get_by_label("Headline")).to_have_attribute("aria-invalid", "true")
    check(page, "apply-errors")
    page.get_by_label("Headline").fill("Engineering manager: hiring, first-time managers")
    page.get_by_label("Bio").fill("Nine years leading teams of **five to forty**.")
    page.get_by_label("Skills").fill("Hiring, Management")
    page.get_by_label("English").check()
    page.get_by_label("Years of experience").fill("9")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("status")).to_contain_text("Your application is in review")
    check(page, "apply-in-review")
    mentor = MentorProfile.objects.get(user=priya)
    assert mentor.status == MentorProfile.Status.PENDING

    mentor_review(mentor=mentor, approve=True, by=UserFactory(is_staff=True))

    # --- payouts (simulated by the demo provider) ------------------------------------------
    page.reload()
    menu_link(page, "Payouts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payouts")
    check(page, "payouts")
    page.get_by_role("button", name="Set up payouts").click()
    # Where the money goes: allauth asks for the password again first, then carries on.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("main")).to_contain_text("You're paid after each completed session")
    check(page, "payouts-enabled")

    # --- weekly hours, a day off, and a bad override ------------------------------------------
    menu_link(page, "Availability").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Availability")
    check(page, "availability-empty")
    hours = page.get_by_role("form", name="Add weekly hours")
    hours.get_by_label("Weekday").select_option(label="Tuesday")
    hours.get_by_label("Start time").fill("09:00")
    hours.get_by_label("End time").fill("12:00")
    hours.get_by_role("button", name="Add hours").click()
    expect(page.get_by_role("cell", name="Tuesday", exact=True)).to_be_visible()
    override = page.get_by_role("form", name="Add a date override")
    _no_validation(page, override)
    override.get_by_role("button", name="Add override").click()
    expect(page.get_by_role("form", name="Add a date override").locator(".errorlist").first).to_be_visible()
    check(page, "availability-errors")
    override = page.get_by_role("form", name="Add a date override")
    day_off = (timezone.now() + timedelta(days=9)).date()
    override.get_by_label("Date").fill(day_off.isoformat())
    override.get_by_label("Kind").select_option(label="Day off")
    override.get_by_role("button", name="Add override").click()
    expect(page.get_by_role("row", name=re.compile("Day off"))).to_be_visible()
    check(page, "availability")

    # --- a paid offering, its errors first, then published -----------------------------------
    menu_link(page, "Offerings").click()
    check(page, "offerings-empty")
    page.get_by_role("link", name="New offering").click()
    form = page.locator("main form")
    _no_validation(page, form)
    form.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    check(page, "offering-form-errors")
    page.get_by_label("Title").fill("Your first hiring plan")
    page.get_by_label("Outcome").fill("A hiring plan for the next quarter")
    page.get_by_label("Description").fill("Bring your headcount and budget.")
    page.get_by_label("Price").fill("40")
    page.get_by_label("Pre-work prompts").fill("How many people will you hire?")
    page.get_by_role("button", name=re.compile("^Save")).click()
    row = page.get_by_role("row", name=re.compile("Your first hiring plan"))
    expect(row).to_contain_text("Draft")
    row.get_by_role("button", name="Publish").click()
    expect(row).to_contain_text("Published")
    check(page, "offerings")
    assert Offering.objects.get(mentor=mentor).is_published

    page.goto(f"{base}{mentor.get_absolute_url()}")
    expect(page.get_by_role("link", name="Your first hiring plan").first).to_be_visible()

    menu_link(page, "Earnings").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Earnings")
    check(page, "earnings")
