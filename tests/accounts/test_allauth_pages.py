"""allauth's pages wear the site's markup and labels: a card form of .field blocks, errors
announced in a live region around their list, "Log in" / "Sign up" as in the header."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "heading", "button"),
    [
        ("account_login", "Log in", "Log in"),
        ("account_signup", "Sign up", "Sign up"),
        ("account_reset_password", "Reset your password", "Send me a reset link"),
    ],
)
def test_entrance_pages_use_the_sites_form_and_labels(client, name, heading, button):
    page = client.get(reverse(name)).content.decode()
    assert f"<title>{heading} · TheMentors</title>" in re.sub(r"\s+", " ", page).replace(
        "<title> ", "<title>"
    )
    assert f"<h1>{heading}</h1>" in page
    assert re.search(r'<form class="card auth-form" method="post"', page)
    assert re.search(rf'<button class="btn"[^>]*type="submit"\s*>{button}</button>', page)
    assert (
        '<div class="field">' in page
        and "<p>" not in page.split('class="card auth-form"')[1].split("</form>")[0]
    )


def test_a_failed_log_in_is_announced_without_giving_the_list_a_role(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<div class="errors" role="alert"><ul class="errorlist">\s*<li>', page)
    assert not re.search(r"<ul[^>]*role=", page)


def test_the_remember_me_box_sits_inside_its_label(client):
    page = client.get(reverse("account_login")).content.decode()
    assert re.search(
        r'<label for="id_remember"><input type="checkbox" name="remember" id="id_remember"', page
    )


def test_the_email_page_uses_the_sites_badges_and_buttons(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("account_email")).content.decode()
    assert '<span class="badge completed">Verified</span>' in re.sub(
        r">\s+|\s+<", lambda m: m.group().strip(), page
    )
    assert re.search(r'<button class="btn secondary"[^>]*name="action_remove"', page)
