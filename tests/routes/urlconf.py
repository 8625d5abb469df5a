"""The routes of the URL conf, as the catalogue names them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import StringConverter

SKIPPED_PREFIXES = ("admin/", "accounts/")  # the Django admin (tested on its own) and allauth
# allauth's routes that are ours to answer for: signing in with Google and LinkedIn, and the
# connections page (its legacy redirects under accounts/social/ stay skipped).
# Two-factor and signed-in devices likewise.
CATALOGUED_UNDER_ACCOUNTS = (
    "accounts/3rdparty/",
    "accounts/google/",
    "accounts/oidc/",
    "accounts/2fa/",
    "accounts/sessions/",
)


def _skipped(route: str) -> bool:
    if route.startswith(CATALOGUED_UNDER_ACCOUNTS) or any(
        kept.startswith(route) for kept in CATALOGUED_UNDER_ACCOUNTS
    ):
        return False
    return route.startswith(SKIPPED_PREFIXES)


def named_routes(resolver=None, namespace="", prefix="") -> set[str]:
    """Every named route outside the admin and allauth (but for CATALOGUED_UNDER_ACCOUNTS), as
    "namespace:name"."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if _skipped(route):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_routes(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {route}>")
    return names


def text_parameters(resolver=None, namespace="") -> dict[str, list[str]]:
    """Each route's parameters that take any text (`<str:…>`): the ones its view must check."""
    found = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= text_parameters(pattern, inner)
        elif pattern.name:
            converters = pattern.pattern.converters
            names = sorted(k for k, c in converters.items() if type(c) is StringConverter)
            if names:
                found[f"{namespace}{pattern.name}"] = names
    return found
