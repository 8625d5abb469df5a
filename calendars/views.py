"""The mentor's calendars page (/mentor/calendars/): connect a calendar, see how each is read."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from mentors.selectors import own_mentor_profile

from . import selectors, services
from .forms import FeedForm
from .models import CalendarConnection


@login_required
def calendars(request):
    mentor = own_mentor_profile(user=request.user)
    form = FeedForm()
    if request.method == "POST":
        section = request.POST.get("section")
        if section == "add":
            form = FeedForm(request.POST)
            if form.is_valid():
                services.connect_feed(mentor=mentor, **form.cleaned_data)
                messages.success(request, "Calendar connected: its busy times are being read now.")
                return redirect("calendars:list")
        elif section in ("sync", "remove"):
            connection = get_object_or_404(CalendarConnection, pk=_pk(request.POST.get("pk")), mentor=mentor)
            if section == "sync":
                services.sync_now(connection=connection)
                messages.success(request, f"Reading “{connection.name}” now.")
            else:
                services.disconnect(connection=connection)
                messages.success(
                    request, f"“{connection.name}” disconnected; its busy times no longer block your slots."
                )
            return redirect("calendars:list")
    context = {
        "mentor": mentor,
        "connections": selectors.mentor_connections(mentor_id=mentor.pk),
        "form": form,
        "every_minutes": int(services.SYNC_EVERY.total_seconds() // 60),
        "recently": timezone.now() - timedelta(minutes=1),
    }
    return render(request, "calendars/list.html", context, status=400 if form.errors else 200)


def _pk(value) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0
