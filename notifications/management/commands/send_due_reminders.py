"""`manage.py send_due_reminders --ahead 48h`: the demo's fast-forward for the reminder outbox.

Sends now, in this process, every reminder due within the next N hours, through the dispatcher's
own claim (`notifications_claim_due`, skip_locked) and send (`notification_send`, row lock and
send-time checks), so a worker running at the same time never sends one of them twice. Without
--ahead it does what one beat run does, inline.

A row it fails to send stays "sending" and the dispatcher retries it after the claim timeout,
as for any failed send.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.emails import RETRYABLE_ERRORS
from notifications.models import Notification
from notifications.services import notification_send, notifications_claim_due

UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_ahead(value: str) -> timedelta:
    """ "48h", "90m", "2d", or a number of hours."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhd]?)\s*", value.lower())
    if not match:
        raise CommandError(f"--ahead {value!r}: use a duration such as 48h, 90m or 2d")
    return timedelta(**{UNITS[match[2] or "h"]: float(match[1])})


class Command(BaseCommand):
    help = "Send now every reminder due within --ahead (default 0: what is due already). For demos."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", default="0h", help="e.g. 48h, 90m, 2d (default: 0h)")
        parser.add_argument(
            "--force", action="store_true", help="allow --ahead with DEBUG off (mails real people early)"
        )

    def handle(self, *args, ahead: str, force: bool, **options):
        ahead_by = parse_ahead(ahead)
        if ahead_by and not settings.DEBUG and not force:
            raise CommandError("With DEBUG off this e-mails real people ahead of time; add --force.")
        now = timezone.now()
        until = now + ahead_by
        counts: dict[str, int] = {}
        # Each claim takes rows no one holds yet, so the loop ends when nothing is left.
        while ids := notifications_claim_due(now=now, due_by=until):
            for notification_id in ids:
                try:
                    state = notification_send(notification_id=notification_id, now=now)
                except RETRYABLE_ERRORS as error:
                    state = f"failed ({type(error).__name__}), retried by the dispatcher"
                counts[state] = counts.get(state, 0) + 1
                self._report(notification_id, state)
            if len(ids) < settings.NOTIFICATION_BATCH_SIZE:
                break
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing due"
        self.stdout.write(self.style.SUCCESS(f"Reminders due by {until:%Y-%m-%d %H:%M} UTC: {summary}."))

    def _report(self, notification_id: int, state: str) -> None:
        row = Notification.objects.select_related("booking__offering").get(pk=notification_id)
        detail = f" ({row.last_error})" if row.state == Notification.State.CANCELLED else ""
        self.stdout.write(
            f"  {state:<9} {row.get_kind_display()} — “{row.booking.offering.title}”, "
            f"was due {row.due_at:%Y-%m-%d %H:%M} UTC{detail}"
        )
