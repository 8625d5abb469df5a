from django import template

from .. import devices

register = template.Library()


@register.filter
def browser_name(user_agent: str) -> str:
    """'Safari on iPhone' for a User-Agent header (accounts.devices)."""
    return devices.browser_name(user_agent or "")
