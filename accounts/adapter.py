from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from core import crypto
from core.ratelimit import client_ip


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
