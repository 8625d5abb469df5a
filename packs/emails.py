"""The pack's e-mails: the receipt and what it is good for, to the mentee, and the news to the
mentor. Sent from a task queued through the outbox when the payment confirms the pack."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.emails import templated_email

from .models import PackPurchase


def pack_receipt_send(*, purchase_id: str) -> None:
    """At most once per pack (marked under the row lock, sent after commit): a redelivered task,
    or the event replayed, sends nothing more."""
    with transaction.atomic():
        purchase = (
            PackPurchase.objects.select_for_update(of=("self",))
            .select_related("offering__mentor__user", "mentee")
            .filter(pk=purchase_id, receipt_sent_at__isnull=True, paid_at__isnull=False)
            .first()
        )
        if purchase is None:
            return
        purchase.receipt_sent_at = timezone.now()
        PackPurchase.objects.filter(pk=purchase.pk).update(receipt_sent_at=purchase.receipt_sent_at)
        transaction.on_commit(lambda: _send(purchase))


def _send(purchase: PackPurchase) -> None:
    mentee, mentor = purchase.mentee, purchase.offering.mentor.user
    context = {
        "purchase": purchase,
        "offering": purchase.offering,
        "mentee": mentee,
        "mentor": mentor,
        "pack_url": settings.SITE_URL + purchase.get_absolute_url(),
        "book_url": settings.SITE_URL + purchase.offering.get_absolute_url(),
    }
    templated_email(
        template="packs/email/receipt",
        subject=f"Your pack: {purchase.sessions} × {purchase.offering.title} ({purchase.price_display})",
        to=[mentee.email],
        context=context,
        zone=mentee.zone,
    ).send()
    templated_email(
        template="packs/email/sold",
        subject=f"{mentee.name} bought a pack of {purchase.sessions} × {purchase.offering.title}",
        to=[mentor.email],
        context=context,
        zone=mentor.zone,
    ).send()
