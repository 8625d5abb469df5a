from django.http import Http404
from django.shortcuts import render

from cohorts.selectors import open_cohorts_of
from core.meta import page_meta
from core.pagination import page_of
from mentors.models import MentorProfile
from mentors.selectors import directory_vocabulary, upcoming_slots
from subscriptions.selectors import published_plans

from . import selectors
from .forms import DirectoryForm

PAGE_SIZE = 20


def home(request):
    return render(request, "discover/home.html", {"featured": selectors.featured_mentors()})


def directory(request):
    form = DirectoryForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    mentors = selectors.directory_search(query=form.to_query())
    page = page_of(mentors, request.GET.get("page"), size=PAGE_SIZE)  # no COUNT over the matches
    skills, languages = directory_vocabulary()
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "active_filters": form.active_filters(),
        "page": page,
        "skills": skills,
        "languages": languages,
        "params": params.urlencode(),
    }
    template = "discover/directory.html#results" if request.htmx else "discover/directory.html"
    return render(request, template, context)


def profile(request, slug):
    try:
        mentor = selectors.mentor_profile(slug=slug)
    except MentorProfile.DoesNotExist:
        raise Http404("No such mentor.") from None
    offerings = list(mentor.offerings.filter(is_published=True))
    return render(
        request,
        "discover/profile.html",
        {
            "mentor": mentor,
            "offerings": offerings,
            "reviews": selectors.mentor_reviews(mentor),
            "slots": upcoming_slots(mentor),
            "first_offering": offerings[0] if offerings else None,
            "plans": list(published_plans(mentor_id=mentor.pk)),
            "cohorts": list(open_cohorts_of(mentor_id=mentor.pk)),
            "meta": page_meta(
                request,
                title=f"{mentor.user.name} — {mentor.headline}",
                description=f"{mentor.headline}. {mentor.years_experience} years of experience. "
                "Book a short, focused session on TheMentors.",
                photo=mentor.photo,
            ),
        },
    )
