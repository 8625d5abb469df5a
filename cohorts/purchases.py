"""The cohort seat as billing sells it: the seat kind of billing's purchases, its checkout and the
facilitator's payout.

A paid seat is held while its member pays in billing's hosted checkout (at the enrolment's own
price: member discounts and an upgrade credit already taken off), becomes theirs when the
payment arrives, goes back to the waitlist when the checkout is abandoned or expires, and is
cancelled when its price is refunded in full in Stripe. When the cohort has finished, the
facilitator is paid their share of every seat kept. Registered from cohorts.apps.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.ladder import seat_upgrade_credit
from billing.models import Payment, Transfer
from billing.purchases import CheckoutItem, PaidTooLate, PurchaseKind
from billing.services.checkout import purchase_start_checkout
from billing.services.payouts import transfer_row, transfer_send

from . import services
from .models import Cohort, Enrollment


class SeatPurchase(PurchaseKind):
    name = "seat"
    field = "enrollment"
    model = Enrollment
    noun = "seat"
    refund_key = "seat"
    not_waiting = gettext_lazy("This seat is not waiting for payment.")
    hold_ran_out = gettext_lazy("The hold on this seat has run out. Please enroll again.")
    paid_too_late_key = "unseatable"
    paid_too_late_reason = "Your payment arrived after the seat was no longer available."
    buyer_path = "enrollment__member"
    mentor_path = "enrollment__cohort__facilitator"
    accepts_codes = True
    code_label = gettext_lazy("cohort seats")

    def buyer(self, enrollment: Enrollment):
        return enrollment.member

    def mentor_id(self, enrollment: Enrollment) -> int:
        return enrollment.cohort.facilitator_id

    def title(self, enrollment: Enrollment) -> str:
        return f"your seat in {enrollment.cohort.title}"

    def url(self, enrollment: Enrollment) -> str:
        return enrollment.cohort.get_absolute_url()

    def lock_for_checkout(self, enrollment: Enrollment) -> Enrollment:
        return (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("cohort__facilitator__user", "member")
            .get(pk=enrollment.pk)
        )

    def is_held(self, enrollment: Enrollment) -> bool:
        return enrollment.state == Enrollment.State.HELD

    def extend_hold(self, enrollment: Enrollment, *, until: datetime) -> None:
        services.enrollment_extend_hold(enrollment=enrollment, until=until)

    def checkout_item(self, enrollment: Enrollment) -> CheckoutItem:
        cohort = enrollment.cohort
        metadata = {}
        description = _("%(weeks)d-week cohort with %(name)s, starting %(start)s") % {
            "weeks": cohort.weeks,
            "name": cohort.facilitator.user.name,
            "start": f"{cohort.start_date:%Y-%m-%d}",
        }
        credit = seat_upgrade_credit(enrollment=enrollment)
        if credit is not None:
            description += _("; upgrade credit of %(credit)s applied (seat %(price)s)") % {
                "credit": credit.amount_display,
                "price": cohort.price_display,
            }
            metadata["upgrade_offer_id"] = str(credit.pk)
        return CheckoutItem(
            name=_("Seat in %(title)s") % {"title": cohort.title},
            description=description,
            transfer_group=f"cohort-{cohort.pk}",
            metadata=metadata,
        )

    def confirm(self, enrollment: Enrollment) -> None:
        try:
            services.enrollment_confirm_payment(enrollment=enrollment)
        except services.CohortError as error:
            raise PaidTooLate(error.message) from error

    def release(self, enrollment: Enrollment, *, note: str) -> None:
        services.enrollment_release_hold(enrollment=enrollment, note=note)

    def cancel_refunded(self, enrollment: Enrollment, *, reason: str) -> None:
        services.enrollment_cancel_refunded(enrollment=enrollment, reason=reason)

    def retry_payouts(self, *, cutoff: datetime) -> int:
        unpaid_seats = Payment.objects.filter(
            enrollment__cohort__status=Cohort.Status.FINISHED,
            enrollment__state__in=Enrollment.MEMBER_STATES,
            is_disputed=False,
            amount_mismatch=False,
            state=Payment.State.PAID,
            paid_at__lte=cutoff,
        ).exclude(transfer__state=Transfer.State.PAID)
        count = 0
        for cohort_id in unpaid_seats.values_list("enrollment__cohort_id", flat=True).distinct()[:20]:
            count += len(cohort_payout(cohort_id=cohort_id))
        return count


def seat_start_checkout(*, enrollment: Enrollment, success_url: str, cancel_url: str) -> Payment:
    """Open (or reopen) the checkout for a held cohort seat; the price comes from the enrolment."""
    return purchase_start_checkout(purchase=enrollment, success_url=success_url, cancel_url=cancel_url)


def cohort_payout(*, cohort_id: int) -> list[Transfer]:
    """A finished cohort: the facilitator's share of every seat that was paid and not refunded."""
    sent = []
    payment_ids = Payment.objects.filter(
        enrollment__cohort_id=cohort_id,
        enrollment__cohort__status=Cohort.Status.FINISHED,
        enrollment__state__in=Enrollment.MEMBER_STATES,
        state=Payment.State.PAID,
    ).values_list("pk", flat=True)
    for payment_id in list(payment_ids):
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update(of=("self",))
                .select_related("enrollment__cohort__facilitator")
                .get(pk=payment_id)
            )
            transfer = transfer_row(payment, mentor=payment.enrollment.cohort.facilitator)
        if transfer:
            sent.append(transfer_send(transfer, payment))
    return sent
