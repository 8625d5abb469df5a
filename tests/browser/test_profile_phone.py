"""On a phone the profile keeps a "Book" bar in view at the bottom of the screen; on a desktop the
offerings beside the profile do that job and the bar is hidden."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import OfferingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_book_bar_stays_in_view_on_a_phone_and_is_hidden_on_a_desktop(page: Page, live_server):
    offering = OfferingFactory(mentor__user__display_name="Greta Hoffmann", price_amount=4000)
    url = f"{live_server.url}{offering.mentor.get_absolute_url()}"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    bar = page.locator("#book-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("From $40")
    page.mouse.wheel(0, 400)
    box = bar.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844 + 1  # on screen, at the bottom
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    bar.get_by_role("link", name="Book a session with Greta Hoffmann").click()
    expect(page).to_have_url(f"{live_server.url}{offering.get_absolute_url()}")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    expect(page.locator("#book-bar")).to_be_hidden()
