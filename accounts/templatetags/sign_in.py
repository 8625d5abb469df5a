"""The sign-in services a person connected, named without asking allauth for the provider: a
provider the site no longer configures (its client id removed) must still be listed, and removable."""

from django import template

register = template.Library()

NAMES = {"google": "Google", "linkedin": "LinkedIn"}


@register.simple_tag
def connected_service(account) -> dict:
    """{"name": "Google", "address": "maya@example.com"} for a SocialAccount."""
    data = account.extra_data if isinstance(account.extra_data, dict) else {}
    claims = data.get("userinfo") or data.get("id_token") or data  # OpenID Connect keeps both
    address = claims.get("email") if isinstance(claims, dict) else ""
    return {"name": NAMES.get(account.provider, account.provider.title()), "address": address or ""}
