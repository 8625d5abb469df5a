"""Move demo subscriptions into their next period now, as Stripe would at the period's end."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subscriptions.models import Subscription
from subscriptions.services import demo_periods_advance


class Command(BaseCommand):
    help = (
        "Demo provider only: end the current period of demo subscriptions now and start the next "
        "(invoice paid, new credits), or --fail the renewal (past due), or end those cancelled at "
        "period end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subscription", help="One subscription's id (default: every running one).")
        parser.add_argument("--fail", action="store_true", help="The renewal payment fails.")

    def handle(self, *args, subscription=None, fail=False, **options):
        if settings.BILLING_PROVIDER != "demo":
            raise CommandError(
                "Only the demo payment provider can move time forward; Stripe does it for real."
            )
        subscriptions = Subscription.objects.filter(
            provider=Subscription.Provider.DEMO, status__in=Subscription.LIVE_STATUSES
        ).select_related("plan")
        if subscription:
            subscriptions = subscriptions.filter(pk=subscription)
        moved = demo_periods_advance(subscriptions=list(subscriptions), paid=not fail)
        self.stdout.write(f"Moved {moved} demo subscription{'s' if moved != 1 else ''} into the next period.")
