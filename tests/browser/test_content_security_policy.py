"""The Content-Security-Policy breaks nothing: a walk through the main page types, htmx
interactions included, with the browser reporting no violation (console or
`securitypolicyviolation` event); and the policy is really enforced (an injected inline
script is refused, and reported the same way)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions.models import Booking
from tests.browser.helpers import (
    NEW_YORK,
    OUTCOME_LABEL,
    PROMPTS,
    booking_day,
    log_in,
    log_in_to_admin,
    marketplace,
    pick_slot,
)
from tests.cohorts.factories import CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import BookingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_WORDS = re.compile(r"Content Security Policy|Content-Security-Policy", re.IGNORECASE)
# Installed by Playwright before any page script (and outside the page's CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


class ViolationLog:
    def __init__(self, page: Page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if CSP_WORDS.search(message.text):
            self.console.append(f"{message.type}: {message.text}")

    def events(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def assert_clean(self, where: str) -> None:
        assert self.console == [], f"{where}: {self.console}"
        assert self.events() == [], where
        assert self.errors == [], f"{where}: {self.errors}"


def test_the_main_pages_and_htmx_work_under_the_policy(live_server, site_url, page: Page):
    mentor, offering = marketplace()
    cohort = CohortFactory(published=True, facilitator=mentor, title="Ship it in four weeks")
    ModuleFactory(cohort=cohort, week=1)
    UserFactory(email="mia@example.com", display_name="Mia Chen", timezone="America/New_York")
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    base = live_server.url
    log = ViolationLog(page)

    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="TheMentors")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("[htmx.config.allowEval, htmx.config.allowScriptTags]") == [False, False]
    assert page.evaluate("htmx.config.selfRequestsOnly") is True
    # Its indicator rules are in site.css: htmx adds no <style> (style-src-elem would refuse it).
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    log.assert_clean("home")

    # The directory, filtered through htmx.
    page.goto(f"{base}/mentors/")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as filtered:
        page.get_by_label("Skill").select_option(label="Python")
    assert filtered.value.ok
    expect(page.locator("#results")).to_contain_text("1 mentor")
    log.assert_clean("directory")

    page.locator("#results").get_by_role("link", name="Greta Hoffmann").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Greta Hoffmann")
    log.assert_clean("profile")

    # Signed in: an offering, a day and a slot picked through htmx, the booking page.
    log_in(page, base, "mia@example.com")
    log.assert_clean("dashboard (empty)")
    page.goto(f"{base}{offering.get_absolute_url()}")
    pick_slot(page, booking_day())
    page.get_by_label(OUTCOME_LABEL).fill("a decision")
    for prompt in PROMPTS:
        page.get_by_label(prompt).fill("An answer")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}/\?confirmed=1$"))
    expect(page.locator("h1 + .badge")).to_have_text("Confirmed")
    assert Booking.objects.get().starts_at.astimezone(NEW_YORK).hour in (4, 5)
    log.assert_clean("offering and booking")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    log.assert_clean("dashboard")

    page.goto(f"{base}/cohorts/{cohort.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ship it in four weeks")
    log.assert_clean("cohort page")

    # The Django admin: its index and a change form with its widgets' scripts.
    page.get_by_role("button", name="Log out").click()
    log_in_to_admin(page, base, "staff@example.com")
    expect(page.locator("#site-name")).to_be_visible()
    log.assert_clean("admin index")
    page.goto(f"{base}/admin/mentors/mentorprofile/{mentor.pk}/change/")
    expect(page.locator("#mentorprofile_form")).to_be_visible()
    page.goto(f"{base}/admin/cohorts/cohort/{cohort.pk}/change/")
    expect(page.locator("#cohort_form")).to_be_visible()
    log.assert_clean("admin change forms")


def test_pages_laid_out_with_classes_draw_no_style_violation(live_server, site_url, page: Page):
    """The pages whose style="" attributes became classes (static/css) under style-src-attr
    'none': as a mentee, as the mentor, and in the admin (the moderation queue, a history list)."""
    mentor, offering = marketplace()
    mia = UserFactory(email="mia@example.com", display_name="Mia Chen", timezone="America/New_York")
    booking = BookingFactory(offering=offering, mentee=mia, starts_at=timezone.now() + timedelta(days=1))
    cohort = CohortFactory(published=True, facilitator=mentor, title="Ship it in four weeks")
    ModuleFactory(cohort=cohort, week=1)
    EnrollmentFactory(cohort=cohort, member=mia)
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    base = live_server.url
    log = ViolationLog(page)

    def visit(path: str, heading: str) -> None:
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        log.assert_clean(path)

    log_in(page, base, "mia@example.com")
    visit(reverse("matching:match"), "Find my match")
    visit(reverse("mentors:apply"), "")
    visit(reverse("accounts:settings"), "")
    visit(reverse("accounts:delete"), "")
    visit(reverse("sessions:booking", args=[booking.pk]), offering.title)
    visit(reverse("qa:booking_thread", args=[booking.pk]), "")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Your message").fill("Should I bring both offer letters?")
        page.get_by_role("button", name="Send").click()
    expect(page.locator(".qa-message .byline")).to_contain_text("Mia Chen")
    log.assert_clean("a message sent")
    visit(reverse("cohorts:space", args=[cohort.slug]), cohort.title)
    page.get_by_role("button", name="Get my private calendar feed (.ics)").click()
    expect(page.locator("#feed-url")).to_be_visible()
    log.assert_clean("cohort space with its calendar feed")
    page.get_by_role("button", name="Log out").click()

    log_in(page, base, "greta@example.com")
    expect(page.locator(".row a.mr-auto")).to_contain_text(offering.title)
    for name, args in [
        ("mentors:availability", []),
        ("mentors:offerings", []),
        ("mentors:offering_new", []),
        ("subscriptions:mentor_plans", []),
        ("subscriptions:plan_new", []),
        ("cohorts:manage_list", []),
        ("cohorts:create", []),
        ("cohorts:manage", [cohort.slug]),
        ("cohorts:module_create", [cohort.slug]),
        ("cohorts:event_create", [cohort.slug]),
        ("cohorts:roster", [cohort.slug]),
    ]:
        visit(reverse(name, args=args), "")
    expect(page.locator(".scroll-x table")).to_contain_text("Mia Chen")
    page.get_by_role("button", name="Log out").click()

    log_in_to_admin(page, base, "staff@example.com")
    expect(page.locator("#moderation-queue-link table.full-width")).to_be_visible()
    log.assert_clean("admin index")
    page.goto(f"{base}{reverse('admin:moderation_queue')}")
    expect(page.locator("#content h1")).to_have_text("Moderation queue")
    log.assert_clean("moderation queue")
    page.goto(f"{base}{reverse('admin:mentoring_booking_history', args=[booking.pk])}")
    expect(page.locator(".paginator.flush-top")).to_be_attached()
    log.assert_clean("a booking's history")
    page.goto(f"{base}{reverse('admin:mentors_mentorprofile_changelist')}?_to_field=id&_popup=1")
    expect(page.locator("#result_list")).to_be_visible()
    log.assert_clean("a raw-id lookup popup")


def test_an_injected_inline_script_is_refused_and_reported(live_server, page: Page):
    log = ViolationLog(page)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.append(script);
    }"""
    )
    assert page.evaluate("window.__injected === undefined")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any(v.startswith("script-src") for v in log.events())
    for _ in range(50):
        if log.console:
            break
        page.wait_for_timeout(100)
    assert any("inline script" in line and "script-src" in line for line in log.console), log.console
