from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sessions.slots import Rules, Window

from .models import DateOverride, Language, MentorProfile, Skill, WeeklyRule, rating_sort_key


def approved_mentors() -> QuerySet[MentorProfile]:
    return MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED).select_related("user")


@dataclass
class DirectoryQuery:
    q: str = ""
    skill: str = ""
    min_price: int | None = None  # minor units
    max_price: int | None = None
    duration: int | None = None
    language: str = ""
    available: str = ""
    sort: str = ""


def directory_search(*, query: DirectoryQuery, now: datetime | None = None) -> QuerySet[MentorProfile]:
    """The mentor directory: filters of SPEC §3, one query per page plus its prefetches."""
    from sessions.models import Offering

    now = now or timezone.now()
    offerings = Offering.objects.filter(mentor=OuterRef("pk"), is_published=True)
    # Listed: approved with a published offering (min_published_price is NULL otherwise).
    qs = (
        approved_mentors()
        .filter(min_published_price__isnull=False)
        .annotate(min_price=F("min_published_price"))
        .defer("bio", "review_reason", "upcoming_slots")
    )

    if query.q:
        term = query.q
        skill_match = Exists(Skill.objects.filter(mentors=OuterRef("pk"), name__icontains=term))
        # Matching is a plain OR (the database may stop at the first test that holds), so the
        # count never computes the score; only the ordering of the matches does.
        qs = qs.alias(
            relevance=Case(When(headline__icontains=term, then=Value(4)), default=Value(0))
            + Case(When(skill_match, then=Value(3)), default=Value(0))
            + Case(When(user__display_name__icontains=term, then=Value(2)), default=Value(0))
            + Case(When(bio__icontains=term, then=Value(1)), default=Value(0))
        ).filter(
            Q(headline__icontains=term)
            | Q(user__display_name__icontains=term)
            | skill_match
            | Q(bio__icontains=term)
        )
    if query.skill:
        qs = qs.filter(Exists(Skill.objects.filter(mentors=OuterRef("pk"), slug=query.skill)))
    if query.language:
        qs = qs.filter(Exists(Language.objects.filter(mentors=OuterRef("pk"), code=query.language)))
    price_or_duration = Q()
    if query.min_price is not None:
        price_or_duration &= Q(price_amount__gte=query.min_price)
    if query.max_price is not None:
        price_or_duration &= Q(price_amount__lte=query.max_price)
    if query.duration:
        price_or_duration &= Q(duration_minutes=query.duration)
    if price_or_duration:
        qs = qs.filter(Exists(offerings.filter(price_or_duration)))
    if query.available == "week":
        qs = qs.filter(next_free_slot_at__gte=now, next_free_slot_at__lt=now + timedelta(days=7))

    rating_first = rating_sort_key().desc()
    if query.sort == "price":
        order = [F("min_price").asc(nulls_last=True), rating_first]
    elif query.sort == "rating":
        order = [rating_first, "-rating_count"]
    elif query.sort == "soonest":
        order = [F("next_free_slot_at").asc(nulls_last=True), rating_first]
    elif query.q:
        order = ["-relevance", rating_first]
    else:
        order = [rating_first, "-rating_count"]
    # The cards show skills only; languages are a filter, not something a card lists.
    return qs.order_by(*order, "pk").prefetch_related("skills")


VOCABULARY_CACHE_KEY = "mentors:directory-vocabulary:v1"
VOCABULARY_CACHE_SECONDS = 10 * 60  # also bounds a refill racing an invalidation


def directory_vocabulary() -> tuple[list[dict], list[dict]]:
    """The directory's skill and language menus: those of approved mentors.

    Two joins over every approved mentor's tags that change only when a mentor is reviewed
    or re-tagged, so they are cached; `directory_vocabulary_changed` drops the cache then.
    Skills are `{"slug", "name"}`, languages `{"code", "name"}`, both sorted by name.
    """
    vocabulary = cache.get(VOCABULARY_CACHE_KEY)
    if vocabulary is None:
        approved = MentorProfile.Status.APPROVED
        vocabulary = (
            list(Skill.objects.filter(mentors__status=approved).distinct().values("slug", "name")),
            list(Language.objects.filter(mentors__status=approved).distinct().values("code", "name")),
        )
        cache.set(VOCABULARY_CACHE_KEY, vocabulary, VOCABULARY_CACHE_SECONDS)
    return vocabulary


def directory_vocabulary_changed() -> None:
    """Forget the cached menus once the current transaction commits."""
    transaction.on_commit(lambda: cache.delete(VOCABULARY_CACHE_KEY))


def mentor_profile(*, slug: str) -> MentorProfile:
    return approved_mentors().prefetch_related("skills", "languages").get(slug=slug)


def upcoming_slots(mentor: MentorProfile, *, now: datetime | None = None, limit: int = 6) -> list[datetime]:
    """The stored preview of free start times, minus those already past."""
    now = now or timezone.now()
    moments = (parse_datetime(s) for s in mentor.upcoming_slots)
    return [m for m in moments if m and m > now][:limit]


def slot_rules(mentor: MentorProfile) -> Rules:
    """The mentor's availability as the slot engine's input, in one query."""
    return slot_rules_for([mentor])[mentor.pk]


def slot_rules_for(mentors: list[MentorProfile]) -> dict[int, Rules]:
    """Several mentors' availability (matching ranks many at once), in one query."""
    ids = [m.pk for m in mentors]
    weekly = (
        WeeklyRule.objects.filter(mentor_id__in=ids)
        .order_by()
        .annotate(kind=Value("weekly"), day=Value(None, output_field=DateField()))
        .values_list("mentor_id", "kind", "weekday", "day", "start_time", "end_time")
    )
    overrides = (
        DateOverride.objects.filter(mentor_id__in=ids)
        .order_by()
        .annotate(wd=Value(None, output_field=IntegerField()))
        .values_list("mentor_id", "kind", "wd", "date", "start_time", "end_time")
    )
    by_weekday: dict[int, dict[int, list[Window]]] = {pk: {} for pk in ids}
    extra: dict[int, dict] = {pk: {} for pk in ids}
    days_off: dict[int, set] = {pk: set() for pk in ids}
    for mentor_id, kind, weekday, day, start, end in weekly.union(overrides, all=True):
        if kind == "weekly":
            by_weekday[mentor_id].setdefault(weekday, []).append(Window(start, end))
        elif kind == DateOverride.Kind.EXTRA:
            extra[mentor_id].setdefault(day, []).append(Window(start, end))
        else:
            days_off[mentor_id].add(day)
    return {
        mentor.pk: Rules(
            zone=mentor.zone,
            weekly={k: tuple(v) for k, v in by_weekday[mentor.pk].items()},
            extra={k: tuple(v) for k, v in extra[mentor.pk].items()},
            days_off=frozenset(days_off[mentor.pk]),
            buffer_before=timedelta(minutes=mentor.buffer_before),
            buffer_after=timedelta(minutes=mentor.buffer_after),
            minimum_notice=timedelta(minutes=mentor.minimum_notice),
            horizon=timedelta(days=mentor.horizon_days),
            max_per_day=mentor.max_sessions_per_day,
        )
        for mentor in mentors
    }


def own_mentor_profile(*, user) -> MentorProfile:
    """The signed-in user's mentor profile, for the pages only mentors have; 404 for anyone else."""
    mentor = (
        MentorProfile.objects.filter(user=user).select_related("user").first()
        if user.is_authenticated
        else None
    )
    if mentor is None:
        raise Http404("Only mentors have this page.")
    return mentor
