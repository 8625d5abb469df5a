"""Reads for cohort pages, with what each page needs prefetched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from billing.models import Payment
from core.db import epoch_span

from .models import Attendance, Cohort, CohortEvent, CohortMessage, Enrollment, Module, PeerReview, Submission

State = Enrollment.State


def _live_seats(now: datetime) -> Q:
    return (
        Q(enrollments__state__in=[State.ACTIVE, State.COMPLETED])
        | Q(enrollments__state=State.HELD, enrollments__hold_expires_at__gt=now)
        | Q(enrollments__state=State.OFFERED, enrollments__offer_expires_at__gt=now)
    )


def with_seats(queryset: QuerySet[Cohort], now: datetime | None = None) -> QuerySet[Cohort]:
    """Annotate `seats_taken` and `waitlist_count` in the same query."""
    now = now or timezone.now()
    return queryset.annotate(
        seats_taken=Count("enrollments", filter=_live_seats(now), distinct=True),
        waitlist_count=Count("enrollments", filter=Q(enrollments__state=State.WAITLISTED), distinct=True),
    )


def member_discount_percent(*, facilitator_id: int, user) -> int:
    """The best member discount on 1:1 sessions with this facilitator, from the cohorts the user
    is a member or alumnus of; 0 for everyone else."""
    if not getattr(user, "is_authenticated", False):
        return 0
    best = Enrollment.objects.filter(
        member=user, state__in=Enrollment.MEMBER_STATES, cohort__facilitator_id=facilitator_id
    ).aggregate(best=Max("cohort__member_discount_percent"))["best"]
    return best or 0


def session_discount_percent(*, offering, mentee) -> int:
    """The member discount on a 1:1 offering (sessions.hooks.discount_percent)."""
    return member_discount_percent(facilitator_id=offering.mentor_id, user=mentee)


def facilitators_busy(*, mentor_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """The live events of the cohorts these mentors facilitate overlapping [start, end), as
    (mentor id, start, end) in epoch seconds: busy time for their 1:1 slots
    (sessions.hooks.busy_elsewhere)."""
    return (
        CohortEvent.objects.filter(
            cohort__facilitator_id__in=mentor_ids, is_cancelled=False, ends_at__gt=start, starts_at__lt=end
        )
        .exclude(cohort__status=Cohort.Status.CANCELLED)
        .values_list("cohort__facilitator_id", *epoch_span("starts_at", "ends_at"))
    )


def listed_cohorts(*, now: datetime | None = None) -> QuerySet[Cohort]:
    """What /cohorts/ lists: published cohorts that have not ended, soonest first."""
    now = now or timezone.now()
    return (
        with_seats(Cohort.objects.filter(status=Cohort.Status.PUBLISHED, start_date__gte=(now.date())), now)
        .select_related("facilitator__user")
        .prefetch_related("skills")
        .order_by("start_date", "pk")
    )


def open_cohorts_of(*, mentor_id: int, now: datetime | None = None) -> QuerySet[Cohort]:
    """A mentor's cohorts open for enrolment (listed and not started), for their profile."""
    return listed_cohorts(now=now).filter(facilitator_id=mentor_id).prefetch_related(None)


def visible_cohort(*, slug: str, user) -> Cohort:
    """A published, running, finished or cancelled cohort for anyone; a draft for its facilitator,
    and for its members (a cohort taken back to draft while its facilitator is suspended)."""
    cohort = (
        with_seats(Cohort.objects.filter(slug=slug))
        .select_related("facilitator__user")
        .prefetch_related("skills")
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    if cohort.status == Cohort.Status.DRAFT and not (
        user.is_authenticated
        and (
            user.is_staff
            or cohort.facilitator.user_id == user.pk
            or member_enrollment(cohort=cohort, user=user) is not None
        )
    ):
        raise Http404("No such cohort.")
    return cohort


def enrollment_of(*, cohort: Cohort, user) -> Enrollment | None:
    """The user's current place in the cohort (member, held, waitlisted, offered), if any."""
    if not user.is_authenticated:
        return None
    return (
        Enrollment.objects.filter(cohort=cohort, member=user, state__in=Enrollment.OPEN_STATES)
        .order_by("-created_at")
        .first()
    )


def member_enrollment(*, cohort: Cohort, user) -> Enrollment | None:
    """The viewer's membership (active or alumni); None for everyone else."""
    enrollment = enrollment_of(cohort=cohort, user=user)
    return enrollment if enrollment and enrollment.is_member else None


def can_see_member_content(*, cohort: Cohort, user) -> bool:
    """Members, the facilitator and staff; everyone else (other cohorts' members too) gets 404."""
    if not user.is_authenticated:
        return False
    if user.is_staff or cohort.facilitator.user_id == user.pk:
        return True
    return member_enrollment(cohort=cohort, user=user) is not None


def events_of(cohort: Cohort, *, include_cancelled: bool = False) -> QuerySet[CohortEvent]:
    events = CohortEvent.objects.filter(cohort=cohort)
    return events if include_cancelled else events.filter(is_cancelled=False)


def released_modules(cohort: Cohort, *, now: datetime | None = None) -> QuerySet[Module]:
    return Module.objects.filter(cohort=cohort, release_at__lte=now or timezone.now())


@dataclass
class Alumni:
    count: int
    outcomes: list[str]  # in their own words, without names


def alumni_outcomes(cohort: Cohort, *, limit: int = 20) -> Alumni:
    """How many completed, and what they achieved when the facilitator shows it (anonymised)."""
    completed = Enrollment.objects.filter(cohort=cohort, state=State.COMPLETED)
    outcomes = []
    if cohort.outcomes_public:
        outcomes = list(completed.exclude(outcome_note="").values_list("outcome_note", flat=True)[:limit])
    return Alumni(count=completed.count(), outcomes=outcomes)


def members_of(cohort: Cohort) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(cohort=cohort, state__in=Enrollment.MEMBER_STATES)
        .select_related("member")
        .order_by("joined_at", "created_at")
    )


def waitlist_place(enrollment: Enrollment) -> int:
    """Where a waitlisted enrollment stands in line (1 is next), in the order seats are offered."""
    ahead = Q(waitlisted_at__lt=enrollment.waitlisted_at) | Q(
        waitlisted_at=enrollment.waitlisted_at, created_at__lt=enrollment.created_at
    )
    return waitlist_of(enrollment.cohort).filter(ahead).exclude(pk=enrollment.pk).count() + 1


def waitlist_of(cohort: Cohort) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(cohort=cohort, state__in=[State.WAITLISTED, State.OFFERED])
        .select_related("member")
        .order_by("waitlisted_at", "created_at")
    )


def reviews_to_write(*, enrollment: Enrollment) -> QuerySet[PeerReview]:
    return (
        PeerReview.objects.filter(reviewer=enrollment)
        .select_related("submission__module", "submission__enrollment__member")
        .order_by("submitted_at", "assigned_at")
    )


def feedback_received(*, enrollment: Enrollment) -> QuerySet[PeerReview]:
    """Finished reviews of the member's own work; reviewers stay anonymous to the author."""
    return (
        PeerReview.objects.filter(submission__enrollment=enrollment, submitted_at__isnull=False)
        .select_related("submission__module")
        .order_by("submission__module__week", "submitted_at")
    )


def submissions_by_module(*, enrollment: Enrollment) -> dict[int, Submission]:
    return {s.module_id: s for s in Submission.objects.filter(enrollment=enrollment)}


# --- facilitator pages


def facilitated_cohorts(*, mentor) -> list[Cohort]:
    """The mentor's cohorts, newest start first, each with `seats_taken`."""
    return list(with_seats(Cohort.objects.filter(facilitator=mentor)).order_by("-start_date", "-pk"))


def facilitated_cohort(*, mentor, slug: str) -> Cohort:
    """One of the mentor's own cohorts; anyone else's is a 404, whoever asks."""
    cohort = (
        with_seats(Cohort.objects.filter(facilitator=mentor, slug=slug))
        .select_related("facilitator__user")
        .prefetch_related("skills")
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def modules_with_progress(cohort: Cohort) -> QuerySet[Module]:
    """Modules with `submission_count`, `reviews_assigned` and `reviews_done` (one query)."""
    members = Q(submissions__enrollment__state__in=Enrollment.MEMBER_STATES)
    return Module.objects.filter(cohort=cohort).annotate(
        submission_count=Count("submissions", filter=members, distinct=True),
        reviews_assigned=Count("submissions__peer_reviews", distinct=True),
        reviews_done=Count(
            "submissions__peer_reviews",
            filter=Q(submissions__peer_reviews__submitted_at__isnull=False),
            distinct=True,
        ),
    )


@dataclass
class AttendanceCell:
    event: CohortEvent
    enrollment: Enrollment
    present: bool | None  # None: not marked yet


@dataclass
class RosterRow:
    enrollment: Enrollment
    payment: object | None  # billing.models.Payment; none for a free seat
    cells: list[AttendanceCell]
    submitted: list[tuple[Module, bool]]


@dataclass
class Roster:
    events: list[CohortEvent]
    modules: list[Module]
    rows: list[RosterRow]


def facilitator_roster(cohort: Cohort) -> Roster:
    """Members × events attendance and members × assignments, in a fixed number of queries."""
    members = list(members_of(cohort))
    ids = [m.pk for m in members]
    events = list(events_of(cohort))
    modules = list(Module.objects.filter(cohort=cohort).exclude(assignment=""))
    marks = Attendance.objects.filter(event__cohort=cohort, enrollment_id__in=ids)
    present = {(a, e): p for a, e, p in marks.values_list("enrollment_id", "event_id", "present")}
    submitted = set(
        Submission.objects.filter(module__cohort=cohort, enrollment_id__in=ids).values_list(
            "enrollment_id", "module_id"
        )
    )
    payments = {p.enrollment_id: p for p in Payment.objects.filter(enrollment_id__in=ids)}
    rows = [
        RosterRow(
            enrollment=member,
            payment=payments.get(member.pk),
            cells=[AttendanceCell(event, member, present.get((member.pk, event.pk))) for event in events],
            submitted=[(module, (member.pk, module.pk) in submitted) for module in modules],
        )
        for member in members
    ]
    return Roster(events=events, modules=modules, rows=rows)


def attendance_cell(*, event: CohortEvent, enrollment: Enrollment) -> AttendanceCell:
    mark = (
        Attendance.objects.filter(event=event, enrollment=enrollment)
        .values_list("present", flat=True)
        .first()
    )
    return AttendanceCell(event, enrollment, mark)


def cohort_messages(cohort: Cohort, *, limit: int = 10) -> QuerySet[CohortMessage]:
    """The facilitator's latest messages to all members, newest first."""
    return CohortMessage.objects.filter(cohort=cohort).order_by("-sent_at")[:limit]
