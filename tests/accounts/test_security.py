"""Accounts people trust: two-factor (required for staff), signed-in devices, staff hygiene.

Everything goes through allauth's own pages over HTTP, as a person would: a TOTP code is computed
from the secret the activation page shows, as an authenticator app would.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.devices import browser_name
from moderation.models import AuditEntry
from tests.factories import MentorFactory, UserFactory
from tests.support import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _staff_need_a_second_factor(settings):
    settings.STAFF_REQUIRE_SECOND_FACTOR = True  # as in production (tests/settings.py turns it off)


PASSWORD = "correct horse battery"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"


def sign_in(client: Client, user, **headers):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, **headers)


def reauthenticate(client: Client):
    """Enter the password again, as allauth asks before adding or removing a factor."""
    return client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def add_totp(client: Client) -> str:
    """Turn on an authenticator app from its page; the secret it showed."""
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def with_totp(user) -> str:
    """A user who set up an authenticator app earlier (and signed in since)."""
    client = Client(HTTP_USER_AGENT=BROWSER)
    sign_in(client, user)
    return add_totp(client)


# --- two-factor ------------------------------------------------------------------------------------


def test_a_mentee_turns_on_an_authenticator_app_and_is_asked_for_its_code_at_sign_in():
    user = UserFactory()
    secret = with_totp(user)
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert secret not in str(Authenticator.objects.get(user=user, type="totp").data)  # encrypted

    client = Client()
    response = sign_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in on the password alone

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):  # a fresh code
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_code_says_so_and_signs_nobody_in():
    user = UserFactory()
    with_totp(user)
    client = Client()
    sign_in(client, user)

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_guessing_is_stopped_after_five_tries_even_for_the_right_code():
    user = UserFactory()
    secret = with_totp(user)
    client = Client()
    sign_in(client, user)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert "Too many" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_recovery_code_guessing_is_stopped_after_five_tries_too():
    user = UserFactory()
    with_totp(user)
    [code, *_] = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()
    client = Client()
    sign_in(client, user)
    for guess in ("11111111", "22222222", "33333333", "44444444", "55555555"):
        client.post(reverse("mfa_authenticate"), {"code": guess})

    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert "Too many" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passkey_sign_ins_are_limited_per_address():
    client = Client()
    answers = [
        client.post(reverse("mfa_login_webauthn"), {"credential": "{}"}).status_code for _ in range(11)
    ]
    assert answers[:10] == [302] * 10  # back to the login page, with the error
    assert answers[10] == 429


def test_a_recovery_code_signs_in_once():
    user = UserFactory()
    with_totp(user)
    codes = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()
    assert len(codes) == 10

    first = Client()
    sign_in(first, user)
    assert first.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert first.session["_auth_user_id"] == str(user.pk)

    second = Client()
    sign_in(second, user)
    response = second.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session


def test_the_settings_page_says_whether_two_factor_is_on():
    user = UserFactory()
    client = Client()
    sign_in(client, user)
    assert re.search(
        r"Two-factor authentication</a> — off", client.get(reverse("accounts:settings")).content.decode()
    )

    add_totp(client)

    page = client.get(reverse("accounts:settings")).content.decode()
    assert re.search(r"Two-factor authentication</a> — <strong>on</strong>", page)


def test_the_login_page_offers_a_passkey():
    page = Client().get(reverse("account_login")).content.decode()
    assert "passkey" in page.lower()


# --- staff need a second factor ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["admin:index", "dashboard:insights"])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(page):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    sign_in(client, staff)

    response = client.get(reverse(page))

    assert response.status_code == 403
    text = response.content.decode()
    assert "Add a second factor first" in text
    assert reverse("mfa_index") in text


def test_staff_with_a_second_factor_open_the_admin():
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = with_totp(staff)
    client = Client()
    sign_in(client, staff)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("dashboard:insights")).status_code == 200


def test_the_insight_page_stays_hidden_from_everyone_else():
    client = Client()
    sign_in(client, UserFactory())
    assert client.get(reverse("dashboard:insights")).status_code == 404


def test_removing_a_factor_asks_for_the_password_again_after_five_minutes():
    staff = UserFactory(is_staff=True)
    client = Client()
    sign_in(client, staff)
    add_totp(client)

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=staff, type="totp").exists()


@pytest.mark.parametrize("name", ["billing:payouts", "accounts:delete"])
def test_payouts_and_deleting_the_account_ask_for_the_password_again(name):
    mentor = MentorFactory()
    client = Client()
    sign_in(client, mentor.user)

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert client.get(reverse(name)).status_code == 200  # looking is fine
        response = client.post(reverse(name), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert get_user_model().objects.filter(pk=mentor.user.pk).exists()


# --- staff hygiene ------------------------------------------------------------------------------


def test_a_staff_session_ends_after_thirty_idle_minutes():
    staff = UserFactory(is_staff=True)
    client = Client()
    sign_in(client, staff)
    add_totp(client)
    start = timezone.now()

    with time_machine.travel(start + timedelta(minutes=29)):
        assert client.get(reverse("admin:index")).status_code == 200  # still there; the clock restarts
    with time_machine.travel(start + timedelta(minutes=58)):
        assert client.get(reverse("admin:index")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=89)):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_mentees_session_is_not_cut_short():
    user = UserFactory()
    client = Client()
    sign_in(client, user)
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert client.get(reverse("accounts:settings")).status_code == 200


def test_staff_sign_ins_and_failed_attempts_are_in_the_audit_log():
    staff = UserFactory(is_staff=True)
    mentee = UserFactory()

    Client().post(
        reverse("account_login"), {"login": staff.email, "password": "guess"}, REMOTE_ADDR="203.0.113.9"
    )
    sign_in(Client(HTTP_USER_AGENT=BROWSER), staff)
    sign_in(Client(), mentee)
    Client().post(reverse("account_login"), {"login": mentee.email, "password": "guess"})

    entries = list(
        AuditEntry.objects.order_by("created_at", "pk").values_list("action", "target_id", "reason")
    )
    assert [(a, t) for a, t, _ in entries] == [
        ("staff.sign_in_failed", str(staff.pk)),
        ("staff.sign_in", str(staff.pk)),
    ]
    assert "203.0.113.9" in entries[0][2]
    assert "Firefox" in entries[1][2]


# --- devices and sessions ------------------------------------------------------------------------


def test_a_new_browser_signing_in_to_an_account_with_two_factor_is_emailed_once(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    secret = with_totp(user)
    mail.outbox.clear()

    laptop = Client(HTTP_USER_AGENT="Mozilla/5.0 (Macintosh) Safari/605.1.15")
    sign_in(laptop, user)
    with (
        time_machine.travel(timezone.now() + timedelta(seconds=31)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        laptop.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert [m.subject for m in mail.outbox] == ["A new sign-in to your TheMentors account"]
    assert "Safari" in mail.outbox[0].body
    assert reverse("usersessions_list") in mail.outbox[0].body

    laptop.post(reverse("account_logout"))
    sign_in(laptop, user)
    with (
        time_machine.travel(timezone.now() + timedelta(seconds=61)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        laptop.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert laptop.session["_auth_user_id"] == str(user.pk)
    assert len(mail.outbox) == 1  # the same browser again: known


def test_new_browsers_of_an_account_without_two_factor_are_not_emailed(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(Client(), user)
        sign_in(Client(), user)
    assert not [m for m in mail.outbox if "new sign-in" in m.subject]


def test_a_staff_account_is_emailed_about_a_new_browser(django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(Client(), staff)
    assert [m.subject for m in mail.outbox] == ["A new sign-in to your TheMentors account"]


def test_the_sessions_page_lists_each_browser_and_signs_the_others_out():
    user = UserFactory()
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile Safari")
    laptop = Client(HTTP_USER_AGENT=BROWSER)
    sign_in(phone, user)
    sign_in(laptop, user)

    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "iPhone" in page and "Firefox" in page

    laptop.post(reverse("usersessions_list"))

    assert phone.get(reverse("accounts:settings")).status_code == 302  # signed out
    assert laptop.get(reverse("accounts:settings")).status_code == 200


def test_changing_the_password_signs_every_other_browser_out():
    user = UserFactory()
    phone, laptop = Client(), Client()
    sign_in(phone, user)
    sign_in(laptop, user)

    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a new long passphrase 42",
            "password2": "a new long passphrase 42",
        },
    )

    assert response.status_code == 302
    assert phone.get(reverse("accounts:settings")).status_code == 302
    assert laptop.get(reverse("accounts:settings")).status_code == 200


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0.0.0 Safari/537.36", "Chrome on macOS"),
        (BROWSER, "Firefox on Linux"),
        ("", "An unknown browser"),
    ],
)
def test_a_browser_is_named_in_words(user_agent, name):
    assert browser_name(user_agent) == name
