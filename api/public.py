"""The public reads: the mentor directory with its filters, mentors, offerings, an offering's free
slots on a day in any zone, cohorts and their seats. Anyone may read them; a token counts them
against its own rate instead of the address's."""

from datetime import timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from accounts.timezones import canonical_zone_name, known_zone_names
from cohorts import selectors as cohort_selectors
from discover import selectors as directory
from discover.forms import DirectoryForm
from mentors.models import MentorProfile
from sessions import selectors as booking_selectors
from sessions.models import Offering

from . import present
from .auth import Public
from .errors import ErrorOut, Invalid, NotFound
from .schemas import (
    CohortOut,
    CohortPage,
    Day,
    MentorDetailOut,
    MentorPage,
    OfferingOut,
    OfferingPage,
    SlotsOut,
    text,
)

router = Router(auth=Public(), tags=["Public reads"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}

Limit = Annotated[int, Field(ge=1, le=100, description="Rows per page (1–100).")]
Offset = Annotated[int, Field(ge=0, le=present.MAX_OFFSET, description="Rows to skip.")]
Slug = Annotated[str, Field(max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]


def form_errors(form) -> Invalid:
    return Invalid(
        _("Some of what was sent is not valid: see the fields."),
        fields={name: list(errors) for name, errors in form.errors.items()},
    )


class DirectoryFilters(Schema):
    """The directory's own filters (/mentors/): prices in whole units of the currency, as there."""

    q: text(100) = Field("", description="Full-text search: skills, headline, name, offerings, bio.")
    skill: Annotated[str, Field(max_length=60, pattern=r"^[-a-zA-Z0-9_]*$")] = Field(
        "", description="A skill's slug."
    )
    min_price: int | None = Field(None, ge=0, le=100000, description="Whole units (dollars), like the page.")
    max_price: int | None = Field(None, ge=0, le=100000, description="Whole units (dollars), like the page.")
    duration: Literal[15, 30, 45, 60] | None = Field(None, description="Minutes.")
    language: text(8) = Field("", description="A language code, e.g. en.")
    available: Literal["", "week"] = Field("", description="week: a free slot in the next 7 days.")
    sort: Literal["", "rating", "price", "soonest"] = Field("", description="Empty: best match.")


@router.get("/mentors", response={200: MentorPage, **ERRORS}, url_name="mentors")
def mentors(request, filters: Query[DirectoryFilters], limit: Limit = 20, offset: Offset = 0):
    """The mentor directory, with the filters and sorts of /mentors/."""
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    form = DirectoryForm(data)
    if not form.is_valid():
        raise form_errors(form)
    rows = directory.directory_search(query=form.to_query())
    return present.page(request, rows, limit=limit, offset=offset, present=present.mentor)


@router.get("/mentors/{slug:slug}", response={200: MentorDetailOut, **ERRORS}, url_name="mentor")
def mentor(request, slug: str):
    """A mentor's profile with their published offerings."""
    try:
        profile = directory.mentor_profile(slug=slug)
    except MentorProfile.DoesNotExist:
        raise NotFound(_("No such mentor.")) from None
    offerings = list(
        booking_selectors.published_offerings().filter(mentor=profile).order_by("price_amount", "pk")
    )
    return present.mentor_detail(request, profile, offerings)


@router.get("/offerings", response={200: OfferingPage, **ERRORS}, url_name="offerings")
def offerings(
    request,
    mentor: Annotated[str, Field(max_length=80, pattern=r"^[-a-zA-Z0-9_]*$")] = "",
    limit: Limit = 20,
    offset: Offset = 0,
):
    """Published offerings of approved mentors, cheapest first; `mentor` (a slug) narrows them."""
    rows = booking_selectors.published_offerings().order_by("price_amount", "duration_minutes", "pk")
    if mentor:
        rows = rows.filter(mentor__slug=mentor)
    return present.page(request, rows, limit=limit, offset=offset, present=present.offering)


def _offering(slug: str) -> Offering:
    try:
        return booking_selectors.published_offerings().get(slug=slug)
    except Offering.DoesNotExist:
        raise NotFound(_("No such offering.")) from None


@router.get("/offerings/{slug:slug}", response={200: OfferingOut, **ERRORS}, url_name="offering")
def offering(request, slug: str):
    return present.offering(request, _offering(slug))


class SlotsQuery(Schema):
    day: Day | None = Field(None, description="A day in `timezone`; today there if left out.")
    timezone: text(64) = Field("UTC", description="An IANA zone, e.g. Europe/Berlin.")


@router.get("/offerings/{slug:slug}/slots", response={200: SlotsOut, **ERRORS}, url_name="offering_slots")
def offering_slots(request, slug: str, asked: Query[SlotsQuery]):
    """Free start times of the offering on one day of the given zone: what its page's picker
    shows, from the same slot engine (weekly hours, overrides, buffers, notice, busy time)."""
    timezone_name, day = asked.timezone, asked.day
    if timezone_name not in known_zone_names() or ("/" not in timezone_name and timezone_name != "UTC"):
        raise Invalid(
            _("Some of what was sent is not valid: see the fields."),
            fields={"timezone": [_("Choose a time zone from the list, e.g. Europe/Berlin.")]},
        )
    found = _offering(slug)
    name = canonical_zone_name(timezone_name)
    zone = ZoneInfo(name)
    today = timezone.now().astimezone(zone).date()
    day = day or today
    slots = []
    # Before today or past the mentor's horizon nothing is free: no need to ask the engine.
    if today - timedelta(days=1) <= day <= today + timedelta(days=found.mentor.horizon_days + 1):
        slots = booking_selectors.offering_slots_for_day(offering=found, day=day, zone=zone)
    return {
        "offering": found.slug,
        "day": day,
        "timezone": name,
        "duration_minutes": found.duration_minutes,
        "slots": [present.slot(s, minutes=found.duration_minutes, zone=zone) for s in slots],
    }


@router.get("/cohorts", response={200: CohortPage, **ERRORS}, url_name="cohorts")
def cohorts(request, limit: Limit = 20, offset: Offset = 0):
    """Published cohorts that have not started yet, soonest first, with their seats left."""
    rows = cohort_selectors.listed_cohorts()
    return present.page(request, rows, limit=limit, offset=offset, present=present.cohort)


@router.get("/cohorts/{slug:slug}", response={200: CohortOut, **ERRORS}, url_name="cohort")
def cohort(request, slug: str):
    try:
        found = cohort_selectors.visible_cohort(slug=slug, user=AnonymousUser())
    except Http404:
        raise NotFound(_("No such cohort.")) from None
    return present.cohort(request, found)
