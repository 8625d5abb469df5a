from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core import crypto
from core.ratelimit import client_ip

from .models import User
from .timezones import canonical_zone_name, timezone_names


class AccountAdapter(DefaultAccountAdapter):
    """allauth's own limits (failed logins per address…) count the client as ours do.

    allauth reads X-Forwarded-For by its own rule, and answers a header with fewer hops than
    the trusted proxies with a 500 (ImproperlyConfigured) and one whose hop is not an address
    with a 403; core.ratelimit.client_ip falls back to REMOTE_ADDR in both cases."""

    def get_client_ip(self, request) -> str:
        return client_ip(request)


class MFAAdapter(DefaultMFAAdapter):
    """Authenticator-app secrets and recovery-code seeds are encrypted at rest with the key from
    the environment (core.crypto, as calendar credentials are)."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in with Google and LinkedIn (config/settings.py, docs/security.md).

    Who gets which account is allauth's rule, with its email authentication on for both providers:
    an address the provider says it verified signs into the account that has it (and connects the
    provider to it; an account whose own address was never verified loses its password then, so
    whoever signed up with someone else's address is locked out); an unverified one never does, it
    can only start a new account, which our verification mail then guards like any other."""

    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "no_password": _("This service is your only way in: set a password first, then you can remove it."),
        "no_verified_email": _(
            "Confirm your e-mail address first (E-mail addresses, in your settings), so you "
            "can still reset your password once this service is removed."
        ),
    }

    def list_apps(self, request, provider=None, client_id=None):
        """Only the apps of settings.SOCIALACCOUNT_PROVIDERS (unsaved, no pk): a SocialApp row in
        the database configures nothing, so no one configures a provider by adding one."""
        return [app for app in super().list_apps(request, provider, client_id) if app.pk is None]

    def get_provider(self, request, provider, client_id=None):
        """A service the site does not configure does not exist here: its URLs answer 404."""
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist as missing:
            raise Http404("No such sign-in service.") from missing

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        for address in sociallogin.email_addresses:
            address.verified = _verified(address.verified)
            address.email = address.email.lower()  # as UserManager keeps every address
        user.email = (user.email or "").lower()
        name = data.get("name") or " ".join(filter(None, (data.get("first_name"), data.get("last_name"))))
        user.display_name = name.strip()[: User._meta.get_field("display_name").max_length]
        viewer_zone = getattr(request, "viewer_zone", None)  # the browser's, as the sign-up form's
        zone = canonical_zone_name(viewer_zone.key) if viewer_zone is not None else "UTC"
        user.timezone = zone if zone in timezone_names() else "UTC"
        user.language = signup_language()
        return user


def signup_language() -> str:
    """A new account reads the language it signed up in (its e-mails follow it), unless that is
    the site's own: then it follows its browser."""
    language = translation.get_language() or ""
    return "" if language == settings.LANGUAGE_CODE else language


def _verified(value) -> bool:
    """Only a JSON true (or the string "true", as some providers send it) is verified: a truthy
    "false" must not be."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True
