from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    DateField,
    IntegerField,
    QuerySet,
    Value,
)
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core import pagecache

from .models import DateOverride, Language, MentorProfile, Skill, WeeklyRule
from .slots import Rules, Window


def approved_mentors() -> QuerySet[MentorProfile]:
    return MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED).select_related("user")


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
    """Forget the cached menus once the current transaction commits (and the pages showing them)."""
    transaction.on_commit(lambda: cache.delete(VOCABULARY_CACHE_KEY))
    pagecache.changed(pagecache.LISTS)


def upcoming_slots(mentor: MentorProfile, *, now: datetime | None = None, limit: int = 6) -> list[datetime]:
    """The stored preview of free start times, minus those the booking would now refuse (inside
    the mentor's minimum notice: the preview is refreshed every few minutes, not every minute)."""
    earliest = (now or timezone.now()) + mentor.notice
    moments = (parse_datetime(s) for s in mentor.upcoming_slots)
    return [m for m in moments if m and m >= earliest][:limit]


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
