"""Sign in with Google and LinkedIn, against the providers at the HTTP boundary
(tests/accounts/fake_providers.py): a new account from a verified address, no account taken over
through an unverified one, connecting and removing services, never the last way in."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from config.settings import LINKEDIN_OIDC_URL, social_providers
from tests.accounts.fake_providers import GOOD_CODE, GOOGLE, LINKEDIN, FakeProviders, state_of
from tests.core.helpers import settings_in_a_fresh_process
from tests.factories import UserFactory
from tests.support import reauthenticated

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-password-42"
GOOGLE_LOGIN, GOOGLE_CALLBACK = reverse("google_login"), reverse("google_callback")
LINKEDIN_LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "linkedin"})
LINKEDIN_CALLBACK = reverse("openid_connect_callback", kwargs={"provider_id": "linkedin"})
FLOWS = {"google": (GOOGLE_LOGIN, GOOGLE_CALLBACK), "linkedin": (LINKEDIN_LOGIN, LINKEDIN_CALLBACK)}


@pytest.fixture
def providers(settings):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(
        google=GOOGLE, linkedin=LINKEDIN, linkedin_url=LINKEDIN_OIDC_URL
    )
    fake = FakeProviders()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake


def sign_in_with(client, provider: str, *, process: str = "login", code: str = GOOD_CODE):
    """The browser's round trip: our button, the provider's consent page, back with a code."""
    start, callback = FLOWS[provider]
    to_provider = client.post(start, {"process": process})
    assert to_provider.status_code == 302
    query = parse_qs(urlsplit(to_provider["Location"]).query)
    assert query["redirect_uri"] == [f"http://testserver{callback}"]
    assert set(query["scope"][0].split()) >= {"openid", "email", "profile"}
    return client.get(callback, {"code": code, "state": state_of(to_provider["Location"])}, follow=True)


def signed_in_user(client):
    return client.get(reverse("dashboard:home")).wsgi_request.user


def existing(email: str, *, verified: bool, password: str | None = PASSWORD):
    user = UserFactory(email=email)
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


# --- signing up ----------------------------------------------------------------------------------


def test_signing_up_with_google_with_a_verified_address_lands_signed_in(client, providers):
    client.cookies["tz"] = "Europe%2FStockholm"  # the browser's zone, as static/js/timezone.js writes it

    page = sign_in_with(client, "google")

    user = signed_in_user(client)
    assert user.is_authenticated and user.email == "greta@example.com"
    assert (user.display_name, user.timezone) == ("Greta Lindqvist", "Europe/Stockholm")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert mail.outbox == []  # Google verified it: no second verification mail
    assert page.redirect_chain[-1][0] == reverse("dashboard:home")
    assert SocialAccount.objects.get(user=user).uid == "110248495921238986420"
    assert providers.calls == ["google token"]


def test_signing_up_with_linkedin_with_a_verified_address_lands_signed_in(client, providers):
    sign_in_with(client, "linkedin")

    user = signed_in_user(client)
    assert user.is_authenticated and user.email == "lena@example.com"
    assert user.display_name == "Lena Okafor"
    assert EmailAddress.objects.get(user=user).verified
    assert mail.outbox == []
    assert SocialAccount.objects.get(user=user).provider == "linkedin"
    assert providers.calls == ["linkedin token", "linkedin userinfo"]


def test_an_address_in_capitals_is_the_same_address(client, providers):
    owner = existing("lena@example.com", verified=True)
    providers.linkedin["email"] = "Lena@Example.COM"

    sign_in_with(client, "linkedin")

    assert signed_in_user(client) == owner
    assert list(EmailAddress.objects.values_list("email", flat=True)) == ["lena@example.com"]


@pytest.mark.parametrize("provider", ["google", "linkedin"])
def test_a_new_account_from_an_unverified_address_waits_for_our_verification_mail(
    client, providers, provider
):
    getattr(providers, provider)["email_verified"] = False

    page = sign_in_with(client, provider)

    assert not signed_in_user(client).is_authenticated
    assert "Verify your e-mail" in page.content.decode() or "verify" in page.content.decode().lower()
    [message] = mail.outbox
    assert message.to == [getattr(providers, provider)["email"]]
    assert not EmailAddress.objects.get(email=getattr(providers, provider)["email"]).verified


def test_a_false_sent_as_a_string_is_not_a_verified_address(client, providers):
    existing("lena@example.com", verified=True)
    providers.linkedin["email_verified"] = "false"  # truthy in Python: must not count as verified

    sign_in_with(client, "linkedin")

    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


# --- an existing account -------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["google", "linkedin"])
def test_an_unverified_provider_address_does_not_sign_into_the_account_that_has_it(
    client, providers, provider
):
    victim = existing(getattr(providers, provider)["email"], verified=True)
    getattr(providers, provider)["email_verified"] = False

    sign_in_with(client, provider)

    assert signed_in_user(client) != victim
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
    # The owner is told someone tried to sign up with their address; nobody gets a way in.
    assert [m.to for m in mail.outbox] == [[victim.email]]


@pytest.mark.parametrize("provider", ["google", "linkedin"])
def test_a_verified_provider_address_signs_into_the_account_and_connects_it(client, providers, provider):
    owner = existing(getattr(providers, provider)["email"], verified=True)

    sign_in_with(client, provider)

    assert signed_in_user(client) == owner
    assert SocialAccount.objects.get(user=owner).provider == provider
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # their own address, verified by us: the password stays
    # No verification mail; the owner is told a service was connected (allauth's notice).
    assert [m.subject for m in mail.outbox] == ["[TheMentors] Third-Party Account Connected"]


def test_whoever_signed_up_with_someone_elses_address_loses_the_password_when_the_owner_arrives(
    client, providers
):
    squatted = existing("greta@example.com", verified=False)  # never confirmed: not theirs

    sign_in_with(client, "google")

    squatted.refresh_from_db()
    assert not squatted.has_usable_password()
    assert not client.login(email="greta@example.com", password=PASSWORD)
    # The owner of the address is in once they confirm it, by our mail to that address.
    assert not signed_in_user(client).is_authenticated
    assert {tuple(m.to) for m in mail.outbox} == {("greta@example.com",)}


def test_a_forged_state_signs_in_no_one(client, providers):
    existing("greta@example.com", verified=True)
    client.post(GOOGLE_LOGIN, {"process": "login"})

    page = client.get(GOOGLE_CALLBACK, {"code": GOOD_CODE, "state": "forged"}, follow=True)

    assert page.status_code == 401
    assert "went wrong" in page.content.decode()
    assert not signed_in_user(client).is_authenticated
    assert providers.calls == []  # the code was never even exchanged


def test_a_refused_code_is_an_error_page_not_a_500(client, providers):
    page = sign_in_with(client, "linkedin", code="expired")

    assert page.status_code == 401
    assert "went wrong" in page.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_linkedin_out_of_reach_is_a_failed_sign_in_not_a_500(client, providers, settings):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(
        google=GOOGLE, linkedin=LINKEDIN, linkedin_url="https://linkedin.invalid/oauth"
    )
    page = client.post(LINKEDIN_LOGIN, {"process": "login"})

    assert page.status_code == 401
    assert "went wrong" in page.content.decode()


# --- connecting and removing from settings -------------------------------------------------------


def test_a_signed_in_person_connects_a_service_with_another_address(client, providers):
    maya = existing("maya@example.com", verified=True)
    client.force_login(maya)
    reauthenticated(client, PASSWORD)  # connecting a way in asks for the password again

    page = sign_in_with(client, "linkedin", process="connect")

    assert page.redirect_chain[-1][0] == reverse("socialaccount_connections")
    assert SocialAccount.objects.get(provider="linkedin").user == maya
    assert "LinkedIn" in page.content.decode() and "lena@example.com" in page.content.decode()


def test_removing_a_service_leaves_the_password_as_the_way_in(client, providers):
    maya = existing("maya@example.com", verified=True)
    client.force_login(maya)
    reauthenticated(client, PASSWORD)
    sign_in_with(client, "google", process="connect")
    account = SocialAccount.objects.get(user=maya)

    page = client.post(reverse("socialaccount_connections"), {"account": account.pk}, follow=True)

    assert not SocialAccount.objects.filter(user=maya).exists()
    assert "disconnected" in page.content.decode().lower()


def test_the_last_way_in_cannot_be_removed(client, providers):
    sign_in_with(client, "google")  # an account made by Google: no password of its own
    user = signed_in_user(client)
    account = SocialAccount.objects.get(user=user)

    page = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert SocialAccount.objects.filter(pk=account.pk).exists()
    text = page.content.decode()
    assert "set a password first" in text
    assert reverse("account_set_password") in text


def test_someone_elses_connection_cannot_be_removed(client, providers):
    sign_in_with(client, "google")
    account = SocialAccount.objects.get()
    client.force_login(existing("maya@example.com", verified=True))

    client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_the_settings_page_links_to_the_services(client, providers):
    client.force_login(existing("maya@example.com", verified=True))
    page = client.get(reverse("accounts:settings")).content.decode()
    assert reverse("socialaccount_connections") in page


# --- offered only when configured ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["account_login", "account_signup"])
def test_the_buttons_show_only_the_configured_services(client, settings, name):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(google=GOOGLE, linkedin=("", ""), linkedin_url="")
    page = client.get(reverse(name)).content.decode()
    assert "Continue with Google" in page and "Continue with LinkedIn" not in page
    assert f'action="{GOOGLE_LOGIN}' in page

    settings.SOCIALACCOUNT_PROVIDERS = social_providers(google=GOOGLE, linkedin=LINKEDIN, linkedin_url="x")
    assert "Continue with LinkedIn" in client.get(reverse(name)).content.decode()

    settings.SOCIALACCOUNT_PROVIDERS = social_providers(google=("", ""), linkedin=("", ""), linkedin_url="")
    page = client.get(reverse(name)).content.decode()
    assert "Continue with" not in page


def test_google_one_tap_is_not_offered(client, providers):
    assert client.post(reverse("google_login_by_token"), {"credential": "x"}).status_code == 404


def test_an_unconfigured_service_cannot_be_started(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert client.post(LINKEDIN_LOGIN).status_code == 404
    assert client.post(GOOGLE_LOGIN).status_code == 404


def test_a_sign_in_app_saved_in_the_database_configures_nothing(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    app = SocialApp.objects.create(provider="google", name="Google", client_id="x", secret="y")
    app.sites.add(Site.objects.get_current())

    assert "Continue with" not in client.get(reverse("account_login")).content.decode()
    assert client.post(GOOGLE_LOGIN).status_code == 404


def test_staff_see_connections_in_the_admin_but_never_make_one(admin_client, providers):
    existing("maya@example.com", verified=True)
    account = SocialAccount.objects.create(
        user=existing("lena@example.com", verified=True), provider="linkedin", uid="782bbtaQ"
    )
    assert admin_client.get(reverse("admin:socialaccount_socialaccount_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:socialaccount_socialaccount_add")).status_code == 403
    change = reverse("admin:socialaccount_socialaccount_change", args=[account.pk])
    admin_client.post(change, {"uid": "someone-else", "provider": "linkedin", "user": account.user_id})
    account.refresh_from_db()
    assert account.uid == "782bbtaQ"
    for model in ("socialapp", "socialtoken"):
        assert admin_client.get(f"/admin/socialaccount/{model}/").status_code == 404


def test_the_settings_page_says_nothing_of_services_when_none_is_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    client.force_login(existing("maya@example.com", verified=True))
    assert "Sign-in services" not in client.get(reverse("accounts:settings")).content.decode()


ENVIRONMENT = {
    "GOOGLE_CLIENT_ID": GOOGLE[0],
    "GOOGLE_CLIENT_SECRET": GOOGLE[1],
    "LINKEDIN_CLIENT_ID": LINKEDIN[0],
    "LINKEDIN_CLIENT_SECRET": LINKEDIN[1],
}
READ = (
    "django.setup(); from django.conf import settings as s; "
    "print(sorted(s.SOCIALACCOUNT_PROVIDERS), s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
)


def test_the_environment_configures_the_providers_and_lets_the_buttons_reach_them():
    both = settings_in_a_fresh_process(READ, DEBUG="1", **ENVIRONMENT)
    assert both.returncode == 0, both.stderr
    assert "['google', 'openid_connect']" in both.stdout
    assert "https://accounts.google.com" in both.stdout and "https://www.linkedin.com" in both.stdout

    # Google Calendar keeps the client; sign-in with Google is turned off on its own.
    calendar_only = settings_in_a_fresh_process(READ, DEBUG="1", GOOGLE_SIGN_IN="false", **ENVIRONMENT)
    assert "['openid_connect']" in calendar_only.stdout
    assert "accounts.google.com" not in calendar_only.stdout

    half = settings_in_a_fresh_process(READ, DEBUG="1", **(ENVIRONMENT | {"LINKEDIN_CLIENT_SECRET": ""}))
    assert "['google']" in half.stdout and "linkedin.com" not in half.stdout


# --- your data -----------------------------------------------------------------------------------


def test_the_data_download_lists_the_services_and_deleting_the_account_forgets_them(
    client, providers, django_capture_on_commit_callbacks
):
    maya = existing("maya@example.com", verified=True)
    client.force_login(maya)
    reauthenticated(client, PASSWORD)
    sign_in_with(client, "google", process="connect")

    data = client.get(reverse("accounts:data_export")).json()
    [service] = data["sign_in_services"]
    assert (service["provider"], service["profile"]["email"]) == ("google", "greta@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:delete"), {"confirm": "on"})
    assert not SocialAccount.objects.exists()

    # The same Google account later starts afresh, never reaching the deleted one.
    client.logout()
    sign_in_with(client, "google")
    assert signed_in_user(client).email == "greta@example.com"
    assert signed_in_user(client).pk != maya.pk


def test_an_account_made_by_a_provider_deletes_itself_without_a_password(client, providers):
    sign_in_with(client, "google")  # just signed in with Google: nothing else to ask for again

    client.post(reverse("accounts:delete"), {"confirm": "on"})

    assert not signed_in_user(client).is_authenticated
    assert not get_user_model().objects.filter(email="greta@example.com").exists()
