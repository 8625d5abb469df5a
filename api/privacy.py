"""A person's API tokens in their data export, and gone with their account (accounts/hooks.py)."""

from .models import ApiToken


def personal_data(*, user) -> dict:
    tokens = ApiToken.objects.filter(user=user).order_by("created_at")
    return {
        "api_tokens": list(
            tokens.values("name", "scope", "prefix", "created_at", "last_used_at", "revoked_at")
        )
    }


def erase(*, user) -> None:
    ApiToken.objects.filter(user=user).delete()
