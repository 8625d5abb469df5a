"""Personal API tokens: made and revoked in the settings, shown once, stored as a fingerprint."""

import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.services import MAX_ACTIVE_TOKENS, api_token_authenticate, api_token_create
from tests.api.conftest import bearer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_fingerprint_and_found_by_its_prefix():
    user = UserFactory()
    token, raw = api_token_create(user=user, name="Calendar sync", scope="read")
    assert raw.startswith(f"tm_{token.prefix}_")
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert api_token_authenticate(raw) == token
    assert api_token_authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert api_token_authenticate("tm_nothing") is None


def test_the_settings_page_shows_a_new_token_once_and_lists_it_by_prefix(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:api_tokens")
    response = client.post(url, {"name": "My script", "scope": "book"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    raw = response.context["created"]["raw"]
    assert raw in response.content.decode()
    assert token.scope == ApiToken.Scope.BOOK
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    again = client.get(url).content.decode()
    assert raw not in again and f"tm_{token.prefix}…" in again


def test_a_token_needs_a_name_and_a_person_keeps_at_most_ten(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:api_tokens"), {"name": "  ", "scope": "read"})
    assert response.status_code == 400 and not ApiToken.objects.exists()
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=user, name=f"t{n}", scope="read")
    response = client.post(reverse("accounts:api_tokens"), {"name": "one more", "scope": "read"})
    assert response.status_code == 400
    assert "revoke one you no longer use" in response.content.decode()


def test_a_revoked_token_stops_working_at_once(client):
    user = UserFactory()
    token, raw = api_token_create(user=user, name="old", scope="read")
    assert client.get("/api/v1/bookings", **bearer(raw)).status_code == 200
    client.force_login(user)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    answer = client.get("/api/v1/bookings", **bearer(raw))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert "revoked" in answer.json()["error"]["message"]


def test_nobody_revokes_another_persons_token(client):
    token, raw = api_token_create(user=UserFactory(), name="theirs", scope="read")
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_the_account_settings_link_to_the_tokens(client):
    client.force_login(UserFactory())
    assert reverse("accounts:api_tokens") in client.get(reverse("accounts:settings")).content.decode()
