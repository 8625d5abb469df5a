"""The facilitator's programme: the cohort itself, its weekly modules, its live events and who
attended, messages to the members, marking members complete, finishing the cohort, and each
person's calendar feed."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from billing import ladder
from billing.services.connect import mentor_payouts_ready
from core import pagecache
from mentors.models import MentorProfile, Skill
from sessions.models import Booking
from sessions.previews import mentor_refresh_free_slots_later
from sessions.selectors import active_bookings

from .. import hooks, tasks
from ..models import (
    Attendance,
    CalendarFeed,
    Cohort,
    CohortEvent,
    CohortMessage,
    Enrollment,
    Module,
    new_feed_token,
)
from .base import CohortError, State, locked_cohort, require_facilitator, seats_taken

if TYPE_CHECKING:
    from accounts.models import User

MAX_SERIES_WEEKS = 26

COHORT_FIELDS = (
    "title",
    "outcome",
    "description",
    "start_date",
    "weeks",
    "timezone",
    "seats_min",
    "seats_max",
    "price_amount",
    "currency",
    "enrollment_deadline",
    "member_discount_percent",
    "norms",
    "outcomes_public",
)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:80] or "cohort"
    slug = base
    while Cohort.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def cohort_save(
    *,
    facilitator: MentorProfile,
    cohort: Cohort | None = None,
    skills: Iterable[Skill] | None = None,
    **fields: Any,
) -> Cohort:
    """Create or edit a cohort. Seats already sold bound the maximum; the price of a seat
    already taken never changes (it was copied to the enrolment)."""
    if not facilitator.is_approved:
        raise CohortError(_("Only approved mentors can run cohorts."))
    unknown = set(fields) - set(COHORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown cohort fields: {sorted(unknown)}")
    with transaction.atomic():
        if cohort is None:
            cohort = Cohort(facilitator=facilitator, slug=_unique_slug(fields.get("title", "")))
        else:
            cohort = locked_cohort(cohort.pk)
            if cohort.facilitator_id != facilitator.pk:
                raise CohortError(_("Only the facilitator can edit this cohort."))
            if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
                raise CohortError(_("A cancelled or finished cohort cannot be edited."))
        for name, value in fields.items():
            setattr(cohort, name, value)
        if cohort.seats_min > cohort.seats_max:
            raise CohortError(_("The minimum cannot be more than the maximum."), field="seats_min")
        if cohort.enrollment_deadline and cohort.enrollment_deadline > cohort.starts_at:
            raise CohortError(_("Enrollment must close by the start date."), field="enrollment_deadline")
        if cohort.pk:
            taken = seats_taken(cohort)
            if cohort.seats_max < taken:
                raise CohortError(f"{taken} seats are already taken.", field="seats_max")
        cohort.save()
        if skills is not None:
            cohort.skills.set(skills)
    return cohort


def cohort_publish(*, cohort: Cohort, by: User) -> Cohort:
    """Open enrolment: the cohort needs a programme and its deadline still ahead."""
    with transaction.atomic():
        cohort = locked_cohort(cohort.pk)
        require_facilitator(by, cohort)
        if cohort.status != Cohort.Status.DRAFT:
            raise CohortError(_("Only a draft can be published."))
        if not cohort.facilitator.is_approved:  # a suspended mentor's cohorts come back on reinstatement
            raise CohortError(_("Only approved mentors can run cohorts."))
        if not cohort.modules.exists():
            raise CohortError(_("Add at least one weekly module before publishing."))
        if cohort.enrollment_deadline <= timezone.now():
            raise CohortError(_("The enrollment deadline has passed; move it before publishing."))
        if cohort.price_amount and not mentor_payouts_ready(mentor=cohort.facilitator):
            raise CohortError(_("Connect your payouts account before selling seats."))
        cohort.status = Cohort.Status.PUBLISHED
        cohort.published_at = timezone.now()
        cohort.save(update_fields=["status", "published_at"])
    return cohort


def module_save(*, cohort: Cohort, by: User, module: Module | None = None, **fields: Any) -> Module:
    require_facilitator(by, cohort)
    if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
        raise CohortError(_("A cancelled or finished cohort cannot be changed."))
    with transaction.atomic():
        module = module or Module(cohort=cohort)
        for name, value in fields.items():
            setattr(module, name, value)
        if Module.objects.filter(cohort=cohort, week=module.week).exclude(pk=module.pk).exists():
            raise CohortError(_("Week %(week)d already has a module.") % {"week": module.week}, field="week")
        if module.assignment_due_at and module.assignment_due_at <= module.release_at:
            raise CohortError(
                _("The assignment must be due after the module is released."), field="assignment_due_at"
            )
        module.save()
        _reschedule_members(cohort)
    return module


def module_delete(*, module: Module, by: User) -> None:
    require_facilitator(by, module.cohort)
    with transaction.atomic():
        if module.submissions.exists():
            raise CohortError(_("Members have submitted work for this module; it cannot be deleted."))
        module.delete()


def _overlapping_bookings(*, mentor_id: int, spans: list[tuple[datetime, datetime]]) -> QuerySet[Booking]:
    query = Q()
    for start, end in spans:
        query |= Q(starts_at__lt=end, ends_at__gt=start)
    return active_bookings(mentor_id=mentor_id, now=timezone.now()).filter(query)


def _overlapping_events(
    *, mentor_id: int, spans: list[tuple[datetime, datetime]], exclude_id: int | None = None
) -> QuerySet[CohortEvent]:
    query = Q()
    for start, end in spans:
        query |= Q(starts_at__lt=end, ends_at__gt=start)
    return (
        CohortEvent.objects.filter(cohort__facilitator_id=mentor_id, is_cancelled=False)
        .exclude(cohort__status=Cohort.Status.CANCELLED)
        .exclude(pk=exclude_id)
        .filter(query)
    )


def _check_time_is_free(
    *, cohort: Cohort, spans: list[tuple[datetime, datetime]], exclude_id: int | None = None
) -> None:
    """Called under the facilitator's row lock, the lock every booking takes too. The clash is
    named in the cohort's zone, the zone the facilitator is typing times in."""

    def when(moment: datetime) -> str:
        return f"{moment.astimezone(cohort.zone):%Y-%m-%d %H:%M} ({cohort.timezone})"

    clash = _overlapping_bookings(mentor_id=cohort.facilitator_id, spans=spans).order_by("starts_at").first()
    if clash:
        raise CohortError(
            _("This overlaps a 1:1 session you have on %(when)s.") % {"when": when(clash.starts_at)},
            field="starts_at",
        )
    other = _overlapping_events(mentor_id=cohort.facilitator_id, spans=spans, exclude_id=exclude_id).first()
    if other:
        raise CohortError(
            _("This overlaps “%(event)s” of %(cohort)s on %(when)s.")
            % {"event": other.display_title, "cohort": other.cohort.title, "when": when(other.starts_at)},
            field="starts_at",
        )


def weekly_starts(*, first_day: date, at: time, zone: tzinfo, weeks: int) -> list[datetime]:
    """The same wall-clock time on the same weekday for `weeks` weeks, DST-correct, in UTC."""
    utc = ZoneInfo("UTC")
    return [
        datetime.combine(first_day + timedelta(weeks=n), at, tzinfo=zone).astimezone(utc)
        for n in range(weeks)
    ]


@dataclass
class EventPlan:
    kind: str
    first_day: date
    at: time
    duration_minutes: int
    title: str = ""
    join_url: str = ""
    weeks: int = 1


def event_series_create(*, cohort: Cohort, by: User, plan: EventPlan) -> list[CohortEvent]:
    """One event, or "weekly at this time for N weeks" (in the cohort's zone)."""
    require_facilitator(by, cohort)
    if not 1 <= plan.weeks <= MAX_SERIES_WEEKS:
        raise CohortError(_("Repeat for 1 to %(max)d weeks.") % {"max": MAX_SERIES_WEEKS}, field="weeks")
    if not 15 <= plan.duration_minutes <= 240:
        raise CohortError(_("An event lasts 15 minutes to 4 hours."), field="duration_minutes")
    duration = timedelta(minutes=plan.duration_minutes)
    starts = weekly_starts(first_day=plan.first_day, at=plan.at, zone=cohort.zone, weeks=plan.weeks)
    if starts[0] <= timezone.now():
        raise CohortError(_("The first event must be in the future."), field="first_day")
    spans = [(start, start + duration) for start in starts]
    with transaction.atomic():
        MentorProfile.objects.select_for_update().get(pk=cohort.facilitator_id)
        cohort = locked_cohort(cohort.pk)
        if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
            raise CohortError(_("A cancelled or finished cohort takes no new events."))
        _check_time_is_free(cohort=cohort, spans=spans)
        events = CohortEvent.objects.bulk_create(
            [
                CohortEvent(
                    cohort=cohort,
                    kind=plan.kind,
                    title=plan.title,
                    starts_at=start,
                    ends_at=end,
                    join_url=plan.join_url or _generated_room_url(cohort),
                )
                for start, end in spans
            ]
        )
        _reschedule_members(cohort)
        mentor_refresh_free_slots_later(mentor_id=cohort.facilitator_id)
        hooks.facilitator_calendar_changed.call(cohort=cohort)
    return events


def _generated_room_url(cohort: Cohort) -> str:
    return f"https://meet.jit.si/TheMentors-{cohort.slug}-{secrets.token_urlsafe(6)}"


def event_update(
    *,
    event: CohortEvent,
    by: User,
    starts_at: datetime,
    duration_minutes: int,
    title: str,
    join_url: str,
    kind: str,
) -> CohortEvent:
    """Move or edit an event; members' calendars see a new SEQUENCE and reminders follow."""
    require_facilitator(by, event.cohort)
    if not 15 <= duration_minutes <= 240:
        raise CohortError(_("An event lasts 15 minutes to 4 hours."), field="duration_minutes")
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    with transaction.atomic():
        MentorProfile.objects.select_for_update().get(pk=event.cohort.facilitator_id)
        event = CohortEvent.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=event.pk)
        if event.is_cancelled:
            raise CohortError(_("This event was cancelled."))
        if event.cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
            raise CohortError(_("A cancelled or finished cohort cannot be changed."))
        _check_time_is_free(cohort=event.cohort, spans=[(starts_at, ends_at)], exclude_id=event.pk)
        event.starts_at, event.ends_at = starts_at, ends_at
        event.title, event.join_url, event.kind = title, join_url or event.join_url, kind
        event.sequence += 1
        event.save()
        _reschedule_members(event.cohort)
        mentor_refresh_free_slots_later(mentor_id=event.cohort.facilitator_id)
        hooks.facilitator_calendar_changed.call(cohort=event.cohort)
    return event


def event_cancel(*, event: CohortEvent, by: User) -> CohortEvent:
    require_facilitator(by, event.cohort)
    with transaction.atomic():
        event = CohortEvent.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=event.pk)
        if not event.is_cancelled:
            event.is_cancelled = True
            event.sequence += 1
            event.save(update_fields=["is_cancelled", "sequence", "updated_at"])
            _reschedule_members(event.cohort)
            mentor_refresh_free_slots_later(mentor_id=event.cohort.facilitator_id)
            hooks.facilitator_calendar_changed.call(cohort=event.cohort)
    return event


def _reschedule_members(cohort: Cohort) -> None:
    pagecache.changed(pagecache.COHORTS)
    hooks.calendar_changed.call(enrollments=Enrollment.objects.filter(cohort=cohort, state=State.ACTIVE))


def attendance_mark(*, event: CohortEvent, enrollment: Enrollment, present: bool, by: User) -> Attendance:
    require_facilitator(by, event.cohort)
    if enrollment.cohort_id != event.cohort_id or not enrollment.is_member:
        raise CohortError(_("That person is not a member of this cohort."))
    with transaction.atomic():
        attendance, _created = Attendance.objects.update_or_create(
            event=event, enrollment=enrollment, defaults={"present": present}
        )
    return attendance


def enrollment_set_notes(*, enrollment: Enrollment, by: User, notes: str) -> Enrollment:
    require_facilitator(by, enrollment.cohort)
    Enrollment.objects.filter(pk=enrollment.pk).update(facilitator_notes=notes.strip()[:4000])
    enrollment.facilitator_notes = notes.strip()[:4000]
    return enrollment


def cohort_message_send(*, cohort: Cohort, by: User, subject: str, body: str) -> CohortMessage:
    """To every member by e-mail (after commit), and on the cohort page."""
    require_facilitator(by, cohort)
    if not subject.strip():
        raise CohortError(_("Give the message a subject."), field="subject")
    if not body.strip():
        raise CohortError(_("Write the message."), field="body")
    with transaction.atomic():
        message = CohortMessage.objects.create(
            cohort=cohort, author=by, subject=subject.strip(), body=body.strip()
        )
        tasks.send_cohort_message.delay_on_commit(message.pk)
    return message


def enrollment_mark_completed(
    *, enrollment: Enrollment, by: User, completed: bool = True, outcome_note: str = ""
) -> Enrollment:
    """The facilitator marks a member as having completed: they become alumni."""
    require_facilitator(by, enrollment.cohort)
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if completed and enrollment.state == State.ACTIVE:
            enrollment.state = State.COMPLETED
            enrollment.completed_at = timezone.now()
        elif not completed and enrollment.state == State.COMPLETED:
            enrollment.state = State.ACTIVE
            enrollment.completed_at = None
        elif enrollment.state not in Enrollment.MEMBER_STATES:
            raise CohortError(_("Only members can complete the cohort."))
        if outcome_note:
            enrollment.outcome_note = outcome_note.strip()[:300]
        enrollment.save(update_fields=["state", "completed_at", "outcome_note"])
    return enrollment


def cohort_finish(*, cohort: Cohort, by: User | None = None) -> Cohort:
    """The cohort is over (the facilitator says so, or its last week ended): seats are paid out."""
    if by is not None:
        require_facilitator(by, cohort)
    with transaction.atomic():
        cohort = locked_cohort(cohort.pk)
        if cohort.status == Cohort.Status.FINISHED:
            return cohort
        if cohort.status != Cohort.Status.PUBLISHED:
            raise CohortError(_("Only a published cohort can be finished."))
        if not cohort.has_started:
            raise CohortError(_("A cohort can be finished once it has started."))
        cohort.status = Cohort.Status.FINISHED
        cohort.finished_at = timezone.now()
        cohort.save(update_fields=["status", "finished_at"])
        lapsed = list(
            Enrollment.objects.select_for_update().filter(
                cohort=cohort, state__in=[State.WAITLISTED, State.OFFERED, State.HELD]
            )
        )
        ladder.upgrade_offers_release_for_seats(
            enrollment_ids=[e.pk for e in lapsed if e.state == State.HELD]
        )
        for enrollment in lapsed:
            enrollment.state = State.EXPIRED
        bulk_update_with_history(lapsed, Enrollment, ["state"], default_change_reason="the cohort finished")
        for enrollment in Enrollment.objects.filter(cohort=cohort, state__in=Enrollment.MEMBER_STATES):
            hooks.enrollment_ended.call(enrollment=enrollment, reason="cohort finished")
        if cohort.price_amount:
            tasks.payout_cohort.delay_on_commit(cohort.pk)
    return cohort


def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """The user's secret feed address, made on first use; afterwards a new one, and the old one
    stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token", "created_at"])
    return feed
