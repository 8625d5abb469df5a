"""The group seat as billing sells it: the seat kind of billing's purchases, its checkout and the
mentor's payout. Registered from groups.apps.

A paid seat is held while its mentee pays in billing's hosted checkout (at the price copied when
booked), confirmed when the signed payment arrives (even after its hold lapsed, if a seat is
still free — otherwise refunded in full), let go when the checkout expires or is abandoned, and
cancelled when its price is refunded in full in Stripe. The mentor is paid their share of each
seat kept once the session has ended.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.models import Payment, Transfer
from billing.purchases import CheckoutItem, PaidTooLate, PurchaseKind
from billing.services.payouts import payments_to_pay_out, transfer_row, transfer_send

from . import services
from .models import GroupSeat, GroupSession


class GroupSeatPurchase(PurchaseKind):
    name = services.REFUND_KIND
    field = "group_seat"
    model = GroupSeat
    noun = "seat"
    plural_noun = _("group session seats")
    refund_key = "groupseat"
    not_waiting = _("This seat is not waiting for payment.")
    hold_ran_out = _("The hold on this seat has run out. Please book it again.")
    paid_too_late_key = "unseatable"
    paid_too_late_reason = "Your payment arrived after the seat was no longer available."

    def buyer(self, seat: GroupSeat):
        return seat.mentee

    def mentor_id(self, seat: GroupSeat) -> int:
        return seat.group_session.mentor_id

    def title(self, seat: GroupSeat) -> str:
        return gettext("your seat in %(title)s") % {"title": seat.group_session.title}

    def url(self, seat: GroupSeat) -> str:
        return seat.get_absolute_url()

    def return_urls(self, seat: GroupSeat) -> tuple[str, str]:
        return seat.get_absolute_url(), seat.get_absolute_url()

    def lock_for_checkout(self, seat: GroupSeat) -> GroupSeat:
        return (
            GroupSeat.objects.select_for_update(of=("self",))
            .select_related("group_session__mentor__user", "mentee")
            .get(pk=seat.pk)
        )

    def is_held(self, seat: GroupSeat) -> bool:
        return seat.state == GroupSeat.State.HELD

    def extend_hold(self, seat: GroupSeat, *, until: datetime) -> None:
        services.seat_extend_hold(seat=seat, until=until)

    def checkout_item(self, seat: GroupSeat) -> CheckoutItem:
        group_session = seat.group_session
        starts = timezone.localtime(group_session.starts_at, group_session.zone)
        return CheckoutItem(
            name=gettext("Seat in %(title)s") % {"title": group_session.title},
            description=gettext("Group session with %(name)s, %(when)s (%(zone)s), %(minutes)s min")
            % {
                "name": group_session.mentor.user.name,
                "when": f"{starts:%Y-%m-%d %H:%M}",
                "zone": group_session.timezone,
                "minutes": group_session.duration_minutes,
            },
            transfer_group=f"group-{group_session.pk}",
        )

    def confirm(self, seat: GroupSeat) -> None:
        try:
            services.seat_confirm(seat=seat)
        except services.GroupError as error:
            raise PaidTooLate(error.message) from error

    def release(self, seat: GroupSeat, *, note: str) -> None:
        services.seat_release(seat=seat, note=note)

    def cancel_refunded(self, seat: GroupSeat, *, reason: str) -> None:
        services.seat_cancel_refunded(seat=seat, reason=reason)

    def dispute_won(self, payment: Payment) -> None:
        group_seat_payout(payment_id=payment.pk)

    def retry_payouts(self, *, cutoff: datetime) -> int:
        count = 0
        for payment_id in payable_seats(cutoff=cutoff).values_list("pk", flat=True)[:100]:
            group_seat_payout(payment_id=payment_id)
            count += 1
        return count


def _held(now: datetime) -> Q:
    """Seats whose money is the mentor's: kept to the end of a session that took place."""
    return Q(
        group_seat__state=GroupSeat.State.CONFIRMED,
        group_seat__group_session__state=GroupSession.State.PUBLISHED,
        group_seat__group_session__ends_at__lte=now,
    )


def payable_seats(*, cutoff: datetime, now: datetime | None = None):
    return payments_to_pay_out(_held(now or timezone.now()), cutoff=cutoff)


def group_seat_payout(*, payment_id, now: datetime | None = None) -> Transfer | None:
    """The mentor's share of one seat, once (one transfer row per payment, under its lock)."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("group_seat__group_session__mentor")
            .filter(_held(now or timezone.now()), pk=payment_id, state=Payment.State.PAID, is_disputed=False)
            .first()
        )
        if payment is None:
            return None
        transfer = transfer_row(payment, mentor=payment.group_seat.group_session.mentor)
    return transfer_send(transfer, payment) if transfer else None
