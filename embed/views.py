"""The booking widget: the mentor's settings page, the framed pages, and the step to the top window.

The framed pages are GETs that need no cookie (third-party cookies may be blocked): no session, no
CSRF token, no form posted. The viewer's zone comes from the browser, in the address of the
offering's page (embed/static frame script); choosing a time leads the top window to the site's
own offering page with that time chosen, where signing in and paying happen as they always do."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.middleware import TIMEZONE_COOKIE
from accounts.timezones import known_zone_names, zone_or_utc
from core import pagecache
from mentors.models import MentorProfile
from mentors.selectors import own_mentor_profile
from sessions.forms import parse_slot
from sessions.models import Offering
from sessions.selectors import published_offerings
from sessions.views import picker_context

from . import selectors, services
from .forms import WidgetForm
from .framing import framed_by_listed_sites, framed_by_this_site

SCRIPT_SECONDS = 3600  # how long browsers keep widget.js: a fix reaches every host site within an hour


def _zone(name: str):
    if name not in known_zone_names():
        raise Http404("No such time zone.")
    return zone_or_utc(name)


def _home_context(request, *, mentor: MentorProfile, preview: bool) -> dict:
    offerings = list(selectors.widget_offerings(mentor=mentor))
    widget = getattr(mentor, "widget", None)
    links = []
    for offering in offerings:
        if preview:
            base = reverse("embed:preview_offering", args=[offering.slug, "UTC"])
        else:
            base = reverse("embed:offering", args=[mentor.slug, offering.slug, "UTC"])
        links.append((offering, base, base.removesuffix("UTC/")))
    return {
        "mentor": mentor,
        "accent": widget.accent if widget else "blue",
        "offerings": links,
        "switched_off": not preview and not (widget and widget.allowed_origins),
        "listed": mentor.is_approved,
        "preview": preview,
    }


@framed_by_listed_sites
@pagecache.anonymous_page()
@require_GET
def widget_home(request, mentor_slug: str):
    mentor = selectors.widget_mentor(slug=mentor_slug)
    pagecache.depends_on(request, pagecache.mentor(mentor.pk))
    return render(request, "embed/home.html", _home_context(request, mentor=mentor, preview=False))


def _offering_context(request, *, mentor: MentorProfile, offering_slug: str, zone_name: str, preview: bool):
    offering = selectors.widget_offering(mentor=mentor, slug=offering_slug)
    zone = _zone(zone_name)
    request.viewer_zone = zone
    timezone.activate(zone)
    pagecache.depends_on(request, pagecache.mentor(mentor.pk))
    widget = getattr(mentor, "widget", None)
    if preview:
        base = reverse("embed:preview_offering", args=[offering.slug, zone.key])
        home = reverse("embed:preview")
    else:
        base = reverse("embed:offering", args=[mentor.slug, offering.slug, zone.key])
        home = reverse("embed:home", args=[mentor.slug])
    context = {
        "mentor": mentor,
        "offering": offering,
        "accent": widget.accent if widget else "blue",
        "switched_off": not preview and not (widget and widget.allowed_origins),
        "preview": preview,
        "base": base,
        "home_url": home,
        "zone_name": zone.key,
        **picker_context(request, offering=offering, zone=zone, paid=not offering.is_free),
    }
    if context["chosen"]:
        query = urlencode({"slot": context["chosen"].isoformat(), "tz": zone.key})
        context["continue_url"] = f"{reverse('embed:continue', args=[offering.slug])}?{query}"
    return context


@framed_by_listed_sites
@pagecache.anonymous_page(params=["day", "month", "slot"])
@require_GET
def widget_offering(request, mentor_slug: str, offering_slug: str, zone: str):
    mentor = selectors.widget_mentor(slug=mentor_slug)
    context = _offering_context(
        request, mentor=mentor, offering_slug=offering_slug, zone_name=zone, preview=False
    )
    template = "embed/offering.html#panel" if request.htmx else "embed/offering.html"
    return render(request, template, context)


@require_GET
def widget_continue(request, offering_slug: str):
    """In the top window now (first party, cookies as usual): the site's offering page with the
    time chosen in the widget, on its day in the zone the page will show it in."""
    try:
        offering = published_offerings().get(slug=offering_slug)
    except Offering.DoesNotExist:
        raise Http404("No such offering.") from None
    target = reverse("sessions:offering", args=[offering.slug])
    try:
        slot = parse_slot(request.GET.get("slot", ""))
    except ValidationError:  # a bad slot leads to the offering page without a time
        return redirect(f"{target}#pick")
    zone = request.viewer_zone
    wanted = request.GET.get("tz", "")
    # A visitor the site has not seen yet sees times in the zone the widget showed them in.
    fresh_visitor = not request.user.is_authenticated and TIMEZONE_COOKIE not in request.COOKIES
    if fresh_visitor and wanted in known_zone_names():
        zone = zone_or_utc(wanted)
    day: date = slot.astimezone(zone).date()
    response = redirect(f"{target}?{urlencode({'day': day.isoformat(), 'slot': slot.isoformat()})}#details")
    if fresh_visitor and zone.key == wanted:
        response.set_cookie(
            TIMEZONE_COOKIE, quote(zone.key, safe=""), max_age=365 * 24 * 3600, samesite="Lax", path="/"
        )
    return response


@require_GET
def widget_script(request):
    """The script a host page loads beside the frame: at one address for good (a static file's name
    changes with every release), kept an hour by browsers."""
    path = finders.find("embed/widget.js")
    with open(path, "rb") as script:
        response = HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={SCRIPT_SECONDS}"
    return response


# --- the mentor's own pages ----------------------------------------------------------------------


def _snippet(mentor: MentorProfile) -> str:
    site = settings.SITE_URL.rstrip("/")
    src = site + reverse("embed:home", args=[mentor.slug])
    script = site + reverse("embed:script")
    title = _("Book a session with %(name)s") % {"name": mentor.user.name}
    return (
        f'<iframe src="{src}" title="{title}" data-thementors-widget loading="lazy" '
        f'width="100%" height="720"></iframe>\n'
        f'<script src="{script}" async></script>'
    )


@login_required
def mentor_widget(request):
    mentor = own_mentor_profile(user=request.user)
    widget = selectors.widget_for(mentor=mentor)
    if request.method == "POST":
        form = WidgetForm(request.POST)
        if form.is_valid():
            services.widget_save(
                mentor=mentor, origins=form.cleaned_data["origins"], accent=form.cleaned_data["accent"]
            )
            messages.success(request, _("Your widget settings are saved."))
            return redirect("embed:mentor_widget")
        status = 400
    else:
        form = WidgetForm(initial={"origins": "\n".join(widget.allowed_origins), "accent": widget.accent})
        status = 200
    context = {
        "mentor": mentor,
        "widget": widget,
        "form": form,
        "snippet": _snippet(mentor),
        "offering_count": selectors.widget_offerings(mentor=mentor).count(),
        "offerings_url": reverse("mentors:offerings"),
    }
    return render(request, "embed/mentor_widget.html", context, status=status)


@login_required
@framed_by_this_site
@require_GET
def preview_home(request):
    mentor = own_mentor_profile(user=request.user)
    mentor = selectors.widget_mentor(slug=mentor.slug)
    return render(request, "embed/home.html", _home_context(request, mentor=mentor, preview=True))


@login_required
@framed_by_this_site
@require_GET
def preview_offering(request, offering_slug: str, zone: str):
    mentor = selectors.widget_mentor(slug=own_mentor_profile(user=request.user).slug)
    context = _offering_context(
        request, mentor=mentor, offering_slug=offering_slug, zone_name=zone, preview=True
    )
    template = "embed/offering.html#panel" if request.htmx else "embed/offering.html"
    return render(request, template, context)
