from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import show_error
from sessions.models import Offering

from . import selectors, services
from .forms import MentorApplicationForm
from .models import MentorProfile


@login_required
def apply(request):
    existing = MentorProfile.objects.filter(user=request.user).first()
    if existing:
        suspension = existing.suspensions.filter(ended_at__isnull=True).first()
        return render(request, "mentors/apply_status.html", {"mentor": existing, "suspension": suspension})
    form = MentorApplicationForm(
        request.POST or None, request.FILES or None, initial={"timezone": request.user.timezone}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentor_apply(
                user=request.user,
                headline=data["headline"],
                bio=data["bio"],
                skills=data["skills"],
                languages=list(data["languages"]),
                years_experience=data["years_experience"],
                timezone_name=data["timezone"],
                photo=data.get("photo"),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Thanks! Your application is in review; we'll e-mail you the decision.")
            return redirect("mentors:apply")
    return render(request, "mentors/apply.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
def offerings(request):
    mentor = selectors.own_mentor_profile(user=request.user)
    return render(request, "mentors/offerings.html", {"mentor": mentor, "offerings": mentor.offerings.all()})


@login_required
def offering_edit(request, slug=None):
    from sessions import services as session_services
    from sessions.forms import OfferingForm

    mentor = selectors.own_mentor_profile(user=request.user)
    offering = get_object_or_404(Offering, slug=slug, mentor=mentor) if slug else None
    form = OfferingForm(request.POST or None, instance=offering)
    if request.method == "POST" and form.is_valid():
        try:
            saved = session_services.offering_save(mentor=mentor, offering=offering, **form.service_fields())
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Saved “{saved.title}”.")
            return redirect("mentors:offerings")
    context = {"form": form, "offering": offering}
    return render(request, "mentors/offering_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def offering_publish(request, slug):
    from sessions import services as session_services

    mentor = selectors.own_mentor_profile(user=request.user)
    offering = get_object_or_404(Offering, slug=slug, mentor=mentor)
    try:
        session_services.offering_set_published(
            offering=offering, by=request.user, published=request.POST.get("published") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    if request.htmx:
        offering.refresh_from_db()
        return render(request, "mentors/offerings.html#row", {"offering": offering})
    return redirect("mentors:offerings")
