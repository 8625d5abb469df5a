"""The API's two pages in a browser: the tokens page in the settings (make a token, see it once,
revoke it), and the interactive documentation, Swagger UI served from our own static files under
the site's Content-Security-Policy, listing every operation."""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.checks import SCREENS, menu_link
from tests.browser.helpers import log_in
from tests.browser.test_content_security_policy import ViolationLog
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("API_SHOTS_DIR")  # where to keep screenshots of the docs page, if anywhere


@SCREENS
def test_a_token_is_made_shown_once_works_and_is_revoked(live_server, page: Page, check, screen):
    UserFactory(email="mia@example.com", display_name="Mia Chen")
    base = live_server.url
    log = ViolationLog(page)
    log_in(page, base, "mia@example.com")
    menu_link(page, "Settings").click()
    page.get_by_role("link", name="Personal API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    check(page, "api-tokens-empty")
    page.get_by_label("Name").fill("My calendar script")
    page.get_by_label("Read and book: also book, cancel and reschedule").check()
    page.get_by_role("button", name="Make token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("tm_")
    expect(page.locator("#new-token")).to_contain_text("shown only this once")
    check(page, "api-token-made")
    log.assert_clean("tokens page")

    answer = page.request.get(f"{base}/api/v1/bookings", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200 and answer.json()["results"] == []

    page.goto(f"{base}/settings/api/")
    assert token not in page.content()
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator("#tokens")).to_contain_text("Revoked")
    answer = page.request.get(f"{base}/api/v1/bookings", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401 and json.loads(answer.text())["error"]["code"] == "not_authenticated"


@SCREENS
def test_the_documentation_page_works_under_the_policy(live_server, page: Page, screen):
    log = ViolationLog(page)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("TheMentors API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/offerings/{slug}/slots" in p.replace("\u200b", "") for p in paths)
    assert len(paths) == 12
    log.assert_clean("API docs")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/api-docs-{screen['width']}.png", full_page=False)
