from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.forms import show_error

from . import services
from .forms import MentorApplicationForm, MentorProfileForm
from .models import MentorProfile
from .selectors import own_mentor_profile


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
            messages.success(
                request, _("Thanks! Your application is in review; we'll e-mail you the decision.")
            )
            return redirect("mentors:apply")
    return render(request, "mentors/apply.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
def profile_edit(request):
    mentor = own_mentor_profile(user=request.user)
    form = MentorProfileForm(request.POST or None, request.FILES or None, mentor=mentor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.mentor_profile_update(
            mentor=mentor,
            headline=data["headline"],
            bio=data["bio"],
            skills=data["skills"],
            languages=list(data["languages"]),
            years_experience=data["years_experience"],
            photo=form.photo_change(),
        )
        messages.success(request, _("Your profile is saved. This is how mentees see it."))
        return redirect(mentor.get_absolute_url() if mentor.is_approved else "mentors:profile_edit")
    status = 400 if form.is_bound else 200
    return render(request, "mentors/profile_edit.html", {"form": form, "mentor": mentor}, status=status)
