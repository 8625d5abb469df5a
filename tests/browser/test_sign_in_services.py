"""Sign in with Google and LinkedIn, as a person sees it at both widths: the buttons on the log-in
page (axe-clean, reachable by keyboard), and Settings → Sign-in services, where a connection is
removed and the last way in is kept. (The round trip to the providers is tested at the HTTP
boundary in tests/accounts/test_social_login.py; nothing here leaves the machine.)"""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from config.settings import social_providers
from tests.browser.checks import SCREENS, menu_link
from tests.browser.helpers import PASSWORD, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(
        google=("browser-google.apps.googleusercontent.com", "secret"),
        linkedin=("browser-linkedin", "secret"),
        linkedin_url="http://127.0.0.1:9/oauth",
    )


@SCREENS
def test_the_log_in_page_offers_google_and_linkedin(page: Page, live_server, check, screen):
    page.goto(f"{live_server.url}/accounts/login/")
    google = page.get_by_role("button", name="Continue with Google")
    expect(google).to_be_visible()
    expect(page.get_by_role("button", name="Continue with LinkedIn")).to_be_visible()
    google.focus()
    expect(google).to_be_focused()
    check(page, "log-in-with-services")


@SCREENS
def test_a_person_removes_a_service_but_never_the_last_way_in(page: Page, live_server, check, screen):
    maya = UserFactory(display_name="Maya")
    SocialAccount.objects.create(user=maya, provider="google", uid="g-1", extra_data={"email": maya.email})
    SocialAccount.objects.create(
        user=maya, provider="linkedin", uid="l-1", extra_data={"userinfo": {"email": maya.email}}
    )
    log_in(page, live_server.url, maya.email)
    menu_link(page, "Settings").click()
    page.get_by_role("link", name="Connect or remove a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in services")
    check(page, "sign-in-services")

    page.get_by_role("button", name=f"Remove LinkedIn ({maya.email})").click()
    # A change to the ways in: allauth asks for the password again, then carries on.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("disconnected")
    assert list(SocialAccount.objects.values_list("provider", flat=True)) == ["google"]

    _password_gone_but_still_signed_in(maya)
    page.reload()
    page.get_by_role("button", name=f"Remove Google ({maya.email})").click()
    expect(page.get_by_role("alert")).to_contain_text("set a password first")
    assert SocialAccount.objects.filter(user=maya).count() == 1
    check(page, "sign-in-services-last-way-in")


def _password_gone_but_still_signed_in(user) -> None:
    """As for an account made by Google: no password, and this browser signed in (its session
    carries the new password hash, as Django's update_session_auth_hash would leave it)."""
    user.set_unusable_password()
    user.save()
    for session in Session.objects.all():
        data = session.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk):
            data[HASH_SESSION_KEY] = user.get_session_auth_hash()
            Session.objects.save(session.session_key, data, session.expire_date)
