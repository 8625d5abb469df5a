from django.db.models import Prefetch

from mentors.models import MentorProfile

from .models import Payment, Refund


def booking_payment(*, booking) -> Payment | None:
    return (
        Payment.objects.filter(booking=booking).prefetch_related("refunds").select_related("transfer").first()
    )


def mentor_earnings(*, mentor: MentorProfile) -> dict:
    """Per paid booking: what the mentee paid, the fee, refunds, and where the mentor's share is."""
    payments = list(
        Payment.objects.filter(booking__mentor=mentor, state=Payment.State.PAID)
        .select_related("booking__offering", "booking__mentee", "transfer")
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.exclude(state=Refund.State.FAILED)))
        .order_by("-booking__starts_at")
    )
    rows = []
    totals = {"gross": 0, "fees": 0, "refunded": 0, "pending": 0, "paid_out": 0}
    currency = payments[0].currency if payments else "USD"
    for payment in payments:
        refunded = max(sum(r.amount for r in payment.refunds.all()), payment.amount_refunded)
        transfer = getattr(payment, "transfer", None)
        paid_out = transfer.amount - transfer.amount_reversed if transfer and transfer.state == "paid" else 0
        net = payment.amount - refunded
        from .services import platform_fee

        share = max(net - platform_fee(net), 0)
        pending = 0 if transfer and transfer.state == "paid" else share
        status = "paid out" if paid_out else ("refunded" if refunded >= payment.amount else "pending")
        rows.append(
            {
                "payment": payment,
                "booking": payment.booking,
                "refunded": refunded,
                "share": share,
                "paid_out": paid_out,
                "pending": pending,
                "status": status,
            }
        )
        totals["gross"] += payment.amount
        totals["fees"] += payment.amount - refunded - share if net > 0 else 0
        totals["refunded"] += refunded
        totals["pending"] += pending
        totals["paid_out"] += paid_out
    return {"rows": rows, "totals": totals, "currency": currency}
