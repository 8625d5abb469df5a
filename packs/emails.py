"""The pack's e-mails: the receipt and what it is good for, to the mentee, and the news to the
mentor, sent from a task queued through the outbox when the payment confirms the pack; and the
reminder before a pack with unused sessions ends, sent by beat."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.emails import RETRYABLE_ERRORS, templated_email

from .models import PackPurchase

logger = logging.getLogger("packs")
UNSPENT = Q(pack_sessions__booking__isnull=True)


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
        subject=lambda: (
            _("Your pack: %(sessions)s × %(title)s (%(price)s)")
            % {
                "sessions": purchase.sessions,
                "title": purchase.offering.title,
                "price": purchase.price_display,
            }
        ),
        to=[mentee.email],
        context=context,
        zone=mentee.zone,
    ).send()
    templated_email(
        template="packs/email/sold",
        subject=lambda: (
            _("%(name)s bought a pack of %(sessions)s × %(title)s")
            % {"name": mentee.name, "sessions": purchase.sessions, "title": purchase.offering.title}
        ),
        to=[mentor.email],
        context=context,
        zone=mentor.zone,
    ).send()


def packs_ending_remind(*, now: datetime | None = None, limit: int = 200) -> int:
    """Beat: the mentee of an active pack with unused sessions is told, once, when it ends within
    PackPurchase.REMIND_BEFORE. Each pack is locked while its e-mail goes out and stamped in the
    same transaction, so a second sweep (or a second worker, which skips it) sends nothing more;
    a mail server that refuses leaves it for the next sweep."""
    now = now or timezone.now()
    due = (
        PackPurchase.objects.filter(
            state=PackPurchase.State.ACTIVE,
            ending_reminder_sent_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + PackPurchase.REMIND_BEFORE,
            pack_sessions__booking__isnull=True,
        )
        .values_list("pk", flat=True)
        .distinct()[:limit]
    )
    sent = 0
    for pk in list(due):
        try:
            sent += _remind(pk, now)
        except RETRYABLE_ERRORS as error:
            logger.warning("pack %s ending reminder failed (%s)", pk, error)
            break  # the mail server refuses: the next sweep tries these again
    return sent


def _remind(purchase_id, now: datetime) -> bool:
    with transaction.atomic():
        purchase = (
            PackPurchase.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("offering__mentor__user", "mentee")
            .filter(pk=purchase_id, ending_reminder_sent_at__isnull=True, state=PackPurchase.State.ACTIVE)
            .first()
        )
        if purchase is None:
            return False
        left = PackPurchase.objects.filter(pk=purchase.pk).aggregate(
            n=Count("pack_sessions", filter=UNSPENT)
        )["n"]
        if left:
            mentee, mentor = purchase.mentee, purchase.offering.mentor.user
            templated_email(
                template="packs/email/ending",
                subject=lambda: (
                    ngettext(
                        "Your pack with %(name)s ends on %(day)s: %(left)s session left",
                        "Your pack with %(name)s ends on %(day)s: %(left)s sessions left",
                        left,
                    )
                    % {"name": mentor.name, "day": _day(purchase, mentee), "left": left}
                ),
                to=[mentee.email],
                context={
                    "purchase": purchase,
                    "offering": purchase.offering,
                    "mentee": mentee,
                    "mentor": mentor,
                    "left": left,
                    "pack_url": settings.SITE_URL + purchase.get_absolute_url(),
                    "book_url": settings.SITE_URL + purchase.offering.get_absolute_url(),
                },
                zone=mentee.zone,
            ).send()
        PackPurchase.objects.filter(pk=purchase.pk).update(ending_reminder_sent_at=now)
    return bool(left)


def _day(purchase: PackPurchase, mentee) -> str:
    return date_format(timezone.localtime(purchase.expires_at, mentee.zone), "j F")
