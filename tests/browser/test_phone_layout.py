"""At a phone's width (390 × 844) no main page scrolls sideways and every tap target is at least
24 × 24 CSS px (WCAG 2.2, 2.5.8); the menu and the directory's filters fold behind buttons.

The check runs in the page: the document may not be wider than the window, and every visible
link, button, input, select, summary and checkbox label must be 24 px wide and high, except a
link inside running text (WCAG's inline exception: its height is the line's). Offenders are
printed, so a failure says what to fix.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions.models import ActionItem, Booking
from tests.browser.helpers import booking_day, log_in, marketplace
from tests.cohorts.factories import CohortEventFactory, CohortFactory, ModuleFactory
from tests.factories import BookingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MIN_TARGET = 24

# A function expression for page.evaluate (its leading // comment lines dropped).
LAYOUT_CHECK = "\n".join(
    line
    for line in (Path(__file__).parent / "layout_check.js").read_text().splitlines()
    if not line.startswith("//")
)


def _world():
    """A mentor with an offering, a mentee with past sessions (long action items), an upcoming
    booking, and a published cohort of the same mentor with a module and an event."""
    mentor, offering = marketplace()
    mentee = UserFactory(email="mia@example.com", display_name="Mia Jones", timezone="America/New_York")
    now = timezone.now().replace(microsecond=0)
    for days, state, text in [
        (3, Booking.State.COMPLETED, "Write to both recruiters with the counter-offer and a date"),
        (10, Booking.State.COMPLETED, "Ship it"),
        (17, Booking.State.CANCELLED_BY_MENTOR, ""),
    ]:
        starts = now - timedelta(days=days)
        past = BookingFactory(offering=offering, mentee=mentee, starts_at=starts, state=state)
        if text:
            ActionItem.objects.create(booking=past, text=text, due_date=(now + timedelta(days=5)).date())
    upcoming = BookingFactory(offering=offering, mentee=mentee, starts_at=booking_day())
    cohort = CohortFactory(
        facilitator=mentor, title="Interview loop bootcamp for senior engineers", published=True
    )
    ModuleFactory(cohort=cohort)
    CohortEventFactory(cohort=cohort)
    return mentor, offering, mentee, upcoming, cohort


def _check(page: Page, base: str, path: str) -> list[str]:
    response = page.goto(base + path)
    assert response.ok, f"{path}: {response.status}"
    found = page.evaluate(LAYOUT_CHECK, MIN_TARGET)
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"{path}: {found['scrollWidth']} px wide in a {found['innerWidth']} px window")
        problems += [f"{path}:   {w}" for w in found["wide"][:12]]
    problems += [f"{path}: tap target {s}" for s in found["small"]]
    return problems


def test_main_pages_fit_a_phone_with_tap_targets_of_24_px(page: Page, live_server):
    base = live_server.url
    mentor, offering, mentee, upcoming, cohort = _world()
    page.set_viewport_size(PHONE)
    problems = []
    for path in ["/", "/mentors/", mentor.get_absolute_url(), offering.get_absolute_url(), "/match/"]:
        problems += _check(page, base, path)
    log_in(page, base, mentee.email)
    for path in [
        "/dashboard/",
        upcoming.get_absolute_url(),
        cohort.get_absolute_url(),
        "/match/",
        offering.get_absolute_url(),
        "/mentors/",
    ]:
        problems += _check(page, base, path)
    page.goto(base + cohort.get_absolute_url())  # the norms box was among the targets measured
    expect(page.get_by_role("checkbox")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, base, mentor.user.email)
    for path in ["/dashboard/", upcoming.get_absolute_url(), "/dashboard/cohorts/", "/mentor/offerings/"]:
        problems += _check(page, base, path)
    print("\n".join(problems))
    assert not problems, "\n" + "\n".join(problems)


def test_the_menu_folds_behind_a_button_on_a_phone(page: Page, live_server):
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(base + "/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Find a mentor")).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Find a mentor")).to_be_focused()
    page.keyboard.press("Escape")  # closes, and the focus goes back to the button
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    menu.click()  # a tap outside the menu closes it
    expect(nav).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()  # a tap inside it does not
    nav.dispatch_event("click")
    expect(nav).to_be_visible()
    page.mouse.click(5, PHONE["height"] - 5)
    expect(nav).to_be_hidden()
    menu.click()  # Escape closes it wherever the focus is, and gives the focus back to the button
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    page.set_viewport_size(DESKTOP)  # a wide screen shows the nav inline, and no button
    expect(nav.get_by_role("link", name="Find a mentor")).to_be_visible()
    expect(menu).to_be_hidden()


def test_without_javascript_the_nav_and_filters_stay_in_view(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/mentors/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
    expect(page.get_by_label("Skill")).to_be_visible()
    context.close()


def test_the_directory_shows_results_first_with_filters_behind_a_button(page: Page, live_server):
    base = live_server.url
    marketplace()
    page.set_viewport_size(PHONE)
    page.goto(base + "/mentors/")
    results = page.locator("#results")
    expect(results).to_contain_text("2 mentors")
    expect(page.get_by_label("Skill")).to_be_hidden()
    filters = page.get_by_role("button", name="Filters")
    assert filters.bounding_box()["y"] < results.bounding_box()["y"] < PHONE["height"] / 2

    expect(filters).to_have_text("Filters")

    filters.click()
    expect(filters).to_have_attribute("aria-expanded", "true")
    page.get_by_label("Skill").select_option("python")  # still applied by htmx, in place
    expect(results).to_contain_text("1 mentor")
    expect(filters).to_have_text("Filters (1)")  # how many filters are on, updated with the results
    page.get_by_label("Duration").select_option("30")
    expect(filters).to_have_text("Filters (2)")
    expect(results).to_contain_text("Greta Hoffmann")
    expect(page.get_by_label("Skill")).to_be_visible()
    page.goto(base + "/mentors/?skill=python&duration=30&sort=price")  # the sort is not a filter
    expect(page.get_by_role("button", name="Filters (2)")).to_be_visible()
