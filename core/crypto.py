"""Secrets kept at rest encrypted: calendar addresses, passwords and tokens a mentor hands us.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with keys from the environment:
ENCRYPTION_KEYS is a comma-separated list of Fernet keys, the first used to encrypt and all of
them to decrypt (so a key can be rotated: put the new one first, re-save, drop the old). Without
it, one key is derived from SECRET_KEY, so a local run and the tests need nothing more; production
sets its own (docs/operations.md), so that changing SECRET_KEY does not lose the secrets.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(b"thementors encryption key\0" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text; a token no configured key opens raises InvalidToken (a lost or wrong key)."""
    return _current().decrypt(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; reads decrypt. Not searchable or orderable by its content."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


__all__ = ["EncryptedTextField", "InvalidToken", "decrypt", "encrypt"]
