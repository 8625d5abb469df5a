"""Google and LinkedIn at the HTTP boundary: their token, discovery and userinfo endpoints answer
with responses recorded in their shape (tests/fixtures/oauth/), intercepted at the `requests`
transport (the `responses` library), so allauth's real code makes its real calls to the real
addresses. They check what the providers check: the client's id and secret, the code, the bearer
token. Any other outgoing request fails the test (nothing here reaches the internet).

The ID tokens are JWTs built here from the recorded claims with a fresh `exp`; allauth receives
them straight from the token endpoint (over TLS in production), where OpenID Connect lets it skip
the signature, and checks their issuer, audience and expiry.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import responses

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "oauth"
GOOGLE = ("client-123.apps.googleusercontent.com", "google-secret-456")
LINKEDIN = ("86linkedinclient", "linkedin-secret-789")
GOOD_CODE = "4/0AQlEd8good-code"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
LINKEDIN_DISCOVERY = "https://www.linkedin.com/oauth/.well-known/openid-configuration"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _id_token(claims: dict, *, audience: str) -> str:
    now = int(time.time())
    body = {**claims, "aud": audience, "iat": now, "exp": now + 3600}
    return jwt.encode(body, "not-checked-the-token-came-over-tls", algorithm="HS256", headers={"kid": "k1"})


@dataclass
class FakeProviders:
    """Who the person is at each provider: the claims of the next sign-in (changed by a test)."""

    google: dict = field(default_factory=lambda: recorded("google_id_token.json"))
    linkedin: dict = field(default_factory=lambda: recorded("linkedin_userinfo.json"))
    calls: list[str] = field(default_factory=list)

    def install(self, mock: responses.RequestsMock) -> None:
        mock.add_callback(responses.POST, GOOGLE_TOKEN_URL, callback=self._google_token)
        mock.add(responses.GET, LINKEDIN_DISCOVERY, json=recorded("linkedin_openid_configuration.json"))
        config = recorded("linkedin_openid_configuration.json")
        mock.add_callback(responses.POST, config["token_endpoint"], callback=self._linkedin_token)
        mock.add_callback(responses.GET, config["userinfo_endpoint"], callback=self._linkedin_userinfo)

    @staticmethod
    def _form(request) -> dict:
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        return {k: v[0] for k, v in parse_qs(body).items()}

    def _google_token(self, request):
        self.calls.append("google token")
        form = self._form(request)
        if (form.get("client_id"), form.get("client_secret")) != GOOGLE:
            return 401, {}, json.dumps({"error": "invalid_client", "error_description": "Unauthorized"})
        if form.get("code") != GOOD_CODE or form.get("grant_type") != "authorization_code":
            return 400, {}, json.dumps({"error": "invalid_grant", "error_description": "Bad Request"})
        if not form.get("code_verifier"):  # PKCE: the code was asked for with a challenge
            return 400, {}, json.dumps({"error": "invalid_grant", "error_description": "Missing verifier"})
        token = recorded("google_token.json") | {"id_token": _id_token(self.google, audience=GOOGLE[0])}
        return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(token)

    def _linkedin_token(self, request):
        self.calls.append("linkedin token")
        form = self._form(request)
        if (form.get("client_id"), form.get("client_secret")) != LINKEDIN:
            refused = {"error": "invalid_client", "error_description": "Client authentication failed"}
            return 401, {}, json.dumps(refused)
        if form.get("code") != GOOD_CODE:
            refused = {
                "error": "invalid_request",
                "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier "
                "does not match authorization code. Or authorization code expired.",
            }
            return 400, {}, json.dumps(refused)
        in_token = ("sub", "name", "email", "email_verified", "picture")
        claims = {k: v for k, v in self.linkedin.items() if k in in_token}
        token = recorded("linkedin_token.json") | {
            "id_token": _id_token({"iss": "https://www.linkedin.com/oauth", **claims}, audience=LINKEDIN[0])
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(token)

    def _linkedin_userinfo(self, request):
        self.calls.append("linkedin userinfo")
        bearer = recorded("linkedin_token.json")["access_token"]
        if request.headers.get("Authorization") != f"Bearer {bearer}":
            refused = {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
            return 401, {}, json.dumps(refused)
        return 200, {"Content-Type": "application/json"}, json.dumps(self.linkedin)


def state_of(location: str) -> str:
    """The `state` our site sent the browser to the provider with."""
    return parse_qs(urlsplit(location).query)["state"][0]
