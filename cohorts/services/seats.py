"""Seats and the waitlist: enrolling, holds while a seat is paid for, the payment that makes a
member, offers of freed seats to the waitlist, leaving, cancelling a cohort, and the sweep that
lapses what ran out and cancels or finishes cohorts on time.

Seats are counted under a lock on the cohort's row, so enrolments, leaving, lapsed holds and
waitlist offers of one cohort are serialised: a seat is never sold twice and a freed seat is
offered to exactly one person.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import ladder
from billing.models import UpgradeOffer
from billing.services import codes
from billing.stripe_client import BillingError
from billing.tasks import expire_seat_checkout, refund_seat
from core.errors import DomainError
from mentors.models import MentorProfile
from sessions.previews import mentor_refresh_free_slots_later

from .. import hooks, tasks
from ..models import Cohort, Enrollment
from .base import CohortError, State, is_facilitator, locked_cohort, seats_taken
from .programme import cohort_finish

if TYPE_CHECKING:
    from accounts.models import User

OFFER_CLAIM_WINDOW = timedelta(hours=24)


def _enrolling_error(cohort: Cohort, now: datetime) -> str:
    if cohort.status != Cohort.Status.PUBLISHED:
        return _("This cohort is not open for enrollment.")
    if now >= cohort.enrollment_deadline:
        return _("Enrollment for this cohort has closed.")
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


def _take_seat(enrollment: Enrollment, cohort: Cohort, now: datetime) -> UpgradeOffer | None:
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
    enrollment.price_amount = (
        offer.price_after(cohort.price_amount, card_minimum=True) if offer else cohort.price_amount
    )
    enrollment.currency = cohort.currency
    enrollment.offer_expires_at = None
    if enrollment.price_amount:
        enrollment.state = State.HELD
        enrollment.hold_expires_at = now + timedelta(minutes=settings.HOLD_MINUTES)
    else:
        _make_member(enrollment, now)
    return offer


def _spend_upgrade_credit(offer: UpgradeOffer | None, enrollment: Enrollment, now: datetime) -> None:
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
    hooks.member_joined.call(enrollment=enrollment)
    if not notify:
        return
    tasks.send_welcome.delay_on_commit(str(enrollment.pk))


def cohort_enroll(
    *, cohort: Cohort, member: User, accept_norms: bool, code: str = "", notify: bool = True
) -> Enrollment:
    """Take a seat (held while paying, or at once when free) or, when full, a waitlist place. A
    promotion `code` lowers a held seat's price (billing holds one use of it)."""
    if not accept_norms:
        raise CohortError(_("Please read and accept the cohort's norms."), field="accept_norms")
    if is_facilitator(member, cohort):
        raise CohortError(_("You facilitate this cohort."))
    if not member.emailaddress_set.filter(verified=True).exists():
        raise CohortError(_("Please verify your e-mail address before enrolling."))
    now = timezone.now()
    with transaction.atomic():
        cohort = locked_cohort(cohort.pk)
        error = _enrolling_error(cohort, now)
        if error:
            raise CohortError(error)
        _lapse_stale(cohort, now)
        if Enrollment.objects.filter(cohort=cohort, member=member, state__in=Enrollment.OPEN_STATES).exists():
            raise CohortError(_("You already have a place in this cohort."))
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
        _apply_code(enrollment, code)
        _after_saving(enrollment, notify=notify)
    return enrollment


def _apply_code(enrollment: Enrollment, code: str) -> None:
    """A promotion code on a seat being paid for: one use held, the seat priced after it."""
    code = code.strip()
    if not code:
        return
    if enrollment.state == State.WAITLISTED:
        raise CohortError(
            _("The cohort is full: join the waitlist, and use the code when you claim a seat."), field="code"
        )
    if enrollment.state != State.HELD:
        raise CohortError(_("This seat costs nothing: no code is needed."), field="code")
    try:
        redemption = codes.code_apply(purchase=enrollment, text=code)
    except DomainError as error:
        raise CohortError(error.message, field="code") from error
    enrollment.price_amount = redemption.amount
    enrollment.save(update_fields=["price_amount"])


def enrollment_claim_offer(
    *, enrollment: Enrollment, member: User, accept_norms: bool, code: str = ""
) -> Enrollment:
    """The person offered a seat takes it within the claim window."""
    if not accept_norms:
        raise CohortError(_("Please read and accept the cohort's norms."), field="accept_norms")
    now = timezone.now()
    with transaction.atomic():
        cohort = locked_cohort(enrollment.cohort_id)
        _lapse_stale(cohort, now)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.member_id != member.pk:
            raise CohortError(_("This offer is not yours."))
        if enrollment.state != State.OFFERED:
            raise CohortError(
                _("This seat offer has lapsed.")
                if enrollment.state == State.EXPIRED
                else _("There is no seat offer to claim.")
            )
        if cohort.status != Cohort.Status.PUBLISHED or now >= cohort.starts_at:
            raise CohortError(_("This cohort is no longer taking members."))
        enrollment.norms_accepted_at = now
        credit = _take_seat(enrollment, cohort, now)
        enrollment.save()
        _spend_upgrade_credit(credit, enrollment, now)
        _apply_code(enrollment, code)
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
        hooks.seat_offered.call(enrollment=enrollment, now=now)
    return offered


def enrollment_confirm_payment(*, enrollment: Enrollment, notify: bool = True) -> Enrollment:
    """The seat was paid for: the member is in (idempotent). A payment after the hold lapsed
    still seats them if a seat is free; otherwise CohortError (the caller refunds)."""
    now = timezone.now()
    with transaction.atomic():
        cohort = locked_cohort(enrollment.cohort_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.state in Enrollment.MEMBER_STATES:
            return enrollment
        if enrollment.state == State.EXPIRED:
            _lapse_stale(cohort, now)
            if cohort.status != Cohort.Status.PUBLISHED or seats_taken(cohort, now=now) >= cohort.seats_max:
                raise CohortError(_("The seat was no longer available when the payment arrived."))
            ladder.upgrade_offer_reclaim_for_seat(enrollment=enrollment, now=now)
        elif enrollment.state != State.HELD:
            raise CohortError(_("This seat is no longer waiting for payment."))
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
        cohort = locked_cohort(enrollment.cohort_id)
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
        cohort = locked_cohort(enrollment.cohort_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.state not in (State.HELD, State.ACTIVE):
            return enrollment
        was_member = enrollment.state == State.ACTIVE
        enrollment.state = State.CANCELLED
        enrollment._change_reason = f"refunded in Stripe: {reason}"
        enrollment.save(update_fields=["state"])
        ladder.upgrade_offers_release_for_seats(enrollment_ids=[enrollment.pk])
        hooks.enrollment_ended.call(enrollment=enrollment, reason="seat refunded")
        _offer_free_seats(cohort, now)
        tasks.send_seat_cancelled.delay_on_commit(str(enrollment.pk), reason, was_member)
    return enrollment


def leave_refunds(enrollment: Enrollment, *, at: datetime) -> bool:
    """The policy: a member who leaves before the cohort starts gets the seat's price back."""
    return at < enrollment.cohort.starts_at


def enrollment_leave(*, enrollment: Enrollment, by: User) -> Enrollment:
    """Leave before the start (refund per policy) or leave the waitlist; the seat is offered on."""
    now = timezone.now()
    with transaction.atomic():
        cohort = locked_cohort(enrollment.cohort_id)
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.member_id != by.pk:
            raise CohortError(_("This is not your place."))
        if enrollment.state not in (State.ACTIVE, State.WAITLISTED, State.OFFERED, State.HELD):
            raise CohortError(_("You are not in this cohort."))
        was_member = enrollment.state == State.ACTIVE
        if was_member and now >= cohort.starts_at:
            raise CohortError(_("The cohort has started; talk to the facilitator."))
        enrollment.state = State.LEFT
        enrollment.left_at = now
        enrollment.save(update_fields=["state", "left_at"])
        ladder.upgrade_offers_release_for_seats(enrollment_ids=[enrollment.pk])
        hooks.enrollment_ended.call(enrollment=enrollment, reason="left the cohort")
        if was_member and enrollment.price_amount and leave_refunds(enrollment, at=now):
            refund_seat.delay_on_commit(str(enrollment.pk), "You left the cohort before it started.")
        _offer_free_seats(cohort, now)
    return enrollment


def cohort_cancel(*, cohort: Cohort, by: User | None = None, reason: str) -> Cohort:
    """Everyone is refunded and told; the facilitator's calendar is freed. Idempotent."""
    if by is not None and not (by.is_staff or is_facilitator(by, cohort)):
        raise CohortError(_("Only the facilitator or staff can cancel a cohort."))
    if not reason.strip():
        raise CohortError(_("Say why the cohort is cancelled."), field="reason")
    with transaction.atomic():
        cohort = locked_cohort(cohort.pk)
        if cohort.status == Cohort.Status.CANCELLED:
            return cohort
        if cohort.status == Cohort.Status.FINISHED:
            raise CohortError(_("A finished cohort cannot be cancelled."))
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
            hooks.enrollment_ended.call(enrollment=enrollment, reason="cohort cancelled")
            if paid:
                refund_seat.delay_on_commit(
                    str(enrollment.pk), f"The cohort was cancelled: {cohort.cancel_reason}"
                )
            if held:
                # Paid after all? The late payment finds the cohort cancelled and is refunded.
                _expire_checkout_on_commit(enrollment)
            told.append(str(enrollment.pk))
        ladder.upgrade_offers_release_for_seats(enrollment_ids=told)
        tasks.send_cohort_cancelled.delay_on_commit(told)
        mentor_refresh_free_slots_later(mentor_id=cohort.facilitator_id)
        hooks.facilitator_calendar_changed.call(cohort=cohort)
    return cohort


def _cancel_below_minimum(cohort_id: int) -> bool:
    """Counted again under the cohort's lock: a seat paid for a moment ago counts."""
    with transaction.atomic():
        cohort = locked_cohort(cohort_id)
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
            cohort = locked_cohort(cohort_id)
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
