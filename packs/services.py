"""Every write of packs: the mentor's terms, buying (held while paid for, active once paid),
spending a session on a booking and giving it back, refunding the unused sessions on request.

A purchase is read again under its row lock before each change, so replayed or reordered
payment events, two bookings at once and a refund asked twice all find the state the other left.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from billing.models import Payment
from billing.services import codes
from billing.services.payments import payments_off
from billing.services.refunds import refund_create
from billing.tasks import expire_checkout
from core import pagecache
from core.errors import DomainError
from core.money import format_money
from sessions.hooks import CREDIT_PACK
from sessions.models import Booking, Offering

from . import tasks
from .models import MAX_SESSIONS, Pack, PackPurchase, PackSession

if TYPE_CHECKING:
    from accounts.models import User
    from mentors.models import MentorProfile

State = PackPurchase.State


class PackError(DomainError):
    """A rule about packs said no."""


# --- the mentor's terms ------------------------------------------------------------------------


def pack_save(
    *,
    mentor: MentorProfile,
    offering: Offering,
    sessions: int,
    discount_percent: int,
    valid_months: int,
    pack: Pack | None = None,
) -> Pack:
    """Create or change the pack of one of the mentor's paid offerings. New terms apply to packs
    bought from now on; packs already bought keep theirs."""
    if offering.mentor_id != mentor.pk or (pack is not None and pack.offering.mentor_id != mentor.pk):
        raise PackError(_("You can only sell packs of your own offerings."), field="offering")
    if offering.is_free:
        raise PackError(
            _("A pack needs a paid offering: free sessions are booked one by one."), field="offering"
        )
    with transaction.atomic():
        if pack is None:
            if Pack.objects.filter(offering=offering).exists():
                raise PackError(_("This offering has a pack already: change that one."), field="offering")
            pack = Pack(offering=offering)
        elif pack.offering_id != offering.pk and Pack.objects.filter(offering=offering).exists():
            raise PackError(_("This offering has a pack already: change that one."), field="offering")
        pack.offering = offering
        pack.sessions = sessions
        pack.discount_percent = discount_percent
        pack.valid_months = valid_months
        pack.full_clean()
        pack.save()
        pagecache.changed(pagecache.mentor(mentor.pk))  # the offering page and profile show it
    return pack


def pack_set_published(*, pack: Pack, mentor: MentorProfile, published: bool) -> Pack:
    if pack.offering.mentor_id != mentor.pk:
        raise PackError(_("This is not your pack."))
    if published and not pack.offering.is_published:
        raise PackError(_("Publish the offering first: a pack is sold on its page."))
    with transaction.atomic():
        pack = Pack.objects.select_for_update().get(pk=pack.pk)
        pack.is_published = published
        pack.save(update_fields=["is_published"])
        pagecache.changed(pagecache.mentor(mentor.pk))
    return pack


# --- buying ------------------------------------------------------------------------------------


def pack_purchase_hold(
    *, pack: Pack, mentee: User, code: str = "", now: datetime | None = None
) -> PackPurchase:
    """The mentee's purchase of this pack, held while they pay: a checkout still open is reused
    (so a double click opens one checkout) unless another promotion `code` is asked for; a hold
    that ran out, or one with another code, is let go and a new one made. Price and terms come
    from the pack and its offering, read here under the pack's lock; a code lowers the price
    (billing holds one use of it)."""
    now = now or timezone.now()
    code = code.strip()
    if payments_off():
        raise PackError(_("Card payments are not set up on this site yet."))
    with transaction.atomic():
        pack = Pack.objects.select_for_update(of=("self",)).select_related("offering__mentor").get(pk=pack.pk)
        offering = pack.offering
        if not pack.is_for_sale or not offering.mentor.is_approved:
            raise PackError(_("This pack is not for sale."))
        if offering.mentor.user_id == mentee.pk:
            raise PackError(_("You cannot buy a pack of your own sessions."))
        if not mentee.emailaddress_set.filter(verified=True).exists():
            raise PackError(_("Please verify your e-mail address before buying."))
        held = (
            PackPurchase.objects.select_for_update()
            .filter(pack=pack, mentee=mentee, state=State.HELD)
            .first()
        )
        if held is not None and held.hold_expires_at and held.hold_expires_at > now:
            if codes.checkout_fits_code(held.pk, code):
                return held
            _release(held, note="bought again with another code")
        elif held is not None:
            _release(held, note="hold expired")
        purchase = PackPurchase.objects.create(
            pack=pack,
            offering=offering,
            mentor=offering.mentor,
            mentee=mentee,
            sessions=pack.sessions,
            valid_months=pack.valid_months,
            price_amount=pack.price_amount,
            currency=pack.currency,
            hold_expires_at=now + timedelta(minutes=settings.HOLD_MINUTES),
        )
        if code:
            _apply_code(purchase, code)
        return purchase


def _apply_code(purchase: PackPurchase, code: str) -> None:
    """One use of the promotion code held for this purchase, which is then priced after it."""
    try:
        redemption = codes.code_apply(purchase=purchase, text=code)
    except DomainError as error:
        raise PackError(error.message, field="code") from error
    purchase.price_amount = redemption.amount
    purchase.save(update_fields=["price_amount"])


def _locked(purchase: PackPurchase) -> PackPurchase:
    return (
        PackPurchase.objects.select_for_update(of=("self",))
        .select_related("offering__mentor__user", "mentee")
        .get(pk=purchase.pk)
    )


def pack_purchase_extend_hold(*, purchase: PackPurchase, until: datetime) -> None:
    """The checkout and the hold end together (inside the checkout's transaction)."""
    purchase = _locked(purchase)
    if purchase.state == State.HELD and (
        purchase.hold_expires_at is None or until > purchase.hold_expires_at
    ):
        purchase.hold_expires_at = until
        purchase.save(update_fields=["hold_expires_at"])


def pack_purchase_confirm(*, purchase: PackPurchase, now: datetime | None = None) -> PackPurchase:
    """Paid as asked: the pack is the mentee's, valid from now, its sessions written once (a
    replayed event finds it active and changes nothing). A payment that arrives after the
    checkout was let go still counts (a pack is never sold out); one for a purchase cancelled and
    refunded in full is PackError (billing refunds it)."""
    now = now or timezone.now()
    with transaction.atomic():
        purchase = _locked(purchase)
        if purchase.state in (State.ACTIVE, State.CLOSED):
            return purchase
        if purchase.state == State.CANCELLED:
            raise PackError(_("This pack was cancelled before its payment arrived."))
        purchase.state = State.ACTIVE
        purchase.paid_at = now
        purchase.expires_at = purchase.ends_after(now)
        purchase.hold_expires_at = None
        purchase._change_reason = "paid"
        purchase.save(update_fields=["state", "paid_at", "expires_at", "hold_expires_at"])
        written = set(purchase.pack_sessions.values_list("number", flat=True))
        bulk_create_with_history(
            [
                PackSession(purchase=purchase, number=n)
                for n in range(1, min(purchase.sessions, MAX_SESSIONS) + 1)
                if n not in written
            ],
            PackSession,
            default_change_reason="pack paid",
        )
        tasks.send_pack_receipt.delay_on_commit(str(purchase.pk))
    return purchase


def _release(purchase: PackPurchase, *, note: str) -> None:
    purchase.state = State.RELEASED
    purchase.hold_expires_at = None
    purchase._change_reason = note
    purchase.save(update_fields=["state", "hold_expires_at"])
    expire_checkout.delay_on_commit(str(purchase.pk))


def pack_purchase_release(*, purchase: PackPurchase, note: str) -> PackPurchase:
    """Its checkout will not be paid (abandoned, expired, declined) or its payment was refused:
    it ends before it starts (idempotent)."""
    with transaction.atomic():
        purchase = _locked(purchase)
        if purchase.state == State.HELD:
            _release(purchase, note=note)
    return purchase


def pack_purchase_cancel_refunded(*, purchase: PackPurchase, reason: str) -> PackPurchase:
    """Its whole price went back in Stripe: the sessions not spent are gone (sessions already
    booked stay booked; staff cancel those if need be)."""
    with transaction.atomic():
        purchase = _locked(purchase)
        if purchase.state in (State.CANCELLED, State.RELEASED):
            return purchase
        purchase.state = State.CANCELLED
        purchase.closed_at = timezone.now()
        purchase._change_reason = f"refunded in full in Stripe: {reason}"[:100]
        purchase.save(update_fields=["state", "closed_at"])
    return purchase


# --- spending a session --------------------------------------------------------------------------


def pack_session_spend(*, booking: Booking, source: str, now: datetime | None = None) -> PackSession | None:
    """Pay for a booking with a session of the mentee's pack of its offering (sessions.hooks
    .spend_credit, inside the booking's transaction): the pack that ends first and still covers
    the session's start. The purchase's row lock makes two bookings at once share, never
    double-spend, the last session."""
    if source != CREDIT_PACK:
        return None
    now = now or timezone.now()
    packs = (
        PackPurchase.objects.select_for_update(of=("self",))
        .filter(
            mentee_id=booking.mentee_id,
            offering_id=booking.offering_id,
            state=State.ACTIVE,
            expires_at__gt=now,
        )
        .order_by("expires_at")
    )
    covering = [p for p in packs if p.expires_at > booking.starts_at]
    if not covering:
        if packs:
            ends = timezone.localtime(packs[0].expires_at, booking.mentee.zone)
            raise PackError(
                _("Your pack ends on %(day)s, before this session: pick an earlier time.")
                % {"day": date_format(ends, "j F Y")}
            )
        raise PackError(_("You have no pack for this offering."))
    for purchase in covering:
        session = (
            purchase.pack_sessions.select_for_update().filter(booking__isnull=True).order_by("number").first()
        )
        if session is not None:
            session.booking = booking
            session.spent_at = now
            session._change_reason = "spent on a booking"
            session.save(update_fields=["booking", "spent_at"])
            return session
    raise PackError(_("Your pack has no sessions left."))


def pack_session_return(*, booking: Booking) -> PackSession | None:
    """A session paid from a pack was cancelled in time (or by the mentor, or the mentor did not
    come): the session is the mentee's again while the pack lasts. Inside the booking's transaction."""
    session = PackSession.objects.select_for_update().filter(booking=booking).first()
    if session is None:
        return None
    session.booking = None
    session.spent_at = None
    session._change_reason = "booking cancelled in time"
    session.save(update_fields=["booking", "spent_at"])
    return session


# --- the unused sessions back ------------------------------------------------------------------


def unused_refund_amount(purchase: PackPurchase, unused: int) -> int:
    """The unused share of the price, pro rata, rounded down (never more than was paid)."""
    return purchase.price_amount * unused // purchase.sessions


def pack_refund_unused(*, purchase: PackPurchase, by: User, now: datetime | None = None) -> PackPurchase:
    """The policy: while the pack is valid and none of its sessions is still ahead, its mentee
    may have the unused sessions refunded pro rata; the pack then closes (once: a second request,
    or two at once, find it closed). After the pack ends, unused sessions are the mentor's."""
    now = now or timezone.now()
    with transaction.atomic():
        purchase = _locked(purchase)
        if purchase.mentee_id != by.pk:
            raise PackError(_("This is not your pack."))
        if purchase.state == State.CLOSED:
            raise PackError(_("The unused sessions of this pack were refunded already."))
        if not purchase.is_usable(now):
            raise PackError(_("Only a pack still valid can be refunded; this one has ended."))
        spent = purchase.pack_sessions.filter(booking__isnull=False)
        if spent.filter(booking__state__in=Booking.ACTIVE_STATES).exists():
            raise PackError(_("A session of this pack is still booked: cancel it or have it first."))
        unused = purchase.pack_sessions.filter(booking__isnull=True).count()
        amount = unused_refund_amount(purchase, unused)
        if unused == 0 or amount <= 0:
            raise PackError(_("Every session of this pack was used: nothing is left to refund."))
        payment = Payment.objects.select_for_update(of=("self",)).filter(pack_purchase=purchase).first()
        if payment is None or payment.state != Payment.State.PAID:
            raise PackError(_("This pack's payment has not been confirmed yet."))
        purchase.state = State.CLOSED
        purchase.closed_at = now
        purchase._change_reason = f"{unused} unused sessions refunded on request"
        purchase.save(update_fields=["state", "closed_at"])
        refund_create(
            payment=payment,
            amount=min(amount, payment.refundable),
            key=f"pack-{purchase.pk}-unused",
            reason=f"{unused} unused session{'s' if unused != 1 else ''} of your pack "
            f"({format_money(amount, purchase.currency)})",
            by=by,
        )
    return purchase
