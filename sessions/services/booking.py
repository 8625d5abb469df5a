"""Booking a slot: reserving it (free, held while paid for, or paid with a credit), the payment
that confirms it, and holds that run out. Every booking of a mentor is serialised on the mentor's
row and the slot checked again under that lock; the exclusion constraint is the last defence."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.outbox import outbox_batch
from mentors.models import MentorProfile

from .. import hooks, previews, tasks
from ..activity import PAID_WITH_CREDIT_NOTE, PAID_WITH_PACK_NOTE
from ..models import MAX_PREWORK_PROMPTS, Booking, BookingEvent, BookingSeries, Offering
from ..selectors import mentor_free_slots
from .approval import REFUSED_WITH_CODE, REFUSED_WITH_CREDIT, request_open
from .base import SLOT_TAKEN, BookingError, State, expire_checkout_on_commit, locked_booking, transition

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclass
class BookingRequest:
    starts_at: datetime
    outcome: str
    prework_answers: list[str]
    context_notes: str = ""
    links: str = ""


def ensure_slot_free(
    *,
    mentor: MentorProfile,
    duration: timedelta,
    starts_at: datetime,
    now: datetime,
    ignore: uuid.UUID | None = None,
) -> None:
    slots = mentor_free_slots(
        mentor=mentor,
        duration=duration,
        start=starts_at,
        end=starts_at + timedelta(minutes=1),
        now=now,
        ignore_booking_id=ignore,
    )
    if starts_at not in slots:
        raise BookingError(SLOT_TAKEN, field="starts_at")


def booking_create(
    *,
    offering: Offering,
    mentee: User,
    request: BookingRequest,
    use_credit: bool = False,
    use_pack: bool = False,
    code: str = "",
    notify: bool = True,
    series: BookingSeries | None = None,
) -> Booking:
    """Reserve a slot: a free offering confirms at once, a paid one is held while the mentee pays,
    and with `use_credit` one of the mentee's subscription credits pays and it confirms at once;
    `use_pack` the same with a session of a pack they bought for this offering (it comes first
    when both are asked for). A promotion `code` lowers a paid booking's price (billing holds one
    use of it). An intro offering is booked once per mentee, checked under the mentor's lock like
    the slot.

    An offering that requires the mentor's approval makes a request instead (services/requests.py):
    free, it waits for the mentor at once; paid, it is held while the card is authorised. Credits,
    pack sessions and codes are refused for it (approval.py says why).

    `notify=False` books without the confirmation e-mails (demo data, imports). An occurrence of
    a weekly `series` (services/series.py) has its reminders but no e-mail of its own: the series
    sends one listing every date.
    """
    if not offering.is_published or not offering.mentor.is_approved:
        raise BookingError(_("This offering is not open for booking."))
    if offering.mentor.user_id == mentee.pk:
        raise BookingError(_("You cannot book your own offering."))
    prompts = offering.prework_prompts[:MAX_PREWORK_PROMPTS]
    if len(request.prework_answers) != len(prompts):
        raise BookingError(_("Please answer each pre-work prompt."), field="prework")
    now = timezone.now()
    if request.starts_at <= now:
        raise BookingError(_("That time is in the past. Please pick a slot ahead."), field="starts_at")

    duration = timedelta(minutes=offering.duration_minutes)
    use_pack = use_pack and not offering.is_free  # a free session spends nothing
    use_credit = use_credit and not offering.is_free and not use_pack
    code = code.strip()
    if offering.requires_approval and (use_credit or use_pack):
        raise BookingError(REFUSED_WITH_CREDIT, field="use_pack" if use_pack else "use_credit")
    if offering.requires_approval and code and not offering.is_free:
        raise BookingError(REFUSED_WITH_CODE, field="code")
    if code and (offering.is_free or use_credit or use_pack):
        raise BookingError(NO_CODE_NEEDED_CREDIT if use_credit or use_pack else NO_CODE_NEEDED, field="code")
    try:
        with transaction.atomic(), outbox_batch():
            # Serialise every booking of this mentor, then re-check under the lock. The same query
            # asks whether the mentee's e-mail address is verified, re-reads the offering (a
            # suspension committed a moment ago closes it too) and asks whether a hold ran out,
            # so the common booking pays for one round trip here.
            mentor = (
                MentorProfile.objects.select_for_update()
                .annotate(
                    mentee_verified=Exists(mentee.emailaddress_set.filter(verified=True)),
                    offering_open=Exists(Offering.objects.filter(pk=offering.pk, is_published=True)),
                    stale_holds=Exists(_stale_holds(mentor_id=OuterRef("pk"), now=now)),
                )
                .get(pk=offering.mentor_id)
            )
            if not mentor.mentee_verified:
                raise BookingError(_("Please verify your e-mail address before booking."))
            if not mentor.is_approved or not mentor.offering_open:
                raise BookingError(_("This offering is not open for booking."))
            # Its own statement, after the lock: it sees a booking committed while we waited
            # (a subquery of the locking statement would read the snapshot from before).
            if offering.is_intro and _intro_used(offering=offering, mentee=mentee).exists():
                raise BookingError(INTRO_USED)
            if mentor.stale_holds:
                _expire_stale_holds(mentor_id=mentor.pk, now=now)
            ensure_slot_free(mentor=mentor, duration=duration, starts_at=request.starts_at, now=now)
            price = 0 if use_credit or use_pack else member_price(offering=offering, mentee=mentee)
            free = price == 0
            state = State.CONFIRMED if free else State.HELD
            if offering.requires_approval and free:
                state = State.REQUESTED  # a request to book: sent to the mentor at once
            booking = Booking.objects.create(
                offering=offering,
                mentor=mentor,
                mentee=mentee,
                starts_at=request.starts_at,
                ends_at=request.starts_at + duration,
                state=state,
                hold_expires_at=None if free else now + timedelta(minutes=settings.HOLD_MINUTES),
                outcome=request.outcome.strip(),
                prework_answers=[
                    {"prompt": p, "answer": a.strip()}
                    for p, a in zip(prompts, request.prework_answers, strict=True)
                ],
                context_notes=request.context_notes.strip(),
                links=request.links.strip(),
                price_amount=price,
                currency=offering.currency,
                join_url=offering.join_url or offering.mentor.meeting_url or _generated_room_url(),
                series=series,
            )
            BookingEvent.objects.create(
                booking=booking,
                actor=mentee,
                from_state="",
                to_state=booking.state,
                note=PAID_WITH_PACK_NOTE if use_pack else PAID_WITH_CREDIT_NOTE if use_credit else "",
            )
            if use_pack:
                _spend_credit(booking, source=hooks.CREDIT_PACK)
            elif use_credit:
                _spend_credit(booking, source=hooks.CREDIT_SUBSCRIPTION)
            if code:
                _apply_code(booking, code)
            if offering.requires_approval:
                request_open(booking=booking, now=now)
            if booking.state == State.CONFIRMED and notify:
                after_confirmation(booking, new=True, email=series is None)
            previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
    except IntegrityError as exc:  # the exclusion constraint: the last line of defence
        raise BookingError(SLOT_TAKEN, field="starts_at") from exc
    return booking


NO_CODE_NEEDED = gettext_lazy("This session is free: no code is needed.")
NO_CODE_NEEDED_CREDIT = gettext_lazy(
    "A code takes money off a card payment: untick the credit or pack session to use it."
)
INTRO_USED = gettext_lazy(
    "This is an intro call, booked once per mentee, and you have booked it already. "
    "Pick another of this mentor's offerings."
)


def _intro_used(*, offering: Offering, mentee: User):
    """The mentee's bookings that use up this offering, if it is an intro call (else none)."""
    return Booking.objects.filter(
        offering_id=offering.pk,
        offering__is_intro=True,
        mentee_id=mentee.pk,
        state__in=Booking.INTRO_USED_STATES,
    )


def intro_used(*, offering: Offering, mentee: User | AnonymousUser) -> bool:
    """Whether this viewer has used up this intro offering (the offering page says so)."""
    if not offering.is_intro or not getattr(mentee, "is_authenticated", False):
        return False
    return _intro_used(offering=offering, mentee=mentee).exists()


def _apply_code(booking: Booking, code: str) -> None:
    """Hold a use of the promotion code for this held booking and charge its price."""
    try:
        price = hooks.apply_code.first(booking=booking, code=code)
    except DomainError as error:
        raise BookingError(error.message, field="code") from error
    if price is None:
        raise BookingError(_("Promotion codes are not available here."), field="code")
    booking.price_amount = price
    booking.save(update_fields=["price_amount"])


def _spend_credit(booking: Booking, *, source: str) -> None:
    field = "use_pack" if source == hooks.CREDIT_PACK else "use_credit"
    try:
        credit = hooks.spend_credit.first(booking=booking, source=source)
    except DomainError as error:  # no credit left, on hold, too short a plan, pack ended…
        raise BookingError(error.message, field=field) from error
    if credit is None:
        if source == hooks.CREDIT_PACK:
            raise BookingError(_("Paying with a session of a pack is not available."), field=field)
        raise BookingError(_("Paying with a subscription credit is not available."), field=field)


def member_price(*, offering: Offering, mentee: User | AnonymousUser) -> int:
    """The offering's price, less the best discount for this mentee (a cohort of this mentor they
    are or were a member of: the add-on 1:1 price cohorts promise). Rounded to a whole minor unit."""
    if not offering.price_amount:
        return 0  # nothing to discount: no need to ask
    percent = max([0, *hooks.discount_percent.call(offering=offering, mentee=mentee)])
    return offering.price_amount - (offering.price_amount * percent + 50) // 100


def _generated_room_url() -> str:
    return f"https://meet.jit.si/TheMentors-{secrets.token_urlsafe(12)}"


def after_confirmation(booking: Booking, *, new: bool = False, email: bool = True) -> None:
    """Confirmed or moved: e-mails after commit, and the reminders in this same transaction.
    `new`: the booking was created in this transaction, so nothing was planned for it yet.
    `email=False`: an occurrence of a series, confirmed with the others (one e-mail for all)."""
    hooks.booking_scheduled.call(booking=booking, new=new)
    if email:
        tasks.send_booking_confirmed.delay_on_commit(str(booking.pk))


def booking_confirm_payment(*, booking: Booking, notify: bool = True) -> Booking:
    """The payment step finished: a held booking becomes confirmed (idempotent).

    A payment that arrives after the hold expired still confirms if the slot is free, checked
    under the mentor's lock like a new booking; otherwise SLOT_TAKEN (the caller refunds).
    """
    try:
        with transaction.atomic():
            booking = locked_booking(booking)
            if booking.state == State.CONFIRMED:
                return booking
            if booking.state == State.EXPIRED:
                now = timezone.now()
                mentor = MentorProfile.objects.select_for_update().get(pk=booking.mentor_id)
                _expire_stale_holds(mentor_id=mentor.pk, now=now)
                ensure_slot_free(
                    mentor=mentor, duration=booking.duration, starts_at=booking.starts_at, now=now
                )
                previews.mentor_refresh_free_slots_later(mentor_id=mentor.pk)
            elif booking.state != State.HELD:
                raise BookingError(_("This booking is no longer waiting for payment."))
            booking.hold_expires_at = None
            transition(booking, State.CONFIRMED, by=booking.mentee, note="payment received")
            if notify:
                after_confirmation(booking, email=booking.series_id is None)
    except IntegrityError as exc:  # the exclusion constraint on PostgreSQL
        raise BookingError(SLOT_TAKEN, field="starts_at") from exc
    return booking


def booking_extend_hold(*, booking: Booking, until: datetime) -> Booking:
    """The checkout and the hold end together (Stripe's shortest checkout is 30 minutes)."""
    with transaction.atomic():
        booking = locked_booking(booking)
        if booking.state != State.HELD:
            raise BookingError(_("This booking is no longer waiting for payment."))
        if booking.hold_expires_at is None or until > booking.hold_expires_at:
            booking.hold_expires_at = until
            booking.save(update_fields=["hold_expires_at"])
    return booking


def booking_release_hold(*, booking: Booking, note: str) -> Booking:
    """Checkout abandoned, expired or failed: the held slot is free again at once (idempotent)."""
    with transaction.atomic():
        booking = locked_booking(booking)
        if booking.state != State.HELD:
            return booking
        transition(booking, State.EXPIRED, by=None, note=note)
        previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
    return booking


def _stale_holds(*, mentor_id, now: datetime):
    return Booking.objects.filter(mentor_id=mentor_id, state=State.HELD, hold_expires_at__lte=now)


def _expire_stale_holds(*, mentor_id: int, now: datetime) -> None:
    """Holds past their expiry stop blocking at once, even before the worker runs."""
    for booking in _stale_holds(mentor_id=mentor_id, now=now):
        transition(booking, State.EXPIRED, by=None, note="hold expired")
        expire_checkout_on_commit(booking)


def booking_release_expired_holds(*, now: datetime | None = None) -> int:
    """Expire holds whose time ran out; safe to run any number of times in parallel."""
    now = now or timezone.now()
    released = 0
    with transaction.atomic():
        holds = (
            Booking.objects.select_for_update(skip_locked=True)
            .filter(state=State.HELD, hold_expires_at__lte=now)
            .order_by("hold_expires_at")[:500]
        )
        for booking in holds:
            transition(booking, State.EXPIRED, by=None, note="hold expired")
            expire_checkout_on_commit(booking)
            previews.mentor_refresh_free_slots_later(mentor_id=booking.mentor_id)
            released += 1
    return released
