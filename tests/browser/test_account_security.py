"""Accounts people trust, in a real browser: a mentee turns on an authenticator app and signs in
with its code; a moderator without a second factor is sent to set one up before the admin opens;
a person signs their other browsers out."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from moderation.services import moderators_group_sync
from tests.browser.checks import SCREENS, menu_link
from tests.browser.helpers import PASSWORD, log_in
from tests.factories import UserFactory
from tests.support import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_form(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@SCREENS
def test_a_mentee_turns_on_an_authenticator_app_and_signs_in_with_it(page: Page, live_server, check, screen):
    user = UserFactory(email="ana@example.com", display_name="Ana")
    base = live_server.url
    log_in(page, base, user.email)

    page.goto(f"{base}/settings/")
    check(page, "settings-signing-in")
    page.get_by_role("link", name="Two-factor authentication").click()
    check(page, "two-factor")
    page.get_by_role("link", name="Activate").first.click()
    # allauth asks for the password again before a factor is added.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    secret = page.get_by_label("Authenticator secret").input_value()
    check(page, "two-factor-activate")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()  # to keep somewhere safe
    check(page, "recovery-codes")

    menu_link(page, "Log out", role="button").click()
    sign_in_form(page, base, user.email)
    expect(page.get_by_label("Code", exact=True)).to_be_visible()
    check(page, "two-factor-sign-in")
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):  # the next code
        page.get_by_label("Code", exact=True).fill(totp_code(secret))
        page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


@SCREENS
def test_a_moderator_without_a_second_factor_is_sent_to_set_one_up(
    page: Page, live_server, settings, check, screen
):
    settings.STAFF_REQUIRE_SECOND_FACTOR = True
    moderator = UserFactory(email="mo@example.com", is_staff=True)
    moderator.groups.add(moderators_group_sync())
    base = live_server.url
    sign_in_form(page, base, moderator.email)

    page.goto(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Add a second factor first")).to_be_visible()
    check(page, "staff-second-factor-required")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")


def test_a_person_signs_their_other_browsers_out(browser: Browser, live_server, check):
    user = UserFactory(email="sam@example.com")
    base = live_server.url
    phone = browser.new_context(
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile Safari/604.1"
    ).new_page()
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(phone, base, user.email)
    log_in(laptop, base, user.email)

    laptop.goto(f"{base}/settings/")
    laptop.get_by_role("link", name="Where you're signed in").click()
    expect(laptop.get_by_text("iPhone")).to_be_visible()
    check(laptop, "signed-in-browsers")
    laptop.get_by_role("button", name="Sign out the other browsers").click()
    expect(laptop.get_by_text("iPhone")).to_have_count(0)

    phone.reload()
    expect(phone).to_have_url(f"{base}/accounts/login/?next=/dashboard/")


def test_a_mentee_adds_a_passkey_and_signs_in_with_it_alone(page: Page, live_server, settings, check):
    """Chromium's virtual authenticator (DevTools WebAuthn domain) stands in for a phone or a
    security key: the browser really runs the WebAuthn ceremonies against allauth's pages."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server is http://localhost
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    user = UserFactory(email="pia@example.com", display_name="Pia")
    base = live_server.url
    log_in(page, base, user.email)

    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Passwordless").check()
    check(page, "passkey-add")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Security key added.")).to_be_visible()

    menu_link(page, "Log out", role="button").click()
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
