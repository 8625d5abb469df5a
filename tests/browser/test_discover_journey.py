"""J1 Discover in a real browser, as a visitor: the home page's search, the directory's filters
(text, skill, price, free this week, sort) applied in place, the empty and the bad-input states,
a profile with its offerings and plan, an offering, the cohorts, "Find my match", a mistyped
password before logging in, the account's settings and e-mail pages, and a password reset."""

import re

import pytest
from playwright.sync_api import Page, expect

from subscriptions.models import Plan
from tests.browser.checks import SCREENS, is_phone, menu_link, open_filters
from tests.browser.helpers import PASSWORD, marketplace
from tests.cohorts.factories import CohortFactory, EnrollmentFactory, ModuleFactory
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@SCREENS
def test_a_visitor_searches_filters_and_reads_a_profile(live_server, page: Page, check, screen):
    mentor, offering = marketplace()
    cohort = CohortFactory(facilitator=mentor, title="Negotiate with confidence", published=True)
    ModuleFactory(cohort=cohort, week=1)
    Plan.objects.create(
        mentor=mentor, name="Two calls a month", price_amount=9900, currency="USD", is_published=True
    )
    full = CohortFactory(
        facilitator=mentor, title="Ship it with a small group", published=True, seats_min=1, seats_max=1
    )
    ModuleFactory(cohort=full, week=1)
    EnrollmentFactory(cohort=full)
    UserFactory(email="mia@example.com", display_name="Mia Chen")
    base = live_server.url

    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Get unstuck")
    check(page, "home")
    page.get_by_role("search").get_by_role("searchbox").fill("Python")
    page.get_by_role("button", name="Find a mentor").click()

    expect(page).to_have_url(re.compile(r"/mentors/\?q=Python"))
    results = page.locator("#results")
    expect(results).to_contain_text("1 mentor")
    expect(results.get_by_role("link", name="Greta Hoffmann")).to_be_visible()
    check(page, "directory-search")

    # The other filters, applied in place by htmx; on a phone behind the Filters button.
    open_filters(page)
    page.get_by_label("Search", exact=True).fill("")
    expect(results).to_contain_text("2 mentors")
    page.get_by_label("Available").select_option("week")
    page.get_by_label("Sort").select_option("price")
    expect(page).to_have_url(re.compile(r"sort=price"))
    expect(results.locator(".card").first).to_contain_text("Greta Hoffmann")  # free first
    check(page, "directory-filtered")
    # Bad input, as a shared link carries it: the error sits next to the field.
    page.goto(f"{base}/mentors/?min_price=20&max_price=10")
    open_filters(page)
    expect(page.get_by_text("The maximum must be at least the minimum.")).to_be_visible()
    check(page, "directory-errors")

    page.goto(f"{base}/mentors/?q=astrophysics")
    expect(results).to_contain_text("No mentors match these filters.")
    check(page, "directory-empty")
    results.get_by_role("link", name="Clear the filters").click()
    expect(results).to_contain_text("2 mentors")
    results.get_by_role("link", name="Greta Hoffmann").click()

    # The profile: offerings and the plan (the mentor's cohorts are found under Cohorts).
    expect(page.get_by_role("heading", level=1)).to_have_text("Greta Hoffmann")
    main = page.locator("main")
    expect(main.get_by_role("link", name="Should I take this job offer?").first).to_be_visible()
    expect(main.get_by_role("link", name="Two calls a month")).to_be_visible()
    check(page, "profile-visitor")
    if is_phone(page):  # the bar that keeps "Book" in view
        page.get_by_role("link", name="Book a session with Greta Hoffmann").click()
    else:
        main.get_by_role("link", name="Should I take this job offer?").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(offering.title)
    check(page, "offering-visitor")

    cohorts = menu_link(page, "Cohorts")
    if is_phone(page):  # the menu, open
        check(page, "menu-open")
    cohorts.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    check(page, "cohorts")
    page.get_by_role("link", name="Negotiate with confidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Negotiate with confidence")
    check(page, "cohort-visitor")

    menu_link(page, "Find my match").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find my match")
    check(page, "match-visitor")

    # Logging in, with a mistyped password first.
    menu_link(page, "Log in").click()
    check(page, "login")
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errorlist, [role=alert]").first).to_be_visible()
    check(page, "login-errors")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mia Chen")

    # A full cohort: the waitlist, and one's place in it.
    page.goto(f"{base}{full.get_absolute_url()}")
    expect(page.locator("#seats")).to_contain_text("Full")
    check(page, "cohort-full")
    page.get_by_label(re.compile("agree to them")).check()
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("#waitlist-place")).to_contain_text("You are 1st on the waitlist.")
    check(page, "cohort-waitlisted")

    # A page that is not there.
    response = page.goto(f"{base}/mentors/nobody-by-that-name/")
    assert response.status == 404
    check(page, "not-found")

    # The account's own pages, and resetting a password (allauth's pages in the site's dress).
    menu_link(page, "Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    check(page, "settings")
    page.goto(f"{base}/accounts/email/")
    expect(page.locator("main")).to_contain_text("mia@example.com")
    check(page, "account-email")
    page.goto(f"{base}/accounts/password/change/")
    page.locator("main form").evaluate("f => { f.noValidate = true }")
    page.locator("main form").get_by_role("button").last.click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    check(page, "password-change-errors")
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/password/reset/")
    check(page, "password-reset")
    page.locator("main form").evaluate("f => { f.noValidate = true }")
    page.get_by_label("Email").fill("not an address")
    page.locator("main form").get_by_role("button").last.click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    check(page, "password-reset-errors")
