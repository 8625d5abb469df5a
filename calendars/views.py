"""The mentor's calendars page (/mentor/calendars/): connect a calendar, see how each is read."""

import secrets
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentors.selectors import own_mentor_profile

from . import google, selectors, services
from .fetch import CredentialsRefused, FetchError
from .forms import CalDAVForm, ChooseCalendarsForm, FeedForm
from .models import CalendarConnection


@login_required
def calendars(request):
    mentor = own_mentor_profile(user=request.user)
    feed_form, caldav_form = FeedForm(prefix="feed"), CalDAVForm(prefix="caldav")
    if request.method == "POST":
        section = request.POST.get("section")
        if section == "feed":
            feed_form = FeedForm(request.POST, prefix="feed")
            if feed_form.is_valid():
                services.connect_feed(mentor=mentor, **feed_form.cleaned_data)
                messages.success(request, _("Calendar connected: its busy times are being read now."))
                return redirect("calendars:list")
        elif section == "caldav":
            caldav_form = CalDAVForm(request.POST, prefix="caldav")
            if caldav_form.is_valid():
                try:
                    services.connect_caldav(mentor=mentor, **caldav_form.cleaned_data)
                except FetchError as error:
                    caldav_form.add_error(
                        "password" if isinstance(error, CredentialsRefused) else "url", str(error)
                    )
                else:
                    messages.success(request, _("Account connected: choose its calendars below."))
                    return redirect("calendars:list")
        elif section in ("sync", "remove", "choose"):
            connection = get_object_or_404(CalendarConnection, pk=_pk(request.POST.get("pk")), mentor=mentor)
            if section == "sync":
                services.sync_now(connection=connection)
                messages.success(request, _("Reading “%(name)s” now.") % {"name": connection.name})
            elif section == "remove":
                services.disconnect(connection=connection)
                messages.success(
                    request,
                    _("“%(name)s” disconnected: its busy times no longer block your slots.")
                    % {"name": connection.name},
                )
            else:
                form = ChooseCalendarsForm(request.POST, calendars=connection.calendars)
                if not form.is_valid():
                    messages.error(request, _("Choose among the account's calendars."))
                    return redirect("calendars:list")
                services.choose_calendars(connection=connection, **form.cleaned_data)
                messages.success(request, _("Saved the calendars of “%(name)s”.") % {"name": connection.name})
            return redirect("calendars:list")
    connections = selectors.mentor_connections(mentor_id=mentor.pk)
    for c in connections:
        if c.calendars:
            c.choose_form = ChooseCalendarsForm(
                calendars=c.calendars, initial={"busy": c.busy_calendars, "write": c.write_calendar}
            )
    context = {
        "mentor": mentor,
        "connections": connections,
        "feed_form": feed_form,
        "caldav_form": caldav_form,
        "google": google.enabled(),
        "every_minutes": int(services.SYNC_EVERY.total_seconds() // 60),
        "recently": timezone.now() - timedelta(minutes=1),
    }
    return render(
        request, "calendars/list.html", context, status=400 if feed_form.errors or caldav_form.errors else 200
    )


GOOGLE_STATE = "calendars_google_state"


def _google_return(request) -> str:
    return request.build_absolute_uri(reverse("calendars:google_done"))


@login_required
def google_start(request):
    """Off to Google to grant access (?reconnect=<pk> renews one of the mentor's connections)."""
    mentor = own_mentor_profile(user=request.user)
    if not google.enabled():
        raise Http404("Google Calendar is not set up on this site.")
    state = secrets.token_urlsafe(24)
    request.session[GOOGLE_STATE] = {
        "state": state,
        "reconnect": _pk(request.GET.get("reconnect")),
        "mentor": mentor.pk,
    }
    return redirect(google.authorize_url(state=state, redirect_uri=_google_return(request)))


@login_required
def google_done(request):
    """Google sends the mentor back here with a code (or an error, when they declined)."""
    mentor = own_mentor_profile(user=request.user)
    expected = request.session.pop(GOOGLE_STATE, None) or {}
    state, code = request.GET.get("state", ""), request.GET.get("code", "")
    if (
        not expected
        or expected.get("mentor") != mentor.pk
        or not secrets.compare_digest(state, expected["state"])
    ):
        messages.error(request, _("That Google sign-in was not started here, or took too long: try again."))
    elif not code:
        messages.error(request, _("Google Calendar was not connected (access was not granted)."))
    else:
        try:
            services.connect_google(
                mentor=mentor,
                code=code[:2000],
                redirect_uri=_google_return(request),
                reconnect_id=expected["reconnect"],
            )
        except FetchError as error:
            messages.error(request, _("Google Calendar was not connected: %(error)s") % {"error": error})
        else:
            messages.success(request, _("Google Calendar connected: choose its calendars below."))
    return redirect("calendars:list")


def _pk(value) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0
