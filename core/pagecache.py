"""Anonymous pages served from the cache (docs/design/page-cache.md).

A view decorated with `anonymous_page` is rendered once per *what it shows* and served from
Django's cache to every signed-out visitor who would see the same thing:

- **The key** names the page (view, URL arguments, the query string normalised: only the
  parameters the view reads, empty values and defaults dropped, sorted), the viewer (the page's
  language, as the language cookie or Accept-Language chose it; time zone, first language,
  12/24-hour clock, first weekday), htmx or not, the host, and the release (the templates, static
  files and translations deployed). Responses vary on Cookie and Accept-Language.
- **Data versions**: the view says which scopes its data comes from (`depends_on`: "lists",
  "mentor:12", …). Every write that changes a scope calls `changed(scope)`, which records the
  moment it changed (now, and again once the transaction commits). An entry rendered before the
  last change of any of its scopes is stale.
- **Expiry**: at most PAGE_CACHE_SECONDS, and never after a moment the view names
  (`expires_by`): the first shown free time entering the mentor's minimum notice, midnight in the
  viewer's zone.
- **Never cached**: signed-in visitors, visitors with a session or queued messages, anything but
  a 200 without cookies of its own. The CSRF token is rendered as a placeholder, and each visitor
  gets their own in its place (and the CSRF cookie that goes with it).
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation.trans_real import parse_accept_lang_header

from core.clock import viewer_clock

LISTS = "lists"  # lists of mentors: who is listed, their order, ratings, prices, stored previews
COHORTS = "cohorts"  # the cohorts on sale: seats, dates, prices
CSRF_PLACEHOLDER = "pagecache0csrf0placeholder0token"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
_VERSION = "pagever:"
_ENTRY = "page:"
# A change recorded this close before a render began marks the render stale: web servers' clocks
# may differ by that much.
CLOCK_MARGIN = 1.0
HEADER = "X-Page-Cache"


def mentor(mentor_id: int) -> str:
    """The scope of one mentor's pages: profile, offerings, free times, reviews."""
    return f"mentor:{mentor_id}"


# --- writes ------------------------------------------------------------------------------------


def changed(*scopes: str) -> None:
    """Pages that show these scopes are stale: now (a page rendered during the transaction may have
    read the old rows) and once the transaction commits (one rendered before it saw them)."""
    _record(scopes)
    transaction.on_commit(lambda: _record(scopes))


def _record(scopes: Iterable[str]) -> None:
    moment = time.time()
    cache.set_many({_VERSION + scope: moment for scope in scopes}, timeout=None)


# --- what a view tells about its page ------------------------------------------------------------


@dataclass
class _Render:
    started: float
    expires_at: float
    scopes: set[str] = field(default_factory=set)
    cacheable: bool = True


def _render_state(request: HttpRequest) -> _Render | None:
    return getattr(request, "_page_cache", None)


def depends_on(request: HttpRequest, *scopes: str) -> None:
    """This page shows data of these scopes (a no-op outside the page cache)."""
    state = _render_state(request)
    if state is not None:
        state.scopes.update(scopes)


def expires_by(request: HttpRequest, moment: datetime | float | None) -> None:
    """This page must not be served after `moment` (a free time entering the notice, midnight)."""
    state = _render_state(request)
    if state is None or moment is None:
        return
    at = moment.timestamp() if isinstance(moment, datetime) else moment
    state.expires_at = min(state.expires_at, at)


def rendering(request: HttpRequest) -> bool:
    """This page is being rendered for the cache (a signed-out visitor, the cache on): its
    sections may come from the cache."""
    return _render_state(request) is not None and settings.PAGE_CACHE_SECONDS > 0


def not_cacheable(request: HttpRequest) -> None:
    state = _render_state(request)
    if state is not None:
        state.cacheable = False


def context(request: HttpRequest) -> dict:
    """Context processor: a page being rendered for the cache gets a placeholder CSRF token."""
    return {"csrf_token": CSRF_PLACEHOLDER} if _render_state(request) is not None else {}


# --- fragments: parts shared by many pages ------------------------------------------------------


def fragments(request: HttpRequest, items: list, *, name: str, parts, scopes, render) -> list[str]:
    """Each item's HTML, from the cache where a fresh copy is there, rendered (and stored)
    otherwise: one `get_many` for the fragments and one for their scopes. `parts(item)` is what
    the fragment shows beyond its scopes (values computed for this page), `scopes(item)` what it
    depends on, `render(item)` its HTML. Keyed like pages on the viewer's zone and clock.

    A directory page that misses (its query is new, or a list changed) still finds the cards of
    mentors who did not change: rendering 20 cards is a third of the page's cost."""
    if settings.PAGE_CACHE_SECONDS <= 0 or not items:
        return [render(item) for item in items]
    viewer = _viewer(request)
    keys = [
        _ENTRY + hashlib.sha256(repr((release(), name, viewer, parts(item))).encode()).hexdigest()
        for item in items
    ]
    found = cache.get_many(keys)
    changes = cache.get_many(sorted({_VERSION + s for entry in found.values() for s in entry.scopes}))
    html, fresh = [], {}
    for item, key in zip(items, keys, strict=True):
        entry = found.get(key)
        if entry is None or not _fresh(entry, changes):
            started = time.time()
            entry = _Entry(started, tuple(scopes(item)), render(item), "")
            fresh[key] = entry
        html.append(mark_safe(entry.content))  # noqa: S308 - our own templates' output
    if fresh:
        cache.set_many(fresh, settings.PAGE_CACHE_SECONDS)
    return html


def section(
    request: HttpRequest, *, name: str, parts, render: Callable[[], str], per_viewer: bool = True
) -> str:
    """One part of a page (the directory's filter form, its results), cached like a page: keyed on
    the release, `name`, `parts` (what it shows: the normalised query) and, with `per_viewer`, the
    viewer's zone and clock. `render()` runs as if it were the page: the scopes it names
    (`depends_on`) and its expiry (`expires_by`) are stored with it, and passed on to the page on
    every use, so the page is never stored past what its sections show. Outside the page cache
    (signed in, cache off) it just renders."""
    outer = _render_state(request)
    if not rendering(request):
        return render()
    viewer = _viewer(request) if per_viewer else None
    key = _ENTRY + hashlib.sha256(repr((release(), "section", name, viewer, parts)).encode()).hexdigest()
    entry = cache.get(key)
    if entry is None or entry.expires_at <= time.time() or not _fresh(entry):
        started = time.time()
        state = request._page_cache = _Render(started, started + settings.PAGE_CACHE_SECONDS)
        try:
            content = render()
        finally:
            request._page_cache = outer
        entry = _Section(started, tuple(sorted(state.scopes)), str(content), state.expires_at)
        ttl = int(entry.expires_at - time.time())
        if state.cacheable and ttl > 0:
            cache.set(key, entry, ttl)
        else:
            outer.cacheable = outer.cacheable and state.cacheable
    outer.scopes.update(entry.scopes)
    outer.expires_at = min(outer.expires_at, entry.expires_at)
    return mark_safe(entry.content)  # noqa: S308 - our own templates' output


@dataclass(frozen=True)
class _Section:
    started: float
    scopes: tuple[str, ...]
    content: str
    expires_at: float


# --- the decorator -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    started: float
    scopes: tuple[str, ...]
    content: bytes | str
    content_type: str


def anonymous_page(
    *, params: Iterable[str] = (), defaults: Mapping[str, str] | None = None, scopes: Iterable[str] = ()
) -> Callable:
    """Serve this view from the cache to signed-out visitors. `params`: the query parameters it
    reads (others are dropped before it runs); `defaults`: values that mean the same as none;
    `scopes`: what it always depends on (it may add more with `depends_on`)."""
    allowed = frozenset(params)
    defaults = dict(defaults or {})
    fixed = tuple(scopes)

    def decorate(view: Callable) -> Callable:
        name = f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _servable(request):
                return view(request, *args, **kwargs)
            query = normalised_query(request.GET, allowed=allowed, defaults=defaults)
            if query != request.META.get("QUERY_STRING", ""):
                # The page is rendered for the normalised address, so links in it never carry a
                # parameter of one visitor's to the next.
                request.GET = QueryDict(query)
                request.META["QUERY_STRING"] = query
            key = _key(request, name, args, kwargs, query)
            entry = cache.get(key)
            if entry is not None and _fresh(entry):
                return _respond(request, HttpResponse(entry.content, content_type=entry.content_type), "hit")
            started = time.time()
            expires_at = started + settings.PAGE_CACHE_SECONDS
            state = request._page_cache = _Render(started, expires_at, scopes=set(fixed))
            try:
                response = view(request, *args, **kwargs)
            finally:
                del request._page_cache
            ttl = int(state.expires_at - time.time())
            if ttl > 0 and _storable(request, response, state):
                cache.set(
                    key,
                    _Entry(started, tuple(sorted(state.scopes)), response.content, response["Content-Type"]),
                    ttl,
                )
                return _respond(request, response, "miss")
            return _respond(request, response, "not stored")

        return wrapper

    return decorate


def normalised_query(query: QueryDict, *, allowed: frozenset[str], defaults: Mapping[str, str]) -> str:
    """Only the parameters the page reads, each once (the last value, as `QueryDict.get` reads
    it), without empty values or defaults, sorted: every spelling of one page is one entry."""
    kept = {}
    for name in allowed:
        value = query.get(name, "").strip()
        if value and defaults.get(name) != value:
            kept[name] = value
    normal = QueryDict(mutable=True)
    for name in sorted(kept):
        normal[name] = kept[name]
    return normal.urlencode()


def _servable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False  # a session (signed in, or a flow under way) or messages waiting to be shown
    return not request.user.is_authenticated


def _language(request: HttpRequest) -> str:
    for language, _ in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if language != "*":
            return language
    return ""


def _viewer(request: HttpRequest) -> tuple:
    """What of the viewer the page's words and times depend on: its language, their zone and clock."""
    clock = viewer_clock(request)
    zone = getattr(request, "viewer_zone", None)
    return (
        translation.get_language(),
        getattr(zone, "key", str(zone)),
        clock.twelve_hour,
        clock.first_weekday,
    )


def _key(request: HttpRequest, name: str, args, kwargs, query: str) -> str:
    parts = (
        release(),
        name,
        repr(args),
        repr(sorted(kwargs.items())),
        query,
        request.scheme,
        request.get_host(),
        _viewer(request),
        _language(request),
        bool(getattr(request, "htmx", False)),
    )
    return _ENTRY + hashlib.sha256(repr(parts).encode()).hexdigest()


def _fresh(entry: _Entry, changes: dict | None = None) -> bool:
    """No scope of the entry changed since its render began (`changes`: the scopes' moments, read
    here when not given)."""
    if not entry.scopes:
        return True
    if changes is None:
        changes = cache.get_many([_VERSION + scope for scope in entry.scopes])
    moments = (changes.get(_VERSION + scope) for scope in entry.scopes)
    return all(moment < entry.started - CLOCK_MARGIN for moment in moments if moment is not None)


def _storable(request: HttpRequest, response: HttpResponse, state: _Render) -> bool:
    if not state.cacheable or response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return False
    storage = getattr(request, "_messages", None)
    return not getattr(storage, "_queued_messages", None)


def _respond(request: HttpRequest, response: HttpResponse, how: str) -> HttpResponse:
    """The visitor's own CSRF token in place of the placeholder (the CSRF middleware then sets
    the cookie that goes with it)."""
    if _PLACEHOLDER in response.content:
        response.content = response.content.replace(_PLACEHOLDER, get_token(request).encode())
    response[HEADER] = how
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


@functools.cache
def release() -> str:
    """What is deployed: the templates' text, the compiled translations and the static files'
    manifest. A deploy that changes any starts every page anew."""
    digest = hashlib.sha256(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    folders = [(folder, "*.html") for folder in map(Path, settings.TEMPLATES[0]["DIRS"])]
    folders += [(Path(folder), "*.mo") for folder in settings.LOCALE_PATHS]
    for folder, pattern in folders:
        for path in sorted(folder.rglob(pattern)):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
