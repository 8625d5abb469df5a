"""The offering page's month calendar from the keyboard: one day in the tab order, the arrow keys
move between days (disabled ones too, as a date grid does), Enter picks a free day and the focus
stays on it after htmx swaps the panel; and at phone width nothing overflows."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.helpers import BROWSER_TIMEZONE
from tests.factories import OfferingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _a_monday_with_two_weeks_left_in_its_month():
    day = timezone.now().date() + timedelta(days=2)
    while day.weekday() != 0 or (day + timedelta(days=13)).month != day.month:
        day += timedelta(days=1)
    return day


def _focused_date(page: Page) -> str:
    return page.evaluate("document.activeElement.getAttribute('data-date')")


def test_the_arrow_keys_move_between_days_and_enter_picks_one(page: Page, live_server):
    offering = OfferingFactory(mentor__timezone=BROWSER_TIMEZONE, mentor__horizon_days=60)
    monday = _a_monday_with_two_weeks_left_in_its_month()
    page.goto(f"{live_server.url}{offering.get_absolute_url()}?day={monday.isoformat()}")
    grid = page.get_by_role("grid")
    expect(grid.locator("caption")).to_contain_text(f"{monday:%B %Y}")
    selected = grid.locator(f'td[data-date="{monday}"]')
    expect(selected).to_have_attribute("aria-selected", "true")
    expect(grid.locator('td[tabindex="0"]')).to_have_count(1)

    selected.focus()
    page.keyboard.press("ArrowRight")
    assert _focused_date(page) == str(monday + timedelta(days=1))
    page.keyboard.press("ArrowDown")
    assert _focused_date(page) == str(monday + timedelta(days=8))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    sunday = grid.locator(f'td[data-date="{monday + timedelta(days=6)}"]')
    assert _focused_date(page) == str(monday + timedelta(days=6))
    expect(sunday).to_have_attribute("aria-disabled", "true")
    expect(grid.locator('td[tabindex="0"]')).to_have_count(1)  # the roving tab stop moved along

    page.keyboard.press("Enter")  # a day without free times: nothing happens
    expect(selected).to_have_attribute("aria-selected", "true")

    page.keyboard.press("ArrowRight")
    next_monday = monday + timedelta(days=7)
    assert _focused_date(page) == str(next_monday)
    page.keyboard.press("Enter")
    picked = page.get_by_role("grid").locator(f'td[data-date="{next_monday}"]')
    expect(picked).to_have_attribute("aria-selected", "true")
    expect(picked).to_be_focused()
    expect(page).to_have_url(f"{live_server.url}{offering.get_absolute_url()}?day={next_monday}")
    expect(page.get_by_role("list", name=f"Free times on {next_monday:%A %-d %B}")).to_be_visible()

    # The browser's en-US weeks run Sunday to Saturday: Home and End go to the ends of that row.
    expect(page.get_by_role("columnheader").first).to_have_attribute("abbr", "Sunday")
    page.keyboard.press("End")
    assert _focused_date(page) == str(next_monday + timedelta(days=5))
    page.keyboard.press("Home")
    assert _focused_date(page) == str(next_monday - timedelta(days=1))
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")  # Space picks too (the day is already picked: it stays so)
    expect(page.get_by_role("grid").locator(f'td[data-date="{next_monday}"]')).to_be_focused()


def test_a_german_browser_sees_weeks_from_monday_and_the_keys_follow(browser, live_server):
    offering = OfferingFactory(mentor__timezone=BROWSER_TIMEZONE, mentor__horizon_days=60)
    monday = _a_monday_with_two_weeks_left_in_its_month()
    context = browser.new_context(locale="de-DE", timezone_id=BROWSER_TIMEZONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{offering.get_absolute_url()}?day={monday.isoformat()}")
    headers = page.get_by_role("columnheader")
    expect(headers.first).to_have_attribute("abbr", "Montag")  # the page in German, weeks from Monday
    expect(headers.last).to_have_attribute("abbr", "Sonntag")
    page.get_by_role("grid").locator(f'td[data-date="{monday}"]').focus()
    page.keyboard.press("End")
    assert _focused_date(page) == str(monday + timedelta(days=6))
    page.keyboard.press("Home")
    assert _focused_date(page) == str(monday)
    expect(page.locator(".slot-group a").first).to_have_text(re.compile(r"^\d\d:\d\d$"))  # 24-hour
    context.close()


def test_the_offering_page_fits_a_phone(page: Page, live_server):
    offering = OfferingFactory(price_amount=4500)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{offering.get_absolute_url()}")
    expect(page.get_by_role("grid")).to_be_visible()
    page.locator(".slot-group a").first.click()
    expect(page.locator("#details")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    summary = page.locator(".booking-summary").bounding_box()
    panel = page.locator("#panel").bounding_box()
    assert summary["y"] < panel["y"]  # on a phone the summary comes first
