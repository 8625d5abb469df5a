"""Everything a cohort can do. Each function is one transaction and raises CohortError.

Seats are counted under a lock on the cohort's row, so enrolments, leaving, lapsed holds and
waitlist offers of one cohort are serialised: a seat is never sold twice and a freed seat is
offered to exactly one person.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from billing import ladder
from billing.services.connect import mentor_payouts_ready
from billing.stripe_client import BillingError
from billing.tasks import expire_seat_checkout, refund_seat
from core.errors import DomainError
from mentors.models import MentorProfile
from notifications import services as outbox
from sessions.previews import mentor_refresh_free_slots_later

from .models import (
    Attendance,
    CalendarFeed,
    Cohort,
    CohortEvent,
    CohortMessage,
    Enrollment,
    Module,
    PeerReview,
    Submission,
)

State = Enrollment.State
OFFER_CLAIM_WINDOW = timedelta(hours=24)
REVIEWERS_PER_SUBMISSION = 2
MAX_SERIES_WEEKS = 26


class CohortError(DomainError):
    """A rule about cohorts, seats or critique rounds said no."""


def _is_facilitator(user, cohort: Cohort) -> bool:
    return user.is_authenticated and cohort.facilitator.user_id == user.pk


def _require_facilitator(user, cohort: Cohort) -> None:
    if not _is_facilitator(user, cohort):
        raise CohortError("Only the facilitator can do this.")


def _locked_cohort(cohort_id: int) -> Cohort:
    # Only the cohort's row: the facilitator's row is the lock bookings and events take.
    return (
        Cohort.objects.select_for_update(of=("self",)).select_related("facilitator__user").get(pk=cohort_id)
    )


# --- the programme (facilitator) ------------------------------------------------------------


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


def cohort_save(*, facilitator: MentorProfile, cohort: Cohort | None = None, skills=None, **fields) -> Cohort:
    """Create or edit a cohort. Seats already sold bound the maximum; the price of a seat
    already taken never changes (it was copied to the enrolment)."""
    if not facilitator.is_approved:
        raise CohortError("Only approved mentors can run cohorts.")
    unknown = set(fields) - set(COHORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown cohort fields: {sorted(unknown)}")
    with transaction.atomic():
        if cohort is None:
            cohort = Cohort(facilitator=facilitator, slug=_unique_slug(fields.get("title", "")))
        else:
            cohort = _locked_cohort(cohort.pk)
            if cohort.facilitator_id != facilitator.pk:
                raise CohortError("Only the facilitator can edit this cohort.")
            if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
                raise CohortError("A cancelled or finished cohort cannot be edited.")
        for name, value in fields.items():
            setattr(cohort, name, value)
        if cohort.seats_min > cohort.seats_max:
            raise CohortError("The minimum cannot be more than the maximum.", field="seats_min")
        if cohort.enrollment_deadline and cohort.enrollment_deadline > cohort.starts_at:
            raise CohortError("Enrollment must close by the start date.", field="enrollment_deadline")
        if cohort.pk:
            taken = seats_taken(cohort)
            if cohort.seats_max < taken:
                raise CohortError(f"{taken} seats are already taken.", field="seats_max")
        cohort.save()
        if skills is not None:
            cohort.skills.set(skills)
    return cohort


def cohort_publish(*, cohort: Cohort, by) -> Cohort:
    """Open enrolment: the cohort needs a programme and its deadline still ahead."""
    with transaction.atomic():
        cohort = _locked_cohort(cohort.pk)
        _require_facilitator(by, cohort)
        if cohort.status != Cohort.Status.DRAFT:
            raise CohortError("Only a draft can be published.")
        if not cohort.facilitator.is_approved:  # a suspended mentor's cohorts come back on reinstatement
            raise CohortError("Only approved mentors can run cohorts.")
        if not cohort.modules.exists():
            raise CohortError("Add at least one weekly module before publishing.")
        if cohort.enrollment_deadline <= timezone.now():
            raise CohortError("The enrollment deadline has passed; move it before publishing.")
        if cohort.price_amount and not mentor_payouts_ready(mentor=cohort.facilitator):
            raise CohortError("Connect your payouts account before selling seats.")
        cohort.status = Cohort.Status.PUBLISHED
        cohort.published_at = timezone.now()
        cohort.save(update_fields=["status", "published_at"])
    return cohort


def module_save(*, cohort: Cohort, by, module: Module | None = None, **fields) -> Module:
    _require_facilitator(by, cohort)
    if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
        raise CohortError("A cancelled or finished cohort cannot be changed.")
    with transaction.atomic():
        module = module or Module(cohort=cohort)
        for name, value in fields.items():
            setattr(module, name, value)
        if Module.objects.filter(cohort=cohort, week=module.week).exclude(pk=module.pk).exists():
            raise CohortError(f"Week {module.week} already has a module.", field="week")
        if module.assignment_due_at and module.assignment_due_at <= module.release_at:
            raise CohortError(
                "The assignment must be due after the module is released.", field="assignment_due_at"
            )
        module.save()
        _reschedule_members(cohort)
    return module


def module_delete(*, module: Module, by) -> None:
    _require_facilitator(by, module.cohort)
    with transaction.atomic():
        if module.submissions.exists():
            raise CohortError("Members have submitted work for this module; it cannot be deleted.")
        module.delete()


def _overlapping_bookings(*, mentor_id: int, spans: list[tuple[datetime, datetime]]):
    from sessions.selectors import active_bookings

    query = Q()
    for start, end in spans:
        query |= Q(starts_at__lt=end, ends_at__gt=start)
    return active_bookings(mentor_id=mentor_id, now=timezone.now()).filter(query)


def _overlapping_events(*, mentor_id: int, spans, exclude_id=None):
    query = Q()
    for start, end in spans:
        query |= Q(starts_at__lt=end, ends_at__gt=start)
    return (
        CohortEvent.objects.filter(cohort__facilitator_id=mentor_id, is_cancelled=False)
        .exclude(cohort__status=Cohort.Status.CANCELLED)
        .exclude(pk=exclude_id)
        .filter(query)
    )


def _check_time_is_free(*, cohort: Cohort, spans, exclude_id=None) -> None:
    """Called under the facilitator's row lock, the lock every booking takes too. The clash is
    named in the cohort's zone, the zone the facilitator is typing times in."""

    def when(moment: datetime) -> str:
        return f"{moment.astimezone(cohort.zone):%Y-%m-%d %H:%M} ({cohort.timezone})"

    clash = _overlapping_bookings(mentor_id=cohort.facilitator_id, spans=spans).order_by("starts_at").first()
    if clash:
        raise CohortError(
            f"This overlaps a 1:1 session you have on {when(clash.starts_at)}.", field="starts_at"
        )
    other = _overlapping_events(mentor_id=cohort.facilitator_id, spans=spans, exclude_id=exclude_id).first()
    if other:
        raise CohortError(
            f"This overlaps “{other.display_title}” of {other.cohort.title} on {when(other.starts_at)}.",
            field="starts_at",
        )


def weekly_starts(*, first_day: date, at: time, zone, weeks: int) -> list[datetime]:
    """The same wall-clock time on the same weekday for `weeks` weeks, DST-correct, in UTC."""
    from zoneinfo import ZoneInfo

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


def event_series_create(*, cohort: Cohort, by, plan: EventPlan) -> list[CohortEvent]:
    """One event, or "weekly at this time for N weeks" (in the cohort's zone)."""
    _require_facilitator(by, cohort)
    if not 1 <= plan.weeks <= MAX_SERIES_WEEKS:
        raise CohortError(f"Repeat for 1 to {MAX_SERIES_WEEKS} weeks.", field="weeks")
    if not 15 <= plan.duration_minutes <= 240:
        raise CohortError("An event lasts 15 minutes to 4 hours.", field="duration_minutes")
    duration = timedelta(minutes=plan.duration_minutes)
    starts = weekly_starts(first_day=plan.first_day, at=plan.at, zone=cohort.zone, weeks=plan.weeks)
    if starts[0] <= timezone.now():
        raise CohortError("The first event must be in the future.", field="first_day")
    spans = [(start, start + duration) for start in starts]
    with transaction.atomic():
        MentorProfile.objects.select_for_update().get(pk=cohort.facilitator_id)
        cohort = _locked_cohort(cohort.pk)
        if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
            raise CohortError("A cancelled or finished cohort takes no new events.")
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
    return events


def _generated_room_url(cohort: Cohort) -> str:
    return f"https://meet.jit.si/TheMentors-{cohort.slug}-{secrets.token_urlsafe(6)}"


def event_update(
    *,
    event: CohortEvent,
    by,
    starts_at: datetime,
    duration_minutes: int,
    title: str,
    join_url: str,
    kind: str,
) -> CohortEvent:
    """Move or edit an event; members' calendars see a new SEQUENCE and reminders follow."""
    _require_facilitator(by, event.cohort)
    if not 15 <= duration_minutes <= 240:
        raise CohortError("An event lasts 15 minutes to 4 hours.", field="duration_minutes")
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    with transaction.atomic():
        MentorProfile.objects.select_for_update().get(pk=event.cohort.facilitator_id)
        event = CohortEvent.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=event.pk)
        if event.is_cancelled:
            raise CohortError("This event was cancelled.")
        if event.cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.FINISHED):
            raise CohortError("A cancelled or finished cohort cannot be changed.")
        _check_time_is_free(cohort=event.cohort, spans=[(starts_at, ends_at)], exclude_id=event.pk)
        event.starts_at, event.ends_at = starts_at, ends_at
        event.title, event.join_url, event.kind = title, join_url or event.join_url, kind
        event.sequence += 1
        event.save()
        _reschedule_members(event.cohort)
        mentor_refresh_free_slots_later(mentor_id=event.cohort.facilitator_id)
    return event


def event_cancel(*, event: CohortEvent, by) -> CohortEvent:
    _require_facilitator(by, event.cohort)
    with transaction.atomic():
        event = CohortEvent.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=event.pk)
        if not event.is_cancelled:
            event.is_cancelled = True
            event.sequence += 1
            event.save(update_fields=["is_cancelled", "sequence", "updated_at"])
            _reschedule_members(event.cohort)
            mentor_refresh_free_slots_later(mentor_id=event.cohort.facilitator_id)
    return event


def _reschedule_members(cohort: Cohort) -> None:
    outbox.schedule_for_members(Enrollment.objects.filter(cohort=cohort, state=State.ACTIVE))


def attendance_mark(*, event: CohortEvent, enrollment: Enrollment, present: bool, by) -> Attendance:
    _require_facilitator(by, event.cohort)
    if enrollment.cohort_id != event.cohort_id or not enrollment.is_member:
        raise CohortError("That person is not a member of this cohort.")
    with transaction.atomic():
        attendance, _ = Attendance.objects.update_or_create(
            event=event, enrollment=enrollment, defaults={"present": present}
        )
    return attendance


def enrollment_set_notes(*, enrollment: Enrollment, by, notes: str) -> Enrollment:
    _require_facilitator(by, enrollment.cohort)
    Enrollment.objects.filter(pk=enrollment.pk).update(facilitator_notes=notes.strip()[:4000])
    enrollment.facilitator_notes = notes.strip()[:4000]
    return enrollment


def cohort_message_send(*, cohort: Cohort, by, subject: str, body: str) -> CohortMessage:
    """To every member by e-mail (after commit), and on the cohort page."""
    _require_facilitator(by, cohort)
    if not subject.strip():
        raise CohortError("Give the message a subject.", field="subject")
    if not body.strip():
        raise CohortError("Write the message.", field="body")
    with transaction.atomic():
        message = CohortMessage.objects.create(
            cohort=cohort, author=by, subject=subject.strip(), body=body.strip()
        )
        from .tasks import send_cohort_message

        send_cohort_message.delay_on_commit(message.pk)
    return message


def enrollment_mark_completed(
    *, enrollment: Enrollment, by, completed: bool = True, outcome_note: str = ""
) -> Enrollment:
    """The facilitator marks a member as having completed: they become alumni."""
    _require_facilitator(by, enrollment.cohort)
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if completed and enrollment.state == State.ACTIVE:
            enrollment.state = State.COMPLETED
            enrollment.completed_at = timezone.now()
        elif not completed and enrollment.state == State.COMPLETED:
            enrollment.state = State.ACTIVE
            enrollment.completed_at = None
        elif enrollment.state not in Enrollment.MEMBER_STATES:
            raise CohortError("Only members can complete the cohort.")
        if outcome_note:
            enrollment.outcome_note = outcome_note.strip()[:300]
        enrollment.save(update_fields=["state", "completed_at", "outcome_note"])
    return enrollment


def cohort_finish(*, cohort: Cohort, by=None) -> Cohort:
    """The cohort is over (the facilitator says so, or its last week ended): seats are paid out."""
    if by is not None:
        _require_facilitator(by, cohort)
    with transaction.atomic():
        cohort = _locked_cohort(cohort.pk)
        if cohort.status == Cohort.Status.FINISHED:
            return cohort
        if cohort.status != Cohort.Status.PUBLISHED:
            raise CohortError("Only a published cohort can be finished.")
        if not cohort.has_started:
            raise CohortError("A cohort can be finished once it has started.")
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
            outbox.cancel_for_member(enrollment, reason="cohort finished")
        if cohort.price_amount:
            from .tasks import payout_cohort

            payout_cohort.delay_on_commit(cohort.pk)
    return cohort


# --- seats and the waitlist (members) -------------------------------------------------------


def seats_taken(cohort: Cohort, *, now: datetime | None = None) -> int:
    """Members, alumni, live holds and live offers (a held or offered seat is not for sale)."""
    now = now or timezone.now()
    live = Q(state__in=[State.ACTIVE, State.COMPLETED]) | Q(state=State.HELD, hold_expires_at__gt=now)
    live |= Q(state=State.OFFERED, offer_expires_at__gt=now)
    return Enrollment.objects.filter(cohort=cohort).filter(live).count()


def _enrolling_error(cohort: Cohort, now: datetime) -> str:
    if cohort.status != Cohort.Status.PUBLISHED:
        return "This cohort is not open for enrollment."
    if now >= cohort.enrollment_deadline:
        return "Enrollment for this cohort has closed."
    return ""


def _lapse_stale(cohort: Cohort, now: datetime) -> int:
    """Holds and offers past their time stop taking a seat at once, even before the worker runs."""
    stale = list(
        Enrollment.objects.select_for_update()
        .filter(cohort=cohort)
        .filter(
            Q(state=State.HELD, hold_expires_at__lte=now) | Q(state=State.OFFERED, offer_expires_at__lte=now)
        )
    )
    for enrollment in stale:
        if enrollment.state == State.HELD:
            _expire_checkout_on_commit(enrollment)
        enrollment.state = State.EXPIRED
        enrollment.save(update_fields=["state"])
    ladder.upgrade_offers_release_for_seats(enrollment_ids=[e.pk for e in stale])
    return len(stale)


def _expire_checkout_on_commit(enrollment: Enrollment) -> None:
    """A seat's hold ended: close its checkout too, so it can no longer be paid."""
    if enrollment.price_amount:
        expire_seat_checkout.delay_on_commit(str(enrollment.pk))


def _take_seat(enrollment: Enrollment, cohort: Cohort, now: datetime):
    """A free cohort makes a member at once; a paid seat is held while the member pays. The
    member's upgrade credit with the facilitator (ladder up) comes off a paid seat's price, and a
    seat it pays for in full is theirs at once; the caller spends that credit once the enrolment
    is saved (_spend_upgrade_credit). Returns the credit, if any."""
    offer = None
    if cohort.price_amount:
        offer = ladder.upgrade_offer_available(
            mentee=enrollment.member,
            mentor=cohort.facilitator_id,
            currency=cohort.currency,
            now=now,
            for_update=True,
        )
    enrollment.price_amount = offer.price_after(cohort.price_amount) if offer else cohort.price_amount
    enrollment.currency = cohort.currency
    enrollment.offer_expires_at = None
    if enrollment.price_amount:
        enrollment.state = State.HELD
        enrollment.hold_expires_at = now + timedelta(minutes=settings.HOLD_MINUTES)
    else:
        _make_member(enrollment, now)
    return offer


def _spend_upgrade_credit(offer, enrollment: Enrollment, now: datetime) -> None:
    """Mark the credit _take_seat applied as used by this seat (it was locked there)."""
    if offer is None:
        return
    try:
        ladder.upgrade_offer_redeem(offer=offer, enrollment=enrollment, now=now)
    except BillingError as error:
        raise CohortError(error.message) from error


def _make_member(enrollment: Enrollment, now: datetime) -> None:
    enrollment.state = State.ACTIVE
    enrollment.hold_expires_at = None
    enrollment.joined_at = now


def _after_saving(enrollment: Enrollment, *, notify: bool = True) -> None:
    """A new member gets their reminders (in this transaction) and a welcome e-mail (after it);
    `notify=False` skips the e-mail (demo data)."""
    if enrollment.state != State.ACTIVE:
        return
    outbox.schedule_for_member(enrollment)
    if not notify:
        return
    from .tasks import send_welcome

    send_welcome.delay_on_commit(str(enrollment.pk))


def cohort_enroll(*, cohort: Cohort, member, accept_norms: bool, notify: bool = True) -> Enrollment:
    """Take a seat (held while paying, or at once when free) or, when full, a waitlist place."""
    if not accept_norms:
        raise CohortError("Please read and accept the cohort's norms.", field="accept_norms")
    if _is_facilitator(member, cohort):
        raise CohortError("You facilitate this cohort.")
    if not member.emailaddress_set.filter(verified=True).exists():
        raise CohortError("Please verify your e-mail address before enrolling.")
    now = timezone.now()
    with transaction.atomic():
        cohort = _locked_cohort(cohort.pk)
        error = _enrolling_error(cohort, now)
        if error:
            raise CohortError(error)
        _lapse_stale(cohort, now)
        if Enrollment.objects.filter(cohort=cohort, member=member, state__in=Enrollment.OPEN_STATES).exists():
            raise CohortError("You already have a place in this cohort.")
        enrollment = Enrollment(cohort=cohort, member=member, norms_accepted_at=now, currency=cohort.currency)
        credit = None
        if seats_taken(cohort, now=now) < cohort.seats_max:
            credit = _take_seat(enrollment, cohort, now)
        else:
            enrollment.state = State.WAITLISTED
            enrollment.price_amount = cohort.price_amount
            enrollment.waitlisted_at = now
        enrollment.save()
        _spend_upgrade_credit(credit, enrollment, now)
        _after_saving(enrollment, notify=notify)
    return enrollment


def enrollment_claim_offer(*, enrollment: Enrollment, member, accept_norms: bool) -> Enrollment:
    """The person offered a seat takes it within the claim window."""
    if not accept_norms:
        raise CohortError("Please read and accept the cohort's norms.", field="accept_norms")
    now = timezone.now()
    with transaction.atomic():
        cohort = _locked_cohort(enrollment.cohort_id)
        _lapse_stale(cohort, now)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.member_id != member.pk:
            raise CohortError("This offer is not yours.")
        if enrollment.state != State.OFFERED:
            raise CohortError(
                "This seat offer has lapsed."
                if enrollment.state == State.EXPIRED
                else "There is no seat offer to claim."
            )
        if cohort.status != Cohort.Status.PUBLISHED or now >= cohort.starts_at:
            raise CohortError("This cohort is no longer taking members.")
        enrollment.norms_accepted_at = now
        credit = _take_seat(enrollment, cohort, now)
        enrollment.save()
        _spend_upgrade_credit(credit, enrollment, now)
        _after_saving(enrollment)
    return enrollment


def _offer_free_seats(cohort: Cohort, now: datetime) -> list[Enrollment]:
    """Under the cohort's lock: offer each free seat to the next person on the waitlist (FIFO)."""
    if cohort.status != Cohort.Status.PUBLISHED or now >= cohort.starts_at:
        return []
    free = cohort.seats_max - seats_taken(cohort, now=now)
    if free <= 0:
        return []
    offered = list(
        Enrollment.objects.select_for_update()
        .filter(cohort=cohort, state=State.WAITLISTED)
        .order_by("waitlisted_at", "created_at")[:free]
    )
    for enrollment in offered:
        enrollment.state = State.OFFERED
        enrollment.offer_expires_at = min(now + OFFER_CLAIM_WINDOW, cohort.starts_at)
        enrollment.save(update_fields=["state", "offer_expires_at"])
        outbox.seat_offer_schedule(enrollment, now=now)
    return offered


def enrollment_confirm_payment(*, enrollment: Enrollment, notify: bool = True) -> Enrollment:
    """The seat was paid for: the member is in (idempotent). A payment after the hold lapsed
    still seats them if a seat is free; otherwise CohortError (the caller refunds)."""
    now = timezone.now()
    with transaction.atomic():
        cohort = _locked_cohort(enrollment.cohort_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.state in Enrollment.MEMBER_STATES:
            return enrollment
        if enrollment.state == State.EXPIRED:
            _lapse_stale(cohort, now)
            if cohort.status != Cohort.Status.PUBLISHED or seats_taken(cohort, now=now) >= cohort.seats_max:
                raise CohortError("The seat was no longer available when the payment arrived.")
            ladder.upgrade_offer_reclaim_for_seat(enrollment=enrollment, now=now)
        elif enrollment.state != State.HELD:
            raise CohortError("This seat is no longer waiting for payment.")
        _make_member(enrollment, now)
        enrollment.save(update_fields=["state", "hold_expires_at", "joined_at"])
        _after_saving(enrollment, notify=notify)
    return enrollment


def enrollment_extend_hold(*, enrollment: Enrollment, until: datetime) -> Enrollment:
    """The checkout and the seat's hold end together (Stripe's shortest checkout is 30 minutes);
    call inside the transaction that locked the enrolment."""
    if enrollment.hold_expires_at is None or until > enrollment.hold_expires_at:
        enrollment.hold_expires_at = until
        enrollment.save(update_fields=["hold_expires_at"])
    return enrollment


def enrollment_release_hold(*, enrollment: Enrollment, note: str = "") -> Enrollment:
    """Checkout abandoned, expired or failed: the seat goes back (to the waitlist first) and the
    checkout is closed."""
    now = timezone.now()
    with transaction.atomic():
        cohort = _locked_cohort(enrollment.cohort_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.state != State.HELD:
            return enrollment
        enrollment.state = State.EXPIRED
        enrollment.save(update_fields=["state"])
        ladder.upgrade_offers_release_for_seats(enrollment_ids=[enrollment.pk])
        _expire_checkout_on_commit(enrollment)
        _offer_free_seats(cohort, now)
    return enrollment


def enrollment_cancel_refunded(*, enrollment: Enrollment, reason: str) -> Enrollment:
    """The seat's price went back in full outside the product (a refund made in Stripe, see
    billing.services): a held or a member's seat is cancelled as cancelling the cohort cancels
    each seat (reminders dropped, an upgrade credit given back) and offered to the waitlist;
    nothing is refunded again; the member, and the facilitator of a member's seat, are told why.
    An alumnus's seat (the cohort finished) stands. Idempotent."""
    now = timezone.now()
    with transaction.atomic():
        cohort = _locked_cohort(enrollment.cohort_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.state not in (State.HELD, State.ACTIVE):
            return enrollment
        was_member = enrollment.state == State.ACTIVE
        enrollment.state = State.CANCELLED
        enrollment._change_reason = f"refunded in Stripe: {reason}"
        enrollment.save(update_fields=["state"])
        ladder.upgrade_offers_release_for_seats(enrollment_ids=[enrollment.pk])
        outbox.cancel_for_member(enrollment, reason="seat refunded")
        _offer_free_seats(cohort, now)
        from .tasks import send_seat_cancelled

        send_seat_cancelled.delay_on_commit(str(enrollment.pk), reason, was_member)
    return enrollment


def leave_refunds(enrollment: Enrollment, *, at: datetime) -> bool:
    """The policy: a member who leaves before the cohort starts gets the seat's price back."""
    return at < enrollment.cohort.starts_at


def enrollment_leave(*, enrollment: Enrollment, by) -> Enrollment:
    """Leave before the start (refund per policy) or leave the waitlist; the seat is offered on."""
    now = timezone.now()
    with transaction.atomic():
        cohort = _locked_cohort(enrollment.cohort_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.member_id != by.pk:
            raise CohortError("This is not your place.")
        if enrollment.state not in (State.ACTIVE, State.WAITLISTED, State.OFFERED, State.HELD):
            raise CohortError("You are not in this cohort.")
        was_member = enrollment.state == State.ACTIVE
        if was_member and now >= cohort.starts_at:
            raise CohortError("The cohort has started; talk to the facilitator.")
        enrollment.state = State.LEFT
        enrollment.left_at = now
        enrollment.save(update_fields=["state", "left_at"])
        ladder.upgrade_offers_release_for_seats(enrollment_ids=[enrollment.pk])
        outbox.cancel_for_member(enrollment, reason="left the cohort")
        if was_member and enrollment.price_amount and leave_refunds(enrollment, at=now):
            refund_seat.delay_on_commit(str(enrollment.pk), "You left the cohort before it started.")
        _offer_free_seats(cohort, now)
    return enrollment


def cohort_cancel(*, cohort: Cohort, by=None, reason: str) -> Cohort:
    """Everyone is refunded and told; the facilitator's calendar is freed. Idempotent."""
    if by is not None and not (by.is_staff or _is_facilitator(by, cohort)):
        raise CohortError("Only the facilitator or staff can cancel a cohort.")
    if not reason.strip():
        raise CohortError("Say why the cohort is cancelled.", field="reason")
    with transaction.atomic():
        cohort = _locked_cohort(cohort.pk)
        if cohort.status == Cohort.Status.CANCELLED:
            return cohort
        if cohort.status == Cohort.Status.FINISHED:
            raise CohortError("A finished cohort cannot be cancelled.")
        cohort.status = Cohort.Status.CANCELLED
        cohort.cancelled_at = timezone.now()
        cohort.cancel_reason = reason.strip()[:300]
        cohort.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        told = []
        for enrollment in Enrollment.objects.select_for_update().filter(
            cohort=cohort, state__in=Enrollment.OPEN_STATES
        ):
            paid = enrollment.state in Enrollment.MEMBER_STATES and enrollment.price_amount
            held = enrollment.state == State.HELD
            enrollment.state = State.CANCELLED
            enrollment.save(update_fields=["state"])
            outbox.cancel_for_member(enrollment, reason="cohort cancelled")
            if paid:
                refund_seat.delay_on_commit(
                    str(enrollment.pk), f"The cohort was cancelled: {cohort.cancel_reason}"
                )
            if held:
                # Paid after all? The late payment finds the cohort cancelled and is refunded.
                _expire_checkout_on_commit(enrollment)
            told.append(str(enrollment.pk))
        ladder.upgrade_offers_release_for_seats(enrollment_ids=told)
        from .tasks import send_cohort_cancelled

        send_cohort_cancelled.delay_on_commit(told)
        mentor_refresh_free_slots_later(mentor_id=cohort.facilitator_id)
    return cohort


def _cancel_below_minimum(cohort_id: int) -> bool:
    """Counted again under the cohort's lock: a seat paid for a moment ago counts."""
    with transaction.atomic():
        cohort = _locked_cohort(cohort_id)
        members = Enrollment.objects.filter(cohort=cohort, state__in=Enrollment.MEMBER_STATES).count()
        if cohort.status != Cohort.Status.PUBLISHED or members >= cohort.seats_min:
            return False
        cohort_cancel(
            cohort=cohort, reason=f"Fewer than {cohort.seats_min} members had enrolled by the deadline."
        )
    return True


def cohorts_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: lapse holds and offers (offering the seats on), cancel cohorts below the minimum at
    their deadline and those a suspension left in draft at their start, finish cohorts whose last
    week ended. Safe to run twice at once."""
    now = now or timezone.now()
    counts = {"lapsed": 0, "cancelled": 0, "finished": 0}
    stale_cohorts = (
        Enrollment.objects.filter(
            Q(state=State.HELD, hold_expires_at__lte=now) | Q(state=State.OFFERED, offer_expires_at__lte=now)
        )
        .values_list("cohort_id", flat=True)
        .distinct()
    )
    for cohort_id in list(stale_cohorts):
        with transaction.atomic():
            cohort = _locked_cohort(cohort_id)
            counts["lapsed"] += _lapse_stale(cohort, now)
            _offer_free_seats(cohort, now)
    below_minimum = (
        Cohort.objects.filter(status=Cohort.Status.PUBLISHED, enrollment_deadline__lte=now)
        .annotate(members=Count("enrollments", filter=Q(enrollments__state__in=Enrollment.MEMBER_STATES)))
        .filter(members__lt=F("seats_min"))
    )
    for cohort_id in list(below_minimum.values_list("pk", flat=True)):
        counts["cancelled"] += _cancel_below_minimum(cohort_id)
    # Put back to draft by its facilitator's suspension and not republished by its start: the
    # people holding seats are refunded and told, rather than left with a cohort that never runs.
    left_in_draft = Cohort.objects.filter(
        status=Cohort.Status.DRAFT,
        facilitator__status=MentorProfile.Status.SUSPENDED,
        start_date__lte=now.date(),
        enrollments__state__in=Enrollment.OPEN_STATES,
    ).distinct()
    for cohort in left_in_draft:
        if now >= cohort.starts_at:
            cohort_cancel(cohort=cohort, reason="The facilitator is no longer available on TheMentors.")
            counts["cancelled"] += 1
    for cohort in Cohort.objects.filter(status=Cohort.Status.PUBLISHED, start_date__lte=now.date()):
        if now >= cohort.ends_at:
            cohort_finish(cohort=cohort)
            counts["finished"] += 1
    return counts


# --- assignments and peer critique ----------------------------------------------------------


def submission_save(*, module: Module, enrollment: Enrollment, text: str, links: str = "") -> Submission:
    """Submit or edit an assignment, until it is due."""
    now = timezone.now()
    if enrollment.cohort_id != module.cohort_id or enrollment.state != State.ACTIVE:
        raise CohortError("Only members can submit work.")
    if not module.assignment:
        raise CohortError("This module has no assignment.")
    if not module.is_released(now):
        raise CohortError("This module is not released yet.")
    if module.assignment_due_at and now >= module.assignment_due_at:
        raise CohortError("The assignment was due; it can no longer be changed.")
    if not text.strip():
        raise CohortError("Write your submission.", field="text")
    with transaction.atomic():
        submission, _ = Submission.objects.update_or_create(
            module=module, enrollment=enrollment, defaults={"text": text.strip(), "links": links.strip()}
        )
    return submission


def assign_reviewers(author_ids: list, *, seed: int, per: int = REVIEWERS_PER_SUBMISSION) -> dict:
    """Round-robin: shuffle the submitters with the seed, then each one's work goes to the next
    `per` people in that circle. Never oneself; everyone reviews exactly as many as they get;
    with 2 submitters each reviews the other, with 3 each reviews both others."""
    order = sorted(author_ids)
    random.Random(seed).shuffle(order)
    count = len(order)
    per = min(per, count - 1)
    return {author: [order[(i + k) % count] for k in range(1, per + 1)] for i, author in enumerate(order)}


def critique_round_open(*, module: Module, by, seed: int | None = None) -> list[PeerReview]:
    """Assign every submission of the module its reviewers (once): round-robin among the
    submitters; a lone submission is reviewed by up to two other members instead."""
    _require_facilitator(by, module.cohort)
    with transaction.atomic():
        module = Module.objects.select_for_update().get(pk=module.pk)
        if module.critique_opened_at:
            raise CohortError("The critique round for this module is already open.")
        members = list(
            Enrollment.objects.filter(
                cohort_id=module.cohort_id, state__in=Enrollment.MEMBER_STATES
            ).values_list("pk", flat=True)
        )
        submissions = {
            s.enrollment_id: s for s in Submission.objects.filter(module=module, enrollment_id__in=members)
        }
        if not submissions or len(members) < 2:
            raise CohortError("A critique round needs a submission and another member to review it.")
        module.critique_seed = seed if seed is not None else secrets.randbelow(2**31)
        module.critique_opened_at = timezone.now()
        module.save(update_fields=["critique_seed", "critique_opened_at"])
        if len(submissions) >= 2:
            plan = assign_reviewers(list(submissions), seed=module.critique_seed)
        else:
            [author] = submissions
            others = sorted(m for m in members if m != author)
            random.Random(module.critique_seed).shuffle(others)
            plan = {author: others[:REVIEWERS_PER_SUBMISSION]}
        reviews = PeerReview.objects.bulk_create(
            [
                PeerReview(submission=submissions[author], reviewer_id=reviewer)
                for author, reviewers in plan.items()
                for reviewer in reviewers
            ]
        )
        reviewers = {review.reviewer_id for review in reviews}
        for enrollment in Enrollment.objects.filter(pk__in=reviewers):
            outbox.peer_reviews_schedule(enrollment, module=module)
    return reviews


def peer_review_submit(
    *, review: PeerReview, by, what_works: str, suggestion: str, question: str
) -> PeerReview:
    if review.reviewer.member_id != by.pk:
        raise CohortError("This review is not yours to write.")
    fields = {
        "what_works": what_works.strip(),
        "suggestion": suggestion.strip(),
        "question": question.strip(),
    }
    for name, value in fields.items():
        if not value:
            raise CohortError("Fill in each part of the feedback.", field=name)
    with transaction.atomic():
        review = PeerReview.objects.select_for_update().get(pk=review.pk)
        for name, value in fields.items():
            setattr(review, name, value)
        review.submitted_at = review.submitted_at or timezone.now()
        review.save()
    return review


# --- the calendar feed ----------------------------------------------------------------------


def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """The user's secret feed address, made on first use; afterwards a new one, and the old one
    stops working at once."""
    from .models import new_feed_token

    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token", "created_at"])
    return feed
