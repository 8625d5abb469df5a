from urllib.parse import quote

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .forms import SettingsForm
from .middleware import TIMEZONE_CHOSEN_COOKIE, TIMEZONE_COOKIE, VIEW_ZONE_SESSION_KEY
from .templatetags.zones import viewer_language
from .timezones import canonical_zone_name, timezone_choices, timezone_names, zone_label

YEAR = 365 * 24 * 3600


@login_required
def account_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("accounts:settings")
    context = {"form": form, "has_second_factor": is_mfa_enabled(request.user)}
    return render(request, "accounts/settings.html", context, status=400 if form.is_bound else 200)


def _back(request) -> HttpResponseRedirect:
    """To the page the form was on: a path on this site, else the home page."""
    target = request.POST.get("next", "")
    on_this_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not (on_this_site and target.startswith("/") and target.isprintable()):
        target = "/"
    return HttpResponseRedirect(target)


@require_POST
def view_zone(request):
    """Show times in another zone: remembered in a cookie for visitors; for a signed-in person,
    for this visit, with an offer to make it their own (`save_zone`)."""
    zone = canonical_zone_name(request.POST.get("zone", "").strip())
    if zone not in timezone_names():
        messages.error(request, _("Choose a time zone from the list, e.g. Europe/Berlin."))
        return _back(request)
    response = _back(request)
    if request.user.is_authenticated:
        if zone == request.user.zone.key:
            request.session.pop(VIEW_ZONE_SESSION_KEY, None)
        else:
            request.session[VIEW_ZONE_SESSION_KEY] = zone
    else:
        response.set_cookie(TIMEZONE_COOKIE, quote(zone, safe=""), max_age=YEAR, samesite="Lax")
        response.set_cookie(TIMEZONE_CHOSEN_COOKIE, "1", max_age=YEAR, samesite="Lax")
    return response


@require_GET
@cache_control(public=True, max_age=24 * 3600)
@vary_on_headers("Accept-Language", "Cookie")
def zone_list(request):
    """The zone switcher's suggestions (some 400 zones, ~30 KB), fetched once when its field first
    gets the focus rather than sent with every slot picker; the same for everyone who reads the
    same language, so browsers keep it a day (offsets move only with summer time)."""
    choices = timezone_choices(viewer_language(request))
    return render(request, "components/zone_options.html", {"choices": choices})


@login_required
@require_POST
def save_zone(request):
    """Make the zone being viewed the person's own: every page, e-mail and reminder follows."""
    zone = request.session.pop(VIEW_ZONE_SESSION_KEY, None)
    if zone in timezone_names():
        request.user.timezone = zone
        request.user.save(update_fields=["timezone"])
        messages.success(request, _("Your time zone is now %(zone)s.") % {"zone": zone_label(zone)})
    return _back(request)


@require_POST
def language_set(request):
    """The footer's language switcher, as Django's `set_language` does it (the language cookie,
    back to the page it was on); a signed-in person's choice is also saved as their account's
    language, which their e-mails and reminders follow too."""
    language = request.POST.get("language", "")
    response = _back(request)
    if language not in dict(settings.LANGUAGES) or not check_for_language(language):
        messages.error(request, _("Choose a language from the list."))
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    if request.user.is_authenticated and language != request.user.language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
