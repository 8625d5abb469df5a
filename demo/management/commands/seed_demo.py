"""`manage.py seed_demo`: the demo marketplace, safe to run again and again.

What it contains is in demo/data/ and demo/plan.py; how it is written, in demo/seed.py.
"""

from __future__ import annotations

import logging
import time as monotonic_clock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from config.celery import app as celery_app
from demo.cohorts import cohort_summary
from demo.plan import ADMIN_LOGIN, MENTEE_LOGIN, MENTOR_LOGIN, MODERATOR_LOGIN, PASSWORD
from demo.seed import seed
from demo.subscriptions import plan_summary
from mentors.models import Language, MentorProfile, Skill
from sessions.models import ActionItem, Booking, Offering, Review

State = Booking.State


class Command(BaseCommand):
    help = "Fill the database with the demo marketplace. Safe to run more than once."

    def handle(self, *args, **options):
        started = monotonic_clock.monotonic()
        now = timezone.now()
        # What the services queue for after commit (free-slot previews, demo payouts) runs here,
        # inline: hundreds of tasks would otherwise sit in front of the demo's first real ones.
        eager = celery_app.conf.task_always_eager
        trace_log = logging.getLogger("celery.app.trace")  # one "succeeded" line per task
        level = trace_log.level
        celery_app.conf.task_always_eager = True
        trace_log.setLevel(logging.WARNING)
        try:
            # The demo's money is demo money (Payment.Provider.DEMO rows, paid by its test
            # checkout) whatever provider the site is set up with: with Stripe configured, its
            # mentors have no Connect accounts to sell through and nothing may be asked of Stripe.
            # Rows remember their provider, so the running site treats them as the demo's.
            with override_settings(BILLING_PROVIDER="demo"), transaction.atomic():
                seed(now=now)
        finally:
            celery_app.conf.task_always_eager = eager
            trace_log.setLevel(level)
        self._summary(monotonic_clock.monotonic() - started)

    def _summary(self, seconds: float) -> None:
        User = get_user_model()
        statuses = dict(MentorProfile.objects.values_list("status").annotate(n=Count("pk")).order_by())
        states = dict(Booking.objects.values_list("state").annotate(n=Count("pk")).order_by())
        mentees = User.objects.filter(mentor__isnull=True, is_staff=False).count()
        zones = (
            MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
            .values("timezone")
            .distinct()
            .count()
        )
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data ready in {seconds:.1f} s."))
        write(
            f"  Mentors:   {statuses.get('approved', 0)} approved in {zones} time zones, "
            f"{statuses.get('pending', 0)} pending, {statuses.get('rejected', 0)} rejected"
        )
        write(
            f"  Mentees:   {mentees} · skills {Skill.objects.count()} · "
            f"languages {Language.objects.count()} · "
            f"offerings {Offering.objects.filter(is_published=True).count()} published"
        )
        write(
            f"  Bookings:  {sum(states.values())} — "
            + ", ".join(f"{s} {states.get(s, 0)}" for s in State.values)
        )
        write(
            f"  Reviews:   {Review.objects.count()} · action items {ActionItem.objects.count()} "
            f"({ActionItem.objects.filter(done_at__isnull=False).count()} done)"
        )
        write(f"  Cohorts:   {cohort_summary()}")
        write(f"  Plans:     {plan_summary()}")
        write(f"\nLog in at {settings.SITE_URL}/ with password {PASSWORD!r}:")
        write(f"  mentee  {MENTEE_LOGIN}")
        write(f"  mentor  {MENTOR_LOGIN}")
        write(f"  admin   {ADMIN_LOGIN}  (/admin/)")
        write(f"  moderator {MODERATOR_LOGIN}  (/admin/, the Moderators group)")
