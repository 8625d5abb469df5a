"""The mentor's own offerings: the list, the form, publishing. Their URLs are named "mentors:…"
(sessions.urls.mentor_urlpatterns, placed by config/urls.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import show_error
from mentors.selectors import own_mentor_profile

from . import services
from .forms import OfferingForm
from .models import Offering


@login_required
def offerings(request):
    mentor = own_mentor_profile(user=request.user)
    return render(request, "sessions/offerings.html", {"mentor": mentor, "offerings": mentor.offerings.all()})


@login_required
def offering_edit(request, slug=None):
    mentor = own_mentor_profile(user=request.user)
    offering = get_object_or_404(Offering, slug=slug, mentor=mentor) if slug else None
    form = OfferingForm(request.POST or None, instance=offering)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.offering_save(mentor=mentor, offering=offering, **form.service_fields())
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Saved “%(title)s”.") % {"title": saved.title})
            return redirect("mentors:offerings")
    context = {"form": form, "offering": offering}
    return render(request, "sessions/offering_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def offering_publish(request, slug):
    mentor = own_mentor_profile(user=request.user)
    offering = get_object_or_404(Offering, slug=slug, mentor=mentor)
    try:
        services.offering_set_published(
            offering=offering, by=request.user, published=request.POST.get("published") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    if request.htmx:
        offering.refresh_from_db()
        return render(request, "sessions/offerings.html#row", {"offering": offering})
    return redirect("mentors:offerings")
