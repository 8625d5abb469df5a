from django.http import Http404
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template
from django.utils.translation import ngettext

from cohorts.selectors import open_cohorts_of
from core import pagecache
from core.meta import page_meta
from core.pagination import page_of
from groups.selectors import upcoming_of as upcoming_group_sessions
from mentors.models import MentorProfile
from mentors.selectors import directory_vocabulary, upcoming_slots
from packs.selectors import packs_for_sale
from qa.selectors import question_offer_of
from subscriptions.selectors import published_plans

from . import selectors
from .forms import DirectoryForm

PAGE_SIZE = 20


def _cards(request, mentors) -> list[str]:
    """The mentors' cards, each rendered once per change of the mentor and shared by every page
    that lists them (core.pagecache.fragments)."""
    card = get_template("components/mentor_card.html").template
    return pagecache.fragments(
        request,
        list(mentors),
        name="mentor-card",
        parts=lambda m: (m.pk, getattr(m, "min_price", None), m.next_free_slot_at),
        scopes=lambda m: [pagecache.mentor(m.pk)],
        render=lambda m: card.render(Context({"mentor": m, "request": request})),
    )


@pagecache.anonymous_page(scopes=[pagecache.LISTS])
def home(request):
    featured = list(selectors.featured_mentors())
    pagecache.expires_by(request, selectors.bookable_previews(featured))
    return render(request, "discover/home.html", {"featured": featured, "cards": _cards(request, featured)})


@pagecache.anonymous_page(
    params=[*DirectoryForm.base_fields, "page"], defaults={"page": "1"}, scopes=[pagecache.LISTS]
)
def directory(request):
    form = DirectoryForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    query = request.GET.urlencode()  # normalised by the page cache for signed-out visitors
    context = {
        "form": form,
        "active_filters": form.active_filters(),
        # The filter form and the results, each rendered once per normalised query (and the
        # results per viewer's zone and clock) while what they show is unchanged: a page that
        # misses for a new zone or language renders only base.html around them.
        "filters": pagecache.section(
            request,
            name="directory-filters",
            parts=query,
            per_viewer=False,
            render=lambda: _filters(request, form),
        ),
        "results": pagecache.section(
            request, name="directory-results", parts=query, render=lambda: _results(request, form)
        ),
    }
    template = "discover/directory.html#results" if request.htmx else "discover/directory.html"
    return render(request, template, context)


def _filters(request, form) -> str:
    """The filter form's fields, with the skill and language menus (part of the `lists` data)."""
    pagecache.depends_on(request, pagecache.LISTS)
    skills, languages = directory_vocabulary()
    context = {"form": form, "skills": skills, "languages": languages}
    return get_template("discover/_directory_filters.html").render(context, request)


def _results(request, form) -> str:
    """One page of matching mentors: the count line, the cards and the page links."""
    pagecache.depends_on(request, pagecache.LISTS)
    mentors = selectors.directory_search(query=form.to_query())
    page = page_of(mentors, request.GET.get("page"), size=PAGE_SIZE)  # no COUNT over the matches
    pagecache.depends_on(request, *(pagecache.mentor(m.pk) for m in page.object_list))
    pagecache.expires_by(request, selectors.bookable_previews(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"page": page, "cards": _cards(request, page.object_list), "params": params.urlencode()}
    return get_template("discover/_directory_results.html").render(context, request)


@pagecache.anonymous_page()
def profile(request, slug):
    try:
        # Around a content that may come from the cache, only what the title and meta tags need.
        mentor = (selectors.mentor_page if pagecache.rendering(request) else selectors.mentor_profile)(
            slug=slug
        )
    except MentorProfile.DoesNotExist:
        raise Http404("No such mentor.") from None
    pagecache.depends_on(request, pagecache.mentor(mentor.pk), pagecache.COHORTS)
    return render(
        request,
        "discover/profile.html",
        {
            "mentor": mentor,
            # Rendered once per change of the mentor (or the cohorts) and per viewer's language,
            # zone and clock (pagecache._viewer), whatever else the page's own key holds.
            "main": pagecache.section(
                request, name="profile", parts=mentor.pk, render=lambda: _profile_main(request, mentor)
            ),
            "meta": page_meta(
                request,
                title=f"{mentor.user.name} — {mentor.headline}",
                description=ngettext(
                    "%(headline)s. %(years)d year of experience. "
                    "Book a short, focused session on TheMentors.",
                    "%(headline)s. %(years)d years of experience. "
                    "Book a short, focused session on TheMentors.",
                    mentor.years_experience,
                )
                % {"headline": mentor.headline, "years": mentor.years_experience},
                photo=mentor.photo,
            ),
        },
    )


def _profile_main(request, mentor: MentorProfile) -> str:
    """The profile's content: figures, free times, reviews, offerings, cohorts and plans."""
    if not hasattr(mentor, "sessions_held"):  # `mentor_page`'s: the figures need the full profile
        mentor = selectors.mentor_profile(slug=mentor.slug)
    pagecache.depends_on(request, pagecache.mentor(mentor.pk), pagecache.COHORTS)
    offerings = list(mentor.offerings.filter(is_published=True))
    slots = upcoming_slots(mentor)
    if slots:
        pagecache.expires_by(request, slots[0] - mentor.notice)
    context = {
        "mentor": mentor,
        "offerings": offerings,
        "reviews": selectors.mentor_reviews(mentor),
        "slots": slots,
        "first_offering": offerings[0] if offerings else None,
        "plans": list(published_plans(mentor_id=mentor.pk)),
        "packs": list(packs_for_sale(mentor_id=mentor.pk)),
        "cohorts": list(open_cohorts_of(mentor_id=mentor.pk)),
        "question_offer": question_offer_of(mentor_id=mentor.pk),
        "group_sessions": list(upcoming_group_sessions(mentor_id=mentor.pk)),
    }
    if context["group_sessions"]:
        pagecache.expires_by(request, context["group_sessions"][0].starts_at)
    return get_template("discover/_profile_main.html").render(context, request)
