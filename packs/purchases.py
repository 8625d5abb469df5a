"""The pack as billing sells it: the pack kind of billing's purchases, its checkout and the
mentor's payout. Registered from packs.apps.

A pack is held while its mentee pays in billing's hosted checkout (at the price written when it
was bought), becomes theirs when the payment arrives (even late: a pack never sells out), is let
go when the checkout is abandoned or expires, and is cancelled when its price is refunded in full
in Stripe. The mentor is paid their share once, when the pack is settled: it closed (the unused
sessions refunded) or ended, or every session was spent, and no session of it is still ahead.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.models import Payment, Transfer
from billing.purchases import CheckoutItem, PaidTooLate, PurchaseKind
from billing.services.payouts import transfer_row, transfer_send
from sessions.models import Booking

from . import services
from .models import PackPurchase, PackSession

State = PackPurchase.State


class PackPurchaseKind(PurchaseKind):
    name = "pack"
    field = "pack_purchase"
    model = PackPurchase
    noun = "pack"
    plural_noun = _("session packs")
    refund_key = "pack"
    not_waiting = _("This pack is not waiting for payment.")
    hold_ran_out = _("The hold on this pack has run out. Please buy it again.")
    paid_too_late_key = "cancelled"
    paid_too_late_reason = "Your payment arrived after the pack was cancelled."
    accepts_codes = True
    code_label = _("session packs")
    buyer_path = "pack_purchase__mentee"
    mentor_path = "pack_purchase__mentor"

    def buyer(self, purchase: PackPurchase):
        return purchase.mentee

    def title(self, purchase: PackPurchase) -> str:
        return f"your pack of {purchase.sessions} × {purchase.offering.title}"

    def mentor_id(self, purchase: PackPurchase) -> int:
        return purchase.mentor_id

    def url(self, purchase: PackPurchase) -> str:
        return purchase.get_absolute_url()

    def return_urls(self, purchase: PackPurchase) -> tuple[str, str]:
        return purchase.get_absolute_url(), purchase.offering.get_absolute_url()

    def lock_for_checkout(self, purchase: PackPurchase) -> PackPurchase:
        return (
            PackPurchase.objects.select_for_update(of=("self",))
            .select_related("offering__mentor__user", "mentee")
            .get(pk=purchase.pk)
        )

    def is_held(self, purchase: PackPurchase) -> bool:
        return purchase.state == State.HELD

    def extend_hold(self, purchase: PackPurchase, *, until: datetime) -> None:
        services.pack_purchase_extend_hold(purchase=purchase, until=until)

    def checkout_item(self, purchase: PackPurchase) -> CheckoutItem:
        offering = purchase.offering
        return CheckoutItem(
            name=f"{purchase.sessions} × {offering.title}",
            description=gettext(
                "A pack of %(sessions)s sessions of %(minutes)s minutes with %(name)s, "
                "valid %(months)s months"
            )
            % {
                "sessions": purchase.sessions,
                "minutes": offering.duration_minutes,
                "name": offering.mentor.user.name,
                "months": purchase.valid_months,
            },
            transfer_group=f"pack-{purchase.pk}",
        )

    def confirm(self, purchase: PackPurchase) -> None:
        try:
            services.pack_purchase_confirm(purchase=purchase)
        except services.PackError as error:
            raise PaidTooLate(error.message) from error

    def release(self, purchase: PackPurchase, *, note: str) -> None:
        services.pack_purchase_release(purchase=purchase, note=note)

    def cancel_refunded(self, purchase: PackPurchase, *, reason: str) -> None:
        services.pack_purchase_cancel_refunded(purchase=purchase, reason=reason)

    def dispute_won(self, payment: Payment) -> None:
        pack_payout(purchase_id=payment.pack_purchase_id)

    def retry_payouts(self, *, cutoff: datetime) -> int:
        count = 0
        for purchase_id in payable_packs(cutoff=cutoff).values_list("pack_purchase_id", flat=True)[:100]:
            pack_payout(purchase_id=purchase_id)
            count += 1
        return count


def _settled(now: datetime) -> Q:
    """A pack whose money is the mentor's: closed, ended, or every session spent; and none of its
    sessions still ahead (booked, not yet held or cancelled)."""
    return (
        Q(pack_purchase__state=State.CLOSED)
        | Q(pack_purchase__state=State.ACTIVE, pack_purchase__expires_at__lte=now)
        | Q(pack_purchase__state=State.ACTIVE, has_unspent=False)
    ) & Q(has_ahead=False)


def _payable(now: datetime):
    return Payment.objects.annotate(
        has_unspent=Exists(
            PackSession.objects.filter(purchase=OuterRef("pack_purchase"), booking__isnull=True)
        ),
        has_ahead=Exists(
            PackSession.objects.filter(
                purchase=OuterRef("pack_purchase"), booking__state__in=Booking.ACTIVE_STATES
            )
        ),
    ).filter(
        _settled(now),
        pack_purchase__isnull=False,
        state=Payment.State.PAID,
        is_disputed=False,
        amount_mismatch=False,
    )


def payable_packs(*, cutoff: datetime, now: datetime | None = None):
    """The sweep's: settled packs paid before `cutoff` whose mentor's share was not sent."""
    return (
        _payable(now or timezone.now())
        .filter(paid_at__lte=cutoff)
        .exclude(transfer__state=Transfer.State.PAID)
    )


def pack_payout(*, purchase_id, now: datetime | None = None) -> Transfer | None:
    """Send the mentor's share of a settled pack (what is left after refunds, minus the platform
    fee), once: one transfer row per payment, made under the payment's lock."""
    with transaction.atomic():
        payment = (
            _payable(now or timezone.now())
            .select_for_update(of=("self",))
            .select_related("pack_purchase__mentor")
            .filter(pack_purchase_id=purchase_id)
            .first()
        )
        if payment is None:
            return None
        transfer = transfer_row(payment, mentor=payment.pack_purchase.mentor)
    return transfer_send(transfer, payment) if transfer else None
