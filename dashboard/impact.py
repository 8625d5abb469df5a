"""A mentor's Impact page (/mentor/impact/): their own figures beside the platform's, with how
sure each one is, and how they went over the last six months.

The figures mirror the staff insight page's definitions (dashboard/insights.py), per mentor:
repeat-booking rate, action items done, ladder-up rate, cohort completion, and median reply time.
Every share gets its 95 % Wilson interval from core.stats; the median reply time gets the
distribution-free interval of a median from order statistics (binomial, no bootstrap).

Privacy: only counts and rates of the mentor's own mentees, never a row about one person, and a
figure (or a month) that rests on fewer than MIN_PEOPLE people is withheld.

Cost: every figure is a GROUP BY over the mentor's own rows (the figure, and once more by month)
and, for the platform median of mentors' figures, one GROUP BY mentor over everyone's — the same
on every mentor's page, so cached for a few minutes — so the page's query count does not depend
on how much data there is. Months are calendar months in
UTC; the window is the current month and the five before it.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Enrollment
from core.stats import Share, wilson
from mentors.models import MentorProfile
from qa.models import Message
from sessions.models import Booking

UTC = dt.UTC
MONTHS = 6
MIN_PEOPLE = 5
MAX_MESSAGES = 5000  # the newest messages read for one mentor's reply times
MAX_WEEKS = 26  # Cohort.weeks' upper bound (its validators)
CACHE_SECONDS = 5 * 60  # the platform medians, the same on every mentor's page


def window_months(now: dt.datetime) -> list[dt.date]:
    """The first days of the last MONTHS calendar months (UTC), oldest first, this month last."""
    first = now.astimezone(UTC).date().replace(day=1)
    months = [first]
    for _i in range(MONTHS - 1):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[::-1]


def _start(months: list[dt.date]) -> dt.datetime:
    return dt.datetime.combine(months[0], dt.time(), tzinfo=UTC)


def _month_of(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.astimezone(UTC).date()
    return value.replace(day=1)


@dataclass(frozen=True)
class Point:
    """One figure for one mentor (or one month): its counts, and its share or median when it
    rests on enough people."""

    people: int
    part: int = 0
    whole: int = 0
    share: Share | None = None
    median: float | None = None  # minutes (reply time)
    low: float | None = None
    high: float | None = None
    coverage: float | None = None  # the median interval's exact coverage

    @property
    def shown(self) -> bool:
        return self.people >= MIN_PEOPLE and (self.share is not None or self.median is not None)


@dataclass
class Figure:
    key: str
    title: str | Promise
    definition: str | Promise
    unit: str  # "%" for shares, "min" for the reply time
    overall: Point
    platform: float | None  # the median of mentors' figures (mentors with enough people)
    platform_mentors: int
    months: list[tuple[dt.date, Point]] = field(default_factory=list)


def share_point(part: int, whole: int, people: int) -> Point:
    return Point(
        people=people, part=part, whole=whole, share=wilson(part, whole) if people >= MIN_PEOPLE else None
    )


def _platform(rows: dict[int, Point]) -> tuple[float | None, int]:
    """The median of the shown mentors' rates, and how many mentors it rests on."""
    rates = [p.share.rate for p in rows.values() if p.shown and p.share]
    return (statistics.median(rates) if rates else None), len(rates)


def _own_and_platform(
    key: str, months: list[dt.date], per_mentor: Callable, queryset, mentor_field: str, mentor_id: int
) -> tuple[Point, float | None, int]:
    """The mentor's own figure (their rows only) and the platform median (every mentor's rows, one
    GROUP BY, the same for every mentor's page: cached for a few minutes)."""
    own = per_mentor(queryset.filter(**{mentor_field: mentor_id})).get(mentor_id, Point(people=0))
    platform = cache.get_or_set(
        f"impact:v1:{key}:{months[0]:%Y-%m}:{timezone.now():%Y-%m-%d}",
        lambda: _platform(per_mentor(queryset)),
        CACHE_SECONDS,
    )
    return own, *platform


def median_interval(values: list[float]) -> tuple[float, float, float, float]:
    """The median of `values` and its distribution-free 95 % interval from order statistics.

    With n values sorted, the interval [x(l), x(n+1-l)] covers the true median with probability
    1 − 2·P(B ≤ l−1), B ~ Binomial(n, ½), whatever the distribution. l is the largest rank that
    keeps the coverage at 95 % or more; below n = 6 no rank does, and the interval is the whole
    range (its coverage, 1 − 2·½ⁿ, is returned so the page can say so). Returns
    (median, low, high, coverage)."""
    ordered = sorted(values)
    n = len(ordered)
    cdf = []  # cdf[k] = P(B <= k)
    running = 0.0
    for k in range(n + 1):
        running += math.comb(n, k) / 2**n
        cdf.append(running)
    rank = 1
    for candidate in range(1, n // 2 + 1):
        if 1 - 2 * cdf[candidate - 1] >= 0.95:
            rank = candidate
    coverage = 1 - 2 * cdf[rank - 1]
    return statistics.median(ordered), ordered[rank - 1], ordered[n - rank], coverage


# --- the shares --------------------------------------------------------------------------------


def _completed_since(start: dt.datetime):
    return Booking.objects.filter(state=Booking.State.COMPLETED, starts_at__gte=start)


def _by_mentor(queryset, part: Q) -> dict[int, Point]:
    """One GROUP BY mentor: whole = rows, part = rows matching `part`, people = distinct mentees."""
    rows = (
        queryset.order_by()
        .values("mentor_id")
        .annotate(whole=Count("pk"), part=Count("pk", filter=part), people=Count("mentee", distinct=True))
    )
    return {r["mentor_id"]: share_point(r["part"], r["whole"], r["people"]) for r in rows}


def _by_month(queryset, part: Q, months: list[dt.date]) -> list[tuple[dt.date, Point]]:
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth("starts_at", tzinfo=UTC))
        .values("month")
        .annotate(whole=Count("pk"), part=Count("pk", filter=part), people=Count("mentee", distinct=True))
    )
    found = {_month_of(r["month"]): share_point(r["part"], r["whole"], r["people"]) for r in rows}
    return [(m, found.get(m, Point(people=0))) for m in months]


def _repeat(queryset, by: str) -> list[dict]:
    """Repeat bookings per mentor (or per month): of the distinct mentees with a completed session
    with the mentor, those with another completed session with the same mentor at any time."""
    other = Booking.objects.filter(
        state=Booking.State.COMPLETED, mentee=OuterRef("mentee"), mentor=OuterRef("mentor")
    ).exclude(pk=OuterRef("pk"))
    annotated = queryset.order_by().annotate(has_other=Exists(other))
    if by == "month":
        annotated = annotated.annotate(month=TruncMonth("starts_at", tzinfo=UTC))
    return list(
        annotated.values(by).annotate(
            people=Count("mentee", distinct=True),
            part=Count("mentee", distinct=True, filter=Q(has_other=True)),
        )
    )


def repeat_booking(mentor_id: int, months: list[dt.date]) -> Figure:
    completed = _completed_since(_start(months))

    def per_mentor(queryset) -> dict[int, Point]:
        return {
            r["mentor_id"]: share_point(r["part"], r["people"], r["people"])
            for r in _repeat(queryset, "mentor_id")
        }

    overall, platform, count = _own_and_platform(
        "repeat-booking", months, per_mentor, completed, "mentor_id", mentor_id
    )
    own = {
        _month_of(r["month"]): share_point(r["part"], r["people"], r["people"])
        for r in _repeat(completed.filter(mentor_id=mentor_id), "month")
    }
    return Figure(
        "repeat-booking",
        _("Repeat-booking rate"),
        _("Of your mentees with a completed session, the share who had another completed session with you."),
        "%",
        overall,
        platform,
        count,
        [(m, own.get(m, Point(people=0))) for m in months],
    )


def _share_of_sessions(
    key: str, title, definition, rows, part: Q, mentor_id: int, months: list[dt.date]
) -> Figure:
    """A figure that is the share of the mentor's `rows` (sessions) meeting `part`, beside the
    platform's median mentor."""
    overall, platform, count = _own_and_platform(
        key, months, lambda qs: _by_mentor(qs, part), rows, "mentor_id", mentor_id
    )
    own_months = _by_month(rows.filter(mentor_id=mentor_id), part, months)
    return Figure(key, title, definition, "%", overall, platform, count, own_months)


def action_items(mentor_id: int, months: list[dt.date]) -> Figure:
    # Counted through the sessions (one action item each), which carry mentor, mentee and start.
    return _share_of_sessions(
        "action-items",
        _("Action items done"),
        _("Of the action items agreed in your sessions, the share your mentees marked done."),
        Booking.objects.filter(starts_at__gte=_start(months), action_item__isnull=False),
        Q(action_item__done_at__isnull=False),
        mentor_id,
        months,
    )


def ladder_up(mentor_id: int, months: list[dt.date]) -> Figure:
    return _share_of_sessions(
        "ladder-up",
        _("Ladder-up rate"),
        _(
            "Of your completed sessions rated 4 or 5 stars, the share after which the mentee "
            "joined your cohort or plan."
        ),
        _completed_since(_start(months)).filter(review__rating__gte=4),
        Q(upgrade_offer__redeemed_at__isnull=False),
        mentor_id,
        months,
    )


def _ended_between(first: dt.date, last: dt.date) -> Q:
    """Cohorts (published or finished) whose end date (start + weeks) falls in [first, last]:
    one condition per possible length, so the date arithmetic is the same on every database."""
    q = Q()
    for weeks in range(1, MAX_WEEKS + 1):
        length = dt.timedelta(weeks=weeks)
        q |= Q(weeks=weeks, start_date__gte=first - length, start_date__lte=last - length)
    return q & Q(status__in=[Cohort.Status.PUBLISHED, Cohort.Status.FINISHED])


JOINED = Q(state__in=[*Enrollment.MEMBER_STATES, Enrollment.State.LEFT], joined_at__isnull=False)


def cohort_completion(mentor_id: int, months: list[dt.date], today: dt.date) -> Figure:
    """Of the people who joined the mentor's cohorts that ended in the window (by the cohort's
    end date; ended = start date + weeks on or before today, UTC), those who completed."""
    ended = Enrollment.objects.filter(JOINED).filter(
        cohort__in=Cohort.objects.filter(_ended_between(months[0], today))
    )
    completed = Q(state=Enrollment.State.COMPLETED)

    def per_mentor(queryset) -> dict[int, Point]:
        rows = (
            queryset.order_by()
            .values("cohort__facilitator_id")
            .annotate(
                whole=Count("pk"), part=Count("pk", filter=completed), people=Count("member", distinct=True)
            )
        )
        return {r["cohort__facilitator_id"]: share_point(r["part"], r["whole"], r["people"]) for r in rows}

    overall, platform, count = _own_and_platform(
        "cohort-completion", months, per_mentor, ended, "cohort__facilitator_id", mentor_id
    )
    # Grouped by the cohorts' start and length (a handful of rows), put in their end month here.
    by_cohort = (
        ended.filter(cohort__facilitator_id=mentor_id)
        .order_by()
        .values("cohort__start_date", "cohort__weeks")
        .annotate(
            whole=Count("pk"), part=Count("pk", filter=completed), people=Count("member", distinct=True)
        )
    )
    sums: dict[dt.date, list[int]] = {}
    for r in by_cohort:
        month = _month_of(r["cohort__start_date"] + dt.timedelta(weeks=r["cohort__weeks"]))
        total = sums.setdefault(month, [0, 0, 0])
        total[0] += r["part"]
        total[1] += r["whole"]
        total[2] += r["people"]  # a person in two cohorts ending the same month counts twice here
    return Figure(
        "cohort-completion",
        _("Cohort completion"),
        _("Of the members of your cohorts that have ended, the share who completed."),
        "%",
        overall,
        platform,
        count,
        [(m, share_point(*sums[m]) if m in sums else Point(people=0)) for m in months],
    )


# --- the reply time ----------------------------------------------------------------------------


def _median_point(gaps: list[tuple[int, float]]) -> Point:
    people = len({mentee for mentee, _gap in gaps})
    if people < MIN_PEOPLE:
        return Point(people=people, whole=len(gaps))
    median, low, high, coverage = median_interval([gap for _mentee, gap in gaps])
    return Point(people=people, whole=len(gaps), median=median, low=low, high=high, coverage=coverage)


def reply_time(mentor_id: int, months: list[dt.date]) -> Figure:
    """Minutes from a mentee's message to the mentor's next message in the same thread (a run of
    mentee messages counts once, from its first), as qa.services.mentor_refresh_response_time
    measures it, over the window (the newest MAX_MESSAGES messages at most), by the month of the
    mentee's message. The platform figure is the median of approved mentors' stored medians."""
    rows = list(
        Message.objects.filter(thread__mentor_id=mentor_id, created_at__gte=_start(months))
        .order_by("-created_at", "-pk")
        .values_list("thread_id", "author_id", "thread__mentee_id", "created_at")[:MAX_MESSAGES]
    )
    waiting: dict[int, tuple[int, dt.datetime]] = {}
    gaps: dict[dt.date, list[tuple[int, float]]] = {}
    for thread_id, author_id, mentee_id, created_at in reversed(rows):
        if author_id == mentee_id:
            waiting.setdefault(thread_id, (mentee_id, created_at))
        elif thread_id in waiting:
            mentee, asked = waiting.pop(thread_id)
            gap = (created_at - asked).total_seconds() / 60
            gaps.setdefault(_month_of(asked), []).append((mentee, gap))
    stored = cache.get_or_set(
        "impact:v1:reply-time",
        lambda: list(
            MentorProfile.objects.filter(
                status=MentorProfile.Status.APPROVED, median_response_minutes__isnull=False
            ).values_list("median_response_minutes", flat=True)
        ),
        CACHE_SECONDS,
    )
    return Figure(
        "reply-time",
        _("Median reply time"),
        _("How long your mentees waited for your reply to their message, in the middle case."),
        "min",
        _median_point([g for month in gaps.values() for g in month]),
        statistics.median(stored) if stored else None,
        len(stored),
        [(m, _median_point(gaps.get(m, []))) for m in months],
    )


def impact_figures(mentor_id: int, now: dt.datetime | None = None) -> list[Figure]:
    """Everything the Impact page shows, for one mentor."""
    now = now or timezone.now()
    months = window_months(now)
    today = now.astimezone(UTC).date()
    return [
        repeat_booking(mentor_id, months),
        action_items(mentor_id, months),
        ladder_up(mentor_id, months),
        cohort_completion(mentor_id, months, today),
        reply_time(mentor_id, months),
    ]
