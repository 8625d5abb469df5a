"""Who may frame a page of the booking widget: the sites the mentor listed, and nobody else.

The decorator wraps the page cache (core/pagecache.py), so a page served from the cache gets the
header of its own mentor, read afresh on every response: a cached body never carries headers.
Every other page of the site keeps frame-ancestors 'none' and X-Frame-Options: DENY
(config/settings.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django.http import HttpResponse
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin

from . import selectors


def _apply(response: HttpResponse, decorators) -> HttpResponse:
    def view() -> HttpResponse:
        return response

    for decorate in decorators:
        view = decorate(view)
    return view()


def allow_framing(response: HttpResponse, origins: list[str]) -> HttpResponse:
    """frame-ancestors exactly `origins` ('none' without any); X-Frame-Options left out only when
    some site may frame the page (CSP's list is the rule; the old header cannot name sites)."""
    if not origins:
        return _apply(response, [csp_replace({"frame-ancestors": [NONE]})])
    return _apply(response, [csp_replace({"frame-ancestors": list(origins)}), xframe_options_exempt])


def framed_by_listed_sites(view: Callable) -> Callable:
    """The widget's public pages: framed by the sites the mentor named in `mentor_slug`'s widget."""

    @functools.wraps(view)
    def wrapper(request, *args, mentor_slug: str, **kwargs):
        response = view(request, *args, mentor_slug=mentor_slug, **kwargs)
        return allow_framing(response, selectors.allowed_origins(mentor_slug=mentor_slug))

    return wrapper


def framed_by_this_site(view: Callable) -> Callable:
    """The mentor's preview of their widget, framed by their own widget page."""
    return csp_replace({"frame-ancestors": [SELF]})(xframe_options_sameorigin(view))
