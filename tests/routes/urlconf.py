"""The routes of the URL conf, as the catalogue names them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import StringConverter

SKIPPED_PREFIXES = ("admin/", "accounts/")  # the Django admin (tested on its own) and allauth
# ... but for allauth's two-factor and signed-in devices pages, catalogued like ours.
CATALOGUED_PREFIXES = ("accounts/2fa/", "accounts/sessions/")


def named_routes(resolver=None, namespace="", prefix="") -> set[str]:
    """Every named route outside the admin and allauth (but for CATALOGUED_PREFIXES), as
    "namespace:name"."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED_PREFIXES) and not (
            route.startswith(CATALOGUED_PREFIXES) or CATALOGUED_PREFIXES[0].startswith(route)
        ):
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
