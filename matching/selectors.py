"""Reads for matching: everything the ranking needs, loaded in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrollment
from cohorts.selectors import listed_cohorts
from core import exchange
from core.one_click import one_click_url
from core.reversing import url_maker
from mentors.models import MentorProfile, Skill
from sessions.models import Booking, Offering
from sessions.selectors import free_slots_for
from subscriptions.models import Plan, Subscription

from . import ranking, scoring
from .availability import SLOT_LENGTH, WEEK, WithFreeSlots, in_hours, separate_sessions, shortlist_free_slots
from .learning import Example
from .models import Impression, Intake, MatchPage, RankingModel, Recommendation


def intake_of(user) -> Intake | None:
    if not user.is_authenticated:
        return None
    return Intake.objects.filter(user=user).prefetch_related("skills").select_related("language").first()


def need_from(
    intake: Intake | None, *, zone: ZoneInfo, vocabulary: dict | None = None, met: dict | None = None
) -> scoring.Need:
    """The intake as the ranking reads it. With a `vocabulary` (see `skill_vocabulary`), a need
    written without ticking skills gets the skills its words name; `met` is `mentors_met`."""
    if intake is None:
        return scoring.Need(zone=zone)
    hours = (intake.hours_from, intake.hours_to) if intake.hours_from and intake.hours_to else None
    skills = frozenset(s.slug for s in intake.skills.all())
    if not skills and vocabulary:
        skills = scoring.skills_in_text(intake.need, vocabulary)
    return scoring.Need(
        text=intake.need,
        skills=skills,
        budget=intake.budget_amount,
        currency=intake.currency,
        language=intake.language.code if intake.language else None,
        days=frozenset(intake.days or []),
        hours=hours,
        zone=zone,
        format=intake.format,
        budget_per=intake.budget_per,
        met=met or {},
    )


def mentors_met(*, user) -> dict[int, int | None]:
    """The mentors the mentee has had a completed session with, each with the stars of the
    mentee's review of the latest one (None: not reviewed). One query."""
    met: dict[int, int | None] = {}
    latest_first = (
        Booking.objects.filter(mentee=user, state=Booking.State.COMPLETED)
        .order_by("-starts_at")
        .values_list("mentor_id", "review__rating")
    )
    for mentor_id, stars in latest_first:
        met.setdefault(mentor_id, stars)
    return met


def skill_vocabulary() -> dict[str, tuple[str, ...]]:
    """Each skill's slug with the words that name it: its name and its synonyms. One query."""
    return {
        slug: (name, *(w.strip() for w in synonyms.split(",") if w.strip()))
        for slug, name, synonyms in Skill.objects.values_list("slug", "name", "synonyms")
    }


def exchange_rates() -> dict:
    return exchange.rates()


def active_weights() -> dict[str, float]:
    model = RankingModel.objects.filter(is_active=True).first()
    return model.weights if model else scoring.DEFAULT_WEIGHTS


def _mentors(ids: set[int]) -> dict[int, MentorProfile]:
    return {
        m.pk: m
        for m in MentorProfile.objects.filter(pk__in=ids, status=MentorProfile.Status.APPROVED)
        .select_related("user")
        .defer("upcoming_slots", "review_reason")
    }


def _mentor_facts(profiles: dict[int, MentorProfile]) -> tuple[dict, dict, dict]:
    """Skills, languages (code -> name) and (mentees, returning mentees) per mentor: three
    queries."""
    ids = list(profiles)
    skills: dict[int, dict[str, str]] = defaultdict(dict)
    through = MentorProfile.skills.through.objects.filter(mentorprofile_id__in=ids)
    for mentor_id, slug, name in through.values_list("mentorprofile_id", "skill__slug", "skill__name"):
        skills[mentor_id][slug] = name
    languages: dict[int, dict[str, str]] = defaultdict(dict)
    spoken = MentorProfile.languages.through.objects.filter(mentorprofile_id__in=ids)
    for mentor_id, code, name in spoken.values_list("mentorprofile_id", "language__code", "language__name"):
        languages[mentor_id][code] = name
    returning: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    pairs = (
        Booking.objects.filter(mentor_id__in=ids, state=Booking.State.COMPLETED)
        .values("mentor_id", "mentee_id")
        .annotate(n=Count("pk"))
        .values_list("mentor_id", "n")
        .order_by()
    )
    for mentor_id, n in pairs:
        returning[mentor_id][0] += 1
        returning[mentor_id][1] += n > 1
    return skills, languages, returning


@dataclass
class Catalogue:
    """Everything that can be recommended, as the ranking sees it, before any mentee's hours are
    known: built once per page, or once for a whole batch of mentees (the nightly refresh)."""

    now: datetime
    candidates: list[scoring.Candidate]
    profiles: dict[int, MentorProfile]
    skills: dict[int, dict[str, str]]
    # Every mentor's free 30-minute starts of the next 7 days, when computed for a batch;
    # None: each need counts them for its own shortlist.
    free: dict[int, list[datetime]] | None = None
    # The skills' names and synonyms (free text -> skills) and the exchange rates.
    vocabulary: dict[str, tuple[str, ...]] | None = None
    rates: dict | None = None
    index: ranking.Index | None = None  # the candidates' words, read once (see ranking.Index)
    # Per mentor, the words of their headline and skill names (what the availability shortlist
    # compares with the need), and the mentors by (most reviews, id): the shortlist's tail.
    profile_words: dict[int, frozenset[str]] | None = None
    by_reviews: list[int] | None = None
    # word -> mentors with it in profile_words; "skill:<slug>" -> mentors with that skill.
    mentors_by_term: dict[str, set[int]] | None = None


def _url_maker(name: str, placeholder: str = "0") -> Callable[[object], str]:
    """reverse() once: it costs more than the rest of a candidate together, times 10,000."""
    template = reverse(name, args=[placeholder])
    head, tail = template.rsplit(f"/{placeholder}/", 1)
    return lambda value: f"{head}/{value}/{tail}"


def catalogue(*, now: datetime | None = None, free_slots: bool = False) -> Catalogue:
    """Every published offering, listed cohort and published plan of an approved mentor, with
    what the ranking knows of its mentor, in a fixed number of queries. `free_slots` also counts
    every mentor's free time of the next week (worth it for a batch of mentees)."""
    now = now or timezone.now()
    offerings = list(
        Offering.objects.filter(is_published=True, mentor__status=MentorProfile.Status.APPROVED).values(
            "id",
            "mentor_id",
            "slug",
            "title",
            "outcome",
            "description",
            "price_amount",
            "currency",
            "duration_minutes",
        )
    )
    cohorts = list(
        listed_cohorts(now=now)
        .filter(facilitator__status=MentorProfile.Status.APPROVED)
        .values("id", "facilitator_id", "slug", "title", "outcome", "description", "price_amount", "currency")
    )
    plans = list(
        Plan.objects.filter(is_published=True, mentor__status=MentorProfile.Status.APPROVED).values(
            "id", "mentor_id", "name", "description", "price_amount", "currency", "max_session_minutes"
        )
    )
    ids = (
        {o["mentor_id"] for o in offerings}
        | {c["facilitator_id"] for c in cohorts}
        | {p["mentor_id"] for p in plans}
    )
    profiles = _mentors(ids)
    skills, languages, returning = _mentor_facts(profiles)
    mentors = {
        pk: scoring.Mentor(
            id=pk,
            name=p.user.name,
            text=" ".join([p.headline, p.bio, *skills[pk].values()]),
            skills=frozenset(skills[pk]),
            skill_names=dict(skills[pk]),
            languages=frozenset(languages[pk]),
            language_names=dict(languages[pk]),
            rating_average=float(p.rating_average) if p.rating_average is not None else None,
            rating_count=p.rating_count,
            items_done=p.action_items_done,
            items_total=p.action_items_total,
            mentees=returning[pk][0],
            returning_mentees=returning[pk][1],
        )
        for pk, p in profiles.items()
    }
    chosen = _times_chosen(cohorts=[c["id"] for c in cohorts])
    offering_url = _url_maker("sessions:offering", "slug")
    cohort_url = _url_maker("cohorts:detail", "slug")
    plan_url = _url_maker("subscriptions:plan")
    found = [
        scoring.Candidate(
            kind="offering",
            id=o["id"],
            mentor=mentors[o["mentor_id"]],
            title=o["title"],
            text=f"{o['outcome']} {o['description']}",
            url=offering_url(o["slug"]),
            price=o["price_amount"],
            currency=o["currency"],
            duration_minutes=o["duration_minutes"],
            bookings=chosen["offering"].get(o["id"], 0),
        )
        for o in offerings
        if o["mentor_id"] in mentors
    ]
    found += [
        scoring.Candidate(
            kind="cohort",
            id=c["id"],
            mentor=mentors[c["facilitator_id"]],
            title=c["title"],
            text=f"{c['outcome']} {c['description']}",
            url=cohort_url(c["slug"]),
            price=c["price_amount"],
            currency=c["currency"],
            bookings=chosen["cohort"].get(c["id"], 0),
        )
        for c in cohorts
        if c["facilitator_id"] in mentors
    ]
    found += [
        scoring.Candidate(
            kind="plan",
            id=p["id"],
            mentor=mentors[p["mentor_id"]],
            title=p["name"],
            text=p["description"],
            url=plan_url(p["id"]),
            price=p["price_amount"],
            currency=p["currency"],
            duration_minutes=p["max_session_minutes"],
            bookings=chosen["plan"].get(p["id"], 0),
        )
        for p in plans
        if p["mentor_id"] in mentors
    ]
    profile_words = {
        pk: frozenset(scoring.words(p.headline + " " + " ".join(skills[pk].values())))
        for pk, p in profiles.items()
    }
    by_term: dict[str, set[int]] = defaultdict(set)
    for pk, terms in profile_words.items():
        for term in terms:
            by_term[term].add(pk)
        for slug in skills[pk]:
            by_term["skill:" + slug].add(pk)
    free = None
    if free_slots:
        free = free_slots_for(
            mentors=list(profiles.values()), duration=SLOT_LENGTH, start=now, end=now + WEEK, now=now
        )
    return Catalogue(
        now=now,
        candidates=found,
        profiles=profiles,
        skills=skills,
        free=free,
        vocabulary=skill_vocabulary(),
        rates=exchange_rates(),
        index=ranking.Index.of(found),
        profile_words=profile_words,
        by_reviews=sorted(profiles, key=lambda pk: (-(profiles[pk].rating_count or 0), pk)),
        mentors_by_term=by_term,
    )


def _times_chosen(*, cohorts: list[int]) -> dict[str, dict[int, int]]:
    """How often mentees chose each published item: sessions booked (confirmed or completed),
    places taken in a cohort, subscriptions to a plan. Three grouped queries."""

    def counted(rows, field: str) -> dict[int, int]:
        return dict(rows.values(field).annotate(n=Count("pk")).values_list(field, "n").order_by())

    return {
        "offering": counted(
            Booking.objects.filter(
                offering__is_published=True, state__in=[Booking.State.CONFIRMED, Booking.State.COMPLETED]
            ),
            "offering_id",
        ),
        "cohort": counted(
            Enrollment.objects.filter(cohort_id__in=cohorts, state__in=Enrollment.MEMBER_STATES), "cohort_id"
        ),
        "plan": counted(Subscription.objects.filter(plan__is_published=True), "plan_id"),
    }


def candidates_for(
    *, need: scoring.Need, now: datetime | None = None, catalogue_: Catalogue | None = None
) -> Sequence[scoring.Candidate]:
    """The catalogue's candidates with their mentors' free slots inside this mentee's days and
    hours: from the batch's free slots, or counted from `now` for the AVAILABILITY_SHORTLIST
    mentors most relevant to the need. A view of the catalogue's list: a candidate is copied
    with its mentor's count only when read (the ranking reads those the index finds)."""
    known = catalogue_ or catalogue(now=now)
    free = known.free if known.free is not None else shortlist_free_slots(need, known, now or known.now)
    counts = {
        pk: separate_sessions([m for m in moments if in_hours(m, need)]) for pk, moments in free.items()
    }
    return WithFreeSlots(known.candidates, {pk: n for pk, n in counts.items() if n})


def already_taken(*, user, now: datetime | None = None) -> set[str]:
    """Candidate keys the mentee has in hand: an offering with a session ahead, a cohort they
    have a place in, a plan of a mentor they subscribe to. Not recommended again."""
    now = now or timezone.now()
    taken = {
        f"offering:{pk}"
        for pk in Booking.objects.filter(
            mentee=user, state__in=Booking.ACTIVE_STATES, ends_at__gt=now
        ).values_list("offering_id", flat=True)
    }
    taken |= {
        f"cohort:{pk}"
        for pk in Enrollment.objects.filter(member=user, state__in=Enrollment.OPEN_STATES).values_list(
            "cohort_id", flat=True
        )
    }
    mentors = Subscription.objects.filter(mentee=user, status__in=Subscription.OPEN_STATUSES).values(
        "mentor_id"
    )
    taken |= {f"plan:{pk}" for pk in Plan.objects.filter(mentor_id__in=mentors).values_list("pk", flat=True)}
    return taken


# A recommendation's own columns and what its card shows of the mentor (name, photo, profile
# link), not every column of the mentor's profile and account.
RECOMMENDATION_COLUMNS = (
    *(f.name for f in Recommendation._meta.concrete_fields),
    "mentor__id",
    "mentor__slug",
    "mentor__photo",
    "mentor__user__id",
    "mentor__user__display_name",
    "mentor__user__email",
)


def recommendations_of(*, user, main_only: bool = False) -> list[Recommendation]:
    """The mentee's cached ranking by position; `main_only`: without the labelled groups (for a
    list that shows no labels, as the dashboard's)."""
    found = list(
        Recommendation.objects.filter(user=user)
        .select_related("mentor__user")
        .only(*RECOMMENDATION_COLUMNS)
        .order_by("position")
    )
    if main_only:
        groups = grouped(match_page_of(user=user), found)
        found = next((g.results for g in groups if g.key == "main"), [])
    return found


def with_links(recommendations: list[Recommendation], *, user) -> list[Recommendation]:
    """Each result's one-click link signed for the viewer (`go_url`) and its mentor's profile
    (`mentor_url`), the routes reversed once for the list rather than per card."""
    go, profile = url_maker("matching:go", 987654), url_maker("mentors:profile", "sample-mentor-slug")
    for r in recommendations:
        r.go_url = one_click_url(go(r.position), user=user)
        r.mentor_url = profile(r.mentor.slug)
    return recommendations


def match_page_of(*, user) -> MatchPage | None:
    if not user.is_authenticated:
        return None
    return MatchPage.objects.filter(user=user).first()


@dataclass
class ResultGroup:
    key: str  # "main", "language", "budget" or "closest"
    label: str
    results: list[Recommendation]


def grouped(page: MatchPage | None, recommendations: list[Recommendation]) -> list[ResultGroup]:
    """The results in their groups, each with `converted` (its price in the mentee's currency,
    `converted_currency`, when that differs, else None) and `more` (the mentor's other items,
    each a dict with its own converted `price`). Without a layout (a ranking cached before there
    was one) all are main."""
    for r in recommendations:
        extra = (page.extras.get(str(r.position)) if page else None) or {}
        r.converted = extra.get("price")
        r.converted_currency = page.currency if page else r.currency
        r.more = extra.get("more", [])
    if page is None:
        return [ResultGroup("main", "", recommendations)] if recommendations else []
    by_position = {r.position: r for r in recommendations}
    groups = []
    for group in page.groups:
        results = [by_position[p] for p in group["positions"] if p in by_position]
        if results:
            groups.append(ResultGroup(group["key"], group["label"], results))
    return groups


def training_examples(*, since: datetime, window: timedelta) -> list:
    """Impressions since `since` as learning examples: their signals, and whether the mentee
    booked a session, took a seat or subscribed with that mentor within `window` after."""
    impressions = list(
        Impression.objects.filter(shown_on__gte=since.date()).values_list(
            "user_id", "mentor_id", "shown_on", "signals"
        )
    )
    users = {u for u, *_ in impressions}
    bought: dict[tuple[int, int], list] = defaultdict(list)
    for user_id, mentor_id, at in (
        Booking.objects.filter(mentee_id__in=users, created_at__gte=since)
        .exclude(state__in=[Booking.State.EXPIRED, Booking.State.HELD])
        .values_list("mentee_id", "mentor_id", "created_at")
    ):
        bought[(user_id, mentor_id)].append(at.date())
    for user_id, mentor_id, at in Enrollment.objects.filter(
        member_id__in=users, created_at__gte=since, state__in=Enrollment.MEMBER_STATES
    ).values_list("member_id", "cohort__facilitator_id", "created_at"):
        bought[(user_id, mentor_id)].append(at.date())
    for user_id, mentor_id, at in Subscription.objects.filter(
        mentee_id__in=users,
        created_at__gte=since,
        status__in=Subscription.LIVE_STATUSES + (Subscription.Status.CANCELED,),
    ).values_list("mentee_id", "mentor_id", "created_at"):
        bought[(user_id, mentor_id)].append(at.date())
    days = window.days
    return [
        Example(
            signals=[float(signals.get(name, 0.0)) for name in scoring.SIGNAL_NAMES],
            booked=any(0 <= (d - shown_on).days <= days for d in bought.get((user_id, mentor_id), [])),
            key=str(user_id),  # one mentee's impressions stay on one side of the held-out split
        )
        for user_id, mentor_id, shown_on, signals in impressions
    ]
